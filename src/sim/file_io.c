/* file_io.c: whole-file reads and atomic replacement (temporary file, fsync, rename). */
#define _GNU_SOURCE /* fopencookie */
#include "sim/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

AmStatus am_file_read_all(const char *path, char **buf, size_t *len, AmError *err)
{
  *buf = NULL;
  *len = 0;
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return am_error_set(err, AM_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  size_t cap = 1 << 16, n = 0;
  char *b = malloc(cap + 1);
  if (!b) {
    fclose(fp);
    return am_error_set(err, AM_ERR_NOMEM, "%s: out of memory", path);
  }
  for (;;) {
    if (n == cap) {
      if (cap > ((size_t) -1) / 4) {
        free(b);
        fclose(fp);
        return am_error_set(err, AM_ERR_NOMEM, "%s: file too large", path);
      }
      char *nb = realloc(b, 2 * cap + 1);
      if (!nb) {
        free(b);
        fclose(fp);
        return am_error_set(err, AM_ERR_NOMEM, "%s: out of memory after %zu bytes", path, n);
      }
      b = nb;
      cap *= 2;
    }
    const size_t got = fread(b + n, 1, cap - n, fp);
    n += got;
    if (got == 0) {
      if (ferror(fp)) {
        const int e = errno;
        free(b);
        fclose(fp);
        return am_error_set(err, AM_ERR_IO, "%s: read failed: %s", path, strerror(e));
      }
      break;
    }
  }
  fclose(fp);
  b[n] = '\0';
  *buf = b;
  *len = n;
  return AM_OK;
}

/* stdio hides which write failed and why; this sink keeps the first errno so that a full
 * disk is reported as "No space left on device" and not as a vague stream error. */
typedef struct {
  int fd;
  int error;
} Sink;

static ssize_t sink_write(void *cookie, const char *data, size_t size)
{
  Sink *s = cookie;
  size_t done = 0;
  while (done < size) {
    const ssize_t w = write(s->fd, data + done, size - done);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      if (!s->error)
        s->error = errno;
      return done ? (ssize_t) done : -1;
    }
    if (w == 0) {
      if (!s->error)
        s->error = ENOSPC;
      return done ? (ssize_t) done : -1;
    }
    done += (size_t) w;
  }
  return (ssize_t) done;
}

static int sink_close(void *cookie)
{
  Sink *s = cookie;
  int r = 0;
  if (s->fd >= 0 && close(s->fd) != 0) {
    if (!s->error)
      s->error = errno;
    r = -1;
  }
  s->fd = -1;
  return r;
}

static char *dup_string(const char *s)
{
  const size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d)
    memcpy(d, s, n);
  return d;
}

static _Atomic unsigned tmp_counter;

AmStatus am_atomic_file_open(AmAtomicFile *af, const char *path, AmError *err)
{
  memset(af, 0, sizeof *af);
  Sink *sink = calloc(1, sizeof *sink);
  af->final_path = dup_string(path);
  if (!sink || !af->final_path) {
    free(sink);
    free(af->final_path);
    af->final_path = NULL;
    return am_error_set(err, AM_ERR_NOMEM, "%s: out of memory", path);
  }
  sink->fd = -1;
  struct stat st;
  const bool exists = stat(path, &st) == 0;
  const bool direct = exists && !S_ISREG(st.st_mode);
  /* Replace what a symlink points to, not the link itself. */
  struct stat lst;
  if (exists && !direct && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
    char *real = realpath(path, NULL);
    if (real) {
      free(af->final_path);
      af->final_path = real;
      path = real;
    }
  }
  if (direct) {
    if (S_ISDIR(st.st_mode)) {
      free(sink);
      free(af->final_path);
      af->final_path = NULL;
      return am_error_set(err, AM_ERR_IO, "%s: is a directory", path);
    }
    sink->fd = open(path, O_WRONLY | O_CLOEXEC | O_TRUNC);
  } else {
    const size_t n = strlen(path) + 64;
    af->tmp_path = malloc(n);
    if (!af->tmp_path) {
      free(sink);
      free(af->final_path);
      af->final_path = NULL;
      return am_error_set(err, AM_ERR_NOMEM, "%s: out of memory", path);
    }
    for (int attempt = 0; attempt < 100; attempt++) {
      snprintf(af->tmp_path, n, "%s.tmp-%ld-%u", path, (long) getpid(), atomic_fetch_add(&tmp_counter, 1u));
      sink->fd = open(af->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (sink->fd >= 0 || errno != EEXIST)
        break;
    }
    /* A replaced file keeps its permissions (a private checkpoint stays private). */
    if (sink->fd >= 0 && exists)
      (void) fchmod(sink->fd, st.st_mode & 07777);
  }
  if (sink->fd < 0) {
    const int e = errno;
    free(sink);
    free(af->final_path);
    free(af->tmp_path);
    memset(af, 0, sizeof *af);
    return am_error_set(err, AM_ERR_IO, "%s: cannot create %s: %s", path, direct ? "file" : "temporary file",
                        strerror(e));
  }
  cookie_io_functions_t io = {.read = NULL, .write = sink_write, .seek = NULL, .close = sink_close};
  af->fp = fopencookie(sink, "w", io);
  af->sink = sink;
  if (!af->fp) {
    close(sink->fd);
    sink->fd = -1;
    am_atomic_file_abort(af);
    return am_error_set(err, AM_ERR_NOMEM, "%s: cannot set up a stream", path);
  }
  return AM_OK;
}

static void release(AmAtomicFile *af)
{
  free(af->sink);
  free(af->final_path);
  free(af->tmp_path);
  memset(af, 0, sizeof *af);
}

AmStatus am_atomic_file_commit(AmAtomicFile *af, AmError *err)
{
  if (!af->fp) {
    release(af);
    return am_error_set(err, AM_ERR_INVALID, "atomic file commit without an open file");
  }
  Sink *sink = af->sink;
  const char *path = af->final_path;
  int e = 0;
  const char *stage = "write";
  if (fflush(af->fp) != 0 || ferror(af->fp) || sink->error) {
    e = sink->error ? sink->error : (errno ? errno : EIO);
  } else if (af->tmp_path && fsync(sink->fd) != 0) {
    e = errno;
    stage = "fsync";
  }
  /* fclose calls sink_close, which records a failing close(2) (NFS reports quota errors
   * there). */
  if (fclose(af->fp) != 0 && !e) {
    e = sink->error ? sink->error : EIO;
    stage = "close";
  }
  af->fp = NULL;
  if (!e && af->tmp_path && rename(af->tmp_path, path) != 0) {
    e = errno;
    stage = "rename";
  }
  if (e) {
    if (af->tmp_path)
      unlink(af->tmp_path);
    AmStatus st = am_error_set(err, AM_ERR_IO, "%s: %s failed: %s (the previous file, if any, is unchanged)", path,
                               stage, strerror(e));
    release(af);
    return st;
  }
  if (af->tmp_path) {
    /* Make the rename itself durable; failure here loses nothing already written. */
    char *dir = dup_string(path);
    if (dir) {
      char *slash = strrchr(dir, '/');
      const char *d = ".";
      if (slash == dir)
        d = "/";
      else if (slash) {
        *slash = '\0';
        d = dir;
      }
      const int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd >= 0) {
        (void) fsync(dfd);
        close(dfd);
      }
      free(dir);
    }
  }
  release(af);
  return AM_OK;
}

void am_atomic_file_abort(AmAtomicFile *af)
{
  if (af->fp)
    fclose(af->fp);
  else if (af->sink && ((Sink *) af->sink)->fd >= 0)
    close(((Sink *) af->sink)->fd);
  if (af->tmp_path)
    unlink(af->tmp_path);
  release(af);
}
