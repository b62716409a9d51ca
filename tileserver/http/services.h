/* services.h — long-lived objects shared by all workers, built at start-up and destroyed at stop:
 * the tile cache and the style registry. Each guards its own mutable state.
 *
 * The styles are the one thing a running server replaces (SIGHUP): a new registry is built aside
 * and swapped in under a mutex; each request keeps the registry it started with, so no request
 * sees a registry change under it. A replaced registry is freed when the last request holding it
 * ends (services.c says how the fonts they share stay safe). */
#ifndef TESELAS_HTTP_SERVICES_H
#define TESELAS_HTTP_SERVICES_H

#include <pthread.h>
#include <stdatomic.h>

#include "http/http.h"
#include "http/health.h"
#include "http/metrics.h"
#include "http/usage.h"
#include "cache/cache.h"
#include "gen/pyramid.h"
#include "render/render.h"
#include "jobs/jobs.h"
#include "auth/auth.h"

typedef struct http_services {
  const server_config *config;
  cache *tiles;  /* encoded tiles, raw and gzip, keyed by layer versions */
  pyramid_registry *pyramids; /* point clusters per layer version */
  http_metrics metrics;       /* request counters for /metrics */
  usage_table *usage;         /* requests and bytes per layer and kind (usage.h) */
  pthread_mutex_t styles_mu;
  struct styles_ref *styles_now; /* MapLibre styles (built-in + --styles DIR) and label fonts */
  atomic_size_t styles_live;     /* registries alive: the current one and replaced ones held */
  cache *images;          /* rendered PNGs and glyph ranges, keyed by style hash + layer versions */
  archive_set *archives;  /* --archive files served as read-only layers (NULL: none) */
  jobs_queue *jobs;       /* uploads imported off the HTTP threads (POST /api/layers/{id}/versions) */
  auth_throttle *logins;      /* failed sign-ins per account (/admin/entrar) */
  auth_throttle *login_addrs; /* and per client address, four times as many */
  atomic_bool draining;   /* the server is stopping: answers close their connection */
  health_board *health;   /* damaged layer versions, for /health (health.h) */
} http_services;

typedef struct styles_ref styles_ref;

/* Sign-in bounds: 5 failures per account (20 per client address) in 15 minutes, then 429 until
 * the 15 minutes from the first failure end; 4096 keys remembered (auth/throttle.c: what happens
 * when they are all blocked). A session lasts 8 hours. */
enum { HTTP_LOGIN_SLOTS = 4096, HTTP_LOGIN_FAILURES = 5, HTTP_LOGIN_WINDOW_S = 15 * 60,
       HTTP_SESSION_S = 8 * 3600 };

err_code http_services_create(const server_config *cfg, http_services **out, err *e);
void http_services_destroy(http_services *s);

/* The current style registry, held until http_services_styles_release(*out_ref). Never NULL
 * once created. */
const render_styles *http_services_styles_acquire(http_services *s, styles_ref **out_ref);
void http_services_styles_release(styles_ref *ref);
/* The style registries alive (the current one and replaced ones requests still hold). */
size_t http_services_styles_live(http_services *s);
/* Loads the styles again from the same folders and swaps them in; on error the old ones stay
 * (a style file that is not valid is logged and left out, as at start-up). */
err_code http_services_reload_styles(http_services *s, err *e);

#endif
