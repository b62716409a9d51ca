/* The privacy grids: León's cell ids and centres against values computed independently (GDAL's
 * gdaltransform and the hexagon formulas in Python), then properties over thousands of random
 * points: snapping is idempotent, every point is within N·√2/2 (square) or N (hex) of its centre,
 * neighbours get different cells, centres round-trip through lon/lat to 1 mm; and the places
 * where grids are hard: a UTM zone seam, the equator, the antimeridian. */
#include <math.h>

#include "check.h"
#include "privacy/grid.h"

static const double SQRT3 = 1.7320508075688772;

static uint64_t rng_next(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}
static double rng_uniform(uint64_t *s) { return (double)(rng_next(s) >> 11) / 9007199254740992.0; }

static privacy_grid *grid(double n, privacy_shape shape) {
  privacy_grid *g;
  err e = {0};
  if (privacy_grid_create(n, shape, &g, &e) != ERR_OK) fail_msg("%s", e.msg);
  return g;
}

static void create_checks_its_arguments(void **state) {
  privacy_grid *g = NULL;
  err e = {0};
  assert_int_equal(privacy_grid_create(10, PRIVACY_SHAPE_SQUARE, &g, &e), ERR_INVALID);
  assert_null(g);
  assert_int_equal(privacy_grid_create(NAN, PRIVACY_SHAPE_SQUARE, &g, &e), ERR_INVALID);
  assert_int_equal(privacy_grid_create(250, (privacy_shape)7, &g, &e), ERR_INVALID);
  g = grid(250, PRIVACY_SHAPE_SQUARE);
  privacy_cell c;
  assert_int_equal(privacy_grid_snap(g, -101.68, 89.5, &c, NULL, NULL, &e), ERR_INVALID);
  assert_int_equal(privacy_grid_snap(g, -101.68, -90, &c, NULL, NULL, &e), ERR_INVALID);
  assert_int_equal(privacy_grid_snap(g, 200, 21, &c, NULL, NULL, &e), ERR_INVALID);
  assert_int_equal(privacy_grid_snap(g, NAN, 21, &c, NULL, NULL, &e), ERR_INVALID);
  double lon, lat;
  assert_int_equal(privacy_grid_center(g, (privacy_cell){61, 0, 0}, &lon, &lat, &e), ERR_INVALID);
  privacy_grid_destroy(g);
  privacy_grid_destroy(NULL);
}

/* León, (-101.68, 21.12): UTM 14N (221618.3396, 2337775.5740) by gdaltransform (PROJ 9.1). */
static void leon_cells_are_the_expected_ones(void **state) {
  err e = {0};
  privacy_grid *sq = grid(250, PRIVACY_SHAPE_SQUARE), *hx = grid(250, PRIVACY_SHAPE_HEX);
  privacy_cell c;
  double lon, lat;
  char id[PRIVACY_CELL_ID_MAX];
  assert_int_equal(privacy_grid_snap(sq, -101.68, 21.12, &c, &lon, &lat, &e), ERR_OK);
  privacy_cell_format(c, id);
  assert_string_equal(id, "14:886:9351"); /* floor(221618.34 / 250), floor(2337775.57 / 250) */
  /* the centre (221625, 2337875) back to lon/lat by gdaltransform */
  assert_true(fabs(lon - -101.679952063889) < 1e-9 && fabs(lat - 21.1208983919464) < 1e-9);
  assert_int_equal(privacy_grid_snap(hx, -101.68, 21.12, &c, &lon, &lat, &e), ERR_OK);
  privacy_cell_format(c, id);
  assert_string_equal(id, "14:-2605:6234"); /* axial, cube-rounded; centre 88.0 m away */
  double x, y, px, py;
  privacy_grid_center_metric(hx, c, &x, &y);
  assert_true(fabs(x - 221702.50336881622) < 1e-6 && fabs(y - 2337750.0) < 1e-6);
  assert_int_equal(privacy_grid_project(hx, 14, -101.68, 21.12, &px, &py, &e), ERR_OK);
  assert_true(fabs(px - 221618.339597806) < 1e-3 && fabs(py - 2337775.57400816) < 1e-3);
  privacy_grid_destroy(sq);
  privacy_grid_destroy(hx);
}

/* Checks the properties for one point; returns its distance to the centre in grid metres. */
static double check_point(privacy_grid *g, double n, double lon, double lat, privacy_cell *out) {
  err e = {0};
  privacy_cell c, c2;
  double clon, clat, lon2, lat2;
  if (privacy_grid_snap(g, lon, lat, &c, &clon, &clat, &e) != ERR_OK) fail_msg("%s", e.msg);
  /* idempotent: the centre snaps to itself */
  assert_int_equal(privacy_grid_snap(g, clon, clat, &c2, &lon2, &lat2, &e), ERR_OK);
  if (c2.zone != c.zone || c2.i != c.i || c2.j != c.j)
    fail_msg("(%.9f, %.9f): centre of %d:%lld:%lld snaps to %d:%lld:%lld", lon, lat, c.zone,
             (long long)c.i, (long long)c.j, c2.zone, (long long)c2.i, (long long)c2.j);
  assert_true(lon2 == clon && lat2 == clat);
  /* the centre's lon/lat round-trips to its exact metric position within 1 mm */
  double mx, my, cx, cy, px, py;
  privacy_grid_center_metric(g, c, &mx, &my);
  assert_int_equal(privacy_grid_project(g, c.zone, clon, clat, &cx, &cy, &e), ERR_OK);
  if (hypot(cx - mx, cy - my) > 1e-3) fail_msg("centre round trip %.6f m", hypot(cx - mx, cy - my));
  /* the cell's zone holds its centre */
  assert_int_equal(c.zone, (int)floor((clon + 180) / 6) + 1);
  assert_int_equal(privacy_grid_project(g, c.zone, lon, lat, &px, &py, &e), ERR_OK);
  if (out) *out = c;
  return hypot(px - mx, py - my);
}

static void random_points_in_leon(void **state) {
  static const double SIZES[] = {50, 250, 1000};
  uint64_t rng = 0x1E0Eu;
  for (int shape = 0; shape < 2; shape++) {
    for (size_t s = 0; s < 3; s++) {
      double n = SIZES[s];
      privacy_grid *g = grid(n, (privacy_shape)shape);
      double bound = shape == PRIVACY_SHAPE_SQUARE ? n * sqrt(2) / 2 : n, worst = 0;
      for (int k = 0; k < 3000; k++) {
        double lon = -101.68 + 0.3 * (rng_uniform(&rng) - 0.5), lat = 21.12 + 0.3 * (rng_uniform(&rng) - 0.5);
        double d = check_point(g, n, lon, lat, NULL);
        if (d > bound + 1e-6) fail_msg("(%.9f, %.9f) is %.3f m from its centre (N %.0f)", lon, lat, d, n);
        worst = fmax(worst, d);
      }
      assert_true(worst > 0.8 * bound); /* the bound is tight, not vacuous */
      privacy_grid_destroy(g);
    }
  }
}

/* Moving from a centre by one cell spacing lands in the neighbouring cell, in every direction. */
static void neighbours_get_different_cells(void **state) {
  err e = {0};
  for (int shape = 0; shape < 2; shape++) {
    privacy_grid *g = grid(250, (privacy_shape)shape);
    privacy_cell c;
    assert_int_equal(privacy_grid_snap(g, -101.68, 21.12, &c, NULL, NULL, &e), ERR_OK);
    double x, y;
    privacy_grid_center_metric(g, c, &x, &y);
    static const double SQ[4][4] = {{1, 0, 1, 0}, {-1, 0, -1, 0}, {0, 1, 0, 1}, {0, -1, 0, -1}};
    /* hex: the six neighbours, as (dx, dy) in units of N and (dq, dr) */
    const double HX[6][4] = {{SQRT3, 0, 1, 0},       {-SQRT3, 0, -1, 0},    {SQRT3 / 2, 1.5, 0, 1},
                             {-SQRT3 / 2, -1.5, 0, -1}, {SQRT3 / 2, -1.5, 1, -1}, {-SQRT3 / 2, 1.5, -1, 1}};
    size_t n = shape ? 6 : 4;
    for (size_t k = 0; k < n; k++) {
      const double *d = shape ? HX[k] : SQ[k];
      double lon, lat;
      /* 0.55 of the way is past the shared edge, in the neighbour's half */
      for (int far = 0; far < 2; far++) {
        double f = far ? 1.0 : 0.55;
        assert_int_equal(privacy_grid_center(g, c, &lon, &lat, &e), ERR_OK);
        assert_int_equal(privacy_grid_unproject(g, c.zone, x + f * d[0] * 250, y + f * d[1] * 250,
                                                &lon, &lat, &e), ERR_OK);
        privacy_cell nb;
        assert_int_equal(privacy_grid_snap(g, lon, lat, &nb, NULL, NULL, &e), ERR_OK);
        assert_int_equal(nb.zone, c.zone);
        assert_int_equal(nb.i, c.i + (int64_t)d[2]);
        assert_int_equal(nb.j, c.j + (int64_t)d[3]);
      }
    }
    privacy_grid_destroy(g);
  }
}

/* Along the meridian -102° (zones 13 and 14) the two grids meet; snapping stays idempotent and
 * every cell's centre is in its zone; only points in the narrow gap between the grids may be
 * further from their centre than the bound, and never by more than one cell. */
static void zone_seam(void **state) {
  uint64_t rng = 0x5EA3u;
  for (int shape = 0; shape < 2; shape++) {
    double n = 1000;
    privacy_grid *g = grid(n, (privacy_shape)shape);
    double bound = shape == PRIVACY_SHAPE_SQUARE ? n * sqrt(2) / 2 : n;
    int over = 0, zones[61] = {0};
    for (int k = 0; k < 4000; k++) {
      double lon = -102 + 0.04 * (rng_uniform(&rng) - 0.5), lat = 21.1 + 0.5 * (rng_uniform(&rng) - 0.5);
      privacy_cell c;
      double d = check_point(g, n, lon, lat, &c);
      zones[c.zone]++;
      if (d > bound + 1e-6) over++;
      assert_true(d < 2 * bound);
    }
    assert_true(zones[13] > 1000 && zones[14] > 1000);
    assert_true(over < 4000 / 20);
    privacy_grid_destroy(g);
  }
}

/* South of the equator the same projection continues (negative northings): no seam at 0°. */
static void equator_and_antimeridian(void **state) {
  uint64_t rng = 0xE0u;
  for (int shape = 0; shape < 2; shape++) {
    privacy_grid *g = grid(500, (privacy_shape)shape);
    double bound = shape == PRIVACY_SHAPE_SQUARE ? 500 * sqrt(2) / 2 : 500;
    for (int k = 0; k < 1000; k++) {
      double lon = -78.5 + 0.1 * (rng_uniform(&rng) - 0.5), lat = 0.05 * (rng_uniform(&rng) - 0.5);
      assert_true(check_point(g, 500, lon, lat, NULL) <= bound + 1e-6);
    }
    privacy_cell c;
    check_point(g, 500, 180, -16.5, &c);
    check_point(g, 500, -180, -16.5, &c);
    check_point(g, 500, 179.999, 51, &c);
    check_point(g, 500, -179.999, 51, &c);
    check_point(g, 500, 0.0001, 84, &c);
    check_point(g, 500, 0.0001, -80, &c);
    privacy_grid_destroy(g);
  }
}

static void cell_ids(void **state) {
  privacy_cell c = {14, -2605, 6234}, back;
  char id[PRIVACY_CELL_ID_MAX];
  err e = {0};
  privacy_cell_format(c, id);
  assert_string_equal(id, "14:-2605:6234");
  assert_int_equal(privacy_cell_parse(id, &back, &e), ERR_OK);
  assert_true(back.zone == 14 && back.i == -2605 && back.j == 6234);
  static const char *const BAD[] = {"", "14", "14:1", "14:1:2:3", "0:1:2", "61:1:2", "14:a:2",
                                    "14:1:2x", "14::2", " 14:1:2", "14:+1:2"};
  for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++)
    if (privacy_cell_parse(BAD[i], &back, &e) != ERR_INVALID) fail_msg("\"%s\" parsed", BAD[i]);
  assert_int_equal(privacy_cell_parse(NULL, &back, &e), ERR_INVALID);
  int64_t key = privacy_cell_key(c);
  assert_true(key > 0);
  assert_true(privacy_cell_from_key(key, &back));
  assert_true(back.zone == 14 && back.i == -2605 && back.j == 6234);
  privacy_cell extremes[] = {{1, -(1 << 27), -(1 << 27)}, {60, (1 << 27) - 1, (1 << 27) - 1}, {33, 0, 0}};
  for (size_t i = 0; i < 3; i++) {
    key = privacy_cell_key(extremes[i]);
    assert_true(key > 0 && privacy_cell_from_key(key, &back));
    assert_true(back.zone == extremes[i].zone && back.i == extremes[i].i && back.j == extremes[i].j);
  }
  assert_int_equal(privacy_cell_key((privacy_cell){14, 1 << 27, 0}), -1);
  assert_int_equal(privacy_cell_key((privacy_cell){0, 0, 0}), -1);
  assert_false(privacy_cell_from_key(-5, &back));
  assert_false(privacy_cell_from_key(5, &back)); /* zone 0 */
  assert_int_not_equal(privacy_cell_key((privacy_cell){14, 1, 2}), privacy_cell_key((privacy_cell){14, 2, 1}));
}

static uint32_t rd_u32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static double rd_f64(const uint8_t *p) {
  uint64_t v = 0;
  for (int k = 7; k >= 0; k--) v = v << 8 | p[k];
  double d;
  memcpy(&d, &v, 8);
  return d;
}

/* The polygon is a closed counter-clockwise ring around the centre, whose area in the zone's
 * metres is N² (square) or 3√3/2 N² (hexagon). */
static void cell_polygons(void **state) {
  err e = {0};
  for (int shape = 0; shape < 2; shape++) {
    privacy_grid *g = grid(250, (privacy_shape)shape);
    privacy_cell c;
    double clon, clat;
    assert_int_equal(privacy_grid_snap(g, -101.68, 21.12, &c, &clon, &clat, &e), ERR_OK);
    buf b;
    buf_init(&b, 0);
    assert_int_equal(privacy_grid_cell_wkb(g, c, &b, &e), ERR_OK);
    uint32_t n = shape ? 7 : 5;
    assert_int_equal(b.len, 1 + 4 + 4 + 4 + 16 * n);
    assert_int_equal(b.data[0], 1);
    assert_int_equal(rd_u32(b.data + 1), 3);
    assert_int_equal(rd_u32(b.data + 5), 1);
    assert_int_equal(rd_u32(b.data + 9), n);
    const uint8_t *p = b.data + 13;
    assert_memory_equal(p, p + 16 * (n - 1), 16); /* closed */
    double area_deg = 0, area_m = 0, px[8], py[8];
    bool inside = false;
    for (uint32_t k = 0; k < n; k++) {
      double lon = rd_f64(p + 16 * k), lat = rd_f64(p + 16 * k + 8);
      assert_int_equal(privacy_grid_project(g, c.zone, lon, lat, &px[k], &py[k], &e), ERR_OK);
      if (k) {
        double lon0 = rd_f64(p + 16 * (k - 1)), lat0 = rd_f64(p + 16 * (k - 1) + 8);
        area_deg += lon0 * lat - lon * lat0;
        area_m += px[k - 1] * py[k] - px[k] * py[k - 1];
        if ((lat0 > clat) != (lat > clat) && clon < lon0 + (clat - lat0) * (lon - lon0) / (lat - lat0))
          inside = !inside;
      }
    }
    assert_true(area_deg > 0); /* counter-clockwise */
    assert_true(inside);
    double want = shape ? 1.5 * SQRT3 * 250 * 250 : 250.0 * 250;
    if (fabs(area_m / 2 - want) > 1e-3) fail_msg("area %.6f m², want %.6f", area_m / 2, want);
    buf_free(&b);
    privacy_grid_destroy(g);
  }
}

static void dates_to_the_month(void **state) {
  static const char *const OK[][2] = {{"2025-03-14", "2025-03-01"}, {"2025-03-14T10:30:00Z", "2025-03-01"},
                                      {"2025-03-14 10:30", "2025-03-01"}, {"2025-03", "2025-03-01"},
                                      {"2024-02-29", "2024-02-01"}, {"1999-12-31t23:59", "1999-12-01"}};
  static const char *const BAD[] = {"2025-13-01", "2025-00-10", "2025-02-30", "2025-04-31",
                                    "14/03/2025", "2025-3-14",  "",           "2025-03-14x",
                                    "2025-03-1",  "20250314",   "2025/03/14", "abcd-03-14"};
  err e = {0};
  char out[11], key[8];
  for (size_t i = 0; i < sizeof OK / sizeof *OK; i++) {
    assert_int_equal(privacy_date_month(OK[i][0], out, &e), ERR_OK);
    assert_string_equal(out, OK[i][1]);
    assert_int_equal(privacy_date_month_key(OK[i][0], key, &e), ERR_OK);
    assert_memory_equal(key, OK[i][1], 7);
    assert_int_equal(key[7], '\0');
  }
  for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
    if (privacy_date_month(BAD[i], out, &e) != ERR_INVALID) fail_msg("\"%s\" accepted", BAD[i]);
    assert_int_equal(privacy_date_month_key(BAD[i], key, &e), ERR_INVALID);
  }
  assert_int_equal(privacy_date_month(NULL, out, &e), ERR_INVALID);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(create_checks_its_arguments), cmocka_unit_test(leon_cells_are_the_expected_ones),
      cmocka_unit_test(random_points_in_leon),       cmocka_unit_test(neighbours_get_different_cells),
      cmocka_unit_test(zone_seam),                   cmocka_unit_test(equator_and_antimeridian),
      cmocka_unit_test(cell_ids),                    cmocka_unit_test(cell_polygons),
      cmocka_unit_test(dates_to_the_month),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
