/* rdf.c: partial pair distribution functions by a brute-force nearest-image pair loop. */
#include "analysis/rdf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

AmStatus am_rdf_init(AmRdf *rdf, const AmBox *box, int ntypes, double dr, double rmax, AmError *err)
{
  memset(rdf, 0, sizeof *rdf);
  AmStatus st = am_box_validate(box, err);
  if (st != AM_OK)
    return am_error_prefix(err, "g(r): ");
  if (ntypes < 1 || ntypes > AM_MAX_TYPES)
    return am_error_set(err, AM_ERR_INVALID, "g(r): type count %d outside 1…%d", ntypes, AM_MAX_TYPES);
  if (!(dr > 0.0))
    dr = AM_RDF_DEFAULT_BIN;
  double h[3];
  am_box_heights(box, h);
  const double half = 0.5 * fmin(h[0], fmin(h[1], h[2]));
  if (!(rmax > 0.0))
    rmax = fmin(AM_RDF_DEFAULT_RMAX, half);
  if (!isfinite(dr) || !isfinite(rmax) || rmax > half * (1.0 + 1e-12))
    return am_error_set(err, AM_ERR_INVALID,
                        "g(r): rmax %g Å exceeds half the shortest box height (%g Å), so pairs would be "
                        "counted through more than one image",
                        rmax, half);
  size_t nbins = (size_t) floor(rmax / dr + 1e-9);
  if (nbins < 1)
    return am_error_set(err, AM_ERR_INVALID, "g(r): bin %g Å is wider than rmax %g Å", dr, rmax);
  rdf->ntypes = ntypes;
  rdf->dr = dr;
  rdf->nbins = nbins;
  rdf->rmax = (double) nbins * dr;
  const size_t len = (size_t) ntypes * (size_t) ntypes * nbins;
  rdf->hist = calloc(len, sizeof *rdf->hist);
  rdf->g = calloc(len, sizeof *rdf->g);
  if (!rdf->hist || !rdf->g) {
    am_rdf_free(rdf);
    return am_error_set(err, AM_ERR_NOMEM, "g(r): cannot allocate %zu bins", len);
  }
  return AM_OK;
}

void am_rdf_free(AmRdf *rdf)
{
  free(rdf->hist);
  free(rdf->g);
  memset(rdf, 0, sizeof *rdf);
}

static void update_g(AmRdf *rdf)
{
  const int nt = rdf->ntypes;
  const double frames = (double) rdf->frames;
  for (int a = 0; a < nt; a++)
    for (int b = 0; b < nt; b++) {
      const double pairs_ideal = (double) rdf->count[a] * (double) (rdf->count[b] - (a == b ? 1 : 0));
      const double *hist = rdf->hist + ((size_t) a * nt + b) * rdf->nbins;
      double *g = rdf->g + ((size_t) a * nt + b) * rdf->nbins;
      for (size_t k = 0; k < rdf->nbins; k++) {
        const double r0 = (double) k * rdf->dr, r1 = r0 + rdf->dr;
        const double shell = 4.0 / 3.0 * M_PI * (r1 * r1 * r1 - r0 * r0 * r0);
        const double ideal = frames * pairs_ideal * shell / rdf->volume;
        g[k] = ideal > 0.0 ? hist[k] / ideal : 0.0;
      }
    }
}

AmStatus am_rdf_add_frame(AmRdf *rdf, const AmBox *box, const AmAtoms *atoms, AmError *err)
{
  if (!rdf->hist)
    return am_error_set(err, AM_ERR_INVALID, "g(r): accumulator not initialised");
  AmStatus st = am_box_validate(box, err);
  if (st != AM_OK)
    return am_error_prefix(err, "g(r): ");
  double h[3];
  am_box_heights(box, h);
  if (rdf->rmax > 0.5 * fmin(h[0], fmin(h[1], h[2])) * (1.0 + 1e-12))
    return am_error_set(err, AM_ERR_INVALID, "g(r): rmax %g Å exceeds half the shortest height of this frame's box",
                        rdf->rmax);
  const int nt = rdf->ntypes;
  if (atoms->ntypes > nt)
    return am_error_set(err, AM_ERR_INVALID, "g(r): frame has %d types, accumulator %d", atoms->ntypes, nt);
  const size_t n = atoms->n;
  size_t count[AM_MAX_TYPES] = {0};
  for (size_t i = 0; i < n; i++) {
    const int t = atoms->type[i];
    if (t < 0 || t >= nt)
      return am_error_set(err, AM_ERR_INVALID, "g(r): atom %zu has type %d outside 0…%d", i, t, nt - 1);
    for (int k = 0; k < 3; k++)
      if (!isfinite(atoms->x[3 * i + k]))
        return am_error_set(err, AM_ERR_NUMERIC, "g(r): atom %zu has a non-finite position", i);
    count[t]++;
  }
  if (rdf->frames > 0 && memcmp(count, rdf->count, sizeof count) != 0)
    return am_error_set(err, AM_ERR_INVALID, "g(r): frame's atom counts per type differ from earlier frames");

  double *s = malloc(3 * (n ? n : 1) * sizeof *s);
  if (!s)
    return am_error_set(err, AM_ERR_NOMEM, "g(r): cannot allocate %zu positions", n);
  for (size_t i = 0; i < n; i++)
    am_box_to_frac(box, atoms->x + 3 * i, s + 3 * i);

  const size_t nbins = rdf->nbins;
  const size_t len = (size_t) nt * nt * nbins;
  int nthreads = 1;
#ifdef _OPENMP
  nthreads = omp_get_max_threads();
#endif
  double *local = calloc((size_t) nthreads * len, sizeof *local);
  if (!local) {
    free(s);
    return am_error_set(err, AM_ERR_NOMEM, "g(r): cannot allocate per-thread histograms");
  }
  const double rmax2 = rdf->rmax * rdf->rmax;
  const double inv_dr = 1.0 / rdf->dr;
  /* The ball of radius h_min/2 lies inside the cell centred on the origin, so rounding
   * fractional differences finds the unique image of every pair closer than rmax. */
#pragma omp parallel num_threads(nthreads)
  {
    int tid = 0;
#ifdef _OPENMP
    tid = omp_get_thread_num();
#endif
    double *hl = local + (size_t) tid * len;
#pragma omp for schedule(dynamic, 16)
    for (size_t i = 0; i < n; i++) {
      const int ti = atoms->type[i];
      for (size_t j = i + 1; j < n; j++) {
        double ds[3], d[3];
        for (int k = 0; k < 3; k++)
          ds[k] = s[3 * j + k] - s[3 * i + k] - nearbyint(s[3 * j + k] - s[3 * i + k]);
        am_box_frac_to_vector(box, ds, d);
        const double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
        if (r2 >= rmax2)
          continue;
        size_t bin = (size_t) (sqrt(r2) * inv_dr);
        if (bin >= nbins)
          continue;
        const int tj = atoms->type[j];
        hl[((size_t) ti * nt + tj) * nbins + bin] += 1.0;
        hl[((size_t) tj * nt + ti) * nbins + bin] += 1.0;
      }
    }
  }
  for (int t = 0; t < nthreads; t++)
    for (size_t k = 0; k < len; k++)
      rdf->hist[k] += local[(size_t) t * len + k];
  free(local);
  free(s);
  memcpy(rdf->count, count, sizeof count);
  rdf->volume = (rdf->volume * (double) rdf->frames + am_box_volume(box)) / (double) (rdf->frames + 1);
  rdf->frames++;
  update_g(rdf);
  return AM_OK;
}

AmStatus am_rdf_compute(AmRdf *rdf, const AmBox *box, const AmAtoms *atoms, double dr, double rmax, AmError *err)
{
  int nt = atoms->ntypes > 0 ? atoms->ntypes : 1;
  AmStatus st = am_rdf_init(rdf, box, nt, dr, rmax, err);
  if (st != AM_OK)
    return st;
  st = am_rdf_add_frame(rdf, box, atoms, err);
  if (st != AM_OK)
    am_rdf_free(rdf);
  return st;
}

const double *am_rdf_partial(const AmRdf *rdf, int a, int b)
{
  if (!rdf->g || a < 0 || b < 0 || a >= rdf->ntypes || b >= rdf->ntypes)
    return NULL;
  return rdf->g + ((size_t) a * rdf->ntypes + b) * rdf->nbins;
}

void am_rdf_total(const AmRdf *rdf, double *out)
{
  const int nt = rdf->ntypes;
  size_t n = 0;
  for (int a = 0; a < nt; a++)
    n += rdf->count[a];
  const double frames = (double) rdf->frames;
  for (size_t k = 0; k < rdf->nbins; k++) {
    const double r0 = (double) k * rdf->dr, r1 = r0 + rdf->dr;
    const double shell = 4.0 / 3.0 * M_PI * (r1 * r1 * r1 - r0 * r0 * r0);
    double sum = 0.0;
    for (int a = 0; a < nt; a++)
      for (int b = 0; b < nt; b++)
        sum += rdf->hist[((size_t) a * nt + b) * rdf->nbins + k];
    const double ideal = frames * (double) n * (double) (n > 0 ? n - 1 : 0) * shell / rdf->volume;
    out[k] = ideal > 0.0 ? sum / ideal : 0.0;
  }
}

AmStatus am_rdf_max_deviation(const AmRdf *rdf, double r_min, double r_max, double *dev, AmError *err)
{
  if (!(r_min > 0.0 && r_min < r_max && r_max <= rdf->rmax))
    return am_error_set(err, AM_ERR_INVALID, "g(r) deviation: range %g–%g Å is not inside (0, %g] Å",
                        r_min, r_max, rdf->rmax);
  double *g = malloc(rdf->nbins * sizeof *g);
  if (!g)
    return am_error_set(err, AM_ERR_NOMEM, "g(r) deviation: out of memory");
  am_rdf_total(rdf, g);
  double worst = -1.0;
  for (size_t k = 0; k < rdf->nbins; k++) {
    const double r = am_rdf_r(rdf, k);
    if (r >= r_min && r <= r_max)
      worst = fmax(worst, fabs(g[k] - 1.0));
  }
  free(g);
  if (worst < 0.0)
    return am_error_set(err, AM_ERR_INVALID, "g(r) deviation: no bin of %g Å between %g and %g Å",
                        rdf->dr, r_min, r_max);
  *dev = worst;
  return AM_OK;
}

double am_rdf_r(const AmRdf *rdf, size_t k)
{
  return ((double) k + 0.5) * rdf->dr;
}

AmStatus am_rdf_coordination(const AmRdf *rdf, int a, int b, double radius, double *cn, AmError *err)
{
  if (!rdf->hist || a < 0 || b < 0 || a >= rdf->ntypes || b >= rdf->ntypes)
    return am_error_set(err, AM_ERR_INVALID, "coordination: types %d, %d outside 0…%d", a, b, rdf->ntypes - 1);
  if (!(radius > 0.0 && radius <= rdf->rmax * (1.0 + 1e-12)))
    return am_error_set(err, AM_ERR_INVALID, "coordination: radius %g Å outside (0, %g]", radius, rdf->rmax);
  if (rdf->count[a] == 0 || rdf->frames == 0)
    return am_error_set(err, AM_ERR_INVALID, "coordination: no atoms of type %d", a);
  const double *hist = rdf->hist + ((size_t) a * rdf->ntypes + b) * rdf->nbins;
  double sum = 0.0;
  for (size_t k = 0; k < rdf->nbins; k++) {
    const double r0 = (double) k * rdf->dr;
    if (r0 >= radius)
      break;
    const double frac = fmin(1.0, (radius - r0) / rdf->dr);
    sum += frac * hist[k];
  }
  *cn = sum / ((double) rdf->count[a] * (double) rdf->frames);
  return AM_OK;
}

AmStatus am_rdf_first_peak(const double *y, size_t n, double x0, double dx, double threshold, int halfwidth,
                           double *x_peak, double *y_peak, AmError *err)
{
  if (!y || n < 3 || !(dx > 0.0) || halfwidth < 1)
    return am_error_set(err, AM_ERR_INVALID, "first peak: need ≥ 3 points, dx > 0 and halfwidth ≥ 1");
  for (size_t k = 0; k < n; k++) {
    if (!isfinite(y[k]))
      return am_error_set(err, AM_ERR_NUMERIC, "first peak: point %zu is not finite", k);
  }
  for (size_t k = 0; k < n; k++) {
    if (!(y[k] > threshold))
      continue;
    const size_t lo = k >= (size_t) halfwidth ? k - (size_t) halfwidth : 0;
    const size_t hi = k + (size_t) halfwidth < n ? k + (size_t) halfwidth : n - 1;
    int is_max = 1;
    for (size_t j = lo; j <= hi; j++)
      if (y[j] > y[k] || (j < k && y[j] == y[k])) {
        is_max = 0;
        break;
      }
    if (!is_max)
      continue;
    double shift = 0.0, yv = y[k];
    if (k > 0 && k + 1 < n) {
      const double ym = y[k - 1], yp = y[k + 1];
      const double curv = ym - 2.0 * y[k] + yp;
      if (curv < 0.0) {
        shift = 0.5 * (ym - yp) / curv;
        if (shift > 0.5)
          shift = 0.5;
        if (shift < -0.5)
          shift = -0.5;
        yv = y[k] - 0.25 * (ym - yp) * shift;
      }
    }
    *x_peak = x0 + ((double) k + shift) * dx;
    *y_peak = yv;
    return AM_OK;
  }
  return am_error_set(err, AM_ERR_INVALID, "first peak: no point rises above %g and dominates ±%d points",
                      threshold, halfwidth);
}
