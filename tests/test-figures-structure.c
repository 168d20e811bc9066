/* test-figures-structure.c: Figs. 3b, 5d, 7a, S3 and S4 (render/figures_structure.h). From
 * hand-made results with a known RA / VA difference: every figure is drawn and written as
 * PNG and SVG, the RA and VA colours and the arrows are on the page, and a figure the
 * results cannot support is skipped with its reason. End to end: the structure protocol
 * on the 256-atom test glass, with the RAs of a hand-made sweep folder (ras_from), writes
 * all five figures and a complete comparison.csv; with ra_ids it writes all but Fig. 7a. */
#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "experiment/batch.h"
#include "experiment/protocols.h"
#include "render/figures_private.h"
#include "render/figures_structure.h"
#include "sim/rng.h"

static void remove_tree(const char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  if (!d)
    return;
  const char *name;
  while ((name = g_dir_read_name(d))) {
    g_autofree char *p = g_build_filename(dir, name, NULL);
    if (g_file_test(p, G_FILE_TEST_IS_DIR))
      remove_tree(p);
    else
      g_remove(p);
  }
  g_dir_close(d);
  g_rmdir(dir);
}

/* Pixels of the image close to colour c (within tol per channel). */
static gsize count_color(cairo_surface_t *s, AmColor c, int tol)
{
  cairo_surface_flush(s);
  const unsigned char *d = cairo_image_surface_get_data(s);
  const int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  gsize n = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      const guint32 v = *(const guint32 *) (d + (gsize) y * stride + 4 * x);
      const int r = (int) (v >> 16 & 0xff), g = (int) (v >> 8 & 0xff), b = (int) (v & 0xff);
      n += abs(r - (int) lround(255 * c.r)) <= tol && abs(g - (int) lround(255 * c.g)) <= tol &&
           abs(b - (int) lround(255 * c.b)) <= tol;
    }
  return n;
}

static gsize count_not_white(cairo_surface_t *s)
{
  cairo_surface_flush(s);
  const unsigned char *d = cairo_image_surface_get_data(s);
  const int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  gsize n = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      const guint32 v = *(const guint32 *) (d + (gsize) y * stride + 4 * x);
      n += (v & 0xffffff) != 0xffffff;
    }
  return n;
}

/* ---- hand-made results ------------------------------------------------------------- */

typedef struct {
  AmStructureResults R;
  gint64 *id;
  gint32 *type, *group;
  double *x, *cols[6], *disp, *r, *g[3];
} Fake;

static const char *const pairs[3] = { "CuCu", "CuZr", "ZrZr" };

/* 400 atoms in a 20 Å box, 40 RAs whose |Θ| is larger by 1.5 SD; the other columns alike
 * in both groups. g(r) are three Gaussian peaks. */
static Fake *fake_new(void)
{
  Fake *f = g_new0(Fake, 1);
  const gsize n = 400;
  f->id = g_new(gint64, n);
  f->type = g_new(gint32, n);
  f->group = g_new(gint32, n);
  f->x = g_new(double, 3 * n);
  f->disp = g_new(double, 3 * n);
  for (int c = 0; c < 6; c++)
    f->cols[c] = g_new(double, n);
  AmRng rng;
  am_rng_init(&rng, 42, 0);
  for (gsize i = 0; i < n; i++) {
    f->id[i] = (gint64) i + 1;
    f->type[i] = (gint32) (i % 2);
    f->group[i] = i < 40 ? 1 : 0;
    for (int k = 0; k < 3; k++) {
      f->x[3 * i + k] = 20.0 * am_rng_uniform(&rng);
      f->disp[3 * i + k] = i < 40 ? 1.2 * (am_rng_uniform(&rng) - 0.5) : NAN;
    }
    f->cols[0][i] = (i % 2 ? 23.0 : 15.0) + am_rng_normal(&rng);
    f->cols[1][i] = 0.08 + 0.02 * am_rng_normal(&rng) + (i < 40 ? 0.03 : 0.0);
    f->cols[2][i] = 0.12 + 0.03 * am_rng_normal(&rng);
    f->cols[3][i] = (i % 2 ? -6.0 : -3.9) + 0.1 * am_rng_normal(&rng);
    f->cols[4][i] = 12.0 + 4.0 * fabs(am_rng_normal(&rng));
    f->cols[5][i] = (1.0 + 0.5 * fabs(am_rng_normal(&rng))) / (double) n;
  }
  const gsize bins = 400;
  f->r = g_new(double, bins);
  for (int p = 0; p < 3; p++)
    f->g[p] = g_new(double, bins);
  for (gsize k = 0; k < bins; k++) {
    f->r[k] = 0.01 + 0.02 * (double) k;
    for (int p = 0; p < 3; p++) {
      const double r0 = 2.5 + 0.3 * p, dr = f->r[k] - r0;
      f->g[p][k] = f->r[k] < 2.0 ? 0.0 : 1.0 + 4.0 * exp(-dr * dr / 0.02);
    }
  }
  f->R = (AmStructureResults){
    .source = "hand-made: 400 atoms",
    .selection = "the first 40 atoms",
    .reference = "the other 360",
    .n = n,
    .id = f->id,
    .type = f->type,
    .ntypes = 2,
    .type_label = { "Cu", "Zr" },
    .x = f->x,
    .box_lo = { 0, 0, 0 },
    .box_len = { 20, 20, 20 },
    .box_xy = 2.0,
    .volume = f->cols[0],
    .theta = f->cols[1],
    .q6 = f->cols[2],
    .energy = f->cols[3],
    .von_mises = f->cols[4],
    .participation = f->cols[5],
    .group = f->group,
    .displacement = f->disp,
    .displacement_what = "hand-made vectors",
    .temperature = 300,
    .rdf_bins = bins,
    .rdf_r = f->r,
    .n_rdf = 3,
    .rdf_g = (const double *const *) f->g,
    .rdf_pair = pairs,
  };
  return f;
}

static void fake_free(Fake *f)
{
  g_free(f->id);
  g_free(f->type);
  g_free(f->group);
  g_free(f->x);
  g_free(f->disp);
  g_free(f->r);
  for (int c = 0; c < 6; c++)
    g_free(f->cols[c]);
  for (int p = 0; p < 3; p++)
    g_free(f->g[p]);
  g_free(f);
}

static cairo_surface_t *render(AmFigure *fig, double w, double h)
{
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int) w, (int) h);
  cairo_t *cr = cairo_create(s);
  am_figure_draw(fig, cr, w, h);
  cairo_destroy(cr);
  return s;
}

static void test_names(void)
{
  for (int i = 0; i < AM_STRUCTURE_FIGURE_N; i++) {
    g_assert_nonnull(am_structure_figure_name((AmStructureFigureId) i));
    g_assert_nonnull(am_structure_figure_caption((AmStructureFigureId) i));
  }
  g_assert_cmpstr(am_structure_figure_name(AM_STRUCTURE_FIGURE_5D), ==, "fig5d");
  g_assert_cmpstr(am_structure_figure_name(AM_STRUCTURE_FIGURE_S3), ==, "figS3");
  g_assert_null(am_structure_figure_name(AM_STRUCTURE_FIGURE_N));
}

/* Every figure is drawn from the hand-made results: RA and VA colours on the histogram
 * figures, the g(r) curves' colours on Fig. 3b, blue arrows on Fig. 7a, and the numbers
 * of the |Θ| separation (1.5 SD) where the figure's text says. */
static void test_drawn(void)
{
  Fake *f = fake_new();
  const AmColor ra = am_figure_class_color(AM_ATOM_COLOR_RA), va = am_figure_class_color(AM_ATOM_COLOR_VA);
  for (int i = 0; i < AM_STRUCTURE_FIGURE_N; i++) {
    g_autoptr(AmFigure) fig = am_structure_figure_new((AmStructureFigureId) i, &f->R);
    g_assert_null(am_figure_skip_reason(fig));
    g_assert_nonnull(am_figure_plot(fig));
    double w, h;
    am_structure_figure_default_size((AmStructureFigureId) i, &w, &h);
    cairo_surface_t *s = render(fig, w, h);
    const gsize ink = count_not_white(s);
    g_test_message("%s: %zu of %.0f pixels drawn", am_structure_figure_name((AmStructureFigureId) i), ink, w * h);
    g_assert_cmpuint(ink, >, (gsize) (0.03 * w * h));
    if (i == AM_STRUCTURE_FIGURE_5D || i == AM_STRUCTURE_FIGURE_S3 || i == AM_STRUCTURE_FIGURE_S4) {
      g_assert_cmpuint(count_color(s, ra, 8), >, 200);
      g_assert_cmpuint(count_color(s, va, 8), >, 200);
    }
    if (i == AM_STRUCTURE_FIGURE_7A)
      g_assert_cmpuint(count_color(s, am_color_from_hex(0x0072B2), 10), >, 60);
    if (i == AM_STRUCTURE_FIGURE_3B)
      for (int c = 0; c < 3; c++)
        g_assert_cmpuint(count_color(s, am_figure_temperature_color((gsize) c, 3), 24), >, 15);
    cairo_surface_destroy(s);
  }
  /* The |Θ| panel's numbers: RAs 1.5 SD above, a KS p far below 0.01. */
  g_autoptr(AmFigure) fig = am_structure_figure_new(AM_STRUCTURE_FIGURE_5D, &f->R);
  cairo_surface_t *s = render(fig, 520, 390);
  AmPlotPanel *p = am_plot_get_panel(am_figure_plot(fig), 0);
  double lo, hi;
  g_assert_true(am_plot_panel_get_axis_range(p, AM_PLOT_AXIS_X, &lo, &hi));
  g_assert_cmpfloat(lo, <, 0.06);
  g_assert_cmpfloat(hi, >, 0.13);
  cairo_surface_destroy(s);
  fake_free(f);
}

static void test_skipped(void)
{
  Fake *f = fake_new();
  AmStructureResults R = f->R;
  R.displacement = NULL;
  g_autoptr(AmFigure) a = am_structure_figure_new(AM_STRUCTURE_FIGURE_7A, &R);
  g_assert_nonnull(strstr(am_figure_skip_reason(a), "displacement"));
  R.participation = NULL;
  g_autoptr(AmFigure) b = am_structure_figure_new(AM_STRUCTURE_FIGURE_S4, &R);
  g_assert_nonnull(strstr(am_figure_skip_reason(b), "soft modes"));
  R.group = NULL;
  for (int i = AM_STRUCTURE_FIGURE_5D; i < AM_STRUCTURE_FIGURE_N; i++) {
    g_autoptr(AmFigure) c = am_structure_figure_new((AmStructureFigureId) i, &R);
    g_assert_nonnull(strstr(am_figure_skip_reason(c), "no RA ids"));
    /* A skipped figure still draws its reason and is never written. */
    cairo_surface_t *s = render(c, 520, 390);
    g_assert_cmpuint(count_not_white(s), >, 500);
    cairo_surface_destroy(s);
  }
  g_autoptr(AmFigure) g = am_structure_figure_new(AM_STRUCTURE_FIGURE_3B, &R);
  g_assert_null(am_figure_skip_reason(g));
  /* One RA is not a distribution: drawn, with a note, no crash. */
  R.group = f->group;
  for (gsize i = 1; i < 40; i++)
    f->group[i] = 0;
  g_autoptr(AmFigure) d = am_structure_figure_new(AM_STRUCTURE_FIGURE_5D, &R);
  g_assert_nonnull(am_figure_notes(d));
  g_assert_nonnull(strstr(am_figure_notes(d), "fewer than two"));
  g_autoptr(AmFigure) e = am_structure_figure_new(AM_STRUCTURE_FIGURE_5D, NULL);
  g_assert_nonnull(am_figure_skip_reason(e));
  fake_free(f);
}

/* ---- the protocol end to end ------------------------------------------------------- */

static gboolean run_structure(const char *dir, const char *extra, GError **error)
{
  const char *src = g_getenv("AMORPH_SOURCE_DIR");
  g_assert_nonnull(src);
  g_autofree char *data = g_build_filename(src, "tests", "data", "glass-256.data", NULL);
  g_autofree char *ini = g_strdup_printf("[run]\nprotocol = structure\n[system]\ndata = %s\n[structure]\n"
                                         "mode_fraction = 0.02\n%s\n",
                                         data, extra);
  g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
  g_autoptr(AmConfig) cfg = am_config_load_data(ini, -1, "test.ini", dir, NULL, error);
  if (!cfg)
    return FALSE;
  g_autoptr(AmProgress) progress = am_progress_new("structure");
  g_autoptr(AmProvenance) prov = am_provenance_new(cfg, 0, NULL, 2);
  AmRunContext ctx = { .config = cfg, .output_dir = dir, .threads = 2, .progress = progress, .provenance = prov };
  return am_protocol_structure(&ctx, error);
}

static void write_text(const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static void check_png(const char *dir, const char *name, double w, double h)
{
  g_autofree char *path = g_build_filename(dir, "figures", name, NULL);
  cairo_surface_t *s = cairo_image_surface_create_from_png(path);
  g_assert_cmpint(cairo_surface_status(s), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint(cairo_image_surface_get_width(s), ==, (int) (2 * w));
  g_assert_cmpint(cairo_image_surface_get_height(s), ==, (int) (2 * h));
  g_assert_cmpuint(count_not_white(s), >, (gsize) (0.03 * 4 * w * h));
  cairo_surface_destroy(s);
  g_autofree char *svg = g_strdup_printf("%.*s.svg", (int) (strlen(path) - 4), path);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(svg, &text, NULL, NULL));
  g_assert_nonnull(strstr(text, "<svg"));
}

/* comparison.csv has every quantity, each with finite group sizes, means, SDs, effect,
 * D and p; returns the row of |Θ| (owned by the caller). */
static void check_comparison(const char *dir, gsize n_ra_expected)
{
  g_autofree char *path = g_build_filename(dir, "comparison.csv", NULL);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  g_assert_cmpstr(lines[0], ==, "quantity,n_ra,n_va,mean_ra,mean_va,sd_ra,sd_va,effect_pooled_sd,ks_d,ks_p");
  static const char *const quantities[] = { "V", "theta", "q6", "energy", "von_mises", "participation" };
  for (int q = 0; q < 6; q++) {
    g_assert_nonnull(lines[q + 1]);
    g_auto(GStrv) f = g_strsplit(lines[q + 1], ",", -1);
    g_assert_cmpuint(g_strv_length(f), ==, 10);
    g_assert_cmpstr(f[0], ==, quantities[q]);
    g_assert_cmpint(g_ascii_strtoll(f[1], NULL, 10), ==, (gint64) n_ra_expected);
    g_assert_cmpint(g_ascii_strtoll(f[1], NULL, 10) + g_ascii_strtoll(f[2], NULL, 10), ==, 256);
    for (int k = 3; k < 10; k++) {
      char *end = NULL;
      const double v = g_ascii_strtod(f[k], &end);
      g_assert_true(end != f[k] && *end == '\0' && isfinite(v));
    }
    g_assert_cmpfloat(g_ascii_strtod(f[8], NULL), >=, 0.0);
    g_assert_cmpfloat(g_ascii_strtod(f[8], NULL), <=, 1.0);
  }
  g_assert_true(lines[7] == NULL || *lines[7] == '\0');
}

static void test_protocol(void)
{
  am_batch_set_figure_writer(am_figures_batch_writer);
  g_autofree char *dir = g_dir_make_tmp("amorph-figstruct-XXXXXX", NULL);
  g_autofree char *sweep = g_build_filename(dir, "sweep", NULL);
  g_autofree char *out = g_build_filename(dir, "out", NULL);
  g_assert_cmpint(g_mkdir(sweep, 0755), ==, 0);
  /* A sweep folder as dms-sweep writes it: 300 K has 12 selected RAs (ids 1, 3, …, 23)
   * with displacement vectors; 100 K has other ones; 500 K has none. */
  GString *sel = g_string_new("pin_set,T_K,id,type,events,cycles\n");
  GString *disp = g_string_new("pin_set,T_K,id,type,dx_A,dy_A,dz_A,uprime_max_A\n");
  for (int k = 0; k < 12; k++) {
    g_string_append_printf(sel, "none,300,%d,Cu,9,10\n", 1 + 2 * k);
    g_string_append_printf(disp, "none,300,%d,Cu,1.2,%g,0.3,1.3\n", 1 + 2 * k, 0.1 * k - 0.5);
    g_string_append_printf(sel, "none,100,%d,Cu,9,10\n", 100 + k);
    g_string_append_printf(sel, "ra,300,%d,Cu,9,10\n", 150 + k);
  }
  write_text(sweep, "selected_ras.csv", sel->str);
  write_text(sweep, "ra_displacements.csv", disp->str);
  write_text(sweep, "moduli.csv", "pin_set,T_K,replicas\nnone,100,2\nnone,300,2\nnone,500,2\nra,300,2\n");
  g_string_free(sel, TRUE);
  g_string_free(disp, TRUE);
  /* The sweep's manifest names its sample by checksum: the same glass as this run's. */
  g_autofree char *glass = g_build_filename(g_getenv("AMORPH_SOURCE_DIR"), "tests", "data", "glass-256.data", NULL);
  g_autofree char *glass_bytes = NULL;
  gsize glass_len = 0;
  g_assert_true(g_file_get_contents(glass, &glass_bytes, &glass_len, NULL));
  g_autofree char *sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *) glass_bytes, glass_len);
  g_autofree char *manifest =
      g_strdup_printf("{\"inputs\": [{\"role\": \"data\", \"path\": \"glass-256.data\", \"sha256\": \"%s\"}]}", sha);
  write_text(sweep, "manifest.json", manifest);

  g_autoptr(GError) error = NULL;
  g_autofree char *extra = g_strdup_printf("ras_from = %s\nras_temperature_K = 280", sweep);
  const gboolean ok = run_structure(out, extra, &error);
  g_assert_no_error(error);
  g_assert_true(ok);
  for (int i = 0; i < AM_STRUCTURE_FIGURE_N; i++) {
    double w, h;
    am_structure_figure_default_size((AmStructureFigureId) i, &w, &h);
    g_autofree char *png = g_strdup_printf("%s.png", am_structure_figure_name((AmStructureFigureId) i));
    check_png(out, png, w, h);
  }
  check_comparison(out, 12);
  {
    g_autofree char *notes_path = g_build_filename(out, "figures", "notes.txt", NULL);
    g_autofree char *notes = NULL;
    g_assert_true(g_file_get_contents(notes_path, &notes, NULL, NULL));
    g_assert_nonnull(strstr(notes, "pin set none, 300 K (12 atoms)"));
    g_assert_null(strstr(notes, "not drawn"));
  }
  remove_tree(out);

  /* A damaged selected_ras.csv (a row cut short): refused with file and line. */
  {
    g_autofree char *bad = g_build_filename(dir, "short", NULL);
    g_assert_cmpint(g_mkdir(bad, 0755), ==, 0);
    write_text(bad, "selected_ras.csv", "pin_set,T_K,id,type,events,cycles\nnone,300,1,Cu,9,10\nnone,300\n");
    g_autofree char *bad_extra = g_strdup_printf("ras_from = %s", bad);
    g_assert_false(run_structure(out, bad_extra, &error));
    g_test_message("damaged file: %s", error->message);
    g_assert_nonnull(strstr(error->message, "selected_ras.csv:3"));
    g_clear_error(&error);
    remove_tree(out);
    /* An id that is not a whole number is no atom's. */
    write_text(bad, "selected_ras.csv", "pin_set,T_K,id,type,events,cycles\nnone,300,1,Cu,9,10\nnone,300,2.5,Cu,9,10\n");
    g_assert_false(run_structure(out, bad_extra, &error));
    g_assert_nonnull(strstr(error->message, "selected_ras.csv:3: “2.5”"));
    g_clear_error(&error);
    remove_tree(bad);
    remove_tree(out);
  }
  /* A sweep of another sample: refused. */
  write_text(sweep, "manifest.json",
             "{\"inputs\": [{\"role\": \"data\", \"path\": \"other.data\", \"sha256\": \"0123abcd\"}]}");
  g_assert_false(run_structure(out, extra, &error));
  g_test_message("another sample: %s", error->message);
  g_assert_nonnull(strstr(error->message, "another sample"));
  g_clear_error(&error);
  write_text(sweep, "manifest.json", manifest);
  remove_tree(out);

  /* 500 K is the nearest temperature and has no selected RAs: refused, not skipped over. */
  g_free(extra);
  extra = g_strdup_printf("ras_from = %s/selected_ras.csv\nras_temperature_K = 480", sweep);
  g_assert_false(run_structure(out, extra, &error));
  g_test_message("no RAs at 500 K: %s", error->message);
  g_assert_nonnull(strstr(error->message, "0 RAs"));
  g_clear_error(&error);
  remove_tree(out);

  /* Plain ids: every figure but the map, which says why. */
  g_autofree char *ids = g_build_filename(dir, "ras.txt", NULL);
  g_assert_true(g_file_set_contents(ids, "2 4 6 8 10 12 14 16\n", -1, NULL));
  g_free(extra);
  extra = g_strdup_printf("ra_ids = %s", ids);
  const gboolean ok_ids = run_structure(out, extra, &error);
  g_assert_no_error(error);
  g_assert_true(ok_ids);
  check_comparison(out, 8);
  g_autofree char *map = g_build_filename(out, "figures", "fig7a.png", NULL);
  g_assert_false(g_file_test(map, G_FILE_TEST_EXISTS));
  check_png(out, "fig5d.png", 520, 390);
  remove_tree(out);

  /* Both ways of naming the RAs at once is an error. */
  g_free(extra);
  extra = g_strdup_printf("ra_ids = %s\nras_from = %s", ids, sweep);
  g_assert_false(run_structure(out, extra, &error));
  g_assert_nonnull(strstr(error->message, "ras_from"));
  g_clear_error(&error);
  remove_tree(out);
  g_remove(ids);
  remove_tree(sweep);
  g_rmdir(dir);
  am_batch_set_figure_writer(NULL);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/render/figures-structure/names", test_names);
  g_test_add_func("/render/figures-structure/drawn", test_drawn);
  g_test_add_func("/render/figures-structure/skipped", test_skipped);
  g_test_add_func("/render/figures-structure/protocol", test_protocol);
  return g_test_run();
}
