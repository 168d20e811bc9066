/* make-seeds.c: writes seed inputs for the checkpoint and extxyz fuzzers (small valid
 * files made by the library itself), so that no binary seed lives in the repository.
 * Usage: make-seeds DIR (creates DIR/checkpoint/ and DIR/extxyz/ files). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/checkpoint.h"
#include "sim/extxyz.h"

static void fill(AmSystem *sys, size_t n)
{
  AmError err = {0};
  am_system_init(sys, NULL, 0.3);
  const double lo[3] = {0, 0, 0}, hi[3] = {10, 11, 12};
  am_box_set(&sys->box, lo, hi, 0.5, -0.25, 0.125);
  if (am_atoms_resize(&sys->atoms, n, &err))
    exit(1);
  sys->atoms.ntypes = 2;
  sys->atoms.mass[0] = 63.546;
  sys->atoms.mass[1] = 91.224;
  strcpy(sys->atoms.type_label[0], "Cu");
  strcpy(sys->atoms.type_label[1], "Zr");
  for (size_t i = 0; i < n; i++) {
    sys->atoms.id[i] = (int64_t) i + 1;
    sys->atoms.type[i] = (int32_t) (i % 2);
    for (int k = 0; k < 3; k++) {
      sys->atoms.x[3 * i + k] = 1.0 + (double) i + 0.5 * k;
      sys->atoms.v[3 * i + k] = 0.01 * (double) k;
      sys->atoms.image[3 * i + k] = (int32_t) k - 1;
    }
    sys->atoms.pinned[i] = i == 1;
  }
  sys->step = 42;
  sys->time = 0.084;
}

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  char path[4096];
  AmError err = {0};
  AmSystem sys;
  snprintf(path, sizeof path, "%s/checkpoint", argv[1]);
  mkdir(path, 0777);
  snprintf(path, sizeof path, "%s/extxyz", argv[1]);
  mkdir(path, 0777);
  for (size_t n = 0; n <= 3; n += 3) {
    fill(&sys, n);
    const AmCheckpointBlob blob = {"rng", 5, "seed"};
    snprintf(path, sizeof path, "%s/checkpoint/seed-%zu.ckpt", argv[1], n);
    if (am_checkpoint_write(path, &sys, &blob, n ? 1 : 0, &err)) {
      fprintf(stderr, "%s\n", err.message);
      return 1;
    }
    AmXyzWriter *w;
    snprintf(path, sizeof path, "%s/extxyz/seed-%zu.extxyz", argv[1], n);
    const double col[3] = {0.5, 1.5, 2.5};
    const AmXyzColumn c = {"u_max", AM_XYZ_REAL, 1, col, NULL};
    if (am_extxyz_open(path, false, &w, &err) ||
        am_extxyz_write_frame(w, &sys.box, &sys.atoms, 0.0, 0, n ? &c : NULL, n ? 1 : 0, 0, &err) ||
        am_extxyz_write_frame(w, &sys.box, &sys.atoms, 0.5, 1, NULL, 0, AM_XYZ_UNWRAPPED, &err) ||
        am_extxyz_close(w, &err)) {
      fprintf(stderr, "%s\n", err.message);
      return 1;
    }
    am_system_free(&sys);
  }
  return 0;
}
