/* test-gui-view.c: the atom view's colouring by per-atom values, its slab cut, and
 * pinning many atoms at once (rectangle, pin-set files, random VAs), driven in the real
 * window; and the frame rate of the 4000-atom glass with the main thread's time per frame. */
#include <dlfcn.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>
#include <time.h>

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "gui/atom_view.h"
#include "gui/pin_set.h"
#include "gui/window.h"
#include "render/camera.h"
#include "render/colormap.h"
#include "sim/data_file.h"
#include "test-gui-util.h"
#include "test-util.h"

static gboolean have_display;
static char *tmpdir;

static char *sample(const char *name)
{
  return g_build_filename(g_getenv("AMORPH_SOURCE_DIR"), "data", "samples", name, NULL);
}

static void close_window(AmorphWindow *win)
{
  gtk_window_destroy(GTK_WINDOW(win));
  spin_for(50);
}

/* Pixels that are not the view's background (0x24272c) nor the cell's grey outline. */
static gsize atom_pixels(AmorphAtomView *view)
{
  int w, h;
  gsize stride;
  g_autofree guchar *px = read_view_pixels(view, &w, &h, &stride);
  gsize count = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      const guchar *p = px + (gsize) y * stride + 4 * (gsize) x;
      int b = p[0], g = p[1], r = p[2];
      gboolean bg = abs(r - 0x24) < 8 && abs(g - 0x27) < 8 && abs(b - 0x2c) < 8;
      gboolean grey = abs(r - g) < 10 && abs(g - b) < 10;
      count += !bg && !grey;
    }
  return count;
}

/* ---- XTest ------------------------------------------------------------------------------ */

#ifdef GDK_WINDOWING_X11

/* Ctrl held, primary button dragged from (x0, y0) to (x1, y1) in widget coordinates. */
static void xtest_ctrl_drag(GtkWidget *widget, double x0, double y0, double x1, double y1)
{
  Display *dpy = gdk_x11_display_get_xdisplay(gtk_widget_get_display(widget));
  KeyCode ctrl = keysym_to_keycode(dpy, 0xffe3 /* Control_L */);
  int rx, ry;
  to_root(widget, x0, y0, &rx, &ry);
  fake_motion(dpy, -1, rx, ry, 0);
  fake_key(dpy, ctrl, True, 0);
  xflush(dpy);
  spin_for(50);
  fake_button(dpy, 1, True, 0);
  xflush(dpy);
  spin_for(30);
  for (int k = 1; k <= 10; k++) {
    to_root(widget, x0 + (x1 - x0) * k / 10, y0 + (y1 - y0) * k / 10, &rx, &ry);
    fake_motion(dpy, -1, rx, ry, 0);
    xflush(dpy);
    spin_for(30);
  }
  fake_button(dpy, 1, False, 0);
  fake_key(dpy, ctrl, False, 0);
  xflush(dpy);
  spin_for(100);
}
#endif

/* ---- tests ------------------------------------------------------------------------------ */

static gboolean some_pinned(gpointer data)
{
  return amorph_window_get_n_pinned(data) > 0;
}

/* A Ctrl-drag rectangle pins exactly the atoms whose centres the camera projects inside
 * it (at any depth); one undo releases them all. */
static void test_rect_pins(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = sample("cu50zr50-1000.data");
  AmorphWindow *win = gui_open_window(path, 1200, 800);
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  GtkWidget *w = GTK_WIDGET(view);
#ifdef GDK_WINDOWING_X11
  if (!xtest_available(w)) {
    g_test_skip("needs X11 with XTest");
    close_window(win);
    return;
  }
  /* Whole pixels: XTest moves the pointer by them. */
  double cx = gtk_widget_get_width(w) / 2, cy = gtk_widget_get_height(w) / 2;
  double x0 = cx - 60, y0 = cy - 40, x1 = cx + 50, y1 = cy + 35;
  /* The expected set, from the camera alone. */
  const AmCamera *cam = amorph_atom_view_get_camera(view);
  size_t n = amorph_atom_view_get_n_atoms(view);
  g_autofree guint8 *expect = g_new0(guint8, n);
  size_t n_expect = 0;
  for (size_t i = 0; i < n; i++) {
    double p[3], win_xy[3];
    amorph_atom_view_get_atom_position(view, i, p);
    if (am_camera_project(cam, p, win_xy) && win_xy[0] >= x0 && win_xy[0] <= x1 && win_xy[1] >= y0 &&
        win_xy[1] <= y1) {
      expect[i] = 1;
      n_expect++;
    }
  }
  g_assert_cmpuint(n_expect, >, 20);
  g_assert_cmpuint(n_expect, <, n);
  double yaw = cam->yaw;
  xtest_ctrl_drag(w, x0, y0, x1, y1);
  /* On a busy machine the X server's events may still be on their way. */
  wait_until(some_pinned, win, 5000);
  spin_for(100);
  /* A band neither orbits nor pans. */
  g_assert_cmpfloat(amorph_atom_view_get_camera(view)->yaw, ==, yaw);
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, n_expect);
  for (size_t i = 0; i < n; i++)
    g_assert_cmpint(amorph_window_is_pinned(win, i), ==, expect[i]);
  g_test_message("rectangle %.0f×%.0f px pinned %zu atoms", x1 - x0, y1 - y0, n_expect);
  g_assert_true(amorph_window_undo(win));
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, 0);
  g_assert_true(amorph_window_redo(win));
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, n_expect);
#else
  g_test_skip("needs X11 with XTest");
#endif
  close_window(win);
}

/* The slab keeps the atoms within thickness/2 of its centre along the axis; the others are
 * neither drawn nor picked, and "pin the shown atoms" pins exactly the kept ones. */
static void test_slab(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = sample("cu50zr50-1000.data");
  AmBox box;
  AmAtoms atoms = {0};
  AmError err = {0};
  g_assert_cmpint(am_data_read(path, &box, &atoms, NULL, &err), ==, AM_OK);
  AmorphWindow *win = gui_open_window(path, 1200, 800);
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  gsize before = atom_pixels(view);
  const double center = 0.3, thick = 6.0;
  size_t expect = 0;
  for (size_t i = 0; i < atoms.n; i++) {
    double f[3];
    am_box_to_frac(&box, &atoms.x[3 * i], f);
    double d = f[2] - center;
    d -= floor(d + 0.5);
    expect += fabs(d) * box.lz <= thick / 2;
  }
  amorph_atom_view_set_slab(view, TRUE, 2, center, thick);
  spin_for(200);
  g_assert_cmpuint(amorph_atom_view_get_n_visible(view), ==, expect);
  gsize after = atom_pixels(view);
  g_test_message("slab %.1f Å of %.1f Å: %zu of %zu atoms, %zu -> %zu atom pixels", thick, box.lz, expect, atoms.n,
                 before, after);
  g_assert_cmpuint(expect, >, 0);
  g_assert_cmpuint(after, <, before * 0.8);
  g_assert_cmpuint(after, >, 0);
  gtk_widget_activate_action(GTK_WIDGET(win), "win.pin-shown", NULL);
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, expect);
  for (size_t i = 0; i < atoms.n; i++)
    g_assert_cmpint(amorph_window_is_pinned(win, i), ==, amorph_atom_view_is_visible(view, i));
  amorph_atom_view_set_slab(view, FALSE, 2, center, thick);
  g_assert_cmpuint(amorph_atom_view_get_n_visible(view), ==, atoms.n);
  am_atoms_free(&atoms);
  close_window(win);
}

static gboolean has_values(gpointer data)
{
  return amorph_atom_view_has_values(data);
}

static double chroma_distance(AmColor c, const guchar *px)
{
  double s1 = c.r + c.g + c.b + 1e-9, s2 = px[0] + px[1] + px[2] + 1e-9;
  return fabs(c.r / s1 - px[2] / s2) + fabs(c.g / s1 - px[1] / s2) + fabs(c.b / s1 - px[0] / s2);
}

/* Colour by |Θ|: computed on a thread from the loaded sample; a front atom's pixel is the
 * colour map's colour of its value (up to shading), and the legend says so. */
static void test_theta_colours(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = sample("cu50zr50-1000.data");
  AmorphWindow *win = gui_open_window(path, 1200, 800);
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  gint64 t0 = g_get_monotonic_time();
  amorph_window_set_color_by(win, 4);
  g_assert_true(wait_until(has_values, view, 60000));
  g_test_message("|Θ| of 1000 atoms on the worker thread: %.2f s", (g_get_monotonic_time() - t0) / 1e6);
  spin_for(200);
  AmColormap map;
  double lo, hi;
  amorph_atom_view_get_value_range(view, &map, &lo, &hi);
  g_assert_cmpfloat(lo, >=, 0);
  g_assert_cmpfloat(hi, >, lo);
  int w, h;
  gsize stride;
  g_autofree guchar *px = read_view_pixels(view, &w, &h, &stride);
  const AmCamera *cam = amorph_atom_view_get_camera(view);
  int checked = 0;
  for (size_t i = 0; i < amorph_atom_view_get_n_atoms(view) && checked < 8; i++) {
    double p[3], win_xy[3], v;
    amorph_atom_view_get_atom_position(view, i, p);
    g_assert_true(amorph_atom_view_get_value(view, i, &v));
    double t = am_colormap_normalize(v, lo, hi, false);
    /* Atoms clearly inside the map, in front at the centre of the pixel that holds their
     * own centre: pixel x covers [x, x + 1), and the GL draws what is at x + 0.5. */
    if (t < 0.1 || t > 0.9 || !am_camera_project(cam, p, win_xy))
      continue;
    int x = (int) floor(win_xy[0] * w / cam->width), y = (int) floor(win_xy[1] * h / cam->height);
    if (x < 0 || y < 0 || x >= w || y >= h || amorph_atom_view_pick(view, x + 0.5, y + 0.5) != (long) i)
      continue;
    const guchar *q = px + (gsize) y * stride + 4 * (gsize) x;
    /* The map's position whose colour best matches the pixel must be the atom's. */
    double best_t = 0, best_d = INFINITY;
    for (int k = 0; k <= 100; k++) {
      double d = chroma_distance(am_colormap_eval(map, k / 100.0), q);
      if (d < best_d) {
        best_d = d;
        best_t = k / 100.0;
      }
    }
    g_test_message("atom %zu at %d,%d: |Θ| %.3f Å, t %.2f, pixel %d,%d,%d matches t %.2f", i, x, y, v, t, q[2], q[1], q[0],
                   best_t);
    g_assert_cmpfloat(fabs(best_t - t), <, 0.15);
    checked++;
  }
  g_assert_cmpint(checked, >=, 3);
  close_window(win);
}

/* ---- picking against the drawn pixels ---------------------------------------------------- */

typedef struct {
  AmorphAtomView *view;
  guint64 frames;
} FrameWait;

static gboolean new_frame(gpointer data)
{
  FrameWait *fw = data;
  return amorph_atom_view_get_frame_count(fw->view) > fw->frames;
}

/* A frame drawn after everything asked so far, read back. */
static guchar *fresh_pixels(AmorphAtomView *view, int *w, int *h, gsize *stride)
{
  FrameWait fw = {view, amorph_atom_view_get_frame_count(view)};
  gtk_gl_area_queue_render(GTK_GL_AREA(view));
  g_assert_true(wait_until(new_frame, &fw, 10000));
  return read_view_pixels(view, w, h, stride);
}

/* Which atom each pixel shows (-1: none), read from drawn frames: in frame b the atoms
 * whose code (index + 1) has bit b set are drawn in viridis' yellow end, the others in its
 * violet end, so the frames spell out every pixel's code, and 0 is the background. Shading,
 * highlight and the hover tint change brightness, but yellow keeps green above blue and
 * violet (and the background) keep it below. */
static gint32 *drawn_atoms(AmorphAtomView *view, int *w, int *h)
{
  size_t n = amorph_atom_view_get_n_atoms(view);
  int bits = 1;
  while (((size_t) 1 << bits) <= n)
    bits++;
  g_autofree double *v = g_new(double, n);
  gint32 *code = NULL;
  amorph_atom_view_set_color_mode(view, AMORPH_COLOR_BY_VALUE);
  for (int b = 0; b < bits; b++) {
    for (size_t i = 0; i < n; i++)
      v[i] = (double) (((i + 1) >> b) & 1);
    amorph_atom_view_set_values(view, n, v, AM_COLORMAP_VIRIDIS, 0, 1);
    gsize stride;
    g_autofree guchar *px = fresh_pixels(view, w, h, &stride);
    if (!code)
      code = g_new0(gint32, (gsize) *w * *h);
    for (int y = 0; y < *h; y++)
      for (int x = 0; x < *w; x++) {
        const guchar *q = px + (gsize) y * stride + 4 * (gsize) x; /* B, G, R, A */
        if (q[1] > q[0])
          code[(gsize) y * *w + x] |= 1 << b;
      }
  }
  for (gsize k = 0; k < (gsize) *w * *h; k++) {
    g_assert_cmpint(code[k], <=, (gint32) n);
    code[k] -= 1;
  }
  return code;
}

typedef struct {
  gsize checked, agree, outline, wrong;
} PickTally;

/* Pixel (x, y) shows atom `shown`: picking at its centre must return that atom, or the
 * pixel lies on an outline (the GL works in single precision, picking in double): then
 * picking within a quarter pixel of the centre returns it. */
static void check_pixel(AmorphAtomView *view, const gint32 *shown, int w, int x, int y, PickTally *tally,
                        const char *what)
{
  long s = shown[(gsize) y * w + x];
  long p = amorph_atom_view_pick(view, x + 0.5, y + 0.5);
  tally->checked++;
  if (p == s) {
    tally->agree++;
    return;
  }
  for (int k = 0; k < 4; k++)
    if (amorph_atom_view_pick(view, x + 0.5 + ((k & 1) ? 0.25 : -0.25), y + 0.5 + ((k & 2) ? 0.25 : -0.25)) == s) {
      tally->outline++;
      return;
    }
  if (tally->wrong++ < 5)
    g_test_message("%s: pixel %d,%d shows atom %ld, picking there gives %ld", what, x, y, s, p);
}

/* Every second pixel in each direction, and the pixels of the centres of 50 random shown
 * atoms, agree with picking; at least min_seen atoms are on screen. */
static void check_pick_vs_drawn(AmorphAtomView *view, const char *what, gsize min_seen)
{
  int w, h;
  g_autofree gint32 *shown = drawn_atoms(view, &w, &h);
  const AmCamera *cam = amorph_atom_view_get_camera(view);
  g_assert_cmpint(w, ==, (int) cam->width);
  g_assert_cmpint(h, ==, (int) cam->height);
  size_t n = amorph_atom_view_get_n_atoms(view);
  g_autofree guint8 *seen = g_new0(guint8, n);
  gsize n_seen = 0, background = 0;
  for (gsize k = 0; k < (gsize) w * h; k++) {
    if (shown[k] < 0)
      background++;
    else if (!seen[shown[k]]) {
      seen[shown[k]] = 1;
      n_seen++;
    }
  }
  PickTally grid = {0}, centres = {0};
  for (int y = 0; y < h; y += 2)
    for (int x = 0; x < w; x += 2)
      check_pixel(view, shown, w, x, y, &grid, what);
  GRand *rng = g_rand_new_with_seed(7);
  for (int tries = 0; centres.checked < 50 && tries < 100000; tries++) {
    size_t i = (size_t) g_rand_int_range(rng, 0, (gint32) n);
    double p[3], win_xy[3];
    amorph_atom_view_get_atom_position(view, i, p);
    if (!seen[i] || !am_camera_project(cam, p, win_xy))
      continue;
    int x = (int) floor(win_xy[0]), y = (int) floor(win_xy[1]);
    if (x >= 0 && y >= 0 && x < w && y < h)
      check_pixel(view, shown, w, x, y, &centres, what);
  }
  g_rand_free(rng);
  g_test_message("%s: %zu of %zu atoms on screen, %zu background pixels; grid %zu pixels, %zu agree, %zu on "
                 "outlines, %zu wrong; %zu atom centres, %zu agree, %zu on outlines, %zu wrong",
                 what, n_seen, n, background, grid.checked, grid.agree, grid.outline, grid.wrong, centres.checked,
                 centres.agree, centres.outline, centres.wrong);
  g_assert_cmpuint(grid.wrong, ==, 0);
  g_assert_cmpuint(centres.wrong, ==, 0);
  g_assert_cmpuint(n_seen, >=, min_seen);
  g_assert_cmpuint(centres.checked, ==, 50);
  /* Outlines are a thin minority: a systematic offset would put many pixels there. */
  g_assert_cmpuint(grid.outline, <, grid.checked / 50);
}

/* A camera with its eye inside atom `inside` (off its centre), looking the default way:
 * the near plane cuts that atom, and the atoms beyond it fill the view. */
static void eye_in_atom(AmorphAtomView *view, size_t inside)
{
  AmCamera cam = *amorph_atom_view_get_camera(view);
  double c[3], r[3], u[3], f[3];
  amorph_atom_view_get_atom_position(view, inside, c);
  am_camera_basis(&cam, r, u, f);
  cam.distance = 5.0;
  for (int k = 0; k < 3; k++)
    cam.target[k] = c[k] + 0.2 * r[k] + 0.1 * u[k] + cam.distance * f[k];
  amorph_atom_view_set_camera(view, &cam);
}

/* What picking returns at a pixel is what is drawn there: on the shipped glass from the
 * default view and from inside it (the near plane cutting atoms), and on a synthetic
 * configuration of heavily overlapping atoms (a random gas and a chain of atoms 0.9 Å
 * apart) in perspective, orthographic and from inside an atom. */
static void test_pick_matches_pixels(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = sample("cu50zr50-1000.data");
  AmorphWindow *win = gui_open_window(path, 1200, 800);
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  amorph_atom_view_set_show_box(view, FALSE);
  check_pick_vs_drawn(view, "glass, default view", 300);
  eye_in_atom(view, 500);
  check_pick_vs_drawn(view, "glass, eye inside atom 500", 8);
  close_window(win);

  /* 150 atoms at random in a 20 Å cell, and 8 along a line through its middle. */
  g_autofree char *gas = g_build_filename(tmpdir, "overlaps.data", NULL);
  GString *text = g_string_new("overlapping atoms\n\n158 atoms\n2 atom types\n\n0 20 xlo xhi\n0 20 ylo yhi\n"
                               "0 20 zlo zhi\n\nMasses\n\n1 63.546 # Cu\n2 91.224 # Zr\n\nAtoms # atomic\n\n");
  GRand *rng = g_rand_new_with_seed(11);
  for (int i = 0; i < 150; i++)
    g_string_append_printf(text, "%d %d %.4f %.4f %.4f\n", i + 1, 1 + (i % 2), g_rand_double_range(rng, 0, 20),
                           g_rand_double_range(rng, 0, 20), g_rand_double_range(rng, 0, 20));
  for (int i = 0; i < 8; i++)
    g_string_append_printf(text, "%d %d %.4f 10.3 9.7\n", 151 + i, 1 + (i % 2), 6.85 + 0.9 * i);
  g_rand_free(rng);
  g_assert_true(g_file_set_contents(gas, text->str, -1, NULL));
  g_string_free(text, TRUE);
  win = gui_open_window(gas, 1200, 800);
  view = amorph_window_get_atom_view(win);
  amorph_atom_view_set_show_box(view, FALSE);
  check_pick_vs_drawn(view, "overlaps, perspective", 100);
  amorph_atom_view_set_orthographic(view, TRUE);
  check_pick_vs_drawn(view, "overlaps, orthographic", 100);
  amorph_atom_view_set_orthographic(view, FALSE);
  eye_in_atom(view, 153);
  check_pick_vs_drawn(view, "overlaps, eye inside atom 153", 3);
  close_window(win);
  g_remove(gas);
}

/* Save → load gives the same ids; loading replaces the pins as one undo step; a file with
 * an id the sample lacks is refused and the pins stay. */
static void test_pin_file_round_trip(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = sample("cu50zr50-1000.data");
  AmorphWindow *win = gui_open_window(path, 1200, 800);
  const size_t picks[] = {3, 17, 400, 401, 998};
  for (size_t k = 0; k < G_N_ELEMENTS(picks); k++)
    amorph_window_toggle_pin(win, picks[k]);
  g_autofree char *file = g_build_filename(tmpdir, "pins.txt", NULL);
  GError *error = NULL;
  g_assert_true(amorph_window_save_pins(win, file, &error));
  g_assert_no_error(error);
  g_autoptr(GArray) ids = amorph_pin_set_load(file, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(ids->len, ==, G_N_ELEMENTS(picks));
  amorph_window_clear_pins(win);
  amorph_window_toggle_pin(win, 5);
  g_assert_true(amorph_window_load_pins(win, file, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, G_N_ELEMENTS(picks));
  for (size_t k = 0; k < G_N_ELEMENTS(picks); k++)
    g_assert_true(amorph_window_is_pinned(win, picks[k]));
  g_assert_false(amorph_window_is_pinned(win, 5));
  g_assert_true(amorph_window_undo(win));
  g_assert_true(amorph_window_is_pinned(win, 5));
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, 1);
  /* Saved again, the same ids in the same order. */
  g_assert_true(amorph_window_redo(win));
  g_autofree char *file2 = g_build_filename(tmpdir, "pins2.txt", NULL);
  g_assert_true(amorph_window_save_pins(win, file2, &error));
  g_autoptr(GArray) ids2 = amorph_pin_set_load(file2, &error);
  g_assert_cmpuint(ids2->len, ==, ids->len);
  g_assert_cmpmem(ids2->data, ids2->len * sizeof(gint64), ids->data, ids->len * sizeof(gint64));
  /* Bad files. */
  g_autofree char *bad = g_build_filename(tmpdir, "bad.txt", NULL);
  g_assert_true(g_file_set_contents(bad, "# ids\n1 2\n999999\n", -1, NULL));
  g_assert_false(amorph_window_load_pins(win, bad, &error));
  g_assert_nonnull(strstr(error->message, "999999"));
  g_clear_error(&error);
  g_assert_true(g_file_set_contents(bad, "1 2 x3\n", -1, NULL));
  g_assert_false(amorph_window_load_pins(win, bad, &error));
  g_assert_nonnull(strstr(error->message, ":1:"));
  g_clear_error(&error);
  g_assert_true(g_file_set_contents(bad, "4\n4\n", -1, NULL));
  g_assert_false(amorph_window_load_pins(win, bad, &error));
  g_clear_error(&error);
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, G_N_ELEMENTS(picks));
  /* Random VAs need classes, which only a run gives. */
  g_assert_false(amorph_window_pin_random_vas(win, 5, 1, &error));
  g_clear_error(&error);
  g_unlink(file);
  g_unlink(file2);
  g_unlink(bad);
  close_window(win);
}

/* Random VAs: only unpinned VAs, the same seed gives the same atoms, another seed others. */
static void test_random_vas(void)
{
  enum { N = 500 };
  guint8 cls[N], pinned[N];
  for (int i = 0; i < N; i++) {
    cls[i] = i % 5 == 0 ? 1 : i % 7 == 0 ? 2 : 0;
    pinned[i] = i % 11 == 0;
  }
  GError *error = NULL;
  g_autoptr(GArray) a = amorph_pin_set_random_vas(cls, pinned, N, 40, 12345, &error);
  g_assert_no_error(error);
  g_autoptr(GArray) b = amorph_pin_set_random_vas(cls, pinned, N, 40, 12345, &error);
  g_autoptr(GArray) c = amorph_pin_set_random_vas(cls, pinned, N, 40, 12346, &error);
  g_assert_cmpuint(a->len, ==, 40);
  g_assert_cmpmem(a->data, 40 * sizeof(guint), b->data, 40 * sizeof(guint));
  g_assert_true(memcmp(a->data, c->data, 40 * sizeof(guint)) != 0);
  for (guint k = 0; k < a->len; k++) {
    guint i = g_array_index(a, guint, k);
    g_assert_cmpuint(cls[i], ==, 0);
    g_assert_cmpuint(pinned[i], ==, 0);
    if (k)
      g_assert_cmpuint(i, >, g_array_index(a, guint, k - 1));
  }
  g_assert_null(amorph_pin_set_random_vas(cls, pinned, N, N, 1, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error(&error);
}

static gboolean frames_reached(gpointer data)
{
  guint64 *want = g_object_get_data(G_OBJECT(data), "want");
  return amorph_atom_view_get_frame_count(data) >= *want;
}

static double thread_cpu(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double process_cpu(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The shipped 4000-atom glass redrawn continuously: frames per second, CPU per frame of
 * all threads (llvmpipe rasterises on its own), and of the main thread alone. */
static void test_frame_rate(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = sample("cu50zr50-4000.data");
  AmorphWindow *win = gui_open_window(path, 1200, 800);
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  g_assert_cmpuint(amorph_atom_view_get_n_atoms(view), ==, 4000);
  amorph_atom_view_set_animate(view, TRUE);
  spin_for(300);
  guint64 f0 = amorph_atom_view_get_frame_count(view), want = f0 + 40;
  g_object_set_data(G_OBJECT(view), "want", &want);
  gint64 t0 = g_get_monotonic_time();
  double main0 = thread_cpu(), all0 = process_cpu();
  g_assert_true(wait_until(frames_reached, view, 30000));
  double main1 = thread_cpu(), all1 = process_cpu();
  double secs = (g_get_monotonic_time() - t0) / 1e6;
  guint64 frames = amorph_atom_view_get_frame_count(view) - f0;
  amorph_atom_view_set_animate(view, FALSE);
  g_object_set_data(G_OBJECT(view), "want", NULL);
  g_test_message("4000 atoms, view %d×%d: %.1f frames/s (wall, shared CPU), %.1f ms CPU per frame in all threads, "
                 "%.1f ms in the main thread",
                 gtk_widget_get_width(GTK_WIDGET(view)), gtk_widget_get_height(GTK_WIDGET(view)), frames / secs,
                 1000 * (all1 - all0) / frames, 1000 * (main1 - main0) / frames);
  g_assert_cmpfloat(frames / secs, >, 1.0);
  close_window(win);
}


static gboolean experiment_done(gpointer data)
{
  return !amorph_window_get_experiment_running(data);
}

static gboolean uprime_shown(gpointer data)
{
  AmorphWindow *win = data;
  return amorph_atom_view_has_values(amorph_window_get_atom_view(win)) || !amorph_window_get_experiment_running(win);
}

/* Saves the whole window as a PNG when AMORPH_TEST_SCREENSHOTS names a folder. */
static void window_screenshot(AmorphWindow *win, const char *name)
{
  const char *dir = g_getenv("AMORPH_TEST_SCREENSHOTS");
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
  g_autofree char *file = g_strdup_printf("%s/%s.png", dir, name);
  gdk_texture_save_to_png(texture, file);
  g_object_unref(texture);
  gsk_render_node_unref(node);
  g_object_unref(paintable);
}

/* A tiny live sweep: the watched replica's u′ max colours the atoms (matched by id), its
 * RAs get arrows, "only RAs" hides the rest; once it folded, its selected RAs pin, and as
 * many random VAs pin the same atoms each time. */
static void test_sweep_uprime_and_pins(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = g_build_filename(g_getenv("AMORPH_SOURCE_DIR"), "tests", "data", "glass-500.data", NULL);
  AmorphWindow *win = gui_open_window(path, 1200, 800);
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  const char *tiny[] = {"dms.temperatures_K=300 900", "dms.replicas=2", "dms.period_ps=1", "dms.cycles=3",
                        "dms.analysed_cycles=2", "dms.equilibration_ps=0.5", "dms.sample_interval_ps=0.1",
                        "dms.watch_temperature_K=900", NULL};
  GError *error = NULL;
  g_assert_true(amorph_window_run_experiment(win, NULL, tiny, &error));
  g_assert_no_error(error);
  amorph_window_set_color_by(win, 3);
  amorph_atom_view_set_show_arrows(view, TRUE);
  g_assert_true(wait_until(uprime_shown, win, 120000));
  g_assert_true(amorph_atom_view_has_values(view));
  size_t n = amorph_atom_view_get_n_atoms(view);
  double v, lo, hi;
  amorph_atom_view_get_value_range(view, NULL, &lo, &hi);
  for (size_t i = 0; i < n; i++) {
    g_assert_true(amorph_atom_view_get_value(view, i, &v));
    g_assert_cmpfloat(v, >=, 0);
    g_assert_true(isfinite(v));
  }
  spin_for(1500);
  size_t arrows = amorph_atom_view_get_n_arrows(view);
  amorph_atom_view_set_class_filter(view, 1u << AM_ATOM_COLOR_RA);
  size_t shown_ra = amorph_atom_view_get_n_visible(view);
  g_test_message("u′ max %.3f–%.3f Å; %zu arrows, %zu atoms shown with only RAs", lo, hi, arrows, shown_ra);
  /* Nothing is pinned yet: one arrow per RA, and only RAs are shown (same classes, no
   * snapshot in between). */
  g_assert_cmpuint(arrows, ==, shown_ra);
  spin_for(200);
  window_screenshot(win, "sweep-only-ras");
  amorph_atom_view_set_class_filter(view, ~0u);
  g_assert_cmpuint(amorph_atom_view_get_n_visible(view), ==, n);
  g_assert_true(wait_until(experiment_done, win, 180000));
  spin_for(300);
  window_screenshot(win, "sweep-done");

  gtk_widget_activate_action(GTK_WIDGET(win), "win.pin-selected-ras", NULL);
  size_t n_sel = amorph_window_get_n_pinned(win);
  g_test_message("selected RAs pinned: %zu", n_sel);
  gsize count = n_sel ? n_sel : 10;
  g_autofree guint8 *first = g_new0(guint8, n);
  for (int round = 0; round < 2; round++) {
    g_assert_true(amorph_window_pin_random_vas(win, count, 777, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, n_sel + count);
    for (size_t i = 0; i < n; i++) {
      if (round == 0)
        first[i] = amorph_window_is_pinned(win, i);
      else
        g_assert_cmpint(first[i], ==, amorph_window_is_pinned(win, i));
    }
    g_assert_true(amorph_window_undo(win));
    g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, n_sel);
  }
  close_window(win);
}

static GtkWidget *find_widget(GtkWidget *root, gboolean (*match)(GtkWidget *w, gconstpointer data), gconstpointer data)
{
  if (match(root, data))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child(root); c; c = gtk_widget_get_next_sibling(c)) {
    GtkWidget *hit = find_widget(c, match, data);
    if (hit)
      return hit;
  }
  return NULL;
}

static gboolean is_stack_with(GtkWidget *w, gconstpointer name)
{
  return GTK_IS_STACK(w) && gtk_stack_get_child_by_name(GTK_STACK(w), name);
}

static gboolean is_button_labelled(GtkWidget *w, gconstpointer label)
{
  return GTK_IS_BUTTON(w) && g_strcmp0(gtk_button_get_label(GTK_BUTTON(w)), label) == 0;
}

static gboolean not_busy(gpointer data)
{
  return !amorph_view_controls_get_busy(data);
}

typedef struct {
  AmorphViewControls *controls;
  GtkWidget *cancel;
} BusyRow;

/* While the computation runs its Cancel row is on screen; or it has already ended. */
static gboolean cancel_shown_or_done(gpointer data)
{
  const BusyRow *row = data;
  return !amorph_view_controls_get_busy(row->controls) || gtk_widget_get_mapped(row->cancel);
}

/* Picking |Θ| on the 4000-atom glass shows the spinner row while a thread computes; its
 * Cancel hides it at once, goes back to species, and the late result never lands; picking
 * again computes anew. */
static void test_structure_cancel(void)
{
  if (!have_display) {
    g_test_skip("no display");
    return;
  }
  g_autofree char *path = sample("cu50zr50-4000.data");
  AmorphWindow *win = gui_open_window(path, 1200, 800);
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  AmorphViewControls *controls = amorph_window_get_view_controls(win);
  GtkWidget *stack = find_widget(GTK_WIDGET(win), is_stack_with, "display");
  g_assert_nonnull(stack);
  gtk_stack_set_transition_type(GTK_STACK(stack), GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_stack_set_visible_child_name(GTK_STACK(stack), "display");
  amorph_window_set_color_by(win, 4);
  g_assert_true(amorph_view_controls_get_busy(controls));
  g_assert_false(amorph_atom_view_has_values(view));
  /* Cancel at once: on an idle machine the computation may end within a frame, so the
   * row's mapping is checked on the second computation below, while it still runs. */
  GtkWidget *cancel = find_widget(GTK_WIDGET(controls), is_button_labelled, "Cancel");
  g_assert_nonnull(cancel);
  g_signal_emit_by_name(cancel, "clicked");
  g_assert_false(amorph_view_controls_get_busy(controls));
  g_assert_cmpint(amorph_atom_view_get_color_mode(view), ==, AMORPH_COLOR_BY_SPECIES);
  spin_for(6000); /* longer than the computation takes here */
  g_assert_false(amorph_atom_view_has_values(view));
  gint64 t0 = g_get_monotonic_time();
  amorph_window_set_color_by(win, 4);
  g_assert_true(amorph_view_controls_get_busy(controls));
  BusyRow row = { controls, cancel };
  g_assert_true(wait_until(cancel_shown_or_done, &row, 60000));
  if (amorph_view_controls_get_busy(controls))
    window_screenshot(win, "display-busy");
  g_assert_true(wait_until(has_values, view, 60000));
  g_assert_true(wait_until(not_busy, controls, 1000));
  g_test_message("|Θ| of 4000 atoms: %.2f s on the worker thread", (g_get_monotonic_time() - t0) / 1e6);
  amorph_view_controls_set_slab(controls, TRUE, 0, 0.5, 8);
  amorph_view_controls_set_arrows(controls, TRUE);
  spin_for(300);
  window_screenshot(win, "display-theta-slab");
  int axis;
  double center, thick;
  g_assert_true(amorph_atom_view_get_slab(view, &axis, &center, &thick));
  g_assert_cmpint(axis, ==, 0);
  g_assert_cmpfloat(thick, ==, 8);
  g_assert_true(amorph_atom_view_get_show_arrows(view));
  g_assert_cmpuint(amorph_atom_view_get_n_visible(view), <, 4000);
  gtk_widget_activate_action(GTK_WIDGET(win), "win.pin-shown", NULL);
  g_assert_cmpuint(amorph_window_get_n_pinned(win), ==, amorph_atom_view_get_n_visible(view));
  gtk_stack_set_visible_child_name(GTK_STACK(stack), "pins");
  spin_for(300);
  window_screenshot(win, "pins-page");
  close_window(win);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  have_display = gui_test_start("amorph-test-gui-view-XXXXXX", &tmpdir, FALSE);
  g_test_add_func("/gui-view/pin-set/random-vas", test_random_vas);
  g_test_add_func("/gui-view/pin-set/file-round-trip", test_pin_file_round_trip);
  g_test_add_func("/gui-view/atom-view/rect-pins", test_rect_pins);
  g_test_add_func("/gui-view/atom-view/slab", test_slab);
  g_test_add_func("/gui-view/atom-view/theta-colours", test_theta_colours);
  g_test_add_func("/gui-view/atom-view/pick-matches-pixels", test_pick_matches_pixels);
  g_test_add_func("/gui-view/atom-view/structure-cancel", test_structure_cancel);
  g_test_add_func("/gui-view/atom-view/frame-rate", test_frame_rate);
  g_test_add_func("/gui-view/experiment/uprime-arrows-pins", test_sweep_uprime_and_pins);
  int status = g_test_run();
  rm_rf(tmpdir);
  g_free(tmpdir);
  return status;
}
