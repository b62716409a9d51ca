/* gzip_levels.c — CPU seconds and bytes of gzip'ing the same tiles with libdeflate at levels 1-9
 * and zlib at levels 1 and 6, one compressor call per tile as the server and the seed make them
 * (a compressor allocated per call, and reused, to show what the allocation costs).
 * Input on stdin: each raw tile as a 4-byte little-endian length and its bytes (gzip_levels.sh). */
#define _POSIX_C_SOURCE 199309L /* clock_gettime under -std=c11 */
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static double cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

enum { OUT_MAX = 1 << 22 };

int main(void) {
  size_t cap = 1 << 20, n = 0, r;
  unsigned char *d = malloc(cap), *o = malloc(OUT_MAX);
  if (!d || !o) return 1;
  while ((r = fread(d + n, 1, cap - n, stdin)) > 0) {
    n += r;
    if (n == cap && !(d = realloc(d, cap *= 2))) return 1;
  }
  printf("# compressor level reuse cpu_s bytes\n");
  for (int lv = 1; lv <= 9; lv++) {
    for (int reuse = 0; reuse < 2; reuse++) {
      double t = cpu_now();
      size_t total = 0;
      struct libdeflate_compressor *c = reuse ? libdeflate_alloc_compressor(lv) : NULL;
      for (size_t p = 0; p + 4 <= n;) {
        unsigned len;
        memcpy(&len, d + p, 4);
        p += 4;
        struct libdeflate_compressor *cc = reuse ? c : libdeflate_alloc_compressor(lv);
        total += libdeflate_gzip_compress(cc, d + p, len, o, OUT_MAX);
        if (!reuse) libdeflate_free_compressor(cc);
        p += len;
      }
      libdeflate_free_compressor(c);
      printf("libdeflate %d %d %.3f %zu\n", lv, reuse, cpu_now() - t, total);
    }
  }
  for (int lv = 1; lv <= 6; lv += 5) {
    double t = cpu_now();
    size_t total = 0;
    for (size_t p = 0; p + 4 <= n;) {
      unsigned len;
      memcpy(&len, d + p, 4);
      p += 4;
      z_stream z;
      memset(&z, 0, sizeof z);
      if (deflateInit2(&z, lv, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 1;
      z.next_in = d + p;
      z.avail_in = len;
      z.next_out = o;
      z.avail_out = OUT_MAX;
      deflate(&z, Z_FINISH);
      total += z.total_out;
      deflateEnd(&z);
      p += len;
    }
    printf("zlib %d 0 %.3f %zu\n", lv, cpu_now() - t, total);
  }
  free(d);
  free(o);
  return 0;
}
