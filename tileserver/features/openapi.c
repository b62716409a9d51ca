/* openapi.c — the OpenAPI 3.0 document of /api (/req/oas30/oas-definition-1), derived from the
 * route table: each route's features_api_op (api_doc.h) says its summary, answers and parameters,
 * and the parameters the parsers share are the components below. Paths under /collections/{id}
 * are written once per collection, so each collection's fields appear as its PROP=VALUE
 * parameters (/req/core/fc-filters) — the way GDAL and the OGC test suite read it. A route added
 * to the table is in the document; this file changes only for a new shared parameter. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "features/api_doc.h"
#include "features/ogc_int.h"

static const char *const FORMATS_DOC[] = {"json", "html", NULL};
static const char *const FORMATS_ITEMS[] = {"json", "csv", "html", NULL};
static const char *const ONLY_CRS84[] = {FEATURES_CRS84, NULL};
static const char *const ONLY_CQL2_TEXT[] = {"cql2-text", NULL};

typedef struct component {
  const char *key; /* the name #/components/parameters/ knows it by */
  features_api_param p;
} component;

#define Q FEATURES_API_QUERY
/* The query parameters the parsers (params.c) take, shared by every route that takes them. */
static const component COMPONENTS[] = {
    {"f", {Q, "f", "Formato de la respuesta", {.type = "string", .enums = FORMATS_DOC}}},
    {"f-items", {Q, "f", "Formato: GeoJSON, CSV o HTML", {.type = "string", .enums = FORMATS_ITEMS}}},
    {"bbox", {Q, "bbox", "minx,miny,maxx,maxy en CRS84 (lon/lat); minx > maxx cruza el "
              "antimeridiano", {.type = "array", .min_items = 4, .max_items = 6, .items = "number"}}},
    {"bbox-crs", {Q, "bbox-crs", "CRS de bbox (solo CRS84)", {.type = "string", .enums = ONLY_CRS84}}},
    {"crs", {Q, "crs", "CRS de la respuesta (solo CRS84)", {.type = "string", .enums = ONLY_CRS84}}},
    {"limit", {Q, "limit", "Elementos por página (1 a 10000; más se recorta a 10000)",
               {.type = "integer", .has_minimum = true, .minimum = 1, .has_maximum = true,
                .maximum = FEATURES_LIMIT_MAX, .has_default = true,
                .dflt = FEATURES_LIMIT_DEFAULT}}},
    {"offset", {Q, "offset", "Elementos que se saltan",
                {.type = "integer", .has_minimum = true, .minimum = 0, .has_default = true, .dflt = 0}}},
    {"after", {Q, "after", "Paginación por cursor: los elementos con id mayor que este (lo usan "
               "los enlaces next)", {.type = "integer"}}},
    {"datetime", {Q, "datetime", "Instante o intervalo RFC 3339 sobre el campo de fecha (../fin, "
                  "inicio/..)", {.type = "string"}}},
    {"properties", {Q, "properties", "Propiedades a incluir, separadas por comas",
                    {.type = "array", .items = "string"}}},
    {"sortby", {Q, "sortby", "Orden: +campo o -campo, separados por comas",
                {.type = "array", .items = "string"}}},
    {"filter", {Q, "filter", "Filtro CQL2 (texto)", {.type = "string"}}},
    {"filter-lang", {Q, "filter-lang", "Lenguaje del filtro", {.type = "string", .enums = ONLY_CQL2_TEXT}}},
    {"filter-crs", {Q, "filter-crs", "CRS de las geometrías del filtro", {.type = "string", .enums = ONLY_CRS84}}},
    {"near", {Q, "near", "lon,lat: los más cercanos primero, con distance_m en metros",
              {.type = "array", .min_items = 2, .max_items = 2, .items = "number"}}},
    {"v", {Q, "v", "Versiones de las capas, que TileJSON pone en las URL de sus teselas para que "
           "una reimportación cambie la URL; no filtra", {.type = "string"}}},
    {"bom", {Q, "bom", "CSV con marca de orden de bytes (para Excel)", {.type = "boolean"}}},
};
#undef Q

static const features_api_param *component_find(const char *key) {
  for (size_t i = 0; i < sizeof COMPONENTS / sizeof *COMPONENTS; i++)
    if (strcmp(COMPONENTS[i].key, key) == 0) return &COMPONENTS[i].p;
  return NULL;
}

static json_t *schema_json(const features_api_schema *sc) {
  json_t *o = json_pack("{s:s}", "type", sc->type);
  if (sc->enums) {
    json_t *e = json_array();
    for (const char *const *v = sc->enums; *v; v++) json_array_append_new(e, json_string(*v));
    json_object_set_new(o, "enum", e);
  }
  if (sc->min_items) json_object_set_new(o, "minItems", json_integer(sc->min_items));
  if (sc->max_items) json_object_set_new(o, "maxItems", json_integer(sc->max_items));
  if (sc->items) json_object_set_new(o, "items", json_pack("{s:s}", "type", sc->items));
  if (sc->has_minimum) json_object_set_new(o, "minimum", json_integer(sc->minimum));
  if (sc->has_maximum) json_object_set_new(o, "maximum", json_integer(sc->maximum));
  if (sc->has_default) json_object_set_new(o, "default", json_integer(sc->dflt));
  return o;
}

/* A query parameter: optional, comma-separated values kept in one (explode: false). */
static json_t *qparam(const char *name, const char *desc, json_t *schema) {
  return json_pack("{s:s, s:s, s:s, s:b, s:o, s:b}", "name", name, "in", "query", "description",
                   desc, "required", 0, "schema", schema, "explode", 0);
}

static json_t *path_param(const char *name, const char *desc, json_t *schema) {
  return json_pack("{s:s, s:s, s:s, s:b, s:o}", "name", name, "in", "path", "description", desc,
                   "required", 1, "schema", schema);
}

static json_t *ref(const char *kind, const char *name) {
  char r[128];
  snprintf(r, sizeof r, "#/components/%s/%s", kind, name);
  return json_pack("{s:s}", "$ref", r);
}

static json_t *components_json(void) {
  json_t *p = json_object();
  for (size_t i = 0; i < sizeof COMPONENTS / sizeof *COMPONENTS; i++) {
    const features_api_param *c = &COMPONENTS[i].p;
    json_object_set_new(p, COMPONENTS[i].key,
                        qparam(c->name, c->description, schema_json(&c->schema)));
  }
  return p;
}

/* 200 in the op's media types (or the one of a variant), then the JSON errors. */
static json_t *responses(const features_api_op *op, const char *summary, const char *variant_mime) {
  json_t *content = json_object();
  const char *const one[] = {variant_mime, NULL};
  for (const char *const *m = variant_mime ? one : op->mimes; *m; m++)
    json_object_set_new(content, *m, json_pack("{s:{s:s}}", "schema", "type",
                                               strstr(*m, "json") ? "object" : "string"));
  json_t *r = json_pack("{s:{s:s, s:o}, s:o, s:o}", op->status ? op->status : "200", "description",
                        op->response ? op->response : summary, "content", content, "400",
                        ref("responses", "Error"), "500", ref("responses", "Error"));
  if (!op->no_404) json_object_set_new(r, "404", ref("responses", "Error"));
  /* the write API: who may call it, one write per layer at a time, a bounded queue */
  for (int i = 0; op->authorized && i < 4; i++)
    json_object_set_new(r, (const char *const[]){"401", "403", "409", "503"}[i],
                        ref("responses", "Error"));
  if (op->empty_204)
    json_object_set_new(r, "204", json_pack("{s:s}", "description", "Ningún elemento en la tesela"));
  return r;
}

/* The descriptor of the capture [name, name+len) in the op's list, or NULL. */
static const features_api_param *path_desc(const features_api_op *op, const char *name, size_t len) {
  for (const features_api_param *p = op->params; p && p->in != FEATURES_API_END; p++)
    if (p->in == FEATURES_API_PATH && strlen(p->name) == len && memcmp(p->name, name, len) == 0)
      return p;
  return NULL;
}

/* One required parameter per {capture} of path, in order: as described, or a string named by
 * itself. */
static void path_params(json_t *out, const features_api_op *op, const char *path) {
  for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
    const char *q = strchr(p, '}');
    if (!q) break;
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(q - p - 1), p + 1);
    const features_api_param *d = path_desc(op, p + 1, (size_t)(q - p - 1));
    json_array_append_new(out, d ? path_param(name, d->description, schema_json(&d->schema))
                                 : path_param(name, name, json_pack("{s:s}", "type", "string")));
  }
}

/* The PROP=VALUE parameter of a field. */
static json_t *field_param(const layer_field *f) {
  json_t *schema = json_object();
  features_field_schema(schema, f->type);
  return qparam(f->name, f->label, schema);
}

/* True when a query parameter of the op's own list (in place or a component) is called name:
 * the parser takes those first, so a field of that name cannot be a PROP=VALUE filter. */
static bool op_takes(const features_api_op *op, const char *name) {
  for (const features_api_param *p = op->params; p && p->in != FEATURES_API_END; p++) {
    const features_api_param *q = p->in == FEATURES_API_REF ? component_find(p->name) : p;
    if (q && (q->in == FEATURES_API_QUERY) && strcmp(q->name, name) == 0) return true;
  }
  return false;
}

/* PROP=VALUE on several layers at once (/tiles/{ids}): one parameter per field name published by
 * any layer. On several layers each must publish the field (h_tiles.c), so the description names
 * the layers that do; a name typed differently in two layers is documented as a string. */
static void all_field_params(json_t *out, const features_api_op *op, const catalog *c) {
  json_t *seen = json_object();
  for (size_t i = 0; i < c->n_layers; i++) {
    const layer_info *l = &c->layers[i];
    for (size_t k = 0; k < l->n_fields; k++) {
      const layer_field *f = &l->fields[k];
      if (op_takes(op, f->name) || json_object_get(seen, f->name)) continue;
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
      json_object_set_new(seen, f->name, json_true());
      json_array_append_new(out, qparam(f->name, desc, schema));
    }
  }
  json_decref(seen);
}

/* The parameters of op on path: the captures first, then the query parameters in list order. */
static json_t *op_params(const features_api_op *op, const char *path, const catalog *c,
                         const layer_info *l) {
  json_t *a = json_array();
  path_params(a, op, path);
  for (const features_api_param *p = op->params; p && p->in != FEATURES_API_END; p++) {
    switch (p->in) {
      case FEATURES_API_REF: json_array_append_new(a, ref("parameters", p->name)); break;
      case FEATURES_API_QUERY:
        json_array_append_new(a, qparam(p->name, p->description, schema_json(&p->schema)));
        break;
      case FEATURES_API_FIELDS:
        for (size_t i = 0; l && i < l->n_fields; i++)
          json_array_append_new(a, field_param(&l->fields[i]));
        break;
      case FEATURES_API_ALL_FIELDS: all_field_params(a, op, c); break;
      default: break; /* FEATURES_API_PATH: written by path_params */
    }
  }
  return a;
}

static const char COLLECTION[] = "/collections/{id}";

static bool per_collection(const char *pattern) {
  size_t n = sizeof COLLECTION - 1;
  return strncmp(pattern, COLLECTION, n) == 0 && (pattern[n] == '\0' || pattern[n] == '/');
}

/* The op's requestBody: one entry per media type, required. NULL when it takes none. */
static json_t *request_body(const features_api_op *op) {
  if (!op->body) return NULL;
  json_t *content = json_object();
  for (const features_api_body *b = op->body; b->mime; b++) {
    json_t *schema = json_loads(b->schema, 0, NULL);
    json_object_set_new(content, b->mime,
                        json_pack("{s:o}", "schema", schema ? schema : json_object()));
  }
  return json_pack("{s:s, s:b, s:o}", "description", op->body_doc ? op->body_doc : "",
                   "required", true, "content", content);
}

/* Writes one path: pattern with {id} replaced by l's id (when l), and its last capture by the
 * variant's value (when v). */
static void add_path(json_t *paths, const features_api_route *r, const catalog *c,
                     const layer_info *l, const features_api_variant *v) {
  const features_api_op *op = r->op;
  char path[512], opid[256];
  const char *rest = l ? r->pattern + sizeof COLLECTION - 1 : r->pattern;
  int n = snprintf(path, sizeof path, "%s%s", l ? "/collections/" : "", l ? l->id : "");
  const char *cut = v ? strrchr(rest, '{') : NULL;
  if (cut) snprintf(path + n, sizeof path - (size_t)n, "%.*s%s", (int)(cut - rest), rest, v->value);
  else snprintf(path + n, sizeof path - (size_t)n, "%s", rest);
  snprintf(opid, sizeof opid, "%s%s%s%s%s", op->op_id, v ? "_" : "", v ? v->value : "",
           l ? "_" : "", l ? l->id : "");
  const char *summary = op->summary ? op->summary : l ? l->title : "";
  json_t *item = json_object_get(paths, path); /* a path may have several methods */
  if (!item) json_object_set_new(paths, path, item = json_object());
  json_t *o = json_pack("{s:s, s:s, s:o, s:o}", "operationId", opid, "summary", summary,
                        "parameters", op_params(op, path, c, l), "responses",
                        responses(op, summary, v ? v->mime : NULL));
  json_t *body = request_body(op);
  if (o && body) json_object_set_new(o, "requestBody", body);
  else json_decref(body);
  /* who may call it: an API token, or the session of the pages (a write then carries its CSRF
   * token, the csrf field or X-CSRF-Token) */
  if (o && op->authorized)
    json_object_set_new(o, "security", json_pack("[{s:[]}, {s:[]}]", "token", "session"));
  json_object_set_new(item, op->method ? op->method : "get", o);
}

static void add_route(json_t *paths, const features_api_route *r, const catalog *c,
                      const layer_info *l) {
  if (!r->op->variants) {
    add_path(paths, r, c, l, NULL);
    return;
  }
  for (const features_api_variant *v = r->op->variants; v->value; v++) add_path(paths, r, c, l, v);
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
    const char *method;
    json_t *get;
    json_object_foreach(item, method, get) {
    buf_puts(out, "<section>\n<h2><code>");
    for (const char *m = method; *m; m++) buf_putc(out, (char)(*m - 'a' + 'A'));
    buf_putc(out, ' ');
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
  }
  json_decref(doc);
  features_html_end(out);
  return out->failed ? err_set(e, ERR_LIMIT, "document too large") : ERR_OK;
}

err_code features_doc_openapi(const features_site *s, const catalog *c,
                              const features_api_route *routes, size_t n_routes,
                              features_format f, buf *out, err *e) {
  json_t *paths = json_object();
  for (size_t i = 0; i < n_routes; i++)
    if (!per_collection(routes[i].pattern)) add_route(paths, &routes[i], c, NULL);
  for (size_t k = 0; k < c->n_layers; k++)
    for (size_t i = 0; i < n_routes; i++)
      if (per_collection(routes[i].pattern)) add_route(paths, &routes[i], c, &c->layers[k]);
  json_t *components = json_pack(
      "{s:o, s:{s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s}}, s:{s:{s:s, s:{s:{s:o}}}}}", "parameters",
      components_json(), "securitySchemes", "token", "type", "http", "scheme", "bearer",
      "session", "type", "apiKey", "in", "cookie", "name", "teselas_sesion",
      "description", "Sesión de /admin/entrar", "responses", "Error",
      "description", "Error: {code, description}", "content", "application/json", "schema",
      json_pack("{s:s, s:[s,s], s:{s:{s:s}, s:{s:s}}}", "type", "object", "required", "code",
                "description", "properties", "code", "type", "string", "description", "type",
                "string"));
  json_t *doc = json_pack("{s:s, s:{s:s, s:s, s:s, s:{s:s, s:s}}, s:[{s:s}], s:o, s:o}",
                          "openapi", "3.0.3", "info", "title", s->title, "description",
                          s->description, "version", TESELAS_VERSION, "license", "name", "MIT",
                          "url", "https://opensource.org/licenses/MIT", "servers", "url",
                          s->base_url, "paths", paths, "components", components);
  if (!doc) return err_set(e, ERR_NOMEM, "out of memory building the API definition");
  return f == FEATURES_HTML ? openapi_html(s, doc, out, e) : features_json_dump(doc, out, e);
}
