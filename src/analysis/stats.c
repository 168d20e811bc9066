/* stats.c: mean, standard error and correlation over replicas or temperatures. */
#include "analysis/stats.h"

#include <math.h>

AmStatus am_stats_mean_sem(const double *x, size_t n, size_t stride, AmMeanSem *out, AmError *err)
{
  if (!x || !out || stride == 0)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: mean/SEM needs an array, an output and a stride ≥ 1",
                        __FILE__, __LINE__);
  if (n < 2)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: a standard error needs at least 2 values, got %zu", __FILE__, __LINE__, n);
  /* Two passes: the mean first, then squared deviations, so a large common offset (a
   * stress of 10⁴ bar with a spread of 1 bar) loses no digits. */
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double v = x[i * stride];
    if (!isfinite(v))
      return am_error_set(err, AM_ERR_NUMERIC, "%s:%d: value %zu of %zu is not finite (%g)",
                          __FILE__, __LINE__, i, n, v);
    sum += v;
  }
  const double mean = sum / (double)n;
  double ss = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double d = x[i * stride] - mean;
    ss += d * d;
  }
  out->n = n;
  out->mean = mean;
  out->sd = sqrt(ss / (double)(n - 1));
  out->sem = out->sd / sqrt((double)n);
  return AM_OK;
}

AmStatus am_stats_correlation(const double *x, const double *y, size_t n, double *r, AmError *err)
{
  if (!x || !y || !r)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: correlation needs two arrays and an output",
                        __FILE__, __LINE__);
  if (n < 3)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: a correlation needs at least 3 pairs, got %zu", __FILE__, __LINE__, n);
  double mx = 0.0, my = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i]) || !isfinite(y[i]))
      return am_error_set(err, AM_ERR_NUMERIC, "%s:%d: pair %zu is not finite (%g, %g)",
                          __FILE__, __LINE__, i, x[i], y[i]);
    mx += x[i];
    my += y[i];
  }
  mx /= (double)n;
  my /= (double)n;
  double sxx = 0.0, syy = 0.0, sxy = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (!(sxx > 0.0) || !(syy > 0.0))
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: correlation is undefined: %s has no variance over %zu values",
                        __FILE__, __LINE__, sxx > 0.0 ? "y" : "x", n);
  double c = sxy / sqrt(sxx * syy);
  /* Rounding can push |r| a hair past 1 for perfectly linear data. */
  if (c > 1.0)
    c = 1.0;
  if (c < -1.0)
    c = -1.0;
  *r = c;
  return AM_OK;
}
