/* Unit tests of the seed's tile walk: for boxes of several sizes and places, the walk yields
 * exactly the tiles of the box at each zoom (checked against a plain double loop over the
 * columns and rows the same box gives by the Web Mercator formulas) in strictly increasing
 * PMTiles tile id, which the archive writer requires. */
#include "check.h"

#include <math.h>

#include "archive/pmtiles.h"
#include "seed/seed.h"

static uint32_t col(double lon, unsigned z) {
  double v = floor((lon + 180) / 360 * (1 << z));
  return v < 0 ? 0 : v > (1 << z) - 1 ? (1u << z) - 1 : (uint32_t)v;
}
static uint32_t row(double lat, unsigned z) {
  double r = lat * M_PI / 180;
  double v = floor((1 - asinh(tan(r)) / M_PI) / 2 * (1 << z));
  return v < 0 ? 0 : v > (1 << z) - 1 ? (1u << z) - 1 : (uint32_t)v;
}

static void walk_matches_box(void **state) {
  const double boxes[][4] = {{-101.86, 20.97, -101.50, 21.28},   /* León */
                             {-99.40, 19.00, -98.80, 19.60},     /* CDMX */
                             {-180, -85.05, 180, 85.05},         /* the world */
                             {0.0, 0.0, 0.001, 0.001},           /* one tile at each zoom */
                             {170, -50, 180, -40}};              /* at the antimeridian */
  for (size_t b = 0; b < sizeof boxes / sizeof *boxes; b++) {
    seed_range r;
    /* one tile a zoom down to z24: the walk's orientation table holds at every depth */
    seed_range_init(&r, 0, b == 2 ? 7 : b == 3 ? 24 : 12, boxes[b]);
    seed_iter it;
    seed_iter_init(&it, &r);
    unsigned z;
    uint32_t x, y;
    uint64_t id, prev = 0, n = 0, expect = 0;
    while (seed_iter_next(&it, &z, &x, &y, &id)) {
      if (n) assert_true(id > prev);
      uint64_t check;
      assert_true(pmtiles_zxy_to_id(z, x, y, &check));
      assert_int_equal(check, id);
      assert_true(x >= col(boxes[b][0], z) && x <= col(boxes[b][2], z));
      assert_true(y >= row(boxes[b][3], z) && y <= row(boxes[b][1], z));
      prev = id;
      n++;
    }
    for (unsigned zz = 0; zz <= (unsigned)r.maxzoom; zz++)
      expect += (uint64_t)(col(boxes[b][2], zz) - col(boxes[b][0], zz) + 1) *
                (row(boxes[b][1], zz) - row(boxes[b][3], zz) + 1);
    assert_int_equal(n, expect);
    assert_int_equal(seed_range_count(&r), expect);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(walk_matches_box)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
