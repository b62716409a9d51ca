/* test_auto_labels.c — automatic styles name points beside them, not over them: in every
 * automatic style (each layer's own and the composite "todas"), the label layer of a point
 * layer is anchored "top" and moved down by at least its circle's radius and stroke, evaluated
 * from the compiled style at every zoom the label shows: at the map's zoom (as the PNG renderer
 * evaluates it) and at the integer zoom below (MapLibre evaluates a symbol's layout at its
 * tile's zoom), and by no more than a pixel beyond, so the name sits just below. Polygons and
 * lines keep centred labels. */
#include <math.h>

#include "check.h"
#include "render/render_int.h"

static layer_field NAME[] = {{"nombre", "Nombre", FIELD_TEXT}};

static layer_info LAYERS[] = {
    {.id = "pozos", .title = "Pozos", .geometry_type = "Point", .feature_count = 40,
     .bounds = {-101.8, 21.0, -101.6, 21.2}, .version = 1, .maxzoom = 16, .fields = NAME,
     .n_fields = 1, .style = "{\"label\":\"nombre\"}"},
    {.id = "incidentes", .title = "Incidentes", .geometry_type = "Point", .feature_count = 50000,
     .bounds = {-101.75, 21.05, -101.65, 21.15}, .version = 1, .maxzoom = 16, .fields = NAME,
     .n_fields = 1, .style = "{\"label\":\"nombre\"}"},
    {.id = "parques", .title = "Parques", .geometry_type = "Polygon", .feature_count = 300,
     .bounds = {-101.8, 21.0, -101.6, 21.2}, .version = 1, .maxzoom = 16, .fields = NAME,
     .n_fields = 1, .style = "{\"label\":\"nombre\"}"},
    {.id = "rios", .title = "Ríos", .geometry_type = "LineString", .feature_count = 12,
     .bounds = {-101.9, 21.0, -101.5, 21.3}, .version = 1, .maxzoom = 16, .fields = NAME,
     .n_fields = 1, .style = "{\"label\":\"nombre\"}"},
};
static catalog CAT = {.layers = LAYERS, .n_layers = 4};

static const layer_info *catalog_layer(const char *id) {
  for (size_t i = 0; i < CAT.n_layers; i++)
    if (strcmp(CAT.layers[i].id, id) == 0) return &CAT.layers[i];
  return NULL;
}

static const rlayer *style_layer(const render_style *s, const char *source_layer,
                                 const char *suffix) {
  char id[160];
  snprintf(id, sizeof id, "%s-%s", source_layer, suffix);
  for (size_t i = 0; i < s->n_layers; i++)
    if (strcmp(s->layers[i].id, id) == 0) return &s->layers[i];
  return NULL;
}

/* The label's downward offset in pixels at zoom z (text-offset[1] ems times text-size); fails
 * unless the offset is [0, y]. */
static double offset_px(const rlayer *lab, double z, arena *a) {
  rctx c = {.zoom = z, .scratch = a};
  rval off = render_expr_eval(lab->props[RP_TEXT_OFFSET], &c);
  if (off.kind != RV_ARRAY || off.len != 2 || off.items[0].kind != RV_NUM ||
      off.items[1].kind != RV_NUM || off.items[0].n != 0)
    fail_msg("%s at z%g: text-offset is not [0, y]", lab->id, z);
  return off.items[1].n * render_eval_num(lab->props[RP_TEXT_SIZE], &c, 16);
}

/* Checks the point label of s over source layer id; returns 1. */
static int check_point_label(const render_style *s, const char *id, arena *a) {
  const rlayer *lab = style_layer(s, id, "labels"), *pt = style_layer(s, id, "points");
  if (!lab || !pt) fail_msg("%s: no points or labels layer in %s", id, s->name);
  for (double z = lab->minzoom; z <= 22; z += 0.25) {
    rctx c = {.zoom = z, .scratch = a};
    const char *anchor;
    size_t n;
    if (!render_eval_text(lab->props[RP_TEXT_ANCHOR], &c, &anchor, &n) || n != 3 ||
        strncmp(anchor, "top", 3) != 0)
      fail_msg("%s at z%g: the label is not anchored \"top\"", lab->id, z);
    double clear = render_eval_num(pt->props[RP_CIRCLE_RADIUS], &c, 5) +
                   render_eval_num(pt->props[RP_CIRCLE_STROKE_W], &c, 0);
    double at_z = offset_px(lab, z, a), at_tile = offset_px(lab, floor(z), a);
    if (at_z < clear - 1e-9 || at_tile < clear - 1e-9)
      fail_msg("%s at z%g: moved down %.3f px (%.3f at its tile's zoom), the circle reaches "
               "%.3f px", lab->id, z, at_z, at_tile, clear);
    if (at_z > clear + 1)
      fail_msg("%s at z%g: moved down %.3f px, a gap under a %.3f px circle", lab->id, z, at_z,
               clear);
  }
  return 1;
}

static void check_centred_label(const render_style *s, const char *id) {
  const rlayer *lab = style_layer(s, id, "labels");
  if (!lab) fail_msg("%s: no labels layer in %s", id, s->name);
  if (lab->props[RP_TEXT_ANCHOR] || lab->props[RP_TEXT_OFFSET])
    fail_msg("%s: a %s's label is not centred", lab->id, catalog_layer(id)->geometry_type);
}

/* Every label layer of s: points below their circles, the others centred; returns how many
 * point labels were checked. */
static int check_style(const render_style *s, arena *a) {
  int points = 0;
  for (size_t i = 0; i < s->n_layers; i++) {
    const rlayer *L = &s->layers[i];
    size_t n = strlen(L->id);
    if (L->type != RL_SYMBOL || n < 7 || strcmp(L->id + n - 7, "-labels") != 0) continue;
    const layer_info *l = catalog_layer(L->source_layer);
    assert_non_null(l);
    if (strcmp(l->geometry_type, "Point") == 0) points += check_point_label(s, l->id, a);
    else check_centred_label(s, l->id);
  }
  return points;
}

static void points_labelled_below(void **state) {
  (void)state;
  arena *a = arena_create(0);
  render_style *s;
  err e;
  int points = 0;
  for (size_t i = 0; i < CAT.n_layers; i++) {
    assert_int_equal(render_style_auto(&CAT, &CAT.layers[i], a, &s, &e), ERR_OK);
    points += check_style(s, a);
  }
  assert_int_equal(points, 2); /* pozos and incidentes (clustered), each on its own map */
  assert_int_equal(render_style_all(&CAT, a, &s, &e), ERR_OK);
  assert_int_equal(check_style(s, a), 2);
  arena_destroy(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(points_labelled_below),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
