/* auto.c — the automatic style of a catalog layer that no style draws: a sensible default by
 * geometry type, so every published layer can be seen at once, in the browser and as PNG.
 *   polygons: a translucent fill and a darker outline;
 *   lines:    a line that widens with zoom;
 *   points:   circles; a clustered layer also gets cluster circles sized by point_count, with
 *             the count as a label;
 *   a text field called nombre/name/titulo labels the features from zoom 13.
 * The colour comes from a fixed palette indexed by a hash of the layer id (stable across runs). */
#include <stdio.h>
#include <string.h>

#include "core/hash.h"
#include "render/render_int.h"
#include "tiles/tiles.h"

static const char *const PALETTE[][2] = {
    {"#1b9e77", "#0f5c45"}, {"#d95f02", "#7a3501"}, {"#7570b3", "#443f75"},
    {"#e7298a", "#8c1552"}, {"#66a61e", "#3b6111"}, {"#e6ab02", "#8a6601"},
    {"#a6761d", "#5e4210"}, {"#1f78b4", "#114569"},
};

static const char *label_field(const layer_info *l) {
  static const char *const NAMES[] = {"nombre", "name", "titulo", "title", "nom"};
  for (size_t k = 0; k < sizeof NAMES / sizeof *NAMES; k++) {
    const layer_field *f = layer_find_field(l, NAMES[k]);
    if (f && f->type == FIELD_TEXT) return f->name;
  }
  return NULL;
}

static json_t *width_ramp(double lo, double hi) {
  return json_pack("[s,[s],[s],f,f,f,f]", "interpolate", "linear", "zoom", 8.0, lo, 16.0, hi);
}

static void add_points(json_t *layers, const layer_info *l, const char *fill, const char *dark) {
  bool clustered = tiles_cluster_below(l) > 0;
  if (clustered) {
    json_array_append_new(layers, json_pack(
        "{s:s,s:s,s:s,s:s,s:[s,s],s:{s:o,s:s,s:f,s:f,s:s}}", "id", "clusters", "type", "circle",
        "source", "teselas", "source-layer", l->id, "filter", "has", "point_count", "paint",
        "circle-radius",
        json_pack("[s,[s,s],f,f,f,f,f,f,f]", "step", "get", "point_count", 7.0, 10.0, 9.0, 100.0,
                  12.0, 1000.0, 15.0),
        "circle-color", fill, "circle-opacity", 0.75, "circle-stroke-width", 1.0,
        "circle-stroke-color", "#ffffff"));
    json_array_append_new(layers, json_pack(
        "{s:s,s:s,s:s,s:s,s:[s,s],s:{s:[s,[s,s]],s:f,s:[s]},s:{s:s,s:s,s:f}}", "id",
        "cluster-count", "type", "symbol", "source", "teselas", "source-layer", l->id, "filter",
        "has", "point_count", "layout", "text-field", "to-string", "get", "point_count",
        "text-size", 10.0, "text-font", "Noto Sans Bold", "paint", "text-color", "#ffffff",
        "text-halo-color", dark, "text-halo-width", 0.5));
  }
  json_t *pt = json_pack("{s:s,s:s,s:s,s:s,s:{s:o,s:s,s:f,s:s}}", "id", "points", "type",
                         "circle", "source", "teselas", "source-layer", l->id, "paint",
                         "circle-radius", width_ramp(2.5, 5.0), "circle-color", fill,
                         "circle-stroke-width", 1.0, "circle-stroke-color", "#ffffff");
  if (clustered) json_object_set_new(pt, "filter", json_pack("[s,[s,s]]", "!", "has", "point_count"));
  json_array_append_new(layers, pt);
}

static json_t *auto_doc(const layer_info *l) {
  uint32_t h = hash_fnv32_str(HASH_FNV32_SEED, l->id);
  const char *fill = PALETTE[h % 8][0], *dark = PALETTE[h % 8][1];
  char url[128];
  snprintf(url, sizeof url, "teselas://%s", l->id);
  json_t *layers = json_array();
  json_array_append_new(layers, json_pack("{s:s,s:s,s:{s:s}}", "id", "background", "type",
                                          "background", "paint", "background-color", "#f4f3ef"));
  if (strcmp(l->geometry_type, "Polygon") == 0) {
    json_array_append_new(layers, json_pack(
        "{s:s,s:s,s:s,s:s,s:{s:s,s:f}}", "id", "fill", "type", "fill", "source", "teselas",
        "source-layer", l->id, "paint", "fill-color", fill, "fill-opacity", 0.35));
    json_array_append_new(layers, json_pack(
        "{s:s,s:s,s:s,s:s,s:{s:s,s:o}}", "id", "outline", "type", "line", "source", "teselas",
        "source-layer", l->id, "paint", "line-color", dark, "line-width", width_ramp(0.5, 1.5)));
  } else if (strcmp(l->geometry_type, "LineString") == 0) {
    json_array_append_new(layers, json_pack(
        "{s:s,s:s,s:s,s:s,s:{s:s,s:s},s:{s:s,s:o}}", "id", "line", "type", "line", "source",
        "teselas", "source-layer", l->id, "layout", "line-cap", "round", "line-join", "round",
        "paint", "line-color", fill, "line-width", width_ramp(1.0, 4.0)));
  } else {
    add_points(layers, l, fill, dark);
  }
  const char *name = label_field(l);
  if (name)
    json_array_append_new(layers, json_pack(
        "{s:s,s:s,s:s,s:s,s:f,s:{s:[s,s],s:f,s:[s]},s:{s:s,s:s,s:f}}", "id", "labels", "type",
        "symbol", "source", "teselas", "source-layer", l->id, "minzoom", 13.0, "layout",
        "text-field", "get", name, "text-size", 12.0, "text-font", "Noto Sans Regular", "paint",
        "text-color", "#333333", "text-halo-color", "#ffffff", "text-halo-width", 1.5));
  return json_pack("{s:i,s:s,s:{s:{s:s,s:s}},s:s,s:o}", "version", 8, "name", l->title,
                   "sources", "teselas", "type", "vector", "url", url, "glyphs",
                   "teselas://fonts", "layers", layers);
}

err_code render_style_auto(const layer_info *l, arena *a, render_style **out, err *e) {
  json_t *doc = auto_doc(l);
  if (!doc) return err_set(e, ERR_NOMEM, "out of memory");
  err_code rc = render_style_compile(l->id, doc, a, out, e);
  json_decref(doc);
  if (rc == ERR_OK) (*out)->automatic = true;
  return rc;
}
