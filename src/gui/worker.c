/* worker.c: the live simulation thread (see worker.h). */
#include "gui/worker.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/sliding_classes.h"
#include "sim/eam.h"
#include "sim/integrate.h"
#include "sim/system.h"
#include "sim/thermo.h"

typedef enum {
  CMD_RUN,
  CMD_PAUSE,
  CMD_STEP,
  CMD_QUIT,
  CMD_TEMPERATURE,
  CMD_SPEED,
  CMD_PIN,
  CMD_SHEAR,
} CmdKind;

typedef struct {
  CmdKind kind;
  double value;
  double value2;
  size_t index;
  gboolean flag;
} Cmd;

struct AmorphWorker {
  gatomicrefcount ref;
  GThread *thread;
  GAsyncQueue *commands;
  GMainContext *context;
  AmorphSnapshotFunc func;
  gpointer user_data;
  gboolean closed; /* main thread only: set by amorph_worker_free */

  /* Handed to the thread at start and owned by it afterwards. */
  AmBox box;
  AmAtoms atoms;
  uint8_t *pinned;
  int64_t *ids; /* atom ids in the caller's order: commands and snapshots use that order */
  char *element_names[AM_MAX_TYPES];
  gboolean have_names;
  AmorphWorkerConfig cfg;
  char *potential_path;

  GMutex lock;            /* guards the two fields below */
  AmorphSnapshot *pending;
  gboolean idle_queued;
};

/* ---- snapshots ---------------------------------------------------------------------- */

AmorphSnapshot *amorph_snapshot_ref(AmorphSnapshot *snap)
{
  return g_atomic_rc_box_acquire(snap);
}

static void snapshot_clear(gpointer data)
{
  AmorphSnapshot *snap = data;
  g_free(snap->x);
  g_free(snap->id);
  g_free(snap->values);
  g_free(snap->error);
  g_free(snap->classes);
  g_free(snap->trace_t);
  g_free(snap->trace_stress);
  g_free(snap->trace_strain);
}

void amorph_snapshot_unref(AmorphSnapshot *snap)
{
  g_atomic_rc_box_release_full(snap, snapshot_clear);
}

static AmorphWorker *worker_ref(AmorphWorker *w)
{
  g_atomic_ref_count_inc(&w->ref);
  return w;
}

static void worker_unref(AmorphWorker *w)
{
  if (!g_atomic_ref_count_dec(&w->ref))
    return;
  g_async_queue_unref(w->commands);
  g_main_context_unref(w->context);
  if (w->pending)
    amorph_snapshot_unref(w->pending);
  g_mutex_clear(&w->lock);
  am_atoms_free(&w->atoms);
  g_free(w->pinned);
  g_free(w->ids);
  for (int t = 0; t < AM_MAX_TYPES; t++)
    g_free(w->element_names[t]);
  g_free(w->potential_path);
  g_free(w);
}

static gboolean deliver(gpointer data)
{
  AmorphWorker *w = data;
  g_mutex_lock(&w->lock);
  AmorphSnapshot *snap = w->pending;
  w->pending = NULL;
  w->idle_queued = FALSE;
  g_mutex_unlock(&w->lock);
  if (snap && !w->closed && w->func)
    w->func(snap, w->user_data);
  if (snap)
    amorph_snapshot_unref(snap);
  return G_SOURCE_REMOVE;
}

/* Replaces any snapshot not yet picked up, and queues a delivery only if none is queued. */
static void publish(AmorphWorker *w, AmorphSnapshot *snap)
{
  g_mutex_lock(&w->lock);
  AmorphSnapshot *old = w->pending;
  w->pending = snap;
  gboolean queue = !w->idle_queued;
  w->idle_queued = TRUE;
  g_mutex_unlock(&w->lock);
  if (old)
    amorph_snapshot_unref(old);
  if (queue) {
    GSource *src = g_idle_source_new();
    /* GDK_PRIORITY_REDRAW, the frame clock's paint: at equal priority GLib dispatches
     * both whenever both are ready, so neither starves the other. At idle priority a view
     * redrawn every frame (orbiting) on a renderer slower than the frame interval starved
     * the snapshots: bench/gui-frames saw none for 10 s. */
    g_source_set_priority(src, G_PRIORITY_HIGH_IDLE + 20);
    g_source_set_callback(src, deliver, worker_ref(w), (GDestroyNotify) worker_unref);
    g_source_set_static_name(src, "[amorph] worker snapshot");
    g_source_attach(src, w->context);
    g_source_unref(src);
  }
}

typedef struct {
  int64_t id;
  size_t index;
} IdIndex;

static int cmp_id(const void *a, const void *b)
{
  int64_t x = ((const IdIndex *) a)->id, y = ((const IdIndex *) b)->id;
  return (x > y) - (x < y);
}

typedef struct {
  AmSystem sys;
  AmEam *eam;
  AmIntegrator integ;
  IdIndex *by_id; /* sorted by id: the caller's index of each atom, whatever the engine's order */
  gboolean ready;
  gboolean running;
  int frames_pending; /* single frames asked for by step commands */
  int steps_per_frame;
  double steps_per_second;
  /* Free play: the shear now applied and the one asked for next. */
  double amplitude, period;
  long long period_steps;   /* steps per shear period */
  long long cycle_step0;    /* a step at which a shear cycle started */
  gboolean shear_pending;
  double next_amplitude, next_period;
  /* The sliding window, fed every period/SAMPLES_PER_PERIOD in the caller's atom order. */
  AmSlidingClasses sliding;
  long long sample_steps;
  long long sample_step0;
  double *xu, *aff;         /* 3n scratch: unwrapped positions and affine displacements */
  uint8_t *cls;
  double fractions[3];
  gboolean have_classes;
  /* Recent stress, every TRACE_PS, the last TRACE_PERIODS periods. */
  double *tr_t, *tr_s, *tr_g;
  size_t n_tr, cap_tr;
} Run;

/* Samples per period for the sliding window: 0.5 ps at t_p = 10 ps, so an atom's 1 Å hop
 * (a few hundred fs) is caught near its far end. */
#define SAMPLES_PER_PERIOD 20
#define TRACE_PS 0.1
#define TRACE_PERIODS 3

/* The running fit over the last two whole periods of the current shear, when the trace
 * has them. */
static void fit_trace(Run *run, AmorphSnapshot *snap)
{
  if (!(run->amplitude > 0) || run->n_tr < 8)
    return;
  const double t0 = run->integ.state.shear.t0, tp = run->period;
  const double now = run->tr_t[run->n_tr - 1];
  const double cycles = floor((now - t0) / tp + 1e-9);
  if (cycles < 2)
    return;
  const double lo = t0 + (cycles - 2) * tp - 1e-9, hi = t0 + cycles * tp + 1e-9;
  g_autofree double *t = g_new(double, run->n_tr);
  g_autofree double *s = g_new(double, run->n_tr);
  size_t m = 0;
  for (size_t k = 0; k < run->n_tr; k++)
    if (run->tr_t[k] >= lo && run->tr_t[k] <= hi) {
      t[m] = run->tr_t[k] - t0;
      s[m++] = run->tr_s[k];
    }
  AmError err = {0};
  if (am_dms_fit_arrays(t, s, m, tp, run->amplitude, &snap->fit, &err) == AM_OK) {
    snap->have_fit = TRUE;
    snap->fit_t0 = t0;
  }
}

static AmorphSnapshot *make_snapshot(AmorphWorker *w, Run *run, const char *error)
{
  AmorphSnapshot *snap = g_atomic_rc_box_new0(AmorphSnapshot);
  snap->running = run->running;
  snap->target_temperature = w->cfg.temperature;
  if (error)
    snap->error = g_strdup(error);
  if (!run->ready)
    return snap;
  const AmAtoms *a = &run->sys.atoms;
  snap->n = a->n;
  snap->x = g_new(double, 3 * a->n + 1);
  snap->id = g_new(gint64, a->n + 1);
  const double *pe = run->sys.pe_atom;
  if (pe)
    snap->values = g_new(double, a->n + 1);
  for (size_t j = 0; j < a->n; j++) {
    IdIndex key = {a->id[j], 0};
    const IdIndex *hit = bsearch(&key, run->by_id, a->n, sizeof key, cmp_id);
    size_t i = hit ? hit->index : j;
    memcpy(&snap->x[3 * i], &a->x[3 * j], 3 * sizeof(double));
    snap->id[i] = a->id[j];
    if (pe)
      snap->values[i] = pe[j];
    snap->n_pinned += a->pinned[j] != 0;
  }
  snap->box = run->sys.box;
  snap->step = run->sys.step;
  snap->time = run->sys.time;
  snap->temperature = am_thermo_temperature(a);
  snap->target_temperature = am_integrator_target_temperature(&run->integ);
  snap->pe_per_atom = a->n ? run->sys.pe / (double) a->n : 0;
  snap->steps_per_second = run->steps_per_second;
  snap->final_temperature = w->cfg.temperature;
  snap->shear_amplitude = run->amplitude;
  snap->shear_period = run->period;
  snap->strain = am_integrator_strain(&run->integ, &run->sys);
  if (run->have_classes) {
    snap->classes = g_memdup2(run->cls, a->n);
    memcpy(snap->class_fractions, run->fractions, sizeof snap->class_fractions);
  }
  snap->window_span = am_sliding_classes_span(&run->sliding);
  snap->window_length = (double) run->sliding.window * run->sliding.params.sample_interval;
  if (run->n_tr > 0) {
    snap->n_trace = run->n_tr;
    snap->trace_t = g_memdup2(run->tr_t, run->n_tr * sizeof(double));
    snap->trace_stress = g_memdup2(run->tr_s, run->n_tr * sizeof(double));
    snap->trace_strain = g_memdup2(run->tr_g, run->n_tr * sizeof(double));
  }
  fit_trace(run, snap);
  return snap;
}

static long long steps_of(const Run *run, double ps)
{
  return llround(ps / run->integ.config.dt);
}

/* Feeds the sliding window one sample: unwrapped positions and affine displacements,
 * gathered into the caller's order (the engine may have reordered its atoms). */
static void take_sample(Run *run)
{
  const AmAtoms *a = &run->sys.atoms;
  for (size_t j = 0; j < a->n; j++) {
    IdIndex key = {a->id[j], 0};
    const IdIndex *hit = bsearch(&key, run->by_id, a->n, sizeof key, cmp_id);
    size_t i = hit ? hit->index : j;
    am_box_unwrap(&run->sys.box, &a->x[3 * j], &a->image[3 * j], &run->xu[3 * i]);
    memcpy(&run->aff[3 * i], &a->affine[3 * j], 3 * sizeof(double));
  }
  AmError err = {0};
  if (am_sliding_classes_add(&run->sliding, run->sys.time, run->xu, run->aff, &err) != AM_OK) {
    /* Only a broken series gets here (the integrator refuses NaN first): start afresh. */
    g_warning("free play: %s", err.message);
    am_sliding_classes_reset(&run->sliding);
    run->have_classes = FALSE;
    return;
  }
  run->have_classes = am_sliding_classes_get(&run->sliding, run->cls, run->fractions, NULL) == AM_OK;
}

static void trace_stress(Run *run)
{
  double sigma[6];
  am_thermo_stress(&run->sys, sigma);
  if (run->n_tr == run->cap_tr) {
    run->cap_tr = MAX(64, 2 * run->cap_tr);
    run->tr_t = g_renew(double, run->tr_t, run->cap_tr);
    run->tr_s = g_renew(double, run->tr_s, run->cap_tr);
    run->tr_g = g_renew(double, run->tr_g, run->cap_tr);
  }
  run->tr_t[run->n_tr] = run->sys.time;
  run->tr_s[run->n_tr] = sigma[3] / 1e4; /* bar → GPa */
  run->tr_g[run->n_tr] = am_integrator_strain(&run->integ, &run->sys);
  run->n_tr++;
  /* Forget what is older than the last few periods. */
  const double keep = run->sys.time - TRACE_PERIODS * run->period - 1e-9;
  size_t drop = 0;
  while (drop < run->n_tr && run->tr_t[drop] < keep)
    drop++;
  if (drop > 0) {
    run->n_tr -= drop;
    memmove(run->tr_t, run->tr_t + drop, run->n_tr * sizeof(double));
    memmove(run->tr_s, run->tr_s + drop, run->n_tr * sizeof(double));
    memmove(run->tr_g, run->tr_g + drop, run->n_tr * sizeof(double));
  }
}

/* Sets the shear (γ = 0 now, so the tilt is continuous) and, when the period changed,
 * restarts the sliding window, whose length is a number of periods. */
static gboolean apply_shear(AmorphWorker *w, Run *run, double amplitude, double period, AmError *err)
{
  const long long grain = SAMPLES_PER_PERIOD;
  long long steps = MAX(grain, llround(period / (run->integ.config.dt * grain)) * grain);
  period = (double) steps * run->integ.config.dt;
  AmShearConfig sh = {.mode = amplitude > 0 ? AM_SHEAR_SINUSOIDAL : AM_SHEAR_NONE,
                      .amplitude = amplitude, .period = period};
  if (am_shear_config_validate(&sh, err) != AM_OK)
    return FALSE;
  run->integ.config.shear = sh;
  am_integrator_restart_shear(&run->integ, &run->sys);
  run->cycle_step0 = run->sys.step;
  run->amplitude = amplitude;
  w->cfg.shear_amplitude = amplitude;
  gboolean new_period = steps != run->period_steps;
  run->period_steps = steps;
  run->period = period;
  w->cfg.shear_period = period;
  if (!new_period)
    return TRUE;
  AmDisplacementParams p;
  am_displacement_params_default(&p);
  p.period = period;
  p.sample_interval = period / SAMPLES_PER_PERIOD;
  p.n_cycles = MAX(1, w->cfg.window_periods);
  am_sliding_classes_free(&run->sliding);
  if (am_sliding_classes_init(&run->sliding, run->sys.atoms.n, &p, err) != AM_OK)
    return FALSE;
  run->sample_steps = steps / SAMPLES_PER_PERIOD;
  run->sample_step0 = run->sys.step;
  run->have_classes = FALSE;
  return TRUE;
}

/* Sampling and pending shear changes, at the step just taken (or at setup). */
static void after_step(Run *run)
{
  const long long step = run->sys.step;
  if ((step - run->sample_step0) % run->sample_steps == 0)
    take_sample(run);
  if (step % MAX(1, steps_of(run, TRACE_PS)) == 0)
    trace_stress(run);
}

static void maybe_change_shear(AmorphWorker *w, Run *run, AmError *err, gboolean *failed)
{
  if (!run->shear_pending)
    return;
  if (run->amplitude > 0 && (run->sys.step - run->cycle_step0) % run->period_steps != 0)
    return;
  run->shear_pending = FALSE;
  if (!apply_shear(w, run, run->next_amplitude, run->next_period, err)) {
    run->running = FALSE;
    *failed = TRUE;
    return;
  }
  /* The restarted window needs its first sample now. */
  if (run->sample_step0 == run->sys.step && !run->have_classes && run->sliding.count == 0)
    take_sample(run);
}

static gboolean setup(AmorphWorker *w, Run *run, AmError *err)
{
  const char *path = w->potential_path;
  AmEamStyle style = g_str_has_suffix(path, ".fs") ? AM_EAM_FS : AM_EAM_ALLOY;
  if (am_eam_load(path, style, &run->eam, err) != AM_OK)
    return FALSE;
  am_system_init(&run->sys, run->eam, 1.0);
  /* Per-atom energies ride along in every snapshot, for colouring atoms by them. */
  run->sys.compute_flags |= AM_COMPUTE_PER_ATOM_ENERGY;
  run->sys.box = w->box;
  /* The thread takes over the copied atoms. */
  run->sys.atoms = w->atoms;
  memset(&w->atoms, 0, sizeof w->atoms);
  AmAtoms *a = &run->sys.atoms;
  run->by_id = g_new(IdIndex, a->n + 1);
  for (size_t i = 0; i < a->n; i++)
    run->by_id[i] = (IdIndex){a->id[i], i};
  qsort(run->by_id, a->n, sizeof *run->by_id, cmp_id);
  for (size_t i = 0; i < a->n; i++) {
    a->pinned[i] = w->pinned && w->pinned[i];
    if (a->pinned[i]) {
      am_box_to_frac(&run->sys.box, &a->x[3 * i], &a->pin_frac[3 * i]);
      a->v[3 * i] = a->v[3 * i + 1] = a->v[3 * i + 2] = 0;
    }
  }
  if (am_system_bind_types(&run->sys, w->have_names ? (const char *const *) w->element_names : NULL, err) != AM_OK)
    return FALSE;
  gboolean moving = FALSE;
  for (size_t k = 0; k < 3 * a->n && !moving; k++)
    moving = a->v[k] != 0;
  if (!moving && am_thermo_create_velocities(a, w->cfg.temperature, w->cfg.seed, 0, err) != AM_OK)
    return FALSE;
  AmIntegratorConfig icfg;
  am_integrator_config_init(&icfg, AM_ENSEMBLE_NVT, w->cfg.timestep);
  icfg.t_start = icfg.t_stop = w->cfg.temperature;
  if (am_integrator_init(&run->integ, &icfg, &run->sys, 0, err) != AM_OK)
    return FALSE;
  run->xu = g_new(double, 3 * a->n + 1);
  run->aff = g_new(double, 3 * a->n + 1);
  run->cls = g_new(uint8_t, a->n + 1);
  if (!apply_shear(w, run, w->cfg.shear_amplitude, w->cfg.shear_period, err))
    return FALSE;
  run->ready = TRUE;
  after_step(run);
  return TRUE;
}

static void apply(AmorphWorker *w, Run *run, const Cmd *c, gboolean *quit, AmError *err, gboolean *failed)
{
  switch (c->kind) {
  case CMD_RUN:
    run->running = run->ready;
    break;
  case CMD_PAUSE:
    run->running = FALSE;
    break;
  case CMD_STEP:
    run->running = FALSE;
    if (run->ready)
      run->frames_pending++;
    break;
  case CMD_QUIT:
    *quit = TRUE;
    break;
  case CMD_TEMPERATURE:
    w->cfg.temperature = c->value;
    if (run->ready) {
      /* From the target of this instant, so a ramp interrupted by a new request goes on
       * smoothly from where it was. */
      double from = am_integrator_target_temperature(&run->integ);
      double ps = fabs(c->value - from) / MAX(1e-3, w->cfg.temperature_rate);
      am_integrator_set_temperature_ramp(&run->integ, &run->sys, from, c->value, steps_of(run, ps));
    }
    break;
  case CMD_SHEAR:
    run->shear_pending = run->ready;
    run->next_amplitude = c->value;
    run->next_period = c->value2;
    if (!run->ready) {
      w->cfg.shear_amplitude = c->value;
      w->cfg.shear_period = c->value2;
    } else
      maybe_change_shear(w, run, err, failed);
    break;
  case CMD_SPEED:
    run->steps_per_frame = (int) c->value;
    break;
  case CMD_PIN: {
    if (!run->ready || c->index >= run->sys.atoms.n)
      break;
    AmAtoms *a = &run->sys.atoms;
    /* Commands name atoms in the caller's order; the engine may have reordered them. */
    long j = am_atoms_find_id(a, w->ids[c->index]);
    if (j < 0)
      break;
    a->pinned[j] = c->flag ? 1 : 0;
    if (c->flag)
      am_box_to_frac(&run->sys.box, &a->x[3 * j], &a->pin_frac[3 * j]);
    if (am_integrator_update_pinning(&run->integ, &run->sys, err) != AM_OK) {
      run->running = FALSE;
      *failed = TRUE;
    }
    break;
  }
  }
}

static gpointer thread_main(gpointer data)
{
  AmorphWorker *w = data;
  Run run = {0};
  run.steps_per_frame = MAX(1, w->cfg.steps_per_frame);
  AmError err = {0};
  if (!setup(w, &run, &err))
    publish(w, make_snapshot(w, &run, err.message));
  else
    publish(w, make_snapshot(w, &run, NULL));

  gboolean quit = FALSE;
  while (!quit) {
    gboolean busy = run.running || run.frames_pending > 0;
    Cmd *c = busy ? g_async_queue_try_pop(w->commands) : g_async_queue_pop(w->commands);
    gboolean failed = FALSE;
    while (c) {
      apply(w, &run, c, &quit, &err, &failed);
      g_free(c);
      c = g_async_queue_try_pop(w->commands);
    }
    if (quit)
      break;
    if (failed) {
      publish(w, make_snapshot(w, &run, err.message));
      continue;
    }
    if (!run.running && run.frames_pending == 0) {
      publish(w, make_snapshot(w, &run, NULL));
      continue;
    }
    if (!run.running)
      run.frames_pending--;
    gint64 t0 = g_get_monotonic_time();
    AmStatus st = AM_OK;
    int done = 0;
    /* A waiting command (pause, pin, quit) ends the frame early, so the window never waits
     * long for the worker to listen, even at many steps per frame. */
    while (done < run.steps_per_frame && st == AM_OK && !failed) {
      st = am_integrator_step(&run.integ, &run.sys, &err);
      done++;
      if (st != AM_OK)
        break;
      after_step(&run);
      maybe_change_shear(w, &run, &err, &failed);
      if (g_async_queue_length(w->commands) > 0)
        break;
    }
    gint64 t1 = g_get_monotonic_time();
    if (t1 > t0)
      run.steps_per_second = done * 1e6 / (double) (t1 - t0);
    if (st != AM_OK || failed) {
      run.running = FALSE;
      publish(w, make_snapshot(w, &run, err.message));
    } else
      publish(w, make_snapshot(w, &run, NULL));
  }

  g_free(run.by_id);
  g_free(run.xu);
  g_free(run.aff);
  g_free(run.cls);
  g_free(run.tr_t);
  g_free(run.tr_s);
  g_free(run.tr_g);
  am_sliding_classes_free(&run.sliding);
  am_system_free(&run.sys);
  am_eam_free(run.eam);
  worker_unref(w);
  return NULL;
}

/* ---- main-thread API ------------------------------------------------------------------ */

void amorph_worker_config_init(AmorphWorkerConfig *cfg)
{
  memset(cfg, 0, sizeof *cfg);
  cfg->temperature = 300;
  cfg->timestep = 0.002;
  cfg->seed = 20240101;
  cfg->steps_per_frame = 10;
  cfg->shear_amplitude = 0.01;
  cfg->shear_period = 10.0;
  cfg->window_periods = 2;
  cfg->temperature_rate = 100.0;
}

AmorphWorker *amorph_worker_new(const AmBox *box, const AmAtoms *atoms, const uint8_t *pinned,
                                const char *const *element_names, const AmorphWorkerConfig *cfg,
                                AmorphSnapshotFunc func, gpointer user_data)
{
  AmorphWorker *w = g_new0(AmorphWorker, 1);
  g_atomic_ref_count_init(&w->ref);
  g_mutex_init(&w->lock);
  w->commands = g_async_queue_new_full(g_free);
  w->context = g_main_context_ref_thread_default();
  w->func = func;
  w->user_data = user_data;
  w->box = *box;
  w->cfg = *cfg;
  w->potential_path = g_strdup(cfg->potential_path ? cfg->potential_path : "");
  w->cfg.potential_path = w->potential_path;
  AmError err = {0};
  if (am_atoms_copy(&w->atoms, atoms, &err) != AM_OK)
    g_error("out of memory copying %zu atoms for the worker", atoms->n);
  if (pinned)
    w->pinned = g_memdup2(pinned, atoms->n ? atoms->n : 1);
  if (element_names) {
    w->have_names = TRUE;
    for (int t = 0; t < atoms->ntypes && t < AM_MAX_TYPES; t++)
      w->element_names[t] = g_strdup(element_names[t] ? element_names[t] : "");
  }
  w->ids = g_memdup2(atoms->id, (atoms->n ? atoms->n : 1) * sizeof *atoms->id);
  w->thread = g_thread_new("amorph-worker", thread_main, worker_ref(w));
  return w;
}

static void send(AmorphWorker *w, CmdKind kind, double value, size_t index, gboolean flag)
{
  Cmd *c = g_new0(Cmd, 1);
  c->kind = kind;
  c->value = value;
  c->index = index;
  c->flag = flag;
  g_async_queue_push(w->commands, c);
}

void amorph_worker_free(AmorphWorker *w)
{
  if (!w)
    return;
  w->closed = TRUE;
  send(w, CMD_QUIT, 0, 0, FALSE);
  g_thread_join(w->thread);
  worker_unref(w);
}

void amorph_worker_run(AmorphWorker *w)
{
  send(w, CMD_RUN, 0, 0, FALSE);
}

void amorph_worker_pause(AmorphWorker *w)
{
  send(w, CMD_PAUSE, 0, 0, FALSE);
}

void amorph_worker_step(AmorphWorker *w)
{
  send(w, CMD_STEP, 0, 0, FALSE);
}

void amorph_worker_set_temperature(AmorphWorker *w, double temperature)
{
  if (temperature > 0 && isfinite(temperature))
    send(w, CMD_TEMPERATURE, temperature, 0, FALSE);
}

void amorph_worker_set_steps_per_frame(AmorphWorker *w, int steps)
{
  send(w, CMD_SPEED, MAX(1, steps), 0, FALSE);
}

void amorph_worker_set_pinned(AmorphWorker *w, size_t index, gboolean pinned)
{
  send(w, CMD_PIN, 0, index, pinned);
}

void amorph_worker_set_shear(AmorphWorker *w, double amplitude, double period)
{
  if (!(amplitude >= 0 && isfinite(amplitude) && period > 0 && isfinite(period)))
    return;
  Cmd *c = g_new0(Cmd, 1);
  c->kind = CMD_SHEAR;
  c->value = amplitude;
  c->value2 = period;
  g_async_queue_push(w->commands, c);
}
