/* scheduler_private.h: the scheduler's state, shared by the local pool (scheduler.c) and
 * the MPI backend (scheduler_mpi.c); nothing else includes it. */
#pragma once

#include "experiment/scheduler.h"

G_BEGIN_DECLS

typedef enum { JOB_WAITING, JOB_RUNNING, JOB_DONE, JOB_FAILED } JobState;

struct AmSchedulerJob {
  AmScheduler *owner;
  guint index;
  char *name;
  gint64 cost;
  AmSchedulerFunc func;
  gpointer data;
  GArray *deps;          /* guint */
  GPtrArray *records;    /* char*: file names in the record folder */
  JobState state;
  int worker;
  gboolean remote;       /* computed on another MPI rank */
  double remote_wall;    /* s, as that rank measured it */
  volatile gint64 steps;
  GError *error;
  gint64 start_us, end_us;
};

struct AmScheduler {
  int workers;
  GPtrArray *jobs;       /* AmSchedulerJob* */
  char *record_dir;
  GMutex lock;
  GCond changed;         /* a job finished or the pool should stop */
  volatile gint cancel;  /* the flag every job polls */
  gboolean stopping;     /* no new job starts */
  guint finished;        /* jobs done or failed */
  guint running;
};

/* The first real failure in job order (cancellations the pool caused are only echoes),
 * else cancel_error, else a cancelled job's error, else whether every job finished.
 * Takes cancel_error. */
gboolean am_scheduler_outcome_(AmScheduler *s, GError *cancel_error, GError **error);

#if AMORPH_HAVE_MPI
gboolean am_scheduler_run_mpi_(AmScheduler *s, AmProgress *progress, GError **error);
#endif

G_END_DECLS
