/* live_plots.c: plots from the finished replicas of a running sweep (see live_plots.h). */
#include "gui/live_plots.h"

#include <math.h>

#include "render/colormap.h"

/* Replicas so far, in the note of every live plot: these are partial means. */
static void add_note(AmPlotPanel *panel, const AmorphDmsLive *live, int pinset, const char *set_label)
{
  int replicas = 0;
  for (gsize k = 0; k < live->n; k++)
    if (live->temps[k].pinset == pinset)
      replicas += live->temps[k].replicas;
  g_autofree char *note = g_strdup_printf("live%s%s: %d replica%s finished", set_label ? ", " : "",
                                          set_label ? set_label : "", replicas, replicas == 1 ? "" : "s");
  am_plot_panel_add_text(panel, AM_PLOT_COORDS_AXES, 0.02, 0.97, note, AM_PLOT_ANCHOR_NORTH_WEST);
}

gboolean amorph_live_plots_nonaffine(AmPlot *plot, const AmorphDmsLive *live, int pinset, const char *set_label)
{
  gboolean any = FALSE;
  for (gsize k = 0; k < live->n && !any; k++)
    any = live->temps[k].pinset == pinset && live->temps[k].p_uprime != NULL;
  if (!any)
    return FALSE;
  am_plot_clear_data(plot);
  AmPlotPanel *panel = am_plot_get_panel(plot, 0);
  am_plot_panel_set_axis_log(panel, AM_PLOT_AXIS_Y, true);
  /* Up to the last bin with data (at least 3 Å): the tail to 10 Å is empty. */
  gsize last = 0;
  for (gsize k = 0; k < live->n; k++) {
    const AmorphDmsLiveTemp *t = &live->temps[k];
    if (t->pinset != pinset)
      continue;
    for (gsize b = 0; t->p_uprime && b < t->n_bins; b++)
      if (t->p_uprime[b] > 0)
        last = MAX(last, b);
  }
  for (gsize k = 0; k < live->n; k++) {
    const AmorphDmsLiveTemp *t = &live->temps[k];
    if (!t->p_uprime || t->pinset != pinset)
      continue;
    gsize n = MIN(t->n_bins, MAX(last + 2, (gsize) ceil(3.0 / t->bin_width)));
    g_autofree double *edges = g_new(double, n + 1);
    for (gsize b = 0; b <= n; b++)
      edges[b] = t->bin_lo + (double) b * t->bin_width;
    g_autofree char *label = g_strdup_printf("%g K", t->temperature);
    am_plot_panel_add_histogram(panel, edges, t->p_uprime, n, AM_PLOT_HIST_STEP, label);
  }
  am_plot_panel_set_legend(panel, AM_PLOT_LEGEND_UPPER_RIGHT);
  add_note(panel, live, pinset, set_label);
  return TRUE;
}

gboolean amorph_live_plots_classes(AmPlot *plot, const AmorphDmsLive *live, int pinset, const char *set_label)
{
  gboolean any = FALSE;
  for (gsize k = 0; k < live->n && !any; k++)
    any = live->temps[k].pinset == pinset && live->temps[k].replicas > 0;
  if (!any)
    return FALSE;
  am_plot_clear_data(plot);
  AmPlotPanel *panel = am_plot_get_panel(plot, 0);
  am_plot_panel_set_axis_log(panel, AM_PLOT_AXIS_Y, true);
  static const char *const names[3] = {"VA", "RA", "FA"};
  static const AmPlotMarker markers[3] = {AM_PLOT_MARKER_CIRCLE, AM_PLOT_MARKER_SQUARE, AM_PLOT_MARKER_TRIANGLE_UP};
  gsize n = live->n;
  g_autofree double *t = g_new(double, n);
  g_autofree double *y = g_new(double, n);
  g_autofree double *e = g_new(double, n);
  for (int c = 0; c < 3; c++) {
    gsize m = 0;
    for (gsize k = 0; k < n; k++) {
      const AmorphDmsLiveTemp *lt = &live->temps[k];
      if (lt->replicas == 0 || lt->pinset != pinset)
        continue;
      t[m] = lt->temperature;
      y[m] = c == 0 ? lt->f_va : c == 1 ? lt->f_ra : lt->f_fa;
      e[m] = c == 0 ? lt->f_va_sem : c == 1 ? lt->f_ra_sem : lt->f_fa_sem;
      m++;
    }
    AmPlotSeries *s = am_plot_panel_add_xy(panel, t, y, m, AM_PLOT_LINE_MARKERS, names[c]);
    am_plot_series_set_y_errors(s, e, NULL);
    am_plot_series_set_marker(s, markers[c], 7, true);
    am_plot_series_set_color(s, am_atom_class_color((AmAtomColorClass) (AM_ATOM_COLOR_VA + c)));
  }
  am_plot_panel_set_legend(panel, AM_PLOT_LEGEND_LOWER_RIGHT);
  add_note(panel, live, pinset, set_label);
  return TRUE;
}

gboolean amorph_live_plots_n_ra(AmPlot *plot, const AmorphDmsLive *live, int pinset, const char *set_label)
{
  gsize n = 0;
  g_autofree double *x = g_new(double, live->n + 1);
  g_autofree double *xe = g_new(double, live->n + 1);
  g_autofree double *y = g_new(double, live->n + 1);
  g_autofree double *ye = g_new(double, live->n + 1);
  for (gsize k = 0; k < live->n; k++) {
    const AmorphDmsLiveTemp *t = &live->temps[k];
    if (t->replicas == 0 || t->pinset != pinset)
      continue;
    x[n] = t->n_ra;
    xe[n] = t->n_ra_sem;
    y[n] = t->loss;
    ye[n] = t->loss_sem;
    n++;
  }
  if (n == 0)
    return FALSE;
  am_plot_clear_data(plot);
  AmPlotPanel *panel = am_plot_get_panel(plot, 0);
  AmPlotSeries *s = am_plot_panel_add_xy(panel, x, y, n, AM_PLOT_MARKERS, "<i>G</i>″ against <i>N</i><sub>RA</sub>");
  am_plot_series_set_x_errors(s, xe, NULL);
  am_plot_series_set_y_errors(s, ye, NULL);
  am_plot_series_set_marker(s, AM_PLOT_MARKER_CIRCLE, 7, true);
  /* Which point is which temperature. */
  for (gsize k = 0, m = 0; k < live->n; k++) {
    if (live->temps[k].replicas == 0 || live->temps[k].pinset != pinset)
      continue;
    g_autofree char *label = g_strdup_printf(" %g K", live->temps[k].temperature);
    am_plot_panel_add_text(panel, AM_PLOT_COORDS_DATA, x[m], y[m], label, AM_PLOT_ANCHOR_WEST);
    m++;
  }
  am_plot_panel_set_legend(panel, AM_PLOT_LEGEND_NONE);
  add_note(panel, live, pinset, set_label);
  return TRUE;
}

gboolean amorph_live_plots_heatmap(AmPlot *plot, const AmorphDmsLive *live)
{
  /* The latest temperature with a recorded atom (the sweep reruns them in order). */
  const AmorphDmsLiveTemp *t = NULL;
  for (gsize k = 0; k < live->n; k++)
    if (live->temps[k].heatmap && live->temps[k].pinset == 0)
      t = &live->temps[k];
  if (!t)
    return FALSE;
  am_plot_clear_data(plot);
  AmPlotPanel *panel = am_plot_get_panel(plot, 0);
  am_plot_panel_set_equal_aspect(panel, true);
  am_plot_panel_set_colorbar_label(panel, "<i>p</i> (Å<sup>−2</sup>)");
  /* The visited cells and a margin: an atom that hops between sites a few Å apart uses
   * a small part of the recorded ±5 Å. */
  gsize ix0 = t->nx, ix1 = 0, iy0 = t->ny, iy1 = 0;
  for (gsize iy = 0; iy < t->ny; iy++)
    for (gsize ix = 0; ix < t->nx; ix++)
      if (t->heatmap[iy * t->nx + ix] > 0) {
        ix0 = MIN(ix0, ix);
        ix1 = MAX(ix1, ix);
        iy0 = MIN(iy0, iy);
        iy1 = MAX(iy1, iy);
      }
  if (ix0 > ix1) { /* nothing visited: the whole extent */
    ix0 = iy0 = 0;
    ix1 = t->nx - 1;
    iy1 = t->ny - 1;
  }
  gsize margin = MAX((gsize) 4, (ix1 - ix0 + iy1 - iy0) / 8);
  ix0 = ix0 > margin ? ix0 - margin : 0;
  iy0 = iy0 > margin ? iy0 - margin : 0;
  ix1 = MIN(t->nx - 1, ix1 + margin);
  iy1 = MIN(t->ny - 1, iy1 + margin);
  gsize cx = ix1 - ix0 + 1, cy = iy1 - iy0 + 1;
  g_autofree double *crop = g_new(double, cx * cy);
  for (gsize iy = 0; iy < cy; iy++)
    for (gsize ix = 0; ix < cx; ix++)
      crop[iy * cx + ix] = t->heatmap[(iy0 + iy) * t->nx + ix0 + ix];
  double dx = (t->x1 - t->x0) / (double) t->nx, dy = (t->y1 - t->y0) / (double) t->ny;
  AmPlotSeries *s = am_plot_panel_add_heatmap(panel, crop, cx, cy, t->x0 + (double) ix0 * dx,
                                              t->x0 + (double) (ix1 + 1) * dx, t->y0 + (double) iy0 * dy,
                                              t->y0 + (double) (iy1 + 1) * dy, AM_COLORMAP_VIRIDIS);
  if (s) {
    g_autofree char *label = g_strdup_printf("atom %" G_GINT64_FORMAT " at %g K", t->heatmap_id, t->temperature);
    am_plot_series_set_label(s, label);
    am_plot_panel_add_text(panel, AM_PLOT_COORDS_AXES, 0.02, 0.97, label, AM_PLOT_ANCHOR_NORTH_WEST);
  }
  return TRUE;
}
