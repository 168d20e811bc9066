/* test-gui-compare.c: "Compare" in the explorer under a real display (xvfb-run, with
 * G_DEBUG=fatal-warnings like the other GUI tests).
 *
 * Atoms pinned by the pin API run, through Compare, as the pinning experiment's chosen set
 * beside the unpinned sweep and as many random VAs: the G″(T) plot grows one curve per pin
 * set while the run goes on and ends with three curves of a point per temperature, in its
 * CSV too; the run pinned exactly the user's atoms and a disjoint control set of the same
 * size; the switcher's plots follow the chosen pin set; and the settings saved from the
 * window (.ini and pins file beside it) rerun headless with `amorph --batch --resume` on
 * the run's job records to byte-identical results. Without a display every test skips. */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "experiment/atom_ids.h"
#include "experiment/config.h"
#include "gui/run_folder.h"
#include "gui/settings_panel.h"
#include "gui/window.h"
#include "test-gui-util.h"
#include "test-util.h"

static gboolean have_display;
static char *tmpdir;

/* A PNG of the window as its renderer draws it, when AMORPH_SCREENSHOT_DIR is set (to look
 * at, not to compare). */
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
  if (!node)
    g_test_message("%s: nothing drawn yet", name);
  if (node) {
    GskRenderer *renderer = gtk_native_get_renderer(gtk_widget_get_native(w));
    GdkTexture *texture = gsk_renderer_render_texture(renderer, node, &GRAPHENE_RECT_INIT(0, 0, wd, ht));
    g_autofree char *path = g_build_filename(dir, name, NULL);
    if (!gdk_texture_save_to_png(texture, path))
      g_test_message("could not write %s", path);
    g_object_unref(texture);
    gsk_render_node_unref(node);
  }
  g_object_unref(paintable);
}

/* Rows per series of a plot's CSV (am_plot_write_csv: panel, series, kind, x, y, …). */
static GHashTable *csv_series_rows(const char *path)
{
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  GHashTable *rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (int i = 1; lines[i]; i++) {
    if (!*lines[i])
      continue;
    g_auto(GStrv) f = g_strsplit(lines[i], ",", -1);
    g_assert_nonnull(f[1]);
    g_assert_cmpstr(f[2], ==, "xy");
    /* Labels are quoted; ours hold no comma. */
    g_autofree char *name = g_strdup(f[1][0] == '"' ? f[1] + 1 : f[1]);
    if (g_str_has_suffix(name, "\""))
      name[strlen(name) - 1] = '\0';
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(rows, name));
    g_hash_table_replace(rows, g_steal_pointer(&name), GUINT_TO_POINTER(n + 1));
  }
  return rows;
}

static void assert_three_curves(GHashTable *rows, guint n_pins, guint points)
{
  g_autofree char *chosen = g_strdup_printf("%u chosen atoms pinned", n_pins);
  g_autofree char *vas = g_strdup_printf("%u VAs pinned", n_pins);
  const char *names[] = {"no atoms pinned", chosen, vas};
  g_assert_cmpuint(g_hash_table_size(rows), ==, 3);
  for (int k = 0; k < 3; k++) {
    if (!g_hash_table_contains(rows, names[k]))
      g_error("no curve “%s” in the CSV", names[k]);
    g_assert_cmpuint(GPOINTER_TO_UINT(g_hash_table_lookup(rows, names[k])), ==, points);
  }
}

/* The ids of one pin set in a results folder's pinned.csv (pin_set,id,type). */
static GArray *pinned_of(const char *dir, const char *set)
{
  g_autofree char *path = g_build_filename(dir, "pinned.csv", NULL);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  GArray *ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (int i = 1; lines[i]; i++) {
    g_auto(GStrv) f = g_strsplit(lines[i], ",", -1);
    if (f[0] && f[1] && strcmp(f[0], set) == 0) {
      gint64 id = g_ascii_strtoll(f[1], NULL, 10);
      g_array_append_val(ids, id);
    }
  }
  return ids;
}

static int cmp_id(gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

/* The ids of an id file, ascending. */
static GArray *ids_of_file(const char *path)
{
  GError *error = NULL;
  g_autoptr(GArray) entries = am_atom_ids_read(path, &error);
  g_assert_no_error(error);
  GArray *ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  for (guint k = 0; k < entries->len; k++)
    g_array_append_val(ids, g_array_index(entries, AmAtomIdEntry, k).id);
  g_array_sort(ids, cmp_id);
  return ids;
}

static void assert_same_ids(GArray *a, GArray *b)
{
  g_assert_cmpuint(a->len, ==, b->len);
  for (guint k = 0; k < a->len; k++)
    g_assert_cmpint(g_array_index(a, gint64, k), ==, g_array_index(b, gint64, k));
}

static gboolean live_curves_shown(gpointer data)
{
  AmorphWindow *win = data;
  return amorph_window_get_n_loss_points(win) > 0 || !amorph_window_get_experiment_running(win);
}

static gboolean sweep_done(gpointer data)
{
  return !amorph_window_get_experiment_running(data);
}

/* The smallest test glass, two temperatures and two replicas (the least the schema takes)
 * of a 1 ps period: 12 short replica jobs of 256 atoms, seconds of CPU. */
static const char *const tiny[][2] = {
    {"temperatures_K", "300 500"}, {"replicas", "2"},           {"period_ps", "1"},
    {"cycles", "3"},               {"analysed_cycles", "2"},    {"equilibration_ps", "0.5"},
    {"sample_interval_ps", "0.1"}, {"watch_temperature_K", "500"}, {"trajectories", "false"},
    {"seed", "20261126"},
};

static void test_compare(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *sample = g_build_filename(g_getenv("AMORPH_SOURCE_DIR"), "tests", "data", "glass-256.data", NULL);
  AmorphWindow *win = gui_open_window(sample, 1280, 860);
  GError *error = NULL;

  /* The panel starts on the demo's dms-sweep; Compare must carry its settings over. */
  AmorphSettingsPanel *panel = amorph_window_get_settings_panel(win);
  g_assert_cmpstr(amorph_settings_panel_get_protocol(panel), ==, "dms-sweep");
  for (gsize k = 0; k < G_N_ELEMENTS(tiny); k++)
    g_assert_true(amorph_settings_panel_set_value(panel, "dms", tiny[k][0], tiny[k][1]));
  g_assert_true(amorph_settings_panel_is_valid(panel));

  /* Without pins there is nothing to compare. */
  g_assert_false(gtk_widget_activate_action(GTK_WIDGET(win), "win.compare", NULL) &&
                 amorph_window_get_experiment_running(win));
  g_assert_false(amorph_window_compare(win, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error(&error);

  /* Five pins; a sixth undone. */
  static const guint picks[] = {11, 57, 98, 140, 201, 230};
  for (gsize k = 0; k < G_N_ELEMENTS(picks); k++)
    amorph_window_toggle_pin(win, picks[k]);
  g_assert_true(amorph_window_undo(win));
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, 5);
  g_autofree char *user_pins = g_build_filename(tmpdir, "user-pins.txt", NULL);
  g_assert_true(amorph_window_save_pins(win, user_pins, &error));
  g_assert_no_error(error);
  g_autoptr(GArray) user_ids = ids_of_file(user_pins);
  g_assert_cmpuint(user_ids->len, ==, 5);

  /* Compare, as the Pins page's button does. */
  gint64 t0 = g_get_monotonic_time();
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.compare", NULL));
  g_assert_true(amorph_window_get_experiment_running(win));
  g_assert_cmpstr(amorph_settings_panel_get_protocol(panel), ==, "pinning");
  g_assert_cmpstr(amorph_settings_panel_get_value(panel, "dms", "replicas"), ==, "2");
  g_assert_cmpstr(amorph_settings_panel_get_value(panel, "dms", "temperatures_K"), ==, "300 500");
  /* The atom view follows the run with the user's pins held. */
  g_assert_cmpstr(amorph_settings_panel_get_value(panel, "dms", "watch_pin_set"), ==, "1");

  /* Save… as the run goes: the .ini and the pins beside it. */
  g_autofree char *saved = g_build_filename(tmpdir, "compare.ini", NULL);
  g_assert_true(amorph_settings_panel_save(panel, saved, &error));
  g_assert_no_error(error);
  g_autofree char *saved_pins = g_build_filename(tmpdir, "compare-pinned-ids.txt", NULL);
  g_autoptr(GArray) saved_ids = ids_of_file(saved_pins);
  assert_same_ids(saved_ids, user_ids);
  g_autoptr(AmConfig) saved_cfg = am_config_load(saved, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(am_config_protocol(saved_cfg), ==, "pinning");
  g_assert_cmpstr(am_config_get_string(saved_cfg, "pinning", "pinned_ids"), ==, saved_pins);
  g_assert_false(am_config_is_set(saved_cfg, "pinning", "pinned_count"));
  /* The pins file beside the .ini is named relative to it. */
  g_autofree char *saved_text = NULL;
  g_assert_true(g_file_get_contents(saved, &saved_text, NULL, NULL));
  g_assert_nonnull(strstr(saved_text, "\npinned_ids = compare-pinned-ids.txt\n"));
  g_assert_null(strstr(saved_text, saved_pins));

  /* The live G″(T): every pin set has its curve (a legend entry) from its first point on. */
  g_assert_true(wait_until(live_curves_shown, win, 240000));
  g_assert_cmpuint(amorph_window_get_n_pin_sets(win), ==, 3);
  spin_for(200); /* a frame after the relayout the new curves asked for */
  screenshot(GTK_WIDGET(win), "compare-live.png");
  /* The switcher's plots start on the watched set (the user's pins), and the user's
   * choice of another set lasts past the end of the run. */
  guint shown = G_MAXUINT;
  g_object_get(win, "shown-pin-set", &shown, NULL);
  g_assert_cmpuint(shown, ==, 1);
  amorph_window_set_shown_pin_set(win, 2);

  g_assert_true(wait_until(sweep_done, win, 300000));
  g_test_message("Compare took %.1f s (wall): %s", (g_get_monotonic_time() - t0) / 1e6,
                 amorph_window_get_status(win));
  const char *results = amorph_window_get_results_dir(win);
  if (!results)
    g_error("Compare did not finish: %s", amorph_window_get_status(win));
  spin_for(300);
  screenshot(GTK_WIDGET(win), "compare.png");
  /* The results folder's config names its pins file (beside it) relatively. */
  g_autofree char *run_ini = g_build_filename(results, "config.ini", NULL);
  g_autofree char *run_ini_text = NULL;
  g_assert_true(g_file_get_contents(run_ini, &run_ini_text, NULL, NULL));
  g_assert_nonnull(strstr(run_ini_text, "\npinned_ids = pinned-ids.txt\n"));

  /* Three curves of two temperatures each: the live plot's last state, and the folded
   * Fig. 5b that replaced it, through the plot's CSV export. */
  g_autofree char *live_csv = g_build_filename(tmpdir, "live-loss.csv", NULL);
  g_assert_true(am_plot_write_csv(amorph_window_get_plot(win, AMORPH_PLOT_LOSS_MODULUS), live_csv, NULL, &error));
  g_assert_no_error(error);
  g_autoptr(GHashTable) live_rows = csv_series_rows(live_csv);
  assert_three_curves(live_rows, 5, 2);
  g_autofree char *shown_csv = g_build_filename(tmpdir, "loss.csv", NULL);
  AmorphPlotView *loss_view = amorph_window_get_plot_view(win, AMORPH_PLOT_LOSS_MODULUS);
  g_assert_true(amorph_plot_view_export(loss_view, "csv", shown_csv, &error));
  g_assert_no_error(error);
  g_autoptr(GHashTable) shown_rows = csv_series_rows(shown_csv);
  assert_three_curves(shown_rows, 5, 2);

  /* The run pinned the user's atoms, and a control set as large and disjoint from them. */
  g_autoptr(GArray) ran_ids = pinned_of(results, "ids");
  assert_same_ids(ran_ids, user_ids);
  g_autoptr(GArray) va_ids = pinned_of(results, "va");
  g_assert_cmpuint(va_ids->len, ==, user_ids->len);
  for (guint a = 0; a < va_ids->len; a++)
    for (guint b = 0; b < user_ids->len; b++)
      g_assert_cmpint(g_array_index(va_ids, gint64, a), !=, g_array_index(user_ids, gint64, b));
  g_autoptr(GArray) none_ids = pinned_of(results, "none");
  g_assert_cmpuint(none_ids->len, ==, 0);

  g_object_get(win, "shown-pin-set", &shown, NULL);
  g_assert_cmpuint(shown, ==, 2);
  /* Fig. 1 is the watched job's stress and fit (set 1 recorded the only trace), not the
   * unpinned set's missing one, also while the switcher shows set 2. */
  g_autofree char *fig1_csv = g_build_filename(tmpdir, "fig1.csv", NULL);
  g_assert_true(amorph_plot_view_export(amorph_window_get_plot_view(win, AMORPH_PLOT_STRESS_FIT), "csv", fig1_csv,
                                        &error));
  g_assert_no_error(error);
  g_autoptr(GHashTable) fig1_rows = csv_series_rows(fig1_csv);
  g_assert_cmpuint(GPOINTER_TO_UINT(g_hash_table_lookup(fig1_rows, "sinusoid fit (right)")), >, 10);

  /* The switcher's plots follow the chosen pin set: its name in the figure's CSV series
   * differs, and the class fractions are the set's own. */
  AmorphPlotView *classes = amorph_window_get_plot_view(win, AMORPH_PLOT_CLASSES);
  g_autofree char *c2 = g_build_filename(tmpdir, "classes-va.csv", NULL);
  g_autofree char *c0 = g_build_filename(tmpdir, "classes-none.csv", NULL);
  g_assert_true(amorph_plot_view_export(classes, "csv", c2, &error));
  amorph_window_set_shown_pin_set(win, 0);
  g_assert_true(amorph_plot_view_export(classes, "csv", c0, &error));
  g_assert_no_error(error);
  g_autofree char *t0_text = NULL, *t2_text = NULL;
  g_assert_true(g_file_get_contents(c0, &t0_text, NULL, NULL));
  g_assert_true(g_file_get_contents(c2, &t2_text, NULL, NULL));
  g_assert_cmpstr(t0_text, !=, t2_text);

  /* Headless: the saved settings and pins, moved together to another folder and run from
   * a third working directory, with the run's job records, fold the same numbers (every
   * job's fingerprint, pins included, matches, so nothing reruns). */
  g_autofree char *moved_dir = g_build_filename(tmpdir, "moved", NULL);
  g_autofree char *elsewhere = g_build_filename(tmpdir, "elsewhere", NULL);
  g_assert_cmpint(g_mkdir(moved_dir, 0755), ==, 0);
  g_assert_cmpint(g_mkdir(elsewhere, 0755), ==, 0);
  g_autofree char *moved = g_build_filename(moved_dir, "compare.ini", NULL);
  g_autofree char *moved_pins = g_build_filename(moved_dir, "compare-pinned-ids.txt", NULL);
  g_assert_cmpint(g_rename(saved, moved), ==, 0);
  g_assert_cmpint(g_rename(saved_pins, moved_pins), ==, 0);
  g_autofree char *rebatch = g_build_filename(tmpdir, "rebatch", NULL);
  g_autofree char *jobs_from = g_build_filename(results, "jobs", NULL);
  g_autofree char *jobs_to = g_build_filename(rebatch, "jobs", NULL);
  g_assert_true(amorph_run_folder_copy(jobs_from, jobs_to, &error));
  g_assert_no_error(error);
  g_autofree char *amorph = g_build_filename(g_getenv("AMORPH_BUILD_DIR"), "src", "amorph", NULL);
  const char *argv[] = {amorph, "--batch", moved, "--output", rebatch, "--resume", NULL};
  int status = -1;
  g_autofree char *out_text = NULL, *err_text = NULL;
  g_assert_true(g_spawn_sync(elsewhere, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out_text, &err_text,
                             &status, &error));
  g_assert_no_error(error);
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("amorph --batch --resume failed: %s", err_text);
  static const char *const same[] = {"moduli.csv", "pinned.csv", "classes.csv", "p_uprime.csv", NULL};
  for (int i = 0; same[i]; i++) {
    g_autofree char *a_path = g_build_filename(results, same[i], NULL);
    g_autofree char *b_path = g_build_filename(rebatch, same[i], NULL);
    g_autofree char *a = NULL, *b = NULL;
    g_assert_true(g_file_get_contents(a_path, &a, NULL, NULL));
    g_assert_true(g_file_get_contents(b_path, &b, NULL, NULL));
    g_assert_cmpstr(a, ==, b);
  }
  /* And the batch run itself pinned the user's atoms. */
  g_autoptr(GArray) batch_ids = pinned_of(rebatch, "ids");
  assert_same_ids(batch_ids, user_ids);

  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

/* The pinning experiment with its selected RAs (and as many VAs) chosen from the unpinned
 * run: the live G″(T) legend and the set selector give their counts, the ones the results
 * folder's pinned.csv lists, as soon as the sets have run (before, they had no number). */
static void test_selected_ras_count(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *sample = g_build_filename(g_getenv("AMORPH_SOURCE_DIR"), "tests", "data", "glass-256.data", NULL);
  AmorphWindow *win = gui_open_window(sample, 1280, 860);
  AmorphSettingsPanel *panel = amorph_window_get_settings_panel(win);
  g_assert_true(amorph_settings_panel_set_value(panel, "run", "protocol", "pinning"));
  for (gsize k = 0; k < G_N_ELEMENTS(tiny); k++)
    g_assert_true(amorph_settings_panel_set_value(panel, "dms", tiny[k][0], tiny[k][1]));
  /* At 500 K with a 2 ps period this glass has a few reversible atoms for sure. */
  g_assert_true(amorph_settings_panel_set_value(panel, "dms", "temperatures_K", "500"));
  g_assert_true(amorph_settings_panel_set_value(panel, "dms", "period_ps", "2"));
  g_assert_true(amorph_settings_panel_set_value(panel, "pinning", "pinned_count", "6"));
  g_assert_true(amorph_settings_panel_set_value(panel, "pinning", "selection_temperature_K", "500"));
  g_assert_true(amorph_settings_panel_is_valid(panel));
  GError *error = NULL;
  g_assert_true(amorph_window_run_experiment(win, NULL, NULL, &error));
  g_assert_no_error(error);
  g_assert_true(wait_until(sweep_done, win, 300000));
  const char *results = amorph_window_get_results_dir(win);
  if (!results)
    g_error("the pinning run did not finish: %s", amorph_window_get_status(win));
  g_autoptr(GArray) ras = pinned_of(results, "ra");
  g_assert_cmpuint(ras->len, >=, 1);
  g_assert_cmpuint(ras->len, <=, 6);
  /* The live plot's legend (its CSV's series names), built from the snapshots alone. */
  g_autofree char *live_csv = g_build_filename(tmpdir, "live-loss-ras.csv", NULL);
  g_assert_true(am_plot_write_csv(amorph_window_get_plot(win, AMORPH_PLOT_LOSS_MODULUS), live_csv, NULL, &error));
  g_assert_no_error(error);
  g_autoptr(GHashTable) rows = csv_series_rows(live_csv);
  g_autofree char *ra_label = g_strdup_printf("%u RAs pinned", ras->len);
  g_autofree char *va_label = g_strdup_printf("%u VAs pinned", ras->len);
  g_assert_true(g_hash_table_contains(rows, "no atoms pinned"));
  if (!g_hash_table_contains(rows, ra_label) || !g_hash_table_contains(rows, va_label))
    g_error("the live legend lacks “%s” or “%s”", ra_label, va_label);
  g_test_message("selected RAs: %s, %s", ra_label, va_label);
  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  have_display = gui_test_start("amorph-test-gui-compare-XXXXXX", &tmpdir, TRUE);
  g_test_add_func("/gui/compare/three-pin-sets", test_compare);
  g_test_add_func("/gui/compare/selected-ras-count", test_selected_ras_count);
  int status = g_test_run();
  rm_rf(tmpdir);
  g_free(tmpdir);
  return status;
}
