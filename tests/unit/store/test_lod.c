/* Levels of detail of line layers (store/lod.c): a layer of wiggly lines gets lighter copies for
 * low zooms, a tile query below z10 reads them, one at street level reads the full geometry,
 * and every copy stays within the tolerance it was made with. Point layers get none. */
#include <math.h>
#include <sqlite3.h>
#include <spatialite.h>

#include "check.h"
#include "geom/geom.h"
#include "importers/wkb.h"
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
    wkb_header(&g, WKB_LINESTRING);
    wkb_coords(&g, xy, 400);
    value v[] = {{.kind = VALUE_INT, .i = i}};
    assert_int_equal(store_writer_add(w, i + 1, g.data, g.len, v, &e), ERR_OK);
  }
  buf_free(&g);
  if (store_writer_commit(w, "{}", NULL, &e) != ERR_OK) fail_msg("%s", e.msg);
}

/* Points of the first feature a tile query of zoom z reads. */
static uint32_t points_read(store_reader *r, const layer_info *l, int z) {
  store_query q = {.layer = l, .with_geometry = true, .limit = 1, .after_id = INT64_MIN,
                   .lod_zoom = z};
  store_iter *it = NULL;
  err e;
  assert_int_equal(store_query_start(r, &q, &it, &e), ERR_OK);
  store_feature f;
  assert_int_equal(store_iter_next(it, &f, &e), 1);
  arena *a = arena_create(0);
  geom g;
  assert_int_equal(geom_blob_decode(f.blob, f.blob_len, a, &g, NULL, NULL), ERR_OK);
  uint32_t n = g.n_pts;
  arena_destroy(a);
  store_iter_close(it);
  return n;
}

static void line_layers_get_lighter_copies_for_low_zooms(void **state) {
  (void)state;
  char db[256];
  check_tmp_path("lod.db", db, sizeof db);
  write_lines(db, 20);
  store_reader *r = NULL;
  err e;
  assert_int_equal(store_reader_open(db, &r, &e), ERR_OK);
  const catalog *cat = NULL;
  assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  const layer_info *l = catalog_find(cat, "rios", 4);
  assert_non_null(l);
  assert_true(l->has_lod);
  uint32_t full = points_read(r, l, 14), z10 = points_read(r, l, 10), z6 = points_read(r, l, 5);
  assert_int_equal(full, 400);
  assert_int_equal(points_read(r, l, 0), 400); /* 0: no level asked */
  assert_true(z10 * 2 <= full);
  assert_true(z6 <= z10);
  store_reader_close(r);

  /* every copy within its tolerance (one zoom deeper than it serves) of the full line */
  sqlite3 *sdb = NULL;
  assert_int_equal(sqlite3_open(db, &sdb), SQLITE_OK);
  void *cache = spatialite_alloc_connection();
  spatialite_init_ex(sdb, cache, 0);
  const char *levels[] = {"geom_z10", "geom_z8", "geom_z6"};
  const int zooms[] = {11, 9, 7};
  for (int k = 0; k < 3; k++) {
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT max(HausdorffDistance(geom, %s)) FROM lyr_rios_v1 WHERE %s IS NOT NULL",
             levels[k], levels[k]);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(sdb, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    double tol = 2.0 * 360.0 / ldexp(4096.0, zooms[k]);
    if (sqlite3_column_type(st, 0) != SQLITE_NULL)
      assert_true(sqlite3_column_double(st, 0) <= tol * 1.01);
    sqlite3_finalize(st);
  }
  sqlite3_close(sdb);
  spatialite_cleanup_ex(cache);
}

static void point_layers_have_none(void **state) {
  (void)state;
  char db[256];
  check_tmp_path("lod.db", db, sizeof db);
  layer_meta meta = {.id = "puntos", .source_sha256 = "x", .minzoom = -1, .maxzoom = -1};
  store_writer *w = NULL;
  err e;
  assert_int_equal(store_writer_begin(db, &meta, FIELDS, 1, &w, &e), ERR_OK);
  buf g;
  buf_init(&g, 0);
  wkb_point(&g, -101.7, 21.1);
  value v[] = {{.kind = VALUE_INT, .i = 1}};
  assert_int_equal(store_writer_add(w, 1, g.data, g.len, v, &e), ERR_OK);
  buf_free(&g);
  assert_int_equal(store_writer_commit(w, "{}", NULL, &e), ERR_OK);
  store_reader *r = NULL;
  assert_int_equal(store_reader_open(db, &r, &e), ERR_OK);
  const catalog *cat = NULL;
  assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  assert_false(catalog_find(cat, "puntos", 6)->has_lod);
  store_reader_close(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(line_layers_get_lighter_copies_for_low_zooms),
      cmocka_unit_test(point_layers_have_none),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
