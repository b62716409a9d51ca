/* Unit tests of versions/ and the store's version functions on a real SpatiaLite file: a diff
 * matched by id (added, removed, moved, changed attribute, a field retyped and one added, the
 * boxes), the same by content, from >= to, paging bounds, a rollback (new version, same rows,
 * the history row) and what a rollback refuses. */
#include <jansson.h>

#include "check.h"
#include "geom/wkb.h"
#include "store/store.h"
#include "versions/versions.h"

/* One version of "p": points i in ids (x = i, y = i + dy[i]) with name "n<i>" (+ tag), and in v2
 * the field "n" as text and a field "extra". A report naming `id` as the id field unless no_id. */
static void write_version(const char *db, const int *ids, size_t n, const double *dy, bool v2,
                          bool no_id) {
  layer_field f1[] = {{"id", "id", FIELD_INTEGER}, {"name", "name", FIELD_TEXT},
                      {"n", "n", FIELD_INTEGER}};
  layer_field f2[] = {{"id", "id", FIELD_INTEGER}, {"name", "name", FIELD_TEXT},
                      {"n", "n", FIELD_TEXT}, {"extra", "extra", FIELD_TEXT}};
  layer_meta meta = {.id = "p", .minzoom = -1, .maxzoom = -1, .keep_versions = 5};
  store_writer *w = NULL;
  err e;
  assert_int_equal(store_writer_begin(db, &meta, v2 ? f2 : f1, v2 ? 4 : 3, &w, &e), ERR_OK);
  buf g;
  buf_init(&g, 0);
  for (size_t k = 0; k < n; k++) {
    int i = ids[k];
    buf_reset(&g);
    geom_wkb_point(&g, -100.0 + i * 0.01, 20.0 + i * 0.01 + (dy ? dy[k] : 0));
    char name[32], num[16];
    snprintf(name, sizeof name, "n%d%s", i, v2 && i == 3 ? "!" : "");
    snprintf(num, sizeof num, "%d", i);
    value v[] = {{.kind = VALUE_INT, .i = i},
                 {.kind = VALUE_TEXT, .s = name, .len = strlen(name)},
                 v2 ? (value){.kind = VALUE_TEXT, .s = num, .len = strlen(num)}
                    : (value){.kind = VALUE_INT, .i = i},
                 {.kind = VALUE_TEXT, .s = "x", .len = 1}};
    assert_int_equal(store_writer_add(w, i, g.data, g.len, v, &e), ERR_OK);
  }
  buf_free(&g);
  const char *report = no_id ? "{\"duplicate_ids\":{\"field\":\"\"}}"
                             : "{\"duplicate_ids\":{\"field\":\"id\"}}";
  if (store_writer_commit(w, report, NULL, &e) != ERR_OK) fail_msg("%s", e.msg);
}

typedef struct seen {
  int added, removed, changed;
  bool geometry_of_2, attributes_of_3;
} seen;

static int on_change(void *ctx, const versions_change *c) {
  seen *s = ctx;
  if (c->kind == VERSIONS_ADDED) s->added++;
  if (c->kind == VERSIONS_REMOVED) s->removed++;
  if (c->kind == VERSIONS_CHANGED) {
    s->changed++;
    if (c->key_len == 1 && c->key[0] == '2') s->geometry_of_2 = c->geometry && !c->attributes;
    if (c->key_len == 1 && c->key[0] == '3') s->attributes_of_3 = c->attributes && !c->geometry;
  }
  assert_true(c->has_bbox);
  return 0;
}

static void write_two(const char *db, bool no_id) {
  const int a[] = {1, 2, 3, 4, 5}, b[] = {2, 3, 4, 5, 6, 7};
  const double moved[] = {0.5, 0, 0, 0, 0, 0};  /* 2 moves north by 0.5 */
  write_version(db, a, 5, NULL, false, no_id);
  write_version(db, b, 6, moved, true, no_id);
}

/* A database with both versions, open for reading. */
static store_reader *open_two(const char *name, bool no_id) {
  char db[256];
  check_tmp_path(name, db, sizeof db);
  write_two(db, no_id);
  store_reader *r = NULL;
  err e;
  assert_int_equal(store_reader_open(db, &r, &e), ERR_OK);
  return r;
}

static void diff_by_id(void **state) {
  (void)state;
  store_reader *r = open_two("v.db", false);
  err e;
  arena *a = arena_create(1 << 20);
  seen s = {0};
  versions_diff d;
  if (versions_diff_run(r, "p", 1, 2, a, on_change, &s, &d, &e) != ERR_OK) fail_msg("%s", e.msg);
  assert_string_equal(d.key_field, "id");
  assert_int_equal(d.n_added, 2);     /* 6, 7 */
  assert_int_equal(d.n_removed, 1);   /* 1 */
  assert_int_equal(d.n_changed, 2);   /* 2 moved, 3 renamed ("n" retyped is not compared) */
  assert_int_equal(d.n_unchanged, 2); /* 4, 5 */
  assert_true(s.geometry_of_2 && s.attributes_of_3);
  assert_int_equal(s.added + s.removed + s.changed, 5);
  assert_int_equal(d.n_fields_added, 1);
  assert_string_equal(d.fields_added[0].name, "extra");
  assert_int_equal(d.n_fields_retyped, 1);
  assert_string_equal(d.fields_retyped[0].to_type, "text");
  /* the box: from point 1 (-99.99, 20.01) to 7 (-99.93, 20.07) and 2 moved to 20.52 */
  assert_true(d.has_bbox);
  assert_float_equal(d.bbox[0], -99.99, 1e-9);
  assert_float_equal(d.bbox[3], 20.52, 1e-9);
  assert_int_equal(versions_diff_run(r, "p", 2, 2, a, NULL, NULL, &d, &e), ERR_INVALID);
  assert_int_equal(versions_diff_run(r, "p", 2, 1, a, NULL, NULL, &d, &e), ERR_INVALID);
  assert_int_equal(versions_diff_run(r, "p", 1, 9, a, NULL, NULL, &d, &e), ERR_NOT_FOUND);
  assert_int_equal(versions_diff_run(r, "q", 1, 2, a, NULL, NULL, &d, &e), ERR_NOT_FOUND);
  /* one bounded page of the document */
  char *doc = NULL;
  versions_page page = {.offset = 1, .limit = 2};
  assert_int_equal(versions_diff_doc(r, "p", 1, 2, &page, &doc, &e), ERR_OK);
  json_t *j = json_loads(doc, 0, NULL);
  assert_int_equal(json_array_size(json_object_get(j, "changes")), 2);
  assert_int_equal(json_integer_value(json_object_get(j, "next_offset")), 3);
  json_decref(j);
  free(doc);
  page.limit = 0;
  assert_int_equal(versions_diff_doc(r, "p", 1, 2, &page, &doc, &e), ERR_INVALID);
  arena_destroy(a);
  store_reader_close(r);
}

static void diff_by_content(void **state) {
  (void)state;
  store_reader *r = open_two("c.db", true);
  err e;
  arena *a = arena_create(1 << 20);
  versions_diff d;
  assert_int_equal(versions_diff_run(r, "p", 1, 2, a, NULL, NULL, &d, &e), ERR_OK);
  assert_null(d.key_field);
  /* a change is a removal plus an addition: 1, 2, 3 removed; 2', 3', 6, 7 added */
  assert_int_equal(d.n_removed, 3);
  assert_int_equal(d.n_added, 4);
  assert_int_equal(d.n_changed, 0);
  assert_int_equal(d.n_unchanged, 2);
  arena_destroy(a);
  store_reader_close(r);
}

static int count_rows(void *ctx, const store_version *v) {
  int *n = ctx;
  (*n)++;
  if (v->version == 3) assert_int_equal(v->rollback_of, 1);
  return 0;
}

static void rollback(void **state) {
  (void)state;
  char db[256];
  check_tmp_path("r.db", db, sizeof db);
  write_two(db, false);
  err e;
  int64_t v = 0;
  if (store_layer_rollback(db, "p", 1, &v, &e) != ERR_OK) fail_msg("%s", e.msg);
  assert_int_equal(v, 3);
  store_reader *r = NULL;
  assert_int_equal(store_reader_open(db, &r, &e), ERR_OK);
  const catalog *cat = NULL;
  assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  const layer_info *l = catalog_find(cat, "p", 1);
  assert_int_equal(l->version, 3);
  assert_int_equal(l->feature_count, 5);
  assert_int_equal(l->n_fields, 3);
  assert_int_equal(l->fields[2].type, FIELD_INTEGER);
  arena *a = arena_create(1 << 20);
  versions_diff d;
  assert_int_equal(versions_diff_run(r, "p", 1, 3, a, NULL, NULL, &d, &e), ERR_OK);
  assert_int_equal(d.n_unchanged, 5);
  assert_int_equal(d.n_added + d.n_removed + d.n_changed, 0);
  int n = 0;
  assert_int_equal(store_versions_scan(r, "p", -1, count_rows, &n, &e), ERR_OK);
  assert_int_equal(n, 3);
  arena_destroy(a);
  store_reader_close(r);
  assert_int_equal(store_layer_rollback(db, "p", 3, &v, &e), ERR_INVALID);  /* published */
  assert_int_equal(store_layer_rollback(db, "p", 8, &v, &e), ERR_NOT_FOUND);
  assert_int_equal(store_layer_rollback(db, "q", 1, &v, &e), ERR_NOT_FOUND);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(diff_by_id),
                                     cmocka_unit_test(diff_by_content), cmocka_unit_test(rollback)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
