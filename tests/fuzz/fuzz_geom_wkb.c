/* fuzz_geom_wkb.c — libFuzzer target for the WKB decoder (geom/wkb.c, geom/decode.c): any bytes
 * as OGC WKB, ISO or EWKB, with the checks of fuzz_geom.h, and one more: the geometry written
 * back as WKB by geom_wkb_encode (what the GeoPackage writer hands GDAL) decodes to itself. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_geom.h"
#include "geom/wkb.h"

static err_code decode(const uint8_t *data, size_t size, arena *a, geom *out_g,
                       int32_t *out_srid) {
  *out_srid = 4326;
  return geom_wkb_decode(data, size, a, out_g, NULL);
}

/* geom_wkb_encode writes 2D little-endian ISO WKB; geom_wkb_decode must read back exactly g. */
static void check_wkb_round_trip(const geom *g) {
  if (!g->n_pts) return;
  buf b;
  buf_init(&b, 0);
  if (!geom_wkb_encode(&b, g)) abort();
  arena *a = arena_create(0);
  geom back;
  if (!a || geom_wkb_decode(b.data, b.len, a, &back, NULL) != ERR_OK) abort();
  fuzz_geom_expect_same(g, &back);
  arena_destroy(a);
  buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_geom_run(decode, data, size, check_wkb_round_trip);
  return 0;
}
