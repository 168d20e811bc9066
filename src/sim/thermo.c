/* thermo.c: temperature, kinetic energy, pressure and velocity creation as LAMMPS
 * computes them. Sums run serially in atom order so that results do not depend on the
 * thread count (they are O(N) and cheap next to a force call). */
#include "sim/thermo.h"

#include <math.h>
#include <string.h>

#include "sim/box.h"
#include "sim/rng.h"
#include "sim/units.h"

size_t am_thermo_count_unpinned(const AmAtoms *atoms)
{
  size_t n = 0;
  for (size_t i = 0; i < atoms->n; i++)
    n += atoms->pinned[i] ? 0 : 1;
  return n;
}

double am_thermo_dof(const AmAtoms *atoms)
{
  const size_t free_atoms = am_thermo_count_unpinned(atoms);
  if (free_atoms < 2)
    return 0.0;
  return 3.0 * (double) free_atoms - 3.0;
}

void am_thermo_kinetic_tensor(const AmAtoms *atoms, double mvv[6])
{
  double t[6] = {0};
  for (size_t i = 0; i < atoms->n; i++) {
    if (atoms->pinned[i])
      continue;
    const double m = atoms->mass[atoms->type[i]];
    const double *v = atoms->v + 3 * i;
    t[AM_XX] += m * v[0] * v[0];
    t[AM_YY] += m * v[1] * v[1];
    t[AM_ZZ] += m * v[2] * v[2];
    t[AM_XY] += m * v[0] * v[1];
    t[AM_XZ] += m * v[0] * v[2];
    t[AM_YZ] += m * v[1] * v[2];
  }
  for (int k = 0; k < 6; k++)
    mvv[k] = t[k] * AM_MVV2E;
}

double am_thermo_kinetic_energy(const AmAtoms *atoms)
{
  double s = 0.0;
  for (size_t i = 0; i < atoms->n; i++) {
    if (atoms->pinned[i])
      continue;
    const double *v = atoms->v + 3 * i;
    s += atoms->mass[atoms->type[i]] * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  }
  return 0.5 * s * AM_MVV2E;
}

double am_thermo_temperature(const AmAtoms *atoms)
{
  const double dof = am_thermo_dof(atoms);
  if (dof <= 0.0)
    return 0.0;
  return 2.0 * am_thermo_kinetic_energy(atoms) / (dof * AM_BOLTZ);
}

void am_thermo_pressure_tensor(const AmSystem *sys, double p[6])
{
  double mvv[6];
  am_thermo_kinetic_tensor(&sys->atoms, mvv);
  const double scale = AM_NKTV2P / am_box_volume(&sys->box);
  for (int k = 0; k < 6; k++)
    p[k] = (mvv[k] + sys->virial[k]) * scale;
}

double am_thermo_pressure(const AmSystem *sys)
{
  double p[6];
  am_thermo_pressure_tensor(sys, p);
  return (p[AM_XX] + p[AM_YY] + p[AM_ZZ]) / 3.0;
}

void am_thermo_stress(const AmSystem *sys, double sigma[6])
{
  am_thermo_pressure_tensor(sys, sigma);
  for (int k = 0; k < 6; k++)
    sigma[k] = -sigma[k];
}

void am_thermo_momentum(const AmAtoms *atoms, double p[3])
{
  p[0] = p[1] = p[2] = 0.0;
  for (size_t i = 0; i < atoms->n; i++) {
    const double m = atoms->mass[atoms->type[i]];
    for (int k = 0; k < 3; k++)
      p[k] += m * atoms->v[3 * i + k];
  }
}

void am_thermo_zero_momentum(AmAtoms *atoms)
{
  double p[3] = {0}, mtot = 0.0;
  for (size_t i = 0; i < atoms->n; i++) {
    if (atoms->pinned[i])
      continue;
    const double m = atoms->mass[atoms->type[i]];
    mtot += m;
    for (int k = 0; k < 3; k++)
      p[k] += m * atoms->v[3 * i + k];
  }
  if (mtot <= 0.0)
    return;
  for (size_t i = 0; i < atoms->n; i++) {
    if (atoms->pinned[i])
      continue;
    for (int k = 0; k < 3; k++)
      atoms->v[3 * i + k] -= p[k] / mtot;
  }
}

AmStatus am_thermo_create_velocities(AmAtoms *atoms, double t, uint64_t seed, uint64_t stream,
                                     AmError *err)
{
  if (!isfinite(t) || t < 0.0)
    return am_error_set(err, AM_ERR_INVALID, "velocity creation: temperature %g K must be finite and ≥ 0", t);
  for (int ty = 0; ty < atoms->ntypes; ty++)
    if (!(atoms->mass[ty] > 0.0))
      return am_error_set(err, AM_ERR_INVALID, "velocity creation: mass of type %d is %g; it must be positive",
                          ty + 1, atoms->mass[ty]);
  if (atoms->n)
    memset(atoms->v, 0, sizeof(double) * 3 * atoms->n);
  if (t == 0.0)
    return AM_OK;
  if (am_thermo_dof(atoms) <= 0.0)
    return am_error_set(err, AM_ERR_INVALID,
                        "velocity creation: %zu unpinned atoms leave no degree of freedom for T = %g K",
                        am_thermo_count_unpinned(atoms), t);
  /* One stream for the whole system, drawn in atom order: the result depends on the order
   * of atoms, not on threads. Pinned atoms draw nothing, so pinning changes the others'
   * velocities (a different experiment anyway). */
  AmRng rng;
  am_rng_init(&rng, seed, stream);
  for (size_t i = 0; i < atoms->n; i++) {
    if (atoms->pinned[i])
      continue;
    const double s = 1.0 / sqrt(atoms->mass[atoms->type[i]]);
    for (int k = 0; k < 3; k++)
      atoms->v[3 * i + k] = s * am_rng_normal(&rng);
  }
  am_thermo_zero_momentum(atoms);
  const double t_now = am_thermo_temperature(atoms);
  if (!(t_now > 0.0) || !isfinite(t_now))
    return am_error_set(err, AM_ERR_NUMERIC, "velocity creation: drawn velocities have temperature %g K", t_now);
  const double scale = sqrt(t / t_now);
  for (size_t i = 0; i < 3 * atoms->n; i++)
    atoms->v[i] *= scale;
  return AM_OK;
}
