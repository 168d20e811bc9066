/* shear.c: prescribed xy tilt and the affine remap that carries atoms with the box. */
#include "sim/shear.h"

#include <math.h>

/* Per-atom loops here cost a few ns per atom; below this size a parallel region (a fork and
 * a barrier, ruinous when the cores are shared) costs more than it saves. */
#define AM_PARALLEL_MIN_ATOMS 50000

AmStatus am_shear_config_validate(const AmShearConfig *cfg, AmError *err)
{
  switch (cfg->mode) {
  case AM_SHEAR_NONE:
    return AM_OK;
  case AM_SHEAR_CONSTANT_RATE:
    if (!isfinite(cfg->rate))
      return am_error_set(err, AM_ERR_INVALID, "shear: constant strain rate must be finite (got %g /ps)", cfg->rate);
    return AM_OK;
  case AM_SHEAR_SINUSOIDAL:
    if (!isfinite(cfg->amplitude) || cfg->amplitude < 0.0)
      return am_error_set(err, AM_ERR_INVALID, "shear: amplitude ε_A must be finite and ≥ 0 (got %g)",
                          cfg->amplitude);
    if (!isfinite(cfg->period) || !(cfg->period > 0.0))
      return am_error_set(err, AM_ERR_INVALID, "shear: period t_p must be positive (got %g ps)", cfg->period);
    return AM_OK;
  }
  return am_error_set(err, AM_ERR_INVALID, "shear: unknown mode %d", (int) cfg->mode);
}

void am_shear_begin(AmShearState *st, const AmBox *box, double t0)
{
  st->t0 = t0;
  st->xy0 = box->xy;
  st->ly0 = box->ly;
  st->started = true;
}

double am_shear_strain(const AmShearConfig *cfg, const AmShearState *st, double t)
{
  const double dt = t - st->t0;
  switch (cfg->mode) {
  case AM_SHEAR_CONSTANT_RATE:
    return cfg->rate * dt;
  case AM_SHEAR_SINUSOIDAL:
    return cfg->amplitude * sin(2.0 * M_PI * dt / cfg->period);
  case AM_SHEAR_NONE:
    break;
  }
  return 0.0;
}

double am_shear_tilt(const AmShearConfig *cfg, const AmShearState *st, double t)
{
  return st->xy0 + am_shear_strain(cfg, st, t) * st->ly0;
}

void am_shear_remap(const AmBox *old_box, const AmBox *new_box, AmAtoms *atoms)
{
  /* Cell-matrix change (columns a, b, c as in box.h) and origin shift. */
  const AmBox d = {
      .lo = {new_box->lo[0] - old_box->lo[0], new_box->lo[1] - old_box->lo[1], new_box->lo[2] - old_box->lo[2]},
      .lx = new_box->lx - old_box->lx,
      .ly = new_box->ly - old_box->ly,
      .lz = new_box->lz - old_box->lz,
      .xy = new_box->xy - old_box->xy,
      .xz = new_box->xz - old_box->xz,
      .yz = new_box->yz - old_box->yz,
  };
  const long n = (long) atoms->n;
#pragma omp parallel for schedule(static) if (n > AM_PARALLEL_MIN_ATOMS)
  for (long i = 0; i < n; i++) {
    double *x = atoms->x + 3 * i;
    double s[3];
    if (atoms->pinned[i]) {
      for (int k = 0; k < 3; k++)
        s[k] = atoms->pin_frac[3 * i + k];
    } else {
      am_box_to_frac(old_box, x, s);
    }
    const int32_t *img = atoms->image + 3 * i;
    const double su[3] = {s[0] + img[0], s[1] + img[1], s[2] + img[2]};
    double du[3];
    am_box_frac_to_vector(&d, su, du);
    for (int k = 0; k < 3; k++)
      atoms->affine[3 * i + k] += du[k] + d.lo[k];
    am_box_from_frac(new_box, s, x);
  }
}
