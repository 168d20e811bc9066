/* data_file.c: LAMMPS data files (atom_style atomic), read and written.
 *
 * Reading follows LAMMPS' read_data: a title line, header lines (a count or bounds
 * followed by keywords), then sections introduced by a keyword line; '#' starts a
 * comment; atoms outside a periodic box are wrapped in and their image flags adjusted.
 * Where LAMMPS is lenient in ways that hide mistakes (it skips the line after a section
 * keyword whatever it holds, and lets a second Masses line for a type override the
 * first), this reader is strict and says why. Sections may come in any order, including
 * Velocities before Atoms. The result is built aside and handed over only on success,
 * so a failed read leaves the caller's box and atoms as they were. */
#include "sim/data_file.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/file_io.h"
#include "sim/text_scan.h"

/* Shortest line one atom can take: "1 1 0 0 0\n". Used to refuse, before allocating,
 * an atom count that the bytes left in the file cannot hold. */
#define MIN_ATOM_LINE 10

typedef struct {
  AmScan scan;
  const char *name;
  AmError *err;
} Reader;

static AmStatus failf(Reader *r, AmStatus code, long line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static AmStatus failf(Reader *r, AmStatus code, long line, const char *fmt, ...)
{
  char what[800];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (line > 0)
    return am_error_set(r->err, code, "%s, line %ld: %s", r->name, line, what);
  return am_error_set(r->err, code, "%s: %s", r->name, what);
}

static const char *quote(AmSpan w, char buf[64])
{
  return am_span_quote(w, buf, 64);
}

/* Header keywords of other atom styles: accepted with a zero count (some tools write
 * "0 bonds" for atomic systems), refused otherwise. */
static const char *const molecular_counts[] = {
  "bonds", "angles", "dihedrals", "impropers", "bond types", "angle types", "dihedral types", "improper types",
  "extra bond per atom", "extra angle per atom", "extra dihedral per atom", "extra improper per atom",
  "extra special per atom", "ellipsoids", "lines", "triangles", "bodies", "crossterms",
};

/* Sections this reader does not handle. */
static const char *const foreign_sections[] = {
  "Bonds", "Angles", "Dihedrals", "Impropers", "Bond Coeffs", "Angle Coeffs", "Dihedral Coeffs",
  "Improper Coeffs", "BondBond Coeffs", "BondAngle Coeffs", "MiddleBondTorsion Coeffs", "EndBondTorsion Coeffs",
  "AngleTorsion Coeffs", "AngleAngleTorsion Coeffs", "BondBond13 Coeffs", "AngleAngle Coeffs", "Ellipsoids",
  "Lines", "Triangles", "Bodies", "CMAP", "Bond Type Labels", "Angle Type Labels",
  "Dihedral Type Labels", "Improper Type Labels",
};

typedef enum {
  SEC_NONE, SEC_MASSES, SEC_ATOMS, SEC_VELOCITIES, SEC_PAIR, SEC_PAIRIJ, SEC_LABELS, SEC_FOREIGN
} Section;

static Section section_of(AmSpan line)
{
  if (am_span_equals_words(line, "Masses"))
    return SEC_MASSES;
  if (am_span_equals_words(line, "Atoms"))
    return SEC_ATOMS;
  if (am_span_equals_words(line, "Velocities"))
    return SEC_VELOCITIES;
  if (am_span_equals_words(line, "Pair Coeffs"))
    return SEC_PAIR;
  if (am_span_equals_words(line, "PairIJ Coeffs"))
    return SEC_PAIRIJ;
  if (am_span_equals_words(line, "Atom Type Labels"))
    return SEC_LABELS;
  for (size_t k = 0; k < sizeof foreign_sections / sizeof foreign_sections[0]; k++)
    if (am_span_equals_words(line, foreign_sections[k]))
      return SEC_FOREIGN;
  return SEC_NONE;
}

static bool starts_with_number(AmSpan line)
{
  AmSpan w;
  double d;
  return am_span_word(&line, &w) && am_parse_double(w, &d) != AM_NUM_NOT_A_NUMBER;
}

typedef struct {
  int64_t id;
  double v[3];
  long line;
} VelRecord;

typedef struct {
  int64_t id;
  size_t index;
} IdIndex;

static int cmp_id_index(const void *a, const void *b)
{
  const IdIndex *x = a, *y = b;
  if (x->id != y->id)
    return x->id < y->id ? -1 : 1;
  return x->index < y->index ? -1 : (x->index > y->index);
}

static int cmp_vel(const void *a, const void *b)
{
  const VelRecord *x = a, *y = b;
  if (x->id != y->id)
    return x->id < y->id ? -1 : 1;
  return x->line < y->line ? -1 : (x->line > y->line);
}

typedef struct {
  /* header */
  int64_t natoms;
  int ntypes;
  bool have_natoms, have_ntypes, have_x, have_y, have_z, have_tilt;
  double lo[3], hi[3], tilt[3];
  long line_natoms;
  /* sections */
  long section_line[SEC_FOREIGN + 1];
  AmAtoms atoms;
  long *atom_line;
  VelRecord *vel;
  int64_t nvel;
  long mass_line[AM_MAX_TYPES];
  long label_line[AM_MAX_TYPES];
  char label[AM_MAX_TYPES][16]; /* from "Atom Type Labels", which wins over mass comments */
  int atom_columns;
} Parse;

/* Parses one number of an atom or velocity line, naming the atom in messages. */
static AmStatus atom_number(Reader *r, AmSpan w, const char *what, const char *atom_desc, long line, double *out)
{
  char q[64];
  const AmNumStatus ns = am_parse_double(w, out);
  if (ns == AM_NUM_OK)
    return AM_OK;
  if (ns == AM_NUM_NOT_FINITE) {
    const bool nan = strchr("nN", w.p[0]) || (am_span_len(w) > 1 && strchr("nN", w.p[1]));
    return am_error_set(r->err, AM_ERR_NUMERIC, "%s: %s at line %ld: %s is %s", r->name, atom_desc, line, what,
                        nan ? "NaN" : "infinite");
  }
  return failf(r, AM_ERR_FORMAT, line, "%s: expected %s (a number), found \"%s\"", atom_desc, what, quote(w, q));
}

static AmStatus parse_header_line(Reader *r, Parse *P, AmSpan line)
{
  char q[64];
  const long ln = r->scan.line;
  AmSpan rest = line, w1, w2, w3;
  am_span_word(&rest, &w1);
  AmSpan after1 = rest;
  /* Bounds: "lo hi xlo xhi" and "xy xz yz" with three numbers. */
  static const char *const bounds[3] = {"xlo xhi", "ylo yhi", "zlo zhi"};
  for (int k = 0; k < 3; k++) {
    AmSpan t = after1;
    if (am_span_word(&t, &w2) && am_span_equals_words(t, bounds[k])) {
      bool *have = k == 0 ? &P->have_x : k == 1 ? &P->have_y : &P->have_z;
      if (*have)
        return failf(r, AM_ERR_FORMAT, ln, "\"%s\" given twice", bounds[k]);
      const AmSpan ws[2] = {w1, w2};
      double v[2];
      for (int j = 0; j < 2; j++) {
        const AmNumStatus ns = am_parse_double(ws[j], &v[j]);
        if (ns == AM_NUM_NOT_FINITE)
          return failf(r, AM_ERR_NUMERIC, ln, "box bound %s is not finite (\"%s\")", j ? bounds[k] + 4 : "lo",
                       quote(ws[j], q));
        if (ns != AM_NUM_OK)
          return failf(r, AM_ERR_FORMAT, ln, "expected two numbers before \"%s\", found \"%s\"", bounds[k],
                       quote(ws[j], q));
      }
      if (!(v[1] > v[0]))
        return failf(r, AM_ERR_FORMAT, ln, "\"%s\": the upper bound %.17g must exceed the lower bound %.17g",
                     bounds[k], v[1], v[0]);
      P->lo[k] = v[0];
      P->hi[k] = v[1];
      *have = true;
      return AM_OK;
    }
  }
  {
    AmSpan t = after1;
    if (am_span_word(&t, &w2) && am_span_word(&t, &w3) && am_span_equals_words(t, "xy xz yz")) {
      if (P->have_tilt)
        return failf(r, AM_ERR_FORMAT, ln, "\"xy xz yz\" given twice");
      const AmSpan ws[3] = {w1, w2, w3};
      for (int j = 0; j < 3; j++) {
        const AmNumStatus ns = am_parse_double(ws[j], &P->tilt[j]);
        if (ns == AM_NUM_NOT_FINITE)
          return failf(r, AM_ERR_NUMERIC, ln, "tilt factor %d is not finite (\"%s\")", j + 1, quote(ws[j], q));
        if (ns != AM_NUM_OK)
          return failf(r, AM_ERR_FORMAT, ln, "expected three numbers before \"xy xz yz\", found \"%s\"",
                       quote(ws[j], q));
      }
      P->have_tilt = true;
      return AM_OK;
    }
  }
  /* Counts: "<n> atoms", "<n> atom types", or another style's count. */
  int64_t n;
  const AmNumStatus ns = am_parse_int64(w1, &n);
  const bool is_atoms = am_span_equals_words(after1, "atoms");
  const bool is_types = am_span_equals_words(after1, "atom types");
  if (is_atoms || is_types) {
    const char *kw = is_atoms ? "atoms" : "atom types";
    if (ns != AM_NUM_OK)
      return failf(r, AM_ERR_FORMAT, ln, "expected a whole number before \"%s\", found \"%s\"", kw, quote(w1, q));
    if ((is_atoms && P->have_natoms) || (is_types && P->have_ntypes))
      return failf(r, AM_ERR_FORMAT, ln, "\"%s\" given twice", kw);
    if (is_atoms) {
      if (n < 0)
        return failf(r, AM_ERR_FORMAT, ln, "the number of atoms must not be negative (got %" PRId64 ")", n);
      P->natoms = n;
      P->have_natoms = true;
      P->line_natoms = ln;
    } else {
      if (n < 1 || n > AM_MAX_TYPES)
        return failf(r, AM_ERR_FORMAT, ln, "the number of atom types must be between 1 and %d (got %" PRId64 ")",
                     AM_MAX_TYPES, n);
      P->ntypes = (int) n;
      P->have_ntypes = true;
    }
    return AM_OK;
  }
  for (size_t k = 0; k < sizeof molecular_counts / sizeof molecular_counts[0]; k++)
    if (am_span_equals_words(after1, molecular_counts[k])) {
      if (ns != AM_NUM_OK)
        return failf(r, AM_ERR_FORMAT, ln, "expected a whole number before \"%s\", found \"%s\"",
                     molecular_counts[k], quote(w1, q));
      if (n != 0)
        return failf(r, AM_ERR_UNSUPPORTED, ln,
                     "the file has %" PRId64 " %s: only atom_style atomic (no bonds, angles or bodies) is supported",
                     n, molecular_counts[k]);
      return AM_OK;
    }
  char all[64];
  if (!starts_with_number(line))
    return failf(r, AM_ERR_FORMAT, ln, "unknown section \"%s\": expected Masses, Atoms or Velocities",
                 quote(am_span_trim(line), all));
  return failf(r, AM_ERR_FORMAT, ln,
               "unknown header line \"%s\": expected \"N atoms\", \"N atom types\", \"lo hi xlo xhi\" (and y, z) "
               "or \"xy xz yz\"",
               quote(am_span_trim(line), all));
}

/* The next n lines that are not blank once comments are stripped. The caller parses
 * them one by one through this iterator. */
static AmStatus section_line(Reader *r, const char *section, long start, int64_t done, int64_t total, AmSpan *line,
                             AmSpan *comment)
{
  while (am_scan_line(&r->scan, line)) {
    am_span_split_comment(line, comment);
    if (am_span_is_blank(*line))
      continue;
    if (!starts_with_number(*line) && section_of(*line) != SEC_NONE)
      return failf(r, AM_ERR_FORMAT, r->scan.line,
                   "the %s section (line %ld) ends after %" PRId64 " of %" PRId64 " lines: expected %" PRId64
                   " lines as the header says",
                   section, start, done, total, total);
    return AM_OK;
  }
  return failf(r, AM_ERR_FORMAT, r->scan.line,
               "the file ends inside the %s section (line %ld) after %" PRId64 " of %" PRId64 " lines", section, start,
               done, total);
}

static AmStatus parse_masses(Reader *r, Parse *P, long start)
{
  char q[64];
  for (int k = 0; k < P->ntypes; k++) {
    AmSpan line, comment, w;
    AmStatus st = section_line(r, "Masses", start, k, P->ntypes, &line, &comment);
    if (st)
      return st;
    const long ln = r->scan.line;
    if (am_span_count_words(line) != 2)
      return failf(r, AM_ERR_FORMAT, ln, "expected \"type mass\", found %d words", am_span_count_words(line));
    am_span_word(&line, &w);
    int64_t t;
    if (am_parse_int64(w, &t) != AM_NUM_OK)
      return failf(r, AM_ERR_FORMAT, ln, "expected an atom type, found \"%s\"", quote(w, q));
    if (t < 1 || t > P->ntypes)
      return failf(r, AM_ERR_FORMAT, ln, "atom type %" PRId64 " is out of range 1..%d", t, P->ntypes);
    if (P->mass_line[t - 1])
      return failf(r, AM_ERR_FORMAT, ln, "the mass of type %" PRId64 " was already given at line %ld", t,
                   P->mass_line[t - 1]);
    am_span_word(&line, &w);
    double m;
    const AmNumStatus ns = am_parse_double(w, &m);
    if (ns == AM_NUM_NOT_FINITE)
      return failf(r, AM_ERR_NUMERIC, ln, "the mass of type %" PRId64 " is not finite (\"%s\")", t, quote(w, q));
    if (ns != AM_NUM_OK)
      return failf(r, AM_ERR_FORMAT, ln, "expected the mass of type %" PRId64 ", found \"%s\"", t, quote(w, q));
    if (!(m > 0.0))
      return failf(r, AM_ERR_FORMAT, ln, "the mass of type %" PRId64 " must be positive, got %g", t, m);
    P->atoms.mass[t - 1] = m;
    P->mass_line[t - 1] = ln;
    /* "1 63.546 # Cu": the first word of the comment names the type, when it is short
     * and printable (a longer remark is just a remark). */
    AmSpan label;
    if (am_span_word(&comment, &label) && am_span_len(label) < sizeof P->atoms.type_label[0]) {
      bool printable = true;
      for (const char *c = label.p; c < label.end; c++)
        printable = printable && *c > 0x20 && *c < 0x7f;
      if (printable) {
        memcpy(P->atoms.type_label[t - 1], label.p, am_span_len(label));
        P->atoms.type_label[t - 1][am_span_len(label)] = '\0';
      }
    }
  }
  return AM_OK;
}

/* LAMMPS (since 2022) writes "Atom Type Labels" with one "type label" line per type. */
static AmStatus parse_type_labels(Reader *r, Parse *P, long start)
{
  char q[64];
  for (int k = 0; k < P->ntypes; k++) {
    AmSpan line, w;
    AmStatus st = section_line(r, "Atom Type Labels", start, k, P->ntypes, &line, NULL);
    if (st)
      return st;
    const long ln = r->scan.line;
    if (am_span_count_words(line) != 2)
      return failf(r, AM_ERR_FORMAT, ln, "expected \"type label\", found %d words", am_span_count_words(line));
    am_span_word(&line, &w);
    int64_t t;
    if (am_parse_int64(w, &t) != AM_NUM_OK || t < 1 || t > P->ntypes)
      return failf(r, AM_ERR_FORMAT, ln, "expected an atom type 1..%d, found \"%s\"", P->ntypes, quote(w, q));
    if (P->label_line[t - 1])
      return failf(r, AM_ERR_FORMAT, ln, "type %" PRId64 " was already labelled at line %ld", t,
                   P->label_line[t - 1]);
    am_span_word(&line, &w);
    bool printable = am_span_len(w) < sizeof P->label[0];
    for (const char *c = w.p; c < w.end && printable; c++)
      printable = *c > 0x20 && *c < 0x7f;
    if (!printable)
      return failf(r, AM_ERR_FORMAT, ln, "type label \"%s\" must be printable and at most 15 characters",
                   quote(w, q));
    memcpy(P->label[t - 1], w.p, am_span_len(w));
    P->label[t - 1][am_span_len(w)] = '\0';
    P->label_line[t - 1] = ln;
  }
  return AM_OK;
}

static AmStatus parse_atoms(Reader *r, Parse *P, long start, AmSpan hint)
{
  char q[64], desc[64];
  AmSpan style;
  if (am_span_word(&hint, &style) && !am_span_equals_words(style, "atomic"))
    return failf(r, AM_ERR_UNSUPPORTED, start, "the Atoms section is for atom_style %s: only atomic is supported",
                 quote(style, q));
  const size_t n = (size_t) P->natoms;
  for (size_t i = 0; i < n; i++) {
    AmSpan line, w;
    AmStatus st = section_line(r, "Atoms", start, (int64_t) i, P->natoms, &line, NULL);
    if (st)
      return st;
    const long ln = r->scan.line;
    const int nw = am_span_count_words(line);
    if (nw != 5 && nw != 8)
      return failf(r, AM_ERR_FORMAT, ln,
                   "expected \"id type x y z\" with or without three image flags (5 or 8 columns), found %d", nw);
    if (i == 0)
      P->atom_columns = nw;
    else if (nw != P->atom_columns)
      return failf(r, AM_ERR_FORMAT, ln, "%d columns where the first atom line had %d", nw, P->atom_columns);
    am_span_word(&line, &w);
    int64_t id, t;
    if (am_parse_int64(w, &id) != AM_NUM_OK)
      return failf(r, AM_ERR_FORMAT, ln, "expected an atom id, found \"%s\"", quote(w, q));
    if (id < 1)
      return failf(r, AM_ERR_FORMAT, ln, "atom ids must be positive, found %" PRId64, id);
    snprintf(desc, sizeof desc, "atom %" PRId64, id);
    am_span_word(&line, &w);
    if (am_parse_int64(w, &t) != AM_NUM_OK)
      return failf(r, AM_ERR_FORMAT, ln, "%s: expected an atom type, found \"%s\"", desc, quote(w, q));
    if (t < 1 || t > P->ntypes)
      return failf(r, AM_ERR_FORMAT, ln, "%s: type %" PRId64 " is out of range 1..%d", desc, t, P->ntypes);
    P->atoms.id[i] = id;
    P->atoms.type[i] = (int32_t) (t - 1);
    static const char *const axis[3] = {"x", "y", "z"};
    for (int k = 0; k < 3; k++) {
      am_span_word(&line, &w);
      if ((st = atom_number(r, w, axis[k], desc, ln, &P->atoms.x[3 * i + k])))
        return st;
    }
    for (int k = 0; k < 3 && nw == 8; k++) {
      static const char *const flag[3] = {"ix", "iy", "iz"};
      int64_t im;
      am_span_word(&line, &w);
      if (am_parse_int64(w, &im) != AM_NUM_OK || im < INT32_MIN / 2 || im > INT32_MAX / 2)
        return failf(r, AM_ERR_FORMAT, ln, "%s: expected image flag %s (a whole number of modest size), found \"%s\"",
                     desc, flag[k], quote(w, q));
      P->atoms.image[3 * i + k] = (int32_t) im;
    }
    P->atom_line[i] = ln;
  }
  return AM_OK;
}

static AmStatus parse_velocities(Reader *r, Parse *P, long start)
{
  char q[64], desc[64];
  for (int64_t i = 0; i < P->natoms; i++) {
    AmSpan line, w;
    AmStatus st = section_line(r, "Velocities", start, i, P->natoms, &line, NULL);
    if (st)
      return st;
    const long ln = r->scan.line;
    if (am_span_count_words(line) != 4)
      return failf(r, AM_ERR_FORMAT, ln, "expected \"id vx vy vz\", found %d words", am_span_count_words(line));
    am_span_word(&line, &w);
    VelRecord *rec = &P->vel[i];
    if (am_parse_int64(w, &rec->id) != AM_NUM_OK)
      return failf(r, AM_ERR_FORMAT, ln, "expected an atom id, found \"%s\"", quote(w, q));
    snprintf(desc, sizeof desc, "velocity of atom %" PRId64, rec->id);
    static const char *const comp[3] = {"vx", "vy", "vz"};
    for (int k = 0; k < 3; k++) {
      am_span_word(&line, &w);
      if ((st = atom_number(r, w, comp[k], desc, ln, &rec->v[k])))
        return st;
    }
    rec->line = ln;
  }
  P->nvel = P->natoms;
  return AM_OK;
}

static AmStatus skip_lines(Reader *r, const char *section, long start, int64_t count)
{
  for (int64_t i = 0; i < count; i++) {
    AmSpan line;
    AmStatus st = section_line(r, section, start, i, count, &line, NULL);
    if (st)
      return st;
  }
  return AM_OK;
}

static AmStatus parse_sections(Reader *r, Parse *P, AmSpan first, AmSpan first_comment)
{
  AmSpan line = first, comment = first_comment;
  char q[64];
  for (;;) {
    const long ln = r->scan.line;
    const Section sec = section_of(line);
    if (sec == SEC_NONE) {
      if (starts_with_number(line))
        return failf(r, AM_ERR_FORMAT, ln,
                     "expected a section keyword (Masses, Atoms, Velocities), found a line of numbers: a section "
                     "above has more lines than the header's counts, or a header line is misplaced");
      char all[64];
      return failf(r, AM_ERR_FORMAT, ln, "unknown section \"%s\": expected Masses, Atoms or Velocities",
                   quote(am_span_trim(line), all));
    }
    if (sec == SEC_FOREIGN)
      return failf(r, AM_ERR_UNSUPPORTED, ln, "section \"%s\" is not part of atom_style atomic",
                   quote(am_span_trim(line), q));
    if (P->section_line[sec])
      return failf(r, AM_ERR_FORMAT, ln, "the %s section appears twice (first at line %ld)",
                   quote(am_span_trim(line), q), P->section_line[sec]);
    P->section_line[sec] = ln;
    AmStatus st = AM_OK;
    switch (sec) {
    case SEC_MASSES: st = parse_masses(r, P, ln); break;
    case SEC_ATOMS: st = parse_atoms(r, P, ln, comment); break;
    case SEC_VELOCITIES: st = parse_velocities(r, P, ln); break;
    case SEC_PAIR: st = skip_lines(r, "Pair Coeffs", ln, P->ntypes); break;
    case SEC_PAIRIJ: st = skip_lines(r, "PairIJ Coeffs", ln, (int64_t) P->ntypes * (P->ntypes + 1) / 2); break;
    case SEC_LABELS: st = parse_type_labels(r, P, ln); break;
    default: break;
    }
    if (st)
      return st;
    bool more = false;
    while (am_scan_line(&r->scan, &line)) {
      am_span_split_comment(&line, &comment);
      if (!am_span_is_blank(line)) {
        more = true;
        break;
      }
    }
    if (!more)
      return AM_OK;
  }
}

/* Cross-section checks: unique ids, one velocity per atom. */
static AmStatus check_ids(Reader *r, Parse *P)
{
  const size_t n = (size_t) P->natoms;
  if (n == 0)
    return AM_OK;
  IdIndex *order = malloc(sizeof *order * n);
  if (!order)
    return failf(r, AM_ERR_NOMEM, 0, "out of memory sorting %zu atom ids", n);
  for (size_t i = 0; i < n; i++)
    order[i] = (IdIndex){P->atoms.id[i], i};
  qsort(order, n, sizeof *order, cmp_id_index);
  AmStatus st = AM_OK;
  for (size_t i = 1; i < n && !st; i++)
    if (order[i].id == order[i - 1].id)
      st = failf(r, AM_ERR_FORMAT, P->atom_line[order[i].index], "atom id %" PRId64 " was already used at line %ld",
                 order[i].id, P->atom_line[order[i - 1].index]);
  if (!st && P->nvel) {
    qsort(P->vel, (size_t) P->nvel, sizeof *P->vel, cmp_vel);
    for (size_t i = 0; i < (size_t) P->nvel && !st; i++) {
      const VelRecord *v = &P->vel[i];
      if (i > 0 && v->id == P->vel[i - 1].id) {
        st = failf(r, AM_ERR_FORMAT, v->line, "a velocity for atom %" PRId64 " was already given at line %ld", v->id,
                   P->vel[i - 1].line);
        break;
      }
      /* As many velocities as atoms, ids unique on both sides: if every velocity finds
       * its atom, every atom has its velocity. */
      const IdIndex key = {v->id, 0};
      size_t lo = 0, hi = n;
      while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (order[mid].id < key.id)
          lo = mid + 1;
        else
          hi = mid;
      }
      if (lo == n || order[lo].id != v->id) {
        st = failf(r, AM_ERR_FORMAT, v->line, "velocity given for atom %" PRId64 ", which is not in the Atoms section",
                   v->id);
        break;
      }
      memcpy(&P->atoms.v[3 * order[lo].index], v->v, sizeof v->v);
    }
  }
  free(order);
  return st;
}

static AmStatus parse(Reader *r, Parse *P, AmBox *box_out, AmDataInfo *info)
{
  AmSpan line, comment;
  if (!am_scan_line(&r->scan, &line))
    return failf(r, AM_ERR_FORMAT, 0, "the file is empty: expected a title line and a header");
  {
    size_t n = am_span_len(line);
    if (n >= sizeof info->title)
      n = sizeof info->title - 1;
    for (size_t i = 0; i < n; i++)
      info->title[i] = line.p[i] == '\0' ? ' ' : line.p[i];
    info->title[n] = '\0';
  }
  bool in_sections = false;
  while (am_scan_line(&r->scan, &line)) {
    am_span_split_comment(&line, &comment);
    if (am_span_is_blank(line))
      continue;
    if (!starts_with_number(line) && section_of(line) != SEC_NONE) {
      in_sections = true;
      break;
    }
    AmStatus st = parse_header_line(r, P, line);
    if (st)
      return st;
  }
  const long hdr_end = r->scan.line;
  if (!P->have_natoms)
    return failf(r, AM_ERR_FORMAT, hdr_end, "the header lacks the number of atoms (\"N atoms\")");
  if (!P->have_ntypes)
    return failf(r, AM_ERR_FORMAT, hdr_end, "the header lacks the number of atom types (\"N atom types\")");
  if (!P->have_x || !P->have_y || !P->have_z)
    return failf(r, AM_ERR_FORMAT, hdr_end, "the header lacks the box bounds \"%s\"",
                 !P->have_x ? "xlo xhi" : !P->have_y ? "ylo yhi" : "zlo zhi");
  const uint64_t room = (uint64_t) am_scan_remaining(&r->scan) / MIN_ATOM_LINE + 1;
  if ((uint64_t) P->natoms > room || (uint64_t) P->natoms > SIZE_MAX / 64)
    return failf(r, AM_ERR_FORMAT, P->line_natoms,
                 "the header announces %" PRId64 " atoms but only %zu bytes follow: the file is truncated or the "
                 "count is wrong",
                 P->natoms, am_scan_remaining(&r->scan));
  const size_t n = (size_t) P->natoms;
  AmStatus st = am_atoms_resize(&P->atoms, n, r->err);
  if (st)
    return st;
  P->atoms.ntypes = P->ntypes;
  P->atom_line = malloc(sizeof *P->atom_line * (n ? n : 1));
  P->vel = malloc(sizeof *P->vel * (n ? n : 1));
  if (!P->atom_line || !P->vel)
    return failf(r, AM_ERR_NOMEM, 0, "out of memory for %zu atoms", n);

  if (in_sections && (st = parse_sections(r, P, line, comment)))
    return st;
  if (n > 0 && !P->section_line[SEC_ATOMS])
    return failf(r, AM_ERR_FORMAT, 0, "the header announces %zu atoms but there is no Atoms section", n);
  if ((st = check_ids(r, P)))
    return st;

  AmBox box;
  am_box_set(&box, P->lo, P->hi, P->have_tilt ? P->tilt[0] : 0.0, P->have_tilt ? P->tilt[1] : 0.0,
             P->have_tilt ? P->tilt[2] : 0.0);
  if ((st = am_box_validate(&box, r->err)))
    return am_error_prefix(r->err, "%s: ", r->name);
  /* LAMMPS remaps atoms into a periodic box on reading and counts the crossed periods
   * in the image flags; do the same so that unwrapped positions agree. */
  for (size_t i = 0; i < n; i++) {
    /* Far-away atoms are a broken file, not a periodic image: refuse them before the
     * crossed periods overflow the image flags. */
    double s[3];
    am_box_to_frac(&box, &P->atoms.x[3 * i], s);
    for (int k = 0; k < 3; k++)
      if (!(fabs(s[k]) < 1e6))
        return am_error_set(r->err, AM_ERR_FORMAT, "%s: atom %" PRId64 " at line %ld: %c = %g is more than a million "
                            "box lengths outside the box", r->name, P->atoms.id[i], P->atom_line[i], "xyz"[k],
                            P->atoms.x[3 * i + k]);
    am_box_wrap(&box, &P->atoms.x[3 * i], &P->atoms.image[3 * i]);
  }
  for (int t = 0; t < P->ntypes; t++)
    if (P->label_line[t])
      memcpy(P->atoms.type_label[t], P->label[t], sizeof P->label[t]);
  *box_out = box;
  info->has_masses = P->section_line[SEC_MASSES] != 0;
  info->has_velocities = P->section_line[SEC_VELOCITIES] != 0;
  info->has_images = P->atom_columns == 8;
  return AM_OK;
}

AmStatus am_data_parse(const char *text, size_t len, const char *name, AmBox *box, AmAtoms *atoms, AmDataInfo *info,
                       AmError *err)
{
  Reader r = {.name = name, .err = err};
  am_scan_init(&r.scan, text, len);
  Parse *P = calloc(1, sizeof *P);
  if (!P)
    return am_error_set(err, AM_ERR_NOMEM, "%s: out of memory", name);
  AmDataInfo local_info = {0};
  AmBox local_box;
  AmStatus st = parse(&r, P, &local_box, &local_info);
  if (st == AM_OK) {
    am_atoms_free(atoms);
    *atoms = P->atoms;
    P->atoms = (AmAtoms){0};
    *box = local_box;
    if (info)
      *info = local_info;
  }
  am_atoms_free(&P->atoms);
  free(P->atom_line);
  free(P->vel);
  free(P);
  return st;
}

AmStatus am_data_read(const char *path, AmBox *box, AmAtoms *atoms, AmDataInfo *info, AmError *err)
{
  char *buf;
  size_t len;
  AmStatus st = am_file_read_all(path, &buf, &len, err);
  if (st)
    return st;
  st = am_data_parse(buf, len, path, box, atoms, info, err);
  free(buf);
  return st;
}

/* ---- writing ---- */

static AmStatus check_writable(const AmBox *box, const AmAtoms *atoms, bool with_velocities, size_t *order,
                               AmError *err)
{
  AmStatus st = am_box_validate(box, err);
  if (st)
    return st;
  if (atoms->ntypes < 1 || atoms->ntypes > AM_MAX_TYPES)
    return am_error_set(err, AM_ERR_INVALID, "cannot write %d atom types (1..%d)", atoms->ntypes, AM_MAX_TYPES);
  IdIndex *ids = malloc(sizeof *ids * (atoms->n ? atoms->n : 1));
  if (!ids)
    return am_error_set(err, AM_ERR_NOMEM, "out of memory sorting %zu atoms", atoms->n);
  for (size_t i = 0; i < atoms->n; i++)
    ids[i] = (IdIndex){atoms->id[i], i};
  qsort(ids, atoms->n, sizeof *ids, cmp_id_index);
  for (size_t i = 0; i < atoms->n && !st; i++) {
    const size_t a = ids[i].index;
    order[i] = a;
    if (ids[i].id < 1)
      st = am_error_set(err, AM_ERR_INVALID, "atom at index %zu has id %" PRId64 ": ids must be positive", a, ids[i].id);
    else if (i > 0 && ids[i].id == ids[i - 1].id)
      st = am_error_set(err, AM_ERR_INVALID, "atom id %" PRId64 " is used twice", ids[i].id);
    else if (atoms->type[a] < 0 || atoms->type[a] >= atoms->ntypes)
      st = am_error_set(err, AM_ERR_INVALID, "atom %" PRId64 " has type %d, outside 1..%d", ids[i].id,
                        atoms->type[a] + 1, atoms->ntypes);
    for (int k = 0; k < 3 && !st; k++)
      if (!isfinite(atoms->x[3 * a + k]) || (with_velocities && !isfinite(atoms->v[3 * a + k])))
        st = am_error_set(err, AM_ERR_NUMERIC, "atom %" PRId64 " has a non-finite %s", ids[i].id,
                          !isfinite(atoms->x[3 * a + k]) ? "position" : "velocity");
  }
  free(ids);
  return st;
}

AmStatus am_data_write_stream(FILE *fp, const char *name, const AmBox *box, const AmAtoms *atoms, const char *title,
                              bool with_velocities, AmError *err)
{
  size_t *order = malloc(sizeof *order * (atoms->n ? atoms->n : 1));
  if (!order)
    return am_error_set(err, AM_ERR_NOMEM, "%s: out of memory", name);
  AmStatus st = check_writable(box, atoms, with_velocities, order, err);
  if (st) {
    free(order);
    return am_error_prefix(err, "%s: ", name);
  }
  AmCLocale loc;
  am_c_locale_enter(&loc);
  /* The title is one line: newlines in it would turn the rest into header lines. */
  for (const char *c = title && *title ? title : "LAMMPS data file written by Amorph"; *c; c++)
    fputc(*c == '\n' || *c == '\r' ? ' ' : *c, fp);
  double hi[3];
  am_box_hi(box, hi);
  fprintf(fp, "\n\n%zu atoms\n%d atom types\n\n", atoms->n, atoms->ntypes);
  fprintf(fp, "%.17g %.17g xlo xhi\n%.17g %.17g ylo yhi\n%.17g %.17g zlo zhi\n", box->lo[0], hi[0], box->lo[1], hi[1],
          box->lo[2], hi[2]);
  if (am_box_is_triclinic(box))
    fprintf(fp, "%.17g %.17g %.17g xy xz yz\n", box->xy, box->xz, box->yz);
  /* LAMMPS refuses a zero mass, so Masses is written only when every type has one. */
  bool masses = true;
  for (int t = 0; t < atoms->ntypes; t++)
    masses = masses && atoms->mass[t] > 0.0 && isfinite(atoms->mass[t]);
  if (masses) {
    fprintf(fp, "\nMasses\n\n");
    for (int t = 0; t < atoms->ntypes; t++) {
      char label[sizeof atoms->type_label[t]];
      memcpy(label, atoms->type_label[t], sizeof label);
      label[sizeof label - 1] = '\0';
      bool ok = label[0] != '\0';
      for (const char *c = label; *c; c++)
        ok = ok && *c > 0x20 && *c < 0x7f;
      fprintf(fp, ok ? "%d %.17g # %s\n" : "%d %.17g\n", t + 1, atoms->mass[t], label);
    }
  }
  fprintf(fp, "\nAtoms # atomic\n\n");
  for (size_t j = 0; j < atoms->n && !ferror(fp); j++) {
    const size_t i = order[j];
    const double *x = &atoms->x[3 * i];
    const int32_t *im = &atoms->image[3 * i];
    fprintf(fp, "%" PRId64 " %d %.17g %.17g %.17g %d %d %d\n", atoms->id[i], atoms->type[i] + 1, x[0], x[1], x[2],
            im[0], im[1], im[2]);
  }
  if (with_velocities) {
    fprintf(fp, "\nVelocities\n\n");
    for (size_t j = 0; j < atoms->n && !ferror(fp); j++) {
      const size_t i = order[j];
      const double *v = &atoms->v[3 * i];
      fprintf(fp, "%" PRId64 " %.17g %.17g %.17g\n", atoms->id[i], v[0], v[1], v[2]);
    }
  }
  am_c_locale_leave(&loc);
  free(order);
  if (fflush(fp) != 0 || ferror(fp))
    return am_error_set(err, AM_ERR_IO, "%s: write failed: %s", name, strerror(errno));
  return AM_OK;
}

AmStatus am_data_write(const char *path, const AmBox *box, const AmAtoms *atoms, const char *title,
                       bool with_velocities, AmError *err)
{
  AmAtomicFile af;
  AmStatus st = am_atomic_file_open(&af, path, err);
  if (st)
    return st;
  st = am_data_write_stream(af.fp, path, box, atoms, title, with_velocities, err);
  if (st) {
    const bool replacing = af.tmp_path != NULL;
    am_atomic_file_abort(&af);
    if (st == AM_ERR_IO && replacing && err)
      strncat(err->message, " (the previous file, if any, is unchanged)",
              sizeof err->message - strlen(err->message) - 1);
    return st;
  }
  return am_atomic_file_commit(&af, err);
}
