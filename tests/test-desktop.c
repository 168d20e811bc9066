/* test-desktop.c: Amorph as an installed desktop application. The version has one source
 * (meson's project version) that --version, the AppStream metainfo, CHANGELOG.md, the man
 * page and the flatpak manifest must agree on; the manifest asks for no more than the
 * application needs; the man page documents exactly the options of --help; and an
 * installed (even relocated) amorph finds its data beside itself, not in the source tree.
 * The external validators (desktop-file-validate, appstreamcli, glib-compile-schemas) are
 * separate tests in data/meson.build. */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/wait.h>

#include "amorph-config.h"

#define APP_ID "org.amorph.Amorph"

static const char *source_dir, *build_dir;

static char *src_path(const char *first, ...) G_GNUC_NULL_TERMINATED;

static char *src_path(const char *first, ...)
{
  va_list ap;
  va_start(ap, first);
  g_autofree char *rel = g_build_filename_valist(first, &ap);
  va_end(ap);
  return g_build_filename(source_dir, rel, NULL);
}

static char *read_text(const char *path)
{
  char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_file_get_contents(path, &text, NULL, &error);
  g_assert_no_error(error);
  return text;
}

typedef struct {
  int status;
  char *out, *err;
} Run;

static void run_clear(Run *r)
{
  g_free(r->out);
  g_free(r->err);
}

/* Runs argv with env (NULL: inherited); a crash is never a clean failure. */
static Run run(const char *const *argv, char **env)
{
  Run r = { 0 };
  int wait_status = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &r.out, &r.err,
                             &wait_status, &error));
  g_assert_no_error(error);
  g_assert_true(WIFEXITED(wait_status));
  r.status = WEXITSTATUS(wait_status);
  return r;
}

static char *amorph_bin(void)
{
  return g_build_filename(build_dir, "src", "amorph", NULL);
}

/* ---- versions ----------------------------------------------------------------------- */

/* The date of this version's heading in CHANGELOG.md ("## [0.1.0] - 2026-11-25"). */
static char *changelog_date(void)
{
  g_autofree char *path = src_path("CHANGELOG.md", NULL);
  g_autofree char *text = read_text(path);
  g_autofree char *heading = g_strdup_printf("\n## [%s] - ", AMORPH_VERSION);
  const char *h = strstr(text, heading);
  g_assert_nonnull(h);
  const char *d = h + strlen(heading);
  g_autofree char *date = g_strndup(d, 10);
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *iso = g_strdup_printf("%sT00:00:00Z", date);
  dt = g_date_time_new_from_iso8601(iso, NULL);
  g_assert_nonnull(dt); /* a real calendar date */
  return g_steal_pointer(&date);
}

typedef struct {
  char *id, *launchable, *first_release, *first_date;
  GPtrArray *screenshots;
  GString *text;
  gboolean in_id, in_launchable, in_image;
  int depth;
} Metainfo;

static const char *attr(const char **names, const char **values, const char *name)
{
  for (int i = 0; names[i]; i++)
    if (strcmp(names[i], name) == 0)
      return values[i];
  return NULL;
}

static void meta_start(GMarkupParseContext *ctx, const char *element, const char **names, const char **values,
                       gpointer user_data, GError **error)
{
  (void) ctx;
  (void) error;
  Metainfo *m = user_data;
  m->depth++;
  g_string_truncate(m->text, 0);
  m->in_id = strcmp(element, "id") == 0 && m->depth == 2;
  m->in_launchable = strcmp(element, "launchable") == 0;
  m->in_image = strcmp(element, "image") == 0;
  if (strcmp(element, "release") == 0 && !m->first_release) {
    m->first_release = g_strdup(attr(names, values, "version"));
    m->first_date = g_strdup(attr(names, values, "date"));
  }
}

static void meta_end(GMarkupParseContext *ctx, const char *element, gpointer user_data, GError **error)
{
  (void) ctx;
  (void) element;
  (void) error;
  Metainfo *m = user_data;
  if (m->in_id)
    m->id = g_strdup(m->text->str);
  if (m->in_launchable)
    m->launchable = g_strdup(m->text->str);
  if (m->in_image)
    g_ptr_array_add(m->screenshots, g_strdup(m->text->str));
  m->in_id = m->in_launchable = m->in_image = FALSE;
  m->depth--;
}

static void meta_text(GMarkupParseContext *ctx, const char *text, gsize len, gpointer user_data, GError **error)
{
  (void) ctx;
  (void) error;
  g_string_append_len(((Metainfo *) user_data)->text, text, (gssize) len);
}

/* The metainfo as installed: configured into the build tree from the .in file. */
static void load_metainfo(Metainfo *m)
{
  memset(m, 0, sizeof *m);
  m->screenshots = g_ptr_array_new_with_free_func(g_free);
  m->text = g_string_new(NULL);
  g_autofree char *path = g_build_filename(build_dir, "data", APP_ID ".metainfo.xml", NULL);
  g_autofree char *xml = read_text(path);
  GMarkupParser parser = { .start_element = meta_start, .end_element = meta_end, .text = meta_text };
  g_autoptr(GMarkupParseContext) ctx = g_markup_parse_context_new(&parser, 0, m, NULL);
  g_autoptr(GError) error = NULL;
  g_markup_parse_context_parse(ctx, xml, -1, &error);
  g_assert_no_error(error);
  g_markup_parse_context_end_parse(ctx, &error);
  g_assert_no_error(error);
}

static void metainfo_clear(Metainfo *m)
{
  g_free(m->id);
  g_free(m->launchable);
  g_free(m->first_release);
  g_free(m->first_date);
  g_ptr_array_unref(m->screenshots);
  g_string_free(m->text, TRUE);
}

static void test_version_metainfo(void)
{
  Metainfo m;
  load_metainfo(&m);
  g_autofree char *date = changelog_date();
  g_assert_cmpstr(m.id, ==, APP_ID);
  g_assert_cmpstr(m.launchable, ==, APP_ID ".desktop");
  /* The newest release comes first and is this version, dated as in the changelog. */
  g_assert_cmpstr(m.first_release, ==, AMORPH_VERSION);
  g_assert_cmpstr(m.first_date, ==, date);
  /* Screenshots are served from the repository's data/screenshots. */
  g_assert_cmpuint(m.screenshots->len, >=, 1);
  guint missing = 0;
  for (guint i = 0; i < m.screenshots->len; i++) {
    const char *url = m.screenshots->pdata[i];
    const char *prefix = "https://raw.githubusercontent.com/amorph-project/amorph/main/data/screenshots/";
    g_assert_true(g_str_has_prefix(url, prefix));
    g_assert_true(g_str_has_suffix(url, ".png"));
    g_autofree char *file = src_path("data", "screenshots", url + strlen(prefix), NULL);
    if (!g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
      g_test_message("screenshot %s is not in data/screenshots yet", url + strlen(prefix));
      missing++;
    }
  }
  metainfo_clear(&m);
  if (missing)
    g_test_incomplete("metainfo screenshots missing from data/screenshots (see the messages)");
}

static void test_version_binary(void)
{
  g_autofree char *bin = amorph_bin();
  Run r = run((const char *const[]){ bin, "--version", NULL }, NULL);
  g_assert_cmpint(r.status, ==, 0);
  g_autofree char *prefix = g_strdup_printf("amorph %s (git ", AMORPH_VERSION);
  g_assert_true(g_str_has_prefix(r.out, prefix));
  g_assert_true(g_str_has_suffix(r.out, ")\n"));
  g_autofree char *commit = g_strndup(r.out + strlen(prefix), strlen(r.out) - strlen(prefix) - 2);
  run_clear(&r);

  g_autofree char *git = g_find_program_in_path("git");
  g_autofree char *dotgit = src_path(".git", NULL);
  if (!git || !g_file_test(dotgit, G_FILE_TEST_EXISTS)) {
    g_assert_cmpstr(commit, ==, "unknown");
    g_test_skip("not a git checkout");
    return;
  }
  const char *ninja = g_getenv("NINJA");
  if (!ninja || !*ninja) {
    g_test_skip("ninja not found");
    return;
  }
  /* The binary prints the generated header's commit ... */
  g_autofree char *header_path = g_build_filename(build_dir, "amorph-version.h", NULL);
  g_autofree char *header = read_text(header_path);
  g_autofree char *define = g_strdup_printf("#define AMORPH_GIT_COMMIT \"%s\"\n", commit);
  if (!strstr(header, define))
    g_test_message("the header changed since the binary was linked (a commit during the build?)");
  /* ... and building the header again reads the commit now: it is generated at build
   * time (a configure-time value would go stale after the next commit). The command is
   * the one of vcs_tag() in meson.build. */
  Run nj = run((const char *const[]){ ninja, "-C", build_dir, "amorph-version.h", NULL }, NULL);
  g_assert_cmpint(nj.status, ==, 0);
  run_clear(&nj);
  Run d = run((const char *const[]){ git, "-C", source_dir, "describe", "--always", "--broken", "--abbrev=12",
                                     "--exclude=*", NULL },
              NULL);
  g_assert_cmpint(d.status, ==, 0);
  g_autofree char *now = g_strdup_printf("#define AMORPH_GIT_COMMIT \"%s\"\n", g_strstrip(d.out));
  run_clear(&d);
  g_autofree char *header2 = read_text(header_path);
  g_test_message("git describe: %s", now);
  g_assert_nonnull(strstr(header2, now));
}

/* ---- flatpak -------------------------------------------------------------------------- */

static JsonNode *load_json_file(const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = NULL;
  json_parser_load_from_file(parser, path, &error);
  g_assert_no_error(error);
  return json_node_copy(json_parser_get_root(parser));
}

static const char *const allowed_finish_args[] = {
  "--share=ipc", "--socket=wayland", "--socket=fallback-x11", "--device=dri", NULL,
};

static gboolean strv_has(const char *const *v, const char *s)
{
  for (; *v; v++)
    if (strcmp(*v, s) == 0)
      return TRUE;
  return FALSE;
}

/* A module given inline or as the name of a JSON file beside the manifest. */
static JsonNode *module_node(JsonNode *m)
{
  if (JSON_NODE_HOLDS_VALUE(m)) {
    const char *file = json_node_get_string(m);
    g_assert_nonnull(file);
    g_autofree char *path = src_path("flatpak", file, NULL);
    return load_json_file(path);
  }
  g_assert_true(JSON_NODE_HOLDS_OBJECT(m));
  return json_node_copy(m);
}

static gboolean is_sha256(const char *s)
{
  if (!s || strlen(s) != 64)
    return FALSE;
  for (const char *c = s; *c; c++)
    if (!g_ascii_isxdigit(*c) || g_ascii_isupper(*c))
      return FALSE;
  return TRUE;
}

/* Checks one manifest and returns the amorph module's only source. */
static JsonNode *check_manifest(const char *file)
{
  g_autofree char *path = src_path("flatpak", file, NULL);
  g_autoptr(JsonNode) root = load_json_file(path);
  JsonObject *o = json_node_get_object(root);
  g_assert_nonnull(o);
  const char *id = json_object_has_member(o, "id") ? json_object_get_string_member(o, "id")
                                                   : json_object_get_string_member(o, "app-id");
  g_assert_cmpstr(id, ==, APP_ID);
  g_assert_cmpstr(json_object_get_string_member(o, "runtime"), ==, "org.gnome.Platform");
  g_assert_cmpstr(json_object_get_string_member(o, "sdk"), ==, "org.gnome.Sdk");
  g_assert_cmpstr(json_object_get_string_member(o, "command"), ==, "amorph");
  /* A numbered stable runtime (not master/nightly), new enough for GTK >= 4.8. */
  const char *rv = json_object_get_string_member(o, "runtime-version");
  char *end = NULL;
  gint64 v = g_ascii_strtoll(rv, &end, 10);
  g_assert_true(end && *end == '\0');
  g_assert_cmpint(v, >=, 47);

  /* Permissions: only what the explorer needs; everything else goes through portals. */
  JsonArray *fa = json_object_get_array_member(o, "finish-args");
  g_assert_nonnull(fa);
  gboolean wayland = FALSE, x11 = FALSE, dri = FALSE;
  for (guint i = 0; i < json_array_get_length(fa); i++) {
    const char *a = json_array_get_string_element(fa, i);
    g_test_message("%s: finish-arg %s", file, a);
    g_assert_false(g_str_has_prefix(a, "--filesystem="));
    g_assert_cmpstr(a, !=, "--socket=x11");
    g_assert_cmpstr(a, !=, "--share=network");
    g_assert_cmpstr(a, !=, "--device=all");
    g_assert_true(strv_has(allowed_finish_args, a));
    wayland |= strcmp(a, "--socket=wayland") == 0;
    x11 |= strcmp(a, "--socket=fallback-x11") == 0;
    dri |= strcmp(a, "--device=dri") == 0;
  }
  g_assert_true(wayland && x11 && dri);

  /* Modules: OpenBLAS (LAPACKE) and voro++ from pinned, checksummed archives; no MPI. */
  JsonArray *mods = json_object_get_array_member(o, "modules");
  g_assert_nonnull(mods);
  gboolean openblas = FALSE, voro = FALSE;
  JsonNode *amorph_source = NULL;
  for (guint i = 0; i < json_array_get_length(mods); i++) {
    g_autoptr(JsonNode) mn = module_node(json_array_get_element(mods, i));
    JsonObject *m = json_node_get_object(mn);
    const char *name = json_object_get_string_member(m, "name");
    g_assert_nonnull(name);
    g_autofree char *lower = g_ascii_strdown(name, -1);
    g_assert_null(strstr(lower, "mpi"));
    JsonArray *sources = json_object_get_array_member(m, "sources");
    g_assert_nonnull(sources);
    g_assert_cmpuint(json_array_get_length(sources), >=, 1);
    if (strcmp(name, "amorph") == 0) {
      g_assert_cmpstr(json_object_get_string_member(m, "buildsystem"), ==, "meson");
      JsonArray *opts = json_object_get_array_member(m, "config-opts");
      gboolean no_mpi = FALSE, gui = FALSE;
      for (guint k = 0; k < json_array_get_length(opts); k++) {
        no_mpi |= strcmp(json_array_get_string_element(opts, k), "-Dmpi=disabled") == 0;
        gui |= strcmp(json_array_get_string_element(opts, k), "-Dgui=enabled") == 0;
      }
      g_assert_true(no_mpi && gui);
      g_assert_cmpuint(json_array_get_length(sources), ==, 1);
      g_assert_null(amorph_source);
      amorph_source = json_node_copy(json_array_get_element(sources, 0));
      continue;
    }
    openblas |= strcmp(lower, "openblas") == 0;
    voro |= strcmp(lower, "voro++") == 0;
    for (guint k = 0; k < json_array_get_length(sources); k++) {
      JsonObject *s = json_array_get_object_element(sources, k);
      const char *url = json_object_get_string_member(s, "url");
      g_test_message("%s: module %s from %s", file, name, url);
      g_assert_cmpstr(json_object_get_string_member(s, "type"), ==, "archive");
      g_assert_true(g_str_has_prefix(url, "https://"));
      g_assert_true(is_sha256(json_object_get_string_member(s, "sha256")));
    }
  }
  g_assert_true(openblas && voro);
  g_assert_nonnull(amorph_source);
  return amorph_source;
}

static void test_flatpak_manifest(void)
{
  /* The release manifest builds the tag of this version. */
  g_autoptr(JsonNode) release = check_manifest(APP_ID ".json");
  JsonObject *rs = json_node_get_object(release);
  g_assert_cmpstr(json_object_get_string_member(rs, "type"), ==, "git");
  g_assert_true(g_str_has_prefix(json_object_get_string_member(rs, "url"), "https://"));
  g_autofree char *tag = g_strdup_printf("v%s", AMORPH_VERSION);
  g_assert_cmpstr(json_object_get_string_member(rs, "tag"), ==, tag);

  /* The local one builds this checkout, and is otherwise the same manifest. */
  g_autoptr(JsonNode) local = check_manifest(APP_ID ".local.json");
  JsonObject *ls = json_node_get_object(local);
  g_assert_cmpstr(json_object_get_string_member(ls, "type"), ==, "dir");
  g_assert_cmpstr(json_object_get_string_member(ls, "path"), ==, "..");

  g_autofree char *rpath = src_path("flatpak", APP_ID ".json", NULL);
  g_autofree char *lpath = src_path("flatpak", APP_ID ".local.json", NULL);
  g_autoptr(JsonNode) r = load_json_file(rpath), l = load_json_file(lpath);
  JsonArray *rm = json_object_get_array_member(json_node_get_object(r), "modules");
  JsonArray *lm = json_object_get_array_member(json_node_get_object(l), "modules");
  guint last = json_array_get_length(rm) - 1;
  JsonObject *ra = json_array_get_object_element(rm, last), *la = json_array_get_object_element(lm, last);
  json_object_remove_member(ra, "sources");
  json_object_remove_member(la, "sources");
  g_assert_true(json_node_equal(r, l));
}

/* ---- the man page against --help -------------------------------------------------------- */

/* Options (-x, --long-name) that appear as words in text. */
static GHashTable *options_in(const char *text)
{
  GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GRegex) re = g_regex_new("(?:^|[\\s\\[(|,])(--?[A-Za-z][A-Za-z0-9-]*)", G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) mi = NULL;
  g_regex_match(re, text, 0, &mi);
  while (g_match_info_matches(mi)) {
    g_hash_table_add(set, g_match_info_fetch(mi, 1));
    g_match_info_next(mi, NULL);
  }
  return set;
}

/* The man page's text without groff escapes for dashes and fonts. */
static char *man_text(void)
{
  g_autofree char *path = src_path("docs", "amorph.1", NULL);
  g_autofree char *raw = read_text(path);
  GString *s = g_string_new(NULL);
  for (const char *c = raw; *c; c++) {
    if (c[0] == '\\' && c[1] == '-') {
      g_string_append_c(s, '-');
      c++;
    } else if (c[0] == '\\' && c[1] == 'f' && c[2]) {
      c += 2;
    } else {
      g_string_append_c(s, *c);
    }
  }
  return g_string_free(s, FALSE);
}

static void test_man_options(void)
{
  g_autofree char *bin = amorph_bin();
  Run h = run((const char *const[]){ bin, "--help", NULL }, NULL);
  g_assert_cmpint(h.status, ==, 0);
  g_autofree char *man = man_text();
  g_autoptr(GHashTable) help_opts = options_in(h.out), man_opts = options_in(man);
  g_assert_cmpuint(g_hash_table_size(help_opts), >=, 8);
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init(&it, help_opts);
  while (g_hash_table_iter_next(&it, &key, NULL)) {
    if (!g_hash_table_contains(man_opts, key))
      g_test_message("--help has %s, the man page does not", (char *) key);
    g_assert_true(g_hash_table_contains(man_opts, key));
  }
  g_hash_table_iter_init(&it, man_opts);
  while (g_hash_table_iter_next(&it, &key, NULL)) {
    if (!g_hash_table_contains(help_opts, key))
      g_test_message("the man page has %s, --help does not", (char *) key);
    g_assert_true(g_hash_table_contains(help_opts, key));
  }

  /* Every protocol of --help has an entry in the man page. */
  const char *p = strstr(h.out, "\nPROTOCOLS\n");
  g_assert_nonnull(p);
  g_auto(GStrv) lines = g_strsplit(p + strlen("\nPROTOCOLS\n"), "\n", -1);
  int protocols = 0;
  for (int i = 0; lines[i] && *lines[i]; i++) {
    if (g_str_has_prefix(lines[i], "    ") && lines[i][4] != ' ') {
      g_autofree char *entry = g_strdup_printf("\n.B %s\n", lines[i] + 4);
      g_test_message("protocol %s", lines[i] + 4);
      g_assert_nonnull(strstr(man, entry));
      protocols++;
    }
  }
  g_assert_cmpint(protocols, >=, 5);
  run_clear(&h);

  /* Sections that --help has. */
  for (const char *const *sec = (const char *const[]){ "SYNOPSIS", "OPTIONS", "PROTOCOLS", "OUTPUT FILES",
                                                       "EXIT STATUS", "ENVIRONMENT", "EXAMPLES", NULL };
       *sec; sec++) {
    g_autofree char *sh = g_strdup_printf("\n.SH %s\n", *sec);
    g_assert_nonnull(strstr(man, sh));
  }
}

static void test_man_version(void)
{
  g_autofree char *man = man_text();
  g_assert_true(g_str_has_prefix(man, ".\\\"") || g_str_has_prefix(man, ".TH"));
  const char *th = strstr(man, "\n.TH AMORPH 1 ");
  g_assert_nonnull(th);
  g_autofree char *line = g_strndup(th + 1, strcspn(th + 1, "\n"));
  g_autofree char *want = g_strdup_printf("\"amorph %s\"", AMORPH_VERSION);
  g_test_message("%s", line);
  g_assert_nonnull(strstr(line, want));
}

/* ---- presets, schema, desktop file, icons ---------------------------------------------- */

static void test_presets_readme(void)
{
  g_autofree char *dir = src_path("data", "presets", NULL);
  g_autofree char *readme_path = g_build_filename(dir, "README.md", NULL);
  g_autofree char *readme = read_text(readme_path);
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  g_assert_nonnull(d);
  int n = 0;
  for (const char *name; (name = g_dir_read_name(d));) {
    if (!g_str_has_suffix(name, ".ini"))
      continue;
    g_autofree char *ref = g_strdup_printf("`%s`", name);
    if (!strstr(readme, ref))
      g_test_message("data/presets/README.md does not describe %s", name);
    g_assert_nonnull(strstr(readme, ref));
    n++;
  }
  g_assert_cmpint(n, >=, 1);
  /* And every preset it describes exists. */
  g_autoptr(GRegex) re = g_regex_new("`([A-Za-z0-9_.-]+\\.ini)`", 0, 0, NULL);
  g_autoptr(GMatchInfo) mi = NULL;
  g_regex_match(re, readme, 0, &mi);
  for (; g_match_info_matches(mi); g_match_info_next(mi, NULL)) {
    g_autofree char *name = g_match_info_fetch(mi, 1);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
      g_test_message("README.md describes %s, which is not in data/presets", name);
    g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
  }
}

typedef struct {
  char *schema_id, *schema_path;
  GHashTable *keys;
} Schema;

static void schema_start(GMarkupParseContext *ctx, const char *element, const char **names, const char **values,
                         gpointer user_data, GError **error)
{
  (void) ctx;
  (void) error;
  Schema *s = user_data;
  if (strcmp(element, "schema") == 0) {
    g_assert_null(s->schema_id); /* one schema */
    s->schema_id = g_strdup(attr(names, values, "id"));
    s->schema_path = g_strdup(attr(names, values, "path"));
  } else if (strcmp(element, "key") == 0) {
    g_hash_table_add(s->keys, g_strdup(attr(names, values, "name")));
  }
}

/* Every GSettings key the GUI's sources name exists in the schema, under the app's id. */
static void test_schema_keys(void)
{
  Schema s = { .keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL) };
  g_autofree char *path = src_path("data", APP_ID ".gschema.xml", NULL);
  g_autofree char *xml = read_text(path);
  GMarkupParser parser = { .start_element = schema_start };
  g_autoptr(GMarkupParseContext) ctx = g_markup_parse_context_new(&parser, 0, &s, NULL);
  g_autoptr(GError) error = NULL;
  g_markup_parse_context_parse(ctx, xml, -1, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(s.schema_id, ==, APP_ID);
  g_assert_cmpstr(s.schema_path, ==, "/org/amorph/Amorph/");
  for (const char *const *k = (const char *const[]){ "window-width", "window-height", "window-maximized",
                                                     "last-preset", "color-mode", NULL };
       *k; k++)
    g_assert_true(g_hash_table_contains(s.keys, *k));

  g_autoptr(GRegex) key_re = g_regex_new(
      "g_settings_(?:get|set|bind|reset|get_[a-z_]+|set_[a-z_]+|create_action|get_value|set_value|bind_with_mapping)"
      "\\s*\\(\\s*[^,()]+,\\s*\"([^\"]+)\"",
      0, 0, NULL);
  g_autoptr(GRegex) id_re = g_regex_new("g_settings_new\\s*\\(\\s*\"([^\"]+)\"", 0, 0, NULL);
  g_autofree char *gui = src_path("src", "gui", NULL);
  g_autoptr(GDir) d = g_dir_open(gui, 0, NULL);
  int used = 0;
  for (const char *name; d && (name = g_dir_read_name(d));) {
    if (!g_str_has_suffix(name, ".c"))
      continue;
    g_autofree char *file = g_build_filename(gui, name, NULL);
    g_autofree char *code = read_text(file);
    g_autoptr(GMatchInfo) mi = NULL;
    for (g_regex_match(key_re, code, 0, &mi); g_match_info_matches(mi); g_match_info_next(mi, NULL)) {
      g_autofree char *key = g_match_info_fetch(mi, 1);
      if (!g_hash_table_contains(s.keys, key))
        g_test_message("src/gui/%s uses GSettings key %s, which the schema lacks", name, key);
      g_assert_true(g_hash_table_contains(s.keys, key));
      used++;
    }
    g_autoptr(GMatchInfo) mi2 = NULL;
    for (g_regex_match(id_re, code, 0, &mi2); g_match_info_matches(mi2); g_match_info_next(mi2, NULL)) {
      g_autofree char *id = g_match_info_fetch(mi2, 1);
      g_assert_cmpstr(id, ==, APP_ID);
    }
  }
  g_test_message("%d GSettings key uses in src/gui", used);
  g_free(s.schema_id);
  g_free(s.schema_path);
  g_hash_table_unref(s.keys);
}

static void test_desktop_file(void)
{
  g_autofree char *path = g_build_filename(build_dir, "data", APP_ID ".desktop", NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(GError) error = NULL;
  g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error(error);
  g_autofree char *exec = g_key_file_get_string(kf, "Desktop Entry", "Exec", &error);
  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(exec, "amorph "));
  g_autofree char *icon = g_key_file_get_string(kf, "Desktop Entry", "Icon", &error);
  g_assert_cmpstr(icon, ==, APP_ID);
  g_auto(GStrv) cats = g_key_file_get_string_list(kf, "Desktop Entry", "Categories", NULL, &error);
  g_assert_no_error(error);
  for (const char *const *c = (const char *const[]){ "Science", "Physics", "Education", NULL }; *c; c++)
    g_assert_true(g_strv_contains((const char *const *) cats, *c));
}

typedef struct {
  char *width, *height;
  int strokes;
} Svg;

static void svg_start(GMarkupParseContext *ctx, const char *element, const char **names, const char **values,
                      gpointer user_data, GError **error)
{
  (void) ctx;
  (void) error;
  Svg *s = user_data;
  if (strcmp(element, "svg") == 0 && !s->width) {
    s->width = g_strdup(attr(names, values, "width"));
    s->height = g_strdup(attr(names, values, "height"));
  }
  const char *stroke = attr(names, values, "stroke");
  if (stroke && strcmp(stroke, "none") != 0)
    s->strokes++;
}

static void check_icon(const char *rel, const char *size, gboolean symbolic)
{
  g_autofree char *path = src_path(rel, NULL);
  g_autofree char *xml = read_text(path);
  Svg s = { 0 };
  GMarkupParser parser = { .start_element = svg_start };
  g_autoptr(GMarkupParseContext) ctx = g_markup_parse_context_new(&parser, 0, &s, NULL);
  g_autoptr(GError) error = NULL;
  g_markup_parse_context_parse(ctx, xml, -1, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(s.width, ==, size);
  g_assert_cmpstr(s.height, ==, size);
  /* GTK recolours the fills of a symbolic icon, not its strokes. */
  if (symbolic)
    g_assert_cmpint(s.strokes, ==, 0);
  g_free(s.width);
  g_free(s.height);
}

static void test_icons(void)
{
  check_icon("data/icons/hicolor/scalable/apps/" APP_ID ".svg", "128", FALSE);
  check_icon("data/icons/hicolor/symbolic/apps/" APP_ID "-symbolic.svg", "16", TRUE);
}

/* ---- the installed program -------------------------------------------------------------- */

static gboolean remove_tree(const char *path)
{
  if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    for (const char *name; d && (name = g_dir_read_name(d));) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      remove_tree(child);
    }
  }
  return g_remove(path) == 0;
}

/* The potential a batch run used, from its manifest. */
static char *potential_used(const char *out)
{
  g_autofree char *path = g_build_filename(out, "manifest.json", NULL);
  g_autoptr(JsonNode) root = load_json_file(path);
  JsonArray *inputs = json_object_get_array_member(json_node_get_object(root), "inputs");
  for (guint k = 0; k < json_array_get_length(inputs); k++) {
    JsonObject *in = json_array_get_object_element(inputs, k);
    if (strcmp(json_object_get_string_member(in, "role"), "potential") == 0)
      return g_strdup(json_object_get_string_member(in, "path"));
  }
  return NULL;
}

static void test_install(void)
{
  const char *meson = g_getenv("MESON");
  if (!meson || !*meson) {
    g_test_skip("meson not found");
    return;
  }
  const char *prefix = g_getenv("AMORPH_INSTALL_PREFIX"), *bindir = g_getenv("AMORPH_INSTALL_BINDIR"),
             *datadir = g_getenv("AMORPH_INSTALL_DATADIR"), *mandir = g_getenv("AMORPH_INSTALL_MANDIR");
  g_assert_nonnull(prefix);
  g_assert_nonnull(bindir);
  g_assert_nonnull(datadir);
  g_assert_nonnull(mandir);
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp("amorph-install-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *dest = g_build_filename(tmp, "dest", NULL);

  Run in = run((const char *const[]){ meson, "install", "-C", build_dir, "--no-rebuild", "--destdir", dest, NULL },
               NULL);
  if (in.status != 0)
    g_test_message("meson install:\n%s\n%s", in.out, in.err);
  g_assert_cmpint(in.status, ==, 0);
  run_clear(&in);

  /* Everything in its standard place under the prefix. */
  g_autofree char *bin = g_build_filename(dest, bindir, "amorph", NULL);
  g_autofree char *share = g_build_filename(dest, datadir, NULL);
  g_autofree char *data = g_build_filename(share, "amorph", NULL);
  const char *const in_share[] = {
    "applications/" APP_ID ".desktop",
    "metainfo/" APP_ID ".metainfo.xml",
    "glib-2.0/schemas/" APP_ID ".gschema.xml",
    "icons/hicolor/scalable/apps/" APP_ID ".svg",
    "icons/hicolor/symbolic/apps/" APP_ID "-symbolic.svg",
    "amorph/potentials/CuZr_mm.eam.fs",
    "amorph/presets/README.md",
    "amorph/presets/single-point-tiny.ini",
    "amorph/presets/tiny-cuzr-b2.data",
    NULL,
  };
  g_assert_true(g_file_test(bin, G_FILE_TEST_IS_EXECUTABLE));
  for (const char *const *f = in_share; *f; f++) {
    g_autofree char *p = g_build_filename(share, *f, NULL);
    if (!g_file_test(p, G_FILE_TEST_IS_REGULAR))
      g_test_message("not installed: %s", p);
    g_assert_true(g_file_test(p, G_FILE_TEST_IS_REGULAR));
  }
  g_autofree char *man = g_build_filename(dest, mandir, "man1", "amorph.1", NULL);
  g_autofree char *mangz = g_strconcat(man, ".gz", NULL);
  g_assert_true(g_file_test(man, G_FILE_TEST_IS_REGULAR) || g_file_test(mangz, G_FILE_TEST_IS_REGULAR));

  /* The installed binary, relocated under the destdir, finds the installed data beside
   * itself: a run of an installed preset uses the installed potential. */
  g_auto(GStrv) env = g_get_environ();
  env = g_environ_unsetenv(env, "AMORPH_DATA_DIR");
  env = g_environ_unsetenv(env, "DISPLAY");
  env = g_environ_unsetenv(env, "WAYLAND_DISPLAY");
  g_autofree char *ini = g_build_filename(data, "presets", "single-point-tiny.ini", NULL);
  g_autofree char *out1 = g_build_filename(tmp, "out1", NULL);
  Run r1 = run((const char *const[]){ bin, "--batch", ini, "-o", out1, "--threads", "1", "--quiet", NULL }, env);
  if (r1.status != 0)
    g_test_message("installed amorph:\n%s", r1.err);
  g_assert_cmpint(r1.status, ==, 0);
  run_clear(&r1);
  g_autofree char *pot = potential_used(out1);
  g_autofree char *want = g_build_filename(data, "potentials", "CuZr_mm.eam.fs", NULL);
  g_assert_cmpstr(pot, ==, want);

  /* Without its data the installed program fails cleanly, naming what it looked for; it
   * does not fall back to the source tree. */
  g_autofree char *moved = g_build_filename(tmp, "moved-data", NULL);
  g_assert_cmpint(g_rename(data, moved), ==, 0);
  g_autofree char *ini2 = g_build_filename(moved, "presets", "single-point-tiny.ini", NULL);
  g_autofree char *out2 = g_build_filename(tmp, "out2", NULL);
  Run r2 = run((const char *const[]){ bin, "--batch", ini2, "-o", out2, "--threads", "1", "--quiet", NULL }, env);
  g_test_message("without data: exit %d, %s", r2.status, r2.err);
  g_assert_cmpint(r2.status, !=, 0);
  g_assert_nonnull(strstr(r2.err, "potentials/CuZr_mm.eam.fs"));
  g_assert_nonnull(strstr(r2.err, "AMORPH_DATA_DIR"));
  run_clear(&r2);

  /* ... and AMORPH_DATA_DIR points it at data anywhere. */
  env = g_environ_setenv(env, "AMORPH_DATA_DIR", moved, TRUE);
  g_autofree char *out3 = g_build_filename(tmp, "out3", NULL);
  Run r3 = run((const char *const[]){ bin, "--batch", ini2, "-o", out3, "--threads", "1", "--quiet", NULL }, env);
  g_assert_cmpint(r3.status, ==, 0);
  run_clear(&r3);
  g_autofree char *pot3 = potential_used(out3);
  g_autofree char *want3 = g_build_filename(moved, "potentials", "CuZr_mm.eam.fs", NULL);
  g_assert_cmpstr(pot3, ==, want3);

  g_assert_true(remove_tree(tmp));
}

/* Run from the build tree, amorph takes the source tree's data (even when an older Amorph
 * is installed in the prefix). */
static void test_uninstalled_data(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp("amorph-uninstalled-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *bin = amorph_bin();
  g_autofree char *ini = src_path("data", "presets", "single-point-tiny.ini", NULL);
  g_autofree char *out = g_build_filename(tmp, "out", NULL);
  g_auto(GStrv) env = g_environ_unsetenv(g_get_environ(), "AMORPH_DATA_DIR");
  Run r = run((const char *const[]){ bin, "--batch", ini, "-o", out, "--threads", "1", "--quiet", NULL }, env);
  if (r.status != 0)
    g_test_message("%s", r.err);
  g_assert_cmpint(r.status, ==, 0);
  run_clear(&r);
  g_autofree char *pot = potential_used(out);
  g_autofree char *want_raw = src_path("data", "potentials", "CuZr_mm.eam.fs", NULL);
  g_autofree char *want = g_canonicalize_filename(want_raw, NULL);
  g_assert_cmpstr(pot, ==, want);
  g_assert_true(remove_tree(tmp));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  source_dir = g_getenv("AMORPH_SOURCE_DIR");
  build_dir = g_getenv("AMORPH_BUILD_DIR");
  if (!source_dir || !build_dir) {
    g_printerr("test-desktop: AMORPH_SOURCE_DIR and AMORPH_BUILD_DIR must be set (meson test sets them)\n");
    return 1;
  }
  g_test_add_func("/desktop/version/metainfo", test_version_metainfo);
  g_test_add_func("/desktop/version/binary", test_version_binary);
  g_test_add_func("/desktop/flatpak/manifest", test_flatpak_manifest);
  g_test_add_func("/desktop/man/options", test_man_options);
  g_test_add_func("/desktop/man/version", test_man_version);
  g_test_add_func("/desktop/presets/readme", test_presets_readme);
  g_test_add_func("/desktop/schema/keys", test_schema_keys);
  g_test_add_func("/desktop/desktop-file", test_desktop_file);
  g_test_add_func("/desktop/icons", test_icons);
  g_test_add_func("/desktop/install", test_install);
  g_test_add_func("/desktop/data/uninstalled", test_uninstalled_data);
  return g_test_run();
}
