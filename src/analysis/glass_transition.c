/* glass_transition.c: T_g as the crossing of straight-line fits to the glass and liquid
 * branches of V(T), split where the two fits are best together (see the header). */
#include "analysis/glass_transition.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
  double t, v;
} Point;

static int cmp_point(const void *a, const void *b)
{
  const double ta = ((const Point *)a)->t, tb = ((const Point *)b)->t;
  return (ta > tb) - (ta < tb);
}

/* Least squares line through p[0..n); returns the residual sum of squares, or a negative
 * value when all temperatures coincide (no slope defined). Centred sums keep the normal
 * equations well conditioned at T ~ 1000 K. */
static double fit_line(const Point *p, size_t n, double *slope, double *intercept)
{
  double mt = 0.0, mv = 0.0;
  for (size_t i = 0; i < n; i++) {
    mt += p[i].t;
    mv += p[i].v;
  }
  mt /= (double)n;
  mv /= (double)n;
  double stt = 0.0, stv = 0.0;
  for (size_t i = 0; i < n; i++) {
    stt += (p[i].t - mt) * (p[i].t - mt);
    stv += (p[i].t - mt) * (p[i].v - mv);
  }
  if (!(stt > 0.0))
    return -1.0;
  const double a = stv / stt, b = mv - a * mt;
  double sse = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double r = p[i].v - (a * p[i].t + b);
    sse += r * r;
  }
  *slope = a;
  *intercept = b;
  return sse;
}

AmStatus am_glass_transition_fit(const double *t, const double *v, size_t n, const AmTgOptions *opts,
                                 AmTgFit *fit, AmError *err)
{
  const double t_min = opts ? opts->t_min : 0.0, t_max = opts ? opts->t_max : 0.0;
  const size_t min_points = (opts && opts->min_points) ? opts->min_points : 4;
  if (min_points < 2)
    return am_error_set(err, AM_ERR_INVALID, "T_g fit: min_points is %zu, expected at least 2 per branch", min_points);
  if (!t || !v || !fit)
    return am_error_set(err, AM_ERR_INVALID, "T_g fit: expected temperature and value arrays and a result");
  Point *p = malloc((n ? n : 1) * sizeof *p);
  if (!p)
    return am_error_set(err, AM_ERR_NOMEM, "T_g fit: out of memory for %zu points", n);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(t[i]) || !isfinite(v[i])) {
      free(p);
      return am_error_set(err, AM_ERR_NUMERIC, "T_g fit: point %zu is (%g, %g), expected finite numbers", i, t[i],
                          v[i]);
    }
    if ((t_min > 0.0 && t[i] < t_min) || (t_max > 0.0 && t[i] > t_max))
      continue;
    p[m++] = (Point){t[i], v[i]};
  }
  if (m < 2 * min_points) {
    free(p);
    return am_error_set(err, AM_ERR_INVALID,
                        "T_g fit: %zu points in the window [%g, %g] K, expected at least %zu (%zu per branch)", m,
                        t_min, t_max, 2 * min_points, min_points);
  }
  qsort(p, m, sizeof *p, cmp_point);

  double best = INFINITY;
  size_t best_split = 0;
  double ga = 0, gb = 0, la = 0, lb = 0;
  for (size_t s = min_points; s + min_points <= m; s++) {
    double a1, b1, a2, b2;
    const double e1 = fit_line(p, s, &a1, &b1);
    const double e2 = fit_line(p + s, m - s, &a2, &b2);
    if (e1 < 0.0 || e2 < 0.0)
      continue;
    if (e1 + e2 < best) {
      best = e1 + e2;
      best_split = s;
      ga = a1, gb = b1, la = a2, lb = b2;
    }
  }
  if (!best_split) {
    free(p);
    return am_error_set(err, AM_ERR_INVALID, "T_g fit: no split gives two branches with distinct temperatures");
  }
  /* The liquid must expand faster than the glass, or there is no transition to locate. */
  if (!(la > ga)) {
    free(p);
    return am_error_set(err, AM_ERR_INVALID,
                        "T_g fit: liquid slope %g is not above glass slope %g, expected a kink from a glass "
                        "transition",
                        la, ga);
  }
  const double tg = (gb - lb) / (la - ga);
  const double lo = p[0].t, hi = p[m - 1].t;
  if (!(tg >= lo && tg <= hi)) {
    free(p);
    return am_error_set(err, AM_ERR_INVALID,
                        "T_g fit: the branches cross at %g K, outside the fitted data [%g, %g] K", tg, lo, hi);
  }
  *fit = (AmTgFit){
      .tg = tg,
      .glass_slope = ga,
      .glass_intercept = gb,
      .liquid_slope = la,
      .liquid_intercept = lb,
      .glass_t_lo = lo,
      .glass_t_hi = p[best_split - 1].t,
      .liquid_t_lo = p[best_split].t,
      .liquid_t_hi = hi,
      .glass_points = best_split,
      .liquid_points = m - best_split,
      .rms = sqrt(best / (double)m),
  };
  free(p);
  return AM_OK;
}
