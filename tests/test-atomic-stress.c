/* test-atomic-stress.c: per-atom stresses of a homogeneously strained fcc crystal equal
 * the global stress; on a disordered, moving configuration they still partition it
 * (Σ V_i σ_i = V σ); von Mises on closed-form cases; refusals. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "analysis/atomic_stress.h"
#include "analysis/voronoi.h"
#include "sim/eam.h"
#include "sim/rng.h"
#include "sim/thermo.h"
#include "sim/units.h"

static AmEam *potential;

/* fcc Cu, nc³ cells, lattice constant a, deformed by the upper-triangular H = (1 + ε)
 * applied to the cubic cell: box edges and every atom move affinely. */
static void make_fcc(AmSystem *sys, double a, int nc, double exx, double eyy, double ezz, double gxy, double gxz,
                     double gyz)
{
  static const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
  AmError err = {0};
  am_system_init(sys, potential, 0.5);
  const double L = nc * a;
  const double lo[3] = {0, 0, 0};
  const double hi[3] = {L * (1 + exx), L * (1 + eyy), L * (1 + ezz)};
  am_box_set(&sys->box, lo, hi, gxy * L, gxz * L, gyz * L);
  AmAtoms *atoms = &sys->atoms;
  g_assert_cmpint(am_atoms_resize(atoms, 4 * (size_t) nc * nc * nc, &err), ==, AM_OK);
  atoms->ntypes = 1;
  atoms->mass[0] = 63.546;
  strcpy(atoms->type_label[0], "Cu");
  size_t i = 0;
  for (int ix = 0; ix < nc; ix++)
    for (int iy = 0; iy < nc; iy++)
      for (int iz = 0; iz < nc; iz++)
        for (int b = 0; b < 4; b++, i++) {
          const double s[3] = {(ix + basis[b][0]) / nc, (iy + basis[b][1]) / nc, (iz + basis[b][2]) / nc};
          am_box_from_frac(&sys->box, s, atoms->x + 3 * i);
          atoms->id[i] = (int64_t) i + 1;
          atoms->type[i] = 0;
        }
  g_assert_cmpint(am_system_bind_types(sys, NULL, &err), ==, AM_OK);
  sys->compute_flags = AM_COMPUTE_PER_ATOM_ENERGY | AM_COMPUTE_PER_ATOM_VIRIAL;
}

static void global_stress_gpa(const AmSystem *sys, double s[6])
{
  am_thermo_stress(sys, s);
  for (int k = 0; k < 6; k++)
    s[k] /= AM_BAR_PER_GPA;
}

static void test_homogeneous(void)
{
  AmSystem sys;
  AmError err = {0};
  make_fcc(&sys, 3.615, 3, 0.01, -0.005, 0.02, 0.03, -0.01, 0.015);
  g_assert_cmpint(am_system_compute_forces(&sys, &err), ==, AM_OK);
  AmVoronoi vor = {0};
  g_assert_cmpint(am_voronoi_compute(&vor, &sys.box, &sys.atoms, -1.0, &err), ==, AM_OK);
  AmAtomicStress as = {0};
  g_assert_cmpint(am_atomic_stress_compute(&sys, vor.volume, true, &as, &err), ==, AM_OK);
  double s[6];
  global_stress_gpa(&sys, s);
  const double scale = am_von_mises(s);
  g_assert_cmpfloat(scale, >, 1.0); /* a real deformation, several GPa */
  g_test_message("strained fcc: σ = (%.4f %.4f %.4f %.4f %.4f %.4f) GPa, von Mises %.4f GPa", s[0], s[1], s[2],
                 s[3], s[4], s[5], scale);
  double worst = 0.0;
  for (size_t i = 0; i < as.n; i++) {
    for (int k = 0; k < 6; k++)
      worst = fmax(worst, fabs(as.stress[6 * i + k] - s[k]));
    g_assert_cmpfloat_with_epsilon(as.energy[i], sys.pe / (double) sys.atoms.n, 1e-9);
    g_assert_cmpfloat(fabs(as.von_mises[i] - scale), <, 1e-8 * scale);
  }
  g_test_message("largest |σ_i − σ| = %.2e GPa", worst);
  g_assert_cmpfloat(worst, <, 1e-8 * scale);
  am_atomic_stress_free(&as);
  am_voronoi_free(&vor);
  am_system_free(&sys);
}

static void test_partition(void)
{
  AmSystem sys;
  AmError err = {0};
  make_fcc(&sys, 3.615, 3, 0.0, 0.0, 0.0, 0.05, 0.0, 0.0);
  AmRng rng;
  am_rng_init(&rng, 77, 0);
  for (size_t i = 0; i < 3 * sys.atoms.n; i++)
    sys.atoms.x[i] += 0.15 * am_rng_normal(&rng);
  g_assert_cmpint(am_thermo_create_velocities(&sys.atoms, 600.0, 5, 0, &err), ==, AM_OK);
  g_assert_cmpint(am_system_compute_forces(&sys, &err), ==, AM_OK);
  AmVoronoi vor = {0};
  g_assert_cmpint(am_voronoi_compute(&vor, &sys.box, &sys.atoms, -1.0, &err), ==, AM_OK);
  AmAtomicStress as = {0};
  g_assert_cmpint(am_atomic_stress_compute(&sys, vor.volume, true, &as, &err), ==, AM_OK);
  double s[6], sum[6] = {0};
  global_stress_gpa(&sys, s);
  double spread = 0.0;
  for (size_t i = 0; i < as.n; i++)
    for (int k = 0; k < 6; k++) {
      sum[k] += vor.volume[i] * as.stress[6 * i + k];
      spread = fmax(spread, fabs(as.stress[6 * i + k] - s[k]));
    }
  const double v = am_box_volume(&sys.box);
  for (int k = 0; k < 6; k++)
    g_assert_cmpfloat(fabs(sum[k] / v - s[k]), <, 1e-10 * (1.0 + fabs(s[k])));
  double esum = 0.0;
  for (size_t i = 0; i < as.n; i++)
    esum += as.energy[i];
  g_assert_cmpfloat_with_epsilon(esum, sys.pe, 1e-9 * fabs(sys.pe));
  /* Disorder makes atoms differ: the partition is not a trivial copy. */
  g_test_message("perturbed fcc at 600 K: largest |σ_i − σ| = %.3f GPa", spread);
  g_assert_cmpfloat(spread, >, 0.5);
  /* Without the kinetic term the sum is the virial part alone. */
  AmAtomicStress pot = {0};
  g_assert_cmpint(am_atomic_stress_compute(&sys, vor.volume, false, &pot, &err), ==, AM_OK);
  double mvv[6];
  am_thermo_kinetic_tensor(&sys.atoms, mvv);
  for (int k = 0; k < 6; k++) {
    double sp = 0.0;
    for (size_t i = 0; i < pot.n; i++)
      sp += vor.volume[i] * pot.stress[6 * i + k];
    const double kin = -mvv[k] * AM_NKTV2P / AM_BAR_PER_GPA;
    g_assert_cmpfloat(fabs(sum[k] - sp - kin), <, 1e-9 * (1.0 + fabs(kin)));
  }
  am_atomic_stress_free(&pot);
  am_atomic_stress_free(&as);
  am_voronoi_free(&vor);
  am_system_free(&sys);
}

static void test_von_mises(void)
{
  const double shear[6] = {0, 0, 0, 2.0, 0, 0};
  g_assert_cmpfloat_with_epsilon(am_von_mises(shear), 2.0 * sqrt(3.0), 1e-15);
  const double uni[6] = {-3.0, 0, 0, 0, 0, 0};
  g_assert_cmpfloat_with_epsilon(am_von_mises(uni), 3.0, 1e-15);
  const double hydro[6] = {5.0, 5.0, 5.0, 0, 0, 0};
  g_assert_cmpfloat_with_epsilon(am_von_mises(hydro), 0.0, 1e-15);
}

static void test_refusals(void)
{
  AmSystem sys;
  AmError err = {0};
  make_fcc(&sys, 3.615, 3, 0, 0, 0, 0, 0, 0);
  sys.compute_flags = 0;
  g_assert_cmpint(am_system_compute_forces(&sys, &err), ==, AM_OK);
  double *vol = g_new(double, sys.atoms.n);
  for (size_t i = 0; i < sys.atoms.n; i++)
    vol[i] = 11.8;
  AmAtomicStress as = {0};
  g_assert_cmpint(am_atomic_stress_compute(&sys, vol, true, &as, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "per-atom"));
  sys.compute_flags = AM_COMPUTE_PER_ATOM_ENERGY | AM_COMPUTE_PER_ATOM_VIRIAL;
  g_assert_cmpint(am_system_compute_forces(&sys, &err), ==, AM_OK);
  vol[5] = 0.0;
  g_assert_cmpint(am_atomic_stress_compute(&sys, vol, true, &as, &err), ==, AM_ERR_INVALID);
  g_assert_null(as.stress);
  g_free(vol);
  am_system_free(&sys);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  const char *src = g_getenv("AMORPH_SOURCE_DIR");
  g_assert_nonnull(src);
  char *path = g_build_filename(src, "data", "potentials", "CuZr_mm.eam.fs", NULL);
  AmError err = {0};
  if (am_eam_load(path, AM_EAM_FS, &potential, &err) != AM_OK)
    g_error("%s", err.message);
  g_free(path);
  g_test_add_func("/analysis/atomic-stress/homogeneous", test_homogeneous);
  g_test_add_func("/analysis/atomic-stress/partition", test_partition);
  g_test_add_func("/analysis/atomic-stress/von-mises", test_von_mises);
  g_test_add_func("/analysis/atomic-stress/refusals", test_refusals);
  const int rc = g_test_run();
  am_eam_free(potential);
  return rc;
}
