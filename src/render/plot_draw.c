/* plot_draw.c: layout and painting of an AmPlot: margins from measured text, aligned
 * panels, series, axes, legend, colour bar and insets. */
#include "render/plot_private.h"

#include <math.h>
#include <string.h>

/* The layout unit: the font size of the panel being drawn. Every length (gaps, tick
 * lengths, line widths, markers) is a multiple of it, so figures keep their proportions
 * from a small widget to a poster. */
#define UNIT(ctx) ((ctx)->plot->font_size * (ctx)->scale)
#define LW(ctx, w) ((w) * UNIT(ctx) / 11.0)

static const AmColor ink = {0.13, 0.13, 0.13, 1.0};

typedef struct {
  double l, r, t, b;
} Margins;

/* ---- text ------------------------------------------------------------------------ */

static void set_font(PlotCtx *ctx, double rel, bool bold)
{
  PangoFontDescription *fd = pango_font_description_new();
  pango_font_description_set_family(fd, ctx->plot->font_family);
  /* Points at 72 dpi are device units; a relative size (not an absolute one) lets
   * <sub>, <sup> and size="smaller" in markup scale from it. */
  pango_font_description_set_size(fd, (gint)lround(UNIT(ctx) * rel * PANGO_SCALE));
  if (bold)
    pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description(ctx->layout, fd);
  pango_font_description_free(fd);
}

/* Pango 1.50 sizes <sub> and <sup> wrongly under a scaled cairo matrix (as when a PNG is
 * drawn at scale 2): they come out larger than the text. Spell them out as spans with an
 * explicit size and rise, which scale correctly everywhere. */
static void set_text(PlotCtx *ctx, const char *markup, double rel, bool bold)
{
  set_font(ctx, rel, bold);
  if (ctx->wrap > 0) {
    pango_layout_set_width(ctx->layout, (int)(ctx->wrap * PANGO_SCALE));
    pango_layout_set_wrap(ctx->layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(ctx->layout, PANGO_ALIGN_CENTER);
  } else {
    pango_layout_set_width(ctx->layout, -1);
    pango_layout_set_alignment(ctx->layout, PANGO_ALIGN_LEFT);
  }
  if (markup == NULL)
    markup = "";
  if (strstr(markup, "<su") == NULL) {
    pango_layout_set_markup(ctx->layout, markup, -1);
    return;
  }
  double size = UNIT(ctx) * rel * PANGO_SCALE;
  char sub[96], sup[96];
  g_snprintf(sub, sizeof sub, "<span size=\"%d\" rise=\"%d\">", (int)lround(0.7 * size),
             (int)lround(-0.18 * size));
  g_snprintf(sup, sizeof sup, "<span size=\"%d\" rise=\"%d\">", (int)lround(0.7 * size),
             (int)lround(0.4 * size));
  GString *out = g_string_sized_new(strlen(markup) + 64);
  for (const char *p = markup; *p;) {
    if (g_str_has_prefix(p, "<sub>")) {
      g_string_append(out, sub);
      p += 5;
    } else if (g_str_has_prefix(p, "<sup>")) {
      g_string_append(out, sup);
      p += 5;
    } else if (g_str_has_prefix(p, "</sub>") || g_str_has_prefix(p, "</sup>")) {
      g_string_append(out, "</span>");
      p += 6;
    } else {
      g_string_append_c(out, *p++);
    }
  }
  pango_layout_set_markup(ctx->layout, out->str, -1);
  g_string_free(out, TRUE);
}

void am_plot_text_size_(PlotCtx *ctx, const char *markup, double rel_size, bool bold,
                        double *w, double *h)
{
  PangoRectangle log;
  set_text(ctx, markup, rel_size, bold);
  pango_layout_get_extents(ctx->layout, NULL, &log);
  *w = (double)log.width / PANGO_SCALE;
  *h = (double)log.height / PANGO_SCALE;
}

void am_plot_text_draw_(PlotCtx *ctx, const char *markup, double rel_size, bool bold,
                        double x, double y, AmPlotAnchor anchor, double angle)
{
  if (markup == NULL || *markup == '\0') {
    if (ctx->box) { /* nothing drawn: an empty box at the anchor */
      ctx->box[0] = x;
      ctx->box[1] = y;
      ctx->box[2] = ctx->box[3] = 0;
      ctx->box = NULL;
    }
    return;
  }
  PangoRectangle log;
  set_text(ctx, markup, rel_size, bold);
  pango_layout_get_extents(ctx->layout, NULL, &log);
  double w = (double)log.width / PANGO_SCALE, h = (double)log.height / PANGO_SCALE;
  double lx = (double)log.x / PANGO_SCALE, ly = (double)log.y / PANGO_SCALE;
  double fx = 0.5, fy = 0.5;
  switch (anchor) {
  case AM_PLOT_ANCHOR_CENTER: break;
  case AM_PLOT_ANCHOR_NORTH: fy = 0; break;
  case AM_PLOT_ANCHOR_SOUTH: fy = 1; break;
  case AM_PLOT_ANCHOR_EAST: fx = 1; break;
  case AM_PLOT_ANCHOR_WEST: fx = 0; break;
  case AM_PLOT_ANCHOR_NORTH_EAST: fx = 1; fy = 0; break;
  case AM_PLOT_ANCHOR_NORTH_WEST: fx = 0; fy = 0; break;
  case AM_PLOT_ANCHOR_SOUTH_EAST: fx = 1; fy = 1; break;
  case AM_PLOT_ANCHOR_SOUTH_WEST: fx = 0; fy = 1; break;
  }
  cairo_save(ctx->cr);
  cairo_translate(ctx->cr, x, y);
  cairo_rotate(ctx->cr, angle);
  cairo_move_to(ctx->cr, -fx * w - lx, -fy * h - ly);
  pango_cairo_update_layout(ctx->cr, ctx->layout);
  if (ctx->halo) {
    cairo_pattern_t *src = cairo_pattern_reference(cairo_get_source(ctx->cr));
    pango_cairo_layout_path(ctx->cr, ctx->layout);
    cairo_set_source_rgba(ctx->cr, 1, 1, 1, 0.9);
    cairo_set_line_width(ctx->cr, 0.3 * UNIT(ctx));
    cairo_set_line_join(ctx->cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(ctx->cr);
    cairo_set_source(ctx->cr, src);
    cairo_pattern_destroy(src);
    cairo_move_to(ctx->cr, -fx * w - lx, -fy * h - ly);
  }
  pango_cairo_show_layout(ctx->cr, ctx->layout);
  cairo_restore(ctx->cr);
  if (ctx->box) {
    /* The corners of the logical box, turned and moved as cairo drew them. */
    double c = cos(angle), s = sin(angle), lo_x = INFINITY, lo_y = INFINITY;
    double hi_x = -INFINITY, hi_y = -INFINITY;
    for (int k = 0; k < 4; k++) {
      double u = (k & 1 ? 1 - fx : -fx) * w, v = (k & 2 ? 1 - fy : -fy) * h;
      double px = x + c * u - s * v, py = y + s * u + c * v;
      lo_x = fmin(lo_x, px);
      hi_x = fmax(hi_x, px);
      lo_y = fmin(lo_y, py);
      hi_y = fmax(hi_y, py);
    }
    ctx->box[0] = lo_x;
    ctx->box[1] = lo_y;
    ctx->box[2] = hi_x - lo_x;
    ctx->box[3] = hi_y - lo_y;
    ctx->box = NULL;
  }
}

/* The next text drawn is piece b of panel p (am_plot_panel_get_box). */
static void record_box(PlotCtx *ctx, AmPlotPanel *p, AmPlotBox b)
{
  p->box_drawn[b] = true;
  ctx->box = p->box[b];
}

static void set_color(cairo_t *cr, AmColor c)
{
  cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a);
}

/* "×10^e" with a true minus sign. */
static void exponent_markup(int e, char *buf, size_t size)
{
  char p[64];
  am_plot_format_tick(pow(10.0, e), NAN, true, p, sizeof p);
  g_snprintf(buf, size, "×%s", p);
}

/* Long labels wrap to the length of their axis instead of running into neighbours. */
static void label_size(PlotCtx *ctx, const char *markup, double wrap, double *w, double *h)
{
  ctx->wrap = fmax(wrap, 2 * UNIT(ctx));
  am_plot_text_size_(ctx, markup, 1.0, false, w, h);
  ctx->wrap = 0;
}

static void label_draw(PlotCtx *ctx, const char *markup, double wrap, double x, double y,
                       AmPlotAnchor anchor, double angle)
{
  ctx->wrap = fmax(wrap, 2 * UNIT(ctx));
  am_plot_text_draw_(ctx, markup, 1.0, false, x, y, anchor, angle);
  ctx->wrap = 0;
}

/* ---- layout ---------------------------------------------------------------------- */

static bool y2_used(const AmPlotPanel *p)
{
  if (p->axis[AM_PLOT_AXIS_Y2].label)
    return true;
  for (guint i = 0; i < p->series->len; i++) {
    const AmPlotSeries *s = g_ptr_array_index(p->series, i);
    if (s->y_axis == AM_PLOT_AXIS_Y2 && !(s->kind == SERIES_REFLINE && s->ref_axis == AM_PLOT_AXIS_X))
      return true;
  }
  return false;
}

static const AmPlotSeries *colored_series(const AmPlotPanel *p)
{
  for (guint i = 0; i < p->series->len; i++) {
    const AmPlotSeries *s = g_ptr_array_index(p->series, i);
    if (s->kind == SERIES_HEATMAP || s->kind == SERIES_SCATTER)
      return s;
  }
  return NULL;
}

static double frac_on(const AxisState *ax, double v)
{
  if (ax->log)
    return (log10(v) - log10(ax->lo)) / (log10(ax->hi) - log10(ax->lo));
  return (v - ax->lo) / (ax->hi - ax->lo);
}

/* Picks x ticks so that the labels of neighbouring ticks do not touch. */
static void fit_x_ticks(PlotCtx *ctx, AmPlotPanel *p, double aw)
{
  AxisState *ax = &p->axis[AM_PLOT_AXIS_X];
  int max_ticks = (int)(aw / (UNIT(ctx) * 3.2));
  max_ticks = CLAMP(max_ticks, 2, 14);
  for (int iter = 0; iter < 14; iter++) {
    am_plot_axis_choose_ticks_(ax, max_ticks);
    if (ax->n_ticks < 2)
      break;
    double w, h;
    am_plot_axis_tick_labels_extent_(ctx, ax, &w, &h);
    double spacing = INFINITY;
    for (size_t i = 0; i + 1 < ax->n_ticks; i++)
      spacing = fmin(spacing, (frac_on(ax, ax->ticks[i + 1]) - frac_on(ax, ax->ticks[i])) * aw);
    if (spacing >= w + 0.9 * UNIT(ctx) || max_ticks <= 2)
      break;
    max_ticks = (int)ax->n_ticks - 1 < max_ticks ? (int)ax->n_ticks - 1 : max_ticks - 1;
    if (max_ticks < 2)
      max_ticks = 2;
  }
}

static void choose_y_ticks(PlotCtx *ctx, AxisState *ax, double ah)
{
  int max_ticks = (int)(ah / (UNIT(ctx) * 2.4));
  /* Fewer than three allowed ticks often leaves a single labelled value. */
  am_plot_axis_choose_ticks_(ax, CLAMP(max_ticks, 3, 12));
}

static void choose_ticks(PlotCtx *ctx, AmPlotPanel *p, double aw, double ah)
{
  fit_x_ticks(ctx, p, aw);
  choose_y_ticks(ctx, &p->axis[AM_PLOT_AXIS_Y], ah);
  if (p->axis[AM_PLOT_AXIS_Y2].shown)
    choose_y_ticks(ctx, &p->axis[AM_PLOT_AXIS_Y2], ah);
  if (p->cbar_shown)
    choose_y_ticks(ctx, &p->cbar_axis, ah);
}

typedef struct {
  double w, h;
  int n;
} LegendSize;

/* Where a panel's legend is drawn (AmPlotPanel.legend_at). */
enum { LEGEND_AT_INSIDE = 0, LEGEND_AT_RIGHT, LEGEND_AT_ABOVE };

static bool legend_has(const AmPlotSeries *s)
{
  return s->label != NULL && s->kind != SERIES_HEATMAP;
}

static LegendSize legend_size(PlotCtx *ctx, const AmPlotPanel *p)
{
  LegendSize ls = {0, 0, 0};
  double u = UNIT(ctx), tw = 0, th = 0;
  for (guint i = 0; i < p->series->len; i++) {
    const AmPlotSeries *s = g_ptr_array_index(p->series, i);
    if (!legend_has(s))
      continue;
    double w, h;
    am_plot_text_size_(ctx, s->label, 0.9, false, &w, &h);
    tw = fmax(tw, w);
    th += fmax(h, 1.1 * u);
    ls.n++;
  }
  if (ls.n == 0)
    return ls;
  ls.w = 0.5 * u + 2.2 * u + 0.5 * u + tw + 0.5 * u;
  ls.h = 0.35 * u + th + 0.35 * u;
  return ls;
}

/* Resolves ranges and ticks for a plot area of about aw x ah, and the margins the
 * labels need around it. */
static void measure_panel(PlotCtx *ctx, AmPlotPanel *p, double aw, double ah, bool inset,
                          Margins *m)
{
  double u = UNIT(ctx);
  double pad = inset ? 0.2 * u : 0.6 * u, tick_pad = 0.4 * u, gap = 0.35 * u;
  double w, h;

  am_plot_axis_resolve_range_(p, AM_PLOT_AXIS_X);
  am_plot_axis_resolve_range_(p, AM_PLOT_AXIS_Y);
  p->axis[AM_PLOT_AXIS_X].shown = p->axis[AM_PLOT_AXIS_Y].shown = true;
  p->axis[AM_PLOT_AXIS_Y2].shown = y2_used(p);
  if (p->axis[AM_PLOT_AXIS_Y2].shown)
    am_plot_axis_resolve_range_(p, AM_PLOT_AXIS_Y2);

  const AmPlotSeries *cs = colored_series(p);
  p->cbar_shown = false;
  if (cs && p->cbar_visible && am_plot_series_value_range_(cs, &p->cbar_lo, &p->cbar_hi)) {
    p->cbar_shown = true;
    p->cbar_map = cs->cmap;
    p->cbar_log = cs->vlog;
    p->cbar_axis.lo = p->cbar_lo;
    p->cbar_axis.hi = p->cbar_hi;
    p->cbar_axis.log = cs->vlog;
    p->cbar_axis.shown = true;
  }

  choose_ticks(ctx, p, aw, ah);

  const AxisState *ax = &p->axis[AM_PLOT_AXIS_X], *ay = &p->axis[AM_PLOT_AXIS_Y],
                  *ay2 = &p->axis[AM_PLOT_AXIS_Y2];
  double xw, xh, yh;
  am_plot_axis_tick_labels_extent_(ctx, ax, &xw, &xh);
  am_plot_axis_tick_labels_extent_(ctx, ay, &p->y_tick_w, &yh);
  p->x_tick_h = xh;

  m->l = pad + p->y_tick_w + tick_pad;
  if (ay->label) {
    label_size(ctx, ay->label, ah, &w, &h);
    m->l += h + gap;
  }

  m->b = pad + xh + tick_pad;
  double xrow = 0, ew = 0;
  char ebuf[64];
  if (ax->exponent) {
    exponent_markup(ax->exponent, ebuf, sizeof ebuf);
    am_plot_text_size_(ctx, ebuf, 0.9, false, &ew, &h);
    xrow = h;
    ew += gap;
  }
  if (ax->label) {
    label_size(ctx, ax->label, aw - 2 * ew, &w, &h);
    xrow = fmax(xrow, h);
  }
  if (xrow > 0)
    m->b += xrow + gap;

  p->y2_block = 0;
  if (ay2->shown) {
    am_plot_axis_tick_labels_extent_(ctx, ay2, &p->y2_tick_w, &h);
    p->y2_block = tick_pad + p->y2_tick_w;
    if (ay2->label) {
      label_size(ctx, ay2->label, ah, &w, &h);
      p->y2_block += gap + h;
    }
  }
  p->cbar_block = 0;
  if (p->cbar_shown) {
    am_plot_axis_tick_labels_extent_(ctx, &p->cbar_axis, &p->cb_tick_w, &h);
    p->cbar_block = 0.9 * u + 0.9 * u + 0.45 * u + p->cb_tick_w;
    if (p->cbar_label) {
      label_size(ctx, p->cbar_label, ah, &w, &h);
      p->cbar_block += gap + h;
    }
  }
  m->r = pad + p->y2_block + p->cbar_block;
  /* A legend asked inside that the plot area cannot hold would spill over the tick and
   * axis labels around it: it goes beside the area when the area keeps most of its width,
   * else above it when the area keeps most of its height. Decided on the area without the
   * legend's room, and kept once moved, so that the passes of the layout agree. */
  double legend_above = 0;
  {
    LegendSize ls = legend_size(ctx, p);
    double lm = 0.5 * u, full_w = aw + p->legend_room_w, full_h = ah + p->legend_room_h;
    int moved = p->legend_at; /* an earlier pass of this layout moved it: it stays moved */
    p->legend_at = LEGEND_AT_INSIDE;
    p->legend_room_w = p->legend_room_h = 0;
    p->legend_need_w = p->legend_need_h = 0;
    if (ls.n > 0 && p->legend != AM_PLOT_LEGEND_NONE && p->legend != AM_PLOT_LEGEND_OUTSIDE_RIGHT) {
      p->legend_need_w = ls.w + lm;
      p->legend_need_h = ls.h + lm;
    }
    if (ls.n > 0 && p->legend == AM_PLOT_LEGEND_OUTSIDE_RIGHT) {
      p->legend_at = LEGEND_AT_RIGHT;
    } else if (ls.n > 0 && p->legend != AM_PLOT_LEGEND_NONE && moved != LEGEND_AT_INSIDE) {
      p->legend_at = moved;
    } else if (ls.n > 0 && p->legend != AM_PLOT_LEGEND_NONE &&
               (ls.w + lm > full_w || ls.h + lm > full_h)) {
      /* When neither leaves the area most of its room the figure is too small for its
       * legend anywhere; it stays inside, over the data rather than over the labels'
       * room, which it would squeeze to nothing. */
      if (full_w - (0.6 * u + ls.w) >= fmax(ls.w + 2 * lm, 0.5 * full_w))
        p->legend_at = LEGEND_AT_RIGHT;
      else if (full_h - (ls.h + gap) >= fmax(ls.h + 2 * lm, 0.5 * full_h))
        p->legend_at = LEGEND_AT_ABOVE;
    }
    if (p->legend_at == LEGEND_AT_RIGHT) {
      p->legend_room_w = 0.6 * u + ls.w;
      m->r += p->legend_room_w;
    } else if (p->legend_at == LEGEND_AT_ABOVE) {
      p->legend_room_h = ls.h + gap;
      legend_above = p->legend_room_h;
    }
  }
  /* The first and last x tick labels are centred on their ticks and may overhang. */
  if (ax->n_ticks > 0) {
    char buf[128];
    am_plot_axis_tick_label_(ax, ax->ticks[ax->n_ticks - 1], buf, sizeof buf);
    am_plot_text_size_(ctx, buf, 0.9, false, &w, &h);
    double over = w / 2 - (1.0 - frac_on(ax, ax->ticks[ax->n_ticks - 1])) * aw;
    m->r = fmax(m->r, pad + over);
    am_plot_axis_tick_label_(ax, ax->ticks[0], buf, sizeof buf);
    am_plot_text_size_(ctx, buf, 0.9, false, &w, &h);
    over = w / 2 - frac_on(ax, ax->ticks[0]) * aw - (m->l - pad);
    if (over > 0)
      m->l += over;
  }

  double header = 0;
  if (p->title) {
    label_size(ctx, p->title, aw, &w, &h);
    header = h;
  }
  if (p->label) {
    am_plot_text_size_(ctx, p->label, 1.1, true, &w, &h);
    header = fmax(header, h);
  }
  double top = 0.5 * yh;
  if (ay->exponent || (ay2->shown && ay2->exponent)) {
    am_plot_text_size_(ctx, "×10<sup>−5</sup>", 0.9, false, &w, &h);
    top = fmax(top, h + 0.2 * u);
  }
  p->top_extra = top;
  m->t = pad + (header > 0 ? header + gap : 0) + legend_above + top;
  if (p->cbar_shown)
    m->b = fmax(m->b, pad + 0.5 * yh);
}

/* ---- drawing helpers ------------------------------------------------------------- */

static double clampd(double v)
{
  return v < -1e6 ? -1e6 : v > 1e6 ? 1e6 : v;
}

static double dev_x(const AmPlotPanel *p, double v)
{
  return clampd(am_plot_axis_to_device_(p, AM_PLOT_AXIS_X, v));
}

static double dev_y(const AmPlotPanel *p, AmPlotAxis axis, double v)
{
  return clampd(am_plot_axis_to_device_(p, axis, v));
}

static void set_dash(PlotCtx *ctx, AmPlotDash dash, double lw)
{
  double u = lw > 0 ? lw : 1.0;
  double d[4];
  int n = 0;
  switch (dash) {
  case AM_PLOT_DASH_SOLID: break;
  case AM_PLOT_DASH_DASHED: d[0] = 4.0 * u; d[1] = 2.5 * u; n = 2; break;
  case AM_PLOT_DASH_DOTTED: d[0] = 0.01; d[1] = 2.2 * u; n = 2; break;
  case AM_PLOT_DASH_DASH_DOT: d[0] = 5 * u; d[1] = 2 * u; d[2] = 0.01; d[3] = 2 * u; n = 4; break;
  }
  cairo_set_dash(ctx->cr, d, n, 0);
  cairo_set_line_cap(ctx->cr, dash == AM_PLOT_DASH_SOLID ? CAIRO_LINE_CAP_BUTT : CAIRO_LINE_CAP_ROUND);
}

static void marker_path(cairo_t *cr, AmPlotMarker m, double x, double y, double s)
{
  double r;
  switch (m) {
  case AM_PLOT_MARKER_CIRCLE:
    cairo_new_sub_path(cr);
    cairo_arc(cr, x, y, 0.5 * s, 0, 2 * G_PI);
    break;
  case AM_PLOT_MARKER_SQUARE:
    r = 0.44 * s;
    cairo_rectangle(cr, x - r, y - r, 2 * r, 2 * r);
    break;
  case AM_PLOT_MARKER_TRIANGLE_UP:
  case AM_PLOT_MARKER_TRIANGLE_DOWN: {
    double sg = m == AM_PLOT_MARKER_TRIANGLE_UP ? 1 : -1;
    r = 0.62 * s;
    cairo_move_to(cr, x, y - sg * r);
    cairo_line_to(cr, x + 0.866 * r, y + sg * 0.5 * r);
    cairo_line_to(cr, x - 0.866 * r, y + sg * 0.5 * r);
    cairo_close_path(cr);
    break;
  }
  case AM_PLOT_MARKER_DIAMOND:
    r = 0.62 * s;
    cairo_move_to(cr, x, y - r);
    cairo_line_to(cr, x + 0.75 * r, y);
    cairo_line_to(cr, x, y + r);
    cairo_line_to(cr, x - 0.75 * r, y);
    cairo_close_path(cr);
    break;
  case AM_PLOT_MARKER_CROSS:
    r = 0.4 * s;
    cairo_move_to(cr, x - r, y - r);
    cairo_line_to(cr, x + r, y + r);
    cairo_move_to(cr, x - r, y + r);
    cairo_line_to(cr, x + r, y - r);
    break;
  case AM_PLOT_MARKER_PLUS:
    r = 0.5 * s;
    cairo_move_to(cr, x - r, y);
    cairo_line_to(cr, x + r, y);
    cairo_move_to(cr, x, y - r);
    cairo_line_to(cr, x, y + r);
    break;
  }
}

static AmColor darker(AmColor c, double f)
{
  return (AmColor){c.r * f, c.g * f, c.b * f, c.a};
}

static void draw_marker(PlotCtx *ctx, AmPlotMarker shape, double size, bool filled,
                        bool edge, AmColor c, double x, double y)
{
  cairo_t *cr = ctx->cr;
  double s = size * UNIT(ctx) / 11.0;
  cairo_new_path(cr);
  marker_path(cr, shape, x, y, s);
  cairo_set_dash(cr, NULL, 0, 0);
  if (shape == AM_PLOT_MARKER_CROSS || shape == AM_PLOT_MARKER_PLUS) {
    set_color(cr, c);
    cairo_set_line_width(cr, LW(ctx, 1.4));
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_stroke(cr);
  } else if (filled) {
    set_color(cr, c);
    if (edge) {
      cairo_fill_preserve(cr);
      set_color(cr, darker(c, 0.7));
      cairo_set_line_width(cr, LW(ctx, 0.6));
      cairo_stroke(cr);
    } else {
      cairo_fill(cr);
    }
  } else {
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    set_color(cr, c);
    cairo_set_line_width(cr, LW(ctx, 1.2));
    cairo_stroke(cr);
  }
}

/* ---- series ---------------------------------------------------------------------- */

static void draw_xy_line(PlotCtx *ctx, const AmPlotPanel *p, const AmPlotSeries *s)
{
  cairo_t *cr = ctx->cr;
  bool pen = false;
  cairo_new_path(cr);
  for (size_t i = 0; i < s->n; i++) {
    double px, py;
    if (!am_plot_data_to_device(p, s->y_axis, s->x[i], s->y[i], &px, &py)) {
      pen = false;
      continue;
    }
    if (pen)
      cairo_line_to(cr, clampd(px), clampd(py));
    else
      cairo_move_to(cr, clampd(px), clampd(py));
    pen = true;
  }
  set_color(cr, s->color);
  cairo_set_line_width(cr, LW(ctx, s->line_width));
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  set_dash(ctx, s->dash, LW(ctx, s->line_width));
  cairo_stroke(cr);
}

/* One error bar from value a to value b along one axis, with caps. */
static void error_bar(PlotCtx *ctx, double x0, double y0, double x1, double y1, double cap,
                      bool vertical)
{
  cairo_t *cr = ctx->cr;
  cairo_move_to(cr, x0, y0);
  cairo_line_to(cr, x1, y1);
  if (cap > 0) {
    if (vertical) {
      cairo_move_to(cr, x0 - cap, y0);
      cairo_line_to(cr, x0 + cap, y0);
      cairo_move_to(cr, x1 - cap, y1);
      cairo_line_to(cr, x1 + cap, y1);
    } else {
      cairo_move_to(cr, x0, y0 - cap);
      cairo_line_to(cr, x0, y0 + cap);
      cairo_move_to(cr, x1, y1 - cap);
      cairo_line_to(cr, x1, y1 + cap);
    }
  }
}

static void draw_errors(PlotCtx *ctx, const AmPlotPanel *p, const AmPlotSeries *s)
{
  if (!s->yerr_lo && !s->xerr_lo)
    return;
  cairo_t *cr = ctx->cr;
  const AxisState *ax = &p->axis[AM_PLOT_AXIS_X], *ay = &p->axis[s->y_axis];
  double cap = 0.35 * s->marker_size * UNIT(ctx) / 11.0;
  cairo_new_path(cr);
  for (size_t i = 0; i < s->n; i++) {
    double px, py;
    if (!am_plot_data_to_device(p, s->y_axis, s->x[i], s->y[i], &px, &py))
      continue;
    px = clampd(px);
    py = clampd(py);
    if (s->yerr_lo && isfinite(s->yerr_lo[i]) && isfinite(s->yerr_hi[i])) {
      double a = s->y[i] - fabs(s->yerr_lo[i]), b = s->y[i] + fabs(s->yerr_hi[i]);
      /* On a log axis a bar reaching zero or below runs off the bottom, uncapped. */
      double ya = ay->log && a <= 0 ? p->area[1] + p->area[3] + 1e3 : dev_y(p, s->y_axis, a);
      error_bar(ctx, px, ya, px, dev_y(p, s->y_axis, b), cap, true);
    }
    if (s->xerr_lo && isfinite(s->xerr_lo[i]) && isfinite(s->xerr_hi[i])) {
      double a = s->x[i] - fabs(s->xerr_lo[i]), b = s->x[i] + fabs(s->xerr_hi[i]);
      double xa = ax->log && a <= 0 ? p->area[0] - 1e3 : dev_x(p, a);
      error_bar(ctx, xa, py, dev_x(p, b), py, cap, false);
    }
  }
  set_color(cr, s->color);
  cairo_set_line_width(cr, LW(ctx, 1.0));
  cairo_set_dash(cr, NULL, 0, 0);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  cairo_stroke(cr);
}

static void draw_xy(PlotCtx *ctx, const AmPlotPanel *p, const AmPlotSeries *s)
{
  if (s->style & AM_PLOT_LINE)
    draw_xy_line(ctx, p, s);
  draw_errors(ctx, p, s);
  if (!(s->style & AM_PLOT_MARKERS))
    return;
  for (size_t i = 0; i < s->n; i++) {
    double px, py;
    if (am_plot_data_to_device(p, s->y_axis, s->x[i], s->y[i], &px, &py))
      draw_marker(ctx, s->marker, s->marker_size, s->marker_filled, true, s->color,
                  clampd(px), clampd(py));
  }
}

static void draw_scatter(PlotCtx *ctx, const AmPlotPanel *p, const AmPlotSeries *s)
{
  double lo, hi;
  bool have_range = am_plot_series_value_range_(s, &lo, &hi);
  draw_errors(ctx, p, s);
  for (size_t i = 0; i < s->n; i++) {
    double px, py;
    if (!am_plot_data_to_device(p, s->y_axis, s->x[i], s->y[i], &px, &py))
      continue;
    AmColor c = have_range ? am_colormap_value(s->cmap, s->extra[i], lo, hi, s->vlog)
                           : (AmColor){0, 0, 0, 0};
    if (c.a == 0) /* no value: a hollow grey marker, so the point is not lost */
      draw_marker(ctx, s->marker, s->marker_size, false, false, am_color_from_hex(0x888888),
                  clampd(px), clampd(py));
    else
      draw_marker(ctx, s->marker, s->marker_size, true, false, c, clampd(px), clampd(py));
  }
}

static double hist_base(const AmPlotPanel *p, AmPlotAxis axis)
{
  const AxisState *ay = &p->axis[axis];
  if (ay->log)
    return ay->lo;
  return CLAMP(0.0, ay->lo, ay->hi);
}

static void hist_path(const AmPlotPanel *p, const AmPlotSeries *s, cairo_t *cr, bool closed)
{
  AmPlotAxis a = s->y_axis;
  double base = dev_y(p, a, hist_base(p, a));
  const AxisState *ay = &p->axis[a];
  cairo_new_path(cr);
  cairo_move_to(cr, dev_x(p, s->x[0]), base);
  for (size_t i = 0; i < s->n; i++) {
    double v = s->extra[i];
    double y = (!isfinite(v) || (ay->log && v <= 0)) ? base : dev_y(p, a, v);
    cairo_line_to(cr, dev_x(p, s->x[i]), y);
    cairo_line_to(cr, dev_x(p, s->x[i + 1]), y);
  }
  cairo_line_to(cr, dev_x(p, s->x[s->n]), base);
  if (closed)
    cairo_close_path(cr);
}

static void draw_hist(PlotCtx *ctx, const AmPlotPanel *p, const AmPlotSeries *s)
{
  if (s->n == 0)
    return;
  cairo_t *cr = ctx->cr;
  if (s->hist_style == AM_PLOT_HIST_FILLED) {
    hist_path(p, s, cr, true);
    set_color(cr, am_color_with_alpha(s->color, 0.3 * s->color.a));
    cairo_fill(cr);
  }
  hist_path(p, s, cr, false);
  set_color(cr, s->color);
  cairo_set_line_width(cr, LW(ctx, s->line_width));
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
  set_dash(ctx, s->dash, LW(ctx, s->line_width));
  cairo_stroke(cr);
}

static void draw_band(PlotCtx *ctx, const AmPlotPanel *p, const AmPlotSeries *s)
{
  cairo_t *cr = ctx->cr;
  size_t i = 0;
  cairo_new_path(cr);
  while (i < s->n) {
    /* One polygon per run of points where both ends of the band can be drawn. */
    size_t j = i;
    double px, py;
    while (j < s->n && am_plot_data_to_device(p, s->y_axis, s->x[j], s->y[j], &px, &py) &&
           am_plot_data_to_device(p, s->y_axis, s->x[j], s->extra[j], &px, &py))
      j++;
    if (j - i >= 2) {
      for (size_t k = i; k < j; k++) {
        double x = dev_x(p, s->x[k]), y = dev_y(p, s->y_axis, s->extra[k]);
        if (k == i)
          cairo_move_to(cr, x, y);
        else
          cairo_line_to(cr, x, y);
      }
      for (size_t k = j; k-- > i;)
        cairo_line_to(cr, dev_x(p, s->x[k]), dev_y(p, s->y_axis, s->y[k]));
      cairo_close_path(cr);
    }
    i = j + 1;
  }
  set_color(cr, am_color_with_alpha(s->color, 0.25 * s->color.a));
  cairo_fill(cr);
}

static uint32_t argb(AmColor c)
{
  double a = CLAMP(c.a, 0.0, 1.0);
  uint32_t A = (uint32_t)(a * 255 + 0.5);
  uint32_t R = (uint32_t)(CLAMP(c.r, 0.0, 1.0) * a * 255 + 0.5);
  uint32_t G = (uint32_t)(CLAMP(c.g, 0.0, 1.0) * a * 255 + 0.5);
  uint32_t B = (uint32_t)(CLAMP(c.b, 0.0, 1.0) * a * 255 + 0.5);
  return A << 24 | R << 16 | G << 8 | B;
}

static void draw_heatmap(PlotCtx *ctx, const AmPlotPanel *p, const AmPlotSeries *s)
{
  cairo_t *cr = ctx->cr;
  double lo, hi;
  if (!am_plot_series_value_range_(s, &lo, &hi))
    return; /* nothing finite to show: the empty axes say so */
  bool log_axes = p->axis[AM_PLOT_AXIS_X].log || p->axis[s->y_axis].log;
  if (log_axes) {
    /* Cells are not uniform on a log axis: one rectangle each. */
    double dx = (s->x1 - s->x0) / s->nx, dy = (s->y1 - s->y0) / s->ny;
    for (size_t iy = 0; iy < s->ny; iy++) {
      for (size_t ix = 0; ix < s->nx; ix++) {
        AmColor c = am_colormap_value(s->cmap, s->z[iy * s->nx + ix], lo, hi, s->vlog);
        double xa, ya, xb, yb;
        if (c.a == 0 ||
            !am_plot_data_to_device(p, s->y_axis, s->x0 + ix * dx, s->y0 + iy * dy, &xa, &ya) ||
            !am_plot_data_to_device(p, s->y_axis, s->x0 + (ix + 1) * dx, s->y0 + (iy + 1) * dy,
                                    &xb, &yb))
          continue;
        cairo_rectangle(cr, clampd(xa), clampd(yb), clampd(xb) - clampd(xa),
                        clampd(ya) - clampd(yb));
        set_color(cr, c);
        cairo_fill(cr);
      }
    }
    return;
  }
  double xa = dev_x(p, s->x0), xb = dev_x(p, s->x1);
  double ya = dev_y(p, s->y_axis, s->y1), yb = dev_y(p, s->y_axis, s->y0);
  /* SVG viewers smooth embedded images whatever cairo's filter says (cairo 1.16 writes no
   * hint). Replicating each cell into k x k pixels keeps the blur to the cells' edges. */
  size_t kx = 1, ky = 1;
  if (cairo_surface_get_type(cairo_get_target(cr)) == CAIRO_SURFACE_TYPE_SVG) {
    kx = (size_t)CLAMP(ceil(fabs(xb - xa) / s->nx), 1.0, 8.0);
    ky = (size_t)CLAMP(ceil(fabs(yb - ya) / s->ny), 1.0, 8.0);
    while (kx * ky > 1 && s->nx * kx * s->ny * ky > (1u << 22)) {
      kx = kx > 1 ? kx - 1 : 1;
      ky = ky > 1 ? ky - 1 : 1;
    }
  }
  size_t iw = s->nx * kx, ih = s->ny * ky;
  cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)iw, (int)ih);
  if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(img);
    return;
  }
  cairo_surface_flush(img);
  unsigned char *data = cairo_image_surface_get_data(img);
  int stride = cairo_image_surface_get_stride(img);
  for (size_t r = 0; r < ih; r++) {
    size_t iy = s->ny - 1 - r / ky;
    uint32_t *row = (uint32_t *)(data + r * (size_t)stride);
    for (size_t ix = 0; ix < s->nx; ix++) {
      uint32_t v = argb(am_colormap_value(s->cmap, s->z[iy * s->nx + ix], lo, hi, s->vlog));
      for (size_t k = 0; k < kx; k++)
        row[ix * kx + k] = v;
    }
  }
  cairo_surface_mark_dirty(img);
  cairo_save(cr);
  cairo_rectangle(cr, xa, ya, xb - xa, yb - ya);
  cairo_clip(cr);
  cairo_translate(cr, xa, ya);
  cairo_scale(cr, (xb - xa) / iw, (yb - ya) / ih);
  cairo_set_source_surface(cr, img, 0, 0);
  /* Cells are data, not a photograph: no smoothing between them. */
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(img);
}

static void draw_refline(PlotCtx *ctx, const AmPlotPanel *p, const AmPlotSeries *s)
{
  cairo_t *cr = ctx->cr;
  double v;
  cairo_new_path(cr);
  if (s->ref_axis == AM_PLOT_AXIS_X) {
    v = am_plot_axis_to_device_(p, AM_PLOT_AXIS_X, s->value);
    if (!isfinite(v))
      return;
    cairo_move_to(cr, v, p->area[1]);
    cairo_line_to(cr, v, p->area[1] + p->area[3]);
  } else {
    v = am_plot_axis_to_device_(p, s->ref_axis, s->value);
    if (!isfinite(v))
      return;
    cairo_move_to(cr, p->area[0], v);
    cairo_line_to(cr, p->area[0] + p->area[2], v);
  }
  set_color(cr, s->color);
  cairo_set_line_width(cr, LW(ctx, s->line_width));
  set_dash(ctx, s->dash, LW(ctx, s->line_width));
  cairo_stroke(cr);
}

static void draw_series(PlotCtx *ctx, const AmPlotPanel *p)
{
  /* Areas first, then lines, then points, so markers are never hidden by fills. */
  static const SeriesKind order[] = {SERIES_HEATMAP, SERIES_BAND, SERIES_HIST, SERIES_REFLINE,
                                     SERIES_XY, SERIES_SCATTER};
  for (size_t o = 0; o < G_N_ELEMENTS(order); o++) {
    for (guint i = 0; i < p->series->len; i++) {
      const AmPlotSeries *s = g_ptr_array_index(p->series, i);
      if (s->kind != order[o])
        continue;
      switch (s->kind) {
      case SERIES_HEATMAP: draw_heatmap(ctx, p, s); break;
      case SERIES_BAND: draw_band(ctx, p, s); break;
      case SERIES_HIST: draw_hist(ctx, p, s); break;
      case SERIES_REFLINE: draw_refline(ctx, p, s); break;
      case SERIES_XY: draw_xy(ctx, p, s); break;
      case SERIES_SCATTER: draw_scatter(ctx, p, s); break;
      }
    }
  }
}

/* ---- axes ------------------------------------------------------------------------ */

/* The colour shared by every line series on an axis, so twin axes say which curve is
 * theirs; ink when the series differ. */
static AmColor axis_color(const AmPlotPanel *p, AmPlotAxis axis)
{
  if (!p->axis[AM_PLOT_AXIS_Y2].shown)
    return ink;
  const AmPlotSeries *first = NULL;
  for (guint i = 0; i < p->series->len; i++) {
    const AmPlotSeries *s = g_ptr_array_index(p->series, i);
    if (s->kind != SERIES_XY || s->y_axis != axis)
      continue;
    if (first && (first->color.r != s->color.r || first->color.g != s->color.g ||
                  first->color.b != s->color.b))
      return ink;
    first = s;
  }
  return first ? first->color : ink;
}

static void draw_grid(PlotCtx *ctx, const AmPlotPanel *p)
{
  cairo_t *cr = ctx->cr;
  const AxisState *ax = &p->axis[AM_PLOT_AXIS_X], *ay = &p->axis[AM_PLOT_AXIS_Y];
  double x0 = p->area[0], y0 = p->area[1], w = p->area[2], h = p->area[3];
  cairo_new_path(cr);
  for (size_t i = 0; i < ax->n_ticks; i++) {
    double x = x0 + frac_on(ax, ax->ticks[i]) * w;
    cairo_move_to(cr, x, y0);
    cairo_line_to(cr, x, y0 + h);
  }
  for (size_t i = 0; i < ay->n_ticks; i++) {
    double y = y0 + (1 - frac_on(ay, ay->ticks[i])) * h;
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x0 + w, y);
  }
  cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
  cairo_set_line_width(cr, LW(ctx, 0.6));
  cairo_set_dash(cr, NULL, 0, 0);
  cairo_stroke(cr);
}

/* Tick marks along one side: side 0 bottom, 1 top, 2 left, 3 right; inward. */
static void ticks_on_side(PlotCtx *ctx, const AmPlotPanel *p, const AxisState *ax, int side)
{
  cairo_t *cr = ctx->cr;
  double x0 = p->area[0], y0 = p->area[1], w = p->area[2], h = p->area[3];
  double major = 0.4 * UNIT(ctx), minor = 0.22 * UNIT(ctx);
  for (int pass = 0; pass < 2; pass++) {
    const double *t = pass == 0 ? ax->ticks : ax->minor;
    size_t n = pass == 0 ? ax->n_ticks : ax->n_minor;
    double len = pass == 0 ? major : minor;
    for (size_t i = 0; i < n; i++) {
      double f = frac_on(ax, t[i]);
      if (!(f >= -1e-9 && f <= 1 + 1e-9))
        continue;
      switch (side) {
      case 0: cairo_move_to(cr, x0 + f * w, y0 + h); cairo_rel_line_to(cr, 0, -len); break;
      case 1: cairo_move_to(cr, x0 + f * w, y0); cairo_rel_line_to(cr, 0, len); break;
      case 2: cairo_move_to(cr, x0, y0 + (1 - f) * h); cairo_rel_line_to(cr, len, 0); break;
      case 3: cairo_move_to(cr, x0 + w, y0 + (1 - f) * h); cairo_rel_line_to(cr, -len, 0); break;
      }
    }
  }
}

static void draw_axes(PlotCtx *ctx, AmPlotPanel *p)
{
  cairo_t *cr = ctx->cr;
  double u = UNIT(ctx), tick_pad = 0.4 * u, gap = 0.35 * u;
  double x0 = p->area[0], y0 = p->area[1], w = p->area[2], h = p->area[3];
  const AxisState *ax = &p->axis[AM_PLOT_AXIS_X], *ay = &p->axis[AM_PLOT_AXIS_Y],
                  *ay2 = &p->axis[AM_PLOT_AXIS_Y2];
  char buf[128];

  cairo_set_dash(cr, NULL, 0, 0);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  cairo_new_path(cr);
  ticks_on_side(ctx, p, ax, 0);
  ticks_on_side(ctx, p, ax, 1);
  ticks_on_side(ctx, p, ay, 2);
  ticks_on_side(ctx, p, ay2->shown ? ay2 : ay, 3);
  set_color(cr, ink);
  cairo_set_line_width(cr, LW(ctx, 0.8));
  cairo_stroke(cr);
  cairo_rectangle(cr, x0, y0, w, h);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
  cairo_stroke(cr);

  for (size_t i = 0; i < ax->n_ticks; i++) {
    am_plot_axis_tick_label_(ax, ax->ticks[i], buf, sizeof buf);
    am_plot_text_draw_(ctx, buf, 0.9, false, x0 + frac_on(ax, ax->ticks[i]) * w,
                       y0 + h + tick_pad, AM_PLOT_ANCHOR_NORTH, 0);
  }
  double xrow = y0 + h + tick_pad + p->x_tick_h + gap, ew = 0, eh;
  if (ax->exponent) {
    exponent_markup(ax->exponent, buf, sizeof buf);
    am_plot_text_draw_(ctx, buf, 0.9, false, x0 + w, xrow, AM_PLOT_ANCHOR_NORTH_EAST, 0);
    am_plot_text_size_(ctx, buf, 0.9, false, &ew, &eh);
    ew += gap;
  }
  if (ax->label) {
    record_box(ctx, p, AM_PLOT_BOX_X_LABEL);
    label_draw(ctx, ax->label, w - 2 * ew, x0 + w / 2, xrow, AM_PLOT_ANCHOR_NORTH, 0);
  }

  AmColor cy = axis_color(p, AM_PLOT_AXIS_Y);
  set_color(cr, cy);
  for (size_t i = 0; i < ay->n_ticks; i++) {
    am_plot_axis_tick_label_(ay, ay->ticks[i], buf, sizeof buf);
    am_plot_text_draw_(ctx, buf, 0.9, false, x0 - tick_pad,
                       y0 + (1 - frac_on(ay, ay->ticks[i])) * h, AM_PLOT_ANCHOR_EAST, 0);
  }
  if (ay->label) {
    record_box(ctx, p, AM_PLOT_BOX_Y_LABEL);
    label_draw(ctx, ay->label, h, x0 - tick_pad - p->y_tick_w - gap, y0 + h / 2,
               AM_PLOT_ANCHOR_SOUTH, -G_PI / 2);
  }
  if (ay->exponent) {
    exponent_markup(ay->exponent, buf, sizeof buf);
    am_plot_text_draw_(ctx, buf, 0.9, false, x0, y0 - 0.2 * u, AM_PLOT_ANCHOR_SOUTH_WEST, 0);
  }

  if (ay2->shown) {
    set_color(cr, axis_color(p, AM_PLOT_AXIS_Y2));
    for (size_t i = 0; i < ay2->n_ticks; i++) {
      am_plot_axis_tick_label_(ay2, ay2->ticks[i], buf, sizeof buf);
      am_plot_text_draw_(ctx, buf, 0.9, false, x0 + w + tick_pad,
                         y0 + (1 - frac_on(ay2, ay2->ticks[i])) * h, AM_PLOT_ANCHOR_WEST, 0);
    }
    if (ay2->label) {
      record_box(ctx, p, AM_PLOT_BOX_Y2_LABEL);
      label_draw(ctx, ay2->label, h, x0 + w + tick_pad + p->y2_tick_w + gap, y0 + h / 2,
                 AM_PLOT_ANCHOR_NORTH, -G_PI / 2);
    }
    if (ay2->exponent) {
      exponent_markup(ay2->exponent, buf, sizeof buf);
      am_plot_text_draw_(ctx, buf, 0.9, false, x0 + w, y0 - 0.2 * u,
                         AM_PLOT_ANCHOR_SOUTH_EAST, 0);
    }
  }
  set_color(cr, ink);
}

static void draw_colorbar(PlotCtx *ctx, AmPlotPanel *p)
{
  if (!p->cbar_shown)
    return;
  cairo_t *cr = ctx->cr;
  double u = UNIT(ctx), gap = 0.35 * u;
  double bx = p->area[0] + p->area[2] + p->y2_block + 0.9 * u, by = p->area[1];
  double bw = 0.9 * u, bh = p->area[3];
  cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 256);
  cairo_surface_flush(img);
  unsigned char *data = cairo_image_surface_get_data(img);
  int stride = cairo_image_surface_get_stride(img);
  for (int i = 0; i < 256; i++)
    *(uint32_t *)(data + (size_t)i * stride) = argb(am_colormap_eval(p->cbar_map, (255 - i) / 255.0));
  cairo_surface_mark_dirty(img);
  cairo_save(cr);
  cairo_rectangle(cr, bx, by, bw, bh);
  cairo_clip(cr);
  cairo_translate(cr, bx, by);
  cairo_scale(cr, bw, bh / 256.0);
  cairo_set_source_surface(cr, img, 0, 0);
  cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(img);

  const AxisState *ca = &p->cbar_axis;
  char buf[128];
  cairo_new_path(cr);
  for (size_t i = 0; i < ca->n_ticks; i++) {
    double y = by + (1 - frac_on(ca, ca->ticks[i])) * bh;
    cairo_move_to(cr, bx + bw, y);
    cairo_rel_line_to(cr, 0.3 * u, 0);
  }
  set_color(cr, ink);
  cairo_set_dash(cr, NULL, 0, 0);
  cairo_set_line_width(cr, LW(ctx, 0.8));
  cairo_stroke(cr);
  cairo_rectangle(cr, bx, by, bw, bh);
  cairo_set_line_width(cr, LW(ctx, 0.6));
  cairo_stroke(cr);
  for (size_t i = 0; i < ca->n_ticks; i++) {
    am_plot_axis_tick_label_(ca, ca->ticks[i], buf, sizeof buf);
    am_plot_text_draw_(ctx, buf, 0.9, false, bx + bw + 0.45 * u,
                       by + (1 - frac_on(ca, ca->ticks[i])) * bh, AM_PLOT_ANCHOR_WEST, 0);
  }
  if (p->cbar_label) {
    record_box(ctx, p, AM_PLOT_BOX_COLORBAR_LABEL);
    label_draw(ctx, p->cbar_label, bh, bx + bw + 0.45 * u + p->cb_tick_w + gap, by + bh / 2,
               AM_PLOT_ANCHOR_NORTH, -G_PI / 2);
  }
}

/* ---- legend ---------------------------------------------------------------------- */

static bool point_in(double x, double y, const double r[4])
{
  return x >= r[0] && x <= r[0] + r[2] && y >= r[1] && y <= r[1] + r[3];
}

/* How much of the data a legend box at r would cover. */
static double legend_cost(const AmPlotPanel *p, const double r[4])
{
  double cost = 0;
  for (guint k = 0; k < p->series->len; k++) {
    const AmPlotSeries *s = g_ptr_array_index(p->series, k);
    size_t n = s->kind == SERIES_HIST ? s->n : s->n;
    for (size_t i = 0; i < n; i++) {
      double x0, y0, x1, y1;
      bool ok0, ok1 = false;
      switch (s->kind) {
      case SERIES_XY:
      case SERIES_SCATTER:
      case SERIES_BAND:
        ok0 = am_plot_data_to_device(p, s->y_axis, s->x[i], s->kind == SERIES_BAND ? s->extra[i] : s->y[i], &x0, &y0);
        if (i + 1 < n && s->kind == SERIES_XY && (s->style & AM_PLOT_LINE))
          ok1 = am_plot_data_to_device(p, s->y_axis, s->x[i + 1], s->y[i + 1], &x1, &y1);
        break;
      case SERIES_HIST:
        ok0 = am_plot_data_to_device(p, s->y_axis, s->x[i], s->extra[i], &x0, &y0);
        ok1 = am_plot_data_to_device(p, s->y_axis, s->x[i + 1], s->extra[i], &x1, &y1);
        break;
      default:
        ok0 = false;
        break;
      }
      if (!ok0)
        continue;
      cost += point_in(x0, y0, r) ? 1 : 0;
      if (ok1) /* sample the segment so a line crossing the box counts */
        for (int j = 1; j < 8; j++)
          cost += point_in(x0 + (x1 - x0) * j / 8, y0 + (y1 - y0) * j / 8, r) ? 0.5 : 0;
    }
  }
  for (guint k = 0; k < p->insets->len; k++) {
    const AmPlotPanel *in = g_ptr_array_index(p->insets, k);
    double ix = p->area[0] + in->inset_frac[0] * p->area[2];
    double iy = p->area[1] + (1 - in->inset_frac[1] - in->inset_frac[3]) * p->area[3];
    double iw = in->inset_frac[2] * p->area[2], ih = in->inset_frac[3] * p->area[3];
    if (!(r[0] > ix + iw || r[0] + r[2] < ix || r[1] > iy + ih || r[1] + r[3] < iy))
      cost += 1e6;
  }
  return cost;
}

static void legend_sample(PlotCtx *ctx, const AmPlotSeries *s, double x, double y, double w)
{
  cairo_t *cr = ctx->cr;
  double u = UNIT(ctx);
  switch (s->kind) {
  case SERIES_XY:
  case SERIES_REFLINE:
    if (s->kind == SERIES_REFLINE || (s->style & AM_PLOT_LINE)) {
      cairo_new_path(cr);
      cairo_move_to(cr, x, y);
      cairo_line_to(cr, x + w, y);
      set_color(cr, s->color);
      cairo_set_line_width(cr, LW(ctx, s->line_width));
      set_dash(ctx, s->dash, LW(ctx, s->line_width));
      cairo_stroke(cr);
    }
    if (s->kind == SERIES_XY && s->yerr_lo && !(s->style & AM_PLOT_LINE)) {
      cairo_new_path(cr);
      error_bar(ctx, x + w / 2, y + 0.45 * u, x + w / 2, y - 0.45 * u,
                0.35 * s->marker_size * u / 11, true);
      set_color(cr, s->color);
      cairo_set_line_width(cr, LW(ctx, 1.0));
      cairo_set_dash(cr, NULL, 0, 0);
      cairo_stroke(cr);
    }
    if (s->kind == SERIES_XY && (s->style & AM_PLOT_MARKERS))
      draw_marker(ctx, s->marker, s->marker_size, s->marker_filled, true, s->color, x + w / 2, y);
    break;
  case SERIES_HIST:
  case SERIES_BAND:
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y - 0.35 * u, w, 0.7 * u);
    set_color(cr, am_color_with_alpha(s->color, (s->kind == SERIES_BAND ? 0.25 : 0.3) * s->color.a));
    if (s->kind == SERIES_BAND || s->hist_style == AM_PLOT_HIST_FILLED)
      cairo_fill_preserve(cr);
    if (s->kind == SERIES_HIST) {
      set_color(cr, s->color);
      cairo_set_line_width(cr, LW(ctx, s->line_width));
      cairo_set_dash(cr, NULL, 0, 0);
      cairo_stroke(cr);
    }
    cairo_new_path(cr);
    break;
  case SERIES_SCATTER:
    draw_marker(ctx, s->marker, s->marker_size, true, false, am_colormap_eval(s->cmap, 0.6),
                x + w / 2, y);
    break;
  case SERIES_HEATMAP:
    break;
  }
}

static void draw_legend(PlotCtx *ctx, AmPlotPanel *p)
{
  if (p->legend == AM_PLOT_LEGEND_NONE)
    return;
  LegendSize ls = legend_size(ctx, p);
  if (ls.n == 0)
    return;
  double u = UNIT(ctx), m = 0.5 * u;
  double ax = p->area[0], ay = p->area[1], aw = p->area[2], ah = p->area[3];
  /* Corners first (preferred on ties), then the middles of the edges. */
  double cand[8][2] = {{ax + aw - m - ls.w, ay + m},
                       {ax + m, ay + m},
                       {ax + aw - m - ls.w, ay + ah - m - ls.h},
                       {ax + m, ay + ah - m - ls.h},
                       {ax + (aw - ls.w) / 2, ay + m},
                       {ax + (aw - ls.w) / 2, ay + ah - m - ls.h},
                       {ax + aw - m - ls.w, ay + (ah - ls.h) / 2},
                       {ax + m, ay + (ah - ls.h) / 2}};
  double bx, by;
  AmPlotLegendPlace place = p->legend_at == LEGEND_AT_RIGHT ? AM_PLOT_LEGEND_OUTSIDE_RIGHT : p->legend;
  if (p->legend_at == LEGEND_AT_ABOVE) {
    /* Under the panel's title, left-aligned with the area (measure_panel made the room). */
    bx = ax;
    by = ay - p->top_extra - p->legend_room_h;
  } else switch (place) {
  case AM_PLOT_LEGEND_UPPER_LEFT: bx = cand[1][0]; by = cand[1][1]; break;
  case AM_PLOT_LEGEND_LOWER_RIGHT: bx = cand[2][0]; by = cand[2][1]; break;
  case AM_PLOT_LEGEND_LOWER_LEFT: bx = cand[3][0]; by = cand[3][1]; break;
  case AM_PLOT_LEGEND_OUTSIDE_RIGHT:
    bx = ax + aw + p->y2_block + p->cbar_block + 0.6 * u;
    by = ay;
    break;
  case AM_PLOT_LEGEND_AUTO: {
    double best = INFINITY;
    bx = cand[0][0];
    by = cand[0][1];
    for (int c = 0; c < 8; c++) {
      if (ls.w + 2 * m > aw || ls.h + 2 * m > ah)
        break; /* too big to fit anywhere inside: keep the first corner */
      double r[4] = {cand[c][0], cand[c][1], ls.w, ls.h};
      double cost = legend_cost(p, r);
      if (cost < best) {
        best = cost;
        bx = cand[c][0];
        by = cand[c][1];
      }
    }
    break;
  }
  case AM_PLOT_LEGEND_UPPER_RIGHT:
  default: bx = cand[0][0]; by = cand[0][1]; break;
  }
  p->box_drawn[AM_PLOT_BOX_LEGEND] = true;
  p->box[AM_PLOT_BOX_LEGEND][0] = bx;
  p->box[AM_PLOT_BOX_LEGEND][1] = by;
  p->box[AM_PLOT_BOX_LEGEND][2] = ls.w;
  p->box[AM_PLOT_BOX_LEGEND][3] = ls.h;
  cairo_t *cr = ctx->cr;
  cairo_new_path(cr);
  cairo_rectangle(cr, bx, by, ls.w, ls.h);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.88);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
  cairo_set_line_width(cr, LW(ctx, 0.6));
  cairo_set_dash(cr, NULL, 0, 0);
  cairo_stroke(cr);
  double y = by + 0.35 * u;
  for (guint i = 0; i < p->series->len; i++) {
    const AmPlotSeries *s = g_ptr_array_index(p->series, i);
    if (!legend_has(s))
      continue;
    double w, h;
    am_plot_text_size_(ctx, s->label, 0.9, false, &w, &h);
    double row = fmax(h, 1.1 * u);
    legend_sample(ctx, s, bx + 0.5 * u, y + row / 2, 2.2 * u);
    set_color(cr, ink);
    am_plot_text_draw_(ctx, s->label, 0.9, false, bx + 0.5 * u + 2.2 * u + 0.5 * u, y + row / 2,
                       AM_PLOT_ANCHOR_WEST, 0);
    y += row;
  }
}

static void draw_notes(PlotCtx *ctx, const AmPlotPanel *p)
{
  set_color(ctx->cr, ink);
  for (guint i = 0; i < p->notes->len; i++) {
    const TextNote *n = g_ptr_array_index(p->notes, i);
    double x, y;
    if (n->coords == AM_PLOT_COORDS_AXES) {
      x = p->area[0] + n->x * p->area[2];
      y = p->area[1] + (1 - n->y) * p->area[3];
    } else if (!am_plot_data_to_device(p, AM_PLOT_AXIS_Y, n->x, n->y, &x, &y)) {
      continue;
    }
    /* A white halo keeps a note readable on top of data. */
    ctx->halo = true;
    am_plot_text_draw_(ctx, n->markup, 0.9, false, clampd(x), clampd(y), n->anchor, 0);
    ctx->halo = false;
  }
}

/* ---- panels ---------------------------------------------------------------------- */

static void apply_equal_aspect(PlotCtx *ctx, AmPlotPanel *p)
{
  const AxisState *ax = &p->axis[AM_PLOT_AXIS_X], *ay = &p->axis[AM_PLOT_AXIS_Y];
  if (!p->equal_aspect || ax->log || ay->log)
    return;
  double sx = p->area[2] / (ax->hi - ax->lo), sy = p->area[3] / (ay->hi - ay->lo);
  double s = fmin(sx, sy);
  double w = (ax->hi - ax->lo) * s, h = (ay->hi - ay->lo) * s;
  p->area[0] += (p->area[2] - w) / 2;
  p->area[1] += (p->area[3] - h) / 2;
  p->area[2] = w;
  p->area[3] = h;
  choose_ticks(ctx, p, w, h);
}

static void draw_panel(PlotCtx *ctx, AmPlotPanel *p);

/* Whether the margins m of the last measure_panel are final: the legend stayed where it
 * was, and one kept inside still fits the area the margins leave. */
static bool layout_settled(const AmPlotPanel *p, int legend_before, const Margins *m, double cw,
                           double ch)
{
  if (p->legend_at != legend_before)
    return false;
  return p->legend_at != LEGEND_AT_INSIDE ||
         (p->legend_need_w <= cw - m->l - m->r && p->legend_need_h <= ch - m->t - m->b);
}

static void layout_inset(PlotCtx *ctx, AmPlotPanel *in, const AmPlotPanel *parent)
{
  double cw = in->inset_frac[2] * parent->area[2], ch = in->inset_frac[3] * parent->area[3];
  in->cell[0] = parent->area[0] + in->inset_frac[0] * parent->area[2];
  in->cell[1] = parent->area[1] + (1 - in->inset_frac[1] - in->inset_frac[3]) * parent->area[3];
  in->cell[2] = cw;
  in->cell[3] = ch;
  Margins m = {0.25 * cw, 0.1 * cw, 0.1 * ch, 0.25 * ch};
  in->legend_room_w = in->legend_room_h = 0;
  in->legend_at = LEGEND_AT_INSIDE;
  for (int pass = 0; pass < 4; pass++) {
    int legend_at = in->legend_at;
    measure_panel(ctx, in, fmax(cw - m.l - m.r, 10), fmax(ch - m.t - m.b, 10), true, &m);
    if (pass >= 1 && layout_settled(in, legend_at, &m, cw, ch))
      break;
  }
  in->area[0] = in->cell[0] + m.l;
  in->area[1] = in->cell[1] + m.t;
  in->area[2] = fmax(cw - m.l - m.r, 1);
  in->area[3] = fmax(ch - m.t - m.b, 1);
  in->laid_out = true;
  apply_equal_aspect(ctx, in);
}

static void draw_panel_header(PlotCtx *ctx, AmPlotPanel *p, bool inset)
{
  double pad = (inset ? 0.2 : 0.6) * UNIT(ctx);
  set_color(ctx->cr, ink);
  if (p->label) {
    double x = p->cell[0] + pad * 0.5, y = p->cell[1] + pad;
    /* Beside a control floating over the figure's corner rather than under it. */
    const AmPlot *plot = ctx->plot;
    if (!inset && x < plot->reserved_w && y < plot->reserved_h)
      x = plot->reserved_w + 0.35 * UNIT(ctx);
    record_box(ctx, p, AM_PLOT_BOX_LABEL);
    am_plot_text_draw_(ctx, p->label, 1.1, true, x, y, AM_PLOT_ANCHOR_NORTH_WEST, 0);
  }
  /* The title sits on the plot area, which equal aspect may have moved down. */
  if (p->title) {
    record_box(ctx, p, AM_PLOT_BOX_TITLE);
    label_draw(ctx, p->title, p->area[2], p->area[0] + p->area[2] / 2,
               p->area[1] - p->top_extra - p->legend_room_h - 0.35 * UNIT(ctx),
               AM_PLOT_ANCHOR_SOUTH, 0);
  }
}

static void draw_panel(PlotCtx *ctx, AmPlotPanel *p)
{
  cairo_t *cr = ctx->cr;
  bool inset = p->parent != NULL;
  if (inset) {
    AmColor bg = ctx->plot->background;
    cairo_rectangle(cr, p->cell[0], p->cell[1], p->cell[2], p->cell[3]);
    cairo_set_source_rgb(cr, bg.a > 0 ? bg.r : 1, bg.a > 0 ? bg.g : 1, bg.a > 0 ? bg.b : 1);
    cairo_fill(cr);
  }
  if (p->grid_lines)
    draw_grid(ctx, p);
  cairo_save(cr);
  cairo_rectangle(cr, p->area[0], p->area[1], p->area[2], p->area[3]);
  cairo_clip(cr);
  draw_series(ctx, p);
  cairo_restore(cr);
  draw_axes(ctx, p);
  draw_colorbar(ctx, p);
  draw_notes(ctx, p);
  draw_panel_header(ctx, p, inset);
  double saved = ctx->scale;
  for (guint i = 0; i < p->insets->len; i++) {
    AmPlotPanel *in = g_ptr_array_index(p->insets, i);
    ctx->scale = saved * 0.85;
    layout_inset(ctx, in, p);
    draw_panel(ctx, in);
    ctx->scale = saved;
  }
  /* Last, so that it stays readable over everything else in the panel. */
  draw_legend(ctx, p);
}

static void mark_unlaid(AmPlotPanel *p)
{
  p->laid_out = false;
  memset(p->box_drawn, 0, sizeof p->box_drawn);
  for (guint i = 0; i < p->insets->len; i++)
    mark_unlaid(g_ptr_array_index(p->insets, i));
}

void am_plot_draw(AmPlot *plot, cairo_t *cr, double width, double height)
{
  g_return_if_fail(plot != NULL && cr != NULL);
  for (guint i = 0; i < plot->panels->len; i++)
    mark_unlaid(g_ptr_array_index(plot->panels, i));
  plot->laid_out = false;
  if (!(isfinite(width) && isfinite(height) && width >= 8 && height >= 8) ||
      cairo_status(cr) != CAIRO_STATUS_SUCCESS)
    return;

  cairo_save(cr);
  PangoLayout *layout = pango_cairo_create_layout(cr);
  PangoContext *pc = pango_layout_get_context(layout);
  /* Unhinted metrics: the same layout on screen, in PNG, SVG and PDF. */
  cairo_font_options_t *fo = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(pc, fo);
  cairo_font_options_destroy(fo);
  pango_context_set_round_glyph_positions(pc, FALSE);
  pango_cairo_context_set_resolution(pc, 72.0);
  pango_layout_context_changed(layout);
  PlotCtx ctx = {cr, layout, plot, 1.0, false, 0, NULL};

  AmColor bg = plot->background;
  if (bg.a > 0) {
    cairo_rectangle(cr, 0, 0, width, height);
    set_color(cr, bg);
    cairo_fill(cr);
  }
  double u = plot->font_size, top = 0;
  if (plot->title) {
    double w, h;
    /* Centred, so clear of a reserved corner on both sides. */
    ctx.wrap = width - 2 * (plot->reserved_h > 0.5 * u ? fmax(u, plot->reserved_w + 0.35 * u) : u);
    ctx.wrap = fmax(ctx.wrap, 4 * u);
    am_plot_text_size_(&ctx, plot->title, 1.15, false, &w, &h);
    set_color(cr, ink);
    am_plot_text_draw_(&ctx, plot->title, 1.15, false, width / 2, 0.5 * u, AM_PLOT_ANCHOR_NORTH, 0);
    ctx.wrap = 0;
    top = 0.5 * u + h;
  }

  guint n = plot->panels->len;
  int cols = plot->cols, rows = plot->rows;
  if ((guint)(rows * cols) < n)
    rows = (int)((n + cols - 1) / cols);
  double cw = width / cols, ch = (height - top) / rows;
  Margins *mg = g_new0(Margins, n ? n : 1);
  for (guint i = 0; i < n; i++) {
    AmPlotPanel *p = g_ptr_array_index(plot->panels, i);
    int r = (int)i / cols, c = (int)i % cols;
    p->cell[0] = c * cw;
    p->cell[1] = top + r * ch;
    p->cell[2] = cw;
    p->cell[3] = ch;
    mg[i] = (Margins){0.15 * cw, 0.05 * cw, 0.08 * ch, 0.15 * ch};
    p->legend_room_w = p->legend_room_h = 0;
    p->legend_at = LEGEND_AT_INSIDE;
    /* Two passes settle the margins, unless the legend had to move out of the area
     * (measure_panel), which changes them again. */
    for (int pass = 0; pass < 4; pass++) {
      int legend_at = p->legend_at;
      measure_panel(&ctx, p, fmax(cw - mg[i].l - mg[i].r, 10), fmax(ch - mg[i].t - mg[i].b, 10),
                    false, &mg[i]);
      if (pass >= 1 && layout_settled(p, legend_at, &mg[i], cw, ch))
        break;
    }
  }
  /* Line up the plot areas of a row and of a column. */
  double *row_t = g_new0(double, rows), *row_b = g_new0(double, rows);
  double *col_l = g_new0(double, cols), *col_r = g_new0(double, cols);
  for (guint i = 0; i < n; i++) {
    int r = (int)i / cols, c = (int)i % cols;
    row_t[r] = fmax(row_t[r], mg[i].t);
    row_b[r] = fmax(row_b[r], mg[i].b);
    col_l[c] = fmax(col_l[c], mg[i].l);
    col_r[c] = fmax(col_r[c], mg[i].r);
  }
  for (guint i = 0; i < n; i++) {
    AmPlotPanel *p = g_ptr_array_index(plot->panels, i);
    int r = (int)i / cols, c = (int)i % cols;
    p->area[0] = p->cell[0] + col_l[c];
    p->area[1] = p->cell[1] + row_t[r];
    p->area[2] = fmax(cw - col_l[c] - col_r[c], 1);
    p->area[3] = fmax(ch - row_t[r] - row_b[r], 1);
    p->laid_out = true;
    apply_equal_aspect(&ctx, p);
    draw_panel(&ctx, p);
  }
  g_free(row_t);
  g_free(row_b);
  g_free(col_l);
  g_free(col_r);
  g_free(mg);
  g_object_unref(layout);
  cairo_restore(cr);
  plot->laid_out = true;
  plot->width = width;
  plot->height = height;
}
