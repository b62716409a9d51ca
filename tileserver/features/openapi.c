/* openapi.c — the OpenAPI 3.0 document of /api (/req/oas30/oas-definition-1): every endpoint of
 * the route table and every parameter the parsers accept, with one path per collection so each
 * collection's fields appear as its PROP=VALUE parameters (/req/core/fc-filters) — the way GDAL
 * and the OGC test suite read it. When a route or a parameter is added, this file changes too;
 * tests/http/test_features_core.sh checks the two agree. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "features/ogc_int.h"

static json_t *ref(const char *kind, const char *name) {
  char r[128];
  snprintf(r, sizeof r, "#/components/%s/%s", kind, name);
  return json_pack("{s:s}", "$ref", r);
}

static json_t *qparam(const char *name, const char *desc, json_t *schema) {
  return json_pack("{s:s, s:s, s:s, s:b, s:o, s:b}", "name", name, "in", "query", "description",
                   desc, "required", 0, "schema", schema, "explode", 0);
}

static json_t *enum_schema(const char *a, const char *b, const char *c) {
  json_t *e = json_array();
  json_array_append_new(e, json_string(a));
  if (b) json_array_append_new(e, json_string(b));
  if (c) json_array_append_new(e, json_string(c));
  return json_pack("{s:s, s:o}", "type", "string", "enum", e);
}

static json_t *parameters(void) {
  json_t *p = json_object();
  json_object_set_new(p, "f", qparam("f", "Formato de la respuesta", enum_schema("json", "html", NULL)));
  json_object_set_new(p, "f-items", qparam("f", "Formato: GeoJSON, CSV o HTML",
                                           enum_schema("json", "csv", "html")));
  json_object_set_new(p, "bbox", qparam("bbox", "minx,miny,maxx,maxy en CRS84 (lon/lat); minx > "
                                        "maxx cruza el antimeridiano",
                                        json_pack("{s:s, s:i, s:i, s:{s:s}}", "type", "array",
                                                  "minItems", 4, "maxItems", 6, "items", "type",
                                                  "number")));
  json_object_set_new(p, "bbox-crs", qparam("bbox-crs", "CRS de bbox (solo CRS84)",
                                            enum_schema(FEATURES_CRS84, NULL, NULL)));
  json_object_set_new(p, "crs", qparam("crs", "CRS de la respuesta (solo CRS84)",
                                       enum_schema(FEATURES_CRS84, NULL, NULL)));
  json_object_set_new(p, "limit", qparam("limit", "Elementos por página (1 a 10000; más se "
                                         "recorta a 10000)",
                                         json_pack("{s:s, s:i, s:i, s:i}", "type", "integer",
                                                   "minimum", 1, "maximum", FEATURES_LIMIT_MAX,
                                                   "default", FEATURES_LIMIT_DEFAULT)));
  json_object_set_new(p, "offset", qparam("offset", "Elementos que se saltan",
                                          json_pack("{s:s, s:i, s:i}", "type", "integer",
                                                    "minimum", 0, "default", 0)));
  json_object_set_new(p, "after", qparam("after", "Paginación por cursor: los elementos con id "
                                         "mayor que este (lo usan los enlaces next)",
                                         json_pack("{s:s}", "type", "integer")));
  json_object_set_new(p, "datetime", qparam("datetime", "Instante o intervalo RFC 3339 sobre el "
                                            "campo de fecha (../fin, inicio/..)",
                                            json_pack("{s:s}", "type", "string")));
  json_object_set_new(p, "properties", qparam("properties", "Propiedades a incluir, separadas "
                                              "por comas",
                                              json_pack("{s:s, s:{s:s}}", "type", "array",
                                                        "items", "type", "string")));
  json_object_set_new(p, "sortby", qparam("sortby", "Orden: +campo o -campo, separados por comas",
                                          json_pack("{s:s, s:{s:s}}", "type", "array", "items",
                                                    "type", "string")));
  json_object_set_new(p, "filter", qparam("filter", "Filtro CQL2 (texto)",
                                          json_pack("{s:s}", "type", "string")));
  json_object_set_new(p, "filter-lang", qparam("filter-lang", "Lenguaje del filtro",
                                               enum_schema("cql2-text", NULL, NULL)));
  json_object_set_new(p, "filter-crs", qparam("filter-crs", "CRS de las geometrías del filtro",
                                              enum_schema(FEATURES_CRS84, NULL, NULL)));
  json_object_set_new(p, "near", qparam("near", "lon,lat: los más cercanos primero, con "
                                        "distance_m en metros",
                                        json_pack("{s:s, s:i, s:i, s:{s:s}}", "type", "array",
                                                  "minItems", 2, "maxItems", 2, "items", "type",
                                                  "number")));
  json_object_set_new(p, "v", qparam("v", "Versiones de las capas, que TileJSON pone en las URL "
                                     "de sus teselas para que una reimportación cambie la URL; "
                                     "no filtra",
                                     json_pack("{s:s}", "type", "string")));
  json_object_set_new(p, "bom", qparam("bom", "CSV con marca de orden de bytes (para Excel)",
                                       json_pack("{s:s}", "type", "boolean")));
  return p;
}

static json_t *response(const char *desc, const char *mime, json_t *schema) {
  return json_pack("{s:s, s:{s:{s:o}}}", "description", desc, "content", mime, "schema",
                   schema ? schema : json_pack("{s:s}", "type", "object"));
}

/* 200 in the given media types, and the JSON errors. */
static json_t *responses(const char *desc, const char *const *mimes, size_t n, bool may_404) {
  json_t *content = json_object();
  for (size_t i = 0; i < n; i++)
    json_object_set_new(content, mimes[i],
                        json_pack("{s:{s:s}}", "schema", "type",
                                  strstr(mimes[i], "json") ? "object" : "string"));
  json_t *r = json_pack("{s:{s:s, s:o}, s:o, s:o}", "200", "description", desc, "content",
                        content, "400", ref("responses", "Error"), "500",
                        ref("responses", "Error"));
  if (may_404) json_object_set_new(r, "404", ref("responses", "Error"));
  return r;
}

static json_t *op(const char *id, const char *summary, json_t *params, json_t *resp) {
  return json_pack("{s:{s:s, s:s, s:o, s:o}}", "get", "operationId", id, "summary", summary,
                   "parameters", params ? params : json_array(), "responses", resp);
}

/* Appends the elements of b to a and releases b. */
static void extend(json_t *a, json_t *b) {
  json_array_extend(a, b);
  json_decref(b);
}

static json_t *refs(const char *const *names) {
  json_t *a = json_array();
  for (; *names; names++) json_array_append_new(a, ref("parameters", *names));
  return a;
}

static json_t *path_param(const char *name, const char *desc) {
  return json_pack("{s:s, s:s, s:s, s:b, s:{s:s}}", "name", name, "in", "path", "description",
                   desc, "required", 1, "schema", "type", "string");
}

static const char *const JSON_HTML[] = {"application/json", "text/html"};
static const char *const ITEMS_MIME[] = {"application/geo+json", "text/csv", "text/html"};

static void add(json_t *paths, const char *fmt, const char *id, json_t *item) {
  char p[256];
  snprintf(p, sizeof p, fmt, id);
  json_object_set_new(paths, p, item);
}

/* What a vector tile (and its TileJSON) accepts besides PROP=VALUE: FEATURES_USE_TILE in
 * params.c. The same components as the items, so the two cannot drift apart in the document. */
static const char *const TILE_FILTERS[] = {"datetime", "filter", "filter-lang", "filter-crs", "v",
                                           NULL};

/* A tile's answers: the tile, or 204 when no feature reaches it (MVT has no empty document). */
static json_t *tile_responses(void) {
  json_t *r = responses("MVT", (const char *const[]){"application/vnd.mapbox-vector-tile"}, 1,
                        true);
  json_object_set_new(r, "204", json_pack("{s:s}", "description", "Ningún elemento en la tesela"));
  return r;
}

static json_t *int_path_param(const char *name, const char *desc) {
  return json_pack("{s:s, s:s, s:s, s:b, s:{s:s, s:i}}", "name", name, "in", "path",
                   "description", desc, "required", 1, "schema", "type", "integer", "minimum", 0);
}

static void collection_paths(json_t *paths, const layer_info *l) {
  static const char *const ITEMS[] = {"bbox", "bbox-crs", "limit", "offset", "after", "datetime",
                                      "properties", "sortby", "filter", "filter-lang",
                                      "filter-crs", "crs", "near", "bom", "f-items", NULL};
  static const char *const DL[] = {"bbox", "bbox-crs", "datetime", "properties", "filter",
                                   "filter-lang", "filter-crs", "crs", NULL};
  static const char *const AGG[] = {"bbox", "bbox-crs", "datetime", "filter", "filter-lang",
                                    "filter-crs", NULL};
  const char *id = l->id;
  char opid[160];
  json_t *items = refs(ITEMS), *dl = refs(DL), *agg = refs(AGG);
  json_t *tp = json_pack("[o, o, o]", int_path_param("z", "zoom (tileMatrix)"),
                         int_path_param("y", "fila (tileRow)"),
                         int_path_param("x", "columna (tileCol)"));
  extend(tp, refs(TILE_FILTERS));
  for (size_t i = 0; i < l->n_fields; i++) {
    json_t *schema = json_object();
    features_field_schema(schema, l->fields[i].type);
    json_t *p = qparam(l->fields[i].name, l->fields[i].label, schema);
    json_array_append(items, p);
    json_array_append(dl, p);
    json_array_append(tp, p);
    json_array_append_new(agg, p);
  }
  json_array_append_new(agg, qparam("by", "Agrupar por un campo o por mes (month)",
                                    json_pack("{s:s}", "type", "string")));
  snprintf(opid, sizeof opid, "describeCollection_%s", id);
  add(paths, "/collections/%s", id, op(opid, l->title, refs((const char *const[]){"f", NULL}),
                                       responses("La colección", JSON_HTML, 2, true)));
  snprintf(opid, sizeof opid, "getFeatures_%s", id);
  add(paths, "/collections/%s/items", id,
      op(opid, l->title, items,
         responses("Elementos. numberMatched se omite cuando pasa de 1000 (contar cada "
                   "coincidencia en cada página costaría más que la página); el enlace next es "
                   "exacto siempre. Con bbox y sin sortby, near ni after, el orden es el del "
                   "índice espacial",
                   ITEMS_MIME, 3, true)));
  json_t *fp = json_pack("[o, o]", path_param("featureId", "id del elemento"),
                         json_pack("{s:s}", "$ref", "#/components/parameters/f"));
  snprintf(opid, sizeof opid, "getFeature_%s", id);
  add(paths, "/collections/%s/items/{featureId}", id,
      op(opid, l->title, fp,
         responses("Un elemento", (const char *const[]){"application/geo+json", "text/html"}, 2,
                   true)));
  snprintf(opid, sizeof opid, "getQueryables_%s", id);
  add(paths, "/collections/%s/queryables", id,
      op(opid, "Propiedades consultables", refs((const char *const[]){"f", NULL}),
         responses("JSON Schema", (const char *const[]){"application/schema+json", "text/html"},
                   2, true)));
  snprintf(opid, sizeof opid, "aggregate_%s", id);
  add(paths, "/collections/%s/aggregate", id,
      op(opid, "Conteos por grupo", agg, responses("Conteos", JSON_HTML, 1, true)));
  snprintf(opid, sizeof opid, "getQuality_%s", id);
  add(paths, "/collections/%s/quality", id,
      op(opid, "Informe de calidad de la última importación",
         refs((const char *const[]){"f", NULL}), responses("El informe", JSON_HTML, 2, true)));
  static const char *const EXT[] = {"geojson", "csv", "gpkg"};
  static const char *const MIME[] = {"application/geo+json", "text/csv",
                                     "application/geopackage+sqlite3"};
  for (int i = 0; i < 3; i++) {
    char pth[200];
    snprintf(pth, sizeof pth, "/collections/%%s/download.%s", EXT[i]);
    snprintf(opid, sizeof opid, "download_%s_%s", EXT[i], id);
    add(paths, pth, id, op(opid, "Descarga completa", json_deep_copy(dl),
                           responses("El archivo", &MIME[i], 1, true)));
  }
  json_decref(dl);
  snprintf(opid, sizeof opid, "getTileSets_%s", id);
  add(paths, "/collections/%s/tiles", id,
      op(opid, "Conjuntos de teselas", NULL, responses("Teselas", JSON_HTML, 1, true)));
  snprintf(opid, sizeof opid, "getTileSet_%s", id);
  add(paths, "/collections/%s/tiles/WebMercatorQuad", id,
      op(opid, "Teselas WebMercatorQuad", NULL, responses("TileSet", JSON_HTML, 1, true)));
  snprintf(opid, sizeof opid, "getTile_%s", id);
  add(paths, "/collections/%s/tiles/WebMercatorQuad/{z}/{y}/{x}", id,
      op(opid, "Una tesela vectorial", tp, tile_responses()));
}

/* PROP=VALUE on /tiles/{ids}: one parameter per field name published by any layer. On several
 * layers each must publish the field (h_tiles.c), so the description names the layers that do;
 * a name typed differently in two layers is documented as a string. Names that the parser takes
 * as its own parameters (params.c looks those up first) are left out. */
static json_t *tile_field_params(const catalog *c) {
  json_t *out = json_array(), *by_name = json_object();
  for (size_t i = 0; i < c->n_layers; i++) {
    const layer_info *l = &c->layers[i];
    for (size_t k = 0; k < l->n_fields; k++) {
      const layer_field *f = &l->fields[k];
      bool reserved = false;
      for (const char *const *r = TILE_FILTERS; *r; r++) reserved |= strcmp(*r, f->name) == 0;
      if (reserved || json_object_get(by_name, f->name)) continue;
      json_t *schema = json_object();
      features_field_schema(schema, f->type);
      char desc[512];
      int n = snprintf(desc, sizeof desc, "Solo los elementos cuyo campo %s es este valor (con "
                       "varias capas, todas deben publicarlo). Lo publican:", f->name);
      for (size_t j = i; j < c->n_layers; j++) {
        const layer_field *g = layer_find_field(&c->layers[j], f->name);
        if (!g) continue;
        if (g->type != f->type) {
          json_object_set_new(schema, "type", json_string("string"));
          json_object_del(schema, "format");
        }
        if (n > 0 && (size_t)n < sizeof desc)
          n += snprintf(desc + n, sizeof desc - (size_t)n, " %s", c->layers[j].id);
      }
      json_t *p = qparam(f->name, desc, schema);
      json_object_set(by_name, f->name, p);
      json_array_append_new(out, p);
    }
  }
  json_decref(by_name);
  return out;
}

/* /tiles/{ids}/{z}/{x}/{y}.pbf and .mvt, and the TileJSON: the filters of h_tiles.c. */
static void tile_paths(json_t *paths, const catalog *c) {
  static const char *const TILE[] = {"/tiles/{ids}/{z}/{x}/{y}.pbf", "/tiles/{ids}/{z}/{x}/{y}.mvt"};
  static const char *const TILE_OP[] = {"getTile", "getTileMvt"};
  static const char *const TILE_SUMMARY[] = {
      "Tesela vectorial (MVT) de una o varias capas, filtrada como sus elementos",
      "Tesela vectorial (MVT), otro nombre"};
  json_t *filters = refs(TILE_FILTERS);
  extend(filters, tile_field_params(c));
  json_t *ids = path_param("ids", "Una capa, o varias separadas por comas (una capa del MVT "
                                  "cada una)");
  for (int i = 0; i < 2; i++) {
    json_t *p = json_pack("[O, o, o, o]", ids, int_path_param("z", "zoom"),
                          int_path_param("x", "columna"), int_path_param("y", "fila"));
    json_array_extend(p, filters);
    json_object_set_new(paths, TILE[i], op(TILE_OP[i], TILE_SUMMARY[i], p, tile_responses()));
  }
  json_t *p = json_pack("[o]", ids);
  extend(p, filters);
  json_object_set_new(paths, "/tiles/{ids}.json",
                      op("getTileJSON", "TileJSON 3.0.0; sus URL de teselas llevan el filtro", p,
                         responses("TileJSON 3.0.0", (const char *const[]){"application/json"},
                                   1, true)));
}

/* The endpoints outside OGC API - Features without query parameters of their own, from the route
 * table: maps, styles, fonts (tiles: tile_paths). */
typedef struct simple_path {
  const char *path, *op, *summary, *mime;
} simple_path;

static const simple_path OTHER[] = {
    {"/health", "getHealth", "Estado del servicio", "application/json"},
    {"/metrics", "getMetrics", "Métricas (Prometheus)", "text/plain"},
    {"/maps/{style}", "getMap", "Mapa interactivo", "text/html"},
    {"/embed/{style}", "getEmbed", "Mapa para insertar con <iframe>", "text/html"},
    {"/assets/{build}/{name}", "getAsset", "Archivos de las páginas", "application/octet-stream"},
    {"/styles", "getStyles", "Estilos de mapa", "application/json"},
    {"/styles/{style}/style.json", "getStyle", "Estilo MapLibre", "application/json"},
    {"/styles/{style}/static/{view}/{size}.png", "getStaticMap",
     "Imagen estática: view = lon,lat,zoom; size = WxH", "image/png"},
    {"/styles/{style}/{z}/{x}/{y}.png", "getRasterTile", "Tesela PNG (y@2x para pantallas densas)",
     "image/png"},
    {"/fonts/{fontstack}/{range}.pbf", "getGlyphs", "Glifos de las fuentes",
     "application/x-protobuf"},
};

/* One required path parameter per {name} in path. */
static json_t *path_params(const char *path) {
  json_t *a = json_array();
  for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
    const char *q = strchr(p, '}');
    if (!q) break;
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(q - p - 1), p + 1);
    json_array_append_new(a, path_param(name, name));
  }
  return a;
}

static void common_paths(json_t *paths) {
  json_object_set_new(paths, "/", op("getLandingPage", "Página de inicio",
                                      refs((const char *const[]){"f", NULL}),
                                      responses("Página de inicio", JSON_HTML, 2, false)));
  json_object_set_new(paths, "/conformance",
                      op("getConformanceDeclaration", "Clases de conformidad",
                         refs((const char *const[]){"f", NULL}),
                         responses("Conformidad", JSON_HTML, 2, false)));
  json_object_set_new(paths, "/api", op("getAPIDefinition", "Esta definición", NULL,
                                         responses("OpenAPI 3.0",
                                                   (const char *const[]){
                                                       "application/vnd.oai.openapi+json;version=3.0"},
                                                   1, false)));
  json_object_set_new(paths, "/collections",
                      op("getCollections", "Colecciones", refs((const char *const[]){"f", NULL}),
                         responses("Colecciones", JSON_HTML, 2, false)));
  for (size_t i = 0; i < sizeof OTHER / sizeof *OTHER; i++) {
    const simple_path *o = &OTHER[i];
    json_object_set_new(paths, o->path, op(o->op, o->summary, path_params(o->path),
                                           responses(o->summary, &o->mime, 1, true)));
  }
}

/* The same document as an HTML page (service-doc): each path with its summary and parameters. */
static err_code openapi_html(const features_site *s, json_t *doc, buf *out, err *e) {
  features_html_begin(out, "Documentación de la API", s->base_url);
  buf_printf(out, "<p>Definición completa: <a href=\"%s/api\">OpenAPI 3.0 (JSON)</a>.</p>\n",
             s->base_url);
  json_t *params = json_object_get(json_object_get(doc, "components"), "parameters");
  const char *path;
  json_t *item;
  json_object_foreach(json_object_get(doc, "paths"), path, item) {
    json_t *get = json_object_get(item, "get");
    buf_puts(out, "<section>\n<h2><code>GET ");
    buf_html_escape(out, path, strlen(path));
    buf_puts(out, "</code></h2>\n<p>");
    const char *summary = json_string_value(json_object_get(get, "summary"));
    if (summary) buf_html_escape(out, summary, strlen(summary));
    buf_puts(out, "</p>\n<ul>\n");
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(get, "parameters"), i, p) {
      const char *ref = json_string_value(json_object_get(p, "$ref"));
      if (ref && strrchr(ref, '/')) p = json_object_get(params, strrchr(ref, '/') + 1);
      const char *name = json_string_value(json_object_get(p, "name"));
      const char *desc = json_string_value(json_object_get(p, "description"));
      buf_puts(out, "<li><code>");
      if (name) buf_html_escape(out, name, strlen(name));
      buf_puts(out, "</code>: ");
      if (desc) buf_html_escape(out, desc, strlen(desc));
      buf_puts(out, "</li>\n");
    }
    buf_puts(out, "</ul>\n</section>\n");
  }
  json_decref(doc);
  features_html_end(out);
  return out->failed ? err_set(e, ERR_LIMIT, "document too large") : ERR_OK;
}

err_code features_doc_openapi(const features_site *s, const catalog *c, features_format f,
                              buf *out, err *e) {
  json_t *paths = json_object();
  common_paths(paths);
  tile_paths(paths, c);
  for (size_t i = 0; i < c->n_layers; i++) collection_paths(paths, &c->layers[i]);
  json_t *components = json_pack(
      "{s:o, s:{s:o}}", "parameters", parameters(), "responses", "Error",
      response("Error: {code, description}", "application/json",
               json_pack("{s:s, s:[s,s], s:{s:{s:s}, s:{s:s}}}", "type", "object", "required",
                         "code", "description", "properties", "code", "type", "string",
                         "description", "type", "string")));
  json_t *doc = json_pack("{s:s, s:{s:s, s:s, s:s, s:{s:s, s:s}}, s:[{s:s}], s:o, s:o}",
                          "openapi", "3.0.3", "info", "title", s->title, "description",
                          s->description, "version", TESELAS_VERSION, "license", "name", "MIT",
                          "url", "https://opensource.org/licenses/MIT", "servers", "url",
                          s->base_url, "paths", paths, "components", components);
  if (!doc) return err_set(e, ERR_NOMEM, "out of memory building the API definition");
  return f == FEATURES_HTML ? openapi_html(s, doc, out, e) : features_json_dump(doc, out, e);
}
