/* file_chooser.h: one call for the file dialogs of the settings panel and the exports:
 * GtkFileDialog where GTK has it (4.10), GtkFileChooserNative on GTK 4.8, so the callers do
 * not carry both code paths. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
  AMORPH_CHOOSE_OPEN,   /* an existing file */
  AMORPH_CHOOSE_SAVE,   /* a file to write (the dialog asks before replacing) */
  AMORPH_CHOOSE_FOLDER, /* a folder */
} AmorphChooseMode;

/* Called on the main thread with the chosen file, or NULL when the user cancelled. */
typedef void (*AmorphChooseFunc)(GFile *file, gpointer user_data);

/* Shows the dialog modal to parent. suggested_name (SAVE, may be NULL) prefills the name;
 * pattern (may be NULL, e.g. "*.ini") with filter_name adds a filter next to "All files". */
void amorph_choose_file(GtkWindow *parent, AmorphChooseMode mode, const char *title, const char *suggested_name,
                        const char *filter_name, const char *pattern, AmorphChooseFunc func, gpointer user_data);

G_END_DECLS
