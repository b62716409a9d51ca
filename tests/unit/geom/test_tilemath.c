/* Tile math against values computed independently (Python, the formulas of the OSM wiki "Slippy
 * map tilenames" and EPSG:3857). */
#include <math.h>

#include "geom_fixture.h"

static void bbox_near(geom_bbox got, geom_bbox want, double eps) {
  assert_true(fabs(got.min_x - want.min_x) < eps);
  assert_true(fabs(got.min_y - want.min_y) < eps);
  assert_true(fabs(got.max_x - want.max_x) < eps);
  assert_true(fabs(got.max_y - want.max_y) < eps);
}

static void tile_bounds_of_10_229_453(void **state) {
  geom_tile_id t = {10, 229, 453};
  bbox_near(geom_tile_bounds_lonlat(t),
            (geom_bbox){-99.4921875, 19.9733487861, -99.140625, 20.3034175185}, 1e-9);
  bbox_near(geom_tile_bounds_merc(t),
            (geom_bbox){-11075419.650409, 2269873.991957, -11036283.891927, 2309009.750439}, 1e-5);
}

static void leon_in_zoom_12(void **state) {
  /* León, Guanajuato: tile 12/891/1802, at (440.5476, 274.6629) of 4096. */
  map_pt ll = {-101.68, 21.12};
  geom_tile_id t = {12, 891, 1802};
  map_pt px = geom_lonlat_to_tile(ll, t, 4096);
  assert_true(fabs(px.x - 440.547555555) < 1e-6);
  assert_true(fabs(px.y - 274.662890497) < 1e-6);
  map_pt m = geom_lonlat_to_merc(ll);
  assert_true(fabs(m.x - -11318965.823860059) < 1e-6);
  assert_true(fabs(m.y - 2406193.071170822) < 1e-6);
  map_pt back = geom_merc_to_lonlat(m);
  assert_true(fabs(back.x - ll.x) < 1e-12 && fabs(back.y - ll.y) < 1e-12);
  map_pt px2 = geom_merc_to_tile(m, t, 4096);
  assert_true(fabs(px2.x - px.x) < 1e-6 && fabs(px2.y - px.y) < 1e-6);
}

static void tile_corners_map_to_extent(void **state) {
  geom_tile_id t = {10, 229, 453};
  geom_bbox b = geom_tile_bounds_lonlat(t);
  map_pt nw = geom_lonlat_to_tile((map_pt){b.min_x, b.max_y}, t, 4096);
  map_pt se = geom_lonlat_to_tile((map_pt){b.max_x, b.min_y}, t, 4096);
  assert_true(fabs(nw.x) < 1e-6 && fabs(nw.y) < 1e-6);
  assert_true(fabs(se.x - 4096) < 1e-6 && fabs(se.y - 4096) < 1e-6);
}

static void poles_are_clamped(void **state) {
  map_pt n = geom_lonlat_to_merc((map_pt){0, 90});
  assert_true(isfinite(n.y));
  assert_true(fabs(n.y - 20037508.342789244) < 1e-3);
  map_pt px = geom_lonlat_to_tile((map_pt){180, -90}, (geom_tile_id){0, 0, 0}, 4096);
  assert_true(fabs(px.x - 4096) < 1e-9 && fabs(px.y - 4096) < 1e-6);
}

static void tile_validation(void **state) {
  geom_tile_id t;
  err e;
  assert_int_equal(geom_tile_validate(0, 0, 0, &t, &e), ERR_OK);
  assert_int_equal(geom_tile_validate(24, (1 << 24) - 1, 0, &t, &e), ERR_OK);
  assert_int_equal(t.x, (1 << 24) - 1);
  assert_int_equal(geom_tile_validate(25, 0, 0, &t, &e), ERR_INVALID);
  assert_int_equal(geom_tile_validate(-1, 0, 0, &t, &e), ERR_INVALID);
  assert_int_equal(geom_tile_validate(3, 8, 0, &t, &e), ERR_INVALID);
  assert_int_equal(geom_tile_validate(3, 0, -1, &t, NULL), ERR_INVALID);
  assert_true(geom_tile_valid((geom_tile_id){2, 3, 3}));
  assert_false(geom_tile_valid((geom_tile_id){2, 4, 3}));
  assert_false(geom_tile_valid((geom_tile_id){31, 0, 0}));
}

static void zoom_resolution(void **state) {
  assert_true(fabs(geom_zoom_resolution(0, 256) - 156543.03392804097) < 1e-6);
  assert_true(fabs(geom_zoom_resolution(12, 512) - 156543.03392804097 / 8192) < 1e-9);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tile_bounds_of_10_229_453), cmocka_unit_test(leon_in_zoom_12),
      cmocka_unit_test(tile_corners_map_to_extent), cmocka_unit_test(poles_are_clamped),
      cmocka_unit_test(tile_validation),           cmocka_unit_test(zoom_resolution),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
