/* displacement.h: the streaming displacement tracker of one MD-DMS run (SCIENCE.md,
 * "Displacements and atom classes"): jump distances u(t_p), non-affine displacements u′,
 * atom classes VA/RA/FA from u′_max, and reversible events per cycle, without storing
 * trajectories.
 *
 * Inputs, every sample interval: the time t (ps), the UNWRAPPED positions r (Å, 3n,
 * xyz-interleaved) and the accumulated affine displacement A (Å, 3n, atoms.affine, which
 * am_shear_remap accumulates for unwrapped positions). Atom i must be the same atom in every
 * sample: if the engine reorders atoms, gather them in a fixed (e.g. id) order first.
 * The non-affine position is q = r − A, so u′(t) = |q(t) − q(t_s)|.
 *
 * Samples and cycles. With Δ = sample_interval, S = t_p/Δ (a whole number ≥ 2) and
 * N = n_cycles, the window holds the N·S + 1 samples k = 0 … N·S at t_k = t_s + k·Δ.
 *   - Cycle c (0 ≤ c < N) runs from sample c·S (its start) to sample (c+1)·S (its end).
 *     The sample at a cycle boundary is both the end of one cycle and the start of the
 *     next; the first cycle starts at sample 0 and the last ends at sample N·S.
 *   - Reversible event in cycle c: with d(k) = |q(k) − q(c·S)| over k = c·S+1 … (c+1)·S,
 *     max d ≥ event_reach, max d < event_limit and d((c+1)·S) < event_return.
 *   - Jump distance for t0 = c·S: u = |r((c+1)·S) − r(c·S)| (unwrapped r, affine part
 *     included, as in the paper), so N values per atom; counted in p(u) and, exactly
 *     (not binned), in f(u > u_c).
 *   - p(u′) counts u′(k) for every atom and k = 1 … N·S (sample 0 has u′ = 0 by
 *     definition and is left out); u′_max runs over k = 0 … N·S.
 * Samples before t_s are ignored (a job may feed every sample from the start of loading)
 * and so are samples after the window is complete. Inside the window a sample must come at
 * exactly the next t_k (to 1e-3·Δ): a missing or repeated sample is an error.
 *
 * All thresholds are parameters (defaults: SCIENCE.md). Everything is deterministic. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/histogram.h"
#include "sim/atoms.h"
#include "sim/error.h"

typedef enum {
  AM_CLASS_VA = 0, /* vibrational: u′_max < va_max */
  AM_CLASS_RA = 1, /* reversible: va_max ≤ u′_max < fa_min */
  AM_CLASS_FA = 2, /* fast: u′_max ≥ fa_min */
} AmAtomClass;

typedef struct {
  double period;            /* t_p (ps) */
  double sample_interval;   /* Δ (ps); t_p/Δ must be a whole number ≥ 2 */
  double window_start;      /* t_s (ps), the start of the first analysed cycle */
  int n_cycles;             /* analysed cycles N ≥ 1 */
  double jump_threshold;    /* u_c of f(u > u_c) (Å) */
  double va_max;            /* class boundary VA | RA (Å) */
  double fa_min;            /* class boundary RA | FA (Å) */
  double event_reach;       /* an event's displacement reaches at least this (Å) */
  double event_limit;       /* and stays below this (Å) */
  double event_return;      /* and is below this at the cycle's end (Å) */
  double selected_fraction; /* "selected RA": events in more than this fraction of the cycles */
  double hist_bin;          /* Δu of p(u) and p(u′) (Å) */
  double hist_max;          /* p(u), p(u′) cover [0, hist_max) Å; beyond is counted as overflow */
} AmDisplacementParams;

/* What can be merged over replicas (and over MPI ranks): event counts, histograms and
 * jump counts. Merging adds integers, so the result is the same in any order. */
typedef struct {
  AmDisplacementParams params; /* thresholds the counts were made with */
  size_t n;                    /* atoms */
  uint64_t runs;               /* runs folded in */
  uint64_t cycles;             /* analysed cycles covered, summed over runs */
  uint32_t *events;            /* n: reversible events per atom */
  AmHistogram p_u;             /* jump distances u(t_p) */
  AmHistogram p_uprime;        /* non-affine displacements u′ */
  uint64_t jumps;              /* u values counted */
  uint64_t jumps_above;        /* of which u > jump_threshold */
} AmDisplacementCounts;

typedef struct {
  AmDisplacementParams params;
  size_t n;
  long samples_per_cycle;    /* S */
  long next_sample;          /* index k of the next sample the window expects */
  bool failed;               /* a bad sample was offered: the run's numbers are void */
  double *q_start;           /* 3n: non-affine position at t_s */
  double *r_cycle;           /* 3n: unwrapped position at the current cycle's start */
  double *q_cycle;           /* 3n: non-affine position at the current cycle's start */
  double *uprime_max;        /* n: max u′ so far (Å) */
  double *cycle_max;         /* n: max displacement from q_cycle in the current cycle (Å) */
  AmDisplacementCounts counts; /* this run's events (completed cycles) and histograms */
} AmDisplacementTracker;

/* Atom counts in total and by 0-based type. */
typedef struct {
  size_t total;
  size_t by_type[AM_MAX_TYPES];
} AmTypedCount;

typedef struct {
  size_t n;
  long cycles;                /* completed analysed cycles */
  AmTypedCount atoms;         /* every atom, by type */
  AmTypedCount va, ra, fa;    /* classes from u′_max so far */
  double f_va, f_ra, f_fa;    /* fractions of all atoms */
  AmTypedCount selected;      /* selected RAs of this run (events in > fraction of its cycles) */
  uint64_t jumps, jumps_above;
  double f_jump;              /* f(u > u_c) */
} AmDisplacementSummary;

/* The SCIENCE.md defaults: t_p = 1000 ps, Δ = 1 ps, t_s = 6 t_p, 10 cycles, u_c = 1.4 Å,
 * VA < 1 Å ≤ RA < 2 Å ≤ FA, events 1 Å / 2 Å / 1 Å, selected > 50 %, Δu = 0.01 Å on
 * [0, 10) Å. The experiment layer overrides the timing. */
void am_displacement_params_default(AmDisplacementParams *p);
AmStatus am_displacement_params_validate(const AmDisplacementParams *p, AmError *err);

/* Tracker for n atoms; tr must be zero-initialised or freed. */
AmStatus am_displacement_tracker_init(AmDisplacementTracker *tr, size_t n, const AmDisplacementParams *p,
                                      AmError *err);
void am_displacement_tracker_free(AmDisplacementTracker *tr);
/* Feeds one sample (see the header comment). affine may be NULL when no shear was applied
 * (A = 0). A non-finite coordinate, an off-grid time or an earlier failure gives an error
 * and leaves the tracker failed, so no later call reports numbers from a broken run. */
AmStatus am_displacement_tracker_add(AmDisplacementTracker *tr, double t, const double *x_unwrapped,
                                     const double *affine, AmError *err);
/* True once the sample ending the last cycle was taken. */
bool am_displacement_tracker_complete(const AmDisplacementTracker *tr);
/* Completed analysed cycles so far. */
long am_displacement_tracker_cycles_done(const AmDisplacementTracker *tr);

/* The class of an atom whose largest non-affine displacement is uprime_max (Å), with the
 * thresholds of p: the one place that turns u′_max into VA/RA/FA. */
AmAtomClass am_displacement_classify(const AmDisplacementParams *p, double uprime_max);
/* Class of atom i from u′_max so far (for colouring a running view). */
AmAtomClass am_displacement_class(const AmDisplacementTracker *tr, size_t i);
/* Classes of all atoms into cls[n]. */
void am_displacement_classes(const AmDisplacementTracker *tr, uint8_t *cls);

/* Class counts and fractions, this run's selected RAs and f(u > u_c). type (n 0-based
 * types < ntypes ≤ AM_MAX_TYPES) may be NULL, then by_type stays zero. Needs at least one
 * completed cycle and a tracker that has not failed. */
AmStatus am_displacement_summary(const AmDisplacementTracker *tr, const int32_t *type, int ntypes,
                                 AmDisplacementSummary *s, AmError *err);

/* Empty counts for n atoms (runs = cycles = 0), for folding replicas into. */
AmStatus am_displacement_counts_init(AmDisplacementCounts *c, size_t n, const AmDisplacementParams *p,
                                     AmError *err);
void am_displacement_counts_free(AmDisplacementCounts *c);
/* dst += src. Both must have the same atom count, thresholds and histogram bins. Fold
 * replicas (or ranks' partial sums) in a fixed order. */
AmStatus am_displacement_counts_merge(AmDisplacementCounts *dst, const AmDisplacementCounts *src,
                                      AmError *err);
/* dst += the counts of one finished run; refuses a tracker that is incomplete or failed,
 * so an aborted replica cannot slip into the ensemble. */
AmStatus am_displacement_counts_add_run(AmDisplacementCounts *dst, const AmDisplacementTracker *tr,
                                        AmError *err);
/* Selected RAs: events_i > selected_fraction · cycles. selected (n, may be NULL) gets 1 for
 * them and 0 otherwise; out (may be NULL) their number, by type when type is given. Needs
 * cycles ≥ 1. */
AmStatus am_displacement_counts_selected(const AmDisplacementCounts *c, const int32_t *type, int ntypes,
                                         uint8_t *selected, AmTypedCount *out, AmError *err);

/* Checkpoints: serialize returns the bytes needed and writes them when buf is non-NULL
 * and cap suffices; deserialize replaces a zero-initialised or freed object. The record
 * holds everything, so a resumed run continues bit for bit. */
size_t am_displacement_tracker_serialize(const AmDisplacementTracker *tr, uint8_t *buf, size_t cap);
AmStatus am_displacement_tracker_deserialize(AmDisplacementTracker *tr, const uint8_t *buf, size_t len,
                                             size_t *consumed, AmError *err);
size_t am_displacement_counts_serialize(const AmDisplacementCounts *c, uint8_t *buf, size_t cap);
AmStatus am_displacement_counts_deserialize(AmDisplacementCounts *c, const uint8_t *buf, size_t len,
                                            size_t *consumed, AmError *err);
