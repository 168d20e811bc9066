/* fuzz-extxyz.c: libFuzzer harness for the extended XYZ frame parser, reading frames in
 * a loop as a trajectory reader would. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "sim/extxyz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  AmXyzFrame f = {0};
  AmError err = {0};
  size_t at = 0;
  long line = 1;
  while (at < size) {
    size_t used;
    long lines;
    if (am_extxyz_parse_frame((const char *) data + at, size - at, "fuzz", line, &f, &used, &lines, &err) != AM_OK) {
      if (err.message[0] == '\0' || f.n)
        abort();
      break;
    }
    const AmXyzProperty *pos = am_extxyz_frame_property(&f, "pos");
    if (!pos || used == 0 || used > size - at)
      abort();
    for (size_t i = 0; i < 3 * f.n; i++)
      if (!isfinite(pos->data[i]))
        abort();
    AmBox box;
    (void) am_extxyz_frame_box(&f, &box, &err);
    at += used;
    line += lines;
  }
  am_extxyz_frame_free(&f);
  return 0;
}
