/* eam_file.h: reading setfl potential files (LAMMPS eam/alloy and eam/fs).
 *
 * The tables are kept exactly as the file gives them; turning them into splines and
 * forces is eam.c's job. Layout (all arrays row-major, doubles):
 *   frho[a*nrho + k]              embedding F_a(ρ = k·drho) of element a
 *   rhor[(a*ne + b)*nr + k]       eam/fs: the b-th density function in element a's block
 *                                 (LAMMPS uses it as the density that an atom of
 *                                 element a contributes at an atom of element b);
 *                                 eam/alloy: the file has one function per element a,
 *                                 copied to every b, so both styles index alike
 *   z2r[(a*ne + b)*nr + k]        r·φ_ab(r = k·dr), symmetric: filled for both a,b
 * with r = k·dr for k = 0 … nr-1 and ρ = k·drho for k = 0 … nrho-1, as LAMMPS reads them. */
#pragma once

#include <stdbool.h>

#include "sim/atoms.h"
#include "sim/error.h"

typedef enum { AM_EAM_ALLOY, AM_EAM_FS } AmEamStyle;

typedef struct {
  AmEamStyle style;
  char comment[3][256];                 /* the three header lines */
  int nelements;
  char element[AM_MAX_TYPES][16];
  int atomic_number[AM_MAX_TYPES];
  double mass[AM_MAX_TYPES];            /* amu */
  double lattice_constant[AM_MAX_TYPES];
  char lattice_type[AM_MAX_TYPES][16];
  int nrho, nr;
  double drho, dr, cutoff;              /* cutoff in Å */
  double *frho;
  double *rhor;
  double *z2r;
} AmEamTables;

/* Reads a setfl file. Every failure names the file and line and what was expected:
 * missing or truncated file, wrong counts, non-numbers, NaN/Inf, non-positive steps.
 * tables is overwritten, not freed; after a failure it is empty (safe to free). */
AmStatus am_eam_file_read(const char *path, AmEamStyle style, AmEamTables *tables, AmError *err);
/* Same, from a buffer (for tests and fuzzing); name is used in messages. */
AmStatus am_eam_file_parse(const char *text, size_t len, const char *name, AmEamStyle style,
                           AmEamTables *tables, AmError *err);
/* Index of an element by symbol, or -1. */
int am_eam_tables_find_element(const AmEamTables *tables, const char *symbol);
void am_eam_tables_free(AmEamTables *tables);
