/* Unit tests of store/settings.c: a missing database, a database without the settings table and
 * a missing key all read as "no value"; the area of interest reads back to the bit, is removed
 * with NULL, is refused when it is not a box, and a corrupt stored value is an error, not a box. */
#include <sqlite3.h>

#include "check.h"
#include "store/store.h"

static void nothing_stored_reads_as_none(void **state) {
  char db[256];
  check_tmp_path("none.db", db, sizeof db);
  err e;
  double area[4];
  bool found = true;
  char *text = (char *)"x";
  assert_int_equal(store_area_get(db, area, &found, &e), ERR_OK);  /* no database */
  assert_false(found);
  assert_int_equal(access(db, F_OK), -1);  /* reading created nothing */
  sqlite3 *s;
  assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
  assert_int_equal(sqlite3_exec(s, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(s);
  assert_int_equal(store_setting_get(db, "area_of_interest", &text, &e), ERR_OK);  /* no table */
  assert_null(text);
  assert_int_equal(store_setting_set(db, "title", "León", &e), ERR_OK);
  assert_int_equal(store_area_get(db, area, &found, &e), ERR_OK);  /* another key */
  assert_false(found);
  assert_int_equal(store_setting_get(db, "title", &text, &e), ERR_OK);
  assert_string_equal(text, "León");
  free(text);
}

static void area_round_trip(void **state) {
  char db[256];
  check_tmp_path("area.db", db, sizeof db);
  err e;
  const double leon[4] = {-102.0, 20.8, -101.3, 21.4};
  assert_int_equal(store_area_set(db, leon, &e), ERR_OK);
  double got[4];
  bool found = false;
  assert_int_equal(store_area_get(db, got, &found, &e), ERR_OK);
  assert_true(found);
  assert_memory_equal(got, leon, sizeof leon);
  const double other[4] = {-100.5, 25.5, -100.1, 25.9};
  assert_int_equal(store_area_set(db, other, &e), ERR_OK);
  assert_int_equal(store_area_get(db, got, &found, &e), ERR_OK);
  assert_memory_equal(got, other, sizeof other);
  assert_int_equal(store_area_set(db, NULL, &e), ERR_OK);
  assert_int_equal(store_area_get(db, got, &found, &e), ERR_OK);
  assert_false(found);
}

static void bad_areas_refused(void **state) {
  char db[256];
  check_tmp_path("bad.db", db, sizeof db);
  err e;
  const double swapped[4] = {-101.3, 20.8, -102.0, 21.4};
  const double too_far[4] = {-200, 20.8, -101.3, 21.4};
  assert_int_equal(store_area_set(db, swapped, &e), ERR_INVALID);
  assert_int_equal(store_area_set(db, too_far, &e), ERR_INVALID);
  assert_int_equal(store_setting_set(db, "area_of_interest", "[1,2,3]", &e), ERR_OK);
  double got[4];
  bool found = true;
  assert_int_equal(store_area_get(db, got, &found, &e), ERR_INVALID);
  assert_false(found);
  assert_non_null(strstr(e.msg, "[1,2,3]"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(nothing_stored_reads_as_none),
      cmocka_unit_test(area_round_trip),
      cmocka_unit_test(bad_areas_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
