/* test-gui-util.h: what the GUI test programs share: running the main loop until
 * something holds, and XTest, loaded at run time so a build without libXtst still runs
 * the tests that need no synthetic input. Header-only, like test-util.h. */
#pragma once

#include <dlfcn.h>
#include <gtk/gtk.h>
#include <math.h>

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

static inline gboolean gui_util_tick(gpointer data)
{
  (void) data;
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Predicate)(gpointer data);

/* Runs the main loop until pred holds or timeout_ms passed; returns pred's last value.
 * A 10 ms tick keeps the loop turning when nothing else is pending. */
static inline gboolean wait_until(Predicate pred, gpointer data, int timeout_ms)
{
  guint tick = g_timeout_add(10, gui_util_tick, NULL);
  gint64 end = g_get_monotonic_time() + (gint64) timeout_ms * 1000;
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
