/* help_button.h: a small round "?" button that opens a popover explaining one panel of the
 * window (texts in explanations.c), so an explanation is always one click away. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define AMORPH_TYPE_HELP_BUTTON (amorph_help_button_get_type())
G_DECLARE_FINAL_TYPE(AmorphHelpButton, amorph_help_button, AMORPH, HELP_BUTTON, GtkWidget)

GtkWidget *amorph_help_button_new(const char *topic);
/* The topic (explanations.h); the popover shows its text. */
void amorph_help_button_set_topic(AmorphHelpButton *self, const char *topic);
const char *amorph_help_button_get_topic(AmorphHelpButton *self);
/* Opens or closes the popover. */
void amorph_help_button_popup(AmorphHelpButton *self);
void amorph_help_button_popdown(AmorphHelpButton *self);
/* The popover, for tests (its labels hold the text shown). */
GtkPopover *amorph_help_button_get_popover(AmorphHelpButton *self);

G_END_DECLS
