/* voronoi.c: checks the input, hands positions to voro++ (voronoi_cxx.cc) and checks
 * what comes back, so a broken tessellation is an error rather than wrong numbers. */
#include "analysis/voronoi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void am_voronoi_free(AmVoronoi *vor)
{
  free(vor->volume);
  free(vor->theta);
  free(vor->theta_norm);
  free(vor->face_start);
  free(vor->neighbor);
  free(vor->face_area);
  free(vor->bond);
  memset(vor, 0, sizeof *vor);
}

AmStatus am_voronoi_compute(AmVoronoi *vor, const AmBox *box, const AmAtoms *atoms, double min_face_fraction,
                            AmError *err)
{
  AmStatus st = am_box_validate(box, err);
  if (st != AM_OK)
    return am_error_prefix(err, "Voronoi: ");
  const size_t n = atoms->n;
  if (n < 1)
    return am_error_set(err, AM_ERR_INVALID, "Voronoi: no atoms");
  if (min_face_fraction < 0.0)
    min_face_fraction = AM_VORONOI_DEFAULT_MIN_FACE;
  if (!(min_face_fraction < 0.1))
    return am_error_set(err, AM_ERR_INVALID, "Voronoi: face threshold %g must be below 0.1 of the cell surface",
                        min_face_fraction);
  /* voro++ wants coordinates relative to the cell origin, and remaps them itself; giving
   * it fractional-wrapped ones keeps it away from far images of unwrapped atoms. */
  double *x = malloc(3 * n * sizeof *x);
  double *volume = malloc(n * sizeof *volume);
  double *theta = malloc(3 * n * sizeof *theta);
  double *theta_norm = malloc(n * sizeof *theta_norm);
  if (!x || !volume || !theta || !theta_norm) {
    free(x);
    free(volume);
    free(theta);
    free(theta_norm);
    return am_error_set(err, AM_ERR_NOMEM, "Voronoi: cannot allocate for %zu atoms", n);
  }
  for (size_t i = 0; i < n; i++) {
    double s[3];
    const double *r = atoms->x + 3 * i;
    if (!isfinite(r[0]) || !isfinite(r[1]) || !isfinite(r[2])) {
      free(x);
      free(volume);
      free(theta);
      free(theta_norm);
      return am_error_set(err, AM_ERR_NUMERIC, "Voronoi: atom %zu (id %lld) has a non-finite position", i,
                          atoms->id ? (long long) atoms->id[i] : (long long) i + 1);
    }
    am_box_to_frac(box, r, s);
    for (int k = 0; k < 3; k++) {
      s[k] -= floor(s[k]);
      if (s[k] >= 1.0)
        s[k] = 0.0;
    }
    am_box_frac_to_vector(box, s, x + 3 * i);
  }
  const double cell[6] = {box->lx, box->xy, box->ly, box->xz, box->yz, box->lz};
  size_t *face_start = NULL, *neighbor = NULL, nfaces = 0;
  double *face_area = NULL, *bond = NULL;
  char msg[512] = "";
  const int rc = am_voronoi_cxx_tessellate(n, x, cell, min_face_fraction, volume, theta, &face_start, &neighbor,
                                           &face_area, &bond, &nfaces, msg, sizeof msg);
  free(x);
  if (rc != 0) {
    free(volume);
    free(theta);
    free(theta_norm);
    return am_error_set(err, rc == 2 ? AM_ERR_NOMEM : AM_ERR_NUMERIC, "Voronoi: %s", msg);
  }
  /* The cells must tile the box: a shortfall means a cell was cut wrongly (coincident
   * atoms give zero-volume cells), so refuse rather than report odd volumes. */
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double *t = theta + 3 * i;
    theta_norm[i] = sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2]);
    sum += volume[i];
    if (!(volume[i] > 0.0) || !isfinite(theta_norm[i])) {
      st = am_error_set(err, AM_ERR_NUMERIC, "Voronoi: atom %zu (id %lld) has a degenerate cell (volume %g Å³)", i,
                        atoms->id ? (long long) atoms->id[i] : (long long) i + 1, volume[i]);
      break;
    }
  }
  const double vbox = am_box_volume(box);
  if (st == AM_OK && fabs(sum - vbox) > 1e-8 * vbox)
    st = am_error_set(err, AM_ERR_NUMERIC, "Voronoi: cell volumes sum to %.10g Å³, the box holds %.10g Å³", sum,
                      vbox);
  if (st != AM_OK) {
    free(volume);
    free(theta);
    free(theta_norm);
    free(face_start);
    free(neighbor);
    free(face_area);
    free(bond);
    return st;
  }
  am_voronoi_free(vor);
  vor->n = n;
  vor->volume = volume;
  vor->theta = theta;
  vor->theta_norm = theta_norm;
  vor->face_start = face_start;
  vor->neighbor = neighbor;
  vor->face_area = face_area;
  vor->bond = bond;
  vor->nfaces = nfaces;
  vor->min_face = min_face_fraction;
  return AM_OK;
}
