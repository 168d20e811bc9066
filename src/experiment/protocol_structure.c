/* protocol_structure.c: the "structure" protocol: per-atom structure of one configuration
 * (V, |Θ|, Q6, E, S, p; SCIENCE.md "Structure of single atoms"), its partial g(r), and,
 * given the ids of selected reversible atoms, how they differ from the rest (Figs. 5d,
 * S3, S4). Writes structure.csv, structure.extxyz (same columns, for OVITO), rdf.csv,
 * comparison.csv (with ra_ids) and results.json. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "analysis/rdf.h"
#include "analysis/structure.h"
#include "experiment/protocols.h"
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

static gboolean write_rdf(AmRunContext *ctx, const AmSystem *sys, JsonBuilder *b, GError **error)
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

static gboolean write_comparison(AmRunContext *ctx, const AmSystem *sys, const AmStructure *s, const Column *cols,
                                 int ncols, JsonBuilder *b, GError **error)
{
  if (!am_config_is_set(ctx->config, "structure", "ra_ids"))
    return TRUE;
  const size_t n = s->n;
  g_autoptr(GHashTable) index = g_hash_table_new(g_int64_hash, g_int64_equal);
  for (gsize i = 0; i < n; i++)
    g_hash_table_insert(index, &s->id[i], GSIZE_TO_POINTER(i));
  g_autofree guint8 *ra = g_new0(guint8, n);
  g_autofree guint8 *va = g_new0(guint8, n);
  gsize n_ra = 0, n_va = 0;
  if (!read_ids(sys, index, "ra_ids", am_config_get_string(ctx->config, "structure", "ra_ids"), ra, &n_ra, error))
    return FALSE;
  const gboolean have_va = am_config_is_set(ctx->config, "structure", "va_ids");
  if (have_va) {
    if (!read_ids(sys, index, "va_ids", am_config_get_string(ctx->config, "structure", "va_ids"), va, &n_va, error))
      return FALSE;
  } else {
    for (gsize i = 0; i < n; i++)
      va[i] = !ra[i];
  }
  g_autofree gint32 *label = g_new(gint32, n);
  for (gsize i = 0; i < n; i++) {
    if (ra[i] && va[i]) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "[structure] atom id %" G_GINT64_FORMAT " is listed both in ra_ids and va_ids", s->id[i]);
      return FALSE;
    }
    label[i] = ra[i] ? 1 : (va[i] ? 0 : -1);
  }
  static const char *const names[] = { "quantity", "n_ra", "n_va", "mean_ra", "mean_va", "sd_ra", "sd_va",
                                       "effect_pooled_sd", "ks_d", "ks_p", NULL };
  g_autofree char *path = am_protocol_output_path(ctx, "comparison.csv");
  g_autoptr(AmCsv) csv = am_csv_open(path, names, error);
  if (!csv)
    return FALSE;
  json_builder_set_member_name(b, "comparison");
  json_builder_begin_object(b);
  am_json_add_string(b, "va", have_va ? "va_ids" : "all atoms not in ra_ids");
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
  gboolean ok = write_tables(ctx, sys, &s, cols, ncols, error) && write_rdf(ctx, sys, b, error) &&
                write_comparison(ctx, sys, &s, cols, ncols, b, error);
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
                        am_config_is_set(cfg, "structure", "ra_ids") ? ", comparison.csv" : "");
  am_structure_free(&s);
  am_loaded_system_clear(&ls);
  return ok;
}
