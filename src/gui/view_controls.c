/* view_controls.c: filter, slab and arrow controls of the atom view (see view_controls.h). */
#include "gui/view_controls.h"

#include "render/colormap.h"

struct _AmorphViewControls {
  GtkWidget parent_instance;

  GtkDropDown *filter_dropdown;
  GtkSwitch *slab_switch;
  GtkDropDown *axis_dropdown;
  GtkAdjustment *center_adjustment;
  GtkAdjustment *thickness_adjustment;
  GtkSwitch *arrows_switch;
  GtkWidget *busy_box;
  GtkSpinner *busy_spinner;
  GtkLabel *busy_label;

  AmorphAtomView *view; /* weak */
};

enum { SIGNAL_CANCEL, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE(AmorphViewControls, amorph_view_controls, GTK_TYPE_WIDGET)

static guint filter_mask(AmorphShowFilter f)
{
  switch (f) {
  case AMORPH_SHOW_RA:
    return 1u << AM_ATOM_COLOR_RA;
  case AMORPH_SHOW_FA:
    return 1u << AM_ATOM_COLOR_FA;
  case AMORPH_SHOW_RA_FA:
    return (1u << AM_ATOM_COLOR_RA) | (1u << AM_ATOM_COLOR_FA);
  default:
    return ~0u;
  }
}

static void apply(AmorphViewControls *self)
{
  if (!self->view)
    return;
  amorph_atom_view_set_class_filter(self->view, filter_mask(gtk_drop_down_get_selected(self->filter_dropdown)));
  gboolean slab = gtk_switch_get_active(self->slab_switch);
  amorph_atom_view_set_slab(self->view, slab, (int) MIN(gtk_drop_down_get_selected(self->axis_dropdown), 2u),
                            gtk_adjustment_get_value(self->center_adjustment),
                            gtk_adjustment_get_value(self->thickness_adjustment));
  amorph_atom_view_set_show_arrows(self->view, gtk_switch_get_active(self->arrows_switch));
  gtk_widget_set_sensitive(GTK_WIDGET(self->axis_dropdown), slab);
}

static void on_cancel_clicked(AmorphViewControls *self)
{
  g_signal_emit(self, signals[SIGNAL_CANCEL], 0);
}

void amorph_view_controls_set_view(AmorphViewControls *self, AmorphAtomView *view)
{
  g_return_if_fail(AMORPH_IS_VIEW_CONTROLS(self));
  g_set_weak_pointer(&self->view, view);
  apply(self);
}

void amorph_view_controls_set_filter(AmorphViewControls *self, AmorphShowFilter filter)
{
  g_return_if_fail(AMORPH_IS_VIEW_CONTROLS(self));
  gtk_drop_down_set_selected(self->filter_dropdown, filter);
}

void amorph_view_controls_set_slab(AmorphViewControls *self, gboolean on, int axis, double center, double thickness)
{
  g_return_if_fail(AMORPH_IS_VIEW_CONTROLS(self));
  gtk_drop_down_set_selected(self->axis_dropdown, (guint) CLAMP(axis, 0, 2));
  gtk_adjustment_set_value(self->center_adjustment, center);
  gtk_adjustment_set_value(self->thickness_adjustment, thickness);
  gtk_switch_set_active(self->slab_switch, on);
  apply(self);
}

void amorph_view_controls_set_arrows(AmorphViewControls *self, gboolean on)
{
  g_return_if_fail(AMORPH_IS_VIEW_CONTROLS(self));
  gtk_switch_set_active(self->arrows_switch, on);
}

void amorph_view_controls_set_busy(AmorphViewControls *self, const char *text)
{
  g_return_if_fail(AMORPH_IS_VIEW_CONTROLS(self));
  gtk_widget_set_visible(self->busy_box, text != NULL);
  gtk_spinner_set_spinning(self->busy_spinner, text != NULL);
  gtk_label_set_text(self->busy_label, text ? text : "");
}

gboolean amorph_view_controls_get_busy(AmorphViewControls *self)
{
  g_return_val_if_fail(AMORPH_IS_VIEW_CONTROLS(self), FALSE);
  return gtk_widget_get_visible(self->busy_box);
}

static void amorph_view_controls_dispose(GObject *object)
{
  AmorphViewControls *self = AMORPH_VIEW_CONTROLS(object);
  g_clear_weak_pointer(&self->view);
  gtk_widget_dispose_template(GTK_WIDGET(self), AMORPH_TYPE_VIEW_CONTROLS);
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child(GTK_WIDGET(self))))
    gtk_widget_unparent(child);
  G_OBJECT_CLASS(amorph_view_controls_parent_class)->dispose(object);
}

static void amorph_view_controls_class_init(AmorphViewControlsClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  G_OBJECT_CLASS(klass)->dispose = amorph_view_controls_dispose;
  gtk_widget_class_set_template_from_resource(widget_class, "/org/amorph/Amorph/view-controls.ui");
  gtk_widget_class_bind_template_child(widget_class, AmorphViewControls, filter_dropdown);
  gtk_widget_class_bind_template_child(widget_class, AmorphViewControls, slab_switch);
  gtk_widget_class_bind_template_child(widget_class, AmorphViewControls, axis_dropdown);
  gtk_widget_class_bind_template_child(widget_class, AmorphViewControls, center_adjustment);
  gtk_widget_class_bind_template_child(widget_class, AmorphViewControls, thickness_adjustment);
  gtk_widget_class_bind_template_child(widget_class, AmorphViewControls, arrows_switch);
  gtk_widget_class_bind_template_child(widget_class, AmorphViewControls, busy_box);
  gtk_widget_class_bind_template_child(widget_class, AmorphViewControls, busy_spinner);
  gtk_widget_class_bind_template_child(widget_class, AmorphViewControls, busy_label);
  gtk_widget_class_bind_template_callback(widget_class, on_cancel_clicked);
  gtk_widget_class_set_layout_manager_type(widget_class, GTK_TYPE_BIN_LAYOUT);
  signals[SIGNAL_CANCEL] = g_signal_new("cancel", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 0);
}

static void amorph_view_controls_init(AmorphViewControls *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));
  g_signal_connect_swapped(self->filter_dropdown, "notify::selected", G_CALLBACK(apply), self);
  g_signal_connect_swapped(self->slab_switch, "notify::active", G_CALLBACK(apply), self);
  g_signal_connect_swapped(self->axis_dropdown, "notify::selected", G_CALLBACK(apply), self);
  g_signal_connect_swapped(self->center_adjustment, "value-changed", G_CALLBACK(apply), self);
  g_signal_connect_swapped(self->thickness_adjustment, "value-changed", G_CALLBACK(apply), self);
  g_signal_connect_swapped(self->arrows_switch, "notify::active", G_CALLBACK(apply), self);
}
