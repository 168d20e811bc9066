/* protocol_single_point.c: energy, forces and pressure tensor of one configuration, the
 * numbers to compare with LAMMPS `run 0` (pe, pxx…pyz, per-atom forces). */
#include <stdlib.h>

#include "experiment/protocols.h"
#include "sim/thermo.h"

static const AmAtoms *sort_atoms;

static int by_id(const void *a, const void *b)
{
  gint64 ia = sort_atoms->id[*(const size_t *) a], ib = sort_atoms->id[*(const size_t *) b];
  return (ia > ib) - (ia < ib);
}

static gboolean write_forces(AmRunContext *ctx, const AmSystem *sys, GError **error)
{
  static const char *const columns[] = { "id", "type", "fx", "fy", "fz", NULL };
  const AmAtoms *atoms = &sys->atoms;
  g_autofree size_t *order = g_new(size_t, atoms->n);
  for (size_t i = 0; i < atoms->n; i++)
    order[i] = i;
  /* Sorted by id so files from different runs (and LAMMPS dumps) line up row by row. */
  sort_atoms = atoms;
  qsort(order, atoms->n, sizeof *order, by_id);

  g_autofree char *path = am_protocol_output_path(ctx, "forces.csv");
  g_autoptr(AmCsv) csv = am_csv_open(path, columns, error);
  if (!csv)
    return FALSE;
  for (size_t k = 0; k < atoms->n; k++) {
    size_t i = order[k];
    am_csv_add_int(csv, atoms->id[i]);
    am_csv_add_int(csv, atoms->type[i] + 1);
    for (int d = 0; d < 3; d++)
      am_csv_add_double(csv, atoms->f[3 * i + d]);
    if (!am_csv_end_row(csv, error))
      return FALSE;
  }
  if (!am_csv_commit(g_steal_pointer(&csv), error))
    return FALSE;
  am_provenance_add_output(ctx->provenance, "forces.csv");
  return TRUE;
}

gboolean am_protocol_single_point(AmRunContext *ctx, GError **error)
{
  AmLoadedSystem ls;
  am_progress_begin(ctx->progress, 0, 1);
  gboolean ok = am_protocol_load_system(ctx, &ls, error);
  if (ok) {
    const AmSystem *sys = &ls.sys;
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    am_json_add_string(b, "protocol", "single-point");
    am_protocol_add_state_json(b, sys);
    am_json_add_bool(b, "velocities_from_file", ls.info.has_velocities);
    am_json_add_int(b, "threads", ctx->threads);
    json_builder_end_object(b);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    g_autofree char *path = am_protocol_output_path(ctx, "results.json");
    ok = write_forces(ctx, sys, error) && am_json_write_file(path, root, error);
    if (ok) {
      am_provenance_add_output(ctx->provenance, "results.json");
      am_progress_message(ctx->progress, "pe %.10g eV (%.8g eV/atom), pressure %.6g bar",
                          sys->pe, sys->pe / (double) sys->atoms.n, am_thermo_pressure(sys));
    }
  }
  am_loaded_system_clear(&ls);
  return ok;
}
