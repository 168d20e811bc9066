/* checkpoint.c: encoding, atomic writing, checking and decoding of binary checkpoints. */
#include "sim/checkpoint.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim/eam.h"
#include "sim/file_io.h"

static const char magic[8] = {'A', 'M', 'O', 'R', 'P', 'H', 'C', 'K'};
enum { ENDIAN_MARK = 0x01020304u, HEADER_SIZE = 8 + 4 + 4 + 8 + 4, TRAILER_SIZE = 4 };

/* ---- CRC-32C ---- */

static uint32_t crc_table[256];
static _Atomic int crc_ready;

static void crc_init(void)
{
  /* Idempotent: two threads racing here compute the same table. */
  if (crc_ready)
    return;
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++)
      c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    crc_table[i] = c;
  }
  crc_ready = 1;
}

uint32_t am_crc32c(uint32_t crc, const void *data, size_t len)
{
  crc_init();
  const uint8_t *p = data;
  crc = ~crc;
  for (size_t i = 0; i < len; i++)
    crc = crc_table[(crc ^ p[i]) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

/* ---- encoding ---- */

typedef struct {
  uint8_t *p;
  size_t len, cap;
  bool oom;
} Buf;

static void put(Buf *b, const void *data, size_t n)
{
  if (b->oom)
    return;
  if (n > b->cap - b->len) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < n) {
      if (cap > SIZE_MAX / 2) {
        b->oom = true;
        return;
      }
      cap *= 2;
    }
    uint8_t *q = realloc(b->p, cap);
    if (!q) {
      b->oom = true;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
  if (n)
    memcpy(b->p + b->len, data, n);
  b->len += n;
}

static void put_u32(Buf *b, uint32_t v) { put(b, &v, sizeof v); }
static void put_u64(Buf *b, uint64_t v) { put(b, &v, sizeof v); }
static void put_i64(Buf *b, int64_t v) { put(b, &v, sizeof v); }
static void put_f64(Buf *b, double v) { put(b, &v, sizeof v); }
static void put_i32(Buf *b, int32_t v) { put(b, &v, sizeof v); }

static void put_section(Buf *b, const char *name, const void *data, size_t n)
{
  const size_t len = strlen(name);
  put_u32(b, (uint32_t) len);
  put(b, name, len);
  put_u64(b, (uint64_t) n);
  put(b, data, n);
}

/* Per type: element index, mass, label, and the element's name in the potential the
 * system was bound to (so a checkpoint is not resumed with a different element map). */
enum { TYPE_SIZE = 4 + 8 + 16 + 16 };

static AmStatus check_state(const AmSystem *sys, AmError *err)
{
  AmStatus st = am_box_validate(&sys->box, err);
  if (st)
    return st;
  if ((st = am_atoms_validate(&sys->atoms, err)))
    return st;
  const AmAtoms *a = &sys->atoms;
  for (size_t i = 0; i < 3 * a->n; i++)
    if (!isfinite(a->f[i]) || !isfinite(a->pin_frac[i]) || !isfinite(a->affine[i]))
      return am_error_set(err, AM_ERR_NUMERIC, "atom %lld has a non-finite force, pinning position or affine "
                          "displacement", (long long) a->id[i / 3]);
  for (size_t i = 0; i < a->n; i++)
    if (a->pinned[i] > 1)
      return am_error_set(err, AM_ERR_INVALID, "atom %lld has pinned flag %d (0 or 1)", (long long) a->id[i],
                          a->pinned[i]);
  for (int t = 0; t < AM_MAX_TYPES; t++)
    if (sys->element_of_type[t] < -1 || sys->element_of_type[t] >= AM_MAX_TYPES)
      return am_error_set(err, AM_ERR_INVALID, "type %d maps to element %d", t + 1, sys->element_of_type[t]);
  if (!isfinite(sys->time) || !isfinite(sys->skin) || sys->skin < 0.0 || sys->step < 0)
    return am_error_set(err, AM_ERR_INVALID, "step %lld, time %g or skin %g is out of range", sys->step, sys->time,
                        sys->skin);
  return AM_OK;
}

static bool valid_blob_name(const char *s)
{
  const size_t n = strnlen(s, AM_CHECKPOINT_MAX_NAME + 1);
  return n > 0 && n <= AM_CHECKPOINT_MAX_NAME;
}

AmStatus am_checkpoint_encode(const AmSystem *sys, const AmCheckpointBlob *blobs, size_t nblobs, void **out,
                              size_t *out_len, AmError *err)
{
  *out = NULL;
  *out_len = 0;
  AmStatus st = check_state(sys, err);
  if (st)
    return am_error_prefix(err, "refusing to checkpoint: ");
  for (size_t k = 0; k < nblobs; k++) {
    if (!valid_blob_name(blobs[k].name))
      return am_error_set(err, AM_ERR_INVALID, "checkpoint blob %zu has an empty or over-long name", k);
    if (blobs[k].size && !blobs[k].data)
      return am_error_set(err, AM_ERR_INVALID, "checkpoint blob \"%s\" has no data", blobs[k].name);
    for (size_t j = 0; j < k; j++)
      if (strcmp(blobs[j].name, blobs[k].name) == 0)
        return am_error_set(err, AM_ERR_INVALID, "checkpoint blob \"%s\" is given twice", blobs[k].name);
  }
  const AmAtoms *a = &sys->atoms;
  const size_t n = a->n;
  Buf b = {0};
  put(&b, magic, sizeof magic);
  put_u32(&b, AM_CHECKPOINT_VERSION);
  put_u32(&b, ENDIAN_MARK);
  put_u64(&b, 0); /* length, patched below */
  put_u32(&b, (uint32_t) (11 + nblobs));

  Buf s = {0};
  for (int k = 0; k < 3; k++)
    put_f64(&s, sys->box.lo[k]);
  put_f64(&s, sys->box.lx), put_f64(&s, sys->box.ly), put_f64(&s, sys->box.lz);
  put_f64(&s, sys->box.xy), put_f64(&s, sys->box.xz), put_f64(&s, sys->box.yz);
  put_i64(&s, sys->step);
  put_f64(&s, sys->time), put_f64(&s, sys->skin), put_f64(&s, sys->pe);
  for (int k = 0; k < 6; k++)
    put_f64(&s, sys->virial[k]);
  put_u32(&s, sys->compute_flags);
  put_i32(&s, a->ntypes);
  put_u64(&s, (uint64_t) n);
  for (int t = 0; t < a->ntypes; t++) {
    put_i32(&s, sys->element_of_type[t]);
    put_f64(&s, a->mass[t]);
    char label[16];
    memcpy(label, a->type_label[t], sizeof label);
    label[15] = '\0';
    put(&s, label, sizeof label);
    char element[16] = {0};
    const int e = sys->element_of_type[t];
    if (sys->potential && e >= 0 && e < am_eam_element_count(sys->potential))
      snprintf(element, sizeof element, "%s", am_eam_element_name(sys->potential, e));
    put(&s, element, sizeof element);
  }
  put_section(&b, "system", s.p, s.len);
  const bool s_oom = s.oom;
  free(s.p);
  put_section(&b, "id", a->id, sizeof *a->id * n);
  put_section(&b, "type", a->type, sizeof *a->type * n);
  put_section(&b, "x", a->x, sizeof *a->x * 3 * n);
  put_section(&b, "v", a->v, sizeof *a->v * 3 * n);
  put_section(&b, "f", a->f, sizeof *a->f * 3 * n);
  put_section(&b, "image", a->image, sizeof *a->image * 3 * n);
  put_section(&b, "pinned", a->pinned, sizeof *a->pinned * n);
  put_section(&b, "pin_frac", a->pin_frac, sizeof *a->pin_frac * 3 * n);
  put_section(&b, "affine", a->affine, sizeof *a->affine * 3 * n);
  put_section(&b, "end-of-system", "", 0);
  for (size_t k = 0; k < nblobs; k++) {
    char name[AM_CHECKPOINT_MAX_NAME + 6];
    snprintf(name, sizeof name, "blob:%s", blobs[k].name);
    put_section(&b, name, blobs[k].data, blobs[k].size);
  }
  if (b.oom || s_oom) {
    free(b.p);
    return am_error_set(err, AM_ERR_NOMEM, "out of memory encoding a checkpoint of %zu atoms", n);
  }
  const uint64_t sections = (uint64_t) (b.len - HEADER_SIZE);
  memcpy(b.p + 16, &sections, sizeof sections);
  put_u32(&b, am_crc32c(0, b.p, b.len));
  if (b.oom) {
    free(b.p);
    return am_error_set(err, AM_ERR_NOMEM, "out of memory encoding a checkpoint");
  }
  *out = b.p;
  *out_len = b.len;
  return AM_OK;
}

AmStatus am_checkpoint_write(const char *path, const AmSystem *sys, const AmCheckpointBlob *blobs, size_t nblobs,
                             AmError *err)
{
  void *buf;
  size_t len;
  AmStatus st = am_checkpoint_encode(sys, blobs, nblobs, &buf, &len, err);
  if (st)
    return am_error_prefix(err, "%s: ", path);
  AmAtomicFile af;
  if ((st = am_atomic_file_open(&af, path, err))) {
    free(buf);
    return st;
  }
  fwrite(buf, 1, len, af.fp);
  free(buf);
  return am_atomic_file_commit(&af, err);
}

/* ---- decoding ---- */

typedef struct {
  const uint8_t *p, *end;
} Cur;

static bool take(Cur *c, void *dst, size_t n)
{
  if ((size_t) (c->end - c->p) < n)
    return false;
  memcpy(dst, c->p, n);
  c->p += n;
  return true;
}

typedef struct {
  const char *name;
  size_t elem;      /* bytes per atom; 0 for the system section */
  const uint8_t *data;
  uint64_t len;
  bool seen;
} Section;

static uint32_t swap32(uint32_t v)
{
  return (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);
}

AmStatus am_checkpoint_parse(const void *buf, size_t len, const char *name, AmSystem *sys, AmCheckpointBlobs *blobs,
                             AmError *err)
{
  const uint8_t *base = buf;
  Cur c = {base, base + len};
  char mg[8];
  uint32_t version = 0, endian = 0, count = 0;
  uint64_t sections_len = 0;
  if (len < sizeof magic || memcmp(base, magic, sizeof magic) != 0)
    return am_error_set(err, AM_ERR_FORMAT, "%s: not an Amorph checkpoint (it does not start with \"AMORPHCK\")",
                        name);
  if (len < HEADER_SIZE + TRAILER_SIZE)
    return am_error_set(err, AM_ERR_FORMAT, "%s: truncated checkpoint: %zu bytes, shorter than the %d-byte header",
                        name, len, HEADER_SIZE + TRAILER_SIZE);
  take(&c, mg, sizeof mg);
  take(&c, &version, 4);
  take(&c, &endian, 4);
  take(&c, &sections_len, 8);
  take(&c, &count, 4);
  if (endian != ENDIAN_MARK)
    return am_error_set(err, AM_ERR_FORMAT, "%s: %s", name,
                        swap32(endian) == ENDIAN_MARK
                            ? "checkpoint written on a machine with the other byte order; this build cannot read it"
                            : "checkpoint header is corrupted (bad byte-order mark)");
  if (sections_len != (uint64_t) (len - HEADER_SIZE - TRAILER_SIZE))
    return am_error_set(err, AM_ERR_FORMAT,
                        "%s: checkpoint is truncated or corrupted: its header announces %llu bytes of data, the "
                        "file holds %zu",
                        name, (unsigned long long) sections_len, len - HEADER_SIZE - TRAILER_SIZE);
  uint32_t stored;
  memcpy(&stored, base + len - TRAILER_SIZE, 4);
  const uint32_t computed = am_crc32c(0, base, len - TRAILER_SIZE);
  if (stored != computed)
    return am_error_set(err, AM_ERR_FORMAT,
                        "%s: checkpoint is corrupted: checksum mismatch (stored CRC-32C %08x, computed %08x)", name,
                        stored, computed);
  if (version != AM_CHECKPOINT_VERSION)
    return am_error_set(err, AM_ERR_UNSUPPORTED, "%s: checkpoint format version %u; this build reads version %d%s",
                        name, version, AM_CHECKPOINT_VERSION,
                        version > AM_CHECKPOINT_VERSION ? " (written by a newer Amorph)" : "");
  c.end = base + len - TRAILER_SIZE;

  Section known[] = {
    {"system", 0, NULL, 0, false},
    {"id", sizeof(int64_t), NULL, 0, false},
    {"type", sizeof(int32_t), NULL, 0, false},
    {"x", 3 * sizeof(double), NULL, 0, false},
    {"v", 3 * sizeof(double), NULL, 0, false},
    {"f", 3 * sizeof(double), NULL, 0, false},
    {"image", 3 * sizeof(int32_t), NULL, 0, false},
    {"pinned", sizeof(uint8_t), NULL, 0, false},
    {"pin_frac", 3 * sizeof(double), NULL, 0, false},
    {"affine", 3 * sizeof(double), NULL, 0, false},
    {"end-of-system", 0, NULL, 0, false},
  };
  enum { NKNOWN = sizeof known / sizeof known[0] };
  if ((uint64_t) count > sections_len / 12)
    return am_error_set(err, AM_ERR_FORMAT, "%s: checkpoint announces %u sections, more than its size allows", name,
                        count);
  AmCheckpointBlobs got = {0};
  if (count > NKNOWN) {
    got.blob = calloc(count - NKNOWN, sizeof *got.blob);
    if (!got.blob)
      return am_error_set(err, AM_ERR_NOMEM, "%s: out of memory", name);
  }
  AmStatus st = AM_OK;
  for (uint32_t k = 0; k < count && !st; k++) {
    uint32_t nl;
    uint64_t dl;
    char sname[AM_CHECKPOINT_MAX_NAME + 6 + 1];
    if (!take(&c, &nl, 4) || nl == 0 || nl >= sizeof sname || !take(&c, sname, nl) || !take(&c, &dl, 8) ||
        dl > (uint64_t) (c.end - c.p)) {
      st = am_error_set(err, AM_ERR_FORMAT, "%s: checkpoint section %u is malformed (bad name or length)", name, k);
      break;
    }
    sname[nl] = '\0';
    if (memchr(sname, '\0', nl)) {
      st = am_error_set(err, AM_ERR_FORMAT, "%s: checkpoint section %u has a malformed name", name, k);
      break;
    }
    const uint8_t *data = c.p;
    c.p += dl;
    if (strncmp(sname, "blob:", 5) == 0) {
      const char *bn = sname + 5;
      if (!valid_blob_name(bn) || got.n >= (count > NKNOWN ? count - NKNOWN : 0) ||
          am_checkpoint_blobs_find(&got, bn)) {
        st = am_error_set(err, AM_ERR_FORMAT, "%s: checkpoint blob \"%s\" is unnamed, duplicated or one too many",
                          name, bn);
        break;
      }
      AmCheckpointBlob *bl = &got.blob[got.n];
      bl->data = malloc(dl ? (size_t) dl : 1);
      if (!bl->data) {
        st = am_error_set(err, AM_ERR_NOMEM, "%s: out of memory for blob \"%s\"", name, bn);
        break;
      }
      memcpy(bl->data, data, (size_t) dl);
      bl->size = (size_t) dl;
      snprintf(bl->name, sizeof bl->name, "%s", bn);
      got.n++;
      continue;
    }
    int which = -1;
    for (int j = 0; j < NKNOWN; j++)
      if (strcmp(sname, known[j].name) == 0)
        which = j;
    if (which < 0 || known[which].seen) {
      st = am_error_set(err, AM_ERR_FORMAT, "%s: checkpoint section \"%s\" is %s", name, sname,
                        which < 0 ? "unknown" : "repeated");
      break;
    }
    known[which].seen = true;
    known[which].data = data;
    known[which].len = dl;
  }
  if (!st && c.p != c.end)
    st = am_error_set(err, AM_ERR_FORMAT, "%s: %zu stray bytes after the last checkpoint section", name,
                      (size_t) (c.end - c.p));
  for (int j = 0; j < NKNOWN && !st; j++)
    if (!known[j].seen)
      st = am_error_set(err, AM_ERR_FORMAT, "%s: checkpoint lacks the \"%s\" section", name, known[j].name);

  /* The system section, then the arrays, into a fresh system. */
  AmSystem fresh;
  am_system_init(&fresh, sys->potential, 0.0);
  if (!st) {
    Cur s = {known[0].data, known[0].data + known[0].len};
    uint64_t n = 0;
    int32_t ntypes = 0;
    bool ok = true;
    for (int k = 0; k < 3; k++)
      ok = ok && take(&s, &fresh.box.lo[k], 8);
    ok = ok && take(&s, &fresh.box.lx, 8) && take(&s, &fresh.box.ly, 8) && take(&s, &fresh.box.lz, 8);
    ok = ok && take(&s, &fresh.box.xy, 8) && take(&s, &fresh.box.xz, 8) && take(&s, &fresh.box.yz, 8);
    ok = ok && take(&s, &fresh.step, 8) && take(&s, &fresh.time, 8) && take(&s, &fresh.skin, 8) &&
         take(&s, &fresh.pe, 8);
    for (int k = 0; k < 6; k++)
      ok = ok && take(&s, &fresh.virial[k], 8);
    ok = ok && take(&s, &fresh.compute_flags, 4) && take(&s, &ntypes, 4) && take(&s, &n, 8);
    if (!ok || ntypes < 1 || ntypes > AM_MAX_TYPES || n > sections_len ||
        (uint64_t) (s.end - s.p) != (uint64_t) ntypes * TYPE_SIZE) {
      st = am_error_set(err, AM_ERR_FORMAT, "%s: checkpoint system section is malformed (%d atom types, %llu bytes)",
                        name, ntypes, (unsigned long long) known[0].len);
    } else {
      fresh.atoms.ntypes = ntypes;
      for (int t = 0; t < ntypes && !st; t++) {
        char element[16];
        take(&s, &fresh.element_of_type[t], 4);
        take(&s, &fresh.atoms.mass[t], 8);
        take(&s, fresh.atoms.type_label[t], 16);
        take(&s, element, 16);
        fresh.atoms.type_label[t][15] = '\0';
        element[15] = '\0';
        /* Element indices mean something only in the potential they were bound to. */
        const int e = fresh.element_of_type[t];
        if (sys->potential && e >= 0) {
          const int ne = am_eam_element_count(sys->potential);
          if (e >= ne || (element[0] && strcmp(element, am_eam_element_name(sys->potential, e)) != 0))
            st = am_error_set(err, AM_ERR_INVALID,
                              "%s: the checkpoint maps atom type %d to element %d (%s), which the potential %s "
                              "%s",
                              name, t + 1, e, element[0] ? element : "unnamed", sys->potential->source,
                              e >= ne ? "does not have" : "names differently: is it the same potential?");
        }
      }
      for (int j = 1; j < NKNOWN && !st; j++)
        if (known[j].elem && known[j].len != n * known[j].elem)
          st = am_error_set(err, AM_ERR_FORMAT, "%s: checkpoint section \"%s\" holds %llu bytes, %llu atoms need %llu",
                            name, known[j].name, (unsigned long long) known[j].len, (unsigned long long) n,
                            (unsigned long long) (n * known[j].elem));
      if (!st)
        st = am_atoms_resize(&fresh.atoms, (size_t) n, err);
      if (!st) {
        AmAtoms *a = &fresh.atoms;
        void *dst[] = {NULL, a->id, a->type, a->x, a->v, a->f, a->image, a->pinned, a->pin_frac, a->affine};
        for (int j = 1; j < 10; j++)
          if (known[j].len)
            memcpy(dst[j], known[j].data, (size_t) known[j].len);
        if ((st = check_state(&fresh, err)))
          am_error_prefix(err, "%s: checkpoint holds an invalid state: ", name);
      }
    }
  }
  if (st) {
    am_atoms_free(&fresh.atoms);
    am_checkpoint_blobs_free(&got);
    return st;
  }
  am_atoms_free(&sys->atoms);
  sys->atoms = fresh.atoms;
  sys->box = fresh.box;
  memcpy(sys->element_of_type, fresh.element_of_type, sizeof sys->element_of_type);
  sys->skin = fresh.skin;
  sys->compute_flags = fresh.compute_flags;
  sys->pe = fresh.pe;
  memcpy(sys->virial, fresh.virial, sizeof sys->virial);
  sys->step = fresh.step;
  sys->time = fresh.time;
  am_system_invalidate(sys);
  if (blobs) {
    am_checkpoint_blobs_free(blobs);
    *blobs = got;
  } else {
    am_checkpoint_blobs_free(&got);
  }
  return AM_OK;
}

AmStatus am_checkpoint_read(const char *path, AmSystem *sys, AmCheckpointBlobs *blobs, AmError *err)
{
  char *buf;
  size_t len;
  AmStatus st = am_file_read_all(path, &buf, &len, err);
  if (st)
    return st;
  st = am_checkpoint_parse(buf, len, path, sys, blobs, err);
  free(buf);
  return st;
}

const AmCheckpointBlob *am_checkpoint_blobs_find(const AmCheckpointBlobs *blobs, const char *name)
{
  for (size_t k = 0; k < blobs->n; k++)
    if (strcmp(blobs->blob[k].name, name) == 0)
      return &blobs->blob[k];
  return NULL;
}

void am_checkpoint_blobs_free(AmCheckpointBlobs *blobs)
{
  for (size_t k = 0; k < blobs->n; k++)
    free(blobs->blob[k].data);
  free(blobs->blob);
  blobs->n = 0;
  blobs->blob = NULL;
}
