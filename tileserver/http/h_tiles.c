/* h_tiles.c — vector tiles, TileJSON and the OGC API - Tiles alias.
 * Each handler parses the address and the filter into a tile_params and calls the tiles service.
 *
 * Filters are the items' parameters (datetime, filter in CQL2 text, PROP=VALUE), parsed by the
 * features API's own parser once per requested layer (FEATURES_USE_TILE), so a tile answers to
 * exactly the items' rules: only published fields are queryable (a field dropped under a layer's
 * privacy policy does not exist), every value is bound and type-checked, errors are the items'
 * (naming the parameter), and any other parameter is a 400 (`v`, the versions in TileJSON's URLs,
 * excepted). On several layers every layer must know every field named: the
 * parser's 400 names the layer that lacks it. datetime on a layer without a date field matches
 * nothing there, as for its items. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/h_ogc_int.h"
#include "http/services.h"
#include "core/output_id.h"
#include "cache/cache.h"
#include "tiles/tilejson.h"
#include "tiles/tiles.h"

/* "a,b,c" → the catalog's layers; 404 naming the first unknown one. */
static bool resolve_layers(http_request *req, http_response *resp, str_view ids,
                           tile_params *p) {
  size_t start = 0;
  p->n_layers = 0;
  for (size_t i = 0; i <= ids.len; i++) {
    if (i < ids.len && ids.s[i] != ',') continue;
    size_t n = i - start;
    if (n == 0 || p->n_layers == TILES_MAX_LAYERS) {
      http_error(resp, ERR_INVALID, "the layer list must name 1 to %d layers separated by commas",
                 TILES_MAX_LAYERS);
      return false;
    }
    const layer_info *l = catalog_find(req->catalog, ids.s + start, n);
    if (!l) {
      http_error(resp, ERR_NOT_FOUND, "ids: a layer of the list does not exist (/collections "
                 "lists them)");
      return false;
    }
    for (size_t k = 0; k < p->n_layers; k++) {
      if (p->layers[k] == l) {
        http_error(resp, ERR_INVALID, "layer '%s' is listed twice", l->id);
        return false;
      }
    }
    p->layers[p->n_layers++] = l;
    start = i + 1;
  }
  return true;
}

static bool parse_address(http_response *resp, str_view z, str_view x, str_view y,
                          tile_params *p) {
  int64_t zi, xi, yi;
  if (!http_parse_index(z, &zi) || !http_parse_index(x, &xi) || !http_parse_index(y, &yi)) {
    http_error(resp, ERR_INVALID, "tile address must be three non-negative integers z/x/y");
    return false;
  }
  err e;
  if (geom_tile_validate(zi, xi, yi, &p->tile, &e) != ERR_OK) {
    http_error(resp, ERR_INVALID, "%s", e.msg);
    return false;
  }
  return true;
}

static int kv_cmp(const void *a, const void *b) {
  return strcmp(((const features_kv *)a)->key, ((const features_kv *)b)->key);
}

/* The query arguments sorted by name: `tipo=x&hora=1` and `hora=1&tipo=x` compile to the same
 * condition, hence one cache entry and one ETag. NULL when the arena failed. */
static features_kv *sorted_args(http_request *req) {
  features_kv *kv = h_ogc_args(req);
  if (kv) qsort(kv, req->n_args, sizeof *kv, kv_cmp);
  return kv;
}

/* The filter of each layer of p from the query (see the top of this file) and its canonical
 * text; false after answering 400. */
static bool parse_filters(http_request *req, http_response *resp, const features_kv *args,
                          tile_params *p) {
  err e = {0};
  if (!args) {
    h_ogc_fail(resp, &e);
    return false;
  }
  for (size_t i = 0; i < p->n_layers; i++) {
    features_request r;
    if (features_request_parse(p->layers[i], FEATURES_USE_TILE, args, req->n_args,
                               FEATURES_GEOJSON, req->arena, &r, &e) != ERR_OK) {
      h_ogc_fail(resp, &e);
      return false;
    }
    if (!r.where) continue;
    tile_filter *f = arena_alloc(req->arena, sizeof *f);
    if (!f) {
      h_ogc_fail(resp, &e);
      return false;
    }
    *f = (tile_filter){r.where};
    p->filters[i] = f;
  }
  buf key;
  buf_init(&key, 0);
  err_code rc = tiles_filter_key(p, &key, &e);
  if (rc == ERR_OK && key.len) {
    p->filter_key = arena_strndup(req->arena, (const char *)key.data, key.len);
    if (!p->filter_key) rc = err_set(&e, ERR_NOMEM, "out of memory");
  }
  buf_free(&key);
  if (rc != ERR_OK) h_ogc_fail(resp, &e);
  return rc == ERR_OK;
}

static void release_pin(void *entry) { cache_release(entry); }

/* v's decimal digits at out (at most 20 bytes, no terminator); returns their count. Every tile
 * answer writes its version: snprintf cost as much as the rest of a cached answer's headers. */
static size_t put_decimal(char *out, long long v) {
  char rev[20];
  size_t n = 0, k = 0;
  unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
  do rev[n++] = (char)('0' + u % 10); while ((u /= 10) != 0);
  if (v < 0) out[k++] = '-';
  while (n) out[k++] = rev[--n];
  return k;
}

static void serve_tile(http_request *req, http_response *resp, tile_params *p) {
  p->extent = TILES_EXTENT;
  p->buffer = (uint32_t)req->config->tile_buffer;
  p->pyramids = req->services->pyramids;
  char etag[160];
  tiles_etag(p, etag, sizeof etag);
  /* the tile's version is what TileJSON writes in ?v=: the layers' versions joined by '.', then
   * '-' and the output id of this build */
  char v[128];
  size_t n = 0;
  for (size_t i = 0; i < p->n_layers && n < sizeof v - 24; i++) {
    if (i) v[n++] = '.';
    n += put_decimal(v + n, (long long)p->layers[i]->version);
  }
  bool fits = n < sizeof v - 24;
  if (fits) {
    v[n++] = '-';
    memcpy(v + n, TESELAS_OUTPUT_ID, 8);
    n += 8;
  }
  v[n] = '\0';
  http_cache_versioned(req, resp, fits ? v : NULL);
  /* headers keep pointers: the tag must live as long as the request */
  bool not_modified = http_etag_check(req, resp, arena_strdup(req->arena, etag));
  err e;
  err_clear(&e);
  /* A 304 needs the tile too (from the cache when it is there): see http_not_modified. */
  tile_served t = {.bytes = &resp->body, .deflater = req->deflater};
  err_code rc = tiles_serve(req->reader, req->services->tiles, p, http_accepts_gzip(req), &t, &e);
  if (rc != ERR_OK) {
    if (rc == ERR_LIMIT)
      http_error(resp, rc, "this tile is too large for one request's bounds (%s; "
                 "--request-memory-mb %zu, --response-max-mb %zu); zoom in", e.msg,
                 req->config->request_arena_bytes >> 20, req->config->response_max_bytes >> 20);
    else
      http_error(resp, rc, "%s", e.msg);
    return;
  }
  if (t.pin) /* a cache hit: the cached bytes are sent as they are, then the pin released */
    http_body_external(resp, cache_entry_data(t.pin), cache_entry_len(t.pin),
                       release_pin, t.pin);
  if (not_modified) {
    http_not_modified(resp);
    return;
  }
  resp->status = http_body_len(resp) ? 200 : 204;
  resp->content_type = "application/vnd.mapbox-vector-tile";
  resp->precompressed = t.gzip;
}

/* GET /tiles/{ids}/{z}/{x}/{y}.pbf (and .mvt) */
void h_tile(http_request *req, http_response *resp) {
  if (h_archive_tile(req, resp)) return;
  tile_params p = {0};
  if (!resolve_layers(req, resp, req->params[0], &p)) return;
  if (!parse_address(resp, req->params[1], req->params[2], req->params[3], &p)) return;
  if (!parse_filters(req, resp, sorted_args(req), &p)) return;
  serve_tile(req, resp, &p);
}

/* GET /collections/{id}/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}: row is y. */
void h_ogc_tile(http_request *req, http_response *resp) {
  tile_params p = {0};
  if (!resolve_layers(req, resp, req->params[0], &p)) return;
  if (p.n_layers != 1) {
    http_error(resp, ERR_NOT_FOUND, "a collection is one layer");
    return;
  }
  if (!parse_address(resp, req->params[1], req->params[3], req->params[2], &p)) return;
  if (!parse_filters(req, resp, sorted_args(req), &p)) return;
  serve_tile(req, resp, &p);
}

/* GET /tiles/{ids}.json, with the tiles' filter parameters: they are checked as a tile checks
 * them and repeated (sorted, percent-encoded, without v) in the tile URLs. */
void h_tilejson(http_request *req, http_response *resp) {
  static const char *const NOT_REPEATED[] = {"v", NULL};
  if (h_archive_tilejson(req, resp)) return;
  tile_params p = {0};
  if (!resolve_layers(req, resp, req->params[0], &p)) return;
  features_kv *args = sorted_args(req);
  if (!parse_filters(req, resp, args, &p)) return;
  char *ids = arena_strndup(req->arena, req->params[0].s, req->params[0].len);
  buf query;
  buf_init(&query, 0);
  /* '&' before the first argument, dropped: tiles_tilejson joins the query to the versions */
  bool filtered = p.filter_key && features_put_query(&query, '&', args, req->n_args, NOT_REPEATED);
  const char *q = filtered && !query.failed ? arena_strdup(req->arena, buf_cstr(&query) + 1)
                 : filtered                    ? NULL
                                               : "";
  buf_free(&query);
  if (!ids || !q) {
    http_error(resp, ERR_NOMEM, "out of memory");
    return;
  }
  http_header_add(resp, "Cache-Control", "no-cache");
  http_send_json(resp, tiles_tilejson(p.layers, p.n_layers, ids, q, req->base_url));
}

/* GET /collections/{id}/tiles */
void h_ogc_tilesets(http_request *req, http_response *resp) {
  const layer_info *l = h_ogc_layer(req, resp);
  if (l) http_send_json(resp, tiles_ogc_tilesets(l, req->base_url));
}

/* GET /collections/{id}/tiles/WebMercatorQuad */
void h_ogc_tileset(http_request *req, http_response *resp) {
  const layer_info *l = h_ogc_layer(req, resp);
  if (l) http_send_json(resp, tiles_ogc_tileset(l, req->base_url));
}
