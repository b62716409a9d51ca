/* geom_untangle on rings as geom_quantize leaves them (open, exteriors of positive area), judged by
 * GEOS (GEOSisValid_r): a spike that rounding folded onto itself, a corner cut across another edge
 * (two lobes joined by a crossing), a twist, a lobe touching its ring at a vertex, a vertex lying on another edge, valid polygons
 * left as they are, and every allocation failure. The rectangle is -64..4160 (a buffered tile). */
#include <geos_c.h>
#include <stdlib.h>

#include "geom/geom_int.h"
#include "geom_fixture.h"

static const tile_pt LO = {-64, -64}, HI = {4160, 4160};
static GEOSContextHandle_t G;

static int setup(void **state) {
  G = GEOS_init_r();
  return G ? 0 : -1;
}

static int teardown(void **state) {
  GEOS_finish_r(G);
  return 0;
}

static GEOSGeometry *to_geos(const tile_geom *t) {
  GEOSGeometry **polys = calloc(t->n_polys + 1, sizeof *polys);
  for (uint32_t j = 0; j < t->n_polys; j++) {
    uint32_t r0 = geom_part_start(t->poly_end, j), r1 = t->poly_end[j];
    GEOSGeometry *shell = NULL, *holes[16];
    for (uint32_t i = r0; i < r1; i++) {
      uint32_t s = geom_part_start(t->part_end, i), n = t->part_end[i] - s;
      GEOSCoordSequence *cs = GEOSCoordSeq_create_r(G, n + 1, 2);
      for (uint32_t k = 0; k <= n; k++)
        GEOSCoordSeq_setXY_r(G, cs, k, t->pts[s + k % n].x, t->pts[s + k % n].y);
      GEOSGeometry *ring = GEOSGeom_createLinearRing_r(G, cs);
      if (i == r0) shell = ring;
      else holes[i - r0 - 1] = ring;
    }
    polys[j] = GEOSGeom_createPolygon_r(G, shell, holes, r1 - r0 - 1);
  }
  GEOSGeometry *m = GEOSGeom_createCollection_r(G, GEOS_MULTIPOLYGON, polys, t->n_polys);
  free(polys);
  return m;
}

static bool valid(const tile_geom *t) {
  GEOSGeometry *g = to_geos(t);
  char v = GEOSisValid_r(G, g);
  GEOSGeom_destroy_r(G, g);
  return v == 1;
}

static double area(const tile_geom *t) {
  double s = 0;
  for (uint32_t i = 0; i < t->n_parts; i++) {
    uint32_t b = geom_part_start(t->part_end, i);
    s += geom_ring_area2(t->pts + b, t->part_end[i] - b) / 2.0;
  }
  return s;
}

/* One polygon of one ring from n points, oriented as an exterior (positive area). */
static tile_geom one_ring(arena *a, const tile_pt *p, uint32_t n) {
  tile_geom t = {.type = GEOM_POLYGON, .n_pts = n, .n_parts = 1, .n_polys = 1};
  t.pts = arena_alloc(a, n * sizeof *t.pts);
  t.part_end = arena_alloc(a, sizeof *t.part_end);
  t.poly_end = arena_alloc(a, sizeof *t.poly_end);
  bool rev = geom_ring_area2(p, n) < 0;
  for (uint32_t i = 0; i < n; i++) t.pts[i] = p[rev ? (n - i) % n : i];
  t.part_end[0] = n;
  t.poly_end[0] = 1;
  return t;
}

/* Untangles the ring; the result is valid and keeps at least min_area of it. */
static tile_geom check(arena *a, const tile_pt *p, uint32_t n, double min_area) {
  tile_geom in = one_ring(a, p, n), out;
  assert_false(valid(&in)); /* the case is a real defect */
  err e;
  assert_int_equal(geom_untangle(&in, LO, HI, a, &out, &e), ERR_OK);
  assert_true(out.n_polys >= 1);
  if (!valid(&out)) fail_msg("still invalid for GEOS");
  if (area(&out) < min_area) fail_msg("area %g < %g, %u polygons", area(&out), min_area, out.n_polys);
  return out;
}

static void spike_loses_its_tip(void **state) {
  arena *a = arena_create(1 << 20);
  /* Sudan at z2: x = 1546 goes down to 3699 and back up to 3663 */
  const tile_pt p[] = {{1500, 3600}, {1559, 3609}, {1546, 3658}, {1546, 3699}, {1546, 3663},
                       {1539, 3662}, {1500, 3660}};
  tile_geom out = check(a, p, 7, 2000);
  assert_int_equal(out.n_pts, 6);
  arena_destroy(a);
}

static void lobe_across_an_edge_is_kept(void **state) {
  arena *a = arena_create(1 << 20);
  /* Western Sahara at z0: edge (1906, 1757)-(1918, 1730) cuts across (1949, 1743)-(1912, 1742) */
  const tile_pt p[] = {{1949, 1720}, {1949, 1743}, {1912, 1742}, {1912, 1774}, {1902, 1775},
                       {1899, 1782}, {1901, 1800}, {1856, 1799}, {1854, 1804}, {1854, 1798},
                       {1880, 1797}, {1886, 1787}, {1890, 1770}, {1906, 1757}, {1918, 1730},
                       {1937, 1731}, {1948, 1727}};
  tile_geom out = check(a, p, 17, 970); /* the body (765) and the north-east lobe (209.5) */
  assert_int_equal(out.n_polys, 2);
  arena_destroy(a);
}

static void lobe_touching_at_a_vertex_is_a_polygon(void **state) {
  arena *a = arena_create(1 << 20);
  /* two squares sharing the corner (10, 10), drawn as one ring */
  const tile_pt p[] = {{0, 0}, {10, 0}, {10, 10}, {20, 10}, {20, 20}, {10, 20}, {10, 10}, {0, 10}};
  tile_geom out = check(a, p, 8, 200);
  assert_int_equal(out.n_polys, 2);
  arena_destroy(a);
}

static void vertex_on_an_edge(void **state) {
  arena *a = arena_create(1 << 20);
  /* (10, 5) lies on the edge (10, 0)-(10, 10): the lobe beyond it touches the square there */
  const tile_pt p[] = {{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 6}, {5, 6}, {10, 5}, {5, 4}, {0, 4}};
  tile_geom out = check(a, p, 9, 50);
  (void)out;
  arena_destroy(a);
}

static void twist_is_cut_off(void **state) {
  arena *a = arena_create(1 << 20);
  /* a bow tie: the small lobe is wound against the large one */
  const tile_pt p[] = {{0, 0}, {100, 0}, {100, 100}, {0, 100}, {0, 60}, {-10, 40}, {-10, 60}, {0, 40}};
  tile_geom out = check(a, p, 8, 9900);
  assert_int_equal(out.n_polys, 1);
  arena_destroy(a);
}

static void valid_polygons_are_left_alone(void **state) {
  arena *a = arena_create(1 << 20);
  const tile_pt p[] = {{0, 0}, {100, 0}, {100, 100}, {50, 40}, {0, 100}};
  tile_geom in = one_ring(a, p, 5), out;
  err e;
  assert_true(valid(&in));
  assert_int_equal(geom_untangle(&in, LO, HI, a, &out, &e), ERR_OK);
  assert_int_equal(out.n_pts, 5);
  assert_memory_equal(out.pts, in.pts, 5 * sizeof *in.pts);
  arena_destroy(a);
}

static void every_allocation_failure_is_clean(void **state) {
  const tile_pt p[] = {{0, 0}, {10, 0}, {10, 10}, {20, 10}, {20, 20}, {10, 20}, {10, 10}, {0, 10}};
  for (size_t k = 0; k < 64; k++) {
    arena *a = arena_create(1 << 20);
    tile_geom in = one_ring(a, p, 8), out;
    err e;
    arena_fail_after(a, k);
    err_code rc = geom_untangle(&in, LO, HI, a, &out, &e);
    assert_true(rc == ERR_OK || (rc == ERR_NOMEM && out.n_pts == 0));
    arena_destroy(a);
    if (rc == ERR_OK) break;
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(spike_loses_its_tip),
      cmocka_unit_test(lobe_across_an_edge_is_kept),
      cmocka_unit_test(twist_is_cut_off),
      cmocka_unit_test(lobe_touching_at_a_vertex_is_a_polygon),
      cmocka_unit_test(vertex_on_an_edge),
      cmocka_unit_test(valid_polygons_are_left_alone),
      cmocka_unit_test(every_allocation_failure_is_clean),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
