/* gzip.c — one-shot deflate with the gzip wrapper into a bounded buf, and its inverse with a
 * bound on the output (archives read from disk are not trusted). */
#include "core/gzip.h"

#include <limits.h>
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

/* Output grows in steps of this much (or what is left of max_out): a tile or a directory is
 * usually a few KiB, and a zip bomb is caught at the bound, not after it filled memory. */
enum { INFLATE_STEP = 64 * 1024 };

static err_code inflate_all(z_stream *z, size_t max_out, buf *out, size_t start, err *e) {
  for (;;) {
    size_t produced = out->len - start;
    if (produced == max_out) {
      /* the bound is reached: one more byte of output, or the end, tells which */
      uint8_t probe;
      z->next_out = &probe;
      z->avail_out = 1;
      int rc = inflate(z, Z_NO_FLUSH);
      if (rc == Z_STREAM_END && z->avail_out == 1) return ERR_OK;
      if (rc == Z_BUF_ERROR && z->avail_out == 1 && z->avail_in == 0)
        return err_set(e, ERR_INVALID, "gzip: truncated data");
      if (rc == Z_OK || rc == Z_BUF_ERROR || rc == Z_STREAM_END)
        return err_set(e, ERR_LIMIT, "gzip: more than %zu bytes once decompressed", max_out);
      return err_set(e, ERR_INVALID, "gzip: corrupt data (%s)", z->msg ? z->msg : "zlib");
    }
    size_t step = max_out - produced < INFLATE_STEP ? max_out - produced : INFLATE_STEP;
    if (!buf_reserve(out, step))
      return err_set(e, out->over_limit ? ERR_LIMIT : ERR_NOMEM, "gzip: no room for %zu bytes",
                     step);
    z->next_out = out->data + out->len;
    z->avail_out = (uInt)step;
    int rc = inflate(z, Z_NO_FLUSH);
    out->len += step - z->avail_out;
    if (rc == Z_STREAM_END) return ERR_OK;
    if (rc == Z_BUF_ERROR && z->avail_in == 0)
      return err_set(e, ERR_INVALID, "gzip: truncated data");
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return err_set(e, rc == Z_MEM_ERROR ? ERR_NOMEM : ERR_INVALID, "gzip: corrupt data (%s)",
                     z->msg ? z->msg : "zlib");
  }
}

err_code gzip_decompress(const void *in, size_t n, size_t max_out, buf *out, err *e) {
  if (n > UINT_MAX) return err_set(e, ERR_LIMIT, "gzip: input of %zu bytes", n);
  z_stream z;
  memset(&z, 0, sizeof z);
  /* windowBits 15 + 16: the gzip wrapper only (a bare zlib or deflate stream is refused) */
  if (inflateInit2(&z, 15 + 16) != Z_OK) return err_set(e, ERR_NOMEM, "zlib: cannot start inflate");
  z.next_in = (Bytef *)in;
  z.avail_in = (uInt)n;
  size_t start = out->len;
  err_code rc = inflate_all(&z, max_out, out, start, e);
  if (rc == ERR_OK && z.avail_in != 0)
    rc = err_set(e, ERR_INVALID, "gzip: %u bytes after the end of the data", z.avail_in);
  inflateEnd(&z);
  if (rc != ERR_OK) out->len = start;
  return rc;
}
