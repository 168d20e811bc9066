/* dms_fit.h: the MD-DMS sinusoid fit, σ(t) = σ0 + a sin ωt + b cos ωt with ω known.
 *
 * The strain is γ(t) = ε_A sin ωt (ω = 2π/t_p, t in ps from the start of loading), so a is
 * the in-phase and b the out-of-phase stress: σ_A = √(a²+b²), δ = atan2(b, a),
 * G′ = a/ε_A, G″ = b/ε_A (SCIENCE.md, MD-DMS step 4). Stress may be in any unit (bar,
 * GPa): σ0, a, b, σ_A come back in that unit and the moduli in that unit per unit strain.
 *
 * The accumulator takes samples one at a time and stores no series: it keeps the 3×3
 * triangular factor R of the design matrix, Qᵀσ and the residual sum of squares, updated
 * by Givens rotations. That is the normal-equation accumulation done without forming XᵀX,
 * which would square the condition number (bad when the window is a fraction of a cycle)
 * and compute the residual as a difference of two large sums. It is plain data (no
 * pointers): a checkpoint saves it with memcpy or field by field.
 *
 * Standard errors come from the residual variance, assuming independent residuals. MD
 * stress samples are autocorrelated (over the stress correlation time, and the sampling
 * interval is usually shorter), so these standard errors are optimistic; they are a
 * per-replica diagnostic. The error bar of a reported G″ is the spread over replicas
 * (am_dms_ensemble), which the experiment layer uses. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "analysis/stats.h"
#include "sim/error.h"

typedef struct {
  double omega;       /* 2π / t_p (rad/ps) */
  uint64_t n;         /* samples accumulated */
  uint64_t rejected;  /* non-finite samples refused by am_dms_accumulator_add */
  double r[3][3];     /* upper-triangular R (columns: 1, sin ωt, cos ωt) */
  double z[3];        /* Qᵀσ */
  double rss;         /* residual sum of squares */
} AmDmsAccumulator;

typedef struct {
  uint64_t n;               /* samples fitted */
  double omega;             /* rad/ps */
  double strain_amplitude;  /* ε_A */
  double sigma0, a, b;      /* stress unit */
  double amplitude;         /* σ_A, stress unit */
  double phase;             /* δ (rad), in (−π, π] */
  double storage, loss;     /* G′, G″: stress unit per unit strain */
  double residual_rms;      /* √(RSS / (n − 3)) */
  /* Standard errors (see the note on autocorrelation above); σ_A and δ by linear
   * error propagation from the covariance of (a, b). */
  double se_sigma0, se_a, se_b, se_amplitude, se_phase, se_storage, se_loss;
} AmDmsFit;

/* Mean ± standard error over replicas of each reported quantity. */
typedef struct {
  size_t n;
  AmMeanSem sigma0, amplitude, phase, storage, loss;
} AmDmsEnsemble;

/* Starts an empty fit for loading period t_p (ps, finite, > 0). */
AmStatus am_dms_accumulator_init(AmDmsAccumulator *acc, double period, AmError *err);
/* Adds the stress sample sigma at time t (ps). A non-finite t or sigma is refused
 * (AM_ERR_NUMERIC) and counted in acc->rejected, and the later solve fails too, so a
 * caller that ignores the status still gets no number. */
AmStatus am_dms_accumulator_add(AmDmsAccumulator *acc, double t, double sigma, AmError *err);
/* Solves the fit for strain amplitude ε_A (> 0). Needs at least 4 samples (3 parameters
 * plus one degree of freedom for the residual variance), samples spread enough over the
 * cycle that 1, sin ωt and cos ωt are distinguishable, no rejected sample, and a non-zero
 * fitted amplitude (else the phase is undefined). */
AmStatus am_dms_accumulator_solve(const AmDmsAccumulator *acc, double strain_amplitude, AmDmsFit *fit,
                                  AmError *err);

/* The same fit from arrays t[n] (ps) and sigma[n]. */
AmStatus am_dms_fit_arrays(const double *t, const double *sigma, size_t n, double period,
                           double strain_amplitude, AmDmsFit *fit, AmError *err);

/* The fitted stress at time t, for drawing the curve over the samples. */
double am_dms_fit_eval(const AmDmsFit *fit, double t);

/* Mean ± standard error over n ≥ 2 replica fits, in array order. */
AmStatus am_dms_ensemble(const AmDmsFit *fits, size_t n, AmDmsEnsemble *out, AmError *err);
