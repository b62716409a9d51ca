/* Unit tests of the CQL2-text parser, through the SQL the store compiles its predicate to: the
 * SQL and the values bound, type checks, LIKE → GLOB, spatial predicates with the index
 * prefilter, and errors that point at the character at fault. */
#include "check.h"
#include "features/features_int.h"
#include "features_fixture.h"
#include "store/store_int.h"

typedef struct compiled {
  arena *a;
  features_request r;
  err e;
  err_code rc;
  store_sql_pred c;  /* r.where compiled, parameters from ?8 */
  const char *sql;
  const value *args;
  size_t n_args;
  bool spatial;
} compiled;

static compiled compile(const char *filter) {
  static layer_info l;
  l = fixture_layer();
  compiled c = {.a = arena_create(64u << 20)};
  features_where w;
  features_where_init(&w, c.a);
  c.rc = features_cql2_compile(&l, filter, &w, &c.e);
  if (c.rc == ERR_OK) c.rc = features_where_finish(&w, &c.r, "filter", &c.e);
  if (c.rc == ERR_OK) {
    store_sql_pred_build(&c.c, &l, c.r.where, 8, 1 << 20);
    c.sql = buf_cstr(&c.c.sql);
    c.args = c.c.args;
    c.n_args = c.c.n_args;
    c.spatial = c.c.spatial;
  }
  return c;
}

static void release(compiled *c) {
  if (c->rc == ERR_OK) store_sql_pred_free(&c->c);
  arena_destroy(c->a);
}

static void expect_sql(const char *filter, const char *sql) {
  compiled c = compile(filter);
  if (c.rc != ERR_OK) fail_msg("%s: %s", filter, c.e.msg);
  if (strcmp(c.sql, sql) != 0) fail_msg("%s:\n got  %s\n want %s", filter, c.sql, sql);
  release(&c);
}

static void expect_error(const char *filter, const char *msg_part) {
  compiled c = compile(filter);
  if (c.rc != ERR_INVALID) fail_msg("%s: expected an error, got %d", filter, c.rc);
  if (!strstr(c.e.msg, msg_part)) fail_msg("%s: '%s' not in '%s'", filter, msg_part, c.e.msg);
  if (strncmp(c.e.msg, "filter: ", 8) != 0) fail_msg("%s: message %s", filter, c.e.msg);
  release(&c);
}

static void comparisons_and_logic(void **state) {
  expect_sql("hora = 3", "(\"hora\" = ?8)");
  expect_sql("hora<>3 and tipo='x'", "(\"hora\" <> ?8) AND (\"tipo\" = ?9)");
  expect_sql("NOT (hora < 1 OR hora >= 22) AND activo = TRUE",
             "NOT ((\"hora\" < ?8) OR (\"hora\" >= ?9)) AND (\"activo\" = ?10)");
  expect_sql("\"hora\" > -2.5", "(\"hora\" > ?8)");
  expect_sql("hora = monto", "(\"hora\" = \"monto\")");
  expect_sql("\"con \"\"comillas\"\"\" = 'a''b'", "(\"con \"\"comillas\"\"\" = ?8)");
  expect_sql("fecha >= DATE('2025-01-01') AND visto < TIMESTAMP('2025-01-01T10:00:00+01:00')",
             "(\"fecha\" >= ?8) AND (\"visto\" < ?9)");
  expect_sql("TRUE", "1");
}

static void bound_values_are_typed(void **state) {
  compiled c = compile("hora = 3 AND monto = 2.5 AND tipo = 'it''s' AND activo = false AND "
                       "visto = TIMESTAMP('2025-01-01T10:00:00+01:00')");
  assert_int_equal(c.rc, ERR_OK);
  assert_int_equal(c.n_args, 5);
  assert_int_equal(c.args[0].kind, VALUE_INT);
  assert_int_equal(c.args[0].i, 3);
  assert_int_equal(c.args[1].kind, VALUE_REAL);
  assert_string_equal(c.args[2].s, "it's");
  assert_int_equal(c.args[3].i, 0);
  assert_string_equal(c.args[4].s, "2025-01-01T09:00:00Z");
  release(&c);
}

static void like_between_in_null(void **state) {
  expect_sql("tipo LIKE 'ro_o%'", "(\"tipo\" GLOB ?8)");
  compiled c = compile("tipo NOT LIKE 'a*b?c[d\\%e%'");
  assert_int_equal(c.rc, ERR_OK);
  assert_string_equal(c.sql, "NOT (\"tipo\" GLOB ?8)");
  assert_string_equal(c.args[0].s, "a[*]b[?]c[[]d%e*");
  release(&c);
  expect_sql("hora BETWEEN 1 AND 5", "(\"hora\" BETWEEN ?8 AND ?9)");
  expect_sql("hora NOT BETWEEN 1 AND 5", "(\"hora\" NOT BETWEEN ?8 AND ?9)");
  expect_sql("tipo IN ('a', 'b','c')", "(\"tipo\" IN (?8, ?9, ?10))");
  expect_sql("hora NOT IN (1)", "(\"hora\" NOT IN (?8))");
  expect_sql("tipo IS NULL OR fecha IS NOT NULL", "((\"tipo\" IS NULL) OR (\"fecha\" IS NOT NULL))");
}

static void spatial_predicates_use_the_index(void **state) {
  compiled c = compile("S_INTERSECTS(geometry, BBOX(-101.7, 21.1, -101.6, 21.2))");
  assert_int_equal(c.rc, ERR_OK);
  assert_non_null(strstr(c.sql, "\"lyr_incidentes_v1\".rowid IN (SELECT pkid FROM"
                                        " \"idx_lyr_incidentes_v1_geom\""));
  assert_non_null(strstr(c.sql, "ST_Intersects(geom, ST_GeomFromText(?12, 4326)) = 1"));
  assert_true(c.spatial);
  assert_int_equal(c.n_args, 5);
  assert_true(c.args[0].d == -101.7 && c.args[3].d == 21.2);
  assert_non_null(strstr(c.args[4].s, "POLYGON(("));
  release(&c);
  c = compile("S_DISJOINT(POINT(1 2), geom)");
  assert_int_equal(c.rc, ERR_OK);
  assert_null(strstr(c.sql, "pkid")); /* disjoint cannot use the index */
  assert_non_null(strstr(c.sql, "ST_Disjoint(ST_GeomFromText(?8, 4326), geom) = 1"));
  release(&c);
  c = compile("S_INTERSECTS(geometry, BBOX(170, -10, -170, 10))");
  assert_int_equal(c.rc, ERR_OK);
  assert_non_null(strstr(c.sql, "(xmax >= ?8 OR xmin <= ?10)"));
  assert_non_null(strstr(c.args[4].s, "MULTIPOLYGON("));
  release(&c);
  const char *ok[] = {"S_WITHIN(geometry, MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((2 2, 3 2, 3 3, 2 2))))",
                      "S_CROSSES(geometry, LINESTRING(0 0, 1 1, 2 0))",
                      "S_TOUCHES(geometry, MULTIPOINT((0 0), (1 1)))",
                      "S_EQUALS(geometry, MULTIPOINT(0 0, 1 1))",
                      "S_OVERLAPS(geometry, MULTILINESTRING((0 0, 1 1), (2 2, 3 3)))",
                      "s_contains(geometry, point(1 1))"};
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
    c = compile(ok[i]);
    if (c.rc != ERR_OK) fail_msg("%s: %s", ok[i], c.e.msg);
    release(&c);
  }
  /* CQL2 property-property: the property on both sides, or literals on both */
  c = compile("S_INTERSECTS(geometry, geometry)");
  assert_int_equal(c.rc, ERR_OK);
  assert_non_null(strstr(c.sql, "ST_Intersects(geom, geom) = 1"));
  release(&c);
  c = compile("S_WITHIN(POINT(1 1), BBOX(0, 0, 2, 2))");
  assert_int_equal(c.rc, ERR_OK);
  assert_non_null(strstr(c.sql,
                         "ST_Within(ST_GeomFromText(?8, 4326), ST_GeomFromText(?9, 4326)) = 1"));
  release(&c);
}

static void errors_point_at_the_position(void **state) {
  expect_error("hora = ", "at character 8");
  expect_error("hora = 'x'", "at character 8: hora is integer");
  expect_error("nope = 1", "at character 1: not a queryable");
  expect_error("hora = 1 hora = 2", "at character 10: expected AND, OR");
  expect_error("hora = 1; DROP TABLE t", "at character 9");
  expect_error("(hora = 1", "expected ')'");
  expect_error("tipo LIKE 3", "quoted pattern");
  expect_error("hora LIKE 'x'", "LIKE needs a text property");
  expect_error("hora BETWEEN 1 5", "expected AND in BETWEEN");
  expect_error("hora IN (1, 'a')", "not comparable");
  expect_error("tipo IS 3", "expected NULL");
  expect_error("fecha = DATE('2025-13-01')", "DATE('YYYY-MM-DD')");
  expect_error("S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1)))", "at least 4 points");
  expect_error("S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 2 2)))", "end where it starts");
  expect_error("S_INTERSECTS(geometry, POINT(200 0))", "outside CRS84");
  expect_error("S_INTERSECTS(geometry, BBOX(0, 2, 1, 1))", "miny");
  expect_error("S_INTERSECTS(geometry, CIRCLE(0 0))", "expected the geometry property");
  expect_error("S_NEAR(geometry, POINT(0 0))", "spatial function");
  expect_error("hora = 1e999", "out of range");
  expect_error("'unterminated", "at character 1");
  expect_error("hora = 1 $", "at character 10");
  expect_error("TRUE = hora", "cannot start with a boolean");
  compiled c = compile("");
  assert_int_equal(c.rc, ERR_INVALID);
  release(&c);
}

static void nesting_is_bounded(void **state) {
  char deep[4096] = "";
  for (int i = 0; i < 500; i++) strcat(deep, "(");
  expect_error(deep, "nested too deeply");
  deep[0] = '\0';
  for (int i = 0; i < 300; i++) strcat(deep, "NOT ");
  strcat(deep, "hora = 1");
  expect_error(deep, "nested too deeply");
}

static void many_values_are_refused_cleanly(void **state) {
  size_t n = 40000;
  char *s = malloc(n * 4 + 32);
  strcpy(s, "hora IN (");
  size_t len = strlen(s);
  for (size_t i = 0; i < n; i++) len += (size_t)sprintf(s + len, i ? ",%d" : "%d", (int)(i % 10));
  strcpy(s + len, ")");
  compiled c = compile(s);
  assert_int_equal(c.rc, ERR_INVALID);
  assert_non_null(strstr(c.e.msg, "too many values"));
  release(&c);
  free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(comparisons_and_logic),
      cmocka_unit_test(bound_values_are_typed),
      cmocka_unit_test(like_between_in_null),
      cmocka_unit_test(spatial_predicates_use_the_index),
      cmocka_unit_test(errors_point_at_the_position),
      cmocka_unit_test(nesting_is_bounded),
      cmocka_unit_test(many_values_are_refused_cleanly),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
