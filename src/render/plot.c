/* plot.c: the figure model of AmPlot: panels, axes settings, series data, and the
 * mappings between data and device coordinates that the last layout fixed. */
#include "render/plot_private.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK(am-plot-error-quark, am_plot_error)

/* ---- markup ---------------------------------------------------------------------- */

bool am_plot_markup_ok_(const char *markup)
{
  if (markup == NULL)
    return true;
  return pango_parse_markup(markup, -1, 0, NULL, NULL, NULL, NULL);
}

/* Keeps bad markup visible as literal text instead of dropping it. */
char *am_plot_markup_dup_(const char *markup, bool *ok)
{
  if (markup == NULL || *markup == '\0') {
    *ok = true;
    return NULL;
  }
  if (am_plot_markup_ok_(markup)) {
    *ok = true;
    return g_strdup(markup);
  }
  *ok = false;
  return g_markup_escape_text(markup, -1);
}

static bool set_markup(char **slot, const char *markup)
{
  bool ok;
  char *copy = am_plot_markup_dup_(markup, &ok);
  g_free(*slot);
  *slot = copy;
  return ok;
}

static double *dup_array(const double *a, size_t n)
{
  if (a == NULL || n == 0)
    return NULL;
  return g_memdup2(a, n * sizeof(double));
}

/* ---- figure ---------------------------------------------------------------------- */

static void axis_init(AxisState *ax)
{
  memset(ax, 0, sizeof *ax);
  ax->fixed_lo = NAN;
  ax->fixed_hi = NAN;
}

static void series_free(gpointer data)
{
  AmPlotSeries *s = data;
  g_free(s->label);
  g_free(s->x);
  g_free(s->y);
  g_free(s->extra);
  g_free(s->xerr_lo);
  g_free(s->xerr_hi);
  g_free(s->yerr_lo);
  g_free(s->yerr_hi);
  g_free(s->z);
  g_free(s);
}

static void note_free(gpointer data)
{
  TextNote *n = data;
  g_free(n->markup);
  g_free(n);
}

static void panel_free(gpointer data)
{
  AmPlotPanel *p = data;
  g_free(p->label);
  g_free(p->title);
  g_free(p->cbar_label);
  for (int a = 0; a < 3; a++)
    g_free(p->axis[a].label);
  g_ptr_array_unref(p->series);
  g_ptr_array_unref(p->insets);
  g_ptr_array_unref(p->notes);
  g_free(p);
}

static AmPlotPanel *panel_new(AmPlot *plot, AmPlotPanel *parent)
{
  AmPlotPanel *p = g_new0(AmPlotPanel, 1);
  p->plot = plot;
  p->parent = parent;
  for (int a = 0; a < 3; a++)
    axis_init(&p->axis[a]);
  axis_init(&p->cbar_axis);
  p->cbar_visible = true;
  p->legend = AM_PLOT_LEGEND_AUTO;
  p->series = g_ptr_array_new_with_free_func(series_free);
  p->insets = g_ptr_array_new_with_free_func(panel_free);
  p->notes = g_ptr_array_new_with_free_func(note_free);
  return p;
}

AmPlot *am_plot_new(void)
{
  AmPlot *plot = g_new0(AmPlot, 1);
  plot->font_family = g_strdup("Sans");
  plot->font_size = 11.0;
  plot->background = (AmColor){1, 1, 1, 1};
  plot->rows = plot->cols = 1;
  plot->panels = g_ptr_array_new_with_free_func(panel_free);
  return plot;
}

void am_plot_free(AmPlot *plot)
{
  if (plot == NULL)
    return;
  g_free(plot->title);
  g_free(plot->font_family);
  g_ptr_array_unref(plot->panels);
  g_free(plot);
}

bool am_plot_set_title(AmPlot *plot, const char *markup)
{
  g_return_val_if_fail(plot != NULL, false);
  return set_markup(&plot->title, markup);
}

void am_plot_set_grid(AmPlot *plot, int rows, int cols)
{
  g_return_if_fail(plot != NULL);
  plot->rows = rows < 1 ? 1 : rows;
  plot->cols = cols < 1 ? 1 : cols;
}

void am_plot_set_font(AmPlot *plot, const char *family, double size)
{
  g_return_if_fail(plot != NULL);
  if (family && *family) {
    g_free(plot->font_family);
    plot->font_family = g_strdup(family);
  }
  if (isfinite(size) && size >= 4.0 && size <= 200.0)
    plot->font_size = size;
}

double am_plot_get_font_size(const AmPlot *plot)
{
  g_return_val_if_fail(plot != NULL, 0.0);
  return plot->font_size;
}

void am_plot_set_background(AmPlot *plot, AmColor color)
{
  g_return_if_fail(plot != NULL);
  plot->background = color;
}

void am_plot_set_reserved_corner(AmPlot *plot, double w, double h)
{
  g_return_if_fail(plot != NULL);
  bool ok = isfinite(w) && isfinite(h) && w > 0 && h > 0;
  plot->reserved_w = ok ? w : 0;
  plot->reserved_h = ok ? h : 0;
}

AmPlotPanel *am_plot_add_panel(AmPlot *plot)
{
  g_return_val_if_fail(plot != NULL, NULL);
  AmPlotPanel *p = panel_new(plot, NULL);
  g_ptr_array_add(plot->panels, p);
  plot->laid_out = false;
  return p;
}

size_t am_plot_n_panels(const AmPlot *plot)
{
  g_return_val_if_fail(plot != NULL, 0);
  return plot->panels->len;
}

AmPlotPanel *am_plot_get_panel(AmPlot *plot, size_t index)
{
  g_return_val_if_fail(plot != NULL, NULL);
  return index < plot->panels->len ? g_ptr_array_index(plot->panels, index) : NULL;
}

static void panel_clear(AmPlotPanel *p)
{
  g_ptr_array_set_size(p->series, 0);
  g_ptr_array_set_size(p->insets, 0);
  g_ptr_array_set_size(p->notes, 0);
}

void am_plot_clear_data(AmPlot *plot)
{
  g_return_if_fail(plot != NULL);
  for (guint i = 0; i < plot->panels->len; i++)
    panel_clear(g_ptr_array_index(plot->panels, i));
  plot->n_colored = 0;
}

/* ---- panels ---------------------------------------------------------------------- */

static bool axis_ok(AmPlotAxis axis)
{
  return axis == AM_PLOT_AXIS_X || axis == AM_PLOT_AXIS_Y || axis == AM_PLOT_AXIS_Y2;
}

bool am_plot_panel_set_label(AmPlotPanel *panel, const char *markup)
{
  g_return_val_if_fail(panel != NULL, false);
  return set_markup(&panel->label, markup);
}

bool am_plot_panel_set_title(AmPlotPanel *panel, const char *markup)
{
  g_return_val_if_fail(panel != NULL, false);
  return set_markup(&panel->title, markup);
}

bool am_plot_panel_set_axis_label(AmPlotPanel *panel, AmPlotAxis axis, const char *markup)
{
  g_return_val_if_fail(panel != NULL && axis_ok(axis), false);
  return set_markup(&panel->axis[axis].label, markup);
}

bool am_plot_panel_set_axis_range(AmPlotPanel *panel, AmPlotAxis axis, double lo, double hi)
{
  g_return_val_if_fail(panel != NULL && axis_ok(axis), false);
  AxisState *ax = &panel->axis[axis];
  if (isinf(lo) || isinf(hi))
    return false;
  if (!isnan(lo) && !isnan(hi) && !(lo < hi))
    return false;
  if (ax->log && ((!isnan(lo) && lo <= 0) || (!isnan(hi) && hi <= 0)))
    return false;
  ax->fixed_lo = lo;
  ax->fixed_hi = hi;
  return true;
}

void am_plot_panel_set_axis_log(AmPlotPanel *panel, AmPlotAxis axis, bool log_scale)
{
  g_return_if_fail(panel != NULL && axis_ok(axis));
  AxisState *ax = &panel->axis[axis];
  ax->log = log_scale;
  /* A fixed end that a log axis cannot show would otherwise be silently ignored later. */
  if (log_scale && !isnan(ax->fixed_lo) && ax->fixed_lo <= 0)
    ax->fixed_lo = NAN;
  if (log_scale && !isnan(ax->fixed_hi) && ax->fixed_hi <= 0)
    ax->fixed_hi = NAN;
}

void am_plot_panel_set_axis_include_zero(AmPlotPanel *panel, AmPlotAxis axis, bool include)
{
  g_return_if_fail(panel != NULL && axis_ok(axis));
  panel->axis[axis].include_zero = include;
}

void am_plot_panel_set_axis_tight(AmPlotPanel *panel, AmPlotAxis axis, bool tight)
{
  g_return_if_fail(panel != NULL && axis_ok(axis));
  panel->axis[axis].tight = tight;
}

void am_plot_panel_set_equal_aspect(AmPlotPanel *panel, bool equal)
{
  g_return_if_fail(panel != NULL);
  panel->equal_aspect = equal;
}

void am_plot_panel_set_grid_lines(AmPlotPanel *panel, bool on)
{
  g_return_if_fail(panel != NULL);
  panel->grid_lines = on;
}

void am_plot_panel_set_legend(AmPlotPanel *panel, AmPlotLegendPlace place)
{
  g_return_if_fail(panel != NULL);
  panel->legend = place;
}

bool am_plot_panel_set_colorbar_label(AmPlotPanel *panel, const char *markup)
{
  g_return_val_if_fail(panel != NULL, false);
  return set_markup(&panel->cbar_label, markup);
}

void am_plot_panel_set_colorbar_visible(AmPlotPanel *panel, bool visible)
{
  g_return_if_fail(panel != NULL);
  panel->cbar_visible = visible;
}

AmPlotPanel *am_plot_panel_add_inset(AmPlotPanel *panel, double fx, double fy, double fw,
                                     double fh)
{
  g_return_val_if_fail(panel != NULL, NULL);
  if (!(fw > 0.05 && fh > 0.05 && fx >= 0 && fy >= 0 && fx + fw <= 1.0 + 1e-9 &&
        fy + fh <= 1.0 + 1e-9))
    return NULL;
  AmPlotPanel *inset = panel_new(panel->plot, panel);
  inset->inset_frac[0] = fx;
  inset->inset_frac[1] = fy;
  inset->inset_frac[2] = fw;
  inset->inset_frac[3] = fh;
  inset->legend = AM_PLOT_LEGEND_NONE;
  g_ptr_array_add(panel->insets, inset);
  return inset;
}

bool am_plot_panel_add_text(AmPlotPanel *panel, AmPlotCoords coords, double x, double y,
                            const char *markup, AmPlotAnchor anchor)
{
  g_return_val_if_fail(panel != NULL, false);
  if (markup == NULL || !isfinite(x) || !isfinite(y))
    return false;
  TextNote *n = g_new0(TextNote, 1);
  bool ok;
  n->coords = coords;
  n->x = x;
  n->y = y;
  n->markup = am_plot_markup_dup_(markup, &ok);
  n->anchor = anchor;
  g_ptr_array_add(panel->notes, n);
  return ok;
}

/* ---- series ---------------------------------------------------------------------- */

static AmPlotSeries *series_new(AmPlotPanel *panel, SeriesKind kind, const char *label,
                                bool takes_color)
{
  AmPlotSeries *s = g_new0(AmPlotSeries, 1);
  bool ok;
  s->panel = panel;
  s->kind = kind;
  s->label = am_plot_markup_dup_(label, &ok);
  s->style = AM_PLOT_LINE;
  s->line_width = 1.5;
  s->marker = AM_PLOT_MARKER_CIRCLE;
  s->marker_size = 6.0;
  s->marker_filled = true;
  s->y_axis = AM_PLOT_AXIS_Y;
  s->cmap = AM_COLORMAP_VIRIDIS;
  s->vmin = s->vmax = NAN;
  s->color = am_color_from_hex(0x555555);
  if (takes_color)
    s->color = am_palette_color(panel->plot->n_colored++);
  g_ptr_array_add(panel->series, s);
  return s;
}

AmPlotSeries *am_plot_panel_add_xy(AmPlotPanel *panel, const double *x, const double *y,
                                   size_t n, AmPlotStyle style, const char *label)
{
  g_return_val_if_fail(panel != NULL, NULL);
  g_return_val_if_fail(n == 0 || (x != NULL && y != NULL), NULL);
  if ((style & AM_PLOT_LINE_MARKERS) == 0)
    style = AM_PLOT_LINE;
  AmPlotSeries *s = series_new(panel, SERIES_XY, label, true);
  s->style = style;
  s->n = n;
  s->x = dup_array(x, n);
  s->y = dup_array(y, n);
  return s;
}

static bool hist_ok(const double *edges, const double *values, size_t n_bins)
{
  if (n_bins > 0 && (edges == NULL || values == NULL))
    return false;
  for (size_t i = 0; i < n_bins; i++)
    if (!(edges[i + 1] > edges[i]) || !isfinite(edges[i + 1]) || !isfinite(edges[i]))
      return false; /* also rejects NaN edges */
  return true;
}

static bool heatmap_ok(const double *z, size_t nx, size_t ny, double x0, double x1, double y0,
                       double y1)
{
  if (z == NULL || nx == 0 || ny == 0 || nx > 16384 || ny > 16384 || nx * ny > (1u << 24))
    return false;
  return isfinite(x0) && isfinite(x1) && isfinite(y0) && isfinite(y1) && x1 > x0 && y1 > y0;
}

AmPlotSeries *am_plot_panel_add_histogram(AmPlotPanel *panel, const double *edges,
                                          const double *values, size_t n_bins,
                                          AmPlotHistStyle style, const char *label)
{
  g_return_val_if_fail(panel != NULL, NULL);
  if (!hist_ok(edges, values, n_bins))
    return NULL;
  AmPlotSeries *s = series_new(panel, SERIES_HIST, label, true);
  s->hist_style = style;
  s->line_width = 1.2;
  s->n = n_bins;
  s->x = dup_array(edges, n_bins ? n_bins + 1 : 0);
  s->extra = dup_array(values, n_bins);
  return s;
}

AmPlotSeries *am_plot_panel_add_band(AmPlotPanel *panel, const double *x, const double *lo,
                                     const double *hi, size_t n, const char *label)
{
  g_return_val_if_fail(panel != NULL, NULL);
  g_return_val_if_fail(n == 0 || (x != NULL && lo != NULL && hi != NULL), NULL);
  AmPlotSeries *s = series_new(panel, SERIES_BAND, label, true);
  s->n = n;
  s->x = dup_array(x, n);
  s->y = dup_array(lo, n);
  s->extra = dup_array(hi, n);
  return s;
}

AmPlotSeries *am_plot_panel_add_scatter(AmPlotPanel *panel, const double *x, const double *y,
                                        const double *values, size_t n, AmColormap map,
                                        const char *label)
{
  g_return_val_if_fail(panel != NULL, NULL);
  g_return_val_if_fail(n == 0 || (x != NULL && y != NULL && values != NULL), NULL);
  g_return_val_if_fail(map < AM_COLORMAP_N, NULL);
  AmPlotSeries *s = series_new(panel, SERIES_SCATTER, label, false);
  s->style = AM_PLOT_MARKERS;
  s->cmap = map;
  s->n = n;
  s->x = dup_array(x, n);
  s->y = dup_array(y, n);
  s->extra = dup_array(values, n);
  return s;
}

AmPlotSeries *am_plot_panel_add_heatmap(AmPlotPanel *panel, const double *z, size_t nx,
                                        size_t ny, double x0, double x1, double y0, double y1,
                                        AmColormap map)
{
  g_return_val_if_fail(panel != NULL, NULL);
  g_return_val_if_fail(map < AM_COLORMAP_N, NULL);
  if (!heatmap_ok(z, nx, ny, x0, x1, y0, y1))
    return NULL;
  AmPlotSeries *s = series_new(panel, SERIES_HEATMAP, NULL, false);
  s->cmap = map;
  s->nx = nx;
  s->ny = ny;
  s->z = dup_array(z, nx * ny);
  s->x0 = x0;
  s->x1 = x1;
  s->y0 = y0;
  s->y1 = y1;
  return s;
}

AmPlotSeries *am_plot_panel_add_reference_line(AmPlotPanel *panel, AmPlotAxis axis,
                                               double value, const char *label)
{
  g_return_val_if_fail(panel != NULL && axis_ok(axis), NULL);
  if (!isfinite(value))
    return NULL;
  AmPlotSeries *s = series_new(panel, SERIES_REFLINE, label, false);
  s->ref_axis = axis;
  s->value = value;
  s->y_axis = axis == AM_PLOT_AXIS_Y2 ? AM_PLOT_AXIS_Y2 : AM_PLOT_AXIS_Y;
  s->dash = AM_PLOT_DASH_DASHED;
  s->line_width = 1.0;
  s->color = am_color_from_hex(0x666666);
  return s;
}

bool am_plot_series_set_data(AmPlotSeries *s, const double *x, const double *y,
                             const double *extra, size_t n)
{
  g_return_val_if_fail(s != NULL, false);
  if (s->kind != SERIES_XY && s->kind != SERIES_BAND && s->kind != SERIES_SCATTER)
    return false;
  bool need_extra = s->kind != SERIES_XY;
  if (n > 0 && (x == NULL || y == NULL || (need_extra && extra == NULL)))
    return false;
  g_clear_pointer(&s->x, g_free);
  g_clear_pointer(&s->y, g_free);
  g_clear_pointer(&s->extra, g_free);
  g_clear_pointer(&s->xerr_lo, g_free);
  g_clear_pointer(&s->xerr_hi, g_free);
  g_clear_pointer(&s->yerr_lo, g_free);
  g_clear_pointer(&s->yerr_hi, g_free);
  s->n = n;
  s->x = dup_array(x, n);
  s->y = dup_array(y, n);
  if (need_extra)
    s->extra = dup_array(extra, n);
  return true;
}

bool am_plot_series_set_histogram(AmPlotSeries *s, const double *edges, const double *values,
                                  size_t n_bins)
{
  g_return_val_if_fail(s != NULL, false);
  if (s->kind != SERIES_HIST || !hist_ok(edges, values, n_bins))
    return false;
  g_free(s->x);
  g_free(s->extra);
  s->n = n_bins;
  s->x = dup_array(edges, n_bins ? n_bins + 1 : 0);
  s->extra = dup_array(values, n_bins);
  return true;
}

bool am_plot_series_set_heatmap(AmPlotSeries *s, const double *z, size_t nx, size_t ny,
                                double x0, double x1, double y0, double y1)
{
  g_return_val_if_fail(s != NULL, false);
  if (s->kind != SERIES_HEATMAP || !heatmap_ok(z, nx, ny, x0, x1, y0, y1))
    return false;
  g_free(s->z);
  s->z = dup_array(z, nx * ny);
  s->nx = nx;
  s->ny = ny;
  s->x0 = x0;
  s->x1 = x1;
  s->y0 = y0;
  s->y1 = y1;
  return true;
}

static void set_errors(AmPlotSeries *s, double **lo_slot, double **hi_slot, const double *lo,
                       const double *hi)
{
  g_clear_pointer(lo_slot, g_free);
  g_clear_pointer(hi_slot, g_free);
  if (lo == NULL || s->n == 0)
    return;
  *lo_slot = dup_array(lo, s->n);
  *hi_slot = dup_array(hi ? hi : lo, s->n);
}

void am_plot_series_set_y_errors(AmPlotSeries *s, const double *lo, const double *hi)
{
  g_return_if_fail(s != NULL && (s->kind == SERIES_XY || s->kind == SERIES_SCATTER));
  set_errors(s, &s->yerr_lo, &s->yerr_hi, lo, hi);
}

void am_plot_series_set_x_errors(AmPlotSeries *s, const double *lo, const double *hi)
{
  g_return_if_fail(s != NULL && (s->kind == SERIES_XY || s->kind == SERIES_SCATTER));
  set_errors(s, &s->xerr_lo, &s->xerr_hi, lo, hi);
}

void am_plot_series_set_color(AmPlotSeries *s, AmColor color)
{
  g_return_if_fail(s != NULL);
  s->color = color;
}

void am_plot_series_set_line(AmPlotSeries *s, double width, AmPlotDash dash)
{
  g_return_if_fail(s != NULL);
  if (isfinite(width) && width >= 0 && width < 50)
    s->line_width = width;
  s->dash = dash;
}

void am_plot_series_set_marker(AmPlotSeries *s, AmPlotMarker shape, double size, bool filled)
{
  g_return_if_fail(s != NULL);
  s->marker = shape;
  if (isfinite(size) && size > 0 && size < 100)
    s->marker_size = size;
  s->marker_filled = filled;
}

void am_plot_series_set_y_axis(AmPlotSeries *s, AmPlotAxis axis)
{
  g_return_if_fail(s != NULL && (axis == AM_PLOT_AXIS_Y || axis == AM_PLOT_AXIS_Y2));
  if (s->kind == SERIES_REFLINE && s->ref_axis == AM_PLOT_AXIS_X)
    return;
  s->y_axis = axis;
  if (s->kind == SERIES_REFLINE)
    s->ref_axis = axis;
}

void am_plot_series_set_value_range(AmPlotSeries *s, double vmin, double vmax, bool log_scale)
{
  g_return_if_fail(s != NULL);
  s->vmin = vmin;
  s->vmax = vmax;
  s->vlog = log_scale;
}

void am_plot_series_set_label(AmPlotSeries *s, const char *label)
{
  g_return_if_fail(s != NULL);
  set_markup(&s->label, label);
}

/* ---- data extents ---------------------------------------------------------------- */

static void grow(double v, bool pad, bool log, double *lo, double *hi, bool *pad_lo,
                 bool *pad_hi)
{
  if (!isfinite(v) || (log && v <= 0))
    return;
  if (v < *lo) {
    *lo = v;
    *pad_lo = pad;
  } else if (v == *lo) {
    *pad_lo = *pad_lo || pad;
  }
  if (v > *hi) {
    *hi = v;
    *pad_hi = pad;
  } else if (v == *hi) {
    *pad_hi = *pad_hi || pad;
  }
}

/* Extent of s along axis (X, or the y axis s is measured on). pad_* say whether the end
 * may get breathing room: markers want it, a heatmap's edge or a histogram's baseline
 * does not. Leaves lo > hi when s has nothing to show on that axis. */
void am_plot_series_extent_(const AmPlotSeries *s, AmPlotAxis axis, bool log, double *lo,
                            double *hi, bool *pad_lo, bool *pad_hi)
{
  bool is_x = axis == AM_PLOT_AXIS_X;
  if (!is_x && s->y_axis != axis)
    return;
  switch (s->kind) {
  case SERIES_XY:
  case SERIES_SCATTER: {
    const double *v = is_x ? s->x : s->y;
    const double *el = is_x ? s->xerr_lo : s->yerr_lo, *eh = is_x ? s->xerr_hi : s->yerr_hi;
    for (size_t i = 0; i < s->n; i++) {
      if (!isfinite(s->x[i]) || !isfinite(s->y[i]))
        continue;
      grow(v[i], true, log, lo, hi, pad_lo, pad_hi);
      if (el && isfinite(el[i]))
        grow(v[i] - fabs(el[i]), true, log, lo, hi, pad_lo, pad_hi);
      if (eh && isfinite(eh[i]))
        grow(v[i] + fabs(eh[i]), true, log, lo, hi, pad_lo, pad_hi);
    }
    break;
  }
  case SERIES_HIST:
    if (s->n == 0)
      break;
    if (is_x) {
      grow(s->x[0], false, log, lo, hi, pad_lo, pad_hi);
      grow(s->x[s->n], false, log, lo, hi, pad_lo, pad_hi);
    } else {
      if (!log)
        grow(0.0, false, log, lo, hi, pad_lo, pad_hi);
      for (size_t i = 0; i < s->n; i++)
        grow(s->extra[i], true, log, lo, hi, pad_lo, pad_hi);
    }
    break;
  case SERIES_BAND:
    for (size_t i = 0; i < s->n; i++) {
      if (!isfinite(s->x[i]))
        continue;
      if (is_x) {
        grow(s->x[i], false, log, lo, hi, pad_lo, pad_hi);
      } else {
        grow(s->y[i], true, log, lo, hi, pad_lo, pad_hi);
        grow(s->extra[i], true, log, lo, hi, pad_lo, pad_hi);
      }
    }
    break;
  case SERIES_HEATMAP:
    grow(is_x ? s->x0 : s->y0, false, log, lo, hi, pad_lo, pad_hi);
    grow(is_x ? s->x1 : s->y1, false, log, lo, hi, pad_lo, pad_hi);
    break;
  case SERIES_REFLINE:
    if ((s->ref_axis == AM_PLOT_AXIS_X) == is_x)
      grow(s->value, true, log, lo, hi, pad_lo, pad_hi);
    break;
  }
}

/* Colour range of a heatmap or scatter: the requested ends, the rest from the data. */
bool am_plot_series_value_range_(const AmPlotSeries *s, double *lo, double *hi)
{
  const double *v = NULL;
  size_t n = 0;
  if (s->kind == SERIES_HEATMAP) {
    v = s->z;
    n = s->nx * s->ny;
  } else if (s->kind == SERIES_SCATTER) {
    v = s->extra;
    n = s->n;
  } else {
    return false;
  }
  double a = INFINITY, b = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(v[i]) || (s->vlog && v[i] <= 0))
      continue;
    a = fmin(a, v[i]);
    b = fmax(b, v[i]);
  }
  if (!isnan(s->vmin))
    a = s->vmin;
  if (!isnan(s->vmax))
    b = s->vmax;
  if (!(isfinite(a) && isfinite(b)))
    return false;
  if (s->vlog && (a <= 0 || b <= 0))
    return false;
  if (a == b) { /* a constant field still needs a colour bar with some extent */
    double d = s->vlog ? 0 : (a == 0 ? 1 : fabs(a) * 0.5);
    if (s->vlog) {
      a /= 2;
      b *= 2;
    } else {
      a -= d;
      b += d;
    }
  }
  *lo = a;
  *hi = b > a ? b : a;
  return b > a;
}

/* ---- coordinates ----------------------------------------------------------------- */

static double axis_t(const AxisState *ax, double v)
{
  return ax->log ? log10(v) : v;
}

/* Fraction along the axis, NaN when the axis cannot show v. */
static double axis_frac(const AxisState *ax, double v)
{
  if (!isfinite(v) || (ax->log && v <= 0))
    return NAN;
  double a = axis_t(ax, ax->lo), b = axis_t(ax, ax->hi);
  return (axis_t(ax, v) - a) / (b - a);
}

double am_plot_axis_to_device_(const AmPlotPanel *p, AmPlotAxis axis, double v)
{
  double f = axis_frac(&p->axis[axis], v);
  if (axis == AM_PLOT_AXIS_X)
    return p->area[0] + f * p->area[2];
  return p->area[1] + (1.0 - f) * p->area[3];
}

bool am_plot_data_to_device(const AmPlotPanel *panel, AmPlotAxis y_axis, double x, double y,
                            double *dx, double *dy)
{
  g_return_val_if_fail(panel != NULL, false);
  if (!panel->laid_out || (y_axis != AM_PLOT_AXIS_Y && y_axis != AM_PLOT_AXIS_Y2))
    return false;
  double px = am_plot_axis_to_device_(panel, AM_PLOT_AXIS_X, x);
  double py = am_plot_axis_to_device_(panel, y_axis, y);
  if (!isfinite(px) || !isfinite(py))
    return false;
  if (dx)
    *dx = px;
  if (dy)
    *dy = py;
  return true;
}

static double device_to_axis(const AmPlotPanel *p, AmPlotAxis axis, double d)
{
  const AxisState *ax = &p->axis[axis];
  double f = axis == AM_PLOT_AXIS_X ? (d - p->area[0]) / p->area[2]
                                    : 1.0 - (d - p->area[1]) / p->area[3];
  double a = axis_t(ax, ax->lo), b = axis_t(ax, ax->hi);
  double t = a + f * (b - a);
  return ax->log ? pow(10.0, t) : t;
}

bool am_plot_device_to_data(const AmPlotPanel *panel, AmPlotAxis y_axis, double dx,
                            double dy, double *x, double *y)
{
  g_return_val_if_fail(panel != NULL, false);
  if (!panel->laid_out || (y_axis != AM_PLOT_AXIS_Y && y_axis != AM_PLOT_AXIS_Y2))
    return false;
  if (!isfinite(dx) || !isfinite(dy))
    return false;
  if (x)
    *x = device_to_axis(panel, AM_PLOT_AXIS_X, dx);
  if (y)
    *y = device_to_axis(panel, y_axis, dy);
  return true;
}

static bool in_area(const AmPlotPanel *p, double dx, double dy)
{
  return p->laid_out && dx >= p->area[0] && dx <= p->area[0] + p->area[2] &&
         dy >= p->area[1] && dy <= p->area[1] + p->area[3];
}

AmPlotPanel *am_plot_panel_at(AmPlot *plot, double dx, double dy)
{
  g_return_val_if_fail(plot != NULL, NULL);
  for (guint i = 0; i < plot->panels->len; i++) {
    AmPlotPanel *p = g_ptr_array_index(plot->panels, i);
    for (guint k = p->insets->len; k-- > 0;) {
      AmPlotPanel *in = g_ptr_array_index(p->insets, k);
      /* The whole inset rectangle hides the parent, not only its plot area. */
      if (in->laid_out && dx >= in->cell[0] && dx <= in->cell[0] + in->cell[2] &&
          dy >= in->cell[1] && dy <= in->cell[1] + in->cell[3])
        return in_area(in, dx, dy) ? in : NULL;
    }
    if (in_area(p, dx, dy))
      return p;
  }
  return NULL;
}

bool am_plot_panel_get_area(const AmPlotPanel *panel, double *x, double *y, double *w,
                            double *h)
{
  g_return_val_if_fail(panel != NULL, false);
  if (!panel->laid_out)
    return false;
  if (x)
    *x = panel->area[0];
  if (y)
    *y = panel->area[1];
  if (w)
    *w = panel->area[2];
  if (h)
    *h = panel->area[3];
  return true;
}

bool am_plot_panel_get_box(const AmPlotPanel *panel, AmPlotBox box, double *x, double *y,
                           double *w, double *h)
{
  g_return_val_if_fail(panel != NULL && (unsigned)box < AM_PLOT_BOX_N, false);
  if (!panel->laid_out || !panel->box_drawn[box])
    return false;
  const double *r = panel->box[box];
  if (x)
    *x = r[0];
  if (y)
    *y = r[1];
  if (w)
    *w = r[2];
  if (h)
    *h = r[3];
  return true;
}

bool am_plot_panel_get_axis_range(const AmPlotPanel *panel, AmPlotAxis axis, double *lo,
                                  double *hi)
{
  g_return_val_if_fail(panel != NULL && axis_ok(axis), false);
  const AxisState *ax = &panel->axis[axis];
  if (!panel->laid_out || !ax->shown)
    return false;
  if (lo)
    *lo = ax->lo;
  if (hi)
    *hi = ax->hi;
  return true;
}

size_t am_plot_panel_get_ticks(const AmPlotPanel *panel, AmPlotAxis axis, double *ticks,
                               size_t cap)
{
  g_return_val_if_fail(panel != NULL && axis_ok(axis), 0);
  const AxisState *ax = &panel->axis[axis];
  if (!panel->laid_out || !ax->shown)
    return 0;
  for (size_t i = 0; i < ax->n_ticks && i < cap; i++)
    ticks[i] = ax->ticks[i];
  return ax->n_ticks;
}

bool am_plot_pick(AmPlot *plot, double dx, double dy, double radius, AmPlotPick *pick)
{
  g_return_val_if_fail(plot != NULL && pick != NULL, false);
  AmPlotPanel *p = am_plot_panel_at(plot, dx, dy);
  if (p == NULL)
    return false;
  double best = radius * radius;
  bool found = false;
  for (guint k = 0; k < p->series->len; k++) {
    AmPlotSeries *s = g_ptr_array_index(p->series, k);
    if (s->kind != SERIES_XY && s->kind != SERIES_SCATTER)
      continue;
    for (size_t i = 0; i < s->n; i++) {
      double px, py;
      if (!am_plot_data_to_device(p, s->y_axis, s->x[i], s->y[i], &px, &py))
        continue;
      double d2 = (px - dx) * (px - dx) + (py - dy) * (py - dy);
      if (d2 <= best) {
        best = d2;
        found = true;
        *pick = (AmPlotPick){p, s, i, s->x[i], s->y[i], s->yerr_lo ? s->yerr_lo[i] : NAN,
                             s->yerr_hi ? s->yerr_hi[i] : s->yerr_lo ? s->yerr_lo[i] : NAN,
                             s->kind == SERIES_SCATTER && s->extra ? s->extra[i] : NAN};
      }
    }
  }
  if (found)
    return true;
  /* Distributions and maps have no points to be near: what is under the pointer. */
  double best_dy = INFINITY;
  for (guint k = 0; k < p->series->len; k++) {
    AmPlotSeries *s = g_ptr_array_index(p->series, k);
    double x, y;
    if (!am_plot_device_to_data(p, s->y_axis, dx, dy, &x, &y))
      continue;
    if (s->kind == SERIES_HIST) {
      for (size_t i = 0; i < s->n; i++) {
        if (!(x >= s->x[i] && x < s->x[i + 1]) || !isfinite(s->extra[i]))
          continue;
        double px, py;
        double xc = 0.5 * (s->x[i] + s->x[i + 1]);
        if (!am_plot_data_to_device(p, s->y_axis, xc, s->extra[i], &px, &py))
          continue;
        if (fabs(py - dy) < best_dy) {
          best_dy = fabs(py - dy);
          found = true;
          *pick = (AmPlotPick){p, s, i, xc, s->extra[i], NAN, NAN, NAN};
        }
      }
    } else if (s->kind == SERIES_HEATMAP && !found && s->nx > 0 && s->ny > 0) {
      double fx = (x - s->x0) / (s->x1 - s->x0), fy = (y - s->y0) / (s->y1 - s->y0);
      if (!(fx >= 0 && fx < 1 && fy >= 0 && fy < 1))
        continue;
      size_t ix = MIN((size_t) (fx * (double) s->nx), s->nx - 1), iy = MIN((size_t) (fy * (double) s->ny), s->ny - 1);
      double cx = s->x0 + (ix + 0.5) * (s->x1 - s->x0) / (double) s->nx;
      double cy = s->y0 + (iy + 0.5) * (s->y1 - s->y0) / (double) s->ny;
      found = true;
      *pick = (AmPlotPick){p, s, iy * s->nx + ix, cx, cy, NAN, NAN, s->z[iy * s->nx + ix]};
    }
  }
  return found;
}

static char *plain_text(const char *markup)
{
  char *text = NULL;
  if (!markup)
    return g_strdup("");
  if (!pango_parse_markup(markup, -1, 0, NULL, &text, NULL, NULL))
    return g_strdup(markup);
  return text;
}

char *am_plot_panel_dup_plain_axis_label(const AmPlotPanel *panel, int axis)
{
  g_return_val_if_fail(panel != NULL, NULL);
  if (axis >= AM_PLOT_AXIS_X && axis <= AM_PLOT_AXIS_Y2)
    return plain_text(panel->axis[axis].label);
  return plain_text(panel->cbar_label);
}

AmPlotAxis am_plot_series_get_y_axis(const AmPlotSeries *series)
{
  g_return_val_if_fail(series != NULL, AM_PLOT_AXIS_Y);
  return series->y_axis;
}

char *am_plot_series_dup_plain_label(const AmPlotSeries *series)
{
  g_return_val_if_fail(series != NULL, NULL);
  if (!series->label)
    return g_strdup("");
  char *text = NULL;
  if (!pango_parse_markup(series->label, -1, 0, NULL, &text, NULL, NULL))
    return g_strdup(series->label);
  return text;
}
