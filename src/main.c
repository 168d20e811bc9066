/* main.c: `amorph` (the explorer) and `amorph --batch` (headless).
 *
 * Batch mode and the informational options are dispatched before any GUI toolkit is
 * touched, so they work on a cluster node without a display or without GTK at all. */
#include <stdio.h>
#include <stdlib.h>

#include "amorph-config.h"
#include "experiment/batch.h"
#include "render/figures.h"

/* The GUI engineer's entry point; the header exists once the GUI layer does. */
#if AMORPH_HAVE_GUI && defined(__has_include)
#if __has_include("gui/application.h")
#include "gui/application.h"
#define AMORPH_GUI_ENTRY 1
#endif
#endif

#ifdef AMORPH_GUI_ENTRY
static gboolean have_display(void)
{
  const char *x11 = getenv("DISPLAY"), *wayland = getenv("WAYLAND_DISPLAY");
  return (x11 && *x11) || (wayland && *wayland);
}
#endif

int main(int argc, char **argv)
{
  if (am_batch_requested(argc, argv)) {
    am_batch_set_figure_writer(am_figures_batch_writer);
    return am_batch_main(argc, argv);
  }
#ifdef AMORPH_GUI_ENTRY
  if (!have_display()) {
    fprintf(stderr, "amorph: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); "
                    "for a headless run use: amorph --batch CONFIG.ini (see amorph --help)\n");
    return 1;
  }
  return amorph_gui_run(argc, argv);
#else
  fprintf(stderr, "amorph: this build has no graphical explorer; run experiments with "
                  "amorph --batch CONFIG.ini (see amorph --help)\n");
  return 2;
#endif
}
