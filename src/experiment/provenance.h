/* provenance.h: manifest.json, the record that makes a result reproducible and
 * attributable: program version and git commit, the full resolved config, the seeds, the
 * sha256 of every input file, threads, host, start and end time, wall time, and how the
 * run ended. Written at the end of every run, failed runs included. */
#pragma once

#include <glib.h>

#include "experiment/config.h"

G_BEGIN_DECLS

typedef struct AmProvenance AmProvenance;

/* Starts the record now. argv is the command line (may be NULL, e.g. from the GUI). */
AmProvenance *am_provenance_new(const AmConfig *cfg, int argc, char **argv, int threads);
void am_provenance_free(AmProvenance *prov);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AmProvenance, am_provenance_free)

/* Records an input file (role: "potential", "data", "config") with its sha256. */
gboolean am_provenance_add_input(AmProvenance *prov, const char *role, const char *path,
                                 GError **error);
/* Records an output file name (relative to the output folder). */
void am_provenance_add_output(AmProvenance *prov, const char *name);
/* A protocol-specific fact worth keeping with the provenance (number, string). */
void am_provenance_set_double(AmProvenance *prov, const char *key, double value);
void am_provenance_set_string(AmProvenance *prov, const char *key, const char *value);

/* Stops the clock and writes the manifest; error_message NULL means success. */
gboolean am_provenance_write(AmProvenance *prov, const char *path, const char *error_message,
                             GError **error);

/* Hex sha256 of a file's contents, read in chunks. */
char *am_sha256_file(const char *path, GError **error);

G_END_DECLS
