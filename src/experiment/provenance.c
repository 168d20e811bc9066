/* provenance.c: manifest.json. */
#include "experiment/provenance.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "amorph-config.h"
#include "amorph-version.h"
#include "experiment/results.h"

typedef struct {
  char *role;
  char *path;
  char *sha256;
  gint64 size;
} Input;

struct AmProvenance {
  const AmConfig *cfg;
  char **argv;
  int threads;
  GDateTime *start;
  gint64 start_us;
  GPtrArray *inputs;
  GPtrArray *outputs;
  JsonObject *extra;
};

static void input_free(gpointer p)
{
  Input *in = p;
  g_free(in->role);
  g_free(in->path);
  g_free(in->sha256);
  g_free(in);
}

AmProvenance *am_provenance_new(const AmConfig *cfg, int argc, char **argv, int threads)
{
  AmProvenance *prov = g_new0(AmProvenance, 1);
  prov->cfg = cfg;
  GPtrArray *args = g_ptr_array_new();
  for (int i = 0; argv && i < argc; i++)
    g_ptr_array_add(args, g_strdup(argv[i]));
  g_ptr_array_add(args, NULL);
  prov->argv = (char **) g_ptr_array_free(args, FALSE);
  prov->threads = threads;
  prov->start = g_date_time_new_now_utc();
  prov->start_us = g_get_monotonic_time();
  prov->inputs = g_ptr_array_new_with_free_func(input_free);
  prov->outputs = g_ptr_array_new_with_free_func(g_free);
  prov->extra = json_object_new();
  return prov;
}

void am_provenance_free(AmProvenance *prov)
{
  if (!prov)
    return;
  g_strfreev(prov->argv);
  g_date_time_unref(prov->start);
  g_ptr_array_unref(prov->inputs);
  g_ptr_array_unref(prov->outputs);
  json_object_unref(prov->extra);
  g_free(prov);
}

char *am_sha256_file(const char *path, GError **error)
{
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    int e = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "cannot read %s: %s", path, g_strerror(e));
    return NULL;
  }
  g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
  guchar buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
    g_checksum_update(sum, buf, (gssize) n);
  int failed = ferror(fp);
  int e = errno;
  fclose(fp);
  if (failed) {
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "cannot read %s: %s", path, g_strerror(e));
    return NULL;
  }
  return g_strdup(g_checksum_get_string(sum));
}

gboolean am_provenance_add_input(AmProvenance *prov, const char *role, const char *path,
                                 GError **error)
{
  char *sha = am_sha256_file(path, error);
  if (!sha)
    return FALSE;
  Input *in = g_new0(Input, 1);
  in->role = g_strdup(role);
  /* Absolute, so the manifest still identifies the file when read from elsewhere. */
  in->path = g_canonicalize_filename(path, NULL);
  in->sha256 = sha;
  GStatBuf st;
  in->size = g_stat(path, &st) == 0 ? (gint64) st.st_size : -1;
  g_ptr_array_add(prov->inputs, in);
  return TRUE;
}

void am_provenance_add_output(AmProvenance *prov, const char *name)
{
  for (guint i = 0; i < prov->outputs->len; i++)
    if (g_strcmp0(prov->outputs->pdata[i], name) == 0)
      return;
  g_ptr_array_add(prov->outputs, g_strdup(name));
}

void am_provenance_set_double(AmProvenance *prov, const char *key, double value)
{
  json_object_set_double_member(prov->extra, key, value);
}

void am_provenance_set_string(AmProvenance *prov, const char *key, const char *value)
{
  json_object_set_string_member(prov->extra, key, value);
}

static void add_time(JsonBuilder *b, const char *name, GDateTime *t)
{
  g_autofree char *s = g_date_time_format_iso8601(t);
  am_json_add_string(b, name, s);
}

gboolean am_provenance_write(AmProvenance *prov, const char *path, const char *error_message,
                             GError **error)
{
  g_autoptr(GDateTime) end = g_date_time_new_now_utc();
  double wall = (double) (g_get_monotonic_time() - prov->start_us) * 1e-6;

  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  am_json_add_string(b, "program", "amorph");
  am_json_add_string(b, "version", AMORPH_VERSION);
  am_json_add_string(b, "git_commit", AMORPH_GIT_COMMIT);
#if defined(__clang__)
  am_json_add_string(b, "compiler", "clang " __clang_version__);
#elif defined(__GNUC__)
  am_json_add_string(b, "compiler", "gcc " __VERSION__);
#endif
#ifdef _OPENMP
  am_json_add_int(b, "openmp_version", _OPENMP);
#endif
  am_json_add_string(b, "protocol", am_config_protocol(prov->cfg));
  am_json_add_string(b, "status", error_message ? "failed" : "ok");
  if (error_message)
    am_json_add_string(b, "error", error_message);
  json_builder_set_member_name(b, "command_line");
  json_builder_begin_array(b);
  for (int i = 0; prov->argv[i]; i++)
    json_builder_add_string_value(b, prov->argv[i]);
  json_builder_end_array(b);
  g_autofree char *config_file = *am_config_source(prov->cfg)
                                     ? g_canonicalize_filename(am_config_source(prov->cfg), NULL)
                                     : g_strdup("");
  am_json_add_string(b, "config_file", config_file);
  json_builder_set_member_name(b, "config");
  json_builder_add_value(b, am_config_to_json(prov->cfg));
  json_builder_set_member_name(b, "seeds");
  json_builder_add_value(b, am_config_seeds_to_json(prov->cfg));
  json_builder_set_member_name(b, "inputs");
  json_builder_begin_array(b);
  for (guint i = 0; i < prov->inputs->len; i++) {
    const Input *in = prov->inputs->pdata[i];
    json_builder_begin_object(b);
    am_json_add_string(b, "role", in->role);
    am_json_add_string(b, "path", in->path);
    am_json_add_string(b, "sha256", in->sha256);
    am_json_add_int(b, "bytes", in->size);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_set_member_name(b, "outputs");
  json_builder_begin_array(b);
  for (guint i = 0; i < prov->outputs->len; i++)
    json_builder_add_string_value(b, prov->outputs->pdata[i]);
  json_builder_end_array(b);
  am_json_add_int(b, "threads", prov->threads);
  am_json_add_string(b, "host", g_get_host_name());
  add_time(b, "start_time", prov->start);
  add_time(b, "end_time", end);
  am_json_add_double(b, "wall_seconds", wall);
  json_builder_set_member_name(b, "details");
  JsonNode *extra = json_node_new(JSON_NODE_OBJECT);
  json_node_set_object(extra, prov->extra);
  json_builder_add_value(b, extra);
  json_builder_end_object(b);

  g_autoptr(JsonNode) root = json_builder_get_root(b);
  return am_json_write_file(path, root, error);
}
