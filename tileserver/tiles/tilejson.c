/* tilejson.c — TileJSON 3.0.0 (https://github.com/mapbox/tilejson-spec/tree/master/3.0.0) and
 * OGC API - Tiles tileset metadata for the catalog's layers.
 *
 * Tile URLs carry the layer versions (?v=...) so that browsers and CDNs never serve a stale tile
 * after an import: a new version is a new URL. A filtered TileJSON (/tiles/{id}.json?tipo=robo)
 * repeats its filter in the tile URLs, so a map source pointed at it draws filtered tiles. */
#include "tiles/tilejson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/output_id.h"
#include "gen/gen.h"
#include "tiles/tiles.h"

static const char *tilejson_type(field_type t) {
  switch (t) {
    case FIELD_INTEGER:
    case FIELD_REAL: return "Number";
    case FIELD_BOOLEAN: return "Boolean";
    default: return "String";
  }
}

/* The Spanish sentence of a layer's privacy policy ("Ubicaciones aproximadas a una cuadrícula de
 * 250 m; ..."), or NULL when it has none. Caller json_decref's *out_doc, which owns the text. */
static const char *privacy_text(const layer_info *l, json_t **out_doc) {
  *out_doc = json_loads(l->privacy, 0, NULL);
  const char *t = json_string_value(json_object_get(*out_doc, "description"));
  return t && *t ? t : NULL;
}

char *tiles_attribution(const layer_info *const *layers, size_t n_layers) {
  buf b;
  buf_init(&b, 64 * 1024);
  for (size_t i = 0; i < n_layers; i++) {
    const layer_info *l = layers[i];
    bool dup = false;
    for (size_t j = 0; j < i; j++)
      dup |= strcmp(layers[j]->publisher, l->publisher) == 0 &&
             strcmp(layers[j]->license, l->license) == 0;
    if (dup) continue;
    if (b.len) buf_puts(&b, "; ");
    buf_puts(&b, *l->publisher ? l->publisher : "teselas");
    if (*l->license) buf_printf(&b, " (%s)", l->license);
    if (l->sample) buf_puts(&b, ", datos de muestra");
  }
  for (size_t i = 0; i < n_layers; i++) { /* what a map of sensitive data must say on it */
    json_t *doc;
    const char *t = privacy_text(layers[i], &doc);
    if (t) buf_printf(&b, "%s%s", b.len ? ". " : "", t);
    json_decref(doc);
  }
  buf_cstr(&b);
  return (char *)buf_steal(&b, NULL);
}

static json_t *vector_layer(const layer_info *l) {
  json_t *fields = json_object();
  for (size_t i = 0; i < l->n_fields; i++)
    json_object_set_new(fields, l->fields[i].name,
                        json_string(tilejson_type(l->fields[i].type)));
  int cb = gen_cluster_below(l);
  if (cb > 0) {
    json_object_set_new(fields, "point_count", json_string("Number"));
    json_object_set_new(fields, "cluster", json_string("Boolean"));
  }
  json_t *pdoc;
  const char *ptext = privacy_text(l, &pdoc);
  json_t *vl = json_pack("{s:s, s:o, s:i, s:i, s:o, s:s}", "id", l->id, "description",
                         ptext ? json_sprintf("%s. %s", l->title, ptext) : json_string(l->title),
                         "minzoom", l->minzoom, "maxzoom", l->maxzoom, "fields", fields,
                         "geometry_type", l->geometry_type);
  if (ptext) json_object_set(vl, "privacy", pdoc);
  json_decref(pdoc);
  /* Which zooms are generalised, and how (the issue asks TileJSON to say so). */
  json_t *gen = json_object();
  if (cb > 0) {
    json_object_set_new(gen, "clustered_zooms", json_pack("[i,i]", l->minzoom, cb - 1));
    json_object_set_new(gen, "cluster_cell_px", json_integer(16));
    json_object_set_new(gen, "dense_tiles",
                        json_sprintf("above %d points a tile is clustered on a 4 px grid",
                                     TILES_POINT_BUDGET));
  } else if (gen_small_below(l) > l->minzoom) { /* none for an aggregate's cells */
    json_object_set_new(gen, "subpixel_features_dropped_zooms",
                        json_pack("[i,i]", l->minzoom, gen_small_below(l) - 1));
  }
  json_object_set_new(vl, "generalization", gen);
  return vl;
}

/* The vector layer of l's label points (gen.h): after every layer's own entry, so entry i of
 * vector_layers stays layers[i]. */
static json_t *labels_vector_layer(const layer_info *l) {
  json_t *fields = json_object();
  const layer_field *f = layer_label_field(l); /* the one attribute its points carry */
  if (f) json_object_set_new(fields, f->name, json_string(tilejson_type(f->type)));
  return json_pack("{s:o, s:o, s:i, s:i, s:o, s:s, s:s}", "id",
                   json_sprintf("%s%s", l->id, GEN_LABELS_SUFFIX), "description",
                   json_sprintf("%s: un punto de etiqueta por elemento, en la única tesela de "
                                "cada zoom que lo contiene", l->title),
                   "minzoom", l->minzoom, "maxzoom", l->maxzoom, "fields", fields,
                   "geometry_type", "Point", "labels_of", l->id);
}

json_t *tiles_tilejson(const layer_info *const *layers, size_t n_layers, const char *ids_path,
                       const char *filter_query, const char *base_url) {
  double b[4] = {180, 90, -180, -90};
  int minzoom = 24, maxzoom = 0;
  buf versions, names;
  buf_init(&versions, 0);
  buf_init(&names, 0);
  json_t *vls = json_array();
  for (size_t i = 0; i < n_layers; i++) {
    const layer_info *l = layers[i];
    for (int k = 0; k < 2; k++) {
      if (l->bounds[k] < b[k]) b[k] = l->bounds[k];
      if (l->bounds[k + 2] > b[k + 2]) b[k + 2] = l->bounds[k + 2];
    }
    if (l->minzoom < minzoom) minzoom = l->minzoom;
    if (l->maxzoom > maxzoom) maxzoom = l->maxzoom;
    buf_printf(&versions, "%s%lld", i ? "." : "", (long long)l->version);
    buf_printf(&names, "%s%s", i ? ", " : "", l->title);
    json_array_append_new(vls, vector_layer(l));
  }
  for (size_t i = 0; i < n_layers; i++)
    if (gen_has_labels(layers[i])) json_array_append_new(vls, labels_vector_layer(layers[i]));
  char *attribution = tiles_attribution(layers, n_layers);
  int center_zoom = minzoom + 2 < maxzoom ? minzoom + 2 : minzoom;
  json_t *doc = json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:[s+], s:s, s:i, s:i, s:[f,f,f,f], s:[f,f,i], s:o}", "tilejson",
      "3.0.0", "name", buf_cstr(&names), "description",
      n_layers == 1 ? layers[0]->description : "teselas", "version", "1.0.0", "attribution",
      attribution ? attribution : "", "tiles", base_url, "", "scheme", "xyz", "minzoom", minzoom,
      "maxzoom", maxzoom, "bounds", b[0], b[1], b[2], b[3], "center", (b[0] + b[2]) / 2,
      (b[1] + b[3]) / 2, center_zoom, "vector_layers", vls);
  /* privacy: the policy of each layer that has one (issue 8), by layer id */
  json_t *privacy = json_object();
  for (size_t i = 0; i < n_layers; i++) {
    json_t *p = json_object_get(json_array_get(vls, i), "privacy");
    if (p) json_object_set(privacy, layers[i]->id, p);
  }
  if (doc && json_object_size(privacy)) json_object_set(doc, "privacy", privacy);
  json_decref(privacy);
  char *url = NULL;
  bool filtered = filter_query && *filter_query;
  if (doc && asprintf(&url, "%s/tiles/%s/{z}/{x}/{y}.pbf?v=%s-%s%s%s", base_url,
                      ids_path, buf_cstr(&versions), TESELAS_OUTPUT_ID, filtered ? "&" : "", filtered ? filter_query : "") > 0) {
    json_array_set_new(json_object_get(doc, "tiles"), 0, json_string(url));
    free(url);
  }
  free(attribution);
  buf_free(&versions);
  buf_free(&names);
  return doc;
}

static json_t *link(const char *href, const char *rel, const char *type, const char *title) {
  return json_pack("{s:s, s:s, s:s, s:s}", "href", href, "rel", rel, "type", type, "title", title);
}

json_t *tiles_ogc_tileset(const layer_info *l, const char *base_url) {
  char self[1024], tiles[1024], tj[1024];
  snprintf(self, sizeof self, "%s/collections/%s/tiles/WebMercatorQuad", base_url, l->id);
  snprintf(tiles, sizeof tiles, "%s/collections/%s/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}?v=%lld-%s",
           base_url, l->id, (long long)l->version, TESELAS_OUTPUT_ID);
  snprintf(tj, sizeof tj, "%s/tiles/%s.json", base_url, l->id);
  json_t *links = json_pack("[o,o,o,o]", link(self, "self", "application/json", "Este conjunto de teselas"),
                            link(tiles, "item", "application/vnd.mapbox-vector-tile", "Teselas vectoriales"),
                            link("http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad",
                                 "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
                                 "application/json", "WebMercatorQuad"),
                            link(tj, "describedby", "application/json", "TileJSON"));
  return json_pack("{s:s, s:s, s:s, s:s, s:{s:[f,f], s:[f,f], s:s}, s:o, s:[{s:s, s:s}]}",
                   "title", l->title, "dataType", "vector", "crs",
                   "http://www.opengis.net/def/crs/EPSG/0/3857", "tileMatrixSetURI",
                   "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad",
                   "boundingBox", "lowerLeft", l->bounds[0], l->bounds[1], "upperRight",
                   l->bounds[2], l->bounds[3], "crs",
                   "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "links", links, "layers",
                   "id", l->id, "dataType", "vector");
}

json_t *tiles_ogc_tilesets(const layer_info *l, const char *base_url) {
  json_t *set = tiles_ogc_tileset(l, base_url);
  char self[1024];
  snprintf(self, sizeof self, "%s/collections/%s/tiles", base_url, l->id);
  return json_pack("{s:[o], s:[o]}", "tilesets", set, "links",
                   link(self, "self", "application/json", "Conjuntos de teselas"));
}
