/* compare.c: effect size and two-sample Kolmogorov–Smirnov statistic. */
#include "analysis/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *pa, const void *pb)
{
  const double x = *(const double *) pa, y = *(const double *) pb;
  return (x > y) - (x < y);
}

double am_kolmogorov_q(double lambda)
{
  if (!(lambda > 0.0))
    return 1.0;
  /* Below ~0.3 the alternating series converges slowly and Q is 1 to double precision. */
  if (lambda < 0.2)
    return 1.0;
  double sum = 0.0, sign = 1.0;
  for (int j = 1; j <= 200; j++) {
    const double term = sign * exp(-2.0 * j * j * lambda * lambda);
    sum += term;
    if (fabs(term) < 1e-17 * fabs(sum))
      break;
    sign = -sign;
  }
  const double q = 2.0 * sum;
  return q < 0.0 ? 0.0 : (q > 1.0 ? 1.0 : q);
}

static void mean_sd(const double *x, size_t n, double *mean, double *sd)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    s += x[i];
  const double m = s / (double) n;
  double v = 0.0;
  for (size_t i = 0; i < n; i++)
    v += (x[i] - m) * (x[i] - m);
  *mean = m;
  *sd = sqrt(v / (double) (n - 1));
}

AmStatus am_compare_samples(const double *a, size_t n_a, const double *b, size_t n_b, AmCompare *out, AmError *err)
{
  if (n_a < 2 || n_b < 2)
    return am_error_set(err, AM_ERR_INVALID, "compare: need at least 2 values per group (got %zu and %zu)", n_a, n_b);
  for (size_t i = 0; i < n_a; i++)
    if (!isfinite(a[i]))
      return am_error_set(err, AM_ERR_NUMERIC, "compare: value %zu of group a is not finite", i);
  for (size_t i = 0; i < n_b; i++)
    if (!isfinite(b[i]))
      return am_error_set(err, AM_ERR_NUMERIC, "compare: value %zu of group b is not finite", i);
  double *sa = malloc(n_a * sizeof *sa), *sb = malloc(n_b * sizeof *sb);
  if (!sa || !sb) {
    free(sa);
    free(sb);
    return am_error_set(err, AM_ERR_NOMEM, "compare: cannot allocate");
  }
  memcpy(sa, a, n_a * sizeof *sa);
  memcpy(sb, b, n_b * sizeof *sb);
  qsort(sa, n_a, sizeof *sa, cmp_double);
  qsort(sb, n_b, sizeof *sb, cmp_double);
  AmCompare r = {.n_a = n_a, .n_b = n_b};
  mean_sd(sa, n_a, &r.mean_a, &r.sd_a);
  mean_sd(sb, n_b, &r.mean_b, &r.sd_b);
  const double pooled =
      sqrt(((double) (n_a - 1) * r.sd_a * r.sd_a + (double) (n_b - 1) * r.sd_b * r.sd_b) / (double) (n_a + n_b - 2));
  const double diff = r.mean_a - r.mean_b;
  if (pooled > 0.0)
    r.effect = diff / pooled;
  else if (diff == 0.0)
    r.effect = 0.0;
  else
    r.effect = diff > 0.0 ? INFINITY : -INFINITY;
  /* Walk both sorted samples; at a tie, step past every equal value on both sides
   * before comparing the empirical distribution functions. */
  size_t i = 0, j = 0;
  double d = 0.0;
  while (i < n_a && j < n_b) {
    const double x = sa[i] <= sb[j] ? sa[i] : sb[j];
    while (i < n_a && sa[i] == x)
      i++;
    while (j < n_b && sb[j] == x)
      j++;
    d = fmax(d, fabs((double) i / (double) n_a - (double) j / (double) n_b));
  }
  r.ks = d;
  const double ne = (double) n_a * (double) n_b / (double) (n_a + n_b);
  const double sq = sqrt(ne);
  r.ks_p = am_kolmogorov_q((sq + 0.12 + 0.11 / sq) * d);
  free(sa);
  free(sb);
  *out = r;
  return AM_OK;
}

AmStatus am_compare_by_label(const double *x, const int32_t *label, size_t n, int32_t label_a, int32_t label_b,
                             AmCompare *out, AmError *err)
{
  size_t na = 0, nb = 0;
  for (size_t i = 0; i < n; i++) {
    na += label[i] == label_a;
    nb += label[i] == label_b;
  }
  double *a = malloc((na ? na : 1) * sizeof *a), *b = malloc((nb ? nb : 1) * sizeof *b);
  if (!a || !b) {
    free(a);
    free(b);
    return am_error_set(err, AM_ERR_NOMEM, "compare: cannot allocate");
  }
  na = nb = 0;
  for (size_t i = 0; i < n; i++) {
    if (label[i] == label_a)
      a[na++] = x[i];
    else if (label[i] == label_b)
      b[nb++] = x[i];
  }
  AmStatus st = am_compare_samples(a, na, b, nb, out, err);
  free(a);
  free(b);
  return st;
}
