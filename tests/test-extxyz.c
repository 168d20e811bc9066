/* test-extxyz.c: extended XYZ trajectories: frames written, appended and read back
 * exactly; invalid frames refused without touching the file; a full disk never leaves
 * half a frame; the frame parser survives mutated input. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "sim/extxyz.h"

typedef struct {
  AmBox box;
  AmAtoms atoms;
  double *umax;   /* 1 per atom */
  double *disp;   /* 3 per atom */
  int32_t *cls;   /* 1 per atom */
  AmXyzColumn cols[3];
} Sample;

static void sample_init(Sample *s, size_t n, guint32 seed)
{
  AmError err = {0};
  memset(s, 0, sizeof *s);
  const double lo[3] = {-1.0 / 3.0, 2.0, 0.0}, hi[3] = {21.0, 19.5, 20.0 + 1e-7};
  am_box_set(&s->box, lo, hi, 0.21, -0.125, 1.0 / 7.0);
  g_assert_cmpint(am_atoms_resize(&s->atoms, n, &err), ==, AM_OK);
  s->atoms.ntypes = 3;
  strcpy(s->atoms.type_label[0], "Cu");
  strcpy(s->atoms.type_label[1], "Zr");
  /* type 3 has no label: written as "3" */
  s->umax = g_new(double, n);
  s->disp = g_new(double, 3 * n);
  s->cls = g_new(int32_t, n);
  GRand *rng = g_rand_new_with_seed(seed);
  for (size_t i = 0; i < n; i++) {
    s->atoms.id[i] = (int64_t) (n - i) * 3;
    s->atoms.type[i] = (int32_t) (i % 3);
    double f[3];
    for (int k = 0; k < 3; k++) {
      f[k] = g_rand_double(rng);
      s->atoms.image[3 * i + k] = g_rand_int_range(rng, -3, 4);
      s->disp[3 * i + k] = g_rand_double_range(rng, -2, 2) * 1e-200;
    }
    am_box_from_frac(&s->box, f, &s->atoms.x[3 * i]);
    s->umax[i] = g_rand_double_range(rng, 0, 3);
    s->cls[i] = g_rand_int_range(rng, -2, 3);
  }
  g_rand_free(rng);
  s->cols[0] = (AmXyzColumn){"u_max", AM_XYZ_REAL, 1, s->umax, NULL};
  s->cols[1] = (AmXyzColumn){"disp", AM_XYZ_REAL, 3, s->disp, NULL};
  s->cols[2] = (AmXyzColumn){"class", AM_XYZ_INT, 1, NULL, s->cls};
}

static void sample_free(Sample *s)
{
  am_atoms_free(&s->atoms);
  g_free(s->umax);
  g_free(s->disp);
  g_free(s->cls);
}

static void check_frame(const AmXyzFrame *f, const Sample *s, double time, long long step, bool unwrapped)
{
  g_assert_cmpuint(f->n, ==, s->atoms.n);
  g_assert_true(f->has_time && f->has_step && f->has_lattice && f->has_origin);
  g_assert_cmpfloat(f->time, ==, time);
  g_assert_cmpint(f->step, ==, step);
  AmBox box;
  AmError err = {0};
  g_assert_cmpint(am_extxyz_frame_box(f, &box, &err), ==, AM_OK);
  g_assert_cmpmem(&box, sizeof box, &s->box, sizeof s->box);
  const AmXyzProperty *pos = am_extxyz_frame_property(f, "pos");
  const AmXyzProperty *id = am_extxyz_frame_property(f, "id");
  const AmXyzProperty *umax = am_extxyz_frame_property(f, "u_max");
  const AmXyzProperty *disp = am_extxyz_frame_property(f, "disp");
  const AmXyzProperty *cls = am_extxyz_frame_property(f, "class");
  g_assert_true(pos && id && umax && disp && cls);
  g_assert_cmpint(pos->kind, ==, 'R');
  g_assert_cmpint(id->kind, ==, 'I');
  g_assert_cmpint(disp->ncomp, ==, 3);
  g_assert_cmpint(cls->kind, ==, 'I');
  g_assert_nonnull(f->species);
  static const char *const species[3] = {"Cu", "Zr", "3"};
  for (size_t i = 0; i < f->n; i++) {
    g_assert_cmpstr(f->species[i], ==, species[s->atoms.type[i]]);
    g_assert_cmpfloat(id->data[i], ==, (double) s->atoms.id[i]);
    double want[3];
    if (unwrapped)
      am_box_unwrap(&s->box, &s->atoms.x[3 * i], &s->atoms.image[3 * i], want);
    else
      memcpy(want, &s->atoms.x[3 * i], sizeof want);
    for (int k = 0; k < 3; k++) {
      g_assert_cmpfloat(pos->data[3 * i + k], ==, want[k]);
      g_assert_cmpfloat(disp->data[3 * i + k], ==, s->disp[3 * i + k]);
    }
    g_assert_cmpfloat(umax->data[i], ==, s->umax[i]);
    g_assert_cmpfloat(cls->data[i], ==, (double) s->cls[i]);
  }
}

static int count_frames(const char *path, const Sample *s)
{
  char *text;
  gsize len;
  g_assert_true(g_file_get_contents(path, &text, &len, NULL));
  AmXyzFrame f = {0};
  AmError err = {0};
  size_t at = 0;
  long line = 1;
  int frames = 0;
  while (at < len) {
    size_t used;
    long nl;
    if (am_extxyz_parse_frame(text + at, len - at, path, line, &f, &used, &nl, &err) != AM_OK)
      g_error("%s", err.message);
    if (s)
      check_frame(&f, s, 0.5 * frames, 1000LL * frames, frames % 2 == 1);
    at += used;
    line += nl;
    frames++;
  }
  am_extxyz_frame_free(&f);
  g_free(text);
  return frames;
}

static void test_write_read_append(void)
{
  Sample s;
  sample_init(&s, 200, 1);
  AmError err = {0};
  char *dir = g_dir_make_tmp("amorph-xyz-XXXXXX", NULL);
  char *path = g_build_filename(dir, "traj.extxyz", NULL);
  AmXyzWriter *w;
  g_assert_cmpint(am_extxyz_open(path, false, &w, &err), ==, AM_OK);
  for (int k = 0; k < 3; k++)
    g_assert_cmpint(am_extxyz_write_frame(w, &s.box, &s.atoms, 0.5 * k, 1000LL * k, s.cols, 3,
                                          k % 2 ? AM_XYZ_UNWRAPPED : 0, &err), ==, AM_OK);
  g_assert_cmpint(am_extxyz_close(w, &err), ==, AM_OK);
  g_assert_cmpint(count_frames(path, &s), ==, 3);

  /* What OVITO keys on, literally. */
  char *text;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_assert_true(g_str_has_prefix(text, "200\nLattice=\"21.333333333333332 0 0 0.20999999999999999 17.5 0 -0.125 "));
  g_assert_nonnull(strstr(text, "Properties=species:S:1:pos:R:3:id:I:1:u_max:R:1:disp:R:3:class:I:1 Time=0 Step=0\n"));
  g_assert_nonnull(strstr(text, "pbc=\"T T T\""));
  g_free(text);

  /* Appending keeps the frames; opening without append starts over. */
  g_assert_cmpint(am_extxyz_open(path, true, &w, &err), ==, AM_OK);
  g_assert_cmpint(am_extxyz_write_frame(w, &s.box, &s.atoms, 1.5, 3000, s.cols, 3, AM_XYZ_UNWRAPPED, &err), ==, AM_OK);
  g_assert_cmpint(am_extxyz_close(w, &err), ==, AM_OK);
  g_assert_cmpint(count_frames(path, &s), ==, 4);
  g_assert_cmpint(am_extxyz_open(path, false, &w, &err), ==, AM_OK);
  g_assert_cmpint(am_extxyz_write_frame(w, &s.box, &s.atoms, 0.0, 0, s.cols, 3, 0, &err), ==, AM_OK);

  /* Refused frames leave the file as it was. */
  GStatBuf st0, st1;
  g_assert_cmpint(g_stat(path, &st0), ==, 0);
  AmXyzColumn bad = s.cols[0];
  const char *bad_names[] = {"1abc", "has space", "pos", "ID", "", "a:b"};
  for (size_t k = 0; k < G_N_ELEMENTS(bad_names); k++) {
    bad.name = bad_names[k];
    g_assert_cmpint(am_extxyz_write_frame(w, &s.box, &s.atoms, 1, 1, &bad, 1, 0, &err), ==, AM_ERR_INVALID);
  }
  AmXyzColumn twice[2] = {s.cols[0], s.cols[0]};
  g_assert_cmpint(am_extxyz_write_frame(w, &s.box, &s.atoms, 1, 1, twice, 2, 0, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "given twice"));
  s.umax[7] = NAN;
  g_assert_cmpint(am_extxyz_write_frame(w, &s.box, &s.atoms, 1, 1, s.cols, 3, 0, &err), ==, AM_ERR_NUMERIC);
  g_assert_nonnull(strstr(err.message, "u_max"));
  s.umax[7] = 0.0;
  s.atoms.x[5] = INFINITY;
  g_assert_cmpint(am_extxyz_write_frame(w, &s.box, &s.atoms, 1, 1, NULL, 0, 0, &err), ==, AM_ERR_NUMERIC);
  g_assert_cmpint(am_extxyz_write_frame(w, &s.box, &s.atoms, NAN, 1, NULL, 0, 0, &err), ==, AM_ERR_NUMERIC);
  g_assert_cmpint(g_stat(path, &st1), ==, 0);
  g_assert_cmpint(st0.st_size, ==, st1.st_size);
  g_assert_cmpint(am_extxyz_close(w, &err), ==, AM_OK);
  g_assert_cmpint(count_frames(path, NULL), ==, 1);

  g_assert_cmpint(am_extxyz_open("no/such/dir/t.xyz", false, &w, &err), ==, AM_ERR_IO);
  g_assert_nonnull(strstr(err.message, "no/such/dir/t.xyz"));
  g_assert_null(w);

  g_unlink(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
  sample_free(&s);
}

static void test_full_disk(void)
{
  Sample s;
  sample_init(&s, 300, 2);
  AmError err = {0};
  AmXyzWriter *w;
  g_assert_cmpint(am_extxyz_open("/dev/full", true, &w, &err), ==, AM_OK);
  g_assert_cmpint(am_extxyz_write_frame(w, &s.box, &s.atoms, 0, 0, s.cols, 3, 0, &err), ==, AM_ERR_IO);
  g_assert_nonnull(strstr(err.message, "No space left on device"));
  am_extxyz_close(w, NULL);

  /* The disk fills during the third frame: the file keeps two whole frames. */
  char *dir = g_dir_make_tmp("amorph-xyzfull-XXXXXX", NULL);
  char *path = g_build_filename(dir, "t.extxyz", NULL);
  g_assert_cmpint(am_extxyz_open(path, false, &w, &err), ==, AM_OK);
  for (int k = 0; k < 2; k++)
    g_assert_cmpint(am_extxyz_write_frame(w, &s.box, &s.atoms, 0.5 * k, 1000LL * k, s.cols, 3,
                                          k % 2 ? AM_XYZ_UNWRAPPED : 0, &err), ==, AM_OK);
  GStatBuf st;
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  struct rlimit old, lim;
  g_assert_cmpint(getrlimit(RLIMIT_FSIZE, &old), ==, 0);
  lim = old;
  lim.rlim_cur = (rlim_t) st.st_size + st.st_size / 4;
  void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
  g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &lim), ==, 0);
  const AmStatus r = am_extxyz_write_frame(w, &s.box, &s.atoms, 1.0, 2000, s.cols, 3, 0, &err);
  g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &old), ==, 0);
  signal(SIGXFSZ, old_handler);
  g_assert_cmpint(r, ==, AM_ERR_IO);
  g_assert_nonnull(strstr(err.message, "partial frame was removed"));
  g_assert_cmpint(am_extxyz_close(w, &err), ==, AM_OK);
  GStatBuf st2;
  g_assert_cmpint(g_stat(path, &st2), ==, 0);
  g_assert_cmpint(st2.st_size, ==, st.st_size);
  g_assert_cmpint(count_frames(path, &s), ==, 2);
  g_unlink(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
  sample_free(&s);
}

static void expect_error(const char *text, AmStatus code, const char *part)
{
  AmXyzFrame f = {0};
  AmError err = {0};
  const AmStatus st = am_extxyz_parse_frame(text, strlen(text), "bad.xyz", 1, &f, NULL, NULL, &err);
  if (st != code || !strstr(err.message, part) || !g_str_has_prefix(err.message, "bad.xyz, line "))
    g_error("expected %d with \"%s\", got %d: %s", code, part, st, err.message);
  g_assert_cmpuint(f.n, ==, 0);
  g_assert_null(f.species);
}

static void test_parse(void)
{
  /* Plain XYZ (default properties), flags without values, and an L column. */
  const char *plain = "2\nsome title without keys\nCu 0 0 0\nZr 1 2 3\n";
  AmXyzFrame f = {0};
  AmError err = {0};
  size_t used;
  long lines;
  g_assert_cmpint(am_extxyz_parse_frame(plain, strlen(plain), "p", 1, &f, &used, &lines, &err), ==, AM_OK);
  g_assert_cmpuint(used, ==, strlen(plain));
  g_assert_cmpint(lines, ==, 4);
  g_assert_false(f.has_lattice || f.has_time);
  g_assert_cmpstr(f.species[1], ==, "Zr");
  g_assert_cmpfloat(am_extxyz_frame_property(&f, "pos")->data[5], ==, 3.0);
  AmBox box;
  g_assert_cmpint(am_extxyz_frame_box(&f, &box, &err), ==, AM_ERR_FORMAT);
  const char *flagged = "1\nLattice=\"2 0 0 0 2 0 0 0 2\" flag Properties=pos:R:3:fixed:L:1 Time=2.5\n0 1 1 T\n";
  g_assert_cmpint(am_extxyz_parse_frame(flagged, strlen(flagged), "p", 1, &f, NULL, NULL, &err), ==, AM_OK);
  g_assert_null(f.species);
  g_assert_cmpfloat(am_extxyz_frame_property(&f, "fixed")->data[0], ==, 1.0);
  g_assert_cmpfloat(f.time, ==, 2.5);
  g_assert_cmpint(am_extxyz_frame_box(&f, &box, &err), ==, AM_OK);
  g_assert_cmpfloat(box.ly, ==, 2.0);
  const char *general = "1\nLattice=\"2 1 0 0 2 0 0 0 2\"\nCu 0 0 0\n";
  g_assert_cmpint(am_extxyz_parse_frame(general, strlen(general), "p", 1, &f, NULL, NULL, &err), ==, AM_OK);
  g_assert_cmpint(am_extxyz_frame_box(&f, &box, &err), ==, AM_ERR_UNSUPPORTED);
  am_extxyz_frame_free(&f);

  expect_error("", AM_ERR_FORMAT, "expected the atom count");
  expect_error("two\n\n", AM_ERR_FORMAT, "line 1: expected the atom count of a frame, found \"two\"");
  expect_error("-1\n\n", AM_ERR_FORMAT, "line 1: expected the atom count");
  expect_error("5000\n\nCu 0 0 0\n", AM_ERR_FORMAT, "announces 5000 atoms");
  expect_error("1", AM_ERR_FORMAT, "line 2: the file ends before the frame's comment line");
  expect_error("1\nProperties=species:S:1\nCu\n", AM_ERR_FORMAT, "line 2: Properties has no pos:R:3");
  expect_error("1\nProperties=species:S:1:pos:R\nCu 0 0 0\n", AM_ERR_FORMAT, "line 2: Properties must be");
  expect_error("1\nProperties=species:S:1:pos:X:3\nCu 0 0 0\n", AM_ERR_FORMAT, "type must be S, R, I or L");
  expect_error("1\nProperties=species:S:1:pos:R:3:pos:R:3\nCu 0 0 0 1 1 1\n", AM_ERR_FORMAT, "listed twice");
  expect_error("1\nProperties=species:S:1:pos:R:3:name:S:1\nCu 0 0 0 a\n", AM_ERR_UNSUPPORTED, "only species:S:1");
  expect_error("1\nLattice=\"1 0 0 0 1 0 0 0\"\nCu 0 0 0\n", AM_ERR_FORMAT, "Lattice needs 9 numbers, found 8");
  expect_error("1\nLattice=\"1 0 0 0 1 0 0 0 1\nCu 0 0 0\n", AM_ERR_FORMAT, "line 2: a quoted value");
  expect_error("1\nTime=nan\nCu 0 0 0\n", AM_ERR_NUMERIC, "Time: expected a finite number");
  expect_error("2\n\nCu 0.000000 0.000000 0.000000\n", AM_ERR_FORMAT, "line 3: the file ends after 1 of the frame's 2 atoms");
  expect_error("3\nProperties=species:S:1:pos:R:3:m:R:9\nCu 0 0 0 1 2 3 4 5 6 7 8 9\n", AM_ERR_FORMAT,
               "line 2: the frame announces 3 atoms of 13 columns but only 27 bytes follow");
  expect_error("2\n\nCu 0 0 0\nZr 0 0\n", AM_ERR_FORMAT, "line 4: expected 4 columns as Properties says, found 3");
  expect_error("1\n\nCu 0 NaN 0\n", AM_ERR_NUMERIC, "line 3: atom 1 of the frame: pos must be a finite number");
  expect_error("1\nProperties=species:S:1:pos:R:3:c:I:1\nCu 0 0 0 1.5\n", AM_ERR_FORMAT, "c must be a whole number");
  expect_error("1\nProperties=species:S:1:pos:R:3:c:L:1\nCu 0 0 0 yes\n", AM_ERR_FORMAT, "c must be T or F");
  expect_error("1\n\nAVeryLongSpeciesName 0 0 0\n", AM_ERR_FORMAT, "longer than 15");
}

static void test_mutations(void)
{
  Sample s;
  sample_init(&s, 3, 3);
  char *dir = g_dir_make_tmp("amorph-xyzmut-XXXXXX", NULL);
  char *path = g_build_filename(dir, "m.extxyz", NULL);
  AmXyzWriter *w;
  AmError err = {0};
  g_assert_cmpint(am_extxyz_open(path, false, &w, &err), ==, AM_OK);
  g_assert_cmpint(am_extxyz_write_frame(w, &s.box, &s.atoms, 0.25, 7, s.cols, 3, 0, &err), ==, AM_OK);
  g_assert_cmpint(am_extxyz_close(w, &err), ==, AM_OK);
  char *text;
  gsize len;
  g_assert_true(g_file_get_contents(path, &text, &len, NULL));
  AmXyzFrame f = {0};
  int ok = 0;
  for (gsize cut = 0; cut <= len; cut++) {
    char *copy = g_memdup2(text, cut ? cut : 1);
    if (am_extxyz_parse_frame(copy, cut, "m", 1, &f, NULL, NULL, &err) == AM_OK)
      ok++;
    g_free(copy);
  }
  /* Only cuts inside the last number of the last line, or its newline, still parse. */
  g_assert_cmpint(ok, >=, 2);
  g_assert_cmpint(ok, <=, 4);
  GRand *rng = g_rand_new_with_seed(99);
  char *m = g_malloc(len);
  for (int trial = 0; trial < 3000; trial++) {
    memcpy(m, text, len);
    for (int k = g_rand_int_range(rng, 1, 4); k > 0; k--)
      m[g_rand_int_range(rng, 0, (gint32) len)] ^= (char) (1 << g_rand_int_range(rng, 0, 8));
    const AmStatus st = am_extxyz_parse_frame(m, len, "m", 1, &f, NULL, NULL, &err);
    if (st == AM_OK) {
      const AmXyzProperty *pos = am_extxyz_frame_property(&f, "pos");
      g_assert_nonnull(pos);
      for (size_t i = 0; i < 3 * f.n; i++)
        g_assert_true(isfinite(pos->data[i]));
    } else {
      g_assert_cmpstr(err.message, !=, "");
    }
  }
  am_extxyz_frame_free(&f);
  g_rand_free(rng);
  g_free(m);
  g_free(text);
  g_unlink(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
  sample_free(&s);
}

/* An independent reader: ASE's extxyz parser, when some python3 on this machine has it. */
static void test_ase_reads_it(void)
{
  static const char script[] =
    "import sys, ase.io\n"
    "fr = ase.io.read(sys.argv[1], ':')\n"
    "print(len(fr))\n"
    "f = fr[1]\n"
    "print(' '.join(f.get_chemical_symbols()[:3]))\n"
    "print(' '.join(repr(float(v)) for v in f.cell.array.ravel()))\n"
    "print(' '.join(repr(float(v)) for v in f.positions[:2].ravel()))\n"
    "print(' '.join(repr(float(v)) for v in f.arrays['u_max'][:2]), ' '.join(str(int(v)) for v in f.arrays['class'][:2]))\n"
    "print(repr(float(f.info['Time'])), f.info['Step'], all(f.pbc))\n";
  const char *pythons[] = {"python3", "/usr/bin/python3"};
  const char *python = NULL;
  for (size_t k = 0; k < G_N_ELEMENTS(pythons) && !python; k++) {
    const char *argv[] = {pythons[k], "-c", "import ase.io", NULL};
    int status;
    if (g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL) &&
        g_spawn_check_wait_status(status, NULL))
      python = pythons[k];
  }
  if (!python) {
    g_test_skip("no python3 with ASE");
    return;
  }
  Sample s;
  sample_init(&s, 10, 8);
  /* ASE takes only element symbols as species (OVITO takes any name). */
  strcpy(s.atoms.type_label[2], "Al");
  AmError err = {0};
  char *dir = g_dir_make_tmp("amorph-ase-XXXXXX", NULL);
  char *path = g_build_filename(dir, "t.extxyz", NULL);
  AmXyzWriter *w;
  g_assert_cmpint(am_extxyz_open(path, false, &w, &err), ==, AM_OK);
  g_assert_cmpint(am_extxyz_write_frame(w, &s.box, &s.atoms, 0.0, 0, s.cols, 3, 0, &err), ==, AM_OK);
  g_assert_cmpint(am_extxyz_write_frame(w, &s.box, &s.atoms, 0.75, 375, s.cols, 3, AM_XYZ_UNWRAPPED, &err), ==, AM_OK);
  g_assert_cmpint(am_extxyz_close(w, &err), ==, AM_OK);
  const char *argv[] = {python, "-c", script, path, NULL};
  char *out = NULL, *errout = NULL;
  int status;
  g_assert_true(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &errout, &status, NULL));
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("ASE failed: %s", errout);
  char **l = g_strsplit(out, "\n", -1);
  g_assert_cmpstr(l[0], ==, "2");
  g_assert_cmpstr(l[1], ==, "Cu Zr Al");
  /* Python's repr is the shortest exact decimal, so values compare exactly. */
  char **cell = g_strsplit(l[2], " ", -1);
  const double want_cell[9] = {s.box.lx, 0, 0, s.box.xy, s.box.ly, 0, s.box.xz, s.box.yz, s.box.lz};
  for (int k = 0; k < 9; k++)
    g_assert_cmpfloat(g_ascii_strtod(cell[k], NULL), ==, want_cell[k]);
  char **pos = g_strsplit(l[3], " ", -1);
  for (int i = 0; i < 2; i++) {
    double u[3];
    am_box_unwrap(&s.box, &s.atoms.x[3 * i], &s.atoms.image[3 * i], u);
    for (int k = 0; k < 3; k++)
      g_assert_cmpfloat(g_ascii_strtod(pos[3 * i + k], NULL), ==, u[k]);
  }
  char **cols = g_strsplit(l[4], " ", -1);
  g_assert_cmpuint(g_strv_length(cols), ==, 4);
  for (int i = 0; i < 2; i++) {
    g_assert_cmpfloat(g_ascii_strtod(cols[i], NULL), ==, s.umax[i]);
    g_assert_cmpint(g_ascii_strtoll(cols[2 + i], NULL, 10), ==, s.cls[i]);
  }
  g_strfreev(cols);
  g_assert_cmpstr(l[5], ==, "0.75 375 True");
  g_strfreev(pos);
  g_strfreev(cell);
  g_strfreev(l);
  g_free(out);
  g_free(errout);
  g_unlink(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
  sample_free(&s);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sim/extxyz/write-read-append", test_write_read_append);
  g_test_add_func("/sim/extxyz/full-disk", test_full_disk);
  g_test_add_func("/sim/extxyz/parse", test_parse);
  g_test_add_func("/sim/extxyz/mutations", test_mutations);
  g_test_add_func("/sim/extxyz/ase-reads-it", test_ase_reads_it);
  return g_test_run();
}
