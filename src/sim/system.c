/* system.c: lifetime of an AmSystem, binding atom types to the potential, and the
 * checked entry point of the force computation. */
#include "sim/system.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/eam.h"

void am_system_init(AmSystem *sys, const AmEam *potential, double skin)
{
  memset(sys, 0, sizeof *sys);
  sys->potential = potential;
  sys->skin = skin;
  for (int t = 0; t < AM_MAX_TYPES; t++)
    sys->element_of_type[t] = -1;
}

void am_system_free(AmSystem *sys)
{
  am_atoms_free(&sys->atoms);
  am_force_engine_free(sys->engine);
  free(sys->pe_atom);
  free(sys->virial_atom);
  const AmEam *pot = sys->potential;
  const double skin = sys->skin;
  am_system_init(sys, pot, skin);
}

AmStatus am_system_bind_types(AmSystem *sys, const char *const *element_names, AmError *err)
{
  const AmEam *eam = sys->potential;
  if (!eam)
    return am_error_set(err, AM_ERR_INVALID, "system has no potential to bind atom types to");
  AmAtoms *atoms = &sys->atoms;
  if (atoms->ntypes < 1 || atoms->ntypes > AM_MAX_TYPES)
    return am_error_set(err, AM_ERR_INVALID, "system has %d atom types (expected 1 to %d)", atoms->ntypes,
                        AM_MAX_TYPES);
  char have[256] = "";
  for (int a = 0; a < eam->nelements; a++) {
    size_t len = strlen(have);
    snprintf(have + len, sizeof have - len, "%s%s", a ? " " : "", eam->element[a]);
  }
  int map[AM_MAX_TYPES] = {0};
  double mass[AM_MAX_TYPES] = {0};
  for (int t = 0; t < atoms->ntypes; t++) {
    const char *name = element_names ? element_names[t] : atoms->type_label[t];
    if (!name || !name[0])
      return am_error_set(err, AM_ERR_INVALID,
                          "atom type %d has no element name: label it in the data file's Masses section "
                          "(\"%d <mass> # Cu\") or pass element names (the potential has: %s)",
                          t + 1, t + 1, have);
    const int a = am_eam_find_element(eam, name);
    if (a < 0)
      return am_error_set(err, AM_ERR_INVALID, "atom type %d is element \"%s\", which the potential %s lacks (it has: %s)",
                          t + 1, name, eam->source[0] ? eam->source : "(from tables)", have);
    /* LAMMPS sets type masses from the potential file; a data file that disagrees by more
     * than rounding means the wrong element or the wrong file. */
    const double m_file = eam->mass[a], m_data = atoms->mass[t];
    if (m_data > 0.0 && fabs(m_data - m_file) > 1e-4 * m_file)
      return am_error_set(err, AM_ERR_INVALID,
                          "atom type %d (%s) has mass %g amu, but the potential gives %s a mass of %g amu",
                          t + 1, name, m_data, name, m_file);
    map[t] = a;
    mass[t] = m_file;
  }
  for (size_t i = 0; i < atoms->n; i++)
    if (atoms->type[i] < 0 || atoms->type[i] >= atoms->ntypes)
      return am_error_set(err, AM_ERR_INVALID, "atom %lld has type %d, outside 1..%d",
                          (long long) atoms->id[i], atoms->type[i] + 1, atoms->ntypes);
  for (int t = 0; t < AM_MAX_TYPES; t++)
    sys->element_of_type[t] = t < atoms->ntypes ? map[t] : -1;
  for (int t = 0; t < atoms->ntypes; t++) {
    atoms->mass[t] = mass[t];
    if (!atoms->type_label[t][0])
      snprintf(atoms->type_label[t], sizeof atoms->type_label[t], "%s", eam->element[map[t]]);
  }
  am_system_invalidate(sys);
  return AM_OK;
}

static AmStatus grow_results(AmSystem *sys, AmError *err)
{
  const size_t n = sys->atoms.n ? sys->atoms.n : 1;
  /* Sized to the atoms' capacity so a run at constant N never reallocates. */
  const size_t cap = sys->atoms.capacity > n ? sys->atoms.capacity : n;
  if (sys->compute_flags & AM_COMPUTE_PER_ATOM_ENERGY) {
    double *p = realloc(sys->pe_atom, cap * sizeof *p);
    if (!p)
      return am_error_set(err, AM_ERR_NOMEM, "cannot allocate per-atom energies for %zu atoms", n);
    sys->pe_atom = p;
  }
  if (sys->compute_flags & AM_COMPUTE_PER_ATOM_VIRIAL) {
    double *p = realloc(sys->virial_atom, 6 * cap * sizeof *p);
    if (!p)
      return am_error_set(err, AM_ERR_NOMEM, "cannot allocate per-atom virials for %zu atoms", n);
    sys->virial_atom = p;
  }
  return AM_OK;
}

AmStatus am_system_compute_forces(AmSystem *sys, AmError *err)
{
  if (!sys->potential)
    return am_error_set(err, AM_ERR_INVALID, "cannot compute forces: the system has no potential");
  const AmAtoms *atoms = &sys->atoms;
  for (int t = 0; t < atoms->ntypes; t++)
    if (sys->element_of_type[t] < 0 || sys->element_of_type[t] >= sys->potential->nelements)
      return am_error_set(err, AM_ERR_INVALID,
                          "cannot compute forces: atom type %d is not bound to an element of the potential "
                          "(call am_system_bind_types)",
                          t + 1);
  if (!sys->engine) {
    sys->engine = am_force_engine_new();
    if (!sys->engine)
      return am_error_set(err, AM_ERR_NOMEM, "cannot allocate the force engine");
  }
  AmStatus st = grow_results(sys, err);
  if (st)
    return st;
  if (atoms->n == 0) {
    sys->pe = 0.0;
    memset(sys->virial, 0, sizeof sys->virial);
    return AM_OK;
  }
  /* Checking types here keeps the inner loops free of range checks. */
  for (size_t i = 0; i < atoms->n; i++)
    if (atoms->type[i] < 0 || atoms->type[i] >= atoms->ntypes)
      return am_error_set(err, AM_ERR_INVALID, "atom %lld has type %d, outside 1..%d",
                          (long long) atoms->id[i], atoms->type[i] + 1, atoms->ntypes);
  st = am_eam_compute(sys, err);
  if (st)
    return st;
  /* Coincident atoms or a corrupted state give Inf/NaN; never hand those on as numbers. */
  bool finite = isfinite(sys->pe);
  for (int d = 0; d < 6; d++)
    finite = finite && isfinite(sys->virial[d]);
  if (finite) {
    const double *f = atoms->f;
    for (size_t k = 0; k < 3 * atoms->n; k++)
      if (!isfinite(f[k])) {
        finite = false;
        break;
      }
  }
  if (!finite) {
    return am_error_set(err, AM_ERR_NUMERIC,
                        "force computation gave a non-finite energy, virial or force (energy %g eV): atoms are "
                        "overlapping or the configuration has blown up",
                        sys->pe);
  }
  return AM_OK;
}

void am_system_invalidate(AmSystem *sys)
{
  am_force_engine_invalidate(sys->engine);
}

AmStatus am_system_copy(AmSystem *dst, const AmSystem *src, AmError *err)
{
  if (dst == src)
    return AM_OK;
  AmStatus st = am_atoms_copy(&dst->atoms, &src->atoms, err);
  if (st)
    return st;
  dst->box = src->box;
  dst->potential = src->potential;
  memcpy(dst->element_of_type, src->element_of_type, sizeof dst->element_of_type);
  dst->skin = src->skin;
  dst->compute_flags = src->compute_flags;
  dst->pe = src->pe;
  memcpy(dst->virial, src->virial, sizeof dst->virial);
  dst->step = src->step;
  dst->time = src->time;
  const size_t n = src->atoms.n;
  if (src->pe_atom) {
    double *p = realloc(dst->pe_atom, (n ? n : 1) * sizeof *p);
    if (!p)
      return am_error_set(err, AM_ERR_NOMEM, "cannot allocate per-atom energies for %zu atoms", n);
    dst->pe_atom = p;
    if (n)
      memcpy(dst->pe_atom, src->pe_atom, n * sizeof *p);
  }
  if (src->virial_atom) {
    double *p = realloc(dst->virial_atom, 6 * (n ? n : 1) * sizeof *p);
    if (!p)
      return am_error_set(err, AM_ERR_NOMEM, "cannot allocate per-atom virials for %zu atoms", n);
    dst->virial_atom = p;
    if (n)
      memcpy(dst->virial_atom, src->virial_atom, 6 * n * sizeof *p);
  }
  /* The copy's engine starts empty: a neighbour list is cheap to rebuild and must not be
   * shared. */
  am_force_engine_invalidate(dst->engine);
  return AM_OK;
}
