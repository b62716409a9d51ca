/* serve.c — the cache in front of tiles_build, and what names a tile: its cache key and ETag.
 * Both forms of a tile are cached, raw and gzip, so a hit costs a hash lookup and no
 * recompression; the hit is handed over pinned (cache_pin), so the cached bytes themselves
 * are sent, without a copy.
 *
 * A filtered tile is keyed by the whole canonical text of its filters, never by a hash of it: two
 * filters whose hashes collide would otherwise share an entry and one would get the other's tile.
 * The text is the canonical form of the parsed predicate (query_pred_canon), so spellings of one
 * predicate (`hora>=20`, `"hora" >= 20.0`) share one entry; the ETag hashes it. */
#include <string.h>

#include "core/hash.h"
#include "core/output_id.h"
#include "core/gzip.h"
#include "cache/cache.h"
#include "tiles/tiles.h"

/* Writes v in decimal at s; returns the digits written (at most 20). */
static size_t fmt_uint(char *s, uint64_t v) {
  char tmp[20];
  size_t n = 0;
  do tmp[sizeof tmp - ++n] = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  memcpy(s, tmp + sizeof tmp - n, n);
  return n;
}

/* Writes v in decimal at s, '-' first when negative; returns the characters written (<= 21). */
static size_t fmt_int(char *s, int64_t v) {
  if (v >= 0) return fmt_uint(s, (uint64_t)v);
  *s = '-';
  return 1 + fmt_uint(s + 1, -(uint64_t)v);
}

/* Writes the low 4 * digits bits of v in lower-case hex at s. */
static size_t fmt_hex(char *s, uint64_t v, int digits) {
  for (int i = digits - 1; i >= 0; i--, v >>= 4) s[i] = "0123456789abcdef"[v & 15];
  return (size_t)digits;
}

/* Per filtered layer: "[i]<canonical predicate>;". The canonical text quotes names and text as
 * JSON strings, so the whole parses back one way only. */
err_code tiles_filter_key(const tile_params *p, buf *out, err *e) {
  size_t start = out->len;
  for (size_t i = 0; i < p->n_layers; i++) {
    const tile_filter *f = p->filters[i];
    if (!f) continue;
    if (query_pred_n_values(f->where) > TILES_FILTER_MAX_VALUES)
      return err_set(e, ERR_INVALID, "filter: a tile's filter holds at most %d values",
                     TILES_FILTER_MAX_VALUES);
    buf_printf(out, "[%zu]", i);
    query_pred_canon(out, f->where);
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

/* Appends v in decimal (cache keys are made on every request: no printf). */
static void put_int(buf *b, int64_t v) {
  char tmp[21];
  buf_append(b, tmp, fmt_int(tmp, v));
}

/* "<v>id@version,id@version/z/x/y[#filter key]": v is the variant, 'r' raw or 'g' gzip, so the
 * two keys of a tile differ in their first byte only. */
static void cache_key(const tile_params *p, char variant, buf *out) {
  buf_putc(out, variant);
  for (size_t i = 0; i < p->n_layers; i++) {
    if (i) buf_putc(out, ',');
    buf_puts(out, p->layers[i]->id);
    buf_putc(out, '@');
    put_int(out, p->layers[i]->version);
  }
  const uint32_t zxy[3] = {p->tile.z, p->tile.x, p->tile.y};
  for (int i = 0; i < 3; i++) {
    buf_putc(out, '/');
    put_int(out, zxy[i]);
  }
  if (p->filter_key && *p->filter_key) {
    buf_putc(out, '#');
    buf_puts(out, p->filter_key);
  }
  buf_cstr(out);
}

/* "t<versions>-<ids hash>-z-x-y-<filter hash>", formatted by hand: it is made on every tile
 * request, and printf was a few per cent of a cached tile's time. */
void tiles_etag(const tile_params *p, char *out, size_t out_len) {
  char tag[256];
  size_t n = 0;
  tag[n++] = '"';
  tag[n++] = 't';
  /* the build that encodes the tile is part of its tag (core/output_id.h) */
  uint32_t h = hash_fnv32_str(HASH_FNV32_SEED, TESELAS_OUTPUT_ID);
  /* versions joined by '.', up to about 96 characters (16 layers of small versions fit) */
  for (size_t i = 0, start = n; i < p->n_layers && n - start < 96; i++) {
    if (i) tag[n++] = '.';
    n += fmt_int(tag + n, p->layers[i]->version);
    h = (h ^ hash_fnv32_str(HASH_FNV32_SEED, p->layers[i]->id)) * 16777619u;
  }
  tag[n++] = '-';
  n += fmt_hex(tag + n, h, 8);
  const uint32_t zxy[3] = {p->tile.z, p->tile.x, p->tile.y};
  for (int i = 0; i < 3; i++) {
    tag[n++] = '-';
    n += fmt_uint(tag + n, zxy[i]);
  }
  tag[n++] = '-';
  /* The unfiltered tag keeps its old form, so clients' caches stay valid across this change. */
  if (p->filter_key && *p->filter_key) {
    tag[n++] = 'f';
    n += fmt_hex(tag + n, hash_mix64(hash_fnv64_str(HASH_FNV64_SEED, p->filter_key)), 16);
  } else {
    n += fmt_hex(tag + n, 0, 8);
  }
  tag[n++] = '"';
  if (out_len == 0) return;
  if (n >= out_len) n = out_len - 1;
  memcpy(out, tag, n);
  out[n] = '\0';
}

err_code tiles_serve(store_reader *r, cache *answers, const tile_params *p, bool want_gzip,
                     tile_served *out, err *e) {
  out->pin = NULL;
  out->gzip = false;
  buf key, raw;
  buf_init(&key, 0);
  buf_init(&raw, TILES_BYTE_LIMIT);
  cache_key(p, want_gzip ? 'g' : 'r', &key);
  err_code rc = ERR_OK;
  if (key.failed) {
    rc = err_set(e, ERR_NOMEM, "out of memory");
    goto done;
  }
  char *k = (char *)key.data;
  if ((out->pin = cache_pin(answers, k)) != NULL) {
    out->gzip = want_gzip && cache_entry_len(out->pin) > 0;
    goto done;
  }
  if (!want_gzip) { /* built straight into the response */
    size_t start = out->bytes->len;
    rc = tiles_build(r, p, out->bytes, NULL, e);
    if (rc == ERR_OK)
      cache_put(answers, k, out->bytes->data + start, out->bytes->len - start);
    goto done;
  }
  /* gzip asked and not cached: compress the raw tile, cached or built */
  k[0] = 'r';
  cache_entry *raw_pin = cache_pin(answers, k);
  const uint8_t *data = raw_pin ? cache_entry_data(raw_pin) : NULL;
  size_t len = raw_pin ? cache_entry_len(raw_pin) : 0;
  if (!raw_pin) {
    if ((rc = tiles_build(r, p, &raw, NULL, e)) != ERR_OK) goto done;
    cache_put(answers, k, raw.data, raw.len);
    data = raw.data;
    len = raw.len;
  }
  k[0] = 'g';
  if (len == 0) {
    cache_put(answers, k, NULL, 0); /* an empty tile stays empty: 204 */
  } else {
    size_t start = out->bytes->len;
    rc = out->deflater ? gzip_deflate(out->deflater, data, len, out->bytes, e)
                       : gzip_compress(data, len, GZIP_LEVEL_ANSWER, out->bytes, e);
    if (rc == ERR_OK) {
      cache_put(answers, k, out->bytes->data + start, out->bytes->len - start);
      out->gzip = true;
    }
  }
  cache_release(raw_pin);
done:
  buf_free(&key);
  buf_free(&raw);
  return rc;
}
