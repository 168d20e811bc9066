/* test-sliding-classes.c: the sliding-window classifier of free play on synthetic
 * trajectories with known answers (vibration, hop and return, escape, affine motion, class
 * boundaries, the window's edges), against a brute-force reference that keeps the whole
 * trajectory, and its refusals of bad input. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "analysis/sliding_classes.h"

/* t_p = 5 ps sampled every 1 ps, a window of two periods: W = 10 intervals. */
enum { W = 10, KMAX = 45 };
#define DT 1.0

static AmDisplacementParams params(void)
{
  AmDisplacementParams p;
  am_displacement_params_default(&p);
  p.period = 5.0;
  p.sample_interval = DT;
  p.n_cycles = 2;
  return p;
}

enum {
  VIBRATOR,    /* 0.3 Å vibration: always VA */
  HOP_RETURN,  /* 1.5 Å away on samples 20–23, back from 24: RA while the window sees it */
  ESCAPE,      /* 3 Å away from sample 15 on, for good: FA, then VA at its new site */
  BIG_HOP,     /* 2.5 Å away on samples 5–6: FA while seen */
  AFFINE_ONLY, /* carried 6 Å by the shear, no non-affine motion: VA */
  EXACT_ONE,   /* exactly 1 Å away on sample 30: RA (the VA limit is exclusive) */
  EXACT_TWO,   /* exactly 2 Å away on sample 30: FA (the FA limit is inclusive) */
  N_ATOMS
};

/* Non-affine displacement of atom a at sample k. */
static void path(int a, long k, double d[3])
{
  d[0] = d[1] = d[2] = 0.0;
  switch (a) {
  case VIBRATOR:
    d[0] = 0.3 * sin(1.3 * (double)k);
    d[1] = 0.2 * cos(0.9 * (double)k);
    break;
  case HOP_RETURN:
    if (k >= 20 && k <= 23)
      d[1] = 1.5;
    break;
  case ESCAPE:
    if (k >= 15)
      d[2] = 3.0;
    break;
  case BIG_HOP:
    if (k == 5 || k == 6)
      d[0] = -2.5;
    break;
  case EXACT_ONE:
    if (k == 30)
      d[0] = 1.0;
    break;
  case EXACT_TWO:
    if (k == 30)
      d[0] = 2.0;
    break;
  default:
    break;
  }
}

/* The shear's affine displacement of atom a at sample k (only AFFINE_ONLY and the
 * vibrator are carried, so that u′ must subtract it). */
static void affine_of(int a, long k, double A[3])
{
  A[0] = A[1] = A[2] = 0.0;
  if (a == AFFINE_ONLY || a == VIBRATOR)
    A[0] = 6.0 * sin(2.0 * M_PI * (double)k / 5.0) + 0.05 * (double)k;
}

static void frame(long k, double *x, double *A)
{
  for (int a = 0; a < N_ATOMS; a++) {
    double d[3], aff[3];
    path(a, k, d);
    affine_of(a, k, aff);
    for (int c = 0; c < 3; c++) {
      x[3 * a + c] = 10.0 * a + c + d[c] + aff[c];
      A[3 * a + c] = aff[c];
    }
  }
}

/* The class the definitions give atom a when the newest sample is K. */
static AmAtomClass expected(int a, long K)
{
  switch (a) {
  case HOP_RETURN:
    return K >= 20 && K <= 23 + W ? AM_CLASS_RA : AM_CLASS_VA;
  case ESCAPE:
    return K >= 15 && K < 15 + W ? AM_CLASS_FA : AM_CLASS_VA;
  case BIG_HOP:
    return K >= 5 && K <= 6 + W ? AM_CLASS_FA : AM_CLASS_VA;
  case EXACT_ONE:
    return K >= 30 && K <= 30 + W ? AM_CLASS_RA : AM_CLASS_VA;
  case EXACT_TWO:
    return K >= 30 && K <= 30 + W ? AM_CLASS_FA : AM_CLASS_VA;
  default:
    return AM_CLASS_VA;
  }
}

static void test_known_answers(void)
{
  AmDisplacementParams p = params();
  AmSlidingClasses sc = {0};
  AmError err = {0};
  g_assert_cmpint(am_sliding_classes_init(&sc, N_ATOMS, &p, &err), ==, AM_OK);
  g_assert_cmpint(sc.window, ==, W);
  double x[3 * N_ATOMS], A[3 * N_ATOMS];
  uint8_t cls[N_ATOMS];
  double f[3];
  for (long k = 0; k <= KMAX; k++) {
    frame(k, x, A);
    g_assert_cmpint(am_sliding_classes_add(&sc, 100.0 + (double)k * DT, x, A, &err), ==, AM_OK);
    if (k == 0) {
      /* One sample measures nothing yet. */
      g_assert_cmpint(am_sliding_classes_get(&sc, cls, f, &err), ==, AM_ERR_INVALID);
      continue;
    }
    g_assert_cmpint(am_sliding_classes_get(&sc, cls, f, &err), ==, AM_OK);
    g_assert_cmpfloat_with_epsilon(am_sliding_classes_span(&sc), (double)MIN(k, W) * DT, 1e-12);
    g_assert_true(am_sliding_classes_full(&sc) == (k >= W));
    int counts[3] = {0, 0, 0};
    for (int a = 0; a < N_ATOMS; a++) {
      if (cls[a] != expected(a, k))
        g_error("atom %d at sample %ld: class %d, expected %d (u′_max %.3f Å)", a, k, cls[a], expected(a, k),
                sc.uprime_max[a]);
      counts[cls[a]]++;
    }
    for (int c = 0; c < 3; c++)
      g_assert_cmpfloat_with_epsilon(f[c], counts[c] / (double)N_ATOMS, 1e-15);
  }
  /* The carried atom moved 6 Å with the box and not at all otherwise. */
  g_assert_cmpfloat(sc.uprime_max[AFFINE_ONLY], <, 1e-12);
  am_sliding_classes_free(&sc);
}

/* The window's edges, sample by sample for the returning hopper: VA just before the hop
 * enters the window, RA while any displaced sample or a displaced reference is in it, VA
 * again once its first sample is after the return. */
static void test_window_edges(void)
{
  AmDisplacementParams p = params();
  AmSlidingClasses sc = {0};
  AmError err = {0};
  g_assert_cmpint(am_sliding_classes_init(&sc, N_ATOMS, &p, &err), ==, AM_OK);
  double x[3 * N_ATOMS], A[3 * N_ATOMS];
  uint8_t cls[N_ATOMS];
  for (long k = 0; k <= 34; k++) {
    frame(k, x, A);
    g_assert_cmpint(am_sliding_classes_add(&sc, (double)k * DT, x, A, &err), ==, AM_OK);
    if (k < 19)
      continue;
    g_assert_cmpint(am_sliding_classes_get(&sc, cls, NULL, &err), ==, AM_OK);
    if (k == 19)
      g_assert_cmpint(cls[HOP_RETURN], ==, AM_CLASS_VA);
    if (k == 20 || k == 33) /* first sample out; last window whose first sample is out */
      g_assert_cmpint(cls[HOP_RETURN], ==, AM_CLASS_RA);
    if (k == 24) /* the escaped atom's jump is the window's first step: still FA */
      g_assert_cmpint(cls[ESCAPE], ==, AM_CLASS_FA);
    if (k == 25)
      g_assert_cmpint(cls[ESCAPE], ==, AM_CLASS_VA);
    if (k == 34)
      g_assert_cmpint(cls[HOP_RETURN], ==, AM_CLASS_VA);
  }
  g_assert_cmpfloat_with_epsilon(sc.uprime_max[HOP_RETURN], 0.0, 1e-12);
  am_sliding_classes_free(&sc);
}

/* Random walks against the definition applied to the stored trajectory. */
static void test_brute_force(void)
{
  enum { N = 300, K = 60 };
  AmDisplacementParams p = params();
  AmSlidingClasses sc = {0};
  AmError err = {0};
  g_assert_cmpint(am_sliding_classes_init(&sc, N, &p, &err), ==, AM_OK);
  GRand *rng = g_rand_new_with_seed(7);
  double *q = g_new(double, (size_t)(K + 1) * 3 * N);
  double *x = g_new(double, 3 * N), *A = g_new(double, 3 * N);
  uint8_t *cls = g_new(uint8_t, N);
  int seen[3] = {0, 0, 0};
  for (long k = 0; k <= K; k++) {
    for (int i = 0; i < N; i++)
      for (int c = 0; c < 3; c++) {
        double prev = k ? q[((size_t)(k - 1) * N + i) * 3 + c] : 0.0;
        /* Mostly small steps, now and then a jump of ~1.5 Å, so all classes occur. */
        double step = g_rand_double_range(rng, -0.15, 0.15);
        if (g_rand_int_range(rng, 0, 400) == 0)
          step += g_rand_boolean(rng) ? 1.5 : -1.5;
        double qv = prev + step;
        q[((size_t)k * N + i) * 3 + c] = qv;
        A[3 * i + c] = 0.01 * (double)(k * (i % 7));
        x[3 * i + c] = qv + A[3 * i + c];
      }
    g_assert_cmpint(am_sliding_classes_add(&sc, (double)k * DT, x, A, &err), ==, AM_OK);
    if (k == 0)
      continue;
    g_assert_cmpint(am_sliding_classes_get(&sc, cls, NULL, &err), ==, AM_OK);
    long k0 = MAX(0, k - W);
    for (int i = 0; i < N; i++) {
      double umax = 0;
      for (long j = k0; j <= k; j++) {
        double d2 = 0;
        for (int c = 0; c < 3; c++) {
          double d = q[((size_t)j * N + i) * 3 + c] - q[((size_t)k0 * N + i) * 3 + c];
          d2 += d * d;
        }
        umax = MAX(umax, sqrt(d2));
      }
      g_assert_cmpfloat_with_epsilon(sc.uprime_max[i], umax, 1e-9);
      g_assert_cmpint(cls[i], ==, am_displacement_classify(&p, umax));
      seen[cls[i]]++;
    }
  }
  /* The walk must exercise every class, or the comparison proves little. */
  for (int c = 0; c < 3; c++)
    g_assert_cmpint(seen[c], >, 100);
  g_free(q);
  g_free(x);
  g_free(A);
  g_free(cls);
  g_rand_free(rng);
  am_sliding_classes_free(&sc);
}

static void test_refusals(void)
{
  AmDisplacementParams p = params();
  AmSlidingClasses sc = {0};
  AmError err = {0};
  /* A period that is not a whole number of samples. */
  AmDisplacementParams bad = p;
  bad.period = 5.5;
  g_assert_cmpint(am_sliding_classes_init(&sc, N_ATOMS, &bad, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "whole number"));
  bad = p;
  bad.fa_min = 0.5;
  g_assert_cmpint(am_sliding_classes_init(&sc, N_ATOMS, &bad, &err), ==, AM_ERR_INVALID);
  g_assert_cmpint(am_sliding_classes_init(&sc, 0, &p, &err), ==, AM_ERR_INVALID);

  g_assert_cmpint(am_sliding_classes_init(&sc, N_ATOMS, &p, &err), ==, AM_OK);
  double x[3 * N_ATOMS], A[3 * N_ATOMS];
  frame(0, x, A);
  g_assert_cmpint(am_sliding_classes_add(&sc, 0.0, x, A, &err), ==, AM_OK);
  frame(1, x, A);
  g_assert_cmpint(am_sliding_classes_add(&sc, 1.0, x, A, &err), ==, AM_OK);
  /* A skipped sample: the window fails and refuses to classify until reset. */
  g_assert_cmpint(am_sliding_classes_add(&sc, 3.0, x, A, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "without gaps"));
  uint8_t cls[N_ATOMS];
  g_assert_cmpint(am_sliding_classes_get(&sc, cls, NULL, &err), ==, AM_ERR_INVALID);
  g_assert_cmpint(am_sliding_classes_add(&sc, 2.0, x, A, &err), ==, AM_ERR_INVALID);
  g_assert_false(am_sliding_classes_full(&sc));
  am_sliding_classes_reset(&sc);
  g_assert_cmpint(am_sliding_classes_add(&sc, 50.0, x, A, &err), ==, AM_OK);
  g_assert_cmpint(am_sliding_classes_add(&sc, 51.0, x, A, &err), ==, AM_OK);
  g_assert_cmpint(am_sliding_classes_get(&sc, cls, NULL, &err), ==, AM_OK);
  /* A non-finite coordinate. */
  x[4] = NAN;
  g_assert_cmpint(am_sliding_classes_add(&sc, 52.0, x, A, &err), ==, AM_ERR_NUMERIC);
  g_assert_nonnull(strstr(err.message, "atom 1"));
  g_assert_cmpint(am_sliding_classes_get(&sc, cls, NULL, &err), ==, AM_ERR_INVALID);
  am_sliding_classes_reset(&sc);
  g_assert_cmpint(am_sliding_classes_add(&sc, 0.0, NULL, NULL, &err), ==, AM_ERR_INVALID);
  am_sliding_classes_free(&sc);
  /* Uninitialised (zeroed) state is refused, not dereferenced. */
  AmSlidingClasses none = {0};
  g_assert_cmpint(am_sliding_classes_add(&none, 0.0, x, A, &err), ==, AM_ERR_INVALID);
  g_assert_cmpint(am_sliding_classes_get(&none, cls, NULL, &err), ==, AM_ERR_INVALID);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/analysis/sliding-classes/known-answers", test_known_answers);
  g_test_add_func("/analysis/sliding-classes/window-edges", test_window_edges);
  g_test_add_func("/analysis/sliding-classes/brute-force", test_brute_force);
  g_test_add_func("/analysis/sliding-classes/refusals", test_refusals);
  return g_test_run();
}
