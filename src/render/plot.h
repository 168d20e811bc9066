/* plot.h: 2-D scientific plots drawn with cairo and Pango, for screen and paper.
 *
 * One AmPlot is a figure: a grid of panels (plus insets), each panel a plot area with an
 * x axis, a left y axis and an optional right y axis (twin axes, as the paper's Fig. 2a
 * with sigma_A and delta). Series copy their data, so callers may free or reuse their
 * arrays at once. am_plot_draw() draws into any cairo_t: a GTK widget's snapshot, or the
 * image / SVG / PDF surfaces of the am_plot_write_* helpers used by `amorph --batch`.
 *
 * Coordinates: "device" below means the cairo user space in effect when am_plot_draw was
 * called (widget pixels on screen; points for SVG/PDF; for PNG, pixels / scale). The
 * mapping functions use the layout of the last draw, so the GUI can show hover values and
 * tests can check where things landed.
 *
 * Text (titles, axis labels, legend entries) is Pango markup, e.g.
 * "<i>G</i>″ (GPa)", "σ<sub><i>xy</i></sub>", "<i>u</i>′ (Å)". Markup that does not parse
 * is shown literally and the setter returns false.
 *
 * Not thread-safe: use one AmPlot from one thread at a time. No GTK. */
#pragma once

#include <cairo.h>
#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "render/colormap.h"

typedef struct AmPlot AmPlot;
typedef struct AmPlotPanel AmPlotPanel;
typedef struct AmPlotSeries AmPlotSeries;

#define AM_PLOT_ERROR (am_plot_error_quark())
GQuark am_plot_error_quark(void);

typedef enum {
  AM_PLOT_ERROR_IO,      /* a file could not be written or renamed into place */
  AM_PLOT_ERROR_INVALID, /* a size, scale or file type that cannot be drawn */
  AM_PLOT_ERROR_CAIRO,   /* cairo failed (out of memory, surface too large) */
} AmPlotError;

typedef enum {
  AM_PLOT_AXIS_X = 0,
  AM_PLOT_AXIS_Y,  /* left */
  AM_PLOT_AXIS_Y2, /* right, shown when a series uses it or it has a label */
} AmPlotAxis;

typedef enum {
  AM_PLOT_LINE = 1 << 0,
  AM_PLOT_MARKERS = 1 << 1,
  AM_PLOT_LINE_MARKERS = AM_PLOT_LINE | AM_PLOT_MARKERS,
} AmPlotStyle;

typedef enum {
  AM_PLOT_MARKER_CIRCLE = 0,
  AM_PLOT_MARKER_SQUARE,
  AM_PLOT_MARKER_TRIANGLE_UP,
  AM_PLOT_MARKER_TRIANGLE_DOWN,
  AM_PLOT_MARKER_DIAMOND,
  AM_PLOT_MARKER_CROSS,
  AM_PLOT_MARKER_PLUS,
} AmPlotMarker;

typedef enum {
  AM_PLOT_DASH_SOLID = 0,
  AM_PLOT_DASH_DASHED,
  AM_PLOT_DASH_DOTTED,
  AM_PLOT_DASH_DASH_DOT,
} AmPlotDash;

typedef enum {
  AM_PLOT_HIST_FILLED = 0, /* translucent bars under a step outline */
  AM_PLOT_HIST_STEP,       /* step outline only, for overlaying several distributions */
} AmPlotHistStyle;

typedef enum {
  AM_PLOT_LEGEND_AUTO = 0, /* the inside corner that covers the fewest data */
  AM_PLOT_LEGEND_NONE,
  AM_PLOT_LEGEND_UPPER_RIGHT,
  AM_PLOT_LEGEND_UPPER_LEFT,
  AM_PLOT_LEGEND_LOWER_RIGHT,
  AM_PLOT_LEGEND_LOWER_LEFT,
  AM_PLOT_LEGEND_OUTSIDE_RIGHT,
} AmPlotLegendPlace;

/* Where a text note's (x, y) is measured. */
typedef enum {
  AM_PLOT_COORDS_DATA = 0, /* x axis and left y axis */
  AM_PLOT_COORDS_AXES,     /* fractions of the plot area, (0,0) lower left */
} AmPlotCoords;

/* Which point of a text note's box sits at (x, y). */
typedef enum {
  AM_PLOT_ANCHOR_CENTER = 0,
  AM_PLOT_ANCHOR_NORTH,
  AM_PLOT_ANCHOR_SOUTH,
  AM_PLOT_ANCHOR_EAST,
  AM_PLOT_ANCHOR_WEST,
  AM_PLOT_ANCHOR_NORTH_EAST,
  AM_PLOT_ANCHOR_NORTH_WEST,
  AM_PLOT_ANCHOR_SOUTH_EAST,
  AM_PLOT_ANCHOR_SOUTH_WEST,
} AmPlotAnchor;

/* ---- figure ---------------------------------------------------------------------- */

AmPlot *am_plot_new(void);
void am_plot_free(AmPlot *plot);

bool am_plot_set_title(AmPlot *plot, const char *markup);
/* Panels fill a rows x cols grid row by row; default 1 x 1 (grown if more panels are
 * added than cells). Plot areas in a row share top and bottom, in a column left and
 * right, so multi-panel figures line up. */
void am_plot_set_grid(AmPlot *plot, int rows, int cols);
/* Font family (default "Sans") and base size in device units (default 11). Tick labels
 * and legends use 0.9 of it, insets 0.85. Line widths and markers scale with it. */
void am_plot_set_font(AmPlot *plot, const char *family, double size);
double am_plot_get_font_size(const AmPlot *plot);
/* Figure background; alpha 0 for a transparent PNG. Default white. */
void am_plot_set_background(AmPlot *plot, AmColor color);

/* Keeps the rectangle (0, 0, w, h) at the figure's top-left clear of the figure title and
 * the panel letters, for a control that a widget floats over the plot there (the
 * explorer's export button). 0 x 0, the default, keeps nothing clear. */
void am_plot_set_reserved_corner(AmPlot *plot, double w, double h);

AmPlotPanel *am_plot_add_panel(AmPlot *plot);
size_t am_plot_n_panels(const AmPlot *plot);
AmPlotPanel *am_plot_get_panel(AmPlot *plot, size_t index);
/* Removes every series, note and inset from all panels but keeps axes settings. */
void am_plot_clear_data(AmPlot *plot);

/* ---- panels ---------------------------------------------------------------------- */

/* A bold letter such as "(a)" at the panel's top-left corner. */
bool am_plot_panel_set_label(AmPlotPanel *panel, const char *markup);
bool am_plot_panel_set_title(AmPlotPanel *panel, const char *markup);
bool am_plot_panel_set_axis_label(AmPlotPanel *panel, AmPlotAxis axis, const char *markup);
/* A fixed range; NAN for an end means "from the data". Returns false (and changes
 * nothing) for lo >= hi, or an end <= 0 on a log axis. */
bool am_plot_panel_set_axis_range(AmPlotPanel *panel, AmPlotAxis axis, double lo, double hi);
void am_plot_panel_set_axis_log(AmPlotPanel *panel, AmPlotAxis axis, bool log_scale);
/* Auto ranges include zero (e.g. a modulus that starts at 0). */
void am_plot_panel_set_axis_include_zero(AmPlotPanel *panel, AmPlotAxis axis, bool include);
/* Auto ranges end exactly at the data (no 5 % padding). */
void am_plot_panel_set_axis_tight(AmPlotPanel *panel, AmPlotAxis axis, bool tight);
/* One data unit is as long on x as on y (trajectory maps); the plot area shrinks. */
void am_plot_panel_set_equal_aspect(AmPlotPanel *panel, bool equal);
/* Faint lines at the major ticks. Off by default. */
void am_plot_panel_set_grid_lines(AmPlotPanel *panel, bool on);
void am_plot_panel_set_legend(AmPlotPanel *panel, AmPlotLegendPlace place);
/* Label of the colour bar drawn for a heatmap or colour-by-value scatter. */
bool am_plot_panel_set_colorbar_label(AmPlotPanel *panel, const char *markup);
void am_plot_panel_set_colorbar_visible(AmPlotPanel *panel, bool visible);

/* An inset panel inside panel's plot area: (fx, fy) lower-left corner and (fw, fh) size
 * as fractions of that area. Its tick labels and axis labels stay inside the rectangle;
 * its background hides what lies beneath; it has no legend unless one is asked for.
 * Owned by the parent. NULL if the rectangle leaves the area or is under 5 % wide/high. */
AmPlotPanel *am_plot_panel_add_inset(AmPlotPanel *panel, double fx, double fy, double fw,
                                     double fh);

/* Text at (x, y); returns false for markup that did not parse (it is shown literally). */
bool am_plot_panel_add_text(AmPlotPanel *panel, AmPlotCoords coords, double x, double y,
                            const char *markup, AmPlotAnchor anchor);

/* ---- series ---------------------------------------------------------------------- */

/* Points (x[i], y[i]). NaN entries (and values <= 0 on a log axis) are skipped and break
 * the line. label may be NULL (no legend entry). Colours come from the palette in the
 * order series are added to the figure. */
AmPlotSeries *am_plot_panel_add_xy(AmPlotPanel *panel, const double *x, const double *y,
                                   size_t n, AmPlotStyle style, const char *label);
/* A histogram: n_bins values between n_bins + 1 ascending edges (NULL if they are not
 * finite and strictly ascending). The baseline is 0 (on a log y axis, the bottom of the
 * axis, where empty bins then lie). */
AmPlotSeries *am_plot_panel_add_histogram(AmPlotPanel *panel, const double *edges,
                                          const double *values, size_t n_bins,
                                          AmPlotHistStyle style, const char *label);
/* A shaded band between lo[i] and hi[i] (e.g. mean +- standard error). */
AmPlotSeries *am_plot_panel_add_band(AmPlotPanel *panel, const double *x, const double *lo,
                                     const double *hi, size_t n, const char *label);
/* Markers coloured by values[i] through map (range from the data unless set with
 * am_plot_series_set_value_range). Shows the colour bar. */
AmPlotSeries *am_plot_panel_add_scatter(AmPlotPanel *panel, const double *x, const double *y,
                                        const double *values, size_t n, AmColormap map,
                                        const char *label);
/* A heatmap of z[iy * nx + ix] on cells of equal size covering [x0, x1] x [y0, y1]
 * (iy = 0 is the row at y0). NaN cells are transparent. Shows the colour bar (the first
 * heatmap or scatter of a panel sets it). NULL for a non-finite or empty extent, or more
 * than 2^24 cells. Auto axis ranges end exactly at the extent. */
AmPlotSeries *am_plot_panel_add_heatmap(AmPlotPanel *panel, const double *z, size_t nx,
                                        size_t ny, double x0, double x1, double y0, double y1,
                                        AmColormap map);
/* A horizontal (axis Y/Y2: y = value) or vertical (axis X: x = value) reference line
 * across the plot area, dashed grey unless styled otherwise. */
AmPlotSeries *am_plot_panel_add_reference_line(AmPlotPanel *panel, AmPlotAxis axis,
                                               double value, const char *label);

/* Replaces the points of an xy, band or scatter series (lo/hi/values as its kind needs;
 * others may be NULL). Error bars are dropped: set them again if needed. Returns false if
 * the arrays needed by the kind are missing. */
bool am_plot_series_set_data(AmPlotSeries *series, const double *x, const double *y,
                             const double *extra, size_t n);
/* Replaces the bins of a histogram series (same rules as am_plot_panel_add_histogram). */
bool am_plot_series_set_histogram(AmPlotSeries *series, const double *edges,
                                  const double *values, size_t n_bins);
/* Replaces the cells and extent of a heatmap series (same rules as
 * am_plot_panel_add_heatmap). */
bool am_plot_series_set_heatmap(AmPlotSeries *series, const double *z, size_t nx, size_t ny,
                                double x0, double x1, double y0, double y1);
/* Error bars as non-negative lengths below and above each point (hi NULL: symmetric).
 * Arrays have the series' length. NaN draws no bar for that point. */
void am_plot_series_set_y_errors(AmPlotSeries *series, const double *lo, const double *hi);
void am_plot_series_set_x_errors(AmPlotSeries *series, const double *lo, const double *hi);
void am_plot_series_set_color(AmPlotSeries *series, AmColor color);
void am_plot_series_set_line(AmPlotSeries *series, double width, AmPlotDash dash);
/* size is the marker's width in device units at font size 11 (scaled with the font). */
void am_plot_series_set_marker(AmPlotSeries *series, AmPlotMarker shape, double size,
                               bool filled);
/* Which y axis the series is measured on (AM_PLOT_AXIS_Y or AM_PLOT_AXIS_Y2). */
void am_plot_series_set_y_axis(AmPlotSeries *series, AmPlotAxis axis);
/* Colour range of a heatmap or scatter; NAN ends come from the data. */
void am_plot_series_set_value_range(AmPlotSeries *series, double vmin, double vmax,
                                    bool log_scale);
void am_plot_series_set_label(AmPlotSeries *series, const char *label);

/* ---- drawing and coordinates ----------------------------------------------------- */

/* Draws the figure filling (0, 0, width, height) of cr's user space. cr's state is
 * saved and restored. */
void am_plot_draw(AmPlot *plot, cairo_t *cr, double width, double height);

/* Data to device and back for panel's x axis and the given y axis (Y or Y2), using the
 * last am_plot_draw. False before the first draw or for values a log axis cannot show. */
bool am_plot_data_to_device(const AmPlotPanel *panel, AmPlotAxis y_axis, double x, double y,
                            double *dx, double *dy);
bool am_plot_device_to_data(const AmPlotPanel *panel, AmPlotAxis y_axis, double dx,
                            double dy, double *x, double *y);
/* The panel whose plot area contains the device point (insets first), or NULL. */
AmPlotPanel *am_plot_panel_at(AmPlot *plot, double dx, double dy);
/* The plot area of the last draw in device units; false before the first draw. */
bool am_plot_panel_get_area(const AmPlotPanel *panel, double *x, double *y, double *w,
                            double *h);
/* Pieces of a panel the layout places, for am_plot_panel_get_box. */
typedef enum {
  AM_PLOT_BOX_LABEL = 0, /* the panel letter, "(a)" */
  AM_PLOT_BOX_TITLE,
  AM_PLOT_BOX_LEGEND,
  AM_PLOT_BOX_X_LABEL,
  AM_PLOT_BOX_Y_LABEL,
  AM_PLOT_BOX_Y2_LABEL,
  AM_PLOT_BOX_COLORBAR_LABEL,
  AM_PLOT_BOX_N
} AmPlotBox;
/* Where the last draw put a piece of the panel, in device units: for text the box of its
 * logical extents (rotated labels turned with it), for the legend its frame. False when
 * the last draw did not draw it (no such text, no legend, or no draw yet). Lets the GUI
 * and tests check that labels, legends and overlaid controls stay apart. */
bool am_plot_panel_get_box(const AmPlotPanel *panel, AmPlotBox box, double *x, double *y,
                           double *w, double *h);
/* The range and major ticks an axis had in the last draw. */
bool am_plot_panel_get_axis_range(const AmPlotPanel *panel, AmPlotAxis axis, double *lo,
                                  double *hi);
size_t am_plot_panel_get_ticks(const AmPlotPanel *panel, AmPlotAxis axis, double *ticks,
                               size_t cap);

/* What lies under device (dx, dy) in the panel under the pointer: the nearest point of
 * its xy and scatter series within radius device units; else the bin of a histogram under
 * the pointer (the one whose top is nearest, when several overlap; x is the bin's centre);
 * else the heatmap cell under it (x, y its centre, value its z). For the GUI's hover. */
typedef struct {
  AmPlotPanel *panel;
  AmPlotSeries *series;
  size_t index;              /* point, bin, or cell (iy * nx + ix) */
  double x, y;
  double y_err_lo, y_err_hi; /* error bar lengths of the point; NaN without */
  double value;              /* scatter colour value, heatmap cell; NaN otherwise */
} AmPlotPick;
bool am_plot_pick(AmPlot *plot, double dx, double dy, double radius, AmPlotPick *pick);
/* A series' legend text as plain text (markup removed; "" without a label), newly
 * allocated. */
char *am_plot_series_dup_plain_label(const AmPlotSeries *series);
/* The y axis a series is measured on (AM_PLOT_AXIS_Y or AM_PLOT_AXIS_Y2). */
AmPlotAxis am_plot_series_get_y_axis(const AmPlotSeries *series);
/* An axis label as plain text ("" without one; for a heatmap's value, the colour bar's
 * label with AM_PLOT_AXIS_Y2 + 1), newly allocated. */
char *am_plot_panel_dup_plain_axis_label(const AmPlotPanel *panel, int axis);

/* ---- tick placement (public so it can be tested and reused, e.g. by a colour bar) -- */

/* Ticks at multiples of 1, 2 or 5 x 10^k inside [lo, hi]: the finest such step that
 * gives at most max_ticks ticks. Writes up to cap ticks, returns how many there are (0
 * for an empty or non-finite range) and the step in *step (may be NULL). */
size_t am_plot_ticks_linear(double lo, double hi, int max_ticks, double *ticks, size_t cap,
                            double *step);
/* Ticks for a log axis on [lo, hi] (lo > 0): powers of ten, every d-th decade with d
 * from 1, 2, 3, 5, 10... when there are more than max_ticks; when fewer than two powers
 * fall inside, 1-2-5 multiples, then linear ticks. Minor ticks (2..9 x 10^k for d = 1,
 * the unlabelled decades for d > 1) go to minor (may be NULL). */
size_t am_plot_ticks_log(double lo, double hi, int max_ticks, double *ticks, size_t cap,
                         double *minor, size_t minor_cap, size_t *n_minor);
/* Formats a tick value as Pango markup for ticks spaced step apart: as many decimals as
 * the step needs, a true minus sign, powers of ten as 10<sup>k</sup> when log_powers. */
void am_plot_format_tick(double value, double step, bool log_powers, char *buf, size_t size);

/* ---- files ----------------------------------------------------------------------- */

/* error follows GError rules (NULL to ignore, else *error must be NULL).
 * Each writes to a temporary file beside path and renames it into place, so a reader
 * never sees a half-written figure. On failure nothing is left behind and error says
 * which file and why. PNG: width x height device units rendered at scale pixels per
 * unit (2 for print quality). SVG and PDF: width x height in points. */
bool am_plot_write_png(AmPlot *plot, const char *path, double width, double height,
                       double scale, GError **error);
bool am_plot_write_svg(AmPlot *plot, const char *path, double width, double height,
                       GError **error);
bool am_plot_write_pdf(AmPlot *plot, const char *path, double width, double height,
                       GError **error);
/* The data of every panel as CSV, one row per point, bin or cell: panel (1-based, insets
 * after their parent), series (plain label, else "series N"), kind (xy, scatter, band,
 * histogram, heatmap), x, y, y_error_low, y_error_high, y_high (band), value (scatter,
 * heatmap), x_low and x_high (histogram bin edges); empty where a column does not apply
 * or a value is NaN. Reference lines are not data and are left out. rows (may be NULL)
 * receives the number of data rows. */
bool am_plot_write_csv(AmPlot *plot, const char *path, size_t *rows, GError **error);
/* Chooses the format from the extension (.png at scale 2, .svg, .pdf). */
bool am_plot_write_file(AmPlot *plot, const char *path, double width, double height,
                        GError **error);
