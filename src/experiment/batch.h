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

/* Figures are drawn by render/, which experiment/ must not call (DESIGN.md, layers): the
 * program registers a writer before running, and a protocol with figures calls
 * am_batch_write_figures once its result files are written. results points to the
 * protocol's folded results (dms-sweep, pinning: const AmDmsSweepResults *). */
typedef gboolean (*AmFigureWriter)(const AmRunContext *ctx, const char *protocol, gconstpointer results,
                                   GError **error);
void am_batch_set_figure_writer(AmFigureWriter writer);
/* Calls the registered writer; TRUE when none is registered. */
gboolean am_batch_write_figures(const AmRunContext *ctx, gconstpointer results, GError **error);

G_END_DECLS
