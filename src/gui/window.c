/* window.c: the main window and its model (see window.h). */
#include "gui/window.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amorph-config.h"
#include "amorph-resources.h"
#include "experiment/config.h"
#include "gui/dms_run.h"
#include "gui/live_plots.h"
#include "gui/plot_view.h"
#include "gui/file_chooser.h"
#include "gui/run_folder.h"
#include "gui/settings_panel.h"
#include "gui/free_play_panel.h"
#include "gui/help_button.h"
#include "gui/presentation.h"
#include "gui/worker.h"
#include "gui/file_chooser.h"
#include "gui/pin_set.h"
#include "gui/structure_job.h"
#include "gui/view_controls.h"
#include "render/figures.h"
#include "sim/data_file.h"

#define POTENTIAL_FILE "CuZr_mm.eam.fs"
#define MAX_PIN_ROWS 200

struct _AmorphWindow {
  GtkApplicationWindow parent_instance;

  /* Template children. */
  AmorphAtomView *atom_view;
  GtkLabel *title_label;
  GtkLabel *subtitle_label;
  GtkLabel *status_label;
  GtkWidget *empty_state;
  GtkWidget *legend_box;
  GtkDrawingArea *axes_area;
  GtkWidget *side_panel;
  GtkRevealer *toast_revealer;
  GtkLabel *toast_label;
  GtkLabel *pins_label;
  GtkListBox *pins_list;
  AmorphPlotView *gpp_area;
  GtkStack *plot_stack;
  GtkMenuButton *set_button;
  GtkAdjustment *speed_adjustment;
  GtkAdjustment *temperature_adjustment;
  GtkAdjustment *atom_scale_adjustment;
  GtkDropDown *color_dropdown;
  GtkSwitch *box_switch;
  AmorphSettingsPanel *settings_panel;
  AmorphFreePlayPanel *free_play_panel;
  AmorphHelpButton *view_help;
  AmorphHelpButton *gpp_help;
  AmorphHelpButton *plots_help;
  GtkWidget *open_button;
  GtkWidget *speed_box;
  GtkWidget *side_panel_button;
  AmorphPresentation *presentation;
  AmorphViewControls *view_controls;

  /* The model. */
  char *path;
  AmBox box;
  AmAtoms atoms;
  gboolean loaded;
  uint8_t *pinned;
  size_t n_pinned;
  GPtrArray *undo; /* of GArray<guint>: the atoms one step toggled */
  GPtrArray *redo;

  /* The live run. */
  AmorphWorker *worker;
  gboolean running;
  long long run_step;
  guint toast_timeout;

  /* The MD-DMS experiment (experiment/dms_sweep on its own thread). */
  AmorphDmsRun *dms;
  gboolean dms_active;     /* started and not yet finished */
  gboolean experimenting;  /* an experiment was started: the free-play card stays away until
                            * the user goes back to free play (or loads a sample) */
  char *preset;            /* the preset ▶ runs (NULL: data/presets/demo.ini) */
  gsize n_loss_points;     /* temperatures with a G″ point so far */
  gint64 sweep_done;       /* MD steps of the sweep done, as of the last snapshot */
  guint live_jobs_shown;   /* finished jobs in the live plots (AmorphDmsLive.jobs_folded) */
  int loss_replicas_shown; /* replicas behind the live G″(T) points */
  char *results_dir;       /* the finished sweep's folder in the batch layout, or NULL */
  guint exports_done;      /* "Export results…" copies finished (for tests) */
  guint8 *class_buf;
  AmFigure *figures[AMORPH_N_PLOTS]; /* the paper's figures once a sweep folded */
  guint n_sets;            /* pin sets of the run (a pinning run or Compare: 3) */
  guint shown_set;         /* the one p(u′), classes and N_RA show */
  guint watch_set;         /* the one the atom view and Fig. 1 follow */
  AmorphDmsSet sets[AMORPH_DMS_MAX_SETS];
  AmorphDmsSnapshot *last_live; /* the newest snapshot, to redraw for another pin set */

  AmPlot *plots[AMORPH_N_PLOTS];
  GtkWidget *plot_areas[AMORPH_N_PLOTS];

  gboolean show_side_panel;
  double value_lo, value_hi; /* colour range of the per-atom energies shown */
  GSettings *settings;       /* NULL when the schema is not installed or compiled */

  /* Colour by value, filters and pin sets (the atom view's part of the window). */
  GHashTable *id_index;      /* atom id (pointing into atoms.id) -> index + 1 */
  guint8 *true_cls;          /* n: AmAtomClass of the last run snapshot (pinned or not), or NULL */
  double *uprime_buf;        /* n: u′_max of the watched replica in file order, or NULL */
  float *arrow_buf;          /* 3n: its non-affine displacement since t_s, file order */
  AmorphStructureValues *structure; /* |Θ| and E_i of the loaded sample, once computed */
  GCancellable *structure_cancel;   /* while that computation runs */
};

enum { COLOR_SPECIES = 0, COLOR_CLASS, COLOR_ENERGY, COLOR_UPRIME, COLOR_THETA };

enum {
  PROP_0,
  PROP_SHOW_SIDE_PANEL,
  PROP_ORTHOGRAPHIC,
  PROP_SHOWN_PIN_SET,
  N_PROPS
};
static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE(AmorphWindow, amorph_window, GTK_TYPE_APPLICATION_WINDOW)

static const int speed_steps[] = {1, 2, 5, 10, 20, 50, 100};

static int cmp_double(const void *a, const void *b);

static int steps_per_frame(AmorphWindow *self)
{
  int i = (int) lround(gtk_adjustment_get_value(self->speed_adjustment));
  return speed_steps[CLAMP(i, 0, (int) G_N_ELEMENTS(speed_steps) - 1)];
}

/* ---- messages ------------------------------------------------------------------------ */

static gboolean hide_toast(gpointer data)
{
  AmorphWindow *self = data;
  gtk_revealer_set_reveal_child(self->toast_revealer, FALSE);
  self->toast_timeout = 0;
  return G_SOURCE_REMOVE;
}

static void show_toast(AmorphWindow *self, const char *message)
{
  gtk_label_set_text(self->toast_label, message);
  gtk_revealer_set_reveal_child(self->toast_revealer, TRUE);
  if (self->toast_timeout)
    g_source_remove(self->toast_timeout);
  self->toast_timeout = g_timeout_add_seconds(12, hide_toast, self);
}

static void on_toast_dismiss(AmorphWindow *self)
{
  if (self->toast_timeout)
    g_source_remove(self->toast_timeout);
  hide_toast(self);
}

/* ---- status, legend and pins panel --------------------------------------------------- */

static const AmDmsPoint *selected_ra_point(AmorphWindow *self);

static void update_actions(AmorphWindow *self)
{
  GtkWidget *w = GTK_WIDGET(self);
  gboolean sweep_paused = self->dms_active && amorph_dms_run_get_paused(self->dms);
  gtk_widget_action_set_enabled(w, "win.run", self->loaded && (!self->dms_active || sweep_paused));
  gtk_widget_action_set_enabled(w, "win.compare", self->loaded && self->n_pinned > 0 && !self->dms_active);
  gtk_widget_action_set_enabled(w, "win.free-play", self->loaded && !self->running && !self->dms_active);
  gtk_widget_action_set_enabled(w, "win.pause", self->running || (self->dms_active && !sweep_paused));
  gtk_widget_action_set_enabled(w, "win.run-pause", self->loaded);
  gtk_widget_action_set_enabled(w, "win.step", self->loaded && !self->running && !self->dms_active);
  gtk_widget_action_set_enabled(w, "win.stop", self->worker != NULL || self->dms_active);
  gtk_widget_action_set_enabled(w, "win.undo", self->undo->len > 0);
  gtk_widget_action_set_enabled(w, "win.redo", self->redo->len > 0);
  gtk_widget_action_set_enabled(w, "win.clear-pins", self->n_pinned > 0);
  gtk_widget_action_set_enabled(w, "win.save-pins", self->n_pinned > 0);
  gtk_widget_action_set_enabled(w, "win.load-pins", self->loaded);
  gtk_widget_action_set_enabled(w, "win.pin-shown", self->loaded);
  gtk_widget_action_set_enabled(w, "win.pin-selected-ras", selected_ra_point(self) != NULL);
  gtk_widget_action_set_enabled(w, "win.pin-random-vas", self->true_cls != NULL);
  gtk_widget_action_set_enabled(w, "win.reset-view", self->loaded);
  gtk_widget_action_set_enabled(w, "win.export-results", self->results_dir && !self->dms_active);
  gtk_widget_action_set_enabled(w, "win.leave-presentation",
                                self->presentation && amorph_presentation_get_active(self->presentation));
  gtk_widget_set_visible(GTK_WIDGET(self->free_play_panel), self->loaded && !self->dms_active && !self->experimenting);
}

static void update_idle_status(AmorphWindow *self)
{
  if (!self->loaded) {
    gtk_label_set_text(self->status_label, "");
    return;
  }
  size_t count[AM_MAX_TYPES] = {0};
  for (size_t i = 0; i < self->atoms.n; i++)
    if (self->atoms.type[i] >= 0 && self->atoms.type[i] < AM_MAX_TYPES)
      count[self->atoms.type[i]]++;
  GString *s = g_string_new(NULL);
  g_string_append_printf(s, "%zu atoms", self->atoms.n);
  for (int t = 0; t < self->atoms.ntypes; t++) {
    const char *sp = amorph_species_for_type(&self->atoms, t);
    if (*sp)
      g_string_append_printf(s, " · %s %zu", sp, count[t]);
    else
      g_string_append_printf(s, " · type %d: %zu", t + 1, count[t]);
  }
  g_string_append_printf(s, " · %.1f × %.1f × %.1f Å", self->box.lx, self->box.ly, self->box.lz);
  gtk_label_set_text(self->status_label, s->str);
  g_string_free(s, TRUE);
}

typedef struct {
  AmColor color;
  gboolean ring;
} Swatch;

static void draw_swatch(GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  (void) area;
  const Swatch *sw = data;
  double r = MIN(w, h) / 2.0 - 1;
  cairo_arc(cr, w / 2.0, h / 2.0, r, 0, 2 * G_PI);
  cairo_set_source_rgb(cr, sw->color.r, sw->color.g, sw->color.b);
  if (sw->ring) {
    /* As the view draws a pinned atom: the pinned colour inside a light rim. */
    AmColor held = am_atom_class_color(AM_ATOM_COLOR_PINNED);
    cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
    cairo_fill(cr);
    cairo_arc(cr, w / 2.0, h / 2.0, r - 2, 0, 2 * G_PI);
    cairo_set_source_rgb(cr, held.r, held.g, held.b);
    cairo_fill(cr);
  } else
    cairo_fill(cr);
}

static void draw_colorbar(GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  (void) area;
  AmColormap map = (AmColormap) GPOINTER_TO_INT(data);
  for (int x = 0; x < w; x++) {
    AmColor c = am_colormap_eval(map, w > 1 ? x / (double) (w - 1) : 0);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_rectangle(cr, x, 0, 1, h);
    cairo_fill(cr);
  }
}

/* Low label, colour bar, high label: the range of per-atom values on screen. */
static void legend_add_colorbar(AmorphWindow *self, const char *title, const char *unit, AmColormap map, double lo,
                                double hi)
{
  g_autofree char *los = g_strdup_printf("%s %.2f", title, lo), *his = g_strdup_printf("%.2f %s", hi, unit);
  GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append(GTK_BOX(box), gtk_label_new(los));
  GtkWidget *bar = gtk_drawing_area_new();
  gtk_drawing_area_set_content_width(GTK_DRAWING_AREA(bar), 110);
  gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(bar), 10);
  gtk_widget_set_valign(bar, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(bar), draw_colorbar, GINT_TO_POINTER(map), NULL);
  gtk_box_append(GTK_BOX(box), bar);
  gtk_box_append(GTK_BOX(box), gtk_label_new(his));
  gtk_box_append(GTK_BOX(self->legend_box), box);
}

static void legend_add(AmorphWindow *self, AmColor color, gboolean ring, const char *text)
{
  GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *area = gtk_drawing_area_new();
  gtk_drawing_area_set_content_width(GTK_DRAWING_AREA(area), 14);
  gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(area), 14);
  gtk_widget_set_valign(area, GTK_ALIGN_CENTER);
  Swatch *sw = g_new(Swatch, 1);
  sw->color = color;
  sw->ring = ring;
  gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(area), draw_swatch, sw, g_free);
  gtk_box_append(GTK_BOX(box), area);
  gtk_box_append(GTK_BOX(box), gtk_label_new(text));
  gtk_box_append(GTK_BOX(self->legend_box), box);
}

static void update_legend(AmorphWindow *self)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child(self->legend_box)))
    gtk_box_remove(GTK_BOX(self->legend_box), child);
  gtk_widget_set_visible(self->legend_box, self->loaded);
  if (!self->loaded)
    return;
  AmorphColorMode mode = amorph_atom_view_get_color_mode(self->atom_view);
  if (mode == AMORPH_COLOR_BY_VALUE && amorph_atom_view_has_values(self->atom_view)) {
    guint sel = gtk_drop_down_get_selected(self->color_dropdown);
    AmColormap map;
    amorph_atom_view_get_value_range(self->atom_view, &map, NULL, NULL);
    if (sel == COLOR_UPRIME)
      legend_add_colorbar(self, "<i>u</i>′<sub>max</sub>", "Å", map, self->value_lo, self->value_hi);
    else if (sel == COLOR_THETA)
      legend_add_colorbar(self, "|Θ|", "Å", map, self->value_lo, self->value_hi);
    else
      legend_add_colorbar(self, "<i>E</i><sub><i>i</i></sub>", "eV", map, self->value_lo, self->value_hi);
    GtkWidget *first = gtk_widget_get_first_child(gtk_widget_get_first_child(self->legend_box));
    gtk_label_set_use_markup(GTK_LABEL(first), TRUE);
  } else if (mode == AMORPH_COLOR_BY_CLASS && amorph_atom_view_has_classes(self->atom_view)) {
    for (int c = AM_ATOM_COLOR_VA; c <= AM_ATOM_COLOR_FA; c++)
      legend_add(self, am_atom_class_color(c), FALSE, am_atom_class_name(c));
  } else {
    for (int t = 0; t < self->atoms.ntypes; t++) {
      const char *sp = amorph_species_for_type(&self->atoms, t);
      g_autofree char *name = *sp ? g_strdup(sp) : g_strdup_printf("type %d", t + 1);
      legend_add(self, *sp ? am_species_color(sp) : am_palette_color((unsigned) t), FALSE, name);
    }
  }
  if (self->n_pinned)
    legend_add(self, am_atom_class_color(AM_ATOM_COLOR_PINNED), TRUE, "pinned");
}

static void on_unpin_clicked(GtkButton *button, AmorphWindow *self)
{
  guint index = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(button), "atom-index"));
  if (amorph_window_is_pinned(self, index))
    amorph_window_toggle_pin(self, index);
}

static void update_pins_panel(AmorphWindow *self)
{
  if (!self->n_pinned)
    gtk_label_set_text(self->pins_label, "No pinned atoms");
  else {
    g_autofree char *s = g_strdup_printf(g_dngettext(NULL, "%zu pinned atom (%.1f %%)", "%zu pinned atoms (%.1f %%)",
                                                     self->n_pinned),
                                         self->n_pinned, 100.0 * self->n_pinned / (double) self->atoms.n);
    gtk_label_set_text(self->pins_label, s);
  }
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child(GTK_WIDGET(self->pins_list))))
    gtk_list_box_remove(self->pins_list, child);
  size_t rows = 0;
  for (size_t i = 0; i < self->atoms.n && rows < MAX_PIN_ROWS; i++) {
    if (!self->pinned[i])
      continue;
    rows++;
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_widget_add_css_class(box, "pin-row");
    const char *sp = amorph_species_for_type(&self->atoms, self->atoms.type[i]);
    g_autofree char *text = g_strdup_printf("Atom %" G_GINT64_FORMAT " · %s", (gint64) self->atoms.id[i],
                                            *sp ? sp : "?");
    GtkWidget *label = gtk_label_new(text);
    gtk_label_set_xalign(GTK_LABEL(label), 0);
    gtk_widget_set_hexpand(label, TRUE);
    gtk_box_append(GTK_BOX(box), label);
    GtkWidget *button = gtk_button_new_from_icon_name("window-close-symbolic");
    gtk_widget_add_css_class(button, "flat");
    gtk_widget_add_css_class(button, "circular");
    gtk_widget_set_tooltip_text(button, "Release");
    g_object_set_data(G_OBJECT(button), "atom-index", GUINT_TO_POINTER((guint) i));
    g_signal_connect(button, "clicked", G_CALLBACK(on_unpin_clicked), self);
    gtk_box_append(GTK_BOX(box), button);
    gtk_list_box_append(self->pins_list, box);
  }
  gtk_widget_set_visible(GTK_WIDGET(self->pins_list), rows > 0);
}

static void pins_changed(AmorphWindow *self)
{
  amorph_atom_view_set_pinned(self->atom_view, self->atoms.n, self->pinned);
  /* The pins go with saved settings, as ▶ runs them. */
  g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  for (size_t i = 0; i < self->atoms.n; i++)
    if (self->pinned[i]) {
      gint64 id = (gint64) self->atoms.id[i];
      g_array_append_val(ids, id);
    }
  amorph_settings_panel_set_pinned_ids(self->settings_panel, (const gint64 *) (void *) ids->data, ids->len);
  update_pins_panel(self);
  update_legend(self);
  update_actions(self);
}

/* The world axes as the camera sees them, nearest drawn last, so the view's orientation
 * reads at a glance; x, y, z in the palette's vermillion, bluish green and blue. */
static void draw_axes(GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  (void) area;
  AmorphWindow *self = data;
  const AmCamera *cam = amorph_atom_view_get_camera(self->atom_view);
  double right[3], up[3], fwd[3];
  am_camera_basis(cam, right, up, fwd);
  double cx = w / 2.0, cy = h / 2.0, len = MIN(w, h) / 2.0 - 12;
  static const char *names[3] = {"x", "y", "z"};
  const unsigned colors[3] = {1, 2, 0};
  int order[3] = {0, 1, 2};
  /* Farthest first: larger forward component points away from the viewer. */
  for (int a = 0; a < 3; a++)
    for (int b = a + 1; b < 3; b++)
      if (fwd[order[b]] > fwd[order[a]]) {
        int t = order[a];
        order[a] = order[b];
        order[b] = t;
      }
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr, 11);
  for (int k = 0; k < 3; k++) {
    int a = order[k];
    double ex = right[a] * len, ey = -up[a] * len;
    AmColor c = am_palette_color(colors[a]);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_set_line_width(cr, 2.5);
    cairo_move_to(cr, cx, cy);
    cairo_line_to(cr, cx + ex, cy + ey);
    cairo_stroke(cr);
    double norm = hypot(ex, ey);
    double lx = cx + ex + (norm > 1e-6 ? ex / norm : 0) * 7, ly = cy + ey + (norm > 1e-6 ? ey / norm : 0) * 7;
    cairo_text_extents_t te;
    cairo_text_extents(cr, names[a], &te);
    cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
    cairo_move_to(cr, lx - te.width / 2 - te.x_bearing, ly - te.height / 2 - te.y_bearing);
    cairo_show_text(cr, names[a]);
  }
}

static void on_camera_changed(AmorphWindow *self)
{
  gtk_widget_queue_draw(GTK_WIDGET(self->axes_area));
}

/* Per-atom values (file order) into the view, through map over their 2nd to 98th
 * percentile: a few atoms in odd places must not wash out the rest. */
static void show_values(AmorphWindow *self, const double *values, AmColormap map)
{
  size_t n = self->atoms.n;
  if (!n)
    return;
  double *sorted = g_memdup2(values, n * sizeof *sorted);
  qsort(sorted, n, sizeof *sorted, cmp_double);
  self->value_lo = sorted[(size_t) (0.02 * (n - 1))];
  self->value_hi = sorted[(size_t) (0.98 * (n - 1))];
  if (!(self->value_hi > self->value_lo))
    self->value_hi = self->value_lo + 1e-3;
  g_free(sorted);
  amorph_atom_view_set_values(self->atom_view, n, values, map, self->value_lo, self->value_hi);
  guint sel = gtk_drop_down_get_selected(self->color_dropdown);
  amorph_atom_view_set_value_label(self->atom_view,
                                   sel == COLOR_UPRIME  ? "<i>u</i>′<sub>max</sub>"
                                   : sel == COLOR_THETA ? "|Θ|"
                                                        : "<i>E</i><sub><i>i</i></sub>",
                                   sel == COLOR_UPRIME || sel == COLOR_THETA ? "Å" : "eV");
  if (amorph_atom_view_get_color_mode(self->atom_view) == AMORPH_COLOR_BY_VALUE)
    update_legend(self);
}

/* ---- pins and their history ---------------------------------------------------------- */

/* Flips the pins of the listed atoms, in the model, the view and the live run. */
static void flip_pins(AmorphWindow *self, const GArray *indices)
{
  for (guint k = 0; k < indices->len; k++) {
    guint i = g_array_index(indices, guint, k);
    if (i >= self->atoms.n)
      continue;
    self->pinned[i] = !self->pinned[i];
    if (self->pinned[i])
      self->n_pinned++;
    else
      self->n_pinned--;
    if (self->worker)
      amorph_worker_set_pinned(self->worker, i, self->pinned[i]);
  }
  pins_changed(self);
}

static void record(AmorphWindow *self, GArray *indices)
{
  g_ptr_array_add(self->undo, indices);
  g_ptr_array_set_size(self->redo, 0);
}

gboolean amorph_window_is_pinned(AmorphWindow *self, size_t index)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), FALSE);
  return index < self->atoms.n && self->pinned[index];
}

size_t amorph_window_get_n_pinned(AmorphWindow *self)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), 0);
  return self->n_pinned;
}

void amorph_window_toggle_pin(AmorphWindow *self, size_t index)
{
  g_return_if_fail(AMORPH_IS_WINDOW(self));
  if (index >= self->atoms.n)
    return;
  GArray *a = g_array_new(FALSE, FALSE, sizeof(guint));
  guint i = (guint) index;
  g_array_append_val(a, i);
  flip_pins(self, a);
  record(self, a);
  update_actions(self);
}

void amorph_window_clear_pins(AmorphWindow *self)
{
  g_return_if_fail(AMORPH_IS_WINDOW(self));
  if (!self->n_pinned)
    return;
  GArray *a = g_array_new(FALSE, FALSE, sizeof(guint));
  for (guint i = 0; i < self->atoms.n; i++)
    if (self->pinned[i])
      g_array_append_val(a, i);
  flip_pins(self, a);
  record(self, a);
  update_actions(self);
}

gboolean amorph_window_undo(AmorphWindow *self)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), FALSE);
  if (!self->undo->len)
    return FALSE;
  GArray *a = g_ptr_array_steal_index(self->undo, self->undo->len - 1);
  flip_pins(self, a);
  g_ptr_array_add(self->redo, a);
  update_actions(self);
  return TRUE;
}

gboolean amorph_window_redo(AmorphWindow *self)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), FALSE);
  if (!self->redo->len)
    return FALSE;
  GArray *a = g_ptr_array_steal_index(self->redo, self->redo->len - 1);
  flip_pins(self, a);
  g_ptr_array_add(self->undo, a);
  update_actions(self);
  return TRUE;
}

static void on_atom_clicked(AmorphWindow *self, guint index)
{
  amorph_window_toggle_pin(self, index);
}

/* ---- the live run --------------------------------------------------------------------- */

/* A shipped file (data/<subdir>/<name>) through the one lookup batch uses too, so the GUI
 * and batch never disagree about which potential or sample they read. */
static char *find_data_file(const char *subdir, const char *name)
{
  g_autofree char *rel = g_build_filename(subdir, name, NULL);
  return am_config_find_data_file(rel, NULL);
}

char *amorph_window_find_default_sample(void)
{
  /* The paper's 4000-atom glass when shipped; the 1000-atom one otherwise. */
  static const char *const samples[] = {"cu50zr50-4000.data", "cu50zr50-1000.data"};
  for (size_t k = 0; k < G_N_ELEMENTS(samples); k++) {
    char *found = find_data_file("samples", samples[k]);
    if (found)
      return found;
  }
  return NULL;
}

static void stop_worker(AmorphWindow *self)
{
  g_clear_pointer(&self->worker, amorph_worker_free);
  self->running = FALSE;
  self->run_step = -1;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Free play's stress: the last periods of σ_xy(t) with the sinusoid fitted to the last
 * two, as in the paper's Fig. 1. */
static void show_free_play_stress(AmorphWindow *self, const AmorphSnapshot *snap)
{
  if (snap->n_trace < 2)
    return;
  AmPlot *plot = self->plots[AMORPH_PLOT_STRESS_FIT];
  am_plot_clear_data(plot);
  AmPlotPanel *panel = am_plot_get_panel(plot, 0);
  g_autofree char *label = g_strdup_printf("free play, %.0f K", snap->target_temperature);
  am_plot_panel_add_xy(panel, snap->trace_t, snap->trace_stress, snap->n_trace, AM_PLOT_LINE, label);
  if (snap->have_fit) {
    enum { N_FIT = 200 };
    double ft[N_FIT], fs[N_FIT];
    const double t1 = snap->trace_t[snap->n_trace - 1];
    const double t0 = MAX(snap->trace_t[0], t1 - 2.0 * snap->shear_period);
    for (int k = 0; k < N_FIT; k++) {
      ft[k] = t0 + (t1 - t0) * k / (N_FIT - 1);
      fs[k] = am_dms_fit_eval(&snap->fit, ft[k] - snap->fit_t0);
    }
    AmPlotSeries *fit = am_plot_panel_add_xy(panel, ft, fs, N_FIT, AM_PLOT_LINE, "fit");
    am_plot_series_set_line(fit, 2.0, AM_PLOT_DASH_DASHED);
    /* With the standard errors: two periods of a small glass leave G″ uncertain by
     * several GPa, and a teacher should see that before reading a number off it. */
    g_autofree char *note = g_strdup_printf("<i>G</i>′ %.1f ± %.1f GPa · <i>G</i>″ %.1f ± %.1f GPa (last two periods)",
                                            snap->fit.storage, snap->fit.se_storage, snap->fit.loss,
                                            snap->fit.se_loss);
    am_plot_panel_add_text(panel, AM_PLOT_COORDS_AXES, 0.02, 0.95, note, AM_PLOT_ANCHOR_NORTH_WEST);
  }
  am_plot_panel_set_legend(panel, AM_PLOT_LEGEND_UPPER_RIGHT);
  gtk_widget_queue_draw(self->plot_areas[AMORPH_PLOT_STRESS_FIT]);
}

/* Status, free-play card, classes in the view and the stress plot from a worker snapshot. */
static void show_free_play(AmorphWindow *self, const AmorphSnapshot *snap)
{
  GString *s = g_string_new(NULL);
  g_string_append_printf(s, "%s · %.0f K (target %.0f K) · %.2f ps", snap->running ? "Running" : "Paused",
                         snap->temperature, snap->target_temperature, snap->time);
  /* The classes before the engine figures: they are what a class watches. */
  if (snap->classes)
    g_string_append_printf(s, " · VA %.1f %% RA %.1f %% FA %.1f %%", 100 * snap->class_fractions[0],
                           100 * snap->class_fractions[1], 100 * snap->class_fractions[2]);
  g_string_append_printf(s, " · %.4f eV/atom · %.0f steps/s", snap->pe_per_atom, snap->steps_per_second);
  gtk_label_set_text(self->status_label, s->str);
  g_string_free(s, TRUE);
  amorph_free_play_panel_show_snapshot(self->free_play_panel, snap);
  if (snap->classes) {
    self->true_cls = g_renew(guint8, self->true_cls, snap->n);
    memcpy(self->true_cls, snap->classes, snap->n);
    self->class_buf = g_renew(guint8, self->class_buf, snap->n);
    for (size_t i = 0; i < snap->n; i++)
      self->class_buf[i] = self->pinned[i] ? AM_ATOM_COLOR_PINNED : snap->classes[i];
    gboolean had = amorph_atom_view_has_classes(self->atom_view);
    amorph_atom_view_set_classes(self->atom_view, snap->n, self->class_buf);
    if (!had)
      update_legend(self);
  }
  show_free_play_stress(self, snap);
}

static void on_snapshot(AmorphSnapshot *snap, gpointer user_data)
{
  AmorphWindow *self = user_data;
  self->running = snap->running;
  if (snap->n == self->atoms.n && snap->x) {
    amorph_atom_view_set_positions(self->atom_view, &snap->box, snap->n, snap->x);
    /* The running glass's own energies replace the loaded sample's. */
    guint sel = gtk_drop_down_get_selected(self->color_dropdown);
    if (snap->values && sel != COLOR_UPRIME && sel != COLOR_THETA)
      show_values(self, snap->values, AM_COLORMAP_VIRIDIS);
    self->run_step = snap->step;
    show_free_play(self, snap);
  }
  if (snap->error) {
    g_autofree char *msg = g_strdup_printf("The simulation stopped: %s", snap->error);
    show_toast(self, msg);
  }
  update_actions(self);
}

static gboolean ensure_worker(AmorphWindow *self)
{
  if (self->worker)
    return TRUE;
  if (!self->loaded)
    return FALSE;
  g_autofree char *potential = find_data_file("potentials", POTENTIAL_FILE);
  if (!potential) {
    show_toast(self, "The potential " POTENTIAL_FILE " was not found in the data folder.");
    return FALSE;
  }
  const char *names[AM_MAX_TYPES] = {0};
  for (int t = 0; t < self->atoms.ntypes && t < AM_MAX_TYPES; t++)
    names[t] = amorph_species_for_type(&self->atoms, t);
  AmorphWorkerConfig cfg;
  amorph_worker_config_init(&cfg);
  cfg.potential_path = potential;
  cfg.temperature = gtk_adjustment_get_value(self->temperature_adjustment);
  cfg.steps_per_frame = steps_per_frame(self);
  cfg.shear_amplitude = amorph_free_play_panel_get_shear_amplitude(self->free_play_panel);
  cfg.shear_period = amorph_free_play_panel_get_shear_period(self->free_play_panel);
  self->worker = amorph_worker_new(&self->box, &self->atoms, self->pinned, names, &cfg, on_snapshot, self);
  self->run_step = -1;
  return TRUE;
}

static void free_play_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  AmorphWindow *self = AMORPH_WINDOW(widget);
  if (!ensure_worker(self))
    return;
  amorph_worker_run(self->worker);
  self->running = TRUE;
  self->experimenting = FALSE;
  /* Free play is about classes: show them, unless the user chose another colouring. */
  if (gtk_drop_down_get_selected(self->color_dropdown) == 0)
    gtk_drop_down_set_selected(self->color_dropdown, 1);
  update_actions(self);
}

static void pause_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  AmorphWindow *self = AMORPH_WINDOW(widget);
  if (self->dms_active) {
    amorph_dms_run_set_paused(self->dms, TRUE);
    update_actions(self);
    return;
  }
  if (self->worker)
    amorph_worker_pause(self->worker);
  self->running = FALSE;
  update_actions(self);
}

static void run_pause_action(GtkWidget *widget, const char *name, GVariant *param)
{
  AmorphWindow *self = AMORPH_WINDOW(widget);
  if (self->dms_active) {
    amorph_dms_run_set_paused(self->dms, !amorph_dms_run_get_paused(self->dms));
    update_actions(self);
  } else if (self->running)
    pause_action(widget, name, param);
  else
    free_play_action(widget, name, param);
}

static void step_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  AmorphWindow *self = AMORPH_WINDOW(widget);
  if (!ensure_worker(self))
    return;
  amorph_worker_step(self->worker);
  self->running = FALSE;
  self->experimenting = FALSE;
  update_actions(self);
}

static void stop_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  AmorphWindow *self = AMORPH_WINDOW(widget);
  if (self->dms_active) {
    /* The sweep stops at its next check; its last snapshot says so. */
    amorph_dms_run_cancel(self->dms);
    return;
  }
  stop_worker(self);
  if (self->loaded)
    amorph_atom_view_set_positions(self->atom_view, &self->box, self->atoms.n, self->atoms.x);
  /* The energies belonged to the run's positions, not to the loaded ones. */
  amorph_atom_view_clear_values(self->atom_view);
  amorph_free_play_panel_show_snapshot(self->free_play_panel, NULL);
  update_legend(self);
  update_idle_status(self);
  update_actions(self);
}

/* ---- the MD-DMS experiment --------------------------------------------------------------- */

static const AmFigureId plot_figure[AMORPH_N_PLOTS] = {
    [AMORPH_PLOT_LOSS_MODULUS] = AM_FIGURE_2B, [AMORPH_PLOT_STRESS_FIT] = AM_FIGURE_1,
    [AMORPH_PLOT_NONAFFINE] = AM_FIGURE_3A,    [AMORPH_PLOT_CLASSES] = AM_FIGURE_4B,
    [AMORPH_PLOT_N_RA] = AM_FIGURE_5A,         [AMORPH_PLOT_HEATMAPS] = AM_FIGURE_6B,
};

static void clear_figures(AmorphWindow *self)
{
  for (int p = 0; p < AMORPH_N_PLOTS; p++) {
    if (self->plot_areas[p])
      amorph_plot_view_set_figure(AMORPH_PLOT_VIEW(self->plot_areas[p]), NULL);
    g_clear_pointer(&self->figures[p], am_figure_free);
  }
}

static void set_plot_message(AmPlot *plot, const char *text)
{
  am_plot_clear_data(plot);
  am_plot_panel_add_text(am_plot_get_panel(plot, 0), AM_PLOT_COORDS_AXES, 0.5, 0.5, text, AM_PLOT_ANCHOR_CENTER);
}

/* The legend of pin set k of the run ("12 chosen atoms pinned" and the like). */
static char *set_label(AmorphWindow *self, guint k)
{
  char buf[64];
  am_figure_pin_set_legend(self->sets[k].kind, self->sets[k].n_pinned, buf, sizeof buf);
  return g_strdup(buf);
}

/* G″(T) from the replicas finished so far, with standard errors once there are two: one
 * curve per pin set, drawn as the folded Fig. 5b will draw it, so nothing jumps at the end. */
static void show_live_loss(AmorphWindow *self, const AmorphDmsSnapshot *snap)
{
  AmPlot *plot = self->plots[AMORPH_PLOT_LOSS_MODULUS];
  self->n_loss_points = snap->n_points;
  if (snap->n_points == 0)
    return;
  am_plot_clear_data(plot);
  AmPlotPanel *panel = am_plot_get_panel(plot, 0);
  gsize n = snap->n_points;
  g_autofree double *t = g_new(double, n);
  g_autofree double *y = g_new(double, n);
  g_autofree double *e = g_new(double, n);
  gsize temps_done = 0;
  for (guint set = 0; set < MAX(snap->n_sets, 1); set++) {
    gsize m = 0;
    for (gsize k = 0; k < n; k++) {
      if (snap->points[k].pinset != (int) set)
        continue;
      t[m] = snap->points[k].temperature;
      y[m] = snap->points[k].loss;
      e[m] = snap->points[k].replicas > 1 ? snap->points[k].loss_sem : NAN;
      m++;
    }
    temps_done = MAX(temps_done, m);
    if (m == 0 && snap->n_sets <= 1)
      continue;
    /* A set without points yet still gets its legend entry: the user sees what is coming. */
    g_autofree char *label = snap->n_sets > 1 ? set_label(self, set) : NULL;
    AmPlotSeries *s = am_plot_panel_add_xy(panel, t, y, m, AM_PLOT_LINE_MARKERS, label);
    if (!s)
      continue;
    am_plot_series_set_y_errors(s, e, NULL);
    if (snap->n_sets > 1) {
      am_plot_series_set_color(s, am_figure_pin_set_color(snap->sets[set].kind, set));
      am_plot_series_set_marker(s, am_figure_pin_set_marker(set), 7, true);
      if (snap->sets[set].kind != AM_PIN_NONE)
        am_plot_series_set_line(s, 1.5, AM_PLOT_DASH_DASHED);
    } else {
      am_plot_series_set_marker(s, AM_PLOT_MARKER_CIRCLE, 7, true);
    }
  }
  am_plot_panel_set_axis_include_zero(panel, AM_PLOT_AXIS_Y, true);
  /* The progress goes in the title, so the legend may take whichever corner is free. */
  if (snap->n_sets > 1)
    am_plot_panel_set_legend(panel, AM_PLOT_LEGEND_AUTO);
  g_autofree char *title = g_strdup_printf("<i>G</i>″(<i>T</i>), %zu temperature%s so far", temps_done,
                                           temps_done == 1 ? "" : "s");
  am_plot_panel_set_title(panel, title);
}

/* The watched replica's stress σ_xy(t) as it is loaded. */
static void show_live_stress(AmorphWindow *self, const AmorphDmsSnapshot *snap)
{
  if (snap->n_trace < 2)
    return;
  AmPlot *plot = self->plots[AMORPH_PLOT_STRESS_FIT];
  am_plot_clear_data(plot);
  AmPlotPanel *panel = am_plot_get_panel(plot, 0);
  g_autofree char *label = g_strdup_printf("%.0f K, replica %d", snap->watch_temperature, snap->watch_replica);
  am_plot_panel_add_xy(panel, snap->trace_t, snap->trace_stress, snap->n_trace, AM_PLOT_LINE, label);
  am_plot_panel_set_legend(panel, AM_PLOT_LEGEND_UPPER_RIGHT);
}

/* The pin set the switcher's plots show (p(u′), classes, N_RA), as an index of the run's sets. */
static guint shown_set(AmorphWindow *self)
{
  return self->shown_set < self->n_sets ? self->shown_set : 0;
}

static gboolean set_has_trace(const AmDmsSweepResults *res, guint k)
{
  for (gsize i = 0; k < res->n_sets && i < res->sets[k].n_points; i++)
    if (res->sets[k].points[i].trace)
      return TRUE;
  return FALSE;
}

static void show_figures(AmorphWindow *self, const AmDmsSweepResults *res)
{
  clear_figures(self);
  AmFigureOptions opt, fig1_opt;
  am_figure_options_init(&opt);
  guint k = shown_set(self);
  opt.main_set = k < res->n_sets ? res->sets[k].name : NULL;
  /* Fig. 1 is the stress trace of the watched job, which only its own set records: the
   * chosen set when it has one, else the watched set (as the live plot showed it). */
  am_figure_options_init(&fig1_opt);
  guint k1 = set_has_trace(res, k) || self->watch_set >= res->n_sets ? k : self->watch_set;
  fig1_opt.main_set = k1 < res->n_sets ? res->sets[k1].name : NULL;
  for (int p = 0; p < AMORPH_N_PLOTS; p++) {
    AmFigureId id = plot_figure[p];
    /* The overlay of every pin set replaces the single curve when there are several. */
    if (p == AMORPH_PLOT_LOSS_MODULUS && res->n_sets > 1)
      id = AM_FIGURE_5B;
    gboolean per_set = p == AMORPH_PLOT_NONAFFINE || p == AMORPH_PLOT_CLASSES || p == AMORPH_PLOT_N_RA;
    self->figures[p] = am_figure_new(id, res, per_set ? &opt : p == AMORPH_PLOT_STRESS_FIT ? &fig1_opt : NULL);
    amorph_plot_view_set_figure(AMORPH_PLOT_VIEW(self->plot_areas[p]), self->figures[p]);
  }
}

/* The live plots of the switcher for the chosen pin set. */
static void show_live_sets(AmorphWindow *self, const AmorphDmsLive *live)
{
  guint k = shown_set(self);
  g_autofree char *label = self->n_sets > 1 ? set_label(self, k) : NULL;
  amorph_live_plots_nonaffine(self->plots[AMORPH_PLOT_NONAFFINE], live, (int) k, label);
  amorph_live_plots_classes(self->plots[AMORPH_PLOT_CLASSES], live, (int) k, label);
  amorph_live_plots_n_ra(self->plots[AMORPH_PLOT_N_RA], live, (int) k, label);
}

static void on_set_changed(AmorphWindow *self)
{
  if (self->n_sets < 2)
    return;
  g_autofree char *label = set_label(self, shown_set(self));
  g_autofree char *tip = g_strdup_printf("Pin set shown in p(u′), classes and N_RA: %s", label);
  gtk_widget_set_tooltip_text(GTK_WIDGET(self->set_button), tip);
  const AmDmsSweepResults *res = self->dms && !self->dms_active ? amorph_dms_run_results(self->dms) : NULL;
  if (res) {
    show_figures(self, res);
    return;
  }
  /* Before a set's first replica finishes its plots say so, rather than show another set's. */
  for (int p = AMORPH_PLOT_NONAFFINE; p <= AMORPH_PLOT_N_RA; p++)
    set_plot_message(self->plots[p], "Waiting for the first replica of this pin set to finish");
  if (self->last_live && self->last_live->live)
    show_live_sets(self, self->last_live->live);
  for (int p = AMORPH_PLOT_NONAFFINE; p <= AMORPH_PLOT_N_RA; p++)
    amorph_plot_view_changed(AMORPH_PLOT_VIEW(self->plot_areas[p]));
}

/* The run's pin sets into the selector of the switcher's plots (shown with two or more). */
static void take_sets(AmorphWindow *self, const AmorphDmsSnapshot *snap)
{
  /* A new run's sets (the count was reset when it started), or a set chosen from results
   * (selected RAs, as many VAs) whose size became known: the labels take it. */
  const gboolean new_run = snap->n_sets != self->n_sets;
  gboolean sized = FALSE;
  for (guint k = 0; !new_run && k < snap->n_sets; k++)
    sized |= snap->sets[k].n_pinned != self->sets[k].n_pinned;
  if (!new_run && !sized)
    return;
  self->n_sets = snap->n_sets;
  self->watch_set = snap->watch_set;
  memcpy(self->sets, snap->sets, sizeof self->sets);
  /* Radio items of the stateful win.shown-pin-set (the property of the same name). */
  GMenu *menu = g_menu_new();
  GMenu *section = g_menu_new();
  for (guint k = 0; k < self->n_sets; k++) {
    g_autofree char *label = set_label(self, k);
    GMenuItem *item = g_menu_item_new(label, NULL);
    g_menu_item_set_action_and_target_value(item, "win.shown-pin-set", g_variant_new_uint32(k));
    g_menu_append_item(section, item);
    g_object_unref(item);
  }
  g_menu_append_section(menu, "Pin set shown in p(u′), classes and N_RA", G_MENU_MODEL(section));
  gtk_menu_button_set_menu_model(self->set_button, G_MENU_MODEL(menu));
  g_object_unref(section);
  g_object_unref(menu);
  /* The set the atom view follows, until the user chooses another. */
  if (new_run) {
    self->shown_set = self->watch_set < self->n_sets ? self->watch_set : 0;
    g_object_notify_by_pspec(G_OBJECT(self), props[PROP_SHOWN_PIN_SET]);
  }
  gtk_widget_set_visible(GTK_WIDGET(self->set_button), self->n_sets > 1);
  if (self->n_sets > 1) {
    g_autofree char *label = set_label(self, self->shown_set);
    g_autofree char *tip = g_strdup_printf("Pin set shown in p(u′), classes and N_RA: %s", label);
    gtk_widget_set_tooltip_text(GTK_WIDGET(self->set_button), tip);
  }
}

static void on_dms_snapshot(AmorphDmsSnapshot *snap, gpointer user_data)
{
  AmorphWindow *self = user_data;
  take_sets(self, snap);
  if (snap->n > 0 && snap->n == self->atoms.n && snap->id) {
    /* The job's atoms in the sample's order, matched by id: the engine may have sorted
     * them. An id the sample does not have means another sample: nothing is shown. */
    gsize n = snap->n;
    g_autofree gsize *where = g_new(gsize, n + 1);
    gboolean match = TRUE;
    for (gsize j = 0; j < n && match; j++) {
      gsize at = GPOINTER_TO_SIZE(g_hash_table_lookup(self->id_index, &snap->id[j]));
      match = at > 0;
      where[j] = at - 1;
    }
    if (match) {
      g_autofree double *x = g_new(double, 3 * n);
      g_autofree guint8 *pins = g_new(guint8, n);
      self->class_buf = g_renew(guint8, self->class_buf, n);
      self->true_cls = g_renew(guint8, self->true_cls, n);
      for (gsize j = 0; j < n; j++) {
        gsize i = where[j];
        memcpy(x + 3 * i, snap->x + 3 * j, 3 * sizeof *x);
        pins[i] = snap->pinned[j];
        self->true_cls[i] = snap->cls[j];
        /* AmAtomClass and the colour classes share VA/RA/FA; pinned atoms get their own. */
        self->class_buf[i] = snap->pinned[j] ? AM_ATOM_COLOR_PINNED : snap->cls[j];
      }
      amorph_atom_view_set_positions(self->atom_view, &snap->box, n, x);
      amorph_atom_view_set_classes(self->atom_view, n, self->class_buf);
      amorph_atom_view_set_pinned(self->atom_view, n, pins);
      if (snap->uprime_max && snap->uprime_vec) {
        self->uprime_buf = g_renew(double, self->uprime_buf, n);
        self->arrow_buf = g_renew(float, self->arrow_buf, 3 * n);
        for (gsize j = 0; j < n; j++) {
          self->uprime_buf[where[j]] = snap->uprime_max[j];
          memcpy(self->arrow_buf + 3 * where[j], snap->uprime_vec + 3 * j, 3 * sizeof(float));
        }
        amorph_atom_view_set_arrows(self->atom_view, n, self->arrow_buf);
        if (gtk_drop_down_get_selected(self->color_dropdown) == COLOR_UPRIME)
          show_values(self, self->uprime_buf, AM_COLORMAP_CIVIDIS);
      }
    }
  }
  int loss_replicas = 0;
  for (gsize k = 0; k < snap->n_points; k++)
    loss_replicas += snap->points[k].replicas;
  gboolean loss_changed = loss_replicas != self->loss_replicas_shown || snap->finished;
  self->loss_replicas_shown = loss_replicas;
  gboolean live_changed = (snap->live && snap->live->jobs_folded != self->live_jobs_shown) || snap->finished;
  if (loss_changed)
    show_live_loss(self, snap);
  show_live_stress(self, snap);
  /* The other plots only change when a job has finished. */
  if (snap->live && snap->live->jobs_folded != self->live_jobs_shown) {
    self->live_jobs_shown = snap->live->jobs_folded;
    show_live_sets(self, snap->live);
    amorph_live_plots_heatmap(self->plots[AMORPH_PLOT_HEATMAPS], snap->live);
  }
  if (self->last_live)
    amorph_dms_snapshot_unref(self->last_live);
  self->last_live = amorph_dms_snapshot_ref(snap);
  GString *status = g_string_new(NULL);
  if (snap->finished) {
    g_string_append(status, snap->error ? (snap->cancelled ? "Sweep stopped" : "Sweep failed") : "Sweep finished");
  } else {
    if (snap->paused)
      g_string_append(status, "Paused · ");
    if (snap->n > 0)
      g_string_append_printf(status, "%.0f K · replica %d · cycle %d/%d · ", snap->watch_temperature,
                             snap->watch_replica + 1, MIN(snap->cycle + 1, snap->cycles), snap->cycles);
    else if (snap->status)
      g_string_append_printf(status, "%s · ", snap->status);
    if (snap->total > 0)
      g_string_append_printf(status, "%.0f %% · ", 100.0 * (double) snap->done / (double) snap->total);
    if (snap->steps_per_s > 0 && !snap->paused)
      g_string_append_printf(status, "%.0f steps/s", snap->steps_per_s);
    if (snap->eta_s >= 0 && !snap->paused) {
      g_autofree char *eta = am_format_duration(snap->eta_s);
      g_string_append_printf(status, " · ETA %s", eta);
    }
  }
  if (g_str_has_suffix(status->str, " · "))
    g_string_truncate(status, status->len - strlen(" · "));
  gtk_label_set_text(self->status_label, status->str);
  g_string_free(status, TRUE);
  self->sweep_done = snap->done;
  if (snap->finished) {
    self->dms_active = FALSE;
    g_free(self->results_dir);
    self->results_dir = g_strdup(snap->results_dir);
    if (snap->write_error) {
      g_autofree char *msg = g_strdup_printf("The results could not be written: %s", snap->write_error);
      show_toast(self, msg);
    }
    const AmDmsSweepResults *res = amorph_dms_run_results(self->dms);
    if (res)
      show_figures(self, res);
    else if (snap->error && !snap->cancelled) {
      g_autofree char *msg = g_strdup_printf("The sweep stopped: %s", snap->error);
      show_toast(self, msg);
    }
  }
  /* Only what changed is redrawn, so a readout over a plot that did not change stays. */
  amorph_plot_view_changed(AMORPH_PLOT_VIEW(self->plot_areas[AMORPH_PLOT_STRESS_FIT]));
  if (loss_changed)
    amorph_plot_view_changed(AMORPH_PLOT_VIEW(self->plot_areas[AMORPH_PLOT_LOSS_MODULUS]));
  for (int p = AMORPH_PLOT_NONAFFINE; live_changed && p <= AMORPH_PLOT_HEATMAPS; p++)
    amorph_plot_view_changed(AMORPH_PLOT_VIEW(self->plot_areas[p]));
  update_legend(self);
  update_actions(self);
}

gboolean amorph_window_run_experiment(AmorphWindow *self, const char *preset, const char *const *overrides,
                                      GError **error)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), FALSE);
  if (!self->loaded || !self->path) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, "no sample is loaded");
    return FALSE;
  }
  /* Without a preset, the side panel's settings (written beside the run's records). */
  g_autoptr(AmConfig) panel_cfg = preset ? NULL : amorph_settings_panel_get_config(self->settings_panel, error);
  if (!preset && !panel_cfg)
    return FALSE;
  stop_worker(self);
  g_clear_pointer(&self->dms, amorph_dms_run_free);
  /* The loaded sample replaces the preset's; other --set style overrides follow. */
  GPtrArray *set = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(set, g_strdup_printf("system.data=%s", self->path));
  g_autofree char *out = amorph_run_folder_new_path();
  /* Every run leaves its folder in the cache; only the last few are kept. */
  g_autofree char *runs_root = amorph_run_folder_root();
  amorph_run_folder_prune_async(runs_root, AMORPH_RUNS_KEPT, out);
  g_clear_pointer(&self->results_dir, g_free);
  g_autofree char *panel_ini = NULL;
  if (panel_cfg) {
    g_autofree char *text = am_config_to_ini(panel_cfg);
    panel_ini = g_build_filename(out, "settings.ini", NULL);
    if (g_mkdir_with_parents(out, 0755) != 0 || !g_file_set_contents(panel_ini, text, -1, error)) {
      if (error && !*error)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create %s", out);
      g_ptr_array_unref(set);
      return FALSE;
    }
    preset = panel_ini;
  }
  /* The atoms the user pinned become the sweep's pin set (a dms-sweep's [dms] pinned = ids;
   * in the pinning experiment, [pinning] pinned_ids in place of the selected RAs, beside
   * the unpinned sweep and as many random VAs), so the experiment measures what clicking
   * them does. */
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autofree char *protocol = g_key_file_load_from_file(kf, preset, G_KEY_FILE_NONE, NULL)
                                  ? g_key_file_get_string(kf, "run", "protocol", NULL)
                                  : NULL;
  gboolean pinning = g_strcmp0(protocol, "pinning") == 0;
  if (self->n_pinned > 0 && (pinning || g_strcmp0(protocol, "dms-sweep") == 0)) {
    GString *ids = g_string_new("# atoms pinned in the explorer\n");
    for (size_t i = 0; i < self->atoms.n; i++)
      if (self->pinned[i])
        g_string_append_printf(ids, "%" G_GINT64_FORMAT "\n", (gint64) self->atoms.id[i]);
    g_autofree char *ids_path = g_build_filename(out, "pinned-ids.txt", NULL);
    gboolean written = g_mkdir_with_parents(out, 0755) == 0 && g_file_set_contents(ids_path, ids->str, -1, error);
    g_string_free(ids, TRUE);
    if (!written) {
      if (error && !*error)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create %s", out);
      g_ptr_array_unref(set);
      return FALSE;
    }
    if (pinning) {
      g_ptr_array_add(set, g_strdup_printf("pinning.pinned_ids=%s", ids_path));
      g_ptr_array_add(set, g_strdup("pinning.pinned_count="));
    } else {
      g_ptr_array_add(set, g_strdup("dms.pinned=ids"));
      g_ptr_array_add(set, g_strdup_printf("dms.pinned_ids=%s", ids_path));
    }
  }
  for (gsize k = 0; overrides && overrides[k]; k++)
    g_ptr_array_add(set, g_strdup(overrides[k]));
  g_ptr_array_add(set, NULL);
  self->dms = amorph_dms_run_new(preset, (const char *const *) set->pdata, out, 0, on_dms_snapshot, self, error);
  g_ptr_array_unref(set);
  if (!self->dms)
    return FALSE;
  self->dms_active = TRUE;
  self->experimenting = TRUE;
  self->n_loss_points = 0;
  self->n_sets = 0;
  gtk_widget_set_visible(GTK_WIDGET(self->set_button), FALSE);
  g_clear_pointer(&self->last_live, amorph_dms_snapshot_unref);
  clear_figures(self);
  am_plot_panel_set_title(am_plot_get_panel(self->plots[AMORPH_PLOT_LOSS_MODULUS], 0), "<i>G</i>″(<i>T</i>)");
  set_plot_message(self->plots[AMORPH_PLOT_LOSS_MODULUS], "Waiting for the first temperature to finish");
  set_plot_message(self->plots[AMORPH_PLOT_STRESS_FIT], "Equilibrating: the watched replica has not started");
  self->live_jobs_shown = 0;
  self->loss_replicas_shown = 0;
  for (int p = AMORPH_PLOT_NONAFFINE; p <= AMORPH_PLOT_N_RA; p++)
    set_plot_message(self->plots[p], "Waiting for the first replica to finish");
  set_plot_message(self->plots[AMORPH_PLOT_HEATMAPS], "Waiting for the first trajectory rerun to finish");
  amorph_window_plots_changed(self);
  /* Classes are what the sweep shows as it goes. */
  gtk_drop_down_set_selected(self->color_dropdown, 1);
  gtk_label_set_text(self->status_label, "Starting the sweep …");
  update_actions(self);
  return TRUE;
}

void amorph_window_set_preset(AmorphWindow *self, const char *preset)
{
  g_return_if_fail(AMORPH_IS_WINDOW(self));
  g_autoptr(GError) error = NULL;
  if (preset && !amorph_window_load_settings(self, preset, &error))
    show_toast(self, error->message);
}

gboolean amorph_window_load_settings(AmorphWindow *self, const char *path, GError **error)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), FALSE);
  if (!amorph_settings_panel_load(self->settings_panel, path, error))
    return FALSE;
  g_free(self->preset);
  self->preset = g_strdup(path);
  /* The loaded sample stays what runs, whatever the file names. */
  if (self->path) {
    g_autofree char *abs_path = g_canonicalize_filename(self->path, NULL);
    amorph_settings_panel_set_value(self->settings_panel, "system", "data", abs_path);
  }
  return TRUE;
}

AmorphSettingsPanel *amorph_window_get_settings_panel(AmorphWindow *self)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), NULL);
  return self->settings_panel;
}

guint amorph_window_get_live_jobs(AmorphWindow *self)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), 0);
  return self->live_jobs_shown;
}

const char *amorph_window_get_results_dir(AmorphWindow *self)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), NULL);
  return self->results_dir;
}

guint amorph_window_get_n_exports(AmorphWindow *self)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), 0);
  return self->exports_done;
}

typedef struct {
  AmorphWindow *self;
  char *dest;
} ExportJob;

static void export_done(GObject *source, GAsyncResult *result, gpointer data)
{
  (void) source;
  ExportJob *job = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = amorph_run_folder_copy_finish(result, &error)
                             ? g_strdup_printf("Results exported to %s", job->dest)
                             : g_strdup_printf("The results could not be exported: %s", error->message);
  job->self->exports_done++;
  show_toast(job->self, msg);
  g_object_unref(job->self);
  g_free(job->dest);
  g_free(job);
}

void amorph_window_export_results(AmorphWindow *self, const char *dest)
{
  g_return_if_fail(AMORPH_IS_WINDOW(self));
  if (!self->results_dir)
    return;
  ExportJob *job = g_new(ExportJob, 1);
  job->self = g_object_ref(self);
  job->dest = g_strdup(dest);
  amorph_run_folder_copy_async(self->results_dir, dest, NULL, export_done, job);
}

static void export_folder_chosen(GFile *file, gpointer data)
{
  AmorphWindow *self = data;
  g_autofree char *path = file ? g_file_get_path(file) : NULL;
  if (path)
    amorph_window_export_results(self, path);
  g_object_unref(self);
}

static void export_results_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  amorph_choose_file(GTK_WINDOW(widget), AMORPH_CHOOSE_FOLDER, "Export Results to a Folder", NULL, NULL, NULL,
                     export_folder_chosen, g_object_ref(widget));
}

gint64 amorph_window_get_sweep_steps(AmorphWindow *self)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), 0);
  return self->sweep_done;
}

const char *amorph_window_get_status(AmorphWindow *self)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), NULL);
  return gtk_label_get_text(self->status_label);
}

gboolean amorph_window_get_experiment_running(AmorphWindow *self)
{
  return self->dms_active;
}

gsize amorph_window_get_n_loss_points(AmorphWindow *self)
{
  return self->n_loss_points;
}

gboolean amorph_window_start_on_launch(AmorphWindow *self)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), FALSE);
  if (!self->loaded || self->dms_active || (self->settings && !g_settings_get_boolean(self->settings, "start-on-launch")))
    return FALSE;
  g_autoptr(GError) error = NULL;
  if (!amorph_window_run_experiment(self, NULL, NULL, &error)) {
    show_toast(self, error->message);
    return FALSE;
  }
  return TRUE;
}

static void run_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  AmorphWindow *self = AMORPH_WINDOW(widget);
  if (self->dms_active) {
    /* ▶ on a paused sweep resumes it. */
    amorph_dms_run_set_paused(self->dms, FALSE);
    update_actions(self);
    return;
  }
  g_autoptr(GError) error = NULL;
  if (!amorph_window_run_experiment(self, NULL, NULL, &error))
    show_toast(self, error->message);
}

guint amorph_window_get_n_pin_sets(AmorphWindow *self)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), 0);
  return self->n_sets;
}

void amorph_window_set_shown_pin_set(AmorphWindow *self, guint set)
{
  g_return_if_fail(AMORPH_IS_WINDOW(self));
  if (set < self->n_sets)
    g_object_set(self, "shown-pin-set", set, NULL);
}

gboolean amorph_window_compare(AmorphWindow *self, GError **error)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), FALSE);
  if (self->n_pinned == 0) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                "Compare needs pinned atoms: click atoms to pin them first");
    return FALSE;
  }
  if (self->dms_active) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_BUSY, "a sweep is running: stop it first");
    return FALSE;
  }
  /* The side panel switches to the pinning protocol (keeping the sweep's settings), so
   * what runs is what the panel shows and Save… writes. */
  if (g_strcmp0(amorph_settings_panel_get_protocol(self->settings_panel), "pinning") != 0) {
    amorph_settings_panel_set_value(self->settings_panel, "run", "protocol", "pinning");
    /* The atom view then follows the run with these pins held (set 1), not the unpinned one. */
    amorph_settings_panel_set_value(self->settings_panel, "dms", "watch_pin_set", "1");
  }
  return amorph_window_run_experiment(self, NULL, NULL, error);
}

static void compare_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  AmorphWindow *self = AMORPH_WINDOW(widget);
  g_autoptr(GError) error = NULL;
  if (!amorph_window_compare(self, &error))
    show_toast(self, error->message);
}

static void preset_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  AmorphWindow *self = AMORPH_WINDOW(widget);
  g_autofree char *path = g_variant_dup_string(param, NULL);
  g_autoptr(GError) error = NULL;
  if (!amorph_window_load_settings(self, path, &error)) {
    show_toast(self, error->message);
    return;
  }
  g_autofree char *base = g_path_get_basename(path);
  g_autofree char *msg = g_strdup_printf("▶ now runs %s (see Experiment)", base);
  show_toast(self, msg);
}

static gint cmp_names(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(char *const *) a, *(char *const *) b);
}

/* Preset ▾: the shipped presets an explorer can run (protocols dms-sweep and pinning). */
static void setup_preset_menu(AmorphWindow *self)
{
  g_autofree char *demo = am_config_find_data_file("presets/demo.ini", NULL);
  if (!demo)
    return;
  g_autofree char *dir_path = g_path_get_dirname(demo);
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
  if (!dir)
    return;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while ((name = g_dir_read_name(dir)))
    if (g_str_has_suffix(name, ".ini"))
      g_ptr_array_add(names, g_strdup(name));
  g_ptr_array_sort(names, cmp_names);
  g_autoptr(GMenu) menu = g_menu_new();
  for (guint k = 0; k < names->len; k++) {
    g_autofree char *path = g_build_filename(dir_path, names->pdata[k], NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL))
      continue;
    g_autofree char *protocol = g_key_file_get_string(kf, "run", "protocol", NULL);
    if (g_strcmp0(protocol, "dms-sweep") != 0 && g_strcmp0(protocol, "pinning") != 0)
      continue;
    g_autofree char *label = g_strndup(names->pdata[k], strlen(names->pdata[k]) - 4);
    g_autoptr(GMenuItem) item = g_menu_item_new(label, NULL);
    g_menu_item_set_action_and_target_value(item, "win.preset", g_variant_new_string(path));
    g_menu_append_item(menu, item);
  }
  GtkWidget *button = gtk_menu_button_new();
  gtk_menu_button_set_label(GTK_MENU_BUTTON(button), "Preset");
  gtk_menu_button_set_menu_model(GTK_MENU_BUTTON(button), G_MENU_MODEL(menu));
  gtk_widget_set_tooltip_text(button, "The experiment ▶ runs on the loaded sample");
  GtkWidget *bar = gtk_window_get_titlebar(GTK_WINDOW(self));
  if (GTK_IS_HEADER_BAR(bar))
    gtk_header_bar_pack_start(GTK_HEADER_BAR(bar), button);
}

static void on_speed_changed(AmorphWindow *self)
{
  int speed = (int) lround(gtk_adjustment_get_value(self->speed_adjustment));
  /* Only real changes: an untouched setting keeps following the schema's default. */
  if (self->settings && g_settings_get_int(self->settings, "speed") != speed)
    g_settings_set_int(self->settings, "speed", speed);
  if (self->worker)
    amorph_worker_set_steps_per_frame(self->worker, steps_per_frame(self));
}

static void on_free_play_shear_changed(AmorphWindow *self)
{
  if (self->worker)
    amorph_worker_set_shear(self->worker, amorph_free_play_panel_get_shear_amplitude(self->free_play_panel),
                            amorph_free_play_panel_get_shear_period(self->free_play_panel));
}

/* ---- teaching: explanations and presentation mode --------------------------------------- */

static void explain_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  AmorphWindow *self = AMORPH_WINDOW(widget);
  const char *topic = g_variant_get_string(param, NULL);
  AmorphHelpButton *button = NULL;
  if (g_str_equal(topic, "atom-view"))
    button = self->view_help;
  else if (g_str_equal(topic, "loss-modulus"))
    button = self->gpp_help;
  else if (g_str_equal(topic, "free-play")) {
    self->experimenting = FALSE;
    gtk_widget_set_visible(GTK_WIDGET(self->free_play_panel), TRUE);
    button = AMORPH_HELP_BUTTON(amorph_free_play_panel_get_help_button(self->free_play_panel));
  } else if (gtk_stack_get_child_by_name(self->plot_stack, topic)) {
    gtk_stack_set_visible_child_name(self->plot_stack, topic);
    button = self->plots_help;
  }
  if (button)
    amorph_help_button_popup(button);
}

AmorphHelpButton *amorph_window_get_help_button(AmorphWindow *self, const char *topic)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), NULL);
  if (g_str_equal(topic, "atom-view"))
    return self->view_help;
  if (g_str_equal(topic, "loss-modulus"))
    return self->gpp_help;
  if (g_str_equal(topic, "free-play"))
    return AMORPH_HELP_BUTTON(amorph_free_play_panel_get_help_button(self->free_play_panel));
  return self->plots_help;
}

AmorphFreePlayPanel *amorph_window_get_free_play_panel(AmorphWindow *self)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), NULL);
  return self->free_play_panel;
}

AmorphPresentation *amorph_window_get_presentation(AmorphWindow *self)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), NULL);
  return self->presentation;
}

static void presentation_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  AmorphWindow *self = AMORPH_WINDOW(widget);
  amorph_presentation_set_active(self->presentation, !amorph_presentation_get_active(self->presentation));
}

static void leave_presentation_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  amorph_presentation_set_active(AMORPH_WINDOW(widget)->presentation, FALSE);
}

static void setup_teaching(AmorphWindow *self)
{
  self->presentation = amorph_presentation_new(GTK_WINDOW(self));
  GtkWidget *chrome[] = {self->side_panel, self->side_panel_button, self->open_button, self->speed_box,
                         GTK_WIDGET(self->subtitle_label)};
  for (size_t i = 0; i < G_N_ELEMENTS(chrome); i++)
    amorph_presentation_add_chrome(self->presentation, chrome[i]);
  for (int p = 0; p < AMORPH_N_PLOTS; p++)
    amorph_presentation_add_plot(self->presentation, self->plots[p], self->plot_areas[p]);
  g_signal_connect_swapped(self->presentation, "notify::active", G_CALLBACK(update_actions), self);
  g_object_bind_property(self->plot_stack, "visible-child-name", self->plots_help, "topic", G_BINDING_SYNC_CREATE);
  g_object_bind_property(self->free_play_panel, "temperature", self->temperature_adjustment, "value",
                         G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped(self->free_play_panel, "notify::shear-amplitude", G_CALLBACK(on_free_play_shear_changed),
                           self);
  g_signal_connect_swapped(self->free_play_panel, "notify::shear-period", G_CALLBACK(on_free_play_shear_changed),
                           self);
}

static void on_temperature_changed(AmorphWindow *self)
{
  if (self->worker)
    amorph_worker_set_temperature(self->worker, gtk_adjustment_get_value(self->temperature_adjustment));
}

long long amorph_window_get_run_step(AmorphWindow *self)
{
  return self->run_step;
}

gboolean amorph_window_get_running(AmorphWindow *self)
{
  return self->running;
}

/* ---- loading -------------------------------------------------------------------------- */

gboolean amorph_window_load(AmorphWindow *self, const char *path, GError **error)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), FALSE);
  AmBox box;
  AmAtoms atoms = {0};
  AmError err = {0};
  if (am_data_read(path, &box, &atoms, NULL, &err) != AM_OK) {
    g_set_error(error, G_IO_ERROR, err.code == AM_ERR_IO ? G_IO_ERROR_FAILED : G_IO_ERROR_INVALID_DATA, "%s",
                err.message);
    am_atoms_free(&atoms);
    return FALSE;
  }
  if (atoms.n == 0) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: the file has no atoms", path);
    am_atoms_free(&atoms);
    return FALSE;
  }
  stop_worker(self);
  g_clear_pointer(&self->dms, amorph_dms_run_free);
  self->dms_active = FALSE;
  self->experimenting = FALSE;
  am_atoms_free(&self->atoms);
  self->atoms = atoms;
  self->box = box;
  self->loaded = TRUE;
  g_free(self->path);
  self->path = g_strdup(path);
  /* What ▶ runs is the panel's settings on this sample, so a saved .ini reruns it. */
  g_autofree char *abs_path = g_canonicalize_filename(path, NULL);
  amorph_settings_panel_set_value(self->settings_panel, "system", "data", abs_path);
  g_free(self->pinned);
  self->pinned = g_new0(uint8_t, atoms.n);
  self->n_pinned = 0;
  g_ptr_array_set_size(self->undo, 0);
  g_ptr_array_set_size(self->redo, 0);
  g_hash_table_remove_all(self->id_index);
  for (size_t i = 0; i < self->atoms.n; i++)
    g_hash_table_insert(self->id_index, &self->atoms.id[i], GSIZE_TO_POINTER(i + 1));
  g_clear_pointer(&self->true_cls, g_free);
  g_clear_pointer(&self->uprime_buf, g_free);
  g_clear_pointer(&self->arrow_buf, g_free);
  g_clear_pointer(&self->structure, amorph_structure_values_free);
  g_cancellable_cancel(self->structure_cancel);
  g_clear_object(&self->structure_cancel);
  amorph_view_controls_set_busy(self->view_controls, NULL);

  amorph_atom_view_set_atoms(self->atom_view, &self->box, &self->atoms);
  g_autofree char *base = g_path_get_basename(path);
  gtk_label_set_text(self->subtitle_label, base);
  gtk_widget_set_visible(GTK_WIDGET(self->subtitle_label), TRUE);
  g_autofree char *title = g_strdup_printf("%s — Amorph", base);
  gtk_window_set_title(GTK_WINDOW(self), title);
  gtk_widget_set_visible(self->empty_state, FALSE);
  gtk_widget_set_visible(GTK_WIDGET(self->axes_area), TRUE);
  gtk_widget_queue_draw(GTK_WIDGET(self->axes_area));
  update_idle_status(self);
  pins_changed(self);
  gtk_widget_grab_focus(GTK_WIDGET(self->atom_view));
  if (self->settings && g_path_is_absolute(path))
    g_settings_set_string(self->settings, "last-file", path);
  return TRUE;
}

static void open_file(AmorphWindow *self, GFile *file)
{
  g_autofree char *path = g_file_get_path(file);
  if (!path) {
    show_toast(self, "Only local files can be opened.");
    return;
  }
  GError *error = NULL;
  if (!amorph_window_load(self, path, &error)) {
    show_toast(self, error->message);
    g_error_free(error);
  }
}

static GListModel *data_file_filters(GtkFileFilter **first)
{
  GListStore *filters = g_list_store_new(GTK_TYPE_FILE_FILTER);
  GtkFileFilter *f = gtk_file_filter_new();
  gtk_file_filter_set_name(f, "LAMMPS data files");
  gtk_file_filter_add_pattern(f, "*.data");
  gtk_file_filter_add_pattern(f, "*.lmp");
  gtk_file_filter_add_pattern(f, "*.dat");
  gtk_file_filter_add_pattern(f, "data.*");
  g_list_store_append(filters, f);
  *first = f;
  GtkFileFilter *all = gtk_file_filter_new();
  gtk_file_filter_set_name(all, "All files");
  gtk_file_filter_add_pattern(all, "*");
  g_list_store_append(filters, all);
  g_object_unref(all);
  g_object_unref(f);
  return G_LIST_MODEL(filters);
}

#if GTK_CHECK_VERSION(4, 10, 0)
static void open_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  AmorphWindow *self = user_data;
  g_autoptr(GFile) file = gtk_file_dialog_open_finish(GTK_FILE_DIALOG(source), result, NULL);
  if (file)
    open_file(self, file);
  g_object_unref(self);
}

static void open_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  AmorphWindow *self = AMORPH_WINDOW(widget);
  GtkFileDialog *dialog = gtk_file_dialog_new();
  gtk_file_dialog_set_title(dialog, "Open LAMMPS Data File");
  GtkFileFilter *first;
  g_autoptr(GListModel) filters = data_file_filters(&first);
  gtk_file_dialog_set_filters(dialog, filters);
  gtk_file_dialog_set_default_filter(dialog, first);
  gtk_file_dialog_open(dialog, GTK_WINDOW(self), NULL, open_done, g_object_ref(self));
  g_object_unref(dialog);
}
#else
static void open_response(GtkNativeDialog *dialog, int response, gpointer user_data)
{
  AmorphWindow *self = user_data;
  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GFile) file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
    if (file)
      open_file(self, file);
  }
  gtk_native_dialog_destroy(dialog);
  g_object_unref(dialog);
  g_object_unref(self);
}

static void open_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  AmorphWindow *self = AMORPH_WINDOW(widget);
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new("Open LAMMPS Data File", GTK_WINDOW(self),
                                                             GTK_FILE_CHOOSER_ACTION_OPEN, "_Open", "_Cancel");
  GtkFileFilter *first;
  g_autoptr(GListModel) filters = data_file_filters(&first);
  for (guint i = 0; i < g_list_model_get_n_items(filters); i++) {
    g_autoptr(GtkFileFilter) f = g_list_model_get_item(filters, i);
    gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(dialog), f);
  }
  gtk_file_chooser_set_filter(GTK_FILE_CHOOSER(dialog), first);
  g_signal_connect(dialog, "response", G_CALLBACK(open_response), g_object_ref(self));
  gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}
#endif

/* ---- other actions ----------------------------------------------------------------------- */

static void undo_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  amorph_window_undo(AMORPH_WINDOW(widget));
}

static void redo_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  amorph_window_redo(AMORPH_WINDOW(widget));
}

static void clear_pins_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  amorph_window_clear_pins(AMORPH_WINDOW(widget));
}

static void reset_view_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  amorph_atom_view_reset_camera(AMORPH_WINDOW(widget)->atom_view);
}

static void fullscreen_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  if (gtk_window_is_fullscreen(GTK_WINDOW(widget)))
    gtk_window_unfullscreen(GTK_WINDOW(widget));
  else
    gtk_window_fullscreen(GTK_WINDOW(widget));
}

static void show_structure_values(AmorphWindow *self);

static void on_structure_done(GObject *source, GAsyncResult *result, gpointer data)
{
  (void) source;
  g_autoptr(GError) error = NULL;
  AmorphStructureValues *v = amorph_structure_job_finish(result, &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* the window may be gone, or a new sample loaded */
  AmorphWindow *self = data;
  g_clear_object(&self->structure_cancel);
  amorph_view_controls_set_busy(self->view_controls, NULL);
  if (!v || v->n != self->atoms.n) {
    g_autofree char *msg = g_strdup_printf("The structure could not be computed: %s",
                                           error ? error->message : "the sample changed");
    show_toast(self, msg);
    amorph_structure_values_free(v);
    return;
  }
  self->structure = v;
  show_structure_values(self);
}

/* |Θ| or E_i of the loaded sample: at once when known, else computed on a thread while
 * the Display page shows a spinner with Cancel. */
static void show_structure_values(AmorphWindow *self)
{
  guint sel = gtk_drop_down_get_selected(self->color_dropdown);
  if (!self->loaded || (sel != COLOR_THETA && sel != COLOR_ENERGY))
    return;
  if (self->structure) {
    if (sel == COLOR_THETA)
      show_values(self, self->structure->theta, AM_COLORMAP_VIRIDIS);
    else
      show_values(self, self->structure->energy, AM_COLORMAP_VIRIDIS);
    return;
  }
  if (self->structure_cancel)
    return;
  g_autofree char *potential = find_data_file("potentials", POTENTIAL_FILE);
  if (!potential) {
    show_toast(self, "The potential " POTENTIAL_FILE " was not found in the data folder.");
    return;
  }
  const char *names[AM_MAX_TYPES] = {0};
  for (int t = 0; t < self->atoms.ntypes && t < AM_MAX_TYPES; t++)
    names[t] = amorph_species_for_type(&self->atoms, t);
  self->structure_cancel = g_cancellable_new();
  amorph_view_controls_set_busy(self->view_controls, "Computing Voronoi cells and energies of the loaded sample …");
  amorph_structure_job_start(&self->box, &self->atoms, names, potential, self->structure_cancel, on_structure_done,
                             self);
}

static void on_structure_cancel(AmorphWindow *self)
{
  if (self->structure_cancel) {
    g_cancellable_cancel(self->structure_cancel);
    g_clear_object(&self->structure_cancel);
  }
  amorph_view_controls_set_busy(self->view_controls, NULL);
  gtk_drop_down_set_selected(self->color_dropdown, COLOR_SPECIES);
}

/* ---- pin sets ---------------------------------------------------------------------- */

/* Pins those of the listed atoms not pinned yet, as one undo step; returns how many. */
static guint pin_indices(AmorphWindow *self, const GArray *indices)
{
  GArray *a = g_array_new(FALSE, FALSE, sizeof(guint));
  for (guint k = 0; k < indices->len; k++) {
    guint i = g_array_index(indices, guint, k);
    if (i < self->atoms.n && !self->pinned[i])
      g_array_append_val(a, i);
  }
  guint n = a->len;
  if (!n) {
    g_array_unref(a);
    return 0;
  }
  flip_pins(self, a);
  record(self, a);
  update_actions(self);
  return n;
}

guint amorph_window_pin_atoms(AmorphWindow *self, const GArray *indices)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), 0);
  return pin_indices(self, indices);
}

static void on_atoms_selected(AmorphWindow *self, GArray *indices)
{
  guint n = pin_indices(self, indices);
  g_autofree char *msg = g_strdup_printf(g_dngettext(NULL, "Pinned %u atom (Undo with Ctrl+Z)",
                                                     "Pinned %u atoms (Undo with Ctrl+Z)", n), n);
  show_toast(self, n ? msg : "No unpinned atom inside the rectangle");
}

static void pin_shown_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  AmorphWindow *self = AMORPH_WINDOW(widget);
  GArray *shown = amorph_atom_view_visible_atoms(self->atom_view);
  pin_indices(self, shown);
  g_array_unref(shown);
}

/* The finished sweep's selected RAs of its first pin set, at the selection temperature
 * (the one nearest to it), else at the temperature with the most of them. */
static const AmDmsPoint *selected_ra_point(AmorphWindow *self)
{
  const AmDmsSweepResults *res = self->dms && !self->dms_active ? amorph_dms_run_results(self->dms) : NULL;
  if (!res || res->n_sets == 0)
    return NULL;
  const AmDmsPinSetResults *set = &res->sets[0];
  const AmDmsPoint *best = NULL;
  for (gsize k = 0; k < set->n_points; k++) {
    const AmDmsPoint *pt = &set->points[k];
    if (!best)
      best = pt;
    else if (isfinite(res->selection_temperature))
      best = fabs(pt->temperature - res->selection_temperature) < fabs(best->temperature - res->selection_temperature)
                 ? pt
                 : best;
    else if (pt->n_selected > best->n_selected)
      best = pt;
  }
  return best && best->n_selected ? best : NULL;
}

static void pin_selected_ras_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  AmorphWindow *self = AMORPH_WINDOW(widget);
  const AmDmsPoint *pt = selected_ra_point(self);
  if (!pt) {
    show_toast(self, "No selected RAs yet: they come from a finished sweep.");
    return;
  }
  GArray *a = g_array_new(FALSE, FALSE, sizeof(guint));
  for (gsize k = 0; k < pt->n_selected; k++) {
    gsize at = GPOINTER_TO_SIZE(g_hash_table_lookup(self->id_index, &pt->selected_ids[k]));
    if (at) {
      guint i = (guint) (at - 1);
      g_array_append_val(a, i);
    }
  }
  guint n = pin_indices(self, a);
  g_array_unref(a);
  g_autofree char *msg = g_strdup_printf("Pinned %u selected RAs of %.0f K", n, pt->temperature);
  show_toast(self, msg);
}

gboolean amorph_window_pin_random_vas(AmorphWindow *self, gsize count, guint64 seed, GError **error)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), FALSE);
  if (!self->true_cls) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                "no atom classes yet: run a sweep or free play until atoms are classified");
    return FALSE;
  }
  GArray *a = amorph_pin_set_random_vas(self->true_cls, self->pinned, self->atoms.n, count, seed, error);
  if (!a)
    return FALSE;
  pin_indices(self, a);
  g_array_unref(a);
  return TRUE;
}

static void pin_random_vas_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  AmorphWindow *self = AMORPH_WINDOW(widget);
  const AmDmsPoint *pt = selected_ra_point(self);
  gsize count = pt ? pt->n_selected : self->n_pinned;
  if (!count) {
    show_toast(self, "As many as what? Pin atoms or finish a sweep with selected RAs first.");
    return;
  }
  const char *seed_text = amorph_settings_panel_get_value(self->settings_panel, "dms", "seed");
  guint64 seed = seed_text ? g_ascii_strtoull(seed_text, NULL, 10) : 12345;
  g_autoptr(GError) error = NULL;
  if (!amorph_window_pin_random_vas(self, count, seed, &error))
    show_toast(self, error->message);
}

gboolean amorph_window_save_pins(AmorphWindow *self, const char *path, GError **error)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), FALSE);
  g_autofree gint64 *ids = g_new(gint64, self->n_pinned + 1);
  gsize m = 0;
  for (size_t i = 0; i < self->atoms.n; i++)
    if (self->pinned[i])
      ids[m++] = self->atoms.id[i];
  g_autofree char *base = self->path ? g_path_get_basename(self->path) : g_strdup("the sample");
  g_autofree char *comment = g_strdup_printf("atom ids pinned in the Amorph explorer on %s", base);
  return amorph_pin_set_save(path, ids, m, comment, error);
}

gboolean amorph_window_load_pins(AmorphWindow *self, const char *path, GError **error)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), FALSE);
  g_autoptr(GArray) ids = amorph_pin_set_load(path, error);
  if (!ids)
    return FALSE;
  g_autofree guint8 *want = g_new0(guint8, self->atoms.n + 1);
  for (guint k = 0; k < ids->len; k++) {
    gint64 id = g_array_index(ids, gint64, k);
    gsize at = GPOINTER_TO_SIZE(g_hash_table_lookup(self->id_index, &id));
    if (!at) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: atom id %" G_GINT64_FORMAT " is not in the sample",
                  path, id);
      return FALSE;
    }
    want[at - 1] = 1;
  }
  /* The loaded set replaces the pins, as one step to undo. */
  GArray *a = g_array_new(FALSE, FALSE, sizeof(guint));
  for (guint i = 0; i < self->atoms.n; i++)
    if (!!self->pinned[i] != want[i])
      g_array_append_val(a, i);
  if (a->len) {
    flip_pins(self, a);
    record(self, a);
    update_actions(self);
  } else
    g_array_unref(a);
  return TRUE;
}

static void on_pins_chosen(GFile *file, gpointer data)
{
  AmorphWindow *self = data;
  if (!file)
    return;
  g_autofree char *path = g_file_get_path(file);
  gboolean saving = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(self), "pins-saving"));
  g_autoptr(GError) error = NULL;
  if (!path)
    show_toast(self, "Pin sets are read and written as local files.");
  else if (!(saving ? amorph_window_save_pins(self, path, &error) : amorph_window_load_pins(self, path, &error)))
    show_toast(self, error->message);
}

static void pins_file_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) param;
  AmorphWindow *self = AMORPH_WINDOW(widget);
  gboolean saving = g_str_equal(name, "win.save-pins");
  g_object_set_data(G_OBJECT(self), "pins-saving", GINT_TO_POINTER(saving));
  amorph_choose_file(GTK_WINDOW(self), saving ? AMORPH_CHOOSE_SAVE : AMORPH_CHOOSE_OPEN,
                     saving ? "Save Pinned Atoms" : "Load Pinned Atoms", saving ? "pinned-ids.txt" : NULL,
                     "Atom id files", "*.txt", on_pins_chosen, self);
}

AmorphViewControls *amorph_window_get_view_controls(AmorphWindow *self)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), NULL);
  return self->view_controls;
}

void amorph_window_set_color_by(AmorphWindow *self, guint index)
{
  g_return_if_fail(AMORPH_IS_WINDOW(self));
  gtk_drop_down_set_selected(self->color_dropdown, index);
}

static void on_color_mode_changed(AmorphWindow *self)
{
  guint sel = gtk_drop_down_get_selected(self->color_dropdown);
  /* The schema knows species and class; the energy colouring lasts one session. */
  if (self->settings && sel <= 1 && g_settings_get_enum(self->settings, "color-mode") != (int) sel)
    g_settings_set_enum(self->settings, "color-mode", (int) sel);
  amorph_atom_view_clear_values(self->atom_view);
  amorph_atom_view_set_color_mode(self->atom_view, sel >= COLOR_ENERGY ? AMORPH_COLOR_BY_VALUE
                                                   : sel == COLOR_CLASS ? AMORPH_COLOR_BY_CLASS
                                                                        : AMORPH_COLOR_BY_SPECIES);
  if (sel == COLOR_UPRIME && self->uprime_buf)
    show_values(self, self->uprime_buf, AM_COLORMAP_CIVIDIS);
  else if (sel == COLOR_UPRIME)
    show_toast(self, self->dms_active ? "u′ max shows once the watched replica's analysed window begins."
                                      : "u′ max comes from a sweep's watched replica: run one with ▶.");
  else if ((sel == COLOR_ENERGY && !self->worker) || sel == COLOR_THETA)
    show_structure_values(self);
  update_legend(self);
}

/* ---- plots ----------------------------------------------------------------------------- */

typedef struct {
  const char *name, *title, *xlabel, *ylabel, *empty;
} PlotInfo;

static const PlotInfo plot_info[AMORPH_N_PLOTS] = {
    {"loss-modulus", "Loss modulus", "<i>T</i> (K)", "<i>G</i>″ (GPa), shear", "Run an MD-DMS sweep to measure G″(T)"},
    {"stress-fit", "Stress · fit", "<i>t</i> (ps)", "σ<sub><i>xy</i></sub> (GPa)", "No oscillation recorded yet"},
    {"nonaffine", "p(u′)", "<i>u</i>′ (Å)", "<i>p</i>(<i>u</i>′) (1/Å)", "No displacements analysed yet"},
    {"classes", "Classes", "<i>T</i> (K)", "fraction", "No atoms classified yet"},
    {"n-ra", "N_RA", "<i>N</i><sub>RA</sub>", "<i>G</i>″ (GPa)", "No reversible atoms counted yet"},
    {"heatmaps", "Heatmaps", "<i>x</i> (Å)", "<i>y</i> (Å)", "No trajectories recorded yet"},
};

static void setup_plots(AmorphWindow *self)
{
  for (int p = 0; p < AMORPH_N_PLOTS; p++) {
    const PlotInfo *info = &plot_info[p];
    AmPlot *plot = am_plot_new();
    AmPlotPanel *panel = am_plot_add_panel(plot);
    if (p == AMORPH_PLOT_LOSS_MODULUS)
      am_plot_panel_set_title(panel, "<i>G</i>″(<i>T</i>)");
    am_plot_panel_set_axis_label(panel, AM_PLOT_AXIS_X, info->xlabel);
    am_plot_panel_set_axis_label(panel, AM_PLOT_AXIS_Y, info->ylabel);
    am_plot_panel_add_text(panel, AM_PLOT_COORDS_AXES, 0.5, 0.5, info->empty, AM_PLOT_ANCHOR_CENTER);
    self->plots[p] = plot;
    /* A folded sweep's figure replaces the live plot (show_figures). */
    GtkWidget *area = p == AMORPH_PLOT_LOSS_MODULUS ? GTK_WIDGET(self->gpp_area) : amorph_plot_view_new();
    amorph_plot_view_set_plot(AMORPH_PLOT_VIEW(area), plot, info->name);
    self->plot_areas[p] = area;
    if (p != AMORPH_PLOT_LOSS_MODULUS)
      gtk_stack_add_titled(self->plot_stack, area, info->name, info->title);
  }
}

AmorphPlotView *amorph_window_get_plot_view(AmorphWindow *self, AmorphPlotId id)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), NULL);
  g_return_val_if_fail(id < AMORPH_N_PLOTS, NULL);
  return AMORPH_PLOT_VIEW(self->plot_areas[id]);
}

AmPlot *amorph_window_get_plot(AmorphWindow *self, AmorphPlotId id)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), NULL);
  g_return_val_if_fail(id < AMORPH_N_PLOTS, NULL);
  return self->plots[id];
}

void amorph_window_plots_changed(AmorphWindow *self)
{
  g_return_if_fail(AMORPH_IS_WINDOW(self));
  for (int p = 0; p < AMORPH_N_PLOTS; p++)
    amorph_plot_view_changed(AMORPH_PLOT_VIEW(self->plot_areas[p]));
}

/* ---- GObject ------------------------------------------------------------------------------ */

AmorphAtomView *amorph_window_get_atom_view(AmorphWindow *self)
{
  return self->atom_view;
}

size_t amorph_window_get_n_atoms(AmorphWindow *self)
{
  return self->loaded ? self->atoms.n : 0;
}

GtkWidget *amorph_window_new(GtkApplication *app)
{
  return g_object_new(AMORPH_TYPE_WINDOW, "application", app, NULL);
}

static void amorph_window_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AmorphWindow *self = AMORPH_WINDOW(object);
  switch (prop_id) {
  case PROP_SHOW_SIDE_PANEL:
    g_value_set_boolean(value, self->show_side_panel);
    break;
  case PROP_ORTHOGRAPHIC:
    /* Asked while the template is still being built, before atom_view is bound. */
    g_value_set_boolean(value, self->atom_view && amorph_atom_view_get_orthographic(self->atom_view));
    break;
  case PROP_SHOWN_PIN_SET:
    g_value_set_uint(value, self->shown_set);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void amorph_window_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  AmorphWindow *self = AMORPH_WINDOW(object);
  switch (prop_id) {
  case PROP_SHOW_SIDE_PANEL: {
    gboolean show = g_value_get_boolean(value);
    if (show == self->show_side_panel)
      break;
    self->show_side_panel = show;
    gtk_widget_set_visible(self->side_panel, show);
    g_object_notify_by_pspec(object, pspec);
    break;
  }
  case PROP_ORTHOGRAPHIC:
    if (self->atom_view)
      amorph_atom_view_set_orthographic(self->atom_view, g_value_get_boolean(value));
    break;
  case PROP_SHOWN_PIN_SET: {
    guint set = g_value_get_uint(value);
    if (set == self->shown_set || set >= MAX(self->n_sets, 1))
      break;
    self->shown_set = set;
    on_set_changed(self);
    g_object_notify_by_pspec(object, pspec);
    break;
  }
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void on_view_orthographic(AmorphWindow *self)
{
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_ORTHOGRAPHIC]);
}

/* The unmaximized size and the maximized state, for the next session. */
static gboolean on_close_request(GtkWindow *window, gpointer data)
{
  (void) data;
  AmorphWindow *self = AMORPH_WINDOW(window);
  if (self->settings) {
    int w, h;
    gtk_window_get_default_size(window, &w, &h);
    gboolean maximized = gtk_window_is_maximized(window);
    if (!maximized && w > 0 && h > 0) {
      g_settings_set_int(self->settings, "window-width", w);
      g_settings_set_int(self->settings, "window-height", h);
    }
    g_settings_set_boolean(self->settings, "window-maximized", maximized);
  }
  return FALSE;
}

/* Binds what the window remembers between sessions, when its schema can be found (an
 * uninstalled run without GSETTINGS_SCHEMA_DIR has none, and works without). */
static void setup_settings(AmorphWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default();
  g_autoptr(GSettingsSchema) schema =
      source ? g_settings_schema_source_lookup(source, "org.amorph.Amorph", TRUE) : NULL;
  if (!schema)
    return;
  self->settings = g_settings_new_full(schema, NULL, NULL);
  GSettings *s = self->settings;
  gtk_window_set_default_size(GTK_WINDOW(self), g_settings_get_int(s, "window-width"),
                              g_settings_get_int(s, "window-height"));
  if (g_settings_get_boolean(s, "window-maximized"))
    gtk_window_maximize(GTK_WINDOW(self));
  g_signal_connect(self, "close-request", G_CALLBACK(on_close_request), NULL);
  g_settings_bind(s, "show-side-panel", self, "show-side-panel", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind(s, "orthographic", self->atom_view, "orthographic", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind(s, "atom-scale", self->atom_scale_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind(s, "show-box", self->box_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind(s, "live-temperature", self->temperature_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  gtk_adjustment_set_value(self->speed_adjustment, g_settings_get_int(s, "speed"));
  gtk_drop_down_set_selected(self->color_dropdown, (guint) g_settings_get_enum(s, "color-mode"));
}

char *amorph_window_get_last_file(AmorphWindow *self)
{
  g_return_val_if_fail(AMORPH_IS_WINDOW(self), NULL);
  if (!self->settings)
    return NULL;
  char *path = g_settings_get_string(self->settings, "last-file");
  if (!*path || !g_file_test(path, G_FILE_TEST_IS_REGULAR))
    g_clear_pointer(&path, g_free);
  return path;
}

static void amorph_window_dispose(GObject *object)
{
  AmorphWindow *self = AMORPH_WINDOW(object);
  stop_worker(self);
  g_clear_pointer(&self->dms, amorph_dms_run_free);
  self->dms_active = FALSE;
  g_clear_pointer(&self->last_live, amorph_dms_snapshot_unref);
  g_clear_object(&self->presentation);
  g_cancellable_cancel(self->structure_cancel);
  g_clear_object(&self->structure_cancel);
  if (self->toast_timeout) {
    g_source_remove(self->toast_timeout);
    self->toast_timeout = 0;
  }
  gtk_widget_dispose_template(GTK_WIDGET(self), AMORPH_TYPE_WINDOW);
  /* The plot views went with the template; the figures they showed are freed later. */
  for (int p = 0; p < AMORPH_N_PLOTS; p++)
    self->plot_areas[p] = NULL;
  G_OBJECT_CLASS(amorph_window_parent_class)->dispose(object);
}

static void amorph_window_finalize(GObject *object)
{
  AmorphWindow *self = AMORPH_WINDOW(object);
  am_atoms_free(&self->atoms);
  g_free(self->path);
  g_free(self->pinned);
  g_hash_table_unref(self->id_index);
  g_free(self->true_cls);
  g_free(self->uprime_buf);
  g_free(self->arrow_buf);
  amorph_structure_values_free(self->structure);
  g_clear_object(&self->settings);
  g_ptr_array_unref(self->undo);
  g_ptr_array_unref(self->redo);
  for (int p = 0; p < AMORPH_N_PLOTS; p++)
    am_plot_free(self->plots[p]);
  clear_figures(self);
  g_free(self->class_buf);
  g_free(self->preset);
  g_free(self->results_dir);
  G_OBJECT_CLASS(amorph_window_parent_class)->finalize(object);
}

static void amorph_window_class_init(AmorphWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

  object_class->get_property = amorph_window_get_property;
  object_class->set_property = amorph_window_set_property;
  object_class->dispose = amorph_window_dispose;
  object_class->finalize = amorph_window_finalize;

  props[PROP_SHOW_SIDE_PANEL] = g_param_spec_boolean("show-side-panel", NULL, NULL, TRUE,
                                                     G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  props[PROP_ORTHOGRAPHIC] = g_param_spec_boolean("orthographic", NULL, NULL, FALSE,
                                                  G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  props[PROP_SHOWN_PIN_SET] = g_param_spec_uint("shown-pin-set", NULL, NULL, 0, AMORPH_DMS_MAX_SETS - 1, 0,
                                                G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                                    G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties(object_class, N_PROPS, props);

  (void) amorph_get_resource();
  g_type_ensure(AMORPH_TYPE_ATOM_VIEW);
  g_type_ensure(AMORPH_TYPE_SETTINGS_PANEL);
  g_type_ensure(AMORPH_TYPE_FREE_PLAY_PANEL);
  g_type_ensure(AMORPH_TYPE_HELP_BUTTON);
  g_type_ensure(AMORPH_TYPE_PLOT_VIEW);
  g_type_ensure(AMORPH_TYPE_VIEW_CONTROLS);
  gtk_widget_class_set_template_from_resource(widget_class, "/org/amorph/Amorph/window.ui");
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, atom_view);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, title_label);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, subtitle_label);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, status_label);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, empty_state);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, legend_box);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, axes_area);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, side_panel);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, toast_revealer);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, toast_label);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, pins_label);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, pins_list);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, gpp_area);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, plot_stack);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, set_button);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, speed_adjustment);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, temperature_adjustment);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, atom_scale_adjustment);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, color_dropdown);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, view_controls);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, box_switch);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, settings_panel);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, free_play_panel);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, view_help);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, gpp_help);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, plots_help);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, open_button);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, speed_box);
  gtk_widget_class_bind_template_child(widget_class, AmorphWindow, side_panel_button);
  gtk_widget_class_bind_template_callback(widget_class, on_atom_clicked);
  gtk_widget_class_bind_template_callback(widget_class, on_toast_dismiss);

  gtk_widget_class_install_action(widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action(widget_class, "win.run", NULL, run_action);
  gtk_widget_class_install_action(widget_class, "win.compare", NULL, compare_action);
  gtk_widget_class_install_action(widget_class, "win.export-results", NULL, export_results_action);
  gtk_widget_class_install_action(widget_class, "win.free-play", NULL, free_play_action);
  gtk_widget_class_install_action(widget_class, "win.preset", "s", preset_action);
  gtk_widget_class_install_action(widget_class, "win.pause", NULL, pause_action);
  gtk_widget_class_install_action(widget_class, "win.run-pause", NULL, run_pause_action);
  gtk_widget_class_install_action(widget_class, "win.step", NULL, step_action);
  gtk_widget_class_install_action(widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action(widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action(widget_class, "win.redo", NULL, redo_action);
  gtk_widget_class_install_action(widget_class, "win.clear-pins", NULL, clear_pins_action);
  gtk_widget_class_install_action(widget_class, "win.pin-shown", NULL, pin_shown_action);
  gtk_widget_class_install_action(widget_class, "win.pin-selected-ras", NULL, pin_selected_ras_action);
  gtk_widget_class_install_action(widget_class, "win.pin-random-vas", NULL, pin_random_vas_action);
  gtk_widget_class_install_action(widget_class, "win.save-pins", NULL, pins_file_action);
  gtk_widget_class_install_action(widget_class, "win.load-pins", NULL, pins_file_action);
  gtk_widget_class_install_action(widget_class, "win.reset-view", NULL, reset_view_action);
  gtk_widget_class_install_action(widget_class, "win.fullscreen", NULL, fullscreen_action);
  gtk_widget_class_install_action(widget_class, "win.presentation", NULL, presentation_action);
  gtk_widget_class_install_action(widget_class, "win.leave-presentation", NULL, leave_presentation_action);
  gtk_widget_class_install_action(widget_class, "win.explain", "s", explain_action);
  gtk_widget_class_install_property_action(widget_class, "win.show-side-panel", "show-side-panel");
  gtk_widget_class_install_property_action(widget_class, "win.orthographic", "orthographic");
  gtk_widget_class_install_property_action(widget_class, "win.shown-pin-set", "shown-pin-set");

  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "win.undo", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.redo", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Z, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.redo", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.run", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_space, 0, "win.run-pause", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_n, 0, "win.step", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_F9, 0, "win.show-side-panel", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_F11, 0, "win.presentation", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Escape, 0, "win.leave-presentation", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void amorph_window_init(AmorphWindow *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));
  self->undo = g_ptr_array_new_with_free_func((GDestroyNotify) g_array_unref);
  self->id_index = g_hash_table_new(g_int64_hash, g_int64_equal);
  self->redo = g_ptr_array_new_with_free_func((GDestroyNotify) g_array_unref);
  self->run_step = -1;
  self->show_side_panel = TRUE;
  setup_plots(self);
  setup_teaching(self);
  setup_preset_menu(self);
  g_autofree char *demo = am_config_find_data_file("presets/demo.ini", NULL);
  if (demo)
    amorph_settings_panel_load(self->settings_panel, demo, NULL);

  g_object_bind_property(self->atom_scale_adjustment, "value", self->atom_view, "atom-scale",
                         G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property(self->box_switch, "active", self->atom_view, "show-box",
                         G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped(self->atom_view, "notify::orthographic", G_CALLBACK(on_view_orthographic), self);
  g_signal_connect_swapped(self->atom_view, "camera-changed", G_CALLBACK(on_camera_changed), self);
  g_signal_connect_swapped(self->atom_view, "atoms-selected", G_CALLBACK(on_atoms_selected), self);
  amorph_view_controls_set_view(self->view_controls, self->atom_view);
  g_signal_connect_swapped(self->view_controls, "cancel", G_CALLBACK(on_structure_cancel), self);
  gtk_drawing_area_set_draw_func(self->axes_area, draw_axes, self, NULL);
  g_signal_connect_swapped(self->color_dropdown, "notify::selected", G_CALLBACK(on_color_mode_changed), self);
  g_signal_connect_swapped(self->speed_adjustment, "value-changed", G_CALLBACK(on_speed_changed), self);
  g_signal_connect_swapped(self->temperature_adjustment, "value-changed", G_CALLBACK(on_temperature_changed), self);
  setup_settings(self);

  update_pins_panel(self);
  update_actions(self);
}
