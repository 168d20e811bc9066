/* compare.h: how two groups of atoms differ in one per-atom quantity, e.g. |Θ| of the
 * selected reversible atoms against the vibrational ones (paper Fig. 5d, S3, S4).
 *
 * Two numbers, both free of units: the difference of means in units of the pooled
 * standard deviation (Cohen's d), which says how far apart the groups are, and the
 * two-sample Kolmogorov–Smirnov statistic D = sup |F_a − F_b| with its asymptotic
 * p-value, which says whether the distributions differ at all. Summation order is
 * fixed, so results are reproducible. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "sim/error.h"

typedef struct {
  size_t n_a, n_b;
  double mean_a, mean_b;
  double sd_a, sd_b;     /* sample standard deviations (n − 1) */
  double effect;         /* (mean_a − mean_b) / pooled sd; 0 when both spreads are 0 and
                            the means agree */
  double ks;             /* two-sample KS statistic, 0 … 1 */
  double ks_p;           /* asymptotic p-value of ks (Kolmogorov distribution with
                            Stephens' small-sample correction); rough below ~4 per group */
} AmCompare;

/* Needs at least 2 finite values in each group. */
AmStatus am_compare_samples(const double *a, size_t n_a, const double *b, size_t n_b, AmCompare *out, AmError *err);

/* The same, with the groups picked out of one per-atom array by a label array:
 * group a is label == label_a, group b is label == label_b. */
AmStatus am_compare_by_label(const double *x, const int32_t *label, size_t n, int32_t label_a, int32_t label_b,
                             AmCompare *out, AmError *err);

/* Q_KS(λ) = 2 Σ_{j≥1} (−1)^{j−1} exp(−2 j² λ²), the Kolmogorov survival function. */
double am_kolmogorov_q(double lambda);
