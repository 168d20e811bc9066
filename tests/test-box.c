/* test-box.c: periodic triclinic cell geometry against hand-computed cases. */
#include <glib.h>
#include <math.h>

#include "sim/box.h"

static AmBox tilted_box(void)
{
  AmBox b;
  const double lo[3] = {-1.0, 2.0, 0.5}, hi[3] = {9.0, 14.0, 8.5};
  am_box_set(&b, lo, hi, 3.0, -2.0, 1.5);
  return b;
}

static void test_frac_round_trip(void)
{
  AmBox b = tilted_box();
  GRand *rng = g_rand_new_with_seed(7);
  for (int n = 0; n < 1000; n++) {
    double r[3], s[3], back[3];
    for (int k = 0; k < 3; k++)
      r[k] = g_rand_double_range(rng, -30, 30);
    am_box_to_frac(&b, r, s);
    am_box_from_frac(&b, s, back);
    for (int k = 0; k < 3; k++)
      g_assert_cmpfloat_with_epsilon(back[k], r[k], 1e-12);
  }
  g_rand_free(rng);
}

static void test_volume_heights(void)
{
  AmBox b = tilted_box();
  g_assert_cmpfloat_with_epsilon(am_box_volume(&b), 10.0 * 12.0 * 8.0, 1e-12);
  double h[3];
  am_box_heights(&b, h);
  /* Heights from the reciprocal vectors: h_k = 1 / |row k of H^-1|. */
  const double a[3] = {b.lx, 0, 0}, bb[3] = {b.xy, b.ly, 0}, c[3] = {b.xz, b.yz, b.lz};
  const double *e[3] = {a, bb, c};
  for (int k = 0; k < 3; k++) {
    const double *u = e[(k + 1) % 3], *w = e[(k + 2) % 3];
    const double cr[3] = {u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]};
    const double want = am_box_volume(&b) / sqrt(cr[0] * cr[0] + cr[1] * cr[1] + cr[2] * cr[2]);
    g_assert_cmpfloat_with_epsilon(h[k], want, 1e-12);
  }
  g_assert_cmpfloat(h[0], <, b.lx);
  g_assert_cmpfloat(h[2], ==, b.lz);
}

static void test_wrap_unwrap(void)
{
  AmBox b = tilted_box();
  GRand *rng = g_rand_new_with_seed(11);
  for (int n = 0; n < 1000; n++) {
    double r[3], orig[3];
    for (int k = 0; k < 3; k++)
      orig[k] = r[k] = g_rand_double_range(rng, -40, 40);
    int32_t img[3] = {0, 0, 0};
    am_box_wrap(&b, r, img);
    double s[3];
    am_box_to_frac(&b, r, s);
    for (int k = 0; k < 3; k++) {
      g_assert_cmpfloat(s[k], >=, 0.0);
      g_assert_cmpfloat(s[k], <, 1.0);
    }
    double un[3];
    am_box_unwrap(&b, r, img, un);
    for (int k = 0; k < 3; k++)
      g_assert_cmpfloat_with_epsilon(un[k], orig[k], 1e-9);
  }
  g_rand_free(rng);
}

static void test_minimum_image(void)
{
  /* Brute force over many images must never find a shorter vector, even for a cell
   * tilted far beyond LAMMPS' usual half-length limit. */
  AmBox b;
  const double lo[3] = {0, 0, 0}, hi[3] = {10, 10, 10};
  am_box_set(&b, lo, hi, 9.0, 7.0, -8.0);
  GRand *rng = g_rand_new_with_seed(3);
  for (int n = 0; n < 500; n++) {
    double d[3];
    for (int k = 0; k < 3; k++)
      d[k] = g_rand_double_range(rng, -25, 25);
    double m[3] = {d[0], d[1], d[2]};
    am_box_minimum_image(&b, m);
    const double m2 = m[0] * m[0] + m[1] * m[1] + m[2] * m[2];
    double best = INFINITY;
    for (int i = -8; i <= 8; i++)
      for (int j = -8; j <= 8; j++)
        for (int k = -8; k <= 8; k++) {
          const double t[3] = {i, j, k};
          double sh[3];
          am_box_frac_to_vector(&b, t, sh);
          const double e[3] = {d[0] + sh[0], d[1] + sh[1], d[2] + sh[2]};
          best = fmin(best, e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
        }
    g_assert_cmpfloat_with_epsilon(m2, best, 1e-9);
  }
  g_rand_free(rng);
}

static void test_validate(void)
{
  AmBox b = tilted_box();
  AmError err = {0};
  g_assert_cmpint(am_box_validate(&b, &err), ==, AM_OK);
  b.ly = -1.0;
  g_assert_cmpint(am_box_validate(&b, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "positive"));
  b = tilted_box();
  b.xy = NAN;
  g_assert_cmpint(am_box_validate(&b, &err), ==, AM_ERR_NUMERIC);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sim/box/frac-round-trip", test_frac_round_trip);
  g_test_add_func("/sim/box/volume-heights", test_volume_heights);
  g_test_add_func("/sim/box/wrap-unwrap", test_wrap_unwrap);
  g_test_add_func("/sim/box/minimum-image", test_minimum_image);
  g_test_add_func("/sim/box/validate", test_validate);
  return g_test_run();
}
