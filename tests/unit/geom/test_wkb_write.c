/* The one WKB writer (geom/wkb.h), read back by GDAL/OGR, an independent WKB reader: each
 * geometry must come out as the ISO WKT written here by hand from the same coordinates. */
#include <cpl_conv.h>
#include <ogr_api.h>

#include "check.h"
#include "geom/wkb.h"

static void expect_wkt(const buf *b, const char *want) {
  OGRGeometryH g = NULL;
  assert_int_equal(OGR_G_CreateFromWkb(b->data, NULL, &g, (int)b->len), OGRERR_NONE);
  assert_int_equal(OGR_G_WkbSize(g), (int)b->len); /* nothing left over */
  char *wkt = NULL;
  assert_int_equal(OGR_G_ExportToIsoWkt(g, &wkt), OGRERR_NONE);
  assert_string_equal(wkt, want);
  CPLFree(wkt);
  OGR_G_DestroyGeometry(g);
}

static void encodes_flat_geometries(void **state) {
  (void)state;
  buf b;
  buf_init(&b, 0);
  /* two polygons, the first with a hole: stays multi */
  map_pt mp[] = {{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0},
                 {2, 2}, {2, 4}, {4, 4}, {4, 2}, {2, 2},
                 {20, 20}, {30, 20}, {30, 30}, {20, 20}};
  uint32_t mp_parts[] = {5, 10, 14}, mp_polys[] = {2, 3};
  geom g = {GEOM_POLYGON, false, mp, mp_parts, mp_polys, 14, 3, 2};
  assert_true(geom_wkb_encode(&b, &g));
  expect_wkt(&b, "MULTIPOLYGON (((0 0,10 0,10 10,0 10,0 0),(2 2,2 4,4 4,4 2,2 2)),"
                 "((20 20,30 20,30 30,20 20)))");
  /* one line, declared multi in its source */
  map_pt ln[] = {{-101.5, 21.125}, {-101.25, 21.0625}};
  uint32_t ln_parts[] = {2};
  geom l = {GEOM_LINESTRING, true, ln, ln_parts, NULL, 2, 1, 0};
  buf_reset(&b);
  assert_true(geom_wkb_encode(&b, &l));
  expect_wkt(&b, "MULTILINESTRING ((-101.5 21.125,-101.25 21.0625))");
  /* a single line and a single point stay single */
  l.multi = false;
  buf_reset(&b);
  assert_true(geom_wkb_encode(&b, &l));
  expect_wkt(&b, "LINESTRING (-101.5 21.125,-101.25 21.0625)");
  uint32_t pt_parts[] = {1};
  geom p = {GEOM_POINT, false, ln, pt_parts, NULL, 1, 1, 0};
  buf_reset(&b);
  assert_true(geom_wkb_encode(&b, &p));
  expect_wkt(&b, "POINT (-101.5 21.125)");
  /* two points: a multipoint */
  uint32_t mpt_parts[] = {2};
  geom mpt = {GEOM_POINT, false, ln, mpt_parts, NULL, 2, 1, 0};
  buf_reset(&b);
  assert_true(geom_wkb_encode(&b, &mpt));
  expect_wkt(&b, "MULTIPOINT ((-101.5 21.125),(-101.25 21.0625))");
  /* empty: nothing to write */
  geom empty = {GEOM_NONE, false, NULL, NULL, NULL, 0, 0, 0};
  assert_false(geom_wkb_encode(&b, &empty));
  buf_free(&b);
}

static void writes_pieces_by_hand(void **state) {
  (void)state;
  buf b;
  buf_init(&b, 0);
  const double ring[] = {0, 0, 1, 0, 1, 1, 0, 0};
  geom_wkb_header(&b, GEOM_WKB_POLYGON);
  geom_wkb_u32(&b, 1);
  geom_wkb_coords(&b, ring, 4);
  expect_wkt(&b, "POLYGON ((0 0,1 0,1 1,0 0))");
  buf_reset(&b);
  geom_wkb_point(&b, 0.1, -0.2);
  expect_wkt(&b, "POINT (0.1 -0.2)");
  buf_free(&b);
}

static void failure_sticks_in_the_buffer(void **state) {
  (void)state;
  buf b;
  buf_init(&b, 8); /* a byte limit smaller than one point */
  map_pt pt[] = {{1, 2}};
  uint32_t parts[] = {1};
  geom p = {GEOM_POINT, false, pt, parts, NULL, 1, 1, 0};
  assert_false(geom_wkb_encode(&b, &p));
  assert_true(b.failed);
  buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(encodes_flat_geometries),
      cmocka_unit_test(writes_pieces_by_hand),
      cmocka_unit_test(failure_sticks_in_the_buffer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
