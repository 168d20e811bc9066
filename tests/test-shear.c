/* test-shear.c: the prescribed tilt and the affine remap: γ(t) exactly as prescribed at
 * every step, remapped positions and accumulated affine displacements exactly as the
 * formulas say, the virial of a step belonging to that step's box, and a crystal's shear
 * stress answering the strain in phase with the right sign. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sim/data_file.h"
#include "sim/eam.h"
#include "sim/integrate.h"
#include "sim/rng.h"
#include "sim/shear.h"
#include "sim/thermo.h"
#include "sim/units.h"
#include "test-util.h"

static AmEam *potential;

static void must(AmStatus st, const AmError *err)
{
  if (st)
    g_error("%s: %s", am_status_name(st), err->message);
}

static void load_liquid(AmSystem *sys)
{
  char *path = source_path("tests/data/md-reference/liquid-1500.data");
  AmError err = {0};
  AmBox box;
  AmAtoms atoms = {0};
  AmDataInfo info;
  must(am_data_read(path, &box, &atoms, &info, &err), &err);
  g_free(path);
  am_system_init(sys, potential, 1.0);
  sys->box = box;
  sys->atoms = atoms;
  static const char *const elements[] = {"Cu", "Zr"};
  must(am_system_bind_types(sys, elements, &err), &err);
}

/* FCC Cu, cells³ unit cells of lattice constant a, as LAMMPS `lattice fcc a` fills a box. */
static void make_fcc_cu(AmSystem *sys, int cells, double a)
{
  AmError err = {0};
  am_system_init(sys, potential, 1.0);
  const double lo[3] = {0, 0, 0}, hi[3] = {cells * a, cells * a, cells * a};
  am_box_set(&sys->box, lo, hi, 0, 0, 0);
  AmAtoms *at = &sys->atoms;
  must(am_atoms_resize(at, (size_t) 4 * cells * cells * cells, &err), &err);
  at->ntypes = 1;
  static const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
  size_t n = 0;
  for (int i = 0; i < cells; i++)
    for (int j = 0; j < cells; j++)
      for (int k = 0; k < cells; k++)
        for (int b = 0; b < 4; b++) {
          at->id[n] = (int64_t) n + 1;
          at->type[n] = 0;
          at->x[3 * n] = (i + basis[b][0]) * a;
          at->x[3 * n + 1] = (j + basis[b][1]) * a;
          at->x[3 * n + 2] = (k + basis[b][2]) * a;
          n++;
        }
  static const char *const elements[] = {"Cu"};
  must(am_system_bind_types(sys, elements, &err), &err);
}

/* Numbers from tests/data/make-md-reference.sh (fcc-cu-shear.ref). */
static double ref_value(const char *key)
{
  char *path = source_path("tests/data/md-reference/fcc-cu-shear.ref");
  char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_free(path);
  double v = NAN;
  char **lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l; l++) {
    char **f = g_strsplit(*l, " ", 2);
    if (f[0] && f[1] && !strcmp(f[0], key))
      v = g_ascii_strtod(f[1], NULL);
    g_strfreev(f);
  }
  g_strfreev(lines);
  g_free(text);
  g_assert_true(isfinite(v));
  return v;
}

static void test_strain_function(void)
{
  AmError err = {0};
  AmBox box;
  const double lo[3] = {1, 2, 3}, hi[3] = {11, 22, 33};
  am_box_set(&box, lo, hi, 0.5, 0, 0);
  AmShearState st;
  am_shear_begin(&st, &box, 4.0);
  AmShearConfig sin_cfg = {.mode = AM_SHEAR_SINUSOIDAL, .amplitude = 0.01, .period = 8.0};
  must(am_shear_config_validate(&sin_cfg, &err), &err);
  g_assert_cmpfloat(am_shear_strain(&sin_cfg, &st, 4.0), ==, 0.0);
  g_assert_cmpfloat(fabs(am_shear_strain(&sin_cfg, &st, 6.0) - 0.01), <, 1e-15);
  g_assert_cmpfloat(fabs(am_shear_strain(&sin_cfg, &st, 10.0) + 0.01), <, 1e-15);
  g_assert_cmpfloat(fabs(am_shear_tilt(&sin_cfg, &st, 6.0) - (0.5 + 0.01 * 20)), <, 1e-14);
  AmShearConfig rate = {.mode = AM_SHEAR_CONSTANT_RATE, .rate = 1e-3};
  g_assert_cmpfloat(fabs(am_shear_strain(&rate, &st, 14.0) - 1e-2), <, 1e-15);
  g_assert_cmpfloat(fabs(am_shear_tilt(&rate, &st, 14.0) - (0.5 + 0.2)), <, 1e-14);
  AmShearConfig none = {.mode = AM_SHEAR_NONE};
  g_assert_cmpfloat(am_shear_strain(&none, &st, 14.0), ==, 0.0);
  AmShearConfig bad = {.mode = AM_SHEAR_SINUSOIDAL, .amplitude = 0.01, .period = 0};
  g_assert_cmpint(am_shear_config_validate(&bad, &err), ==, AM_ERR_INVALID);
  bad.period = 1;
  bad.amplitude = NAN;
  g_assert_cmpint(am_shear_config_validate(&bad, &err), ==, AM_ERR_INVALID);
  AmShearConfig bad_rate = {.mode = AM_SHEAR_CONSTANT_RATE, .rate = INFINITY};
  g_assert_cmpint(am_shear_config_validate(&bad_rate, &err), ==, AM_ERR_INVALID);
  AmShearConfig bad_mode = {.mode = (AmShearMode) 42};
  g_assert_cmpint(am_shear_config_validate(&bad_mode, &err), ==, AM_ERR_INVALID);
}

/* The remap of a tilt change is x += Δxy·(y − y_lo)/L_y, and the affine record gains that
 * plus Δxy·n_y: the displacement of the unwrapped position. */
static void test_remap_formula(void)
{
  AmError err = {0};
  AmAtoms a = {0};
  must(am_atoms_resize(&a, 1000, &err), &err);
  a.ntypes = 1;
  a.mass[0] = 1;
  AmBox old;
  const double lo[3] = {-3, 2, 5}, hi[3] = {17, 25, 24};
  am_box_set(&old, lo, hi, 1.5, 0, 0);
  AmRng r;
  am_rng_init(&r, 1, 2);
  for (size_t i = 0; i < a.n; i++) {
    const double s[3] = {am_rng_uniform(&r), am_rng_uniform(&r), am_rng_uniform(&r)};
    am_box_from_frac(&old, s, a.x + 3 * i);
    for (int k = 0; k < 3; k++) {
      a.image[3 * i + k] = (int32_t) (am_rng_next_u64(&r) % 7) - 3;
      a.affine[3 * i + k] = am_rng_normal(&r);
    }
    a.pinned[i] = i % 10 == 0;
    if (a.pinned[i])
      am_box_to_frac(&old, a.x + 3 * i, a.pin_frac + 3 * i);
  }
  AmAtoms before = {0};
  must(am_atoms_copy(&before, &a, &err), &err);
  AmBox nb = old;
  nb.xy += 0.37;
  am_shear_remap(&old, &nb, &a);
  for (size_t i = 0; i < a.n; i++) {
    const double *x0 = before.x + 3 * i, *x1 = a.x + 3 * i;
    const double fy = (x0[1] - old.lo[1]) / old.ly;
    g_assert_cmpfloat(fabs(x1[0] - (x0[0] + 0.37 * fy)), <, 1e-12);
    g_assert_cmpfloat(fabs(x1[1] - x0[1]), <, 1e-12);
    g_assert_cmpfloat(fabs(x1[2] - x0[2]), <, 1e-12);
    const double ny = before.image[3 * i + 1];
    g_assert_cmpfloat(fabs(a.affine[3 * i] - before.affine[3 * i] - 0.37 * (fy + ny)), <, 1e-12);
    g_assert_cmpfloat(fabs(a.affine[3 * i + 1] - before.affine[3 * i + 1]), <, 1e-15);
    g_assert_cmpfloat(fabs(a.affine[3 * i + 2] - before.affine[3 * i + 2]), <, 1e-15);
  }
  /* Any change of the box (lengths, origin, all tilts): the affine record gains exactly the
   * change of the unwrapped position. */
  must(am_atoms_copy(&before, &a, &err), &err);
  AmBox gb = nb;
  gb.lo[0] -= 0.2;
  gb.lo[2] += 0.1;
  gb.lx *= 1.01;
  gb.ly *= 0.98;
  gb.lz *= 1.02;
  gb.xz = 0.4;
  gb.yz = -0.3;
  am_shear_remap(&nb, &gb, &a);
  for (size_t i = 0; i < a.n; i++) {
    double u0[3], u1[3];
    am_box_unwrap(&nb, before.x + 3 * i, before.image + 3 * i, u0);
    am_box_unwrap(&gb, a.x + 3 * i, a.image + 3 * i, u1);
    double s0[3], s1[3];
    am_box_to_frac(&nb, before.x + 3 * i, s0);
    am_box_to_frac(&gb, a.x + 3 * i, s1);
    for (int k = 0; k < 3; k++) {
      g_assert_cmpfloat(fabs((u1[k] - u0[k]) - (a.affine[3 * i + k] - before.affine[3 * i + k])), <, 1e-11);
      g_assert_cmpfloat(fabs(s1[k] - s0[k]), <, 1e-12);
    }
  }
  am_atoms_free(&a);
  am_atoms_free(&before);
}

/* NVE with sinusoidal shear: at every step the tilt is the prescribed one, the virial is the
 * one of the current box and positions, and the unwrapped motion minus the affine record is
 * exactly what the velocities carried: Δu − ΔA = dt·v(n+½), v(n+½) = v(n+1) − dt/2·f(n+1)/m. */
static void test_sinusoidal_every_step(void)
{
  AmSystem sys;
  load_liquid(&sys);
  AmError err = {0};
  AmIntegratorConfig cfg;
  const double dt = 0.002, amp = 0.04, tp = 0.6;
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NVE, dt);
  cfg.shear.mode = AM_SHEAR_SINUSOIDAL;
  cfg.shear.amplitude = amp;
  cfg.shear.period = tp;
  sys.time = 3.0;  /* a run that does not start at t = 0 */
  sys.step = 1500;
  AmIntegrator integ;
  must(am_integrator_init(&integ, &cfg, &sys, 0, &err), &err);
  const double xy0 = sys.box.xy, ly = sys.box.ly;
  const AmBox box0 = sys.box;
  const size_t n = sys.atoms.n;
  double *u_prev = g_new(double, 3 * n), *a_prev = g_new(double, 3 * n);
  AmSystem probe;
  am_system_init(&probe, potential, sys.skin);
  memcpy(probe.element_of_type, sys.element_of_type, sizeof probe.element_of_type);
  double max_err_u = 0;
  for (int s = 1; s <= 450; s++) {
    for (size_t i = 0; i < n; i++)
      am_box_unwrap(&sys.box, sys.atoms.x + 3 * i, sys.atoms.image + 3 * i, u_prev + 3 * i);
    memcpy(a_prev, sys.atoms.affine, sizeof(double) * 3 * n);
    must(am_integrator_step(&integ, &sys, &err), &err);
    g_assert_cmpint(sys.step, ==, 1500 + s);
    g_assert_cmpfloat(fabs(sys.time - (3.0 + s * dt)), <, 1e-13);
    const double gamma = amp * sin(2 * M_PI * s * dt / tp);
    g_assert_cmpfloat(fabs(sys.box.xy - (xy0 + gamma * ly)), <, 1e-12);
    g_assert_cmpfloat(fabs(am_integrator_strain(&integ, &sys) - gamma), <, 1e-14);
    /* Only the tilt moves. */
    g_assert_cmpfloat(sys.box.lx, ==, box0.lx);
    g_assert_cmpfloat(sys.box.ly, ==, box0.ly);
    g_assert_cmpfloat(sys.box.lz, ==, box0.lz);
    g_assert_cmpfloat(sys.box.xz, ==, box0.xz);
    g_assert_cmpfloat(sys.box.lo[1], ==, box0.lo[1]);
    for (size_t i = 0; i < n; i++) {
      double u[3];
      am_box_unwrap(&sys.box, sys.atoms.x + 3 * i, sys.atoms.image + 3 * i, u);
      const double c = 0.5 * dt * AM_FTM2V / sys.atoms.mass[sys.atoms.type[i]];
      for (int k = 0; k < 3; k++) {
        const double vhalf = sys.atoms.v[3 * i + k] - c * sys.atoms.f[3 * i + k];
        const double e = (u[k] - u_prev[3 * i + k]) - (sys.atoms.affine[3 * i + k] - a_prev[3 * i + k]) - dt * vhalf;
        max_err_u = fmax(max_err_u, fabs(e));
      }
    }
    if (s % 50 == 0) {
      /* A fresh force call on a copy of this instant reproduces the reported virial. */
      probe.box = sys.box;
      must(am_atoms_copy(&probe.atoms, &sys.atoms, &err), &err);
      am_system_invalidate(&probe);
      must(am_system_compute_forces(&probe, &err), &err);
      for (int k = 0; k < 6; k++)
        g_assert_cmpfloat(fabs(probe.virial[k] - sys.virial[k]), <, 1e-8 * (1 + fabs(sys.virial[k])));
      g_assert_cmpfloat(fabs(probe.pe - sys.pe), <, 1e-9);
    }
  }
  g_test_message("largest |Δu − ΔA − dt·v½| over 450 steps: %.3g Å", max_err_u);
  g_assert_cmpfloat(max_err_u, <, 1e-10);
  /* After 1.5 periods the tilt is back at zero strain, and some atoms crossed the y faces
   * (the image term of the affine record was exercised). */
  g_assert_cmpfloat(fabs(sys.box.xy - xy0), <, 1e-12);
  am_system_free(&probe);
  g_free(u_prev);
  g_free(a_prev);
  am_system_free(&sys);
}

static void test_constant_rate(void)
{
  AmSystem sys;
  load_liquid(&sys);
  AmError err = {0};
  AmIntegratorConfig cfg;
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NVT, 0.002);
  cfg.t_start = cfg.t_stop = 1500;
  cfg.shear.mode = AM_SHEAR_CONSTANT_RATE;
  cfg.shear.rate = 0.5; /* 1/ps: 10 % strain in 0.2 ps */
  AmIntegrator integ;
  must(am_integrator_init(&integ, &cfg, &sys, 0, &err), &err);
  const double xy0 = sys.box.xy, ly = sys.box.ly;
  for (int s = 1; s <= 100; s++) {
    must(am_integrator_step(&integ, &sys, &err), &err);
    g_assert_cmpfloat(fabs(sys.box.xy - (xy0 + 0.5 * s * 0.002 * ly)), <, 1e-12);
  }
  /* Restarting the origin: γ = 0 now, at the current tilt. */
  am_integrator_restart_shear(&integ, &sys);
  g_assert_cmpfloat(am_integrator_strain(&integ, &sys), ==, 0.0);
  const double xy1 = sys.box.xy;
  must(am_integrator_step(&integ, &sys, &err), &err);
  g_assert_cmpfloat(fabs(sys.box.xy - (xy1 + 0.5 * 0.002 * ly)), <, 1e-12);
  am_system_free(&sys);
}

/* A cold FCC Cu crystal (stable with this potential, unlike B2 CuZr, which transforms at
 * low T) under sinusoidal shear. Static: σxy at γ = 0.01 equals LAMMPS'. Dynamic: fit
 * σ = σ0 + a sin ωt + b cos ωt over cycles 2–3 at 10 K; G′ = a/ε_A matches LAMMPS, and
 * G″ = b/ε_A is ≈ 0 as it must be for an elastic solid, whereas LAMMPS, whose stress lags the
 * strain by one step, shows G″ ≈ −G′·ω·dt. */
static void test_crystal_stress_response(void)
{
  AmSystem sys;
  make_fcc_cu(&sys, 4, 3.615);
  AmError err = {0};
  /* Static modulus through the remap and a force call. */
  {
    const AmBox old = sys.box;
    sys.box.xy = 0.01 * sys.box.ly;
    am_shear_remap(&old, &sys.box, &sys.atoms);
    must(am_system_compute_forces(&sys, &err), &err);
    double p[6];
    am_thermo_pressure_tensor(&sys, p);
    g_test_message("FCC Cu, γ = 0.01 at 0 K: Pxy = %.4f bar (LAMMPS %.4f)", p[AM_XY], ref_value("static_pxy"));
    g_assert_cmpfloat(fabs(p[AM_XY] - ref_value("static_pxy")), <, 0.1);
    const AmBox tilted = sys.box;
    sys.box.xy = 0.0;
    am_shear_remap(&tilted, &sys.box, &sys.atoms);
    memset(sys.atoms.affine, 0, sizeof(double) * 3 * sys.atoms.n);
  }
  const double dt = 0.002, amp = 0.01, tp = 2.0, w = 2 * M_PI / tp;
  AmIntegratorConfig cfg;
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NVT, dt);
  cfg.t_start = cfg.t_stop = 10.0;
  must(am_thermo_create_velocities(&sys.atoms, 20.0, 3, 0, &err), &err);
  AmIntegrator integ;
  must(am_integrator_init(&integ, &cfg, &sys, 0, &err), &err);
  must(am_integrator_run(&integ, &sys, 250, &err), &err);
  cfg.shear.mode = AM_SHEAR_SINUSOIDAL;
  cfg.shear.amplitude = amp;
  cfg.shear.period = tp;
  must(am_integrator_init(&integ, &cfg, &sys, 0, &err), &err);
  const double t0 = sys.time;
  const int per = (int) lround(tp / dt);
  must(am_integrator_run(&integ, &sys, per, &err), &err);
  /* Normal equations of the 3-parameter linear fit. */
  double m[3][3] = {{0}}, rhs[3] = {0};
  for (int s = 0; s < 2 * per; s++) {
    must(am_integrator_step(&integ, &sys, &err), &err);
    double sigma[6];
    am_thermo_stress(&sys, sigma);
    const double t = sys.time - t0;
    const double basis[3] = {1.0, sin(w * t), cos(w * t)};
    for (int i = 0; i < 3; i++) {
      rhs[i] += basis[i] * sigma[AM_XY];
      for (int j = 0; j < 3; j++)
        m[i][j] += basis[i] * basis[j];
    }
  }
  /* Cramer's rule (3×3). */
  const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                     m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                     m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  double c[3];
  for (int k = 0; k < 3; k++) {
    double a2[3][3];
    memcpy(a2, m, sizeof a2);
    for (int i = 0; i < 3; i++)
      a2[i][k] = rhs[i];
    c[k] = (a2[0][0] * (a2[1][1] * a2[2][2] - a2[1][2] * a2[2][1]) -
            a2[0][1] * (a2[1][0] * a2[2][2] - a2[1][2] * a2[2][0]) +
            a2[0][2] * (a2[1][0] * a2[2][1] - a2[1][1] * a2[2][0])) /
           det;
  }
  const double g1 = c[1] / amp / AM_BAR_PER_GPA, g2 = c[2] / amp / AM_BAR_PER_GPA;
  const double l1 = ref_value("g1"), l2 = ref_value("g2");
  g_test_message("FCC Cu at 10 K, t_p = 2 ps: G' = %.3f GPa (LAMMPS %.3f), G'' = %.3f GPa (LAMMPS %.3f; its "
                 "one-step lag alone gives -G'wdt = %.3f)",
                 g1, l1, g2, l2, -l1 * w * dt);
  g_assert_cmpfloat(fabs(g1 - l1), <, 1.0);
  g_assert_cmpfloat(fabs(g2), <, 0.2);
  g_assert_cmpfloat(fabs((g2 - l2) - l1 * w * dt), <, 0.25);
  am_system_free(&sys);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  potential = load_shipped_potential();
  g_test_add_func("/sim/shear/strain-function", test_strain_function);
  g_test_add_func("/sim/shear/remap-formula", test_remap_formula);
  g_test_add_func("/sim/shear/sinusoidal-every-step", test_sinusoidal_every_step);
  g_test_add_func("/sim/shear/constant-rate", test_constant_rate);
  g_test_add_func("/sim/shear/crystal-stress-response", test_crystal_stress_response);
  const int rc = g_test_run();
  am_eam_free(potential);
  return rc;
}
