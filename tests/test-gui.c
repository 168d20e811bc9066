/* test-gui.c: the explorer under a real display (tools/test runs it inside xvfb-run with
 * Mesa llvmpipe; G_DEBUG=fatal-warnings makes any GTK or GL warning fail the test).
 *
 * The window opens and loads a data file; the atom view draws spheres in the species'
 * colours (pixels read back through the window's GSK renderer); a pointer click, sent
 * through the X server with XTest at the projected position of a known atom, pins that
 * atom and a second click releases it; undo/redo replay the pin history; the worker
 * thread runs MD and keeps a pinned atom in place; the frame rate of 4000 atoms is
 * measured. Without a display every test skips. */
#include <dlfcn.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <time.h>
#include <string.h>

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "gui/atom_view.h"
#include "gui/window.h"
#include "gui/worker.h"
#include "render/camera.h"
#include "sim/data_file.h"
#include "test-gui-util.h"
#include "test-util.h"

static gboolean have_display;
static char *tmpdir;

/* ---- helpers ---------------------------------------------------------------------------- */

/* A B2 CuZr crystal, n×n×n cells of 3.26 Å, types by sublattice, as a LAMMPS data file. */
static char *write_b2(int cells)
{
  AmAtoms atoms = {0};
  AmError err = {0};
  size_t n = 2 * (size_t) cells * cells * cells;
  g_assert_cmpint(am_atoms_resize(&atoms, n, &err), ==, AM_OK);
  atoms.ntypes = 2;
  atoms.mass[0] = 63.546;
  atoms.mass[1] = 91.224;
  g_strlcpy(atoms.type_label[0], "Cu", sizeof atoms.type_label[0]);
  g_strlcpy(atoms.type_label[1], "Zr", sizeof atoms.type_label[1]);
  const double a = 3.26;
  size_t i = 0;
  for (int x = 0; x < cells; x++)
    for (int y = 0; y < cells; y++)
      for (int z = 0; z < cells; z++)
        for (int b = 0; b < 2; b++, i++) {
          atoms.id[i] = (int64_t) i + 1;
          atoms.type[i] = b;
          atoms.x[3 * i] = (x + 0.5 * b + 0.25) * a;
          atoms.x[3 * i + 1] = (y + 0.5 * b + 0.25) * a;
          atoms.x[3 * i + 2] = (z + 0.5 * b + 0.25) * a;
          for (int k = 0; k < 3; k++) {
            atoms.v[3 * i + k] = 0;
            atoms.image[3 * i + k] = 0;
          }
        }
  AmBox box;
  double lo[3] = {0, 0, 0}, hi[3] = {cells * a, cells * a, cells * a};
  am_box_set(&box, lo, hi, 0, 0, 0);
  char *path = g_strdup_printf("%s/b2-%d.data", tmpdir, cells);
  g_assert_cmpint(am_data_write(path, &box, &atoms, "B2 CuZr for test-gui", false, &err), ==, AM_OK);
  am_atoms_free(&atoms);
  return path;
}

/* The application's settings, or NULL when the schema is not compiled where GSettings
 * looks (meson test points GSETTINGS_SCHEMA_DIR at the build tree). */
static GSettings *app_settings(void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default();
  g_autoptr(GSettingsSchema) schema =
      source ? g_settings_schema_source_lookup(source, "org.amorph.Amorph", TRUE) : NULL;
  return schema ? g_settings_new_full(schema, NULL, NULL) : NULL;
}

/* The application's settings for a test that needs a display and the schema; NULL, with
 * the test marked skipped, without either. */
static GSettings *settings_for_test(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return NULL;
  }
  GSettings *s = app_settings();
  if (!s)
    g_test_skip("org.amorph.Amorph schema not found (run through meson test)");
  return s;
}

/* Every test starts from the defaults, whatever an earlier window stored. */
static void reset_settings(void)
{
  g_autoptr(GSettings) s = app_settings();
  if (!s)
    return;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_object_get(s, "settings-schema", &schema, NULL);
  g_auto(GStrv) keys = g_settings_schema_list_keys(schema);
  for (int k = 0; keys[k]; k++)
    g_settings_reset(s, keys[k]);
}

/* Every test's window starts from the default settings. */
static AmorphWindow *open_window(const char *path)
{
  reset_settings();
  return gui_open_window(path, 1200, 800);
}

/* Hue class of a pixel: 'o' orange/red (Cu), 'b' blue (Zr), '.' background or grey. */
static char hue_class(const guchar *px)
{
  int b = px[0], g = px[1], r = px[2];
  if (r > b + 40 && r > g + 20)
    return 'o';
  if (b > r + 40)
    return 'b';
  return '.';
}

/* The atom whose projected centre picks itself and lies nearest the view's centre: a
 * visible atom in front. */
static long front_atom(AmorphAtomView *view, double win_out[3])
{
  const AmCamera *cam = amorph_atom_view_get_camera(view);
  long best = -1;
  double best_d = INFINITY;
  for (size_t i = 0; i < amorph_atom_view_get_n_atoms(view); i++) {
    double p[3], win[3];
    amorph_atom_view_get_atom_position(view, i, p);
    if (!am_camera_project(cam, p, win))
      continue;
    double d = hypot(win[0] - cam->width / 2, win[1] - cam->height / 2);
    if (d < best_d && amorph_atom_view_pick(view, win[0], win[1]) == (long) i) {
      best_d = d;
      best = (long) i;
      memcpy(win_out, win, sizeof win);
    }
  }
  return best;
}

/* ---- XTest pointer clicks ---------------------------------------------------------------- */

#ifdef GDK_WINDOWING_X11


/* Presses a button at widget point (x0, y0), drags to (x1, y1) in steps, releases. */
static void xtest_drag(GtkWidget *widget, unsigned button, double x0, double y0, double x1, double y1)
{
  Display *dpy = gdk_x11_display_get_xdisplay(gtk_widget_get_display(widget));
  int rx, ry;
  to_root(widget, x0, y0, &rx, &ry);
  fake_motion(dpy, -1, rx, ry, 0);
  xflush(dpy);
  spin_for(50);
  fake_button(dpy, button, True, 0);
  xflush(dpy);
  spin_for(30);
  for (int k = 1; k <= 10; k++) {
    to_root(widget, x0 + (x1 - x0) * k / 10, y0 + (y1 - y0) * k / 10, &rx, &ry);
    fake_motion(dpy, -1, rx, ry, 0);
    xflush(dpy);
    spin_for(30);
  }
  fake_button(dpy, button, False, 0);
  xflush(dpy);
  spin_for(50);
}

/* Presses and releases a key (by keysym) for the window under the pointer. */
static void xtest_key(GtkWidget *widget, KeySym key)
{
  Display *dpy = gdk_x11_display_get_xdisplay(gtk_widget_get_display(widget));
  KeyCode k = keysym_to_keycode(dpy, key);
  fake_key(dpy, k, True, 0);
  fake_key(dpy, k, False, 0);
  xflush(dpy);
  spin_for(100);
}

/* Moves the real pointer to widget point (x, y) and clicks the primary button. */
static void xtest_click(GtkWidget *widget, double x, double y)
{
  Display *dpy = gdk_x11_display_get_xdisplay(gtk_widget_get_display(widget));
  int rx, ry;
  to_root(widget, x, y, &rx, &ry);
  fake_motion(dpy, -1, rx, ry, 0);
  xflush(dpy);
  spin_for(60);
  fake_button(dpy, 1, True, 0);
  xflush(dpy);
  spin_for(40);
  fake_button(dpy, 1, False, 0);
  xflush(dpy);
}

/* Presses Ctrl (and Shift) + key on the real keyboard, for the window under the pointer. */
static void xtest_ctrl_key(GtkWidget *widget, KeySym key, gboolean shift)
{
  Display *dpy = gdk_x11_display_get_xdisplay(gtk_widget_get_display(widget));
  KeyCode ctrl = keysym_to_keycode(dpy, 0xffe3 /* Control_L */), sh = keysym_to_keycode(dpy, 0xffe1 /* Shift_L */);
  KeyCode k = keysym_to_keycode(dpy, key);
  fake_key(dpy, ctrl, True, 0);
  if (shift)
    fake_key(dpy, sh, True, 0);
  fake_key(dpy, k, True, 0);
  fake_key(dpy, k, False, 0);
  if (shift)
    fake_key(dpy, sh, False, 0);
  fake_key(dpy, ctrl, False, 0);
  xflush(dpy);
}
#endif

typedef struct {
  AmorphWindow *win;
  size_t index;
  gboolean want;
} PinWait;

static gboolean pin_is(gpointer data)
{
  PinWait *w = data;
  return amorph_window_is_pinned(w->win, w->index) == w->want;
}

/* A click at widget point (x, y) of the view: through the X server when XTest is there,
 * else through the same pick the gesture handler uses. */
static void click_view(AmorphWindow *win, double x, double y)
{
  AmorphAtomView *view = amorph_window_get_atom_view(win);
#ifdef GDK_WINDOWING_X11
  if (xtest_available(GTK_WIDGET(view))) {
    xtest_click(GTK_WIDGET(view), x, y);
    return;
  }
#endif
  g_test_message("no XTest: clicking through the view's pick instead of the pointer");
  long i = amorph_atom_view_pick(view, x, y);
  if (i >= 0)
    g_signal_emit_by_name(view, "atom-clicked", (guint) i);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_window_opens(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = write_b2(6);
  AmorphWindow *win = open_window(path);
  g_assert_true(gtk_widget_get_mapped(GTK_WIDGET(win)));
  g_assert_cmpuint(amorph_window_get_n_atoms(win), ==, 432);
  g_assert_cmpuint(amorph_atom_view_get_n_atoms(amorph_window_get_atom_view(win)), ==, 432);
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, 0);

  /* A broken file: the error names the file and line, and the window keeps its atoms. */
  g_autofree char *bad = g_build_filename(tmpdir, "broken.data", NULL);
  g_assert_true(g_file_set_contents(bad, "title\n\n12 atoms\n1 atom types\n\n0 10 xlo xhi\n0 10 ylo yhi\n0 ten zlo zhi\n", -1, NULL));
  GError *error = NULL;
  g_assert_false(amorph_window_load(win, bad, &error));
  g_assert_nonnull(error);
  g_assert_nonnull(strstr(error->message, "broken.data"));
  g_test_message("load error: %s", error->message);
  g_error_free(error);
  g_assert_cmpuint(amorph_window_get_n_atoms(win), ==, 432);

  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

static void test_view_renders(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = write_b2(6);
  AmorphWindow *win = open_window(path);
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  int w, h;
  gsize stride;
  g_autofree guchar *px = read_view_pixels(view, &w, &h, &stride);
  g_assert_cmpint(w, >, 100);
  g_assert_cmpint(h, >, 100);
  size_t counts[3] = {0};
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      char c = hue_class(px + y * stride + 4 * x);
      counts[c == 'o' ? 0 : c == 'b' ? 1 : 2]++;
    }
  double total = (double) w * h;
  g_test_message("view %d×%d: %.1f %% Cu-coloured, %.1f %% Zr-coloured", w, h, 100 * counts[0] / total,
                 100 * counts[1] / total);
  /* Half the atoms are Cu and half Zr: both colours cover a real share of the view. */
  g_assert_cmpfloat(counts[0] / total, >, 0.03);
  g_assert_cmpfloat(counts[1] / total, >, 0.03);

  /* The front atom's centre pixel has its species' colour. */
  double win_xy[3];
  long i = front_atom(view, win_xy);
  g_assert_cmpint(i, >=, 0);
  int type = (int) (i % 2); /* write_b2 alternates Cu, Zr */
  const guchar *p = px + (int) win_xy[1] * stride + 4 * (int) win_xy[0];
  g_assert_cmpint(hue_class(p), ==, type == 0 ? 'o' : 'b');

  /* Orthographic projection draws too, and still shows the same atom there. */
  amorph_atom_view_set_orthographic(view, TRUE);
  guint64 f0 = amorph_atom_view_get_frame_count(view);
  spin_for(300);
  g_assert_cmpuint(amorph_atom_view_get_frame_count(view), >, f0);
  g_autofree guchar *px2 = read_view_pixels(view, &w, &h, &stride);
  i = front_atom(view, win_xy);
  g_assert_cmpint(i, >=, 0);
  p = px2 + (int) win_xy[1] * stride + 4 * (int) win_xy[0];
  g_assert_cmpint(hue_class(p), ==, i % 2 == 0 ? 'o' : 'b');

  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

static void test_click_pins(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = write_b2(6);
  AmorphWindow *win = open_window(path);
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  double win_xy[3];
  long i = front_atom(view, win_xy);
  g_assert_cmpint(i, >=, 0);
  g_test_message("clicking atom %ld at (%.1f, %.1f)", i, win_xy[0], win_xy[1]);

  PinWait pw = {win, (size_t) i, TRUE};
  click_view(win, win_xy[0], win_xy[1]);
  g_assert_true(wait_until(pin_is, &pw, 5000));
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, 1);

  /* The pinned atom is drawn as a dark ball: its centre, once in its species' colour, and a
   * point near its rim are now dark. */
  int w, h;
  gsize stride;
  spin_for(200);
  g_autofree guchar *px = read_view_pixels(view, &w, &h, &stride);
  double c[3], edge[3], right[3], up[3], fwd[3], ew[3];
  const AmCamera *cam = amorph_atom_view_get_camera(view);
  amorph_atom_view_get_atom_position(view, (size_t) i, c);
  am_camera_basis(cam, right, up, fwd);
  /* 0.85 of the drawn radius (Cu 1.28 Å × 0.8) towards the camera's right. */
  double r = 1.28 * amorph_atom_view_get_atom_scale(view) * (i % 2 == 0 ? 1.0 : 1.60 / 1.28);
  for (int k = 0; k < 3; k++)
    edge[k] = c[k] + 0.85 * r * right[k];
  g_assert_true(am_camera_project(cam, edge, ew));
  const guchar *p = px + (int) ew[1] * stride + 4 * (int) ew[0];
  g_assert_cmpint(p[0] + p[1] + p[2], <, 3 * 90);
  p = px + (int) win_xy[1] * stride + 4 * (int) win_xy[0];
  g_assert_cmpint(hue_class(p), ==, '.');
  g_assert_cmpint(p[0] + p[1] + p[2], <, 3 * 90);

  pw.want = FALSE;
  spin_for(400); /* well apart from the first click: no double-click */
  click_view(win, win_xy[0], win_xy[1]);
  g_assert_true(wait_until(pin_is, &pw, 5000));
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, 0);

  /* A click on the background pins nothing. */
  spin_for(400);
  click_view(win, 3, 3);
  spin_for(300);
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, 0);

#ifdef GDK_WINDOWING_X11
  /* Ctrl+Z and Ctrl+Shift+Z from the keyboard undo and redo the last click. */
  if (xtest_available(GTK_WIDGET(view))) {
    pw.want = TRUE;
    xtest_ctrl_key(GTK_WIDGET(view), 'z', FALSE);
    g_assert_true(wait_until(pin_is, &pw, 5000));
    pw.want = FALSE;
    xtest_ctrl_key(GTK_WIDGET(view), 'z', TRUE);
    g_assert_true(wait_until(pin_is, &pw, 5000));
  }
#endif

  /* History: undo restores the pin, undo again removes it, redo twice replays both. */
  g_assert_true(amorph_window_undo(win));
  g_assert_true(amorph_window_is_pinned(win, (size_t) i));
  g_assert_true(amorph_window_undo(win));
  g_assert_false(amorph_window_is_pinned(win, (size_t) i));
  g_assert_false(amorph_window_undo(win));
  g_assert_true(amorph_window_redo(win));
  g_assert_true(amorph_window_is_pinned(win, (size_t) i));
  /* Ctrl+Z through the window's action. */
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.undo", NULL));
  g_assert_false(amorph_window_is_pinned(win, (size_t) i));
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.redo", NULL));
  g_assert_true(amorph_window_is_pinned(win, (size_t) i));
  /* A new change drops the redo history. */
  amorph_window_toggle_pin(win, 0);
  g_assert_false(amorph_window_redo(win));
  amorph_window_clear_pins(win);
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, 0);
  g_assert_true(amorph_window_undo(win));
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, 2);

  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

static gboolean step_reached(gpointer data)
{
  return amorph_window_get_run_step(data) >= 10; /* two frames of 5 steps (default speed) */
}

static gboolean step_reached_more(gpointer data)
{
  return amorph_window_get_run_step(data) >= 60;
}

/* The worker runs NVT MD off the main thread; the view follows its snapshots; an atom
 * pinned while running stays exactly where it was pinned (the box is fixed in NVT). */
static void test_worker_runs(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = write_b2(7);
  AmorphWindow *win = open_window(path);
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  double before[3], after[3];
  amorph_atom_view_get_atom_position(view, 5, before);
  /* Free play's shear off: it would carry the pinned atom below affinely with the box. */
  amorph_free_play_panel_set_shear_amplitude(amorph_window_get_free_play_panel(win), 0.0);

  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.step", NULL));
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.step", NULL));
  g_assert_true(wait_until(step_reached, win, 30000));
  g_assert_false(amorph_window_get_running(win));
  amorph_atom_view_get_atom_position(view, 5, after);
  double moved = sqrt(pow(after[0] - before[0], 2) + pow(after[1] - before[1], 2) + pow(after[2] - before[2], 2));
  g_test_message("atom 6 moved %.4f Å in 10 steps", moved);
  g_assert_cmpfloat(moved, >, 1e-4);
  g_assert_cmpfloat(moved, <, 1.0);

  /* Pin atom 5 while paused, then run: it must not move. */
  amorph_window_toggle_pin(win, 5);
  spin_for(100);
  double pinned_at[3];
  amorph_atom_view_get_atom_position(view, 5, pinned_at);
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.free-play", NULL));
  g_assert_true(amorph_window_get_running(win));
  g_assert_true(wait_until(step_reached_more, win, 30000));
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.pause", NULL));
  spin_for(200);
  double later[3], other0[3], other1[3];
  amorph_atom_view_get_atom_position(view, 5, later);
  for (int k = 0; k < 3; k++)
    g_assert_cmpfloat_with_epsilon(later[k], pinned_at[k], 1e-4);
  /* …while its neighbours keep moving. */
  amorph_atom_view_get_atom_position(view, 6, other0);
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.step", NULL));
  long long s0 = amorph_window_get_run_step(win);
  while (amorph_window_get_run_step(win) == s0)
    g_main_context_iteration(NULL, TRUE);
  amorph_atom_view_get_atom_position(view, 6, other1);
  g_assert_cmpfloat(fabs(other1[0] - other0[0]) + fabs(other1[1] - other0[1]) + fabs(other1[2] - other0[2]), >, 0);

  /* Snapshots carry per-atom energies, which the view can colour by. */
  g_assert_true(amorph_atom_view_has_values(view));
  amorph_atom_view_set_color_mode(view, AMORPH_COLOR_BY_VALUE);
  spin_for(100);

  /* Stop returns the view to the loaded configuration and drops the run's energies. */
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.stop", NULL));
  amorph_atom_view_get_atom_position(view, 5, after);
  for (int k = 0; k < 3; k++)
    g_assert_cmpfloat(after[k], ==, before[k]);
  g_assert_cmpint(amorph_window_get_run_step(win), ==, -1);
  g_assert_false(amorph_atom_view_has_values(view));

  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

typedef struct {
  AmorphAtomView *view;
  double distance;
} ZoomWait;

static gboolean zoomed_in(gpointer data)
{
  const ZoomWait *zw = data;
  return amorph_atom_view_get_camera(zw->view)->distance < zw->distance;
}

static gboolean distance_is(gpointer data)
{
  const ZoomWait *zw = data;
  return fabs(amorph_atom_view_get_camera(zw->view)->distance - zw->distance) < 1e-9;
}

static gboolean is_orthographic(gpointer data)
{
  return amorph_atom_view_get_orthographic(data);
}

/* Dragging turns the view and pins nothing; Shift-drag pans; the wheel zooms; O switches
 * the projection and R resets the view, all through the X server. */
static void test_drag_and_keys(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = write_b2(6);
  AmorphWindow *win = open_window(path);
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  GtkWidget *w = GTK_WIDGET(view);
#ifdef GDK_WINDOWING_X11
  if (!xtest_available(w)) {
    g_test_skip("needs X11 with XTest");
    gtk_window_destroy(GTK_WINDOW(win));
    return;
  }
  AmCamera start = *amorph_atom_view_get_camera(view);
  double cx = gtk_widget_get_width(w) / 2.0, cy = gtk_widget_get_height(w) / 2.0;

  xtest_drag(w, 1, cx, cy, cx + 120, cy + 40);
  const AmCamera *cam = amorph_atom_view_get_camera(view);
  g_assert_cmpfloat(fabs(cam->yaw - start.yaw), >, 0.3);
  g_assert_cmpfloat(cam->pitch, >, start.pitch);
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, 0);
  for (int k = 0; k < 3; k++)
    g_assert_cmpfloat(cam->target[k], ==, start.target[k]);

  /* The wheel: one notch away from the user zooms in. */
  double d0 = cam->distance;
  Display *dpy = gdk_x11_display_get_xdisplay(gtk_widget_get_display(w));
  fake_button(dpy, 4, True, 0);
  fake_button(dpy, 4, False, 0);
  xflush(dpy);
  /* On a busy machine the X server may take a while to deliver the notch. */
  ZoomWait zw = { view, d0 };
  g_assert_true(wait_until(zoomed_in, &zw, 5000));

  g_assert_false(amorph_atom_view_get_orthographic(view));
  xtest_key(w, 'o');
  g_assert_true(wait_until(is_orthographic, view, 5000));
  xtest_key(w, 'r');
  ZoomWait reset = { view, start.distance };
  g_assert_true(wait_until(distance_is, &reset, 5000));
  cam = amorph_atom_view_get_camera(view);
  g_assert_cmpfloat_with_epsilon(cam->yaw, start.yaw, 1e-12);
  g_assert_cmpfloat_with_epsilon(cam->distance, start.distance, 1e-9);

  /* Shift-drag pans: the target moves, the direction does not. */
  KeyCode shift = keysym_to_keycode(dpy, 0xffe1);
  fake_key(dpy, shift, True, 0);
  xflush(dpy);
  xtest_drag(w, 1, cx, cy, cx + 60, cy);
  fake_key(dpy, shift, False, 0);
  xflush(dpy);
  spin_for(100);
  cam = amorph_atom_view_get_camera(view);
  g_assert_cmpfloat_with_epsilon(cam->yaw, start.yaw, 1e-12);
  g_assert_cmpfloat(fabs(cam->target[0] - start.target[0]) + fabs(cam->target[1] - start.target[1]), >, 1.0);
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, 0);
#else
  g_test_skip("needs X11 with XTest");
#endif
  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

/* Display choices and the last file outlive the window (memory backend in tests). */
static void test_settings_persist(void)
{
  g_autoptr(GSettings) s = settings_for_test();
  if (!s)
    return;
  g_autofree char *path = write_b2(6);
  AmorphWindow *win = open_window(path);
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  amorph_atom_view_set_orthographic(view, TRUE);
  amorph_atom_view_set_atom_scale(view, 0.5);
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.show-side-panel", NULL));
  g_assert_true(g_settings_get_boolean(s, "orthographic"));
  g_assert_false(g_settings_get_boolean(s, "show-side-panel"));
  g_assert_cmpstr(g_settings_get_string(s, "last-file"), ==, path);
  gtk_window_close(GTK_WINDOW(win));
  spin_for(50);

  /* A new window (without the reset open_window does) comes back the same way. */
  AmorphWindow *again = AMORPH_WINDOW(amorph_window_new(NULL));
  AmorphAtomView *view2 = amorph_window_get_atom_view(again);
  g_assert_true(amorph_atom_view_get_orthographic(view2));
  g_assert_cmpfloat_with_epsilon(amorph_atom_view_get_atom_scale(view2), 0.5, 1e-12);
  gboolean side = TRUE;
  g_object_get(again, "show-side-panel", &side, NULL);
  g_assert_false(side);
  g_autofree char *last = amorph_window_get_last_file(again);
  g_assert_cmpstr(last, ==, path);
  gtk_window_destroy(GTK_WINDOW(again));
  reset_settings();
}

typedef struct {
  int calls;
  long long last_step;
  double temperature;
  double pe_min, pe_max;
  char *error;
} Seen;

static void on_snapshot_seen(AmorphSnapshot *snap, gpointer data)
{
  Seen *seen = data;
  seen->calls++;
  seen->last_step = snap->step;
  seen->temperature = snap->temperature;
  seen->pe_min = INFINITY;
  seen->pe_max = -INFINITY;
  for (size_t i = 0; snap->values && i < snap->n; i++) {
    seen->pe_min = MIN(seen->pe_min, snap->values[i]);
    seen->pe_max = MAX(seen->pe_max, snap->values[i]);
  }
  if (snap->error && !seen->error)
    seen->error = g_strdup(snap->error);
}

static gboolean seen_any(gpointer data)
{
  return ((Seen *) data)->calls > 0;
}

/* However many snapshots the worker makes while the main loop is busy, one idle callback
 * delivers only the newest; after amorph_worker_free no callback runs; setup errors arrive
 * as a snapshot that says what went wrong. */
static void test_worker_coalesces(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = write_b2(6);
  AmBox box;
  AmAtoms atoms = {0};
  AmError err = {0};
  g_assert_cmpint(am_data_read(path, &box, &atoms, NULL, &err), ==, AM_OK);
  g_autofree char *potential =
      g_build_filename(g_getenv("AMORPH_SOURCE_DIR"), "data", "potentials", "CuZr_mm.eam.fs", NULL);
  const char *names[2] = {"Cu", "Zr"};
  AmorphWorkerConfig cfg;
  amorph_worker_config_init(&cfg);
  cfg.potential_path = potential;
  cfg.steps_per_frame = 1;
  Seen seen = {0};
  AmorphWorker *w = amorph_worker_new(&box, &atoms, NULL, names, &cfg, on_snapshot_seen, &seen);
  g_assert_true(wait_until(seen_any, &seen, 20000));
  g_assert_null(seen.error);
  g_assert_cmpint(seen.last_step, ==, 0);

  amorph_worker_run(w);
  g_usleep(1500 * 1000); /* the main thread is busy; the worker is not */
  int before = seen.calls;
  /* One iteration dispatches every ready source of the top priority: were there an idle per
   * snapshot, the first iteration that delivers would deliver many. Other sources (settings,
   * GTK) may come first, so iterate until something is delivered. */
  for (int k = 0; k < 1000 && seen.calls == before; k++)
    g_main_context_iteration(NULL, FALSE);
  g_test_message("one delivery after a busy main loop: step %lld, T = %.0f K", seen.last_step, seen.temperature);
  g_assert_cmpint(seen.calls, ==, before + 1);
  g_assert_cmpint(seen.last_step, >=, 2); /* ≥ 2 snapshots were made, one was delivered */
  g_assert_true(isfinite(seen.temperature) && seen.temperature > 0);
  /* Per-atom energies of Cu and Zr in a B2 crystal near its lattice sites: a few eV bound. */
  g_test_message("per-atom energies %.3f … %.3f eV", seen.pe_min, seen.pe_max);
  g_assert_cmpfloat(seen.pe_min, >, -9.0);
  g_assert_cmpfloat(seen.pe_max, <, -2.0);

  amorph_worker_free(w);
  int after_free = seen.calls;
  spin_for(200);
  g_assert_cmpint(seen.calls, ==, after_free);

  /* A potential that is not there. */
  Seen bad = {0};
  cfg.potential_path = "no-such-potential.eam.fs";
  w = amorph_worker_new(&box, &atoms, NULL, names, &cfg, on_snapshot_seen, &bad);
  g_assert_true(wait_until(seen_any, &bad, 20000));
  g_assert_nonnull(bad.error);
  g_assert_nonnull(strstr(bad.error, "no-such-potential.eam.fs"));
  g_test_message("setup error: %s", bad.error);
  amorph_worker_run(w); /* refused quietly: there is nothing to run */
  amorph_worker_free(w);
  g_free(bad.error);
  am_atoms_free(&atoms);
}

typedef struct {
  AmorphAtomView *view;
  guint64 target;
} FrameWait;

static gboolean frames_reached(gpointer data)
{
  FrameWait *fw = data;
  return amorph_atom_view_get_frame_count(fw->view) >= fw->target;
}

/* Frames per second of a 4000-atom glass at the default window size, for the record. */
static void test_frame_rate(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = g_build_filename(g_getenv("AMORPH_SOURCE_DIR"), "bench", "data", "liquid-4000.data", NULL);
  if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
    g_test_skip("bench/data/liquid-4000.data not found");
    return;
  }
  AmorphWindow *win = open_window(path);
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  g_assert_cmpuint(amorph_atom_view_get_n_atoms(view), ==, 4000);
  amorph_atom_view_set_animate(view, TRUE);
  spin_for(300);
  guint64 f0 = amorph_atom_view_get_frame_count(view);
  gint64 t0 = g_get_monotonic_time();
  struct rusage ru0, ru1;
  getrusage(RUSAGE_SELF, &ru0);
  FrameWait fw = {view, f0 + 30};
  wait_until(frames_reached, &fw, 8000);
  getrusage(RUSAGE_SELF, &ru1);
  double secs = (g_get_monotonic_time() - t0) / 1e6;
  guint64 frames = amorph_atom_view_get_frame_count(view) - f0;
  double fps = frames / secs;
  /* CPU time of all threads (llvmpipe's included) per frame: what a busy machine hides. */
  double cpu = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) + (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
               (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) + (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
  amorph_atom_view_set_animate(view, FALSE);
  g_test_message("4000 atoms, view %d×%d: %.1f frames/s, %.0f ms of CPU per frame", gtk_widget_get_width(GTK_WIDGET(view)),
                 gtk_widget_get_height(GTK_WIDGET(view)), fps, frames ? 1000 * cpu / frames : 0.0);
  g_assert_cmpfloat(fps * test_time_scale(), >, 1.0);
  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

typedef struct {
  gint64 last_us;
  gint64 worst_us;
  gint64 worst_at_us; /* when the worst gap ended */
  double last_cpu_s, worst_cpu_s; /* main thread's CPU time, and how much of the worst gap it used */
} Stall;

static double thread_cpu_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Every 5 ms: the largest gap between two calls is the worst the main loop stalled. */
static gboolean stall_tick(gpointer data)
{
  Stall *s = data;
  gint64 now = g_get_monotonic_time();
  double cpu = thread_cpu_seconds();
  if (s->last_us && now - s->last_us > s->worst_us) {
    s->worst_us = now - s->last_us;
    s->worst_at_us = now;
    s->worst_cpu_s = cpu - s->last_cpu_s;
  }
  s->last_us = now;
  s->last_cpu_s = cpu;
  return G_SOURCE_CONTINUE;
}

static gboolean experiment_done(gpointer data)
{
  return !amorph_window_get_experiment_running(data);
}

static gboolean classes_shown(gpointer data)
{
  return amorph_atom_view_has_classes(amorph_window_get_atom_view(data));
}

/* A sweep small enough for a test: two temperatures, two replicas of two 1 ps cycles. */
static const char *const tiny_sweep[] = {"dms.temperatures_K=300 500", "dms.replicas=2", "dms.period_ps=1",
                                         "dms.cycles=2", "dms.analysed_cycles=1", "dms.equilibration_ps=0.5",
                                         "dms.sample_interval_ps=0.1", "dms.watch_temperature_K=500", NULL};

/* ▶ runs the MD-DMS sweep (experiment/dms_sweep) on the loaded sample: a tiny one here
 * (2 temperatures × 2 replicas, t_p = 1 ps, 2 cycles). The watched replica colours the
 * atoms by class while it runs, G″(T) gets one point per temperature with error bars, and
 * the main loop never stalls for long while the sweep computes. */
static void test_live_sweep(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *sample = g_build_filename(g_getenv("AMORPH_SOURCE_DIR"), "tests", "data", "glass-500.data", NULL);
  AmorphWindow *win = open_window(sample);
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  g_assert_false(amorph_atom_view_has_classes(view));
  g_assert_cmpuint(amorph_window_get_n_loss_points(win), ==, 0);

  /* A preset that is not a sweep is refused with its name and protocol. */
  g_autofree char *structure = g_build_filename(g_getenv("AMORPH_SOURCE_DIR"), "data", "presets",
                                                "single-point-tiny.ini", NULL);
  GError *error = NULL;
  g_assert_false(amorph_window_run_experiment(win, structure, NULL, &error));
  g_assert_nonnull(error);
  g_test_message("refused: %s", error->message);
  g_assert_nonnull(strstr(error->message, "single-point"));
  g_clear_error(&error);
  g_assert_false(amorph_window_get_experiment_running(win));

  Stall stall = {0};
  guint tick = g_timeout_add(5, stall_tick, &stall);
  gint64 t0 = g_get_monotonic_time();
  g_assert_true(amorph_window_run_experiment(win, NULL, tiny_sweep, &error)); /* demo.ini, tiny */
  g_assert_no_error(error);
  g_assert_true(amorph_window_get_experiment_running(win));
  g_assert_true(wait_until(classes_shown, win, 90000));
  g_assert_true(wait_until(experiment_done, win, 120000));
  double secs = (g_get_monotonic_time() - t0) / 1e6;
  g_source_remove(tick);
  g_test_message("tiny sweep in %.1f s; worst main-loop stall %.1f ms (%.1f ms of it on the main thread's CPU), "
                 "ending %.2f s after the start", secs, stall.worst_us / 1000.0, 1000 * stall.worst_cpu_s,
                 (stall.worst_at_us - t0) / 1e6);
  g_assert_cmpuint(amorph_window_get_n_loss_points(win), ==, 2);
  /* The free-play card, hidden when the sweep started, stays away after it, until the
   * user goes back to free play. */
  GtkWidget *card = GTK_WIDGET(amorph_window_get_free_play_panel(win));
  spin_for(100);
  g_assert_false(gtk_widget_get_visible(card));
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.free-play", NULL));
  g_assert_true(gtk_widget_get_visible(card));
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.stop", NULL));
  g_assert_true(gtk_widget_get_visible(card));
  /* Generous: llvmpipe draws on a machine shared with other builds, where a runnable
   * thread may wait its turn for most of a second; a main loop that ran or waited for the
   * sweep would stall for the whole sweep (tens of seconds here). */
  g_assert_cmpfloat(stall.worst_us, <, 2500 * 1000 * test_time_scale());
  g_assert_cmpfloat(stall.worst_cpu_s, <, 0.5 * test_time_scale());
  /* The folded sweep's figures replace the live plots. */
  AmPlot *gpp = amorph_window_get_plot(win, AMORPH_PLOT_LOSS_MODULUS);
  g_assert_nonnull(gpp);
  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

/* The sweep's snapshots reach the window while the atom view redraws every frame (an
 * orbit): with a renderer slower than the frame interval (llvmpipe on a busy machine) the
 * frame clock's paint is always due, and a delivery at a lower priority than the paint
 * never ran, so the status, the classes and G″ froze until the view stood still. */
static void test_live_sweep_orbiting(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *sample = g_build_filename(g_getenv("AMORPH_SOURCE_DIR"), "tests", "data", "glass-500.data", NULL);
  AmorphWindow *win = open_window(sample);
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  amorph_atom_view_set_animate(view, TRUE);
  guint64 f0 = amorph_atom_view_get_frame_count(view);
  gint64 t0 = g_get_monotonic_time();
  GError *error = NULL;
  g_assert_true(amorph_window_run_experiment(win, NULL, tiny_sweep, &error));
  g_assert_no_error(error);
  g_assert_true(wait_until(classes_shown, win, 90000));
  g_assert_true(wait_until(experiment_done, win, 120000));
  double secs = (g_get_monotonic_time() - t0) / 1e6;
  guint64 frames = amorph_atom_view_get_frame_count(view) - f0;
  g_test_message("tiny sweep in %.1f s while the view drew %" G_GUINT64_FORMAT " frames (%.1f /s)", secs, frames,
                 frames / secs);
  amorph_atom_view_set_animate(view, FALSE);
  g_assert_cmpuint(frames, >, 0);
  g_assert_cmpuint(amorph_window_get_n_loss_points(win), ==, 2);
  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

/* The sweep reads the sample and the potential on its own thread (not in the main loop,
 * where they took 50 ms): a potential that does not parse fails the run there, and the
 * window says so. */
static void test_sweep_bad_potential(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *sample = g_build_filename(g_getenv("AMORPH_SOURCE_DIR"), "tests", "data", "glass-500.data", NULL);
  AmorphWindow *win = open_window(sample);
  g_autofree char *bad = g_build_filename(tmpdir, "broken.eam.fs", NULL);
  g_assert_true(g_file_set_contents(bad, "not\na\npotential\n", -1, NULL));
  g_autofree char *set = g_strdup_printf("system.potential=%s", bad);
  const char *overrides[] = {set, "dms.temperatures_K=300", NULL};
  GError *error = NULL;
  /* The settings are fine: the run starts, and fails on its thread. */
  g_assert_true(amorph_window_run_experiment(win, NULL, overrides, &error));
  g_assert_no_error(error);
  g_assert_true(wait_until(experiment_done, win, 30000));
  g_test_message("status: %s", amorph_window_get_status(win));
  g_assert_cmpstr(amorph_window_get_status(win), ==, "Sweep failed");
  g_assert_null(amorph_window_get_results_dir(win));
  g_assert_cmpuint(amorph_window_get_n_loss_points(win), ==, 0);
  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

/* The explorer started on a glass runs ▶ at once, unless start-on-launch is off; not twice. */
static void test_start_on_launch(void)
{
  g_autoptr(GSettings) s = settings_for_test();
  if (!s)
    return;
  g_autofree char *sample = g_build_filename(g_getenv("AMORPH_SOURCE_DIR"), "tests", "data", "glass-500.data", NULL);
  AmorphWindow *win = open_window(sample);
  g_settings_set_boolean(s, "start-on-launch", FALSE);
  g_assert_false(amorph_window_start_on_launch(win));
  g_assert_false(amorph_window_get_experiment_running(win));
  g_settings_set_boolean(s, "start-on-launch", TRUE);
  g_assert_true(amorph_window_start_on_launch(win));
  g_assert_true(amorph_window_get_experiment_running(win));
  g_assert_false(amorph_window_start_on_launch(win)); /* already running */
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(win), "win.stop", NULL));
  g_assert_true(wait_until(experiment_done, win, 30000));
  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
  reset_settings();
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  have_display = gui_test_start("amorph-test-gui-XXXXXX", &tmpdir, TRUE);

  g_test_add_func("/gui/window/opens", test_window_opens);
  g_test_add_func("/gui/atom-view/renders", test_view_renders);
  g_test_add_func("/gui/atom-view/click-pins", test_click_pins);
  g_test_add_func("/gui/atom-view/drag-and-keys", test_drag_and_keys);
  g_test_add_func("/gui/window/settings-persist", test_settings_persist);
  g_test_add_func("/gui/worker/runs-and-pins", test_worker_runs);
  g_test_add_func("/gui/worker/coalesces", test_worker_coalesces);
  g_test_add_func("/gui/atom-view/frame-rate", test_frame_rate);
  g_test_add_func("/gui/experiment/live-sweep", test_live_sweep);
  g_test_add_func("/gui/experiment/live-sweep-orbiting", test_live_sweep_orbiting);
  g_test_add_func("/gui/experiment/bad-potential", test_sweep_bad_potential);
  g_test_add_func("/gui/experiment/start-on-launch", test_start_on_launch);
  int status = g_test_run();

  rm_rf(tmpdir);
  g_free(tmpdir);
  return status;
}
