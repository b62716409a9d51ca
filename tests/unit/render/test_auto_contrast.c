/* test_auto_contrast.c — every point and line an automatic style draws has an edge of at least
 * 3:1 against the grounds it is drawn on (WCAG 2.1 SC 1.4.11, non-text contrast), on the León
 * demo and on a catalog built from third-party files (tests/data: INEGI's localities, SACMEX's
 * wells, the SSP-CDMX police cuadrantes, CentroGeo's alcaldías, León's colonias), for each
 * layer's own style and the composite `todas`.
 *
 * The edge of a circle is its stroke (when it has one), else its fill; the edge of a line is
 * the widest line layer drawing the same features (same source, source-layer and filter: a
 * casing), else the line itself. Translucent edges are blended over the ground. The grounds are
 * the style's own background and a light basemap's land (OpenStreetMap Carto's #f2efe9, white).
 * Relative luminance and contrast ratio are computed here from the WCAG 2.1 definitions, not by
 * the code under test. */
#include <math.h>

#include "check.h"
#include "importers/demo/demo.h"
#include "importers/import.h"
#include "render/render_int.h"

static const char *const LAND[] = {"#f2efe9", "#ffffff"};

typedef struct tally {
  size_t circles, lines;
} tally;

static void hex_rgb(const char *hex, double out[3]) {
  unsigned v[3];
  if (!hex || strlen(hex) != 7 || sscanf(hex, "#%2x%2x%2x", &v[0], &v[1], &v[2]) != 3)
    fail_msg("not a #rrggbb colour: %s", hex ? hex : "(null)");
  for (int i = 0; i < 3; i++) out[i] = v[i];
}

/* WCAG 2.1: relative luminance of sRGB channels 0..255. */
static double rel_luminance(const double c[3]) {
  double lin[3];
  for (int i = 0; i < 3; i++) {
    double s = c[i] / 255;
    lin[i] = s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4);
  }
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

/* The contrast of colour fg drawn at opacity over ground bg (both "#rrggbb"). */
static double contrast_over(const char *fg, double opacity, const char *bg) {
  double f[3], b[3], shown[3];
  hex_rgb(fg, f);
  hex_rgb(bg, b);
  for (int i = 0; i < 3; i++) shown[i] = opacity * f[i] + (1 - opacity) * b[i];
  double l1 = rel_luminance(shown), l2 = rel_luminance(b);
  return (fmax(l1, l2) + 0.05) / (fmin(l1, l2) + 0.05);
}

/* Every colour a colour value can give: a literal, or the outputs of a match, step or case. */
static void each_colour(json_t *x, void (*fn)(const char *hex, void *ctx), void *ctx) {
  if (json_is_string(x)) {
    fn(json_string_value(x), ctx);
    return;
  }
  const char *op = json_string_value(json_array_get(x, 0));
  size_t n = json_array_size(x);
  if (!op) fail_msg("a colour that is neither a string nor an expression");
  if (strcmp(op, "match") == 0) {
    for (size_t i = 3; i < n; i += 2) each_colour(json_array_get(x, i), fn, ctx);
    each_colour(json_array_get(x, n - 1), fn, ctx);
  } else if (strcmp(op, "step") == 0) {
    for (size_t i = 2; i < n; i += 2) each_colour(json_array_get(x, i), fn, ctx);
  } else if (strcmp(op, "case") == 0) {
    for (size_t i = 2; i < n; i += 2) each_colour(json_array_get(x, i), fn, ctx);
    each_colour(json_array_get(x, n - 1), fn, ctx);
  } else {
    fail_msg("a colour expression this test does not read: %s", op);
  }
}

typedef struct edge_check {
  const char *style, *layer, *background;
  double opacity;
  size_t n;
} edge_check;

static void check_colour(const char *hex, void *ctx) {
  edge_check *c = ctx;
  const char *grounds[] = {c->background, LAND[0], LAND[1]};
  for (size_t i = 0; i < 3; i++) {
    double r = contrast_over(hex, c->opacity, grounds[i]);
    if (r < 3.0)
      fail_msg("style %s, layer %s: edge %s at opacity %.2f has %.2f:1 on %s (under 3:1)",
               c->style, c->layer, hex, c->opacity, r, grounds[i]);
  }
  c->n++;
}

static double number_or(json_t *paint, const char *key, double dflt) {
  json_t *v = json_object_get(paint, key);
  if (!v) return dflt;
  if (!json_is_number(v)) fail_msg("%s is not a number", key);
  return json_number_value(v);
}

/* A line's width at zoom 16: a number or a linear interpolation on zoom. */
static double width_at_16(json_t *paint) {
  json_t *w = json_object_get(paint, "line-width");
  if (!w) return 1;
  if (json_is_number(w)) return json_number_value(w);
  return json_number_value(json_array_get(w, json_array_size(w) - 1));
}

static bool same_features(json_t *a, json_t *b) {
  const char *keys[] = {"source", "source-layer"};
  for (size_t i = 0; i < 2; i++)
    if (!json_equal(json_object_get(a, keys[i]), json_object_get(b, keys[i]))) return false;
  json_t *fa = json_object_get(a, "filter"), *fb = json_object_get(b, "filter");
  return (!fa && !fb) || (fa && fb && json_equal(fa, fb));
}

static void check_document(const char *style, json_t *doc, tally *t) {
  json_t *layers = json_object_get(doc, "layers");
  const char *background = NULL;
  size_t i;
  json_t *L;
  json_array_foreach(layers, i, L) {
    if (strcmp(json_string_value(json_object_get(L, "type")), "background") == 0)
      background = json_string_value(json_object_get(json_object_get(L, "paint"),
                                                     "background-color"));
  }
  if (!background) fail_msg("style %s has no background", style);
  json_array_foreach(layers, i, L) {
    const char *type = json_string_value(json_object_get(L, "type"));
    json_t *paint = json_object_get(L, "paint");
    edge_check c = {style, json_string_value(json_object_get(L, "id")), background, 1, 0};
    if (strcmp(type, "circle") == 0) {
      bool stroked = number_or(paint, "circle-stroke-width", 0) > 0;
      c.opacity = number_or(paint, stroked ? "circle-stroke-opacity" : "circle-opacity", 1);
      each_colour(json_object_get(paint, stroked ? "circle-stroke-color" : "circle-color"),
                  check_colour, &c);
      t->circles++;
    } else if (strcmp(type, "line") == 0) {
      /* the widest line drawing the same features is the one whose colour meets the ground */
      json_t *edge = L;
      size_t k;
      json_t *o;
      json_array_foreach(layers, k, o) {
        if (strcmp(json_string_value(json_object_get(o, "type")), "line") == 0 &&
            same_features(o, L) &&
            width_at_16(json_object_get(o, "paint")) > width_at_16(json_object_get(edge, "paint")))
          edge = o;
      }
      json_t *ep = json_object_get(edge, "paint");
      c.layer = json_string_value(json_object_get(edge, "id"));
      c.opacity = number_or(ep, "line-opacity", 1);
      each_colour(json_object_get(ep, "line-color"), check_colour, &c);
      t->lines++;
    } else {
      continue;
    }
    if (c.n == 0) fail_msg("style %s, layer %s: no colour read", style, c.layer);
  }
}

/* Each layer's own style and `todas` of the database at path. */
static void check_database(const char *path, tally *t) {
  store_reader *r;
  const catalog *cat;
  err e = {0};
  if (store_reader_open(path, &r, &e) != ERR_OK) fail_msg("%s", e.msg);
  assert_int_equal(store_reader_catalog(r, &cat, &e), ERR_OK);
  assert_true(cat->n_layers > 0);
  arena *a = arena_create(0);
  render_style *s;
  for (size_t i = 0; i <= cat->n_layers; i++) {
    const layer_info *l = i < cat->n_layers ? &cat->layers[i] : NULL;
    err_code rc = l ? render_style_auto(cat, l, a, &s, &e) : render_style_all(cat, a, &s, &e);
    if (rc != ERR_OK) fail_msg("%s: %s", l ? l->id : "todas", e.msg);
    json_t *doc = render_style_document(s, cat, "http://h");
    check_document(l ? l->id : "todas", doc, t);
    json_decref(doc);
  }
  arena_destroy(a);
  store_reader_close(r);
}

static void demo_styles_have_contrast(void **state) {
  (void)state;
  char path[256];
  check_tmp_path("demo.db", path, sizeof path);
  err e = {0};
  demo_options opt = {.n_incidents = 5000};
  if (demo_build(path, &opt, &e) != ERR_OK) fail_msg("demo: %s", e.msg);
  tally t = {0};
  check_database(path, &t);
  /* rivers and outlines, incidents and their clusters */
  assert_true(t.lines >= 6);
  assert_true(t.circles >= 2);
}

typedef struct source_file {
  const char *rel, *id, *source_layer, *drop; /* drop: a field the privacy check refuses */
} source_file;

static void third_party_styles_have_contrast(void **state) {
  (void)state;
  static const source_file FILES[] = {
      {"inegi/AGLOC_11020_localidades.csv", "localidades", NULL, NULL},
      {"cdmx-agua/Pozos_Sacmex2.geojson", "pozos", NULL, "CALLE"},
      {"cdmx-ssp/cuadrantes_shp.zip", "cuadrantes", NULL, NULL},
      {"centrogeo/criminologia_capas_subset.gpkg", "alcaldias", "alcaldias", NULL},
      {"leon-colonias/leon_colonias_msavi_6.geojson", "colonias", NULL, NULL},
  };
  const char *data = getenv("TESELAS_TEST_DATA");
  if (!data) data = TESELAS_SOURCE_DIR "/tests/data";
  char db[256];
  check_tmp_path("third-party.db", db, sizeof db);
  for (size_t i = 0; i < sizeof FILES / sizeof *FILES; i++) {
    char src[1024];
    snprintf(src, sizeof src, "%s/%s", data, FILES[i].rel);
    if (access(src, R_OK) != 0) fail_msg("%s is missing (tests/data)", src);
    import_options o = {.path = src, .db_path = db, .layer_id = FILES[i].id,
                        .source_layer = FILES[i].source_layer,
                        .drop = &FILES[i].drop, .n_drop = FILES[i].drop ? 1 : 0};
    import_result r;
    err e = {0};
    if (import_run(&o, &r, &e) != ERR_OK) fail_msg("import %s: %s", FILES[i].rel, e.msg);
    import_result_free(&r);
  }
  tally t = {0};
  check_database(db, &t);
  assert_true(t.circles >= 2);  /* localities and wells, each on its own map and on todas */
  assert_true(t.lines >= 3);    /* outlines, boundaries */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(demo_styles_have_contrast),
      cmocka_unit_test(third_party_styles_have_contrast),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
