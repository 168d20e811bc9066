/* glass_transition.h: the glass transition temperature T_g from a cooling curve V(T).
 *
 * On cooling, the volume of a supercooled liquid falls along one nearly straight line and,
 * once the structure freezes, the glass's along a flatter one. T_g is where the two lines
 * cross. The hard part is choosing which points belong to which branch without looking:
 * here the split is the one that makes two independent straight-line fits best overall
 * (least total squared residual, "broken-stick" regression), scanned over every split
 * that leaves at least min_points on each side. A window [t_min, t_max] can exclude points
 * that are neither branch (the hot liquid far from T_g, whose V(T) curves; the very start
 * of the cooling ramp, where the thermostat lags). The fit fails, rather than returning a
 * number, when the branches do not kink the right way (the liquid must expand faster) or
 * the crossing lies outside the fitted data. */
#pragma once

#include <stddef.h>

#include "sim/error.h"

typedef struct {
  double t_min;      /* only points with T ≥ t_min are used (K); ≤ 0: no lower limit */
  double t_max;      /* only points with T ≤ t_max (K); ≤ 0: no upper limit */
  size_t min_points; /* fewest points per branch; 0 means 4 */
} AmTgOptions;

typedef struct {
  double tg;                   /* crossing temperature (K) */
  double glass_slope, glass_intercept;    /* V = slope·T + intercept below the split */
  double liquid_slope, liquid_intercept;  /* above it */
  double glass_t_lo, glass_t_hi;   /* temperature range of the glass branch's points (K) */
  double liquid_t_lo, liquid_t_hi; /* of the liquid branch's points (K) */
  size_t glass_points, liquid_points;
  double rms;                  /* root mean square residual of both fits (units of V) */
} AmTgFit;

/* Fits the two branches to n points (t[i], v[i]) in any order; opts may be NULL. V may be
 * a volume, a volume per atom or an energy per atom: only the kink matters. */
AmStatus am_glass_transition_fit(const double *t, const double *v, size_t n, const AmTgOptions *opts,
                                 AmTgFit *fit, AmError *err);
