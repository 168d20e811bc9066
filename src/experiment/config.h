/* config.h: experiment settings. Every protocol declares its keys in a schema (name, type,
 * default, unit, range); a config is a .ini file plus `--set SECTION.KEY=VALUE` overrides,
 * checked against the schema of the protocol it names. Batch and GUI share this, so a
 * setting means the same in both and a typo is an error in both.
 *
 * File syntax is GKeyFile's (`[section]`, `key = value`, `#` comment lines, escapes \s \n
 * \t \r \\), read by our own scanner so that every message can name the line. One
 * extension: a `#` preceded by whitespace starts a trailing comment (`steps = 100 # short`),
 * because GKeyFile would silently make it part of the value. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define AM_CONFIG_ERROR (am_config_error_quark())
GQuark am_config_error_quark(void);

typedef enum {
  AM_CONFIG_ERROR_IO,               /* the file could not be read */
  AM_CONFIG_ERROR_PARSE,            /* a line is not a group, key = value, or comment */
  AM_CONFIG_ERROR_UNKNOWN_PROTOCOL,
  AM_CONFIG_ERROR_UNKNOWN_SECTION,
  AM_CONFIG_ERROR_UNKNOWN_KEY,
  AM_CONFIG_ERROR_DUPLICATE,        /* a key given twice in one file */
  AM_CONFIG_ERROR_INVALID_VALUE,    /* not a number, not one of the choices, … */
  AM_CONFIG_ERROR_OUT_OF_RANGE,
  AM_CONFIG_ERROR_MISSING,          /* a required key has no value */
  AM_CONFIG_ERROR_OVERRIDE,         /* a --set argument is not SECTION.KEY=VALUE */
} AmConfigError;

typedef enum {
  AM_KEY_FLOAT,   /* finite double, bounds min..max */
  AM_KEY_INT,     /* 64-bit integer, bounds min..max (exact up to 2^53) */
  AM_KEY_BOOL,    /* true/false (also yes/no, 1/0) */
  AM_KEY_STRING,  /* free text */
  AM_KEY_CHOICE,  /* one of choices, "a|b|c" */
  AM_KEY_PATH,    /* a file; relative names are taken from the config file's folder
                     (from the working folder for --set), and resolved to absolute paths */
  AM_KEY_WORDS,   /* whitespace-separated words, count between min and max */
} AmKeyType;

enum {
  AM_KEY_MIN_EXCLUSIVE = 1u << 0, /* value must be > min (a timestep, a rate) */
  AM_KEY_OPTIONAL = 1u << 1,      /* empty means "not set" (FLOAT, INT, PATH) */
  AM_KEY_REQUIRED = 1u << 2,      /* no usable default: the config must give it */
  AM_KEY_SEED = 1u << 3,          /* a random seed: listed in the provenance */
  AM_KEY_MUST_EXIST = 1u << 4,    /* PATH: the file must exist and be readable */
  AM_KEY_SHIPPED_POTENTIAL = 1u << 5, /* PATH: empty means the potential shipped in data/ */
};

typedef struct {
  const char *name;
  AmKeyType type;
  const char *default_value; /* as it would be written in a file */
  const char *unit;          /* "K", "ps", "bar", "steps", … or "" */
  double min, max;           /* inclusive bounds (min exclusive with AM_KEY_MIN_EXCLUSIVE) */
  unsigned flags;
  const char *choices;       /* AM_KEY_CHOICE: "nve|nvt|npt" */
  const char *help;          /* one sentence, for --help, config.ini comments and the GUI */
} AmKeySpec;

typedef struct {
  const char *name;
  const char *help;
  const AmKeySpec *keys;     /* terminated by an entry with name NULL */
} AmSectionSpec;

/* A protocol's schema: the sections it reads. [run] belongs to every protocol. New
 * protocols (dms-sweep, pinning) add an entry to the table in config.c and a runner to
 * the table in batch.c. */
typedef struct {
  const char *name;
  const char *summary;
  const AmSectionSpec *const *sections; /* NULL-terminated, without [run] */
} AmProtocolSchema;

/* The known protocols, NULL-terminated. */
const AmProtocolSchema *const *am_config_protocols(void);
const AmProtocolSchema *am_config_find_protocol(const char *name);
/* The [run] section common to all protocols. */
const AmSectionSpec *am_config_run_section(void);

typedef struct AmConfig AmConfig;

/* Reads path, applies the overrides ("section.key=value", may be NULL), and checks every
 * key against the schema of the protocol named by [run] protocol (after overrides).
 * Unknown sections and keys, duplicates, bad values and out-of-range values are errors
 * naming the file and line (or the --set argument). */
AmConfig *am_config_load(const char *path, const char *const *overrides, GError **error);
/* Same from text; name is used in messages, base_dir for relative paths (NULL: working
 * folder). */
AmConfig *am_config_load_data(const char *text, gssize len, const char *name, const char *base_dir,
                              const char *const *overrides, GError **error);
/* All defaults of one protocol (no required key filled in: getters of those return the
 * empty default). For describing a protocol; not runnable unless it has no required key. */
AmConfig *am_config_new_defaults(const char *protocol, GError **error);
void am_config_free(AmConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AmConfig, am_config_free)

const char *am_config_protocol(const AmConfig *cfg);
const AmProtocolSchema *am_config_schema(const AmConfig *cfg);
/* The file the config came from ("" for text). */
const char *am_config_source(const AmConfig *cfg);

/* Typed values of resolved keys. Asking for a key the protocol's schema does not declare,
 * or with the wrong type, is a programming error (g_error). */
double am_config_get_double(const AmConfig *cfg, const char *section, const char *key);
gint64 am_config_get_int(const AmConfig *cfg, const char *section, const char *key);
gboolean am_config_get_bool(const AmConfig *cfg, const char *section, const char *key);
/* STRING, CHOICE, PATH (absolute, or "" when optional and unset). */
const char *am_config_get_string(const AmConfig *cfg, const char *section, const char *key);
/* WORDS: NULL-terminated, owned by cfg. */
const char *const *am_config_get_words(const AmConfig *cfg, const char *section, const char *key);
/* FLOAT/INT/PATH with AM_KEY_OPTIONAL: whether a value was given. */
gboolean am_config_is_set(const AmConfig *cfg, const char *section, const char *key);
/* The canonical text of a resolved value. */
const char *am_config_get_text(const AmConfig *cfg, const char *section, const char *key);

/* Checks one value as a file would give it for [section] key of protocol, with the same
 * messages (origin, e.g. "settings", starts them; relative paths from base_dir, NULL: the
 * working folder). canonical (may be NULL) receives the text a config would hold. For the
 * GUI's settings form, which marks each field as it is typed. */
gboolean am_config_check_value(const char *protocol, const char *section, const char *key, const char *text,
                               const char *origin, const char *base_dir, char **canonical, GError **error);

/* The resolved config as a .ini file: every key of the protocol, with its unit, range and
 * help as comments; loading it again gives the same config. */
char *am_config_to_ini(const AmConfig *cfg);
/* The same, for a file to be written in folder dir: a path to a file directly in dir is
 * written as its bare name, which loading resolves in the .ini's folder, so the folder can
 * be moved or copied with its files and still run from any working directory. */
char *am_config_to_ini_in(const AmConfig *cfg, const char *dir);
/* {"section": {"key": value, …}, …} with typed values (numbers, booleans, strings,
 * arrays for WORDS). */
JsonNode *am_config_to_json(const AmConfig *cfg);
/* {"section.key": seed, …} for the keys marked AM_KEY_SEED. */
JsonNode *am_config_seeds_to_json(const AmConfig *cfg);

/* Documentation of a protocol's keys as an annotated .ini file (defaults, units, ranges). */
char *am_config_describe(const char *protocol, GError **error);

/* The shipped file data/<relative> (e.g. "potentials/CuZr_mm.eam.fs"): from the folder in
 * $AMORPH_DATA_DIR if set (and only there); else, for a program run from the build tree,
 * the source tree's data folder, then the installed one; for an installed program, the
 * data folder at the same place relative to the executable as in the prefix (so a moved or
 * --destdir install works), then the configured prefix's. Returns a newly allocated path,
 * or NULL with an error naming the folders tried. */
char *am_config_find_data_file(const char *relative, GError **error);

G_END_DECLS
