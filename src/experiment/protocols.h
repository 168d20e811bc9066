/* protocols.h: what every protocol gets (the run context), their entry points, and the
 * pieces they share: loading the system a config describes, starting velocities, the
 * integrator settings, thermo.csv rows, and turning engine errors into GErrors.
 *
 * A protocol reads only its own config sections, writes its files into ctx->output_dir
 * (atomically, listing them in the provenance), reports progress through ctx->progress,
 * and returns FALSE with an error when anything goes wrong. The schema of its keys is in
 * config.c; its runner is in the table of batch.c. */
#pragma once

#include <glib.h>

#include "experiment/config.h"
#include "experiment/progress.h"
#include "experiment/provenance.h"
#include "experiment/results.h"
#include "sim/data_file.h"
#include "sim/eam.h"
#include "sim/integrate.h"
#include "sim/lattice.h"
#include "sim/system.h"

G_BEGIN_DECLS

typedef struct {
  const AmConfig *config;
  const char *output_dir;
  int threads;               /* OpenMP threads the engine uses */
  AmProgress *progress;
  AmProvenance *provenance;
  gboolean resume;           /* --resume: reuse finished jobs' records in output_dir (dms-sweep, pinning) */
} AmRunContext;

typedef gboolean (*AmProtocolRunFunc)(AmRunContext *ctx, GError **error);

gboolean am_protocol_single_point(AmRunContext *ctx, GError **error);
gboolean am_protocol_md(AmRunContext *ctx, GError **error);
gboolean am_protocol_quench(AmRunContext *ctx, GError **error);
/* protocol_structure.c: per-atom structure (V, |Θ|, Q6, E, S, p), g(r), RA-vs-VA comparison. */
gboolean am_protocol_structure(AmRunContext *ctx, GError **error);

/* ---- Shared pieces (protocol_common.c) ---- */

#define AM_ENGINE_ERROR (am_engine_error_quark())
GQuark am_engine_error_quark(void);

/* Sets error from an engine error; the GError code is the AmStatus. */
void am_set_error_from_engine(GError **error, const AmError *err, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* The system of [system]: potential loaded, data file read, types bound to elements,
 * forces computed once (so pe, virial and f are current). */
typedef struct {
  AmEam *eam;
  AmSystem sys;
  AmDataInfo info;
  gboolean initialised;
} AmLoadedSystem;

gboolean am_protocol_load_system(AmRunContext *ctx, AmLoadedSystem *ls, GError **error);
/* The same with atoms from a random-species B2 lattice instead of [system] data: spec's
 * count, composition, lattice constant and seed are the caller's; its species, masses and
 * labels are filled from [system] elements and the potential. */
gboolean am_protocol_load_system_lattice(AmRunContext *ctx, AmLoadedSystem *ls, AmLatticeSpec *spec,
                                         GError **error);
void am_loaded_system_clear(AmLoadedSystem *ls);

/* ctx->output_dir/name (newly allocated). */
char *am_protocol_output_path(const AmRunContext *ctx, const char *name);

/* Starting velocities per the section's `velocities` and `seed` keys: from the data file,
 * or Maxwell–Boltzmann at temperature_K. Returns "file" or "created" in *how. */
gboolean am_protocol_init_velocities(AmRunContext *ctx, const char *section, AmLoadedSystem *ls,
                                     double temperature_K, const char **how, GError **error);

/* Integrator settings from the section's timestep/damping/chain/coupling keys. */
void am_protocol_integrator_config(const AmRunContext *ctx, const char *section, AmEnsemble ensemble,
                                   AmIntegratorConfig *icfg);

/* thermo.csv: step, time, temperature, energies, pressure tensor, volume, box. saved is
 * NULL for a new table, or a resumed run's copy of it (am_csv_copy). */
AmCsv *am_thermo_csv_open(AmRunContext *ctx, const char *name, const char *saved, gsize saved_len, GError **error);
gboolean am_thermo_csv_row(AmCsv *csv, const AmIntegrator *integ, const AmSystem *sys, GError **error);

/* A LAMMPS data file in the output folder, listed in the provenance. */
gboolean am_protocol_write_data(AmRunContext *ctx, const char *name, const AmSystem *sys,
                                const char *title, GError **error);

/* Wall and CPU time of a protocol's MD loop. On a shared machine the wall-clock rate
 * measures the other users; the rate per CPU second (times the thread count) is what a
 * core per thread gives. */
typedef struct {
  gint64 wall0_us;
  double cpu0;
  double wall_s, cpu_s; /* set by am_loop_timer_stop */
} AmLoopTimer;

void am_loop_timer_start(AmLoopTimer *t);
void am_loop_timer_stop(AmLoopTimer *t);
/* atom-steps per wall second, or 0 when nothing was timed. */
double am_loop_timer_atom_steps_per_second(const AmLoopTimer *t, gsize natoms, gint64 steps);
/* steps, threads, loop_seconds, atom_steps_per_second, steps_per_second, loop_cpu_seconds
 * and atom_steps_per_cpu_second as JSON members (rates null when nothing was timed). */
void am_protocol_add_timing_json(JsonBuilder *b, const AmRunContext *ctx, const AmLoopTimer *t, gsize natoms,
                                 gint64 steps);

/* Box and thermodynamic state of sys as JSON members (natoms, volume, box, energies,
 * temperature, pressure tensor). */
void am_protocol_add_state_json(JsonBuilder *b, const AmSystem *sys);

G_END_DECLS
