/* fuzz_geom_blob.c — libFuzzer target for the SpatiaLite geometry BLOB decoder (geom/blob.c,
 * geom/decode.c), which reads every geometry that a tile, a feature page or a rendering takes
 * from the database: any bytes as a BLOB, with the checks of fuzz_geom.h (layout, tile pipeline,
 * encode and decode again, tiny arena). */
#include <stdint.h>

#include "fuzz_geom.h"

static err_code decode(const uint8_t *data, size_t size, arena *a, geom *out_g,
                       int32_t *out_srid) {
  return geom_blob_decode(data, size, a, out_g, out_srid, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_geom_run(decode, data, size, NULL);
  return 0;
}
