/* stats.h: the few ensemble statistics the analysis reports (mean, standard error,
 * Pearson correlation), with a fixed summation order so results are reproducible.
 *
 * Replicas of an isoconfigurational ensemble are independent runs, so the standard
 * error of their mean is the honest error bar of a G″ point; these helpers compute it
 * in one place so every layer reports it the same way. */
#pragma once

#include <stddef.h>

#include "sim/error.h"

typedef struct {
  size_t n;      /* number of values */
  double mean;
  double sd;     /* sample standard deviation (n − 1 in the denominator) */
  double sem;    /* standard error of the mean, sd / √n */
} AmMeanSem;

/* Mean, standard deviation and standard error of x[0..n). Needs n ≥ 2 (one value has no
 * spread) and finite values; fails with AM_ERR_INVALID / AM_ERR_NUMERIC otherwise.
 * stride is the distance between consecutive values in doubles (1 for a plain array),
 * so a field of an array of structs can be read in place. */
AmStatus am_stats_mean_sem(const double *x, size_t n, size_t stride, AmMeanSem *out, AmError *err);

/* Pearson correlation coefficient of (x[i], y[i]), i < n. Needs n ≥ 3 and non-zero
 * variance in both. */
AmStatus am_stats_correlation(const double *x, const double *y, size_t n, double *r, AmError *err);
