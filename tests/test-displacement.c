/* test-displacement.c: the streaming displacement tracker on synthetic trajectories with
 * known answers (SCIENCE.md, "Displacements and atom classes"), plus a brute-force
 * reference that stores the whole trajectory and applies the definitions directly. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "analysis/displacement.h"

/* Window: t_p = 10 ps, sampled every 1 ps (S = 10), 4 analysed cycles from t_s = 60 ps. */
enum { S = 10, NC = 4, KMAX = S * NC };
#define TP 10.0
#define TS 60.0
#define STRAIN 0.05

static AmDisplacementParams params(void)
{
  AmDisplacementParams p;
  am_displacement_params_default(&p);
  p.period = TP;
  p.sample_interval = TP / S;
  p.window_start = TS;
  p.n_cycles = NC;
  return p;
}

static double strain_at(double t)
{
  return STRAIN * sin(2.0 * M_PI * t / TP);
}

/* ---- hand-made atoms ---------------------------------------------------------------- */

enum {
  VIBRATOR,       /* small oscillation: VA, no events */
  HOPPER,         /* 1.5 Å out and back inside every cycle: RA, one event per cycle */
  LATE_RETURN,    /* out in cycle 0, back only in cycle 1: RA, no event */
  ESCAPE,         /* leaves by 3 Å in cycle 1 and stays: FA */
  BIG_HOP,        /* 2.5 Å out and back in cycle 1: FA, no event */
  AFFINE_ONLY,    /* moves only with the shear: u′ = 0 */
  BACK_AT_END,    /* 1.2 Å on samples 5–9, back exactly at the boundary sample 10: one event */
  OUT_AT_END,     /* 1.2 Å on samples 5–10, back at 11: no event in cycle 0 or 1 */
  EXACT_REACH,    /* exactly 1.0 Å out and back each cycle: reach is inclusive, events */
  EXACT_LIMIT,    /* exactly 2.0 Å out and back each cycle: limit is exclusive, FA, no event */
  N_HAND
};

/* Non-affine displacement of atom a at window sample k (k < 0 before the window). */
static void hand_path(int a, long k, double d[3])
{
  d[0] = d[1] = d[2] = 0.0;
  const long c = k >= 0 ? k / S : -1, in = k >= 0 ? k % S : -1;
  switch (a) {
  case VIBRATOR:
    d[0] = 0.3 * sin(1.1 * k);
    d[1] = 0.3 * cos(0.7 * k);
    d[2] = 0.2 * sin(0.3 * k);
    break;
  case HOPPER:
    if (in >= 3 && in <= 6)
      d[0] = 1.5;
    break;
  case LATE_RETURN:
    if (k >= 7 && k <= 13)
      d[0] = 1.5;
    break;
  case ESCAPE:
    if (k >= 15)
      d[1] = 3.0;
    break;
  case BIG_HOP:
    if (c == 1 && in >= 3 && in <= 6)
      d[2] = 2.5;
    break;
  case BACK_AT_END:
    if (k >= 5 && k <= 9)
      d[0] = 1.2;
    break;
  case OUT_AT_END:
    if (k >= 5 && k <= 10)
      d[0] = 1.2;
    break;
  case EXACT_REACH:
    if (in >= 2 && in <= 4)
      d[0] = 1.0;
    break;
  case EXACT_LIMIT:
    if (in >= 2 && in <= 4)
      d[0] = 2.0;
    break;
  default:
    break;
  }
}

/* Base positions; the EXACT_* atoms sit at y = 0, where the affine displacement is exactly
 * zero, so their displacements are exact binary numbers. */
static void base_position(int a, double b[3])
{
  b[0] = 1.0 + 2.0 * a;
  b[1] = (a == EXACT_REACH || a == EXACT_LIMIT) ? 0.0 : 3.0 + 1.7 * a;
  b[2] = 0.5 * a;
}

/* Frame at time t for n atoms with non-affine paths given by path(): r = base + d + A with
 * A_x = γ(t)·y (pure shear from a zero-strain reference at t = 0). */
typedef void (*PathFn)(int a, long k, double d[3], gpointer data);

static void make_frame(int n, double t, PathFn path, gpointer data, double *r, double *aff)
{
  const long k = lround(t - TS);
  for (int a = 0; a < n; a++) {
    double b[3], d[3];
    base_position(a % N_HAND, b);
    path(a, k, d, data);
    const double g = strain_at(t);
    const double A[3] = {g * (b[1] + d[1]), 0.0, 0.0};
    for (int x = 0; x < 3; x++) {
      aff[3 * a + x] = A[x];
      r[3 * a + x] = b[x] + d[x] + A[x];
    }
  }
}

static void hand_path_fn(int a, long k, double d[3], gpointer data)
{
  (void)data;
  hand_path(a, k, d);
}

/* Feeds samples from t = 0 to beyond the window end (those outside are ignored). */
static void run(AmDisplacementTracker *tr, int n, PathFn path, gpointer data, double t_from, double t_to)
{
  double *r = g_new(double, 3 * n), *aff = g_new(double, 3 * n);
  for (double t = t_from; t <= t_to + 1e-9; t += 1.0) {
    AmError err = {0};
    make_frame(n, t, path, data, r, aff);
    g_assert_cmpint(am_displacement_tracker_add(tr, t, r, aff, &err), ==, AM_OK);
  }
  g_free(r);
  g_free(aff);
}

static void test_hand_cases(void)
{
  AmDisplacementParams p = params();
  AmDisplacementTracker tr;
  AmError err = {0};
  g_assert_cmpint(am_displacement_tracker_init(&tr, N_HAND, &p, &err), ==, AM_OK);
  run(&tr, N_HAND, hand_path_fn, NULL, 0.0, TS - 1.0);
  g_assert_cmpint(tr.next_sample, ==, 0); /* everything before t_s ignored */
  run(&tr, N_HAND, hand_path_fn, NULL, TS, TS + 25.0);
  g_assert_false(am_displacement_tracker_complete(&tr));
  g_assert_cmpint(am_displacement_tracker_cycles_done(&tr), ==, 2);
  run(&tr, N_HAND, hand_path_fn, NULL, TS + 26.0, TS + KMAX + 20.0);
  g_assert_true(am_displacement_tracker_complete(&tr));
  g_assert_cmpint(am_displacement_tracker_cycles_done(&tr), ==, NC);

  const struct {
    int atom;
    AmAtomClass cls;
    guint32 events;
    double umax;
  } want[] = {
      {VIBRATOR, AM_CLASS_VA, 0, -1},     {HOPPER, AM_CLASS_RA, NC, 1.5},   {LATE_RETURN, AM_CLASS_RA, 0, 1.5},
      {ESCAPE, AM_CLASS_FA, 0, 3.0},      {BIG_HOP, AM_CLASS_FA, 0, 2.5},   {AFFINE_ONLY, AM_CLASS_VA, 0, 0.0},
      {BACK_AT_END, AM_CLASS_RA, 1, 1.2}, {OUT_AT_END, AM_CLASS_RA, 0, 1.2}, {EXACT_REACH, AM_CLASS_RA, NC, 1.0},
      {EXACT_LIMIT, AM_CLASS_FA, 0, 2.0},
  };
  for (size_t w = 0; w < G_N_ELEMENTS(want); w++) {
    const int a = want[w].atom;
    g_test_message("atom %d: class %d events %u u'max %.17g", a, am_displacement_class(&tr, a),
                   tr.counts.events[a], tr.uprime_max[a]);
    g_assert_cmpint(am_displacement_class(&tr, a), ==, want[w].cls);
    g_assert_cmpuint(tr.counts.events[a], ==, want[w].events);
    if (want[w].umax >= 0)
      g_assert_cmpfloat_with_epsilon(tr.uprime_max[a], want[w].umax, 1e-12);
  }
  g_assert_cmpfloat(tr.uprime_max[VIBRATOR], <, 0.8); /* measured from its position at t_s */
  /* Exact thresholds: the EXACT_* atoms have exact displacements. */
  g_assert_cmpfloat(tr.uprime_max[EXACT_REACH], ==, 1.0);
  g_assert_cmpfloat(tr.uprime_max[EXACT_LIMIT], ==, 2.0);
  /* Pure shear is subtracted exactly: the affine-only atom never leaves bin 0. */
  g_assert_cmpfloat(tr.uprime_max[AFFINE_ONLY], <, 1e-12);

  /* Jumps over one period: LATE_RETURN has u = 1.5 for t0 = cycle 0 and 1, ESCAPE u = 3
   * for cycle 1; OUT_AT_END has u = 1.2 (below u_c) twice. */
  g_assert_cmpuint(tr.counts.jumps, ==, (guint64)N_HAND * NC);
  g_assert_cmpuint(tr.counts.jumps_above, ==, 3);
  g_assert_cmpuint(tr.counts.cycles, ==, NC);
  g_assert_cmpuint(tr.counts.runs, ==, 1);
  g_assert_cmpuint(am_histogram_total(&tr.counts.p_uprime), ==, (guint64)N_HAND * KMAX);
  g_assert_cmpuint(am_histogram_total(&tr.counts.p_u), ==, (guint64)N_HAND * NC);
  /* p(u): the 3 Å jump lands in bin 300, the two 1.5 Å ones in bin 150. */
  g_assert_cmpuint(tr.counts.p_u.counts[300], ==, 1);
  g_assert_cmpuint(tr.counts.p_u.counts[149] + tr.counts.p_u.counts[150], ==, 2);
  double f;
  g_assert_cmpint(am_histogram_fraction_above(&tr.counts.p_u, 1.4, &f, &err), ==, AM_OK);
  g_assert_cmpfloat_with_epsilon(f, 3.0 / (N_HAND * NC), 1e-15);

  /* Summary with species: even atoms type 0, odd atoms type 1. */
  int32_t type[N_HAND];
  for (int a = 0; a < N_HAND; a++)
    type[a] = a % 2;
  AmDisplacementSummary s;
  g_assert_cmpint(am_displacement_summary(&tr, type, 2, &s, &err), ==, AM_OK);
  g_assert_cmpuint(s.va.total, ==, 2);
  g_assert_cmpuint(s.ra.total, ==, 5);
  g_assert_cmpuint(s.fa.total, ==, 3);
  g_assert_cmpfloat_with_epsilon(s.f_ra, 0.5, 1e-15);
  g_assert_cmpfloat_with_epsilon(s.f_va + s.f_ra + s.f_fa, 1.0, 1e-15);
  /* RA: HOPPER(1) LATE_RETURN(2) BACK_AT_END(6) OUT_AT_END(7) EXACT_REACH(8). */
  g_assert_cmpuint(s.ra.by_type[0], ==, 3);
  g_assert_cmpuint(s.ra.by_type[1], ==, 2);
  g_assert_cmpuint(s.atoms.by_type[0], ==, 5);
  /* Selected in this run: events in > 2 of 4 cycles: HOPPER and EXACT_REACH, both type 0
   * and 1 resp. */
  g_assert_cmpuint(s.selected.total, ==, 2);
  g_assert_cmpuint(s.selected.by_type[1], ==, 1);
  g_assert_cmpuint(s.selected.by_type[0], ==, 1);
  g_assert_cmpuint(s.jumps_above, ==, 3);
  g_assert_cmpfloat_with_epsilon(s.f_jump, 3.0 / (N_HAND * NC), 1e-15);
  uint8_t cls[N_HAND];
  am_displacement_classes(&tr, cls);
  g_assert_cmpint(cls[ESCAPE], ==, AM_CLASS_FA);
  g_assert_cmpint(cls[VIBRATOR], ==, AM_CLASS_VA);
  /* Bad type arrays are refused. */
  type[3] = 2;
  g_assert_cmpint(am_displacement_summary(&tr, type, 2, &s, &err), ==, AM_ERR_INVALID);
  g_assert_cmpint(am_displacement_summary(&tr, NULL, 0, &s, &err), ==, AM_OK);
  am_displacement_tracker_free(&tr);
}

/* Without subtracting the affine part, the shear alone (γ_A·y up to 1 Å here) would make
 * the affine-only atom look like it moved: the subtraction is what keeps it VA. */
static void test_affine_matters(void)
{
  AmDisplacementParams p = params();
  AmDisplacementTracker tr;
  AmError err = {0};
  g_assert_cmpint(am_displacement_tracker_init(&tr, N_HAND, &p, &err), ==, AM_OK);
  double r[3 * N_HAND], aff[3 * N_HAND];
  for (long k = 0; k <= KMAX; k++) {
    make_frame(N_HAND, TS + k, hand_path_fn, NULL, r, aff);
    g_assert_cmpint(am_displacement_tracker_add(&tr, TS + k, r, NULL, &err), ==, AM_OK);
  }
  /* y = 3 + 1.7·5 = 11.5 Å, strain 0.05: the affine swing is 0.575 Å about the start. */
  g_assert_cmpfloat(tr.uprime_max[AFFINE_ONLY], >, 0.5);
  am_displacement_tracker_free(&tr);
}

/* ---- brute-force reference on random hopping trajectories -------------------------- */

typedef struct {
  int n;
  double *d; /* (KMAX + 1) × 3n non-affine displacements */
} RandomPaths;

static void random_path_fn(int a, long k, double d[3], gpointer data)
{
  const RandomPaths *rp = data;
  if (k < 0 || k > KMAX) {
    d[0] = d[1] = d[2] = 0.0;
    return;
  }
  memcpy(d, rp->d + (size_t)k * 3 * rp->n + 3 * a, 3 * sizeof(double));
}

static RandomPaths make_random_paths(int n, guint32 seed)
{
  RandomPaths rp = {n, g_new0(double, (size_t)(KMAX + 1) * 3 * n)};
  GRand *rng = g_rand_new_with_seed(seed);
  /* Each atom hops between its home site and one or two neighbour sites at random
   * distances 0.5–3 Å, with 0.15 Å of thermal noise; hop rates vary per atom. */
  for (int a = 0; a < n; a++) {
    double site[3][3] = {{0}};
    for (int s = 1; s < 3; s++) {
      const double len = g_rand_double_range(rng, 0.5, 3.0);
      const double th = acos(g_rand_double_range(rng, -1, 1)), ph = g_rand_double_range(rng, 0, 2 * M_PI);
      site[s][0] = len * sin(th) * cos(ph);
      site[s][1] = len * sin(th) * sin(ph);
      site[s][2] = len * cos(th);
    }
    const double rate = g_rand_double_range(rng, 0.0, 0.4);
    int cur = 0;
    for (long k = 0; k <= KMAX; k++) {
      if (k > 0 && g_rand_double(rng) < rate)
        cur = g_rand_int_range(rng, 0, 3);
      for (int x = 0; x < 3; x++)
        rp.d[(size_t)k * 3 * n + 3 * a + x] = site[cur][x] + g_rand_double_range(rng, -0.15, 0.15);
    }
  }
  g_rand_free(rng);
  return rp;
}

static double dist(const double *a, const double *b)
{
  const double d0 = a[0] - b[0], d1 = a[1] - b[1], d2 = a[2] - b[2];
  return sqrt(d0 * d0 + d1 * d1 + d2 * d2);
}

static void test_vs_brute_force(void)
{
  const int n = 300;
  RandomPaths rp = make_random_paths(n, 99);
  AmDisplacementParams p = params();
  AmDisplacementTracker tr;
  AmError err = {0};
  g_assert_cmpint(am_displacement_tracker_init(&tr, n, &p, &err), ==, AM_OK);
  run(&tr, n, random_path_fn, &rp, 50.0, TS + KMAX + 3.0);
  g_assert_true(am_displacement_tracker_complete(&tr));

  /* Store the whole trajectory and apply SCIENCE.md's definitions literally. */
  double *R = g_new(double, (size_t)(KMAX + 1) * 3 * n), *Q = g_new(double, (size_t)(KMAX + 1) * 3 * n);
  for (long k = 0; k <= KMAX; k++) {
    double *aff = g_new(double, 3 * n);
    make_frame(n, TS + k, random_path_fn, &rp, R + (size_t)k * 3 * n, aff);
    for (int j = 0; j < 3 * n; j++)
      Q[(size_t)k * 3 * n + j] = R[(size_t)k * 3 * n + j] - aff[j];
    g_free(aff);
  }
  guint64 *hist = g_new0(guint64, 1000), *histu = g_new0(guint64, 1000), above = 0, total_events = 0;
  int n_ra = 0, n_va = 0, n_fa = 0;
  for (int a = 0; a < n; a++) {
    double umax = 0.0;
    guint32 ev = 0;
    for (long k = 0; k <= KMAX; k++) {
      const double u = dist(Q + (size_t)k * 3 * n + 3 * a, Q + 3 * a);
      umax = fmax(umax, u);
      if (k > 0 && u < 10.0)
        hist[(int)floor(u / 0.01)]++;
    }
    for (int c = 0; c < NC; c++) {
      const double *q0 = Q + (size_t)c * S * 3 * n + 3 * a;
      double m = 0.0, end = 0.0;
      for (long k = c * S + 1; k <= (c + 1) * S; k++) {
        end = dist(Q + (size_t)k * 3 * n + 3 * a, q0);
        m = fmax(m, end);
      }
      ev += m >= 1.0 && m < 2.0 && end < 1.0;
      const double u = dist(R + (size_t)(c + 1) * S * 3 * n + 3 * a, R + (size_t)c * S * 3 * n + 3 * a);
      above += u > 1.4;
      if (u < 10.0)
        histu[(int)floor(u / 0.01)]++;
    }
    g_assert_cmpfloat(tr.uprime_max[a], ==, umax);
    g_assert_cmpuint(tr.counts.events[a], ==, ev);
    total_events += ev;
    n_va += umax < 1.0;
    n_ra += umax >= 1.0 && umax < 2.0;
    n_fa += umax >= 2.0;
  }
  g_test_message("brute force: %d VA, %d RA, %d FA, %" G_GUINT64_FORMAT " events, %" G_GUINT64_FORMAT
                 " jumps above u_c",
                 n_va, n_ra, n_fa, total_events, above);
  /* The random paths exercise every outcome. */
  g_assert_cmpint(n_va, >, 10);
  g_assert_cmpint(n_ra, >, 10);
  g_assert_cmpint(n_fa, >, 10);
  g_assert_cmpuint(total_events, >, 20);
  g_assert_cmpuint(above, >, 20);
  g_assert_cmpmem(tr.counts.p_uprime.counts, 1000 * sizeof(guint64), hist, 1000 * sizeof(guint64));
  g_assert_cmpmem(tr.counts.p_u.counts, 1000 * sizeof(guint64), histu, 1000 * sizeof(guint64));
  g_assert_cmpuint(tr.counts.jumps_above, ==, above);
  AmDisplacementSummary s;
  g_assert_cmpint(am_displacement_summary(&tr, NULL, 0, &s, &err), ==, AM_OK);
  g_assert_cmpuint(s.va.total, ==, (guint64)n_va);
  g_assert_cmpuint(s.ra.total, ==, (guint64)n_ra);
  g_assert_cmpuint(s.fa.total, ==, (guint64)n_fa);
  g_free(hist);
  g_free(histu);
  g_free(R);
  g_free(Q);
  g_free(rp.d);
  am_displacement_tracker_free(&tr);
}

/* ---- merging replicas ---------------------------------------------------------------- */

/* Replica B: HOPPER hops only in cycle 2, EXACT_REACH never. */
static void replica_b_path(int a, long k, double d[3], gpointer data)
{
  (void)data;
  if (a == HOPPER) {
    d[0] = d[1] = d[2] = 0.0;
    if (k / S == 2 && k % S >= 3 && k % S <= 6)
      d[0] = 1.5;
    return;
  }
  if (a == EXACT_REACH) {
    d[0] = d[1] = d[2] = 0.0;
    return;
  }
  hand_path(a, k, d);
}

static void test_merge_replicas(void)
{
  AmDisplacementParams p = params();
  AmDisplacementTracker ta, tb;
  AmError err = {0};
  g_assert_cmpint(am_displacement_tracker_init(&ta, N_HAND, &p, &err), ==, AM_OK);
  g_assert_cmpint(am_displacement_tracker_init(&tb, N_HAND, &p, &err), ==, AM_OK);
  AmDisplacementCounts ens;
  g_assert_cmpint(am_displacement_counts_init(&ens, N_HAND, &p, &err), ==, AM_OK);
  /* An unfinished run is refused. */
  run(&ta, N_HAND, hand_path_fn, NULL, TS, TS + 15.0);
  g_assert_cmpint(am_displacement_counts_add_run(&ens, &ta, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "1 of 4 cycles"));
  run(&ta, N_HAND, hand_path_fn, NULL, TS + 16.0, TS + KMAX);
  run(&tb, N_HAND, replica_b_path, NULL, TS, TS + KMAX);
  g_assert_cmpint(am_displacement_counts_add_run(&ens, &ta, &err), ==, AM_OK);
  g_assert_cmpint(am_displacement_counts_add_run(&ens, &tb, &err), ==, AM_OK);
  g_assert_cmpuint(ens.runs, ==, 2);
  g_assert_cmpuint(ens.cycles, ==, 2 * NC);
  g_assert_cmpuint(ens.events[HOPPER], ==, NC + 1);
  g_assert_cmpuint(ens.events[EXACT_REACH], ==, NC);
  g_assert_cmpuint(ens.events[BACK_AT_END], ==, 2);
  g_assert_cmpuint(am_histogram_total(&ens.p_uprime), ==, 2 * (guint64)N_HAND * KMAX);
  g_assert_cmpuint(ens.jumps_above, ==, 6);
  /* Selected: events in more than half of the 8 cycles: HOPPER (5) yes, EXACT_REACH (4)
   * no: the comparison is strict. */
  uint8_t sel[N_HAND];
  AmTypedCount nsel;
  g_assert_cmpint(am_displacement_counts_selected(&ens, NULL, 0, sel, &nsel, &err), ==, AM_OK);
  g_assert_cmpuint(nsel.total, ==, 1);
  g_assert_cmpuint(sel[HOPPER], ==, 1);
  g_assert_cmpuint(sel[EXACT_REACH], ==, 0);

  /* Order does not matter for integer counts, and merging counts objects equals adding
   * runs. */
  AmDisplacementCounts ens2, part;
  g_assert_cmpint(am_displacement_counts_init(&ens2, N_HAND, &p, &err), ==, AM_OK);
  g_assert_cmpint(am_displacement_counts_init(&part, N_HAND, &p, &err), ==, AM_OK);
  g_assert_cmpint(am_displacement_counts_add_run(&part, &tb, &err), ==, AM_OK);
  g_assert_cmpint(am_displacement_counts_merge(&ens2, &part, &err), ==, AM_OK);
  g_assert_cmpint(am_displacement_counts_merge(&ens2, &ta.counts, &err), ==, AM_OK);
  g_assert_cmpmem(ens2.events, N_HAND * 4, ens.events, N_HAND * 4);
  const size_t sz = am_displacement_counts_serialize(&ens, NULL, 0);
  g_assert_cmpuint(am_displacement_counts_serialize(&ens2, NULL, 0), ==, sz);
  guint8 *b1 = g_malloc(sz), *b2 = g_malloc(sz);
  am_displacement_counts_serialize(&ens, b1, sz);
  am_displacement_counts_serialize(&ens2, b2, sz);
  g_assert_cmpmem(b1, sz, b2, sz);
  /* Counts round-trip through a checkpoint. */
  AmDisplacementCounts back;
  size_t used;
  g_assert_cmpint(am_displacement_counts_deserialize(&back, b1, sz, &used, &err), ==, AM_OK);
  g_assert_cmpuint(used, ==, sz);
  g_assert_cmpmem(back.events, N_HAND * 4, ens.events, N_HAND * 4);
  g_assert_cmpuint(back.cycles, ==, ens.cycles);
  am_displacement_counts_free(&back);
  g_assert_cmpint(am_displacement_counts_deserialize(&back, b1, sz - 9, &used, &err), ==, AM_ERR_FORMAT);
  g_free(b1);
  g_free(b2);

  /* Mismatches are refused. */
  AmDisplacementCounts other;
  g_assert_cmpint(am_displacement_counts_init(&other, N_HAND + 1, &p, &err), ==, AM_OK);
  g_assert_cmpint(am_displacement_counts_merge(&ens, &other, &err), ==, AM_ERR_INVALID);
  am_displacement_counts_free(&other);
  AmDisplacementParams p2 = p;
  p2.event_limit = 2.5;
  g_assert_cmpint(am_displacement_counts_init(&other, N_HAND, &p2, &err), ==, AM_OK);
  g_assert_cmpint(am_displacement_counts_merge(&ens, &other, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "thresholds"));
  am_displacement_counts_free(&other);
  AmDisplacementCounts empty;
  g_assert_cmpint(am_displacement_counts_init(&empty, N_HAND, &p, &err), ==, AM_OK);
  g_assert_cmpint(am_displacement_counts_selected(&empty, NULL, 0, sel, &nsel, &err), ==, AM_ERR_INVALID);
  am_displacement_counts_free(&empty);

  am_displacement_counts_free(&part);
  am_displacement_counts_free(&ens2);
  am_displacement_counts_free(&ens);
  am_displacement_tracker_free(&ta);
  am_displacement_tracker_free(&tb);
}

/* A tracker checkpointed mid-cycle and restored continues bit for bit. */
static void test_checkpoint_resume(void)
{
  const int n = 120;
  RandomPaths rp = make_random_paths(n, 7);
  AmDisplacementParams p = params();
  AmDisplacementTracker ref, first, resumed;
  AmError err = {0};
  g_assert_cmpint(am_displacement_tracker_init(&ref, n, &p, &err), ==, AM_OK);
  g_assert_cmpint(am_displacement_tracker_init(&first, n, &p, &err), ==, AM_OK);
  run(&ref, n, random_path_fn, &rp, TS, TS + KMAX);
  run(&first, n, random_path_fn, &rp, TS, TS + 17.0);
  const size_t sz = am_displacement_tracker_serialize(&first, NULL, 0);
  guint8 *buf = g_malloc(sz);
  g_assert_cmpuint(am_displacement_tracker_serialize(&first, buf, sz), ==, sz);
  am_displacement_tracker_free(&first);
  size_t used = 0;
  g_assert_cmpint(am_displacement_tracker_deserialize(&resumed, buf, sz, &used, &err), ==, AM_OK);
  g_assert_cmpuint(used, ==, sz);
  g_assert_cmpint(resumed.next_sample, ==, 18);
  run(&resumed, n, random_path_fn, &rp, TS + 18.0, TS + KMAX);
  const size_t s1 = am_displacement_tracker_serialize(&ref, NULL, 0);
  g_assert_cmpuint(am_displacement_tracker_serialize(&resumed, NULL, 0), ==, s1);
  guint8 *b1 = g_malloc(s1), *b2 = g_malloc(s1);
  am_displacement_tracker_serialize(&ref, b1, s1);
  am_displacement_tracker_serialize(&resumed, b2, s1);
  g_assert_cmpmem(b1, s1, b2, s1);
  /* Truncated or corrupted records fail with a message, never crash. */
  for (size_t len = 0; len < sz; len += sz / 23 + 1) {
    AmDisplacementTracker bad;
    g_assert_cmpint(am_displacement_tracker_deserialize(&bad, buf, len, &used, &err), ==, AM_ERR_FORMAT);
    g_assert_null(bad.q_start);
  }
  buf[1] ^= 0x40;
  AmDisplacementTracker bad;
  g_assert_cmpint(am_displacement_tracker_deserialize(&bad, buf, sz, &used, &err), ==, AM_ERR_FORMAT);
  g_free(buf);
  g_free(b1);
  g_free(b2);
  g_free(rp.d);
  am_displacement_tracker_free(&ref);
  am_displacement_tracker_free(&resumed);
}

/* ---- bad input ------------------------------------------------------------------------- */

static void test_bad_params(void)
{
  AmDisplacementTracker tr;
  AmError err = {0};
  AmDisplacementParams p = params();
  p.sample_interval = 3.0; /* 10 ps is not a whole number of 3 ps samples */
  g_assert_cmpint(am_displacement_tracker_init(&tr, 5, &p, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "whole number"));
  p = params();
  p.sample_interval = TP; /* one sample per cycle cannot see an excursion */
  g_assert_cmpint(am_displacement_tracker_init(&tr, 5, &p, &err), ==, AM_ERR_INVALID);
  p = params();
  p.n_cycles = 0;
  g_assert_cmpint(am_displacement_tracker_init(&tr, 5, &p, &err), ==, AM_ERR_INVALID);
  p = params();
  p.fa_min = 0.9;
  g_assert_cmpint(am_displacement_tracker_init(&tr, 5, &p, &err), ==, AM_ERR_INVALID);
  p = params();
  p.event_limit = NAN;
  g_assert_cmpint(am_displacement_tracker_init(&tr, 5, &p, &err), ==, AM_ERR_INVALID);
  p = params();
  p.selected_fraction = 1.0;
  g_assert_cmpint(am_displacement_tracker_init(&tr, 5, &p, &err), ==, AM_ERR_INVALID);
  p = params();
  p.hist_bin = 0.03;
  g_assert_cmpint(am_displacement_tracker_init(&tr, 5, &p, &err), ==, AM_ERR_INVALID);
  p = params();
  g_assert_cmpint(am_displacement_tracker_init(&tr, 0, &p, &err), ==, AM_ERR_INVALID);
  g_assert_null(tr.q_start);
}

static void test_bad_samples(void)
{
  AmDisplacementParams p = params();
  AmDisplacementTracker tr;
  AmError err = {0};
  double r[3 * N_HAND], aff[3 * N_HAND];
  AmDisplacementSummary s;

  /* A gap inside the window. */
  g_assert_cmpint(am_displacement_tracker_init(&tr, N_HAND, &p, &err), ==, AM_OK);
  run(&tr, N_HAND, hand_path_fn, NULL, TS, TS + 12.0);
  make_frame(N_HAND, TS + 14.0, hand_path_fn, NULL, r, aff);
  g_assert_cmpint(am_displacement_tracker_add(&tr, TS + 14.0, r, aff, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "expected sample 13"));
  g_assert_true(tr.failed);
  /* Once failed, always failed: no numbers from this run. */
  make_frame(N_HAND, TS + 13.0, hand_path_fn, NULL, r, aff);
  g_assert_cmpint(am_displacement_tracker_add(&tr, TS + 13.0, r, aff, &err), ==, AM_ERR_INVALID);
  g_assert_cmpint(am_displacement_summary(&tr, NULL, 0, &s, &err), ==, AM_ERR_INVALID);
  AmDisplacementCounts ens;
  g_assert_cmpint(am_displacement_counts_init(&ens, N_HAND, &p, &err), ==, AM_OK);
  g_assert_cmpint(am_displacement_counts_add_run(&ens, &tr, &err), ==, AM_ERR_INVALID);
  am_displacement_counts_free(&ens);
  am_displacement_tracker_free(&tr);

  /* The window start missed. */
  g_assert_cmpint(am_displacement_tracker_init(&tr, N_HAND, &p, &err), ==, AM_OK);
  make_frame(N_HAND, TS + 1.0, hand_path_fn, NULL, r, aff);
  g_assert_cmpint(am_displacement_tracker_add(&tr, TS + 1.0, r, aff, &err), ==, AM_ERR_INVALID);
  am_displacement_tracker_free(&tr);

  /* A small time jitter (1e-6 ps, accumulated rounding) is accepted. */
  g_assert_cmpint(am_displacement_tracker_init(&tr, N_HAND, &p, &err), ==, AM_OK);
  make_frame(N_HAND, TS, hand_path_fn, NULL, r, aff);
  g_assert_cmpint(am_displacement_tracker_add(&tr, TS + 1e-6, r, aff, &err), ==, AM_OK);
  /* No summary before a cycle is complete. */
  g_assert_cmpint(am_displacement_summary(&tr, NULL, 0, &s, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "at least one completed cycle"));
  /* NaN in a position or an affine displacement. */
  make_frame(N_HAND, TS + 1.0, hand_path_fn, NULL, r, aff);
  aff[3 * 4 + 1] = NAN;
  g_assert_cmpint(am_displacement_tracker_add(&tr, TS + 1.0, r, aff, &err), ==, AM_ERR_NUMERIC);
  g_assert_nonnull(strstr(err.message, "atom 4"));
  g_assert_cmpint(tr.next_sample, ==, 1);
  g_assert_true(tr.failed);
  am_displacement_tracker_free(&tr);
  g_assert_cmpint(am_displacement_tracker_init(&tr, N_HAND, &p, &err), ==, AM_OK);
  make_frame(N_HAND, TS, hand_path_fn, NULL, r, aff);
  r[0] = INFINITY;
  g_assert_cmpint(am_displacement_tracker_add(&tr, TS, r, aff, &err), ==, AM_ERR_NUMERIC);
  g_assert_cmpint(am_displacement_tracker_add(&tr, NAN, r, aff, &err), ==, AM_ERR_INVALID);
  am_displacement_tracker_free(&tr);
  AmDisplacementTracker zero;
  memset(&zero, 0, sizeof zero);
  g_assert_cmpint(am_displacement_tracker_add(&zero, TS, r, aff, &err), ==, AM_ERR_INVALID);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/analysis/displacement/hand-made-atoms", test_hand_cases);
  g_test_add_func("/analysis/displacement/affine-subtraction-matters", test_affine_matters);
  g_test_add_func("/analysis/displacement/vs-brute-force", test_vs_brute_force);
  g_test_add_func("/analysis/displacement/merge-replicas", test_merge_replicas);
  g_test_add_func("/analysis/displacement/checkpoint-resume", test_checkpoint_resume);
  g_test_add_func("/analysis/displacement/bad-params", test_bad_params);
  g_test_add_func("/analysis/displacement/bad-samples", test_bad_samples);
  return g_test_run();
}
