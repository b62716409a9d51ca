/* test_label_anchor.c — the PNG renderer places a point's label by text-anchor and text-offset
 * as the MapLibre style spec defines them: the block of wrapped lines is aligned by its anchor
 * point ("top": its top centre) on the feature moved by text-offset ems (positive right and
 * down). A blue circle (radius 6 px, stroke 1) and a black label are drawn at pixel ratio 1 onto a
 * cairo surface; the text's ink (grey pixels) is found from the pixels and must lie on the side
 * the anchor puts it, clear of the circle, whose disc stays pure blue. Collision boxes follow the
 * placed text; labels of symbol-placement line stay centred; a constant anchor or offset that
 * the spec does not allow is refused at load with its JSON pointer. */
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "render/render_int.h"

enum { SIZE = 160 };
#define RADIUS 6.0 /* circle-radius + circle-stroke-width = 7 px: 7/12 em at text-size 12 */

static layer_info LAYER = {.id = "pozos", .title = "Pozos", .geometry_type = "Point",
                           .feature_count = 3, .bounds = {-101.8, 21.0, -101.6, 21.2},
                           .version = 1, .maxzoom = 16, .style = "{}"};

typedef struct ink {
  int n, x0, y0, x1, y1; /* count and bounding box (inclusive) of the text's pixels */
} ink;

/* The style: a white background, blue circles, and a symbol layer with `symbol` (JSON members
 * of its layout, text-size 12 and black text already set). */
static render_style *style_with(arena *a, const char *symbol) {
  char doc[2048];
  snprintf(doc, sizeof doc,
           "{\"version\": 8, \"sources\": {\"s\": {\"type\": \"vector\", \"url\": "
           "\"teselas://pozos\"}}, \"layers\": [{\"id\": \"bg\", \"type\": \"background\", "
           "\"paint\": {\"background-color\": \"#ffffff\"}}, {\"id\": \"c\", \"type\": "
           "\"circle\", \"source\": \"s\", \"source-layer\": \"pozos\", \"paint\": "
           "{\"circle-radius\": %g, \"circle-color\": \"#0000ff\", \"circle-stroke-width\": 1, "
           "\"circle-stroke-color\": \"#0000ff\"}}, {\"id\": \"t\", \"type\": \"symbol\", "
           "\"source\": \"s\", \"source-layer\": \"pozos\", \"layout\": {\"text-size\": 12, "
           "\"text-font\": [\"Noto Sans Regular\"], %s}, \"paint\": {\"text-color\": "
           "\"#000000\"}}]}",
           RADIUS, symbol);
  render_style *s = NULL;
  err e;
  if (render_style_parse("t", doc, strlen(doc), a, &s, &e) != ERR_OK)
    fail_msg("style: %s", e.msg);
  return s;
}

/* One point feature at (x, y) device pixels, labelled there. */
static rfeatures point_at(arena *a, double x, double y) {
  rgeom *g = arena_calloc(a, 1, sizeof *g);
  map_pt *pt = arena_alloc(a, sizeof *pt);
  uint32_t *end = arena_alloc(a, sizeof *end);
  assert_non_null(g);
  assert_non_null(pt);
  assert_non_null(end);
  *pt = (map_pt){x, y};
  *end = 1;
  g->g = (geom){.type = GEOM_POINT, .pts = pt, .part_end = end, .n_pts = 1, .n_parts = 1};
  g->f = (rfeature){.layer = &LAYER, .type = GEOM_POINT};
  g->label = *pt;
  g->has_label = true;
  return (rfeatures){.layer = &LAYER, .items = g, .n = 1};
}

static const rview_px VIEW = {.width = SIZE, .height = SIZE, .ratio = 1, .zoom = 16};

/* Draws s (background, circle, labels) over fs onto sf; returns how many labels were placed. */
static uint32_t draw(cairo_surface_t *sf, const render_styles *reg, const render_style *s,
                     const rfeatures *fs, arena *a) {
  cairo_t *cr = cairo_create(sf);
  rctx c = {.zoom = VIEW.zoom, .scratch = a};
  rlabels *lb = render_labels_create(a);
  render_draw_background(cr, &s->layers[0], &c);
  render_draw_layer(cr, &s->layers[1], fs, &VIEW, a);
  render_labels_place(cr, lb, reg, &s->layers[2], 2, fs, &VIEW);
  render_labels_draw(cr, lb, 2, &VIEW);
  cairo_destroy(cr);
  cairo_surface_flush(sf);
  return render_labels_count(lb);
}

static void rgb_at(cairo_surface_t *sf, int x, int y, int out[3]) {
  const unsigned char *data = cairo_image_surface_get_data(sf);
  uint32_t p = *(const uint32_t *)(data + y * cairo_image_surface_get_stride(sf) + x * 4);
  out[0] = (p >> 16) & 255, out[1] = (p >> 8) & 255, out[2] = p & 255;
}

/* Text pixels: black text over white is grey (r = g = b, darker than white); the circle's
 * anti-aliased edge over white keeps its blue channel at 255, so it never counts. */
static ink find_ink(cairo_surface_t *sf) {
  ink k = {0, SIZE, SIZE, -1, -1};
  for (int y = 0; y < SIZE; y++) {
    for (int x = 0; x < SIZE; x++) {
      int c[3];
      rgb_at(sf, x, y, c);
      if (c[2] > 200 || abs(c[0] - c[2]) > 24 || abs(c[1] - c[2]) > 24) continue;
      k.n++;
      k.x0 = x < k.x0 ? x : k.x0, k.x1 = x > k.x1 ? x : k.x1;
      k.y0 = y < k.y0 ? y : k.y0, k.y1 = y > k.y1 ? y : k.y1;
    }
  }
  return k;
}

/* No text was drawn over the circle: every pixel wholly inside it and its stroke (radius 7)
 * keeps a blue channel of 255, and those inside the fill (radius 6) are pure blue (where fill and
 * stroke meet, their anti-aliased edges let some white through, never darkening blue). */
static void expect_circle_clear(cairo_surface_t *sf, double cx, double cy) {
  for (int y = 0; y < SIZE; y++) {
    for (int x = 0; x < SIZE; x++) {
      double dx = fabs(x + 0.5 - cx) + 0.71, dy = fabs(y + 0.5 - cy) + 0.71;
      double far = sqrt(dx * dx + dy * dy); /* the pixel's farthest corner, about */
      if (far > RADIUS + 1) continue;
      int c[3];
      rgb_at(sf, x, y, c);
      if (c[2] < 254 || (far <= RADIUS && (c[0] > 1 || c[1] > 1)))
        fail_msg("the circle at (%d, %d) is #%02x%02x%02x: text drawn over it", x, y, c[0], c[1],
                 c[2]);
    }
  }
}

typedef struct fixture {
  render_styles *reg;
  arena *a;
  cairo_surface_t *sf;
} fixture;

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  err e;
  if (!fx || render_styles_create(NULL, NULL, &fx->reg, &e) != ERR_OK) return -1;
  fx->a = arena_create(0);
  fx->sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, SIZE, SIZE);
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;
  cairo_surface_destroy(fx->sf);
  arena_destroy(fx->a);
  render_styles_destroy(fx->reg);
  free(fx);
  return 0;
}

/* Draws a label at the point (80, 80) with `symbol`; returns its ink, the circle checked clear. */
static ink label_ink(fixture *fx, const char *symbol) {
  const render_style *s = style_with(fx->a, symbol);
  rfeatures fs = point_at(fx->a, 80, 80);
  assert_int_equal(draw(fx->sf, fx->reg, s, &fs, fx->a), 1);
  ink k = find_ink(fx->sf);
  if (k.n < 20) fail_msg("no text drawn for %s (%d pixels)", symbol, k.n);
  expect_circle_clear(fx->sf, 80, 80);
  return k;
}

/* "top" moved down by the circle's radius and stroke in ems (7/12): the name hangs below its
 * point, centred under it, clear of the circle. */
static void top_below_the_circle(void **state) {
  fixture *fx = *state;
  ink k = label_ink(fx, "\"text-field\": \"Punto 9\", \"text-anchor\": \"top\", "
                        "\"text-offset\": [0, 0.58333]");
  if (k.y0 < 80 + 7) fail_msg("ink from row %d: over the circle (it ends at row 87)", k.y0);
  if (abs(k.x0 + k.x1 - 160) > 3) fail_msg("ink %d..%d not centred under x 80", k.x0, k.x1);
  if (k.y0 > 80 + 7 + 6) fail_msg("ink from row %d: not just below the circle", k.y0);
}

/* Wrapped by text-max-width, the block of lines hangs below the point as a whole. */
static void top_multiline_block(void **state) {
  fixture *fx = *state;
  ink k = label_ink(fx, "\"text-field\": \"Pozo de agua potable\", \"text-max-width\": 4, "
                        "\"text-anchor\": \"top\", \"text-offset\": [0, 0.58333]");
  if (k.y0 < 80 + 7) fail_msg("ink from row %d: over the circle", k.y0);
  if (k.y1 - k.y0 < 2 * 12) fail_msg("ink rows %d..%d: fewer than three lines", k.y0, k.y1);
  if (abs(k.x0 + k.x1 - 160) > 3) fail_msg("ink %d..%d not centred under x 80", k.x0, k.x1);
}

/* "left": the text's left edge at the point moved right 0.75 em (9 px), centred vertically. */
static void left_to_the_right(void **state) {
  fixture *fx = *state;
  ink k = label_ink(fx, "\"text-field\": \"Punto 9\", \"text-anchor\": \"left\", "
                        "\"text-offset\": [0.75, 0]");
  if (k.x0 < 80 + 7) fail_msg("ink from column %d: over the circle", k.x0);
  if (k.x0 > 80 + 9 + 3) fail_msg("ink from column %d, not at 89", k.x0);
  if (k.y0 > 80 || k.y1 < 80) fail_msg("ink rows %d..%d miss the point's row", k.y0, k.y1);
}

/* "bottom-right": the block's bottom-right corner at the point moved 0.5 em left and up: the
 * text lies up and to the left. */
static void bottom_right_up_left(void **state) {
  fixture *fx = *state;
  ink k = label_ink(fx, "\"text-field\": \"Punto 9\", \"text-anchor\": \"bottom-right\", "
                        "\"text-offset\": [-0.5, -0.5]");
  if (k.x1 >= 80 - 6) fail_msg("ink to column %d: not left of 74", k.x1);
  if (k.y1 >= 80 - 6) fail_msg("ink to row %d: not above 74", k.y1);
  if (k.x1 < 80 - 6 - 4 || k.y1 < 80 - 6 - 6) fail_msg("ink ends at (%d, %d): far from its corner",
                                                        k.x1, k.y1);
}

/* A line's label stays centred at its anchor, whatever the anchor and offset say. */
static void line_placement_centred(void **state) {
  fixture *fx = *state;
  const render_style *s = style_with(fx->a, "\"text-field\": \"Punto 9\", "
                                            "\"symbol-placement\": \"line\", \"text-anchor\": "
                                            "\"top\", \"text-offset\": [0, 2]");
  rfeatures fs = point_at(fx->a, 80, 80);
  fs.items[0].g.type = GEOM_LINESTRING; /* no circle; the label at (80, 80) */
  assert_int_equal(draw(fx->sf, fx->reg, s, &fs, fx->a), 1);
  ink k = find_ink(fx->sf);
  assert_true(k.n >= 20);
  if (k.y0 > 80 || k.y1 < 80 || abs(k.x0 + k.x1 - 160) > 3)
    fail_msg("a line's label at %d..%d x %d..%d, not centred on (80, 80)", k.x0, k.x1, k.y0, k.y1);
}

/* Two symbol layers: "A" centred at (80, 40) above, and below it a label at (80, y) placed by
 * `symbol`; how many of the two are placed. */
static uint32_t placed_pair(fixture *fx, double y, const char *symbol) {
  const render_style *upper = style_with(fx->a, "\"text-field\": \"A\"");
  const render_style *lower = style_with(fx->a, symbol);
  rfeatures top = point_at(fx->a, 80, 40), bottom = point_at(fx->a, 80, y);
  cairo_t *cr = cairo_create(fx->sf);
  rlabels *lb = render_labels_create(fx->a);
  render_labels_place(cr, lb, fx->reg, &upper->layers[2], 3, &top, &VIEW);
  render_labels_place(cr, lb, fx->reg, &lower->layers[2], 2, &bottom, &VIEW);
  cairo_destroy(cr);
  return render_labels_count(lb);
}

/* The collision box is the placed text's: moved onto the upper label it gives way, moved off it
 * it is placed, whichever way its point lies. */
static void collision_follows_placement(void **state) {
  fixture *fx = *state;
  const char *text = "\"text-field\": \"Punto 9\"";
  char up[256], down[256];
  snprintf(up, sizeof up, "%s, \"text-anchor\": \"bottom\", \"text-offset\": [0, -3]", text);
  snprintf(down, sizeof down, "%s, \"text-anchor\": \"top\", \"text-offset\": [0, 1]", text);
  assert_int_equal(placed_pair(fx, 100, text), 2);  /* centred at 100: clear of A */
  assert_int_equal(placed_pair(fx, 100, up), 1);    /* its bottom at 64: onto A */
  assert_int_equal(placed_pair(fx, 52, text), 1);   /* centred at 52: onto A */
  assert_int_equal(placed_pair(fx, 52, down), 2);   /* its top at 64: clear of A */
}

static void refused_at_load(void **state) {
  (void)state;
  arena *a = arena_create(0);
  render_style *s;
  err e;
  const char *bad[][2] = {
      {"\"text-anchor\": \"arriba\"", "/layers/0/layout/text-anchor: not an anchor"},
      {"\"text-offset\": [1]", "/layers/0/layout/text-offset: must be two numbers"},
      {"\"text-offset\": [\"1\", 0]", "/layers/0/layout/text-offset: must be two numbers"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char doc[512];
    snprintf(doc, sizeof doc,
             "{\"version\": 8, \"sources\": {\"s\": {\"type\": \"vector\", \"url\": "
             "\"teselas://pozos\"}}, \"layers\": [{\"id\": \"t\", \"type\": \"symbol\", "
             "\"source\": \"s\", \"source-layer\": \"pozos\", \"layout\": {%s}}]}",
             bad[i][0]);
    assert_int_equal(render_style_parse("t", doc, strlen(doc), a, &s, &e), ERR_INVALID);
    if (strncmp(e.msg, bad[i][1], strlen(bad[i][1])) != 0)
      fail_msg("%s: '%s', not '%s...'", bad[i][0], e.msg, bad[i][1]);
  }
  arena_destroy(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(top_below_the_circle),
      cmocka_unit_test(top_multiline_block),
      cmocka_unit_test(left_to_the_right),
      cmocka_unit_test(bottom_right_up_left),
      cmocka_unit_test(line_placement_centred),
      cmocka_unit_test(collision_follows_placement),
      cmocka_unit_test(refused_at_load),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
