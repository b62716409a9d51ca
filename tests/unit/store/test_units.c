/* Unit tests of store/agg.c: the nodes and counts of aggregate layers are stored with the
 * version that publishes them, nodes streamed by bbox (also across the antimeridian) with their
 * parent's box, units by node, level and category (withheld ones without their count), gone
 * when their version is pruned, and a database without any is read as "no nodes". Also the
 * bounds of a privacy layer rounded outwards to the grid (layer_meta.bounds_step). */
#include <math.h>
#include <sqlite3.h>

#include "check.h"
#include "geom/wkb.h"
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
    geom_wkb_point(&g, xy[i][0], xy[i][1]);
    value v[] = {{.kind = VALUE_TEXT, .s = i ? "B" : "A", .len = 1}, {.kind = VALUE_INT, .i = 7}};
    assert_int_equal(store_writer_add(w, -1, g.data, g.len, v, &e), ERR_OK);
  }
  buf_free(&g);
  store_agg_node nodes[] = {
      {"A", "*", 0, {-101.69, 21.12, -101.68, 21.13}},
      {"B", "*", 0, {179.8, -16.6, 180.0, -16.4}},
      {"*", NULL, 1, {-101.69, -16.6, 180.0, 21.13}},
  };
  store_agg_unit u[] = {
      {"A", 0, "", "", base, true},
      {"B", 0, "", "", base + 1, true},
      {"A", 1, "robo", "", base, true},
      {"A", 1, "riña", "", 2, false},
      {"A", 3, "robo", "2025-01", base, true},
  };
  assert_int_equal(store_writer_add_agg(w, nodes, 3, u, 5, &e), ERR_OK);
  int64_t version = 0;
  if (store_writer_commit(w, NULL, &version, &e) != ERR_OK) fail_msg("%s", e.msg);
  return version;
}

typedef struct seen {
  char cells[8][16];
  int64_t counts[8];
  int n;
} seen;

static int collect_node(void *ctx, const store_agg_node_row *n) {
  seen *s = ctx;
  if (s->n < 8) {
    snprintf(s->cells[s->n], 16, "%s%s", n->node, n->has_parent ? "" : "(root)");
    s->counts[s->n++] = (int64_t)n->tier;
  }
  return 0;
}

static int collect_unit(void *ctx, const store_agg_unit *u) {
  seen *s = ctx;
  if (s->n < 8) {
    snprintf(s->cells[s->n], 16, "%s%s%s", u->node, u->category, u->published ? "" : "?");
    s->counts[s->n++] = u->published ? u->count : -1;
  }
  return 0;
}

static const layer_info *layer(store_reader *r) {
  const catalog *cat = NULL;
  err e;
  assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  const layer_info *l = catalog_find(cat, "agg", 3);
  assert_non_null(l);
  return l;
}

static seen nodes(store_reader *r, const double *bbox) {
  seen s = {0};
  err e;
  assert_int_equal(store_agg_nodes_scan(r, layer(r), bbox, collect_node, &s, &e), ERR_OK);
  return s;
}

static seen units(store_reader *r, const char *node, int a, int b, const char *cat) {
  seen s = {0};
  err e;
  assert_int_equal(store_agg_units_scan(r, layer(r), node, a, b, cat, collect_unit, &s, &e), ERR_OK);
  return s;
}

static void units_by_level_and_bbox(void **state) {
  char db[256];
  check_tmp_path("u.db", db, sizeof db);
  assert_int_equal(write_version(db, 10, NULL), 1);
  store_reader *r = NULL;
  err e;
  assert_int_equal(store_reader_open(db, &r, &e), ERR_OK);
  seen s = nodes(r, NULL); /* no bbox: the root */
  assert_int_equal(s.n, 1);
  assert_string_equal(s.cells[0], "*(root)");
  double leon[4] = {-101.70, 21.125, -101.685, 21.2};
  s = nodes(r, leon);
  assert_int_equal(s.n, 2); /* A and the root */
  double across[4] = {179.95, -17, -179.0, -16}; /* minx > maxx: across 180° */
  s = nodes(r, across);
  assert_int_equal(s.n, 2); /* B and the root */
  double nowhere[4] = {0, 0, 1, 1};
  assert_int_equal(nodes(r, nowhere).n, 1); /* the root's box spans it */
  s = units(r, "A", 0, 1, NULL);
  assert_int_equal(s.n, 3);
  assert_string_equal(s.cells[0], "A");
  assert_string_equal(s.cells[1], "Ariña?"); /* withheld: no count stored */
  assert_int_equal(s.counts[1], -1);
  assert_string_equal(s.cells[2], "Arobo");
  s = units(r, "A", 1, 3, "robo");
  assert_int_equal(s.n, 2);
  assert_int_equal(units(r, "A", 2, 2, NULL).n, 0);
  /* a new version replaces the units the reader sees; the old ones are pruned (keep 1) */
  assert_int_equal(write_version(db, 20, NULL), 2);
  s = units(r, "A", 0, 0, NULL);
  assert_int_equal(s.n, 1);
  assert_int_equal(s.counts[0], 20);
  store_reader_close(r);
  sqlite3 *raw = NULL;
  assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(raw, "SELECT count(*), min(version), sum(count IS NULL)"
                                      " FROM teselas_agg_units", -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(st, 0), 5);
  assert_int_equal(sqlite3_column_int(st, 1), 2);
  assert_int_equal(sqlite3_column_int(st, 2), 1);
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
  geom_wkb_point(&g, -101.68, 21.12);
  value v[] = {{.kind = VALUE_TEXT, .s = "A", .len = 1}, {.kind = VALUE_INT, .i = 7}};
  assert_int_equal(store_writer_add(w, -1, g.data, g.len, v, &e), ERR_OK);
  buf_free(&g);
  assert_int_equal(store_writer_commit(w, NULL, NULL, &e), ERR_OK);
  store_reader *r = NULL;
  assert_int_equal(store_reader_open(db, &r, &e), ERR_OK);
  assert_int_equal(nodes(r, NULL).n, 0);
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
