/* checksum.h — SHA-256 of source files and import definitions (streaming), through nettle.
 *
 * The checksums are what `teselas publish` compares to skip unchanged sources, and what the
 * history records. Nettle (Debian's nettle-dev) is a small, well-kept crypto library that uses the
 * CPU's SHA instructions where there are some; GDAL's own CPL_SHA256 is not usable because
 * Debian's libgdal-dev does not install its header. */
#ifndef TESELAS_IMPORTERS_CHECKSUM_H
#define TESELAS_IMPORTERS_CHECKSUM_H

#include <nettle/sha2.h>
#include <stddef.h>

#include "core/err.h"

typedef struct checksum_ctx {
  struct sha256_ctx sha;
} checksum_ctx;

void checksum_init(checksum_ctx *c);
void checksum_update(checksum_ctx *c, const void *data, size_t len);
/* Writes 64 lower-case hex digits and a NUL into out_hex. */
void checksum_final_hex(checksum_ctx *c, char out_hex[65]);
/* Feeds a whole file (read in 64 KiB blocks) into c. ERR_IO with the path when unreadable. */
err_code checksum_update_file(checksum_ctx *c, const char *path, err *e);

#endif
