/* h_changes.c — GET /tiles/{id}/changes?from=V&to=W[&zoom=a-b][&offset=K&limit=N]: the tiles (and
 * the PNG tiles of the styles that draw the layer) whose content changed from version V to W, as
 * a purge list, the one `teselas seed --since … --changes` writes. The work is seed/'s
 * (seed_changes_doc); bad parameters are a 400 that does not repeat them. */
#include <stdlib.h>
#include <string.h>

#include "http/handlers.h"
#include "http/services.h"
#include "geom/geom.h"
#include "seed/changes.h"

/* An optional whole number: absent keeps *out. */
static bool arg_index(const http_request *req, const char *key, int64_t *out) {
  const char *v = http_arg(req, key);
  return !v || http_parse_index((str_view){v, strlen(v)}, out);
}

/* zoom=a-b or zoom=a; absent keeps -1 (the layer's zooms). */
static bool arg_zoom(const http_request *req, int *lo, int *hi) {
  const char *v = http_arg(req, "zoom");
  if (!v) return true;
  const char *dash = strchr(v, '-');
  int64_t a, b;
  if (!http_parse_index((str_view){v, dash ? (size_t)(dash - v) : strlen(v)}, &a)) return false;
  b = a;
  if (dash && !http_parse_index((str_view){dash + 1, strlen(dash + 1)}, &b)) return false;
  if (a > GEOM_ZOOM_MAX || b > GEOM_ZOOM_MAX) return false;
  *lo = (int)a, *hi = (int)b;
  return true;
}

void h_tile_changes(http_request *req, http_response *resp) {
  const layer_info *l = catalog_find(req->catalog, req->params[0].s, req->params[0].len);
  if (!l) {
    http_error(resp, ERR_NOT_FOUND, "no layer of that id (/collections lists them)");
    return;
  }
  seed_changes_query q = {.layer = l, .from = -1, .to = -1, .minzoom = -1, .maxzoom = -1,
                          .limit = SEED_CHANGES_PAGE_DEFAULT, .base_url = req->base_url};
  if (!arg_index(req, "from", &q.from) || !arg_index(req, "to", &q.to) || q.from < 0 || q.to < 0) {
    http_error(resp, ERR_INVALID, "from and to must be version numbers (from=V&to=W)");
    return;
  }
  if (!arg_zoom(req, &q.minzoom, &q.maxzoom)) {
    http_error(resp, ERR_INVALID, "zoom must be MIN-MAX or one zoom, 0 to %d", GEOM_ZOOM_MAX);
    return;
  }
  if (!arg_index(req, "offset", &q.offset) || !arg_index(req, "limit", &q.limit)) {
    http_error(resp, ERR_INVALID, "offset and limit must be whole numbers");
    return;
  }
  err e = {0};
  char *doc = NULL;
  err_code rc = seed_changes_doc(req->reader, req->catalog, req->styles, &q, &doc, &e);
  if (rc != ERR_OK) {
    http_error(resp, rc, "%s", e.msg);
    return;
  }
  buf_puts(&resp->body, doc);
  free(doc);
  resp->status = 200;
  resp->content_type = "application/json";
  resp->compressible = true;
  http_header_add(resp, "Cache-Control", "no-cache");
}
