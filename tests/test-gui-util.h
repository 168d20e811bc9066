/* test-gui-util.h: what the GUI test programs share: running the main loop until
 * something holds, opening the explorer's window on a sample, reading back the composed
 * pixels of a widget, and XTest, loaded at run time so a build without libXtst still runs
 * the tests that need no synthetic input. Header-only, like test-util.h. */
#pragma once

#include <dlfcn.h>
#include <gtk/gtk.h>
#include <math.h>

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "gui/atom_view.h"
#include "gui/window.h"

static inline gboolean gui_util_tick(gpointer data)
{
  (void) data;
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Predicate)(gpointer data);

/* How much slower than a plain build this one runs: AMORPH_TEST_TIME_SCALE (tools/test sets
 * it for the ThreadSanitizer build, about ten times slower); 1 otherwise. Time limits of
 * the GUI tests are multiplied by it, their timing bounds too. */
static inline double test_time_scale(void)
{
  const char *s = g_getenv("AMORPH_TEST_TIME_SCALE");
  double scale = s ? g_ascii_strtod(s, NULL) : 1.0;
  return scale >= 1.0 ? scale : 1.0;
}

/* Runs the main loop until pred holds or timeout_ms (times test_time_scale()) passed;
 * returns pred's last value. A 10 ms tick keeps the loop turning when nothing else is
 * pending. */
static inline gboolean wait_until(Predicate pred, gpointer data, int timeout_ms)
{
  guint tick = g_timeout_add(10, gui_util_tick, NULL);
  gint64 end = g_get_monotonic_time() + (gint64) (timeout_ms * test_time_scale()) * 1000;
  gboolean ok = pred(data);
  while (!ok && g_get_monotonic_time() < end) {
    g_main_context_iteration(NULL, TRUE);
    ok = pred(data);
  }
  g_source_remove(tick);
  return ok;
}

/* Runs the main loop for ms milliseconds. */
static inline void spin_for(int ms)
{
  guint tick = g_timeout_add(10, gui_util_tick, NULL);
  gint64 end = g_get_monotonic_time() + (gint64) ms * 1000;
  while (g_get_monotonic_time() < end)
    g_main_context_iteration(NULL, TRUE);
  g_source_remove(tick);
}

static inline gboolean gui_util_view_has_frames(gpointer view)
{
  return amorph_atom_view_get_frame_count(view) > 0;
}

/* The explorer's window at width × height on the sample at path (NULL: none), presented
 * and returned once its atom view has drawn with GL (20 s at most: llvmpipe on a loaded
 * X server is slow to start) and 200 ms more for the first layout to settle. */
static inline AmorphWindow *gui_open_window(const char *path, int width, int height)
{
  AmorphWindow *win = AMORPH_WINDOW(amorph_window_new(NULL));
  gtk_window_set_default_size(GTK_WINDOW(win), width, height);
  if (path) {
    GError *error = NULL;
    g_assert_true(amorph_window_load(win, path, &error));
    g_assert_no_error(error);
  }
  gtk_window_present(GTK_WINDOW(win));
  AmorphAtomView *view = amorph_window_get_atom_view(win);
  gboolean drawn = wait_until(gui_util_view_has_frames, view, 20000);
  GError *gl_error = gtk_gl_area_get_error(GTK_GL_AREA(view));
  if (gl_error)
    g_test_message("the atom view has no GL: %s", gl_error->message);
  g_assert_null(gl_error);
  g_assert_true(drawn);
  spin_for(200);
  return win;
}

/* The start every GUI test program shares: GSettings in memory (the user's own settings are
 * never touched, also when a test is run by hand), the sweeps' job records under a fresh
 * temporary cache folder when tmp_template is given (returned in *tmpdir), GTK, and, with
 * with_style, the application's style sheet from the compiled-in resources. Returns
 * whether GTK found a display. */
static inline gboolean gui_test_start(const char *tmp_template, char **tmpdir, gboolean with_style)
{
  g_setenv("GSETTINGS_BACKEND", "memory", TRUE);
  if (tmp_template) {
    *tmpdir = g_dir_make_tmp(tmp_template, NULL);
    g_assert_nonnull(*tmpdir);
    g_setenv("XDG_CACHE_HOME", *tmpdir, TRUE);
  }
  gboolean display = gtk_init_check();
  if (display && with_style) {
    GtkCssProvider *css = gtk_css_provider_new();
    gtk_css_provider_load_from_resource(css, "/org/amorph/Amorph/style.css");
    gtk_style_context_add_provider_for_display(gdk_display_get_default(), GTK_STYLE_PROVIDER(css),
                                               GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    g_object_unref(css);
  }
  return display;
}

/* What the window's renderer composes for a widget, as 8-bit BGRA (cairo ARGB32 in memory),
 * newly allocated. With AMORPH_TEST_SCREENSHOTS=DIR each read is also kept as a PNG there. */
static inline guchar *read_view_pixels(gpointer widget, int *width, int *height, gsize *stride)
{
  GtkWidget *w = GTK_WIDGET(widget);
  int wd = gtk_widget_get_width(w), ht = gtk_widget_get_height(w);
  GdkPaintable *paintable = gtk_widget_paintable_new(w);
  GtkSnapshot *snapshot = gtk_snapshot_new();
  gdk_paintable_snapshot(paintable, GDK_SNAPSHOT(snapshot), wd, ht);
  GskRenderNode *node = gtk_snapshot_free_to_node(snapshot);
  g_assert_nonnull(node);
  GskRenderer *renderer = gtk_native_get_renderer(gtk_widget_get_native(w));
  GdkTexture *texture = gsk_renderer_render_texture(renderer, node, &GRAPHENE_RECT_INIT(0, 0, wd, ht));
  *width = gdk_texture_get_width(texture);
  *height = gdk_texture_get_height(texture);
  *stride = (gsize) *width * 4;
  guchar *data = g_malloc((gsize) *height * *stride);
  gdk_texture_download(texture, data, *stride);
  const char *png = g_getenv("AMORPH_TEST_SCREENSHOTS");
  if (png && *png) {
    static int shot;
    char *name = g_strdup_printf("%s/view-%d.png", png, shot++);
    gdk_texture_save_to_png(texture, name);
    g_free(name);
  }
  g_object_unref(texture);
  gsk_render_node_unref(node);
  g_object_unref(paintable);
  return data;
}

#ifdef GDK_WINDOWING_X11
typedef int (*FakeMotionFn)(Display *, int, int, int, unsigned long);
typedef int (*FakeButtonFn)(Display *, unsigned int, Bool, unsigned long);
typedef int (*FakeKeyFn)(Display *, unsigned int, Bool, unsigned long);
typedef Bool (*TranslateFn)(Display *, Window, Window, int, int, int *, int *, Window *);
typedef int (*FlushFn)(Display *);
typedef KeyCode (*KeysymToKeycodeFn)(Display *, KeySym);
static FakeMotionFn fake_motion;
static FakeButtonFn fake_button;
static FakeKeyFn fake_key;
static TranslateFn translate;
static FlushFn xflush;
static KeysymToKeycodeFn keysym_to_keycode;

/* TRUE when the display is X11 and XTest could be loaded. */
static inline gboolean xtest_available(GtkWidget *widget)
{
  if (!GDK_IS_X11_DISPLAY(gtk_widget_get_display(widget)))
    return FALSE;
  if (!fake_motion) {
    void *lib = dlopen("libXtst.so.6", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
      return FALSE;
    fake_motion = (FakeMotionFn) dlsym(lib, "XTestFakeMotionEvent");
    fake_button = (FakeButtonFn) dlsym(lib, "XTestFakeButtonEvent");
    fake_key = (FakeKeyFn) dlsym(lib, "XTestFakeKeyEvent");
    translate = (TranslateFn) dlsym(RTLD_DEFAULT, "XTranslateCoordinates");
    xflush = (FlushFn) dlsym(RTLD_DEFAULT, "XFlush");
    keysym_to_keycode = (KeysymToKeycodeFn) dlsym(RTLD_DEFAULT, "XKeysymToKeycode");
  }
  return fake_motion && fake_button && fake_key && translate && xflush && keysym_to_keycode;
}

/* Widget point to root-window pixels. */
static inline void to_root(GtkWidget *widget, double x, double y, int *rx, int *ry)
{
  GtkNative *native = gtk_widget_get_native(widget);
  graphene_point_t in = GRAPHENE_POINT_INIT((float) x, (float) y), out;
  g_assert_true(gtk_widget_compute_point(widget, GTK_WIDGET(native), &in, &out));
  double tx, ty;
  gtk_native_get_surface_transform(native, &tx, &ty);
  Display *dpy = gdk_x11_display_get_xdisplay(gtk_widget_get_display(widget));
  Window xid = gdk_x11_surface_get_xid(gtk_native_get_surface(native)), child;
  translate(dpy, xid, DefaultRootWindow(dpy), (int) lround(out.x + tx), (int) lround(out.y + ty), rx, ry, &child);
}
#endif
