/* figures_traj.c: the figures drawn from the trajectories of a few recorded atoms
 * (trajectory.h): Fig. 4a (u′(t) of a VA, an RA and an FA), Fig. 6a (p(u′) of the selected
 * RAs, pooled by the recorder) and Figs. 6b–d (XY heatmaps of one RA at three temperatures). */
#include "render/figures_private.h"

#include <math.h>
#include <string.h>

#include "analysis/displacement.h"

static const char *const class_name[3] = { "VA", "RA", "FA" };

static gboolean have_trajectories(AmFigure *fig, const AmFigureOptions *opt)
{
  gsize usable = 0;
  for (gsize i = 0; opt->trajectories && i < opt->n_trajectories; i++)
    usable += opt->trajectories[i].traj && !opt->trajectories[i].traj->failed &&
              opt->trajectories[i].traj->frames > 0;
  if (usable)
    return TRUE;
  am_figure_skip(fig, "no atom trajectories were recorded in this sweep ([dms] trajectories = true records them)");
  return FALSE;
}

/* Trajectory sets nearest the targets, ascending in temperature, without repeats. */
static gsize pick_sets(const AmFigureOptions *opt, const double *targets, gsize n_targets, gsize *out)
{
  gsize n = 0;
  for (gsize t = 0; t < n_targets; t++) {
    gsize best = G_MAXSIZE;
    for (gsize i = 0; i < opt->n_trajectories; i++) {
      const AmFigureTrajectories *ft = &opt->trajectories[i];
      gboolean taken = FALSE;
      for (gsize j = 0; j < n; j++)
        taken |= out[j] == i;
      if (taken || !ft->traj || ft->traj->failed || ft->traj->frames == 0)
        continue;
      if (best == G_MAXSIZE ||
          fabs(ft->temperature - targets[t]) < fabs(opt->trajectories[best].temperature - targets[t]))
        best = i;
    }
    if (best != G_MAXSIZE)
      out[n++] = best;
  }
  for (gsize i = 1; i < n; i++)
    for (gsize j = i; j > 0 && opt->trajectories[out[j]].temperature < opt->trajectories[out[j - 1]].temperature;
         j--) {
      gsize tmp = out[j];
      out[j] = out[j - 1];
      out[j - 1] = tmp;
    }
  return n;
}

static gint64 atom_id(const AmFigureTrajectories *ft, gsize s)
{
  return ft->ids ? ft->ids[s] : (gint64) ft->traj->atoms[s];
}

/* ---- Fig. 4a --------------------------------------------------------------------- */

static void build_fig4a(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt)
{
  if (!have_trajectories(fig, opt))
    return;
  /* The temperature whose recorded atoms cover the most classes, nearest 300 K among
   * those: the figure is about telling the three kinds of motion apart. */
  gsize k = G_MAXSIZE;
  int best_kinds = -1;
  for (gsize i = 0; i < opt->n_trajectories; i++) {
    const AmFigureTrajectories *c = &opt->trajectories[i];
    if (!c->traj || c->traj->failed || c->traj->frames == 0)
      continue;
    gboolean seen[3] = { FALSE, FALSE, FALSE };
    for (gsize s = 0; c->cls && s < c->traj->n; s++)
      seen[MIN(c->cls[s], 2)] = TRUE;
    int kinds = seen[0] + seen[1] + seen[2];
    if (kinds > best_kinds ||
        (kinds == best_kinds && fabs(c->temperature - 300) < fabs(opt->trajectories[k].temperature - 300))) {
      best_kinds = kinds;
      k = i;
    }
  }
  const AmFigureTrajectories *ft = &opt->trajectories[k];
  if (!ft->cls) {
    am_figure_skip(fig, "the classes of the recorded atoms at %g K are unknown", ft->temperature);
    return;
  }
  gsize pick[3] = { G_MAXSIZE, G_MAXSIZE, G_MAXSIZE };
  for (gsize s = 0; s < ft->traj->n; s++)
    if (ft->cls[s] < 3 && pick[ft->cls[s]] == G_MAXSIZE)
      pick[ft->cls[s]] = s;
  g_autofree char *title = g_strdup_printf("Three typical atoms at %g K", ft->temperature);
  AmPlotPanel *p = am_plot_add_panel(fig->plot);
  am_plot_set_title(fig->plot, title);
  am_plot_panel_set_label(p, "(a)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "Time since the analysed window began (ps)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "Non-affine displacement <i>u</i>′ (Å)");
  am_plot_panel_set_axis_include_zero(p, AM_PLOT_AXIS_Y, TRUE);
  am_plot_panel_set_axis_tight(p, AM_PLOT_AXIS_X, TRUE);
  am_plot_panel_set_legend(p, AM_PLOT_LEGEND_UPPER_LEFT);
  int drawn = 0;
  for (int c = 0; c < 3; c++) {
    if (pick[c] == G_MAXSIZE) {
      am_figure_note(fig, "no recorded atom is %s at %g K", class_name[c], ft->temperature);
      continue;
    }
    const double *t, *u;
    size_t len;
    AmError err = { 0 };
    if (am_trajectory_series(ft->traj, pick[c], &t, &u, &len, &err) || len < 2) {
      am_figure_note(fig, "no u′ series for the %s (%s)", class_name[c], err.message[0] ? err.message : "too short");
      continue;
    }
    g_autofree double *tt = g_new(double, len);
    for (size_t i = 0; i < len; i++)
      tt[i] = t[i] - t[0];
    g_autofree char *label = g_strdup_printf("%s (atom %" G_GINT64_FORMAT ")", class_name[c], atom_id(ft, pick[c]));
    AmPlotSeries *s = am_plot_panel_add_xy(p, tt, u, len, AM_PLOT_LINE, label);
    am_plot_series_set_color(s, am_figure_class_color((AmAtomColorClass) c));
    am_plot_series_set_line(s, 1.2, AM_PLOT_DASH_SOLID);
    drawn++;
  }
  if (!drawn) {
    am_figure_skip(fig, "no recorded atom has a u′ series at %g K", ft->temperature);
    return;
  }
  am_plot_panel_add_reference_line(p, AM_PLOT_AXIS_Y, R->params.disp.va_max, "class bounds");
  am_plot_panel_add_reference_line(p, AM_PLOT_AXIS_Y, R->params.disp.fa_min, NULL);
}

/* ---- Fig. 6a --------------------------------------------------------------------- */

static void build_fig6a(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt)
{
  (void) R;
  if (!have_trajectories(fig, opt))
    return;
  const double targets[] = { 100, 300, 500 };
  gsize sets[3];
  gsize n = pick_sets(opt, targets, 3, sets);
  AmPlotPanel *p = am_plot_add_panel(fig->plot);
  am_plot_panel_set_label(p, "(a)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "Non-affine displacement <i>u</i>′ (Å)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "<i>p</i>(<i>u</i>′) (Å<sup>−1</sup>)");
  am_plot_panel_set_axis_tight(p, AM_PLOT_AXIS_X, TRUE);
  am_plot_panel_set_legend(p, AM_PLOT_LEGEND_UPPER_RIGHT);
  /* The pooled histogram has the fine bins of p(u′) of all atoms; tens of atoms give
   * thousands of values, not millions, so bins are merged up to at least 0.05 Å. */
  double bin = 0, umax = 0;
  for (gsize i = 0; i < n; i++) {
    const AmHistogram *h = &opt->trajectories[sets[i]].traj->pool_u;
    if (!opt->trajectories[sets[i]].traj->pooled || am_histogram_total(h) == 0)
      continue;
    const gsize merge = (gsize) MAX(1.0, ceil(0.05 / h->width - 1e-9));
    bin = merge * h->width;
    for (gsize b = 0; b < h->nbins; b++)
      if (h->counts[b])
        umax = MAX(umax, h->lo + (double) (b + 1) * h->width);
  }
  int drawn = 0;
  const gsize nb = bin > 0 ? (gsize) ceil(umax / bin - 1e-9) : 0;
  g_autofree double *edges = g_new(double, nb + 1);
  for (gsize b = 0; b <= nb; b++)
    edges[b] = (double) b * bin;
  for (gsize i = 0; i < n && nb; i++) {
    const AmFigureTrajectories *ft = &opt->trajectories[sets[i]];
    const AmHistogram *h = &ft->traj->pool_u;
    if (!ft->traj->pooled || ft->traj->n_pool == 0 || am_histogram_total(h) == 0) {
      am_figure_note(fig, "no selected RA at %g K", ft->temperature);
      continue;
    }
    g_autofree double *v = g_new0(double, nb);
    for (gsize b = 0; b < h->nbins; b++) {
      const gsize k = (gsize) floor(((double) b + 0.5) * h->width / bin);
      if (k < nb)
        v[k] += (double) h->counts[b];
    }
    /* Normalised by every value offered, as p(u′) of all atoms: a tail beyond the range
     * lowers the curve instead of inflating it. */
    const double total = (double) am_histogram_total(h);
    for (gsize b = 0; b < nb; b++)
      v[b] /= total * bin;
    g_autofree char *label = g_strdup_printf("%g K (%zu RA%s)", ft->temperature, ft->traj->n_pool,
                                             ft->traj->n_pool == 1 ? "" : "s");
    AmPlotSeries *s = am_plot_panel_add_histogram(p, edges, v, nb, AM_PLOT_HIST_STEP, label);
    am_plot_series_set_color(s, am_figure_temperature_color(i, n));
    am_plot_series_set_line(s, 1.6, AM_PLOT_DASH_SOLID);
    drawn++;
  }
  if (!drawn) {
    am_figure_skip(fig, "no temperature has selected RAs recorded (replica 0 rerun, [dms] trajectories)");
    return;
  }
  am_plot_panel_add_reference_line(p, AM_PLOT_AXIS_X, R->params.disp.va_max, "class bounds");
  am_plot_panel_add_reference_line(p, AM_PLOT_AXIS_X, R->params.disp.fa_min, NULL);
  g_autofree char *title =
      g_strdup_printf("Non-affine displacements of the selected RAs, replica 0 (Δ<i>u</i>′ = %g Å)", bin);
  am_plot_set_title(fig->plot, title);
}

/* ---- Figs. 6b–d ------------------------------------------------------------------ */

/* The recorder slot of atom id in ft, or G_MAXSIZE. */
static gsize slot_of(const AmFigureTrajectories *ft, gint64 id)
{
  for (gsize s = 0; s < ft->traj->n; s++)
    if (atom_id(ft, s) == id)
      return s;
  return G_MAXSIZE;
}

/* A short run visits each cell once or not at all, which reads as scattered dots: the
 * factor k of k × k merged cells that leaves the visited cells a few frames each. */
static size_t merge_factor(const double *z, size_t nx, size_t ny, guint64 frames)
{
  /* At most 5 × 0.05 Å: coarser cells would blur sites 1.5 Å apart into one. */
  static const size_t ks[] = { 1, 2, 4, 5 };
  size_t k = 1;
  for (gsize j = 0; j < G_N_ELEMENTS(ks); j++) {
    if (nx % ks[j] || ny % ks[j])
      continue;
    k = ks[j];
    size_t occupied = 0;
    for (size_t by = 0; by < ny / k; by++)
      for (size_t bx = 0; bx < nx / k; bx++) {
        gboolean any = FALSE;
        for (size_t iy = by * k; iy < (by + 1) * k && !any; iy++)
          for (size_t ix = bx * k; ix < (bx + 1) * k && !any; ix++)
            any = z[iy * nx + ix] > 0;
        occupied += any;
      }
    if ((double) frames >= 2.0 * (double) occupied)
      break;
  }
  return k;
}

static void build_fig6_map(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt)
{
  (void) R;
  if (!have_trajectories(fig, opt))
    return;
  const double targets[] = { 100, 300, 500 };
  gsize sets[3];
  gsize n = pick_sets(opt, targets, 3, sets);
  const gsize which = (gsize) (fig->id - AM_FIGURE_6B);
  if (which >= n) {
    am_figure_skip(fig, "trajectories were recorded at only %zu temperature%s", n, n == 1 ? "" : "s");
    return;
  }
  /* One atom for all three panels: an RA (at the middle temperature if known) recorded
   * at every chosen temperature, so the panels compare the same atom. */
  const AmFigureTrajectories *mid = &opt->trajectories[sets[n / 2]];
  gint64 id = -1;
  for (int pass = 0; pass < 2 && id < 0; pass++)
    for (gsize s = 0; s < mid->traj->n && id < 0; s++) {
      if (pass == 0 && (!mid->cls || mid->cls[s] != AM_CLASS_RA))
        continue;
      gboolean everywhere = TRUE;
      for (gsize i = 0; i < n; i++)
        everywhere &= slot_of(&opt->trajectories[sets[i]], atom_id(mid, s)) != G_MAXSIZE;
      if (everywhere)
        id = atom_id(mid, s);
    }
  if (id < 0) {
    am_figure_skip(fig, "no atom was recorded at all of the chosen temperatures");
    return;
  }
  if (mid->cls && mid->cls[slot_of(mid, id)] != AM_CLASS_RA)
    am_figure_note(fig, "no recorded RA at every temperature: atom %" G_GINT64_FORMAT " is shown", id);

  /* Crop every panel to the same square around the origin that holds all three maps'
   * visits, so the panels share a scale. */
  const AmTrajectoryParams *tp = &opt->trajectories[sets[0]].traj->params;
  double reach = 4 * tp->bin;
  g_autofree double *z = NULL;
  size_t nx = 0, ny = 0, k_all = 1;
  for (gsize i = 0; i < n; i++) {
    const AmFigureTrajectories *ft = &opt->trajectories[sets[i]];
    gsize s = slot_of(ft, id);
    g_autofree double *d = g_new(double, ft->traj->nx * ft->traj->ny);
    AmError err = { 0 };
    if (am_trajectory_density(ft->traj, s, d, &err)) {
      am_figure_skip(fig, "heatmap of atom %" G_GINT64_FORMAT " at %g K: %s", id, ft->temperature, err.message);
      return;
    }
    const AmTrajectoryParams *q = &ft->traj->params;
    /* One cell size for all three panels, so they compare. */
    if (ft->traj->nx % k_all == 0 && ft->traj->ny % k_all == 0)
      k_all = MAX(k_all, merge_factor(d, ft->traj->nx, ft->traj->ny, ft->traj->frames));
    for (size_t iy = 0; iy < ft->traj->ny; iy++)
      for (size_t ix = 0; ix < ft->traj->nx; ix++)
        if (d[iy * ft->traj->nx + ix] > 0) {
          reach = MAX(reach, fabs(q->x_min + (double) ix * q->bin));
          reach = MAX(reach, fabs(q->x_min + (double) (ix + 1) * q->bin));
          reach = MAX(reach, fabs(q->y_min + (double) iy * q->bin));
          reach = MAX(reach, fabs(q->y_min + (double) (iy + 1) * q->bin));
        }
    if (i == which) {
      nx = ft->traj->nx;
      ny = ft->traj->ny;
      z = g_steal_pointer(&d);
      if (ft->traj->outside[s])
        am_figure_note(fig, "%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " frames fell outside the ±%g Å map",
                       ft->traj->outside[s], ft->traj->frames, MAX(q->x_max, q->y_max));
    }
  }
  reach = ceil((reach + 0.25) * 2) / 2;
  const AmFigureTrajectories *ft = &opt->trajectories[sets[which]];
  const AmTrajectoryParams *q = &ft->traj->params;
  const size_t k = (nx % k_all == 0 && ny % k_all == 0) ? k_all : 1;
  if (k > 1 && nx % k == 0 && ny % k == 0) {
    const size_t mx = nx / k, my = ny / k;
    double *m = g_new0(double, mx * my);
    for (size_t iy = 0; iy < ny; iy++)
      for (size_t ix = 0; ix < nx; ix++)
        m[(iy / k) * mx + ix / k] += z[iy * nx + ix] / (double) (k * k);
    g_free(z);
    z = m;
    nx = mx;
    ny = my;
    am_figure_note(fig, "%" G_GUINT64_FORMAT " frames: heatmap cells of %g Å (%zu × %g Å)", ft->traj->frames,
                   (double) k * q->bin, k, q->bin);
  }
  /* Unvisited cells transparent, as the paper's white background. */
  for (size_t c = 0; c < nx * ny; c++)
    if (!(z[c] > 0))
      z[c] = NAN;
  static const char *const letters[] = { "(b)", "(c)", "(d)" };
  const guint8 *cls = ft->cls;
  const gsize slot = slot_of(ft, id);
  g_autofree char *title =
    cls ? g_strdup_printf("Atom %" G_GINT64_FORMAT " (%s by <i>u</i>′<sub>max</sub>) at %g K, cells of %g Å", id,
                          class_name[MIN(cls[slot], 2)], ft->temperature, (double) k * q->bin)
        : g_strdup_printf("Atom %" G_GINT64_FORMAT " at %g K, cells of %g Å", id, ft->temperature, (double) k * q->bin);
  AmPlotPanel *p = am_plot_add_panel(fig->plot);
  am_plot_set_title(fig->plot, title);
  am_plot_panel_set_label(p, letters[which]);
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_X, "Δ<i>x</i> (Å)");
  am_plot_panel_set_axis_label(p, AM_PLOT_AXIS_Y, "Δ<i>y</i> (Å)");
  am_plot_panel_set_colorbar_label(p, "Probability density (Å<sup>−2</sup>)");
  am_plot_panel_set_equal_aspect(p, TRUE);
  am_plot_panel_set_legend(p, AM_PLOT_LEGEND_NONE);
  AmPlotSeries *h = am_plot_panel_add_heatmap(p, z, nx, ny, q->x_min, q->x_max, q->y_min, q->y_max,
                                              AM_COLORMAP_VIRIDIS);
  if (!h) {
    am_figure_skip(fig, "the heatmap of atom %" G_GINT64_FORMAT " could not be drawn", id);
    return;
  }
  am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_X, MAX(-reach, q->x_min), MIN(reach, q->x_max));
  am_plot_panel_set_axis_range(p, AM_PLOT_AXIS_Y, MAX(-reach, q->y_min), MIN(reach, q->y_max));
  const double zero = 0;
  AmPlotSeries *o = am_plot_panel_add_xy(p, &zero, &zero, 1, AM_PLOT_MARKERS, NULL);
  am_plot_series_set_color(o, am_color_from_hex(0xD55E00));
  am_plot_series_set_marker(o, AM_PLOT_MARKER_PLUS, 9, FALSE);
  am_plot_panel_add_text(p, AM_PLOT_COORDS_AXES, 0.03, 0.97, "+ start", AM_PLOT_ANCHOR_NORTH_WEST);
}

void am_figure_build_traj(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt)
{
  switch (fig->id) {
  case AM_FIGURE_4A: build_fig4a(fig, R, opt); break;
  case AM_FIGURE_6A: build_fig6a(fig, R, opt); break;
  case AM_FIGURE_6B:
  case AM_FIGURE_6C:
  case AM_FIGURE_6D: build_fig6_map(fig, R, opt); break;
  default: am_figure_skip(fig, "not a trajectory figure"); break;
  }
}
