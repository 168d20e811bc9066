/* test-progress.c: progress events: the moving steps-per-second rate over running time
 * (a pause neither dilutes nor inflates it, it follows a change of speed within its
 * window), an AmProgress whose pause flag is set leaves the paused time out of the rate
 * and ETA it reports, and a resumed run's earlier steps stay out of its rate. */
#include <glib.h>
#include <math.h>

#include "experiment/progress.h"

#define S 1000000 /* microseconds per second */

/* Feeds r samples every 0.2 s from t0 for secs seconds at rate steps/s (paused: none). */
static gint64 run_for(AmStepRate *r, gint64 t0, gint64 *done, double secs, double rate, gboolean paused)
{
  const gint64 dt = S / 5;
  gint64 t = t0;
  for (gint64 k = 0; k < (gint64) lround(secs * 5); k++) {
    t += dt;
    if (!paused)
      *done += (gint64) lround(rate * 0.2);
    am_step_rate_sample(r, t, *done, paused);
  }
  return t;
}

static void test_rate_pause(void)
{
  AmStepRate r;
  gint64 t = 1000 * (gint64) S, done = 0;
  am_step_rate_reset(&r, t, 0);
  g_assert_cmpfloat(am_step_rate_per_second(&r), ==, 0);
  t = run_for(&r, t, &done, 4, 500, FALSE);
  g_assert_cmpfloat(fabs(am_step_rate_per_second(&r) - 500), <, 1e-9);
  /* A minute paused: nothing changes. */
  t = run_for(&r, t, &done, 60, 500, TRUE);
  g_assert_cmpfloat(fabs(am_step_rate_per_second(&r) - 500), <, 1e-9);
  g_assert_cmpfloat(fabs(am_step_rate_running_seconds(&r) - 4), <, 1e-9);
  /* Resumed: the first stretch ends unpaused with steps done, so it counts. */
  t = run_for(&r, t, &done, 2, 500, FALSE);
  g_assert_cmpfloat(fabs(am_step_rate_per_second(&r) - 500), <, 1e-9);
  g_assert_cmpfloat(fabs(am_step_rate_running_seconds(&r) - 6), <, 1e-9);
  /* What the whole-run average would say: diluted five times over. */
  g_assert_cmpfloat((double) done / 66.0, <, 100);

  /* Pause asked for, but the jobs finish their chunk (steps still done): running time. */
  done += 100;
  t += S / 5;
  am_step_rate_sample(&r, t, done, TRUE);
  g_assert_cmpfloat(fabs(am_step_rate_running_seconds(&r) - 6.2), <, 1e-9);
  g_assert_cmpfloat(fabs(am_step_rate_per_second(&r) - 500), <, 1e-9);
  /* The jobs hold now. */
  t = run_for(&r, t, &done, 3, 0, TRUE);
  g_assert_cmpfloat(fabs(am_step_rate_running_seconds(&r) - 6.2), <, 1e-9);
  /* Resumed, and the first stretch done no steps yet: not counted either. */
  t += S / 5;
  am_step_rate_sample(&r, t, done, FALSE);
  g_assert_cmpfloat(fabs(am_step_rate_running_seconds(&r) - 6.2), <, 1e-9);
  t += S / 5;
  am_step_rate_sample(&r, t, done, FALSE);
  g_assert_cmpfloat(fabs(am_step_rate_running_seconds(&r) - 6.4), <, 1e-9);
}

static void test_rate_moving(void)
{
  AmStepRate r;
  gint64 t = 0, done = 0;
  am_step_rate_reset(&r, t, 0);
  t = run_for(&r, t, &done, 30, 1000, FALSE);
  g_assert_cmpfloat(fabs(am_step_rate_per_second(&r) - 1000), <, 1e-6);
  /* The machine gets busy: a quarter of the speed. Half a window later the rate is
   * between, a window and a half later it is the new one (a whole-run average would still
   * say 500). */
  t = run_for(&r, t, &done, AM_STEP_RATE_WINDOW_S / 2, 250, FALSE);
  double mid = am_step_rate_per_second(&r);
  g_assert_cmpfloat(mid, >, 300);
  g_assert_cmpfloat(mid, <, 900);
  t = run_for(&r, t, &done, AM_STEP_RATE_WINDOW_S * 1.5, 250, FALSE);
  g_assert_cmpfloat(fabs(am_step_rate_per_second(&r) - 250), <, 1e-6);
  /* Steps counted from a new start (a lower count) start the measure again. */
  t += S / 5;
  am_step_rate_sample(&r, t, 10, FALSE);
  g_assert_cmpfloat(am_step_rate_running_seconds(&r), ==, 0);
  t += S;
  am_step_rate_sample(&r, t, 110, FALSE);
  g_assert_cmpfloat(fabs(am_step_rate_per_second(&r) - 100), <, 1e-9);
}

typedef struct {
  double steps_per_s, eta_s, running_s, elapsed_s;
  gint64 done;
  int updates;
} Seen;

static void on_event(const AmProgressEvent *ev, gpointer data)
{
  Seen *s = data;
  if (ev->kind != AM_PROGRESS_UPDATE)
    return;
  s->steps_per_s = ev->steps_per_s;
  s->eta_s = ev->eta_s;
  s->running_s = ev->running_s;
  s->elapsed_s = ev->elapsed_s;
  s->done = ev->done;
  s->updates++;
}

/* Steps done at a steady pace of 1 per ms of wall time, for ms milliseconds. */
static gint64 steps_for(AmProgress *p, gint64 done, int ms)
{
  gint64 end = g_get_monotonic_time() + (gint64) ms * 1000;
  while (g_get_monotonic_time() < end) {
    g_usleep(5000);
    done += 5;
    am_progress_update(p, done, NULL);
  }
  return done;
}

static void test_progress_pause_flag(void)
{
  Seen seen = {0};
  AmProgress *p = am_progress_new("test");
  am_progress_subscribe(p, on_event, &seen, NULL);
  volatile gint paused = 0;
  am_progress_set_pause_flag(p, &paused);
  am_progress_begin(p, 100000, 1);
  gint64 done = steps_for(p, 0, 400);
  /* Paused for twice the running time: updates keep coming with no steps. */
  g_atomic_int_set(&paused, 1);
  for (int k = 0; k < 8; k++) {
    g_usleep(100000);
    am_progress_update(p, done, NULL);
  }
  g_atomic_int_set(&paused, 0);
  done = steps_for(p, done, 400);
  am_progress_update(p, done, NULL);
  g_assert_cmpint(seen.updates, >, 5);
  g_test_message("%.2f s elapsed, %.2f s running: %.0f steps/s, ETA %.1f s", seen.elapsed_s, seen.running_s,
                 seen.steps_per_s, seen.eta_s);
  /* The paused 0.8 s is out of the running time (a loaded machine may stretch the
   * sleeps, which only makes the pause longer than the bound asks). */
  g_assert_cmpfloat(seen.elapsed_s - seen.running_s, >, 0.7);
  /* The rate: steps over the running time (all of it inside the window), whatever the
   * sleeps really took; the whole-run average would be at most two thirds of it. */
  g_assert_cmpfloat(fabs(seen.steps_per_s * seen.running_s - (double) seen.done), <, 1e-6 * (double) seen.done);
  g_assert_cmpfloat(seen.steps_per_s, >, 1.3 * (double) seen.done / seen.elapsed_s);
  g_assert_cmpfloat(fabs(seen.eta_s - (double) (100000 - seen.done) / seen.steps_per_s), <, 1e-6 * seen.eta_s);
  am_progress_free(p);
}

/* A resumed run: the steps it did not have to do count for the ETA, not for the rate. */
static void test_progress_resumed(void)
{
  Seen seen = {0};
  AmProgress *p = am_progress_new("test");
  am_progress_subscribe(p, on_event, &seen, NULL);
  am_progress_begin_at(p, 100000, 1, 60000);
  steps_for(p, 60000, 300);
  g_assert_cmpint(seen.updates, >, 0);
  g_test_message("%.2f s running: %.0f steps/s, ETA %.1f s", seen.running_s, seen.steps_per_s, seen.eta_s);
  g_assert_cmpfloat(fabs(seen.steps_per_s * seen.running_s - (double) (seen.done - 60000)), <, 1e-6 * seen.done);
  g_assert_cmpfloat(seen.steps_per_s, <, 2000);
  g_assert_cmpfloat(fabs(seen.eta_s - (double) (100000 - seen.done) / seen.steps_per_s), <, 1e-6 * seen.eta_s);
  am_progress_free(p);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/experiment/progress/rate-leaves-out-pauses", test_rate_pause);
  g_test_add_func("/experiment/progress/rate-moves", test_rate_moving);
  g_test_add_func("/experiment/progress/pause-flag", test_progress_pause_flag);
  g_test_add_func("/experiment/progress/resumed-run", test_progress_resumed);
  return g_test_run();
}
