/* The MVT decoder: tiles our layer builder writes read back with the same features (geometry
 * of every type, rings classified into polygons, ids, every value kind), the spec's geometry
 * examples (MVT 2.1 §4.3.5) as raw bytes, version-1 winding, and malformed tiles refused with
 * ERR_INVALID: every truncation of a valid tile, wrong wire types, lengths past the end,
 * commands out of grammar, indexes out of range, cursors out of bounds. Tiles written by
 * independent encoders (GDAL, the npm geojson-vt) are checked in tests/http/test_mvt_decode.sh. */
#include "check.h"
#include "mvt/decode.h"
#include "mvt/mvt.h"

static const tile_pt SQUARE[] = {{0, 0}, {10, 0}, {10, 10}, {0, 10}};     /* positive area */
static const tile_pt HOLE[] = {{2, 2}, {2, 4}, {4, 4}, {4, 2}};           /* negative */
static const tile_pt SQUARE2[] = {{20, 20}, {30, 20}, {30, 30}, {20, 30}};

static void add(mvt_layer *l, bool has_id, uint64_t id, const tile_geom *g, const char *key,
                value v) {
  const char *keys[] = {key};
  mvt_feature f = {.has_id = has_id, .id = id, .geom = g, .keys = keys, .values = &v,
                   .n_props = key ? 1 : 0};
  bool kept = false;
  assert_int_equal(mvt_layer_add_feature(l, &f, &kept, NULL), ERR_OK);
  assert_true(kept);
}

static void build_tile(buf *tile) {
  mvt_layer *l = NULL;
  assert_int_equal(mvt_layer_create("cosas", 4096, 0, &l, NULL), ERR_OK);
  tile_pt pts[] = {{5, 6}, {7, 8}};
  uint32_t one[] = {2};
  tile_geom mp = {.type = GEOM_POINT, .pts = pts, .part_end = one, .n_pts = 2, .n_parts = 1};
  add(l, true, 42, &mp, "nombre", (value){.kind = VALUE_TEXT, .s = "Río Turbio", .len = 11});
  tile_pt line[] = {{0, 0}, {100, 0}, {100, 50}, {-20, 70}, {-21, 71}};
  uint32_t line_end[] = {3, 5};
  tile_geom ml = {.type = GEOM_LINESTRING, .pts = line, .part_end = line_end, .n_pts = 5,
                  .n_parts = 2};
  add(l, false, 0, &ml, "largo", (value){.kind = VALUE_REAL, .d = 12.5});
  tile_pt poly[12];
  memcpy(poly, SQUARE, sizeof SQUARE);
  memcpy(poly + 4, HOLE, sizeof HOLE);
  memcpy(poly + 8, SQUARE2, sizeof SQUARE2);
  uint32_t rings[] = {4, 8, 12}, polys[] = {2, 3};
  tile_geom mpoly = {.type = GEOM_POLYGON, .pts = poly, .part_end = rings, .poly_end = polys,
                     .n_pts = 12, .n_parts = 3, .n_polys = 2};
  add(l, true, 7, &mpoly, "n", (value){.kind = VALUE_INT, .i = -3});
  add(l, true, 8, &mpoly, "b", (value){.kind = VALUE_BOOL, .i = 1});
  add(l, true, 9, &mpoly, "u", (value){.kind = VALUE_INT, .i = 1000000});
  add(l, true, 10, &mpoly, NULL, (value){0});
  assert_int_equal(mvt_layer_finish(l, tile, NULL), ERR_OK);
  mvt_layer_destroy(l);
  assert_int_equal(mvt_layer_create("vacia", 512, 0, &l, NULL), ERR_OK);
  add(l, false, 0, &mp, NULL, (value){0});
  assert_int_equal(mvt_layer_finish(l, tile, NULL), ERR_OK);
  mvt_layer_destroy(l);
}

/* The value of key in feature f of layer l, or NULL. */
static const value *prop(const mvt_decoded_layer *l, const mvt_decoded_feature *f,
                         const char *key) {
  for (uint32_t i = 0; i < f->n_tags; i += 2)
    if (strcmp(l->keys[f->tags[i]], key) == 0) return &l->values[f->tags[i + 1]];
  return NULL;
}

static void pt_equal(map_pt p, double x, double y) {
  assert_true(p.x == x && p.y == y);
}

static void our_tiles_read_back(void **state) {
  (void)state;
  buf tile;
  buf_init(&tile, 0);
  build_tile(&tile);
  arena *a = arena_create(0);
  mvt_decoded_tile t;
  err e;
  assert_int_equal(mvt_tile_decode(tile.data, tile.len, a, &t, &e), ERR_OK);
  assert_int_equal(t.n_layers, 2);
  const mvt_decoded_layer *l = mvt_decoded_find(&t, "cosas");
  assert_non_null(l);
  assert_int_equal(l->version, 2);
  assert_int_equal(l->extent, 4096);
  assert_int_equal(l->n_features, 6);
  assert_int_equal(mvt_decoded_find(&t, "vacia")->extent, 512);
  assert_null(mvt_decoded_find(&t, "otra"));

  const mvt_decoded_feature *f = &l->features[0];
  assert_true(f->has_id && f->id == 42);
  assert_int_equal(f->g.type, GEOM_POINT);
  assert_int_equal(f->g.n_pts, 2);
  assert_int_equal(f->g.n_parts, 1);
  pt_equal(f->g.pts[0], 5, 6);
  pt_equal(f->g.pts[1], 7, 8);
  const value *v = prop(l, f, "nombre");
  assert_true(v && v->kind == VALUE_TEXT && v->len == 11 && !memcmp(v->s, "Río Turbio", 11));

  f = &l->features[1];
  assert_false(f->has_id);
  assert_int_equal(f->g.type, GEOM_LINESTRING);
  assert_int_equal(f->g.n_parts, 2);
  assert_int_equal(f->g.part_end[0], 3);
  pt_equal(f->g.pts[3], -20, 70);
  v = prop(l, f, "largo");
  assert_true(v && v->kind == VALUE_REAL && v->d == 12.5);

  f = &l->features[2];
  assert_int_equal(f->g.type, GEOM_POLYGON);
  assert_int_equal(f->g.n_polys, 2);
  assert_int_equal(f->g.n_parts, 3);
  assert_int_equal(f->g.poly_end[0], 2);
  assert_int_equal(f->g.n_pts, 15); /* rings closed */
  pt_equal(f->g.pts[4], 0, 0);
  pt_equal(f->g.pts[5], 2, 2);
  v = prop(l, f, "n");
  assert_true(v && v->kind == VALUE_INT && v->i == -3);
  v = prop(l, &l->features[3], "b");
  assert_true(v && v->kind == VALUE_BOOL && v->i == 1);
  v = prop(l, &l->features[4], "u");
  assert_true(v && v->kind == VALUE_INT && v->i == 1000000);
  assert_int_equal(l->features[5].n_tags, 0);
  arena_destroy(a);
  buf_free(&tile);
}

/* Raw tiles: one layer "l" (version 2) of one feature of the given type and commands. */
static size_t raw_tile(uint8_t *out, int type, const uint8_t *cmds, size_t n_cmds) {
  uint8_t feat[256], layer[300];
  size_t nf = 0, nl = 0, n = 0;
  feat[nf++] = 0x18, feat[nf++] = (uint8_t)type;     /* type */
  feat[nf++] = 0x22, feat[nf++] = (uint8_t)n_cmds;   /* geometry, packed */
  memcpy(feat + nf, cmds, n_cmds);
  nf += n_cmds;
  layer[nl++] = 0x78, layer[nl++] = 2;               /* version 2 */
  layer[nl++] = 0x0a, layer[nl++] = 1, layer[nl++] = 'l';
  layer[nl++] = 0x12, layer[nl++] = (uint8_t)nf;
  memcpy(layer + nl, feat, nf);
  nl += nf;
  out[n++] = 0x1a, out[n++] = (uint8_t)nl;
  memcpy(out + n, layer, nl);
  return n + nl;
}

static err_code decode_raw(int type, const uint8_t *cmds, size_t n_cmds, mvt_decoded_tile *t,
                           arena *a) {
  uint8_t tile[400];
  size_t n = raw_tile(tile, type, cmds, n_cmds);
  err e;
  return mvt_tile_decode(tile, n, a, t, &e);
}

/* MVT 2.1 §4.3.5: the spec's own examples, command integers as the spec lists them. */
static void spec_examples(void **state) {
  (void)state;
  arena *a = arena_create(0);
  mvt_decoded_tile t;
  /* 4.3.5.1 point (25,17): [9, 50, 34] */
  const uint8_t point[] = {9, 50, 34};
  assert_int_equal(decode_raw(1, point, sizeof point, &t, a), ERR_OK);
  pt_equal(t.layers[0].features[0].g.pts[0], 25, 17);
  /* 4.3.5.3 linestring (2,2) (2,10) (10,10): [9, 4, 4, 18, 0, 16, 16, 0] */
  const uint8_t line[] = {9, 4, 4, 18, 0, 16, 16, 0};
  assert_int_equal(decode_raw(2, line, sizeof line, &t, a), ERR_OK);
  const geom *g = &t.layers[0].features[0].g;
  assert_int_equal(g->n_pts, 3);
  pt_equal(g->pts[2], 10, 10);
  /* 4.3.5.5 polygon (3,6) (8,12) (20,34): [9, 6, 12, 18, 10, 12, 24, 44, 15] */
  const uint8_t poly[] = {9, 6, 12, 18, 10, 12, 24, 44, 15};
  assert_int_equal(decode_raw(3, poly, sizeof poly, &t, a), ERR_OK);
  g = &t.layers[0].features[0].g;
  assert_int_equal(g->n_polys, 1);
  assert_int_equal(g->n_pts, 4);
  pt_equal(g->pts[3], 3, 6);
  /* version-1 winding: the same triangle reversed is still one polygon, not a lone hole */
  const uint8_t rev[] = {9, 6, 12, 18, 34, 56, 23, 43, 15};
  assert_int_equal(decode_raw(3, rev, sizeof rev, &t, a), ERR_OK);
  assert_int_equal(t.layers[0].features[0].g.n_polys, 1);
  /* a ring of zero area is dropped, and a feature left empty with it */
  const uint8_t flat[] = {9, 0, 0, 26, 2, 0, 2, 0, 2, 0, 15};
  assert_int_equal(decode_raw(3, flat, sizeof flat, &t, a), ERR_OK);
  assert_int_equal(t.layers[0].n_features, 0);
  /* UNKNOWN geometry type: skipped */
  assert_int_equal(decode_raw(0, point, sizeof point, &t, a), ERR_OK);
  assert_int_equal(t.layers[0].n_features, 0);
  arena_destroy(a);
}

static void malformed_geometries_are_refused(void **state) {
  (void)state;
  arena *a = arena_create(0);
  mvt_decoded_tile t;
  static const struct {
    int type;
    uint8_t cmds[12];
    size_t n;
  } bad[] = {
      {1, {9, 50}, 2},                       /* a MoveTo missing a parameter */
      {1, {17, 50, 34}, 3},                  /* MoveTo of 2 points, 1 given */
      {1, {10, 2, 2}, 3},                    /* LineTo in a point geometry */
      {2, {9, 4, 4}, 3},                     /* a line of one point */
      {2, {10, 4, 4}, 3},                    /* LineTo before MoveTo */
      {2, {9, 4, 4, 10, 2, 2, 15}, 7},       /* ClosePath in a line */
      {2, {17, 4, 4, 2, 2}, 5},              /* MoveTo of 2 in a line */
      {3, {9, 6, 12, 10, 10, 12, 15}, 7},    /* a ring of 2 points */
      {3, {9, 6, 12, 18, 10, 12, 24, 44}, 8},/* a ring never closed */
      {3, {9, 6, 12, 18, 10, 12, 24, 44, 23}, 9}, /* ClosePath count 2 */
      {1, {12, 1, 1}, 3},                    /* command 4 */
      {1, {8, 1, 1}, 3},                     /* MoveTo count 0 */
      {1, {9, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0}, 7}, /* a cursor past the bound */
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    err_code rc = decode_raw(bad[i].type, bad[i].cmds, bad[i].n, &t, a);
    if (rc != ERR_INVALID) fail_msg("case %zu decoded (%d)", i, rc);
  }
  arena_destroy(a);
}

static void malformed_tiles_are_refused(void **state) {
  (void)state;
  arena *a = arena_create(0);
  mvt_decoded_tile t;
  err e;
  static const struct {
    uint8_t b[16];
    size_t n;
  } bad[] = {
      {{0x1a, 0x05, 0x0a}, 3},                             /* length past the end */
      {{0x1a, 0x80}, 2},                                   /* truncated length */
      {{0x1b}, 1},                                         /* group (wire 3) */
      {{0x19, 1, 2, 3}, 4},                                /* truncated fixed64 */
      {{0x00, 0x00}, 2},                                   /* field number 0 */
      {{0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, 11}, /* varint > 64 bits */
      {{0x1a, 0x02, 0x78, 0x02}, 4},                       /* a layer without a name */
      {{0x1a, 0x05, 0x78, 0x03, 0x0a, 0x01, 'l'}, 7},      /* version 3 */
      {{0x1a, 0x05, 0x28, 0x00, 0x0a, 0x01, 'l'}, 7},      /* extent 0 */
      {{0x1a, 0x05, 0x08, 0x00, 0x0a, 0x01, 'l'}, 5},      /* truncated inside the layer */
      {{0x1a, 0x03, 0x0d, 0, 0}, 5},                       /* name as fixed32 */
      {{0x1a, 0x09, 0x0a, 0x01, 'l', 0x12, 0x04, 0x12, 0x02, 0x00, 0x00}, 11}, /* key 0 of 0 */
      {{0x1a, 0x09, 0x0a, 0x01, 'l', 0x12, 0x04, 0x12, 0x02, 0x80, 0x80}, 11}, /* truncated tags */
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    err_code rc = mvt_tile_decode(bad[i].b, bad[i].n, a, &t, &e);
    if (rc != ERR_INVALID) fail_msg("case %zu decoded (%d)", i, rc);
    assert_int_equal(t.n_layers, 0);
  }
  /* empty input: an empty tile */
  assert_int_equal(mvt_tile_decode(NULL, 0, a, &t, &e), ERR_OK);
  assert_int_equal(t.n_layers, 0);
  /* past the byte bound */
  assert_int_equal(mvt_tile_decode((const uint8_t *)"", (size_t)MVT_DECODE_MAX_BYTES + 1, a, &t,
                                   &e), ERR_LIMIT);
  arena_destroy(a);
}

/* Every prefix of a valid tile, and every single-byte corruption, decodes or is refused; under
 * ASan this is the proof that no read leaves the input. */
static void truncations_and_corruptions(void **state) {
  (void)state;
  buf tile;
  buf_init(&tile, 0);
  build_tile(&tile);
  arena *a = arena_create(0);
  mvt_decoded_tile t;
  err e;
  for (size_t n = 0; n < tile.len; n++) {
    uint8_t *copy = malloc(n ? n : 1); /* exact size, so ASan sees any overread */
    memcpy(copy, tile.data, n);
    err_code rc = mvt_tile_decode(copy, n, a, &t, &e);
    assert_true(rc == ERR_OK || rc == ERR_INVALID);
    free(copy);
    arena_reset(a);
  }
  size_t oks = 0;
  for (size_t i = 0; i < tile.len; i++) {
    static const uint8_t flips[] = {0x00, 0xff, 0x80, 0x7f, 0x01};
    for (size_t k = 0; k < sizeof flips; k++) {
      uint8_t *copy = malloc(tile.len);
      memcpy(copy, tile.data, tile.len);
      copy[i] = flips[k];
      err_code rc = mvt_tile_decode(copy, tile.len, a, &t, &e);
      assert_true(rc == ERR_OK || rc == ERR_INVALID || rc == ERR_LIMIT);
      oks += rc == ERR_OK;
      free(copy);
      arena_reset(a);
    }
  }
  assert_true(oks > 0);
  arena_destroy(a);
  buf_free(&tile);
}

/* An arena that fails partway (its cap, or an injected fault) is an error, never a crash. */
static void arena_faults(void **state) {
  (void)state;
  buf tile;
  buf_init(&tile, 0);
  build_tile(&tile);
  for (size_t n = 0; n < 40; n++) {
    arena *a = arena_create(0);
    arena_fail_after(a, n);
    mvt_decoded_tile t;
    err_code rc = mvt_tile_decode(tile.data, tile.len, a, &t, NULL);
    assert_true(rc == ERR_OK || rc == ERR_NOMEM);
    if (rc != ERR_OK) assert_int_equal(t.n_layers, 0);
    arena_destroy(a);
  }
  buf_free(&tile);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(our_tiles_read_back),
      cmocka_unit_test(spec_examples),
      cmocka_unit_test(malformed_geometries_are_refused),
      cmocka_unit_test(malformed_tiles_are_refused),
      cmocka_unit_test(truncations_and_corruptions),
      cmocka_unit_test(arena_faults),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
