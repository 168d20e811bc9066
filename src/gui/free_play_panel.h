/* free_play_panel.h: the controls of free play, a card over the atom view: one temperature
 * slider, the shear amplitude and period, and the live class fractions of the sliding
 * window, so a class can raise the temperature and watch atoms start to hop. */
#pragma once

#include <gtk/gtk.h>

#include "gui/worker.h"

G_BEGIN_DECLS

#define AMORPH_TYPE_FREE_PLAY_PANEL (amorph_free_play_panel_get_type())
G_DECLARE_FINAL_TYPE(AmorphFreePlayPanel, amorph_free_play_panel, AMORPH, FREE_PLAY_PANEL, GtkBox)

GtkWidget *amorph_free_play_panel_new(void);

/* The settings the user chose (properties "temperature" K, "shear-amplitude" as a strain,
 * not per cent, and "shear-period" ps, all notifying on change). */
double amorph_free_play_panel_get_temperature(AmorphFreePlayPanel *self);
void amorph_free_play_panel_set_temperature(AmorphFreePlayPanel *self, double temperature);
double amorph_free_play_panel_get_shear_amplitude(AmorphFreePlayPanel *self);
void amorph_free_play_panel_set_shear_amplitude(AmorphFreePlayPanel *self, double amplitude);
double amorph_free_play_panel_get_shear_period(AmorphFreePlayPanel *self);
void amorph_free_play_panel_set_shear_period(AmorphFreePlayPanel *self, double period);

/* Shows what the worker reports: the atoms' temperature, the shear now applied, the class
 * fractions and how much of the window is filled. NULL: nothing runs. */
void amorph_free_play_panel_show_snapshot(AmorphFreePlayPanel *self, const AmorphSnapshot *snap);
/* The card's "?" button (an AmorphHelpButton). */
GtkWidget *amorph_free_play_panel_get_help_button(AmorphFreePlayPanel *self);
/* The class-fraction text shown (for tests). */
const char *amorph_free_play_panel_get_classes_text(AmorphFreePlayPanel *self);

G_END_DECLS
