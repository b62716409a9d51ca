/* geom_quantize: rounding, repeated points, degenerate lines and rings, and winding as MVT 2.1
 * §4.3.4.4 defines it (y down: exterior positive area = clockwise on screen, holes negative). */
#include "geom_fixture.h"

typedef struct fixture {
  arena *a;
} fixture;

static int setup(void **state) {
  static fixture f;
  f.a = arena_create(0);
  *state = &f;
  return 0;
}

static int teardown(void **state) {
  arena_destroy(((fixture *)*state)->a);
  return 0;
}

static arena *A(void **state) { return ((fixture *)*state)->a; }

static void ccw_exterior_is_reversed(void **state) {
  /* (0,0) -> (0,10) -> (10,10) -> (10,0): counter-clockwise with y down, area -100. */
  map_pt p[] = {{0, 0}, {0, 10}, {10, 10}, {10, 0}, {0, 0}};
  uint32_t parts[] = {5}, polys[] = {1};
  geom g = FX_POLYS(p, parts, polys);
  tile_geom t;
  assert_int_equal(geom_quantize(&g, A(state), &t, NULL), ERR_OK);
  assert_int_equal(t.n_pts, 4); /* open ring: no closing point */
  fx_assert_tile_pts(t.pts, (tile_pt[]){{0, 0}, {10, 0}, {10, 10}, {0, 10}}, 4);
}

static void cw_exterior_and_hole_orientation(void **state) {
  /* Exterior already clockwise (kept); the hole is also clockwise, so it is reversed. */
  map_pt p[] = {{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0},
                {2, 2}, {4, 2}, {4, 4}, {2, 4}, {2, 2}};
  uint32_t parts[] = {5, 10}, polys[] = {2};
  geom g = FX_POLYS(p, parts, polys);
  tile_geom t;
  assert_int_equal(geom_quantize(&g, A(state), &t, NULL), ERR_OK);
  assert_int_equal(t.n_polys, 1);
  fx_assert_ends(t.part_end, (uint32_t[]){4, 8}, 2);
  fx_assert_tile_pts(t.pts, (tile_pt[]){{0, 0}, {10, 0}, {10, 10}, {0, 10},
                                        {2, 2}, {2, 4}, {4, 4}, {4, 2}}, 8);
}

static void zero_area_rings_dropped(void **state) {
  /* Polygon 1: exterior collinear (zero area): gone, with its hole. Polygon 2: its hole rounds
   * to a line (zero area) and goes; the exterior stays. */
  map_pt p[] = {{0, 0},  {5, 0},  {10, 0},   {0, 0},
                {1, 0},  {2, 0},  {2, 0.2},  {1, 0},
                {20, 0}, {30, 0}, {30, 10},  {20, 10}, {20, 0},
                {22, 2}, {28, 2}, {28, 2.3}, {22, 2}};
  uint32_t parts[] = {4, 8, 13, 17}, polys[] = {2, 4};
  geom g = FX_POLYS(p, parts, polys);
  tile_geom t;
  assert_int_equal(geom_quantize(&g, A(state), &t, NULL), ERR_OK);
  assert_int_equal(t.n_polys, 1);
  assert_int_equal(t.n_parts, 1);
  assert_int_equal(t.poly_end[0], 1);
  fx_assert_tile_pts(t.pts, (tile_pt[]){{20, 0}, {30, 0}, {30, 10}, {20, 10}}, 4);
}

static void hole_of_vanished_exterior_dropped(void **state) {
  /* The exterior rounds to a point; the hole (bigger, which is nonsense, but possible after
   * clipping and rounding) must not be promoted to an exterior. */
  map_pt p[] = {{0, 0}, {0.2, 0}, {0.2, 0.2}, {0, 0.2}, {0, 0},
                {2, 2}, {2, 8}, {8, 8}, {8, 2}, {2, 2}};
  uint32_t parts[] = {5, 10}, polys[] = {2};
  geom g = FX_POLYS(p, parts, polys);
  tile_geom t;
  assert_int_equal(geom_quantize(&g, A(state), &t, NULL), ERR_OK);
  assert_int_equal(t.n_pts, 0);
  assert_int_equal(t.n_parts, 0);
  assert_int_equal(t.n_polys, 0);
}

static void repeated_points_and_degenerate_lines(void **state) {
  map_pt p[] = {{0, 0}, {0.2, 0.1}, {1, 1}, {1.4, 1.4}, {2.6, 3},
                {5.1, 5.1}, {5.2, 4.9}};
  uint32_t parts[] = {5, 7};
  geom g = FX_LINES(p, parts);
  tile_geom t;
  assert_int_equal(geom_quantize(&g, A(state), &t, NULL), ERR_OK);
  assert_int_equal(t.n_parts, 1); /* the second line collapsed to one point */
  assert_int_equal(t.n_pts, 3);
  fx_assert_tile_pts(t.pts, (tile_pt[]){{0, 0}, {1, 1}, {3, 3}}, 3);
}

static void rounds_half_away_from_zero(void **state) {
  map_pt p[] = {{-0.5, 0.5}, {-1.49, 2.5}};
  uint32_t part[] = {2};
  geom g = FX_POINTS(p, part);
  tile_geom t;
  assert_int_equal(geom_quantize(&g, A(state), &t, NULL), ERR_OK);
  fx_assert_tile_pts(t.pts, (tile_pt[]){{-1, 1}, {-1, 3}}, 2);
}

/* The grid's rounding is libm's round() on every x that can reach it: halves, their neighbours
 * one ulp away, large values near 2^28 and small ones near zero, on both sides of zero. As points
 * (no repeated-point skip), so each rounded value is seen. */
static void rounds_as_libm(void **state) {
  enum { N = 7 * 2 * 3 };
  static map_pt p[N];
  double base[] = {0.5, 1.5, 2.5, 1000000.5, 268435455.5, 0.49999999999999994, 3.0};
  uint32_t n = 0;
  for (size_t k = 0; k < sizeof base / sizeof *base; k++)
    for (int sign = -1; sign <= 1; sign += 2)
      for (int d = -1; d <= 1; d++) {
        double x = sign * base[k];
        if (d) x = nextafter(x, d * INFINITY);
        p[n].x = x;
        p[n].y = 2.0 * n; /* apart, so no point repeats the one before */
        n++;
      }
  uint32_t part[] = {n};
  geom g = {GEOM_POINT, false, p, part, NULL, n, 1, 0};
  tile_geom t;
  assert_int_equal(geom_quantize(&g, A(state), &t, NULL), ERR_OK);
  assert_int_equal(t.n_pts, n);
  for (uint32_t i = 0; i < n; i++) {
    if (t.pts[i].x != (int32_t)round(p[i].x) || t.pts[i].y != (int32_t)round(p[i].y)) {
      print_error("%.17g, %.17g: got (%d, %d), round() (%.0f, %.0f)\n", p[i].x, p[i].y,
                  t.pts[i].x, t.pts[i].y, round(p[i].x), round(p[i].y));
      fail();
    }
  }
}

static void out_of_grid_is_invalid(void **state) {
  map_pt p[] = {{1e12, 0}};
  uint32_t part[] = {1};
  geom g = FX_POINTS(p, part);
  tile_geom t;
  err e;
  assert_int_equal(geom_quantize(&g, A(state), &t, &e), ERR_INVALID);
  p[0].x = NAN;
  assert_int_equal(geom_quantize(&g, A(state), &t, &e), ERR_INVALID);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ccw_exterior_is_reversed),
      cmocka_unit_test(cw_exterior_and_hole_orientation),
      cmocka_unit_test(zero_area_rings_dropped),
      cmocka_unit_test(hole_of_vanished_exterior_dropped),
      cmocka_unit_test(repeated_points_and_degenerate_lines),
      cmocka_unit_test(rounds_half_away_from_zero),
      cmocka_unit_test(rounds_as_libm),
      cmocka_unit_test(out_of_grid_is_invalid),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
