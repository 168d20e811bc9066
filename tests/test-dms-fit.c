/* test-dms-fit.c: the MD-DMS sinusoid fit on synthetic signals with known answers. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "analysis/dms_fit.h"

/* Truth used throughout: σ = σ0 + σ_A sin(ωt + δ), so a = σ_A cos δ, b = σ_A sin δ. */
typedef struct {
  double sigma0, amp, phase;
} Truth;

static double gauss(GRand *rng)
{
  /* Box–Muller; 1 − u keeps the logarithm finite. */
  const double u1 = 1.0 - g_rand_double(rng), u2 = g_rand_double(rng);
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static double wave(const Truth *tr, double omega, double t)
{
  return tr->sigma0 + tr->amp * sin(omega * t + tr->phase);
}

static void assert_fit_finite(const AmDmsFit *f)
{
  const double v[] = {f->sigma0, f->a, f->b, f->amplitude, f->phase, f->storage, f->loss,
                      f->residual_rms, f->se_sigma0, f->se_a, f->se_b, f->se_amplitude, f->se_phase,
                      f->se_storage, f->se_loss};
  for (size_t i = 0; i < G_N_ELEMENTS(v); i++)
    g_assert_true(isfinite(v[i]));
}

/* Noise-free signals over whole and partial windows, starting at a cycle (6 t_p, the
 * paper's window) or anywhere: exact recovery to rounding. */
static void test_exact(void)
{
  const double tp = 10.0, omega = 2.0 * M_PI / tp, eps = 0.01;
  const Truth tr = {-123.4, 5120.0, 0.0123};
  const struct {
    double t0, cycles;
    int n;
  } win[] = {{60.0, 10.0, 1000}, {60.0, 2.3, 230}, {13.7, 0.4, 40}, {0.0, 1.0, 4}, {1e4, 3.0, 301}};
  for (size_t w = 0; w < G_N_ELEMENTS(win); w++) {
    AmDmsAccumulator acc;
    AmError err = {0};
    g_assert_cmpint(am_dms_accumulator_init(&acc, tp, &err), ==, AM_OK);
    const double dt = win[w].cycles * tp / win[w].n;
    for (int i = 0; i < win[w].n; i++) {
      const double t = win[w].t0 + i * dt;
      g_assert_cmpint(am_dms_accumulator_add(&acc, t, wave(&tr, omega, t), &err), ==, AM_OK);
    }
    AmDmsFit f;
    g_assert_cmpint(am_dms_accumulator_solve(&acc, eps, &f, &err), ==, AM_OK);
    assert_fit_finite(&f);
    /* A window of 0.4 cycle is ill-conditioned (condition number ~1e3), hence the looser bound. */
    const double tol = win[w].cycles < 1.0 ? 1e-7 : 1e-9;
    g_assert_cmpfloat_with_epsilon(f.sigma0, tr.sigma0, tol * tr.amp);
    g_assert_cmpfloat_with_epsilon(f.amplitude, tr.amp, tol * tr.amp);
    g_assert_cmpfloat_with_epsilon(f.phase, tr.phase, tol);
    g_assert_cmpfloat_with_epsilon(f.storage, tr.amp * cos(tr.phase) / eps, tol * tr.amp / eps);
    g_assert_cmpfloat_with_epsilon(f.loss, tr.amp * sin(tr.phase) / eps, tol * tr.amp / eps);
    g_assert_cmpfloat(f.residual_rms, <, tol * tr.amp);
    g_assert_cmpuint(f.n, ==, (guint64)win[w].n);
    g_assert_cmpfloat_with_epsilon(am_dms_fit_eval(&f, win[w].t0 + 0.3), wave(&tr, omega, win[w].t0 + 0.3),
                                   tol * tr.amp);
  }
}

/* Phases in every quadrant come back with the right sign convention: δ = atan2(b, a). */
static void test_phase_quadrants(void)
{
  const double tp = 7.0, omega = 2.0 * M_PI / tp;
  const double phases[] = {0.5, 2.0, -0.3, -2.5, M_PI / 2, 0.0};
  for (size_t p = 0; p < G_N_ELEMENTS(phases); p++) {
    const Truth tr = {10.0, 3.0, phases[p]};
    double t[70], s[70];
    for (int i = 0; i < 70; i++) {
      t[i] = 0.1 * i;
      s[i] = wave(&tr, omega, t[i]);
    }
    AmDmsFit f;
    AmError err = {0};
    g_assert_cmpint(am_dms_fit_arrays(t, s, 70, tp, 0.02, &f, &err), ==, AM_OK);
    g_assert_cmpfloat_with_epsilon(f.phase, phases[p], 1e-10);
    g_assert_cmpfloat_with_epsilon(f.a, 3.0 * cos(phases[p]), 1e-10);
    g_assert_cmpfloat_with_epsilon(f.b, 3.0 * sin(phases[p]), 1e-10);
  }
}

/* The streaming Givens fit against the textbook normal equations, solved independently
 * in long double by Cramer's rule, on a noisy signal. */
static void test_vs_normal_equations(void)
{
  const double tp = 10.0, omega = 2.0 * M_PI / tp;
  const Truth tr = {2.0, 50.0, 0.05};
  GRand *rng = g_rand_new_with_seed(42);
  AmDmsAccumulator acc;
  AmError err = {0};
  g_assert_cmpint(am_dms_accumulator_init(&acc, tp, &err), ==, AM_OK);
  long double m[3][3] = {{0}}, v[3] = {0}, yy = 0;
  const int n = 537;
  for (int i = 0; i < n; i++) {
    const double t = 60.0 + 0.071 * i;
    const double y = wave(&tr, omega, t) + 20.0 * gauss(rng);
    g_assert_cmpint(am_dms_accumulator_add(&acc, t, y, &err), ==, AM_OK);
    const long double x[3] = {1.0L, sinl(omega * t), cosl(omega * t)};
    for (int j = 0; j < 3; j++) {
      v[j] += x[j] * y;
      for (int k = 0; k < 3; k++)
        m[j][k] += x[j] * x[k];
    }
    yy += (long double)y * y;
  }
  g_rand_free(rng);
  AmDmsFit f;
  g_assert_cmpint(am_dms_accumulator_solve(&acc, 0.01, &f, &err), ==, AM_OK);

  long double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  long double beta[3];
  for (int c = 0; c < 3; c++) {
    long double mc[3][3];
    memcpy(mc, m, sizeof mc);
    for (int r = 0; r < 3; r++)
      mc[r][c] = v[r];
    beta[c] = (mc[0][0] * (mc[1][1] * mc[2][2] - mc[1][2] * mc[2][1]) -
               mc[0][1] * (mc[1][0] * mc[2][2] - mc[1][2] * mc[2][0]) +
               mc[0][2] * (mc[1][0] * mc[2][1] - mc[1][1] * mc[2][0])) / det;
  }
  long double rss = yy - (beta[0] * v[0] + beta[1] * v[1] + beta[2] * v[2]);
  g_assert_cmpfloat_with_epsilon(f.sigma0, (double)beta[0], 1e-9);
  g_assert_cmpfloat_with_epsilon(f.a, (double)beta[1], 1e-9);
  g_assert_cmpfloat_with_epsilon(f.b, (double)beta[2], 1e-9);
  g_assert_cmpfloat_with_epsilon(f.residual_rms, sqrtl(rss / (n - 3)), 1e-6);
  /* Var(a) = s²·[M⁻¹]₁₁ = s²·(m00·m22 − m02²)/det. */
  const long double s2 = rss / (n - 3);
  g_assert_cmpfloat_with_epsilon(f.se_a, sqrtl(s2 * (m[0][0] * m[2][2] - m[0][2] * m[0][2]) / det), 1e-8);
}

/* One fit to noisy data lands within a few of its own standard errors of the truth, over
 * whole and partial cycles. */
static void test_noisy_recovery(void)
{
  const double tp = 10.0, omega = 2.0 * M_PI / tp, eps = 0.01;
  const Truth tr = {-50.0, 5000.0, 0.01};
  const double cycles[] = {10.0, 1.37, 0.6};
  GRand *rng = g_rand_new_with_seed(2024);
  for (size_t c = 0; c < G_N_ELEMENTS(cycles); c++) {
    AmDmsAccumulator acc;
    AmError err = {0};
    g_assert_cmpint(am_dms_accumulator_init(&acc, tp, &err), ==, AM_OK);
    const int n = (int)(cycles[c] * 100);
    for (int i = 0; i < n; i++) {
      const double t = 60.0 + 0.1 * i;
      g_assert_cmpint(am_dms_accumulator_add(&acc, t, wave(&tr, omega, t) + 300.0 * gauss(rng), &err), ==,
                      AM_OK);
    }
    AmDmsFit f;
    g_assert_cmpint(am_dms_accumulator_solve(&acc, eps, &f, &err), ==, AM_OK);
    assert_fit_finite(&f);
    g_assert_cmpfloat(fabs(f.amplitude - tr.amp), <, 4.0 * f.se_amplitude);
    g_assert_cmpfloat(fabs(f.phase - tr.phase), <, 4.0 * f.se_phase);
    g_assert_cmpfloat(fabs(f.sigma0 - tr.sigma0), <, 4.0 * f.se_sigma0);
    g_assert_cmpfloat(fabs(f.loss - tr.amp * sin(tr.phase) / eps), <, 4.0 * f.se_loss);
    g_assert_cmpfloat_with_epsilon(f.residual_rms, 300.0, 300.0 * 0.2);
  }
  g_rand_free(rng);
}

/* The reported standard errors equal the scatter of the estimates over 500 independent
 * noise realisations (white noise, where the formula is exact), within 15 %. */
static void check_se_vs_spread(double cycles, int per_cycle, double t0)
{
  const double tp = 10.0, omega = 2.0 * M_PI / tp, eps = 0.01, noise = 400.0;
  const Truth tr = {100.0, 5000.0, 0.02};
  enum { R = 500, Q = 6 };
  static double est[Q][R], se[Q][R];
  GRand *rng = g_rand_new_with_seed(777 + (guint32)(cycles * 100));
  const int n = (int)(cycles * per_cycle);
  for (int r = 0; r < R; r++) {
    AmDmsAccumulator acc;
    AmError err = {0};
    g_assert_cmpint(am_dms_accumulator_init(&acc, tp, &err), ==, AM_OK);
    for (int i = 0; i < n; i++) {
      const double t = t0 + i * tp / per_cycle;
      am_dms_accumulator_add(&acc, t, wave(&tr, omega, t) + noise * gauss(rng), &err);
    }
    AmDmsFit f;
    g_assert_cmpint(am_dms_accumulator_solve(&acc, eps, &f, &err), ==, AM_OK);
    const double e[Q] = {f.sigma0, f.a, f.b, f.amplitude, f.phase, f.loss};
    const double s[Q] = {f.se_sigma0, f.se_a, f.se_b, f.se_amplitude, f.se_phase, f.se_loss};
    for (int q = 0; q < Q; q++) {
      est[q][r] = e[q];
      se[q][r] = s[q];
    }
  }
  g_rand_free(rng);
  static const char *names[Q] = {"sigma0", "a", "b", "amplitude", "phase", "loss"};
  for (int q = 0; q < Q; q++) {
    double mean = 0.0, mse = 0.0;
    for (int r = 0; r < R; r++) {
      mean += est[q][r];
      mse += se[q][r] * se[q][r];
    }
    mean /= R;
    double ss = 0.0;
    for (int r = 0; r < R; r++)
      ss += (est[q][r] - mean) * (est[q][r] - mean);
    const double spread = sqrt(ss / (R - 1)), reported = sqrt(mse / R);
    g_test_message("%.2f cycles: %-9s spread %.4g reported SE %.4g (ratio %.3f)", cycles, names[q], spread,
                   reported, reported / spread);
    g_assert_cmpfloat(fabs(reported / spread - 1.0), <, 0.15);
  }
}

static void test_se_matches_spread_whole(void)
{
  check_se_vs_spread(10.0, 50, 60.0);
}

static void test_se_matches_spread_partial(void)
{
  check_se_vs_spread(1.37, 100, 63.3);
}

static void test_degenerate(void)
{
  const double tp = 10.0, omega = 2.0 * M_PI / tp;
  const Truth tr = {1.0, 2.0, 0.3};
  double t[8], s[8];
  for (int i = 0; i < 8; i++) {
    t[i] = 1.3 * i;
    s[i] = wave(&tr, omega, t[i]);
  }
  AmDmsFit f;
  AmError err = {0};
  /* Too few samples: 0..3 (three would leave no degree of freedom for an error). */
  for (size_t n = 0; n <= 3; n++) {
    err.code = AM_OK;
    g_assert_cmpint(am_dms_fit_arrays(t, s, n, tp, 0.01, &f, &err), ==, AM_ERR_INVALID);
    g_assert_cmpint(err.code, ==, AM_ERR_INVALID);
    g_assert_nonnull(strstr(err.message, "at least 4"));
    assert_fit_finite(&f);
  }
  g_assert_cmpint(am_dms_fit_arrays(t, s, 8, tp, 0.01, &f, &err), ==, AM_OK);
  /* Strain amplitude zero, negative or NaN. */
  const double bad_eps[] = {0.0, -0.01, NAN, INFINITY};
  for (size_t i = 0; i < G_N_ELEMENTS(bad_eps); i++) {
    g_assert_cmpint(am_dms_fit_arrays(t, s, 8, tp, bad_eps[i], &f, &err), ==, AM_ERR_INVALID);
    g_assert_nonnull(strstr(err.message, "strain amplitude"));
    assert_fit_finite(&f);
  }
  /* Period zero or NaN. */
  g_assert_cmpint(am_dms_fit_arrays(t, s, 8, 0.0, 0.01, &f, &err), ==, AM_ERR_INVALID);
  g_assert_cmpint(am_dms_fit_arrays(t, s, 8, NAN, 0.01, &f, &err), ==, AM_ERR_INVALID);
  /* A NaN sample is refused, and the fit refuses even if the caller ignored that. */
  AmDmsAccumulator acc;
  g_assert_cmpint(am_dms_accumulator_init(&acc, tp, &err), ==, AM_OK);
  for (int i = 0; i < 8; i++)
    g_assert_cmpint(am_dms_accumulator_add(&acc, t[i], s[i], &err), ==, AM_OK);
  g_assert_cmpint(am_dms_accumulator_add(&acc, 20.0, NAN, &err), ==, AM_ERR_NUMERIC);
  g_assert_cmpint(am_dms_accumulator_add(&acc, INFINITY, 1.0, &err), ==, AM_ERR_NUMERIC);
  g_assert_cmpint(am_dms_accumulator_solve(&acc, 0.01, &f, &err), ==, AM_ERR_NUMERIC);
  assert_fit_finite(&f);
  /* Samples only at whole periods: sin ωt is always 0, the phase is undetermined. */
  double tw[20], sw[20];
  for (int i = 0; i < 20; i++) {
    tw[i] = i * tp;
    sw[i] = 3.0 + 0.1 * (i % 3);
  }
  g_assert_cmpint(am_dms_fit_arrays(tw, sw, 20, tp, 0.01, &f, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "undetermined"));
  assert_fit_finite(&f);
  /* All samples at one instant. */
  for (int i = 0; i < 20; i++)
    tw[i] = 4.2;
  g_assert_cmpint(am_dms_fit_arrays(tw, sw, 20, tp, 0.01, &f, &err), ==, AM_ERR_INVALID);
  /* A constant signal has no amplitude and so no phase. */
  for (int i = 0; i < 8; i++)
    s[i] = 7.0;
  g_assert_cmpint(am_dms_fit_arrays(t, s, 8, tp, 0.01, &f, &err), ==, AM_ERR_NUMERIC);
  g_assert_nonnull(strstr(err.message, "amplitude is zero"));
  assert_fit_finite(&f);
}

/* Replica ensemble: mean ± standard error of each quantity, checked by hand. */
static void test_ensemble(void)
{
  AmDmsFit fits[4];
  memset(fits, 0, sizeof fits);
  const double loss[4] = {0.3, 0.5, 0.2, 0.6};
  for (int i = 0; i < 4; i++) {
    fits[i].loss = loss[i];
    fits[i].storage = 51.0 + 0.1 * i;
    fits[i].phase = loss[i] / fits[i].storage;
    fits[i].amplitude = 0.51;
    fits[i].sigma0 = -0.01 * i;
  }
  AmDmsEnsemble e;
  AmError err = {0};
  g_assert_cmpint(am_dms_ensemble(fits, 4, &e, &err), ==, AM_OK);
  g_assert_cmpuint(e.n, ==, 4);
  g_assert_cmpfloat_with_epsilon(e.loss.mean, 0.4, 1e-15);
  /* deviations −0.1 0.1 −0.2 0.2: ss = 0.1, sd = √(0.1/3), sem = sd/2 */
  g_assert_cmpfloat_with_epsilon(e.loss.sd, sqrt(0.1 / 3.0), 1e-14);
  g_assert_cmpfloat_with_epsilon(e.loss.sem, sqrt(0.1 / 3.0) / 2.0, 1e-14);
  g_assert_cmpfloat_with_epsilon(e.storage.mean, 51.15, 1e-12);
  g_assert_cmpfloat_with_epsilon(e.amplitude.sem, 0.0, 1e-15);
  g_assert_cmpfloat_with_epsilon(e.sigma0.mean, -0.015, 1e-15);
  g_assert_cmpint(am_dms_ensemble(fits, 1, &e, &err), ==, AM_ERR_INVALID);
  fits[2].loss = NAN;
  g_assert_cmpint(am_dms_ensemble(fits, 4, &e, &err), ==, AM_ERR_NUMERIC);
  g_assert_nonnull(strstr(err.message, "replica ensemble"));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/analysis/dms-fit/exact-whole-and-partial-cycles", test_exact);
  g_test_add_func("/analysis/dms-fit/phase-quadrants", test_phase_quadrants);
  g_test_add_func("/analysis/dms-fit/vs-normal-equations", test_vs_normal_equations);
  g_test_add_func("/analysis/dms-fit/noisy-recovery", test_noisy_recovery);
  g_test_add_func("/analysis/dms-fit/se-matches-spread-whole-cycles", test_se_matches_spread_whole);
  g_test_add_func("/analysis/dms-fit/se-matches-spread-partial-cycle", test_se_matches_spread_partial);
  g_test_add_func("/analysis/dms-fit/degenerate-inputs", test_degenerate);
  g_test_add_func("/analysis/dms-fit/ensemble", test_ensemble);
  return g_test_run();
}
