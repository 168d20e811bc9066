/* test-batch.c: `amorph --batch` end to end. Runs the real binary on the tiny presets in
 * a temporary folder and checks its files against the engine API and LAMMPS, the NVE
 * energy conservation, the quench outputs, clean failures (unwritable folder, full disk,
 * a --set typo, a malformed config), the informational options, and atomic files. */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "experiment/atomic_file.h"
#include "experiment/config.h"
#include "experiment/progress.h"
#include "experiment/provenance.h"
#include "sim/data_file.h"
#include "sim/eam.h"
#include "sim/system.h"
#include "sim/thermo.h"

static char *source_dir, *amorph_bin, *tmpdir;

static char *preset(const char *name)
{
  return g_build_filename(source_dir, "data", "presets", name, NULL);
}

static char *tmp_path(const char *name)
{
  return g_build_filename(tmpdir, name, NULL);
}

typedef struct {
  int status;
  char *out, *err;
} Run;

static void run_clear(Run *r)
{
  g_free(r->out);
  g_free(r->err);
}

/* Runs amorph with the given arguments (NULL-terminated), without a display. */
static Run run_amorph(const char *first, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new();
  g_ptr_array_add(args, amorph_bin);
  va_list ap;
  va_start(ap, first);
  for (const char *a = first; a; a = va_arg(ap, const char *))
    g_ptr_array_add(args, (gpointer) a);
  va_end(ap);
  g_ptr_array_add(args, NULL);

  g_auto(GStrv) env = g_get_environ();
  env = g_environ_unsetenv(env, "DISPLAY");
  env = g_environ_unsetenv(env, "WAYLAND_DISPLAY");
  Run r = { 0 };
  int wait_status = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_sync(tmpdir, (char **) args->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, &r.out,
                             &r.err, &wait_status, &error));
  g_assert_no_error(error);
  g_assert_true(WIFEXITED(wait_status)); /* a crash is never a clean failure */
  r.status = WEXITSTATUS(wait_status);
  g_test_message("exit %d, stderr:\n%s", r.status, r.err);
  return r;
}

static JsonObject *load_json(JsonParser *parser, const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autoptr(GError) error = NULL;
  json_parser_load_from_file(parser, path, &error);
  g_assert_no_error(error);
  return json_node_get_object(json_parser_get_root(parser));
}

/* Rows of a CSV file as split fields; checks the header. */
static GPtrArray *load_csv(const char *path, const char *header)
{
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  g_assert_cmpstr(lines[0], ==, header);
  GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
  for (int i = 1; lines[i]; i++)
    if (*lines[i])
      g_ptr_array_add(rows, g_strsplit(lines[i], ",", -1));
  return rows;
}

static int column(const char *header, const char *name)
{
  g_auto(GStrv) cols = g_strsplit(header, ",", -1);
  for (int i = 0; cols[i]; i++)
    if (strcmp(cols[i], name) == 0)
      return i;
  g_error("no column %s", name);
}

static double num(const char *s)
{
  char *end = NULL;
  double d = g_ascii_strtod(s, &end);
  g_assert_true(end != s && *end == '\0');
  return d;
}

static void assert_no_results(const char *dir);

/* ---- single-point ------------------------------------------------------------------ */

static void test_single_point(void)
{
  g_autofree char *ini = preset("single-point-tiny.ini");
  g_autofree char *out = tmp_path("sp");
  Run r = run_amorph("--batch", ini, "--threads", "1", "--output", out, NULL);
  g_assert_cmpint(r.status, ==, 0);
  run_clear(&r);

  /* The same configuration through the engine API, with the same thread count. */
  omp_set_num_threads(1);
  g_autofree char *pot = g_build_filename(source_dir, "data", "potentials", "CuZr_mm.eam.fs", NULL);
  g_autofree char *data = preset("tiny-cuzr-b2.data");
  AmError err = { 0 };
  AmEam *eam = NULL;
  g_assert_cmpint(am_eam_load(pot, AM_EAM_FS, &eam, &err), ==, AM_OK);
  AmSystem sys;
  am_system_init(&sys, eam, 1.0);
  AmDataInfo info;
  g_assert_cmpint(am_data_read(data, &sys.box, &sys.atoms, &info, &err), ==, AM_OK);
  const char *const el[] = { "Cu", "Zr" };
  g_assert_cmpint(am_system_bind_types(&sys, el, &err), ==, AM_OK);
  g_assert_cmpint(am_system_compute_forces(&sys, &err), ==, AM_OK);
  double p[6];
  am_thermo_pressure_tensor(&sys, p);

  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *res = load_json(parser, out, "results.json");
  g_assert_cmpint(json_object_get_int_member(res, "natoms"), ==, 250);
  /* Same code, same thread count, %.17g: the numbers must be identical. */
  g_assert_cmpfloat(json_object_get_double_member(res, "potential_energy_eV"), ==, sys.pe);
  JsonObject *pt = json_object_get_object_member(res, "pressure_tensor_bar");
  static const char *const comp[6] = { "xx", "yy", "zz", "xy", "xz", "yz" };
  for (int k = 0; k < 6; k++)
    g_assert_cmpfloat(json_object_get_double_member(pt, comp[k]), ==, p[k]);

  /* And LAMMPS' run 0 (tests/data/batch/nve-tiny.thermo, step 0) to its printed digits. */
  g_autofree char *golden_path = g_build_filename(source_dir, "tests", "data", "batch", "nve-tiny.thermo", NULL);
  g_autofree char *golden = NULL;
  g_assert_true(g_file_get_contents(golden_path, &golden, NULL, NULL));
  g_auto(GStrv) glines = g_strsplit(golden, "\n", -1);
  g_auto(GStrv) g0 = g_strsplit_set(g_strstrip(glines[1]), " ", -1);
  g_assert_cmpfloat_with_epsilon(json_object_get_double_member(res, "potential_energy_eV"), num(g0[1]), 1e-9);
  for (int k = 0; k < 6; k++)
    g_assert_cmpfloat_with_epsilon(json_object_get_double_member(pt, comp[k]), num(g0[6 + k]), 1e-6);

  g_autofree char *forces_path = g_build_filename(out, "forces.csv", NULL);
  g_autoptr(GPtrArray) rows = load_csv(forces_path, "id,type,fx,fy,fz");
  g_assert_cmpuint(rows->len, ==, 250);
  gint64 last_id = 0;
  for (guint k = 0; k < rows->len; k++) {
    char **f = rows->pdata[k];
    g_assert_cmpuint(g_strv_length(f), ==, 5);
    gint64 id = g_ascii_strtoll(f[0], NULL, 10);
    g_assert_cmpint(id, >, last_id); /* sorted by id */
    last_id = id;
    long i = am_atoms_find_id(&sys.atoms, id);
    g_assert_cmpint(i, >=, 0);
    g_assert_cmpint(g_ascii_strtoll(f[1], NULL, 10), ==, sys.atoms.type[i] + 1);
    for (int d = 0; d < 3; d++)
      g_assert_cmpfloat(num(f[2 + d]), ==, sys.atoms.f[3 * i + d]);
  }

  /* Provenance: version, commit, config, checksums, threads, times. */
  g_autoptr(JsonParser) mparser = json_parser_new();
  JsonObject *man = load_json(mparser, out, "manifest.json");
  g_assert_cmpstr(json_object_get_string_member(man, "status"), ==, "ok");
  g_assert_cmpstr(json_object_get_string_member(man, "protocol"), ==, "single-point");
  g_assert_nonnull(json_object_get_string_member(man, "version"));
  g_assert_nonnull(json_object_get_string_member(man, "git_commit"));
  g_assert_cmpint(json_object_get_int_member(man, "threads"), ==, 1);
  g_assert_true(json_object_get_double_member(man, "wall_seconds") >= 0);
  g_assert_nonnull(json_object_get_string_member(man, "start_time"));
  g_assert_nonnull(json_object_get_string_member(man, "end_time"));
  g_assert_nonnull(json_object_get_string_member(man, "host"));
  JsonObject *mcfg = json_object_get_object_member(man, "config");
  g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(mcfg, "run"), "protocol"), ==,
                  "single-point");
  JsonArray *inputs = json_object_get_array_member(man, "inputs");
  gboolean saw_potential = FALSE;
  for (guint k = 0; k < json_array_get_length(inputs); k++) {
    JsonObject *in = json_array_get_object_element(inputs, k);
    const char *role = json_object_get_string_member(in, "role");
    g_autofree char *sum = am_sha256_file(json_object_get_string_member(in, "path"), NULL);
    g_assert_cmpstr(json_object_get_string_member(in, "sha256"), ==, sum);
    if (strcmp(role, "potential") == 0) {
      saw_potential = TRUE;
      /* The checksum data/potentials/README.md gives for the shipped file. */
      g_assert_cmpstr(sum, ==, "a512753c2b80a63a7e15d7422f471268888eda650fc12df81fb2275680737781");
    }
  }
  g_assert_true(saw_potential);

  /* The resolved config reads back as the same run. */
  g_autofree char *resolved = g_build_filename(out, "config.ini", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AmConfig) cfg = am_config_load(resolved, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(am_config_protocol(cfg), ==, "single-point");
  g_assert_cmpstr(am_config_get_string(cfg, "system", "data"), ==, data);

  am_system_free(&sys);
  am_eam_free(eam);
}

/* ---- md ---------------------------------------------------------------------------- */

#define THERMO_HEADER                                                                         \
  "step,time_ps,temperature_K,target_temperature_K,pe_eV,ke_eV,etotal_eV,econserved_eV,"     \
  "pressure_bar,pxx_bar,pyy_bar,pzz_bar,pxy_bar,pxz_bar,pyz_bar,volume_A3,lx_A,ly_A,lz_A,"   \
  "xy_A,xz_A,yz_A"

/* Compares thermo.csv rows (every `every` steps) with LAMMPS thermo lines of the same run
 * (tests/data/batch/NAME: step pe ke etotal temp press pxx pyy pzz pxy pxz pyz vol). The
 * tolerances are those of SCIENCE.md's validation; the runs agree to about 12 digits. */
static void compare_with_lammps(GPtrArray *rows, gint64 every, const char *name)
{
  g_autofree char *golden_path = g_build_filename(source_dir, "tests", "data", "batch", name, NULL);
  g_autofree char *golden = NULL;
  g_assert_true(g_file_get_contents(golden_path, &golden, NULL, NULL));
  g_auto(GStrv) glines = g_strsplit(golden, "\n", -1);
  static const char *const cols[] = { "step", "pe_eV", "ke_eV", "etotal_eV", "temperature_K", "pressure_bar",
                                      "pxx_bar", "pyy_bar", "pzz_bar", "pxy_bar", "pxz_bar", "pyz_bar",
                                      "volume_A3" };
  static const double tol[] = { 0, 1e-6, 1e-6, 1e-6, 1e-4, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1e-6 };
  int compared = 0;
  for (int i = 1; glines[i]; i++) {
    if (!*g_strstrip(glines[i]))
      continue;
    g_auto(GStrv) g = g_strsplit_set(glines[i], " ", -1);
    g_assert_cmpuint(g_strv_length(g), ==, G_N_ELEMENTS(cols));
    gint64 step = g_ascii_strtoll(g[0], NULL, 10);
    g_assert_cmpint(step % every, ==, 0);
    g_assert_cmpuint((guint) (step / every), <, rows->len);
    char **f = rows->pdata[step / every];
    g_assert_cmpint(g_ascii_strtoll(f[0], NULL, 10), ==, step);
    for (gsize c = 1; c < G_N_ELEMENTS(cols); c++) {
      double mine = num(f[column(THERMO_HEADER, cols[c])]), ref = num(g[c]);
      if (fabs(mine - ref) > tol[c])
        g_error("%s step %" G_GINT64_FORMAT " %s: amorph %.15g, LAMMPS %.15g", name, step, cols[c], mine, ref);
    }
    compared++;
  }
  g_assert_cmpint(compared, ==, 5);
}

static void test_md_nve(void)
{
  g_autofree char *ini = preset("md-nve-tiny.ini");
  g_autofree char *out = tmp_path("md");
  Run r = run_amorph("--batch", ini, "--threads", "1", "-o", out, "--set", "md.trajectory_interval=100", NULL);
  g_assert_cmpint(r.status, ==, 0);
  run_clear(&r);

  g_autofree char *thermo_path = g_build_filename(out, "thermo.csv", NULL);
  g_autoptr(GPtrArray) rows = load_csv(thermo_path, THERMO_HEADER);
  g_assert_cmpuint(rows->len, ==, 21); /* steps 0, 10, …, 200 */
  const int c_step = column(THERMO_HEADER, "step"), c_e = column(THERMO_HEADER, "etotal_eV");
  const int c_pe = column(THERMO_HEADER, "pe_eV"), c_ke = column(THERMO_HEADER, "ke_eV");
  double emin = INFINITY, emax = -INFINITY;
  for (guint k = 0; k < rows->len; k++) {
    char **f = rows->pdata[k];
    g_assert_cmpuint(g_strv_length(f), ==, 22);
    g_assert_cmpint(g_ascii_strtoll(f[c_step], NULL, 10), ==, 10 * (gint64) k);
    double e = num(f[c_e]);
    g_assert_cmpfloat_with_epsilon(e, num(f[c_pe]) + num(f[c_ke]), 1e-9);
    emin = fmin(emin, e);
    emax = fmax(emax, e);
  }
  /* Energy flows between PE and KE (about 4 eV here) while the total stays put: the
   * spread is 1.6 meV over 250 atoms for this run, so 2e-5 eV/atom has margin but would
   * catch a broken half-kick or a stale force. */
  double pe0 = num(((char **) rows->pdata[0])[c_pe]), pe_end = num(((char **) rows->pdata[20])[c_pe]);
  g_assert_cmpfloat(fabs(pe_end - pe0), >, 1.0);
  g_assert_cmpfloat((emax - emin) / 250, <, 2e-5);

  /* Same trajectory as LAMMPS fix nve. */
  compare_with_lammps(rows, 10, "nve-tiny.thermo");

  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *res = load_json(parser, out, "results.json");
  g_assert_cmpint(json_object_get_int_member(res, "steps"), ==, 200);
  g_assert_cmpint(json_object_get_int_member(res, "threads"), ==, 1);
  g_assert_cmpstr(json_object_get_string_member(res, "velocities"), ==, "file");
  g_assert_cmpfloat(json_object_get_double_member(res, "loop_seconds"), >, 0);
  g_assert_cmpfloat(json_object_get_double_member(res, "atom_steps_per_second"), >, 0);

  /* The final state reads back, with velocities. */
  g_autofree char *final_path = g_build_filename(out, "final.data", NULL);
  AmBox box;
  AmAtoms atoms = { 0 };
  AmDataInfo info;
  AmError err = { 0 };
  g_assert_cmpint(am_data_read(final_path, &box, &atoms, &info, &err), ==, AM_OK);
  g_assert_cmpuint(atoms.n, ==, 250);
  g_assert_true(info.has_velocities);
  am_atoms_free(&atoms);

  /* Trajectory frames at steps 0, 100, 200. */
  g_autofree char *traj_path = g_build_filename(out, "trajectory.extxyz", NULL);
  g_autofree char *traj = NULL;
  g_assert_true(g_file_get_contents(traj_path, &traj, NULL, NULL));
  int frames = 0;
  for (const char *q = traj; (q = strstr(q, "Lattice=")); q++)
    frames++;
  g_assert_cmpint(frames, ==, 3);
}

/* The [md] keys reach the integrator as LAMMPS' fix nvt / fix npt read theirs
 * (Tdamp = 100 dt, Pdamp = 1000 dt, chains of 3, iso, mtk): same trajectory. */
static void test_md_vs_lammps(void)
{
  g_autofree char *ini = preset("md-nve-tiny.ini");
  static const char *const ensembles[] = { "nvt", "npt" };
  for (gsize k = 0; k < G_N_ELEMENTS(ensembles); k++) {
    g_autofree char *out = tmp_path(ensembles[k]);
    g_autofree char *set = g_strdup_printf("md.ensemble=%s", ensembles[k]);
    Run r = run_amorph("--batch", ini, "--threads", "1", "-o", out, "--quiet", "--set", set, "--set",
                       "md.temperature_K=300", "--set", "md.pressure_bar=0", NULL);
    g_assert_cmpint(r.status, ==, 0);
    run_clear(&r);
    g_autofree char *thermo_path = g_build_filename(out, "thermo.csv", NULL);
    g_autoptr(GPtrArray) rows = load_csv(thermo_path, THERMO_HEADER);
    g_autofree char *golden = g_strdup_printf("%s-tiny.thermo", ensembles[k]);
    compare_with_lammps(rows, 10, golden);
  }
}

/* Created velocities: exactly the requested temperature at step 0, and a run is a pure
 * function of (config, seed, threads). */
static void test_md_created_velocities(void)
{
  g_autofree char *ini = preset("md-nve-tiny.ini");
  g_autofree char *out1 = tmp_path("md-seed-1");
  g_autofree char *out2 = tmp_path("md-seed-2");
  for (int k = 0; k < 2; k++) {
    Run r = run_amorph("--batch", ini, "--threads", "1", "-o", k ? out2 : out1, "--quiet", "--set",
                       "md.velocities=create", "--set", "md.temperature_K=500", "--set", "md.seed=7",
                       "--set", "md.ensemble=nvt", "--set", "md.steps=50", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.err, ==, ""); /* --quiet */
    run_clear(&r);
  }
  g_autofree char *t1 = g_build_filename(out1, "thermo.csv", NULL);
  g_autofree char *t2 = g_build_filename(out2, "thermo.csv", NULL);
  g_autofree char *a = NULL, *b = NULL;
  g_assert_true(g_file_get_contents(t1, &a, NULL, NULL));
  g_assert_true(g_file_get_contents(t2, &b, NULL, NULL));
  g_assert_cmpstr(a, ==, b);
  g_autoptr(GPtrArray) rows = load_csv(t1, THERMO_HEADER);
  g_assert_cmpfloat_with_epsilon(num(((char **) rows->pdata[0])[column(THERMO_HEADER, "temperature_K")]), 500, 1e-9);
  g_assert_cmpfloat(num(((char **) rows->pdata[0])[column(THERMO_HEADER, "target_temperature_K")]), ==, 500);
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *man = load_json(parser, out1, "manifest.json");
  g_assert_cmpint(json_object_get_int_member(json_object_get_object_member(man, "seeds"), "md.seed"), ==, 7);
}

/* A temperature ramp, and velocities = file on a data file without velocities. */
static void test_md_ramp_and_velocity_source(void)
{
  g_autofree char *ini = preset("md-nve-tiny.ini");
  g_autofree char *out = tmp_path("ramp");
  Run r = run_amorph("--batch", ini, "--threads", "1", "-o", out, "--quiet", "--set", "md.ensemble=nvt", "--set",
                     "md.temperature_K=300", "--set", "md.temperature_stop_K=600", "--set", "md.steps=40", NULL);
  g_assert_cmpint(r.status, ==, 0);
  run_clear(&r);
  g_autofree char *thermo_path = g_build_filename(out, "thermo.csv", NULL);
  g_autoptr(GPtrArray) rows = load_csv(thermo_path, THERMO_HEADER);
  g_assert_cmpuint(rows->len, ==, 5);
  const int c = column(THERMO_HEADER, "target_temperature_K");
  for (guint k = 0; k < rows->len; k++)
    g_assert_cmpfloat_with_epsilon(num(((char **) rows->pdata[k])[c]), 300 + 300 * k / 4.0, 1e-9);

  /* The same sample without its Velocities section. */
  g_autofree char *data = preset("tiny-cuzr-b2.data");
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(data, &text, NULL, NULL));
  char *vel = strstr(text, "\nVelocities");
  g_assert_nonnull(vel);
  vel[1] = '\0';
  g_autofree char *still = tmp_path("still.data");
  g_assert_true(g_file_set_contents(still, text, -1, NULL));
  g_autofree char *set_data = g_strdup_printf("system.data=%s", still);
  g_autofree char *out2 = tmp_path("no-velocities");
  Run r2 = run_amorph("--batch", ini, "-o", out2, "--set", set_data, NULL);
  g_assert_cmpint(r2.status, ==, 1);
  g_assert_nonnull(strstr(r2.err, "[md] velocities = file, but"));
  g_assert_nonnull(strstr(r2.err, "still.data has no Velocities section"));
  run_clear(&r2);
  assert_no_results(out2);
  /* auto creates them instead: T at step 0 is the requested one. */
  Run r3 = run_amorph("--batch", ini, "-o", out2, "--quiet", "--set", set_data, "--set", "md.velocities=auto",
                      "--set", "md.steps=0", NULL);
  g_assert_cmpint(r3.status, ==, 0);
  run_clear(&r3);
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *res = load_json(parser, out2, "results.json");
  g_assert_cmpstr(json_object_get_string_member(res, "velocities"), ==, "created");
  g_assert_cmpfloat_with_epsilon(
      json_object_get_double_member(json_object_get_object_member(res, "final"), "temperature_K"), 300, 1e-9);
}

/* ---- quench ------------------------------------------------------------------------ */

static void test_quench(void)
{
  g_autofree char *ini = preset("quench-tiny.ini");
  g_autofree char *out = tmp_path("quench");
  /* 50 + 50 + 100 + 25 steps of 2 fs. */
  Run r = run_amorph("--batch", ini, "--threads", "1", "-o", out, "--set", "quench.melt_ps=0.1", "--set",
                     "quench.hold_ps=0.1", "--set", "quench.hold_K=1500", "--set", "quench.final_K=500",
                     "--set", "quench.rate_K_per_ps=5000", "--set", "quench.final_hold_ps=0.05", "--set",
                     "quench.vt_interval_ps=0.04", NULL);
  g_assert_cmpint(r.status, ==, 0);
  run_clear(&r);

  const char *header = "step,time_ps,stage,target_temperature_K,temperature_K,volume_A3,"
                       "volume_per_atom_A3,pe_per_atom_eV,pressure_bar,samples";
  g_autofree char *vt_path = g_build_filename(out, "volume_temperature.csv", NULL);
  g_autoptr(GPtrArray) rows = load_csv(vt_path, header);
  /* Blocks of 20 steps, cut at stage ends: 3 + 3 + 5 + 2. */
  g_assert_cmpuint(rows->len, ==, 13);
  double last_target = INFINITY;
  gint64 samples = 0;
  int cool_rows = 0;
  for (guint k = 0; k < rows->len; k++) {
    char **f = rows->pdata[k];
    samples += g_ascii_strtoll(f[9], NULL, 10);
    g_assert_cmpfloat_with_epsilon(num(f[6]) * 250, num(f[5]), 1e-9 * num(f[5]));
    if (strcmp(f[2], "cool") == 0) {
      double target = num(f[3]);
      g_assert_cmpfloat(target, <, last_target); /* the target falls through the cooling */
      g_assert_cmpfloat(target, <=, 1500);
      g_assert_cmpfloat(target, >=, 500);
      last_target = target;
      cool_rows++;
    }
  }
  g_assert_cmpint(samples, ==, 225);
  g_assert_cmpint(cool_rows, ==, 5);
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *res = load_json(parser, out, "results.json");
  g_assert_cmpint(json_object_get_int_member(res, "steps"), ==, 225);
  JsonArray *stages = json_object_get_array_member(res, "stages");
  g_assert_cmpuint(json_array_get_length(stages), ==, 4);
  g_assert_cmpint(json_object_get_int_member(json_array_get_object_element(stages, 2), "steps"), ==, 100);
  g_autofree char *glass = g_build_filename(out, "glass.data", NULL);
  g_assert_true(g_file_test(glass, G_FILE_TEST_IS_REGULAR));

  /* A quench that heats is refused before anything runs. */
  g_autofree char *out2 = tmp_path("quench-bad");
  Run bad = run_amorph("--batch", ini, "-o", out2, "--set", "quench.final_K=1700", NULL);
  g_assert_cmpint(bad.status, ==, 2);
  g_assert_nonnull(strstr(bad.err, "final_K = 1700 must be below hold_K = 1600"));
  run_clear(&bad);
}

/* A quench from a generated B2 start: the glass has the requested count and exact
 * composition, and the start is a pure function of the lattice seed. */
static void test_quench_b2_start(void)
{
  g_autofree char *ini = preset("quench-tiny.ini");
  const char *common[] = {"--set", "system.data=", "--set", "quench.start=b2", "--set", "quench.natoms=130",
                          "--set", "quench.melt_ps=0.02", "--set", "quench.hold_ps=0.02", "--set",
                          "quench.rate_K_per_ps=10000", "--set", "quench.final_hold_ps=0.02"};
  g_autofree char *out1 = tmp_path("quench-b2-1");
  g_autofree char *out2 = tmp_path("quench-b2-2");
  for (int k = 0; k < 2; k++) {
    Run r = run_amorph("--batch", ini, "--threads", "1", "-o", k ? out2 : out1, common[0], common[1], common[2],
                       common[3], common[4], common[5], common[6], common[7], common[8], common[9], common[10],
                       common[11], common[12], common[13], NULL);
    g_assert_cmpint(r.status, ==, 0);
    run_clear(&r);
  }
  g_autofree char *glass1 = g_build_filename(out1, "glass.data", NULL);
  g_autofree char *glass2 = g_build_filename(out2, "glass.data", NULL);
  g_autofree char *text1 = NULL, *text2 = NULL;
  g_assert_true(g_file_get_contents(glass1, &text1, NULL, NULL));
  g_assert_true(g_file_get_contents(glass2, &text2, NULL, NULL));
  g_assert_cmpstr(text1, ==, text2);

  AmBox box;
  AmAtoms atoms = {0};
  AmError err = {0};
  g_assert_cmpint(am_data_read(glass1, &box, &atoms, NULL, &err), ==, AM_OK);
  g_assert_cmpuint(atoms.n, ==, 130);
  size_t cu = 0;
  for (size_t i = 0; i < atoms.n; i++)
    cu += atoms.type[i] == 0;
  g_assert_cmpuint(cu, ==, 65);
  am_atoms_free(&atoms);

  /* start = data without a data file, and a composition that does not sum to 1, are
   * refused before anything runs. */
  g_autofree char *out3 = tmp_path("quench-b2-bad");
  Run nodata = run_amorph("--batch", ini, "-o", out3, "--set", "system.data=", NULL);
  g_assert_cmpint(nodata.status, ==, 2);
  g_assert_nonnull(strstr(nodata.err, "start = data needs [system] data"));
  run_clear(&nodata);
  Run badmix = run_amorph("--batch", ini, "-o", out3, "--set", "quench.start=b2", "--set",
                          "quench.composition=0.5 0.6", NULL);
  g_assert_cmpint(badmix.status, ==, 2);
  g_assert_nonnull(strstr(badmix.err, "composition sums to 1.1"));
  run_clear(&badmix);
}

/* A quench killed (SIGKILL, no chance to clean up) after a checkpoint and continued with
 * --resume ends with exactly the files of an uninterrupted run; a checkpoint of another
 * config or a damaged one is refused with a message naming it. */
static void test_quench_resume(void)
{
  g_autofree char *ini = preset("quench-tiny.ini");
  g_autofree char *whole = tmp_path("quench-whole");
  g_autofree char *pieces = tmp_path("quench-pieces");
  /* 200 + 500 + 1625 + 1000 steps; a checkpoint every 200, the first at the end of the melt. */
  const char *sets[] = { "--set", "quench.rate_K_per_ps=400", "--set", "quench.checkpoint_ps=0.4",
                         "--set", "quench.melt_ps=0.4", "--set", "quench.hold_ps=1" };
#define SETS sets[0], sets[1], sets[2], sets[3], sets[4], sets[5], sets[6], sets[7]
  Run r = run_amorph("--batch", ini, "--threads", "1", "-o", whole, SETS, NULL);
  g_assert_cmpint(r.status, ==, 0);
  run_clear(&r);
  g_autofree char *whole_ckpt = g_build_filename(whole, "quench.checkpoint", NULL);
  g_assert_false(g_file_test(whole_ckpt, G_FILE_TEST_EXISTS)); /* a finished quench leaves none */

  const char *argv[] = { amorph_bin, "--batch", ini, "--threads", "1", "-o", pieces, SETS, NULL };
  GPid pid;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_async(tmpdir, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                              NULL, NULL, &pid, &error));
  g_assert_no_error(error);
  g_autofree char *ckpt = g_build_filename(pieces, "quench.checkpoint", NULL);
  for (int i = 0; i < 6000 && !g_file_test(ckpt, G_FILE_TEST_EXISTS); i++)
    g_usleep(5000);
  kill(pid, SIGKILL);
  int wait_status = 0;
  g_assert_cmpint(waitpid(pid, &wait_status, 0), ==, pid);
  g_spawn_close_pid(pid);
  g_assert_true(WIFSIGNALED(wait_status)); /* killed before it could finish */
  g_assert_true(g_file_test(ckpt, G_FILE_TEST_EXISTS));

  /* Another config (a different thermo interval) must not continue this trajectory. */
  Run other = run_amorph("--batch", ini, "--threads", "1", "-o", pieces, "--resume", SETS,
                         "--set", "quench.thermo_interval=50", NULL);
  g_assert_cmpint(other.status, !=, 0);
  g_assert_nonnull(strstr(other.err, "quench.checkpoint was made with a different config"));
  run_clear(&other);

  Run resumed = run_amorph("--batch", ini, "--threads", "1", "-o", pieces, "--resume", SETS, NULL);
  g_assert_cmpint(resumed.status, ==, 0);
  g_assert_nonnull(strstr(resumed.err, "resuming at step"));
  /* It announces only the stages it still runs (every checkpoint lies past the melt). */
  g_assert_null(strstr(resumed.err, "melt"));
  g_assert_nonnull(strstr(resumed.err, "stage)"));
  run_clear(&resumed);
  g_assert_false(g_file_test(ckpt, G_FILE_TEST_EXISTS));
  const char *files[] = { "glass.data", "volume_temperature.csv", "thermo.csv" };
  for (guint k = 0; k < G_N_ELEMENTS(files); k++) {
    g_autofree char *a = g_build_filename(whole, files[k], NULL);
    g_autofree char *b = g_build_filename(pieces, files[k], NULL);
    g_autofree char *ta = NULL, *tb = NULL;
    gsize la = 0, lb = 0;
    g_assert_true(g_file_get_contents(a, &ta, &la, NULL));
    g_assert_true(g_file_get_contents(b, &tb, &lb, NULL));
    g_test_message("%s: %zu bytes uninterrupted, %zu resumed", files[k], (size_t) la, (size_t) lb);
    g_assert_cmpuint(la, ==, lb);
    g_assert_true(memcmp(ta, tb, la) == 0);
  }
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *res = load_json(parser, pieces, "results.json");
  g_assert_cmpint(json_object_get_int_member(res, "resumed_at_step") % 200, ==, 0);

  /* A damaged checkpoint: refused, naming the file. */
  g_autofree char *broken = tmp_path("quench-broken");
  g_assert_cmpint(g_mkdir_with_parents(broken, 0755), ==, 0);
  g_autofree char *broken_ckpt = g_build_filename(broken, "quench.checkpoint", NULL);
  g_assert_true(g_file_set_contents(broken_ckpt, "AMORPHCK but not really", -1, NULL));
  Run bad = run_amorph("--batch", ini, "--threads", "1", "-o", broken, "--resume", SETS, NULL);
  g_assert_cmpint(bad.status, !=, 0);
  g_assert_nonnull(strstr(bad.err, "quench.checkpoint"));
  run_clear(&bad);
#undef SETS
}

/* ---- failures ---------------------------------------------------------------------- */

static void assert_no_results(const char *dir)
{
  g_autofree char *res = g_build_filename(dir, "results.json", NULL);
  g_assert_false(g_file_test(res, G_FILE_TEST_EXISTS));
}

static void test_unwritable_output(void)
{
  g_autofree char *ini = preset("single-point-tiny.ini");
  /* A folder under a regular file: creating it fails even for root. */
  g_autofree char *blocker = tmp_path("not-a-folder");
  g_assert_true(g_file_set_contents(blocker, "x", -1, NULL));
  g_autofree char *out = g_build_filename(blocker, "out", NULL);
  Run r = run_amorph("--batch", ini, "-o", out, NULL);
  g_assert_cmpint(r.status, ==, 1);
  g_assert_nonnull(strstr(r.err, "cannot create output folder"));
  g_assert_nonnull(strstr(r.err, "not-a-folder/out"));
  g_assert_null(strstr(r.err, "results in"));
  run_clear(&r);

  /* A read-only folder (permissions do not bind root, so only as a normal user). */
  if (geteuid() != 0) {
    g_autofree char *ro = tmp_path("read-only");
    g_assert_cmpint(g_mkdir(ro, 0555), ==, 0);
    Run r2 = run_amorph("--batch", ini, "-o", ro, NULL);
    g_assert_cmpint(r2.status, ==, 1);
    g_assert_nonnull(strstr(r2.err, "read-only"));
    g_assert_nonnull(strstr(r2.err, "Permission denied"));
    run_clear(&r2);
    assert_no_results(ro);
    g_chmod(ro, 0755);
  }
}

/* A full disk while writing results: results.json points at /dev/full. */
static void test_full_disk(void)
{
  if (!g_file_test("/dev/full", G_FILE_TEST_EXISTS)) {
    g_test_skip("no /dev/full");
    return;
  }
  g_autofree char *ini = preset("single-point-tiny.ini");
  g_autofree char *out = tmp_path("full");
  g_assert_cmpint(g_mkdir(out, 0755), ==, 0);
  g_autofree char *link = g_build_filename(out, "results.json", NULL);
  g_assert_cmpint(symlink("/dev/full", link), ==, 0);
  Run r = run_amorph("--batch", ini, "-o", out, NULL);
  g_assert_cmpint(r.status, ==, 1);
  g_assert_nonnull(strstr(r.err, "results.json"));
  g_assert_nonnull(strstr(r.err, g_strerror(ENOSPC)));
  run_clear(&r);
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *man = load_json(parser, out, "manifest.json");
  g_assert_cmpstr(json_object_get_string_member(man, "status"), ==, "failed");
  g_assert_nonnull(strstr(json_object_get_string_member(man, "error"), "results.json"));
}

static void test_bad_config(void)
{
  g_autofree char *ini = preset("md-nve-tiny.ini");
  g_autofree char *out = tmp_path("typo");
  Run r = run_amorph("--batch", ini, "-o", out, "--set", "md.stpes=10", NULL);
  g_assert_cmpint(r.status, ==, 2);
  g_assert_nonnull(strstr(r.err, "--set md.stpes=10: unknown key “stpes” in [md] (did you mean “steps”?)"));
  run_clear(&r);
  g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS)); /* nothing was started */

  Run r2 = run_amorph("--batch", ini, "-o", out, "--set", "md.timestep_ps=1", NULL);
  g_assert_cmpint(r2.status, ==, 2);
  g_assert_nonnull(strstr(r2.err, "out of range"));
  run_clear(&r2);

  g_autofree char *bad = tmp_path("bad.ini");
  g_assert_true(g_file_set_contents(bad, "[run]\nprotocol = md\n\n[md]\nsteps 100\n", -1, NULL));
  Run r3 = run_amorph("--batch", bad, NULL);
  g_assert_cmpint(r3.status, ==, 2);
  g_assert_nonnull(strstr(r3.err, "bad.ini:5:"));
  run_clear(&r3);

  g_autofree char *missing = tmp_path("missing.ini");
  Run r4 = run_amorph("--batch", missing, NULL);
  g_assert_cmpint(r4.status, ==, 2);
  g_assert_nonnull(strstr(r4.err, "missing.ini"));
  run_clear(&r4);

  Run r5 = run_amorph("--batch", ini, "--threads", "0", NULL);
  g_assert_cmpint(r5.status, ==, 2);
  g_assert_nonnull(strstr(r5.err, "--threads"));
  run_clear(&r5);

  Run r6 = run_amorph("--batch", ini, "--frobnicate", NULL);
  g_assert_cmpint(r6.status, ==, 2);
  g_assert_nonnull(strstr(r6.err, "unknown option --frobnicate"));
  run_clear(&r6);
}

static void test_cli(void)
{
  Run h = run_amorph("--help", NULL);
  g_assert_cmpint(h.status, ==, 0);
  for (const char *const *s = (const char *const[]){ "SYNOPSIS", "--batch CONFIG.ini", "--set SECTION.KEY=VALUE",
                                                      "single-point", "quench", "EXIT STATUS", NULL };
       *s; s++)
    g_assert_nonnull(strstr(h.out, *s));
  run_clear(&h);

  Run v = run_amorph("--version", NULL);
  g_assert_cmpint(v.status, ==, 0);
  g_assert_true(g_str_has_prefix(v.out, "amorph "));
  run_clear(&v);

  /* --describe prints a config that runs once data is given. */
  Run d = run_amorph("--describe", "md", NULL);
  g_assert_cmpint(d.status, ==, 0);
  g_assert_nonnull(strstr(d.out, "timestep_ps = 0.002"));
  g_autofree char *described = tmp_path("described.ini");
  g_assert_true(g_file_set_contents(described, d.out, -1, NULL));
  run_clear(&d);
  g_autofree char *data = preset("tiny-cuzr-b2.data");
  g_autofree char *set_data = g_strdup_printf("system.data=%s", data);
  g_autofree char *out = tmp_path("described");
  Run dr = run_amorph("--batch", described, "-o", out, "--threads", "1", "--set", set_data, "--set", "md.steps=5", NULL);
  g_assert_cmpint(dr.status, ==, 0);
  run_clear(&dr);

  /* Without --batch and without a display: one line pointing at --batch, no crash. */
  Run g = run_amorph(NULL);
  g_assert_cmpint(g.status, !=, 0);
  g_assert_nonnull(strstr(g.err, "--batch"));
  g_assert_cmpint((int) strlen(g.err), >, 0);
  g_assert_true(strchr(g.err, '\n') == g.err + strlen(g.err) - 1);
  run_clear(&g);
}

/* ---- atomic files ------------------------------------------------------------------ */

static guint count_entries(const char *dir)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  guint n = 0;
  while (g_dir_read_name(d))
    n++;
  return n;
}

static void test_atomic_file(void)
{
  g_autofree char *dir = tmp_path("atomic");
  g_assert_true(am_output_dir_prepare(dir, NULL));
  g_autofree char *path = g_build_filename(dir, "a.txt", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true(am_write_file_atomic(path, "first\n", -1, &error));
  g_assert_no_error(error);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_assert_cmpstr(text, ==, "first\n");

  /* Until commit the old content stays; abort leaves no temporary file. */
  AmOutFile *f = am_out_file_open(path, &error);
  g_assert_no_error(error);
  g_assert_true(am_out_file_printf(f, &error, "second %d\n", 2));
  g_assert_true(am_out_file_flush(f, &error));
  g_free(text);
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_assert_cmpstr(text, ==, "first\n");
  g_assert_cmpuint(count_entries(dir), ==, 2);
  am_out_file_abort(f);
  g_assert_cmpuint(count_entries(dir), ==, 1);
  g_free(text);
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_assert_cmpstr(text, ==, "first\n");

  /* A full device: the error names the path and the reason, at the latest at commit. */
  if (g_file_test("/dev/full", G_FILE_TEST_EXISTS)) {
    g_assert_false(am_write_file_atomic("/dev/full", "x", 1, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
    g_assert_nonnull(strstr(error->message, "/dev/full"));
    g_clear_error(&error);
  }
  /* A missing folder. */
  g_autofree char *nowhere = g_build_filename(dir, "no", "such", "file", NULL);
  g_assert_null(am_out_file_open(nowhere, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull(strstr(error->message, "no/such/file"));
  g_clear_error(&error);
  g_assert_cmpuint(count_entries(dir), ==, 1);
}

/* ---- progress events --------------------------------------------------------------- */

typedef struct {
  int count[AM_PROGRESS_END + 1];
  gint64 last_done;
  char *last_stage;
  char *end_text;
} Seen;

static void collect(const AmProgressEvent *ev, gpointer user_data)
{
  Seen *s = user_data;
  s->count[ev->kind]++;
  if (ev->kind == AM_PROGRESS_UPDATE) {
    g_assert_cmpint(ev->done, >=, s->last_done);
    g_assert_cmpint(ev->total, ==, 1000);
    s->last_done = ev->done;
  }
  if (ev->kind == AM_PROGRESS_STAGE) {
    g_free(s->last_stage);
    s->last_stage = g_strdup_printf("%s %d/%d", ev->stage, ev->stage_index, ev->stage_count);
  }
  if (ev->kind == AM_PROGRESS_END)
    s->end_text = g_strdup(ev->text);
}

static void test_progress_events(void)
{
  Seen seen = { 0 };
  AmProgress *p = am_progress_new("test");
  am_progress_subscribe(p, collect, &seen, NULL);
  g_autoptr(GCancellable) cancel = g_cancellable_new();
  am_progress_set_cancellable(p, cancel);
  am_progress_begin(p, 1000, 2);
  am_progress_stage(p, "first");
  am_progress_stage(p, "second");
  g_assert_cmpstr(seen.last_stage, ==, "second 2/2");
  /* Updates every step reach subscribers at most about ten times a second, and the last
   * one always does. */
  for (gint64 i = 1; i <= 1000; i++)
    am_progress_update(p, i, NULL);
  g_assert_cmpint(seen.count[AM_PROGRESS_UPDATE], >=, 1);
  g_assert_cmpint(seen.count[AM_PROGRESS_UPDATE], <, 20);
  g_assert_cmpint(seen.last_done, ==, 1000);
  am_progress_message(p, "%d atoms", 250);
  g_assert_cmpint(seen.count[AM_PROGRESS_MESSAGE], ==, 1);

  g_autoptr(GError) error = NULL;
  g_assert_false(am_progress_check_cancelled(p, &error));
  g_assert_no_error(error);
  g_cancellable_cancel(cancel);
  g_assert_true(am_progress_check_cancelled(p, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  am_progress_end(p, error->message);
  g_assert_cmpint(seen.count[AM_PROGRESS_BEGIN], ==, 1);
  g_assert_cmpint(seen.count[AM_PROGRESS_END], ==, 1);
  g_assert_nonnull(seen.end_text);
  am_progress_free(p);
  g_free(seen.last_stage);
  g_free(seen.end_text);

  g_autofree char *d1 = am_format_duration(3725);
  g_autofree char *d2 = am_format_duration(125);
  g_autofree char *d3 = am_format_duration(-1);
  g_assert_cmpstr(d1, ==, "1h02m");
  g_assert_cmpstr(d2, ==, "2m05s");
  g_assert_cmpstr(d3, ==, "?");
}

/* Ctrl-C stops a run between steps: exit 1, manifest "failed: interrupted", the thermo
 * rows so far kept, no temporary files left. */
static void test_interrupt(void)
{
  g_autofree char *ini = preset("md-nve-tiny.ini");
  g_autofree char *out = tmp_path("interrupted");
  const char *argv[] = { amorph_bin, "--batch", ini, "--threads", "1", "-o", out, "--set", "md.steps=100000000",
                         NULL };
  GPid pid;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_async(tmpdir, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                              NULL, NULL, &pid, &error));
  g_assert_no_error(error);
  /* Wait until the run is under way (thermo.csv's temporary file exists). */
  gboolean started = FALSE;
  for (int i = 0; i < 600 && !started; i++) {
    g_usleep(50000);
    g_autoptr(GDir) d = g_dir_open(out, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)))
      started = started || g_str_has_prefix(name, ".thermo.csv.");
  }
  g_assert_true(started);
  g_usleep(200000);
  kill(pid, SIGINT);
  int wait_status = 0;
  g_assert_cmpint(waitpid(pid, &wait_status, 0), ==, pid);
  g_spawn_close_pid(pid);
  g_assert_true(WIFEXITED(wait_status));
  g_assert_cmpint(WEXITSTATUS(wait_status), ==, 1);

  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *man = load_json(parser, out, "manifest.json");
  g_assert_cmpstr(json_object_get_string_member(man, "status"), ==, "failed");
  g_assert_nonnull(strstr(json_object_get_string_member(man, "error"), "interrupted"));
  assert_no_results(out);
  g_autofree char *thermo_path = g_build_filename(out, "thermo.csv", NULL);
  g_autoptr(GPtrArray) rows = load_csv(thermo_path, THERMO_HEADER);
  g_assert_cmpuint(rows->len, >=, 1);
  g_autoptr(GDir) d = g_dir_open(out, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name(d)))
    g_assert_false(name[0] == '.');
}

static void remove_tree(const char *path)
{
  if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      remove_tree(child);
    }
    g_rmdir(path);
  } else {
    g_unlink(path);
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  const char *src = g_getenv("AMORPH_SOURCE_DIR");
  const char *build = g_getenv("AMORPH_BUILD_DIR");
  if (!src || !build) {
    g_printerr("test-batch needs AMORPH_SOURCE_DIR and AMORPH_BUILD_DIR (run it with meson test)\n");
    return 1;
  }
  source_dir = g_strdup(src);
  amorph_bin = g_build_filename(build, "src", "amorph", NULL);
  tmpdir = g_dir_make_tmp("amorph-test-batch-XXXXXX", NULL);
  g_assert_nonnull(tmpdir);

  g_test_add_func("/experiment/batch/single-point", test_single_point);
  g_test_add_func("/experiment/batch/md-nve", test_md_nve);
  g_test_add_func("/experiment/batch/md-vs-lammps", test_md_vs_lammps);
  g_test_add_func("/experiment/batch/md-created-velocities", test_md_created_velocities);
  g_test_add_func("/experiment/batch/md-ramp-and-velocity-source", test_md_ramp_and_velocity_source);
  g_test_add_func("/experiment/batch/quench", test_quench);
  g_test_add_func("/experiment/batch/quench-b2-start", test_quench_b2_start);
  g_test_add_func("/experiment/batch/quench-resume", test_quench_resume);
  g_test_add_func("/experiment/batch/unwritable-output", test_unwritable_output);
  g_test_add_func("/experiment/batch/full-disk", test_full_disk);
  g_test_add_func("/experiment/batch/bad-config", test_bad_config);
  g_test_add_func("/experiment/batch/cli", test_cli);
  g_test_add_func("/experiment/batch/atomic-file", test_atomic_file);
  g_test_add_func("/experiment/batch/progress-events", test_progress_events);
  g_test_add_func("/experiment/batch/interrupt", test_interrupt);
  int rc = g_test_run();
  remove_tree(tmpdir);
  return rc;
}
