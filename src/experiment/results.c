/* results.c: JSON and CSV result files. */
#include "experiment/results.h"

#include <math.h>
#include <string.h>

#include "experiment/atomic_file.h"

gboolean am_json_write_file(const char *path, JsonNode *root, GError **error)
{
  g_autoptr(JsonGenerator) gen = json_generator_new();
  json_generator_set_pretty(gen, TRUE);
  json_generator_set_indent(gen, 2);
  json_generator_set_root(gen, root);
  gsize len = 0;
  g_autofree char *text = json_generator_to_data(gen, &len);
  g_autoptr(GString) s = g_string_new_len(text, (gssize) len);
  g_string_append_c(s, '\n');
  return am_write_file_atomic(path, s->str, (gssize) s->len, error);
}

void am_json_add_double(JsonBuilder *b, const char *name, double value)
{
  json_builder_set_member_name(b, name);
  if (isfinite(value))
    json_builder_add_double_value(b, value);
  else
    json_builder_add_null_value(b);
}

void am_json_add_int(JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name(b, name);
  json_builder_add_int_value(b, value);
}

void am_json_add_string(JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name(b, name);
  if (value)
    json_builder_add_string_value(b, value);
  else
    json_builder_add_null_value(b);
}

void am_json_add_bool(JsonBuilder *b, const char *name, gboolean value)
{
  json_builder_set_member_name(b, name);
  json_builder_add_boolean_value(b, value);
}

void am_json_add_tensor6(JsonBuilder *b, const char *name, const double t[6])
{
  static const char *const comp[6] = { "xx", "yy", "zz", "xy", "xz", "yz" };
  json_builder_set_member_name(b, name);
  json_builder_begin_object(b);
  for (int k = 0; k < 6; k++)
    am_json_add_double(b, comp[k], t[k]);
  json_builder_end_object(b);
}

void am_json_add_vector3(JsonBuilder *b, const char *name, const double v[3])
{
  static const char *const comp[3] = { "x", "y", "z" };
  json_builder_set_member_name(b, name);
  json_builder_begin_object(b);
  for (int k = 0; k < 3; k++)
    am_json_add_double(b, comp[k], v[k]);
  json_builder_end_object(b);
}

const char *am_format_double(char *buf, gsize size, double value)
{
  if (isnan(value))
    g_strlcpy(buf, "nan", size);
  else if (isinf(value))
    g_strlcpy(buf, value > 0 ? "inf" : "-inf", size);
  else
    g_ascii_formatd(buf, (gint) size, "%.17g", value);
  return buf;
}

struct AmCsv {
  AmOutFile *out;
  guint ncolumns;
  guint nfields;      /* fields in the current row */
  gboolean bad_field; /* a string field that would break the table */
  GString *row;
  GString *copy;      /* every byte written, when kept for a checkpoint */
  gboolean any_row;   /* a row was written since the header */
  char *header;
};

static char *header_line(const char *const *columns, guint *ncolumns)
{
  GString *h = g_string_new(NULL);
  guint n = 0;
  for (; columns[n]; n++)
    g_string_append_printf(h, "%s%s", n ? "," : "", columns[n]);
  g_string_append_c(h, '\n');
  *ncolumns = n;
  return g_string_free(h, FALSE);
}

/* Opens the temporary file and writes text (the header, or a resumed table's rows). */
static AmCsv *open_with(const char *path, char *header, guint ncolumns, const char *text, gsize len,
                        GError **error)
{
  AmOutFile *out = am_out_file_open(path, error);
  if (!out)
    return NULL;
  AmCsv *csv = g_new0(AmCsv, 1);
  csv->out = out;
  csv->ncolumns = ncolumns;
  csv->header = header;
  csv->row = g_string_new(NULL);
  am_out_file_write(out, text, len, NULL);
  return csv;
}

AmCsv *am_csv_open(const char *path, const char *const *columns, GError **error)
{
  guint n = 0;
  char *header = header_line(columns, &n);
  AmCsv *csv = open_with(path, header, n, header, strlen(header), error);
  if (!csv)
    g_free(header);
  return csv;
}

AmCsv *am_csv_open_continued(const char *path, const char *const *columns, const char *text, gsize len,
                             GError **error)
{
  guint n = 0;
  char *header = header_line(columns, &n);
  const gsize hlen = strlen(header);
  if (len < hlen || memcmp(text, header, hlen) != 0 || text[len - 1] != '\n') {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                "%s: the saved table does not begin with the header %.*s or ends inside a row", path,
                (int) (hlen - 1), header);
    g_free(header);
    return NULL;
  }
  AmCsv *csv = open_with(path, header, n, text, len, error);
  if (!csv) {
    g_free(header);
    return NULL;
  }
  csv->copy = g_string_new_len(text, (gssize) len);
  csv->any_row = len > hlen;
  return csv;
}

void am_csv_keep_copy(AmCsv *csv)
{
  g_return_if_fail(!csv->any_row);
  if (!csv->copy)
    csv->copy = g_string_new(csv->header);
}

const char *am_csv_copy(const AmCsv *csv, gsize *len)
{
  *len = csv->copy ? csv->copy->len : 0;
  return csv->copy ? csv->copy->str : NULL;
}

static void begin_field(AmCsv *csv)
{
  if (csv->nfields++)
    g_string_append_c(csv->row, ',');
}

void am_csv_add_int(AmCsv *csv, gint64 value)
{
  begin_field(csv);
  g_string_append_printf(csv->row, "%" G_GINT64_FORMAT, value);
}

void am_csv_add_double(AmCsv *csv, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  begin_field(csv);
  g_string_append(csv->row, am_format_double(buf, sizeof buf, value));
}

void am_csv_add_string(AmCsv *csv, const char *value)
{
  begin_field(csv);
  if (strpbrk(value, ",\"\n\r"))
    csv->bad_field = TRUE;
  g_string_append(csv->row, value);
}

gboolean am_csv_end_row(AmCsv *csv, GError **error)
{
  if (csv->nfields != csv->ncolumns || csv->bad_field) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                "%s: row with %u fields for %u columns%s", am_out_file_path(csv->out), csv->nfields,
                csv->ncolumns, csv->bad_field ? " (or a field with a comma, quote or newline)" : "");
    return FALSE;
  }
  g_string_append_c(csv->row, '\n');
  gboolean ok = am_out_file_write(csv->out, csv->row->str, csv->row->len, error);
  if (csv->copy)
    g_string_append_len(csv->copy, csv->row->str, (gssize) csv->row->len);
  csv->any_row = TRUE;
  g_string_truncate(csv->row, 0);
  csv->nfields = 0;
  return ok;
}

gboolean am_csv_flush(AmCsv *csv, GError **error)
{
  return am_out_file_flush(csv->out, error);
}

gboolean am_csv_commit(AmCsv *csv, GError **error)
{
  gboolean ok = am_out_file_commit(csv->out, error);
  g_string_free(csv->row, TRUE);
  g_free(csv->header);
  if (csv->copy)
    g_string_free(csv->copy, TRUE);
  g_free(csv);
  return ok;
}

void am_csv_abort(AmCsv *csv)
{
  if (!csv)
    return;
  am_out_file_abort(csv->out);
  g_string_free(csv->row, TRUE);
  g_free(csv->header);
  if (csv->copy)
    g_string_free(csv->copy, TRUE);
  g_free(csv);
}
