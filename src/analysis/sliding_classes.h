/* sliding_classes.h: atom classes VA/RA/FA over a window that slides with the run, for
 * free play, where the temperature and the shear change while the glass runs and a class of
 * students watches atoms start to hop.
 *
 * The MD-DMS tracker (displacement.h) classifies over one fixed analysed window that
 * starts at t_s. Here the window is always the last W sample intervals: with samples
 * k = 0, 1, … every Δ and the newest sample K, the window holds the samples
 * k0 = max(0, K − W) … K, and for every atom
 *     u′(k) = |q(k) − q(k0)|,  q = r_unwrapped − A (A: accumulated affine displacement),
 *     u′_max = max over k0 ≤ k ≤ K of u′(k),
 * which is SCIENCE.md's u′ with t_s = the window's first sample. The class then follows
 * from u′_max with the same thresholds (am_displacement_classify). An atom that hopped and
 * came back inside the window is RA (or FA for a big excursion); one that escaped is FA
 * until the window has slid past its jump, after which it vibrates at its new site and is
 * VA again. Before W intervals have passed the window is the run so far (k0 = 0).
 *
 * The window is W = n_cycles · t_p / Δ intervals long: the timing fields of
 * AmDisplacementParams (period, sample_interval, n_cycles) say how many shear periods it
 * covers; window_start is not used. It keeps the W + 1 non-affine positions of the window
 * (8·3·n·(W+1) bytes) and recomputes u′_max from them at each sample (O(n·W)), which is
 * exact where a running maximum could not forget old samples. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/displacement.h"
#include "sim/error.h"

typedef struct {
  AmDisplacementParams params;
  size_t n;
  long window;        /* W: intervals in a full window */
  long count;         /* samples taken since init or reset */
  double last_time;   /* time of the newest sample (ps) */
  bool failed;        /* a bad sample was offered: no classes until reset */
  double *ring;       /* (W + 1) · 3n non-affine positions, slot k mod (W + 1) */
  double *uprime_max; /* n: u′_max over the current window (Å) */
} AmSlidingClasses;

/* Window for n atoms; sc must be zero-initialised or freed. p is validated with
 * am_displacement_params_validate (t_p/Δ a whole number ≥ 2, n_cycles ≥ 1, va_max < fa_min). */
AmStatus am_sliding_classes_init(AmSlidingClasses *sc, size_t n, const AmDisplacementParams *p, AmError *err);
void am_sliding_classes_free(AmSlidingClasses *sc);
/* Forgets all samples (after a discontinuity such as atoms being moved by hand). */
void am_sliding_classes_reset(AmSlidingClasses *sc);

/* Takes the sample at time t (ps): unwrapped positions and accumulated affine displacement
 * (3n each, Å; affine may be NULL for none), atom i the same atom in every sample. Each
 * sample after the first must come exactly Δ after the previous one (to 1e-3·Δ). A
 * non-finite coordinate or a gap is an error and leaves the window failed until reset, so
 * classes are never reported from a broken series. */
AmStatus am_sliding_classes_add(AmSlidingClasses *sc, double t, const double *x_unwrapped, const double *affine,
                                AmError *err);

/* True once the window spans its full W intervals. */
bool am_sliding_classes_full(const AmSlidingClasses *sc);
/* Time the current window spans (ps): 0 with one sample, W·Δ when full. */
double am_sliding_classes_span(const AmSlidingClasses *sc);

/* Classes (AmAtomClass) of all atoms into cls[n], and the fractions of VA, RA and FA into
 * fractions[3] (may be NULL). Needs at least two samples and a window that has not failed. */
AmStatus am_sliding_classes_get(const AmSlidingClasses *sc, uint8_t *cls, double fractions[3], AmError *err);
