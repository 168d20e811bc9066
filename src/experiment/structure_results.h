/* structure_results.h: what the structure protocol hands to the figure writer (batch.h,
 * AmFigureWriter) once its files are written: the per-atom columns, the RA / VA grouping,
 * positions and the RAs' displacement vectors for the map, and the partial g(r). Plain
 * borrowed arrays; the protocol owns them for the duration of the call. */
#pragma once

#include <glib.h>

#include "sim/atoms.h"

G_BEGIN_DECLS

typedef struct {
  const char *source;     /* what was analysed, one line (file name, atoms, state) */
  const char *selection;  /* where the RAs came from, one line; NULL without ra ids */
  const char *reference;  /* what the VAs are, one line; NULL without ra ids */
  gsize n;                /* atoms */
  const gint64 *id;
  const gint32 *type;     /* 0-based types < ntypes */
  int ntypes;
  const char *type_label[AM_MAX_TYPES]; /* element symbols */
  const double *x;        /* 3n wrapped positions (Å) */
  double box_lo[3];       /* box origin (Å) */
  double box_len[3];      /* lx, ly, lz (Å) */
  double box_xy;          /* xy tilt (Å); the map projects on the xy plane */
  /* Per-atom columns (n each); participation NULL without soft modes. */
  const double *volume, *theta, *q6, *energy, *von_mises, *participation;
  /* n: 1 selected RA, 0 VA, −1 neither; NULL when no ra ids were given. */
  const gint32 *group;
  /* 3n: the RAs' displacement vectors (Å), NaN where none is known; NULL when the
   * selection records none. */
  const double *displacement;
  const char *displacement_what; /* one line: what the vectors are */
  double temperature;            /* K of the selection, NaN if unknown */
  /* Partial pair distributions: n_rdf curves of rdf_bins values at radii rdf_r. */
  gsize rdf_bins;
  const double *rdf_r;
  gsize n_rdf;
  const double *const *rdf_g;
  const char *const *rdf_pair; /* "CuCu", "CuZr", … */
} AmStructureResults;

G_END_DECLS
