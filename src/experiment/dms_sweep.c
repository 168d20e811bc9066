/* dms_sweep.c: expanding a dms-sweep or pinning config into jobs, running and resuming
 * them, folding replicas into per-temperature results, and writing the result files. */
#include "experiment/dms_sweep.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "analysis/histogram.h"
#include "experiment/atom_ids.h"
#include "experiment/atomic_file.h"
#include "experiment/batch.h"
#include "experiment/results.h"
#include "experiment/scheduler.h"
#include "sim/checkpoint.h"
#include "sim/rng.h"
#include "sim/units.h"

/* Bumped whenever a job's numbers would change for the same inputs, so that --resume
 * refuses records made by an incompatible build. */
#define FINGERPRINT_VERSION "amorph-dms-job 1"
#define DEFAULT_SAMPLE "samples/cu50zr50-4000.data"

/* ---- Plan: what the config asks for -------------------------------------------- */

typedef struct {
  AmPinKind kind;
  char name[16];
  gboolean hidden;          /* exists only to select another set's atoms */
  GArray *tindex;           /* int: temperatures of this set (indices into Plan.temps) */
  gint64 count;             /* AUTO_RA / RANDOM_VA: atoms to pin; ≤ 0: 2 % of the atoms */
  int select_from;          /* set whose replicas at the selection temperature choose the atoms */
  int size_from;            /* RANDOM_VA in the pinning protocol: as many as this set pinned */
  int exclude_from;         /* RANDOM_VA: never pick atoms pinned by this set */
  char *ids_path;           /* AM_PIN_IDS */
} PinSetPlan;

typedef struct {
  const char *protocol;
  AmDmsParams params;
  int replicas;
  GArray *temps;            /* double, the config's list, then the selection T if added */
  int n_config_temps;
  double sel_temperature;
  int sel_tindex;           /* -1 when no set is selected from results */
  GPtrArray *sets;          /* PinSetPlan* */
  gboolean watch;
  double watch_temperature;
  int watch_replica;
  int watch_set;
  gboolean trajectories;
  int ref_tindex;           /* the selection temperature in the config's list, or -1 */
} Plan;

static void pin_set_plan_free(gpointer p)
{
  PinSetPlan *s = p;
  g_array_unref(s->tindex);
  g_free(s->ids_path);
  g_free(s);
}

static void plan_clear(Plan *plan)
{
  if (plan->temps)
    g_array_unref(plan->temps);
  if (plan->sets)
    g_ptr_array_unref(plan->sets);
  memset(plan, 0, sizeof *plan);
}

static PinSetPlan *add_set(Plan *plan, AmPinKind kind, const char *name)
{
  PinSetPlan *s = g_new0(PinSetPlan, 1);
  s->kind = kind;
  g_strlcpy(s->name, name, sizeof s->name);
  s->tindex = g_array_new(FALSE, FALSE, sizeof(int));
  s->select_from = s->size_from = s->exclude_from = -1;
  g_ptr_array_add(plan->sets, s);
  return s;
}

static void set_all_temps(const Plan *plan, PinSetPlan *s)
{
  for (int t = 0; t < plan->n_config_temps; t++)
    g_array_append_val(s->tindex, t);
}

static gboolean config_error(GError **error, const AmConfig *cfg, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static gboolean config_error(GError **error, const AmConfig *cfg, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  const char *src = am_config_source(cfg);
  g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_INVALID_VALUE, "%s: %s", *src ? src : "config", msg);
  return FALSE;
}

/* Index of T in the list (exact match), or -1. */
static int find_temp(const GArray *temps, double t)
{
  for (guint i = 0; i < temps->len; i++)
    if (g_array_index(temps, double, i) == t)
      return (int) i;
  return -1;
}

/* The selection of pinned atoms from results needs an unpinned run at T_sel: reuse the
 * set `none` when it has that temperature, else add a hidden one. */
static int selection_source(Plan *plan)
{
  int ti = find_temp(plan->temps, plan->sel_temperature);
  if (ti >= 0 && ti < plan->n_config_temps) {
    for (guint s = 0; s < plan->sets->len; s++) {
      PinSetPlan *ps = plan->sets->pdata[s];
      if (ps->kind == AM_PIN_NONE && !ps->hidden) {
        plan->sel_tindex = ti;
        return (int) s;
      }
    }
  }
  if (ti < 0) {
    g_array_append_val(plan->temps, plan->sel_temperature);
    ti = (int) plan->temps->len - 1;
  }
  plan->sel_tindex = ti;
  PinSetPlan *hidden = add_set(plan, AM_PIN_NONE, "selection");
  hidden->hidden = TRUE;
  g_array_append_val(hidden->tindex, ti);
  return (int) plan->sets->len - 1;
}

static gboolean plan_from_config(const AmConfig *cfg, Plan *plan, GError **error)
{
  memset(plan, 0, sizeof *plan);
  plan->protocol = am_config_protocol(cfg);
  const gboolean pinning = strcmp(plan->protocol, "pinning") == 0;
  if (!pinning && strcmp(plan->protocol, "dms-sweep") != 0)
    return config_error(error, cfg, "protocol %s is not an MD-DMS protocol", plan->protocol);
  plan->temps = g_array_new(FALSE, FALSE, sizeof(double));
  plan->sets = g_ptr_array_new_with_free_func(pin_set_plan_free);
  plan->sel_tindex = -1;
  plan->sel_temperature = NAN;

  const char *const *words = am_config_get_words(cfg, "dms", "temperatures_K");
  for (int i = 0; words && words[i]; i++) {
    char *end = NULL;
    errno = 0;
    double t = g_ascii_strtod(words[i], &end);
    if (end == words[i] || *end || errno || !isfinite(t) || t <= 0 || t > 1e5)
      return config_error(error, cfg, "[dms] temperatures_K: “%s” is not a temperature (expected a number of "
                          "kelvin, > 0 and ≤ 1e5)", words[i]);
    if (find_temp(plan->temps, t) >= 0)
      return config_error(error, cfg, "[dms] temperatures_K lists %s twice", words[i]);
    g_array_append_val(plan->temps, t);
  }
  if (plan->temps->len == 0)
    return config_error(error, cfg, "[dms] temperatures_K is empty: give at least one temperature (K)");
  plan->n_config_temps = (int) plan->temps->len;

  AmDmsParams *p = &plan->params;
  p->period = am_config_get_double(cfg, "dms", "period_ps");
  p->amplitude = am_config_get_double(cfg, "dms", "strain_amplitude");
  p->cycles = (int) am_config_get_int(cfg, "dms", "cycles");
  p->analysed_cycles = (int) am_config_get_int(cfg, "dms", "analysed_cycles");
  p->dt = am_config_get_double(cfg, "dms", "timestep_ps");
  p->equilibration = am_config_get_double(cfg, "dms", "equilibration_ps");
  p->sample_interval = am_config_get_double(cfg, "dms", "sample_interval_ps");
  p->stress_interval = (int) am_config_get_int(cfg, "dms", "stress_interval_steps");
  p->t_damp_steps = am_config_get_double(cfg, "dms", "thermostat_damp_timesteps");
  p->p_damp_steps = am_config_get_double(cfg, "dms", "barostat_damp_timesteps");
  p->chain = (int) am_config_get_int(cfg, "dms", "chain_length");
  p->seed = (guint64) am_config_get_int(cfg, "dms", "seed");
  p->trace_points_per_cycle = (int) am_config_get_int(cfg, "dms", "trace_points_per_cycle");
  am_displacement_params_default(&p->disp);
  p->disp.va_max = am_config_get_double(cfg, "dms", "va_max_A");
  p->disp.fa_min = am_config_get_double(cfg, "dms", "fa_min_A");
  p->disp.event_reach = p->disp.va_max;
  p->disp.event_return = p->disp.va_max;
  p->disp.event_limit = p->disp.fa_min;
  p->disp.jump_threshold = am_config_get_double(cfg, "dms", "jump_threshold_A");
  p->disp.selected_fraction = am_config_get_double(cfg, "dms", "selected_fraction");
  p->disp.hist_bin = am_config_get_double(cfg, "dms", "histogram_bin_A");
  p->disp.hist_max = am_config_get_double(cfg, "dms", "histogram_max_A");
  plan->replicas = (int) am_config_get_int(cfg, "dms", "replicas");
  if (p->disp.fa_min <= p->disp.va_max)
    return config_error(error, cfg, "[dms] fa_min_A = %g must be larger than va_max_A = %g", p->disp.fa_min,
                        p->disp.va_max);
  {
    g_autoptr(GError) perr = NULL;
    if (!am_dms_params_finish(p, &perr))
      return config_error(error, cfg, "%s", perr->message);
  }

  plan->watch = am_config_is_set(cfg, "dms", "watch_temperature_K");
  if (plan->watch) {
    plan->watch_temperature = am_config_get_double(cfg, "dms", "watch_temperature_K");
    plan->watch_replica = (int) am_config_get_int(cfg, "dms", "watch_replica");
    plan->watch_set = (int) am_config_get_int(cfg, "dms", "watch_pin_set");
    if (find_temp(plan->temps, plan->watch_temperature) < 0)
      return config_error(error, cfg, "[dms] watch_temperature_K = %g is not in [dms] temperatures_K",
                          plan->watch_temperature);
    if (plan->watch_replica >= plan->replicas)
      return config_error(error, cfg, "[dms] watch_replica = %d, but there are only %d replicas (0 … %d)",
                          plan->watch_replica, plan->replicas, plan->replicas - 1);
  }

  plan->trajectories = am_config_get_bool(cfg, "dms", "trajectories");
  {
    double ref = am_config_get_double(cfg, pinning ? "pinning" : "dms", "selection_temperature_K");
    int ti = find_temp(plan->temps, ref);
    plan->ref_tindex = ti < plan->n_config_temps ? ti : -1;
  }

  if (pinning) {
    plan->sel_temperature = am_config_get_double(cfg, "pinning", "selection_temperature_K");
    gint64 count = am_config_is_set(cfg, "pinning", "pinned_count") ? am_config_get_int(cfg, "pinning", "pinned_count")
                                                                    : 0;
    /* With a file of ids (the atoms a user chose), those replace the selected RAs; the
     * control set is still random VAs of the unpinned run, as many as the file lists. */
    const gboolean have_ids = am_config_is_set(cfg, "pinning", "pinned_ids");
    if (have_ids && count > 0)
      return config_error(error, cfg, "[pinning] pinned_ids and pinned_count are both set: with a file of ids, "
                          "the file says how many atoms are pinned (leave pinned_count empty)");
    PinSetPlan *none = add_set(plan, AM_PIN_NONE, "none");
    set_all_temps(plan, none);
    PinSetPlan *chosen = add_set(plan, have_ids ? AM_PIN_IDS : AM_PIN_AUTO_RA, have_ids ? "ids" : "ra");
    set_all_temps(plan, chosen);
    if (have_ids)
      chosen->ids_path = g_strdup(am_config_get_string(cfg, "pinning", "pinned_ids"));
    else
      chosen->count = count;
    PinSetPlan *va = add_set(plan, AM_PIN_RANDOM_VA, "va");
    set_all_temps(plan, va);
    va->count = count;
    int src = selection_source(plan);
    if (!have_ids)
      chosen->select_from = src;
    va->select_from = src;
    va->size_from = 1;
    va->exclude_from = 1;
  } else {
    const char *mode = am_config_get_string(cfg, "dms", "pinned");
    const gboolean have_ids = am_config_is_set(cfg, "dms", "pinned_ids");
    const gboolean have_count = am_config_is_set(cfg, "dms", "pinned_count");
    if (strcmp(mode, "none") == 0) {
      if (have_ids || have_count)
        return config_error(error, cfg, "[dms] pinned = none, but pinned_ids or pinned_count is set");
      set_all_temps(plan, add_set(plan, AM_PIN_NONE, "none"));
    } else if (strcmp(mode, "ids") == 0) {
      if (!have_ids)
        return config_error(error, cfg, "[dms] pinned = ids needs [dms] pinned_ids (a file of atom ids)");
      PinSetPlan *s = add_set(plan, AM_PIN_IDS, "ids");
      s->ids_path = g_strdup(am_config_get_string(cfg, "dms", "pinned_ids"));
      set_all_temps(plan, s);
    } else {
      if (have_ids)
        return config_error(error, cfg, "[dms] pinned = %s chooses the atoms itself; pinned_ids must be empty",
                            mode);
      plan->sel_temperature = am_config_get_double(cfg, "dms", "selection_temperature_K");
      gboolean ra = strcmp(mode, "auto-ra") == 0;
      PinSetPlan *s = add_set(plan, ra ? AM_PIN_AUTO_RA : AM_PIN_RANDOM_VA, ra ? "ra" : "va");
      s->count = have_count ? am_config_get_int(cfg, "dms", "pinned_count") : 0;
      set_all_temps(plan, s);
      s->select_from = selection_source(plan);
    }
  }
  if (plan->watch) {
    int visible = 0;
    for (guint s = 0; s < plan->sets->len; s++)
      visible += !((const PinSetPlan *) plan->sets->pdata[s])->hidden;
    if (plan->watch_set >= visible)
      return config_error(error, cfg, "[dms] watch_pin_set = %d, but protocol %s has %d pin set%s (0 … %d)",
                          plan->watch_set, plan->protocol, visible, visible == 1 ? "" : "s", visible - 1);
  }
  return TRUE;
}

gboolean am_dms_sweep_check_config(const AmConfig *cfg, GError **error)
{
  Plan plan;
  gboolean ok = plan_from_config(cfg, &plan, error);
  plan_clear(&plan);
  return ok;
}

/* ---- The sweep --------------------------------------------------------------------- */

typedef struct Job Job;

typedef struct {
  guint8 *mask;             /* n, NULL until chosen (none: stays NULL) */
  gsize n_pinned;
  gint64 *ids;              /* ascending */
  guint select_job;         /* scheduler job choosing the atoms */
  gboolean has_select_job;
} PinSetState;

struct AmDmsSweep {
  Plan plan;
  AmEam *eam;
  AmSystem base;
  gboolean base_init;
  char *data_path, *potential_path;
  char *base_fingerprint;   /* hex sha256 of everything every job depends on */
  GPtrArray *jobs;          /* Job*, in scheduler order */
  int *eq_job;              /* per temperature index: index into jobs, -1 if unused */
  PinSetState *pins;        /* per set */
  /* Run state */
  const AmDmsRunOptions *opt;
  char *jobs_dir;
  gboolean load_records;    /* job bodies reuse a record that exists (resume, MPI) */
  AmDmsRunOptions *owned_opt; /* an MPI worker's options */
  AmDmsSweepResults results;
  gboolean folded;
  double job_seconds;
  double replica_seconds;
  gint64 replica_steps_run;
};

struct Job {
  AmDmsSweep *sw;
  AmDmsJobSpec spec;
  int set;                  /* replica jobs; the set for selection jobs */
  gboolean is_select;
  gboolean is_traj;         /* rerun of replica 0 of set 0 recording trajectories */
  guint sched;              /* scheduler index */
  char eq_fingerprint[65];  /* eq jobs: their own; replicas: their equilibration's */
  AmDmsJobResult res;
  gboolean have_result;
  gboolean ran;             /* computed in this process (not reloaded) */
  AmTrajectory traj;
  gsize n_traj;
  const char *traj_role[4];
  gsize traj_atom[4];
  gint64 traj_id[4];
  gboolean have_traj;
};

static void job_free(gpointer p)
{
  Job *j = p;
  am_dms_job_result_clear(&j->res);
  am_trajectory_free(&j->traj);
  g_free(j);
}

static char *sha256_text(const char *text)
{
  return g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
}

static gboolean load_system(AmDmsSweep *sw, const AmConfig *cfg, AmProvenance *prov, GError **error)
{
  AmError err = { 0 };
  const char *data = am_config_get_string(cfg, "system", "data");
  if (*data) {
    sw->data_path = g_strdup(data);
  } else {
    sw->data_path = am_config_find_data_file(DEFAULT_SAMPLE, error);
    if (!sw->data_path) {
      g_prefix_error(error, "[system] data is empty and the shipped sample is missing: ");
      return FALSE;
    }
  }
  sw->potential_path = g_strdup(am_config_get_string(cfg, "system", "potential"));
  const char *style_name = am_config_get_string(cfg, "system", "potential_style");
  if (prov && (!am_provenance_add_input(prov, "potential", sw->potential_path, error) ||
               !am_provenance_add_input(prov, "data", sw->data_path, error)))
    return FALSE;
  if (am_eam_load(sw->potential_path, strcmp(style_name, "alloy") == 0 ? AM_EAM_ALLOY : AM_EAM_FS, &sw->eam,
                  &err)) {
    am_set_error_from_engine(error, &err, "[system] potential: ");
    return FALSE;
  }
  am_system_init(&sw->base, sw->eam, am_config_get_double(cfg, "system", "skin_A"));
  sw->base_init = TRUE;
  AmAtoms *atoms = &sw->base.atoms;
  if (am_data_read(sw->data_path, &sw->base.box, atoms, NULL, &err)) {
    am_set_error_from_engine(error, &err, "[system] data: ");
    return FALSE;
  }
  const char *const *elements = am_config_get_words(cfg, "system", "elements");
  int nel = (int) g_strv_length((char **) elements);
  if (nel != atoms->ntypes) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID, "[system] elements lists %d element(s) (%s) but %s has %d "
                "atom type(s)", nel, am_config_get_text(cfg, "system", "elements"), sw->data_path, atoms->ntypes);
    return FALSE;
  }
  for (int t = 0; t < atoms->ntypes; t++) {
    if (atoms->type_label[t][0] && g_ascii_strcasecmp(atoms->type_label[t], elements[t]) != 0) {
      g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID, "%s labels atom type %d as %s but [system] elements says %s",
                  sw->data_path, t + 1, atoms->type_label[t], elements[t]);
      return FALSE;
    }
    g_strlcpy(atoms->type_label[t], elements[t], sizeof atoms->type_label[t]);
  }
  if (am_system_bind_types(&sw->base, elements, &err) || am_atoms_validate(atoms, &err)) {
    am_set_error_from_engine(error, &err, "%s: ", sw->data_path);
    return FALSE;
  }
  if (atoms->n < 4) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID, "%s has %zu atoms; an MD-DMS run needs at least 4",
                sw->data_path, atoms->n);
    return FALSE;
  }
  if (am_system_compute_forces(&sw->base, &err)) {
    am_set_error_from_engine(error, &err, "forces of %s: ", sw->data_path);
    return FALSE;
  }
  return TRUE;
}

/* Reads a file of atom ids (atom_ids.h) into a mask. */
static gboolean read_ids_file(const AmSystem *sys, const char *path, guint8 *mask, GError **error)
{
  g_autoptr(GArray) entries = am_atom_ids_read(path, error);
  if (!entries)
    return FALSE;
  g_autoptr(GHashTable) index = g_hash_table_new(g_int64_hash, g_int64_equal);
  for (gsize i = 0; i < sys->atoms.n; i++)
    g_hash_table_insert(index, &sys->atoms.id[i], GSIZE_TO_POINTER(i + 1));
  const gsize count = entries->len;
  for (guint k = 0; k < entries->len; k++) {
    const AmAtomIdEntry *e = &g_array_index(entries, AmAtomIdEntry, k);
    gsize at = GPOINTER_TO_SIZE(g_hash_table_lookup(index, &e->id));
    if (!at) {
      g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID, "%s:%d: atom id %" G_GINT64_FORMAT " is not in the sample",
                  path, e->line, e->id);
      return FALSE;
    }
    mask[at - 1] = 1;
  }
  if (count == 0 || count + 2 > sys->atoms.n) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID, "%s lists %zu atoms: expected at least one, and at least two "
                "atoms left free", path, count);
    return FALSE;
  }
  return TRUE;
}

static void pins_from_mask(const AmSystem *sys, PinSetState *ps)
{
  ps->n_pinned = 0;
  for (gsize i = 0; i < sys->atoms.n; i++)
    ps->n_pinned += ps->mask[i] != 0;
  g_free(ps->ids);
  ps->ids = g_new(gint64, ps->n_pinned + 1);
  gsize k = 0;
  for (gsize i = 0; i < sys->atoms.n; i++)
    if (ps->mask[i])
      ps->ids[k++] = sys->atoms.id[i];
  for (gsize a = 1; a < k; a++) /* insertion sort: ids ascending, k is small */
    for (gsize b = a; b > 0 && ps->ids[b - 1] > ps->ids[b]; b--) {
      gint64 tmp = ps->ids[b];
      ps->ids[b] = ps->ids[b - 1];
      ps->ids[b - 1] = tmp;
    }
}

static char *build_base_fingerprint(AmDmsSweep *sw, const AmConfig *cfg, GError **error)
{
  g_autofree char *data_sha = am_sha256_file(sw->data_path, error);
  if (!data_sha)
    return NULL;
  g_autofree char *pot_sha = am_sha256_file(sw->potential_path, error);
  if (!pot_sha)
    return NULL;
  const AmDmsParams *p = &sw->plan.params;
  const AmDisplacementParams *d = &p->disp;
  GString *s = g_string_new(FINGERPRINT_VERSION "\n");
  g_string_append_printf(s, "data %s\npotential %s %s\nelements %s\nskin %.17g\n", data_sha, pot_sha,
                         am_config_get_string(cfg, "system", "potential_style"),
                         am_config_get_text(cfg, "system", "elements"), sw->base.skin);
  g_string_append_printf(s, "period %.17g\namplitude %.17g\ncycles %d\nanalysed %d\ndt %.17g\neq %.17g\n", p->period,
                         p->amplitude, p->cycles, p->analysed_cycles, p->dt, p->equilibration);
  g_string_append_printf(s, "sample %.17g\nstress_every %d\ntdamp %.17g\npdamp %.17g\nchain %d\nseed %" G_GUINT64_FORMAT
                         "\ntrace %d\n", p->sample_interval, p->stress_interval, p->t_damp_steps, p->p_damp_steps,
                         p->chain, p->seed, p->trace_points_per_cycle);
  g_string_append_printf(s, "thresholds %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g\n", d->jump_threshold,
                         d->va_max, d->fa_min, d->event_reach, d->event_limit, d->event_return, d->selected_fraction,
                         d->hist_bin, d->hist_max);
  char *fp = sha256_text(s->str);
  g_string_free(s, TRUE);
  return fp;
}

/* The fingerprint of one job: the base, the job's identity and stream, its equilibration
 * and the exact atoms it pins. */
static char *job_fingerprint(const Job *j)
{
  const AmDmsSweep *sw = j->sw;
  GString *s = g_string_new(sw->base_fingerprint);
  g_string_append_printf(s, "\nkind %d\nT %.17g\ntindex %d\nstream %" G_GUINT64_FORMAT "\n", (int) j->spec.kind,
                         j->spec.temperature, j->spec.tindex, j->spec.stream);
  if (j->spec.kind == AM_DMS_JOB_REPLICA) {
    const PinSetState *ps = &sw->pins[j->set];
    g_string_append_printf(s, "replica %d\nset %d\ntrace %d\neq %s\npinned %zu:", j->spec.replica, j->set,
                           j->spec.keep_trace, j->eq_fingerprint, ps->n_pinned);
    for (gsize k = 0; k < ps->n_pinned; k++)
      g_string_append_printf(s, " %" G_GINT64_FORMAT, ps->ids[k]);
    g_string_append_c(s, '\n');
  }
  char *fp = sha256_text(s->str);
  g_string_free(s, TRUE);
  return fp;
}

static char *job_path(const AmDmsSweep *sw, const Job *j, const char *ext)
{
  g_autofree char *name = g_strconcat(j->spec.id, ext, NULL);
  return g_build_filename(sw->jobs_dir, name, NULL);
}

static Job *add_job(AmDmsSweep *sw, AmDmsJobKind kind, int tindex, int set, int replica)
{
  Job *j = g_new0(Job, 1);
  j->sw = sw;
  j->set = set;
  j->spec.kind = kind;
  j->spec.tindex = tindex;
  j->spec.temperature = g_array_index(sw->plan.temps, double, tindex);
  j->spec.replica = replica;
  j->spec.pinset = set;
  if (kind == AM_DMS_JOB_EQUILIBRATE) {
    g_snprintf(j->spec.id, sizeof j->spec.id, "eq-t%02d", tindex);
    j->spec.stream = am_dms_stream_equilibrate(tindex);
  } else {
    g_snprintf(j->spec.id, sizeof j->spec.id, "p%d-t%02d-r%03d", set, tindex, replica);
    j->spec.stream = am_dms_stream_replica(set, tindex, replica);
    j->spec.keep_trace = replica == 0;
  }
  g_ptr_array_add(sw->jobs, j);
  return j;
}

AmDmsSweep *am_dms_sweep_new(const AmConfig *cfg, AmProvenance *provenance, GError **error)
{
  g_autoptr(AmDmsSweep) sw = g_new0(AmDmsSweep, 1);
  if (!plan_from_config(cfg, &sw->plan, error))
    return NULL;
  if (!load_system(sw, cfg, provenance, error))
    return NULL;
  const Plan *plan = &sw->plan;
  const gsize n = sw->base.atoms.n;
  sw->base_fingerprint = build_base_fingerprint(sw, cfg, error);
  if (!sw->base_fingerprint)
    return NULL;

  sw->pins = g_new0(PinSetState, plan->sets->len);
  for (guint s = 0; s < plan->sets->len; s++) {
    const PinSetPlan *ps = plan->sets->pdata[s];
    if (ps->kind == AM_PIN_IDS) {
      sw->pins[s].mask = g_new0(guint8, n);
      if (!read_ids_file(&sw->base, ps->ids_path, sw->pins[s].mask, error))
        return NULL;
      pins_from_mask(&sw->base, &sw->pins[s]);
    }
    if ((ps->kind == AM_PIN_AUTO_RA || ps->kind == AM_PIN_RANDOM_VA) && ps->count > 0 &&
        (gsize) ps->count + 2 > n) {
      config_error(error, cfg, "pinned_count = %" G_GINT64_FORMAT " leaves fewer than two of the %zu atoms free",
                   ps->count, n);
      return NULL;
    }
  }

  /* Jobs in scheduler order: equilibrations, replicas of sets that need no selection,
   * selection jobs, then replicas of the selected sets (a job may only wait for an
   * earlier one). */
  sw->jobs = g_ptr_array_new_with_free_func(job_free);
  sw->eq_job = g_new(int, plan->temps->len);
  for (guint t = 0; t < plan->temps->len; t++) {
    gboolean used = FALSE;
    for (guint s = 0; s < plan->sets->len; s++) {
      const PinSetPlan *ps = plan->sets->pdata[s];
      for (guint k = 0; k < ps->tindex->len; k++)
        used |= g_array_index(ps->tindex, int, k) == (int) t;
    }
    sw->eq_job[t] = -1;
    if (used) {
      sw->eq_job[t] = (int) sw->jobs->len;
      add_job(sw, AM_DMS_JOB_EQUILIBRATE, (int) t, -1, 0);
    }
  }
  for (int pass = 0; pass < 3; pass++) {
    for (guint s = 0; s < plan->sets->len; s++) {
      const PinSetPlan *ps = plan->sets->pdata[s];
      const gboolean selected = ps->kind == AM_PIN_AUTO_RA || ps->kind == AM_PIN_RANDOM_VA;
      if (pass == 1) {
        if (selected) {
          Job *j = g_new0(Job, 1);
          j->sw = sw;
          j->set = (int) s;
          j->is_select = TRUE;
          g_snprintf(j->spec.id, sizeof j->spec.id, "select-p%u", s);
          g_ptr_array_add(sw->jobs, j);
        }
        continue;
      }
      if ((pass == 0) == selected)
        continue;
      for (guint k = 0; k < ps->tindex->len; k++)
        for (int r = 0; r < plan->replicas; r++) {
          Job *j = add_job(sw, AM_DMS_JOB_REPLICA, g_array_index(ps->tindex, int, k), (int) s, r);
          if (plan->watch && !ps->hidden && j->spec.temperature == plan->watch_temperature &&
              r == plan->watch_replica && (int) s == plan->watch_set)
            j->spec.keep_trace = TRUE;
        }
    }
  }
  if (plan->trajectories) {
    const PinSetPlan *ps0 = plan->sets->pdata[0];
    for (guint k = 0; k < ps0->tindex->len; k++) {
      Job *j = add_job(sw, AM_DMS_JOB_REPLICA, g_array_index(ps0->tindex, int, k), 0, 0);
      j->is_traj = TRUE;
      g_snprintf(j->spec.id, sizeof j->spec.id, "traj-t%02d", j->spec.tindex);
    }
  }
  return g_steal_pointer(&sw);
}

guint am_dms_sweep_n_pin_sets(const AmDmsSweep *sw)
{
  /* Hidden sets come last (selection_source adds them after the visible ones), so the
   * visible ones are numbered as in the results. */
  guint n = 0;
  for (guint s = 0; s < sw->plan.sets->len; s++)
    n += !((const PinSetPlan *) sw->plan.sets->pdata[s])->hidden;
  return n;
}

gboolean am_dms_sweep_pin_set_info(const AmDmsSweep *sw, guint set, AmDmsPinSetInfo *info)
{
  if (set >= am_dms_sweep_n_pin_sets(sw))
    return FALSE;
  const PinSetPlan *ps = sw->plan.sets->pdata[set];
  info->name = ps->name;
  info->kind = ps->kind;
  info->n_pinned = ps->kind == AM_PIN_NONE ? 0 : ps->kind == AM_PIN_IDS ? (gint64) sw->pins[set].n_pinned : -1;
  /* As many as a set read from a file: known now. */
  if (ps->size_from >= 0 && ((const PinSetPlan *) sw->plan.sets->pdata[ps->size_from])->kind == AM_PIN_IDS)
    info->n_pinned = (gint64) sw->pins[ps->size_from].n_pinned;
  return TRUE;
}

void am_dms_sweep_free(AmDmsSweep *sw)
{
  if (!sw)
    return;
  if (sw->results.sets) {
    for (gsize s = 0; s < sw->results.n_sets; s++) {
      AmDmsPinSetResults *rs = &sw->results.sets[s];
      for (gsize k = 0; k < rs->n_points; k++) {
        AmDmsPoint *pt = &rs->points[k];
        am_displacement_counts_free(&pt->counts);
        g_free(pt->p_u);
        g_free(pt->p_uprime);
        g_free(pt->selected_ids);
        g_free(pt->selected_events);
        g_free((gpointer) pt->replica);
      }
      g_free(rs->points);
    }
    g_free(sw->results.sets);
  }
  if (sw->pins) {
    for (guint s = 0; s < sw->plan.sets->len; s++) {
      g_free(sw->pins[s].mask);
      g_free(sw->pins[s].ids);
    }
    g_free(sw->pins);
  }
  if (sw->jobs)
    g_ptr_array_unref(sw->jobs);
  g_free(sw->eq_job);
  if (sw->base_init)
    am_system_free(&sw->base);
  am_eam_free(sw->eam);
  g_free(sw->data_path);
  g_free(sw->potential_path);
  g_free(sw->base_fingerprint);
  g_free(sw->jobs_dir);
  g_free(sw->owned_opt);
  plan_clear(&sw->plan);
  g_free(sw);
}

guint am_dms_sweep_job_count(const AmDmsSweep *sw)
{
  return sw->jobs->len;
}

static gint64 job_cost(const AmDmsSweep *sw, const Job *j)
{
  if (j->is_select)
    return 0;
  return j->spec.kind == AM_DMS_JOB_EQUILIBRATE ? am_dms_params_equilibration_steps(&sw->plan.params)
                                                : am_dms_params_replica_steps(&sw->plan.params);
}

gint64 am_dms_sweep_total_steps(const AmDmsSweep *sw)
{
  gint64 total = 0;
  for (guint i = 0; i < sw->jobs->len; i++)
    total += job_cost(sw, sw->jobs->pdata[i]);
  return total;
}

/* ---- Job bodies -------------------------------------------------------------------- */

static gboolean write_sidecar(const char *path, const Job *j, const char *fingerprint, double wall_s,
                              const double *mean_box, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  am_json_add_string(b, "job", j->spec.id);
  am_json_add_string(b, "kind", j->spec.kind == AM_DMS_JOB_EQUILIBRATE ? "equilibrate" : "replica");
  am_json_add_double(b, "temperature_K", j->spec.temperature);
  am_json_add_int(b, "temperature_index", j->spec.tindex);
  if (j->spec.kind == AM_DMS_JOB_REPLICA) {
    am_json_add_int(b, "pin_set", j->set);
    am_json_add_int(b, "replica", j->spec.replica);
    am_json_add_double(b, "storage_modulus_GPa", j->res.fit.storage / AM_BAR_PER_GPA);
    am_json_add_double(b, "loss_modulus_GPa", j->res.fit.loss / AM_BAR_PER_GPA);
    am_json_add_double(b, "phase_rad", j->res.fit.phase);
    am_json_add_int(b, "n_ra", (gint64) j->res.n_ra);
  } else {
    am_json_add_vector3(b, "mean_box_A", mean_box);
  }
  char stream[32];
  g_snprintf(stream, sizeof stream, "%" G_GUINT64_FORMAT, j->spec.stream);
  am_json_add_string(b, "stream", stream);
  am_json_add_string(b, "fingerprint", fingerprint);
  const gint64 steps = j->spec.kind == AM_DMS_JOB_EQUILIBRATE ? am_dms_params_equilibration_steps(&j->sw->plan.params)
                                                               : am_dms_params_replica_steps(&j->sw->plan.params);
  am_json_add_int(b, "steps", steps);
  am_json_add_double(b, "wall_seconds", wall_s);
  am_json_add_double(b, "steps_per_second", wall_s > 0 ? (double) steps / wall_s : NAN);
  json_builder_end_object(b);
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  return am_json_write_file(path, root, error);
}

/* Reads an equilibration checkpoint if it is there and was made from the same inputs.
 * Returns TRUE with *found when it is usable, FALSE with an error when it contradicts the
 * config. sys may be NULL (only check). */
static gboolean load_eq(const AmDmsSweep *sw, const Job *eq, const char *fingerprint, AmSystem *sys, gboolean *found,
                        GError **error)
{
  *found = FALSE;
  g_autofree char *path = job_path(sw, eq, ".ckpt");
  if (!g_file_test(path, G_FILE_TEST_EXISTS))
    return TRUE;
  AmSystem tmp;
  AmSystem *dst = sys ? sys : &tmp;
  if (!sys)
    am_system_init(&tmp, sw->eam, sw->base.skin);
  AmCheckpointBlobs blobs = { 0 };
  AmError err = { 0 };
  gboolean ok = TRUE;
  if (am_checkpoint_read(path, dst, &blobs, &err)) {
    am_set_error_from_engine(error, &err, "resuming: ");
    ok = FALSE;
  } else {
    const AmCheckpointBlob *fp = am_checkpoint_blobs_find(&blobs, "dms-fingerprint");
    if (!fp || fp->size != 64 || memcmp(fp->data, fingerprint, 64) != 0) {
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_INVALID_VALUE,
                  "resuming: %s was made with a different config, sample or program version; run without "
                  "--resume or into another output folder", path);
      ok = FALSE;
    } else if (dst->atoms.n != sw->base.atoms.n) {
      g_set_error(error, AM_ENGINE_ERROR, AM_ERR_FORMAT, "resuming: %s holds %zu atoms, the sample %zu", path,
                  dst->atoms.n, sw->base.atoms.n);
      ok = FALSE;
    } else {
      *found = TRUE;
    }
  }
  am_checkpoint_blobs_free(&blobs);
  if (!sys)
    am_system_free(&tmp);
  return ok;
}

static gboolean run_eq_job(AmSchedulerJob *sj, gpointer data, GError **error)
{
  Job *j = data;
  AmDmsSweep *sw = j->sw;
  g_autofree char *fp = job_fingerprint(j);
  g_strlcpy(j->eq_fingerprint, fp, sizeof j->eq_fingerprint);
  gboolean found = FALSE;
  if (sw->load_records && !load_eq(sw, j, fp, NULL, &found, error))
    return FALSE;
  if (found)
    return TRUE;
  AmDmsJobControl ctl = { .cancel = am_scheduler_job_cancel_flag(sj), .pause = sw->opt->pause,
                          .steps_done = am_scheduler_job_steps(sj) };
  AmSystem sys;
  double mean_box[3];
  const gint64 t0 = g_get_monotonic_time();
  gboolean ok = am_dms_equilibrate(&sw->base, &sw->plan.params, &j->spec, &ctl, &sys, mean_box, error);
  if (ok) {
    AmCheckpointBlob blobs[2] = {
      { "dms-fingerprint", 64, fp },
      { "dms-mean-box", sizeof mean_box, mean_box },
    };
    AmError err = { 0 };
    g_autofree char *path = job_path(sw, j, ".ckpt");
    g_autofree char *side = job_path(sw, j, ".json");
    if (am_checkpoint_write(path, &sys, blobs, 2, &err)) {
      am_set_error_from_engine(error, &err, "job %s: ", j->spec.id);
      ok = FALSE;
    } else {
      ok = write_sidecar(side, j, fp, (double) (g_get_monotonic_time() - t0) * 1e-6, mean_box, error);
    }
  }
  am_system_free(&sys);
  j->ran = ok;
  return ok;
}

static Job *eq_of(const AmDmsSweep *sw, int tindex)
{
  return sw->jobs->pdata[sw->eq_job[tindex]];
}

static gboolean run_replica_job(AmSchedulerJob *sj, gpointer data, GError **error)
{
  Job *j = data;
  AmDmsSweep *sw = j->sw;
  const Job *eq = eq_of(sw, j->spec.tindex);
  g_strlcpy(j->eq_fingerprint, eq->eq_fingerprint, sizeof j->eq_fingerprint);
  g_autofree char *fp = job_fingerprint(j);
  g_autofree char *bin = job_path(sw, j, ".bin");
  if (sw->load_records && g_file_test(bin, G_FILE_TEST_EXISTS)) {
    g_autofree char *bytes = NULL;
    gsize len = 0;
    char stored[65];
    if (!g_file_get_contents(bin, &bytes, &len, error) ||
        !am_dms_job_result_decode(bytes, len, bin, sw->base.atoms.n, &j->res, stored, error))
      return FALSE;
    if (strcmp(stored, fp) != 0) {
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_INVALID_VALUE,
                  "resuming: %s was made with a different config, sample or program version; run without "
                  "--resume or into another output folder", bin);
      am_dms_job_result_clear(&j->res);
      return FALSE;
    }
    j->have_result = TRUE;
    return TRUE;
  }

  AmSystem start;
  am_system_init(&start, sw->eam, sw->base.skin);
  gboolean found = FALSE;
  if (!load_eq(sw, eq, eq->eq_fingerprint, &start, &found, error)) {
    am_system_free(&start);
    return FALSE;
  }
  if (!found) {
    am_system_free(&start);
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "job %s: the equilibrated configuration %s.ckpt is missing",
                j->spec.id, eq->spec.id);
    return FALSE;
  }
  AmDmsJobControl ctl = { .cancel = am_scheduler_job_cancel_flag(sj), .pause = sw->opt->pause,
                          .steps_done = am_scheduler_job_steps(sj) };
  if (sw->plan.watch && j->set == sw->plan.watch_set && j->spec.temperature == sw->plan.watch_temperature &&
      j->spec.replica == sw->plan.watch_replica) {
    ctl.watch = sw->opt->watch;
    ctl.watch_data = sw->opt->watch_data;
  }
  gboolean ok = am_dms_replica_run(&start, sw->pins[j->set].mask, &sw->plan.params, &j->spec, &ctl, &j->res, error) &&
                am_dms_job_result_roundtrip(&j->res, error);
  am_system_free(&start);
  if (!ok)
    return FALSE;
  g_autoptr(GBytes) rec = am_dms_job_result_encode(&j->res, fp);
  gsize len = 0;
  const void *bytes = g_bytes_get_data(rec, &len);
  g_autofree char *side = job_path(sw, j, ".json");
  if (!am_write_file_atomic(bin, bytes, (gssize) len, error) ||
      !write_sidecar(side, j, fp, j->res.wall_s, NULL, error))
    return FALSE;
  j->have_result = TRUE;
  j->ran = TRUE;
  return TRUE;
}

/* Hands a finished replica or trajectory rerun to opt->job_done. */
static void notify_done(const AmDmsSweep *sw, const Job *j)
{
  if (!sw->opt->job_done)
    return;
  AmDmsJobDone done = {
    .job = &j->spec,
    .pinset = j->set,
    .result = j->is_traj ? NULL : &j->res,
    .n_pinned = (gint64) sw->pins[j->set].n_pinned,
    .trajectory = j->is_traj && j->have_traj ? &j->traj : NULL,
    .n_traj = j->is_traj ? j->n_traj : 0,
    .traj_role = j->traj_role,
    .traj_id = j->traj_id,
  };
  if (done.result || done.trajectory)
    sw->opt->job_done(&done, sw->opt->job_done_data);
}

static gboolean run_replica_job_notify(AmSchedulerJob *sj, gpointer data, GError **error)
{
  if (!run_replica_job(sj, data, error))
    return FALSE;
  notify_done(((Job *) data)->sw, data);
  return TRUE;
}

/* The replica jobs of (set, temperature index), in replica order. */
static GPtrArray *replicas_of(const AmDmsSweep *sw, int set, int tindex)
{
  GPtrArray *out = g_ptr_array_new();
  for (guint i = 0; i < sw->jobs->len; i++) {
    Job *j = sw->jobs->pdata[i];
    if (!j->is_select && !j->is_traj && j->spec.kind == AM_DMS_JOB_REPLICA && j->set == set &&
        j->spec.tindex == tindex)
      g_ptr_array_add(out, j);
  }
  return out;
}

typedef struct {
  gsize atom;
  guint32 events;
  gint64 id;
} Ranked;

static int cmp_ranked(const void *a, const void *b)
{
  const Ranked *x = a, *y = b;
  if (x->events != y->events)
    return x->events > y->events ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

static gboolean run_select_job(AmSchedulerJob *sj, gpointer data, GError **error)
{
  (void) sj;
  Job *j = data;
  AmDmsSweep *sw = j->sw;
  const PinSetPlan *ps = sw->plan.sets->pdata[j->set];
  PinSetState *st = &sw->pins[j->set];
  const gsize n = sw->base.atoms.n;
  g_autoptr(GPtrArray) src = replicas_of(sw, ps->select_from, sw->plan.sel_tindex);
  gint64 want = ps->count > 0 ? ps->count : (gint64) nearbyint(0.02 * (double) n);
  if (want < 1)
    want = 1;
  st->mask = g_new0(guint8, n);

  if (ps->kind == AM_PIN_AUTO_RA) {
    AmDisplacementCounts sum = { 0 };
    AmError err = { 0 };
    if (am_displacement_counts_init(&sum, n, &sw->plan.params.disp, &err)) {
      am_set_error_from_engine(error, &err, "selecting RAs: ");
      return FALSE;
    }
    for (guint r = 0; r < src->len; r++)
      if (am_displacement_counts_merge(&sum, &((Job *) src->pdata[r])->res.counts, &err)) {
        am_displacement_counts_free(&sum);
        am_set_error_from_engine(error, &err, "selecting RAs: ");
        return FALSE;
      }
    /* The atoms with most reversible events, ties by id; atoms without any event are never
     * "reversible", so the set may come out smaller than asked. */
    Ranked *rk = g_new(Ranked, n);
    gsize m = 0;
    for (gsize i = 0; i < n; i++)
      if (sum.events[i] > 0)
        rk[m++] = (Ranked) { i, sum.events[i], sw->base.atoms.id[i] };
    qsort(rk, m, sizeof *rk, cmp_ranked);
    for (gsize k = 0; k < m && (gint64) k < want; k++)
      st->mask[rk[k].atom] = 1;
    g_free(rk);
    am_displacement_counts_free(&sum);
  } else {
    if (ps->size_from >= 0) {
      want = (gint64) sw->pins[ps->size_from].n_pinned;
    }
    /* Candidates: vibrational (u′_max below the VA bound) in every selection replica. */
    g_autofree gsize *cand = g_new(gsize, n);
    gsize m = 0;
    for (gsize i = 0; i < n; i++) {
      gboolean va = TRUE;
      for (guint r = 0; r < src->len && va; r++)
        va = ((Job *) src->pdata[r])->res.uprime_max[i] < sw->plan.params.disp.va_max;
      if (ps->exclude_from >= 0 && sw->pins[ps->exclude_from].mask[i])
        va = FALSE;
      if (va)
        cand[m++] = i;
    }
    if ((gint64) m < want) {
      g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID,
                  "pin set %s: only %zu atoms stayed vibrational in every replica at %g K, %" G_GINT64_FORMAT
                  " asked for", ps->name, m, sw->plan.sel_temperature, want);
      return FALSE;
    }
    /* A partial Fisher–Yates shuffle from the set's own stream. */
    AmRng rng;
    am_rng_init(&rng, sw->plan.params.seed, am_dms_stream_pin_selection(j->set));
    for (gint64 k = 0; k < want; k++) {
      gsize pick = (gsize) k + (gsize) (am_rng_uniform(&rng) * (double) (m - (gsize) k));
      if (pick >= m)
        pick = m - 1;
      gsize tmp = cand[k];
      cand[k] = cand[pick];
      cand[pick] = tmp;
      st->mask[cand[k]] = 1;
    }
  }
  pins_from_mask(&sw->base, st);
  if (st->n_pinned == 0) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID,
                "pin set %s: no atom had a reversible event at %g K, so there is nothing to pin (longer runs, more "
                "replicas or another selection temperature)", ps->name, sw->plan.sel_temperature);
    return FALSE;
  }
  return TRUE;
}


/* ---- Trajectory jobs ---- */

#define TRAJ_MAGIC "AMDMST02" /* 02: with the pooled p(u′) of the selected RAs */

/* The atom with most reversible events over the replicas of set 0 at tindex, or -1 when
 * no atom had one. */
static long most_reversible(const AmDmsSweep *sw, int tindex)
{
  g_autoptr(GPtrArray) reps = replicas_of(sw, 0, tindex);
  const gsize n = sw->base.atoms.n;
  g_autofree guint64 *sum = g_new0(guint64, n);
  for (guint r = 0; r < reps->len; r++)
    for (gsize i = 0; i < n; i++)
      sum[i] += ((Job *) reps->pdata[r])->res.counts.events[i];
  long best = -1;
  for (gsize i = 0; i < n; i++)
    if (sum[i] > 0 && (best < 0 || sum[i] > sum[best]))
      best = (long) i;
  return best;
}

/* Event counts and histograms of a temperature's replicas summed in replica order into
 * out (zero-initialised or freed): what the selection of RAs is made from. */
static gboolean merge_counts(const AmDmsSweep *sw, const GPtrArray *reps, double temperature,
                             AmDisplacementCounts *out, GError **error)
{
  AmError err = { 0 };
  if (am_displacement_counts_init(out, sw->base.atoms.n, &sw->plan.params.disp, &err)) {
    am_set_error_from_engine(error, &err, "folding %g K: ", temperature);
    return FALSE;
  }
  for (guint r = 0; r < reps->len; r++)
    if (am_displacement_counts_merge(out, &((const Job *) reps->pdata[r])->res.counts, &err)) {
      am_set_error_from_engine(error, &err, "folding %g K: ", temperature);
      return FALSE;
    }
  return TRUE;
}

/* Indices of the selected RAs at a temperature of pin set 0 (ascending); NULL on error. */
static GArray *selected_atoms(const AmDmsSweep *sw, int tindex, GError **error)
{
  g_autoptr(GPtrArray) reps = replicas_of(sw, 0, tindex);
  const double temperature = g_array_index(sw->plan.temps, double, tindex);
  AmDisplacementCounts counts = { 0 };
  const gsize n = sw->base.atoms.n;
  g_autofree guint8 *sel = g_new0(guint8, n);
  AmError err = { 0 };
  gboolean ok = merge_counts(sw, reps, temperature, &counts, error);
  if (ok && am_displacement_counts_selected(&counts, NULL, 0, sel, NULL, &err)) {
    am_set_error_from_engine(error, &err, "selecting RAs at %g K: ", temperature);
    ok = FALSE;
  }
  am_displacement_counts_free(&counts);
  if (!ok)
    return NULL;
  GArray *idx = g_array_new(FALSE, FALSE, sizeof(gsize));
  for (gsize i = 0; i < n; i++)
    if (sel[i])
      g_array_append_val(idx, i);
  return idx;
}

static gboolean decode_traj(AmDmsSweep *sw, Job *j, const guint8 *bytes, gsize len, const char *name,
                            const char *fingerprint, GError **error)
{
  guint32 crc;
  if (len < 8 + 64 + 8 + 4 || memcmp(bytes, TRAJ_MAGIC, 8) != 0) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_FORMAT,
                len >= 8 && memcmp(bytes, TRAJ_MAGIC, 6) == 0
                    ? "%s: a trajectory record of another Amorph version; run without --resume or into another "
                      "output folder"
                    : "%s: not an Amorph trajectory record",
                name);
    return FALSE;
  }
  memcpy(&crc, bytes + len - 4, 4);
  if (am_crc32c(0, bytes, len - 4) != crc) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_FORMAT, "%s: checksum mismatch (file damaged)", name);
    return FALSE;
  }
  if (memcmp(bytes + 8, fingerprint, 64) != 0) {
    g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_INVALID_VALUE,
                "resuming: %s was made with a different config, sample or program version; run without "
                "--resume or into another output folder", name);
    return FALSE;
  }
  gsize used = 0;
  AmError err = { 0 };
  if (am_trajectory_deserialize(&j->traj, bytes + 72, len - 76, &used, &err)) {
    am_set_error_from_engine(error, &err, "%s: ", name);
    return FALSE;
  }
  if (used != len - 76 || j->traj.n != j->n_traj || !j->traj.pooled) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_FORMAT, "%s: record length does not match its contents", name);
    return FALSE;
  }
  (void) sw;
  return TRUE;
}

static gboolean run_traj_job(AmSchedulerJob *sj, gpointer data, GError **error)
{
  Job *j = data;
  AmDmsSweep *sw = j->sw;
  const int t = j->spec.tindex;
  g_autoptr(GPtrArray) reps = replicas_of(sw, 0, t);
  Job *r0 = reps->pdata[0];
  const gsize n = sw->base.atoms.n;

  /* The atoms: this T's most reversible atom, the reference T's, and replica 0's least
   * and most mobile ones. */
  j->n_traj = 0;
  long ra = most_reversible(sw, t);
  if (ra >= 0) {
    j->traj_role[j->n_traj] = "ra";
    j->traj_atom[j->n_traj++] = (gsize) ra;
  }
  if (sw->plan.ref_tindex >= 0 && sw->plan.ref_tindex != t) {
    long ref = most_reversible(sw, sw->plan.ref_tindex);
    if (ref >= 0) {
      j->traj_role[j->n_traj] = "ra_ref";
      j->traj_atom[j->n_traj++] = (gsize) ref;
    }
  }
  gsize va = 0, fa = 0;
  for (gsize i = 1; i < n; i++) {
    if (r0->res.uprime_max[i] < r0->res.uprime_max[va])
      va = i;
    if (r0->res.uprime_max[i] > r0->res.uprime_max[fa])
      fa = i;
  }
  j->traj_role[j->n_traj] = "va";
  j->traj_atom[j->n_traj++] = va;
  j->traj_role[j->n_traj] = "fa";
  j->traj_atom[j->n_traj++] = fa;
  for (gsize s = 0; s < j->n_traj; s++)
    j->traj_id[s] = sw->base.atoms.id[j->traj_atom[s]];

  /* And the selected RAs of this temperature, pooled into one p(u′) (Fig. 6a). */
  g_autoptr(GArray) pool = selected_atoms(sw, t, error);
  if (!pool)
    return FALSE;

  g_autofree char *fp0 = job_fingerprint(r0);
  GString *desc = g_string_new(fp0);
  g_string_append(desc, "\ntrajectory");
  for (gsize s = 0; s < j->n_traj; s++)
    g_string_append_printf(desc, " %s:%zu", j->traj_role[s], j->traj_atom[s]);
  g_string_append_printf(desc, "\npool %u", pool->len);
  for (guint s = 0; s < pool->len; s++)
    g_string_append_printf(desc, " %zu", g_array_index(pool, gsize, s));
  g_autofree char *fp = sha256_text(desc->str);
  g_string_free(desc, TRUE);
  g_autofree char *bin = job_path(sw, j, ".bin");
  if (sw->load_records && g_file_test(bin, G_FILE_TEST_EXISTS)) {
    g_autofree char *bytes = NULL;
    gsize len = 0;
    if (!g_file_get_contents(bin, &bytes, &len, error) ||
        !decode_traj(sw, j, (const guint8 *) bytes, len, bin, fp, error))
      return FALSE;
    j->have_traj = TRUE;
    return TRUE;
  }

  AmTrajectoryParams tp;
  am_trajectory_params_default(&tp);
  AmError err = { 0 };
  const AmDisplacementParams *dp = &sw->plan.params.disp;
  if (am_trajectory_init(&j->traj, n, j->traj_atom, j->n_traj, &tp, &err) ||
      am_trajectory_pool(&j->traj, (const size_t *) pool->data, pool->len, dp->hist_bin, dp->hist_max, &err)) {
    am_set_error_from_engine(error, &err, "job %s: ", j->spec.id);
    return FALSE;
  }
  const Job *eq = eq_of(sw, t);
  AmSystem start;
  am_system_init(&start, sw->eam, sw->base.skin);
  gboolean found = FALSE;
  if (!load_eq(sw, eq, eq->eq_fingerprint, &start, &found, error) || !found) {
    if (!found && !(error && *error))
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "job %s: the equilibrated configuration is missing",
                  j->spec.id);
    am_system_free(&start);
    return FALSE;
  }
  AmDmsJobControl ctl = { .cancel = am_scheduler_job_cancel_flag(sj), .pause = sw->opt->pause,
                          .steps_done = am_scheduler_job_steps(sj),
                          .trajectory = &j->traj };
  AmDmsJobResult again = { 0 };
  gboolean ok = am_dms_replica_run(&start, sw->pins[0].mask, &sw->plan.params, &r0->spec, &ctl, &again, error) &&
                am_dms_job_result_roundtrip(&again, error);
  am_system_free(&start);
  if (ok) {
    /* The rerun must reproduce replica 0 bit for bit, or the trajectories would belong to
     * another run than the numbers they illustrate. */
    g_autoptr(GBytes) a = am_dms_job_result_encode(&again, "");
    g_autoptr(GBytes) b = am_dms_job_result_encode(&r0->res, "");
    if (!g_bytes_equal(a, b)) {
      g_set_error(error, AM_ENGINE_ERROR, AM_ERR_NUMERIC,
                  "job %s: rerunning %s did not reproduce its results: the run is not deterministic", j->spec.id,
                  r0->spec.id);
      ok = FALSE;
    }
  }
  am_dms_job_result_clear(&again);
  if (!ok)
    return FALSE;
  gsize tlen = am_trajectory_serialize(&j->traj, NULL, 0);
  GByteArray *rec = g_byte_array_sized_new((guint) (tlen + 80));
  g_byte_array_append(rec, (const guint8 *) TRAJ_MAGIC, 8);
  g_byte_array_append(rec, (const guint8 *) fp, 64);
  g_byte_array_set_size(rec, 72 + (guint) tlen);
  am_trajectory_serialize(&j->traj, rec->data + 72, tlen);
  guint32 crc = am_crc32c(0, rec->data, rec->len);
  g_byte_array_append(rec, (const guint8 *) &crc, 4);
  ok = am_write_file_atomic(bin, rec->data, rec->len, error);
  g_byte_array_unref(rec);
  j->have_traj = ok;
  j->ran = ok;
  return ok;
}

static gboolean run_traj_job_notify(AmSchedulerJob *sj, gpointer data, GError **error)
{
  if (!run_traj_job(sj, data, error))
    return FALSE;
  notify_done(((Job *) data)->sw, data);
  return TRUE;
}

/* ---- Folding ---------------------------------------------------------------------- */

static void scale_ms(AmMeanSem *m, double f)
{
  m->mean *= f;
  m->sd *= fabs(f);
  m->sem *= fabs(f);
}

static gboolean mean_sem_field(GPtrArray *reps, gsize offset, gboolean is_u64, AmMeanSem *out, GError **error)
{
  g_autofree double *v = g_new(double, reps->len);
  for (guint r = 0; r < reps->len; r++) {
    const char *base = (const char *) &((Job *) reps->pdata[r])->res;
    v[r] = is_u64 ? (double) *(const guint64 *) (base + offset) : *(const double *) (base + offset);
  }
  AmError err = { 0 };
  if (am_stats_mean_sem(v, reps->len, 1, out, &err)) {
    am_set_error_from_engine(error, &err, "folding replicas: ");
    return FALSE;
  }
  return TRUE;
}

static gboolean fold_point(AmDmsSweep *sw, int set, int tindex, AmDmsPoint *pt, GError **error)
{
  g_autoptr(GPtrArray) reps = replicas_of(sw, set, tindex);
  const gsize n = sw->base.atoms.n;
  AmError err = { 0 };
  pt->temperature = g_array_index(sw->plan.temps, double, tindex);
  pt->replicas = reps->len;
  g_autofree AmDmsFit *fits = g_new(AmDmsFit, reps->len);
  const AmDmsJobResult **rr = g_new(const AmDmsJobResult *, reps->len + 1);
  for (guint r = 0; r < reps->len; r++) {
    fits[r] = ((Job *) reps->pdata[r])->res.fit;
    rr[r] = &((Job *) reps->pdata[r])->res;
  }
  rr[reps->len] = NULL;
  pt->replica = rr;
  pt->trace = &rr[0]->trace;
  pt->trace_fit = &rr[0]->fit;
  AmDmsEnsemble ens;
  if (am_dms_ensemble(fits, reps->len, &ens, &err)) {
    am_set_error_from_engine(error, &err, "folding %g K: ", pt->temperature);
    return FALSE;
  }
  const double gpa = 1.0 / AM_BAR_PER_GPA;
  pt->storage = ens.storage;
  pt->loss = ens.loss;
  pt->amplitude = ens.amplitude;
  pt->phase = ens.phase;
  pt->sigma0 = ens.sigma0;
  scale_ms(&pt->storage, gpa);
  scale_ms(&pt->loss, gpa);
  scale_ms(&pt->amplitude, gpa);
  scale_ms(&pt->sigma0, gpa);
  if (!mean_sem_field(reps, G_STRUCT_OFFSET(AmDmsJobResult, fit.residual_rms), FALSE, &pt->residual, error) ||
      !mean_sem_field(reps, G_STRUCT_OFFSET(AmDmsJobResult, mean_temperature), FALSE, &pt->measured_temperature,
                      error) ||
      !mean_sem_field(reps, G_STRUCT_OFFSET(AmDmsJobResult, f_va), FALSE, &pt->f_va, error) ||
      !mean_sem_field(reps, G_STRUCT_OFFSET(AmDmsJobResult, f_ra), FALSE, &pt->f_ra, error) ||
      !mean_sem_field(reps, G_STRUCT_OFFSET(AmDmsJobResult, f_fa), FALSE, &pt->f_fa, error) ||
      !mean_sem_field(reps, G_STRUCT_OFFSET(AmDmsJobResult, n_ra), TRUE, &pt->n_ra, error) ||
      !mean_sem_field(reps, G_STRUCT_OFFSET(AmDmsJobResult, f_jump), FALSE, &pt->f_jump, error))
    return FALSE;
  scale_ms(&pt->residual, gpa);

  if (!merge_counts(sw, reps, pt->temperature, &pt->counts, error))
    return FALSE;
  pt->p_u = g_new(double, pt->counts.p_u.nbins);
  pt->p_uprime = g_new(double, pt->counts.p_uprime.nbins);
  if (am_histogram_density(&pt->counts.p_u, pt->p_u, &err) ||
      am_histogram_density(&pt->counts.p_uprime, pt->p_uprime, &err)) {
    am_set_error_from_engine(error, &err, "folding %g K: ", pt->temperature);
    return FALSE;
  }
  g_autofree guint8 *sel = g_new0(guint8, n);
  if (am_displacement_counts_selected(&pt->counts, NULL, 0, sel, NULL, &err)) {
    am_set_error_from_engine(error, &err, "folding %g K: ", pt->temperature);
    return FALSE;
  }
  const AmAtoms *atoms = &sw->base.atoms;
  gsize cu = 0;
  pt->n_selected = 0;
  for (gsize i = 0; i < n; i++)
    pt->n_selected += sel[i];
  Ranked *ids = g_new(Ranked, pt->n_selected + 1);
  gsize k = 0;
  for (gsize i = 0; i < n; i++)
    if (sel[i]) {
      ids[k++] = (Ranked) { i, pt->counts.events[i], atoms->id[i] };
      cu += g_ascii_strcasecmp(atoms->type_label[atoms->type[i]], "Cu") == 0;
    }
  pt->selected_ids = g_new(gint64, k + 1);
  pt->selected_events = g_new(guint32, k + 1);
  for (gsize a = 0; a < k; a++) { /* ascending id */
    gsize best = a;
    for (gsize b = a + 1; b < k; b++)
      if (ids[b].id < ids[best].id)
        best = b;
    Ranked tmp = ids[a];
    ids[a] = ids[best];
    ids[best] = tmp;
    pt->selected_ids[a] = ids[a].id;
    pt->selected_events[a] = ids[a].events;
  }
  g_free(ids);
  pt->selected_cu_fraction = k ? (double) cu / (double) k : NAN;
  for (guint i = 0; set == 0 && i < sw->jobs->len; i++) {
    const Job *tj = sw->jobs->pdata[i];
    if (tj->is_traj && tj->have_traj && tj->spec.tindex == tindex) {
      pt->n_traj = tj->n_traj;
      for (gsize s = 0; s < tj->n_traj; s++) {
        pt->traj_role[s] = tj->traj_role[s];
        pt->traj_id[s] = tj->traj_id[s];
      }
      pt->trajectory = &tj->traj;
    }
  }
  return TRUE;
}

static double correlation(const AmDmsPinSetResults *rs, gsize offset)
{
  if (rs->n_points < 3)
    return NAN;
  g_autofree double *x = g_new(double, rs->n_points);
  g_autofree double *y = g_new(double, rs->n_points);
  for (gsize k = 0; k < rs->n_points; k++) {
    x[k] = ((const AmMeanSem *) ((const char *) &rs->points[k] + offset))->mean;
    y[k] = rs->points[k].loss.mean;
  }
  double r = NAN;
  AmError err = { 0 };
  if (am_stats_correlation(x, y, rs->n_points, &r, &err))
    return NAN;
  return r;
}

static gboolean fold(AmDmsSweep *sw, GError **error)
{
  AmDmsSweepResults *R = &sw->results;
  const Plan *plan = &sw->plan;
  R->protocol = plan->protocol;
  R->natoms = sw->base.atoms.n;
  R->ntypes = sw->base.atoms.ntypes;
  for (int t = 0; t < R->ntypes && t < 8; t++)
    R->type_label[t] = sw->base.atoms.type_label[t];
  R->params = plan->params;
  R->selection_temperature = plan->sel_tindex >= 0 ? plan->sel_temperature : NAN;
  gsize visible = 0;
  for (guint s = 0; s < plan->sets->len; s++)
    visible += !((PinSetPlan *) plan->sets->pdata[s])->hidden;
  R->n_sets = visible;
  R->sets = g_new0(AmDmsPinSetResults, visible);
  gsize out = 0;
  for (guint s = 0; s < plan->sets->len; s++) {
    const PinSetPlan *ps = plan->sets->pdata[s];
    if (ps->hidden)
      continue;
    AmDmsPinSetResults *rs = &R->sets[out++];
    g_strlcpy(rs->name, ps->name, sizeof rs->name);
    rs->kind = ps->kind;
    rs->n_pinned = sw->pins[s].n_pinned;
    rs->pinned_ids = sw->pins[s].ids;
    rs->n_points = ps->tindex->len;
    rs->points = g_new0(AmDmsPoint, rs->n_points);
    for (gsize k = 0; k < rs->n_points; k++)
      if (!fold_point(sw, (int) s, g_array_index(ps->tindex, int, k), &rs->points[k], error))
        return FALSE;
    rs->corr_nra_loss = correlation(rs, G_STRUCT_OFFSET(AmDmsPoint, n_ra));
    rs->corr_fjump_loss = correlation(rs, G_STRUCT_OFFSET(AmDmsPoint, f_jump));
  }
  sw->folded = TRUE;
  return TRUE;
}

/* ---- Running ---------------------------------------------------------------------- */

static char *record_name(const Job *j, const char *ext)
{
  return g_strconcat(j->spec.id, ext, NULL);
}

/* The jobs' scheduler: bodies, costs, dependencies and the record files each leaves
 * (sidecar first, so that on rank 0 the record whose presence means "done" is written
 * last). Shared by the run and by MPI worker ranks, which must number jobs alike. */
static AmScheduler *build_scheduler(AmDmsSweep *sw, const AmDmsRunOptions *opt, guint njobs, int workers)
{
  AmScheduler *sched = am_scheduler_new(workers);
  am_scheduler_set_record_dir(sched, sw->jobs_dir);
  for (guint i = 0; i < njobs; i++) {
    Job *j = sw->jobs->pdata[i];
    AmSchedulerFunc func = j->is_select ? run_select_job
                           : j->is_traj ? run_traj_job_notify
                           : j->spec.kind == AM_DMS_JOB_EQUILIBRATE ? run_eq_job
                                                                     : run_replica_job_notify;
    gint64 cost = job_cost(sw, j);
    /* A job that will only reload its record costs nothing: keeps the ETA honest. */
    if (opt->resume && !j->is_select) {
      g_autofree char *path = job_path(sw, j, j->spec.kind == AM_DMS_JOB_EQUILIBRATE ? ".ckpt" : ".bin");
      if (g_file_test(path, G_FILE_TEST_EXISTS))
        cost = 0;
    }
    j->sched = am_scheduler_add(sched, j->spec.id, cost, func, j);
    if (!j->is_select) {
      g_autofree char *side = record_name(j, ".json");
      g_autofree char *main_rec = record_name(j, j->spec.kind == AM_DMS_JOB_EQUILIBRATE ? ".ckpt" : ".bin");
      if (!j->is_traj)
        am_scheduler_add_record(sched, j->sched, side);
      am_scheduler_add_record(sched, j->sched, main_rec);
    }
    if (j->is_select) {
      const PinSetPlan *ps = sw->plan.sets->pdata[j->set];
      g_autoptr(GPtrArray) src = replicas_of(sw, ps->select_from, sw->plan.sel_tindex);
      for (guint r = 0; r < src->len; r++)
        am_scheduler_depend(sched, j->sched, ((Job *) src->pdata[r])->sched);
      /* A set read from a file is known from the start: nothing to wait for. */
      if (ps->size_from >= 0 && sw->pins[ps->size_from].has_select_job)
        am_scheduler_depend(sched, j->sched, sw->pins[ps->size_from].select_job);
      sw->pins[j->set].select_job = j->sched;
      sw->pins[j->set].has_select_job = TRUE;
    } else if (j->is_traj) {
      g_autoptr(GPtrArray) here = replicas_of(sw, 0, j->spec.tindex);
      for (guint r = 0; r < here->len; r++)
        am_scheduler_depend(sched, j->sched, ((Job *) here->pdata[r])->sched);
      if (sw->plan.ref_tindex >= 0 && sw->plan.ref_tindex != j->spec.tindex) {
        g_autoptr(GPtrArray) ref = replicas_of(sw, 0, sw->plan.ref_tindex);
        for (guint r = 0; r < ref->len; r++)
          am_scheduler_depend(sched, j->sched, ((Job *) ref->pdata[r])->sched);
      }
      /* The rerun starts from the equilibrated configuration itself. */
      am_scheduler_depend(sched, j->sched, eq_of(sw, j->spec.tindex)->sched);
    } else if (j->spec.kind == AM_DMS_JOB_REPLICA) {
      am_scheduler_depend(sched, j->sched, eq_of(sw, j->spec.tindex)->sched);
      if (sw->pins[j->set].has_select_job)
        am_scheduler_depend(sched, j->sched, sw->pins[j->set].select_job);
    }
  }
  return sched;
}

/* When resuming: which jobs are reused, which run again, and which of those were lost in
 * flight (an MPI run leaves JOB.started while a rank has the job). */
static void log_resume(AmDmsSweep *sw, const AmDmsRunOptions *opt, guint njobs)
{
  if (!opt->progress)
    return;
  guint reused = 0, records = 0, to_run = 0;
  GString *rerun = g_string_new(NULL), *lost = g_string_new(NULL);
  for (guint i = 0; i < njobs; i++) {
    const Job *j = sw->jobs->pdata[i];
    if (j->is_select)
      continue;
    records++;
    g_autofree char *path = job_path(sw, j, j->spec.kind == AM_DMS_JOB_EQUILIBRATE ? ".ckpt" : ".bin");
    if (g_file_test(path, G_FILE_TEST_EXISTS)) {
      reused++;
      continue;
    }
    /* A fresh start of a big sweep would list every job: the first few say enough. */
    if (to_run++ < 24)
      g_string_append_printf(rerun, " %s", j->spec.id);
    g_autofree char *marker = job_path(sw, j, ".started");
    g_autofree char *who = NULL;
    if (g_file_get_contents(marker, &who, NULL, NULL))
      g_string_append_printf(lost, " %s (%s)", j->spec.id, g_strstrip(who));
  }
  if (to_run > 24)
    g_string_append_printf(rerun, " and %u more", to_run - 24);
  am_progress_message(opt->progress, "resuming: %u of %u jobs finished earlier and are reused; to run:%s", reused,
                      records, rerun->len ? rerun->str : " none");
  if (lost->len)
    am_progress_message(opt->progress, "resuming: lost in flight when the previous run stopped, run again:%s",
                        lost->str);
  g_string_free(rerun, TRUE);
  g_string_free(lost, TRUE);
}

static gboolean prepare_run(AmDmsSweep *sw, const AmDmsRunOptions *opt, GError **error)
{
  if (sw->folded) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "this sweep has already run");
    return FALSE;
  }
  sw->opt = opt;
  g_free(sw->jobs_dir);
  sw->jobs_dir = g_build_filename(opt->output_dir, "jobs", NULL);
  if (g_mkdir_with_parents(sw->jobs_dir, 0755) != 0) {
    int e = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "cannot create %s: %s", sw->jobs_dir, g_strerror(e));
    return FALSE;
  }
  return TRUE;
}

static gboolean run_jobs(AmDmsSweep *sw, const AmDmsRunOptions *opt, guint max_jobs, GError **error)
{
  if (!prepare_run(sw, opt, error))
    return FALSE;
  /* Under MPI, rank 0 computes nothing itself: every record it holds came from a rank and
   * is loaded after it was written (scheduler.h). */
  sw->load_records = opt->resume || am_scheduler_distributed();
  const int workers = am_scheduler_default_workers(opt->workers);
  const guint njobs = MIN(max_jobs, sw->jobs->len);
  g_autoptr(AmScheduler) sched = build_scheduler(sw, opt, njobs, workers);
  if (opt->resume)
    log_resume(sw, opt, njobs);
  if (opt->progress && !am_scheduler_distributed())
    am_progress_message(opt->progress, "MD-DMS: %u jobs (%zu atoms, %u temperatures, %d replicas) on %d worker%s%s",
                        njobs, sw->base.atoms.n, sw->plan.temps->len, sw->plan.replicas, workers,
                        workers == 1 ? "" : "s", opt->resume ? ", resuming" : "");
  else if (opt->progress)
    am_progress_message(opt->progress, "MD-DMS: %u jobs (%zu atoms, %u temperatures, %d replicas) over MPI%s", njobs,
                        sw->base.atoms.n, sw->plan.temps->len, sw->plan.replicas, opt->resume ? ", resuming" : "");
  gboolean ok = am_scheduler_run(sched, opt->progress, error);
  for (guint i = 0; i < njobs; i++) {
    Job *j = sw->jobs->pdata[i];
    const gboolean remote = am_scheduler_job_remote(sched, j->sched);
    if (j->ran || remote) {
      sw->job_seconds += am_scheduler_job_wall(sched, j->sched);
      /* Records do not keep timings: a remote job's are the wall time its rank measured. */
      if (j->spec.kind == AM_DMS_JOB_REPLICA && !j->is_select && !j->is_traj && j->have_result) {
        sw->replica_seconds += remote ? am_scheduler_job_wall(sched, j->sched) : j->res.wall_s;
        sw->replica_steps_run += remote ? job_cost(sw, j) : j->res.steps;
      }
    }
    /* A record that exists is no longer in flight, whoever wrote it. */
    if (!j->is_select) {
      g_autofree char *rec = job_path(sw, j, j->spec.kind == AM_DMS_JOB_EQUILIBRATE ? ".ckpt" : ".bin");
      g_autofree char *marker = job_path(sw, j, ".started");
      if (g_file_test(rec, G_FILE_TEST_EXISTS))
        g_unlink(marker);
    }
  }
  return ok;
}

gboolean am_dms_sweep_serve(AmDmsSweep *sw, const char *scratch_dir, int threads, GError **error)
{
  AmDmsRunOptions *opt = g_new0(AmDmsRunOptions, 1);
  opt->output_dir = scratch_dir;
  opt->workers = 1;
  if (!prepare_run(sw, opt, error)) {
    g_free(opt);
    return FALSE;
  }
  sw->owned_opt = opt;
  sw->load_records = TRUE;
  g_autoptr(AmScheduler) sched = build_scheduler(sw, opt, sw->jobs->len, 1);
  return am_scheduler_serve(sched, threads, error);
}

gboolean am_dms_sweep_run(AmDmsSweep *sw, const AmDmsRunOptions *opt, GError **error)
{
  return run_jobs(sw, opt, G_MAXUINT, error) && fold(sw, error);
}

gboolean am_dms_sweep_run_partial(AmDmsSweep *sw, const AmDmsRunOptions *opt, guint max_jobs, GError **error)
{
  /* Only a prefix whose dependencies are inside it: jobs are ordered so that this holds
   * for any prefix. */
  return run_jobs(sw, opt, max_jobs, error);
}

const AmDmsSweepResults *am_dms_sweep_results(const AmDmsSweep *sw)
{
  return sw->folded ? &sw->results : NULL;
}

const AmAtoms *am_dms_sweep_atoms(const AmDmsSweep *sw)
{
  return &sw->base.atoms;
}

double am_dms_sweep_job_seconds(const AmDmsSweep *sw)
{
  return sw->job_seconds;
}

double am_dms_sweep_steps_per_second(const AmDmsSweep *sw)
{
  return sw->replica_seconds > 0 ? (double) sw->replica_steps_run / sw->replica_seconds : 0.0;
}

/* ---- Output files ----------------------------------------------------------------- */

static void add_ms(JsonBuilder *b, const char *name, const AmMeanSem *m)
{
  json_builder_set_member_name(b, name);
  json_builder_begin_object(b);
  am_json_add_double(b, "mean", m->mean);
  am_json_add_double(b, "sem", m->sem);
  am_json_add_double(b, "sd", m->sd);
  json_builder_end_object(b);
}

static void csv_ms(AmCsv *csv, const AmMeanSem *m)
{
  am_csv_add_double(csv, m->mean);
  am_csv_add_double(csv, m->sem);
}

static gboolean commit(AmCsv *csv, const char *name, AmProvenance *prov, GError **error)
{
  if (!am_csv_commit(csv, error))
    return FALSE;
  if (prov)
    am_provenance_add_output(prov, name);
  return TRUE;
}

static AmCsv *open_csv(const char *dir, const char *name, const char *const *cols, GError **error)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  return am_csv_open(path, cols, error);
}

static gboolean write_results_json(const AmDmsSweep *sw, const char *dir, AmProvenance *prov, GError **error)
{
  const AmDmsSweepResults *R = &sw->results;
  const AmDmsParams *p = &R->params;
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  am_json_add_string(b, "protocol", R->protocol);
  am_json_add_string(b, "provenance", "manifest.json");
  am_json_add_int(b, "natoms", (gint64) R->natoms);
  json_builder_set_member_name(b, "units");
  json_builder_begin_object(b);
  am_json_add_string(b, "moduli", "GPa (shear: G' = sigma_A/eps_A cos delta, G'' = sigma_A/eps_A sin delta)");
  am_json_add_string(b, "phase", "rad");
  am_json_add_string(b, "temperature", "K");
  am_json_add_string(b, "errors", "mean, standard error of the mean (sem) and standard deviation (sd) over replicas");
  json_builder_end_object(b);
  json_builder_set_member_name(b, "parameters");
  json_builder_begin_object(b);
  am_json_add_double(b, "period_ps", p->disp.period);
  am_json_add_double(b, "strain_amplitude", p->amplitude);
  am_json_add_int(b, "cycles", p->cycles);
  am_json_add_int(b, "analysed_cycles", p->analysed_cycles);
  am_json_add_int(b, "replicas", sw->plan.replicas);
  am_json_add_double(b, "timestep_ps", p->dt);
  am_json_add_double(b, "equilibration_ps", p->equilibration);
  am_json_add_double(b, "sample_interval_ps", p->disp.sample_interval);
  am_json_add_int(b, "stress_interval_steps", p->stress_interval);
  am_json_add_double(b, "va_max_A", p->disp.va_max);
  am_json_add_double(b, "fa_min_A", p->disp.fa_min);
  am_json_add_double(b, "jump_threshold_A", p->disp.jump_threshold);
  am_json_add_double(b, "selected_fraction", p->disp.selected_fraction);
  am_json_add_double(b, "histogram_bin_A", p->disp.hist_bin);
  am_json_add_double(b, "selection_temperature_K", R->selection_temperature);
  json_builder_end_object(b);
  json_builder_set_member_name(b, "pin_sets");
  json_builder_begin_array(b);
  for (gsize s = 0; s < R->n_sets; s++) {
    const AmDmsPinSetResults *rs = &R->sets[s];
    json_builder_begin_object(b);
    am_json_add_string(b, "name", rs->name);
    am_json_add_int(b, "n_pinned", (gint64) rs->n_pinned);
    am_json_add_double(b, "corr_n_ra_loss", rs->corr_nra_loss);
    am_json_add_double(b, "corr_f_jump_loss", rs->corr_fjump_loss);
    json_builder_set_member_name(b, "temperatures");
    json_builder_begin_array(b);
    for (gsize k = 0; k < rs->n_points; k++) {
      const AmDmsPoint *pt = &rs->points[k];
      json_builder_begin_object(b);
      am_json_add_double(b, "temperature_K", pt->temperature);
      am_json_add_int(b, "replicas", (gint64) pt->replicas);
      add_ms(b, "storage_modulus_GPa", &pt->storage);
      add_ms(b, "loss_modulus_GPa", &pt->loss);
      add_ms(b, "stress_amplitude_GPa", &pt->amplitude);
      add_ms(b, "phase_rad", &pt->phase);
      add_ms(b, "sigma0_GPa", &pt->sigma0);
      add_ms(b, "fit_residual_GPa", &pt->residual);
      add_ms(b, "measured_temperature_K", &pt->measured_temperature);
      add_ms(b, "f_va", &pt->f_va);
      add_ms(b, "f_ra", &pt->f_ra);
      add_ms(b, "f_fa", &pt->f_fa);
      add_ms(b, "n_ra", &pt->n_ra);
      add_ms(b, "f_jump", &pt->f_jump);
      am_json_add_int(b, "n_selected_ra", (gint64) pt->n_selected);
      am_json_add_double(b, "selected_ra_cu_fraction", pt->selected_cu_fraction);
      json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_end_object(b);
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  g_autofree char *path = g_build_filename(dir, "results.json", NULL);
  if (!am_json_write_file(path, root, error))
    return FALSE;
  if (prov)
    am_provenance_add_output(prov, "results.json");
  return TRUE;
}

gboolean am_dms_sweep_write(const AmDmsSweep *sw, const char *dir, AmProvenance *prov, GError **error)
{
  if (!sw->folded) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "the sweep has no results to write");
    return FALSE;
  }
  const AmDmsSweepResults *R = &sw->results;
  if (!write_results_json(sw, dir, prov, error))
    return FALSE;

  static const char *const moduli_cols[] = {
    "pin_set", "T_K", "replicas", "G_storage_GPa", "G_storage_sem_GPa", "G_loss_GPa", "G_loss_sem_GPa",
    "sigma_A_GPa", "sigma_A_sem_GPa", "delta_rad", "delta_sem_rad", "sigma0_GPa", "sigma0_sem_GPa",
    "measured_T_K", "measured_T_sem_K", NULL,
  };
  static const char *const rep_cols[] = {
    "pin_set", "T_K", "replica", "G_storage_GPa", "G_loss_GPa", "sigma_A_GPa", "delta_rad", "sigma0_GPa",
    "fit_residual_GPa", "G_loss_se_fit_GPa", "measured_T_K", "f_va", "f_ra", "f_fa", "n_ra", "n_selected_run",
    "f_jump", NULL,
  };
  static const char *const class_cols[] = {
    "pin_set", "T_K", "f_va", "f_va_sem", "f_ra", "f_ra_sem", "f_fa", "f_fa_sem", "f_jump", "f_jump_sem", NULL,
  };
  static const char *const nra_cols[] = {
    "pin_set", "T_K", "n_ra", "n_ra_sem", "G_loss_GPa", "G_loss_sem_GPa", "n_selected_ra", "selected_ra_cu_fraction",
    NULL,
  };
  static const char *const pu_cols[] = { "pin_set", "T_K", "u_A", "p_per_A", NULL };
  static const char *const pup_cols[] = { "pin_set", "T_K", "uprime_A", "p_per_A", NULL };
  static const char *const trace_cols[] = { "pin_set", "T_K", "t_ps", "strain", "stress_GPa", "fit_GPa", NULL };
  static const char *const sel_cols[] = { "pin_set", "T_K", "id", "type", "events", "cycles", NULL };
  static const char *const pin_cols[] = { "pin_set", "id", "type", NULL };
  static const char *const heat_cols[] = { "pin_set", "T_K", "role", "id", "dx_A", "dy_A", "density_per_A2", NULL };
  static const char *const series_cols[] = { "pin_set", "T_K", "role", "id", "t_ps", "uprime_A", NULL };
  static const char *const pool_cols[] = { "pin_set", "T_K", "n_atoms", "uprime_A", "p_per_A", NULL };
  static const char *const peak_cols[] = { "pin_set", "T_K", "id", "type", "dx_A", "dy_A", "dz_A", "uprime_max_A",
                                           NULL };

  g_autoptr(AmCsv) moduli = open_csv(dir, "moduli.csv", moduli_cols, error);
  g_autoptr(AmCsv) reps = moduli ? open_csv(dir, "replicas.csv", rep_cols, error) : NULL;
  g_autoptr(AmCsv) classes = reps ? open_csv(dir, "classes.csv", class_cols, error) : NULL;
  g_autoptr(AmCsv) nra = classes ? open_csv(dir, "n_ra.csv", nra_cols, error) : NULL;
  g_autoptr(AmCsv) pu = nra ? open_csv(dir, "p_u.csv", pu_cols, error) : NULL;
  g_autoptr(AmCsv) pup = pu ? open_csv(dir, "p_uprime.csv", pup_cols, error) : NULL;
  g_autoptr(AmCsv) trace = pup ? open_csv(dir, "stress_trace.csv", trace_cols, error) : NULL;
  g_autoptr(AmCsv) sel = trace ? open_csv(dir, "selected_ras.csv", sel_cols, error) : NULL;
  g_autoptr(AmCsv) pins = sel ? open_csv(dir, "pinned.csv", pin_cols, error) : NULL;
  g_autoptr(AmCsv) heat = pins ? open_csv(dir, "heatmaps.csv", heat_cols, error) : NULL;
  g_autoptr(AmCsv) series = heat ? open_csv(dir, "uprime_series.csv", series_cols, error) : NULL;
  g_autoptr(AmCsv) pooled = series ? open_csv(dir, "p_uprime_selected_ras.csv", pool_cols, error) : NULL;
  g_autoptr(AmCsv) peaks = pooled ? open_csv(dir, "ra_displacements.csv", peak_cols, error) : NULL;
  if (!peaks)
    return FALSE;
  const double gpa = 1.0 / AM_BAR_PER_GPA;
  const AmAtoms *atoms = &sw->base.atoms;
  g_autoptr(GHashTable) index = g_hash_table_new(g_int64_hash, g_int64_equal);
  for (gsize i = 0; i < atoms->n; i++)
    g_hash_table_insert(index, &atoms->id[i], GSIZE_TO_POINTER(i));
#define ROW(csv)                         \
  do {                                   \
    if (!am_csv_end_row((csv), error))   \
      return FALSE;                      \
  } while (0)
  for (gsize s = 0; s < R->n_sets; s++) {
    const AmDmsPinSetResults *rs = &R->sets[s];
    for (gsize k = 0; k < rs->n_pinned; k++) {
      gsize i = GPOINTER_TO_SIZE(g_hash_table_lookup(index, &rs->pinned_ids[k]));
      am_csv_add_string(pins, rs->name);
      am_csv_add_int(pins, rs->pinned_ids[k]);
      am_csv_add_string(pins, atoms->type_label[atoms->type[i]]);
      ROW(pins);
    }
    for (gsize k = 0; k < rs->n_points; k++) {
      const AmDmsPoint *pt = &rs->points[k];
      am_csv_add_string(moduli, rs->name);
      am_csv_add_double(moduli, pt->temperature);
      am_csv_add_int(moduli, (gint64) pt->replicas);
      csv_ms(moduli, &pt->storage);
      csv_ms(moduli, &pt->loss);
      csv_ms(moduli, &pt->amplitude);
      csv_ms(moduli, &pt->phase);
      csv_ms(moduli, &pt->sigma0);
      csv_ms(moduli, &pt->measured_temperature);
      ROW(moduli);
      for (gsize r = 0; r < pt->replicas; r++) {
        const AmDmsJobResult *res = pt->replica[r];
        am_csv_add_string(reps, rs->name);
        am_csv_add_double(reps, pt->temperature);
        am_csv_add_int(reps, (gint64) r);
        am_csv_add_double(reps, res->fit.storage * gpa);
        am_csv_add_double(reps, res->fit.loss * gpa);
        am_csv_add_double(reps, res->fit.amplitude * gpa);
        am_csv_add_double(reps, res->fit.phase);
        am_csv_add_double(reps, res->fit.sigma0 * gpa);
        am_csv_add_double(reps, res->fit.residual_rms * gpa);
        am_csv_add_double(reps, res->fit.se_loss * gpa);
        am_csv_add_double(reps, res->mean_temperature);
        am_csv_add_double(reps, res->f_va);
        am_csv_add_double(reps, res->f_ra);
        am_csv_add_double(reps, res->f_fa);
        am_csv_add_int(reps, (gint64) res->n_ra);
        am_csv_add_int(reps, (gint64) res->n_selected);
        am_csv_add_double(reps, res->f_jump);
        ROW(reps);
      }
      am_csv_add_string(classes, rs->name);
      am_csv_add_double(classes, pt->temperature);
      csv_ms(classes, &pt->f_va);
      csv_ms(classes, &pt->f_ra);
      csv_ms(classes, &pt->f_fa);
      csv_ms(classes, &pt->f_jump);
      ROW(classes);
      am_csv_add_string(nra, rs->name);
      am_csv_add_double(nra, pt->temperature);
      csv_ms(nra, &pt->n_ra);
      csv_ms(nra, &pt->loss);
      am_csv_add_int(nra, (gint64) pt->n_selected);
      am_csv_add_double(nra, pt->selected_cu_fraction);
      ROW(nra);
      for (gsize bin = 0; bin < pt->counts.p_u.nbins; bin++) {
        am_csv_add_string(pu, rs->name);
        am_csv_add_double(pu, pt->temperature);
        am_csv_add_double(pu, am_histogram_bin_center(&pt->counts.p_u, bin));
        am_csv_add_double(pu, pt->p_u[bin]);
        ROW(pu);
      }
      for (gsize bin = 0; bin < pt->counts.p_uprime.nbins; bin++) {
        am_csv_add_string(pup, rs->name);
        am_csv_add_double(pup, pt->temperature);
        am_csv_add_double(pup, am_histogram_bin_center(&pt->counts.p_uprime, bin));
        am_csv_add_double(pup, pt->p_uprime[bin]);
        ROW(pup);
      }
      for (gsize i = 0; i < pt->trace->n; i++) {
        am_csv_add_string(trace, rs->name);
        am_csv_add_double(trace, pt->temperature);
        am_csv_add_double(trace, pt->trace->t[i]);
        am_csv_add_double(trace, pt->trace->strain[i]);
        am_csv_add_double(trace, pt->trace->stress[i] * gpa);
        am_csv_add_double(trace, am_dms_fit_eval(pt->trace_fit, pt->trace->t[i]) * gpa);
        ROW(trace);
      }
      for (gsize a = 0; a < pt->n_traj; a++) {
        const AmTrajectory *tr = pt->trajectory;
        AmError err = { 0 };
        g_autofree double *dens = g_new(double, tr->nx * tr->ny);
        const double *ts = NULL, *us = NULL;
        gsize len = 0;
        if (am_trajectory_density(tr, a, dens, &err) || am_trajectory_series(tr, a, &ts, &us, &len, &err)) {
          am_set_error_from_engine(error, &err, "trajectory of atom %" G_GINT64_FORMAT ": ", pt->traj_id[a]);
          return FALSE;
        }
        /* Only visited cells: a heatmap is mostly empty. */
        for (gsize iy = 0; iy < tr->ny; iy++)
          for (gsize ix = 0; ix < tr->nx; ix++) {
            if (dens[iy * tr->nx + ix] == 0)
              continue;
            am_csv_add_string(heat, rs->name);
            am_csv_add_double(heat, pt->temperature);
            am_csv_add_string(heat, pt->traj_role[a]);
            am_csv_add_int(heat, pt->traj_id[a]);
            am_csv_add_double(heat, tr->params.x_min + ((double) ix + 0.5) * tr->params.bin);
            am_csv_add_double(heat, tr->params.y_min + ((double) iy + 0.5) * tr->params.bin);
            am_csv_add_double(heat, dens[iy * tr->nx + ix]);
            ROW(heat);
          }
        for (gsize i = 0; i < len; i++) {
          am_csv_add_string(series, rs->name);
          am_csv_add_double(series, pt->temperature);
          am_csv_add_string(series, pt->traj_role[a]);
          am_csv_add_int(series, pt->traj_id[a]);
          am_csv_add_double(series, ts[i]);
          am_csv_add_double(series, us[i]);
          ROW(series);
        }
      }
      const AmTrajectory *ptr = pt->n_traj ? pt->trajectory : NULL;
      if (ptr && ptr->pooled && am_histogram_total(&ptr->pool_u) > 0) {
        AmError err = { 0 };
        g_autofree double *dens = g_new(double, ptr->pool_u.nbins);
        if (am_histogram_density(&ptr->pool_u, dens, &err)) {
          am_set_error_from_engine(error, &err, "p(u′) of the selected RAs at %g K: ", pt->temperature);
          return FALSE;
        }
        for (gsize bin = 0; bin < ptr->pool_u.nbins; bin++) {
          am_csv_add_string(pooled, rs->name);
          am_csv_add_double(pooled, pt->temperature);
          am_csv_add_int(pooled, (gint64) ptr->n_pool);
          am_csv_add_double(pooled, am_histogram_bin_center(&ptr->pool_u, bin));
          am_csv_add_double(pooled, dens[bin]);
          ROW(pooled);
        }
        /* Each selected RA's non-affine displacement at its largest u′ in the rerun of
         * replica 0: the direction of its excursion, the arrows of Fig. 7a. A record of
         * an older version has none (NaN), and nothing is written. */
        for (gsize a = 0; ptr->pool_peak && a < ptr->n_pool; a++) {
          const double *pk = ptr->pool_peak + 4 * a;
          const gsize at = ptr->pool[a];
          if (!isfinite(pk[3]) || at >= atoms->n)
            continue;
          am_csv_add_string(peaks, rs->name);
          am_csv_add_double(peaks, pt->temperature);
          am_csv_add_int(peaks, atoms->id[at]);
          am_csv_add_string(peaks, atoms->type_label[atoms->type[at]]);
          for (int c = 0; c < 4; c++)
            am_csv_add_double(peaks, pk[c]);
          ROW(peaks);
        }
      }
      for (gsize i = 0; i < pt->n_selected; i++) {
        gsize at = GPOINTER_TO_SIZE(g_hash_table_lookup(index, &pt->selected_ids[i]));
        am_csv_add_string(sel, rs->name);
        am_csv_add_double(sel, pt->temperature);
        am_csv_add_int(sel, pt->selected_ids[i]);
        am_csv_add_string(sel, atoms->type_label[atoms->type[at]]);
        am_csv_add_int(sel, pt->selected_events[i]);
        am_csv_add_int(sel, (gint64) pt->counts.cycles);
        ROW(sel);
      }
    }
  }
#undef ROW
  return commit(g_steal_pointer(&moduli), "moduli.csv", prov, error) &&
         commit(g_steal_pointer(&reps), "replicas.csv", prov, error) &&
         commit(g_steal_pointer(&classes), "classes.csv", prov, error) &&
         commit(g_steal_pointer(&nra), "n_ra.csv", prov, error) &&
         commit(g_steal_pointer(&pu), "p_u.csv", prov, error) &&
         commit(g_steal_pointer(&pup), "p_uprime.csv", prov, error) &&
         commit(g_steal_pointer(&trace), "stress_trace.csv", prov, error) &&
         commit(g_steal_pointer(&sel), "selected_ras.csv", prov, error) &&
         commit(g_steal_pointer(&pins), "pinned.csv", prov, error) &&
         commit(g_steal_pointer(&heat), "heatmaps.csv", prov, error) &&
         commit(g_steal_pointer(&series), "uprime_series.csv", prov, error) &&
         commit(g_steal_pointer(&pooled), "p_uprime_selected_ras.csv", prov, error) &&
         commit(g_steal_pointer(&peaks), "ra_displacements.csv", prov, error);
}

/* ---- Protocol runners -------------------------------------------------------------- */

static gboolean run_protocol(AmRunContext *ctx, GError **error)
{
  g_autoptr(AmDmsSweep) sw = am_dms_sweep_new(ctx->config, ctx->provenance, error);
  if (!sw)
    return FALSE;
  AmDmsRunOptions opt = {
    .output_dir = ctx->output_dir,
    .resume = ctx->resume,
    .workers = ctx->threads,
    .progress = ctx->progress,
    .provenance = ctx->provenance,
  };
  if (!am_dms_sweep_run(sw, &opt, error) || !am_dms_sweep_write(sw, ctx->output_dir, ctx->provenance, error) ||
      !am_batch_write_figures(ctx, am_dms_sweep_results(sw), error))
    return FALSE;
  am_provenance_set_double(ctx->provenance, "dms_jobs", (double) am_dms_sweep_job_count(sw));
  am_provenance_set_double(ctx->provenance, "dms_job_seconds", am_dms_sweep_job_seconds(sw));
  am_provenance_set_double(ctx->provenance, "dms_steps_per_second_per_job", am_dms_sweep_steps_per_second(sw));
  am_provenance_set_double(ctx->provenance, "dms_atom_steps_per_second_per_job",
                           am_dms_sweep_steps_per_second(sw) * (double) sw->base.atoms.n);
  const AmDmsSweepResults *R = am_dms_sweep_results(sw);
  for (gsize s = 0; s < R->n_sets; s++)
    for (gsize k = 0; k < R->sets[s].n_points; k++) {
      const AmDmsPoint *pt = &R->sets[s].points[k];
      am_progress_message(ctx->progress, "%s %6.1f K: G' %.3f ± %.3f GPa, G'' %.4f ± %.4f GPa, N_RA %.1f ± %.1f",
                          R->sets[s].name, pt->temperature, pt->storage.mean, pt->storage.sem, pt->loss.mean,
                          pt->loss.sem, pt->n_ra.mean, pt->n_ra.sem);
    }
  am_progress_message(ctx->progress, "%.4g steps/s per job (one core)", am_dms_sweep_steps_per_second(sw));
  return TRUE;
}

gboolean am_protocol_dms_sweep(AmRunContext *ctx, GError **error)
{
  return run_protocol(ctx, error);
}

gboolean am_protocol_pinning(AmRunContext *ctx, GError **error)
{
  return run_protocol(ctx, error);
}
