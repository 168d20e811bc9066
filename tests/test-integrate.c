/* test-integrate.c: thermodynamic measures, velocity creation and the NVE/NVT/NPT
 * integrator: energy conservation, ensemble averages against their targets and against
 * LAMMPS runs of the same length (tests/data/make-md-reference.sh), pinning,
 * reproducibility, thread independence, ramps and failure modes. */
#include <glib.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "sim/data_file.h"
#include "sim/eam.h"
#include "sim/integrate.h"
#include "sim/thermo.h"
#include "sim/units.h"
#include "test-util.h"

static AmEam *potential;

static void load_system(AmSystem *sys, const char *rel)
{
  char *path = source_path(rel);
  AmError err = {0};
  AmBox box;
  AmAtoms atoms = {0};
  AmDataInfo info;
  if (am_data_read(path, &box, &atoms, &info, &err))
    g_error("%s: %s", path, err.message);
  g_free(path);
  am_system_init(sys, potential, 1.0);
  sys->box = box;
  sys->atoms = atoms;
  static const char *const elements[] = {"Cu", "Zr"};
  if (am_system_bind_types(sys, elements, &err))
    g_error("bind types: %s", err.message);
}

static void load_liquid(AmSystem *sys)
{
  load_system(sys, "tests/data/md-reference/liquid-1500.data");
}

static void must(AmStatus st, const AmError *err)
{
  if (st)
    g_error("%s: %s", am_status_name(st), err->message);
}

/* ---- statistics ---------------------------------------------------------------------------- */

/* Mean and standard error of a series from 10 block averages, as make-md-reference.sh. */
static void block_stats(const double *x, int n, double *mean, double *se)
{
  const int nb = 10, per = n / nb;
  double s = 0;
  for (int i = 0; i < n; i++)
    s += x[i];
  *mean = s / n;
  double ss = 0;
  for (int b = 0; b < nb; b++) {
    double bs = 0;
    for (int i = b * per; i < (b + 1) * per; i++)
      bs += x[i];
    ss += (bs / per - *mean) * (bs / per - *mean);
  }
  *se = sqrt(ss / (nb * (nb - 1)));
}

typedef struct {
  double mean, se;
} Ref;

typedef struct {
  long steps, skip;
  Ref temp, press, pe, vol;
} RefRun;

static void read_ref(const char *rel, RefRun *r)
{
  char *path = source_path(rel);
  FILE *fp = fopen(path, "r");
  g_assert_nonnull(fp);
  char name[32];
  double a, b;
  int found = 0;
  while (fscanf(fp, "%31s %lf", name, &a) == 2) {
    if (!strcmp(name, "steps")) {
      r->steps = (long) a;
      found++;
      continue;
    }
    if (!strcmp(name, "skip")) {
      r->skip = (long) a;
      found++;
      continue;
    }
    g_assert_cmpint(fscanf(fp, "%lf", &b), ==, 1);
    Ref *dst = !strcmp(name, "temp") ? &r->temp : !strcmp(name, "press") ? &r->press : !strcmp(name, "pe") ? &r->pe
               : !strcmp(name, "vol")                                                                       ? &r->vol
                                                                                                            : NULL;
    g_assert_nonnull(dst);
    dst->mean = a;
    dst->se = b;
    found++;
  }
  fclose(fp);
  g_free(path);
  g_assert_cmpint(found, ==, 6);
}

/* Two independent estimates agree when they differ by less than 4 combined standard errors
 * (a 1-in-15000 false alarm for Gaussian errors); floor guards an error estimate of ~0. */
static void assert_agree(const char *what, double a, double sa, double b, double sb, double floor)
{
  const double tol = 4.0 * sqrt(sa * sa + sb * sb + floor * floor);
  g_test_message("%s: Amorph %.6g ± %.3g, reference %.6g ± %.3g (tolerance %.3g)", what, a, sa, b, sb, tol);
  if (!(fabs(a - b) < tol))
    g_error("%s: Amorph %.8g ± %.3g disagrees with %.8g ± %.3g (|Δ| = %.3g ≥ %.3g)", what, a, sa, b, sb,
            fabs(a - b), tol);
}

/* ---- thermo -------------------------------------------------------------------------------- */

static void test_pressure_vs_lammps(void)
{
  /* The golden liquid carries velocities; its .ref holds LAMMPS' full pressure tensor. */
  AmSystem sys;
  load_system(&sys, "tests/data/golden/liquid.data");
  AmError err = {0};
  must(am_system_compute_forces(&sys, &err), &err);
  char *path = source_path("tests/data/golden/liquid.ref");
  FILE *fp = fopen(path, "r");
  g_assert_nonnull(fp);
  double ref[6] = {0};
  char name[32];
  double val;
  const char *keys[6] = {"pxx", "pyy", "pzz", "pxy", "pxz", "pyz"};
  int found = 0;
  while (fscanf(fp, "%31s %lf", name, &val) == 2)
    for (int k = 0; k < 6; k++)
      if (!strcmp(name, keys[k])) {
        ref[k] = val;
        found++;
      }
  fclose(fp);
  g_free(path);
  g_assert_cmpint(found, ==, 6);
  double p[6], sigma[6];
  am_thermo_pressure_tensor(&sys, p);
  am_thermo_stress(&sys, sigma);
  double mvv[6];
  am_thermo_kinetic_tensor(&sys.atoms, mvv);
  g_assert_cmpfloat(mvv[AM_XX], >, 0.0);
  for (int k = 0; k < 6; k++) {
    g_assert_cmpfloat(fabs(p[k] - ref[k]), <, 0.1);
    g_assert_cmpfloat(sigma[k], ==, -p[k]);
  }
  g_assert_cmpfloat(fabs(am_thermo_pressure(&sys) - (ref[0] + ref[1] + ref[2]) / 3), <, 0.1);
  /* Temperature from the same definition as LAMMPS: dof = 3N − 3. */
  g_assert_cmpfloat(am_thermo_dof(&sys.atoms), ==, 3.0 * 250 - 3);
  g_assert_cmpfloat(fabs(am_thermo_temperature(&sys.atoms) -
                         2 * am_thermo_kinetic_energy(&sys.atoms) / (747 * AM_BOLTZ)),
                    <, 1e-9);
  am_system_free(&sys);
}

static void test_create_velocities(void)
{
  AmSystem sys;
  load_liquid(&sys);
  AmAtoms *a = &sys.atoms;
  AmError err = {0};
  for (size_t i = 0; i < a->n; i += 7)
    a->pinned[i] = 1;
  const size_t npin = (a->n + 6) / 7;
  g_assert_cmpuint(am_thermo_count_unpinned(a), ==, a->n - npin);
  g_assert_cmpfloat(am_thermo_dof(a), ==, 3.0 * (a->n - npin) - 3);
  must(am_thermo_create_velocities(a, 300.0, 77, 3, &err), &err);
  g_assert_cmpfloat(fabs(am_thermo_temperature(a) - 300.0), <, 1e-10);
  double p[3];
  am_thermo_momentum(a, p);
  for (int k = 0; k < 3; k++)
    g_assert_cmpfloat(fabs(p[k]), <, 1e-9);
  for (size_t i = 0; i < a->n; i += 7)
    for (int k = 0; k < 3; k++)
      g_assert_cmpfloat(a->v[3 * i + k], ==, 0.0);
  /* Same stream, same velocities; another stream, others. */
  double *v1 = g_memdup2(a->v, sizeof(double) * 3 * a->n);
  must(am_thermo_create_velocities(a, 300.0, 77, 3, &err), &err);
  g_assert_cmpmem(v1, sizeof(double) * 3 * a->n, a->v, sizeof(double) * 3 * a->n);
  must(am_thermo_create_velocities(a, 300.0, 77, 4, &err), &err);
  g_assert_cmpfloat(v1[3], !=, a->v[3]);
  g_free(v1);
  /* Maxwell–Boltzmann: per-type ⟨m v_x²⟩ = k_B T (within sampling error of N≈190 atoms × 3). */
  must(am_thermo_create_velocities(a, 1000.0, 5, 0, &err), &err);
  for (int t = 0; t < 2; t++) {
    double s = 0;
    int cnt = 0;
    for (size_t i = 0; i < a->n; i++)
      if (!a->pinned[i] && a->type[i] == t)
        for (int k = 0; k < 3; k++, cnt++)
          s += a->mass[t] * a->v[3 * i + k] * a->v[3 * i + k] * AM_MVV2E;
    const double ratio = s / cnt / (AM_BOLTZ * 1000.0);
    g_assert_cmpfloat(fabs(ratio - 1.0), <, 5 * sqrt(2.0 / cnt));
  }
  /* Bad input is refused, not turned into numbers. */
  g_assert_cmpint(am_thermo_create_velocities(a, -1.0, 1, 1, &err), ==, AM_ERR_INVALID);
  g_assert_cmpint(am_thermo_create_velocities(a, NAN, 1, 1, &err), ==, AM_ERR_INVALID);
  for (size_t i = 0; i < a->n; i++)
    a->pinned[i] = 1;
  g_assert_cmpfloat(am_thermo_temperature(a), ==, 0.0);
  g_assert_cmpint(am_thermo_create_velocities(a, 300.0, 1, 1, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "degree of freedom"));
  am_system_free(&sys);
}

/* ---- NVE ----------------------------------------------------------------------------------- */

static void test_nve_drift(void)
{
  AmSystem sys;
  load_liquid(&sys);
  AmError err = {0};
  AmIntegratorConfig cfg;
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NVE, 0.002);
  AmIntegrator integ;
  must(am_integrator_init(&integ, &cfg, &sys, 0, &err), &err);
  const double n = (double) sys.atoms.n;
  double p0[3];
  am_thermo_momentum(&sys.atoms, p0);
  /* 10 ps. The drift is the slope of a least-squares line through E(t), times 10 ps; the
   * spread around it is the (bounded) fluctuation of the shadow Hamiltonian. */
  const int steps = 5000, every = 10, ns = steps / every + 1;
  double t_sum = 0, st = 0, se = 0, stt = 0, ste = 0, emin = INFINITY, emax = -INFINITY;
  double e0 = am_integrator_conserved_energy(&integ, &sys);
  for (int k = 0; k <= steps; k++) {
    if (k)
      must(am_integrator_step(&integ, &sys, &err), &err);
    if (k % every)
      continue;
    const double e = (am_integrator_conserved_energy(&integ, &sys) - e0) / n;
    const double t = sys.time;
    st += t;
    se += e;
    stt += t * t;
    ste += t * e;
    emin = fmin(emin, e);
    emax = fmax(emax, e);
    t_sum += am_thermo_temperature(&sys.atoms);
  }
  const double slope = (ns * ste - st * se) / (ns * stt - st * st);
  const double drift = slope * 10.0;
  g_test_message("NVE 10 ps, <T> = %.1f K: drift %.3g eV/atom, fluctuation range %.3g eV/atom", t_sum / ns, drift,
                 emax - emin);
  g_assert_cmpfloat(t_sum / ns, >, 1000.0);
  g_assert_cmpfloat(fabs(drift), <, 1e-4);
  g_assert_cmpfloat(emax - emin, <, 1e-3);
  g_assert_cmpfloat(sys.time, ==, 10.0);
  g_assert_cmpint(sys.step, ==, steps);
  /* Total momentum is conserved (forces sum to zero). */
  double p[3];
  am_thermo_momentum(&sys.atoms, p);
  for (int k = 0; k < 3; k++)
    g_assert_cmpfloat(fabs(p[k] - p0[k]), <, 1e-6);
  /* Atoms stay wrapped and the last force call belongs to the current positions. */
  for (size_t i = 0; i < sys.atoms.n; i++) {
    double s[3];
    am_box_to_frac(&sys.box, sys.atoms.x + 3 * i, s);
    for (int k = 0; k < 3; k++)
      g_assert_true(s[k] >= -1e-12 && s[k] < 1.0 + 1e-12);
  }
  const double pe = sys.pe;
  must(am_system_compute_forces(&sys, &err), &err);
  g_assert_cmpfloat(fabs(sys.pe - pe), <, 1e-9);
  am_system_free(&sys);
}

/* ---- NVT and NPT against their targets and LAMMPS ------------------------------------------ */

static void run_ensemble(AmEnsemble ens, const char *ref_rel)
{
  RefRun ref;
  read_ref(ref_rel, &ref);
  AmSystem sys;
  load_liquid(&sys);
  AmError err = {0};
  AmIntegratorConfig cfg;
  am_integrator_config_init(&cfg, ens, 0.002);
  cfg.t_start = cfg.t_stop = 1500.0;
  cfg.p_start = cfg.p_stop = 0.0;
  AmIntegrator integ;
  must(am_integrator_init(&integ, &cfg, &sys, 0, &err), &err);
  const int every = 10, ns = (int) ((ref.steps - ref.skip) / every);
  double *t = g_new(double, ns), *p = g_new(double, ns), *pe = g_new(double, ns), *vol = g_new(double, ns);
  double h0 = am_integrator_conserved_energy(&integ, &sys), hmin = INFINITY, hmax = -INFINITY;
  int k = 0;
  for (long s = 1; s <= ref.steps; s++) {
    must(am_integrator_step(&integ, &sys, &err), &err);
    const double h = (am_integrator_conserved_energy(&integ, &sys) - h0) / sys.atoms.n;
    hmin = fmin(hmin, h);
    hmax = fmax(hmax, h);
    if (s > ref.skip && s % every == 0 && k < ns) {
      t[k] = am_thermo_temperature(&sys.atoms);
      p[k] = am_thermo_pressure(&sys);
      pe[k] = sys.pe;
      vol[k] = am_box_volume(&sys.box);
      k++;
    }
  }
  g_assert_cmpint(k, ==, ns);
  Ref mine[4];
  block_stats(t, ns, &mine[0].mean, &mine[0].se);
  block_stats(p, ns, &mine[1].mean, &mine[1].se);
  block_stats(pe, ns, &mine[2].mean, &mine[2].se);
  block_stats(vol, ns, &mine[3].mean, &mine[3].se);
  g_test_message("conserved quantity range over the run: %.3g eV/atom", hmax - hmin);
  /* The extended-system energy is conserved: the thermostat and barostat are integrated
   * consistently with the particles. */
  g_assert_cmpfloat(hmax - hmin, <, 2e-3);
  /* Targets. */
  assert_agree("mean T vs target", mine[0].mean, mine[0].se, 1500.0, 0.0, 1.0);
  if (ens == AM_ENSEMBLE_NPT)
    assert_agree("mean P vs target", mine[1].mean, mine[1].se, 0.0, 0.0, 10.0);
  /* LAMMPS runs of the same length from the same state. */
  assert_agree("mean T vs LAMMPS", mine[0].mean, mine[0].se, ref.temp.mean, ref.temp.se, 1.0);
  assert_agree("mean P vs LAMMPS", mine[1].mean, mine[1].se, ref.press.mean, ref.press.se, 10.0);
  assert_agree("mean PE vs LAMMPS", mine[2].mean, mine[2].se, ref.pe.mean, ref.pe.se, 0.05);
  if (ens == AM_ENSEMBLE_NPT)
    assert_agree("mean volume vs LAMMPS", mine[3].mean, mine[3].se, ref.vol.mean, ref.vol.se, 1.0);
  else
    g_assert_cmpfloat(fabs(mine[3].mean - ref.vol.mean), <, 1e-6 * ref.vol.mean);
  g_free(t);
  g_free(p);
  g_free(pe);
  g_free(vol);
  am_system_free(&sys);
}

static void test_nvt_vs_lammps(void)
{
  run_ensemble(AM_ENSEMBLE_NVT, "tests/data/md-reference/nvt.ref");
}

static void test_npt_vs_lammps(void)
{
  run_ensemble(AM_ENSEMBLE_NPT, "tests/data/md-reference/npt.ref");
}

/* NPT aniso: each diagonal pressure component goes to its target separately. */
static void test_npt_aniso(void)
{
  AmSystem sys;
  load_liquid(&sys);
  AmError err = {0};
  AmIntegratorConfig cfg;
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NPT, 0.002);
  cfg.t_start = cfg.t_stop = 1500.0;
  cfg.p_start = cfg.p_stop = 5000.0;
  cfg.p_damp = 0.5;
  cfg.coupling = AM_BARO_ANISO;
  AmIntegrator integ;
  must(am_integrator_init(&integ, &cfg, &sys, 0, &err), &err);
  must(am_integrator_run(&integ, &sys, 500, &err), &err);
  const int ns = 200;
  double *pk[3] = {g_new(double, ns), g_new(double, ns), g_new(double, ns)};
  double h0 = am_integrator_conserved_energy(&integ, &sys), hmax = 0;
  for (int s = 0; s < ns * 10; s++) {
    must(am_integrator_step(&integ, &sys, &err), &err);
    hmax = fmax(hmax, fabs(am_integrator_conserved_energy(&integ, &sys) - h0) / sys.atoms.n);
    if (s % 10 == 0) {
      double p[6];
      am_thermo_pressure_tensor(&sys, p);
      for (int d = 0; d < 3; d++)
        pk[d][s / 10] = p[d];
    }
  }
  g_assert_cmpfloat(hmax, <, 2e-3);
  for (int d = 0; d < 3; d++) {
    double m, se;
    block_stats(pk[d], ns, &m, &se);
    assert_agree("aniso P_dd vs target", m, se, 5000.0, 0.0, 30.0);
    g_free(pk[d]);
  }
  /* The box stays orthogonal and the lengths moved independently. */
  g_assert_cmpfloat(sys.box.xy, ==, 0.0);
  g_assert_cmpfloat(sys.box.lx, !=, sys.box.ly);
  am_system_free(&sys);
}

/* ---- ramps --------------------------------------------------------------------------------- */

static void test_ramp(void)
{
  AmSystem sys;
  load_liquid(&sys);
  AmError err = {0};
  AmIntegratorConfig cfg;
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NVT, 0.002);
  cfg.t_start = 1500.0;
  cfg.t_stop = 1000.0;
  AmIntegrator integ;
  must(am_integrator_init(&integ, &cfg, &sys, 500, &err), &err);
  g_assert_cmpfloat(am_integrator_target_temperature(&integ), ==, 1500.0);
  for (int s = 1; s <= 600; s++) {
    must(am_integrator_step(&integ, &sys, &err), &err);
    const double expect = s >= 500 ? 1000.0 : 1500.0 - 500.0 * s / 500.0;
    g_assert_cmpfloat(fabs(am_integrator_target_temperature(&integ) - expect), <, 1e-9);
  }
  /* The thermostat follows: T at the end of a 1.2 ps quench is near 1000 K, not 1500 K. */
  double tm = 0;
  for (int s = 0; s < 200; s++) {
    must(am_integrator_step(&integ, &sys, &err), &err);
    tm += am_thermo_temperature(&sys.atoms) / 200;
  }
  g_assert_cmpfloat(fabs(tm - 1000.0), <, 100.0);
  /* A new ramp between steps, like a new LAMMPS run. */
  am_integrator_set_temperature_ramp(&integ, &sys, 1000.0, 2000.0, 100);
  g_assert_cmpfloat(am_integrator_target_temperature(&integ), ==, 1000.0);
  must(am_integrator_run(&integ, &sys, 50, &err), &err);
  g_assert_cmpfloat(fabs(am_integrator_target_temperature(&integ) - 1500.0), <, 1e-9);
  am_integrator_set_temperature_ramp(&integ, &sys, 700.0, 700.0, 0);
  g_assert_cmpfloat(am_integrator_target_temperature(&integ), ==, 700.0);
  am_system_free(&sys);

  /* Pressure ramp in NPT. */
  load_liquid(&sys);
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NPT, 0.002);
  cfg.t_start = cfg.t_stop = 1500.0;
  cfg.p_start = 0.0;
  cfg.p_stop = 1000.0;
  must(am_integrator_init(&integ, &cfg, &sys, 10, &err), &err);
  must(am_integrator_run(&integ, &sys, 5, &err), &err);
  g_assert_cmpfloat(fabs(am_integrator_target_pressure(&integ) - 500.0), <, 1e-9);
  am_integrator_set_pressure_ramp(&integ, &sys, 2000.0, 2000.0, 0);
  g_assert_cmpfloat(am_integrator_target_pressure(&integ), ==, 2000.0);
  am_system_free(&sys);
}

/* ---- pinning ------------------------------------------------------------------------------- */

static void test_pinned(void)
{
  AmSystem sys;
  load_liquid(&sys);
  AmAtoms *a = &sys.atoms;
  AmError err = {0};
  size_t npin = 0;
  for (size_t i = 0; i < a->n; i += 9) {
    a->pinned[i] = 1;
    am_box_to_frac(&sys.box, a->x + 3 * i, a->pin_frac + 3 * i);
    npin++;
  }
  for (AmEnsemble e = AM_ENSEMBLE_NVE; e <= AM_ENSEMBLE_NVT; e++) {
    AmIntegratorConfig cfg;
    am_integrator_config_init(&cfg, e, 0.002);
    cfg.t_start = cfg.t_stop = 1500.0;
    cfg.shear.mode = AM_SHEAR_SINUSOIDAL;
    cfg.shear.amplitude = 0.05;
    cfg.shear.period = 1.0;
    AmIntegrator integ;
    must(am_integrator_init(&integ, &cfg, &sys, 0, &err), &err);
    g_assert_cmpfloat(integ.state.tdof, ==, 3.0 * (a->n - npin) - 3);
    for (int s = 0; s < 200; s++) {
      must(am_integrator_step(&integ, &sys, &err), &err);
      for (size_t i = 0; i < a->n; i++) {
        if (!a->pinned[i])
          continue;
        double f[3];
        am_box_to_frac(&sys.box, a->x + 3 * i, f);
        for (int k = 0; k < 3; k++) {
          g_assert_cmpfloat(fabs(f[k] - a->pin_frac[3 * i + k]), <, 1e-12);
          g_assert_cmpfloat(a->v[3 * i + k], ==, 0.0);
        }
      }
    }
    /* Free atoms did move and the thermostat sees only them. */
    if (e == AM_ENSEMBLE_NVT)
      g_assert_cmpfloat(fabs(am_thermo_temperature(a) - 1500.0), <, 300.0);
  }
  /* Unpinning between steps gives the atoms their degrees of freedom back. */
  AmIntegratorConfig cfg;
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NVT, 0.002);
  cfg.t_start = cfg.t_stop = 1500.0;
  AmIntegrator integ;
  must(am_integrator_init(&integ, &cfg, &sys, 0, &err), &err);
  memset(a->pinned, 0, a->n);
  must(am_integrator_update_pinning(&integ, &sys, &err), &err);
  g_assert_cmpfloat(integ.state.tdof, ==, 3.0 * a->n - 3);
  must(am_integrator_run(&integ, &sys, 10, &err), &err);
  am_system_free(&sys);
}

/* ---- determinism --------------------------------------------------------------------------- */

static void run_short(AmSystem *sys, AmEnsemble e, int steps)
{
  AmError err = {0};
  AmIntegratorConfig cfg;
  am_integrator_config_init(&cfg, e, 0.002);
  cfg.t_start = cfg.t_stop = 1500.0;
  if (e == AM_ENSEMBLE_NVT) {
    cfg.shear.mode = AM_SHEAR_SINUSOIDAL;
    cfg.shear.amplitude = 0.02;
    cfg.shear.period = 0.5;
  }
  AmIntegrator integ;
  must(am_integrator_init(&integ, &cfg, sys, 0, &err), &err);
  must(am_integrator_run(&integ, sys, steps, &err), &err);
}

static void test_reproducible(void)
{
  for (AmEnsemble e = AM_ENSEMBLE_NVT; e <= AM_ENSEMBLE_NPT; e++) {
    AmSystem s1, s2;
    load_liquid(&s1);
    load_liquid(&s2);
    run_short(&s1, e, 300);
    run_short(&s2, e, 300);
    const size_t n = s1.atoms.n;
    g_assert_cmpmem(s1.atoms.x, 3 * n * sizeof(double), s2.atoms.x, 3 * n * sizeof(double));
    g_assert_cmpmem(s1.atoms.v, 3 * n * sizeof(double), s2.atoms.v, 3 * n * sizeof(double));
    g_assert_cmpmem(s1.atoms.image, 3 * n * sizeof(int32_t), s2.atoms.image, 3 * n * sizeof(int32_t));
    g_assert_cmpmem(s1.atoms.affine, 3 * n * sizeof(double), s2.atoms.affine, 3 * n * sizeof(double));
    g_assert_cmpmem(&s1.box, sizeof s1.box, &s2.box, sizeof s2.box);
    g_assert_cmpfloat(s1.pe, ==, s2.pe);
    am_system_free(&s1);
    am_system_free(&s2);
  }
}

static void test_threads(void)
{
  const int saved = omp_get_max_threads();
  AmSystem s1, s2;
  load_liquid(&s1);
  load_liquid(&s2);
  omp_set_num_threads(1);
  run_short(&s1, AM_ENSEMBLE_NVT, 200);
  omp_set_num_threads(2);
  run_short(&s2, AM_ENSEMBLE_NVT, 200);
  omp_set_num_threads(saved);
  double dx = 0, dv = 0;
  for (size_t i = 0; i < 3 * s1.atoms.n; i++) {
    dx = fmax(dx, fabs(s1.atoms.x[i] - s2.atoms.x[i]));
    dv = fmax(dv, fabs(s1.atoms.v[i] - s2.atoms.v[i]));
  }
  g_test_message("1 vs 2 threads after 200 steps: max |Δx| = %.3g Å, max |Δv| = %.3g Å/ps, Δpe = %.3g eV", dx, dv,
                 s1.pe - s2.pe);
  /* Sums in the force engine may associate differently; 200 steps of a chaotic liquid
   * amplify round-off by a few orders of magnitude, no more. */
  g_assert_cmpfloat(dx, <, 1e-8);
  g_assert_cmpfloat(dv, <, 1e-6);
  g_assert_cmpfloat(fabs(s1.pe - s2.pe), <, 1e-7);
  am_system_free(&s1);
  am_system_free(&s2);
}

/* A checkpoint stores the integrator bytewise and the system; resuming continues the run. */
static void test_checkpoint_resume(void)
{
  AmSystem s1, s2;
  load_liquid(&s1);
  AmError err = {0};
  AmIntegratorConfig cfg;
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NPT, 0.002);
  cfg.t_start = cfg.t_stop = 1500.0;
  AmIntegrator i1, i2;
  must(am_integrator_init(&i1, &cfg, &s1, 0, &err), &err);
  must(am_integrator_run(&i1, &s1, 100, &err), &err);
  unsigned char blob[sizeof i1];
  memcpy(blob, &i1, sizeof i1);
  am_system_init(&s2, potential, s1.skin);
  s2.box = s1.box;
  s2.element_of_type[0] = s1.element_of_type[0];
  s2.element_of_type[1] = s1.element_of_type[1];
  s2.step = s1.step;
  s2.time = s1.time;
  must(am_atoms_copy(&s2.atoms, &s1.atoms, &err), &err);
  memcpy(&i2, blob, sizeof i2);
  must(am_integrator_resume(&i2, &s2, &err), &err);
  g_assert_cmpfloat(fabs(s2.pe - s1.pe), <, 1e-9);
  must(am_integrator_run(&i1, &s1, 100, &err), &err);
  must(am_integrator_run(&i2, &s2, 100, &err), &err);
  double dx = 0;
  for (size_t i = 0; i < 3 * s1.atoms.n; i++)
    dx = fmax(dx, fabs(s1.atoms.x[i] - s2.atoms.x[i]));
  g_assert_cmpfloat(dx, <, 1e-8);
  g_assert_cmpfloat(fabs(s1.box.lx - s2.box.lx), <, 1e-10);
  g_assert_cmpint(s1.step, ==, s2.step);
  g_assert_cmpfloat(s1.time, ==, s2.time);
  /* A damaged blob is refused. */
  memcpy(&i2, blob, sizeof i2);
  i2.state.magic ^= 1;
  g_assert_cmpint(am_integrator_resume(&i2, &s2, &err), ==, AM_ERR_FORMAT);
  memcpy(&i2, blob, sizeof i2);
  i2.state.eta_dot[1] = NAN;
  g_assert_cmpint(am_integrator_validate(&i2, &err), ==, AM_ERR_FORMAT);
  am_system_free(&s1);
  am_system_free(&s2);
}

/* ---- failure modes ------------------------------------------------------------------------- */

static void test_bad_config(void)
{
  AmSystem sys;
  load_liquid(&sys);
  AmError err = {0};
  AmIntegrator integ;
  AmIntegratorConfig cfg;
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NVT, 0.0);
  cfg.t_start = cfg.t_stop = 300;
  g_assert_cmpint(am_integrator_init(&integ, &cfg, &sys, 0, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "timestep"));
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NVT, 0.002);
  g_assert_cmpint(am_integrator_init(&integ, &cfg, &sys, 0, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "temperature"));
  cfg.t_start = cfg.t_stop = 300;
  cfg.t_chain = 0;
  g_assert_cmpint(am_integrator_init(&integ, &cfg, &sys, 0, &err), ==, AM_ERR_INVALID);
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NPT, 0.002);
  cfg.t_start = cfg.t_stop = 300;
  cfg.shear.mode = AM_SHEAR_SINUSOIDAL;
  cfg.shear.amplitude = 0.01;
  cfg.shear.period = 10;
  g_assert_cmpint(am_integrator_init(&integ, &cfg, &sys, 0, &err), ==, AM_ERR_UNSUPPORTED);
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NVT, 0.002);
  cfg.t_start = cfg.t_stop = 300;
  cfg.shear.mode = AM_SHEAR_SINUSOIDAL;
  cfg.shear.period = 0;
  g_assert_cmpint(am_integrator_init(&integ, &cfg, &sys, 0, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "period"));
  /* Stepping an uninitialised integrator is refused. */
  memset(&integ, 0, sizeof integ);
  g_assert_cmpint(am_integrator_step(&integ, &sys, &err), ==, AM_ERR_INVALID);
  /* Everything pinned: nothing to thermostat. */
  for (size_t i = 0; i < sys.atoms.n; i++) {
    sys.atoms.pinned[i] = 1;
    am_box_to_frac(&sys.box, sys.atoms.x + 3 * i, sys.atoms.pin_frac + 3 * i);
  }
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NVT, 0.002);
  cfg.t_start = cfg.t_stop = 300;
  g_assert_cmpint(am_integrator_init(&integ, &cfg, &sys, 0, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "degree of freedom"));
  am_system_free(&sys);
}

static void test_explosion(void)
{
  AmSystem sys;
  load_liquid(&sys);
  AmError err = {0};
  AmIntegrator integ;
  AmIntegratorConfig cfg;
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NVE, 0.002);
  must(am_integrator_init(&integ, &cfg, &sys, 0, &err), &err);
  /* A NaN velocity is caught at the next step, not propagated. */
  sys.atoms.v[5] = NAN;
  AmStatus st = am_integrator_step(&integ, &sys, &err);
  g_assert_cmpint(st, ==, AM_ERR_NUMERIC);
  g_test_message("NaN: %s", err.message);
  am_system_free(&sys);

  /* Far too large a timestep: the temperature runs away and the run stops with a message. */
  load_liquid(&sys);
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NVE, 0.05);
  cfg.max_temperature = 20000;
  must(am_integrator_init(&integ, &cfg, &sys, 0, &err), &err);
  st = AM_OK;
  for (int s = 0; s < 2000 && !st; s++)
    st = am_integrator_step(&integ, &sys, &err);
  g_assert_cmpint(st, ==, AM_ERR_NUMERIC);
  g_test_message("explosion: %s", err.message);
  g_assert_nonnull(strstr(err.message, "step"));
  am_system_free(&sys);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  potential = load_shipped_potential();
  g_test_add_func("/sim/thermo/pressure-vs-lammps", test_pressure_vs_lammps);
  g_test_add_func("/sim/thermo/create-velocities", test_create_velocities);
  g_test_add_func("/sim/integrate/nve-energy-drift", test_nve_drift);
  g_test_add_func("/sim/integrate/nvt-vs-lammps", test_nvt_vs_lammps);
  g_test_add_func("/sim/integrate/npt-vs-lammps", test_npt_vs_lammps);
  g_test_add_func("/sim/integrate/npt-aniso", test_npt_aniso);
  g_test_add_func("/sim/integrate/ramp", test_ramp);
  g_test_add_func("/sim/integrate/pinned", test_pinned);
  g_test_add_func("/sim/integrate/reproducible", test_reproducible);
  g_test_add_func("/sim/integrate/threads", test_threads);
  g_test_add_func("/sim/integrate/checkpoint-resume", test_checkpoint_resume);
  g_test_add_func("/sim/integrate/bad-config", test_bad_config);
  g_test_add_func("/sim/integrate/explosion", test_explosion);
  const int rc = g_test_run();
  am_eam_free(potential);
  return rc;
}
