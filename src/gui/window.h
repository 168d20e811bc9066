/* window.h: the main window, and the model it owns: the loaded configuration, the set of
 * pinned atoms with its undo history, and the live run (a worker thread). Display choices,
 * window size and the last file persist in GSettings (org.amorph.Amorph) when its schema is
 * available.
 *
 * Layout per DESIGN.md: header bar (Open, run/pause/step/stop, speed, status, primary
 * menu), the atom view with a side panel (Experiment / Display / Pins), and the plots below
 * (G″(T) always visible, the others behind a switcher). */
#pragma once

#include <gtk/gtk.h>

#include "gui/atom_view.h"
#include "gui/view_controls.h"
#include "gui/plot_view.h"
#include "gui/settings_panel.h"
#include "gui/free_play_panel.h"
#include "gui/help_button.h"
#include "gui/presentation.h"
#include "render/plot.h"

G_BEGIN_DECLS

#define AMORPH_TYPE_WINDOW (amorph_window_get_type())
G_DECLARE_FINAL_TYPE(AmorphWindow, amorph_window, AMORPH, WINDOW, GtkApplicationWindow)

/* The plots below the atom view. G″(T) is always shown; the rest share a switcher. */
typedef enum {
  AMORPH_PLOT_LOSS_MODULUS = 0, /* G″(T) */
  AMORPH_PLOT_STRESS_FIT,       /* σ_xy(t) with the fitted sinusoid */
  AMORPH_PLOT_NONAFFINE,        /* p(u′) */
  AMORPH_PLOT_CLASSES,          /* VA / RA / FA fractions */
  AMORPH_PLOT_N_RA,             /* N_RA(T) against G″ */
  AMORPH_PLOT_HEATMAPS,         /* XY trajectory heatmaps */
  AMORPH_N_PLOTS
} AmorphPlotId;

GtkWidget *amorph_window_new(GtkApplication *app);

/* Reads a LAMMPS data file and shows it; stops any live run and clears pins and their
 * history. On failure the window keeps what it had and error says why. */
gboolean amorph_window_load(AmorphWindow *self, const char *path, GError **error);
/* The shipped sample (data/samples/cu50zr50-4000.data, else cu50zr50-1000.data) when it
 * can be found, else NULL. */
char *amorph_window_find_default_sample(void);
/* The file opened last (GSettings "last-file") when it still exists, else NULL. */
char *amorph_window_get_last_file(AmorphWindow *self);
/* What the explorer does first when it starts on a glass: ▶ (the settings panel's
 * experiment), unless the start-on-launch setting is off or nothing is loaded. Returns
 * whether it started. */
gboolean amorph_window_start_on_launch(AmorphWindow *self);

AmorphAtomView *amorph_window_get_atom_view(AmorphWindow *self);
size_t amorph_window_get_n_atoms(AmorphWindow *self);

/* Pins: index is the atom's position in the loaded file. Each toggle is one undo step. */
gboolean amorph_window_is_pinned(AmorphWindow *self, size_t index);
size_t amorph_window_get_n_pinned(AmorphWindow *self);
void amorph_window_toggle_pin(AmorphWindow *self, size_t index);
void amorph_window_clear_pins(AmorphWindow *self);
gboolean amorph_window_undo(AmorphWindow *self);
/* Colour by (the Display page's list): 0 species, 1 class, 2 energy, 3 u′ max, 4 |Θ|. */
void amorph_window_set_color_by(AmorphWindow *self, guint index);
/* The Display page's filter, slab and arrow controls (view_controls.h). */
AmorphViewControls *amorph_window_get_view_controls(AmorphWindow *self);
/* Pins the listed atoms (guint indices) not pinned yet, as one undo step; returns how many. */
guint amorph_window_pin_atoms(AmorphWindow *self, const GArray *indices);
/* Pins count random unpinned VAs of the last run's classes (seeded, reproducible), one undo
 * step; an error without classes or with too few VAs. */
gboolean amorph_window_pin_random_vas(AmorphWindow *self, gsize count, guint64 seed, GError **error);
/* The pinned atoms' ids as a file dms-sweep reads ([dms] pinned = ids, pinned_ids = path),
 * and back: loading replaces the pins (one undo step) or fails leaving them as they were. */
gboolean amorph_window_save_pins(AmorphWindow *self, const char *path, GError **error);
gboolean amorph_window_load_pins(AmorphWindow *self, const char *path, GError **error);
gboolean amorph_window_redo(AmorphWindow *self);

/* Hooks for the plots: the AmPlot a drawing area shows (owned by the window; fill it, then
 * call amorph_window_plots_changed to redraw). */
AmPlot *amorph_window_get_plot(AmorphWindow *self, AmorphPlotId id);
void amorph_window_plots_changed(AmorphWindow *self);
/* The widget showing a plot (hover readout, export menu). */
AmorphPlotView *amorph_window_get_plot_view(AmorphWindow *self, AmorphPlotId id);

/* Live run state, for tests: the last snapshot's step (−1 before any). */
long long amorph_window_get_run_step(AmorphWindow *self);
gboolean amorph_window_get_running(AmorphWindow *self);

/* Runs an MD-DMS sweep or pinning experiment (preset NULL: the Experiment panel's settings,
 * which start as data/presets/demo.ini) on the loaded sample, with --set style overrides (may be
 * NULL), through experiment/dms_sweep; what ▶ does. Fails on a bad preset. */
gboolean amorph_window_run_experiment(AmorphWindow *self, const char *preset, const char *const *overrides,
                                      GError **error);
/* The preset ▶ runs (NULL: data/presets/demo.ini), as Preset ▾ or --preset set it. */
void amorph_window_set_preset(AmorphWindow *self, const char *preset);
/* "Compare": the pinning experiment on the loaded sample with the side panel's settings
 * (switched to protocol pinning, watching the run with these pins: [dms] watch_pin_set =
 * 1), the atoms pinned now as [pinning] pinned_ids: G″(T) with nothing pinned, with these
 * pins, and with as many random VAs. FALSE without pins or while a sweep runs. */
gboolean amorph_window_compare(AmorphWindow *self, GError **error);
/* The pin sets of the last run (0 before one started) and the one whose p(u′), class
 * fractions and N_RA the switcher's plots show (the drop-down beside the switcher). */
guint amorph_window_get_n_pin_sets(AmorphWindow *self);
void amorph_window_set_shown_pin_set(AmorphWindow *self, guint set);
gboolean amorph_window_get_experiment_running(AmorphWindow *self);
/* MD steps of the running sweep done so far (its last snapshot), and the status line. */
gint64 amorph_window_get_sweep_steps(AmorphWindow *self);
/* Finished replicas and trajectory reruns shown in the live plots so far. */
guint amorph_window_get_live_jobs(AmorphWindow *self);
/* The last finished sweep's folder, in the layout `amorph --batch` writes (NULL before one
 * finished); "Export results…" copies it to dest on a worker thread and says so in a toast. */
const char *amorph_window_get_results_dir(AmorphWindow *self);
void amorph_window_export_results(AmorphWindow *self, const char *dest);
guint amorph_window_get_n_exports(AmorphWindow *self);
const char *amorph_window_get_status(AmorphWindow *self);
/* Loads a .ini into the Experiment panel (what ▶ runs; Preset ▾ and --preset call this);
 * the loaded sample stays [system] data. On failure the panel keeps what it had. */
gboolean amorph_window_load_settings(AmorphWindow *self, const char *path, GError **error);
AmorphSettingsPanel *amorph_window_get_settings_panel(AmorphWindow *self);
/* Temperatures with a G″ point on the plot so far. */
gsize amorph_window_get_n_loss_points(AmorphWindow *self);

/* Teaching: free play's card, the "?" button of a topic (explanations.h; every plot page
 * shares one, which follows the page shown), and presentation mode. */
AmorphFreePlayPanel *amorph_window_get_free_play_panel(AmorphWindow *self);
AmorphHelpButton *amorph_window_get_help_button(AmorphWindow *self, const char *topic);
AmorphPresentation *amorph_window_get_presentation(AmorphWindow *self);

G_END_DECLS
