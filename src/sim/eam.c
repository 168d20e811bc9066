/* eam.c: EAM splines and the two-pass force computation (densities, then forces). */
#include "sim/eam.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/neighbor.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* ---- splines ------------------------------------------------------------------------- */

/* LAMMPS' PairEAM::interpolate, restated: on knot m the value is
 * ((c3 p + c4) p + c5) p + c6 and the derivative (c0 p + c1) p + c2 with p ∈ [0, 1] the
 * position inside the interval. The same arithmetic in the same order, so the
 * coefficients agree with LAMMPS to the last bit. out is n rows of 7. */
static void spline7(int n, double delta, const double *f, double (*out)[7])
{
  for (int m = 0; m < n; m++)
    out[m][6] = f[m];
  if (n < 5) {
    /* Too short for the five-point slopes LAMMPS uses; the parser refuses such tables
     * but stay defined: linear pieces. */
    for (int m = 0; m < n; m++) {
      out[m][5] = m + 1 < n ? f[m + 1] - f[m] : m > 0 ? f[m] - f[m - 1] : 0.0;
      out[m][4] = out[m][3] = 0.0;
    }
  } else {
    out[0][5] = out[1][6] - out[0][6];
    out[1][5] = 0.5 * (out[2][6] - out[0][6]);
    out[n - 2][5] = 0.5 * (out[n - 1][6] - out[n - 3][6]);
    out[n - 1][5] = out[n - 1][6] - out[n - 2][6];
    for (int m = 2; m <= n - 3; m++)
      out[m][5] = ((out[m - 2][6] - out[m + 2][6]) + 8.0 * (out[m + 1][6] - out[m - 1][6])) / 12.0;
    for (int m = 0; m < n - 1; m++) {
      out[m][4] = 3.0 * (out[m + 1][6] - out[m][6]) - 2.0 * out[m][5] - out[m + 1][5];
      out[m][3] = out[m][5] + out[m + 1][5] - 2.0 * (out[m + 1][6] - out[m][6]);
    }
    out[n - 1][4] = 0.0;
    out[n - 1][3] = 0.0;
  }
  for (int m = 0; m < n; m++) {
    out[m][2] = out[m][5] / delta;
    out[m][1] = 2.0 * out[m][4] / delta;
    out[m][0] = 3.0 * out[m][3] / delta;
  }
}

/* Row and position inside the row for a table lookup, exactly as LAMMPS computes them
 * (1-based row m clamped to nmax-1, p clamped to 1). Returns the 0-based row. */
static inline size_t lookup_r(double r, double rdr, int nr, double *p_out)
{
  double p = r * rdr + 1.0;
  int m = (int) p;
  m = m < nr - 1 ? m : nr - 1;
  p -= m;
  p = p < 1.0 ? p : 1.0;
  *p_out = p;
  return (size_t) (m - 1);
}

static inline size_t lookup_rho(double rho, double rdrho, int nrho, double *p_out)
{
  double p = rho * rdrho + 1.0;
  int m = (int) p;
  m = m < nrho - 1 ? m : nrho - 1;
  m = m > 1 ? m : 1;
  p -= m;
  p = p < 1.0 ? p : 1.0;
  *p_out = p;
  return (size_t) (m - 1);
}

static void *aligned_alloc64(size_t nbytes)
{
  void *p = NULL;
  if (posix_memalign(&p, 64, nbytes ? nbytes : 64))
    return NULL;
  return p;
}

/* ---- potential ----------------------------------------------------------------------- */

AmStatus am_eam_from_tables(const AmEamTables *tables, AmEam **out, AmError *err)
{
  *out = NULL;
  const int ne = tables->nelements;
  if (ne < 1 || ne > AM_MAX_TYPES)
    return am_error_set(err, AM_ERR_INVALID, "EAM tables: %d elements (expected 1 to %d)", ne, AM_MAX_TYPES);
  if (tables->nr < 5 || tables->nrho < 5)
    return am_error_set(err, AM_ERR_INVALID, "EAM tables: need at least 5 points (got nr = %d, nrho = %d)",
                        tables->nr, tables->nrho);
  if (!(tables->dr > 0.0 && tables->drho > 0.0 && tables->cutoff > 0.0) || !isfinite(tables->dr) ||
      !isfinite(tables->drho) || !isfinite(tables->cutoff))
    return am_error_set(err, AM_ERR_INVALID, "EAM tables: dr = %g, drho = %g and cutoff = %g must be positive",
                        tables->dr, tables->drho, tables->cutoff);
  if (!tables->frho || !tables->rhor || !tables->z2r)
    return am_error_set(err, AM_ERR_INVALID, "EAM tables: missing arrays");
  /* The force loops index the pair table with 32-bit ints. */
  if ((double) ne * ne * tables->nr * AM_EAM_PAIR_ROW >= 2147483647.0)
    return am_error_set(err, AM_ERR_INVALID, "EAM tables: %d radial points for %d elements (expected fewer than %.0f)",
                        tables->nr, ne, 2147483647.0 / ((double) ne * ne * AM_EAM_PAIR_ROW));

  AmEam *eam = calloc(1, sizeof *eam);
  if (!eam)
    return am_error_set(err, AM_ERR_NOMEM, "cannot allocate the EAM potential");
  eam->style = tables->style;
  eam->nelements = ne;
  for (int a = 0; a < ne; a++) {
    snprintf(eam->element[a], sizeof eam->element[a], "%s", tables->element[a]);
    eam->mass[a] = tables->mass[a];
  }
  const int nr = tables->nr, nrho = tables->nrho;
  eam->nr = nr;
  eam->nrho = nrho;
  eam->dr = tables->dr;
  eam->rdr = 1.0 / tables->dr;
  eam->drho = tables->drho;
  eam->rdrho = 1.0 / tables->drho;
  eam->rhomax = (nrho - 1) * tables->drho;
  eam->cutoff = tables->cutoff;

  const int nz2 = ne * (ne + 1) / 2;
  for (int a = 0, q = 0; a < ne; a++)
    for (int b = 0; b <= a; b++, q++)
      eam->z2_index[a][b] = eam->z2_index[b][a] = q;
  eam->rho_tab = aligned_alloc64((size_t) ne * ne * nr * AM_EAM_KNOT * sizeof(double));
  eam->z2_tab = aligned_alloc64((size_t) nz2 * nr * AM_EAM_KNOT * sizeof(double));
  eam->embed_tab = aligned_alloc64((size_t) ne * nrho * AM_EAM_EMBED_ROW * sizeof(double));
  eam->pair_tab = aligned_alloc64((size_t) ne * ne * nr * AM_EAM_PAIR_ROW * sizeof(double));
  const int nmax = nr > nrho ? nr : nrho;
  double(*s1)[7] = malloc((size_t) nmax * sizeof *s1);
  if (!eam->rho_tab || !eam->z2_tab || !eam->embed_tab || !eam->pair_tab || !s1) {
    free(s1);
    am_eam_free(eam);
    return am_error_set(err, AM_ERR_NOMEM, "cannot allocate the EAM spline tables");
  }

  for (int a = 0; a < ne; a++) {
    spline7(nrho, tables->drho, tables->frho + (size_t) a * nrho, s1);
    for (int k = 0; k < nrho; k++) {
      double *row = eam->embed_tab + ((size_t) a * nrho + k) * AM_EAM_EMBED_ROW;
      for (int c = 0; c < 7; c++)
        row[c] = s1[k][c];
      row[7] = 0.0;
    }
  }
  /* Function f = b·ne + a of the file's rhor (eam_file.h) is what b puts at a. */
  for (int f = 0; f < ne * ne; f++) {
    spline7(nr, tables->dr, tables->rhor + (size_t) f * nr, s1);
    for (int k = 0; k < nr; k++)
      for (int c = 0; c < 4; c++)
        eam->rho_tab[((size_t) f * nr + k) * AM_EAM_KNOT + c] = s1[k][3 + c];
  }
  for (int a = 0; a < ne; a++)
    for (int b = 0; b <= a; b++) {
      spline7(nr, tables->dr, tables->z2r + ((size_t) a * ne + b) * nr, s1);
      const size_t q = (size_t) eam->z2_index[a][b];
      for (int k = 0; k < nr; k++)
        for (int c = 0; c < 4; c++)
          eam->z2_tab[(q * nr + k) * AM_EAM_KNOT + c] = s1[k][3 + c];
    }
  for (int a = 0; a < ne; a++)
    for (int b = 0; b < ne; b++)
      for (int k = 0; k < nr; k++) {
        double *row = eam->pair_tab + (((size_t) a * ne + b) * nr + k) * AM_EAM_PAIR_ROW;
        const double *ba = eam->rho_tab + (((size_t) b * ne + a) * nr + k) * AM_EAM_KNOT;
        const double *ab = eam->rho_tab + (((size_t) a * ne + b) * nr + k) * AM_EAM_KNOT;
        const double *z = eam->z2_tab + ((size_t) eam->z2_index[a][b] * nr + k) * AM_EAM_KNOT;
        for (int c = 0; c < AM_EAM_KNOT; c++)
          row[c] = ba[c], row[4 + c] = ab[c], row[8 + c] = z[c];
      }
  free(s1);
  *out = eam;
  return AM_OK;
}

AmStatus am_eam_load(const char *path, AmEamStyle style, AmEam **out, AmError *err)
{
  *out = NULL;
  AmEamTables tables;
  memset(&tables, 0, sizeof tables);
  AmStatus st = am_eam_file_read(path, style, &tables, err);
  if (st) {
    am_eam_tables_free(&tables);
    return st;
  }
  st = am_eam_from_tables(&tables, out, err);
  am_eam_tables_free(&tables);
  if (st)
    return am_error_prefix(err, "%s: ", path);
  snprintf((*out)->source, sizeof (*out)->source, "%s", path);
  return AM_OK;
}

void am_eam_free(AmEam *eam)
{
  if (!eam)
    return;
  free(eam->rho_tab);
  free(eam->z2_tab);
  free(eam->embed_tab);
  free(eam->pair_tab);
  free(eam);
}

double am_eam_cutoff(const AmEam *eam) { return eam->cutoff; }
int am_eam_element_count(const AmEam *eam) { return eam->nelements; }

const char *am_eam_element_name(const AmEam *eam, int element)
{
  return element >= 0 && element < eam->nelements ? eam->element[element] : NULL;
}

double am_eam_element_mass(const AmEam *eam, int element)
{
  return element >= 0 && element < eam->nelements ? eam->mass[element] : 0.0;
}

int am_eam_find_element(const AmEam *eam, const char *symbol)
{
  if (!symbol)
    return -1;
  for (int a = 0; a < eam->nelements; a++)
    if (strcmp(eam->element[a], symbol) == 0)
      return a;
  return -1;
}

double am_eam_embedding(const AmEam *eam, int element, double rho, double *dF)
{
  double p;
  const size_t m = lookup_rho(rho, eam->rdrho, eam->nrho, &p);
  const double *c = eam->embed_tab + ((size_t) element * eam->nrho + m) * AM_EAM_EMBED_ROW;
  const double fp = (c[0] * p + c[1]) * p + c[2];
  double f = ((c[3] * p + c[4]) * p + c[5]) * p + c[6];
  if (rho > eam->rhomax)
    f += fp * (rho - eam->rhomax);
  if (dF)
    *dF = fp;
  return f;
}

/* Value and r-derivative of a cubic knot. The derivative is formed from the value
 * coefficients; LAMMPS keeps separately rounded copies (3c3/δ, 2c4/δ, c5/δ), so the two
 * differ in the last bit only. */
static inline double knot_value(const double *c, double p)
{
  return ((c[0] * p + c[1]) * p + c[2]) * p + c[3];
}

static inline double knot_slope(const double *c, double p, double rdr)
{
  return ((3.0 * c[0] * p + 2.0 * c[1]) * p + c[2]) * rdr;
}

double am_eam_density(const AmEam *eam, int a, int b, double r, double *drho_dr)
{
  double p;
  const size_t m = lookup_r(r, eam->rdr, eam->nr, &p);
  const double *c = eam->rho_tab + (((size_t) a * eam->nelements + b) * eam->nr + m) * AM_EAM_KNOT;
  if (drho_dr)
    *drho_dr = knot_slope(c, p, eam->rdr);
  return knot_value(c, p);
}

double am_eam_pair(const AmEam *eam, int a, int b, double r, double *dphi_dr)
{
  double p;
  const size_t m = lookup_r(r, eam->rdr, eam->nr, &p);
  const double *c = eam->z2_tab + ((size_t) eam->z2_index[a][b] * eam->nr + m) * AM_EAM_KNOT;
  const double z2 = knot_value(c, p), z2p = knot_slope(c, p, eam->rdr);
  const double phi = z2 / r;
  if (dphi_dr)
    *dphi_dr = z2p / r - phi / r;
  return phi;
}

/* ---- force engine -------------------------------------------------------------------- */

#define MAX_THREADS 256
/* Closer pairs than this (0.5 Å) mean overlapping atoms: the potential is unphysical there
 * and the numbers explode (φ = z2/r), so the computation refuses instead of returning them. */
#define MIN_R2 0.25

struct AmForceEngine {
  AmNeighbor nl;
  size_t cap;          /* per-atom capacity of the arrays below */
  int tcap;            /* thread capacity of the per-thread buffers */
  int *elem;           /* element of each atom, private order */
  int *elem_flat;      /* elem when the flat list was made (its pairs carry the elements) */
  double *rho, *fp;
  double *x4;          /* positions padded to 4 doubles per atom, for whole-row loads */
  double *buf;         /* per-thread accumulators: tcap × per_thread doubles */
  size_t per_thread;   /* doubles per thread in buf */
  /* The Verlet list flattened to (i, j) pairs and sorted by element pair and distance at
   * the build (flatten): consecutive pairs then read neighbouring table rows, so the table
   * streams through the cache instead of being hit at random. Distances drift by less
   * than the skin between builds, so the order stays good. */
  uint32_t *pi, *pj;   /* i and its element pair (PAIR_I); packed j and image code (neighbor.h) */
  uint32_t *key;       /* sort scratch */
  uint32_t *ci, *cj;   /* pass 1's in-cutoff pairs, for pass 2 (thread t from its out0) */
  /* What pass 1 learns about each of those pairs and pass 2 needs: the pair vector and
   * the force coefficients (dens_body). Pass 2 then reads neither positions nor tables. */
  double *pdat;        /* 6 × pcap: dx | dy | dz | ca | cb | cc */
  size_t pcap, npairs;
  size_t ninside;      /* pairs inside the cutoff at the build: they come first */
  size_t *bucket;      /* nr+2 counters of the counting sort */
  size_t bucket_cap;
  long flat_build;     /* nl.builds when the flat list was made, −1 = never */
  bool flat_at_build;  /* made from the positions of the build (not after an element change) */
  double skin_scale;   /* skin buckets per knot past the cutoff (KeyCtx) */
  size_t *skin_at;     /* ne²·nb + 1: where the skin pairs of (element pair, bucket) start */
  size_t skin_at_cap;
};

AmForceEngine *am_force_engine_new(void)
{
  AmForceEngine *e = calloc(1, sizeof *e);
  if (e) {
    am_neighbor_init(&e->nl);
    e->flat_build = -1;
  }
  return e;
}

void am_force_engine_free(AmForceEngine *e)
{
  if (!e)
    return;
  am_neighbor_free(&e->nl);
  free(e->elem);
  free(e->elem_flat);
  free(e->rho);
  free(e->fp);
  free(e->x4);
  free(e->buf);
  free(e->pi);
  free(e->pj);
  free(e->key);
  free(e->ci);
  free(e->pdat);
  free(e->cj);
  free(e->bucket);
  free(e->skin_at);
  free(e);
}

void am_force_engine_invalidate(AmForceEngine *e)
{
  if (e) {
    am_neighbor_invalidate(&e->nl);
    e->flat_build = -1;
  }
}

long am_force_engine_builds(const AmForceEngine *e)
{
  return e ? e->nl.builds : 0;
}

/* Per-thread accumulators, in doubles, for n atoms: rho n | f 4n (padded rows) | e n | v 6n. */
static AmStatus engine_reserve(AmForceEngine *e, size_t n, int nthreads, AmError *err)
{
  if (n > e->cap || !e->elem) {
    size_t cap = e->cap ? e->cap : 64;
    while (cap < n)
      cap *= 2;
    int *elem = realloc(e->elem, cap * sizeof *elem);
    if (elem)
      e->elem = elem;
    int *elem_flat = realloc(e->elem_flat, cap * sizeof *elem_flat);
    if (elem_flat)
      e->elem_flat = elem_flat;
    e->flat_build = -1;
    double *rho = realloc(e->rho, cap * sizeof *rho);
    if (rho)
      e->rho = rho;
    double *fp = realloc(e->fp, cap * sizeof *fp);
    if (fp)
      e->fp = fp;
    free(e->x4);
    e->x4 = aligned_alloc64(4 * cap * sizeof *e->x4);
    if (!elem || !elem_flat || !rho || !fp || !e->x4)
      return am_error_set(err, AM_ERR_NOMEM, "force engine: cannot allocate arrays for %zu atoms", n);
    e->cap = cap;
    free(e->buf);
    e->buf = NULL;
  }
  if (!e->buf || nthreads > e->tcap) {
    free(e->buf);
    e->per_thread = 12 * e->cap;
    e->tcap = nthreads;
    e->buf = aligned_alloc64((size_t) nthreads * e->per_thread * sizeof(double));
    if (!e->buf) {
      e->tcap = 0;
      return am_error_set(err, AM_ERR_NOMEM, "force engine: cannot allocate per-thread buffers");
    }
  }
  return AM_OK;
}

/* The i side of a flat pair: i in the low bits, the ordered element pair ei·ne + ej above
 * (so the pair kernels find their table rows without looking the atoms up). */
#define PAIR_I_BITS 26
#define PAIR_I(p) ((p) & ((1u << PAIR_I_BITS) - 1))
#define PAIR_MAX_ATOMS ((size_t) 1 << PAIR_I_BITS)

static inline uint32_t pair_i_code(size_t i, int ne, int ei, int ej)
{
  return (uint32_t) i | (uint32_t) (ei * ne + ej) << PAIR_I_BITS;
}

/* Kernel variants for wider vectors are chosen at run time: the build targets x86-64-v2,
 * so one binary runs everywhere and uses AVX2 gathers or AVX-512 where the processor has
 * them. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_SIMD_VARIANTS 1
#define AVX2_ATTR __attribute__((target("avx2,fma")))
#define AVX512_ATTR __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma")))
#endif

/* What the sort-key kernel needs to know about the list and the table. */
typedef struct {
  const double *x;        /* 3n positions, private order */
  const double *shift;    /* 27 × 3 image vectors */
  const uint32_t *pairs;  /* the Verlet list (neighbor.h) */
  const size_t *first;
  const int *elem;        /* element of each atom, private order */
  int ne;
  int nb;                 /* knot buckets: nr, and one for beyond the table */
  int bcut;               /* first bucket at or past the cutoff */
  uint32_t skin_base;     /* key offset of the pairs in the skin */
  double rdr;
  double ucut;            /* the cutoff in knots */
  double skin_scale;      /* skin buckets per knot past the cutoff */
} KeyCtx;

/* Buckets the skin pairs of each element pair are sorted into by their distance past the
 * cutoff at the build (the table ends at the cutoff, so their knots say nothing): pass 1
 * then skips the buckets that cannot have come inside the cutoff yet. */
#define SKIN_BUCKETS 64

/* Sort keys of the list pairs of atoms k0..k1−1: (in the skin, element pair, knot of the
 * distance). The vectorised distance loop here was a tenth of a step as scalar code. */
static inline __attribute__((always_inline)) void keys_body(const KeyCtx *restrict c, size_t k0, size_t k1,
                                                           uint32_t *restrict key)
{
  const double *restrict x = c->x, *restrict sh = c->shift;
  const uint32_t *restrict pairs = c->pairs;
  const int *restrict elem = c->elem;
  const double rdr = c->rdr, unb = (double) (c->nb - 1), ucut = c->ucut, sscale = c->skin_scale;
  const int nb = c->nb, bcut = c->bcut;
  const uint32_t skin_base = c->skin_base;
  for (size_t k = k0; k < k1; k++) {
    const double xk = x[3 * k], yk = x[3 * k + 1], zk = x[3 * k + 2];
    const int tk = elem[k] * c->ne;
    const size_t qe = c->first[k + 1];
#pragma omp simd
    for (size_t q = c->first[k]; q < qe; q++) {
      const uint32_t pk = pairs[q];
      const int j = (int) (pk >> AM_NEIGH_SHIFT_BITS), s = (int) (pk & ((1u << AM_NEIGH_SHIFT_BITS) - 1));
      const double dx = x[3 * j] + sh[3 * s] - xk, dy = x[3 * j + 1] + sh[3 * s + 1] - yk,
                   dz = x[3 * j + 2] + sh[3 * s + 2] - zk;
      const double u = sqrt(dx * dx + dy * dy + dz * dz) * rdr;
      const int knot = (int) (u < unb ? u : unb); /* the last bucket: everything beyond the table */
      /* Knots at or past the cutoff hold the pairs that were in the skin at the build;
       * those are sorted by their distance past the cutoff instead. */
      double w = (u - ucut) * sscale;
      w = w > 0.0 ? w : 0.0;
      w = w < SKIN_BUCKETS - 1 ? w : SKIN_BUCKETS - 1;
      const int b = knot >= bcut ? (int) w : knot;
      key[q] = (knot >= bcut ? skin_base : 0u) + (uint32_t) ((tk + elem[j]) * nb + b);
    }
  }
}

typedef void (*KeyFn)(const KeyCtx *c, size_t k0, size_t k1, uint32_t *key);
static void keys_base(const KeyCtx *c, size_t k0, size_t k1, uint32_t *key)
{
  keys_body(c, k0, k1, key);
}
#ifdef HAVE_SIMD_VARIANTS
AVX2_ATTR static void keys_avx2(const KeyCtx *c, size_t k0, size_t k1, uint32_t *key)
{
  keys_body(c, k0, k1, key);
}
AVX512_ATTR static void keys_avx512(const KeyCtx *c, size_t k0, size_t k1, uint32_t *key)
{
  keys_body(c, k0, k1, key);
}
#endif

/* First atom of thread t's share of the list when tn threads split it by pairs. */
static size_t atom_split(const size_t *first, size_t n, int t, int tn)
{
  const size_t want = first[n] / (size_t) tn * (size_t) t + first[n] % (size_t) tn * (size_t) t / (size_t) tn;
  size_t lo = 0, hi = n;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (first[mid] < want)
      lo = mid + 1;
    else
      hi = mid;
  }
  return t == tn ? n : lo;
}

/* Flattens the freshly built Verlet list and sorts it by (skin, element pair, knot): a
 * stable counting sort, so the order is a pure function of the list. It runs on nt
 * threads (a serial flattening was a tenth of a step's time, all of it Amdahl's): each
 * thread counts the keys of a contiguous block of atoms in its own histogram, the
 * histograms are turned into start offsets ordered by (key, thread), and each thread
 * places its pairs. Threads own ascending atom blocks, so the result is the serial
 * sort's, whatever the thread count. */
static AmStatus flatten(AmForceEngine *e, const AmEam *eam, int nt, KeyFn keys, AmError *err)
{
  const AmNeighbor *nl = &e->nl;
  const size_t np = nl->npairs, n = nl->n;
  if (np > e->pcap || !e->pi) {
    size_t cap = e->pcap ? e->pcap : 4096;
    while (cap < np)
      cap *= 2;
    free(e->pi), free(e->pj), free(e->key), free(e->ci), free(e->cj), free(e->pdat);
    e->pi = malloc(cap * sizeof *e->pi);
    e->pj = malloc(cap * sizeof *e->pj);
    e->key = malloc(cap * sizeof *e->key);
    e->ci = malloc(cap * sizeof *e->ci);
    e->cj = malloc(cap * sizeof *e->cj);
    e->pdat = aligned_alloc64(6 * cap * sizeof *e->pdat);
    if (!e->pi || !e->pj || !e->key || !e->ci || !e->cj || !e->pdat) {
      free(e->pi), free(e->pj), free(e->key), free(e->ci), free(e->cj), free(e->pdat);
      e->pi = e->pj = e->key = e->ci = e->cj = NULL;
      e->pdat = NULL;
      e->pcap = 0;
      return am_error_set(err, AM_ERR_NOMEM, "force engine: cannot allocate %zu pairs", np);
    }
    e->pcap = cap;
  }
  /* Sort key: (skin, element pair, knot). The pairs inside the cutoff at the build come
   * first; within them each element pair's table rows are read as one ascending stream,
   * which the hardware prefetcher follows (the knot-only order interleaves ne² streams). */
  const size_t nb = (size_t) eam->nr + 1; /* one bucket per knot, one for beyond the table */
  const size_t ntype = (size_t) eam->nelements * eam->nelements, nkey = 2 * ntype * nb;
  const size_t stride = nkey + 8; /* histograms apart by more than a cache line */
  if ((size_t) nt * stride > e->bucket_cap) {
    size_t *b = realloc(e->bucket, (size_t) nt * stride * sizeof *b);
    if (!b)
      return am_error_set(err, AM_ERR_NOMEM, "force engine: cannot allocate the pair sort");
    e->bucket = b;
    e->bucket_cap = (size_t) nt * stride;
  }
  if (ntype * nb + 1 > e->skin_at_cap) {
    size_t *b = realloc(e->skin_at, (ntype * nb + 1) * sizeof *b);
    if (!b)
      return am_error_set(err, AM_ERR_NOMEM, "force engine: cannot allocate the pair sort");
    e->skin_at = b;
    e->skin_at_cap = ntype * nb + 1;
  }
  const double ucut = eam->cutoff * eam->rdr;
  const double skin_scale = nl->skin > 0.0 ? SKIN_BUCKETS / (nl->skin * eam->rdr) : 0.0;
  e->skin_scale = skin_scale;
  const KeyCtx kc = {.x = nl->x, .shift = &nl->shift[0][0], .pairs = nl->pairs, .first = nl->first,
                     .elem = e->elem, .ne = eam->nelements, .nb = (int) nb,
                     .bcut = ucut < (double) eam->nr ? (int) ucut : (int) nb - 1,
                     .skin_base = (uint32_t) (ntype * nb), .rdr = eam->rdr, .ucut = ucut,
                     .skin_scale = skin_scale};
  const size_t *restrict first = nl->first;
  const uint32_t *restrict pairs = nl->pairs;
  const int *restrict elem = e->elem;
  const int ne = eam->nelements;
  uint32_t *restrict key = e->key;
  size_t part[MAX_THREADS];

#pragma omp parallel num_threads(nt)
  {
#ifdef _OPENMP
    const int t = omp_get_thread_num(), tn = omp_get_num_threads();
#else
    const int t = 0, tn = 1;
#endif
    const size_t k0 = atom_split(first, n, t, tn), k1 = atom_split(first, n, t + 1, tn);
    size_t *restrict count = e->bucket + (size_t) t * stride;
    memset(count, 0, nkey * sizeof *count);
    keys(&kc, k0, k1, key);
    for (size_t q = first[k0]; q < first[k1]; q++)
      count[key[q]]++;
#pragma omp barrier
    /* Start offsets in (key, thread) order: each thread sums a band of keys over all
     * histograms, then turns its band into offsets from the bands before it. */
    const size_t b0 = nkey * (size_t) t / (size_t) tn, b1 = nkey * (size_t) (t + 1) / (size_t) tn;
    size_t sum = 0;
    for (size_t b = b0; b < b1; b++)
      for (int u = 0; u < tn; u++)
        sum += e->bucket[(size_t) u * stride + b];
    part[t] = sum;
#pragma omp barrier
    size_t at = 0;
    for (int u = 0; u < t; u++)
      at += part[u];
    for (size_t b = b0; b < b1; b++)
      for (int u = 0; u < tn; u++) {
        size_t *c = e->bucket + (size_t) u * stride + b;
        const size_t m = *c;
        *c = at;
        at += m;
      }
#pragma omp barrier
    if (t == 0) {
      e->ninside = count[ntype * nb]; /* where the first skin key starts */
      /* Thread 0's offsets are where each key starts: kept for the skin keys. */
      memcpy(e->skin_at, count + ntype * nb, ntype * nb * sizeof *count);
      e->skin_at[ntype * nb] = np;
    }
    for (size_t k = k0; k < k1; k++)
      for (size_t q = first[k]; q < first[k + 1]; q++) {
        const size_t to = count[key[q]]++;
        const uint32_t pk = pairs[q];
        e->pi[to] = pair_i_code(k, ne, elem[k], elem[AM_NEIGH_J(pk)]);
        e->pj[to] = pk;
      }
  }
  e->npairs = np;
  e->flat_build = nl->builds;
  memcpy(e->elem_flat, e->elem, n * sizeof *e->elem);
  return AM_OK;
}

/* ---- pair kernels -------------------------------------------------------------------- */

/* The pair loops run in chunks: a loop without stores to shared atoms computes the
 * chunk's per-pair terms (vectorised: the generic bodies below with the compiler's
 * gathers, or hand-written AVX2/AVX-512 kernels that load whole rows and transpose), then
 * the results are added to the atoms pair by pair in order (two pairs of a chunk may share
 * an atom). Pass 1 (dist, dens) measures the list pairs, keeps those inside the cutoff
 * and evaluates every spline once; pass 2 (force) needs only F′ and what pass 1 kept. */
#define CHUNK 256

typedef struct {
  const double *x;        /* 3n positions, private order */
  const double *x4;       /* the same padded to 4 doubles per atom (whole-row loads) */
  const double *shift;    /* 27 × 3 image vectors */
  const double *fp;       /* F′ of each atom (pass 2) */
  const double *pair_tab;
  int ne, nr;
  double rdr, rc2;
} PairCtx;

/* Pass 1's first step on a chunk of list pairs: measures every pair and keeps those inside
 * the cutoff, in order, with their i and j words, pair vectors and r². The vector is
 * LAMMPS' del = r_i − (r_j + image), rounded as LAMMPS rounds it (the image position
 * first), so fpair > 0 is repulsive. Returns how many pairs were kept; sets *close if a
 * pair is closer than MIN_R2 (such pairs are not kept). */
static inline __attribute__((always_inline)) int dist_body(const PairCtx *restrict c, const uint32_t *restrict pi,
                                                          const uint32_t *restrict pj, int cnt,
                                                          uint32_t *restrict ci, uint32_t *restrict cj,
                                                          double *restrict dxo, double *restrict dyo,
                                                          double *restrict dzo, double *restrict r2o, int *close)
{
  const double *restrict x = c->x, *restrict sh = c->shift;
  const double rc2 = c->rc2;
  double tr2[CHUNK], tx[CHUNK], ty[CHUNK], tz[CHUNK];
  int cl = 0;
#pragma omp simd reduction(| : cl)
  for (int k = 0; k < cnt; k++) {
    const int i = (int) PAIR_I(pi[k]);
    const int j = (int) (pj[k] >> AM_NEIGH_SHIFT_BITS), s = (int) (pj[k] & ((1u << AM_NEIGH_SHIFT_BITS) - 1));
    const double dx = x[3 * i] - (x[3 * j] + sh[3 * s]), dy = x[3 * i + 1] - (x[3 * j + 1] + sh[3 * s + 1]),
                 dz = x[3 * i + 2] - (x[3 * j + 2] + sh[3 * s + 2]);
    const double r2 = dx * dx + dy * dy + dz * dz;
    cl |= r2 < MIN_R2;
    tr2[k] = r2;
    tx[k] = dx, ty[k] = dy, tz[k] = dz;
  }
  /* Branch-free compaction: every pair is written, the count advances only for kept ones
   * (position nc never passes the pair being read, so it stays inside the chunk). */
  int nc = 0;
  for (int k = 0; k < cnt; k++) {
    ci[nc] = pi[k], cj[nc] = pj[k];
    dxo[nc] = tx[k], dyo[nc] = ty[k], dzo[nc] = tz[k], r2o[nc] = tr2[k];
    nc += (tr2[k] < rc2) & (tr2[k] >= MIN_R2);
  }
  *close |= cl;
  return nc;
}

/* Everything a chunk of in-cutoff pairs needs from the tables, in one visit of the knot:
 * ra[k] is j's density at i and rb[k] i's at j (pass 1 adds them to the atoms); phi[k] the
 * pair energy, summed into *epair; and the pair's force coefficients, kept for pass 2:
 * fpair = F′_i·ca + F′_j·cb + cc with ca = −ρ′_j(r)/r, cb = −ρ′_i(r)/r, cc = −φ′(r)/r.
 * Lookups and spline arithmetic are LAMMPS' (see lookup_r and knot_value). */
static inline __attribute__((always_inline)) void dens_body(const PairCtx *restrict c, const uint32_t *restrict pi,
                                                           int cnt,
                                                           const double *restrict r2, double *restrict ra,
                                                           double *restrict rb, double *restrict phi_out,
                                                           double *restrict ca, double *restrict cb,
                                                           double *restrict cc, double *restrict epair)
{
  const double *restrict tab = c->pair_tab;
  const int nr = c->nr, nr1 = c->nr - 1;
  const double rdr = c->rdr;
  double ep = 0.0;
#pragma omp simd reduction(+ : ep)
  for (int k = 0; k < cnt; k++) {
    const int type = (int) (pi[k] >> PAIR_I_BITS);
    const double r = sqrt(r2[k]);
    double p = r * rdr + 1.0;
    int m = (int) p;
    m = m < nr1 ? m : nr1;
    p -= m;
    p = p < 1.0 ? p : 1.0;
    const int a = (type * nr + m - 1) * AM_EAM_PAIR_ROW, b = a + 4, z = a + 8;
    const double *restrict rt = tab, *restrict zt = tab;
    ra[k] = ((rt[a] * p + rt[a + 1]) * p + rt[a + 2]) * p + rt[a + 3];
    rb[k] = ((rt[b] * p + rt[b + 1]) * p + rt[b + 2]) * p + rt[b + 3];
    const double rhojp = ((3.0 * rt[a] * p + 2.0 * rt[a + 1]) * p + rt[a + 2]) * rdr;
    const double rhoip = ((3.0 * rt[b] * p + 2.0 * rt[b + 1]) * p + rt[b + 2]) * rdr;
    const double z2 = ((zt[z] * p + zt[z + 1]) * p + zt[z + 2]) * p + zt[z + 3];
    const double z2p = ((3.0 * zt[z] * p + 2.0 * zt[z + 1]) * p + zt[z + 2]) * rdr;
    const double recip = 1.0 / r;
    const double phi = z2 * recip;
    const double phip = z2p * recip - phi * recip;
    phi_out[k] = phi;
    ep += phi;
    ca[k] = -rhojp * recip;
    cb[k] = -rhoip * recip;
    cc[k] = -phip * recip;
  }
  *epair += ep;
}

/* Pass 2 on a chunk of in-cutoff pairs: f = (fx, fy, fz) on i (−f on j) from the pair
 * vectors and coefficients pass 1 kept and the atoms' F′; the virial d ⊗ f is summed into
 * acc[0..5]. No positions and no tables are read again. */
static inline __attribute__((always_inline)) void force_body(const PairCtx *restrict c, const uint32_t *restrict pi,
                                                            const uint32_t *restrict pj, int cnt,
                                                            const double *restrict dxi, const double *restrict dyi,
                                                            const double *restrict dzi, const double *restrict ca,
                                                            const double *restrict cb, const double *restrict cc,
                                                            double *restrict fx, double *restrict fy,
                                                            double *restrict fz, double acc[6])
{
  const double *restrict fp = c->fp;
  double v0 = 0.0, v1 = 0.0, v2 = 0.0, v3 = 0.0, v4 = 0.0, v5 = 0.0;
#pragma omp simd reduction(+ : v0, v1, v2, v3, v4, v5)
  for (int k = 0; k < cnt; k++) {
    const int i = (int) PAIR_I(pi[k]);
    const int j = (int) (pj[k] >> AM_NEIGH_SHIFT_BITS);
    const double fpair = fp[i] * ca[k] + fp[j] * cb[k] + cc[k];
    const double dx = dxi[k], dy = dyi[k], dz = dzi[k];
    const double gx = dx * fpair, gy = dy * fpair, gz = dz * fpair;
    fx[k] = gx, fy[k] = gy, fz[k] = gz;
    v0 += dx * gx, v1 += dy * gy, v2 += dz * gz, v3 += dx * gy, v4 += dx * gz, v5 += dy * gz;
  }
  acc[0] += v0, acc[1] += v1, acc[2] += v2, acc[3] += v3, acc[4] += v4, acc[5] += v5;
}

/* Which pair of a chunk is closer than MIN_R2 (the error path only). */
static void find_close(const PairCtx *c, const uint32_t *pi, const uint32_t *pj, int cnt, size_t *ci, size_t *cj)
{
  const double *x = c->x, *sh = c->shift;
  for (int k = 0; k < cnt; k++) {
    const size_t i = PAIR_I(pi[k]), j = AM_NEIGH_J(pj[k]);
    const double *s = sh + 3 * AM_NEIGH_CODE(pj[k]);
    const double dx = x[3 * i] - (x[3 * j] + s[0]), dy = x[3 * i + 1] - (x[3 * j + 1] + s[1]),
                 dz = x[3 * i + 2] - (x[3 * j + 2] + s[2]);
    if (dx * dx + dy * dy + dz * dz < MIN_R2)
      *ci = i, *cj = j;
  }
}

/* Adds a chunk's pair forces to the atoms' padded force rows (+f on i, −f on j, pair by
 * pair in order). */
static inline __attribute__((always_inline)) void scatter_forces(const uint32_t *restrict pi,
                                                                const uint32_t *restrict pj, int cnt,
                                                                const double *restrict fx,
                                                                const double *restrict fy,
                                                                const double *restrict fz, double *restrict tf)
{
  for (int k = 0; k < cnt; k++) {
    const size_t i = PAIR_I(pi[k]), j = AM_NEIGH_J(pj[k]);
    tf[4 * i] += fx[k], tf[4 * i + 1] += fy[k], tf[4 * i + 2] += fz[k];
    tf[4 * j] -= fx[k], tf[4 * j + 1] -= fy[k], tf[4 * j + 2] -= fz[k];
  }
}

#define DIST_ARGS const PairCtx *c, const uint32_t *pi, const uint32_t *pj, int cnt, uint32_t *ci, uint32_t *cj, \
                  double *dx, double *dy, double *dz, double *r2, int *close
#define DENS_ARGS const PairCtx *c, const uint32_t *pi, int cnt, const double *r2, double *ra, \
                  double *rb, double *phi, double *ca, double *cb, double *cc, double *epair
#define FORCE_ARGS const PairCtx *c, const uint32_t *pi, const uint32_t *pj, int cnt, const double *dx, \
                   const double *dy, const double *dz, const double *ca, const double *cb, const double *cc, \
                   double *fx, double *fy, double *fz, double acc[6], double *tf
typedef int (*DistFn)(DIST_ARGS);
typedef void (*DensFn)(DENS_ARGS);
typedef void (*ForceFn)(FORCE_ARGS);

/* One set of kernels per instruction set: the bodies above, compiled for each target. */
#define KERNELS(ATTR, SUFFIX)                                                                                       \
  ATTR static int dist_##SUFFIX(DIST_ARGS) { return dist_body(c, pi, pj, cnt, ci, cj, dx, dy, dz, r2, close); }                  \
  ATTR static void dens_##SUFFIX(DENS_ARGS) { dens_body(c, pi, cnt, r2, ra, rb, phi, ca, cb, cc, epair); }    \
  ATTR static void force_##SUFFIX(FORCE_ARGS) {                                                                      \
    force_body(c, pi, pj, cnt, dx, dy, dz, ca, cb, cc, fx, fy, fz, acc);                                            \
    scatter_forces(pi, pj, cnt, fx, fy, fz, tf);                                                                    \
  }

KERNELS(, base)

/* Variants for wider vectors (see HAVE_SIMD_VARIANTS above). */
#ifdef HAVE_SIMD_VARIANTS
#define DIST_FORCE(ATTR, SUFFIX)                                                                                    \
  ATTR static int dist_##SUFFIX(DIST_ARGS) { return dist_body(c, pi, pj, cnt, ci, cj, dx, dy, dz, r2, close); }                  \
  ATTR static void force_##SUFFIX(FORCE_ARGS) {                                                                      \
    force_body(c, pi, pj, cnt, dx, dy, dz, ca, cb, cc, fx, fy, fz, acc);                                            \
    scatter_forces(pi, pj, cnt, fx, fy, fz, tf);                                                                    \
  }
DIST_FORCE(__attribute__((target("avx2,fma"))), avx2)

/* Hand-written density kernels for AVX2 and AVX-512. The compiler can only gather a table
 * row's coefficients one double at a time (12 gathers per pair); these load each lane's
 * row with three 32-byte loads and transpose the rows in registers. The arithmetic is
 * dens_body's, with fused multiply-adds. */
#include <immintrin.h>

/* c[q] = coefficient q of the 4-double block at row[l] + off, lanes l = 0..3. */
AVX2_ATTR static inline void rows4(const double *tab, const int *row, int off, __m256d c[4])
{
  const __m256d t0 = _mm256_loadu_pd(tab + row[0] + off), t1 = _mm256_loadu_pd(tab + row[1] + off);
  const __m256d t2 = _mm256_loadu_pd(tab + row[2] + off), t3 = _mm256_loadu_pd(tab + row[3] + off);
  const __m256d u0 = _mm256_unpacklo_pd(t0, t1), u1 = _mm256_unpackhi_pd(t0, t1);
  const __m256d u2 = _mm256_unpacklo_pd(t2, t3), u3 = _mm256_unpackhi_pd(t2, t3);
  c[0] = _mm256_permute2f128_pd(u0, u2, 0x20);
  c[1] = _mm256_permute2f128_pd(u1, u3, 0x20);
  c[2] = _mm256_permute2f128_pd(u0, u2, 0x31);
  c[3] = _mm256_permute2f128_pd(u1, u3, 0x31);
}

/* Four pairs from padded inputs; phi of lanes at or past `valid` counts zero. */
AVX2_ATTR static inline __m256d dens4(const double *tab, int nr, double rdr, const uint32_t *pi, const double *r2,
                                      double *ra, double *rb, double *phi_out, double *ca, double *cb, double *cc,
                                      int valid)
{
  const __m256d one = _mm256_set1_pd(1.0), vrdr = _mm256_set1_pd(rdr);
  const __m256d r = _mm256_sqrt_pd(_mm256_loadu_pd(r2));
  __m256d p = _mm256_fmadd_pd(r, vrdr, one);
  __m128i m = _mm256_cvttpd_epi32(p);
  m = _mm_min_epi32(m, _mm_set1_epi32(nr - 1));
  p = _mm256_min_pd(_mm256_sub_pd(p, _mm256_cvtepi32_pd(m)), one);
  const __m128i type = _mm_srli_epi32(_mm_loadu_si128((const __m128i *) pi), PAIR_I_BITS);
  const __m128i row = _mm_mullo_epi32(
      _mm_add_epi32(_mm_mullo_epi32(type, _mm_set1_epi32(nr)), _mm_sub_epi32(m, _mm_set1_epi32(1))),
      _mm_set1_epi32(AM_EAM_PAIR_ROW));
  int idx[4] __attribute__((aligned(16)));
  _mm_store_si128((__m128i *) idx, row);
  __m256d A[4], B[4], Z[4];
  rows4(tab, idx, 0, A);
  rows4(tab, idx, 4, B);
  rows4(tab, idx, 8, Z);
  const __m256d two = _mm256_set1_pd(2.0), three = _mm256_set1_pd(3.0);
  _mm256_storeu_pd(ra, _mm256_fmadd_pd(_mm256_fmadd_pd(_mm256_fmadd_pd(A[0], p, A[1]), p, A[2]), p, A[3]));
  _mm256_storeu_pd(rb, _mm256_fmadd_pd(_mm256_fmadd_pd(_mm256_fmadd_pd(B[0], p, B[1]), p, B[2]), p, B[3]));
  const __m256d rhojp =
      _mm256_mul_pd(_mm256_fmadd_pd(_mm256_fmadd_pd(_mm256_mul_pd(three, A[0]), p, _mm256_mul_pd(two, A[1])), p, A[2]), vrdr);
  const __m256d rhoip =
      _mm256_mul_pd(_mm256_fmadd_pd(_mm256_fmadd_pd(_mm256_mul_pd(three, B[0]), p, _mm256_mul_pd(two, B[1])), p, B[2]), vrdr);
  const __m256d z2 = _mm256_fmadd_pd(_mm256_fmadd_pd(_mm256_fmadd_pd(Z[0], p, Z[1]), p, Z[2]), p, Z[3]);
  const __m256d z2p =
      _mm256_mul_pd(_mm256_fmadd_pd(_mm256_fmadd_pd(_mm256_mul_pd(three, Z[0]), p, _mm256_mul_pd(two, Z[1])), p, Z[2]), vrdr);
  const __m256d recip = _mm256_div_pd(one, r);
  __m256d phi = _mm256_mul_pd(z2, recip);
  const __m256d phip = _mm256_fmsub_pd(z2p, recip, _mm256_mul_pd(phi, recip));
  const __m256d neg = _mm256_set1_pd(-0.0);
  _mm256_storeu_pd(ca, _mm256_xor_pd(_mm256_mul_pd(rhojp, recip), neg));
  _mm256_storeu_pd(cb, _mm256_xor_pd(_mm256_mul_pd(rhoip, recip), neg));
  _mm256_storeu_pd(cc, _mm256_xor_pd(_mm256_mul_pd(phip, recip), neg));
  _mm256_storeu_pd(phi_out, phi);
  if (valid < 4) {
    const __m256i lane = _mm256_setr_epi64x(0, 1, 2, 3);
    phi = _mm256_and_pd(phi, _mm256_castsi256_pd(_mm256_cmpgt_epi64(_mm256_set1_epi64x(valid), lane)));
  }
  return phi;
}

AVX2_ATTR static void dens_avx2(DENS_ARGS)
{
  const double *tab = c->pair_tab;
  __m256d ep = _mm256_setzero_pd();
  int k = 0;
  for (; k + 4 <= cnt; k += 4)
    ep = _mm256_add_pd(ep, dens4(tab, c->nr, c->rdr, pi + k, r2 + k, ra + k, rb + k, phi + k, ca + k, cb + k,
                                 cc + k, 4));
  if (k < cnt) {
    /* The tail through the same arithmetic, padded with harmless pairs. */
    const int left = cnt - k;
    uint32_t tpi[4] = {0, 0, 0, 0};
    double tr2[4] = {1.0, 1.0, 1.0, 1.0}, o[6][4];
    for (int l = 0; l < left; l++)
      tpi[l] = pi[k + l], tr2[l] = r2[k + l];
    ep = _mm256_add_pd(ep, dens4(tab, c->nr, c->rdr, tpi, tr2, o[0], o[1], o[2], o[3], o[4], o[5], left));
    for (int l = 0; l < left; l++) {
      ra[k + l] = o[0][l], rb[k + l] = o[1][l], phi[k + l] = o[2][l];
      ca[k + l] = o[3][l], cb[k + l] = o[4][l], cc[k + l] = o[5][l];
    }
  }
  double s[4];
  _mm256_storeu_pd(s, ep);
  *epair += (s[0] + s[1]) + (s[2] + s[3]);
}

/* Pass 2 for AVX-512: the pair forces as in force_body, then added to the atoms a whole
 * padded row (fx, fy, fz, 0) at a time, rows made by transposing eight lanes in
 * registers: two 32-byte read-modify-writes per pair instead of six scalar ones. */
AVX512_ATTR static void force_avx512(FORCE_ARGS)
{
  force_body(c, pi, pj, cnt, dx, dy, dz, ca, cb, cc, fx, fy, fz, acc);
  const __m512i lo = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11), hi = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
  const __m512d zero = _mm512_setzero_pd();
  int k = 0;
  for (; k + 8 <= cnt; k += 8) {
    const __m512d X = _mm512_loadu_pd(fx + k), Y = _mm512_loadu_pd(fy + k), Z = _mm512_loadu_pd(fz + k);
    const __m512d u0 = _mm512_unpacklo_pd(X, Y), u1 = _mm512_unpackhi_pd(X, Y);
    const __m512d u2 = _mm512_unpacklo_pd(Z, zero), u3 = _mm512_unpackhi_pd(Z, zero);
    /* r02 holds the rows of lanes 0 and 2, r13 of 1 and 3, and so on. */
    const __m512d r02 = _mm512_permutex2var_pd(u0, lo, u2), r46 = _mm512_permutex2var_pd(u0, hi, u2);
    const __m512d r13 = _mm512_permutex2var_pd(u1, lo, u3), r57 = _mm512_permutex2var_pd(u1, hi, u3);
    __m256d row[8];
    row[0] = _mm512_castpd512_pd256(r02), row[2] = _mm512_extractf64x4_pd(r02, 1);
    row[1] = _mm512_castpd512_pd256(r13), row[3] = _mm512_extractf64x4_pd(r13, 1);
    row[4] = _mm512_castpd512_pd256(r46), row[6] = _mm512_extractf64x4_pd(r46, 1);
    row[5] = _mm512_castpd512_pd256(r57), row[7] = _mm512_extractf64x4_pd(r57, 1);
    for (int l = 0; l < 8; l++) {
      double *fi = tf + 4 * PAIR_I(pi[k + l]), *fj = tf + 4 * AM_NEIGH_J(pj[k + l]);
      _mm256_storeu_pd(fi, _mm256_add_pd(_mm256_loadu_pd(fi), row[l]));
      _mm256_storeu_pd(fj, _mm256_sub_pd(_mm256_loadu_pd(fj), row[l]));
    }
  }
  scatter_forces(pi + k, pj + k, cnt - k, fx + k, fy + k, fz + k, tf);
}

/* c[q] = coefficient q of the 4-double block at row[l] + off, lanes l = 0..7. */
AVX512_ATTR static inline void rows8(const double *tab, const int *row, int off, __m512d c[4])
{
  const __m512d t0 = _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(tab + row[0] + off)),
                                        _mm256_loadu_pd(tab + row[4] + off), 1);
  const __m512d t1 = _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(tab + row[1] + off)),
                                        _mm256_loadu_pd(tab + row[5] + off), 1);
  const __m512d t2 = _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(tab + row[2] + off)),
                                        _mm256_loadu_pd(tab + row[6] + off), 1);
  const __m512d t3 = _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(tab + row[3] + off)),
                                        _mm256_loadu_pd(tab + row[7] + off), 1);
  const __m512d u0 = _mm512_unpacklo_pd(t0, t1), u1 = _mm512_unpackhi_pd(t0, t1);
  const __m512d u2 = _mm512_unpacklo_pd(t2, t3), u3 = _mm512_unpackhi_pd(t2, t3);
  const __m512i lo = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13), hi = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
  c[0] = _mm512_permutex2var_pd(u0, lo, u2);
  c[1] = _mm512_permutex2var_pd(u1, lo, u3);
  c[2] = _mm512_permutex2var_pd(u0, hi, u2);
  c[3] = _mm512_permutex2var_pd(u1, hi, u3);
}

/* The distance step for AVX-512: positions are loaded a whole padded row per lane and
 * transposed, image vectors are formed from the image code (n_a a + n_b b + n_c c, the
 * arithmetic of neighbor.c, so the same bits as its table), and the kept pairs are
 * compressed in registers and written with masked stores. */
AVX512_ATTR static int dist_avx512(DIST_ARGS)
{
  const double *x4 = c->x4, *sh = c->shift;
  /* The cell vectors, read back from the image table: codes 14, 16, 22 are +a, +b, +c. */
  const __m512d h0 = _mm512_set1_pd(sh[3 * 14]), h1 = _mm512_set1_pd(sh[3 * 16]), h4 = _mm512_set1_pd(sh[3 * 16 + 1]);
  const __m512d h2 = _mm512_set1_pd(sh[3 * 22]), h5 = _mm512_set1_pd(sh[3 * 22 + 1]),
                h8 = _mm512_set1_pd(sh[3 * 22 + 2]);
  const __m512d vrc2 = _mm512_set1_pd(c->rc2), vmin = _mm512_set1_pd(MIN_R2);
  const __m256i imask = _mm256_set1_epi32((int) ((1u << PAIR_I_BITS) - 1));
  const __m256i cmask = _mm256_set1_epi32((int) ((1u << AM_NEIGH_SHIFT_BITS) - 1));
  const __m256i k43 = _mm256_set1_epi32(43), k3 = _mm256_set1_epi32(3), k1 = _mm256_set1_epi32(1);
  int nc = 0;
  unsigned closem = 0;
  for (int k = 0; k < cnt; k += 8) {
    const int left = cnt - k;
    const __mmask8 mk = left >= 8 ? (__mmask8) 0xff : (__mmask8) ((1u << left) - 1);
    const __m256i wi = _mm256_maskz_loadu_epi32(mk, pi + k), wj = _mm256_maskz_loadu_epi32(mk, pj + k);
    int ii[8] __attribute__((aligned(32))), jj[8] __attribute__((aligned(32)));
    _mm256_store_si256((__m256i *) ii, _mm256_slli_epi32(_mm256_and_si256(wi, imask), 2));
    _mm256_store_si256((__m256i *) jj, _mm256_slli_epi32(_mm256_srli_epi32(wj, AM_NEIGH_SHIFT_BITS), 2));
    __m512d X[4], Y[4];
    rows8(x4, ii, 0, X);
    rows8(x4, jj, 0, Y);
    /* code = (n0+1) + 3(n1+1) + 9(n2+1); (v·43) >> 7 is v/3 for v < 27. */
    const __m256i s = _mm256_and_si256(wj, cmask);
    const __m256i q3 = _mm256_srli_epi32(_mm256_mullo_epi32(s, k43), 7);
    const __m256i q9 = _mm256_srli_epi32(_mm256_mullo_epi32(q3, k43), 7);
    const __m512d n0 = _mm512_cvtepi32_pd(_mm256_sub_epi32(_mm256_sub_epi32(s, _mm256_mullo_epi32(q3, k3)), k1));
    const __m512d n1 = _mm512_cvtepi32_pd(_mm256_sub_epi32(_mm256_sub_epi32(q3, _mm256_mullo_epi32(q9, k3)), k1));
    const __m512d n2 = _mm512_cvtepi32_pd(_mm256_sub_epi32(q9, k1));
    const __m512d shx = _mm512_fmadd_pd(h2, n2, _mm512_fmadd_pd(h1, n1, _mm512_mul_pd(h0, n0)));
    const __m512d shy = _mm512_fmadd_pd(h5, n2, _mm512_mul_pd(h4, n1));
    const __m512d shz = _mm512_mul_pd(h8, n2);
    const __m512d vdx = _mm512_sub_pd(X[0], _mm512_add_pd(Y[0], shx));
    const __m512d vdy = _mm512_sub_pd(X[1], _mm512_add_pd(Y[1], shy));
    const __m512d vdz = _mm512_sub_pd(X[2], _mm512_add_pd(Y[2], shz));
    const __m512d vr2 = _mm512_fmadd_pd(vdz, vdz, _mm512_fmadd_pd(vdy, vdy, _mm512_mul_pd(vdx, vdx)));
    const __mmask8 tooclose = _mm512_mask_cmp_pd_mask(mk, vr2, vmin, _CMP_LT_OQ);
    const __mmask8 keep = _mm512_mask_cmp_pd_mask(mk, vr2, vrc2, _CMP_LT_OQ) & (__mmask8) ~tooclose;
    closem |= tooclose;
    const int nk = __builtin_popcount(keep);
    const __mmask8 out = (__mmask8) ((1u << nk) - 1);
    _mm256_mask_storeu_epi32(ci + nc, out, _mm256_maskz_compress_epi32(keep, wi));
    _mm256_mask_storeu_epi32(cj + nc, out, _mm256_maskz_compress_epi32(keep, wj));
    _mm512_mask_storeu_pd(dx + nc, out, _mm512_maskz_compress_pd(keep, vdx));
    _mm512_mask_storeu_pd(dy + nc, out, _mm512_maskz_compress_pd(keep, vdy));
    _mm512_mask_storeu_pd(dz + nc, out, _mm512_maskz_compress_pd(keep, vdz));
    _mm512_mask_storeu_pd(r2 + nc, out, _mm512_maskz_compress_pd(keep, vr2));
    nc += nk;
  }
  *close |= closem != 0;
  return nc;
}

/* Pairs ahead whose table rows the density kernel prefetches: the rows come from L3
 * (the table is 3.8 MB) and the loads stalled on them; 16 and 32 measured the same. */
#define PREFETCH_AHEAD 16
AVX512_ATTR static void dens_avx512(DENS_ARGS)
{
  const double *tab = c->pair_tab;
  const __m512d one = _mm512_set1_pd(1.0), two = _mm512_set1_pd(2.0), three = _mm512_set1_pd(3.0);
  const __m512d vrdr = _mm512_set1_pd(c->rdr), neg = _mm512_set1_pd(-0.0);
  const __m256i nr1 = _mm256_set1_epi32(c->nr - 1), vnr = _mm256_set1_epi32(c->nr);
  /* Two sweeps: the first finds every pair's row (sqrt, knot) and writes the row offsets
   * to memory, so the second issues its row loads from plain integer loads instead of
   * waiting on a long vector chain and moving lanes to integer registers one by one. */
  double rr[CHUNK], pp[CHUNK];
  int idx[CHUNK] __attribute__((aligned(32)));
  for (int k = 0; k < cnt; k += 8) {
    /* Lanes past the end compute a harmless pair (r = 1, type 0) and store nothing. */
    const int left = cnt - k;
    const __mmask8 mk = left >= 8 ? (__mmask8) 0xff : (__mmask8) ((1u << left) - 1);
    const __m512d r = _mm512_sqrt_pd(_mm512_mask_loadu_pd(one, mk, r2 + k));
    __m512d p = _mm512_fmadd_pd(r, vrdr, one);
    __m256i m = _mm512_cvttpd_epi32(p);
    m = _mm256_min_epi32(m, nr1);
    p = _mm512_min_pd(_mm512_sub_pd(p, _mm512_cvtepi32_pd(m)), one);
    const __m256i type = _mm256_srli_epi32(_mm256_maskz_loadu_epi32(mk, pi + k), PAIR_I_BITS);
    const __m256i row = _mm256_mullo_epi32(
        _mm256_add_epi32(_mm256_mullo_epi32(type, vnr), _mm256_sub_epi32(m, _mm256_set1_epi32(1))),
        _mm256_set1_epi32(AM_EAM_PAIR_ROW));
    _mm512_storeu_pd(rr + k, r);
    _mm512_storeu_pd(pp + k, p);
    _mm256_store_si256((__m256i *) (idx + k), row);
  }
  __m512d ep = _mm512_setzero_pd();
  for (int k = 0; k < cnt; k += 8) {
    const int left = cnt - k;
    const __mmask8 mk = left >= 8 ? (__mmask8) 0xff : (__mmask8) ((1u << left) - 1);
    const __m512d r = _mm512_loadu_pd(rr + k), p = _mm512_loadu_pd(pp + k);
    if (k + PREFETCH_AHEAD < cnt)
      for (int l = 0; l < 8; l++) {
        _mm_prefetch((const char *) (tab + idx[k + PREFETCH_AHEAD + l]), _MM_HINT_T0);
        _mm_prefetch((const char *) (tab + idx[k + PREFETCH_AHEAD + l] + 8), _MM_HINT_T0);
      }
    __m512d A[4], B[4], Z[4];
    rows8(tab, idx + k, 0, A);
    rows8(tab, idx + k, 4, B);
    rows8(tab, idx + k, 8, Z);
    _mm512_mask_storeu_pd(ra + k, mk,
                          _mm512_fmadd_pd(_mm512_fmadd_pd(_mm512_fmadd_pd(A[0], p, A[1]), p, A[2]), p, A[3]));
    _mm512_mask_storeu_pd(rb + k, mk,
                          _mm512_fmadd_pd(_mm512_fmadd_pd(_mm512_fmadd_pd(B[0], p, B[1]), p, B[2]), p, B[3]));
    const __m512d rhojp = _mm512_mul_pd(
        _mm512_fmadd_pd(_mm512_fmadd_pd(_mm512_mul_pd(three, A[0]), p, _mm512_mul_pd(two, A[1])), p, A[2]), vrdr);
    const __m512d rhoip = _mm512_mul_pd(
        _mm512_fmadd_pd(_mm512_fmadd_pd(_mm512_mul_pd(three, B[0]), p, _mm512_mul_pd(two, B[1])), p, B[2]), vrdr);
    const __m512d z2 = _mm512_fmadd_pd(_mm512_fmadd_pd(_mm512_fmadd_pd(Z[0], p, Z[1]), p, Z[2]), p, Z[3]);
    const __m512d z2p = _mm512_mul_pd(
        _mm512_fmadd_pd(_mm512_fmadd_pd(_mm512_mul_pd(three, Z[0]), p, _mm512_mul_pd(two, Z[1])), p, Z[2]), vrdr);
    const __m512d recip = _mm512_div_pd(one, r);
    const __m512d ph = _mm512_mul_pd(z2, recip);
    const __m512d phip = _mm512_fmsub_pd(z2p, recip, _mm512_mul_pd(ph, recip));
    _mm512_mask_storeu_pd(phi + k, mk, ph);
    _mm512_mask_storeu_pd(ca + k, mk, _mm512_xor_pd(_mm512_mul_pd(rhojp, recip), neg));
    _mm512_mask_storeu_pd(cb + k, mk, _mm512_xor_pd(_mm512_mul_pd(rhoip, recip), neg));
    _mm512_mask_storeu_pd(cc + k, mk, _mm512_xor_pd(_mm512_mul_pd(phip, recip), neg));
    ep = _mm512_mask_add_pd(ep, mk, ep, ph);
  }
  *epair += _mm512_reduce_add_pd(ep);
}
#endif

/* The widest variant this processor runs; AMORPH_SIMD=baseline|avx2|avx512 asks for a
 * narrower one (to compare them, or to rule the vector code out). */
static void pick_kernels(DistFn *dist, DensFn *dens, ForceFn *force, KeyFn *keys)
{
  *dist = dist_base;
  *dens = dens_base;
  *force = force_base;
  *keys = keys_base;
#ifdef HAVE_SIMD_VARIANTS
  const char *want = getenv("AMORPH_SIMD");
  const int max = want && strcmp(want, "baseline") == 0 ? 0 : want && strcmp(want, "avx2") == 0 ? 1 : 2;
  __builtin_cpu_init();
  if (max >= 2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq")) {
    *dist = dist_avx512;
    *dens = dens_avx512;
    *force = force_avx512;
    *keys = keys_avx512;
  } else if (max >= 1 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    *dist = dist_avx2;
    *dens = dens_avx2;
    *force = force_avx2;
    *keys = keys_avx2;
  }
#endif
}

/* Name of the pair kernel variant in use (for provenance and benchmarks). */
const char *am_eam_simd_variant(void)
{
  DistFn r;
  DensFn d;
  ForceFn f;
  KeyFn k;
  pick_kernels(&r, &d, &f, &k);
#ifdef HAVE_SIMD_VARIANTS
  if (d == dens_avx512)
    return "avx512";
  if (d == dens_avx2)
    return "avx2";
#endif
  return "baseline";
}

AmStatus am_eam_compute(AmSystem *sys, AmError *err)
{
  const AmEam *eam = sys->potential;
  AmAtoms *atoms = &sys->atoms;
  AmForceEngine *e = sys->engine;
  const size_t n = atoms->n;
  AmNeighbor *nl = &e->nl;

  bool rebuilt = false;
  AmStatus st = am_neighbor_update(nl, &sys->box, atoms, eam->cutoff, sys->skin, &rebuilt, err);
  if (st)
    return st;
  if (n >= PAIR_MAX_ATOMS)
    return am_error_set(err, AM_ERR_INVALID, "force engine: %zu atoms (expected fewer than %zu)", n,
                        PAIR_MAX_ATOMS);

  int nt = am_neighbor_threads(n);
  if (nt > MAX_THREADS)
    nt = MAX_THREADS;
  st = engine_reserve(e, n, nt, err);
  if (st)
    return st;
  const bool want_e = sys->compute_flags & AM_COMPUTE_PER_ATOM_ENERGY;
  const bool want_v = sys->compute_flags & AM_COMPUTE_PER_ATOM_VIRIAL;

  DistFn dist;
  DensFn dens;
  ForceFn force;
  KeyFn keys;
  pick_kernels(&dist, &dens, &force, &keys);
  for (size_t k = 0; k < n; k++)
    e->elem[k] = sys->element_of_type[atoms->type[nl->order[k]]];
  /* The flat pairs carry their elements: remade when the list or an element changed. */
  if (rebuilt || e->flat_build != nl->builds || memcmp(e->elem, e->elem_flat, n * sizeof *e->elem) != 0) {
    st = flatten(e, eam, nt, keys, err);
    e->flat_at_build = rebuilt;
    if (st)
      return st;
  }

  const int ne = eam->nelements, nr = eam->nr, nrho = eam->nrho;
  const double rdr = eam->rdr, rdrho = eam->rdrho, rhomax = eam->rhomax;
  const double rc2 = eam->cutoff * eam->cutoff;
  const double *restrict embed_tab = eam->embed_tab;
  const double *restrict x = nl->x;
  const uint32_t *restrict pi = e->pi, *restrict pj = e->pj;
  const size_t np = e->npairs;
  const int *restrict elem = e->elem;
  double *restrict rho = e->rho, *restrict fp = e->fp;
  const size_t per = e->per_thread;
  double *const buf = e->buf;
  const size_t off_f = n, off_e = 5 * n, off_v = 6 * n; /* forces padded to 4 per atom */
  for (size_t k = 0; k < n; k++) {
    e->x4[4 * k] = x[3 * k], e->x4[4 * k + 1] = x[3 * k + 1], e->x4[4 * k + 2] = x[3 * k + 2];
    e->x4[4 * k + 3] = 0.0;
  }
  PairCtx ctx = {.x = x, .x4 = e->x4, .shift = &nl->shift[0][0], .fp = fp, .pair_tab = eam->pair_tab,
                 .ne = ne, .nr = nr, .rdr = rdr, .rc2 = rc2};
  double embed_t[MAX_THREADS], pair_t[MAX_THREADS], vir_t[MAX_THREADS][6];
  size_t close_i[MAX_THREADS], close_j[MAX_THREADS];
  for (int t = 0; t < nt; t++)
    close_i[t] = close_j[t] = SIZE_MAX;
  int nt_used = 1;
  double *pe_atom = want_e ? sys->pe_atom : NULL;
  double *vir_atom = want_v ? sys->virial_atom : NULL;

  /* The skin pairs that may be inside the cutoff by now. A pair r0 apart at the build is
   * at least r0 − 2·max|Δr_i| − (box term) apart now (the bound of the rebuild criterion in
   * neighbor.c), so the pairs of a skin bucket (SKIN_BUCKETS) past cutoff + that bound,
   * with a bucket to spare for rounding, are still outside and pass 1 skips them: early
   * after a build that is most of the skin. Each element pair's skin pairs are sorted by
   * bucket, so the ones kept form a prefix of its skin block. */
  size_t act_q[AM_MAX_TYPES * AM_MAX_TYPES + 1], act_len[AM_MAX_TYPES * AM_MAX_TYPES + 1];
  int nact = 0;
  size_t nactive = 0;
  if (e->flat_at_build) {
    const size_t nb = (size_t) nr + 1, ntype = (size_t) ne * (size_t) ne;
    const double reach = (2.0 * nl->last_max_disp + nl->last_box_term) * rdr * e->skin_scale;
    const size_t bskip = reach < SKIN_BUCKETS ? (size_t) reach + 2 : nb;
    for (size_t ty = 0; ty < ntype; ty++) {
      const size_t q0 = e->skin_at[ty * nb], q1 = e->skin_at[ty * nb + (bskip < nb ? bskip : nb)];
      if (q1 > q0) {
        act_q[nact] = q0, act_len[nact] = q1 - q0, nact++;
        nactive += q1 - q0;
      }
    }
  } else if (np > e->ninside) {
    act_q[0] = e->ninside, act_len[0] = np - e->ninside, nact = 1;
    nactive = np - e->ninside;
  }

#pragma omp parallel num_threads(nt)
  {
#ifdef _OPENMP
    const int t = omp_get_thread_num();
    const int tn = omp_get_num_threads();
#else
    const int t = 0;
    const int tn = 1;
#endif
    if (t == 0)
      nt_used = tn; /* the runtime may give fewer threads than asked */
    /* Each thread owns an equal block of the pairs inside the cutoff at the build (so
     * also a band of the tables) and an equal share of the skin pairs still to check, so
     * both passes are balanced (one block of pairs weighted by a guessed cost of a skin
     * pair left pass 1 or pass 2 uneven); and an equal slice of atoms for the per-atom
     * passes. With one thread this is the sorted order. */
    const size_t ni = e->ninside;
    const size_t i0 = ni * (size_t) t / (size_t) tn, i1 = ni * (size_t) (t + 1) / (size_t) tn;
    const size_t a0 = nactive * (size_t) t / (size_t) tn, a1 = nactive * (size_t) (t + 1) / (size_t) tn;
    const size_t out0 = i0 + a0; /* where this thread's kept pairs go: room for i1 − i0 + a1 − a0 */
    size_t from[AM_MAX_TYPES * AM_MAX_TYPES + 2], to[AM_MAX_TYPES * AM_MAX_TYPES + 2];
    int nblk = 0;
    from[nblk] = i0, to[nblk++] = i1;
    {
      size_t cum = 0;
      for (int r = 0; r < nact; r++) {
        const size_t lo = a0 > cum ? a0 : cum, hi = a1 < cum + act_len[r] ? a1 : cum + act_len[r];
        if (lo < hi)
          from[nblk] = act_q[r] + (lo - cum), to[nblk++] = act_q[r] + (hi - cum);
        cum += act_len[r];
      }
    }
    const size_t s0 = n * (size_t) t / (size_t) tn, s1 = n * (size_t) (t + 1) / (size_t) tn;
    double *restrict my = buf + (size_t) t * per;
    double *restrict trho = my;
    memset(trho, 0, n * sizeof *trho);

    double *restrict tf = my + off_f;
    double *restrict te = my + off_e;
    double *restrict tv = my + off_v;
    if (pe_atom)
      memset(te, 0, n * sizeof *te);

    /* Pass 1: densities, pair energies and every table value pass 2 needs; the pairs
     * inside the cutoff are kept, in order, with their vectors and force coefficients. */
    uint32_t *restrict my_ci = e->ci + out0, *restrict my_cj = e->cj + out0;
    const size_t pcap = e->pcap;
    double *restrict pdx = e->pdat + out0, *restrict pdy = e->pdat + pcap + out0,
                     *restrict pdz = e->pdat + 2 * pcap + out0;
    double *restrict pca = e->pdat + 3 * pcap + out0, *restrict pcb = e->pdat + 4 * pcap + out0,
                     *restrict pcc = e->pdat + 5 * pcap + out0;
    size_t nc = 0;
    double epair = 0.0;
    for (int blk = 0; blk < nblk; blk++)
      for (size_t q = from[blk]; q < to[blk]; q += CHUNK) {
        const int cnt = (int) (to[blk] - q < CHUNK ? to[blk] - q : CHUNK);
        double r2[CHUNK], ra[CHUNK], rb[CHUNK], ph[CHUNK];
        /* Only the pairs inside the cutoff go on: a third of the list lies in the skin. */
        const size_t c0 = nc;
        int close = 0;
        const int m = dist(&ctx, pi + q, pj + q, cnt, my_ci + c0, my_cj + c0, pdx + c0, pdy + c0, pdz + c0, r2, &close);
        nc += (size_t) m;
        if (close)
          find_close(&ctx, pi + q, pj + q, cnt, &close_i[t], &close_j[t]);
        dens(&ctx, my_ci + c0, m, r2, ra, rb, ph, pca + c0, pcb + c0, pcc + c0, &epair);
        for (int k = 0; k < m; k++) {
          trho[PAIR_I(my_ci[c0 + k])] += ra[k];
          trho[AM_NEIGH_J(my_cj[c0 + k])] += rb[k];
        }
        if (pe_atom)
          for (int k = 0; k < m; k++) {
            te[PAIR_I(my_ci[c0 + k])] += 0.5 * ph[k];
            te[AM_NEIGH_J(my_cj[c0 + k])] += 0.5 * ph[k];
          }
      }
#pragma omp barrier
    /* Fixed-order reduction of the densities, then embedding energies. */
    double esum = 0.0;
    for (size_t k = s0; k < s1; k++) {
      double r = 0.0;
      for (int u = 0; u < tn; u++)
        r += buf[(size_t) u * per + k];
      rho[k] = r;
      double p;
      const size_t m = lookup_rho(r, rdrho, nrho, &p);
      const double *c = embed_tab + ((size_t) elem[k] * nrho + m) * AM_EAM_EMBED_ROW;
      const double d = (c[0] * p + c[1]) * p + c[2];
      double fe = ((c[3] * p + c[4]) * p + c[5]) * p + c[6];
      if (r > rhomax)
        fe += d * (r - rhomax);
      fp[k] = d;
      esum += fe;
      if (pe_atom)
        pe_atom[nl->order[k]] = fe; /* the pair halves are added below */
    }
    embed_t[t] = esum;
#pragma omp barrier

    /* Pass 2: forces and virial. */
    memset(tf, 0, 4 * n * sizeof *tf);
    if (vir_atom)
      memset(tv, 0, 6 * n * sizeof *tv);
    double acc[6] = {0};
    for (size_t q = 0; q < nc; q += CHUNK) {
      const int cnt = (int) (nc - q < CHUNK ? nc - q : CHUNK);
      double fx[CHUNK], fy[CHUNK], fz[CHUNK];
      force(&ctx, my_ci + q, my_cj + q, cnt, pdx + q, pdy + q, pdz + q, pca + q, pcb + q, pcc + q, fx, fy, fz, acc,
            tf);
      if (vir_atom)
        for (int k = 0; k < cnt; k++) {
          const double ddx = pdx[q + k], ddy = pdy[q + k], ddz = pdz[q + k];
          const double w0 = ddx * fx[k], w1 = ddy * fy[k], w2 = ddz * fz[k], w3 = ddx * fy[k], w4 = ddx * fz[k],
                       w5 = ddy * fz[k];
          double *vi = tv + 6 * PAIR_I(my_ci[q + k]), *vj = tv + 6 * AM_NEIGH_J(my_cj[q + k]);
          vi[0] += 0.5 * w0, vi[1] += 0.5 * w1, vi[2] += 0.5 * w2;
          vi[3] += 0.5 * w3, vi[4] += 0.5 * w4, vi[5] += 0.5 * w5;
          vj[0] += 0.5 * w0, vj[1] += 0.5 * w1, vj[2] += 0.5 * w2;
          vj[3] += 0.5 * w3, vj[4] += 0.5 * w4, vj[5] += 0.5 * w5;
        }
    }
    pair_t[t] = epair;
    vir_t[t][0] = acc[0], vir_t[t][1] = acc[1], vir_t[t][2] = acc[2];
    vir_t[t][3] = acc[3], vir_t[t][4] = acc[4], vir_t[t][5] = acc[5];
#pragma omp barrier
    /* Fixed-order reduction of forces and per-atom tallies into the caller's order. */
    for (size_t k = s0; k < s1; k++) {
      const size_t i = nl->order[k];
      double fx = 0.0, fy = 0.0, fz = 0.0;
      for (int u = 0; u < tn; u++) {
        const double *uf = buf + (size_t) u * per + off_f + 4 * k;
        fx += uf[0], fy += uf[1], fz += uf[2];
      }
      atoms->f[3 * i] = fx, atoms->f[3 * i + 1] = fy, atoms->f[3 * i + 2] = fz;
      if (pe_atom) {
        double s = 0.0;
        for (int u = 0; u < tn; u++)
          s += buf[(size_t) u * per + off_e + k];
        pe_atom[i] += s;
      }
      if (vir_atom) {
        double s[6] = {0};
        for (int u = 0; u < tn; u++)
          for (int d = 0; d < 6; d++)
            s[d] += buf[(size_t) u * per + off_v + 6 * k + d];
        for (int d = 0; d < 6; d++)
          vir_atom[6 * i + d] = s[d];
      }
    }
  }

  for (int t = 0; t < nt_used; t++)
    if (close_i[t] != SIZE_MAX) {
      const size_t i = nl->order[close_i[t]], j = nl->order[close_j[t]];
      return am_error_set(err, AM_ERR_NUMERIC,
                          "atoms %lld and %lld (indices %zu and %zu) are closer than %g Å: the configuration has "
                          "overlapping atoms or the run has blown up",
                          (long long) atoms->id[i], (long long) atoms->id[j], i, j, sqrt(MIN_R2));
    }
  double etot = 0.0, ptot = 0.0, v[6] = {0};
  for (int t = 0; t < nt_used; t++) {
    etot += embed_t[t];
    ptot += pair_t[t];
    for (int d = 0; d < 6; d++)
      v[d] += vir_t[t][d];
  }
  sys->pe = etot + ptot;
  for (int d = 0; d < 6; d++)
    sys->virial[d] = v[d];
  return AM_OK;
}
