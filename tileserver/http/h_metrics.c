/* h_metrics.c — GET /metrics: request counters, tile cache, layers, late deliveries, usage per
 * layer and kind (http/usage.h), uptime (Prometheus text). */
#include <time.h>

#include "calendar/calendar.h"
#include "http/handlers.h"
#include "http/services.h"

void h_metrics(http_request *req, http_response *resp) {
  buf *b = &resp->body;
  metrics_write(&req->services->metrics, b);
  cache_stats c = cache_get_stats(req->services->tiles);
  buf_printf(b,
             "# HELP teselas_tile_cache_hits_total Tile cache lookups that found the tile.\n"
             "# TYPE teselas_tile_cache_hits_total counter\n"
             "teselas_tile_cache_hits_total %llu\n"
             "# HELP teselas_tile_cache_misses_total Tile cache lookups that did not.\n"
             "# TYPE teselas_tile_cache_misses_total counter\n"
             "teselas_tile_cache_misses_total %llu\n"
             "# HELP teselas_tile_cache_evictions_total Tiles evicted to stay within the bound.\n"
             "# TYPE teselas_tile_cache_evictions_total counter\n"
             "teselas_tile_cache_evictions_total %llu\n"
             "# HELP teselas_tile_cache_bytes Bytes held by the tile cache.\n"
             "# TYPE teselas_tile_cache_bytes gauge\n"
             "teselas_tile_cache_bytes %zu\n",
             (unsigned long long)c.hits, (unsigned long long)c.misses,
             (unsigned long long)c.evictions, c.bytes);
  buf_puts(b, "# HELP teselas_layer_features Features in the published version of a layer.\n"
              "# TYPE teselas_layer_features gauge\n");
  for (size_t i = 0; i < req->catalog->n_layers; i++) {
    const layer_info *l = &req->catalog->layers[i];
    buf_printf(b, "teselas_layer_features{layer=\"%s\",version=\"%lld\"} %lld\n", l->id,
               (long long)l->version, (long long)l->feature_count);
  }
  /* one series per layer of the catalog (bounded by it), 0 unless late (calendar/calendar.h) */
  buf_puts(b, "# HELP teselas_layer_overdue_seconds Seconds since a late layer's delivery was "
              "due (0 when not late).\n"
              "# TYPE teselas_layer_overdue_seconds gauge\n");
  int64_t now = (int64_t)time(NULL);
  for (size_t i = 0; i < req->catalog->n_layers; i++) {
    calendar_status st;
    calendar_layer_status(&req->catalog->layers[i], now, -1, &st);
    buf_printf(b, "teselas_layer_overdue_seconds{layer=\"%s\"} %lld\n",
               req->catalog->layers[i].id, (long long)st.overdue_s);
  }
  usage_write_metrics(req->services->usage, req->catalog, b);
  buf_printf(b,
             "# HELP teselas_style_registries Style registries alive: the current one and the "
             "replaced ones requests still hold (SIGHUP).\n"
             "# TYPE teselas_style_registries gauge\n"
             "teselas_style_registries %zu\n",
             http_services_styles_live(req->services));
  buf_printf(b,
             "# HELP teselas_uptime_seconds Seconds since the server started.\n"
             "# TYPE teselas_uptime_seconds gauge\n"
             "teselas_uptime_seconds %lld\n",
             (long long)(time(NULL) - req->started_unix));
  resp->status = 200;
  resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
  resp->compressible = true;
  http_header_add(resp, "Cache-Control", "no-store");
}
