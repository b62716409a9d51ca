/* Unit tests of store/units.c: the published counts of aggregate layers are stored with the
 * version that publishes them, streamed by level and bbox (also across the antimeridian), gone
 * when their version is pruned, and a database without any is read as "no units". Also the
 * bounds of a privacy layer rounded outwards to the grid (layer_meta.bounds_step). */
#include <math.h>
#include <sqlite3.h>

#include "check.h"
#include "importers/wkb.h"
#include "store/store.h"

static const layer_field FIELDS[] = {{"celda", "Celda", FIELD_TEXT}, {"casos", "Casos", FIELD_INTEGER}};

/* One version of layer "agg" with two cells and their units; returns the version. */
static int64_t write_version(const char *db, int64_t base, const double step[2]) {
  layer_meta meta = {.id = "agg", .minzoom = -1, .maxzoom = -1, .keep_versions = 1,
                     .bounds_step = {step ? step[0] : 0, step ? step[1] : 0}};
  store_writer *w = NULL;
  err e;
  assert_int_equal(store_writer_begin(db, &meta, FIELDS, 2, &w, &e), ERR_OK);
  buf g;
  buf_init(&g, 0);
  const double xy[2][2] = {{-101.6812, 21.1234}, {179.9, -16.5}};
  for (int i = 0; i < 2; i++) {
    buf_reset(&g);
    wkb_point(&g, xy[i][0], xy[i][1]);
    value v[] = {{.kind = VALUE_TEXT, .s = i ? "B" : "A", .len = 1}, {.kind = VALUE_INT, .i = 7}};
    assert_int_equal(store_writer_add(w, -1, g.data, g.len, v, &e), ERR_OK);
  }
  buf_free(&g);
  store_unit u[] = {
      {0, "A", "", "", base, {-101.69, 21.12, -101.68, 21.13}},
      {0, "B", "", "", base + 1, {179.8, -16.6, 180.0, -16.4}},
      {1, "A", "robo", "", base, {-101.69, 21.12, -101.68, 21.13}},
      {3, "A", "robo", "2025-01", base, {-101.69, 21.12, -101.68, 21.13}},
  };
  assert_int_equal(store_writer_add_units(w, u, 4, &e), ERR_OK);
  int64_t version = 0;
  if (store_writer_commit(w, NULL, &version, &e) != ERR_OK) fail_msg("%s", e.msg);
  return version;
}

typedef struct seen {
  char cells[8][8];
  int64_t counts[8];
  int n;
} seen;

static int collect(void *ctx, const store_unit *u) {
  seen *s = ctx;
  if (s->n < 8) {
    snprintf(s->cells[s->n], 8, "%s%s", u->cell, u->category);
    s->counts[s->n++] = u->count;
  }
  return 0;
}

static seen scan(store_reader *r, int level, const double *bbox) {
  const catalog *cat = NULL;
  err e;
  assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  const layer_info *l = catalog_find(cat, "agg", 3);
  assert_non_null(l);
  seen s = {0};
  assert_int_equal(store_units_scan(r, l, level, bbox, collect, &s, &e), ERR_OK);
  return s;
}

static void units_by_level_and_bbox(void **state) {
  char db[256];
  check_tmp_path("u.db", db, sizeof db);
  assert_int_equal(write_version(db, 10, NULL), 1);
  store_reader *r = NULL;
  err e;
  assert_int_equal(store_reader_open(db, &r, &e), ERR_OK);
  seen s = scan(r, 0, NULL);
  assert_int_equal(s.n, 2);
  assert_string_equal(s.cells[0], "A");
  assert_int_equal(s.counts[1], 11);
  double leon[4] = {-101.70, 21.125, -101.685, 21.2};
  s = scan(r, 0, leon);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.cells[0], "A");
  double across[4] = {179.95, -17, -179.0, -16}; /* minx > maxx: across 180° */
  s = scan(r, 0, across);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.cells[0], "B");
  double nowhere[4] = {0, 0, 1, 1};
  assert_int_equal(scan(r, 0, nowhere).n, 0);
  s = scan(r, 1, NULL);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.cells[0], "Arobo");
  assert_int_equal(scan(r, 2, NULL).n, 0);
  assert_int_equal(scan(r, 3, NULL).n, 1);
  /* a new version replaces the units the reader sees; the old ones are pruned (keep 1) */
  assert_int_equal(write_version(db, 20, NULL), 2);
  s = scan(r, 0, NULL);
  assert_int_equal(s.n, 2);
  assert_int_equal(s.counts[0], 20);
  store_reader_close(r);
  sqlite3 *raw = NULL;
  assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(raw, "SELECT count(*), min(version) FROM teselas_units", -1,
                                      &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(st, 0), 4);
  assert_int_equal(sqlite3_column_int(st, 1), 2);
  sqlite3_finalize(st);
  sqlite3_close(raw);
}

static void no_units_table(void **state) {
  char db[256];
  check_tmp_path("n.db", db, sizeof db);
  layer_meta meta = {.id = "agg", .minzoom = -1, .maxzoom = -1, .keep_versions = 1};
  store_writer *w = NULL;
  err e;
  assert_int_equal(store_writer_begin(db, &meta, FIELDS, 2, &w, &e), ERR_OK);
  buf g;
  buf_init(&g, 0);
  wkb_point(&g, -101.68, 21.12);
  value v[] = {{.kind = VALUE_TEXT, .s = "A", .len = 1}, {.kind = VALUE_INT, .i = 7}};
  assert_int_equal(store_writer_add(w, -1, g.data, g.len, v, &e), ERR_OK);
  buf_free(&g);
  assert_int_equal(store_writer_commit(w, NULL, NULL, &e), ERR_OK);
  store_reader *r = NULL;
  assert_int_equal(store_reader_open(db, &r, &e), ERR_OK);
  assert_int_equal(scan(r, 0, NULL).n, 0);
  store_reader_close(r);
}

static void bounds_rounded_to_the_grid(void **state) {
  char db[256];
  check_tmp_path("b.db", db, sizeof db);
  const double step[2] = {250 / 111320.0, 250 / 111320.0};
  write_version(db, 10, step);
  store_reader *r = NULL;
  err e;
  assert_int_equal(store_reader_open(db, &r, &e), ERR_OK);
  const catalog *cat = NULL;
  assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  const double *b = catalog_find(cat, "agg", 3)->bounds;
  for (int i = 0; i < 4; i++) {
    double k = b[i] / step[i % 2];
    assert_true(fabs(k - round(k)) < 1e-6 || b[i] == 180.0);
  }
  assert_true(b[0] < -101.6812 && b[1] < -16.5 && b[2] >= 179.9 && b[3] > 21.1234);
  store_reader_close(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(units_by_level_and_bbox),
      cmocka_unit_test(no_units_table),
      cmocka_unit_test(bounds_rounded_to_the_grid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
