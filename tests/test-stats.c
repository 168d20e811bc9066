/* test-stats.c: mean, standard error and correlation against hand-computed values. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "analysis/stats.h"

static void test_mean_sem(void)
{
  const double x[] = {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0};
  AmMeanSem m;
  AmError err = {0};
  g_assert_cmpint(am_stats_mean_sem(x, 8, 1, &m, &err), ==, AM_OK);
  g_assert_cmpfloat_with_epsilon(m.mean, 5.0, 1e-15);
  g_assert_cmpfloat_with_epsilon(m.sd, sqrt(32.0 / 7.0), 1e-14);
  g_assert_cmpfloat_with_epsilon(m.sem, sqrt(32.0 / 7.0) / sqrt(8.0), 1e-14);
  /* Strided: every other value of {2,?,4,?,...}. */
  g_assert_cmpint(am_stats_mean_sem(x, 4, 2, &m, &err), ==, AM_OK);
  g_assert_cmpfloat_with_epsilon(m.mean, (2.0 + 4.0 + 5.0 + 7.0) / 4.0, 1e-15);
  /* A large common offset loses nothing (two-pass). */
  const double y[] = {1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0};
  g_assert_cmpint(am_stats_mean_sem(y, 3, 1, &m, &err), ==, AM_OK);
  g_assert_cmpfloat_with_epsilon(m.sd, 1.0, 1e-12);
  g_assert_cmpint(am_stats_mean_sem(x, 1, 1, &m, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "at least 2"));
  const double z[] = {1.0, NAN, 3.0};
  g_assert_cmpint(am_stats_mean_sem(z, 3, 1, &m, &err), ==, AM_ERR_NUMERIC);
  g_assert_cmpint(am_stats_mean_sem(x, 3, 0, &m, &err), ==, AM_ERR_INVALID);
}

static void test_correlation(void)
{
  const double x[] = {1.0, 2.0, 3.0, 4.0, 5.0};
  const double lin[] = {3.0, 5.0, 7.0, 9.0, 11.0};
  const double anti[] = {10.0, 8.0, 6.0, 4.0, 2.0};
  const double y[] = {2.0, 1.0, 4.0, 3.0, 5.0};
  double r;
  AmError err = {0};
  g_assert_cmpint(am_stats_correlation(x, lin, 5, &r, &err), ==, AM_OK);
  g_assert_cmpfloat(r, ==, 1.0);
  g_assert_cmpint(am_stats_correlation(x, anti, 5, &r, &err), ==, AM_OK);
  g_assert_cmpfloat(r, ==, -1.0);
  /* Σdxdy = 8, Σdx² = Σdy² = 10. */
  g_assert_cmpint(am_stats_correlation(x, y, 5, &r, &err), ==, AM_OK);
  g_assert_cmpfloat_with_epsilon(r, 0.8, 1e-15);
  const double flat[] = {1.0, 1.0, 1.0, 1.0, 1.0};
  g_assert_cmpint(am_stats_correlation(x, flat, 5, &r, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "no variance"));
  g_assert_cmpint(am_stats_correlation(x, y, 2, &r, &err), ==, AM_ERR_INVALID);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/analysis/stats/mean-sem", test_mean_sem);
  g_test_add_func("/analysis/stats/correlation", test_correlation);
  return g_test_run();
}
