/* soft_modes.h: the vibrational soft spots of an inherent structure (paper Fig. S4).
 *
 * The mass-weighted dynamical matrix D_ab = H_ab / √(m_a m_b), H the Hessian of the
 * potential energy, is built two ways. Analytically (the default): the EAM Hessian is a
 * pair-like term per bond, ψ'' û⊗û + ψ'/r (1 − û⊗û) with ψ = φ + F'_i ρ_ji + F'_j ρ_ij,
 * plus F''_i ∇ρ_i ⊗ ∇ρ_i per atom, which couples every two neighbours of i; the
 * second derivatives of the splines come from three slopes inside one spline piece,
 * where the slope is a quadratic, so they are exact to round-off. Its cost is
 * O(n · neighbours²): seconds for 4000 atoms. By central differences of the engine's
 * forces: atom coordinate a is moved by ±h and −(F(+h) − F(−h)) / 2h is row a of H; the
 * cross-check, and O(n²) force work (6n force calls).
 * The tabulated potential (LAMMPS' cubic splines) is only C¹ at its knots, every
 * 7.6e-4 Å for CuZr_mm, so its Hessian jumps there by ~1e-3 of a pair's term: the
 * default step of 1e-4 Å averages over those jumps (asymmetry ~2e-4 of max |D| on a
 * glass), a step of 1e-7 Å crosses almost none (asymmetry ~5e-9); the soft modes of
 * the two agree to ~5e-4 in frequency. The lowest eigenpairs come from LAPACK's
 * dsyevr by index range. A periodic system without pinned atoms has three zero
 * (translation) modes, which are skipped; of the rest, the lowest fraction (1 %) are
 * the soft modes, and atom i's participation is p_i = Σ_ω |e_ω,i|² / N_modes, with
 * e_ω the unit eigenvectors of D (so Σ_i p_i = 1). Pinned atoms are not special here:
 * the matrix is the Hessian of the energy, in which every atom can move.
 *
 * Cost: the matrix (see above; the difference scheme runs in parallel over displaced
 * atoms, one system copy per OpenMP thread) and the partial eigensolution of a dense 3n × 3n matrix (8·9n² bytes,
 * 1.15 GB for n = 4000). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "sim/error.h"
#include "sim/fire.h"
#include "sim/system.h"

#define AM_SOFT_MODES_DEFAULT_H 1e-4        /* Å */
#define AM_SOFT_MODES_DEFAULT_FRACTION 0.01 /* of the 3n − 3 non-zero modes */

typedef enum {
  AM_HESSIAN_ANALYTIC = 0,     /* EAM second derivatives (default) */
  AM_HESSIAN_FINITE_DIFFERENCE /* central differences of forces with step h */
} AmHessianMethod;

typedef struct {
  AmHessianMethod method;
  double h;                /* finite-difference step (Å), for AM_HESSIAN_FINITE_DIFFERENCE */
  double fraction;         /* fraction of non-zero modes kept, (0, 1] */
  int zero_modes;          /* lowest modes skipped as zero (3 for a periodic system) */
  bool minimise;           /* run FIRE first (on a copy: the input system is not moved) */
  AmFireConfig fire;       /* settings of that minimisation */
  double zero_tolerance;   /* a skipped mode must have |ω²| below this fraction of the
                              largest kept ω², and the first kept mode must exceed it;
                              otherwise the input is not an inherent structure */
} AmSoftModeConfig;

typedef struct {
  size_t n;                /* atoms */
  size_t nmodes;           /* soft modes kept */
  int nzero;               /* modes skipped */
  double *omega2;          /* nzero + nmodes lowest eigenvalues of D, ascending
                              (eV/(Å²·amu)); the kept ones start at omega2[nzero] */
  double *frequency;       /* nmodes, THz: √(ω²)/2π in ps⁻¹ */
  double *participation;   /* n */
  double *modes;           /* 3n × nmodes, column k (stride 3n) is mode k */
  double asymmetry;        /* max |D_ab − D_ba| / max |D_ab| before symmetrising */
  double energy;           /* potential energy of the structure analysed (eV) */
  double fmax;             /* largest per-atom force there (eV/Å) */
  double seconds_matrix;   /* wall time building D */
  double seconds_eigen;    /* wall time of the eigensolution */
} AmSoftModes;

/* Defaults: analytic Hessian, h = 1e-4 Å, fraction 0.01, 3 zero modes, minimise with FIRE to
 * ftol 1e-8 eV/Å (max 200 000 iterations), zero tolerance 1e-6. */
void am_soft_mode_config_init(AmSoftModeConfig *cfg);

/* Dense D (3n × 3n, row-major = column-major since it is symmetrised) of sys at its
 * current positions. Positions of sys are restored exactly on return; its forces are
 * those of the unperturbed positions. asymmetry may be NULL. Refuses n = 0, h outside
 * (0, 0.05] Å and a matrix that would not fit in size_t. */
AmStatus am_dynamical_matrix(AmSystem *sys, double h, double *d, double *asymmetry, AmError *err);

/* The same matrix from the EAM second derivatives (sys->potential must be set). Any
 * box the force engine accepts: all periodic images within the cutoff are summed. */
AmStatus am_dynamical_matrix_analytic(const AmSystem *sys, double *d, AmError *err);

/* The whole chain on a copy of sys (sys itself is untouched). modes must be zeroed or
 * previously used. */
AmStatus am_soft_modes_compute(const AmSystem *sys, const AmSoftModeConfig *cfg, AmSoftModes *modes, AmError *err);
void am_soft_modes_free(AmSoftModes *modes);
