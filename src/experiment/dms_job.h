/* dms_job.h: one job of an MD-DMS sweep, and what it leaves behind.
 *
 * Two kinds of job (SCIENCE.md, MD-DMS):
 *   - equilibration at temperature T: NPT at T, P = 0 for t_eq, then the box fixed at the
 *     mean dimensions of the second half of the hold (atoms remapped affinely). Its output
 *     is the configuration every replica at T starts from;
 *   - replica r at T with a pin set: the equilibrated positions, Maxwell–Boltzmann momenta
 *     at T from the job's own RNG stream, NVT at T under γ(t) = ε_A sin(2πt/t_p) for
 *     `cycles` cycles. The stress σ_xy = −P_xy goes into the streaming sinusoid fit over the
 *     analysed cycles, the unwrapped and affine positions into the displacement tracker.
 *
 * A job is a pure function of its inputs (parameters, starting configuration, pin mask,
 * seed and stream) and runs on one thread (the caller sets the OpenMP thread count): that
 * is what makes a sweep's numbers independent of how many jobs run side by side.
 *
 * Results are stored in a binary record (jobs/<id>.bin) with a fingerprint of everything
 * that determined them and a CRC; a job's in-memory result is always the decoded record
 * (am_dms_job_result_roundtrip), so a resumed sweep folds exactly the same bits as an
 * uninterrupted one. */
#pragma once

#include <glib.h>

#include "analysis/displacement.h"
#include "analysis/dms_fit.h"
#include "analysis/trajectory.h"
#include "sim/system.h"

G_BEGIN_DECLS

/* The physics of a sweep, resolved from the config (units: ps, K, Å). */
typedef struct {
  double period;             /* t_p (ps) */
  double amplitude;          /* ε_A */
  int cycles;                /* loaded cycles */
  int analysed_cycles;       /* the last cycles that are fitted and tracked */
  double dt;                 /* timestep (ps) */
  double equilibration;      /* t_eq (ps) */
  double sample_interval;    /* displacement sampling Δ (ps) */
  int stress_interval;       /* steps between stress samples of the fit */
  double t_damp_steps;       /* thermostat period in timesteps */
  double p_damp_steps;       /* barostat period in timesteps */
  int chain;                 /* Nosé–Hoover chain length */
  guint64 seed;
  int trace_points_per_cycle;
  AmDisplacementParams disp; /* thresholds; timing is filled by am_dms_params_finish */
} AmDmsParams;

/* Fills the timing of params->disp from the other fields and checks that the times fit
 * the timestep grid; the message names [dms] keys. */
gboolean am_dms_params_finish(AmDmsParams *params, GError **error);
/* Steps in one period, in the whole loading, and in the equilibration. */
gint64 am_dms_params_steps_per_cycle(const AmDmsParams *params);
gint64 am_dms_params_replica_steps(const AmDmsParams *params);
gint64 am_dms_params_equilibration_steps(const AmDmsParams *params);

typedef enum {
  AM_DMS_JOB_EQUILIBRATE = 0,
  AM_DMS_JOB_REPLICA = 1,
} AmDmsJobKind;

typedef struct {
  AmDmsJobKind kind;
  char id[48];            /* file-name-safe, unique in the sweep: eq-t03, p1-t03-r007 */
  int tindex;             /* index in the sweep's temperature list (stream id) */
  double temperature;     /* K */
  int replica;            /* replica jobs */
  int pinset;             /* replica jobs */
  guint64 stream;         /* the RNG stream of the job's momenta */
  gboolean keep_trace;    /* record the stress trace (one replica per temperature) */
} AmDmsJobSpec;

/* Stream ids: disjoint for every (kind, pin set, temperature, replica), so no two jobs ever
 * draw the same numbers. */
guint64 am_dms_stream_equilibrate(int tindex);
guint64 am_dms_stream_replica(int pinset, int tindex, int replica);
guint64 am_dms_stream_pin_selection(int pinset);

/* Stress σ_xy (bar) against time and strain, for Fig. 1. */
typedef struct {
  gsize n;
  double *t;          /* ps from the start of loading */
  double *strain;     /* γ */
  double *stress;     /* σ_xy (bar) */
} AmDmsTrace;

typedef struct {
  AmDmsFit fit;                /* bar, over the analysed cycles */
  double mean_temperature;     /* K, over the analysed cycles */
  guint64 n_va, n_ra, n_fa;    /* class counts from u′_max of this run; n_ra is this run's N_RA */
  guint64 n_selected;          /* atoms with events in more than the selected fraction of its cycles */
  double f_va, f_ra, f_fa;
  double f_jump;               /* f(u > u_c) */
  AmDisplacementCounts counts; /* per-atom reversible events, p(u), p(u′) */
  float *uprime_max;           /* n, Å (single precision: a class boundary needs no more) */
  AmDmsTrace trace;            /* empty unless the job kept it */
  /* Not stored in the record (timings belong in the manifest): */
  double wall_s;
  gint64 steps;
} AmDmsJobResult;

void am_dms_job_result_clear(AmDmsJobResult *res);

/* ---- The GUI's window into a running job ---- */

/* Handed to the watcher every sample interval, on the worker thread that runs the job.
 * Everything points into the job's memory and is valid only during the call: copy what
 * you keep (the GUI copies into an immutable snapshot and posts it to its main loop). */
typedef struct {
  const AmDmsJobSpec *job;
  double time;                 /* ps since the start of loading */
  double strain;               /* γ */
  double stress;               /* σ_xy (bar) */
  int cycle;                   /* 0-based cycle being loaded */
  int cycles;
  const AmBox *box;
  gsize n;
  const double *x;             /* wrapped positions, 3n */
  const gint32 *type;          /* 0-based types */
  const guint8 *pinned;
  const guint8 *cls;           /* AmAtomClass from u′_max so far (all VA before the window) */
  const AmDmsTrace *trace;     /* stress series so far (kept for the watched job) */
  const int64_t *id;           /* atom ids: the job's order need not be the file's */
  /* The analysed window, NULL until its first sample: u′_max so far (Å, n), and what the
   * non-affine displacement since t_s is made of, u′ = (x_unwrapped − affine) − q_start
   * (3n each). */
  const double *uprime_max;
  const double *x_unwrapped;
  const double *affine;
  const double *q_start;
} AmDmsSnapshot;

typedef void (*AmDmsWatchFunc)(const AmDmsSnapshot *snapshot, gpointer user_data);

/* How a job talks to whoever runs it: cancellation, progress, the watcher. All may be
 * NULL. */
typedef struct {
  volatile gint *cancel;       /* non-zero: stop at the next check (G_IO_ERROR_CANCELLED) */
  volatile gint *pause;        /* non-zero: wait at the next check until it is zero again or
                                  cancel is set (the GUI's ⏸; the numbers do not change) */
  volatile gint64 *steps_done; /* updated every few dozen steps */
  AmDmsWatchFunc watch;
  gpointer watch_data;
  /* Records the chosen atoms' XY heatmaps and u′(t), fed every sample of the analysed
   * window (its first frame is the window's start, as for u′). May be NULL. */
  AmTrajectory *trajectory;
} AmDmsJobControl;

/* ---- Running ---- */

/* Equilibration: out receives a copy of base after the hold, with the box fixed at the
 * mean dimensions, velocities of the last step, affine displacements zero, time and step
 * zero. mean_box gets (lx, ly, lz) averaged over the second half. */
gboolean am_dms_equilibrate(const AmSystem *base, const AmDmsParams *params, const AmDmsJobSpec *job,
                            const AmDmsJobControl *ctl, AmSystem *out, double mean_box[3], GError **error);

/* One replica from the equilibrated configuration start (not modified). pinned (n, may
 * be NULL) marks the atoms that keep their fractional coordinates. res must be zeroed. */
gboolean am_dms_replica_run(const AmSystem *start, const guint8 *pinned, const AmDmsParams *params,
                            const AmDmsJobSpec *job, const AmDmsJobControl *ctl, AmDmsJobResult *res,
                            GError **error);

/* ---- The stored record ---- */

/* The record of a result: fingerprint (64 hex digits) and everything above except the
 * timings, closed by a CRC-32C. */
GBytes *am_dms_job_result_encode(const AmDmsJobResult *res, const char *fingerprint);
/* Decodes a record of a run with natoms atoms; res must be zeroed. fingerprint (65 bytes)
 * receives the stored fingerprint. name is used in messages. */
gboolean am_dms_job_result_decode(const void *data, gsize len, const char *name, gsize natoms,
                                  AmDmsJobResult *res, char fingerprint[65], GError **error);
/* Replaces res by decode(encode(res)) (timings kept), so that what a sweep folds is what
 * a resumed sweep would read back. */
gboolean am_dms_job_result_roundtrip(AmDmsJobResult *res, GError **error);

G_END_DECLS
