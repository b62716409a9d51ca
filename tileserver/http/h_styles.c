/* h_styles.c — MapLibre styles, raster tiles and static images drawn from them, and the SDF
 * glyphs the browser needs for their labels.
 *
 *   GET /styles                                   the styles offered for this database, the one
 *                                                 to prefer first (render_styles_list)
 *   GET /styles/{style}/style.json                the style with absolute source URLs
 *   GET /styles/{style}/{z}/{x}/{y}[@2x].png      256-px (512-px) raster tile
 *   GET /styles/{style}/static/{lon},{lat},{zoom}/{w}x{h}[@2x].png
 *   GET /styles/{style}/static/{minx},{miny},{maxx},{maxy}/{w}x{h}[@2x].png
 *   GET /fonts/{fontstack}/{start}-{end}.pbf      glyphs
 *
 * Images and glyphs go through the image cache (render_serve_image, render_serve_glyphs), keyed
 * by the style's hash and the versions of the layers it draws (so an import makes new keys), and
 * images carry the same ETag. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/handlers.h"
#include "http/services.h"
#include "render/render.h"

enum { IMAGE_BYTE_LIMIT = 64 * 1024 * 1024 };

/* A style /styles lists: named, or automatic (built in the request's arena). */
static const render_style *find_style(http_request *req, http_response *resp) {
  str_view name = req->params[0];
  const render_style *s = NULL;
  err e;
  err_clear(&e);
  err_code rc = render_style_resolve(req->styles, req->catalog, name.s, name.len,
                                     req->arena, &s, &e);
  if (rc != ERR_OK) {
    http_error(resp, rc, "%s", e.msg);
    return NULL;
  }
  return s;
}

static json_t *style_entry(const http_request *req, const render_style_entry *s) {
  char url[1024], tiles[1024];
  snprintf(url, sizeof url, "%s/styles/%s/style.json", req->base_url, s->name);
  snprintf(tiles, sizeof tiles, "%s/styles/%s/{z}/{x}/{y}.png", req->base_url, s->name);
  return json_pack("{s:s,s:s,s:b,s:s,s:s}", "id", s->name, "name", s->title, "automatic",
                   s->automatic, "url", url, "tiles", tiles);
}

/* An archive of serve --archive, by the name it is served as: its automatic style. */
static json_t *archive_entry(const http_request *req, const archive_layer *l) {
  const char *name = archive_layer_name(l);
  json_t *title = json_object_get(archive_layer_metadata(l), "name");
  char url[1024];
  snprintf(url, sizeof url, "%s/styles/%s/style.json", req->base_url, name);
  json_t *e = json_pack("{s:s,s:s,s:b,s:s,s:s}", "id", name, "name",
                        json_is_string(title) ? json_string_value(title) : name, "automatic", 1,
                        "url", url, "archive", name);
  /* a PNG archive's own tiles are its raster tiles; a vector archive is not drawn on the server */
  if (e && archive_layer_info(l)->kind == ARCHIVE_PNG) {
    snprintf(url, sizeof url, "%s/tiles/%s/{z}/{x}/{y}.png", req->base_url, name);
    json_object_set_new(e, "tiles", json_string(url));
  }
  return e;
}

/* GET /styles: in the order a client should prefer (render_styles_list), then the archives. */
void h_styles(http_request *req, http_response *resp) {
  size_t max = render_styles_count(req->styles) + req->catalog->n_layers + 1;
  render_style_entry *list = arena_alloc(req->arena, max * sizeof *list);
  if (!list) {
    http_error(resp, ERR_NOMEM, "out of memory");
    return;
  }
  size_t n = render_styles_list(req->styles, req->catalog, list, max);
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(arr, style_entry(req, &list[i]));
  const archive_set *as = req->services->archives;
  for (size_t i = 0; i < archives_count(as); i++)
    json_array_append_new(arr, archive_entry(req, archives_at(as, i)));
  http_header_add(resp, "Cache-Control", "no-cache");
  http_send_json(resp, arr);
}

/* A style's sources of url "mbtiles://NAME" (or "mbtiles://{NAME}", as tileserver-gl writes
 * them, or "pmtiles://NAME") name an archive of serve --archive, a basemap under the style's
 * layers: pointed at its TileJSON here. An mbtiles:// one naming no archive served is removed
 * with the style layers that use it, as MapLibre refuses a style whose source cannot load; a
 * pmtiles:// URL that names no archive here is left to the browser's pmtiles protocol. */
/* The style says which of its sources is which archive ("teselas:archives" in its metadata), so
 * the viewer lists their layers beside the catalog's. */
static void archive_named(json_t *doc, const char *key, const char *name) {
  json_t *meta = json_object_get(doc, "metadata");
  if (!json_is_object(meta)) {
    meta = json_object();
    json_object_set_new(doc, "metadata", meta);
  }
  json_t *names = json_object_get(meta, "teselas:archives");
  if (!json_is_object(names)) {
    names = json_object();
    json_object_set_new(meta, "teselas:archives", names);
  }
  json_object_set_new(names, key, json_string(name));
}

static void archive_sources(const http_request *req, json_t *doc) {
  json_t *sources = json_object_get(doc, "sources"), *layers = json_object_get(doc, "layers");
  const char *key;
  json_t *src, *tmp;
  json_object_foreach_safe(sources, tmp, key, src) {
    const char *url = json_string_value(json_object_get(src, "url"));
    bool pm = url && strncmp(url, "pmtiles://", 10) == 0;
    if (!url || (!pm && strncmp(url, "mbtiles://", 10) != 0)) continue;
    const char *n = url + 10;
    size_t len = strlen(n);
    if (len > 2 && n[0] == '{' && n[len - 1] == '}') n++, len -= 2;
    const archive_layer *l = archives_find(req->services->archives, n, len);
    char *abs = l ? arena_sprintf(req->arena, "%s/tiles/%s.json", req->base_url,
                                  archive_layer_name(l)) : NULL;
    if (abs) {
      json_object_set_new(src, "url", json_string(abs));
      archive_named(doc, key, archive_layer_name(l));
      /* MapLibre takes raster tiles as 512 px unless told: a PNG archive's are 256 */
      if (archive_layer_info(l)->kind == ARCHIVE_PNG && !json_object_get(src, "tileSize"))
        json_object_set_new(src, "tileSize", json_integer(256));
      continue;
    }
    if (pm) continue;
    for (size_t i = json_array_size(layers); i-- > 0;) {
      const char *ls = json_string_value(json_object_get(json_array_get(layers, i), "source"));
      if (ls && strcmp(ls, key) == 0) json_array_remove(layers, i);
    }
    json_object_del(sources, key);
  }
}

/* GET /styles/{style}/style.json: a style, or an archive's automatic one. */
void h_style_json(http_request *req, http_response *resp) {
  const archive_layer *l = archives_find(req->services->archives, req->params[0].s,
                                         req->params[0].len);
  if (l && !render_styles_find(req->styles, req->params[0].s, req->params[0].len)) {
    http_header_add(resp, "Cache-Control", "no-cache");
    http_send_json(resp, archives_style(l, req->base_url));
    return;
  }
  const render_style *s = find_style(req, resp);
  if (!s) return;
  http_header_add(resp, "Cache-Control", "no-cache");
  json_t *doc = render_style_document(s, req->catalog, req->base_url);
  if (doc) archive_sources(req, doc);
  http_send_json(resp, doc);
}

static void release_pin(void *entry) { cache_release(entry); }

/* address with the file ETags of the archives s draws as basemaps, so an image's ETag and cache
 * key change with the basemap file too. NULL when out of memory. */
static const char *with_basemaps(http_request *req, const render_style *s, const char *address) {
  const char *names[8];
  size_t n = render_style_archives(s, names, 8);
  for (size_t i = 0; i < n && address; i++) {
    const archive_layer *l = archives_find(req->services->archives, names[i], strlen(names[i]));
    if (l) address = arena_sprintf(req->arena, "%s|%s", address, archive_layer_file_etag(l));
  }
  return address;
}

/* Draws (or finds in the cache) the image of view v under s; address names it in keys. */
static void serve_png(http_request *req, http_response *resp, const render_style *s,
                      const render_view *v, const char *address) {
  address = with_basemaps(req, s, address);
  if (!address) return;
  /* layers=a,b draws only those catalog layers (the catalog's thumbnails, the embed's PNG
   * fallback): another image, so part of its ETag and cache key */
  const char *only = http_arg(req, "layers");
  if (only) {
    only = arena_strndup(req->arena, only, strnlen(only, 512));
    address = only ? arena_sprintf(req->arena, "%s?layers=%s", address, only) : NULL;
    if (!address) return;
  }
  char etag[128];
  render_etag(s, req->catalog, address, etag, sizeof etag);
  char *etag_copy = arena_strdup(req->arena, etag);
  if (!etag_copy) return;
  /* an image's version: the hash of its style and of the versions of the layers it draws, the
   * eight hex digits that open its ETag ("r<v>-...") */
  char version[9] = {0};
  memcpy(version, etag + 2, 8);
  http_cache_versioned(req, resp, version);
  /* a 304 needs the image too, from the cache when it is there: see http_not_modified */
  bool not_modified = http_etag_check(req, resp, etag_copy);
  render_request rq = {.reader = req->reader, .catalog = req->catalog,
                       .pyramids = req->services->pyramids, .styles = req->styles,
                       .style = s, .view = *v, .only_layers = only,
                       .archives = req->services->archives};
  cache_entry *pin = NULL;
  err e;
  err_clear(&e);
  resp->body.limit = IMAGE_BYTE_LIMIT;
  err_code rc = render_serve_image(&rq, req->services->images, etag, address, req->arena,
                                   &resp->body, &pin, &e);
  if (rc != ERR_OK) {
    if (rc == ERR_LIMIT)
      http_error(resp, rc, "this image is too large to draw within one request's bounds "
                 "(--request-memory-mb %zu, --response-max-mb %zu)",
                 req->config->request_arena_bytes >> 20, req->config->response_max_bytes >> 20);
    else
      http_error(resp, rc, "%s", e.msg);
    return;
  }
  if (pin) /* sent as it is in the cache, then the pin released */
    http_body_external(resp, cache_entry_data(pin), cache_entry_len(pin), release_pin,
                       pin);
  if (not_modified) {
    http_not_modified(resp);
    return;
  }
  resp->content_type = "image/png";
  resp->status = 200;
}

/* "12" or "12@2x": the number and the ratio. */
/* The y of a raster tile, with its "@2x" for dense screens. */
static bool parse_y(str_view v, int64_t *out, double *ratio) {
  *ratio = 1;
  if (v.len > 3 && memcmp(v.s + v.len - 3, "@2x", 3) == 0) v.len -= 3, *ratio = 2;
  return http_parse_index(v, out);
}

/* GET /styles/{style}/{z}/{x}/{y}.png and @2x.png */
void h_style_tile(http_request *req, http_response *resp) {
  int64_t z, x, y;
  double ratio;
  if (!http_parse_index(req->params[1], &z) || !http_parse_index(req->params[2], &x) ||
      !parse_y(req->params[3], &y, &ratio)) {
    http_error(resp, ERR_INVALID, "a raster tile is /{z}/{x}/{y}.png or /{z}/{x}/{y}@2x.png");
    return;
  }
  geom_tile_id t;
  err e;
  if (geom_tile_validate(z, x, y, &t, &e) != ERR_OK) {
    http_error(resp, ERR_INVALID, "%s", e.msg);
    return;
  }
  const render_style *s = find_style(req, resp);
  if (!s) return;
  render_view v = render_view_tile(t, ratio);
  char *address = arena_sprintf(req->arena, "%u/%u/%u@%gx", t.z, t.x, t.y, ratio);
  if (address) serve_png(req, resp, s, &v, address);
}

/* Up to max comma-separated finite numbers filling the whole of v; returns how many. */
static int parse_numbers(str_view v, double *out, int max) {
  char tmp[256];
  if (v.len == 0 || v.len >= sizeof tmp) return -1;
  memcpy(tmp, v.s, v.len);
  tmp[v.len] = '\0';
  int n = 0;
  for (char *p = tmp; n < max;) {
    char *end = NULL;
    out[n] = strtod(p, &end);
    if (end == p || !isfinite(out[n])) return -1;
    n++;
    if (*end == '\0') return n;
    if (*end != ',') return -1;
    p = end + 1;
  }
  return -1;
}

/* "600x400" or "600x400@2x" */
static bool parse_size(str_view v, uint32_t *w, uint32_t *h, double *ratio) {
  *ratio = 1;
  if (v.len > 3 && memcmp(v.s + v.len - 3, "@2x", 3) == 0) v.len -= 3, *ratio = 2;
  const char *x = memchr(v.s, 'x', v.len);
  int64_t a, b;
  if (!x || !http_parse_index((str_view){v.s, (size_t)(x - v.s)}, &a) ||
      !http_parse_index((str_view){x + 1, v.len - (size_t)(x + 1 - v.s)}, &b))
    return false;
  if (a < 1 || b < 1 || a > RENDER_MAX_SIZE || b > RENDER_MAX_SIZE) return false;
  *w = (uint32_t)a, *h = (uint32_t)b;
  return true;
}

/* GET /styles/{style}/static/{lon},{lat},{zoom}/{w}x{h}.png and /{minx},{miny},{maxx},{maxy}/ */
void h_style_static(http_request *req, http_response *resp) {
  double nums[4];
  uint32_t w, h;
  double ratio;
  int n = parse_numbers(req->params[1], nums, 4);
  if (n != 3 && n != 4) {
    http_error(resp, ERR_INVALID, "the view is {lon},{lat},{zoom} or {minx},{miny},{maxx},{maxy}");
    return;
  }
  if (!parse_size(req->params[2], &w, &h, &ratio)) {
    http_error(resp, ERR_INVALID, "the size is {w}x{h} or {w}x{h}@2x, from 1x1 to %dx%d",
               RENDER_MAX_SIZE, RENDER_MAX_SIZE);
    return;
  }
  render_view v;
  err e;
  geom_bbox box = {nums[0], nums[1], nums[2], nums[3]};
  err_code rc = n == 3 ? render_view_center(nums[0], nums[1], nums[2], w, h, ratio, &v, &e)
                       : render_view_bbox(&box, w, h, ratio, &v, &e);
  if (rc != ERR_OK) {
    http_error(resp, rc, "%s", e.msg);
    return;
  }
  const render_style *s = find_style(req, resp);
  if (!s) return;
  char *address = arena_sprintf(req->arena, "static/%.*s/%ux%u@%gx", (int)req->params[1].len,
                                req->params[1].s, w, h, ratio);
  if (address) serve_png(req, resp, s, &v, address);
}

/* %XX decoding of a path segment into the arena (fontstacks hold spaces and commas). */
static char *url_decode(arena *a, str_view v) {
  char *out = arena_alloc(a, v.len + 1);
  size_t n = 0;
  for (size_t i = 0; out && i < v.len; i++) {
    unsigned c;
    if (v.s[i] == '%' && i + 2 < v.len && sscanf(v.s + i + 1, "%2x", &c) == 1) {
      out[n++] = (char)c;
      i += 2;
    } else {
      out[n++] = v.s[i];
    }
  }
  if (out) out[n] = '\0';
  return out;
}

/* GET /fonts/{fontstack}/{start}-{end}.pbf */
void h_fonts(http_request *req, http_response *resp) {
  char *stack = url_decode(req->arena, req->params[0]);
  unsigned start = 0, end = 0;
  char tail = 0;
  char range[32];
  snprintf(range, sizeof range, "%.*s", (int)(req->params[1].len < 31 ? req->params[1].len : 31),
           req->params[1].s);
  if (!stack || sscanf(range, "%u-%u%c", &start, &end, &tail) != 2 || end != start + 255 ||
      start % 256 != 0 || start >= 65536 || strlen(stack) > 256) {
    http_error(resp, ERR_INVALID, "a glyph range is {start}-{start+255}.pbf, start a multiple of 256");
    return;
  }
  http_header_add(resp, "Cache-Control", "public, max-age=86400");
  resp->content_type = "application/x-protobuf";
  resp->compressible = true;
  resp->status = 200;
  err e;
  err_clear(&e);
  err_code rc = render_serve_glyphs(req->styles, req->services->images, stack, start,
                                    req->arena, &resp->body, &e);
  if (rc != ERR_OK) http_error(resp, rc, "%s", e.msg);
}
