/* units.h: the engine's units, stated once.
 *
 * Everything inside src/sim/ is in LAMMPS "metal" units: length Å, time ps, energy eV,
 * mass amu (g/mol), temperature K, pressure bar, force eV/Å. The conversion factors are
 * the ones LAMMPS uses (update.cpp, "metal"), so energies, temperatures and pressures
 * agree with it to the last digit that matters. */
#pragma once

/* Boltzmann constant, eV/K. */
#define AM_BOLTZ 8.617343e-5
/* m·v² in amu·Å²/ps² to eV. */
#define AM_MVV2E 1.0364269e-4
/* f/m in (eV/Å)/amu to Å/ps². */
#define AM_FTM2V (1.0 / 1.0364269e-4)
/* eV/Å³ to bar. */
#define AM_NKTV2P 1.6021765e6
/* bar per GPa, for display. */
#define AM_BAR_PER_GPA 1.0e4
