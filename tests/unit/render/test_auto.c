/* test_auto.c — automatic styles from a stored choice: categories as a `match`, classes as a
 * `step` at the stored limits, legends with colour names, the dimmed boundary of a one-layer map,
 * the composite `todas` in drawing order, single colours apart from other layers' categories,
 * which styles are offered and in which order, and
 * style.json of a named style that draws only some of its layers. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "render/render_int.h"

static layer_field INC_FIELDS[] = {{"tipo", "Tipo", FIELD_TEXT}, {"nombre", "Nombre", FIELD_TEXT}};

static layer_info LAYERS[] = {
    {.id = "colonias", .title = "Colonias", .geometry_type = "Polygon", .feature_count = 300,
     .bounds = {-101.8, 21.0, -101.6, 21.2}, .version = 1, .maxzoom = 16,
     .style = "{\"kind\":\"classes\",\"field\":\"casos\",\"limits\":[1,3,7,20]}"},
    {.id = "incidentes", .title = "Incidentes", .geometry_type = "Point", .feature_count = 500,
     .bounds = {-101.75, 21.05, -101.65, 21.15}, .version = 1, .maxzoom = 16,
     .fields = INC_FIELDS, .n_fields = 2,
     .style = "{\"kind\":\"categories\",\"field\":\"tipo\",\"label\":\"nombre\",\"categories\":"
              "[{\"value\":\"robo\",\"count\":300},{\"value\":\"lesiones\",\"count\":196}],"
              "\"other\":4,\"missing\":0}"},
    {.id = "municipio", .title = "Municipio", .geometry_type = "Polygon", .feature_count = 1,
     .bounds = {-102.0, 20.9, -101.4, 21.4}, .version = 1, .maxzoom = 16, .style = "{}"},
    {.id = "rios", .title = "Ríos", .geometry_type = "LineString", .feature_count = 12,
     .bounds = {-101.9, 21.0, -101.5, 21.3}, .version = 1, .maxzoom = 16, .style = "{}"},
};
static catalog CAT = {.layers = LAYERS, .n_layers = 4};

static json_t *doc_of(const render_style *s) {
  return render_style_document(s, &CAT, "http://h");
}

static json_t *layer_named(json_t *doc, const char *id) {
  size_t i;
  json_t *L;
  json_array_foreach(json_object_get(doc, "layers"), i, L) {
    if (strcmp(json_string_value(json_object_get(L, "id")), id) == 0) return L;
  }
  fail_msg("no style layer %s", id);
  return NULL;
}

static void classes_and_context(void **state) {
  (void)state;
  arena *a = arena_create(0);
  render_style *s;
  err e;
  assert_int_equal(render_style_auto(&CAT, &LAYERS[0], a, &s, &e), ERR_OK);
  json_t *doc = doc_of(s);
  /* the municipal boundary, dimmed and not in the legend, under the data */
  json_t *ctx = json_array_get(json_object_get(doc, "layers"), 1);
  assert_string_equal(json_string_value(json_object_get(ctx, "id")), "municipio-context");
  assert_true(json_is_true(json_object_get(json_object_get(ctx, "metadata"), "teselas:context")));
  assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(doc,
                      "sources"), "municipio"), "url")), "http://h/tiles/municipio.json");
  json_t *fill = layer_named(doc, "colonias-fill");
  json_t *step = json_object_get(json_object_get(fill, "paint"), "fill-color");
  assert_string_equal(json_string_value(json_array_get(step, 0)), "step");
  assert_int_equal(json_array_size(step), 7); /* step, input, c0, 3, c1, 7, c2 */
  assert_true(json_number_value(json_array_get(step, 3)) == 3);
  assert_true(json_number_value(json_array_get(step, 5)) == 7);
  json_t *lg = json_object_get(json_object_get(fill, "metadata"), "teselas:legend");
  assert_string_equal(json_string_value(json_object_get(lg, "kind")), "classes");
  json_t *items = json_object_get(lg, "items");
  assert_int_equal(json_array_size(items), 3);
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "label")),
                      "1 a 2");
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, 2), "label")),
                      "7 a 20");
  assert_non_null(json_string_value(json_object_get(json_array_get(items, 2), "color_name")));
  json_decref(doc);
  /* the boundary itself gets no context of its own */
  assert_int_equal(render_style_auto(&CAT, &LAYERS[2], a, &s, &e), ERR_OK);
  doc = doc_of(s);
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc,
                      "layers"), 1), "id")), "municipio-fill");
  json_decref(doc);
  arena_destroy(a);
}

static void categories_and_labels(void **state) {
  (void)state;
  arena *a = arena_create(0);
  render_style *s;
  err e;
  assert_int_equal(render_style_auto(&CAT, &LAYERS[1], a, &s, &e), ERR_OK);
  json_t *doc = doc_of(s);
  json_t *pts = layer_named(doc, "incidentes-points");
  json_t *m = json_object_get(json_object_get(pts, "paint"), "circle-color");
  assert_string_equal(json_string_value(json_array_get(m, 0)), "match");
  assert_string_equal(json_string_value(json_array_get(m, 2)), "robo");
  assert_string_equal(json_string_value(json_array_get(m, 4)), "lesiones");
  assert_int_equal(json_array_size(m), 7); /* match, input, 2 pairs, fallback */
  json_t *items = json_object_get(json_object_get(json_object_get(pts, "metadata"),
                                                  "teselas:legend"), "items");
  assert_int_equal(json_array_size(items), 3); /* robo, lesiones, otros valores */
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "count")), 300);
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, 2), "label")),
                      "Otros valores");
  json_t *lab = layer_named(doc, "incidentes-labels");
  assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(lab,
                      "layout"), "text-field"), 1)), "nombre");
  json_decref(doc);
  arena_destroy(a);
}

static void composite_order(void **state) {
  (void)state;
  arena *a = arena_create(0);
  render_style *s;
  err e;
  assert_int_equal(render_style_all(&CAT, a, &s, &e), ERR_OK);
  assert_string_equal(render_style_name(s), "todas");
  /* rios' colour lacks 3:1 on the background: a casing under it */
  const char *want[] = {"background",         "colonias-fill", "colonias-outline",
                        "municipio-boundary", "rios-casing",   "rios-line",
                        "incidentes-points",  "incidentes-labels"};
  assert_int_equal(s->n_layers, 8);
  for (size_t i = 0; i < 8; i++) assert_string_equal(s->layers[i].id, want[i]);
  arena_destroy(a);
}

static const char *single_colour(json_t *doc, const char *id) {
  json_t *L = layer_named(doc, id);
  json_t *paint = json_object_get(L, "paint");
  json_t *c = json_object_get(paint, "line-color");
  if (!c) c = json_object_get(paint, "circle-color");
  if (!c) c = json_object_get(paint, "fill-color");
  assert_true(json_is_string(c));
  return json_string_value(c);
}

/* rios and arroyos hash to the same colour: the composite gives the younger one another, the
 * older keeps its own, and each layer's own map uses its composite colour. */
static void distinct_single_colours(void **state) {
  (void)state;
  layer_info ls[3] = {LAYERS[2], LAYERS[3],
                      {.id = "arroyos", .title = "Arroyos", .geometry_type = "LineString",
                       .feature_count = 40, .bounds = {-101.85, 21.0, -101.55, 21.3},
                       .version = 1, .maxzoom = 16, .style = "{}",
                       .issued_at = "2026-02-01T00:00:00Z"}};
  ls[1].issued_at = "2026-01-01T00:00:00Z";
  catalog one = {.layers = ls, .n_layers = 2}, two = {.layers = ls, .n_layers = 3};
  arena *a = arena_create(0);
  render_style *s;
  err e;
  assert_int_equal(render_style_all(&one, a, &s, &e), ERR_OK);
  json_t *doc = render_style_document(s, &one, "http://h");
  char before[8];
  snprintf(before, sizeof before, "%s", single_colour(doc, "rios-line"));
  json_decref(doc);
  assert_int_equal(render_style_all(&two, a, &s, &e), ERR_OK);
  doc = render_style_document(s, &two, "http://h");
  assert_string_equal(single_colour(doc, "rios-line"), before);
  char arroyos[8];
  snprintf(arroyos, sizeof arroyos, "%s", single_colour(doc, "arroyos-line"));
  assert_string_not_equal(arroyos, before);
  json_t *lg = json_object_get(json_object_get(layer_named(doc, "arroyos-line"), "metadata"),
                               "teselas:legend");
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(lg,
                      "items"), 0), "color")), arroyos);
  json_decref(doc);
  assert_int_equal(render_style_auto(&two, &ls[2], a, &s, &e), ERR_OK);
  doc = render_style_document(s, &two, "http://h");
  assert_string_equal(single_colour(doc, "arroyos-line"), arroyos);
  json_decref(doc);
  arena_destroy(a);
}

static json_t *composite(catalog *c, arena *a) {
  render_style *s;
  err e;
  assert_int_equal(render_style_all(c, a, &s, &e), ERR_OK);
  return render_style_document(s, c, "http://h");
}

/* True when colour hex is one of the outputs of the `match` of style layer id. */
static bool among_categories(json_t *doc, const char *id, const char *hex) {
  json_t *m = json_object_get(json_object_get(layer_named(doc, id), "paint"), "circle-color");
  for (size_t i = 3; i < json_array_size(m); i += 2)
    if (strcmp(json_string_value(json_array_get(m, i)), hex) == 0) return true;
  return false;
}

/* pozos and escuelas prefer Okabe-Ito's first colour, which the older incidentes draws its
 * first category with: each takes a colour no older layer uses, categories included. A younger
 * layer of categories moves neither (the colours people know a layer by stay). */
static void single_avoids_categories(void **state) {
  (void)state;
  layer_info ls[4] = {LAYERS[1],
                      {.id = "pozos", .title = "Pozos", .geometry_type = "Point",
                       .feature_count = 40, .bounds = {-101.8, 21.0, -101.6, 21.2}, .version = 1,
                       .maxzoom = 16, .style = "{}", .issued_at = "2026-02-01T00:00:00Z"},
                      {.id = "escuelas", .title = "Escuelas", .geometry_type = "Point",
                       .feature_count = 40, .bounds = {-101.8, 21.0, -101.6, 21.2}, .version = 1,
                       .maxzoom = 16, .style = "{}", .issued_at = "2026-03-01T00:00:00Z"},
                      LAYERS[1]};
  ls[0].issued_at = "2026-01-01T00:00:00Z";
  ls[3].id = "delitos";
  ls[3].issued_at = "2026-04-01T00:00:00Z";
  ls[3].style = "{\"kind\":\"categories\",\"field\":\"tipo\",\"categories\":[{\"value\":"
                "\"a\"},{\"value\":\"b\"},{\"value\":\"c\"},{\"value\":\"d\"}]}";
  catalog three = {.layers = ls, .n_layers = 3}, four = {.layers = ls, .n_layers = 4};
  arena *a = arena_create(0);
  json_t *doc = composite(&three, a);
  char pozos[8], escuelas[8];
  snprintf(pozos, sizeof pozos, "%s", single_colour(doc, "pozos-points"));
  snprintf(escuelas, sizeof escuelas, "%s", single_colour(doc, "escuelas-points"));
  assert_false(among_categories(doc, "incidentes-points", pozos));
  assert_false(among_categories(doc, "incidentes-points", escuelas));
  assert_string_not_equal(pozos, escuelas);
  json_decref(doc);
  doc = composite(&four, a);
  assert_string_equal(single_colour(doc, "pozos-points"), pozos);
  assert_string_equal(single_colour(doc, "escuelas-points"), escuelas);
  json_decref(doc);
  /* the layer's own map: the composite's colour */
  render_style *s;
  err e;
  assert_int_equal(render_style_auto(&four, &ls[1], a, &s, &e), ERR_OK);
  doc = render_style_document(s, &four, "http://h");
  assert_string_equal(single_colour(doc, "pozos-points"), pozos);
  json_decref(doc);
  arena_destroy(a);
}

static render_styles *registry_with(const char *name, const char *source_layer) {
  char dir[] = "/tmp/teselas-test-auto-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[256];
  snprintf(path, sizeof path, "%s/%s.json", dir, name);
  FILE *f = fopen(path, "w");
  fprintf(f, "{\"version\": 8, \"sources\": {\"s\": {\"type\": \"vector\", \"url\": "
             "\"teselas://parques,%s\"}}, \"layers\": [{\"id\": \"p\", \"type\": \"fill\", "
             "\"source\": \"s\", \"source-layer\": \"parques\"}, {\"id\": \"q\", \"type\": "
             "\"line\", \"source\": \"s\", \"source-layer\": \"%s\"}]}",
          source_layer, source_layer);
  fclose(f);
  render_styles *reg = NULL;
  err e;
  assert_int_equal(render_styles_create(NULL, dir, &reg, &e), ERR_OK);
  unlink(path);
  rmdir(dir);
  return reg;
}

static void offered_styles(void **state) {
  (void)state;
  arena *a = arena_create(0);
  err e;
  const render_style *s;
  render_style_entry list[16];
  /* a named style none of whose layers exist: not offered, todas first, a 404 by name */
  render_styles *reg = registry_with("leon", "presas");
  size_t n = render_styles_list(reg, &CAT, list, 16);
  assert_int_equal(n, 5);
  assert_string_equal(list[0].name, "todas");
  assert_true(list[0].automatic);
  assert_int_equal(render_style_resolve(reg, &CAT, "leon", 4, a, &s, &e), ERR_NOT_FOUND);
  assert_int_equal(render_style_resolve(reg, &CAT, "rios", 4, a, &s, &e), ERR_OK);
  assert_true(render_style_is_auto(s));
  render_styles_destroy(reg);
  /* one that draws some: first, and its style.json says what is missing */
  reg = registry_with("leon", "rios");
  n = render_styles_list(reg, &CAT, list, 16);
  assert_int_equal(n, 6);
  assert_string_equal(list[0].name, "leon");
  assert_string_equal(list[1].name, "todas");
  assert_int_equal(render_style_resolve(reg, &CAT, "leon", 4, a, &s, &e), ERR_OK);
  json_t *doc = doc_of(s);
  json_t *missing = json_object_get(json_object_get(doc, "metadata"), "teselas:missing_layers");
  assert_int_equal(json_array_size(missing), 1);
  assert_string_equal(json_string_value(json_array_get(missing, 0)), "parques");
  assert_int_equal(json_array_size(json_object_get(doc, "layers")), 1);
  assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(doc,
                      "sources"), "s"), "url")), "http://h/tiles/rios.json");
  json_decref(doc);
  render_styles_destroy(reg);
  arena_destroy(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(classes_and_context),
      cmocka_unit_test(categories_and_labels),
      cmocka_unit_test(composite_order),
      cmocka_unit_test(offered_styles),
      cmocka_unit_test(distinct_single_colours),
      cmocka_unit_test(single_avoids_categories),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
