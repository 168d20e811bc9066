/* protocol_quench.c: making a glass. Under NPT at [quench] pressure_bar: melt at melt_K,
 * hold the liquid at hold_K, cool linearly to final_K at rate_K_per_ps, hold at final_K.
 * Writes glass.data, thermo.csv, and volume_temperature.csv: block averages of T, V, E and
 * P over the cooling, whose change of slope marks the glass transition T_g.
 *
 * A slow quench takes hours, so it checkpoints every checkpoint_ps into quench.checkpoint
 * (system, integrator, position in the protocol, the current V–T block and both tables so
 * far); --resume continues from there and ends with the same bytes as an uninterrupted
 * run. */
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "experiment/protocols.h"
#include "experiment/provenance.h"
#include "sim/checkpoint.h"
#include "sim/thermo.h"

#define CHECK_INTERVAL 50

typedef struct {
  const char *name;
  double t_start, t_stop; /* target ramp (K) */
  gint64 steps;
} Stage;

/* Block averages for volume_temperature.csv. */
typedef struct {
  gint64 n;
  double target, t, vol, pe, p;
  double time0;
} Block;

static gboolean flush_block(AmCsv *csv, Block *blk, const Stage *st, const AmSystem *sys, GError **error)
{
  if (blk->n == 0)
    return TRUE;
  const double n = (double) blk->n, natoms = (double) sys->atoms.n;
  am_csv_add_int(csv, sys->step);
  am_csv_add_double(csv, 0.5 * (blk->time0 + sys->time));
  am_csv_add_string(csv, st->name);
  am_csv_add_double(csv, blk->target / n);
  am_csv_add_double(csv, blk->t / n);
  am_csv_add_double(csv, blk->vol / n);
  am_csv_add_double(csv, blk->vol / n / natoms);
  am_csv_add_double(csv, blk->pe / n / natoms);
  am_csv_add_double(csv, blk->p / n);
  am_csv_add_int(csv, blk->n);
  memset(blk, 0, sizeof *blk);
  blk->time0 = sys->time;
  return am_csv_end_row(csv, error);
}

#define CHECKPOINT_NAME "quench.checkpoint"
#define FINGERPRINT_VERSION "amorph quench checkpoint 1"

/* Where the protocol stands after the last step of a checkpoint. */
typedef struct {
  gint64 stage;      /* index into the stages */
  gint64 stage_step; /* steps of that stage done */
  gint64 done;       /* steps of the whole quench done */
  Block blk;         /* the V–T block being accumulated */
} Position;

/* Everything the trajectory depends on: the config (with the checkpoint interval, which
 * restarts the neighbour list), the thread count (sum order), the potential's and start
 * file's bytes and the program version (in the config text). */
static char *fingerprint(const AmRunContext *ctx, GError **error)
{
  const AmConfig *cfg = ctx->config;
  g_autofree char *pot = am_sha256_file(am_config_get_string(cfg, "system", "potential"), error);
  if (!pot)
    return NULL;
  g_autofree char *data = NULL;
  if (strcmp(am_config_get_string(cfg, "quench", "start"), "data") == 0 &&
      !(data = am_sha256_file(am_config_get_string(cfg, "system", "data"), error)))
    return NULL;
  g_autofree char *ini = am_config_to_ini(cfg);
  g_autofree char *text = g_strdup_printf(FINGERPRINT_VERSION "\nthreads %d\npotential %s\ndata %s\n%s", ctx->threads,
                                          pot, data ? data : "-", ini);
  return g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
}

static gboolean write_checkpoint(const AmRunContext *ctx, const char *fp, const AmIntegrator *integ,
                                 const AmSystem *sys, const Position *pos, const AmCsv *vt, const AmCsv *thermo,
                                 GError **error)
{
  gsize vt_len = 0, thermo_len = 0;
  const char *vt_text = am_csv_copy(vt, &vt_len);
  const char *thermo_text = am_csv_copy(thermo, &thermo_len);
  const AmCheckpointBlob blobs[] = {
    { "quench-fingerprint", 64, (void *) fp },
    { "quench-integrator", sizeof *integ, (void *) integ },
    { "quench-position", sizeof *pos, (void *) pos },
    { "quench-vt-csv", vt_len, (void *) vt_text },
    { "quench-thermo-csv", thermo_len, (void *) thermo_text },
  };
  g_autofree char *path = am_protocol_output_path(ctx, CHECKPOINT_NAME);
  AmError err = { 0 };
  if (am_checkpoint_write(path, sys, blobs, G_N_ELEMENTS(blobs), &err)) {
    am_set_error_from_engine(error, &err, "[quench] checkpoint: ");
    return FALSE;
  }
  return TRUE;
}

/* A blob of exactly size bytes (size 0: any size), or an error naming the file. */
static const AmCheckpointBlob *need_blob(const AmCheckpointBlobs *blobs, const char *name, gsize size,
                                         const char *path, GError **error)
{
  const AmCheckpointBlob *b = am_checkpoint_blobs_find(blobs, name);
  if (!b || (size && b->size != size)) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_FORMAT,
                "resuming: %s has no valid %s section (made by another version of Amorph?); run without "
                "--resume or into another output folder", path, name);
    return NULL;
  }
  return b;
}

/* Restores sys, integ and pos from the output folder's checkpoint, and reopens the tables
 * with what they held then. *found is FALSE when there is no checkpoint to resume from. */
static gboolean read_checkpoint(AmRunContext *ctx, const char *fp, AmSystem *sys, AmIntegrator *integ,
                                Position *pos, AmCsv **vt, const char *const *vt_columns, AmCsv **thermo,
                                gboolean *found, GError **error)
{
  *found = FALSE;
  g_autofree char *path = am_protocol_output_path(ctx, CHECKPOINT_NAME);
  if (!g_file_test(path, G_FILE_TEST_EXISTS))
    return TRUE;
  const size_t natoms = sys->atoms.n;
  AmCheckpointBlobs blobs = { 0 };
  AmError err = { 0 };
  gboolean ok = FALSE;
  const AmCheckpointBlob *b_fp, *b_integ, *b_pos, *b_vt, *b_thermo;
  /* On failure the run stops with the error, so sys may be left half restored. */
  if (am_checkpoint_read(path, sys, &blobs, &err)) {
    am_set_error_from_engine(error, &err, "resuming: ");
  } else if (!(b_fp = need_blob(&blobs, "quench-fingerprint", 64, path, error)) ||
             !(b_integ = need_blob(&blobs, "quench-integrator", sizeof *integ, path, error)) ||
             !(b_pos = need_blob(&blobs, "quench-position", sizeof *pos, path, error)) ||
             !(b_vt = need_blob(&blobs, "quench-vt-csv", 0, path, error)) ||
             !(b_thermo = need_blob(&blobs, "quench-thermo-csv", 0, path, error))) {
    /* error set */
  } else if (memcmp(b_fp->data, fp, 64) != 0) {
    g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_INVALID_VALUE,
                "resuming: %s was made with a different config, thread count, potential, start file or "
                "program version; run without --resume or into another output folder", path);
  } else if (sys->atoms.n != natoms) {
    g_set_error(error, AM_ENGINE_ERROR, AM_ERR_FORMAT, "resuming: %s holds %zu atoms, the quench %zu", path,
                sys->atoms.n, natoms);
  } else {
    memcpy(integ, b_integ->data, sizeof *integ);
    memcpy(pos, b_pos->data, sizeof *pos);
    g_autofree char *vt_path = am_protocol_output_path(ctx, "volume_temperature.csv");
    if (am_integrator_resume(integ, sys, &err))
      am_set_error_from_engine(error, &err, "resuming from %s: ", path);
    else if ((*vt = am_csv_open_continued(vt_path, vt_columns, b_vt->data, b_vt->size, error)) &&
             (*thermo = am_thermo_csv_open(ctx, "thermo.csv", b_thermo->data, b_thermo->size, error)))
      *found = ok = TRUE;
  }
  am_checkpoint_blobs_free(&blobs);
  return ok;
}

static gboolean run_quench(AmRunContext *ctx, AmLoadedSystem *ls, GError **error)
{
  const AmConfig *cfg = ctx->config;
  AmSystem *sys = &ls->sys;
  const double dt = am_config_get_double(cfg, "quench", "timestep_ps");
  const double melt_K = am_config_get_double(cfg, "quench", "melt_K");
  const double hold_K = am_config_get_double(cfg, "quench", "hold_K");
  const double final_K = am_config_get_double(cfg, "quench", "final_K");
  const double rate = am_config_get_double(cfg, "quench", "rate_K_per_ps");
  const double pressure = am_config_get_double(cfg, "quench", "pressure_bar");
  const gint64 thermo_every = am_config_get_int(cfg, "quench", "thermo_interval");
  AmError err = { 0 };
  Stage stages[4] = {
    { "melt", melt_K, melt_K, llround(am_config_get_double(cfg, "quench", "melt_ps") / dt) },
    { "hold", hold_K, hold_K, llround(am_config_get_double(cfg, "quench", "hold_ps") / dt) },
    { "cool", hold_K, final_K, llround((hold_K - final_K) / rate / dt) },
    { "final-hold", final_K, final_K, llround(am_config_get_double(cfg, "quench", "final_hold_ps") / dt) },
  };
  gint64 total = 0;
  for (int i = 0; i < 4; i++)
    total += stages[i].steps;
  const gint64 block_steps = MAX(1, llround(am_config_get_double(cfg, "quench", "vt_interval_ps") / dt));

  const char *vel_how = NULL;
  if (!am_protocol_init_velocities(ctx, "quench", ls, melt_K, &vel_how, error))
    return FALSE;
  AmIntegratorConfig icfg;
  am_protocol_integrator_config(ctx, "quench", AM_ENSEMBLE_NPT, &icfg);
  icfg.t_start = icfg.t_stop = stages[0].t_start;
  icfg.p_start = icfg.p_stop = pressure;
  AmIntegrator integ;
  if (am_integrator_init(&integ, &icfg, sys, 0, &err)) {
    am_set_error_from_engine(error, &err, "[quench]: ");
    return FALSE;
  }

  static const char *const vt_columns[] = {
    "step", "time_ps", "stage", "target_temperature_K", "temperature_K", "volume_A3",
    "volume_per_atom_A3", "pe_per_atom_eV", "pressure_bar", "samples", NULL,
  };
  const double checkpoint_ps = am_config_get_double(cfg, "quench", "checkpoint_ps");
  const gint64 checkpoint_steps = checkpoint_ps > 0 ? MAX(1, llround(checkpoint_ps / dt)) : 0;
  g_autofree char *fp = NULL;
  if (checkpoint_steps > 0 || ctx->resume)
    if (!(fp = fingerprint(ctx, error)))
      return FALSE;
  g_autoptr(AmCsv) vt = NULL;
  g_autoptr(AmCsv) thermo = NULL;
  Position pos = { .blk = { .time0 = sys->time } };
  gboolean resumed = FALSE;
  if (ctx->resume && !read_checkpoint(ctx, fp, sys, &integ, &pos, &vt, vt_columns, &thermo, &resumed, error))
    return FALSE;
  if (resumed) {
    int next = pos.stage; /* the stage the run continues in */
    if (pos.stage_step >= stages[next].steps)
      for (next++; next < 3 && stages[next].steps == 0; next++) {
      }
    am_progress_message(ctx->progress, "resuming at step %lld of %lld (%s stage)", (long long) pos.done,
                        (long long) total, stages[next].name);
  } else {
    if (ctx->resume)
      am_progress_message(ctx->progress, "no %s in the output folder: starting from the beginning",
                          CHECKPOINT_NAME);
    g_autofree char *vt_path = am_protocol_output_path(ctx, "volume_temperature.csv");
    if (!(vt = am_csv_open(vt_path, vt_columns, error)) ||
        !(thermo = am_thermo_csv_open(ctx, "thermo.csv", NULL, 0, error)))
      return FALSE;
    if (checkpoint_steps > 0) {
      am_csv_keep_copy(vt);
      am_csv_keep_copy(thermo);
    }
  }

  gboolean ok = resumed || am_thermo_csv_row(thermo, &integ, sys, error);
  am_progress_begin_at(ctx->progress, total, 4, pos.done);
  g_autofree char *status = NULL;
  gint64 done = pos.done;
  const gint64 done_at_start = done;
  AmLoopTimer timer;
  am_loop_timer_start(&timer);
  Block blk = pos.blk;
  for (int si = 0; ok && si < 4; si++) {
    const Stage *st = &stages[si];
    const gint64 first = si == pos.stage ? pos.stage_step + 1 : 1;
    if (si < pos.stage || (si == pos.stage && first > st->steps && st->steps > 0))
      continue; /* finished before the checkpoint */
    am_progress_stage_at(ctx->progress, si + 1, st->name);
    if (st->steps == 0)
      continue;
    if (first == 1) {
      /* Each stage is a new LAMMPS-style run with its own T ramp (a resumed stage's ramp
       * is in the restored integrator). */
      am_integrator_set_temperature_ramp(&integ, sys, st->t_start, st->t_stop,
                                         st->t_start == st->t_stop ? 0 : st->steps);
      blk = (Block) { .time0 = sys->time };
    }
    for (gint64 s = first; ok && s <= st->steps; s++) {
      if (am_integrator_step(&integ, sys, &err)) {
        am_set_error_from_engine(error, &err, "[quench] %s, step %lld: ", st->name, sys->step + 1);
        ok = FALSE;
        break;
      }
      done++;
      blk.n++;
      blk.target += am_integrator_target_temperature(&integ);
      blk.t += am_thermo_temperature(&sys->atoms);
      blk.vol += am_box_volume(&sys->box);
      blk.pe += sys->pe;
      blk.p += am_thermo_pressure(sys);
      if (blk.n == block_steps || s == st->steps)
        ok = flush_block(vt, &blk, st, sys, error);
      if (ok && (done % thermo_every == 0 || done == total))
        ok = am_thermo_csv_row(thermo, &integ, sys, error);
      if (ok && checkpoint_steps > 0 && done % checkpoint_steps == 0 && done < total) {
        const Position here = { .stage = si, .stage_step = s, .done = done, .blk = blk };
        ok = write_checkpoint(ctx, fp, &integ, sys, &here, vt, thermo, error);
        /* The run goes on exactly as a resumed one would: fresh neighbour list, forces
         * recomputed (sim/checkpoint.h). */
        am_system_invalidate(sys);
        if (ok && am_integrator_resume(&integ, sys, &err)) {
          am_set_error_from_engine(error, &err, "[quench] after the checkpoint at step %lld: ", sys->step);
          ok = FALSE;
        }
      }
      if (done % CHECK_INTERVAL == 0) {
        if (am_progress_check_cancelled(ctx->progress, error))
          ok = FALSE;
        g_free(status);
        status = g_strdup_printf("T %.0f K (target %.0f K), V %.3f Å³/atom", am_thermo_temperature(&sys->atoms),
                                 am_integrator_target_temperature(&integ),
                                 am_box_volume(&sys->box) / (double) sys->atoms.n);
      }
      am_progress_update(ctx->progress, done, status);
    }
  }
  am_loop_timer_stop(&timer);
  /* Keep what a failed quench produced: the curves show where it went wrong. */
  if (!am_csv_commit(g_steal_pointer(&vt), ok ? error : NULL))
    ok = FALSE;
  if (ok)
    am_provenance_add_output(ctx->provenance, "volume_temperature.csv");
  if (!am_csv_commit(g_steal_pointer(&thermo), ok ? error : NULL))
    ok = FALSE;
  if (!ok)
    return FALSE;
  if (!am_protocol_write_data(ctx, "glass.data", sys, "Amorph quench: glass", error))
    return FALSE;

  const double natoms = (double) sys->atoms.n;
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  am_json_add_string(b, "protocol", "quench");
  am_json_add_string(b, "velocities", vel_how);
  /* Timing of this process's steps; a resumed run also says where it took over. */
  am_protocol_add_timing_json(b, ctx, &timer, sys->atoms.n, total - done_at_start);
  if (resumed)
    am_json_add_int(b, "resumed_at_step", done_at_start);
  am_json_add_double(b, "cooling_rate_K_per_ps", rate);
  am_json_add_double(b, "cooling_rate_K_per_s", rate * 1e12);
  json_builder_set_member_name(b, "stages");
  json_builder_begin_array(b);
  for (int i = 0; i < 4; i++) {
    json_builder_begin_object(b);
    am_json_add_string(b, "name", stages[i].name);
    am_json_add_double(b, "start_K", stages[i].t_start);
    am_json_add_double(b, "stop_K", stages[i].t_stop);
    am_json_add_int(b, "steps", stages[i].steps);
    am_json_add_double(b, "duration_ps", (double) stages[i].steps * dt);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_set_member_name(b, "final");
  json_builder_begin_object(b);
  am_protocol_add_state_json(b, sys);
  json_builder_end_object(b);
  json_builder_end_object(b);
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  g_autofree char *path = am_protocol_output_path(ctx, "results.json");
  if (!am_json_write_file(path, root, error))
    return FALSE;
  am_provenance_add_output(ctx->provenance, "results.json");
  /* Finished: nothing left to resume. */
  g_autofree char *checkpoint = am_protocol_output_path(ctx, CHECKPOINT_NAME);
  if (g_remove(checkpoint) != 0 && errno != ENOENT)
    am_progress_message(ctx->progress, "could not remove %s: %s", checkpoint, g_strerror(errno));
  am_progress_message(ctx->progress, "glass at %.1f K: %.4f Å³/atom, %.5f eV/atom",
                      am_thermo_temperature(&sys->atoms), am_box_volume(&sys->box) / natoms, sys->pe / natoms);
  return TRUE;
}

/* Relations between keys that single-key ranges cannot express; checked before any
 * file is read. */
static gboolean check_settings(const AmConfig *cfg, GError **error)
{
  const gboolean from_data = strcmp(am_config_get_string(cfg, "quench", "start"), "data") == 0;
  if (from_data && !am_config_is_set(cfg, "system", "data")) {
    g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_MISSING,
                "%s: [quench] start = data needs [system] data (or set start = b2)", am_config_source(cfg));
    return FALSE;
  }
  if (!from_data) {
    const char *const *elements = am_config_get_words(cfg, "system", "elements");
    const char *const *fractions = am_config_get_words(cfg, "quench", "composition");
    if (g_strv_length((char **) elements) != g_strv_length((char **) fractions)) {
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_INVALID_VALUE,
                  "%s: [quench] composition has %u fractions but [system] elements names %u elements",
                  am_config_source(cfg), g_strv_length((char **) fractions), g_strv_length((char **) elements));
      return FALSE;
    }
    double sum = 0;
    for (guint i = 0; fractions[i]; i++) {
      char *end = NULL;
      const double f = g_ascii_strtod(fractions[i], &end);
      if (end == fractions[i] || *end || !(f >= 0 && f <= 1)) {
        g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_INVALID_VALUE,
                    "%s: [quench] composition: “%s” is not a fraction between 0 and 1", am_config_source(cfg),
                    fractions[i]);
        return FALSE;
      }
      sum += f;
    }
    if (fabs(sum - 1.0) > 1e-6) {
      g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_OUT_OF_RANGE,
                  "%s: [quench] composition sums to %g, not 1", am_config_source(cfg), sum);
      return FALSE;
    }
  }
  const double hold_K = am_config_get_double(cfg, "quench", "hold_K");
  const double final_K = am_config_get_double(cfg, "quench", "final_K");
  if (!(final_K < hold_K)) {
    g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_OUT_OF_RANGE,
                "%s: [quench] final_K = %g must be below hold_K = %g (a quench cools)",
                am_config_source(cfg), final_K, hold_K);
    return FALSE;
  }
  if (!(final_K > 0)) {
    g_set_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_OUT_OF_RANGE,
                "%s: [quench] final_K must be above 0 K (a thermostat needs a positive target)",
                am_config_source(cfg));
    return FALSE;
  }
  return TRUE;
}

/* The structure to melt: the data file, or a random-species B2 lattice. */
static gboolean load_start(AmRunContext *ctx, AmLoadedSystem *ls, GError **error)
{
  const AmConfig *cfg = ctx->config;
  if (strcmp(am_config_get_string(cfg, "quench", "start"), "data") == 0)
    return am_protocol_load_system(ctx, ls, error);
  AmLatticeSpec spec = {
    .natoms = (size_t) am_config_get_int(cfg, "quench", "natoms"),
    .lattice_constant = am_config_get_double(cfg, "quench", "lattice_constant_A"),
    .seed = (uint64_t) am_config_get_int(cfg, "quench", "lattice_seed"),
  };
  const char *const *fractions = am_config_get_words(cfg, "quench", "composition");
  for (int t = 0; fractions[t] && t < AM_MAX_TYPES; t++)
    spec.fraction[t] = g_ascii_strtod(fractions[t], NULL);
  return am_protocol_load_system_lattice(ctx, ls, &spec, error);
}

gboolean am_protocol_quench(AmRunContext *ctx, GError **error)
{
  AmLoadedSystem ls = { 0 };
  if (!check_settings(ctx->config, error))
    return FALSE;
  gboolean ok = load_start(ctx, &ls, error) && run_quench(ctx, &ls, error);
  am_loaded_system_clear(&ls);
  return ok;
}
