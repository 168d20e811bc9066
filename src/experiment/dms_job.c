/* dms_job.c: equilibration and replica jobs of an MD-DMS sweep, and their stored record. */
#include "experiment/dms_job.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "experiment/protocols.h"
#include "sim/checkpoint.h"
#include "sim/integrate.h"
#include "sim/shear.h"
#include "sim/thermo.h"

/* Steps between cancellation checks and progress counter updates. */
#define CHECK_INTERVAL 64

#define RECORD_MAGIC "AMDMSJ01"

/* ---- Parameters ------------------------------------------------------------------- */

/* round(a / b) when a/b is a whole number to within 1e-6, else -1. */
static gint64 whole_ratio(double a, double b)
{
  double q = a / b;
  double r = nearbyint(q);
  if (!isfinite(q) || r < 1 || fabs(q - r) > 1e-6 * fmax(1.0, r))
    return -1;
  return (gint64) r;
}

gboolean am_dms_params_finish(AmDmsParams *p, GError **error)
{
  if (!(p->dt > 0) || !(p->period > 0) || !(p->sample_interval > 0) || !(p->amplitude > 0)) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID,
                "[dms] timestep_ps, period_ps, sample_interval_ps and strain_amplitude must be > 0");
    return FALSE;
  }
  if (p->cycles < 1 || p->analysed_cycles < 1) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID, "[dms] cycles and analysed_cycles must be ≥ 1");
    return FALSE;
  }
  if (p->analysed_cycles > p->cycles) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID,
                "[dms] analysed_cycles = %d is more than [dms] cycles = %d: the analysed cycles are the "
                "last ones of the loading", p->analysed_cycles, p->cycles);
    return FALSE;
  }
  gint64 spc = whole_ratio(p->period, p->dt);
  if (spc < 2) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID,
                "[dms] period_ps = %g is not a whole number (≥ 2) of timesteps of %g ps", p->period, p->dt);
    return FALSE;
  }
  gint64 sample_steps = whole_ratio(p->sample_interval, p->dt);
  if (sample_steps < 1) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID,
                "[dms] sample_interval_ps = %g is not a whole number of timesteps of %g ps",
                p->sample_interval, p->dt);
    return FALSE;
  }
  if (spc % sample_steps != 0 || spc / sample_steps < 2) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID,
                "[dms] sample_interval_ps = %g does not divide period_ps = %g into at least two samples "
                "per cycle", p->sample_interval, p->period);
    return FALSE;
  }
  if (p->stress_interval < 1 || p->stress_interval > spc / 4) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID,
                "[dms] stress_interval_steps = %d: expected 1 to %" G_GINT64_FORMAT
                " (at least four stress samples per cycle of %" G_GINT64_FORMAT " steps)",
                p->stress_interval, spc / 4, spc);
    return FALSE;
  }
  if (p->equilibration < 0 || !isfinite(p->equilibration)) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID, "[dms] equilibration_ps must be ≥ 0");
    return FALSE;
  }
  if (p->trace_points_per_cycle < 4) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID, "[dms] trace_points_per_cycle must be ≥ 4");
    return FALSE;
  }
  /* The loaded window is cycles·t_p; the analysed part is its end. Exact multiples of the
   * timestep, so the tracker's sample times fall on steps. */
  p->disp.period = (double) spc * p->dt;
  p->disp.sample_interval = (double) sample_steps * p->dt;
  p->disp.window_start = (double) ((p->cycles - p->analysed_cycles) * spc) * p->dt;
  p->disp.n_cycles = p->analysed_cycles;
  AmError err = { 0 };
  if (am_displacement_params_validate(&p->disp, &err)) {
    am_set_error_from_engine(error, &err, "[dms] thresholds: ");
    return FALSE;
  }
  return TRUE;
}

gint64 am_dms_params_steps_per_cycle(const AmDmsParams *p)
{
  return (gint64) nearbyint(p->period / p->dt);
}

gint64 am_dms_params_replica_steps(const AmDmsParams *p)
{
  return am_dms_params_steps_per_cycle(p) * p->cycles;
}

gint64 am_dms_params_equilibration_steps(const AmDmsParams *p)
{
  return (gint64) nearbyint(p->equilibration / p->dt);
}

static gint64 sample_steps(const AmDmsParams *p)
{
  return (gint64) nearbyint(p->disp.sample_interval / p->dt);
}

/* The kind in the top byte, then pin set, temperature index and replica in fields wide
 * enough for any sweep (2^16 pin sets, 2^20 temperatures, 2^20 replicas). */
guint64 am_dms_stream_equilibrate(int tindex)
{
  return (G_GUINT64_CONSTANT(1) << 56) | ((guint64) tindex << 20);
}

guint64 am_dms_stream_replica(int pinset, int tindex, int replica)
{
  return (G_GUINT64_CONSTANT(2) << 56) | ((guint64) pinset << 40) | ((guint64) tindex << 20) | (guint64) replica;
}

guint64 am_dms_stream_pin_selection(int pinset)
{
  return (G_GUINT64_CONSTANT(3) << 56) | ((guint64) pinset << 40);
}

void am_dms_job_result_clear(AmDmsJobResult *res)
{
  am_displacement_counts_free(&res->counts);
  g_free(res->uprime_max);
  g_free(res->trace.t);
  g_free(res->trace.strain);
  g_free(res->trace.stress);
  memset(res, 0, sizeof *res);
}

static gboolean cancelled(const AmDmsJobControl *ctl, const AmDmsJobSpec *job, GError **error)
{
  /* A paused job holds its whole state, so resuming continues the same trajectory. */
  while (ctl && ctl->pause && g_atomic_int_get(ctl->pause) && !(ctl->cancel && g_atomic_int_get(ctl->cancel)))
    g_usleep(20000);
  if (ctl && ctl->cancel && g_atomic_int_get(ctl->cancel)) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "job %s: interrupted", job->id);
    return TRUE;
  }
  return FALSE;
}

static void report_steps(const AmDmsJobControl *ctl, gint64 done)
{
  if (ctl && ctl->steps_done)
    __atomic_store_n(ctl->steps_done, done, __ATOMIC_RELAXED);
}

/* ---- Equilibration ---------------------------------------------------------------- */

gboolean am_dms_equilibrate(const AmSystem *base, const AmDmsParams *p, const AmDmsJobSpec *job,
                            const AmDmsJobControl *ctl, AmSystem *out, double mean_box[3], GError **error)
{
  AmError err = { 0 };
  AmSystem *sys = out;
  am_system_init(sys, base->potential, base->skin);
  if (am_system_copy(sys, base, &err)) {
    am_set_error_from_engine(error, &err, "job %s: ", job->id);
    return FALSE;
  }
  sys->step = 0;
  sys->time = 0;
  memset(sys->atoms.pinned, 0, sys->atoms.n);
  memset(sys->atoms.affine, 0, 3 * sys->atoms.n * sizeof(double));
  if (am_thermo_create_velocities(&sys->atoms, job->temperature, p->seed, job->stream, &err)) {
    am_set_error_from_engine(error, &err, "job %s: velocities: ", job->id);
    return FALSE;
  }
  const gint64 nsteps = am_dms_params_equilibration_steps(p);
  mean_box[0] = sys->box.lx;
  mean_box[1] = sys->box.ly;
  mean_box[2] = sys->box.lz;
  if (nsteps > 0) {
    AmIntegratorConfig icfg;
    am_integrator_config_init(&icfg, AM_ENSEMBLE_NPT, p->dt);
    icfg.t_start = icfg.t_stop = job->temperature;
    icfg.p_start = icfg.p_stop = 0.0;
    icfg.t_damp = p->t_damp_steps * p->dt;
    icfg.p_damp = p->p_damp_steps * p->dt;
    icfg.t_chain = icfg.p_chain = p->chain;
    AmIntegrator integ;
    if (am_integrator_init(&integ, &icfg, sys, 0, &err)) {
      am_set_error_from_engine(error, &err, "job %s: NPT at %g K: ", job->id, job->temperature);
      return FALSE;
    }
    /* Plain sums in step order: deterministic, and the box varies by a fraction of a
     * percent, so there is no cancellation to fear. */
    double sum[3] = { 0, 0, 0 };
    gint64 count = 0;
    for (gint64 s = 1; s <= nsteps; s++) {
      if (am_integrator_step(&integ, sys, &err)) {
        am_set_error_from_engine(error, &err, "job %s: NPT at %g K, step %" G_GINT64_FORMAT ": ", job->id,
                                 job->temperature, s);
        return FALSE;
      }
      if (s > nsteps / 2) {
        sum[0] += sys->box.lx;
        sum[1] += sys->box.ly;
        sum[2] += sys->box.lz;
        count++;
      }
      if (s % CHECK_INTERVAL == 0) {
        report_steps(ctl, s);
        if (cancelled(ctl, job, error))
          return FALSE;
      }
    }
    for (int k = 0; k < 3; k++)
      mean_box[k] = sum[k] / (double) count;
    AmBox old = sys->box, fixed = sys->box;
    double hi[3];
    am_box_hi(&old, hi);
    /* The box keeps its centre, as LAMMPS' barostat dilates about it. */
    for (int k = 0; k < 3; k++)
      fixed.lo[k] = 0.5 * (old.lo[k] + hi[k]) - 0.5 * mean_box[k];
    fixed.lx = mean_box[0];
    fixed.ly = mean_box[1];
    fixed.lz = mean_box[2];
    /* Tilts scale with the heights they belong to, as a barostat's dilation would. */
    fixed.xy = old.xy * mean_box[1] / old.ly;
    fixed.xz = old.xz * mean_box[2] / old.lz;
    fixed.yz = old.yz * mean_box[2] / old.lz;
    am_shear_remap(&old, &fixed, &sys->atoms);
    sys->box = fixed;
    report_steps(ctl, nsteps);
  }
  memset(sys->atoms.affine, 0, 3 * sys->atoms.n * sizeof(double));
  sys->step = 0;
  sys->time = 0;
  am_system_invalidate(sys);
  if (am_system_compute_forces(sys, &err)) {
    am_set_error_from_engine(error, &err, "job %s: forces in the fixed box: ", job->id);
    return FALSE;
  }
  return TRUE;
}

/* ---- Replica ---------------------------------------------------------------------- */

static void trace_append(AmDmsTrace *tr, gsize *cap, double t, double strain, double stress)
{
  if (tr->n == *cap) {
    *cap = *cap ? 2 * *cap : 256;
    tr->t = g_renew(double, tr->t, *cap);
    tr->strain = g_renew(double, tr->strain, *cap);
    tr->stress = g_renew(double, tr->stress, *cap);
  }
  tr->t[tr->n] = t;
  tr->strain[tr->n] = strain;
  tr->stress[tr->n] = stress;
  tr->n++;
}

gboolean am_dms_replica_run(const AmSystem *start, const guint8 *pinned, const AmDmsParams *p,
                            const AmDmsJobSpec *job, const AmDmsJobControl *ctl, AmDmsJobResult *res,
                            GError **error)
{
  AmError err = { 0 };
  AmSystem sys;
  AmIntegrator integ;
  AmDmsAccumulator acc;
  AmDisplacementTracker tr = { 0 };
  gboolean ok = FALSE;
  double *xu = NULL;
  guint8 *cls = NULL;
  gsize trace_cap = 0;
  const gint64 t0_us = g_get_monotonic_time();

  am_system_init(&sys, start->potential, start->skin);
  if (am_system_copy(&sys, start, &err)) {
    am_set_error_from_engine(error, &err, "job %s: ", job->id);
    goto out;
  }
  const gsize n = sys.atoms.n;
  sys.step = 0;
  sys.time = 0;
  memset(sys.atoms.affine, 0, 3 * n * sizeof(double));
  for (gsize i = 0; i < n; i++) {
    sys.atoms.pinned[i] = pinned ? (pinned[i] != 0) : 0;
    if (sys.atoms.pinned[i]) {
      am_box_to_frac(&sys.box, sys.atoms.x + 3 * i, sys.atoms.pin_frac + 3 * i);
    }
  }
  if (am_thermo_create_velocities(&sys.atoms, job->temperature, p->seed, job->stream, &err)) {
    am_set_error_from_engine(error, &err, "job %s: velocities: ", job->id);
    goto out;
  }

  AmIntegratorConfig icfg;
  am_integrator_config_init(&icfg, AM_ENSEMBLE_NVT, p->dt);
  icfg.t_start = icfg.t_stop = job->temperature;
  icfg.t_damp = p->t_damp_steps * p->dt;
  icfg.t_chain = icfg.p_chain = p->chain;
  icfg.shear.mode = AM_SHEAR_SINUSOIDAL;
  icfg.shear.amplitude = p->amplitude;
  icfg.shear.period = p->disp.period;
  am_system_invalidate(&sys);
  if (am_integrator_init(&integ, &icfg, &sys, 0, &err)) {
    am_set_error_from_engine(error, &err, "job %s: NVT at %g K: ", job->id, job->temperature);
    goto out;
  }
  if (am_dms_accumulator_init(&acc, p->disp.period, &err) ||
      am_displacement_tracker_init(&tr, n, &p->disp, &err)) {
    am_set_error_from_engine(error, &err, "job %s: ", job->id);
    goto out;
  }
  xu = g_new(double, 3 * n);
  if (ctl && ctl->watch)
    cls = g_new0(guint8, n);

  const gint64 spc = am_dms_params_steps_per_cycle(p);
  const gint64 total = spc * p->cycles;
  const gint64 window = spc * (p->cycles - p->analysed_cycles);
  const gint64 every_sample = sample_steps(p);
  gint64 every_trace = spc / p->trace_points_per_cycle;
  if (every_trace < 1)
    every_trace = 1;
  double tsum = 0;
  gint64 tcount = 0;

  for (gint64 s = 0; s <= total; s++) {
    if (s > 0 && am_integrator_step(&integ, &sys, &err)) {
      am_set_error_from_engine(error, &err, "job %s: step %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " at %g K: ",
                               job->id, s, total, job->temperature);
      goto out;
    }
    const gboolean want_stress = (s > window && s % p->stress_interval == 0) ||
                                 (job->keep_trace && s % every_trace == 0) || s % every_sample == 0;
    double sigma[6] = { 0 };
    if (want_stress)
      am_thermo_stress(&sys, sigma);
    const double strain = am_integrator_strain(&integ, &sys);
    if (s > window && s % p->stress_interval == 0) {
      if (am_dms_accumulator_add(&acc, sys.time, sigma[AM_XY], &err)) {
        am_set_error_from_engine(error, &err, "job %s: stress at %g ps: ", job->id, sys.time);
        goto out;
      }
      tsum += am_thermo_temperature(&sys.atoms);
      tcount++;
    }
    if (job->keep_trace && s % every_trace == 0)
      trace_append(&res->trace, &trace_cap, sys.time, strain, sigma[AM_XY]);
    if (s % every_sample == 0) {
      for (gsize i = 0; i < n; i++)
        am_box_unwrap(&sys.box, sys.atoms.x + 3 * i, sys.atoms.image + 3 * i, xu + 3 * i);
      if (s >= window && am_displacement_tracker_add(&tr, sys.time, xu, sys.atoms.affine, &err)) {
        am_set_error_from_engine(error, &err, "job %s: displacements at %g ps: ", job->id, sys.time);
        goto out;
      }
      if (s >= window && ctl && ctl->trajectory &&
          am_trajectory_add(ctl->trajectory, sys.time, xu, sys.atoms.affine, &err)) {
        am_set_error_from_engine(error, &err, "job %s: trajectories at %g ps: ", job->id, sys.time);
        goto out;
      }
      if (ctl && ctl->watch) {
        am_displacement_classes(&tr, cls);
        AmDmsSnapshot snap = {
          .job = job, .time = sys.time, .strain = strain, .stress = sigma[AM_XY],
          .cycle = (int) MIN(s / spc, p->cycles - 1), .cycles = p->cycles, .box = &sys.box, .n = n,
          .x = sys.atoms.x, .type = sys.atoms.type, .pinned = sys.atoms.pinned, .cls = cls,
          .trace = &res->trace, .id = sys.atoms.id,
        };
        if (s >= window && tr.next_sample > 0) {
          snap.uprime_max = tr.uprime_max;
          snap.x_unwrapped = xu;
          snap.affine = sys.atoms.affine;
          snap.q_start = tr.q_start;
        }
        ctl->watch(&snap, ctl->watch_data);
      }
    }
    if (s % CHECK_INTERVAL == 0) {
      report_steps(ctl, s);
      if (cancelled(ctl, job, error))
        goto out;
    }
  }
  report_steps(ctl, total);

  if (!am_displacement_tracker_complete(&tr)) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID, "job %s: the displacement window did not complete",
                job->id);
    goto out;
  }
  if (am_dms_accumulator_solve(&acc, p->amplitude, &res->fit, &err)) {
    am_set_error_from_engine(error, &err, "job %s: sinusoid fit: ", job->id);
    goto out;
  }
  AmDisplacementSummary sum;
  if (am_displacement_summary(&tr, sys.atoms.type, sys.atoms.ntypes, &sum, &err) ||
      am_displacement_counts_init(&res->counts, n, &p->disp, &err) ||
      am_displacement_counts_add_run(&res->counts, &tr, &err)) {
    am_set_error_from_engine(error, &err, "job %s: displacements: ", job->id);
    goto out;
  }
  res->mean_temperature = tcount ? tsum / (double) tcount : NAN;
  res->n_va = sum.va.total;
  res->n_ra = sum.ra.total;
  res->n_fa = sum.fa.total;
  res->n_selected = sum.selected.total;
  res->f_va = sum.f_va;
  res->f_ra = sum.f_ra;
  res->f_fa = sum.f_fa;
  res->f_jump = sum.f_jump;
  res->uprime_max = g_new(float, n);
  for (gsize i = 0; i < n; i++)
    res->uprime_max[i] = (float) tr.uprime_max[i];
  res->steps = total;
  res->wall_s = (double) (g_get_monotonic_time() - t0_us) * 1e-6;
  ok = TRUE;

out:
  am_displacement_tracker_free(&tr);
  am_system_free(&sys);
  g_free(xu);
  g_free(cls);
  return ok;
}

/* ---- Record ----------------------------------------------------------------------- */

static void put(GByteArray *b, const void *data, gsize len)
{
  g_byte_array_append(b, data, (guint) len);
}

static void put_u64(GByteArray *b, guint64 v)
{
  put(b, &v, sizeof v);
}

static void put_f64(GByteArray *b, double v)
{
  put(b, &v, sizeof v);
}

static void put_fit(GByteArray *b, const AmDmsFit *f)
{
  put_u64(b, f->n);
  const double v[] = { f->omega, f->strain_amplitude, f->sigma0, f->a, f->b, f->amplitude, f->phase,
                       f->storage, f->loss, f->residual_rms, f->se_sigma0, f->se_a, f->se_b,
                       f->se_amplitude, f->se_phase, f->se_storage, f->se_loss };
  put(b, v, sizeof v);
}

GBytes *am_dms_job_result_encode(const AmDmsJobResult *res, const char *fingerprint)
{
  GByteArray *b = g_byte_array_new();
  char fp[64] = { 0 };
  memcpy(fp, fingerprint, MIN(strlen(fingerprint), sizeof fp));
  put(b, RECORD_MAGIC, 8);
  const guint32 order = 0x01020304u;
  put(b, &order, sizeof order);
  put(b, fp, sizeof fp);
  put_u64(b, res->counts.n);
  put_fit(b, &res->fit);
  put_f64(b, res->mean_temperature);
  put_u64(b, res->n_va);
  put_u64(b, res->n_ra);
  put_u64(b, res->n_fa);
  put_u64(b, res->n_selected);
  put_f64(b, res->f_va);
  put_f64(b, res->f_ra);
  put_f64(b, res->f_fa);
  put_f64(b, res->f_jump);
  gsize clen = am_displacement_counts_serialize(&res->counts, NULL, 0);
  put_u64(b, clen);
  guint oldlen = b->len;
  g_byte_array_set_size(b, oldlen + (guint) clen);
  am_displacement_counts_serialize(&res->counts, b->data + oldlen, clen);
  put(b, res->uprime_max, res->counts.n * sizeof(float));
  put_u64(b, res->trace.n);
  put(b, res->trace.t, res->trace.n * sizeof(double));
  put(b, res->trace.strain, res->trace.n * sizeof(double));
  put(b, res->trace.stress, res->trace.n * sizeof(double));
  guint32 crc = am_crc32c(0, b->data, b->len);
  put(b, &crc, sizeof crc);
  return g_byte_array_free_to_bytes(b);
}

typedef struct {
  const guint8 *p;
  gsize len, pos;
  gboolean bad;
} Reader;

static gboolean get(Reader *r, void *dst, gsize size)
{
  if (r->bad || size > r->len - r->pos) {
    r->bad = TRUE;
    memset(dst, 0, size);
    return FALSE;
  }
  memcpy(dst, r->p + r->pos, size);
  r->pos += size;
  return TRUE;
}

static guint64 get_u64(Reader *r)
{
  guint64 v;
  get(r, &v, sizeof v);
  return v;
}

static double get_f64(Reader *r)
{
  double v;
  get(r, &v, sizeof v);
  return v;
}

static void get_fit(Reader *r, AmDmsFit *f)
{
  f->n = get_u64(r);
  double v[17];
  get(r, v, sizeof v);
  double *dst[] = { &f->omega, &f->strain_amplitude, &f->sigma0, &f->a, &f->b, &f->amplitude, &f->phase,
                    &f->storage, &f->loss, &f->residual_rms, &f->se_sigma0, &f->se_a, &f->se_b,
                    &f->se_amplitude, &f->se_phase, &f->se_storage, &f->se_loss };
  for (int k = 0; k < 17; k++)
    *dst[k] = v[k];
}

gboolean am_dms_job_result_decode(const void *data, gsize len, const char *name, gsize natoms,
                                  AmDmsJobResult *res, char fingerprint[65], GError **error)
{
  const guint8 *bytes = data;
  if (len < 8 + 4 + 64 + 4 || memcmp(bytes, RECORD_MAGIC, 8) != 0) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_FORMAT, "%s: not an Amorph MD-DMS job record (expected %s)", name,
                RECORD_MAGIC);
    return FALSE;
  }
  guint32 crc, order;
  memcpy(&crc, bytes + len - 4, 4);
  memcpy(&order, bytes + 8, 4);
  if (order != 0x01020304u) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_FORMAT, "%s: written on a machine of the other byte order", name);
    return FALSE;
  }
  if (am_crc32c(0, bytes, len - 4) != crc) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_FORMAT, "%s: checksum mismatch (file damaged)", name);
    return FALSE;
  }
  Reader r = { bytes, len - 4, 12, FALSE };
  AmError err = { 0 };
  get(&r, fingerprint, 64);
  fingerprint[64] = '\0';
  guint64 n = get_u64(&r);
  if (n != natoms) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_FORMAT, "%s: record of %" G_GUINT64_FORMAT " atoms, expected %zu",
                name, n, (size_t) natoms);
    return FALSE;
  }
  get_fit(&r, &res->fit);
  res->mean_temperature = get_f64(&r);
  res->n_va = get_u64(&r);
  res->n_ra = get_u64(&r);
  res->n_fa = get_u64(&r);
  res->n_selected = get_u64(&r);
  res->f_va = get_f64(&r);
  res->f_ra = get_f64(&r);
  res->f_fa = get_f64(&r);
  res->f_jump = get_f64(&r);
  guint64 clen = get_u64(&r);
  if (r.bad || clen > r.len - r.pos) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_FORMAT, "%s: truncated record", name);
    return FALSE;
  }
  gsize used = 0;
  if (am_displacement_counts_deserialize(&res->counts, r.p + r.pos, clen, &used, &err)) {
    am_set_error_from_engine(error, &err, "%s: ", name);
    return FALSE;
  }
  r.pos += clen;
  if (res->counts.n != natoms) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_FORMAT, "%s: displacement counts of %zu atoms, expected %zu", name,
                (size_t) res->counts.n, (size_t) natoms);
    am_dms_job_result_clear(res);
    return FALSE;
  }
  res->uprime_max = g_new(float, natoms);
  get(&r, res->uprime_max, natoms * sizeof(float));
  guint64 tn = get_u64(&r);
  if (r.bad || tn > (r.len - r.pos) / (3 * sizeof(double))) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_FORMAT, "%s: truncated record", name);
    am_dms_job_result_clear(res);
    return FALSE;
  }
  res->trace.n = tn;
  res->trace.t = g_new(double, tn + 1);
  res->trace.strain = g_new(double, tn + 1);
  res->trace.stress = g_new(double, tn + 1);
  get(&r, res->trace.t, tn * sizeof(double));
  get(&r, res->trace.strain, tn * sizeof(double));
  get(&r, res->trace.stress, tn * sizeof(double));
  if (r.bad || r.pos != r.len) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_FORMAT, "%s: record length does not match its contents", name);
    am_dms_job_result_clear(res);
    return FALSE;
  }
  return TRUE;
}

gboolean am_dms_job_result_roundtrip(AmDmsJobResult *res, GError **error)
{
  g_autoptr(GBytes) bytes = am_dms_job_result_encode(res, "");
  AmDmsJobResult copy = { 0 };
  char fp[65];
  gsize len = 0;
  const void *data = g_bytes_get_data(bytes, &len);
  if (!am_dms_job_result_decode(data, len, "job record", res->counts.n, &copy, fp, error))
    return FALSE;
  copy.wall_s = res->wall_s;
  copy.steps = res->steps;
  am_dms_job_result_clear(res);
  *res = copy;
  return TRUE;
}
