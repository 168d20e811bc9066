/* lattice.c: random-species B2 starting structures. */
#include "sim/lattice.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/rng.h"

void am_lattice_b2_cells(size_t natoms, int cells[3])
{
  /* Most cubic first (smallest longest edge: the box heights bound the cutoff, and shear
   * wants no preferred direction), then the fewest empty sites. */
  const size_t need = (natoms + 1) / 2;
  const int base = (int) floor(cbrt((double) need));
  long best_vol = -1;
  int best_max = 0;
  for (int nx = base > 1 ? base - 1 : 1; nx <= base + 2; nx++)
    for (int ny = nx; ny <= base + 2; ny++)
      for (int nz = ny; nz <= base + 3; nz++) {
        const long vol = (long) nx * ny * nz;
        if ((size_t) vol < need)
          continue;
        if (best_vol < 0 || nz < best_max || (nz == best_max && vol < best_vol)) {
          best_vol = vol;
          best_max = nz;
          cells[0] = nx;
          cells[1] = ny;
          cells[2] = nz;
        }
      }
}

/* Uniform integer in [0, n) without modulo bias. */
static size_t uniform_index(AmRng *rng, size_t n)
{
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t r;
  do
    r = am_rng_next_u64(rng);
  while (r >= limit);
  return (size_t) (r % n);
}

static int cmp_size(const void *a, const void *b)
{
  const size_t x = *(const size_t *) a, y = *(const size_t *) b;
  return (x > y) - (x < y);
}

static void shuffle(AmRng *rng, size_t *a, size_t n)
{
  for (size_t i = n; i > 1; i--) {
    const size_t j = uniform_index(rng, i);
    const size_t t = a[i - 1];
    a[i - 1] = a[j];
    a[j] = t;
  }
}

AmStatus am_lattice_random_b2(const AmLatticeSpec *spec, AmBox *box, AmAtoms *atoms, AmError *err)
{
  if (spec->natoms < 2)
    return am_error_set(err, AM_ERR_INVALID, "a B2 start needs at least 2 atoms (got %zu)", spec->natoms);
  if (spec->ntypes < 1 || spec->ntypes > AM_MAX_TYPES)
    return am_error_set(err, AM_ERR_INVALID, "number of species %d is outside 1..%d", spec->ntypes, AM_MAX_TYPES);
  if (!(spec->lattice_constant > 0.0) || !isfinite(spec->lattice_constant))
    return am_error_set(err, AM_ERR_INVALID, "B2 lattice constant %g Å must be positive", spec->lattice_constant);
  double total = 0.0;
  for (int t = 0; t < spec->ntypes; t++) {
    if (!(spec->fraction[t] >= 0.0))
      return am_error_set(err, AM_ERR_INVALID, "fraction of species %d is %g", t + 1, spec->fraction[t]);
    total += spec->fraction[t];
  }
  if (fabs(total - 1.0) > 1e-9)
    return am_error_set(err, AM_ERR_INVALID, "species fractions sum to %g, not 1", total);

  int cells[3];
  am_lattice_b2_cells(spec->natoms, cells);
  const size_t nsites = 2 * (size_t) cells[0] * cells[1] * cells[2];
  size_t *site = malloc(sizeof *site * nsites);
  size_t *kind = malloc(sizeof *kind * spec->natoms);
  if (!site || !kind) {
    free(site);
    free(kind);
    return am_error_set(err, AM_ERR_NOMEM, "cannot allocate a B2 lattice of %zu sites", nsites);
  }
  AmStatus st = am_atoms_resize(atoms, spec->natoms, err);
  if (st) {
    free(site);
    free(kind);
    return st;
  }

  /* Two independent streams: which sites are used, and which species goes where. */
  AmRng rng;
  am_rng_init(&rng, spec->seed, 0);
  for (size_t s = 0; s < nsites; s++)
    site[s] = s;
  shuffle(&rng, site, nsites);
  /* Keep the chosen sites in lattice order, so ids run through the crystal. */
  qsort(site, spec->natoms, sizeof *site, cmp_size);

  size_t count[AM_MAX_TYPES], assigned = 0;
  for (int t = 0; t < spec->ntypes; t++) {
    count[t] = (size_t) llround(spec->fraction[t] * (double) spec->natoms);
    assigned += count[t];
  }
  /* Rounding may leave the sum off by a few; the last species absorbs it. */
  count[spec->ntypes - 1] += spec->natoms - assigned;
  for (size_t i = 0, t = 0, k = 0; i < spec->natoms; i++) {
    while (k >= count[t]) {
      t++;
      k = 0;
    }
    kind[i] = t;
    k++;
  }
  am_rng_init(&rng, spec->seed, 1);
  shuffle(&rng, kind, spec->natoms);

  const double a = spec->lattice_constant;
  const double lo[3] = {0, 0, 0}, hi[3] = {cells[0] * a, cells[1] * a, cells[2] * a};
  am_box_set(box, lo, hi, 0, 0, 0);
  atoms->ntypes = spec->ntypes;
  for (int t = 0; t < spec->ntypes; t++) {
    atoms->mass[t] = spec->mass[t];
    memcpy(atoms->type_label[t], spec->label[t], sizeof atoms->type_label[t]);
  }
  for (size_t i = 0; i < spec->natoms; i++) {
    const size_t s = site[i], cell = s / 2, basis = s % 2;
    const size_t ix = cell % cells[0], iy = cell / cells[0] % cells[1], iz = cell / ((size_t) cells[0] * cells[1]);
    const double off = basis ? 0.5 : 0.0;
    atoms->id[i] = (int64_t) i + 1;
    atoms->type[i] = (int32_t) kind[i];
    atoms->x[3 * i + 0] = (ix + off) * a;
    atoms->x[3 * i + 1] = (iy + off) * a;
    atoms->x[3 * i + 2] = (iz + off) * a;
    for (int k = 0; k < 3; k++) {
      atoms->v[3 * i + k] = 0.0;
      atoms->image[3 * i + k] = 0;
      atoms->affine[3 * i + k] = 0.0;
    }
    atoms->pinned[i] = 0;
  }
  free(site);
  free(kind);
  return AM_OK;
}
