/* ogc.c — the JSON documents of OGC API - Features Part 1 and Part 3 around the items:
 * landing page (/req/core/root-success), conformance (/req/core/conformance-success), collections
 * (/req/core/fc-md-success, /req/core/fc-md-links, /req/core/fc-md-extent) and one collection
 * (/req/core/sfc-md-success), queryables (/req/queryables/get-queryables-response).
 * HTML pages for the same resources are in ogc_html.c. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar/calendar.h"
#include "features/features_int.h"
#include "features/ogc_int.h"

const char FEATURES_CRS84[] = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/* Conformance classes, each implemented and tested (tests/http/test_features_*.sh,
 * test_clients_conformance.sh), and no others. Not declared: Features Part 2 (crs: only CRS84 is
 * served, with no Content-Crs header), CQL2 JSON, case- and accent-insensitive comparison,
 * temporal, array and arithmetic functions; Tiles' dataset-tilesets (tilesets are per
 * collection), collections-selection, datetime (tiles take datetime, but tileset metadata does
 * not describe a time dimension) and the PNG, JPEG and GeoJSON tile formats (PNG tiles are
 * served per style under /styles, outside the OGC tiles resources). */
static const char *const CONFORMANCE[] = {
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/property-property",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    /* OGC API - Tiles - Part 1: Core (OGC 20-057), vector tiles of each collection */
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
};

json_t *features_link(const char *rel, const char *type, const char *title, const char *href) {
  return json_pack("{s:s, s:s, s:s, s:s}", "rel", rel, "type", type, "title", title, "href",
                   href);
}

json_t *features_linkf(const char *rel, const char *type, const char *title, const char *fmt,
                       ...) {
  char href[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(href, sizeof href, fmt, ap);
  va_end(ap);
  return features_link(rel, type, title, href);
}

err_code features_json_dump(json_t *doc, buf *out, err *e) {
  if (!doc) return err_set(e, ERR_NOMEM, "out of memory building a document");
  char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(doc);
  if (!text) return err_set(e, ERR_NOMEM, "out of memory building a document");
  buf_puts(out, text);
  buf_putc(out, '\n');
  free(text);
  return out->failed ? err_set(e, ERR_LIMIT, "document too large") : ERR_OK;
}

/* The summary of each layer that the first landing page of teselas had. */
static json_t *layer_summaries(const catalog *c) {
  json_t *layers = json_array();
  for (size_t i = 0; i < c->n_layers; i++) {
    const layer_info *l = &c->layers[i];
    json_array_append_new(
        layers, json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:[f,f,f,f], s:s, s:s, s:s}", "id",
                          l->id, "title", l->title, "geometry_type", l->geometry_type,
                          "feature_count", (json_int_t)l->feature_count, "version",
                          (json_int_t)l->version, "sample", l->sample, "bounds", l->bounds[0],
                          l->bounds[1], l->bounds[2], l->bounds[3], "publisher", l->publisher,
                          "license", l->license, "updated_at", l->updated_at));
  }
  return layers;
}

json_t *features_landing_json(const features_site *s, const catalog *c) {
  const char *b = s->base_url;
  json_t *links = json_array();
  json_array_append_new(links, features_linkf("self", "application/json", "Esta página",
                                              "%s/?f=json", b));
  json_array_append_new(links, features_linkf("service-desc",
                                              "application/vnd.oai.openapi+json;version=3.0",
                                              "Definición de la API (OpenAPI 3.0)", "%s/api", b));
  json_array_append_new(links, features_linkf("service-doc", "text/html",
                                              "Documentación de la API", "%s/api?f=html", b));
  json_array_append_new(links, features_linkf("conformance", "application/json",
                                              "Clases de conformidad", "%s/conformance", b));
  json_array_append_new(links, features_linkf("http://www.opengis.net/def/rel/ogc/1.0/conformance",
                                              "application/json", "Clases de conformidad",
                                              "%s/conformance", b));
  json_array_append_new(links, features_linkf("data", "application/json", "Colecciones",
                                              "%s/collections", b));
  json_array_append_new(links, features_linkf("http://www.opengis.net/def/rel/ogc/1.0/data",
                                              "application/json", "Colecciones",
                                              "%s/collections", b));
  return json_pack("{s:s, s:s, s:o, s:o}", "title", s->title, "description", s->description,
                   "links", links, "layers", layer_summaries(c));
}

json_t *features_conformance_json(void) {
  json_t *arr = json_array();
  for (size_t i = 0; i < sizeof CONFORMANCE / sizeof *CONFORMANCE; i++)
    json_array_append_new(arr, json_string(CONFORMANCE[i]));
  return json_pack("{s:o}", "conformsTo", arr);
}

/* A known licence → its legal text, so the collection can link it (rel=license) and the
 * catalogue can name its dct:LicenseDocument. Names are compared on their letters and digits
 * alone, case folded, so "CC BY 4.0", "CC-BY-4.0" and "cc by 4.0" are one licence; a licence
 * given as an http(s) URL is its own text. */
static void licence_key(const char *s, char out[64]) {
  size_t n = 0;
  for (; *s && n + 1 < 64; s++)
    if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')) out[n++] = *s;
    else if (*s >= 'A' && *s <= 'Z') out[n++] = (char)(*s - 'A' + 'a');
  out[n] = '\0';
}

const char *features_license_url(const char *name) {
  static const struct {
    const char *name, *url;
  } L[] = {{"CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"},
           {"CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"},
           {"CC0", "https://creativecommons.org/publicdomain/zero/1.0/"},
           {"CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"},
           {"ODbL", "https://opendatacommons.org/licenses/odbl/1-0/"},
           {"ODbL 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"},
           {"LLDAMX", "https://datos.gob.mx/libreusomx"},
           {"Libre Uso MX", "https://datos.gob.mx/libreusomx"},
           {"Licencia de libre uso MX", "https://datos.gob.mx/libreusomx"},
           {"Licencia de Libre Uso MX 2.0", "https://datos.gob.mx/libreusomx"}};
  if (strncmp(name, "https://", 8) == 0 || strncmp(name, "http://", 7) == 0) return name;
  char key[64], k[64];
  licence_key(name, key);
  for (size_t i = 0; key[0] && i < sizeof L / sizeof *L; i++) {
    licence_key(L[i].name, k);
    if (strcmp(k, key) == 0) return L[i].url;
  }
  return NULL;
}

size_t features_conformance_classes(const char *const **out) {
  *out = CONFORMANCE;
  return sizeof CONFORMANCE / sizeof *CONFORMANCE;
}

/* RFC 3339 instants for the temporal extent (a date covers its whole day). */
static json_t *instant(const char *v, bool end) {
  if (!v[0]) return json_null();
  if (strlen(v) == 10) return json_sprintf("%sT%s", v, end ? "23:59:59Z" : "00:00:00Z");
  return json_string(v);
}

static json_t *extent_json(store_reader *rd, const layer_info *l) {
  const double *b = l->bounds;
  json_t *ext = json_pack("{s:{s:[[f,f,f,f]], s:s}}", "spatial", "bbox", b[0], b[1], b[2], b[3],
                          "crs", FEATURES_CRS84);
  char lo[40], hi[40];
  if (l->date_field[0] &&
      store_layer_time_extent(rd, l, l->date_field, lo, hi, NULL) == ERR_OK && lo[0])
    json_object_set_new(ext, "temporal",
                        json_pack("{s:[[o,o]], s:s}", "interval", instant(lo, false),
                                  instant(hi, true), "trs",
                                  "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"));
  return ext;
}

static json_t *collection_links(const features_site *s, const layer_info *l) {
  const char *b = s->base_url, *id = l->id;
  json_t *a = json_array();
  json_array_append_new(a, features_linkf("self", "application/json", "Esta colección",
                                          "%s/collections/%s", b, id));
  json_array_append_new(a, features_linkf("alternate", "text/html", "Esta colección en HTML",
                                          "%s/collections/%s?f=html", b, id));
  json_array_append_new(a, features_linkf("items", "application/geo+json", "Elementos (GeoJSON)",
                                          "%s/collections/%s/items", b, id));
  json_array_append_new(a, features_linkf("items", "text/html", "Elementos (HTML)",
                                          "%s/collections/%s/items?f=html", b, id));
  json_array_append_new(a, features_linkf("items", "text/csv", "Elementos (CSV)",
                                          "%s/collections/%s/items?f=csv", b, id));
  json_array_append_new(a, features_linkf("http://www.opengis.net/def/rel/ogc/1.0/queryables",
                                          "application/schema+json", "Propiedades consultables",
                                          "%s/collections/%s/queryables", b, id));
  json_array_append_new(a, features_linkf("queryables", "application/schema+json",
                                          "Propiedades consultables",
                                          "%s/collections/%s/queryables", b, id));
  json_array_append_new(a, features_linkf("describedby", "application/json",
                                          "Informe de calidad de la última importación",
                                          "%s/collections/%s/quality", b, id));
  json_array_append_new(a, features_linkf("http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
                                          "application/json", "Teselas vectoriales (OGC API - Tiles)",
                                          "%s/collections/%s/tiles", b, id));
  json_array_append_new(a, features_linkf("describedby", "application/json",
                                          "Teselas vectoriales (TileJSON 3.0.0)",
                                          "%s/tiles/%s.json", b, id));
  json_array_append_new(a, features_linkf("enclosure", "application/geo+json",
                                          "Descarga completa (GeoJSON)",
                                          "%s/collections/%s/download.geojson", b, id));
  json_array_append_new(a, features_linkf("enclosure", "text/csv", "Descarga completa (CSV)",
                                          "%s/collections/%s/download.csv", b, id));
  json_array_append_new(a, features_linkf("enclosure", "application/geopackage+sqlite3",
                                          "Descarga completa (GeoPackage)",
                                          "%s/collections/%s/download.gpkg", b, id));
  const char *lic = features_license_url(l->license);
  if (lic) json_array_append_new(a, features_link("license", "text/html", l->license, lic));
  return a;
}

/* Where the layer stands on the update calendar (calendar/calendar.h), at the time of the request,
 * with each frequency's default grace: its last and next delivery, and how late it is. */
static json_t *calendar_json(const layer_info *l) {
  calendar_status st;
  calendar_layer_status(l, (int64_t)time(NULL), -1, &st);
  char last[32] = "", due[32] = "", words[128];
  if (st.last >= 0) calendar_format_iso(st.last, last);
  if (st.scheduled) calendar_format_iso(st.due, due);
  calendar_status_text(&st, l->frequency, false, words, sizeof words);
  return json_pack("{s:s, s:o, s:o, s:o, s:b, s:I, s:s}", "frequency",
                   st.freq == CALENDAR_UNKNOWN ? "unknown" : calendar_freq_name(st.freq),
                   "last_delivery", *last ? json_string(last) : json_null(), "next_delivery",
                   *due ? json_string(due) : json_null(), "grace_days",
                   st.scheduled ? json_integer(st.grace_days) : json_null(), "overdue",
                   st.overdue, "days_late", (json_int_t)st.days_late, "status", words);
}

json_t *features_collection_json(const features_site *s, store_reader *rd, const layer_info *l) {
  json_t *kw = json_array();
  char tmp[512];
  snprintf(tmp, sizeof tmp, "%s", l->keywords);
  for (char *save = NULL, *k = strtok_r(tmp, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
    while (*k == ' ') k++;
    if (*k) json_array_append_new(kw, json_string(k));
  }
  json_t *c = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:[s], s:s}", "id", l->id, "title",
                        l->title, "description", l->description, "keywords", kw, "extent",
                        extent_json(rd, l), "itemType", "feature", "crs", FEATURES_CRS84,
                        "storageCrs", FEATURES_CRS84);
  json_object_set_new(c, "license", json_string(l->license));
  json_object_set_new(c, "attribution", json_string(l->publisher));
  json_object_set_new(c, "updated", json_string(l->updated_at));
  json_object_set_new(c, "featureCount", json_integer((json_int_t)l->feature_count));
  json_object_set_new(c, "geometryType", json_string(l->geometry_type));
  json_object_set_new(c, "sample", json_boolean(l->sample));
  json_object_set_new(c, "calendar", calendar_json(l));
  /* the privacy policy as the catalog holds it: mode, grid, k, the Spanish "description" */
  json_t *privacy = json_loads(l->privacy, 0, NULL);
  if (json_is_object(privacy) && json_object_size(privacy))
    json_object_set_new(c, "privacy", privacy);
  else
    json_decref(privacy);
  /* how the automatic map draws it, chosen from the data at import (importers/autostyle.c) */
  json_t *style = json_loads(l->style ? l->style : "{}", 0, NULL);
  if (json_is_object(style) && json_object_size(style))
    json_object_set_new(c, "style", style);
  else
    json_decref(style);
  json_object_set_new(c, "links", collection_links(s, l));
  return c;
}

err_code features_doc_landing(const features_site *s, const catalog *c, features_format f,
                              buf *out, err *e) {
  if (f == FEATURES_HTML) return features_html_landing(s, out, e);
  return features_json_dump(features_landing_json(s, c), out, e);
}

err_code features_doc_conformance(const features_site *s, features_format f, buf *out, err *e) {
  if (f == FEATURES_HTML) {
    features_html_begin(out, "Clases de conformidad", s->base_url);
    buf_puts(out, "<ul>\n");
    for (size_t i = 0; i < sizeof CONFORMANCE / sizeof *CONFORMANCE; i++)
      buf_printf(out, "<li><a href=\"%s\">%s</a></li>\n", CONFORMANCE[i], CONFORMANCE[i]);
    buf_puts(out, "</ul>\n");
    features_html_end(out);
    return out->failed ? err_set(e, ERR_LIMIT, "document too large") : ERR_OK;
  }
  return features_json_dump(features_conformance_json(), out, e);
}

err_code features_doc_collections(const features_site *s, store_reader *rd, const catalog *c,
                                  features_format f, buf *out, err *e) {
  if (f == FEATURES_HTML) return features_html_collections(s, c, out, e);
  json_t *arr = json_array();
  for (size_t i = 0; i < c->n_layers; i++)
    json_array_append_new(arr, features_collection_json(s, rd, &c->layers[i]));
  json_t *links = json_array();
  json_array_append_new(links, features_linkf("self", "application/json", "Colecciones",
                                              "%s/collections", s->base_url));
  json_array_append_new(links, features_linkf("alternate", "text/html", "Colecciones en HTML",
                                              "%s/collections?f=html", s->base_url));
  json_t *doc = json_pack("{s:o, s:o}", "links", links, "collections", arr);
  return features_json_dump(doc, out, e);
}

err_code features_doc_collection(const features_site *s, store_reader *rd, const layer_info *l,
                                 features_format f, buf *out, err *e) {
  if (f == FEATURES_HTML) return features_html_collection(s, rd, l, out, e);
  return features_json_dump(features_collection_json(s, rd, l), out, e);
}

/* JSON Schema type and format of a field (Part 3 /req/queryables/get-queryables-response). */
void features_field_schema(json_t *prop, field_type t) {
  static const char *const TYPE[] = {"integer", "number", "string", "string", "string", "boolean"};
  json_object_set_new(prop, "type", json_string(TYPE[t <= FIELD_BOOLEAN ? t : FIELD_TEXT]));
  if (t == FIELD_DATE) json_object_set_new(prop, "format", json_string("date"));
  if (t == FIELD_DATETIME) json_object_set_new(prop, "format", json_string("date-time"));
}

static const char *geometry_format(const char *type) {
  if (strcmp(type, "Point") == 0) return "geometry-point-or-multipoint";
  if (strcmp(type, "LineString") == 0) return "geometry-linestring-or-multilinestring";
  if (strcmp(type, "Polygon") == 0) return "geometry-polygon-or-multipolygon";
  return "geometry-any";
}

json_t *features_queryables_json(const features_site *s, const layer_info *l) {
  json_t *props = json_object();
  json_object_set_new(props, "geometry",
                      json_pack("{s:s, s:s, s:s}", "title", "Geometría", "format",
                                geometry_format(l->geometry_type), "x-ogc-role",
                                "primary-geometry"));
  for (size_t i = 0; i < l->n_fields; i++) {
    json_t *p = json_pack("{s:s}", "title", l->fields[i].label);
    features_field_schema(p, l->fields[i].type);
    json_object_set_new(props, l->fields[i].name, p);
  }
  char id[512];
  snprintf(id, sizeof id, "%s/collections/%s/queryables", s->base_url, l->id);
  return json_pack("{s:s, s:s, s:s, s:s, s:o, s:b}", "$schema",
                   "https://json-schema.org/draft/2020-12/schema", "$id", id, "type", "object",
                   "title", l->title, "properties", props, "additionalProperties", 0);
}

err_code features_doc_queryables(const features_site *s, const layer_info *l, features_format f,
                                 buf *out, err *e) {
  if (f == FEATURES_HTML) return features_html_queryables(s, l, out, e);
  return features_json_dump(features_queryables_json(s, l), out, e);
}
