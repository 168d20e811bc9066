/* atom_view.h: the 3-D atom view, a GtkGLArea that shows a configuration as shaded spheres
 * in its periodic cell, with a turntable camera (drag orbits, Shift- or middle-drag pans,
 * scroll zooms; arrows, +/−, R and O from the keyboard), picking by click, and a selection
 * rectangle by Ctrl-drag.
 *
 * The view keeps its own copy of what it draws; the window (the model's owner) pushes
 * atoms, positions, colours and pin marks in, and hears about clicks on atoms through the
 * "atom-clicked" signal ("camera-changed" fires when the view turns, moves or zooms). A
 * click is a press and release that moved less than the drag threshold; picking casts the
 * click's ray against the drawn spheres on the CPU. */
#pragma once

#include <gtk/gtk.h>

#include "render/camera.h"
#include "render/colormap.h"
#include "sim/atoms.h"
#include "sim/box.h"

G_BEGIN_DECLS

#define AMORPH_TYPE_ATOM_VIEW (amorph_atom_view_get_type())
G_DECLARE_FINAL_TYPE(AmorphAtomView, amorph_atom_view, AMORPH, ATOM_VIEW, GtkGLArea)

typedef enum {
  AMORPH_COLOR_BY_SPECIES = 0,
  AMORPH_COLOR_BY_CLASS,  /* VA / RA / FA from amorph_atom_view_set_classes */
  AMORPH_COLOR_BY_VALUE,  /* a per-atom value through a colour map */
} AmorphColorMode;

GtkWidget *amorph_atom_view_new(void);

/* Shows a new configuration (positions are copied as given, wrapped or not) and frames
 * it. Species come from the type labels, or from the masses when the file had no labels. */
void amorph_atom_view_set_atoms(AmorphAtomView *self, const AmBox *box, const AmAtoms *atoms);
/* Moves the atoms of the current configuration (same count), e.g. from a live snapshot. */
void amorph_atom_view_set_positions(AmorphAtomView *self, const AmBox *box, size_t n, const double *x);
/* Per-atom class (AmAtomColorClass VA/RA/FA, n entries) for AMORPH_COLOR_BY_CLASS. */
void amorph_atom_view_set_classes(AmorphAtomView *self, size_t n, const uint8_t *classes);
/* Whether classes were given for the current atoms (else class mode shows species). */
gboolean amorph_atom_view_has_classes(AmorphAtomView *self);
/* Per-atom values for AMORPH_COLOR_BY_VALUE, mapped from [vmin, vmax]. */
void amorph_atom_view_set_values(AmorphAtomView *self, size_t n, const double *values, AmColormap map,
                                 double vmin, double vmax);
/* Forgets the per-atom values (AMORPH_COLOR_BY_VALUE then shows species). */
void amorph_atom_view_clear_values(AmorphAtomView *self);
gboolean amorph_atom_view_has_values(AmorphAtomView *self);
/* Pin marks (n entries, nonzero = pinned). */
void amorph_atom_view_set_pinned(AmorphAtomView *self, size_t n, const uint8_t *pinned);
void amorph_atom_view_clear(AmorphAtomView *self);
size_t amorph_atom_view_get_n_atoms(AmorphAtomView *self);
/* Position as drawn (Å) of atom i. */
gboolean amorph_atom_view_get_atom_position(AmorphAtomView *self, size_t i, double xyz[3]);

void amorph_atom_view_set_color_mode(AmorphAtomView *self, AmorphColorMode mode);
AmorphColorMode amorph_atom_view_get_color_mode(AmorphAtomView *self);
void amorph_atom_view_set_orthographic(AmorphAtomView *self, gboolean orthographic);
gboolean amorph_atom_view_get_orthographic(AmorphAtomView *self);
/* Scale applied to the species radii (Cu 1.28 Å, Zr 1.60 Å); default 0.8. */
void amorph_atom_view_set_atom_scale(AmorphAtomView *self, double scale);
double amorph_atom_view_get_atom_scale(AmorphAtomView *self);
void amorph_atom_view_set_show_box(AmorphAtomView *self, gboolean show);
gboolean amorph_atom_view_get_show_box(AmorphAtomView *self);

/* The camera in widget coordinates (logical pixels), for tests and overlays. */
const AmCamera *amorph_atom_view_get_camera(AmorphAtomView *self);
void amorph_atom_view_reset_camera(AmorphAtomView *self);
/* Puts the camera where cam says (target, distance, turn, field of view, scene radius);
 * the viewport stays the widget's and the projection the view's orthographic property. */
void amorph_atom_view_set_camera(AmorphAtomView *self, const AmCamera *cam);
/* Index of the atom under widget point (x, y), or -1. */
long amorph_atom_view_pick(AmorphAtomView *self, double x, double y);
/* Frames drawn so far (to measure frame rates and to wait for a first frame in tests). */
guint64 amorph_atom_view_get_frame_count(AmorphAtomView *self);
/* Asks for continuous redraws (a frame clock tick each frame); for measuring frame rates. */
void amorph_atom_view_set_animate(AmorphAtomView *self, gboolean animate);

/* What is shown. The class filter is a mask of 1 << AmAtomColorClass (VA, RA, FA; ~0 shows
 * all); it applies only while classes are set, and pinned atoms always show. The slab
 * keeps the atoms whose fractional coordinate along cell axis (0 x, 1 y, 2 z) lies within
 * thickness/2 (Å, measured along that axis's edge length) of center (a fraction of the
 * cell, wrapping periodically). Hidden atoms are neither drawn nor picked nor selected. */
void amorph_atom_view_set_class_filter(AmorphAtomView *self, guint mask);
guint amorph_atom_view_get_class_filter(AmorphAtomView *self);
void amorph_atom_view_set_slab(AmorphAtomView *self, gboolean on, int axis, double center, double thickness);
gboolean amorph_atom_view_get_slab(AmorphAtomView *self, int *axis, double *center, double *thickness);
size_t amorph_atom_view_get_n_visible(AmorphAtomView *self);
gboolean amorph_atom_view_is_visible(AmorphAtomView *self, size_t i);
/* Indices (guint) of the atoms shown now, and of those shown whose projected centres lie
 * inside the widget rectangle, at any depth (a band selects the whole column behind it,
 * not only the front layer: in a glass the front layer is an accident of the view). The
 * Ctrl-drag rectangle emits "atoms-selected" with the latter. Free with g_array_unref. */
GArray *amorph_atom_view_visible_atoms(AmorphAtomView *self);
GArray *amorph_atom_view_atoms_in_rect(AmorphAtomView *self, double x0, double y0, double x1, double y1);
/* Displacement arrows (3n vectors, Å; NULL clears): drawn for the shown atoms of class RA,
 * each from (centre − vector) to the centre, over the atoms, at true length. */
void amorph_atom_view_set_arrows(AmorphAtomView *self, size_t n, const float *vectors);
void amorph_atom_view_set_show_arrows(AmorphAtomView *self, gboolean show);
gboolean amorph_atom_view_get_show_arrows(AmorphAtomView *self);
size_t amorph_atom_view_get_n_arrows(AmorphAtomView *self);
/* Atom i's value for AMORPH_COLOR_BY_VALUE; FALSE without values. */
gboolean amorph_atom_view_get_value(AmorphAtomView *self, size_t i, double *value);
/* What the values are, for the tooltip (name as Pango markup, unit; NULLs for none). */
void amorph_atom_view_set_value_label(AmorphAtomView *self, const char *name_markup, const char *unit);
/* The colour map and range of AMORPH_COLOR_BY_VALUE. */
void amorph_atom_view_get_value_range(AmorphAtomView *self, AmColormap *map, double *vmin, double *vmax);

/* Species display radius (Å, before scale) and colour by element symbol. */
double amorph_species_radius(const char *element);
/* The element symbol for a type: its label, else the element whose standard mass is
 * within 0.05 amu, else "". */
const char *amorph_species_for_type(const AmAtoms *atoms, int type);

G_END_DECLS
