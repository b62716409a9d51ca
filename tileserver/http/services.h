/* services.h — long-lived objects shared by all workers, built at start-up and destroyed at stop:
 * the tile cache and the style registry. Each guards its own mutable state. */
#ifndef TESELAS_HTTP_SERVICES_H
#define TESELAS_HTTP_SERVICES_H

#include "http/http.h"
#include "http/health.h"
#include "http/metrics.h"
#include "http/usage.h"
#include "cache/cache.h"
#include "gen/pyramid.h"
#include "render/render.h"
#include "jobs/jobs.h"

typedef struct http_services {
  const server_config *config;
  cache *tiles;  /* encoded tiles, raw and gzip, keyed by layer versions */
  pyramid_registry *pyramids; /* point clusters per layer version */
  http_metrics metrics;       /* request counters for /metrics */
  usage_table *usage;         /* requests and bytes per layer and kind (usage.h) */
  render_styles *styles;  /* MapLibre styles (built-in + --styles DIR) and label fonts */
  cache *images;          /* rendered PNGs and glyph ranges, keyed by style hash + layer versions */
  archive_set *archives;  /* --archive files served as read-only layers (NULL: none) */
  jobs_queue *jobs;       /* uploads imported off the HTTP threads (POST /api/layers/{id}/versions) */
  health_board *health;   /* damaged layer versions, for /health (health.h) */
} http_services;

err_code http_services_create(const server_config *cfg, http_services **out, err *e);
void http_services_destroy(http_services *s);

#endif
