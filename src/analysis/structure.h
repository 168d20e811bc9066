/* structure.h: the per-atom structural description of a configuration that the paper
 * compares between reversible and vibrational atoms (Figs. 5d, S3, S4): Voronoi volume V,
 * LCA |Θ|, Lechner–Dellago Q6 over Voronoi neighbours, potential energy E, von Mises
 * stress S, and soft-mode participation p, one call for all atoms.
 *
 * The experiment layer calls this once per sample and writes the columns out; the
 * modules behind it (voronoi.h, q6.h, atomic_stress.h, soft_modes.h) can be used alone.
 * The configuration handed in is never modified. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/soft_modes.h"
#include "sim/error.h"
#include "sim/system.h"

typedef struct {
  /* Analyse the inherent structure (FIRE minimum, settings in modes.fire) instead of the
   * configuration as given. Participations always come from the inherent structure. */
  bool inherent_structure;
  double min_face_fraction;  /* Voronoi face threshold, < 0 for the default (voronoi.h) */
  bool q6_area_weighted;     /* false: unit weights, the project's convention */
  bool with_kinetic;         /* kinetic term in the per-atom stress (true) */
  bool soft_modes;           /* compute participations (true); the costliest part */
  AmSoftModeConfig modes;
} AmStructureConfig;

typedef struct {
  size_t n;
  int64_t *id;             /* atom ids, in the system's order */
  int32_t *type;           /* 0-based types */
  double *volume;          /* V_i (Å³) */
  double *theta_vec;       /* 3n: Θ_i (Å) */
  double *theta;           /* |Θ_i| (Å) */
  int32_t *faces;          /* Voronoi neighbours (coordination) */
  double *q6;              /* Lechner–Dellago q̄6 */
  double *q6_plain;        /* Steinhardt q6 */
  double *energy;          /* E_i (eV) */
  double *stress;          /* 6n: σ_i (GPa) */
  double *von_mises;       /* S_i (GPa) */
  double *participation;   /* p_i, NULL when soft modes were not asked for */
  size_t nmodes;           /* soft modes averaged over */
  double lowest_frequency; /* THz, of the first soft mode (0 without soft modes) */
  double energy_total;     /* potential energy of the structure analysed (eV) */
  double fire_energy_drop; /* E(given) − E(inherent structure) (eV), 0 when not minimised */
} AmStructure;

/* Defaults: configuration as given, default face threshold, unweighted Q6, kinetic term
 * on, soft modes on with am_soft_mode_config_init's settings. */
void am_structure_config_init(AmStructureConfig *cfg);

/* sys needs a potential and bound types. out must be zeroed or previously used. */
AmStatus am_structure_compute(const AmSystem *sys, const AmStructureConfig *cfg, AmStructure *out, AmError *err);
void am_structure_free(AmStructure *s);
