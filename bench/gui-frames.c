/* gui-frames.c: how the explorer's main thread keeps up while a sweep runs. The issue asks
 * that no frame take longer than 16 ms of main-thread time while a run goes on, and for the
 * atom view's frame rate (4000 atoms, llvmpipe) and the worst main-loop stall.
 *
 * Opens the real window on a sample and measures three phases of --seconds each: the
 * view redrawn every frame (a tick callback, as when orbiting) with nothing running; then,
 * after starting the sweep ▶ starts (the Experiment panel's, demo.ini, on the loaded
 * sample; by default at 300 K only with 0.2 ps of equilibration, so that the watched
 * replica shears and redraws the atoms within seconds), the view as the run redraws it;
 * then the view redrawn every frame while the sweep runs.
 * For each: frames painted per second (the window's frame clock) and atom-view frames per
 * second; main-thread CPU per frame, from the frame clock's before-paint to after-paint
 * (update, layout, snapshot, render; mean, p95, max); the worst main-loop stall, the
 * longest the main thread spent between two polls of the main loop (wall, and its own CPU
 * in that stretch, which the load of other processes barely inflates); the CPU that
 * llvmpipe's rasteriser threads spent per frame; and the load average. Run it through bench/gui-frames (xvfb-run, settings kept in memory). */
#include <epoxy/gl.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gui/atom_view.h"
#include "gui/window.h"

typedef struct {
  const char *name;
  gint64 t0_us, t1_us;
  double cpu0_s, cpu1_s;     /* main thread */
  double gl0_s, gl1_s;       /* llvmpipe's rasteriser threads, summed */
  guint64 view_frames0, view_frames1;
  gint64 steps0, steps1;
  GArray *frame_cpu_ms;      /* per painted frame */
  GArray *frame_wall_ms;
  guint64 iterations;        /* main-loop polls */
  double stall_wall_ms, stall_wall_cpu_ms; /* the longest stretch between polls, and its CPU */
  double stall_cpu_ms;       /* the stretch that used the most CPU */
  guint long_iterations;     /* stretches over LONG_MS of main-thread CPU */
  GString *long_list;        /* "at 3.2 s: 52 ms CPU (60 ms wall)", the first few */
} Phase;

#define LONG_MS 16.0
static gint64 t_run_us; /* when ▶ was pressed */

static Phase *measuring; /* NULL between phases */

static double thread_cpu_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

/* CPU seconds of this process's threads whose name starts with prefix ("llvmpipe": Mesa's
 * rasteriser threads), from /proc (clock ticks). */
static double threads_cpu_s(const char *prefix)
{
  double sum = 0;
  GDir *dir = g_dir_open("/proc/self/task", 0, NULL);
  const char *tid;
  while (dir && (tid = g_dir_read_name(dir))) {
    char *comm_path = g_build_filename("/proc/self/task", tid, "comm", NULL);
    char *stat_path = g_build_filename("/proc/self/task", tid, "stat", NULL);
    char *comm = NULL, *stat = NULL;
    if (g_file_get_contents(comm_path, &comm, NULL, NULL) && g_str_has_prefix(comm, prefix) &&
        g_file_get_contents(stat_path, &stat, NULL, NULL)) {
      /* Fields after the parenthesised name: state is the 3rd, utime and stime the 14th
       * and 15th of the line. */
      const char *rest = strrchr(stat, ')');
      char **f = rest ? g_strsplit(rest + 2, " ", 0) : NULL;
      if (f && g_strv_length(f) > 12)
        sum += (g_ascii_strtod(f[11], NULL) + g_ascii_strtod(f[12], NULL)) / (double) sysconf(_SC_CLK_TCK);
      g_strfreev(f);
    }
    g_free(comm);
    g_free(stat);
    g_free(comm_path);
    g_free(stat_path);
  }
  if (dir)
    g_dir_close(dir);
  return sum;
}

/* ---- the main loop: time spent between two polls ----------------------------------- */

static gint64 busy_since_us;
static double busy_since_cpu;

static gint timed_poll(GPollFD *fds, guint nfds, gint timeout)
{
  gint64 now = g_get_monotonic_time();
  double cpu = thread_cpu_s();
  if (measuring && busy_since_us) {
    double wall_ms = (double) (now - busy_since_us) * 1e-3, cpu_ms = (cpu - busy_since_cpu) * 1e3;
    measuring->iterations++;
    if (wall_ms > measuring->stall_wall_ms) {
      measuring->stall_wall_ms = wall_ms;
      measuring->stall_wall_cpu_ms = cpu_ms;
    }
    measuring->stall_cpu_ms = MAX(measuring->stall_cpu_ms, cpu_ms);
    if (cpu_ms > LONG_MS && measuring->long_iterations++ < 8)
      g_string_append_printf(measuring->long_list, "%s%.1f s: %.0f ms (%.0f ms wall)",
                             measuring->long_list->len ? ", " : "", (double) (busy_since_us - t_run_us) * 1e-6,
                             cpu_ms, wall_ms);
  }
  gint ret = g_poll(fds, nfds, timeout);
  busy_since_us = g_get_monotonic_time();
  busy_since_cpu = thread_cpu_s();
  return ret;
}

/* ---- the frame clock: what one frame costs ----------------------------------------- */

static gint64 frame_start_us;
static double frame_start_cpu;

static void on_before_paint(GdkFrameClock *clock, gpointer data)
{
  (void) clock;
  (void) data;
  frame_start_us = g_get_monotonic_time();
  frame_start_cpu = thread_cpu_s();
}

static void on_after_paint(GdkFrameClock *clock, gpointer data)
{
  (void) clock;
  (void) data;
  if (!measuring || !frame_start_us)
    return;
  double cpu_ms = (thread_cpu_s() - frame_start_cpu) * 1e3;
  double wall_ms = (double) (g_get_monotonic_time() - frame_start_us) * 1e-3;
  g_array_append_val(measuring->frame_cpu_ms, cpu_ms);
  g_array_append_val(measuring->frame_wall_ms, wall_ms);
  frame_start_us = 0;
}

/* ---- running the loop ---------------------------------------------------------------- */

static gboolean set_flag(gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for ms milliseconds, adding no wake-ups of its own but one. */
static void run_for(int ms)
{
  gboolean done = FALSE;
  g_timeout_add(ms, set_flag, &done);
  while (!done)
    g_main_context_iteration(NULL, TRUE);
}

/* Runs the main loop until pred(data) or timeout_ms; checks every 50 ms. */
static gboolean run_until(gboolean (*pred)(gpointer), gpointer data, int timeout_ms)
{
  gint64 end = g_get_monotonic_time() + (gint64) timeout_ms * 1000;
  while (!pred(data) && g_get_monotonic_time() < end)
    run_for(50);
  return pred(data);
}

static gboolean view_drawn(gpointer view)
{
  return amorph_atom_view_get_frame_count(view) > 0;
}

static gboolean sweep_stopped(gpointer win)
{
  return !amorph_window_get_experiment_running(win);
}

static void phase_begin(Phase *p, AmorphWindow *win)
{
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  p->frame_cpu_ms = g_array_new(FALSE, FALSE, sizeof(double));
  p->frame_wall_ms = g_array_new(FALSE, FALSE, sizeof(double));
  p->long_list = g_string_new(NULL);
  p->view_frames0 = amorph_atom_view_get_frame_count(view);
  p->steps0 = amorph_window_get_sweep_steps(win);
  p->t0_us = g_get_monotonic_time();
  p->cpu0_s = thread_cpu_s();
  p->gl0_s = threads_cpu_s("llvmpipe");
  frame_start_us = 0;
  measuring = p;
}

static void phase_run(Phase *p, AmorphWindow *win, double seconds)
{
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  run_for((int) lround(seconds * 1000));
  measuring = NULL;
  p->t1_us = g_get_monotonic_time();
  p->cpu1_s = thread_cpu_s();
  p->gl1_s = threads_cpu_s("llvmpipe");
  p->view_frames1 = amorph_atom_view_get_frame_count(view);
  p->steps1 = amorph_window_get_sweep_steps(win);
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Mean, 95th percentile and maximum (nearest rank; zeros when empty). */
static void stats(GArray *v, double *mean, double *p95, double *max)
{
  *mean = *p95 = *max = 0;
  if (v->len == 0)
    return;
  g_array_sort(v, cmp_double);
  double sum = 0;
  for (guint i = 0; i < v->len; i++)
    sum += g_array_index(v, double, i);
  *mean = sum / v->len;
  guint k = (guint) ceil(0.95 * v->len);
  *p95 = g_array_index(v, double, MAX(k, 1) - 1);
  *max = g_array_index(v, double, v->len - 1);
}

static void print_phase(const Phase *p)
{
  double secs = (double) (p->t1_us - p->t0_us) * 1e-6;
  double cm, cp, cx, wm, wp, wx;
  stats(p->frame_cpu_ms, &cm, &cp, &cx);
  stats(p->frame_wall_ms, &wm, &wp, &wx);
  printf("%s (%.1f s, %" G_GINT64_FORMAT " sweep steps, %.0f steps/s):\n", p->name, secs, p->steps1 - p->steps0,
         (double) (p->steps1 - p->steps0) / secs);
  printf("  frames painted        %6u   %6.1f /s (frame clock)\n", p->frame_cpu_ms->len, p->frame_cpu_ms->len / secs);
  printf("  atom-view frames      %6" G_GUINT64_FORMAT "   %6.1f /s\n", p->view_frames1 - p->view_frames0,
         (double) (p->view_frames1 - p->view_frames0) / secs);
  printf("  main-thread CPU/frame  mean %6.2f  p95 %6.2f  max %6.2f ms\n", cm, cp, cx);
  printf("  wall time/frame        mean %6.2f  p95 %6.2f  max %6.2f ms (paint phases)\n", wm, wp, wx);
  printf("  worst main-loop stall  %.1f ms wall (%.1f ms of it main-thread CPU); most CPU between two polls %.1f ms\n",
         p->stall_wall_ms, p->stall_wall_cpu_ms, p->stall_cpu_ms);
  if (p->long_iterations)
    printf("  over %.0f ms of main-thread CPU between two polls: %u times; seconds after ▶: %s%s\n", LONG_MS,
           p->long_iterations, p->long_list->str, p->long_iterations > 8 ? ", …" : "");
  printf("  main thread busy       %.1f %% of one core; %" G_GUINT64_FORMAT " main-loop iterations\n",
         100 * (p->cpu1_s - p->cpu0_s) / secs, p->iterations);
  if (p->frame_cpu_ms->len)
    printf("  llvmpipe threads       %.1f ms of CPU per frame painted (all of them together)\n",
           1e3 * (p->gl1_s - p->gl0_s) / p->frame_cpu_ms->len);
}

static void print_load(const char *when)
{
  double load[3];
  if (getloadavg(load, 3) == 3)
    printf("load average %s: %.2f %.2f %.2f (%d cores online)\n", when, load[0], load[1], load[2],
           g_get_num_processors());
}

static void remove_tree(const char *path)
{
  if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name(dir))) {
      char *child = g_build_filename(path, name, NULL);
      remove_tree(child);
      g_free(child);
    }
    if (dir)
      g_dir_close(dir);
    g_rmdir(path);
  } else {
    g_remove(path);
  }
}

int main(int argc, char **argv)
{
  double seconds = 20, max_frame_cpu_ms = 0;
  int width = 1400, height = 900;
  char *sample = NULL;
  char **sets = NULL;
  GOptionEntry entries[] = {
      {"seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Length of each phase (default 20)", "S"},
      {"sample", 0, 0, G_OPTION_ARG_FILENAME, &sample, "LAMMPS data file (default data/samples/cu50zr50-4000.data)",
       "FILE"},
      {"set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets,
       "A setting of the sweep, as amorph --batch --set takes it (after the defaults "
       "dms.temperatures_K=300 dms.equilibration_ps=0.2)",
       "KEY=VALUE"},
      {"width", 0, 0, G_OPTION_ARG_INT, &width, "Window width (default 1400, the first start's)", "W"},
      {"height", 0, 0, G_OPTION_ARG_INT, &height, "Window height (default 900)", "H"},
      {"max-frame-cpu-ms", 0, 0, G_OPTION_ARG_DOUBLE, &max_frame_cpu_ms,
       "Exit 1 when a frame took more main-thread CPU than this (0: never)", "MS"},
      {NULL, 0, 0, 0, NULL, NULL, NULL}};
  GError *error = NULL;
  GOptionContext *ctx = g_option_context_new("- the explorer's frame rate and main-loop stalls during a sweep");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || seconds <= 0) {
    fprintf(stderr, "gui-frames: %s\n", error ? error->message : "--seconds must be positive");
    return 2;
  }
  g_option_context_free(ctx);
  if (!sample)
    sample = g_strdup("data/samples/cu50zr50-4000.data");

  /* The sweep's job records go under the cache folder: a temporary one, removed at the end. */
  char *cache = g_dir_make_tmp("amorph-gui-frames-XXXXXX", &error);
  if (!cache) {
    fprintf(stderr, "gui-frames: %s\n", error->message);
    return 2;
  }
  g_setenv("XDG_CACHE_HOME", cache, TRUE);
  if (!gtk_init_check()) {
    fprintf(stderr, "gui-frames: no display; run bench/gui-frames, which starts one with xvfb-run\n");
    remove_tree(cache);
    return 2;
  }
  GtkCssProvider *css = gtk_css_provider_new();
  gtk_css_provider_load_from_resource(css, "/org/amorph/Amorph/style.css");
  gtk_style_context_add_provider_for_display(gdk_display_get_default(), GTK_STYLE_PROVIDER(css),
                                             GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_unref(css);

  AmorphWindow *win = AMORPH_WINDOW(amorph_window_new(NULL));
  gtk_window_set_default_size(GTK_WINDOW(win), width, height);
  if (!amorph_window_load(win, sample, &error)) {
    fprintf(stderr, "gui-frames: %s\n", error->message);
    remove_tree(cache);
    return 2;
  }
  gtk_window_present(GTK_WINDOW(win));
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  if (!run_until(view_drawn, view, 60000) || gtk_gl_area_get_error(GTK_GL_AREA(view))) {
    GError *gl = gtk_gl_area_get_error(GTK_GL_AREA(view));
    fprintf(stderr, "gui-frames: the atom view did not draw%s%s\n", gl ? ": " : "", gl ? gl->message : "");
    remove_tree(cache);
    return 1;
  }
  gtk_gl_area_make_current(GTK_GL_AREA(view));
  const char *renderer = (const char *) glGetString(GL_RENDERER);
  printf("gui-frames: %s, %zu atoms; window %d x %d, atom view %d x %d; GL renderer: %s\n", sample,
         amorph_window_get_n_atoms(win), gtk_widget_get_width(GTK_WIDGET(win)), gtk_widget_get_height(GTK_WIDGET(win)),
         gtk_widget_get_width(GTK_WIDGET(view)), gtk_widget_get_height(GTK_WIDGET(view)),
         renderer ? renderer : "?");
  print_load("before");

  g_main_context_set_poll_func(NULL, timed_poll);
  GdkFrameClock *clock = gtk_widget_get_frame_clock(GTK_WIDGET(win));
  g_signal_connect(clock, "before-paint", G_CALLBACK(on_before_paint), NULL);
  g_signal_connect(clock, "after-paint", G_CALLBACK(on_after_paint), NULL);
  run_for(500);

  /* For comparison: the view redrawn every frame with no run competing for the cores. */
  Phase still = {.name = "no run, view redrawn every frame"};
  amorph_atom_view_set_animate(view, TRUE);
  phase_begin(&still, win);
  phase_run(&still, win, seconds);
  amorph_atom_view_set_animate(view, FALSE);
  run_for(300);

  /* ▶: what a user does first (in the main loop: measured too). */
  Phase live = {.name = "sweep running, view as the run redraws it"};
  phase_begin(&live, win);
  t_run_us = g_get_monotonic_time();
  GPtrArray *overrides = g_ptr_array_new();
  g_ptr_array_add(overrides, "dms.temperatures_K=300");
  g_ptr_array_add(overrides, "dms.equilibration_ps=0.2");
  for (int i = 0; sets && sets[i]; i++)
    g_ptr_array_add(overrides, sets[i]);
  g_ptr_array_add(overrides, NULL);
  gboolean started = amorph_window_run_experiment(win, NULL, (const char *const *) overrides->pdata, &error);
  g_ptr_array_free(overrides, TRUE);
  if (!started || !amorph_window_get_experiment_running(win)) {
    fprintf(stderr, "gui-frames: the sweep did not start: %s\n", error ? error->message : amorph_window_get_status(win));
    remove_tree(cache);
    return 1;
  }
  /* The press itself, as a stretch between two polls (the loop polls right after). */
  g_assert(measuring == &live);
  measuring->iterations++;
  measuring->stall_wall_ms = (double) (g_get_monotonic_time() - t_run_us) * 1e-3;
  measuring->stall_wall_cpu_ms = measuring->stall_cpu_ms = (thread_cpu_s() - live.cpu0_s) * 1e3;
  busy_since_us = 0;
  printf("starting the sweep took %.1f ms of main-thread CPU (%.1f ms wall)\n", measuring->stall_cpu_ms, measuring->stall_wall_ms);
  phase_run(&live, win, seconds);
  Phase orbit = {.name = "sweep running, view redrawn every frame"};
  amorph_atom_view_set_animate(view, TRUE);
  phase_begin(&orbit, win);
  phase_run(&orbit, win, seconds);
  amorph_atom_view_set_animate(view, FALSE);
  gboolean stepped = live.steps1 > 0 && orbit.steps1 > orbit.steps0;
  char *status = g_strdup(amorph_window_get_status(win));
  print_load("after");
  printf("status line after %.0f s: %s\n", (double) (g_get_monotonic_time() - t_run_us) * 1e-6, status);
  print_phase(&still);
  print_phase(&live);
  print_phase(&orbit);

  gtk_widget_activate_action(GTK_WIDGET(win), "win.stop", NULL);
  run_until(sweep_stopped, win, 120000);
  g_main_context_set_poll_func(NULL, g_poll);
  gtk_window_destroy(GTK_WINDOW(win));
  run_for(100);
  remove_tree(cache);

  int status_code = 0;
  if (!stepped) {
    fprintf(stderr, "gui-frames: no steps of the sweep reached the window %s\n",
            live.steps1 > 0 ? "while the view was redrawn every frame" : "at all");
    status_code = 1;
  }
  double worst = 0;
  for (guint i = 0; i < still.frame_cpu_ms->len; i++)
    worst = MAX(worst, g_array_index(still.frame_cpu_ms, double, i));
  for (guint i = 0; i < live.frame_cpu_ms->len; i++)
    worst = MAX(worst, g_array_index(live.frame_cpu_ms, double, i));
  for (guint i = 0; i < orbit.frame_cpu_ms->len; i++)
    worst = MAX(worst, g_array_index(orbit.frame_cpu_ms, double, i));
  if (max_frame_cpu_ms > 0 && worst > max_frame_cpu_ms) {
    fprintf(stderr, "gui-frames: a frame took %.1f ms of main-thread CPU (more than %.1f)\n", worst, max_frame_cpu_ms);
    status_code = 1;
  }
  g_array_unref(still.frame_cpu_ms);
  g_array_unref(still.frame_wall_ms);
  g_string_free(still.long_list, TRUE);
  g_array_unref(live.frame_cpu_ms);
  g_array_unref(live.frame_wall_ms);
  g_array_unref(orbit.frame_cpu_ms);
  g_array_unref(orbit.frame_wall_ms);
  g_string_free(live.long_list, TRUE);
  g_string_free(orbit.long_list, TRUE);
  g_free(status);
  g_free(cache);
  g_free(sample);
  g_strfreev(sets);
  return status_code;
}
