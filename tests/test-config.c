/* test-config.c: experiment settings: defaults, overrides, range checks, unknown keys and
 * sections, malformed files with line numbers, and the resolved config round trip. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "experiment/config.h"

static char *tmpdir;
static char *data_path; /* an existing file for [system] data */

static AmConfig *load_text(const char *text, const char *const *overrides, GError **error)
{
  g_autofree char *path = g_build_filename(tmpdir, "test.ini", NULL);
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
  return am_config_load(path, overrides, error);
}

/* Loads text expecting failure with code, and checks that the message contains each
 * of the NULL-terminated fragments. */
static void expect_error(const char *text, const char *const *overrides, int code, ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmConfig) cfg = load_text(text, overrides, &error);
  g_assert_null(cfg);
  g_assert_error(error, AM_CONFIG_ERROR, code);
  va_list ap;
  va_start(ap, code);
  for (const char *frag; (frag = va_arg(ap, const char *));) {
    if (!strstr(error->message, frag))
      g_error("message “%s” lacks “%s”", error->message, frag);
  }
  va_end(ap);
  g_test_message("%s", error->message);
}

static void test_defaults(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmConfig) cfg = load_text("[run]\nprotocol = md\n[system]\ndata = sample.data\n", NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(am_config_protocol(cfg), ==, "md");
  g_assert_cmpstr(am_config_get_string(cfg, "md", "ensemble"), ==, "nvt");
  g_assert_cmpfloat(am_config_get_double(cfg, "md", "timestep_ps"), ==, 0.002);
  g_assert_cmpfloat(am_config_get_double(cfg, "md", "temperature_K"), ==, 300);
  g_assert_cmpint(am_config_get_int(cfg, "md", "steps"), ==, 1000);
  g_assert_cmpint(am_config_get_int(cfg, "md", "seed"), ==, 12345);
  g_assert_cmpint(am_config_get_int(cfg, "md", "chain_length"), ==, 3);
  g_assert_false(am_config_is_set(cfg, "md", "temperature_stop_K"));
  g_assert_true(isnan(am_config_get_double(cfg, "md", "temperature_stop_K")));
  g_assert_true(am_config_get_bool(cfg, "output", "write_velocities"));
  /* Relative data paths are taken from the config file's folder. */
  g_assert_cmpstr(am_config_get_string(cfg, "system", "data"), ==, data_path);
  const char *const *el = am_config_get_words(cfg, "system", "elements");
  g_assert_cmpstr(el[0], ==, "Cu");
  g_assert_cmpstr(el[1], ==, "Zr");
  g_assert_null(el[2]);
  /* An empty potential is the shipped one, from the source tree in tests. */
  const char *pot = am_config_get_string(cfg, "system", "potential");
  g_assert_true(g_path_is_absolute(pot));
  g_assert_true(g_str_has_suffix(pot, "potentials/CuZr_mm.eam.fs"));
  g_assert_true(g_file_test(pot, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr(am_config_get_string(cfg, "system", "potential_style"), ==, "fs");

  /* Without [run] protocol the default protocol is single-point. */
  g_autoptr(AmConfig) sp = load_text("[system]\ndata = sample.data\n", NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(am_config_protocol(sp), ==, "single-point");
}

static void test_values(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AmConfig) cfg = load_text("# a comment\n"
                                      "[run]\n"
                                      "protocol=md   \n"
                                      "label = two\\swords\\sand\\\\ # trailing comment\n"
                                      "[system]\n"
                                      "  data = sample.data\n"
                                      "elements =  Zr\t Cu  \n"
                                      "[md]\n"
                                      "ensemble = npt\n"
                                      "temperature_K = 1.5e3\n"
                                      "temperature_stop_K = 500\n"
                                      "pressure_bar = -100\n"
                                      "[output]\n"
                                      "write_velocities = no\n",
                                      NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(am_config_get_string(cfg, "run", "label"), ==, "two words and\\");
  g_assert_cmpstr(am_config_get_string(cfg, "md", "ensemble"), ==, "npt");
  g_assert_cmpfloat(am_config_get_double(cfg, "md", "temperature_K"), ==, 1500);
  g_assert_cmpstr(am_config_get_text(cfg, "md", "temperature_K"), ==, "1500");
  g_assert_true(am_config_is_set(cfg, "md", "temperature_stop_K"));
  g_assert_cmpfloat(am_config_get_double(cfg, "md", "temperature_stop_K"), ==, 500);
  g_assert_cmpfloat(am_config_get_double(cfg, "md", "pressure_bar"), ==, -100);
  g_assert_false(am_config_get_bool(cfg, "output", "write_velocities"));
  g_assert_cmpstr(am_config_get_text(cfg, "system", "elements"), ==, "Zr Cu");
}

static void test_overrides(void)
{
  g_autoptr(GError) error = NULL;
  const char *text = "[run]\nprotocol = md\n[system]\ndata = sample.data\n[md]\nsteps = 10\n";
  const char *const ov[] = { "md.steps=25", "md.ensemble = nve", "run.label=a=b", NULL };
  g_autoptr(AmConfig) cfg = load_text(text, ov, &error);
  g_assert_no_error(error);
  g_assert_cmpint(am_config_get_int(cfg, "md", "steps"), ==, 25);
  g_assert_cmpstr(am_config_get_string(cfg, "md", "ensemble"), ==, "nve");
  g_assert_cmpstr(am_config_get_string(cfg, "run", "label"), ==, "a=b");

  /* An override may change the protocol, and with it the sections that are allowed. */
  const char *const to_sp[] = { "run.protocol=single-point", NULL };
  expect_error(text, to_sp, AM_CONFIG_ERROR_UNKNOWN_SECTION, "test.ini:5", "[md]",
               "not used by protocol single-point", NULL);
  const char *const to_quench[] = { "run.protocol=quench", "md.steps=3", NULL };
  expect_error("[run]\nprotocol = md\n[system]\ndata = sample.data\n", to_quench,
               AM_CONFIG_ERROR_UNKNOWN_SECTION, "--set md.steps=3", NULL);

  /* Overrides get the same checks as the file, and name the argument. */
  const char *const typo[] = { "md.stpes=100", NULL };
  expect_error(text, typo, AM_CONFIG_ERROR_UNKNOWN_KEY, "--set md.stpes=100", "“steps”", NULL);
  const char *const range[] = { "md.timestep_ps=0.5", NULL };
  expect_error(text, range, AM_CONFIG_ERROR_OUT_OF_RANGE, "--set md.timestep_ps=0.5", "≤ 0.02 ps", NULL);
  /* An override replaces a file value that would be invalid on its own. */
  const char *const fill[] = { "system.data=sample.data", NULL };
  g_autofree char *cwd = g_get_current_dir();
  g_chdir(tmpdir);
  g_autoptr(AmConfig) filled = load_text("[run]\nprotocol = md\n[system]\ndata =\n", fill, &error);
  g_chdir(cwd);
  g_assert_no_error(error);
  g_assert_cmpstr(am_config_get_string(filled, "system", "data"), ==, data_path);
  /* …but a typo in a superseded line is still an error. */
  const char *const steps[] = { "md.steps=5", NULL };
  expect_error("[run]\nprotocol = md\n[system]\ndata = sample.data\n[md]\nsteps = ten\nstpes = 1\n", steps,
               AM_CONFIG_ERROR_UNKNOWN_KEY, "test.ini:7", NULL);

  const char *const malformed[] = { "md-steps=3", NULL };
  expect_error(text, malformed, AM_CONFIG_ERROR_OVERRIDE, "md-steps=3", "SECTION.KEY=VALUE", NULL);
  const char *const noeq[] = { "md.steps", NULL };
  expect_error(text, noeq, AM_CONFIG_ERROR_OVERRIDE, "md.steps", NULL);
  const char *const badsec[] = { "mdd.steps=3", NULL };
  expect_error(text, badsec, AM_CONFIG_ERROR_UNKNOWN_SECTION, "[mdd]", "“md”", NULL);
}

static void test_range_errors(void)
{
  const char *head = "[run]\nprotocol = md\n[system]\ndata = sample.data\n[md]\n";
  struct {
    const char *line;
    int code;
    const char *frag;
  } cases[] = {
    { "timestep_ps = 0", AM_CONFIG_ERROR_OUT_OF_RANGE, "0 < timestep_ps ≤ 0.02 ps" },
    { "timestep_ps = -0.001", AM_CONFIG_ERROR_OUT_OF_RANGE, "timestep_ps" },
    { "temperature_K = -1", AM_CONFIG_ERROR_OUT_OF_RANGE, "0 ≤ temperature_K ≤ 100000 K" },
    { "temperature_K = nan", AM_CONFIG_ERROR_INVALID_VALUE, "expected a finite number (K)" },
    { "temperature_K = inf", AM_CONFIG_ERROR_INVALID_VALUE, "finite" },
    { "temperature_K = 1e999", AM_CONFIG_ERROR_INVALID_VALUE, "finite" },
    { "temperature_K = 300K", AM_CONFIG_ERROR_INVALID_VALUE, "“300K”" },
    { "temperature_K =", AM_CONFIG_ERROR_INVALID_VALUE, "temperature_K" },
    { "steps = 10.5", AM_CONFIG_ERROR_INVALID_VALUE, "whole number" },
    { "steps = -1", AM_CONFIG_ERROR_OUT_OF_RANGE, "steps" },
    { "steps = 99999999999999999999", AM_CONFIG_ERROR_INVALID_VALUE, "whole number" },
    { "chain_length = 9", AM_CONFIG_ERROR_OUT_OF_RANGE, "1 ≤ chain_length ≤ 8" },
    { "thermo_interval = 0", AM_CONFIG_ERROR_OUT_OF_RANGE, "thermo_interval" },
    { "ensemble = nvx", AM_CONFIG_ERROR_INVALID_VALUE, "did you mean “nve”" },
    { "ensemble = NVT", AM_CONFIG_ERROR_INVALID_VALUE, "did you mean “nvt”" },
    { "seed = -5", AM_CONFIG_ERROR_OUT_OF_RANGE, "seed" },
    { "velocities = maybe", AM_CONFIG_ERROR_INVALID_VALUE, "auto, file, create" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *text = g_strdup_printf("%s%s\n", head, cases[i].line);
    expect_error(text, NULL, cases[i].code, "test.ini:6", cases[i].frag, NULL);
  }
  expect_error("[system]\ndata = sample.data\nelements =\n", NULL, AM_CONFIG_ERROR_OUT_OF_RANGE,
               "test.ini:3", "1 to 8 words", NULL);
  expect_error("[system]\ndata = sample.data\nwrite_velocities = 2\n", NULL,
               AM_CONFIG_ERROR_UNKNOWN_KEY, "test.ini:3", NULL);
  expect_error("[system]\ndata = sample.data\n[output]\nwrite_velocities = maybe\n", NULL,
               AM_CONFIG_ERROR_INVALID_VALUE, "test.ini:4", "true or false", NULL);
  expect_error("[system]\ndata = missing.data\n", NULL, AM_CONFIG_ERROR_INVALID_VALUE,
               "test.ini:2", "no readable file", NULL);
  expect_error("[system]\ndata = sample.data\npotential = nope.eam.fs\n", NULL,
               AM_CONFIG_ERROR_INVALID_VALUE, "test.ini:3", "nope.eam.fs", NULL);
  expect_error("[run]\nprotocol = md\n", NULL, AM_CONFIG_ERROR_MISSING, "[system] data",
               "required", NULL);
  expect_error("[run]\nprotocol = dms-swep\n", NULL, AM_CONFIG_ERROR_UNKNOWN_PROTOCOL,
               "test.ini:2", "dms-swep", NULL);
}

static void test_unknown(void)
{
  expect_error("[run]\nprotocol = md\n[system]\ndata = sample.data\n[md]\nstpes = 10\n", NULL,
               AM_CONFIG_ERROR_UNKNOWN_KEY, "test.ini:6", "unknown key “stpes” in [md]",
               "did you mean “steps”", NULL);
  expect_error("[system]\ndata = sample.data\nzzz = 1\n", NULL, AM_CONFIG_ERROR_UNKNOWN_KEY,
               "test.ini:3", "expected one of: data, elements", NULL);
  expect_error("[run]\nprotocol = md\n[sytem]\ndata = sample.data\n", NULL,
               AM_CONFIG_ERROR_UNKNOWN_SECTION, "test.ini:3", "[sytem]", "did you mean “system”",
               NULL);
  expect_error("[system]\ndata = sample.data\n[quench]\nmelt_K = 2000\n", NULL,
               AM_CONFIG_ERROR_UNKNOWN_SECTION, "test.ini:3",
               "not used by protocol single-point (it reads [run], [system], [output])", NULL);
}

static void test_malformed(void)
{
  expect_error("[run]\nprotocol = md\n[system]\ndata = sample.data\nthis line is wrong\n", NULL,
               AM_CONFIG_ERROR_PARSE, "test.ini:5", "not a section header", NULL);
  expect_error("[run\nprotocol = md\n", NULL, AM_CONFIG_ERROR_PARSE, "test.ini:1", "[name]", NULL);
  expect_error("[run] x\n", NULL, AM_CONFIG_ERROR_PARSE, "test.ini:1", NULL);
  expect_error("protocol = md\n", NULL, AM_CONFIG_ERROR_PARSE, "test.ini:1", "before any [section]", NULL);
  expect_error("[run]\n = md\n", NULL, AM_CONFIG_ERROR_PARSE, "test.ini:2", "invalid key name", NULL);
  expect_error("[run]\nlabel[de] = x\n", NULL, AM_CONFIG_ERROR_PARSE, "test.ini:2", NULL);
  expect_error("[run]\nlabel = a\\qb\n", NULL, AM_CONFIG_ERROR_PARSE, "test.ini:2", "\\q", NULL);
  expect_error("[system]\ndata = sample.data\n\n[run]\nlabel = a\nlabel = b\n", NULL,
               AM_CONFIG_ERROR_DUPLICATE, "test.ini:6", "first at line 5", NULL);
  expect_error("[run]\nlabel = \xff\xfe\n", NULL, AM_CONFIG_ERROR_PARSE, "UTF-8", NULL);

  /* An unreadable file names the file. */
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename(tmpdir, "no-such.ini", NULL);
  g_assert_null(am_config_load(missing, NULL, &error));
  g_assert_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_IO);
  g_assert_nonnull(strstr(error->message, "no-such.ini"));
}

/* The resolved config written to the output folder reads back to the same config. */
static void test_roundtrip(void)
{
  g_autoptr(GError) error = NULL;
  const char *const ov[] = { "md.temperature_K=123.456", "run.label= spaced # not a comment?", NULL };
  const char *const ov2[] = { "run.label=#hash first", NULL };
  g_autoptr(AmConfig) cfg = load_text("[run]\nprotocol = md\n[system]\ndata = sample.data\n"
                                      "[md]\ntimestep_ps = 0.001\n", ov, &error);
  g_assert_no_error(error);
  /* In an override nothing is a comment: the label keeps everything after '='. */
  g_assert_cmpstr(am_config_get_string(cfg, "run", "label"), ==, "spaced # not a comment?");
  g_autofree char *ini = am_config_to_ini(cfg);
  g_autofree char *other = g_build_filename(tmpdir, "sub", NULL);
  g_mkdir(other, 0755);
  g_autofree char *path = g_build_filename(other, "config.ini", NULL);
  g_assert_true(g_file_set_contents(path, ini, -1, NULL));
  g_autoptr(AmConfig) again = am_config_load(path, NULL, &error);
  g_assert_no_error(error);
  g_autofree char *ini2 = am_config_to_ini(again);
  g_assert_cmpstr(ini, ==, ini2);
  g_assert_cmpstr(am_config_get_string(again, "run", "label"), ==, "spaced # not a comment?");

  /* Written for a folder, a file in that folder is named relative to it: the .ini reads
   * back to the same absolute path from any working directory. */
  g_autofree char *ini_in = am_config_to_ini_in(cfg, tmpdir);
  g_assert_nonnull(strstr(ini_in, "\ndata = sample.data\n"));
  g_assert_null(strstr(ini_in, data_path));
  g_autofree char *beside = g_build_filename(tmpdir, "beside.ini", NULL);
  g_assert_true(g_file_set_contents(beside, ini_in, -1, NULL));
  g_autofree char *cwd = g_get_current_dir();
  g_assert_cmpint(g_chdir(other), ==, 0);
  g_autoptr(AmConfig) moved = am_config_load(beside, NULL, &error);
  g_assert_cmpint(g_chdir(cwd), ==, 0);
  g_assert_no_error(error);
  g_assert_cmpstr(am_config_get_string(moved, "system", "data"), ==, data_path);
  /* Another folder keeps the path absolute. */
  g_autofree char *ini_other = am_config_to_ini_in(cfg, other);
  g_assert_nonnull(strstr(ini_other, data_path));
  g_remove(beside);

  g_autoptr(AmConfig) hash = load_text("[system]\ndata = sample.data\n", ov2, &error);
  g_assert_no_error(error);
  g_autofree char *hash_ini = am_config_to_ini(hash);
  g_assert_true(g_file_set_contents(path, hash_ini, -1, NULL));
  g_autoptr(AmConfig) hash_again = am_config_load(path, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(am_config_get_string(hash_again, "run", "label"), ==, "#hash first");
  g_assert_cmpfloat(am_config_get_double(again, "md", "temperature_K"), ==, 123.456);
  g_assert_cmpstr(am_config_get_string(again, "system", "data"), ==, data_path);

  /* JSON has typed values. */
  g_autoptr(JsonNode) json = am_config_to_json(cfg);
  JsonObject *md = json_object_get_object_member(json_node_get_object(json), "md");
  g_assert_cmpfloat(json_object_get_double_member(md, "timestep_ps"), ==, 0.001);
  g_assert_cmpint(json_object_get_int_member(md, "steps"), ==, 1000);
  g_assert_true(json_object_get_null_member(md, "temperature_stop_K"));
  g_autoptr(JsonNode) seeds = am_config_seeds_to_json(cfg);
  g_assert_cmpint(json_object_get_int_member(json_node_get_object(seeds), "md.seed"), ==, 12345);
}

static void test_describe(void)
{
  for (const AmProtocolSchema *const *p = am_config_protocols(); *p; p++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *text = am_config_describe((*p)->name, &error);
    g_assert_no_error(error);
    g_autofree char *proto_line = g_strdup_printf("protocol = %s\n", (*p)->name);
    g_assert_nonnull(strstr(text, proto_line));
    /* Every key of every section is documented with its default. */
    for (int s = 0; (*p)->sections[s]; s++)
      for (const AmKeySpec *k = (*p)->sections[s]->keys; k->name; k++) {
        g_autofree char *line = g_strdup_printf("\n%s = %s\n", k->name, k->default_value);
        if (!strstr(text, line))
          g_error("describe %s lacks “%s”", (*p)->name, line + 1);
        g_assert_nonnull(k->help);
        /* Numeric defaults are inside their own ranges. */
        if ((k->type == AM_KEY_FLOAT || k->type == AM_KEY_INT) && *k->default_value) {
          double d = g_ascii_strtod(k->default_value, NULL);
          g_assert_true(d <= k->max);
          g_assert_true((k->flags & AM_KEY_MIN_EXCLUSIVE) ? d > k->min : d >= k->min);
        }
      }
    g_autoptr(AmConfig) defaults = am_config_new_defaults((*p)->name, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(am_config_protocol(defaults), ==, (*p)->name);
  }
  g_autoptr(GError) error = NULL;
  g_assert_null(am_config_describe("mdd", &error));
  g_assert_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_UNKNOWN_PROTOCOL);
  g_assert_nonnull(strstr(error->message, "did you mean “md”"));
}

/* One value checked alone gives the message loading a file with it would give (from the
 * key on), and the canonical text. */
static void test_check_value(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *canon = NULL;
  g_assert_true(am_config_check_value("dms-sweep", "dms", "period_ps", "1.50", "settings", NULL, &canon, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(canon, ==, "1.5");
  g_assert_true(am_config_check_value("dms-sweep", "dms", "temperatures_K", " 100  300 ", "settings", NULL, NULL,
                                      &error));
  g_assert_true(am_config_check_value("dms-sweep", "dms", "watch_temperature_K", "", "settings", NULL, NULL, &error));
  g_assert_false(am_config_check_value("dms-sweep", "dms", "period_ps", "0", "settings", NULL, NULL, &error));
  g_assert_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_OUT_OF_RANGE);
  g_assert_cmpstr(error->message, ==, "settings: [dms] period_ps = 0 is out of range: expected 0 < period_ps ≤ 10000000 ps");
  /* The same text as a file: the same message after the origin. */
  g_autoptr(GError) file_error = NULL;
  g_autoptr(AmConfig) cfg = am_config_load_data("[run]\nprotocol = dms-sweep\n[dms]\nperiod_ps = 0\n", -1, "x.ini",
                                                NULL, NULL, &file_error);
  g_assert_null(cfg);
  g_assert_true(g_str_has_suffix(file_error->message, strchr(error->message, ':')));
  g_clear_error(&error);
  g_assert_false(am_config_check_value("dms-sweep", "dms", "replicas", "2.5", "settings", NULL, NULL, &error));
  g_assert_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_INVALID_VALUE);
  g_clear_error(&error);
  g_assert_false(am_config_check_value("dms-sweep", "dms", "pinned", "some", "settings", NULL, NULL, &error));
  g_assert_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_INVALID_VALUE);
  g_clear_error(&error);
  g_assert_false(am_config_check_value("dms-sweep", "dms", "no_such_key", "1", "settings", NULL, NULL, &error));
  g_assert_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_UNKNOWN_KEY);
  g_clear_error(&error);
  g_assert_false(am_config_check_value("dms-sweep", "pinning", "pinned_count", "1", "settings", NULL, NULL, &error));
  g_assert_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_UNKNOWN_SECTION);
  g_clear_error(&error);
  g_assert_false(am_config_check_value("no-such", "dms", "period_ps", "1", "settings", NULL, NULL, &error));
  g_assert_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_UNKNOWN_PROTOCOL);
  g_clear_error(&error);
  g_assert_false(am_config_check_value("md", "system", "data", "", "settings", NULL, NULL, &error));
  g_assert_error(error, AM_CONFIG_ERROR, AM_CONFIG_ERROR_MISSING);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp("amorph-test-config-XXXXXX", NULL);
  g_assert_nonnull(tmpdir);
  data_path = g_build_filename(tmpdir, "sample.data", NULL);
  g_assert_true(g_file_set_contents(data_path, "not parsed by the config layer\n", -1, NULL));
  /* The shipped potential is looked up in the source tree. */
  const char *src = g_getenv("AMORPH_SOURCE_DIR");
  if (src) {
    g_autofree char *datadir = g_build_filename(src, "data", NULL);
    g_setenv("AMORPH_DATA_DIR", datadir, TRUE);
  }

  g_test_add_func("/experiment/config/defaults", test_defaults);
  g_test_add_func("/experiment/config/values", test_values);
  g_test_add_func("/experiment/config/overrides", test_overrides);
  g_test_add_func("/experiment/config/range-errors", test_range_errors);
  g_test_add_func("/experiment/config/unknown-keys", test_unknown);
  g_test_add_func("/experiment/config/malformed", test_malformed);
  g_test_add_func("/experiment/config/roundtrip", test_roundtrip);
  g_test_add_func("/experiment/config/describe", test_describe);
  g_test_add_func("/experiment/config/check-value", test_check_value);
  int rc = g_test_run();

  const char *files[] = { "test.ini", "sample.data", "sub/config.ini", "sub", NULL };
  for (int i = 0; files[i]; i++) {
    g_autofree char *p = g_build_filename(tmpdir, files[i], NULL);
    g_remove(p);
  }
  g_rmdir(tmpdir);
  return rc;
}
