/* atom_ids.c: the reader of atom-id files (see atom_ids.h). */
#include "experiment/atom_ids.h"

#include <errno.h>
#include <string.h>

#include "experiment/protocols.h"

GArray *am_atom_ids_read(const char *path, GError **error)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, error))
    return NULL;
  g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(AmAtomIdEntry));
  g_autoptr(GHashTable) seen = g_hash_table_new(g_int64_hash, g_int64_equal);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (int ln = 0; lines[ln]; ln++) {
    char *hash = strchr(lines[ln], '#');
    if (hash)
      *hash = '\0';
    g_auto(GStrv) words = g_strsplit_set(g_strstrip(lines[ln]), " \t,\r", -1);
    for (int w = 0; words[w]; w++) {
      if (!*words[w])
        continue;
      char *end = NULL;
      errno = 0;
      gint64 id = g_ascii_strtoll(words[w], &end, 10);
      if (end == words[w] || *end || errno || id < 1) {
        g_set_error(error, AM_ENGINE_ERROR, AM_ERR_FORMAT,
                    "%s:%d: “%s” is not an atom id (expected whole numbers ≥ 1)", path, ln + 1, words[w]);
        return NULL;
      }
      AmAtomIdEntry e = { id, ln + 1 };
      g_array_append_val(ids, e);
    }
  }
  /* Duplicates after the array is complete: the hash keys point into it. */
  for (guint k = 0; k < ids->len; k++) {
    AmAtomIdEntry *e = &g_array_index(ids, AmAtomIdEntry, k);
    if (!g_hash_table_add(seen, &e->id)) {
      g_set_error(error, AM_ENGINE_ERROR, AM_ERR_INVALID, "%s:%d: atom id %" G_GINT64_FORMAT " is listed twice",
                  path, e->line, e->id);
      return NULL;
    }
  }
  return g_steal_pointer(&ids);
}
