/* help_button.c: the "?" button of a panel (see help_button.h). */
#include "gui/help_button.h"

#include "gui/explanations.h"

struct _AmorphHelpButton {
  GtkWidget parent_instance;
  GtkMenuButton *button;
  GtkPopover *popover;
  GtkLabel *title_label;
  GtkLabel *body_label;
  char *topic;
};

enum { PROP_0, PROP_TOPIC, N_PROPS };
static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE(AmorphHelpButton, amorph_help_button, GTK_TYPE_WIDGET)

GtkWidget *amorph_help_button_new(const char *topic)
{
  return g_object_new(AMORPH_TYPE_HELP_BUTTON, "topic", topic, NULL);
}

void amorph_help_button_set_topic(AmorphHelpButton *self, const char *topic)
{
  g_return_if_fail(AMORPH_IS_HELP_BUTTON(self));
  if (g_strcmp0(topic, self->topic) == 0)
    return;
  g_free(self->topic);
  self->topic = g_strdup(topic);
  const AmorphExplanation *e = amorph_explanation_lookup(topic);
  /* An unknown topic (a plot page without a text yet) hides the button rather than
   * opening an empty popover. */
  gtk_widget_set_visible(GTK_WIDGET(self), e != NULL);
  gtk_label_set_markup(self->title_label, e ? e->title : "");
  gtk_label_set_markup(self->body_label, e ? e->body : "");
  if (e) {
    g_autofree char *plain = NULL;
    pango_parse_markup(e->title, -1, 0, NULL, &plain, NULL, NULL);
    g_autofree char *tip = g_strdup_printf("What does this show? (%s)", plain ? plain : "");
    gtk_widget_set_tooltip_text(GTK_WIDGET(self->button), tip);
  }
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_TOPIC]);
}

const char *amorph_help_button_get_topic(AmorphHelpButton *self)
{
  g_return_val_if_fail(AMORPH_IS_HELP_BUTTON(self), NULL);
  return self->topic;
}

void amorph_help_button_popup(AmorphHelpButton *self)
{
  g_return_if_fail(AMORPH_IS_HELP_BUTTON(self));
  gtk_menu_button_popup(self->button);
}

void amorph_help_button_popdown(AmorphHelpButton *self)
{
  g_return_if_fail(AMORPH_IS_HELP_BUTTON(self));
  gtk_menu_button_popdown(self->button);
}

GtkPopover *amorph_help_button_get_popover(AmorphHelpButton *self)
{
  g_return_val_if_fail(AMORPH_IS_HELP_BUTTON(self), NULL);
  return self->popover;
}

static void amorph_help_button_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AmorphHelpButton *self = AMORPH_HELP_BUTTON(object);
  if (prop_id == PROP_TOPIC)
    g_value_set_string(value, self->topic);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
}

static void amorph_help_button_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  AmorphHelpButton *self = AMORPH_HELP_BUTTON(object);
  if (prop_id == PROP_TOPIC)
    amorph_help_button_set_topic(self, g_value_get_string(value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
}

static void amorph_help_button_dispose(GObject *object)
{
  gtk_widget_dispose_template(GTK_WIDGET(object), AMORPH_TYPE_HELP_BUTTON);
  G_OBJECT_CLASS(amorph_help_button_parent_class)->dispose(object);
}

static void amorph_help_button_finalize(GObject *object)
{
  g_free(AMORPH_HELP_BUTTON(object)->topic);
  G_OBJECT_CLASS(amorph_help_button_parent_class)->finalize(object);
}

static void amorph_help_button_class_init(AmorphHelpButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->get_property = amorph_help_button_get_property;
  object_class->set_property = amorph_help_button_set_property;
  object_class->dispose = amorph_help_button_dispose;
  object_class->finalize = amorph_help_button_finalize;
  props[PROP_TOPIC] = g_param_spec_string("topic", NULL, NULL, NULL,
                                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties(object_class, N_PROPS, props);
  gtk_widget_class_set_template_from_resource(widget_class, "/org/amorph/Amorph/help-button.ui");
  gtk_widget_class_bind_template_child(widget_class, AmorphHelpButton, button);
  gtk_widget_class_bind_template_child(widget_class, AmorphHelpButton, popover);
  gtk_widget_class_bind_template_child(widget_class, AmorphHelpButton, title_label);
  gtk_widget_class_bind_template_child(widget_class, AmorphHelpButton, body_label);
  gtk_widget_class_set_layout_manager_type(widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name(widget_class, "amorph-help-button");
}

static void amorph_help_button_init(AmorphHelpButton *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));
  gtk_widget_set_visible(GTK_WIDGET(self), FALSE);
}
