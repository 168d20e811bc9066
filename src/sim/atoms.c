/* atoms.c: allocation and bookkeeping of the per-atom arrays. */
#include "sim/atoms.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FOR_EACH_ARRAY(X)   \
  X(id, int64_t, 1)         \
  X(type, int32_t, 1)       \
  X(x, double, 3)           \
  X(v, double, 3)           \
  X(f, double, 3)           \
  X(image, int32_t, 3)      \
  X(pinned, uint8_t, 1)     \
  X(pin_frac, double, 3)    \
  X(affine, double, 3)

static void *grow(void *p, size_t elem, size_t old_n, size_t new_n)
{
  void *q = realloc(p, elem * (new_n ? new_n : 1));
  if (q && new_n > old_n)
    memset((char *) q + elem * old_n, 0, elem * (new_n - old_n));
  return q;
}

AmStatus am_atoms_resize(AmAtoms *atoms, size_t n, AmError *err)
{
  if (n > atoms->capacity) {
    size_t cap = atoms->capacity ? atoms->capacity : 64;
    while (cap < n)
      cap *= 2;
#define GROW(name, T, k)                                                                   \
  {                                                                                        \
    T *p = grow(atoms->name, sizeof(T) * (k), atoms->capacity, cap);                      \
    if (!p)                                                                                \
      return am_error_set(err, AM_ERR_NOMEM, "cannot allocate arrays for %zu atoms", n);  \
    atoms->name = p;                                                                       \
  }
    FOR_EACH_ARRAY(GROW)
#undef GROW
    atoms->capacity = cap;
  }
  if (n > atoms->n) {
    /* Newly visible atoms start zeroed (arrays are zeroed on growth, but a shrink followed
     * by a grow must not expose stale values). */
#define ZERO(name, T, k) memset(atoms->name + (k) * atoms->n, 0, sizeof(T) * (k) * (n - atoms->n));
    FOR_EACH_ARRAY(ZERO)
#undef ZERO
  }
  atoms->n = n;
  return AM_OK;
}

void am_atoms_free(AmAtoms *atoms)
{
#define FREE(name, T, k) free(atoms->name);
  FOR_EACH_ARRAY(FREE)
#undef FREE
  memset(atoms, 0, sizeof *atoms);
}

AmStatus am_atoms_copy(AmAtoms *dst, const AmAtoms *src, AmError *err)
{
  if (dst == src)
    return AM_OK;
  AmStatus st = am_atoms_resize(dst, src->n, err);
  if (st)
    return st;
  dst->ntypes = src->ntypes;
  memcpy(dst->mass, src->mass, sizeof dst->mass);
  memcpy(dst->type_label, src->type_label, sizeof dst->type_label);
#define COPY(name, T, k) if (src->n) memcpy(dst->name, src->name, sizeof(T) * (k) * src->n);
  FOR_EACH_ARRAY(COPY)
#undef COPY
  return AM_OK;
}

AmStatus am_atoms_permute(AmAtoms *atoms, const size_t *perm, AmError *err)
{
  const size_t n = atoms->n;
  void *tmp = malloc(sizeof(double) * 3 * (n ? n : 1));
  if (!tmp)
    return am_error_set(err, AM_ERR_NOMEM, "cannot allocate a permutation buffer for %zu atoms", n);
#define PERMUTE(name, T, k)                                \
  {                                                        \
    T *t = tmp;                                            \
    for (size_t i = 0; i < n; i++)                         \
      for (int c = 0; c < (k); c++)                        \
        t[(k) * i + c] = atoms->name[(k) * perm[i] + c];   \
    memcpy(atoms->name, t, sizeof(T) * (k) * n);           \
  }
  FOR_EACH_ARRAY(PERMUTE)
#undef PERMUTE
  free(tmp);
  return AM_OK;
}

long am_atoms_find_id(const AmAtoms *atoms, int64_t id)
{
  for (size_t i = 0; i < atoms->n; i++)
    if (atoms->id[i] == id)
      return (long) i;
  return -1;
}

static int cmp_i64(const void *a, const void *b)
{
  const int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
  return (x > y) - (x < y);
}

AmStatus am_atoms_validate(const AmAtoms *atoms, AmError *err)
{
  if (atoms->ntypes < 1 || atoms->ntypes > AM_MAX_TYPES)
    return am_error_set(err, AM_ERR_INVALID, "number of atom types %d is outside 1..%d", atoms->ntypes,
                        AM_MAX_TYPES);
  for (int t = 0; t < atoms->ntypes; t++)
    if (!(atoms->mass[t] > 0.0) || !isfinite(atoms->mass[t]))
      return am_error_set(err, AM_ERR_INVALID, "mass of type %d is %g; it must be positive", t + 1,
                          atoms->mass[t]);
  for (size_t i = 0; i < atoms->n; i++) {
    if (atoms->type[i] < 0 || atoms->type[i] >= atoms->ntypes)
      return am_error_set(err, AM_ERR_INVALID, "atom %lld has type %d, outside 1..%d",
                          (long long) atoms->id[i], atoms->type[i] + 1, atoms->ntypes);
    if (atoms->id[i] < 1)
      return am_error_set(err, AM_ERR_INVALID, "atom id %lld is not positive", (long long) atoms->id[i]);
    for (int k = 0; k < 3; k++) {
      if (!isfinite(atoms->x[3 * i + k]))
        return am_error_set(err, AM_ERR_NUMERIC, "atom %lld has a non-finite position",
                            (long long) atoms->id[i]);
      if (!isfinite(atoms->v[3 * i + k]))
        return am_error_set(err, AM_ERR_NUMERIC, "atom %lld has a non-finite velocity",
                            (long long) atoms->id[i]);
    }
  }
  if (atoms->n > 1) {
    int64_t *ids = malloc(sizeof *ids * atoms->n);
    if (!ids)
      return am_error_set(err, AM_ERR_NOMEM, "cannot allocate id check for %zu atoms", atoms->n);
    memcpy(ids, atoms->id, sizeof *ids * atoms->n);
    qsort(ids, atoms->n, sizeof *ids, cmp_i64);
    for (size_t i = 1; i < atoms->n; i++)
      if (ids[i] == ids[i - 1]) {
        long long dup = (long long) ids[i];
        free(ids);
        return am_error_set(err, AM_ERR_INVALID, "atom id %lld appears more than once", dup);
      }
    free(ids);
  }
  return AM_OK;
}
