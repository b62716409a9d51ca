/* routes.c — the route table: every HTTP endpoint of teselas on one screen.
 *
 * A pattern is a path of segments; a segment may hold one {capture} between a literal prefix and
 * suffix ("{y}.pbf" matches "12.pbf" and captures "12"). Captures fill req->params in order.
 * Routes are tried top to bottom, so a more specific pattern goes first. */
#include <string.h>

#include "http/handlers.h"

typedef struct route {
  const char *pattern;
  http_handler handler;
} route;

static const route ROUTES[] = {
    {"/", h_landing},
    {"/health", h_health},
    {"/metrics", h_metrics},
    {"/maps/{style}", h_map_page},
    {"/embed/{style}", h_embed_page},
    {"/assets/{build}/{name}", h_asset},
    {"/tiles/{ids}/{z}/{x}/{y}.pbf", h_tile},
    {"/tiles/{ids}/{z}/{x}/{y}.mvt", h_tile},
    {"/tiles/{ids}.json", h_tilejson},
    {"/collections/{id}/tiles", h_ogc_tilesets},
    {"/collections/{id}/tiles/WebMercatorQuad", h_ogc_tileset},
    {"/collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}", h_ogc_tile},
    {"/styles", h_styles},
    {"/styles/{style}/style.json", h_style_json},
    {"/styles/{style}/static/{view}/{size}.png", h_style_static},
    {"/styles/{style}/{z}/{x}/{y}.png", h_style_tile},
    {"/fonts/{fontstack}/{range}.pbf", h_fonts},
    {"/conformance", h_conformance},
    {"/api", h_api},
    {"/collections", h_collections},
    {"/collections/{id}", h_collection},
    {"/collections/{id}/items", h_items},
    {"/collections/{id}/items/{fid}", h_item},
    {"/collections/{id}/queryables", h_queryables},
    {"/collections/{id}/aggregate", h_aggregate},
    {"/collections/{id}/quality", h_quality},
    {"/collections/{id}/download.{fmt}", h_download},
};

/* Matches one path segment [s, s+n) against one pattern segment [p, p+pn). */
static bool match_segment(const char *p, size_t pn, const char *s, size_t n, http_request *req) {
  const char *open = memchr(p, '{', pn);
  if (!open) return pn == n && memcmp(p, s, n) == 0;
  const char *close = memchr(open, '}', pn - (size_t)(open - p));
  if (!close) return false;
  size_t pre = (size_t)(open - p), suf = pn - (size_t)(close + 1 - p);
  if (n <= pre + suf) return false; /* captures are never empty */
  if (memcmp(s, p, pre) != 0 || memcmp(s + n - suf, close + 1, suf) != 0) return false;
  if (req->n_params >= HTTP_MAX_PARAMS) return false;
  req->params[req->n_params].s = s + pre;
  req->params[req->n_params].len = n - pre - suf;
  req->n_params++;
  return true;
}

static bool match(const char *pattern, const char *path, http_request *req) {
  req->n_params = 0;
  const char *p = pattern, *s = path;
  for (;;) {
    if (*p != '/' || *s != '/') return false;
    p++, s++;
    size_t pn = strcspn(p, "/"), n = strcspn(s, "/");
    if (!match_segment(p, pn, s, n, req)) return false;
    p += pn, s += n;
    if (*p == '\0' && *s == '\0') return true;
    if (*p == '\0' || *s == '\0') {
      /* a trailing slash is the same resource: "/collections/" == "/collections" */
      return *p == '\0' && s[0] == '/' && s[1] == '\0' && pn + n > 0;
    }
  }
}

http_handler http_route_find(http_request *req, bool *out_method_mismatch) {
  *out_method_mismatch = false;
  for (size_t i = 0; i < sizeof ROUTES / sizeof *ROUTES; i++)
    if (match(ROUTES[i].pattern, req->path, req)) return ROUTES[i].handler;
  req->n_params = 0;
  return NULL;
}
