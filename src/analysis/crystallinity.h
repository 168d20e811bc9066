/* crystallinity.h: is a sample a glass or has it (partly) crystallised?
 *
 * A quench that is too slow, or a bad potential, leaves B2/bcc-like crystallites in a
 * Cu–Zr "glass". Each atom is classed by the Lechner–Dellago averaged bond order q̄4, q̄6
 * (q6.h) over its Voronoi face neighbours: averaging over the first shell sharpens the
 * crystal peaks and leaves the liquid's broad and low (J. Chem. Phys. 129, 114707), so a
 * fixed threshold separates them even with thermal noise. An atom is "ordered" when q̄6 is
 * at least q6_min (crystals of any kind: bcc 0.51, fcc 0.57, hcp 0.48 at 0 K; the liquid
 * and glass stay well below, ~0.2–0.35); it is "bcc-like" when it is ordered and q̄4 is at
 * most q4_max (bcc 0.03–0.04 with its 14 Voronoi neighbours; fcc 0.19, hcp 0.10).
 * The sample is called crystalline when the ordered fraction exceeds max_fraction. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "sim/atoms.h"
#include "sim/box.h"
#include "sim/error.h"

#define AM_CRYST_DEFAULT_Q6_MIN 0.40
#define AM_CRYST_DEFAULT_Q4_MAX 0.10
#define AM_CRYST_DEFAULT_MAX_FRACTION 0.05

typedef struct {
  double q6_min;       /* ≤ 0: AM_CRYST_DEFAULT_Q6_MIN */
  double q4_max;       /* ≤ 0: AM_CRYST_DEFAULT_Q4_MAX */
  double max_fraction; /* ≤ 0: AM_CRYST_DEFAULT_MAX_FRACTION */
} AmCrystallinityOptions;

typedef struct {
  size_t n;
  double mean_q4, mean_q6;   /* means of q̄4, q̄6 over all atoms */
  double ordered_fraction;   /* atoms with q̄6 ≥ q6_min */
  double bcc_fraction;       /* of those, with q̄4 ≤ q4_max */
  double mean_faces;         /* mean Voronoi neighbours (14 in bcc, 12–13 in the glass) */
  bool crystalline;          /* ordered_fraction > max_fraction */
} AmCrystallinity;

/* Classifies every atom of a frame; opts may be NULL. q4_avg and q6_avg, when non-NULL,
 * receive the per-atom q̄4 and q̄6 (n values each). Fails when the tessellation fails
 * (coincident atoms, non-finite positions). */
AmStatus am_crystallinity_compute(const AmBox *box, const AmAtoms *atoms, const AmCrystallinityOptions *opts,
                                  AmCrystallinity *out, double *q4_avg, double *q6_avg, AmError *err);
