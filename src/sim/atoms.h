/* atoms.h: per-atom state, structure of arrays.
 *
 * Each quantity is one contiguous array; vectors are stored xyz-interleaved (x[3*i+k]).
 * Types are 0-based inside the engine (LAMMPS type t is t-1 here); the mapping from type
 * to potential element lives in AmSystem. Ids are kept only for I/O and never used for
 * indexing: the engine may reorder atoms (spatial sorting) as long as every per-atom
 * array moves together (am_atoms_permute). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/error.h"

#define AM_MAX_TYPES 8

typedef struct {
  size_t n;         /* number of atoms */
  size_t capacity;  /* allocated length of every per-atom array */
  int ntypes;
  double mass[AM_MAX_TYPES];            /* amu, by 0-based type */
  char type_label[AM_MAX_TYPES][16];    /* element symbol or "" when unknown */

  int64_t *id;       /* LAMMPS atom id, ≥ 1, unique */
  int32_t *type;     /* 0-based type */
  double *x;         /* wrapped positions (Å), 3n */
  double *v;         /* velocities (Å/ps), 3n */
  double *f;         /* forces (eV/Å), 3n */
  int32_t *image;    /* periodic images crossed, 3n (x_unwrapped = x + image·(a,b,c)) */
  uint8_t *pinned;   /* 1 when the atom is pinned (see SCIENCE.md, Pinning) */
  double *pin_frac;  /* fractional coordinates a pinned atom keeps, 3n */
  double *affine;    /* accumulated affine displacement from shear remaps (Å), 3n */
} AmAtoms;

/* Zero-initialised AmAtoms is empty and valid. */
AmStatus am_atoms_resize(AmAtoms *atoms, size_t n, AmError *err);
void am_atoms_free(AmAtoms *atoms);
/* Deep copy; dst must be empty or previously used (its arrays are reused). */
AmStatus am_atoms_copy(AmAtoms *dst, const AmAtoms *src, AmError *err);
/* Reorders every per-atom array so that new index i holds old index perm[i]. */
AmStatus am_atoms_permute(AmAtoms *atoms, const size_t *perm, AmError *err);
/* Index of the atom with this id, or -1 (linear scan; build a map for repeated lookups). */
long am_atoms_find_id(const AmAtoms *atoms, int64_t id);
/* Checks types are in range, masses positive, ids unique and positive, and positions and
 * velocities finite. */
AmStatus am_atoms_validate(const AmAtoms *atoms, AmError *err);
