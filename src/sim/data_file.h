/* data_file.h: LAMMPS data files, atom_style atomic, read and written.
 *
 * Reads orthogonal and triclinic boxes, Masses, Atoms (with or without the three image
 * flags) and Velocities sections, in any order LAMMPS accepts, with comments. Type t in
 * the file is t-1 in AmAtoms. A mass line's trailing comment ("1 63.546 # Cu") becomes the
 * type label (an "Atom Type Labels" section, as newer LAMMPS writes, takes precedence). Writes what LAMMPS' write_data writes for the same state (labels as
 * comments), so LAMMPS reads it back. Errors name the file, the line and what was
 * expected. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sim/atoms.h"
#include "sim/box.h"
#include "sim/error.h"

typedef struct {
  char title[256];       /* first line of the file */
  bool has_masses;
  bool has_velocities;
  bool has_images;
} AmDataInfo;

/* atoms must be zero-initialised or hold earlier atoms (they are freed and replaced on
 * success). On failure box, atoms and info are left untouched. info may be NULL. */
AmStatus am_data_read(const char *path, AmBox *box, AmAtoms *atoms, AmDataInfo *info, AmError *err);
/* Same, from a buffer (for tests and fuzzing); name is used in messages. */
AmStatus am_data_parse(const char *text, size_t len, const char *name, AmBox *box, AmAtoms *atoms,
                       AmDataInfo *info, AmError *err);
/* Writes atoms sorted by id; velocities are written when with_velocities. The write goes
 * to a temporary file that is renamed into place, so a failed write leaves no half file. */
AmStatus am_data_write(const char *path, const AmBox *box, const AmAtoms *atoms, const char *title,
                       bool with_velocities, AmError *err);
/* The same text to an open stream (a pipe, stdout, a test's /dev/full); name is used in
 * messages. No atomicity: the caller owns the stream. */
AmStatus am_data_write_stream(FILE *fp, const char *name, const AmBox *box, const AmAtoms *atoms, const char *title,
                              bool with_velocities, AmError *err);
