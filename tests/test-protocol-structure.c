/* test-protocol-structure.c: the "structure" batch protocol end to end on the 256-atom
 * test glass: the files it writes, its columns against LAMMPS' per-atom Voronoi volumes
 * and energies (tests/data/structure), its comparison table against a recomputation
 * from its own per-atom table, and a bad id list refused with file and line. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "analysis/compare.h"
#include "experiment/protocols.h"

static char *source_path(const char *a, const char *b, const char *c)
{
  const char *src = g_getenv("AMORPH_SOURCE_DIR");
  g_assert_nonnull(src);
  return g_build_filename(src, a, b, c, NULL);
}

static void remove_dir(const char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  if (!d)
    return;
  const char *name;
  while ((name = g_dir_read_name(d))) {
    g_autofree char *p = g_build_filename(dir, name, NULL);
    g_remove(p);
  }
  g_dir_close(d);
  g_rmdir(dir);
}

static gboolean run(const char *dir, const char *ra_ids, GError **error)
{
  g_autofree char *data = source_path("tests", "data", "glass-256.data");
  g_autofree char *ini = g_strdup_printf("[run]\nprotocol = structure\n[system]\ndata = %s\n[structure]\n"
                                         "mode_fraction = 0.02\n%s%s\n",
                                         data, ra_ids ? "ra_ids = " : "", ra_ids ? ra_ids : "");
  g_autoptr(AmConfig) cfg = am_config_load_data(ini, -1, "test.ini", dir, NULL, error);
  if (!cfg)
    return FALSE;
  g_autoptr(AmProgress) progress = am_progress_new("structure");
  g_autoptr(AmProvenance) prov = am_provenance_new(cfg, 0, NULL, 2);
  AmRunContext ctx = { .config = cfg, .output_dir = dir, .threads = 2, .progress = progress, .provenance = prov };
  return am_protocol_structure(&ctx, error);
}

/* Rows of a CSV as split fields, header first. */
static GPtrArray *read_csv(const char *path)
{
  gchar *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  gchar **lines = g_strsplit(text, "\n", -1);
  GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
  for (gchar **l = lines; *l; l++)
    if (**l)
      g_ptr_array_add(rows, g_strsplit(*l, ",", -1));
  g_strfreev(lines);
  g_free(text);
  return rows;
}

static void test_run(void)
{
  g_autofree char *dir = g_dir_make_tmp("amorph-structure-XXXXXX", NULL);
  g_autofree char *ids = g_build_filename(dir, "ras.txt", NULL);
  /* Cu and Zr ids of the glass; the comparison is RAs against everything else. */
  g_assert_true(g_file_set_contents(ids, "# selected RAs\n2 4 6\n8,10 12 14 16 18 20 # more\n", -1, NULL));
  GError *error = NULL;
  g_assert_true(run(dir, ids, &error));
  g_assert_no_error(error);

  g_autofree char *csv = g_build_filename(dir, "structure.csv", NULL);
  g_autoptr(GPtrArray) rows = read_csv(csv);
  g_assert_cmpuint(rows->len, ==, 257);
  gchar **head = rows->pdata[0];
  const char *const expect[] = { "id", "species", "V", "theta", "q6", "energy", "von_mises", "participation", NULL };
  g_assert_cmpuint(g_strv_length(head), ==, 8);
  for (int k = 0; expect[k]; k++)
    g_assert_cmpstr(head[k], ==, expect[k]);

  /* Against LAMMPS, by id. */
  g_autofree char *dump = source_path("tests", "data", "structure/glass-256-lammps.dump");
  gchar *text = NULL;
  g_assert_true(g_file_get_contents(dump, &text, NULL, NULL));
  g_autoptr(GHashTable) ref_v = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(GHashTable) ref_e = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
  gchar **lines = g_strsplit(text, "\n", -1);
  gboolean in_atoms = FALSE;
  for (gchar **l = lines; *l; l++) {
    if (g_str_has_prefix(*l, "ITEM: ATOMS")) {
      in_atoms = TRUE;
      continue;
    }
    long long id;
    int type, nf;
    double v, pe;
    if (in_atoms && sscanf(*l, "%lld %d %lf %d %lf", &id, &type, &v, &nf, &pe) == 5) {
      g_hash_table_insert(ref_v, g_memdup2(&(gint64){ id }, sizeof(gint64)), g_memdup2(&v, sizeof v));
      g_hash_table_insert(ref_e, g_memdup2(&(gint64){ id }, sizeof(gint64)), g_memdup2(&pe, sizeof pe));
    }
  }
  g_strfreev(lines);
  g_free(text);
  double *v = g_new(double, 256);
  gint32 *label = g_new(gint32, 256);
  double psum = 0.0;
  for (guint r = 1; r < rows->len; r++) {
    gchar **f = rows->pdata[r];
    const gint64 id = g_ascii_strtoll(f[0], NULL, 10);
    const double *rv = g_hash_table_lookup(ref_v, &id), *re = g_hash_table_lookup(ref_e, &id);
    g_assert_nonnull(rv);
    v[r - 1] = g_ascii_strtod(f[2], NULL);
    g_assert_cmpfloat(fabs(v[r - 1] - *rv), <, 1e-9 * *rv);
    g_assert_cmpfloat(fabs(g_ascii_strtod(f[5], NULL) - *re), <, 1e-6);
    g_assert_true(strcmp(f[1], "Cu") == 0 || strcmp(f[1], "Zr") == 0);
    psum += g_ascii_strtod(f[7], NULL);
    label[r - 1] = (id <= 20 && id % 2 == 0) ? 1 : 0;
  }
  g_assert_cmpfloat(fabs(psum - 1.0), <, 1e-9);

  /* comparison.csv: the V row equals a recomputation from structure.csv. */
  g_autofree char *cmp_path = g_build_filename(dir, "comparison.csv", NULL);
  g_autoptr(GPtrArray) cmp_rows = read_csv(cmp_path);
  g_assert_cmpuint(cmp_rows->len, ==, 7);
  gchar **vrow = cmp_rows->pdata[1];
  g_assert_cmpstr(vrow[0], ==, "V");
  g_assert_cmpstr(vrow[1], ==, "10");
  g_assert_cmpstr(vrow[2], ==, "246");
  AmCompare c;
  AmError err = { 0 };
  g_assert_cmpint(am_compare_by_label(v, label, 256, 1, 0, &c, &err), ==, AM_OK);
  g_assert_cmpfloat(fabs(g_ascii_strtod(vrow[7], NULL) - c.effect), <, 1e-9);
  g_assert_cmpfloat(fabs(g_ascii_strtod(vrow[8], NULL) - c.ks), <, 1e-12);

  for (const char *const *name = (const char *const[]){ "rdf.csv", "structure.extxyz", "results.json", NULL }; *name;
       name++) {
    g_autofree char *p = g_build_filename(dir, *name, NULL);
    g_assert_true(g_file_test(p, G_FILE_TEST_IS_REGULAR));
  }
  g_free(v);
  g_free(label);

  /* An id that is not in the system: refused, naming the file and line. */
  g_assert_true(g_file_set_contents(ids, "2 4\n99999\n", -1, NULL));
  g_autofree char *dir2 = g_dir_make_tmp("amorph-structure-XXXXXX", NULL);
  g_assert_false(run(dir2, ids, &error));
  g_assert_nonnull(error);
  g_test_message("bad ids: %s", error->message);
  g_assert_nonnull(strstr(error->message, ":2:"));
  g_clear_error(&error);
  remove_dir(dir2);
  remove_dir(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/experiment/protocol-structure/run", test_run);
  return g_test_run();
}
