/* integrate.c: velocity Verlet with Nosé–Hoover chains and the MTK barostat, written from
 * the equations of Martyna, Tuckerman, Tobias and Klein (Mol. Phys. 87, 1117 (1996)) in the
 * Trotter splitting and parameter conventions of LAMMPS fix nh, plus prescribed shear and
 * pinning (see integrate.h for the order of operations). */
#include "sim/integrate.h"

#include <math.h>
#include <string.h>

#include "sim/box.h"
#include "sim/thermo.h"
#include "sim/units.h"

/* Per-atom loops here cost a few ns per atom; below this size a parallel region (a fork and
 * a barrier, ruinous when the cores are shared) costs more than it saves. */
#define AM_PARALLEL_MIN_ATOMS 50000

void am_integrator_config_init(AmIntegratorConfig *cfg, AmEnsemble ensemble, double dt)
{
  memset(cfg, 0, sizeof *cfg);
  cfg->ensemble = ensemble;
  cfg->dt = dt;
  cfg->t_damp = 100.0 * dt;
  cfg->t_chain = 3;
  cfg->p_damp = 1000.0 * dt;
  cfg->p_chain = 3;
  cfg->coupling = AM_BARO_ISO;
  cfg->mtk = true;
  cfg->shear.mode = AM_SHEAR_NONE;
  cfg->max_temperature = 1.0e5;
}

static const char *ensemble_name(AmEnsemble e)
{
  switch (e) {
  case AM_ENSEMBLE_NVE: return "NVE";
  case AM_ENSEMBLE_NVT: return "NVT";
  case AM_ENSEMBLE_NPT: return "NPT";
  }
  return "?";
}

AmStatus am_integrator_config_validate(const AmIntegratorConfig *cfg, AmError *err)
{
  if (cfg->ensemble != AM_ENSEMBLE_NVE && cfg->ensemble != AM_ENSEMBLE_NVT && cfg->ensemble != AM_ENSEMBLE_NPT)
    return am_error_set(err, AM_ERR_INVALID, "integrator: unknown ensemble %d", (int) cfg->ensemble);
  if (!isfinite(cfg->dt) || !(cfg->dt > 0.0))
    return am_error_set(err, AM_ERR_INVALID, "integrator: timestep must be positive (got %g ps)", cfg->dt);
  if (!isfinite(cfg->max_temperature) || !(cfg->max_temperature > 0.0))
    return am_error_set(err, AM_ERR_INVALID, "integrator: max_temperature must be positive (got %g K)",
                        cfg->max_temperature);
  const char *e = ensemble_name(cfg->ensemble);
  if (cfg->ensemble != AM_ENSEMBLE_NVE) {
    if (!isfinite(cfg->t_start) || cfg->t_start < 0.0 || !isfinite(cfg->t_stop) || !(cfg->t_stop > 0.0))
      return am_error_set(err, AM_ERR_INVALID,
                          "integrator %s: target temperatures must be finite, start ≥ 0 and stop > 0 "
                          "(got %g → %g K)",
                          e, cfg->t_start, cfg->t_stop);
    if (!isfinite(cfg->t_damp) || !(cfg->t_damp > 0.0))
      return am_error_set(err, AM_ERR_INVALID, "integrator %s: t_damp must be positive (got %g ps)", e,
                          cfg->t_damp);
    if (cfg->t_chain < 1 || cfg->t_chain > AM_NH_MAX_CHAIN)
      return am_error_set(err, AM_ERR_INVALID, "integrator %s: thermostat chain length %d is outside 1..%d", e,
                          cfg->t_chain, AM_NH_MAX_CHAIN);
  }
  if (cfg->ensemble == AM_ENSEMBLE_NPT) {
    if (!isfinite(cfg->p_start) || !isfinite(cfg->p_stop))
      return am_error_set(err, AM_ERR_INVALID, "integrator NPT: target pressures must be finite (got %g → %g bar)",
                          cfg->p_start, cfg->p_stop);
    if (!isfinite(cfg->p_damp) || !(cfg->p_damp > 0.0))
      return am_error_set(err, AM_ERR_INVALID, "integrator NPT: p_damp must be positive (got %g ps)", cfg->p_damp);
    if (cfg->p_chain < 0 || cfg->p_chain > AM_NH_MAX_CHAIN)
      return am_error_set(err, AM_ERR_INVALID, "integrator NPT: barostat chain length %d is outside 0..%d",
                          cfg->p_chain, AM_NH_MAX_CHAIN);
    if (cfg->coupling != AM_BARO_ISO && cfg->coupling != AM_BARO_ANISO)
      return am_error_set(err, AM_ERR_INVALID, "integrator NPT: unknown barostat coupling %d", (int) cfg->coupling);
    if (cfg->shear.mode != AM_SHEAR_NONE)
      return am_error_set(err, AM_ERR_UNSUPPORTED,
                          "integrator NPT: prescribed shear composes with NVE and NVT only (as fix deform "
                          "and fix npt may not control the same box component)");
  }
  AmStatus st = am_shear_config_validate(&cfg->shear, err);
  if (st)
    return st;
  return AM_OK;
}

/* ---- targets ---------------------------------------------------------------------------- */

static double ramp_value(double start, double stop, long long begin, long long end, long long step)
{
  if (end <= begin || step >= end)
    return stop;
  if (step <= begin)
    return start;
  return start + (double) (step - begin) / (double) (end - begin) * (stop - start);
}

static void compute_targets(AmIntegrator *integ, long long step)
{
  AmIntegratorState *s = &integ->state;
  if (integ->config.ensemble == AM_ENSEMBLE_NVE)
    return;
  s->t_target = ramp_value(s->t_ramp_start, s->t_ramp_stop, s->t_ramp_begin, s->t_ramp_end, step);
  if (integ->config.ensemble == AM_ENSEMBLE_NPT) {
    const double p = ramp_value(s->p_ramp_start, s->p_ramp_stop, s->p_ramp_begin, s->p_ramp_end, step);
    s->p_target[0] = s->p_target[1] = s->p_target[2] = p;
    s->p_hydro = p;
  }
}

/* ---- Nosé–Hoover chain on the particles ---------------------------------------------------- */

static void scale_velocities(AmAtoms *atoms, double factor)
{
  const long n3 = (long) (3 * atoms->n);
#pragma omp parallel for schedule(static) if (n3 > 3 * AM_PARALLEL_MIN_ATOMS)
  for (long k = 0; k < n3; k++)
    atoms->v[k] *= factor;
}

static void set_eta_masses(AmIntegrator *integ)
{
  AmIntegratorState *s = &integ->state;
  const double w = 1.0 / integ->config.t_damp;
  const double kt = AM_BOLTZ * s->t_target;
  s->eta_mass[0] = s->tdof * kt / (w * w);
  for (int c = 1; c < integ->config.t_chain; c++)
    s->eta_mass[c] = kt / (w * w);
}

/* Half-step (dt/2) update of the chain, Suzuki–Yoshida order 1 with one loop (LAMMPS tloop 1),
 * and the velocity scaling it implies. *t_current is kept consistent with the scaling. */
static void nhc_temp_half_step(AmIntegrator *integ, AmAtoms *atoms, double *t_current)
{
  AmIntegratorState *s = &integ->state;
  const int m = integ->config.t_chain;
  const double dt = integ->config.dt;
  const double dthalf = 0.5 * dt, dt4 = 0.25 * dt, dt8 = 0.125 * dt;
  const double kt = AM_BOLTZ * s->t_target;
  const double ke_target = s->tdof * kt;

  /* Masses follow the target so that a ramp keeps the thermostat frequency. */
  set_eta_masses(integ);
  s->eta_dot[m] = 0.0;
  double ke_current = s->tdof * AM_BOLTZ * (*t_current);
  s->eta_dotdot[0] = s->eta_mass[0] > 0.0 ? (ke_current - ke_target) / s->eta_mass[0] : 0.0;

  for (int c = m - 1; c > 0; c--) {
    const double e = exp(-dt8 * s->eta_dot[c + 1]);
    s->eta_dot[c] = (s->eta_dot[c] * e + s->eta_dotdot[c] * dt4) * e;
  }
  double e0 = exp(-dt8 * s->eta_dot[1]);
  s->eta_dot[0] = (s->eta_dot[0] * e0 + s->eta_dotdot[0] * dt4) * e0;

  const double factor = exp(-dthalf * s->eta_dot[0]);
  scale_velocities(atoms, factor);
  *t_current *= factor * factor;
  ke_current = s->tdof * AM_BOLTZ * (*t_current);
  s->eta_dotdot[0] = s->eta_mass[0] > 0.0 ? (ke_current - ke_target) / s->eta_mass[0] : 0.0;

  for (int c = 0; c < m; c++)
    s->eta[c] += dthalf * s->eta_dot[c];

  s->eta_dot[0] = (s->eta_dot[0] * e0 + s->eta_dotdot[0] * dt4) * e0;
  for (int c = 1; c < m; c++) {
    const double e = exp(-dt8 * s->eta_dot[c + 1]);
    s->eta_dotdot[c] = (s->eta_mass[c - 1] * s->eta_dot[c - 1] * s->eta_dot[c - 1] - kt) / s->eta_mass[c];
    s->eta_dot[c] = (s->eta_dot[c] * e + s->eta_dotdot[c] * dt4) * e;
  }
}

/* ---- barostat ------------------------------------------------------------------------------ */

/* Number of barostat degrees of freedom as the barostat chain sees them: LAMMPS treats the
 * coupled iso barostat as one, aniso as three. */
static double baro_lkt(const AmIntegrator *integ)
{
  const double kt = AM_BOLTZ * integ->state.t_target;
  return integ->config.coupling == AM_BARO_ISO ? kt : 3.0 * kt;
}

/* Barostat and barostat-chain masses from the current target T, set when a run (or a new
 * ramp) starts and kept during it, as LAMMPS does. */
static void set_baro_masses(AmIntegrator *integ, size_t natoms)
{
  AmIntegratorState *s = &integ->state;
  const double w = 1.0 / integ->config.p_damp;
  const double kt = AM_BOLTZ * s->t_target;
  /* W = (N + 1) k T / ω_p², as current LAMMPS. */
  for (int i = 0; i < 3; i++)
    s->omega_mass[i] = ((double) natoms + 1.0) * kt / (w * w);
  for (int c = 0; c < integ->config.p_chain; c++)
    s->etap_mass[c] = kt / (w * w);
}

static void nhc_press_half_step(AmIntegrator *integ)
{
  AmIntegratorState *s = &integ->state;
  const int m = integ->config.p_chain;
  if (m == 0)
    return;
  const double dt = integ->config.dt;
  const double dthalf = 0.5 * dt, dt4 = 0.25 * dt, dt8 = 0.125 * dt;
  const double kt = AM_BOLTZ * s->t_target;
  const double lkt = baro_lkt(integ);

  s->etap_dot[m] = 0.0;
  double ke = 0.0;
  for (int i = 0; i < 3; i++)
    ke += s->omega_mass[i] * s->omega_dot[i] * s->omega_dot[i];
  s->etap_dotdot[0] = (ke - lkt) / s->etap_mass[0];

  for (int c = m - 1; c > 0; c--) {
    const double e = exp(-dt8 * s->etap_dot[c + 1]);
    s->etap_dot[c] = (s->etap_dot[c] * e + s->etap_dotdot[c] * dt4) * e;
  }
  const double e0 = exp(-dt8 * s->etap_dot[1]);
  s->etap_dot[0] = (s->etap_dot[0] * e0 + s->etap_dotdot[0] * dt4) * e0;

  for (int c = 0; c < m; c++)
    s->etap[c] += dthalf * s->etap_dot[c];

  const double factor = exp(-dthalf * s->etap_dot[0]);
  for (int i = 0; i < 3; i++)
    s->omega_dot[i] *= factor;

  ke = 0.0;
  for (int i = 0; i < 3; i++)
    ke += s->omega_mass[i] * s->omega_dot[i] * s->omega_dot[i];
  s->etap_dotdot[0] = (ke - lkt) / s->etap_mass[0];

  s->etap_dot[0] = (s->etap_dot[0] * e0 + s->etap_dotdot[0] * dt4) * e0;
  for (int c = 1; c < m; c++) {
    const double e = exp(-dt8 * s->etap_dot[c + 1]);
    s->etap_dotdot[c] = (s->etap_mass[c - 1] * s->etap_dot[c - 1] * s->etap_dot[c - 1] - kt) / s->etap_mass[c];
    s->etap_dot[c] = (s->etap_dot[c] * e + s->etap_dotdot[c] * dt4) * e;
  }
}

/* The pressure the barostat sees: iso couples the three diagonal components into their mean
 * (LAMMPS compute pressure scalar), aniso takes each diagonal component. mvv is returned for
 * the MTK term. */
static void current_pressure(const AmIntegrator *integ, const AmSystem *sys, double p_current[3], double mvv[6])
{
  am_thermo_kinetic_tensor(&sys->atoms, mvv);
  const double scale = AM_NKTV2P / am_box_volume(&sys->box);
  double p[3];
  for (int i = 0; i < 3; i++)
    p[i] = (mvv[i] + sys->virial[i]) * scale;
  if (integ->config.coupling == AM_BARO_ISO) {
    const double mean = (p[0] + p[1] + p[2]) / 3.0;
    p_current[0] = p_current[1] = p_current[2] = mean;
  } else {
    for (int i = 0; i < 3; i++)
      p_current[i] = p[i];
  }
}

static void omega_dot_half_step(AmIntegrator *integ, const AmSystem *sys, double t_current)
{
  AmIntegratorState *s = &integ->state;
  const double dthalf = 0.5 * integ->config.dt;
  const double natoms = (double) sys->atoms.n;
  double p_current[3], mvv[6];
  current_pressure(integ, sys, p_current, mvv);
  const double volume = am_box_volume(&sys->box);

  s->mtk_term1 = 0.0;
  if (integ->config.mtk) {
    if (integ->config.coupling == AM_BARO_ISO)
      s->mtk_term1 = s->tdof * AM_BOLTZ * t_current / (3.0 * natoms);
    else
      s->mtk_term1 = (mvv[0] + mvv[1] + mvv[2]) / (3.0 * natoms);
  }
  for (int i = 0; i < 3; i++) {
    const double f = (p_current[i] - s->p_hydro) * volume / (s->omega_mass[i] * AM_NKTV2P) +
                     s->mtk_term1 / s->omega_mass[i];
    s->omega_dot[i] += f * dthalf;
  }
  s->mtk_term2 = 0.0;
  if (integ->config.mtk)
    s->mtk_term2 = (s->omega_dot[0] + s->omega_dot[1] + s->omega_dot[2]) / (3.0 * natoms);
}

static void v_press(const AmIntegrator *integ, AmAtoms *atoms)
{
  const AmIntegratorState *s = &integ->state;
  const double dt4 = 0.25 * integ->config.dt;
  double factor[3];
  for (int i = 0; i < 3; i++) {
    const double f = exp(-dt4 * (s->omega_dot[i] + s->mtk_term2));
    factor[i] = f * f;
  }
  const long n = (long) atoms->n;
#pragma omp parallel for schedule(static) if (n > AM_PARALLEL_MIN_ATOMS)
  for (long i = 0; i < n; i++)
    for (int k = 0; k < 3; k++)
      atoms->v[3 * i + k] *= factor[k];
}

/* Half a step of the box ODE ḣ = ω̇ h for diagonal ω̇: each length scales about the box
 * centre, tilts scale with the length they are measured against, atoms follow affinely. */
static void box_dilate_half_step(AmIntegrator *integ, AmSystem *sys)
{
  AmIntegratorState *s = &integ->state;
  const double dto = 0.5 * integ->config.dt;
  const AmBox old = sys->box;
  AmBox *b = &sys->box;
  double len[3] = {b->lx, b->ly, b->lz};
  for (int i = 0; i < 3; i++) {
    s->omega[i] += dto * s->omega_dot[i];
    const double e = exp(dto * s->omega_dot[i]);
    const double ctr = b->lo[i] + 0.5 * len[i];
    b->lo[i] = ctr - 0.5 * len[i] * e;
    len[i] *= e;
    if (i == 1)
      b->xy *= e;
    if (i == 2) {
      b->xz *= e;
      b->yz *= e;
    }
  }
  b->lx = len[0];
  b->ly = len[1];
  b->lz = len[2];
  am_shear_remap(&old, b, &sys->atoms);
}

/* ---- particles ----------------------------------------------------------------------------- */

/* v += dt/2 · f/m for unpinned atoms; returns Σ v² to detect NaN/Inf cheaply. */
static double kick(const AmIntegrator *integ, AmAtoms *atoms)
{
  const double dtf = 0.5 * integ->config.dt * AM_FTM2V;
  double inv_m[AM_MAX_TYPES];
  for (int t = 0; t < atoms->ntypes; t++)
    inv_m[t] = 1.0 / atoms->mass[t];
  const long n = (long) atoms->n;
  double vv = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : vv) if (n > AM_PARALLEL_MIN_ATOMS)
  for (long i = 0; i < n; i++) {
    if (atoms->pinned[i])
      continue;
    const double c = dtf * inv_m[atoms->type[i]];
    for (int k = 0; k < 3; k++) {
      atoms->v[3 * i + k] += c * atoms->f[3 * i + k];
      vv += atoms->v[3 * i + k] * atoms->v[3 * i + k];
    }
  }
  return vv;
}

static void drift(const AmIntegrator *integ, AmAtoms *atoms)
{
  const double dt = integ->config.dt;
  const long n = (long) atoms->n;
#pragma omp parallel for schedule(static) if (n > AM_PARALLEL_MIN_ATOMS)
  for (long i = 0; i < n; i++) {
    if (atoms->pinned[i])
      continue;
    for (int k = 0; k < 3; k++)
      atoms->x[3 * i + k] += dt * atoms->v[3 * i + k];
  }
}

static void place_pinned_and_wrap(AmSystem *sys)
{
  AmAtoms *a = &sys->atoms;
  const AmBox *box = &sys->box;
  const size_t n = a->n;
  /* Few atoms leave the cell in a step: a vectorised test with reciprocals instead of
   * am_box_to_frac's divisions, widened by far more than its rounding, picks those that
   * may have (and the pinned ones), and am_box_wrap's exact test decides for them. Every
   * other atom is inside, where am_box_wrap changes nothing. */
  const double ilx = 1.0 / box->lx, ily = 1.0 / box->ly, ilz = 1.0 / box->lz;
  const double lo0 = box->lo[0], lo1 = box->lo[1], lo2 = box->lo[2], xy = box->xy, xz = box->xz, yz = box->yz;
  const double in_lo = 1e-9, in_hi = 1.0 - 1e-9;
  const double *x = a->x;
  const uint8_t *pinned = a->pinned;
  enum { BLOCK = 256 };
  const long nblocks = (long) ((n + BLOCK - 1) / BLOCK);
#pragma omp parallel for schedule(static) if (n > AM_PARALLEL_MIN_ATOMS)
  for (long blk = 0; blk < nblocks; blk++) {
    const size_t b = (size_t) blk * BLOCK;
    const size_t cnt = n - b < BLOCK ? n - b : BLOCK;
    unsigned char check[BLOCK];
#pragma omp simd
    for (size_t k = 0; k < cnt; k++) {
      const size_t i = b + k;
      const double dz = x[3 * i + 2] - lo2, dy = x[3 * i + 1] - lo1, dx = x[3 * i] - lo0;
      const double sz = dz * ilz, sy = (dy - yz * sz) * ily, sx = (dx - xy * sy - xz * sz) * ilx;
      const int inside = (sx >= in_lo) & (sx < in_hi) & (sy >= in_lo) & (sy < in_hi) & (sz >= in_lo) & (sz < in_hi);
      check[k] = (unsigned char) ((inside ^ 1) | (pinned[i] != 0));
    }
    for (size_t k = 0; k < cnt; k++) {
      if (!check[k])
        continue;
      const size_t i = b + k;
      if (a->pinned[i]) {
        am_box_from_frac(box, a->pin_frac + 3 * i, a->x + 3 * i);
        a->v[3 * i] = a->v[3 * i + 1] = a->v[3 * i + 2] = 0.0;
      }
      am_box_wrap(box, a->x + 3 * i, a->image + 3 * i);
    }
  }
}

/* Pinned atoms keep fractional coordinates in [0, 1); a pin_frac outside is folded back and
 * the period goes into the image flags, so the unwrapped position is unchanged. */
static AmStatus normalise_pins(AmSystem *sys, AmError *err)
{
  AmAtoms *a = &sys->atoms;
  for (size_t i = 0; i < a->n; i++) {
    if (!a->pinned[i])
      continue;
    for (int k = 0; k < 3; k++) {
      double *s = a->pin_frac + 3 * i + k;
      if (!isfinite(*s))
        return am_error_set(err, AM_ERR_INVALID, "pinned atom %lld has a non-finite fractional coordinate",
                            (long long) a->id[i]);
      const double shift = floor(*s);
      if (shift != 0.0) {
        if (fabs(shift) > 1e6)
          return am_error_set(err, AM_ERR_INVALID,
                              "pinned atom %lld has fractional coordinate %g, far outside the cell",
                              (long long) a->id[i], *s);
        *s -= shift;
        a->image[3 * i + k] += (int32_t) shift;
      }
      if (*s >= 1.0) {
        *s -= 1.0;
        a->image[3 * i + k] += 1;
      }
    }
  }
  return AM_OK;
}

static AmStatus check_numbers(const AmIntegrator *integ, const AmSystem *sys, double t_current, AmError *err)
{
  if (!isfinite(sys->pe) || !isfinite(t_current))
    return am_error_set(err, AM_ERR_NUMERIC,
                        "integrator: non-finite energy or temperature at step %lld (t = %g ps): pe = %g eV, "
                        "T = %g K; the system blew up",
                        sys->step, sys->time, sys->pe, t_current);
  if (t_current > integ->config.max_temperature)
    return am_error_set(err, AM_ERR_NUMERIC,
                        "integrator: temperature %g K at step %lld (t = %g ps) exceeds the limit %g K; the system "
                        "is exploding (timestep too large, overlapping atoms or a broken potential?)",
                        t_current, sys->step, sys->time, integ->config.max_temperature);
  if (integ->config.ensemble == AM_ENSEMBLE_NPT) {
    const AmBox *b = &sys->box;
    if (!isfinite(b->lx * b->ly * b->lz) || !(b->lx > 0.0 && b->ly > 0.0 && b->lz > 0.0))
      return am_error_set(err, AM_ERR_NUMERIC, "integrator NPT: box became invalid at step %lld (%g × %g × %g Å)",
                          sys->step, b->lx, b->ly, b->lz);
  }
  return AM_OK;
}

/* ---- public API ---------------------------------------------------------------------------- */

AmStatus am_integrator_init(AmIntegrator *integ, const AmIntegratorConfig *cfg, AmSystem *sys,
                            long long ramp_steps, AmError *err)
{
  AmStatus st = am_integrator_config_validate(cfg, err);
  if (st)
    return st;
  if ((st = am_box_validate(&sys->box, err)))
    return am_error_prefix(err, "integrator: ");
  if ((st = am_atoms_validate(&sys->atoms, err)))
    return am_error_prefix(err, "integrator: ");
  if (sys->atoms.n == 0)
    return am_error_set(err, AM_ERR_INVALID, "integrator: the system has no atoms");

  memset(integ, 0, sizeof *integ);
  integ->config = *cfg;
  AmIntegratorState *s = &integ->state;
  s->magic = AM_INTEGRATOR_MAGIC;
  s->version = AM_INTEGRATOR_VERSION;
  s->step0 = sys->step;
  s->time0 = sys->time;
  const long long end = sys->step + (ramp_steps > 0 ? ramp_steps : 0);
  s->t_ramp_start = cfg->t_start;
  s->t_ramp_stop = cfg->t_stop;
  s->t_ramp_begin = sys->step;
  s->t_ramp_end = end;
  s->p_ramp_start = cfg->p_start;
  s->p_ramp_stop = cfg->p_stop;
  s->p_ramp_begin = sys->step;
  s->p_ramp_end = end;
  if (cfg->shear.mode != AM_SHEAR_NONE)
    am_shear_begin(&s->shear, &sys->box, sys->time);

  if ((st = normalise_pins(sys, err)))
    return st;
  place_pinned_and_wrap(sys);
  s->tdof = am_thermo_dof(&sys->atoms);
  if (cfg->ensemble != AM_ENSEMBLE_NVE && !(s->tdof > 0.0))
    return am_error_set(err, AM_ERR_INVALID, "integrator %s: %zu unpinned atoms leave no degree of freedom to thermostat",
                        ensemble_name(cfg->ensemble), am_thermo_count_unpinned(&sys->atoms));

  if ((st = am_system_compute_forces(sys, err)))
    return st;
  s->forces_current = true;

  compute_targets(integ, sys->step);
  if (cfg->ensemble != AM_ENSEMBLE_NVE) {
    set_eta_masses(integ);
    const double kt = AM_BOLTZ * s->t_target;
    for (int c = 1; c < cfg->t_chain; c++)
      s->eta_dotdot[c] = (s->eta_mass[c - 1] * s->eta_dot[c - 1] * s->eta_dot[c - 1] - kt) / s->eta_mass[c];
  }
  if (cfg->ensemble == AM_ENSEMBLE_NPT) {
    s->vol0 = am_box_volume(&sys->box);
    set_baro_masses(integ, sys->atoms.n);
    const double kt = AM_BOLTZ * s->t_target;
    for (int c = 1; c < cfg->p_chain; c++)
      s->etap_dotdot[c] = (s->etap_mass[c - 1] * s->etap_dot[c - 1] * s->etap_dot[c - 1] - kt) / s->etap_mass[c];
  }
  return check_numbers(integ, sys, am_thermo_temperature(&sys->atoms), err);
}

AmStatus am_integrator_step(AmIntegrator *integ, AmSystem *sys, AmError *err)
{
  const AmIntegratorConfig *cfg = &integ->config;
  AmIntegratorState *s = &integ->state;
  if (s->magic != AM_INTEGRATOR_MAGIC)
    return am_error_set(err, AM_ERR_INVALID, "integrator: not initialised (call am_integrator_init first)");
  if (sys->atoms.n == 0)
    return am_error_set(err, AM_ERR_INVALID, "integrator: the system has no atoms");
  AmStatus st;
  if (!s->forces_current) {
    if ((st = am_system_compute_forces(sys, err)))
      return st;
    s->forces_current = true;
  }
  const bool thermostat = cfg->ensemble != AM_ENSEMBLE_NVE;
  const bool barostat = cfg->ensemble == AM_ENSEMBLE_NPT;
  const long long new_step = sys->step + 1;

  compute_targets(integ, new_step);
  double t_current = am_thermo_temperature(&sys->atoms);

  /* First half: chains, barostat velocity, kick, drift (with the box dilating around it). */
  if (barostat)
    nhc_press_half_step(integ);
  if (thermostat)
    nhc_temp_half_step(integ, &sys->atoms, &t_current);
  if (barostat) {
    omega_dot_half_step(integ, sys, t_current);
    v_press(integ, &sys->atoms);
  }
  const double vv = kick(integ, &sys->atoms);
  if (!isfinite(vv))
    return am_error_set(err, AM_ERR_NUMERIC,
                        "integrator: non-finite velocities at step %lld (t = %g ps), from non-finite forces",
                        new_step, sys->time);
  /* No physical run moves an atom 10⁴ Å in one step; refusing here also keeps the image
   * counts of the wrap far from integer overflow. */
  if (vv * cfg->dt * cfg->dt > 1e8)
    return am_error_set(err, AM_ERR_NUMERIC,
                        "integrator: velocities at step %lld (t = %g ps) would move atoms more than 10^4 Å in one "
                        "step; the system is exploding",
                        new_step, sys->time);
  if (barostat)
    box_dilate_half_step(integ, sys);
  drift(integ, &sys->atoms);
  if (barostat)
    box_dilate_half_step(integ, sys);

  /* The box of the new instant, before the force call, so that forces, energy and virial
   * belong to the positions and box of step new_step. */
  sys->step = new_step;
  sys->time = s->time0 + (double) (new_step - s->step0) * cfg->dt;
  if (cfg->shear.mode != AM_SHEAR_NONE) {
    const AmBox old = sys->box;
    sys->box.xy = am_shear_tilt(&cfg->shear, &s->shear, sys->time);
    am_shear_remap(&old, &sys->box, &sys->atoms);
  }
  place_pinned_and_wrap(sys);
  s->forces_current = false;
  if ((st = am_system_compute_forces(sys, err)))
    return st;
  s->forces_current = true;

  /* Second half. */
  kick(integ, &sys->atoms);
  if (barostat)
    v_press(integ, &sys->atoms);
  t_current = am_thermo_temperature(&sys->atoms);
  if (barostat)
    omega_dot_half_step(integ, sys, t_current);
  if (thermostat)
    nhc_temp_half_step(integ, &sys->atoms, &t_current);
  if (barostat)
    nhc_press_half_step(integ);

  return check_numbers(integ, sys, t_current, err);
}

AmStatus am_integrator_run(AmIntegrator *integ, AmSystem *sys, long long nsteps, AmError *err)
{
  for (long long k = 0; k < nsteps; k++) {
    AmStatus st = am_integrator_step(integ, sys, err);
    if (st)
      return st;
  }
  return AM_OK;
}

void am_integrator_set_temperature_ramp(AmIntegrator *integ, const AmSystem *sys, double t_start, double t_stop,
                                        long long steps)
{
  AmIntegratorState *s = &integ->state;
  s->t_ramp_start = t_start;
  s->t_ramp_stop = t_stop;
  s->t_ramp_begin = sys->step;
  s->t_ramp_end = sys->step + (steps > 0 ? steps : 0);
  compute_targets(integ, sys->step);
  /* LAMMPS fixes the barostat masses from the target T when a run starts and keeps them;
   * a new ramp is a new run. (The thermostat masses follow the target every step.) */
  if (integ->config.ensemble == AM_ENSEMBLE_NPT)
    set_baro_masses(integ, sys->atoms.n);
}

void am_integrator_set_pressure_ramp(AmIntegrator *integ, const AmSystem *sys, double p_start, double p_stop,
                                     long long steps)
{
  AmIntegratorState *s = &integ->state;
  s->p_ramp_start = p_start;
  s->p_ramp_stop = p_stop;
  s->p_ramp_begin = sys->step;
  s->p_ramp_end = sys->step + (steps > 0 ? steps : 0);
  compute_targets(integ, sys->step);
}

AmStatus am_integrator_update_pinning(AmIntegrator *integ, AmSystem *sys, AmError *err)
{
  AmStatus st = normalise_pins(sys, err);
  if (st)
    return st;
  place_pinned_and_wrap(sys);
  const double dof = am_thermo_dof(&sys->atoms);
  if (integ->config.ensemble != AM_ENSEMBLE_NVE && !(dof > 0.0))
    return am_error_set(err, AM_ERR_INVALID, "integrator: %zu unpinned atoms leave no degree of freedom to thermostat",
                        am_thermo_count_unpinned(&sys->atoms));
  integ->state.tdof = dof;
  /* Pinned atoms may have jumped to their reference sites: start the neighbour list afresh. */
  am_system_invalidate(sys);
  integ->state.forces_current = false;
  if ((st = am_system_compute_forces(sys, err)))
    return st;
  integ->state.forces_current = true;
  return AM_OK;
}

void am_integrator_restart_shear(AmIntegrator *integ, const AmSystem *sys)
{
  if (integ->config.shear.mode != AM_SHEAR_NONE)
    am_shear_begin(&integ->state.shear, &sys->box, sys->time);
}

double am_integrator_target_temperature(const AmIntegrator *integ)
{
  return integ->config.ensemble == AM_ENSEMBLE_NVE ? 0.0 : integ->state.t_target;
}

double am_integrator_target_pressure(const AmIntegrator *integ)
{
  return integ->config.ensemble == AM_ENSEMBLE_NPT ? integ->state.p_hydro : 0.0;
}

double am_integrator_strain(const AmIntegrator *integ, const AmSystem *sys)
{
  if (integ->config.shear.mode == AM_SHEAR_NONE)
    return 0.0;
  return am_shear_strain(&integ->config.shear, &integ->state.shear, sys->time);
}

double am_integrator_conserved_energy(const AmIntegrator *integ, const AmSystem *sys)
{
  const AmIntegratorConfig *cfg = &integ->config;
  const AmIntegratorState *s = &integ->state;
  double e = sys->pe + am_thermo_kinetic_energy(&sys->atoms);
  if (cfg->ensemble == AM_ENSEMBLE_NVE)
    return e;
  const double kt = AM_BOLTZ * s->t_target;
  e += s->tdof * kt * s->eta[0] + 0.5 * s->eta_mass[0] * s->eta_dot[0] * s->eta_dot[0];
  for (int c = 1; c < cfg->t_chain; c++)
    e += kt * s->eta[c] + 0.5 * s->eta_mass[c] * s->eta_dot[c] * s->eta_dot[c];
  if (cfg->ensemble == AM_ENSEMBLE_NPT) {
    const double volume = am_box_volume(&sys->box);
    for (int i = 0; i < 3; i++)
      e += 0.5 * s->omega_mass[i] * s->omega_dot[i] * s->omega_dot[i];
    e += s->p_hydro * (volume - s->vol0) / AM_NKTV2P;
    if (cfg->p_chain > 0) {
      e += baro_lkt(integ) * s->etap[0] + 0.5 * s->etap_mass[0] * s->etap_dot[0] * s->etap_dot[0];
      for (int c = 1; c < cfg->p_chain; c++)
        e += kt * s->etap[c] + 0.5 * s->etap_mass[c] * s->etap_dot[c] * s->etap_dot[c];
    }
  }
  return e;
}

AmStatus am_integrator_validate(const AmIntegrator *integ, AmError *err)
{
  const AmIntegratorState *s = &integ->state;
  if (s->magic != AM_INTEGRATOR_MAGIC)
    return am_error_set(err, AM_ERR_FORMAT, "integrator state: bad magic number 0x%08x (expected 0x%08x)", s->magic,
                        AM_INTEGRATOR_MAGIC);
  if (s->version != AM_INTEGRATOR_VERSION)
    return am_error_set(err, AM_ERR_FORMAT, "integrator state: version %u, this build reads version %u", s->version,
                        AM_INTEGRATOR_VERSION);
  AmStatus st = am_integrator_config_validate(&integ->config, err);
  if (st)
    return am_error_prefix(err, "integrator state: ");
  const double scalars[] = {s->t_ramp_start, s->t_ramp_stop, s->p_ramp_start, s->p_ramp_stop, s->t_target,
                            s->p_hydro,      s->tdof,        s->time0,        s->mtk_term1,    s->mtk_term2,
                            s->vol0,         s->shear.t0,    s->shear.xy0,    s->shear.ly0};
  for (size_t k = 0; k < sizeof scalars / sizeof scalars[0]; k++)
    if (!isfinite(scalars[k]))
      return am_error_set(err, AM_ERR_FORMAT, "integrator state: non-finite value (scalar %zu)", k);
  const double *arrays[] = {s->eta, s->eta_dot, s->eta_dotdot, s->eta_mass, s->etap, s->etap_dot, s->etap_dotdot,
                            s->etap_mass};
  for (size_t a = 0; a < sizeof arrays / sizeof arrays[0]; a++)
    for (int c = 0; c < AM_NH_MAX_CHAIN; c++)
      if (!isfinite(arrays[a][c]))
        return am_error_set(err, AM_ERR_FORMAT, "integrator state: non-finite thermostat chain variable");
  for (int i = 0; i < 3; i++)
    if (!isfinite(s->omega[i]) || !isfinite(s->omega_dot[i]) || !isfinite(s->omega_mass[i]) ||
        !isfinite(s->p_target[i]))
      return am_error_set(err, AM_ERR_FORMAT, "integrator state: non-finite barostat variable");
  if (integ->config.ensemble == AM_ENSEMBLE_NPT && !(s->vol0 > 0.0))
    return am_error_set(err, AM_ERR_FORMAT, "integrator state: reference volume %g Å³ is not positive", s->vol0);
  return AM_OK;
}

AmStatus am_integrator_resume(AmIntegrator *integ, AmSystem *sys, AmError *err)
{
  AmStatus st = am_integrator_validate(integ, err);
  if (st)
    return st;
  if ((st = am_box_validate(&sys->box, err)))
    return am_error_prefix(err, "integrator: ");
  if ((st = am_atoms_validate(&sys->atoms, err)))
    return am_error_prefix(err, "integrator: ");
  if ((st = normalise_pins(sys, err)))
    return st;
  place_pinned_and_wrap(sys);
  const double dof = am_thermo_dof(&sys->atoms);
  if (integ->config.ensemble != AM_ENSEMBLE_NVE && !(dof > 0.0))
    return am_error_set(err, AM_ERR_INVALID, "integrator: %zu unpinned atoms leave no degree of freedom to thermostat",
                        am_thermo_count_unpinned(&sys->atoms));
  integ->state.tdof = dof;
  integ->state.forces_current = false;
  if ((st = am_system_compute_forces(sys, err)))
    return st;
  integ->state.forces_current = true;
  return AM_OK;
}
