/* The packed spatial index (store/rtree_load.c) against SQLite's own R*Tree: the same layer
 * written twice, once bulk-loaded and once filled row by row (the path past the row cap), must
 * give identical boxes, identical answers to bbox queries, pass rtreecheck(), and leave a regular
 * SpatiaLite table with its index, without SpatiaLite's per-row triggers: a published version is
 * never written again (store/writer.c), and a file of earlier teselas loses them on its next
 * write. */
#include <sqlite3.h>
#include <spatialite.h>

#include "check.h"
#include "geom/wkb.h"
#include "store/store.h"
#include "store/store_int.h"

static const layer_field FIELDS[] = {{"n", "Número", FIELD_INTEGER}};

/* Deterministic pseudo-random numbers in [0, 1). */
static double next(uint64_t *s) {
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*s >> 11) / 9007199254740992.0;
}

/* n features around León: points, and every third one a small square polygon. */
static void write_layer(const char *db, const char *id, int n, size_t cap) {
  layer_meta meta = {.id = id, .source_sha256 = id, .minzoom = -1, .maxzoom = -1};
  store_writer *w = NULL;
  err e;
  assert_int_equal(store_writer_begin(db, &meta, FIELDS, 1, &w, &e), ERR_OK);
  store_writer_set_index_cap(w, cap);
  buf g;
  buf_init(&g, 0);
  uint64_t seed = 42;
  for (int i = 0; i < n; i++) {
    double x = -101.8 + 0.4 * next(&seed), y = 20.9 + 0.35 * next(&seed);
    buf_reset(&g);
    if (i % 3) {
      geom_wkb_point(&g, x, y);
    } else {
      double d = 0.0001 + 0.01 * next(&seed);
      double ring[] = {x, y, x + d, y, x + d, y + d, x, y + d, x, y};
      geom_wkb_header(&g, GEOM_WKB_POLYGON);
      geom_wkb_u32(&g, 1);
      geom_wkb_coords(&g, ring, 5);
    }
    value v[] = {{.kind = VALUE_INT, .i = i}};
    assert_int_equal(store_writer_add(w, i + 1, g.data, g.len, v, &e), ERR_OK);
  }
  buf_free(&g);
  if (store_writer_commit(w, "{}", NULL, &e) != ERR_OK) fail_msg("%s", e.msg);
}

static sqlite3 *open_db(const char *path) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  return db;
}

static int64_t scalar(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s", sqlite3_errmsg(db));
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static const char *text(sqlite3 *db, const char *sql, char *out, size_t len) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s", sqlite3_errmsg(db));
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return out;
}

static void packed_index_equals_row_by_row_index(void **state) {
  (void)state;
  char path[256], sql[512], out[64];
  check_tmp_path("rtree.db", path, sizeof path);
  write_layer(path, "packed", 6000, STORE_RTREE_BULK_CAP); /* 3 levels of 51-cell nodes */
  write_layer(path, "rowwise", 6000, 0);
  sqlite3 *db = open_db(path);
  assert_string_equal(text(db, "SELECT rtreecheck('idx_lyr_packed_v1_geom')", out, sizeof out),
                      "ok");
  assert_string_equal(text(db, "SELECT rtreecheck('idx_lyr_rowwise_v1_geom')", out, sizeof out),
                      "ok");
  assert_int_equal(scalar(db, "SELECT count(*) FROM idx_lyr_packed_v1_geom"), 6000);
  /* the same float32 box for every feature */
  assert_int_equal(scalar(db, "SELECT count(*) FROM idx_lyr_packed_v1_geom a JOIN"
                              " idx_lyr_rowwise_v1_geom b USING(pkid) WHERE a.xmin=b.xmin AND"
                              " a.xmax=b.xmax AND a.ymin=b.ymin AND a.ymax=b.ymax"),
                   6000);
  /* the same answers to bbox queries, from tiny boxes to the whole city */
  uint64_t seed = 7;
  for (int q = 0; q < 300; q++) {
    double x = -101.8 + 0.4 * next(&seed), y = 20.9 + 0.35 * next(&seed);
    double d = q % 3 == 0 ? 0.0005 : q % 3 == 1 ? 0.02 : 0.3;
    const char *fmt = "SELECT coalesce(sum(pkid * 7919 %% 1000003), -1) || ':' || count(*) FROM"
                      " idx_lyr_%s_v1_geom WHERE xmin <= %.9f AND xmax >= %.9f AND ymin <= %.9f"
                      " AND ymax >= %.9f";
    char a[64], b[64];
    snprintf(sql, sizeof sql, fmt, "packed", x + d, x, y + d, y);
    text(db, sql, a, sizeof a);
    snprintf(sql, sizeof sql, fmt, "rowwise", x + d, x, y + d, y);
    text(db, sql, b, sizeof b);
    assert_string_equal(a, b);
  }
  /* no per-row triggers on either: nothing writes a published version */
  assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_master WHERE type='trigger' AND"
                              " tbl_name IN ('lyr_packed_v1', 'lyr_rowwise_v1')"),
                   0);
  sqlite3_close(db);
}

/* What SpatiaLite's readers ask of the table (GDAL and QGIS find the index through
 * geometry_columns): the column registered with its index enabled, and the index whole. */
static void published_table_is_a_spatialite_layer(void **state) {
  (void)state;
  char path[256];
  check_tmp_path("rtree.db", path, sizeof path);
  write_layer(path, "packed", 500, STORE_RTREE_BULK_CAP);
  sqlite3 *db = open_db(path);
  void *cache = spatialite_alloc_connection();
  spatialite_init_ex(db, cache, 0);
  assert_int_equal(scalar(db, "SELECT spatial_index_enabled FROM geometry_columns WHERE"
                              " f_table_name='lyr_packed_v1' AND f_geometry_column='geom'"),
                   1);
  assert_int_equal(scalar(db, "SELECT CheckSpatialIndex('lyr_packed_v1', 'geom')"), 1);
  /* SpatiaLite's own spatial-index query answers as a scan does */
  const char *box = "BuildMbr(-101.7, 21.0, -101.6, 21.1, 4326)";
  char sql[512];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM lyr_packed_v1 WHERE MbrIntersects(geom, %s) AND"
           " rowid IN (SELECT rowid FROM SpatialIndex WHERE f_table_name='lyr_packed_v1' AND"
           " search_frame=%s)", box, box);
  int64_t indexed = scalar(db, sql);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM lyr_packed_v1 WHERE MbrIntersects(geom, %s)", box);
  assert_int_equal(indexed, scalar(db, sql));
  assert_true(indexed > 0);
  sqlite3_close(db);
  spatialite_cleanup_ex(cache);
}


static void single_node_tree(void **state) {
  (void)state;
  char path[256], out[64];
  check_tmp_path("rtree.db", path, sizeof path);
  write_layer(path, "tiny", 3, STORE_RTREE_BULK_CAP);
  sqlite3 *db = open_db(path);
  assert_string_equal(text(db, "SELECT rtreecheck('idx_lyr_tiny_v1_geom')", out, sizeof out), "ok");
  assert_int_equal(scalar(db, "SELECT count(*) FROM idx_lyr_tiny_v1_geom"), 3);
  assert_int_equal(scalar(db, "SELECT count(*) FROM idx_lyr_tiny_v1_geom_node"), 1);
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(packed_index_equals_row_by_row_index),
      cmocka_unit_test(published_table_is_a_spatialite_layer),
      cmocka_unit_test(single_node_tree),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
