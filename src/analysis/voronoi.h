/* voronoi.h: plain (unweighted) periodic Voronoi tessellation of a triclinic frame, with
 * what the structure analysis needs from each cell: volume, face neighbours with their
 * areas and bond vectors, and the centroid, i.e. the local configurational anisotropy
 * Θ_i = c_i − r_i of Rieser et al. (PRL 116, 088001), the paper's |Θ|.
 *
 * voro++ (container_periodic, which takes LAMMPS' lower-triangular cell) does the
 * geometry; voronoi_cxx.cc is the only C++ and hides it behind the C function at the end
 * of this header. Cells are computed in the full periodic lattice, so volumes sum to the
 * box volume whatever the tilt, and neighbours across the boundary are the right images.
 * voro++ 0.4.6 works with absolute tolerances made for lengths of order one, so it is
 * handed the system scaled by a power of two (box below 0.5, exact in binary); in Å its
 * periodic unit cell came out degenerate for some boxes (voronoi_cxx.cc says how). */
#pragma once

#include <stddef.h>

#include "sim/atoms.h"
#include "sim/box.h"
#include "sim/error.h"

/* Faces smaller than this fraction of their cell's total surface are round-off of
 * degenerate vertices (perfect lattices: the fcc cell's 4-fold vertices touch the six
 * second neighbours' planes) and are not listed as neighbours. Their area still counts
 * in no sum: the volume and centroid come from the polyhedron itself. */
#define AM_VORONOI_DEFAULT_MIN_FACE 1e-7

typedef struct {
  size_t n;            /* atoms */
  double *volume;      /* n: cell volume V_i (Å³) */
  double *theta;       /* 3n: Θ_i = centroid − position (Å), the LCA vector */
  double *theta_norm;  /* n: |Θ_i| (Å) */
  size_t *face_start;  /* n + 1: faces of atom i are face_start[i] … face_start[i+1]−1 */
  size_t *neighbor;    /* index (not id) of the atom across each face */
  double *face_area;   /* Å² */
  double *bond;        /* 3 per face: vector from atom i to the neighbour's image across
                          the face (twice the distance to the face plane along its normal) */
  size_t nfaces;       /* total faces listed */
  double min_face;     /* the relative threshold used */
} AmVoronoi;

/* Tessellates box + atoms (wrapped or not: positions are taken modulo the cell).
 * min_face_fraction < 0 means AM_VORONOI_DEFAULT_MIN_FACE. Fails on non-finite input,
 * coincident atoms, or when a cell cannot be built. vor must be zeroed or previously
 * used (its arrays are replaced). */
AmStatus am_voronoi_compute(AmVoronoi *vor, const AmBox *box, const AmAtoms *atoms, double min_face_fraction,
                            AmError *err);
void am_voronoi_free(AmVoronoi *vor);

/* Number of listed faces (Voronoi neighbours) of atom i. */
static inline size_t am_voronoi_face_count(const AmVoronoi *vor, size_t i)
{
  return vor->face_start[i + 1] - vor->face_start[i];
}

/* For voronoi.c only: the voro++ call. x holds n positions relative to the box origin.
 * On success fills volume, theta (3n), and the face lists with malloc'ed arrays. The
 * message buffer receives a reason on failure. Returns 0 on success, 1 on a geometric
 * failure (a cell could not be computed), 2 on allocation failure. */
int am_voronoi_cxx_tessellate(size_t n, const double *x, const double cell[6], double min_face_fraction,
                              double *volume, double *theta, size_t **face_start, size_t **neighbor,
                              double **face_area, double **bond, size_t *nfaces, char *message,
                              size_t message_len);
