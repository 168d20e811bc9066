/* test-atom-ids.c: the reader of atom-id files ([dms] pinned_ids, the explorer's pin
 * sets): ids in file order with their lines, comments and separators, and the refusals
 * with file and line. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "experiment/atom_ids.h"
#include "experiment/protocols.h"
#include "test-util.h"

static char *dir;

static char *write_file(const char *name, const char *text)
{
  char *path = g_build_filename(dir, name, NULL);
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
  return path;
}

static void test_read(void)
{
  g_autofree char *path = write_file("ok.txt", "# pinned atoms\n12 7,\t40  # three\r\n\n\n  812\n");
  GError *error = NULL;
  g_autoptr(GArray) ids = am_atom_ids_read(path, &error);
  g_assert_no_error(error);
  const gint64 want_id[] = { 12, 7, 40, 812 };
  const int want_line[] = { 2, 2, 2, 5 };
  g_assert_cmpuint(ids->len, ==, 4);
  for (guint k = 0; k < 4; k++) {
    g_assert_cmpint(g_array_index(ids, AmAtomIdEntry, k).id, ==, want_id[k]);
    g_assert_cmpint(g_array_index(ids, AmAtomIdEntry, k).line, ==, want_line[k]);
  }
  g_autofree char *empty = write_file("empty.txt", "# nothing\n");
  g_autoptr(GArray) none = am_atom_ids_read(empty, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(none->len, ==, 0);
}

static void expect_error(const char *text, int code, const char *message)
{
  g_autofree char *path = write_file("bad.txt", text);
  GError *error = NULL;
  GArray *ids = am_atom_ids_read(path, &error);
  g_assert_null(ids);
  g_assert_error(error, AM_ENGINE_ERROR, code);
  g_assert_nonnull(strstr(error->message, message));
  g_assert_nonnull(strstr(error->message, "bad.txt:"));
  g_error_free(error);
}

static void test_refusals(void)
{
  expect_error("1 2\n3 x4\n", AM_ERR_FORMAT, "bad.txt:2: “x4” is not an atom id");
  expect_error("0\n", AM_ERR_FORMAT, "“0” is not an atom id");
  expect_error("-5\n", AM_ERR_FORMAT, "“-5”");
  expect_error("3.5\n", AM_ERR_FORMAT, "“3.5”");
  expect_error("99999999999999999999\n", AM_ERR_FORMAT, "not an atom id");
  expect_error("5 6\n7\n# c\n6\n", AM_ERR_INVALID, "bad.txt:4: atom id 6 is listed twice");
  GError *error = NULL;
  g_autofree char *missing = g_build_filename(dir, "missing.txt", NULL);
  g_assert_null(am_atom_ids_read(missing, &error));
  g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_error_free(error);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  dir = g_dir_make_tmp("amorph-atom-ids-XXXXXX", NULL);
  g_assert_nonnull(dir);
  g_test_add_func("/experiment/atom-ids/read", test_read);
  g_test_add_func("/experiment/atom-ids/refusals", test_refusals);
  int rc = g_test_run();
  rm_rf(dir);
  g_free(dir);
  return rc;
}
