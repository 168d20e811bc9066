/* scheduler.h: runs a set of jobs with dependencies on a local pool of worker threads.
 *
 * Each worker runs one job at a time on one OpenMP thread, so N workers use N cores and a
 * job's numbers never depend on N: a job is a pure function of its inputs, and whatever
 * combines results does so in job order after the pool is done, never in completion
 * order. Workers take the lowest-numbered job whose dependencies are finished.
 *
 * The calling thread only supervises: it sums the steps the running jobs report, posts
 * progress events with an ETA (progress.h is not thread-safe, so only this thread touches
 * it), and turns a cancellation request into the flag the jobs poll. The first failure
 * stops the pool: running jobs are cancelled, nothing new starts, and the error of the
 * lowest-numbered failed job is returned.
 *
 * What a job needs from its runner is small (its data, a cancel flag, a step counter),
 * so the MPI backend (scheduler_mpi.c) hands the same jobs to ranks: jobs write their
 * results to record files of their own, named with am_scheduler_add_record, and the
 * dependency graph is explicit. Rank 0 ships a job's dependencies' records to the rank
 * that runs it and gets the job's records back; see am_scheduler_distributed. */
#pragma once

#include <glib.h>

#include "experiment/progress.h"

G_BEGIN_DECLS

typedef struct AmScheduler AmScheduler;
typedef struct AmSchedulerJob AmSchedulerJob;

/* A job's body; runs on a worker thread. Fails with an error, or with
 * G_IO_ERROR_CANCELLED when am_scheduler_job_cancelled says so. */
typedef gboolean (*AmSchedulerFunc)(AmSchedulerJob *job, gpointer data, GError **error);

/* workers ≥ 1. */
AmScheduler *am_scheduler_new(int workers);
void am_scheduler_free(AmScheduler *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AmScheduler, am_scheduler_free)

/* Adds a job and returns its number (0, 1, …). cost is its size in MD steps (for the
 * progress total and ETA; 0 for bookkeeping jobs or jobs that will only reload a result).
 * name appears in status lines and errors. */
guint am_scheduler_add(AmScheduler *s, const char *name, gint64 cost, AmSchedulerFunc func, gpointer data);
/* job waits for on (added earlier: the graph stays acyclic by construction). */
void am_scheduler_depend(AmScheduler *s, guint job, guint on);
guint am_scheduler_job_count(const AmScheduler *s);

/* Runs every job. progress may be NULL; with it, BEGIN/UPDATE events are posted and its
 * cancellation request is honoured. */
gboolean am_scheduler_run(AmScheduler *s, AmProgress *progress, GError **error);

/* For job bodies: where to report steps done (updated atomically), and the cancel flag. */
volatile gint64 *am_scheduler_job_steps(AmSchedulerJob *job);
volatile gint *am_scheduler_job_cancel_flag(AmSchedulerJob *job);
gboolean am_scheduler_job_cancelled(AmSchedulerJob *job);
/* The job's number and the worker (0-based) running it. */
guint am_scheduler_job_index(const AmSchedulerJob *job);
int am_scheduler_job_worker(const AmSchedulerJob *job);

/* Wall time of a finished job (s), 0 when it did not run. */
double am_scheduler_job_wall(const AmScheduler *s, guint job);

/* The folder the jobs' record files live in, and the files a job leaves there (plain
 * names). Only the MPI backend reads these. */
void am_scheduler_set_record_dir(AmScheduler *s, const char *dir);
void am_scheduler_add_record(AmScheduler *s, guint job, const char *name);
/* Whether the job was computed on another MPI rank (then am_scheduler_job_wall is that
 * rank's time). */
gboolean am_scheduler_job_remote(const AmScheduler *s, guint job);

/* TRUE on rank 0 of a run over several MPI ranks (never without MPI, never in the GUI).
 * am_scheduler_run then coordinates: jobs of cost 0 (bookkeeping, or reloading a record)
 * run here; the others go to the other ranks, one at a time, lowest-numbered ready job
 * first, with the records of their dependencies. When a job's records come back, they are
 * written atomically into the record folder and the job's function runs here once more: it
 * must then load the records instead of computing (as when resuming). */
gboolean am_scheduler_distributed(void);
/* On the other ranks: builds nothing, runs what rank 0 sends (each job with threads
 * OpenMP threads, its dependencies first by loading the records shipped with it) until
 * rank 0 says stop. The record folder must be private to this rank. */
gboolean am_scheduler_serve(AmScheduler *s, int threads, GError **error);

/* Workers for a sweep: requested > 0 wins, else OMP_NUM_THREADS when set, else the
 * number of cores. */
int am_scheduler_default_workers(int requested);

G_END_DECLS
