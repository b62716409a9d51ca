/* h_pages.c — the pages people see and the files they load: the catalog (GET / for browsers,
 * through h_landing), /maps/{style}, /embed/{style} and /assets/{build}/{name}.
 *
 * The handlers find out which endpoints of the other modules this server answers by asking the
 * route table itself (so a page never links to or loads a URL that would 404), then call one
 * www/ function. Pages are never cached stale (the catalog changes with every import); assets
 * are immutable under their build-id URL. */
#include <stdio.h>
#include <string.h>

#include "gen/gen.h"
#include "http/handlers.h"
#include "http/services.h"
#include "render/render.h"
#include "www/www.h"

/* The handler that would answer path, or NULL. */
static http_handler route_of(const http_request *req, const char *path) {
  http_request probe = *req;
  probe.path = path;
  return http_route_find(&probe);
}

static bool has_route(const http_request *req, const char *path) {
  return route_of(req, path) != NULL;
}

/* Candidate URL forms of whole-layer downloads, first that this server answers wins. */
static const char *download_template(const http_request *req, const char *id) {
  static const char *const FORMS[][2] = {
      {"/collections/%s/download", "/collections/{id}/download?f={f}"},
      {"/collections/%s/download.geojson", "/collections/{id}/download.{f}"},
      {"/collections/%s/items.geojson", "/collections/{id}/items.{f}"},
      {"/downloads/%s.geojson", "/downloads/{id}.{f}"},
  };
  char path[256];
  http_handler items = NULL;
  snprintf(path, sizeof path, "/collections/%s/items", id);
  items = route_of(req, path);
  for (size_t i = 0; i < sizeof FORMS / sizeof *FORMS; i++) {
    snprintf(path, sizeof path, FORMS[i][0], id);
    http_handler h = route_of(req, path);
    if (h && h != items) return FORMS[i][1];
  }
  return NULL;
}

static const render_styles *style_registry(const http_request *req) {
  return req->styles;
}

/* The style the page draws: one /styles lists (named, or automatic built in the arena), or
 * NULL. A server without a style registry has none. */
static const render_style *page_style(const http_request *req, const char *name, size_t len) {
  const render_styles *reg = style_registry(req);
  const render_style *rs = NULL;
  err e;
  if (!reg || render_style_resolve(reg, req->catalog, name, len, req->arena, &rs, &e) != ERR_OK)
    return NULL;
  return rs;
}

/* The style of the catalog's map links: the first one /styles lists (a named style that draws
 * layers of this database, else `todas`). */
static const char *default_style(const http_request *req) {
  const render_styles *reg = style_registry(req);
  render_style_entry first;
  if (reg && render_styles_list(reg, req->catalog, &first, 1) == 1) return first.name;
  return reg ? RENDER_ALL_STYLE : WWW_DEFAULT_STYLE;
}

static void find_endpoints(const http_request *req, const char *style, bool has_style,
                           www_endpoints *ep) {
  char path[256];
  memset(ep, 0, sizeof *ep);
  const char *id = req->catalog->n_layers ? req->catalog->layers[0].id : "x";
  snprintf(path, sizeof path, "/collections/%s/items", id);
  ep->items = has_route(req, path);
  snprintf(path, sizeof path, "/collections/%s/aggregate", id);
  ep->aggregate = has_route(req, path);
  snprintf(path, sizeof path, "/collections/%s/quality", id);
  ep->quality = has_route(req, path);
  ep->collections = has_route(req, "/collections");
  snprintf(path, sizeof path, "/styles/%s/style.json", style);
  ep->style = has_route(req, path) && has_style;
  snprintf(path, sizeof path, "/styles/%s/1/0/0.png", style);
  http_handler png = route_of(req, path);
  ep->png = png != NULL && ep->style;
  /* "/styles/{style}/{z}/{x}/{y}.png" would also match a static image path: only a handler of
   * its own counts. */
  snprintf(path, sizeof path, "/styles/%s/static/-101.68,21.12,10/64x64.png", style);
  http_handler st = route_of(req, path);
  ep->static_img = st != NULL && st != png && ep->style;
  ep->download = download_template(req, id);
}

/* Headers of every page. Framing: only the embed page may be framed by other sites. */
static void page_headers(http_request *req, http_response *resp, bool embed) {
  const char *extra = req->config->public_url && *req->config->public_url ? req->base_url : "";
  const char *csp = arena_sprintf(
      req->arena,
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
      "img-src 'self' data: blob: %s; connect-src 'self' %s; worker-src 'self' blob:; "
      "child-src 'self' blob:; font-src 'self'; object-src 'none'; base-uri 'none'; "
      "form-action 'self'; frame-ancestors %s",
      extra, extra, embed ? "*" : "'self'");
  if (csp) http_header_add(resp, "Content-Security-Policy", csp);
  if (!embed) http_header_add(resp, "X-Frame-Options", "SAMEORIGIN");
  http_header_add(resp, "X-Content-Type-Options", "nosniff");
  http_header_add(resp, "Referrer-Policy", "strict-origin-when-cross-origin");
  http_header_add(resp, "Cache-Control", "no-cache");
  resp->status = 200;
  resp->content_type = "text/html; charset=utf-8";
  resp->compressible = true;
}

static double style_min_zoom(const void *style, const char *layer_id) {
  return render_style_min_zoom(style, layer_id);
}

/* The style that draws a layer best, for its thumbnail and its "see on the map" link: the first
 * named style offered that draws it, else the layer's own automatic style. */
static const char *layer_style(const void *ctx, const char *layer_id, double *out_min_zoom) {
  const http_request *req = ctx;
  const render_styles *reg = style_registry(req);
  render_style_entry list[64];
  size_t n = reg ? render_styles_list(reg, req->catalog, list, 64) : 0;
  for (size_t i = 0; i < n && !list[i].automatic; i++) {
    const render_style *s = render_styles_find(reg, list[i].name, strlen(list[i].name));
    double z = s ? render_style_min_zoom(s, layer_id) : -1;
    if (z >= 0) {
      *out_min_zoom = z;
      return list[i].name;
    }
  }
  *out_min_zoom = -1;
  return layer_id;
}

/* need_style false: the catalog page, which shows an empty catalog with no style at all */
static bool site_init(http_request *req, http_response *resp, const char *style, size_t len,
                      bool need_style, www_site *s) {
  const render_style *rs = www_style_name_valid(style, len) ? page_style(req, style, len) : NULL;
  /* an archive of serve --archive has a map of its own style (h_style_json) */
  bool archive = archives_find(req->services->archives, style, len) != NULL;
  if (!www_style_name_valid(style, len) ||
      (!rs && !archive && style_registry(req) && need_style)) {
    http_error(resp, ERR_NOT_FOUND, "style: no map style of that name (/styles lists them)");
    return false;
  }
  s->style = arena_strndup(req->arena, style, len);
  if (!s->style) return false;
  s->base_url = req->base_url;
  s->lang = www_lang_parse(http_arg(req, "lang"));
  find_endpoints(req, s->style, rs != NULL || archive, &s->ep);
  if (!rs) s->ep.png = s->ep.static_img = false; /* an archive's style is not drawn here */
  s->layer_min_zoom = rs ? style_min_zoom : NULL;
  s->layer_min_zoom_ctx = rs;
  s->layer_style = style_registry(req) ? layer_style : NULL;
  s->layer_style_ctx = req;
  s->layer_small_below = gen_small_below;
  return true;
}

static void send_page(http_response *resp, err_code rc, const err *e) {
  if (rc != ERR_OK) http_error(resp, rc, "%s", e->msg);
}

/* GET / for browsers (h_landing sends JSON to clients that ask for it). */
void h_catalog_page(http_request *req, http_response *resp) {
  www_site s;
  const char *style = default_style(req);
  if (!site_init(req, resp, style, strlen(style), req->catalog->n_layers > 0, &s)) return;
  page_headers(req, resp, false);
  http_header_add(resp, "Vary", "Accept");
  err e;
  err_clear(&e);
  send_page(resp, www_catalog_write(&s, req->catalog, &resp->body, &e), &e);
}

static void map_page(http_request *req, http_response *resp, bool embed) {
  www_site s;
  if (!site_init(req, resp, req->params[0].s, req->params[0].len, true, &s)) return;
  page_headers(req, resp, embed);
  err e;
  err_clear(&e);
  send_page(resp, www_map_write(&s, req->catalog, embed, &resp->body, &e), &e);
}

/* GET /maps/{style} */
void h_map_page(http_request *req, http_response *resp) { map_page(req, resp, false); }

/* GET /embed/{style}?layers=a,b&center=lon,lat&zoom=z&controls=0|1&lang=es|en */
void h_embed_page(http_request *req, http_response *resp) { map_page(req, resp, true); }

/* The release of bytes that live as long as the program (http_body_external wants one). */
static void embedded_bytes(void *ctx) { (void)ctx; }

/* An embedded file with its Cache-Control: sent from where it is embedded, without a copy, and
 * never compressed here (the build keeps a gzip copy of every type that compresses, unless it
 * would not be smaller). A 304 keeps the bytes the 200 would send for its Content-Length
 * (http_not_modified). */
static void send_asset(http_request *req, http_response *resp, const www_asset *a,
                       const char *cache_control) {
  http_header_add(resp, "Cache-Control", cache_control);
  http_header_add(resp, "X-Content-Type-Options", "nosniff");
  bool not_modified = http_etag_check(req, resp, a->etag);
  bool gz = a->gz && http_accepts_gzip(req);
  http_body_external(resp, gz ? a->gz : a->data, gz ? a->gz_len : a->len, embedded_bytes, NULL);
  if (not_modified) {
    http_not_modified(resp);
    return;
  }
  resp->status = 200;
  resp->content_type = a->content_type;
  resp->precompressed = gz;
}

/* GET /assets/{build}/{name}: any build id answers (an old page keeps working after an upgrade),
 * but only the current one may be cached forever. */
void h_asset(http_request *req, http_response *resp) {
  const www_asset *a = www_asset_find(req->params[1].s, req->params[1].len);
  if (!a) {
    http_error(resp, ERR_NOT_FOUND, "no such file: %.*s",
               (int)(req->params[1].len > 64 ? 64 : req->params[1].len), req->params[1].s);
    return;
  }
  bool current = req->params[0].len == strlen(WWW_BUILD_ID) &&
                 memcmp(req->params[0].s, WWW_BUILD_ID, req->params[0].len) == 0;
  send_asset(req, resp, a, current ? "public, max-age=31536000, immutable" : "no-cache");
}

/* GET /favicon.ico: browsers ask there for any page that names no icon (the API's HTML, the
 * reports), and a 404 in every page's console hides the errors that matter. The site's SVG icon,
 * cached for a day: this address stays the same from one build to the next. */
void h_favicon(http_request *req, http_response *resp) {
  const www_asset *a = www_asset_find("favicon.svg", strlen("favicon.svg"));
  if (!a) {
    http_error(resp, ERR_NOT_FOUND, "no icon in this build");
    return;
  }
  send_asset(req, resp, a, "public, max-age=86400");
}
