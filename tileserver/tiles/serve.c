/* serve.c — the cache in front of tiles_build. Both forms of a tile are cached, raw and gzip,
 * so a hit costs a hash lookup and a copy, never a recompression. */
#include <stdio.h>
#include <string.h>

#include "core/gzip.h"
#include "tiles/cache.h"
#include "tiles/tiles.h"

static uint32_t fnv32(const char *s) {
  uint32_t h = 2166136261u;
  for (; s && *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
  return h;
}

/* "id@version,id@version/z/x/y#filterhash[.gz]" */
static void cache_key(const tile_params *p, bool gz, char *out, size_t out_len) {
  size_t n = 0;
  for (size_t i = 0; i < p->n_layers && n < out_len; i++)
    n += (size_t)snprintf(out + n, out_len - n, "%s%s@%lld", i ? "," : "", p->layers[i]->id,
                          (long long)p->layers[i]->version);
  if (n < out_len)
    snprintf(out + n, out_len - n, "/%u/%u/%u#%08x%s", p->tile.z, p->tile.x, p->tile.y,
             p->filter ? fnv32(p->filter->key) : 0u, gz ? ".gz" : "");
}

void tiles_etag(const tile_params *p, char *out, size_t out_len) {
  uint32_t h = 2166136261u;
  char versions[96] = "";
  size_t n = 0;
  for (size_t i = 0; i < p->n_layers && n < sizeof versions; i++) {
    n += (size_t)snprintf(versions + n, sizeof versions - n, "%s%lld", i ? "." : "",
                          (long long)p->layers[i]->version);
    h = (h ^ fnv32(p->layers[i]->id)) * 16777619u;
  }
  snprintf(out, out_len, "\"t%s-%08x-%u-%u-%u-%08x\"", versions, h, p->tile.z, p->tile.x,
           p->tile.y, p->filter ? fnv32(p->filter->key) : 0u);
}

err_code tiles_serve(store_reader *r, tile_cache *cache, const tile_params *p, bool want_gzip,
                     buf *out, bool *out_gzip, err *e) {
  char key[1024];
  *out_gzip = false;
  cache_key(p, want_gzip, key, sizeof key);
  if (tile_cache_get(cache, key, out)) {
    *out_gzip = want_gzip && out->len > 0;
    return ERR_OK;
  }
  buf raw;
  buf_init(&raw, TILES_BYTE_LIMIT);
  char raw_key[1024];
  cache_key(p, false, raw_key, sizeof raw_key);
  err_code rc = ERR_OK;
  if (!want_gzip || !tile_cache_get(cache, raw_key, &raw)) {
    rc = tiles_build(r, p, &raw, NULL, e);
    if (rc == ERR_OK) tile_cache_put(cache, raw_key, raw.data, raw.len);
  }
  if (rc == ERR_OK && want_gzip && raw.len > 0) {
    rc = gzip_compress(raw.data, raw.len, 6, out, e);
    if (rc == ERR_OK) {
      tile_cache_put(cache, key, out->data, out->len);
      *out_gzip = true;
    }
  } else if (rc == ERR_OK) {
    if (want_gzip) tile_cache_put(cache, key, NULL, 0);
    buf_append(out, raw.data, raw.len);
  }
  buf_free(&raw);
  return rc;
}
