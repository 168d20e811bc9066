/* lattice.h: starting structures for quenches.
 *
 * A glass is made by melting a crystal; what matters is the composition and a density
 * close to the liquid's, since the melt forgets the start. The B2 (CsCl) start puts atoms
 * on the sites of a body-centred cubic lattice. Atom counts that no cube of B2 cells holds
 * exactly (4000 atoms would need 12.6³ cells) are made from the smallest near-cubic cell
 * array with enough sites: randomly chosen surplus sites stay empty, and the species are
 * then assigned at random with exact counts. Everything is a pure function of the seed. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "sim/atoms.h"
#include "sim/box.h"
#include "sim/error.h"

typedef struct {
  size_t natoms;                   /* atoms to place */
  int ntypes;                      /* species, 1 … AM_MAX_TYPES */
  double fraction[AM_MAX_TYPES];   /* composition, sums to 1 */
  double mass[AM_MAX_TYPES];       /* amu */
  char label[AM_MAX_TYPES][16];    /* element symbols */
  double lattice_constant;         /* B2 cube edge (Å) */
  uint64_t seed;
} AmLatticeSpec;

/* The cell counts nx ≤ ny ≤ nz with 2·nx·ny·nz ≥ natoms: the smallest longest edge,
 * then the fewest cells. */
void am_lattice_b2_cells(size_t natoms, int cells[3]);

/* Fills an orthogonal box and atoms (ids 1…n, zero velocities, image flags 0) with a
 * random-species B2 start. Type counts are round(fraction·n), corrected so they sum to n. */
AmStatus am_lattice_random_b2(const AmLatticeSpec *spec, AmBox *box, AmAtoms *atoms, AmError *err);
