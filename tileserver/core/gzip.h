/* gzip.h — gzip compression into a buf (zlib, RFC 1952 wrapper). */
#ifndef TESELAS_CORE_GZIP_H
#define TESELAS_CORE_GZIP_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* Appends the gzip of [in, in+n) to out at the given level (1 fastest .. 9 smallest).
 * Errors: ERR_NOMEM, ERR_LIMIT (out's bound), ERR_INTERNAL (zlib). */
err_code gzip_compress(const void *in, size_t n, int level, buf *out, err *e);

#endif
