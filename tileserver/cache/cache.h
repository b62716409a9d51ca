/* cache.h — the one bounded in-memory cache of encoded answers, shared by the worker threads:
 * vector tiles (tiles_serve), PNG images (render_serve_image) and glyph ranges
 * (render_serve_glyphs) go through it alike, each kind in an instance with its own bound.
 *
 * Keys name the layers *with their versions* (and the filter, or the style's hash), so a
 * re-import makes new keys and the old entries simply age out: no invalidation, no restart. Least-recently-used entries are
 * evicted when the byte bound is reached. Thread-safe: one mutex guards the table and the LRU
 * list; a hit is either copied out (cache_get) or pinned (cache_pin) so that the HTTP
 * library sends the cached bytes themselves, with no copy and no lock held while they are sent.
 *
 * Pins and the bound: an entry is reference-counted (the cache holds one reference while the
 * entry is in the table, each pin one more). An entry evicted or replaced while pinned leaves the
 * table at once (a lookup no longer finds it) but its memory lives on until the last pin is
 * released, and until then its bytes still count in `bytes`: the bound is a bound on memory. The
 * cache cannot evict what is pinned, so while responses are in flight `bytes` may exceed the
 * bound by the size of the tiles being sent at that moment (at most one per connection, each at
 * most a quarter of the bound). */
#ifndef TESELAS_CACHE_H
#define TESELAS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef struct cache cache;
typedef struct cache_entry cache_entry;

/* max_bytes 0 gives a cache that stores nothing. Caller owns; cache_destroy, which must come
 * after every pin was released (asserted). */
cache *cache_create(size_t max_bytes);
void cache_destroy(cache *c);

/* On a hit, appends the bytes to out and returns true (false also when out cannot grow). */
bool cache_get(cache *c, const char *key, buf *out);
/* On a hit, pins the entry and returns it: its bytes stay valid and unchanged until
 * cache_release, whatever the cache does meanwhile. NULL on a miss. Any thread may release. */
cache_entry *cache_pin(cache *c, const char *key);
const uint8_t *cache_entry_data(const cache_entry *e);
size_t cache_entry_len(const cache_entry *e);
/* Drops a pin; frees the entry when it was the last reference to an entry no longer in the table.
 * NULL is ignored. */
void cache_release(cache_entry *e);

/* Stores a copy of [data, data+len) under key (replacing an older entry). Tiles larger than a
 * quarter of the bound are not kept. */
void cache_put(cache *c, const char *key, const uint8_t *data, size_t len);

/* Drops every entry whose key match(key, ctx) accepts (a pinned one lives on until released, as on
 * eviction) and returns how many. Walks the whole table under the lock: for rare events (a layer's
 * new version announced by the database), never per request. */
size_t cache_drop_matching(cache *c, bool (*match)(const char *key, void *ctx), void *ctx);

typedef struct cache_stats {
  uint64_t hits, misses, evictions;
  size_t bytes;           /* memory of the entries in the table and of those only pins keep */
  size_t entries;         /* entries in the table */
  size_t pinned_unlinked; /* entries out of the table that pins still keep alive */
} cache_stats;
cache_stats cache_get_stats(cache *c);

#endif
