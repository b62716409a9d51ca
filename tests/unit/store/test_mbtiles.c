/* Unit tests of the MBTiles writer and reader: tiles written at XYZ addresses come back at the
 * same addresses, stored in TMS rows (checked with plain SQL on the file), identical contents
 * stored once in `images`, metadata rows, and a file that is not MBTiles refused. */
#include "check.h"

#include <sqlite3.h>

#include "store/mbtiles.h"

static long long sql_int(const char *path, const char *sql) {
  sqlite3 *db;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  long long v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

static void round_trip(void **state) {
  char path[256];
  check_tmp_path("t.mbtiles", path, sizeof path);
  mbtiles_writer *w;
  err e;
  assert_int_equal(store_mbtiles_create(path, &w, &e), ERR_OK);
  assert_int_equal(store_mbtiles_meta_put(w, "name", "prueba", &e), ERR_OK);
  assert_int_equal(store_mbtiles_meta_put(w, "format", "png", &e), ERR_OK);
  assert_int_equal(store_mbtiles_add(w, 0, 0, 0, "root", 4, &e), ERR_OK);
  assert_int_equal(store_mbtiles_add(w, 2, 1, 0, "sea", 3, &e), ERR_OK);
  assert_int_equal(store_mbtiles_add(w, 2, 1, 1, "sea", 3, &e), ERR_OK);
  assert_int_equal(store_mbtiles_add(w, 2, 3, 2, "land", 4, &e), ERR_OK);
  assert_int_equal(store_mbtiles_n_contents(w), 3);
  assert_int_equal(store_mbtiles_finish(w, &e), ERR_OK);
  store_mbtiles_close(w);

  /* XYZ 2/3/2 is TMS row 4 - 1 - 2 = 1 */
  assert_int_equal(sql_int(path, "SELECT count(*) FROM tiles WHERE zoom_level=2 AND tile_column=3 "
                                 "AND tile_row=1 AND tile_data=CAST('land' AS BLOB)"), 1);
  assert_int_equal(sql_int(path, "SELECT count(*) FROM images"), 3);
  assert_int_equal(sql_int(path, "SELECT count(*) FROM map"), 4);

  mbtiles_reader *r;
  assert_int_equal(store_mbtiles_open(path, &r, &e), ERR_OK);
  buf b;
  buf_init(&b, 0);
  bool found;
  assert_int_equal(store_mbtiles_tile(r, 2, 1, 1, &b, &found, &e), ERR_OK);
  assert_true(found);
  assert_int_equal(b.len, 3);
  assert_memory_equal(b.data, "sea", 3);
  buf_reset(&b);
  assert_int_equal(store_mbtiles_tile(r, 2, 0, 0, &b, &found, &e), ERR_OK);
  assert_false(found);
  assert_int_equal(store_mbtiles_tile(r, 2, 9, 0, &b, &found, &e), ERR_OK); /* outside zoom 2 */
  assert_false(found);
  char *v;
  assert_int_equal(store_mbtiles_meta_get(r, "name", &v, &e), ERR_OK);
  assert_string_equal(v, "prueba");
  free(v);
  assert_int_equal(store_mbtiles_meta_get(r, "bounds", &v, &e), ERR_OK);
  assert_null(v);
  buf_free(&b);
  store_mbtiles_reader_close(r);

  /* an SQLite file without tiles is not MBTiles */
  char other[256];
  check_tmp_path("other.db", other, sizeof other);
  sqlite3 *db;
  assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(a)", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(store_mbtiles_open(other, &r, &e), ERR_INVALID);
  assert_null(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(round_trip)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
