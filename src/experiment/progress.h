/* progress.h: progress of a running protocol as a stream of events.
 *
 * Protocols report what they do (stages, steps done out of a total, a short status such
 * as the current temperature) to an AmProgress; subscribers (sinks) receive events. Batch
 * subscribes a stderr printer: a bar with ETA on a terminal, plain periodic lines in a log.
 * The GUI will subscribe its own sink (called on the worker thread: it must only post the
 * event to the main loop). AmProgress also carries the cancellation request, so a protocol
 * checks one object between chunks of steps, and the GUI's pause flag, so that the rate and
 * ETA it reports count running time only. */
#pragma once

#include <gio/gio.h>
#include <glib.h>
#include <signal.h>

G_BEGIN_DECLS

typedef enum {
  AM_PROGRESS_BEGIN,   /* a run starts: total steps known */
  AM_PROGRESS_STAGE,   /* a named stage starts (melt, hold, cool, …) */
  AM_PROGRESS_UPDATE,  /* steps done changed (at most every ~0.1 s) */
  AM_PROGRESS_MESSAGE, /* a line of information (text) */
  AM_PROGRESS_END,     /* the run ended (successfully or not: see text) */
} AmProgressKind;

typedef struct {
  AmProgressKind kind;
  const char *protocol;
  const char *stage;       /* current stage ("" before the first) */
  int stage_index;         /* 1-based; 0 before the first */
  int stage_count;
  gint64 done, total;      /* steps of the whole run */
  double elapsed_s;        /* wall time since BEGIN */
  double running_s;        /* of it, the time the run was not paused (see AmStepRate) */
  double steps_per_s;      /* over the last AM_STEP_RATE_WINDOW_S of running time, 0 when unknown */
  double eta_s;            /* (total − done) / steps_per_s, < 0 when unknown */
  const char *text;        /* MESSAGE: the line; UPDATE: status ("T 301.2 K"); END: error or NULL */
} AmProgressEvent;

/* Steps per second over the last AM_STEP_RATE_WINDOW_S seconds of running time: a moving
 * measure that follows a machine whose load changes, and that a pause neither dilutes (the
 * time spent paused is not counted) nor inflates. A stretch between two samples counts as
 * running when the run was not paused at either end, or when steps were done in it (jobs
 * finish the chunk they are in after a pause is asked for). Plain data, one thread; times
 * are g_get_monotonic_time() microseconds, passed in so a test can feed its own clock. */
#define AM_STEP_RATE_WINDOW_S 20.0
#define AM_STEP_RATE_SAMPLES 96 /* history, one sample per ≥ 1/4 s of running time */
typedef struct {
  gint64 last_us, last_done;
  gboolean last_paused;
  gint64 running_us;          /* running time since the reset */
  gint64 hist_run_us[AM_STEP_RATE_SAMPLES], hist_done[AM_STEP_RATE_SAMPLES];
  int head, count;            /* ring of (running time, steps done), newest at head */
} AmStepRate;

void am_step_rate_reset(AmStepRate *r, gint64 now_us, gint64 done);
void am_step_rate_sample(AmStepRate *r, gint64 now_us, gint64 done, gboolean paused);
/* 0 until running time has passed with steps done. */
double am_step_rate_per_second(const AmStepRate *r);
double am_step_rate_running_seconds(const AmStepRate *r);

typedef void (*AmProgressFunc)(const AmProgressEvent *event, gpointer user_data);

typedef struct AmProgress AmProgress;

AmProgress *am_progress_new(const char *protocol);
void am_progress_free(AmProgress *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AmProgress, am_progress_free)

/* Subscribes a sink; destroy (may be NULL) frees user_data with the AmProgress. */
void am_progress_subscribe(AmProgress *p, AmProgressFunc func, gpointer user_data,
                           GDestroyNotify destroy);
/* Cancellation: protocols stop at the next check and fail with G_IO_ERROR_CANCELLED. */
void am_progress_set_cancellable(AmProgress *p, GCancellable *cancellable);
gboolean am_progress_check_cancelled(AmProgress *p, GError **error);
/* Also stop when *flag becomes non-zero: a signal handler may set it (batch: Ctrl-C), which
 * it may not do with a GCancellable. */
void am_progress_set_stop_flag(AmProgress *p, volatile sig_atomic_t *flag);
/* While *flag is non-zero the run is paused (the protocol's jobs poll the same flag): the
 * rate and ETA leave that time out. NULL: never paused. */
void am_progress_set_pause_flag(AmProgress *p, volatile gint *flag);

void am_progress_begin(AmProgress *p, gint64 total_steps, int stage_count);
/* The same for a run resumed with done steps behind it (they count for the fraction and
 * the ETA, not for the rate). */
void am_progress_begin_at(AmProgress *p, gint64 total_steps, int stage_count, gint64 done);
void am_progress_stage(AmProgress *p, const char *stage);
/* Stage number index (1-based) of stage_count: a resumed run starts in the middle and does
 * not announce the stages it finished before. */
void am_progress_stage_at(AmProgress *p, int index, const char *stage);
/* Cheap enough to call every step: events are rate-limited to about ten per second. */
void am_progress_update(AmProgress *p, gint64 done, const char *status);
void am_progress_message(AmProgress *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void am_progress_end(AmProgress *p, const char *error_message);

/* The batch printer: a bar with ETA redrawn in place when stderr is a terminal (or
 * force_terminal), otherwise one plain line every interval_s seconds. */
void am_progress_subscribe_stderr(AmProgress *p, double interval_s, gboolean force_terminal);

/* "1h02m", "3m05s", "12s". */
char *am_format_duration(double seconds);

G_END_DECLS
