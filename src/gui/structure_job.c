/* structure_job.c: analysis/structure behind a GTask (see structure_job.h). */
#include "gui/structure_job.h"

#include <string.h>

#include "analysis/structure.h"
#include "sim/eam.h"
#include "sim/system.h"

typedef struct {
  AmBox box;
  AmAtoms atoms;
  char *names[AM_MAX_TYPES];
  gboolean have_names;
  char *potential_path;
} Input;

static void input_free(gpointer data)
{
  Input *in = data;
  am_atoms_free(&in->atoms);
  for (int t = 0; t < AM_MAX_TYPES; t++)
    g_free(in->names[t]);
  g_free(in->potential_path);
  g_free(in);
}

void amorph_structure_values_free(AmorphStructureValues *v)
{
  if (!v)
    return;
  g_free(v->theta);
  g_free(v->energy);
  g_free(v);
}

static void fail(GTask *task, const AmError *err, const char *what)
{
  g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what, err->message);
}

static void run(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  (void) source;
  (void) cancellable;
  Input *in = data;
  AmError err = {0};
  AmEam *eam = NULL;
  AmEamStyle style = g_str_has_suffix(in->potential_path, ".fs") ? AM_EAM_FS : AM_EAM_ALLOY;
  if (am_eam_load(in->potential_path, style, &eam, &err) != AM_OK) {
    fail(task, &err, "the potential");
    return;
  }
  AmSystem sys;
  am_system_init(&sys, eam, 1.0);
  sys.box = in->box;
  sys.atoms = in->atoms;
  memset(&in->atoms, 0, sizeof in->atoms);
  AmStructureConfig cfg;
  am_structure_config_init(&cfg);
  cfg.soft_modes = false;
  AmStructure st = {0};
  if (am_system_bind_types(&sys, in->have_names ? (const char *const *) in->names : NULL, &err) != AM_OK)
    fail(task, &err, "the sample's species");
  else if (am_structure_compute(&sys, &cfg, &st, &err) != AM_OK)
    fail(task, &err, "the structure");
  else {
    AmorphStructureValues *v = g_new0(AmorphStructureValues, 1);
    v->n = st.n;
    v->theta = g_memdup2(st.theta, (st.n ? st.n : 1) * sizeof *st.theta);
    v->energy = g_memdup2(st.energy, (st.n ? st.n : 1) * sizeof *st.energy);
    g_task_return_pointer(task, v, (GDestroyNotify) amorph_structure_values_free);
  }
  am_structure_free(&st);
  am_system_free(&sys);
  am_eam_free(eam);
}

void amorph_structure_job_start(const AmBox *box, const AmAtoms *atoms, const char *const *element_names,
                                const char *potential_path, GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data)
{
  GTask *task = g_task_new(NULL, cancellable, callback, user_data);
  g_task_set_source_tag(task, amorph_structure_job_start);
  /* Cancelling answers at once; the thread's late result is dropped. */
  g_task_set_return_on_cancel(task, TRUE);
  Input *in = g_new0(Input, 1);
  in->box = *box;
  AmError err = {0};
  if (am_atoms_copy(&in->atoms, atoms, &err) != AM_OK) {
    input_free(in);
    g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED, "copying the atoms: %s", err.message);
    g_object_unref(task);
    return;
  }
  for (int t = 0; t < AM_MAX_TYPES && element_names; t++)
    if (element_names[t] && *element_names[t]) {
      in->names[t] = g_strdup(element_names[t]);
      in->have_names = TRUE;
    }
  in->potential_path = g_strdup(potential_path);
  g_task_set_task_data(task, in, input_free);
  g_task_run_in_thread(task, run);
  g_object_unref(task);
}

AmorphStructureValues *amorph_structure_job_finish(GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}
