/* sources.c — the databases of a server: which one each worker reads, and the catalog watch.
 *
 * The watch (store/pg_watch.c) runs on the primary (--db): a server on a standby gets its watch
 * there too, where LISTEN is refused and the 2 s poll of the versions stands in. On each
 * announcement every cache derived from the layer forgets it: its tiles (raw, gzip, aggregate),
 * its cluster pyramids, and the rendered images (PNG tiles and static maps). Their keys name the
 * layer's version, so they would never be asked for again, and would only hold memory until
 * evicted; and what a write changed without a new version (a removal) is never served from them.
 * An image's key holds its style and the hash of its layers' versions, not their ids, so every
 * image goes (a write is rare; the glyph ranges, which no layer changes, stay). The catalog
 * snapshots of the workers move on by themselves (pg_catalog.c checks at once on a new epoch). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "http/sources.h"

struct http_sources {
  store_sources src;
  store_watch *watch;
  http_services *sv;
  atomic_uint next_slot; /* the standby of the next worker */
};

/* A tile's key: "<variant>id@version,id@version/z/x/y[#filter]" (tiles/serve.c). */
static bool key_has_layer(const char *key, void *ctx) {
  const char *id = ctx;
  if (!*id) return true;
  size_t n = strlen(id);
  for (const char *p = key + 1; *p && *p != '/';) {
    if (strncmp(p, id, n) == 0 && p[n] == '@') return true;
    p += strcspn(p, ",/");
    if (*p == ',') p++;
  }
  return false;
}

/* An image's key, not a glyph range's (render/serve.c). */
static bool key_is_image(const char *key, void *ctx) {
  (void)ctx;
  return strncmp(key, "fonts|", 6) != 0;
}

static void on_change(const char *layer_id, void *ctx) {
  http_sources *s = ctx;
  size_t n = cache_drop_matching(s->sv->tiles, key_has_layer, (void *)layer_id);
  size_t n_img = s->sv->images ? cache_drop_matching(s->sv->images, key_is_image, NULL) : 0;
  size_t n_pyr = s->sv->pyramids ? pyramid_forget(s->sv->pyramids, layer_id) : 0;
  log_info("catalog: %s%s changed: %zu cached tiles dropped, %zu images, %zu cluster pyramids",
           *layer_id ? "layer " : "", *layer_id ? layer_id : "every layer", n, n_img, n_pyr);
}

err_code http_sources_start(const server_config *cfg, http_services *sv, http_sources **out,
                            err *e) {
  *out = NULL;
  http_sources *s = calloc(1, sizeof *s);
  if (!s) return err_set(e, ERR_NOMEM, "out of memory");
  s->sv = sv;
  s->src.primary = cfg->db_path;
  s->src.busy_timeout_ms = cfg->busy_timeout_ms;
  for (size_t i = 0; i < cfg->n_db_read && i < STORE_READ_MAX; i++)
    s->src.replicas[s->src.n_replicas++] = cfg->db_read[i];
  if (store_db_is_pg(cfg->db_path)) {
    err_code rc = store_watch_start(cfg->db_path, on_change, s, &s->watch, e);
    if (rc != ERR_OK) {
      free(s);
      return rc;
    }
    s->src.watch = s->watch;
  }
  *out = s;
  return ERR_OK;
}

void http_sources_stop(http_sources *s) {
  if (!s) return;
  store_watch_stop(s->watch);
  free(s);
}

err_code http_sources_reader(http_sources *s, store_reader **out, err *e) {
  unsigned slot = atomic_fetch_add(&s->next_slot, 1);
  return store_reader_open_sources(&s->src, slot, out, e);
}
