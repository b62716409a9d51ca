/* services.c — creation and destruction of the shared services. */
#include <stdlib.h>

#include "http/services.h"

err_code http_services_create(const server_config *cfg, http_services **out, err *e) {
  http_services *s = calloc(1, sizeof *s);
  if (!s) return err_set(e, ERR_NOMEM, "out of memory");
  s->config = cfg;
  s->tiles = tile_cache_create(cfg->tile_cache_bytes);
  s->pyramids = pyramid_registry_create();
  if (!s->tiles || !s->pyramids) {
    tile_cache_destroy(s->tiles);
    pyramid_registry_destroy(s->pyramids);
    free(s);
    return err_set(e, ERR_NOMEM, "out of memory for the tile cache");
  }
  *out = s;
  return ERR_OK;
}

void http_services_destroy(http_services *s) {
  if (!s) return;
  tile_cache_destroy(s->tiles);
  pyramid_registry_destroy(s->pyramids);
  free(s);
}
