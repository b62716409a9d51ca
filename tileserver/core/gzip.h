/* gzip.h — gzip compression and bounded decompression into a buf (zlib, RFC 1952 wrapper). */
#ifndef TESELAS_CORE_GZIP_H
#define TESELAS_CORE_GZIP_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* The level of every answer the server gzips, and of the seed's tiles (an archive keeps the
 * server's bytes). */
enum { GZIP_LEVEL_ANSWER = 6 };

/* Appends the gzip of [in, in+n) to out at the given level (1 fastest .. 9 smallest), with a
 * compressor made for this call. Errors: ERR_NOMEM, ERR_LIMIT (out's bound), ERR_INTERNAL. */
err_code gzip_compress(const void *in, size_t n, int level, buf *out, err *e);

/* A compressor at one level, kept by one thread for many calls (a server or seed worker) instead
 * of one made and dropped per call. Not shareable between threads. The bytes are those of
 * gzip_compress at the same level. gzip_deflater_create: NULL when out of memory, or a level
 * outside 1..9. */
typedef struct gzip_deflater gzip_deflater;
gzip_deflater *gzip_deflater_create(int level);
void gzip_deflater_destroy(gzip_deflater *d); /* NULL is a no-op */

/* gzip_compress with d's compressor and level. Errors: as gzip_compress. */
err_code gzip_deflate(gzip_deflater *d, const void *in, size_t n, buf *out, err *e);

/* Appends the decompressed bytes of the one gzip member [in, in+n) to out, and no more than
 * max_out of them: a hostile input (a zip bomb inflates a kilobyte to gigabytes) stops there.
 * The input must be exactly one member: a truncated stream, a bad checksum or bytes after the
 * member's trailer are ERR_INVALID. On any error out keeps its length from before the call.
 * Errors: ERR_INVALID (not gzip, corrupt, truncated, trailing bytes), ERR_LIMIT (more than max_out
 * bytes, or out's own bound), ERR_NOMEM. */
err_code gzip_decompress(const void *in, size_t n, size_t max_out, buf *out, err *e);

#endif
