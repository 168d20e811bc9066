/* structure.c: runs the per-atom analyses on a private copy of the system. */
#include "analysis/structure.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/atomic_stress.h"
#include "analysis/q6.h"
#include "analysis/voronoi.h"

void am_structure_config_init(AmStructureConfig *cfg)
{
  memset(cfg, 0, sizeof *cfg);
  cfg->inherent_structure = false;
  cfg->min_face_fraction = -1.0;
  cfg->q6_area_weighted = false;
  cfg->with_kinetic = true;
  cfg->soft_modes = true;
  am_soft_mode_config_init(&cfg->modes);
}

void am_structure_free(AmStructure *s)
{
  free(s->id);
  free(s->type);
  free(s->volume);
  free(s->theta_vec);
  free(s->theta);
  free(s->faces);
  free(s->q6);
  free(s->q6_plain);
  free(s->energy);
  free(s->stress);
  free(s->von_mises);
  free(s->participation);
  memset(s, 0, sizeof *s);
}

AmStatus am_structure_compute(const AmSystem *sys, const AmStructureConfig *cfg, AmStructure *out, AmError *err)
{
  const size_t n = sys->atoms.n;
  if (!sys->potential)
    return am_error_set(err, AM_ERR_INVALID, "structure: the system has no potential");
  if (n == 0)
    return am_error_set(err, AM_ERR_INVALID, "structure: no atoms");
  AmSystem w;
  am_system_init(&w, sys->potential, sys->skin);
  AmVoronoi vor = {0};
  AmAtomicStress as = {0};
  AmSoftModes sm = {0};
  AmStructure r = {0};
  AmStatus st = am_system_copy(&w, sys, err);
  if (st != AM_OK)
    goto out;
  w.compute_flags = 0;
  st = am_system_compute_forces(&w, err);
  if (st != AM_OK)
    goto out;
  const double e_given = w.pe;
  if (cfg->inherent_structure) {
    AmFireResult fr;
    st = am_fire_minimize(&w, &cfg->modes.fire, &fr, err);
    if (st != AM_OK) {
      am_error_prefix(err, "structure: minimising: ");
      goto out;
    }
    r.fire_energy_drop = e_given - fr.energy_final;
  }
  w.compute_flags = AM_COMPUTE_PER_ATOM_ENERGY | AM_COMPUTE_PER_ATOM_VIRIAL;
  st = am_system_compute_forces(&w, err);
  if (st != AM_OK)
    goto out;
  /* Every column is reported in the caller's atom order. */
  if (memcmp(w.atoms.id, sys->atoms.id, n * sizeof *sys->atoms.id) != 0) {
    st = am_error_set(err, AM_ERR_UNSUPPORTED, "structure: the force engine reordered the atoms");
    goto out;
  }
  r.energy_total = w.pe;
  st = am_voronoi_compute(&vor, &w.box, &w.atoms, cfg->min_face_fraction, err);
  if (st != AM_OK)
    goto out;
  st = am_atomic_stress_compute(&w, vor.volume, cfg->with_kinetic, &as, err);
  if (st != AM_OK)
    goto out;
  r.n = n;
  r.id = malloc(n * sizeof *r.id);
  r.type = malloc(n * sizeof *r.type);
  r.faces = malloc(n * sizeof *r.faces);
  r.q6 = malloc(n * sizeof *r.q6);
  r.q6_plain = malloc(n * sizeof *r.q6_plain);
  if (!r.id || !r.type || !r.faces || !r.q6 || !r.q6_plain) {
    st = am_error_set(err, AM_ERR_NOMEM, "structure: cannot allocate for %zu atoms", n);
    goto out;
  }
  st = am_bond_order_voronoi(&vor, 6, cfg->q6_area_weighted, r.q6_plain, r.q6, err);
  if (st != AM_OK)
    goto out;
  memcpy(r.id, w.atoms.id, n * sizeof *r.id);
  memcpy(r.type, w.atoms.type, n * sizeof *r.type);
  for (size_t i = 0; i < n; i++)
    r.faces[i] = (int32_t) am_voronoi_face_count(&vor, i);
  if (cfg->soft_modes) {
    AmSoftModeConfig mc = cfg->modes;
    /* Already at the minimum when the whole analysis is of the inherent structure. */
    if (cfg->inherent_structure)
      mc.minimise = false;
    else
      mc.minimise = true;
    st = am_soft_modes_compute(&w, &mc, &sm, err);
    if (st != AM_OK)
      goto out;
    r.participation = sm.participation;
    sm.participation = NULL;
    r.nmodes = sm.nmodes;
    r.lowest_frequency = sm.frequency[0];
  }
  /* Hand over the arrays the modules allocated. */
  r.volume = vor.volume;
  vor.volume = NULL;
  r.theta_vec = vor.theta;
  vor.theta = NULL;
  r.theta = vor.theta_norm;
  vor.theta_norm = NULL;
  r.energy = as.energy;
  as.energy = NULL;
  r.stress = as.stress;
  as.stress = NULL;
  r.von_mises = as.von_mises;
  as.von_mises = NULL;
  am_structure_free(out);
  *out = r;
  memset(&r, 0, sizeof r);

out:
  am_structure_free(&r);
  am_soft_modes_free(&sm);
  am_atomic_stress_free(&as);
  am_voronoi_free(&vor);
  am_system_free(&w);
  return st;
}
