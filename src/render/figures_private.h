/* figures_private.h: what the figure builders (figures_dms.c, figures_traj.c) share with
 * the figure object and its writers (figures.c). */
#pragma once

#include <math.h>

#include "render/figures.h"

struct AmFigure {
  AmFigureId id;        /* AM_FIGURE_N for the structure figures (figures_structure.h) */
  const char *name;     /* file name without extension ("fig1", "fig5d") */
  const char *caption;
  AmPlot *plot;  /* NULL when skipped */
  char *skip;    /* why it was skipped, or NULL */
  char *footer;
  GString *notes;
};

void am_figure_skip(AmFigure *fig, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Builds figure i of a set (0 ≤ i < n) and its default size in points. */
typedef AmFigure *(*AmFigureBuildFunc)(int i, gconstpointer data, double *width, double *height);

/* Writes every figure of a set as DIR/figures/NAME.png and .svg, and figures/notes.txt
 * (heading, footer, then per figure its caption or why it was not drawn, and its notes);
 * what written and skipped receive is as for am_figures_write_all. */
gboolean am_figures_write_set(const char *dir, const char *heading, const char *footer, int n,
                              AmFigureBuildFunc build, gconstpointer data, GPtrArray *written, GPtrArray *skipped,
                              GError **error);
void am_figure_note(AmFigure *fig, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* The pin set the single-set figures show (never NULL when the results have a set). */
const AmDmsPinSetResults *am_figure_main_set(const AmDmsSweepResults *R, const AmFigureOptions *opt);

/* Indices into pts of the points nearest each target temperature, without repeats, in
 * ascending temperature; all points when there are no more than the targets. Returns how
 * many were written to out (capacity n_targets, or n_pts if larger). */
gsize am_figure_pick_temperatures(const AmDmsPoint *pts, gsize n_pts, const double *targets, gsize n_targets,
                                  gsize *out);

/* A class colour (colormap.h) for lines and markers on white: the pale VA grey of the atom
 * view darkened until a thin line reads, the others as they are. */
AmColor am_figure_class_color(AmAtomColorClass cls);

/* Colour of the i-th of n temperature curves: a dark-to-light ramp (cold blue, hot orange)
 * so curves read in temperature order. */
AmColor am_figure_temperature_color(gsize i, gsize n);

/* A histogram density rebinned by a factor of whole bins, so that a small run's curve is
 * not mostly noise. edges (n + 1) and values (n) are newly allocated;
 * the range ends at the last non-empty bin of any of the histograms in all (so several
 * curves share one range, n_all ≥ 1). Returns the bin count (0 when h holds nothing). */
gsize am_figure_rebinned_density(const AmHistogram *h, const AmHistogram *const *all, gsize n_all, int factor,
                                 double **edges, double **values);
/* The rebin factor for a set of histograms: the smallest of 1, 2, 5, 10 that gives each
 * of them at least min_per_bin values per bin on average over the bins holding 99 % of
 * its values (10 if none does). */
int am_figure_rebin_factor(const AmHistogram *const *all, gsize n_all, double min_per_bin);

void am_figure_build_dms(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt);
void am_figure_build_traj(AmFigure *fig, const AmDmsSweepResults *R, const AmFigureOptions *opt);

/* Error bar length from a mean ± SEM: NaN (no bar) when the SEM is not finite. */
static inline double am_figure_sem(const AmMeanSem *m)
{
  return (m->n >= 2 && isfinite(m->sem)) ? m->sem : NAN;
}
