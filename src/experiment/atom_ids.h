/* atom_ids.h: files of atom ids, the format of [dms] pinned_ids and of the explorer's
 * saved pin sets: whole numbers ≥ 1 separated by blanks or commas, # starts a comment.
 * One reader for both, so a file the explorer writes is one a sweep accepts, and both
 * refuse the same files with the same messages. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 id;
  int line; /* 1-based line of the file, for messages about this id */
} AmAtomIdEntry;

/* The ids of path in file order (an empty file gives an empty array). A word that is not
 * a whole number ≥ 1, or an id listed twice, is an error naming the file and line
 * (AM_ENGINE_ERROR: AM_ERR_FORMAT, AM_ERR_INVALID). */
GArray *am_atom_ids_read(const char *path, GError **error);

G_END_DECLS
