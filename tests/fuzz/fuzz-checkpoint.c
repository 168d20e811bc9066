/* fuzz-checkpoint.c: libFuzzer harness for the checkpoint reader. Random bytes almost
 * never pass the checksum, so each input is also parsed with its length field and
 * CRC-32C repaired: that is what reaches the section parser. A parsed state must
 * re-encode, and the re-encoding must parse back to the same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_and_check(const uint8_t *buf, size_t len)
{
  AmSystem sys;
  am_system_init(&sys, NULL, 0.0);
  AmCheckpointBlobs blobs = {0};
  AmError err = {0};
  if (am_checkpoint_parse(buf, len, "fuzz", &sys, &blobs, &err) != AM_OK) {
    if (err.message[0] == '\0' || blobs.n || sys.atoms.n)
      abort();
    am_system_free(&sys);
    return;
  }
  void *enc1, *enc2;
  size_t l1, l2;
  if (am_checkpoint_encode(&sys, blobs.blob, blobs.n, &enc1, &l1, &err) != AM_OK) {
    fprintf(stderr, "re-encode failed: %s\n", err.message);
    abort();
  }
  AmSystem again;
  am_system_init(&again, NULL, 0.0);
  AmCheckpointBlobs blobs2 = {0};
  if (am_checkpoint_parse(enc1, l1, "fuzz-again", &again, &blobs2, &err) != AM_OK ||
      am_checkpoint_encode(&again, blobs2.blob, blobs2.n, &enc2, &l2, &err) != AM_OK || l1 != l2 ||
      memcmp(enc1, enc2, l1) != 0)
    abort();
  free(enc1);
  free(enc2);
  am_checkpoint_blobs_free(&blobs);
  am_checkpoint_blobs_free(&blobs2);
  am_system_free(&sys);
  am_system_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  parse_and_check(data, size);
  if (size < 32)
    return 0;
  uint8_t *fixed = malloc(size);
  if (!fixed)
    return 0;
  memcpy(fixed, data, size);
  const uint64_t sections = (uint64_t) (size - 32);
  memcpy(fixed + 16, &sections, 8);
  const uint32_t crc = am_crc32c(0, fixed, size - 4);
  memcpy(fixed + size - 4, &crc, 4);
  parse_and_check(fixed, size);
  free(fixed);
  return 0;
}
