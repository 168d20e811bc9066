/* scheduler.c: the local worker pool (see scheduler.h). */
#include "experiment/scheduler.h"

#include "amorph-config.h"
#include "experiment/scheduler_private.h"

#include <gio/gio.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

AmScheduler *am_scheduler_new(int workers)
{
  AmScheduler *s = g_new0(AmScheduler, 1);
  s->workers = MAX(1, workers);
  s->jobs = g_ptr_array_new();
  g_mutex_init(&s->lock);
  g_cond_init(&s->changed);
  return s;
}

void am_scheduler_free(AmScheduler *s)
{
  if (!s)
    return;
  for (guint i = 0; i < s->jobs->len; i++) {
    AmSchedulerJob *j = s->jobs->pdata[i];
    g_free(j->name);
    g_array_unref(j->deps);
    g_ptr_array_unref(j->records);
    g_clear_error(&j->error);
    g_free(j);
  }
  g_ptr_array_unref(s->jobs);
  g_free(s->record_dir);
  g_mutex_clear(&s->lock);
  g_cond_clear(&s->changed);
  g_free(s);
}

guint am_scheduler_add(AmScheduler *s, const char *name, gint64 cost, AmSchedulerFunc func, gpointer data)
{
  AmSchedulerJob *j = g_new0(AmSchedulerJob, 1);
  j->owner = s;
  j->index = s->jobs->len;
  j->name = g_strdup(name);
  j->cost = MAX(0, cost);
  j->func = func;
  j->data = data;
  j->deps = g_array_new(FALSE, FALSE, sizeof(guint));
  j->records = g_ptr_array_new_with_free_func(g_free);
  j->worker = -1;
  g_ptr_array_add(s->jobs, j);
  return j->index;
}

void am_scheduler_depend(AmScheduler *s, guint job, guint on)
{
  g_return_if_fail(job < s->jobs->len && on < job);
  AmSchedulerJob *j = s->jobs->pdata[job];
  g_array_append_val(j->deps, on);
}

guint am_scheduler_job_count(const AmScheduler *s)
{
  return s->jobs->len;
}

volatile gint64 *am_scheduler_job_steps(AmSchedulerJob *job)
{
  return &job->steps;
}

volatile gint *am_scheduler_job_cancel_flag(AmSchedulerJob *job)
{
  return &job->owner->cancel;
}

gboolean am_scheduler_job_cancelled(AmSchedulerJob *job)
{
  return g_atomic_int_get(&job->owner->cancel) != 0;
}

guint am_scheduler_job_index(const AmSchedulerJob *job)
{
  return job->index;
}

int am_scheduler_job_worker(const AmSchedulerJob *job)
{
  return job->worker;
}

double am_scheduler_job_wall(const AmScheduler *s, guint job)
{
  const AmSchedulerJob *j = s->jobs->pdata[job];
  if (j->remote)
    return j->remote_wall;
  return j->end_us > j->start_us ? (double) (j->end_us - j->start_us) * 1e-6 : 0.0;
}

void am_scheduler_set_record_dir(AmScheduler *s, const char *dir)
{
  g_free(s->record_dir);
  s->record_dir = g_strdup(dir);
}

void am_scheduler_add_record(AmScheduler *s, guint job, const char *name)
{
  g_return_if_fail(job < s->jobs->len && name && !strchr(name, '/'));
  AmSchedulerJob *j = s->jobs->pdata[job];
  g_ptr_array_add(j->records, g_strdup(name));
}

gboolean am_scheduler_job_remote(const AmScheduler *s, guint job)
{
  return ((const AmSchedulerJob *) s->jobs->pdata[job])->remote;
}

int am_scheduler_default_workers(int requested)
{
  if (requested > 0)
    return requested;
  const char *env = g_getenv("OMP_NUM_THREADS");
  if (env) {
    char *end = NULL;
    long v = strtol(env, &end, 10);
    if (end != env && v > 0 && v < 4096)
      return (int) v;
  }
  return MAX(1, (int) g_get_num_processors());
}

/* Under the lock: the lowest-numbered waiting job whose dependencies are done. */
static AmSchedulerJob *next_ready(AmScheduler *s)
{
  for (guint i = 0; i < s->jobs->len; i++) {
    AmSchedulerJob *j = s->jobs->pdata[i];
    if (j->state != JOB_WAITING)
      continue;
    gboolean ready = TRUE;
    for (guint d = 0; d < j->deps->len && ready; d++) {
      const AmSchedulerJob *dep = s->jobs->pdata[g_array_index(j->deps, guint, d)];
      ready = dep->state == JOB_DONE;
    }
    if (ready)
      return j;
  }
  return NULL;
}

typedef struct {
  AmScheduler *s;
  int worker;
} WorkerArg;

static gpointer worker_main(gpointer p)
{
  WorkerArg *arg = p;
  AmScheduler *s = arg->s;
  /* One job, one core: the engine's parallel loops run on this thread alone. */
  omp_set_num_threads(1);
  g_mutex_lock(&s->lock);
  for (;;) {
    if (s->stopping || s->finished == s->jobs->len)
      break;
    AmSchedulerJob *j = next_ready(s);
    if (!j) {
      /* Nothing runnable: either others are running jobs we depend on, or the graph is
       * stuck behind a failure (then stopping is set). */
      if (s->running == 0) {
        s->stopping = TRUE;
        g_cond_broadcast(&s->changed);
        break;
      }
      g_cond_wait(&s->changed, &s->lock);
      continue;
    }
    j->state = JOB_RUNNING;
    j->worker = arg->worker;
    j->start_us = g_get_monotonic_time();
    s->running++;
    g_mutex_unlock(&s->lock);

    GError *error = NULL;
    gboolean ok = j->func(j, j->data, &error);
    if (!ok && !error)
      g_set_error(&error, G_IO_ERROR, G_IO_ERROR_FAILED, "job %s failed without a reason", j->name);

    g_mutex_lock(&s->lock);
    j->end_us = g_get_monotonic_time();
    j->state = ok ? JOB_DONE : JOB_FAILED;
    j->error = error;
    s->running--;
    s->finished++;
    if (!ok) {
      s->stopping = TRUE;
      g_atomic_int_set(&s->cancel, 1);
    }
    g_cond_broadcast(&s->changed);
  }
  g_mutex_unlock(&s->lock);
  g_free(arg);
  return NULL;
}

gboolean am_scheduler_run(AmScheduler *s, AmProgress *progress, GError **error)
{
#if AMORPH_HAVE_MPI
  if (am_scheduler_distributed())
    return am_scheduler_run_mpi_(s, progress, error);
#endif
  gint64 total = 0;
  for (guint i = 0; i < s->jobs->len; i++)
    total += ((AmSchedulerJob *) s->jobs->pdata[i])->cost;
  if (progress)
    am_progress_begin(progress, MAX(total, 1), 1);

  s->stopping = FALSE;
  s->finished = 0;
  s->running = 0;
  g_atomic_int_set(&s->cancel, 0);
  const int nworkers = (int) MIN((guint) s->workers, MAX(1u, s->jobs->len));
  GThread **threads = g_new0(GThread *, nworkers);
  for (int w = 0; w < nworkers; w++) {
    WorkerArg *arg = g_new(WorkerArg, 1);
    arg->s = s;
    arg->worker = w;
    char name[32];
    g_snprintf(name, sizeof name, "amorph-job-%d", w);
    threads[w] = g_thread_new(name, worker_main, arg);
  }

  GError *cancel_error = NULL;
  g_mutex_lock(&s->lock);
  while (s->finished < s->jobs->len && !(s->stopping && s->running == 0)) {
    gint64 until = g_get_monotonic_time() + 200 * G_TIME_SPAN_MILLISECOND;
    g_cond_wait_until(&s->changed, &s->lock, until);
    /* Progress: finished jobs count their full cost, running ones what they report. */
    gint64 done = 0;
    GString *status = g_string_new(NULL);
    for (guint i = 0; i < s->jobs->len; i++) {
      AmSchedulerJob *j = s->jobs->pdata[i];
      if (j->state == JOB_DONE) {
        done += j->cost;
      } else if (j->state == JOB_RUNNING) {
        done += MIN(j->cost, __atomic_load_n(&j->steps, __ATOMIC_RELAXED));
        g_string_append_printf(status, "%s%s", status->len ? " " : "", j->name);
      }
    }
    g_autofree char *prefix = g_strdup_printf("jobs %u/%u · ", s->finished, s->jobs->len);
    g_string_prepend(status, prefix);
    g_mutex_unlock(&s->lock);
    if (progress) {
      am_progress_update(progress, done, status->str);
      if (!cancel_error && am_progress_check_cancelled(progress, &cancel_error)) {
        g_mutex_lock(&s->lock);
        s->stopping = TRUE;
        g_atomic_int_set(&s->cancel, 1);
        g_cond_broadcast(&s->changed);
        g_mutex_unlock(&s->lock);
      }
    }
    g_string_free(status, TRUE);
    g_mutex_lock(&s->lock);
  }
  g_mutex_unlock(&s->lock);
  for (int w = 0; w < nworkers; w++)
    g_thread_join(threads[w]);
  g_free(threads);

  if (!am_scheduler_outcome_(s, cancel_error, error))
    return FALSE;
  if (progress)
    am_progress_update(progress, MAX(total, 1), NULL);
  return TRUE;
}

gboolean am_scheduler_outcome_(AmScheduler *s, GError *cancel_error, GError **error)
{
  const AmSchedulerJob *failed = NULL, *cancelled = NULL;
  for (guint i = 0; i < s->jobs->len; i++) {
    const AmSchedulerJob *j = s->jobs->pdata[i];
    if (j->state != JOB_FAILED)
      continue;
    if (g_error_matches(j->error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      if (!cancelled)
        cancelled = j;
    } else if (!failed) {
      failed = j;
    }
  }
  if (failed) {
    g_clear_error(&cancel_error);
    g_propagate_error(error, g_error_copy(failed->error));
    return FALSE;
  }
  if (cancel_error) {
    g_propagate_error(error, cancel_error);
    return FALSE;
  }
  if (cancelled) {
    g_propagate_error(error, g_error_copy(cancelled->error));
    return FALSE;
  }
  if (s->finished < s->jobs->len) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%u of %u jobs could not run", s->jobs->len - s->finished,
                s->jobs->len);
    return FALSE;
  }
  return TRUE;
}

#if !AMORPH_HAVE_MPI
gboolean am_scheduler_distributed(void)
{
  return FALSE;
}

gboolean am_scheduler_serve(AmScheduler *s, int threads, GError **error)
{
  (void) s;
  (void) threads;
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "this amorph was built without MPI (-Dmpi=enabled)");
  return FALSE;
}
#endif
