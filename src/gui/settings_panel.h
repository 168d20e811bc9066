/* settings_panel.h: the experiment settings of the side panel, a form generated from the
 * config schema (experiment/config.h) of the dms-sweep or pinning protocol, so it has
 * exactly the keys, defaults, ranges, units and help of the batch .ini and cannot drift
 * from it. Every field is checked as it is typed, with the message batch would print;
 * Open… and Save… read and write .ini files that `amorph --batch` runs unchanged. */
#pragma once

#include <gtk/gtk.h>

#include "experiment/config.h"

G_BEGIN_DECLS

#define AMORPH_TYPE_SETTINGS_PANEL (amorph_settings_panel_get_type())
G_DECLARE_FINAL_TYPE(AmorphSettingsPanel, amorph_settings_panel, AMORPH, SETTINGS_PANEL, GtkBox)

GtkWidget *amorph_settings_panel_new(void);

/* Reads and checks a .ini file (protocol dms-sweep or pinning) into the form. On failure
 * the form keeps what it had and error says why (file and line). */
gboolean amorph_settings_panel_load(AmorphSettingsPanel *self, const char *path, GError **error);
/* The form as a config, checked key by key and as a whole (am_dms_sweep_check_config);
 * NULL with the first problem otherwise. */
AmConfig *amorph_settings_panel_get_config(AmorphSettingsPanel *self, GError **error);
/* The atoms pinned in the explorer (ids), which a dms-sweep runs as [dms] pinned = ids and
 * the pinning experiment as [pinning] pinned_ids (in place of the selected RAs): Save
 * writes them beside the .ini (NAME-pinned-ids.txt) and names that file in it, so the
 * saved run is the one ▶ or Compare starts. n = 0: none. */
void amorph_settings_panel_set_pinned_ids(AmorphSettingsPanel *self, const gint64 *ids, gsize n);
/* Writes the form's config as an annotated .ini (am_config_to_ini), with the pinned ids. */
gboolean amorph_settings_panel_save(AmorphSettingsPanel *self, const char *path, GError **error);

const char *amorph_settings_panel_get_protocol(AmorphSettingsPanel *self);
/* A field's text as typed ("" for an empty optional field); NULL for an unknown key. */
const char *amorph_settings_panel_get_value(AmorphSettingsPanel *self, const char *section, const char *key);
/* Puts text into a field as if typed (CHOICE and BOOL fields take their words). FALSE for
 * an unknown key or a word a choice field does not offer. */
gboolean amorph_settings_panel_set_value(AmorphSettingsPanel *self, const char *section, const char *key,
                                         const char *text);
/* The message a field is marked with, NULL when it is valid. */
const char *amorph_settings_panel_get_error(AmorphSettingsPanel *self, const char *section, const char *key);
/* The widget of a field (for tests and focus). */
GtkWidget *amorph_settings_panel_get_field(AmorphSettingsPanel *self, const char *section, const char *key);
gboolean amorph_settings_panel_is_valid(AmorphSettingsPanel *self);

G_END_DECLS
