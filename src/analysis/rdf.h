/* rdf.h: partial pair distribution functions g_ab(r) of a periodic (triclinic) frame,
 * coordination numbers, and the position of the first peak.
 *
 * g_ab(r) is normalised so that uncorrelated points give 1: the number of b atoms in the
 * shell [r, r+dr) around an a atom, divided by what (N_b − δ_ab)/V would put there. The
 * largest radius is at most half the shortest box height, so that each pair is counted
 * once, through its unique nearest image. Paper Fig. 3 compares these with p(u′). */
#pragma once

#include <stddef.h>

#include "sim/atoms.h"
#include "sim/box.h"
#include "sim/error.h"

#define AM_RDF_DEFAULT_BIN 0.02 /* Å */
#define AM_RDF_DEFAULT_RMAX 10.0 /* Å */

typedef struct {
  int ntypes;
  size_t nbins;
  double dr;                   /* bin width (Å) */
  double rmax;                 /* nbins·dr (Å) */
  double volume;               /* box volume (Å³) */
  size_t count[AM_MAX_TYPES];  /* atoms of each type */
  /* Pair counts: hist[(a·ntypes + b)·nbins + k] is the number of (a, b) ordered pairs
   * with r in bin k; symmetric in a, b. Kept so that frames can be averaged exactly. */
  double *hist;
  double *g;                   /* same layout: g_ab in bin k */
  size_t frames;               /* frames accumulated */
} AmRdf;

/* Sets up an empty accumulator. dr ≤ 0 means AM_RDF_DEFAULT_BIN, rmax ≤ 0 means
 * min(AM_RDF_DEFAULT_RMAX, half the shortest height of box). An rmax larger than half
 * the shortest height is refused. */
AmStatus am_rdf_init(AmRdf *rdf, const AmBox *box, int ntypes, double dr, double rmax, AmError *err);
/* Adds one frame (same atom counts per type and, for the normalisation, about the same
 * volume; the volume used is the mean over frames) and updates g. O(n²/2) pair loop
 * split over OpenMP threads with a fixed-order reduction, fine up to ~20 000 atoms. */
AmStatus am_rdf_add_frame(AmRdf *rdf, const AmBox *box, const AmAtoms *atoms, AmError *err);
/* init + add_frame. */
AmStatus am_rdf_compute(AmRdf *rdf, const AmBox *box, const AmAtoms *atoms, double dr, double rmax, AmError *err);
void am_rdf_free(AmRdf *rdf);

/* g_ab as a contiguous array of nbins values; bin k covers [k·dr, (k+1)·dr). */
const double *am_rdf_partial(const AmRdf *rdf, int a, int b);
/* Total g(r) over all species (weighted by pair counts), into out[nbins]. */
void am_rdf_total(const AmRdf *rdf, double *out);
/* Centre of bin k (Å). */
double am_rdf_r(const AmRdf *rdf, size_t k);

/* Crystal check by g(r): the largest |g(r) − 1| of the total g(r) over bins whose centres
 * lie in [r_min, r_max]. Beyond its second shell (about 6 Å in Cu–Zr) a glass's g(r) is a
 * small smooth oscillation about 1; a crystal, even shaken by thermal motion, keeps sharp
 * peaks there. Fails when the range is empty or not inside (0, rmax]. */
AmStatus am_rdf_max_deviation(const AmRdf *rdf, double r_min, double r_max, double *dev, AmError *err);

/* Mean number of b atoms within radius R of an a atom (exact sum of whole bins, the
 * last partial bin pro rata). Fails when R is outside (0, rmax]. */
AmStatus am_rdf_coordination(const AmRdf *rdf, int a, int b, double radius, double *cn, AmError *err);

/* First peak of a sampled curve y(x) on a uniform grid (x_k = x0 + k·dx): the first
 * bin that exceeds threshold and is the largest within ±halfwidth bins (so noise on
 * the rising edge is not taken for the peak), refined by the vertex of the parabola
 * through it and its two neighbours. Fails with AM_ERR_INVALID when there is no such
 * bin. For g(r) use threshold 1 (a peak must rise above the ideal gas). */
AmStatus am_rdf_first_peak(const double *y, size_t n, double x0, double dx, double threshold, int halfwidth,
                           double *x_peak, double *y_peak, AmError *err);
