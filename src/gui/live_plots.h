/* live_plots.h: the plots a sweep fills as its replicas finish (p(u′), class fractions,
 * G″ against N_RA, the XY heatmap), drawn from the immutable AmorphDmsLive of a snapshot
 * into the window's live AmPlots, before the folded sweep's figures replace them. */
#pragma once

#include "gui/dms_run.h"
#include "render/plot.h"

G_BEGIN_DECLS

/* Each fills its plot from live's temperatures of pin set pinset (keeping the plot's axis
 * labels), or leaves it untouched and returns FALSE when live has nothing for it yet.
 * set_label (may be NULL) names the set in the plot's note. The heatmap is of the first
 * pin set: only its replica 0 is rerun to record trajectories. */
gboolean amorph_live_plots_nonaffine(AmPlot *plot, const AmorphDmsLive *live, int pinset, const char *set_label);
gboolean amorph_live_plots_classes(AmPlot *plot, const AmorphDmsLive *live, int pinset, const char *set_label);
gboolean amorph_live_plots_n_ra(AmPlot *plot, const AmorphDmsLive *live, int pinset, const char *set_label);
gboolean amorph_live_plots_heatmap(AmPlot *plot, const AmorphDmsLive *live);

G_END_DECLS
