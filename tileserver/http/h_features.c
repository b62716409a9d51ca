/* h_features.c — the data of OGC API - Features: /collections/{id}/items (GeoJSON, CSV, HTML),
 * /items/{fid}, /aggregate (counts by group) and /download.{geojson,csv,gpkg} (streamed). Each
 * handler parses the request into a features_request, calls one features/ function, and sends
 * what it wrote; every malformed parameter is a 400 naming it, an unknown collection or feature
 * a 404. */
#include <string.h>

#include "export/export.h"
#include "http/h_ogc_int.h"

void h_items(http_request *req, http_response *resp) {
  const layer_info *l = h_ogc_layer(req, resp);
  if (!l) return;
  features_kv *args = h_ogc_args(req);
  features_request r;
  err e = {0};
  if (!args || features_request_parse(l, FEATURES_USE_ITEMS, args, req->n_args,
                                      h_ogc_negotiate(req, true), req->arena, &r, &e) != ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  const char *tag = h_ogc_data_tag(req, l, (int)r.format);
  if (h_ogc_not_modified(req, resp, tag)) return;
  if (features_items_write(req->reader, &r, req->base_url, req->arena, &resp->body, &e) != ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  h_ogc_ok_tagged(req, resp, features_format_mime(r.format), tag);
  if (r.format == FEATURES_CSV)
    http_header_add(resp, "Content-Disposition",
                    arena_sprintf(req->arena, "inline; filename=\"%s.csv\"", l->id));
}

void h_item(http_request *req, http_response *resp) {
  const layer_info *l = h_ogc_layer(req, resp);
  if (!l) return;
  features_kv *args = h_ogc_args(req);
  features_request r;
  err e = {0};
  char *fid = arena_strndup(req->arena, req->params[1].s, req->params[1].len);
  if (!args || !fid ||
      features_request_parse(l, FEATURES_USE_ITEM, args, req->n_args,
                             h_ogc_negotiate(req, false), req->arena, &r, &e) != ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  const char *tag = h_ogc_data_tag(req, l, (int)r.format);
  if (h_ogc_not_modified(req, resp, tag)) return;
  if (features_item_write(req->reader, l, fid, r.format, req->base_url, req->arena, &resp->body,
                          &e) != ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  h_ogc_ok_tagged(req, resp, features_format_mime(r.format), tag);
}

void h_aggregate(http_request *req, http_response *resp) {
  const layer_info *l = h_ogc_layer(req, resp);
  if (!l) return;
  features_kv *args = h_ogc_args(req);
  features_request r;
  err e = {0};
  if (args && features_layer_is_aggregate(l)) { /* counts only from its published units */
    const char *tag = h_ogc_data_tag(req, l, -1);
    if (h_ogc_not_modified(req, resp, tag)) return; /* only a 200 had this tag: valid arguments */
    if (features_units_write(req->reader, l, args, req->n_args, &resp->body, &e) != ERR_OK)
      h_ogc_fail(resp, &e);
    else
      h_ogc_ok_tagged(req, resp, "application/json", tag);
    return;
  }
  if (!args ||
      features_request_parse(l, FEATURES_USE_AGGREGATE, args, req->n_args, FEATURES_GEOJSON,
                             req->arena, &r, &e) != ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  const char *tag = h_ogc_data_tag(req, l, -1);
  if (h_ogc_not_modified(req, resp, tag)) return;
  if (features_aggregate_write(req->reader, &r, &resp->body, &e) != ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  h_ogc_ok_tagged(req, resp, "application/json", tag);
}

static long download_read(void *ctx, uint64_t pos, char *out, size_t max) {
  return features_stream_read(ctx, out, max);
}

static void download_free(void *ctx) { features_stream_close(ctx); }

/* /collections/{id}/download.{ext}: the whole layer (with the same filters as the items). The
 * arguments are checked on this worker's catalog first, so a bad one is a 400 before any work. */
void h_download(http_request *req, http_response *resp) {
  const layer_info *l = h_ogc_layer(req, resp);
  if (!l) return;
  features_format f;
  str_view ext = req->params[1];
  if (ext.len == 7 && memcmp(ext.s, "geojson", 7) == 0) f = FEATURES_GEOJSON;
  else if (ext.len == 3 && memcmp(ext.s, "csv", 3) == 0) f = FEATURES_CSV;
  else if (ext.len == 4 && memcmp(ext.s, "gpkg", 4) == 0) f = FEATURES_GPKG;
  else {
    http_error(resp, ERR_NOT_FOUND, "no such download format (geojson, csv, gpkg)");
    return;
  }
  features_kv *args = h_ogc_args(req);
  features_request r;
  features_stream *s = NULL;
  err e = {0};
  if (!args ||
      features_request_parse(l, FEATURES_USE_DOWNLOAD, args, req->n_args, f, req->arena, &r,
                             &e) != ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  const char *tag = h_ogc_data_tag(req, l, (int)f);
  if (h_ogc_not_modified(req, resp, tag)) return;
  if (features_stream_open(&(features_download){req->config->db_path, l->id, f, args, req->n_args,
                                                f == FEATURES_GPKG ? export_gpkg_write : NULL,
                                                req->config->busy_timeout_ms},
                           &s, &e) != ERR_OK) {
    h_ogc_fail(resp, &e);
    return;
  }
  resp->status = 200;
  resp->content_type = f == FEATURES_GEOJSON ? "application/geo+json" : features_format_mime(f);
  resp->stream = download_read;
  resp->stream_free = download_free;
  resp->stream_ctx = s;
  http_header_add(resp, "Content-Disposition",
                  arena_sprintf(req->arena, "attachment; filename=\"%s.%s\"", l->id,
                                features_format_ext(f)));
  http_header_add(resp, "Cache-Control", req->config->cache_control);
  if (tag) http_header_add(resp, "ETag", tag);
}
