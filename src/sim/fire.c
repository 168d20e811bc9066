/* fire.c: FIRE 2.0 minimisation at fixed box, with LAMMPS min_style fire's defaults and
 * stopping rules (see fire.h). Written from Guénolé et al. 2020 and the LAMMPS
 * documentation of min_style fire / min_modify. Sums run serially in atom order so the
 * path does not depend on the thread count. */
#include "sim/fire.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "sim/box.h"
#include "sim/units.h"

/* Floor of the relative energy criterion, as LAMMPS' EPS_ENERGY. */
#define FIRE_EPS_ENERGY 1.0e-8

void am_fire_config_init(AmFireConfig *cfg)
{
  memset(cfg, 0, sizeof *cfg);
  cfg->etol = 0.0;
  cfg->ftol = 1.0e-6;
  cfg->max_iter = 10000;
  cfg->max_eval = 0;
  cfg->norm = AM_FIRE_NORM_TWO;
  cfg->dt = 0.001;
  cfg->tmax = 10.0;
  cfg->tmin = 0.02;
  cfg->delaystep = 20;
  cfg->dtgrow = 1.1;
  cfg->dtshrink = 0.5;
  cfg->alpha0 = 0.25;
  cfg->alphashrink = 0.99;
  cfg->dmax = 0.1;
  cfg->vdfmax = 2000;
  cfg->halfstepback = 1;
}

const char *am_fire_stop_name(AmFireStop reason)
{
  switch (reason) {
  case AM_FIRE_STOP_ETOL: return "energy tolerance";
  case AM_FIRE_STOP_FTOL: return "force tolerance";
  case AM_FIRE_STOP_MAX_ITER: return "max iterations";
  case AM_FIRE_STOP_MAX_EVAL: return "max force evaluations";
  case AM_FIRE_STOP_VDFMAX: return "too many uphill steps";
  }
  return "?";
}

static AmStatus validate(const AmFireConfig *c, AmError *err)
{
  if (!isfinite(c->etol) || c->etol < 0.0 || !isfinite(c->ftol) || c->ftol < 0.0)
    return am_error_set(err, AM_ERR_INVALID, "FIRE: tolerances must be ≥ 0 (etol %g, ftol %g)", c->etol, c->ftol);
  if (c->max_iter < 0 || c->max_eval < 0)
    return am_error_set(err, AM_ERR_INVALID, "FIRE: iteration limits must be ≥ 0 (max_iter %d, max_eval %d)",
                        c->max_iter, c->max_eval);
  if (c->norm != AM_FIRE_NORM_TWO && c->norm != AM_FIRE_NORM_MAX && c->norm != AM_FIRE_NORM_INF)
    return am_error_set(err, AM_ERR_INVALID, "FIRE: unknown force norm %d", (int) c->norm);
  if (!isfinite(c->dt) || !(c->dt > 0.0))
    return am_error_set(err, AM_ERR_INVALID, "FIRE: timestep must be positive (got %g ps)", c->dt);
  if (!(c->tmax >= c->tmin) || !(c->tmin > 0.0) || !isfinite(c->tmax))
    return am_error_set(err, AM_ERR_INVALID, "FIRE: need 0 < tmin ≤ tmax (got tmin %g, tmax %g)", c->tmin, c->tmax);
  if (!(c->dtgrow >= 1.0) || !isfinite(c->dtgrow))
    return am_error_set(err, AM_ERR_INVALID, "FIRE: dtgrow must be ≥ 1 (got %g)", c->dtgrow);
  if (!(c->dtshrink > 0.0 && c->dtshrink <= 1.0))
    return am_error_set(err, AM_ERR_INVALID, "FIRE: dtshrink must be in (0, 1] (got %g)", c->dtshrink);
  if (!(c->alpha0 >= 0.0 && c->alpha0 <= 1.0) || !(c->alphashrink > 0.0 && c->alphashrink <= 1.0))
    return am_error_set(err, AM_ERR_INVALID, "FIRE: alpha0 must be in [0, 1] and alphashrink in (0, 1] (got %g, %g)",
                        c->alpha0, c->alphashrink);
  if (!(c->dmax > 0.0) || !isfinite(c->dmax))
    return am_error_set(err, AM_ERR_INVALID, "FIRE: dmax must be positive (got %g Å)", c->dmax);
  if (c->delaystep < 0 || c->vdfmax < 0)
    return am_error_set(err, AM_ERR_INVALID, "FIRE: delaystep and vdfmax must be ≥ 0 (got %d, %d)", c->delaystep,
                        c->vdfmax);
  return AM_OK;
}

/* Force norms over free atoms: squared 2-norm, largest per-atom |f|², largest component². */
static void force_norms(const AmAtoms *a, double *two2, double *max2, double *inf2)
{
  double s = 0.0, m = 0.0, c = 0.0;
  for (size_t i = 0; i < a->n; i++) {
    if (a->pinned[i])
      continue;
    const double *f = a->f + 3 * i;
    const double f2 = f[0] * f[0] + f[1] * f[1] + f[2] * f[2];
    s += f2;
    if (f2 > m)
      m = f2;
    for (int k = 0; k < 3; k++)
      if (f[k] * f[k] > c)
        c = f[k] * f[k];
  }
  *two2 = s;
  *max2 = m;
  *inf2 = c;
}

static double chosen_norm2(const AmFireConfig *cfg, const AmAtoms *a)
{
  double two2, max2, inf2;
  force_norms(a, &two2, &max2, &inf2);
  switch (cfg->norm) {
  case AM_FIRE_NORM_MAX: return max2;
  case AM_FIRE_NORM_INF: return inf2;
  case AM_FIRE_NORM_TWO: break;
  }
  return two2;
}

static AmStatus evaluate(AmSystem *sys, AmFireResult *res, AmError *err)
{
  AmStatus st = am_system_compute_forces(sys, err);
  if (st)
    return am_error_prefix(err, "FIRE: ");
  res->evaluations++;
  double ff = 0.0;
  for (size_t i = 0; i < 3 * sys->atoms.n; i++)
    ff += sys->atoms.f[i] * sys->atoms.f[i];
  if (!isfinite(sys->pe) || !isfinite(ff))
    return am_error_set(err, AM_ERR_NUMERIC, "FIRE: energy or forces became non-finite after %d iterations",
                        res->iterations);
  return AM_OK;
}

static void wrap_all(AmSystem *sys)
{
  AmAtoms *a = &sys->atoms;
  for (size_t i = 0; i < a->n; i++)
    am_box_wrap(&sys->box, a->x + 3 * i, a->image + 3 * i);
}

static void finish(AmSystem *sys, AmFireResult *res)
{
  AmAtoms *a = &sys->atoms;
  if (a->n)
    memset(a->v, 0, sizeof(double) * 3 * a->n);
  double two2, max2, inf2;
  force_norms(a, &two2, &max2, &inf2);
  res->fmax = sqrt(max2);
  res->energy_final = sys->pe;
}

AmStatus am_fire_minimize(AmSystem *sys, const AmFireConfig *cfg, AmFireResult *result, AmError *err)
{
  AmFireResult res_local;
  AmFireResult *res = result ? result : &res_local;
  memset(res, 0, sizeof *res);
  AmStatus st = validate(cfg, err);
  if (st)
    return st;
  if ((st = am_box_validate(&sys->box, err)) || (st = am_atoms_validate(&sys->atoms, err)))
    return am_error_prefix(err, "FIRE: ");
  AmAtoms *a = &sys->atoms;
  const size_t n = a->n;
  const int max_eval = cfg->max_eval > 0 ? cfg->max_eval : INT_MAX;

  /* Pinned atoms do not move: only their forces on the others matter. */
  for (size_t i = 0; i < n; i++)
    if (a->pinned[i])
      am_box_from_frac(&sys->box, a->pin_frac + 3 * i, a->x + 3 * i);
  wrap_all(sys);
  if (n)
    memset(a->v, 0, sizeof(double) * 3 * n);
  if ((st = evaluate(sys, res, err)))
    return st;
  res->energy_initial = sys->pe;
  double ecurrent = sys->pe, eprevious = sys->pe;

  const double ftol2 = cfg->ftol * cfg->ftol;
  res->reason = AM_FIRE_STOP_MAX_ITER;
  if (cfg->ftol > 0.0 && chosen_norm2(cfg, a) < ftol2) {
    res->reason = AM_FIRE_STOP_FTOL;
    res->fnorm = sqrt(chosen_norm2(cfg, a));
    finish(sys, res);
    return AM_OK;
  }

  double dt = cfg->dt;
  const double dtmax = cfg->tmax * cfg->dt, dtmin = cfg->tmin * cfg->dt;
  double alpha = cfg->alpha0;
  long last_negative = 0;
  int uphill = 0;
  bool v_zero = true;  /* velocities were just reset: the first move estimates them from f */
  bool forces_stale = false;
  double inv_m[AM_MAX_TYPES];
  for (int t = 0; t < a->ntypes; t++)
    inv_m[t] = AM_FTM2V / a->mass[t];

  for (long it = 1; it <= cfg->max_iter; it++) {
    res->iterations = (int) it;
    double vdotf = 0.0;
    for (size_t i = 0; i < n; i++) {
      if (a->pinned[i])
        continue;
      for (int k = 0; k < 3; k++)
        vdotf += a->v[3 * i + k] * a->f[3 * i + k];
    }
    double scale1 = 1.0, scale2 = 0.0;
    if (vdotf > 0.0) {
      double vv = 0.0, ff = 0.0;
      for (size_t i = 0; i < n; i++) {
        if (a->pinned[i])
          continue;
        for (int k = 0; k < 3; k++) {
          vv += a->v[3 * i + k] * a->v[3 * i + k];
          ff += a->f[3 * i + k] * a->f[3 * i + k];
        }
      }
      uphill = 0;
      scale1 = 1.0 - alpha;
      scale2 = ff <= 1e-20 ? 0.0 : alpha * sqrt(vv / ff);
      if (it - last_negative > cfg->delaystep) {
        dt = fmin(dt * cfg->dtgrow, dtmax);
        alpha *= cfg->alphashrink;
      }
    } else {
      last_negative = it;
      /* The initial delay: no shrinking during the first delaystep iterations. */
      if (it >= cfg->delaystep) {
        alpha = cfg->alpha0;
        if (dt * cfg->dtshrink >= dtmin)
          dt *= cfg->dtshrink;
      }
      uphill++;
      if (cfg->vdfmax > 0 && uphill > cfg->vdfmax) {
        res->reason = AM_FIRE_STOP_VDFMAX;
        break;
      }
      if (cfg->halfstepback) {
        for (size_t i = 0; i < n; i++) {
          if (a->pinned[i])
            continue;
          for (int k = 0; k < 3; k++)
            a->x[3 * i + k] -= 0.5 * dt * a->v[3 * i + k];
        }
        forces_stale = true;
      }
      memset(a->v, 0, sizeof(double) * 3 * n);
      v_zero = true;
    }

    /* Limit the step so that no atom moves further than dmax; with v = 0 the velocity after
     * one step, dt·f/m, is what would move. */
    if (v_zero && forces_stale) {
      wrap_all(sys);
      if (res->evaluations >= max_eval) {
        res->reason = AM_FIRE_STOP_MAX_EVAL;
        break;
      }
      if ((st = evaluate(sys, res, err)))
        return st;
      forces_stale = false;
    }
    double dtv = dt;
    for (size_t i = 0; i < n; i++) {
      if (a->pinned[i])
        continue;
      double vmax = 0.0;
      for (int k = 0; k < 3; k++) {
        const double vk = v_zero ? dt * inv_m[a->type[i]] * a->f[3 * i + k] : a->v[3 * i + k];
        if (fabs(vk) > vmax)
          vmax = fabs(vk);
      }
      if (dtv * vmax > cfg->dmax)
        dtv = cfg->dmax / vmax;
    }

    /* Semi-implicit Euler with the FIRE mixing applied after the kick. */
    for (size_t i = 0; i < n; i++) {
      if (a->pinned[i])
        continue;
      const double c = dtv * inv_m[a->type[i]];
      for (int k = 0; k < 3; k++) {
        double v = a->v[3 * i + k] + c * a->f[3 * i + k];
        if (vdotf > 0.0)
          v = scale1 * v + scale2 * a->f[3 * i + k];
        a->v[3 * i + k] = v;
        a->x[3 * i + k] += dtv * v;
      }
    }
    wrap_all(sys);
    if (res->evaluations >= max_eval) {
      res->reason = AM_FIRE_STOP_MAX_EVAL;
      forces_stale = true;
      break;
    }
    if ((st = evaluate(sys, res, err)))
      return st;
    eprevious = ecurrent;
    ecurrent = sys->pe;
    v_zero = false;

    if (cfg->etol > 0.0 && it - last_negative > cfg->delaystep &&
        fabs(ecurrent - eprevious) < cfg->etol * 0.5 * (fabs(ecurrent) + fabs(eprevious) + FIRE_EPS_ENERGY)) {
      res->reason = AM_FIRE_STOP_ETOL;
      break;
    }
    if (cfg->ftol > 0.0 && chosen_norm2(cfg, a) < ftol2) {
      res->reason = AM_FIRE_STOP_FTOL;
      break;
    }
  }
  /* Forces must belong to the final positions. */
  if (forces_stale && (st = evaluate(sys, res, err)))
    return st;
  res->fnorm = sqrt(chosen_norm2(cfg, a));
  finish(sys, res);
  return AM_OK;
}
