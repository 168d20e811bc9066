/* test-lattice.c: random-species B2 starting structures. */
#include <glib.h>
#include <math.h>

#include "sim/lattice.h"

static AmLatticeSpec cuzr(size_t n, uint64_t seed)
{
  AmLatticeSpec s = {.natoms = n, .ntypes = 2, .lattice_constant = 3.3, .seed = seed};
  s.fraction[0] = s.fraction[1] = 0.5;
  s.mass[0] = 63.546;
  s.mass[1] = 91.224;
  g_strlcpy(s.label[0], "Cu", sizeof s.label[0]);
  g_strlcpy(s.label[1], "Zr", sizeof s.label[1]);
  return s;
}

static void test_cells(void)
{
  const size_t counts[] = {2, 16, 1000, 1024, 4000, 4001, 31250};
  for (unsigned c = 0; c < G_N_ELEMENTS(counts); c++) {
    int cells[3];
    am_lattice_b2_cells(counts[c], cells);
    const size_t sites = 2 * (size_t) cells[0] * cells[1] * cells[2];
    g_assert_cmpuint(sites, >=, counts[c]);
    /* Near-cubic and not wasteful: fewer than 5 % empty sites for the real sizes. */
    g_assert_cmpint(cells[2] - cells[0], <=, 1);
    if (counts[c] >= 1000)
      g_assert_cmpfloat((double) (sites - counts[c]) / counts[c], <, 0.05);
  }
  int cells[3];
  am_lattice_b2_cells(1000, cells);
  g_assert_cmpint(cells[0], ==, 8);
  g_assert_cmpint(cells[2], ==, 8);
  am_lattice_b2_cells(4000, cells);
  g_assert_cmpint(cells[0] * cells[1] * cells[2], ==, 12 * 13 * 13);
  g_assert_cmpint(cells[2], ==, 13);
}

static void test_composition_and_spacing(void)
{
  AmBox box;
  AmAtoms atoms = {0};
  AmError err = {0};
  AmLatticeSpec spec = cuzr(4000, 42);
  g_assert_cmpint(am_lattice_random_b2(&spec, &box, &atoms, &err), ==, AM_OK);
  g_assert_cmpuint(atoms.n, ==, 4000);
  size_t n0 = 0;
  for (size_t i = 0; i < atoms.n; i++)
    n0 += atoms.type[i] == 0;
  g_assert_cmpuint(n0, ==, 2000);
  g_assert_cmpint(am_atoms_validate(&atoms, &err), ==, AM_OK);
  g_assert_cmpstr(atoms.type_label[1], ==, "Zr");
  /* Nearest neighbours on B2 are at a·√3/2: no pair may be closer. */
  const double dmin = 3.3 * sqrt(3.0) / 2.0;
  for (size_t i = 0; i < 300; i++)
    for (size_t j = i + 1; j < atoms.n; j++) {
      double d[3];
      for (int k = 0; k < 3; k++)
        d[k] = atoms.x[3 * j + k] - atoms.x[3 * i + k];
      am_box_minimum_image(&box, d);
      g_assert_cmpfloat(sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]), >, dmin - 1e-9);
    }
  am_atoms_free(&atoms);
}

static void test_deterministic(void)
{
  AmBox b1, b2;
  AmAtoms a1 = {0}, a2 = {0}, a3 = {0};
  AmError err = {0};
  AmLatticeSpec s = cuzr(1000, 7);
  g_assert_cmpint(am_lattice_random_b2(&s, &b1, &a1, &err), ==, AM_OK);
  g_assert_cmpint(am_lattice_random_b2(&s, &b2, &a2, &err), ==, AM_OK);
  g_assert_cmpmem(a1.x, sizeof(double) * 3000, a2.x, sizeof(double) * 3000);
  g_assert_cmpmem(a1.type, sizeof(int32_t) * 1000, a2.type, sizeof(int32_t) * 1000);
  s.seed = 8;
  g_assert_cmpint(am_lattice_random_b2(&s, &b2, &a3, &err), ==, AM_OK);
  g_assert_true(memcmp(a1.type, a3.type, sizeof(int32_t) * 1000) != 0);
  am_atoms_free(&a1);
  am_atoms_free(&a2);
  am_atoms_free(&a3);
}

static void test_bad_spec(void)
{
  AmBox box;
  AmAtoms atoms = {0};
  AmError err = {0};
  AmLatticeSpec s = cuzr(100, 1);
  s.fraction[1] = 0.6;
  g_assert_cmpint(am_lattice_random_b2(&s, &box, &atoms, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "sum to"));
  s = cuzr(100, 1);
  s.lattice_constant = -1;
  g_assert_cmpint(am_lattice_random_b2(&s, &box, &atoms, &err), ==, AM_ERR_INVALID);
  am_atoms_free(&atoms);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sim/lattice/cells", test_cells);
  g_test_add_func("/sim/lattice/composition-and-spacing", test_composition_and_spacing);
  g_test_add_func("/sim/lattice/deterministic", test_deterministic);
  g_test_add_func("/sim/lattice/bad-spec", test_bad_spec);
  return g_test_run();
}
