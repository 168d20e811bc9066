/* checkpoint.h: binary checkpoints of an AmSystem plus named opaque blobs.
 *
 * A checkpoint holds everything needed to continue a run bit for bit: the box, every
 * per-atom array (ids, types, positions, velocities, forces, images, pinning, affine
 * displacements), types with masses and labels, the type→element map (with the element
 * names, checked against the reading system's potential), step, time,
 * skin and the last force call's energy and virial. Callers add any number of named
 * byte blobs (integrator and thermostat state, RNG streams, analysis accumulators).
 *
 * Layout (native byte order, refused on a machine of the other order):
 *   "AMORPHCK"  u32 version  u32 0x01020304  u64 length of the sections  u32 count
 *   count × { u32 name length, name, u64 data length, data }
 *   u32 CRC-32C of every byte before it.
 * The file is replaced atomically. Reading checks magic, byte order, lengths,
 * checksum and version before it trusts a single value, then validates the values.
 *
 * Bit-for-bit resumption: the force sums' order depends on when the neighbour list
 * was built, and a resumed run builds a fresh one. A run that goes on after writing a
 * checkpoint therefore matches a run resumed from it exactly only if it restarts its
 * list there too: am_system_invalidate and am_integrator_resume on the live system
 * right after am_checkpoint_write (test-checkpoint checks this on a real NVT run). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "sim/error.h"
#include "sim/system.h"

#define AM_CHECKPOINT_VERSION 1
#define AM_CHECKPOINT_MAX_NAME 63

typedef struct {
  char name[AM_CHECKPOINT_MAX_NAME + 1]; /* non-empty, unique within a checkpoint */
  size_t size;
  void *data; /* written from the caller's memory; after reading, owned by AmCheckpointBlobs */
} AmCheckpointBlob;

typedef struct {
  size_t n;
  AmCheckpointBlob *blob;
} AmCheckpointBlobs;

/* Writes sys and the blobs to path, atomically. */
AmStatus am_checkpoint_write(const char *path, const AmSystem *sys, const AmCheckpointBlob *blobs, size_t nblobs,
                             AmError *err);
/* The same bytes into a malloc'd buffer (for tests, fuzzing and sending over MPI). */
AmStatus am_checkpoint_encode(const AmSystem *sys, const AmCheckpointBlob *blobs, size_t nblobs, void **buf,
                              size_t *len, AmError *err);

/* Reads a checkpoint into sys, which must have been set up with am_system_init (its
 * potential is kept; checkpoints do not hold potentials). On success the atoms, box
 * and the other saved fields are replaced, the force engine is told the configuration
 * jumped, and blobs (may be NULL; else zeroed or holding earlier blobs, which are freed)
 * receives the blobs; on failure nothing changes. */
AmStatus am_checkpoint_read(const char *path, AmSystem *sys, AmCheckpointBlobs *blobs, AmError *err);
AmStatus am_checkpoint_parse(const void *buf, size_t len, const char *name, AmSystem *sys, AmCheckpointBlobs *blobs,
                             AmError *err);

/* The blob with this name, or NULL. */
const AmCheckpointBlob *am_checkpoint_blobs_find(const AmCheckpointBlobs *blobs, const char *name);
void am_checkpoint_blobs_free(AmCheckpointBlobs *blobs);

/* CRC-32C (Castagnoli), as iSCSI and ext4 use it: am_crc32c(0, "123456789", 9) is
 * 0xE3069283. Pass the previous result to continue over more data. */
uint32_t am_crc32c(uint32_t crc, const void *data, size_t len);
