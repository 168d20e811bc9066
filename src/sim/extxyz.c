/* extxyz.c: extended XYZ frames, appended whole to a trajectory, and parsed back. */
#include "sim/extxyz.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/text_scan.h"

struct AmXyzWriter {
  int fd;
  char *path;
};

AmStatus am_extxyz_open(const char *path, bool append, AmXyzWriter **writer, AmError *err)
{
  *writer = NULL;
  AmXyzWriter *w = calloc(1, sizeof *w);
  const size_t n = strlen(path) + 1;
  char *p = malloc(n);
  if (!w || !p) {
    free(w);
    free(p);
    return am_error_set(err, AM_ERR_NOMEM, "%s: out of memory", path);
  }
  memcpy(p, path, n);
  w->path = p;
  w->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0666);
  if (w->fd < 0) {
    const int e = errno;
    free(w->path);
    free(w);
    return am_error_set(err, AM_ERR_IO, "%s: cannot open for writing: %s", path, strerror(e));
  }
  *writer = w;
  return AM_OK;
}

static bool valid_name(const char *s)
{
  if (!s || !*s || strlen(s) >= sizeof ((AmXyzProperty *) 0)->name)
    return false;
  if (*s >= '0' && *s <= '9')
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
      return false;
  return true;
}

static bool name_is(const char *a, const char *b)
{
  for (; *a && *b; a++, b++) {
    char x = *a, y = *b;
    if (x >= 'A' && x <= 'Z')
      x = (char) (x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z')
      y = (char) (y - 'A' + 'a');
    if (x != y)
      return false;
  }
  return *a == *b;
}

static AmStatus check_frame(const char *path, const AmBox *box, const AmAtoms *atoms, double time,
                            const AmXyzColumn *cols, size_t ncols, AmError *err)
{
  AmStatus st = am_box_validate(box, err);
  if (st)
    return am_error_prefix(err, "%s: ", path);
  if (!isfinite(time))
    return am_error_set(err, AM_ERR_NUMERIC, "%s: frame time is not finite", path);
  if (ncols > AM_XYZ_MAX_COLUMNS)
    return am_error_set(err, AM_ERR_INVALID, "%s: %zu extra columns, at most %d", path, ncols, AM_XYZ_MAX_COLUMNS);
  for (size_t c = 0; c < ncols; c++) {
    const AmXyzColumn *col = &cols[c];
    if (!valid_name(col->name))
      return am_error_set(err, AM_ERR_INVALID,
                          "%s: column name \"%s\" must be letters, digits and '_', not start with a digit, and be "
                          "shorter than 32 characters",
                          path, col->name ? col->name : "(null)");
    if (name_is(col->name, "species") || name_is(col->name, "pos") || name_is(col->name, "id"))
      return am_error_set(err, AM_ERR_INVALID, "%s: column name \"%s\" is reserved", path, col->name);
    for (size_t d = 0; d < c; d++)
      if (name_is(col->name, cols[d].name))
        return am_error_set(err, AM_ERR_INVALID, "%s: column \"%s\" given twice", path, col->name);
    if (col->ncomp < 1 || col->ncomp > AM_XYZ_MAX_COMP)
      return am_error_set(err, AM_ERR_INVALID, "%s: column \"%s\" has %d components (1..%d)", path, col->name,
                          col->ncomp, AM_XYZ_MAX_COMP);
    if ((col->kind == AM_XYZ_REAL && !col->real) || (col->kind == AM_XYZ_INT && !col->integer) ||
        (col->kind != AM_XYZ_REAL && col->kind != AM_XYZ_INT))
      return am_error_set(err, AM_ERR_INVALID, "%s: column \"%s\" has no data of its kind", path, col->name);
    if (col->kind == AM_XYZ_REAL)
      for (size_t i = 0; i < atoms->n * (size_t) col->ncomp; i++)
        if (!isfinite(col->real[i]))
          return am_error_set(err, AM_ERR_NUMERIC, "%s: column \"%s\" is not finite for atom %" PRId64, path,
                              col->name, atoms->id[i / (size_t) col->ncomp]);
  }
  for (size_t i = 0; i < atoms->n; i++) {
    if (atoms->type[i] < 0 || atoms->type[i] >= AM_MAX_TYPES)
      return am_error_set(err, AM_ERR_INVALID, "%s: atom %" PRId64 " has type %d", path, atoms->id[i],
                          atoms->type[i] + 1);
    for (int k = 0; k < 3; k++)
      if (!isfinite(atoms->x[3 * i + k]))
        return am_error_set(err, AM_ERR_NUMERIC, "%s: atom %" PRId64 " has a non-finite position", path,
                            atoms->id[i]);
  }
  return AM_OK;
}

static void species_of(const AmAtoms *atoms, int t, char out[16])
{
  bool ok = atoms->type_label[t][0] != '\0';
  for (int k = 0; k < 16 && atoms->type_label[t][k]; k++)
    ok = ok && atoms->type_label[t][k] > 0x20 && atoms->type_label[t][k] < 0x7f && atoms->type_label[t][k] != '"';
  if (ok && memchr(atoms->type_label[t], '\0', 16)) {
    memcpy(out, atoms->type_label[t], 16);
  } else {
    snprintf(out, 16, "%d", t + 1);
  }
}

static void format_frame(FILE *fp, const AmBox *box, const AmAtoms *atoms, double time, long long step,
                         const AmXyzColumn *cols, size_t ncols, unsigned flags)
{
  fprintf(fp, "%zu\n", atoms->n);
  fprintf(fp, "Lattice=\"%.17g 0 0 %.17g %.17g 0 %.17g %.17g %.17g\" Origin=\"%.17g %.17g %.17g\" pbc=\"T T T\" ",
          box->lx, box->xy, box->ly, box->xz, box->yz, box->lz, box->lo[0], box->lo[1], box->lo[2]);
  fprintf(fp, "Properties=species:S:1:pos:R:3:id:I:1");
  for (size_t c = 0; c < ncols; c++)
    fprintf(fp, ":%s:%c:%d", cols[c].name, cols[c].kind == AM_XYZ_REAL ? 'R' : 'I', cols[c].ncomp);
  fprintf(fp, " Time=%.17g", time);
  if (!(flags & AM_XYZ_NO_STEP))
    fprintf(fp, " Step=%lld", step);
  fputc('\n', fp);
  char species[AM_MAX_TYPES][16];
  for (int t = 0; t < AM_MAX_TYPES; t++)
    species_of(atoms, t, species[t]);
  for (size_t i = 0; i < atoms->n; i++) {
    double r[3];
    if (flags & AM_XYZ_UNWRAPPED)
      am_box_unwrap(box, &atoms->x[3 * i], &atoms->image[3 * i], r);
    else
      memcpy(r, &atoms->x[3 * i], sizeof r);
    fprintf(fp, "%s %.17g %.17g %.17g %" PRId64, species[atoms->type[i]], r[0], r[1], r[2], atoms->id[i]);
    for (size_t c = 0; c < ncols; c++)
      for (int k = 0; k < cols[c].ncomp; k++) {
        const size_t at = i * (size_t) cols[c].ncomp + (size_t) k;
        if (cols[c].kind == AM_XYZ_REAL)
          fprintf(fp, " %.17g", cols[c].real[at]);
        else
          fprintf(fp, " %" PRId32, cols[c].integer[at]);
      }
    fputc('\n', fp);
  }
}

AmStatus am_extxyz_write_frame(AmXyzWriter *w, const AmBox *box, const AmAtoms *atoms, double time, long long step,
                               const AmXyzColumn *cols, size_t ncols, unsigned flags, AmError *err)
{
  if (!w)
    return am_error_set(err, AM_ERR_INVALID, "extxyz: no open trajectory");
  AmStatus st = check_frame(w->path, box, atoms, time, cols, ncols, err);
  if (st)
    return st;
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  if (!mem)
    return am_error_set(err, AM_ERR_NOMEM, "%s: out of memory formatting a frame", w->path);
  AmCLocale loc;
  am_c_locale_enter(&loc);
  format_frame(mem, box, atoms, time, step, cols, ncols, flags);
  am_c_locale_leave(&loc);
  const bool bad = ferror(mem) != 0;
  if (fclose(mem) != 0 || bad) {
    free(buf);
    return am_error_set(err, AM_ERR_NOMEM, "%s: out of memory formatting a frame", w->path);
  }
  const off_t start = lseek(w->fd, 0, SEEK_END);
  size_t done = 0;
  int e = 0;
  while (done < len) {
    const ssize_t n = write(w->fd, buf + done, len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      e = n < 0 ? errno : ENOSPC;
      break;
    }
    done += (size_t) n;
  }
  free(buf);
  if (e) {
    /* Take the partial frame back out so readers see only whole frames. */
    const bool cut = start >= 0 && ftruncate(w->fd, start) == 0;
    return am_error_set(err, AM_ERR_IO, "%s: writing a frame failed: %s%s", w->path, strerror(e),
                        cut ? " (the partial frame was removed)" : " (the file may end in a partial frame)");
  }
  return AM_OK;
}

AmStatus am_extxyz_close(AmXyzWriter *w, AmError *err)
{
  if (!w)
    return AM_OK;
  AmStatus st = AM_OK;
  if (fsync(w->fd) != 0 && errno != EINVAL && errno != EROFS)
    st = am_error_set(err, AM_ERR_IO, "%s: fsync failed: %s", w->path, strerror(errno));
  if (close(w->fd) != 0 && !st)
    st = am_error_set(err, AM_ERR_IO, "%s: close failed: %s", w->path, strerror(errno));
  free(w->path);
  free(w);
  return st;
}

/* ---- reading ---- */

typedef struct {
  const char *name;
  AmError *err;
} Ctx;

static AmStatus failf(Ctx *c, AmStatus code, long line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static AmStatus failf(Ctx *c, AmStatus code, long line, const char *fmt, ...)
{
  char what[700];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return am_error_set(c->err, code, "%s, line %ld: %s", c->name, line, what);
}

/* Next key=value of the comment line; values may be "quoted". Keys without '=' are
 * flags and come back with an empty value. */
static bool next_pair(AmSpan *line, AmSpan *key, AmSpan *value, bool *bad_quote)
{
  const char *p = line->p, *end = line->end;
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  if (p >= end)
    return false;
  key->p = p;
  while (p < end && *p != '=' && *p != ' ' && *p != '\t')
    p++;
  key->end = p;
  value->p = value->end = p;
  if (p < end && *p == '=') {
    p++;
    if (p < end && *p == '"') {
      p++;
      value->p = p;
      while (p < end && *p != '"')
        p++;
      if (p >= end) {
        *bad_quote = true;
        line->p = end;
        return false;
      }
      value->end = p;
      p++;
    } else {
      value->p = p;
      while (p < end && *p != ' ' && *p != '\t')
        p++;
      value->end = p;
    }
  }
  line->p = p;
  return true;
}

static bool key_is(AmSpan key, const char *want)
{
  const size_t n = strlen(want);
  if (am_span_len(key) != n)
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = key.p[i];
    if (c >= 'A' && c <= 'Z')
      c = (char) (c - 'A' + 'a');
    if (c != want[i])
      return false;
  }
  return true;
}

static AmStatus parse_reals(Ctx *c, long ln, AmSpan value, const char *key, double *out, int n)
{
  char q[64];
  AmSpan w;
  for (int k = 0; k < n; k++) {
    if (!am_span_word(&value, &w))
      return failf(c, AM_ERR_FORMAT, ln, "%s needs %d numbers, found %d", key, n, k);
    const AmNumStatus ns = am_parse_double(w, &out[k]);
    if (ns != AM_NUM_OK)
      return failf(c, ns == AM_NUM_NOT_FINITE ? AM_ERR_NUMERIC : AM_ERR_FORMAT, ln,
                   "%s: expected a finite number, found \"%s\"", key, am_span_quote(w, q, sizeof q));
  }
  if (am_span_word(&value, &w))
    return failf(c, AM_ERR_FORMAT, ln, "%s needs %d numbers, found more", key, n);
  return AM_OK;
}

typedef struct {
  char name[32];
  char kind;
  int ncomp;
} PropSpec;

static AmStatus parse_properties(Ctx *c, long ln, AmSpan value, PropSpec *specs, int *nspecs)
{
  char q[64];
  *nspecs = 0;
  const char *p = value.p;
  while (p < value.end) {
    AmSpan part[3];
    for (int k = 0; k < 3; k++) {
      part[k].p = p;
      while (p < value.end && *p != ':')
        p++;
      part[k].end = p;
      if (k < 2 && p >= value.end)
        return failf(c, AM_ERR_FORMAT, ln, "Properties must be name:type:count triples, \"%s\" is incomplete",
                     am_span_quote(value, q, sizeof q));
      if (p < value.end)
        p++;
    }
    if (*nspecs >= AM_XYZ_MAX_COLUMNS + 2)
      return failf(c, AM_ERR_UNSUPPORTED, ln, "more than %d properties", AM_XYZ_MAX_COLUMNS + 2);
    PropSpec *s = &specs[(*nspecs)++];
    if (am_span_len(part[0]) == 0 || am_span_len(part[0]) >= sizeof s->name)
      return failf(c, AM_ERR_FORMAT, ln, "property name \"%s\" is empty or too long", am_span_quote(part[0], q, sizeof q));
    memcpy(s->name, part[0].p, am_span_len(part[0]));
    s->name[am_span_len(part[0])] = '\0';
    for (int k = 0; k < *nspecs - 1; k++)
      if (name_is(specs[k].name, s->name))
        return failf(c, AM_ERR_FORMAT, ln, "property %s is listed twice", s->name);
    if (am_span_len(part[1]) != 1 || !strchr("SRIL", part[1].p[0]))
      return failf(c, AM_ERR_FORMAT, ln, "property %s: type must be S, R, I or L, found \"%s\"", s->name,
                   am_span_quote(part[1], q, sizeof q));
    s->kind = part[1].p[0];
    int64_t nc;
    if (am_parse_int64(part[2], &nc) != AM_NUM_OK || nc < 1 || nc > AM_XYZ_MAX_COMP)
      return failf(c, AM_ERR_FORMAT, ln, "property %s: count must be 1..%d, found \"%s\"", s->name, AM_XYZ_MAX_COMP,
                   am_span_quote(part[2], q, sizeof q));
    s->ncomp = (int) nc;
    if (s->kind == 'S' && !(name_is(s->name, "species") && nc == 1))
      return failf(c, AM_ERR_UNSUPPORTED, ln, "string property %s: only species:S:1 is supported", s->name);
  }
  return AM_OK;
}

AmStatus am_extxyz_parse_frame(const char *text, size_t len, const char *name, long first_line, AmXyzFrame *frame,
                               size_t *consumed, long *lines, AmError *err)
{
  am_extxyz_frame_free(frame);
  Ctx c = {name, err};
  char q[64];
  AmScan scan;
  am_scan_init(&scan, text, len);
  scan.line = first_line - 1;
  AmSpan line, w;
  if (!am_scan_line(&scan, &line))
    return failf(&c, AM_ERR_FORMAT, first_line, "expected the atom count of a frame, found the end of the file");
  int64_t n;
  AmSpan cl = line;
  if (!am_span_word(&cl, &w) || am_parse_int64(w, &n) != AM_NUM_OK || n < 0 || am_span_word(&cl, &w))
    return failf(&c, AM_ERR_FORMAT, scan.line, "expected the atom count of a frame, found \"%s\"",
                 am_span_quote(am_span_trim(line), q, sizeof q));
  /* Each atom line takes at least two bytes; refuse counts the rest cannot hold before
   * allocating for them. */
  if ((uint64_t) n > am_scan_remaining(&scan) / 2 + 1)
    return failf(&c, AM_ERR_FORMAT, scan.line, "the frame announces %" PRId64 " atoms but only %zu bytes follow", n,
                 am_scan_remaining(&scan));
  if (!am_scan_line(&scan, &line))
    return failf(&c, AM_ERR_FORMAT, scan.line + 1, "the file ends before the frame's comment line");
  const long comment_line = scan.line;
  PropSpec specs[AM_XYZ_MAX_COLUMNS + 2];
  int nspecs = 0;
  bool have_props = false, bad_quote = false;
  AmSpan key, value;
  AmStatus st;
  while (next_pair(&line, &key, &value, &bad_quote)) {
    if (key_is(key, "lattice")) {
      if ((st = parse_reals(&c, comment_line, value, "Lattice", &frame->lattice[0][0], 9)))
        goto fail;
      frame->has_lattice = true;
    } else if (key_is(key, "origin")) {
      if ((st = parse_reals(&c, comment_line, value, "Origin", frame->origin, 3)))
        goto fail;
      frame->has_origin = true;
    } else if (key_is(key, "time")) {
      if ((st = parse_reals(&c, comment_line, value, "Time", &frame->time, 1)))
        goto fail;
      frame->has_time = true;
    } else if (key_is(key, "step")) {
      int64_t s;
      if (am_parse_int64(am_span_trim(value), &s) != AM_NUM_OK) {
        st = failf(&c, AM_ERR_FORMAT, comment_line, "Step: expected a whole number, found \"%s\"",
                   am_span_quote(value, q, sizeof q));
        goto fail;
      }
      frame->step = s;
      frame->has_step = true;
    } else if (key_is(key, "properties")) {
      if ((st = parse_properties(&c, comment_line, value, specs, &nspecs)))
        goto fail;
      have_props = true;
    }
  }
  if (bad_quote) {
    st = failf(&c, AM_ERR_FORMAT, comment_line, "a quoted value in the comment line is not closed");
    goto fail;
  }
  if (!have_props) {
    /* The extended XYZ default. */
    specs[0] = (PropSpec){"species", 'S', 1};
    specs[1] = (PropSpec){"pos", 'R', 3};
    nspecs = 2;
  }
  int pos_at = -1, ncolumns = 0;
  for (int k = 0; k < nspecs; k++) {
    if (name_is(specs[k].name, "pos") && specs[k].kind == 'R' && specs[k].ncomp == 3)
      pos_at = k;
    ncolumns += specs[k].ncomp;
  }
  if (pos_at < 0) {
    st = failf(&c, AM_ERR_FORMAT, comment_line, "Properties has no pos:R:3 column");
    goto fail;
  }
  /* Every value takes at least a character and a separator: with the column count known,
   * a frame that claims more than the rest of the buffer can hold is refused before the
   * columns are allocated. */
  if ((uint64_t) n * (uint64_t) ncolumns > am_scan_remaining(&scan) / 2 + 1) {
    st = failf(&c, AM_ERR_FORMAT, comment_line,
               "the frame announces %" PRId64 " atoms of %d columns but only %zu bytes follow", n, ncolumns,
               am_scan_remaining(&scan));
    goto fail;
  }
  frame->n = (size_t) n;
  for (int k = 0; k < nspecs; k++) {
    if (specs[k].kind == 'S') {
      frame->species = calloc(frame->n ? frame->n : 1, sizeof *frame->species);
      if (!frame->species) {
        st = am_error_set(err, AM_ERR_NOMEM, "%s: out of memory", name);
        goto fail;
      }
      continue;
    }
    AmXyzProperty *p = &frame->props[frame->nprops++];
    memcpy(p->name, specs[k].name, sizeof p->name);
    p->kind = specs[k].kind;
    p->ncomp = specs[k].ncomp;
    p->data = malloc(sizeof(double) * (frame->n ? frame->n : 1) * (size_t) p->ncomp);
    if (!p->data) {
      st = am_error_set(err, AM_ERR_NOMEM, "%s: out of memory", name);
      goto fail;
    }
  }
  for (size_t i = 0; i < frame->n; i++) {
    if (!am_scan_line(&scan, &line)) {
      st = failf(&c, AM_ERR_FORMAT, scan.line, "the file ends after %zu of the frame's %zu atoms", i, frame->n);
      goto fail;
    }
    const int nw = am_span_count_words(line);
    if (nw != ncolumns) {
      st = failf(&c, AM_ERR_FORMAT, scan.line, "expected %d columns as Properties says, found %d", ncolumns, nw);
      goto fail;
    }
    int prop = 0;
    for (int k = 0; k < nspecs; k++) {
      if (specs[k].kind == 'S') {
        am_span_word(&line, &w);
        if (am_span_len(w) >= sizeof frame->species[i]) {
          st = failf(&c, AM_ERR_FORMAT, scan.line, "species \"%s\" is longer than 15 characters",
                     am_span_quote(w, q, sizeof q));
          goto fail;
        }
        am_span_quote(w, frame->species[i], sizeof frame->species[i]);
        continue;
      }
      AmXyzProperty *p = &frame->props[prop++];
      for (int m = 0; m < p->ncomp; m++) {
        am_span_word(&line, &w);
        double *dst = &p->data[i * (size_t) p->ncomp + (size_t) m];
        if (p->kind == 'R') {
          const AmNumStatus ns = am_parse_double(w, dst);
          if (ns != AM_NUM_OK) {
            st = failf(&c, ns == AM_NUM_NOT_FINITE ? AM_ERR_NUMERIC : AM_ERR_FORMAT, scan.line,
                       "atom %zu of the frame: %s must be a finite number, found \"%s\"", i + 1, p->name,
                       am_span_quote(w, q, sizeof q));
            goto fail;
          }
        } else if (p->kind == 'I') {
          int64_t v;
          if (am_parse_int64(w, &v) != AM_NUM_OK || v > (INT64_C(1) << 53) || v < -(INT64_C(1) << 53)) {
            st = failf(&c, AM_ERR_FORMAT, scan.line, "atom %zu of the frame: %s must be a whole number, found \"%s\"",
                       i + 1, p->name, am_span_quote(w, q, sizeof q));
            goto fail;
          }
          *dst = (double) v;
        } else {
          const bool t = am_span_len(w) == 1 && (*w.p == 'T' || *w.p == 't');
          const bool f = am_span_len(w) == 1 && (*w.p == 'F' || *w.p == 'f');
          if (!t && !f) {
            st = failf(&c, AM_ERR_FORMAT, scan.line, "atom %zu of the frame: %s must be T or F, found \"%s\"", i + 1,
                       p->name, am_span_quote(w, q, sizeof q));
            goto fail;
          }
          *dst = t ? 1.0 : 0.0;
        }
      }
    }
  }
  if (consumed)
    *consumed = (size_t) (scan.p - text);
  if (lines)
    *lines = scan.line - first_line + 1;
  return AM_OK;
fail:
  am_extxyz_frame_free(frame);
  return st;
}

const AmXyzProperty *am_extxyz_frame_property(const AmXyzFrame *frame, const char *name)
{
  for (int k = 0; k < frame->nprops; k++)
    if (name_is(frame->props[k].name, name))
      return &frame->props[k];
  return NULL;
}

AmStatus am_extxyz_frame_box(const AmXyzFrame *frame, AmBox *box, AmError *err)
{
  if (!frame->has_lattice)
    return am_error_set(err, AM_ERR_FORMAT, "the frame has no Lattice");
  const double(*L)[3] = frame->lattice;
  if (L[0][1] != 0.0 || L[0][2] != 0.0 || L[1][2] != 0.0)
    return am_error_set(err, AM_ERR_UNSUPPORTED,
                        "the Lattice is not in restricted triclinic form (a along x, b in the xy plane)");
  const double lo[3] = {frame->origin[0], frame->origin[1], frame->origin[2]};
  const double hi[3] = {lo[0] + L[0][0], lo[1] + L[1][1], lo[2] + L[2][2]};
  am_box_set(box, lo, hi, L[1][0], L[2][0], L[2][1]);
  /* Keep the lengths exactly as written (hi - lo would round). */
  box->lx = L[0][0];
  box->ly = L[1][1];
  box->lz = L[2][2];
  return am_box_validate(box, err);
}

void am_extxyz_frame_free(AmXyzFrame *frame)
{
  free(frame->species);
  for (int k = 0; k < frame->nprops && k < AM_XYZ_MAX_COLUMNS + 2; k++)
    free(frame->props[k].data);
  memset(frame, 0, sizeof *frame);
}
