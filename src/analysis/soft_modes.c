/* soft_modes.c: finite-difference dynamical matrix and its lowest eigenmodes. */
#include "analysis/soft_modes.h"

#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "sim/units.h"

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

void am_soft_mode_config_init(AmSoftModeConfig *cfg)
{
  memset(cfg, 0, sizeof *cfg);
  cfg->h = AM_SOFT_MODES_DEFAULT_H;
  cfg->fraction = AM_SOFT_MODES_DEFAULT_FRACTION;
  cfg->zero_modes = 3;
  cfg->minimise = true;
  am_fire_config_init(&cfg->fire);
  cfg->fire.ftol = 1e-8;
  cfg->fire.max_iter = 200000;
  cfg->zero_tolerance = 1e-6;
}

void am_soft_modes_free(AmSoftModes *modes)
{
  free(modes->omega2);
  free(modes->frequency);
  free(modes->participation);
  free(modes->modes);
  memset(modes, 0, sizeof *modes);
}

AmStatus am_dynamical_matrix(AmSystem *sys, double h, double *d, double *asymmetry, AmError *err)
{
  const size_t n = sys->atoms.n;
  if (n == 0)
    return am_error_set(err, AM_ERR_INVALID, "dynamical matrix: no atoms");
  if (!(h > 0.0 && h <= 0.05))
    return am_error_set(err, AM_ERR_INVALID, "dynamical matrix: step %g Å outside (0, 0.05]", h);
  const size_t n3 = 3 * n;
  if (n3 > SIZE_MAX / n3 / sizeof(double))
    return am_error_set(err, AM_ERR_INVALID, "dynamical matrix: %zu atoms need more memory than can be addressed", n);
  for (size_t i = 0; i < n; i++)
    if (!(sys->atoms.mass[sys->atoms.type[i]] > 0.0))
      return am_error_set(err, AM_ERR_INVALID, "dynamical matrix: atom %zu has no positive mass", i);

  int nthreads = 1;
#ifdef _OPENMP
  nthreads = omp_get_max_threads();
#endif
  if ((size_t) nthreads > n3)
    nthreads = (int) n3;
  AmSystem *work = calloc((size_t) nthreads, sizeof *work);
  double *fbuf = malloc((size_t) nthreads * 2 * n3 * sizeof *fbuf);
  double *rsqm = malloc(n3 * sizeof *rsqm);
  if (!work || !fbuf || !rsqm) {
    free(work);
    free(fbuf);
    free(rsqm);
    return am_error_set(err, AM_ERR_NOMEM, "dynamical matrix: cannot allocate scratch for %zu atoms", n);
  }
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < 3; c++)
      rsqm[3 * i + c] = 1.0 / sqrt(sys->atoms.mass[sys->atoms.type[i]]);
  AmStatus st = AM_OK;
  for (int t = 0; t < nthreads && st == AM_OK; t++) {
    am_system_init(&work[t], sys->potential, sys->skin);
    st = am_system_copy(&work[t], sys, err);
    work[t].compute_flags = 0;
  }
  AmError terr = {0};
  AmStatus shared = st;
  if (st == AM_OK) {
    /* One system per thread: each displaced coordinate is an independent force call,
     * and the engine runs single-threaded inside this (non-nested) team. */
#pragma omp parallel num_threads(nthreads)
    {
      int tid = 0;
#ifdef _OPENMP
      tid = omp_get_thread_num();
#endif
      AmSystem *w = &work[tid];
      double *fp = fbuf + (size_t) tid * 2 * n3, *fm = fp + n3;
      AmError lerr = {0};
#pragma omp for schedule(dynamic, 3)
      for (size_t a = 0; a < n3; a++) {
        AmStatus s;
#pragma omp atomic read
        s = shared;
        if (s != AM_OK)
          continue;
        const double x0 = w->atoms.x[a];
        w->atoms.x[a] = x0 + h;
        s = am_system_compute_forces(w, &lerr);
        if (s == AM_OK) {
          memcpy(fp, w->atoms.f, n3 * sizeof *fp);
          w->atoms.x[a] = x0 - h;
          s = am_system_compute_forces(w, &lerr);
          memcpy(fm, w->atoms.f, n3 * sizeof *fm);
        }
        w->atoms.x[a] = x0;
        if (s != AM_OK) {
#pragma omp critical(am_soft_modes_error)
          {
            if (shared == AM_OK) {
              shared = s;
              terr = lerr;
            }
          }
          continue;
        }
        double *row = d + a * n3;
        const double scale = -rsqm[a] / (2.0 * h);
        for (size_t b = 0; b < n3; b++)
          row[b] = scale * (fp[b] - fm[b]) * rsqm[b];
      }
    }
    if (shared != AM_OK) {
      st = shared;
      if (err)
        *err = terr;
      am_error_prefix(err, "dynamical matrix: ");
    }
  }
  for (int t = 0; t < nthreads; t++)
    am_system_free(&work[t]);
  free(work);
  free(fbuf);
  free(rsqm);
  if (st != AM_OK)
    return st;
  /* Central differences leave an O(h²) asymmetry; the eigen-solver reads one triangle,
   * so symmetrise and say how large it was. */
  double amax = 0.0, dmax = 0.0;
  for (size_t a = 0; a < n3; a++)
    for (size_t b = a; b < n3; b++) {
      const double x = d[a * n3 + b], y = d[b * n3 + a];
      if (!isfinite(x) || !isfinite(y))
        return am_error_set(err, AM_ERR_NUMERIC, "dynamical matrix: element (%zu, %zu) is not finite", a, b);
      amax = fmax(amax, fabs(x - y));
      dmax = fmax(dmax, fmax(fabs(x), fabs(y)));
      d[a * n3 + b] = d[b * n3 + a] = 0.5 * (x + y);
    }
  if (asymmetry)
    *asymmetry = dmax > 0.0 ? amax / dmax : 0.0;
  return am_system_compute_forces(sys, err);
}

AmStatus am_soft_modes_compute(const AmSystem *sys, const AmSoftModeConfig *cfg, AmSoftModes *out, AmError *err)
{
  const size_t n = sys->atoms.n;
  const size_t n3 = 3 * n;
  if (!(cfg->fraction > 0.0 && cfg->fraction <= 1.0))
    return am_error_set(err, AM_ERR_INVALID, "soft modes: fraction %g outside (0, 1]", cfg->fraction);
  if (cfg->zero_modes < 0 || (size_t) cfg->zero_modes >= n3)
    return am_error_set(err, AM_ERR_INVALID, "soft modes: %d zero modes for %zu degrees of freedom",
                        cfg->zero_modes, n3);
  if (!(cfg->zero_tolerance > 0.0 && cfg->zero_tolerance < 1.0))
    return am_error_set(err, AM_ERR_INVALID, "soft modes: zero tolerance %g outside (0, 1)", cfg->zero_tolerance);
  const size_t nzero = (size_t) cfg->zero_modes;
  size_t nmodes = (size_t) llround(cfg->fraction * (double) (n3 - nzero));
  if (nmodes < 1)
    nmodes = 1;
  if (nmodes > n3 - nzero)
    nmodes = n3 - nzero;
  const size_t m = nzero + nmodes;

  AmSystem w;
  am_system_init(&w, sys->potential, sys->skin);
  AmStatus st = am_system_copy(&w, sys, err);
  w.compute_flags = 0;
  if (st == AM_OK && cfg->minimise) {
    AmFireResult res;
    st = am_fire_minimize(&w, &cfg->fire, &res, err);
    if (st != AM_OK)
      am_error_prefix(err, "soft modes: minimising: ");
  }
  if (st == AM_OK)
    st = am_system_compute_forces(&w, err);
  if (st != AM_OK) {
    am_system_free(&w);
    return st;
  }
  double force_max = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double *f = w.atoms.f + 3 * i;
    force_max = fmax(force_max, sqrt(f[0] * f[0] + f[1] * f[1] + f[2] * f[2]));
  }
  const double energy = w.pe;

  double *d = malloc(n3 * n3 * sizeof *d);
  double *evals = malloc(n3 * sizeof *evals);
  double *z = malloc(n3 * m * sizeof *z);
  lapack_int *isuppz = malloc(2 * m * sizeof *isuppz);
  AmSoftModes res = {0};
  res.omega2 = malloc(m * sizeof *res.omega2);
  res.frequency = malloc(nmodes * sizeof *res.frequency);
  res.participation = calloc(n, sizeof *res.participation);
  res.modes = malloc(n3 * nmodes * sizeof *res.modes);
  if (!d || !evals || !z || !isuppz || !res.omega2 || !res.frequency || !res.participation || !res.modes) {
    st = am_error_set(err, AM_ERR_NOMEM, "soft modes: cannot allocate the %zu × %zu dynamical matrix (%.2f GB)", n3,
                      n3, 8.0 * (double) n3 * (double) n3 / 1e9);
    goto out;
  }
  double t0 = now();
  st = am_dynamical_matrix(&w, cfg->h, d, &res.asymmetry, err);
  res.seconds_matrix = now() - t0;
  if (st != AM_OK)
    goto out;
  double dscale = 0.0;
  for (size_t a = 0; a < n3; a++)
    dscale = fmax(dscale, fabs(d[a * n3 + a]));

  t0 = now();
  lapack_int found = 0;
  const lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'I', 'U', (lapack_int) n3, d, (lapack_int) n3, 0.0,
                                         0.0, 1, (lapack_int) m, 0.0, &found, evals, z, (lapack_int) n3, isuppz);
  res.seconds_eigen = now() - t0;
  if (info != 0 || (size_t) found != m) {
    st = am_error_set(err, AM_ERR_NUMERIC, "soft modes: dsyevr failed (info %d, %d of %zu eigenpairs)", (int) info,
                      (int) found, m);
    goto out;
  }
  /* The skipped modes must be the zero modes and the kept ones positive: otherwise the
   * structure is not a minimum (or has more symmetries than assumed), and the
   * participations would describe the wrong modes. */
  const double tol = cfg->zero_tolerance * dscale;
  for (size_t k = 0; k < nzero; k++)
    if (!(fabs(evals[k]) < tol)) {
      st = am_error_set(err, AM_ERR_NUMERIC,
                        "soft modes: mode %zu has ω² = %.3e eV/(Å²·amu), expected a zero mode (|ω²| < %.1e); "
                        "is this an inherent structure?",
                        k, evals[k], tol);
      goto out;
    }
  if (!(evals[nzero] > tol)) {
    st = am_error_set(err, AM_ERR_NUMERIC,
                      "soft modes: the first mode after %zu zero modes has ω² = %.3e eV/(Å²·amu), expected > %.1e: "
                      "the structure is not at a minimum or has extra zero modes",
                      nzero, evals[nzero], tol);
    goto out;
  }
  memcpy(res.omega2, evals, m * sizeof *evals);
  for (size_t k = 0; k < nmodes; k++) {
    res.frequency[k] = sqrt(evals[nzero + k] * AM_FTM2V) / (2.0 * M_PI);
    const double *e = z + (nzero + k) * n3;
    memcpy(res.modes + k * n3, e, n3 * sizeof *e);
    for (size_t i = 0; i < n; i++)
      res.participation[i] += e[3 * i] * e[3 * i] + e[3 * i + 1] * e[3 * i + 1] + e[3 * i + 2] * e[3 * i + 2];
  }
  for (size_t i = 0; i < n; i++)
    res.participation[i] /= (double) nmodes;
  res.n = n;
  res.nmodes = nmodes;
  res.nzero = (int) nzero;
  res.energy = energy;
  res.fmax = force_max;
  am_soft_modes_free(out);
  *out = res;
  memset(&res, 0, sizeof res);

out:
  am_soft_modes_free(&res);
  free(d);
  free(evals);
  free(z);
  free(isuppz);
  am_system_free(&w);
  return st;
}
