/* bytes.h: a bounds-checked byte writer/reader for checkpointing analysis state.
 *
 * Private to src/analysis/. Values are stored in the machine's native representation
 * (checkpoints are resumed by the same build on the same kind of machine); each
 * serialised object starts with a magic word that also catches a byte-order mismatch.
 * A writer with buf == NULL only counts, so "size, allocate, write" uses one code path. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
  uint8_t *buf;   /* NULL: only count */
  size_t cap;
  size_t len;     /* bytes written (or that would have been) */
  bool overflow;  /* a write did not fit in cap */
} AmByteWriter;

typedef struct {
  const uint8_t *buf;
  size_t len;
  size_t pos;
  bool short_read;  /* a read ran past len */
} AmByteReader;

static inline void am_bytes_put(AmByteWriter *w, const void *src, size_t size)
{
  if (w->buf) {
    if (w->overflow || size > w->cap - w->len) {
      w->overflow = true;
    } else {
      memcpy(w->buf + w->len, src, size);
    }
  }
  w->len += size;
}

static inline void am_bytes_put_u64(AmByteWriter *w, uint64_t v) { am_bytes_put(w, &v, sizeof v); }
static inline void am_bytes_put_f64(AmByteWriter *w, double v) { am_bytes_put(w, &v, sizeof v); }

static inline bool am_bytes_get(AmByteReader *r, void *dst, size_t size)
{
  if (r->short_read || size > r->len - r->pos) {
    r->short_read = true;
    memset(dst, 0, size);
    return false;
  }
  memcpy(dst, r->buf + r->pos, size);
  r->pos += size;
  return true;
}

static inline uint64_t am_bytes_get_u64(AmByteReader *r)
{
  uint64_t v;
  am_bytes_get(r, &v, sizeof v);
  return v;
}

static inline double am_bytes_get_f64(AmByteReader *r)
{
  double v;
  am_bytes_get(r, &v, sizeof v);
  return v;
}
