/* box.h: the periodic simulation cell in LAMMPS' restricted triclinic form.
 *
 * Edge vectors a = (lx, 0, 0), b = (xy, ly, 0), c = (xz, yz, lz), origin lo. A point is
 * r = lo + s0·a + s1·b + s2·c with fractional coordinates s ∈ [0, 1) inside the cell.
 * An orthogonal box is the case xy = xz = yz = 0. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sim/error.h"

typedef struct {
  double lo[3];       /* xlo, ylo, zlo (Å) */
  double lx, ly, lz;  /* xhi - xlo, yhi - ylo, zhi - zlo (Å) */
  double xy, xz, yz;  /* tilt factors (Å) */
} AmBox;

/* Orthogonal or triclinic box from LAMMPS' data-file numbers. */
void am_box_set(AmBox *box, const double lo[3], const double hi[3], double xy, double xz, double yz);
/* The upper bounds xhi, yhi, zhi. */
void am_box_hi(const AmBox *box, double hi[3]);

bool am_box_is_triclinic(const AmBox *box);
double am_box_volume(const AmBox *box);
/* Distances between opposite faces: the largest sphere diameter the cell holds along
 * each lattice direction. A cutoff rc with a half-width skin needs heights ≥ what the
 * neighbour method asks. */
void am_box_heights(const AmBox *box, double h[3]);
/* Checks that the lengths are positive and all numbers finite. */
AmStatus am_box_validate(const AmBox *box, AmError *err);

void am_box_to_frac(const AmBox *box, const double r[3], double s[3]);
void am_box_from_frac(const AmBox *box, const double s[3], double r[3]);
/* Fractional displacement to Cartesian (no origin). */
void am_box_frac_to_vector(const AmBox *box, const double ds[3], double d[3]);

/* Puts r back into the cell and adds the crossed periods to image (LAMMPS image flags). */
void am_box_wrap(const AmBox *box, double r[3], int32_t image[3]);
/* r + image·(a, b, c): the unwrapped position. */
void am_box_unwrap(const AmBox *box, const double r[3], const int32_t image[3], double out[3]);
/* Replaces d by the shortest periodic image of d, for any tilt. */
void am_box_minimum_image(const AmBox *box, double d[3]);
