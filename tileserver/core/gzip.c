/* gzip.c — one-shot deflate with the gzip wrapper into a bounded buf. */
#include "core/gzip.h"

#include <string.h>
#include <zlib.h>

err_code gzip_compress(const void *in, size_t n, int level, buf *out, err *e) {
  z_stream z;
  memset(&z, 0, sizeof z);
  /* windowBits 15 + 16 asks zlib for the gzip header and trailer */
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return err_set(e, ERR_INTERNAL, "zlib: cannot start deflate");
  size_t bound = deflateBound(&z, (uLong)n);
  if (!buf_reserve(out, bound)) {
    deflateEnd(&z);
    return err_set(e, out->over_limit ? ERR_LIMIT : ERR_NOMEM, "gzip: no room for %zu bytes", bound);
  }
  z.next_in = (Bytef *)in;
  z.avail_in = (uInt)n;
  z.next_out = out->data + out->len;
  z.avail_out = (uInt)bound;
  int rc = deflate(&z, Z_FINISH);
  size_t produced = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return err_set(e, ERR_INTERNAL, "zlib: deflate failed (%d)", rc);
  out->len += produced;
  return ERR_OK;
}
