/* test_expr.c — style expressions: every supported operator against a fake feature, legacy
 * filters and functions, colours, and the JSON pointers of compile errors. */
#include "check.h"
#include "render/render_int.h"

static const layer_field FIELDS[] = {{"nombre", "Nombre", FIELD_TEXT},
                                     {"estado", "Estado", FIELD_TEXT},
                                     {"superficie", "Superficie", FIELD_REAL},
                                     {"juegos", "Juegos", FIELD_BOOLEAN},
                                     {"vacio", "Vacío", FIELD_TEXT}};
static layer_info LAYER = {.id = "parques", .fields = (layer_field *)FIELDS, .n_fields = 5};
static const value VALUES[] = {{.kind = VALUE_TEXT, .s = "Parque Niño Héroe", .len = 18},
                               {.kind = VALUE_TEXT, .s = "abandonado", .len = 10},
                               {.kind = VALUE_REAL, .d = 1500.5},
                               {.kind = VALUE_BOOL, .i = 1},
                               {.kind = VALUE_NULL}};

static rval eval_at(const char *json, double zoom, uint32_t point_count) {
  static arena *a;
  if (!a) a = arena_create(0);
  json_error_t je;
  json_t *j = json_loads(json, JSON_DECODE_ANY, &je);
  assert_non_null(j);
  rexpr *x = NULL;
  err e;
  err_code rc = render_expr_compile(j, RT_ANY, a, "/x", &x, &e);
  if (rc != ERR_OK) fail_msg("%s: %s", json, e.msg);
  json_decref(j);
  rfeature f = {.layer = &LAYER, .values = point_count ? NULL : VALUES, .id = 7,
                .type = GEOM_POLYGON, .point_count = point_count};
  rctx c = {.zoom = zoom, .f = &f, .scratch = a};
  return render_expr_eval(x, &c);
}

static double num(const char *json) {
  rval v = eval_at(json, 10, 0);
  assert_int_equal(v.kind, RV_NUM);
  return v.n;
}

static bool truthy(const char *json) { return render_val_truthy(eval_at(json, 10, 0)); }

static void data_and_comparisons(void **state) {
  (void)state;
  assert_true(truthy("[\"==\", [\"get\", \"estado\"], \"abandonado\"]"));
  assert_false(truthy("[\"==\", [\"get\", \"superficie\"], \"1500.5\"]")); /* types differ */
  assert_true(truthy("[\"!=\", [\"get\", \"estado\"], \"rehabilitado\"]"));
  assert_true(truthy("[\">\", [\"get\", \"superficie\"], 1000]"));
  assert_true(truthy("[\"<=\", [\"get\", \"superficie\"], 1500.5]"));
  assert_false(truthy("[\"<\", [\"get\", \"estado\"], 3]")); /* mismatched: false */
  assert_true(truthy("[\"has\", \"estado\"]"));
  assert_false(truthy("[\"has\", \"vacio\"]"));
  assert_false(truthy("[\"has\", \"no-such\"]"));
  assert_true(truthy("[\"all\", [\"get\", \"juegos\"], [\"!\", [\"has\", \"vacio\"]]]"));
  assert_true(truthy("[\"any\", false, [\"==\", [\"id\"], 7]]"));
  assert_true(truthy("[\"in\", [\"get\", \"estado\"], [\"literal\", [\"en obra\", \"abandonado\"]]]"));
  assert_true(truthy("[\"in\", \"Niño\", [\"get\", \"nombre\"]]"));
  assert_true(truthy("[\"==\", [\"geometry-type\"], \"Polygon\"]"));
}

static void decisions_and_ramps(void **state) {
  (void)state;
  assert_true(num("[\"match\", [\"get\", \"estado\"], \"rehabilitado\", 1, [\"en obra\", \"abandonado\"], 2, 0]") == 2);
  assert_true(num("[\"case\", [\"get\", \"vacio\"], 1, [\"get\", \"juegos\"], 2, 3]") == 2);
  assert_true(num("[\"coalesce\", [\"get\", \"vacio\"], [\"get\", \"superficie\"]]") == 1500.5);
  assert_true(num("[\"step\", [\"zoom\"], 1, 8, 2, 12, 3]") == 2);
  assert_true(num("[\"step\", [\"get\", \"superficie\"], 1, 2000, 2]") == 1);
  assert_true(num("[\"interpolate\", [\"linear\"], [\"zoom\"], 8, 0, 12, 8]") == 4);
  assert_true(num("[\"interpolate\", [\"linear\"], [\"zoom\"], 12, 5, 14, 8]") == 5); /* clamps */
  double ex = num("[\"interpolate\", [\"exponential\", 2], [\"zoom\"], 8, 0, 12, 15]");
  assert_true(ex > 2.9 && ex < 3.1); /* (2^2 - 1) / (2^4 - 1) * 15 = 3 */
  assert_true(num("[\"+\", 1, [\"*\", 2, 3], [\"-\", 4]]") == 3);
  assert_true(num("[\"to-number\", \"12.5\"]") == 12.5);
  assert_true(num("[\"length\", [\"get\", \"estado\"]]") == 10);
  rval v = eval_at("[\"to-string\", [\"get\", \"superficie\"]]", 0, 0);
  assert_int_equal(v.kind, RV_STR);
  assert_memory_equal(v.s, "1500.5", 6);
  v = eval_at("[\"upcase\", [\"concat\", \"id-\", [\"id\"]]]", 0, 0);
  assert_string_equal(v.s, "ID-7");
  v = eval_at("[\"interpolate\", [\"linear\"], [\"zoom\"], 0, [\"to-color\", \"#000000\"], 10, [\"to-color\", \"#ffffff\"]]", 5, 0);
  assert_int_equal(v.kind, RV_COLOR);
  assert_true(v.c.r > 0.49 && v.c.r < 0.51);
}

static void clusters_have_only_their_count(void **state) {
  (void)state;
  assert_true(render_val_truthy(eval_at("[\"has\", \"point_count\"]", 10, 42)));
  assert_true(eval_at("[\"get\", \"point_count\"]", 10, 42).n == 42);
  assert_true(render_val_truthy(eval_at("[\"get\", \"cluster\"]", 10, 42)));
  assert_int_equal(eval_at("[\"get\", \"estado\"]", 10, 42).kind, RV_NULL);
  assert_false(render_val_truthy(eval_at("[\"has\", \"point_count\"]", 10, 0)));
}

static void colours(void **state) {
  (void)state;
  rcolor c;
  assert_true(render_color_parse("#f80", 4, &c) && c.r == 1 && c.a == 1);
  assert_true(render_color_parse("#00ff0080", 9, &c) && c.g == 1 && c.a > 0.5 && c.a < 0.51);
  assert_true(render_color_parse("rgba(255, 0, 0, 0.5)", 20, &c) && c.r == 1 && c.a == 0.5);
  assert_true(render_color_parse("hsl(120, 100%, 50%)", 19, &c) && c.g > 0.99 && c.r < 0.01);
  assert_true(render_color_parse("SteelBlue", 9, &c));
  assert_true(render_color_parse("transparent", 11, &c) && c.a == 0);
  assert_false(render_color_parse("verdecito", 9, &c));
  assert_false(render_color_parse("#12345", 6, &c));
  assert_false(render_color_parse("rgb(1,2)", 8, &c));
}

static void legacy_forms(void **state) {
  (void)state;
  const char *cases[][2] = {
      {"[\"==\", \"estado\", \"abandonado\"]", "true"},
      {"[\"!=\", \"estado\", \"abandonado\"]", "false"},
      {"[\"in\", \"estado\", \"en obra\", \"abandonado\"]", "true"},
      {"[\"!in\", \"estado\", \"en obra\", \"abandonado\"]", "false"},
      {"[\"all\", [\"has\", \"nombre\"], [\"!has\", \"vacio\"], [\"==\", \"$type\", \"Polygon\"]]", "true"},
      {"[\"none\", [\"==\", \"estado\", \"abandonado\"]]", "false"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    json_t *f = json_loads(cases[i][0], 0, NULL);
    assert_false(render_legacy_is_expression_filter(f));
    json_t *x = render_legacy_filter(f);
    char *text = json_dumps(x, JSON_COMPACT);
    bool got = truthy(text);
    if (got != (strcmp(cases[i][1], "true") == 0)) fail_msg("%s -> %s", cases[i][0], text);
    free(text);
    json_decref(x);
    json_decref(f);
  }
  json_t *fn = json_loads("{\"base\": 2, \"stops\": [[8, 1], [12, 16]]}", 0, NULL);
  json_t *x = render_legacy_function(fn);
  char *text = json_dumps(x, JSON_COMPACT);
  double v = eval_at(text, 10, 0).n;
  assert_true(v > 3.9 && v < 4.1); /* 1 + 15 * (2^2 - 1) / (2^4 - 1) = 4 */
  free(text);
  json_decref(x);
  json_decref(fn);
}

static void compile_errors_name_their_pointer(void **state) {
  (void)state;
  arena *a = arena_create(0);
  const char *cases[][2] = {
      {"[\"nope\", 1]", "/p/0: unsupported expression operator 'nope'"},
      {"[\"match\", [\"get\", \"x\"], 1, 2, 3, 4]", "/p: match needs"},
      {"[\"interpolate\", [\"linear\"], [\"zoom\"], 10, 1, 5, 2]", "/p/5: stops must increase"},
      {"[\"case\", true, [\"get\"], 3]", "/p/2: wrong number of arguments for 'get'"},
      {"[\"step\", [\"zoom\"], 1, \"x\", 2]", "/p/3: stop inputs must be numeric"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    json_t *j = json_loads(cases[i][0], 0, NULL);
    rexpr *x;
    err e;
    assert_int_equal(render_expr_compile(j, RT_ANY, a, "/p", &x, &e), ERR_INVALID);
    if (strncmp(e.msg, cases[i][1], strlen(cases[i][1])) != 0) fail_msg("%s: %s", cases[i][0], e.msg);
    json_decref(j);
  }
  json_t *j = json_string("verdecito");
  rexpr *x;
  err e;
  assert_int_equal(render_expr_compile(j, RT_COLOR, a, "/c", &x, &e), ERR_INVALID);
  assert_string_equal(e.msg, "/c: not a colour 'verdecito'");
  json_decref(j);
  arena_destroy(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(data_and_comparisons),
      cmocka_unit_test(decisions_and_ramps),
      cmocka_unit_test(clusters_have_only_their_count),
      cmocka_unit_test(colours),
      cmocka_unit_test(legacy_forms),
      cmocka_unit_test(compile_errors_name_their_pointer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
