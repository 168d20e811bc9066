/* test-util.h: what several test programs need alike — files of the source tree and the
 * shipped potential. Header-only so every test program stays one source file. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

#include "sim/eam.h"

/* AMORPH_SOURCE_DIR/rel (set by tests/meson.build); newly allocated. */
static inline char *source_path(const char *rel)
{
  const char *root = g_getenv("AMORPH_SOURCE_DIR");
  g_assert_nonnull(root);
  return g_build_filename(root, rel, NULL);
}

/* The shipped CuZr_mm.eam.fs; a failure ends the test program with the reader's message. */
static inline AmEam *load_shipped_potential(void)
{
  char *path = source_path("data/potentials/CuZr_mm.eam.fs");
  AmEam *eam = NULL;
  AmError err = {0};
  if (am_eam_load(path, AM_EAM_FS, &eam, &err))
    g_error("%s", err.message);
  g_free(path);
  return eam;
}

/* Removes path and, for a folder, everything below it; links are removed, not followed. */
static inline void rm_rf(const char *path)
{
  if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
    GDir *d = g_dir_open(path, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
      char *child = g_build_filename(path, name, NULL);
      rm_rf(child);
      g_free(child);
    }
    if (d)
      g_dir_close(d);
    g_rmdir(path);
  } else {
    g_unlink(path);
  }
}
