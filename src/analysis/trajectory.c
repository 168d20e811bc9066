/* trajectory.c: XY heatmaps and u′(t) series of a few atoms, in bounded memory. */
#include "analysis/trajectory.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/bytes.h"

/* A fixed tag, not a byte palindrome, so a record from the other byte order is refused. */
/* "AMTRAJ03": version 3 added the pooled atoms' peak displacement vectors, version 2 the
 * pooled histogram. Version 2 records are still read (peaks unknown, NaN), so a sweep
 * recorded before can be resumed; version 1 records are refused. */
#define TRAJ_MAGIC UINT64_C(0x414d5452414a3033)
#define TRAJ_MAGIC_V2 UINT64_C(0x414d5452414a3032)
/* Heatmap entries over all atoms: 8 bytes each, so at most 800 MB. */
#define TRAJ_MAX_BINS ((size_t)100 * 1000 * 1000)

void am_trajectory_params_default(AmTrajectoryParams *p)
{
  p->x_min = p->y_min = -5.0;
  p->x_max = p->y_max = 5.0;
  p->bin = 0.05;
  p->series_capacity = 4096;
}

static AmStatus bins_along(double lo, double hi, double bin, char axis, size_t *nb, AmError *err)
{
  if (!isfinite(lo) || !isfinite(hi) || !(hi > lo))
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: trajectory heatmap %c extent [%g, %g): expected finite lo < hi",
                        __FILE__, __LINE__, axis, lo, hi);
  const double v = (hi - lo) / bin, r = nearbyint(v);
  if (fabs(v - r) > 1e-6 * fmax(1.0, r) || r < 1.0 || r > (double)TRAJ_MAX_BINS)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: trajectory heatmap %c extent [%g, %g) is %.9g bins of %g Å: expected a whole "
                        "number",
                        __FILE__, __LINE__, axis, lo, hi, v, bin);
  *nb = (size_t)r;
  return AM_OK;
}

AmStatus am_trajectory_init(AmTrajectory *tr, size_t n_total, const size_t *atoms, size_t n,
                            const AmTrajectoryParams *p, AmError *err)
{
  memset(tr, 0, sizeof *tr);
  if (!atoms || n == 0 || n > TRAJ_MAX_BINS)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: trajectory recorder needs at least one atom", __FILE__,
                        __LINE__);
  for (size_t s = 0; s < n; s++)
    if (atoms[s] >= n_total)
      return am_error_set(err, AM_ERR_INVALID, "%s:%d: trajectory atom %zu is index %zu, frames have %zu atoms",
                          __FILE__, __LINE__, s, atoms[s], n_total);
  if (!isfinite(p->bin) || !(p->bin > 0.0))
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: trajectory heatmap bin %g Å: expected finite and > 0",
                        __FILE__, __LINE__, p->bin);
  size_t nx, ny;
  AmStatus st;
  if ((st = bins_along(p->x_min, p->x_max, p->bin, 'x', &nx, err)) ||
      (st = bins_along(p->y_min, p->y_max, p->bin, 'y', &ny, err)))
    return st;
  if (nx * ny > TRAJ_MAX_BINS / n)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: trajectory heatmaps of %zu × %zu bins for %zu atoms exceed %zu bins", __FILE__,
                        __LINE__, nx, ny, n, TRAJ_MAX_BINS);
  if (p->series_capacity % 2 || p->series_capacity == 1 || p->series_capacity > TRAJ_MAX_BINS / n)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: trajectory series capacity %zu: expected 0 or an even number ≥ 2 (at most %zu "
                        "points over all atoms)",
                        __FILE__, __LINE__, p->series_capacity, TRAJ_MAX_BINS);
  tr->params = *p;
  tr->n_total = n_total;
  tr->n = n;
  tr->nx = nx;
  tr->ny = ny;
  tr->stride = 1;
  tr->atoms = malloc(n * sizeof *tr->atoms);
  tr->q0 = calloc(3 * n, sizeof *tr->q0);
  tr->counts = calloc(n * nx * ny, sizeof *tr->counts);
  tr->outside = calloc(n, sizeof *tr->outside);
  const size_t cap = p->series_capacity;
  tr->series_t = calloc(cap ? cap : 1, sizeof *tr->series_t);
  tr->series_u = calloc(cap ? n * cap : 1, sizeof *tr->series_u);
  if (!tr->atoms || !tr->q0 || !tr->counts || !tr->outside || !tr->series_t || !tr->series_u) {
    am_trajectory_free(tr);
    return am_error_set(err, AM_ERR_NOMEM, "%s:%d: cannot allocate a trajectory recorder for %zu atoms",
                        __FILE__, __LINE__, n);
  }
  memcpy(tr->atoms, atoms, n * sizeof *atoms);
  return AM_OK;
}

void am_trajectory_free(AmTrajectory *tr)
{
  if (!tr)
    return;
  free(tr->atoms);
  free(tr->q0);
  free(tr->counts);
  free(tr->outside);
  free(tr->series_t);
  free(tr->series_u);
  free(tr->pool);
  free(tr->pool_q0);
  free(tr->pool_peak);
  am_histogram_free(&tr->pool_u);
  memset(tr, 0, sizeof *tr);
}

/* Takes the pooled atoms (checked against the frames); the histogram is the caller's. */
static AmStatus pool_atoms(AmTrajectory *tr, const size_t *atoms, size_t n, AmError *err)
{
  if (n > tr->n_total || (n && !atoms))
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: trajectory pool of %zu atoms, frames have %zu", __FILE__,
                        __LINE__, n, tr->n_total);
  for (size_t s = 0; s < n; s++)
    if (atoms[s] >= tr->n_total)
      return am_error_set(err, AM_ERR_INVALID, "%s:%d: pooled atom %zu is index %zu, frames have %zu atoms",
                          __FILE__, __LINE__, s, atoms[s], tr->n_total);
  tr->pool = malloc((n ? n : 1) * sizeof *tr->pool);
  tr->pool_q0 = calloc(n ? 3 * n : 1, sizeof *tr->pool_q0);
  tr->pool_peak = malloc((n ? 4 * n : 1) * sizeof *tr->pool_peak);
  if (!tr->pool || !tr->pool_q0 || !tr->pool_peak)
    return am_error_set(err, AM_ERR_NOMEM, "%s:%d: cannot allocate a trajectory pool of %zu atoms", __FILE__,
                        __LINE__, n);
  if (n)
    memcpy(tr->pool, atoms, n * sizeof *atoms);
  for (size_t k = 0; k < 4 * n; k++)
    tr->pool_peak[k] = NAN;
  tr->n_pool = n;
  tr->pooled = true;
  return AM_OK;
}

AmStatus am_trajectory_pool(AmTrajectory *tr, const size_t *atoms, size_t n, double bin, double hi,
                            AmError *err)
{
  if (!tr->atoms)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: trajectory recorder not initialised", __FILE__, __LINE__);
  if (tr->pooled || tr->frames > 0)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: trajectory pool: set once, before the first frame (%llu frames taken)", __FILE__,
                        __LINE__, (unsigned long long)tr->frames);
  if (am_histogram_init(&tr->pool_u, 0.0, hi, bin, err))
    return am_error_prefix(err, "trajectory pool: ");
  AmStatus st = pool_atoms(tr, atoms, n, err);
  if (st) {
    free(tr->pool);
    free(tr->pool_q0);
    free(tr->pool_peak);
    tr->pool = NULL;
    tr->pool_q0 = NULL;
    tr->pool_peak = NULL;
    tr->n_pool = 0;
    tr->pooled = false;
    am_histogram_free(&tr->pool_u);
  }
  return st;
}

/* Checks the coordinates of the n atoms idx[] in a frame; fails the recorder if one is
 * not finite. */
static AmStatus check_finite(AmTrajectory *tr, double t, const size_t *idx, size_t n, const double *x,
                             const double *affine, AmError *err)
{
  for (size_t s = 0; s < n; s++)
    for (int a = 0; a < 3; a++) {
      const size_t j = 3 * idx[s] + a;
      if (!isfinite(x[j]) || (affine && !isfinite(affine[j]))) {
        tr->failed = true;
        return am_error_set(err, AM_ERR_NUMERIC,
                            "%s:%d: trajectory frame at t = %g ps: atom %zu has a non-finite coordinate",
                            __FILE__, __LINE__, t, idx[s]);
      }
    }
  return AM_OK;
}

/* Non-affine displacement of atom i from its start q0 (set from this frame when first). */
static void displacement(const double *x, const double *affine, size_t i, bool first, double *q0, double d[3])
{
  for (int a = 0; a < 3; a++) {
    const double q = x[3 * i + a] - (affine ? affine[3 * i + a] : 0.0);
    if (first)
      q0[a] = q;
    d[a] = q - q0[a];
  }
}

/* Halves the series: keeps points 0, 2, 4 …, which are frames 0, 2s, 4s …. */
static void decimate(AmTrajectory *tr)
{
  const size_t cap = tr->params.series_capacity, half = tr->series_len / 2;
  for (size_t j = 0; j < half; j++)
    tr->series_t[j] = tr->series_t[2 * j];
  for (size_t s = 0; s < tr->n; s++) {
    double *u = tr->series_u + s * cap;
    for (size_t j = 0; j < half; j++)
      u[j] = u[2 * j];
  }
  tr->series_len = half;
  tr->stride *= 2;
}

AmStatus am_trajectory_add(AmTrajectory *tr, double t, const double *x_unwrapped, const double *affine,
                           AmError *err)
{
  if (!tr->atoms)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: trajectory recorder not initialised", __FILE__, __LINE__);
  if (tr->failed)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: trajectory recorder refused an earlier frame", __FILE__,
                        __LINE__);
  if (!isfinite(t) || (tr->frames > 0 && !(t > tr->t_last)) || !x_unwrapped) {
    tr->failed = true;
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: trajectory frame at t = %g ps: expected positions and a finite time after the "
                        "previous frame (%g ps)",
                        __FILE__, __LINE__, t, tr->t_last);
  }
  AmStatus st;
  if ((st = check_finite(tr, t, tr->atoms, tr->n, x_unwrapped, affine, err)) ||
      (st = check_finite(tr, t, tr->pool, tr->n_pool, x_unwrapped, affine, err)))
    return st;

  const AmTrajectoryParams *p = &tr->params;
  const size_t cap = p->series_capacity;
  const bool first = tr->frames == 0;
  bool keep = cap > 0 && tr->frames % tr->stride == 0;
  if (keep && tr->series_len == cap)
    decimate(tr); /* the frame index is cap·stride, a multiple of the new stride too */
  for (size_t s = 0; s < tr->n; s++) {
    double d[3];
    displacement(x_unwrapped, affine, tr->atoms[s], first, tr->q0 + 3 * s, d);
    const double fx = (d[0] - p->x_min) / p->bin, fy = (d[1] - p->y_min) / p->bin;
    if (fx >= 0.0 && fx < (double)tr->nx && fy >= 0.0 && fy < (double)tr->ny)
      tr->counts[(s * tr->ny + (size_t)fy) * tr->nx + (size_t)fx]++;
    else
      tr->outside[s]++;
    if (keep)
      tr->series_u[s * cap + tr->series_len] = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
  }
  if (keep)
    tr->series_t[tr->series_len++] = t;
  for (size_t s = 0; s < tr->n_pool; s++) {
    double d[3];
    displacement(x_unwrapped, affine, tr->pool[s], first, tr->pool_q0 + 3 * s, d);
    const double u = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    am_histogram_add(&tr->pool_u, u);
    double *peak = tr->pool_peak + 4 * s;
    if (!(u <= peak[3])) {
      memcpy(peak, d, sizeof d);
      peak[3] = u;
    }
  }
  tr->frames++;
  tr->t_last = t;
  return AM_OK;
}

static AmStatus check_atom(const AmTrajectory *tr, size_t s, AmError *err)
{
  if (!tr->atoms)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: trajectory recorder not initialised", __FILE__, __LINE__);
  if (tr->failed)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: trajectory recorder failed: no results", __FILE__,
                        __LINE__);
  if (s >= tr->n)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: recorded atom %zu requested, the recorder has %zu", __FILE__,
                        __LINE__, s, tr->n);
  if (tr->frames == 0)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: trajectory recorder has no frames yet", __FILE__, __LINE__);
  return AM_OK;
}

AmStatus am_trajectory_density(const AmTrajectory *tr, size_t s, double *out, AmError *err)
{
  AmStatus st = check_atom(tr, s, err);
  if (st)
    return st;
  const double norm = 1.0 / ((double)tr->frames * tr->params.bin * tr->params.bin);
  const uint64_t *c = tr->counts + s * tr->nx * tr->ny;
  for (size_t k = 0; k < tr->nx * tr->ny; k++)
    out[k] = (double)c[k] * norm;
  return AM_OK;
}

AmStatus am_trajectory_series(const AmTrajectory *tr, size_t s, const double **t, const double **u,
                              size_t *len, AmError *err)
{
  AmStatus st = check_atom(tr, s, err);
  if (st)
    return st;
  if (tr->params.series_capacity == 0)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: this trajectory recorder keeps no series", __FILE__,
                        __LINE__);
  *t = tr->series_t;
  *u = tr->series_u + s * tr->params.series_capacity;
  *len = tr->series_len;
  return AM_OK;
}

size_t am_trajectory_serialize(const AmTrajectory *tr, uint8_t *buf, size_t cap)
{
  AmByteWriter w = {buf, cap, 0, false};
  const AmTrajectoryParams *p = &tr->params;
  am_bytes_put_u64(&w, TRAJ_MAGIC);
  am_bytes_put_f64(&w, p->x_min);
  am_bytes_put_f64(&w, p->x_max);
  am_bytes_put_f64(&w, p->y_min);
  am_bytes_put_f64(&w, p->y_max);
  am_bytes_put_f64(&w, p->bin);
  am_bytes_put_u64(&w, p->series_capacity);
  am_bytes_put_u64(&w, tr->n_total);
  am_bytes_put_u64(&w, tr->n);
  for (size_t s = 0; s < tr->n; s++)
    am_bytes_put_u64(&w, tr->atoms[s]);
  am_bytes_put_u64(&w, tr->failed);
  am_bytes_put_u64(&w, tr->frames);
  am_bytes_put_f64(&w, tr->t_last);
  am_bytes_put_u64(&w, tr->stride);
  am_bytes_put_u64(&w, tr->series_len);
  am_bytes_put(&w, tr->q0, 3 * tr->n * sizeof *tr->q0);
  am_bytes_put(&w, tr->counts, tr->n * tr->nx * tr->ny * sizeof *tr->counts);
  am_bytes_put(&w, tr->outside, tr->n * sizeof *tr->outside);
  am_bytes_put(&w, tr->series_t, tr->series_len * sizeof *tr->series_t);
  for (size_t s = 0; s < tr->n; s++)
    am_bytes_put(&w, tr->series_u + s * p->series_capacity, tr->series_len * sizeof(double));
  am_bytes_put_u64(&w, tr->pooled);
  if (tr->pooled) {
    am_bytes_put_u64(&w, tr->n_pool);
    for (size_t s = 0; s < tr->n_pool; s++)
      am_bytes_put_u64(&w, tr->pool[s]);
    am_bytes_put(&w, tr->pool_q0, 3 * tr->n_pool * sizeof *tr->pool_q0);
    am_histogram_write(&tr->pool_u, &w);
    am_bytes_put(&w, tr->pool_peak, 4 * tr->n_pool * sizeof *tr->pool_peak);
  }
  return w.len;
}

AmStatus am_trajectory_deserialize(AmTrajectory *tr, const uint8_t *buf, size_t len, size_t *consumed,
                                   AmError *err)
{
  memset(tr, 0, sizeof *tr);
  if (consumed)
    *consumed = 0;
  AmByteReader r = {buf, len, 0, false};
  const uint64_t magic = am_bytes_get_u64(&r);
  if (magic != TRAJ_MAGIC && magic != TRAJ_MAGIC_V2)
    return am_error_set(err, AM_ERR_FORMAT, "%s:%d: byte 0: expected a trajectory-recorder record", __FILE__,
                        __LINE__);
  AmTrajectoryParams p;
  p.x_min = am_bytes_get_f64(&r);
  p.x_max = am_bytes_get_f64(&r);
  p.y_min = am_bytes_get_f64(&r);
  p.y_max = am_bytes_get_f64(&r);
  p.bin = am_bytes_get_f64(&r);
  p.series_capacity = am_bytes_get_u64(&r);
  const uint64_t n_total = am_bytes_get_u64(&r), n = am_bytes_get_u64(&r);
  if (r.short_read || n == 0 || n > (len - r.pos) / sizeof(uint64_t))
    return am_error_set(err, AM_ERR_FORMAT, "%s:%d: trajectory-recorder record cut short or inconsistent",
                        __FILE__, __LINE__);
  size_t *atoms = malloc(n * sizeof *atoms);
  if (!atoms)
    return am_error_set(err, AM_ERR_NOMEM, "%s:%d: cannot allocate %llu atom indices", __FILE__, __LINE__,
                        (unsigned long long)n);
  for (size_t s = 0; s < n; s++)
    atoms[s] = am_bytes_get_u64(&r);
  AmStatus st = am_trajectory_init(tr, n_total, atoms, n, &p, err);
  free(atoms);
  if (st)
    return am_error_prefix(err, "trajectory-recorder record: ");
  const uint64_t failed = am_bytes_get_u64(&r);
  tr->frames = am_bytes_get_u64(&r);
  tr->t_last = am_bytes_get_f64(&r);
  tr->stride = am_bytes_get_u64(&r);
  tr->series_len = am_bytes_get_u64(&r);
  tr->failed = failed != 0;
  if (r.short_read || failed > 1 || tr->stride == 0 || (tr->stride & (tr->stride - 1)) ||
      tr->series_len > p.series_capacity) {
    am_trajectory_free(tr);
    return am_error_set(err, AM_ERR_FORMAT, "%s:%d: trajectory-recorder record is cut short or inconsistent",
                        __FILE__, __LINE__);
  }
  am_bytes_get(&r, tr->q0, 3 * tr->n * sizeof *tr->q0);
  am_bytes_get(&r, tr->counts, tr->n * tr->nx * tr->ny * sizeof *tr->counts);
  am_bytes_get(&r, tr->outside, tr->n * sizeof *tr->outside);
  am_bytes_get(&r, tr->series_t, tr->series_len * sizeof *tr->series_t);
  for (size_t s = 0; s < tr->n; s++)
    am_bytes_get(&r, tr->series_u + s * p.series_capacity, tr->series_len * sizeof(double));
  const uint64_t pooled = am_bytes_get_u64(&r);
  if (!r.short_read && pooled == 1) {
    const uint64_t n_pool = am_bytes_get_u64(&r);
    if (r.short_read || n_pool > n_total || n_pool > (len - r.pos) / sizeof(uint64_t)) {
      am_trajectory_free(tr);
      return am_error_set(err, AM_ERR_FORMAT, "%s:%d: trajectory-recorder pool cut short or inconsistent",
                          __FILE__, __LINE__);
    }
    size_t *pool = malloc((n_pool ? n_pool : 1) * sizeof *pool);
    if (!pool) {
      am_trajectory_free(tr);
      return am_error_set(err, AM_ERR_NOMEM, "%s:%d: cannot allocate %llu pooled atom indices", __FILE__,
                          __LINE__, (unsigned long long)n_pool);
    }
    for (size_t s = 0; s < n_pool; s++)
      pool[s] = am_bytes_get_u64(&r);
    st = r.short_read ? AM_ERR_FORMAT : pool_atoms(tr, pool, n_pool, err);
    free(pool);
    if (!st) {
      am_bytes_get(&r, tr->pool_q0, 3 * n_pool * sizeof *tr->pool_q0);
      st = r.short_read ? AM_ERR_FORMAT : am_histogram_read(&tr->pool_u, &r, err);
      if (!st && magic == TRAJ_MAGIC) {
        am_bytes_get(&r, tr->pool_peak, 4 * n_pool * sizeof *tr->pool_peak);
        st = r.short_read ? AM_ERR_FORMAT : AM_OK;
      }
    }
    if (st) {
      am_trajectory_free(tr);
      return am_error_set(err, AM_ERR_FORMAT, "%s:%d: trajectory-recorder pool cut short or inconsistent",
                          __FILE__, __LINE__);
    }
  } else if (pooled > 1) {
    r.short_read = true;
  }
  if (r.short_read) {
    am_trajectory_free(tr);
    return am_error_set(err, AM_ERR_FORMAT, "%s:%d: trajectory-recorder record cut short", __FILE__, __LINE__);
  }
  if (consumed)
    *consumed = r.pos;
  return AM_OK;
}
