/* The one-pass point writer (features/geojson_point.c) against the general GeoJSON writer: the
 * same bytes for every kind of value, escapes, coordinates and field names; it must take every
 * plain point (a disabled fast path fails here), and leave everything else to the general writer
 * with nothing written. */
#include <math.h>

#include "check.h"
#include "core/arena.h"
#include "features/features_int.h"
#include "features_fixture.h"

static const char *FIELDS[] = {"tipo", "hora", "monto", "activo", "visto", "con \"comillas\"\n",
                               "ñandú"};
enum { N_FIELDS = sizeof FIELDS / sizeof *FIELDS };

typedef struct sample {
  value v[N_FIELDS];
  double x, y;
  int64_t id;
} sample;

/* Texts with every byte the escape rule treats apart, numbers at the edges of each format. */
static sample sample_at(int i) {
#define T(lit) {lit, sizeof lit - 1}
  static const struct {
    const char *s;
    size_t len;
  } texts[] = {T("robo a casa habitación"), T(""), T("comillas \" y \\ barra"),
               T("línea\nnueva\r\ttab"), T("control \x01\x1f\x7f fin"), T("\""),
               T("nul \0 dentro")};
#undef T
  static const double reals[] = {0.1, 1.0 / 3, 5000, -0.0, 1e300, -2.2250738585072014e-308,
                                 NAN, INFINITY, 123456789012345.0, 1e15};
  static const int64_t ints[] = {0, -1, INT64_MIN, INT64_MAX, 23, 1000000};
  static const double coords[][2] = {{-101.658666, 21.1446}, {0, 0}, {-0.00000004, 1.23456789},
                                     {180, -90}, {-179.99999996, 89.99999999},
                                     {99999999999.0, -99999999999.0}, {1e-300, -1e-12},
                                     {-101.7108, 21.141}};
  sample s;
  memset(&s, 0, sizeof s);
  s.id = ints[i % 6] > INT64_MIN + 1000 && ints[i % 6] < INT64_MAX - 1000 ? ints[i % 6] + i : ints[i % 6];
  s.x = coords[i % 8][0];
  s.y = coords[i % 8][1];
  s.v[0] = (value){.kind = VALUE_TEXT, .s = texts[i % 7].s, .len = texts[i % 7].len};
  s.v[1] = (value){.kind = VALUE_INT, .i = ints[(i + 1) % 6]};
  s.v[2] = (value){.kind = VALUE_REAL, .d = reals[i % 10]};
  s.v[3] = (value){.kind = VALUE_BOOL, .i = i & 1};
  s.v[4] = i % 3 ? (value){.kind = VALUE_NULL}
                 : (value){.kind = VALUE_TEXT, .s = "2024-12-24T02:00:00Z", .len = 20};
  s.v[5] = (value){.kind = VALUE_TEXT, .s = texts[(i + 3) % 7].s, .len = texts[(i + 3) % 7].len};
  s.v[6] = i % 4 ? (value){.kind = VALUE_INT, .i = i} : (value){.kind = VALUE_NULL};
  return s;
}

static void same_bytes_as_the_general_writer(void **state) {
  layer_info l = fixture_layer();
  arena *a = arena_create(0);
  features_cols c = {&l, FIELDS, N_FIELDS, false, NULL};
  features_cols_keys(&c, a);
  assert_non_null(c.keys);
  buf fast, slow;
  buf_init(&fast, 0);
  buf_init(&slow, 0);
  uint32_t one[] = {1};
  for (int i = 0; i < 420; i++) {
    sample s = sample_at(i);
    map_pt pt = {s.x, s.y};
    geom g = {GEOM_POINT, false, &pt, one, NULL, 1, 1, 0};
    store_feature f = {.id = s.id, .values = s.v, .n_values = N_FIELDS};
    buf_reset(&fast);
    buf_reset(&slow);
    assert_true(features_geojson_point_fast(&fast, &c, &f, &g));
    features_geojson_feature_general(&slow, &c, &f, &g);
    assert_false(fast.failed);
    assert_int_equal(fast.len, slow.len);
    assert_memory_equal(fast.data, slow.data, slow.len);
    /* the dispatcher writes the same, appended after what the buffer held */
    features_geojson_feature_open(&fast, &c, &f, &g);
    assert_int_equal(fast.len, 2 * slow.len);
    assert_memory_equal(fast.data + slow.len, slow.data, slow.len);
  }
  assert_non_null(strstr(buf_cstr(&slow), "\"con \\\"comillas\\\"\\n\":"));
  /* a layer without fields: "properties":{} the same way */
  features_cols none = {&l, NULL, 0, false, NULL};
  features_cols_keys(&none, a);
  assert_non_null(none.keys);
  map_pt pt = {-101.5, 21.25};
  geom g = {GEOM_POINT, false, &pt, one, NULL, 1, 1, 0};
  store_feature f = {.id = 3};
  buf_reset(&fast);
  buf_reset(&slow);
  assert_true(features_geojson_point_fast(&fast, &none, &f, &g));
  features_geojson_feature_general(&slow, &none, &f, &g);
  assert_int_equal(fast.len, slow.len);
  assert_memory_equal(fast.data, slow.data, slow.len);
  buf_free(&fast);
  buf_free(&slow);
  arena_destroy(a);
}

/* Whatever the fast writer does not take is written by the general one, and it writes nothing. */
static void leaves_the_rest_to_the_general_writer(void **state) {
  layer_info l = fixture_layer();
  arena *a = arena_create(0);
  features_cols c = {&l, FIELDS, N_FIELDS, false, NULL};
  sample s = sample_at(3);
  store_feature f = {.id = 5, .values = s.v, .n_values = N_FIELDS};
  map_pt pts[] = {{-101.5, 21.25}, {-101.4, 21.3}};
  uint32_t one[] = {1}, two[] = {2};
  geom point = {GEOM_POINT, false, pts, one, NULL, 1, 1, 0};
  geom multi = {GEOM_POINT, true, pts, one, NULL, 1, 1, 0};
  geom two_pts = {GEOM_POINT, false, pts, two, NULL, 2, 1, 0};
  geom line = {GEOM_LINESTRING, false, pts, two, NULL, 2, 1, 0};
  geom empty = {0};
  map_pt far = {1e11, 21}, nan = {NAN, 21};
  geom far_pt = {GEOM_POINT, false, &far, one, NULL, 1, 1, 0};
  geom nan_pt = {GEOM_POINT, false, &nan, one, NULL, 1, 1, 0};
  buf b;
  buf_init(&b, 0);
  assert_false(features_geojson_point_fast(&b, &c, &f, &point)); /* no keys */
  features_cols_keys(&c, a);
  const geom *others[] = {&multi, &two_pts, &line, &empty, &far_pt, &nan_pt};
  for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
    assert_false(features_geojson_point_fast(&b, &c, &f, others[i]));
    assert_int_equal(b.len, 0);
  }
  c.distance = true;
  assert_false(features_geojson_point_fast(&b, &c, &f, &point));
  c.distance = false;
  /* near its bound, the buffer is filled by the general writer up to the byte */
  buf ref;
  buf_init(&ref, 0);
  features_geojson_feature_general(&ref, &c, &f, &point);
  buf_free(&b);
  buf_init(&b, ref.len);
  assert_false(features_geojson_point_fast(&b, &c, &f, &point));
  features_geojson_feature_open(&b, &c, &f, &point);
  assert_false(b.failed);
  assert_int_equal(b.len, ref.len);
  assert_memory_equal(b.data, ref.data, ref.len);
  buf_free(&ref);
  buf_free(&b);
  arena_destroy(a);
}

/* Keys are left NULL when the arena fails; the writers still work. */
static void keys_fail_cleanly(void **state) {
  layer_info l = fixture_layer();
  for (size_t n = 0; n <= N_FIELDS + 2; n++) { /* n: the allocation that fails, 0 none */
    arena *a = arena_create(0);
    arena_fail_after(a, n);
    features_cols c = {&l, FIELDS, N_FIELDS, false, NULL};
    features_cols_keys(&c, a);
    if (n >= 1 && n <= N_FIELDS + 1) assert_null(c.keys); /* the array, then each key */
    else assert_non_null(c.keys);
    arena_destroy(a);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(same_bytes_as_the_general_writer),
      cmocka_unit_test(leaves_the_rest_to_the_general_writer),
      cmocka_unit_test(keys_fail_cleanly),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
