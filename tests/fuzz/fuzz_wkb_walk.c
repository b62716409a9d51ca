/* fuzz_wkb_walk.c — libFuzzer target for the importer's in-place WKB walker (importers/
 * wkb_walk.c), which runs over the WKB that GDAL exports of every record of a source file: any
 * bytes as that WKB, in a buffer of exactly their size so that ASan sees a read or a write past
 * the end. The walk visits every coordinate and swaps it in place (as --fix-swapped does); a
 * second walk must accept what the first did, with the same number of points; wkb_envelope must
 * accept it too, and when all coordinates are finite and geom_wkb_decode reads the same bytes,
 * the decoded geometry lies inside that envelope. */
#include <stdlib.h>
#include <string.h>

#include "geom/geom.h"
#include "importers/import_int.h"

static bool swap_fn(uint8_t *xy, uint32_t n, void *ud) {
  uint64_t *count = ud;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t t[8];
    memcpy(t, xy + 16 * (size_t)i, 8);
    memmove(xy + 16 * (size_t)i, xy + 16 * (size_t)i + 8, 8);
    memcpy(xy + 16 * (size_t)i + 8, t, 8);
  }
  *count += n;
  return true;
}

/* The decoder keeps a subset of the coordinates the walker sees (the dominant type of a
 * collection), so its bbox lies inside the walker's envelope. */
static void check_inside(const uint8_t *data, size_t size, const double env[4]) {
  arena *a = arena_create(0);
  geom g;
  geom_bbox b;
  if (a && geom_wkb_decode(data, size, a, &g, NULL) == ERR_OK && geom_bbox_compute(&g, &b) &&
      (b.min_x < env[0] || b.min_y < env[1] || b.max_x > env[2] || b.max_y > env[3]))
    abort();
  arena_destroy(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20)) return 0;
  uint8_t *wkb = malloc(size ? size : 1);
  if (!wkb) return 0;
  if (size) memcpy(wkb, data, size);
  uint64_t first = 0, second = 0;
  bool walked = wkb_walk(wkb, size, swap_fn, &first);
  /* Two swaps give the input back, so what follows sees the original coordinates. */
  if (walked && (!wkb_walk(wkb, size, swap_fn, &second) || second != first)) abort();
  double env[4];
  bool finite;
  if (wkb_envelope(wkb, size, env, &finite) != walked) abort();
  if (walked && finite) check_inside(data, size, env);
  free(wkb);
  return 0;
}
