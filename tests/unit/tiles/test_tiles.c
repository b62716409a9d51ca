/* Unit tests of tiles/: clusters from the precomputed pyramid equal clusters computed per tile,
 * byte for byte; the cache is bounded and keyed; ETags change with the layer version and the
 * filter, whose canonical text tells different filters apart. */
#include "check.h"
#include "importers/demo/demo.h"
#include "cache/cache.h"
#include "gen/pyramid.h"
#include "gen/gen.h"
#include "tiles/tiles.h"

static char DB[256];

static int setup(void **state) {
  check_tmp_path("leon.db", DB, sizeof DB);
  err e;
  demo_options opt = {.n_incidents = 8000};
  return demo_build(DB, &opt, &e) == ERR_OK ? 0 : -1;
}

static void pyramid_clusters_equal_scanned_clusters(void **state) {
  store_reader *r = NULL;
  const catalog *cat = NULL;
  err e;
  assert_int_equal(store_reader_open(DB, &r, &e), ERR_OK);
  assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  const layer_info *l = catalog_find(cat, "incidentes", 10);
  assert_non_null(l);
  assert_true(gen_cluster_below(l) > 0);
  pyramid_registry *reg = pyramid_registry_create();
  int checked = 0, nonempty = 0;
  /* clustered zooms read the pyramid; the zooms above use it to count points (up to z 20) */
  for (uint32_t z = (uint32_t)l->minzoom; z <= 20; z++) {
    /* every tile around the centre (-101.68, 21.12) at this zoom */
    map_pt c = geom_lonlat_to_tile((map_pt){-101.68, 21.12}, (geom_tile_id){z, 0, 0}, 1);
    for (int dy = -1; dy <= 1; dy++) {
      for (int dx = -1; dx <= 1; dx++) {
        tile_params p = {.tile = {z, (uint32_t)c.x + dx, (uint32_t)c.y + dy}, .extent = 4096,
                         .buffer = 64, .layers = {l}, .n_layers = 1};
        buf a, b;
        buf_init(&a, 0);
        buf_init(&b, 0);
        assert_int_equal(tiles_build(r, &p, &a, NULL, &e), ERR_OK);
        p.pyramids = reg;
        assert_int_equal(tiles_build(r, &p, &b, NULL, &e), ERR_OK);
        assert_int_equal(a.len, b.len);
        if (a.len) assert_memory_equal(a.data, b.data, a.len);
        nonempty += a.len > 0;
        checked++;
        buf_free(&a);
        buf_free(&b);
      }
    }
  }
  assert_true(checked >= 9 * 14 && nonempty >= 9 * 7);
  pyramid_registry_destroy(reg);
  store_reader_close(r);
}

static void cache_is_bounded_and_keyed(void **state) {
  cache *c = cache_create(4000);
  uint8_t data[900];
  memset(data, 7, sizeof data);
  char key[32];
  for (int i = 0; i < 10; i++) {
    snprintf(key, sizeof key, "k%d", i);
    cache_put(c, key, data, sizeof data);
  }
  cache_stats s = cache_get_stats(c);
  assert_true(s.bytes <= 4000);
  assert_int_equal(s.entries, 4);
  buf out;
  buf_init(&out, 0);
  assert_true(cache_get(c, "k9", &out));
  assert_int_equal(out.len, 900);
  assert_false(cache_get(c, "k0", &out)); /* evicted: least recently used */
  cache_put(c, "big", data, 2000);          /* more than a quarter: not kept */
  assert_false(cache_get(c, "big", &out));
  cache_put(c, "empty", NULL, 0);           /* empty tiles are worth caching */
  buf_reset(&out);
  assert_true(cache_get(c, "empty", &out));
  assert_int_equal(out.len, 0);
  buf_free(&out);
  cache_destroy(c);
}

/* tiles_serve builds a tile into the caller's buffer once, then hands the cached bytes over
 * pinned, raw and gzip alike; an empty tile is a hit of 0 bytes. */
static void serve_hands_hits_over_pinned(void **state) {
  store_reader *r = NULL;
  const catalog *cat = NULL;
  err e;
  assert_int_equal(store_reader_open(DB, &r, &e), ERR_OK);
  assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  cache *c = cache_create(1u << 24);
  map_pt at = geom_lonlat_to_tile((map_pt){-101.68, 21.12}, (geom_tile_id){14, 0, 0}, 1);
  tile_params p = {.tile = {14, (uint32_t)at.x, (uint32_t)at.y}, .extent = 4096, .buffer = 64,
                   .layers = {catalog_find(cat, "incidentes", 10)}, .n_layers = 1};
  for (int gz = 0; gz <= 1; gz++) {
    buf built, none;
    buf_init(&built, 0);
    buf_init(&none, 0);
    tile_served t = {.bytes = &built}, hit = {.bytes = &none};
    assert_int_equal(tiles_serve(r, c, &p, gz, &t, &e), ERR_OK);
    assert_null(t.pin);
    assert_true(built.len > 0);
    assert_int_equal(t.gzip, gz);
    assert_int_equal(tiles_serve(r, c, &p, gz, &hit, &e), ERR_OK);
    assert_non_null(hit.pin);
    assert_int_equal(none.len, 0);
    assert_int_equal(hit.gzip, gz);
    assert_int_equal(cache_entry_len(hit.pin), built.len);
    assert_memory_equal(cache_entry_data(hit.pin), built.data, built.len);
    cache_release(hit.pin);
    buf_free(&built);
    buf_free(&none);
  }
  p.tile = (geom_tile_id){14, 0, 0}; /* far from León: empty */
  for (int i = 0; i < 2; i++) {
    buf b;
    buf_init(&b, 0);
    tile_served t = {.bytes = &b};
    assert_int_equal(tiles_serve(r, c, &p, true, &t, &e), ERR_OK);
    assert_int_equal(i ? cache_entry_len(t.pin) : b.len, 0);
    assert_false(t.gzip);
    cache_release(t.pin);
    buf_free(&b);
  }
  cache_stats s = cache_get_stats(c);
  assert_int_equal(s.hits, 4); /* the second of each pair, and the raw tile for its gzip */
  assert_int_equal(s.pinned_unlinked, 0);
  cache_destroy(c);
  store_reader_close(r);
}

static void etag_follows_version_and_address(void **state) {
  layer_info l = {.id = "a", .version = 3};
  tile_params p = {.tile = {12, 891, 1801}, .layers = {&l}, .n_layers = 1};
  char e1[160], e2[160], e3[160];
  tiles_etag(&p, e1, sizeof e1);
  l.version = 4;
  tiles_etag(&p, e2, sizeof e2);
  p.tile.x++;
  tiles_etag(&p, e3, sizeof e3);
  assert_string_not_equal(e1, e2);
  assert_string_not_equal(e2, e3);
  assert_true(e1[0] == '"' && e1[strlen(e1) - 1] == '"');
}

/* out with its 8 hex digits at `at` replaced by "########" (the hash of the layers' ids and of
 * the build's output id, which moves with every build). */
static const char *masked(char *out, size_t at) {
  for (size_t i = at; i < at + 8; i++) {
    assert_true(strchr("0123456789abcdef", out[i]) != NULL);
    out[i] = '#';
  }
  return out;
}

/* The tag's exact form: clients keep it, so it must not change with its implementation. The
 * hash names the layers and the build (core/output_id.h): equal for the same ids. */
static void etag_keeps_its_form(void **state) {
  layer_info a = {.id = "incidentes", .version = 3}, b = {.id = "parques", .version = 12};
  tile_params p = {.tile = {12, 891, 1801}, .layers = {&a, &b}, .n_layers = 1};
  char out[160], hash2[9];
  tiles_etag(&p, out, sizeof out);
  assert_string_equal(masked(out, 4), "\"t3-########-12-891-1801-00000000\"");
  p.n_layers = 2;
  p.filter_key = "[0]11:\"tipo\" = ?8 t\"robo\";"; /* any text: the tag hashes it */
  tiles_etag(&p, out, sizeof out);
  memcpy(hash2, out + 7, 8);
  hash2[8] = '\0';
  assert_string_equal(masked(out, 7), "\"t3.12-########-12-891-1801-f015a5e4396c23f5c\"");
  p.tile = (geom_tile_id){0, 0, 0};
  a.version = 9000000000LL;
  p.filter_key = "";
  tiles_etag(&p, out, sizeof out);
  assert_memory_equal(out + 16, hash2, 8);
  assert_string_equal(masked(out, 16), "\"t9000000000.12-########-0-0-0-00000000\"");
}

/* "field = v" as the parser builds it. */
static query_pred *eq_node(arena *a, const char *field, value v) {
  query_pred *q = query_pred_ops(a, QUERY_CMP, 2);
  q->cmp = QUERY_EQ;
  q->ops[0].field = field;
  q->ops[1].lit = v;
  return q;
}

/* The filter's canonical text: equal only for equal predicates; bounded. */
static void filter_key_names_the_whole_filter(void **state) {
  arena *a = arena_create(1 << 20);
  layer_info l = {.id = "a", .version = 3};
  tile_filter f1 = {eq_node(a, "tipo", (value){.kind = VALUE_TEXT, .s = "robo", .len = 4})};
  tile_filter f2 = {eq_node(a, "tipo", (value){.kind = VALUE_TEXT, .s = "rob", .len = 3})};
  tile_filter f3 = {eq_node(a, "tipo", (value){.kind = VALUE_INT, .i = 4})};
  tile_params p = {.tile = {12, 891, 1801}, .layers = {&l}, .n_layers = 1};
  char e0[160], e1[160];
  tiles_etag(&p, e0, sizeof e0);
  const tile_filter *fs[] = {&f1, &f2, &f3};
  char keys[3][256], tags[3][160];
  err e;
  for (int i = 0; i < 3; i++) {
    buf k;
    buf_init(&k, 0);
    p.filters[0] = fs[i];
    assert_int_equal(tiles_filter_key(&p, &k, &e), ERR_OK);
    snprintf(keys[i], sizeof keys[i], "%s", buf_cstr(&k));
    p.filter_key = keys[i];
    tiles_etag(&p, tags[i], sizeof tags[i]);
    buf_free(&k);
  }
  assert_string_equal(keys[0], "[0]eq(f\"tipo\",t\"robo\");");
  assert_string_not_equal(keys[0], keys[1]);
  assert_string_not_equal(keys[0], keys[2]);
  assert_string_not_equal(tags[0], tags[1]);
  assert_string_not_equal(tags[0], tags[2]);
  assert_string_not_equal(tags[0], e0);
  /* the same filter again: the same tag */
  p.filter_key = keys[0];
  tiles_etag(&p, e1, sizeof e1);
  assert_string_equal(e1, tags[0]);
  /* no filter: no text */
  buf k;
  buf_init(&k, 0);
  p.filters[0] = NULL;
  assert_int_equal(tiles_filter_key(&p, &k, &e), ERR_OK);
  assert_int_equal(k.len, 0);
  /* too many values, too long a text: 400s naming filter */
  query_operand many[TILES_FILTER_MAX_VALUES + 2] = {{.field = "hora"}};
  query_pred in = {.kind = QUERY_IN, .ops = many, .n_ops = TILES_FILTER_MAX_VALUES + 2};
  tile_filter fm = {&in};
  p.filters[0] = &fm;
  assert_int_equal(tiles_filter_key(&p, &k, &e), ERR_INVALID);
  assert_true(strncmp(e.msg, "filter:", 7) == 0);
  static char long_text[TILES_FILTER_KEY_MAX + 1];
  memset(long_text, 'x', TILES_FILTER_KEY_MAX);
  tile_filter fl = {eq_node(a, "tipo", (value){.kind = VALUE_TEXT, .s = long_text,
                                               .len = TILES_FILTER_KEY_MAX})};
  p.filters[0] = &fl;
  buf_reset(&k);
  assert_int_equal(tiles_filter_key(&p, &k, &e), ERR_INVALID);
  buf_free(&k);
  arena_destroy(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pyramid_clusters_equal_scanned_clusters),
      cmocka_unit_test(cache_is_bounded_and_keyed),
      cmocka_unit_test(serve_hands_hits_over_pinned),
      cmocka_unit_test(etag_follows_version_and_address),
      cmocka_unit_test(etag_keeps_its_form),
      cmocka_unit_test(filter_key_names_the_whole_filter),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
