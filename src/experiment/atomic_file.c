/* atomic_file.c: temp file + fsync + rename, with every error checked. */
#include "experiment/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct AmOutFile {
  FILE *fp;
  char *path;      /* final name */
  char *tmp_path;  /* NULL when writing a non-regular file directly */
  int err;         /* first errno seen, 0 if none */
  const char *what; /* the operation that failed */
};

static gboolean fail(GError **error, const char *path, const char *what, int err)
{
  g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "cannot %s %s: %s", what, path,
              g_strerror(err));
  return FALSE;
}

static void remember(AmOutFile *f, const char *what, int err)
{
  if (!f->err) {
    f->err = err ? err : EIO;
    f->what = what;
  }
}

AmOutFile *am_out_file_open(const char *path, GError **error)
{
  g_return_val_if_fail(path != NULL, NULL);
  AmOutFile *f = g_new0(AmOutFile, 1);
  f->path = g_strdup(path);
  struct stat st;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
    f->fp = fopen(path, "w");
    if (!f->fp) {
      int e = errno;
      g_free(f->path);
      g_free(f);
      fail(error, path, "open", e);
      return NULL;
    }
    return f;
  }
  g_autofree char *dir = g_path_get_dirname(path);
  g_autofree char *base = g_path_get_basename(path);
  f->tmp_path = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
  int fd = g_mkstemp_full(f->tmp_path, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) {
    int e = errno;
    g_free(f->tmp_path);
    g_free(f->path);
    g_free(f);
    fail(error, path, "create a file next to", e);
    return NULL;
  }
  /* mkstemp makes 0600 files; results are meant to be read by others like any output.
   * (Reading the umask would need umask(), which is not thread-safe.) A failure here
   * is harmless: the file is still ours and correct. */
  (void) fchmod(fd, 0644);
  f->fp = fdopen(fd, "w");
  if (!f->fp) {
    int e = errno;
    close(fd);
    g_unlink(f->tmp_path);
    g_free(f->tmp_path);
    g_free(f->path);
    g_free(f);
    fail(error, path, "open", e);
    return NULL;
  }
  setvbuf(f->fp, NULL, _IOFBF, 1 << 16);
  return f;
}

const char *am_out_file_path(const AmOutFile *f)
{
  return f->path;
}

static gboolean report(AmOutFile *f, GError **error)
{
  if (f->err)
    return fail(error, f->path, f->what, f->err);
  return TRUE;
}

gboolean am_out_file_write(AmOutFile *f, const void *data, gsize len, GError **error)
{
  if (!f->err && len > 0 && fwrite(data, 1, len, f->fp) != len)
    remember(f, "write", errno);
  return report(f, error);
}

gboolean am_out_file_printf(AmOutFile *f, GError **error, const char *fmt, ...)
{
  if (!f->err) {
    va_list ap;
    va_start(ap, fmt);
    int r = vfprintf(f->fp, fmt, ap);
    va_end(ap);
    if (r < 0)
      remember(f, "write", errno);
  }
  return report(f, error);
}

gboolean am_out_file_flush(AmOutFile *f, GError **error)
{
  if (!f->err && fflush(f->fp) != 0)
    remember(f, "write", errno);
  return report(f, error);
}

static void out_file_free(AmOutFile *f)
{
  g_free(f->path);
  g_free(f->tmp_path);
  g_free(f);
}

void am_out_file_abort(AmOutFile *f)
{
  if (!f)
    return;
  if (f->fp)
    fclose(f->fp);
  if (f->tmp_path)
    g_unlink(f->tmp_path);
  out_file_free(f);
}

gboolean am_out_file_commit(AmOutFile *f, GError **error)
{
  g_return_val_if_fail(f != NULL, FALSE);
  if (!f->err && fflush(f->fp) != 0)
    remember(f, "write", errno);
  /* fsync of a device such as /dev/full is meaningless (EINVAL); only files need it. */
  if (!f->err && f->tmp_path && fsync(fileno(f->fp)) != 0)
    remember(f, "sync", errno);
  int close_rc = fclose(f->fp);
  f->fp = NULL;
  if (!f->err && close_rc != 0)
    remember(f, "close", errno);
  if (!f->err && f->tmp_path && g_rename(f->tmp_path, f->path) != 0)
    remember(f, "rename into place", errno);
  if (f->err) {
    gboolean ok = report(f, error);
    am_out_file_abort(f);
    return ok;
  }
  if (f->tmp_path) {
    /* The rename is durable only once the folder itself is on disk. */
    g_autofree char *dir = g_path_get_dirname(f->path);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      fsync(dfd);
      close(dfd);
    }
  }
  out_file_free(f);
  return TRUE;
}

gboolean am_write_file_atomic(const char *path, const void *data, gssize len, GError **error)
{
  AmOutFile *f = am_out_file_open(path, error);
  if (!f)
    return FALSE;
  gsize n = len < 0 ? strlen(data) : (gsize) len;
  if (!am_out_file_write(f, data, n, NULL)) {
    /* The error is kept in f and reported by commit. */
  }
  return am_out_file_commit(f, error);
}

gboolean am_output_dir_prepare(const char *dir, GError **error)
{
  if (g_mkdir_with_parents(dir, 0777) != 0)
    return fail(error, dir, "create output folder", errno);
  if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
    return fail(error, dir, "use as output folder", ENOTDIR);
  g_autofree char *probe = g_build_filename(dir, ".amorph-write-test-XXXXXX", NULL);
  int fd = g_mkstemp_full(probe, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail(error, dir, "write into output folder", errno);
  close(fd);
  g_unlink(probe);
  return TRUE;
}
