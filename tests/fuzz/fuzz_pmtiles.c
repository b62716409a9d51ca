/* fuzz_pmtiles — the PMTiles readers over any bytes: the header reader and the directory decoder
 * on the input itself, and the whole file reader (archive/pmtiles_read.c: header, root,
 * metadata, leaf directories through the cache, gzip) on the input as a file.
 *
 * Checks beyond "no crash, no out-of-bounds access, no leak, no UB": a decoded directory has
 * strictly increasing ids, encodes back to bytes that decode to the same entries, and
 * pmtiles_dir_find answers each entry's own id with that entry; a tile the file reader finds
 * lies inside the file and reads whole. A failed check is abort(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "archive/pmtiles.h"
#include "archive/pmtiles_read.h"

static void check_directory(const uint8_t *data, size_t size) {
  pmtiles_entry *d = NULL;
  size_t n = 0;
  if (pmtiles_dir_decode(data, size, 1 << 16, &d, &n, NULL) != ERR_OK) return;
  for (size_t i = 0; i < n; i++) {
    if (i && d[i].tile_id <= d[i - 1].tile_id) abort();
    const pmtiles_entry *f = pmtiles_dir_find(d, n, d[i].tile_id);
    if (f != &d[i]) abort();
  }
  buf b;
  buf_init(&b, 0);
  if (!pmtiles_dir_encode(d, n, &b)) abort();
  pmtiles_entry *back = NULL;
  size_t n2 = 0;
  if (pmtiles_dir_decode(b.data, b.len, 1 << 16, &back, &n2, NULL) != ERR_OK || n2 != n ||
      (n && memcmp(back, d, n * sizeof *d) != 0))
    abort();
  free(back);
  buf_free(&b);
  free(d);
}

/* The input as a file (an anonymous memory file, rewritten for each input). */
static void check_file(const uint8_t *data, size_t size) {
  static int fd = -1;
  if (fd < 0 && (fd = memfd_create("pmtiles", 0)) < 0) abort();
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) abort();
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  pmtiles_archive *a = NULL;
  if (pmtiles_archive_open(path, &a, NULL) != ERR_OK) return;
  /* every tile of zooms 0-4 (ids 0-340), twice: the second time leaves come from the cache */
  for (int round = 0; round < 2; round++)
    for (uint64_t id = 0; id < 341; id++) {
      unsigned z;
      uint32_t x, y;
      pmtiles_tile_ref ref;
      if (!pmtiles_id_to_zxy(id, &z, &x, &y)) abort();
      if (pmtiles_archive_find(a, z, x, y, &ref, NULL) != ERR_OK || !ref.found) continue;
      if (ref.offset > size || ref.length > size - ref.offset) abort();
      buf b;
      buf_init(&b, 0);
      if (pmtiles_archive_read(a, &ref, &b, NULL) == ERR_OK &&
          (b.len != ref.length || memcmp(b.data, data + ref.offset, b.len) != 0))
        abort();
      buf_free(&b);
    }
  pmtiles_archive_close(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pmtiles_header h;
  pmtiles_header_read(data, size, size, &h, NULL);
  check_directory(data, size);
  check_file(data, size);
  return 0;
}
