/* sha256.h — SHA-256 (FIPS 180-4), streaming, for the source checksums an import records.
 *
 * Why our own: GDAL 3.6 exports CPL_SHA256Init/Update/Final from libgdal, but Debian's
 * libgdal-dev does not install cpl_sha256.h, so the layout of its context struct is not a public
 * contract we could declare against. The algorithm is short and tested against the FIPS vectors
 * (tests/unit/importers/test_sha256.c). */
#ifndef TESELAS_IMPORTERS_SHA256_H
#define TESELAS_IMPORTERS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct sha256_ctx {
  uint32_t h[8];
  uint64_t n_bytes;
  uint8_t block[64];
  size_t block_len;
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
/* Writes 64 lower-case hex digits and a NUL into out_hex. */
void sha256_final_hex(sha256_ctx *c, char out_hex[65]);
/* Feeds a whole file (read in 64 KiB blocks) into c. ERR_IO with the path when unreadable. */
err_code sha256_update_file(sha256_ctx *c, const char *path, err *e);

#endif
