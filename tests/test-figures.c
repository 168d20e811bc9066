/* test-figures.c: the paper's figures drawn from hand-made sweep results with a known
 * loss peak: markers land where am_plot_data_to_device says, the footer is drawn, files
 * are written atomically (and not at all for a skipped figure or an unwritable folder),
 * missing data (one temperature, no pin sets, no trajectories, no results) gives a figure
 * or a clear skip, and the trajectory figures show the sites a synthetic atom visits.
 * With AMORPH_FIGURES_DEMO_DIR set, /render/figures/files leaves the figures there. */
#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "render/figures.h"
#include "render/figures_private.h"
#include "sim/units.h"

/* ---- pixels ---------------------------------------------------------------------- */

typedef struct {
  int r, g, b, a;
} Px;

static Px pixel(cairo_surface_t *s, double x, double y)
{
  cairo_surface_flush(s);
  int ix = (int) floor(x), iy = (int) floor(y);
  g_assert_cmpint(ix, >=, 0);
  g_assert_cmpint(iy, >=, 0);
  g_assert_cmpint(ix, <, cairo_image_surface_get_width(s));
  g_assert_cmpint(iy, <, cairo_image_surface_get_height(s));
  const unsigned char *d = cairo_image_surface_get_data(s);
  guint32 v = *(const guint32 *) (d + (gsize) iy * cairo_image_surface_get_stride(s) + 4 * ix);
  return (Px) { (int) (v >> 16 & 0xff), (int) (v >> 8 & 0xff), (int) (v & 0xff), (int) (v >> 24) };
}

static gboolean px_is(Px p, AmColor c, int tol)
{
  return abs(p.r - (int) lround(c.r * 255)) <= tol && abs(p.g - (int) lround(c.g * 255)) <= tol &&
         abs(p.b - (int) lround(c.b * 255)) <= tol;
}

static gboolean px_white(Px p)
{
  return p.r >= 250 && p.g >= 250 && p.b >= 250;
}

/* Pixels of colour c within a small square around (x, y): markers are a few pixels wide
 * and error bars or lines of the same colour pass through them. */
static int count_near(cairo_surface_t *s, double x, double y, int half, AmColor c, int tol)
{
  int n = 0;
  for (int dy = -half; dy <= half; dy++)
    for (int dx = -half; dx <= half; dx++) {
      double px = x + dx, py = y + dy;
      if (px >= 0 && py >= 0 && px < cairo_image_surface_get_width(s) && py < cairo_image_surface_get_height(s))
        n += px_is(pixel(s, px, py), c, tol);
    }
  return n;
}

static cairo_surface_t *render(AmFigure *fig, int w, int h)
{
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
  cairo_t *cr = cairo_create(s);
  am_figure_draw(fig, cr, w, h);
  g_assert_cmpint(cairo_status(cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy(cr);
  return s;
}

/* With AMORPH_FIGURES_DEMO_DIR set, keeps a rendered image there to be looked at. */
static void keep_for_demo(cairo_surface_t *img, const char *name)
{
  const char *dir = g_getenv("AMORPH_FIGURES_DEMO_DIR");
  if (!dir)
    return;
  g_autofree char *file = g_strdup_printf("%s.png", name);
  g_autofree char *path = g_build_filename(dir, file, NULL);
  g_assert_cmpint(cairo_surface_write_to_png(img, path), ==, CAIRO_STATUS_SUCCESS);
}

/* Non-white pixels in a rectangle. */
static int ink(cairo_surface_t *s, double x0, double y0, double x1, double y1)
{
  int n = 0;
  for (int y = (int) y0; y < (int) y1; y++)
    for (int x = (int) x0; x < (int) x1; x++)
      n += !px_white(pixel(s, x, y));
  return n;
}

/* ---- synthetic results ----------------------------------------------------------- */

/* A β′-like loss peak at 350 K on a flat background. */
static double loss_at(double T, double scale)
{
  return 0.2 + scale * 0.5 * exp(-pow((T - 350.0) / 100.0, 2));
}

typedef struct {
  AmDmsSweepResults R;
  AmDmsTrace trace;
  AmDmsFit fit;
} Fake;

static AmMeanSem ms(double mean, double sem)
{
  return (AmMeanSem) { 4, mean, sem * 2, sem };
}

static void fill_point(AmDmsPoint *pt, const AmDmsParams *par, double T, double peak_scale, const Fake *fk,
                       gsize natoms)
{
  pt->temperature = T;
  pt->replicas = 4;
  const double g1 = 55.0 - 0.02 * T;
  const double g2 = loss_at(T, peak_scale);
  pt->storage = ms(g1, 0.1);
  pt->loss = ms(g2, 0.03);
  pt->amplitude = ms(par->amplitude * hypot(g1, g2), 0.002);
  pt->phase = ms(atan2(g2, g1), 0.0005);
  pt->sigma0 = ms(0, 0.01);
  pt->residual = ms(0.05, 0.001);
  pt->measured_temperature = ms(T, 1);
  const double fra = 0.01 + 0.08 * exp(-pow((T - 350.0) / 100.0, 2)) * peak_scale;
  const double ffa = T < 200 ? 0.0 : 0.001 * (T - 150) / 100;
  pt->f_ra = ms(fra, 0.002);
  pt->f_fa = ms(ffa, 0.0002);
  pt->f_va = ms(1 - fra - ffa, 0.002);
  pt->n_ra = ms(fra * (double) natoms, 2);
  pt->f_jump = ms(0.002 * T / 100, 0.0003);
  AmError err = { 0 };
  g_assert_cmpint(am_displacement_counts_init(&pt->counts, natoms, &par->disp, &err), ==, AM_OK);
  /* u: a vibrational bump whose width grows with T, and a few long jumps. */
  GRand *rng = g_rand_new_with_seed((guint32) T);
  for (int i = 0; i < 20000; i++) {
    double u = fabs(g_rand_double_range(rng, -1, 1) + g_rand_double_range(rng, -1, 1)) * (0.2 + T / 1000);
    am_histogram_add(&pt->counts.p_u, u);
    am_histogram_add(&pt->counts.p_uprime, 0.8 * u + (g_rand_double(rng) < fra ? 1.5 : 0));
  }
  g_rand_free(rng);
  pt->counts.jumps = 20000;
  pt->p_u = g_new(double, pt->counts.p_u.nbins);
  pt->p_uprime = g_new(double, pt->counts.p_uprime.nbins);
  g_assert_cmpint(am_histogram_density(&pt->counts.p_u, pt->p_u, &err), ==, AM_OK);
  g_assert_cmpint(am_histogram_density(&pt->counts.p_uprime, pt->p_uprime, &err), ==, AM_OK);
  pt->selected_cu_fraction = NAN;
  pt->trace = &fk->trace;
  pt->trace_fit = &fk->fit;
}

/* n_temps temperatures 50, 150, … ; with_pins adds the "ra" (peak gone) and "va" (slightly
 * lower) sets of the pinning experiment. */
static Fake *fake_new(gsize n_temps, gboolean with_pins)
{
  Fake *fk = g_new0(Fake, 1);
  AmDmsSweepResults *R = &fk->R;
  R->protocol = with_pins ? "pinning" : "dms-sweep";
  R->natoms = 500;
  R->ntypes = 2;
  R->type_label[0] = "Cu";
  R->type_label[1] = "Zr";
  AmDmsParams *par = &R->params;
  par->period = 10;
  par->amplitude = 0.01;
  par->cycles = 4;
  par->analysed_cycles = 3;
  par->dt = 0.002;
  par->sample_interval = 0.5;
  par->trace_points_per_cycle = 50;
  am_displacement_params_default(&par->disp);
  R->selection_temperature = with_pins ? 350 : NAN;

  /* Replica 0's trace: γ = ε_A sin ωt and a stress with a known lag, in bar. */
  const double omega = 2 * G_PI / par->period, G1 = 50.0, G2 = 0.6;
  fk->trace.n = (gsize) (par->cycles * par->trace_points_per_cycle) + 1;
  fk->trace.t = g_new(double, fk->trace.n);
  fk->trace.strain = g_new(double, fk->trace.n);
  fk->trace.stress = g_new(double, fk->trace.n);
  for (gsize i = 0; i < fk->trace.n; i++) {
    double t = (double) i * par->period / par->trace_points_per_cycle;
    fk->trace.t[i] = t;
    fk->trace.strain[i] = par->amplitude * sin(omega * t);
    fk->trace.stress[i] = AM_BAR_PER_GPA * par->amplitude * (G1 * sin(omega * t) + G2 * cos(omega * t)) +
                          300.0 * sin(7.3 * t);
  }
  fk->fit.omega = omega;
  fk->fit.strain_amplitude = par->amplitude;
  fk->fit.a = AM_BAR_PER_GPA * par->amplitude * G1;
  fk->fit.b = AM_BAR_PER_GPA * par->amplitude * G2;
  fk->fit.amplitude = hypot(fk->fit.a, fk->fit.b);
  fk->fit.phase = atan2(fk->fit.b, fk->fit.a);
  fk->fit.storage = AM_BAR_PER_GPA * G1;
  fk->fit.loss = AM_BAR_PER_GPA * G2;

  R->n_sets = with_pins ? 3 : 1;
  R->sets = g_new0(AmDmsPinSetResults, R->n_sets);
  const char *names[] = { "none", "ra", "va" };
  const AmPinKind kinds[] = { AM_PIN_NONE, AM_PIN_AUTO_RA, AM_PIN_RANDOM_VA };
  const double peak[] = { 1.0, 0.0, 0.8 };
  for (gsize s = 0; s < R->n_sets; s++) {
    AmDmsPinSetResults *set = &R->sets[s];
    g_strlcpy(set->name, names[s], sizeof set->name);
    set->kind = kinds[s];
    set->n_pinned = s ? 10 : 0;
    set->n_points = n_temps;
    set->points = g_new0(AmDmsPoint, n_temps);
    for (gsize k = 0; k < n_temps; k++)
      fill_point(&set->points[k], par, 50.0 + 100.0 * (double) k, peak[s], fk, R->natoms);
    set->corr_nra_loss = n_temps >= 3 ? 0.97 : NAN;
    set->corr_fjump_loss = n_temps >= 3 ? 0.1 : NAN;
  }
  return fk;
}

static void fake_free(Fake *fk)
{
  for (gsize s = 0; s < fk->R.n_sets; s++) {
    for (gsize k = 0; k < fk->R.sets[s].n_points; k++) {
      am_displacement_counts_free(&fk->R.sets[s].points[k].counts);
      g_free(fk->R.sets[s].points[k].p_u);
      g_free(fk->R.sets[s].points[k].p_uprime);
    }
    g_free(fk->R.sets[s].points);
  }
  g_free(fk->R.sets);
  g_free(fk->trace.t);
  g_free(fk->trace.strain);
  g_free(fk->trace.stress);
  g_free(fk);
}

/* ---- tests ----------------------------------------------------------------------- */

static void test_names(void)
{
  for (int i = 0; i < AM_FIGURE_N; i++) {
    AmFigureId id;
    g_assert_nonnull(am_figure_name((AmFigureId) i));
    g_assert_nonnull(am_figure_caption((AmFigureId) i));
    g_assert_true(am_figure_from_name(am_figure_name((AmFigureId) i), &id));
    g_assert_cmpint(id, ==, i);
  }
  AmFigureId id;
  g_assert_false(am_figure_from_name("fig9", &id));
  g_assert_cmpstr(am_figure_name(AM_FIGURE_2B), ==, "fig2b");
  g_assert_null(am_figure_name(AM_FIGURE_N));
}

/* Fig. 2b: every E″ marker where the plot says, the peak point highest, the footer drawn
 * and naming the run's scale. */
static void test_fig2b_markers(void)
{
  Fake *fk = fake_new(7, FALSE);
  g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_2B, &fk->R, NULL);
  g_assert_null(am_figure_skip_reason(fig));
  AmPlot *plot = am_figure_plot(fig);
  g_assert_nonnull(plot);
  AmPlotPanel *p = am_plot_get_panel(plot, 0);
  cairo_surface_t *img = render(fig, 520, 390);
  const AmColor c = am_palette_color(0);
  double top_y = INFINITY, top_T = NAN;
  for (gsize k = 0; k < 7; k++) {
    const AmDmsPoint *pt = &fk->R.sets[0].points[k];
    double dx, dy;
    g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, pt->temperature, pt->loss.mean, &dx, &dy));
    g_assert_true(px_is(pixel(img, dx, dy), c, 8));
    /* The error bar: ink of the marker colour one SEM above the point, nothing 3 SEM above. */
    double ex, ey, fx, fy;
    am_plot_data_to_device(p, AM_PLOT_AXIS_Y, pt->temperature, pt->loss.mean + 0.9 * pt->loss.sem, &ex, &ey);
    am_plot_data_to_device(p, AM_PLOT_AXIS_Y, pt->temperature, pt->loss.mean + 3 * pt->loss.sem, &fx, &fy);
    g_assert_cmpint(count_near(img, ex, ey, 2, c, 100), >, 0);
    g_assert_cmpint(count_near(img, fx, fy, 1, c, 60), ==, 0);
    if (dy < top_y) {
      top_y = dy;
      top_T = pt->temperature;
    }
  }
  g_assert_cmpfloat(top_T, ==, 350);
  /* The footer sits below the plot area and names this run's scale. */
  double ax, ay, aw, ah;
  g_assert_true(am_plot_panel_get_area(p, &ax, &ay, &aw, &ah));
  g_assert_cmpfloat(ay + ah, <, 390 - 14);
  g_assert_cmpint(ink(img, 0, 390 - 12, 520, 390), >, 50);
  g_assert_nonnull(strstr(am_figure_footer(fig), "500 atoms"));
  g_assert_nonnull(strstr(am_figure_footer(fig), "t_p 10 ps"));
  g_assert_nonnull(strstr(am_figure_footer(fig), "4 replicas"));
  g_assert_nonnull(strstr(am_figure_footer(fig), "Paper: 4000 atoms"));
  cairo_surface_destroy(img);
  fake_free(fk);
}

/* The other figures of the sweep numbers: a known point of each where it should be. */
static void test_markers_other_figures(void)
{
  Fake *fk = fake_new(7, TRUE);
  const AmDmsPinSetResults *none = &fk->R.sets[0];
  const AmDmsPoint *p3 = &none->points[3]; /* 350 K, the peak */

  /* 2a: σ_A on the left axis, δ on the right. */
  {
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_2A, &fk->R, NULL);
    cairo_surface_t *img = render(fig, 520, 390);
    AmPlotPanel *p = am_plot_get_panel(am_figure_plot(fig), 0);
    double dx, dy;
    g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, p3->temperature, p3->amplitude.mean, &dx, &dy));
    g_assert_cmpint(count_near(img, dx, dy, 1, am_palette_color(0), 8), >=, 5);
    g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y2, p3->temperature, p3->phase.mean, &dx, &dy));
    g_assert_cmpint(count_near(img, dx, dy, 1, am_palette_color(1), 8), >=, 5);
    cairo_surface_destroy(img);
  }
  /* 4b: f_RA in the RA colour on a log axis; a zero f_FA is left out and noted. */
  {
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_4B, &fk->R, NULL);
    cairo_surface_t *img = render(fig, 520, 390);
    AmPlotPanel *p = am_plot_get_panel(am_figure_plot(fig), 0);
    double dx, dy;
    g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, p3->temperature, p3->f_ra.mean, &dx, &dy));
    g_assert_cmpint(count_near(img, dx, dy, 1, am_figure_class_color(AM_ATOM_COLOR_RA), 8), >=, 5);
    g_assert_nonnull(am_figure_notes(fig));
    g_assert_nonnull(strstr(am_figure_notes(fig), "FA fraction is 0 at 50 K"));
    cairo_surface_destroy(img);
  }
  /* 5a: (N_RA, E″) of the peak point, and the inset exists. */
  {
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_5A, &fk->R, NULL);
    cairo_surface_t *img = render(fig, 520, 390);
    AmPlotPanel *p = am_plot_get_panel(am_figure_plot(fig), 0);
    double dx, dy;
    g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, p3->n_ra.mean, p3->loss.mean, &dx, &dy));
    g_assert_cmpint(count_near(img, dx, dy, 1, am_palette_color(0), 8), >=, 5);
    cairo_surface_destroy(img);
  }
  /* 5b: the RA-pinned curve is flat (no peak) and drawn in the RA colour at 350 K. */
  {
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_5B, &fk->R, NULL);
    g_assert_null(am_figure_skip_reason(fig));
    cairo_surface_t *img = render(fig, 520, 390);
    AmPlotPanel *p = am_plot_get_panel(am_figure_plot(fig), 0);
    const AmDmsPoint *ra = &fk->R.sets[1].points[3];
    double dx, dy, nx, ny;
    g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, ra->temperature, ra->loss.mean, &dx, &dy));
    g_assert_cmpint(count_near(img, dx, dy, 1, am_figure_class_color(AM_ATOM_COLOR_RA), 8), >=, 5);
    g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, p3->temperature, p3->loss.mean, &nx, &ny));
    g_assert_cmpfloat(ny, <, dy - 20); /* the unpinned peak is well above */
    cairo_surface_destroy(img);
  }
  /* 1: the fit curve (black) passes through its own value at a sample time of the
   * analysed window; the strain curve through γ. */
  {
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_1, &fk->R, NULL);
    g_assert_null(am_figure_skip_reason(fig));
    cairo_surface_t *img = render(fig, 520, 390);
    AmPlotPanel *p = am_plot_get_panel(am_figure_plot(fig), 0);
    double lo, hi;
    g_assert_true(am_plot_panel_get_axis_range(p, AM_PLOT_AXIS_X, &lo, &hi));
    g_assert_cmpfloat(fabs(lo - 10.0), <, 1e-9); /* the analysed cycles: 1 to 4 periods */
    g_assert_cmpfloat(fabs(hi - 40.0), <, 1e-9);
    const double t = 21.2; /* a trace sample inside the analysed window */
    const AmDmsFit *f = &fk->fit;
    double s = (f->a * sin(f->omega * t) + f->b * cos(f->omega * t)) / AM_BAR_PER_GPA;
    double dx, dy;
    g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y2, t, s, &dx, &dy));
    g_assert_cmpint(count_near(img, dx, dy, 2, am_color_from_hex(0x000000), 60), >=, 1);
    g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, t, 100 * fk->trace.strain[(gsize) lround(t / 0.2)], &dx, &dy));
    g_assert_cmpint(count_near(img, dx, dy, 2, am_palette_color(1), 40), >=, 1);
    cairo_surface_destroy(img);
  }
  /* opt.main_set chooses the pin set of the single-set figures; an empty set is a skip. */
  {
    AmFigureOptions opt;
    am_figure_options_init(&opt);
    opt.main_set = "ra";
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_2B, &fk->R, &opt);
    cairo_surface_t *img = render(fig, 520, 390);
    const AmDmsPoint *ra = &fk->R.sets[1].points[3];
    double dx, dy;
    g_assert_true(am_plot_data_to_device(am_plot_get_panel(am_figure_plot(fig), 0), AM_PLOT_AXIS_Y,
                                         ra->temperature, ra->loss.mean, &dx, &dy));
    g_assert_true(px_is(pixel(img, dx, dy), am_palette_color(0), 8));
    cairo_surface_destroy(img);
    gsize n = fk->R.sets[1].n_points;
    fk->R.sets[1].n_points = 0;
    g_autoptr(AmFigure) empty = am_figure_new(AM_FIGURE_2B, &fk->R, &opt);
    g_assert_nonnull(am_figure_skip_reason(empty));
    fk->R.sets[1].n_points = n;
  }
  /* Every sweep figure renders with ink inside its plot area; the trajectory figures
   * are skipped with a reason naming trajectories. */
  for (int i = 0; i < AM_FIGURE_N; i++) {
    g_autoptr(AmFigure) fig = am_figure_new((AmFigureId) i, &fk->R, NULL);
    if (i == AM_FIGURE_4A || i >= AM_FIGURE_6A) {
      g_assert_nonnull(am_figure_skip_reason(fig));
      g_assert_nonnull(strstr(am_figure_skip_reason(fig), "trajectories"));
      continue;
    }
    g_assert_null(am_figure_skip_reason(fig));
    cairo_surface_t *img = render(fig, 520, 390);
    double ax, ay, aw, ah;
    g_assert_true(am_plot_panel_get_area(am_plot_get_panel(am_figure_plot(fig), 0), &ax, &ay, &aw, &ah));
    g_assert_cmpint(ink(img, ax + 2, ay + 2, ax + aw - 2, ay + ah - 2), >, 200);
    cairo_surface_destroy(img);
  }
  fake_free(fk);
}

/* Rebinning keeps the normalisation: Σ p·Δu is the fraction of values inside the range,
 * and a run with few values gets coarser bins and a note saying so. */
static void test_rebin(void)
{
  Fake *fk = fake_new(3, FALSE);
  for (gsize k = 0; k < 3; k++) {
    AmHistogram *h = &fk->R.sets[0].points[k].counts.p_u;
    am_histogram_clear(h);
    for (int i = 0; i < 2400; i++)
      am_histogram_add(h, 1.2 * (i + 0.5) / 2400.0);
    am_histogram_add(h, 50.0); /* overflow: counted, not binned */
  }
  const AmHistogram *h = &fk->R.sets[0].points[0].counts.p_u;
  const AmHistogram *all[1] = { h };
  /* 2400 values over 120 bins of 0.01 Å: 20 per bin; 150 per bin needs 10 × 0.01 Å. */
  g_assert_cmpint(am_figure_rebin_factor(all, 1, 150), ==, 10);
  g_assert_cmpint(am_figure_rebin_factor(all, 1, 10), ==, 1);
  double *edges, *values;
  gsize n = am_figure_rebinned_density(h, all, 1, 10, &edges, &values);
  g_assert_cmpuint(n, ==, 13); /* 12 occupied bins and an empty one to close the outline */
  double sum = 0;
  for (gsize b = 0; b < n; b++)
    sum += values[b] * (edges[b + 1] - edges[b]);
  g_assert_cmpfloat(fabs(sum - 2400.0 / 2401.0), <, 1e-12);
  g_assert_cmpfloat(fabs(edges[1] - edges[0] - 0.1), <, 1e-12);
  g_assert_cmpfloat(values[12], ==, 0);
  g_free(edges);
  g_free(values);

  g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_2C, &fk->R, NULL);
  g_assert_null(am_figure_skip_reason(fig));
  g_assert_nonnull(am_figure_notes(fig));
  g_assert_nonnull(strstr(am_figure_notes(fig), "rebinned to 0.05 Å"));
  cairo_surface_t *img = render(fig, 520, 390);
  /* The density of the uniform block is drawn at its height in the middle of the range. */
  AmPlotPanel *p = am_plot_get_panel(am_figure_plot(fig), 0);
  double dx, dy;
  g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 0.55, (2400.0 / 2401.0) / 1.2, &dx, &dy));
  /* The three curves are the same here: the last one drawn lies on top. */
  g_assert_cmpint(count_near(img, dx, dy, 2, am_figure_temperature_color(2, 3), 60), >=, 1);
  cairo_surface_destroy(img);
  fake_free(fk);
}

static gboolean dir_has_temporaries(const char *dir)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d)))
    if (strstr(name, "tmp") || name[0] == '.')
      return TRUE;
  return FALSE;
}

static void test_files(void)
{
  Fake *fk = fake_new(7, TRUE);
  const char *demo = g_getenv("AMORPH_FIGURES_DEMO_DIR");
  g_autofree char *dir = demo ? g_strdup(demo) : g_dir_make_tmp("amorph-figures-XXXXXX", NULL);
  g_assert_nonnull(dir);
  g_autoptr(GPtrArray) written = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) skipped = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;
  g_assert_true(am_figures_write_all(&fk->R, NULL, dir, written, skipped, &error));
  g_assert_no_error(error);
  /* Ten figures of the sweep numbers, PNG and SVG each, and notes.txt; the trajectory
   * figures skipped. */
  g_assert_cmpuint(written->len, ==, 2 * 10 + 1);
  {
    g_autofree char *notes_path = g_build_filename(dir, "figures", "notes.txt", NULL);
    g_autofree char *notes = NULL;
    g_assert_true(g_file_get_contents(notes_path, &notes, NULL, NULL));
    g_assert_nonnull(strstr(notes, "fig6b: not drawn: no atom trajectories"));
    g_assert_nonnull(strstr(notes, "fig2b: Shear loss modulus"));
    g_assert_nonnull(strstr(notes, "This run: 500 atoms"));
    g_assert_nonnull(strstr(notes, "note: FA fraction is 0 at 50 K"));
  }
  guint n_skipped = 0;
  for (guint i = 0; i < skipped->len; i++)
    n_skipped += strstr(skipped->pdata[i], "(note)") == NULL;
  g_assert_cmpuint(n_skipped, ==, 5);
  g_autofree char *figdir = g_build_filename(dir, "figures", NULL);
  for (guint i = 0; i < written->len; i++) {
    g_autofree char *path = g_build_filename(dir, written->pdata[i], NULL);
    g_autofree char *data = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    if (g_str_has_suffix(path, ".txt")) {
      continue;
    } else if (g_str_has_suffix(path, ".png")) {
      g_assert_cmpuint(len, >, 8);
      g_assert_cmpint(memcmp(data, "\x89PNG\r\n\x1a\n", 8), ==, 0);
      cairo_surface_t *s = cairo_image_surface_create_from_png(path);
      g_assert_cmpint(cairo_surface_status(s), ==, CAIRO_STATUS_SUCCESS);
      g_assert_cmpint(cairo_image_surface_get_width(s), ==, 1040); /* 520 pt at scale 2 */
      cairo_surface_destroy(s);
    } else {
      g_assert_true(g_str_has_suffix(path, ".svg"));
      g_assert_nonnull(strstr(data, "<svg"));
      g_assert_nonnull(g_strrstr(data, "</svg>"));
    }
  }
  g_assert_false(dir_has_temporaries(figdir));

  /* A skipped figure is not written. */
  g_autoptr(AmFigure) skip = am_figure_new(AM_FIGURE_6B, &fk->R, NULL);
  g_autofree char *skip_path = g_build_filename(figdir, "skipped.png", NULL);
  g_assert_false(am_figure_write_png(skip, skip_path, 520, 390, 2, &error));
  g_assert_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_INVALID);
  g_clear_error(&error);
  g_assert_false(g_file_test(skip_path, G_FILE_TEST_EXISTS));

  /* An unwritable folder: an error naming the file, nothing left behind. */
  if (getuid() != 0) {
    g_autofree char *ro = g_build_filename(dir, "read-only", NULL);
    g_assert_cmpint(g_mkdir(ro, 0555), ==, 0);
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_2B, &fk->R, NULL);
    g_autofree char *path = g_build_filename(ro, "fig2b.png", NULL);
    g_assert_false(am_figure_write_png(fig, path, 520, 390, 2, &error));
    g_assert_nonnull(error);
    g_assert_nonnull(strstr(error->message, "fig2b.png"));
    g_clear_error(&error);
    g_assert_false(am_figure_write_svg(fig, path, 520, 390, &error));
    g_clear_error(&error);
    g_assert_false(am_figures_write_all(&fk->R, NULL, ro, NULL, NULL, &error));
    g_assert_nonnull(error);
    g_clear_error(&error);
    g_autoptr(GDir) d = g_dir_open(ro, 0, NULL);
    g_assert_null(g_dir_read_name(d));
    g_rmdir(ro);
  }
  /* Nonsense sizes are refused. */
  g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_2B, &fk->R, NULL);
  g_autofree char *bad = g_build_filename(figdir, "bad.png", NULL);
  g_assert_false(am_figure_write_png(fig, bad, 1e9, 390, 2, &error));
  g_assert_error(error, AM_PLOT_ERROR, AM_PLOT_ERROR_INVALID);
  g_clear_error(&error);
  g_assert_false(am_figure_write_png(fig, bad, NAN, 390, 2, &error));
  g_clear_error(&error);
  g_assert_false(g_file_test(bad, G_FILE_TEST_EXISTS));

  if (!demo) {
    for (guint i = 0; i < written->len; i++) {
      g_autofree char *path = g_build_filename(dir, written->pdata[i], NULL);
      g_unlink(path);
    }
    g_rmdir(figdir);
    g_rmdir(dir);
  }
  fake_free(fk);
}

/* One temperature, no pin sets, no trajectories; then no points, no sets, no results. */
static void test_missing_data(void)
{
  Fake *fk = fake_new(1, FALSE);
  for (int i = 0; i < AM_FIGURE_N; i++) {
    g_autoptr(AmFigure) fig = am_figure_new((AmFigureId) i, &fk->R, NULL);
    cairo_surface_t *img = render(fig, 400, 300);
    g_assert_cmpint(ink(img, 0, 0, 400, 300), >, 100); /* something is said either way */
    if (am_figure_skip_reason(fig)) {
      g_assert_null(am_figure_plot(fig));
      g_assert_cmpuint(strlen(am_figure_skip_reason(fig)), >, 10);
      GError *error = NULL;
      g_assert_false(am_figure_write_svg(fig, "never-written.svg", 400, 300, &error));
      g_assert_nonnull(error);
      g_error_free(error);
    }
    cairo_surface_destroy(img);
  }
  {
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_5B, &fk->R, NULL);
    g_assert_nonnull(am_figure_skip_reason(fig));
    g_assert_nonnull(strstr(am_figure_skip_reason(fig), "pinning"));
  }
  {
    /* The single E″ point is drawn where it belongs. */
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_2B, &fk->R, NULL);
    g_assert_null(am_figure_skip_reason(fig));
    cairo_surface_t *img = render(fig, 400, 300);
    double dx, dy;
    const AmDmsPoint *pt = &fk->R.sets[0].points[0];
    g_assert_true(am_plot_data_to_device(am_plot_get_panel(am_figure_plot(fig), 0), AM_PLOT_AXIS_Y,
                                         pt->temperature, pt->loss.mean, &dx, &dy));
    g_assert_true(px_is(pixel(img, dx, dy), am_palette_color(0), 8));
    cairo_surface_destroy(img);
  }
  {
    /* A correlation needs three temperatures: the figure says so instead of a number. */
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_5A, &fk->R, NULL);
    g_assert_null(am_figure_skip_reason(fig));
  }
  /* Replicas that gave no SEM (one replica) draw points without bars. */
  fk->R.sets[0].points[0].loss.n = 1;
  fk->R.sets[0].points[0].loss.sem = NAN;
  {
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_2B, &fk->R, NULL);
    cairo_surface_t *img = render(fig, 400, 300);
    cairo_surface_destroy(img);
  }
  /* Empty histograms: a skip, not a crash. */
  am_histogram_clear(&fk->R.sets[0].points[0].counts.p_u);
  {
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_2C, &fk->R, NULL);
    g_assert_nonnull(am_figure_skip_reason(fig));
  }
  /* No trace. */
  fk->R.sets[0].points[0].trace = NULL;
  {
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_1, &fk->R, NULL);
    g_assert_nonnull(strstr(am_figure_skip_reason(fig), "trace"));
  }
  /* Non-finite means are left out, not drawn at a made-up place. */
  fk->R.sets[0].points[0].loss.mean = NAN;
  {
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_2D, &fk->R, NULL);
    g_assert_nonnull(am_figure_skip_reason(fig));
  }
  fk->R.sets[0].n_points = 0;
  fk->R.n_sets = 1;
  for (int i = 0; i < AM_FIGURE_N; i++) {
    g_autoptr(AmFigure) fig = am_figure_new((AmFigureId) i, &fk->R, NULL);
    g_assert_nonnull(am_figure_skip_reason(fig));
    cairo_surface_t *img = render(fig, 300, 200);
    cairo_surface_destroy(img);
  }
  fk->R.sets[0].n_points = 1;
  gsize n_sets = fk->R.n_sets;
  fk->R.n_sets = 0;
  {
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_2B, &fk->R, NULL);
    g_assert_nonnull(am_figure_skip_reason(fig));
    g_autoptr(AmFigure) none = am_figure_new(AM_FIGURE_2B, NULL, NULL);
    g_assert_nonnull(am_figure_skip_reason(none));
    cairo_surface_t *img = render(none, 300, 200);
    cairo_surface_destroy(img);
  }
  fk->R.n_sets = n_sets;
  fake_free(fk);
}

/* ---- trajectories ---------------------------------------------------------------- */

/* Three recorded atoms (a VA, an RA hopping between (0,0) and (1.5,0), an FA drifting
 * away) at one temperature; the RA visits its second site more often when hot, and a
 * third site at (0, 4.3) at the highest temperature. */
static void make_trajectory(AmTrajectory *tr, double T, gboolean third_site, gboolean pool_ra)
{
  AmTrajectoryParams tp;
  am_trajectory_params_default(&tp);
  tp.series_capacity = 512;
  const size_t n_total = 3, atoms[3] = { 0, 1, 2 };
  AmError err = { 0 };
  g_assert_cmpint(am_trajectory_init(tr, n_total, atoms, 3, &tp, &err), ==, AM_OK);
  /* Fig. 6a's pool: the RA alone (its u′ is ~0 or ~1.5 Å), or nobody selected. */
  g_assert_cmpint(am_trajectory_pool(tr, atoms + 1, pool_ra ? 1 : 0, 0.01, 10.0, &err), ==, AM_OK);
  double x[9] = { 0 };
  GRand *rng = g_rand_new_with_seed((guint32) T);
  const double jitter = 0.05 + T / 4000;
  for (int f = 0; f < 400; f++) {
    double site = (f / 20) % 3 == 1 ? 1.5 : 0.0;
    x[0] = g_rand_double_range(rng, -jitter, jitter);
    x[1] = g_rand_double_range(rng, -jitter, jitter);
    x[3] = site + g_rand_double_range(rng, -jitter, jitter);
    x[4] = (third_site && f >= 300 ? 4.3 : 0) + g_rand_double_range(rng, -jitter, jitter);
    x[6] = 0.01 * f;
    x[7] = 0.005 * f;
    g_assert_cmpint(am_trajectory_add(tr, 0.5 * f, x, NULL, &err), ==, AM_OK);
  }
  g_rand_free(rng);
}

static int ink_near_data(cairo_surface_t *img, AmPlotPanel *p, double x, double y, double r)
{
  double x0, y0, x1, y1;
  g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, x - r, y + r, &x0, &y0));
  g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, x + r, y - r, &x1, &y1));
  return ink(img, x0, y0, x1, y1);
}

static void test_trajectory_figures(void)
{
  Fake *fk = fake_new(5, FALSE);
  AmTrajectory tr[3];
  memset(tr, 0, sizeof tr);
  const double temps[3] = { 100, 300, 500 };
  const gint64 ids[3] = { 11, 812, 4001 };
  const guint8 cls[3][3] = { { 0, 1, 2 }, { 0, 1, 2 }, { 0, 1, 2 } };
  AmFigureTrajectories ft[3];
  for (int i = 0; i < 3; i++) {
    make_trajectory(&tr[i], temps[i], i == 2, i > 0);
    ft[i] = (AmFigureTrajectories) { temps[i], &tr[i], ids, cls[i] };
  }
  AmFigureOptions opt;
  am_figure_options_init(&opt);
  opt.trajectories = ft;
  opt.n_trajectories = 3;

  /* 4a: the RA's series reaches 1.5 Å, in the RA colour. */
  {
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_4A, &fk->R, &opt);
    g_assert_null(am_figure_skip_reason(fig));
    cairo_surface_t *img = render(fig, 520, 390);
    keep_for_demo(img, "fig4a");
    AmPlotPanel *p = am_plot_get_panel(am_figure_plot(fig), 0);
    const double *t, *u;
    size_t len;
    AmError err = { 0 };
    g_assert_cmpint(am_trajectory_series(&tr[1], 1, &t, &u, &len, &err), ==, AM_OK);
    size_t hop = 0;
    while (hop < len && u[hop] < 1.2)
      hop++;
    g_assert_cmpuint(hop, <, len);
    double dx, dy;
    g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, t[hop] - t[0], u[hop], &dx, &dy));
    g_assert_cmpint(count_near(img, dx, dy, 2, am_figure_class_color(AM_ATOM_COLOR_RA), 60), >=, 1);
    cairo_surface_destroy(img);
  }
  /* 6c (300 K): ink at the second site, none at the mirror point; 6d has the third site. */
  for (int which = 0; which < 3; which++) {
    g_autoptr(AmFigure) fig = am_figure_new((AmFigureId) (AM_FIGURE_6B + which), &fk->R, &opt);
    g_assert_null(am_figure_skip_reason(fig));
    cairo_surface_t *img = render(fig, 520, 390);
    keep_for_demo(img, am_figure_name(am_figure_id(fig)));
    AmPlotPanel *p = am_plot_get_panel(am_figure_plot(fig), 0);
    /* Sites are clouds of visited cells: look for ink within 0.3 Å of each. */
    g_assert_cmpint(ink_near_data(img, p, 1.5, 0.0, 0.3), >, 0);
    g_assert_cmpint(ink_near_data(img, p, -1.5, 0.0, 0.3), ==, 0);
    gboolean has_third = ink_near_data(img, p, 0.0, 4.3, 0.3) > 0;
    g_assert_true(has_third == (which == 2));
    /* Same axes in all three panels, so they compare. */
    double lo, hi;
    g_assert_true(am_plot_panel_get_axis_range(p, AM_PLOT_AXIS_X, &lo, &hi));
    g_assert_cmpfloat(hi, >=, 4.3);
    g_assert_cmpfloat(lo, <=, -4.3);
    g_assert_nonnull(strstr(am_figure_footer(fig), "500 atoms"));
    cairo_surface_destroy(img);
  }
  /* 6a: a curve per temperature with selected RAs, peaked at the RA's two sites (u′ ≈ 0
   * and 1.5 Å) and empty between them; 100 K has none, and the notes say so. */
  {
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_6A, &fk->R, &opt);
    g_assert_null(am_figure_skip_reason(fig));
    g_assert_nonnull(strstr(am_figure_notes(fig), "no selected RA at 100 K"));
    cairo_surface_t *img = render(fig, 520, 390);
    keep_for_demo(img, "fig6a");
    AmPlotPanel *p = am_plot_get_panel(am_figure_plot(fig), 0);
    double ylo, yhi;
    g_assert_true(am_plot_panel_get_axis_range(p, AM_PLOT_AXIS_Y, &ylo, &yhi));
    /* A third of the frames at the second site, spread over ~0.25 Å: a density well above
     * 0.3 of the axis there; between the sites it is zero. */
    g_assert_cmpint(ink_near_data(img, p, 1.55, 0.3 * yhi, 0.25), >, 0);
    double x0, y0, x1, y1;
    g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 0.6, 0.9 * yhi, &x0, &y0));
    g_assert_true(am_plot_data_to_device(p, AM_PLOT_AXIS_Y, 0.9, 0.15 * yhi, &x1, &y1));
    g_assert_cmpint(ink(img, x0, y0, x1, y1), ==, 0);
    cairo_surface_destroy(img);
  }
  /* Trajectories at one temperature: 6b is drawn, 6c and 6d say why not. */
  opt.n_trajectories = 1;
  {
    g_autoptr(AmFigure) b = am_figure_new(AM_FIGURE_6B, &fk->R, &opt);
    g_assert_null(am_figure_skip_reason(b));
    g_autoptr(AmFigure) d = am_figure_new(AM_FIGURE_6D, &fk->R, &opt);
    g_assert_nonnull(am_figure_skip_reason(d));
    g_assert_nonnull(strstr(am_figure_skip_reason(d), "1 temperature"));
  }
  /* Without classes, 4a cannot tell a VA from an RA. */
  ft[0].cls = NULL;
  {
    g_autoptr(AmFigure) fig = am_figure_new(AM_FIGURE_4A, &fk->R, &opt);
    g_assert_nonnull(am_figure_skip_reason(fig));
  }
  for (int i = 0; i < 3; i++)
    am_trajectory_free(&tr[i]);
  fake_free(fk);
}

/* The sweep's own recordings (AmDmsPoint.trajectory) are used when the options give none;
 * the classes come from replica 0's u′_max. */
static void test_sweep_trajectories(void)
{
  Fake *fk = fake_new(3, FALSE);
  AmTrajectory tr[3];
  memset(tr, 0, sizeof tr);
  AmDmsJobResult r0 = { 0 };
  r0.uprime_max = g_new0(float, fk->R.natoms);
  r0.uprime_max[0] = 0.3f; /* VA */
  r0.uprime_max[1] = 1.6f; /* RA */
  r0.uprime_max[2] = 4.5f; /* FA */
  const AmDmsJobResult *reps[2] = { &r0, NULL };
  for (int i = 0; i < 3; i++) {
    AmDmsPoint *pt = &fk->R.sets[0].points[i];
    make_trajectory(&tr[i], pt->temperature, i == 2, TRUE);
    pt->trajectory = &tr[i];
    pt->n_traj = 3;
    pt->traj_role[0] = "va";
    pt->traj_role[1] = "ra";
    pt->traj_role[2] = "fa";
    pt->traj_id[0] = 7;
    pt->traj_id[1] = 8;
    pt->traj_id[2] = 9;
    pt->replica = reps;
  }
  g_autoptr(AmFigure) a = am_figure_new(AM_FIGURE_4A, &fk->R, NULL);
  g_assert_null(am_figure_skip_reason(a));
  g_assert_null(am_figure_notes(a)); /* a VA, an RA and an FA were found */
  g_autoptr(AmFigure) d = am_figure_new(AM_FIGURE_6D, &fk->R, NULL);
  g_assert_null(am_figure_skip_reason(d));
  cairo_surface_t *img = render(d, 520, 390);
  g_assert_cmpint(ink_near_data(img, am_plot_get_panel(am_figure_plot(d), 0), 0.0, 4.3, 0.3), >, 0);
  cairo_surface_destroy(img);
  /* Without replica 0 the classes are unknown: Fig. 4a cannot pick its atoms. */
  for (int i = 0; i < 3; i++)
    fk->R.sets[0].points[i].replica = NULL;
  g_autoptr(AmFigure) b = am_figure_new(AM_FIGURE_4A, &fk->R, NULL);
  g_assert_nonnull(am_figure_skip_reason(b));
  for (int i = 0; i < 3; i++)
    am_trajectory_free(&tr[i]);
  g_free(r0.uprime_max);
  fake_free(fk);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/render/figures/names", test_names);
  g_test_add_func("/render/figures/fig2b-markers", test_fig2b_markers);
  g_test_add_func("/render/figures/markers-other-figures", test_markers_other_figures);
  g_test_add_func("/render/figures/rebin", test_rebin);
  g_test_add_func("/render/figures/files", test_files);
  g_test_add_func("/render/figures/missing-data", test_missing_data);
  g_test_add_func("/render/figures/trajectories", test_trajectory_figures);
  g_test_add_func("/render/figures/sweep-trajectories", test_sweep_trajectories);
  return g_test_run();
}
