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

#include "sim/eam.h"
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
  /* Row a belongs to coordinate a only while no force call reorders atoms (atoms.h allows
   * an engine to sort them); refuse rather than mix rows up if one ever does. */
  for (int t = 0; t < nthreads && st == AM_OK; t++)
    if (memcmp(work[t].atoms.id, sys->atoms.id, n * sizeof *sys->atoms.id) != 0)
      st = am_error_set(err, AM_ERR_UNSUPPORTED, "dynamical matrix: the force engine reordered the atoms");
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

/* ---- analytic EAM Hessian ------------------------------------------------------------ */

typedef struct {
  const AmEam *eam;
  int a, b;     /* elements, as the am_eam_* functions take them */
  int kind;     /* 0 pair φ, 1 density, 2 embedding */
} Fn;

static double slope(const Fn *fn, double x)
{
  double d = 0.0;
  if (fn->kind == 0)
    am_eam_pair(fn->eam, fn->a, fn->b, x, &d);
  else if (fn->kind == 1)
    am_eam_density(fn->eam, fn->a, fn->b, x, &d);
  else
    am_eam_embedding(fn->eam, fn->a, x, &d);
  return d;
}

/* Second derivative from three slopes inside the spline piece that holds x (pieces
 * start at multiples of spacing, as the engine's lookup has them): the slope of a cubic
 * piece is a quadratic, for which the one-sided three-point rule is exact. φ = z2/r is
 * not a polynomial; its rule error is O(δ²) with δ = 1e-3 of a piece, far below
 * round-off. */
static double second_derivative(const Fn *fn, double x, double spacing)
{
  const double delta = 1e-3 * spacing;
  const double t = x / spacing;
  const double frac = t - floor(t);
  if ((1.0 - frac) * spacing > 2.5 * delta)
    return (-3.0 * slope(fn, x) + 4.0 * slope(fn, x + delta) - slope(fn, x + 2.0 * delta)) / (2.0 * delta);
  return (3.0 * slope(fn, x) - 4.0 * slope(fn, x - delta) + slope(fn, x - 2.0 * delta)) / (2.0 * delta);
}

typedef struct {
  size_t j;
  double d[3]; /* r_j(image) − r_i */
  double r;
} Bond;

/* Adds s·B to the 3 × 3 block (p, q) of the dense matrix. */
static inline void add_block(double *h, size_t n3, size_t p, size_t q, const double b[3][3], double s)
{
  for (int x = 0; x < 3; x++) {
    double *row = h + (3 * p + (size_t) x) * n3 + 3 * q;
    for (int y = 0; y < 3; y++)
      row[y] += s * b[x][y];
  }
}

AmStatus am_dynamical_matrix_analytic(const AmSystem *sys, double *d, AmError *err)
{
  const AmEam *eam = sys->potential;
  const AmAtoms *atoms = &sys->atoms;
  const size_t n = atoms->n, n3 = 3 * n;
  if (!eam)
    return am_error_set(err, AM_ERR_INVALID, "analytic Hessian: the system has no potential");
  if (n == 0)
    return am_error_set(err, AM_ERR_INVALID, "analytic Hessian: no atoms");
  if (n3 > SIZE_MAX / n3 / sizeof(double))
    return am_error_set(err, AM_ERR_INVALID, "analytic Hessian: %zu atoms need more memory than can be addressed", n);
  AmStatus st = am_box_validate(&sys->box, err);
  if (st != AM_OK)
    return am_error_prefix(err, "analytic Hessian: ");
  for (size_t i = 0; i < n; i++) {
    const int t = atoms->type[i];
    if (t < 0 || t >= atoms->ntypes || !(atoms->mass[t] > 0.0))
      return am_error_set(err, AM_ERR_INVALID, "analytic Hessian: atom %zu has type %d without a positive mass", i, t);
    for (int k = 0; k < 3; k++)
      if (!isfinite(atoms->x[3 * i + k]))
        return am_error_set(err, AM_ERR_NUMERIC, "analytic Hessian: atom %zu has a non-finite position", i);
  }
  const double rc = am_eam_cutoff(eam), rc2 = rc * rc;
  double hgt[3];
  am_box_heights(&sys->box, hgt);
  /* Image shells to search: none beyond the nearest image when every height is at least
   * 2 rc (then at most one image of an atom is within rc), else enough to reach rc. */
  int shells[3];
  const bool big = hgt[0] >= 2.0 * rc && hgt[1] >= 2.0 * rc && hgt[2] >= 2.0 * rc;
  for (int k = 0; k < 3; k++)
    shells[k] = big ? 0 : (int) ceil(rc / hgt[k] + 0.5);

  double *s = malloc(n3 * sizeof *s);
  size_t *start = calloc(n + 1, sizeof *start);
  size_t cap = 64 * n, nb = 0;
  Bond *bonds = malloc(cap * sizeof *bonds);
  double *rho = calloc(n, sizeof *rho), *fp = malloc(n * sizeof *fp), *fpp = malloc(n * sizeof *fpp);
  double *grad = calloc(n3, sizeof *grad);
  size_t *touched = malloc(n * sizeof *touched);
  unsigned char *mark = calloc(n, 1);
  if (!s || !start || !bonds || !rho || !fp || !fpp || !grad || !touched || !mark) {
    st = am_error_set(err, AM_ERR_NOMEM, "analytic Hessian: cannot allocate scratch for %zu atoms", n);
    goto out;
  }
  for (size_t i = 0; i < n; i++)
    am_box_to_frac(&sys->box, atoms->x + 3 * i, s + 3 * i);
  for (size_t i = 0; i < n; i++) {
    start[i] = nb;
    for (size_t j = 0; j < n; j++) {
      double ds0[3];
      for (int k = 0; k < 3; k++)
        ds0[k] = s[3 * j + k] - s[3 * i + k] - nearbyint(s[3 * j + k] - s[3 * i + k]);
      for (int a = -shells[0]; a <= shells[0]; a++)
        for (int b = -shells[1]; b <= shells[1]; b++)
          for (int c = -shells[2]; c <= shells[2]; c++) {
            if (j == i && a == 0 && b == 0 && c == 0)
              continue;
            const double ds[3] = {ds0[0] + a, ds0[1] + b, ds0[2] + c};
            double v[3];
            am_box_frac_to_vector(&sys->box, ds, v);
            const double r2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
            if (r2 >= rc2)
              continue;
            if (nb == cap) {
              cap *= 2;
              Bond *grown = realloc(bonds, cap * sizeof *bonds);
              if (!grown) {
                st = am_error_set(err, AM_ERR_NOMEM, "analytic Hessian: cannot grow the pair list");
                goto out;
              }
              bonds = grown;
            }
            Bond *bd = &bonds[nb++];
            bd->j = j;
            memcpy(bd->d, v, sizeof v);
            bd->r = sqrt(r2);
            if (bd->r < 0.5) {
              st = am_error_set(err, AM_ERR_NUMERIC, "analytic Hessian: atoms %zu and %zu are %.3f Å apart", i, j,
                                bd->r);
              goto out;
            }
          }
    }
  }
  start[n] = nb;

  /* Densities and the embedding derivatives at them. */
  for (size_t i = 0; i < n; i++) {
    const int ei = sys->element_of_type[atoms->type[i]];
    for (size_t k = start[i]; k < start[i + 1]; k++) {
      const int ej = sys->element_of_type[atoms->type[bonds[k].j]];
      rho[i] += am_eam_density(eam, ej, ei, bonds[k].r, NULL);
    }
    am_eam_embedding(eam, ei, rho[i], &fp[i]);
    const Fn fe = {eam, ei, 0, 2};
    fpp[i] = second_derivative(&fe, rho[i], eam->drho);
  }

  memset(d, 0, n3 * n3 * sizeof *d);
  for (size_t i = 0; i < n; i++) {
    const int ei = sys->element_of_type[atoms->type[i]];
    size_t nt = 0;
    touched[nt++] = i;
    mark[i] = 1;
    for (size_t k = start[i]; k < start[i + 1]; k++) {
      const Bond *bd = &bonds[k];
      const size_t j = bd->j;
      const int ej = sys->element_of_type[atoms->type[j]];
      const double r = bd->r;
      const double u[3] = {bd->d[0] / r, bd->d[1] / r, bd->d[2] / r};
      /* This ordered bond carries half the pair energy and atom i's embedding share of
       * the density j puts at i. */
      double dphi, drho;
      am_eam_pair(eam, ei, ej, r, &dphi);
      am_eam_density(eam, ej, ei, r, &drho);
      const Fn fphi = {eam, ei, ej, 0}, frho = {eam, ej, ei, 1};
      const double d2phi = second_derivative(&fphi, r, eam->dr);
      const double d2rho = second_derivative(&frho, r, eam->dr);
      const double p1 = 0.5 * dphi + fp[i] * drho;
      const double p2 = 0.5 * d2phi + fp[i] * d2rho;
      double kb[3][3];
      for (int x = 0; x < 3; x++)
        for (int y = 0; y < 3; y++)
          kb[x][y] = (p2 - p1 / r) * u[x] * u[y] + (x == y ? p1 / r : 0.0);
      add_block(d, n3, i, i, kb, 1.0);
      add_block(d, n3, j, j, kb, 1.0);
      add_block(d, n3, i, j, kb, -1.0);
      add_block(d, n3, j, i, kb, -1.0);
      if (!mark[j]) {
        mark[j] = 1;
        touched[nt++] = j;
      }
      for (int x = 0; x < 3; x++) {
        grad[3 * j + x] += drho * u[x];
        grad[3 * i + x] -= drho * u[x];
      }
    }
    /* F''_i ∇ρ_i ⊗ ∇ρ_i over i and its neighbours. */
    for (size_t p = 0; p < nt; p++) {
      const size_t a = touched[p];
      const double *ga = grad + 3 * a;
      for (size_t q = 0; q < nt; q++) {
        const size_t b = touched[q];
        const double *gb = grad + 3 * b;
        for (int x = 0; x < 3; x++) {
          double *row = d + (3 * a + (size_t) x) * n3 + 3 * b;
          const double f = fpp[i] * ga[x];
          row[0] += f * gb[0];
          row[1] += f * gb[1];
          row[2] += f * gb[2];
        }
      }
    }
    for (size_t p = 0; p < nt; p++) {
      const size_t a = touched[p];
      mark[a] = 0;
      grad[3 * a] = grad[3 * a + 1] = grad[3 * a + 2] = 0.0;
    }
  }
  for (size_t a = 0; a < n3; a++) {
    const double ra = 1.0 / sqrt(atoms->mass[atoms->type[a / 3]]);
    double *row = d + a * n3;
    for (size_t b = 0; b < n3; b++) {
      row[b] *= ra / sqrt(atoms->mass[atoms->type[b / 3]]);
      if (!isfinite(row[b])) {
        st = am_error_set(err, AM_ERR_NUMERIC, "analytic Hessian: element (%zu, %zu) is not finite", a, b);
        goto out;
      }
    }
  }

out:
  free(s);
  free(start);
  free(bonds);
  free(rho);
  free(fp);
  free(fpp);
  free(grad);
  free(touched);
  free(mark);
  return st;
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
  /* Participations are reported in the caller's atom order. */
  if (st == AM_OK && memcmp(w.atoms.id, sys->atoms.id, n * sizeof *sys->atoms.id) != 0)
    st = am_error_set(err, AM_ERR_UNSUPPORTED, "soft modes: the minimisation reordered the atoms");
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
  if (cfg->method == AM_HESSIAN_ANALYTIC)
    st = am_dynamical_matrix_analytic(&w, d, err);
  else
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
