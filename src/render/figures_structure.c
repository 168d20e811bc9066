/* figures_structure.c: Figs. 3b, 5d, 7a, S3 and S4 from the structure protocol's results
 * (figures_structure.h), and writing them all. */
#include "render/figures_structure.h"

#include <errno.h>
#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "analysis/compare.h"
#include "experiment/atomic_file.h"
#include "render/figures_private.h"

static const struct {
  const char *name;
  const char *caption;
} info[AM_STRUCTURE_FIGURE_N] = {
  [AM_STRUCTURE_FIGURE_3B] = { "fig3b", "Partial pair distribution functions g_ij(r)" },
  [AM_STRUCTURE_FIGURE_5D] = { "fig5d", "Local configurational anisotropy |Θ| of selected RAs and of VAs" },
  [AM_STRUCTURE_FIGURE_7A] = { "fig7a", "Selected RAs projected on the xy plane, with their displacement vectors" },
  [AM_STRUCTURE_FIGURE_S3] = { "figS3", "Voronoi volume, Q6, potential energy and von Mises stress of RAs and VAs" },
  [AM_STRUCTURE_FIGURE_S4] = { "figS4", "Soft-mode participation of RAs and VAs" },
};

const char *am_structure_figure_name(AmStructureFigureId id)
{
  return (unsigned) id < AM_STRUCTURE_FIGURE_N ? info[id].name : NULL;
}

const char *am_structure_figure_caption(AmStructureFigureId id)
{
  return (unsigned) id < AM_STRUCTURE_FIGURE_N ? info[id].caption : NULL;
}

void am_structure_figure_default_size(AmStructureFigureId id, double *width, double *height)
{
  *width = 520;
  *height = id == AM_STRUCTURE_FIGURE_S3 ? 520 : id == AM_STRUCTURE_FIGURE_7A ? 470 : 390;
}

static char *footer_text(const AmStructureResults *R)
{
  GString *s = g_string_new(R->source ? R->source : "Structure of one configuration");
  if (R->selection)
    g_string_append_printf(s, "\nRAs: %s", R->selection);
  if (R->reference)
    g_string_append_printf(s, " · VAs: %s", R->reference);
  return g_string_free(s, FALSE);
}

/* ---- RA against VA distributions ------------------------------------------------- */

#define RA 1
#define VA 0

typedef struct {
  const char *markup; /* axis label */
  const char *what;   /* plain name for notes */
  const double *v;
} Quantity;

static gsize group_count(const AmStructureResults *R, const double *v, gint32 g)
{
  gsize n = 0;
  for (gsize i = 0; i < R->n; i++)
    n += R->group[i] == g && isfinite(v[i]);
  return n;
}

static int cmp_double(const void *a, const void *b)
{
  const double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Both groups' densities on one set of bins. The range is that of all values, or the
 * central 99.8 % of them when a few extreme atoms would otherwise squeeze every other
 * bin into a corner; how many fall outside then goes to the notes. */
static gboolean add_group_histograms(AmFigure *fig, AmPlotPanel *p, const AmStructureResults *R, const Quantity *q)
{
  const gsize n_ra = group_count(R, q->v, RA), n_va = group_count(R, q->v, VA);
  if (n_ra < 2 || n_va < 2) {
    am_figure_note(fig, "%s: fewer than two finite values in a group (%zu RAs, %zu VAs), not drawn", q->what, n_ra,
                   n_va);
    am_plot_panel_add_text(p, AM_PLOT_COORDS_AXES, 0.5, 0.5, "too few atoms in a group", AM_PLOT_ANCHOR_CENTER);
    return FALSE;
  }
  const gsize n_all = n_ra + n_va;
  double *all = g_new(double, n_all);
  gsize k = 0;
  for (gsize i = 0; i < R->n; i++)
    if ((R->group[i] == RA || R->group[i] == VA) && isfinite(q->v[i]))
      all[k++] = q->v[i];
  qsort(all, n_all, sizeof *all, cmp_double);
  const gsize cut = n_all / 1000;
  double lo = all[0], hi = all[n_all - 1];
  if (hi - lo > 1.5 * (all[n_all - 1 - cut] - all[cut])) {
    lo = all[cut];
    hi = all[n_all - 1 - cut];
  }
  g_free(all);
  if (!(hi > lo)) {
    const double pad = fabs(lo) > 0 ? 0.05 * fabs(lo) : 0.5;
    lo -= pad;
    hi += pad;
  }
  /* About 2√n bins for the smaller group: a few tens of RAs still give a readable shape. */
  const int nbins = (int) CLAMP(ceil(2.0 * sqrt((double) MIN(n_ra, n_va))), 8, 40);
  const double w = (hi - lo) / nbins;
  double edges[41], dens[2][40];
  for (int b = 0; b <= nbins; b++)
    edges[b] = lo + b * w;
  edges[nbins] = hi;
  gsize outside = 0;
  memset(dens, 0, sizeof dens);
  for (gsize i = 0; i < R->n; i++) {
    const gint32 g = R->group[i];
    if ((g != RA && g != VA) || !isfinite(q->v[i]))
      continue;
    const double x = q->v[i];
    if (x < lo || x > hi) {
      outside++;
      continue;
    }
    int b = (int) floor((x - lo) / w);
    b = CLAMP(b, 0, nbins - 1);
    dens[g == RA ? 0 : 1][b] += 1.0;
  }
  for (int b = 0; b < nbins; b++) {
    dens[0][b] /= (double) n_ra * w;
    dens[1][b] /= (double) n_va * w;
  }
  if (outside)
    am_figure_note(fig, "%s: %zu of %zu values lie outside the plotted central 99.8 %% (%.4g … %.4g)", q->what,
                   outside, n_all, lo, hi);
  char label[64];
  g_snprintf(label, sizeof label, "VA (%zu)", n_va);
  AmPlotSeries *s = am_plot_panel_add_histogram(p, edges, dens[1], (size_t) nbins, AM_PLOT_HIST_FILLED, label);
  am_plot_series_set_color(s, am_figure_class_color(AM_ATOM_COLOR_VA));
  g_snprintf(label, sizeof label, "RA (%zu)", n_ra);
  s = am_plot_panel_add_histogram(p, edges, dens[0], (size_t) nbins, AM_PLOT_HIST_STEP, label);
  am_plot_series_set_color(s, am_figure_class_color(AM_ATOM_COLOR_RA));
  am_plot_series_set_line(s, 2.0, AM_PLOT_DASH_SOLID);

  AmCompare cmp;
  AmError err = { 0 };
  if (am_compare_by_label(q->v, R->group, R->n, RA, VA, &cmp, &err) == AM_OK) {
    char text[160];
    g_snprintf(text, sizeof text, "Δmean = %.2f pooled SD\nKS <i>D</i> = %.2f, <i>p</i> = %.1g", cmp.effect, cmp.ks,
               cmp.ks_p);
    am_plot_panel_add_text(p, AM_PLOT_COORDS_AXES, 0.03, 0.97, text, AM_PLOT_ANCHOR_NORTH_WEST);
  } else {
    am_figure_note(fig, "%s: %s", q->what, err.message);
  }
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, q->markup);
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "Probability density");
  /* Headroom above the tallest bar for the numbers (top left) and the legend (top right). */
  double top = 0.0;
  for (int b = 0; b < nbins; b++)
    top = fmax(top, fmax(dens[0][b], dens[1][b]));
  if (top > 0.0)
    am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_Y, 0.0, 1.45 * top);
  else
    am_plot_panel_set_axis_include_zero(p, AM_PLOT_AXIS_Y, TRUE);
  am_plot_panel_set_axis_tight(p, AM_PLOT_AXIS_X, TRUE);
  am_plot_panel_set_legend(p, AM_PLOT_LEGEND_UPPER_RIGHT);
  return TRUE;
}

static gboolean need_groups(AmFigure *fig, const AmStructureResults *R)
{
  if (!R->group) {
    am_figure_skip(fig, "no RA ids were given ([structure] ra_ids or ras_from)");
    return FALSE;
  }
  return TRUE;
}

static void build_5d(AmFigure *fig, const AmStructureResults *R)
{
  if (!need_groups(fig, R))
    return;
  AmPlotPanel *p = am_plot_add_panel(fig->plot);
  am_plot_panel_set_label(p, "(d)");
  am_plot_set_title(fig->plot, "Local configurational anisotropy");
  const Quantity q = { "LCA |<i>Θ</i>| (Å)", "|Θ|", R->theta };
  add_group_histograms(fig, p, R, &q);
}

static void build_s3(AmFigure *fig, const AmStructureResults *R)
{
  if (!need_groups(fig, R))
    return;
  const Quantity qs[4] = {
    { "Voronoi volume <i>V</i> (Å<sup>3</sup>)", "V", R->volume },
    { "Bond orientational order <i>Q</i><sub>6</sub>", "Q6", R->q6 },
    { "Potential energy <i>E</i> (eV)", "E", R->energy },
    { "von Mises stress <i>S</i> (GPa)", "S", R->von_mises },
  };
  static const char *const letters[4] = { "(a)", "(b)", "(c)", "(d)" };
  am_plot_set_grid(fig->plot, 2, 2);
  am_plot_set_font(fig->plot, "Sans", 9.5);
  am_plot_set_title(fig->plot, "RAs against VAs: volume, order, energy, stress");
  for (int k = 0; k < 4; k++) {
    AmPlotPanel *p = am_plot_add_panel(fig->plot);
    am_plot_panel_set_label(p, letters[k]);
    add_group_histograms(fig, p, R, &qs[k]);
  }
}

static void build_s4(AmFigure *fig, const AmStructureResults *R)
{
  if (!need_groups(fig, R))
    return;
  if (!R->participation) {
    am_figure_skip(fig, "soft modes were not computed ([structure] soft_modes = false)");
    return;
  }
  /* p_i averages to 1/N and has a long tail: shown as N·p_i, so 1 is the mean atom. */
  g_autofree double *np = g_new(double, R->n);
  for (gsize i = 0; i < R->n; i++)
    np[i] = (double) R->n * R->participation[i];
  AmPlotPanel *p = am_plot_add_panel(fig->plot);
  am_plot_set_title(fig->plot, "Participation in the softest vibrational modes");
  const Quantity q = { "Participation <i>N p</i><sub><i>i</i></sub> (1 = average atom)", "participation", np };
  add_group_histograms(fig, p, R, &q);
}

/* ---- g(r) -------------------------------------------------------------------------- */

static void build_3b(AmFigure *fig, const AmStructureResults *R)
{
  if (R->n_rdf == 0 || R->rdf_bins < 2 || !R->rdf_r) {
    am_figure_skip(fig, "no pair distribution was computed");
    return;
  }
  AmPlotPanel *p = am_plot_add_panel(fig->plot);
  am_plot_panel_set_label(p, "(b)");
  am_plot_set_title(fig->plot, "Partial pair distribution functions");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "Distance <i>r</i> (Å)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "<i>g</i><sub><i>ij</i></sub>(<i>r</i>)");
  am_plot_panel_set_axis_include_zero(p, AM_PLOT_AXIS_Y, TRUE);
  am_plot_panel_set_axis_tight(p, AM_PLOT_AXIS_X, TRUE);
  am_plot_panel_set_legend(p, AM_PLOT_LEGEND_UPPER_RIGHT);
  for (gsize c = 0; c < R->n_rdf; c++) {
    char label[64];
    g_snprintf(label, sizeof label, "<i>g</i><sub>%s</sub>", R->rdf_pair[c]);
    AmPlotSeries *s = am_plot_panel_add_xy(p, R->rdf_r, R->rdf_g[c], R->rdf_bins, AM_PLOT_LINE, label);
    am_plot_series_set_color(s, am_figure_temperature_color(c, R->n_rdf));
    am_plot_series_set_line(s, 1.4, (AmPlotDash) (c % 3));
  }
  am_plot_panel_add_reference_line(p, AM_PLOT_AXIS_Y, 1.0, NULL);
}

/* ---- the map ----------------------------------------------------------------------- */

static void build_7a(AmFigure *fig, const AmStructureResults *R)
{
  if (!need_groups(fig, R))
    return;
  if (!R->displacement) {
    am_figure_skip(fig, "the RA selection records no displacement vectors (selected_ras.csv of a sweep made "
                        "before they were recorded, or plain id lists)");
    return;
  }
  const double lx = R->box_len[0], ly = R->box_len[1], xy = R->box_xy;
  const double x0 = R->box_lo[0], y0 = R->box_lo[1];
  /* Positions and arrows in the box's xy parallelogram; an atom is drawn where it is in
   * the wrapped cell, its arrow may leave the box (the paper's schematic does too). */
  GArray *px[2], *py[2], *ax = g_array_new(FALSE, FALSE, sizeof(double)), *ay = g_array_new(FALSE, FALSE, sizeof(double));
  for (int t = 0; t < 2; t++) {
    px[t] = g_array_new(FALSE, FALSE, sizeof(double));
    py[t] = g_array_new(FALSE, FALSE, sizeof(double));
  }
  const double nan = NAN;
  gsize n_ra = 0, n_arrows = 0;
  double len_sum = 0.0;
  for (gsize i = 0; i < R->n; i++) {
    if (R->group[i] != RA)
      continue;
    n_ra++;
    const double *r = R->x + 3 * i;
    const int t = R->type[i] == 0 ? 0 : 1;
    g_array_append_val(px[t], r[0]);
    g_array_append_val(py[t], r[1]);
    const double *d = R->displacement + 3 * i;
    if (!isfinite(d[0]) || !isfinite(d[1]) || !isfinite(d[2]))
      continue;
    const double len = hypot(d[0], d[1]);
    n_arrows++;
    len_sum += sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    if (!(len > 1e-6))
      continue;
    /* Shaft, then a two-stroke head of fixed size at ±25°, each a separate stroke. */
    const double ex = r[0] + d[0], ey = r[1] + d[1];
    const double ux = d[0] / len, uy = d[1] / len, hl = fmin(0.45, 0.5 * len);
    const double c = cos(25.0 * G_PI / 180.0), s = sin(25.0 * G_PI / 180.0);
    const double pts[][2] = { { r[0], r[1] },
                              { ex, ey },
                              { nan, nan },
                              { ex - hl * (c * ux - s * uy), ey - hl * (s * ux + c * uy) },
                              { ex, ey },
                              { ex - hl * (c * ux + s * uy), ey - hl * (-s * ux + c * uy) },
                              { nan, nan } };
    for (gsize k = 0; k < G_N_ELEMENTS(pts); k++) {
      g_array_append_val(ax, pts[k][0]);
      g_array_append_val(ay, pts[k][1]);
    }
  }
  AmPlotPanel *p = am_plot_add_panel(fig->plot);
  am_plot_panel_set_label(p, "(a)");
  if (isfinite(R->temperature)) {
    char title[96];
    g_snprintf(title, sizeof title, "Selected RAs at %g K, projected on the <i>xy</i> plane", R->temperature);
    am_plot_set_title(fig->plot, title);
  } else {
    am_plot_set_title(fig->plot, "Selected RAs, projected on the <i>xy</i> plane");
  }
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "<i>x</i> (Å)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "<i>y</i> (Å)");
  am_plot_panel_set_equal_aspect(p, TRUE);
  am_plot_panel_set_legend(p, AM_PLOT_LEGEND_OUTSIDE_RIGHT);
  const double bx[] = { x0, x0 + lx, x0 + lx + xy, x0 + xy, x0 };
  const double by[] = { y0, y0, y0 + ly, y0 + ly, y0 };
  AmPlotSeries *box = am_plot_panel_add_xy(p, bx, by, 5, AM_PLOT_LINE, "box");
  am_plot_series_set_color(box, am_color_from_hex(0x999999));
  am_plot_series_set_line(box, 0.8, AM_PLOT_DASH_DASHED);
  static const guint32 species_color[2] = { 0xD55E00, 0x444444 };
  for (int t = 0; t < 2; t++) {
    if (!px[t]->len)
      continue;
    char label[64];
    g_snprintf(label, sizeof label, "%s RA (%u)", t == 0 ? R->type_label[0] : (R->ntypes > 1 ? R->type_label[1] : "other"),
               px[t]->len);
    AmPlotSeries *s = am_plot_panel_add_xy(p, (double *) px[t]->data, (double *) py[t]->data, px[t]->len,
                                           AM_PLOT_MARKERS, label);
    am_plot_series_set_color(s, am_color_from_hex(species_color[t]));
    am_plot_series_set_marker(s, t == 0 ? AM_PLOT_MARKER_CIRCLE : AM_PLOT_MARKER_SQUARE, 5, TRUE);
  }
  /* Arrows over the markers, so a short one is not hidden under its atom. */
  if (ax->len) {
    char label[64];
    g_snprintf(label, sizeof label, "displacement (%zu)", n_arrows);
    AmPlotSeries *s = am_plot_panel_add_xy(p, (double *) ax->data, (double *) ay->data, ax->len, AM_PLOT_LINE, label);
    am_plot_series_set_color(s, am_color_from_hex(0x0072B2));
    am_plot_series_set_line(s, 1.1, AM_PLOT_DASH_SOLID);
  }
  if (n_arrows < n_ra)
    am_figure_note(fig, "%zu of %zu RAs have no recorded displacement vector (no arrow)", n_ra - n_arrows, n_ra);
  if (n_arrows)
    am_figure_note(fig, "arrows at true length, xy projection; mean |d| = %.2f Å (3-D); %s", len_sum / (double) n_arrows,
                   R->displacement_what ? R->displacement_what : "displacement vectors");
  if (n_ra == 0)
    am_plot_panel_add_text(p, AM_PLOT_COORDS_AXES, 0.5, 0.5, "no selected RAs", AM_PLOT_ANCHOR_CENTER);
  for (int t = 0; t < 2; t++) {
    g_array_free(px[t], TRUE);
    g_array_free(py[t], TRUE);
  }
  g_array_free(ax, TRUE);
  g_array_free(ay, TRUE);
}

AmFigure *am_structure_figure_new(AmStructureFigureId id, const AmStructureResults *R)
{
  g_return_val_if_fail((unsigned) id < AM_STRUCTURE_FIGURE_N, NULL);
  AmFigure *fig = g_new0(AmFigure, 1);
  fig->id = AM_FIGURE_N;
  fig->name = info[id].name;
  fig->caption = info[id].caption;
  if (!R || R->n == 0) {
    fig->footer = g_strdup("No results.");
    am_figure_skip(fig, "the results hold no atoms");
    return fig;
  }
  fig->footer = footer_text(R);
  fig->plot = am_plot_new();
  switch (id) {
  case AM_STRUCTURE_FIGURE_3B:
    build_3b(fig, R);
    break;
  case AM_STRUCTURE_FIGURE_5D:
    build_5d(fig, R);
    break;
  case AM_STRUCTURE_FIGURE_7A:
    build_7a(fig, R);
    break;
  case AM_STRUCTURE_FIGURE_S3:
    build_s3(fig, R);
    break;
  case AM_STRUCTURE_FIGURE_S4:
    build_s4(fig, R);
    break;
  case AM_STRUCTURE_FIGURE_N:
    break;
  }
  return fig;
}

static AmFigure *build_structure_figure(int i, gconstpointer data, double *w, double *h)
{
  am_structure_figure_default_size((AmStructureFigureId) i, w, h);
  return am_structure_figure_new((AmStructureFigureId) i, data);
}

gboolean am_structure_figures_write_all(const AmStructureResults *R, const char *dir, GPtrArray *written,
                                        GPtrArray *skipped, GError **error)
{
  g_autofree char *footer = R ? footer_text(R) : g_strdup("No results.");
  return am_figures_write_set(dir, "structure", footer, AM_STRUCTURE_FIGURE_N, build_structure_figure, R, written,
                              skipped, error);
}
