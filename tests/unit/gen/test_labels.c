/* Label points (gen/labels.c, geom/anchor.c): the label layer's name, the one tile of a zoom
 * that holds an anchor (points on tile edges and corners included), and the anchor itself,
 * inside a C-shaped polygon and the same point whether found in EPSG:3857 metres or in a PNG's
 * device pixels (scaled, shifted, y flipped), so vector and PNG labels agree. */
#include <math.h>

#include "check.h"
#include "gen/gen.h"

static void label_layer_names(void **state) {
  (void)state;
  assert_int_equal(gen_labels_of("municipios:labels"), 10);
  assert_int_equal(gen_labels_of("municipios"), 0);
  assert_int_equal(gen_labels_of(":labels"), 0);
  assert_int_equal(gen_labels_of("parques_labels"), 0);
  assert_int_equal(gen_labels_of("a:labels:labels"), 8);
}

/* Points on the edges and corners of tiles, and just beside them: exactly one tile of the 3x3
 * block around them answers true, and it is the tile the OSM formula names for points inside. */
static void one_tile_per_anchor(void **state) {
  (void)state;
  for (uint32_t z = 1; z <= 16; z += 3) {
    geom_tile_id t = {z, (1u << z) / 3, (1u << z) / 5};
    geom_bbox b = geom_tile_bounds_merc(t);
    double xs[] = {b.min_x, b.max_x, (b.min_x + b.max_x) / 2, nextafter(b.min_x, -INFINITY)};
    double ys[] = {b.min_y, b.max_y, (b.min_y + b.max_y) / 2, nextafter(b.max_y, INFINITY)};
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        map_pt p = {xs[i], ys[j]};
        int n = 0;
        for (int dx = -1; dx <= 1; dx++)
          for (int dy = -1; dy <= 1; dy++)
            n += gen_anchor_in_tile(p, (geom_tile_id){z, t.x + dx, t.y + dy});
        if (n != 1) fail_msg("z%u point %d,%d in %d tiles", z, i, j, n);
      }
    }
    assert_true(gen_anchor_in_tile((map_pt){xs[2], ys[2]}, t));
  }
  /* the world's edges belong to the edge tiles */
  assert_true(gen_anchor_in_tile((map_pt){GEOM_MERC_HALF, -GEOM_MERC_HALF}, (geom_tile_id){2, 3, 3}));
  assert_true(gen_anchor_in_tile((map_pt){-GEOM_MERC_HALF, GEOM_MERC_HALF}, (geom_tile_id){2, 0, 0}));
}

static bool inside(const map_pt *r, int n, map_pt p) {
  bool in = false;
  for (int i = 0, j = n - 1; i < n; j = i++)
    if ((r[i].y > p.y) != (r[j].y > p.y) &&
        p.x < (r[j].x - r[i].x) * (p.y - r[i].y) / (r[j].y - r[i].y) + r[i].x)
      in = !in;
  return in;
}

static void anchor_inside_and_agrees(void **state) {
  (void)state;
  /* a C open to the east, in metres around León: its centroid lies in the gap */
  map_pt c[] = {{0, 0}, {3000, 0}, {3000, 800}, {800, 800}, {800, 2200}, {3000, 2200},
                {3000, 3000}, {0, 3000}, {0, 0}};
  enum { N = sizeof c / sizeof *c };
  map_pt m[N], px[N];
  uint32_t end = N, pend = 1;
  for (int i = 0; i < N; i++) {
    m[i] = (map_pt){c[i].x - 11318965.8, c[i].y + 2404000.0};
    px[i] = (map_pt){(m[i].x + 11320000.0) / 4.77, (2410000.0 - m[i].y) / 4.77}; /* to pixels */
  }
  geom gm = {.type = GEOM_POLYGON, .pts = m, .part_end = &end, .poly_end = &pend, .n_pts = N,
             .n_parts = 1, .n_polys = 1};
  geom gp = gm;
  gp.pts = px;
  map_pt am, ap;
  assert_true(geom_label_anchor(&gm, &am));
  assert_true(geom_label_anchor(&gp, &ap));
  assert_true(inside(m, N, am));
  map_pt back = {(am.x + 11320000.0) / 4.77, (2410000.0 - am.y) / 4.77};
  if (fabs(back.x - ap.x) > 1e-6 || fabs(back.y - ap.y) > 1e-6)
    fail_msg("anchor in metres %f,%f is pixel %f,%f; in pixels %f,%f", am.x, am.y, back.x, back.y,
             ap.x, ap.y);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(label_layer_names),
                                     cmocka_unit_test(one_tile_per_anchor),
                                     cmocka_unit_test(anchor_inside_and_agrees)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
