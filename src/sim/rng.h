/* rng.h: reproducible, independent random streams.
 *
 * A stream is a pure function of (seed, stream id): Philox2x64-10 (Salmon et al., SC'11),
 * a counter-based generator, run with the seed as key and (stream id, counter) as the
 * 128-bit counter. Distinct (seed, stream) pairs therefore never share a block of output,
 * which is what "jobs never share RNG streams" needs (replica r of a sweep uses stream r,
 * with no jumping or coordination). The state is plain data and can be saved with memcpy;
 * nothing depends on the thread count. */
#pragma once

#include <stdint.h>

typedef struct {
  uint64_t key;      /* the seed */
  uint64_t stream;   /* high word of the counter */
  uint64_t counter;  /* low word of the counter: blocks drawn so far */
  uint64_t block[2]; /* the last block, consumed word by word */
  int used;          /* words of block already consumed (2 = empty) */
  int has_spare;     /* a second normal deviate from the last Box–Muller pair */
  double spare;
} AmRng;

void am_rng_init(AmRng *rng, uint64_t seed, uint64_t stream);
/* One Philox2x64-10 block for (key, counter hi, counter lo), exposed for known-answer tests. */
void am_rng_philox2x64(uint64_t key, uint64_t ctr_hi, uint64_t ctr_lo, uint64_t out[2]);
/* Next 64 uniformly distributed bits. */
uint64_t am_rng_next_u64(AmRng *rng);
/* Uniform on [0, 1) with 53 random bits. */
double am_rng_uniform(AmRng *rng);
/* Standard normal deviate (mean 0, variance 1), Box–Muller. */
double am_rng_normal(AmRng *rng);
