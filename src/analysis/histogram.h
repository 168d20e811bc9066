/* histogram.h: fixed-bin histograms for displacement distributions p(u), p(u′).
 *
 * Bin k covers [lo + k·width, lo + (k+1)·width). Values below lo and at or above the top
 * edge are counted (underflow, overflow) but not binned, so a density is normalised by
 * every finite value offered: Σ p_k·width is the fraction that fell inside the range, and
 * a truncated tail does not inflate the peaks. Counts are integers, so merging replicas
 * gives the same bits in any order; the API still merges in the caller's fixed order.
 * NaN/Inf values are counted apart and make the normalised outputs refuse to answer. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "analysis/bytes.h"
#include "sim/error.h"

typedef struct {
  double lo;           /* lower edge of bin 0 (same unit as the values, Å for u) */
  double width;        /* bin width, > 0 */
  size_t nbins;
  uint64_t *counts;    /* nbins */
  uint64_t underflow;  /* values < lo */
  uint64_t overflow;   /* values ≥ lo + nbins·width */
  uint64_t nonfinite;  /* NaN or ±Inf values offered */
} AmHistogram;

/* Bins of the given width from lo to hi; (hi − lo)/width must be a whole number (to 1e-6
 * of a bin), e.g. [0, 10) Å with 0.01 Å gives 1000 bins. A zero-initialised AmHistogram
 * may be passed; a previously initialised one must be freed first. */
AmStatus am_histogram_init(AmHistogram *h, double lo, double hi, double width, AmError *err);
void am_histogram_free(AmHistogram *h);
/* Zeroes every count, keeps the bins. */
void am_histogram_clear(AmHistogram *h);
/* Deep copy; dst must be zero-initialised or freed. */
AmStatus am_histogram_copy(AmHistogram *dst, const AmHistogram *src, AmError *err);

void am_histogram_add(AmHistogram *h, double x);

/* Upper edge of the last bin. */
double am_histogram_hi(const AmHistogram *h);
double am_histogram_bin_center(const AmHistogram *h, size_t k);
/* Finite values offered: binned + underflow + overflow. */
uint64_t am_histogram_total(const AmHistogram *h);

/* p[k] = counts[k] / (total · width) for k < nbins (a probability density, 1/Å for u).
 * Fails when nothing was counted or a non-finite value was offered. */
AmStatus am_histogram_density(const AmHistogram *h, double *p, AmError *err);

/* Fraction of all finite values at or above threshold, which must be a bin edge inside
 * [lo, hi] (to 1e-6 of a bin): the binned counts cannot split a bin. For u_c = 1.4 Å with
 * 0.01 Å bins from 0 this is exact up to values lying on the edge itself. */
AmStatus am_histogram_fraction_above(const AmHistogram *h, double threshold, double *fraction, AmError *err);

/* dst += src; the two must have identical bins (same lo, width and count). */
AmStatus am_histogram_merge(AmHistogram *dst, const AmHistogram *src, AmError *err);

/* Checkpointing. am_histogram_serialize returns the number of bytes the record needs and
 * writes it into buf when buf is non-NULL and cap is at least that; call it with buf ==
 * NULL first to size the buffer (a return value > cap means nothing usable was written). am_histogram_deserialize reads one record from buf,
 * replacing h (which must be zero-initialised or freed), and tells how many bytes it
 * used. */
size_t am_histogram_serialize(const AmHistogram *h, uint8_t *buf, size_t cap);
AmStatus am_histogram_deserialize(AmHistogram *h, const uint8_t *buf, size_t len, size_t *consumed,
                                  AmError *err);

/* The same, for modules that embed a histogram in their own checkpoint record. */
void am_histogram_write(const AmHistogram *h, AmByteWriter *w);
AmStatus am_histogram_read(AmHistogram *h, AmByteReader *r, AmError *err);
