/* structure_job.h: the per-atom structure of the loaded sample (|Θ| of the Voronoi LCA and
 * the potential energy E_i, from analysis/structure) computed on a worker thread, so the
 * atom view can be coloured by them without the main loop waiting.
 *
 * The computation itself cannot be interrupted; cancelling makes the task finish with
 * G_IO_ERROR_CANCELLED as soon as it is cancelled, and the thread's result is dropped
 * when it ends. Soft modes are left out (they are what would make it slow). */
#pragma once

#include <gio/gio.h>

#include "sim/atoms.h"
#include "sim/box.h"

G_BEGIN_DECLS

/* Per-atom values in the order of the atoms handed in. */
typedef struct {
  gsize n;
  double *theta;   /* |Θ_i| (Å) */
  double *energy;  /* E_i (eV) */
} AmorphStructureValues;

void amorph_structure_values_free(AmorphStructureValues *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AmorphStructureValues, amorph_structure_values_free)

/* Copies box and atoms and starts; element_names (one per type, may hold NULLs) bind the
 * types to the potential's elements as the worker does. */
void amorph_structure_job_start(const AmBox *box, const AmAtoms *atoms, const char *const *element_names,
                                const char *potential_path, GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);
AmorphStructureValues *amorph_structure_job_finish(GAsyncResult *result, GError **error);

G_END_DECLS
