/* atomic_stress.c: per-atom stress from the per-atom virial over Voronoi volumes. */
#include "analysis/atomic_stress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/units.h"

double am_von_mises(const double s[6])
{
  const double a = s[AM_XX] - s[AM_YY], b = s[AM_YY] - s[AM_ZZ], c = s[AM_ZZ] - s[AM_XX];
  return sqrt(0.5 * (a * a + b * b + c * c) +
              3.0 * (s[AM_XY] * s[AM_XY] + s[AM_XZ] * s[AM_XZ] + s[AM_YZ] * s[AM_YZ]));
}

void am_atomic_stress_free(AmAtomicStress *out)
{
  free(out->stress);
  free(out->von_mises);
  free(out->energy);
  memset(out, 0, sizeof *out);
}

AmStatus am_atomic_stress_compute(const AmSystem *sys, const double *volume, bool with_kinetic, AmAtomicStress *out,
                                  AmError *err)
{
  const AmAtoms *atoms = &sys->atoms;
  const size_t n = atoms->n;
  const unsigned need = AM_COMPUTE_PER_ATOM_ENERGY | AM_COMPUTE_PER_ATOM_VIRIAL;
  if (!sys->virial_atom || !sys->pe_atom || (sys->compute_flags & need) != need)
    return am_error_set(err, AM_ERR_INVALID,
                        "atomic stress: the last force call did not fill per-atom energy and virial "
                        "(set AM_COMPUTE_PER_ATOM_ENERGY | AM_COMPUTE_PER_ATOM_VIRIAL)");
  if (!volume)
    return am_error_set(err, AM_ERR_INVALID, "atomic stress: no per-atom volumes");
  for (size_t i = 0; i < n; i++)
    if (!(volume[i] > 0.0) || !isfinite(volume[i]))
      return am_error_set(err, AM_ERR_INVALID, "atomic stress: atom %zu has volume %g Å³, expected > 0", i,
                          volume[i]);
  double *stress = malloc(6 * (n ? n : 1) * sizeof *stress);
  double *vm = malloc((n ? n : 1) * sizeof *vm);
  double *energy = malloc((n ? n : 1) * sizeof *energy);
  if (!stress || !vm || !energy) {
    free(stress);
    free(vm);
    free(energy);
    return am_error_set(err, AM_ERR_NOMEM, "atomic stress: cannot allocate for %zu atoms", n);
  }
  const double to_gpa = AM_NKTV2P / AM_BAR_PER_GPA;
  for (size_t i = 0; i < n; i++) {
    double w[6];
    memcpy(w, sys->virial_atom + 6 * i, sizeof w);
    if (with_kinetic && !atoms->pinned[i]) {
      const double m = atoms->mass[atoms->type[i]] * AM_MVV2E;
      const double *v = atoms->v + 3 * i;
      w[AM_XX] += m * v[0] * v[0];
      w[AM_YY] += m * v[1] * v[1];
      w[AM_ZZ] += m * v[2] * v[2];
      w[AM_XY] += m * v[0] * v[1];
      w[AM_XZ] += m * v[0] * v[2];
      w[AM_YZ] += m * v[1] * v[2];
    }
    double *s = stress + 6 * i;
    for (int k = 0; k < 6; k++)
      s[k] = -w[k] * to_gpa / volume[i];
    vm[i] = am_von_mises(s);
    energy[i] = sys->pe_atom[i];
    if (!isfinite(vm[i]) || !isfinite(energy[i])) {
      free(stress);
      free(vm);
      free(energy);
      return am_error_set(err, AM_ERR_NUMERIC, "atomic stress: atom %zu has a non-finite virial or energy", i);
    }
  }
  am_atomic_stress_free(out);
  out->n = n;
  out->stress = stress;
  out->von_mises = vm;
  out->energy = energy;
  return AM_OK;
}
