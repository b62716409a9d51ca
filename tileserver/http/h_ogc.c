/* h_ogc.c — the documents of OGC API - Features: landing page (JSON), /conformance, /api,
 * /collections, /collections/{id}, /collections/{id}/queryables; and the request helpers the
 * OGC handlers share. Each handler: negotiate the format, call one features/ function, send. */
#include <string.h>

#include "core/hash.h"
#include "core/output_id.h"
#include "http/h_ogc_int.h"

static const char SITE_TITLE[] = "teselas";
static const char SITE_DESCRIPTION[] =
    "Mapas, teselas y datos abiertos del municipio (OGC API - Features)";

const layer_info *h_ogc_layer(http_request *req, http_response *resp) {
  const layer_info *l = catalog_find(req->catalog, req->params[0].s, req->params[0].len);
  if (!l)
    http_error(resp, ERR_NOT_FOUND, "collectionId: no collection of that id (/collections lists them)");
  return l;
}

features_kv *h_ogc_args(http_request *req) {
  features_kv *kv = arena_calloc(req->arena, req->n_args + 1, sizeof *kv);
  for (size_t i = 0; kv && i < req->n_args; i++) {
    kv[i].key = req->args[i].key ? req->args[i].key : "";
    kv[i].value = req->args[i].value ? req->args[i].value : "";
  }
  return kv;
}

features_format h_ogc_negotiate(const http_request *req, bool items) {
  static const char *const TYPES[] = {"json", "text/html", "text/csv"};
  size_t n = items ? 3 : 2, first = http_accept_first(req, TYPES, n);
  if (first == 1) return FEATURES_HTML;
  if (first == 2 && n == 3) return FEATURES_CSV;
  return FEATURES_GEOJSON;
}

bool h_ogc_doc_format(http_request *req, http_response *resp, features_format *out) {
  *out = h_ogc_negotiate(req, false);
  const char *f = http_arg(req, "f");
  if (!f) return true;
  if (strcmp(f, "json") == 0) *out = FEATURES_GEOJSON;
  else if (strcmp(f, "html") == 0) *out = FEATURES_HTML;
  else {
    http_error(resp, ERR_INVALID, "f: unknown format (json, html)");
    return false;
  }
  return true;
}

features_site h_ogc_site(const http_request *req) {
  return (features_site){req->base_url, SITE_TITLE, SITE_DESCRIPTION};
}

void h_ogc_fail(http_response *resp, const err *e) {
  if (e->code == ERR_OK) { /* only an arena that failed before anything set e */
    http_error(resp, ERR_NOMEM, "out of memory");
    return;
  }
  http_error(resp, e->code, "%s", e->msg[0] ? e->msg : err_code_name(e->code));
}

void h_ogc_ok(http_request *req, http_response *resp, const char *content_type) {
  resp->status = 200;
  resp->content_type = content_type;
  resp->compressible = true;
  http_header_add(resp, "Cache-Control", req->config->cache_control);
  http_header_add(resp, "Vary", "Accept"); /* HTML, CSV or JSON by the Accept header */
}

static const char *doc_type(features_format f) {
  return f == FEATURES_HTML ? "text/html; charset=utf-8" : "application/json";
}

/* Weak, because an items page carries its own timeStamp: equal tags mean the same data and
 * links, not the same bytes (RFC 9110 §8.8.1). Each argument is hashed with its length, so no
 * two different queries run together into one text. */
const char *h_ogc_data_tag(http_request *req, const layer_info *l, int format) {
  uint64_t h = hash_fnv64_str(HASH_FNV64_SEED, TESELAS_OUTPUT_ID);
  const char *parts[] = {l->id, req->path, req->base_url};
  for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
    size_t n = strlen(parts[i]);
    h = hash_fnv64(hash_fnv64(h, &n, sizeof n), parts[i], n);
  }
  int64_t v = l->version;
  h = hash_fnv64(hash_fnv64(h, &v, sizeof v), &format, sizeof format);
  for (size_t i = 0; i < req->n_args; i++) {
    size_t k = strlen(req->args[i].key), n = strlen(req->args[i].value);
    h = hash_fnv64(hash_fnv64(h, &k, sizeof k), req->args[i].key, k);
    h = hash_fnv64(hash_fnv64(h, &n, sizeof n), req->args[i].value, n);
  }
  return arena_sprintf(req->arena, "W/\"f%lld-%016llx\"", (long long)v,
                       (unsigned long long)hash_mix64(h));
}

bool h_ogc_not_modified(http_request *req, http_response *resp, const char *tag) {
  if (!http_etag_named(req, tag)) return false;
  http_header_add(resp, "ETag", tag);
  http_header_add(resp, "Cache-Control", req->config->cache_control);
  http_header_add(resp, "Vary", "Accept"); /* as the 200 would (RFC 9110 §15.4.5) */
  http_not_modified(resp);
  return true;
}

void h_ogc_ok_tagged(http_request *req, http_response *resp, const char *content_type,
                     const char *tag) {
  h_ogc_ok(req, resp, content_type);
  if (tag) http_header_add(resp, "ETag", tag);
}

/* Called by h_landing when the client wants JSON (/req/core/root-success). */
void h_ogc_landing(http_request *req, http_response *resp) {
  features_site s = h_ogc_site(req);
  err e = {0};
  if (features_doc_landing(&s, req->catalog, FEATURES_GEOJSON, &resp->body, &e) != ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  h_ogc_ok(req, resp, "application/json");
}

void h_conformance(http_request *req, http_response *resp) {
  features_format f;
  if (!h_ogc_doc_format(req, resp, &f)) return;
  features_site s = h_ogc_site(req);
  err e = {0};
  if (features_doc_conformance(&s, f, &resp->body, &e) != ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  h_ogc_ok(req, resp, doc_type(f));
}

/* /api: the OpenAPI document; an HTML page of it with f=html (or for a browser). */
void h_api(http_request *req, http_response *resp) {
  features_format f;
  if (!h_ogc_doc_format(req, resp, &f)) return;
  features_site s = h_ogc_site(req);
  err e = {0};
  size_t n = 0;
  const features_api_route *routes = http_route_docs(req->arena, &n);
  if (!routes ||
      features_doc_openapi(&s, req->catalog, routes, n, f, &resp->body, &e) != ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  h_ogc_ok(req, resp, f == FEATURES_HTML ? doc_type(f)
                                         : "application/vnd.oai.openapi+json;version=3.0");
}

void h_collections(http_request *req, http_response *resp) {
  features_format f;
  if (!h_ogc_doc_format(req, resp, &f)) return;
  features_site s = h_ogc_site(req);
  err e = {0};
  if (features_doc_collections(&s, req->reader, req->catalog, f, &resp->body, &e) != ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  h_ogc_ok(req, resp, doc_type(f));
}

void h_collection(http_request *req, http_response *resp) {
  features_format f;
  const layer_info *l = h_ogc_layer(req, resp);
  if (!l || h_catalog_negotiated(req, resp, l) || !h_ogc_doc_format(req, resp, &f)) return;
  features_site s = h_ogc_site(req);
  err e = {0};
  if (features_doc_collection(&s, req->reader, l, f, &resp->body, &e) != ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  h_ogc_ok(req, resp, doc_type(f));
}

void h_queryables(http_request *req, http_response *resp) {
  features_format f;
  const layer_info *l = h_ogc_layer(req, resp);
  if (!l || !h_ogc_doc_format(req, resp, &f)) return;
  features_site s = h_ogc_site(req);
  err e = {0};
  if (features_doc_queryables(&s, l, f, &resp->body, &e) != ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  h_ogc_ok(req, resp, f == FEATURES_HTML ? doc_type(f) : "application/schema+json");
}
