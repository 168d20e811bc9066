/* test-gui-panels.c: the explorer's settings panel, plots and exports under a real display
 * (run inside xvfb-run with G_DEBUG=fatal-warnings, like test-gui).
 *
 * The Experiment panel holds every key of the dms-sweep schema, marks a bad value with the
 * message batch prints, and saves an .ini that the batch parser reads back as the same
 * settings; Preset ▾ loads into it. A tiny sweep pauses and resumes; its p(u′), class,
 * N_RA and heatmap plots fill in before it ends; each plot exports PNG, SVG and CSV, and
 * the real pointer (XTest) over a G″ point shows that point's values next to the pointer,
 * inside the plot and off the point. Without a display every test skips. */
#include <dlfcn.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>
#include <time.h>

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "experiment/config.h"
#include "gui/run_folder.h"
#include "gui/settings_panel.h"
#include "gui/window.h"
#include "test-gui-util.h"
#include "test-util.h"

static gboolean have_display;
static char *tmpdir;

/* ---- helpers ---------------------------------------------------------------------------- */

static char *source_file(const char *a, const char *b, const char *c)
{
  return g_build_filename(g_getenv("AMORPH_SOURCE_DIR"), a, b, c, NULL);
}

/* The explorer on the 500-atom test glass. */
static AmorphWindow *open_window(void)
{
  g_autofree char *sample = source_file("tests", "data", "glass-500.data");
  return gui_open_window(sample, 1280, 860);
}

/* A PNG of a widget as the window's renderer draws it, when AMORPH_SCREENSHOT_DIR is set
 * (to look at, not to compare). */
static void screenshot(GtkWidget *w, const char *name)
{
  const char *dir = g_getenv("AMORPH_SCREENSHOT_DIR");
  if (!dir)
    return;
  int wd = gtk_widget_get_width(w), ht = gtk_widget_get_height(w);
  GdkPaintable *paintable = gtk_widget_paintable_new(w);
  GtkSnapshot *snapshot = gtk_snapshot_new();
  gdk_paintable_snapshot(paintable, GDK_SNAPSHOT(snapshot), wd, ht);
  GskRenderNode *node = gtk_snapshot_free_to_node(snapshot);
  if (node) {
    GskRenderer *renderer = gtk_native_get_renderer(gtk_widget_get_native(w));
    GdkTexture *texture = gsk_renderer_render_texture(renderer, node, &GRAPHENE_RECT_INIT(0, 0, wd, ht));
    g_autofree char *path = g_build_filename(dir, name, NULL);
    gdk_texture_save_to_png(texture, path);
    g_object_unref(texture);
    gsk_render_node_unref(node);
  }
  g_object_unref(paintable);
}

/* The file chooser an action opened (GTK 4.8: the native chooser's in-process dialog). */
static GtkWidget *find_chooser(void)
{
  GtkWidget *found = NULL;
  GListModel *tops = gtk_window_get_toplevels();
  for (guint i = 0; i < g_list_model_get_n_items(tops) && !found; i++) {
    g_autoptr(GtkWidget) w = g_list_model_get_item(tops, i);
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    if (GTK_IS_FILE_CHOOSER(w) && gtk_widget_get_visible(w))
      found = w;
    G_GNUC_END_IGNORE_DEPRECATIONS
  }
  return found;
}

static gboolean chooser_shown(gpointer data)
{
  (void) data;
  return find_chooser() != NULL;
}

/* Picks path in the chooser an action opened and accepts, as a user would: 1 when the
 * chooser answered, 0 when it stayed open, -1 when none appeared. */
static int choose_in_dialog(const char *path, gboolean save)
{
  if (!wait_until(chooser_shown, NULL, 5000))
    return -1;
  GtkWidget *dialog = find_chooser();
  g_autoptr(GFile) file = g_file_new_for_path(path);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (save) /* typed as a whole path, as a user may */
    gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(dialog), path);
  else
    gtk_file_chooser_set_file(GTK_FILE_CHOOSER(dialog), file, NULL);
  spin_for(300); /* the folder loads */
  /* The accept button, so the chooser's own checks run as for a click. */
  GtkWidget *accept = gtk_dialog_get_widget_for_response(GTK_DIALOG(dialog), GTK_RESPONSE_ACCEPT);
  if (accept)
    gtk_widget_activate(accept);
  else
    gtk_dialog_response(GTK_DIALOG(dialog), GTK_RESPONSE_ACCEPT);
  G_GNUC_END_IGNORE_DEPRECATIONS
  /* The chooser checks the name asynchronously before it answers. */
  for (int k = 0; k < 50 && find_chooser(); k++)
    spin_for(100);
  spin_for(100);
  return find_chooser() == NULL ? 1 : 0;
}

/* ---- the settings panel ------------------------------------------------------------------- */

static void test_settings_round_trip(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  AmorphWindow *win = open_window();
  AmorphSettingsPanel *panel = amorph_window_get_settings_panel(win);
  g_assert_nonnull(panel);
  /* The window starts on the demo preset, with the loaded sample as [system] data. */
  g_assert_cmpstr(amorph_settings_panel_get_protocol(panel), ==, "dms-sweep");
  g_assert_cmpstr(amorph_settings_panel_get_value(panel, "dms", "period_ps"), ==, "10");
  g_assert_true(g_str_has_suffix(amorph_settings_panel_get_value(panel, "system", "data"), "glass-500.data"));

  /* Every key of the schema has a field. */
  const AmProtocolSchema *schema = am_config_find_protocol("dms-sweep");
  int n_keys = 0;
  for (int s = 0; schema->sections[s]; s++)
    for (const AmKeySpec *k = schema->sections[s]->keys; k->name; k++, n_keys++)
      g_assert_nonnull(amorph_settings_panel_get_field(panel, schema->sections[s]->name, k->name));
  g_assert_nonnull(amorph_settings_panel_get_field(panel, "run", "label"));
  g_test_message("%d keys in the form", n_keys);

  /* Type some settings, as a user would. */
  GtkWidget *period = amorph_settings_panel_get_field(panel, "dms", "period_ps");
  gtk_editable_set_text(GTK_EDITABLE(period), "2");
  g_assert_true(amorph_settings_panel_set_value(panel, "dms", "temperatures_K", "200 400  600"));
  g_assert_true(amorph_settings_panel_set_value(panel, "dms", "replicas", "3"));
  g_assert_true(amorph_settings_panel_set_value(panel, "dms", "trajectories", "false"));
  g_assert_true(amorph_settings_panel_set_value(panel, "dms", "pinned", "none"));
  g_assert_true(amorph_settings_panel_set_value(panel, "dms", "watch_temperature_K", ""));
  g_assert_true(amorph_settings_panel_set_value(panel, "run", "label", "round trip # not a comment"));
  g_assert_false(amorph_settings_panel_set_value(panel, "dms", "pinned", "everything"));
  g_assert_false(amorph_settings_panel_set_value(panel, "dms", "no_such_key", "1"));
  g_assert_true(amorph_settings_panel_is_valid(panel));

  /* Saved, then read by the batch parser: the same value for every key. */
  g_autofree char *saved = g_build_filename(tmpdir, "saved.ini", NULL);
  GError *error = NULL;
  g_assert_true(amorph_settings_panel_save(panel, saved, &error));
  g_assert_no_error(error);
  g_autoptr(AmConfig) back = am_config_load(saved, NULL, &error);
  g_assert_no_error(error);
  g_autoptr(AmConfig) now = amorph_settings_panel_get_config(panel, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(am_config_protocol(back), ==, "dms-sweep");
  for (int s = 0; schema->sections[s]; s++)
    for (const AmKeySpec *k = schema->sections[s]->keys; k->name; k++) {
      const char *sec = schema->sections[s]->name;
      g_assert_cmpstr(am_config_get_text(back, sec, k->name), ==, am_config_get_text(now, sec, k->name));
    }
  g_assert_cmpfloat(am_config_get_double(back, "dms", "period_ps"), ==, 2.0);
  g_assert_cmpint(am_config_get_int(back, "dms", "replicas"), ==, 3);
  g_assert_false(am_config_get_bool(back, "dms", "trajectories"));
  g_assert_false(am_config_is_set(back, "dms", "watch_temperature_K"));
  g_assert_cmpstr(am_config_get_text(back, "dms", "temperatures_K"), ==, "200 400 600");
  g_assert_cmpstr(am_config_get_text(back, "run", "label"), ==, "round trip # not a comment");
  g_assert_true(g_str_has_suffix(am_config_get_text(back, "system", "data"), "glass-500.data"));

  /* Atoms pinned by clicking are saved with the settings, as ▶ would run them. */
  amorph_window_toggle_pin(win, 0);
  amorph_window_toggle_pin(win, 4);
  g_autofree char *pinned_ini = g_build_filename(tmpdir, "pinned.ini", NULL);
  g_assert_true(amorph_settings_panel_save(panel, pinned_ini, &error));
  g_assert_no_error(error);
  {
    g_autoptr(AmConfig) with_pins = am_config_load(pinned_ini, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(am_config_get_string(with_pins, "dms", "pinned"), ==, "ids");
    g_autofree char *ids_path = g_build_filename(tmpdir, "pinned-pinned-ids.txt", NULL);
    g_assert_cmpstr(am_config_get_string(with_pins, "dms", "pinned_ids"), ==, ids_path);
    g_autofree char *ids = NULL;
    g_assert_true(g_file_get_contents(ids_path, &ids, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(ids, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 4); /* comment, two ids, "" */
    g_assert_cmpint(g_ascii_strtoll(lines[1], NULL, 10), >, 0);
    g_assert_cmpint(g_ascii_strtoll(lines[2], NULL, 10), >, 0);
    g_assert_cmpint(g_ascii_strtoll(lines[2], NULL, 10), !=, g_ascii_strtoll(lines[1], NULL, 10));
  }
  amorph_window_clear_pins(win);
  /* The panel's own field is untouched: without pins, none again. */
  g_assert_cmpstr(amorph_settings_panel_get_value(panel, "dms", "pinned"), ==, "none");

  /* A bad value is marked with the schema's own message, and nothing can be saved. */
  gtk_editable_set_text(GTK_EDITABLE(period), "-1");
  const char *msg = amorph_settings_panel_get_error(panel, "dms", "period_ps");
  g_assert_nonnull(msg);
  g_autoptr(GError) expected = NULL;
  g_assert_false(am_config_check_value("dms-sweep", "dms", "period_ps", "-1", "settings", NULL, NULL, &expected));
  g_assert_cmpstr(msg, ==, expected->message);
  g_assert_nonnull(strstr(msg, "out of range: expected 0 < period_ps ≤ 10000000 ps"));
  g_assert_true(gtk_widget_has_css_class(period, "error"));
  g_assert_false(amorph_settings_panel_is_valid(panel));
  g_autofree char *bad = g_build_filename(tmpdir, "bad.ini", NULL);
  g_assert_false(amorph_settings_panel_save(panel, bad, &error));
  g_assert_nonnull(error);
  g_assert_cmpstr(error->message, ==, msg);
  g_clear_error(&error);
  g_assert_false(g_file_test(bad, G_FILE_TEST_EXISTS));
  spin_for(100);
  screenshot(GTK_WIDGET(panel), "settings-invalid.png");
  gtk_editable_set_text(GTK_EDITABLE(period), "abc");
  g_assert_nonnull(strstr(amorph_settings_panel_get_error(panel, "dms", "period_ps"), "expected a finite number"));
  /* Checks across keys come from the sweep's own check (the period is not a whole number
   * of sample intervals). */
  gtk_editable_set_text(GTK_EDITABLE(period), "2.25");
  g_assert_null(amorph_settings_panel_get_error(panel, "dms", "period_ps"));
  g_assert_false(gtk_widget_has_css_class(period, "error"));
  g_autoptr(AmConfig) cross = amorph_settings_panel_get_config(panel, &error);
  g_assert_null(cross);
  g_assert_nonnull(error);
  g_test_message("cross-key check: %s", error->message);
  g_clear_error(&error);
  gtk_editable_set_text(GTK_EDITABLE(period), "2");
  g_assert_true(amorph_settings_panel_is_valid(panel));

  /* A broken file is refused with its line, and the panel keeps what it had. */
  g_autofree char *broken = g_build_filename(tmpdir, "broken.ini", NULL);
  g_assert_true(g_file_set_contents(broken, "[run]\nprotocol = dms-sweep\n[dms]\nperiod_ps = ten\n", -1, NULL));
  g_assert_false(amorph_window_load_settings(win, broken, &error));
  g_assert_nonnull(error);
  g_assert_nonnull(strstr(error->message, "broken.ini:4"));
  g_clear_error(&error);
  g_assert_cmpstr(amorph_settings_panel_get_value(panel, "dms", "period_ps"), ==, "2");

  /* Save… and Open… through their file choosers: the saved file loads back. */
  g_autofree char *chosen = g_build_filename(tmpdir, "chosen.ini", NULL);
  /* The chooser starts in the working folder: keep anything it might write in tmpdir. */
  g_autofree char *cwd = g_get_current_dir();
  g_assert_cmpint(g_chdir(tmpdir), ==, 0);
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(panel), "settings.save", NULL));
  int answered = choose_in_dialog(chosen, TRUE);
  if (answered >= 0) {
    g_assert_cmpint(answered, ==, 1);
    g_autoptr(AmConfig) via_dialog = am_config_load(chosen, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpint(am_config_get_int(via_dialog, "dms", "replicas"), ==, 3);
    g_assert_true(amorph_settings_panel_set_value(panel, "dms", "replicas", "7"));
    g_assert_true(gtk_widget_activate_action(GTK_WIDGET(panel), "settings.open", NULL));
    g_assert_cmpint(choose_in_dialog(chosen, FALSE), ==, 1);
    g_assert_cmpstr(amorph_settings_panel_get_value(panel, "dms", "replicas"), ==, "3");
  } else {
    g_test_message("no file chooser appeared (a portal?): Save…/Open… not driven");
  }
  g_assert_cmpint(g_chdir(cwd), ==, 0);
  /* The saved file loads back into the panel, and Preset ▾ loads a preset. */
  g_assert_true(amorph_window_load_settings(win, saved, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(amorph_settings_panel_get_value(panel, "dms", "replicas"), ==, "3");
  g_autofree char *pinning = source_file("data", "presets", "pinning-1000.ini");
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.preset", "s", pinning));
  g_assert_cmpstr(amorph_settings_panel_get_protocol(panel), ==, "pinning");
  g_assert_nonnull(amorph_settings_panel_get_field(panel, "pinning", "pinned_count"));
  g_assert_null(amorph_settings_panel_get_field(panel, "dms", "pinned"));
  g_assert_true(g_str_has_suffix(amorph_settings_panel_get_value(panel, "system", "data"), "glass-500.data"));
  /* Switching the protocol keeps the keys both share. */
  g_assert_true(amorph_settings_panel_set_value(panel, "dms", "replicas", "4"));
  g_assert_true(amorph_settings_panel_set_value(panel, "run", "protocol", "dms-sweep"));
  g_assert_cmpstr(amorph_settings_panel_get_protocol(panel), ==, "dms-sweep");
  g_assert_cmpstr(amorph_settings_panel_get_value(panel, "dms", "replicas"), ==, "4");
  g_assert_nonnull(amorph_settings_panel_get_field(panel, "dms", "pinned"));
  spin_for(100);
  screenshot(GTK_WIDGET(win), "settings.png");
  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

/* ---- a running sweep ------------------------------------------------------------------------ */

static gboolean sweep_started(gpointer data)
{
  return amorph_window_get_sweep_steps(data) > 0;
}

static gboolean sweep_done(gpointer data)
{
  return !amorph_window_get_experiment_running(data);
}

static gboolean status_paused(gpointer data)
{
  return g_str_has_prefix(amorph_window_get_status(data), "Paused");
}

typedef struct {
  AmorphWindow *win;
  gint64 steps;
} StepsAbove;

static gboolean steps_above(gpointer data)
{
  StepsAbove *a = data;
  return amorph_window_get_sweep_steps(a->win) > a->steps;
}

/* The tiny sweep of test-gui, on the panel's settings: two temperatures, two replicas. */
static const char *const tiny[] = {"dms.temperatures_K=300 500", "dms.replicas=2", "dms.period_ps=1",
                                   "dms.cycles=3", "dms.analysed_cycles=2", "dms.equilibration_ps=0.5",
                                   "dms.sample_interval_ps=0.1", "dms.watch_temperature_K=500", NULL};

/* The "N steps/s" of the status line (0 without one). */
static double status_steps_per_s(AmorphWindow *win)
{
  const char *status = amorph_window_get_status(win);
  const char *end = strstr(status, " steps/s");
  if (!end)
    return 0;
  const char *start = end;
  while (start > status && g_ascii_isdigit(start[-1]))
    start--;
  return start < end ? g_ascii_strtod(start, NULL) : 0;
}

static void test_sweep_pause(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  AmorphWindow *win = open_window();
  GError *error = NULL;
  gint64 t0 = g_get_monotonic_time();
  g_assert_true(amorph_window_run_experiment(win, NULL, tiny, &error));
  g_assert_no_error(error);
  g_assert_true(wait_until(sweep_started, win, 60000));

  /* ⏸ holds the jobs: the step counter stops and the status line says so. */
  gint64 pause_us = g_get_monotonic_time();
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.pause", NULL));
  g_assert_true(wait_until(status_paused, win, 5000));
  /* Jobs stop at their next check, 64 steps on: seconds on a loaded machine, so the
   * counter is taken once it stood still for 2 s. */
  gint64 held = amorph_window_get_sweep_steps(win);
  for (int k = 0; k < 15; k++) {
    spin_for(2000);
    gint64 now = amorph_window_get_sweep_steps(win);
    if (now == held)
      break;
    held = now;
  }
  spin_for(2000);
  g_test_message("paused at %" G_GINT64_FORMAT " steps: %s", held, amorph_window_get_status(win));
  g_assert_cmpint(amorph_window_get_sweep_steps(win), ==, held);
  g_assert_true(amorph_window_get_experiment_running(win));
  screenshot(GTK_WIDGET(win), "paused.png");

  /* ▶ resumes where it stopped. */
  gint64 paused_us = g_get_monotonic_time() - pause_us;
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.run", NULL));
  StepsAbove above = {win, held};
  g_assert_true(wait_until(steps_above, &above, 30000));
  g_assert_false(status_paused(win));
  /* The rate on the status line is that of running time: the pause (seconds, longer than
   * the run so far) does not dilute it. Measured here over 1.5 s of running after the
   * resume, from the same step counter. */
  gint64 t1 = g_get_monotonic_time(), s1 = amorph_window_get_sweep_steps(win);
  spin_for(1500);
  gint64 t2 = g_get_monotonic_time(), s2 = amorph_window_get_sweep_steps(win);
  double shown = status_steps_per_s(win);
  double running = (double) (s2 - s1) / ((double) (t2 - t1) * 1e-6);
  double whole = (double) s2 / ((double) (t2 - t0) * 1e-6);
  g_test_message("after %.1f s paused: status %.0f steps/s; running rate since the resume %.0f steps/s; "
                 "steps over all the time since ▶ %.0f steps/s (\"%s\")", paused_us * 1e-6, shown, running, whole,
                 amorph_window_get_status(win));
  g_assert_cmpfloat(shown, >, 0.6 * running);
  g_assert_cmpfloat(shown, <, 1.7 * running);
  /* Space pauses and resumes too. */
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.run-pause", NULL));
  g_assert_true(wait_until(status_paused, win, 5000));
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.run-pause", NULL));
  g_assert_true(wait_until(sweep_done, win, 180000));
  g_assert_cmpuint(amorph_window_get_n_loss_points(win), ==, 2);
  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

/* ---- plots: live updates, export, hover ------------------------------------------------------ */

static gboolean live_jobs_shown(gpointer data)
{
  return amorph_window_get_live_jobs(data) > 0 || !amorph_window_get_experiment_running(data);
}

/* Fields of one CSV line; "…" quotes commas, "" a quote. */
static char **split_csv_line(const char *line)
{
  GPtrArray *f = g_ptr_array_new();
  GString *cur = g_string_new(NULL);
  gboolean quoted = FALSE;
  for (const char *c = line;; c++) {
    if (quoted && *c == '"' && c[1] == '"') {
      g_string_append_c(cur, '"');
      c++;
    } else if (*c == '"') {
      quoted = !quoted;
    } else if ((*c == ',' && !quoted) || *c == '\0') {
      g_ptr_array_add(f, g_strdup(cur->str));
      g_string_truncate(cur, 0);
      if (!*c)
        break;
    } else {
      g_string_append_c(cur, *c);
    }
  }
  g_string_free(cur, TRUE);
  g_ptr_array_add(f, NULL);
  return (char **) g_ptr_array_free(f, FALSE);
}

/* Data rows of a CSV written by a plot view, split into fields (header dropped). */
static GPtrArray *read_csv_rows(const char *path)
{
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  g_assert_cmpstr(lines[0], ==, "panel,series,kind,x,y,y_error_low,y_error_high,y_high,value,x_low,x_high");
  GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
  for (int i = 1; lines[i]; i++)
    if (*lines[i]) {
      char **f = split_csv_line(lines[i]);
      g_assert_cmpint(g_strv_length(f), ==, 11);
      g_ptr_array_add(rows, f);
    }
  return rows;
}

static guint count_kind(GPtrArray *rows, const char *kind)
{
  guint n = 0;
  for (guint i = 0; i < rows->len; i++)
    n += strcmp(((char **) rows->pdata[i])[2], kind) == 0;
  return n;
}

/* A PNG that is not one flat colour. */
static void assert_png_drawn(const char *path)
{
  GError *error = NULL;
  GdkTexture *tex = gdk_texture_new_from_filename(path, &error);
  g_assert_no_error(error);
  int w = gdk_texture_get_width(tex), h = gdk_texture_get_height(tex);
  g_assert_cmpint(w, >=, 200);
  g_assert_cmpint(h, >=, 150);
  guchar *px = g_malloc((gsize) w * h * 4);
  gdk_texture_download(tex, px, (gsize) w * 4);
  gsize differ = 0, dark = 0;
  for (gsize i = 0; i < (gsize) w * h; i++) {
    differ += memcmp(px + 4 * i, px, 4) != 0;
    dark += px[4 * i] < 100 && px[4 * i + 1] < 100 && px[4 * i + 2] < 100;
  }
  g_assert_cmpuint(differ, >, (gsize) w * h / 200);
  g_assert_cmpuint(dark, >, 100); /* axes, ticks, text */
  g_free(px);
  g_object_unref(tex);
}

static void export_all(AmorphPlotView *view, const char *name, GPtrArray **csv_rows)
{
  static const char *const formats[] = {"png", "svg", "csv"};
  for (int f = 0; f < 3; f++) {
    g_autofree char *leaf = g_strdup_printf("%s.%s", name, formats[f]);
    g_autofree char *path = g_build_filename(tmpdir, leaf, NULL);
    GError *error = NULL;
    g_assert_true(amorph_plot_view_export(view, formats[f], path, &error));
    g_assert_no_error(error);
    if (f == 0) {
      assert_png_drawn(path);
    } else if (f == 1) {
      g_autofree char *svg = NULL;
      g_assert_true(g_file_get_contents(path, &svg, NULL, NULL));
      g_assert_nonnull(strstr(svg, "<svg"));
      g_assert_nonnull(strstr(svg, "</svg>"));
    } else {
      *csv_rows = read_csv_rows(path);
    }
  }
}

#ifdef GDK_WINDOWING_X11

/* Moves the real pointer to widget point (x, y), through the X server (XTest). */
static gboolean xtest_move(GtkWidget *widget, double x, double y)
{
  if (!xtest_available(widget))
    return FALSE;
  int rx, ry;
  to_root(widget, x, y, &rx, &ry);
  Display *dpy = gdk_x11_display_get_xdisplay(gtk_widget_get_display(widget));
  fake_motion(dpy, -1, rx, ry, 0);
  xflush(dpy);
  return TRUE;
}
#endif

static gboolean one_export_done(gpointer data)
{
  return amorph_window_get_n_exports(data) >= 1;
}

static gboolean has_hover(gpointer data)
{
  return amorph_plot_view_get_hover_text(data) != NULL;
}

/* ---- the hover readout beside the pointer ------------------------------------------------------ */

typedef struct {
  AmorphPlotView *view;
  double x, y;
} HoverAt;

/* The readout is shown, laid out for the pointer at (x, y). */
static gboolean hover_placed(gpointer data)
{
  HoverAt *h = data;
  graphene_rect_t r;
  /* Placed after a layout that saw the pointer's position: the rect is then next to it. */
  return amorph_plot_view_get_hover_text(h->view) && amorph_plot_view_get_hover_area(h->view, &r) &&
         r.size.width > 0 && fabs(r.origin.x + 0.5 * r.size.width - h->x) < 0.5 * r.size.width + 40 &&
         fabs(r.origin.y + 0.5 * r.size.height - h->y) < 0.5 * r.size.height + 40;
}

/* Moves the pointer to widget point (x, y): through the X server when XTest is there (from
 * a point 25 pixels away first, so that motion is seen), else what the motion handler
 * calls; then waits for the readout to be placed. */
static void hover_at(AmorphPlotView *view, double x, double y)
{
  amorph_plot_view_hover(view, -100, -100); /* nothing there: the last readout goes */
  gboolean moved = FALSE;
#ifdef GDK_WINDOWING_X11
  moved = xtest_move(GTK_WIDGET(view), x - 25, y - 25) && (spin_for(50), xtest_move(GTK_WIDGET(view), x, y));
#endif
  if (!moved)
    amorph_plot_view_hover(view, x, y);
  g_test_message("pointer moved %s", moved ? "through XTest" : "by a direct call");
  HoverAt h = {view, x, y};
  g_assert_true(wait_until(hover_placed, &h, 5000));
  spin_for(50);
}

/* The readout's rect lies inside the widget, near the pointer and off the point's ring. */
static void assert_beside(AmorphPlotView *view, double px, double py, double dx, double dy)
{
  graphene_rect_t r;
  g_assert_true(amorph_plot_view_get_hover_area(view, &r));
  int w = gtk_widget_get_width(GTK_WIDGET(view)), h = gtk_widget_get_height(GTK_WIDGET(view));
  g_test_message("pointer (%.0f, %.0f), point (%.0f, %.0f): readout at (%.0f, %.0f) %.0f x %.0f in %d x %d", px, py,
                 dx, dy, r.origin.x, r.origin.y, r.size.width, r.size.height, w, h);
  g_assert_cmpfloat(r.origin.x, >=, 0);
  g_assert_cmpfloat(r.origin.y, >=, 0);
  g_assert_cmpfloat(r.origin.x + r.size.width, <=, w);
  g_assert_cmpfloat(r.origin.y + r.size.height, <=, h);
  /* Next to the pointer: its nearest edge within 30 pixels in each direction. */
  double gap_x = px < r.origin.x ? r.origin.x - px : px > r.origin.x + r.size.width ? px - r.origin.x - r.size.width : 0;
  double gap_y = py < r.origin.y ? r.origin.y - py : py > r.origin.y + r.size.height ? py - r.origin.y - r.size.height : 0;
  g_assert_cmpfloat(gap_x, <=, 30);
  g_assert_cmpfloat(gap_y, <=, 30);
  /* Not over the pointer nor over the point it describes. */
  g_assert_false(graphene_rect_contains_point(&r, &GRAPHENE_POINT_INIT((float) px, (float) py)));
  graphene_rect_t ring = GRAPHENE_RECT_INIT((float) dx - 7, (float) dy - 7, 14, 14);
  g_assert_false(graphene_rect_intersection(&r, &ring, NULL));
}

static void test_plot_hover(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  /* G″(T) of three temperatures: 300 K in the middle, 500 K at the right edge low down,
   * 100 K at the left edge high up. */
  const double t[] = {100, 300, 500}, g[] = {0.95, 0.5, 0.03}, err[] = {0.02, 0.05, 0.01};
  AmPlot *plot = am_plot_new();
  AmPlotPanel *panel = am_plot_add_panel(plot);
  am_plot_panel_set_axis_label(panel, AM_PLOT_AXIS_X, "<i>T</i> (K)");
  am_plot_panel_set_axis_label(panel, AM_PLOT_AXIS_Y, "<i>G</i>″ (GPa), shear");
  am_plot_panel_set_axis_range(panel, AM_PLOT_AXIS_X, 100, 500);
  am_plot_panel_set_axis_range(panel, AM_PLOT_AXIS_Y, 0, 1);
  AmPlotSeries *series = am_plot_panel_add_xy(panel, t, g, 3, AM_PLOT_LINE_MARKERS, "no pins");
  am_plot_series_set_y_errors(series, err, err);
  GtkWidget *win = gtk_window_new();
  gtk_window_set_default_size(GTK_WINDOW(win), 640, 420);
  AmorphPlotView *view = AMORPH_PLOT_VIEW(amorph_plot_view_new());
  gtk_window_set_child(GTK_WINDOW(win), GTK_WIDGET(view));
  amorph_plot_view_set_plot(view, plot, "loss-modulus");
  gtk_window_present(GTK_WINDOW(win));
  spin_for(400);
  int w0 = gtk_widget_get_width(GTK_WIDGET(view)), h0 = gtk_widget_get_height(GTK_WIDGET(view));
  g_assert_cmpint(w0, >=, 400);

  struct {
    int index;
    double ox, oy; /* pointer offset from the point, within reach */
    const char *text;
  } cases[] = {
      {1, 4, -3, "no pins\nT (K) = 300\nG″ (GPa), shear = 0.5 ± 0.05"},
      {2, -5, 2, "no pins\nT (K) = 500\nG″ (GPa), shear = 0.03 ± 0.01"},
      {0, 3, 5, "no pins\nT (K) = 100\nG″ (GPa), shear = 0.95 ± 0.02"},
  };
  for (gsize c = 0; c < G_N_ELEMENTS(cases); c++) {
    double dx, dy;
    g_assert_true(am_plot_data_to_device(panel, AM_PLOT_AXIS_Y, t[cases[c].index], g[cases[c].index], &dx, &dy));
    double px = dx + cases[c].ox, py = dy + cases[c].oy;
    hover_at(view, px, py);
    g_assert_cmpstr(amorph_plot_view_get_hover_text(view), ==, cases[c].text);
    assert_beside(view, px, py, dx, dy);
    graphene_rect_t r;
    g_assert_true(amorph_plot_view_get_hover_area(view, &r));
    g_autofree char *shot = g_strdup_printf("hover-%d.png", (int) c);
    screenshot(win, shot);
    if (c == 0) {
      /* Room everywhere: below and to the right, like a tooltip. */
      g_assert_cmpfloat(r.origin.x, >, px);
      g_assert_cmpfloat(r.origin.y, >, py);
    } else if (c == 1) {
      /* At the right edge and low: turned to the left of the pointer, and above it. */
      g_assert_cmpfloat(r.origin.x + r.size.width, <, px);
      g_assert_cmpfloat(r.origin.y + r.size.height, <, py);
    }
  }
  /* Showing the readout never resized the plot. */
  g_assert_cmpint(gtk_widget_get_width(GTK_WIDGET(view)), ==, w0);
  g_assert_cmpint(gtk_widget_get_height(GTK_WIDGET(view)), ==, h0);
  /* Away from every point: hidden. */
  g_assert_null(amorph_plot_view_hover(view, w0 / 2.0, 3));
  graphene_rect_t r;
  g_assert_false(amorph_plot_view_get_hover_area(view, &r));
  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
  am_plot_free(plot);
}

static void test_sweep_live_plots(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  AmorphWindow *win = open_window();
  GError *error = NULL;
  /* Atoms pinned by clicking become the sweep's pin set; the export must carry them. */
  for (size_t i = 0; i < 3; i++)
    amorph_window_toggle_pin(win, i);
  gint64 t0 = g_get_monotonic_time();
  g_assert_true(amorph_window_run_experiment(win, NULL, tiny, &error));
  g_assert_no_error(error);

  /* The first finished replica reaches p(u′), classes and N_RA while the sweep runs. */
  g_assert_true(wait_until(live_jobs_shown, win, 120000));
  g_assert_true(amorph_window_get_experiment_running(win));
  g_test_message("first live update %.1f s after the start", (g_get_monotonic_time() - t0) / 1e6);
  static const struct {
    AmorphPlotId id;
    const char *kind;
  } live_kinds[] = {{AMORPH_PLOT_NONAFFINE, "histogram"}, {AMORPH_PLOT_CLASSES, "xy"}, {AMORPH_PLOT_N_RA, "xy"}};
  for (gsize k = 0; k < G_N_ELEMENTS(live_kinds); k++) {
    AmorphPlotView *view = amorph_window_get_plot_view(win, live_kinds[k].id);
    g_autofree char *path = g_build_filename(tmpdir, "live.csv", NULL);
    g_assert_true(amorph_plot_view_export(view, "csv", path, &error));
    g_assert_no_error(error);
    g_autoptr(GPtrArray) rows = read_csv_rows(path);
    g_assert_cmpuint(count_kind(rows, live_kinds[k].kind), >, 0);
  }
  /* The classes of one temperature: three fractions that sum to one. */
  {
    AmorphPlotView *view = amorph_window_get_plot_view(win, AMORPH_PLOT_CLASSES);
    g_autofree char *path = g_build_filename(tmpdir, "live-classes.csv", NULL);
    g_assert_true(amorph_plot_view_export(view, "csv", path, &error));
    g_autoptr(GPtrArray) rows = read_csv_rows(path);
    g_assert_cmpuint(rows->len % 3, ==, 0);
    guint per = rows->len / 3;
    double sum = 0;
    for (guint c = 0; c < 3; c++)
      sum += g_ascii_strtod(((char **) rows->pdata[c * per])[4], NULL);
    g_assert_cmpfloat(fabs(sum - 1), <, 1e-9);
  }
  GtkStack *stack = GTK_STACK(gtk_widget_get_parent(GTK_WIDGET(amorph_window_get_plot_view(win, AMORPH_PLOT_NONAFFINE))));
  gtk_stack_set_transition_type(stack, GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_stack_set_visible_child_name(stack, "nonaffine");
  spin_for(600); /* past the stack's crossfade */
  screenshot(GTK_WIDGET(win), "live-nonaffine.png");
  g_assert_true(wait_until(sweep_done, win, 180000));
  g_assert_cmpuint(amorph_window_get_n_loss_points(win), ==, 2);
  g_assert_cmpuint(amorph_window_get_live_jobs(win), ==, 6); /* 4 replicas, 2 trajectory reruns */

  /* The live heatmap was filled from the trajectory reruns (cropped to the visited cells)
   * before the folded figure replaced it. */
  {
    AmPlot *live_heat = amorph_window_get_plot(win, AMORPH_PLOT_HEATMAPS);
    g_autofree char *path = g_build_filename(tmpdir, "live-heatmap.csv", NULL);
    size_t rows = 0;
    g_assert_true(am_plot_write_csv(live_heat, path, &rows, &error));
    g_autoptr(GPtrArray) r = read_csv_rows(path);
    g_assert_cmpuint(count_kind(r, "heatmap"), ==, rows);
    g_assert_cmpuint(rows, >, 16);
    g_assert_cmpuint(rows, <, 200 * 200);
    const char *dir = g_getenv("AMORPH_SCREENSHOT_DIR");
    if (dir) {
      static const AmorphPlotId live_ids[] = {AMORPH_PLOT_NONAFFINE, AMORPH_PLOT_CLASSES, AMORPH_PLOT_N_RA,
                                              AMORPH_PLOT_HEATMAPS};
      for (gsize k = 0; k < G_N_ELEMENTS(live_ids); k++) {
        g_autofree char *leaf = g_strdup_printf("live-%d.png", (int) live_ids[k]);
        g_autofree char *png = g_build_filename(dir, leaf, NULL);
        am_plot_write_png(amorph_window_get_plot(win, live_ids[k]), png, 600, 300, 1, NULL);
      }
    }
  }

  /* Every plot exports PNG, SVG and CSV of what it shows (the folded figures now). */
  static const char *const names[AMORPH_N_PLOTS] = {"loss-modulus", "stress-fit", "nonaffine",
                                                    "classes", "n-ra", "heatmaps"};
  GPtrArray *csv[AMORPH_N_PLOTS];
  for (int p = 0; p < AMORPH_N_PLOTS; p++) {
    export_all(amorph_window_get_plot_view(win, (AmorphPlotId) p), names[p], &csv[p]);
    g_test_message("%s: %u CSV rows", names[p], csv[p]->len);
    g_assert_cmpuint(csv[p]->len, >, 0);
  }
  /* G″(T): one row per temperature, at 300 and 500 K. */
  g_assert_cmpuint(count_kind(csv[AMORPH_PLOT_LOSS_MODULUS], "xy"), ==, 2);
  char **r300 = csv[AMORPH_PLOT_LOSS_MODULUS]->pdata[0];
  g_assert_cmpfloat(g_ascii_strtod(r300[3], NULL), ==, 300);
  g_assert_cmpfloat(g_ascii_strtod(((char **) csv[AMORPH_PLOT_LOSS_MODULUS]->pdata[1])[3], NULL), ==, 500);
  /* p(u′): bins of 0.01 Å, each row one bin. */
  for (guint i = 0; i < csv[AMORPH_PLOT_NONAFFINE]->len; i++) {
    char **r = csv[AMORPH_PLOT_NONAFFINE]->pdata[i];
    if (strcmp(r[2], "histogram") == 0)
      g_assert_cmpfloat(fabs(g_ascii_strtod(r[10], NULL) - g_ascii_strtod(r[9], NULL) - 0.01), <, 1e-9);
  }
  g_assert_cmpuint(count_kind(csv[AMORPH_PLOT_HEATMAPS], "heatmap"), >, 0);

  /* What a frame costs the main thread: each plot drawn at its on-screen size (CPU time). */
  for (int p = 0; p < AMORPH_N_PLOTS; p++) {
    AmorphPlotView *view = amorph_window_get_plot_view(win, (AmorphPlotId) p);
    if (p != AMORPH_PLOT_LOSS_MODULUS) {
      gtk_stack_set_visible_child(stack, GTK_WIDGET(view));
      spin_for(100);
    }
    int w = MAX(gtk_widget_get_width(GTK_WIDGET(view)), 600), h = MAX(gtk_widget_get_height(GTK_WIDGET(view)), 200);
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    double best = INFINITY;
    for (int rep = 0; rep < 3; rep++) {
      cairo_t *cr = cairo_create(img);
      struct timespec a, b;
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
      GtkSnapshot *snap = gtk_snapshot_new();
      gtk_widget_snapshot_child(gtk_widget_get_parent(GTK_WIDGET(view)), GTK_WIDGET(view), snap);
      GskRenderNode *node = gtk_snapshot_free_to_node(snap);
      if (node) {
        gsk_render_node_draw(node, cr);
        gsk_render_node_unref(node);
      }
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
      best = MIN(best, (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
      cairo_destroy(cr);
    }
    cairo_surface_destroy(img);
    g_test_message("%s: %.1f ms of main-thread CPU to draw at %d x %d", names[p], best, w, h);
    g_assert_cmpfloat(best, <, 16);
  }

  /* Hover: the real pointer over the 300 K point of G″(T) shows its values. */
  AmorphPlotView *gpp = amorph_window_get_plot_view(win, AMORPH_PLOT_LOSS_MODULUS);
  AmPlot *shown = amorph_plot_view_get_shown_plot(gpp);
  g_assert_nonnull(shown);
  double y300 = g_ascii_strtod(r300[4], NULL), e300 = g_ascii_strtod(r300[5], NULL);
  double dx, dy;
  g_assert_true(am_plot_data_to_device(am_plot_get_panel(shown, 0), AM_PLOT_AXIS_Y, 300, y300, &dx, &dy));
  g_autofree char *want_y = g_strdup_printf("%.4g ± %.4g", y300, e300);
  gboolean moved = FALSE;
#ifdef GDK_WINDOWING_X11
  moved = xtest_move(GTK_WIDGET(gpp), dx + 20, dy + 20) && (spin_for(100), xtest_move(GTK_WIDGET(gpp), dx + 3, dy - 2));
#endif
  if (moved)
    g_assert_true(wait_until(has_hover, gpp, 3000));
  else
    amorph_plot_view_hover(gpp, dx + 3, dy - 2); /* no XTest: what the motion handler calls */
  const char *hover = amorph_plot_view_get_hover_text(gpp);
  g_assert_nonnull(hover);
  g_test_message("hover (%s): %s", moved ? "XTest" : "direct", hover);
  g_assert_nonnull(strstr(hover, " = 300\n"));
  g_assert_nonnull(strstr(hover, want_y));
  spin_for(100);
  screenshot(GTK_WIDGET(win), "hover.png");
  /* Away from every point: nothing. */
  g_assert_null(amorph_plot_view_hover(gpp, 2, 2));
  for (int p = 0; p < AMORPH_N_PLOTS; p++)
    g_ptr_array_unref(csv[p]);

  /* Export results…: the run's folder, in the batch layout, copied where asked. */
  const char *results = amorph_window_get_results_dir(win);
  g_assert_nonnull(results);
  g_autofree char *exported = g_build_filename(tmpdir, "exported", NULL);
  g_assert_true(gtk_widget_is_sensitive(GTK_WIDGET(win)));
  amorph_window_export_results(win, exported);
  g_assert_true(wait_until(one_export_done, win, 30000));
  static const char *const files[] = {"config.ini", "manifest.json", "results.json", "moduli.csv", "replicas.csv",
                                      "classes.csv", "n_ra.csv", "p_uprime.csv", "heatmaps.csv",
                                      "figures/fig2b.png", "figures/fig2b.svg", "figures/notes.txt", NULL};
  for (int i = 0; files[i]; i++) {
    g_autofree char *f = g_build_filename(exported, files[i], NULL);
    if (!g_file_test(f, G_FILE_TEST_IS_REGULAR))
      g_error("export lacks %s", files[i]);
  }
  g_autofree char *exported_ini = g_build_filename(exported, "config.ini", NULL);
  g_autoptr(AmConfig) exported_cfg = am_config_load(exported_ini, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(am_config_get_string(exported_cfg, "dms", "pinned"), ==, "ids");
  g_assert_true(g_str_has_prefix(am_config_get_string(exported_cfg, "dms", "pinned_ids"), exported));
  /* Headless, from the exported config and job records, batch folds the same numbers. */
  g_autofree char *rebatch = g_build_filename(tmpdir, "rebatch", NULL);
  g_autofree char *jobs_from = g_build_filename(exported, "jobs", NULL);
  g_autofree char *jobs_to = g_build_filename(rebatch, "jobs", NULL);
  g_assert_true(amorph_run_folder_copy(jobs_from, jobs_to, &error));
  g_assert_no_error(error);
  g_autofree char *amorph = g_build_filename(g_getenv("AMORPH_BUILD_DIR"), "src", "amorph", NULL);
  g_autofree char *ini = g_build_filename(exported, "config.ini", NULL);
  const char *argv[] = {amorph, "--batch", ini, "--output", rebatch, "--resume", "--quiet", NULL};
  int status = -1;
  g_autofree char *err_text = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err_text,
                             &status, &error));
  g_assert_no_error(error);
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("amorph --batch --resume failed: %s", err_text);
  static const char *const same[] = {"moduli.csv", "classes.csv", "n_ra.csv", "p_uprime.csv", NULL};
  for (int i = 0; same[i]; i++) {
    g_autofree char *a_path = g_build_filename(exported, same[i], NULL);
    g_autofree char *b_path = g_build_filename(rebatch, same[i], NULL);
    g_autofree char *a = NULL, *b = NULL;
    g_assert_true(g_file_get_contents(a_path, &a, NULL, NULL));
    g_assert_true(g_file_get_contents(b_path, &b, NULL, NULL));
    g_assert_cmpstr(a, ==, b);
  }
  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

/* ---- the cache of runs ------------------------------------------------------------------------ */

static void test_runs_pruned(void)
{
  g_autofree char *root = g_build_filename(tmpdir, "prune-runs", NULL);
  static const char *const names[] = {"20261101-090000-11", "20261102-090000-12", "20261103-090000-13",
                                      "20261104-090000-14", "20261105-090000-15", "20261106-090000-16",
                                      "20261107-090000-17", "20261108-090000-18", "notes", "2026-not-a-run", NULL};
  for (int i = 0; names[i]; i++) {
    g_autofree char *jobs = g_build_filename(root, names[i], "jobs", NULL);
    g_assert_cmpint(g_mkdir_with_parents(jobs, 0755), ==, 0);
    g_autofree char *rec = g_build_filename(jobs, "p0-t00-r000.bin", NULL);
    g_assert_true(g_file_set_contents(rec, "x", 1, NULL));
  }
  GError *error = NULL;
  g_autofree char *oldest = g_build_filename(root, names[0], NULL);
  /* The newest five stay, and the one in use (here the oldest); other names are left. */
  g_assert_cmpint(amorph_run_folder_prune(root, 5, oldest, &error), ==, 2);
  g_assert_no_error(error);
  static const gboolean kept[] = {TRUE, FALSE, FALSE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE};
  for (int i = 0; names[i]; i++) {
    g_autofree char *path = g_build_filename(root, names[i], NULL);
    g_assert_cmpint(g_file_test(path, G_FILE_TEST_IS_DIR), ==, kept[i]);
  }
  g_assert_cmpint(amorph_run_folder_prune(root, 5, oldest, &error), ==, 0);
  g_autofree char *missing = g_build_filename(tmpdir, "no-runs-yet", NULL);
  g_assert_cmpint(amorph_run_folder_prune(missing, 5, NULL, &error), ==, 0);
  rm_rf(root);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  have_display = gui_test_start("amorph-test-gui-panels-XXXXXX", &tmpdir, TRUE);
  g_test_add_func("/gui/settings/round-trip", test_settings_round_trip);
  g_test_add_func("/gui/runs/pruned", test_runs_pruned);
  g_test_add_func("/gui/sweep/pause-resume", test_sweep_pause);
  g_test_add_func("/gui/sweep/live-plots-export-hover", test_sweep_live_plots);
  g_test_add_func("/gui/plot/hover-beside-pointer", test_plot_hover);
  int status = g_test_run();
  rm_rf(tmpdir);
  g_free(tmpdir);
  return status;
}
