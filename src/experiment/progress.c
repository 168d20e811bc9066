/* progress.c: progress events and the stderr printer. */
#include "experiment/progress.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  AmProgressFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} Sink;

struct AmProgress {
  char *protocol;
  char *stage;
  int stage_index, stage_count;
  gint64 done, total;
  gint64 start_us, last_emit_us;
  GArray *sinks;
  GCancellable *cancellable;
  volatile sig_atomic_t *stop_flag;
  volatile gint *pause_flag;
  AmStepRate rate;
};

#define EMIT_INTERVAL_US 100000

AmProgress *am_progress_new(const char *protocol)
{
  AmProgress *p = g_new0(AmProgress, 1);
  p->protocol = g_strdup(protocol);
  p->stage = g_strdup("");
  p->sinks = g_array_new(FALSE, TRUE, sizeof(Sink));
  p->start_us = g_get_monotonic_time();
  am_step_rate_reset(&p->rate, p->start_us, 0);
  return p;
}

void am_progress_free(AmProgress *p)
{
  if (!p)
    return;
  for (guint i = 0; i < p->sinks->len; i++) {
    Sink *s = &g_array_index(p->sinks, Sink, i);
    if (s->destroy)
      s->destroy(s->user_data);
  }
  g_array_free(p->sinks, TRUE);
  g_clear_object(&p->cancellable);
  g_free(p->protocol);
  g_free(p->stage);
  g_free(p);
}

void am_progress_subscribe(AmProgress *p, AmProgressFunc func, gpointer user_data,
                           GDestroyNotify destroy)
{
  Sink s = { func, user_data, destroy };
  g_array_append_val(p->sinks, s);
}

void am_progress_set_cancellable(AmProgress *p, GCancellable *cancellable)
{
  g_set_object(&p->cancellable, cancellable);
}

void am_progress_set_stop_flag(AmProgress *p, volatile sig_atomic_t *flag)
{
  p->stop_flag = flag;
}

void am_progress_set_pause_flag(AmProgress *p, volatile gint *flag)
{
  p->pause_flag = flag;
}

gboolean am_progress_check_cancelled(AmProgress *p, GError **error)
{
  if (!p)
    return FALSE;
  if (p->stop_flag && *p->stop_flag) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "interrupted");
    return TRUE;
  }
  return p->cancellable && g_cancellable_set_error_if_cancelled(p->cancellable, error);
}

static void emit(AmProgress *p, AmProgressKind kind, const char *text)
{
  gint64 now = g_get_monotonic_time();
  AmProgressEvent ev = {
    .kind = kind,
    .protocol = p->protocol,
    .stage = p->stage,
    .stage_index = p->stage_index,
    .stage_count = p->stage_count,
    .done = p->done,
    .total = p->total,
    .elapsed_s = (double) (now - p->start_us) * 1e-6,
    .running_s = am_step_rate_running_seconds(&p->rate),
    .steps_per_s = am_step_rate_per_second(&p->rate),
    .eta_s = -1,
    .text = text,
  };
  if (ev.steps_per_s > 0 && p->total >= p->done)
    ev.eta_s = (double) (p->total - p->done) / ev.steps_per_s;
  p->last_emit_us = now;
  for (guint i = 0; i < p->sinks->len; i++) {
    Sink *s = &g_array_index(p->sinks, Sink, i);
    s->func(&ev, s->user_data);
  }
}

void am_progress_begin(AmProgress *p, gint64 total_steps, int stage_count)
{
  am_progress_begin_at(p, total_steps, stage_count, 0);
}

void am_progress_begin_at(AmProgress *p, gint64 total_steps, int stage_count, gint64 done)
{
  p->total = total_steps;
  p->done = done;
  p->stage_count = stage_count;
  p->stage_index = 0;
  p->start_us = g_get_monotonic_time();
  /* Steps a resumed run did not have to do are not part of its rate. */
  am_step_rate_reset(&p->rate, p->start_us, done);
  emit(p, AM_PROGRESS_BEGIN, NULL);
}

void am_progress_stage(AmProgress *p, const char *stage)
{
  am_progress_stage_at(p, p->stage_index + 1, stage);
}

void am_progress_stage_at(AmProgress *p, int index, const char *stage)
{
  g_free(p->stage);
  p->stage = g_strdup(stage);
  p->stage_index = index;
  emit(p, AM_PROGRESS_STAGE, NULL);
}

void am_progress_update(AmProgress *p, gint64 done, const char *status)
{
  p->done = done;
  gint64 now = g_get_monotonic_time();
  am_step_rate_sample(&p->rate, now, done, p->pause_flag && g_atomic_int_get(p->pause_flag));
  if (now - p->last_emit_us >= EMIT_INTERVAL_US || done == p->total)
    emit(p, AM_PROGRESS_UPDATE, status);
}

void am_progress_message(AmProgress *p, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *text = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  emit(p, AM_PROGRESS_MESSAGE, text);
}

void am_progress_end(AmProgress *p, const char *error_message)
{
  emit(p, AM_PROGRESS_END, error_message);
}

/* ---- the moving rate ----------------------------------------------------------------- */

#define RATE_SPACING_US 250000

void am_step_rate_reset(AmStepRate *r, gint64 now_us, gint64 done)
{
  memset(r, 0, sizeof *r);
  r->last_us = now_us;
  r->last_done = done;
  r->hist_done[0] = done;
  r->count = 1;
}

void am_step_rate_sample(AmStepRate *r, gint64 now_us, gint64 done, gboolean paused)
{
  if (done < r->last_done) {
    /* Counted from a new start: the history no longer applies. */
    am_step_rate_reset(r, now_us, done);
    r->last_paused = paused;
    return;
  }
  gint64 dt = now_us - r->last_us;
  if (dt > 0 && ((!paused && !r->last_paused) || done > r->last_done))
    r->running_us += dt;
  r->last_us = MAX(now_us, r->last_us);
  r->last_done = done;
  r->last_paused = paused;
  if (r->running_us - r->hist_run_us[r->head] >= RATE_SPACING_US) {
    r->head = (r->head + 1) % AM_STEP_RATE_SAMPLES;
    r->count = MIN(r->count + 1, AM_STEP_RATE_SAMPLES);
    r->hist_run_us[r->head] = r->running_us;
    r->hist_done[r->head] = done;
  }
}

double am_step_rate_per_second(const AmStepRate *r)
{
  /* From the newest state back to the youngest sample at least a window old (or the
   * oldest kept). */
  const gint64 window_us = (gint64) (AM_STEP_RATE_WINDOW_S * 1e6);
  int k = r->head;
  for (int n = 1; n < r->count; n++) {
    if (r->running_us - r->hist_run_us[k] >= window_us)
      break;
    k = (k + AM_STEP_RATE_SAMPLES - 1) % AM_STEP_RATE_SAMPLES;
  }
  gint64 span = r->running_us - r->hist_run_us[k], steps = r->last_done - r->hist_done[k];
  return span > 0 && steps > 0 ? (double) steps / ((double) span * 1e-6) : 0;
}

double am_step_rate_running_seconds(const AmStepRate *r)
{
  return (double) r->running_us * 1e-6;
}

char *am_format_duration(double seconds)
{
  if (!isfinite(seconds) || seconds < 0)
    return g_strdup("?");
  long s = lround(seconds);
  if (s >= 3600)
    return g_strdup_printf("%ldh%02ldm", s / 3600, (s / 60) % 60);
  if (s >= 60)
    return g_strdup_printf("%ldm%02lds", s / 60, s % 60);
  if (seconds < 10)
    return g_strdup_printf("%.1fs", seconds);
  return g_strdup_printf("%lds", s);
}

/* ---- stderr printer --------------------------------------------------------------- */

typedef struct {
  gboolean terminal;
  double interval_s;
  double last_line_s;
  gboolean bar_drawn; /* a bar is on the current line and must be cleared first */
} Printer;

static void clear_bar(Printer *pr)
{
  if (pr->bar_drawn) {
    fputs("\r\033[K", stderr);
    pr->bar_drawn = FALSE;
  }
}

static void describe_stage(const AmProgressEvent *ev, GString *s)
{
  g_string_append(s, ev->protocol);
  if (ev->stage && *ev->stage) {
    g_string_append_printf(s, " %s", ev->stage);
    if (ev->stage_count > 1)
      g_string_append_printf(s, " (%d/%d)", ev->stage_index, ev->stage_count);
  }
}

static void print_event(const AmProgressEvent *ev, gpointer user_data)
{
  Printer *pr = user_data;
  g_autoptr(GString) s = g_string_new(NULL);
  switch (ev->kind) {
  case AM_PROGRESS_BEGIN:
    pr->last_line_s = 0;
    return;
  case AM_PROGRESS_STAGE:
    clear_bar(pr);
    describe_stage(ev, s);
    fprintf(stderr, "%s: starting at step %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT "\n", s->str,
            ev->done, ev->total);
    return;
  case AM_PROGRESS_MESSAGE:
    clear_bar(pr);
    fprintf(stderr, "%s: %s\n", ev->protocol, ev->text);
    return;
  case AM_PROGRESS_END: {
    clear_bar(pr);
    g_autofree char *t = am_format_duration(ev->elapsed_s);
    if (ev->text)
      fprintf(stderr, "%s: failed after %s: %s\n", ev->protocol, t, ev->text);
    else
      fprintf(stderr, "%s: done in %s (%" G_GINT64_FORMAT " steps)\n", ev->protocol, t, ev->done);
    return;
  }
  case AM_PROGRESS_UPDATE:
    break;
  }
  double fraction = ev->total > 0 ? (double) ev->done / (double) ev->total : 1.0;
  g_autofree char *eta = am_format_duration(ev->eta_s);
  if (pr->terminal) {
    const int width = 24;
    int filled = (int) floor(fraction * width);
    describe_stage(ev, s);
    g_string_append(s, " [");
    for (int i = 0; i < width; i++)
      g_string_append(s, i < filled ? "#" : "-");
    g_string_append_printf(s, "] %3.0f%% %.0f steps/s ETA %s", 100 * fraction, ev->steps_per_s, eta);
    if (ev->text && *ev->text)
      g_string_append_printf(s, "  %s", ev->text);
    fprintf(stderr, "\r\033[K%s", s->str);
    pr->bar_drawn = TRUE;
  } else {
    if (ev->elapsed_s - pr->last_line_s < pr->interval_s && ev->done != ev->total)
      return;
    pr->last_line_s = ev->elapsed_s;
    describe_stage(ev, s);
    g_string_append_printf(s, ": step %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " (%.1f%%), %.0f steps/s, ETA %s",
                           ev->done, ev->total, 100 * fraction, ev->steps_per_s, eta);
    if (ev->text && *ev->text)
      g_string_append_printf(s, ", %s", ev->text);
    fprintf(stderr, "%s\n", s->str);
  }
  fflush(stderr);
}

void am_progress_subscribe_stderr(AmProgress *p, double interval_s, gboolean force_terminal)
{
  Printer *pr = g_new0(Printer, 1);
  pr->terminal = force_terminal || isatty(STDERR_FILENO);
  pr->interval_s = interval_s;
  am_progress_subscribe(p, print_event, pr, g_free);
}
