/* free_play_panel.c: free play's controls and class fractions (see free_play_panel.h). */
#include "gui/free_play_panel.h"

#include <math.h>

#include "gui/help_button.h"
#include "render/colormap.h"

struct _AmorphFreePlayPanel {
  GtkBox parent_instance;
  GtkLabel *temperature_label;
  GtkAdjustment *temperature_adjustment;
  GtkLabel *amplitude_label;
  GtkAdjustment *amplitude_adjustment; /* per cent */
  GtkAdjustment *period_adjustment;
  GtkLabel *classes_label;
  GtkLabel *window_label;
  AmorphHelpButton *help_button;
  double atoms_temperature; /* NAN while nothing runs */
  char *classes_text;
};

enum { PROP_0, PROP_TEMPERATURE, PROP_SHEAR_AMPLITUDE, PROP_SHEAR_PERIOD, N_PROPS };
static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE(AmorphFreePlayPanel, amorph_free_play_panel, GTK_TYPE_BOX)

GtkWidget *amorph_free_play_panel_new(void)
{
  return g_object_new(AMORPH_TYPE_FREE_PLAY_PANEL, NULL);
}

double amorph_free_play_panel_get_temperature(AmorphFreePlayPanel *self)
{
  return gtk_adjustment_get_value(self->temperature_adjustment);
}

void amorph_free_play_panel_set_temperature(AmorphFreePlayPanel *self, double temperature)
{
  gtk_adjustment_set_value(self->temperature_adjustment, temperature);
}

double amorph_free_play_panel_get_shear_amplitude(AmorphFreePlayPanel *self)
{
  return gtk_adjustment_get_value(self->amplitude_adjustment) / 100.0;
}

void amorph_free_play_panel_set_shear_amplitude(AmorphFreePlayPanel *self, double amplitude)
{
  gtk_adjustment_set_value(self->amplitude_adjustment, 100.0 * amplitude);
}

double amorph_free_play_panel_get_shear_period(AmorphFreePlayPanel *self)
{
  return gtk_adjustment_get_value(self->period_adjustment);
}

void amorph_free_play_panel_set_shear_period(AmorphFreePlayPanel *self, double period)
{
  gtk_adjustment_set_value(self->period_adjustment, period);
}

static void update_labels(AmorphFreePlayPanel *self)
{
  double t = amorph_free_play_panel_get_temperature(self);
  g_autofree char *tl =
      isnan(self->atoms_temperature)
          ? g_strdup_printf("_Temperature  <b>%.0f K</b>", t)
          : g_strdup_printf("_Temperature  <b>%.0f K</b>  <span alpha='60%%'>atoms at %.0f K</span>", t,
                            self->atoms_temperature);
  gtk_label_set_markup_with_mnemonic(self->temperature_label, tl);
  double a = gtk_adjustment_get_value(self->amplitude_adjustment);
  g_autofree char *al = a > 0 ? g_strdup_printf("Shear _amplitude  <b>%.1f %%</b>", a)
                              : g_strdup("Shear _amplitude  <b>off</b>");
  gtk_label_set_markup_with_mnemonic(self->amplitude_label, al);
}

static char *color_hex(AmAtomColorClass c)
{
  AmColor col = am_atom_class_color(c);
  return g_strdup_printf("#%02x%02x%02x", (int) lround(255 * col.r), (int) lround(255 * col.g),
                         (int) lround(255 * col.b));
}

void amorph_free_play_panel_show_snapshot(AmorphFreePlayPanel *self, const AmorphSnapshot *snap)
{
  g_return_if_fail(AMORPH_IS_FREE_PLAY_PANEL(self));
  self->atoms_temperature = snap && snap->n > 0 ? snap->temperature : NAN;
  update_labels(self);
  GString *s = g_string_new(NULL);
  if (snap && snap->classes) {
    for (int c = 0; c < 3; c++) {
      g_autofree char *hex = color_hex((AmAtomColorClass) c);
      g_string_append_printf(s, "%s<span foreground='%s'>●</span> %s <b>%.1f %%</b>", c ? "   " : "", hex,
                             am_atom_class_name((AmAtomColorClass) c), 100.0 * snap->class_fractions[c]);
    }
  }
  g_free(self->classes_text);
  self->classes_text = g_string_free(s, FALSE);
  gtk_label_set_markup(self->classes_label, self->classes_text);
  gtk_widget_set_visible(GTK_WIDGET(self->classes_label), *self->classes_text != '\0');
  g_autofree char *wl = NULL;
  if (snap && snap->n > 0 && snap->window_length > 0) {
    if (snap->window_span < snap->window_length - 1e-9)
      wl = g_strdup_printf("Classes over the run so far (%.1f of %.0f ps)", snap->window_span, snap->window_length);
    else
      wl = g_strdup_printf("Classes over the last %.0f ps, two shear periods", snap->window_length);
  }
  /* A new shear waits for the next cycle start (the tilt must not jump): say so, or the
   * slider seems to do nothing for up to a period. */
  if (wl && snap && (fabs(snap->shear_amplitude - amorph_free_play_panel_get_shear_amplitude(self)) > 1e-9 ||
                     fabs(snap->shear_period - amorph_free_play_panel_get_shear_period(self)) > 0.021)) {
    char *more = g_strdup_printf("%s\nThe new shear starts with the next cycle.", wl);
    g_free(wl);
    wl = more;
  }
  gtk_label_set_text(self->window_label, wl ? wl : "Press play in this card (or Space) to set the glass moving.");
}

const char *amorph_free_play_panel_get_classes_text(AmorphFreePlayPanel *self)
{
  g_return_val_if_fail(AMORPH_IS_FREE_PLAY_PANEL(self), NULL);
  return self->classes_text;
}

GtkWidget *amorph_free_play_panel_get_help_button(AmorphFreePlayPanel *self)
{
  g_return_val_if_fail(AMORPH_IS_FREE_PLAY_PANEL(self), NULL);
  return GTK_WIDGET(self->help_button);
}

static void on_temperature(AmorphFreePlayPanel *self)
{
  update_labels(self);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_TEMPERATURE]);
}

static void on_amplitude(AmorphFreePlayPanel *self)
{
  update_labels(self);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_SHEAR_AMPLITUDE]);
}

static void on_period(AmorphFreePlayPanel *self)
{
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_SHEAR_PERIOD]);
}

static void amorph_free_play_panel_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AmorphFreePlayPanel *self = AMORPH_FREE_PLAY_PANEL(object);
  switch (prop_id) {
  case PROP_TEMPERATURE:
    g_value_set_double(value, amorph_free_play_panel_get_temperature(self));
    break;
  case PROP_SHEAR_AMPLITUDE:
    g_value_set_double(value, amorph_free_play_panel_get_shear_amplitude(self));
    break;
  case PROP_SHEAR_PERIOD:
    g_value_set_double(value, amorph_free_play_panel_get_shear_period(self));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

/* The adjustments notify (through the handlers above) only when their value changes. */
static void amorph_free_play_panel_set_property(GObject *object, guint prop_id, const GValue *value,
                                                GParamSpec *pspec)
{
  AmorphFreePlayPanel *self = AMORPH_FREE_PLAY_PANEL(object);
  switch (prop_id) {
  case PROP_TEMPERATURE:
    amorph_free_play_panel_set_temperature(self, g_value_get_double(value));
    break;
  case PROP_SHEAR_AMPLITUDE:
    amorph_free_play_panel_set_shear_amplitude(self, g_value_get_double(value));
    break;
  case PROP_SHEAR_PERIOD:
    amorph_free_play_panel_set_shear_period(self, g_value_get_double(value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void amorph_free_play_panel_dispose(GObject *object)
{
  gtk_widget_dispose_template(GTK_WIDGET(object), AMORPH_TYPE_FREE_PLAY_PANEL);
  G_OBJECT_CLASS(amorph_free_play_panel_parent_class)->dispose(object);
}

static void amorph_free_play_panel_finalize(GObject *object)
{
  g_free(AMORPH_FREE_PLAY_PANEL(object)->classes_text);
  G_OBJECT_CLASS(amorph_free_play_panel_parent_class)->finalize(object);
}

static void amorph_free_play_panel_class_init(AmorphFreePlayPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->get_property = amorph_free_play_panel_get_property;
  object_class->set_property = amorph_free_play_panel_set_property;
  object_class->dispose = amorph_free_play_panel_dispose;
  object_class->finalize = amorph_free_play_panel_finalize;
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  props[PROP_TEMPERATURE] = g_param_spec_double("temperature", NULL, NULL, 10, 1500, 300, flags);
  props[PROP_SHEAR_AMPLITUDE] = g_param_spec_double("shear-amplitude", NULL, NULL, 0, 0.05, 0.01, flags);
  props[PROP_SHEAR_PERIOD] = g_param_spec_double("shear-period", NULL, NULL, 2, 200, 10, flags);
  g_object_class_install_properties(object_class, N_PROPS, props);
  g_type_ensure(AMORPH_TYPE_HELP_BUTTON);
  gtk_widget_class_set_template_from_resource(widget_class, "/org/amorph/Amorph/free-play-panel.ui");
  gtk_widget_class_bind_template_child(widget_class, AmorphFreePlayPanel, temperature_label);
  gtk_widget_class_bind_template_child(widget_class, AmorphFreePlayPanel, temperature_adjustment);
  gtk_widget_class_bind_template_child(widget_class, AmorphFreePlayPanel, amplitude_label);
  gtk_widget_class_bind_template_child(widget_class, AmorphFreePlayPanel, amplitude_adjustment);
  gtk_widget_class_bind_template_child(widget_class, AmorphFreePlayPanel, period_adjustment);
  gtk_widget_class_bind_template_child(widget_class, AmorphFreePlayPanel, classes_label);
  gtk_widget_class_bind_template_child(widget_class, AmorphFreePlayPanel, window_label);
  gtk_widget_class_bind_template_child(widget_class, AmorphFreePlayPanel, help_button);
}

static void amorph_free_play_panel_init(AmorphFreePlayPanel *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));
  self->atoms_temperature = NAN;
  self->classes_text = g_strdup("");
  g_signal_connect_swapped(self->temperature_adjustment, "value-changed", G_CALLBACK(on_temperature), self);
  g_signal_connect_swapped(self->amplitude_adjustment, "value-changed", G_CALLBACK(on_amplitude), self);
  g_signal_connect_swapped(self->period_adjustment, "value-changed", G_CALLBACK(on_period), self);
  amorph_free_play_panel_show_snapshot(self, NULL);
}
