/* neighbor.c: cell-list construction and skin bookkeeping of the Verlet list. */
#include "sim/neighbor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

int am_neighbor_threads(size_t n)
{
#ifdef _OPENMP
  const int nt = omp_get_max_threads();
#else
  const int nt = 1;
#endif
  const size_t cap = n / AM_MIN_ATOMS_PER_THREAD;
  if (cap < 1)
    return 1;
  return cap < (size_t) nt ? (int) cap : nt;
}

void am_neighbor_init(AmNeighbor *nl)
{
  memset(nl, 0, sizeof *nl);
}

void am_neighbor_free(AmNeighbor *nl)
{
  free(nl->order);
  free(nl->x);
  free(nl->first);
  free(nl->pairs);
  free(nl->s0);
  free(nl->s);
  free(nl->cell_of);
  free(nl->cell_start);
  for (int t = 0; t < nl->nthreads_cap; t++)
    free(nl->tpairs[t]);
  free(nl->tpairs);
  free(nl->tcap);
  free(nl->tcount);
  free(nl->tsplit);
  memset(nl, 0, sizeof *nl);
}

void am_neighbor_invalidate(AmNeighbor *nl)
{
  nl->valid = false;
}

double am_neighbor_min_height(double cutoff, double skin)
{
  return cutoff + skin;
}

/* Cell matrix, row-major, columns a, b, c (box.h). */
static void cell_matrix(const AmBox *box, double h[9])
{
  h[0] = box->lx, h[1] = box->xy, h[2] = box->xz;
  h[3] = 0.0, h[4] = box->ly, h[5] = box->yz;
  h[6] = 0.0, h[7] = 0.0, h[8] = box->lz;
}

/* Inverse of the upper-triangular cell matrix. */
static void cell_inverse(const double h[9], double g[9])
{
  const double ia = 1.0 / h[0], ib = 1.0 / h[4], ic = 1.0 / h[8];
  g[0] = ia, g[1] = -h[1] * ia * ib, g[2] = (h[1] * h[5] - h[2] * h[4]) * ia * ib * ic;
  g[3] = 0.0, g[4] = ib, g[5] = -h[5] * ib * ic;
  g[6] = 0.0, g[7] = 0.0, g[8] = ic;
}

static AmStatus ensure_atoms(AmNeighbor *nl, size_t n, AmError *err)
{
  if (n <= nl->cap && nl->order)
    return AM_OK;
  size_t cap = nl->cap ? nl->cap : 64;
  while (cap < n)
    cap *= 2;
  size_t *order = realloc(nl->order, cap * sizeof *order);
  if (order)
    nl->order = order;
  double *x = realloc(nl->x, 3 * cap * sizeof *x);
  if (x)
    nl->x = x;
  size_t *first = realloc(nl->first, (cap + 1) * sizeof *first);
  if (first)
    nl->first = first;
  double *s0 = realloc(nl->s0, 3 * cap * sizeof *s0);
  if (s0)
    nl->s0 = s0;
  double *s = realloc(nl->s, 3 * cap * sizeof *s);
  if (s)
    nl->s = s;
  size_t *cell_of = realloc(nl->cell_of, cap * sizeof *cell_of);
  if (cell_of)
    nl->cell_of = cell_of;
  if (!order || !x || !first || !s0 || !s || !cell_of)
    return am_error_set(err, AM_ERR_NOMEM, "neighbour list: cannot allocate arrays for %zu atoms", n);
  nl->cap = cap;
  return AM_OK;
}

static AmStatus ensure_threads(AmNeighbor *nl, int nthreads, AmError *err)
{
  if (nthreads <= nl->nthreads_cap)
    return AM_OK;
  uint32_t **tp = realloc(nl->tpairs, (size_t) nthreads * sizeof *tp);
  if (!tp)
    return am_error_set(err, AM_ERR_NOMEM, "neighbour list: cannot allocate per-thread buffers");
  nl->tpairs = tp;
  size_t *tc = realloc(nl->tcap, (size_t) nthreads * sizeof *tc);
  if (!tc)
    return am_error_set(err, AM_ERR_NOMEM, "neighbour list: cannot allocate per-thread buffers");
  nl->tcap = tc;
  size_t *tn = realloc(nl->tcount, (size_t) nthreads * sizeof *tn);
  if (!tn)
    return am_error_set(err, AM_ERR_NOMEM, "neighbour list: cannot allocate per-thread buffers");
  nl->tcount = tn;
  size_t *ts = realloc(nl->tsplit, ((size_t) nthreads + 1) * sizeof *ts);
  if (!ts)
    return am_error_set(err, AM_ERR_NOMEM, "neighbour list: cannot allocate per-thread buffers");
  nl->tsplit = ts;
  for (int t = nl->nthreads_cap; t < nthreads; t++) {
    nl->tpairs[t] = NULL;
    nl->tcap[t] = 0;
    nl->tcount[t] = 0;
  }
  nl->nthreads_cap = nthreads;
  return AM_OK;
}

/* Fractional coordinates of every atom in private order (identity order when there is no
 * list yet). Refuses non-finite positions. Serial, like the other O(n) loops here: a few
 * microseconds, less than what waking a thread team costs on a busy machine. */
static AmStatus fractional(AmNeighbor *nl, const double g[9], const AmBox *box, const AmAtoms *atoms,
                           bool use_order, AmError *err)
{
  const size_t n = atoms->n;
  const double *x = atoms->x;
  double *s = nl->s;
  long bad = -1;
  for (size_t k = 0; k < n; k++) {
    const size_t i = use_order ? nl->order[k] : k;
    const double dx = x[3 * i] - box->lo[0], dy = x[3 * i + 1] - box->lo[1], dz = x[3 * i + 2] - box->lo[2];
    if (!(isfinite(dx) && isfinite(dy) && isfinite(dz))) {
      bad = (long) i;
      break;
    }
    s[3 * k] = g[0] * dx + g[1] * dy + g[2] * dz;
    s[3 * k + 1] = g[4] * dy + g[5] * dz;
    s[3 * k + 2] = g[8] * dz;
  }
  if (bad >= 0)
    return am_error_set(err, AM_ERR_NUMERIC,
                        "atom %ld (index %ld) has a non-finite position (%g, %g, %g): the run has blown up "
                        "or the input is broken",
                        (long) atoms->id[bad], bad, x[3 * bad], x[3 * bad + 1], x[3 * bad + 2]);
  return AM_OK;
}

static void update_shifts(AmNeighbor *nl, const double h[9])
{
  for (int c = 0; c < AM_NEIGH_NCODES; c++) {
    const double n0 = c % 3 - 1, n1 = c / 3 % 3 - 1, n2 = c / 9 - 1;
    nl->shift[c][0] = h[0] * n0 + h[1] * n1 + h[2] * n2;
    nl->shift[c][1] = h[4] * n1 + h[5] * n2;
    nl->shift[c][2] = h[8] * n2;
  }
}

/* The build's inner loop: the candidates j in [j, jend), all seen through the same image,
 * against atom k at −(sx, sy, sz) + shift; writes the packed pairs in range to out and
 * returns how many. Branch-free: every candidate is written, only those in range are kept
 * (a quarter of them, so a branch here was mispredicted all the time). */
static size_t run_base(const double *restrict x, size_t j, size_t jend, double sx, double sy, double sz,
                       double range2, unsigned code, uint32_t *restrict out)
{
  size_t m = 0;
  for (; j < jend; j++) {
    const double dx = x[3 * j] + sx, dy = x[3 * j + 1] + sy, dz = x[3 * j + 2] + sz;
    out[m] = (uint32_t) (j << AM_NEIGH_SHIFT_BITS) | code;
    m += (size_t) (dx * dx + dy * dy + dz * dz < range2);
  }
  return m;
}

typedef size_t (*RunFn)(const double *x, size_t j, size_t jend, double sx, double sy, double sz, double range2,
                        unsigned code, uint32_t *out);

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_AVX512_RUN 1
/* The same with AVX-512, eight candidates at a time: their positions loaded as three
 * vectors and transposed, the kept pair words compressed in a register. The distance is
 * rounded as run_base rounds it (no fused multiply-add), so the list is the same. */
__attribute__((target("avx512f,avx512vl,avx512dq"))) static size_t
run_avx512(const double *restrict x, size_t j, size_t jend, double sx, double sy, double sz, double range2,
           unsigned code, uint32_t *restrict out)
{
  const __m512d vsx = _mm512_set1_pd(sx), vsy = _mm512_set1_pd(sy), vsz = _mm512_set1_pd(sz);
  const __m512d vr2 = _mm512_set1_pd(range2);
  /* Lanes of x, y and z among 24 interleaved doubles: first from the first two vectors,
   * then the last lanes from the third. */
  const __m512i ix = _mm512_setr_epi64(0, 3, 6, 9, 12, 15, 0, 0), iy = _mm512_setr_epi64(1, 4, 7, 10, 13, 0, 0, 0),
                iz = _mm512_setr_epi64(2, 5, 8, 11, 14, 0, 0, 0);
  const __m512i jx = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 10, 13), jy = _mm512_setr_epi64(0, 1, 2, 3, 4, 8, 11, 14),
                jz = _mm512_setr_epi64(0, 1, 2, 3, 4, 9, 12, 15);
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i vcode = _mm256_set1_epi32((int) code);
  size_t m = 0;
  for (; j < jend; j += 8) {
    const size_t left = jend - j;
    const unsigned nd = left >= 8 ? 24u : 3u * (unsigned) left;
    const __mmask8 ma = nd >= 8 ? 0xff : (__mmask8) ((1u << nd) - 1);
    const __mmask8 mb = nd >= 16 ? 0xff : nd > 8 ? (__mmask8) ((1u << (nd - 8)) - 1) : 0;
    const __mmask8 mc = nd >= 24 ? 0xff : nd > 16 ? (__mmask8) ((1u << (nd - 16)) - 1) : 0;
    const __mmask8 mk = left >= 8 ? 0xff : (__mmask8) ((1u << left) - 1);
    const double *p = x + 3 * j;
    const __m512d a = _mm512_maskz_loadu_pd(ma, p), b = _mm512_maskz_loadu_pd(mb, p + 8),
                  c = _mm512_maskz_loadu_pd(mc, p + 16);
    const __m512d X = _mm512_permutex2var_pd(_mm512_permutex2var_pd(a, ix, b), jx, c);
    const __m512d Y = _mm512_permutex2var_pd(_mm512_permutex2var_pd(a, iy, b), jy, c);
    const __m512d Z = _mm512_permutex2var_pd(_mm512_permutex2var_pd(a, iz, b), jz, c);
    const __m512d dx = _mm512_add_pd(X, vsx), dy = _mm512_add_pd(Y, vsy), dz = _mm512_add_pd(Z, vsz);
    const __m512d d2 = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(dx, dx), _mm512_mul_pd(dy, dy)),
                                     _mm512_mul_pd(dz, dz));
    const __mmask8 keep = _mm512_mask_cmp_pd_mask(mk, d2, vr2, _CMP_LT_OQ);
    const __m256i words = _mm256_or_si256(
        _mm256_slli_epi32(_mm256_add_epi32(_mm256_set1_epi32((int) j), lane), AM_NEIGH_SHIFT_BITS), vcode);
    const unsigned nk = (unsigned) __builtin_popcount(keep);
    _mm256_mask_storeu_epi32(out + m, (__mmask8) ((1u << nk) - 1), _mm256_maskz_compress_epi32(keep, words));
    m += nk;
  }
  return m;
}
#endif

/* The widest build kernel this processor runs (AMORPH_SIMD=baseline|avx2 rules AVX-512
 * out, as for the force kernels). */
static RunFn pick_run(void)
{
#ifdef HAVE_AVX512_RUN
  const char *want = getenv("AMORPH_SIMD");
  const bool capped = want && (strcmp(want, "baseline") == 0 || strcmp(want, "avx2") == 0);
  __builtin_cpu_init();
  if (!capped && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq"))
    return run_avx512;
#endif
  return run_base;
}

static AmStatus build(AmNeighbor *nl, const AmBox *box, const double h[9], size_t n, AmError *err)
{
  const double range = nl->cutoff + nl->skin;
  const double range2 = range * range;
  double ht[3];
  am_box_heights(box, ht);

  /* Cells about half the range wide: fewer candidate pairs than range-wide cells, and the
   * stencil stays small. Capped so a dilute system does not allocate empty cells. */
  int nb[3];
  for (int k = 0; k < 3; k++) {
    double b = floor(ht[k] / (0.5 * range));
    nb[k] = b < 1.0 ? 1 : b > 1024.0 ? 1024 : (int) b;
  }
  const double limit = 4.0 * (double) n + 64.0;
  while ((double) nb[0] * nb[1] * nb[2] > limit) {
    int kmax = 0;
    for (int k = 1; k < 3; k++)
      if (nb[k] > nb[kmax])
        kmax = k;
    nb[kmax] = nb[kmax] > 1 ? nb[kmax] / 2 : 1;
  }
  int reach[3];
  for (int k = 0; k < 3; k++) {
    /* Points within `range` differ by at most range/h in fractional coordinate k. */
    double r = ceil(range * nb[k] / ht[k] * (1.0 + 1e-12));
    reach[k] = r > nb[k] ? nb[k] : (int) r;
  }
  const size_t ncells = (size_t) nb[0] * nb[1] * nb[2];
  if (ncells + 1 > nl->ncells_cap) {
    size_t *cs = realloc(nl->cell_start, (ncells + 1) * sizeof *cs);
    if (!cs)
      return am_error_set(err, AM_ERR_NOMEM, "neighbour list: cannot allocate %zu cells", ncells);
    nl->cell_start = cs;
    nl->ncells_cap = ncells + 1;
  }

  /* Wrap into [0, 1) and bin (s is in caller order here: the build defines a new order). */
  double *s = nl->s;
  size_t *cell_of = nl->cell_of;
  size_t *cs = nl->cell_start;
  memset(cs, 0, (ncells + 1) * sizeof *cs);
  for (size_t i = 0; i < n; i++) {
    int b[3];
    for (int k = 0; k < 3; k++) {
      double v = s[3 * i + k];
      v -= floor(v);
      if (v >= 1.0)
        v -= 1.0;
      s[3 * i + k] = v;
      int bk = (int) (v * nb[k]);
      b[k] = bk >= nb[k] ? nb[k] - 1 : bk < 0 ? 0 : bk;
    }
    cell_of[i] = (size_t) b[0] + (size_t) nb[0] * ((size_t) b[1] + (size_t) nb[1] * b[2]);
    cs[cell_of[i] + 1]++;
  }
  for (size_t c = 0; c < ncells; c++)
    cs[c + 1] += cs[c];
  /* Counting sort, stable, so the order is a pure function of the positions. */
  size_t *next = malloc((ncells + 1) * sizeof *next);
  if (!next)
    return am_error_set(err, AM_ERR_NOMEM, "neighbour list: cannot allocate %zu cells", ncells);
  memcpy(next, cs, (ncells + 1) * sizeof *next);
  for (size_t i = 0; i < n; i++) {
    const size_t k = next[cell_of[i]]++;
    nl->order[k] = i;
    for (int d = 0; d < 3; d++)
      nl->s0[3 * k + d] = s[3 * i + d];
  }
  free(next);

  double *x = nl->x;
  for (size_t k = 0; k < n; k++) {
    const double *sk = nl->s0 + 3 * k;
    x[3 * k] = h[0] * sk[0] + h[1] * sk[1] + h[2] * sk[2];
    x[3 * k + 1] = h[4] * sk[1] + h[5] * sk[2];
    x[3 * k + 2] = h[8] * sk[2];
  }
  /* From here on cell_of is indexed by private order, where cells are contiguous. */
  for (size_t c = 0; c < ncells; c++)
    for (size_t k = cs[c]; k < cs[c + 1]; k++)
      cell_of[k] = c;
  update_shifts(nl, h);

  const int nthreads = am_neighbor_threads(n);
  AmStatus st = ensure_threads(nl, nthreads, err);
  if (st)
    return st;
  int failed = 0, used = 1;
  /* Blocks of atoms with equal shares of the previous build's pairs: in a half list the
   * first atoms of the order have more partners than the last, and blocks of equal atom
   * counts left one thread waiting a third of the build for the other. The blocks are
   * concatenated in order, so the list does not depend on them. */
  size_t *split = nl->tsplit;
  const bool by_pairs = nl->builds > 0 && nl->n == n && nl->first[n] > 0;
  for (int t = 0; t <= nthreads; t++) {
    split[t] = n * (size_t) t / (size_t) nthreads;
    if (by_pairs && t > 0 && t < nthreads) {
      const size_t want = nl->first[n] / (size_t) nthreads * (size_t) t;
      size_t lo = 0, hi = n;
      while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (nl->first[mid] < want)
          lo = mid + 1;
        else
          hi = mid;
      }
      split[t] = lo;
    }
  }
  size_t *count = nl->first + 1;
  const RunFn run = pick_run();

#pragma omp parallel num_threads(nthreads) reduction(| : failed)
  {
#ifdef _OPENMP
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
#else
    const int t = 0, nt = 1;
#endif
    if (t == 0)
      used = nt; /* the runtime may give fewer threads than asked */
    /* The runtime may give fewer threads than asked: then equal atom counts. */
    const size_t k0 = nt == nthreads ? split[t] : n * (size_t) t / (size_t) nt,
                 k1 = nt == nthreads ? split[t + 1] : n * (size_t) (t + 1) / (size_t) nt;
    size_t m = 0;
    for (size_t k = k0; k < k1 && !failed; k++) {
      const size_t c = cell_of[k];
      const int b0 = (int) (c % (size_t) nb[0]), b1 = (int) (c / (size_t) nb[0] % (size_t) nb[1]),
                b2 = (int) (c / ((size_t) nb[0] * nb[1]));
      const double xi = x[3 * k], yi = x[3 * k + 1], zi = x[3 * k + 2];
      const size_t before = m;
      for (int o2 = -reach[2]; o2 <= reach[2]; o2++) {
        const int q2 = b2 + o2, w2 = q2 < 0 ? -1 : q2 >= nb[2] ? 1 : 0;
        const size_t c2 = (size_t) (q2 - w2 * nb[2]);
        for (int o1 = -reach[1]; o1 <= reach[1]; o1++) {
          const int q1 = b1 + o1, w1 = q1 < 0 ? -1 : q1 >= nb[1] ? 1 : 0;
          const size_t c1 = (size_t) (q1 - w1 * nb[1]);
          const size_t row = (size_t) nb[0] * (c1 + (size_t) nb[1] * c2);
          /* Neighbouring cells along a with the same image are contiguous in the private
           * order: one run of candidates covers them (the kernel's vectors stay full). */
          for (int o0 = -reach[0]; o0 <= reach[0];) {
            const int q0 = b0 + o0, w0 = q0 < 0 ? -1 : q0 >= nb[0] ? 1 : 0;
            const size_t c0 = (size_t) (q0 - w0 * nb[0]);
            int last = o0;
            while (last < reach[0]) {
              const int qn = b0 + last + 1, wn = qn < 0 ? -1 : qn >= nb[0] ? 1 : 0;
              if (wn != w0)
                break;
              last++;
            }
            const size_t cell = c0 + row;
            size_t j = cs[cell];
            const size_t jend = cs[cell + (size_t) (last - o0) + 1];
            o0 = last + 1;
            if (j <= k)
              j = k + 1;
            if (j >= jend)
              continue;
            const unsigned code = (unsigned) ((w0 + 1) + 3 * (w1 + 1) + 9 * (w2 + 1));
            if (m + (jend - j) > nl->tcap[t]) {
              size_t ncap = nl->tcap[t] ? 2 * nl->tcap[t] : 4096;
              while (ncap < m + (jend - j))
                ncap *= 2;
              uint32_t *p = realloc(nl->tpairs[t], ncap * sizeof *p);
              if (!p) {
                failed = 1;
                break;
              }
              nl->tpairs[t] = p;
              nl->tcap[t] = ncap;
            }
            m += run(x, j, jend, nl->shift[code][0] - xi, nl->shift[code][1] - yi, nl->shift[code][2] - zi,
                     range2, code, nl->tpairs[t] + m);
          }
        }
      }
      count[k] = m - before;
    }
    nl->tcount[t] = m;
  }
  if (failed)
    return am_error_set(err, AM_ERR_NOMEM, "neighbour list: cannot allocate the pair list");

  nl->first[0] = 0;
  for (size_t k = 0; k < n; k++)
    nl->first[k + 1] += nl->first[k];
  const size_t npairs = nl->first[n];
  if (npairs > nl->cap_pairs) {
    uint32_t *p = realloc(nl->pairs, npairs * sizeof *p);
    if (!p)
      return am_error_set(err, AM_ERR_NOMEM, "neighbour list: cannot allocate %zu pairs", npairs);
    nl->pairs = p;
    nl->cap_pairs = npairs;
  }
  nl->npairs = npairs;
  for (int t = 0; t < used; t++) {
    const size_t k0 = used == nthreads ? split[t] : n * (size_t) t / (size_t) used;
    if (nl->tcount[t])
      memcpy(nl->pairs + nl->first[k0], nl->tpairs[t], nl->tcount[t] * sizeof *nl->pairs);
  }
  memcpy(nl->h0, h, sizeof nl->h0);
  cell_inverse(h, nl->h0inv);
  nl->n = n;
  nl->valid = true;
  nl->builds++;
  nl->last_max_disp = 0.0;
  nl->last_box_term = 0.0;
  return AM_OK;
}

AmStatus am_neighbor_update(AmNeighbor *nl, const AmBox *box, const AmAtoms *atoms, double cutoff, double skin,
                            bool *rebuilt, AmError *err)
{
  if (rebuilt)
    *rebuilt = false;
  if (!(cutoff > 0.0) || !isfinite(cutoff))
    return am_error_set(err, AM_ERR_INVALID, "neighbour list: cutoff must be positive (got %g Å)", cutoff);
  if (!(skin >= 0.0) || !isfinite(skin))
    return am_error_set(err, AM_ERR_INVALID, "neighbour list: skin must be ≥ 0 (got %g Å)", skin);
  AmStatus st = am_box_validate(box, err);
  if (st)
    return st;
  double ht[3];
  am_box_heights(box, ht);
  const double need = am_neighbor_min_height(cutoff, skin);
  for (int k = 0; k < 3; k++)
    if (!(ht[k] >= need))
      return am_error_set(err, AM_ERR_INVALID,
                          "box too small for the neighbour list: every box height must be at least cutoff + "
                          "skin = %g + %g = %g Å, but the heights are %g, %g, %g Å (%s is too small)",
                          cutoff, skin, need, ht[0], ht[1], ht[2], k == 0 ? "x" : k == 1 ? "y" : "z");
  const size_t n = atoms->n;
  if (n >= ((size_t) 1 << (32 - AM_NEIGH_SHIFT_BITS)))
    return am_error_set(err, AM_ERR_UNSUPPORTED, "neighbour list: %zu atoms, at most %zu supported", n,
                        ((size_t) 1 << (32 - AM_NEIGH_SHIFT_BITS)) - 1);
  st = ensure_atoms(nl, n, err);
  if (st)
    return st;

  double h[9], g[9];
  cell_matrix(box, h);
  cell_inverse(h, g);
  const bool reuse = nl->valid && nl->n == n && nl->cutoff == cutoff && nl->skin == skin;
  if (!reuse) {
    st = fractional(nl, g, box, atoms, false, err);
    if (st)
      return st;
  } else {
    /* A pair outside cutoff + skin at the build is still outside the cutoff if
     *   2·max|Δr_i| + ‖(H − H0)·H0⁻¹‖·(cutoff + skin) ≤ skin,
     * where Δr_i is atom i's non-affine move in the current box and the second term
     * bounds what the box deformation did to any pair vector (Frobenius norm ≥ operator
     * norm). Atoms re-wrapped by the caller are unwrapped with the nearest image of
     * their fractional displacement. */
    double m[9] = {0};
    for (int r = 0; r < 3; r++)
      for (int c = 0; c < 3; c++)
        for (int q = 0; q < 3; q++)
          m[3 * r + c] += (h[3 * r + q] - nl->h0[3 * r + q]) * nl->h0inv[3 * q + c];
    double mnorm2 = 0.0;
    for (int q = 0; q < 9; q++)
      mnorm2 += m[q] * m[q];
    const double box_term = sqrt(mnorm2) * (cutoff + skin);
    /* One pass over the atoms (it runs every step): fractional coordinates, unwrapping,
     * the largest move, and the positions the force loops use if the list stands (the
     * arithmetic of fractional() and of the build's positions). */
    double maxd2 = 0.0;
    int bad = 0;
    {
      const double *restrict xa = atoms->x;
      const size_t *restrict order = nl->order;
      double *restrict s = nl->s, *restrict x = nl->x;
      const double *restrict s0 = nl->s0;
      const double lo0 = box->lo[0], lo1 = box->lo[1], lo2 = box->lo[2];
      for (size_t k = 0; k < n; k++) {
        const size_t i = order[k];
        const double dx = xa[3 * i] - lo0, dy = xa[3 * i + 1] - lo1, dz = xa[3 * i + 2] - lo2;
        bad |= !(isfinite(dx) & isfinite(dy) & isfinite(dz));
        double sk[3] = {g[0] * dx + g[1] * dy + g[2] * dz, g[4] * dy + g[5] * dz, g[8] * dz};
        double u[3];
        for (int d = 0; d < 3; d++) {
          sk[d] -= nearbyint(sk[d] - s0[3 * k + d]);
          u[d] = sk[d] - s0[3 * k + d];
          s[3 * k + d] = sk[d];
        }
        const double ux = h[0] * u[0] + h[1] * u[1] + h[2] * u[2], uy = h[4] * u[1] + h[5] * u[2], uz = h[8] * u[2];
        const double d2 = ux * ux + uy * uy + uz * uz;
        maxd2 = d2 > maxd2 ? d2 : maxd2;
        x[3 * k] = h[0] * sk[0] + h[1] * sk[1] + h[2] * sk[2];
        x[3 * k + 1] = h[4] * sk[1] + h[5] * sk[2];
        x[3 * k + 2] = h[8] * sk[2];
      }
    }
    if (bad) /* names the atom */
      return fractional(nl, g, box, atoms, true, err);
    nl->last_max_disp = sqrt(maxd2);
    nl->last_box_term = box_term;
    if (2.0 * nl->last_max_disp + box_term <= skin) {
      update_shifts(nl, h);
      return AM_OK;
    }
    /* Rebuild: the builder wants caller order (s0 is rewritten by the build). */
    double *tmp = nl->s0;
    for (size_t k = 0; k < n; k++)
      for (int d = 0; d < 3; d++)
        tmp[3 * nl->order[k] + d] = nl->s[3 * k + d];
    memcpy(nl->s, tmp, 3 * n * sizeof *nl->s);
  }

  nl->valid = false;
  nl->cutoff = cutoff;
  nl->skin = skin;
  st = build(nl, box, h, n, err);
  if (st)
    return st;
  if (rebuilt)
    *rebuilt = true;
  return AM_OK;
}
