/* worker.h: the thread that runs the live simulation behind the window.
 *
 * The worker owns its own copy of the system and steps NVT molecular dynamics on it: free
 * play. It shears the glass sinusoidally (γ = ε_A sin 2πt/t_p, changed by command at the
 * next cycle start so the tilt never jumps), ramps the thermostat target smoothly towards a
 * new temperature, classifies atoms as VA/RA/FA over a window sliding with the run (the
 * last window_periods periods, analysis/sliding_classes.h) and keeps the recent stress
 * σ_xy(t) with its running sinusoid fit. The main thread never waits for it: commands (run, pause, step, pin, temperature, speed) go
 * through a queue that the worker drains between frames, and results come back as
 * immutable snapshots. Snapshots are coalesced: however fast the worker produces them, at
 * most one idle callback is pending on the main context, and it delivers the newest. */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "analysis/dms_fit.h"
#include "sim/atoms.h"
#include "sim/box.h"

G_BEGIN_DECLS

typedef struct {
  size_t n;
  double *x;                 /* 3n wrapped positions (Å), in the order of the atoms given to the worker */
  gint64 *id;                /* n atom ids in that order (the engine may sort its atoms; ids do not move) */
  AmBox box;
  long long step;            /* MD steps since the worker started */
  double time;               /* simulated time (ps) */
  double temperature;        /* instantaneous kinetic temperature (K) */
  double target_temperature; /* thermostat target (K) */
  double pe_per_atom;        /* potential energy per atom (eV) */
  double steps_per_second;   /* measured over the last frame */
  gboolean running;          /* the worker is stepping on its own */
  size_t n_pinned;
  double *values;            /* n per-atom potential energies (eV), same order as x; NULL before setup */
  char *error;               /* non-NULL: the run stopped because of this */
  /* Free play. */
  double final_temperature;  /* where the thermostat target is ramping to (K) */
  double shear_amplitude;    /* ε_A now applied (0: no shear) */
  double shear_period;       /* t_p now applied (ps) */
  double strain;             /* γ now */
  guint8 *classes;           /* n AmAtomClass over the sliding window, same order as x; NULL before two samples */
  double class_fractions[3]; /* f_VA, f_RA, f_FA (valid with classes) */
  double window_span;        /* ps the sliding window covers now */
  double window_length;      /* ps it covers when full */
  size_t n_trace;            /* recent stress samples (the last three periods) */
  double *trace_t;           /* simulated time (ps) */
  double *trace_stress;      /* σ_xy (GPa) */
  double *trace_strain;      /* γ */
  gboolean have_fit;         /* the trace holds two whole periods of the current shear */
  AmDmsFit fit;              /* over those two periods, stress in GPa, t from fit_t0 */
  double fit_t0;             /* the shear's time origin (ps): fit times are t − fit_t0 */
} AmorphSnapshot;

AmorphSnapshot *amorph_snapshot_ref(AmorphSnapshot *snap);
void amorph_snapshot_unref(AmorphSnapshot *snap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AmorphSnapshot, amorph_snapshot_unref)

typedef struct AmorphWorker AmorphWorker;
/* Called on the main context of the thread that created the worker. */
typedef void (*AmorphSnapshotFunc)(AmorphSnapshot *snap, gpointer user_data);

typedef struct {
  const char *potential_path; /* setfl file, eam/fs or eam/alloy by its name's suffix */
  double temperature;         /* K */
  double timestep;            /* ps */
  uint64_t seed;              /* for initial velocities when the atoms have none */
  int steps_per_frame;        /* MD steps between snapshots while running */
  double shear_amplitude;     /* ε_A of the free-play shear (0: none); default 0.01, the paper's */
  double shear_period;        /* t_p (ps), a whole number of 20 steps; default 10 ps */
  int window_periods;         /* the sliding classification window, in periods; default 2 */
  double temperature_rate;    /* K/ps at which the thermostat target follows a new temperature; default 100 */
} AmorphWorkerConfig;

void amorph_worker_config_init(AmorphWorkerConfig *cfg);

/* Copies box, atoms and pins (n entries, nonzero = pinned; may be NULL) and starts the
 * thread, paused. Element names per type (may be NULL: the atoms' labels) bind the types
 * to the potential. Setup failures (potential missing, element unknown) arrive as a
 * snapshot with error set. */
AmorphWorker *amorph_worker_new(const AmBox *box, const AmAtoms *atoms, const uint8_t *pinned,
                                const char *const *element_names, const AmorphWorkerConfig *cfg,
                                AmorphSnapshotFunc func, gpointer user_data);
/* Stops the thread and waits for it (at most one frame); no callback runs afterwards. */
void amorph_worker_free(AmorphWorker *worker);

void amorph_worker_run(AmorphWorker *worker);
void amorph_worker_pause(AmorphWorker *worker);
/* One frame (steps_per_frame steps), then paused. */
void amorph_worker_step(AmorphWorker *worker);
/* The thermostat target ramps from where it is to this at cfg.temperature_rate. */
void amorph_worker_set_temperature(AmorphWorker *worker, double temperature);
/* New shear amplitude (≥ 0) and period (> 0 ps, rounded to whole 20-step multiples),
 * applied at the start of the next shear cycle (at once when there is no shear). A new
 * period restarts the sliding window, whose length is counted in periods. */
void amorph_worker_set_shear(AmorphWorker *worker, double amplitude, double period);
void amorph_worker_set_steps_per_frame(AmorphWorker *worker, int steps);
/* Pins or releases atom index (in the order given to amorph_worker_new). */
void amorph_worker_set_pinned(AmorphWorker *worker, size_t index, gboolean pinned);

G_END_DECLS
