/* geom_seam_repair after geom_clip_rect and geom_quantize, judged by GEOS (GEOSisValid_r) on the
 * integer output, as the tile checks judge served tiles: a U whose arms the edge separates, a hole
 * the edge cuts, polygons lying on the edge, a multipolygon, points that rounding makes meet on the
 * edge, and random concave polygons with holes compared with GEOSClipByRect. The rectangle is
 * 0..100 on both axes unless a test says otherwise. */
#include <geos_c.h>

#include "geom/geom_int.h"
#include "geom_fixture.h"

static const geom_bbox R = {0, 0, 100, 100};
static GEOSContextHandle_t G;

static int setup(void **state) {
  G = GEOS_init_r();
  return G ? 0 : -1;
}

static int teardown(void **state) {
  GEOS_finish_r(G);
  return 0;
}

/* ---- to GEOS -------------------------------------------------------------------------------- */

/* A ring from n points read by get(i); closed here when open. */
typedef map_pt (*pt_at)(const void *pts, uint32_t i);
static map_pt map_at(const void *p, uint32_t i) { return ((const map_pt *)p)[i]; }
static map_pt tile_at(const void *p, uint32_t i) {
  tile_pt t = ((const tile_pt *)p)[i];
  return (map_pt){t.x, t.y};
}

static GEOSGeometry *ring_to_geos(const void *pts, uint32_t n, pt_at get) {
  map_pt f = get(pts, 0), l = get(pts, n - 1);
  bool open = f.x != l.x || f.y != l.y;
  GEOSCoordSequence *cs = GEOSCoordSeq_create_r(G, n + open, 2);
  for (uint32_t i = 0; i <= n - !open; i++) {
    map_pt p = get(pts, i % n);
    GEOSCoordSeq_setXY_r(G, cs, i, p.x, p.y);
  }
  return GEOSGeom_createLinearRing_r(G, cs);
}

/* A MULTIPOLYGON of the flat layout (pts is map_pt or tile_pt, per get). */
static GEOSGeometry *polys_to_geos(const void *pts, size_t pt_size, pt_at get,
                                   const uint32_t *part_end, const uint32_t *poly_end,
                                   uint32_t n_polys) {
  GEOSGeometry **polys = calloc(n_polys + 1, sizeof *polys);
  for (uint32_t j = 0; j < n_polys; j++) {
    uint32_t r0 = geom_part_start(poly_end, j), r1 = poly_end[j];
    GEOSGeometry *shell = NULL, *holes[64];
    for (uint32_t i = r0; i < r1; i++) {
      uint32_t s = geom_part_start(part_end, i);
      GEOSGeometry *ring =
          ring_to_geos((const char *)pts + s * pt_size, part_end[i] - s, get);
      if (i == r0) shell = ring;
      else holes[i - r0 - 1] = ring;
    }
    polys[j] = GEOSGeom_createPolygon_r(G, shell, holes, r1 - r0 - 1);
  }
  GEOSGeometry *m = GEOSGeom_createCollection_r(G, GEOS_MULTIPOLYGON, polys, n_polys);
  free(polys);
  return m;
}

static GEOSGeometry *tile_to_geos(const tile_geom *t) {
  return polys_to_geos(t->pts, sizeof *t->pts, tile_at, t->part_end, t->poly_end, t->n_polys);
}

static GEOSGeometry *geom_to_geos(const geom *g) {
  return polys_to_geos(g->pts, sizeof *g->pts, map_at, g->part_end, g->poly_end, g->n_polys);
}

static void assert_valid(const tile_geom *t) {
  GEOSGeometry *g = tile_to_geos(t);
  char *why = GEOSisValidReason_r(G, g);
  if (!GEOSisValid_r(G, g)) {
    print_error("GEOS: %s\n", why);
    fail();
  }
  GEOSFree_r(G, why);
  GEOSGeom_destroy_r(G, g);
}

static double area_of(const tile_geom *t) {
  double a = 0;
  for (uint32_t i = 0; i < t->n_parts; i++) {
    uint32_t s = geom_part_start(t->part_end, i);
    a += geom_ring_area2(t->pts + s, t->part_end[i] - s) / 2.0;
  }
  return a;
}

/* Area of the symmetric difference between t and GEOS's own clip of g to r. Where GEOS's overlay
 * gives up (a TopologyException on a near-degenerate shape), the difference of their areas. */
static double difference_from_geos(const tile_geom *t, const geom *g, geom_bbox r) {
  GEOSGeometry *in = geom_to_geos(g), *ours = tile_to_geos(t);
  GEOSGeometry *ref = GEOSClipByRect_r(G, in, r.min_x, r.min_y, r.max_x, r.max_y);
  GEOSGeometry *d = ref ? GEOSSymDifference_r(G, ours, ref) : NULL;
  double a = -1, a_ours = 0, a_ref = 0;
  if (d) {
    GEOSArea_r(G, d, &a);
  } else if (ref) {
    GEOSArea_r(G, ours, &a_ours);
    GEOSArea_r(G, ref, &a_ref);
    a = fabs(a_ours - a_ref);
  }
  if (d) GEOSGeom_destroy_r(G, d);
  if (ref) GEOSGeom_destroy_r(G, ref);
  GEOSGeom_destroy_r(G, ours);
  GEOSGeom_destroy_r(G, in);
  return a;
}

/* ---- the stages under test ------------------------------------------------------------------ */

/* Clip, quantize and (when repair) the seam repair, as geom_to_tile runs them. */
static tile_geom grid_clip(arena *a, const geom *g, geom_bbox r, bool repair) {
  geom clipped;
  tile_geom q, out;
  assert_int_equal(geom_clip_rect(g, r, a, &clipped, NULL), ERR_OK);
  assert_int_equal(geom_quantize(&clipped, a, &q, NULL), ERR_OK);
  if (!repair) return q;
  tile_pt lo = {(int32_t)r.min_x, (int32_t)r.min_y}, hi = {(int32_t)r.max_x, (int32_t)r.max_y};
  assert_int_equal(geom_seam_repair(&q, lo, hi, a, &out, NULL), ERR_OK);
  return out;
}

static bool geos_valid(const tile_geom *t) {
  GEOSGeometry *g = tile_to_geos(t);
  bool ok = GEOSisValid_r(G, g) == 1;
  GEOSGeom_destroy_r(G, g);
  return ok;
}

/* ---- shapes ---------------------------------------------------------------------------------- */

static void u_whose_arms_the_edge_separates(void **state) {
  /* The base of the U lies below y = 0: clipping leaves two arms, which Sutherland-Hodgman
   * joins along y = 0. They must come out as two polygons. */
  arena *a = arena_create(0);
  map_pt p[] = {{10, -20}, {90, -20}, {90, 50}, {70, 50}, {70, -10},
                {30, -10}, {30, 50},  {10, 50}, {10, -20}};
  uint32_t parts[] = {9}, polys[] = {1};
  geom g = FX_POLYS(p, parts, polys);
  tile_geom sh = grid_clip(a, &g, R, false);
  assert_int_equal(sh.n_polys, 1);
  assert_false(geos_valid(&sh)); /* what the repair is for */
  tile_geom t = grid_clip(a, &g, R, true);
  assert_int_equal(t.n_polys, 2);
  assert_int_equal(t.n_parts, 2);
  fx_assert_ends(t.part_end, (uint32_t[]){4, 8}, 2);
  fx_assert_ends(t.poly_end, (uint32_t[]){1, 2}, 2);
  assert_true(geom_ring_area2(t.pts, 4) == 2000 && geom_ring_area2(t.pts + 4, 4) == 2000);
  assert_valid(&t);
  arena_destroy(a);
}

static void hole_cut_by_the_edge_becomes_a_notch(void **state) {
  arena *a = arena_create(0);
  map_pt p[] = {{-20, 20}, {80, 20}, {80, 80}, {-20, 80}, {-20, 20},
                {-10, 40}, {-10, 60}, {10, 60}, {10, 40}, {-10, 40}};
  uint32_t parts[] = {5, 10}, polys[] = {2};
  geom g = FX_POLYS(p, parts, polys);
  tile_geom sh = grid_clip(a, &g, R, false);
  assert_int_equal(sh.n_parts, 2);
  assert_false(geos_valid(&sh));
  tile_geom t = grid_clip(a, &g, R, true);
  assert_int_equal(t.n_polys, 1);
  assert_int_equal(t.n_parts, 1); /* no hole any more */
  assert_true(area_of(&t) == 80 * 60 - 10 * 20);
  assert_true(difference_from_geos(&t, &g, R) == 0);
  assert_valid(&t);
  arena_destroy(a);
}

static void polygons_on_the_edge(void **state) {
  arena *a = arena_create(0);
  /* Outside, touching the edge x = 0 along a side: nothing of it is in the rectangle. */
  map_pt out[] = {{-20, 10}, {0, 10}, {0, 30}, {-20, 30}, {-20, 10}};
  uint32_t parts[] = {5}, polys[] = {1};
  geom g = FX_POLYS(out, parts, polys);
  tile_geom t = grid_clip(a, &g, R, true);
  assert_int_equal(t.n_pts, 0);
  /* Inside with a side on x = 0, and cut by x = 100: one rectangle, unchanged by the repair. */
  map_pt in[] = {{0, 10}, {120, 10}, {120, 30}, {0, 30}, {0, 10}};
  g = (geom)FX_POLYS(in, parts, polys);
  tile_geom q = grid_clip(a, &g, R, false);
  assert_int_equal(geom_seam_repair(&q, (tile_pt){0, 0}, (tile_pt){100, 100}, a, &t, NULL), ERR_OK);
  assert_ptr_equal(t.pts, q.pts); /* nothing to do: no copy */
  assert_int_equal(t.n_pts, 4);
  assert_true(area_of(&t) == 2000);
  assert_valid(&t);
  /* A hole with a side on x = 0, in an exterior cut by x = 0: the hole opens into a notch. */
  map_pt h[] = {{-20, 20}, {80, 20}, {80, 80}, {-20, 80}, {-20, 20},
                {0, 40},   {0, 60},  {10, 60}, {10, 40}, {0, 40}};
  uint32_t hparts[] = {5, 10}, hpolys[] = {2};
  g = (geom)FX_POLYS(h, hparts, hpolys);
  t = grid_clip(a, &g, R, true);
  assert_int_equal(t.n_polys, 1);
  assert_int_equal(t.n_parts, 1);
  assert_true(area_of(&t) == 4600);
  assert_valid(&t);
  arena_destroy(a);
}

static void multipolygon_stays_multi(void **state) {
  /* The U of above, a square with a hole cut by x = 100, and a triangle wholly inside. */
  arena *a = arena_create(0);
  map_pt p[] = {{10, -20}, {90, -20}, {90, 50}, {70, 50}, {70, -10},
                {30, -10}, {30, 50},  {10, 50}, {10, -20},
                {60, 60},  {120, 60}, {120, 90}, {60, 90}, {60, 60},
                {90, 70},  {90, 80},  {110, 80}, {110, 70}, {90, 70},
                {20, 70},  {40, 70},  {30, 90},  {20, 70}};
  uint32_t parts[] = {9, 14, 19, 23}, polys[] = {1, 3, 4};
  geom g = FX_POLYS(p, parts, polys);
  tile_geom t = grid_clip(a, &g, R, true);
  assert_int_equal(t.n_polys, 4); /* two arms, the notched square, the triangle */
  assert_int_equal(t.n_parts, 4);
  assert_true(difference_from_geos(&t, &g, R) == 0);
  assert_valid(&t);
  arena_destroy(a);
}

static void arms_that_rounding_makes_meet(void **state) {
  /* The arms leave y = 0 at x = 30.2 and 30.4: both round to 30, so they touch at (30, 0). Two
   * polygons touching at a point are valid; one ring through that point twice is not. */
  arena *a = arena_create(0);
  map_pt p[] = {{10, -20},      {50, -20}, {50, 50}, {35, 50}, {30.354, -0.5},
                {30.252, -0.5}, {25, 50},  {10, 50}, {10, -20}};
  uint32_t parts[] = {9}, polys[] = {1};
  geom g = FX_POLYS(p, parts, polys);
  tile_geom t = grid_clip(a, &g, R, true);
  assert_int_equal(t.n_polys, 2);
  assert_valid(&t);
  arena_destroy(a);
}

static void hole_that_rounding_pins_to_the_edge(void **state) {
  /* A hole whose tip crosses x = 0 over 0.5 units: its cut rounds to the single point (0, 50),
   * so the result is an exterior and a hole touching it there (not a ring through it twice). */
  arena *a = arena_create(0);
  map_pt p[] = {{-20, 20}, {80, 20}, {80, 80}, {-20, 80}, {-20, 20},
                {-0.5, 50}, {20, 40}, {20, 60}, {-0.5, 50}};
  uint32_t parts[] = {5, 9}, polys[] = {2};
  geom g = FX_POLYS(p, parts, polys);
  tile_geom t = grid_clip(a, &g, R, true);
  assert_int_equal(t.n_polys, 1);
  assert_int_equal(t.n_parts, 2);
  assert_valid(&t);
  arena_destroy(a);
}

static void hole_over_the_whole_rectangle(void **state) {
  /* The rectangle lies in the hole of a ring-shaped polygon: nothing of it is in the tile. */
  arena *a = arena_create(0);
  map_pt p[] = {{-50, -50}, {150, -50}, {150, 150}, {-50, 150}, {-50, -50},
                {-10, -10}, {-10, 110}, {110, 110}, {110, -10}, {-10, -10}};
  uint32_t parts[] = {5, 10}, polys[] = {2};
  geom g = FX_POLYS(p, parts, polys);
  tile_geom t = grid_clip(a, &g, R, true);
  assert_int_equal(t.n_pts, 0);
  arena_destroy(a);
}

/* ---- random concave polygons with holes, against GEOS --------------------------------------- */

static uint32_t rnd_state = 12345;
static double rnd(void) { /* xorshift32: the same sequence everywhere */
  rnd_state ^= rnd_state << 13;
  rnd_state ^= rnd_state >> 17;
  rnd_state ^= rnd_state << 5;
  return rnd_state / 4294967296.0;
}

/* A star-shaped ring around (cx, cy): n points at increasing angles, radii in [r0, r1],
 * clockwise when cw, on the integer grid when on_grid. Writes n + 1 points (closed). */
static void star(map_pt *out, uint32_t n, map_pt c, double r0, double r1, bool cw, bool on_grid) {
  for (uint32_t i = 0; i < n; i++) {
    double ang = 2 * M_PI * (i + 0.3 * rnd()) / n * (cw ? -1 : 1);
    double rad = r0 + (r1 - r0) * rnd();
    map_pt p = {c.x + rad * cos(ang), c.y + rad * sin(ang)};
    out[i] = on_grid ? (map_pt){round(p.x), round(p.y)} : p;
  }
  out[n] = out[0];
}

/* Random spiky polygons: an exterior star (radii 120..400) with up to two star holes near its
 * centre, well inside it, thrown over the rectangle 0..size so that its edges cut arms off, cut
 * holes open and, when the rectangle is small, the polygon wraps its corners or covers it. */
typedef struct shapes {
  double size;    /* the rectangle is 0..size on both axes */
  uint32_t n_ext; /* points of the exterior, at most 64 */
  bool on_grid;   /* vertices on the grid: only the cut points get rounded */
} shapes;

/* One random polygon of kind s into p/parts/polys; false when GEOS finds the source invalid (a
 * star on the grid may touch itself): such a source is skipped. */
static bool random_polygon(const shapes *s, int k, map_pt *p, uint32_t *parts, uint32_t *polys,
                           geom *out_g) {
  map_pt c = {-0.25 * s->size - 100 + (1.5 * s->size + 200) * rnd(),
              -0.25 * s->size - 100 + (1.5 * s->size + 200) * rnd()};
  uint32_t n_holes = k % 3, n = s->n_ext + 1;
  star(p, s->n_ext, c, 120, 400, k & 1, s->on_grid);
  parts[0] = n;
  for (uint32_t h = 0; h < n_holes; h++) {
    map_pt hc = {c.x + (h ? 40 : -40), c.y};
    star(p + parts[h], 12, hc, 5, 35, !(k & 1), s->on_grid);
    parts[h + 1] = parts[h] + 13;
  }
  polys[0] = 1 + n_holes;
  *out_g = (geom){GEOM_POLYGON, false, p, parts, polys, parts[n_holes], 1 + n_holes, 1};
  GEOSGeometry *src = geom_to_geos(out_g);
  bool ok = GEOSisValid_r(G, src) == 1;
  GEOSGeom_destroy_r(G, src);
  return ok;
}

/* n polygons of kind s: each result valid, of the same area as the clip before the repair, and
 * the same shape as GEOSClipByRect's up to rounding. Returns how many needed the repair. */
static int check_random(const shapes *s, int n) {
  geom_bbox r = {0, 0, s->size, s->size};
  double diag = s->size * M_SQRT2;
  int repaired = 0;
  for (int k = 0; k < n; k++) {
    arena *a = arena_create(0);
    map_pt p[65 + 2 * 13];
    uint32_t parts[3], polys[1];
    geom g;
    if (!random_polygon(s, k, p, parts, polys, &g)) {
      arena_destroy(a);
      continue;
    }
    tile_geom sh = grid_clip(a, &g, r, false), t = grid_clip(a, &g, r, true);
    if (sh.n_pts && !geos_valid(&sh)) repaired++;
    if (t.n_pts) assert_valid(&t);
    assert_true(area_of(&t) == area_of(&sh)); /* the repair only takes away zero-width parts */
    /* Rounding moves a point by at most half a unit on each axis, which shifts the area by at
     * most half its neighbours' distance (<= the diagonal); on the grid only the cut points move,
     * along the edge. A sliver thinner than that may vanish with its points (4 at a corner). */
    uint32_t moved = 0;
    for (uint32_t i = 0; i < t.n_pts; i++)
      moved += !s->on_grid || t.pts[i].x == 0 || t.pts[i].x == s->size || t.pts[i].y == 0 ||
               t.pts[i].y == s->size;
    assert_true(difference_from_geos(&t, &g, r) <= 0.5 * diag * (moved + 4));
    arena_destroy(a);
  }
  return repaired;
}

static void random_polygons_match_geos(void **state) {
  /* Vertices on the grid over a large rectangle: bridges and cut holes. */
  assert_true(check_random(&(shapes){400, 24, true}, 3000) > 300);
  /* Vertices anywhere over a small one: corners, and points that rounding makes meet on the
   * edge (pinches, spikes), which is where the repair has to be careful. */
  assert_true(check_random(&(shapes){50, 64, false}, 3000) > 300);
}

/* ---- memory ---------------------------------------------------------------------------------- */

static void every_allocation_failure_is_clean(void **state) {
  map_pt p[] = {{10, -20}, {90, -20}, {90, 50}, {70, 50}, {70, -10}, {30, -10}, {30, 50},
                {10, 50},  {10, -20}, {60, 60}, {120, 60}, {120, 90}, {60, 90}, {60, 60},
                {90, 70},  {90, 80},  {110, 80}, {110, 70}, {90, 70}};
  uint32_t parts[] = {9, 14, 19}, polys[] = {1, 3};
  geom g = FX_POLYS(p, parts, polys);
  arena *base = arena_create(0);
  tile_geom q = grid_clip(base, &g, R, false), want;
  tile_pt lo = {0, 0}, hi = {100, 100};
  assert_int_equal(geom_seam_repair(&q, lo, hi, base, &want, NULL), ERR_OK);
  size_t n;
  for (n = 1;; n++) {
    arena *a = arena_create(0);
    arena_fail_after(a, n);
    tile_geom got;
    err e;
    err_code rc = geom_seam_repair(&q, lo, hi, a, &got, &e);
    arena_destroy(a);
    if (rc == ERR_OK) {
      assert_int_equal(got.n_pts, want.n_pts);
      break;
    }
    assert_int_equal(rc, ERR_NOMEM);
    assert_int_equal(e.code, ERR_NOMEM);
    assert_int_equal(got.n_pts, 0);
  }
  assert_true(n > 10);
  arena_destroy(base);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(u_whose_arms_the_edge_separates),
      cmocka_unit_test(hole_cut_by_the_edge_becomes_a_notch),
      cmocka_unit_test(polygons_on_the_edge),
      cmocka_unit_test(multipolygon_stays_multi),
      cmocka_unit_test(arms_that_rounding_makes_meet),
      cmocka_unit_test(hole_that_rounding_pins_to_the_edge),
      cmocka_unit_test(hole_over_the_whole_rectangle),
      cmocka_unit_test(random_polygons_match_geos),
      cmocka_unit_test(every_allocation_failure_is_clean),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
