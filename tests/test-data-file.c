/* test-data-file.c: LAMMPS data files: reading hand-written files, exact round trips
 * through our writer and through LAMMPS itself, every kind of broken file, full disks,
 * and mechanically mutated files. */
#include <glib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sim/data_file.h"

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
  g_assert_true(g_file_get_contents(path, &text, len, NULL));
  g_free(path);
  return text;
}

static void read_ok(const char *rel, AmBox *box, AmAtoms *atoms, AmDataInfo *info)
{
  char *path = source_path(rel);
  AmError err = {0};
  if (am_data_read(path, box, atoms, info, &err) != AM_OK)
    g_error("%s", err.message);
  g_free(path);
}

static long index_of(const AmAtoms *a, int64_t id)
{
  const long i = am_atoms_find_id(a, id);
  g_assert_cmpint(i, >=, 0);
  return i;
}

static void test_read_small(void)
{
  AmBox box;
  AmAtoms a = {0};
  AmDataInfo info;
  read_ok("tests/data/io/small.data", &box, &a, &info);
  g_assert_true(g_str_has_prefix(info.title, "Small triclinic Cu-Zr test sample"));
  g_assert_true(info.has_masses && info.has_velocities && info.has_images);
  g_assert_cmpfloat(box.lo[0], ==, -1.5);
  g_assert_cmpfloat(box.lo[2], ==, 0.5);
  g_assert_cmpfloat(box.lx, ==, 10.0);
  g_assert_cmpfloat(box.lz, ==, 12.0);
  g_assert_cmpfloat(box.xy, ==, 1.25);
  g_assert_cmpfloat(box.xz, ==, -0.5);
  g_assert_cmpfloat(box.yz, ==, 0.75);
  g_assert_cmpuint(a.n, ==, 8);
  g_assert_cmpint(a.ntypes, ==, 2);
  g_assert_cmpfloat(a.mass[0], ==, 63.546);
  g_assert_cmpfloat(a.mass[1], ==, 91.224);
  g_assert_cmpstr(a.type_label[0], ==, "Cu");
  g_assert_cmpstr(a.type_label[1], ==, "Zr");
  long i = index_of(&a, 2);
  g_assert_cmpint(a.type[i], ==, 1);
  g_assert_cmpfloat(a.x[3 * i + 2], ==, 3.5);
  g_assert_cmpint(a.image[3 * i + 0], ==, 1);
  g_assert_cmpint(a.image[3 * i + 1], ==, -1);
  g_assert_cmpfloat(a.v[3 * i + 2], ==, 2.5);
  i = index_of(&a, 3);
  g_assert_cmpfloat(a.v[3 * i + 0], ==, -0.25);
  g_assert_cmpfloat(a.v[3 * i + 2], ==, 0.1);
  g_assert_cmpint(a.image[3 * i + 2], ==, 2);
  /* Atom 5 lies beyond xhi along a and is wrapped by one period, atom 7 beyond zhi
   * (wrapped by c = (xz, yz, lz)), atom 6 below ylo (shifted by b = (xy, ly, 0)). */
  i = index_of(&a, 5);
  g_assert_cmpfloat(a.x[3 * i + 0], ==, 0.0);
  g_assert_cmpint(a.image[3 * i + 0], ==, 1);
  i = index_of(&a, 7);
  g_assert_cmpfloat(a.x[3 * i + 0], ==, 3.5);
  g_assert_cmpfloat(a.x[3 * i + 1], ==, 2.25);
  g_assert_cmpfloat(a.x[3 * i + 2], ==, 0.75);
  g_assert_cmpint(a.image[3 * i + 2], ==, 1);
  i = index_of(&a, 6);
  g_assert_cmpfloat(a.x[3 * i + 0], ==, 3.25);
  g_assert_cmpfloat(a.x[3 * i + 1], ==, 9.0);
  g_assert_cmpint(a.image[3 * i + 0], ==, -2);
  g_assert_cmpint(a.image[3 * i + 1], ==, -1);
  /* Every atom is now inside the cell. */
  for (size_t j = 0; j < a.n; j++) {
    double s[3];
    am_box_to_frac(&box, &a.x[3 * j], s);
    for (int k = 0; k < 3; k++)
      g_assert_true(s[k] >= 0.0 && s[k] < 1.0);
  }
  AmError err = {0};
  g_assert_cmpint(am_atoms_validate(&a, &err), ==, AM_OK);

  /* Newer LAMMPS names types in an "Atom Type Labels" section; it wins over comments. */
  const char *labelled = "t\n1 atoms\n2 atom types\n0 1 xlo xhi\n0 1 ylo yhi\n0 1 zlo zhi\n\n"
                         "Atom Type Labels\n\n1 Cu\n2 Zr\n\nMasses\n\n1 63.546 # copper\n2 91.224\n\n"
                         "Atoms # atomic\n\n1 2 0.5 0.5 0.5\n";
  AmError err0 = {0};
  g_assert_cmpint(am_data_parse(labelled, strlen(labelled), "l", &box, &a, &info, &err0), ==, AM_OK);
  g_assert_cmpstr(a.type_label[0], ==, "Cu");
  g_assert_cmpstr(a.type_label[1], ==, "Zr");

  read_ok("tests/data/io/nolabels.data", &box, &a, &info);
  g_assert_false(info.has_images || info.has_velocities);
  g_assert_true(info.has_masses);
  g_assert_cmpuint(a.n, ==, 4);
  g_assert_cmpstr(a.type_label[0], ==, "");
  g_assert_false(am_box_is_triclinic(&box));
  i = index_of(&a, 30);
  g_assert_cmpfloat(a.x[3 * i + 1], ==, 3.0);
  g_assert_cmpfloat(a.v[3 * i + 1], ==, 0.0);
  am_atoms_free(&a);
}

/* A reproducible awkward system: irregular numbers, shuffled ids, images, labels. */
static void make_system(AmBox *box, AmAtoms *a, size_t n, int64_t id_base)
{
  AmError err = {0};
  const double lo[3] = {-3.125, 0.1, 2.0 / 3.0}, hi[3] = {17.3, 21.7 + 1e-9, 19.0};
  am_box_set(box, lo, hi, 0.173, -1.0 / 7.0, 2.5e-3);
  g_assert_cmpint(am_atoms_resize(a, n, &err), ==, AM_OK);
  a->ntypes = 3;
  a->mass[0] = 63.546, a->mass[1] = 91.224, a->mass[2] = 1.0 / 3.0;
  strcpy(a->type_label[0], "Cu");
  strcpy(a->type_label[1], "Zr");
  GRand *rng = g_rand_new_with_seed(42);
  for (size_t i = 0; i < n; i++) {
    a->id[i] = (int64_t) ((i * 7919) % n) + id_base;
    a->type[i] = (int32_t) g_rand_int_range(rng, 0, 3);
    double s[3];
    for (int k = 0; k < 3; k++) {
      s[k] = g_rand_double(rng);
      a->v[3 * i + k] = g_rand_double_range(rng, -1e3, 1e3) * pow(10.0, g_rand_int_range(rng, -300, 3));
      a->image[3 * i + k] = g_rand_int_range(rng, -500, 500); /* LAMMPS keeps 10-bit image flags */
    }
    am_box_from_frac(box, s, &a->x[3 * i]);
  }
  g_rand_free(rng);
}

static void assert_same_atoms(const AmAtoms *a, const AmAtoms *b, bool velocities, double x_tol)
{
  g_assert_cmpuint(a->n, ==, b->n);
  g_assert_cmpint(a->ntypes, ==, b->ntypes);
  for (int t = 0; t < a->ntypes; t++) {
    g_assert_cmpfloat(a->mass[t], ==, b->mass[t]);
    g_assert_cmpstr(a->type_label[t], ==, b->type_label[t]);
  }
  for (size_t i = 0; i < a->n; i++) {
    const long j = index_of(b, a->id[i]);
    g_assert_cmpint(a->type[i], ==, b->type[j]);
    for (int k = 0; k < 3; k++) {
      if (x_tol == 0.0)
        g_assert_cmpfloat(a->x[3 * i + k], ==, b->x[3 * j + k]);
      else
        g_assert_cmpfloat_with_epsilon(a->x[3 * i + k], b->x[3 * j + k], x_tol);
      g_assert_cmpint(a->image[3 * i + k], ==, b->image[3 * j + k]);
      if (velocities)
        g_assert_cmpfloat(a->v[3 * i + k], ==, b->v[3 * j + k]);
    }
  }
}

static void assert_same_box(const AmBox *a, const AmBox *b)
{
  /* The file holds lo and hi; lx = hi - lo may differ from the original in the last bit. */
  for (int k = 0; k < 3; k++)
    g_assert_cmpfloat(a->lo[k], ==, b->lo[k]);
  g_assert_cmpfloat_with_epsilon(a->lx, b->lx, 1e-14 * a->lx);
  g_assert_cmpfloat_with_epsilon(a->ly, b->ly, 1e-14 * a->ly);
  g_assert_cmpfloat_with_epsilon(a->lz, b->lz, 1e-14 * a->lz);
  g_assert_cmpfloat(a->xy, ==, b->xy);
  g_assert_cmpfloat(a->xz, ==, b->xz);
  g_assert_cmpfloat(a->yz, ==, b->yz);
}

static void test_round_trip(void)
{
  AmBox box, box2;
  AmAtoms a = {0}, b = {0};
  AmDataInfo info;
  AmError err = {0};
  make_system(&box, &a, 500, 1000000000000LL);
  char *dir = g_dir_make_tmp("amorph-data-XXXXXX", NULL);
  char *path = g_build_filename(dir, "rt.data", NULL);
  g_assert_cmpint(am_data_write(path, &box, &a, "round\ntrip", true, &err), ==, AM_OK);
  g_assert_cmpint(am_data_read(path, &box2, &b, &info, &err), ==, AM_OK);
  g_assert_cmpstr(info.title, ==, "round trip");
  g_assert_true(info.has_images && info.has_velocities && info.has_masses);
  assert_same_box(&box, &box2);
  assert_same_atoms(&a, &b, true, 0.0);

  /* Atoms are written sorted by id. */
  char *text;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  const char *atoms = strstr(text, "Atoms # atomic\n\n");
  g_assert_nonnull(atoms);
  char **lines = g_strsplit(atoms, "\n", 510);
  for (int i = 3; i < 2 + 500; i++)
    g_assert_cmpint(g_ascii_strtoll(lines[i], NULL, 10), >, g_ascii_strtoll(lines[i - 1], NULL, 10));
  g_strfreev(lines);
  g_free(text);

  /* Without velocities: none written, none read back. */
  g_assert_cmpint(am_data_write(path, &box, &a, NULL, false, &err), ==, AM_OK);
  g_assert_cmpint(am_data_read(path, &box2, &b, &info, &err), ==, AM_OK);
  g_assert_false(info.has_velocities);
  assert_same_atoms(&a, &b, false, 0.0);

  /* Replacing keeps the file's permissions, and writes through a symlink to its target. */
  g_assert_cmpint(g_chmod(path, 0600), ==, 0);
  char *link = g_build_filename(dir, "link.data", NULL);
  g_assert_cmpint(symlink("rt.data", link), ==, 0);
  g_assert_cmpint(am_data_write(link, &box, &a, "via link", false, &err), ==, AM_OK);
  g_assert_true(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
  GStatBuf st;
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);
  g_assert_cmpint(am_data_read(path, &box2, &b, &info, &err), ==, AM_OK);
  g_assert_cmpstr(info.title, ==, "via link");
  g_unlink(link);
  g_free(link);

  /* Refused: a NaN position, a duplicate id (the old file stays). */
  a.x[3 * 17 + 1] = NAN;
  g_assert_cmpint(am_data_write(path, &box, &a, NULL, false, &err), ==, AM_ERR_NUMERIC);
  g_assert_nonnull(strstr(err.message, "non-finite position"));
  a.x[3 * 17 + 1] = 1.0;
  a.id[3] = a.id[4];
  g_assert_cmpint(am_data_write(path, &box, &a, NULL, false, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "used twice"));
  g_assert_cmpint(am_data_read(path, &box2, &b, &info, &err), ==, AM_OK);
  g_assert_cmpuint(b.n, ==, 500);


  g_unlink(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
  am_atoms_free(&a);
  am_atoms_free(&b);
}

static bool run_lammps(const char *dir, const char *input)
{
  char *in = g_build_filename(dir, "in.lmp", NULL);
  g_assert_true(g_file_set_contents(in, input, -1, NULL));
  const char *argv[] = {"lmp", "-in", "in.lmp", "-log", "none", NULL};
  int status = 0;
  GError *gerr = NULL;
  char *out = NULL, *errout = NULL;
  const gboolean ran = g_spawn_sync(dir, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &errout,
                                    &status, &gerr);
  if (ran && !g_spawn_check_wait_status(status, NULL))
    g_error("lmp failed:\n%s\n%s", out, errout);
  g_clear_error(&gerr);
  g_free(out);
  g_free(errout);
  g_free(in);
  return ran;
}

/* LAMMPS reads what we write and what it writes back is what we wrote; and it wraps
 * the hand-written file's atoms exactly as we do. */
static void test_lammps_round_trip(void)
{
  char *lmp = g_find_program_in_path("lmp");
  if (!lmp) {
    g_test_skip("lmp (LAMMPS) not installed");
    return;
  }
  g_free(lmp);
  AmBox box, box2;
  AmAtoms a = {0}, b = {0};
  AmDataInfo info;
  AmError err = {0};
  make_system(&box, &a, 300, 2000000000); /* LAMMPS' default build has 32-bit ids */
  char *dir = g_dir_make_tmp("amorph-lmp-XXXXXX", NULL);
  char *ours = g_build_filename(dir, "ours.data", NULL);
  char *theirs = g_build_filename(dir, "theirs.data", NULL);
  g_assert_cmpint(am_data_write(ours, &box, &a, "for LAMMPS", true, &err), ==, AM_OK);
  g_assert_true(run_lammps(dir, "units metal\natom_style atomic\nboundary p p p\nbox tilt large\n"
                                "read_data ours.data\nwrite_data theirs.data\n"));
  g_assert_cmpint(am_data_read(theirs, &box2, &b, &info, &err), ==, AM_OK);
  g_assert_true(info.has_velocities && info.has_images);
  /* LAMMPS read our labelled Masses lines; it writes labels back only in versions with
   * type labels, so compare masses only. */
  memset(a.type_label, 0, sizeof a.type_label);
  memset(b.type_label, 0, sizeof b.type_label);
  assert_same_box(&box, &box2);
  /* LAMMPS passes triclinic positions through fractional coordinates on reading, which
   * costs the last bits. */
  assert_same_atoms(&a, &b, true, 1e-13);

  /* LAMMPS (2021) wants Atoms before Velocities and no comments or blank lines among the
   * atoms: hand it small.data with the sections swapped and the Atoms lines cleaned. */
  gsize len;
  char *text = load("tests/data/io/small.data", &len);
  char **l = g_strsplit(text, "\n", -1);
  GString *reordered = g_string_new(NULL);
  const int ranges[][2] = {{1, 10}, {22, 26}, {29, 34}, {11, 21}, {35, 38}};
  for (size_t r = 0; r < G_N_ELEMENTS(ranges); r++)
    for (int k = ranges[r][0]; k <= ranges[r][1]; k++) {
      char *hash = k >= 23 && k <= 33 ? strchr(l[k - 1], '#') : NULL;
      g_string_append_printf(reordered, "%.*s\n", hash ? (int) (hash - l[k - 1]) : (int) strlen(l[k - 1]), l[k - 1]);
    }
  char *small = g_build_filename(dir, "small.data", NULL);
  g_assert_true(g_file_set_contents(small, reordered->str, -1, NULL));
  g_string_free(reordered, TRUE);
  g_strfreev(l);
  g_free(text);
  char *input = g_strdup_printf("units metal\natom_style atomic\nboundary p p p\nread_data small.data\n"
                                "write_data theirs.data\n");
  g_assert_true(run_lammps(dir, input));
  g_assert_cmpint(am_data_read(small, &box, &a, &info, &err), ==, AM_OK);
  g_unlink(small);
  g_assert_cmpint(am_data_read(theirs, &box2, &b, &info, &err), ==, AM_OK);
  assert_same_box(&box, &box2);
  g_assert_cmpuint(a.n, ==, b.n);
  g_assert_cmpuint(a.n, ==, 8);
  for (size_t i = 0; i < a.n; i++) {
    const long j = index_of(&b, a.id[i]);
    for (int k = 0; k < 3; k++) {
      g_assert_cmpfloat_with_epsilon(a.x[3 * i + k], b.x[3 * j + k], 1e-12);
      g_assert_cmpint(a.image[3 * i + k], ==, b.image[3 * j + k]);
      g_assert_cmpfloat(a.v[3 * i + k], ==, b.v[3 * j + k]);
    }
  }
  g_free(input);
  g_free(small);
  g_unlink(ours);
  g_unlink(theirs);
  char *in = g_build_filename(dir, "in.lmp", NULL);
  g_unlink(in);
  g_free(in);
  g_rmdir(dir);
  g_free(ours);
  g_free(theirs);
  g_free(dir);
  am_atoms_free(&a);
  am_atoms_free(&b);
}

static void expect_error(const char *text, AmStatus code, const char *const *parts)
{
  AmBox box = {.lx = 42.0};
  AmAtoms a = {0};
  AmError err = {0};
  const AmStatus st = am_data_parse(text, strlen(text), "bad.data", &box, &a, NULL, &err);
  if (st != code || !g_str_has_prefix(err.message, "bad.data"))
    g_error("expected status %d, got %d: %s", code, st, err.message);
  for (const char *const *p = parts; *p; p++)
    if (!strstr(err.message, *p))
      g_error("message \"%s\" lacks \"%s\"", err.message, *p);
  /* A failed read leaves the outputs untouched. */
  g_assert_cmpfloat(box.lx, ==, 42.0);
  g_assert_cmpuint(a.n, ==, 0);
  g_assert_null(a.x);
  if (g_test_verbose())
    g_printerr("  %s\n", err.message);
}

/* small.data with one line (1-based) replaced; NULL deletes it. */
static char *small_with_line(int lineno, const char *replacement)
{
  gsize len;
  char *text = load("tests/data/io/small.data", &len);
  char **lines = g_strsplit(text, "\n", -1);
  GString *out = g_string_new(NULL);
  for (int i = 0; lines[i]; i++) {
    const char *l = i == lineno - 1 ? replacement : lines[i];
    if (l)
      g_string_append_printf(out, "%s%s", l, lines[i + 1] ? "\n" : "");
  }
  g_strfreev(lines);
  g_free(text);
  return g_string_free(out, FALSE);
}

static void test_errors(void)
{
  AmBox box;
  AmAtoms a = {0};
  AmError err = {0};
  g_assert_cmpint(am_data_read("no/such.data", &box, &a, NULL, &err), ==, AM_ERR_IO);
  g_assert_nonnull(strstr(err.message, "no/such.data: cannot open"));

  struct {
    int line;
    const char *text;
    AmStatus code;
    const char *parts[4];
  } cases[] = {
    {4, NULL, AM_ERR_FORMAT, {"lacks the number of atoms"}},
    {5, NULL, AM_ERR_FORMAT, {"lacks the number of atom types"}},
    {7, NULL, AM_ERR_FORMAT, {"lacks the box bounds \"ylo yhi\""}},
    {4, "9 atoms", AM_ERR_FORMAT, {"line 22", "Velocities section (line 11) ends after 8 of 9"}},
    {4, "7 atoms", AM_ERR_FORMAT, {"line 20", "expected a section keyword", "more lines"}},
    {4, "eight atoms", AM_ERR_FORMAT, {"line 4", "whole number before \"atoms\"", "\"eight\""}},
    {4, "-8 atoms", AM_ERR_FORMAT, {"line 4", "must not be negative"}},
    {4, "900000000 atoms", AM_ERR_FORMAT, {"line 4", "announces 900000000 atoms but only"}},
    {5, "9 atom types", AM_ERR_FORMAT, {"line 5", "between 1 and 8"}},
    {5, "2 atom typos", AM_ERR_FORMAT, {"line 5", "unknown header line \"2 atom typos\""}},
    {6, "8.5 -1.5 xlo xhi", AM_ERR_FORMAT, {"line 6", "must exceed the lower bound"}},
    {6, "-1.5 inf xlo xhi", AM_ERR_NUMERIC, {"line 6", "not finite"}},
    {6, "-1.5 8.5 xlo xhi extra", AM_ERR_FORMAT, {"line 6", "unknown header line"}},
    {7, "0.0 10.0 xlo xhi", AM_ERR_FORMAT, {"line 7", "\"xlo xhi\" given twice"}},
    {9, "1.25 -0.5 xy xz yz", AM_ERR_FORMAT, {"line 9", "unknown header line"}},
    {4, "12 bonds", AM_ERR_UNSUPPORTED, {"line 4", "12 bonds", "atom_style atomic"}},
    {11, "Velocitys", AM_ERR_FORMAT, {"line 11", "unknown section \"Velocitys\""}},
    {11, "Bonds", AM_ERR_UNSUPPORTED, {"line 11", "Bonds"}},
    {14, "1  0.1  0.2", AM_ERR_FORMAT, {"line 14", "expected \"id vx vy vz\""}},
    {14, "1  0.1  nan  0.3", AM_ERR_NUMERIC, {"bad.data: velocity of atom 1 at line 14: vy is NaN"}},
    {14, "9  0.1  0.2  0.3", AM_ERR_FORMAT, {"line 14", "velocity given for atom 9, which is not in the Atoms"}},
    {14, "3  0.1  0.2  0.3", AM_ERR_FORMAT, {"line 14", "velocity for atom 3 was already given at line 13"}},
    {22, "Atoms # full", AM_ERR_UNSUPPORTED, {"line 22", "atom_style full"}},
    {24, "1 1 0.0 0.0 1.0 0 0", AM_ERR_FORMAT, {"line 24", "(5 or 8 columns), found 7"}},
    {25, "2 2 1.5 2.5 3.5", AM_ERR_FORMAT, {"line 25", "5 columns where the first atom line had 8"}},
    {25, "2 3 1.5 2.5 3.5 1 -1 0", AM_ERR_FORMAT, {"line 25", "atom 2: type 3 is out of range 1..2"}},
    {25, "2 0 1.5 2.5 3.5 1 -1 0", AM_ERR_FORMAT, {"line 25", "type 0 is out of range"}},
    {25, "2 2 1.5 NaN 3.5 1 -1 0", AM_ERR_NUMERIC, {"bad.data: atom 2 at line 25: y is NaN"}},
    {25, "2 2 1.5 2.5 -Inf 1 -1 0", AM_ERR_NUMERIC, {"atom 2 at line 25: z is infinite"}},
    {25, "2 2 1.5 2,5 3.5 1 -1 0", AM_ERR_FORMAT, {"line 25", "atom 2: expected y (a number), found \"2,5\""}},
    {25, "2 2 1.5 2.5 3.5 1 -1 0.5", AM_ERR_FORMAT, {"line 25", "image flag iz"}},
    {25, "0 2 1.5 2.5 3.5 1 -1 0", AM_ERR_FORMAT, {"line 25", "ids must be positive"}},
    {25, "x2 2 1.5 2.5 3.5 1 -1 0", AM_ERR_FORMAT, {"line 25", "expected an atom id, found \"x2\""}},
    {25, "1 2 1.5 2.5 3.5 1 -1 0", AM_ERR_FORMAT, {"line 25", "atom id 1 was already used at line 24"}},
    {25, "2 2 1e300 2.5 3.5 1 -1 0", AM_ERR_FORMAT, {"atom 2 at line 25", "million box lengths"}},
    {21, "Masses\n\n1 1\n2 2\n", AM_ERR_FORMAT, {"line 39", "Masses section appears twice (first at line 21)"}},
    {37, "2 -91.224", AM_ERR_FORMAT, {"line 37", "mass of type 2 must be positive"}},
    {37, "2 91.224 12", AM_ERR_FORMAT, {"line 37", "expected \"type mass\""}},
    {37, "3 91.224", AM_ERR_FORMAT, {"line 37", "atom type 3 is out of range 1..2"}},
    {38, "2 63.546", AM_ERR_FORMAT, {"line 38", "mass of type 2 was already given at line 37"}},
    {38, NULL, AM_ERR_FORMAT, {"file ends inside the Masses section (line 35) after 1 of 2 lines"}},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *text = small_with_line(cases[i].line, cases[i].text);
    expect_error(text, cases[i].code, cases[i].parts);
    g_free(text);
  }
  expect_error("", AM_ERR_FORMAT, (const char *[]){"empty", NULL});
  expect_error("t\n0 atoms\n2 atom types\n0 1 xlo xhi\n0 1 ylo yhi\n0 1 zlo zhi\nAtom Type Labels\n\n1 Cu\n1 Zr\n",
               AM_ERR_FORMAT, (const char *[]){"line 10", "type 1 was already labelled at line 9", NULL});
  expect_error("title\n1 atoms\n1 atom types\n0 1 xlo xhi\n0 1 ylo yhi\n0 1 zlo zhi\n", AM_ERR_FORMAT,
               (const char *[]){"no Atoms section", NULL});
  /* A section keyword where data lines are due is a truncated section, not data. */
  expect_error("t\n2 atoms\n1 atom types\n0 1 xlo xhi\n0 1 ylo yhi\n0 1 zlo zhi\nAtoms\n\n1 1 0 0 0\nMasses\n\n1 1\n",
               AM_ERR_FORMAT, (const char *[]){"line 10", "Atoms section (line 7) ends after 1 of 2", NULL});
}

static void write_small_system(const char *path)
{
  AmBox box;
  AmAtoms a = {0};
  AmError err = {0};
  make_system(&box, &a, 50, 1);
  g_assert_cmpint(am_data_write(path, &box, &a, "original", true, &err), ==, AM_OK);
  am_atoms_free(&a);
}

static void test_full_disk(void)
{
  AmBox box;
  AmAtoms a = {0};
  AmError err = {0};
  make_system(&box, &a, 2000, 1);
  /* /dev/full is a device: written in place (never renamed over), and the write fails. */
  g_assert_cmpint(am_data_write("/dev/full", &box, &a, "t", true, &err), ==, AM_ERR_IO);
  g_assert_nonnull(strstr(err.message, "/dev/full"));
  g_assert_nonnull(strstr(err.message, "No space left on device"));
  FILE *fp = fopen("/dev/full", "w");
  g_assert_nonnull(fp);
  g_assert_cmpint(am_data_write_stream(fp, "full-stream", &box, &a, "t", true, &err), ==, AM_ERR_IO);
  g_assert_nonnull(strstr(err.message, "No space left on device"));
  fclose(fp);

  /* A disk that fills up mid-write (simulated with a file size limit): the error says
   * so, the previous file is intact, and no temporary file is left behind. */
  char *dir = g_dir_make_tmp("amorph-full-XXXXXX", NULL);
  char *path = g_build_filename(dir, "sample.data", NULL);
  write_small_system(path);
  char *before;
  gsize before_len;
  g_assert_true(g_file_get_contents(path, &before, &before_len, NULL));
  struct rlimit old, lim;
  g_assert_cmpint(getrlimit(RLIMIT_FSIZE, &old), ==, 0);
  lim = old;
  lim.rlim_cur = 16384;
  void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
  g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &lim), ==, 0);
  const AmStatus st = am_data_write(path, &box, &a, "too big", true, &err);
  g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &old), ==, 0);
  signal(SIGXFSZ, old_handler);
  g_assert_cmpint(st, ==, AM_ERR_IO);
  g_assert_nonnull(strstr(err.message, "File too large"));
  g_assert_nonnull(strstr(err.message, "unchanged"));
  char *after;
  gsize after_len;
  g_assert_true(g_file_get_contents(path, &after, &after_len, NULL));
  g_assert_cmpmem(before, before_len, after, after_len);
  GDir *d = g_dir_open(dir, 0, NULL);
  int entries = 0;
  while (g_dir_read_name(d))
    entries++;
  g_dir_close(d);
  g_assert_cmpint(entries, ==, 1);
  /* Writing into a directory that does not exist fails cleanly too. */
  char *missing = g_build_filename(dir, "no-such-dir", "x.data", NULL);
  g_assert_cmpint(am_data_write(missing, &box, &a, "t", true, &err), ==, AM_ERR_IO);
  g_assert_nonnull(strstr(err.message, "No such file or directory"));
  g_free(missing);
  g_unlink(path);
  g_rmdir(dir);
  g_free(before);
  g_free(after);
  g_free(path);
  g_free(dir);
  am_atoms_free(&a);
}

/* A decimal-comma locale must not change what is read or written. */
static void test_locale(void)
{
  const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "nl_NL.UTF-8"};
  const char *set = NULL;
  for (size_t i = 0; i < G_N_ELEMENTS(names) && !set; i++)
    set = setlocale(LC_NUMERIC, names[i]);
  if (!set) {
    g_test_skip("no decimal-comma locale installed");
    return;
  }
  AmBox box, box2;
  AmAtoms a = {0}, b = {0};
  AmError err = {0};
  make_system(&box, &a, 20, 1);
  char *dir = g_dir_make_tmp("amorph-loc-XXXXXX", NULL);
  char *path = g_build_filename(dir, "l.data", NULL);
  g_assert_cmpint(am_data_write(path, &box, &a, "locale", true, &err), ==, AM_OK);
  g_assert_cmpint(am_data_read(path, &box2, &b, NULL, &err), ==, AM_OK);
  setlocale(LC_NUMERIC, "C");
  assert_same_atoms(&a, &b, true, 0.0);
  g_unlink(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
  am_atoms_free(&a);
  am_atoms_free(&b);
}

static void parse_mutant(const char *bytes, size_t len, int *ok, int *bad)
{
  char *copy = g_malloc(len ? len : 1);
  memcpy(copy, bytes, len);
  AmBox box;
  AmAtoms a = {0};
  AmError err = {0};
  if (am_data_parse(copy, len, "mutant", &box, &a, NULL, &err) == AM_OK) {
    (*ok)++;
    g_assert_cmpint(am_box_validate(&box, &err), ==, AM_OK);
    for (size_t i = 0; i < a.n; i++) {
      g_assert_cmpint(a.type[i], >=, 0);
      g_assert_cmpint(a.type[i], <, a.ntypes);
      for (int k = 0; k < 3; k++)
        g_assert_true(isfinite(a.x[3 * i + k]) && isfinite(a.v[3 * i + k]));
    }
  } else {
    (*bad)++;
    g_assert_cmpstr(err.message, !=, "");
  }
  am_atoms_free(&a);
  g_free(copy);
}

static void test_every_truncation(void)
{
  gsize len;
  char *text = load("tests/data/io/small.data", &len);
  int ok = 0, bad = 0;
  for (size_t cut = 0; cut <= len; cut++)
    parse_mutant(text, cut, &ok, &bad);
  /* What may parse: the file cut just before "Masses" (3 cuts: the section is
   * optional), and cuts in the last line "1 63.546 # Cu\n" after its mass began (12
   * cuts: a shorter mass or label is still a mass or label). Anything else lost data. */
  g_assert_cmpint(ok, ==, 15);
  g_assert_cmpint(ok + bad, ==, (int) len + 1);
  g_free(text);
}

static void test_random_flips(void)
{
  gsize len;
  char *text = load("tests/data/io/small.data", &len);
  GRand *rng = g_rand_new_with_seed(777);
  static const char pool[] = "0123456789.eE+-# \n\t\rnaiAMVx\0";
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
    parse_mutant(m, len, &ok, &bad);
  }
  g_assert_cmpint(ok, >, 0);
  g_assert_cmpint(bad, >, 0);
  if (g_test_verbose())
    g_printerr("random flips: %d parsed, %d rejected\n", ok, bad);
  g_free(m);
  g_rand_free(rng);
  g_free(text);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sim/data-file/read", test_read_small);
  g_test_add_func("/sim/data-file/round-trip", test_round_trip);
  g_test_add_func("/sim/data-file/lammps-round-trip", test_lammps_round_trip);
  g_test_add_func("/sim/data-file/errors", test_errors);
  g_test_add_func("/sim/data-file/full-disk", test_full_disk);
  g_test_add_func("/sim/data-file/locale", test_locale);
  g_test_add_func("/sim/data-file/every-truncation", test_every_truncation);
  g_test_add_func("/sim/data-file/random-flips", test_random_flips);
  return g_test_run();
}
