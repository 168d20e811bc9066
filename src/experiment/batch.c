/* batch.c: command line, protocol dispatch, output folder, config.ini and manifest.json. */
#include "experiment/batch.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "amorph-config.h"
#include "amorph-version.h"
#include "experiment/atomic_file.h"
#include "experiment/dms_sweep.h"
#if AMORPH_HAVE_MPI
#include "experiment/scheduler_mpi.h"
#endif

typedef struct {
  const char *name;
  AmProtocolRunFunc run;
} Runner;

/* Protocols and their runners; the key schemas are in config.c. */
static const Runner runners[] = {
  { "single-point", am_protocol_single_point },
  { "md", am_protocol_md },
  { "quench", am_protocol_quench },
  { "dms-sweep", am_protocol_dms_sweep },
  { "pinning", am_protocol_pinning },
  { "structure", am_protocol_structure },
};

static AmFigureWriter figure_writer;

void am_batch_set_figure_writer(AmFigureWriter writer)
{
  figure_writer = writer;
}

gboolean am_batch_write_figures(const AmRunContext *ctx, gconstpointer results, GError **error)
{
  if (!figure_writer)
    return TRUE;
  return figure_writer(ctx, am_config_protocol(ctx->config), results, error);
}

AmProtocolRunFunc am_batch_find_runner(const char *protocol)
{
  for (gsize i = 0; i < G_N_ELEMENTS(runners); i++)
    if (strcmp(runners[i].name, protocol) == 0)
      return runners[i].run;
  return NULL;
}

gboolean am_batch_requested(int argc, char **argv)
{
  static const char *const triggers[] = { "--batch", "--help", "-h", "--version", "--describe", NULL };
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0)
      break;
    for (int t = 0; triggers[t]; t++) {
      size_t n = strlen(triggers[t]);
      if (strncmp(argv[i], triggers[t], n) == 0 && (argv[i][n] == '\0' || argv[i][n] == '='))
        return TRUE;
    }
  }
  return FALSE;
}

char *am_batch_help_text(const char *program)
{
  GString *s = g_string_new(NULL);
  g_string_append_printf(s,
    "NAME\n"
    "    amorph - explore relaxation in a Cu50Zr50 metallic glass with EAM molecular dynamics\n"
    "\n"
    "SYNOPSIS\n"
    "    %s [FILE.data ...]                   (the explorer; needs a display)\n"
    "    %s --batch CONFIG.ini [--set SECTION.KEY=VALUE ...] [--output DIR]\n"
    "           [--threads N] [--resume] [--quiet]\n"
    "    %s --describe PROTOCOL\n"
    "    %s --help | --version\n"
    "\n"
    "DESCRIPTION\n"
    "    With --batch, amorph runs the experiment that CONFIG.ini describes without a display\n"
    "    and writes its results into an output folder. The config is a key file: [section]\n"
    "    headers, KEY = VALUE lines and # comments. [run] protocol names the experiment; each\n"
    "    protocol reads its own sections, every key has a default, a unit and a range, and an\n"
    "    unknown section or key, a value out of range or a malformed line is an error that\n"
    "    names the file and line. Relative file names are taken from the config's folder.\n"
    "\n"
    "OPTIONS\n"
    "    --batch CONFIG.ini\n"
    "        Run the config headless.\n"
    "    --set SECTION.KEY=VALUE\n"
    "        Override one key (repeatable), with the same checks as the file; relative file\n"
    "        names are taken from the working folder. Example: --set md.steps=5000\n"
    "    --output DIR, -o DIR\n"
    "        Output folder, created if needed (default: amorph-out/NAME, NAME being the\n"
    "        config's file name without .ini). Existing result files there are replaced.\n"
    "    --threads N\n"
    "        OpenMP threads for the force computation (default: OMP_NUM_THREADS, else all\n"
    "        cores). Results depend on (config, seeds, thread count) only. Under MPI: the\n"
    "        threads of each rank (default: OMP_NUM_THREADS, else 1).\n"
    "    --resume\n"
    "        dms-sweep, pinning: reuse the jobs already finished in the output folder (their\n"
    "        records in DIR/jobs/ are checked against the config) and run only the rest; the\n"
    "        results equal those of an uninterrupted run. quench: continue from the output\n"
    "        folder's quench.checkpoint (written every [quench] checkpoint_ps), with the same\n"
    "        config and --threads; the files equal those of an uninterrupted run.\n"
    "    --quiet, -q\n"
    "        No progress output; errors are still reported.\n"
    "    --describe PROTOCOL\n"
    "        Print every key of PROTOCOL with its default, unit, range and meaning, as a\n"
    "        config file ready to edit.\n"
    "    --help, -h\n"
    "        This text.\n"
    "    --version\n"
    "        Version and git commit.\n"
    "\n"
    "PROTOCOLS\n", program, program, program, program);
  for (const AmProtocolSchema *const *p = am_config_protocols(); *p; p++) {
    g_string_append_printf(s, "    %s\n        %s; reads [run]", (*p)->name, (*p)->summary);
    for (int i = 0; (*p)->sections[i]; i++)
      g_string_append_printf(s, ", [%s]", (*p)->sections[i]->name);
    g_string_append(s, ".\n");
  }
  g_string_append(s,
    "\n"
    "OUTPUT FILES\n"
    "    config.ini       the resolved config: every key, defaults filled in, paths absolute\n"
    "    manifest.json    provenance: version, git commit, config, seeds, sha256 of inputs,\n"
    "                     threads, host, start and end time, wall time, status\n"
    "    results.json     the protocol's numbers (single-point: natoms, potential_energy_eV,\n"
    "                     pressure_tensor_bar; md: steps, threads, loop_seconds,\n"
    "                     atom_steps_per_second, final state, averages)\n"
    "    forces.csv       single-point: id,type,fx,fy,fz sorted by id, full precision\n"
    "    thermo.csv       md, quench: step, time, T, energies, pressure tensor, volume, box\n"
    "    final.data       md: final state as a LAMMPS data file\n"
    "    trajectory.extxyz  md with [md] trajectory_interval > 0\n"
    "    glass.data, volume_temperature.csv\n"
    "                     quench: the glass, and block averages of V, E, P against T\n"
    "    moduli.csv, replicas.csv, classes.csv, n_ra.csv, p_u.csv, p_uprime.csv,\n"
    "    stress_trace.csv, selected_ras.csv, pinned.csv, heatmaps.csv, uprime_series.csv,\n"
    "    p_uprime_selected_ras.csv, ra_displacements.csv\n"
    "                     dms-sweep, pinning: per pin set and temperature, σ_A, δ, G′, G″\n"
    "                     (mean ± SEM, and per replica), class fractions and f(u > u_c),\n"
    "                     N_RA against G″, p(u) and p(u′), the fitted stress trace of\n"
    "                     replica 0, the selected RAs with their event counts, the pinned\n"
    "                     ids, XY heatmaps and u′(t) of the recorded atoms, p(u′) of the\n"
    "                     selected RAs in replica 0 and each one's displacement vector at\n"
    "                     its largest u′ there\n"
    "    figures/         dms-sweep, pinning: the paper's Figs. 1, 2a-d, 3a, 4a-b, 5a-c,\n"
    "                     6a-d as figN.png and figN.svg, and notes.txt (what each shows,\n"
    "                     and why a figure was left out); structure: Figs. 3b, 5d, 7a, S3,\n"
    "                     S4 (RA-vs-VA figures with ra_ids or ras_from)\n"
    "    jobs/            dms-sweep, pinning: one record per finished job, what --resume\n"
    "                     reuses\n"
    "    structure.csv, structure.extxyz, rdf.csv, comparison.csv\n"
    "                     structure: per-atom id,species,V,theta,q6,energy,von_mises,\n"
    "                     participation; partial g(r); RA-vs-VA statistics (with ra_ids\n"
    "                     or ras_from)\n"
    "    Files are written to a temporary name, synced and renamed: a result file is\n"
    "    complete or absent. Progress goes to stderr: a bar with ETA on a terminal, plain\n"
    "    lines every [output] progress_interval_s seconds otherwise.\n"
    "\n"
    "MPI\n"
    "    An amorph built with MPI support runs a dms-sweep or pinning config over MPI ranks\n"
    "    when mpirun, mpiexec or srun starts it:  mpirun -n N amorph --batch CONFIG.ini -o DIR\n"
    "    Rank 0 reads the config, hands the sweep's jobs to the other ranks one at a time\n"
    "    (lowest-numbered ready job first) with the records they depend on, and alone writes\n"
    "    DIR; the result files equal those of a run without MPI at one thread per rank. When\n"
    "    a rank dies the whole run stops (a silent rank is given AMORPH_MPI_TIMEOUT_S\n"
    "    seconds); --resume, with or without MPI, runs only the jobs that have no record in\n"
    "    DIR/jobs/ and names those that were lost in flight. Other protocols refuse to run on\n"
    "    several ranks. docs/cluster.md has a SLURM script and timings.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success; 1 the run failed (manifest.json says why); 2 bad command line or config.\n"
    "\n"
    "ENVIRONMENT\n"
    "    OMP_NUM_THREADS   default thread count\n"
    "    AMORPH_MPI_TIMEOUT_S  seconds rank 0 waits for a silent busy rank before it aborts\n"
    "                      the MPI run (default 300)\n"
    "    AMORPH_DATA_DIR   folder with the shipped data (potentials/CuZr_mm.eam.fs)\n"
    "\n"
    "EXAMPLES\n"
    "    amorph --describe md > md.ini\n"
    "    amorph --batch md.ini --set system.data=glass.data --set md.steps=10000 -o run1\n");
  return g_string_free(s, FALSE);
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
  /* A second Ctrl-C kills at once, for a run that does not reach a check. */
  interrupted = 1;
  signal(sig, SIG_DFL);
}

/* Under MPI only rank 0 speaks: every rank reaches the same verdict on the command line,
 * and a message repeated by each rank would bury the one that matters. */
static gboolean silent_rank;

static int usage_error(const char *program, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static int usage_error(const char *program, const char *fmt, ...)
{
  if (silent_rank)
    return 2;
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  fprintf(stderr, "%s: %s\nTry '%s --help'.\n", program, msg, program);
  return 2;
}

/* --name VALUE or --name=VALUE. */
static gboolean take_value(int argc, char **argv, int *i, const char *name, const char *short_name,
                           const char **value, gboolean *missing)
{
  const char *a = argv[*i];
  size_t n = strlen(name);
  if (strncmp(a, name, n) == 0 && a[n] == '=') {
    *value = a + n + 1;
    return TRUE;
  }
  if (strcmp(a, name) == 0 || (short_name && strcmp(a, short_name) == 0)) {
    if (*i + 1 >= argc) {
      *missing = TRUE;
      return TRUE;
    }
    *value = argv[++*i];
    return TRUE;
  }
  return FALSE;
}

#if AMORPH_HAVE_MPI
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

/* A worker rank: the resolved config from rank 0, the same sweep, then whatever jobs rank
 * 0 hands out. Records live in a scratch folder of this rank (TMPDIR, node-local on most
 * clusters), removed at the end; the output folder is rank 0's alone. */
static int mpi_worker(const char *ini, int threads)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmConfig) cfg = am_config_load_data(ini, -1, "the config from rank 0", NULL, NULL, &error);
  g_autoptr(AmDmsSweep) sw = cfg ? am_dms_sweep_new(cfg, NULL, &error) : NULL;
  g_autofree char *scratch = sw ? g_dir_make_tmp("amorph-rank-XXXXXX", &error) : NULL;
  if (!scratch) {
    am_mpi_worker_fail(error);
    return 1;
  }
  gboolean ok = am_dms_sweep_serve(sw, scratch, threads, &error);
  remove_tree(scratch);
  return ok ? 0 : 1;
}
#endif

static int batch_main(int argc, char **argv);

int am_batch_main(int argc, char **argv)
{
#if AMORPH_HAVE_MPI
  gboolean batch = FALSE;
  for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
    batch |= strcmp(argv[i], "--batch") == 0 || strncmp(argv[i], "--batch=", 8) == 0;
  if (!batch || !am_mpi_launched())
    return batch_main(argc, argv);
  g_autoptr(GError) error = NULL;
  if (!am_mpi_start(&argc, &argv, &error)) {
    fprintf(stderr, "amorph: %s\n", error->message);
    return 1;
  }
  silent_rank = am_mpi_rank() != 0;
  int rc = batch_main(argc, argv);
  am_mpi_stop_workers();
  am_mpi_finish();
  return rc;
#else
  return batch_main(argc, argv);
#endif
}

static int batch_main(int argc, char **argv)
{
  const char *program = argc > 0 ? argv[0] : "amorph";
  g_autofree char *prog_base = g_path_get_basename(program);
  const char *config_path = NULL, *output = NULL, *threads_arg = NULL, *describe = NULL;
  gboolean batch = FALSE, quiet = FALSE, help = FALSE, version = FALSE, resume = FALSE;
  g_autoptr(GPtrArray) overrides = g_ptr_array_new();

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = NULL;
    gboolean missing = FALSE;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      help = TRUE;
    } else if (strcmp(a, "--version") == 0) {
      version = TRUE;
    } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
      quiet = TRUE;
    } else if (strcmp(a, "--batch") == 0) {
      batch = TRUE;
    } else if (strcmp(a, "--resume") == 0) {
      resume = TRUE;
    } else if (strncmp(a, "--batch=", 8) == 0) {
      batch = TRUE;
      if (config_path)
        return usage_error(prog_base, "more than one config file (%s and %s)", config_path, a + 8);
      config_path = a + 8;
    } else if (take_value(argc, argv, &i, "--set", NULL, &v, &missing)) {
      if (missing)
        return usage_error(prog_base, "--set needs SECTION.KEY=VALUE");
      g_ptr_array_add(overrides, (gpointer) v);
    } else if (take_value(argc, argv, &i, "--output", "-o", &v, &missing)) {
      if (missing)
        return usage_error(prog_base, "--output needs a folder");
      output = v;
    } else if (take_value(argc, argv, &i, "--threads", NULL, &v, &missing)) {
      if (missing)
        return usage_error(prog_base, "--threads needs a number");
      threads_arg = v;
    } else if (take_value(argc, argv, &i, "--describe", NULL, &v, &missing)) {
      if (missing)
        return usage_error(prog_base, "--describe needs a protocol name");
      describe = v;
    } else if (a[0] == '-' && a[1] != '\0') {
      return usage_error(prog_base, "unknown option %s", a);
    } else {
      if (config_path)
        return usage_error(prog_base, "more than one config file (%s and %s)", config_path, a);
      config_path = a;
    }
  }
  g_ptr_array_add(overrides, NULL);

  if (silent_rank && (help || version || describe))
    return 0;
  if (help) {
    g_autofree char *text = am_batch_help_text(prog_base);
    fputs(text, stdout);
    return 0;
  }
  if (version) {
    printf("amorph %s (git %s)\n", AMORPH_VERSION, AMORPH_GIT_COMMIT);
    return 0;
  }
  if (describe) {
    g_autoptr(GError) error = NULL;
    g_autofree char *text = am_config_describe(describe, &error);
    if (!text)
      return usage_error(prog_base, "%s", error->message);
    fputs(text, stdout);
    return 0;
  }
  if (!batch)
    return usage_error(prog_base, "expected --batch CONFIG.ini");
  if (!config_path)
    return usage_error(prog_base, "--batch needs a config file");

  int threads = omp_get_max_threads();
#if AMORPH_HAVE_MPI
  /* One core per rank unless asked: the usual way to start MPI programs, and one thread
   * per job is what a local pool uses, so the numbers come out the same. */
  const int ranks = am_mpi_size(), rank = am_mpi_rank();
  if (ranks > 1 && !g_getenv("OMP_NUM_THREADS"))
    threads = 1;
#else
  const int ranks = 1, rank = 0;
#endif
  if (threads_arg) {
    char *end = NULL;
    errno = 0;
    gint64 t = g_ascii_strtoll(threads_arg, &end, 10);
    if (end == threads_arg || *end || errno || t < 1 || t > 4096)
      return usage_error(prog_base, "--threads %s: expected a whole number from 1 to 4096", threads_arg);
    threads = (int) t;
  }
  omp_set_num_threads(threads);

  g_autoptr(GError) error = NULL;
  g_autoptr(AmConfig) cfg = NULL;
  AmProtocolRunFunc run = NULL;
  int setup_rc = 0;
  if (rank == 0) {
    cfg = am_config_load(config_path, (const char *const *) overrides->pdata, &error);
    if (!cfg) {
      fprintf(stderr, "%s: %s\n", prog_base, error->message);
      setup_rc = 2;
    } else if (!(run = am_batch_find_runner(am_config_protocol(cfg)))) {
      fprintf(stderr, "%s: protocol %s has no runner in this build\n", prog_base, am_config_protocol(cfg));
      setup_rc = 2;
    } else if (ranks > 1 && run != am_protocol_dms_sweep && run != am_protocol_pinning) {
      fprintf(stderr, "%s: protocol %s is one simulation and cannot use %d MPI ranks; run it without mpirun "
              "(only dms-sweep and pinning spread their jobs over ranks)\n", prog_base, am_config_protocol(cfg),
              ranks);
      setup_rc = 2;
    }
  }
#if AMORPH_HAVE_MPI
  if (ranks > 1) {
    /* Every rank learns rank 0's verdict; the workers get the resolved config, so they
     * never read the config file (nor need it on their node). */
    g_autofree char *ini = rank == 0 && setup_rc == 0 ? am_config_to_ini(cfg) : NULL;
    g_autofree char *shared = am_mpi_share_text(ini);
    if (!shared)
      return rank == 0 ? setup_rc : 2;
    if (rank > 0)
      return mpi_worker(shared, threads);
  }
#endif
  if (setup_rc)
    return setup_rc;

  g_autofree char *out_dir = NULL;
  if (output) {
    out_dir = g_strdup(output);
  } else {
    g_autofree char *base = g_path_get_basename(config_path);
    if (g_str_has_suffix(base, ".ini"))
      base[strlen(base) - 4] = '\0';
    out_dir = g_build_filename("amorph-out", base, NULL);
  }
  if (!am_output_dir_prepare(out_dir, &error)) {
    fprintf(stderr, "%s: %s\n", prog_base, error->message);
    return 1;
  }

  g_autoptr(AmProvenance) prov = am_provenance_new(cfg, argc, argv, threads);
  if (ranks > 1)
    am_provenance_set_double(prov, "mpi_ranks", ranks);
  g_autofree char *ini = am_config_to_ini(cfg);
  g_autofree char *ini_path = g_build_filename(out_dir, "config.ini", NULL);
  g_autofree char *manifest_path = g_build_filename(out_dir, "manifest.json", NULL);
  if (!am_write_file_atomic(ini_path, ini, -1, &error) ||
      !am_provenance_add_input(prov, "config", config_path, &error)) {
    fprintf(stderr, "%s: %s\n", prog_base, error->message);
    return 1;
  }
  am_provenance_add_output(prov, "config.ini");

  g_autoptr(AmProgress) progress = am_progress_new(am_config_protocol(cfg));
  if (!quiet)
    am_progress_subscribe_stderr(progress, am_config_get_double(cfg, "output", "progress_interval_s"), FALSE);
  interrupted = 0;
  am_progress_set_stop_flag(progress, &interrupted);
  void (*old_int)(int) = signal(SIGINT, on_signal);
  void (*old_term)(int) = signal(SIGTERM, on_signal);

  if (ranks > 1)
    am_progress_message(progress, "%s → %s (%d MPI ranks, %d thread%s per rank)", config_path, out_dir, ranks,
                        threads, threads == 1 ? "" : "s");
  else
    am_progress_message(progress, "%s → %s (%d thread%s)", config_path, out_dir, threads, threads == 1 ? "" : "s");
  AmRunContext ctx = {
    .config = cfg,
    .output_dir = out_dir,
    .threads = threads,
    .progress = progress,
    .provenance = prov,
    .resume = resume,
  };
  gboolean ok = run(&ctx, &error);
  signal(SIGINT, old_int);
  signal(SIGTERM, old_term);
  am_progress_end(progress, ok ? NULL : error->message);

  am_provenance_add_output(prov, "manifest.json");
  g_autoptr(GError) manifest_error = NULL;
  if (!am_provenance_write(prov, manifest_path, ok ? NULL : error->message, &manifest_error)) {
    fprintf(stderr, "%s: %s\n", prog_base, manifest_error->message);
    if (ok)
      return 1;
  }
  if (!ok) {
    fprintf(stderr, "%s: %s\n", prog_base, error->message);
    return error->domain == AM_CONFIG_ERROR ? 2 : 1;
  }
  if (!quiet)
    fprintf(stderr, "%s: results in %s\n", prog_base, out_dir);
  return 0;
}
