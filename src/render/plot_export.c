/* plot_export.c: writing figures to PNG, SVG and PDF files atomically (temporary file in
 * the same directory, then rename), with errors that say which file failed and why. */
#include "render/plot_private.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  int fd;
  int err; /* errno of the first failed write */
} Sink;

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int length)
{
  Sink *sink = closure;
  while (length > 0) {
    ssize_t k = write(sink->fd, data, length);
    if (k < 0) {
      if (errno == EINTR)
        continue;
      if (sink->err == 0)
        sink->err = errno;
      return CAIRO_STATUS_WRITE_ERROR;
    }
    data += k;
    length -= (unsigned int)k;
  }
  return CAIRO_STATUS_SUCCESS;
}

typedef enum { FMT_PNG, FMT_SVG, FMT_PDF } Format;

static const char *format_name(Format f)
{
  return f == FMT_PNG ? "PNG" : f == FMT_SVG ? "SVG" : "PDF";
}

static bool check_size(const char *path, double width, double height, double scale,
                       GError **error)
{
  if (!(isfinite(width) && isfinite(height) && width >= 8 && height >= 8 && width <= 1e5 &&
        height <= 1e5)) {
    g_set_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_INVALID,
                "Cannot write figure “%s”: size %g × %g is not between 8 and 100000", path,
                width, height);
    return false;
  }
  if (!(isfinite(scale) && scale >= 0.1 && scale <= 16 && width * scale <= 32767 &&
        height * scale <= 32767)) {
    g_set_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_INVALID,
                "Cannot write figure “%s”: scale %g gives an image larger than 32767 pixels "
                "or is outside 0.1–16",
                path, scale);
    return false;
  }
  return true;
}

static bool write_figure(AmPlot *plot, const char *path, Format fmt, double width,
                         double height, double scale, GError **error)
{
  g_return_val_if_fail(plot != NULL, false);
  g_return_val_if_fail(error == NULL || *error == NULL, false);
  if (path == NULL || *path == '\0') {
    g_set_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_INVALID, "Cannot write figure: empty file name");
    return false;
  }
  if (!check_size(path, width, height, fmt == FMT_PNG ? scale : 1.0, error))
    return false;

  char *tmp = g_strdup_printf("%s.tmp-XXXXXX", path);
  Sink sink = {-1, 0};
  sink.fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0666);
  if (sink.fd < 0) {
    int e = errno;
    g_set_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_IO, "Cannot write figure “%s”: %s", path,
                g_strerror(e));
    g_free(tmp);
    return false;
  }

  cairo_surface_t *surface = NULL;
  switch (fmt) {
  case FMT_PNG:
    surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)ceil(width * scale),
                                         (int)ceil(height * scale));
    break;
  case FMT_SVG:
    surface = cairo_svg_surface_create_for_stream(sink_write, &sink, width, height);
    if (cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS)
      cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PT);
    break;
  case FMT_PDF:
    surface = cairo_pdf_surface_create_for_stream(sink_write, &sink, width, height);
    if (cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS)
      cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Amorph");
    break;
  }
  cairo_status_t st = cairo_surface_status(surface);
  if (st == CAIRO_STATUS_SUCCESS) {
    cairo_t *cr = cairo_create(surface);
    if (fmt == FMT_PNG)
      cairo_scale(cr, scale, scale);
    am_plot_draw(plot, cr, width, height);
    st = cairo_status(cr);
    cairo_destroy(cr);
  }
  if (st == CAIRO_STATUS_SUCCESS) {
    if (fmt == FMT_PNG) {
      st = cairo_surface_write_to_png_stream(surface, sink_write, &sink);
    } else {
      cairo_surface_finish(surface); /* flushes the document through sink_write */
      st = cairo_surface_status(surface);
    }
  }
  cairo_surface_destroy(surface);

  bool ok = st == CAIRO_STATUS_SUCCESS && sink.err == 0;
  int e = sink.err;
  /* fsync so that a crash right after the rename cannot leave an empty figure. */
  if (ok && fsync(sink.fd) != 0) {
    ok = false;
    e = errno;
  }
  if (close(sink.fd) != 0 && ok) {
    ok = false;
    e = errno;
  }
  if (ok && rename(tmp, path) != 0) {
    ok = false;
    e = errno;
  }
  if (!ok) {
    unlink(tmp);
    if (e != 0)
      g_set_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_IO, "Cannot write %s figure “%s”: %s",
                  format_name(fmt), path, g_strerror(e));
    else
      g_set_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_CAIRO, "Cannot draw %s figure “%s”: %s",
                  format_name(fmt), path, cairo_status_to_string(st));
  }
  g_free(tmp);
  return ok;
}

bool am_plot_write_png(AmPlot *plot, const char *path, double width, double height,
                       double scale, GError **error)
{
  return write_figure(plot, path, FMT_PNG, width, height, scale, error);
}

bool am_plot_write_svg(AmPlot *plot, const char *path, double width, double height,
                       GError **error)
{
  return write_figure(plot, path, FMT_SVG, width, height, 1.0, error);
}

bool am_plot_write_pdf(AmPlot *plot, const char *path, double width, double height,
                       GError **error)
{
  return write_figure(plot, path, FMT_PDF, width, height, 1.0, error);
}

bool am_plot_write_file(AmPlot *plot, const char *path, double width, double height,
                        GError **error)
{
  g_return_val_if_fail(plot != NULL, false);
  const char *dot = path ? strrchr(path, '.') : NULL;
  if (dot && g_ascii_strcasecmp(dot, ".png") == 0)
    return am_plot_write_png(plot, path, width, height, 2.0, error);
  if (dot && g_ascii_strcasecmp(dot, ".svg") == 0)
    return am_plot_write_svg(plot, path, width, height, error);
  if (dot && g_ascii_strcasecmp(dot, ".pdf") == 0)
    return am_plot_write_pdf(plot, path, width, height, error);
  g_set_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_INVALID,
              "Cannot write figure “%s”: unknown file type (expected .png, .svg or .pdf)",
              path ? path : "(null)");
  return false;
}

/* ---- CSV -------------------------------------------------------------------------------- */

static void csv_number(GString *s, double v)
{
  g_string_append_c(s, ',');
  if (isfinite(v)) {
    /* The shortest text that reads back as the same double: 0.2, not 0.20000000000000001. */
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    for (int prec = 15; prec <= 17; prec++) {
      char fmt[8];
      g_snprintf(fmt, sizeof fmt, "%%.%dg", prec);
      g_ascii_formatd(buf, sizeof buf, fmt, v);
      if (g_ascii_strtod(buf, NULL) == v)
        break;
    }
    g_string_append(s, buf);
  }
}

static void csv_text(GString *s, const char *text)
{
  g_string_append_c(s, '"');
  for (const char *c = text; *c; c++) {
    if (*c == '"')
      g_string_append_c(s, '"');
    g_string_append_c(s, *c == '\n' ? ' ' : *c);
  }
  g_string_append_c(s, '"');
}

static void csv_panel(GString *s, const AmPlotPanel *p, int *panel_no, size_t *rows)
{
  int no = ++*panel_no;
  for (guint k = 0; k < p->series->len; k++) {
    const AmPlotSeries *ser = g_ptr_array_index(p->series, k);
    if (ser->kind == SERIES_REFLINE)
      continue;
    g_autofree char *plain = am_plot_series_dup_plain_label(ser);
    g_autofree char *name = *plain ? g_strdup(plain) : g_strdup_printf("series %u", k + 1);
    static const char *const kinds[] = {[SERIES_XY] = "xy",     [SERIES_HIST] = "histogram",
                                        [SERIES_BAND] = "band", [SERIES_SCATTER] = "scatter",
                                        [SERIES_HEATMAP] = "heatmap"};
    size_t n = ser->kind == SERIES_HEATMAP ? ser->nx * ser->ny : ser->n;
    for (size_t i = 0; i < n; i++) {
      /* panel, series, kind, x, y, y_error_low, y_error_high, y_high, value, x_low, x_high */
      double x = NAN, y = NAN, elo = NAN, ehi = NAN, yhi = NAN, value = NAN, xlo = NAN, xhi = NAN;
      switch (ser->kind) {
      case SERIES_XY:
      case SERIES_SCATTER:
        x = ser->x[i];
        y = ser->y[i];
        elo = ser->yerr_lo ? ser->yerr_lo[i] : NAN;
        ehi = ser->yerr_hi ? ser->yerr_hi[i] : elo;
        if (ser->kind == SERIES_SCATTER && ser->extra)
          value = ser->extra[i];
        break;
      case SERIES_BAND:
        x = ser->x[i];
        y = ser->y[i];
        yhi = ser->extra[i];
        break;
      case SERIES_HIST:
        xlo = ser->x[i];
        xhi = ser->x[i + 1];
        x = 0.5 * (xlo + xhi);
        y = ser->extra[i];
        break;
      case SERIES_HEATMAP:
        x = ser->x0 + ((double) (i % ser->nx) + 0.5) * (ser->x1 - ser->x0) / (double) ser->nx;
        y = ser->y0 + ((double) (i / ser->nx) + 0.5) * (ser->y1 - ser->y0) / (double) ser->ny;
        value = ser->z[i];
        break;
      case SERIES_REFLINE:
        break;
      }
      g_string_append_printf(s, "%d,", no);
      csv_text(s, name);
      g_string_append_printf(s, ",%s", kinds[ser->kind]);
      csv_number(s, x);
      csv_number(s, y);
      csv_number(s, elo);
      csv_number(s, ehi);
      csv_number(s, yhi);
      csv_number(s, value);
      csv_number(s, xlo);
      csv_number(s, xhi);
      g_string_append_c(s, '\n');
      ++*rows;
    }
  }
  for (guint k = 0; k < p->insets->len; k++)
    csv_panel(s, g_ptr_array_index(p->insets, k), panel_no, rows);
}

bool am_plot_write_csv(AmPlot *plot, const char *path, size_t *rows, GError **error)
{
  g_return_val_if_fail(plot != NULL, false);
  if (path == NULL || *path == '\0') {
    g_set_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_INVALID, "Cannot write plot data: empty file name");
    return false;
  }
  GString *s = g_string_new("panel,series,kind,x,y,y_error_low,y_error_high,y_high,value,x_low,x_high\n");
  int panel_no = 0;
  size_t n = 0;
  for (guint k = 0; k < plot->panels->len; k++)
    csv_panel(s, g_ptr_array_index(plot->panels, k), &panel_no, &n);
  GError *local = NULL;
  /* g_file_set_contents writes a temporary file and renames it: no half-written CSV. */
  bool ok = g_file_set_contents(path, s->str, (gssize) s->len, &local);
  g_string_free(s, TRUE);
  if (!ok) {
    g_set_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_IO, "Cannot write plot data “%s”: %s", path, local->message);
    g_error_free(local);
    return false;
  }
  if (rows)
    *rows = n;
  return true;
}
