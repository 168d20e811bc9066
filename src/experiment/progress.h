/* progress.h: progress of a running protocol as a stream of events.
 *
 * Protocols report what they do (stages, steps done out of a total, a short status such
 * as the current temperature) to an AmProgress; subscribers (sinks) receive events. Batch
 * subscribes a stderr printer: a bar with ETA on a terminal, plain periodic lines in a log.
 * The GUI will subscribe its own sink (called on the worker thread: it must only post the
 * event to the main loop). AmProgress also carries the cancellation request, so a protocol
 * checks one object between chunks of steps. */
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
  double steps_per_s;      /* average over the run so far, 0 when unknown */
  double eta_s;            /* estimated time left, < 0 when unknown */
  const char *text;        /* MESSAGE: the line; UPDATE: status ("T 301.2 K"); END: error or NULL */
} AmProgressEvent;

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

void am_progress_begin(AmProgress *p, gint64 total_steps, int stage_count);
/* The same for a run resumed with done steps behind it (they count for the fraction and
 * the ETA, not for the rate). */
void am_progress_begin_at(AmProgress *p, gint64 total_steps, int stage_count, gint64 done);
void am_progress_stage(AmProgress *p, const char *stage);
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
