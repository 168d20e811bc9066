/* integrate.h: time integration of an AmSystem: velocity Verlet (NVE), Nosé–Hoover chains
 * (NVT) and the Martyna–Tuckerman–Klein barostat (NPT), following LAMMPS `fix nve`,
 * `fix nvt` and `fix npt` (fix_nh.cpp: Trotter splitting, chain length 3, mtk yes,
 * tchain = pchain = 3, T/P ramps over a run), plus prescribed shear (shear.h) and pinning.
 *
 * One step n → n+1 (time t → t + dt), in this order:
 *   [NPT] barostat chain and ω̇ half step, velocity scaling by the barostat;
 *   [NVT/NPT] thermostat chain half step, velocity scaling;
 *   kick v += (dt/2) f/m;
 *   [NPT] box dilation half step; drift x += dt v; [NPT] box dilation half step;
 *   [shear] box tilt set to xy(t + dt), every atom remapped affinely (shear.h);
 *   pinned atoms placed at pin_frac in the new box; atoms wrapped (image flags kept);
 *   force call;
 *   kick v += (dt/2) f/m; [NPT] barostat velocity scaling and ω̇ half step;
 *   [NVT/NPT] thermostat chain half step; [NPT] barostat chain half step.
 * So after am_integrator_step returns, sys->box, sys->atoms.x, sys->pe, sys->virial and
 * am_shear_strain(…, sys->time) ALL refer to the same instant sys->time = t + dt: the
 * virial of step n is paired with the strain and box of step n (SCIENCE.md, MD-DMS step
 * 4). This differs from LAMMPS `fix deform`, which moves the box in end_of_step after the
 * force call, so its thermo output pairs the stress of one box with the strain of the next.
 *
 * Pinned atoms: no velocity, their forces are not integrated, no thermostat degree of
 * freedom (thermo.h), no kinetic stress; they keep pin_frac in the moving box.
 *
 * AmIntegrator is plain data (no pointers, no allocations): checkpointing may save and
 * restore the whole struct bytewise (with sys->step and sys->time, which the ramps and the
 * shear clock read); after restoring, am_integrator_resume checks it and recomputes the
 * forces, and the run continues as if never interrupted. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sim/error.h"
#include "sim/shear.h"
#include "sim/system.h"

#define AM_NH_MAX_CHAIN 8

typedef enum {
  AM_ENSEMBLE_NVE = 0,
  AM_ENSEMBLE_NVT,
  AM_ENSEMBLE_NPT,
} AmEnsemble;

typedef enum {
  AM_BARO_ISO = 0, /* one strain rate for x, y, z driven by the mean pressure (`iso`) */
  AM_BARO_ANISO,   /* x, y, z each driven by its own Pxx, Pyy, Pzz (`aniso`) */
} AmBaroCoupling;

typedef struct {
  AmEnsemble ensemble;
  double dt;            /* timestep (ps) */
  /* Thermostat (NVT, NPT). */
  double t_start;       /* target T at the start of the ramp (K) */
  double t_stop;        /* target T at its end (K) */
  double t_damp;        /* thermostat period (ps); am_integrator_config_init: 100·dt */
  int t_chain;          /* chain length (3) */
  /* Barostat (NPT). */
  double p_start;       /* target pressure (bar) */
  double p_stop;
  double p_damp;        /* barostat period (ps); 1000·dt */
  int p_chain;          /* barostat thermostat chain length (3) */
  AmBaroCoupling coupling;
  bool mtk;             /* MTK correction terms (LAMMPS mtk yes) */
  /* Prescribed shear (NVE, NVT only). */
  AmShearConfig shear;
  /* Safety: a step fails with AM_ERR_NUMERIC when T exceeds this (K) or anything turns
   * NaN/Inf. am_integrator_config_init: 1e5 K. */
  double max_temperature;
} AmIntegratorConfig;

/* Everything that evolves; saved bytewise with the config. */
typedef struct {
  uint32_t magic;  /* AM_INTEGRATOR_MAGIC once initialised */
  uint32_t version;
  /* Ramps of the targets: linear from *_ramp_start at step *_ramp_begin to *_ramp_stop at
   * *_ramp_end, constant after it (LAMMPS computes the target from the step number). */
  double t_ramp_start, t_ramp_stop;
  long long t_ramp_begin, t_ramp_end;
  double p_ramp_start, p_ramp_stop;
  long long p_ramp_begin, p_ramp_end;
  double t_target;          /* current target temperature (K) */
  double p_target[3];       /* current target diagonal pressure (bar) */
  double p_hydro;           /* mean of the controlled targets (bar) */
  /* sys->time = time0 + (sys->step - step0)·dt, exact and free of accumulated rounding. */
  long long step0;
  double time0;
  double tdof;              /* degrees of freedom seen by the thermostat */
  /* Thermostat chain (positions, velocities, forces, masses). */
  double eta[AM_NH_MAX_CHAIN];
  double eta_dot[AM_NH_MAX_CHAIN + 1];
  double eta_dotdot[AM_NH_MAX_CHAIN];
  double eta_mass[AM_NH_MAX_CHAIN];
  /* Barostat: log-strain rates ω̇ (xx yy zz), their mass, and the barostat's own chain. */
  double omega[3];
  double omega_dot[3];
  double omega_mass[3];
  double etap[AM_NH_MAX_CHAIN];
  double etap_dot[AM_NH_MAX_CHAIN + 1];
  double etap_dotdot[AM_NH_MAX_CHAIN];
  double etap_mass[AM_NH_MAX_CHAIN];
  double mtk_term1, mtk_term2;
  double vol0;              /* reference volume for the barostat (Å³) */
  /* Shear origin. */
  AmShearState shear;
  bool forces_current;      /* sys->f/pe/virial belong to the current positions */
} AmIntegratorState;

typedef struct {
  AmIntegratorConfig config;
  AmIntegratorState state;
} AmIntegrator;

#define AM_INTEGRATOR_MAGIC 0x414d4947u /* "AMIG" */
#define AM_INTEGRATOR_VERSION 1u

/* Defaults for an ensemble: dt given, targets 0, t_damp 100·dt, p_damp 1000·dt, chains 3,
 * iso, mtk on, no shear. Set t_start = t_stop (and p_*) before am_integrator_init. */
void am_integrator_config_init(AmIntegratorConfig *cfg, AmEnsemble ensemble, double dt);
AmStatus am_integrator_config_validate(const AmIntegratorConfig *cfg, AmError *err);

/* Starts integrating sys (LAMMPS `run` setup): validates config and system, computes
 * forces, sets the chain masses from the current degrees of freedom, starts the T/P ramp
 * at sys->step and the shear origin at sys->time with the current tilt. The ramp ends
 * after ramp_steps steps (≤ 0: targets are t_stop/p_stop from the start). */
AmStatus am_integrator_init(AmIntegrator *integ, const AmIntegratorConfig *cfg, AmSystem *sys,
                            long long ramp_steps, AmError *err);

/* One step (see top of file). Advances sys->step and sys->time. Fails with
 * AM_ERR_NUMERIC on NaN/Inf or T > max_temperature, leaving the system as it was when
 * the problem was found. */
AmStatus am_integrator_step(AmIntegrator *integ, AmSystem *sys, AmError *err);
/* n steps, stopping at the first failure. */
AmStatus am_integrator_run(AmIntegrator *integ, AmSystem *sys, long long nsteps, AmError *err);

/* Changes the targets between steps: linear ramps from the given start to stop values over
 * the next `steps` steps starting at sys->step (steps ≤ 0: jump to stop at once), like a
 * new LAMMPS run with `fix npt temp Tstart Tstop`. The thermostat masses follow the target
 * every step; the barostat masses are set from the target when a ramp starts (as LAMMPS
 * sets them when a run starts) and kept during it. */
void am_integrator_set_temperature_ramp(AmIntegrator *integ, const AmSystem *sys, double t_start,
                                        double t_stop, long long steps);
void am_integrator_set_pressure_ramp(AmIntegrator *integ, const AmSystem *sys, double p_start,
                                     double p_stop, long long steps);
/* Re-reads the degrees of freedom after pinning or unpinning atoms between steps, and
 * places newly pinned atoms at pin_frac with zero velocity. */
AmStatus am_integrator_update_pinning(AmIntegrator *integ, AmSystem *sys, AmError *err);
/* Restarts the shear origin at the current time and tilt (γ = 0 now). */
void am_integrator_restart_shear(AmIntegrator *integ, const AmSystem *sys);

/* Current target temperature (K) and pressure (bar). */
double am_integrator_target_temperature(const AmIntegrator *integ);
double am_integrator_target_pressure(const AmIntegrator *integ);
/* The prescribed strain γ at the system's current time (0 without shear). */
double am_integrator_strain(const AmIntegrator *integ, const AmSystem *sys);
/* The energy the extended system conserves (eV): pe + ke + thermostat and barostat terms
 * (LAMMPS `etotal + f_nvt` / `f_npt`). Constant up to integration error in NVE/NVT/NPT
 * without shear; its drift measures integration quality. */
double am_integrator_conserved_energy(const AmIntegrator *integ, const AmSystem *sys);

/* Checks a restored integrator (magic, version, finite numbers, config valid). */
AmStatus am_integrator_validate(const AmIntegrator *integ, AmError *err);
/* Continues a restored integrator on a restored system: validates it, re-reads the degrees
 * of freedom, and recomputes forces, energy and virial (a checkpoint need not store them). */
AmStatus am_integrator_resume(AmIntegrator *integ, AmSystem *sys, AmError *err);
