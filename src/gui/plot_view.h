/* plot_view.h: one plot of the window (G″(T), stress, p(u′), classes, N_RA, heatmaps): the
 * cairo figure of src/render drawn in a widget, with the value under the pointer shown
 * next to the pointer like a tooltip (nearest point: series, x, y ± error, with the axes'
 * units) and a menu that exports the plot as PNG,
 * SVG or CSV. It shows the live AmPlot while a sweep runs and the paper's figure once the
 * sweep has folded. */
#pragma once

#include <gtk/gtk.h>

#include "render/figures.h"
#include "render/plot.h"

G_BEGIN_DECLS

#define AMORPH_TYPE_PLOT_VIEW (amorph_plot_view_get_type())
G_DECLARE_FINAL_TYPE(AmorphPlotView, amorph_plot_view, AMORPH, PLOT_VIEW, GtkWidget)

GtkWidget *amorph_plot_view_new(void);

/* The live plot (not owned: it must outlive the view or be replaced first) and the file
 * name stem exports suggest ("loss-modulus"). */
void amorph_plot_view_set_plot(AmorphPlotView *self, AmPlot *plot, const char *name);
/* The folded sweep's figure shown instead of the live plot (not owned; NULL: the live plot
 * again). */
void amorph_plot_view_set_figure(AmorphPlotView *self, AmFigure *figure);
/* The plot drawn now: the figure's when there is one (NULL for a skipped figure), else
 * the live one. */
AmPlot *amorph_plot_view_get_shown_plot(AmorphPlotView *self);
/* Redraws after the plot's data changed. */
void amorph_plot_view_changed(AmorphPlotView *self);

/* What the pointer does at widget point (x, y): shows and returns the text of what lies
 * there (NULL: nothing within reach, and the hover is hidden). */
const char *amorph_plot_view_hover(AmorphPlotView *self, double x, double y);
const char *amorph_plot_view_get_hover_text(AmorphPlotView *self);
/* Where the readout was last placed, in widget pixels: beside the pointer, inside the
 * widget, clear of the described point. FALSE while none is shown. */
gboolean amorph_plot_view_get_hover_area(AmorphPlotView *self, graphene_rect_t *area);

/* Writes the shown plot: format "png" (2 pixels per point), "svg" or "csv" (the data, one
 * row per point; see am_plot_write_csv). */
gboolean amorph_plot_view_export(AmorphPlotView *self, const char *format, const char *path, GError **error);

G_END_DECLS
