/* eam_file.c: the setfl reader (LAMMPS pair_style eam/alloy and eam/fs).
 *
 * Layout as in LAMMPS' documentation: three comment lines; "Nelements El1 El2 ...";
 * "Nrho drho Nr dr cutoff"; per element a line "Z mass a0 lattice" followed by F(rho)
 * (Nrho values) and rho(r) (Nr values for eam/alloy, Nelements·Nr for eam/fs); then r·φ(r)
 * for every pair i ≥ j in the order (0,0) (1,0) (1,1) (2,0) ... Like LAMMPS, '#' starts a
 * comment after the header lines, blank lines are skipped, and the values of a table may
 * be spread over lines in any way. Unlike LAMMPS, which silently drops numbers left on a
 * table's last line, a table must end where its line ends: leftover numbers mean the
 * counts in the header do not describe the file. */
#include "sim/eam_file.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/file_io.h"
#include "sim/text_scan.h"

typedef struct {
  AmScan scan;
  const char *name;
  AmError *err;
} Reader;

static AmStatus fail(Reader *r, AmStatus code, long line, const char *fmt, const char *detail)
{
  char what[600];
  snprintf(what, sizeof what, fmt, detail ? detail : "");
  if (line > 0)
    return am_error_set(r->err, code, "%s, line %ld: %s", r->name, line, what);
  return am_error_set(r->err, code, "%s: %s", r->name, what);
}

/* Next line with at least one word once comments are stripped. */
static bool next_content_line(Reader *r, AmSpan *line)
{
  while (am_scan_line(&r->scan, line)) {
    am_span_split_comment(line, NULL);
    if (!am_span_is_blank(*line))
      return true;
  }
  return false;
}

static AmStatus number_error(Reader *r, AmNumStatus ns, AmSpan word, const char *what)
{
  char q[64], msg[512];
  am_span_quote(word, q, sizeof q);
  if (ns == AM_NUM_NOT_FINITE)
    snprintf(msg, sizeof msg, "%s is not finite (\"%s\")", what, q);
  else if (ns == AM_NUM_OUT_OF_RANGE)
    snprintf(msg, sizeof msg, "%s is out of range (\"%s\")", what, q);
  else
    snprintf(msg, sizeof msg, "expected %s, found \"%s\"", what, q);
  return fail(r, ns == AM_NUM_NOT_FINITE ? AM_ERR_NUMERIC : AM_ERR_FORMAT, r->scan.line, "%s", msg);
}

/* "Z mass a0 lattice": what a table runs into when the header's sizes or the style
 * are wrong, worth a hint in the message. */
static bool looks_like_element_line(AmSpan line)
{
  AmSpan w;
  int64_t z;
  double d;
  if (am_span_count_words(line) != 4 || !am_span_word(&line, &w) || am_parse_int64(w, &z) != AM_NUM_OK)
    return false;
  for (int k = 0; k < 2; k++)
    if (!am_span_word(&line, &w) || am_parse_double(w, &d) != AM_NUM_OK)
      return false;
  return am_span_word(&line, &w) && am_parse_double(w, &d) == AM_NUM_NOT_A_NUMBER;
}

/* n values of one table, starting on a fresh line. */
static AmStatus read_table(Reader *r, double *dst, long n, const char *what)
{
  long i = 0;
  char msg[512];
  while (i < n) {
    AmSpan line, word;
    if (!next_content_line(r, &line)) {
      snprintf(msg, sizeof msg, "file ends inside %s: expected %ld values, found %ld", what, n, i);
      return fail(r, AM_ERR_FORMAT, r->scan.line, "%s", msg);
    }
    const AmSpan whole = line;
    while (i < n && am_span_word(&line, &word)) {
      double v;
      const AmNumStatus ns = am_parse_double(word, &v);
      if (ns != AM_NUM_OK) {
        snprintf(msg, sizeof msg, "value %ld of %ld of %s", i + 1, n, what);
        if (ns == AM_NUM_NOT_A_NUMBER && looks_like_element_line(whole))
          strncat(msg, " (that line looks like an element's line: is the style eam/fs or eam/alloy, or are the "
                  "table sizes in the header wrong?)", sizeof msg - strlen(msg) - 1);
        return number_error(r, ns, word, msg);
      }
      dst[i++] = v;
    }
    if (i == n && !am_span_is_blank(line)) {
      snprintf(msg, sizeof msg,
               "%d more value(s) after the %ld values of %s: the counts in the header do not match the file",
               am_span_count_words(line), n, what);
      return fail(r, AM_ERR_FORMAT, r->scan.line, "%s", msg);
    }
  }
  return AM_OK;
}

static AmStatus parse_int_word(Reader *r, AmSpan word, const char *what, long lo, long hi, long *out)
{
  int64_t v;
  const AmNumStatus ns = am_parse_int64(word, &v);
  if (ns != AM_NUM_OK)
    return number_error(r, ns, word, what);
  if (v < lo || v > hi) {
    char msg[300];
    snprintf(msg, sizeof msg, "%s must be between %ld and %ld, got %lld", what, lo, hi, (long long) v);
    return fail(r, AM_ERR_FORMAT, r->scan.line, "%s", msg);
  }
  *out = (long) v;
  return AM_OK;
}

static AmStatus parse_positive_double(Reader *r, AmSpan word, const char *what, double *out)
{
  const AmNumStatus ns = am_parse_double(word, out);
  if (ns != AM_NUM_OK)
    return number_error(r, ns, word, what);
  if (!(*out > 0.0)) {
    char msg[300];
    snprintf(msg, sizeof msg, "%s must be positive, got %g", what, *out);
    return fail(r, AM_ERR_FORMAT, r->scan.line, "%s", msg);
  }
  return AM_OK;
}

static void copy_comment(char dst[256], AmSpan line)
{
  size_t n = am_span_len(line);
  if (n > 255)
    n = 255;
  for (size_t i = 0; i < n; i++) {
    const unsigned char c = (unsigned char) line.p[i];
    dst[i] = c == '\0' ? ' ' : (char) c;
  }
  dst[n] = '\0';
}

static AmStatus parse(Reader *r, AmEamStyle style, AmEamTables *t)
{
  AmStatus st;
  AmSpan line, word;
  char msg[512];

  for (int k = 0; k < 3; k++) {
    if (!am_scan_line(&r->scan, &line))
      return fail(r, AM_ERR_FORMAT, 0, "file ends within the three comment lines%s: not a setfl potential", NULL);
    copy_comment(t->comment[k], line);
  }

  /* Line 4: element count and names. */
  if (!next_content_line(r, &line))
    return fail(r, AM_ERR_FORMAT, r->scan.line,
                "file ends before the element line (\"Nelements Element1 Element2 ...\")%s", NULL);
  long ne = 0;
  am_span_word(&line, &word);
  if ((st = parse_int_word(r, word, "the number of elements", 1, AM_MAX_TYPES, &ne)))
    return st;
  const int named = am_span_count_words(line);
  if (named != ne) {
    snprintf(msg, sizeof msg, "the element line announces %ld elements but names %d", ne, named);
    return fail(r, AM_ERR_FORMAT, r->scan.line, "%s", msg);
  }
  t->nelements = (int) ne;
  for (int a = 0; a < ne; a++) {
    am_span_word(&line, &word);
    if (am_span_len(word) >= sizeof t->element[a]) {
      char q[64];
      snprintf(msg, sizeof msg, "element name \"%s\" is longer than %zu characters",
               am_span_quote(word, q, sizeof q), sizeof t->element[a] - 1);
      return fail(r, AM_ERR_FORMAT, r->scan.line, "%s", msg);
    }
    memcpy(t->element[a], word.p, am_span_len(word));
    t->element[a][am_span_len(word)] = '\0';
    for (int b = 0; b < a; b++)
      if (strcmp(t->element[a], t->element[b]) == 0)
        return fail(r, AM_ERR_FORMAT, r->scan.line, "element %s is named twice", t->element[a]);
  }

  /* Line 5: table sizes and steps. */
  if (!next_content_line(r, &line))
    return fail(r, AM_ERR_FORMAT, r->scan.line, "file ends before the line \"Nrho drho Nr dr cutoff\"%s", NULL);
  if (am_span_count_words(line) != 5) {
    snprintf(msg, sizeof msg, "expected 5 numbers \"Nrho drho Nr dr cutoff\", found %d words",
             am_span_count_words(line));
    return fail(r, AM_ERR_FORMAT, r->scan.line, "%s", msg);
  }
  long nrho = 0, nr = 0;
  am_span_word(&line, &word);
  if ((st = parse_int_word(r, word, "Nrho (an integer number of table points)", 2, INT32_MAX, &nrho)))
    return st;
  am_span_word(&line, &word);
  if ((st = parse_positive_double(r, word, "drho", &t->drho)))
    return st;
  am_span_word(&line, &word);
  if ((st = parse_int_word(r, word, "Nr (an integer number of table points)", 2, INT32_MAX, &nr)))
    return st;
  am_span_word(&line, &word);
  if ((st = parse_positive_double(r, word, "dr", &t->dr)))
    return st;
  am_span_word(&line, &word);
  if ((st = parse_positive_double(r, word, "the cutoff", &t->cutoff)))
    return st;
  t->nrho = (int) nrho;
  t->nr = (int) nr;

  /* Every value needs at least one character and one separator, so a header that
   * promises more values than the bytes left can hold is a truncated file; checking
   * before allocating keeps a corrupt count from asking for gigabytes. */
  const uint64_t nrho_u = (uint64_t) nrho, nr_u = (uint64_t) nr, ne_u = (uint64_t) ne;
  const uint64_t per_elem_rho = style == AM_EAM_FS ? ne_u * nr_u : nr_u;
  const uint64_t needed = ne_u * (nrho_u + per_elem_rho) + ne_u * (ne_u + 1) / 2 * nr_u;
  const uint64_t room = ((uint64_t) am_scan_remaining(&r->scan) + 1) / 2;
  if (needed > room) {
    snprintf(msg, sizeof msg,
             "the header announces %llu table values (%ld elements, Nrho = %ld, Nr = %ld, %s) but only %zu bytes "
             "follow: the file is truncated or the header is wrong",
             (unsigned long long) needed, ne, nrho, nr, style == AM_EAM_FS ? "eam/fs" : "eam/alloy",
             am_scan_remaining(&r->scan));
    return fail(r, AM_ERR_FORMAT, r->scan.line, "%s", msg);
  }
  t->frho = malloc(sizeof(double) * (size_t) (ne_u * nrho_u));
  t->rhor = malloc(sizeof(double) * (size_t) (ne_u * ne_u * nr_u));
  t->z2r = malloc(sizeof(double) * (size_t) (ne_u * ne_u * nr_u));
  if (!t->frho || !t->rhor || !t->z2r)
    return fail(r, AM_ERR_NOMEM, 0, "out of memory for the tables%s", NULL);

  for (int a = 0; a < ne; a++) {
    const char *el = t->element[a];
    if (!next_content_line(r, &line)) {
      snprintf(msg, sizeof msg, "file ends before the line of element %s (atomic number, mass, lattice constant, "
               "lattice type)", el);
      return fail(r, AM_ERR_FORMAT, r->scan.line, "%s", msg);
    }
    const int nw = am_span_count_words(line);
    AmSpan probe = line;
    am_span_word(&probe, &word);
    int64_t z;
    if (nw < 2 || nw > 4 || am_parse_int64(word, &z) != AM_NUM_OK) {
      snprintf(msg, sizeof msg,
               "expected the line of element %s (atomic number, mass, lattice constant, lattice type), found %d "
               "word(s) starting \"%.40s\"%s",
               el, nw, am_span_quote(word, (char[48]){0}, 48),
               a > 0 ? ": too few or too many table values before it (is the style eam/fs or eam/alloy?)" : "");
      return fail(r, AM_ERR_FORMAT, r->scan.line, "%s", msg);
    }
    long zl = 0;
    am_span_word(&line, &word);
    snprintf(msg, sizeof msg, "the atomic number of %s", el);
    if ((st = parse_int_word(r, word, msg, 0, 1000, &zl)))
      return st;
    t->atomic_number[a] = (int) zl;
    am_span_word(&line, &word);
    snprintf(msg, sizeof msg, "the mass of %s", el);
    if ((st = parse_positive_double(r, word, msg, &t->mass[a])))
      return st;
    t->lattice_constant[a] = 0.0;
    t->lattice_type[a][0] = '\0';
    if (am_span_word(&line, &word)) {
      const AmNumStatus ns = am_parse_double(word, &t->lattice_constant[a]);
      if (ns != AM_NUM_OK) {
        snprintf(msg, sizeof msg, "the lattice constant of %s", el);
        return number_error(r, ns, word, msg);
      }
    }
    if (am_span_word(&line, &word)) {
      const size_t n = am_span_len(word) < sizeof t->lattice_type[a] ? am_span_len(word)
                                                                      : sizeof t->lattice_type[a] - 1;
      am_span_quote((AmSpan){word.p, word.p + n}, t->lattice_type[a], sizeof t->lattice_type[a]);
    }

    snprintf(msg, sizeof msg, "the embedding function F(rho) of %s", el);
    if ((st = read_table(r, t->frho + (size_t) a * (size_t) nrho, nrho, msg)))
      return st;
    if (style == AM_EAM_FS) {
      for (int b = 0; b < ne; b++) {
        snprintf(msg, sizeof msg, "density function %d (%s) in the block of %s", b + 1, t->element[b], el);
        if ((st = read_table(r, t->rhor + ((size_t) a * (size_t) ne + (size_t) b) * (size_t) nr, nr, msg)))
          return st;
      }
    } else {
      double *first = t->rhor + (size_t) a * (size_t) ne * (size_t) nr;
      snprintf(msg, sizeof msg, "the density function rho(r) of %s", el);
      if ((st = read_table(r, first, nr, msg)))
        return st;
      for (int b = 1; b < ne; b++)
        memcpy(first + (size_t) b * (size_t) nr, first, sizeof(double) * (size_t) nr);
    }
  }

  for (int a = 0; a < ne; a++)
    for (int b = 0; b <= a; b++) {
      double *ab = t->z2r + ((size_t) a * (size_t) ne + (size_t) b) * (size_t) nr;
      snprintf(msg, sizeof msg, "the pair function r*phi(r) of %s-%s", t->element[a], t->element[b]);
      if ((st = read_table(r, ab, nr, msg)))
        return st;
      if (a != b)
        memcpy(t->z2r + ((size_t) b * (size_t) ne + (size_t) a) * (size_t) nr, ab, sizeof(double) * (size_t) nr);
    }

  if (next_content_line(r, &line)) {
    return fail(r, AM_ERR_FORMAT, r->scan.line,
                "unexpected content after the last pair function: the element count or table sizes in the header "
                "do not match the file (or the style is not %s)",
                style == AM_EAM_FS ? "eam/fs" : "eam/alloy");
  }
  return AM_OK;
}

AmStatus am_eam_file_parse(const char *text, size_t len, const char *name, AmEamStyle style, AmEamTables *tables,
                           AmError *err)
{
  memset(tables, 0, sizeof *tables);
  if (style != AM_EAM_ALLOY && style != AM_EAM_FS)
    return am_error_set(err, AM_ERR_INVALID, "%s: unknown EAM style %d", name, (int) style);
  Reader r = {.name = name, .err = err};
  am_scan_init(&r.scan, text, len);
  tables->style = style;
  const AmStatus st = parse(&r, style, tables);
  if (st)
    am_eam_tables_free(tables);
  return st;
}

AmStatus am_eam_file_read(const char *path, AmEamStyle style, AmEamTables *tables, AmError *err)
{
  memset(tables, 0, sizeof *tables);
  char *buf;
  size_t len;
  AmStatus st = am_file_read_all(path, &buf, &len, err);
  if (st)
    return st;
  st = am_eam_file_parse(buf, len, path, style, tables, err);
  free(buf);
  return st;
}

int am_eam_tables_find_element(const AmEamTables *tables, const char *symbol)
{
  for (int a = 0; a < tables->nelements && a < AM_MAX_TYPES; a++)
    if (strcmp(tables->element[a], symbol) == 0)
      return a;
  return -1;
}

void am_eam_tables_free(AmEamTables *tables)
{
  free(tables->frho);
  free(tables->rhor);
  free(tables->z2r);
  memset(tables, 0, sizeof *tables);
}
