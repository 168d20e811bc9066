/* protocol_md.c: molecular dynamics in one ensemble (NVE, NVT, NPT) for a number of steps,
 * with thermo.csv, an optional extended-XYZ trajectory, the final data file, and the
 * speed of the loop (atom-steps per second) for benchmarks. */
#include <math.h>
#include <string.h>

#include "experiment/protocols.h"
#include "sim/extxyz.h"
#include "sim/thermo.h"

/* Steps between cancellation checks and status-text refreshes: rare enough to cost
 * nothing, frequent enough to react within a fraction of a second. */
#define CHECK_INTERVAL 50

typedef struct {
  double n;
  double t, pe, p, vol;
  double e0, emin, emax;  /* conserved energy: first value, range */
} Averages;

static void accumulate(Averages *a, const AmIntegrator *integ, const AmSystem *sys)
{
  double e = am_integrator_conserved_energy(integ, sys);
  if (a->n == 0)
    a->e0 = a->emin = a->emax = e;
  a->emin = fmin(a->emin, e);
  a->emax = fmax(a->emax, e);
  a->n += 1;
  a->t += am_thermo_temperature(&sys->atoms);
  a->pe += sys->pe;
  a->p += am_thermo_pressure(sys);
  a->vol += am_box_volume(&sys->box);
}

static gboolean write_frame(AmXyzWriter *traj, const AmSystem *sys, GError **error)
{
  AmXyzColumn image = { "image", AM_XYZ_INT, 3, NULL, sys->atoms.image };
  AmError err = { 0 };
  if (am_extxyz_write_frame(traj, &sys->box, &sys->atoms, sys->time, sys->step, &image, 1, 0, &err)) {
    am_set_error_from_engine(error, &err, "trajectory.extxyz: ");
    return FALSE;
  }
  return TRUE;
}

static gboolean run_md(AmRunContext *ctx, AmLoadedSystem *ls, GError **error)
{
  const AmConfig *cfg = ctx->config;
  AmSystem *sys = &ls->sys;
  const char *ens_name = am_config_get_string(cfg, "md", "ensemble");
  AmEnsemble ens = strcmp(ens_name, "nve") == 0   ? AM_ENSEMBLE_NVE
                   : strcmp(ens_name, "nvt") == 0 ? AM_ENSEMBLE_NVT
                                                  : AM_ENSEMBLE_NPT;
  const double t_start = am_config_get_double(cfg, "md", "temperature_K");
  const gboolean ramp = am_config_is_set(cfg, "md", "temperature_stop_K");
  const double t_stop = ramp ? am_config_get_double(cfg, "md", "temperature_stop_K") : t_start;
  const gint64 nsteps = am_config_get_int(cfg, "md", "steps");
  const gint64 thermo_every = am_config_get_int(cfg, "md", "thermo_interval");
  const gint64 traj_every = am_config_get_int(cfg, "md", "trajectory_interval");
  AmError err = { 0 };

  const char *vel_how = NULL;
  if (!am_protocol_init_velocities(ctx, "md", ls, t_start, &vel_how, error))
    return FALSE;

  AmIntegratorConfig icfg;
  am_protocol_integrator_config(ctx, "md", ens, &icfg);
  icfg.t_start = t_start;
  icfg.t_stop = t_stop;
  icfg.p_start = icfg.p_stop = am_config_get_double(cfg, "md", "pressure_bar");
  const double shear_amp = am_config_get_double(cfg, "md", "shear_amplitude");
  if (shear_amp > 0.0) {
    if (ens == AM_ENSEMBLE_NPT) {
      g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID,
                  "[md] shear_amplitude = %g needs ensemble nve or nvt (the box is prescribed), not npt",
                  shear_amp);
      return FALSE;
    }
    icfg.shear.mode = AM_SHEAR_SINUSOIDAL;
    icfg.shear.amplitude = shear_amp;
    icfg.shear.period = am_config_get_double(cfg, "md", "shear_period_ps");
  }
  AmIntegrator integ;
  if (am_integrator_init(&integ, &icfg, sys, ramp ? nsteps : 0, &err)) {
    am_set_error_from_engine(error, &err, "[md] %s: ", ens_name);
    return FALSE;
  }

  g_autoptr(AmCsv) thermo = am_thermo_csv_open(ctx, "thermo.csv", NULL, 0, error);
  if (!thermo)
    return FALSE;
  AmXyzWriter *traj = NULL;
  if (traj_every > 0) {
    g_autofree char *path = am_protocol_output_path(ctx, "trajectory.extxyz");
    if (am_extxyz_open(path, false, &traj, &err)) {
      am_set_error_from_engine(error, &err, "%s", "");
      return FALSE;
    }
    am_provenance_add_output(ctx->provenance, "trajectory.extxyz");
  }

  Averages avg = { 0 };
  gboolean ok = am_thermo_csv_row(thermo, &integ, sys, error) && (!traj || write_frame(traj, sys, error));
  accumulate(&avg, &integ, sys);

  am_progress_begin(ctx->progress, nsteps, 1);
  am_progress_stage(ctx->progress, ens_name);
  g_autofree char *status = NULL;
  AmLoopTimer timer;
  am_loop_timer_start(&timer);
  for (gint64 s = 1; ok && s <= nsteps; s++) {
    if (am_integrator_step(&integ, sys, &err)) {
      am_set_error_from_engine(error, &err, "[md] step %" G_GINT64_FORMAT ": ", s);
      ok = FALSE;
      break;
    }
    accumulate(&avg, &integ, sys);
    if (s % thermo_every == 0 || s == nsteps)
      ok = am_thermo_csv_row(thermo, &integ, sys, error);
    if (ok && traj && s % traj_every == 0)
      ok = write_frame(traj, sys, error);
    if (s % CHECK_INTERVAL == 0) {
      if (am_progress_check_cancelled(ctx->progress, error))
        ok = FALSE;
      g_free(status);
      status = g_strdup_printf("T %.1f K", am_thermo_temperature(&sys->atoms));
    }
    am_progress_update(ctx->progress, s, status);
  }
  am_loop_timer_stop(&timer);

  if (traj && am_extxyz_close(traj, &err) && ok) {
    am_set_error_from_engine(error, &err, "trajectory.extxyz: ");
    ok = FALSE;
  }
  /* A run that blew up keeps its thermo rows: they show how it went wrong. */
  if (!am_csv_commit(g_steal_pointer(&thermo), ok ? error : NULL))
    ok = FALSE;
  if (!ok)
    return FALSE;

  if (!am_protocol_write_data(ctx, "final.data", sys, "Amorph md: final state", error))
    return FALSE;

  const double natoms = (double) sys->atoms.n;
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  am_json_add_string(b, "protocol", "md");
  am_json_add_string(b, "ensemble", ens_name);
  am_json_add_string(b, "velocities", vel_how);
  am_protocol_add_timing_json(b, ctx, &timer, sys->atoms.n, nsteps);
  json_builder_set_member_name(b, "final");
  json_builder_begin_object(b);
  am_protocol_add_state_json(b, sys);
  json_builder_end_object(b);
  json_builder_set_member_name(b, "averages");
  json_builder_begin_object(b);
  am_json_add_int(b, "samples", (gint64) avg.n);
  am_json_add_double(b, "temperature_K", avg.t / avg.n);
  am_json_add_double(b, "potential_energy_eV", avg.pe / avg.n);
  am_json_add_double(b, "pressure_bar", avg.p / avg.n);
  am_json_add_double(b, "volume_A3", avg.vol / avg.n);
  json_builder_end_object(b);
  /* The conserved quantity of the ensemble (etotal for NVE, plus the thermostat and
   * barostat energies otherwise): its spread over the run measures integration error. */
  json_builder_set_member_name(b, "conserved_energy");
  json_builder_begin_object(b);
  am_json_add_double(b, "initial_eV", avg.e0);
  am_json_add_double(b, "final_eV", am_integrator_conserved_energy(&integ, sys));
  am_json_add_double(b, "max_minus_min_eV", avg.emax - avg.emin);
  am_json_add_double(b, "max_minus_min_per_atom_eV", (avg.emax - avg.emin) / natoms);
  json_builder_end_object(b);
  json_builder_end_object(b);
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  g_autofree char *path = am_protocol_output_path(ctx, "results.json");
  if (!am_json_write_file(path, root, error))
    return FALSE;
  am_provenance_add_output(ctx->provenance, "results.json");
  const double speed = am_loop_timer_atom_steps_per_second(&timer, sys->atoms.n, nsteps);
  am_provenance_set_double(ctx->provenance, "atom_steps_per_second", speed);
  am_progress_message(ctx->progress, "%" G_GINT64_FORMAT " steps in %.3g s (%.4g atom-steps/s), final T %.2f K",
                      nsteps, timer.wall_s, speed, am_thermo_temperature(&sys->atoms));
  return TRUE;
}

gboolean am_protocol_md(AmRunContext *ctx, GError **error)
{
  AmLoadedSystem ls;
  gboolean ok = am_protocol_load_system(ctx, &ls, error) && run_md(ctx, &ls, error);
  am_loaded_system_clear(&ls);
  return ok;
}
