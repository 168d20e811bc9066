/* test-checkpoint.c: binary checkpoints: bit-for-bit round trips, and a clear error
 * for every truncation, every single flipped bit, a wrong magic, version or byte order,
 * crafted headers with valid checksums, and full disks. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "sim/checkpoint.h"
#include "sim/data_file.h"
#include "sim/eam.h"
#include "sim/integrate.h"

static void make_system(AmSystem *sys, size_t n, guint32 seed)
{
  AmError err = {0};
  am_system_init(sys, NULL, 0.3);
  const double lo[3] = {-0.1, 0.2, -1.0 / 3.0}, hi[3] = {30.5, 31.25, 29.0};
  am_box_set(&sys->box, lo, hi, 0.305, 0.0, -0.01);
  g_assert_cmpint(am_atoms_resize(&sys->atoms, n, &err), ==, AM_OK);
  AmAtoms *a = &sys->atoms;
  a->ntypes = 2;
  a->mass[0] = 63.546, a->mass[1] = 91.224;
  strcpy(a->type_label[0], "Cu");
  strcpy(a->type_label[1], "Zr");
  sys->element_of_type[0] = 1, sys->element_of_type[1] = 0;
  GRand *rng = g_rand_new_with_seed(seed);
  for (size_t i = 0; i < n; i++) {
    a->id[i] = (int64_t) (3 * n - 2 * i);
    a->type[i] = g_rand_int_range(rng, 0, 2);
    a->pinned[i] = g_rand_int_range(rng, 0, 4) == 0;
    for (int k = 0; k < 3; k++) {
      a->x[3 * i + k] = g_rand_double_range(rng, 0, 29);
      a->v[3 * i + k] = g_rand_double_range(rng, -1, 1) * 1e-3;
      a->f[3 * i + k] = g_rand_double_range(rng, -5, 5);
      a->image[3 * i + k] = g_rand_int_range(rng, -9, 9);
      a->pin_frac[3 * i + k] = g_rand_double(rng);
      a->affine[3 * i + k] = g_rand_double_range(rng, -0.1, 0.1) / 3.0;
    }
  }
  g_rand_free(rng);
  sys->step = 123456789;
  sys->time = 246.913578;
  sys->pe = -4123.456789012345;
  for (int k = 0; k < 6; k++)
    sys->virial[k] = 1e3 * (k - 2.5) / 7.0;
  sys->compute_flags = 3;
}

static void assert_same_system(const AmSystem *a, const AmSystem *b)
{
  g_assert_cmpmem(&a->box, sizeof a->box, &b->box, sizeof b->box);
  g_assert_cmpint(a->step, ==, b->step);
  g_assert_cmpmem(&a->time, 8, &b->time, 8);
  g_assert_cmpmem(&a->skin, 8, &b->skin, 8);
  g_assert_cmpmem(&a->pe, 8, &b->pe, 8);
  g_assert_cmpmem(a->virial, sizeof a->virial, b->virial, sizeof b->virial);
  g_assert_cmpuint(a->compute_flags, ==, b->compute_flags);
  g_assert_cmpmem(a->element_of_type, sizeof a->element_of_type, b->element_of_type, sizeof b->element_of_type);
  const AmAtoms *x = &a->atoms, *y = &b->atoms;
  g_assert_cmpuint(x->n, ==, y->n);
  g_assert_cmpint(x->ntypes, ==, y->ntypes);
  g_assert_cmpmem(x->mass, sizeof x->mass, y->mass, sizeof y->mass);
  g_assert_cmpmem(x->type_label, sizeof x->type_label, y->type_label, sizeof y->type_label);
  const size_t n = x->n;
  g_assert_cmpmem(x->id, 8 * n, y->id, 8 * n);
  g_assert_cmpmem(x->type, 4 * n, y->type, 4 * n);
  g_assert_cmpmem(x->x, 24 * n, y->x, 24 * n);
  g_assert_cmpmem(x->v, 24 * n, y->v, 24 * n);
  g_assert_cmpmem(x->f, 24 * n, y->f, 24 * n);
  g_assert_cmpmem(x->image, 12 * n, y->image, 12 * n);
  g_assert_cmpmem(x->pinned, n, y->pinned, n);
  g_assert_cmpmem(x->pin_frac, 24 * n, y->pin_frac, 24 * n);
  g_assert_cmpmem(x->affine, 24 * n, y->affine, 24 * n);
}

static void test_crc(void)
{
  g_assert_cmpuint(am_crc32c(0, "123456789", 9), ==, 0xE3069283u);
  g_assert_cmpuint(am_crc32c(0, "", 0), ==, 0u);
  /* Continuing over pieces gives the same result as one pass. */
  g_assert_cmpuint(am_crc32c(am_crc32c(0, "1234", 4), "56789", 5), ==, 0xE3069283u);
  static const uint8_t zeros[32] = {0};
  g_assert_cmpuint(am_crc32c(0, zeros, 32), ==, 0x8A9136AAu); /* RFC 3720, B.4 */
}

static void test_round_trip(void)
{
  AmSystem a, b;
  AmError err = {0};
  make_system(&a, 4000, 1);
  uint8_t rng_state[40];
  for (int k = 0; k < 40; k++)
    rng_state[k] = (uint8_t) (k * 37);
  const double accum[3] = {1.5, -2.25, 1e-300};
  const AmCheckpointBlob blobs[] = {
    {"integrator/nose-hoover", sizeof accum, (void *) accum},
    {"rng", sizeof rng_state, rng_state},
    {"empty", 0, NULL},
  };
  char *dir = g_dir_make_tmp("amorph-ck-XXXXXX", NULL);
  char *path = g_build_filename(dir, "run.ckpt", NULL);
  g_assert_cmpint(am_checkpoint_write(path, &a, blobs, 3, &err), ==, AM_OK);
  am_system_init(&b, NULL, 0.0);
  AmCheckpointBlobs got = {0};
  if (am_checkpoint_read(path, &b, &got, &err) != AM_OK)
    g_error("%s", err.message);
  assert_same_system(&a, &b);
  g_assert_cmpuint(got.n, ==, 3);
  const AmCheckpointBlob *bl = am_checkpoint_blobs_find(&got, "rng");
  g_assert_nonnull(bl);
  g_assert_cmpmem(bl->data, bl->size, rng_state, sizeof rng_state);
  bl = am_checkpoint_blobs_find(&got, "integrator/nose-hoover");
  g_assert_cmpmem(bl->data, bl->size, accum, sizeof accum);
  g_assert_cmpuint(am_checkpoint_blobs_find(&got, "empty")->size, ==, 0);
  g_assert_null(am_checkpoint_blobs_find(&got, "missing"));

  /* The same state encodes to the same bytes, and the file holds exactly them. */
  void *e1, *e2;
  size_t l1, l2;
  g_assert_cmpint(am_checkpoint_encode(&a, blobs, 3, &e1, &l1, &err), ==, AM_OK);
  g_assert_cmpint(am_checkpoint_encode(&b, blobs, 3, &e2, &l2, &err), ==, AM_OK);
  g_assert_cmpmem(e1, l1, e2, l2);
  char *file;
  gsize flen;
  g_assert_true(g_file_get_contents(path, &file, &flen, NULL));
  g_assert_cmpmem(file, flen, e1, l1);
  g_free(file);
  g_free(e1);
  g_free(e2);

  /* Reading again into a used system and used blobs replaces both. */
  g_assert_cmpint(am_checkpoint_write(path, &a, blobs, 1, &err), ==, AM_OK);
  g_assert_cmpint(am_checkpoint_read(path, &b, &got, &err), ==, AM_OK);
  g_assert_cmpuint(got.n, ==, 1);
  assert_same_system(&a, &b);

  am_checkpoint_blobs_free(&got);
  g_unlink(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
  am_system_free(&a);
  am_system_free(&b);
}

static void expect_parse_error(const void *buf, size_t len, AmStatus code, const char *part)
{
  AmSystem sys;
  make_system(&sys, 3, 9);
  AmSystem before;
  am_system_init(&before, NULL, 0.0);
  AmError err = {0};
  g_assert_cmpint(am_system_copy(&before, &sys, &err), ==, AM_OK);
  AmCheckpointBlobs blobs = {0};
  void *copy = g_memdup2(buf, len ? len : 1);
  const AmStatus st = am_checkpoint_parse(copy, len, "ck", &sys, &blobs, &err);
  g_free(copy);
  if (st == AM_OK || (code && st != code) || (part && !strstr(err.message, part)) ||
      !g_str_has_prefix(err.message, "ck: "))
    g_error("expected status %d with \"%s\", got %d: %s", code, part ? part : "", st, err.message);
  /* Nothing changed. */
  g_assert_cmpuint(blobs.n, ==, 0);
  assert_same_system(&before, &sys);
  am_system_free(&sys);
  am_system_free(&before);
}

static uint8_t *small_checkpoint(size_t *len)
{
  AmSystem s;
  AmError err = {0};
  make_system(&s, 5, 3);
  const char blob[] = "opaque bytes";
  const AmCheckpointBlob blobs[] = {{"a", sizeof blob, (void *) blob}, {"b", 3, (void *) blob}};
  void *buf;
  g_assert_cmpint(am_checkpoint_encode(&s, blobs, 2, &buf, len, &err), ==, AM_OK);
  am_system_free(&s);
  return buf;
}

static void fix_crc(uint8_t *buf, size_t len)
{
  const uint32_t crc = am_crc32c(0, buf, len - 4);
  memcpy(buf + len - 4, &crc, 4);
}

static void test_bad_files(void)
{
  size_t len;
  uint8_t *buf = small_checkpoint(&len);
  uint8_t *m = g_malloc(len);

  /* Every truncation. */
  for (size_t cut = 0; cut < len; cut++)
    expect_parse_error(buf, cut, 0, NULL);
  expect_parse_error(buf, 20, AM_ERR_FORMAT, "truncated");
  expect_parse_error(buf, len - 1, AM_ERR_FORMAT, "truncated or corrupted");
  /* Every single flipped bit, in every byte. */
  for (size_t at = 0; at < len; at++)
    for (int bit = 0; bit < 8; bit++) {
      memcpy(m, buf, len);
      m[at] ^= (uint8_t) (1u << bit);
      expect_parse_error(m, len, AM_ERR_FORMAT, NULL);
    }
  memcpy(m, buf, len);
  m[len / 2] ^= 0x10;
  expect_parse_error(m, len, AM_ERR_FORMAT, "checksum mismatch");
  memcpy(m, buf, len);
  m[0] = 'X';
  expect_parse_error(m, len, AM_ERR_FORMAT, "not an Amorph checkpoint");
  /* A newer format version, with a valid checksum. */
  memcpy(m, buf, len);
  const uint32_t v2 = 2;
  memcpy(m + 8, &v2, 4);
  fix_crc(m, len);
  expect_parse_error(m, len, AM_ERR_UNSUPPORTED, "format version 2; this build reads version 1 (written by a newer");
  /* The other byte order. */
  memcpy(m, buf, len);
  const uint32_t swapped = 0x04030201u;
  memcpy(m + 12, &swapped, 4);
  expect_parse_error(m, len, AM_ERR_FORMAT, "other byte order");
  /* Extra bytes appended. */
  uint8_t *longer = g_malloc(len + 8);
  memcpy(longer, buf, len);
  memset(longer + len, 0, 8);
  expect_parse_error(longer, len + 8, AM_ERR_FORMAT, "announces");
  g_free(longer);

  /* Crafted files whose checksum is right: a huge atom count, a negative type count,
   * a bad type index, a NaN position. Offsets follow the layout in checkpoint.h:
   * 28-byte header, then "system" (u32 6, "system", u64 length, data). */
  const size_t sys_data = 28 + 4 + 6 + 8;
  const size_t off_n = sys_data + 9 * 8 + 8 + 9 * 8 + 4 + 4;
  const size_t off_ntypes = off_n - 4;
  memcpy(m, buf, len);
  const uint64_t huge = UINT64_C(1) << 61;
  memcpy(m + off_n, &huge, 8);
  fix_crc(m, len);
  expect_parse_error(m, len, AM_ERR_FORMAT, "system section is malformed");
  memcpy(m, buf, len);
  const uint64_t six = 6;
  memcpy(m + off_n, &six, 8);
  fix_crc(m, len);
  expect_parse_error(m, len, AM_ERR_FORMAT, "\"id\" holds 40 bytes, 6 atoms need 48");
  memcpy(m, buf, len);
  const int32_t neg = -1;
  memcpy(m + off_ntypes, &neg, 4);
  fix_crc(m, len);
  expect_parse_error(m, len, AM_ERR_FORMAT, "-1 atom types");
  /* Sections after "system": id (u32 2 "id" u64 40 data), type (u32 4 "type" u64 20 data). */
  uint64_t sys_len;
  memcpy(&sys_len, m + 28 + 4 + 6, 8);
  const size_t off_id = sys_data + sys_len + 4 + 2 + 8;
  const size_t off_type = off_id + 40 + 4 + 4 + 8;
  const size_t off_x = off_type + 20 + 4 + 1 + 8;
  memcpy(m, buf, len);
  const int32_t t7 = 7;
  memcpy(m + off_type + 4, &t7, 4);
  fix_crc(m, len);
  expect_parse_error(m, len, AM_ERR_INVALID, "invalid state: atom");
  memcpy(m, buf, len);
  const double nan = NAN;
  memcpy(m + off_x + 8, &nan, 8);
  fix_crc(m, len);
  expect_parse_error(m, len, AM_ERR_NUMERIC, "non-finite position");
  memcpy(m, buf, len);
  memcpy(m + off_id + 8, m + off_id, 8); /* duplicate id */
  fix_crc(m, len);
  expect_parse_error(m, len, AM_ERR_INVALID, "appears more than once");

  /* Random damage with a repaired checksum reaches the section parser: it must refuse
   * or accept, never crash or read out of bounds (ASan checks the latter). */
  GRand *rng = g_rand_new_with_seed(5);
  int accepted = 0;
  for (int trial = 0; trial < 3000; trial++) {
    memcpy(m, buf, len);
    for (int k = g_rand_int_range(rng, 1, 4); k > 0; k--)
      m[g_rand_int_range(rng, 0, (gint32) len - 4)] = (uint8_t) g_rand_int_range(rng, 0, 256);
    fix_crc(m, len);
    AmSystem sys;
    am_system_init(&sys, NULL, 0.0);
    AmCheckpointBlobs blobs = {0};
    AmError err = {0};
    if (am_checkpoint_parse(m, len, "ck", &sys, &blobs, &err) == AM_OK)
      accepted++;
    else
      g_assert_cmpstr(err.message, !=, "");
    am_checkpoint_blobs_free(&blobs);
    am_system_free(&sys);
  }
  /* Damage inside arrays of doubles often leaves a valid (different) state. */
  g_assert_cmpint(accepted, >, 0);
  g_rand_free(rng);
  g_free(m);
  g_free(buf);
}

static void test_refused_writes(void)
{
  AmSystem s;
  AmError err = {0};
  make_system(&s, 10, 4);
  char *dir = g_dir_make_tmp("amorph-ckw-XXXXXX", NULL);
  char *path = g_build_filename(dir, "x.ckpt", NULL);
  s.atoms.v[4] = NAN;
  g_assert_cmpint(am_checkpoint_write(path, &s, NULL, 0, &err), ==, AM_ERR_NUMERIC);
  g_assert_nonnull(strstr(err.message, "refusing to checkpoint"));
  g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
  s.atoms.v[4] = 0.0;
  const AmCheckpointBlob dup[] = {{"a", 1, "x"}, {"a", 1, "y"}};
  g_assert_cmpint(am_checkpoint_write(path, &s, dup, 2, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "given twice"));
  const AmCheckpointBlob unnamed[] = {{"", 1, "x"}};
  g_assert_cmpint(am_checkpoint_write(path, &s, unnamed, 1, &err), ==, AM_ERR_INVALID);
  g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
  g_assert_cmpint(am_checkpoint_write("/dev/full", &s, NULL, 0, &err), ==, AM_ERR_IO);
  g_assert_nonnull(strstr(err.message, "No space left on device"));
  g_assert_cmpint(am_checkpoint_read("no/such.ckpt", &s, NULL, &err), ==, AM_ERR_IO);
  g_assert_nonnull(strstr(err.message, "no/such.ckpt"));
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
  am_system_free(&s);
}

static void must(AmStatus st, const AmError *err)
{
  if (st != AM_OK)
    g_error("%s", err->message);
}

/* The point of a checkpoint: an NVT run (250-atom CuZr liquid, real potential)
 * interrupted, written, read into fresh objects and resumed ends in exactly the state
 * of the run that went on. */
static void test_resume_bit_for_bit(void)
{
  const char *src = g_getenv("AMORPH_SOURCE_DIR");
  g_assert_nonnull(src);
  char *pot_path = g_build_filename(src, "data", "potentials", "CuZr_mm.eam.fs", NULL);
  char *data_path = g_build_filename(src, "tests", "data", "golden", "liquid.data", NULL);
  AmError err = {0};
  AmEam *eam;
  must(am_eam_load(pot_path, AM_EAM_FS, &eam, &err), &err);
  static const char *const names[] = {"Cu", "Zr"};
  AmSystem a;
  am_system_init(&a, eam, 0.5);
  must(am_data_read(data_path, &a.box, &a.atoms, NULL, &err), &err);
  must(am_system_bind_types(&a, names, &err), &err);
  AmIntegratorConfig cfg;
  am_integrator_config_init(&cfg, AM_ENSEMBLE_NVT, 0.002);
  cfg.t_start = cfg.t_stop = 1500.0;
  AmIntegrator integ;
  must(am_integrator_init(&integ, &cfg, &a, 0, &err), &err);
  must(am_integrator_run(&integ, &a, 30, &err), &err);

  char *dir = g_dir_make_tmp("amorph-resume-XXXXXX", NULL);
  char *path = g_build_filename(dir, "mid.ckpt", NULL);
  const AmCheckpointBlob blob = {"integrator", sizeof integ, &integ};
  must(am_checkpoint_write(path, &a, &blob, 1, &err), &err);
  /* The order of the force sums depends on when the neighbour list was built, so the
   * live run restarts its list where the resumed one must (see checkpoint.h). Without
   * this the two runs differ by ~1e-15 Å after 30 steps. */
  am_system_invalidate(&a);
  must(am_integrator_resume(&integ, &a, &err), &err);
  must(am_integrator_run(&integ, &a, 30, &err), &err);

  AmSystem b;
  am_system_init(&b, eam, 0.0);
  AmCheckpointBlobs blobs = {0};
  must(am_checkpoint_read(path, &b, &blobs, &err), &err);
  const AmCheckpointBlob *saved = am_checkpoint_blobs_find(&blobs, "integrator");
  g_assert_nonnull(saved);
  g_assert_cmpuint(saved->size, ==, sizeof(AmIntegrator));
  AmIntegrator integ2;
  memcpy(&integ2, saved->data, sizeof integ2);
  must(am_integrator_resume(&integ2, &b, &err), &err);
  must(am_integrator_run(&integ2, &b, 30, &err), &err);

  g_assert_cmpint(a.step, ==, b.step);
  const size_t n = a.atoms.n;
  g_assert_cmpmem(a.atoms.x, 24 * n, b.atoms.x, 24 * n);
  g_assert_cmpmem(a.atoms.v, 24 * n, b.atoms.v, 24 * n);
  g_assert_cmpmem(&a.pe, 8, &b.pe, 8);
  g_assert_cmpmem(a.virial, sizeof a.virial, b.virial, sizeof b.virial);
  g_assert_cmpmem(&integ, sizeof integ, &integ2, sizeof integ2);

  /* A checkpoint bound to Cu/Zr is refused by a system on another potential. */
  char *tiny_path = g_build_filename(src, "tests", "data", "io", "tiny.eam.fs", NULL);
  AmEam *tiny;
  must(am_eam_load(tiny_path, AM_EAM_FS, &tiny, &err), &err);
  AmSystem c;
  am_system_init(&c, tiny, 0.0);
  g_assert_cmpint(am_checkpoint_read(path, &c, NULL, &err), ==, AM_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "maps atom type 1 to element 0 (Cu)"));
  g_assert_cmpuint(c.atoms.n, ==, 0);
  am_system_free(&c);
  am_eam_free(tiny);
  g_free(tiny_path);

  am_checkpoint_blobs_free(&blobs);
  g_unlink(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
  am_system_free(&a);
  am_system_free(&b);
  am_eam_free(eam);
  g_free(pot_path);
  g_free(data_path);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sim/checkpoint/crc32c", test_crc);
  g_test_add_func("/sim/checkpoint/round-trip", test_round_trip);
  g_test_add_func("/sim/checkpoint/bad-files", test_bad_files);
  g_test_add_func("/sim/checkpoint/refused-writes", test_refused_writes);
  g_test_add_func("/sim/checkpoint/resume-bit-for-bit", test_resume_bit_for_bit);
  return g_test_run();
}
