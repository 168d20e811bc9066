/* test-dms.c: the MD-DMS experiment layer: scheduler, job records, config checks, a tiny
 * sweep that must not depend on the pool size or on being interrupted and resumed, the
 * pinning protocol's pin sets, and the elastic limit (δ → 0, G′ = static shear modulus). */
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "experiment/dms_job.h"
#include "experiment/dms_sweep.h"
#include "experiment/scheduler.h"
#include "sim/checkpoint.h"
#include "sim/eam.h"
#include "sim/fire.h"
#include "sim/shear.h"
#include "sim/thermo.h"
#include "sim/units.h"
#include "test-util.h"

static char *make_tmpdir(void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp("amorph-dms-XXXXXX", &error);
  g_assert_no_error(error);
  return dir;
}

/* A tiny sweep on the 256-atom glass: 1 ps period, 3 cycles (2 analysed), 2 replicas.
 * overrides: "section.key=value" separated by ';' (may be NULL). */
static AmConfig *tiny_config(const char *protocol, const char *overrides, GError **error)
{
  g_autofree char *data = source_path("tests/data/glass-256.data");
  g_autofree char *text = g_strdup_printf("[run]\nprotocol = %s\n[system]\ndata = %s\n[dms]\n"
                                          "temperatures_K = 300 500\nperiod_ps = 1\ncycles = 3\n"
                                          "analysed_cycles = 2\nreplicas = 2\nequilibration_ps = 1\n"
                                          "sample_interval_ps = 0.1\nseed = 4242\n",
                                          protocol, data);
  g_auto(GStrv) set = g_strsplit(overrides ? overrides : "", ";", -1);
  if (!overrides) {
    g_strfreev(set);
    set = g_new0(char *, 1);
  }
  return am_config_load_data(text, -1, "tiny.ini", NULL, (const char *const *) set, error);
}

/* ---- Scheduler ---- */

typedef struct {
  GMutex lock;
  GArray *order;   /* job numbers in completion order */
  int fail_at;     /* job that fails, or -1 */
} SchedLog;

typedef struct {
  SchedLog *log;
  int index;
  guint deps[2];
  int ndeps;
  int max_threads, team; /* what the job's OpenMP saw: its thread limit, a team's size */
} SchedJob;

static gboolean sched_body(AmSchedulerJob *job, gpointer data, GError **error)
{
  SchedJob *sj = data;
  g_assert_cmpuint(am_scheduler_job_index(job), ==, (guint) sj->index);
  /* Every dependency finished before this job started. */
  g_mutex_lock(&sj->log->lock);
  for (int d = 0; d < sj->ndeps; d++) {
    gboolean seen = FALSE;
    for (guint k = 0; k < sj->log->order->len; k++)
      seen |= g_array_index(sj->log->order, int, k) == (int) sj->deps[d];
    g_assert_true(seen);
  }
  g_mutex_unlock(&sj->log->lock);
  /* The engine's parallel loops inside a job: one thread, whatever the pool's size, so
   * that W workers use W cores (the explorer's sweep runs through here too). */
  sj->max_threads = 1;
  sj->team = 1;
#ifdef _OPENMP
  sj->max_threads = omp_get_max_threads();
  int team = 0;
#pragma omp parallel
  {
#pragma omp single
    team = omp_get_num_threads();
  }
  sj->team = team;
#endif
  g_usleep(2000);
  if (sj->index == sj->log->fail_at) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "job %d broke", sj->index);
    return FALSE;
  }
  g_mutex_lock(&sj->log->lock);
  g_array_append_val(sj->log->order, sj->index);
  g_mutex_unlock(&sj->log->lock);
  return TRUE;
}

static gboolean sched_run(int workers, int fail_at, GError **error, guint *done)
{
  SchedLog log = { .order = g_array_new(FALSE, FALSE, sizeof(int)), .fail_at = fail_at };
  g_mutex_init(&log.lock);
  g_autoptr(AmScheduler) s = am_scheduler_new(workers);
  SchedJob jobs[12];
  for (int i = 0; i < 12; i++) {
    jobs[i] = (SchedJob) { &log, i, { 0, 0 }, 0, 0, 0 };
    g_assert_cmpuint(am_scheduler_add(s, "job", 10, sched_body, &jobs[i]), ==, (guint) i);
    /* A diamond-ish graph: jobs 4.. wait for (i-4) and, for odd i, for (i-3). */
    if (i >= 4) {
      jobs[i].deps[jobs[i].ndeps++] = (guint) (i - 4);
      am_scheduler_depend(s, (guint) i, (guint) (i - 4));
      if (i % 2) {
        jobs[i].deps[jobs[i].ndeps++] = (guint) (i - 3);
        am_scheduler_depend(s, (guint) i, (guint) (i - 3));
      }
    }
  }
  gboolean ok = am_scheduler_run(s, NULL, error);
  for (guint k = 0; k < log.order->len; k++) {
    const SchedJob *j = &jobs[g_array_index(log.order, int, k)];
    g_assert_cmpint(j->max_threads, ==, 1);
    g_assert_cmpint(j->team, ==, 1);
  }
  *done = log.order->len;
  g_array_unref(log.order);
  g_mutex_clear(&log.lock);
  return ok;
}

static void test_scheduler(void)
{
#ifdef _OPENMP
  /* Even when the caller allows more threads (the explorer's main thread, batch's
   * --threads), each job runs on one. */
  const int saved = omp_get_max_threads();
  omp_set_num_threads(3);
#endif
  for (int w = 1; w <= 3; w++) {
    GError *error = NULL;
    guint done = 0;
    g_assert_true(sched_run(w, -1, &error, &done));
    g_assert_no_error(error);
    g_assert_cmpuint(done, ==, 12);
    /* A failure stops the pool and names the job; its dependants never run. */
    g_assert_false(sched_run(w, 5, &error, &done));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_FAILED);
    g_assert_nonnull(strstr(error->message, "job 5 broke"));
    g_assert_cmpuint(done, <, 12);
    g_clear_error(&error);
  }
#ifdef _OPENMP
  g_assert_cmpint(omp_get_max_threads(), ==, 3);
  omp_set_num_threads(saved);
#endif
}

/* ---- Job records ---- */

static void test_record(void)
{
  AmDmsParams p = { .period = 2, .amplitude = 0.01, .cycles = 3, .analysed_cycles = 2, .dt = 0.002,
                    .equilibration = 1, .sample_interval = 0.1, .stress_interval = 1, .t_damp_steps = 100,
                    .p_damp_steps = 1000, .chain = 3, .seed = 1, .trace_points_per_cycle = 10 };
  am_displacement_params_default(&p.disp);
  GError *error = NULL;
  g_assert_true(am_dms_params_finish(&p, &error));
  AmDmsJobResult res = { 0 };
  AmError err = { 0 };
  g_assert_cmpint(am_displacement_counts_init(&res.counts, 7, &p.disp, &err), ==, AM_OK);
  for (int i = 0; i < 7; i++)
    res.counts.events[i] = (guint32) (3 * i);
  am_histogram_add(&res.counts.p_uprime, 0.37);
  res.fit.loss = 1234.5;
  res.fit.n = 99;
  res.n_ra = 3;
  res.f_jump = 0.125;
  res.uprime_max = g_new(float, 7);
  for (int i = 0; i < 7; i++)
    res.uprime_max[i] = 0.5f * (float) i;
  res.trace.n = 2;
  res.trace.t = g_new(double, 2);
  res.trace.strain = g_new(double, 2);
  res.trace.stress = g_new(double, 2);
  for (int i = 0; i < 2; i++)
    res.trace.t[i] = res.trace.strain[i] = res.trace.stress[i] = i + 0.25;
  const char *fp = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  g_autoptr(GBytes) rec = am_dms_job_result_encode(&res, fp);
  gsize len = 0;
  const guint8 *bytes = g_bytes_get_data(rec, &len);

  AmDmsJobResult back = { 0 };
  char stored[65];
  g_assert_true(am_dms_job_result_decode(bytes, len, "r.bin", 7, &back, stored, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(stored, ==, fp);
  g_assert_cmpfloat(back.fit.loss, ==, 1234.5);
  g_assert_cmpuint(back.fit.n, ==, 99);
  g_assert_cmpuint(back.n_ra, ==, 3);
  g_assert_cmpfloat(back.f_jump, ==, 0.125);
  g_assert_cmpuint(back.counts.events[6], ==, 18);
  g_assert_cmpfloat(back.uprime_max[6], ==, 3.0f);
  g_assert_cmpuint(back.trace.n, ==, 2);
  g_assert_cmpfloat(back.trace.stress[1], ==, 1.25);
  /* Re-encoding the decoded record gives the same bytes. */
  g_autoptr(GBytes) rec2 = am_dms_job_result_encode(&back, fp);
  g_assert_true(g_bytes_equal(rec, rec2));
  am_dms_job_result_clear(&back);

  /* Wrong atom count, a flipped byte, a truncated record: refused with a reason. */
  g_assert_false(am_dms_job_result_decode(bytes, len, "r.bin", 8, &back, stored, &error));
  g_assert_nonnull(strstr(error->message, "r.bin"));
  g_clear_error(&error);
  g_autofree guint8 *bad = g_memdup2(bytes, len);
  bad[len / 2] ^= 0x10;
  g_assert_false(am_dms_job_result_decode(bad, len, "r.bin", 7, &back, stored, &error));
  g_assert_nonnull(strstr(error->message, "checksum"));
  g_clear_error(&error);
  g_assert_false(am_dms_job_result_decode(bytes, len / 3, "r.bin", 7, &back, stored, &error));
  g_clear_error(&error);
  am_dms_job_result_clear(&res);
}

/* ---- Config checks ---- */

static void expect_config_error(const char *dms_lines, const char *needle)
{
  /* A valid base, each key unless the case gives it itself. */
  static const char *const base[] = { "period_ps = 2", "sample_interval_ps = 0.5", "cycles = 3",
                                      "analysed_cycles = 2", NULL };
  GString *t = g_string_new("[run]\nprotocol = dms-sweep\n[dms]\n");
  for (int i = 0; base[i]; i++) {
    g_autofree char *key = g_strndup(base[i], strcspn(base[i], " "));
    g_autofree char *probe = g_strconcat("\n", key, " =", NULL);
    g_autofree char *lines = g_strconcat("\n", dms_lines, NULL);
    if (!strstr(lines, probe))
      g_string_append_printf(t, "%s\n", base[i]);
  }
  g_string_append(t, dms_lines);
  g_autofree char *text = g_string_free(t, FALSE);
  GError *error = NULL;
  g_autoptr(AmConfig) cfg = am_config_load_data(text, -1, "bad.ini", NULL, NULL, &error);
  if (cfg && am_dms_sweep_check_config(cfg, &error))
    g_error("accepted: %s", dms_lines);
  if (!strstr(error->message, needle))
    g_error("expected “%s” in: %s", needle, error->message);
  g_assert_nonnull(strstr(error->message, "bad.ini"));
  g_clear_error(&error);
}

static void test_config_errors(void)
{
  /* A valid config passes. */
  {
    GError *error = NULL;
    g_autoptr(AmConfig) cfg = am_config_load_data("[run]\nprotocol = dms-sweep\n[dms]\nperiod_ps = 2\n"
                                                  "sample_interval_ps = 0.5\ncycles = 3\nanalysed_cycles = 2\n",
                                                  -1, "good.ini", NULL, NULL, &error);
    g_assert_no_error(error);
    g_assert_true(am_dms_sweep_check_config(cfg, &error));
    g_assert_no_error(error);
  }
  expect_config_error("temperatures_K =\n", "temperatures_K");
  expect_config_error("temperatures_K = 300 abc\n", "“abc” is not a temperature");
  expect_config_error("temperatures_K = 300 -5\n", "“-5” is not a temperature");
  expect_config_error("temperatures_K = 300 400 300\n", "lists 300 twice");
  expect_config_error("analysed_cycles = 5\n", "analysed_cycles = 5 is more than [dms] cycles = 3");
  expect_config_error("sample_interval_ps = 0.3\n", "sample_interval_ps = 0.3 does not divide period_ps = 2");
  expect_config_error("sample_interval_ps = 0.003\n", "sample_interval_ps = 0.003 is not a whole number of timesteps");
  expect_config_error("period_ps = 2.001\n", "period_ps = 2.001 is not a whole number");
  expect_config_error("stress_interval_steps = 600\n", "stress_interval_steps = 600");
  expect_config_error("va_max_A = 2\nfa_min_A = 1.5\n", "fa_min_A = 1.5 must be larger than va_max_A = 2");
  expect_config_error("watch_temperature_K = 123\n", "watch_temperature_K = 123 is not in");
  expect_config_error("watch_temperature_K = 300\nwatch_replica = 60\n", "watch_replica = 60");
  expect_config_error("watch_temperature_K = 300\nwatch_pin_set = 1\n", "watch_pin_set = 1, but protocol dms-sweep");
  expect_config_error("pinned = ids\n", "pinned = ids needs");
  expect_config_error("pinned_count = 5\n", "pinned = none, but");
  expect_config_error("replicas = 1\n", "replicas");
}

/* ---- Tiny sweeps ---- */

static char *read_file(const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  char *text = NULL;
  GError *error = NULL;
  g_file_get_contents(path, &text, NULL, &error);
  g_assert_no_error(error);
  return text;
}

static const char *const result_files[] = {
  "results.json", "moduli.csv", "replicas.csv", "classes.csv", "n_ra.csv", "p_u.csv",
  "p_uprime.csv", "stress_trace.csv", "selected_ras.csv", "pinned.csv", "heatmaps.csv", "uprime_series.csv",
  "p_uprime_selected_ras.csv", "ra_displacements.csv", NULL,
};

static void assert_same_results(const char *a, const char *b)
{
  for (int i = 0; result_files[i]; i++) {
    g_autofree char *x = read_file(a, result_files[i]);
    g_autofree char *y = read_file(b, result_files[i]);
    if (strcmp(x, y) != 0)
      g_error("%s differs between %s and %s", result_files[i], a, b);
  }
}

typedef struct {
  int calls;
  double last_time;
  gsize n;
  gboolean classes_valid;
} WatchLog;

static void on_watch(const AmDmsSnapshot *snap, gpointer data)
{
  WatchLog *w = data;
  g_assert_cmpfloat(snap->time, >=, w->last_time);
  w->last_time = snap->time;
  w->n = snap->n;
  w->calls++;
  gboolean ok = TRUE;
  for (gsize i = 0; i < snap->n; i++)
    ok &= snap->cls[i] <= AM_CLASS_FA && isfinite(snap->x[3 * i]);
  w->classes_valid = ok;
}

static AmDmsSweep *run_tiny(const char *dir, int workers, gboolean resume, guint max_jobs, const char *extra,
                            WatchLog *watch, GError **error)
{
  g_autoptr(AmConfig) cfg = tiny_config("dms-sweep", extra, error);
  g_assert_no_error(*error);
  AmDmsSweep *sw = am_dms_sweep_new(cfg, NULL, error);
  g_assert_no_error(*error);
  AmDmsRunOptions opt = { .output_dir = dir, .resume = resume, .workers = workers,
                          .watch = watch ? on_watch : NULL, .watch_data = watch };
  gboolean ok = max_jobs ? am_dms_sweep_run_partial(sw, &opt, max_jobs, error)
                         : am_dms_sweep_run(sw, &opt, error) && am_dms_sweep_write(sw, dir, NULL, error);
  if (!ok) {
    am_dms_sweep_free(sw);
    return NULL;
  }
  return sw;
}

static void test_pool_size_and_resume(void)
{
  g_autofree char *d1 = make_tmpdir();
  g_autofree char *d2 = make_tmpdir();
  g_autofree char *d3 = make_tmpdir();
  GError *error = NULL;
  WatchLog watch = { 0 };
  const gint64 t0 = g_get_monotonic_time();
  AmDmsSweep *s1 = run_tiny(d1, 1, FALSE, 0, "dms.watch_temperature_K=500;dms.watch_replica=1", &watch, &error);
  g_assert_no_error(error);
  const double secs = (double) (g_get_monotonic_time() - t0) * 1e-6;
  g_test_message("tiny sweep, 1 worker: %.1f s, %.0f steps/s per job", secs, am_dms_sweep_steps_per_second(s1));

  /* The watcher saw the watched job sample by sample: 3 cycles × 10 samples + the start. */
  g_assert_cmpint(watch.calls, ==, 31);
  g_assert_cmpuint(watch.n, ==, 256);
  g_assert_true(watch.classes_valid);

  const AmDmsSweepResults *R = am_dms_sweep_results(s1);
  g_assert_nonnull(R);
  g_assert_cmpuint(R->n_sets, ==, 1);
  g_assert_cmpuint(R->sets[0].n_points, ==, 2);
  for (gsize k = 0; k < 2; k++) {
    const AmDmsPoint *pt = &R->sets[0].points[k];
    g_assert_cmpuint(pt->replicas, ==, 2);
    /* A glass: a shear modulus of tens of GPa, a stress amplitude ε_A·|G*|. */
    g_assert_cmpfloat(pt->storage.mean, >, 5);
    g_assert_cmpfloat(pt->storage.mean, <, 80);
    g_assert_cmpfloat(fabs(pt->amplitude.mean - 0.01 * hypot(pt->storage.mean, pt->loss.mean)), <,
                      1e-6 + 0.05 * pt->amplitude.mean);
    g_assert_cmpfloat(fabs(pt->measured_temperature.mean - pt->temperature), <, 0.1 * pt->temperature);
    g_assert_cmpfloat(pt->f_va.mean + pt->f_ra.mean + pt->f_fa.mean, ==, 1.0);
    g_assert_cmpuint(pt->counts.cycles, ==, 4); /* 2 analysed cycles × 2 replicas */
    g_assert_cmpuint(pt->trace->n, ==, 301);    /* 100 points per cycle, 3 cycles, and t = 0 */
    /* The trajectory rerun pooled p(u′) over exactly this temperature's selected RAs. */
    g_assert_cmpuint(pt->n_traj, >, 0);
    const AmTrajectory *tr = pt->trajectory;
    g_assert_true(tr->pooled);
    g_assert_cmpuint(tr->n_pool, ==, pt->n_selected);
    for (gsize a = 0; a < tr->n_pool; a++)
      g_assert_cmpint(am_dms_sweep_atoms(s1)->id[tr->pool[a]], ==, pt->selected_ids[a]);
    g_assert_cmpuint(am_histogram_total(&tr->pool_u), ==, tr->n_pool * tr->frames);
  }

  /* Two workers: the same bytes. */
  AmDmsSweep *s2 = run_tiny(d2, 2, FALSE, 0, "dms.watch_temperature_K=500;dms.watch_replica=1", NULL, &error);
  g_assert_no_error(error);
  assert_same_results(d1, d2);

  /* Interrupted after the equilibrations and three replicas, then resumed with two
   * workers: the same bytes, and the finished jobs were not rerun. */
  AmDmsSweep *p = run_tiny(d3, 1, FALSE, 5, "dms.watch_temperature_K=500;dms.watch_replica=1", NULL, &error);
  g_assert_no_error(error);
  g_assert_null(am_dms_sweep_results(p));
  am_dms_sweep_free(p);
  g_autofree char *first = g_build_filename(d3, "jobs", "p0-t00-r000.bin", NULL);
  g_autofree char *missing = g_build_filename(d3, "jobs", "p0-t01-r001.bin", NULL);
  g_assert_true(g_file_test(first, G_FILE_TEST_EXISTS));
  g_assert_false(g_file_test(missing, G_FILE_TEST_EXISTS));
  GStatBuf st_before, st_after;
  g_assert_cmpint(g_stat(first, &st_before), ==, 0);
  AmDmsSweep *s3 = run_tiny(d3, 2, TRUE, 0, "dms.watch_temperature_K=500;dms.watch_replica=1", NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpint(g_stat(first, &st_after), ==, 0);
  g_assert_cmpint(st_before.st_ino, ==, st_after.st_ino); /* reloaded, not rewritten */
  assert_same_results(d1, d3);

  /* Resuming with a different config is refused, naming the job file. */
  AmDmsSweep *s4 = run_tiny(d3, 1, TRUE, 0, "dms.seed=4243", NULL, &error);
  g_assert_null(s4);
  g_assert_nonnull(error);
  g_assert_nonnull(strstr(error->message, "different config"));
  g_clear_error(&error);

  am_dms_sweep_free(s1);
  am_dms_sweep_free(s2);
  am_dms_sweep_free(s3);
  rm_rf(d1);
  rm_rf(d2);
  rm_rf(d3);
}

typedef struct {
  GMutex lock;
  gint64 n_pinned[4]; /* by pin set, as the replicas' job_done said; -2 before any */
} SetSizes;

static void record_set_size(const AmDmsJobDone *done, gpointer data)
{
  SetSizes *sz = data;
  if (!done->result || done->pinset < 0 || done->pinset >= 4)
    return;
  g_mutex_lock(&sz->lock);
  /* Every replica of a set reports the same size. */
  if (sz->n_pinned[done->pinset] != -2)
    g_assert_cmpint(sz->n_pinned[done->pinset], ==, done->n_pinned);
  sz->n_pinned[done->pinset] = done->n_pinned;
  g_mutex_unlock(&sz->lock);
}

static void test_pinning(void)
{
  g_autofree char *dir = make_tmpdir();
  GError *error = NULL;
  g_autoptr(AmConfig) cfg = tiny_config("pinning", "dms.temperatures_K=500;dms.period_ps=2;pinning.pinned_count=6;"
                                        "pinning.selection_temperature_K=500", &error);
  g_assert_no_error(error);
  g_autoptr(AmDmsSweep) sw = am_dms_sweep_new(cfg, NULL, &error);
  g_assert_no_error(error);
  /* One equilibration, 2 replicas × 3 pin sets, 2 selection jobs, 1 trajectory rerun. */
  g_assert_cmpuint(am_dms_sweep_job_count(sw), ==, 1 + 6 + 2 + 1);
  /* The selected sets' sizes come from the results. */
  AmDmsPinSetInfo info;
  g_assert_cmpuint(am_dms_sweep_n_pin_sets(sw), ==, 3);
  g_assert_true(am_dms_sweep_pin_set_info(sw, 1, &info));
  g_assert_cmpstr(info.name, ==, "ra");
  g_assert_cmpint(info.n_pinned, ==, -1);
  SetSizes sizes = { .n_pinned = { -2, -2, -2, -2 } };
  g_mutex_init(&sizes.lock);
  AmDmsRunOptions opt = { .output_dir = dir, .workers = 2, .job_done = record_set_size, .job_done_data = &sizes };
  g_assert_true(am_dms_sweep_run(sw, &opt, &error));
  g_assert_no_error(error);
  g_mutex_clear(&sizes.lock);
  g_assert_true(am_dms_sweep_write(sw, dir, NULL, &error));
  g_assert_no_error(error);
  const AmDmsSweepResults *R = am_dms_sweep_results(sw);
  g_assert_cmpuint(R->n_sets, ==, 3);
  /* The live view learns each chosen set's size from its replicas, before the end. */
  for (guint s = 0; s < 3; s++)
    g_assert_cmpint(sizes.n_pinned[s], ==, (gint64) R->sets[s].n_pinned);
  g_assert_cmpstr(R->sets[0].name, ==, "none");
  g_assert_cmpstr(R->sets[1].name, ==, "ra");
  g_assert_cmpstr(R->sets[2].name, ==, "va");
  g_assert_cmpuint(R->sets[0].n_pinned, ==, 0);
  g_assert_cmpuint(R->sets[1].n_pinned, >=, 1);
  g_assert_cmpuint(R->sets[1].n_pinned, <=, 6);
  g_assert_cmpuint(R->sets[2].n_pinned, ==, R->sets[1].n_pinned);
  /* RA and VA sets are disjoint. */
  for (gsize a = 0; a < R->sets[1].n_pinned; a++)
    for (gsize b = 0; b < R->sets[2].n_pinned; b++)
      g_assert_cmpint(R->sets[1].pinned_ids[a], !=, R->sets[2].pinned_ids[b]);
  /* Pinned atoms never move non-affinely: in the pinned runs their u′_max is 0. */
  for (gsize s = 1; s < 3; s++) {
    const AmDmsPoint *pt = &R->sets[s].points[0];
    g_assert_cmpuint(pt->replicas, ==, 2);
    for (gsize r = 0; r < 2; r++) {
      const AmDmsJobResult *res = pt->replica[r];
      gsize zero = 0;
      for (gsize i = 0; i < R->natoms; i++)
        zero += res->uprime_max[i] < 1e-6f;
      g_assert_cmpuint(zero, ==, R->sets[s].n_pinned);
    }
  }
  g_autofree char *pinned = read_file(dir, "pinned.csv");
  g_assert_nonnull(strstr(pinned, "\nra,"));
  g_assert_nonnull(strstr(pinned, "\nva,"));
  rm_rf(dir);
}

/* The pinning experiment with a given set of atoms (the explorer's Compare): the file's
 * atoms are the ones pinned, and the control set is as many random VAs, none of them
 * from the file. */
static void test_pinning_ids(void)
{
  g_autofree char *dir = make_tmpdir();
  g_autofree char *ids_path = g_build_filename(dir, "chosen-ids.txt", NULL);
  static const gint64 chosen[] = { 3, 17, 42, 100, 200 };
  /* Out of order, with a comment and commas: the reader's format, not a sorted list. */
  g_assert_true(g_file_set_contents(ids_path, "# chosen in a test\n200, 3\n100 17\n42\n", -1, NULL));
  GError *error = NULL;
  g_autofree char *set = g_strdup_printf("dms.temperatures_K=500;dms.period_ps=2;pinning.pinned_ids=%s;"
                                         "pinning.selection_temperature_K=500", ids_path);
  g_autoptr(AmConfig) cfg = tiny_config("pinning", set, &error);
  g_assert_no_error(error);
  g_autoptr(AmDmsSweep) sw = am_dms_sweep_new(cfg, NULL, &error);
  g_assert_no_error(error);
  /* One equilibration, 2 replicas × 3 pin sets, one selection job (the VAs), 1 trajectory rerun. */
  g_assert_cmpuint(am_dms_sweep_job_count(sw), ==, 1 + 6 + 1 + 1);
  /* Before the run, both pinned sets' sizes are known (the file's, and as many VAs). */
  g_assert_cmpuint(am_dms_sweep_n_pin_sets(sw), ==, 3);
  AmDmsPinSetInfo info;
  g_assert_true(am_dms_sweep_pin_set_info(sw, 1, &info));
  g_assert_cmpstr(info.name, ==, "ids");
  g_assert_cmpint(info.n_pinned, ==, G_N_ELEMENTS(chosen));
  g_assert_true(am_dms_sweep_pin_set_info(sw, 2, &info));
  g_assert_cmpint(info.kind, ==, AM_PIN_RANDOM_VA);
  g_assert_cmpint(info.n_pinned, ==, G_N_ELEMENTS(chosen));
  g_assert_false(am_dms_sweep_pin_set_info(sw, 3, &info));
  SetSizes sizes = { .n_pinned = { -2, -2, -2, -2 } };
  g_mutex_init(&sizes.lock);
  AmDmsRunOptions opt = { .output_dir = dir, .workers = 2, .job_done = record_set_size, .job_done_data = &sizes };
  g_assert_true(am_dms_sweep_run(sw, &opt, &error));
  g_assert_no_error(error);
  g_mutex_clear(&sizes.lock);
  g_assert_true(am_dms_sweep_write(sw, dir, NULL, &error));
  g_assert_no_error(error);
  const AmDmsSweepResults *R = am_dms_sweep_results(sw);
  g_assert_cmpuint(R->n_sets, ==, 3);
  /* The live view learns each chosen set's size from its replicas, before the end. */
  for (guint s = 0; s < 3; s++)
    g_assert_cmpint(sizes.n_pinned[s], ==, (gint64) R->sets[s].n_pinned);
  g_assert_cmpstr(R->sets[0].name, ==, "none");
  g_assert_cmpstr(R->sets[1].name, ==, "ids");
  g_assert_cmpint(R->sets[1].kind, ==, AM_PIN_IDS);
  g_assert_cmpstr(R->sets[2].name, ==, "va");
  g_assert_cmpuint(R->sets[0].n_pinned, ==, 0);
  g_assert_cmpuint(R->sets[1].n_pinned, ==, G_N_ELEMENTS(chosen));
  for (gsize k = 0; k < G_N_ELEMENTS(chosen); k++)
    g_assert_cmpint(R->sets[1].pinned_ids[k], ==, chosen[k]);
  g_assert_cmpuint(R->sets[2].n_pinned, ==, G_N_ELEMENTS(chosen));
  for (gsize a = 0; a < R->sets[2].n_pinned; a++)
    for (gsize b = 0; b < G_N_ELEMENTS(chosen); b++)
      g_assert_cmpint(R->sets[2].pinned_ids[a], !=, chosen[b]);
  /* The pinned atoms, found by id, are the ones that did not move non-affinely: exactly
   * the set's atoms have u′_max 0 in each of its runs. */
  const AmAtoms *atoms = am_dms_sweep_atoms(sw);
  for (gsize s = 1; s < 3; s++) {
    const AmDmsPoint *pt = &R->sets[s].points[0];
    g_assert_cmpuint(pt->replicas, ==, 2);
    for (gsize r = 0; r < 2; r++) {
      const AmDmsJobResult *res = pt->replica[r];
      for (gsize i = 0; i < R->natoms; i++) {
        gboolean pinned = FALSE;
        for (gsize k = 0; k < R->sets[s].n_pinned; k++)
          pinned |= R->sets[s].pinned_ids[k] == atoms->id[i];
        g_assert_cmpint(res->uprime_max[i] < 1e-6f, ==, pinned);
      }
    }
  }
  g_autofree char *pinned = read_file(dir, "pinned.csv");
  g_assert_nonnull(strstr(pinned, "\nids,42,"));
  g_assert_nonnull(strstr(pinned, "\nva,"));
  g_assert_null(strstr(pinned, "\nra,"));

  /* The same file with pinned_count is refused, naming both keys. */
  g_autofree char *both = g_strconcat(set, ";pinning.pinned_count=5", NULL);
  g_autoptr(AmConfig) bad = tiny_config("pinning", both, &error);
  g_assert_no_error(error);
  g_assert_false(am_dms_sweep_check_config(bad, &error));
  g_assert_nonnull(strstr(error->message, "pinned_ids and pinned_count"));
  g_clear_error(&error);
  rm_rf(dir);
}

/* ---- The elastic limit ---- */

/* σ_xy (bar) of the inherent structure of sys with its tilt changed by dgamma·L_y. */
static double relaxed_stress(const AmSystem *base, double dgamma)
{
  AmSystem sys;
  AmError err = { 0 };
  am_system_init(&sys, base->potential, base->skin);
  g_assert_cmpint(am_system_copy(&sys, base, &err), ==, AM_OK);
  AmBox nb = sys.box;
  nb.xy += dgamma * sys.box.ly;
  am_shear_remap(&sys.box, &nb, &sys.atoms);
  sys.box = nb;
  memset(sys.atoms.v, 0, 3 * sys.atoms.n * sizeof(double));
  am_system_invalidate(&sys);
  AmFireConfig fc;
  am_fire_config_init(&fc);
  fc.ftol = 1e-8;
  fc.max_iter = 50000;
  AmFireResult fr;
  g_assert_cmpint(am_fire_minimize(&sys, &fc, &fr, &err), ==, AM_OK);
  double sigma[6];
  am_thermo_stress(&sys, sigma);
  am_system_free(&sys);
  return sigma[AM_XY];
}

static void test_elastic(void)
{
  g_autofree char *dir = make_tmpdir();
  GError *error = NULL;
  g_autoptr(AmConfig) cfg = tiny_config("dms-sweep", "dms.temperatures_K=1;dms.period_ps=4;dms.strain_amplitude=0.004;"
                                        "dms.sample_interval_ps=0.2", &error);
  g_assert_no_error(error);
  g_autoptr(AmDmsSweep) sw = am_dms_sweep_new(cfg, NULL, &error);
  g_assert_no_error(error);
  AmDmsRunOptions opt = { .output_dir = dir, .workers = 2 };
  g_assert_true(am_dms_sweep_run(sw, &opt, &error));
  g_assert_no_error(error);
  const AmDmsPoint *pt = &am_dms_sweep_results(sw)->sets[0].points[0];

  /* The static modulus of the same configuration: relax the equilibrated state, then
   * ±0.1 % strain, each relaxed at fixed box. */
  g_autofree char *data = source_path("data/potentials/CuZr_mm.eam.fs");
  AmEam *eam = NULL;
  AmError err = { 0 };
  g_assert_cmpint(am_eam_load(data, AM_EAM_FS, &eam, &err), ==, AM_OK);
  AmSystem eq;
  am_system_init(&eq, eam, 1.0);
  g_autofree char *ck = g_build_filename(dir, "jobs", "eq-t00.ckpt", NULL);
  g_assert_cmpint(am_checkpoint_read(ck, &eq, NULL, &err), ==, AM_OK);
  const double h = 0.001;
  const double g_static = (relaxed_stress(&eq, h) - relaxed_stress(&eq, -h)) / (2 * h) / AM_BAR_PER_GPA;
  g_test_message("1 K: G' = %.3f ± %.3f GPa, G'' = %.4f ± %.4f GPa, delta = %.5f rad; static relaxed G = %.3f GPa",
                 pt->storage.mean, pt->storage.sem, pt->loss.mean, pt->loss.sem, pt->phase.mean, g_static);
  g_assert_cmpfloat(fabs(pt->phase.mean), <, 0.01);
  g_assert_cmpfloat(fabs(pt->storage.mean - g_static), <, 0.04 * g_static);
  am_system_free(&eq);
  am_eam_free(eam);
  rm_rf(dir);
}

/* The shipped presets are valid dms-sweep configs (the workstation and paper presets name
 * the shipped sample, which only has to exist when they run). */
static void test_presets(void)
{
  static const char *const presets[] = { "demo.ini", "workstation.ini", "paper.ini", NULL };
  for (int i = 0; presets[i]; i++) {
    g_autofree char *rel = g_build_filename("data", "presets", presets[i], NULL);
    g_autofree char *path = source_path(rel);
    GError *error = NULL;
    g_autoptr(AmConfig) cfg = am_config_load(path, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(am_config_protocol(cfg), ==, "dms-sweep");
    g_assert_true(am_dms_sweep_check_config(cfg, &error));
    g_assert_no_error(error);
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/experiment/dms/scheduler", test_scheduler);
  g_test_add_func("/experiment/dms/job-record", test_record);
  g_test_add_func("/experiment/dms/config-errors", test_config_errors);
  g_test_add_func("/experiment/dms/presets", test_presets);
  g_test_add_func("/experiment/dms/elastic-limit", test_elastic);
  g_test_add_func("/experiment/dms/pool-size-and-resume", test_pool_size_and_resume);
  g_test_add_func("/experiment/dms/pinning", test_pinning);
  g_test_add_func("/experiment/dms/pinning-ids", test_pinning_ids);
  return g_test_run();
}
