/* thermo.h: the thermodynamic measures every protocol reports, defined as LAMMPS defines
 * them (compute temp, compute pressure, velocity create), so numbers compare directly.
 *
 * Pinned atoms (atoms.pinned) carry no degrees of freedom and no kinetic energy: they
 * have zero velocity by construction. Tensors are in the order xx yy zz xy xz yz
 * (AM_XX … AM_YZ in system.h). */
#pragma once

#include <stdint.h>

#include "sim/atoms.h"
#include "sim/error.h"
#include "sim/system.h"

/* Number of atoms that are not pinned. */
size_t am_thermo_count_unpinned(const AmAtoms *atoms);
/* Degrees of freedom of compute temp: 3·N_unpinned − 3 (total momentum removed).
 * Returns 0 when fewer than two atoms are free. */
double am_thermo_dof(const AmAtoms *atoms);
/* Σ ½ m v² over the unpinned atoms (eV); pinned atoms never count, whatever their v. */
double am_thermo_kinetic_energy(const AmAtoms *atoms);
/* Σ m v_a v_b over the unpinned atoms (eV), xx..yz: twice the kinetic energy tensor, the kinetic part of P·V. */
void am_thermo_kinetic_tensor(const AmAtoms *atoms, double mvv[6]);
/* 2·KE / (dof·k_B) in K; 0 when dof is 0. */
double am_thermo_temperature(const AmAtoms *atoms);
/* Pressure tensor P_ab = (Σ m v_a v_b + virial_ab) / V in bar, from sys->atoms.v and
 * sys->virial (so it belongs to the instant of the last force call), = LAMMPS pxx..pyz. */
void am_thermo_pressure_tensor(const AmSystem *sys, double p[6]);
/* (Pxx + Pyy + Pzz) / 3 in bar, = LAMMPS press. */
double am_thermo_pressure(const AmSystem *sys);
/* σ = −P in bar (positive σ_xy for a positive xy tilt of a solid). */
void am_thermo_stress(const AmSystem *sys, double sigma[6]);
/* Total momentum Σ m v of all atoms (amu·Å/ps). */
void am_thermo_momentum(const AmAtoms *atoms, double p[3]);

/* Maxwell–Boltzmann velocities at temperature t (K) drawn from stream (seed, stream):
 * Gaussian components with variance k_B T / m, total momentum of the unpinned atoms set to
 * zero, then all velocities scaled so that am_thermo_temperature is exactly t (LAMMPS
 * `velocity all create t seed dist gaussian mom yes rot no`). Pinned atoms get zero
 * velocity. t = 0 gives all-zero velocities. Fails on a negative or non-finite t, or
 * when no degree of freedom is free but t > 0. */
AmStatus am_thermo_create_velocities(AmAtoms *atoms, double t, uint64_t seed, uint64_t stream,
                                     AmError *err);
/* Removes the centre-of-mass velocity of the unpinned atoms. */
void am_thermo_zero_momentum(AmAtoms *atoms);
