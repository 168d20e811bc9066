/* test-atoms.c: per-atom array bookkeeping. */
#include <glib.h>
#include <math.h>

#include "sim/atoms.h"

static void fill(AmAtoms *a, size_t n)
{
  AmError err = {0};
  g_assert_cmpint(am_atoms_resize(a, n, &err), ==, AM_OK);
  a->ntypes = 2;
  a->mass[0] = 63.546;
  a->mass[1] = 91.224;
  for (size_t i = 0; i < n; i++) {
    a->id[i] = (int64_t) (i + 1);
    a->type[i] = (int32_t) (i % 2);
    for (int k = 0; k < 3; k++) {
      a->x[3 * i + k] = (double) i + 0.1 * k;
      a->v[3 * i + k] = -(double) i;
      a->image[3 * i + k] = (int32_t) i;
    }
    a->pinned[i] = i % 3 == 0;
  }
}

static void test_resize_zeroes(void)
{
  AmAtoms a = {0};
  AmError err = {0};
  fill(&a, 100);
  g_assert_cmpint(am_atoms_resize(&a, 10, &err), ==, AM_OK);
  g_assert_cmpint(am_atoms_resize(&a, 1000, &err), ==, AM_OK);
  for (size_t i = 10; i < 1000; i++) {
    g_assert_cmpint(a.id[i], ==, 0);
    g_assert_cmpfloat(a.x[3 * i], ==, 0.0);
    g_assert_cmpint(a.pinned[i], ==, 0);
  }
  g_assert_cmpfloat(a.x[3 * 9 + 1], ==, 9.1);
  am_atoms_free(&a);
}

static void test_permute_moves_everything(void)
{
  AmAtoms a = {0};
  AmError err = {0};
  fill(&a, 50);
  size_t perm[50];
  for (size_t i = 0; i < 50; i++)
    perm[i] = 49 - i;
  g_assert_cmpint(am_atoms_permute(&a, perm, &err), ==, AM_OK);
  for (size_t i = 0; i < 50; i++) {
    const size_t old = 49 - i;
    g_assert_cmpint(a.id[i], ==, (int64_t) old + 1);
    g_assert_cmpint(a.type[i], ==, (int32_t) (old % 2));
    g_assert_cmpfloat(a.x[3 * i + 2], ==, (double) old + 0.2);
    g_assert_cmpint(a.image[3 * i + 1], ==, (int32_t) old);
    g_assert_cmpint(a.pinned[i], ==, old % 3 == 0);
  }
  g_assert_cmpint(am_atoms_find_id(&a, 50), ==, 0);
  g_assert_cmpint(am_atoms_find_id(&a, 51), ==, -1);
  am_atoms_free(&a);
}

static void test_copy(void)
{
  AmAtoms a = {0}, b = {0};
  AmError err = {0};
  fill(&a, 33);
  g_assert_cmpint(am_atoms_copy(&b, &a, &err), ==, AM_OK);
  g_assert_cmpint(b.n, ==, 33);
  g_assert_cmpmem(b.x, sizeof(double) * 99, a.x, sizeof(double) * 99);
  g_assert_cmpfloat(b.mass[1], ==, 91.224);
  am_atoms_free(&a);
  am_atoms_free(&b);
}

static void test_validate(void)
{
  AmAtoms a = {0};
  AmError err = {0};
  fill(&a, 20);
  g_assert_cmpint(am_atoms_validate(&a, &err), ==, AM_OK);
  a.id[7] = 3;
  g_assert_cmpint(am_atoms_validate(&a, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "id 3 appears more than once"));
  a.id[7] = 8;
  a.x[3 * 4 + 1] = NAN;
  g_assert_cmpint(am_atoms_validate(&a, &err), ==, AM_ERR_NUMERIC);
  g_assert_nonnull(strstr(err.message, "atom 5"));
  a.x[3 * 4 + 1] = 0;
  a.type[2] = 5;
  g_assert_cmpint(am_atoms_validate(&a, &err), ==, AM_ERR_INVALID);
  am_atoms_free(&a);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sim/atoms/resize-zeroes", test_resize_zeroes);
  g_test_add_func("/sim/atoms/permute", test_permute_moves_everything);
  g_test_add_func("/sim/atoms/copy", test_copy);
  g_test_add_func("/sim/atoms/validate", test_validate);
  return g_test_run();
}
