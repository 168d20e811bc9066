/* presentation.c: presentation mode (see presentation.h). */
#include "gui/presentation.h"

/* Plot labels grow by this much: readable from the back of a lecture room on a projector. */
#define PLOT_FONT_SCALE 1.45

typedef struct {
  GtkWidget *widget; /* weak */
  gboolean was_visible;
} Chrome;

typedef struct {
  AmPlot *plot;      /* owned by the window, which outlives the controller's use of it */
  GtkWidget *area;   /* weak */
  double normal_size;
} Plot;

struct _AmorphPresentation {
  GObject parent_instance;
  GtkWindow *window; /* weak */
  gboolean active;
  gboolean saw_fullscreen; /* the window manager confirmed full screen */
  GArray *chrome;          /* of Chrome */
  GArray *plots;           /* of Plot */
  gulong fullscreen_handler;
};

enum { PROP_0, PROP_ACTIVE, N_PROPS };
static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE(AmorphPresentation, amorph_presentation, G_TYPE_OBJECT)

/* Leaving full screen some other way (the window manager, a keyboard shortcut of the
 * desktop) ends the presentation too, so the chrome never stays hidden in a normal window.
 * Without a window manager (Xvfb) full screen is never confirmed and this never fires. */
static void on_fullscreened(AmorphPresentation *self)
{
  gboolean full = gtk_window_is_fullscreen(self->window);
  if (!self->active)
    return;
  if (full)
    self->saw_fullscreen = TRUE;
  else if (self->saw_fullscreen)
    amorph_presentation_set_active(self, FALSE);
}

AmorphPresentation *amorph_presentation_new(GtkWindow *window)
{
  g_return_val_if_fail(GTK_IS_WINDOW(window), NULL);
  AmorphPresentation *self = g_object_new(AMORPH_TYPE_PRESENTATION, NULL);
  self->window = window;
  g_object_add_weak_pointer(G_OBJECT(window), (gpointer *) &self->window);
  self->fullscreen_handler =
      g_signal_connect_swapped(window, "notify::fullscreened", G_CALLBACK(on_fullscreened), self);
  return self;
}

void amorph_presentation_add_chrome(AmorphPresentation *self, GtkWidget *widget)
{
  g_return_if_fail(AMORPH_IS_PRESENTATION(self) && GTK_IS_WIDGET(widget));
  Chrome c = {widget, gtk_widget_get_visible(widget)};
  g_array_append_val(self->chrome, c);
  if (self->active)
    gtk_widget_set_visible(widget, FALSE);
}

void amorph_presentation_add_plot(AmorphPresentation *self, AmPlot *plot, GtkWidget *area)
{
  g_return_if_fail(AMORPH_IS_PRESENTATION(self) && plot && GTK_IS_WIDGET(area));
  Plot p = {plot, area, am_plot_get_font_size(plot)};
  g_array_append_val(self->plots, p);
}

gboolean amorph_presentation_get_active(AmorphPresentation *self)
{
  g_return_val_if_fail(AMORPH_IS_PRESENTATION(self), FALSE);
  return self->active;
}

void amorph_presentation_set_active(AmorphPresentation *self, gboolean active)
{
  g_return_if_fail(AMORPH_IS_PRESENTATION(self));
  active = !!active;
  if (active == self->active || !self->window)
    return;
  self->active = active;
  self->saw_fullscreen = FALSE;
  for (guint i = 0; i < self->chrome->len; i++) {
    Chrome *c = &g_array_index(self->chrome, Chrome, i);
    if (active) {
      /* Remember what the user had, e.g. a side panel already closed with F9. */
      c->was_visible = gtk_widget_get_visible(c->widget);
      gtk_widget_set_visible(c->widget, FALSE);
    } else
      gtk_widget_set_visible(c->widget, c->was_visible);
  }
  for (guint i = 0; i < self->plots->len; i++) {
    Plot *p = &g_array_index(self->plots, Plot, i);
    if (active)
      p->normal_size = am_plot_get_font_size(p->plot);
    am_plot_set_font(p->plot, NULL, active ? p->normal_size * PLOT_FONT_SCALE : p->normal_size);
    gtk_widget_queue_draw(p->area);
  }
  if (active) {
    gtk_widget_add_css_class(GTK_WIDGET(self->window), "presentation");
    gtk_window_fullscreen(self->window);
  } else {
    gtk_widget_remove_css_class(GTK_WIDGET(self->window), "presentation");
    gtk_window_unfullscreen(self->window);
  }
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_ACTIVE]);
}

static void amorph_presentation_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  if (prop_id == PROP_ACTIVE)
    g_value_set_boolean(value, AMORPH_PRESENTATION(object)->active);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
}

static void amorph_presentation_set_property(GObject *object, guint prop_id, const GValue *value,
                                             GParamSpec *pspec)
{
  if (prop_id == PROP_ACTIVE)
    amorph_presentation_set_active(AMORPH_PRESENTATION(object), g_value_get_boolean(value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
}

static void amorph_presentation_dispose(GObject *object)
{
  AmorphPresentation *self = AMORPH_PRESENTATION(object);
  if (self->window) {
    g_clear_signal_handler(&self->fullscreen_handler, self->window);
    g_object_remove_weak_pointer(G_OBJECT(self->window), (gpointer *) &self->window);
    self->window = NULL;
  }
  G_OBJECT_CLASS(amorph_presentation_parent_class)->dispose(object);
}

static void amorph_presentation_finalize(GObject *object)
{
  AmorphPresentation *self = AMORPH_PRESENTATION(object);
  g_array_unref(self->chrome);
  g_array_unref(self->plots);
  G_OBJECT_CLASS(amorph_presentation_parent_class)->finalize(object);
}

static void amorph_presentation_class_init(AmorphPresentationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->get_property = amorph_presentation_get_property;
  object_class->set_property = amorph_presentation_set_property;
  object_class->dispose = amorph_presentation_dispose;
  object_class->finalize = amorph_presentation_finalize;
  props[PROP_ACTIVE] = g_param_spec_boolean("active", NULL, NULL, FALSE,
                                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties(object_class, N_PROPS, props);
}

static void amorph_presentation_init(AmorphPresentation *self)
{
  self->chrome = g_array_new(FALSE, FALSE, sizeof(Chrome));
  self->plots = g_array_new(FALSE, FALSE, sizeof(Plot));
}
