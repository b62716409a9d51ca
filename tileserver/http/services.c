/* services.c — creation and destruction of the shared services. */
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/log.h"
#include "http/services.h"

/* Says at start-up which named styles are not offered for this database and why (the database
 * may gain their layers later: they are offered from then on, without a restart). */
static void log_skipped_styles(const render_styles *reg, const server_config *cfg) {
  store_reader *r = NULL;
  const catalog *c = NULL;
  err e;
  const char *db_path = cfg->db_path;
  int busy_ms = cfg->busy_timeout_ms > 0 ? cfg->busy_timeout_ms : STORE_BUSY_TIMEOUT_MS;
  if (db_path && store_reader_open_wait(db_path, busy_ms, &r, &e) == ERR_OK &&
      store_reader_catalog(r, &c, &e) == ERR_OK)
    render_styles_log_skipped(reg, c);
  store_reader_close(r);
}

/* The archives of --archive, opened; each name must be a valid layer id that no layer of the
 * database holds (a layer imported later under an archive's name is hidden by the archive at
 * /tiles, as the archive was there first). */
static err_code open_archives(const server_config *cfg, archive_set **out, err *e) {
  *out = NULL;
  if (!cfg->n_archives) return ERR_OK;
  store_reader *r = NULL;
  const catalog *c = NULL;
  err_code rc = cfg->db_path ? store_reader_open(cfg->db_path, &r, e) : ERR_OK;
  if (rc == ERR_OK && r) rc = store_reader_catalog(r, &c, e);
  for (size_t i = 0; rc == ERR_OK && i < cfg->n_archives; i++) {
    const char *name = cfg->archives[i].name;
    if (!store_layer_id_valid(name))
      rc = err_set(e, ERR_INVALID, "--archive %s: not a valid name (as a layer id: a-z, 0-9, "
                   "'_' and '-', 1 to 63, starting with a letter)", name);
    else if (c && catalog_find(c, name, strlen(name)))
      rc = err_set(e, ERR_INVALID, "--archive %s: the database has a layer of that name", name);
  }
  store_reader_close(r);
  return rc == ERR_OK ? archives_open(cfg->archives, cfg->n_archives, out, e) : rc;
}

/* A registry lives while it is the current one or a request holds it: the last release of a
 * replaced registry frees it (render_styles_destroy_replaced: cairo's process-wide font state,
 * which its faces share with the live registry, stays; the faces themselves are reference
 * counted by cairo, so a scaled font a worker's cairo cache still holds keeps its face alive).
 * Only the registry current at stop is freed with render_styles_destroy, after the workers have
 * exited and every other registry is gone: it resets that font state, which cairo allows only
 * when no face is in use. */
struct styles_ref {
  render_styles *reg;
  atomic_size_t refs;    /* the requests holding it, plus one while it is the current registry */
  atomic_size_t *live;   /* the services' count of registries alive */
};

static err_code styles_load(http_services *s, styles_ref **out, err *e) {
  styles_ref *r = calloc(1, sizeof *r);
  if (!r) return err_set(e, ERR_NOMEM, "out of memory for the styles");
  err_code rc =
      render_styles_create(TESELAS_SOURCE_DIR "/styles", s->config->styles_dir, &r->reg, e);
  if (rc != ERR_OK) {
    free(r);
    return rc;
  }
  atomic_init(&r->refs, 1);
  r->live = &s->styles_live;
  atomic_fetch_add(r->live, 1);
  *out = r;
  return ERR_OK;
}

/* Drops one reference; the last one frees the registry (last_of_all: the one current at stop). */
static void styles_unref(styles_ref *r, bool last_of_all) {
  if (!r || atomic_fetch_sub(&r->refs, 1) != 1) return;
  if (last_of_all) render_styles_destroy(r->reg);
  else render_styles_destroy_replaced(r->reg);
  atomic_fetch_sub(r->live, 1);
  free(r);
}

void http_services_styles_release(styles_ref *ref) { styles_unref(ref, false); }

const render_styles *http_services_styles_acquire(http_services *s, styles_ref **out_ref) {
  pthread_mutex_lock(&s->styles_mu);
  styles_ref *r = s->styles_now;
  atomic_fetch_add(&r->refs, 1); /* under the mutex: a reload cannot drop it in between */
  pthread_mutex_unlock(&s->styles_mu);
  *out_ref = r;
  return r->reg;
}

size_t http_services_styles_live(http_services *s) { return atomic_load(&s->styles_live); }

err_code http_services_reload_styles(http_services *s, err *e) {
  styles_ref *fresh = NULL;
  err_code rc = styles_load(s, &fresh, e);
  if (rc != ERR_OK) return rc;
  log_skipped_styles(fresh->reg, s->config);
  pthread_mutex_lock(&s->styles_mu);
  styles_ref *old = s->styles_now;
  s->styles_now = fresh;
  pthread_mutex_unlock(&s->styles_mu);
  styles_unref(old, false); /* freed now, or by the last request that holds it */
  return ERR_OK;
}

err_code http_services_create(const server_config *cfg, http_services **out, err *e) {
  http_services *s = calloc(1, sizeof *s);
  if (!s) return err_set(e, ERR_NOMEM, "out of memory");
  s->config = cfg;
  pthread_mutex_init(&s->styles_mu, NULL);
  s->tiles = cache_create(cfg->tile_cache_bytes);
  s->pyramids = pyramid_registry_create();
  s->usage = usage_table_create();
  s->health = health_board_create();
  if (!s->tiles || !s->pyramids || !s->usage || !s->health) {
    health_board_destroy(s->health);
    cache_destroy(s->tiles);
    pyramid_registry_destroy(s->pyramids);
    usage_table_destroy(s->usage);
    pthread_mutex_destroy(&s->styles_mu);
    free(s);
    return err_set(e, ERR_NOMEM, "out of memory for the tile cache");
  }
  /* styles: the built-in ones of the source tree, then the user's (which may replace them) */
  s->images = cache_create(cfg->tile_cache_bytes / 2);
  atomic_init(&s->styles_live, 0);
  err_code rc = s->images ? styles_load(s, &s->styles_now, e)
                          : err_set(e, ERR_NOMEM, "out of memory for the image cache");
  if (rc != ERR_OK) {
    http_services_destroy(s);
    return rc;
  }
  if ((rc = open_archives(cfg, &s->archives, e)) != ERR_OK) {
    http_services_destroy(s);
    return rc;
  }
  if ((rc = auth_init(e)) != ERR_OK ||
      (rc = jobs_create(cfg->db_path, cfg->job_queue ? cfg->job_queue : HTTP_JOB_QUEUE, &s->jobs,
                        e)) != ERR_OK) {
    http_services_destroy(s);
    return rc;
  }
  s->logins = auth_throttle_create(HTTP_LOGIN_SLOTS, HTTP_LOGIN_FAILURES, HTTP_LOGIN_WINDOW_S);
  s->login_addrs = auth_throttle_create(HTTP_LOGIN_SLOTS, HTTP_LOGIN_FAILURES * 4,
                                        HTTP_LOGIN_WINDOW_S);
  if (!s->logins || !s->login_addrs) {
    http_services_destroy(s);
    return err_set(e, ERR_NOMEM, "out of memory");
  }
  log_skipped_styles(s->styles_now->reg, cfg);
  *out = s;
  return ERR_OK;
}

void http_services_destroy(http_services *s) {
  if (!s) return;
  cache_destroy(s->tiles);
  pyramid_registry_destroy(s->pyramids);
  styles_unref(s->styles_now, true); /* the workers are gone: nothing else holds any */
  pthread_mutex_destroy(&s->styles_mu);
  cache_destroy(s->images);
  archives_close(s->archives);
  usage_table_destroy(s->usage);
  jobs_destroy(s->jobs);
  auth_throttle_destroy(s->logins);
  auth_throttle_destroy(s->login_addrs);
  health_board_destroy(s->health);
  free(s);
}
