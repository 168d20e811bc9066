/* file_io.h: whole-file reads and crash-safe file replacement for the engine's formats.
 *
 * Readers parse from memory (so the same parser serves files, tests and fuzzers); writers
 * never leave a half-written file under the final name: they write a temporary file next
 * to it, flush and fsync it, and rename it into place. A full disk or any other write
 * error leaves the previous file untouched and is reported with the OS's reason. */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "sim/error.h"

/* Reads the whole file into a malloc'd buffer with a NUL after the last byte (not counted
 * in *len). On failure *buf is NULL and err names the path and the OS's reason. */
AmStatus am_file_read_all(const char *path, char **buf, size_t *len, AmError *err);

typedef struct {
  FILE *fp;          /* write here */
  char *final_path;  /* where the data goes on commit */
  char *tmp_path;    /* NULL when writing straight into a non-regular file (a device, a pipe) */
  void *sink;        /* the descriptor behind fp and the first write error it saw */
} AmAtomicFile;

/* Opens a temporary file in the directory of path. Paths that name an existing
 * non-regular file (/dev/stdout, a FIFO) are opened directly: renaming over a device
 * would replace it. */
AmStatus am_atomic_file_open(AmAtomicFile *af, const char *path, AmError *err);
/* Flushes, fsyncs, closes and renames into place. Checks every step (a full disk often
 * shows only at flush or close). On failure the temporary file is removed. Always
 * releases af. */
AmStatus am_atomic_file_commit(AmAtomicFile *af, AmError *err);
/* Gives up: closes and removes the temporary file. Safe on a zeroed or released af. */
void am_atomic_file_abort(AmAtomicFile *af);
