/* h_catalog.c — the catalogue for other catalogues: GET /catalog.jsonld and /catalog.ttl (DCAT-AP
 * 3, also negotiated on / and /collections/{id} with Accept: application/ld+json or text/turtle),
 * GET /collections/{id}/dictionary (the data dictionary) and GET /api/3/action/{action} (CKAN's
 * read API). The documents come from catalog/; here only parameters, statuses and types. */
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "http/h_ogc_int.h"

static catalog_site site(const http_request *req) {
  features_site f = h_ogc_site(req);
  return (catalog_site){req->base_url, f.title, f.description};
}

/* A decimal integer in [lo, hi], or def when the argument is absent; false when malformed. */
static bool int_arg(const http_request *req, const char *key, int64_t lo, int64_t hi, int64_t def,
                    int64_t *out) {
  const char *v = http_arg(req, key);
  if (!v) {
    *out = def;
    return true;
  }
  if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 10) return false;
  *out = strtoll(v, NULL, 10);
  return *out >= lo && *out <= hi;
}

static const char *rdf_type_of(catalog_syntax s) {
  return s == CATALOG_TURTLE ? "text/turtle; charset=utf-8" : "application/ld+json";
}

static void send_dcat(http_request *req, http_response *resp, catalog_syntax syn,
                      const layer_info *only) {
  catalog_dcat_req q = {.syntax = syn, .only = only};
  if (!only && (!int_arg(req, "page", 1, 1000000, 1, &q.page) ||
                !int_arg(req, "page_size", 1, CATALOG_PAGE_SIZE_MAX, CATALOG_PAGE_SIZE,
                         &q.page_size))) {
    http_error(resp, ERR_INVALID, "page must be a whole number from 1, page_size from 1 to %d",
               CATALOG_PAGE_SIZE_MAX);
    return;
  }
  catalog_site s = site(req);
  err e = {0};
  if (catalog_dcat_write(&s, req->reader, req->catalog, &q, req->arena, &resp->body, &e) !=
      ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  h_ogc_ok(req, resp, rdf_type_of(syn));
}

void h_catalog_jsonld(http_request *req, http_response *resp) {
  send_dcat(req, resp, CATALOG_JSONLD, NULL);
}

void h_catalog_ttl(http_request *req, http_response *resp) {
  send_dcat(req, resp, CATALOG_TURTLE, NULL);
}

bool h_catalog_negotiated(http_request *req, http_response *resp, const layer_info *only) {
  static const char *const TYPES[] = {"application/ld+json", "text/turtle", "application/json",
                                      "text/html"};
  if (http_arg(req, "f")) return false;
  size_t i = http_accept_first(req, TYPES, 4);
  if (i > 1) return false;
  send_dcat(req, resp, i == 1 ? CATALOG_TURTLE : CATALOG_JSONLD, only);
  return true;
}

void h_dictionary(http_request *req, http_response *resp) {
  static const char *const TYPES[] = {"text/csv", "text/html", "application/json"};
  const layer_info *l = h_ogc_layer(req, resp);
  if (!l) return;
  const char *f = http_arg(req, "f");
  catalog_dict_format fmt;
  if (f && strcmp(f, "json") == 0) fmt = CATALOG_DICT_JSON;
  else if (f && strcmp(f, "csv") == 0) fmt = CATALOG_DICT_CSV;
  else if (f && strcmp(f, "html") == 0) fmt = CATALOG_DICT_HTML;
  else if (f) {
    http_error(resp, ERR_INVALID, "f must be json, csv or html");
    return;
  } else {
    size_t i = http_accept_first(req, TYPES, 3);
    fmt = i == 0 ? CATALOG_DICT_CSV : i == 1 ? CATALOG_DICT_HTML : CATALOG_DICT_JSON;
  }
  catalog_site s = site(req);
  err e = {0};
  if (catalog_dictionary_write(&s, req->reader, l, fmt, &resp->body, &e) != ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  h_ogc_ok(req, resp, fmt == CATALOG_DICT_CSV    ? "text/csv; charset=utf-8"
                      : fmt == CATALOG_DICT_HTML ? "text/html; charset=utf-8"
                                                 : "application/json");
}

/* CKAN answers a bad parameter with 409 and {"success": false, "error": {"__type":
 * "Validation Error"}} (ckan/views/api.py); an unknown id or action with 404/400. */
static void ckan_fail(http_request *req, http_response *resp, int status, const char *action,
                      const char *type, const char *msg) {
  catalog_site s = site(req);
  buf_reset(&resp->body);
  catalog_ckan_error(&s, action, type, msg, &resp->body);
  resp->status = status;
  resp->content_type = "application/json;charset=utf-8";
}

static bool ckan_parse(http_request *req, http_response *resp, const char *action,
                       catalog_ckan_req *q) {
  static const char *const NAMES[] = {"package_list", "package_show", "package_search",
                                      "organization_list"};
  size_t i = 0;
  while (i < 4 && strcmp(NAMES[i], action) != 0) i++;
  if (i == 4) {
    ckan_fail(req, resp, 400, action, "Bad Request", "Bad request - Action name not known");
    return false;
  }
  q->action = (catalog_ckan_action)i;
  const char *id = http_arg(req, "id"), *text = http_arg(req, "q");
  q->id = id ? id : "";
  q->q = text ? text : "";
  if (!int_arg(req, "rows", 0, 1000, 10, &q->rows) ||
      !int_arg(req, "start", 0, 100000000, 0, &q->start)) {
    ckan_fail(req, resp, 409, action, "Validation Error",
              "rows must be a whole number from 0 to 1000, start a whole number from 0");
    return false;
  }
  if (q->action == CATALOG_CKAN_PACKAGE_SHOW && !q->id[0]) {
    ckan_fail(req, resp, 409, action, "Validation Error", "Missing value: id");
    return false;
  }
  return true;
}

void h_ckan_action(http_request *req, http_response *resp) {
  const char *action = arena_strndup(req->arena, req->params[0].s, req->params[0].len);
  catalog_ckan_req q = {0};
  if (!action) {
    http_error(resp, ERR_NOMEM, "out of memory");
    return;
  }
  if (!ckan_parse(req, resp, action, &q)) return;
  catalog_site s = site(req);
  err e = {0};
  err_code rc = catalog_ckan_write(&s, req->catalog, &q, &resp->body, &e);
  if (rc == ERR_NOT_FOUND)
    ckan_fail(req, resp, 404, action, "Not Found Error", e.msg);
  else if (rc != ERR_OK)
    h_ogc_fail(resp, &e);
  else
    h_ogc_ok(req, resp, "application/json;charset=utf-8");
}
