/* test-soft-modes.c: dynamical matrices (analytic EAM Hessian and central differences)
 * and soft modes. Perfect fcc Cu (3 zero modes, all other frequencies real and in the
 * range of copper's phonons); a small Cu–Zr inherent structure reached by FIRE (3 zero
 * modes, D times a vector equals a directional derivative of the forces, default step
 * against a knot-free one, analytic against differences, exact completeness of the
 * participations, thread-count independence); refusal of a structure that is not at a
 * minimum. */
#include <glib.h>
#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "analysis/soft_modes.h"
#include "sim/eam.h"
#include "sim/rng.h"
#include "sim/units.h"

static AmEam *potential;

static void make_fcc(AmSystem *sys, double a, int nc)
{
  static const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
  AmError err = {0};
  am_system_init(sys, potential, 0.5);
  const double lo[3] = {0, 0, 0}, hi[3] = {nc * a, nc * a, nc * a};
  am_box_set(&sys->box, lo, hi, 0, 0, 0);
  g_assert_cmpint(am_atoms_resize(&sys->atoms, 4 * (size_t) nc * nc * nc, &err), ==, AM_OK);
  sys->atoms.ntypes = 1;
  sys->atoms.mass[0] = 63.546;
  strcpy(sys->atoms.type_label[0], "Cu");
  size_t i = 0;
  for (int ix = 0; ix < nc; ix++)
    for (int iy = 0; iy < nc; iy++)
      for (int iz = 0; iz < nc; iz++)
        for (int b = 0; b < 4; b++, i++) {
          sys->atoms.x[3 * i] = (ix + basis[b][0]) * a;
          sys->atoms.x[3 * i + 1] = (iy + basis[b][1]) * a;
          sys->atoms.x[3 * i + 2] = (iz + basis[b][2]) * a;
          sys->atoms.id[i] = (int64_t) i + 1;
          sys->atoms.type[i] = 0;
        }
  g_assert_cmpint(am_system_bind_types(sys, NULL, &err), ==, AM_OK);
}

/* n random Cu/Zr atoms (half each) no closer than 2.1 Å, at a metallic-glass density. */
static void make_random(AmSystem *sys, size_t n, uint64_t seed)
{
  AmError err = {0};
  am_system_init(sys, potential, 0.5);
  const double L = cbrt((double) n / 0.0585);
  const double lo[3] = {0, 0, 0}, hi[3] = {L, L, L};
  am_box_set(&sys->box, lo, hi, 0, 0, 0);
  g_assert_cmpint(am_atoms_resize(&sys->atoms, n, &err), ==, AM_OK);
  sys->atoms.ntypes = 2;
  sys->atoms.mass[0] = 63.546;
  sys->atoms.mass[1] = 91.224;
  strcpy(sys->atoms.type_label[0], "Cu");
  strcpy(sys->atoms.type_label[1], "Zr");
  AmRng rng;
  am_rng_init(&rng, seed, 0);
  for (size_t i = 0; i < n; i++) {
    for (;;) {
      double *x = sys->atoms.x + 3 * i;
      for (int k = 0; k < 3; k++)
        x[k] = L * am_rng_uniform(&rng);
      gboolean ok = TRUE;
      for (size_t j = 0; j < i && ok; j++) {
        double d[3];
        for (int k = 0; k < 3; k++)
          d[k] = x[k] - sys->atoms.x[3 * j + k];
        am_box_minimum_image(&sys->box, d);
        ok = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] > 2.1 * 2.1;
      }
      if (ok)
        break;
    }
    sys->atoms.id[i] = (int64_t) i + 1;
    sys->atoms.type[i] = (int32_t) (i % 2);
  }
  g_assert_cmpint(am_system_bind_types(sys, NULL, &err), ==, AM_OK);
}

static void test_fcc(void)
{
  AmSystem sys;
  make_fcc(&sys, 3.639, 3);
  AmSoftModeConfig cfg;
  am_soft_mode_config_init(&cfg);
  cfg.fraction = 1.0;
  AmSoftModes sm = {0};
  AmError err = {0};
  g_assert_cmpint(am_soft_modes_compute(&sys, &cfg, &sm, &err), ==, AM_OK);
  g_assert_cmpuint(sm.nmodes, ==, 3 * sys.atoms.n - 3);
  g_test_message("fcc Cu 108 atoms: zero modes %.1e %.1e %.1e, lowest %.3f THz, highest %.3f THz, asymmetry %.1e",
                 sm.omega2[0], sm.omega2[1], sm.omega2[2], sm.frequency[0], sm.frequency[sm.nmodes - 1],
                 sm.asymmetry);
  for (size_t k = 0; k < sm.nmodes; k++)
    g_assert_cmpfloat(sm.omega2[3 + k], >, 0.0);
  /* Copper's phonons end near 7.3 THz (neutron data); the Mendelev potential is fitted
   * to its elastic constants, so the top of its spectrum is in the same place. */
  g_assert_cmpfloat(sm.frequency[sm.nmodes - 1], >, 6.0);
  g_assert_cmpfloat(sm.frequency[sm.nmodes - 1], <, 9.0);
  g_assert_cmpfloat(sm.asymmetry, <, 1e-6);
  /* Every atom of a perfect crystal takes an equal share of the full spectrum. */
  for (size_t i = 0; i < sys.atoms.n; i++)
    g_assert_cmpfloat_with_epsilon(sm.participation[i], 1.0 / (double) sys.atoms.n, 1e-10);
  am_soft_modes_free(&sm);
  am_system_free(&sys);
}

static AmSystem glass;

static void minimise_glass(void)
{
  make_random(&glass, 128, 42);
  AmFireConfig fc;
  am_fire_config_init(&fc);
  fc.ftol = 1e-8;
  fc.max_iter = 200000;
  AmFireResult res;
  AmError err = {0};
  g_assert_cmpint(am_fire_minimize(&glass, &fc, &res, &err), ==, AM_OK);
  g_test_message("FIRE: %s after %d iterations, E = %.6f eV/atom, fmax %.1e eV/Å", am_fire_stop_name(res.reason),
                 res.iterations, res.energy_final / 128.0, res.fmax);
  g_assert_cmpint(res.reason, ==, AM_FIRE_STOP_FTOL);
}

static void test_glass_modes(void)
{
  AmSoftModeConfig cfg;
  am_soft_mode_config_init(&cfg);
  AmSoftModes sm = {0};
  AmError err = {0};
  g_assert_cmpint(am_soft_modes_compute(&glass, &cfg, &sm, &err), ==, AM_OK);
  /* 1 % of 381 non-zero modes. */
  g_assert_cmpuint(sm.nmodes, ==, 4);
  double sum = 0.0, pmax = 0.0;
  for (size_t i = 0; i < sm.n; i++) {
    g_assert_cmpfloat(sm.participation[i], >=, 0.0);
    sum += sm.participation[i];
    pmax = fmax(pmax, sm.participation[i]);
  }
  g_assert_cmpfloat_with_epsilon(sum, 1.0, 1e-10);
  g_test_message("glass 128 atoms: zero modes %.1e %.1e %.1e, soft modes %.3f %.3f %.3f %.3f THz, max p %.4f "
                 "(mean %.4f)",
                 sm.omega2[0], sm.omega2[1], sm.omega2[2], sm.frequency[0], sm.frequency[1], sm.frequency[2],
                 sm.frequency[3], pmax, 1.0 / 128);
  /* Soft modes are localised in a glass: some atom takes several times its share. */
  g_assert_cmpfloat(pmax, >, 3.0 / 128);
  am_soft_modes_free(&sm);

  /* All non-zero modes: the translations take m_i/M of each atom's weight, so
   * p_i = (1 − m_i/M)/(n − 1) exactly (completeness of the eigenvectors). */
  cfg.fraction = 1.0;
  g_assert_cmpint(am_soft_modes_compute(&glass, &cfg, &sm, &err), ==, AM_OK);
  double mtot = 0.0;
  for (size_t i = 0; i < glass.atoms.n; i++)
    mtot += glass.atoms.mass[glass.atoms.type[i]];
  for (size_t i = 0; i < glass.atoms.n; i++) {
    const double mi = glass.atoms.mass[glass.atoms.type[i]];
    g_assert_cmpfloat(fabs(sm.participation[i] - (1.0 - mi / mtot) / 127.0), <, 1e-10);
  }
  for (size_t k = 0; k < sm.nmodes; k++)
    g_assert_cmpfloat(sm.omega2[3 + k], >, 0.0);
  am_soft_modes_free(&sm);
}

/* The tabulated potential (LAMMPS-style cubic splines, knots every 7.6e-4 Å) is only
 * C¹ at the knots, so its Hessian jumps there by ~1e-3 of a pair's term. A step of
 * 1e-7 Å crosses almost no knot, so there the matrix must be symmetric and linear to
 * round-off: D (M^½ v) = M^−½ H v with H v = −(F(x + εv) − F(x − εv)) / 2ε. */
static void test_directional(void)
{
  const size_t n3 = 3 * glass.atoms.n;
  AmError err = {0};
  double *d = g_new(double, n3 * n3);
  double asym;
  g_assert_cmpint(am_dynamical_matrix(&glass, 1e-7, d, &asym, &err), ==, AM_OK);
  g_test_message("asymmetry of the central-difference matrix at h = 1e-7 Å: %.2e", asym);
  g_assert_cmpfloat(asym, <, 1e-7);
  for (size_t a = 0; a < n3; a++)
    for (size_t b = 0; b < a; b++)
      g_assert_cmpfloat(d[a * n3 + b], ==, d[b * n3 + a]);
  AmRng rng;
  am_rng_init(&rng, 9, 0);
  double *v = g_new(double, n3), *fp = g_new(double, n3), *fm = g_new(double, n3), *x0 = g_new(double, n3);
  memcpy(x0, glass.atoms.x, n3 * sizeof *x0);
  for (size_t a = 0; a < n3; a++)
    v[a] = am_rng_normal(&rng);
  const double eps = 1e-7;
  for (size_t a = 0; a < n3; a++)
    glass.atoms.x[a] = x0[a] + eps * v[a];
  g_assert_cmpint(am_system_compute_forces(&glass, &err), ==, AM_OK);
  memcpy(fp, glass.atoms.f, n3 * sizeof *fp);
  for (size_t a = 0; a < n3; a++)
    glass.atoms.x[a] = x0[a] - eps * v[a];
  g_assert_cmpint(am_system_compute_forces(&glass, &err), ==, AM_OK);
  memcpy(fm, glass.atoms.f, n3 * sizeof *fm);
  memcpy(glass.atoms.x, x0, n3 * sizeof *x0);
  g_assert_cmpint(am_system_compute_forces(&glass, &err), ==, AM_OK);
  double worst = 0.0, scale = 0.0;
  for (size_t a = 0; a < n3; a++) {
    const double ma = glass.atoms.mass[glass.atoms.type[a / 3]];
    double dv = 0.0;
    for (size_t b = 0; b < n3; b++)
      dv += d[a * n3 + b] * sqrt(glass.atoms.mass[glass.atoms.type[b / 3]]) * v[b];
    const double hv = -(fp[a] - fm[a]) / (2.0 * eps) / sqrt(ma);
    worst = fmax(worst, fabs(dv - hv));
    scale = fmax(scale, fabs(hv));
  }
  g_test_message("D·v against directional derivative: worst %.2e of %.2e", worst, scale);
  /* Moving all atoms at once crosses a few knots even at 1e-7 Å (~1e-3 of the ~5000
   * pair distances), which costs ~1e-5 here; a wrong index or mass would cost O(1). */
  g_assert_cmpfloat(worst, <, 1e-4 * scale);
  g_free(v);
  g_free(fp);
  g_free(fm);
  g_free(x0);
  g_free(d);
}

/* The default step, 1e-4 Å, averages over the knot jumps; it must agree with the
 * knot-free 1e-7 Å matrix to the size of those jumps, and give the same soft modes. */
static void test_step(void)
{
  const size_t n3 = 3 * glass.atoms.n;
  AmError err = {0};
  double *a = g_new(double, n3 * n3), *b = g_new(double, n3 * n3);
  double asym;
  g_assert_cmpint(am_dynamical_matrix(&glass, 1e-4, a, &asym, &err), ==, AM_OK);
  g_assert_cmpint(am_dynamical_matrix(&glass, 1e-7, b, NULL, &err), ==, AM_OK);
  double diff = 0.0, dmax = 0.0;
  for (size_t k = 0; k < n3 * n3; k++) {
    diff = fmax(diff, fabs(a[k] - b[k]));
    dmax = fmax(dmax, fabs(b[k]));
  }
  g_test_message("h = 1e-4 Å: asymmetry %.2e, largest difference from h = 1e-7 Å %.2e of %.2e", asym, diff, dmax);
  g_assert_cmpfloat(asym, <, 1e-3);
  g_assert_cmpfloat(diff, <, 1e-3 * dmax);
  g_free(a);
  g_free(b);
  AmSoftModeConfig cfg;
  am_soft_mode_config_init(&cfg);
  cfg.minimise = false;
  cfg.method = AM_HESSIAN_FINITE_DIFFERENCE;
  AmSoftModes s4 = {0}, s7 = {0};
  g_assert_cmpint(am_soft_modes_compute(&glass, &cfg, &s4, &err), ==, AM_OK);
  cfg.h = 1e-7;
  g_assert_cmpint(am_soft_modes_compute(&glass, &cfg, &s7, &err), ==, AM_OK);
  for (size_t k = 0; k < s4.nmodes; k++) {
    g_test_message("soft mode %zu: %.5f THz (h = 1e-4), %.5f THz (h = 1e-7)", k, s4.frequency[k], s7.frequency[k]);
    g_assert_cmpfloat(fabs(s4.frequency[k] / s7.frequency[k] - 1.0), <, 1e-2);
  }
  double pd = 0.0;
  for (size_t i = 0; i < s4.n; i++)
    pd = fmax(pd, fabs(s4.participation[i] - s7.participation[i]));
  g_test_message("largest participation difference %.2e", pd);
  g_assert_cmpfloat(pd, <, 2e-3);
  am_soft_modes_free(&s4);
  am_soft_modes_free(&s7);
}

/* The analytic EAM Hessian against central differences at 1e-7 Å (knot-free, see
 * above): equal to the difference scheme's round-off, on the glass and on fcc. */
static void compare_analytic(AmSystem *sys, const char *what, double tol)
{
  const size_t n3 = 3 * sys->atoms.n;
  AmError err = {0};
  double *a = g_new(double, n3 * n3), *f = g_new(double, n3 * n3);
  g_assert_cmpint(am_dynamical_matrix_analytic(sys, a, &err), ==, AM_OK);
  g_assert_cmpint(am_dynamical_matrix(sys, 1e-7, f, NULL, &err), ==, AM_OK);
  double diff = 0.0, dmax = 0.0, asym = 0.0;
  size_t big = 0;
  for (size_t k = 0; k < n3 * n3; k++) {
    const double e = fabs(a[k] - f[k]);
    diff = fmax(diff, e);
    dmax = fmax(dmax, fabs(f[k]));
    if (e > 1e-6 * 0.15)
      big++;
  }
  for (size_t x = 0; x < n3; x++)
    for (size_t y = 0; y < x; y++)
      asym = fmax(asym, fabs(a[x * n3 + y] - a[y * n3 + x]));
  g_test_message("%s: analytic vs difference Hessian: largest difference %.2e of %.2e (%zu elements above 1.5e-7), "
                 "analytic asymmetry %.1e",
                 what, diff, dmax, big, asym);
  g_assert_cmpfloat(asym, <, 1e-12 * dmax);
  g_assert_cmpfloat(diff, <, tol * dmax);
  g_free(a);
  g_free(f);
}

static void test_analytic(void)
{
  compare_analytic(&glass, "glass", 1e-6);
  AmSystem sys;
  make_fcc(&sys, 3.639, 3);
  compare_analytic(&sys, "fcc", 1e-6);
  /* The soft modes through the default (analytic) path equal the difference path's. */
  AmSoftModeConfig cfg;
  am_soft_mode_config_init(&cfg);
  g_assert_cmpint(cfg.method, ==, AM_HESSIAN_ANALYTIC);
  cfg.minimise = false;
  AmSoftModes sa = {0}, sf = {0};
  AmError err = {0};
  g_assert_cmpint(am_soft_modes_compute(&glass, &cfg, &sa, &err), ==, AM_OK);
  cfg.method = AM_HESSIAN_FINITE_DIFFERENCE;
  cfg.h = 1e-7;
  g_assert_cmpint(am_soft_modes_compute(&glass, &cfg, &sf, &err), ==, AM_OK);
  for (size_t k = 0; k < sa.nmodes; k++)
    g_assert_cmpfloat(fabs(sa.frequency[k] / sf.frequency[k] - 1.0), <, 1e-5);
  for (size_t i = 0; i < sa.n; i++)
    g_assert_cmpfloat(fabs(sa.participation[i] - sf.participation[i]), <, 1e-6);
  am_soft_modes_free(&sa);
  am_soft_modes_free(&sf);
  am_system_free(&sys);
}

static void test_threads(void)
{
#ifdef _OPENMP
  const size_t n3 = 3 * glass.atoms.n;
  AmError err = {0};
  double *a = g_new(double, n3 * n3), *b = g_new(double, n3 * n3);
  const int before = omp_get_max_threads();
  omp_set_num_threads(1);
  g_assert_cmpint(am_dynamical_matrix(&glass, 1e-4, a, NULL, &err), ==, AM_OK);
  omp_set_num_threads(2);
  g_assert_cmpint(am_dynamical_matrix(&glass, 1e-4, b, NULL, &err), ==, AM_OK);
  omp_set_num_threads(before);
  g_assert_cmpint(memcmp(a, b, n3 * n3 * sizeof *a), ==, 0);
  g_free(a);
  g_free(b);
#else
  g_test_skip("built without OpenMP");
#endif
}

static void test_not_minimum(void)
{
  AmSystem sys;
  make_random(&sys, 64, 7);
  AmSoftModeConfig cfg;
  am_soft_mode_config_init(&cfg);
  cfg.minimise = false;
  AmSoftModes sm = {0};
  AmError err = {0};
  g_assert_cmpint(am_soft_modes_compute(&sys, &cfg, &sm, &err), ==, AM_ERR_NUMERIC);
  g_test_message("unminimised: %s", err.message);
  g_assert_null(sm.participation);
  cfg.fraction = 0.0;
  g_assert_cmpint(am_soft_modes_compute(&sys, &cfg, &sm, &err), ==, AM_ERR_INVALID);
  double dummy[9];
  g_assert_cmpint(am_dynamical_matrix(&sys, 0.0, dummy, NULL, &err), ==, AM_ERR_INVALID);
  am_system_free(&sys);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  const char *src = g_getenv("AMORPH_SOURCE_DIR");
  g_assert_nonnull(src);
  char *path = g_build_filename(src, "data", "potentials", "CuZr_mm.eam.fs", NULL);
  AmError err = {0};
  if (am_eam_load(path, AM_EAM_FS, &potential, &err) != AM_OK)
    g_error("%s", err.message);
  g_free(path);
  g_test_add_func("/analysis/soft-modes/fcc", test_fcc);
  g_test_add_func("/analysis/soft-modes/minimise-glass", minimise_glass);
  g_test_add_func("/analysis/soft-modes/glass-modes", test_glass_modes);
  g_test_add_func("/analysis/soft-modes/directional", test_directional);
  g_test_add_func("/analysis/soft-modes/step", test_step);
  g_test_add_func("/analysis/soft-modes/analytic", test_analytic);
  g_test_add_func("/analysis/soft-modes/threads", test_threads);
  g_test_add_func("/analysis/soft-modes/not-minimum", test_not_minimum);
  const int rc = g_test_run();
  am_system_free(&glass);
  am_eam_free(potential);
  return rc;
}
