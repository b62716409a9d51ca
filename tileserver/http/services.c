/* services.c — creation and destruction of the shared services. */
#include <stdlib.h>

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

err_code http_services_create(const server_config *cfg, http_services **out, err *e) {
  http_services *s = calloc(1, sizeof *s);
  if (!s) return err_set(e, ERR_NOMEM, "out of memory");
  s->config = cfg;
  s->tiles = cache_create(cfg->tile_cache_bytes);
  s->pyramids = pyramid_registry_create();
  if (!s->tiles || !s->pyramids) {
    cache_destroy(s->tiles);
    pyramid_registry_destroy(s->pyramids);
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
  free(s);
}
