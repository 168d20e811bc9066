/* pin_set.h: sets of pinned atoms as the explorer handles them: the id file that a
 * dms-sweep reads for [dms] pinned = ids / pinned_ids (whitespace-separated ids, # starts
 * a comment), and the reproducible random choice of vibrational atoms for a control set. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes ids (one per line, after a comment line naming what they are). */
gboolean amorph_pin_set_save(const char *path, const gint64 *ids, gsize n, const char *comment, GError **error);
/* Reads an id file into a new array of gint64 in file order; an id that is not a whole
 * number ≥ 1, or listed twice, is an error naming the file and line. */
GArray *amorph_pin_set_load(const char *path, GError **error);

/* count atoms chosen at random (seeded: the same seed, classes and pins give the same
 * choice) among those of class VA (cls[i] == 0) that are not pinned; indices ascending.
 * Fewer candidates than count is an error. */
GArray *amorph_pin_set_random_vas(const guint8 *cls, const guint8 *pinned, gsize n, gsize count, guint64 seed,
                                  GError **error);

G_END_DECLS
