/* extxyz.h: extended XYZ trajectories (the format OVITO and ASE read), written frame by
 * frame, and read back.
 *
 * A frame is: the atom count; a comment line of key=value pairs
 *   Lattice="ax ay az bx by bz cx cy cz" Origin="xlo ylo zlo" pbc="T T T"
 *   Properties=species:S:1:pos:R:3:id:I:1[:name:R|I:k ...] Time=t [Step=n]
 * and one line per atom. Species is the type label (or the 1-based type number when
 * a type has none), so OVITO colours atoms by element. Lattice rows are the cell edge
 * vectors a, b, c of box.h. Extra per-atom columns are named by the caller.
 *
 * Frames are appended whole: each is formatted in memory and written with one write
 * call; if that fails (full disk), the file is cut back to where the frame began, so
 * a trajectory never ends in half a frame. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/atoms.h"
#include "sim/box.h"
#include "sim/error.h"

typedef enum { AM_XYZ_REAL, AM_XYZ_INT } AmXyzKind;

/* One caller-named per-atom column: ncomp values per atom, atom i's at [i*ncomp]. */
typedef struct {
  const char *name;       /* letters, digits and '_', not starting with a digit */
  AmXyzKind kind;
  int ncomp;              /* 1 … AM_XYZ_MAX_COMP */
  const double *real;     /* when kind == AM_XYZ_REAL (must be finite) */
  const int32_t *integer; /* when kind == AM_XYZ_INT */
} AmXyzColumn;

#define AM_XYZ_MAX_COMP 9
#define AM_XYZ_MAX_COLUMNS 16

enum {
  AM_XYZ_UNWRAPPED = 1u << 0, /* write x + image·(a, b, c) instead of the wrapped position */
  AM_XYZ_NO_STEP = 1u << 1,   /* leave out Step= */
};

typedef struct AmXyzWriter AmXyzWriter;

/* Opens a trajectory; append keeps existing frames, otherwise the file is truncated. */
AmStatus am_extxyz_open(const char *path, bool append, AmXyzWriter **writer, AmError *err);
/* Appends one frame: positions, ids, species, and the extra columns, with Time (ps) and
 * Step. Nothing is written when an argument is invalid (bad column name, NaN). */
AmStatus am_extxyz_write_frame(AmXyzWriter *writer, const AmBox *box, const AmAtoms *atoms, double time,
                               long long step, const AmXyzColumn *columns, size_t ncolumns, unsigned flags,
                               AmError *err);
/* Closes the file (fsyncs it first); reports a failing close. NULL is fine. */
AmStatus am_extxyz_close(AmXyzWriter *writer, AmError *err);

/* A frame read back. Every property is a column of doubles (integers and logicals
 * convert exactly); species are kept as strings. */
typedef struct {
  char name[32];
  char kind;      /* 'R', 'I' or 'L' as in the file */
  int ncomp;
  double *data;   /* n·ncomp */
} AmXyzProperty;

typedef struct {
  size_t n;
  bool has_lattice, has_origin, has_time, has_step;
  double lattice[3][3]; /* rows a, b, c */
  double origin[3];
  double time;
  long long step;
  char (*species)[16];  /* n labels, NULL when the frame has no species column */
  int nprops;
  AmXyzProperty props[AM_XYZ_MAX_COLUMNS + 2];
} AmXyzFrame;

/* Parses the frame that starts at text (first_line is its line number, for messages);
 * *consumed is how many bytes it took, so frames can be read in a loop. frame must be
 * zeroed or previously used (it is freed and refilled). */
AmStatus am_extxyz_parse_frame(const char *text, size_t len, const char *name, long first_line, AmXyzFrame *frame,
                               size_t *consumed, long *lines, AmError *err);
/* The column with this name, or NULL. */
const AmXyzProperty *am_extxyz_frame_property(const AmXyzFrame *frame, const char *name);
/* The box of a frame with a restricted-triclinic Lattice (a along x, b in the xy plane);
 * fails for a general cell. */
AmStatus am_extxyz_frame_box(const AmXyzFrame *frame, AmBox *box, AmError *err);
void am_extxyz_frame_free(AmXyzFrame *frame);
