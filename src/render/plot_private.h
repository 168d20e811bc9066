/* plot_private.h: the insides of AmPlot shared by plot.c (model), plot_axes.c (ticks and
 * axes), plot_draw.c (layout and painting) and plot_export.c (files). Not installed. */
#pragma once

#include <pango/pangocairo.h>

#include "render/plot.h"

#define AM_PLOT_MAX_TICKS 64
#define AM_PLOT_MAX_MINOR 256

typedef enum {
  SERIES_XY,
  SERIES_HIST,
  SERIES_BAND,
  SERIES_SCATTER,
  SERIES_HEATMAP,
  SERIES_REFLINE,
} SeriesKind;

struct AmPlotSeries {
  AmPlotPanel *panel;
  SeriesKind kind;
  char *label; /* markup or NULL */
  size_t n;
  double *x, *y;
  double *extra; /* band: hi (y is lo); scatter: values; hist: values (x = edges, n+1) */
  double *xerr_lo, *xerr_hi, *yerr_lo, *yerr_hi;
  /* heatmap */
  size_t nx, ny;
  double *z;
  double x0, x1, y0, y1;
  /* style */
  AmColor color;
  AmPlotStyle style;
  double line_width; /* at font size 11 */
  AmPlotDash dash;
  AmPlotMarker marker;
  double marker_size;
  bool marker_filled;
  AmPlotAxis y_axis;
  AmPlotHistStyle hist_style;
  AmColormap cmap;
  double vmin, vmax; /* requested, NAN = auto */
  bool vlog;
  double value; /* reference line */
  AmPlotAxis ref_axis;
};

typedef struct {
  char *label;
  bool log;
  bool include_zero;
  bool tight;
  double fixed_lo, fixed_hi; /* NAN = auto */
  /* from the last layout */
  bool shown;
  double lo, hi;
  double ticks[AM_PLOT_MAX_TICKS];
  size_t n_ticks;
  double minor[AM_PLOT_MAX_MINOR];
  size_t n_minor;
  double step;     /* linear tick step, in the scaled units (see exponent) */
  int exponent;    /* labels show value / 10^exponent; 0 for none */
  bool log_powers; /* labels as 10^k */
} AxisState;

typedef struct {
  AmPlotCoords coords;
  double x, y;
  char *markup;
  AmPlotAnchor anchor;
} TextNote;

struct AmPlotPanel {
  AmPlot *plot;
  AmPlotPanel *parent; /* insets only */
  double inset_frac[4];
  char *label, *title, *cbar_label;
  AxisState axis[3];
  bool equal_aspect, grid_lines, cbar_visible;
  AmPlotLegendPlace legend;
  GPtrArray *series; /* AmPlotSeries*, owned */
  GPtrArray *insets; /* AmPlotPanel*, owned */
  GPtrArray *notes;  /* TextNote*, owned */
  /* from the last layout */
  bool laid_out;
  double cell[4]; /* x, y, w, h */
  double area[4];
  /* colour bar range of the last layout */
  bool cbar_shown;
  AmColormap cbar_map;
  double cbar_lo, cbar_hi;
  bool cbar_log;
  AxisState cbar_axis;
  /* sizes measured by the layout, in device units */
  double x_tick_h, y_tick_w, y2_tick_w, cb_tick_w;
  double y2_block, cbar_block; /* widths right of the plot area */
  double top_extra;            /* room above the area for tick labels, exponents */
  /* where the legend went in the last layout, and the room it took beside or above the
   * area (0 when inside) */
  int legend_at; /* LEGEND_AT_* of plot_draw.c */
  double legend_room_w, legend_room_h;
  double legend_need_w, legend_need_h; /* room an inside legend needs in the area (0: none) */
  /* where the last draw put the panel's pieces (am_plot_panel_get_box) */
  double box[AM_PLOT_BOX_N][4];
  bool box_drawn[AM_PLOT_BOX_N];
};

struct AmPlot {
  char *title;
  char *font_family;
  double font_size;
  AmColor background;
  int rows, cols;
  GPtrArray *panels; /* AmPlotPanel*, owned */
  unsigned n_colored; /* series that took a palette colour */
  bool laid_out;
  double width, height;
  double reserved_w, reserved_h; /* top-left corner kept clear (am_plot_set_reserved_corner) */
};

/* Text measurement and drawing with one Pango layout per call. */
typedef struct {
  cairo_t *cr;
  PangoLayout *layout;
  const AmPlot *plot;
  double scale; /* font scale of the panel being drawn (insets are smaller) */
  bool halo;    /* outline text in white first */
  double wrap;  /* wrap text to this width when > 0 */
  double *box;  /* when set, the next text drawn stores its device box (x, y, w, h) here */
} PlotCtx;

/* plot.c */
bool am_plot_markup_ok_(const char *markup);
char *am_plot_markup_dup_(const char *markup, bool *ok);
void am_plot_series_extent_(const AmPlotSeries *s, AmPlotAxis axis, bool log, double *lo,
                            double *hi, bool *pad_lo, bool *pad_hi);
bool am_plot_series_value_range_(const AmPlotSeries *s, double *lo, double *hi);
double am_plot_axis_to_device_(const AmPlotPanel *p, AmPlotAxis axis, double v);

/* plot_axes.c */
void am_plot_axis_resolve_range_(AmPlotPanel *p, AmPlotAxis axis);
void am_plot_axis_choose_ticks_(AxisState *ax, int max_ticks);
void am_plot_axis_tick_label_(const AxisState *ax, double v, char *buf, size_t size);
void am_plot_axis_tick_labels_extent_(PlotCtx *ctx, const AxisState *ax, double *max_w,
                                      double *max_h);

/* plot_draw.c */
void am_plot_text_size_(PlotCtx *ctx, const char *markup, double rel_size, bool bold,
                        double *w, double *h);
void am_plot_text_draw_(PlotCtx *ctx, const char *markup, double rel_size, bool bold,
                        double x, double y, AmPlotAnchor anchor, double angle);
