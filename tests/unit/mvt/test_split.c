/* mvt_tile_split: a tile of three layers written by our builder is cut into exactly the bytes each
 * layer alone gives (so concatenating spans rebuilds the tile), names found whatever the field
 * order; every truncation of the tile, groups, a field other than layers, a layer without a name
 * and more layers than asked are refused without reading past the input. */
#include "check.h"
#include "mvt/decode.h"
#include "mvt/mvt.h"

static void one_layer(const char *name, int32_t x, buf *out) {
  mvt_layer *l = NULL;
  assert_int_equal(mvt_layer_create(name, 4096, 0, &l, NULL), ERR_OK);
  tile_pt pts[] = {{x, 6}};
  uint32_t one[] = {1};
  tile_geom g = {.type = GEOM_POINT, .pts = pts, .part_end = one, .n_pts = 1, .n_parts = 1};
  bool kept = false;
  mvt_feature f = {.has_id = true, .id = 7, .geom = &g};
  assert_int_equal(mvt_layer_add_feature(l, &f, &kept, NULL), ERR_OK);
  assert_int_equal(mvt_layer_finish(l, out, NULL), ERR_OK);
  mvt_layer_destroy(l);
}

static void spans_are_the_layers(void **state) {
  (void)state;
  const char *names[] = {"parques", "incidentes", "rios-canales"};
  buf tile, alone[3];
  buf_init(&tile, 0);
  for (int i = 0; i < 3; i++) {
    buf_init(&alone[i], 0);
    one_layer(names[i], 10 * i, &alone[i]);
    one_layer(names[i], 10 * i, &tile);
  }
  mvt_layer_span sp[4];
  size_t n = 0;
  assert_int_equal(mvt_tile_split(tile.data, tile.len, sp, 4, &n, NULL), ERR_OK);
  assert_int_equal(n, 3);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(sp[i].field_len, alone[i].len);
    assert_memory_equal(sp[i].field, alone[i].data, alone[i].len);
    assert_int_equal(sp[i].name_len, strlen(names[i]));
    assert_memory_equal(sp[i].name, names[i], sp[i].name_len);
  }
  err e;
  assert_int_equal(mvt_tile_split(tile.data, tile.len, sp, 2, &n, &e), ERR_LIMIT);
  for (size_t cut = 1; cut < tile.len; cut++) {
    if (cut == alone[0].len || cut == alone[0].len + alone[1].len) continue; /* whole layers */
    assert_int_equal(mvt_tile_split(tile.data, cut, sp, 4, &n, &e), ERR_INVALID);
  }
  assert_int_equal(mvt_tile_split(tile.data, 0, sp, 4, &n, NULL), ERR_OK);
  assert_int_equal(n, 0);
  buf_free(&tile);
  for (int i = 0; i < 3; i++) buf_free(&alone[i]);
}

static void malformed_tiles_are_refused(void **state) {
  (void)state;
  static const uint8_t name_last[] = {0x1a, 0x07, 0x78, 0x02, 0x0a, 0x03, 'a', 'b', 'c'};
  static const uint8_t group[] = {0x1b, 0x00};                  /* field 3, wire type 3 */
  static const uint8_t other_field[] = {0x0a, 0x01, 'x'};       /* field 1 at the top */
  static const uint8_t no_name[] = {0x1a, 0x02, 0x78, 0x02};    /* a layer of version 2 only */
  static const uint8_t long_varint[] = {0x1a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                        0xff, 0xff, 0x01};
  static const uint8_t past_end[] = {0x1a, 0x7f, 0x0a};
  mvt_layer_span sp[2];
  size_t n = 0;
  assert_int_equal(mvt_tile_split(name_last, sizeof name_last, sp, 2, &n, NULL), ERR_OK);
  assert_int_equal(n, 1);
  assert_int_equal(sp[0].name_len, 3);
  assert_memory_equal(sp[0].name, "abc", 3);
  err e;
  assert_int_equal(mvt_tile_split(group, sizeof group, sp, 2, &n, &e), ERR_INVALID);
  assert_int_equal(mvt_tile_split(other_field, sizeof other_field, sp, 2, &n, &e), ERR_INVALID);
  assert_int_equal(mvt_tile_split(no_name, sizeof no_name, sp, 2, &n, &e), ERR_INVALID);
  assert_int_equal(mvt_tile_split(long_varint, sizeof long_varint, sp, 2, &n, &e), ERR_INVALID);
  assert_int_equal(mvt_tile_split(past_end, sizeof past_end, sp, 2, &n, &e), ERR_INVALID);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(spans_are_the_layers),
      cmocka_unit_test(malformed_tiles_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
