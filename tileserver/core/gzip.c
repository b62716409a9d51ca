/* gzip.c — one-shot deflate with the gzip wrapper into a bounded buf, and its inverse with a
 * bound on the output (archives read from disk are not trusted).
 *
 * Compression is libdeflate's: whole-buffer deflate is what a tile is, and at level 6 it took
 * half of zlib's time for the same bytes within 0.01 % (the 11,749 tiles of bench/seed/like.sh,
 * measured by bench/seed/gzip_levels.sh; zlib was 43 % of that seed's CPU). The server and the
 * seed both compress here, so an archive keeps the server's bytes.
 * Their workers keep one compressor each (gzip_deflater) rather than one per call. Measured
 * (bench/gzip/run.sh, bench/RESULTS.md) that saves little: libdeflate's ~670 KB are reused from
 * glibc's heap with no fresh page faults, and its alloc+free cost ~4.5 us against ~250 us to
 * compress a 22 KB tile and ~1,500 us for an 84 KB item page at level 6.
 * Decompression first trusts the size the gzip trailer states (ISIZE) when it is within the
 * bound, and inflates in one libdeflate call into exactly that room: an incremental seed's splices
 * and its earlier archive's directories spent 11.9 M instructions in zlib against ~4 M this way
 * (callgrind). Anything else (a stated size past the bound or a lie, corrupt or trailing data)
 * goes to zlib's streaming inflate, which stops at the bound without knowing the size first and
 * says what is wrong. */
#include "core/gzip.h"

#include <libdeflate.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct gzip_deflater {
  struct libdeflate_compressor *c;
};

gzip_deflater *gzip_deflater_create(int level) {
  gzip_deflater *d = malloc(sizeof *d);
  if (!d) return NULL;
  if (!(d->c = libdeflate_alloc_compressor(level))) {
    free(d);
    return NULL;
  }
  return d;
}

void gzip_deflater_destroy(gzip_deflater *d) {
  if (!d) return;
  libdeflate_free_compressor(d->c);
  free(d);
}

err_code gzip_deflate(gzip_deflater *d, const void *in, size_t n, buf *out, err *e) {
  size_t bound = libdeflate_gzip_compress_bound(d->c, n);
  if (!buf_reserve(out, bound))
    return err_set(e, out->over_limit ? ERR_LIMIT : ERR_NOMEM, "gzip: no room for %zu bytes", bound);
  size_t produced = libdeflate_gzip_compress(d->c, in, n, out->data + out->len, bound);
  /* the bound is libdeflate's own worst case: 0 here is a broken promise, not bad input */
  if (produced == 0) return err_set(e, ERR_INTERNAL, "gzip: %zu bytes past the bound", n);
  out->len += produced;
  return ERR_OK;
}

err_code gzip_compress(const void *in, size_t n, int level, buf *out, err *e) {
  gzip_deflater *d = gzip_deflater_create(level);
  if (!d) return err_set(e, ERR_NOMEM, "gzip: cannot start a compressor at level %d", level);
  err_code rc = gzip_deflate(d, in, n, out, e);
  gzip_deflater_destroy(d);
  return rc;
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

/* The one-call path: true when [in, in+n) is one gzip member whose trailer's size is right and
 * within max_out, its bytes appended to out; false (out unchanged) leaves the case to zlib. */
static bool inflate_stated(const uint8_t *in, size_t n, size_t max_out, buf *out) {
  if (n < 18) return false; /* 10-byte header + 8-byte trailer */
  size_t size = (size_t)in[n - 4] | (size_t)in[n - 3] << 8 | (size_t)in[n - 2] << 16 |
                (size_t)in[n - 1] << 24;
  /* a reservation past out's own bound would mark it failed for the zlib path too; a size past
   * deflate's largest ratio (1032:1) is a hostile trailer, not a reason to reserve it */
  if (size > max_out || size / 1032 > n || out->failed || out->len > out->limit || size >= out->limit - out->len ||
      !buf_reserve(out, size))
    return false;
  struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
  if (!d) return false;
  size_t used = 0, produced = 0;
  enum libdeflate_result r = libdeflate_gzip_decompress_ex(d, in, n, out->data + out->len, size,
                                                           &used, &produced);
  libdeflate_free_decompressor(d);
  if (r != LIBDEFLATE_SUCCESS || used != n || produced != size) return false;
  out->len += size;
  return true;
}

err_code gzip_decompress(const void *in, size_t n, size_t max_out, buf *out, err *e) {
  if (inflate_stated(in, n, max_out, out)) return ERR_OK;
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
