/* application.c: the explorer's GtkApplication (see application.h). */
#include "gui/application.h"

#include "amorph-config.h"
#include "amorph-version.h"
#include "gui/window.h"

struct _AmorphApplication {
  GtkApplication parent_instance;
  char *preset; /* --preset: what ▶ runs in new windows */
};

G_DEFINE_FINAL_TYPE(AmorphApplication, amorph_application, GTK_TYPE_APPLICATION)

static AmorphWindow *new_window(AmorphApplication *self)
{
  AmorphWindow *w = AMORPH_WINDOW(amorph_window_new(GTK_APPLICATION(self)));
  if (self->preset)
    amorph_window_set_preset(w, self->preset);
  return w;
}

static int amorph_application_handle_local_options(GApplication *app, GVariantDict *options)
{
  AmorphApplication *self = AMORPH_APPLICATION(app);
  const char *preset = NULL;
  if (g_variant_dict_lookup(options, "preset", "^&ay", &preset) && preset && *preset) {
    if (!g_file_test(preset, G_FILE_TEST_IS_REGULAR)) {
      g_printerr("amorph: --preset %s: no such file\n", preset);
      return 1;
    }
    g_free(self->preset);
    self->preset = g_canonicalize_filename(preset, NULL);
  }
  return -1; /* carry on: activate or open */
}

static void amorph_application_finalize(GObject *object)
{
  g_free(AMORPH_APPLICATION(object)->preset);
  G_OBJECT_CLASS(amorph_application_parent_class)->finalize(object);
}

static void amorph_application_activate(GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window(GTK_APPLICATION(app));
  if (!window) {
    AmorphWindow *w = new_window(AMORPH_APPLICATION(app));
    /* The file of the last session, else the shipped sample. A missing or broken file is
     * not fatal: the window shows its empty state. */
    g_autofree char *last = amorph_window_get_last_file(w);
    g_autofree char *sample = last ? NULL : amorph_window_find_default_sample();
    if (last && !amorph_window_load(w, last, NULL))
      g_clear_pointer(&last, g_free);
    if (!last && !sample)
      sample = amorph_window_find_default_sample();
    if (sample)
      amorph_window_load(w, sample, NULL);
    gtk_window_present(GTK_WINDOW(w));
    amorph_window_start_on_launch(w);
    return;
  }
  gtk_window_present(window);
}

static void amorph_application_open(GApplication *app, GFile **files, int n_files, const char *hint)
{
  (void) hint;
  for (int i = 0; i < n_files; i++) {
    AmorphWindow *w = new_window(AMORPH_APPLICATION(app));
    g_autofree char *path = g_file_get_path(files[i]);
    GError *error = NULL;
    if (!path || !amorph_window_load(w, path, &error)) {
      g_printerr("amorph: %s\n", error ? error->message : "only local files can be opened");
      g_clear_error(&error);
    }
    gtk_window_present(GTK_WINDOW(w));
  }
}

static void about_action(GSimpleAction *action, GVariant *param, gpointer user_data)
{
  (void) action;
  (void) param;
  GtkApplication *app = user_data;
  static const char *authors[] = {"The Amorph developers", NULL};
  gtk_show_about_dialog(gtk_application_get_active_window(app),
                        "program-name", "Amorph",
                        "version", AMORPH_VERSION,
                        "comments", "Watch a Cu–Zr metallic glass relax: live EAM molecular dynamics, "
                                    "MD dynamic mechanical spectroscopy, and the atoms that make the loss peak.",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "authors", authors,
                        "logo-icon-name", "org.amorph.Amorph",
                        "system-information", "Build " AMORPH_GIT_COMMIT,
                        NULL);
}

static void quit_action(GSimpleAction *action, GVariant *param, gpointer user_data)
{
  (void) action;
  (void) param;
  /* Closing the windows first lets each stop its worker thread cleanly. */
  GList *windows = gtk_application_get_windows(GTK_APPLICATION(user_data));
  while (windows) {
    GList *next = windows->next;
    gtk_window_destroy(windows->data);
    windows = next;
  }
  g_application_quit(G_APPLICATION(user_data));
}

static void amorph_application_startup(GApplication *app)
{
  G_APPLICATION_CLASS(amorph_application_parent_class)->startup(app);
  /* Window managers without a desktop file match (X11, a run from the build tree) show this. */
  gtk_window_set_default_icon_name("org.amorph.Amorph");
  static const GActionEntry entries[] = {
      {.name = "about", .activate = about_action},
      {.name = "quit", .activate = quit_action},
  };
  g_action_map_add_action_entries(G_ACTION_MAP(app), entries, G_N_ELEMENTS(entries), app);
  static const char *quit_accels[] = {"<Control>q", NULL};
  gtk_application_set_accels_for_action(GTK_APPLICATION(app), "app.quit", quit_accels);

  GtkCssProvider *css = gtk_css_provider_new();
  gtk_css_provider_load_from_resource(css, "/org/amorph/Amorph/style.css");
  gtk_style_context_add_provider_for_display(gdk_display_get_default(), GTK_STYLE_PROVIDER(css),
                                             GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_unref(css);
}

static void amorph_application_class_init(AmorphApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS(klass);
  app_class->activate = amorph_application_activate;
  app_class->open = amorph_application_open;
  app_class->startup = amorph_application_startup;
  app_class->handle_local_options = amorph_application_handle_local_options;
  G_OBJECT_CLASS(klass)->finalize = amorph_application_finalize;
}

static void amorph_application_init(AmorphApplication *self)
{
  g_application_add_main_option(G_APPLICATION(self), "preset", 0, 0, G_OPTION_ARG_FILENAME,
                                "The MD-DMS preset that ▶ runs (default data/presets/demo.ini)", "FILE");
}

AmorphApplication *amorph_application_new(void)
{
  return g_object_new(AMORPH_TYPE_APPLICATION, "application-id", "org.amorph.Amorph", "flags",
                      G_APPLICATION_HANDLES_OPEN, "resource-base-path", "/org/amorph/Amorph", NULL);
}

int amorph_gui_run(int argc, char **argv)
{
  g_set_application_name("Amorph");
  AmorphApplication *app = amorph_application_new();
  int status = g_application_run(G_APPLICATION(app), argc, argv);
  g_object_unref(app);
  return status;
}
