/* figures_structure.h: the paper's figures about the structure of single atoms, drawn from
 * the structure protocol's results (experiment/structure_results.h): Fig. 3b (partial
 * g_ij(r)), Fig. 5d (|Θ| of the selected RAs against the VAs), Fig. S3 (V, Q6, E, S of RAs
 * against VAs), Fig. S4 (soft-mode participation of RAs against VAs) and Fig. 7a (the RAs
 * projected on the xy plane with their displacement vectors).
 *
 * They are AmFigure objects (figures.h): drawn, written and freed with the same calls as
 * the sweep's figures. Each RA-vs-VA panel shows both densities on common bins, the group
 * sizes, and the separation in numbers (difference of means in pooled SDs, KS D and p),
 * the same statistics as comparison.csv. A figure the results cannot support (no RA ids,
 * no soft modes, no displacement vectors) is skipped and says why. */
#pragma once

#include <glib.h>

#include "experiment/structure_results.h"
#include "render/figures.h"

G_BEGIN_DECLS

typedef enum {
  AM_STRUCTURE_FIGURE_3B = 0, /* g_CuCu, g_CuZr, g_ZrZr */
  AM_STRUCTURE_FIGURE_5D,     /* p(|Θ|) of RAs and VAs */
  AM_STRUCTURE_FIGURE_7A,     /* RAs on the xy plane with displacement vectors */
  AM_STRUCTURE_FIGURE_S3,     /* p(V), p(Q6), p(E), p(S) of RAs and VAs */
  AM_STRUCTURE_FIGURE_S4,     /* p(participation) of RAs and VAs */
  AM_STRUCTURE_FIGURE_N
} AmStructureFigureId;

/* "fig3b", "fig5d", "fig7a", "figS3", "figS4"; NULL for an invalid id. */
const char *am_structure_figure_name(AmStructureFigureId id);
const char *am_structure_figure_caption(AmStructureFigureId id);

/* Never NULL for a valid id; everything drawn is copied, R may be freed afterwards. */
AmFigure *am_structure_figure_new(AmStructureFigureId id, const AmStructureResults *R);
/* The default size in points of figure id (S3 has four panels). */
void am_structure_figure_default_size(AmStructureFigureId id, double *width, double *height);

/* Every structure figure into dir/figures/<name>.png and .svg, and dir/figures/notes.txt
 * (what each shows, which were skipped and why), as am_figures_write_all. */
gboolean am_structure_figures_write_all(const AmStructureResults *R, const char *dir, GPtrArray *written,
                                        GPtrArray *skipped, GError **error);

G_END_DECLS
