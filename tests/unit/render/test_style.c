/* test_style.c — style validation with JSON pointers, the registry (a bad file is reported and
 * the others load, a user's style replaces a built-in), the automatic style, style.json URL
 * rewriting, views, and the PNG writer (tiny single-colour tiles, lossless palettes). */
#include <math.h>
#include <png.h>
#include <sys/stat.h>

#include "check.h"
#include "render/render_int.h"

static err_code parse(const char *text, render_style **out, err *e) {
  static arena *a;
  if (!a) a = arena_create(0);
  return render_style_parse("t", text, strlen(text), a, out, e);
}

static void expect_problem(const char *text, const char *msg) {
  render_style *s;
  err e;
  err_clear(&e);
  assert_int_equal(parse(text, &s, &e), ERR_INVALID);
  if (strstr(e.msg, msg) == NULL) fail_msg("expected '%s' in '%s'", msg, e.msg);
}

#define SRC "\"sources\": {\"s\": {\"type\": \"vector\", \"url\": \"teselas://parques\"}}"

static void validation_names_the_pointer(void **state) {
  (void)state;
  expect_problem("[]", "/: a style is a JSON object");
  expect_problem("{\"version\": 7, " SRC ", \"layers\": []}", "/version: must be 8");
  expect_problem("{\"version\": 8, \"layers\": []}", "/sources: required object");
  expect_problem("{\"version\": 8, " SRC "}", "/layers: required array");
  expect_problem("{\"version\": 8, " SRC ", \"layers\": [{\"type\": \"fill\"}]}", "/layers/0/id");
  expect_problem("{\"version\": 8, " SRC ", \"layers\": [{\"id\": \"a\", \"type\": \"fill\", \"source\": \"x\"}]}",
                 "/layers/0/source: no source named 'x'");
  expect_problem("{\"version\": 8, " SRC ", \"layers\": [{\"id\": \"a\", \"type\": \"background\"}, "
                 "{\"id\": \"a\", \"type\": \"background\"}]}", "/layers/1/id: duplicate layer id 'a'");
  expect_problem("{\"version\": 8, " SRC ", \"layers\": [{\"id\": \"a\", \"type\": \"fill\", \"source\": \"s\", "
                 "\"paint\": {\"fill-color\": [\"match\", [\"get\", \"e\"], \"x\", \"#fff\", \"verdoso\"]}}]}",
                 "/layers/0/paint/fill-color/4: not a colour 'verdoso'");
  expect_problem("{\"version\": 8, " SRC ", \"layers\": [{\"id\": \"a\", \"type\": \"line\", \"source\": \"s\", "
                 "\"filter\": [\"==\", [\"gett\", \"x\"], 1]}]}", "/layers/0/filter/1/0: unsupported expression operator 'gett'");
  expect_problem("{\"version\": 8, " SRC ", \"layers\": [{\"id\": \"a\", \"type\": \"line\", \"source\": \"s\", "
                 "\"minzoom\": 30}]}", "/layers/0/minzoom");
  expect_problem("{\"version\": 8, " SRC ", \"layers\": [{\"id\": \"a\", \"type\": \"line\", \"source\": \"s\", "
                 "\"layout\": {\"visibility\": \"maybe\"}}]}", "/layers/0/layout/visibility");
  expect_problem("{\"version\": 8, \"layers\": [", "not JSON (line 1");
}

static void a_valid_style_compiles(void **state) {
  (void)state;
  render_style *s;
  err e;
  const char *text = "{\"version\": 8, \"name\": \"Prueba\", " SRC ", \"layers\": ["
      "{\"id\": \"bg\", \"type\": \"background\", \"paint\": {\"background-color\": \"#fff\"}},"
      "{\"id\": \"f\", \"type\": \"fill\", \"source\": \"s\", \"source-layer\": \"parques\", \"minzoom\": 10,"
      " \"filter\": [\"==\", \"estado\", \"abandonado\"], \"paint\": {\"fill-opacity\": {\"stops\": [[10, 0.2], [14, 1]]}}},"
      "{\"id\": \"r\", \"type\": \"raster\", \"source\": \"s\"},"
      "{\"id\": \"t\", \"type\": \"symbol\", \"source\": \"s\", \"source-layer\": \"parques\","
      " \"layout\": {\"text-field\": \"Parque {nombre}\", \"text-font\": [\"Noto Sans Bold\"], \"visibility\": \"none\"}}]}";
  assert_int_equal(parse(text, &s, &e), ERR_OK);
  assert_string_equal(render_style_title(s), "Prueba");
  assert_int_equal(s->n_layers, 4);
  assert_int_equal(s->layers[1].type, RL_FILL);
  assert_non_null(s->layers[1].filter);
  /* drawn from a PNG archive its source names (raster.c); from another source, by browsers only */
  assert_int_equal(s->layers[2].type, RL_RASTER);
  assert_true(render_layer_active(&s->layers[2], 12));
  assert_false(render_layer_active(&s->layers[3], 12)); /* visibility none */
  assert_false(render_layer_active(&s->layers[1], 9.9));
  assert_true(render_layer_active(&s->layers[1], 10));
  assert_true(s->sources[0].teselas);
  assert_string_equal(s->sources[0].ids, "parques");
}

static void registry_reports_and_overrides(void **state) {
  (void)state;
  char builtin[256], user[256], path[300];
  check_tmp_path("builtin", builtin, sizeof builtin);
  check_tmp_path("user", user, sizeof user);
  assert_int_equal(mkdir(builtin, 0700), 0);
  assert_int_equal(mkdir(user, 0700), 0);
  const char *ok_style = "{\"version\": 8, \"name\": \"%s\", " SRC ", \"layers\": []}";
  FILE *f;
  snprintf(path, sizeof path, "%s/base.json", builtin);
  f = fopen(path, "w"), fprintf(f, ok_style, "de fábrica"), fclose(f);
  snprintf(path, sizeof path, "%s/base.json", user);
  f = fopen(path, "w"), fprintf(f, ok_style, "del usuario"), fclose(f);
  snprintf(path, sizeof path, "%s/otro.json", user);
  f = fopen(path, "w"), fprintf(f, ok_style, "otro"), fclose(f);
  snprintf(path, sizeof path, "%s/malo.json", user);
  f = fopen(path, "w"), fputs("{\"version\": 8, \"sources\": {}, \"layers\": [{\"id\": 3}]}", f), fclose(f);
  render_styles *reg = NULL;
  err e;
  assert_int_equal(render_styles_create(builtin, user, &reg, &e), ERR_OK);
  assert_int_equal(render_styles_count(reg), 2);
  assert_string_equal(render_style_title(render_styles_find(reg, "base", 4)), "del usuario");
  assert_non_null(render_styles_find(reg, "otro", 4));
  assert_null(render_styles_find(reg, "malo", 4));
  assert_non_null(strstr(render_styles_problems(reg), "malo.json: /layers/0/id"));
  /* fonts: a stack names a family and style words; unknown families fall back */
  assert_true(reg->n_fonts > 0);
  const rfont *bold = render_fonts_match(reg, "Noto Sans Bold", 14);
  assert_non_null(bold);
  assert_true(bold->bold);
  rval unknown = {.kind = RV_STR, .s = "Comic Sans", .len = 10};
  assert_ptr_equal(render_fonts_stack(reg, &unknown), &reg->fonts[0]);
  render_styles_destroy(reg);
  assert_int_equal(render_styles_create(NULL, "/no/such/dir", &reg, &e), ERR_IO);
}

static void automatic_style_and_document(void **state) {
  (void)state;
  layer_field fields[] = {{"nombre", "Nombre", FIELD_TEXT}};
  layer_info layers[] = {
      {.id = "parques", .title = "Parques", .geometry_type = "Polygon", .fields = fields, .n_fields = 1,
       .version = 3, .feature_count = 10, .maxzoom = 16},
      {.id = "incidentes", .title = "Incidentes", .geometry_type = "Point", .feature_count = 50000,
       .version = 1, .maxzoom = 16}};
  catalog c = {.layers = layers, .n_layers = 2};
  arena *a = arena_create(0);
  render_style *s;
  err e;
  assert_int_equal(render_style_auto(&c, &layers[0], a, &s, &e), ERR_OK);
  assert_true(render_style_is_auto(s));
  assert_int_equal(s->layers[1].type, RL_FILL);
  assert_int_equal(s->layers[s->n_layers - 1].type, RL_SYMBOL); /* nombre labels */
  json_t *doc = render_style_document(s, &c, "https://x.mx/t");
  assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(doc, "sources"),
                      "parques"), "url")), "https://x.mx/t/tiles/parques.json");
  assert_string_equal(json_string_value(json_object_get(doc, "glyphs")),
                      "https://x.mx/t/fonts/{fontstack}/{range}.pbf");
  json_decref(doc);
  assert_int_equal(render_style_auto(&c, &layers[1], a, &s, &e), ERR_OK);
  assert_string_equal(s->layers[1].id, "incidentes-clusters"); /* a clustered point layer */
  char e1[96], e2[96];
  render_etag(s, &c, "1/0/0@1x", e1, sizeof e1);
  layers[1].version = 2;
  render_etag(s, &c, "1/0/0@1x", e2, sizeof e2);
  assert_string_not_equal(e1, e2);
  arena_destroy(a);
}

static void views(void **state) {
  (void)state;
  render_view v = render_view_tile((geom_tile_id){14, 3564, 7208}, 2);
  assert_true(v.zoom == 13 && v.width == 256 && v.ratio == 2 && v.is_tile);
  err e;
  assert_int_equal(render_view_center(-101.68, 21.12, 12, 800, 600, 1, &v, &e), ERR_OK);
  double res = (v.merc.max_x - v.merc.min_x) / 800;
  assert_true(fabs(res - 40075016.68557849 / (512 * 4096)) < 1e-6);
  assert_int_equal(render_view_center(-101.68, 21.12, 12, 2049, 10, 1, &v, &e), ERR_INVALID);
  assert_int_equal(render_view_center(-101.68, 95, 12, 10, 10, 1, &v, &e), ERR_INVALID);
  geom_bbox bb = {-101.72, 21.08, -101.64, 21.16};
  assert_int_equal(render_view_bbox(&bb, 400, 200, 1, &v, &e), ERR_OK);
  assert_true(v.zoom > 10 && v.zoom < 12);
  bb.min_x = bb.max_x;
  assert_int_equal(render_view_bbox(&bb, 400, 200, 1, &v, &e), ERR_INVALID);
}

/* Decodes a PNG with libpng's simplified API into RGBA. */
static void decode(const buf *b, uint32_t *w, uint32_t *h, uint8_t **rgba, uint8_t *color_type) {
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  assert_true(png_image_begin_read_from_memory(&img, b->data, b->len));
  *color_type = b->data[25];
  img.format = PNG_FORMAT_RGBA;
  *w = img.width, *h = img.height;
  *rgba = malloc(PNG_IMAGE_SIZE(img));
  assert_true(png_image_finish_read(&img, NULL, *rgba, 0, NULL));
}

static void png_is_small_and_lossless(void **state) {
  (void)state;
  enum { W = 256, H = 256 };
  uint32_t *px = calloc(W * H, sizeof *px);
  buf b;
  buf_init(&b, 0);
  err e;
  assert_int_equal(render_png_encode((uint8_t *)px, W, H, W * 4, &b, &e), ERR_OK);
  assert_true(b.len < 128); /* blank tile: 103 bytes */
  for (int i = 0; i < W * H; i++) px[i] = 0xff3366ccu;
  buf_reset(&b);
  assert_int_equal(render_png_encode((uint8_t *)px, W, H, W * 4, &b, &e), ERR_OK);
  assert_true(b.len < 128); /* single colour */
  /* 200 colours, some translucent (premultiplied): palette, and decodes to the same pixels */
  for (int i = 0; i < W * H; i++) {
    uint32_t k = (uint32_t)(i / 7 % 200), a = k < 50 ? 128 : 255;
    uint32_t r = (k * 5 % 256) * a / 255, g = (k * 11 % 256) * a / 255;
    px[i] = a << 24 | r << 16 | g << 8 | (a == 255 ? 7u : 3u);
  }
  buf_reset(&b);
  assert_int_equal(render_png_encode((uint8_t *)px, W, H, W * 4, &b, &e), ERR_OK);
  uint32_t w, h;
  uint8_t *rgba, type;
  decode(&b, &w, &h, &rgba, &type);
  assert_int_equal(type, 3); /* palette */
  for (int i = 0; i < W * H; i++) {
    uint32_t a = px[i] >> 24;
    assert_int_equal(rgba[i * 4 + 3], a);
    uint32_t r = ((px[i] >> 16) & 255) * 255 / a;
    assert_true(abs((int)rgba[i * 4] - (int)r) <= 1);
  }
  free(rgba);
  /* a gradient of 65536 colours: RGB (opaque true colour), lossless */
  for (int i = 0; i < W * H; i++) px[i] = 0xff000000u | (uint32_t)(i % 256) << 16 | (uint32_t)(i / 256) << 8;
  buf_reset(&b);
  assert_int_equal(render_png_encode((uint8_t *)px, W, H, W * 4, &b, &e), ERR_OK);
  decode(&b, &w, &h, &rgba, &type);
  assert_int_equal(type, 2);
  assert_int_equal(rgba[(300) * 4 + 1], 1);
  free(rgba);
  /* the output limit is an error, not a crash */
  buf small;
  buf_init(&small, 50);
  assert_int_equal(render_png_encode((uint8_t *)px, W, H, W * 4, &small, &e), ERR_LIMIT);
  buf_free(&small);
  buf_free(&b);
  free(px);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(validation_names_the_pointer),
      cmocka_unit_test(a_valid_style_compiles),
      cmocka_unit_test(registry_reports_and_overrides),
      cmocka_unit_test(automatic_style_and_document),
      cmocka_unit_test(views),
      cmocka_unit_test(png_is_small_and_lossless),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
