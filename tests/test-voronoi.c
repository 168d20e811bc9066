/* test-voronoi.c: periodic Voronoi cells against geometry that is known exactly (volumes
 * tile the box; perfect fcc and bcc cells), against LAMMPS `compute voronoi/atom`
 * (tests/data/voronoi, made by make-golden.sh, also on the shipped 4000-atom glass), over a
 * range of box sizes (a voro++ 0.4.6 defect), and the LCA vector's response to a
 * displaced atom. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "analysis/voronoi.h"
#include "sim/data_file.h"
#include "sim/rng.h"

static void make_lattice(AmBox *box, AmAtoms *atoms, double a, int nc, const double (*basis)[3], int nbasis,
                         double tilt_xy)
{
  AmError err = {0};
  const double lo[3] = {-1.0, 2.0, 0.5};
  const double hi[3] = {lo[0] + nc * a, lo[1] + nc * a, lo[2] + nc * a};
  am_box_set(box, lo, hi, tilt_xy, 0.0, 0.0);
  g_assert_cmpint(am_atoms_resize(atoms, (size_t) nc * nc * nc * nbasis, &err), ==, AM_OK);
  atoms->ntypes = 1;
  atoms->mass[0] = 63.546;
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
          atoms->type[i] = 0;
        }
}

static const double fcc_basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
static const double bcc_basis[2][3] = {{0, 0, 0}, {0.5, 0.5, 0.5}};

/* Every face is seen from both sides: same area, opposite bond, and the bond joins
 * the two atoms up to a lattice vector. */
static void check_faces(const AmVoronoi *vor, const AmBox *box, const AmAtoms *atoms)
{
  for (size_t i = 0; i < vor->n; i++)
    for (size_t f = vor->face_start[i]; f < vor->face_start[i + 1]; f++) {
      const size_t j = vor->neighbor[f];
      g_assert_cmpuint(j, <, vor->n);
      const double *b = vor->bond + 3 * f;
      double d[3], s[3], zero[3] = {0, 0, 0};
      for (int k = 0; k < 3; k++)
        d[k] = atoms->x[3 * i + k] + b[k] - atoms->x[3 * j + k];
      double o[3];
      am_box_to_frac(box, zero, o);
      am_box_to_frac(box, d, s);
      for (int k = 0; k < 3; k++)
        g_assert_cmpfloat(fabs((s[k] - o[k]) - nearbyint(s[k] - o[k])), <, 1e-9);
      gboolean found = FALSE;
      for (size_t g = vor->face_start[j]; g < vor->face_start[j + 1]; g++) {
        const double *c = vor->bond + 3 * g;
        if (vor->neighbor[g] == i && fabs(c[0] + b[0]) < 1e-9 && fabs(c[1] + b[1]) < 1e-9 &&
            fabs(c[2] + b[2]) < 1e-9) {
          g_assert_cmpfloat(fabs(vor->face_area[g] - vor->face_area[f]), <, 1e-9 * (1.0 + vor->face_area[f]));
          found = TRUE;
        }
      }
      g_assert_true(found);
    }
}

static void random_points(AmBox *box, AmAtoms *atoms, size_t n, double tilt, uint64_t seed)
{
  AmError err = {0};
  const double lo[3] = {-3.0, 1.0, 2.0}, hi[3] = {14.0, 17.5, 18.0};
  am_box_set(box, lo, hi, tilt, -0.6 * tilt, 0.4 * tilt);
  g_assert_cmpint(am_atoms_resize(atoms, n, &err), ==, AM_OK);
  atoms->ntypes = 1;
  atoms->mass[0] = 1.0;
  AmRng rng;
  am_rng_init(&rng, seed, 3);
  for (size_t i = 0; i < n; i++) {
    /* Fractional coordinates slightly outside [0, 1): the module must wrap them. */
    double s[3] = {1.2 * am_rng_uniform(&rng) - 0.1, am_rng_uniform(&rng), am_rng_uniform(&rng)};
    am_box_from_frac(box, s, atoms->x + 3 * i);
    atoms->id[i] = (int64_t) i + 1;
    atoms->type[i] = 0;
  }
}

static void test_volume_sum(void)
{
  const double tilts[] = {0.0, 4.0, -7.5};
  for (unsigned t = 0; t < G_N_ELEMENTS(tilts); t++) {
    AmBox box;
    AmAtoms atoms = {0};
    random_points(&box, &atoms, 500, tilts[t], 7 + t);
    AmVoronoi vor = {0};
    AmError err = {0};
    g_assert_cmpint(am_voronoi_compute(&vor, &box, &atoms, 0.0, &err), ==, AM_OK);
    double sum = 0.0;
    for (size_t i = 0; i < vor.n; i++)
      sum += vor.volume[i];
    g_test_message("tilt %g: ΣV = %.12g, box %.12g", tilts[t], sum, am_box_volume(&box));
    g_assert_cmpfloat(fabs(sum / am_box_volume(&box) - 1.0), <, 1e-10);
    check_faces(&vor, &box, &atoms);
    am_voronoi_free(&vor);
    am_atoms_free(&atoms);
  }
}

/* Monte Carlo: points of the box assigned to their nearest atom (over all images) give
 * each cell's volume independently of voro++, to within sampling noise. */
static void test_monte_carlo(void)
{
  AmBox box;
  AmAtoms atoms = {0};
  random_points(&box, &atoms, 40, 3.0, 99);
  AmVoronoi vor = {0};
  AmError err = {0};
  g_assert_cmpint(am_voronoi_compute(&vor, &box, &atoms, 0.0, &err), ==, AM_OK);
  const size_t samples = 200000;
  size_t *hits = g_new0(size_t, atoms.n);
  double *centroid = g_new0(double, 3 * atoms.n);
  AmRng rng;
  am_rng_init(&rng, 5, 1);
  for (size_t m = 0; m < samples; m++) {
    double s[3] = {am_rng_uniform(&rng), am_rng_uniform(&rng), am_rng_uniform(&rng)}, p[3];
    am_box_from_frac(&box, s, p);
    size_t best = 0;
    double bd = INFINITY, bvec[3] = {0, 0, 0};
    for (size_t i = 0; i < atoms.n; i++) {
      double d[3];
      for (int k = 0; k < 3; k++)
        d[k] = p[k] - atoms.x[3 * i + k];
      am_box_minimum_image(&box, d);
      const double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
      if (r2 < bd) {
        bd = r2;
        best = i;
        memcpy(bvec, d, sizeof d);
      }
    }
    hits[best]++;
    for (int k = 0; k < 3; k++)
      centroid[3 * best + k] += bvec[k];
  }
  const double vbox = am_box_volume(&box);
  double worst = 0.0, worst_theta = 0.0;
  for (size_t i = 0; i < atoms.n; i++) {
    const double p = vor.volume[i] / vbox;
    const double sigma = sqrt(samples * p * (1.0 - p));
    const double z = fabs((double) hits[i] - samples * p) / sigma;
    worst = fmax(worst, z);
    for (int k = 0; k < 3; k++) {
      const double mc = centroid[3 * i + k] / (double) hits[i];
      worst_theta = fmax(worst_theta, fabs(mc - vor.theta[3 * i + k]));
    }
  }
  g_test_message("Monte Carlo: worst volume deviation %.2f σ, worst centroid deviation %.3f Å", worst,
                 worst_theta);
  /* 40 cells: the largest of 40 |z| stays below 4.5 except with probability ~3e-4. */
  g_assert_cmpfloat(worst, <, 4.5);
  /* ~5000 samples per cell of a few Å: the centroid's sampling error is ~0.02 Å. */
  g_assert_cmpfloat(worst_theta, <, 0.12);
  g_free(hits);
  g_free(centroid);
  am_voronoi_free(&vor);
  am_atoms_free(&atoms);
}

/* Volumes and face counts against a LAMMPS `compute voronoi/atom` dump (id, volume, faces). */
static void compare_with_lammps(const char *data, const char *dump, gboolean triclinic)
{
  AmBox box;
  AmAtoms atoms = {0};
  AmError err = {0};
  g_assert_cmpint(am_data_read(data, &box, &atoms, NULL, &err), ==, AM_OK);
  g_assert_cmpint(am_box_is_triclinic(&box), ==, triclinic);
  AmVoronoi vor = {0};
  g_assert_cmpint(am_voronoi_compute(&vor, &box, &atoms, 0.0, &err), ==, AM_OK);
  gchar *text = NULL;
  g_assert_true(g_file_get_contents(dump, &text, NULL, NULL));
  gchar **lines = g_strsplit(text, "\n", -1);
  size_t checked = 0;
  double worst = 0.0;
  gboolean in_atoms = FALSE;
  for (gchar **l = lines; *l; l++) {
    if (g_str_has_prefix(*l, "ITEM: ATOMS")) {
      in_atoms = TRUE;
      continue;
    }
    if (!in_atoms || !**l)
      continue;
    long long id;
    double v, nf;
    g_assert_cmpint(sscanf(*l, "%lld %lf %lf", &id, &v, &nf), ==, 3);
    const long i = am_atoms_find_id(&atoms, id);
    g_assert_cmpint(i, >=, 0);
    worst = fmax(worst, fabs(vor.volume[i] - v) / v);
    g_assert_cmpuint(am_voronoi_face_count(&vor, (size_t) i), ==, (size_t) nf);
    checked++;
  }
  double sum = 0.0;
  for (size_t i = 0; i < vor.n; i++)
    sum += vor.volume[i];
  g_test_message("LAMMPS voronoi/atom: %zu atoms, worst relative volume difference %.2e; ΣV/V_box − 1 = %.1e",
                 checked, worst, sum / am_box_volume(&box) - 1.0);
  g_assert_cmpfloat(fabs(sum / am_box_volume(&box) - 1.0), <, 1e-8);
  g_assert_cmpuint(checked, ==, atoms.n);
  g_assert_cmpfloat(worst, <, 1e-9);
  g_strfreev(lines);
  g_free(text);
  am_voronoi_free(&vor);
  am_atoms_free(&atoms);
}

static void test_vs_lammps(void)
{
  const char *src = g_getenv("AMORPH_SOURCE_DIR");
  g_assert_nonnull(src);
  char *data = g_build_filename(src, "tests", "data", "voronoi", "points.data", NULL);
  char *dump = g_build_filename(src, "tests", "data", "voronoi", "voronoi-lammps.dump", NULL);
  compare_with_lammps(data, dump, TRUE);
  g_free(data);
  g_free(dump);
}

/* The shipped 4000-atom glass (39.34 x 42.62 x 42.62 Å): a box of the size where the
 * degenerate lattice cell of voro++ 0.4.6 was found (see test_box_sizes). */
static void test_glass_4000_vs_lammps(void)
{
  const char *src = g_getenv("AMORPH_SOURCE_DIR");
  g_assert_nonnull(src);
  char *data = g_build_filename(src, "data", "samples", "cu50zr50-4000.data", NULL);
  char *dump = g_build_filename(src, "tests", "data", "voronoi", "glass-4000-lammps.dump", NULL);
  compare_with_lammps(data, dump, FALSE);
  g_free(data);
  g_free(dump);
}

static void test_perfect_lattices(void)
{
  struct {
    const double (*basis)[3];
    int nbasis;
    double a;
    size_t faces;
    double bond;
  } cases[] = {
    {fcc_basis, 4, 3.615, 12, 3.615 / sqrt(2.0)},
    {bcc_basis, 2, 3.3, 14, 0.0},
  };
  for (unsigned c = 0; c < G_N_ELEMENTS(cases); c++)
    for (int tilted = 0; tilted < 2; tilted++) {
      AmBox box;
      AmAtoms atoms = {0};
      make_lattice(&box, &atoms, cases[c].a, 4, cases[c].basis, cases[c].nbasis, tilted ? cases[c].a : 0.0);
      AmVoronoi vor = {0};
      AmError err = {0};
      g_assert_cmpint(am_voronoi_compute(&vor, &box, &atoms, -1.0, &err), ==, AM_OK);
      const double vcell = pow(cases[c].a, 3) / cases[c].nbasis;
      double tmax = 0.0;
      for (size_t i = 0; i < vor.n; i++) {
        g_assert_cmpfloat(fabs(vor.volume[i] - vcell), <, 1e-9 * vcell);
        g_assert_cmpuint(am_voronoi_face_count(&vor, i), ==, cases[c].faces);
        tmax = fmax(tmax, vor.theta_norm[i]);
        if (cases[c].bond > 0.0)
          for (size_t f = vor.face_start[i]; f < vor.face_start[i + 1]; f++) {
            const double *b = vor.bond + 3 * f;
            g_assert_cmpfloat(fabs(sqrt(b[0] * b[0] + b[1] * b[1] + b[2] * b[2]) - cases[c].bond), <, 1e-9);
          }
      }
      g_test_message("lattice %u tilted %d: max |Θ| = %.2e Å", c, tilted, tmax);
      g_assert_cmpfloat(tmax, <, 1e-9);
      check_faces(&vor, &box, &atoms);
      am_voronoi_free(&vor);
      am_atoms_free(&atoms);
    }
}

/* Moving one atom by δ out of its perfect cage leaves the cage's cell almost where it
 * was (each bisector plane moves by the projection of δ/2), so the centroid follows by
 * about δ/2 and Θ ≈ −δ/2: it points back to where the atom came from. */
static void test_displaced_atom(void)
{
  const double a = 3.615;
  const double dirs[3][3] = {{0.05, 0.0, 0.0}, {0.03, -0.04, 0.02}, {-0.08, 0.05, 0.1}};
  for (unsigned d = 0; d < 3; d++) {
    AmBox box;
    AmAtoms atoms = {0};
    make_lattice(&box, &atoms, a, 3, fcc_basis, 4, 0.0);
    const size_t moved = 17;
    for (int k = 0; k < 3; k++)
      atoms.x[3 * moved + k] += dirs[d][k];
    AmVoronoi vor = {0};
    AmError err = {0};
    g_assert_cmpint(am_voronoi_compute(&vor, &box, &atoms, -1.0, &err), ==, AM_OK);
    const double *t = vor.theta + 3 * moved;
    const double dn = sqrt(dirs[d][0] * dirs[d][0] + dirs[d][1] * dirs[d][1] + dirs[d][2] * dirs[d][2]);
    const double cosang = (t[0] * dirs[d][0] + t[1] * dirs[d][1] + t[2] * dirs[d][2]) / (vor.theta_norm[moved] * dn);
    g_test_message("displacement %.3f Å: |Θ| = %.4f Å, cos(Θ, δ) = %.4f", dn, vor.theta_norm[moved], cosang);
    g_assert_cmpfloat(cosang, <, -0.9);
    g_assert_cmpfloat(vor.theta_norm[moved], >, 0.3 * dn);
    g_assert_cmpfloat(vor.theta_norm[moved], <, 0.8 * dn);
    /* Atoms far from the moved one keep |Θ| = 0. */
    g_assert_cmpfloat(vor.theta_norm[0 == moved ? 1 : 0] + 0.0, <, dn);
    double sum = 0.0;
    for (size_t i = 0; i < vor.n; i++)
      sum += vor.volume[i];
    g_assert_cmpfloat(fabs(sum / am_box_volume(&box) - 1.0), <, 1e-10);
    am_voronoi_free(&vor);
    am_atoms_free(&atoms);
  }
}

/* Regression: voro++ 0.4.6 builds the periodic lattice's own Voronoi cell with absolute
 * tolerances, and for boxes of a few tens of Å (the first shipped 4000-atom glass:
 * 39.35 x 42.63 x 42.63 Å) that cell came out degenerate, so some atoms' cells failed or kept a
 * corner too many. A small glass stretched to box edges from 21 to 69 Å, orthogonal and
 * tilted, must tile its box at every size. */
static void test_box_sizes(void)
{
  const char *src = g_getenv("AMORPH_SOURCE_DIR");
  g_assert_nonnull(src);
  char *path = g_build_filename(src, "tests", "data", "glass-500.data", NULL);
  AmBox box0;
  AmAtoms atoms0 = {0};
  AmError err = {0};
  g_assert_cmpint(am_data_read(path, &box0, &atoms0, NULL, &err), ==, AM_OK);
  g_free(path);
  AmAtoms atoms = {0};
  g_assert_cmpint(am_atoms_resize(&atoms, atoms0.n, &err), ==, AM_OK);
  memcpy(atoms.id, atoms0.id, atoms0.n * sizeof *atoms.id);
  memcpy(atoms.type, atoms0.type, atoms0.n * sizeof *atoms.type);
  atoms.ntypes = atoms0.ntypes;
  unsigned tried = 0, failed = 0;
  double worst = 0.0;
  for (int tilted = 0; tilted < 2; tilted++)
    for (int step = 0; step <= 40; step++) {
      /* Stretch x by f and y, z by 1.083 f (the 4000-atom sample's aspect ratio). */
      const double f = 1.0 + 0.05 * step, g = 1.083 * f;
      const double lo[3] = {box0.lo[0] * f, box0.lo[1] * g, box0.lo[2] * g};
      const double hi[3] = {lo[0] + box0.lx * f, lo[1] + box0.ly * g, lo[2] + box0.lz * g};
      const double xy = tilted ? 0.07 * box0.ly * g : 0.0;
      AmBox box;
      am_box_set(&box, lo, hi, xy, 0.0, 0.0);
      for (size_t i = 0; i < atoms0.n; i++) {
        const double *r = atoms0.x + 3 * i;
        double *q = atoms.x + 3 * i;
        q[0] = r[0] * f + xy * (r[1] * g - lo[1]) / box.ly;
        q[1] = r[1] * g;
        q[2] = r[2] * g;
      }
      AmVoronoi vor = {0};
      tried++;
      if (am_voronoi_compute(&vor, &box, &atoms, -1.0, &err) != AM_OK) {
        g_test_message("box %.2f x %.2f x %.2f Å, xy %.2f: %s", box.lx, box.ly, box.lz, xy, err.message);
        failed++;
        continue;
      }
      double sum = 0.0;
      for (size_t i = 0; i < vor.n; i++)
        sum += vor.volume[i];
      worst = fmax(worst, fabs(sum / am_box_volume(&box) - 1.0));
      am_voronoi_free(&vor);
    }
  g_test_message("%u of %u box sizes failed; worst |ΣV/V_box − 1| of the others %.2e", failed, tried, worst);
  g_assert_cmpuint(failed, ==, 0);
  g_assert_cmpfloat(worst, <, 1e-10);
  am_atoms_free(&atoms);
  am_atoms_free(&atoms0);
}

static void test_bad_input(void)
{
  AmBox box;
  AmAtoms atoms = {0};
  random_points(&box, &atoms, 50, 2.0, 3);
  AmVoronoi vor = {0};
  AmError err = {0};
  memcpy(atoms.x + 3 * 7, atoms.x + 3 * 3, 3 * sizeof(double));
  g_assert_cmpint(am_voronoi_compute(&vor, &box, &atoms, 0.0, &err), !=, AM_OK);
  g_test_message("coincident atoms: %s", err.message);
  g_assert_null(vor.volume);
  atoms.x[3 * 7] += 1.0;
  atoms.x[5] = NAN;
  g_assert_cmpint(am_voronoi_compute(&vor, &box, &atoms, 0.0, &err), ==, AM_ERR_NUMERIC);
  g_assert_nonnull(strstr(err.message, "non-finite"));
  atoms.x[5] = 0.0;
  g_assert_cmpint(am_voronoi_compute(&vor, &box, &atoms, 0.5, &err), ==, AM_ERR_INVALID);
  box.ly = -1.0;
  g_assert_cmpint(am_voronoi_compute(&vor, &box, &atoms, 0.0, &err), ==, AM_ERR_INVALID);
  am_atoms_free(&atoms);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/analysis/voronoi/volume-sum", test_volume_sum);
  g_test_add_func("/analysis/voronoi/monte-carlo", test_monte_carlo);
  g_test_add_func("/analysis/voronoi/vs-lammps", test_vs_lammps);
  g_test_add_func("/analysis/voronoi/glass-4000-vs-lammps", test_glass_4000_vs_lammps);
  g_test_add_func("/analysis/voronoi/perfect-lattices", test_perfect_lattices);
  g_test_add_func("/analysis/voronoi/displaced-atom", test_displaced_atom);
  g_test_add_func("/analysis/voronoi/box-sizes", test_box_sizes);
  g_test_add_func("/analysis/voronoi/bad-input", test_bad_input);
  return g_test_run();
}
