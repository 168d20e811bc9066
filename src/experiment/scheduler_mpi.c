/* scheduler_mpi.c: the scheduler over MPI ranks (see scheduler.h and scheduler_mpi.h).
 *
 * Rank 0 coordinates and does not compute: it must answer at once when a rank finishes
 * (so no rank idles), write records as they arrive and keep the progress line alive, and
 * on a cluster one core out of many is cheap. It runs only the jobs of cost 0 itself
 * (bookkeeping such as choosing pinned atoms, and reloading records when resuming).
 *
 * No shared filesystem is assumed for results: every record travels in messages. A
 * worker rank keeps records in a private scratch folder; rank 0 sends it, with each job,
 * the records of the job's dependencies (all of them, transitively, that it has not sent
 * to that rank or received from it before), and the worker runs those dependencies first
 * in loading mode, then the job. Only the inputs (sample, potential) must be readable on
 * every node; the workers check their checksums against rank 0's config fingerprint.
 *
 * Messages are polled (MPI_Iprobe and a short sleep) rather than waited for, because most
 * MPI implementations spin in a blocking receive and an idle rank would steal a core from
 * a computing one. A busy worker sends a heartbeat every second from its main thread
 * while its job runs on another; a rank silent for AMORPH_MPI_TIMEOUT_S seconds (default
 * 300) makes rank 0 abort the whole run, since a dead rank cannot be recovered inside
 * MPI: the records written so far stay, and --resume continues. */
#include "experiment/scheduler_mpi.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <mpi.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "amorph-config.h"
#include "experiment/atomic_file.h"
#include "experiment/scheduler_private.h"

enum { TAG_READY = 101, TAG_RUN, TAG_PROGRESS, TAG_DONE, TAG_STOP };

/* workers_serving: the config went out, so the other ranks wait for jobs or a stop. */
static gboolean started, workers_serving, workers_stopped;
static int world_rank, world_size = 1;
static char host[256];

/* ---- Process ---------------------------------------------------------------------- */

gboolean am_mpi_launched(void)
{
  static const char *const vars[] = { "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "MPI_LOCALNRANKS",
                                      NULL };
  for (int i = 0; vars[i]; i++)
    if (g_getenv(vars[i]))
      return TRUE;
  return FALSE;
}

gboolean am_mpi_start(int *argc, char ***argv, GError **error)
{
  if (started)
    return TRUE;
  int provided = 0;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "MPI_Init_thread failed");
    return FALSE;
  }
  started = TRUE;
  MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world_size);
  if (gethostname(host, sizeof host - 1) != 0)
    g_strlcpy(host, "?", sizeof host);
  return TRUE;
}

int am_mpi_rank(void)
{
  return started ? world_rank : 0;
}

int am_mpi_size(void)
{
  return started ? world_size : 1;
}

const char *am_mpi_host(void)
{
  if (!host[0] && gethostname(host, sizeof host - 1) != 0)
    g_strlcpy(host, "?", sizeof host);
  return host;
}

void am_mpi_finish(void)
{
  if (started)
    MPI_Finalize();
  started = FALSE;
}

char *am_mpi_share_text(const char *text)
{
  if (!started || world_size < 2)
    return g_strdup(text);
  long long len = world_rank == 0 && text ? (long long) strlen(text) + 1 : 0;
  MPI_Bcast(&len, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
  if (len <= 0)
    return NULL;
  workers_serving = TRUE;
  char *buf = world_rank == 0 ? g_strdup(text) : g_malloc(len);
  MPI_Bcast(buf, (int) len, MPI_CHAR, 0, MPI_COMM_WORLD);
  buf[len - 1] = '\0';
  return buf;
}

gboolean am_scheduler_distributed(void)
{
  return started && world_size > 1 && world_rank == 0;
}

void am_mpi_stop_workers(void)
{
  if (!started || world_rank != 0 || !workers_serving || workers_stopped)
    return;
  workers_stopped = TRUE;
  for (int r = 1; r < world_size; r++)
    MPI_Send(NULL, 0, MPI_BYTE, r, TAG_STOP, MPI_COMM_WORLD);
}

/* ---- Messages: byte buffers with length-prefixed fields ----------------------------- */

static void put(GByteArray *b, const void *p, gsize n)
{
  g_byte_array_append(b, p, (guint) n);
}

static void put_u32(GByteArray *b, guint32 v)
{
  put(b, &v, 4);
}

static void put_i64(GByteArray *b, gint64 v)
{
  put(b, &v, 8);
}

static void put_f64(GByteArray *b, double v)
{
  put(b, &v, 8);
}

static void put_str(GByteArray *b, const char *s)
{
  put_u32(b, (guint32) strlen(s));
  put(b, s, strlen(s));
}

static void put_error(GByteArray *b, const GError *e)
{
  put_str(b, g_quark_to_string(e->domain));
  put_u32(b, (guint32) e->code);
  put_str(b, e->message);
}

typedef struct {
  const guint8 *p, *end;
  gboolean bad;
} Reader;

static const guint8 *take(Reader *r, gsize n)
{
  if (r->bad || (gsize) (r->end - r->p) < n) {
    r->bad = TRUE;
    return NULL;
  }
  const guint8 *q = r->p;
  r->p += n;
  return q;
}

static guint32 get_u32(Reader *r)
{
  guint32 v = 0;
  const guint8 *q = take(r, 4);
  if (q)
    memcpy(&v, q, 4);
  return v;
}

static gint64 get_i64(Reader *r)
{
  gint64 v = 0;
  const guint8 *q = take(r, 8);
  if (q)
    memcpy(&v, q, 8);
  return v;
}

static double get_f64(Reader *r)
{
  double v = 0;
  const guint8 *q = take(r, 8);
  if (q)
    memcpy(&v, q, 8);
  return v;
}

/* A view into the message, not terminated; *len its length. */
static const char *get_bytes(Reader *r, gsize *len)
{
  *len = get_u32(r);
  return (const char *) take(r, *len);
}

static char *get_str(Reader *r)
{
  gsize n = 0;
  const char *s = get_bytes(r, &n);
  return s ? g_strndup(s, n) : g_strdup("");
}

static GError *get_error(Reader *r, const char *prefix)
{
  g_autofree char *domain = get_str(r);
  guint32 code = get_u32(r);
  g_autofree char *msg = get_str(r);
  return g_error_new(g_quark_from_string(domain), (int) code, "%s%s", prefix, msg);
}

/* Files travel as name, then u32 chunk count and u32 chunks, so that a record larger than
 * 4 GB would still fit the framing; a single message must stay below 2 GB (MPI counts are
 * int), which is checked when sending. */
static gboolean put_file(GByteArray *b, const char *dir, const char *name, GError **error)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &data, &len, error))
    return FALSE;
  put_str(b, name);
  put_i64(b, (gint64) len);
  put(b, data, len);
  return TRUE;
}

static gboolean send_buffer(GByteArray *b, int dest, int tag, GError **error)
{
  if (b->len > (guint) G_MAXINT - 16) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "a message to rank %d would be %u bytes, more than MPI "
                "allows in one message", dest, b->len);
    return FALSE;
  }
  MPI_Send(b->data, (int) b->len, MPI_BYTE, dest, tag, MPI_COMM_WORLD);
  return TRUE;
}

/* Receives the message MPI_Iprobe found. */
static guint8 *recv_probed(const MPI_Status *st, int *len)
{
  MPI_Get_count(st, MPI_BYTE, len);
  guint8 *buf = g_malloc(MAX(*len, 1));
  MPI_Recv(buf, *len, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return buf;
}

static gboolean probe(int source, MPI_Status *st)
{
  int flag = 0;
  MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, st);
  return flag != 0;
}

/* Writes the files of a message into dir (atomically: on rank 0 this is the output). */
static gboolean write_files(Reader *r, const char *dir, const AmSchedulerJob *only_for, GError **error)
{
  guint32 n = get_u32(r);
  for (guint32 k = 0; k < n && !r->bad; k++) {
    g_autofree char *name = get_str(r);
    gint64 len = get_i64(r);
    const guint8 *data = len >= 0 ? take(r, (gsize) len) : NULL;
    if (!data)
      break;
    gboolean known = !only_for && name[0] && name[0] != '.' && !strchr(name, '/');
    for (guint i = 0; only_for && i < only_for->records->len; i++)
      known |= strcmp(only_for->records->pdata[i], name) == 0;
    if (!known) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "a record named \"%s\" was not expected here", name);
      return FALSE;
    }
    g_autofree char *path = g_build_filename(dir, name, NULL);
    if (!am_write_file_atomic(path, data, (gssize) len, error))
      return FALSE;
  }
  if (r->bad) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "a truncated message between MPI ranks");
    return FALSE;
  }
  return TRUE;
}

/* Jobs that job needs, transitively (need[job] itself included). */
static guint8 *closure(const AmScheduler *s, guint job)
{
  guint8 *need = g_new0(guint8, s->jobs->len);
  need[job] = 1;
  for (guint i = job + 1; i-- > 0;) {
    if (!need[i])
      continue;
    const AmSchedulerJob *j = s->jobs->pdata[i];
    for (guint d = 0; d < j->deps->len; d++)
      need[g_array_index(j->deps, guint, d)] = 1;
  }
  return need;
}

/* ---- Rank 0 ------------------------------------------------------------------------ */

typedef enum { W_STARTING, W_IDLE, W_BUSY, W_GONE } WorkerState;

typedef struct {
  WorkerState state;
  char *host;
  guint job;
  gint64 heard_us;
  guint8 *has;        /* per job: its records are on that rank already */
} Worker;

/* Lowest-numbered waiting job whose dependencies are done, with cost 0 (local) or not. */
static AmSchedulerJob *next_ready_job(AmScheduler *s, gboolean local)
{
  for (guint i = 0; i < s->jobs->len; i++) {
    AmSchedulerJob *j = s->jobs->pdata[i];
    if (j->state != JOB_WAITING || (j->cost == 0) != local)
      continue;
    gboolean ready = TRUE;
    for (guint d = 0; d < j->deps->len && ready; d++)
      ready = ((const AmSchedulerJob *) s->jobs->pdata[g_array_index(j->deps, guint, d)])->state == JOB_DONE;
    if (ready)
      return j;
  }
  return NULL;
}

static char *marker_path(const AmScheduler *s, const AmSchedulerJob *j)
{
  g_autofree char *name = g_strconcat(j->name, ".started", NULL);
  return g_build_filename(s->record_dir, name, NULL);
}

static void finish_job(AmScheduler *s, AmSchedulerJob *j, GError *error)
{
  j->end_us = g_get_monotonic_time();
  j->state = error ? JOB_FAILED : JOB_DONE;
  j->error = error;
  s->finished++;
  if (error) {
    s->stopping = TRUE;
    g_atomic_int_set(&s->cancel, 1);
  }
}

static void run_local(AmScheduler *s, AmSchedulerJob *j)
{
  j->state = JOB_RUNNING;
  j->start_us = g_get_monotonic_time();
  GError *e = NULL;
  if (!j->func(j, j->data, &e) && !e)
    g_set_error(&e, G_IO_ERROR, G_IO_ERROR_FAILED, "job %s failed without a reason", j->name);
  finish_job(s, j, e);
}

static gboolean dispatch(AmScheduler *s, Worker *w, int rank, AmSchedulerJob *j, GError **error)
{
  g_autoptr(GByteArray) b = g_byte_array_new();
  put_u32(b, j->index);
  g_autofree guint8 *need = closure(s, j->index);
  guint32 nfiles = 0;
  for (guint i = 0; i < j->index; i++)
    if (need[i] && !w->has[i])
      nfiles += ((AmSchedulerJob *) s->jobs->pdata[i])->records->len;
  put_u32(b, nfiles);
  for (guint i = 0; i < j->index; i++) {
    if (!need[i] || w->has[i])
      continue;
    const AmSchedulerJob *d = s->jobs->pdata[i];
    for (guint k = 0; k < d->records->len; k++)
      if (!put_file(b, s->record_dir, d->records->pdata[k], error))
        return FALSE;
    w->has[i] = 1;
  }
  /* Which rank had which job, for the next --resume to name what was lost. */
  g_autofree char *marker = marker_path(s, j);
  g_autofree char *who = g_strdup_printf("rank %d on %s\n", rank, w->host);
  if (!am_write_file_atomic(marker, who, -1, error) || !send_buffer(b, rank, TAG_RUN, error))
    return FALSE;
  j->state = JOB_RUNNING;
  j->worker = rank;
  j->start_us = g_get_monotonic_time();
  j->steps = 0;
  s->running++;
  w->state = W_BUSY;
  w->job = j->index;
  w->heard_us = g_get_monotonic_time();
  return TRUE;
}

/* A DONE message: the records go into the record folder, then the job runs here once
 * more, now loading them, so that this process holds its results. */
static void on_done(AmScheduler *s, Worker *w, int rank, Reader *r)
{
  guint32 index = get_u32(r);
  gint32 ok = (gint32) get_u32(r);
  double wall = get_f64(r);
  if (r->bad || w->state != W_BUSY || index != w->job) {
    s->stopping = TRUE;
    return;
  }
  AmSchedulerJob *j = s->jobs->pdata[index];
  w->state = W_IDLE;
  s->running--;
  g_autofree char *prefix = g_strdup_printf("rank %d on %s: ", rank, w->host);
  if (!ok) {
    finish_job(s, j, get_error(r, prefix));
    return;
  }
  GError *e = NULL;
  if (!write_files(r, s->record_dir, j, &e)) {
    g_prefix_error(&e, "job %s from %s", j->name, prefix);
    finish_job(s, j, e);
    return;
  }
  w->has[index] = 1;
  g_autofree char *marker = marker_path(s, j);
  g_unlink(marker);
  j->remote = TRUE;
  j->remote_wall = wall;
  const gint64 t0 = j->start_us;
  if (!j->func(j, j->data, &e) && !e)
    g_set_error(&e, G_IO_ERROR, G_IO_ERROR_FAILED, "job %s failed without a reason", j->name);
  j->start_us = t0;
  finish_job(s, j, e);
}

static double heartbeat_timeout_s(void)
{
  const char *env = g_getenv("AMORPH_MPI_TIMEOUT_S");
  double t = env ? g_ascii_strtod(env, NULL) : 0;
  return t > 0 ? t : 300;
}

gboolean am_scheduler_run_mpi_(AmScheduler *s, AmProgress *progress, GError **error)
{
  gint64 total = 0;
  for (guint i = 0; i < s->jobs->len; i++)
    total += ((AmSchedulerJob *) s->jobs->pdata[i])->cost;
  if (progress) {
    am_progress_message(progress, "MPI: %d ranks; rank 0 on %s coordinates, %d compute", world_size, host,
                        world_size - 1);
    am_progress_begin(progress, MAX(total, 1), 1);
  }
  s->stopping = FALSE;
  s->finished = 0;
  s->running = 0;
  g_atomic_int_set(&s->cancel, 0);
  const int nw = world_size;
  Worker *ws = g_new0(Worker, nw);
  for (int r = 1; r < nw; r++)
    ws[r].has = g_new0(guint8, MAX(1u, s->jobs->len));
  const double timeout = heartbeat_timeout_s();
  GError *cancel_error = NULL, *comm_error = NULL;
  gint64 last_progress = 0;

  while (s->finished < s->jobs->len && !(s->stopping && s->running == 0)) {
    gboolean busy = FALSE;
    MPI_Status st;
    while (probe(MPI_ANY_SOURCE, &st)) {
      busy = TRUE;
      int len = 0;
      g_autofree guint8 *buf = recv_probed(&st, &len);
      Reader r = { buf, buf + len, FALSE };
      const int src = st.MPI_SOURCE;
      Worker *w = src > 0 && src < nw ? &ws[src] : NULL;
      if (!w)
        continue;
      w->heard_us = g_get_monotonic_time();
      if (st.MPI_TAG == TAG_READY) {
        gint32 status = (gint32) get_u32(&r);
        g_free(w->host);
        w->host = get_str(&r);
        if (status != 0) {
          g_autofree char *prefix = g_strdup_printf("rank %d on %s: ", src, w->host);
          if (!comm_error)
            comm_error = get_error(&r, prefix);
          w->state = W_GONE;
          s->stopping = TRUE;
        } else {
          w->state = W_IDLE;
        }
      } else if (st.MPI_TAG == TAG_PROGRESS && w->state == W_BUSY) {
        guint32 job = get_u32(&r);
        gint64 steps = get_i64(&r);
        if (!r.bad && job == w->job)
          ((AmSchedulerJob *) s->jobs->pdata[job])->steps = steps;
      } else if (st.MPI_TAG == TAG_DONE) {
        on_done(s, w, src, &r);
      }
    }
    if (s->stopping)
      break;
    AmSchedulerJob *local = next_ready_job(s, TRUE);
    if (local) {
      run_local(s, local);
      continue;
    }
    for (int rk = 1; rk < nw && !s->stopping; rk++) {
      if (ws[rk].state != W_IDLE)
        continue;
      AmSchedulerJob *j = next_ready_job(s, FALSE);
      if (!j)
        break;
      busy = TRUE;
      if (!dispatch(s, &ws[rk], rk, j, &comm_error))
        s->stopping = TRUE;
    }
    gboolean starting = FALSE;
    for (int rk = 1; rk < nw; rk++)
      starting |= ws[rk].state == W_STARTING;
    if (s->running == 0 && !starting && !next_ready_job(s, FALSE) && !next_ready_job(s, TRUE) &&
        s->finished < s->jobs->len) {
      /* Nothing runs and nothing can start: the graph is stuck behind a failure. */
      s->stopping = TRUE;
      break;
    }
    const gint64 now = g_get_monotonic_time();
    for (int rk = 1; rk < nw; rk++)
      if ((ws[rk].state == W_BUSY || ws[rk].state == W_STARTING) &&
          (double) (now - ws[rk].heard_us) * 1e-6 > timeout && ws[rk].heard_us > 0) {
        fprintf(stderr, "amorph: rank %d on %s has sent nothing for %.0f s%s%s; aborting all ranks (the jobs "
                "finished so far are in the output folder: continue with --resume)\n", rk,
                ws[rk].host ? ws[rk].host : "?", timeout, ws[rk].state == W_BUSY ? " while running " : "",
                ws[rk].state == W_BUSY ? ((AmSchedulerJob *) s->jobs->pdata[ws[rk].job])->name : "");
        fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, 1);
      }
    for (int rk = 1; rk < nw; rk++)
      if (ws[rk].heard_us == 0)
        ws[rk].heard_us = now;
    if (now - last_progress > 200 * G_TIME_SPAN_MILLISECOND) {
      last_progress = now;
      gint64 done = 0;
      guint shown = 0;
      GString *status = g_string_new(NULL);
      for (guint i = 0; i < s->jobs->len; i++) {
        const AmSchedulerJob *j = s->jobs->pdata[i];
        if (j->state == JOB_DONE) {
          done += j->cost;
        } else if (j->state == JOB_RUNNING) {
          done += MIN(j->cost, j->steps);
          /* With hundreds of ranks the line names only the first few running jobs. */
          if (shown++ < 4)
            g_string_append_printf(status, "%s%s", status->len ? " " : "", j->name);
        }
      }
      if (shown > 4)
        g_string_append_printf(status, " and %u more", shown - 4);
      g_autofree char *prefix = g_strdup_printf("jobs %u/%u · ", s->finished, s->jobs->len);
      g_string_prepend(status, prefix);
      if (progress) {
        am_progress_update(progress, done, status->str);
        if (!cancel_error && am_progress_check_cancelled(progress, &cancel_error))
          s->stopping = TRUE;
      }
      g_string_free(status, TRUE);
    }
    if (!busy)
      g_usleep(2000);
  }

  /* Jobs still out on other ranks are abandoned: the ranks stop them when told to. */
  for (guint i = 0; i < s->jobs->len; i++) {
    AmSchedulerJob *j = s->jobs->pdata[i];
    if (j->state == JOB_RUNNING) {
      s->running--;
      finish_job(s, j, g_error_new(G_IO_ERROR, G_IO_ERROR_CANCELLED, "job %s: cancelled", j->name));
    }
  }
  am_mpi_stop_workers();
  for (int r = 1; r < nw; r++) {
    g_free(ws[r].host);
    g_free(ws[r].has);
  }
  g_free(ws);
  if (comm_error) {
    g_clear_error(&cancel_error);
    /* A job's own failure comes first: it is usually the cause. */
    if (!am_scheduler_outcome_(s, NULL, NULL)) {
      g_error_free(comm_error);
      return am_scheduler_outcome_(s, NULL, error);
    }
    g_propagate_error(error, comm_error);
    return FALSE;
  }
  if (!am_scheduler_outcome_(s, cancel_error, error))
    return FALSE;
  if (progress)
    am_progress_update(progress, MAX(total, 1), NULL);
  return TRUE;
}

/* ---- Worker ranks -------------------------------------------------------------------- */

static void send_ready(const GError *e)
{
  g_autoptr(GByteArray) b = g_byte_array_new();
  put_u32(b, e ? 1 : 0);
  put_str(b, am_mpi_host());
  if (e)
    put_error(b, e);
  MPI_Send(b->data, (int) b->len, MPI_BYTE, 0, TAG_READY, MPI_COMM_WORLD);
}

/* Waits (politely) for rank 0's stop, dropping anything else. */
static void wait_for_stop(void)
{
  for (;;) {
    MPI_Status st;
    if (!probe(0, &st)) {
      g_usleep(5000);
      continue;
    }
    int len = 0;
    g_free(recv_probed(&st, &len));
    if (st.MPI_TAG == TAG_STOP)
      return;
  }
}

void am_mpi_worker_fail(const GError *error)
{
  if (!started || world_rank == 0)
    return;
  send_ready(error);
  wait_for_stop();
}

typedef struct {
  AmScheduler *s;
  guint job;
  guint8 *need;
  int threads;
  gboolean ok;
  GError *error;
  volatile gint finished;
} WorkerRun;

static gpointer worker_thread(gpointer p)
{
  WorkerRun *wr = p;
  AmScheduler *s = wr->s;
  omp_set_num_threads(wr->threads);
  wr->ok = TRUE;
  for (guint i = 0; i <= wr->job && wr->ok; i++) {
    AmSchedulerJob *j = s->jobs->pdata[i];
    if (!wr->need[i] || j->state == JOB_DONE)
      continue;
    /* Dependencies only reload the records that came with the job. */
    j->state = JOB_RUNNING;
    j->worker = world_rank;
    j->start_us = g_get_monotonic_time();
    wr->ok = j->func(j, j->data, &wr->error);
    if (!wr->ok && !wr->error)
      g_set_error(&wr->error, G_IO_ERROR, G_IO_ERROR_FAILED, "job %s failed without a reason", j->name);
    j->end_us = g_get_monotonic_time();
    j->state = wr->ok ? JOB_DONE : JOB_WAITING;
  }
  g_atomic_int_set(&wr->finished, 1);
  return NULL;
}

gboolean am_scheduler_serve(AmScheduler *s, int threads, GError **error)
{
  if (!started || world_rank == 0 || !s->record_dir) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "am_scheduler_serve: not a worker rank of an MPI run");
    return FALSE;
  }
  send_ready(NULL);
  for (;;) {
    MPI_Status st;
    if (!probe(0, &st)) {
      g_usleep(2000);
      continue;
    }
    int len = 0;
    g_autofree guint8 *buf = recv_probed(&st, &len);
    if (st.MPI_TAG == TAG_STOP)
      return TRUE;
    if (st.MPI_TAG != TAG_RUN)
      continue;
    Reader r = { buf, buf + len, FALSE };
    guint32 index = get_u32(&r);
    g_autoptr(GByteArray) reply = g_byte_array_new();
    GError *e = NULL;
    if (r.bad || index >= s->jobs->len) {
      g_set_error(&e, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "a job message this rank cannot read");
    } else {
      write_files(&r, s->record_dir, NULL, &e);
    }
    AmSchedulerJob *j = index < s->jobs->len ? s->jobs->pdata[index] : NULL;
    double wall = 0;
    if (!e) {
      WorkerRun wr = { .s = s, .job = index, .need = closure(s, index), .threads = MAX(1, threads) };
      g_atomic_int_set(&s->cancel, 0);
      j->steps = 0;
      const gint64 t0 = g_get_monotonic_time();
      GThread *th = g_thread_new("amorph-rank-job", worker_thread, &wr);
      gint64 beat = t0;
      gboolean stop = FALSE;
      while (!g_atomic_int_get(&wr.finished)) {
        g_usleep(10000);
        const gint64 now = g_get_monotonic_time();
        if (now - beat >= G_TIME_SPAN_SECOND) {
          beat = now;
          g_autoptr(GByteArray) b = g_byte_array_new();
          put_u32(b, index);
          put_i64(b, __atomic_load_n(&j->steps, __ATOMIC_RELAXED));
          MPI_Send(b->data, (int) b->len, MPI_BYTE, 0, TAG_PROGRESS, MPI_COMM_WORLD);
        }
        MPI_Status st2;
        if (!stop && probe(0, &st2) && st2.MPI_TAG == TAG_STOP) {
          int l2 = 0;
          g_free(recv_probed(&st2, &l2));
          stop = TRUE;
          g_atomic_int_set(&s->cancel, 1);
        }
      }
      g_thread_join(th);
      g_free(wr.need);
      wall = (double) (g_get_monotonic_time() - t0) * 1e-6;
      if (stop) {
        g_clear_error(&wr.error);
        return TRUE;
      }
      e = wr.error;
    }
    put_u32(reply, index);
    if (!e) {
      g_autoptr(GByteArray) files = g_byte_array_new();
      put_u32(files, j->records->len);
      for (guint k = 0; k < j->records->len && !e; k++)
        put_file(files, s->record_dir, j->records->pdata[k], &e);
      if (!e) {
        put_u32(reply, 1);
        put_f64(reply, wall);
        put(reply, files->data, files->len);
      }
    }
    if (e) {
      put_u32(reply, 0);
      put_f64(reply, wall);
      put_error(reply, e);
      g_clear_error(&e);
    }
    GError *send_error = NULL;
    if (!send_buffer(reply, 0, TAG_DONE, &send_error)) {
      g_byte_array_set_size(reply, 0);
      put_u32(reply, index);
      put_u32(reply, 0);
      put_f64(reply, wall);
      put_error(reply, send_error);
      g_clear_error(&send_error);
      send_buffer(reply, 0, TAG_DONE, NULL);
    }
  }
}
