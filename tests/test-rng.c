/* test-rng.c: the random streams are Philox2x64-10 to the bit, reproducible, independent
 * between streams, and give correctly distributed uniform and normal deviates. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sim/rng.h"

static void test_known_answers(void)
{
  /* Random123's kat_vectors for philox2x64 10 rounds: counter (v0, v1), key, result. */
  static const uint64_t kat[3][5] = {
      {0, 0, 0, 0xca00a0459843d731ull, 0x66c24222c9a845b5ull},
      {~0ull, ~0ull, ~0ull, 0x65b021d60cd8310full, 0x4d02f3222f86df20ull},
      {0x243f6a8885a308d3ull, 0x13198a2e03707344ull, 0xa4093822299f31d0ull, 0x0a5e742c2997341cull,
       0xb0f883d38000de5dull},
  };
  for (int k = 0; k < 3; k++) {
    uint64_t out[2];
    am_rng_philox2x64(kat[k][2], kat[k][1], kat[k][0], out);
    g_assert_cmphex(out[0], ==, kat[k][3]);
    g_assert_cmphex(out[1], ==, kat[k][4]);
  }
}

static void test_reproducible(void)
{
  AmRng a, b;
  am_rng_init(&a, 12345, 7);
  am_rng_init(&b, 12345, 7);
  for (int i = 0; i < 10000; i++)
    g_assert_cmphex(am_rng_next_u64(&a), ==, am_rng_next_u64(&b));
  /* A copied state continues the same sequence (checkpoints save the struct bytewise). */
  am_rng_normal(&a);
  AmRng c;
  memcpy(&c, &a, sizeof c);
  for (int i = 0; i < 1000; i++)
    g_assert_cmpfloat(am_rng_normal(&a), ==, am_rng_normal(&c));
  /* Different stream or seed: a different sequence from the first word on. */
  am_rng_init(&a, 12345, 7);
  am_rng_init(&b, 12345, 8);
  am_rng_init(&c, 12346, 7);
  const uint64_t a0 = am_rng_next_u64(&a);
  g_assert_cmphex(a0, !=, am_rng_next_u64(&b));
  g_assert_cmphex(a0, !=, am_rng_next_u64(&c));
}

/* Pearson correlation of paired uniforms from two streams, and of a stream with itself
 * shifted by one, must be consistent with zero: |r| < 5/√n. */
static void test_streams_uncorrelated(void)
{
  const int n = 200000;
  for (uint64_t s = 1; s < 4; s++) {
    AmRng a, b;
    am_rng_init(&a, 2024, 0);
    am_rng_init(&b, 2024, s);
    double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0, lag = 0, prev = 0.5;
    for (int i = 0; i < n; i++) {
      const double x = am_rng_uniform(&a), y = am_rng_uniform(&b);
      sa += x;
      sb += y;
      sab += x * y;
      saa += x * x;
      sbb += y * y;
      lag += (x - 0.5) * (prev - 0.5);
      prev = x;
    }
    const double ma = sa / n, mb = sb / n;
    const double r = (sab / n - ma * mb) / sqrt((saa / n - ma * ma) * (sbb / n - mb * mb));
    g_assert_cmpfloat(fabs(r), <, 5.0 / sqrt(n));
    g_assert_cmpfloat(fabs(lag / n / (1.0 / 12.0)), <, 5.0 / sqrt(n));
  }
}

static void test_uniform_moments(void)
{
  const int n = 1000000;
  AmRng r;
  am_rng_init(&r, 99, 3);
  double s = 0, s2 = 0, lo = 1, hi = 0;
  for (int i = 0; i < n; i++) {
    const double u = am_rng_uniform(&r);
    g_assert_true(u >= 0.0 && u < 1.0);
    s += u;
    s2 += u * u;
    lo = fmin(lo, u);
    hi = fmax(hi, u);
  }
  const double mean = s / n, var = s2 / n - mean * mean;
  /* σ(mean) = √(1/12 / n); σ(var) = √((1/80 − 1/144) / n). */
  g_assert_cmpfloat(fabs(mean - 0.5), <, 5 * sqrt(1.0 / 12 / n));
  g_assert_cmpfloat(fabs(var - 1.0 / 12), <, 5 * sqrt((1.0 / 80 - 1.0 / 144) / n));
  g_assert_cmpfloat(lo, <, 1e-4);
  g_assert_cmpfloat(hi, >, 1 - 1e-4);
}

static void test_normal_moments(void)
{
  const int n = 1000000;
  AmRng r;
  am_rng_init(&r, 4242, 11);
  double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
  int beyond2 = 0;
  for (int i = 0; i < n; i++) {
    const double z = am_rng_normal(&r);
    g_assert_true(isfinite(z));
    m1 += z;
    m2 += z * z;
    m3 += z * z * z;
    m4 += z * z * z * z;
    beyond2 += fabs(z) > 2.0;
  }
  m1 /= n;
  m2 /= n;
  m3 /= n;
  m4 /= n;
  /* Standard errors of the sample moments of N(0,1): √(1/n), √(2/n), √(15/n), √(96/n). */
  g_assert_cmpfloat(fabs(m1), <, 5 * sqrt(1.0 / n));
  g_assert_cmpfloat(fabs(m2 - 1), <, 5 * sqrt(2.0 / n));
  g_assert_cmpfloat(fabs(m3), <, 5 * sqrt(15.0 / n));
  g_assert_cmpfloat(fabs(m4 - 3), <, 5 * sqrt(96.0 / n));
  /* Tail weight: P(|z| > 2) = 0.0455003. */
  const double p = 0.0455003;
  g_assert_cmpfloat(fabs((double) beyond2 / n - p), <, 5 * sqrt(p * (1 - p) / n));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sim/rng/philox-known-answers", test_known_answers);
  g_test_add_func("/sim/rng/reproducible", test_reproducible);
  g_test_add_func("/sim/rng/streams-uncorrelated", test_streams_uncorrelated);
  g_test_add_func("/sim/rng/uniform-moments", test_uniform_moments);
  g_test_add_func("/sim/rng/normal-moments", test_normal_moments);
  return g_test_run();
}
