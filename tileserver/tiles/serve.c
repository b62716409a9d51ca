/* serve.c — the cache in front of tiles_build, and what names a tile: its cache key and ETag.
 * Both forms of a tile are cached, raw and gzip, so a hit costs a hash lookup and a copy, never a
 * recompression.
 *
 * A filtered tile is keyed by the whole canonical text of its filters, never by a hash of it: two
 * filters whose hashes collide would otherwise share an entry and one would get the other's tile.
 * The text is what the parser compiled (the SQL condition and its bound values), so spellings
 * that compile alike (`hora>=20`, `"hora" >= 20`) share one entry. */
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

/* FNV-1a 64 with a final avalanche (the splitmix64 finaliser), so that every bit of the text moves
 * every bit of the tag. For the ETag only: the cache compares the full text. */
static uint64_t hash64(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

static void put_value(buf *b, const value *v) {
  switch (v->kind) {
    case VALUE_NULL: buf_puts(b, "n"); break;
    case VALUE_INT: buf_printf(b, "i%lld", (long long)v->i); break;
    case VALUE_BOOL: buf_printf(b, "b%lld", (long long)v->i); break;
    case VALUE_REAL: buf_printf(b, "r%.17g", v->d); break;
    case VALUE_TEXT:
      buf_puts(b, "t\"");
      buf_json_escape(b, v->s ? v->s : "", v->s ? v->len : 0);
      buf_putc(b, '"');
      break;
  }
}

/* Per filtered layer: "[i]<sql length>:<sql>" then " <value>" for each value, then ";". The SQL is
 * length-prefixed and text values are JSON strings, so the text parses back one way only. */
err_code tiles_filter_key(const tile_params *p, buf *out, err *e) {
  size_t start = out->len;
  for (size_t i = 0; i < p->n_layers; i++) {
    const tile_filter *f = p->filters[i];
    if (!f) continue;
    if (f->n_args > TILES_FILTER_MAX_VALUES)
      return err_set(e, ERR_INVALID, "filter: a tile's filter holds at most %d values",
                     TILES_FILTER_MAX_VALUES);
    const char *sql = f->where_sql ? f->where_sql : "";
    buf_printf(out, "[%zu]%zu:%s", i, strlen(sql), sql);
    for (size_t k = 0; k < f->n_args; k++) {
      buf_putc(out, ' ');
      put_value(out, &f->args[k]);
    }
    buf_putc(out, ';');
    if (out->len - start > TILES_FILTER_KEY_MAX)
      return err_set(e, ERR_INVALID,
                     "filter: too long for a tile (at most %d bytes once normalised; use the "
                     "features API for longer filters)",
                     TILES_FILTER_KEY_MAX);
  }
  buf_cstr(out);
  return out->failed ? err_set(e, ERR_NOMEM, "out of memory") : ERR_OK;
}

/* "id@version,id@version/z/x/y[.gz][#filter key]" */
static void cache_key(const tile_params *p, bool gz, buf *out) {
  for (size_t i = 0; i < p->n_layers; i++)
    buf_printf(out, "%s%s@%lld", i ? "," : "", p->layers[i]->id,
               (long long)p->layers[i]->version);
  buf_printf(out, "/%u/%u/%u%s", p->tile.z, p->tile.x, p->tile.y, gz ? ".gz" : "");
  if (p->filter_key && *p->filter_key) buf_printf(out, "#%s", p->filter_key);
  buf_cstr(out);
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
  int k = snprintf(out, out_len, "\"t%s-%08x-%u-%u-%u-", versions, h, p->tile.z, p->tile.x,
                   p->tile.y);
  if (k < 0 || (size_t)k >= out_len) return;
  /* The unfiltered tag keeps its old form, so clients' caches stay valid across this change. */
  if (p->filter_key && *p->filter_key)
    snprintf(out + k, out_len - (size_t)k, "f%016llx\"",
             (unsigned long long)hash64(p->filter_key));
  else
    snprintf(out + k, out_len - (size_t)k, "00000000\"");
}

err_code tiles_serve(store_reader *r, tile_cache *cache, const tile_params *p, bool want_gzip,
                     buf *out, bool *out_gzip, err *e) {
  *out_gzip = false;
  buf key, raw_key, raw;
  buf_init(&key, 0);
  buf_init(&raw_key, 0);
  buf_init(&raw, TILES_BYTE_LIMIT);
  cache_key(p, want_gzip, &key);
  cache_key(p, false, &raw_key);
  err_code rc = ERR_OK;
  if (key.failed || raw_key.failed) {
    rc = err_set(e, ERR_NOMEM, "out of memory");
    goto done;
  }
  if (tile_cache_get(cache, buf_cstr(&key), out)) {
    *out_gzip = want_gzip && out->len > 0;
    goto done;
  }
  if (!want_gzip || !tile_cache_get(cache, buf_cstr(&raw_key), &raw)) {
    rc = tiles_build(r, p, &raw, NULL, e);
    if (rc == ERR_OK) tile_cache_put(cache, buf_cstr(&raw_key), raw.data, raw.len);
  }
  if (rc == ERR_OK && want_gzip && raw.len > 0) {
    rc = gzip_compress(raw.data, raw.len, 6, out, e);
    if (rc == ERR_OK) {
      tile_cache_put(cache, buf_cstr(&key), out->data, out->len);
      *out_gzip = true;
    }
  } else if (rc == ERR_OK) {
    if (want_gzip) tile_cache_put(cache, buf_cstr(&key), NULL, 0);
    buf_append(out, raw.data, raw.len);
  }
done:
  buf_free(&key);
  buf_free(&raw_key);
  buf_free(&raw);
  return rc;
}
