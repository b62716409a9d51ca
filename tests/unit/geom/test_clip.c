/* geom_clip_rect: lines crossing edges and re-entering, polygons over a corner and with holes,
 * trivial accept (no copy) and trivial reject. The rectangle is 0..10 on both axes. */
#include "geom_fixture.h"

static const geom_bbox R = {0, 0, 10, 10};

typedef struct fixture {
  arena *a;
} fixture;

static int setup(void **state) {
  static fixture f;
  f.a = arena_create(0);
  *state = &f;
  return f.a ? 0 : -1;
}

static int teardown(void **state) {
  arena_destroy(((fixture *)*state)->a);
  return 0;
}

static arena *A(void **state) { return ((fixture *)*state)->a; }

static void line_crossing_two_edges(void **state) {
  map_pt p[] = {{-5, 5}, {15, 5}};
  uint32_t parts[] = {2};
  geom g = FX_LINES(p, parts), out;
  assert_int_equal(geom_clip_rect(&g, R, A(state), &out, NULL), ERR_OK);
  assert_int_equal(out.n_parts, 1);
  assert_int_equal(out.n_pts, 2);
  fx_assert_map_pts(out.pts, (map_pt[]){{0, 5}, {10, 5}}, 2, 1e-12);
}

static void line_leaving_and_reentering_splits(void **state) {
  map_pt p[] = {{2, 2}, {2, 20}, {8, 20}, {8, 2}};
  uint32_t parts[] = {4};
  geom g = FX_LINES(p, parts), out;
  assert_int_equal(geom_clip_rect(&g, R, A(state), &out, NULL), ERR_OK);
  assert_int_equal(out.n_parts, 2);
  fx_assert_ends(out.part_end, (uint32_t[]){2, 4}, 2);
  fx_assert_map_pts(out.pts, (map_pt[]){{2, 2}, {2, 10}, {8, 10}, {8, 2}}, 4, 1e-12);
}

static void diagonal_line_through_a_corner_region(void **state) {
  /* Enters through the left edge and leaves through the top (y = 0) edge. */
  map_pt p[] = {{-2, 4}, {4, -2}};
  uint32_t parts[] = {2};
  geom g = FX_LINES(p, parts), out;
  assert_int_equal(geom_clip_rect(&g, R, A(state), &out, NULL), ERR_OK);
  assert_int_equal(out.n_pts, 2);
  fx_assert_map_pts(out.pts, (map_pt[]){{0, 2}, {2, 0}}, 2, 1e-12);
}

static void polygon_over_a_corner(void **state) {
  map_pt p[] = {{5, 5}, {15, 5}, {15, 15}, {5, 15}, {5, 5}};
  uint32_t parts[] = {5}, polys[] = {1};
  geom g = FX_POLYS(p, parts, polys), out;
  assert_int_equal(geom_clip_rect(&g, R, A(state), &out, NULL), ERR_OK);
  assert_int_equal(out.n_polys, 1);
  assert_int_equal(out.n_parts, 1);
  assert_int_equal(out.n_pts, 5);
  fx_assert_map_pts(out.pts, (map_pt[]){{5, 5}, {10, 5}, {10, 10}, {5, 10}, {5, 5}}, 5, 1e-12);
}

static void polygon_with_hole(void **state) {
  /* Exterior covers the rectangle, one hole inside, one hole across the right edge, one hole
   * wholly outside (it vanishes, the polygon stays). */
  map_pt p[] = {{-5, -5}, {15, -5}, {15, 15}, {-5, 15}, {-5, -5},
                {2, 2},   {2, 4},   {4, 4},   {4, 2},   {2, 2},
                {8, 6},   {8, 8},   {12, 8},  {12, 6},  {8, 6},
                {11, 1},  {11, 2},  {12, 2},  {12, 1},  {11, 1}};
  uint32_t parts[] = {5, 10, 15, 20}, polys[] = {4};
  geom g = FX_POLYS(p, parts, polys), out;
  assert_int_equal(geom_clip_rect(&g, R, A(state), &out, NULL), ERR_OK);
  assert_int_equal(out.n_polys, 1);
  assert_int_equal(out.n_parts, 3);
  fx_assert_ends(out.part_end, (uint32_t[]){5, 10, 15}, 3);
  /* Stripe clipping starts the ring where the y pass first enters: (10, 0). */
  fx_assert_map_pts(out.pts, (map_pt[]){{10, 0}, {10, 10}, {0, 10}, {0, 0}, {10, 0}}, 5, 1e-12);
  fx_assert_map_pts(out.pts + 5, p + 5, 5, 0);
  fx_assert_map_pts(out.pts + 10, (map_pt[]){{8, 6}, {8, 8}, {10, 8}, {10, 6}, {8, 6}}, 5, 1e-12);
}

static void polygon_losing_its_exterior_loses_its_holes(void **state) {
  /* Polygon 1 is inside; polygon 2 lies left of the rectangle (x < 0), so only the bbox of the
   * whole multipolygon overlaps; its hole goes with it. */
  map_pt p[] = {{1, 1},   {3, 1},   {3, 3},   {1, 3},   {1, 1},
                {-9, 0},  {-1, 0},  {-1, 9},  {-9, 9},  {-9, 0},
                {-8, 1},  {-8, 2},  {-7, 2},  {-7, 1},  {-8, 1}};
  uint32_t parts[] = {5, 10, 15}, polys[] = {1, 3};
  geom g = FX_POLYS(p, parts, polys), out;
  assert_int_equal(geom_clip_rect(&g, R, A(state), &out, NULL), ERR_OK);
  assert_int_equal(out.n_polys, 1);
  assert_int_equal(out.n_parts, 1);
  assert_int_equal(out.n_pts, 5);
}

static void trivial_accept_returns_the_same_points(void **state) {
  map_pt p[] = {{1, 1}, {9, 9}, {0, 10}};
  uint32_t parts[] = {3};
  geom g = FX_LINES(p, parts), out;
  size_t used = arena_used(A(state));
  assert_int_equal(geom_clip_rect(&g, R, A(state), &out, NULL), ERR_OK);
  assert_ptr_equal(out.pts, p);
  assert_ptr_equal(out.part_end, parts);
  assert_int_equal(out.n_pts, 3);
  assert_int_equal(arena_used(A(state)), used); /* no allocation at all */
}

static void trivial_reject_is_empty(void **state) {
  map_pt p[] = {{11, 11}, {20, 20}, {11, 20}, {11, 11}};
  uint32_t parts[] = {4}, polys[] = {1};
  geom g = FX_POLYS(p, parts, polys), out;
  assert_int_equal(geom_clip_rect(&g, R, A(state), &out, NULL), ERR_OK);
  assert_int_equal(out.n_pts, 0);
  assert_int_equal(out.n_parts, 0);
  assert_int_equal(out.n_polys, 0);
  assert_int_equal(out.type, GEOM_POLYGON);
}

static void points_outside_are_dropped(void **state) {
  map_pt p[] = {{-1, 5}, {5, 5}, {10, 10}, {11, 0}};
  uint32_t part[] = {4};
  geom g = FX_POINTS(p, part), out;
  assert_int_equal(geom_clip_rect(&g, R, A(state), &out, NULL), ERR_OK);
  assert_int_equal(out.n_pts, 2);
  assert_int_equal(out.n_parts, 1);
  assert_int_equal(out.part_end[0], 2);
  fx_assert_map_pts(out.pts, (map_pt[]){{5, 5}, {10, 10}}, 2, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(line_crossing_two_edges),
      cmocka_unit_test(line_leaving_and_reentering_splits),
      cmocka_unit_test(diagonal_line_through_a_corner_region),
      cmocka_unit_test(polygon_over_a_corner),
      cmocka_unit_test(polygon_with_hole),
      cmocka_unit_test(polygon_losing_its_exterior_loses_its_holes),
      cmocka_unit_test(trivial_accept_returns_the_same_points),
      cmocka_unit_test(trivial_reject_is_empty),
      cmocka_unit_test(points_outside_are_dropped),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
