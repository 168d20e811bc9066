/* test-compare.c: effect size and Kolmogorov–Smirnov statistic against hand-computed
 * values and against their sampling behaviour on seeded normal samples. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "analysis/compare.h"
#include "sim/rng.h"

static void test_hand(void)
{
  AmCompare c;
  AmError err = {0};
  /* a = {1,2,3,4}: mean 2.5, var 5/3; b = {3,4,5,6,7}: mean 5, var 2.5.
   * pooled² = (3·5/3 + 4·2.5)/7 = 15/7. ECDFs differ most after x = 2: 2/4 − 0 = 0.5,
   * and after x = 3: 3/4 − 1/5 = 0.55, after 4: 1 − 2/5 = 0.6. */
  const double a[] = {4, 1, 3, 2}, b[] = {7, 3, 5, 4, 6};
  g_assert_cmpint(am_compare_samples(a, 4, b, 5, &c, &err), ==, AM_OK);
  g_assert_cmpfloat_with_epsilon(c.mean_a, 2.5, 1e-15);
  g_assert_cmpfloat_with_epsilon(c.mean_b, 5.0, 1e-15);
  g_assert_cmpfloat_with_epsilon(c.effect, -2.5 / sqrt(15.0 / 7.0), 1e-14);
  g_assert_cmpfloat_with_epsilon(c.ks, 0.6, 1e-15);
  /* Identical samples: nothing differs. */
  g_assert_cmpint(am_compare_samples(a, 4, a, 4, &c, &err), ==, AM_OK);
  g_assert_cmpfloat(c.ks, ==, 0.0);
  g_assert_cmpfloat(c.effect, ==, 0.0);
  g_assert_cmpfloat(c.ks_p, ==, 1.0);
  /* Disjoint: D = 1. */
  const double far[] = {10, 11, 12};
  g_assert_cmpint(am_compare_samples(a, 4, far, 3, &c, &err), ==, AM_OK);
  g_assert_cmpfloat(c.ks, ==, 1.0);
  /* Ties across groups are stepped over together: {1,1,2} vs {1,2,2}: after 1: 2/3 − 1/3. */
  const double t1[] = {1, 1, 2}, t2[] = {1, 2, 2};
  g_assert_cmpint(am_compare_samples(t1, 3, t2, 3, &c, &err), ==, AM_OK);
  g_assert_cmpfloat_with_epsilon(c.ks, 1.0 / 3.0, 1e-15);
  /* Labels. */
  const double x[] = {1, 10, 2, 11, 3, 12, 4};
  const int32_t lab[] = {0, 1, 0, 1, 0, 1, 0};
  g_assert_cmpint(am_compare_by_label(x, lab, 7, 1, 0, &c, &err), ==, AM_OK);
  g_assert_cmpuint(c.n_a, ==, 3);
  g_assert_cmpuint(c.n_b, ==, 4);
  g_assert_cmpfloat(c.ks, ==, 1.0);
  g_assert_cmpfloat(c.effect, >, 0.0);
  /* Refusals. */
  g_assert_cmpint(am_compare_samples(a, 1, b, 5, &c, &err), ==, AM_ERR_INVALID);
  const double bad[] = {1, NAN};
  g_assert_cmpint(am_compare_samples(a, 4, bad, 2, &c, &err), ==, AM_ERR_NUMERIC);
}

static void test_kolmogorov(void)
{
  /* Tabulated: Q(1.36) ≈ 0.049, Q(1.63) ≈ 0.010, Q(0.5) ≈ 0.964. */
  g_assert_cmpfloat(fabs(am_kolmogorov_q(1.358) - 0.05), <, 1e-3);
  g_assert_cmpfloat(fabs(am_kolmogorov_q(1.628) - 0.01), <, 1e-3);
  g_assert_cmpfloat(fabs(am_kolmogorov_q(0.5) - 0.9639), <, 1e-3);
  g_assert_cmpfloat(am_kolmogorov_q(0.0), ==, 1.0);
}

static void test_sampling(void)
{
  AmRng rng;
  am_rng_init(&rng, 2026, 0);
  const size_t na = 80, nb = 3000;
  double *a = g_new(double, na), *b = g_new(double, nb);
  AmError err = {0};
  AmCompare c;
  /* Same distribution, many draws: p-values are roughly uniform, so about 5 % fall below 0.05. */
  int small = 0;
  for (int rep = 0; rep < 200; rep++) {
    for (size_t i = 0; i < na; i++)
      a[i] = am_rng_normal(&rng);
    for (size_t i = 0; i < nb; i++)
      b[i] = am_rng_normal(&rng);
    g_assert_cmpint(am_compare_samples(a, na, b, nb, &c, &err), ==, AM_OK);
    small += c.ks_p < 0.05;
  }
  g_test_message("same distribution: %d of 200 p-values below 0.05", small);
  g_assert_cmpint(small, >=, 2);
  g_assert_cmpint(small, <=, 22);
  /* Shifted by 0.8 σ, like RAs against VAs in a strong signal: found, and d ≈ 0.8. */
  for (size_t i = 0; i < na; i++)
    a[i] = 0.8 + am_rng_normal(&rng);
  g_assert_cmpint(am_compare_samples(a, na, b, nb, &c, &err), ==, AM_OK);
  g_test_message("shift 0.8: d = %.3f, D = %.3f, p = %.2e", c.effect, c.ks, c.ks_p);
  g_assert_cmpfloat(fabs(c.effect - 0.8), <, 0.35);
  g_assert_cmpfloat(c.ks_p, <, 1e-4);
  g_free(a);
  g_free(b);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/analysis/compare/hand", test_hand);
  g_test_add_func("/analysis/compare/kolmogorov", test_kolmogorov);
  g_test_add_func("/analysis/compare/sampling", test_sampling);
  return g_test_run();
}
