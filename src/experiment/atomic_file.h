/* atomic_file.h: result files that are either complete or absent.
 *
 * A result is written to a temporary file next to its final name, flushed, fsynced and
 * renamed into place (and the folder fsynced), so a crash, a full disk or a killed job
 * never leaves a half-written results.json that a later tool would trust. Every write is
 * checked; the first failure is kept and reported at commit with the path and the OS's
 * reason. A path naming an existing non-regular file (/dev/stdout, /dev/full, a FIFO) is
 * written directly, since renaming over a device would replace it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct AmOutFile AmOutFile;

/* Opens the temporary file. Fails (G_IO_ERROR) when the folder is missing or unwritable. */
AmOutFile *am_out_file_open(const char *path, GError **error);
/* Buffered writes; a failure is remembered and returned by this and every later call. */
gboolean am_out_file_write(AmOutFile *f, const void *data, gsize len, GError **error);
gboolean am_out_file_printf(AmOutFile *f, GError **error, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Pushes buffered data to the temporary file (for long-running streams such as thermo.csv,
 * so a failing disk is noticed early). */
gboolean am_out_file_flush(AmOutFile *f, GError **error);
/* Flushes, fsyncs, closes and renames into place; always frees f. On failure the
 * temporary file is removed and the previous file under path (if any) is untouched. */
gboolean am_out_file_commit(AmOutFile *f, GError **error);
/* Gives up: closes and removes the temporary file, frees f. NULL is allowed. */
void am_out_file_abort(AmOutFile *f);
const char *am_out_file_path(const AmOutFile *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AmOutFile, am_out_file_abort)

/* Writes a whole file atomically (len < 0: data is a string). */
gboolean am_write_file_atomic(const char *path, const void *data, gssize len, GError **error);

/* Creates dir (and its parents) and checks that a file can be created and removed in it,
 * so an unwritable output folder fails before any simulation time is spent. */
gboolean am_output_dir_prepare(const char *dir, GError **error);

G_END_DECLS
