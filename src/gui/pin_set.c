/* pin_set.c: pin-set files and random VA choice (see pin_set.h). */
#include "gui/pin_set.h"

#include "experiment/atom_ids.h"

#include <gio/gio.h>

gboolean amorph_pin_set_save(const char *path, const gint64 *ids, gsize n, const char *comment, GError **error)
{
  GString *s = g_string_new(NULL);
  g_string_append_printf(s, "# %s\n", comment ? comment : "pinned atom ids");
  for (gsize k = 0; k < n; k++)
    g_string_append_printf(s, "%" G_GINT64_FORMAT "\n", ids[k]);
  gboolean ok = g_file_set_contents(path, s->str, (gssize) s->len, error);
  g_string_free(s, TRUE);
  return ok;
}

GArray *amorph_pin_set_load(const char *path, GError **error)
{
  g_autoptr(GArray) entries = am_atom_ids_read(path, error);
  if (!entries)
    return NULL;
  GArray *ids = g_array_sized_new(FALSE, FALSE, sizeof(gint64), entries->len);
  for (guint k = 0; k < entries->len; k++)
    g_array_append_val(ids, g_array_index(entries, AmAtomIdEntry, k).id);
  return ids;
}

static gint cmp_uint(gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  return (x > y) - (x < y);
}

GArray *amorph_pin_set_random_vas(const guint8 *cls, const guint8 *pinned, gsize n, gsize count, guint64 seed,
                                  GError **error)
{
  GArray *cand = g_array_new(FALSE, FALSE, sizeof(guint));
  for (guint i = 0; i < n; i++)
    if (cls[i] == 0 && !(pinned && pinned[i]))
      g_array_append_val(cand, i);
  if (cand->len < count) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                "%u unpinned vibrational atoms, fewer than the %zu asked for", cand->len, count);
    g_array_unref(cand);
    return NULL;
  }
  /* GRand is MT19937, fixed by GLib's documentation: the choice is the same everywhere. */
  guint32 words[2] = {(guint32) seed, (guint32) (seed >> 32)};
  GRand *rng = g_rand_new_with_seed_array(words, 2);
  guint *c = (guint *) cand->data;
  for (gsize k = 0; k < count; k++) {
    guint j = (guint) k + (guint) g_rand_int_range(rng, 0, (gint32) (cand->len - k));
    guint t = c[k];
    c[k] = c[j];
    c[j] = t;
  }
  g_rand_free(rng);
  g_array_set_size(cand, (guint) count);
  g_array_sort(cand, cmp_uint);
  return cand;
}
