/* test-gui-panels.c: the explorer's settings panel, plots and exports under a real display
 * (run inside xvfb-run with G_DEBUG=fatal-warnings, like test-gui).
 *
 * The Experiment panel holds every key of the dms-sweep schema, marks a bad value with the
 * message batch prints, and saves an .ini that the batch parser reads back as the same
 * settings; Preset ▾ loads into it. Without a display every test skips. */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "experiment/config.h"
#include "gui/settings_panel.h"
#include "gui/window.h"

static gboolean have_display;
static char *tmpdir;

/* ---- helpers ---------------------------------------------------------------------------- */

static gboolean tick_cb(gpointer data)
{
  (void) data;
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Predicate)(gpointer data);

static gboolean wait_until(Predicate pred, gpointer data, int timeout_ms)
{
  guint tick = g_timeout_add(10, tick_cb, NULL);
  gint64 end = g_get_monotonic_time() + (gint64) timeout_ms * 1000;
  gboolean ok = pred(data);
  while (!ok && g_get_monotonic_time() < end) {
    g_main_context_iteration(NULL, TRUE);
    ok = pred(data);
  }
  g_source_remove(tick);
  return ok;
}

static void spin_for(int ms)
{
  guint tick = g_timeout_add(10, tick_cb, NULL);
  gint64 end = g_get_monotonic_time() + (gint64) ms * 1000;
  while (g_get_monotonic_time() < end)
    g_main_context_iteration(NULL, TRUE);
  g_source_remove(tick);
}

static void rm_rf(const char *path)
{
  GDir *dir = g_dir_open(path, 0, NULL);
  if (dir) {
    const char *name;
    while ((name = g_dir_read_name(dir))) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      rm_rf(child);
    }
    g_dir_close(dir);
  }
  g_remove(path);
}

static char *source_file(const char *a, const char *b, const char *c)
{
  return g_build_filename(g_getenv("AMORPH_SOURCE_DIR"), a, b, c, NULL);
}

static AmorphWindow *open_window(void)
{
  AmorphWindow *win = AMORPH_WINDOW(amorph_window_new(NULL));
  gtk_window_set_default_size(GTK_WINDOW(win), 1280, 860);
  g_autofree char *sample = source_file("tests", "data", "glass-500.data");
  GError *error = NULL;
  g_assert_true(amorph_window_load(win, sample, &error));
  g_assert_no_error(error);
  gtk_window_present(GTK_WINDOW(win));
  spin_for(300);
  return win;
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
  screenshot(GTK_WIDGET(win), "settings-invalid.png");
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

  /* The saved file loads back into the panel (Open…), and Preset ▾ loads a preset. */
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

static void test_sweep_pause(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  AmorphWindow *win = open_window();
  GError *error = NULL;
  g_assert_true(amorph_window_run_experiment(win, NULL, tiny, &error));
  g_assert_no_error(error);
  g_assert_true(wait_until(sweep_started, win, 60000));

  /* ⏸ holds the jobs: the step counter stops and the status line says so. */
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.pause", NULL));
  g_assert_true(wait_until(status_paused, win, 5000));
  spin_for(500); /* jobs reach their next check within a few dozen steps */
  gint64 held = amorph_window_get_sweep_steps(win);
  spin_for(1500);
  g_test_message("paused at %" G_GINT64_FORMAT " steps: %s", held, amorph_window_get_status(win));
  g_assert_cmpint(amorph_window_get_sweep_steps(win), ==, held);
  g_assert_true(amorph_window_get_experiment_running(win));
  screenshot(GTK_WIDGET(win), "paused.png");

  /* ▶ resumes where it stopped. */
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.run", NULL));
  StepsAbove above = {win, held};
  g_assert_true(wait_until(steps_above, &above, 30000));
  g_assert_false(status_paused(win));
  /* Space pauses and resumes too. */
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.run-pause", NULL));
  g_assert_true(wait_until(status_paused, win, 5000));
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.run-pause", NULL));
  g_assert_true(wait_until(sweep_done, win, 180000));
  g_assert_cmpuint(amorph_window_get_n_loss_points(win), ==, 2);
  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_setenv("GSETTINGS_BACKEND", "memory", TRUE);
  tmpdir = g_dir_make_tmp("amorph-test-gui-panels-XXXXXX", NULL);
  g_assert_nonnull(tmpdir);
  g_setenv("XDG_CACHE_HOME", tmpdir, TRUE);
  have_display = gtk_init_check();
  if (have_display) {
    GtkCssProvider *css = gtk_css_provider_new();
    gtk_css_provider_load_from_resource(css, "/org/amorph/Amorph/style.css");
    gtk_style_context_add_provider_for_display(gdk_display_get_default(), GTK_STYLE_PROVIDER(css),
                                               GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    g_object_unref(css);
  }
  g_test_add_func("/gui/settings/round-trip", test_settings_round_trip);
  g_test_add_func("/gui/sweep/pause-resume", test_sweep_pause);
  int status = g_test_run();
  rm_rf(tmpdir);
  g_free(tmpdir);
  return status;
}
