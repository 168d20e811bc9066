/* test-colormap.c: colour maps hit their published end points, are perceptually ordered,
 * handle missing values, and the class colours survive colour-vision deficiencies. */
#include <glib.h>
#include <math.h>

#include "render/colormap.h"

/* sRGB -> CIELAB (D65), for lightness ordering and colour distances. */
static double lin(double c)
{
  return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static void lab_from_linear(const double l[3], double out[3])
{
  double X = 0.4124 * l[0] + 0.3576 * l[1] + 0.1805 * l[2];
  double Y = 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  double Z = 0.0193 * l[0] + 0.1192 * l[1] + 0.9505 * l[2];
  double f[3] = {X / 0.95047, Y, Z / 1.08883};
  for (int k = 0; k < 3; k++)
    f[k] = f[k] > 0.008856 ? cbrt(f[k]) : 7.787 * f[k] + 16.0 / 116.0;
  out[0] = 116 * f[1] - 16;
  out[1] = 500 * (f[0] - f[1]);
  out[2] = 200 * (f[1] - f[2]);
}

static void lab(AmColor c, double out[3])
{
  double l[3] = {lin(c.r), lin(c.g), lin(c.b)};
  lab_from_linear(l, out);
}

/* Dichromacy simulation of Machado, Oliveira & Fernandes, IEEE TVCG 15 (2009), severity
 * 1.0, applied in linear RGB. */
static const double cvd[3][3][3] = {
    {{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216}, {-0.003882, -0.048116, 1.051998}},
    {{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}},
    {{1.255528, -0.076749, -0.178779}, {-0.078411, 0.930809, 0.147602}, {0.004733, 0.691367, 0.303900}},
};

static void lab_cvd(AmColor c, int kind, double out[3])
{
  double l[3] = {lin(c.r), lin(c.g), lin(c.b)}, s[3];
  for (int i = 0; i < 3; i++) {
    s[i] = cvd[kind][i][0] * l[0] + cvd[kind][i][1] * l[1] + cvd[kind][i][2] * l[2];
    s[i] = CLAMP(s[i], 0.0, 1.0);
  }
  lab_from_linear(s, out);
}

static double dist3(const double a[3], const double b[3])
{
  return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
              (a[2] - b[2]) * (a[2] - b[2]));
}

static void assert_color(AmColor c, double r, double g, double b, double tol)
{
  g_assert_cmpfloat_with_epsilon(c.r, r, tol);
  g_assert_cmpfloat_with_epsilon(c.g, g, tol);
  g_assert_cmpfloat_with_epsilon(c.b, b, tol);
  g_assert_cmpfloat(c.a, ==, 1.0);
}

static void test_endpoints(void)
{
  /* Entries 0, 64, 128 and 255 of matplotlib's tables, and entry 100 of viridis, which
   * lies between knots and checks the interpolation to 1/255. */
  assert_color(am_colormap_eval(AM_COLORMAP_VIRIDIS, 0.0), 0.267004, 0.004874, 0.329415, 1e-6);
  assert_color(am_colormap_eval(AM_COLORMAP_VIRIDIS, 1.0), 0.993248, 0.906157, 0.143936, 1e-6);
  assert_color(am_colormap_eval(AM_COLORMAP_VIRIDIS, 128 / 255.0), 0.127568, 0.566949,
               0.550556, 1e-6);
  assert_color(am_colormap_eval(AM_COLORMAP_VIRIDIS, 100 / 255.0), 0.166617, 0.463708,
               0.558119, 1.0 / 255);
  assert_color(am_colormap_eval(AM_COLORMAP_VIRIDIS, 229 / 255.0), 0.730889, 0.871916,
               0.156029, 1.0 / 255);
  assert_color(am_colormap_eval(AM_COLORMAP_CIVIDIS, 0.0), 0.0, 0.135112, 0.304751, 1e-6);
  assert_color(am_colormap_eval(AM_COLORMAP_CIVIDIS, 64 / 255.0), 0.263738, 0.307831,
               0.422789, 1e-6);
  assert_color(am_colormap_eval(AM_COLORMAP_CIVIDIS, 1.0), 0.995737, 0.909344, 0.217772, 1e-6);
  assert_color(am_colormap_eval(AM_COLORMAP_CIVIDIS, 20 / 255.0), 0.0, 0.188769, 0.439563,
               1.0 / 255);
  assert_color(am_colormap_eval(AM_COLORMAP_BLUE_RED, 0.5), 0xF7 / 255.0, 0xF7 / 255.0,
               0xF7 / 255.0, 1e-9);
  assert_color(am_colormap_eval(AM_COLORMAP_GREYS, 0.25), 0.75, 0.75, 0.75, 1e-9);
  /* Clamping outside [0, 1]. */
  assert_color(am_colormap_eval(AM_COLORMAP_VIRIDIS, -3), 0.267004, 0.004874, 0.329415, 1e-6);
  assert_color(am_colormap_eval(AM_COLORMAP_VIRIDIS, 7), 0.993248, 0.906157, 0.143936, 1e-6);
}

static void test_lightness_monotone(void)
{
  /* Sequential maps must read as "more" from dark to light, also in grey print. */
  const AmColormap seq[] = {AM_COLORMAP_VIRIDIS, AM_COLORMAP_CIVIDIS};
  for (size_t m = 0; m < G_N_ELEMENTS(seq); m++) {
    double prev = -1;
    for (int i = 0; i <= 128; i++) {
      double L[3];
      lab(am_colormap_eval(seq[m], i / 128.0), L);
      g_assert_cmpfloat(L[0], >, prev);
      prev = L[0];
    }
  }
  /* The diverging map is lightest in the middle and symmetric in lightness. */
  double a[3], b[3], mid[3];
  lab(am_colormap_eval(AM_COLORMAP_BLUE_RED, 0.5), mid);
  for (int i = 0; i < 8; i++) {
    lab(am_colormap_eval(AM_COLORMAP_BLUE_RED, i / 16.0), a);
    lab(am_colormap_eval(AM_COLORMAP_BLUE_RED, 1 - i / 16.0), b);
    g_assert_cmpfloat(a[0], <, mid[0]);
    g_assert_cmpfloat(fabs(a[0] - b[0]), <, 8.0);
  }
}

static void test_values(void)
{
  g_assert_cmpfloat_with_epsilon(am_colormap_normalize(10, 1, 100, true), 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon(am_colormap_normalize(3, 2, 4, false), 0.5, 1e-12);
  g_assert_cmpfloat(am_colormap_normalize(-5, 2, 4, false), ==, 0.0);
  g_assert_cmpfloat(am_colormap_normalize(50, 2, 4, false), ==, 1.0);
  g_assert_true(isnan(am_colormap_normalize(0, 1, 100, true)));
  g_assert_true(isnan(am_colormap_normalize(NAN, 1, 100, false)));
  g_assert_cmpfloat(am_colormap_value(AM_COLORMAP_VIRIDIS, NAN, 0, 1, false).a, ==, 0.0);
  g_assert_cmpfloat(am_colormap_value(AM_COLORMAP_VIRIDIS, -1, 1, 10, true).a, ==, 0.0);
  /* A constant field maps to the middle rather than dividing by zero. */
  g_assert_cmpfloat(am_colormap_normalize(3, 3, 3, false), ==, 0.5);
  g_assert_cmpfloat(am_colormap_eval((AmColormap)99, 0.5).a, ==, 0.0);
}

static void test_names(void)
{
  for (int m = 0; m < AM_COLORMAP_N; m++) {
    AmColormap back;
    g_assert_true(am_colormap_from_name(am_colormap_name((AmColormap)m), &back));
    g_assert_cmpint(back, ==, m);
  }
  AmColormap out = AM_COLORMAP_GREYS;
  g_assert_true(am_colormap_from_name("Viridis", &out));
  g_assert_cmpint(out, ==, AM_COLORMAP_VIRIDIS);
  g_assert_false(am_colormap_from_name("jet", &out));
  g_assert_cmpint(out, ==, AM_COLORMAP_VIRIDIS);
  g_assert_null(am_colormap_name(AM_COLORMAP_N));
  g_assert_cmpstr(am_atom_class_name(AM_ATOM_COLOR_RA), ==, "RA");
}

static void test_class_colors_cvd(void)
{
  /* Every pair of class colours stays at least 30 CIELAB units apart for normal vision
   * and for protanopes, deuteranopes and tritanopes (about the difference between
   * "orange" and "brown"). */
  double worst = INFINITY;
  for (int k = -1; k < 3; k++) {
    for (int i = 0; i < AM_ATOM_COLOR_N; i++) {
      for (int j = i + 1; j < AM_ATOM_COLOR_N; j++) {
        double a[3], b[3];
        AmColor ci = am_atom_class_color((AmAtomColorClass)i);
        AmColor cj = am_atom_class_color((AmAtomColorClass)j);
        if (k < 0) {
          lab(ci, a);
          lab(cj, b);
        } else {
          lab_cvd(ci, k, a);
          lab_cvd(cj, k, b);
        }
        worst = fmin(worst, dist3(a, b));
      }
    }
  }
  g_test_message("smallest class colour distance: %.1f", worst);
  g_assert_cmpfloat(worst, >, 30.0);
  /* Cu and Zr are told apart in every vision too. */
  for (int k = 0; k < 3; k++) {
    double a[3], b[3];
    lab_cvd(am_species_color("Cu"), k, a);
    lab_cvd(am_species_color("zr"), k, b);
    g_assert_cmpfloat(dist3(a, b), >, 30.0);
  }
  /* Palette colours for series are pairwise distinct for normal vision. */
  for (unsigned i = 0; i < AM_PALETTE_SIZE; i++)
    for (unsigned j = i + 1; j < AM_PALETTE_SIZE; j++) {
      double a[3], b[3];
      lab(am_palette_color(i), a);
      lab(am_palette_color(j), b);
      g_assert_cmpfloat(dist3(a, b), >, 20.0);
    }
  AmColor c = am_palette_color(AM_PALETTE_SIZE);
  AmColor d = am_palette_color(0);
  g_assert_cmpmem(&c, sizeof c, &d, sizeof d);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/render/colormap/endpoints", test_endpoints);
  g_test_add_func("/render/colormap/lightness-monotone", test_lightness_monotone);
  g_test_add_func("/render/colormap/values", test_values);
  g_test_add_func("/render/colormap/names", test_names);
  g_test_add_func("/render/colormap/class-colors-cvd", test_class_colors_cvd);
  return g_test_run();
}
