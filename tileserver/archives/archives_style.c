/* archives_style.c — the automatic MapLibre style of an archive, so an archive is offered by
 * /styles and drawn by the viewer like a layer of the database.
 *
 * A vector archive's vector_layers say its layers and fields but not their geometry types, so
 * each layer gets one style layer per type, filtered on `$type` (fills translucent under their
 * outlines, lines, circles), in one colour of its own; MapLibre draws only the ones that match.
 * A PNG archive is one raster layer. The source points at the archive's TileJSON on this
 * server, so the style works through any proxy that rewrites base_url. */
#include <stdio.h>
#include <string.h>

#include "archives/archives_int.h"

/* Okabe-Ito, as the layers' automatic styles: distinguishable by colour-blind readers. */
static const char *const PALETTE[] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                      "#e69f00", "#56b4e9", "#f0e442", "#000000"};

static json_t *vector_layers_of(const char *source, const char *layer,
                                const char *color) {
  json_t *out = json_array();
  char id[160];
  snprintf(id, sizeof id, "%s-%s-fill", source, layer);
  json_array_append_new(out, json_pack(
      "{s:s, s:s, s:s, s:s, s:[s,s,s], s:{s:s, s:f}}", "id", id, "type", "fill", "source", source,
      "source-layer", layer, "filter", "==", "$type", "Polygon", "paint", "fill-color", color,
      "fill-opacity", 0.5));
  snprintf(id, sizeof id, "%s-%s-line", source, layer);
  json_array_append_new(out, json_pack(
      "{s:s, s:s, s:s, s:s, s:[s,s,s,s], s:{s:s, s:f}}", "id", id, "type", "line", "source",
      source, "source-layer", layer, "filter", "in", "$type", "LineString", "Polygon", "paint",
      "line-color", color, "line-width", 1.2));
  snprintf(id, sizeof id, "%s-%s-circle", source, layer);
  json_array_append_new(out, json_pack(
      "{s:s, s:s, s:s, s:s, s:[s,s,s], s:{s:s, s:f, s:s, s:f}}", "id", id, "type", "circle",
      "source", source, "source-layer", layer, "filter", "==", "$type", "Point", "paint",
      "circle-color", color, "circle-radius", 4.0, "circle-stroke-color", "#ffffff",
      "circle-stroke-width", 1.0));
  return out;
}

json_t *archives_style(const archive_layer *l, const char *base_url) {
  const archive_info *i = &l->info;
  char url[1024], glyphs[1024];
  snprintf(url, sizeof url, "%s/tiles/%s.json", base_url, l->name);
  snprintf(glyphs, sizeof glyphs, "%s/fonts/{fontstack}/{range}.pbf", base_url);
  json_t *title = json_object_get(l->metadata, "name");
  json_t *doc = json_pack(
      "{s:i, s:s, s:[f,f], s:i, s:s, s:{s:{s:s, s:s}}, s:[], s:{s:s}}", "version", 8, "name",
      json_is_string(title) ? json_string_value(title) : l->name, "center", i->center_lon,
      i->center_lat, "zoom", (int)i->center_zoom, "glyphs", glyphs, "sources", l->name, "type",
      i->kind == ARCHIVE_PNG ? "raster" : "vector", "url", url, "layers", "metadata",
      "teselas:archive", l->name);
  if (!doc) return NULL;
  json_t *layers = json_object_get(doc, "layers");
  if (i->kind == ARCHIVE_PNG) {
    json_object_set_new(json_object_get(json_object_get(doc, "sources"), l->name), "tileSize",
                        json_integer(256));
    json_array_append_new(layers, json_pack("{s:s, s:s, s:s}", "id", l->name, "type", "raster",
                                            "source", l->name));
    return doc;
  }
  json_t *vl = json_object_get(l->metadata, "vector_layers");
  size_t k;
  json_t *v;
  json_array_foreach(vl, k, v) {
    const char *id = json_string_value(json_object_get(v, "id"));
    /* a layer's label points (a teselas seed says `labels_of`): its names, not a layer to paint */
    if (!id || json_object_get(v, "labels_of")) continue;
    json_t *some = vector_layers_of(l->name, id, PALETTE[k % (sizeof PALETTE / sizeof *PALETTE)]);
    json_array_extend(layers, some);
    json_decref(some);
  }
  return doc;
}
