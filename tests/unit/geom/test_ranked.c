/* Ranked lines (geom/ranked.c): keeping the vertices of rank > t² is Douglas-Peucker at tolerance
 * t (geom_simplify) on the same line, for any t; the blob keeps the vertices, parts and bbox; a
 * tile of a ranked line equals geom_to_tile of the same line simplified the same way; malformed
 * blobs are refused, never read past their end. */
#include "geom_fixture.h"

#include <string.h>

/* Deterministic pseudo-random numbers in [0, 1). */
static double next(uint64_t *s) {
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*s >> 11) / 9007199254740992.0;
}

/* A wiggly two-part line of n points per part around (x0, y0), step d. */
static geom wiggly(arena *a, uint64_t seed, uint32_t n, double x0, double y0, double d) {
  geom g = {.type = GEOM_LINESTRING, .multi = true, .n_pts = 2 * n, .n_parts = 2};
  g.pts = arena_alloc(a, 2 * n * sizeof *g.pts);
  g.part_end = arena_alloc(a, 2 * sizeof *g.part_end);
  for (uint32_t i = 0; i < 2 * n; i++) {
    double t = (double)(i % n);
    g.pts[i] = (map_pt){x0 + d * t + d * 0.7 * next(&seed), y0 + d * 3 * sin(t / 5) +
                                                                 d * 2 * next(&seed) * (i % 7 == 0)};
  }
  g.part_end[0] = n;
  g.part_end[1] = 2 * n;
  return g;
}

static void rank_filter_is_douglas_peucker(void **state) {
  (void)state;
  arena *a = arena_create(0);
  for (uint64_t seed = 1; seed <= 20; seed++) {
    geom g = wiggly(a, seed, 300, 10, 20, 1);
    double *rank = NULL;
    assert_int_equal(geom_rank_line(&g, a, &rank, NULL), ERR_OK);
    double tols[] = {0.01, 0.1, 0.3, 0.5, 1, 2, 5, 50};
    for (size_t k = 0; k < sizeof tols / sizeof *tols; k++) {
      geom dp;
      assert_int_equal(geom_simplify(&g, tols[k], a, &dp, NULL), ERR_OK);
      uint32_t j = 0;
      for (uint32_t i = 0; i < g.n_pts; i++) {
        if (!(rank[i] > tols[k] * tols[k])) continue;
        assert_true(j < dp.n_pts);
        assert_true(dp.pts[j].x == g.pts[i].x && dp.pts[j].y == g.pts[i].y);
        j++;
      }
      assert_int_equal(j, dp.n_pts);
    }
  }
  arena_destroy(a);
}

static void collinear_vertices_rank_zero_and_ends_infinite(void **state) {
  (void)state;
  arena *a = arena_create(0);
  map_pt p[] = {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {3, 2}};
  uint32_t parts[] = {5};
  geom g = FX_LINES(p, parts);
  double *rank = NULL;
  assert_int_equal(geom_rank_line(&g, a, &rank, NULL), ERR_OK);
  assert_true(isinf(rank[0]) && isinf(rank[4]));
  assert_true(rank[3] > 0);
  assert_true(rank[1] == 0 && rank[2] == 0);
  arena_destroy(a);
}

static void tile_of_a_ranked_line_equals_the_pipeline(void **state) {
  (void)state;
  arena *a = arena_create(0);
  buf b;
  buf_init(&b, 0);
  geom_tile_id t = {12, 891, 1802};
  geom_bbox tb = geom_tile_bounds_lonlat(t);
  for (uint64_t seed = 1; seed <= 10; seed++) {
    /* crosses the tile: clipped on both sides */
    double step = (tb.max_x - tb.min_x) / 150;
    geom ll = wiggly(a, seed, 300, tb.min_x - 50 * step, (tb.min_y + tb.max_y) / 2, step);
    geom w = ll;
    w.pts = arena_alloc(a, ll.n_pts * sizeof *w.pts);
    for (uint32_t i = 0; i < ll.n_pts; i++) w.pts[i] = geom_lonlat_to_world(ll.pts[i]);
    double *rank = NULL;
    assert_int_equal(geom_rank_line(&w, a, &rank, NULL), ERR_OK);
    assert_int_equal(geom_ranked_write(&w, rank, 0, &b), w.n_pts);
    assert_true(geom_is_ranked(b.data, b.len));
    geom_tile_opts o = {t, GEOM_SRS_LONLAT, 4096, 64, 2.0};
    geom proj;
    geom_bbox px;
    assert_int_equal(geom_ranked_project(b.data, b.len, &o, a, &proj, &px, NULL), ERR_OK);
    /* the expected tile: the same vertices (Douglas-Peucker on the whole line), then the pipeline
     * without its own simplification */
    geom kept = ll;
    kept.pts = arena_alloc(a, ll.n_pts * sizeof *kept.pts);
    kept.part_end = arena_alloc(a, ll.n_parts * sizeof *kept.part_end);
    kept.n_pts = kept.n_parts = 0;
    double tol = 2.0 / (4096.0 * 4096.0);
    for (uint32_t i = 0, part = 0; i < ll.n_pts; i++) {
      if (rank[i] > tol * tol) kept.pts[kept.n_pts++] = ll.pts[i];
      if (i + 1 == ll.part_end[part]) kept.part_end[kept.n_parts++] = kept.n_pts, part++;
    }
    tile_geom want, got;
    geom_tile_opts exact = o;
    exact.tolerance = 0;
    assert_int_equal(geom_to_tile(&kept, &exact, a, &want, NULL), ERR_OK);
    assert_int_equal(geom_projected_to_tile(&proj, &o, a, &got, NULL), ERR_OK);
    assert_true(want.n_pts > 10);
    assert_int_equal(got.n_parts, want.n_parts);
    fx_assert_ends(got.part_end, want.part_end, want.n_parts);
    fx_assert_tile_pts(got.pts, want.pts, want.n_pts);
  }
  buf_free(&b);
  arena_destroy(a);
}

static void malformed_blobs_are_refused(void **state) {
  (void)state;
  arena *a = arena_create(0);
  buf b;
  buf_init(&b, 0);
  map_pt p[] = {{0.2, 0.4}, {0.3, 0.5}, {0.35, 0.45}};
  uint32_t parts[] = {3};
  geom g = FX_LINES(p, parts);
  double *rank = NULL;
  assert_int_equal(geom_rank_line(&g, a, &rank, NULL), ERR_OK);
  geom_ranked_write(&g, rank, 0, &b);
  geom_tile_opts o = {{0, 0, 0}, GEOM_SRS_LONLAT, 4096, 64, 2.0};
  geom out;
  geom_bbox px;
  assert_int_equal(geom_ranked_project(b.data, b.len, &o, a, &out, &px, NULL), ERR_OK);
  assert_int_equal(out.n_pts, 3);
  /* every truncation, and a part end past the vertices */
  for (size_t n = 0; n < b.len; n++)
    assert_int_not_equal(geom_ranked_project(b.data, n, &o, a, &out, &px, NULL), ERR_OK);
  uint8_t bad[256];
  memcpy(bad, b.data, b.len);
  bad[40] = 4; /* part_end[0] = 4 > 3 vertices */
  assert_int_not_equal(geom_ranked_project(bad, b.len, &o, a, &out, &px, NULL), ERR_OK);
  bad[40] = 3;
  bad[4] = 2; /* two parts: the vertices no longer fit the length */
  assert_int_not_equal(geom_ranked_project(bad, b.len, &o, a, &out, &px, NULL), ERR_OK);
  buf_free(&b);
  arena_destroy(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rank_filter_is_douglas_peucker),
      cmocka_unit_test(collinear_vertices_rank_zero_and_ends_infinite),
      cmocka_unit_test(tile_of_a_ranked_line_equals_the_pipeline),
      cmocka_unit_test(malformed_blobs_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
