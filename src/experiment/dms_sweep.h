/* dms_sweep.h: the MD-DMS experiment of SCIENCE.md: a temperature sweep of
 * isoconfigurational replicas, optionally with pinned atoms, and the pinning experiment
 * (the same sweep unpinned, with the selected RAs pinned, and with as many random VAs
 * pinned). Protocols `dms-sweep` and `pinning`.
 *
 * A sweep expands its config into jobs (dms_job.h): one equilibration per temperature,
 * then replicas × temperatures × pin sets depending on it; pin sets chosen from a sweep's
 * own results (selected RAs, random VAs) depend on a selection job, which depends on the
 * unpinned replicas at the selection temperature. The scheduler (scheduler.h) runs them;
 * each finished job leaves its record in OUTPUT/jobs/, so `--resume` reruns only what is
 * missing and folds exactly the same numbers.
 *
 * The folded results are plain C structs, read by the figure code and the GUI without
 * parsing files; results.json and the CSVs are written from the same structs. Moduli and
 * stresses are in GPa here (the job records keep bar). */
#pragma once

#include <glib.h>

#include "analysis/displacement.h"
#include "analysis/stats.h"
#include "experiment/config.h"
#include "experiment/dms_job.h"
#include "experiment/progress.h"
#include "experiment/protocols.h"
#include "experiment/provenance.h"

G_BEGIN_DECLS

typedef enum {
  AM_PIN_NONE = 0,   /* nothing pinned */
  AM_PIN_IDS,        /* atom ids from a file */
  AM_PIN_AUTO_RA,    /* the N atoms with most reversible events at the selection temperature */
  AM_PIN_RANDOM_VA,  /* N random atoms that stayed vibrational in every selection replica */
} AmPinKind;

/* One temperature of one pin set, folded over its replicas (mean ± standard error). */
typedef struct {
  double temperature;            /* K */
  gsize replicas;
  AmMeanSem storage;             /* G′ (GPa) */
  AmMeanSem loss;                /* G″ (GPa) */
  AmMeanSem amplitude;           /* σ_A (GPa) */
  AmMeanSem phase;               /* δ (rad) */
  AmMeanSem sigma0;              /* σ_0 (GPa) */
  AmMeanSem residual;            /* rms fit residual (GPa) */
  AmMeanSem measured_temperature;/* K, over the analysed cycles */
  AmMeanSem f_va, f_ra, f_fa;    /* class fractions */
  AmMeanSem n_ra;                /* N_RA: RA class count per run */
  AmMeanSem f_jump;              /* f(u > u_c) */
  AmDisplacementCounts counts;   /* summed over replicas: events per atom, p(u), p(u′) histograms */
  double *p_u;                   /* density (1/Å) on counts.p_u's bins */
  double *p_uprime;              /* density (1/Å) on counts.p_uprime's bins */
  /* Selected RAs: events in more than the selected fraction of all analysed cycles of
   * all replicas; ids ascending, with their event counts. */
  gsize n_selected;
  gint64 *selected_ids;
  guint32 *selected_events;
  double selected_cu_fraction;   /* of the selected RAs, the fraction of type "Cu" (NaN if none) */
  const AmDmsTrace *trace;       /* replica 0's stress trace (bar) */
  const AmDmsFit *trace_fit;     /* replica 0's fit (bar), to draw over the trace */
  const AmDmsJobResult *const *replica; /* per replica, in replica order */
  /* Trajectories of a few atoms in replica 0 (first pin set, [dms] trajectories; else
   * n_traj = 0): roles "ra" (most reversible events at this T), "ra_ref" (most at the
   * selection temperature: the same atom at every T, Fig. 6), "va" and "fa" (smallest and
   * largest u′_max of replica 0, Fig. 4a). Atom s of the recorder is traj_id[s]. */
  gsize n_traj;
  const char *traj_role[4];
  gint64 traj_id[4];
  const AmTrajectory *trajectory;
} AmDmsPoint;

typedef struct {
  char name[16];                 /* "none", "ids", "ra", "va" */
  AmPinKind kind;
  gsize n_pinned;
  gint64 *pinned_ids;            /* ascending */
  gsize n_points;
  AmDmsPoint *points;            /* in the config's temperature order */
  double corr_nra_loss;          /* Pearson r of N_RA(T) and G″(T) over temperatures (NaN if < 3) */
  double corr_fjump_loss;        /* of f(u > u_c)(T) and G″(T) */
} AmDmsPinSetResults;

typedef struct {
  const char *protocol;          /* "dms-sweep" or "pinning" */
  gsize natoms;
  int ntypes;
  const char *type_label[8];
  AmDmsParams params;
  gsize n_sets;
  AmDmsPinSetResults *sets;
  double selection_temperature;  /* K; NaN when no set was selected from results */
} AmDmsSweepResults;

typedef struct AmDmsSweep AmDmsSweep;

/* A job that finished (or was read back when resuming), for whoever shows results as
 * they arrive (the GUI's live plots). Everything points into the sweep and is valid only
 * during the call: copy what you keep. */
typedef struct {
  const AmDmsJobSpec *job;
  int pinset;                       /* index of the pin set (0: the first, unpinned in pinning), as in
                                       the results; ≥ am_dms_sweep_n_pin_sets: a hidden run that
                                       only chooses another set's atoms */
  const AmDmsJobResult *result;     /* a replica's result; NULL for a trajectory rerun */
  gint64 n_pinned;                  /* atoms the job's set pins (a set chosen from results has been
                                       chosen before its replicas run) */
  /* A trajectory rerun of replica 0 (NULL otherwise): recorded atom s has role
   * traj_role[s] ("ra", "ra_ref", "va", "fa") and id traj_id[s]. */
  const AmTrajectory *trajectory;
  gsize n_traj;
  const char *const *traj_role;
  const gint64 *traj_id;
} AmDmsJobDone;

typedef void (*AmDmsJobDoneFunc)(const AmDmsJobDone *done, gpointer user_data);

typedef struct {
  const char *output_dir;        /* where jobs/ and the result files go */
  gboolean resume;               /* reuse finished jobs' records in output_dir/jobs */
  int workers;                   /* ≤ 0: am_scheduler_default_workers */
  AmProgress *progress;          /* may be NULL */
  AmProvenance *provenance;      /* may be NULL */
  AmDmsWatchFunc watch;          /* called from the watched job ([dms] watch_*) */
  gpointer watch_data;
  volatile gint *pause;          /* may be NULL; non-zero holds every job at its next check */
  AmDmsJobDoneFunc job_done;     /* may be NULL; called on the job's thread after each replica and
                                    trajectory rerun */
  gpointer job_done_data;
} AmDmsRunOptions;

/* Reads and checks the config (protocol dms-sweep or pinning), loads the sample and the
 * potential. Config errors name the keys and the config file. */
AmDmsSweep *am_dms_sweep_new(const AmConfig *cfg, AmProvenance *provenance, GError **error);
void am_dms_sweep_free(AmDmsSweep *sw);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AmDmsSweep, am_dms_sweep_free)

/* Only the config checks of am_dms_sweep_new (no files read): for the GUI's settings
 * panel and for tests. */
gboolean am_dms_sweep_check_config(const AmConfig *cfg, GError **error);

/* What a pin set is before the run, for whoever shows results as they arrive. */
typedef struct {
  const char *name;              /* "none", "ids", "ra", "va"; valid until the sweep is freed */
  AmPinKind kind;
  gint64 n_pinned;               /* atoms pinned when known before the run (a file of ids, or as
                                    many as one), else -1 (chosen from results) */
} AmDmsPinSetInfo;

/* The pin sets the results will have, in their order (hidden selection runs not counted). */
guint am_dms_sweep_n_pin_sets(const AmDmsSweep *sw);
/* FALSE for set ≥ am_dms_sweep_n_pin_sets. */
gboolean am_dms_sweep_pin_set_info(const AmDmsSweep *sw, guint set, AmDmsPinSetInfo *info);

/* The jobs the sweep will run (after am_dms_sweep_new): counts and MD steps. */
guint am_dms_sweep_job_count(const AmDmsSweep *sw);
gint64 am_dms_sweep_total_steps(const AmDmsSweep *sw);

/* Runs (or resumes) every job and folds the results. */
gboolean am_dms_sweep_run(AmDmsSweep *sw, const AmDmsRunOptions *opt, GError **error);
/* Runs only the first max_jobs jobs in job order (and writes their records), then stops
 * without folding: a controlled interruption for resume tests. */
gboolean am_dms_sweep_run_partial(AmDmsSweep *sw, const AmDmsRunOptions *opt, guint max_jobs, GError **error);

/* On an MPI worker rank (scheduler.h, am_scheduler_serve): runs the jobs rank 0 sends,
 * with threads OpenMP threads each, keeping records in scratch_dir (private to this rank),
 * until rank 0 says stop. Writes no result file. */
gboolean am_dms_sweep_serve(AmDmsSweep *sw, const char *scratch_dir, int threads, GError **error);

/* The folded results, valid after a successful am_dms_sweep_run until the sweep is freed. */
const AmDmsSweepResults *am_dms_sweep_results(const AmDmsSweep *sw);

/* The sample's atoms as the sweep holds them (the order of every per-atom index in the
 * results, e.g. a trajectory recorder's atoms), valid until the sweep is freed. */
const AmAtoms *am_dms_sweep_atoms(const AmDmsSweep *sw);

/* results.json, moduli.csv, replicas.csv, classes.csv, n_ra.csv, p_u.csv, p_uprime.csv,
 * stress_trace.csv, selected_ras.csv, pinned.csv, heatmaps.csv, uprime_series.csv,
 * p_uprime_selected_ras.csv in dir (listed in the provenance when given). No timings:
 * those go to the manifest. */
gboolean am_dms_sweep_write(const AmDmsSweep *sw, const char *dir, AmProvenance *provenance, GError **error);

/* Wall time summed over the jobs that ran in this process (s) and MD steps per second of
 * one job on one core (averaged over the replica jobs that ran; 0 if none). */
double am_dms_sweep_job_seconds(const AmDmsSweep *sw);
double am_dms_sweep_steps_per_second(const AmDmsSweep *sw);

/* The protocols' runners for batch.c. */
gboolean am_protocol_dms_sweep(AmRunContext *ctx, GError **error);
gboolean am_protocol_pinning(AmRunContext *ctx, GError **error);

G_END_DECLS
