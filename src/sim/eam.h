/* eam.h: the EAM potential as the force engine uses it, and the force computation.
 *
 * An AmEam is built once from setfl tables (eam_file.h) and is read-only afterwards, so
 * replicas may share it. Interpolation reproduces LAMMPS pair_style eam/alloy and eam/fs:
 * the same cubic splines through the tabulated points, the same clamping at the table
 * ends, F extrapolated linearly past ρ_max, and φ = (r·φ)/r.
 *
 * The spline coefficients are stored for the force loops, not for the file: four doubles
 * per knot (half a cache line), value and derivative from the same four, each distinct
 * function once (2.2 MB for the 10 000-point CuZr tables; am_eam_density and am_eam_pair
 * read these). The force loops read pair_tab, the same knots interleaved so that one pair
 * reads one row (3.8 MB for CuZr). The force engine walks the pairs sorted by element
 * pair and distance, so consecutive pairs read neighbouring rows and the table streams
 * through the cache instead of missing it at random. */
#pragma once

#include <stddef.h>

#include "sim/eam_file.h"
#include "sim/error.h"
#include "sim/system.h"

/* Doubles per knot of a radial function: the value coefficients c3 c4 c5 c6 of LAMMPS'
 * spline (the derivative is formed from them, so one half cache line serves both). */
#define AM_EAM_KNOT 4
/* Doubles per knot of the force loops' pair table: for an ordered element pair (a, b), the
 * knots of the density b puts at a, of the density a puts at b, and of r·φ, side by side,
 * so one pair reads one row (three 32-byte loads) instead of three scattered knots. */
#define AM_EAM_PAIR_ROW 12
/* Doubles per knot of the embedding table: c0..c6 as in LAMMPS, padded. */
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
  /* Knot k of a radial table is LAMMPS' spline row k+1. Only distinct functions are
   * stored, so the tables the force loops touch stay small enough for the L2 cache. */
  double *rho_tab;      /* ne² functions × nr knots: function b·ne + a is the density an
                           atom of element b puts at an atom of element a; 64-byte aligned */
  double *z2_tab;       /* ne(ne+1)/2 functions r·φ × nr knots, 64-byte aligned */
  int z2_index[AM_MAX_TYPES][AM_MAX_TYPES]; /* element pair → function in z2_tab */
  double *pair_tab;     /* ne² ordered pairs (a·ne + b) × nr rows of AM_EAM_PAIR_ROW: the
                           knots above again, interleaved for the force loops; 64-byte aligned */
  double *embed_tab;    /* ne × nrho rows of AM_EAM_EMBED_ROW */
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

/* The pair-kernel variant this processor runs: "avx512", "avx2" or "baseline" (the
 * environment variable AMORPH_SIMD=baseline|avx2 caps it). */
const char *am_eam_simd_variant(void);

/* Forces, energy and virial of sys (see am_system_compute_forces, which checks the
 * arguments and calls this). */
AmStatus am_eam_compute(AmSystem *sys, AmError *err);
