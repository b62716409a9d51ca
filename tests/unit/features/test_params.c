/* Unit tests of the query-parameter parser: each parameter's typed result, the 400 that names
 * the parameter, the SQL and bound values it produces, and that a failing arena never crashes. */
#include "check.h"
#include "features/features.h"
#include "features_fixture.h"
#include "kv_args.h"
#include "store/store_int.h"

typedef struct parsed {
  arena *a;
  features_request r;
  err e;
  err_code rc;
} parsed;

/* Parses "k=v&k2=v2" (no decoding: tests pass decoded values). */
static parsed parse_q(const char *query, features_use use) {
  static layer_info l;
  l = fixture_layer();
  parsed p = {.a = arena_create(1 << 20)};
  features_kv kv[16];
  size_t n = kv_args_split(arena_strdup(p.a, query), kv, 16);
  features_kv *args = arena_calloc(p.a, n + 1, sizeof *args);
  memcpy(args, kv, n * sizeof *kv);
  p.rc = features_request_parse(&l, use, args, n, FEATURES_GEOJSON, p.a, &p.r, &p.e);
  return p;
}

/* The request's predicate as the store compiles it (parameters from ?8), copied into the arena;
 * sql NULL when there is none. */
typedef struct compiled_sql {
  const char *sql;
  value *args;
  size_t n;
} compiled_sql;

static compiled_sql sql_of(parsed *p) {
  compiled_sql out = {0};
  if (!p->r.where) return out;
  store_sql_pred c;
  store_sql_pred_build(&c, p->r.layer, p->r.where, 8, 1 << 20);
  out.sql = arena_strdup(p->a, buf_cstr(&c.sql));
  out.args = arena_calloc(p->a, c.n_args + 1, sizeof *out.args);
  memcpy(out.args, c.args, c.n_args * sizeof *out.args);
  out.n = c.n_args;
  store_sql_pred_free(&c);
  return out;
}

/* The ORDER BY body of the request's sort keys, NULL for id order. */
static const char *order_of(parsed *p) {
  if (!p->r.n_sort) return NULL;
  buf b;
  buf_init(&b, 0);
  store_sql_order(&b, p->r.sort, p->r.n_sort);
  const char *s = arena_strdup(p->a, buf_cstr(&b));
  buf_free(&b);
  return s;
}

static void expect_bad(const char *query, const char *param) {
  parsed p = parse_q(query, FEATURES_USE_ITEMS);
  if (p.rc != ERR_INVALID) fail_msg("%s: expected ERR_INVALID, got %d", query, p.rc);
  if (strncmp(p.e.msg, param, strlen(param)) != 0 || p.e.msg[strlen(param)] != ':')
    fail_msg("%s: message does not start with '%s:': %s", query, param, p.e.msg);
  arena_destroy(p.a);
}

static void defaults(void **state) {
  parsed p = parse_q("", FEATURES_USE_ITEMS);
  assert_int_equal(p.rc, ERR_OK);
  assert_int_equal(p.r.limit, 100);
  assert_int_equal(p.r.offset, 0);
  assert_false(p.r.has_bbox);
  assert_null(sql_of(&p).sql);
  assert_int_equal(p.r.n_fields, 7);
  assert_int_equal(p.r.format, FEATURES_GEOJSON);
  arena_destroy(p.a);
}

static void bbox_limit_offset(void **state) {
  parsed p = parse_q("bbox=-101.7,21.1,-101.6,21.2&limit=20000&offset=40", FEATURES_USE_ITEMS);
  assert_int_equal(p.rc, ERR_OK);
  assert_true(p.r.has_bbox);
  assert_true(p.r.bbox[0] == -101.7 && p.r.bbox[3] == 21.2);
  assert_int_equal(p.r.limit, 10000); /* clamped, /req/core/fc-limit-response-1 */
  assert_int_equal(p.r.offset, 40);
  arena_destroy(p.a);
  p = parse_q("bbox=170,-10,-170,10", FEATURES_USE_ITEMS); /* across the antimeridian */
  assert_int_equal(p.rc, ERR_OK);
  arena_destroy(p.a);
  p = parse_q("bbox=1,2,0,3,4,0", FEATURES_USE_ITEMS);
  assert_int_equal(p.rc, ERR_OK);
  assert_true(p.r.bbox[2] == 3 && p.r.bbox[3] == 4);
  arena_destroy(p.a);
}

static void malformed_parameters_name_themselves(void **state) {
  expect_bad("bbox=1,2,3", "bbox");
  expect_bad("bbox=1,3,2,2", "bbox");
  expect_bad("bbox=1,2,3,x", "bbox");
  expect_bad("bbox=1,2,3,4,", "bbox");
  expect_bad("bbox=nan,1,2,3", "bbox");
  expect_bad("bbox=1,-91,2,3", "bbox");
  expect_bad("limit=0", "limit");
  expect_bad("limit=-1", "limit");
  expect_bad("limit=1.5", "limit");
  expect_bad("limit=", "limit");
  expect_bad("limit=99999999999999999999", "limit");
  expect_bad("offset=abc", "offset");
  expect_bad("offset=-1", "offset");
  expect_bad("datetime=2025-02-29", "datetime");
  expect_bad("datetime=2025-01-01/2024-01-01", "datetime");
  expect_bad("datetime=2025-01-01T10:00", "datetime");
  expect_bad("f=pdf", "f");
  expect_bad("hora=x", "hora");
  expect_bad("monto=1,5", "monto");
  expect_bad("activo=yes", "activo");
  expect_bad("fecha=2025-01-01T00:00:00Z", "fecha");
  expect_bad("properties=tipo,nope", "properties");
  expect_bad("sortby=nope", "sortby");
  expect_bad("sortby=", "sortby");
  expect_bad("near=1", "near");
  expect_bad("near=1,2,3", "near");
  expect_bad("unknown=1", "unknown");
  expect_bad("by=tipo", "by");
  expect_bad("tipo=a&tipo=b", "tipo");
  expect_bad("filter=", "filter");
  expect_bad("filter-lang=cql-json", "filter-lang");
  expect_bad("after=1&sortby=hora", "after");
  expect_bad("near=1,2&sortby=hora", "sortby");
}

static void equality_binds_typed_values(void **state) {
  parsed p = parse_q("hora=7&activo=true&tipo=robo&monto=2.5&fecha=2025-01-02", FEATURES_USE_ITEMS);
  assert_int_equal(p.rc, ERR_OK);
  assert_string_equal(sql_of(&p).sql,
                      "(\"hora\" = ?8) AND (\"activo\" = ?9) AND (\"tipo\" = ?10) AND "
                      "(\"monto\" = ?11) AND (\"fecha\" = ?12)");
  assert_int_equal(sql_of(&p).n, 5);
  assert_int_equal(sql_of(&p).args[0].kind, VALUE_INT);
  assert_int_equal(sql_of(&p).args[0].i, 7);
  assert_int_equal(sql_of(&p).args[1].i, 1);
  assert_int_equal(sql_of(&p).args[2].kind, VALUE_TEXT);
  assert_true(sql_of(&p).args[3].d == 2.5);
  arena_destroy(p.a);
}

static void datetime_on_date_and_datetime_fields(void **state) {
  parsed p = parse_q("datetime=2025-01-01T23:00:00-06:00/..", FEATURES_USE_ITEMS);
  assert_int_equal(p.rc, ERR_OK);
  assert_string_equal(sql_of(&p).sql, "(\"fecha\" IS NOT NULL AND \"fecha\" >= ?8)");
  /* folded to UTC, compared by its date */
  assert_int_equal(sql_of(&p).args[0].len, 10);
  assert_memory_equal(sql_of(&p).args[0].s, "2025-01-02", 10);
  arena_destroy(p.a);
  p = parse_q("datetime=../2025-03-31", FEATURES_USE_ITEMS);
  assert_string_equal(sql_of(&p).sql, "(\"fecha\" IS NOT NULL AND \"fecha\" <= ?8)");
  arena_destroy(p.a);
  p = parse_q("datetime=2025-03-31", FEATURES_USE_ITEMS);
  assert_string_equal(sql_of(&p).sql,
                      "(\"fecha\" IS NOT NULL AND \"fecha\" >= ?8 AND \"fecha\" <= ?9)");
  arena_destroy(p.a);
}

static void sortby_properties_near(void **state) {
  parsed p = parse_q("sortby= hora,-tipo&properties=tipo,hora", FEATURES_USE_ITEMS);
  assert_int_equal(p.rc, ERR_OK);
  assert_string_equal(order_of(&p), "\"hora\" ASC, \"tipo\" DESC, fid ASC");
  assert_int_equal(p.r.n_fields, 2);
  assert_string_equal(p.r.fields[1], "hora");
  arena_destroy(p.a);
  p = parse_q("sortby=-id", FEATURES_USE_ITEMS);
  assert_string_equal(order_of(&p), "fid DESC");
  arena_destroy(p.a);
  p = parse_q("near=-101.68,21.12&limit=5", FEATURES_USE_ITEMS);
  assert_int_equal(p.rc, ERR_OK);
  assert_true(p.r.has_near && p.r.near[0] == -101.68 && p.r.near[1] == 21.12);
  arena_destroy(p.a);
  p = parse_q("sortby=%22con%20%22%22comillas%22%22%22", FEATURES_USE_ITEMS);
  assert_int_equal(p.rc, ERR_INVALID); /* not decoded here: an unknown name */
  arena_destroy(p.a);
}

static void uses_accept_their_parameters(void **state) {
  parsed p = parse_q("limit=5", FEATURES_USE_DOWNLOAD);
  assert_int_equal(p.rc, ERR_INVALID);
  arena_destroy(p.a);
  p = parse_q("bbox=1,2,3,4", FEATURES_USE_ITEM);
  assert_int_equal(p.rc, ERR_INVALID);
  arena_destroy(p.a);
  p = parse_q("by=month&bbox=1,2,3,4", FEATURES_USE_AGGREGATE);
  assert_int_equal(p.rc, ERR_OK);
  assert_string_equal(p.r.by, "month");
  arena_destroy(p.a);
  p = parse_q("by=monto", FEATURES_USE_AGGREGATE);
  assert_int_equal(p.rc, ERR_INVALID); /* real numbers do not group */
  arena_destroy(p.a);
  p = parse_q("properties=tipo&bom=true", FEATURES_USE_DOWNLOAD);
  assert_int_equal(p.rc, ERR_OK);
  assert_true(p.r.csv_bom);
  assert_int_equal(p.r.limit, -1);
  arena_destroy(p.a);
}

/* A tile's filter: the items' filter parameters and checks, v ignored, nothing else. */
static void tile_use_takes_the_filters_only(void **state) {
  parsed p = parse_q("v=1.2", FEATURES_USE_TILE);
  assert_int_equal(p.rc, ERR_OK);
  assert_null(sql_of(&p).sql);
  arena_destroy(p.a);
  p = parse_q("tipo=robo&datetime=2025-01-01/..&filter=hora >= 20&filter-lang=cql2-text&v=3",
              FEATURES_USE_TILE);
  assert_int_equal(p.rc, ERR_OK);
  assert_non_null(sql_of(&p).sql);
  assert_int_equal(sql_of(&p).n, 3);
  arena_destroy(p.a);
  const char *refused[] = {"bbox=1,2,3,4", "limit=5", "f=json", "properties=tipo", "nope=1",
                           "hora=abc", "filter=nope = 1", "v=1&v=2"};
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
    p = parse_q(refused[i], FEATURES_USE_TILE);
    if (p.rc != ERR_INVALID) fail_msg("%s: expected ERR_INVALID, got %d", refused[i], p.rc);
    arena_destroy(p.a);
  }
  p = parse_q("v=1", FEATURES_USE_ITEMS); /* only tiles take v */
  assert_int_equal(p.rc, ERR_INVALID);
  arena_destroy(p.a);
}

static void store_query_mirrors_the_request(void **state) {
  parsed p = parse_q("bbox=1,2,3,4&after=10&limit=7&offset=70", FEATURES_USE_ITEMS);
  store_query q;
  features_request_query(&p.r, &q);
  assert_ptr_equal(q.bbox, p.r.bbox);
  assert_true(q.bbox_exact);
  assert_int_equal(q.after_id, 10);
  assert_int_equal(q.offset, 0); /* the cursor replaces the offset in SQL */
  assert_int_equal(q.limit, 7);
  arena_destroy(p.a);
}

/* Fault injection: whichever allocation fails, the parser reports an error and nothing leaks
 * (the arena owns everything; ASan checks the rest). */
static void failing_arena_is_an_error_not_a_crash(void **state) {
  layer_info l = fixture_layer();
  features_kv kv[] = {{"filter", "hora BETWEEN 1 AND 3 AND tipo IN ('a','b') OR S_INTERSECTS("
                                 "geometry, POLYGON((0 0, 1 0, 1 1, 0 0)))"},
                      {"properties", "tipo,hora"},
                      {"sortby", "-hora"},
                      {"datetime", "2025-01-01/.."}};
  int failures = 0;
  for (size_t n = 1; n < 200; n++) {
    arena *a = arena_create(0);
    arena_fail_after(a, n);
    features_request r;
    err e;
    err_code rc = features_request_parse(&l, FEATURES_USE_ITEMS, kv, 4, FEATURES_GEOJSON, a, &r, &e);
    if (rc != ERR_OK) {
      failures++;
      assert_true(rc == ERR_NOMEM || rc == ERR_INVALID || rc == ERR_LIMIT);
    }
    arena_destroy(a);
  }
  assert_true(failures > 5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(defaults),
      cmocka_unit_test(bbox_limit_offset),
      cmocka_unit_test(malformed_parameters_name_themselves),
      cmocka_unit_test(equality_binds_typed_values),
      cmocka_unit_test(datetime_on_date_and_datetime_fields),
      cmocka_unit_test(sortby_properties_near),
      cmocka_unit_test(uses_accept_their_parameters),
      cmocka_unit_test(tile_use_takes_the_filters_only),
      cmocka_unit_test(store_query_mirrors_the_request),
      cmocka_unit_test(failing_arena_is_an_error_not_a_crash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
