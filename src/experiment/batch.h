/* batch.h: `amorph --batch`: the headless front door. Parses the command line, loads and
 * checks the config, prepares the output folder, runs the protocol named in the config
 * and writes config.ini (resolved) and manifest.json (provenance) next to its results. */
#pragma once

#include <glib.h>

#include "experiment/protocols.h"

G_BEGIN_DECLS

/* Whether the command line asks for batch mode or only for information (--batch, --help,
 * --version, --describe): main.c dispatches on this before any GUI toolkit starts. */
gboolean am_batch_requested(int argc, char **argv);

/* Runs `amorph --batch …`; returns the process exit status: 0 success, 1 the run failed
 * (results incomplete, manifest says why), 2 bad command line or config (nothing run). */
int am_batch_main(int argc, char **argv);

/* The runner of a protocol, or NULL. Every protocol of am_config_protocols() has one. */
AmProtocolRunFunc am_batch_find_runner(const char *protocol);

/* The --help text (man-page structured). */
char *am_batch_help_text(const char *program);

G_END_DECLS
