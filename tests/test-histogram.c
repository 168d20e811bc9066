/* test-histogram.c: fixed-bin histograms: binning, density, threshold fractions, merging,
 * checkpoint round trip, and refusal of bad input. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "analysis/histogram.h"

static void test_init_rejects(void)
{
  AmHistogram h;
  AmError err = {0};
  g_assert_cmpint(am_histogram_init(&h, 0.0, 10.0, 0.0, &err), ==, AM_ERR_INVALID);
  g_assert_cmpint(am_histogram_init(&h, 0.0, 10.0, -0.01, &err), ==, AM_ERR_INVALID);
  g_assert_cmpint(am_histogram_init(&h, 5.0, 5.0, 0.01, &err), ==, AM_ERR_INVALID);
  g_assert_cmpint(am_histogram_init(&h, 0.0, NAN, 0.01, &err), ==, AM_ERR_INVALID);
  g_assert_cmpint(am_histogram_init(&h, 0.0, 1.0, 0.3, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "whole number"));
  g_assert_null(h.counts);
  /* 10 / 0.01 is not exactly 1000 in binary but is a whole number to rounding. */
  g_assert_cmpint(am_histogram_init(&h, 0.0, 10.0, 0.01, &err), ==, AM_OK);
  g_assert_cmpuint(h.nbins, ==, 1000);
  g_assert_cmpfloat_with_epsilon(am_histogram_hi(&h), 10.0, 1e-12);
  g_assert_cmpfloat_with_epsilon(am_histogram_bin_center(&h, 140), 1.405, 1e-12);
  am_histogram_free(&h);
}

static void test_binning(void)
{
  AmHistogram h;
  AmError err = {0};
  g_assert_cmpint(am_histogram_init(&h, -1.0, 1.0, 0.25, &err), ==, AM_OK);
  g_assert_cmpuint(h.nbins, ==, 8);
  const double xs[] = {-1.0, -0.9, -0.75, 0.0, 0.1, 0.99, 1.0, 5.0, -1.01, -7.0};
  for (size_t i = 0; i < G_N_ELEMENTS(xs); i++)
    am_histogram_add(&h, xs[i]);
  const guint64 want[8] = {2, 1, 0, 0, 2, 0, 0, 1};
  for (int k = 0; k < 8; k++)
    g_assert_cmpuint(h.counts[k], ==, want[k]);
  g_assert_cmpuint(h.underflow, ==, 2);
  g_assert_cmpuint(h.overflow, ==, 2); /* the top edge itself is outside */
  g_assert_cmpuint(am_histogram_total(&h), ==, 10);
  am_histogram_clear(&h);
  g_assert_cmpuint(am_histogram_total(&h), ==, 0);
  am_histogram_free(&h);
}

/* Density of an exponential sample, p(u) = e^{−u/λ}/λ, against the analytic bin average;
 * the normalisation counts the overflow, so Σ p·Δu is the in-range fraction. */
static void test_density(void)
{
  AmHistogram h;
  AmError err = {0};
  const double lambda = 0.5, width = 0.01;
  g_assert_cmpint(am_histogram_init(&h, 0.0, 2.0, width, &err), ==, AM_OK);
  GRand *rng = g_rand_new_with_seed(5);
  const int n = 2000000;
  for (int i = 0; i < n; i++)
    am_histogram_add(&h, -lambda * log(1.0 - g_rand_double(rng)));
  g_rand_free(rng);
  double p[200];
  g_assert_cmpint(am_histogram_density(&h, p, &err), ==, AM_OK);
  double integral = 0.0, chi2 = 0.0;
  for (int k = 0; k < 200; k++) {
    const double lo = k * width, hi = lo + width;
    const double prob = exp(-lo / lambda) - exp(-hi / lambda);
    const double expect = prob / width;
    const double sd = sqrt(prob * (1 - prob) / n) / width;
    chi2 += (p[k] - expect) * (p[k] - expect) / (sd * sd);
    integral += p[k] * width;
  }
  /* 200 bins: χ² has mean 200 and sd 20. */
  g_test_message("chi2 = %.1f over 200 bins", chi2);
  g_assert_cmpfloat(chi2, <, 300.0);
  g_assert_cmpfloat_with_epsilon(integral, 1.0 - (double)h.overflow / n, 1e-12);
  g_assert_cmpfloat_with_epsilon(integral, 1.0 - exp(-2.0 / lambda), 3e-3);
  am_histogram_free(&h);
}

static void test_fraction_above(void)
{
  AmHistogram h;
  AmError err = {0};
  g_assert_cmpint(am_histogram_init(&h, 0.0, 3.0, 0.01, &err), ==, AM_OK);
  GRand *rng = g_rand_new_with_seed(9);
  guint64 above = 0;
  const int n = 100000;
  for (int i = 0; i < n; i++) {
    /* Values on a grid of bin centres (k + 0.5)·0.01, so none sits on an edge. */
    const double x = (g_rand_int_range(rng, 0, 400) + 0.5) * 0.01;
    above += x > 1.4;
    am_histogram_add(&h, x);
  }
  g_rand_free(rng);
  double f;
  g_assert_cmpint(am_histogram_fraction_above(&h, 1.4, &f, &err), ==, AM_OK);
  g_assert_cmpfloat(f, ==, (double)above / n);
  g_assert_cmpuint(h.overflow, >, 0);
  g_assert_cmpint(am_histogram_fraction_above(&h, 0.0, &f, &err), ==, AM_OK);
  g_assert_cmpfloat(f, ==, 1.0);
  g_assert_cmpint(am_histogram_fraction_above(&h, 3.0, &f, &err), ==, AM_OK);
  g_assert_cmpfloat(f, ==, (double)h.overflow / n);
  g_assert_cmpint(am_histogram_fraction_above(&h, 1.405, &f, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "bin edge"));
  g_assert_cmpint(am_histogram_fraction_above(&h, 3.5, &f, &err), ==, AM_ERR_INVALID);
  g_assert_cmpint(am_histogram_fraction_above(&h, -0.01, &f, &err), ==, AM_ERR_INVALID);
  am_histogram_free(&h);
}

static void test_refusals(void)
{
  AmHistogram h;
  AmError err = {0};
  double p[10], f;
  g_assert_cmpint(am_histogram_init(&h, 0.0, 1.0, 0.1, &err), ==, AM_OK);
  g_assert_cmpint(am_histogram_density(&h, p, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "empty"));
  am_histogram_add(&h, 0.5);
  am_histogram_add(&h, NAN);
  am_histogram_add(&h, INFINITY);
  g_assert_cmpuint(h.nonfinite, ==, 2);
  g_assert_cmpuint(am_histogram_total(&h), ==, 1);
  g_assert_cmpint(am_histogram_density(&h, p, &err), ==, AM_ERR_NUMERIC);
  g_assert_cmpint(am_histogram_fraction_above(&h, 0.5, &f, &err), ==, AM_ERR_NUMERIC);
  am_histogram_free(&h);
}

/* Merging replicas equals histogramming the pooled values; mismatched bins are refused. */
static void test_merge(void)
{
  AmHistogram a, b, all, other;
  AmError err = {0};
  g_assert_cmpint(am_histogram_init(&a, 0.0, 5.0, 0.01, &err), ==, AM_OK);
  g_assert_cmpint(am_histogram_init(&b, 0.0, 5.0, 0.01, &err), ==, AM_OK);
  g_assert_cmpint(am_histogram_init(&all, 0.0, 5.0, 0.01, &err), ==, AM_OK);
  GRand *rng = g_rand_new_with_seed(3);
  for (int i = 0; i < 5000; i++) {
    const double x = g_rand_double_range(rng, -0.5, 6.0);
    am_histogram_add(i % 3 ? &a : &b, x);
    am_histogram_add(&all, x);
  }
  g_rand_free(rng);
  g_assert_cmpint(am_histogram_merge(&a, &b, &err), ==, AM_OK);
  g_assert_cmpmem(a.counts, a.nbins * sizeof *a.counts, all.counts, all.nbins * sizeof *all.counts);
  g_assert_cmpuint(a.underflow, ==, all.underflow);
  g_assert_cmpuint(a.overflow, ==, all.overflow);
  g_assert_cmpint(am_histogram_init(&other, 0.0, 5.0, 0.02, &err), ==, AM_OK);
  g_assert_cmpint(am_histogram_merge(&a, &other, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "different bins"));
  am_histogram_free(&other);
  g_assert_cmpint(am_histogram_init(&other, 0.01, 5.01, 0.01, &err), ==, AM_OK);
  g_assert_cmpint(am_histogram_merge(&a, &other, &err), ==, AM_ERR_INVALID);
  am_histogram_free(&other);
  am_histogram_free(&a);
  am_histogram_free(&b);
  am_histogram_free(&all);
}

static void test_serialize(void)
{
  AmHistogram h, back, copy;
  AmError err = {0};
  g_assert_cmpint(am_histogram_init(&h, -2.0, 3.0, 0.05, &err), ==, AM_OK);
  for (int i = 0; i < 300; i++)
    am_histogram_add(&h, -2.5 + 0.02 * i);
  am_histogram_add(&h, NAN);
  const size_t need = am_histogram_serialize(&h, NULL, 0);
  g_assert_cmpuint(need, >, h.nbins * 8);
  guint8 *buf = g_malloc(need + 16);
  g_assert_cmpuint(am_histogram_serialize(&h, buf, need + 16), ==, need);
  size_t used = 0;
  g_assert_cmpint(am_histogram_deserialize(&back, buf, need + 16, &used, &err), ==, AM_OK);
  g_assert_cmpuint(used, ==, need);
  g_assert_cmpfloat(back.lo, ==, h.lo);
  g_assert_cmpfloat(back.width, ==, h.width);
  g_assert_cmpuint(back.nbins, ==, h.nbins);
  g_assert_cmpuint(back.underflow, ==, h.underflow);
  g_assert_cmpuint(back.overflow, ==, h.overflow);
  g_assert_cmpuint(back.nonfinite, ==, 1);
  g_assert_cmpmem(back.counts, back.nbins * 8, h.counts, h.nbins * 8);
  g_assert_cmpint(am_histogram_copy(&copy, &back, &err), ==, AM_OK);
  g_assert_cmpmem(copy.counts, copy.nbins * 8, h.counts, h.nbins * 8);
  am_histogram_free(&copy);
  am_histogram_free(&back);
  /* Every truncation fails cleanly. */
  for (size_t len = 0; len < need; len += 7) {
    g_assert_cmpint(am_histogram_deserialize(&back, buf, len, &used, &err), ==, AM_ERR_FORMAT);
    g_assert_null(back.counts);
  }
  buf[0] ^= 0xff;
  g_assert_cmpint(am_histogram_deserialize(&back, buf, need, &used, &err), ==, AM_ERR_FORMAT);
  g_assert_nonnull(strstr(err.message, "expected a histogram record"));
  g_free(buf);
  am_histogram_free(&h);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/analysis/histogram/init-rejects", test_init_rejects);
  g_test_add_func("/analysis/histogram/binning", test_binning);
  g_test_add_func("/analysis/histogram/density-exponential", test_density);
  g_test_add_func("/analysis/histogram/fraction-above", test_fraction_above);
  g_test_add_func("/analysis/histogram/refusals", test_refusals);
  g_test_add_func("/analysis/histogram/merge", test_merge);
  g_test_add_func("/analysis/histogram/serialize", test_serialize);
  return g_test_run();
}
