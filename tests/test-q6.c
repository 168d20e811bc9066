/* test-q6.c: spherical harmonics against closed forms and orthonormality; q6 and the
 * Lechner–Dellago q̄6 on structures with known values (fcc 0.5745, bcc with its 14
 * Voronoi neighbours 0.5107, icosahedron 0.6633), rotation invariance, and the
 * averaging on a case where it must cancel. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "analysis/q6.h"
#include "analysis/voronoi.h"
#include "sim/rng.h"

static void make_lattice(AmBox *box, AmAtoms *atoms, double a, int nc, const double (*basis)[3], int nbasis)
{
  AmError err = {0};
  const double lo[3] = {0.3, -2.0, 1.0};
  const double hi[3] = {lo[0] + nc * a, lo[1] + nc * a, lo[2] + nc * a};
  am_box_set(box, lo, hi, 0.0, 0.0, 0.0);
  g_assert_cmpint(am_atoms_resize(atoms, (size_t) nc * nc * nc * nbasis, &err), ==, AM_OK);
  atoms->ntypes = 1;
  atoms->mass[0] = 63.546;
  size_t i = 0;
  for (int ix = 0; ix < nc; ix++)
    for (int iy = 0; iy < nc; iy++)
      for (int iz = 0; iz < nc; iz++)
        for (int b = 0; b < nbasis; b++, i++) {
          atoms->x[3 * i] = lo[0] + (ix + basis[b][0]) * a;
          atoms->x[3 * i + 1] = lo[1] + (iy + basis[b][1]) * a;
          atoms->x[3 * i + 2] = lo[2] + (iz + basis[b][2]) * a;
          atoms->id[i] = (int64_t) i + 1;
          atoms->type[i] = 0;
        }
}

static const double fcc_basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
static const double bcc_basis[2][3] = {{0, 0, 0}, {0.5, 0.5, 0.5}};

static void test_ylm(void)
{
  double re, im;
  const double z[3] = {0, 0, 2.5}, x[3] = {1.5, 0, 0};
  am_ylm(6, 0, z, &re, &im);
  g_assert_cmpfloat_with_epsilon(re, sqrt(13.0 / (4.0 * M_PI)), 1e-14);
  g_assert_cmpfloat_with_epsilon(im, 0.0, 1e-15);
  /* Y_66(θ, φ) = (1/64) √(3003/π) sin⁶θ e^{6iφ}. */
  am_ylm(6, 6, x, &re, &im);
  g_assert_cmpfloat_with_epsilon(re, sqrt(3003.0 / M_PI) / 64.0, 1e-14);
  /* Y_21 = −½ √(15/2π) sinθ cosθ e^{iφ} at θ = 60°, φ = 30°. */
  const double th = M_PI / 3, ph = M_PI / 6;
  const double u[3] = {sin(th) * cos(ph), sin(th) * sin(ph), cos(th)};
  am_ylm(2, 1, u, &re, &im);
  const double amp = -0.5 * sqrt(15.0 / (2.0 * M_PI)) * sin(th) * cos(th);
  g_assert_cmpfloat_with_epsilon(re, amp * cos(ph), 1e-14);
  g_assert_cmpfloat_with_epsilon(im, amp * sin(ph), 1e-14);
  am_ylm(2, -1, u, &re, &im);
  g_assert_cmpfloat_with_epsilon(re, -amp * cos(ph), 1e-14);
  g_assert_cmpfloat_with_epsilon(im, amp * sin(ph), 1e-14);
  /* Addition theorem: Σ_m |Y_lm|² = (2l+1)/4π in every direction, for every l. */
  AmRng rng;
  am_rng_init(&rng, 1, 0);
  for (int t = 0; t < 50; t++) {
    const double v[3] = {am_rng_normal(&rng), am_rng_normal(&rng), am_rng_normal(&rng)};
    for (int l = 0; l <= AM_Q_MAX_L; l++) {
      double sum = 0.0;
      for (int m = -l; m <= l; m++) {
        am_ylm(l, m, v, &re, &im);
        sum += re * re + im * im;
      }
      g_assert_cmpfloat(fabs(sum - (2 * l + 1) / (4.0 * M_PI)), <, 1e-12);
    }
  }
  /* Orthonormality of the l = 6 family, by midpoint quadrature in cos θ (error ~1e-5)
   * and an exact trapezoid in φ. */
  const int nx = 3000, nphi = 32;
  for (int m1 = 0; m1 <= 6; m1 += 2)
    for (int l2 = 4; l2 <= 6; l2++)
      for (int m2 = m1 - 1; m2 <= m1; m2++) {
        if (abs(m2) > l2)
          continue;
        double sr = 0.0, si = 0.0;
        for (int a = 0; a < nx; a++) {
          const double cz = -1.0 + (a + 0.5) * 2.0 / nx, sz = sqrt(1.0 - cz * cz);
          for (int b = 0; b < nphi; b++) {
            const double p = 2.0 * M_PI * b / nphi;
            const double w[3] = {sz * cos(p), sz * sin(p), cz};
            double r1, i1, r2, i2;
            am_ylm(6, m1, w, &r1, &i1);
            am_ylm(l2, m2, w, &r2, &i2);
            sr += (r1 * r2 + i1 * i2) * (2.0 / nx) * (2.0 * M_PI / nphi);
            si += (i1 * r2 - r1 * i2) * (2.0 / nx) * (2.0 * M_PI / nphi);
          }
        }
        const double expect = (l2 == 6 && m1 == m2) ? 1.0 : 0.0;
        g_assert_cmpfloat(fabs(sr - expect), <, 5e-5);
        g_assert_cmpfloat(fabs(si), <, 1e-5);
      }
}

static void lattice_q6(const double (*basis)[3], int nbasis, double a, size_t faces, double expect, double tol)
{
  AmBox box;
  AmAtoms atoms = {0};
  make_lattice(&box, &atoms, a, 4, basis, nbasis);
  AmVoronoi vor = {0};
  AmError err = {0};
  g_assert_cmpint(am_voronoi_compute(&vor, &box, &atoms, -1.0, &err), ==, AM_OK);
  double *q = g_new(double, atoms.n), *qa = g_new(double, atoms.n), *qw = g_new(double, atoms.n);
  g_assert_cmpint(am_bond_order_voronoi(&vor, 6, false, q, qa, &err), ==, AM_OK);
  g_assert_cmpint(am_bond_order_voronoi(&vor, 6, true, NULL, qw, &err), ==, AM_OK);
  for (size_t i = 0; i < atoms.n; i++) {
    g_assert_cmpuint(am_voronoi_face_count(&vor, i), ==, faces);
    g_assert_cmpfloat(fabs(q[i] - expect), <, tol);
    /* Every atom of a Bravais or B2-site lattice sees the same q_6m, so averaging
     * changes nothing. */
    g_assert_cmpfloat(fabs(qa[i] - q[i]), <, 1e-12);
  }
  g_test_message("%zu Voronoi neighbours: q6 = %.6f, q̄6 = %.6f, face-area weighted q̄6 = %.6f", faces, q[0], qa[0],
                 qw[0]);
  g_free(q);
  g_free(qa);
  g_free(qw);
  am_voronoi_free(&vor);
  am_atoms_free(&atoms);
}

static void test_fcc(void)
{
  /* Steinhardt, Nelson & Ronchetti, PRB 28, 784 (1983): fcc 0.57452. */
  lattice_q6(fcc_basis, 4, 3.615, 12, 0.57452, 5e-6);
}

static void test_bcc(void)
{
  /* 8 + 6 neighbours: 0.51069 (Mickel et al., J. Chem. Phys. 138, 044501 (2013),
   * Table I gives 0.511 for bcc with its 14 Voronoi neighbours; the closed form is
   * q6² = (4π/13) Σ_m |(8 Y_6m(111) + 6 Y_6m(100)) / 14|²). */
  lattice_q6(bcc_basis, 2, 3.3, 14, 0.510688, 5e-6);
}

static void rotate(const double R[3][3], const double v[3], double out[3])
{
  for (int a = 0; a < 3; a++)
    out[a] = R[a][0] * v[0] + R[a][1] * v[1] + R[a][2] * v[2];
}

static void test_icosahedron(void)
{
  /* Centre 0 and its 12 vertices (0, ±1, ±φ) and cyclic permutations. */
  const double g = 0.5 * (1.0 + sqrt(5.0));
  double verts[12][3];
  int k = 0;
  for (int s1 = -1; s1 <= 1; s1 += 2)
    for (int s2 = -1; s2 <= 1; s2 += 2) {
      const double v[3] = {0.0, s1 * 1.0, s2 * g};
      for (int c = 0; c < 3; c++, k++)
        for (int d = 0; d < 3; d++)
          verts[k][d] = v[(d + 3 - c) % 3];
    }
  /* Rotate by an arbitrary rotation: q6 must not care. */
  const double al = 0.3, be = 1.1, ga = -0.7;
  const double Rz1[3][3] = {{cos(al), -sin(al), 0}, {sin(al), cos(al), 0}, {0, 0, 1}};
  const double Ry[3][3] = {{cos(be), 0, sin(be)}, {0, 1, 0}, {-sin(be), 0, cos(be)}};
  const double Rz2[3][3] = {{cos(ga), -sin(ga), 0}, {sin(ga), cos(ga), 0}, {0, 0, 1}};
  for (int rot = 0; rot < 2; rot++) {
    size_t start[2] = {0, 12}, index[12];
    double bond[36];
    for (int i = 0; i < 12; i++) {
      index[i] = 0;
      double t1[3], t2[3];
      if (rot) {
        rotate(Rz1, verts[i], t1);
        rotate(Ry, t1, t2);
        rotate(Rz2, t2, bond + 3 * i);
      } else
        memcpy(bond + 3 * i, verts[i], sizeof verts[i]);
    }
    const AmBondList b = {.n = 1, .start = start, .index = index, .bond = bond, .weight = NULL};
    double q;
    AmError err = {0};
    g_assert_cmpint(am_bond_order(&b, 6, &q, NULL, &err), ==, AM_OK);
    g_test_message("icosahedron (rotated %d): q6 = %.6f", rot, q);
    g_assert_cmpfloat(fabs(q - 0.663325), <, 1e-6);
    /* And q4 = 0 (no l = 4 invariant survives icosahedral symmetry). */
    g_assert_cmpint(am_bond_order(&b, 4, &q, NULL, &err), ==, AM_OK);
    g_assert_cmpfloat(fabs(q), <, 1e-12);
  }
}

/* Two atoms bonded to each other along ±z: each alone has q_l = 1. Averaged, odd l
 * cancel (Y_lm(−z) = (−1)^l Y_lm(z)) and even l survive: an exact test of the
 * Lechner–Dellago sum and its neighbour indexing. */
static void test_averaging(void)
{
  const size_t start[3] = {0, 1, 2}, index[2] = {1, 0};
  const double bond[6] = {0, 0, 1.3, 0, 0, -1.3};
  const AmBondList b = {.n = 2, .start = start, .index = index, .bond = bond, .weight = NULL};
  double q[2], qa[2];
  AmError err = {0};
  for (int l = 1; l <= 8; l++) {
    g_assert_cmpint(am_bond_order(&b, l, q, qa, &err), ==, AM_OK);
    g_assert_cmpfloat_with_epsilon(q[0], 1.0, 1e-12);
    g_assert_cmpfloat_with_epsilon(q[1], 1.0, 1e-12);
    g_assert_cmpfloat_with_epsilon(qa[0], l % 2 ? 0.0 : 1.0, 1e-12);
  }
  /* Weights: a bond of weight 0 does not count. */
  const size_t start3[2] = {0, 2}, index3[2] = {0, 0};
  const double bond3[6] = {0, 0, 1, 1, 0, 0}, w[2] = {1.0, 0.0};
  const AmBondList bw = {.n = 1, .start = start3, .index = index3, .bond = bond3, .weight = w};
  g_assert_cmpint(am_bond_order(&bw, 6, q, NULL, &err), ==, AM_OK);
  g_assert_cmpfloat_with_epsilon(q[0], 1.0, 1e-12);
  /* Bad input. */
  g_assert_cmpint(am_bond_order(&b, 17, q, qa, &err), ==, AM_ERR_INVALID);
  const size_t empty[3] = {0, 0, 1};
  const AmBondList be = {.n = 2, .start = empty, .index = index, .bond = bond, .weight = NULL};
  g_assert_cmpint(am_bond_order(&be, 6, q, qa, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "no neighbours"));
  const double zero[6] = {0, 0, 0, 0, 0, 1};
  const AmBondList bz = {.n = 2, .start = start, .index = index, .bond = zero, .weight = NULL};
  g_assert_cmpint(am_bond_order(&bz, 6, q, qa, &err), ==, AM_ERR_INVALID);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/analysis/q6/ylm", test_ylm);
  g_test_add_func("/analysis/q6/fcc", test_fcc);
  g_test_add_func("/analysis/q6/bcc", test_bcc);
  g_test_add_func("/analysis/q6/icosahedron", test_icosahedron);
  g_test_add_func("/analysis/q6/averaging", test_averaging);
  return g_test_run();
}
