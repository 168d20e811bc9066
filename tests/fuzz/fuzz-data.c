/* fuzz-data.c: libFuzzer harness for the LAMMPS data-file reader. Whatever parses must
 * survive a write and a second read with the same atoms (the writer's output is the
 * oracle's input). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/data_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
  if (!ok)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  AmBox box;
  AmAtoms a = {0};
  AmDataInfo info;
  AmError err = {0};
  if (am_data_parse((const char *) data, size, "fuzz", &box, &a, &info, &err) != AM_OK) {
    check(err.message[0] != '\0' && a.n == 0);
    return 0;
  }
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  check(mem != NULL);
  const AmStatus wst = am_data_write_stream(mem, "fuzz-out", &box, &a, info.title, info.has_velocities, &err);
  fclose(mem);
  check(wst == AM_OK);
  AmBox box2;
  AmAtoms b = {0};
  if (am_data_parse(text, len, "fuzz-out", &box2, &b, NULL, &err) != AM_OK) {
    fprintf(stderr, "re-read failed: %s\n", err.message);
    abort();
  }
  check(a.n == b.n && a.ntypes == b.ntypes);
  for (int t = 0; t < a.ntypes; t++)
    check(a.mass[t] == b.mass[t] || (!info.has_masses && b.mass[t] == 0.0));
  const double scale = fabs(box.lx) + fabs(box.ly) + fabs(box.lz) + fabs(box.xy) + fabs(box.xz) + fabs(box.yz) +
                       fabs(box.lo[0]) + fabs(box.lo[1]) + fabs(box.lo[2]);
  for (size_t i = 0; i < a.n; i++) {
    const long j = am_atoms_find_id(&b, a.id[i]);
    check(j >= 0 && a.type[i] == b.type[j]);
    double ua[3], ub[3];
    am_box_unwrap(&box, &a.x[3 * i], &a.image[3 * i], ua);
    am_box_unwrap(&box2, &b.x[3 * j], &b.image[3 * j], ub);
    double img = 1;
    for (int k = 0; k < 3; k++) {
      img += fabs((double) a.image[3 * i + k]);
      check(a.v[3 * i + k] == b.v[3 * j + k]);
    }
    for (int k = 0; k < 3; k++)
      if (!(fabs(ua[k] - ub[k]) <= 1e-12 * scale * img)) {
        fprintf(stderr, "atom %lld moved: %.17g -> %.17g\n", (long long) a.id[i], ua[k], ub[k]);
        abort();
      }
  }
  free(text);
  am_atoms_free(&a);
  am_atoms_free(&b);
  return 0;
}
