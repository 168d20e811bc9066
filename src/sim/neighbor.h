/* neighbor.h: Verlet neighbour list with skin for a periodic triclinic box that deforms.
 *
 * The list is built from cell lists in fractional coordinates and stores, for each pair,
 * the partner's index and which periodic image of it (a shift of −1, 0 or +1 along each
 * cell vector). Pair vectors are recomputed every call from the CURRENT box, so the list
 * stays valid while the tilt or the lengths change (shear, NPT) and while an integrator
 * re-wraps atoms into the cell; it is rebuilt only when atoms or the box moved enough
 * that a pair outside cutoff + skin could have come inside the cutoff.
 *
 * Internally atoms are kept in a private, spatially sorted order (rebuilt with the list):
 * the caller's atom arrays are never reordered. Everything indexed by list position
 * (x, the pairs) is in that private order; order[k] is the caller's index of atom k.
 *
 * Half list: each pair appears once, under the lower private index. The method needs
 * every box height ≥ cutoff + skin (then no atom can meet its own image). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/atoms.h"
#include "sim/box.h"
#include "sim/error.h"

/* Packed pair: partner index << AM_NEIGH_SHIFT_BITS | image code. The image code c gives
 * the shift n = (c%3 − 1, c/3%3 − 1, c/9 − 1) in units of the cell vectors a, b, c. */
#define AM_NEIGH_SHIFT_BITS 5
#define AM_NEIGH_J(p) ((size_t) ((p) >> AM_NEIGH_SHIFT_BITS))
#define AM_NEIGH_CODE(p) ((unsigned) ((p) & ((1u << AM_NEIGH_SHIFT_BITS) - 1)))
#define AM_NEIGH_NCODES 27

typedef struct {
  /* Settings of the current list. */
  double cutoff, skin;
  bool valid;
  size_t n;              /* atoms in the list */
  size_t cap;            /* per-atom capacity */

  size_t *order;         /* private index → caller's atom index */
  double *x;             /* 3n: positions of this call, private order, relative to the box
                            origin and continuous since the build (no re-wrapping) */
  double shift[AM_NEIGH_NCODES][3]; /* image vectors of this call's box (Å) */
  size_t *first;         /* n+1: pairs of atom k are pairs[first[k] .. first[k+1]) */
  uint32_t *pairs;
  size_t npairs, cap_pairs;

  /* State of the last build, for deciding when to rebuild. */
  double *s0;            /* 3n fractional coordinates at the build */
  double *s;             /* 3n scratch: this call's fractional coordinates */
  double h0[9];          /* cell matrix at the build (columns a, b, c) */
  double h0inv[9];
  long builds;           /* number of builds so far */
  double last_max_disp;  /* largest atom displacement since the build, last call (Å) */
  double last_box_term;  /* what the box deformation since the build can do to a pair
                            distance up to cutoff + skin, last call (Å) */

  /* Build scratch. */
  size_t *cell_of, *cell_start;
  size_t ncells_cap;
  int nthreads_cap;
  uint32_t **tpairs;     /* per-thread pair buffers */
  size_t *tcap, *tcount;
  size_t *tsplit;        /* nthreads_cap + 1: first atom of each thread's block in a build */
} AmNeighbor;

/* Threads the force engine and the list builder use for n atoms: OpenMP's current team
 * size, but at most one thread per AM_MIN_ATOMS_PER_THREAD atoms. Below that a step takes
 * a millisecond or less and the barriers between passes cost more than they save; on a
 * machine whose cores are all busy they cost far more (a descheduled team member stalls
 * every barrier). */
#define AM_MIN_ATOMS_PER_THREAD 1000
int am_neighbor_threads(size_t n);

void am_neighbor_init(AmNeighbor *nl);
void am_neighbor_free(AmNeighbor *nl);
/* The next update rebuilds from scratch. */
void am_neighbor_invalidate(AmNeighbor *nl);

/* Smallest box height the method accepts. */
double am_neighbor_min_height(double cutoff, double skin);

/* Brings the list up to date for these positions and this box: fills nl->x and
 * nl->shift, and rebuilds when needed (then *rebuilt is true). Fails on non-finite
 * positions (AM_ERR_NUMERIC, naming the atom), on a box too small for cutoff + skin, and
 * on a negative skin or non-positive cutoff (AM_ERR_INVALID). */
AmStatus am_neighbor_update(AmNeighbor *nl, const AmBox *box, const AmAtoms *atoms, double cutoff, double skin,
                            bool *rebuilt, AmError *err);
