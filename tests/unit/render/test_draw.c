/* test_draw.c — the PNG renderer draws the edges of an automatic style as the style says: a
 * line's casing shows its colour on each side of the line, 1 CSS px wide (the casing is 2 px
 * wider), and a circle's stroke is a ring of circle-stroke-width outside circle-radius (as
 * MapLibre draws it), in circle-stroke-color. The style is the automatic one of a single-colour
 * line layer and of a single-colour point layer, drawn at zoom 16 and pixel ratio 2 onto a cairo
 * surface; the colours expected are read from the style document, pixels whose whole area lies
 * in one part are compared exactly (±1 for rounding). */
#include "check.h"
#include "render/render_int.h"

enum { SIZE = 64 };

static layer_info LAYERS[] = {
    {.id = "rios", .title = "Ríos", .geometry_type = "LineString", .feature_count = 12,
     .bounds = {-101.9, 21.0, -101.5, 21.3}, .version = 1, .maxzoom = 16, .style = "{}"},
    {.id = "pozos", .title = "Pozos", .geometry_type = "Point", .feature_count = 40,
     .bounds = {-101.8, 21.0, -101.6, 21.2}, .version = 1, .maxzoom = 16, .style = "{}"},
};
static catalog CAT = {.layers = LAYERS, .n_layers = 2};

static const char *paint_colour(json_t *doc, const char *id, const char *key) {
  size_t i;
  json_t *L;
  json_array_foreach(json_object_get(doc, "layers"), i, L) {
    if (strcmp(json_string_value(json_object_get(L, "id")), id) == 0) {
      const char *c = json_string_value(json_object_get(json_object_get(L, "paint"), key));
      if (!c) fail_msg("%s of %s is not one colour", key, id);
      return c;
    }
  }
  fail_msg("no style layer %s", id);
  return NULL;
}

/* Pixel x, y of an opaque ARGB32 surface equals hex ("#rrggbb") within 1 per channel. */
static void expect_pixel(cairo_surface_t *sf, int x, int y, const char *hex, const char *what) {
  const unsigned char *data = cairo_image_surface_get_data(sf);
  uint32_t p = *(const uint32_t *)(data + y * cairo_image_surface_get_stride(sf) + x * 4);
  unsigned want[3], got[3] = {(p >> 16) & 255, (p >> 8) & 255, p & 255};
  assert_int_equal(sscanf(hex, "#%2x%2x%2x", &want[0], &want[1], &want[2]), 3);
  for (int k = 0; k < 3; k++)
    if ((got[k] > want[k] ? got[k] - want[k] : want[k] - got[k]) > 1)
      fail_msg("%s at (%d, %d): #%02x%02x%02x, the style says %s", what, x, y, got[0], got[1],
               got[2], hex);
}

/* A horizontal line at y = 20 across the image and a point at (30, 45), in device pixels. */
static void features(arena *a, rfeatures *out) {
  rgeom *g = arena_calloc(a, 2, sizeof *g);
  map_pt *pts = arena_alloc(a, 3 * sizeof *pts);
  uint32_t *ends = arena_alloc(a, 2 * sizeof *ends);
  assert_non_null(g);
  assert_non_null(pts);
  assert_non_null(ends);
  pts[0] = (map_pt){-10, 20};
  pts[1] = (map_pt){SIZE + 10, 20};
  pts[2] = (map_pt){30, 45};
  ends[0] = 2;
  ends[1] = 1;
  g[0].g = (geom){.type = GEOM_LINESTRING, .pts = pts, .part_end = ends, .n_pts = 2, .n_parts = 1};
  g[0].f = (rfeature){.layer = &LAYERS[0], .type = GEOM_LINESTRING};
  g[1].g = (geom){.type = GEOM_POINT, .pts = pts + 2, .part_end = ends + 1, .n_pts = 1,
                  .n_parts = 1};
  g[1].f = (rfeature){.layer = &LAYERS[1], .type = GEOM_POINT};
  *out = (rfeatures){.items = g, .n = 2};
}

/* Draws layer l's automatic style over the features; returns its document. */
static json_t *draw_auto(cairo_t *cr, const layer_info *l, arena *a) {
  render_style *s;
  err e;
  assert_int_equal(render_style_auto(&CAT, l, a, &s, &e), ERR_OK);
  rfeatures fs;
  features(a, &fs);
  rview_px v = {.width = SIZE, .height = SIZE, .ratio = 2, .zoom = 16};
  rctx c = {.zoom = v.zoom, .scratch = a};
  for (size_t i = 0; i < s->n_layers; i++) {
    if (s->layers[i].type == RL_BACKGROUND) render_draw_background(cr, &s->layers[i], &c);
    else render_draw_layer(cr, &s->layers[i], &fs, &v, a);
  }
  return render_style_document(s, &CAT, "http://h");
}

static void casing_and_stroke(void **state) {
  (void)state;
  arena *a = arena_create(0);
  cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, SIZE, SIZE);
  cairo_t *cr = cairo_create(sf);
  /* the line: 4 CSS px = 8 device px (rows 16..23), its casing 6 = 12 (rows 14..25) */
  json_t *doc = draw_auto(cr, &LAYERS[0], a);
  cairo_surface_flush(sf);
  const char *line = paint_colour(doc, "rios-line", "line-color");
  const char *casing = paint_colour(doc, "rios-casing", "line-color");
  assert_string_not_equal(line, casing);
  for (int x = 4; x < SIZE - 4; x += 13) {
    expect_pixel(sf, x, 13, "#f4f3ef", "above the casing");
    expect_pixel(sf, x, 14, casing, "the casing above");
    expect_pixel(sf, x, 15, casing, "the casing above");
    for (int y = 16; y < 24; y++) expect_pixel(sf, x, y, line, "the line");
    expect_pixel(sf, x, 24, casing, "the casing below");
    expect_pixel(sf, x, 25, casing, "the casing below");
    expect_pixel(sf, x, 26, "#f4f3ef", "below the casing");
  }
  json_decref(doc);
  /* the circle: radius 6 CSS px = 12 device px, its stroke 1 = 2 outside it (12..14 px) */
  doc = draw_auto(cr, &LAYERS[1], a);
  cairo_surface_flush(sf);
  const char *fill = paint_colour(doc, "pozos-points", "circle-color");
  const char *stroke = paint_colour(doc, "pozos-points", "circle-stroke-color");
  expect_pixel(sf, 30, 45, fill, "the circle");
  expect_pixel(sf, 38, 45, fill, "the circle");
  expect_pixel(sf, 42, 45, stroke, "the stroke"); /* pixel 42..43: 12 to 13.04 px out */
  expect_pixel(sf, 17, 45, stroke, "the stroke"); /* pixel 17..18: 12 to 13.04 px out */
  expect_pixel(sf, 30, 57, stroke, "the stroke"); /* 12 to 13.04 px out */
  expect_pixel(sf, 45, 45, "#f4f3ef", "outside the stroke");
  json_decref(doc);
  cairo_destroy(cr);
  cairo_surface_destroy(sf);
  arena_destroy(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(casing_and_stroke),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
