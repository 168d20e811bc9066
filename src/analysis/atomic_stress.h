/* atomic_stress.h: per-atom stress tensors and their von Mises measure (the paper's "S"),
 * and the per-atom potential energy ("E"), from the engine's per-atom tallies.
 *
 * σ_i = −(m_i v_i ⊗ v_i + W_i) / V_i with W_i the atom's share of the virial
 * (system.h, LAMMPS' per-atom convention, Σ_i W_i = the global virial) and V_i its
 * Voronoi volume. Since the Voronoi volumes tile the box, Σ_i V_i σ_i = V σ exactly: the
 * per-atom stresses are a partition of the global one, which is what makes them
 * comparable between atoms. Output in GPa. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "sim/error.h"
#include "sim/system.h"

typedef struct {
  size_t n;
  double *stress;     /* 6n, GPa, xx yy zz xy xz yz (σ = −P, as thermo.h) */
  double *von_mises;  /* n, GPa */
  double *energy;     /* n, eV: the per-atom potential energy of the same force call */
} AmAtomicStress;

/* von Mises equivalent stress of a symmetric tensor s (xx yy zz xy xz yz):
 * √(½[(s11−s22)² + (s22−s33)² + (s33−s11)²] + 3(s12² + s13² + s23²)). */
double am_von_mises(const double s[6]);

/* Needs the last force call of sys to have filled pe_atom and virial_atom
 * (sys->compute_flags with AM_COMPUTE_PER_ATOM_ENERGY | AM_COMPUTE_PER_ATOM_VIRIAL) and
 * volume[i] > 0 for every atom (voronoi.h). with_kinetic adds the m v ⊗ v term (LAMMPS
 * `compute stress/atom` does; an inherent structure has v = 0 anyway). out must be
 * zeroed or previously used. */
AmStatus am_atomic_stress_compute(const AmSystem *sys, const double *volume, bool with_kinetic, AmAtomicStress *out,
                                  AmError *err);
void am_atomic_stress_free(AmAtomicStress *out);
