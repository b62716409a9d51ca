/* h_versions.c — GET /api/layers/{id}/versions (a layer's history) and GET
 * /api/layers/{id}/diff?from=V&to=W[&offset=K&limit=N] (what changed, one bounded page of changes
 * at a time). The documents come from versions/doc.c; an unknown layer or version is a 404, a
 * malformed or out-of-order from/to a 400. */
#include <stdlib.h>
#include <string.h>

#include "http/handlers.h"
#include "versions/versions.h"

/* The {id} capture as a string in the request's arena. */
static const char *layer_param(http_request *req) {
  return arena_strndup(req->arena, req->params[0].s, req->params[0].len);
}

static void send_doc(http_response *resp, err_code rc, char *doc, const err *e) {
  if (rc != ERR_OK) {
    http_error(resp, rc, "%s", e->msg);
    return;
  }
  buf_puts(&resp->body, doc);
  free(doc);
  resp->status = 200;
  resp->content_type = "application/json";
  resp->compressible = true;
  http_header_add(resp, "Cache-Control", "no-cache");
}

void h_layer_versions(http_request *req, http_response *resp) {
  const char *id = layer_param(req);
  if (!id) {
    http_error(resp, ERR_NOMEM, "out of memory");
    return;
  }
  err e = {0};
  char *doc = NULL;
  err_code rc = versions_history_doc(req->reader, req->catalog, id, req->base_url, &doc, &e);
  send_doc(resp, rc, doc, &e);
}

/* An optional argument: absent keeps *out; present must be a whole number of <= 10 digits. */
static bool arg_index(const http_request *req, const char *key, int64_t *out) {
  const char *v = http_arg(req, key);
  if (!v) return true;
  return http_parse_index((str_view){v, strlen(v)}, out);
}

void h_layer_diff(http_request *req, http_response *resp) {
  const char *id = layer_param(req);
  int64_t from = -1, to = -1;
  versions_page page = {.offset = 0, .limit = VERSIONS_PAGE_DEFAULT, .base_url = req->base_url};
  if (!id) {
    http_error(resp, ERR_NOMEM, "out of memory");
    return;
  }
  if (!arg_index(req, "from", &from) || !arg_index(req, "to", &to) || from < 0 || to < 0) {
    http_error(resp, ERR_INVALID, "from and to must be version numbers (from=V&to=W)");
    return;
  }
  if (!arg_index(req, "offset", &page.offset) || !arg_index(req, "limit", &page.limit)) {
    http_error(resp, ERR_INVALID, "offset and limit must be whole numbers");
    return;
  }
  err e = {0};
  char *doc = NULL;
  err_code rc = versions_diff_doc(req->reader, id, from, to, &page, &doc, &e);
  send_doc(resp, rc, doc, &e);
}
