/* sliding_classes.c: VA/RA/FA over a sliding window of the last W sample intervals. */
#include "analysis/sliding_classes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

AmStatus am_sliding_classes_init(AmSlidingClasses *sc, size_t n, const AmDisplacementParams *p, AmError *err)
{
  memset(sc, 0, sizeof *sc);
  AmStatus st = am_displacement_params_validate(p, err);
  if (st)
    return am_error_prefix(err, "sliding classes: ");
  const long per_cycle = (long)nearbyint(p->period / p->sample_interval);
  const long window = per_cycle * (long)p->n_cycles;
  if (n == 0 || window > 100000 || n > SIZE_MAX / (3 * sizeof(double) * (size_t)(window + 1)))
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: sliding classes for %zu atoms over %ld samples: expected at least one atom "
                        "and a window that fits in memory",
                        __FILE__, __LINE__, n, window + 1);
  sc->params = *p;
  sc->n = n;
  sc->window = window;
  sc->ring = malloc((size_t)(window + 1) * 3 * n * sizeof *sc->ring);
  sc->uprime_max = calloc(n, sizeof *sc->uprime_max);
  if (!sc->ring || !sc->uprime_max) {
    am_sliding_classes_free(sc);
    return am_error_set(err, AM_ERR_NOMEM, "%s:%d: cannot allocate a sliding window of %ld samples of %zu atoms",
                        __FILE__, __LINE__, window + 1, n);
  }
  return AM_OK;
}

void am_sliding_classes_free(AmSlidingClasses *sc)
{
  if (!sc)
    return;
  free(sc->ring);
  free(sc->uprime_max);
  memset(sc, 0, sizeof *sc);
}

void am_sliding_classes_reset(AmSlidingClasses *sc)
{
  sc->count = 0;
  sc->failed = false;
  if (sc->uprime_max)
    memset(sc->uprime_max, 0, sc->n * sizeof *sc->uprime_max);
}

static long samples_in_window(const AmSlidingClasses *sc)
{
  return sc->count < sc->window + 1 ? sc->count : sc->window + 1;
}

/* u′_max from the stored window, slot by slot so that the inner loop streams. */
static void recompute(AmSlidingClasses *sc)
{
  const size_t n = sc->n, slots = (size_t)sc->window + 1;
  const long m = samples_in_window(sc);
  const double *q0 = sc->ring + ((size_t)(sc->count - m) % slots) * 3 * n;
  memset(sc->uprime_max, 0, n * sizeof *sc->uprime_max);
  for (long s = 1; s < m; s++) {
    const double *q = sc->ring + ((size_t)(sc->count - m + s) % slots) * 3 * n;
    for (size_t i = 0; i < n; i++) {
      const double dx = q[3 * i] - q0[3 * i], dy = q[3 * i + 1] - q0[3 * i + 1], dz = q[3 * i + 2] - q0[3 * i + 2];
      const double d = sqrt(dx * dx + dy * dy + dz * dz);
      if (d > sc->uprime_max[i])
        sc->uprime_max[i] = d;
    }
  }
}

AmStatus am_sliding_classes_add(AmSlidingClasses *sc, double t, const double *x_unwrapped, const double *affine,
                                AmError *err)
{
  if (!sc->ring)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: sliding classes not initialised", __FILE__, __LINE__);
  if (sc->failed)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: sliding classes: an earlier sample was refused; reset before adding more", __FILE__,
                        __LINE__);
  const double dt = sc->params.sample_interval;
  if (!isfinite(t) || (sc->count > 0 && fabs(t - (sc->last_time + dt)) > 1e-3 * dt)) {
    sc->failed = true;
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: sliding classes: sample at t = %.6f ps after one at t = %.6f ps: expected one every "
                        "%g ps without gaps",
                        __FILE__, __LINE__, t, sc->last_time, dt);
  }
  if (!x_unwrapped) {
    sc->failed = true;
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: sliding classes: sample without positions", __FILE__, __LINE__);
  }
  const size_t n = sc->n;
  for (size_t j = 0; j < 3 * n; j++)
    if (!isfinite(x_unwrapped[j]) || (affine && !isfinite(affine[j]))) {
      sc->failed = true;
      return am_error_set(err, AM_ERR_NUMERIC,
                          "%s:%d: sliding classes: sample at t = %g ps: atom %zu has a non-finite %s coordinate",
                          __FILE__, __LINE__, t, j / 3, isfinite(x_unwrapped[j]) ? "affine" : "position");
    }
  double *q = sc->ring + ((size_t)sc->count % ((size_t)sc->window + 1)) * 3 * n;
  for (size_t j = 0; j < 3 * n; j++)
    q[j] = x_unwrapped[j] - (affine ? affine[j] : 0.0);
  sc->count++;
  sc->last_time = t;
  recompute(sc);
  return AM_OK;
}

bool am_sliding_classes_full(const AmSlidingClasses *sc)
{
  return !sc->failed && sc->count > sc->window;
}

double am_sliding_classes_span(const AmSlidingClasses *sc)
{
  const long m = samples_in_window(sc);
  return m > 1 ? (double)(m - 1) * sc->params.sample_interval : 0.0;
}

AmStatus am_sliding_classes_get(const AmSlidingClasses *sc, uint8_t *cls, double fractions[3], AmError *err)
{
  if (!sc->ring)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: sliding classes not initialised", __FILE__, __LINE__);
  if (sc->failed)
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: sliding classes: the window failed; no classes", __FILE__,
                        __LINE__);
  if (sc->count < 2)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: sliding classes need at least two samples to measure a displacement (have %ld)",
                        __FILE__, __LINE__, sc->count);
  size_t counts[3] = {0, 0, 0};
  for (size_t i = 0; i < sc->n; i++) {
    const AmAtomClass c = am_displacement_classify(&sc->params, sc->uprime_max[i]);
    counts[c]++;
    if (cls)
      cls[i] = (uint8_t)c;
  }
  if (fractions)
    for (int c = 0; c < 3; c++)
      fractions[c] = (double)counts[c] / (double)sc->n;
  return AM_OK;
}
