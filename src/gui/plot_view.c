/* plot_view.c: a plot with hover readout and export menu (see plot_view.h). */
#include "gui/plot_view.h"

#include <math.h>
#include <string.h>

#include "amorph-resources.h"
#include "gui/file_chooser.h"

/* Pointer reach for the nearest point, in pixels. */
#define HOVER_RADIUS 14.0
/* The readout's offset from the pointer (clear of a 16-pixel cursor), and the room kept
 * round the ring of the point it describes. */
#define HOVER_GAP_X 16.0
#define HOVER_GAP_Y 20.0
#define RING_CLEARANCE 10.0

struct _AmorphPlotView {
  GtkWidget parent_instance;

  GtkLabel *hover_label;
  GtkMenuButton *export_button;

  AmPlot *plot;      /* live, not owned */
  AmFigure *figure;  /* folded, not owned */
  char *name;
  char *hover_text;
  gboolean have_pick;
  AmPlotPick pick;
  gboolean pointer_inside;
  double pointer_x, pointer_y;
  double hover_x, hover_y; /* where the readout was asked for (widget pixels) */
  graphene_rect_t hover_rect; /* where it was last placed */
};

G_DEFINE_FINAL_TYPE(AmorphPlotView, amorph_plot_view, GTK_TYPE_WIDGET)

static void draw(AmorphPlotView *self, cairo_t *cr, int width, int height)
{
  /* The export button floats over the plot's top-left corner: the layout keeps the panel
   * letter and the title clear of it on screen (not in exported files, which have none). */
  AmPlot *shown = amorph_plot_view_get_shown_plot(self);
  if (shown)
    am_plot_set_reserved_corner(shown, gtk_widget_get_width(GTK_WIDGET(self->export_button)),
                                gtk_widget_get_height(GTK_WIDGET(self->export_button)));
  if (self->figure)
    am_figure_draw(self->figure, cr, width, height);
  else if (self->plot)
    am_plot_draw(self->plot, cr, width, height);
  if (shown)
    am_plot_set_reserved_corner(shown, 0, 0);
  /* A ring round what the readout describes. */
  double px, py;
  if (self->have_pick && am_plot_data_to_device(self->pick.panel, am_plot_series_get_y_axis(self->pick.series),
                                                   self->pick.x, self->pick.y, &px, &py)) {
    cairo_new_path(cr);
    cairo_set_line_width(cr, 2);
    cairo_arc(cr, px, py, 7, 0, 2 * G_PI);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
    cairo_stroke_preserve(cr);
    cairo_set_line_width(cr, 1.2);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_stroke(cr);
  }
}

static void hide_hover(AmorphPlotView *self)
{
  g_clear_pointer(&self->hover_text, g_free);
  if (self->have_pick) {
    self->have_pick = FALSE;
    gtk_widget_queue_draw(GTK_WIDGET(self));
  }
  gtk_widget_set_visible(GTK_WIDGET(self->hover_label), FALSE);
}

static void append_number(GString *s, double v)
{
  if (isfinite(v))
    g_string_append_printf(s, "%.4g", v);
  else
    g_string_append(s, "—");
}

/* "G″ (GPa), shear: 0.41 ± 0.05" with the axis label, or the bare value without one. */
static void append_line(GString *s, const char *label, const char *fallback, double v, double lo, double hi)
{
  if (s->len)
    g_string_append_c(s, '\n');
  g_string_append_printf(s, "%s = ", *label ? label : fallback);
  append_number(s, v);
  if (isfinite(lo) && isfinite(hi)) {
    if (fabs(lo - hi) <= 1e-12 * fabs(lo + hi)) {
      g_string_append(s, " ± ");
      append_number(s, lo);
    } else {
      g_string_append(s, " −");
      append_number(s, lo);
      g_string_append(s, " +");
      append_number(s, hi);
    }
  }
}

const char *amorph_plot_view_hover(AmorphPlotView *self, double x, double y)
{
  g_return_val_if_fail(AMORPH_IS_PLOT_VIEW(self), NULL);
  AmPlot *plot = amorph_plot_view_get_shown_plot(self);
  AmPlotPick pick;
  if (!plot || !am_plot_pick(plot, x, y, HOVER_RADIUS, &pick)) {
    hide_hover(self);
    return NULL;
  }
  g_autofree char *series = am_plot_series_dup_plain_label(pick.series);
  g_autofree char *xl = am_plot_panel_dup_plain_axis_label(pick.panel, AM_PLOT_AXIS_X);
  g_autofree char *yl = am_plot_panel_dup_plain_axis_label(pick.panel, am_plot_series_get_y_axis(pick.series));
  g_autofree char *vl = am_plot_panel_dup_plain_axis_label(pick.panel, AM_PLOT_AXIS_Y2 + 1);
  GString *s = g_string_new(series);
  append_line(s, xl, "x", pick.x, NAN, NAN);
  append_line(s, yl, "y", pick.y, pick.y_err_lo, pick.y_err_hi);
  if (isfinite(pick.value))
    append_line(s, vl, "value", pick.value, NAN, NAN);
  g_free(self->hover_text);
  self->hover_text = g_string_free(s, FALSE);
  self->have_pick = TRUE;
  self->pick = pick;
  gtk_label_set_text(self->hover_label, self->hover_text);
  self->hover_x = x;
  self->hover_y = y;
  gtk_widget_queue_allocate(GTK_WIDGET(self));
  gtk_widget_set_visible(GTK_WIDGET(self->hover_label), TRUE);
  gtk_widget_queue_draw(GTK_WIDGET(self));
  return self->hover_text;
}

const char *amorph_plot_view_get_hover_text(AmorphPlotView *self)
{
  g_return_val_if_fail(AMORPH_IS_PLOT_VIEW(self), NULL);
  return self->hover_text;
}

gboolean amorph_plot_view_get_hover_area(AmorphPlotView *self, graphene_rect_t *area)
{
  g_return_val_if_fail(AMORPH_IS_PLOT_VIEW(self), FALSE);
  if (!self->hover_text || !gtk_widget_get_visible(GTK_WIDGET(self->hover_label)))
    return FALSE;
  *area = self->hover_rect;
  return TRUE;
}

static gboolean rect_fits(const graphene_rect_t *r, double width, double height)
{
  return r->origin.x >= 0 && r->origin.y >= 0 && r->origin.x + r->size.width <= width &&
         r->origin.y + r->size.height <= height;
}

/* Where a w × h readout goes for the pointer at (px, py): below and right of it like a
 * tooltip, else on whichever side has room, never over the ring of the described point
 * (ring, may be NULL), and always inside the widget (pushed in when nothing fits). */
static graphene_rect_t place_hover(double px, double py, float w, float h, const graphene_rect_t *ring,
                                   double width, double height)
{
  const double xs[2] = {px + HOVER_GAP_X, px - HOVER_GAP_X - w};
  const double ys[2] = {py + HOVER_GAP_Y, py - HOVER_GAP_Y * 0.5 - h};
  graphene_rect_t r, first_inside = {{NAN, NAN}, {0, 0}};
  for (int k = 0; k < 4; k++) {
    graphene_rect_init(&r, (float) xs[k & 1], (float) ys[k >> 1], w, h);
    if (!rect_fits(&r, width, height))
      continue;
    if (!ring || !graphene_rect_intersection(&r, ring, NULL))
      return r;
    if (isnan(first_inside.origin.x))
      first_inside = r;
  }
  if (!isnan(first_inside.origin.x))
    return first_inside;
  graphene_rect_init(&r, (float) xs[0], (float) ys[0], w, h);
  r.origin.x = (float) CLAMP(r.origin.x, 0.0, MAX(width - w, 0.0));
  r.origin.y = (float) CLAMP(r.origin.y, 0.0, MAX(height - h, 0.0));
  return r;
}

static void on_motion(GtkEventControllerMotion *motion, double x, double y, AmorphPlotView *self)
{
  (void) motion;
  self->pointer_inside = TRUE;
  self->pointer_x = x;
  self->pointer_y = y;
  amorph_plot_view_hover(self, x, y);
}

static void on_leave(GtkEventControllerMotion *motion, AmorphPlotView *self)
{
  (void) motion;
  self->pointer_inside = FALSE;
  hide_hover(self);
}

static void relayout(AmorphPlotView *self);

/* ---- API -------------------------------------------------------------------------------------- */

GtkWidget *amorph_plot_view_new(void)
{
  return g_object_new(AMORPH_TYPE_PLOT_VIEW, NULL);
}

void amorph_plot_view_set_plot(AmorphPlotView *self, AmPlot *plot, const char *name)
{
  g_return_if_fail(AMORPH_IS_PLOT_VIEW(self));
  self->plot = plot;
  g_free(self->name);
  self->name = g_strdup(name);
  hide_hover(self);
  amorph_plot_view_changed(self);
}

void amorph_plot_view_set_figure(AmorphPlotView *self, AmFigure *figure)
{
  g_return_if_fail(AMORPH_IS_PLOT_VIEW(self));
  if (self->figure == figure)
    return;
  self->figure = figure;
  hide_hover(self);
  amorph_plot_view_changed(self);
}

AmPlot *amorph_plot_view_get_shown_plot(AmorphPlotView *self)
{
  g_return_val_if_fail(AMORPH_IS_PLOT_VIEW(self), NULL);
  return self->figure ? am_figure_plot(self->figure) : self->plot;
}

void amorph_plot_view_changed(AmorphPlotView *self)
{
  g_return_if_fail(AMORPH_IS_PLOT_VIEW(self));
  /* The readout described the old data: read again under a pointer that stayed, with the
   * new data's layout. */
  if (self->have_pick && self->pointer_inside) {
    relayout(self);
    amorph_plot_view_hover(self, self->pointer_x, self->pointer_y);
  } else {
    hide_hover(self);
  }
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

static gboolean write_export(AmorphPlotView *self, const char *format, const char *path, GError **error)
{
  AmPlot *plot = amorph_plot_view_get_shown_plot(self);
  if (!plot) {
    g_set_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_INVALID, "Cannot export “%s”: %s", self->name ? self->name : "plot",
                self->figure ? am_figure_skip_reason(self->figure) : "nothing is shown");
    return FALSE;
  }
  if (g_strcmp0(format, "csv") == 0)
    return am_plot_write_csv(plot, path, NULL, error);
  gboolean png = g_strcmp0(format, "png") == 0;
  if (!png && g_strcmp0(format, "svg") != 0) {
    g_set_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_INVALID, "Cannot export as “%s”: expected png, svg or csv",
                format ? format : "");
    return FALSE;
  }
  /* A folded figure at its paper size with its footer (as batch writes it); a live plot
   * at the size it has on screen. */
  if (self->figure) {
    double w, h;
    am_figure_default_size(am_figure_id(self->figure), &w, &h);
    return png ? am_figure_write_png(self->figure, path, w, h, 2, error)
               : am_figure_write_svg(self->figure, path, w, h, error);
  }
  double w = MAX(gtk_widget_get_width(GTK_WIDGET(self)), 480);
  double h = MAX(gtk_widget_get_height(GTK_WIDGET(self)), 300);
  return png ? am_plot_write_png(plot, path, w, h, 2, error) : am_plot_write_svg(plot, path, w, h, error);
}

/* Writing a figure lays the plot out at the file's size; the hover maps the pointer with
 * the last layout, so the widget's is restored at once (drawn to a surface nobody sees). */
static void relayout(AmorphPlotView *self)
{
  int w = gtk_widget_get_width(GTK_WIDGET(self)), h = gtk_widget_get_height(GTK_WIDGET(self));
  if (w <= 0 || h <= 0)
    return;
  cairo_surface_t *surface = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
  cairo_t *cr = cairo_create(surface);
  draw(self, cr, w, h);
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
}

gboolean amorph_plot_view_export(AmorphPlotView *self, const char *format, const char *path, GError **error)
{
  g_return_val_if_fail(AMORPH_IS_PLOT_VIEW(self), FALSE);
  gboolean ok = write_export(self, format, path, error);
  relayout(self);
  return ok;
}

/* ---- the export menu ---------------------------------------------------------------------------- */

typedef struct {
  AmorphPlotView *view;
  char *format;
} ExportRequest;

static void export_chosen(GFile *file, gpointer data)
{
  ExportRequest *req = data;
  if (file) {
    g_autofree char *path = g_file_get_path(file);
    g_autoptr(GError) error = NULL;
    if (!path || !amorph_plot_view_export(req->view, req->format, path, &error)) {
      GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(req->view));
      GtkWidget *dialog = gtk_message_dialog_new(GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL,
                                                 GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                                 GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE, "The plot could not be exported");
      gtk_message_dialog_format_secondary_text(GTK_MESSAGE_DIALOG(dialog), "%s",
                                               error ? error->message : "not a local file");
      g_signal_connect(dialog, "response", G_CALLBACK(gtk_window_destroy), NULL);
      gtk_window_present(GTK_WINDOW(dialog));
    }
  }
  g_object_unref(req->view);
  g_free(req->format);
  g_free(req);
}

static void export_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  AmorphPlotView *self = AMORPH_PLOT_VIEW(widget);
  ExportRequest *req = g_new(ExportRequest, 1);
  req->view = g_object_ref(self);
  req->format = g_variant_dup_string(param, NULL);
  g_autofree char *suggested = g_strdup_printf("%s.%s", self->name ? self->name : "plot", req->format);
  g_autofree char *pattern = g_strdup_printf("*.%s", req->format);
  g_autofree char *upper = g_ascii_strup(req->format, -1);
  g_autofree char *title = g_strdup_printf("Export Plot as %s", upper);
  GtkRoot *root = gtk_widget_get_root(widget);
  amorph_choose_file(GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL, AMORPH_CHOOSE_SAVE, title, suggested, upper,
                     pattern, export_chosen, req);
}

/* ---- layout ------------------------------------------------------------------------------------- */

/* The plot fills the widget; the readout floats and never asks for room, so showing it
 * never resizes the window. */
static void amorph_plot_view_measure(GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                                     int *natural, int *minimum_baseline, int *natural_baseline)
{
  AmorphPlotView *self = AMORPH_PLOT_VIEW(widget);
  gtk_widget_measure(GTK_WIDGET(self->export_button), orientation, for_size, minimum, natural, NULL, NULL);
  *minimum_baseline = *natural_baseline = -1;
}

static void allocate_at(GtkWidget *child, const graphene_rect_t *r)
{
  GskTransform *t = gsk_transform_translate(NULL, &r->origin);
  gtk_widget_allocate(child, (int) r->size.width, (int) r->size.height, -1, t);
}

static void amorph_plot_view_size_allocate(GtkWidget *widget, int width, int height, int baseline)
{
  (void) baseline;
  AmorphPlotView *self = AMORPH_PLOT_VIEW(widget);
  GtkRequisition nat;
  gtk_widget_get_preferred_size(GTK_WIDGET(self->export_button), NULL, &nat);
  graphene_rect_t r = GRAPHENE_RECT_INIT(0, 0, (float) MIN(nat.width, width), (float) MIN(nat.height, height));
  allocate_at(GTK_WIDGET(self->export_button), &r);
  if (!gtk_widget_get_visible(GTK_WIDGET(self->hover_label)))
    return;
  gtk_widget_get_preferred_size(GTK_WIDGET(self->hover_label), NULL, &nat);
  graphene_rect_t ring, *ring_p = NULL;
  double px, py;
  if (self->have_pick && am_plot_data_to_device(self->pick.panel, am_plot_series_get_y_axis(self->pick.series),
                                                self->pick.x, self->pick.y, &px, &py)) {
    graphene_rect_init(&ring, (float) (px - RING_CLEARANCE), (float) (py - RING_CLEARANCE),
                       (float) (2 * RING_CLEARANCE), (float) (2 * RING_CLEARANCE));
    ring_p = &ring;
  }
  self->hover_rect = place_hover(self->hover_x, self->hover_y, (float) MIN(nat.width, width),
                                 (float) MIN(nat.height, height), ring_p, width, height);
  allocate_at(GTK_WIDGET(self->hover_label), &self->hover_rect);
}

/* ---- GObject ------------------------------------------------------------------------------------ */

/* The plot under the children (export button, readout): drawn here rather than in a child
 * drawing area, so that gtk_widget_queue_draw on the view redraws the plot. */
static void amorph_plot_view_snapshot(GtkWidget *widget, GtkSnapshot *snapshot)
{
  AmorphPlotView *self = AMORPH_PLOT_VIEW(widget);
  int w = gtk_widget_get_width(widget), h = gtk_widget_get_height(widget);
  if (w > 0 && h > 0) {
    cairo_t *cr = gtk_snapshot_append_cairo(snapshot, &GRAPHENE_RECT_INIT(0, 0, (float) w, (float) h));
    draw(self, cr, w, h);
    cairo_destroy(cr);
  }
  GTK_WIDGET_CLASS(amorph_plot_view_parent_class)->snapshot(widget, snapshot);
}

static void amorph_plot_view_dispose(GObject *object)
{
  AmorphPlotView *self = AMORPH_PLOT_VIEW(object);
  gtk_widget_dispose_template(GTK_WIDGET(self), AMORPH_TYPE_PLOT_VIEW);
  G_OBJECT_CLASS(amorph_plot_view_parent_class)->dispose(object);
}

static void amorph_plot_view_finalize(GObject *object)
{
  AmorphPlotView *self = AMORPH_PLOT_VIEW(object);
  g_free(self->name);
  g_free(self->hover_text);
  G_OBJECT_CLASS(amorph_plot_view_parent_class)->finalize(object);
}

static void amorph_plot_view_class_init(AmorphPlotViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = amorph_plot_view_dispose;
  object_class->finalize = amorph_plot_view_finalize;
  (void) amorph_get_resource();
  gtk_widget_class_set_template_from_resource(widget_class, "/org/amorph/Amorph/plot-view.ui");
  gtk_widget_class_bind_template_child(widget_class, AmorphPlotView, hover_label);
  gtk_widget_class_bind_template_child(widget_class, AmorphPlotView, export_button);
  gtk_widget_class_install_action(widget_class, "plot.export", "s", export_action);
  widget_class->measure = amorph_plot_view_measure;
  widget_class->size_allocate = amorph_plot_view_size_allocate;
  widget_class->snapshot = amorph_plot_view_snapshot;
}

static void amorph_plot_view_init(AmorphPlotView *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));
  GtkEventController *motion = gtk_event_controller_motion_new();
  g_signal_connect(motion, "motion", G_CALLBACK(on_motion), self);
  /* A pointer that jumps in (a warp, XTest) sends a crossing and no motion. */
  g_signal_connect(motion, "enter", G_CALLBACK(on_motion), self);
  g_signal_connect(motion, "leave", G_CALLBACK(on_leave), self);
  gtk_widget_add_controller(GTK_WIDGET(self), motion);
}
