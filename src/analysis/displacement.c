/* displacement.c: streaming u, u′, classes and reversible events of one run. */
#include "analysis/displacement.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/bytes.h"

/* Fixed tags, not byte palindromes, so a record from the other byte order is refused. */
#define COUNTS_MAGIC UINT64_C(0x414d4443544e5431)
#define TRACKER_MAGIC UINT64_C(0x414d445452434b31)

void am_displacement_params_default(AmDisplacementParams *p)
{
  p->period = 1000.0;
  p->sample_interval = 1.0;
  p->window_start = 6.0 * p->period;
  p->n_cycles = 10;
  p->jump_threshold = 1.4;
  p->va_max = 1.0;
  p->fa_min = 2.0;
  p->event_reach = 1.0;
  p->event_limit = 2.0;
  p->event_return = 1.0;
  p->selected_fraction = 0.5;
  p->hist_bin = 0.01;
  p->hist_max = 10.0;
}

static long samples_per_cycle(const AmDisplacementParams *p)
{
  return (long)nearbyint(p->period / p->sample_interval);
}

AmStatus am_displacement_params_validate(const AmDisplacementParams *p, AmError *err)
{
  if (!isfinite(p->period) || !(p->period > 0.0) || !isfinite(p->sample_interval) || !(p->sample_interval > 0.0))
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: displacement tracker: period %g ps and sample interval %g ps must be finite "
                        "and > 0",
                        __FILE__, __LINE__, p->period, p->sample_interval);
  const double ratio = p->period / p->sample_interval;
  if (!(ratio >= 1.5 && ratio < 1e9) || fabs(ratio - nearbyint(ratio)) > 1e-9 * ratio)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: displacement tracker: period %g ps is %.9g sample intervals of %g ps: "
                        "expected a whole number ≥ 2 so that cycle boundaries fall on samples",
                        __FILE__, __LINE__, p->period, ratio, p->sample_interval);
  if (!isfinite(p->window_start))
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: displacement tracker: window start %g ps is not finite",
                        __FILE__, __LINE__, p->window_start);
  if (p->n_cycles < 1 || (double)p->n_cycles * ratio > (double)(LONG_MAX / 4))
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: displacement tracker: %d analysed cycles: expected at least 1 (and a "
                        "representable sample count)",
                        __FILE__, __LINE__, p->n_cycles);
  const struct {
    const char *name;
    double v;
  } th[] = {{"jump threshold u_c", p->jump_threshold}, {"VA limit", p->va_max},
            {"FA limit", p->fa_min},                   {"event reach", p->event_reach},
            {"event limit", p->event_limit},           {"event return", p->event_return}};
  for (size_t i = 0; i < sizeof th / sizeof th[0]; i++)
    if (!isfinite(th[i].v) || !(th[i].v > 0.0))
      return am_error_set(err, AM_ERR_INVALID, "%s:%d: displacement tracker: %s = %g Å: expected finite and > 0",
                          __FILE__, __LINE__, th[i].name, th[i].v);
  if (!(p->fa_min > p->va_max))
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: displacement tracker: FA limit %g Å must exceed the VA limit %g Å", __FILE__,
                        __LINE__, p->fa_min, p->va_max);
  if (!(p->event_limit > p->event_reach))
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: displacement tracker: event limit %g Å must exceed the event reach %g Å",
                        __FILE__, __LINE__, p->event_limit, p->event_reach);
  if (!(p->selected_fraction >= 0.0 && p->selected_fraction < 1.0))
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: displacement tracker: selected-RA fraction %g: expected 0 ≤ f < 1", __FILE__,
                        __LINE__, p->selected_fraction);
  if (!isfinite(p->hist_bin) || !(p->hist_bin > 0.0) || !isfinite(p->hist_max) || !(p->hist_max > p->hist_bin))
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: displacement tracker: histogram bin %g Å over [0, %g) Å: expected 0 < bin < max",
                        __FILE__, __LINE__, p->hist_bin, p->hist_max);
  return AM_OK;
}

/* ---- counts ------------------------------------------------------------------------ */

AmStatus am_displacement_counts_init(AmDisplacementCounts *c, size_t n, const AmDisplacementParams *p,
                                     AmError *err)
{
  memset(c, 0, sizeof *c);
  AmStatus st = am_displacement_params_validate(p, err);
  if (st)
    return st;
  if (n == 0 || n > SIZE_MAX / (3 * sizeof(double)))
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: displacement counts for %zu atoms: expected at least 1",
                        __FILE__, __LINE__, n);
  c->params = *p;
  c->n = n;
  c->events = calloc(n, sizeof *c->events);
  if (!c->events)
    return am_error_set(err, AM_ERR_NOMEM, "%s:%d: cannot allocate event counts for %zu atoms", __FILE__,
                        __LINE__, n);
  if ((st = am_histogram_init(&c->p_u, 0.0, p->hist_max, p->hist_bin, err)) ||
      (st = am_histogram_init(&c->p_uprime, 0.0, p->hist_max, p->hist_bin, err))) {
    am_displacement_counts_free(c);
    return am_error_prefix(err, "displacement counts: ");
  }
  return AM_OK;
}

void am_displacement_counts_free(AmDisplacementCounts *c)
{
  if (!c)
    return;
  free(c->events);
  am_histogram_free(&c->p_u);
  am_histogram_free(&c->p_uprime);
  memset(c, 0, sizeof *c);
}

static bool same_thresholds(const AmDisplacementParams *a, const AmDisplacementParams *b)
{
  return a->jump_threshold == b->jump_threshold && a->va_max == b->va_max && a->fa_min == b->fa_min &&
         a->event_reach == b->event_reach && a->event_limit == b->event_limit &&
         a->event_return == b->event_return && a->selected_fraction == b->selected_fraction &&
         a->hist_bin == b->hist_bin && a->hist_max == b->hist_max;
}

AmStatus am_displacement_counts_merge(AmDisplacementCounts *dst, const AmDisplacementCounts *src,
                                      AmError *err)
{
  if (!dst->events || !src->events)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: merging uninitialised displacement counts", __FILE__,
                        __LINE__);
  if (dst->n != src->n)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: cannot merge displacement counts of %zu and %zu atoms",
                        __FILE__, __LINE__, dst->n, src->n);
  if (!same_thresholds(&dst->params, &src->params))
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: cannot merge displacement counts made with different thresholds or bins",
                        __FILE__, __LINE__);
  for (size_t i = 0; i < dst->n; i++)
    if (dst->events[i] > UINT32_MAX - src->events[i])
      return am_error_set(err, AM_ERR_INVALID, "%s:%d: event count of atom %zu overflows", __FILE__, __LINE__, i);
  AmStatus st;
  if ((st = am_histogram_merge(&dst->p_u, &src->p_u, err)) ||
      (st = am_histogram_merge(&dst->p_uprime, &src->p_uprime, err)))
    return st;
  for (size_t i = 0; i < dst->n; i++)
    dst->events[i] += src->events[i];
  dst->runs += src->runs;
  dst->cycles += src->cycles;
  dst->jumps += src->jumps;
  dst->jumps_above += src->jumps_above;
  return AM_OK;
}

AmStatus am_displacement_counts_add_run(AmDisplacementCounts *dst, const AmDisplacementTracker *tr,
                                        AmError *err)
{
  if (tr->failed)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: this run's displacement tracker failed: not merged",
                        __FILE__, __LINE__);
  if (!am_displacement_tracker_complete(tr))
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: this run's displacement tracker has %ld of %d cycles: not merged", __FILE__,
                        __LINE__, am_displacement_tracker_cycles_done(tr), tr->params.n_cycles);
  return am_displacement_counts_merge(dst, &tr->counts, err);
}

static AmStatus check_types(size_t n, const int32_t *type, int ntypes, AmError *err)
{
  if (!type)
    return AM_OK;
  if (ntypes < 1 || ntypes > AM_MAX_TYPES)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: %d atom types: expected 1 to %d", __FILE__, __LINE__,
                        ntypes, AM_MAX_TYPES);
  for (size_t i = 0; i < n; i++)
    if (type[i] < 0 || type[i] >= ntypes)
      return am_error_set(err, AM_ERR_INVALID, "%s:%d: atom %zu has type %d: expected 0 … %d", __FILE__,
                          __LINE__, i, (int)type[i], ntypes - 1);
  return AM_OK;
}

static void typed_add(AmTypedCount *c, const int32_t *type, size_t i)
{
  c->total++;
  if (type)
    c->by_type[type[i]]++;
}

AmStatus am_displacement_counts_selected(const AmDisplacementCounts *c, const int32_t *type, int ntypes,
                                         uint8_t *selected, AmTypedCount *out, AmError *err)
{
  if (!c->events)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: displacement counts not initialised", __FILE__, __LINE__);
  if (c->cycles == 0)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: selected RAs need at least one analysed cycle, the counts have none", __FILE__,
                        __LINE__);
  AmStatus st = check_types(c->n, type, ntypes, err);
  if (st)
    return st;
  AmTypedCount cnt;
  memset(&cnt, 0, sizeof cnt);
  /* Integer comparison events > f·cycles, done in doubles: both are exact below 2^53. */
  const double need = c->params.selected_fraction * (double)c->cycles;
  for (size_t i = 0; i < c->n; i++) {
    const bool sel = (double)c->events[i] > need;
    if (selected)
      selected[i] = sel;
    if (sel)
      typed_add(&cnt, type, i);
  }
  if (out)
    *out = cnt;
  return AM_OK;
}

/* ---- tracker ----------------------------------------------------------------------- */

AmStatus am_displacement_tracker_init(AmDisplacementTracker *tr, size_t n, const AmDisplacementParams *p,
                                      AmError *err)
{
  memset(tr, 0, sizeof *tr);
  AmStatus st = am_displacement_counts_init(&tr->counts, n, p, err);
  if (st)
    return st;
  tr->params = *p;
  tr->n = n;
  tr->samples_per_cycle = samples_per_cycle(p);
  tr->q_start = malloc(3 * n * sizeof(double));
  tr->r_cycle = malloc(3 * n * sizeof(double));
  tr->q_cycle = malloc(3 * n * sizeof(double));
  tr->uprime_max = calloc(n, sizeof(double));
  tr->cycle_max = calloc(n, sizeof(double));
  if (!tr->q_start || !tr->r_cycle || !tr->q_cycle || !tr->uprime_max || !tr->cycle_max) {
    am_displacement_tracker_free(tr);
    return am_error_set(err, AM_ERR_NOMEM, "%s:%d: cannot allocate a displacement tracker for %zu atoms",
                        __FILE__, __LINE__, n);
  }
  return AM_OK;
}

void am_displacement_tracker_free(AmDisplacementTracker *tr)
{
  if (!tr)
    return;
  free(tr->q_start);
  free(tr->r_cycle);
  free(tr->q_cycle);
  free(tr->uprime_max);
  free(tr->cycle_max);
  am_displacement_counts_free(&tr->counts);
  memset(tr, 0, sizeof *tr);
}

static long total_samples(const AmDisplacementTracker *tr)
{
  return tr->samples_per_cycle * (long)tr->params.n_cycles;
}

bool am_displacement_tracker_complete(const AmDisplacementTracker *tr)
{
  return tr->q_start && tr->next_sample > total_samples(tr);
}

long am_displacement_tracker_cycles_done(const AmDisplacementTracker *tr)
{
  if (tr->next_sample <= 1)
    return 0;
  return (tr->next_sample - 1) / tr->samples_per_cycle;
}

static AmStatus fail(AmDisplacementTracker *tr)
{
  tr->failed = true;
  return AM_ERR_INVALID;
}

AmStatus am_displacement_tracker_add(AmDisplacementTracker *tr, double t, const double *x_unwrapped,
                                     const double *affine, AmError *err)
{
  if (!tr->q_start)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: displacement tracker not initialised", __FILE__, __LINE__);
  if (tr->failed)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: displacement tracker refused an earlier sample: this run has no displacement "
                        "results",
                        __FILE__, __LINE__);
  const AmDisplacementParams *p = &tr->params;
  const long k = tr->next_sample, total = total_samples(tr);
  if (!isfinite(t)) {
    fail(tr);
    return am_error_set(err, AM_ERR_NUMERIC, "%s:%d: displacement sample time is not finite (%g)", __FILE__,
                        __LINE__, t);
  }
  if (k > total)
    return AM_OK;
  const double tol = 1e-3 * p->sample_interval;
  if (k == 0 && t < p->window_start - tol)
    return AM_OK;
  const double expect = p->window_start + (double)k * p->sample_interval;
  if (fabs(t - expect) > tol) {
    fail(tr);
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: displacement tracker expected sample %ld of the window at t = %.6f ps, got "
                        "t = %.6f ps (samples must come every %g ps from t_s = %g ps without gaps)",
                        __FILE__, __LINE__, k, expect, t, p->sample_interval, p->window_start);
  }
  if (!x_unwrapped) {
    fail(tr);
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: displacement sample without positions", __FILE__, __LINE__);
  }
  const size_t n = tr->n;
  /* Validate the whole frame before touching any state, so a refused sample leaves the
   * run's numbers as they were (and marked failed). */
  for (size_t j = 0; j < 3 * n; j++)
    if (!isfinite(x_unwrapped[j]) || (affine && !isfinite(affine[j]))) {
      fail(tr);
      return am_error_set(err, AM_ERR_NUMERIC,
                          "%s:%d: displacement sample at t = %g ps: atom %zu has a non-finite %s coordinate",
                          __FILE__, __LINE__, t, j / 3, isfinite(x_unwrapped[j]) ? "affine" : "position");
    }

  AmDisplacementCounts *c = &tr->counts;
  if (k == 0) {
    for (size_t j = 0; j < 3 * n; j++) {
      const double q = x_unwrapped[j] - (affine ? affine[j] : 0.0);
      tr->q_start[j] = q;
      tr->q_cycle[j] = q;
      tr->r_cycle[j] = x_unwrapped[j];
    }
    memset(tr->uprime_max, 0, n * sizeof *tr->uprime_max);
    memset(tr->cycle_max, 0, n * sizeof *tr->cycle_max);
    c->runs = 1;
    tr->next_sample = 1;
    return AM_OK;
  }

  const bool boundary = k % tr->samples_per_cycle == 0;
  const bool last = k == total;
  for (size_t i = 0; i < n; i++) {
    const double *r = x_unwrapped + 3 * i;
    double q[3], ds[3], dc[3];
    for (int a = 0; a < 3; a++) {
      q[a] = r[a] - (affine ? affine[3 * i + a] : 0.0);
      ds[a] = q[a] - tr->q_start[3 * i + a];
      dc[a] = q[a] - tr->q_cycle[3 * i + a];
    }
    const double uprime = sqrt(ds[0] * ds[0] + ds[1] * ds[1] + ds[2] * ds[2]);
    am_histogram_add(&c->p_uprime, uprime);
    if (uprime > tr->uprime_max[i])
      tr->uprime_max[i] = uprime;
    const double d = sqrt(dc[0] * dc[0] + dc[1] * dc[1] + dc[2] * dc[2]);
    const double dmax = d > tr->cycle_max[i] ? d : tr->cycle_max[i];
    if (!boundary) {
      tr->cycle_max[i] = dmax;
      continue;
    }
    if (dmax >= p->event_reach && dmax < p->event_limit && d < p->event_return)
      c->events[i]++;
    double du[3];
    for (int a = 0; a < 3; a++)
      du[a] = r[a] - tr->r_cycle[3 * i + a];
    const double u = sqrt(du[0] * du[0] + du[1] * du[1] + du[2] * du[2]);
    am_histogram_add(&c->p_u, u);
    c->jumps++;
    c->jumps_above += u > p->jump_threshold;
    tr->cycle_max[i] = 0.0;
    if (!last)
      for (int a = 0; a < 3; a++) {
        tr->r_cycle[3 * i + a] = r[a];
        tr->q_cycle[3 * i + a] = q[a];
      }
  }
  if (boundary)
    c->cycles++;
  tr->next_sample = k + 1;
  return AM_OK;
}

AmAtomClass am_displacement_classify(const AmDisplacementParams *p, double uprime_max)
{
  if (uprime_max < p->va_max)
    return AM_CLASS_VA;
  return uprime_max < p->fa_min ? AM_CLASS_RA : AM_CLASS_FA;
}

AmAtomClass am_displacement_class(const AmDisplacementTracker *tr, size_t i)
{
  return am_displacement_classify(&tr->params, tr->uprime_max[i]);
}

void am_displacement_classes(const AmDisplacementTracker *tr, uint8_t *cls)
{
  for (size_t i = 0; i < tr->n; i++)
    cls[i] = (uint8_t)am_displacement_class(tr, i);
}

AmStatus am_displacement_summary(const AmDisplacementTracker *tr, const int32_t *type, int ntypes,
                                 AmDisplacementSummary *s, AmError *err)
{
  memset(s, 0, sizeof *s);
  if (!tr->q_start)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: displacement tracker not initialised", __FILE__, __LINE__);
  if (tr->failed)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: displacement tracker failed: no summary", __FILE__,
                        __LINE__);
  const long done = am_displacement_tracker_cycles_done(tr);
  if (done < 1)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: displacement summary needs at least one completed cycle (%ld samples taken, "
                        "%ld per cycle)",
                        __FILE__, __LINE__, tr->next_sample, tr->samples_per_cycle);
  AmStatus st = check_types(tr->n, type, ntypes, err);
  if (st)
    return st;
  s->n = tr->n;
  s->cycles = done;
  AmTypedCount *cls[3] = {&s->va, &s->ra, &s->fa};
  for (size_t i = 0; i < tr->n; i++) {
    typed_add(&s->atoms, type, i);
    typed_add(cls[am_displacement_class(tr, i)], type, i);
  }
  s->f_va = (double)s->va.total / (double)tr->n;
  s->f_ra = (double)s->ra.total / (double)tr->n;
  s->f_fa = (double)s->fa.total / (double)tr->n;
  st = am_displacement_counts_selected(&tr->counts, type, ntypes, NULL, &s->selected, err);
  if (st)
    return st;
  s->jumps = tr->counts.jumps;
  s->jumps_above = tr->counts.jumps_above;
  s->f_jump = (double)s->jumps_above / (double)s->jumps;
  return AM_OK;
}

/* ---- checkpoints ------------------------------------------------------------------- */

static void write_params(AmByteWriter *w, const AmDisplacementParams *p)
{
  const double v[] = {p->period,      p->sample_interval, p->window_start, p->jump_threshold, p->va_max,
                      p->fa_min,      p->event_reach,     p->event_limit,  p->event_return,
                      p->selected_fraction, p->hist_bin,  p->hist_max};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    am_bytes_put_f64(w, v[i]);
  am_bytes_put_u64(w, (uint64_t)(int64_t)p->n_cycles);
}

static void read_params(AmByteReader *r, AmDisplacementParams *p)
{
  double *v[] = {&p->period,      &p->sample_interval, &p->window_start, &p->jump_threshold, &p->va_max,
                 &p->fa_min,      &p->event_reach,     &p->event_limit,  &p->event_return,
                 &p->selected_fraction, &p->hist_bin,  &p->hist_max};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    *v[i] = am_bytes_get_f64(r);
  const int64_t nc = (int64_t)am_bytes_get_u64(r);
  p->n_cycles = nc > INT_MAX || nc < INT_MIN ? -1 : (int)nc;
}

static void write_counts(AmByteWriter *w, const AmDisplacementCounts *c)
{
  am_bytes_put_u64(w, COUNTS_MAGIC);
  write_params(w, &c->params);
  am_bytes_put_u64(w, c->n);
  am_bytes_put_u64(w, c->runs);
  am_bytes_put_u64(w, c->cycles);
  am_bytes_put_u64(w, c->jumps);
  am_bytes_put_u64(w, c->jumps_above);
  am_bytes_put(w, c->events, c->n * sizeof *c->events);
  am_histogram_write(&c->p_u, w);
  am_histogram_write(&c->p_uprime, w);
}

static AmStatus read_counts(AmDisplacementCounts *c, AmByteReader *r, AmError *err)
{
  memset(c, 0, sizeof *c);
  const size_t start = r->pos;
  if (am_bytes_get_u64(r) != COUNTS_MAGIC)
    return am_error_set(err, AM_ERR_FORMAT, "%s:%d: byte %zu: expected a displacement-counts record", __FILE__,
                        __LINE__, start);
  AmDisplacementParams p;
  read_params(r, &p);
  const uint64_t n = am_bytes_get_u64(r);
  const uint64_t runs = am_bytes_get_u64(r), cycles = am_bytes_get_u64(r);
  const uint64_t jumps = am_bytes_get_u64(r), above = am_bytes_get_u64(r);
  if (r->short_read)
    return am_error_set(err, AM_ERR_FORMAT, "%s:%d: byte %zu: displacement-counts record cut short", __FILE__,
                        __LINE__, start);
  if (n == 0 || n > (r->len - r->pos) / sizeof(uint32_t) || above > jumps)
    return am_error_set(err, AM_ERR_FORMAT,
                        "%s:%d: byte %zu: displacement-counts record is inconsistent (%llu atoms, %llu of %llu "
                        "jumps above threshold, %zu bytes left)",
                        __FILE__, __LINE__, start, (unsigned long long)n, (unsigned long long)above,
                        (unsigned long long)jumps, r->len - r->pos);
  AmStatus st = am_displacement_counts_init(c, (size_t)n, &p, err);
  if (st)
    return am_error_prefix(err, "byte %zu: displacement-counts record: ", start);
  am_bytes_get(r, c->events, c->n * sizeof *c->events);
  c->runs = runs;
  c->cycles = cycles;
  c->jumps = jumps;
  c->jumps_above = above;
  am_histogram_free(&c->p_u);
  am_histogram_free(&c->p_uprime);
  if ((st = am_histogram_read(&c->p_u, r, err)) || (st = am_histogram_read(&c->p_uprime, r, err))) {
    am_displacement_counts_free(c);
    return am_error_prefix(err, "displacement-counts record: ");
  }
  if (c->p_u.lo != 0.0 || c->p_u.width != p.hist_bin || c->p_uprime.lo != 0.0 || c->p_uprime.width != p.hist_bin ||
      c->p_u.nbins != c->p_uprime.nbins) {
    am_displacement_counts_free(c);
    return am_error_set(err, AM_ERR_FORMAT,
                        "%s:%d: byte %zu: displacement-counts histograms do not match its bin setting", __FILE__,
                        __LINE__, start);
  }
  return AM_OK;
}

size_t am_displacement_counts_serialize(const AmDisplacementCounts *c, uint8_t *buf, size_t cap)
{
  AmByteWriter w = {buf, cap, 0, false};
  write_counts(&w, c);
  return w.len;
}

AmStatus am_displacement_counts_deserialize(AmDisplacementCounts *c, const uint8_t *buf, size_t len,
                                            size_t *consumed, AmError *err)
{
  AmByteReader r = {buf, len, 0, false};
  AmStatus st = read_counts(c, &r, err);
  if (consumed)
    *consumed = st == AM_OK ? r.pos : 0;
  return st;
}

size_t am_displacement_tracker_serialize(const AmDisplacementTracker *tr, uint8_t *buf, size_t cap)
{
  AmByteWriter w = {buf, cap, 0, false};
  am_bytes_put_u64(&w, TRACKER_MAGIC);
  am_bytes_put_u64(&w, tr->n);
  am_bytes_put_u64(&w, (uint64_t)tr->next_sample);
  am_bytes_put_u64(&w, tr->failed);
  am_bytes_put(&w, tr->q_start, 3 * tr->n * sizeof(double));
  am_bytes_put(&w, tr->r_cycle, 3 * tr->n * sizeof(double));
  am_bytes_put(&w, tr->q_cycle, 3 * tr->n * sizeof(double));
  am_bytes_put(&w, tr->uprime_max, tr->n * sizeof(double));
  am_bytes_put(&w, tr->cycle_max, tr->n * sizeof(double));
  write_counts(&w, &tr->counts);
  return w.len;
}

AmStatus am_displacement_tracker_deserialize(AmDisplacementTracker *tr, const uint8_t *buf, size_t len,
                                             size_t *consumed, AmError *err)
{
  memset(tr, 0, sizeof *tr);
  if (consumed)
    *consumed = 0;
  AmByteReader r = {buf, len, 0, false};
  if (am_bytes_get_u64(&r) != TRACKER_MAGIC)
    return am_error_set(err, AM_ERR_FORMAT, "%s:%d: byte 0: expected a displacement-tracker record", __FILE__,
                        __LINE__);
  const uint64_t n = am_bytes_get_u64(&r);
  const uint64_t next = am_bytes_get_u64(&r);
  const uint64_t failed = am_bytes_get_u64(&r);
  if (r.short_read || n == 0 || n > (len - r.pos) / (11 * sizeof(double)) || failed > 1)
    return am_error_set(err, AM_ERR_FORMAT,
                        "%s:%d: displacement-tracker record is cut short or inconsistent (%llu atoms, %zu bytes)",
                        __FILE__, __LINE__, (unsigned long long)n, len);
  /* The arrays come before the counts record that holds the parameters: read them into
   * place after a provisional allocation sized by n. */
  const size_t arrays_at = r.pos;
  r.pos += 11 * (size_t)n * sizeof(double);
  AmDisplacementCounts counts;
  AmStatus st = read_counts(&counts, &r, err);
  if (st)
    return am_error_prefix(err, "displacement-tracker record: ");
  if (counts.n != n) {
    am_displacement_counts_free(&counts);
    return am_error_set(err, AM_ERR_FORMAT, "%s:%d: displacement-tracker record has %llu atoms, its counts %zu",
                        __FILE__, __LINE__, (unsigned long long)n, counts.n);
  }
  st = am_displacement_tracker_init(tr, (size_t)n, &counts.params, err);
  if (st) {
    am_displacement_counts_free(&counts);
    return am_error_prefix(err, "displacement-tracker record: ");
  }
  am_displacement_counts_free(&tr->counts);
  tr->counts = counts;
  if (next > (uint64_t)total_samples(tr) + 1 || counts.cycles > (uint64_t)tr->params.n_cycles) {
    am_displacement_tracker_free(tr);
    return am_error_set(err, AM_ERR_FORMAT,
                        "%s:%d: displacement-tracker record is at sample %llu of a %ld-sample window",
                        __FILE__, __LINE__, (unsigned long long)next, total_samples(tr) + 1);
  }
  tr->next_sample = (long)next;
  tr->failed = failed;
  AmByteReader ar = {buf, len, arrays_at, false};
  am_bytes_get(&ar, tr->q_start, 3 * n * sizeof(double));
  am_bytes_get(&ar, tr->r_cycle, 3 * n * sizeof(double));
  am_bytes_get(&ar, tr->q_cycle, 3 * n * sizeof(double));
  am_bytes_get(&ar, tr->uprime_max, n * sizeof(double));
  am_bytes_get(&ar, tr->cycle_max, n * sizeof(double));
  for (size_t j = 0; j < 3 * n; j++)
    if (!isfinite(tr->q_start[j]) || !isfinite(tr->r_cycle[j]) || !isfinite(tr->q_cycle[j])) {
      am_displacement_tracker_free(tr);
      return am_error_set(err, AM_ERR_FORMAT, "%s:%d: displacement-tracker record has non-finite positions",
                          __FILE__, __LINE__);
    }
  if (consumed)
    *consumed = r.pos;
  return AM_OK;
}
