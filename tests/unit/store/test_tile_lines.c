/* Line layers stored for tiles (store/tile_lines.c): a layer of wiggly lines gets its ranked
 * lines and lighter copies for low zooms in <table>_tile_lines, a tile's query reads the copy
 * that serves its zoom, each copy holds exactly the vertices the whole line keeps at that
 * copy's tolerance; versions written earlier, with levels of detail in the version table
 * (geom_z10...), still read those; a side table of another layout is ignored; point layers get
 * neither. */
#include <math.h>
#include <sqlite3.h>
#include <spatialite.h>
#include <string.h>

#include "check.h"
#include "geom/geom.h"
#include "geom/wkb.h"
#include "store/store.h"

static const layer_field FIELDS[] = {{"n", "Número", FIELD_INTEGER}};

/* n lines of 400 vertices: a sine wave of 5 m amplitude on a 2 km run, eastwards. */
static void write_lines(const char *db, int n) {
  layer_meta meta = {.id = "rios", .source_sha256 = "x", .minzoom = -1, .maxzoom = -1};
  store_writer *w = NULL;
  err e;
  assert_int_equal(store_writer_begin(db, &meta, FIELDS, 1, &w, &e), ERR_OK);
  buf g;
  buf_init(&g, 0);
  double xy[800];
  for (int i = 0; i < n; i++) {
    for (int k = 0; k < 400; k++) {
      xy[2 * k] = -101.7 + 0.02 * k / 400.0;
      xy[2 * k + 1] = 21.0 + 0.001 * i + 0.00005 * sin(k * 0.7);
    }
    buf_reset(&g);
    geom_wkb_header(&g, GEOM_WKB_LINESTRING);
    geom_wkb_coords(&g, xy, 400);
    value v[] = {{.kind = VALUE_INT, .i = i}};
    assert_int_equal(store_writer_add(w, i + 1, g.data, g.len, v, &e), ERR_OK);
  }
  buf_free(&g);
  if (store_writer_commit(w, "{}", NULL, &e) != ERR_OK) fail_msg("%s", e.msg);
}

/* The vertices of a ranked line kept at tolerance tol (world units), as world coordinates. */
static geom ranked_at(const uint8_t *b, size_t n, double tol, arena *a) {
  geom_tile_opts world = {{0, 0, 0}, GEOM_SRS_LONLAT, 1, 0, tol};
  geom g;
  geom_bbox unused;
  assert_int_equal(geom_ranked_project(b, n, &world, a, &g, &unused, NULL), ERR_OK);
  return g;
}

/* A copy, in arena a, of the geometry blob of feature 1 that a tile query of zoom z reads. */
static const uint8_t *blob_read(store_reader *r, const layer_info *l, int z, arena *a,
                                size_t *out_len) {
  double bbox[4] = {-101.8, 20.9, -101.6, 21.1};
  store_query q = {.layer = l, .bbox = bbox, .with_geometry = true, .limit = -1,
                   .after_id = INT64_MIN, .any_order = true, .lod_zoom = z};
  store_iter *it = NULL;
  err e;
  assert_int_equal(store_query_start(r, &q, &it, &e), ERR_OK);
  store_feature f;
  int step;
  while ((step = store_iter_next(it, &f, &e)) == 1 && f.id != 1) {
  }
  assert_int_equal(step, 1);
  uint8_t *copy = arena_alloc(a, f.blob_len);
  memcpy(copy, f.blob, f.blob_len);
  *out_len = f.blob_len;
  store_iter_close(it);
  return copy;
}

/* True when the points of sub appear, in order, among those of g. */
static bool subsequence(const geom *sub, const geom *g) {
  uint32_t j = 0;
  for (uint32_t i = 0; i < g->n_pts && j < sub->n_pts; i++)
    if (g->pts[i].x == sub->pts[j].x && g->pts[i].y == sub->pts[j].y) j++;
  return j == sub->n_pts;
}

static const layer_info *open_layer(const char *db, store_reader **r, const char *id) {
  err e;
  assert_int_equal(store_reader_open(db, r, &e), ERR_OK);
  const catalog *cat = NULL;
  assert_int_equal(store_reader_catalog(*r, &cat, &e), ERR_OK);
  const layer_info *l = catalog_find(cat, id, strlen(id));
  assert_non_null(l);
  return l;
}

static void line_layers_are_stored_ranked_for_tiles(void **state) {
  (void)state;
  char db[256];
  check_tmp_path("lines.db", db, sizeof db);
  write_lines(db, 20);
  store_reader *r = NULL;
  const layer_info *l = open_layer(db, &r, "rios");
  assert_true(l->has_tile_lines);
  assert_false(l->has_lod); /* the version table keeps to the layer's own columns */
  arena *a = arena_create(0);
  size_t n_whole = 0;
  const uint8_t *whole = blob_read(r, l, 14, a, &n_whole);
  assert_true(geom_is_ranked(whole, n_whole));
  geom all = ranked_at(whole, n_whole, 0, a);
  assert_int_equal(all.n_pts, 400);
  /* the copy read at zoom z holds every vertex the whole line keeps at z's tolerance, and only
   * vertices of the line; copies shrink with the zoom, and the coarsest at least halves it */
  const int zooms[] = {12, 10, 8, 5};
  uint32_t finer = all.n_pts;
  for (int k = 0; k < 4; k++) {
    size_t n = 0;
    const uint8_t *b = blob_read(r, l, zooms[k], a, &n);
    assert_true(geom_is_ranked(b, n));
    geom copy = ranked_at(b, n, 0, a);
    geom kept = ranked_at(whole, n_whole, 2.0 / ldexp(4096.0, zooms[k]), a);
    assert_true(subsequence(&kept, &copy));
    assert_true(subsequence(&copy, &all));
    assert_true(copy.n_pts <= finer);
    finer = copy.n_pts;
  }
  assert_true(finer * 2 <= all.n_pts);
  store_reader_close(r);
  arena_destroy(a);
}

/* A version written before lines were stored for tiles: levels of detail in the version table. */
static void earlier_levels_of_detail_are_still_read(void **state) {
  (void)state;
  char db[256];
  check_tmp_path("lines.db", db, sizeof db);
  write_lines(db, 3);
  sqlite3 *sdb = NULL;
  assert_int_equal(sqlite3_open(db, &sdb), SQLITE_OK);
  void *cache = spatialite_alloc_connection();
  spatialite_init_ex(sdb, cache, 0);
  assert_int_equal(sqlite3_exec(sdb,
                                "DROP TABLE lyr_rios_v1_tile_lines;"
                                "ALTER TABLE lyr_rios_v1 ADD COLUMN geom_z10 BLOB;"
                                "ALTER TABLE lyr_rios_v1 ADD COLUMN geom_z8 BLOB;"
                                "ALTER TABLE lyr_rios_v1 ADD COLUMN geom_z6 BLOB;"
                                "UPDATE lyr_rios_v1 SET geom_z10 = ST_Simplify(geom, 0.0001);",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(sdb);
  spatialite_cleanup_ex(cache);
  store_reader *r = NULL;
  const layer_info *l = open_layer(db, &r, "rios");
  assert_true(l->has_lod);
  assert_false(l->has_tile_lines);
  arena *a = arena_create(0);
  size_t n = 0;
  geom g;
  const uint8_t *b = blob_read(r, l, 10, a, &n);
  assert_false(geom_is_ranked(b, n));
  assert_int_equal(geom_blob_decode(b, n, a, &g, NULL, NULL), ERR_OK);
  assert_true(g.n_pts < 400);
  b = blob_read(r, l, 14, a, &n);
  assert_int_equal(geom_blob_decode(b, n, a, &g, NULL, NULL), ERR_OK);
  assert_int_equal(g.n_pts, 400);
  store_reader_close(r);
  arena_destroy(a);
}

/* A side table of another layout (column names of a development build) is not read: tiles fall
 * back to the SpatiaLite geometry rather than fail on a missing column. */
static void side_table_of_another_layout_is_ignored(void **state) {
  (void)state;
  char db[256];
  check_tmp_path("lines.db", db, sizeof db);
  write_lines(db, 2);
  sqlite3 *sdb = NULL;
  assert_int_equal(sqlite3_open(db, &sdb), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(sdb, "ALTER TABLE lyr_rios_v1_tile_lines RENAME COLUMN teselas_g TO g", NULL,
                   NULL, NULL),
      SQLITE_OK);
  sqlite3_close(sdb);
  store_reader *r = NULL;
  const layer_info *l = open_layer(db, &r, "rios");
  assert_false(l->has_tile_lines);
  arena *a = arena_create(0);
  size_t n = 0;
  const uint8_t *b = blob_read(r, l, 12, a, &n);
  geom g;
  assert_int_equal(geom_blob_decode(b, n, a, &g, NULL, NULL), ERR_OK);
  assert_int_equal(g.n_pts, 400);
  store_reader_close(r);
  arena_destroy(a);
}

static void point_layers_have_none(void **state) {
  (void)state;
  char db[256];
  check_tmp_path("points.db", db, sizeof db);
  layer_meta meta = {.id = "puntos", .source_sha256 = "x", .minzoom = -1, .maxzoom = -1};
  store_writer *w = NULL;
  err e;
  assert_int_equal(store_writer_begin(db, &meta, FIELDS, 1, &w, &e), ERR_OK);
  buf g;
  buf_init(&g, 0);
  geom_wkb_point(&g, -101.7, 21.1);
  value v[] = {{.kind = VALUE_INT, .i = 1}};
  assert_int_equal(store_writer_add(w, 1, g.data, g.len, v, &e), ERR_OK);
  buf_free(&g);
  assert_int_equal(store_writer_commit(w, "{}", NULL, &e), ERR_OK);
  store_reader *r = NULL;
  const layer_info *l = open_layer(db, &r, "puntos");
  assert_false(l->has_tile_lines);
  assert_false(l->has_lod);
  store_reader_close(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(line_layers_are_stored_ranked_for_tiles),
      cmocka_unit_test(earlier_levels_of_detail_are_still_read),
      cmocka_unit_test(side_table_of_another_layout_is_ignored),
      cmocka_unit_test(point_layers_have_none),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
