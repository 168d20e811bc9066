/* presentation.h: full-screen presentation mode for teaching: the window goes full screen,
 * the side panel and secondary chrome hide, status, legend and plot labels grow, and Esc
 * (or F11 again) brings everything back as it was. */
#pragma once

#include <gtk/gtk.h>

#include "render/plot.h"

G_BEGIN_DECLS

#define AMORPH_TYPE_PRESENTATION (amorph_presentation_get_type())
G_DECLARE_FINAL_TYPE(AmorphPresentation, amorph_presentation, AMORPH, PRESENTATION, GObject)

/* Controls window (not referenced: the window owns the controller). */
AmorphPresentation *amorph_presentation_new(GtkWindow *window);
/* A widget hidden while presenting and given back its own visibility afterwards. */
void amorph_presentation_add_chrome(AmorphPresentation *self, GtkWidget *widget);
/* A plot whose fonts grow while presenting; area is redrawn when they change. */
void amorph_presentation_add_plot(AmorphPresentation *self, AmPlot *plot, GtkWidget *area);

/* Property "active". */
gboolean amorph_presentation_get_active(AmorphPresentation *self);
void amorph_presentation_set_active(AmorphPresentation *self, gboolean active);

G_END_DECLS
