/* system.h: one simulated system: box, atoms, potential, and the force engine's state.
 *
 * AmSystem is what integrators, minimisers, I/O and analysis share. The potential is
 * read-only and may be shared between systems (replicas run side by side on one
 * AmEam); everything else belongs to one system and one thread of control (inside a
 * force call the engine itself uses OpenMP). */
#pragma once

#include <stdbool.h>

#include "sim/atoms.h"
#include "sim/box.h"
#include "sim/error.h"

typedef struct AmEam AmEam;                 /* eam.h */
typedef struct AmForceEngine AmForceEngine; /* neighbour lists and scratch, neighbor.h / eam.c */

/* What a force call computes beyond forces, energy and the global virial. */
enum {
  AM_COMPUTE_PER_ATOM_ENERGY = 1u << 0, /* fills pe_atom */
  AM_COMPUTE_PER_ATOM_VIRIAL = 1u << 1, /* fills virial_atom */
};

/* Voigt-like order used everywhere for symmetric tensors: xx yy zz xy xz yz (LAMMPS). */
enum { AM_XX = 0, AM_YY, AM_ZZ, AM_XY, AM_XZ, AM_YZ };

typedef struct AmSystem {
  AmBox box;
  AmAtoms atoms;
  const AmEam *potential;              /* not owned */
  int element_of_type[AM_MAX_TYPES];   /* 0-based type → potential element index */
  double skin;                          /* neighbour skin (Å) */
  AmForceEngine *engine;                /* owned; created lazily by the first force call */
  unsigned compute_flags;               /* AM_COMPUTE_* */

  /* Results of the last am_system_compute_forces, for the positions and box it saw. */
  double pe;                 /* potential energy (eV) */
  double virial[6];          /* Σ r_ij ⊗ f_ij over pairs plus embedding terms (eV), xx..yz */
  double *pe_atom;           /* n, when AM_COMPUTE_PER_ATOM_ENERGY */
  double *virial_atom;       /* 6n, when AM_COMPUTE_PER_ATOM_VIRIAL (eV, LAMMPS' per-atom convention) */

  long long step;            /* MD steps taken */
  double time;               /* simulated time (ps) */
} AmSystem;

/* Sets up an empty system bound to a potential. Atoms and box are filled by the caller
 * (usually the data-file reader) and then am_system_bind_types is called. */
void am_system_init(AmSystem *sys, const AmEam *potential, double skin);
void am_system_free(AmSystem *sys);

/* Maps each atom type to the potential's element of the same name (atoms.type_label)
 * or, given element names (one per type, may be NULL), to those. Fails with a message
 * naming the element when the potential lacks it, and checks masses against the file. */
AmStatus am_system_bind_types(AmSystem *sys, const char *const *element_names, AmError *err);

/* Forces, energy and virial for the current positions and box. Rebuilds the neighbour
 * list when needed (an atom moved more than half the skin, or the box changed shape
 * enough); refuses a box too small for cutoff + skin with a message that gives both. */
AmStatus am_system_compute_forces(AmSystem *sys, AmError *err);

/* Tells the force engine that positions jumped (new configuration, atoms reordered,
 * box replaced), so the next force call rebuilds from scratch. */
void am_system_invalidate(AmSystem *sys);

/* Deep copy of box, atoms and results; the copy gets its own (lazy) force engine. */
AmStatus am_system_copy(AmSystem *dst, const AmSystem *src, AmError *err);
