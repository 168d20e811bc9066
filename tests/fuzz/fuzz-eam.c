/* fuzz-eam.c: libFuzzer harness for the setfl reader (both styles on every input). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/eam_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  for (int style = 0; style < 2; style++) {
    AmEamTables t;
    AmError err = {0};
    const AmStatus st = am_eam_file_parse((const char *) data, size, "fuzz", style ? AM_EAM_FS : AM_EAM_ALLOY, &t, &err);
    if (st == AM_OK) {
      /* A success must describe tables that are all there and finite. */
      if (t.nelements < 1 || t.nelements > AM_MAX_TYPES || t.nrho < 2 || t.nr < 2 || !(t.dr > 0) || !t.frho)
        abort();
      volatile double sum = 0;
      for (size_t k = 0; k < (size_t) t.nelements * (size_t) t.nrho; k++)
        sum += t.frho[k];
      for (size_t k = 0; k < (size_t) t.nelements * (size_t) t.nelements * (size_t) t.nr; k++)
        sum += t.rhor[k] + t.z2r[k];
      (void) sum;
    } else if (err.message[0] == '\0' || t.frho) {
      abort();
    }
    am_eam_tables_free(&t);
  }
  return 0;
}
