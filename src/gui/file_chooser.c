/* file_chooser.c: the file dialogs, for both GTK 4.8 and GTK ≥ 4.10 (see file_chooser.h). */
#include "gui/file_chooser.h"

typedef struct {
  AmorphChooseFunc func;
  gpointer user_data;
} Pending;

static GListStore *make_filters(const char *filter_name, const char *pattern, GtkFileFilter **first)
{
  GListStore *filters = g_list_store_new(GTK_TYPE_FILE_FILTER);
  *first = NULL;
  if (pattern) {
    GtkFileFilter *f = gtk_file_filter_new();
    gtk_file_filter_set_name(f, filter_name ? filter_name : pattern);
    gtk_file_filter_add_pattern(f, pattern);
    g_list_store_append(filters, f);
    *first = f;
    g_object_unref(f);
  }
  GtkFileFilter *all = gtk_file_filter_new();
  gtk_file_filter_set_name(all, "All files");
  gtk_file_filter_add_pattern(all, "*");
  g_list_store_append(filters, all);
  g_object_unref(all);
  return filters;
}

#if GTK_CHECK_VERSION(4, 10, 0)
static void dialog_done(GObject *source, GAsyncResult *result, gpointer data)
{
  Pending *p = data;
  GtkFileDialog *dialog = GTK_FILE_DIALOG(source);
  g_autoptr(GError) error = NULL;
  GFile *file = NULL;
  switch (GPOINTER_TO_INT(g_object_get_data(source, "amorph-mode"))) {
  case AMORPH_CHOOSE_OPEN: file = gtk_file_dialog_open_finish(dialog, result, &error); break;
  case AMORPH_CHOOSE_SAVE: file = gtk_file_dialog_save_finish(dialog, result, &error); break;
  default: file = gtk_file_dialog_select_folder_finish(dialog, result, &error); break;
  }
  p->func(file, p->user_data);
  g_clear_object(&file);
  g_free(p);
}

void amorph_choose_file(GtkWindow *parent, AmorphChooseMode mode, const char *title, const char *suggested_name,
                        const char *filter_name, const char *pattern, AmorphChooseFunc func, gpointer user_data)
{
  Pending *p = g_new(Pending, 1);
  p->func = func;
  p->user_data = user_data;
  GtkFileDialog *dialog = gtk_file_dialog_new();
  gtk_file_dialog_set_title(dialog, title);
  g_object_set_data(G_OBJECT(dialog), "amorph-mode", GINT_TO_POINTER(mode));
  if (mode != AMORPH_CHOOSE_FOLDER) {
    GtkFileFilter *first;
    g_autoptr(GListStore) filters = make_filters(filter_name, pattern, &first);
    gtk_file_dialog_set_filters(dialog, G_LIST_MODEL(filters));
    if (first)
      gtk_file_dialog_set_default_filter(dialog, first);
  }
  if (mode == AMORPH_CHOOSE_SAVE && suggested_name)
    gtk_file_dialog_set_initial_name(dialog, suggested_name);
  if (mode == AMORPH_CHOOSE_OPEN)
    gtk_file_dialog_open(dialog, parent, NULL, dialog_done, p);
  else if (mode == AMORPH_CHOOSE_SAVE)
    gtk_file_dialog_save(dialog, parent, NULL, dialog_done, p);
  else
    gtk_file_dialog_select_folder(dialog, parent, NULL, dialog_done, p);
  g_object_unref(dialog);
}
#else
static void native_response(GtkNativeDialog *dialog, int response, gpointer data)
{
  Pending *p = data;
  GFile *file = response == GTK_RESPONSE_ACCEPT ? gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog)) : NULL;
  p->func(file, p->user_data);
  g_clear_object(&file);
  g_free(p);
  gtk_native_dialog_destroy(dialog);
  g_object_unref(dialog);
}

void amorph_choose_file(GtkWindow *parent, AmorphChooseMode mode, const char *title, const char *suggested_name,
                        const char *filter_name, const char *pattern, AmorphChooseFunc func, gpointer user_data)
{
  static const GtkFileChooserAction actions[] = {GTK_FILE_CHOOSER_ACTION_OPEN, GTK_FILE_CHOOSER_ACTION_SAVE,
                                                 GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER};
  static const char *const accept[] = {"_Open", "_Save", "_Select"};
  Pending *p = g_new(Pending, 1);
  p->func = func;
  p->user_data = user_data;
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new(title, parent, actions[mode], accept[mode], "_Cancel");
  gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(dialog), TRUE);
  if (mode != AMORPH_CHOOSE_FOLDER) {
    GtkFileFilter *first;
    g_autoptr(GListStore) filters = make_filters(filter_name, pattern, &first);
    for (guint i = 0; i < g_list_model_get_n_items(G_LIST_MODEL(filters)); i++) {
      g_autoptr(GtkFileFilter) f = g_list_model_get_item(G_LIST_MODEL(filters), i);
      gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(dialog), f);
    }
    if (first)
      gtk_file_chooser_set_filter(GTK_FILE_CHOOSER(dialog), first);
  }
  if (mode == AMORPH_CHOOSE_SAVE && suggested_name)
    gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(dialog), suggested_name);
  g_signal_connect(dialog, "response", G_CALLBACK(native_response), p);
  gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}
#endif
