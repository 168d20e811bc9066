/* test-gui-teach.c: teaching mode: free play (the worker's live shear, smooth temperature
 * changes and sliding-window classes on a real glass), the "?" explanations and the
 * presentation mode of the window. */
#include <dlfcn.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>
#include <time.h>

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "gui/explanations.h"
#include "gui/window.h"
#include "gui/worker.h"
#include "sim/data_file.h"
#include "test-gui-util.h"

static gboolean have_display;

static char *source_file(const char *a, const char *b, const char *c)
{
  return g_build_filename(g_getenv("AMORPH_SOURCE_DIR"), a, b, c, NULL);
}

/* ---- the worker --------------------------------------------------------------------- */

typedef struct {
  AmorphSnapshot *last;
  double lo, hi;  /* a band of thermostat targets to watch for */
  int in_between; /* snapshots whose target was strictly inside it */
  char *error;
} Seen;

static void on_snapshot(AmorphSnapshot *snap, gpointer data)
{
  Seen *seen = data;
  g_clear_pointer(&seen->last, amorph_snapshot_unref);
  seen->last = amorph_snapshot_ref(snap);
  if (snap->n > 0 && snap->target_temperature > seen->lo && snap->target_temperature < seen->hi)
    seen->in_between++;
  if (snap->error && !seen->error)
    seen->error = g_strdup(snap->error);
}

typedef gboolean (*Cond)(Seen *seen, gpointer data);

static gboolean wait_for(Seen *seen, Cond cond, gpointer data, int timeout_ms)
{
  gint64 end = g_get_monotonic_time() + (gint64) timeout_ms * 1000;
  while (g_get_monotonic_time() < end) {
    if (seen->error)
      g_error("worker: %s", seen->error);
    if (seen->last && cond(seen, data))
      return TRUE;
    g_main_context_iteration(NULL, FALSE);
    g_usleep(2000);
  }
  return FALSE;
}

static gboolean reached_time(Seen *seen, gpointer data)
{
  return seen->last->time >= *(double *) data - 1e-9;
}

typedef struct {
  AmBox box;
  AmAtoms atoms;
  char *potential;
} Glass;

static void glass_load(Glass *g)
{
  g_autofree char *path = source_file("tests", "data", "glass-500.data");
  AmError err = {0};
  memset(g, 0, sizeof *g);
  if (am_data_read(path, &g->box, &g->atoms, NULL, &err) != AM_OK)
    g_error("%s", err.message);
  g->potential = source_file("data", "potentials", "CuZr_mm.eam.fs");
}

static void glass_free(Glass *g)
{
  am_atoms_free(&g->atoms);
  g_free(g->potential);
}

/* Free play for `ps` ps at temperature T on the 500-atom glass with a t_p = 2 ps shear and
 * a window of two periods; returns the last snapshot. */
static AmorphSnapshot *free_play(double temperature, double ps)
{
  Glass g;
  glass_load(&g);
  const char *names[2] = {"Cu", "Zr"};
  AmorphWorkerConfig cfg;
  amorph_worker_config_init(&cfg);
  cfg.potential_path = g.potential;
  cfg.temperature = temperature;
  cfg.steps_per_frame = 100;
  cfg.shear_amplitude = 0.02;
  cfg.shear_period = 2.0;
  cfg.seed = 11;
  Seen seen = {0};
  AmorphWorker *w = amorph_worker_new(&g.box, &g.atoms, NULL, names, &cfg, on_snapshot, &seen);
  amorph_worker_run(w);
  g_assert_true(wait_for(&seen, reached_time, &ps, 120000));
  amorph_worker_free(w);
  glass_free(&g);
  return seen.last;
}

static void test_free_play_cold_hot(void)
{
  AmorphSnapshot *cold = free_play(50, 6.0);
  AmorphSnapshot *hot = free_play(1100, 6.0);
  for (int k = 0; k < 2; k++) {
    AmorphSnapshot *s = k ? hot : cold;
    g_test_message("%.0f K after %.1f ps: VA %.3f RA %.3f FA %.3f (window %.1f of %.1f ps, γ = %.4f, %zu stress "
                   "samples, G′ %.1f G″ %.2f GPa)",
                   s->final_temperature, s->time, s->class_fractions[0], s->class_fractions[1],
                   s->class_fractions[2], s->window_span, s->window_length, s->strain, s->n_trace,
                   s->have_fit ? s->fit.storage : NAN, s->have_fit ? s->fit.loss : NAN);
    g_assert_nonnull(s->classes);
    g_assert_cmpfloat_with_epsilon(s->window_length, 4.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(s->window_span, 4.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(s->class_fractions[0] + s->class_fractions[1] + s->class_fractions[2], 1.0,
                                   1e-12);
    /* The class array and the fractions say the same. */
    size_t count[3] = {0, 0, 0};
    for (size_t i = 0; i < s->n; i++) {
      g_assert_cmpint(s->classes[i], <=, 2);
      count[s->classes[i]]++;
    }
    for (int c = 0; c < 3; c++)
      g_assert_cmpfloat_with_epsilon(count[c] / (double) s->n, s->class_fractions[c], 1e-12);
    /* The stress trace covers the last three periods, sampled every 0.1 ps, with the strain. */
    g_assert_cmpuint(s->n_trace, >=, 55);
    g_assert_cmpfloat(s->trace_t[s->n_trace - 1] - s->trace_t[0], <=, 6.0 + 1e-9);
    g_assert_cmpfloat(fabs(s->strain), <=, 0.02 + 1e-12);
    g_assert_true(s->have_fit);
  }
  /* At 50 K the glass only vibrates. */
  g_assert_cmpfloat(cold->class_fractions[0], >=, 0.99);
  /* At 1100 K atoms hop: reversible and fast atoms appear. */
  g_assert_cmpfloat(hot->class_fractions[1] + hot->class_fractions[2], >=, 0.2);
  g_assert_cmpfloat(hot->class_fractions[2], >, 0.0);
  /* The cold glass is a solid: in-phase stress of tens of GPa per unit strain. */
  g_assert_cmpfloat(cold->fit.storage, >, 10.0);
  amorph_snapshot_unref(cold);
  amorph_snapshot_unref(hot);
}

static gboolean target_at(Seen *seen, gpointer data)
{
  return fabs(seen->last->target_temperature - *(double *) data) < 1e-9;
}

static gboolean shear_is(Seen *seen, gpointer data)
{
  const double *want = data;
  return seen->last->shear_amplitude == want[0] && fabs(seen->last->shear_period - want[1]) < 1e-9;
}

/* A temperature command reaches the worker and the thermostat target ramps there, through
 * values in between; a shear command applies at the next cycle start. */
static void test_commands(void)
{
  Glass g;
  glass_load(&g);
  const char *names[2] = {"Cu", "Zr"};
  AmorphWorkerConfig cfg;
  amorph_worker_config_init(&cfg);
  cfg.potential_path = g.potential;
  cfg.temperature = 100;
  cfg.steps_per_frame = 20;
  cfg.temperature_rate = 200; /* K/ps: 100 → 500 K in 2 ps, 1000 steps */
  Seen seen = {0};
  AmorphWorker *w = amorph_worker_new(&g.box, &g.atoms, NULL, names, &cfg, on_snapshot, &seen);
  amorph_worker_run(w);
  double t1 = 0.1;
  g_assert_true(wait_for(&seen, reached_time, &t1, 60000));
  g_assert_cmpfloat(seen.last->target_temperature, ==, 100);
  g_assert_cmpfloat(seen.last->shear_amplitude, ==, 0.01);
  g_assert_cmpfloat_with_epsilon(seen.last->shear_period, 10.0, 1e-9);
  double t_cmd = seen.last->time;
  seen.lo = 100;
  seen.hi = 500;
  amorph_worker_set_temperature(w, 500);
  double want = 500;
  g_assert_true(wait_for(&seen, target_at, &want, 60000));
  double t_done = seen.last->time;
  g_assert_cmpfloat(seen.last->final_temperature, ==, 500);
  g_test_message("target 100 → 500 K between t = %.2f and %.2f ps; %d snapshots in between", t_cmd, t_done,
                 seen.in_between);
  /* Smooth: it took about 2 ps (a jump would take one frame, 0.04 ps), and snapshots saw
   * targets strictly in between. */
  g_assert_cmpfloat(t_done - t_cmd, >, 1.5);
  g_assert_cmpfloat(t_done - t_cmd, <, 2.5);
  g_assert_cmpint(seen.in_between, >=, 5);

  /* The shear changes at the next start of a 10 ps cycle, with γ continuous. */
  amorph_worker_set_steps_per_frame(w, 200);
  double shear[2] = {0.03, 4.0};
  amorph_worker_set_shear(w, shear[0], shear[1]);
  g_assert_true(wait_for(&seen, shear_is, shear, 120000));
  g_test_message("shear 0.03 / 4 ps applied at t = %.2f ps", seen.last->time);
  g_assert_cmpfloat(seen.last->time, >=, 10.0 - 1e-9);
  g_assert_cmpfloat_with_epsilon(seen.last->window_length, 8.0, 1e-9);
  /* Amplitude 0 stops the shear at the next cycle start too, where γ = 0. */
  double none[2] = {0.0, 4.0};
  amorph_worker_set_shear(w, none[0], none[1]);
  g_assert_true(wait_for(&seen, shear_is, none, 60000));
  g_assert_cmpfloat(seen.last->strain, ==, 0.0);
  amorph_worker_free(w);
  g_clear_pointer(&seen.last, amorph_snapshot_unref);
  glass_free(&g);
}

/* ---- the window -------------------------------------------------------------------- */

/* The whole window as its renderer draws it, saved as PNG into $AMORPH_TEACH_SHOTS when
 * that is set (for looking at the result; the test itself writes nothing otherwise). */
static void maybe_screenshot(AmorphWindow *win, const char *name)
{
  const char *dir = g_getenv("AMORPH_TEACH_SHOTS");
  if (!dir || !*dir)
    return;
  GtkWidget *w = GTK_WIDGET(win);
  int wd = gtk_widget_get_width(w), ht = gtk_widget_get_height(w);
  GdkPaintable *paintable = gtk_widget_paintable_new(w);
  GtkSnapshot *snapshot = gtk_snapshot_new();
  gdk_paintable_snapshot(paintable, GDK_SNAPSHOT(snapshot), wd, ht);
  GskRenderNode *node = gtk_snapshot_free_to_node(snapshot);
  GskRenderer *renderer = gtk_native_get_renderer(GTK_NATIVE(w));
  GdkTexture *texture = gsk_renderer_render_texture(renderer, node, &GRAPHENE_RECT_INIT(0, 0, wd, ht));
  g_autofree char *file = g_strdup_printf("%s.png", name);
  g_autofree char *path = g_build_filename(dir, file, NULL);
  g_assert_true(gdk_texture_save_to_png(texture, path));
  g_test_message("screenshot %s", path);
  g_object_unref(texture);
  gsk_render_node_unref(node);
  g_object_unref(paintable);
}

static char *glass_path(void)
{
  return source_file("tests", "data", "glass-500.data");
}

static gboolean popover_shown(gpointer data)
{
  return gtk_widget_get_mapped(GTK_WIDGET(data));
}

static const char *label_text_in(GtkWidget *root, int which)
{
  /* The popover's labels in order: title, body. */
  int k = 0;
  for (GtkWidget *c = root; c; c = gtk_widget_get_first_child(c))
    if (GTK_IS_BOX(c) && gtk_orientable_get_orientation(GTK_ORIENTABLE(c)) == GTK_ORIENTATION_VERTICAL) {
      for (GtkWidget *l = gtk_widget_get_first_child(c); l; l = gtk_widget_get_next_sibling(l), k++)
        if (k == which && GTK_IS_LABEL(l))
          return gtk_label_get_text(GTK_LABEL(l));
      return NULL;
    }
  return NULL;
}

/* ---- keys through the X server (XTest, loaded at run time) ------------------------------ */

#ifdef GDK_WINDOWING_X11

/* Puts the pointer over the middle of widget (X gives keys to the window under it without
 * a window manager), then presses and releases key. */
static void xtest_key_over(GtkWidget *widget, KeySym key)
{
  Display *dpy = gdk_x11_display_get_xdisplay(gtk_widget_get_display(widget));
  GtkNative *native = gtk_widget_get_native(widget);
  graphene_point_t in = GRAPHENE_POINT_INIT(gtk_widget_get_width(widget) / 2.0f, gtk_widget_get_height(widget) / 2.0f),
                   out;
  g_assert_true(gtk_widget_compute_point(widget, GTK_WIDGET(native), &in, &out));
  double tx, ty;
  gtk_native_get_surface_transform(native, &tx, &ty);
  Window xid = gdk_x11_surface_get_xid(gtk_native_get_surface(native)), child;
  int rx, ry;
  translate(dpy, xid, DefaultRootWindow(dpy), (int) lround(out.x + tx), (int) lround(out.y + ty), &rx, &ry, &child);
  fake_motion(dpy, -1, rx, ry, 0);
  xflush(dpy);
  spin_for(80);
  KeyCode k = keysym_to_keycode(dpy, key);
  fake_key(dpy, k, True, 0);
  fake_key(dpy, k, False, 0);
  xflush(dpy);
  spin_for(300);
}
#endif

/* Every panel's "?" opens, through the win.explain action, a popover with its own text. */
static void test_explanations(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = glass_path();
  AmorphWindow *win = gui_open_window(path, 1400, 900);
  for (const char *const *t = amorph_explanation_topics(); *t; t++) {
    const AmorphExplanation *e = amorph_explanation_lookup(*t);
    g_assert_nonnull(e);
    g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.explain", "s", *t));
    AmorphHelpButton *b = amorph_window_get_help_button(win, *t);
    g_assert_cmpstr(amorph_help_button_get_topic(b), ==, *t);
    GtkPopover *pop = amorph_help_button_get_popover(b);
    g_assert_true(wait_until(popover_shown, pop, 5000));
    spin_for(150); /* one frame to allocate it */
    g_assert_true(gtk_widget_get_visible(GTK_WIDGET(b)));
    const char *title = label_text_in(GTK_WIDGET(pop), 0), *body = label_text_in(GTK_WIDGET(pop), 1);
    g_assert_nonnull(title);
    g_assert_nonnull(body);
    g_test_message("%s: “%s”, %zu characters", *t, title, strlen(body));
    g_assert_cmpuint(strlen(title), >, 5);
    g_assert_cmpuint(strlen(body), >, 200);
    /* The popover is on screen, inside the window's width. */
    g_assert_cmpint(gtk_widget_get_width(GTK_WIDGET(pop)), >, 200);
    if (g_str_equal(*t, "classes"))
      maybe_screenshot(win, "explain-classes");
    amorph_help_button_popdown(b);
    spin_for(50);
  }
  /* Every plot page has its text: the shared button follows the page shown. */
  g_assert_null(amorph_explanation_lookup("no-such-panel"));
  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

static gboolean presenting(gpointer pres)
{
  return amorph_presentation_get_active(pres);
}

static gboolean not_presenting(gpointer pres)
{
  return !amorph_presentation_get_active(pres);
}

static gboolean visible_now(gpointer data)
{
  return gtk_widget_get_visible(data);
}

/* Presentation mode hides the side panel and the secondary chrome, grows the plot fonts,
 * keeps its layout through resizes, and leaving (Esc's action) restores everything as it
 * was. */
static void test_presentation(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = glass_path();
  AmorphWindow *win = gui_open_window(path, 1400, 900);
  GtkWidget *w = GTK_WIDGET(win);
  AmorphPresentation *pres = amorph_window_get_presentation(win);
  gboolean shown = FALSE;
  g_object_get(win, "show-side-panel", &shown, NULL);
  g_assert_true(shown);
  GtkWidget *view = GTK_WIDGET(amorph_window_get_atom_view(win));
  /* The side panel is the atom view's sibling in the horizontal pane. */
  GtkWidget *paned = gtk_widget_get_ancestor(view, GTK_TYPE_PANED);
  GtkWidget *panel = gtk_paned_get_end_child(GTK_PANED(paned));
  g_assert_true(gtk_widget_get_visible(panel));
  int view_w0 = gtk_widget_get_width(view);
  AmPlot *stress = amorph_window_get_plot(win, AMORPH_PLOT_STRESS_FIT);
  double font0 = am_plot_get_font_size(stress);

  g_assert_true(gtk_widget_activate_action(w, "win.presentation", NULL));
  g_assert_true(amorph_presentation_get_active(pres));
  spin_for(300);
  g_assert_false(gtk_widget_get_visible(panel));
  g_assert_true(gtk_widget_has_css_class(w, "presentation"));
  g_assert_cmpfloat(am_plot_get_font_size(stress), >, 1.3 * font0);
  /* The view takes the room the panel left. */
  g_test_message("atom view %d px wide with the side panel, %d px in presentation mode", view_w0,
                 gtk_widget_get_width(view));
  g_assert_cmpint(gtk_widget_get_width(view), >, view_w0);
  maybe_screenshot(win, "presentation");

  /* Resizes (a projector's resolution, a window manager that refuses full screen) keep the
   * mode: the panel stays hidden and view and plots keep a sensible size. */
  int sizes[][2] = {{800, 600}, {1920, 1080}, {1024, 768}};
  for (size_t k = 0; k < G_N_ELEMENTS(sizes); k++) {
    gtk_window_set_default_size(GTK_WINDOW(win), sizes[k][0], sizes[k][1]);
    spin_for(300);
    g_assert_true(amorph_presentation_get_active(pres));
    g_assert_false(gtk_widget_get_visible(panel));
    g_test_message("%d×%d: window %d×%d, view %d×%d", sizes[k][0], sizes[k][1], gtk_widget_get_width(w),
                   gtk_widget_get_height(w), gtk_widget_get_width(view), gtk_widget_get_height(view));
    g_assert_cmpint(gtk_widget_get_width(view), >, 300);
    g_assert_cmpint(gtk_widget_get_height(view), >, 200);
  }

  /* Esc's action leaves. */
  g_assert_true(gtk_widget_activate_action(w, "win.leave-presentation", NULL));
  spin_for(300);
  g_assert_false(amorph_presentation_get_active(pres));
  g_assert_true(gtk_widget_get_visible(panel));
  g_assert_false(gtk_widget_has_css_class(w, "presentation"));
  g_assert_cmpfloat(am_plot_get_font_size(stress), ==, font0);

  /* A side panel closed before stays closed after; F11's action toggles. */
  g_object_set(win, "show-side-panel", FALSE, NULL);
  g_assert_true(gtk_widget_activate_action(w, "win.presentation", NULL));
  g_assert_true(gtk_widget_activate_action(w, "win.presentation", NULL));
  spin_for(100);
  g_assert_false(amorph_presentation_get_active(pres));
  g_assert_false(gtk_widget_get_visible(panel));
  g_object_set(win, "show-side-panel", TRUE, NULL);
  g_assert_true(wait_until(visible_now, panel, 1000));

#ifdef GDK_WINDOWING_X11
  /* The real keys: F11 enters, Esc leaves. */
  if (xtest_available(w)) {
    /* A loaded X server may take longer than the 300 ms xtest_key_over waits. */
    xtest_key_over(view, XK_F11);
    g_assert_true(wait_until(presenting, pres, 5000));
    g_assert_false(gtk_widget_get_visible(panel));
    xtest_key_over(view, XK_Escape);
    g_assert_true(wait_until(not_presenting, pres, 5000));
    g_assert_true(gtk_widget_get_visible(panel));
  } else
    g_test_message("no XTest: F11 and Esc not sent as keys");
#endif
  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

/* The worst gap between two 5 ms ticks (wall), how much of it was the main thread's own
 * CPU, and how much was neither that nor painting: painting with llvmpipe on a loaded
 * machine waits for the rasteriser threads (seconds at a load of 10), while a main loop
 * that waited on the simulation would show as wall time outside the paint. */
typedef struct {
  gint64 last_us, worst_us;
  double last_cpu_s, worst_cpu_s;
  gint64 paint_us, paint_start_us; /* frame clock: before-paint to after-paint, summed */
  gint64 last_paint_us, worst_off_paint_us;
} Stall;

static void stall_before_paint(GdkFrameClock *clock, gpointer data)
{
  (void) clock;
  ((Stall *) data)->paint_start_us = g_get_monotonic_time();
}

static void stall_after_paint(GdkFrameClock *clock, gpointer data)
{
  (void) clock;
  Stall *s = data;
  if (s->paint_start_us)
    s->paint_us += g_get_monotonic_time() - s->paint_start_us;
  s->paint_start_us = 0;
}

static double thread_cpu_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static gboolean stall_tick(gpointer data)
{
  Stall *s = data;
  gint64 now = g_get_monotonic_time();
  double cpu = thread_cpu_seconds();
  if (s->last_us && now - s->last_us > s->worst_us) {
    s->worst_us = now - s->last_us;
    s->worst_cpu_s = cpu - s->last_cpu_s;
  }
  if (s->last_us)
    s->worst_off_paint_us = MAX(s->worst_off_paint_us, now - s->last_us - (s->paint_us - s->last_paint_us));
  s->last_us = now;
  s->last_cpu_s = cpu;
  s->last_paint_us = s->paint_us;
  return G_SOURCE_CONTINUE;
}

typedef struct {
  AmorphWindow *win;
  const char *needle;
} StatusWait;

static gboolean status_has(gpointer data)
{
  StatusWait *sw = data;
  GtkWidget *bar = gtk_window_get_titlebar(GTK_WINDOW(sw->win));
  /* The status label is the header bar's numeric label. */
  for (GtkWidget *c = bar; c;) {
    if (GTK_IS_LABEL(c) && gtk_widget_has_css_class(c, "numeric") &&
        strstr(gtk_label_get_text(GTK_LABEL(c)), sw->needle))
      return TRUE;
    GtkWidget *next = gtk_widget_get_first_child(c);
    while (!next && c && c != bar) {
      next = gtk_widget_get_next_sibling(c);
      if (!next)
        c = gtk_widget_get_parent(c);
    }
    c = next;
  }
  return FALSE;
}

static gboolean panel_has_classes(gpointer data)
{
  return *amorph_free_play_panel_get_classes_text(data) != '\0';
}

/* Free play in the window: the card's sliders reach the worker (the status shows the new
 * target), the atoms get classes, the class fractions show in the card and the status,
 * and the stress plot fills. */
static void test_free_play_window(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = glass_path();
  AmorphWindow *win = gui_open_window(path, 1400, 900);
  GtkWidget *w = GTK_WIDGET(win);
  AmorphFreePlayPanel *card = amorph_window_get_free_play_panel(win);
  g_assert_true(gtk_widget_get_visible(GTK_WIDGET(card)));
  amorph_free_play_panel_set_temperature(card, 600);
  amorph_free_play_panel_set_shear_period(card, 4);
  amorph_free_play_panel_set_shear_amplitude(card, 0.02);
  g_assert_true(gtk_widget_activate_action(w, "win.free-play", NULL));
  g_assert_true(amorph_window_get_running(win));
  /* Classes need two samples of the window (0.2 ps apart at t_p = 4 ps). */
  g_assert_true(wait_until(panel_has_classes, card, 60000));
  StatusWait sw = {win, "target 600 K"};
  g_assert_true(wait_until(status_has, &sw, 10000));
  sw.needle = "VA ";
  g_assert_true(wait_until(status_has, &sw, 10000));
  g_assert_true(amorph_atom_view_has_classes(amorph_window_get_atom_view(win)));
  g_test_message("card: %s", amorph_free_play_panel_get_classes_text(card));
  g_assert_nonnull(strstr(amorph_free_play_panel_get_classes_text(card), "RA"));

  /* The slider: a new temperature reaches the worker, whose target ramps there. Meanwhile
   * the main loop stays responsive: the worst gap between 5 ms ticks, and how much of it
   * was the main thread's own CPU time (the rest is the worker and other processes). */
  Stall stall = {0};
  GdkFrameClock *clock = gtk_widget_get_frame_clock(w);
  gulong before = g_signal_connect(clock, "before-paint", G_CALLBACK(stall_before_paint), &stall);
  gulong after = g_signal_connect(clock, "after-paint", G_CALLBACK(stall_after_paint), &stall);
  guint tick = g_timeout_add(5, stall_tick, &stall);
  amorph_free_play_panel_set_temperature(card, 900);
  sw.needle = "target 900 K";
  g_assert_true(wait_until(status_has, &sw, 60000));
  spin_for(1500);
  g_source_remove(tick);
  g_signal_handler_disconnect(clock, before);
  g_signal_handler_disconnect(clock, after);
  g_test_message("free play: worst main-loop stall %.1f ms, %.1f ms of it on the main thread's CPU; "
                 "worst outside painting %.1f ms",
                 stall.worst_us / 1000.0, 1000 * stall.worst_cpu_s, stall.worst_off_paint_us / 1000.0);
  g_assert_cmpint(stall.worst_off_paint_us, <, 1000 * 1000);
  g_assert_cmpfloat(stall.worst_cpu_s, <, 0.25);
  maybe_screenshot(win, "free-play");
  g_assert_true(gtk_widget_activate_action(w, "win.stop", NULL));
  g_assert_cmpstr(amorph_free_play_panel_get_classes_text(card), ==, "");
  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  have_display = gui_test_start(NULL, NULL, TRUE);
  g_test_add_func("/gui/teach/free-play-cold-hot", test_free_play_cold_hot);
  g_test_add_func("/gui/teach/commands", test_commands);
  g_test_add_func("/gui/teach/explanations", test_explanations);
  g_test_add_func("/gui/teach/presentation", test_presentation);
  g_test_add_func("/gui/teach/free-play-window", test_free_play_window);
  return g_test_run();
}
