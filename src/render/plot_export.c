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
