/* results.h: writing result files: JSON documents and CSV tables, both atomically
 * (atomic_file.h), with numbers in full precision and independent of the C locale (the
 * GUI runs with the user's locale, which may write 0,5). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Pretty-printed JSON, atomically. */
gboolean am_json_write_file(const char *path, JsonNode *root, GError **error);

/* Builder helpers. Non-finite doubles become null (JSON has no NaN), never bad JSON. */
void am_json_add_double(JsonBuilder *b, const char *name, double value);
void am_json_add_int(JsonBuilder *b, const char *name, gint64 value);
void am_json_add_string(JsonBuilder *b, const char *name, const char *value);
void am_json_add_bool(JsonBuilder *b, const char *name, gboolean value);
/* {"xx":…, "yy":…, "zz":…, "xy":…, "xz":…, "yz":…} in the engine's tensor order. */
void am_json_add_tensor6(JsonBuilder *b, const char *name, const double t[6]);
/* {"x":…, "y":…, "z":…}. */
void am_json_add_vector3(JsonBuilder *b, const char *name, const double v[3]);

/* A CSV table with a fixed header; each row must have exactly that many fields. */
typedef struct AmCsv AmCsv;

AmCsv *am_csv_open(const char *path, const char *const *columns, GError **error);
void am_csv_add_int(AmCsv *csv, gint64 value);
/* %.17g: reads back to the same double. Non-finite values are written as nan/inf. */
void am_csv_add_double(AmCsv *csv, double value);
/* Written as is; must not contain commas, quotes or newlines (checked). */
void am_csv_add_string(AmCsv *csv, const char *value);
/* Ends the row; fails when the field count is wrong or a write failed. */
gboolean am_csv_end_row(AmCsv *csv, GError **error);
/* Flushes to the temporary file (long runs: notice a full disk early). */
gboolean am_csv_flush(AmCsv *csv, GError **error);
gboolean am_csv_commit(AmCsv *csv, GError **error);
void am_csv_abort(AmCsv *csv);
/* Resumable tables: a run that checkpoints keeps a copy of every byte written so far
 * (header included) and stores it in the checkpoint; the resumed run reopens the table
 * with that text, which must begin with the same header, and carries on writing rows. */
void am_csv_keep_copy(AmCsv *csv); /* before the first row */
const char *am_csv_copy(const AmCsv *csv, gsize *len);
AmCsv *am_csv_open_continued(const char *path, const char *const *columns, const char *text, gsize len,
                             GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AmCsv, am_csv_abort)

/* %.17g with a '.' decimal point whatever the locale, into buf (≥ G_ASCII_DTOSTR_BUF_SIZE). */
const char *am_format_double(char *buf, gsize size, double value);

G_END_DECLS
