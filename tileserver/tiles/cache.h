/* cache.h — a bounded in-memory cache of encoded tiles, shared by the worker threads.
 *
 * Keys name the layers *with their versions* (and the filter), so a re-import makes new keys and
 * the old entries simply age out: no invalidation, no restart. Least-recently-used entries are
 * evicted when the byte bound is reached. Thread-safe (one mutex; entries are copied out). */
#ifndef TESELAS_TILES_CACHE_H
#define TESELAS_TILES_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef struct tile_cache tile_cache;

/* max_bytes 0 gives a cache that stores nothing. Caller owns; tile_cache_destroy. */
tile_cache *tile_cache_create(size_t max_bytes);
void tile_cache_destroy(tile_cache *c);

/* On a hit, appends the bytes to out and returns true. */
bool tile_cache_get(tile_cache *c, const char *key, buf *out);
/* Stores a copy of [data, data+len) under key (replacing an older entry). */
void tile_cache_put(tile_cache *c, const char *key, const uint8_t *data, size_t len);

typedef struct tile_cache_stats {
  uint64_t hits, misses, evictions;
  size_t bytes, entries;
} tile_cache_stats;
tile_cache_stats tile_cache_get_stats(tile_cache *c);

#endif
