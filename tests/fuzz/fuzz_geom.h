/* fuzz_geom.h — what the fuzz targets of the geometry decoders (fuzz_geom_blob.c,
 * fuzz_geom_wkb.c) share: the checks every decoded geometry must pass, the tile pipeline run over
 * it and a round trip through the BLOB encoder. Each failed check calls abort(), which is how
 * libFuzzer and the corpus replay learn of a wrong result. Only the fuzz targets link it. */
#ifndef TESELAS_TESTS_FUZZ_GEOM_H
#define TESELAS_TESTS_FUZZ_GEOM_H

#include "geom/geom.h"

/* A decoder under test, with the SRID it read (4326 for a format that has none). */
typedef err_code (*fuzz_geom_decode_fn)(const uint8_t *data, size_t size, arena *a,
                                        geom *out_g, int32_t *out_srid);
/* A check of its own that a target runs on every decoded geometry. */
typedef void (*fuzz_geom_check_fn)(const geom *g);

/* Decodes data (skipped past 1 MiB: the decoders are linear, longer inputs only slow the fuzzer)
 * in an arena with a small cap, as a request's, and checks:
 *  - the result code is OK, INVALID or NOMEM, the ones the decoders document;
 *  - on OK, the layout of geom.h with finite coordinates; geom_to_tile for tile 0/0/0 and a z14
 *    tile over León gives valid MVT geometries inside the buffered tile (MVT 2.1 §4.3);
 *    geom_blob_encode then geom_blob_decode gives the same geometry and SRID; and check, if any;
 *  - under a 512-byte arena the decoder gives the same result, or NOMEM where it gave OK: the
 *    two-pass decoders validate everything before they allocate, so the cap may not change
 *    what is valid. */
void fuzz_geom_run(fuzz_geom_decode_fn decode, const uint8_t *data, size_t size,
                   fuzz_geom_check_fn check);

/* Aborts unless a and b are the same geometry: type, multi flag, offsets, coordinates bit for
 * bit. */
void fuzz_geom_expect_same(const geom *a, const geom *b);

#endif
