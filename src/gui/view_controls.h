/* view_controls.h: the Display page's controls for what the atom view shows: a class
 * filter (all atoms, only RAs, only FAs, RAs and FAs), a slab cut (axis, centre, thickness)
 * and the RAs' displacement arrows, plus a busy row with a Cancel button while per-atom
 * values are being computed. The controls drive the view they are given directly. */
#pragma once

#include <gtk/gtk.h>

#include "gui/atom_view.h"

G_BEGIN_DECLS

#define AMORPH_TYPE_VIEW_CONTROLS (amorph_view_controls_get_type())
G_DECLARE_FINAL_TYPE(AmorphViewControls, amorph_view_controls, AMORPH, VIEW_CONTROLS, GtkWidget)

typedef enum {
  AMORPH_SHOW_ALL = 0,
  AMORPH_SHOW_RA,
  AMORPH_SHOW_FA,
  AMORPH_SHOW_RA_FA,
} AmorphShowFilter;

void amorph_view_controls_set_view(AmorphViewControls *self, AmorphAtomView *view);
void amorph_view_controls_set_filter(AmorphViewControls *self, AmorphShowFilter filter);
/* Slab along axis (0 x, 1 y, 2 z) at centre (fraction of the cell) with thickness (Å). */
void amorph_view_controls_set_slab(AmorphViewControls *self, gboolean on, int axis, double center,
                                   double thickness);
void amorph_view_controls_set_arrows(AmorphViewControls *self, gboolean on);
/* Shows the busy row with text (NULL hides it); its Cancel button emits "cancel". */
void amorph_view_controls_set_busy(AmorphViewControls *self, const char *text);
gboolean amorph_view_controls_get_busy(AmorphViewControls *self);

G_END_DECLS
