/* figures_dms.c: the figures drawn from the folded sweep numbers: Fig. 1 (stress trace),
 * Fig. 2 (σ_A, δ, E″, p(u), E″ vs f(u > u_c)), Fig. 3a (p(u′)), Fig. 4b (class fractions)
 * and Fig. 5 (N_RA, pinning). */
#include "render/figures_private.h"

#include <math.h>
#include <string.h>

#include "sim/units.h"

#define LOSS_LABEL "<i>E</i>″ (shear loss modulus, GPa)"
#define T_LABEL "Temperature <i>T</i> (K)"

/* A histogram of a few thousand values looks like noise at Δu = 0.01 Å: ask for this many
 * values per plotted bin before showing the paper's bin width. */
#define MIN_PER_BIN 40.0

static AmPlotPanel *single_panel(AmFigure *fig, const char *label, const char *title)
{
  AmPlotPanel *p = am_plot_add_panel(fig->plot);
  am_plot_panel_set_label(p, label);
  am_plot_set_title(fig->plot, title);
  return p;
}

/* Mean ± SEM arrays of one field over a set's points. */
typedef struct {
  gsize n;
  double *t, *y, *e;
} Curve;

static Curve curve_of(const AmDmsPinSetResults *set, gsize offset)
{
  Curve c = { set->n_points, g_new(double, set->n_points), g_new(double, set->n_points),
              g_new(double, set->n_points) };
  for (gsize k = 0; k < set->n_points; k++) {
    const AmMeanSem *m = (const AmMeanSem *) ((const char *) &set->points[k] + offset);
    c.t[k] = set->points[k].temperature;
    c.y[k] = isfinite(m->mean) ? m->mean : NAN;
    c.e[k] = am_figure_sem(m);
  }
  return c;
}

static void curve_clear(Curve *c)
{
  g_free(c->t);
  g_free(c->y);
  g_free(c->e);
}

static AmPlotSeries *add_curve(AmPlotPanel *p, const Curve *c, const char *label, AmColor color,
                               AmPlotMarker marker)
{
  AmPlotSeries *s = am_plot_panel_add_xy(p, c->t, c->y, c->n, AM_PLOT_LINE_MARKERS, label);
  am_plot_series_set_y_errors(s, c->e, NULL);
  am_plot_series_set_color(s, color);
  am_plot_series_set_marker(s, marker, 7, TRUE);
  am_plot_series_set_line(s, 1.5, AM_PLOT_DASH_SOLID);
  return s;
}

static gsize finite_count(const double *v, gsize n)
{
  gsize k = 0;
  for (gsize i = 0; i < n; i++)
    k += isfinite(v[i]);
  return k;
}

void am_figure_pin_set_legend(AmPinKind kind, gint64 n_pinned, char *buf, gsize size)
{
  switch (kind) {
  case AM_PIN_NONE:
    g_strlcpy(buf, "no atoms pinned", size);
    break;
  case AM_PIN_AUTO_RA:
    if (n_pinned < 0)
      g_strlcpy(buf, "selected RAs pinned", size);
    else
      g_snprintf(buf, size, "%" G_GINT64_FORMAT " RAs pinned", n_pinned);
    break;
  case AM_PIN_RANDOM_VA:
    if (n_pinned < 0)
      g_strlcpy(buf, "random VAs pinned", size);
    else
      g_snprintf(buf, size, "%" G_GINT64_FORMAT " VAs pinned", n_pinned);
    break;
  case AM_PIN_IDS:
  default:
    g_snprintf(buf, size, "%" G_GINT64_FORMAT " chosen atoms pinned", MAX(n_pinned, 0));
    break;
  }
}

AmColor am_figure_pin_set_color(AmPinKind kind, gsize index)
{
  /* Unpinned in black, the RA and VA sets in their class colours (which stay apart under
   * the common colour-vision deficiencies); any other set a palette colour. */
  return kind == AM_PIN_NONE         ? am_color_from_hex(0x000000)
         : kind == AM_PIN_AUTO_RA    ? am_figure_class_color(AM_ATOM_COLOR_RA)
         : kind == AM_PIN_RANDOM_VA  ? am_figure_class_color(AM_ATOM_COLOR_VA)
                                     : am_palette_color((unsigned) index + 2);
}

AmPlotMarker am_figure_pin_set_marker(gsize index)
{
  static const AmPlotMarker markers[] = { AM_PLOT_MARKER_CIRCLE, AM_PLOT_MARKER_SQUARE, AM_PLOT_MARKER_TRIANGLE_UP,
                                          AM_PLOT_MARKER_DIAMOND };
  return markers[index % G_N_ELEMENTS(markers)];
}

static const char *set_legend(const AmDmsPinSetResults *set, char *buf, gsize size)
{
  am_figure_pin_set_legend(set->kind, (gint64) set->n_pinned, buf, size);
  return buf;
}

/* ---- Fig. 1 ---------------------------------------------------------------------- */

static void build_fig1(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt)
{
  const AmDmsPinSetResults *set = am_figure_main_set(R, opt);
  const double want = isfinite(opt->fig1_temperature) ? opt->fig1_temperature : 500.0;
  const AmDmsPoint *pt = NULL;
  for (gsize k = 0; k < set->n_points; k++) {
    const AmDmsPoint *q = &set->points[k];
    if (q->trace && q->trace->n >= 2 && q->trace_fit &&
        (!pt || fabs(q->temperature - want) < fabs(pt->temperature - want)))
      pt = q;
  }
  if (!pt) {
    am_figure_skip(fig, "no stress trace was recorded (pin set “%s”)", set->name);
    return;
  }
  const AmDmsTrace *tr = pt->trace;
  const AmDmsParams *par = &R->params;
  const double t_s = (par->cycles - par->analysed_cycles) * par->period;
  gsize first = 0;
  while (first < tr->n && tr->t[first] < t_s - 1e-6 * par->period)
    first++;
  if (tr->n - first < 2) {
    first = 0;
    am_figure_note(fig, "the trace holds no samples in the analysed cycles: the whole trace is shown");
  }
  const gsize n = tr->n - first;
  g_autofree double *strain = g_new(double, n);
  g_autofree double *stress = g_new(double, n);
  for (gsize i = 0; i < n; i++) {
    strain[i] = 100.0 * tr->strain[first + i];
    stress[i] = tr->stress[first + i] / AM_BAR_PER_GPA;
  }
  const AmDmsFit *f = pt->trace_fit;
  const double t0 = tr->t[first], t1 = tr->t[tr->n - 1];
  const gsize nf = 1 + (gsize) MIN(20000.0, ceil(60.0 * (t1 - t0) / par->period));
  g_autofree double *ft = g_new(double, nf);
  g_autofree double *fs = g_new(double, nf);
  for (gsize i = 0; i < nf; i++) {
    ft[i] = t0 + (t1 - t0) * (double) i / (double) (nf - 1);
    fs[i] = (f->sigma0 + f->a * sin(f->omega * ft[i]) + f->b * cos(f->omega * ft[i])) / AM_BAR_PER_GPA;
  }

  g_autofree char *title = g_strdup_printf("MD-DMS at %g K (replica 0, pin set “%s”)", pt->temperature, set->name);
  AmPlotPanel *p = single_panel(fig, NULL, title);
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "Time <i>t</i> (ps)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "Shear strain <i>γ</i> (%)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y2, "Shear stress <i>σ</i><sub><i>xy</i></sub> (GPa)");
  am_plot_panel_set_axis_tight(p, AM_PLOT_AXIS_X, TRUE);
  /* Room above the curves for the legend. */
  const double amp = 100.0 * par->amplitude;
  am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_Y, -1.25 * amp, 1.9 * amp);
  double smin = INFINITY, smax = -INFINITY;
  for (gsize i = 0; i < n; i++)
    if (isfinite(stress[i])) {
      smin = MIN(smin, stress[i]);
      smax = MAX(smax, stress[i]);
    }
  if (isfinite(smin) && smax > smin)
    am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_Y2, smin - 0.1 * (smax - smin), smax + 0.7 * (smax - smin));
  am_plot_panel_set_legend(p, AM_PLOT_LEGEND_UPPER_LEFT);

  AmPlotSeries *s = am_plot_panel_add_xy(p, tr->t + first, strain, n, AM_PLOT_LINE, "strain <i>γ</i> (left)");
  am_plot_series_set_color(s, am_palette_color(1));
  am_plot_series_set_line(s, 2.0, AM_PLOT_DASH_SOLID);
  s = am_plot_panel_add_xy(p, tr->t + first, stress, n, AM_PLOT_LINE, "stress <i>σ</i><sub><i>xy</i></sub> (right)");
  am_plot_series_set_color(s, am_color_with_alpha(am_palette_color(0), 0.8));
  am_plot_series_set_line(s, 0.8, AM_PLOT_DASH_SOLID);
  am_plot_series_set_y_axis(s, AM_PLOT_AXIS_Y2);
  s = am_plot_panel_add_xy(p, ft, fs, nf, AM_PLOT_LINE, "sinusoid fit (right)");
  am_plot_series_set_color(s, am_color_from_hex(0x000000));
  am_plot_series_set_line(s, 1.8, AM_PLOT_DASH_SOLID);
  am_plot_series_set_y_axis(s, AM_PLOT_AXIS_Y2);

  g_autofree char *txt = g_strdup_printf("<i>σ</i><sub>A</sub> = %.3f GPa, <i>δ</i> = %.4f rad\n"
                                         "<i>E</i>′ = %.2f GPa, <i>E</i>″ = %.3f GPa",
                                         f->amplitude / AM_BAR_PER_GPA, f->phase, f->storage / AM_BAR_PER_GPA,
                                         f->loss / AM_BAR_PER_GPA);
  am_plot_panel_add_text(p, AM_PLOT_COORDS_AXES, 0.98, 0.97, txt, AM_PLOT_ANCHOR_NORTH_EAST);
}

/* ---- Fig. 2 ---------------------------------------------------------------------- */

static void build_fig2a(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt)
{
  const AmDmsPinSetResults *set = am_figure_main_set(R, opt);
  AmPlotPanel *p = single_panel(fig, "(a)", "Stress amplitude and phase lag");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, T_LABEL);
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "Stress amplitude <i>σ</i><sub>A</sub> (GPa)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y2, "Phase lag <i>δ</i> (rad)");
  Curve a = curve_of(set, G_STRUCT_OFFSET(AmDmsPoint, amplitude));
  Curve d = curve_of(set, G_STRUCT_OFFSET(AmDmsPoint, phase));
  add_curve(p, &a, "<i>σ</i><sub>A</sub> (left)", am_palette_color(0), AM_PLOT_MARKER_CIRCLE);
  AmPlotSeries *s = add_curve(p, &d, "<i>δ</i> (right)", am_palette_color(1), AM_PLOT_MARKER_SQUARE);
  am_plot_series_set_y_axis(s, AM_PLOT_AXIS_Y2);
  am_plot_series_set_line(s, 1.5, AM_PLOT_DASH_DASHED);
  curve_clear(&a);
  curve_clear(&d);
}

static void build_fig2b(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt)
{
  const AmDmsPinSetResults *set = am_figure_main_set(R, opt);
  AmPlotPanel *p = single_panel(fig, "(b)", "Shear loss modulus");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, T_LABEL);
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, LOSS_LABEL);
  Curve c = curve_of(set, G_STRUCT_OFFSET(AmDmsPoint, loss));
  gboolean crosses = FALSE;
  for (gsize k = 0; k < c.n; k++)
    crosses |= isfinite(c.y[k]) && c.y[k] - (isfinite(c.e[k]) ? c.e[k] : 0) < 0;
  if (crosses)
    am_plot_panel_add_reference_line(p, AM_PLOT_AXIS_Y, 0.0, NULL);
  add_curve(p, &c, "<i>E</i>″, mean ± s.e.m. over replicas", am_palette_color(0), AM_PLOT_MARKER_CIRCLE);
  curve_clear(&c);
}

/* Overlaid step histograms of the chosen points' p(u) or p(u′); which selects the
 * histogram. Returns the rebin factor used (0: nothing drawn). */
typedef enum { HIST_U, HIST_UPRIME } WhichHist;

static const AmHistogram *hist_of(const AmDmsPoint *pt, WhichHist which)
{
  return which == HIST_U ? &pt->counts.p_u : &pt->counts.p_uprime;
}

static int add_histograms(AmFigure *fig, AmPlotPanel *p, const AmDmsPoint *const *pts, const char *const *labels,
                          const AmColor *colors, gsize n, WhichHist which, const char *title_base, double *x_hi)
{
  *x_hi = 0;
  g_autofree const AmHistogram **hs = g_new(const AmHistogram *, n);
  gsize m = 0;
  for (gsize i = 0; i < n; i++)
    if (am_histogram_total(hist_of(pts[i], which)) > 0)
      hs[m++] = hist_of(pts[i], which);
  if (m == 0)
    return 0;
  const int factor = am_figure_rebin_factor(hs, m, MIN_PER_BIN);
  int drawn = 0;
  for (gsize i = 0; i < n; i++) {
    g_autofree double *edges = NULL;
    g_autofree double *values = NULL;
    gsize nb = am_figure_rebinned_density(hist_of(pts[i], which), hs, m, factor, &edges, &values);
    if (nb == 0) {
      am_figure_note(fig, "%g K: empty histogram, not shown", pts[i]->temperature);
      continue;
    }
    AmPlotSeries *s = am_plot_panel_add_histogram(p, edges, values, nb, AM_PLOT_HIST_STEP, labels[i]);
    if (s) {
      *x_hi = MAX(*x_hi, edges[nb]);
      am_plot_series_set_color(s, colors[i]);
      am_plot_series_set_line(s, 1.6, AM_PLOT_DASH_SOLID);
      drawn++;
    }
  }
  if (!drawn)
    return 0;
  const double w = hs[0]->width * factor;
  g_autofree char *bin = g_strdup_printf("Δ<i>u</i> = %g Å", w);
  g_autofree char *title = g_strdup_printf("%s (%s)", title_base, bin);
  am_plot_set_title(fig->plot, title);
  if (factor > 1)
    am_figure_note(fig, "histograms rebinned to %g Å (%d bins of %g Å)", w, factor, hs[0]->width);
  return factor;
}

/* Returns the upper end of the histograms' range. */
static double temperature_histograms(AmFigure *fig, const AmDmsPinSetResults *set, const gsize *idx, gsize n,
                                     AmPlotPanel *p, WhichHist which, const char *title_base)
{
  double x_hi = 0;
  g_autofree const AmDmsPoint **pts = g_new(const AmDmsPoint *, n);
  g_autofree AmColor *colors = g_new(AmColor, n);
  g_autofree char **labels = g_new0(char *, n + 1);
  for (gsize i = 0; i < n; i++) {
    pts[i] = &set->points[idx[i]];
    colors[i] = am_figure_temperature_color(i, n);
    labels[i] = g_strdup_printf("%g K", pts[i]->temperature);
  }
  if (!add_histograms(fig, p, pts, (const char *const *) labels, colors, n, which, title_base, &x_hi))
    am_figure_skip(fig, "the %s histograms are empty", which == HIST_U ? "p(u)" : "p(u′)");
  for (gsize i = 0; i < n; i++)
    g_free(labels[i]);
  return x_hi;
}

static void build_fig2c(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt)
{
  const AmDmsPinSetResults *set = am_figure_main_set(R, opt);
  /* At most six curves, spread over the temperature range. */
  const gsize max_curves = 6;
  g_autofree gsize *idx = g_new(gsize, MAX(set->n_points, max_curves));
  gsize n;
  if (set->n_points <= max_curves) {
    /* All of them, in ascending temperature. */
    n = am_figure_pick_temperatures(set->points, set->n_points, NULL, set->n_points, idx);
  } else {
    double lo = INFINITY, hi = -INFINITY;
    for (gsize k = 0; k < set->n_points; k++) {
      lo = MIN(lo, set->points[k].temperature);
      hi = MAX(hi, set->points[k].temperature);
    }
    double targets[6];
    for (gsize i = 0; i < max_curves; i++)
      targets[i] = lo + (hi - lo) * (double) i / (double) (max_curves - 1);
    n = am_figure_pick_temperatures(set->points, set->n_points, targets, max_curves, idx);
  }
  AmPlotPanel *p = single_panel(fig, "(c)", "Jump distances over one period");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "Jump distance <i>u</i>(<i>t</i><sub>p</sub>) (Å)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "<i>p</i>(<i>u</i>) (Å<sup>−1</sup>)");
  am_plot_panel_set_axis_log(p, AM_PLOT_AXIS_Y, TRUE);
  am_plot_panel_set_axis_tight(p, AM_PLOT_AXIS_X, TRUE);
  am_plot_panel_set_legend(p, AM_PLOT_LEGEND_UPPER_RIGHT);
  const double x_hi = temperature_histograms(fig, set, idx, n, p, HIST_U, "Jump distances over one period");
  if (fig->plot) {
    /* Keep u_c in view even when no jump reaches it. */
    const double uc = R->params.disp.jump_threshold;
    am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_X, 0.0, MAX(x_hi, 1.15 * uc));
    g_autofree char *uc_label = g_strdup_printf("<i>u</i><sub>c</sub> = %g Å", R->params.disp.jump_threshold);
    am_plot_panel_add_reference_line(p, AM_PLOT_AXIS_X, uc, uc_label);
  }
}

/* Temperature labels beside the points; a point close to one already labelled gets its
 * label below instead of above, so neighbours do not print over each other. */
static void label_points(AmPlotPanel *p, const AmDmsPinSetResults *set, const double *x, const double *y)
{
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (gsize k = 0; k < set->n_points; k++)
    if (isfinite(x[k]) && isfinite(y[k])) {
      xlo = MIN(xlo, x[k]);
      xhi = MAX(xhi, x[k]);
      ylo = MIN(ylo, y[k]);
      yhi = MAX(yhi, y[k]);
    }
  const double sx = xhi > xlo ? xhi - xlo : 1, sy = yhi > ylo ? yhi - ylo : 1;
  g_autofree gboolean *above = g_new0(gboolean, set->n_points);
  for (gsize k = 0; k < set->n_points; k++) {
    if (!isfinite(x[k]) || !isfinite(y[k]))
      continue;
    above[k] = TRUE;
    for (gsize j = 0; j < k; j++)
      if (above[j] && isfinite(x[j]) && isfinite(y[j]) && fabs(x[k] - x[j]) / sx < 0.12 &&
          fabs(y[k] - y[j]) / sy < 0.08)
        above[k] = FALSE;
    /* Near the right edge the label goes to the left of the point, inside the frame. */
    const gboolean left = (x[k] - xlo) / sx > 0.8;
    g_autofree char *t = left ? g_strdup_printf("%g K  ", set->points[k].temperature)
                              : g_strdup_printf("  %g K", set->points[k].temperature);
    am_plot_panel_add_text(p, AM_PLOT_COORDS_DATA, x[k], y[k], t,
                           left ? (above[k] ? AM_PLOT_ANCHOR_SOUTH_EAST : AM_PLOT_ANCHOR_NORTH_EAST)
                                : (above[k] ? AM_PLOT_ANCHOR_SOUTH_WEST : AM_PLOT_ANCHOR_NORTH_WEST));
  }
}

/* E″ against a per-point quantity, with both error bars and temperature labels. */
static AmPlotPanel *loss_versus(AmFigure *fig, const AmDmsPinSetResults *set, gsize offset, const char *label,
                                const char *title, const char *xlabel, double corr, double headroom)
{
  Curve xs = curve_of(set, offset);
  Curve ys = curve_of(set, G_STRUCT_OFFSET(AmDmsPoint, loss));
  AmPlotPanel *p = single_panel(fig, label, title);
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, xlabel);
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, LOSS_LABEL);
  AmPlotSeries *s = am_plot_panel_add_xy(p, xs.y, ys.y, set->n_points, AM_PLOT_MARKERS, NULL);
  am_plot_series_set_color(s, am_palette_color(0));
  am_plot_series_set_marker(s, AM_PLOT_MARKER_CIRCLE, 7, TRUE);
  am_plot_series_set_y_errors(s, ys.e, NULL);
  am_plot_series_set_x_errors(s, xs.e, NULL);
  label_points(p, set, xs.y, ys.y);
  /* The legend would say only "mean ± s.e.m."; that goes with the correlation in one note. */
  g_autofree char *r = isfinite(corr) ? g_strdup_printf("Pearson <i>r</i> = %s%.2f", corr < 0 ? "−" : "", fabs(corr))
                                      : g_strdup("Pearson <i>r</i>: needs ≥ 3 temperatures");
  g_autofree char *note = g_strdup_printf("Mean ± s.e.m. over replicas\n%s", r);
  am_plot_panel_add_text(p, AM_PLOT_COORDS_AXES, 0.03, 0.97, note, AM_PLOT_ANCHOR_NORTH_WEST);
  am_plot_panel_set_legend(p, AM_PLOT_LEGEND_NONE);
  /* Room above the data for the note (and Fig. 5a's inset): headroom × the data's span. */
  double ylo = INFINITY, yhi = -INFINITY;
  for (gsize k = 0; k < ys.n; k++)
    if (isfinite(ys.y[k]) && isfinite(xs.y[k])) {
      double e = isfinite(ys.e[k]) ? ys.e[k] : 0;
      ylo = MIN(ylo, ys.y[k] - e);
      yhi = MAX(yhi, ys.y[k] + e);
    }
  if (isfinite(ylo)) {
    double span = yhi > ylo ? yhi - ylo : MAX(0.1 * fabs(yhi), 0.1);
    am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_Y, ylo - 0.05 * span, yhi + headroom * span);
  }
  if (finite_count(xs.y, xs.n) == 0 || finite_count(ys.y, ys.n) == 0)
    am_figure_skip(fig, "no temperature has both values");
  curve_clear(&xs);
  curve_clear(&ys);
  return fig->plot ? p : NULL;
}

static void build_fig2d(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt)
{
  const AmDmsPinSetResults *set = am_figure_main_set(R, opt);
  g_autofree char *xl = g_strdup_printf("Fraction of atoms with <i>u</i> &gt; %g Å", R->params.disp.jump_threshold);
  loss_versus(fig, set, G_STRUCT_OFFSET(AmDmsPoint, f_jump), "(d)", "Loss modulus and long jumps", xl,
              set->corr_fjump_loss, 0.3);
}

/* ---- Fig. 3a --------------------------------------------------------------------- */

static void build_fig3a(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt)
{
  const AmDmsPinSetResults *set = am_figure_main_set(R, opt);
  const double targets[] = { 100, 300, 500 };
  gsize idx[3];
  gsize n = am_figure_pick_temperatures(set->points, set->n_points, targets, 3, idx);
  AmPlotPanel *p = single_panel(fig, "(a)", "Non-affine displacements");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "Non-affine displacement <i>u</i>′ (Å)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "<i>p</i>(<i>u</i>′) (Å<sup>−1</sup>)");
  am_plot_panel_set_axis_log(p, AM_PLOT_AXIS_Y, TRUE);
  am_plot_panel_set_axis_tight(p, AM_PLOT_AXIS_X, TRUE);
  am_plot_panel_set_legend(p, AM_PLOT_LEGEND_UPPER_RIGHT);
  temperature_histograms(fig, set, idx, n, p, HIST_UPRIME, "Non-affine displacements");
  if (fig->plot) {
    am_plot_panel_add_reference_line(p, AM_PLOT_AXIS_X, R->params.disp.va_max, "class bounds VA | RA | FA");
    am_plot_panel_add_reference_line(p, AM_PLOT_AXIS_X, R->params.disp.fa_min, NULL);
  }
}

/* ---- Fig. 4b --------------------------------------------------------------------- */

static void build_fig4b(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt)
{
  const AmDmsPinSetResults *set = am_figure_main_set(R, opt);
  AmPlotPanel *p = single_panel(fig, "(b)", "Atom classes from <i>u</i>′<sub>max</sub>");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, T_LABEL);
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "Fraction of atoms");
  am_plot_panel_set_axis_log(p, AM_PLOT_AXIS_Y, TRUE);
  am_plot_panel_set_legend(p, AM_PLOT_LEGEND_OUTSIDE_RIGHT);
  const gsize offsets[3] = { G_STRUCT_OFFSET(AmDmsPoint, f_va), G_STRUCT_OFFSET(AmDmsPoint, f_ra),
                             G_STRUCT_OFFSET(AmDmsPoint, f_fa) };
  const AmPlotMarker markers[3] = { AM_PLOT_MARKER_CIRCLE, AM_PLOT_MARKER_SQUARE, AM_PLOT_MARKER_TRIANGLE_UP };
  const char *names[3] = { "<i>f</i><sub>VA</sub>", "<i>f</i><sub>RA</sub>", "<i>f</i><sub>FA</sub>" };
  const char *plain[3] = { "VA", "RA", "FA" };
  gsize shown = 0;
  for (int c = 0; c < 3; c++) {
    Curve cv = curve_of(set, offsets[c]);
    /* Zeros cannot sit on a log axis; the legend says where they are, so the figure alone
     * does not suggest the points are missing. */
    GString *label = g_string_new(names[c]);
    int zeros = 0;
    for (gsize k = 0; k < cv.n; k++)
      if (isfinite(cv.y[k]) && cv.y[k] <= 0) {
        am_figure_note(fig, "%s fraction is 0 at %g K: not shown on the log axis", plain[c], cv.t[k]);
        g_string_append_printf(label, zeros++ ? ", %g" : "\n(0 at %g", cv.t[k]);
        cv.y[k] = NAN;
      }
    if (zeros)
      g_string_append(label, " K)");
    shown += finite_count(cv.y, cv.n);
    add_curve(p, &cv, label->str, am_figure_class_color((AmAtomColorClass) c), markers[c]);
    g_string_free(label, TRUE);
    curve_clear(&cv);
  }
  if (!shown)
    am_figure_skip(fig, "no class fractions above zero");
}

/* ---- Fig. 5 ---------------------------------------------------------------------- */

static void build_fig5a(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt)
{
  const AmDmsPinSetResults *set = am_figure_main_set(R, opt);
  AmPlotPanel *p = loss_versus(fig, set, G_STRUCT_OFFSET(AmDmsPoint, n_ra), "(a)",
                               "Loss modulus and reversible atoms",
                               "Number of reversible atoms <i>N</i><sub>RA</sub>", set->corr_nra_loss, 0.8);
  if (!p)
    return;
  AmPlotPanel *in = am_plot_panel_add_inset(p, 0.58, 0.62, 0.39, 0.35);
  if (!in)
    return;
  am_plot_panel_set_axis_label(in, AM_PLOT_AXIS_X, "<i>T</i> (K)");
  am_plot_panel_set_axis_label(in, AM_PLOT_AXIS_Y, "<i>N</i><sub>RA</sub>");
  Curve c = curve_of(set, G_STRUCT_OFFSET(AmDmsPoint, n_ra));
  AmPlotSeries *s = add_curve(in, &c, NULL, am_figure_class_color(AM_ATOM_COLOR_RA), AM_PLOT_MARKER_SQUARE);
  am_plot_series_set_marker(s, AM_PLOT_MARKER_SQUARE, 5, TRUE);
  am_plot_series_set_line(s, 1.0, AM_PLOT_DASH_SOLID);
  curve_clear(&c);
}

static gboolean have_pin_sets(AmFigure *fig, const AmDmsSweepResults *R)
{
  if (R->n_sets >= 2)
    return TRUE;
  am_figure_skip(fig, "the pinning figures need more than one pin set (this run has only “%s”; "
                      "run the pinning protocol)", R->sets[0].name);
  return FALSE;
}

static void build_fig5b(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt)
{
  (void) opt;
  if (!have_pin_sets(fig, R))
    return;
  AmPlotPanel *p = single_panel(fig, "(b)", "Loss modulus with pinned atoms");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, T_LABEL);
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, LOSS_LABEL);
  gboolean crosses = FALSE;
  for (gsize s = 0; s < R->n_sets; s++) {
    Curve c = curve_of(&R->sets[s], G_STRUCT_OFFSET(AmDmsPoint, loss));
    for (gsize k = 0; k < c.n; k++)
      crosses |= isfinite(c.y[k]) && c.y[k] - (isfinite(c.e[k]) ? c.e[k] : 0) < 0;
    char buf[64];
    AmPlotSeries *ser = add_curve(p, &c, set_legend(&R->sets[s], buf, sizeof buf),
                                  am_figure_pin_set_color(R->sets[s].kind, s), am_figure_pin_set_marker(s));
    if (R->sets[s].kind != AM_PIN_NONE)
      am_plot_series_set_line(ser, 1.5, AM_PLOT_DASH_DASHED);
    curve_clear(&c);
  }
  if (crosses)
    am_plot_panel_add_reference_line(p, AM_PLOT_AXIS_Y, 0.0, NULL);
}

static void build_fig5c(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt)
{
  if (!have_pin_sets(fig, R))
    return;
  double want = opt->pin_temperature;
  if (!isfinite(want))
    want = isfinite(R->selection_temperature) ? R->selection_temperature : 300.0;
  g_autofree const AmDmsPoint **pts = g_new(const AmDmsPoint *, R->n_sets);
  g_autofree AmColor *colors = g_new(AmColor, R->n_sets);
  g_autofree char **labels = g_new0(char *, R->n_sets + 1);
  gsize n = 0;
  double shown_t = NAN;
  for (gsize s = 0; s < R->n_sets; s++) {
    const AmDmsPinSetResults *set = &R->sets[s];
    gsize best = G_MAXSIZE;
    for (gsize k = 0; k < set->n_points; k++)
      if (best == G_MAXSIZE || fabs(set->points[k].temperature - want) < fabs(set->points[best].temperature - want))
        best = k;
    if (best == G_MAXSIZE)
      continue;
    pts[n] = &set->points[best];
    if (isfinite(shown_t) && pts[n]->temperature != shown_t)
      am_figure_note(fig, "pin set %s has no point at %g K: its %g K is shown", set->name, shown_t,
                     pts[n]->temperature);
    if (!isfinite(shown_t))
      shown_t = pts[n]->temperature;
    char buf[64];
    labels[n] = g_strdup(set_legend(set, buf, sizeof buf));
    colors[n] = am_figure_pin_set_color(set->kind, s);
    n++;
  }
  g_autofree char *title = g_strdup_printf("Non-affine displacements with pinned atoms, %g K", shown_t);
  AmPlotPanel *p = single_panel(fig, "(c)", title);
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "Non-affine displacement <i>u</i>′ (Å)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "<i>p</i>(<i>u</i>′) (Å<sup>−1</sup>)");
  am_plot_panel_set_axis_log(p, AM_PLOT_AXIS_Y, TRUE);
  am_plot_panel_set_axis_tight(p, AM_PLOT_AXIS_X, TRUE);
  am_plot_panel_set_legend(p, AM_PLOT_LEGEND_UPPER_RIGHT);
  double x_hi;
  if (!add_histograms(fig, p, pts, (const char *const *) labels, colors, n, HIST_UPRIME, title, &x_hi))
    am_figure_skip(fig, "the p(u′) histograms are empty");
  for (gsize i = 0; i < n; i++)
    g_free(labels[i]);
}

void am_figure_build_dms(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt)
{
  switch (fig->id) {
  case AM_FIGURE_1: build_fig1(fig, R, opt); break;
  case AM_FIGURE_2A: build_fig2a(fig, R, opt); break;
  case AM_FIGURE_2B: build_fig2b(fig, R, opt); break;
  case AM_FIGURE_2C: build_fig2c(fig, R, opt); break;
  case AM_FIGURE_2D: build_fig2d(fig, R, opt); break;
  case AM_FIGURE_3A: build_fig3a(fig, R, opt); break;
  case AM_FIGURE_4B: build_fig4b(fig, R, opt); break;
  case AM_FIGURE_5A: build_fig5a(fig, R, opt); break;
  case AM_FIGURE_5B: build_fig5b(fig, R, opt); break;
  case AM_FIGURE_5C: build_fig5c(fig, R, opt); break;
  default: am_figure_skip(fig, "not a figure of the sweep numbers"); break;
  }
}
