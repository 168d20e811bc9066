/* test-gui-teach.c: teaching mode: free play (the worker's live shear, smooth temperature
 * changes and sliding-window classes on a real glass), the "?" explanations and the
 * presentation mode of the window. */
#include <gtk/gtk.h>
#include <math.h>

#include "gui/worker.h"
#include "sim/data_file.h"

static char *source_file(const char *a, const char *b, const char *c)
{
  return g_build_filename(g_getenv("AMORPH_SOURCE_DIR"), a, b, c, NULL);
}

/* ---- the worker --------------------------------------------------------------------- */

typedef struct {
  AmorphSnapshot *last;
  double lo, hi;  /* a band of thermostat targets to watch for */
  int in_between; /* snapshots whose target was strictly inside it */
  char *error;
} Seen;

static void on_snapshot(AmorphSnapshot *snap, gpointer data)
{
  Seen *seen = data;
  g_clear_pointer(&seen->last, amorph_snapshot_unref);
  seen->last = amorph_snapshot_ref(snap);
  if (snap->n > 0 && snap->target_temperature > seen->lo && snap->target_temperature < seen->hi)
    seen->in_between++;
  if (snap->error && !seen->error)
    seen->error = g_strdup(snap->error);
}

typedef gboolean (*Cond)(Seen *seen, gpointer data);

static gboolean wait_for(Seen *seen, Cond cond, gpointer data, int timeout_ms)
{
  gint64 end = g_get_monotonic_time() + (gint64) timeout_ms * 1000;
  while (g_get_monotonic_time() < end) {
    if (seen->error)
      g_error("worker: %s", seen->error);
    if (seen->last && cond(seen, data))
      return TRUE;
    g_main_context_iteration(NULL, FALSE);
    g_usleep(2000);
  }
  return FALSE;
}

static gboolean reached_time(Seen *seen, gpointer data)
{
  return seen->last->time >= *(double *) data - 1e-9;
}

typedef struct {
  AmBox box;
  AmAtoms atoms;
  char *potential;
} Glass;

static void glass_load(Glass *g)
{
  g_autofree char *path = source_file("tests", "data", "glass-500.data");
  AmError err = {0};
  memset(g, 0, sizeof *g);
  if (am_data_read(path, &g->box, &g->atoms, NULL, &err) != AM_OK)
    g_error("%s", err.message);
  g->potential = source_file("data", "potentials", "CuZr_mm.eam.fs");
}

static void glass_free(Glass *g)
{
  am_atoms_free(&g->atoms);
  g_free(g->potential);
}

/* Free play for `ps` ps at temperature T on the 500-atom glass with a t_p = 2 ps shear and
 * a window of two periods; returns the last snapshot. */
static AmorphSnapshot *free_play(double temperature, double ps)
{
  Glass g;
  glass_load(&g);
  const char *names[2] = {"Cu", "Zr"};
  AmorphWorkerConfig cfg;
  amorph_worker_config_init(&cfg);
  cfg.potential_path = g.potential;
  cfg.temperature = temperature;
  cfg.steps_per_frame = 100;
  cfg.shear_amplitude = 0.02;
  cfg.shear_period = 2.0;
  cfg.seed = 11;
  Seen seen = {0};
  AmorphWorker *w = amorph_worker_new(&g.box, &g.atoms, NULL, names, &cfg, on_snapshot, &seen);
  amorph_worker_run(w);
  g_assert_true(wait_for(&seen, reached_time, &ps, 120000));
  amorph_worker_free(w);
  glass_free(&g);
  return seen.last;
}

static void test_free_play_cold_hot(void)
{
  AmorphSnapshot *cold = free_play(50, 6.0);
  AmorphSnapshot *hot = free_play(1100, 6.0);
  for (int k = 0; k < 2; k++) {
    AmorphSnapshot *s = k ? hot : cold;
    g_test_message("%.0f K after %.1f ps: VA %.3f RA %.3f FA %.3f (window %.1f of %.1f ps, γ = %.4f, %zu stress "
                   "samples, G′ %.1f G″ %.2f GPa)",
                   s->final_temperature, s->time, s->class_fractions[0], s->class_fractions[1],
                   s->class_fractions[2], s->window_span, s->window_length, s->strain, s->n_trace,
                   s->have_fit ? s->fit.storage : NAN, s->have_fit ? s->fit.loss : NAN);
    g_assert_nonnull(s->classes);
    g_assert_cmpfloat_with_epsilon(s->window_length, 4.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(s->window_span, 4.0, 1e-9);
    g_assert_cmpfloat_with_epsilon(s->class_fractions[0] + s->class_fractions[1] + s->class_fractions[2], 1.0,
                                   1e-12);
    /* The class array and the fractions say the same. */
    size_t count[3] = {0, 0, 0};
    for (size_t i = 0; i < s->n; i++) {
      g_assert_cmpint(s->classes[i], <=, 2);
      count[s->classes[i]]++;
    }
    for (int c = 0; c < 3; c++)
      g_assert_cmpfloat_with_epsilon(count[c] / (double) s->n, s->class_fractions[c], 1e-12);
    /* The stress trace covers the last three periods, sampled every 0.1 ps, with the strain. */
    g_assert_cmpuint(s->n_trace, >=, 55);
    g_assert_cmpfloat(s->trace_t[s->n_trace - 1] - s->trace_t[0], <=, 6.0 + 1e-9);
    g_assert_cmpfloat(fabs(s->strain), <=, 0.02 + 1e-12);
    g_assert_true(s->have_fit);
  }
  /* At 50 K the glass only vibrates. */
  g_assert_cmpfloat(cold->class_fractions[0], >=, 0.99);
  /* At 1100 K atoms hop: reversible and fast atoms appear. */
  g_assert_cmpfloat(hot->class_fractions[1] + hot->class_fractions[2], >=, 0.2);
  g_assert_cmpfloat(hot->class_fractions[2], >, 0.0);
  /* The cold glass is a solid: in-phase stress of tens of GPa per unit strain. */
  g_assert_cmpfloat(cold->fit.storage, >, 10.0);
  amorph_snapshot_unref(cold);
  amorph_snapshot_unref(hot);
}

static gboolean target_at(Seen *seen, gpointer data)
{
  return fabs(seen->last->target_temperature - *(double *) data) < 1e-9;
}

static gboolean shear_is(Seen *seen, gpointer data)
{
  const double *want = data;
  return seen->last->shear_amplitude == want[0] && fabs(seen->last->shear_period - want[1]) < 1e-9;
}

/* A temperature command reaches the worker and the thermostat target ramps there, through
 * values in between; a shear command applies at the next cycle start. */
static void test_commands(void)
{
  Glass g;
  glass_load(&g);
  const char *names[2] = {"Cu", "Zr"};
  AmorphWorkerConfig cfg;
  amorph_worker_config_init(&cfg);
  cfg.potential_path = g.potential;
  cfg.temperature = 100;
  cfg.steps_per_frame = 20;
  cfg.temperature_rate = 200; /* K/ps: 100 → 500 K in 2 ps, 1000 steps */
  Seen seen = {0};
  AmorphWorker *w = amorph_worker_new(&g.box, &g.atoms, NULL, names, &cfg, on_snapshot, &seen);
  amorph_worker_run(w);
  double t1 = 0.1;
  g_assert_true(wait_for(&seen, reached_time, &t1, 60000));
  g_assert_cmpfloat(seen.last->target_temperature, ==, 100);
  g_assert_cmpfloat(seen.last->shear_amplitude, ==, 0.01);
  g_assert_cmpfloat_with_epsilon(seen.last->shear_period, 10.0, 1e-9);
  double t_cmd = seen.last->time;
  seen.lo = 100;
  seen.hi = 500;
  amorph_worker_set_temperature(w, 500);
  double want = 500;
  g_assert_true(wait_for(&seen, target_at, &want, 60000));
  double t_done = seen.last->time;
  g_assert_cmpfloat(seen.last->final_temperature, ==, 500);
  g_test_message("target 100 → 500 K between t = %.2f and %.2f ps; %d snapshots in between", t_cmd, t_done,
                 seen.in_between);
  /* Smooth: it took about 2 ps (a jump would take one frame, 0.04 ps), and snapshots saw
   * targets strictly in between. */
  g_assert_cmpfloat(t_done - t_cmd, >, 1.5);
  g_assert_cmpfloat(t_done - t_cmd, <, 2.5);
  g_assert_cmpint(seen.in_between, >=, 5);

  /* The shear changes at the next start of a 10 ps cycle, with γ continuous. */
  amorph_worker_set_steps_per_frame(w, 200);
  double shear[2] = {0.03, 4.0};
  amorph_worker_set_shear(w, shear[0], shear[1]);
  g_assert_true(wait_for(&seen, shear_is, shear, 120000));
  g_test_message("shear 0.03 / 4 ps applied at t = %.2f ps", seen.last->time);
  g_assert_cmpfloat(seen.last->time, >=, 10.0 - 1e-9);
  g_assert_cmpfloat_with_epsilon(seen.last->window_length, 8.0, 1e-9);
  /* Amplitude 0 stops the shear at the next cycle start too, where γ = 0. */
  double none[2] = {0.0, 4.0};
  amorph_worker_set_shear(w, none[0], none[1]);
  g_assert_true(wait_for(&seen, shear_is, none, 60000));
  g_assert_cmpfloat(seen.last->strain, ==, 0.0);
  amorph_worker_free(w);
  g_clear_pointer(&seen.last, amorph_snapshot_unref);
  glass_free(&g);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/gui/teach/free-play-cold-hot", test_free_play_cold_hot);
  g_test_add_func("/gui/teach/commands", test_commands);
  return g_test_run();
}
