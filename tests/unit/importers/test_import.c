/* The importer end to end on real third-party files (tests/data, see the SOURCE.md files):
 * control points of both projected CRSs to 1 cm, both CSV encodings, GEOS repair, rejected
 * records, the unchanged re-import, and a failed import that leaves the database as it was. */
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <spatialite.h>

#include "check.h"
#include "importers/import.h"

static char data_dir[1024];

static const char *data(const char *rel) {
  static char path[2048];
  snprintf(path, sizeof path, "%s/%s", data_dir, rel);
  return path;
}

/* Imports path as layer id; returns the parsed report (caller decrefs). */
static json_t *import(const char *db, const char *path, const char *id, import_options *extra,
                      err_code want) {
  import_options o = extra ? *extra : (import_options){0};
  o.path = path;
  o.db_path = db;
  o.layer_id = id;
  import_result r;
  err e;
  err_code rc = import_run(&o, &r, &e);
  if (rc != want) fail_msg("%s: rc %d, want %d: %s", path, rc, want, e.msg);
  json_t *doc = json_loads(r.report_json, 0, NULL);
  assert_non_null(doc);
  import_result_free(&r);
  return doc;
}

static int64_t count(json_t *rep, const char *key) {
  return json_integer_value(json_object_get(json_object_get(rep, "counts"), key));
}

static int64_t issue(json_t *rep, const char *code) {
  return json_integer_value(json_object_get(json_object_get(rep, "issues"), code));
}

/* One number from SQL over the database (SpatiaLite functions available). */
static double sql_number(const char *db_path, const char *sql) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  void *cache = spatialite_alloc_connection();
  spatialite_init_ex(db, cache, 0);
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s", sqlite3_errmsg(db));
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  double d = sqlite3_column_double(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  spatialite_cleanup_ex(cache);
  return d;
}

static void sql_text(const char *db_path, const char *sql, char *out, size_t len) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s", sqlite3_errmsg(db));
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  snprintf(out, len, "%s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

/* 1 cm is 9.0e-8 degrees of latitude and 9.6e-8 of longitude at 21°N. */
#define CM_DEG 9.0e-8

/* First vertex of León in INEGI's EPSG:6372 Shapefile: x 2536779.02673518, y 1035355.85384073.
 * Expected lon/lat: `gdaltransform -s_srs EPSG:6372 -t_srs EPSG:4326` (GDAL 3.6.2, PROJ 9.1),
 * which also equals that vertex in INEGI's own geographic AGEM_11.geojson. */
static void lcc_6372_control_point(void **state) {
  char db[256];
  check_tmp_path("crs.db", db, sizeof db);
  json_t *rep = import(db, data("inegi/AGEM_11_lcc_5mun/AGEM_11_lcc_5mun.shp"), "mun", NULL, ERR_OK);
  assert_int_equal(count(rep, "imported"), 5);
  assert_non_null(strstr(json_string_value(json_object_get(json_object_get(rep, "source"), "crs")),
                         "EPSG:6372"));
  json_decref(rep);
  const char *q = "SELECT %s(PointN(ExteriorRing(GeometryN(geom,1)),1)) FROM lyr_mun_v1 "
                  "WHERE cvegeo='11020'";
  char sql[256];
  snprintf(sql, sizeof sql, q, "X");
  assert_true(fabs(sql_number(db, sql) - -101.64379049) < CM_DEG);
  snprintf(sql, sizeof sql, q, "Y");
  assert_true(fabs(sql_number(db, sql) - 21.33012249) < CM_DEG);
}

/* First vertex of Azcapotzalco in the GeoPackage's UTM 14N layer: x 480871.102771443,
 * y 2156990.62352456 → `gdaltransform -s_srs EPSG:32614 -t_srs EPSG:4326`. */
static void utm_32614_control_point(void **state) {
  char db[256];
  check_tmp_path("utm.db", db, sizeof db);
  import_options o = {.source_layer = "alcaldias"};
  json_t *rep = import(db, data("centrogeo/criminologia_capas_subset.gpkg"), "alcaldias", &o, ERR_OK);
  assert_int_equal(count(rep, "imported"), 16);
  json_decref(rep);
  const char *q = "SELECT %s(PointN(ExteriorRing(GeometryN(geom,1)),1)) FROM lyr_alcaldias_v1 "
                  "WHERE cvegeo='09002'";
  char sql[256];
  snprintf(sql, sizeof sql, q, "X");
  assert_true(fabs(sql_number(db, sql) - -99.1823069697937) < CM_DEG);
  snprintf(sql, sizeof sql, q, "Y");
  assert_true(fabs(sql_number(db, sql) - 19.5074792499949) < CM_DEG);
}

/* The same localidades in UTF-8 and in Latin-1 give the same names; the report says which
 * encoding was used and why. */
static void both_encodings(void **state) {
  char db[256], a[128], b[128];
  check_tmp_path("enc.db", db, sizeof db);
  json_t *r1 = import(db, data("inegi/AGLOC_11020_localidades.csv"), "utf8", NULL, ERR_OK);
  json_t *r2 = import(db, data("inegi/AGLOC_11020_localidades_latin1.csv"), "latin1", NULL, ERR_OK);
  assert_string_equal(json_string_value(json_object_get(json_object_get(r1, "source"), "encoding")),
                      "UTF-8");
  assert_string_equal(json_string_value(json_object_get(json_object_get(r2, "source"), "encoding")),
                      "WINDOWS-1252");
  assert_non_null(strstr(json_string_value(json_array_get(json_object_get(r2, "notes"), 0)),
                         "no es UTF-8"));
  assert_int_equal(count(r1, "imported"), 161);
  assert_int_equal(count(r2, "imported"), 161);
  sql_text(db, "SELECT group_concat(nom_loc) FROM (SELECT nom_loc FROM lyr_utf8_v1 ORDER BY fid)", a,
           sizeof a);
  sql_text(db, "SELECT group_concat(nom_loc) FROM (SELECT nom_loc FROM lyr_latin1_v1 ORDER BY fid)",
           b, sizeof b);
  assert_string_equal(a, b);
  assert_non_null(strstr(a, "León de los Aldama"));
  /* "020" stays a code (text); population is a number */
  sql_text(db, "SELECT typeof(cve_agem) || ' ' || typeof(pob) FROM lyr_utf8_v1 LIMIT 1", a, sizeof a);
  assert_string_equal(a, "text integer");
  json_decref(r1);
  json_decref(r2);
}

/* 9 self-intersecting colonias of the CentroGeo GeoPackage are repaired, none rejected. */
static void geos_repairs(void **state) {
  char db[256];
  check_tmp_path("geos.db", db, sizeof db);
  import_options o = {.source_layer = "colonias"};
  json_t *rep = import(db, data("centrogeo/criminologia_capas_subset.gpkg"), "colonias", &o, ERR_OK);
  assert_int_equal(count(rep, "read"), 49);
  assert_int_equal(count(rep, "imported"), 49);
  assert_int_equal(count(rep, "repaired"), 9);
  assert_int_equal(count(rep, "rejected"), 0);
  assert_int_equal(sql_number(db, "SELECT count(*) FROM lyr_colonias_v1 WHERE IsValid(geom)"), 49);
  json_decref(rep);
}

/* 44 of the first 2,000 crimes have 'NA' coordinates: rejected with their record numbers. */
static void na_coordinates(void **state) {
  char db[256];
  check_tmp_path("na.db", db, sizeof db);
  /* crime records: published with exact locations only when the publisher says so */
  import_options exact = {.privacy = "none"};
  json_t *rep = import(db, data("cdmx-ssp/crime-lat-long-2000.csv"), "crimen", &exact, ERR_OK);
  assert_int_equal(count(rep, "read"), 2000);
  assert_int_equal(count(rep, "imported"), 1956);
  assert_int_equal(issue(rep, "bad_coordinates"), 44);
  json_t *first = json_array_get(json_object_get(rep, "examples"), 0);
  assert_int_equal(json_integer_value(json_object_get(first, "record")), 10);
  assert_string_equal(json_string_value(json_object_get(json_object_get(rep, "duplicate_ids"),
                                                        "field")), "id");
  json_decref(rep);
}

/* Same file and options: no new version. Other options: a new version. */
static void unchanged_reimport(void **state) {
  char db[256];
  check_tmp_path("same.db", db, sizeof db);
  const char *f = data("inegi/AGEM_11020_old.geojson");
  import_options o = {0};
  import_result r;
  err e;
  json_decref(import(db, f, "limite", NULL, ERR_OK));
  o = (import_options){.path = f, .db_path = db, .layer_id = "limite"};
  assert_int_equal(import_run(&o, &r, &e), ERR_OK);
  assert_int_equal(r.status, IMPORT_UNCHANGED);
  assert_int_equal(r.version, 1);
  import_result_free(&r);
  o.title = "Límite municipal";
  assert_int_equal(import_run(&o, &r, &e), ERR_OK);
  assert_int_equal(r.status, IMPORT_PUBLISHED);
  assert_int_equal(r.version, 2);
  import_result_free(&r);
  assert_int_equal(sql_number(db, "SELECT count(*) FROM teselas_history WHERE layer_id='limite'"), 2);
}

static void dump_checksum(const char *db_path, char out[128]) {
  char sql[] = "SELECT group_concat(id || version || feature_count || source_sha256 || table_name)"
               " || (SELECT count(*) FROM sqlite_master) FROM teselas_layers";
  sql_text(db_path, sql, out, 128);
}

/* A truncated Shapefile is refused and the published version stays exactly as it was. */
static void failure_leaves_db_unchanged(void **state) {
  char db[256], dir[256], before[128], after[128];
  check_tmp_path("fail.db", db, sizeof db);
  json_decref(import(db, data("inegi/AGEM_11_lcc_5mun/AGEM_11_lcc_5mun.shp"), "mun", NULL, ERR_OK));
  dump_checksum(db, before);
  snprintf(dir, sizeof dir, "%s", db);
  *strrchr(dir, '/') = '\0';
  static const char *const EXT[] = {"shx", "dbf", "prj", "cpg", "shp"};
  for (int i = 0; i < 5; i++) {
    char from[2048], to[512], cmd[3000];
    snprintf(from, sizeof from, "%s", data("inegi/AGEM_11_lcc_5mun/AGEM_11_lcc_5mun."));
    snprintf(to, sizeof to, "%s/cut.%s", dir, EXT[i]);
    snprintf(cmd, sizeof cmd, i == 4 ? "head -c 100000 '%s%s' > '%s'" : "cp '%s%s' '%s'", from,
             EXT[i], to);
    assert_int_equal(system(cmd), 0);
  }
  char cut[512];
  snprintf(cut, sizeof cut, "%s/cut.shp", dir);
  json_t *rep = import(db, cut, "mun", NULL, ERR_INVALID);
  assert_string_equal(json_string_value(json_object_get(rep, "status")), "rejected");
  assert_non_null(strstr(json_string_value(json_object_get(rep, "message")), "incompleto"));
  json_decref(rep);
  dump_checksum(db, after);
  assert_string_equal(before, after);
  /* a failed import into a database that did not exist leaves no file behind */
  char fresh[512];
  snprintf(fresh, sizeof fresh, "%s/fresh.db", dir);
  json_decref(import(fresh, cut, "mun", NULL, ERR_INVALID));
  assert_int_not_equal(access(fresh, F_OK), 0);
}

/* libpysal's Mexican states: an empty .prj, coordinates in degrees: WGS84 assumed, said so. */
static void empty_prj_assumed_wgs84(void **state) {
  char db[256];
  check_tmp_path("pysal.db", db, sizeof db);
  json_t *rep = import(db, data("libpysal-mexico/mexicojoin.shp"), "estados", NULL, ERR_OK);
  assert_int_equal(count(rep, "imported"), 32);
  char *notes = json_dumps(json_object_get(rep, "notes"), 0);
  assert_non_null(strstr(notes, "se asumió WGS84"));
  free(notes);
  json_decref(rep);
}

int main(void) {
  const char *d = getenv("TESELAS_TEST_DATA");
  snprintf(data_dir, sizeof data_dir, "%s", d ? d : TESELAS_SOURCE_DIR "/tests/data");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lcc_6372_control_point), cmocka_unit_test(utm_32614_control_point),
      cmocka_unit_test(both_encodings),         cmocka_unit_test(geos_repairs),
      cmocka_unit_test(na_coordinates),         cmocka_unit_test(unchanged_reimport),
      cmocka_unit_test(failure_leaves_db_unchanged),
      cmocka_unit_test(empty_prj_assumed_wgs84)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
