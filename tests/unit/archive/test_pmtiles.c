/* Unit tests of the PMTiles v3 format: tile ids against the values the spec's reference
 * implementation gives, ids and positions round-tripping on every tile of zooms 0-8, header and
 * directory round-trips, and hostile directories refused. */
#include "check.h"
#include "archive/pmtiles.h"

static void ids_match_reference(void **state) {
  /* zoom 1 runs (0,0) (0,1) (1,1) (1,0) along the curve; the last value is the reference's own
   * test case for a z12 tile. */
  const struct { unsigned z; uint32_t x, y; uint64_t id; } c[] = {
      {0, 0, 0, 0}, {1, 0, 0, 1}, {1, 0, 1, 2}, {1, 1, 1, 3}, {1, 1, 0, 4}, {2, 0, 0, 5},
      {12, 3423, 1763, 19078479}};
  for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
    uint64_t id;
    assert_true(pmtiles_zxy_to_id(c[i].z, c[i].x, c[i].y, &id));
    assert_int_equal(id, c[i].id);
  }
  uint64_t id;
  assert_false(pmtiles_zxy_to_id(2, 4, 0, &id));
  assert_false(pmtiles_zxy_to_id(32, 0, 0, &id));
  assert_true(pmtiles_zxy_to_id(31, 0x7fffffff, 0x7fffffff, &id));
}

static void ids_round_trip(void **state) {
  for (unsigned z = 0; z <= 8; z++) {
    uint64_t first = (((uint64_t)1 << (2 * z)) - 1) / 3; /* ids of zoom z follow the zooms before */
    for (uint32_t x = 0; x < (1u << z); x++)
      for (uint32_t y = 0; y < (1u << z); y++) {
        uint64_t id;
        assert_true(pmtiles_zxy_to_id(z, x, y, &id));
        assert_true(id >= first && id < first + ((uint64_t)1 << (2 * z)));
        unsigned z2;
        uint32_t x2, y2;
        assert_true(pmtiles_id_to_zxy(id, &z2, &x2, &y2));
        assert_int_equal(z2, z);
        assert_int_equal(x2, x);
        assert_int_equal(y2, y);
      }
  }
  unsigned z;
  uint32_t x, y;
  assert_false(pmtiles_id_to_zxy(UINT64_MAX, &z, &x, &y));
}

static void header_round_trip(void **state) {
  pmtiles_header h = {.root_offset = 127, .root_length = 300, .metadata_offset = 427,
                      .metadata_length = 50, .leaf_offset = 477, .leaf_length = 0,
                      .data_offset = 477, .data_length = 1000, .n_addressed_tiles = 9,
                      .n_tile_entries = 7, .n_tile_contents = 5, .clustered = true,
                      .internal_compression = PMTILES_COMPRESSION_GZIP,
                      .tile_compression = PMTILES_COMPRESSION_GZIP, .tile_type = PMTILES_TYPE_MVT,
                      .min_zoom = 0, .max_zoom = 14, .min_lon_e7 = -1017500000,
                      .min_lat_e7 = 210500000, .max_lon_e7 = -1015000000, .max_lat_e7 = 212000000,
                      .center_zoom = 12, .center_lon_e7 = -1016800000, .center_lat_e7 = 211200000};
  uint8_t raw[PMTILES_HEADER_LEN];
  pmtiles_header_write(&h, raw);
  pmtiles_header back;
  err e;
  assert_int_equal(pmtiles_header_read(raw, sizeof raw, 1477, &back, &e), ERR_OK);
  assert_memory_equal(&h, &back, sizeof h);
  assert_int_equal(pmtiles_header_read(raw, sizeof raw, 1476, &back, &e), ERR_INVALID);
  raw[7] = 2;
  assert_int_equal(pmtiles_header_read(raw, sizeof raw, 0, &back, &e), ERR_INVALID);
}

static void directory_round_trip(void **state) {
  const pmtiles_entry d[] = {{0, 0, 100, 1}, {1, 100, 50, 3}, {5, 10, 100, 1}, {9, 150, 20, 0}};
  buf b;
  buf_init(&b, 0);
  assert_true(pmtiles_dir_encode(d, 4, &b));
  pmtiles_entry *back;
  size_t n;
  err e;
  assert_int_equal(pmtiles_dir_decode(b.data, b.len, 100, &back, &n, &e), ERR_OK);
  assert_int_equal(n, 4);
  assert_memory_equal(d, back, sizeof d);
  assert_ptr_equal(pmtiles_dir_find(back, n, 3), &back[1]);  /* inside the run 1..3 */
  assert_null(pmtiles_dir_find(back, n, 4));                 /* after it, before 5 */
  assert_ptr_equal(pmtiles_dir_find(back, n, 1000), &back[3]); /* a leaf covers the rest */
  free(back);
  /* every truncation of a good directory is refused, never read past */
  for (size_t cut = 0; cut < b.len; cut++)
    assert_int_equal(pmtiles_dir_decode(b.data, cut, 100, &back, &n, &e), ERR_INVALID);
  /* trailing bytes, too many entries, a count larger than the bytes */
  buf_putc(&b, 0);
  assert_int_equal(pmtiles_dir_decode(b.data, b.len, 100, &back, &n, &e), ERR_INVALID);
  assert_int_equal(pmtiles_dir_decode(b.data, b.len - 1, 3, &back, &n, &e), ERR_INVALID);
  const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 1, 1, 1, 1};
  assert_int_equal(pmtiles_dir_decode(huge, sizeof huge, SIZE_MAX, &back, &n, &e), ERR_INVALID);
  /* repeated ids (a zero delta after the first entry) */
  const uint8_t repeat[] = {2, 5, 0, 1, 1, 10, 10, 1, 0};
  assert_int_equal(pmtiles_dir_decode(repeat, sizeof repeat, 100, &back, &n, &e), ERR_INVALID);
  buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(ids_match_reference),
                                     cmocka_unit_test(ids_round_trip),
                                     cmocka_unit_test(header_round_trip),
                                     cmocka_unit_test(directory_round_trip)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
