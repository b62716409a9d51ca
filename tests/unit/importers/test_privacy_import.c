/* The importer under a privacy policy (issue 8), end to end on small generated files: the
 * personal-data check stops an undecided import before the database exists; generalize writes
 * exactly the grid centres of the source points (and with k only cells of k or more); dates lose
 * their day; aggregate by the polygons of another layer publishes one feature per polygon with
 * its count, never a count under k; a policy that moves points refuses lines. */
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <spatialite.h>
#include <stdlib.h>

#include "check.h"
#include "importers/import.h"
#include "privacy/grid.h"

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* n points around León (a fixed pseudo-random walk), with a date and a type. */
static void write_points(const char *path, int n, double pts[][2]) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("id,tipo,fecha,telefono,lat,lon\n", f);
  uint32_t s = 12345;
  for (int i = 0; i < n; i++) {
    s = s * 1103515245u + 12345u;
    double dx = (double)(s >> 8 & 0xffff) / 65536.0, dy = (double)(s >> 4 & 0xffff) / 65536.0;
    pts[i][0] = -101.69 + 0.02 * dx * dx;
    pts[i][1] = 21.11 + 0.02 * dy * dy;
    fprintf(f, "%d,%s,2025-0%d-%02dT10:30:00,477 %03d %04d,%.6f,%.6f\n", i + 1,
            i % 3 ? "robo" : "lesiones", 1 + i % 4, 1 + i % 28, 100 + i, 1000 + i, pts[i][1],
            pts[i][0]);
  }
  fclose(f);
}

static err_code run(const char *db, const char *path, const char *layer, const char *privacy,
                    err *e) {
  static const char *const DROP[] = {"telefono"};
  import_options o = {.path = path, .db_path = db, .layer_id = layer, .privacy = privacy,
                      .drop = DROP, .n_drop = 1};
  import_result r;
  err_code rc = import_run(&o, &r, e);
  import_result_free(&r);
  return rc;
}

/* The first three columns of up to max rows of sql, as doubles. */
static int rows(const char *db_path, const char *sql, double (*xyz)[3], int max) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  void *cache = spatialite_alloc_connection();
  spatialite_init_ex(db, cache, 0);
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s", sqlite3_errmsg(db));
  int n = 0;
  while (sqlite3_step(st) == SQLITE_ROW && n < max) {
    for (int k = 0; k < 3; k++) xyz[n][k] = sqlite3_column_double(st, k);
    n++;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  spatialite_cleanup_ex(cache);
  return n;
}

enum { N = 400 };

static void undecided_import_creates_nothing(void **state) {
  char db[256], csv[256];
  check_tmp_path("p.db", db, sizeof db);
  snprintf(csv, sizeof csv, "%.*s/p.csv", (int)(strrchr(db, '/') - db), db);
  static double pts[N][2];
  write_points(csv, 50, pts);
  import_options o = {.path = csv, .db_path = db, .layer_id = "p"};
  import_result r;
  err e;
  assert_int_equal(import_run(&o, &r, &e), ERR_INVALID);
  assert_non_null(strstr(e.msg, "telefono"));
  assert_null(strstr(e.msg, "tipo"));
  assert_non_null(strstr(r.report_text, "teléfono"));
  import_result_free(&r);
  assert_int_not_equal(access(db, F_OK), 0);
}

static int cmp_xy(const void *a, const void *b) {
  const double *p = a, *q = b;
  return p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : p[1] < q[1] ? -1 : p[1] > q[1];
}

static void generalize_writes_grid_centres(void **state) {
  char db[256], csv[256];
  check_tmp_path("g.db", db, sizeof db);
  snprintf(csv, sizeof csv, "%.*s/g.csv", (int)(strrchr(db, '/') - db), db);
  static double pts[N][2], got[N][3];
  write_points(csv, N, pts);
  err e;
  if (run(db, csv, "g", "generalize:grid=250,month", &e) != ERR_OK) fail_msg("%s", e.msg);
  /* the store numbers the records in its own order (not the source's): compared as sets */
  int n = rows(db, "SELECT X(geom), Y(geom), substr(fecha, 9, 2) FROM lyr_g_v1 ORDER BY 1, 2", got, N);
  assert_int_equal(n, N);
  privacy_grid *g = NULL;
  assert_int_equal(privacy_grid_create(250, PRIVACY_SHAPE_SQUARE, &g, &e), ERR_OK);
  static double want[N][2];
  for (int i = 0; i < N; i++) {
    assert_int_equal(privacy_grid_snap(g, pts[i][0], pts[i][1], NULL, &want[i][0], &want[i][1], &e),
                     ERR_OK);
    assert_true(hypot((want[i][0] - pts[i][0]) * 104000, (want[i][1] - pts[i][1]) * 111000) > 1);
  }
  qsort(want, N, sizeof *want, cmp_xy);
  for (int i = 0; i < N; i++) {
    assert_true(fabs(got[i][0] - want[i][0]) < 1e-9 && fabs(got[i][1] - want[i][1]) < 1e-9);
    assert_true(got[i][2] == 1.0); /* the day: "01" */
  }
  privacy_grid_destroy(g);
}

static void generalize_with_k_keeps_cells_of_k(void **state) {
  char db[256], csv[256];
  check_tmp_path("k.db", db, sizeof db);
  snprintf(csv, sizeof csv, "%.*s/k.csv", (int)(strrchr(db, '/') - db), db);
  static double pts[N][2], got[N][3];
  write_points(csv, N, pts);
  err e;
  if (run(db, csv, "k", "generalize:grid=100,k=4", &e) != ERR_OK) fail_msg("%s", e.msg);
  int n = rows(db, "SELECT X(geom), Y(geom), count(*) FROM lyr_k_v1 GROUP BY 1, 2", got, N);
  int total = 0;
  for (int i = 0; i < n; i++) {
    assert_true(got[i][2] >= 4);
    total += (int)got[i][2];
  }
  assert_true(total > 0 && total < N);
}

static void aggregate_by_polygons_of_another_layer(void **state) {
  char db[256], dir[256], zones[300], csv[300];
  check_tmp_path("a.db", db, sizeof db);
  snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(db, '/') - db), db);
  snprintf(zones, sizeof zones, "%s/zonas.geojson", dir);
  snprintf(csv, sizeof csv, "%s/a.csv", dir);
  /* two squares splitting the points' area, and a third far away */
  write_file(zones,
             "{\"type\":\"FeatureCollection\",\"features\":["
             "{\"type\":\"Feature\",\"properties\":{\"nombre\":\"Oeste\"},\"geometry\":{\"type\":"
             "\"Polygon\",\"coordinates\":[[[-101.7,21.1],[-101.68,21.1],[-101.68,21.14],"
             "[-101.7,21.14],[-101.7,21.1]]]}},"
             "{\"type\":\"Feature\",\"properties\":{\"nombre\":\"Este\"},\"geometry\":{\"type\":"
             "\"Polygon\",\"coordinates\":[[[-101.68,21.1],[-101.66,21.1],[-101.66,21.14],"
             "[-101.68,21.14],[-101.68,21.1]]]}},"
             "{\"type\":\"Feature\",\"properties\":{\"nombre\":\"Lejos\"},\"geometry\":{\"type\":"
             "\"Polygon\",\"coordinates\":[[[-100,20],[-99.9,20],[-99.9,20.1],[-100,20]]]}}]}");
  import_options zo = {.path = zones, .db_path = db, .layer_id = "zonas"};
  import_result r;
  err e;
  if (import_run(&zo, &r, &e) != ERR_OK) fail_msg("%s", e.msg);
  import_result_free(&r);
  static double pts[N][2], got[N][3];
  write_points(csv, N, pts);
  if (run(db, csv, "agg", "aggregate:layer=zonas,k=5,by=tipo", &e) != ERR_OK) fail_msg("%s", e.msg);
  int west = 0, east = 0;
  for (int i = 0; i < N; i++) *(pts[i][0] < -101.68 ? &west : &east) += 1;
  int n = rows(db, "SELECT fid, casos, NumPoints(ExteriorRing(GeometryN(geom, 1))) FROM lyr_agg_v1"
                   " ORDER BY fid", got, N);
  assert_int_equal(n, 2); /* the far polygon holds nothing */
  assert_int_equal((int)got[0][1], west);
  assert_int_equal((int)got[1][1], east);
  assert_int_equal((int)got[0][2], 5);
  n = rows(db, "SELECT min(count), count(*), sum(level = 1 AND count IS NOT NULL) FROM"
                " teselas_agg_units WHERE layer_id='agg'",
           got, 1);
  assert_true(got[0][0] >= 5 && got[0][2] >= 2);
  assert_int_equal(run(db, csv, "agg2", "aggregate:layer=nada,k=5", &e), ERR_INVALID);
  assert_non_null(strstr(e.msg, "nada"));
}

static void generalize_refuses_lines(void **state) {
  char db[256], path[300];
  check_tmp_path("l.db", db, sizeof db);
  snprintf(path, sizeof path, "%.*s/l.geojson", (int)(strrchr(db, '/') - db), db);
  write_file(path, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                   "\"properties\":{\"telefono\":\"x\"},\"geometry\":{\"type\":\"LineString\","
                   "\"coordinates\":[[-101.7,21.1],[-101.6,21.2]]}}]}");
  err e;
  assert_int_equal(run(db, path, "l", "generalize:grid=250", &e), ERR_INVALID);
  assert_non_null(strstr(e.msg, "solo admite puntos"));
  assert_int_not_equal(access(db, F_OK), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(undecided_import_creates_nothing),
      cmocka_unit_test(generalize_writes_grid_centres),
      cmocka_unit_test(generalize_with_k_keeps_cells_of_k),
      cmocka_unit_test(aggregate_by_polygons_of_another_layer),
      cmocka_unit_test(generalize_refuses_lines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
