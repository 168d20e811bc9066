/* eam.h: the EAM potential as the force engine uses it, and the force computation.
 *
 * An AmEam is built once from setfl tables (eam_file.h) and is read-only afterwards, so
 * replicas may share it. Interpolation reproduces LAMMPS pair_style eam/alloy and eam/fs:
 * the same cubic splines through the tabulated points, the same clamping at the table
 * ends, F extrapolated linearly past ρ_max, and φ = (r·φ)/r.
 *
 * The spline coefficients are stored for the force loops, not for the file: one row per
 * ordered element pair and table knot, holding every number the loop needs for that pair
 * at that distance, so each neighbour costs one (density pass) or two (force pass)
 * cache-line loads and no per-type indirection. */
#pragma once

#include <stddef.h>

#include "sim/eam_file.h"
#include "sim/error.h"
#include "sim/system.h"

/* Doubles per row of the density-pass table: value coefficients (c3 c4 c5 c6, LAMMPS'
 * order) of the density an atom j puts at i, then of the density i puts at j. */
#define AM_EAM_RHO_ROW 8
/* Doubles per row of the force-pass table: derivative coefficients (c0 c1 c2) of the
 * density j puts at i, of the density i puts at j, of r·φ, then the value coefficients of
 * r·φ (c3..c6), padded to two cache lines. */
#define AM_EAM_PAIR_ROW 16
/* Doubles per row of the embedding table: c0..c6, padded. */
#define AM_EAM_EMBED_ROW 8

struct AmEam {
  AmEamStyle style;
  int nelements;
  char element[AM_MAX_TYPES][16];
  double mass[AM_MAX_TYPES];
  int nr, nrho;
  double dr, rdr, drho, rdrho;
  double rhomax;        /* (nrho-1)·drho: F is extrapolated linearly beyond */
  double cutoff;        /* Å */
  /* Row (a*ne + b)*nr + k of rho_tab / pair_tab is LAMMPS' spline row k+1 for the ordered
   * element pair (a = element of atom i, b = element of atom j). */
  double *rho_tab;      /* ne*ne*nr*AM_EAM_RHO_ROW, 64-byte aligned */
  double *pair_tab;     /* ne*ne*nr*AM_EAM_PAIR_ROW, 64-byte aligned */
  double *embed_tab;    /* ne*nrho*AM_EAM_EMBED_ROW: row a*nrho + k is LAMMPS' row k+1 */
  char source[512];     /* file the tables came from, for messages */
};

/* Reads a setfl file and builds the potential. */
AmStatus am_eam_load(const char *path, AmEamStyle style, AmEam **out, AmError *err);
/* Builds the potential from tables already read (the tables are not kept). */
AmStatus am_eam_from_tables(const AmEamTables *tables, AmEam **out, AmError *err);
void am_eam_free(AmEam *eam);

double am_eam_cutoff(const AmEam *eam);
int am_eam_element_count(const AmEam *eam);
const char *am_eam_element_name(const AmEam *eam, int element);
double am_eam_element_mass(const AmEam *eam, int element);
/* Index of the element with this symbol, or -1. */
int am_eam_find_element(const AmEam *eam, const char *symbol);

/* Interpolated functions, exactly as the force loop evaluates them (for tests and
 * plots). density(a, b, r) is what an atom of element a puts at an atom of element b. */
double am_eam_embedding(const AmEam *eam, int element, double rho, double *dF);
double am_eam_density(const AmEam *eam, int a, int b, double r, double *drho_dr);
double am_eam_pair(const AmEam *eam, int a, int b, double r, double *dphi_dr);

/* The force engine: neighbour list and scratch of one system. Created lazily by
 * am_system_compute_forces; the functions below are for system.c. */
AmForceEngine *am_force_engine_new(void);
void am_force_engine_free(AmForceEngine *engine);
/* Forget the neighbour list; the next computation rebuilds it. */
void am_force_engine_invalidate(AmForceEngine *engine);
/* Number of neighbour-list builds so far (for tests and statistics). */
long am_force_engine_builds(const AmForceEngine *engine);

/* Forces, energy and virial of sys (see am_system_compute_forces, which checks the
 * arguments and calls this). */
AmStatus am_eam_compute(AmSystem *sys, AmError *err);
