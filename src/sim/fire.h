/* fire.h: FIRE energy minimisation at fixed box (to inherent structures, soft modes).
 *
 * FIRE 2.0 as LAMMPS `min_style fire` runs it by default (Guénolé et al., Comput. Mater.
 * Sci. 175, 109584 (2020)): semi-implicit Euler steps, mixing v ← (1−α) v + α |v| f̂,
 * a delay of 20 steps before the timestep grows, a half step back on uphill moves, and
 * no atom moving more than dmax per step. Pinned atoms stay where they are. Stopping rules
 * are LAMMPS' (`minimize etol ftol maxiter maxeval`): the energy criterion compares
 * successive energies relative to their size, the force criterion the norm of the force
 * vector. Velocities are used as scratch and set to zero on return. */
#pragma once

#include "sim/error.h"
#include "sim/system.h"

typedef enum {
  AM_FIRE_NORM_TWO = 0, /* √(Σ f²) over all free components (LAMMPS default) */
  AM_FIRE_NORM_MAX,     /* largest per-atom |f| */
  AM_FIRE_NORM_INF,     /* largest single component */
} AmFireNorm;

typedef struct {
  double etol;       /* relative energy tolerance, 0 to disable (LAMMPS etol) */
  double ftol;       /* force-norm tolerance (eV/Å), 0 to disable */
  int max_iter;      /* maximum iterations */
  int max_eval;      /* maximum force evaluations (0: no limit beyond max_iter) */
  AmFireNorm norm;
  double dt;         /* initial timestep (ps); LAMMPS uses the run's timestep */
  double tmax;       /* dt ≤ tmax·dt0 (10) */
  double tmin;       /* dt ≥ tmin·dt0 (0.02) */
  int delaystep;     /* steps with P > 0 before dt grows (20) */
  double dtgrow;     /* 1.1 */
  double dtshrink;   /* 0.5 */
  double alpha0;     /* 0.25 */
  double alphashrink;/* 0.99 */
  double dmax;       /* largest displacement of one atom per step (Å) (0.1) */
  int vdfmax;        /* consecutive uphill steps allowed before giving up (2000) */
  int halfstepback;  /* 1: step back half a step on P ≤ 0 (default) */
} AmFireConfig;

typedef enum {
  AM_FIRE_STOP_ETOL,      /* energy tolerance met */
  AM_FIRE_STOP_FTOL,      /* force tolerance met */
  AM_FIRE_STOP_MAX_ITER,  /* iteration limit reached */
  AM_FIRE_STOP_MAX_EVAL,  /* force-evaluation limit reached */
  AM_FIRE_STOP_VDFMAX,    /* too many uphill steps in a row */
} AmFireStop;

typedef struct {
  AmFireStop reason;
  int iterations;
  int evaluations;
  double energy_initial; /* eV */
  double energy_final;   /* eV */
  double fnorm;          /* final norm of the chosen kind (eV/Å) */
  double fmax;           /* final largest per-atom |f| of free atoms (eV/Å) */
} AmFireResult;

/* Defaults above, etol = 0, ftol = 1e-6, max_iter = 10000, dt = 0.001 ps. */
void am_fire_config_init(AmFireConfig *cfg);
const char *am_fire_stop_name(AmFireStop reason);
/* Minimises sys in place; on return sys->pe, virial and forces belong to the final
 * positions. Reaching max_iter is not an error (result.reason says so); NaN, a broken
 * configuration or a failed force call is. */
AmStatus am_fire_minimize(AmSystem *sys, const AmFireConfig *cfg, AmFireResult *result, AmError *err);
