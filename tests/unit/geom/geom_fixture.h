/* geom_fixture.h — geometries from literals, and comparisons, for the tests of geom/. */
#ifndef TESELAS_TESTS_GEOM_FIXTURE_H
#define TESELAS_TESTS_GEOM_FIXTURE_H

#include <math.h>

#include "check.h"
#include "geom/geom.h"

#define FX_N(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* Geometries over caller arrays (compound literals or locals); nothing to free. */
#define FX_POINTS(pts, part) \
  ((geom){GEOM_POINT, false, (pts), (part), NULL, FX_N(pts), 1, 0})
#define FX_LINES(pts, parts) \
  ((geom){GEOM_LINESTRING, false, (pts), (parts), NULL, FX_N(pts), FX_N(parts), 0})
#define FX_POLYS(pts, parts, polys) \
  ((geom){GEOM_POLYGON, false, (pts), (parts), (polys), FX_N(pts), FX_N(parts), FX_N(polys)})

static inline void fx_assert_map_pts(const map_pt *got, const map_pt *want, uint32_t n,
                                     double eps) {
  for (uint32_t i = 0; i < n; i++) {
    if (fabs(got[i].x - want[i].x) > eps || fabs(got[i].y - want[i].y) > eps) {
      print_error("point %u: got (%.9g, %.9g), want (%.9g, %.9g)\n", i, got[i].x, got[i].y,
                  want[i].x, want[i].y);
      fail();
    }
  }
}

static inline void fx_assert_tile_pts(const tile_pt *got, const tile_pt *want, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (got[i].x != want[i].x || got[i].y != want[i].y) {
      print_error("point %u: got (%d, %d), want (%d, %d)\n", i, got[i].x, got[i].y, want[i].x,
                  want[i].y);
      fail();
    }
  }
}

static inline void fx_assert_ends(const uint32_t *got, const uint32_t *want, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) assert_int_equal(got[i], want[i]);
}

#endif
