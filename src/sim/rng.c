/* rng.c: Philox2x64-10 counter-based random streams. */
#include "sim/rng.h"

#include <math.h>

#define PHILOX_M 0xD2B74407B1CE6E93ull
#define PHILOX_W 0x9E3779B97F4A7C15ull

void am_rng_philox2x64(uint64_t key, uint64_t ctr_hi, uint64_t ctr_lo, uint64_t out[2])
{
  /* Random123 orders the counter as (v[0], v[1]) = (lo, hi); keep that so the published
   * known-answer vectors apply. */
  uint64_t x0 = ctr_lo, x1 = ctr_hi;
  for (int r = 0; r < 10; r++) {
    const unsigned __int128 p = (unsigned __int128) PHILOX_M * x0;
    const uint64_t hi = (uint64_t) (p >> 64), lo = (uint64_t) p;
    x0 = hi ^ key ^ x1;
    x1 = lo;
    key += PHILOX_W;
  }
  out[0] = x0;
  out[1] = x1;
}

void am_rng_init(AmRng *rng, uint64_t seed, uint64_t stream)
{
  rng->key = seed;
  rng->stream = stream;
  rng->counter = 0;
  rng->block[0] = rng->block[1] = 0;
  rng->used = 2;
  rng->has_spare = 0;
  rng->spare = 0.0;
}

uint64_t am_rng_next_u64(AmRng *rng)
{
  if (rng->used >= 2) {
    am_rng_philox2x64(rng->key, rng->stream, rng->counter, rng->block);
    /* 2^64 blocks per stream are never exhausted in practice; wrapping would repeat the
     * stream, not collide with another one. */
    rng->counter++;
    rng->used = 0;
  }
  return rng->block[rng->used++];
}

double am_rng_uniform(AmRng *rng)
{
  return (double) (am_rng_next_u64(rng) >> 11) * 0x1.0p-53;
}

double am_rng_normal(AmRng *rng)
{
  if (rng->has_spare) {
    rng->has_spare = 0;
    return rng->spare;
  }
  /* 1 - u lies in (0, 1], so the logarithm is finite. */
  const double u1 = 1.0 - am_rng_uniform(rng);
  const double u2 = am_rng_uniform(rng);
  const double r = sqrt(-2.0 * log(u1));
  const double a = 2.0 * M_PI * u2;
  rng->spare = r * sin(a);
  rng->has_spare = 1;
  return r * cos(a);
}
