/* run_folder.c: copying and pruning the explorer's run folders (see run_folder.h). */
#include "gui/run_folder.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

char *amorph_run_folder_root(void)
{
  return g_build_filename(g_get_user_cache_dir(), "amorph", "runs", NULL);
}

char *amorph_run_folder_new_path(void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local();
  g_autofree char *when = g_date_time_format(now, "%Y%m%d-%H%M%S");
  g_autofree char *leaf = g_strdup_printf("%s-%d", when, (int) getpid());
  g_autofree char *root = amorph_run_folder_root();
  return g_build_filename(root, leaf, NULL);
}

static gboolean is_run_name(const char *name)
{
  /* 20261125-224700-12345 */
  for (int i = 0; i < 8; i++)
    if (!g_ascii_isdigit(name[i]))
      return FALSE;
  if (name[8] != '-')
    return FALSE;
  for (int i = 9; i < 15; i++)
    if (!g_ascii_isdigit(name[i]))
      return FALSE;
  if (name[15] != '-' || !name[16])
    return FALSE;
  for (const char *c = name + 16; *c; c++)
    if (!g_ascii_isdigit(*c))
      return FALSE;
  return TRUE;
}

/* Removes path and everything below it; symbolic links are removed, never followed. */
static gboolean remove_tree(const char *path, GError **error)
{
  if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
    GDir *dir = g_dir_open(path, 0, error);
    if (!dir)
      return FALSE;
    const char *name;
    gboolean ok = TRUE;
    while (ok && (name = g_dir_read_name(dir))) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      ok = remove_tree(child, error);
    }
    g_dir_close(dir);
    if (!ok)
      return FALSE;
  }
  if (g_remove(path) != 0) {
    int e = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "cannot remove %s: %s", path, g_strerror(e));
    return FALSE;
  }
  return TRUE;
}

static gint cmp_desc(gconstpointer a, gconstpointer b)
{
  return -g_strcmp0(*(char *const *) a, *(char *const *) b);
}

int amorph_run_folder_prune(const char *root, guint keep, const char *except, GError **error)
{
  GDir *dir = g_dir_open(root, 0, NULL);
  if (!dir)
    return 0; /* no runs yet */
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while ((name = g_dir_read_name(dir))) {
    g_autofree char *path = g_build_filename(root, name, NULL);
    if (is_run_name(name) && g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
      g_ptr_array_add(runs, g_strdup(name));
  }
  g_dir_close(dir);
  /* Newest first: the names sort by date and time. */
  g_ptr_array_sort(runs, cmp_desc);
  g_autofree char *except_base = except ? g_path_get_basename(except) : NULL;
  int removed = 0;
  for (guint i = keep; i < runs->len; i++) {
    if (g_strcmp0(runs->pdata[i], except_base) == 0)
      continue;
    g_autofree char *path = g_build_filename(root, runs->pdata[i], NULL);
    if (!remove_tree(path, error))
      return -1;
    removed++;
  }
  return removed;
}

typedef struct {
  char *a, *b;
  guint keep;
} Paths;

static void paths_free(gpointer data)
{
  Paths *p = data;
  g_free(p->a);
  g_free(p->b);
  g_free(p);
}

static void prune_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  (void) source;
  (void) cancellable;
  const Paths *p = data;
  g_autoptr(GError) error = NULL;
  /* Best effort: a run folder that cannot be removed now is tried again next time. */
  if (amorph_run_folder_prune(p->a, p->keep, p->b, &error) < 0)
    g_message("pruning old runs: %s", error->message);
  g_task_return_boolean(task, TRUE);
}

void amorph_run_folder_prune_async(const char *root, guint keep, const char *except)
{
  Paths *p = g_new0(Paths, 1);
  p->a = g_strdup(root);
  p->b = g_strdup(except);
  p->keep = keep;
  GTask *task = g_task_new(NULL, NULL, NULL, NULL);
  g_task_set_task_data(task, p, paths_free);
  g_task_run_in_thread(task, prune_thread);
  g_object_unref(task);
}

gboolean amorph_run_folder_copy(const char *src, const char *dest, GError **error)
{
  if (g_mkdir_with_parents(dest, 0755) != 0) {
    int e = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "cannot create %s: %s", dest, g_strerror(e));
    return FALSE;
  }
  GDir *dir = g_dir_open(src, 0, error);
  if (!dir)
    return FALSE;
  const char *name;
  gboolean ok = TRUE;
  while (ok && (name = g_dir_read_name(dir))) {
    g_autofree char *from = g_build_filename(src, name, NULL);
    g_autofree char *to = g_build_filename(dest, name, NULL);
    if (g_file_test(from, G_FILE_TEST_IS_DIR)) {
      ok = amorph_run_folder_copy(from, to, error);
    } else {
      g_autoptr(GFile) f = g_file_new_for_path(from);
      g_autoptr(GFile) t = g_file_new_for_path(to);
      ok = g_file_copy(f, t, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error);
    }
  }
  g_dir_close(dir);
  return ok;
}

/* Rewrites "<src>/" as "<dest>/" in a copied config. */
static gboolean relocate(const char *src, const char *dest, const char *name, GError **error)
{
  g_autofree char *path = g_build_filename(dest, name, NULL);
  g_autofree char *text = NULL;
  if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  if (!g_file_get_contents(path, &text, NULL, error))
    return FALSE;
  g_autofree char *from = g_strconcat(src, G_DIR_SEPARATOR_S, NULL);
  g_autofree char *to = g_strconcat(dest, G_DIR_SEPARATOR_S, NULL);
  if (!strstr(text, from))
    return TRUE;
  g_auto(GStrv) parts = g_strsplit(text, from, -1);
  g_autofree char *moved = g_strjoinv(to, parts);
  return g_file_set_contents(path, moved, -1, error);
}

static gboolean copy_run(const char *src, const char *dest, GError **error)
{
  return amorph_run_folder_copy(src, dest, error) && relocate(src, dest, "config.ini", error) &&
         relocate(src, dest, "settings.ini", error);
}

static void copy_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  (void) source;
  (void) cancellable;
  const Paths *p = data;
  GError *error = NULL;
  if (copy_run(p->a, p->b, &error))
    g_task_return_boolean(task, TRUE);
  else
    g_task_return_error(task, error);
}

void amorph_run_folder_copy_async(const char *src, const char *dest, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  Paths *p = g_new0(Paths, 1);
  p->a = g_strdup(src);
  p->b = g_strdup(dest);
  GTask *task = g_task_new(NULL, cancellable, callback, user_data);
  g_task_set_task_data(task, p, paths_free);
  g_task_run_in_thread(task, copy_thread);
  g_object_unref(task);
}

gboolean amorph_run_folder_copy_finish(GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean(G_TASK(result), error);
}
