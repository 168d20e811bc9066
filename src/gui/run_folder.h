/* run_folder.h: the folders the explorer's sweeps run in ($XDG_CACHE_HOME/amorph/runs/
 * <date>-<time>-<pid>, each in the layout of `amorph --batch`): copying a finished one to
 * where the user wants its results, and pruning old ones so the cache does not grow
 * without bound. Both run on a worker thread: a sweep's job records can be large. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How many runs the cache keeps (the newest). */
#define AMORPH_RUNS_KEPT 5

/* The folder of the explorer's runs (not created). */
char *amorph_run_folder_root(void);
/* A new run's folder name under the root: <date>-<time>-<pid>, sorting by age. */
char *amorph_run_folder_new_path(void);

/* Removes all but the newest keep run folders under root (only names of the form
 * <8 digits>-<6 digits>-<digits>, so nothing else there is touched), never except (may
 * be NULL). Returns how many were removed, or -1 with error. */
int amorph_run_folder_prune(const char *root, guint keep, const char *except, GError **error);
void amorph_run_folder_prune_async(const char *root, guint keep, const char *except);

/* Copies folder src into dest (created if missing; files of the same name replaced). */
gboolean amorph_run_folder_copy(const char *src, const char *dest, GError **error);
/* The same on a worker thread, for a run folder: its configs (config.ini, settings.ini)
 * name files inside src by absolute path (the pinned ids), and in the copies those names
 * are moved to dest, so an exported config does not depend on a cache folder that will be
 * pruned. */
void amorph_run_folder_copy_async(const char *src, const char *dest, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
gboolean amorph_run_folder_copy_finish(GAsyncResult *result, GError **error);

G_END_DECLS
