/* Unit tests of the writers and small parsers of features/: numbers, RFC 7946 geometries (winding,
 * single vs multi), WKT, CSV quoting, RFC 3339 dates, and link hrefs. */
#include <math.h>

#include "check.h"
#include "features/features_int.h"
#include "features_fixture.h"

static const char *text(buf *b) { return buf_cstr(b); }

static void numbers(void **state) {
  buf b;
  buf_init(&b, 0);
  double v[] = {-101.658666, 21.1446, 0, -0.00000004, 1.23456789, 180, -179.99999996, 1e12};
  const char *want[] = {"-101.658666", "21.1446", "0", "0", "1.2345679", "180", "-180",
                        "1000000000000.0000000"};
  for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
    buf_reset(&b);
    features_put_coord(&b, v[i]);
    assert_string_equal(text(&b), want[i]);
  }
  buf_reset(&b);
  features_put_real(&b, 0.1);
  buf_putc(&b, ' ');
  features_put_real(&b, 1.0 / 3);
  buf_putc(&b, ' ');
  features_put_real(&b, 5000);
  buf_putc(&b, ' ');
  features_put_real(&b, 0.0 / 0.0);
  buf_putc(&b, ' ');
  features_put_int(&b, INT64_MIN);
  assert_string_equal(text(&b), "0.1 0.33333333333333331 5000 null -9223372036854775808");
  buf_free(&b);
}

/* The coordinate text as it was first written (llround, then digits): the reference of the
 * inline version, on values near every rounding edge. */
static size_t reference_coord(char *out, double v) {
  int64_t n = llround(v * 1e7);
  char tmp[32];
  char *end = tmp + sizeof tmp, *p = end;
  uint64_t u = n < 0 ? (uint64_t)(-n) : (uint64_t)n;
  uint64_t ip = u / 10000000u, fp = u % 10000000u;
  if (fp) {
    int digits = 7;
    while (fp % 10 == 0) fp /= 10, digits--;
    for (int i = 0; i < digits; i++, fp /= 10) *--p = (char)('0' + fp % 10);
    *--p = '.';
  }
  do {
    *--p = (char)('0' + ip % 10);
    ip /= 10;
  } while (ip);
  if (n < 0) *--p = '-';
  memcpy(out, p, (size_t)(end - p));
  return (size_t)(end - p);
}

static void coordinates_as_the_reference(void **state) {
  uint64_t x = 88172645463325252ull; /* xorshift64 */
  char a[FEATURES_NUM_MAX], b[FEATURES_NUM_MAX];
  for (int i = 0; i < 400000; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    double v;
    switch (i % 4) {
      case 0: v = (double)(int64_t)(x % 3600000000ull - 1800000000ull) / 1e7; break;
      case 1: v = ((double)(int64_t)(x % 3600000000ull - 1800000000ull) + 0.5) / 1e7; break;
      case 2: v = (double)(int64_t)(x >> 11) / (double)(1ull << 53) * 360 - 180; break;
      default: v = nextafter((double)(int64_t)(x % 2000001ull - 1000000ull) / 1e7 + 0.5e-7,
                             (x & 1024) ? 1e300 : -1e300);
    }
    if (i % 1000 == 0) v = ldexp(v, -(int)(x % 60)) * ((x & 2048) ? 5e8 : 1);
    if (!features_coord_fixed(v)) continue;
    size_t n = features_coord_text(a, v), m = reference_coord(b, v);
    if (n != m || memcmp(a, b, n) != 0) fail_msg("%.17g: %.*s against %.*s", v, (int)n, a, (int)m, b);
  }
}

/* A polygon with a clockwise exterior and a counterclockwise hole: both must flip. */
static void geojson_polygon_follows_the_right_hand_rule(void **state) {
  map_pt pts[] = {{0, 0}, {0, 4}, {4, 4}, {4, 0}, {0, 0},   /* clockwise exterior */
                  {1, 1}, {2, 1}, {2, 2}, {1, 2}, {1, 1}};  /* counterclockwise hole */
  uint32_t part_end[] = {5, 10}, poly_end[] = {2};
  geom g = {GEOM_POLYGON, false, pts, part_end, poly_end, 10, 2, 1};
  buf b;
  buf_init(&b, 0);
  features_geojson_geometry(&b, &g);
  assert_string_equal(text(&b), "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[4,0],[4,4],[0,4],"
                                "[0,0]],[[1,1],[1,2],[2,2],[2,1],[1,1]]]}");
  buf_reset(&b);
  features_wkt(&b, &g);
  assert_string_equal(text(&b), "POLYGON ((0 0, 0 4, 4 4, 4 0, 0 0), (1 1, 2 1, 2 2, 1 2, 1 1))");
  buf_reset(&b);
  g.multi = true;
  features_geojson_geometry(&b, &g);
  assert_non_null(strstr(text(&b), "\"MultiPolygon\",\"coordinates\":[[[[0,0],[4,0]"));
  buf_free(&b);
}

static void geojson_points_and_lines(void **state) {
  map_pt pts[] = {{-101.5, 21.25}, {-101.4, 21.3}, {-101.3, 21.35}};
  uint32_t one[] = {1}, three[] = {3}, two_parts[] = {2, 3};
  buf b;
  buf_init(&b, 0);
  geom p = {GEOM_POINT, false, pts, one, NULL, 1, 1, 0};
  features_geojson_geometry(&b, &p);
  assert_string_equal(text(&b), "{\"type\":\"Point\",\"coordinates\":[-101.5,21.25]}");
  buf_reset(&b);
  geom mp = {GEOM_POINT, false, pts, three, NULL, 3, 1, 0};
  features_wkt(&b, &mp);
  assert_string_equal(text(&b), "MULTIPOINT ((-101.5 21.25), (-101.4 21.3), (-101.3 21.35))");
  buf_reset(&b);
  geom ml = {GEOM_LINESTRING, false, pts, two_parts, NULL, 3, 2, 0};
  features_geojson_geometry(&b, &ml);
  assert_string_equal(text(&b), "{\"type\":\"MultiLineString\",\"coordinates\":[[[-101.5,21.25],"
                                "[-101.4,21.3]],[[-101.3,21.35]]]}");
  buf_reset(&b);
  geom empty = {0};
  features_geojson_geometry(&b, &empty);
  assert_string_equal(text(&b), "null");
  buf_free(&b);
}

static void csv_quotes_what_it_must(void **state) {
  layer_info l = fixture_layer();
  const char *fields[] = {"tipo", "hora", "activo", "monto"};
  features_cols c = {&l, fields, 4, false, NULL};
  map_pt pt = {-101.5, 21.25};
  uint32_t one[] = {1};
  geom g = {GEOM_POINT, false, &pt, one, NULL, 1, 1, 0};
  value v[] = {{.kind = VALUE_TEXT, .s = "robo, \"grave\"\n", .len = 14},
               {.kind = VALUE_INT, .i = 3},
               {.kind = VALUE_BOOL, .i = 1},
               {.kind = VALUE_NULL}};
  store_feature f = {.id = 9, .values = v, .n_values = 4};
  buf b;
  buf_init(&b, 0);
  features_csv_header(&b, &c, true);
  features_csv_row(&b, &c, &f, &g);
  assert_string_equal(text(&b), "\xEF\xBB\xBF" "fid,lon,lat,tipo,hora,activo,monto\r\n"
                                "9,-101.5,21.25,\"robo, \"\"grave\"\"\n\",3,true,\r\n");
  buf_free(&b);
}

static void rfc3339_dates(void **state) {
  features_time t;
  assert_true(features_time_parse("2024-02-29", 10, &t));
  assert_false(t.has_time);
  assert_false(features_time_parse("2023-02-29", 10, &t));
  assert_true(features_time_parse("2025-12-31T23:30:00-06:00", 25, &t));
  assert_string_equal(t.text, "2026-01-01T05:30:00Z");
  assert_true(features_time_parse("2025-01-01t00:10:00.250+01:00", 29, &t));
  assert_string_equal(t.text, "2024-12-31T23:10:00.250Z");
  assert_false(features_time_parse("2025-01-01T24:00:00Z", 20, &t));
  assert_false(features_time_parse("2025-01-01T10:00:00", 19, &t)); /* no offset */
  assert_false(features_time_parse("2025-1-01", 9, &t));
  features_interval iv;
  assert_int_equal(features_datetime_parse("../2025-01-01", &iv, NULL), ERR_OK);
  assert_true(iv.open_start && !iv.open_end);
  assert_int_equal(features_datetime_parse("2025-01-01/", &iv, NULL), ERR_OK);
  assert_true(iv.open_end);
  assert_int_equal(features_datetime_parse("2025-01-01/2025-01-01", &iv, NULL), ERR_OK);
  assert_int_equal(features_datetime_parse("2025-01-02/2025-01-01", &iv, NULL), ERR_INVALID);
  assert_int_equal(features_datetime_parse("2025-01-01/2025-01-02/2025-01-03", &iv, NULL),
                   ERR_INVALID);
}

static void hrefs_keep_every_argument(void **state) {
  features_kv args[] = {{"bbox", "-101.7,21.1,-101.6,21.2"},
                        {"filter", "tipo = 'robo a negocio' AND hora >= 10"},
                        {"offset", "30"},
                        {"f", "html"},
                        {"limit", "10"},
                        {"after", "4"},
                        {"x+y", "a&b"}};
  features_href h = {"http://h:1", "/collections/i/items", args, 7, 10, 40, true, 77, "json"};
  buf b;
  buf_init(&b, 0);
  features_put_href(&b, &h);
  assert_string_equal(text(&b),
                      "http://h:1/collections/i/items?bbox=-101.7,21.1,-101.6,21.2&filter=tipo%20"
                      "%3D%20%27robo%20a%20negocio%27%20AND%20hora%20%3E%3D%2010&x%2By=a%26b&"
                      "limit=10&offset=40&after=77&f=json");
  buf_free(&b);
}

/* features_decode reads a plain point in place: the same geom as the general decoder, and a
 * non-finite point refused as the decoder refuses it (no geometry). */
static void plain_points_decode_as_the_decoder_does(void **state) {
  map_pt pts[] = {{-101.658666, 21.1446}, {180, -90}, {0.0 / 0.0, 1}, {1, 1.0 / 0.0}};
  arena *a = arena_create(1 << 16);
  assert_non_null(a);
  for (size_t i = 0; i < sizeof pts / sizeof *pts; i++) {
    uint32_t part_end[] = {1};
    geom g = {GEOM_POINT, false, &pts[i], part_end, NULL, 1, 1, 0};
    buf blob;
    buf_init(&blob, 0);
    assert_int_equal(geom_blob_encode(&g, 4326, &blob, NULL), ERR_OK);
    store_feature f = {.id = 1, .blob = blob.data, .blob_len = blob.len};
    geom fast, slow;
    features_decode(&f, a, &fast);
    if (geom_blob_decode(blob.data, blob.len, a, &slow, NULL, NULL) != ERR_OK)
      memset(&slow, 0, sizeof slow);
    assert_int_equal(fast.type, slow.type);
    assert_int_equal(fast.multi, slow.multi);
    assert_int_equal(fast.n_pts, slow.n_pts);
    assert_int_equal(fast.n_parts, slow.n_parts);
    assert_int_equal(fast.n_polys, slow.n_polys);
    assert_int_equal(fast.n_pts, i < 2 ? 1 : 0);
    if (fast.n_pts) {
      assert_memory_equal(fast.pts, slow.pts, sizeof *fast.pts);
      assert_int_equal(fast.part_end[0], slow.part_end[0]);
      assert_null(fast.poly_end);
    }
    buf_free(&blob);
  }
  arena_destroy(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(numbers),
      cmocka_unit_test(coordinates_as_the_reference),
      cmocka_unit_test(geojson_polygon_follows_the_right_hand_rule),
      cmocka_unit_test(geojson_points_and_lines),
      cmocka_unit_test(csv_quotes_what_it_must),
      cmocka_unit_test(rfc3339_dates),
      cmocka_unit_test(hrefs_keep_every_argument),
      cmocka_unit_test(plain_points_decode_as_the_decoder_does),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
