/* test-eam-file.c: the setfl reader on the shipped potential, on tiny files whose values
 * follow formulas, on every kind of broken file, and on mechanically mutated files. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sim/eam_file.h"

static char *source_path(const char *rel)
{
  const char *src = g_getenv("AMORPH_SOURCE_DIR");
  g_assert_nonnull(src);
  return g_build_filename(src, rel, NULL);
}

static char *load(const char *rel, gsize *len)
{
  char *path = source_path(rel);
  char *text = NULL;
  GError *gerr = NULL;
  g_assert_true(g_file_get_contents(path, &text, len, &gerr));
  g_assert_no_error(gerr);
  g_free(path);
  return text;
}

static void test_shipped(void)
{
  char *path = source_path("data/potentials/CuZr_mm.eam.fs");
  AmEamTables t;
  AmError err = {0};
  g_assert_cmpint(am_eam_file_read(path, AM_EAM_FS, &t, &err), ==, AM_OK);
  g_assert_cmpint(t.style, ==, AM_EAM_FS);
  g_assert_cmpint(t.nelements, ==, 2);
  g_assert_cmpstr(t.element[0], ==, "Cu");
  g_assert_cmpstr(t.element[1], ==, "Zr");
  g_assert_true(g_str_has_prefix(t.comment[0], "DATE: 2007-06-11 UNITS: metal"));
  g_assert_cmpint(t.nrho, ==, 10000);
  g_assert_cmpint(t.nr, ==, 10000);
  g_assert_cmpfloat(t.drho, ==, 3e-2);
  g_assert_cmpfloat(t.dr, ==, 7.6e-4);
  g_assert_cmpfloat(t.cutoff, ==, 7.6);
  g_assert_cmpint(t.atomic_number[0], ==, 29);
  g_assert_cmpint(t.atomic_number[1], ==, 40);
  g_assert_cmpfloat(t.mass[0], ==, 63.546);
  g_assert_cmpfloat(t.mass[1], ==, 91.224);
  g_assert_cmpfloat(t.lattice_constant[1], ==, 3.220299);
  g_assert_cmpstr(t.lattice_type[0], ==, "fcc");
  g_assert_cmpstr(t.lattice_type[1], ==, "hcp");
  const size_t nr = 10000, nrho = 10000;
  /* Spot values, read off the file by line number (see the layout in eam_file.c). */
  g_assert_cmpfloat(t.frho[0 * nrho + 1], ==, -1.73205080800000E-0001);   /* line 7 */
  g_assert_cmpfloat(t.frho[1 * nrho + 2], ==, -2.44948974300000E-0001);   /* line 6008 */
  g_assert_cmpfloat(t.rhor[(0 * 2 + 0) * nr + 0], ==, 1.90582176449000E+0001); /* line 2007 */
  g_assert_cmpfloat(t.rhor[(0 * 2 + 1) * nr + 1], ==, 7.69588116900000E+0001); /* line 4007 */
  g_assert_cmpfloat(t.z2r[(0 * 2 + 0) * nr + 0], ==, 1.0e12);              /* line 12008 */
  g_assert_cmpfloat(t.z2r[(1 * 2 + 1) * nr + 9999], ==, 2.89436940290541E-0014); /* last value */
  g_assert_cmpfloat(t.z2r[(1 * 2 + 1) * nr + 9997], ==, 2.33709823949422E-0012);
  for (size_t k = 0; k < nr; k++)
    g_assert_cmpfloat(t.z2r[(0 * 2 + 1) * nr + k], ==, t.z2r[(1 * 2 + 0) * nr + k]);
  g_assert_cmpint(am_eam_tables_find_element(&t, "Zr"), ==, 1);
  g_assert_cmpint(am_eam_tables_find_element(&t, "Al"), ==, -1);
  am_eam_tables_free(&t);
  g_free(path);
}

/* The tiny files hold F_a(k) = -(a+1) - 0.1k, rho = 10(a+1) [+ (b+1) for eam/fs] + 0.01k
 * and r·phi_ab = 100(a+1) + 10(b+1) + k (a ≥ b), spread irregularly over lines. */
static void check_tiny(const AmEamTables *t, AmEamStyle style)
{
  g_assert_cmpint(t->style, ==, style);
  g_assert_cmpint(t->nelements, ==, 2);
  g_assert_cmpstr(t->element[0], ==, "Ni");
  g_assert_cmpstr(t->element[1], ==, "Al");
  g_assert_cmpint(t->nrho, ==, 5);
  g_assert_cmpint(t->nr, ==, 6);
  g_assert_cmpfloat(t->drho, ==, 0.5);
  g_assert_cmpfloat(t->dr, ==, 0.25);
  g_assert_cmpfloat(t->cutoff, ==, 1.25);
  g_assert_cmpstr(t->comment[1], ==, "second comment line");
  g_assert_cmpstr(t->comment[2], ==, "");
  g_assert_cmpfloat(t->mass[1], ==, 26.981539);
  for (int a = 0; a < 2; a++) {
    for (int k = 0; k < 5; k++)
      g_assert_cmpfloat(t->frho[a * 5 + k], ==, -(a + 1) - 0.1 * k);
    for (int b = 0; b < 2; b++)
      for (int k = 0; k < 6; k++) {
        const double want = style == AM_EAM_FS ? 10.0 * (a + 1) + (b + 1) + 0.01 * k : 10.0 * (a + 1) + 0.01 * k;
        g_assert_cmpfloat(t->rhor[(a * 2 + b) * 6 + k], ==, want);
        const int hi = a > b ? a : b, lo = a > b ? b : a;
        g_assert_cmpfloat(t->z2r[(a * 2 + b) * 6 + k], ==, 100.0 * (hi + 1) + 10 * (lo + 1) + k);
      }
  }
}

static void test_tiny(void)
{
  AmEamTables t;
  AmError err = {0};
  char *p = source_path("tests/data/io/tiny.eam.alloy");
  g_assert_cmpint(am_eam_file_read(p, AM_EAM_ALLOY, &t, &err), ==, AM_OK);
  check_tiny(&t, AM_EAM_ALLOY);
  am_eam_tables_free(&t);
  g_free(p);
  p = source_path("tests/data/io/tiny.eam.fs");
  g_assert_cmpint(am_eam_file_read(p, AM_EAM_FS, &t, &err), ==, AM_OK);
  check_tiny(&t, AM_EAM_FS);
  am_eam_tables_free(&t);
  g_free(p);

  /* CRLF line ends and no newline at the end of the file are fine. */
  gsize len;
  char *text = load("tests/data/io/tiny.eam.fs", &len);
  GString *crlf = g_string_new(NULL);
  for (gsize i = 0; i < len; i++) {
    if (text[i] == '\n')
      g_string_append_c(crlf, '\r');
    g_string_append_c(crlf, text[i]);
  }
  g_string_truncate(crlf, crlf->len - 2);
  g_assert_cmpint(am_eam_file_parse(crlf->str, crlf->len, "crlf.eam.fs", AM_EAM_FS, &t, &err), ==, AM_OK);
  check_tiny(&t, AM_EAM_FS);
  am_eam_tables_free(&t);
  g_string_free(crlf, TRUE);
  g_free(text);
}

/* Parses text (a modified tiny file) and checks the error's code and message parts. */
static void expect_error(const char *text, AmEamStyle style, AmStatus code, const char *const *parts)
{
  AmEamTables t;
  AmError err = {0};
  const AmStatus st = am_eam_file_parse(text, strlen(text), "bad.eam", style, &t, &err);
  if (st != code || !strstr(err.message, "bad.eam"))
    g_error("expected status %d, got %d: %s", code, st, err.message);
  for (const char *const *p = parts; *p; p++)
    if (!strstr(err.message, *p))
      g_error("message \"%s\" lacks \"%s\"", err.message, *p);
  g_assert_null(t.frho);
  g_assert_cmpint(t.nelements, ==, 0);
  if (g_test_verbose())
    g_printerr("  %s\n", err.message);
}

/* The tiny eam/fs file with one line replaced (1-based) or, with line 0, cut at the
 * first occurrence of cut_at. */
static char *tiny_with_line(int lineno, const char *replacement)
{
  gsize len;
  char *text = load("tests/data/io/tiny.eam.fs", &len);
  char **lines = g_strsplit(text, "\n", -1);
  g_free(lines[lineno - 1]);
  lines[lineno - 1] = g_strdup(replacement);
  char *out = g_strjoinv("\n", lines);
  g_strfreev(lines);
  g_free(text);
  return out;
}

static void test_errors(void)
{
  AmEamTables t;
  AmError err = {0};
  g_assert_cmpint(am_eam_file_read("no/such/dir/pot.eam.fs", AM_EAM_FS, &t, &err), ==, AM_ERR_IO);
  g_assert_nonnull(strstr(err.message, "no/such/dir/pot.eam.fs"));
  g_assert_nonnull(strstr(err.message, "No such file"));
  g_assert_null(t.frho);

  struct {
    int line;
    const char *text;
    AmStatus code;
    const char *parts[4];
  } cases[] = {
    {4, "3 Ni Al", AM_ERR_FORMAT, {"line 4", "announces 3 elements but names 2"}},
    {4, "9 A B C D E F G H I", AM_ERR_FORMAT, {"line 4", "number of elements must be between 1 and 8"}},
    {4, "0", AM_ERR_FORMAT, {"line 4", "between 1 and 8"}},
    {4, "two Ni Al", AM_ERR_FORMAT, {"line 4", "expected the number of elements, found \"two\""}},
    {4, "2 Ni Ni", AM_ERR_FORMAT, {"line 4", "Ni is named twice"}},
    {5, "0 0.5 6 0.25 1.25", AM_ERR_FORMAT, {"line 5", "Nrho", "got 0"}},
    {5, "5 0.5 -6 0.25 1.25", AM_ERR_FORMAT, {"line 5", "Nr ", "got -6"}},
    {5, "5 0 6 0.25 1.25", AM_ERR_FORMAT, {"line 5", "drho must be positive"}},
    {5, "5 0.5 6 -0.25 1.25", AM_ERR_FORMAT, {"line 5", "dr must be positive"}},
    {5, "5 0.5 6 0.25 0", AM_ERR_FORMAT, {"line 5", "cutoff must be positive"}},
    {5, "5 0.5 6 0.25 nan", AM_ERR_NUMERIC, {"line 5", "cutoff is not finite"}},
    {5, "5.0 0.5 6 0.25 1.25", AM_ERR_FORMAT, {"line 5", "expected Nrho", "\"5.0\""}},
    {5, "5 0.5 6 0.25", AM_ERR_FORMAT, {"line 5", "expected 5 numbers"}},
    {5, "5000000 0.5 6 0.25 1.25", AM_ERR_FORMAT, {"line 5", "truncated"}},
    {6, "28 -58.6934 3.52 fcc", AM_ERR_FORMAT, {"line 6", "mass of Ni must be positive"}},
    {6, "28", AM_ERR_FORMAT, {"line 6", "expected the line of element Ni"}},
    {7, "-1.0  abc", AM_ERR_FORMAT, {"line 7", "value 2 of 5 of the embedding function F(rho) of Ni", "\"abc\""}},
    {8, "NaN", AM_ERR_NUMERIC, {"line 8", "value 3 of 5", "not finite"}},
    {9, "-1.3 -inf", AM_ERR_NUMERIC, {"line 9", "value 5 of 5", "not finite"}},
    {9, "-1.3 1e999", AM_ERR_NUMERIC, {"line 9", "not finite"}},
    {9, "-1.3 -1.4 -1.5", AM_ERR_FORMAT, {"line 9", "1 more value(s) after the 5 values of the embedding function"}},
    {16, "13 26.981539 4.05 fcc 7", AM_ERR_FORMAT, {"line 16", "expected the line of element Al"}},
    {31, "224.0  225.0 226.0", AM_ERR_FORMAT, {"line 31", "r*phi(r) of Al-Al"}},
    {31, "224.0", AM_ERR_FORMAT, {"file ends inside the pair function r*phi(r) of Al-Al", "expected 6 values, found 5"}},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *text = tiny_with_line(cases[i].line, cases[i].text);
    expect_error(text, AM_EAM_FS, cases[i].code, cases[i].parts);
    g_free(text);
  }

  /* Extra content after the tables, and the wrong style either way. */
  gsize len;
  char *fs = load("tests/data/io/tiny.eam.fs", &len);
  char *more = g_strconcat(fs, "1.0 2.0\n", NULL);
  expect_error(more, AM_EAM_FS, AM_ERR_FORMAT, (const char *[]){"line 32", "after the last pair function", NULL});
  expect_error(fs, AM_EAM_ALLOY, AM_ERR_FORMAT, (const char *[]){"line 12", NULL});
  char *alloy = load("tests/data/io/tiny.eam.alloy", &len);
  expect_error(alloy, AM_EAM_FS, AM_ERR_FORMAT, (const char *[]){"eam/fs or eam/alloy", NULL});
  expect_error("", AM_EAM_FS, AM_ERR_FORMAT, (const char *[]){"three comment lines", NULL});
  expect_error("a\nb\nc\n", AM_EAM_FS, AM_ERR_FORMAT, (const char *[]){"element line", NULL});
  g_free(more);
  g_free(fs);
  g_free(alloy);
}

/* Whatever a mutated file holds, the parser returns: success with consistent tables, or
 * an error with a message. Run under AddressSanitizer, this also proves no byte is read
 * outside the buffer (each case is an exact-size heap copy with no terminating NUL). */
static void parse_mutant(const char *bytes, size_t len, AmEamStyle style, int *ok, int *bad)
{
  char *copy = g_malloc(len ? len : 1);
  memcpy(copy, bytes, len);
  AmEamTables t;
  AmError err = {0};
  const AmStatus st = am_eam_file_parse(copy, len, "mutant", style, &t, &err);
  if (st == AM_OK) {
    (*ok)++;
    g_assert_cmpint(t.nelements, >=, 1);
    g_assert_cmpint(t.nelements, <=, AM_MAX_TYPES);
    g_assert_cmpint(t.nrho, >=, 2);
    g_assert_true(t.dr > 0 && t.drho > 0 && t.cutoff > 0);
    for (int a = 0; a < t.nelements; a++)
      for (int k = 0; k < t.nrho; k++)
        g_assert_true(isfinite(t.frho[a * t.nrho + k]));
    for (size_t k = 0; k < (size_t) t.nelements * t.nelements * t.nr; k++)
      g_assert_true(isfinite(t.rhor[k]) && isfinite(t.z2r[k]));
  } else {
    (*bad)++;
    g_assert_cmpstr(err.message, !=, "");
    g_assert_null(t.frho);
  }
  am_eam_tables_free(&t);
  g_free(copy);
}

static void test_every_truncation(void)
{
  gsize len;
  char *text = load("tests/data/io/tiny.eam.fs", &len);
  int ok = 0, bad = 0;
  for (size_t cut = 0; cut < len; cut++) {
    int before = ok;
    parse_mutant(text, cut, AM_EAM_FS, &ok, &bad);
    /* The file ends "224.0  225.0\n": cuts inside the last number leave a shorter valid
     * number ("2", "22", "225", "225."), every earlier cut loses a value. */
    if (ok > before)
      g_assert_cmpuint(cut, >=, len - 5);
  }
  parse_mutant(text, len, AM_EAM_FS, &ok, &bad);
  g_assert_cmpint(ok, ==, 6);
  g_assert_cmpint(bad, ==, (int) len - 5);
  g_free(text);
}

static void test_random_flips(void)
{
  gsize len;
  char *text = load("tests/data/io/tiny.eam.fs", &len);
  GRand *rng = g_rand_new_with_seed(20261125);
  static const char pool[] = "0123456789.eE+-# \n\t\rnaif\0x";
  int ok = 0, bad = 0;
  char *m = g_malloc(len);
  for (int trial = 0; trial < 5000; trial++) {
    memcpy(m, text, len);
    const int flips = g_rand_int_range(rng, 1, 4);
    for (int f = 0; f < flips; f++) {
      const size_t at = (size_t) g_rand_int_range(rng, 0, (gint32) len);
      if (g_rand_boolean(rng))
        m[at] = pool[g_rand_int_range(rng, 0, sizeof pool - 1)];
      else
        m[at] ^= (char) (1 << g_rand_int_range(rng, 0, 8));
    }
    parse_mutant(m, len, trial % 7 == 0 ? AM_EAM_ALLOY : AM_EAM_FS, &ok, &bad);
  }
  g_assert_cmpint(bad, >, 0);
  g_assert_cmpint(ok, >, 0);
  if (g_test_verbose())
    g_printerr("random flips: %d parsed, %d rejected\n", ok, bad);
  g_free(m);
  g_rand_free(rng);
  g_free(text);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sim/eam-file/shipped-potential", test_shipped);
  g_test_add_func("/sim/eam-file/tiny-alloy-and-fs", test_tiny);
  g_test_add_func("/sim/eam-file/errors", test_errors);
  g_test_add_func("/sim/eam-file/every-truncation", test_every_truncation);
  g_test_add_func("/sim/eam-file/random-flips", test_random_flips);
  return g_test_run();
}
