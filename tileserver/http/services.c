/* services.c — creation and destruction of the shared services. */
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "http/services.h"

/* Says at start-up which named styles are not offered for this database and why (the database
 * may gain their layers later: they are offered from then on, without a restart). */
static void log_skipped_styles(const render_styles *reg, const char *db_path) {
  store_reader *r = NULL;
  const catalog *c = NULL;
  err e;
  if (db_path && store_reader_open(db_path, &r, &e) == ERR_OK &&
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

err_code http_services_create(const server_config *cfg, http_services **out, err *e) {
  http_services *s = calloc(1, sizeof *s);
  if (!s) return err_set(e, ERR_NOMEM, "out of memory");
  s->config = cfg;
  s->tiles = cache_create(cfg->tile_cache_bytes);
  s->pyramids = pyramid_registry_create();
  s->usage = usage_table_create();
  s->health = health_board_create();
  if (!s->tiles || !s->pyramids || !s->usage || !s->health) {
    health_board_destroy(s->health);
    cache_destroy(s->tiles);
    pyramid_registry_destroy(s->pyramids);
    usage_table_destroy(s->usage);
    free(s);
    return err_set(e, ERR_NOMEM, "out of memory for the tile cache");
  }
  /* styles: the built-in ones of the source tree, then the user's (which may replace them) */
  s->images = cache_create(cfg->tile_cache_bytes / 2);
  err_code rc = s->images ? render_styles_create(TESELAS_SOURCE_DIR "/styles", cfg->styles_dir,
                                                 &s->styles, e)
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
  log_skipped_styles(s->styles, cfg->db_path);
  *out = s;
  return ERR_OK;
}

void http_services_destroy(http_services *s) {
  if (!s) return;
  cache_destroy(s->tiles);
  pyramid_registry_destroy(s->pyramids);
  render_styles_destroy(s->styles);
  cache_destroy(s->images);
  archives_close(s->archives);
  usage_table_destroy(s->usage);
  jobs_destroy(s->jobs);
  health_board_destroy(s->health);
  free(s);
}
