/* protocol_structure.c: the "structure" protocol: per-atom structure of one configuration
 * (V, |Θ|, Q6, E, S, p; SCIENCE.md "Structure of single atoms"), its partial g(r), and,
 * given the ids of selected reversible atoms, how they differ from the rest (Figs. 5d,
 * S3, S4). Writes structure.csv, structure.extxyz (same columns, for OVITO), rdf.csv,
 * comparison.csv (with ra_ids or ras_from) and results.json, then hands everything to the
 * figure writer (batch.h) for Figs. 3b, 5d, 7a, S3 and S4. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "analysis/rdf.h"
#include "analysis/structure.h"
#include "experiment/batch.h"
#include "experiment/protocols.h"
#include "experiment/structure_results.h"
#include "sim/extxyz.h"

/* Ids, whitespace separated, '#' starts a comment. Marks them in mask (by atom index). */
static gboolean read_ids(const AmSystem *sys, GHashTable *index, const char *key, const char *path, guint8 *mask,
                         gsize *count, GError **error)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, error)) {
    g_prefix_error(error, "[structure] %s: ", key);
    return FALSE;
  }
  *count = 0;
  long line = 1;
  for (char *p = text; *p;) {
    if (*p == '#') {
      while (*p && *p != '\n')
        p++;
      continue;
    }
    if (*p == '\n')
      line++;
    if (g_ascii_isspace(*p) || *p == ',') {
      p++;
      continue;
    }
    char *end = NULL;
    errno = 0;
    const gint64 id = g_ascii_strtoll(p, &end, 10);
    if (end == p || errno || (*end && !g_ascii_isspace(*end) && *end != ',' && *end != '#')) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%ld: expected an atom id", path, line);
      return FALSE;
    }
    gpointer value;
    if (!g_hash_table_lookup_extended(index, &id, NULL, &value)) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%ld: atom id %" G_GINT64_FORMAT " is not in the system",
                  path, line, id);
      return FALSE;
    }
    const gsize i = GPOINTER_TO_SIZE(value);
    if (!mask[i]) {
      mask[i] = 1;
      (*count)++;
    }
    p = end;
  }
  (void) sys;
  return TRUE;
}

typedef struct {
  const char *name;
  const char *unit;
  const double *values;
} Column;

static gboolean write_tables(AmRunContext *ctx, const AmSystem *sys, const AmStructure *s, const Column *cols,
                             int ncols, GError **error)
{
  const char *names[16];
  int k = 0;
  names[k++] = "id";
  names[k++] = "species";
  for (int c = 0; c < ncols; c++)
    names[k++] = cols[c].name;
  names[k] = NULL;
  g_autofree char *path = am_protocol_output_path(ctx, "structure.csv");
  g_autoptr(AmCsv) csv = am_csv_open(path, names, error);
  if (!csv)
    return FALSE;
  for (size_t i = 0; i < s->n; i++) {
    am_csv_add_int(csv, s->id[i]);
    am_csv_add_string(csv, am_eam_element_name(sys->potential, sys->element_of_type[s->type[i]]));
    for (int c = 0; c < ncols; c++)
      am_csv_add_double(csv, cols[c].values[i]);
    if (!am_csv_end_row(csv, error))
      return FALSE;
  }
  if (!am_csv_commit(g_steal_pointer(&csv), error))
    return FALSE;
  am_provenance_add_output(ctx->provenance, "structure.csv");

  AmXyzColumn xc[AM_XYZ_MAX_COLUMNS];
  for (int c = 0; c < ncols; c++)
    xc[c] = (AmXyzColumn){ .name = cols[c].name, .kind = AM_XYZ_REAL, .ncomp = 1, .real = cols[c].values };
  g_autofree char *xyz = am_protocol_output_path(ctx, "structure.extxyz");
  AmXyzWriter *w = NULL;
  AmError err = { 0 };
  if (am_extxyz_open(xyz, false, &w, &err) ||
      am_extxyz_write_frame(w, &sys->box, &sys->atoms, sys->time, sys->step, xc, (size_t) ncols, 0, &err)) {
    AmError ignored = { 0 };
    am_extxyz_close(w, &ignored);
    am_set_error_from_engine(error, &err, "structure.extxyz: ");
    return FALSE;
  }
  if (am_extxyz_close(w, &err)) {
    am_set_error_from_engine(error, &err, "structure.extxyz: ");
    return FALSE;
  }
  am_provenance_add_output(ctx->provenance, "structure.extxyz");
  return TRUE;
}

/* The partial g(r) as the figures want them: one curve per pair, r at bin centres. */
typedef struct {
  gsize bins, pairs;
  double *r;
  double *g[AM_MAX_TYPES * (AM_MAX_TYPES + 1) / 2];
  char *pair[AM_MAX_TYPES * (AM_MAX_TYPES + 1) / 2];
} RdfCurves;

static void rdf_curves_clear(RdfCurves *c)
{
  g_free(c->r);
  for (gsize k = 0; k < c->pairs; k++) {
    g_free(c->g[k]);
    g_free(c->pair[k]);
  }
  memset(c, 0, sizeof *c);
}

static gboolean write_rdf(AmRunContext *ctx, const AmSystem *sys, JsonBuilder *b, RdfCurves *curves, GError **error)
{
  AmRdf rdf;
  AmError err = { 0 };
  const double bin = am_config_get_double(ctx->config, "structure", "rdf_bin_A");
  const double rmax = am_config_is_set(ctx->config, "structure", "rdf_max_A")
                          ? am_config_get_double(ctx->config, "structure", "rdf_max_A")
                          : 0.0;
  if (am_rdf_compute(&rdf, &sys->box, &sys->atoms, bin, rmax, &err)) {
    am_set_error_from_engine(error, &err, "[structure] g(r): ");
    return FALSE;
  }
  const int nt = rdf.ntypes;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(names, g_strdup("r_A"));
  for (int a = 0; a < nt; a++)
    for (int c = a; c < nt; c++)
      g_ptr_array_add(names, g_strdup_printf("g_%s%s", am_eam_element_name(sys->potential, sys->element_of_type[a]),
                                             am_eam_element_name(sys->potential, sys->element_of_type[c])));
  g_ptr_array_add(names, NULL);
  curves->bins = rdf.nbins;
  curves->r = g_new(double, rdf.nbins);
  for (size_t k = 0; k < rdf.nbins; k++)
    curves->r[k] = am_rdf_r(&rdf, k);
  for (int a = 0; a < nt; a++)
    for (int c = a; c < nt; c++) {
      const gsize q = curves->pairs++;
      curves->g[q] = g_memdup2(am_rdf_partial(&rdf, a, c), rdf.nbins * sizeof(double));
      curves->pair[q] = g_strdup((const char *) names->pdata[1 + q] + 2);
    }
  g_autofree char *path = am_protocol_output_path(ctx, "rdf.csv");
  g_autoptr(AmCsv) csv = am_csv_open(path, (const char *const *) names->pdata, error);
  if (!csv) {
    am_rdf_free(&rdf);
    return FALSE;
  }
  for (size_t k = 0; k < rdf.nbins; k++) {
    am_csv_add_double(csv, am_rdf_r(&rdf, k));
    for (int a = 0; a < nt; a++)
      for (int c = a; c < nt; c++)
        am_csv_add_double(csv, am_rdf_partial(&rdf, a, c)[k]);
    if (!am_csv_end_row(csv, error)) {
      am_rdf_free(&rdf);
      return FALSE;
    }
  }
  /* First peaks and the coordination out to the first minimum's usual place (1.25 × the
   * peak), per pair, for results.json. */
  json_builder_set_member_name(b, "rdf");
  json_builder_begin_object(b);
  am_json_add_double(b, "bin_A", rdf.dr);
  am_json_add_double(b, "r_max_A", rdf.rmax);
  for (int a = 0; a < nt; a++)
    for (int c = a; c < nt; c++) {
      const char *name = names->pdata[1 + (gsize) (a * nt - a * (a - 1) / 2 + (c - a))];
      double xp, yp;
      AmError perr = { 0 };
      json_builder_set_member_name(b, name);
      json_builder_begin_object(b);
      if (rdf.count[a] > 0 && rdf.count[c] > (a == c ? 1u : 0u) &&
          am_rdf_first_peak(am_rdf_partial(&rdf, a, c), rdf.nbins, 0.5 * rdf.dr, rdf.dr, 1.0, 5, &xp, &yp, &perr) ==
              AM_OK) {
        am_json_add_double(b, "first_peak_A", xp);
        am_json_add_double(b, "first_peak_g", yp);
      }
      json_builder_end_object(b);
    }
  json_builder_end_object(b);
  am_rdf_free(&rdf);
  if (!am_csv_commit(g_steal_pointer(&csv), error))
    return FALSE;
  am_provenance_add_output(ctx->provenance, "rdf.csv");
  return TRUE;
}

/* The RA / VA grouping and what the figures say about it. */
typedef struct {
  gint32 *label;        /* n: 1 RA, 0 VA, −1 neither; NULL without ra ids */
  double *displacement; /* 3n, NaN where unknown; NULL when none was recorded */
  char *selection, *reference, *displacement_what;
  double temperature;   /* K, NaN when unknown */
  gsize n_ra, n_va;
} Selection;

static void selection_clear(Selection *sel)
{
  g_free(sel->label);
  g_free(sel->displacement);
  g_free(sel->selection);
  g_free(sel->reference);
  g_free(sel->displacement_what);
  memset(sel, 0, sizeof *sel);
}

/* A CSV written by results.c (no quoting): header names and rows of fields. */
typedef struct {
  gchar **lines;
  gchar **header;
} Table;

static void table_clear(Table *t)
{
  g_strfreev(t->lines);
  g_strfreev(t->header);
}

static gboolean table_read(const char *path, Table *t, GError **error)
{
  g_autofree char *text = NULL;
  memset(t, 0, sizeof *t);
  if (!g_file_get_contents(path, &text, NULL, error))
    return FALSE;
  t->lines = g_strsplit(text, "\n", -1);
  if (!t->lines[0] || !*t->lines[0]) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: empty, expected a header line", path);
    return FALSE;
  }
  t->header = g_strsplit(t->lines[0], ",", -1);
  /* Every row as wide as the header, so a field index from the header is always there. */
  const guint width = g_strv_length(t->header);
  for (int l = 1; t->lines[l]; l++) {
    if (!*t->lines[l])
      continue;
    g_auto(GStrv) f = g_strsplit(t->lines[l], ",", -1);
    if (g_strv_length(f) != width) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%d: %u fields, expected %u as in the header", path,
                  l + 1, g_strv_length(f), width);
      return FALSE;
    }
  }
  return TRUE;
}

static int table_column(const Table *t, const char *path, const char *name, GError **error)
{
  for (int c = 0; t->header[c]; c++)
    if (strcmp(t->header[c], name) == 0)
      return c;
  g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: no column “%s” (expected a dms-sweep result file)", path,
              name);
  return -1;
}

/* Field c of data line l (1-based after the header) as a number; FALSE with an error
 * naming file and line otherwise. */
static gboolean table_number(gchar **fields, int c, const char *path, int line, double *out, GError **error)
{
  char *end = NULL;
  if ((int) g_strv_length(fields) > c) {
    *out = g_ascii_strtod(fields[c], &end);
    if (end != fields[c] && *end == '\0' && isfinite(*out))
      return TRUE;
  }
  g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%d: field %d: expected a number", path, line + 1, c + 1);
  return FALSE;
}

/* The RA ids of a sweep mean something only on the sample the sweep ran on: when the
 * sweep's manifest.json is there, its data file's sha256 must be this run's. */
static gboolean check_same_sample(AmRunContext *ctx, const char *dir, GError **error)
{
  g_autofree char *manifest = g_build_filename(dir, "manifest.json", NULL);
  if (!g_file_test(manifest, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  g_autoptr(JsonParser) parser = json_parser_new();
  if (!json_parser_load_from_file(parser, manifest, error)) {
    g_prefix_error(error, "[structure] ras_from: %s: ", manifest);
    return FALSE;
  }
  JsonNode *root = json_parser_get_root(parser);
  JsonObject *obj = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
  JsonArray *inputs = obj && json_object_has_member(obj, "inputs") ? json_object_get_array_member(obj, "inputs") : NULL;
  const char *theirs = NULL, *their_path = NULL;
  for (guint k = 0; inputs && k < json_array_get_length(inputs); k++) {
    JsonObject *in = json_array_get_object_element(inputs, k);
    if (in && g_strcmp0(json_object_get_string_member_with_default(in, "role", ""), "data") == 0) {
      theirs = json_object_get_string_member_with_default(in, "sha256", NULL);
      their_path = json_object_get_string_member_with_default(in, "path", "?");
    }
  }
  if (!theirs)
    return TRUE;
  const char *data = am_config_get_string(ctx->config, "system", "data");
  g_autofree char *bytes = NULL;
  gsize len = 0;
  if (!g_file_get_contents(data, &bytes, &len, error))
    return FALSE;
  g_autofree char *ours = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *) bytes, len);
  if (strcmp(ours, theirs) != 0) {
    g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_INVALID_VALUE,
                "[structure] ras_from: the sweep in %s ran on %s (sha256 %.12s…), this run reads %s (sha256 "
                "%.12s…): its RA ids belong to another sample",
                dir, their_path, theirs, data, ours);
    return FALSE;
  }
  return TRUE;
}

/* [structure] ras_from: the selected RAs of one pin set and temperature of a sweep's
 * output (selected_ras.csv), and their displacement vectors when ra_displacements.csv
 * is beside it. Marks the RAs in ra, fills sel's texts, temperature and displacement. */
static gboolean read_sweep_selection(AmRunContext *ctx, GHashTable *index, gsize n, guint8 *ra, Selection *sel,
                                     GError **error)
{
  const char *from = am_config_get_string(ctx->config, "structure", "ras_from");
  const double want = am_config_get_double(ctx->config, "structure", "ras_temperature_K");
  g_autofree char *dir = NULL, *file = NULL;
  if (g_file_test(from, G_FILE_TEST_IS_DIR)) {
    dir = g_strdup(from);
    file = g_build_filename(dir, "selected_ras.csv", NULL);
  } else {
    file = g_strdup(from);
    dir = g_path_get_dirname(from);
  }
  if (!check_same_sample(ctx, dir, error))
    return FALSE;
  Table t;
  if (!table_read(file, &t, error)) {
    table_clear(&t);
    g_prefix_error(error, "[structure] ras_from: ");
    return FALSE;
  }
  const int c_set = table_column(&t, file, "pin_set", error), c_t = c_set < 0 ? -1 : table_column(&t, file, "T_K", error),
            c_id = c_t < 0 ? -1 : table_column(&t, file, "id", error);
  if (c_id < 0) {
    table_clear(&t);
    g_prefix_error(error, "[structure] ras_from: ");
    return FALSE;
  }
  /* Pin set "none" (the unpinned sample) when there is one, else the first listed. */
  g_autofree char *set = NULL;
  for (int l = 1; t.lines[l]; l++) {
    g_auto(GStrv) f = g_strsplit(t.lines[l], ",", -1);
    if (!*t.lines[l] || (int) g_strv_length(f) <= c_set)
      continue;
    if (!set || strcmp(f[c_set], "none") == 0) {
      g_free(set);
      set = g_strdup(f[c_set]);
    }
  }
  /* The temperatures of the sweep come from moduli.csv when it is there: a temperature
   * without selected RAs has no row in selected_ras.csv and must not be skipped over. */
  GArray *temps = g_array_new(FALSE, FALSE, sizeof(double));
  g_autofree char *moduli = g_build_filename(dir, "moduli.csv", NULL);
  Table m = { 0 };
  const gboolean have_moduli = g_file_test(moduli, G_FILE_TEST_IS_REGULAR);
  gboolean ok = TRUE;
  if (have_moduli) {
    ok = table_read(moduli, &m, error);
    const int ms = ok ? table_column(&m, moduli, "pin_set", error) : -1;
    const int mt = ms < 0 ? -1 : table_column(&m, moduli, "T_K", error);
    ok = mt >= 0;
    for (int l = 1; ok && m.lines[l]; l++) {
      if (!*m.lines[l])
        continue;
      g_auto(GStrv) f = g_strsplit(m.lines[l], ",", -1);
      double T;
      if (set && (int) g_strv_length(f) > ms && strcmp(f[ms], set) == 0) {
        ok = table_number(f, mt, moduli, l, &T, error);
        if (ok)
          g_array_append_val(temps, T);
      }
    }
  } else {
    for (int l = 1; ok && t.lines[l]; l++) {
      if (!*t.lines[l])
        continue;
      g_auto(GStrv) f = g_strsplit(t.lines[l], ",", -1);
      double T;
      ok = table_number(f, c_t, file, l, &T, error);
      if (ok && set && strcmp(f[c_set], set) == 0)
        g_array_append_val(temps, T);
    }
  }
  table_clear(&m);
  double T = NAN;
  for (guint k = 0; ok && k < temps->len; k++) {
    const double x = g_array_index(temps, double, k);
    if (!isfinite(T) || fabs(x - want) < fabs(T - want))
      T = x;
  }
  g_array_free(temps, TRUE);
  if (ok && !isfinite(T)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: no selected RAs in any temperature%s", file,
                have_moduli ? " of moduli.csv" : "");
    ok = FALSE;
  }
  gsize found = 0;
  for (int l = 1; ok && t.lines[l]; l++) {
    if (!*t.lines[l])
      continue;
    g_auto(GStrv) f = g_strsplit(t.lines[l], ",", -1);
    double x, idv;
    ok = table_number(f, c_t, file, l, &x, error) && table_number(f, c_id, file, l, &idv, error);
    if (!ok || strcmp(f[c_set], set) != 0 || x != T)
      continue;
    const gint64 id = (gint64) idv;
    gpointer value;
    if ((double) id != idv || !g_hash_table_lookup_extended(index, &id, NULL, &value)) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "%s:%d: “%s” is not the id of an atom of the system (another sample than the sweep's?)", file, l + 1,
                  f[c_id]);
      ok = FALSE;
      break;
    }
    const gsize i = GPOINTER_TO_SIZE(value);
    found += !ra[i];
    ra[i] = 1;
  }
  table_clear(&t);
  if (!ok) {
    g_prefix_error(error, "[structure] ras_from: ");
    return FALSE;
  }
  g_autofree char *base = g_path_get_basename(dir);
  sel->temperature = T;
  sel->selection = g_strdup_printf("selected RAs of %s, pin set %s, %g K (%zu atoms)", base, set, T, found);

  /* Displacement vectors, when the sweep recorded them. */
  g_autofree char *disp = g_build_filename(dir, "ra_displacements.csv", NULL);
  if (!g_file_test(disp, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  Table d;
  if (!table_read(disp, &d, error)) {
    table_clear(&d);
    g_prefix_error(error, "[structure] ras_from: ");
    return FALSE;
  }
  int dc[6];
  static const char *const dnames[6] = { "pin_set", "T_K", "id", "dx_A", "dy_A", "dz_A" };
  for (int k = 0; k < 6; k++)
    if ((dc[k] = table_column(&d, disp, dnames[k], error)) < 0) {
      table_clear(&d);
      g_prefix_error(error, "[structure] ras_from: ");
      return FALSE;
    }
  sel->displacement = g_new(double, 3 * n);
  for (gsize k = 0; k < 3 * n; k++)
    sel->displacement[k] = NAN;
  for (int l = 1; d.lines[l]; l++) {
    if (!*d.lines[l])
      continue;
    g_auto(GStrv) f = g_strsplit(d.lines[l], ",", -1);
    double v[5];
    for (int k = 0; k < 5; k++)
      if (!table_number(f, dc[k + 1], disp, l, &v[k], error)) {
        table_clear(&d);
        g_prefix_error(error, "[structure] ras_from: ");
        return FALSE;
      }
    if (strcmp(f[dc[0]], set) != 0 || v[0] != T)
      continue;
    const gint64 id = (gint64) v[1];
    gpointer value;
    if ((double) id != v[1] || !g_hash_table_lookup_extended(index, &id, NULL, &value)) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%d: “%s” is not the id of an atom of the system", disp,
                  l + 1, f[dc[2]]);
      table_clear(&d);
      g_prefix_error(error, "[structure] ras_from: ");
      return FALSE;
    }
    memcpy(sel->displacement + 3 * GPOINTER_TO_SIZE(value), v + 2, 3 * sizeof(double));
  }
  table_clear(&d);
  sel->displacement_what = g_strdup("each RA's non-affine displacement at its largest u′ in the sweep's rerun of "
                                    "replica 0 (ra_displacements.csv)");
  return TRUE;
}

/* The RAs (ra_ids or ras_from) and VAs (va_ids, else every other atom), as labels. */
static gboolean load_selection(AmRunContext *ctx, const AmStructure *s, Selection *sel, GError **error)
{
  sel->temperature = NAN;
  const gboolean by_ids = am_config_is_set(ctx->config, "structure", "ra_ids");
  const gboolean by_sweep = am_config_is_set(ctx->config, "structure", "ras_from");
  if (!by_ids && !by_sweep)
    return TRUE;
  if (by_ids && by_sweep) {
    g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_INVALID_VALUE,
                "[structure] ra_ids and ras_from both name the RAs: give one of them");
    return FALSE;
  }
  const size_t n = s->n;
  g_autoptr(GHashTable) index = g_hash_table_new(g_int64_hash, g_int64_equal);
  for (gsize i = 0; i < n; i++)
    g_hash_table_insert(index, &s->id[i], GSIZE_TO_POINTER(i));
  g_autofree guint8 *ra = g_new0(guint8, n);
  g_autofree guint8 *va = g_new0(guint8, n);
  gsize n_ra = 0, n_va = 0;
  if (by_ids) {
    if (!read_ids(NULL, index, "ra_ids", am_config_get_string(ctx->config, "structure", "ra_ids"), ra, &n_ra, error))
      return FALSE;
    g_autofree char *base = g_path_get_basename(am_config_get_string(ctx->config, "structure", "ra_ids"));
    sel->selection = g_strdup_printf("the ids in %s (%zu atoms)", base, n_ra);
  } else if (!read_sweep_selection(ctx, index, n, ra, sel, error)) {
    return FALSE;
  }
  const gboolean have_va = am_config_is_set(ctx->config, "structure", "va_ids");
  if (have_va) {
    if (!read_ids(NULL, index, "va_ids", am_config_get_string(ctx->config, "structure", "va_ids"), va, &n_va, error))
      return FALSE;
    g_autofree char *base = g_path_get_basename(am_config_get_string(ctx->config, "structure", "va_ids"));
    sel->reference = g_strdup_printf("the ids in %s", base);
  } else {
    for (gsize i = 0; i < n; i++)
      va[i] = !ra[i];
    sel->reference = g_strdup("every atom that is not an RA (no va_ids given)");
  }
  sel->label = g_new(gint32, n);
  sel->n_ra = sel->n_va = 0;
  for (gsize i = 0; i < n; i++) {
    if (ra[i] && va[i]) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "[structure] atom id %" G_GINT64_FORMAT " is listed both in ra_ids and va_ids", s->id[i]);
      return FALSE;
    }
    sel->label[i] = ra[i] ? 1 : (va[i] ? 0 : -1);
    sel->n_ra += ra[i] != 0;
    sel->n_va += va[i] != 0;
  }
  if (sel->n_ra < 2 || sel->n_va < 2) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "[structure] %zu RAs and %zu VAs: comparing them needs at least 2 of each (%s)", sel->n_ra,
                sel->n_va, sel->selection);
    return FALSE;
  }
  return TRUE;
}

static gboolean write_comparison(AmRunContext *ctx, const AmSystem *sys, const AmStructure *s, const Selection *sel,
                                 const Column *cols, int ncols, JsonBuilder *b, GError **error)
{
  if (!sel->label)
    return TRUE;
  const size_t n = s->n;
  const gint32 *label = sel->label;
  static const char *const names[] = { "quantity", "n_ra", "n_va", "mean_ra", "mean_va", "sd_ra", "sd_va",
                                       "effect_pooled_sd", "ks_d", "ks_p", NULL };
  g_autofree char *path = am_protocol_output_path(ctx, "comparison.csv");
  g_autoptr(AmCsv) csv = am_csv_open(path, names, error);
  if (!csv)
    return FALSE;
  json_builder_set_member_name(b, "comparison");
  json_builder_begin_object(b);
  am_json_add_string(b, "ra", sel->selection);
  am_json_add_string(b, "va", sel->reference);
  /* The paper's "about 80 % of RAs are Cu": each group by species. */
  for (int g = 1; g >= 0; g--) {
    json_builder_set_member_name(b, g ? "ra_species" : "va_species");
    json_builder_begin_object(b);
    for (int t = 0; t < sys->atoms.ntypes; t++) {
      gint64 cnt = 0;
      for (gsize i = 0; i < s->n; i++)
        cnt += label[i] == g && s->type[i] == t;
      am_json_add_int(b, am_eam_element_name(sys->potential, sys->element_of_type[t]), cnt);
    }
    json_builder_end_object(b);
  }
  for (int c = 0; c < ncols; c++) {
    AmCompare cmp;
    AmError err = { 0 };
    if (am_compare_by_label(cols[c].values, label, n, 1, 0, &cmp, &err)) {
      am_set_error_from_engine(error, &err, "[structure] comparing %s of RAs and VAs: ", cols[c].name);
      return FALSE;
    }
    am_csv_add_string(csv, cols[c].name);
    am_csv_add_int(csv, (gint64) cmp.n_a);
    am_csv_add_int(csv, (gint64) cmp.n_b);
    am_csv_add_double(csv, cmp.mean_a);
    am_csv_add_double(csv, cmp.mean_b);
    am_csv_add_double(csv, cmp.sd_a);
    am_csv_add_double(csv, cmp.sd_b);
    am_csv_add_double(csv, cmp.effect);
    am_csv_add_double(csv, cmp.ks);
    am_csv_add_double(csv, cmp.ks_p);
    if (!am_csv_end_row(csv, error))
      return FALSE;
    json_builder_set_member_name(b, cols[c].name);
    json_builder_begin_object(b);
    am_json_add_double(b, "effect_pooled_sd", cmp.effect);
    am_json_add_double(b, "ks_d", cmp.ks);
    am_json_add_double(b, "ks_p", cmp.ks_p);
    json_builder_end_object(b);
  }
  json_builder_end_object(b);
  if (!am_csv_commit(g_steal_pointer(&csv), error))
    return FALSE;
  am_provenance_add_output(ctx->provenance, "comparison.csv");
  return TRUE;
}

gboolean am_protocol_structure(AmRunContext *ctx, GError **error)
{
  const AmConfig *cfg = ctx->config;
  AmLoadedSystem ls;
  am_progress_begin(ctx->progress, 0, 3);
  am_progress_stage(ctx->progress, "loading");
  if (!am_protocol_load_system(ctx, &ls, error)) {
    am_loaded_system_clear(&ls);
    return FALSE;
  }
  const AmSystem *sys = &ls.sys;
  AmStructureConfig sc;
  am_structure_config_init(&sc);
  sc.inherent_structure = am_config_get_bool(cfg, "structure", "inherent_structure");
  sc.soft_modes = am_config_get_bool(cfg, "structure", "soft_modes");
  sc.q6_area_weighted = strcmp(am_config_get_string(cfg, "structure", "q6_weights"), "area") == 0;
  sc.min_face_fraction = am_config_get_double(cfg, "structure", "min_face_fraction");
  sc.modes.fraction = am_config_get_double(cfg, "structure", "mode_fraction");
  sc.modes.method = strcmp(am_config_get_string(cfg, "structure", "hessian"), "analytic") == 0
                        ? AM_HESSIAN_ANALYTIC
                        : AM_HESSIAN_FINITE_DIFFERENCE;
  sc.modes.h = am_config_get_double(cfg, "structure", "difference_step_A");
  sc.modes.fire.ftol = am_config_get_double(cfg, "structure", "fire_ftol_eV_A");
  sc.modes.fire.max_iter = (int) am_config_get_int(cfg, "structure", "fire_max_iterations");

  am_progress_stage(ctx->progress, sc.soft_modes ? "Voronoi, Q6, stress, soft modes" : "Voronoi, Q6, stress");
  AmStructure s = { 0 };
  AmError err = { 0 };
  if (am_structure_compute(sys, &sc, &s, &err)) {
    am_set_error_from_engine(error, &err, "structure: ");
    am_loaded_system_clear(&ls);
    return FALSE;
  }
  Column cols[6] = {
    { "V", "Å³", s.volume },       { "theta", "Å", s.theta },        { "q6", "", s.q6 },
    { "energy", "eV", s.energy }, { "von_mises", "GPa", s.von_mises }, { "participation", "", s.participation },
  };
  const int ncols = s.participation ? 6 : 5;

  am_progress_stage(ctx->progress, "writing");
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  am_json_add_string(b, "protocol", "structure");
  am_protocol_add_state_json(b, sys);
  am_json_add_bool(b, "inherent_structure", sc.inherent_structure);
  am_json_add_double(b, "fire_energy_drop_eV", s.fire_energy_drop);
  am_json_add_string(b, "q6", sc.q6_area_weighted ? "Lechner-Dellago, Voronoi neighbours, face-area weights"
                                                  : "Lechner-Dellago, Voronoi neighbours, unit weights");
  if (s.participation) {
    am_json_add_int(b, "soft_modes", (gint64) s.nmodes);
    am_json_add_double(b, "lowest_soft_mode_THz", s.lowest_frequency);
    am_json_add_string(b, "hessian", am_config_get_string(cfg, "structure", "hessian"));
  }
  /* Per-species means of every column. */
  json_builder_set_member_name(b, "species_means");
  json_builder_begin_object(b);
  for (int t = 0; t < sys->atoms.ntypes; t++) {
    double sum[6] = { 0 };
    gsize cnt = 0;
    for (size_t i = 0; i < s.n; i++)
      if (s.type[i] == t) {
        cnt++;
        for (int c = 0; c < ncols; c++)
          sum[c] += cols[c].values[i];
      }
    json_builder_set_member_name(b, am_eam_element_name(sys->potential, sys->element_of_type[t]));
    json_builder_begin_object(b);
    am_json_add_int(b, "count", (gint64) cnt);
    for (int c = 0; c < ncols && cnt > 0; c++)
      am_json_add_double(b, cols[c].name, sum[c] / (double) cnt);
    json_builder_end_object(b);
  }
  json_builder_end_object(b);
  Selection sel = { 0 };
  RdfCurves rdf = { 0 };
  gboolean ok = load_selection(ctx, &s, &sel, error) && write_tables(ctx, sys, &s, cols, ncols, error) &&
                write_rdf(ctx, sys, b, &rdf, error) && write_comparison(ctx, sys, &s, &sel, cols, ncols, b, error);
  json_builder_end_object(b);
  if (ok) {
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    g_autofree char *path = am_protocol_output_path(ctx, "results.json");
    ok = am_json_write_file(path, root, error);
    if (ok)
      am_provenance_add_output(ctx->provenance, "results.json");
  }
  if (ok)
    am_progress_message(ctx->progress, "%zu atoms: structure.csv, structure.extxyz, rdf.csv%s", s.n,
                        sel.label ? ", comparison.csv" : "");
  if (ok) {
    /* The map shows atoms where they sit in the cell. */
    g_autofree double *wrapped = g_memdup2(sys->atoms.x, 3 * s.n * sizeof(double));
    for (gsize i = 0; i < s.n; i++) {
      int32_t img[3] = { 0, 0, 0 };
      am_box_wrap(&sys->box, wrapped + 3 * i, img);
    }
    g_autofree char *base = g_path_get_basename(am_config_get_string(cfg, "system", "data"));
    g_autofree char *source =
        g_strdup_printf("Structure of %s: %zu atoms%s", base, s.n,
                        sc.inherent_structure ? ", inherent structure (FIRE)" : ", as given (not minimised)");
    AmStructureResults R = {
      .source = source,
      .selection = sel.selection,
      .reference = sel.reference,
      .n = s.n,
      .id = s.id,
      .type = s.type,
      .ntypes = sys->atoms.ntypes,
      .x = wrapped,
      .box_lo = { sys->box.lo[0], sys->box.lo[1], sys->box.lo[2] },
      .box_len = { sys->box.lx, sys->box.ly, sys->box.lz },
      .box_xy = sys->box.xy,
      .volume = s.volume,
      .theta = s.theta,
      .q6 = s.q6,
      .energy = s.energy,
      .von_mises = s.von_mises,
      .participation = s.participation,
      .group = sel.label,
      .displacement = sel.displacement,
      .displacement_what = sel.displacement_what,
      .temperature = sel.temperature,
      .rdf_bins = rdf.bins,
      .rdf_r = rdf.r,
      .n_rdf = rdf.pairs,
      .rdf_g = (const double *const *) rdf.g,
      .rdf_pair = (const char *const *) rdf.pair,
    };
    for (int t = 0; t < sys->atoms.ntypes; t++)
      R.type_label[t] = am_eam_element_name(sys->potential, sys->element_of_type[t]);
    ok = am_batch_write_figures(ctx, &R, error);
  }
  selection_clear(&sel);
  rdf_curves_clear(&rdf);
  am_structure_free(&s);
  am_loaded_system_clear(&ls);
  return ok;
}
