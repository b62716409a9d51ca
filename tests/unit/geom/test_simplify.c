/* geom_simplify: collinear points go, tolerance 0 keeps everything, endpoints stay, collapsed
 * rings go (with the holes of a collapsed exterior), and a long line does not need a deep stack. */
#include "geom_fixture.h"

static void collinear_points_removed(void **state) {
  arena *a = arena_create(0);
  map_pt p[] = {{0, 0}, {1, 0}, {2, 0.01}, {3, 0}, {3, 1}, {3, 2}, {3, 5}};
  uint32_t parts[] = {7};
  geom g = FX_LINES(p, parts), out;
  assert_int_equal(geom_simplify(&g, 0.5, a, &out, NULL), ERR_OK);
  assert_int_equal(out.n_parts, 1);
  assert_int_equal(out.n_pts, 3);
  fx_assert_map_pts(out.pts, (map_pt[]){{0, 0}, {3, 0}, {3, 5}}, 3, 0);
  arena_destroy(a);
}

static void tolerance_zero_keeps_all(void **state) {
  arena *a = arena_create(0);
  map_pt p[] = {{0, 0}, {1, 0}, {2, 0}, {3, 0}};
  uint32_t parts[] = {4};
  geom g = FX_LINES(p, parts), out;
  assert_int_equal(geom_simplify(&g, 0, a, &out, NULL), ERR_OK);
  assert_ptr_equal(out.pts, p);
  assert_int_equal(out.n_pts, 4);
  arena_destroy(a);
}

static void endpoints_kept_and_far_points_kept(void **state) {
  arena *a = arena_create(0);
  map_pt p[] = {{0, 0}, {5, 0.1}, {10, 3}, {15, 0.1}, {20, 0}};
  uint32_t parts[] = {2, 5};
  geom g = FX_LINES(p, parts), out;
  assert_int_equal(geom_simplify(&g, 1, a, &out, NULL), ERR_OK);
  assert_int_equal(out.n_parts, 2);
  fx_assert_ends(out.part_end, (uint32_t[]){2, 5}, 2);
  fx_assert_map_pts(out.pts, (map_pt[]){{0, 0}, {5, 0.1}, {10, 3}, {15, 0.1}, {20, 0}}, 5, 0);
  arena_destroy(a);
}

static void collapsed_rings_are_dropped(void **state) {
  arena *a = arena_create(0);
  /* Polygon 1: a sliver that simplifies to 3 points (closed), so it and its hole go.
   * Polygon 2: a square that stays; its sliver hole goes. */
  map_pt p[] = {{0, 0},   {10, 0},  {10, 0.1}, {0, 0.1}, {0, 0},
                {1, 0.02}, {2, 0.02}, {2, 0.05}, {1, 0.02},
                {20, 0},  {30, 0},  {30, 10},  {20, 10}, {20, 0},
                {22, 2},  {28, 2},  {28, 2.1}, {22, 2}};
  uint32_t parts[] = {5, 9, 14, 18}, polys[] = {2, 4};
  geom g = FX_POLYS(p, parts, polys), out;
  assert_int_equal(geom_simplify(&g, 1, a, &out, NULL), ERR_OK);
  assert_int_equal(out.n_polys, 1);
  assert_int_equal(out.n_parts, 1);
  assert_int_equal(out.n_pts, 5);
  fx_assert_map_pts(out.pts, p + 9, 5, 0);
  arena_destroy(a);
}

static void long_zigzag_is_iterative(void **state) {
  /* Every vertex matters and every split is lopsided: recursion would go n deep. */
  arena *a = arena_create(0);
  uint32_t n = 10000;
  map_pt *p = arena_alloc(a, n * sizeof *p);
  for (uint32_t i = 0; i < n; i++) p[i] = (map_pt){i, (i % 2) * 10.0};
  uint32_t parts[] = {n};
  geom g = {GEOM_LINESTRING, false, p, parts, NULL, n, 1, 0}, out;
  assert_int_equal(geom_simplify(&g, 1, a, &out, NULL), ERR_OK);
  assert_int_equal(out.n_pts, n);
  arena_destroy(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(collinear_points_removed),
      cmocka_unit_test(tolerance_zero_keeps_all),
      cmocka_unit_test(endpoints_kept_and_far_points_kept),
      cmocka_unit_test(collapsed_rings_are_dropped),
      cmocka_unit_test(long_zigzag_is_iterative),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
