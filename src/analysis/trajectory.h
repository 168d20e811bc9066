/* trajectory.h: what the paper's trajectory figures need from a few chosen atoms, kept in
 * bounded memory: heatmaps of each atom's XY non-affine displacement from its starting
 * position (Fig. 6: two sites ~1.5 Å apart, a third ~4.3 Å away at 500 K), and its u′(t)
 * series (Fig. 4a: a VA, an RA and an FA).
 *
 * Frames are the same as the displacement tracker's: time t (ps), unwrapped positions and
 * accumulated affine displacements (Å, 3·n_total, xyz-interleaved) of ALL atoms; the
 * recorder picks its atoms by index. The first frame fed fixes the start q0 = r − A; each
 * frame (the first included) then adds (q_x − q0_x, q_y − q0_y) to the atom's heatmap and
 * u′ = |q − q0| to its series.
 *
 * Series memory is bounded: each atom keeps at most series_capacity points. When full,
 * every other point is dropped and from then on only every 2nd (4th, 8th …) frame is
 * kept, so the series always covers the whole run at a uniform spacing (frames 0, s, 2s …
 * with s the current stride), whatever its length.
 *
 * A recorder may also pool the u′ of a larger set of atoms into one histogram (Fig. 6a:
 * p(u′) of the selected RAs, tens to hundreds of atoms, where heatmaps and series per
 * atom would cost too much). Pooled atoms have their own starts, fixed by the same first
 * frame, and add one value per frame each; each also keeps its displacement vector at its
 * largest u′ (the arrows of Fig. 7a). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/histogram.h"
#include "sim/error.h"

typedef struct {
  double x_min, x_max;     /* heatmap extent in x displacement (Å) */
  double y_min, y_max;     /* and in y (Å) */
  double bin;              /* square bin side (Å); each extent a whole number of bins */
  size_t series_capacity;  /* points kept per atom: even and ≥ 2, or 0 for no series */
} AmTrajectoryParams;

typedef struct {
  AmTrajectoryParams params;
  size_t n_total;        /* atoms in the frames */
  size_t n;              /* recorded atoms */
  size_t *atoms;         /* n indices into the frames */
  size_t nx, ny;         /* heatmap bins */
  bool failed;           /* a bad frame was offered: no numbers from this recorder */
  uint64_t frames;       /* frames taken */
  double t_last;         /* time of the last frame (ps) */
  double *q0;            /* 3n: non-affine start positions */
  uint64_t *counts;      /* n·ny·nx: atom s, row iy, column ix at (s·ny + iy)·nx + ix */
  uint64_t *outside;     /* n: frames whose displacement fell outside the extent */
  uint64_t stride;       /* frames between kept series points */
  size_t series_len;     /* points kept (same for every atom) */
  double *series_t;      /* series_capacity: times (ps) */
  double *series_u;      /* n·series_capacity: atom s's u′ (Å) at s·series_capacity */
  bool pooled;           /* am_trajectory_pool was called */
  size_t n_pool;         /* pooled atoms (0 allowed: an empty set is a result too) */
  size_t *pool;          /* their indices into the frames */
  double *pool_q0;       /* 3·n_pool non-affine starts */
  AmHistogram pool_u;    /* u′ (Å) of every pooled atom in every frame */
  double *pool_peak;     /* 4·n_pool: non-affine displacement (dx, dy, dz, |d|) (Å) of each
                            pooled atom at its largest u′ so far, the direction of its
                            excursion (Fig. 7a); NaN before the first frame and when read
                            from a version-2 record, which did not keep it */
} AmTrajectory;

/* ±5 Å in x and y with 0.05 Å bins (200 × 200), 4096 series points. */
void am_trajectory_params_default(AmTrajectoryParams *p);

/* Recorder for the atoms atoms[0..n) (indices < n_total, n ≥ 1, duplicates allowed);
 * tr must be zero-initialised or freed. */
AmStatus am_trajectory_init(AmTrajectory *tr, size_t n_total, const size_t *atoms, size_t n,
                            const AmTrajectoryParams *p, AmError *err);
void am_trajectory_free(AmTrajectory *tr);

/* Pools the u′ of atoms[0..n) (indices < n_total; n may be 0) into a histogram of bins
 * of width bin over [0, hi). Call after init and before the first frame, at most once. */
AmStatus am_trajectory_pool(AmTrajectory *tr, const size_t *atoms, size_t n, double bin, double hi,
                            AmError *err);

/* One frame; affine may be NULL (no shear). Times must increase. A non-finite coordinate
 * of a recorded atom or a time out of order is an error and fails the recorder. */
AmStatus am_trajectory_add(AmTrajectory *tr, double t, const double *x_unwrapped, const double *affine,
                           AmError *err);

/* Heatmap of recorded atom s as a probability density (1/Å²), row-major out[iy·nx + ix]:
 * counts / (frames · bin²), so Σ out·bin² is the fraction of frames inside the extent.
 * Bin (ix, iy) covers x_min + ix·bin … and y_min + iy·bin …. */
AmStatus am_trajectory_density(const AmTrajectory *tr, size_t s, double *out, AmError *err);

/* The u′(t) series of recorded atom s (pointers into the recorder, valid until the next
 * am_trajectory_add or free). */
AmStatus am_trajectory_series(const AmTrajectory *tr, size_t s, const double **t, const double **u,
                              size_t *len, AmError *err);

/* Checkpoints, as for the displacement tracker: serialize returns the bytes needed and
 * writes when buf is non-NULL and cap suffices; deserialize replaces a zero-initialised or
 * freed recorder. */
size_t am_trajectory_serialize(const AmTrajectory *tr, uint8_t *buf, size_t cap);
AmStatus am_trajectory_deserialize(AmTrajectory *tr, const uint8_t *buf, size_t len, size_t *consumed,
                                   AmError *err);
