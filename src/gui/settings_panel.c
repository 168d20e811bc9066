/* settings_panel.c: the experiment settings form generated from the config schema (see
 * settings_panel.h). */
#include "gui/settings_panel.h"

#include <string.h>

#include "amorph-resources.h"
#include "experiment/dms_sweep.h"
#include "gui/file_chooser.h"

/* The protocols the explorer runs, in the order of the template's drop-down. */
static const char *const protocols[] = {"dms-sweep", "pinning"};

typedef struct {
  const AmSectionSpec *section;
  const AmKeySpec *spec;
  GtkWidget *widget;      /* GtkEntry, GtkDropDown (CHOICE) or GtkSwitch (BOOL) */
  GtkWidget *error_label;
  char *text;             /* as typed */
  char *error;            /* NULL when valid */
} Field;

struct _AmorphSettingsPanel {
  GtkBox parent_instance;

  GtkDropDown *protocol_dropdown;
  GtkWidget *form_box;
  GtkLabel *status_label;

  const AmProtocolSchema *schema;
  GHashTable *fields;     /* "section.key" → Field* */
  GArray *pinned_ids;     /* gint64: atoms pinned in the explorer */
  gboolean building;      /* filling widgets: no per-field callbacks */
};

G_DEFINE_FINAL_TYPE(AmorphSettingsPanel, amorph_settings_panel, GTK_TYPE_BOX)

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void field_free(gpointer data)
{
  Field *f = data;
  g_free(f->text);
  g_free(f->error);
  g_free(f);
}

static Field *find_field(AmorphSettingsPanel *self, const char *section, const char *key)
{
  g_autofree char *name = g_strdup_printf("%s.%s", section, key);
  return g_hash_table_lookup(self->fields, name);
}

/* ---- checking ----------------------------------------------------------------------------- */

static void update_status(AmorphSettingsPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmConfig) cfg = amorph_settings_panel_get_config(self, &error);
  gtk_widget_remove_css_class(GTK_WIDGET(self->status_label), "error");
  gtk_widget_remove_css_class(GTK_WIDGET(self->status_label), "dim-label");
  if (cfg && self->pinned_ids->len > 0) {
    gboolean pinning = strcmp(self->schema->name, "pinning") == 0;
    g_autofree char *text =
        pinning ? g_strdup_printf("These settings are what ▶ and Compare run: no pins, the %u pinned atoms "
                                  "([pinning] pinned_ids) and as many random VAs; Save writes both for "
                                  "amorph --batch.", self->pinned_ids->len)
                : g_strdup_printf("These settings are what ▶ runs, with the %u pinned atoms as [dms] "
                                  "pinned = ids; Save writes both for amorph --batch.", self->pinned_ids->len);
    gtk_label_set_text(self->status_label, text);
    gtk_widget_add_css_class(GTK_WIDGET(self->status_label), "dim-label");
  } else if (cfg) {
    gtk_label_set_text(self->status_label, "These settings are what ▶ runs; Save writes them for amorph --batch.");
    gtk_widget_add_css_class(GTK_WIDGET(self->status_label), "dim-label");
  } else {
    gtk_label_set_text(self->status_label, error->message);
    gtk_widget_add_css_class(GTK_WIDGET(self->status_label), "error");
  }
}

/* Checks one field exactly as a file would be read, and marks it with batch's message. */
static void check_field(AmorphSettingsPanel *self, Field *f)
{
  g_autoptr(GError) error = NULL;
  g_clear_pointer(&f->error, g_free);
  if (!am_config_check_value(self->schema->name, f->section->name, f->spec->name, f->text, "settings", NULL, NULL,
                             &error))
    f->error = g_strdup(error->message);
  gtk_widget_set_visible(f->error_label, f->error != NULL);
  gtk_label_set_text(GTK_LABEL(f->error_label), f->error ? f->error : "");
  if (f->error)
    gtk_widget_add_css_class(f->widget, "error");
  else
    gtk_widget_remove_css_class(f->widget, "error");
  if (GTK_IS_ENTRY(f->widget)) {
    gtk_entry_set_icon_from_icon_name(GTK_ENTRY(f->widget), GTK_ENTRY_ICON_SECONDARY,
                                      f->error ? "dialog-warning-symbolic" : NULL);
    gtk_entry_set_icon_tooltip_text(GTK_ENTRY(f->widget), GTK_ENTRY_ICON_SECONDARY, f->error);
  }
}

static void field_changed(AmorphSettingsPanel *self, Field *f, const char *text)
{
  if (g_strcmp0(f->text, text) == 0)
    return;
  g_free(f->text);
  f->text = g_strdup(text);
  check_field(self, f);
  if (!self->building) {
    update_status(self);
    g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
  }
}

static void on_entry_changed(GtkEditable *editable, AmorphSettingsPanel *self)
{
  Field *f = g_object_get_data(G_OBJECT(editable), "amorph-field");
  g_autofree char *text = g_strstrip(g_strdup(gtk_editable_get_text(editable)));
  field_changed(self, f, text);
}

static void on_choice_changed(GtkDropDown *dropdown, GParamSpec *pspec, AmorphSettingsPanel *self)
{
  (void) pspec;
  Field *f = g_object_get_data(G_OBJECT(dropdown), "amorph-field");
  GtkStringObject *item = gtk_drop_down_get_selected_item(dropdown);
  if (item)
    field_changed(self, f, gtk_string_object_get_string(item));
}

static void on_switch_changed(GtkSwitch *sw, GParamSpec *pspec, AmorphSettingsPanel *self)
{
  (void) pspec;
  Field *f = g_object_get_data(G_OBJECT(sw), "amorph-field");
  field_changed(self, f, gtk_switch_get_active(sw) ? "true" : "false");
}

/* Shows text in a field's widget; the widget's signal then records it. */
static gboolean show_text(Field *f, const char *text)
{
  if (GTK_IS_ENTRY(f->widget)) {
    gtk_editable_set_text(GTK_EDITABLE(f->widget), text);
  } else if (GTK_IS_SWITCH(f->widget)) {
    static const char *const yes[] = {"true", "yes", "1", "on", NULL};
    static const char *const no[] = {"false", "no", "0", "off", NULL};
    if (!g_strv_contains(yes, text) && !g_strv_contains(no, text))
      return FALSE;
    gtk_switch_set_active(GTK_SWITCH(f->widget), g_strv_contains(yes, text));
  } else {
    GListModel *model = gtk_drop_down_get_model(GTK_DROP_DOWN(f->widget));
    for (guint i = 0; i < g_list_model_get_n_items(model); i++) {
      g_autoptr(GtkStringObject) item = g_list_model_get_item(model, i);
      if (strcmp(gtk_string_object_get_string(item), text) == 0) {
        gtk_drop_down_set_selected(GTK_DROP_DOWN(f->widget), i);
        return TRUE;
      }
    }
    return FALSE;
  }
  return TRUE;
}

/* ---- the form ------------------------------------------------------------------------------ */

/* Help, unit, range and default: what a batch user reads in `amorph --describe`. */
static char *field_tooltip(const AmKeySpec *k)
{
  GString *s = g_string_new(k->help);
  const char *unit = k->unit && *k->unit ? k->unit : NULL;
  if (k->type == AM_KEY_FLOAT || k->type == AM_KEY_INT) {
    g_autofree char *lo = g_strdup_printf("%g", k->min), *hi = g_strdup_printf("%g", k->max);
    g_string_append_printf(s, "\n%s from %s%s to %s%s%s", k->type == AM_KEY_INT ? "Whole number" : "Number", lo,
                           (k->flags & AM_KEY_MIN_EXCLUSIVE) ? " (exclusive)" : "", hi, unit ? " " : "",
                           unit ? unit : "");
    if (k->flags & AM_KEY_OPTIONAL)
      g_string_append(s, ", or empty");
    g_string_append_c(s, '.');
  } else if (unit) {
    g_string_append_printf(s, "\nUnit: %s.", unit);
  }
  if (k->default_value && *k->default_value)
    g_string_append_printf(s, "\nDefault: %s.", k->default_value);
  return g_string_free(s, FALSE);
}

static GtkWidget *make_widget(AmorphSettingsPanel *self, Field *f)
{
  const AmKeySpec *k = f->spec;
  GtkWidget *w;
  if (k->type == AM_KEY_CHOICE && k->choices) {
    g_auto(GStrv) choices = g_strsplit(k->choices, "|", -1);
    w = gtk_drop_down_new_from_strings((const char *const *) choices);
    g_signal_connect(w, "notify::selected", G_CALLBACK(on_choice_changed), self);
  } else if (k->type == AM_KEY_BOOL) {
    w = gtk_switch_new();
    gtk_widget_set_halign(w, GTK_ALIGN_END);
    gtk_widget_set_valign(w, GTK_ALIGN_CENTER);
    g_signal_connect(w, "notify::active", G_CALLBACK(on_switch_changed), self);
  } else {
    w = gtk_entry_new();
    gboolean wide = k->type == AM_KEY_WORDS || k->type == AM_KEY_PATH || k->type == AM_KEY_STRING;
    gtk_editable_set_width_chars(GTK_EDITABLE(w), wide ? 20 : 9);
    if (k->default_value && *k->default_value)
      gtk_entry_set_placeholder_text(GTK_ENTRY(w), k->default_value);
    else if (k->flags & AM_KEY_OPTIONAL)
      gtk_entry_set_placeholder_text(GTK_ENTRY(w), "not set");
    g_signal_connect(w, "changed", G_CALLBACK(on_entry_changed), self);
  }
  g_object_set_data(G_OBJECT(w), "amorph-field", f);
  return w;
}

/* One row per key: its batch name (unit and help in the tooltip), the field, and the
 * message of a bad value under it. Long values (temperature lists, files) get the whole
 * width on a line of their own. */
static void add_section(AmorphSettingsPanel *self, const AmSectionSpec *sec)
{
  GtkWidget *heading = gtk_label_new(NULL);
  g_autofree char *title = g_strdup_printf("[%s]", sec->name);
  gtk_label_set_text(GTK_LABEL(heading), title);
  gtk_label_set_xalign(GTK_LABEL(heading), 0);
  gtk_widget_set_tooltip_text(heading, sec->help);
  gtk_widget_add_css_class(heading, "heading");
  gtk_box_append(GTK_BOX(self->form_box), heading);
  GtkWidget *grid = gtk_grid_new();
  gtk_grid_set_row_spacing(GTK_GRID(grid), 4);
  gtk_grid_set_column_spacing(GTK_GRID(grid), 8);
  gtk_box_append(GTK_BOX(self->form_box), grid);
  int row = 0;
  for (const AmKeySpec *k = sec->keys; k->name; k++) {
    if (strcmp(sec->name, "run") == 0 && strcmp(k->name, "protocol") == 0)
      continue; /* the drop-down above the form */
    Field *f = g_new0(Field, 1);
    f->section = sec;
    f->spec = k;
    f->text = g_strdup("");
    g_hash_table_insert(self->fields, g_strdup_printf("%s.%s", sec->name, k->name), f);
    g_autofree char *tip = field_tooltip(k);
    const char *unit = k->unit && *k->unit ? k->unit : NULL;
    g_autofree char *text = unit && !g_str_has_suffix(k->name, "_K") && !g_str_has_suffix(k->name, "_ps") &&
                                    !g_str_has_suffix(k->name, "_A") && !g_str_has_suffix(k->name, "_steps")
                                ? g_strdup_printf("%s (%s)", k->name, unit)
                                : g_strdup(k->name);
    GtkWidget *label = gtk_label_new(text);
    gtk_label_set_xalign(GTK_LABEL(label), 0);
    gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_END);
    gtk_widget_set_hexpand(label, TRUE);
    gtk_widget_set_tooltip_text(label, tip);
    f->widget = make_widget(self, f);
    gtk_widget_set_tooltip_text(f->widget, tip);
    gtk_label_set_mnemonic_widget(GTK_LABEL(label), f->widget);
    gboolean wide = k->type == AM_KEY_WORDS || k->type == AM_KEY_PATH || k->type == AM_KEY_STRING;
    if (wide) {
      gtk_grid_attach(GTK_GRID(grid), label, 0, row++, 2, 1);
      gtk_grid_attach(GTK_GRID(grid), f->widget, 0, row++, 2, 1);
    } else {
      gtk_grid_attach(GTK_GRID(grid), label, 0, row, 1, 1);
      gtk_grid_attach(GTK_GRID(grid), f->widget, 1, row++, 1, 1);
    }
    f->error_label = gtk_label_new(NULL);
    gtk_label_set_wrap(GTK_LABEL(f->error_label), TRUE);
    gtk_label_set_wrap_mode(GTK_LABEL(f->error_label), PANGO_WRAP_WORD_CHAR);
    gtk_label_set_max_width_chars(GTK_LABEL(f->error_label), 30);
    gtk_label_set_xalign(GTK_LABEL(f->error_label), 0);
    gtk_widget_add_css_class(f->error_label, "error");
    gtk_widget_add_css_class(f->error_label, "caption");
    gtk_widget_set_visible(f->error_label, FALSE);
    gtk_grid_attach(GTK_GRID(grid), f->error_label, 0, row++, 2, 1);
  }
}

/* Rebuilds the form for a protocol and fills it from cfg (which must be of that protocol),
 * or else from the old fields where the key exists and the defaults elsewhere. */
static void build_form(AmorphSettingsPanel *self, const AmProtocolSchema *schema, const AmConfig *cfg)
{
  g_autoptr(GHashTable) old = self->fields;
  g_autoptr(AmConfig) defaults = cfg ? NULL : am_config_new_defaults(schema->name, NULL);
  self->fields = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, field_free);
  self->schema = schema;
  self->building = TRUE;
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child(self->form_box)))
    gtk_box_remove(GTK_BOX(self->form_box), child);
  add_section(self, am_config_run_section());
  for (int s = 0; schema->sections[s]; s++)
    add_section(self, schema->sections[s]);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, self->fields);
  while (g_hash_table_iter_next(&it, &key, &value)) {
    Field *f = value;
    const Field *was = old ? g_hash_table_lookup(old, key) : NULL;
    const AmConfig *src = cfg ? cfg : defaults;
    const char *text = !cfg && was ? was->text : src ? am_config_get_text(src, f->section->name, f->spec->name) : "";
    /* A choice widget starts on its first entry: record and check it explicitly. */
    g_free(f->text);
    f->text = g_strdup("\x01");
    if (!show_text(f, text ? text : ""))
      field_changed(self, f, text ? text : "");
    if (g_strcmp0(f->text, text ? text : "") != 0)
      field_changed(self, f, text ? text : "");
  }
  self->building = FALSE;
  guint index = 0;
  for (guint p = 0; p < G_N_ELEMENTS(protocols); p++)
    if (strcmp(protocols[p], schema->name) == 0)
      index = p;
  g_signal_handlers_block_matched(self->protocol_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_drop_down_set_selected(self->protocol_dropdown, index);
  g_signal_handlers_unblock_matched(self->protocol_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  update_status(self);
  g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void on_protocol_changed(AmorphSettingsPanel *self)
{
  guint i = gtk_drop_down_get_selected(self->protocol_dropdown);
  if (i >= G_N_ELEMENTS(protocols) || strcmp(protocols[i], self->schema->name) == 0)
    return;
  build_form(self, am_config_find_protocol(protocols[i]), NULL);
}

/* ---- API ------------------------------------------------------------------------------------ */

GtkWidget *amorph_settings_panel_new(void)
{
  return g_object_new(AMORPH_TYPE_SETTINGS_PANEL, NULL);
}

gboolean amorph_settings_panel_load(AmorphSettingsPanel *self, const char *path, GError **error)
{
  g_return_val_if_fail(AMORPH_IS_SETTINGS_PANEL(self), FALSE);
  g_autoptr(AmConfig) cfg = am_config_load(path, NULL, error);
  if (!cfg)
    return FALSE;
  const char *protocol = am_config_protocol(cfg);
  if (g_strcmp0(protocol, "dms-sweep") != 0 && g_strcmp0(protocol, "pinning") != 0) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                "%s: the explorer runs protocols dms-sweep and pinning, not %s", path, protocol);
    return FALSE;
  }
  build_form(self, am_config_schema(cfg), cfg);
  return TRUE;
}

static AmConfig *panel_config(AmorphSettingsPanel *self, const char *const *extra, GError **error);

AmConfig *amorph_settings_panel_get_config(AmorphSettingsPanel *self, GError **error)
{
  g_return_val_if_fail(AMORPH_IS_SETTINGS_PANEL(self), NULL);
  return panel_config(self, NULL, error);
}

/* The fields, then extra overrides (may be NULL). */
static AmConfig *panel_config(AmorphSettingsPanel *self, const char *const *extra, GError **error)
{
  /* The fields as --set overrides of an empty file: values go in verbatim, unescaped, and
   * every message names the key. Schema order, so the first problem reported is the first
   * one on screen. */
  g_autoptr(GPtrArray) set = g_ptr_array_new_with_free_func(g_free);
  const AmSectionSpec *run = am_config_run_section();
  for (int s = -1; s < 0 || self->schema->sections[s]; s++) {
    const AmSectionSpec *sec = s < 0 ? run : self->schema->sections[s];
    for (const AmKeySpec *k = sec->keys; k->name; k++) {
      Field *f = find_field(self, sec->name, k->name);
      if (!f)
        continue;
      if (f->error) {
        g_set_error_literal(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_INVALID_VALUE, f->error);
        return NULL;
      }
      g_ptr_array_add(set, g_strdup_printf("%s.%s=%s", sec->name, k->name, f->text));
    }
  }
  for (int i = 0; extra && extra[i]; i++)
    g_ptr_array_add(set, g_strdup(extra[i]));
  g_ptr_array_add(set, NULL);
  g_autofree char *head = g_strdup_printf("[run]\nprotocol = %s\n", self->schema->name);
  g_autoptr(AmConfig) cfg =
      am_config_load_data(head, -1, "settings", NULL, (const char *const *) set->pdata, error);
  if (!cfg || !am_dms_sweep_check_config(cfg, error))
    return NULL;
  return g_steal_pointer(&cfg);
}

void amorph_settings_panel_set_pinned_ids(AmorphSettingsPanel *self, const gint64 *ids, gsize n)
{
  g_return_if_fail(AMORPH_IS_SETTINGS_PANEL(self));
  g_array_set_size(self->pinned_ids, 0);
  if (n)
    g_array_append_vals(self->pinned_ids, ids, (guint) n);
  update_status(self);
}

gboolean amorph_settings_panel_save(AmorphSettingsPanel *self, const char *path, GError **error)
{
  g_return_val_if_fail(AMORPH_IS_SETTINGS_PANEL(self), FALSE);
  /* Clicked pins go with a dms-sweep or pinning experiment as an id file beside the
   * settings, exactly as ▶ and Compare run them (amorph_window_run_experiment). */
  g_autofree char *ids_path = NULL;
  g_autofree char *ids_set = NULL;
  const gboolean pinning = strcmp(self->schema->name, "pinning") == 0;
  if (self->pinned_ids->len > 0) {
    g_autofree char *stem = g_str_has_suffix(path, ".ini") ? g_strndup(path, strlen(path) - 4) : g_strdup(path);
    g_autofree char *rel = g_strdup_printf("%s-pinned-ids.txt", stem);
    ids_path = g_canonicalize_filename(rel, NULL);
    GString *ids = g_string_new("# atoms pinned in the explorer\n");
    for (guint i = 0; i < self->pinned_ids->len; i++)
      g_string_append_printf(ids, "%" G_GINT64_FORMAT "\n", g_array_index(self->pinned_ids, gint64, i));
    gboolean ok = g_file_set_contents(ids_path, ids->str, -1, error);
    g_string_free(ids, TRUE);
    if (!ok)
      return FALSE;
    ids_set = g_strdup_printf(pinning ? "pinning.pinned_ids=%s" : "dms.pinned_ids=%s", ids_path);
  }
  const char *extra[] = {pinning ? "pinning.pinned_count=" : "dms.pinned=ids", ids_set, NULL};
  g_autoptr(AmConfig) cfg = panel_config(self, ids_set ? extra : NULL, error);
  if (!cfg)
    return FALSE;
  /* The pins file beside the .ini is named relative to it, so the pair runs headless from
   * any working directory and can be moved together. */
  g_autofree char *dir = g_path_get_dirname(path);
  g_autofree char *text = am_config_to_ini_in(cfg, dir);
  return g_file_set_contents(path, text, -1, error);
}

const char *amorph_settings_panel_get_protocol(AmorphSettingsPanel *self)
{
  g_return_val_if_fail(AMORPH_IS_SETTINGS_PANEL(self), NULL);
  return self->schema->name;
}

const char *amorph_settings_panel_get_value(AmorphSettingsPanel *self, const char *section, const char *key)
{
  g_return_val_if_fail(AMORPH_IS_SETTINGS_PANEL(self), NULL);
  if (g_strcmp0(section, "run") == 0 && g_strcmp0(key, "protocol") == 0)
    return self->schema->name;
  Field *f = find_field(self, section, key);
  return f ? f->text : NULL;
}

gboolean amorph_settings_panel_set_value(AmorphSettingsPanel *self, const char *section, const char *key,
                                         const char *text)
{
  g_return_val_if_fail(AMORPH_IS_SETTINGS_PANEL(self), FALSE);
  if (g_strcmp0(section, "run") == 0 && g_strcmp0(key, "protocol") == 0) {
    for (guint p = 0; p < G_N_ELEMENTS(protocols); p++)
      if (g_strcmp0(protocols[p], text) == 0) {
        gtk_drop_down_set_selected(self->protocol_dropdown, p);
        return TRUE;
      }
    return FALSE;
  }
  Field *f = find_field(self, section, key);
  return f && show_text(f, text);
}

const char *amorph_settings_panel_get_error(AmorphSettingsPanel *self, const char *section, const char *key)
{
  g_return_val_if_fail(AMORPH_IS_SETTINGS_PANEL(self), NULL);
  Field *f = find_field(self, section, key);
  return f ? f->error : NULL;
}

GtkWidget *amorph_settings_panel_get_field(AmorphSettingsPanel *self, const char *section, const char *key)
{
  g_return_val_if_fail(AMORPH_IS_SETTINGS_PANEL(self), NULL);
  Field *f = find_field(self, section, key);
  return f ? f->widget : NULL;
}

gboolean amorph_settings_panel_is_valid(AmorphSettingsPanel *self)
{
  g_autoptr(AmConfig) cfg = amorph_settings_panel_get_config(self, NULL);
  return cfg != NULL;
}

/* ---- Open… and Save… ------------------------------------------------------------------------- */

static void show_error(AmorphSettingsPanel *self, const char *heading, const char *message)
{
  GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
  GtkWidget *dialog = gtk_message_dialog_new(GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL,
                                             GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT, GTK_MESSAGE_ERROR,
                                             GTK_BUTTONS_CLOSE, "%s", heading);
  gtk_message_dialog_format_secondary_text(GTK_MESSAGE_DIALOG(dialog), "%s", message);
  g_signal_connect(dialog, "response", G_CALLBACK(gtk_window_destroy), NULL);
  gtk_window_present(GTK_WINDOW(dialog));
}

static void open_chosen(GFile *file, gpointer data)
{
  AmorphSettingsPanel *self = data;
  if (file) {
    g_autofree char *path = g_file_get_path(file);
    g_autoptr(GError) error = NULL;
    if (!path || !amorph_settings_panel_load(self, path, &error))
      show_error(self, "The settings could not be opened", error ? error->message : "not a local file");
  }
  g_object_unref(self);
}

static void save_chosen(GFile *file, gpointer data)
{
  AmorphSettingsPanel *self = data;
  if (file) {
    g_autofree char *path = g_file_get_path(file);
    g_autoptr(GError) error = NULL;
    if (!path || !amorph_settings_panel_save(self, path, &error))
      show_error(self, "The settings could not be saved", error ? error->message : "not a local file");
  }
  g_object_unref(self);
}

static GtkWindow *parent_window(AmorphSettingsPanel *self)
{
  GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
  return GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL;
}

static void open_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  AmorphSettingsPanel *self = AMORPH_SETTINGS_PANEL(widget);
  amorph_choose_file(parent_window(self), AMORPH_CHOOSE_OPEN, "Open Experiment Settings", NULL,
                     "Amorph settings (*.ini)", "*.ini", open_chosen, g_object_ref(self));
}

static void save_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void) name;
  (void) param;
  AmorphSettingsPanel *self = AMORPH_SETTINGS_PANEL(widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(AmConfig) cfg = amorph_settings_panel_get_config(self, &error);
  if (!cfg) {
    show_error(self, "These settings cannot be saved as they are", error->message);
    return;
  }
  g_autofree char *name_hint = g_strdup_printf("%s.ini", self->schema->name);
  amorph_choose_file(parent_window(self), AMORPH_CHOOSE_SAVE, "Save Experiment Settings", name_hint,
                     "Amorph settings (*.ini)", "*.ini", save_chosen, g_object_ref(self));
}

/* ---- GObject ----------------------------------------------------------------------------------- */

static void amorph_settings_panel_dispose(GObject *object)
{
  AmorphSettingsPanel *self = AMORPH_SETTINGS_PANEL(object);
  gtk_widget_dispose_template(GTK_WIDGET(self), AMORPH_TYPE_SETTINGS_PANEL);
  G_OBJECT_CLASS(amorph_settings_panel_parent_class)->dispose(object);
}

static void amorph_settings_panel_finalize(GObject *object)
{
  AmorphSettingsPanel *self = AMORPH_SETTINGS_PANEL(object);
  g_clear_pointer(&self->fields, g_hash_table_unref);
  g_array_unref(self->pinned_ids);
  G_OBJECT_CLASS(amorph_settings_panel_parent_class)->finalize(object);
}

static void amorph_settings_panel_class_init(AmorphSettingsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = amorph_settings_panel_dispose;
  object_class->finalize = amorph_settings_panel_finalize;
  /* Any field or the protocol changed (not while a file is being loaded field by field). */
  signals[SIGNAL_CHANGED] = g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                         NULL, G_TYPE_NONE, 0);
  (void) amorph_get_resource();
  gtk_widget_class_set_template_from_resource(widget_class, "/org/amorph/Amorph/settings-panel.ui");
  gtk_widget_class_bind_template_child(widget_class, AmorphSettingsPanel, protocol_dropdown);
  gtk_widget_class_bind_template_child(widget_class, AmorphSettingsPanel, form_box);
  gtk_widget_class_bind_template_child(widget_class, AmorphSettingsPanel, status_label);
  gtk_widget_class_install_action(widget_class, "settings.open", NULL, open_action);
  gtk_widget_class_install_action(widget_class, "settings.save", NULL, save_action);
}

static void amorph_settings_panel_init(AmorphSettingsPanel *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));
  self->pinned_ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_signal_connect_swapped(self->protocol_dropdown, "notify::selected", G_CALLBACK(on_protocol_changed), self);
  build_form(self, am_config_find_protocol("dms-sweep"), NULL);
}
