/* test-neighbor.c: the Verlet list against brute force over all periodic images, in
 * orthogonal and tilted boxes, while the box deforms and atoms move and get re-wrapped. */
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "sim/neighbor.h"

#define CUTOFF 7.6
#define SKIN 1.0

typedef struct {
  size_t i, j; /* caller indices, i ≤ j */
  double r;
} Pair;

static int pair_cmp(const void *pa, const void *pb)
{
  const Pair *a = pa, *b = pb;
  if (a->i != b->i)
    return a->i < b->i ? -1 : 1;
  if (a->j != b->j)
    return a->j < b->j ? -1 : 1;
  return a->r < b->r ? -1 : a->r > b->r ? 1 : 0;
}

/* All pairs closer than the cutoff, over enough images that the answer does not depend on
 * any minimum-image reasoning. */
static GArray *brute_force(const AmBox *box, const AmAtoms *atoms)
{
  GArray *out = g_array_new(FALSE, FALSE, sizeof(Pair));
  const int m = 2;
  for (size_t i = 0; i < atoms->n; i++)
    for (size_t j = i; j < atoms->n; j++)
      for (int a = -m; a <= m; a++)
        for (int b = -m; b <= m; b++)
          for (int c = -m; c <= m; c++) {
            if (i == j && (a > 0 || (a == 0 && (b > 0 || (b == 0 && c >= 0)))))
              continue; /* self: only one of each ±n image, never n = 0 */
            const double n[3] = {a, b, c};
            double d[3];
            am_box_frac_to_vector(box, n, d);
            for (int k = 0; k < 3; k++)
              d[k] += atoms->x[3 * j + k] - atoms->x[3 * i + k];
            const double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            if (r < CUTOFF) {
              Pair p = {i, j, r};
              g_array_append_val(out, p);
            }
          }
  g_array_sort(out, pair_cmp);
  return out;
}

static GArray *from_list(const AmNeighbor *nl)
{
  GArray *out = g_array_new(FALSE, FALSE, sizeof(Pair));
  for (size_t k = 0; k < nl->n; k++)
    for (size_t q = nl->first[k]; q < nl->first[k + 1]; q++) {
      const size_t j = AM_NEIGH_J(nl->pairs[q]);
      const double *sh = nl->shift[AM_NEIGH_CODE(nl->pairs[q])];
      double d[3];
      for (int c = 0; c < 3; c++)
        d[c] = nl->x[3 * j + c] + sh[c] - nl->x[3 * k + c];
      const double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
      if (r >= CUTOFF)
        continue;
      size_t a = nl->order[k], b = nl->order[j];
      Pair p = {a < b ? a : b, a < b ? b : a, r};
      g_array_append_val(out, p);
    }
  g_array_sort(out, pair_cmp);
  return out;
}

static void assert_same_pairs(const AmNeighbor *nl, const AmBox *box, const AmAtoms *atoms)
{
  GArray *want = brute_force(box, atoms);
  GArray *got = from_list(nl);
  g_assert_cmpuint(got->len, ==, want->len);
  g_assert_cmpuint(want->len, >, 10 * atoms->n);
  for (guint k = 0; k < want->len; k++) {
    const Pair *a = &g_array_index(want, Pair, k), *b = &g_array_index(got, Pair, k);
    g_assert_cmpuint(a->i, ==, b->i);
    g_assert_cmpuint(a->j, ==, b->j);
    g_assert_cmpfloat(fabs(a->r - b->r), <, 1e-9);
  }
  g_array_free(want, TRUE);
  g_array_free(got, TRUE);
}

/* Random positions with no two atoms closer than 1.8 Å, like a dense liquid. */
static void random_atoms(AmAtoms *atoms, const AmBox *box, size_t n, GRand *rng)
{
  AmError err = {0};
  g_assert_cmpint(am_atoms_resize(atoms, n, &err), ==, AM_OK);
  atoms->ntypes = 1;
  atoms->mass[0] = 63.546;
  for (size_t i = 0; i < n; i++) {
    atoms->id[i] = (int64_t) i + 1;
    for (int tries = 0;; tries++) {
      g_assert_cmpint(tries, <, 10000);
      double s[3] = {g_rand_double(rng), g_rand_double(rng), g_rand_double(rng)};
      am_box_from_frac(box, s, atoms->x + 3 * i);
      bool ok = true;
      for (size_t j = 0; j < i && ok; j++) {
        double d[3];
        for (int k = 0; k < 3; k++)
          d[k] = atoms->x[3 * j + k] - atoms->x[3 * i + k];
        am_box_minimum_image(box, d);
        ok = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] > 1.8 * 1.8;
      }
      if (ok)
        break;
    }
  }
}

static void update_ok(AmNeighbor *nl, const AmBox *box, const AmAtoms *atoms, bool expect_rebuild)
{
  AmError err = {0};
  bool rebuilt = false;
  AmStatus st = am_neighbor_update(nl, box, atoms, CUTOFF, SKIN, &rebuilt, &err);
  if (st)
    g_error("%s", err.message);
  g_assert_cmpint(rebuilt, ==, expect_rebuild);
}

/* Shear by changing xy, remapping atoms affinely as fix deform / SCIENCE.md do. */
static void shear(AmBox *box, AmAtoms *atoms, double dxy)
{
  for (size_t i = 0; i < atoms->n; i++)
    atoms->x[3 * i] += dxy * (atoms->x[3 * i + 1] - box->lo[1]) / box->ly;
  box->xy += dxy;
}

static void run_box(const double lo[3], const double hi[3], double xy, double xz, double yz, guint32 seed)
{
  GRand *rng = g_rand_new_with_seed(seed);
  AmBox box;
  am_box_set(&box, lo, hi, xy, xz, yz);
  AmAtoms atoms = {0};
  const size_t n = (size_t) (0.05 * am_box_volume(&box));
  random_atoms(&atoms, &box, n, rng);
  AmNeighbor nl;
  am_neighbor_init(&nl);

  update_ok(&nl, &box, &atoms, true);
  assert_same_pairs(&nl, &box, &atoms);

  /* Small moves (each < 0.25 Å, so 2·max < skin): the list is reused and still exact. */
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < 3; k++)
      atoms.x[3 * i + k] += 0.14 * (2 * g_rand_double(rng) - 1);
  update_ok(&nl, &box, &atoms, false);
  assert_same_pairs(&nl, &box, &atoms);

  /* Re-wrapping by the caller changes nothing. */
  for (size_t i = 0; i < n; i++) {
    int32_t img[3] = {0};
    am_box_wrap(&box, atoms.x + 3 * i, img);
  }
  update_ok(&nl, &box, &atoms, false);
  assert_same_pairs(&nl, &box, &atoms);

  /* A small tilt change (affine): reused, and pair vectors follow the new box. */
  shear(&box, &atoms, 0.01 * box.ly);
  update_ok(&nl, &box, &atoms, false);
  assert_same_pairs(&nl, &box, &atoms);

  /* An NPT-like change of lengths, also small. */
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < 3; k++)
      atoms.x[3 * i + k] = box.lo[k] + (atoms.x[3 * i + k] - box.lo[k]) * 1.01;
  box.lx *= 1.01, box.ly *= 1.01, box.lz *= 1.01, box.xy *= 1.01, box.xz *= 1.01, box.yz *= 1.01;
  update_ok(&nl, &box, &atoms, false);
  assert_same_pairs(&nl, &box, &atoms);

  /* One atom moving more than half the skin forces a rebuild. */
  atoms.x[3 * 7 + 1] += 0.6 * SKIN;
  update_ok(&nl, &box, &atoms, true);
  assert_same_pairs(&nl, &box, &atoms);

  /* A large tilt change forces a rebuild even without non-affine motion. */
  shear(&box, &atoms, 0.15 * box.ly);
  update_ok(&nl, &box, &atoms, true);
  assert_same_pairs(&nl, &box, &atoms);

  /* Many small steps of shear plus thermal jiggle: whatever the list decides, it is exact. */
  long builds = nl.builds;
  for (int step = 0; step < 40; step++) {
    shear(&box, &atoms, 0.002 * box.ly);
    for (size_t i = 0; i < n; i++)
      for (int k = 0; k < 3; k++)
        atoms.x[3 * i + k] += 0.03 * (2 * g_rand_double(rng) - 1);
    AmError err = {0};
    g_assert_cmpint(am_neighbor_update(&nl, &box, &atoms, CUTOFF, SKIN, NULL, &err), ==, AM_OK);
    if (step % 8 == 7)
      assert_same_pairs(&nl, &box, &atoms);
  }
  g_test_message("40 steps of shear and jiggle: %ld rebuilds", nl.builds - builds);
  g_assert_cmpint(nl.builds - builds, <, 40);

  am_neighbor_free(&nl);
  am_atoms_free(&atoms);
  g_rand_free(rng);
}

static void test_orthogonal(void)
{
  run_box((double[]){0, 0, 0}, (double[]){19.0, 21.0, 17.5}, 0.0, 0.0, 0.0, 11);
}

static void test_tilted(void)
{
  /* Tilts near LAMMPS' limit of half the box length; heights stay ≥ cutoff + skin. */
  run_box((double[]){-3.0, 1.0, 2.0}, (double[]){19.0, 22.0, 19.5}, 0.45 * 22.0, -0.4 * 22.0, 0.35 * 21.0, 12);
}

static void test_small_box(void)
{
  /* Heights just above cutoff + skin = 8.6 Å: several images of one atom are neighbours. */
  run_box((double[]){0, 0, 0}, (double[]){9.4, 9.5, 8.9}, 0.3, 0.0, -0.5, 13);
}

/* A system big enough for a multi-threaded build gives the same list as one thread. */
static void test_threads_agree(void)
{
#ifdef _OPENMP
  const int saved = omp_get_max_threads();
  GRand *rng = g_rand_new_with_seed(21);
  AmBox box;
  am_box_set(&box, (double[]){0, 0, 0}, (double[]){38.0, 36.0, 37.0}, 6.0, -4.0, 3.0);
  AmAtoms atoms = {0};
  AmError err = {0};
  const size_t n = 2 * AM_MIN_ATOMS_PER_THREAD + 200;
  g_assert_cmpint(am_atoms_resize(&atoms, n, &err), ==, AM_OK);
  atoms.ntypes = 1;
  atoms.mass[0] = 63.546;
  for (size_t i = 0; i < n; i++) {
    atoms.id[i] = (int64_t) i + 1;
    double s[3] = {g_rand_double(rng), g_rand_double(rng), g_rand_double(rng)};
    am_box_from_frac(&box, s, atoms.x + 3 * i);
  }
  AmNeighbor one, two;
  am_neighbor_init(&one);
  am_neighbor_init(&two);
  omp_set_num_threads(1);
  g_assert_cmpint(am_neighbor_update(&one, &box, &atoms, CUTOFF, SKIN, NULL, &err), ==, AM_OK);
  omp_set_num_threads(2);
  g_assert_cmpint(am_neighbor_threads(n), ==, 2);
  g_assert_cmpint(am_neighbor_update(&two, &box, &atoms, CUTOFF, SKIN, NULL, &err), ==, AM_OK);
  g_assert_cmpuint(one.npairs, ==, two.npairs);
  g_assert_cmpuint(one.npairs, >, 10 * n);
  g_assert_cmpmem(one.order, n * sizeof(size_t), two.order, n * sizeof(size_t));
  g_assert_cmpmem(one.first, (n + 1) * sizeof(size_t), two.first, (n + 1) * sizeof(size_t));
  g_assert_cmpmem(one.pairs, one.npairs * sizeof(uint32_t), two.pairs, two.npairs * sizeof(uint32_t));
  omp_set_num_threads(saved);
  am_neighbor_free(&one);
  am_neighbor_free(&two);
  am_atoms_free(&atoms);
  g_rand_free(rng);
#else
  g_test_skip("built without OpenMP");
#endif
}

static void test_refusals(void)
{
  AmBox box;
  am_box_set(&box, (double[]){0, 0, 0}, (double[]){20, 20, 8.0}, 0, 0, 0);
  AmAtoms atoms = {0};
  GRand *rng = g_rand_new_with_seed(5);
  random_atoms(&atoms, &box, 50, rng);
  AmNeighbor nl;
  am_neighbor_init(&nl);
  AmError err = {0};
  g_assert_cmpint(am_neighbor_update(&nl, &box, &atoms, CUTOFF, SKIN, NULL, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "8.6"));
  g_assert_nonnull(strstr(err.message, "z is too small"));

  box.lz = 20;
  atoms.x[3 * 4 + 2] = INFINITY;
  memset(&err, 0, sizeof err);
  g_assert_cmpint(am_neighbor_update(&nl, &box, &atoms, CUTOFF, SKIN, NULL, &err), ==, AM_ERR_NUMERIC);
  g_assert_nonnull(strstr(err.message, "atom 5 "));
  atoms.x[3 * 4 + 2] = 1.0;
  memset(&err, 0, sizeof err);
  g_assert_cmpint(am_neighbor_update(&nl, &box, &atoms, CUTOFF, -0.1, NULL, &err), ==, AM_ERR_INVALID);
  g_assert_cmpint(am_neighbor_update(&nl, &box, &atoms, CUTOFF, SKIN, NULL, &err), ==, AM_OK);
  am_neighbor_free(&nl);
  am_atoms_free(&atoms);
  g_rand_free(rng);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sim/neighbor/orthogonal", test_orthogonal);
  g_test_add_func("/sim/neighbor/tilted", test_tilted);
  g_test_add_func("/sim/neighbor/small-box", test_small_box);
  g_test_add_func("/sim/neighbor/threads-agree", test_threads_agree);
  g_test_add_func("/sim/neighbor/refusals", test_refusals);
  return g_test_run();
}
