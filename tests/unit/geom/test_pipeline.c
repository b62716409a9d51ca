/* geom_to_tile end to end, and fault injection: whichever allocation of the pipeline fails, the
 * result is ERR_NOMEM and destroying the arena frees everything (ASan checks the leak side). */
#include "geom_fixture.h"

static const geom_tile_id LEON_Z12 = {12, 891, 1802};

static geom_tile_opts opts(geom_tile_id t, double tolerance) {
  return (geom_tile_opts){t, GEOM_SRS_LONLAT, 4096, 64, tolerance};
}

static int64_t area2(const tile_pt *r, uint32_t n) {
  int64_t s = 0;
  for (uint32_t i = 0; i < n; i++) {
    tile_pt a = r[i], b = r[(i + 1) % n];
    s += (int64_t)a.x * b.y - (int64_t)b.x * a.y;
  }
  return s;
}

static void point_in_leon(void **state) {
  arena *a = arena_create(0);
  map_pt p[] = {{-101.68, 21.12}};
  uint32_t part[] = {1};
  geom g = FX_POINTS(p, part);
  tile_geom t;
  geom_tile_opts o = opts(LEON_Z12, 0);
  assert_int_equal(geom_to_tile(&g, &o, a, &t, NULL), ERR_OK);
  assert_int_equal(t.type, GEOM_POINT);
  assert_int_equal(t.n_pts, 1);
  fx_assert_tile_pts(t.pts, (tile_pt[]){{441, 275}}, 1);
  arena_destroy(a);
}

static void polygon_covering_the_tile(void **state) {
  /* Wound clockwise in lon/lat (y up), as a shapefile would: must come out clockwise on screen
   * (positive area), clipped to the buffered tile. */
  arena *a = arena_create(0);
  map_pt p[] = {{-100, 19}, {-100, 21}, {-98, 21}, {-98, 19}, {-100, 19}};
  uint32_t parts[] = {5}, polys[] = {1};
  geom g = FX_POLYS(p, parts, polys);
  tile_geom t;
  geom_tile_opts o = opts((geom_tile_id){10, 229, 453}, 1);
  assert_int_equal(geom_to_tile(&g, &o, a, &t, NULL), ERR_OK);
  assert_int_equal(t.n_polys, 1);
  assert_int_equal(t.n_parts, 1);
  assert_int_equal(t.n_pts, 4);
  assert_true(area2(t.pts, 4) > 0);
  for (uint32_t i = 0; i < 4; i++) {
    assert_true(t.pts[i].x == -64 || t.pts[i].x == 4160);
    assert_true(t.pts[i].y == -64 || t.pts[i].y == 4160);
  }
  arena_destroy(a);
}

static void hole_comes_out_negative(void **state) {
  arena *a = arena_create(0);
  /* Exterior counter-clockwise in lon/lat, hole clockwise (GeoJSON's convention), inside the
   * León tile. */
  geom_bbox b = geom_tile_bounds_lonlat(LEON_Z12);
  double w = b.max_x - b.min_x, h = b.max_y - b.min_y;
  map_pt p[] = {{b.min_x + 0.1 * w, b.min_y + 0.1 * h}, {b.min_x + 0.9 * w, b.min_y + 0.1 * h},
                {b.min_x + 0.9 * w, b.min_y + 0.9 * h}, {b.min_x + 0.1 * w, b.min_y + 0.9 * h},
                {b.min_x + 0.1 * w, b.min_y + 0.1 * h},
                {b.min_x + 0.4 * w, b.min_y + 0.4 * h}, {b.min_x + 0.4 * w, b.min_y + 0.6 * h},
                {b.min_x + 0.6 * w, b.min_y + 0.6 * h}, {b.min_x + 0.6 * w, b.min_y + 0.4 * h},
                {b.min_x + 0.4 * w, b.min_y + 0.4 * h}};
  uint32_t parts[] = {5, 10}, polys[] = {2};
  geom g = FX_POLYS(p, parts, polys);
  tile_geom t;
  geom_tile_opts o = opts(LEON_Z12, 0.5);
  assert_int_equal(geom_to_tile(&g, &o, a, &t, NULL), ERR_OK);
  assert_int_equal(t.n_parts, 2);
  assert_true(area2(t.pts, 4) > 0);
  assert_true(area2(t.pts + 4, 4) < 0);
  arena_destroy(a);
}

static void outside_is_rejected_before_any_work(void **state) {
  arena *a = arena_create(0);
  map_pt p[] = {{10, 10}, {11, 11}};
  uint32_t parts[] = {2};
  geom g = FX_LINES(p, parts);
  tile_geom t;
  geom_tile_opts o = opts(LEON_Z12, 0);
  assert_int_equal(geom_to_tile(&g, &o, a, &t, NULL), ERR_OK);
  assert_int_equal(t.n_pts, 0);
  assert_int_equal(arena_used(a), 0);
  arena_destroy(a);
}

static void mercator_input_gives_the_same_tile(void **state) {
  arena *a = arena_create(0);
  map_pt ll[] = {{-101.70, 21.10}, {-101.66, 21.13}, {-101.60, 21.14}};
  map_pt m[3];
  for (int i = 0; i < 3; i++) m[i] = geom_lonlat_to_merc(ll[i]);
  uint32_t parts[] = {3};
  geom g1 = FX_LINES(ll, parts), g2 = FX_LINES(m, parts);
  geom_tile_opts o = opts(LEON_Z12, 0);
  tile_geom t1, t2;
  assert_int_equal(geom_to_tile(&g1, &o, a, &t1, NULL), ERR_OK);
  o.srs = GEOM_SRS_MERC;
  assert_int_equal(geom_to_tile(&g2, &o, a, &t2, NULL), ERR_OK);
  assert_int_equal(t1.n_pts, t2.n_pts);
  assert_true(t1.n_pts >= 2);
  fx_assert_tile_pts(t1.pts, t2.pts, t1.n_pts);
  arena_destroy(a);
}

static void tiny_polygon_vanishes(void **state) {
  arena *a = arena_create(0);
  map_pt p[] = {{-101.68, 21.12}, {-101.68, 21.12001}, {-101.67999, 21.12001},
                {-101.68, 21.12}};
  uint32_t parts[] = {4}, polys[] = {1};
  geom g = FX_POLYS(p, parts, polys);
  tile_geom t;
  geom_tile_opts o = opts((geom_tile_id){5, 6, 14}, 1);
  assert_int_equal(geom_to_tile(&g, &o, a, &t, NULL), ERR_OK);
  assert_int_equal(t.n_pts, 0);
  arena_destroy(a);
}

static void bad_options_are_invalid(void **state) {
  arena *a = arena_create(0);
  map_pt p[] = {{0, 0}};
  uint32_t part[] = {1};
  geom g = FX_POINTS(p, part);
  tile_geom t;
  err e;
  geom_tile_opts o = opts((geom_tile_id){3, 8, 0}, 0);
  assert_int_equal(geom_to_tile(&g, &o, a, &t, &e), ERR_INVALID);
  o = opts(LEON_Z12, -1);
  assert_int_equal(geom_to_tile(&g, &o, a, &t, &e), ERR_INVALID);
  o = opts(LEON_Z12, NAN);
  assert_int_equal(geom_to_tile(&g, &o, a, &t, &e), ERR_INVALID);
  o = opts(LEON_Z12, 0);
  o.extent = 0;
  assert_int_equal(geom_to_tile(&g, &o, a, &t, &e), ERR_INVALID);
  o = opts(LEON_Z12, 0);
  o.srs = (geom_srs)32614;
  assert_int_equal(geom_to_tile(&g, &o, a, &t, &e), ERR_INVALID);
  arena_destroy(a);
}

/* A multipolygon with a hole across the buffered tile's edge, so that every stage allocates,
 * the seam repair included (the cut hole becomes a notch of its exterior). */
static err_code run(arena *a, tile_geom *out) {
  geom_bbox b = geom_tile_bounds_lonlat(LEON_Z12);
  double w = b.max_x - b.min_x, h = b.max_y - b.min_y;
  map_pt p[] = {{b.min_x - w, b.min_y + 0.2 * h}, {b.min_x + 0.5 * w, b.min_y + 0.2 * h},
                {b.min_x + 0.5 * w, b.min_y + 0.8 * h}, {b.min_x - w, b.min_y + 0.8 * h},
                {b.min_x - w, b.min_y + 0.2 * h},
                {b.min_x - 0.1 * w, b.min_y + 0.4 * h}, {b.min_x - 0.1 * w, b.min_y + 0.6 * h},
                {b.min_x + 0.1 * w, b.min_y + 0.6 * h}, {b.min_x + 0.1 * w, b.min_y + 0.4 * h},
                {b.min_x - 0.1 * w, b.min_y + 0.4 * h},
                {b.min_x + 0.7 * w, b.min_y + 0.7 * h}, {b.min_x + 0.8 * w, b.min_y + 0.7 * h},
                {b.min_x + 0.8 * w, b.min_y + 0.75 * h}, {b.min_x + 0.7 * w, b.min_y + 0.7 * h}};
  uint32_t parts[] = {5, 10, 14}, polys[] = {2, 3};
  geom g = FX_POLYS(p, parts, polys);
  geom_tile_opts o = opts(LEON_Z12, 0.5);
  return geom_to_tile(&g, &o, a, out, NULL);
}

static void every_allocation_failure_is_clean(void **state) {
  arena *base = arena_create(0);
  tile_geom want;
  assert_int_equal(run(base, &want), ERR_OK);
  assert_int_equal(want.n_polys, 2);
  assert_int_equal(want.n_parts, 2); /* the hole the edge cut is a notch now, not a ring */
  size_t n;
  for (n = 1;; n++) {
    arena *a = arena_create(0);
    arena_fail_after(a, n);
    tile_geom got;
    err_code rc = run(a, &got);
    if (rc == ERR_OK) {
      assert_int_equal(got.n_pts, want.n_pts);
      fx_assert_tile_pts(got.pts, want.pts, want.n_pts);
      fx_assert_ends(got.part_end, want.part_end, want.n_parts);
      arena_destroy(a);
      break;
    }
    assert_int_equal(rc, ERR_NOMEM);
    assert_int_equal(got.n_pts, 0);
    arena_destroy(a);
  }
  assert_true(n > 20); /* project, two clip passes, simplify, quantize and the repair allocate */
  arena_destroy(base);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(point_in_leon),
      cmocka_unit_test(polygon_covering_the_tile),
      cmocka_unit_test(hole_comes_out_negative),
      cmocka_unit_test(outside_is_rejected_before_any_work),
      cmocka_unit_test(mercator_input_gives_the_same_tile),
      cmocka_unit_test(tiny_polygon_vanishes),
      cmocka_unit_test(bad_options_are_invalid),
      cmocka_unit_test(every_allocation_failure_is_clean),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
