/* test-mpi.c: `mpirun -n 3 amorph --batch` on a tiny pinning sweep (built only with MPI).
 * The MPI run's result files equal a local run's byte for byte; a worker rank killed with
 * SIGKILL mid-sweep brings the run down, and a --resume finishes it with the same results
 * without redoing any job whose record was written; a rank that stops answering makes
 * rank 0 abort rather than wait; a malformed config fails on every rank with one message
 * from rank 0, within a time limit. */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-util.h"

static char *amorph_bin, *mpiexec, *tmpdir, *config, *serial_dir;

/* The 256-atom glass at 500 K (also the selection temperature), 1 ps period: an
 * equilibration, 2 unpinned
 * replicas, 2 selections, 2 + 2 pinned replicas and a trajectory rerun. The pinned sets
 * depend on records made by other ranks, so the dependency shipping is exercised. */
static void write_config(void)
{
  g_autofree char *data = source_path("tests/data/glass-256.data");
  g_autofree char *text = g_strdup_printf("[run]\nprotocol = pinning\n[system]\ndata = %s\n[dms]\n"
                                          "temperatures_K = 500\nperiod_ps = 1\ncycles = 3\nanalysed_cycles = 2\n"
                                          "replicas = 2\nequilibration_ps = 1\nsample_interval_ps = 0.1\n"
                                          "seed = 4242\n[pinning]\npinned_count = 6\nselection_temperature_K = 500\n", data);
  config = g_build_filename(tmpdir, "tiny.ini", NULL);
  g_assert_true(g_file_set_contents(config, text, -1, NULL));
}

static char **test_environ(void)
{
  char **env = g_get_environ();
  env = g_environ_unsetenv(env, "DISPLAY");
  env = g_environ_unsetenv(env, "WAYLAND_DISPLAY");
  /* OpenMPI: CI runs as root, and three ranks share two cores. Other MPIs ignore these. */
  env = g_environ_setenv(env, "OMPI_ALLOW_RUN_AS_ROOT", "1", TRUE);
  env = g_environ_setenv(env, "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", TRUE);
  env = g_environ_setenv(env, "OMPI_MCA_rmaps_base_oversubscribe", "1", TRUE);
  /* A killed rank cannot remove its scratch folder: keep it inside ours. */
  env = g_environ_setenv(env, "TMPDIR", tmpdir, TRUE);
  return env;
}

typedef struct {
  int status;      /* exit status, or -1 when killed by a signal */
  char *err;
} Run;

/* Runs argv (NULL-terminated) with a time limit, stdout dropped, stderr collected. */
static Run run_limited(const char *const *argv, int limit_s)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new();
  g_ptr_array_add(args, (gpointer) "timeout");
  g_ptr_array_add(args, (gpointer) "-s");
  g_ptr_array_add(args, (gpointer) "KILL");
  g_autofree char *limit = g_strdup_printf("%d", limit_s);
  g_ptr_array_add(args, limit);
  for (int i = 0; argv[i]; i++)
    g_ptr_array_add(args, (gpointer) argv[i]);
  g_ptr_array_add(args, NULL);
  g_auto(GStrv) env = test_environ();
  Run r = { 0 };
  int ws = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_sync(tmpdir, (char **) args->pdata, env, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                             NULL, NULL, NULL, &r.err, &ws, &error));
  g_assert_no_error(error);
  r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
  g_test_message("%s: exit %d, stderr:\n%s", argv[0], r.status, r.err);
  return r;
}

static char *out_path(const char *name)
{
  return g_build_filename(tmpdir, name, NULL);
}

/* Every regular file under dir (relative names, sorted), jobs/ optional. */
static void list_files(const char *root, const char *rel, gboolean with_jobs, GPtrArray *out)
{
  g_autofree char *dir = rel ? g_build_filename(root, rel, NULL) : g_strdup(root);
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  g_assert_nonnull(d);
  const char *name;
  while ((name = g_dir_read_name(d))) {
    g_autofree char *relname = rel ? g_build_filename(rel, name, NULL) : g_strdup(name);
    g_autofree char *full = g_build_filename(root, relname, NULL);
    if (g_file_test(full, G_FILE_TEST_IS_DIR)) {
      if (with_jobs || strcmp(relname, "jobs") != 0)
        list_files(root, relname, with_jobs, out);
    } else {
      g_ptr_array_add(out, g_steal_pointer(&relname));
    }
  }
}

static int cmp_str(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The result files of two runs are the same bytes; manifest.json is provenance (command
 * line, times, ranks) and is left out, the record sidecars (.json, with wall times) too. */
static void assert_same_results(const char *a, const char *b)
{
  g_autoptr(GPtrArray) fa = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) fb = g_ptr_array_new_with_free_func(g_free);
  list_files(a, NULL, TRUE, fa);
  list_files(b, NULL, TRUE, fb);
  g_ptr_array_sort(fa, cmp_str);
  g_ptr_array_sort(fb, cmp_str);
  guint compared = 0;
  g_assert_cmpuint(fa->len, ==, fb->len);
  for (guint i = 0; i < fa->len; i++) {
    const char *name = fa->pdata[i];
    g_assert_cmpstr(name, ==, fb->pdata[i]);
    if (strcmp(name, "manifest.json") == 0 || (g_str_has_prefix(name, "jobs/") && g_str_has_suffix(name, ".json")))
      continue;
    g_autofree char *pa = g_build_filename(a, name, NULL), *pb = g_build_filename(b, name, NULL);
    g_autofree char *da = NULL, *db = NULL;
    gsize la = 0, lb = 0;
    g_assert_true(g_file_get_contents(pa, &da, &la, NULL));
    g_assert_true(g_file_get_contents(pb, &db, &lb, NULL));
    if (la != lb || memcmp(da, db, la) != 0)
      g_error("%s differs between %s and %s", name, a, b);
    compared++;
  }
  g_test_message("%u files identical", compared);
  g_assert_cmpuint(compared, >, 20);
}

static void serial_reference(void)
{
  if (serial_dir)
    return;
  serial_dir = out_path("serial");
  const char *argv[] = { amorph_bin, "--batch", config, "--threads", "2", "-o", serial_dir, NULL };
  Run r = run_limited(argv, 300);
  g_assert_cmpint(r.status, ==, 0);
  g_free(r.err);
}

static void test_equals_serial(void)
{
  serial_reference();
  g_autofree char *out = out_path("mpi");
  const char *argv[] = { mpiexec, "-n", "3", amorph_bin, "--batch", config, "--threads", "1", "-o", out, NULL };
  Run r = run_limited(argv, 300);
  g_assert_cmpint(r.status, ==, 0);
  g_assert_nonnull(strstr(r.err, "3 MPI ranks"));
  g_assert_nonnull(strstr(r.err, "rank 0 on "));
  g_free(r.err);
  assert_same_results(serial_dir, out);

  g_autoptr(JsonParser) p = json_parser_new();
  g_autofree char *man = g_build_filename(out, "manifest.json", NULL);
  g_assert_true(json_parser_load_from_file(p, man, NULL));
  JsonObject *o = json_node_get_object(json_parser_get_root(p));
  g_assert_cmpstr(json_object_get_string_member(o, "status"), ==, "ok");
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(man, &text, NULL, NULL));
  g_assert_nonnull(strstr(text, "\"mpi_ranks\" : 3"));
}

/* The pid of world rank `rank` among parent's children (OpenMPI's environment says). */
static pid_t find_rank(pid_t parent, int rank)
{
  g_autoptr(GDir) d = g_dir_open("/proc", 0, NULL);
  const char *name;
  g_autofree char *want = g_strdup_printf("OMPI_COMM_WORLD_RANK=%d", rank);
  while (d && (name = g_dir_read_name(d))) {
    if (!g_ascii_isdigit(name[0]))
      continue;
    g_autofree char *stat_path = g_build_filename("/proc", name, "stat", NULL);
    g_autofree char *st = NULL;
    if (!g_file_get_contents(stat_path, &st, NULL, NULL))
      continue;
    const char *close_paren = strrchr(st, ')');
    int ppid = 0;
    if (!close_paren || sscanf(close_paren + 2, "%*c %d", &ppid) != 1 || ppid != parent)
      continue;
    g_autofree char *env_path = g_build_filename("/proc", name, "environ", NULL);
    g_autofree char *env = NULL;
    gsize len = 0;
    if (!g_file_get_contents(env_path, &env, &len, NULL))
      continue;
    for (gsize k = 0; k < len; k += strlen(env + k) + 1)
      if (strcmp(env + k, want) == 0)
        return (pid_t) atoi(name);
  }
  return 0;
}

static guint count_records(const char *jobs)
{
  guint n = 0;
  g_autoptr(GDir) d = g_dir_open(jobs, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d)))
    n += g_str_has_suffix(name, ".bin") || g_str_has_suffix(name, ".ckpt");
  return n;
}

static void test_rank_killed_resume(void)
{
  serial_reference();
  g_autofree char *out = out_path("killed");
  g_autofree char *jobs = g_build_filename(out, "jobs", NULL);
  const char *argv[] = { mpiexec, "-n", "3", amorph_bin, "--batch", config, "--threads", "1", "-o", out, NULL };
  g_auto(GStrv) env = test_environ();
  GPid pid = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_async(tmpdir, (char **) argv, env,
                              G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                              NULL, &pid, &error));
  g_assert_no_error(error);
  /* Kill worker rank 2 once the equilibration and two replicas are in: 5 records remain. */
  for (int i = 0; i < 1200 && count_records(jobs) < 3; i++)
    g_usleep(50000);
  const guint before = count_records(jobs);
  g_assert_cmpuint(before, >=, 3);
  pid_t victim = find_rank(pid, 2);
  g_assert_cmpint(victim, >, 0);
  g_assert_cmpint(kill(victim, SIGKILL), ==, 0);
  int ws = 0;
  gboolean ended = FALSE;
  for (int i = 0; i < 1200 && !ended; i++) {
    ended = waitpid(pid, &ws, WNOHANG) == pid;
    if (!ended)
      g_usleep(50000);
  }
  if (!ended) {
    kill(pid, SIGKILL);
    waitpid(pid, &ws, 0);
  }
  g_spawn_close_pid(pid);
  g_assert_true(ended); /* the dead rank brought the run down rather than hanging it */
  g_assert_false(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);

  /* What the run left: finished records (remembered by inode: a rerun would replace them
   * by a new file) and the jobs that were out on ranks. */
  g_autoptr(GHashTable) inodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) lost = g_ptr_array_new_with_free_func(g_free);
  guint records = 0;
  {
    g_autoptr(GDir) d = g_dir_open(jobs, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name(d))) {
      g_autofree char *path = g_build_filename(jobs, name, NULL);
      struct stat sb;
      g_assert_cmpint(stat(path, &sb), ==, 0);
      if (g_str_has_suffix(name, ".bin") || g_str_has_suffix(name, ".ckpt")) {
        g_hash_table_insert(inodes, g_strdup(name), GSIZE_TO_POINTER((gsize) sb.st_ino));
        records++;
      } else if (g_str_has_suffix(name, ".started")) {
        g_ptr_array_add(lost, g_strndup(name, strlen(name) - strlen(".started")));
      }
    }
  }
  g_test_message("%u records before the resume, %u jobs lost in flight", records, lost->len);
  g_assert_cmpuint(records, <, 8); /* there is something left to do */
  g_assert_cmpuint(lost->len, >=, 1);

  const char *resume[] = { amorph_bin, "--batch", config, "--threads", "2", "-o", out, "--resume", NULL };
  Run r = run_limited(resume, 300);
  g_assert_cmpint(r.status, ==, 0);
  g_autofree char *reused = g_strdup_printf("resuming: %u of 8 jobs finished earlier and are reused", records);
  g_assert_nonnull(strstr(r.err, reused));
  const char *lost_line = strstr(r.err, "lost in flight");
  g_assert_nonnull(lost_line);
  for (guint i = 0; i < lost->len; i++)
    g_assert_nonnull(strstr(lost_line, lost->pdata[i]));
  g_free(r.err);

  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, inodes);
  while (g_hash_table_iter_next(&it, &key, &value)) {
    g_autofree char *path = g_build_filename(jobs, key, NULL);
    struct stat sb;
    g_assert_cmpint(stat(path, &sb), ==, 0);
    if ((gsize) sb.st_ino != GPOINTER_TO_SIZE(value))
      g_error("%s was written again by the resumed run", (const char *) key);
  }
  /* No job is in flight any more. */
  for (guint i = 0; i < lost->len; i++) {
    g_autofree char *name = g_strconcat(lost->pdata[i], ".started", NULL);
    g_autofree char *path = g_build_filename(jobs, name, NULL);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
  }
  assert_same_results(serial_dir, out);
}

/* Waits up to limit_s for pid; returns whether it ended (then *ws is its status). */
static gboolean wait_limited(GPid pid, int limit_s, int *ws)
{
  for (int i = 0; i < limit_s * 20; i++) {
    if (waitpid(pid, ws, WNOHANG) == pid)
      return TRUE;
    g_usleep(50000);
  }
  return FALSE;
}

/* A rank that stops answering (SIGSTOP: alive, but silent) makes rank 0 abort the run
 * after AMORPH_MPI_TIMEOUT_S, naming the rank and its job, instead of waiting forever. */
static void test_silent_rank(void)
{
  g_autofree char *out = out_path("silent");
  g_autofree char *err_path = out_path("silent.err");
  g_autofree char *jobs = g_build_filename(out, "jobs", NULL);
  const char *argv[] = { "sh", "-c", "exec \"$@\" 2>\"$0\"", err_path, mpiexec, "-n", "3", amorph_bin, "--batch", config,
                         "--threads", "1", "-o", out, NULL };
  g_auto(GStrv) env = test_environ();
  env = g_environ_setenv(env, "AMORPH_MPI_TIMEOUT_S", "3", TRUE);
  GPid sh = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_async(tmpdir, (char **) argv, env,
                              G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                              &sh, &error));
  g_assert_no_error(error);
  for (int i = 0; i < 1200 && count_records(jobs) < 1; i++)
    g_usleep(50000);
  g_assert_cmpuint(count_records(jobs), >=, 1);
  pid_t victim = find_rank(sh, 1); /* sh exec'd mpirun: same pid */
  g_assert_cmpint(victim, >, 0);
  g_assert_cmpint(kill(victim, SIGSTOP), ==, 0);
  int ws = 0;
  const gboolean ended = wait_limited(sh, 60, &ws);
  if (!ended) {
    kill(victim, SIGKILL);
    kill(sh, SIGKILL);
    waitpid(sh, &ws, 0);
  }
  g_spawn_close_pid(sh);
  /* mpirun kills its ranks when one aborts; make sure the stopped one is gone. */
  if (kill(victim, 0) == 0)
    kill(victim, SIGKILL);
  g_assert_true(ended);
  g_assert_false(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
  g_autofree char *err = NULL;
  g_assert_true(g_file_get_contents(err_path, &err, NULL, NULL));
  g_test_message("%s", err);
  g_assert_nonnull(strstr(err, "amorph: rank 1 on "));
  g_assert_nonnull(strstr(err, "has sent nothing for 3 s while running "));
}

static void test_malformed_config(void)
{
  g_autofree char *bad = out_path("bad.ini");
  g_assert_true(g_file_set_contents(bad, "[run]\nprotocol = dms-sweep\n[dms]\nperiod_ps = 2\nbogus_key = 1\n", -1, NULL));
  g_autofree char *out = out_path("bad-out");
  const char *argv[] = { mpiexec, "-n", "3", amorph_bin, "--batch", bad, "-o", out, NULL };
  const gint64 t0 = g_get_monotonic_time();
  Run r = run_limited(argv, 60);
  g_assert_cmpint(r.status, >, 0); /* not killed by the time limit, and not success */
  g_assert_cmpfloat((double) (g_get_monotonic_time() - t0) * 1e-6, <, 60);
  /* One message, from rank 0, naming the file, line and key. */
  guint lines = 0;
  g_auto(GStrv) split = g_strsplit(r.err, "\n", -1);
  for (int i = 0; split[i]; i++)
    lines += g_str_has_prefix(split[i], "amorph:");
  g_assert_cmpuint(lines, ==, 1);
  g_assert_nonnull(strstr(r.err, "bad.ini:5: unknown key"));
  g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
  g_free(r.err);

  /* A protocol that is one simulation is refused under several ranks, once. */
  g_autofree char *md = source_path("data/presets/md-nve-tiny.ini");
  const char *argv2[] = { mpiexec, "-n", "2", amorph_bin, "--batch", md, "-o", out, NULL };
  r = run_limited(argv2, 60);
  g_assert_cmpint(r.status, >, 0);
  g_assert_nonnull(strstr(r.err, "cannot use 2 MPI ranks"));
  g_assert_null(strstr(strstr(r.err, "cannot use 2 MPI ranks") + 1, "cannot use 2 MPI ranks"));
  g_free(r.err);
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
  const char *build = g_getenv("AMORPH_BUILD_DIR");
  mpiexec = g_strdup(g_getenv("AMORPH_MPIEXEC"));
  if (!build || !g_getenv("AMORPH_SOURCE_DIR") || !mpiexec || !*mpiexec) {
    g_printerr("test-mpi needs AMORPH_SOURCE_DIR, AMORPH_BUILD_DIR and AMORPH_MPIEXEC (run it with meson test)\n");
    return 1;
  }
  amorph_bin = g_build_filename(build, "src", "amorph", NULL);
  tmpdir = g_dir_make_tmp("amorph-test-mpi-XXXXXX", NULL);
  g_assert_nonnull(tmpdir);
  write_config();

  g_test_add_func("/experiment/mpi/equals-serial", test_equals_serial);
  g_test_add_func("/experiment/mpi/rank-killed-resume", test_rank_killed_resume);
  g_test_add_func("/experiment/mpi/silent-rank", test_silent_rank);
  g_test_add_func("/experiment/mpi/malformed-config", test_malformed_config);
  int rc = g_test_run();
  remove_tree(tmpdir);
  return rc;
}
