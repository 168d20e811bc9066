/* q6.h: bond-orientational order per atom, Steinhardt's q_l and the Lechner–Dellago
 * average q̄_l (J. Chem. Phys. 129, 114707 (2008)), the paper's Q6.
 *
 * q_lm(i) = Σ_j w_ij Y_lm(r̂_ij) / Σ_j w_ij over the neighbours j of i;
 * q_l(i) = √(4π/(2l+1) Σ_m |q_lm(i)|²).
 * q̄_lm(i) is the plain mean of q_lm over i and its neighbours, and q̄_l(i) is built from
 * it as q_l from q_lm. The project's convention (SCIENCE.md) takes the neighbours from the
 * Voronoi faces with unit weights (w_ij = 1); weighting by face area (Mickel et al.,
 * J. Chem. Phys. 138, 044501) is an option. Faces below the tessellation's round-off
 * threshold are not neighbours (voronoi.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "analysis/voronoi.h"
#include "sim/error.h"

#define AM_Q_MAX_L 16

/* Neighbour lists in compressed rows: the neighbours of atom i are index[start[i] …
 * start[i+1]−1], with bond vectors (3 each, from i to the neighbour's image) and
 * optional weights (NULL: all 1). */
typedef struct {
  size_t n;
  const size_t *start;
  const size_t *index;
  const double *bond;
  const double *weight;
} AmBondList;

/* Y_lm(u) for a direction u (any length > 0), orthonormal on the sphere with the
 * Condon–Shortley phase; 0 ≤ l ≤ AM_Q_MAX_L, |m| ≤ l. */
void am_ylm(int l, int m, const double u[3], double *re, double *im);

/* q_l (plain, may be NULL) and q̄_l (averaged, may be NULL) of every atom. An atom
 * without neighbours is an error: its order is undefined. */
AmStatus am_bond_order(const AmBondList *bonds, int l, double *q_plain, double *q_avg, AmError *err);

/* The same over the Voronoi face neighbours of vor, unit weights or face-area weights. */
AmStatus am_bond_order_voronoi(const AmVoronoi *vor, int l, bool area_weighted, double *q_plain, double *q_avg,
                               AmError *err);
