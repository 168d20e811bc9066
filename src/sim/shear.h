/* shear.h: prescribed simple shear of the box (the xy tilt as a function of time) and the
 * affine remap of atoms that goes with any change of the box.
 *
 * γ(t) = Δxy(t) / L_y is the engineering strain of `fix deform xy` measured from the tilt
 * xy0 at the origin time t0:
 *   constant rate   γ(t) = rate · (t − t0)                  (`fix deform xy erate`)
 *   sinusoidal      γ(t) = ε_A · sin(2π (t − t0) / t_p)      (`fix deform xy wiggle`)
 * and xy(t) = xy0 + γ(t) · L_y0, with L_y0 the box height at t0.
 *
 * The box is never flipped: long constant-rate runs end when the force engine refuses a
 * cell whose heights became too small for cutoff + skin. */
#pragma once

#include <stdbool.h>

#include "sim/atoms.h"
#include "sim/box.h"
#include "sim/error.h"

typedef enum {
  AM_SHEAR_NONE = 0,
  AM_SHEAR_CONSTANT_RATE,
  AM_SHEAR_SINUSOIDAL,
} AmShearMode;

typedef struct {
  AmShearMode mode;
  double rate;      /* dγ/dt (1/ps), constant-rate mode */
  double amplitude; /* ε_A, the amplitude of γ, sinusoidal mode */
  double period;    /* t_p (ps), sinusoidal mode */
} AmShearConfig;

/* Plain data, saved with the integrator state. */
typedef struct {
  double t0;   /* time origin (ps) */
  double xy0;  /* tilt at t0 (Å) */
  double ly0;  /* L_y at t0 (Å) */
  bool started;
} AmShearState;

AmStatus am_shear_config_validate(const AmShearConfig *cfg, AmError *err);
/* Fixes the origin: γ(t0) = 0 at the box's current tilt. */
void am_shear_begin(AmShearState *st, const AmBox *box, double t0);
/* γ(t). */
double am_shear_strain(const AmShearConfig *cfg, const AmShearState *st, double t);
/* xy(t) = xy0 + γ(t)·L_y0 (Å). */
double am_shear_tilt(const AmShearConfig *cfg, const AmShearState *st, double t);

/* Moves every atom with the box from old_box to new_box, keeping its fractional
 * coordinates (LAMMPS `remap x`; velocities are not touched), and adds to atoms.affine the
 * displacement this gave the atom's UNWRAPPED position:
 *   Δr_i = (h_new − h_old)·(s_i + n_i) + (lo_new − lo_old),
 * s_i fractional coordinates, n_i image flags, h the cell matrix. For a pure tilt change with
 * yz = 0 this is x_i += Δxy·(y_i − y_lo)/L_y for the wrapped position, plus Δxy·n_y for the
 * image. Accumulating the unwrapped displacement makes r_unwrapped(t) − r_unwrapped(t_s) −
 * (affine(t) − affine(t_s)) exactly the non-affine displacement u′ of SCIENCE.md.
 * Pinned atoms are placed at pin_frac in the new box (they move only affinely); their
 * affine entry gets the same kind of increment. */
void am_shear_remap(const AmBox *old_box, const AmBox *new_box, AmAtoms *atoms);
