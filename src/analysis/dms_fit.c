/* dms_fit.c: streaming least-squares fit of a sinusoid of known frequency. */
#include "analysis/dms_fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Diagonal of R below this fraction of its largest entry means the three columns are
 * (numerically) dependent: condition number beyond ~1e10, coefficients meaningless. */
#define DMS_RANK_TOL 1e-10

AmStatus am_dms_accumulator_init(AmDmsAccumulator *acc, double period, AmError *err)
{
  memset(acc, 0, sizeof *acc);
  if (!isfinite(period) || !(period > 0.0))
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: DMS period t_p = %g ps: expected a finite value > 0",
                        __FILE__, __LINE__, period);
  acc->omega = 2.0 * M_PI / period;
  return AM_OK;
}

AmStatus am_dms_accumulator_add(AmDmsAccumulator *acc, double t, double sigma, AmError *err)
{
  if (!isfinite(t) || !isfinite(sigma)) {
    acc->rejected++;
    return am_error_set(err, AM_ERR_NUMERIC, "%s:%d: DMS sample %llu is not finite (t = %g ps, σ = %g)",
                        __FILE__, __LINE__, (unsigned long long)(acc->n + acc->rejected - 1), t, sigma);
  }
  double x[3] = {1.0, sin(acc->omega * t), cos(acc->omega * t)};
  double y = sigma;
  /* Rotate the new row into R one column at a time; what is left of y afterwards is
   * this sample's contribution to the residual. */
  for (int k = 0; k < 3; k++) {
    if (x[k] == 0.0)
      continue;
    const double rkk = acc->r[k][k];
    if (rkk == 0.0) {
      /* Row k of R is still empty: the rest of the new row becomes it. */
      for (int j = k; j < 3; j++)
        acc->r[k][j] = x[j];
      acc->z[k] = y;
      y = 0.0;
      break;
    }
    const double h = hypot(rkk, x[k]);
    const double c = rkk / h, s = x[k] / h;
    acc->r[k][k] = h;
    for (int j = k + 1; j < 3; j++) {
      const double rj = acc->r[k][j];
      acc->r[k][j] = c * rj + s * x[j];
      x[j] = -s * rj + c * x[j];
    }
    const double zk = acc->z[k];
    acc->z[k] = c * zk + s * y;
    y = -s * zk + c * y;
  }
  acc->rss += y * y;
  acc->n++;
  return AM_OK;
}

AmStatus am_dms_accumulator_solve(const AmDmsAccumulator *acc, double strain_amplitude, AmDmsFit *fit,
                                  AmError *err)
{
  memset(fit, 0, sizeof *fit);
  if (acc->rejected)
    return am_error_set(err, AM_ERR_NUMERIC, "%s:%d: %llu non-finite stress samples were offered: no fit",
                        __FILE__, __LINE__, (unsigned long long)acc->rejected);
  if (!isfinite(strain_amplitude) || !(strain_amplitude > 0.0))
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: strain amplitude ε_A = %g: expected a finite value > 0", __FILE__, __LINE__,
                        strain_amplitude);
  if (!(acc->omega > 0.0))
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: DMS accumulator not initialised", __FILE__, __LINE__);
  if (acc->n < 4)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: a sinusoid fit needs at least 4 stress samples (3 parameters + 1 for the "
                        "error), got %llu",
                        __FILE__, __LINE__, (unsigned long long)acc->n);
  double dmax = 0.0, dmin = INFINITY;
  for (int k = 0; k < 3; k++) {
    dmax = fmax(dmax, fabs(acc->r[k][k]));
    dmin = fmin(dmin, fabs(acc->r[k][k]));
  }
  if (!(dmin > DMS_RANK_TOL * dmax))
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: the %llu sample times do not separate 1, sin ωt and cos ωt (they cover too "
                        "little of a cycle or repeat one phase): the fit is undetermined",
                        __FILE__, __LINE__, (unsigned long long)acc->n);

  /* R⁻¹ (upper triangular) by back substitution; β = R⁻¹z and Cov β = s² R⁻¹R⁻ᵀ. */
  double ri[3][3] = {{0}};
  for (int j = 0; j < 3; j++) {
    ri[j][j] = 1.0 / acc->r[j][j];
    for (int i = j - 1; i >= 0; i--) {
      double s = 0.0;
      for (int k = i + 1; k <= j; k++)
        s += acc->r[i][k] * ri[k][j];
      ri[i][j] = -s / acc->r[i][i];
    }
  }
  double beta[3], cov[3][3];
  for (int i = 0; i < 3; i++) {
    beta[i] = 0.0;
    for (int k = i; k < 3; k++)
      beta[i] += ri[i][k] * acc->z[k];
  }
  const double dof = (double)(acc->n - 3);
  const double s2 = acc->rss / dof;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      double v = 0.0;
      for (int k = (i > j ? i : j); k < 3; k++)
        v += ri[i][k] * ri[j][k];
      cov[i][j] = s2 * v;
    }

  const double a = beta[1], b = beta[2];
  const double amp = hypot(a, b);
  if (!isfinite(beta[0]) || !isfinite(amp) || !isfinite(s2))
    return am_error_set(err, AM_ERR_NUMERIC, "%s:%d: sinusoid fit over %llu samples gave non-finite numbers",
                        __FILE__, __LINE__, (unsigned long long)acc->n);
  /* Σσ² = |z|² + RSS (Q is orthogonal): the signal's RMS, the scale against which an
   * amplitude at rounding level (a constant signal) counts as zero. */
  const double rms = sqrt((acc->z[0] * acc->z[0] + acc->z[1] * acc->z[1] + acc->z[2] * acc->z[2] + acc->rss) /
                          (double)acc->n);
  if (!(amp > 1e-12 * rms))
    return am_error_set(err, AM_ERR_NUMERIC,
                        "%s:%d: fitted stress amplitude is zero (%g against a signal RMS of %g) over %llu "
                        "samples: the phase is undefined",
                        __FILE__, __LINE__, amp, rms, (unsigned long long)acc->n);

  fit->n = acc->n;
  fit->omega = acc->omega;
  fit->strain_amplitude = strain_amplitude;
  fit->sigma0 = beta[0];
  fit->a = a;
  fit->b = b;
  fit->amplitude = amp;
  fit->phase = atan2(b, a);
  fit->storage = a / strain_amplitude;
  fit->loss = b / strain_amplitude;
  fit->residual_rms = sqrt(s2);
  fit->se_sigma0 = sqrt(cov[0][0]);
  fit->se_a = sqrt(cov[1][1]);
  fit->se_b = sqrt(cov[2][2]);
  /* Gradients: ∂σ_A/∂(a,b) = (a, b)/σ_A; ∂δ/∂(a,b) = (−b, a)/σ_A². */
  const double va = cov[1][1], vb = cov[2][2], vab = cov[1][2];
  const double var_amp = (a * a * va + 2.0 * a * b * vab + b * b * vb) / (amp * amp);
  const double var_phase = (b * b * va - 2.0 * a * b * vab + a * a * vb) / (amp * amp * amp * amp);
  fit->se_amplitude = sqrt(fmax(var_amp, 0.0));
  fit->se_phase = sqrt(fmax(var_phase, 0.0));
  fit->se_storage = fit->se_a / strain_amplitude;
  fit->se_loss = fit->se_b / strain_amplitude;
  return AM_OK;
}

AmStatus am_dms_fit_arrays(const double *t, const double *sigma, size_t n, double period,
                           double strain_amplitude, AmDmsFit *fit, AmError *err)
{
  AmDmsAccumulator acc;
  AmStatus st = am_dms_accumulator_init(&acc, period, err);
  if (st)
    return st;
  if (n > 0 && (!t || !sigma))
    return am_error_set(err, AM_ERR_INVALID, "%s:%d: sinusoid fit of %zu samples without arrays",
                        __FILE__, __LINE__, n);
  for (size_t i = 0; i < n; i++) {
    st = am_dms_accumulator_add(&acc, t[i], sigma[i], err);
    if (st)
      return st;
  }
  return am_dms_accumulator_solve(&acc, strain_amplitude, fit, err);
}

double am_dms_fit_eval(const AmDmsFit *fit, double t)
{
  return fit->sigma0 + fit->a * sin(fit->omega * t) + fit->b * cos(fit->omega * t);
}

AmStatus am_dms_ensemble(const AmDmsFit *fits, size_t n, AmDmsEnsemble *out, AmError *err)
{
  memset(out, 0, sizeof *out);
  if (n < 2 || !fits)
    return am_error_set(err, AM_ERR_INVALID,
                        "%s:%d: an ensemble error bar needs at least 2 replica fits, got %zu", __FILE__,
                        __LINE__, fits ? n : 0);
  double *v = malloc(n * sizeof *v);
  if (!v)
    return am_error_set(err, AM_ERR_NOMEM, "%s:%d: cannot allocate %zu values", __FILE__, __LINE__, n);
  AmMeanSem *dst[5] = {&out->sigma0, &out->amplitude, &out->phase, &out->storage, &out->loss};
  AmStatus st = AM_OK;
  for (int q = 0; q < 5 && st == AM_OK; q++) {
    for (size_t i = 0; i < n; i++) {
      const AmDmsFit *f = &fits[i];
      const double vals[5] = {f->sigma0, f->amplitude, f->phase, f->storage, f->loss};
      v[i] = vals[q];
    }
    st = am_stats_mean_sem(v, n, 1, dst[q], err);
  }
  free(v);
  if (st)
    return am_error_prefix(err, "replica ensemble: ");
  out->n = n;
  return AM_OK;
}
