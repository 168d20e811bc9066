/* figures.c: the figure object, its footer (the scale of the run), drawing a skipped
 * figure, atomic PNG/SVG writers, writing every figure of a sweep, and the batch hook.
 * The figures themselves are built in figures_dms.c and figures_traj.c. */
#include "render/figures_private.h"

#include <cairo-svg.h>
#include <errno.h>
#include <gio/gio.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "experiment/atomic_file.h"
#include "render/figures_structure.h"

static const struct {
  const char *name;
  const char *caption;
} figure_info[AM_FIGURE_N] = {
  [AM_FIGURE_1] = { "fig1", "Shear strain and stress with the fitted sinusoid" },
  [AM_FIGURE_2A] = { "fig2a", "Stress amplitude σ_A and phase lag δ versus temperature" },
  [AM_FIGURE_2B] = { "fig2b", "Shear loss modulus E″ versus temperature" },
  [AM_FIGURE_2C] = { "fig2c", "Jump-distance distribution p(u) at several temperatures" },
  [AM_FIGURE_2D] = { "fig2d", "E″ versus the fraction of atoms with u > u_c" },
  [AM_FIGURE_3A] = { "fig3a", "Non-affine displacement distribution p(u′) at three temperatures" },
  [AM_FIGURE_4A] = { "fig4a", "u′(t) of a vibrational, a reversible and a fast atom" },
  [AM_FIGURE_4B] = { "fig4b", "Fractions of VA, RA and FA versus temperature" },
  [AM_FIGURE_5A] = { "fig5a", "E″ versus the number of reversible atoms N_RA (inset: N_RA(T))" },
  [AM_FIGURE_5B] = { "fig5b", "E″(T) with no atoms, RAs or VAs pinned" },
  [AM_FIGURE_5C] = { "fig5c", "p(u′) for each pin set" },
  [AM_FIGURE_6A] = { "fig6a", "p(u′) of the selected reversible atoms at three temperatures" },
  [AM_FIGURE_6B] = { "fig6b", "XY trajectory heatmap of one RA, lowest of three temperatures" },
  [AM_FIGURE_6C] = { "fig6c", "XY trajectory heatmap of one RA, middle temperature" },
  [AM_FIGURE_6D] = { "fig6d", "XY trajectory heatmap of one RA, highest temperature" },
};

const char *am_figure_name(AmFigureId id)
{
  return (unsigned) id < AM_FIGURE_N ? figure_info[id].name : NULL;
}

const char *am_figure_caption(AmFigureId id)
{
  return (unsigned) id < AM_FIGURE_N ? figure_info[id].caption : NULL;
}

gboolean am_figure_from_name(const char *name, AmFigureId *out)
{
  for (int i = 0; name && i < AM_FIGURE_N; i++)
    if (strcmp(name, figure_info[i].name) == 0) {
      *out = (AmFigureId) i;
      return TRUE;
    }
  return FALSE;
}

void am_figure_options_init(AmFigureOptions *opt)
{
  memset(opt, 0, sizeof *opt);
  opt->fig1_temperature = NAN;
  opt->pin_temperature = NAN;
}

void am_figure_skip(AmFigure *fig, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_free(fig->skip);
  fig->skip = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_clear_pointer(&fig->plot, am_plot_free);
}

void am_figure_note(AmFigure *fig, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  if (!fig->notes)
    fig->notes = g_string_new(NULL);
  else
    g_string_append_c(fig->notes, '\n');
  g_string_append_vprintf(fig->notes, fmt, ap);
  va_end(ap);
}

const AmDmsPinSetResults *am_figure_main_set(const AmDmsSweepResults *R, const AmFigureOptions *opt)
{
  if (!R || R->n_sets == 0)
    return NULL;
  const char *want = opt && opt->main_set ? opt->main_set : "none";
  for (gsize s = 0; s < R->n_sets; s++)
    if (strcmp(R->sets[s].name, want) == 0)
      return &R->sets[s];
  return &R->sets[0];
}

gsize am_figure_pick_temperatures(const AmDmsPoint *pts, gsize n_pts, const double *targets, gsize n_targets,
                                  gsize *out)
{
  gsize n = 0;
  if (n_pts <= n_targets) {
    for (gsize k = 0; k < n_pts; k++)
      if (isfinite(pts[k].temperature))
        out[n++] = k;
  } else {
    for (gsize t = 0; t < n_targets; t++) {
      gsize best = G_MAXSIZE;
      for (gsize k = 0; k < n_pts; k++) {
        gboolean taken = FALSE;
        for (gsize j = 0; j < n; j++)
          taken |= out[j] == k;
        if (taken || !isfinite(pts[k].temperature))
          continue;
        if (best == G_MAXSIZE ||
            fabs(pts[k].temperature - targets[t]) < fabs(pts[best].temperature - targets[t]))
          best = k;
      }
      if (best != G_MAXSIZE)
        out[n++] = best;
    }
  }
  /* Ascending temperature, so legends and colour ramps read cold to hot. */
  for (gsize i = 1; i < n; i++)
    for (gsize j = i; j > 0 && pts[out[j]].temperature < pts[out[j - 1]].temperature; j--) {
      gsize tmp = out[j];
      out[j] = out[j - 1];
      out[j - 1] = tmp;
    }
  return n;
}

AmColor am_figure_class_color(AmAtomColorClass cls)
{
  AmColor c = am_atom_class_color(cls);
  const double lum = 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
  if (lum > 0.6) {
    const double f = 0.6 / lum;
    c.r *= f;
    c.g *= f;
    c.b *= f;
  }
  return c;
}

AmColor am_figure_temperature_color(gsize i, gsize n)
{
  /* Okabe–Ito blue, bluish green, orange, vermillion, reddish purple: distinguishable for
   * colour-blind readers, ordered cold to hot. A continuous map would make neighbours
   * of a 3-curve plot too alike. */
  static const guint32 ramp[] = { 0x0072B2, 0x009E73, 0xE69F00, 0xD55E00, 0xCC79A7, 0x56B4E9, 0x000000 };
  const gsize m = G_N_ELEMENTS(ramp);
  if (n <= m)
    return am_color_from_hex(ramp[i % m]);
  return am_colormap_eval(AM_COLORMAP_VIRIDIS, n > 1 ? 0.9 * (double) i / (double) (n - 1) : 0.0);
}

static gsize last_occupied(const AmHistogram *h)
{
  for (gsize k = h->nbins; k > 0; k--)
    if (h->counts[k - 1])
      return k;
  return 0;
}

int am_figure_rebin_factor(const AmHistogram *const *all, gsize n_all, double min_per_bin)
{
  /* At most 10 × the paper's bin: coarser steps hide the shape the figure is about, and
   * the few values of a tiny run then simply show as noise. */
  static const int factors[] = { 1, 2, 5, 10 };
  int need = 1;
  for (gsize i = 0; i < n_all; i++) {
    const AmHistogram *h = all[i];
    guint64 total = 0;
    for (gsize k = 0; k < h->nbins; k++)
      total += h->counts[k];
    if (total == 0)
      continue;
    /* The bins holding 99 % of the values: one long jump must not make every bin look
     * empty. */
    gsize span = 0;
    guint64 acc = 0;
    while (span < h->nbins && (double) acc < 0.99 * (double) total)
      acc += h->counts[span++];
    int f = factors[G_N_ELEMENTS(factors) - 1];
    for (gsize j = 0; j < G_N_ELEMENTS(factors); j++)
      if ((double) acc / ceil((double) span / factors[j]) >= min_per_bin) {
        f = factors[j];
        break;
      }
    need = MAX(need, f);
  }
  return need;
}

gsize am_figure_rebinned_density(const AmHistogram *h, const AmHistogram *const *all, gsize n_all, int factor,
                                 double **edges, double **values)
{
  *edges = NULL;
  *values = NULL;
  guint64 total = am_histogram_total(h);
  if (total == 0 || h->nonfinite || factor < 1)
    return 0;
  gsize occ = 0;
  for (gsize i = 0; i < n_all; i++)
    occ = MAX(occ, last_occupied(all[i]));
  occ = MIN(MAX(occ, last_occupied(h)), h->nbins);
  if (occ == 0)
    return 0;
  gsize n = (occ + (gsize) factor - 1) / (gsize) factor;
  /* One empty bin past the data, so the step outline comes back down. */
  if (n * (gsize) factor < h->nbins)
    n++;
  n = MIN(n, (h->nbins + (gsize) factor - 1) / (gsize) factor);
  *edges = g_new(double, n + 1);
  *values = g_new(double, n);
  const double w = h->width * factor;
  for (gsize b = 0; b <= n; b++)
    (*edges)[b] = h->lo + (double) b * w;
  for (gsize b = 0; b < n; b++) {
    guint64 c = 0;
    gsize k0 = b * (gsize) factor, k1 = MIN(k0 + (gsize) factor, h->nbins);
    for (gsize k = k0; k < k1; k++)
      c += h->counts[k];
    /* The same normalisation as am_histogram_density: by every finite value offered,
     * so a tail beyond the range does not inflate the peaks. A last bin cut short by the
     * histogram's end is divided by its true width. */
    (*values)[b] = (double) c / ((double) total * h->width * (double) (k1 - k0));
  }
  (*edges)[n] = MIN((*edges)[n], h->lo + (double) h->nbins * h->width);
  return n;
}

/* ---- footer ---------------------------------------------------------------------- */

static char *footer_text(const AmDmsSweepResults *R)
{
  if (!R)
    return g_strdup("No results.");
  gsize rmin = G_MAXSIZE, rmax = 0;
  for (gsize s = 0; s < R->n_sets; s++)
    for (gsize k = 0; k < R->sets[s].n_points; k++) {
      rmin = MIN(rmin, R->sets[s].points[k].replicas);
      rmax = MAX(rmax, R->sets[s].points[k].replicas);
    }
  g_autofree char *reps = rmax == 0 ? g_strdup("no replicas")
                          : rmin == rmax ? g_strdup_printf("%zu replica%s", rmax, rmax == 1 ? "" : "s")
                                         : g_strdup_printf("%zu–%zu replicas", rmin, rmax);
  const AmDmsParams *p = &R->params;
  return g_strdup_printf("This run: %zu atoms · t_p %g ps · ε_A %g %% · %d of %d cycles analysed · %s · Δt %g fs\n"
                         "Paper: 4000 atoms · t_p 1000 ps · ε_A 1 %% · 10 of 16 cycles analysed · 50 replicas · Δt 2 fs",
                         R->natoms, p->period, 100 * p->amplitude, p->analysed_cycles, p->cycles, reps,
                         1000 * p->dt);
}

AmFigure *am_figure_new(AmFigureId id, const AmDmsSweepResults *results, const AmFigureOptions *opt)
{
  g_return_val_if_fail((unsigned) id < AM_FIGURE_N, NULL);
  AmFigureOptions defaults;
  if (!opt) {
    am_figure_options_init(&defaults);
    opt = &defaults;
  }
  AmFigure *fig = g_new0(AmFigure, 1);
  fig->id = id;
  fig->name = am_figure_name(id);
  fig->caption = am_figure_caption(id);
  fig->footer = footer_text(results);
  if (!results || results->n_sets == 0 || am_figure_main_set(results, opt)->n_points == 0) {
    am_figure_skip(fig, "the results hold no temperature points");
    return fig;
  }
  fig->plot = am_plot_new();
  if (id == AM_FIGURE_4A || id >= AM_FIGURE_6A) {
    AmFigureOptions with_traj = *opt;
    g_autofree AmFigureTrajectories *ft = NULL;
    g_autofree guint8 *cls = NULL;
    if (!opt->trajectories) {
      /* The sweep's own recordings (AmDmsPoint.trajectory) of the main pin set. */
      const AmDmsPinSetResults *set = am_figure_main_set(results, opt);
      ft = g_new0(AmFigureTrajectories, set->n_points);
      cls = g_new0(guint8, set->n_points * G_N_ELEMENTS(set->points[0].traj_id));
      gsize n = 0;
      for (gsize k = 0; k < set->n_points; k++) {
        const AmDmsPoint *pt = &set->points[k];
        if (!pt->trajectory || pt->n_traj == 0 || pt->trajectory->n != pt->n_traj ||
            pt->n_traj > G_N_ELEMENTS(pt->traj_id))
          continue;
        guint8 *c = cls + n * G_N_ELEMENTS(pt->traj_id);
        /* Classes from replica 0's u′_max: the recording is a rerun of replica 0. */
        const AmDmsJobResult *r0 = pt->replica ? pt->replica[0] : NULL;
        gboolean known = r0 && r0->uprime_max;
        for (gsize s = 0; known && s < pt->n_traj; s++) {
          gsize a = pt->trajectory->atoms[s];
          if (a >= results->natoms) {
            known = FALSE;
            break;
          }
          double u = r0->uprime_max[a];
          c[s] = u < results->params.disp.va_max ? AM_CLASS_VA : u < results->params.disp.fa_min ? AM_CLASS_RA : AM_CLASS_FA;
        }
        ft[n++] = (AmFigureTrajectories) { pt->temperature, pt->trajectory, pt->traj_id, known ? c : NULL };
      }
      with_traj.trajectories = ft;
      with_traj.n_trajectories = n;
    }
    am_figure_build_traj(fig, results, &with_traj);
  } else {
    am_figure_build_dms(fig, results, opt);
  }
  return fig;
}

void am_figure_free(AmFigure *fig)
{
  if (!fig)
    return;
  g_clear_pointer(&fig->plot, am_plot_free);
  g_free(fig->skip);
  g_free(fig->footer);
  if (fig->notes)
    g_string_free(fig->notes, TRUE);
  g_free(fig);
}

AmFigureId am_figure_id(const AmFigure *fig)
{
  return fig->id;
}

const char *am_figure_skip_reason(const AmFigure *fig)
{
  return fig->skip;
}

AmPlot *am_figure_plot(AmFigure *fig)
{
  return fig->plot;
}

const char *am_figure_footer(const AmFigure *fig)
{
  return fig->footer;
}

const char *am_figure_notes(const AmFigure *fig)
{
  return fig->notes ? fig->notes->str : NULL;
}

void am_figure_default_size(AmFigureId id, double *width, double *height)
{
  (void) id;
  *width = 520;
  *height = 390;
}

/* ---- drawing --------------------------------------------------------------------- */

static PangoLayout *text_layout(cairo_t *cr, const char *text, double size, double width, gboolean bold)
{
  PangoLayout *layout = pango_cairo_create_layout(cr);
  PangoFontDescription *fd = pango_font_description_from_string("Sans");
  pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description(layout, fd);
  pango_font_description_free(fd);
  pango_layout_set_width(layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text(layout, text, -1);
  return layout;
}

void am_figure_draw(AmFigure *fig, cairo_t *cr, double width, double height)
{
  g_return_if_fail(fig != NULL && cr != NULL);
  if (!(width > 16 && height > 16))
    return;
  cairo_save(cr);
  const double margin = 6;
  PangoLayout *foot = text_layout(cr, fig->footer, 7.5, width - 2 * margin, FALSE);
  int fw, fh;
  pango_layout_get_pixel_size(foot, &fw, &fh);
  double foot_h = MIN((double) fh + 2 * margin, 0.3 * height);

  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, 0, 0, width, height);
  cairo_fill(cr);
  if (fig->plot) {
    am_plot_draw(fig->plot, cr, width, height - foot_h);
  } else {
    g_autofree char *msg = g_strdup_printf("%s — %s\n\nNot drawn: %s.", fig->name, fig->caption, fig->skip);
    PangoLayout *l = text_layout(cr, msg, 12, width - 8 * margin, FALSE);
    pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
    int lw, lh;
    pango_layout_get_pixel_size(l, &lw, &lh);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_move_to(cr, 4 * margin, MAX(margin, 0.5 * (height - foot_h - lh)));
    pango_cairo_show_layout(cr, l);
    g_object_unref(l);
  }
  /* A hairline above the footer sets it apart from the figure. */
  cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
  cairo_set_line_width(cr, 0.5);
  cairo_move_to(cr, margin, height - foot_h + 0.5 * margin);
  cairo_line_to(cr, width - margin, height - foot_h + 0.5 * margin);
  cairo_stroke(cr);
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  cairo_move_to(cr, margin, height - foot_h + margin);
  pango_cairo_show_layout(cr, foot);
  g_object_unref(foot);
  cairo_restore(cr);
}

/* ---- files ----------------------------------------------------------------------- */

static cairo_status_t append_bytes(void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append(closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static gboolean check_writable(AmFigure *fig, const char *path, double width, double height, double scale,
                               GError **error)
{
  if (fig->skip) {
    g_set_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_INVALID, "Figure %s was not drawn (%s), so “%s” is not written",
                fig->name, fig->skip, path);
    return FALSE;
  }
  if (!(isfinite(width) && isfinite(height) && width >= 32 && height >= 32 && width <= 1e4 && height <= 1e4 &&
        isfinite(scale) && scale >= 0.1 && scale <= 16 && width * scale <= 32767 && height * scale <= 32767)) {
    g_set_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_INVALID,
                "Cannot write figure “%s”: size %g × %g at scale %g is outside 32–10000 units or 32767 pixels",
                path, width, height, scale);
    return FALSE;
  }
  return TRUE;
}

static gboolean finish_surface(cairo_surface_t *surface, cairo_t *cr, const char *path, GError **error)
{
  cairo_status_t st = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_flush(surface);
  if (st == CAIRO_STATUS_SUCCESS)
    st = cairo_surface_status(surface);
  if (st != CAIRO_STATUS_SUCCESS) {
    g_set_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_CAIRO, "Cannot draw figure “%s”: %s", path,
                cairo_status_to_string(st));
    return FALSE;
  }
  return TRUE;
}

gboolean am_figure_write_png(AmFigure *fig, const char *path, double width, double height, double scale,
                             GError **error)
{
  g_return_val_if_fail(fig != NULL && path != NULL, FALSE);
  if (!check_writable(fig, path, width, height, scale, error))
    return FALSE;
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int) ceil(width * scale),
                                                  (int) ceil(height * scale));
  cairo_t *cr = cairo_create(s);
  cairo_scale(cr, scale, scale);
  am_figure_draw(fig, cr, width, height);
  if (!finish_surface(s, cr, path, error)) {
    cairo_surface_destroy(s);
    return FALSE;
  }
  g_autoptr(GByteArray) bytes = g_byte_array_new();
  cairo_status_t st = cairo_surface_write_to_png_stream(s, append_bytes, bytes);
  cairo_surface_destroy(s);
  if (st != CAIRO_STATUS_SUCCESS) {
    g_set_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_CAIRO, "Cannot encode PNG “%s”: %s", path,
                cairo_status_to_string(st));
    return FALSE;
  }
  return am_write_file_atomic(path, bytes->data, (gssize) bytes->len, error);
}

gboolean am_figure_write_svg(AmFigure *fig, const char *path, double width, double height, GError **error)
{
  g_return_val_if_fail(fig != NULL && path != NULL, FALSE);
  if (!check_writable(fig, path, width, height, 1.0, error))
    return FALSE;
  g_autoptr(GByteArray) bytes = g_byte_array_new();
  cairo_surface_t *s = cairo_svg_surface_create_for_stream(append_bytes, bytes, width, height);
  cairo_t *cr = cairo_create(s);
  am_figure_draw(fig, cr, width, height);
  gboolean ok = finish_surface(s, cr, path, error);
  cairo_surface_finish(s);
  if (ok && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    g_set_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_CAIRO, "Cannot write SVG “%s”: %s", path,
                cairo_status_to_string(cairo_surface_status(s)));
    ok = FALSE;
  }
  cairo_surface_destroy(s);
  return ok && am_write_file_atomic(path, bytes->data, (gssize) bytes->len, error);
}

gboolean am_figures_write_set(const char *dir, const char *heading, const char *footer, int n,
                              AmFigureBuildFunc build, gconstpointer data, GPtrArray *written, GPtrArray *skipped,
                              GError **error)
{
  g_autofree char *figdir = g_build_filename(dir, "figures", NULL);
  if (g_mkdir_with_parents(figdir, 0777) != 0) {
    int e = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "Cannot create the figure folder “%s”: %s", figdir,
                g_strerror(e));
    return FALSE;
  }
  /* notes.txt says, next to the pictures, which figures were not drawn and what was left
   * out of the others, so the folder explains itself without the run's log. */
  g_autoptr(GString) notes = g_string_new(NULL);
  g_string_append_printf(notes, "Figures of %s\n%s\n\n", heading, footer);
  for (int i = 0; i < n; i++) {
    double w, h;
    g_autoptr(AmFigure) fig = build(i, data, &w, &h);
    const char *name = fig->name;
    if (fig->skip) {
      g_string_append_printf(notes, "%s: not drawn: %s\n", name, fig->skip);
      if (skipped)
        g_ptr_array_add(skipped, g_strdup_printf("%s: %s", name, fig->skip));
      continue;
    }
    g_string_append_printf(notes, "%s: %s\n", name, fig->caption);
    g_autofree char *png = g_strdup_printf("%s.png", name);
    g_autofree char *svg = g_strdup_printf("%s.svg", name);
    g_autofree char *png_path = g_build_filename(figdir, png, NULL);
    g_autofree char *svg_path = g_build_filename(figdir, svg, NULL);
    if (!am_figure_write_png(fig, png_path, w, h, 2.0, error) || !am_figure_write_svg(fig, svg_path, w, h, error))
      return FALSE;
    if (written) {
      g_ptr_array_add(written, g_build_filename("figures", png, NULL));
      g_ptr_array_add(written, g_build_filename("figures", svg, NULL));
    }
    if (fig->notes) {
      g_auto(GStrv) lines = g_strsplit(fig->notes->str, "\n", -1);
      for (char **l = lines; *l; l++) {
        g_string_append_printf(notes, "    note: %s\n", *l);
        if (skipped)
          g_ptr_array_add(skipped, g_strdup_printf("%s (note): %s", name, *l));
      }
    }
  }
  g_autofree char *notes_path = g_build_filename(figdir, "notes.txt", NULL);
  if (!am_write_file_atomic(notes_path, notes->str, (gssize) notes->len, error))
    return FALSE;
  if (written)
    g_ptr_array_add(written, g_build_filename("figures", "notes.txt", NULL));
  return TRUE;
}

typedef struct {
  const AmDmsSweepResults *results;
  const AmFigureOptions *opt;
} SweepFigures;

static AmFigure *build_sweep_figure(int i, gconstpointer data, double *w, double *h)
{
  const SweepFigures *sf = data;
  am_figure_default_size((AmFigureId) i, w, h);
  return am_figure_new((AmFigureId) i, sf->results, sf->opt);
}

gboolean am_figures_write_all(const AmDmsSweepResults *results, const AmFigureOptions *opt, const char *dir,
                              GPtrArray *written, GPtrArray *skipped, GError **error)
{
  g_autofree char *footer = footer_text(results);
  const SweepFigures sf = { results, opt };
  return am_figures_write_set(dir, results && results->protocol ? results->protocol : "a sweep", footer,
                              AM_FIGURE_N, build_sweep_figure, &sf, written, skipped, error);
}

gboolean am_figures_batch_writer(const AmRunContext *ctx, const char *protocol, gconstpointer results,
                                 GError **error)
{
  if (!protocol || !results)
    return TRUE;
  const gboolean sweep = strcmp(protocol, "dms-sweep") == 0 || strcmp(protocol, "pinning") == 0;
  const gboolean structure = strcmp(protocol, "structure") == 0;
  if (!sweep && !structure)
    return TRUE;
  g_autoptr(GPtrArray) written = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) skipped = g_ptr_array_new_with_free_func(g_free);
  gboolean ok = sweep ? am_figures_write_all(results, NULL, ctx->output_dir, written, skipped, error)
                      : am_structure_figures_write_all(results, ctx->output_dir, written, skipped, error);
  for (guint i = 0; ctx->provenance && i < written->len; i++)
    am_provenance_add_output(ctx->provenance, written->pdata[i]);
  for (guint i = 0; ctx->progress && i < skipped->len; i++)
    am_progress_message(ctx->progress, "figure %s", (const char *) skipped->pdata[i]);
  if (ok && ctx->progress)
    am_progress_message(ctx->progress, "%u figure files in %s/figures", written->len, ctx->output_dir);
  return ok;
}
