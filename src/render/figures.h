/* figures.h: the paper's figures (SCIENCE.md, "What the paper reports") drawn from the
 * folded results of an MD-DMS sweep or pinning experiment, for `amorph --batch` (PNG and
 * SVG files in OUTPUT/figures/) and for the GUI (any cairo_t).
 *
 * A figure is built once from the results (series copied into an AmPlot, plot.h) and can
 * then be drawn any number of times at any size. Every figure carries a footer naming the
 * scale of the run (atoms, t_p, ε_A, analysed cycles, replicas) next to the paper's, so a
 * scaled workstation run is never mistaken for the paper's numbers.
 *
 * A figure that the results cannot support (the trajectory figures of a sweep that
 * records no trajectories, the pinning figures of a sweep without pin sets) is "skipped":
 * it still exists, has no plot, says why, and draws that reason instead of axes.
 *
 * Symbols follow the paper (E′, E″ for the moduli), axis labels say "shear" because the
 * moduli are shear moduli G′, G″. Moduli and stresses are shown in GPa. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "analysis/trajectory.h"
#include "experiment/dms_sweep.h"
#include "experiment/protocols.h"
#include "render/plot.h"

G_BEGIN_DECLS

typedef enum {
  AM_FIGURE_1 = 0, /* strain γ(t) and stress σ_xy(t) with the fitted sinusoid */
  AM_FIGURE_2A,    /* σ_A and δ versus T (twin axes) */
  AM_FIGURE_2B,    /* E″(T) with error bars */
  AM_FIGURE_2C,    /* p(u) at several T */
  AM_FIGURE_2D,    /* E″ versus f(u > u_c) */
  AM_FIGURE_3A,    /* p(u′) at the temperatures nearest 100 / 300 / 500 K */
  AM_FIGURE_4A,    /* u′(t) of a VA, an RA and an FA (needs trajectories; the temperature whose
                    * recorded atoms cover most classes, nearest 300 K) */
  AM_FIGURE_4B,    /* class fractions versus T */
  AM_FIGURE_5A,    /* E″ versus N_RA, inset N_RA(T) */
  AM_FIGURE_5B,    /* E″(T) of each pin set */
  AM_FIGURE_5C,    /* p(u′) of each pin set */
  AM_FIGURE_6A,    /* p(u′) of the selected RAs at three T (needs trajectories) */
  AM_FIGURE_6B,    /* XY heatmaps of one RA, nearest 100 / 300 / 500 K (needs trajectories) */
  AM_FIGURE_6C,
  AM_FIGURE_6D,
  AM_FIGURE_N
} AmFigureId;

/* Trajectories of a few atoms recorded in one run at one temperature (trajectory.h),
 * for Figs. 4a and 6. */
typedef struct {
  double temperature;        /* K */
  const AmTrajectory *traj;  /* recorded atoms s = 0 … traj->n − 1 */
  const gint64 *ids;         /* traj->n atom ids (NULL: the recorder's atom indices) */
  const guint8 *cls;         /* traj->n classes (AmAtomClass) in that run (NULL: unknown) */
} AmFigureTrajectories;

typedef struct {
  double fig1_temperature;   /* K of Fig. 1's trace; NaN: nearest the paper's 500 K */
  double pin_temperature;    /* K of Fig. 5c; NaN: the selection temperature, else nearest 300 K */
  const char *main_set;      /* pin set of the single-set figures; NULL: "none", else the first */
  const AmFigureTrajectories *trajectories; /* may be NULL */
  gsize n_trajectories;
} AmFigureOptions;

typedef struct AmFigure AmFigure;

/* "fig1", "fig2a" … (the file name without extension); NULL for an invalid id. */
const char *am_figure_name(AmFigureId id);
/* One line saying what the figure shows. */
const char *am_figure_caption(AmFigureId id);
/* Inverse of am_figure_name; FALSE if unknown. */
gboolean am_figure_from_name(const char *name, AmFigureId *out);

/* Options with every field at its default. */
void am_figure_options_init(AmFigureOptions *opt);

/* How a pin set is drawn wherever pin sets are overlaid (Figs. 5b and 5c, the explorer's
 * live G″(T)), so a live curve keeps its look when the folded figure replaces it: colour
 * and marker by kind and place in the results, and the legend ("no atoms pinned",
 * "12 chosen atoms pinned", …; n_pinned < 0: not chosen yet). */
AmColor am_figure_pin_set_color(AmPinKind kind, gsize index);
AmPlotMarker am_figure_pin_set_marker(gsize index);
void am_figure_pin_set_legend(AmPinKind kind, gint64 n_pinned, char *buf, gsize size);

/* Builds figure id from results (opt may be NULL). Never NULL for a valid id; a figure
 * the results cannot support is skipped (see above). The results may be freed afterwards:
 * everything drawn is copied. */
AmFigure *am_figure_new(AmFigureId id, const AmDmsSweepResults *results, const AmFigureOptions *opt);
void am_figure_free(AmFigure *fig);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AmFigure, am_figure_free)

AmFigureId am_figure_id(const AmFigure *fig);
/* NULL when the figure was drawn from data, else why it was skipped. */
const char *am_figure_skip_reason(const AmFigure *fig);
/* The plot (NULL when skipped): to query coordinates after a draw, or restyle. */
AmPlot *am_figure_plot(AmFigure *fig);
/* The footer line (plain text). */
const char *am_figure_footer(const AmFigure *fig);
/* Notes about data left out of a drawn figure (e.g. "FA fraction is 0 at 100 K, not
 * shown on the log axis"), one per line; NULL if none. */
const char *am_figure_notes(const AmFigure *fig);

/* Draws the figure into (0, 0, width, height) of cr's user space: the plot above, the
 * footer below it. A skipped figure draws its reason. cr's state is restored. */
void am_figure_draw(AmFigure *fig, cairo_t *cr, double width, double height);
/* The default size in points (PNG pixels = size × scale). */
void am_figure_default_size(AmFigureId id, double *width, double *height);

/* Atomic PNG (scale pixels per unit) and SVG writers (temporary file, then rename). A
 * skipped figure is not written (error AM_PLOT_ERROR_INVALID). */
gboolean am_figure_write_png(AmFigure *fig, const char *path, double width, double height, double scale,
                             GError **error);
gboolean am_figure_write_svg(AmFigure *fig, const char *path, double width, double height, GError **error);

/* Every figure into dir/figures/<name>.png and .svg (the folder is created), and
 * dir/figures/notes.txt: the run's scale, what each figure shows, which were not drawn
 * and why, and what was left out of the others. The paths written, relative to dir, go to
 * written (may be NULL); one line per skipped figure, "<name>: <reason>", and per note,
 * "<name> (note): <note>", to skipped (may be NULL). FALSE only when a file could not be
 * written. */
gboolean am_figures_write_all(const AmDmsSweepResults *results, const AmFigureOptions *opt, const char *dir,
                              GPtrArray *written, GPtrArray *skipped, GError **error);

/* The batch hook (batch.h, AmFigureWriter): for the dms-sweep and pinning protocols
 * (results: AmDmsSweepResults) and the structure protocol (results: AmStructureResults,
 * figures_structure.h), writes every figure into ctx->output_dir/figures, lists the files
 * in the provenance and logs skipped figures through ctx->progress. Other protocols:
 * nothing to do. */
gboolean am_figures_batch_writer(const AmRunContext *ctx, const char *protocol, gconstpointer results,
                                 GError **error);

G_END_DECLS
