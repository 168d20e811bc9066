/* crystallinity.c: per-atom q̄4/q̄6 classification of a frame as glass or crystal. */
#include "analysis/crystallinity.h"

#include <stdlib.h>

#include "analysis/q6.h"
#include "analysis/voronoi.h"

AmStatus am_crystallinity_compute(const AmBox *box, const AmAtoms *atoms, const AmCrystallinityOptions *opts,
                                  AmCrystallinity *out, double *q4_avg, double *q6_avg, AmError *err)
{
  const double q6_min = (opts && opts->q6_min > 0.0) ? opts->q6_min : AM_CRYST_DEFAULT_Q6_MIN;
  const double q4_max = (opts && opts->q4_max > 0.0) ? opts->q4_max : AM_CRYST_DEFAULT_Q4_MAX;
  const double max_fraction =
      (opts && opts->max_fraction > 0.0) ? opts->max_fraction : AM_CRYST_DEFAULT_MAX_FRACTION;
  if (!box || !atoms || !out)
    return am_error_set(err, AM_ERR_INVALID, "crystallinity: expected a box, atoms and a result");
  if (atoms->n < 2)
    return am_error_set(err, AM_ERR_INVALID, "crystallinity: %zu atoms, expected at least 2", atoms->n);
  const size_t n = atoms->n;
  AmVoronoi vor = {0};
  AmStatus st = am_voronoi_compute(&vor, box, atoms, -1.0, err);
  if (st) {
    am_error_prefix(err, "crystallinity: ");
    return st;
  }
  double *q4 = q4_avg ? q4_avg : malloc(n * sizeof *q4);
  double *q6 = q6_avg ? q6_avg : malloc(n * sizeof *q6);
  if (!q4 || !q6) {
    st = am_error_set(err, AM_ERR_NOMEM, "crystallinity: out of memory for %zu atoms", n);
    goto done;
  }
  st = am_bond_order_voronoi(&vor, 4, false, NULL, q4, err);
  if (!st)
    st = am_bond_order_voronoi(&vor, 6, false, NULL, q6, err);
  if (st) {
    am_error_prefix(err, "crystallinity: ");
    goto done;
  }
  size_t ordered = 0, bcc = 0;
  double s4 = 0.0, s6 = 0.0;
  for (size_t i = 0; i < n; i++) {
    s4 += q4[i];
    s6 += q6[i];
    if (q6[i] >= q6_min) {
      ordered++;
      if (q4[i] <= q4_max)
        bcc++;
    }
  }
  *out = (AmCrystallinity){
      .n = n,
      .mean_q4 = s4 / (double)n,
      .mean_q6 = s6 / (double)n,
      .ordered_fraction = (double)ordered / (double)n,
      .bcc_fraction = (double)bcc / (double)n,
      .mean_faces = (double)vor.nfaces / (double)n,
      .crystalline = (double)ordered / (double)n > max_fraction,
  };
done:
  if (q4 != q4_avg)
    free(q4);
  if (q6 != q6_avg)
    free(q6);
  am_voronoi_free(&vor);
  return st;
}
