/* Unit tests of store/ against a real SpatiaLite file: write versions, read them back by bbox,
 * see a new version from an open reader, abort without a trace, prune old versions, refuse files
 * that are not teselas databases. */
#include <sqlite3.h>

#include "check.h"
#include "geom/wkb.h"
#include "store/store.h"
#include "store/store_int.h"

static const layer_field FIELDS[] = {{"name", "Nombre", FIELD_TEXT},
                                     {"n", "Número", FIELD_INTEGER},
                                     {"ok", "Correcto", FIELD_BOOLEAN}};

/* Writes n points on a diagonal from (-101.7, 21.0) with step 0.01; returns the version. */
static int64_t write_points(const char *db, int n, const char *sha) {
  layer_meta meta = {.id = "puntos", .title = "Puntos", .source_sha256 = sha, .minzoom = -1,
                     .maxzoom = -1, .keep_versions = 2};
  store_writer *w = NULL;
  err e;
  assert_int_equal(store_writer_begin(db, &meta, FIELDS, 3, &w, &e), ERR_OK);
  buf g;
  buf_init(&g, 0);
  for (int i = 0; i < n; i++) {
    buf_reset(&g);
    geom_wkb_point(&g, -101.7 + 0.01 * i, 21.0 + 0.01 * i);
    char name[16];
    snprintf(name, sizeof name, "p%d", i);
    value v[] = {{.kind = VALUE_TEXT, .s = name, .len = strlen(name)},
                 {.kind = VALUE_INT, .i = i},
                 {.kind = i % 2 ? VALUE_BOOL : VALUE_NULL, .i = 1}};
    assert_int_equal(store_writer_add(w, i + 1, g.data, g.len, v, &e), ERR_OK);
  }
  buf_free(&g);
  int64_t version = 0;
  if (store_writer_commit(w, "{\"read\":1}", &version, &e) != ERR_OK) fail_msg("%s", e.msg);
  return version;
}

static void write_then_query_by_bbox(void **state) {
  char db[256];
  check_tmp_path("t.db", db, sizeof db);
  assert_int_equal(write_points(db, 10, "abc"), 1);
  store_reader *r = NULL;
  err e;
  assert_int_equal(store_reader_open(db, &r, &e), ERR_OK);
  const catalog *cat = NULL;
  assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  assert_int_equal(cat->n_layers, 1);
  const layer_info *l = catalog_find(cat, "puntos", 6);
  assert_non_null(l);
  assert_string_equal(l->geometry_type, "Point");
  assert_int_equal(l->feature_count, 10);
  assert_int_equal(l->n_fields, 3);
  assert_string_equal(l->fields[1].label, "Número");
  assert_int_equal(l->fields[2].type, FIELD_BOOLEAN);
  assert_true(l->bounds[0] > -101.7001 && l->bounds[2] < -101.6099);

  /* points 2..4 lie in this box */
  double bbox[4] = {-101.685, 21.015, -101.655, 21.045};
  const char *cols[] = {"name", "n", "ok"};
  store_query q = {.layer = l, .bbox = bbox, .fields = cols, .n_fields = 3,
                   .with_geometry = true, .limit = -1, .after_id = INT64_MIN};
  int64_t count = 0;
  assert_int_equal(store_query_count(r, &q, &count, &e), ERR_OK);
  assert_int_equal(count, 3);
  store_iter *it = NULL;
  assert_int_equal(store_query_start(r, &q, &it, &e), ERR_OK);
  store_feature f;
  int64_t ids[8];
  int n = 0;
  while (store_iter_next(it, &f, &e) == 1) {
    assert_true(n < 8);
    ids[n++] = f.id;
    assert_non_null(f.blob);
    assert_int_equal(f.values[1].kind, VALUE_INT);
    assert_int_equal(f.values[2].kind, f.id % 2 == 0 ? VALUE_BOOL : VALUE_NULL);
  }
  store_iter_close(it);
  assert_int_equal(n, 3);
  assert_int_equal(ids[0], 3);
  assert_int_equal(ids[2], 5);
  store_reader_close(r);
}

static void open_reader_sees_new_version(void **state) {
  char db[256];
  check_tmp_path("t.db", db, sizeof db);
  write_points(db, 5, "v1");
  store_reader *r = NULL;
  err e;
  const catalog *cat = NULL;
  assert_int_equal(store_reader_open(db, &r, &e), ERR_OK);
  assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  assert_int_equal(cat->layers[0].version, 1);
  assert_int_equal(write_points(db, 7, "v2"), 2);
  assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  assert_int_equal(cat->layers[0].version, 2);
  assert_int_equal(cat->layers[0].feature_count, 7);
  assert_string_equal(cat->layers[0].source_sha256, "v2");
  char sum[65];
  assert_int_equal(store_layer_checksum(db, "puntos", sum, &e), ERR_OK);
  assert_string_equal(sum, "v2");
  store_reader_close(r);
}

/* The reader's catalog follows every commit of another connection on its very next call, also
 * when the commit restarts a checkpointed WAL, and is not reloaded when nothing committed. */
static void reader_sees_every_commit_on_its_next_call(void **state) {
  char db[256];
  check_tmp_path("t.db", db, sizeof db);
  write_points(db, 5, "v1");
  store_reader *r = NULL;
  err e;
  const catalog *cat = NULL, *again = NULL;
  assert_int_equal(store_reader_open(db, &r, &e), ERR_OK);
  sqlite3 *w = NULL;
  assert_int_equal(sqlite3_open(db, &w), SQLITE_OK);
  sqlite3_busy_timeout(w, 5000);
  for (int i = 0; i < 60; i++) {
    char sql[128], title[16];
    snprintf(title, sizeof title, "t%d", i);
    if (i % 10 == 5) /* fold the WAL back: the next commit writes it from the start again */
      assert_int_equal(sqlite3_exec(w, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL),
                       SQLITE_OK);
    snprintf(sql, sizeof sql, "UPDATE teselas_layers SET title = '%s'", title);
    assert_int_equal(sqlite3_exec(w, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
    assert_string_equal(cat->layers[0].title, title);
    assert_int_equal(store_reader_catalog(r, &again, &e), ERR_OK);
    assert_ptr_equal(again, cat); /* nothing committed: the same snapshot */
  }
  sqlite3_close(w);
  store_reader_close(r);
}

/* store_reader_snapshot: the reader's queries between hold and release read one snapshot, and a
 * commit of another connection meanwhile shows only after the release; holding or releasing
 * twice is harmless, and a query that begins its own transaction still reads inside one. */
static int64_t count_in(store_reader *r, const layer_info *l) {
  double bbox[4] = {-102, 20, -101, 22};
  store_query q = {.layer = l, .bbox = bbox, .limit = -1, .after_id = INT64_MIN};
  int64_t n = -1;
  err e;
  assert_int_equal(store_query_count(r, &q, &n, &e), ERR_OK);
  store_iter *it = NULL;
  assert_int_equal(store_query_start(r, &q, &it, &e), ERR_OK);
  store_feature f;
  int64_t read = 0;
  while (store_iter_next(it, &f, &e) == 1) read++;
  store_iter_close(it);
  assert_int_equal(read, n);
  return n;
}

static void a_held_snapshot_reads_one_state(void **state) {
  char db[256];
  check_tmp_path("t.db", db, sizeof db);
  write_points(db, 10, "v1");
  store_reader *r = NULL;
  err e;
  const catalog *cat = NULL;
  assert_int_equal(store_reader_open(db, &r, &e), ERR_OK);
  assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  const layer_info *l = &cat->layers[0];
  assert_int_equal(store_reader_snapshot(r, true, &e), ERR_OK);
  assert_int_equal(store_reader_snapshot(r, true, &e), ERR_OK);
  assert_int_equal(count_in(r, l), 10);
  sqlite3 *w = NULL;
  assert_int_equal(sqlite3_open(db, &w), SQLITE_OK);
  sqlite3_busy_timeout(w, 5000);
  char sql[256];
  snprintf(sql, sizeof sql, "DELETE FROM \"%s\" WHERE fid <= 3", l->table_name);
  assert_int_equal(sqlite3_exec(w, sql, NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(count_in(r, l), 10); /* the snapshot still */
  assert_int_equal(store_reader_snapshot(r, false, &e), ERR_OK);
  assert_int_equal(store_reader_snapshot(r, false, &e), ERR_OK);
  assert_int_equal(count_in(r, l), 7);
  sqlite3_close(w);
  store_reader_close(r);
}

static int count_rows(const char *db, const char *sql) {
  sqlite3 *h = NULL;
  sqlite3_stmt *st = NULL;
  sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL);
  sqlite3_prepare_v2(h, sql, -1, &st, NULL);
  int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(h);
  return n;
}

static void abort_leaves_no_trace_and_old_versions_are_pruned(void **state) {
  char db[256];
  check_tmp_path("t.db", db, sizeof db);
  write_points(db, 3, "v1");
  write_points(db, 3, "v2");
  write_points(db, 3, "v3"); /* keep_versions 2: v1's table goes, its history row stays */
  assert_int_equal(count_rows(db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND "
                                  "name LIKE 'lyr_puntos_v%'"),
                   2);
  assert_int_equal(count_rows(db, "SELECT count(*) FROM teselas_history"), 3);
  layer_meta meta = {.id = "puntos", .minzoom = -1, .maxzoom = -1};
  store_writer *w = NULL;
  err e;
  assert_int_equal(store_writer_begin(db, &meta, FIELDS, 3, &w, &e), ERR_OK);
  store_writer_abort(w);
  assert_int_equal(count_rows(db, "SELECT version FROM teselas_layers"), 3);
  assert_int_equal(count_rows(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE "
                                  "'lyr_puntos_v4%'"),
                   0);
}

static void empty_import_is_refused(void **state) {
  char db[256];
  check_tmp_path("t.db", db, sizeof db);
  write_points(db, 2, "v1");
  layer_meta meta = {.id = "puntos", .minzoom = -1, .maxzoom = -1};
  store_writer *w = NULL;
  err e;
  assert_int_equal(store_writer_begin(db, &meta, FIELDS, 3, &w, &e), ERR_OK);
  assert_int_equal(store_writer_commit(w, NULL, NULL, &e), ERR_INVALID);
  assert_non_null(strstr(e.msg, "no valid feature"));
  assert_int_equal(count_rows(db, "SELECT feature_count FROM teselas_layers"), 2);
}

static void refuses_what_is_not_a_teselas_database(void **state) {
  char path[256];
  err e;
  store_reader *r = NULL;
  assert_int_equal(store_reader_open("/nonexistent/x.db", &r, &e), ERR_IO);
  assert_non_null(strstr(e.msg, "no such file"));
  check_tmp_path("junk.db", path, sizeof path);
  FILE *f = fopen(path, "w");
  fputs("this is not sqlite, just text that is long enough to look like a header.....", f);
  fclose(f);
  assert_int_equal(store_reader_open(path, &r, &e), ERR_INVALID);
  assert_non_null(strstr(e.msg, "not a SQLite database"));
  check_tmp_path("plain.db", path, sizeof path);
  sqlite3 *h = NULL;
  sqlite3_open(path, &h);
  sqlite3_exec(h, "CREATE TABLE t(x)", NULL, NULL, NULL);
  sqlite3_close(h);
  assert_int_equal(store_reader_open(path, &r, &e), ERR_INVALID);
  assert_non_null(strstr(e.msg, "not a teselas database"));
  assert_null(r);
}

/* An index whose root claims a depth past any real tree (a damaged or hostile file) is not
 * walked: the count falls back to SQL, which SQLite's R*Tree refuses as corrupt (past its own
 * depth of 40), so the answer is ERR_UNAVAILABLE, a 503 — with nothing freed that was not read. */
static void count_inside_survives_a_bad_index_depth(void **state) {
  char db[256];
  check_tmp_path("depth.db", db, sizeof db);
  assert_int_equal(write_points(db, 10, "abc"), 1);
  double bbox[4] = {-101.685, 21.015, -101.655, 21.045};
  int64_t before = -1, after = 0;
  for (int pass = 0; pass < 2; pass++) {
    store_reader *r = NULL;
    err e;
    const catalog *cat = NULL;
    assert_int_equal(store_reader_open(db, &r, &e), ERR_OK);
    assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
    const layer_info *l = catalog_find(cat, "puntos", 6);
    assert_int_equal(store_count_inside(r, l, bbox, 100, pass ? &after : &before, &e),
                     pass ? ERR_UNAVAILABLE : ERR_OK);
    /* the count of a box page does not guess either: it leaves the answer to SQL */
    store_query q = {.layer = l, .bbox = bbox, .limit = -1, .after_id = INT64_MIN,
                     .bbox_exact = true, .any_order = true};
    int64_t counted = 0;
    assert_int_equal(store_count_box(r, &q, 100, &counted, &e), ERR_OK);
    assert_true(pass ? counted == STORE_COUNT_UNKNOWN : counted == before);
    char sql[512];
    snprintf(sql, sizeof sql,
             "UPDATE \"idx_%s_geom_node\" SET data = X'FFFF' || substr(data, 3) WHERE nodeno = 1",
             l->table_name);
    store_reader_close(r);
    if (pass) break;
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_changes(h), 1);
    sqlite3_close(h);
  }
  assert_int_equal(before, 3);
}

/* Writes a GRID x GRID square of points 0.001 degrees apart from (-101.7, 21.0), ids from 1 row by
 * row: enough for an index of several levels, and columns of points for a box's edge to pass
 * through. */
enum { GRID = 60 };
static double grid_x(int i) { return -101.7 + 0.001 * i; }
static double grid_y(int j) { return 21.0 + 0.001 * j; }

static void write_grid(const char *db) {
  layer_meta meta = {.id = "rejilla", .title = "Rejilla", .source_sha256 = "grid", .minzoom = -1,
                     .maxzoom = -1, .keep_versions = 1};
  store_writer *w = NULL;
  err e;
  assert_int_equal(store_writer_begin(db, &meta, FIELDS, 1, &w, &e), ERR_OK);
  buf g;
  buf_init(&g, 0);
  for (int j = 0; j < GRID; j++)
    for (int i = 0; i < GRID; i++) {
      buf_reset(&g);
      geom_wkb_point(&g, grid_x(i), grid_y(j));
      value v = {.kind = VALUE_TEXT, .s = "p", .len = 1};
      assert_int_equal(store_writer_add(w, j * GRID + i + 1, g.data, g.len, &v, &e), ERR_OK);
    }
  buf_free(&g);
  int64_t version = 0;
  if (store_writer_commit(w, "{\"read\":1}", &version, &e) != ERR_OK) fail_msg("%s", e.msg);
}

/* Reads q (any order, exact box) into ids; returns how many, failing on more than max. */
static int read_ids(store_reader *r, const store_query *q, int64_t *ids, int max) {
  store_iter *it = NULL;
  err e;
  assert_int_equal(store_query_start(r, q, &it, &e), ERR_OK);
  store_feature f;
  int n = 0;
  while (store_iter_next(it, &f, &e) == 1) {
    assert_true(n < max);
    ids[n++] = f.id;
  }
  assert_int_equal(store_iter_error(it, &e), ERR_OK);
  store_iter_close(it);
  return n;
}

/* A box read in the index's order comes as the entries inside the box, then those crossing its
 * edge, tested exactly: with the box's edges on columns of points (inside, on the closed edge) and
 * 1e-9 degrees beside them (outside, their float32 index boxes still crossing), every read returns
 * each point of the box once, pages of 7 concatenate to the whole read, and the index's count
 * inside plus the rows crossing the edge (edge_only) is the number of points in the box. */
static void box_pages_inside_then_edge(void **state) {
  char db[256];
  check_tmp_path("grid.db", db, sizeof db);
  write_grid(db);
  store_reader *r = NULL;
  err e;
  const catalog *cat = NULL;
  assert_int_equal(store_reader_open(db, &r, &e), ERR_OK);
  assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  const layer_info *l = catalog_find(cat, "rejilla", 7);
  assert_non_null(l);
  static int64_t all[GRID * GRID], page[GRID * GRID];
  const int edges[][4] = {{5, 7, 40, 33}, {0, 0, GRID - 1, GRID - 1}, {20, 20, 21, 50}};
  for (size_t k = 0; k < sizeof edges / sizeof edges[0]; k++)
    for (int nudge = -1; nudge <= 1; nudge++) {
      const int *c = edges[k];
      double d = 1e-9 * nudge; /* > 0: the box grows past its edge points; < 0: leaves them out */
      double bbox[4] = {grid_x(c[0]) - d, grid_y(c[1]) - d, grid_x(c[2]) + d, grid_y(c[3]) + d};
      int inner = nudge < 0 ? 1 : 0;
      int want = (c[2] - c[0] + 1 - 2 * inner) * (c[3] - c[1] + 1 - 2 * inner);
      store_query q = {.layer = l, .bbox = bbox, .limit = -1, .after_id = INT64_MIN,
                       .bbox_exact = true, .any_order = true};
      int n = read_ids(r, &q, all, GRID * GRID);
      assert_int_equal(n, want);
      static bool seen[GRID * GRID + 1];
      memset(seen, 0, sizeof seen);
      for (int i = 0; i < n; i++) {
        int64_t id = all[i] - 1;
        int gx = (int)(id % GRID), gy = (int)(id / GRID);
        assert_false(seen[all[i]]);
        seen[all[i]] = true;
        assert_true(gx >= c[0] + inner && gx <= c[2] - inner && gy >= c[1] + inner &&
                    gy <= c[3] - inner);
      }
      int got = 0;
      for (q.offset = 0, q.limit = 7; got < n + 7; q.offset += 7) {
        int m = read_ids(r, &q, page, 7);
        for (int i = 0; i < m; i++) assert_int_equal(page[i], all[got + i]);
        got += m;
        if (m < 7) break;
      }
      assert_int_equal(got, n);
      int64_t inside = 0, crossing = 0;
      assert_int_equal(store_count_inside(r, l, bbox, GRID * GRID + 1, &inside, &e), ERR_OK);
      store_query edge = {.layer = l, .bbox = bbox, .limit = -1, .after_id = INT64_MIN,
                          .bbox_exact = true, .any_order = true, .edge_only = true};
      crossing = read_ids(r, &edge, page, GRID * GRID);
      assert_int_equal(inside + crossing, want);
      if (want > 100) assert_true(inside > 0); /* the index decides most of a large box */
      /* The count from the index's nodes answers (not STORE_COUNT_UNKNOWN, which would send the
       * server back to the SQL count), and exactly: below, at and past the cap. */
      int64_t counted = 0;
      assert_int_equal(store_count_box(r, &q, GRID * GRID + 1, &counted, &e), ERR_OK);
      assert_int_equal(counted, want);
      assert_int_equal(store_count_box(r, &q, want, &counted, &e), ERR_OK);
      assert_int_equal(counted, want > 0 ? -1 : STORE_COUNT_UNKNOWN); /* a cap of 0: no count */
      assert_int_equal(store_count_box(r, &q, want + 1, &counted, &e), ERR_OK);
      assert_int_equal(counted, want);
    }
  store_reader_close(r);
}

/* The entry counts of index nodes a count read whole are kept by the reader (box_count.c) and
 * used by the next count: counts it keeps that are wrong show in the answer (so a walk that
 * stopped using them fails here), a commit by another connection stops their use at once, and
 * the next catalog read empties them. */
static void box_counts_kept_until_a_commit(void **state) {
  char db[256];
  check_tmp_path("kept.db", db, sizeof db);
  write_grid(db);
  store_reader *r = NULL;
  err e;
  const catalog *cat = NULL;
  assert_int_equal(store_reader_open(db, &r, &e), ERR_OK);
  for (int i = 0; i < 2; i++) /* the second maps the WAL header the counts are checked with */
    assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  const layer_info *l = catalog_find(cat, "rejilla", 7);
  assert_non_null(l);
  double bbox[4] = {grid_x(2), grid_y(2), grid_x(GRID - 3), grid_y(GRID - 3)};
  int64_t want = (GRID - 4) * (GRID - 4), counted = 0;
  store_query q = {.layer = l, .bbox = bbox, .limit = -1, .after_id = INT64_MIN,
                   .bbox_exact = true, .any_order = true};
  assert_int_equal(store_count_box(r, &q, GRID * GRID + 1, &counted, &e), ERR_OK);
  assert_int_equal(counted, want);
  store_subtree_counts *c = store_reader_subtree_counts(r, l->table_name);
  assert_non_null(c);
  size_t kept = 0;
  for (size_t i = 0; i < c->cap; i++) kept += c->n[i] != 0;
  assert_true(kept > 0);
  assert_int_equal(store_count_box(r, &q, GRID * GRID + 1, &counted, &e), ERR_OK);
  assert_int_equal(counted, want);
  for (size_t i = 0; i < c->cap; i++)
    if (c->n[i]) c->n[i] += 5;
  assert_int_equal(store_count_box(r, &q, GRID * GRID + 1, &counted, &e), ERR_OK);
  assert_true(counted > want);
  sqlite3 *h = NULL;
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  assert_int_equal(sqlite3_exec(h, "CREATE TABLE elsewhere(x)", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(h);
  assert_int_equal(store_count_box(r, &q, GRID * GRID + 1, &counted, &e), ERR_OK);
  assert_int_equal(counted, want);
  assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  l = catalog_find(cat, "rejilla", 7);
  q.layer = l;
  for (int i = 0; i < 2; i++) {
    assert_int_equal(store_count_box(r, &q, GRID * GRID + 1, &counted, &e), ERR_OK);
    assert_int_equal(counted, want);
  }
  store_reader_close(r);
}

static void layer_ids(void **state) {
  assert_true(store_layer_id_valid("parques"));
  assert_true(store_layer_id_valid("rios-canales_2"));
  assert_false(store_layer_id_valid(""));
  assert_false(store_layer_id_valid("1abc"));
  assert_false(store_layer_id_valid("Parques"));
  assert_false(store_layer_id_valid("a;drop"));
  assert_false(store_layer_id_valid("a\"b"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(write_then_query_by_bbox),
      cmocka_unit_test(open_reader_sees_new_version),
      cmocka_unit_test(reader_sees_every_commit_on_its_next_call),
      cmocka_unit_test(a_held_snapshot_reads_one_state),
      cmocka_unit_test(abort_leaves_no_trace_and_old_versions_are_pruned),
      cmocka_unit_test(empty_import_is_refused),
      cmocka_unit_test(refuses_what_is_not_a_teselas_database),
      cmocka_unit_test(layer_ids),
      cmocka_unit_test(box_counts_kept_until_a_commit),
      cmocka_unit_test(count_inside_survives_a_bad_index_depth),
      cmocka_unit_test(box_pages_inside_then_edge),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
