/* The MVT layer builder: the geometry examples of MVT 2.1 §4.3.5 and a whole tile compared byte
 * for byte with a hand-computed encoding; key/value dedup, value types, null, rollback, limits.
 * A small decoder below reads tiles back so the tests speak of keys and values, not offsets. */
#include "check.h"
#include "mvt/mvt.h"
#include "mvt/mvt_int.h"

/* ---- a minimal reader of our own tiles ---- */

typedef struct span {
  const uint8_t *p;
  size_t n;
} span;

typedef struct layer_view {
  span name;
  uint64_t version, extent;
  size_t n_features, n_keys, n_values;
  span features[8], keys[16], values[16]; /* the first few of each */
} layer_view;

static uint64_t varint(const uint8_t *p, size_t n, size_t *off) {
  uint64_t v = 0;
  for (unsigned s = 0; *off < n; s += 7) {
    uint8_t b = p[(*off)++];
    v |= (uint64_t)(b & 0x7f) << s;
    if (!(b & 0x80)) return v;
  }
  fail_msg("truncated varint");
  return 0;
}

typedef struct field {
  uint64_t num, v;
  span s; /* the bytes of a length-delimited field */
} field;

/* Reads the field at *off of message m; false at its end. */
static bool next_field(span m, size_t *off, field *f) {
  if (*off >= m.n) return false;
  uint64_t tag = varint(m.p, m.n, off);
  f->num = tag >> 3;
  f->v = 0;
  f->s = (span){NULL, 0};
  switch (tag & 7) {
    case 0: f->v = varint(m.p, m.n, off); break;
    case 1: *off += 8; break;
    case 2:
      f->v = varint(m.p, m.n, off);
      f->s = (span){m.p + *off, (size_t)f->v};
      *off += (size_t)f->v;
      break;
    default: fail_msg("bad wire type");
  }
  assert_true(*off <= m.n);
  return true;
}

static void keep(span *arr, size_t max, size_t *n, span s) {
  if (*n < max) arr[*n] = s;
  (*n)++;
}

static layer_view read_layer(span tile, size_t index) {
  layer_view lv;
  memset(&lv, 0, sizeof lv);
  size_t off = 0, seen = 0;
  field f, g;
  while (next_field(tile, &off, &f)) {
    assert_int_equal(f.num, 3); /* Tile.layers */
    if (seen++ != index) continue;
    size_t lo = 0;
    bool first = true;
    while (next_field(f.s, &lo, &g)) {
      if (first) assert_int_equal(g.num, 15); /* version first (§4.1) */
      first = false;
      switch (g.num) {
        case 15: lv.version = g.v; break;
        case 1: lv.name = g.s; break;
        case 2: keep(lv.features, 8, &lv.n_features, g.s); break;
        case 3: keep(lv.keys, 16, &lv.n_keys, g.s); break;
        case 4: keep(lv.values, 16, &lv.n_values, g.s); break;
        case 5: lv.extent = g.v; break;
        default: fail_msg("unexpected layer field");
      }
    }
    return lv;
  }
  fail_msg("no such layer");
  return lv;
}

static span tile_of(const buf *b) { return (span){b->data, b->len}; }

static void span_is(span s, const void *want, size_t n) {
  assert_int_equal(s.n, n);
  assert_memory_equal(s.p, want, n);
}

#define SPAN_IS(s, ...)                                             \
  do {                                                              \
    const uint8_t w_[] = {__VA_ARGS__};                             \
    span_is((s), w_, sizeof w_);                                    \
  } while (0)

/* ---- geometries ---- */

#define N(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

static void encodes_as(const tile_geom *g, const uint32_t *want, size_t n) {
  mvt_u32s out = {0};
  assert_int_equal(mvt_geom_encode(g, &out, NULL), ERR_OK);
  assert_int_equal(out.n, n);
  for (size_t i = 0; i < n; i++) assert_int_equal(out.v[i], want[i]);
  mvt_u32s_free(&out);
}

static void spec_geometry_examples(void **state) {
  tile_pt p1[] = {{25, 17}};
  uint32_t e1[] = {1};
  encodes_as(&(tile_geom){GEOM_POINT, p1, e1, NULL, 1, 1, 0},
             (uint32_t[]){9, 50, 34}, 3); /* §4.3.5.1 */
  tile_pt p2[] = {{5, 7}, {3, 2}};
  uint32_t e2[] = {2};
  encodes_as(&(tile_geom){GEOM_POINT, p2, e2, NULL, 2, 1, 0},
             (uint32_t[]){17, 10, 14, 3, 9}, 5); /* §4.3.5.2 */
  tile_pt p3[] = {{2, 2}, {2, 10}, {10, 10}, {1, 1}, {3, 5}};
  uint32_t e3[] = {3, 5};
  encodes_as(&(tile_geom){GEOM_LINESTRING, p3, e3, NULL, 3, 1, 0},
             (uint32_t[]){9, 4, 4, 18, 0, 16, 16, 0}, 8); /* §4.3.5.3 */
  encodes_as(&(tile_geom){GEOM_LINESTRING, p3, e3, NULL, 5, 2, 0},
             (uint32_t[]){9, 4, 4, 18, 0, 16, 16, 0, 9, 17, 17, 10, 4, 8}, 14); /* §4.3.5.4 */
  tile_pt p5[] = {{3, 6}, {8, 12}, {20, 34}};
  uint32_t e5[] = {3}, q5[] = {1};
  encodes_as(&(tile_geom){GEOM_POLYGON, p5, e5, q5, 3, 1, 1},
             (uint32_t[]){9, 6, 12, 18, 10, 12, 24, 44, 15}, 9); /* §4.3.5.5 */
  tile_pt p6[] = {{0, 0},   {10, 0},  {10, 10}, {0, 10}, {11, 11}, {20, 11},
                  {20, 20}, {11, 20}, {13, 13}, {13, 17}, {17, 17}, {17, 13}};
  uint32_t e6[] = {4, 8, 12}, q6[] = {1, 3};
  encodes_as(&(tile_geom){GEOM_POLYGON, p6, e6, q6, 12, 3, 2},
             (uint32_t[]){9, 0,  0,  26, 20, 0, 0, 20, 19, 0, 15, 9, 22, 2, 26, 18, 0,
                          0, 18, 17, 0,  15, 9, 4, 13, 26, 0, 8, 8, 0,  0, 7,  15},
             33); /* §4.3.5.6 */
}

/* Long lines, as a z10 tile of rivers has them: many parts of hundreds of points (the encoder
 * reserves room per part, and varints of one to five bytes), compared with a packed field of
 * command integers written here from the spec (§4.3.2-4.3.4.3) and pbf_put_packed_uint32. */
static void long_lines_as_the_spec_packs_them(void **state) {
  enum { PARTS = 7, PER = 300, PTS = PARTS * PER };
  static tile_pt p[PTS];
  static uint32_t want[PARTS * (2 * PER + 2)];
  uint32_t ends[PARTS], n = 0;
  int64_t cx = 0, cy = 0;
  for (uint32_t k = 0; k < PARTS; k++) {
    for (uint32_t i = 0; i < PER; i++) {
      uint32_t j = k * PER + i;
      /* steps of 1 unit to 2^30, both signs, never zero */
      int32_t step = (int32_t)(1u << (j % 31)) / 2 + 1;
      p[j] = (tile_pt){(j % 3 ? step : -step) / 4 + (int32_t)k, (int32_t)(j * 7 + k)};
      if (i == 0) want[n++] = 1 | (1u << 3);
      if (i == 1) want[n++] = 2 | ((uint32_t)(PER - 1) << 3);
      int64_t dx = p[j].x - cx, dy = p[j].y - cy;
      want[n++] = (uint32_t)(((uint64_t)dx << 1) ^ (dx < 0 ? UINT64_MAX : 0)); /* zigzag */
      want[n++] = (uint32_t)(((uint64_t)dy << 1) ^ (dy < 0 ? UINT64_MAX : 0));
      cx = p[j].x;
      cy = p[j].y;
    }
    ends[k] = (k + 1) * PER;
  }
  tile_geom g = {GEOM_LINESTRING, p, ends, NULL, PTS, PARTS, 0};
  encodes_as(&g, want, n);
  buf got, ref;
  buf_init(&got, 0);
  buf_init(&ref, 0);
  assert_int_equal(mvt_geom_encode_bytes(&g, &got, NULL), ERR_OK);
  pbf_put_packed_uint32(&ref, 4, want, n);
  size_t head = pbf_tag_size(4) + pbf_varint_size(got.len); /* the field's tag and length */
  assert_int_equal(ref.len, head + got.len);
  assert_memory_equal(ref.data + head, got.data, got.len);
  buf_free(&got);
  buf_free(&ref);
  (void)state;
}

static err_code encode(geom_type t, tile_pt *pts, uint32_t *ends, uint32_t *polys, uint32_t n) {
  mvt_u32s out = {0};
  tile_geom g = {t, pts, ends, polys, n, 1, polys ? 1 : 0};
  err e;
  err_code rc = mvt_geom_encode(&g, &out, &e);
  mvt_u32s_free(&out);
  return rc;
}

static void invalid_geometries_are_refused(void **state) {
  uint32_t e1[] = {3}, q1[] = {1}, e2[] = {4}, e3[] = {2}, past[] = {5};
  tile_pt ccw[] = {{0, 0}, {0, 10}, {10, 10}}; /* negative area: a hole, not an exterior */
  assert_int_equal(encode(GEOM_POLYGON, ccw, e1, q1, 3), ERR_INVALID);
  tile_pt closed[] = {{0, 0}, {10, 0}, {10, 10}, {0, 0}}; /* repeated closing point */
  assert_int_equal(encode(GEOM_POLYGON, closed, e2, q1, 4), ERR_INVALID);
  tile_pt dup[] = {{0, 0}, {0, 0}, {1, 1}}; /* zero-length LineTo (§4.3.3.2) */
  assert_int_equal(encode(GEOM_LINESTRING, dup, e1, NULL, 3), ERR_INVALID);
  assert_int_equal(encode(GEOM_LINESTRING, dup, past, NULL, 3), ERR_INVALID); /* bad layout */
  tile_pt far[] = {{INT32_MIN, 0}, {INT32_MAX, 0}}; /* delta beyond ±(2^31 - 1) (§4.3.2) */
  assert_int_equal(encode(GEOM_LINESTRING, far, e3, NULL, 2), ERR_INVALID);
  tile_pt ok[] = {{0, 0}, {10, 0}, {10, 10}};
  assert_int_equal(encode(GEOM_POLYGON, ok, e1, q1, 3), ERR_OK);
}

/* ---- layers ---- */

static tile_pt PT[] = {{25, 17}};
static uint32_t PT_END[] = {1};
static const tile_geom POINT = {GEOM_POINT, PT, PT_END, NULL, 1, 1, 0};
static const tile_geom EMPTY = {GEOM_POINT, NULL, NULL, NULL, 0, 0, 0};

static value text(const char *s) { return (value){VALUE_TEXT, 0, 0, s, strlen(s)}; }
static value integer(int64_t i) { return (value){VALUE_INT, i, 0, NULL, 0}; }

static mvt_layer *new_layer(const char *name, size_t limit) {
  mvt_layer *l;
  assert_int_equal(mvt_layer_create(name, 4096, limit, &l, NULL), ERR_OK);
  return l;
}

static void add(mvt_layer *l, uint64_t id, const tile_geom *g, const char *key, value v) {
  bool kept;
  assert_int_equal(mvt_layer_feature_begin(l, true, id, NULL), ERR_OK);
  assert_int_equal(mvt_layer_feature_geom(l, g, NULL), ERR_OK);
  if (key) assert_int_equal(mvt_layer_feature_prop(l, key, &v, NULL), ERR_OK);
  assert_int_equal(mvt_layer_feature_end(l, &kept, NULL), ERR_OK);
  assert_int_equal(kept, g->n_pts > 0);
}

static void known_tile_bytes(void **state) {
  mvt_layer *l = new_layer("pts", 0);
  add(l, 1, &POINT, "name", text("a"));
  buf tile;
  buf_init(&tile, 0);
  assert_int_equal(mvt_layer_finish(l, &tile, NULL), ERR_OK);
  const uint8_t want[] = {
      0x1a, 0x24,                         /* Tile.layers (3, LEN), 36 bytes */
      0x78, 0x02,                         /* version (15) = 2 */
      0x0a, 0x03, 'p', 't', 's',          /* name (1) */
      0x12, 0x0d,                         /* features (2), 13 bytes: */
      0x08, 0x01,                         /*   id (1) = 1 */
      0x12, 0x02, 0x00, 0x00,             /*   tags (2, packed) = [0, 0] */
      0x18, 0x01,                         /*   type (3) = POINT */
      0x22, 0x03, 0x09, 0x32, 0x22,       /*   geometry (4, packed) = [9, 50, 34] */
      0x1a, 0x04, 'n', 'a', 'm', 'e',     /* keys (3) */
      0x22, 0x03, 0x0a, 0x01, 'a',        /* values (4): Value{string_value (1) = "a"} */
      0x28, 0x80, 0x20,                   /* extent (5) = 4096 */
  };
  assert_int_equal(tile.len, sizeof want);
  assert_memory_equal(tile.data, want, sizeof want);
  assert_int_equal(mvt_layer_size(l), sizeof want);
  buf_free(&tile);
  mvt_layer_destroy(l);
}

static void keys_and_values_are_deduplicated(void **state) {
  mvt_layer *l = new_layer("parks", 0);
  add(l, 1, &POINT, "kind", text("park"));
  add(l, 2, &POINT, "kind", text("park"));
  buf tile;
  buf_init(&tile, 0);
  assert_int_equal(mvt_layer_finish(l, &tile, NULL), ERR_OK);
  layer_view lv = read_layer(tile_of(&tile), 0);
  assert_int_equal(lv.n_features, 2);
  assert_int_equal(lv.n_keys, 1);
  assert_int_equal(lv.n_values, 1);
  assert_int_equal(mvt_layer_feature_count(l), 2);
  buf_free(&tile);
  mvt_layer_destroy(l);
}

static void values_keep_their_types(void **state) {
  mvt_layer *l = new_layer("typed", 0);
  const char *keys[] = {"s", "i", "d", "b", "n", "z", "s"};
  value vals[] = {text("1"),
                  integer(1),
                  {VALUE_REAL, 0, 1.0, NULL, 0},
                  {VALUE_BOOL, 1, 0, NULL, 0},
                  integer(-5),
                  {VALUE_NULL, 0, 0, NULL, 0},
                  text("second value of s: ignored")};
  mvt_feature f = {false, 0, &POINT, keys, vals, 7};
  bool kept;
  assert_int_equal(mvt_layer_add_feature(l, &f, &kept, NULL), ERR_OK);
  assert_true(kept);
  buf tile;
  buf_init(&tile, 0);
  assert_int_equal(mvt_layer_finish(l, &tile, NULL), ERR_OK);
  layer_view lv = read_layer(tile_of(&tile), 0);
  assert_int_equal(lv.n_keys, 5); /* null omitted, repeated key ignored */
  assert_int_equal(lv.n_values, 5);
  SPAN_IS(lv.keys[4], 'n');
  SPAN_IS(lv.values[0], 0x0a, 0x01, '1');                       /* string_value "1" */
  SPAN_IS(lv.values[1], 0x28, 0x01);                            /* uint_value 1 */
  SPAN_IS(lv.values[2], 0x19, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f);    /* double_value 1.0 */
  SPAN_IS(lv.values[3], 0x38, 0x01);                            /* bool_value true */
  SPAN_IS(lv.values[4], 0x30, 0x09);                            /* sint_value -5 */
  /* The feature: no id, tags [0,0, 1,1, 2,2, 3,3, 4,4]. */
  SPAN_IS(lv.features[0], 0x12, 0x0a, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 0x18, 0x01, 0x22, 0x03, 0x09,
          0x32, 0x22);
  buf_free(&tile);
  mvt_layer_destroy(l);
}

static void empty_feature_is_rolled_back(void **state) {
  mvt_layer *with = new_layer("l", 0), *without = new_layer("l", 0);
  add(with, 1, &POINT, "kind", text("park"));
  add(with, 2, &EMPTY, "only", text("in the empty feature"));
  add(with, 3, &POINT, "kind", text("well"));
  add(without, 1, &POINT, "kind", text("park"));
  add(without, 3, &POINT, "kind", text("well"));
  /* An explicit rollback after properties, too: its new key and value go, "kind" stays. */
  value v = text("zzz");
  assert_int_equal(mvt_layer_feature_begin(with, false, 0, NULL), ERR_OK);
  assert_int_equal(mvt_layer_feature_geom(with, &POINT, NULL), ERR_OK);
  assert_int_equal(mvt_layer_feature_prop(with, "kind", &v, NULL), ERR_OK);
  assert_int_equal(mvt_layer_feature_prop(with, "other", &v, NULL), ERR_OK);
  mvt_layer_feature_rollback(with);
  /* A feature with no geometry at all ends rolled back too. */
  bool kept = true;
  assert_int_equal(mvt_layer_feature_begin(with, false, 0, NULL), ERR_OK);
  assert_int_equal(mvt_layer_feature_end(with, &kept, NULL), ERR_OK);
  assert_false(kept);
  buf a, b;
  buf_init(&a, 0);
  buf_init(&b, 0);
  assert_int_equal(mvt_layer_finish(with, &a, NULL), ERR_OK);
  assert_int_equal(mvt_layer_finish(without, &b, NULL), ERR_OK);
  assert_int_equal(mvt_layer_feature_count(with), 2);
  assert_int_equal(a.len, b.len);
  assert_memory_equal(a.data, b.data, a.len);
  buf_free(&a);
  buf_free(&b);
  mvt_layer_destroy(with);
  mvt_layer_destroy(without);
}

static void invalid_geometry_drops_only_that_feature(void **state) {
  mvt_layer *l = new_layer("l", 0);
  tile_pt ccw[] = {{0, 0}, {0, 10}, {10, 10}};
  uint32_t e1[] = {3}, q1[] = {1};
  tile_geom bad = {GEOM_POLYGON, ccw, e1, q1, 3, 1, 1};
  err e;
  bool kept = true;
  assert_int_equal(mvt_layer_feature_begin(l, true, 9, NULL), ERR_OK);
  assert_int_equal(mvt_layer_feature_geom(l, &bad, &e), ERR_INVALID);
  assert_int_equal(mvt_layer_feature_end(l, &kept, NULL), ERR_OK);
  assert_false(kept);
  add(l, 1, &POINT, NULL, text(""));
  assert_int_equal(mvt_layer_feature_count(l), 1);
  mvt_layer_destroy(l);
}

static void byte_limit_is_sticky(void **state) {
  mvt_layer *l = new_layer("l", 200);
  err e;
  err_code rc = ERR_OK;
  int added = 0;
  for (int i = 0; i < 100 && rc == ERR_OK; i++) {
    char s[32];
    snprintf(s, sizeof s, "a distinct value %04d", i);
    value v = text(s);
    bool kept;
    rc = mvt_layer_feature_begin(l, true, (uint64_t)i, &e);
    if (!rc) rc = mvt_layer_feature_geom(l, &POINT, &e);
    if (!rc) rc = mvt_layer_feature_prop(l, "k", &v, &e);
    if (!rc) rc = mvt_layer_feature_end(l, &kept, &e);
    if (!rc) added++;
  }
  assert_int_equal(rc, ERR_LIMIT);
  assert_true(added > 0 && added < 10);
  assert_int_equal(mvt_layer_feature_begin(l, false, 0, &e), ERR_LIMIT);
  assert_int_equal(e.code, ERR_LIMIT);
  buf tile;
  buf_init(&tile, 0);
  assert_int_equal(mvt_layer_finish(l, &tile, &e), ERR_LIMIT);
  assert_int_equal(tile.len, 0);
  buf_free(&tile);
  mvt_layer_destroy(l);
}

static void tile_limit_leaves_the_tile_intact(void **state) {
  mvt_layer *small = new_layer("a", 0), *big = new_layer("b", 0);
  add(small, 1, &POINT, NULL, text(""));
  for (uint64_t i = 0; i < 20; i++) add(big, i, &POINT, "kind", text("park"));
  buf tile;
  buf_init(&tile, 60);
  assert_int_equal(mvt_layer_finish(small, &tile, NULL), ERR_OK);
  size_t len = tile.len;
  err e;
  assert_int_equal(mvt_layer_finish(big, &tile, &e), ERR_LIMIT);
  assert_int_equal(tile.len, len);
  assert_false(tile.failed);
  buf_free(&tile);
  mvt_layer_destroy(small);
  mvt_layer_destroy(big);
}

static void several_layers_and_unique_names(void **state) {
  mvt_layer *a = new_layer("parks", 0), *b = new_layer("water", 0), *c = new_layer("parks", 0);
  mvt_layer *none = new_layer("empty", 0);
  add(a, 1, &POINT, "kind", text("park"));
  add(b, 1, &POINT, "kind", text("well"));
  add(c, 1, &POINT, NULL, text(""));
  buf tile;
  buf_init(&tile, 0);
  assert_int_equal(mvt_layer_finish(a, &tile, NULL), ERR_OK);
  assert_int_equal(mvt_layer_finish(b, &tile, NULL), ERR_OK);
  size_t len = tile.len;
  assert_int_equal(mvt_layer_finish(none, &tile, NULL), ERR_OK); /* no features: nothing */
  assert_int_equal(tile.len, len);
  err e;
  assert_int_equal(mvt_layer_finish(c, &tile, &e), ERR_INVALID); /* §4.1: names are unique */
  assert_int_equal(tile.len, len);
  layer_view l0 = read_layer(tile_of(&tile), 0), l1 = read_layer(tile_of(&tile), 1);
  span_is(l0.name, "parks", 5);
  span_is(l1.name, "water", 5);
  assert_int_equal(l1.version, 2);
  assert_int_equal(l1.extent, 4096);
  buf_free(&tile);
  mvt_layer_destroy(a);
  mvt_layer_destroy(b);
  mvt_layer_destroy(c);
  mvt_layer_destroy(none);
}

static void hundred_thousand_features(void **state) {
  /* Dedup through the hash tables: 100k features, 1000 distinct values, one key. */
  mvt_layer *l = new_layer("many", 0);
  for (int i = 0; i < 100000; i++) {
    char s[16];
    snprintf(s, sizeof s, "v%d", i % 1000);
    add(l, (uint64_t)i, &POINT, "name", text(s));
  }
  assert_int_equal(mvt_layer_feature_count(l), 100000);
  buf tile;
  buf_init(&tile, 0);
  assert_int_equal(mvt_layer_finish(l, &tile, NULL), ERR_OK);
  layer_view lv = read_layer(tile_of(&tile), 0);
  assert_int_equal(lv.n_features, 100000);
  assert_int_equal(lv.n_keys, 1);
  assert_int_equal(lv.n_values, 1000);
  buf_free(&tile);
  mvt_layer_destroy(l);
}

static void create_refuses_bad_arguments(void **state) {
  mvt_layer *l = (mvt_layer *)1;
  assert_int_equal(mvt_layer_create("", 4096, 0, &l, NULL), ERR_INVALID);
  assert_null(l);
  assert_int_equal(mvt_layer_create("x", 0, 0, &l, NULL), ERR_INVALID);
  mvt_layer_destroy(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(spec_geometry_examples),
      cmocka_unit_test(invalid_geometries_are_refused),
      cmocka_unit_test(known_tile_bytes),
      cmocka_unit_test(keys_and_values_are_deduplicated),
      cmocka_unit_test(values_keep_their_types),
      cmocka_unit_test(empty_feature_is_rolled_back),
      cmocka_unit_test(invalid_geometry_drops_only_that_feature),
      cmocka_unit_test(byte_limit_is_sticky),
      cmocka_unit_test(tile_limit_leaves_the_tile_intact),
      cmocka_unit_test(several_layers_and_unique_names),
      cmocka_unit_test(hundred_thousand_features),
      cmocka_unit_test(long_lines_as_the_spec_packs_them),
      cmocka_unit_test(create_refuses_bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
