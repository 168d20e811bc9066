/* test-fire.c: FIRE minimisation reaches the minimum (a perturbed FCC Cu crystal returns to
 * the perfect lattice), lowers the energy of a liquid along its path, honours pinning
 * and each stopping rule, and refuses bad input. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sim/data_file.h"
#include "sim/eam.h"
#include "sim/fire.h"
#include "sim/rng.h"
#include "test-util.h"

static AmEam *potential;

static void must(AmStatus st, const AmError *err)
{
  if (st)
    g_error("%s: %s", am_status_name(st), err->message);
}

static void load_system(AmSystem *sys, const char *rel)
{
  char *path = source_path(rel);
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

/* FCC Cu, cells³ unit cells (stable with this potential; B2 CuZr is not, and relaxes
 * away from the perfect lattice). With jitter > 0 every coordinate gets a uniform random
 * displacement in [−jitter, jitter). */
static void make_fcc_cu(AmSystem *sys, int cells, double a, double jitter)
{
  AmError err = {0};
  am_system_init(sys, potential, 1.0);
  const double lo[3] = {0, 0, 0}, hi[3] = {cells * a, cells * a, cells * a};
  am_box_set(&sys->box, lo, hi, 0, 0, 0);
  AmAtoms *at = &sys->atoms;
  must(am_atoms_resize(at, (size_t) 4 * cells * cells * cells, &err), &err);
  at->ntypes = 1;
  static const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
  AmRng rng;
  am_rng_init(&rng, 17, 0);
  size_t n = 0;
  for (int i = 0; i < cells; i++)
    for (int j = 0; j < cells; j++)
      for (int k = 0; k < cells; k++)
        for (int b = 0; b < 4; b++) {
          at->id[n] = (int64_t) n + 1;
          const int cell[3] = {i, j, k};
          for (int d = 0; d < 3; d++)
            at->x[3 * n + d] = (cell[d] + basis[b][d]) * a + 0.05 + jitter * (2 * am_rng_uniform(&rng) - 1);
          n++;
        }
  static const char *const elements[] = {"Cu"};
  must(am_system_bind_types(sys, elements, &err), &err);
}

static void test_fcc_minimum(void)
{
  AmSystem perfect, sys;
  AmError err = {0};
  make_fcc_cu(&perfect, 4, 3.615, 0.0);
  must(am_system_compute_forces(&perfect, &err), &err);
  make_fcc_cu(&sys, 4, 3.615, 0.15);
  AmFireConfig cfg;
  am_fire_config_init(&cfg);
  cfg.ftol = 1e-6;
  cfg.max_iter = 5000;
  AmFireResult res;
  must(am_fire_minimize(&sys, &cfg, &res, &err), &err);
  g_test_message("FCC: %s after %d iterations (%d force calls), E %.10g -> %.10g eV (perfect %.10g), fmax %.3g",
                 am_fire_stop_name(res.reason), res.iterations, res.evaluations, res.energy_initial,
                 res.energy_final, perfect.pe, res.fmax);
  g_assert_cmpint(res.reason, ==, AM_FIRE_STOP_FTOL);
  g_assert_cmpfloat(res.fnorm, <, 1e-6);
  g_assert_cmpfloat(res.fmax, <=, res.fnorm);
  g_assert_cmpfloat(res.energy_final, <, res.energy_initial);
  g_assert_cmpfloat(fabs(res.energy_final - perfect.pe) / sys.atoms.n, <, 1e-10);
  /* Back on the lattice, up to a common translation (the jitter's mean). */
  double shift[3] = {0};
  for (size_t i = 0; i < sys.atoms.n; i++)
    for (int k = 0; k < 3; k++) {
      double d[3] = {0};
      d[k] = sys.atoms.x[3 * i + k] - perfect.atoms.x[3 * i + k];
      am_box_minimum_image(&sys.box, d);
      shift[k] += d[k] / sys.atoms.n;
    }
  for (size_t i = 0; i < sys.atoms.n; i++) {
    double d[3];
    for (int k = 0; k < 3; k++)
      d[k] = sys.atoms.x[3 * i + k] - perfect.atoms.x[3 * i + k] - shift[k];
    am_box_minimum_image(&sys.box, d);
    g_assert_cmpfloat(sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]), <, 1e-5);
  }
  /* The result belongs to the final positions and velocities are cleared. */
  g_assert_cmpfloat(sys.pe, ==, res.energy_final);
  for (size_t i = 0; i < 3 * sys.atoms.n; i++)
    g_assert_cmpfloat(sys.atoms.v[i], ==, 0.0);
  const double pe = sys.pe;
  must(am_system_compute_forces(&sys, &err), &err);
  g_assert_cmpfloat(fabs(sys.pe - pe), <, 1e-9);
  /* Already at the minimum: nothing to do. */
  must(am_fire_minimize(&sys, &cfg, &res, &err), &err);
  g_assert_cmpint(res.reason, ==, AM_FIRE_STOP_FTOL);
  g_assert_cmpint(res.iterations, ==, 0);
  am_system_free(&sys);
  am_system_free(&perfect);
}

static void test_liquid_descends(void)
{
  AmError err = {0};
  AmFireConfig cfg;
  am_fire_config_init(&cfg);
  cfg.ftol = 0;
  const int cuts[] = {20, 60, 150, 400};
  double prev = INFINITY, e0 = 0;
  for (unsigned c = 0; c < G_N_ELEMENTS(cuts); c++) {
    AmSystem sys;
    load_system(&sys, "tests/data/md-reference/liquid-1500.data");
    cfg.max_iter = cuts[c];
    AmFireResult res;
    must(am_fire_minimize(&sys, &cfg, &res, &err), &err);
    g_assert_cmpint(res.reason, ==, AM_FIRE_STOP_MAX_ITER);
    g_assert_cmpint(res.iterations, ==, cuts[c]);
    g_test_message("liquid after %d iterations: E = %.6f eV", cuts[c], res.energy_final);
    g_assert_cmpfloat(res.energy_final, <, prev);
    prev = res.energy_final;
    e0 = res.energy_initial;
    am_system_free(&sys);
  }
  /* To the force tolerance: the largest force on any atom falls below it. */
  AmSystem sys;
  load_system(&sys, "tests/data/md-reference/liquid-1500.data");
  cfg.ftol = 1e-3;
  cfg.norm = AM_FIRE_NORM_MAX;
  cfg.max_iter = 5000;
  AmFireResult res;
  must(am_fire_minimize(&sys, &cfg, &res, &err), &err);
  g_test_message("liquid: %s after %d iterations, E %.6f → %.6f eV, fmax %.3g eV/Å", am_fire_stop_name(res.reason),
                 res.iterations, res.energy_initial, res.energy_final, res.fmax);
  g_assert_cmpint(res.reason, ==, AM_FIRE_STOP_FTOL);
  g_assert_cmpfloat(res.fmax, <, 1e-3);
  g_assert_cmpfloat(res.fmax, ==, res.fnorm);
  g_assert_cmpfloat(res.energy_final, <=, prev);
  /* Quenching a 1500 K liquid lowers its potential energy by well over 0.1 eV/atom. */
  g_assert_cmpfloat((e0 - res.energy_final) / sys.atoms.n, >, 0.1);
  am_system_free(&sys);
}

static void test_pinned_stay(void)
{
  AmSystem sys;
  make_fcc_cu(&sys, 4, 3.615, 0.15);
  AmError err = {0};
  for (size_t i = 0; i < sys.atoms.n; i += 8) {
    sys.atoms.pinned[i] = 1;
    am_box_to_frac(&sys.box, sys.atoms.x + 3 * i, sys.atoms.pin_frac + 3 * i);
  }
  double *x0 = g_memdup2(sys.atoms.x, sizeof(double) * 3 * sys.atoms.n);
  AmFireConfig cfg;
  am_fire_config_init(&cfg);
  cfg.ftol = 1e-5;
  cfg.max_iter = 5000;
  AmFireResult res;
  must(am_fire_minimize(&sys, &cfg, &res, &err), &err);
  g_assert_cmpint(res.reason, ==, AM_FIRE_STOP_FTOL);
  double moved = 0;
  for (size_t i = 0; i < sys.atoms.n; i++) {
    double d[3];
    for (int k = 0; k < 3; k++)
      d[k] = sys.atoms.x[3 * i + k] - x0[3 * i + k];
    am_box_minimum_image(&sys.box, d);
    for (int k = 0; k < 3; k++) {
      if (sys.atoms.pinned[i])
        g_assert_cmpfloat(fabs(d[k]), <, 1e-12);
      else
        moved = fmax(moved, fabs(d[k]));
    }
  }
  g_assert_cmpfloat(moved, >, 1e-3);
  /* Pinned atoms still feel forces; the criterion ignores them. */
  double fpin = 0;
  for (size_t i = 0; i < sys.atoms.n; i += 8)
    fpin = fmax(fpin, fabs(sys.atoms.f[3 * i]));
  g_assert_cmpfloat(fpin, >, 1e-5);
  g_free(x0);
  am_system_free(&sys);
}

static void test_stopping_rules(void)
{
  AmSystem sys;
  AmError err = {0};
  AmFireConfig cfg;
  AmFireResult res;
  make_fcc_cu(&sys, 4, 3.615, 0.15);
  am_fire_config_init(&cfg);
  cfg.ftol = 0;
  cfg.etol = 1e-10;
  must(am_fire_minimize(&sys, &cfg, &res, &err), &err);
  g_assert_cmpint(res.reason, ==, AM_FIRE_STOP_ETOL);
  g_assert_cmpint(res.iterations, >, cfg.delaystep);
  am_system_free(&sys);

  make_fcc_cu(&sys, 4, 3.615, 0.15);
  am_fire_config_init(&cfg);
  cfg.max_eval = 15;
  must(am_fire_minimize(&sys, &cfg, &res, &err), &err);
  g_assert_cmpint(res.reason, ==, AM_FIRE_STOP_MAX_EVAL);
  g_assert_cmpint(res.evaluations, <=, 16);
  am_system_free(&sys);
}

static void test_bad_input(void)
{
  AmSystem sys;
  load_system(&sys, "tests/data/golden/b2-perturbed.data");
  AmError err = {0};
  AmFireConfig cfg;
  AmFireResult res;
  am_fire_config_init(&cfg);
  cfg.dt = 0;
  g_assert_cmpint(am_fire_minimize(&sys, &cfg, &res, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "timestep"));
  am_fire_config_init(&cfg);
  cfg.ftol = -1;
  g_assert_cmpint(am_fire_minimize(&sys, &cfg, &res, &err), ==, AM_ERR_INVALID);
  am_fire_config_init(&cfg);
  cfg.dtshrink = 2;
  g_assert_cmpint(am_fire_minimize(&sys, &cfg, &res, &err), ==, AM_ERR_INVALID);
  am_fire_config_init(&cfg);
  cfg.norm = (AmFireNorm) 9;
  g_assert_cmpint(am_fire_minimize(&sys, &cfg, &res, &err), ==, AM_ERR_INVALID);
  am_fire_config_init(&cfg);
  sys.atoms.x[4] = NAN;
  g_assert_cmpint(am_fire_minimize(&sys, &cfg, &res, &err), !=, AM_OK);
  g_test_message("%s", err.message);
  am_system_free(&sys);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  potential = load_shipped_potential();
  g_test_add_func("/sim/fire/fcc-minimum", test_fcc_minimum);
  g_test_add_func("/sim/fire/liquid-descends", test_liquid_descends);
  g_test_add_func("/sim/fire/pinned-stay", test_pinned_stay);
  g_test_add_func("/sim/fire/stopping-rules", test_stopping_rules);
  g_test_add_func("/sim/fire/bad-input", test_bad_input);
  const int rc = g_test_run();
  am_eam_free(potential);
  return rc;
}
