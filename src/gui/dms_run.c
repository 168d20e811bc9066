/* dms_run.c: an MD-DMS sweep on a thread behind the window (see dms_run.h). */
#include "gui/dms_run.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "experiment/progress.h"
#include "experiment/provenance.h"
#include "render/figures.h"
#include "sim/units.h"

struct AmorphDmsRun {
  gatomicrefcount ref;
  GThread *thread;
  GMainContext *context;
  AmorphDmsFunc func;
  gpointer user_data;
  gboolean closed; /* main thread only */
  AmDmsSweep *sweep;
  AmConfig *config;
  AmProvenance *provenance;
  AmProgress *progress;
  GCancellable *cancellable;
  char *output_dir;
  int workers;
  gboolean succeeded; /* written by the thread before its last publish */
  volatile gint paused; /* the jobs poll it (AmDmsRunOptions.pause) */

  GMutex lock;                /* guards everything below */
  AmorphDmsSnapshot *current; /* the newest state, copied into each published snapshot */
  AmorphDmsSnapshot *pending;
  gboolean idle_queued;
  GArray *acc;                /* Accum, per pin set and temperature */
  guint jobs_folded;
};

/* ---- live results of finished jobs ----------------------------------------------------- */

/* Sums over the finished replicas of one temperature of one pin set. */
typedef struct {
  int set;
  double temperature;
  int n;
  double s[6], s2[6];          /* f_va, f_ra, f_fa, n_ra, G″, G′ (GPa) */
  AmHistogram hist;            /* p(u′) counts summed */
  gsize nx, ny;
  double x0, x1, y0, y1;
  double *heatmap;
  gint64 heatmap_id;
} Accum;

static void live_free(gpointer data)
{
  AmorphDmsLive *l = data;
  for (gsize k = 0; k < l->n; k++) {
    g_free(l->temps[k].p_uprime);
    g_free(l->temps[k].heatmap);
  }
  g_free(l->temps);
}

static void accum_clear(gpointer data)
{
  Accum *a = data;
  am_histogram_free(&a->hist);
  g_free(a->heatmap);
}

/* Kept by set, then temperature, the order of the snapshots' points. */
static Accum *accum_for(GArray *acc, int set, double temperature)
{
  for (guint k = 0; k < acc->len; k++) {
    const Accum *a = &g_array_index(acc, Accum, k);
    if (a->set == set && a->temperature == temperature)
      return &g_array_index(acc, Accum, k);
  }
  guint k = 0;
  while (k < acc->len && (g_array_index(acc, Accum, k).set < set ||
                          (g_array_index(acc, Accum, k).set == set &&
                           g_array_index(acc, Accum, k).temperature < temperature)))
    k++;
  Accum a = {.set = set, .temperature = temperature};
  g_array_insert_val(acc, k, a);
  return &g_array_index(acc, Accum, k);
}

static void mean_sem(int n, double s, double s2, double *mean, double *sem)
{
  *mean = s / n;
  double var = n > 1 ? (s2 - n * *mean * *mean) / (n - 1) : NAN;
  *sem = n > 1 ? sqrt(MAX(var, 0) / n) : NAN;
}

/* A fresh immutable copy of the accumulators, for the snapshots. */
static AmorphDmsLive *live_from(GArray *acc, guint jobs_folded)
{
  AmorphDmsLive *l = g_atomic_rc_box_new0(AmorphDmsLive);
  l->n = acc->len;
  l->temps = g_new0(AmorphDmsLiveTemp, acc->len + 1);
  l->jobs_folded = jobs_folded;
  for (guint k = 0; k < acc->len; k++) {
    const Accum *a = &g_array_index(acc, Accum, k);
    AmorphDmsLiveTemp *t = &l->temps[k];
    t->pinset = a->set;
    t->temperature = a->temperature;
    t->replicas = a->n;
    if (a->n > 0) {
      mean_sem(a->n, a->s[0], a->s2[0], &t->f_va, &t->f_va_sem);
      mean_sem(a->n, a->s[1], a->s2[1], &t->f_ra, &t->f_ra_sem);
      mean_sem(a->n, a->s[2], a->s2[2], &t->f_fa, &t->f_fa_sem);
      mean_sem(a->n, a->s[3], a->s2[3], &t->n_ra, &t->n_ra_sem);
      mean_sem(a->n, a->s[4], a->s2[4], &t->loss, &t->loss_sem);
    }
    if (a->hist.nbins > 0) {
      AmError err = {0};
      t->p_uprime = g_new(double, a->hist.nbins);
      if (am_histogram_density(&a->hist, t->p_uprime, &err) == AM_OK) {
        t->n_bins = a->hist.nbins;
        t->bin_lo = a->hist.lo;
        t->bin_width = a->hist.width;
      } else {
        g_clear_pointer(&t->p_uprime, g_free); /* no samples yet: no density */
      }
    }
    if (a->heatmap) {
      t->nx = a->nx;
      t->ny = a->ny;
      t->x0 = a->x0;
      t->x1 = a->x1;
      t->y0 = a->y0;
      t->y1 = a->y1;
      t->heatmap = g_memdup2(a->heatmap, a->nx * a->ny * sizeof(double));
      t->heatmap_id = a->heatmap_id;
    }
  }
  return l;
}

/* ---- snapshots ---------------------------------------------------------------------- */

AmorphDmsSnapshot *amorph_dms_snapshot_ref(AmorphDmsSnapshot *snap)
{
  return g_atomic_rc_box_acquire(snap);
}

static void snapshot_clear(gpointer data)
{
  AmorphDmsSnapshot *s = data;
  g_free(s->x);
  g_free(s->type);
  g_free(s->cls);
  g_free(s->pinned);
  g_free(s->id);
  g_free(s->uprime_max);
  g_free(s->uprime_vec);
  g_free(s->trace_t);
  g_free(s->trace_stress);
  g_free(s->status);
  g_free(s->points);
  g_free(s->error);
  g_free(s->results_dir);
  g_free(s->write_error);
  if (s->live)
    g_atomic_rc_box_release_full(s->live, live_free);
}

void amorph_dms_snapshot_unref(AmorphDmsSnapshot *snap)
{
  g_atomic_rc_box_release_full(snap, snapshot_clear);
}

static AmorphDmsSnapshot *snapshot_dup(const AmorphDmsSnapshot *s)
{
  AmorphDmsSnapshot *d = g_atomic_rc_box_new0(AmorphDmsSnapshot);
  *d = *s;
  d->x = s->x ? g_memdup2(s->x, 3 * s->n * sizeof *s->x) : NULL;
  d->type = s->type ? g_memdup2(s->type, s->n * sizeof *s->type) : NULL;
  d->cls = s->cls ? g_memdup2(s->cls, s->n) : NULL;
  d->pinned = s->pinned ? g_memdup2(s->pinned, s->n) : NULL;
  d->id = s->id ? g_memdup2(s->id, s->n * sizeof *s->id) : NULL;
  d->uprime_max = s->uprime_max ? g_memdup2(s->uprime_max, s->n * sizeof *s->uprime_max) : NULL;
  d->uprime_vec = s->uprime_vec ? g_memdup2(s->uprime_vec, 3 * s->n * sizeof *s->uprime_vec) : NULL;
  d->trace_t = s->trace_t ? g_memdup2(s->trace_t, s->n_trace * sizeof(double)) : NULL;
  d->trace_stress = s->trace_stress ? g_memdup2(s->trace_stress, s->n_trace * sizeof(double)) : NULL;
  d->status = g_strdup(s->status);
  d->points = s->points ? g_memdup2(s->points, s->n_points * sizeof *s->points) : NULL;
  d->error = g_strdup(s->error);
  d->results_dir = g_strdup(s->results_dir);
  d->write_error = g_strdup(s->write_error);
  d->live = s->live ? g_atomic_rc_box_acquire(s->live) : NULL;
  return d;
}

static AmorphDmsRun *run_ref(AmorphDmsRun *r)
{
  g_atomic_ref_count_inc(&r->ref);
  return r;
}

static void run_unref(AmorphDmsRun *r)
{
  if (!g_atomic_ref_count_dec(&r->ref))
    return;
  g_main_context_unref(r->context);
  if (r->pending)
    amorph_dms_snapshot_unref(r->pending);
  amorph_dms_snapshot_unref(r->current);
  g_array_unref(r->acc);
  g_mutex_clear(&r->lock);
  am_dms_sweep_free(r->sweep);
  am_config_free(r->config);
  am_provenance_free(r->provenance);
  am_progress_free(r->progress);
  g_object_unref(r->cancellable);
  g_free(r->output_dir);
  g_free(r);
}

static gboolean deliver(gpointer data)
{
  AmorphDmsRun *r = data;
  g_mutex_lock(&r->lock);
  AmorphDmsSnapshot *snap = r->pending;
  r->pending = NULL;
  r->idle_queued = FALSE;
  g_mutex_unlock(&r->lock);
  if (snap && !r->closed && r->func)
    r->func(snap, r->user_data);
  if (snap)
    amorph_dms_snapshot_unref(snap);
  return G_SOURCE_REMOVE;
}

/* With the lock held: replaces any snapshot not yet picked up by a copy of the current
 * state, and queues a delivery only if none is queued. */
static void publish_locked(AmorphDmsRun *r)
{
  AmorphDmsSnapshot *old = r->pending;
  r->pending = snapshot_dup(r->current);
  gboolean queue = !r->idle_queued;
  r->idle_queued = TRUE;
  if (old)
    amorph_dms_snapshot_unref(old);
  if (queue) {
    GSource *src = g_idle_source_new();
    /* GDK_PRIORITY_REDRAW, the frame clock's paint: at equal priority GLib dispatches
     * both whenever both are ready, so neither starves the other. At idle priority a view
     * redrawn every frame (orbiting) on a renderer slower than the frame interval starved
     * the snapshots: bench/gui-frames saw none for 10 s. */
    g_source_set_priority(src, G_PRIORITY_HIGH_IDLE + 20);
    g_source_set_callback(src, deliver, run_ref(r), (GDestroyNotify) run_unref);
    g_source_set_static_name(src, "[amorph] dms snapshot");
    g_source_attach(src, r->context);
    g_source_unref(src);
  }
}

/* ---- G″(T) points of the finished replicas ---------------------------------------------- */

/* With the lock held: the points from the accumulators (set, then temperature order). The
 * sweep's own fold replaces these at the end; this only shows the numbers as they arrive. */
static void points_from_acc_locked(AmorphDmsRun *r)
{
  GArray *acc = r->acc;
  AmorphDmsLivePoint *pts = g_new0(AmorphDmsLivePoint, acc->len + 1);
  gsize n = 0;
  for (guint k = 0; k < acc->len; k++) {
    const Accum *a = &g_array_index(acc, Accum, k);
    if (a->n == 0 || !isfinite(a->s[4]))
      continue;
    AmorphDmsLivePoint *p = &pts[n++];
    double sem;
    p->pinset = a->set;
    p->temperature = a->temperature;
    p->replicas = a->n;
    mean_sem(a->n, a->s[4], a->s2[4], &p->loss, &sem);
    p->loss_sem = a->n > 1 ? sem : 0;
    p->storage = a->s[5] / a->n;
  }
  g_free(r->current->points);
  r->current->n_points = n;
  r->current->points = pts;
}

/* ---- hooks called on the sweep's threads ---------------------------------------------------- */

static void on_progress(const AmProgressEvent *ev, gpointer data)
{
  AmorphDmsRun *r = data;
  g_mutex_lock(&r->lock);
  AmorphDmsSnapshot *c = r->current;
  if (ev->kind == AM_PROGRESS_BEGIN || ev->kind == AM_PROGRESS_UPDATE) {
    c->done = ev->done;
    c->total = ev->total;
    c->steps_per_s = ev->steps_per_s;
    c->eta_s = ev->eta_s;
    if (ev->kind == AM_PROGRESS_UPDATE && ev->text) {
      g_free(c->status);
      c->status = g_strdup(ev->text);
    }
  }
  publish_locked(r);
  g_mutex_unlock(&r->lock);
}

static void on_watch(const AmDmsSnapshot *s, gpointer data)
{
  AmorphDmsRun *r = data;
  g_mutex_lock(&r->lock);
  AmorphDmsSnapshot *c = r->current;
  c->watch_temperature = s->job->temperature;
  c->watch_replica = s->job->replica;
  c->cycle = s->cycle;
  c->cycles = s->cycles;
  c->time = s->time;
  if (c->n != s->n) {
    c->n = s->n;
    c->x = g_renew(double, c->x, 3 * s->n + 1);
    c->type = g_renew(gint32, c->type, s->n + 1);
    c->cls = g_renew(guint8, c->cls, s->n + 1);
    c->pinned = g_renew(guint8, c->pinned, s->n + 1);
    c->id = g_renew(gint64, c->id, s->n + 1);
    g_clear_pointer(&c->uprime_max, g_free);
    g_clear_pointer(&c->uprime_vec, g_free);
  }
  for (gsize i = 0; i < s->n; i++)
    c->id[i] = s->id ? (gint64) s->id[i] : (gint64) i + 1;
  if (s->uprime_max && s->x_unwrapped && s->q_start) {
    if (!c->uprime_max) {
      c->uprime_max = g_new(double, s->n + 1);
      c->uprime_vec = g_new(float, 3 * s->n + 1);
    }
    memcpy(c->uprime_max, s->uprime_max, s->n * sizeof *c->uprime_max);
    for (gsize j = 0; j < 3 * s->n; j++)
      c->uprime_vec[j] = (float) (s->x_unwrapped[j] - (s->affine ? s->affine[j] : 0.0) - s->q_start[j]);
  } else {
    g_clear_pointer(&c->uprime_max, g_free);
    g_clear_pointer(&c->uprime_vec, g_free);
  }
  memcpy(c->x, s->x, 3 * s->n * sizeof *c->x);
  memcpy(c->type, s->type, s->n * sizeof *c->type);
  memcpy(c->cls, s->cls, s->n);
  if (s->pinned)
    memcpy(c->pinned, s->pinned, s->n);
  else
    memset(c->pinned, 0, s->n);
  c->box = *s->box;
  if (s->trace && s->trace->n > 0) {
    c->n_trace = s->trace->n;
    c->trace_t = g_renew(double, c->trace_t, s->trace->n);
    c->trace_stress = g_renew(double, c->trace_stress, s->trace->n);
    memcpy(c->trace_t, s->trace->t, s->trace->n * sizeof(double));
    for (gsize k = 0; k < s->trace->n; k++)
      c->trace_stress[k] = s->trace->stress[k] / AM_BAR_PER_GPA;
  }
  publish_locked(r);
  g_mutex_unlock(&r->lock);
}

/* A replica or trajectory rerun finished: fold it in and publish. Hidden runs that only
 * choose another set's atoms are not a curve of their own. */
static void on_job_done(const AmDmsJobDone *done, gpointer data)
{
  AmorphDmsRun *r = data;
  if (done->pinset < 0 || (guint) done->pinset >= r->current->n_sets)
    return;
  g_mutex_lock(&r->lock);
  /* A set chosen from results (selected RAs, as many VAs) has its size once it runs. */
  AmorphDmsSet *set = &r->current->sets[done->pinset];
  if (done->result && set->n_pinned < 0)
    set->n_pinned = done->n_pinned;
  Accum *a = accum_for(r->acc, done->pinset, done->job->temperature);
  if (done->result) {
    const AmDmsJobResult *res = done->result;
    const double v[6] = {res->f_va, res->f_ra, res->f_fa, (double) res->n_ra, res->fit.loss / AM_BAR_PER_GPA,
                         res->fit.storage / AM_BAR_PER_GPA};
    for (int k = 0; k < 6; k++) {
      a->s[k] += v[k];
      a->s2[k] += v[k] * v[k];
    }
    a->n++;
    const AmHistogram *h = &res->counts.p_uprime;
    AmError err = {0};
    if (a->hist.nbins == 0 && h->nbins > 0)
      am_histogram_init(&a->hist, h->lo, h->lo + (double) h->nbins * h->width, h->width, &err);
    if (a->hist.nbins > 0)
      am_histogram_merge(&a->hist, h, &err);
  } else if (done->trajectory && done->n_traj > 0) {
    /* The temperature's most reversible atom when it has one, else the first recorded. */
    gsize s = 0;
    for (gsize k = 0; k < done->n_traj; k++)
      if (g_strcmp0(done->traj_role[k], "ra") == 0) {
        s = k;
        break;
      }
    const AmTrajectory *tr = done->trajectory;
    double *z = g_new(double, tr->nx * tr->ny);
    AmError err = {0};
    if (am_trajectory_density(tr, s, z, &err) == AM_OK) {
      g_free(a->heatmap);
      a->heatmap = z;
      a->nx = tr->nx;
      a->ny = tr->ny;
      a->x0 = tr->params.x_min;
      a->x1 = tr->params.x_max;
      a->y0 = tr->params.y_min;
      a->y1 = tr->params.y_max;
      a->heatmap_id = done->traj_id[s];
    } else {
      g_free(z);
    }
  }
  r->jobs_folded++;
  if (r->current->live)
    g_atomic_rc_box_release_full(r->current->live, live_free);
  r->current->live = live_from(r->acc, r->jobs_folded);
  if (done->result)
    points_from_acc_locked(r);
  publish_locked(r);
  g_mutex_unlock(&r->lock);
}

/* What `amorph --batch` leaves in its output folder besides jobs/, so that the GUI's run
 * folder has the batch layout and "Export results…" only copies it. */
static gboolean write_results(AmorphDmsRun *r, GError **error)
{
  const char *dir = r->output_dir;
  AmProvenance *prov = r->provenance;
  /* The run's pins file (pinned-ids.txt) lies in the same folder: named relative to it,
   * an exported results folder still runs headless. */
  g_autofree char *ini = am_config_to_ini_in(r->config, dir);
  g_autofree char *ini_path = g_build_filename(dir, "config.ini", NULL);
  if (!g_file_set_contents(ini_path, ini, -1, error))
    return FALSE;
  am_provenance_add_output(prov, "config.ini");
  if (!am_dms_sweep_write(r->sweep, dir, prov, error))
    return FALSE;
  g_autoptr(GPtrArray) written = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) skipped = g_ptr_array_new_with_free_func(g_free);
  if (!am_figures_write_all(am_dms_sweep_results(r->sweep), NULL, dir, written, skipped, error))
    return FALSE;
  for (guint i = 0; i < written->len; i++)
    am_provenance_add_output(prov, written->pdata[i]);
  am_provenance_set_string(prov, "run_from", "the explorer (GUI)");
  am_provenance_set_double(prov, "dms_jobs", (double) am_dms_sweep_job_count(r->sweep));
  am_provenance_set_double(prov, "dms_job_seconds", am_dms_sweep_job_seconds(r->sweep));
  am_provenance_set_double(prov, "dms_steps_per_second_per_job", am_dms_sweep_steps_per_second(r->sweep));
  am_provenance_add_output(prov, "manifest.json");
  g_autofree char *manifest = g_build_filename(dir, "manifest.json", NULL);
  return am_provenance_write(prov, manifest, NULL, error);
}

static gpointer thread_main(gpointer data)
{
  AmorphDmsRun *r = data;
  AmDmsRunOptions opt = {
      .output_dir = r->output_dir,
      .workers = r->workers,
      .progress = r->progress,
      .watch = on_watch,
      .watch_data = r,
      .pause = &r->paused,
      .job_done = on_job_done,
      .job_done_data = r,
      .provenance = r->provenance,
  };
  g_autoptr(GError) error = NULL;
  AmDmsSweep *sweep = am_dms_sweep_new(r->config, r->provenance, &error);
  g_mutex_lock(&r->lock);
  r->sweep = sweep; /* read on the main thread only once it has seen finished */
  if (sweep) {
    r->current->jobs_total = am_dms_sweep_job_count(sweep);
    r->current->total = am_dms_sweep_total_steps(sweep);
    r->current->n_sets = MIN(am_dms_sweep_n_pin_sets(sweep), AMORPH_DMS_MAX_SETS);
    for (guint k = 0; k < r->current->n_sets; k++) {
      AmDmsPinSetInfo info;
      am_dms_sweep_pin_set_info(sweep, k, &info);
      AmorphDmsSet *set = &r->current->sets[k];
      g_strlcpy(set->name, info.name, sizeof set->name);
      set->kind = info.kind;
      set->n_pinned = info.n_pinned;
    }
    publish_locked(r);
  }
  g_mutex_unlock(&r->lock);
  gboolean ok = sweep && am_dms_sweep_run(sweep, &opt, &error);
  g_autoptr(GError) write_error = NULL;
  gboolean written = ok && write_results(r, &write_error);
  g_mutex_lock(&r->lock);
  if (written)
    r->current->results_dir = g_strdup(r->output_dir);
  else if (write_error)
    r->current->write_error = g_strdup(write_error->message);
  r->succeeded = ok;
  r->current->finished = TRUE;
  r->current->paused = FALSE;
  if (!ok) {
    r->current->cancelled = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    r->current->error = g_strdup(error ? error->message : "the sweep failed");
  }
  publish_locked(r);
  g_mutex_unlock(&r->lock);
  run_unref(r);
  return NULL;
}

/* ---- main-thread API ------------------------------------------------------------------------ */

AmorphDmsRun *amorph_dms_run_new(const char *preset_path, const char *const *overrides, const char *output_dir,
                                 int workers, AmorphDmsFunc func, gpointer user_data, GError **error)
{
  g_autoptr(AmConfig) cfg = am_config_load(preset_path, overrides, error);
  if (!cfg)
    return NULL;
  const char *protocol = am_config_protocol(cfg);
  if (g_strcmp0(protocol, "dms-sweep") != 0 && g_strcmp0(protocol, "pinning") != 0) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                "%s: the explorer runs protocols dms-sweep and pinning, not %s", preset_path, protocol);
    return NULL;
  }
  /* The manifest a batch run would write: inputs with checksums, seeds, timings. */
  g_autoptr(AmProvenance) prov = am_provenance_new(cfg, 0, NULL, workers);
  if (!am_provenance_add_input(prov, "config", preset_path, error))
    return NULL;
  /* The settings are checked here, so that a bad one is refused at once; the sweep itself
   * (which reads the sample and the potential: tens of ms) is built on the run's thread,
   * not in the main loop. */
  if (!am_dms_sweep_check_config(cfg, error))
    return NULL;
  if (g_mkdir_with_parents(output_dir, 0755) != 0) {
    int e = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "cannot create %s: %s", output_dir, g_strerror(e));
    return NULL;
  }
  AmorphDmsRun *r = g_new0(AmorphDmsRun, 1);
  g_atomic_ref_count_init(&r->ref);
  g_mutex_init(&r->lock);
  r->context = g_main_context_ref_thread_default();
  r->func = func;
  r->user_data = user_data;
  r->config = g_steal_pointer(&cfg);
  r->provenance = g_steal_pointer(&prov);
  r->output_dir = g_strdup(output_dir);
  r->workers = workers;
  r->cancellable = g_cancellable_new();
  r->progress = am_progress_new(protocol);
  am_progress_set_cancellable(r->progress, r->cancellable);
  am_progress_set_pause_flag(r->progress, &r->paused); /* rate and ETA over running time only */
  am_progress_subscribe(r->progress, on_progress, r, NULL);
  r->acc = g_array_new(FALSE, TRUE, sizeof(Accum));
  g_array_set_clear_func(r->acc, accum_clear);
  r->current = g_atomic_rc_box_new0(AmorphDmsSnapshot);
  r->current->eta_s = -1;
  r->current->period = am_config_get_double(r->config, "dms", "period_ps");
  r->current->watch_set = (guint) MAX(am_config_get_int(r->config, "dms", "watch_pin_set"), 0);
  r->thread = g_thread_new("amorph-dms", thread_main, run_ref(r));
  return r;
}

void amorph_dms_run_set_paused(AmorphDmsRun *run, gboolean paused)
{
  if (!run)
    return;
  g_atomic_int_set(&run->paused, paused ? 1 : 0);
  g_mutex_lock(&run->lock);
  if (!run->current->finished) {
    run->current->paused = paused;
    publish_locked(run);
  }
  g_mutex_unlock(&run->lock);
}

gboolean amorph_dms_run_get_paused(AmorphDmsRun *run)
{
  return run && g_atomic_int_get(&run->paused);
}

void amorph_dms_run_cancel(AmorphDmsRun *run)
{
  if (run)
    g_cancellable_cancel(run->cancellable);
}

void amorph_dms_run_free(AmorphDmsRun *run)
{
  if (!run)
    return;
  run->closed = TRUE;
  g_cancellable_cancel(run->cancellable);
  g_thread_join(run->thread);
  run_unref(run);
}

const char *amorph_dms_run_get_output_dir(AmorphDmsRun *run)
{
  return run ? run->output_dir : NULL;
}

const AmDmsSweepResults *amorph_dms_run_results(AmorphDmsRun *run)
{
  /* The thread has published its last snapshot (and touches nothing after) once the
   * caller has seen finished; succeeded is then stable. */
  return run && run->succeeded ? am_dms_sweep_results(run->sweep) : NULL;
}
