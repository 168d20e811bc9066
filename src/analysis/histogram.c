/* histogram.c: fixed-bin histograms with under/overflow, density and merging. */
#include "analysis/histogram.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A fixed tag, not a palindrome in bytes, so a record from the other byte order fails. */
#define HIST_MAGIC UINT64_C(0x414d48495354310a)
#define HIST_MAX_BINS ((size_t)1 << 28)

AmStatus am_histogram_init(AmHistogram *h, double lo, double hi, double width, AmError *err)
{
  if (!h)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: no histogram given", __FILE__, __LINE__);
  memset(h, 0, sizeof *h);
  if (!isfinite(lo) || !isfinite(hi) || !isfinite(width) || !(width > 0.0) || !(hi > lo))
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: histogram range [%g, %g) with bin %g: expected finite lo < hi and bin > 0",
                        __FILE__, __LINE__, lo, hi, width);
  const double nb = (hi - lo) / width;
  const double rounded = nearbyint(nb);
  if (fabs(nb - rounded) > 1e-6 * fmax(1.0, rounded) || rounded < 1.0 || rounded > (double)HIST_MAX_BINS)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: histogram range [%g, %g) is %.9g bins of %g: expected a whole number "
                        "between 1 and %zu",
                        __FILE__, __LINE__, lo, hi, nb, width, HIST_MAX_BINS);
  h->nbins = (size_t)rounded;
  h->counts = calloc(h->nbins, sizeof *h->counts);
  if (!h->counts) {
    h->nbins = 0;
    return am_error_set(err, AM_ERR_NOMEM, "%s:%d: cannot allocate %zu histogram bins", __FILE__,
                        __LINE__, (size_t)rounded);
  }
  h->lo = lo;
  h->width = width;
  return AM_OK;
}

void am_histogram_free(AmHistogram *h)
{
  if (!h)
    return;
  free(h->counts);
  memset(h, 0, sizeof *h);
}

void am_histogram_clear(AmHistogram *h)
{
  if (h->counts)
    memset(h->counts, 0, h->nbins * sizeof *h->counts);
  h->underflow = h->overflow = h->nonfinite = 0;
}

AmStatus am_histogram_copy(AmHistogram *dst, const AmHistogram *src, AmError *err)
{
  memset(dst, 0, sizeof *dst);
  uint64_t *c = calloc(src->nbins ? src->nbins : 1, sizeof *c);
  if (!c)
    return am_error_set(err, AM_ERR_NOMEM, "%s:%d: cannot allocate %zu histogram bins", __FILE__,
                        __LINE__, src->nbins);
  *dst = *src;
  dst->counts = c;
  if (src->nbins)
    memcpy(c, src->counts, src->nbins * sizeof *c);
  return AM_OK;
}

void am_histogram_add(AmHistogram *h, double x)
{
  if (!isfinite(x)) {
    h->nonfinite++;
    return;
  }
  const double pos = (x - h->lo) / h->width;
  if (pos < 0.0)
    h->underflow++;
  else if (pos >= (double)h->nbins)
    h->overflow++;
  else
    h->counts[(size_t)pos]++;
}

double am_histogram_hi(const AmHistogram *h)
{
  return h->lo + (double)h->nbins * h->width;
}

double am_histogram_bin_center(const AmHistogram *h, size_t k)
{
  return h->lo + ((double)k + 0.5) * h->width;
}

uint64_t am_histogram_total(const AmHistogram *h)
{
  uint64_t t = h->underflow + h->overflow;
  for (size_t k = 0; k < h->nbins; k++)
    t += h->counts[k];
  return t;
}

static AmStatus check_normalisable(const AmHistogram *h, uint64_t total, AmError *err)
{
  if (!h->counts || h->nbins == 0)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: histogram has no bins (not initialised)",
                        __FILE__, __LINE__);
  if (h->nonfinite)
    return am_error_set(err, AM_ERR_NUMERIC,
                        "%s:%d: histogram was offered %llu non-finite values: refusing to normalise",
                        __FILE__, __LINE__, (unsigned long long)h->nonfinite);
  if (total == 0)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: histogram is empty: nothing to normalise",
                        __FILE__, __LINE__);
  return AM_OK;
}

AmStatus am_histogram_density(const AmHistogram *h, double *p, AmError *err)
{
  const uint64_t total = h->counts ? am_histogram_total(h) : 0;
  AmStatus st = check_normalisable(h, total, err);
  if (st)
    return st;
  const double norm = 1.0 / ((double)total * h->width);
  for (size_t k = 0; k < h->nbins; k++)
    p[k] = (double)h->counts[k] * norm;
  return AM_OK;
}

AmStatus am_histogram_fraction_above(const AmHistogram *h, double threshold, double *fraction, AmError *err)
{
  const uint64_t total = h->counts ? am_histogram_total(h) : 0;
  AmStatus st = check_normalisable(h, total, err);
  if (st)
    return st;
  const double pos = (threshold - h->lo) / h->width;
  const double edge = nearbyint(pos);
  if (!isfinite(pos) || fabs(pos - edge) > 1e-6 || edge < 0.0 || edge > (double)h->nbins)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: threshold %g is not a bin edge of the histogram [%g, %g) with bin %g",
                        __FILE__, __LINE__, threshold, h->lo, am_histogram_hi(h), h->width);
  uint64_t above = h->overflow;
  for (size_t k = (size_t)edge; k < h->nbins; k++)
    above += h->counts[k];
  *fraction = (double)above / (double)total;
  return AM_OK;
}

AmStatus am_histogram_merge(AmHistogram *dst, const AmHistogram *src, AmError *err)
{
  if (!dst->counts || !src->counts || dst->nbins != src->nbins || dst->lo != src->lo ||
      dst->width != src->width)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: cannot merge histograms with different bins: [%g, +%zu×%g) and [%g, +%zu×%g)",
                        __FILE__, __LINE__, dst->lo, dst->nbins, dst->width, src->lo, src->nbins, src->width);
  for (size_t k = 0; k < dst->nbins; k++)
    dst->counts[k] += src->counts[k];
  dst->underflow += src->underflow;
  dst->overflow += src->overflow;
  dst->nonfinite += src->nonfinite;
  return AM_OK;
}

void am_histogram_write(const AmHistogram *h, AmByteWriter *w)
{
  am_bytes_put_u64(w, HIST_MAGIC);
  am_bytes_put_f64(w, h->lo);
  am_bytes_put_f64(w, h->width);
  am_bytes_put_u64(w, h->nbins);
  am_bytes_put_u64(w, h->underflow);
  am_bytes_put_u64(w, h->overflow);
  am_bytes_put_u64(w, h->nonfinite);
  if (h->nbins)
    am_bytes_put(w, h->counts, h->nbins * sizeof *h->counts);
}

AmStatus am_histogram_read(AmHistogram *h, AmByteReader *r, AmError *err)
{
  memset(h, 0, sizeof *h);
  const size_t start = r->pos;
  const uint64_t magic = am_bytes_get_u64(r);
  if (r->short_read || magic != HIST_MAGIC)
    return am_error_set(err, AM_ERR_FORMAT,
                        "%s:%d: byte %zu: expected a histogram record (magic %016llx), found %016llx%s",
                        __FILE__, __LINE__, start, (unsigned long long)HIST_MAGIC,
                        (unsigned long long)magic, r->short_read ? " (buffer too short)" : "");
  const double lo = am_bytes_get_f64(r);
  const double width = am_bytes_get_f64(r);
  const uint64_t nbins = am_bytes_get_u64(r);
  const uint64_t under = am_bytes_get_u64(r), over = am_bytes_get_u64(r), nonfinite = am_bytes_get_u64(r);
  if (r->short_read)
    return am_error_set(err, AM_ERR_FORMAT, "%s:%d: byte %zu: histogram record cut short", __FILE__,
                        __LINE__, start);
  if (nbins == 0 || nbins > HIST_MAX_BINS || !isfinite(lo) || !(width > 0.0) || !isfinite(width))
    return am_error_set(err, AM_ERR_FORMAT,
                        "%s:%d: byte %zu: histogram record has invalid bins (lo %g, width %g, %llu bins)",
                        __FILE__, __LINE__, start, lo, width, (unsigned long long)nbins);
  if (nbins * sizeof(uint64_t) > r->len - r->pos)
    return am_error_set(err, AM_ERR_FORMAT, "%s:%d: byte %zu: histogram record needs %llu bins, buffer is too short",
                        __FILE__, __LINE__, start, (unsigned long long)nbins);
  h->counts = malloc(nbins * sizeof *h->counts);
  if (!h->counts)
    return am_error_set(err, AM_ERR_NOMEM, "%s:%d: cannot allocate %llu histogram bins", __FILE__,
                        __LINE__, (unsigned long long)nbins);
  am_bytes_get(r, h->counts, nbins * sizeof *h->counts);
  h->lo = lo;
  h->width = width;
  h->nbins = nbins;
  h->underflow = under;
  h->overflow = over;
  h->nonfinite = nonfinite;
  return AM_OK;
}

size_t am_histogram_serialize(const AmHistogram *h, uint8_t *buf, size_t cap)
{
  AmByteWriter w = {buf, cap, 0, false};
  am_histogram_write(h, &w);
  return w.len;
}

AmStatus am_histogram_deserialize(AmHistogram *h, const uint8_t *buf, size_t len, size_t *consumed,
                                  AmError *err)
{
  AmByteReader r = {buf, len, 0, false};
  AmStatus st = am_histogram_read(h, &r, err);
  if (consumed)
    *consumed = st == AM_OK ? r.pos : 0;
  return st;
}
