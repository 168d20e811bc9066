/* q6.c: spherical harmonics by recurrence and the Steinhardt / Lechner–Dellago sums. */
#include "analysis/q6.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Normalised associated Legendre functions
 *   P̃_l^m(x) = √((2l+1)/(4π) · (l−m)!/(l+m)!) P_l^m(x),  m ≥ 0,
 * for one l, by the standard stable recurrences in l at fixed m (no factorials, so no
 * overflow or cancellation for any l this file allows). out[m] for m = 0…l. */
static void legendre_normalised(int l, double x, double *out)
{
  const double s = sqrt(fmax(0.0, (1.0 - x) * (1.0 + x)));
  double pmm = sqrt(1.0 / (4.0 * M_PI)); /* P̃_0^0 */
  for (int m = 0; m <= l; m++) {
    if (m > 0)
      pmm *= -sqrt((2.0 * m + 1.0) / (2.0 * m)) * s; /* P̃_m^m from P̃_{m−1}^{m−1} */
    if (m == l) {
      out[m] = pmm;
      break;
    }
    double p0 = pmm;                                  /* P̃_m^m */
    double p1 = x * sqrt(2.0 * m + 3.0) * pmm;        /* P̃_{m+1}^m */
    for (int ll = m + 2; ll <= l; ll++) {
      const double a = sqrt((4.0 * ll * ll - 1.0) / ((double) ll * ll - (double) m * m));
      const double b = sqrt(((ll - 1.0) * (ll - 1.0) - (double) m * m) / (4.0 * (ll - 1.0) * (ll - 1.0) - 1.0));
      const double p2 = a * (x * p1 - b * p0);
      p0 = p1;
      p1 = p2;
    }
    out[m] = (l == m) ? p0 : p1;
  }
}

void am_ylm(int l, int m, const double u[3], double *re, double *im)
{
  *re = *im = 0.0;
  if (l < 0 || l > AM_Q_MAX_L || m < -l || m > l)
    return;
  const double r = sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
  if (!(r > 0.0))
    return;
  double p[AM_Q_MAX_L + 1];
  legendre_normalised(l, u[2] / r, p);
  const int am = abs(m);
  const double phi = atan2(u[1], u[0]);
  double c = p[am] * cos(am * phi), s = p[am] * sin(am * phi);
  if (m < 0) {
    /* Y_l,−m = (−1)^m conj(Y_lm). */
    const double sign = (am % 2) ? -1.0 : 1.0;
    c *= sign;
    s *= -sign;
  }
  *re = c;
  *im = s;
}

/* Σ_m |q_lm|² over m = −l…l from the m ≥ 0 half (real weights keep q_l,−m = ±conj q_lm). */
static double invariant(int l, const double *q)
{
  double sum = q[0] * q[0] + q[1] * q[1];
  for (int m = 1; m <= l; m++)
    sum += 2.0 * (q[2 * m] * q[2 * m] + q[2 * m + 1] * q[2 * m + 1]);
  return sqrt(4.0 * M_PI / (2.0 * l + 1.0) * sum);
}

AmStatus am_bond_order(const AmBondList *b, int l, double *q_plain, double *q_avg, AmError *err)
{
  if (l < 0 || l > AM_Q_MAX_L)
    return am_error_set(err, AM_ERR_INVALID, "bond order: l = %d outside 0…%d", l, AM_Q_MAX_L);
  if (!b || !b->start || (b->n > 0 && (!b->index || !b->bond)))
    return am_error_set(err, AM_ERR_INVALID, "bond order: missing neighbour list");
  const size_t n = b->n;
  const size_t stride = 2 * (size_t) (l + 1);
  double *qlm = malloc((n ? n : 1) * stride * sizeof *qlm);
  if (!qlm)
    return am_error_set(err, AM_ERR_NOMEM, "bond order: cannot allocate for %zu atoms", n);
  AmStatus st = AM_OK;
  for (size_t i = 0; i < n && st == AM_OK; i++) {
    double *q = qlm + i * stride;
    memset(q, 0, stride * sizeof *q);
    double wsum = 0.0;
    if (b->start[i + 1] <= b->start[i]) {
      st = am_error_set(err, AM_ERR_INVALID, "bond order: atom %zu has no neighbours", i);
      break;
    }
    for (size_t f = b->start[i]; f < b->start[i + 1]; f++) {
      const double *u = b->bond + 3 * f;
      const double w = b->weight ? b->weight[f] : 1.0;
      const double r = sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
      if (!(r > 0.0) || !isfinite(r) || !(w >= 0.0) || !isfinite(w) || b->index[f] >= n) {
        st = am_error_set(err, AM_ERR_INVALID,
                          "bond order: neighbour %zu of atom %zu has a zero or non-finite bond, a negative weight "
                          "or an index out of range",
                          f - b->start[i], i);
        break;
      }
      double p[AM_Q_MAX_L + 1];
      legendre_normalised(l, u[2] / r, p);
      const double phi = atan2(u[1], u[0]);
      for (int m = 0; m <= l; m++) {
        q[2 * m] += w * p[m] * cos(m * phi);
        q[2 * m + 1] += w * p[m] * sin(m * phi);
      }
      wsum += w;
    }
    if (st != AM_OK)
      break;
    if (!(wsum > 0.0)) {
      st = am_error_set(err, AM_ERR_INVALID, "bond order: the weights of atom %zu sum to zero", i);
      break;
    }
    for (size_t k = 0; k < stride; k++)
      q[k] /= wsum;
    if (q_plain)
      q_plain[i] = invariant(l, q);
  }
  if (st == AM_OK && q_avg) {
    double *acc = malloc(stride * sizeof *acc);
    if (!acc)
      st = am_error_set(err, AM_ERR_NOMEM, "bond order: cannot allocate");
    for (size_t i = 0; i < n && st == AM_OK; i++) {
      memcpy(acc, qlm + i * stride, stride * sizeof *acc);
      for (size_t f = b->start[i]; f < b->start[i + 1]; f++) {
        const double *qj = qlm + b->index[f] * stride;
        for (size_t k = 0; k < stride; k++)
          acc[k] += qj[k];
      }
      const double cnt = (double) (b->start[i + 1] - b->start[i] + 1);
      for (size_t k = 0; k < stride; k++)
        acc[k] /= cnt;
      q_avg[i] = invariant(l, acc);
    }
    free(acc);
  }
  free(qlm);
  return st;
}

AmStatus am_bond_order_voronoi(const AmVoronoi *vor, int l, bool area_weighted, double *q_plain, double *q_avg,
                               AmError *err)
{
  if (!vor || !vor->face_start)
    return am_error_set(err, AM_ERR_INVALID, "bond order: no tessellation");
  const AmBondList b = {
    .n = vor->n,
    .start = vor->face_start,
    .index = vor->neighbor,
    .bond = vor->bond,
    .weight = area_weighted ? vor->face_area : NULL,
  };
  return am_bond_order(&b, l, q_plain, q_avg, err);
}
