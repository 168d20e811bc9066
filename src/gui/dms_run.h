/* dms_run.h: an MD-DMS sweep (or pinning experiment) running behind the window.
 *
 * The GUI does not run its own version of the protocol: this is experiment/dms_sweep on a
 * thread of its own, with three windows into it. The watched job ([dms] watch_*) hands its
 * positions, classes and stress series to the watcher; progress events give steps, rate
 * and ETA; and each finished replica of each pin set is handed over (job_done of
 * dms_sweep.h) with its G″, classes and p(u′), so G″(T) of every pin set fills in as
 * temperatures finish, long before the sweep folds. All three reach
 * the main loop as immutable snapshots, coalesced exactly as in worker.c: at most one idle
 * callback pending, delivering the newest. */
#pragma once

#include <glib.h>

#include "experiment/dms_sweep.h"
#include "sim/box.h"

G_BEGIN_DECLS

/* G″ of one temperature of one pin set from its replicas finished so far (GPa). */
typedef struct {
  int pinset;                  /* index into AmorphDmsSnapshot.sets */
  double temperature;
  int replicas;
  double loss, loss_sem;       /* sem 0 with one replica */
  double storage;
} AmorphDmsLivePoint;

/* What the finished replicas of one pin set give at one temperature so far: the numbers
 * behind p(u′), the class fractions, N_RA against G″ and the heatmap, before the sweep
 * folds (means ± standard errors over the replicas finished; sem NaN with one). */
typedef struct {
  int pinset;                  /* index into AmorphDmsSnapshot.sets */
  double temperature;          /* K */
  int replicas;
  double f_va, f_ra, f_fa, f_va_sem, f_ra_sem, f_fa_sem;
  double n_ra, n_ra_sem;       /* RA class count per run */
  double loss, loss_sem;       /* G″ (GPa) from the same replicas */
  gsize n_bins;                /* p(u′): density (1/Å) on bins of bin_width from bin_lo */
  double bin_lo, bin_width;
  double *p_uprime;
  /* XY heatmap (1/Å², row-major, iy = 0 at y0) of the most reversible atom of replica 0,
   * once its trajectory rerun finished (the first pin set only); nx = 0 before. */
  gsize nx, ny;
  double x0, x1, y0, y1;
  double *heatmap;
  gint64 heatmap_id;
} AmorphDmsLiveTemp;

/* Immutable once published and shared between snapshots (refcounted): a new one replaces
 * it when a job finishes. By pin set, then temperature ascending. */
typedef struct {
  gsize n;
  AmorphDmsLiveTemp *temps;
  guint jobs_folded;           /* replicas and trajectory reruns counted in */
} AmorphDmsLive;

/* A pin set of the run, as the results will have it (a pinning run has three). */
#define AMORPH_DMS_MAX_SETS 4
typedef struct {
  char name[16];               /* "none", "ids", "ra", "va" */
  AmPinKind kind;
  gint64 n_pinned;             /* -1 until chosen from results (its first replica's end) */
} AmorphDmsSet;

typedef struct {
  /* The pin sets (fixed for the run). */
  guint n_sets;
  AmorphDmsSet sets[AMORPH_DMS_MAX_SETS];
  guint watch_set;             /* the watched job's set ([dms] watch_pin_set), the one with a stress trace */
  /* The watched job (n = 0 until its first sample). */
  double watch_temperature;    /* K */
  int watch_replica;
  int cycle, cycles;
  double time;                 /* ps since the start of loading */
  gsize n;
  double *x;                   /* 3n wrapped positions */
  gint32 *type;
  guint8 *cls;                 /* AmAtomClass */
  guint8 *pinned;
  gint64 *id;                  /* n atom ids, the order of x (the job's, not the file's) */
  /* The analysed window (NULL before its first sample): u′_max so far (Å, n) and each
   * atom's non-affine displacement since t_s (Å, 3n), whose largest length is u′_max. */
  double *uprime_max;
  float *uprime_vec;
  AmBox box;
  gsize n_trace;
  double *trace_t;             /* ps */
  double *trace_stress;        /* σ_xy (GPa) */
  double period;               /* t_p (ps) */
  /* Progress of the whole sweep. */
  gint64 done, total;
  double steps_per_s, eta_s;    /* over recent running time, paused time left out (AmStepRate) */
  char *status;                /* "T 301.2 K" and the like; may be NULL */
  gboolean paused;             /* the jobs hold at their next check (amorph_dms_run_set_paused) */
  guint jobs_total;
  /* Finished replicas of every pin set, by set, then temperature (ascending). */
  gsize n_points;
  AmorphDmsLivePoint *points;
  /* Finished replicas' distributions and classes (NULL before the first). */
  AmorphDmsLive *live;
  /* The end: finished TRUE; error set when it failed or was cancelled. */
  gboolean finished;
  gboolean cancelled;
  char *error;
  /* A finished sweep's output folder holding what `amorph --batch` writes (results CSV and
   * JSON, figures/, jobs/, config.ini, manifest.json); NULL until then, or with
   * write_error when writing failed. */
  char *results_dir;
  char *write_error;
} AmorphDmsSnapshot;

AmorphDmsSnapshot *amorph_dms_snapshot_ref(AmorphDmsSnapshot *snap);
void amorph_dms_snapshot_unref(AmorphDmsSnapshot *snap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AmorphDmsSnapshot, amorph_dms_snapshot_unref)

typedef struct AmorphDmsRun AmorphDmsRun;
typedef void (*AmorphDmsFunc)(AmorphDmsSnapshot *snap, gpointer user_data);

/* Loads preset_path with the overrides (the sample goes in as system.data=…; may be NULL)
 * and checks its settings; on success starts the sweep on its own thread, writing job
 * records to output_dir. The thread reads the sample, potential and pin files (tens of ms,
 * kept out of the main loop): what fails there arrives as a finished snapshot with error.
 * func runs on the creating thread's main context. workers ≤ 0: the scheduler's default. */
AmorphDmsRun *amorph_dms_run_new(const char *preset_path, const char *const *overrides, const char *output_dir,
                                 int workers, AmorphDmsFunc func, gpointer user_data, GError **error);
/* Holds every job at its next check (a few dozen steps), or lets them go on; the next
 * snapshot says so. Stop still works while paused. */
void amorph_dms_run_set_paused(AmorphDmsRun *run, gboolean paused);
gboolean amorph_dms_run_get_paused(AmorphDmsRun *run);
/* Asks the sweep to stop (the last snapshot then says cancelled). */
void amorph_dms_run_cancel(AmorphDmsRun *run);
/* Cancels, waits for the thread, and frees; no callback runs afterwards. */
void amorph_dms_run_free(AmorphDmsRun *run);
/* The output folder (job records, then the results). */
const char *amorph_dms_run_get_output_dir(AmorphDmsRun *run);
/* The folded results once a snapshot said finished without error; else NULL. Valid until
 * the run is freed. */
const AmDmsSweepResults *amorph_dms_run_results(AmorphDmsRun *run);

G_END_DECLS
