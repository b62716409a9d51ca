/* h_usage.c — GET /admin/uso: views and downloads of each layer by day, week or month (by=),
 * from `since=YYYY-MM-DD`, as an HTML page, CSV or JSON (f= or Accept). catalog/usage.c writes
 * it from the counts the server keeps; this parses the request. Errors never repeat what the
 * client sent. */
#include <string.h>

#include "catalog/catalog.h"
#include "http/handlers.h"

static bool usage_params(http_request *req, http_response *resp, catalog_usage_req *q) {
  for (size_t i = 0; i < req->n_args; i++) {
    const char *k = req->args[i].key ? req->args[i].key : "";
    if (strcmp(k, "f") != 0 && strcmp(k, "by") != 0 && strcmp(k, "since") != 0) {
      http_error(resp, ERR_INVALID, "unknown parameter (this endpoint takes f, by and since)");
      return false;
    }
  }
  const char *by = http_arg(req, "by"), *since = http_arg(req, "since"), *f = http_arg(req, "f");
  q->by = STORE_USAGE_DAY;
  if (by && strcmp(by, "week") == 0) q->by = STORE_USAGE_WEEK;
  else if (by && strcmp(by, "month") == 0) q->by = STORE_USAGE_MONTH;
  else if (by && strcmp(by, "day") != 0) {
    http_error(resp, ERR_INVALID, "by: day, week or month");
    return false;
  }
  if (since && !catalog_usage_since_valid(since)) {
    http_error(resp, ERR_INVALID, "since: a date written YYYY-MM-DD");
    return false;
  }
  q->since = since;
  static const char *const NAMES[] = {"html", "csv", "json"};
  static const catalog_usage_format FORMATS[] = {CATALOG_USAGE_HTML, CATALOG_USAGE_CSV,
                                                 CATALOG_USAGE_JSON};
  static const char *const TYPES[] = {"text/html", "text/csv", "application/json"};
  size_t i = 0;
  if (f) {
    while (i < 3 && strcmp(f, NAMES[i]) != 0) i++;
    if (i == 3) {
      http_error(resp, ERR_INVALID, "f: html, csv or json");
      return false;
    }
  } else {
    i = http_accept_first(req, TYPES, 3);
    if (i == 3) i = 0; /* a page first: the governance group opens it in a browser */
  }
  q->format = FORMATS[i];
  return true;
}

void h_usage(http_request *req, http_response *resp) {
  catalog_usage_req q = {0};
  if (!usage_params(req, resp, &q)) return;
  err e = {0};
  if (catalog_usage_write(req->reader, req->catalog, &q, &resp->body, &e) != ERR_OK) {
    buf_reset(&resp->body);
    http_error(resp, e.code, "%s", e.msg);
    return;
  }
  resp->status = 200;
  resp->content_type = q.format == CATALOG_USAGE_CSV    ? "text/csv; charset=utf-8"
                       : q.format == CATALOG_USAGE_JSON ? "application/json"
                                                        : "text/html; charset=utf-8";
  resp->compressible = true;
  http_header_add(resp, "Cache-Control", "no-store");
  if (q.format == CATALOG_USAGE_HTML) {
    /* no script, style or image of its own: nothing else may load, as on the other pages */
    http_header_add(resp, "Content-Security-Policy",
                    "default-src 'none'; base-uri 'none'; form-action 'self'; "
                    "frame-ancestors 'self'");
    http_header_add(resp, "X-Content-Type-Options", "nosniff");
  }
}
