/* test-plot.c: the cairo plot library, checked on rendered pixels: markers land where
 * am_plot_data_to_device says, error bars have the right length, heatmap cells carry the
 * colour map's colours; tick placement; where the layout puts panel letters and legends
 * (clear of a reserved corner, of the axis labels); atomic PNG/SVG/PDF files and their
 * errors; bad input. With AMORPH_PLOT_DEMO_DIR set, /render/plot/demo-figures leaves its figures
 * there to be looked at. */
#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "render/plot.h"

/* ---- helpers --------------------------------------------------------------------- */

typedef struct {
  int r, g, b, a;
} Px;

static Px pixel(cairo_surface_t *s, double x, double y)
{
  cairo_surface_flush(s);
  int ix = (int)floor(x), iy = (int)floor(y);
  g_assert_cmpint(ix, >=, 0);
  g_assert_cmpint(iy, >=, 0);
  g_assert_cmpint(ix, <, cairo_image_surface_get_width(s));
  g_assert_cmpint(iy, <, cairo_image_surface_get_height(s));
  const unsigned char *d = cairo_image_surface_get_data(s);
  uint32_t v = *(const uint32_t *)(d + (size_t)iy * cairo_image_surface_get_stride(s) + 4 * ix);
  Px p = {(int)(v >> 16 & 0xff), (int)(v >> 8 & 0xff), (int)(v & 0xff), (int)(v >> 24)};
  if (p.a > 0 && p.a < 255) { /* un-premultiply */
    p.r = p.r * 255 / p.a;
    p.g = p.g * 255 / p.a;
    p.b = p.b * 255 / p.a;
  }
  return p;
}

static bool px_is(Px p, AmColor c, int tol)
{
  return abs(p.r - (int)lround(c.r * 255)) <= tol && abs(p.g - (int)lround(c.g * 255)) <= tol &&
         abs(p.b - (int)lround(c.b * 255)) <= tol;
}

static bool px_white(Px p)
{
  return p.r >= 250 && p.g >= 250 && p.b >= 250;
}

static cairo_surface_t *render(AmPlot *plot, int w, int h)
{
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create(s);
  am_plot_draw(plot, cr, w, h);
  g_assert_cmpint(cairo_status(cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy(cr);
  return s;
}

static void assert_ticks(const double *got, size_t n, const double *want, size_t n_want)
{
  g_assert_cmpuint(n, ==, n_want);
  for (size_t i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon(got[i], want[i], 1e-9 * fmax(1.0, fabs(want[i])));
}

/* ---- ticks ----------------------------------------------------------------------- */

static void test_ticks_linear(void)
{
  double t[64], step;
  size_t n;

  n = am_plot_ticks_linear(0, 1, 6, t, 64, &step);
  assert_ticks(t, n, (double[]){0, 0.2, 0.4, 0.6, 0.8, 1.0}, 6);
  g_assert_cmpfloat_with_epsilon(step, 0.2, 1e-15);

  n = am_plot_ticks_linear(0, 1, 11, t, 64, &step);
  g_assert_cmpuint(n, ==, 11);
  g_assert_cmpfloat_with_epsilon(t[3], 0.3, 1e-15);
  g_assert_cmpfloat_with_epsilon(step, 0.1, 1e-15);

  n = am_plot_ticks_linear(-0.37, 2.3, 6, t, 64, &step);
  assert_ticks(t, n, (double[]){0, 0.5, 1.0, 1.5, 2.0}, 5);

  n = am_plot_ticks_linear(50, 1000, 6, t, 64, &step);
  assert_ticks(t, n, (double[]){200, 400, 600, 800, 1000}, 5);

  n = am_plot_ticks_linear(50, 1000, 10, t, 64, &step);
  assert_ticks(t, n, (double[]){100, 200, 300, 400, 500, 600, 700, 800, 900, 1000}, 10);

  n = am_plot_ticks_linear(0, 10, 3, t, 64, &step);
  assert_ticks(t, n, (double[]){0, 5, 10}, 3);

  n = am_plot_ticks_linear(0.0012, 0.0047, 5, t, 64, &step);
  assert_ticks(t, n, (double[]){0.002, 0.003, 0.004}, 3);

  n = am_plot_ticks_linear(-1, 1, 5, t, 64, &step);
  assert_ticks(t, n, (double[]){-1, -0.5, 0, 0.5, 1}, 5);
  g_assert_true(signbit(t[2]) == 0); /* a true zero, so it is not printed as "-0" */

  /* Negative-only ranges and large offsets. */
  n = am_plot_ticks_linear(-7.3, -2.1, 6, t, 64, &step);
  assert_ticks(t, n, (double[]){-7, -6, -5, -4, -3}, 5);
  n = am_plot_ticks_linear(1e6 + 1, 1e6 + 9, 5, t, 64, &step);
  assert_ticks(t, n, (double[]){1e6 + 2, 1e6 + 4, 1e6 + 6, 1e6 + 8}, 4);

  /* cap limits what is written, not what is counted. */
  n = am_plot_ticks_linear(0, 1, 11, t, 3, NULL);
  g_assert_cmpuint(n, ==, 11);

  /* Degenerate input gives no ticks rather than garbage. */
  g_assert_cmpuint(am_plot_ticks_linear(1, 1, 5, t, 64, NULL), ==, 0);
  g_assert_cmpuint(am_plot_ticks_linear(2, 1, 5, t, 64, NULL), ==, 0);
  g_assert_cmpuint(am_plot_ticks_linear(NAN, 1, 5, t, 64, NULL), ==, 0);
  g_assert_cmpuint(am_plot_ticks_linear(0, INFINITY, 5, t, 64, NULL), ==, 0);
}

static void test_ticks_log(void)
{
  double t[64], minor[256];
  size_t n, nm;

  n = am_plot_ticks_log(1, 1000, 10, t, 64, minor, 256, &nm);
  assert_ticks(t, n, (double[]){1, 10, 100, 1000}, 4);
  g_assert_cmpuint(nm, ==, 24);
  g_assert_cmpfloat_with_epsilon(minor[0], 2, 1e-12);

  /* Seven decades, at most four ticks: every second decade, keeping 10^0. */
  n = am_plot_ticks_log(1e-6, 1, 4, t, 64, minor, 256, &nm);
  assert_ticks(t, n, (double[]){1e-6, 1e-4, 1e-2, 1}, 4);
  assert_ticks(minor, nm, (double[]){1e-5, 1e-3, 1e-1}, 3);

  /* Only one power inside: 1-2-5 multiples. */
  n = am_plot_ticks_log(2, 30, 6, t, 64, minor, 256, &nm);
  assert_ticks(t, n, (double[]){2, 5, 10, 20}, 4);

  /* Within a decade: every digit, then linear ticks when those are too many. */
  n = am_plot_ticks_log(0.3, 0.9, 8, t, 64, NULL, 0, &nm);
  assert_ticks(t, n, (double[]){0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}, 7);
  n = am_plot_ticks_log(0.3, 0.9, 5, t, 64, NULL, 0, &nm);
  assert_ticks(t, n, (double[]){0.4, 0.6, 0.8}, 3);

  g_assert_cmpuint(am_plot_ticks_log(0, 10, 5, t, 64, NULL, 0, &nm), ==, 0);
  g_assert_cmpuint(am_plot_ticks_log(-1, 10, 5, t, 64, NULL, 0, &nm), ==, 0);
}

static void test_tick_format(void)
{
  char b[64];
  am_plot_format_tick(0.1 + 0.2, 0.1, false, b, sizeof b);
  g_assert_cmpstr(b, ==, "0.3");
  am_plot_format_tick(-0.5, 0.5, false, b, sizeof b);
  g_assert_cmpstr(b, ==, "\xe2\x88\x92" "0.5");
  am_plot_format_tick(1000, 200, false, b, sizeof b);
  g_assert_cmpstr(b, ==, "1000");
  am_plot_format_tick(0.05, 0.05, false, b, sizeof b);
  g_assert_cmpstr(b, ==, "0.05");
  am_plot_format_tick(-1e-17, 0.1, false, b, sizeof b);
  g_assert_cmpstr(b, ==, "0.0");
  am_plot_format_tick(0, 0.1, false, b, sizeof b);
  g_assert_cmpstr(b, ==, "0");
  am_plot_format_tick(100, NAN, true, b, sizeof b);
  g_assert_cmpstr(b, ==, "10<sup>2</sup>");
  am_plot_format_tick(1e-3, NAN, true, b, sizeof b);
  g_assert_cmpstr(b, ==, "10<sup>\xe2\x88\x92" "3</sup>");
  am_plot_format_tick(20, NAN, false, b, sizeof b);
  g_assert_cmpstr(b, ==, "20");
  am_plot_format_tick(5e-5, NAN, false, b, sizeof b);
  g_assert_cmpstr(b, ==, "5×10<sup>\xe2\x88\x92" "5</sup>");
}

/* ---- pixels ---------------------------------------------------------------------- */

static void test_marker_position(void)
{
  AmPlot *plot = am_plot_new();
  AmPlotPanel *p = am_plot_add_panel(plot);
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "<i>T</i> (K)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "<i>G</i>″ (GPa)");
  am_plot_panel_set_legend(p, AM_PLOT_LEGEND_NONE);
  const double x[] = {100, 250, 400, 720, 960};
  const double y[] = {0.12, 0.55, 0.31, 0.8, 0.05};
  AmPlotSeries *s = am_plot_panel_add_xy(p, x, y, 5, AM_PLOT_MARKERS, "G″");
  AmColor c = am_color_from_hex(0xD55E00);
  am_plot_series_set_color(s, c);
  am_plot_series_set_marker(s, AM_PLOT_MARKER_SQUARE, 8, true);
  /* A second series on the right axis, in another colour. */
  const double y2[] = {3, 1};
  const double x2[] = {550, 850};
  AmPlotSeries *s2 = am_plot_panel_add_xy(p, x2, y2, 2, AM_PLOT_MARKERS, NULL);
  AmColor c2 = am_color_from_hex(0x0072B2);
  am_plot_series_set_color(s2, c2);
  am_plot_series_set_y_axis(s2, AM_PLOT_AXIS_Y2);

  g_assert_false(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 1, 1, NULL, NULL)); /* not drawn */
  cairo_surface_t *img = render(plot, 480, 360);

  for (int i = 0; i < 5; i++) {
    double dx, dy, bx, by;
    g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, x[i], y[i], &dx, &dy));
    g_assert_true(px_is(pixel(img, dx, dy), c, 2));
    /* Four marker widths away there is no ink of this series. */
    g_assert_false(px_is(pixel(img, dx + 14, dy), c, 40));
    g_assert_true(am_plot_device_to_data(p, AM_PLOT_AXIS_Y, dx, dy, &bx, &by));
    g_assert_cmpfloat_with_epsilon(bx, x[i], 1e-9);
    g_assert_cmpfloat_with_epsilon(by, y[i], 1e-9);
  }
  for (int i = 0; i < 2; i++) {
    double dx, dy;
    g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y2, x2[i], y2[i], &dx, &dy));
    g_assert_true(px_is(pixel(img, dx, dy), c2, 2));
  }
  /* The left and right axes differ: the same value maps to different heights. */
  double ya, yb;
  am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 500, 1.0, NULL, &ya);
  am_plot_data_to_device(p, AM_PLOT_AXIS_Y2, 500, 1.0, NULL, &yb);
  g_assert_cmpfloat(fabs(ya - yb), >, 10);

  /* Every tick lies inside the axis range and ticks are evenly spaced. */
  double lo, hi, t[64];
  g_assert_true(am_plot_panel_get_axis_range(p, AM_PLOT_AXIS_X, &lo, &hi));
  size_t n = am_plot_panel_get_ticks(p, AM_PLOT_AXIS_X, t, 64);
  g_assert_cmpuint(n, >=, 3);
  for (size_t i = 0; i < n; i++) {
    g_assert_cmpfloat(t[i], >=, lo);
    g_assert_cmpfloat(t[i], <=, hi);
    if (i > 1)
      g_assert_cmpfloat_with_epsilon(t[i] - t[i - 1], t[1] - t[0], 1e-9);
  }
  /* The auto range covers the data with 5 % padding on both ends. */
  g_assert_cmpfloat_with_epsilon(lo, 100 - 0.05 * 860, 1e-9);
  g_assert_cmpfloat_with_epsilon(hi, 960 + 0.05 * 860, 1e-9);

  /* Picking: near the third point, the third point. */
  double dx, dy;
  AmPlotPick pick;
  am_plot_data_to_device(p, AM_PLOT_AXIS_Y, x[2], y[2], &dx, &dy);
  g_assert_true(am_plot_pick(plot, dx + 3, dy - 2, 8, &pick));
  g_assert_true(pick.series == s);
  g_assert_cmpuint(pick.index, ==, 2);
  g_assert_true(am_plot_panel_at(plot, dx, dy) == p);
  g_assert_null(am_plot_panel_at(plot, 1, 1));

  cairo_surface_destroy(img);
  am_plot_free(plot);
}

/* Scans from (x, y0) in direction dir (-1 up, +1 down) while the pixel is of colour c;
 * returns the last such row. */
static int scan_run(cairo_surface_t *img, double x, int y0, int dir, AmColor c)
{
  int y = y0;
  while (y + dir >= 0 && y + dir < cairo_image_surface_get_height(img) &&
         !px_white(pixel(img, x, y + dir + 0.5)) && px_is(pixel(img, x, y + dir + 0.5), c, 120))
    y += dir;
  return y;
}

static void test_error_bar_length(void)
{
  AmPlot *plot = am_plot_new();
  AmPlotPanel *p = am_plot_add_panel(plot);
  am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_X, 0, 1);
  am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_Y, 0, 1);
  const double x[] = {0.5}, y[] = {0.5}, elo[] = {0.3}, ehi[] = {0.1}, ex[] = {0.2};
  AmPlotSeries *s = am_plot_panel_add_xy(p, x, y, 1, AM_PLOT_MARKERS, NULL);
  AmColor c = am_color_from_hex(0x000000);
  am_plot_series_set_color(s, c);
  am_plot_series_set_marker(s, AM_PLOT_MARKER_CIRCLE, 4, true);
  am_plot_series_set_y_errors(s, elo, ehi);
  am_plot_series_set_x_errors(s, ex, NULL);
  cairo_surface_t *img = render(plot, 400, 400);

  double cx, cy, top, bottom, left, right;
  am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 0.5, 0.5, &cx, &cy);
  am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 0.3, 0.6, &left, &top);
  am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 0.7, 0.2, &right, &bottom);
  int up = scan_run(img, cx, (int)cy, -1, c);
  int down = scan_run(img, cx, (int)cy, +1, c);
  g_test_message("bar rows %d..%d, expected %.1f..%.1f", up, down, top, bottom);
  g_assert_cmpfloat(fabs(up - top), <=, 1.5);
  g_assert_cmpfloat(fabs(down + 1 - bottom), <=, 1.5);
  /* The bar is 0.4 of the axis long below... and 0.1 above: asymmetric as asked. */
  g_assert_cmpfloat(fabs((bottom - cy) / (cy - top) - 3.0), <, 0.05);

  /* Horizontal bar, symmetric. */
  int x0 = (int)cx, xl = x0, xr = x0;
  while (!px_white(pixel(img, xl - 1 + 0.5, cy)))
    xl--;
  while (!px_white(pixel(img, xr + 1 + 0.5, cy)))
    xr++;
  g_assert_cmpfloat(fabs(xl - left), <=, 1.5);
  g_assert_cmpfloat(fabs(xr + 1 - right), <=, 1.5);
  cairo_surface_destroy(img);
  am_plot_free(plot);
}

static void test_heatmap_colors(void)
{
  AmPlot *plot = am_plot_new();
  AmPlotPanel *p = am_plot_add_panel(plot);
  enum { NX = 4, NY = 3 };
  double z[NX * NY];
  for (int iy = 0; iy < NY; iy++)
    for (int ix = 0; ix < NX; ix++)
      z[iy * NX + ix] = ix + 4.0 * iy;
  z[1 * NX + 2] = NAN; /* a hole */
  AmPlotSeries *h = am_plot_panel_add_heatmap(p, z, NX, NY, -2.0, 2.0, -1.5, 1.5,
                                              AM_COLORMAP_VIRIDIS);
  g_assert_nonnull(h);
  am_plot_series_set_value_range(h, 0, 11, false);
  am_plot_panel_set_colorbar_label(p, "density");
  am_plot_panel_set_equal_aspect(p, true);
  cairo_surface_t *img = render(plot, 500, 360);

  for (int iy = 0; iy < NY; iy++) {
    for (int ix = 0; ix < NX; ix++) {
      double dx, dy;
      double xc = -2.0 + (ix + 0.5), yc = -1.5 + (iy + 0.5);
      g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, xc, yc, &dx, &dy));
      Px px = pixel(img, dx, dy);
      if (isnan(z[iy * NX + ix])) {
        g_assert_true(px_white(px));
        continue;
      }
      AmColor want = am_colormap_value(AM_COLORMAP_VIRIDIS, z[iy * NX + ix], 0, 11, false);
      if (!px_is(px, want, 2))
        g_error("cell %d,%d: pixel %d %d %d, want %.0f %.0f %.0f", ix, iy, px.r, px.g, px.b,
                want.r * 255, want.g * 255, want.b * 255);
    }
  }
  /* Equal aspect: one unit is as long on x as on y. */
  double ax0, ay0, ax1, ay1;
  am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 0, 0, &ax0, &ay0);
  am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 1, 1, &ax1, &ay1);
  g_assert_cmpfloat_with_epsilon(ax1 - ax0, ay0 - ay1, 1e-9);
  /* The heatmap fills its axes exactly: no padding around an image. */
  double lo, hi;
  am_plot_panel_get_axis_range(p, AM_PLOT_AXIS_X, &lo, &hi);
  g_assert_cmpfloat(lo, ==, -2.0);
  g_assert_cmpfloat(hi, ==, 2.0);
  /* Right of the plot area, the colour bar shows the map's top colour near its top. */
  double x, y, w, hh;
  am_plot_panel_get_area(p, &x, &y, &w, &hh);
  AmColor top = am_colormap_eval(AM_COLORMAP_VIRIDIS, 1.0);
  bool found = false;
  for (int k = 1; k < 40 && !found; k++)
    found = px_is(pixel(img, x + w + k, y + 2), top, 6);
  g_assert_true(found);
  cairo_surface_destroy(img);
  am_plot_free(plot);
}

static void test_scatter_colors(void)
{
  /* Colour by value on a log colour scale: 1, 10, 100 are the ends and the middle of the
   * map; a NaN value is drawn hollow rather than dropped. */
  AmPlot *plot = am_plot_new();
  AmPlotPanel *p = am_plot_add_panel(plot);
  const double x[] = {1, 2, 3, 4}, y[] = {1, 2, 1, 2}, v[] = {1, 10, 100, NAN};
  AmPlotSeries *s = am_plot_panel_add_scatter(p, x, y, v, 4, AM_COLORMAP_VIRIDIS, NULL);
  am_plot_series_set_value_range(s, NAN, NAN, true);
  am_plot_series_set_marker(s, AM_PLOT_MARKER_SQUARE, 10, true);
  am_plot_panel_set_colorbar_label(p, "<i>N</i>");
  cairo_surface_t *img = render(plot, 400, 300);
  for (int i = 0; i < 3; i++) {
    double dx, dy;
    g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, x[i], y[i], &dx, &dy));
    g_assert_true(px_is(pixel(img, dx, dy), am_colormap_eval(AM_COLORMAP_VIRIDIS, i / 2.0), 2));
  }
  double dx, dy;
  am_plot_data_to_device(p, AM_PLOT_AXIS_Y, x[3], y[3], &dx, &dy);
  g_assert_true(px_white(pixel(img, dx, dy)));                  /* hollow centre */
  g_assert_false(px_white(pixel(img, dx + 0.44 * 10 + 0.2, dy))); /* grey outline */
  cairo_surface_destroy(img);
  am_plot_free(plot);
}

static void test_histogram_log(void)
{
  /* A histogram on a log y axis: the bar of a bin reaches its value; empty bins draw
   * nothing above the baseline; auto range covers positive values only. */
  AmPlot *plot = am_plot_new();
  AmPlotPanel *p = am_plot_add_panel(plot);
  const double edges[] = {0, 1, 2, 3, 4};
  const double v[] = {100, 0, 1, 10};
  AmPlotSeries *s = am_plot_panel_add_histogram(p, edges, v, 4, AM_PLOT_HIST_FILLED, "p");
  AmColor c = am_color_from_hex(0x0072B2);
  am_plot_series_set_color(s, c);
  am_plot_panel_set_axis_log(p, AM_PLOT_AXIS_Y, true);
  cairo_surface_t *img = render(plot, 400, 300);
  double lo, hi;
  g_assert_true(am_plot_panel_get_axis_range(p, AM_PLOT_AXIS_Y, &lo, &hi));
  g_assert_cmpfloat(lo, <, 1);
  g_assert_cmpfloat(lo, >, 0.5);
  g_assert_cmpfloat(hi, >, 100);
  g_assert_cmpfloat(hi, <, 200);
  double t[64];
  size_t n = am_plot_panel_get_ticks(p, AM_PLOT_AXIS_Y, t, 64);
  assert_ticks(t, n, (double[]){1, 10, 100}, 3);
  /* Inside bin 3 (value 10), below 10 is filled (translucent), above 10 is white. */
  double dx, d10, d30;
  am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 3.5, 10, &dx, &d10);
  am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 3.5, 30, NULL, &d30);
  g_assert_false(px_white(pixel(img, dx, d10 + 5)));
  g_assert_true(px_white(pixel(img, dx, d30)));
  /* The empty bin draws nothing in its middle. */
  double e;
  am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 1.5, 3, &dx, &e);
  g_assert_true(px_white(pixel(img, dx, e)));
  cairo_surface_destroy(img);
  am_plot_free(plot);
}

static void test_band_and_updates(void)
{
  /* A band is tinted between lo and hi and white outside; replacing data moves it. */
  AmPlot *plot = am_plot_new();
  AmPlotPanel *p = am_plot_add_panel(plot);
  am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_X, 0, 4);
  am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_Y, 0, 4);
  const double x[] = {0, 4}, lo[] = {1, 1}, hi[] = {2, 2};
  AmPlotSeries *b = am_plot_panel_add_band(p, x, lo, hi, 2, NULL);
  AmColor c = am_color_from_hex(0x0072B2);
  am_plot_series_set_color(b, c);
  cairo_surface_t *img = render(plot, 300, 300);
  double dx, din, dout;
  am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 2, 1.5, &dx, &din);
  am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 2, 3.0, NULL, &dout);
  Px in = pixel(img, dx, din);
  /* 25 % of the colour over white. */
  AmColor tint = {1 + 0.25 * (c.r - 1), 1 + 0.25 * (c.g - 1), 1 + 0.25 * (c.b - 1), 1};
  g_assert_true(px_is(in, tint, 3));
  g_assert_true(px_white(pixel(img, dx, dout)));
  cairo_surface_destroy(img);

  const double lo2[] = {2.5, 2.5}, hi2[] = {3.5, 3.5};
  g_assert_true(am_plot_series_set_data(b, x, lo2, hi2, 2));
  g_assert_false(am_plot_series_set_data(b, x, lo2, NULL, 2));
  img = render(plot, 300, 300);
  g_assert_true(px_white(pixel(img, dx, din)));
  g_assert_true(px_is(pixel(img, dx, dout), tint, 3));
  cairo_surface_destroy(img);

  /* Histogram and heatmap replacement validate like the constructors. */
  const double e[] = {0, 1, 2}, v[] = {1, 2}, bad[] = {0, 0, 1};
  AmPlotSeries *h = am_plot_panel_add_histogram(p, e, v, 2, AM_PLOT_HIST_STEP, NULL);
  g_assert_true(am_plot_series_set_histogram(h, e, v, 2));
  g_assert_false(am_plot_series_set_histogram(h, bad, v, 2));
  g_assert_false(am_plot_series_set_heatmap(h, v, 1, 2, 0, 1, 0, 1));
  g_assert_false(am_plot_series_set_data(h, e, v, NULL, 2));
  am_plot_free(plot);
}

static void test_inset_and_exponent(void)
{
  AmPlot *plot = am_plot_new();
  AmPlotPanel *p = am_plot_add_panel(plot);
  const double x[] = {0, 1e5, 3e5}, y[] = {2e-4, 1e-4, 3e-4};
  am_plot_panel_add_xy(p, x, y, 3, AM_PLOT_LINE, NULL);
  am_plot_panel_set_axis_tight(p, AM_PLOT_AXIS_X, true);
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "steps");
  AmPlotPanel *in = am_plot_panel_add_inset(p, 0.5, 0.5, 0.45, 0.45);
  g_assert_nonnull(in);
  const double ix[] = {1, 2, 3}, iy[] = {10, 30, 20};
  AmPlotSeries *s = am_plot_panel_add_xy(in, ix, iy, 3, AM_PLOT_MARKERS, NULL);
  AmColor c = am_color_from_hex(0x009E73);
  am_plot_series_set_color(s, c);
  cairo_surface_t *img = render(plot, 500, 400);
  /* Big and small numbers get a common power of ten instead of long labels. */
  double t[64];
  size_t n = am_plot_panel_get_ticks(p, AM_PLOT_AXIS_X, t, 64);
  g_assert_cmpuint(n, >=, 3);
  g_assert_cmpfloat(t[n - 1], ==, 3e5);
  /* Inset markers are where the inset's own mapping says, and the inset is found. */
  for (int i = 0; i < 3; i++) {
    double dx, dy;
    g_assert_true(am_plot_data_to_device(in, AM_PLOT_AXIS_Y, ix[i], iy[i], &dx, &dy));
    g_assert_true(px_is(pixel(img, dx, dy), c, 2));
    g_assert_true(am_plot_panel_at(plot, dx, dy) == in);
  }
  double ax, ay, aw, ah;
  am_plot_panel_get_area(p, &ax, &ay, &aw, &ah);
  g_assert_true(am_plot_panel_at(plot, ax + 0.1 * aw, ay + 0.9 * ah) == p);
  cairo_surface_destroy(img);

  /* A heatmap on a log axis is drawn cell by cell, still with the map's colours. */
  AmPlot *hp = am_plot_new();
  AmPlotPanel *q = am_plot_add_panel(hp);
  const double z[] = {0, 1, 2, 3};
  am_plot_panel_add_heatmap(q, z, 4, 1, 1, 10001, 0, 1, AM_COLORMAP_CIVIDIS);
  am_plot_panel_set_axis_log(q, AM_PLOT_AXIS_X, true);
  img = render(hp, 400, 200);
  for (int i = 0; i < 4; i++) {
    double dx, dy, xc = 1 + 2500 * (i + 0.5);
    g_assert_true(am_plot_data_to_device(q, AM_PLOT_AXIS_Y, xc, 0.5, &dx, &dy));
    g_assert_true(px_is(pixel(img, dx, dy), am_colormap_eval(AM_COLORMAP_CIVIDIS, i / 3.0), 2));
  }
  cairo_surface_destroy(img);
  am_plot_free(hp);
  am_plot_free(plot);
}

static void test_panels_aligned(void)
{
  AmPlot *plot = am_plot_new();
  am_plot_set_grid(plot, 2, 2);
  am_plot_set_title(plot, "Two by two");
  const double x[] = {0, 1, 2}, ya[] = {0, 1, 2}, yb[] = {-12345.6, 3, 99999};
  for (int i = 0; i < 4; i++) {
    AmPlotPanel *p = am_plot_add_panel(plot);
    char lab[8];
    g_snprintf(lab, sizeof lab, "(%c)", 'a' + i);
    am_plot_panel_set_label(p, lab);
    am_plot_panel_add_xy(p, x, i % 3 == 0 ? ya : yb, 3, AM_PLOT_LINE_MARKERS, NULL);
    if (i == 1)
      am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "a long<br/>label");
  }
  cairo_surface_t *img = render(plot, 640, 480);
  double area[4][4];
  for (int i = 0; i < 4; i++)
    g_assert_true(am_plot_panel_get_area(am_plot_get_panel(plot, i), &area[i][0], &area[i][1],
                                         &area[i][2], &area[i][3]));
  /* Rows share top and bottom, columns share left and right. */
  g_assert_cmpfloat(area[0][1], ==, area[1][1]);
  g_assert_cmpfloat(area[0][3], ==, area[1][3]);
  g_assert_cmpfloat(area[2][1], ==, area[3][1]);
  g_assert_cmpfloat(area[0][0] - 0, ==, area[2][0]);
  g_assert_cmpfloat(area[1][0], ==, area[3][0]);
  g_assert_cmpfloat(area[1][2], ==, area[3][2]);
  g_assert_cmpfloat(area[0][1] + area[0][3], <, area[2][1]);
  cairo_surface_destroy(img);
  am_plot_free(plot);
}

static void test_bad_input(void)
{
  AmPlot *plot = am_plot_new();
  AmPlotPanel *p = am_plot_add_panel(plot);
  /* Broken markup is kept as literal text and reported. */
  g_assert_false(am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "<b>unclosed"));
  g_assert_true(am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "σ<sub><i>xy</i></sub> (GPa)"));
  g_assert_false(am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_X, 3, 1));
  g_assert_false(am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_X, 1, INFINITY));
  am_plot_panel_set_axis_log(p, AM_PLOT_AXIS_Y, true);
  g_assert_false(am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_Y, -1, 10));
  /* Histogram edges that do not ascend are refused. */
  const double bad_edges[] = {0, 2, 1};
  const double hv[] = {1, 1};
  g_assert_null(am_plot_panel_add_histogram(p, bad_edges, hv, 2, AM_PLOT_HIST_STEP, NULL));
  g_assert_null(am_plot_panel_add_heatmap(p, hv, 1, 2, 1, 0, 0, 1, AM_COLORMAP_VIRIDIS));
  g_assert_null(am_plot_panel_add_inset(p, 0.5, 0.5, 0.8, 0.2));
  /* NaN, infinities and non-positive values on the log axis are skipped. */
  const double x[] = {0, 1, NAN, 3, 4, INFINITY};
  const double y[] = {1, -2, 5, NAN, 0, 7};
  AmPlotSeries *s = am_plot_panel_add_xy(p, x, y, 6, AM_PLOT_LINE_MARKERS, "<i>bad</i>");
  g_assert_nonnull(s);
  const double nan_z[] = {NAN, NAN, NAN, NAN};
  g_assert_nonnull(am_plot_panel_add_heatmap(p, nan_z, 2, 2, 0, 1, 0, 1, AM_COLORMAP_CIVIDIS));
  am_plot_panel_add_xy(p, NULL, NULL, 0, AM_PLOT_LINE, "empty");
  cairo_surface_t *img = render(plot, 300, 200);
  double lo, hi;
  g_assert_true(am_plot_panel_get_axis_range(p, AM_PLOT_AXIS_Y, &lo, &hi));
  g_assert_cmpfloat(lo, >, 0); /* only the positive y = 1 was usable */
  g_assert_true(isfinite(hi));
  double dx;
  g_assert_false(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 1, -2, &dx, NULL));
  g_assert_false(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, NAN, 1, &dx, NULL));
  cairo_surface_destroy(img);

  /* An empty figure and absurd sizes draw nothing and do not crash. */
  AmPlot *empty = am_plot_new();
  cairo_surface_destroy(render(empty, 50, 50));
  cairo_surface_destroy(render(plot, 8, 8));
  cairo_surface_t *tiny = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 4, 4);
  cairo_t *cr = cairo_create(tiny);
  am_plot_draw(plot, cr, 0, NAN);
  cairo_destroy(cr);
  cairo_surface_destroy(tiny);
  g_assert_false(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 1, 1, NULL, NULL));
  am_plot_free(empty);
  am_plot_free(plot);
}

/* ---- files ----------------------------------------------------------------------- */

static AmPlot *small_plot(void)
{
  AmPlot *plot = am_plot_new();
  AmPlotPanel *p = am_plot_add_panel(plot);
  const double x[] = {0, 1, 2, 3}, y[] = {1, 3, 2, 4};
  am_plot_panel_add_xy(p, x, y, 4, AM_PLOT_LINE_MARKERS, "data");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "<i>t</i> (ps)");
  return plot;
}

static void test_files(void)
{
  GError *err = NULL;
  char *dir = g_dir_make_tmp("amorph-plot-XXXXXX", &err);
  g_assert_no_error(err);
  AmPlot *plot = small_plot();
  char *png = g_build_filename(dir, "fig.png", NULL);
  char *svg = g_build_filename(dir, "fig.svg", NULL);
  char *pdf = g_build_filename(dir, "fig.pdf", NULL);
  g_assert_true(am_plot_write_png(plot, png, 320, 240, 2.0, &err));
  g_assert_no_error(err);
  g_assert_true(am_plot_write_svg(plot, svg, 320, 240, &err));
  g_assert_no_error(err);
  g_assert_true(am_plot_write_file(plot, pdf, 320, 240, &err));
  g_assert_no_error(err);

  cairo_surface_t *img = cairo_image_surface_create_from_png(png);
  g_assert_cmpint(cairo_surface_status(img), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint(cairo_image_surface_get_width(img), ==, 640);
  g_assert_cmpint(cairo_image_surface_get_height(img), ==, 480);
  /* Layout scales: the plot area in the PNG is the on-screen area times 2. */
  double x, y, w, h;
  am_plot_panel_get_area(am_plot_get_panel(plot, 0), &x, &y, &w, &h);
  g_assert_false(px_white(pixel(img, 2 * x + 0.5, 2 * (y + h / 2))));
  g_assert_true(px_white(pixel(img, 2 * x - 4, 2 * (y + 3))));
  cairo_surface_destroy(img);

  char *text = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(svg, &text, &len, NULL));
  g_assert_nonnull(strstr(text, "<svg"));
  g_assert_nonnull(strstr(text, "320pt"));
  g_free(text);
  g_assert_true(g_file_get_contents(pdf, &text, &len, NULL));
  g_assert_true(len > 100 && memcmp(text, "%PDF", 4) == 0);
  g_free(text);

  /* Overwriting works, and no temporary files are left behind. */
  g_assert_true(am_plot_write_png(plot, png, 100, 80, 1.0, &err));
  g_assert_no_error(err);
  GDir *d = g_dir_open(dir, 0, NULL);
  int n = 0;
  while (g_dir_read_name(d))
    n++;
  g_dir_close(d);
  g_assert_cmpint(n, ==, 3);

  g_unlink(png);
  g_unlink(svg);
  g_unlink(pdf);
  g_rmdir(dir);
  g_free(png);
  g_free(svg);
  g_free(pdf);
  g_free(dir);
  am_plot_free(plot);
}

/* CSV: one row per point, bin and cell, with error bars and labels as plain text; the
 * pick finds histogram bins and heatmap cells under the pointer. */
static void test_csv_and_pick(void)
{
  AmPlot *plot = am_plot_new();
  AmPlotPanel *p = am_plot_add_panel(plot);
  const double x[3] = {100, 300, 500}, y[3] = {0.2, 0.5, 0.3}, e[3] = {0.01, 0.02, NAN};
  AmPlotSeries *s = am_plot_panel_add_xy(p, x, y, 3, AM_PLOT_LINE_MARKERS, "<i>G</i>″, \"mean\"");
  am_plot_series_set_y_errors(s, e, NULL);
  am_plot_panel_add_reference_line(p, AM_PLOT_AXIS_Y, 0.4, "not data");
  AmPlotPanel *q = am_plot_add_panel(plot);
  const double edges[5] = {0, 1, 2, 3, 4}, counts[4] = {0.1, 0.4, 0.3, 0.2};
  am_plot_panel_add_histogram(q, edges, counts, 4, AM_PLOT_HIST_STEP, NULL);
  AmPlotPanel *h = am_plot_add_panel(plot);
  const double z[6] = {1, 2, 3, 4, 5, 6};
  am_plot_panel_add_heatmap(h, z, 3, 2, -3, 3, -1, 1, AM_COLORMAP_VIRIDIS);
  am_plot_set_grid(plot, 1, 3);

  GError *err = NULL;
  char *dir = g_dir_make_tmp("amorph-plot-XXXXXX", &err);
  g_assert_no_error(err);
  char *path = g_build_filename(dir, "data.csv", NULL);
  size_t rows = 0;
  g_assert_true(am_plot_write_csv(plot, path, &rows, &err));
  g_assert_no_error(err);
  g_assert_cmpuint(rows, ==, 3 + 4 + 6);
  char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  char **lines = g_strsplit(text, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 1 + rows + 1); /* header, rows, "" after the last \n */
  g_assert_cmpstr(lines[0], ==, "panel,series,kind,x,y,y_error_low,y_error_high,y_high,value,x_low,x_high");
  g_assert_cmpstr(lines[1], ==, "1,\"G″, \"\"mean\"\"\",xy,100,0.2,0.01,0.01,,,,");
  g_assert_cmpstr(lines[3], ==, "1,\"G″, \"\"mean\"\"\",xy,500,0.3,,,,,,");
  g_assert_cmpstr(lines[5], ==, "2,\"series 1\",histogram,1.5,0.4,,,,,1,2");
  g_assert_cmpstr(lines[8], ==, "3,\"series 1\",heatmap,-2,-0.5,,,,1,,");
  g_assert_cmpstr(lines[13], ==, "3,\"series 1\",heatmap,2,0.5,,,,6,,");
  g_strfreev(lines);
  g_free(text);
  g_assert_false(am_plot_write_csv(plot, "", NULL, &err));
  g_assert_error(err, AM_PLOT_ERROR, AM_PLOT_ERROR_INVALID);
  g_clear_error(&err);

  /* Picks, after a draw: the point with its error bar, a bin, a cell. */
  cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 900, 300);
  cairo_t *cr = cairo_create(img);
  am_plot_draw(plot, cr, 900, 300);
  cairo_destroy(cr);
  double dx, dy;
  AmPlotPick pick;
  g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 300, 0.5, &dx, &dy));
  g_assert_true(am_plot_pick(plot, dx + 2, dy + 2, 8, &pick));
  g_assert_cmpuint(pick.index, ==, 1);
  g_assert_cmpfloat(pick.y_err_lo, ==, 0.02);
  g_assert_cmpfloat(pick.y_err_hi, ==, 0.02);
  g_assert_true(isnan(pick.value));
  g_assert_cmpint(am_plot_series_get_y_axis(pick.series), ==, AM_PLOT_AXIS_Y);
  char *label = am_plot_series_dup_plain_label(pick.series);
  g_assert_cmpstr(label, ==, "G″, \"mean\"");
  g_free(label);
  g_assert_true(am_plot_data_to_device(q, AM_PLOT_AXIS_Y, 2.5, 0.05, &dx, &dy));
  g_assert_true(am_plot_pick(plot, dx, dy, 8, &pick));
  g_assert_cmpuint(pick.index, ==, 2);
  g_assert_cmpfloat(pick.x, ==, 2.5);
  g_assert_cmpfloat(pick.y, ==, 0.3);
  g_assert_true(am_plot_data_to_device(h, AM_PLOT_AXIS_Y, 1.5, 0.5, &dx, &dy));
  g_assert_true(am_plot_pick(plot, dx, dy, 8, &pick));
  g_assert_cmpuint(pick.index, ==, 5);
  g_assert_cmpfloat(pick.value, ==, 6);
  g_assert_cmpfloat(pick.x, ==, 2);
  cairo_surface_destroy(img);

  g_unlink(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
  am_plot_free(plot);
}

static void test_file_errors(void)
{
  GError *err = NULL;
  AmPlot *plot = small_plot();
  char *dir = g_dir_make_tmp("amorph-plot-XXXXXX", &err);
  g_assert_no_error(err);

  char *missing = g_build_filename(dir, "no-such-dir", "fig.png", NULL);
  g_assert_false(am_plot_write_png(plot, missing, 320, 240, 1.0, &err));
  g_assert_error(err, AM_PLOT_ERROR, AM_PLOT_ERROR_IO);
  g_assert_nonnull(strstr(err->message, missing));
  g_test_message("%s", err->message);
  g_clear_error(&err);
  g_assert_false(am_plot_write_svg(plot, missing, 320, 240, &err));
  g_assert_error(err, AM_PLOT_ERROR, AM_PLOT_ERROR_IO);
  g_clear_error(&err);

  char *bad_ext = g_build_filename(dir, "fig.jpeg", NULL);
  g_assert_false(am_plot_write_file(plot, bad_ext, 320, 240, &err));
  g_assert_error(err, AM_PLOT_ERROR, AM_PLOT_ERROR_INVALID);
  g_clear_error(&err);

  char *ok = g_build_filename(dir, "fig.png", NULL);
  g_assert_false(am_plot_write_png(plot, ok, 320, 240, 1000.0, &err));
  g_assert_error(err, AM_PLOT_ERROR, AM_PLOT_ERROR_INVALID);
  g_clear_error(&err);
  g_assert_false(am_plot_write_pdf(plot, ok, -5, NAN, &err));
  g_assert_error(err, AM_PLOT_ERROR, AM_PLOT_ERROR_INVALID);
  g_clear_error(&err);
  g_assert_false(g_file_test(ok, G_FILE_TEST_EXISTS));

  /* A directory without write permission (root ignores permissions: skip then). */
  if (geteuid() != 0) {
    g_assert_cmpint(g_chmod(dir, 0555), ==, 0);
    g_assert_false(am_plot_write_pdf(plot, ok, 320, 240, &err));
    g_assert_error(err, AM_PLOT_ERROR, AM_PLOT_ERROR_IO);
    g_clear_error(&err);
    g_chmod(dir, 0755);
  }
  /* A path that is a directory cannot be replaced by a figure. */
  char *sub = g_build_filename(dir, "sub.svg", NULL);
  g_assert_cmpint(g_mkdir(sub, 0755), ==, 0);
  g_assert_false(am_plot_write_svg(plot, sub, 320, 240, &err));
  g_assert_error(err, AM_PLOT_ERROR, AM_PLOT_ERROR_IO);
  g_clear_error(&err);
  g_rmdir(sub);

  GDir *d = g_dir_open(dir, 0, NULL);
  g_assert_null(g_dir_read_name(d)); /* nothing left behind */
  g_dir_close(d);
  g_rmdir(dir);
  g_free(sub);
  g_free(missing);
  g_free(bad_ext);
  g_free(ok);
  g_free(dir);
  am_plot_free(plot);
}

static void test_legend_auto(void)
{
  /* Data fill the upper right and the lower half: the legend goes upper left. */
  AmPlot *plot = am_plot_new();
  AmPlotPanel *p = am_plot_add_panel(plot);
  double x[200], y[200];
  for (int i = 0; i < 100; i++) {
    x[i] = 0.6 + 0.4 * i / 99.0;
    y[i] = 0.95;
    x[100 + i] = i / 99.0;
    y[100 + i] = 0.1 + 0.2 * (i % 7) / 6.0;
  }
  AmPlotSeries *s = am_plot_panel_add_xy(p, x, y, 200, AM_PLOT_MARKERS, "a long legend entry");
  am_plot_series_set_marker(s, AM_PLOT_MARKER_CIRCLE, 3, true);
  am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_X, 0, 1);
  am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_Y, 0, 1);
  cairo_surface_t *img = render(plot, 400, 300);
  double ax, ay, aw, ah;
  am_plot_panel_get_area(p, &ax, &ay, &aw, &ah);
  /* The legend (grey frame, dark text) is the only neutral grey ink inside the plot
   * area, the markers are blue: count grey pixels per quadrant. */
  int count[2][2] = {{0, 0}, {0, 0}};
  for (int j = (int)ay + 2; j < (int)(ay + ah) - 2; j++)
    for (int i = (int)ax + 2; i < (int)(ax + aw) - 2; i++) {
      Px q = pixel(img, i + 0.5, j + 0.5);
      if (!px_white(q) && abs(q.r - q.g) < 4 && abs(q.g - q.b) < 4)
        count[j > ay + ah / 2][i > ax + aw / 2]++;
    }
  g_test_message("frame pixels UL %d UR %d LL %d LR %d", count[0][0], count[0][1], count[1][0],
                 count[1][1]);
  g_assert_cmpint(count[0][0], >, 50);
  g_assert_cmpint(count[0][1] + count[1][0] + count[1][1], <, count[0][0] / 4);
  cairo_surface_destroy(img);
  am_plot_free(plot);
}

static bool boxes_meet(const double a[4], const double b[4])
{
  return a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
}

static bool box_inside(const double a[4], double w, double h)
{
  return a[0] >= 0 && a[1] >= 0 && a[0] + a[2] <= w && a[1] + a[3] <= h;
}

static bool get_box(const AmPlotPanel *p, AmPlotBox which, double r[4])
{
  return am_plot_panel_get_box(p, which, &r[0], &r[1], &r[2], &r[3]);
}

/* The explorer's small G″ panel after a Compare run (Fig. 5b at 463 x 160 beside its
 * 34 x 34 export button): the panel letter sits beside the button, inside the figure. */
static void test_reserved_corner(void)
{
  AmPlot *plot = am_plot_new();
  am_plot_set_title(plot, "Loss modulus with pinned atoms");
  AmPlotPanel *p = am_plot_add_panel(plot);
  g_assert_true(am_plot_panel_set_label(p, "(b)"));
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "Temperature <i>T</i> (K)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "<i>E</i>″ (shear loss modulus, GPa)");
  double x[] = {300, 500}, y[] = {12, 5};
  am_plot_panel_add_xy(p, x, y, 2, AM_PLOT_LINE_MARKERS, "no atoms pinned");
  const double corner[4] = {0, 0, 34, 34};
  double r[4], free_x;

  /* Without a reserved corner the letter is at the figure's left edge, under the button. */
  cairo_surface_destroy(render(plot, 463, 160));
  g_assert_true(get_box(p, AM_PLOT_BOX_LABEL, r));
  g_assert_true(box_inside(r, 463, 160));
  g_assert_true(boxes_meet(r, corner));
  free_x = r[0];

  am_plot_set_reserved_corner(plot, corner[2], corner[3]);
  cairo_surface_t *img = render(plot, 463, 160);
  g_assert_true(get_box(p, AM_PLOT_BOX_LABEL, r));
  g_test_message("label at %.1f %.1f, %.1f x %.1f", r[0], r[1], r[2], r[3]);
  g_assert_true(box_inside(r, 463, 160));
  g_assert_false(boxes_meet(r, corner));
  g_assert_cmpfloat(r[0], <, corner[2] + 0.1 * 463); /* beside the button, not far off */
  /* The letter's ink is there too: dark pixels in its box. */
  int dark = 0;
  for (int j = (int)r[1]; j < (int)(r[1] + r[3]); j++)
    for (int i = (int)r[0]; i < (int)(r[0] + r[2]); i++)
      dark += pixel(img, i + 0.5, j + 0.5).r < 128;
  g_assert_cmpint(dark, >, 10);
  cairo_surface_destroy(img);

  /* Back to none: the letter returns to the edge. */
  am_plot_set_reserved_corner(plot, 0, 0);
  cairo_surface_destroy(render(plot, 463, 160));
  g_assert_true(get_box(p, AM_PLOT_BOX_LABEL, r));
  g_assert_cmpfloat_with_epsilon(r[0], free_x, 1e-9);
  am_plot_free(plot);
}

/* Fig. 1's panel in the explorer's short Stress · fit tab (and a narrow one): a legend
 * asked for inside that the plot area cannot hold moves out of the way of the axis labels
 * and tick labels, and stays inside the figure; one that fits stays inside the area. */
static void test_legend_clear_of_labels(void)
{
  AmPlot *plot = am_plot_new();
  AmPlotPanel *p = am_plot_add_panel(plot);
  am_plot_panel_set_title(p, "MD-DMS at 500 K (replica 0, pin set “va”)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "Time <i>t</i> (ps)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "Shear strain <i>γ</i> (%)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y2, "Shear stress <i>σ</i><sub><i>xy</i></sub> (GPa)");
  double t[200], g[200], sg[200];
  for (int i = 0; i < 200; i++) {
    t[i] = 1 + 2.0 * i / 199;
    g[i] = sin(2 * G_PI * t[i]);
    sg[i] = 0.5 * sin(2 * G_PI * t[i] + 0.1);
  }
  am_plot_panel_add_xy(p, t, g, 200, AM_PLOT_LINE, "strain <i>γ</i> (left)");
  AmPlotSeries *s = am_plot_panel_add_xy(p, t, sg, 200, AM_PLOT_LINE, "stress <i>σ</i><sub><i>xy</i></sub> (right)");
  am_plot_series_set_y_axis(s, AM_PLOT_AXIS_Y2);
  s = am_plot_panel_add_xy(p, t, sg, 200, AM_PLOT_LINE, "sinusoid fit (right)");
  am_plot_series_set_y_axis(s, AM_PLOT_AXIS_Y2);
  am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_Y, -1.25, 1.9);
  am_plot_panel_set_legend(p, AM_PLOT_LEGEND_UPPER_LEFT);

  static const int sizes[][2] = {{795, 100}, {795, 120}, {220, 300}, {360, 240}, {700, 400}};
  for (gsize k = 0; k < G_N_ELEMENTS(sizes); k++) {
    int w = sizes[k][0], h = sizes[k][1];
    cairo_surface_t *img = render(plot, w, h);
    const char *dir = g_getenv("AMORPH_PLOT_DEMO_DIR");
    if (dir) {
      g_autofree char *name = g_strdup_printf("legend-%dx%d.png", w, h);
      g_autofree char *path = g_build_filename(dir, name, NULL);
      g_assert_cmpint(cairo_surface_write_to_png(img, path), ==, CAIRO_STATUS_SUCCESS);
    }
    cairo_surface_destroy(img);
    double leg[4], area[4], r[4];
    g_assert_true(get_box(p, AM_PLOT_BOX_LEGEND, leg));
    g_assert_true(am_plot_panel_get_area(p, &area[0], &area[1], &area[2], &area[3]));
    g_test_message("%d x %d: area %.0f %.0f, %.0f x %.0f, legend at %.0f %.0f, %.0f x %.0f", w, h, area[0], area[1], area[2], area[3],
                   leg[0], leg[1], leg[2], leg[3]);
    g_assert_true(box_inside(leg, w, h));
    static const AmPlotBox labels[] = {AM_PLOT_BOX_TITLE, AM_PLOT_BOX_X_LABEL, AM_PLOT_BOX_Y_LABEL,
                                       AM_PLOT_BOX_Y2_LABEL};
    for (gsize i = 0; i < G_N_ELEMENTS(labels); i++) {
      g_assert_true(get_box(p, labels[i], r));
      g_assert_false(boxes_meet(leg, r));
    }
    /* Inside the area, or clear of it (and so of its tick labels). */
    double in_x = area[0] - 0.5, in_y = area[1] - 0.5;
    bool inside = leg[0] >= in_x && leg[1] >= in_y && leg[0] + leg[2] <= area[0] + area[2] + 0.5 &&
                  leg[1] + leg[3] <= area[1] + area[3] + 0.5;
    g_assert_true(inside || !boxes_meet(leg, area));
    if (w == 700) /* room enough: where it was asked for */
      g_assert_true(inside);
  }
  am_plot_free(plot);
}

/* ---- demo figures ---------------------------------------------------------------- */

static AmPlot *demo_stress_fit(void)
{
  /* Fig. 1 style: strain and stress against time, fitted sinusoid. */
  enum { N = 400 };
  double t[N], strain[N], stress[N], fit[N];
  const double tp = 10.0, w = 2 * G_PI / tp, eps = 0.01, s0 = 0.02, g1 = 51.0, g2 = 0.45;
  GRand *rng = g_rand_new_with_seed(11);
  for (int i = 0; i < N; i++) {
    t[i] = 60.0 + 40.0 * i / (N - 1);
    strain[i] = 100 * eps * sin(w * t[i]);
    fit[i] = s0 + eps * (g1 * sin(w * t[i]) + g2 * cos(w * t[i]));
    stress[i] = fit[i] + 0.06 * (g_rand_double(rng) + g_rand_double(rng) - 1.0) * 2;
  }
  g_rand_free(rng);
  AmPlot *plot = am_plot_new();
  AmPlotPanel *p = am_plot_add_panel(plot);
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "time <i>t</i> (ps)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "shear stress σ<sub><i>xy</i></sub> (GPa)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y2, "shear strain γ (%)");
  am_plot_panel_set_axis_tight(p, AM_PLOT_AXIS_X, true);
  AmPlotSeries *sm = am_plot_panel_add_xy(p, t, stress, N, AM_PLOT_MARKERS, "σ<sub><i>xy</i></sub> (MD)");
  am_plot_series_set_marker(sm, AM_PLOT_MARKER_CIRCLE, 3.2, true);
  am_plot_series_set_color(sm, am_color_with_alpha(am_palette_color(0), 0.55));
  AmPlotSeries *sf = am_plot_panel_add_xy(p, t, fit, N, AM_PLOT_LINE, "fit σ<sub>0</sub> + σ<sub>A</sub> sin(ω<i>t</i> + δ)");
  am_plot_series_set_color(sf, am_palette_color(0));
  am_plot_series_set_line(sf, 2.0, AM_PLOT_DASH_SOLID);
  AmPlotSeries *sg = am_plot_panel_add_xy(p, t, strain, N, AM_PLOT_LINE, "γ");
  am_plot_series_set_color(sg, am_palette_color(1));
  am_plot_series_set_line(sg, 1.5, AM_PLOT_DASH_DASHED);
  am_plot_series_set_y_axis(sg, AM_PLOT_AXIS_Y2);
  /* Leave headroom for the legend above the curves; same proportions on both axes so
   * that zero lines up. */
  am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_Y, -0.7, 1.0);
  am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_Y2, -1.4, 2.0);
  am_plot_panel_set_legend(p, AM_PLOT_LEGEND_AUTO);
  am_plot_set_title(plot, "Cu<sub>50</sub>Zr<sub>50</sub>, 300 K, <i>t</i><sub>p</sub> = 10 ps");
  return plot;
}

static AmPlot *demo_loss_modulus(void)
{
  /* Fig. 2c / 5b style: G''(T) with error bars for three samples. */
  enum { N = 20 };
  double T[N], g0[N], e0[N], g1[N], e1[N], g2[N], e2[N];
  for (int i = 0; i < N; i++) {
    T[i] = 50 + 50 * i;
    double beta = 0.35 * exp(-pow((T[i] - 300) / 110, 2));
    double alpha = 0.08 * exp((T[i] - 800) / 70);
    double base = 0.08 + 0.0002 * T[i];
    g0[i] = base + beta + alpha + 0.02 * sin(i * 1.7);
    g1[i] = base + 0.15 * beta + alpha + 0.02 * cos(i * 1.3);
    g2[i] = base + 0.8 * beta + alpha + 0.015 * sin(i * 2.1);
    e0[i] = 0.03 + 0.02 * (i % 3);
    e1[i] = 0.035;
    e2[i] = 0.03;
  }
  AmPlot *plot = am_plot_new();
  AmPlotPanel *p = am_plot_add_panel(plot);
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "temperature <i>T</i> (K)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "loss modulus <i>E</i>″ (shear, GPa)");
  am_plot_panel_set_axis_include_zero(p, AM_PLOT_AXIS_Y, true);
  AmPlotSeries *a = am_plot_panel_add_xy(p, T, g0, N, AM_PLOT_LINE_MARKERS, "unpinned");
  am_plot_series_set_y_errors(a, e0, NULL);
  AmPlotSeries *b = am_plot_panel_add_xy(p, T, g1, N, AM_PLOT_LINE_MARKERS, "RA pinned (2 %)");
  am_plot_series_set_y_errors(b, e1, NULL);
  am_plot_series_set_marker(b, AM_PLOT_MARKER_SQUARE, 6, true);
  AmPlotSeries *c = am_plot_panel_add_xy(p, T, g2, N, AM_PLOT_LINE_MARKERS, "VA pinned (2 %)");
  am_plot_series_set_y_errors(c, e2, NULL);
  am_plot_series_set_marker(c, AM_PLOT_MARKER_TRIANGLE_UP, 6.5, false);
  am_plot_panel_add_reference_line(p, AM_PLOT_AXIS_X, 300, NULL);
  am_plot_panel_add_text(p, AM_PLOT_COORDS_DATA, 310, 0.02, "β′", AM_PLOT_ANCHOR_SOUTH_WEST);
  return plot;
}

static AmPlot *demo_pu_histogram(void)
{
  /* Fig. 3a style: p(u') on a log axis at three temperatures. */
  enum { NB = 600 };
  double edges[NB + 1], h[3][NB];
  const double temps[3] = {100, 300, 500};
  GRand *rng = g_rand_new_with_seed(5);
  for (int i = 0; i <= NB; i++)
    edges[i] = 0.01 * i;
  AmPlot *plot = am_plot_new();
  AmPlotPanel *p = am_plot_add_panel(plot);
  for (int k = 0; k < 3; k++) {
    const int M = 200000;
    memset(h[k], 0, sizeof h[k]);
    double width = 0.08 + 0.04 * k;
    for (int m = 0; m < M; m++) {
      double r = g_rand_double(rng), u;
      double gauss = sqrt(-2 * log(g_rand_double(rng) + 1e-300)) * cos(2 * G_PI * g_rand_double(rng));
      if (r < 0.9)
        u = fabs(0.25 + width * gauss);
      else if (r < 0.97 - 0.02 * (2 - k))
        u = 0.75 + 0.12 * gauss;
      else if (r < 0.995)
        u = 2.55 + 0.15 * gauss;
      else
        u = 4.3 + 0.2 * gauss;
      int b = (int)(u / 0.01);
      if (b >= 0 && b < NB)
        h[k][b] += 1.0 / (M * 0.01);
    }
    char label[32];
    g_snprintf(label, sizeof label, "%.0f K", temps[k]);
    am_plot_panel_add_histogram(p, edges, h[k], NB, AM_PLOT_HIST_STEP, label);
  }
  g_rand_free(rng);
  am_plot_panel_set_axis_log(p, AM_PLOT_AXIS_Y, true);
  am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_Y, 1e-3, NAN);
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "non-affine displacement <i>u</i>′ (Å)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "<i>p</i>(<i>u</i>′) (Å<sup>−1</sup>)");
  am_plot_panel_add_reference_line(p, AM_PLOT_AXIS_X, 1.0, "RA/FA thresholds");
  am_plot_panel_add_reference_line(p, AM_PLOT_AXIS_X, 2.0, NULL);
  return plot;
}

static AmPlot *demo_heatmap(void)
{
  /* Fig. 6 style: XY density of one reversible atom's trajectory. */
  enum { NX = 90, NY = 70 };
  double z[NX * NY];
  const double x0 = -2.5, x1 = 6.5, y0 = -3.0, y1 = 4.0;
  const double sites[3][3] = {{0, 0, 1.0}, {1.5, 0.3, 0.7}, {4.3, 0.9, 0.25}};
  for (int iy = 0; iy < NY; iy++) {
    for (int ix = 0; ix < NX; ix++) {
      double x = x0 + (ix + 0.5) * (x1 - x0) / NX, y = y0 + (iy + 0.5) * (y1 - y0) / NY;
      double v = 0;
      for (int s = 0; s < 3; s++)
        v += sites[s][2] * exp(-((x - sites[s][0]) * (x - sites[s][0]) +
                                 (y - sites[s][1]) * (y - sites[s][1])) / (2 * 0.25 * 0.25));
      z[iy * NX + ix] = v > 2e-3 ? v : NAN;
    }
  }
  AmPlot *plot = am_plot_new();
  AmPlotPanel *p = am_plot_add_panel(plot);
  am_plot_panel_add_heatmap(p, z, NX, NY, x0, x1, y0, y1, AM_COLORMAP_VIRIDIS);
  am_plot_panel_set_equal_aspect(p, true);
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "<i>x</i> (Å)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "<i>y</i> (Å)");
  am_plot_panel_set_colorbar_label(p, "visits (normalised)");
  am_plot_panel_set_title(p, "RA 812 at 500 K");
  am_plot_panel_add_text(p, AM_PLOT_COORDS_DATA, 4.3, 1.5, "third site", AM_PLOT_ANCHOR_SOUTH);
  return plot;
}

static AmPlot *demo_two_panel(void)
{
  /* Fig. 2a/5a style: twin axes in (a), a scatter coloured by T with an inset in (b). */
  enum { N = 20 };
  double T[N], sa[N], d[N], nra[N], g2[N];
  for (int i = 0; i < N; i++) {
    T[i] = 50 + 50 * i;
    sa[i] = 0.55 - 0.00012 * T[i];
    d[i] = 0.004 + 0.006 * exp(-pow((T[i] - 300) / 120, 2)) + 0.01 * exp((T[i] - 850) / 80);
    nra[i] = 20 + 150 * exp(-pow((T[i] - 300) / 130, 2)) + 10 * (i % 4);
    g2[i] = 0.1 + 0.0023 * nra[i] + 0.01 * sin(i);
  }
  AmPlot *plot = am_plot_new();
  am_plot_set_grid(plot, 1, 2);
  AmPlotPanel *a = am_plot_add_panel(plot);
  am_plot_panel_set_label(a, "(a)");
  AmPlotSeries *s1 = am_plot_panel_add_xy(a, T, sa, N, AM_PLOT_LINE_MARKERS, "σ<sub>A</sub>");
  AmPlotSeries *s2 = am_plot_panel_add_xy(a, T, d, N, AM_PLOT_LINE_MARKERS, "δ");
  am_plot_series_set_y_axis(s2, AM_PLOT_AXIS_Y2);
  am_plot_series_set_marker(s2, AM_PLOT_MARKER_DIAMOND, 6, true);
  (void)s1;
  am_plot_panel_set_axis_label(a, AM_PLOT_AXIS_X, "<i>T</i> (K)");
  am_plot_panel_set_axis_label(a, AM_PLOT_AXIS_Y, "σ<sub>A</sub> (GPa)");
  am_plot_panel_set_axis_label(a, AM_PLOT_AXIS_Y2, "δ (rad)");
  AmPlotPanel *b = am_plot_add_panel(plot);
  am_plot_panel_set_label(b, "(b)");
  AmPlotSeries *sc = am_plot_panel_add_scatter(b, nra, g2, T, N, AM_COLORMAP_CIVIDIS, NULL);
  am_plot_series_set_marker(sc, AM_PLOT_MARKER_CIRCLE, 8, true);
  am_plot_panel_set_axis_label(b, AM_PLOT_AXIS_X, "<i>N</i><sub>RA</sub>");
  am_plot_panel_set_axis_label(b, AM_PLOT_AXIS_Y, "<i>E</i>″ (GPa)");
  am_plot_panel_set_colorbar_label(b, "<i>T</i> (K)");
  AmPlotPanel *in = am_plot_panel_add_inset(b, 0.06, 0.55, 0.42, 0.4);
  am_plot_panel_add_xy(in, T, nra, N, AM_PLOT_LINE, NULL);
  am_plot_panel_set_axis_label(in, AM_PLOT_AXIS_X, "<i>T</i> (K)");
  am_plot_panel_set_axis_label(in, AM_PLOT_AXIS_Y, "<i>N</i><sub>RA</sub>");
  return plot;
}

static void test_demo_figures(void)
{
  const char *env = g_getenv("AMORPH_PLOT_DEMO_DIR");
  GError *err = NULL;
  char *dir = env ? g_strdup(env) : g_dir_make_tmp("amorph-demo-XXXXXX", &err);
  g_assert_no_error(err);
  g_mkdir_with_parents(dir, 0755);
  struct {
    const char *name;
    AmPlot *(*make)(void);
    double w, h;
  } figs[] = {
      {"stress-fit", demo_stress_fit, 560, 340},  {"loss-modulus", demo_loss_modulus, 480, 360},
      {"pu-histogram", demo_pu_histogram, 480, 340}, {"xy-heatmap", demo_heatmap, 440, 360},
      {"two-panel", demo_two_panel, 760, 320},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(figs); i++) {
    AmPlot *plot = figs[i].make();
    char *png = g_strdup_printf("%s/%s.png", dir, figs[i].name);
    char *svg = g_strdup_printf("%s/%s.svg", dir, figs[i].name);
    g_assert_true(am_plot_write_png(plot, png, figs[i].w, figs[i].h, 2.0, &err));
    g_assert_no_error(err);
    g_assert_true(am_plot_write_svg(plot, svg, figs[i].w, figs[i].h, &err));
    g_assert_no_error(err);
    char *pdf = g_strdup_printf("%s/%s.pdf", dir, figs[i].name);
    g_assert_true(am_plot_write_pdf(plot, pdf, figs[i].w, figs[i].h, &err));
    g_assert_no_error(err);
    if (!env)
      g_unlink(pdf);
    g_free(pdf);
    cairo_surface_t *img = cairo_image_surface_create_from_png(png);
    int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
    g_assert_cmpint(w, ==, (int)(2 * figs[i].w));
    g_assert_cmpint(h, ==, (int)(2 * figs[i].h));
    /* Nothing is clipped by the figure's edge: its outermost pixels are background. */
    for (int k = 0; k < w; k++) {
      g_assert_true(px_white(pixel(img, k + 0.5, 0.5)));
      g_assert_true(px_white(pixel(img, k + 0.5, h - 0.5)));
    }
    for (int k = 0; k < h; k++) {
      g_assert_true(px_white(pixel(img, 0.5, k + 0.5)));
      g_assert_true(px_white(pixel(img, w - 0.5, k + 0.5)));
    }
    cairo_surface_destroy(img);
    if (!env) {
      g_unlink(png);
      g_unlink(svg);
    }
    g_free(png);
    g_free(svg);
    am_plot_free(plot);
  }
  if (!env)
    g_rmdir(dir);
  g_free(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/render/plot/ticks-linear", test_ticks_linear);
  g_test_add_func("/render/plot/ticks-log", test_ticks_log);
  g_test_add_func("/render/plot/tick-format", test_tick_format);
  g_test_add_func("/render/plot/marker-position", test_marker_position);
  g_test_add_func("/render/plot/error-bar-length", test_error_bar_length);
  g_test_add_func("/render/plot/heatmap-colors", test_heatmap_colors);
  g_test_add_func("/render/plot/scatter-colors", test_scatter_colors);
  g_test_add_func("/render/plot/histogram-log", test_histogram_log);
  g_test_add_func("/render/plot/band-and-updates", test_band_and_updates);
  g_test_add_func("/render/plot/inset-and-exponent", test_inset_and_exponent);
  g_test_add_func("/render/plot/panels-aligned", test_panels_aligned);
  g_test_add_func("/render/plot/legend-auto", test_legend_auto);
  g_test_add_func("/render/plot/reserved-corner", test_reserved_corner);
  g_test_add_func("/render/plot/legend-clear-of-labels", test_legend_clear_of_labels);
  g_test_add_func("/render/plot/bad-input", test_bad_input);
  g_test_add_func("/render/plot/files", test_files);
  g_test_add_func("/render/plot/file-errors", test_file_errors);
  g_test_add_func("/render/plot/csv-and-pick", test_csv_and_pick);
  g_test_add_func("/render/plot/demo-figures", test_demo_figures);
  return g_test_run();
}
