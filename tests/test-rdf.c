/* test-rdf.c: partial g(r) on perfect lattices (peak positions and shell counts known
 * exactly) and on uncorrelated random points (g ≈ 1). */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "analysis/rdf.h"
#include "sim/rng.h"

/* A cubic lattice of nc³ conventional cells with the given basis (fractions of a). */
static void make_lattice(AmBox *box, AmAtoms *atoms, double a, int nc, const double (*basis)[3], int nbasis,
                         double tilt_xy)
{
  AmError err = {0};
  const double lo[3] = {-1.0, 2.0, 0.5};
  const double hi[3] = {lo[0] + nc * a, lo[1] + nc * a, lo[2] + nc * a};
  am_box_set(box, lo, hi, tilt_xy, 0.0, 0.0);
  g_assert_cmpint(am_atoms_resize(atoms, (size_t) nc * nc * nc * nbasis, &err), ==, AM_OK);
  atoms->ntypes = 2;
  atoms->mass[0] = 63.546;
  atoms->mass[1] = 91.224;
  size_t i = 0;
  for (int ix = 0; ix < nc; ix++)
    for (int iy = 0; iy < nc; iy++)
      for (int iz = 0; iz < nc; iz++)
        for (int b = 0; b < nbasis; b++, i++) {
          double r[3] = {lo[0] + (ix + basis[b][0]) * a, lo[1] + (iy + basis[b][1]) * a,
                         lo[2] + (iz + basis[b][2]) * a};
          int32_t img[3] = {0, 0, 0};
          am_box_wrap(box, r, img);
          memcpy(atoms->x + 3 * i, r, sizeof r);
          atoms->id[i] = (int64_t) i + 1;
          atoms->type[i] = (int32_t) (i % 2);
        }
}

static const double fcc_basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
static const double bcc_basis[2][3] = {{0, 0, 0}, {0.5, 0.5, 0.5}};

static double total_cn(const AmRdf *rdf, double radius)
{
  /* Around any atom: sum over neighbour types, averaged over centre types by count. */
  double cn = 0.0, n = 0.0;
  AmError err = {0};
  for (int a = 0; a < rdf->ntypes; a++) {
    double ca = 0.0;
    for (int b = 0; b < rdf->ntypes; b++) {
      double c;
      g_assert_cmpint(am_rdf_coordination(rdf, a, b, radius, &c, &err), ==, AM_OK);
      ca += c;
    }
    cn += ca * (double) rdf->count[a];
    n += (double) rdf->count[a];
  }
  return cn / n;
}

static void check_peak(const AmRdf *rdf, double expect)
{
  double *tot = g_new(double, rdf->nbins);
  am_rdf_total(rdf, tot);
  double xp, yp;
  AmError err = {0};
  g_assert_cmpint(am_rdf_first_peak(tot, rdf->nbins, 0.5 * rdf->dr, rdf->dr, 1.0, 3, &xp, &yp, &err), ==, AM_OK);
  g_assert_cmpfloat(fabs(xp - expect), <=, 0.5 * rdf->dr + 1e-12);
  g_free(tot);
}

static void test_fcc(void)
{
  const double a = 3.615;
  for (int tilted = 0; tilted < 2; tilted++) {
    AmBox box;
    AmAtoms atoms = {0};
    /* A tilt of one lattice constant maps the lattice onto itself. */
    make_lattice(&box, &atoms, a, 5, fcc_basis, 4, tilted ? a : 0.0);
    AmRdf rdf;
    AmError err = {0};
    g_assert_cmpint(am_rdf_compute(&rdf, &box, &atoms, 0.0, 0.0, &err), ==, AM_OK);
    g_assert_cmpfloat(rdf.dr, ==, AM_RDF_DEFAULT_BIN);
    double h[3];
    am_box_heights(&box, h);
    g_assert_cmpfloat(rdf.rmax, <=, 0.5 * fmin(h[0], fmin(h[1], h[2])));
    check_peak(&rdf, a / sqrt(2.0));
    g_assert_cmpfloat_with_epsilon(total_cn(&rdf, 0.5 * (a / sqrt(2.0) + a)), 12.0, 1e-12);
    g_assert_cmpfloat_with_epsilon(total_cn(&rdf, 0.5 * (a + a * sqrt(1.5))), 18.0, 1e-12);
    /* Types alternate along the atom list, so Cu–Zr and Zr–Cu counts agree. */
    double c01, c10;
    g_assert_cmpint(am_rdf_coordination(&rdf, 0, 1, 3.0, &c01, &err), ==, AM_OK);
    g_assert_cmpint(am_rdf_coordination(&rdf, 1, 0, 3.0, &c10, &err), ==, AM_OK);
    g_assert_cmpfloat_with_epsilon(c01, c10, 1e-12);
    /* Nothing inside the first shell. */
    const double *g01 = am_rdf_partial(&rdf, 0, 1);
    for (size_t k = 0; am_rdf_r(&rdf, k) < 2.4; k++)
      g_assert_cmpfloat(g01[k], ==, 0.0);
    am_rdf_free(&rdf);
    am_atoms_free(&atoms);
  }
}

static void test_bcc(void)
{
  const double a = 3.3;
  AmBox box;
  AmAtoms atoms = {0};
  make_lattice(&box, &atoms, a, 6, bcc_basis, 2, 0.0);
  AmRdf rdf;
  AmError err = {0};
  g_assert_cmpint(am_rdf_compute(&rdf, &box, &atoms, 0.01, 0.0, &err), ==, AM_OK);
  check_peak(&rdf, a * sqrt(3.0) / 2.0);
  const double r1 = a * sqrt(3.0) / 2.0, r2 = a, r3 = a * sqrt(2.0);
  g_assert_cmpfloat_with_epsilon(total_cn(&rdf, 0.5 * (r1 + r2)), 8.0, 1e-12);
  g_assert_cmpfloat_with_epsilon(total_cn(&rdf, 0.5 * (r2 + r3)), 14.0, 1e-12);
  /* The second shell alone, from the curve: the peak after the first. */
  double *tot = g_new(double, rdf.nbins);
  am_rdf_total(&rdf, tot);
  size_t skip = (size_t) (0.5 * (r1 + r2) / rdf.dr);
  double xp, yp;
  g_assert_cmpint(am_rdf_first_peak(tot + skip, rdf.nbins - skip, am_rdf_r(&rdf, skip), rdf.dr, 1.0, 3, &xp, &yp,
                                    &err), ==, AM_OK);
  g_assert_cmpfloat(fabs(xp - a), <=, 0.5 * rdf.dr + 1e-12);
  /* A crystal's shells stay sharp at any distance: the largest deviation beyond 6 Å is the
   * tallest of its shell bins there, far above a glass's few tenths. */
  double dev = 0.0, tallest = 0.0;
  g_assert_cmpint(am_rdf_max_deviation(&rdf, 6.0, rdf.rmax, &dev, &err), ==, AM_OK);
  for (size_t k = 0; k < rdf.nbins; k++)
    if (am_rdf_r(&rdf, k) >= 6.0)
      tallest = fmax(tallest, tot[k] - 1.0);
  g_assert_cmpfloat(dev, ==, tallest);
  g_assert_cmpfloat(dev, >, 10.0);
  /* An empty or outside range is refused. */
  g_assert_cmpint(am_rdf_max_deviation(&rdf, 6.0, 5.0, &dev, &err), ==, AM_ERR_INVALID);
  g_assert_cmpint(am_rdf_max_deviation(&rdf, 6.0, rdf.rmax + 1.0, &dev, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "is not inside"));
  g_free(tot);
  am_rdf_free(&rdf);
  am_atoms_free(&atoms);
}

static void test_ideal_gas(void)
{
  AmBox box;
  AmAtoms atoms = {0};
  AmError err = {0};
  const double lo[3] = {0, 0, 0}, hi[3] = {24.0, 22.0, 26.0};
  am_box_set(&box, lo, hi, 5.0, -3.0, 4.0);
  const size_t n = 3000;
  g_assert_cmpint(am_atoms_resize(&atoms, n, &err), ==, AM_OK);
  atoms.ntypes = 2;
  AmRng rng;
  am_rng_init(&rng, 12345, 0);
  for (size_t i = 0; i < n; i++) {
    double s[3] = {am_rng_uniform(&rng), am_rng_uniform(&rng), am_rng_uniform(&rng)};
    am_box_from_frac(&box, s, atoms.x + 3 * i);
    atoms.type[i] = i < n / 3 ? 1 : 0;
    atoms.id[i] = (int64_t) i + 1;
  }
  AmRdf rdf;
  g_assert_cmpint(am_rdf_compute(&rdf, &box, &atoms, 0.1, 0.0, &err), ==, AM_OK);
  /* Mean of g over 3 Å … rmax: each partial's total pair count there is in the
   * thousands, so the mean is within a few per cent of 1. */
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++) {
      const double *g = am_rdf_partial(&rdf, a, b);
      double sum = 0.0, w = 0.0;
      for (size_t k = 0; k < rdf.nbins; k++) {
        const double r = am_rdf_r(&rdf, k);
        if (r < 3.0)
          continue;
        sum += g[k] * r * r;
        w += r * r;
      }
      g_test_message("ideal gas: <g_%d%d> = %.4f", a, b, sum / w);
      g_assert_cmpfloat(fabs(sum / w - 1.0), <, 0.03);
      double cn;
      const double rr = rdf.rmax;
      g_assert_cmpint(am_rdf_coordination(&rdf, a, b, rr, &cn, &err), ==, AM_OK);
      const double expect = (double) (rdf.count[b] - (a == b)) / am_box_volume(&box) * 4.0 / 3.0 * M_PI * rr * rr * rr;
      g_assert_cmpfloat(fabs(cn / expect - 1.0), <, 0.03);
    }
  /* No order at any distance: beyond 6 Å every 0.1 Å bin of the total g holds ~3·10⁴
   * pair counts, so |g − 1| stays at the per-cent level of counting noise. */
  double dev = 0.0;
  g_assert_cmpint(am_rdf_max_deviation(&rdf, 6.0, rdf.rmax, &dev, &err), ==, AM_OK);
  g_test_message("ideal gas: max |g − 1| over 6–%.1f Å = %.4f", rdf.rmax, dev);
  g_assert_cmpfloat(dev, <, 0.05);
  am_rdf_free(&rdf);
  am_atoms_free(&atoms);
}

static void test_peak_refinement(void)
{
  /* A sampled parabola-shaped bump: the vertex is recovered exactly. */
  double y[40];
  const double x0 = 1.0, dx = 0.05, xc = 1.7331;
  for (int k = 0; k < 40; k++) {
    const double x = x0 + k * dx;
    y[k] = 3.0 - 40.0 * (x - xc) * (x - xc);
  }
  double xp, yp;
  AmError err = {0};
  g_assert_cmpint(am_rdf_first_peak(y, 40, x0, dx, 1.0, 2, &xp, &yp, &err), ==, AM_OK);
  g_assert_cmpfloat_with_epsilon(xp, xc, 1e-12);
  g_assert_cmpfloat_with_epsilon(yp, 3.0, 1e-12);
}

static void test_bad_input(void)
{
  AmBox box;
  AmAtoms atoms = {0};
  make_lattice(&box, &atoms, 3.615, 3, fcc_basis, 4, 0.0);
  AmRdf rdf;
  AmError err = {0};
  /* 3 cells of 3.615 Å: half height 5.42 Å, so 8 Å is refused. */
  g_assert_cmpint(am_rdf_compute(&rdf, &box, &atoms, 0.02, 8.0, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "half the shortest box height"));
  atoms.x[4] = NAN;
  g_assert_cmpint(am_rdf_compute(&rdf, &box, &atoms, 0.02, 0.0, &err), ==, AM_ERR_NUMERIC);
  atoms.x[4] = 0.0;
  atoms.type[3] = 7;
  g_assert_cmpint(am_rdf_compute(&rdf, &box, &atoms, 0.02, 0.0, &err), ==, AM_ERR_INVALID);
  am_atoms_free(&atoms);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/analysis/rdf/fcc", test_fcc);
  g_test_add_func("/analysis/rdf/bcc", test_bcc);
  g_test_add_func("/analysis/rdf/ideal-gas", test_ideal_gas);
  g_test_add_func("/analysis/rdf/peak-refinement", test_peak_refinement);
  g_test_add_func("/analysis/rdf/bad-input", test_bad_input);
  return g_test_run();
}
