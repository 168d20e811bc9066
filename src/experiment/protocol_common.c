/* protocol_common.c: what the protocols share (see protocols.h). */
#include "experiment/protocols.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "sim/thermo.h"
#include "sim/units.h"

G_DEFINE_QUARK(am-engine-error-quark, am_engine_error)

void am_set_error_from_engine(GError **error, const AmError *err, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *prefix = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(error, AM_ENGINE_ERROR, (int) err->code, "%s%s", prefix, err->message);
}

char *am_protocol_output_path(const AmRunContext *ctx, const char *name)
{
  return g_build_filename(ctx->output_dir, name, NULL);
}

void am_loaded_system_clear(AmLoadedSystem *ls)
{
  if (ls->initialised)
    am_system_free(&ls->sys);
  am_eam_free(ls->eam);
  memset(ls, 0, sizeof *ls);
}

/* The potential of [system] and an empty system bound to it. */
static gboolean load_potential(AmRunContext *ctx, AmLoadedSystem *ls, GError **error)
{
  const AmConfig *cfg = ctx->config;
  const char *pot_path = am_config_get_string(cfg, "system", "potential");
  const char *style_name = am_config_get_string(cfg, "system", "potential_style");
  AmEamStyle style = strcmp(style_name, "alloy") == 0 ? AM_EAM_ALLOY : AM_EAM_FS;
  AmError err = { 0 };

  memset(ls, 0, sizeof *ls);
  if (!am_provenance_add_input(ctx->provenance, "potential", pot_path, error))
    return FALSE;
  if (am_eam_load(pot_path, style, &ls->eam, &err)) {
    am_set_error_from_engine(error, &err, "[system] potential: ");
    return FALSE;
  }
  am_system_init(&ls->sys, ls->eam, am_config_get_double(cfg, "system", "skin_A"));
  ls->initialised = TRUE;
  return TRUE;
}

/* Binds the atoms' types to [system] elements, checks them and computes forces once.
 * source names the atoms' origin in messages. */
static gboolean finish_system(AmRunContext *ctx, AmLoadedSystem *ls, const char *source, GError **error)
{
  const AmConfig *cfg = ctx->config;
  const char *pot_path = am_config_get_string(cfg, "system", "potential");
  AmError err = { 0 };

  /* The config names the element of each type; a data file that labels its types
   * differently is a contradiction to resolve, not to guess about. */
  const char *const *elements = am_config_get_words(cfg, "system", "elements");
  int nel = (int) g_strv_length((char **) elements);
  AmAtoms *atoms = &ls->sys.atoms;
  if (nel != atoms->ntypes) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID,
                "[system] elements lists %d element%s (%s) but %s has %d atom type%s", nel,
                nel == 1 ? "" : "s", am_config_get_text(cfg, "system", "elements"), source,
                atoms->ntypes, atoms->ntypes == 1 ? "" : "s");
    return FALSE;
  }
  for (int t = 0; t < atoms->ntypes; t++) {
    if (atoms->type_label[t][0] && g_ascii_strcasecmp(atoms->type_label[t], elements[t]) != 0) {
      g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID,
                  "%s labels atom type %d as %s but [system] elements says %s", source, t + 1,
                  atoms->type_label[t], elements[t]);
      return FALSE;
    }
  }
  if (am_system_bind_types(&ls->sys, elements, &err)) {
    am_set_error_from_engine(error, &err, "%s with %s: ", source, pot_path);
    return FALSE;
  }
  if (am_atoms_validate(atoms, &err)) {
    am_set_error_from_engine(error, &err, "%s: ", source);
    return FALSE;
  }
  if (atoms->n == 0) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID, "%s has no atoms", source);
    return FALSE;
  }
  if (am_system_compute_forces(&ls->sys, &err)) {
    am_set_error_from_engine(error, &err, "forces of %s: ", source);
    return FALSE;
  }
  am_progress_message(ctx->progress, "%zu atoms, %d types, box %.4g × %.4g × %.4g Å%s, potential %s",
                      atoms->n, atoms->ntypes, ls->sys.box.lx, ls->sys.box.ly, ls->sys.box.lz,
                      am_box_is_triclinic(&ls->sys.box) ? " (triclinic)" : "",
                      ls->eam->source[0] ? ls->eam->source : pot_path);
  return TRUE;
}

gboolean am_protocol_load_system(AmRunContext *ctx, AmLoadedSystem *ls, GError **error)
{
  const char *data_path = am_config_get_string(ctx->config, "system", "data");
  AmError err = { 0 };
  if (!load_potential(ctx, ls, error) || !am_provenance_add_input(ctx->provenance, "data", data_path, error))
    return FALSE;
  if (am_data_read(data_path, &ls->sys.box, &ls->sys.atoms, &ls->info, &err)) {
    am_set_error_from_engine(error, &err, "[system] data: ");
    return FALSE;
  }
  return finish_system(ctx, ls, data_path, error);
}

gboolean am_protocol_load_system_lattice(AmRunContext *ctx, AmLoadedSystem *ls, AmLatticeSpec *spec,
                                         GError **error)
{
  AmError err = { 0 };
  if (!load_potential(ctx, ls, error))
    return FALSE;
  /* Species, masses and labels come from the potential's elements named in [system]. */
  const char *const *elements = am_config_get_words(ctx->config, "system", "elements");
  spec->ntypes = (int) g_strv_length((char **) elements);
  for (int t = 0; t < spec->ntypes; t++) {
    const int e = am_eam_find_element(ls->eam, elements[t]);
    if (e < 0) {
      g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID, "[system] elements: %s is not in the potential %s",
                  elements[t], am_config_get_string(ctx->config, "system", "potential"));
      return FALSE;
    }
    spec->mass[t] = am_eam_element_mass(ls->eam, e);
    g_strlcpy(spec->label[t], elements[t], sizeof spec->label[t]);
  }
  if (am_lattice_random_b2(spec, &ls->sys.box, &ls->sys.atoms, &err)) {
    am_set_error_from_engine(error, &err, "B2 start: ");
    return FALSE;
  }
  am_system_invalidate(&ls->sys);
  return finish_system(ctx, ls, "the B2 start", error);
}

gboolean am_protocol_init_velocities(AmRunContext *ctx, const char *section, AmLoadedSystem *ls,
                                     double temperature_K, const char **how, GError **error)
{
  const char *mode = am_config_get_string(ctx->config, section, "velocities");
  gboolean from_file = strcmp(mode, "file") == 0 || (strcmp(mode, "auto") == 0 && ls->info.has_velocities);
  if (from_file) {
    if (!ls->info.has_velocities) {
      g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID,
                  "[%s] velocities = file, but %s has no Velocities section", section,
                  am_config_get_string(ctx->config, "system", "data"));
      return FALSE;
    }
    *how = "file";
    return TRUE;
  }
  AmError err = { 0 };
  guint64 seed = (guint64) am_config_get_int(ctx->config, section, "seed");
  if (am_thermo_create_velocities(&ls->sys.atoms, temperature_K, seed, 0, &err)) {
    am_set_error_from_engine(error, &err, "creating velocities: ");
    return FALSE;
  }
  *how = "created";
  return TRUE;
}

void am_protocol_integrator_config(const AmRunContext *ctx, const char *section, AmEnsemble ensemble,
                                   AmIntegratorConfig *icfg)
{
  const AmConfig *cfg = ctx->config;
  double dt = am_config_get_double(cfg, section, "timestep_ps");
  am_integrator_config_init(icfg, ensemble, dt);
  icfg->t_damp = am_config_get_double(cfg, section, "thermostat_damp_timesteps") * dt;
  icfg->p_damp = am_config_get_double(cfg, section, "barostat_damp_timesteps") * dt;
  icfg->t_chain = (int) am_config_get_int(cfg, section, "chain_length");
  icfg->p_chain = icfg->t_chain;
  icfg->coupling = strcmp(am_config_get_string(cfg, section, "barostat_coupling"), "aniso") == 0
                       ? AM_BARO_ANISO
                       : AM_BARO_ISO;
}

static const char *const thermo_columns[] = {
  "step", "time_ps", "temperature_K", "target_temperature_K", "pe_eV", "ke_eV", "etotal_eV",
  "econserved_eV", "pressure_bar", "pxx_bar", "pyy_bar", "pzz_bar", "pxy_bar", "pxz_bar",
  "pyz_bar", "volume_A3", "lx_A", "ly_A", "lz_A", "xy_A", "xz_A", "yz_A", NULL,
};

AmCsv *am_thermo_csv_open(AmRunContext *ctx, const char *name, const char *saved, gsize saved_len, GError **error)
{
  g_autofree char *path = am_protocol_output_path(ctx, name);
  AmCsv *csv = saved ? am_csv_open_continued(path, thermo_columns, saved, saved_len, error)
                     : am_csv_open(path, thermo_columns, error);
  if (csv)
    am_provenance_add_output(ctx->provenance, name);
  return csv;
}

gboolean am_thermo_csv_row(AmCsv *csv, const AmIntegrator *integ, const AmSystem *sys, GError **error)
{
  double p[6];
  am_thermo_pressure_tensor(sys, p);
  const double ke = am_thermo_kinetic_energy(&sys->atoms);
  am_csv_add_int(csv, sys->step);
  am_csv_add_double(csv, sys->time);
  am_csv_add_double(csv, am_thermo_temperature(&sys->atoms));
  am_csv_add_double(csv, integ->config.ensemble == AM_ENSEMBLE_NVE
                             ? NAN
                             : am_integrator_target_temperature(integ));
  am_csv_add_double(csv, sys->pe);
  am_csv_add_double(csv, ke);
  am_csv_add_double(csv, sys->pe + ke);
  am_csv_add_double(csv, am_integrator_conserved_energy(integ, sys));
  am_csv_add_double(csv, (p[0] + p[1] + p[2]) / 3.0);
  for (int k = 0; k < 6; k++)
    am_csv_add_double(csv, p[k]);
  am_csv_add_double(csv, am_box_volume(&sys->box));
  am_csv_add_double(csv, sys->box.lx);
  am_csv_add_double(csv, sys->box.ly);
  am_csv_add_double(csv, sys->box.lz);
  am_csv_add_double(csv, sys->box.xy);
  am_csv_add_double(csv, sys->box.xz);
  am_csv_add_double(csv, sys->box.yz);
  return am_csv_end_row(csv, error);
}

gboolean am_protocol_write_data(AmRunContext *ctx, const char *name, const AmSystem *sys,
                                const char *title, GError **error)
{
  g_autofree char *path = am_protocol_output_path(ctx, name);
  AmError err = { 0 };
  gboolean vel = am_config_get_bool(ctx->config, "output", "write_velocities");
  if (am_data_write(path, &sys->box, &sys->atoms, title, vel, &err)) {
    am_set_error_from_engine(error, &err, "writing %s: ", name);
    return FALSE;
  }
  am_provenance_add_output(ctx->provenance, name);
  return TRUE;
}

void am_protocol_add_state_json(JsonBuilder *b, const AmSystem *sys)
{
  double p[6];
  am_thermo_pressure_tensor(sys, p);
  const double n = (double) sys->atoms.n;
  const double ke = am_thermo_kinetic_energy(&sys->atoms);
  const double vol = am_box_volume(&sys->box);
  double mass = 0;
  for (size_t i = 0; i < sys->atoms.n; i++)
    mass += sys->atoms.mass[sys->atoms.type[i]];
  am_json_add_int(b, "natoms", (gint64) sys->atoms.n);
  am_json_add_int(b, "step", sys->step);
  am_json_add_double(b, "time_ps", sys->time);
  am_json_add_double(b, "potential_energy_eV", sys->pe);
  am_json_add_double(b, "potential_energy_per_atom_eV", sys->pe / n);
  am_json_add_double(b, "kinetic_energy_eV", ke);
  am_json_add_double(b, "temperature_K", am_thermo_temperature(&sys->atoms));
  am_json_add_double(b, "pressure_bar", (p[0] + p[1] + p[2]) / 3.0);
  am_json_add_tensor6(b, "pressure_tensor_bar", p);
  am_json_add_tensor6(b, "virial_eV", sys->virial);
  am_json_add_double(b, "volume_A3", vol);
  am_json_add_double(b, "volume_per_atom_A3", vol / n);
  /* amu/Å³ to g/cm³: 1 amu = 1.66053906660e-24 g, 1 Å³ = 1e-24 cm³. */
  am_json_add_double(b, "density_g_cm3", mass * 1.66053906660 / vol);
  json_builder_set_member_name(b, "box");
  json_builder_begin_object(b);
  am_json_add_vector3(b, "lo_A", sys->box.lo);
  am_json_add_double(b, "lx_A", sys->box.lx);
  am_json_add_double(b, "ly_A", sys->box.ly);
  am_json_add_double(b, "lz_A", sys->box.lz);
  am_json_add_double(b, "xy_A", sys->box.xy);
  am_json_add_double(b, "xz_A", sys->box.xz);
  am_json_add_double(b, "yz_A", sys->box.yz);
  json_builder_end_object(b);
}

static double process_cpu_seconds(void)
{
  struct timespec ts;
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
    return NAN;
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

void am_loop_timer_start(AmLoopTimer *t)
{
  t->wall0_us = g_get_monotonic_time();
  t->cpu0 = process_cpu_seconds();
  t->wall_s = t->cpu_s = 0;
}

void am_loop_timer_stop(AmLoopTimer *t)
{
  t->wall_s = (double) (g_get_monotonic_time() - t->wall0_us) * 1e-6;
  t->cpu_s = process_cpu_seconds() - t->cpu0;
}

static double rate(double work, double seconds)
{
  return seconds > 0 && work > 0 ? work / seconds : NAN;
}

double am_loop_timer_atom_steps_per_second(const AmLoopTimer *t, gsize natoms, gint64 steps)
{
  const double r = rate((double) natoms * (double) steps, t->wall_s);
  return isfinite(r) ? r : 0;
}

void am_protocol_add_timing_json(JsonBuilder *b, const AmRunContext *ctx, const AmLoopTimer *t, gsize natoms,
                                 gint64 steps)
{
  const double work = (double) natoms * (double) steps;
  am_json_add_int(b, "steps", steps);
  am_json_add_int(b, "threads", ctx->threads);
  am_json_add_double(b, "loop_seconds", t->wall_s);
  am_json_add_double(b, "atom_steps_per_second", rate(work, t->wall_s));
  am_json_add_double(b, "steps_per_second", rate((double) steps, t->wall_s));
  am_json_add_double(b, "loop_cpu_seconds", t->cpu_s);
  am_json_add_double(b, "atom_steps_per_cpu_second", rate(work, t->cpu_s));
}
