/* application.h: the GtkApplication of the explorer (org.amorph.Amorph): app actions
 * (about, quit), accelerators, style, and opening files given on the command line. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define AMORPH_TYPE_APPLICATION (amorph_application_get_type())
G_DECLARE_FINAL_TYPE(AmorphApplication, amorph_application, AMORPH, APPLICATION, GtkApplication)

AmorphApplication *amorph_application_new(void);

/* Runs the explorer; main() calls this when not in --batch mode. Returns the exit status. */
int amorph_gui_run(int argc, char **argv);

G_END_DECLS
