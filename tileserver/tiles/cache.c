/* cache.c — LRU over a chained hash table. Entry = one malloc holding header, key and bytes. */
#include "tiles/cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
  struct entry *next_hash;
  struct entry *prev_lru, *next_lru; /* head = most recent */
  uint64_t hash;
  size_t len;
  char *key;
  uint8_t *data;
} entry;

struct tile_cache {
  pthread_mutex_t lock;
  entry **buckets;
  size_t n_buckets;
  entry *lru_head, *lru_tail;
  size_t max_bytes, bytes, entries;
  uint64_t hits, misses, evictions;
};

static uint64_t hash_key(const char *s) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
  return h;
}

tile_cache *tile_cache_create(size_t max_bytes) {
  tile_cache *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->n_buckets = 1u << 14;
  c->buckets = calloc(c->n_buckets, sizeof *c->buckets);
  if (!c->buckets) {
    free(c);
    return NULL;
  }
  c->max_bytes = max_bytes;
  pthread_mutex_init(&c->lock, NULL);
  return c;
}

void tile_cache_destroy(tile_cache *c) {
  if (!c) return;
  for (entry *e = c->lru_head, *next; e; e = next) {
    next = e->next_lru;
    free(e);
  }
  free(c->buckets);
  pthread_mutex_destroy(&c->lock);
  free(c);
}

static void lru_unlink(tile_cache *c, entry *e) {
  if (e->prev_lru) e->prev_lru->next_lru = e->next_lru;
  else c->lru_head = e->next_lru;
  if (e->next_lru) e->next_lru->prev_lru = e->prev_lru;
  else c->lru_tail = e->prev_lru;
  e->prev_lru = e->next_lru = NULL;
}

static void lru_push_front(tile_cache *c, entry *e) {
  e->next_lru = c->lru_head;
  e->prev_lru = NULL;
  if (c->lru_head) c->lru_head->prev_lru = e;
  c->lru_head = e;
  if (!c->lru_tail) c->lru_tail = e;
}

static entry **find_slot(tile_cache *c, const char *key, uint64_t h) {
  entry **slot = &c->buckets[h & (c->n_buckets - 1)];
  while (*slot && ((*slot)->hash != h || strcmp((*slot)->key, key) != 0))
    slot = &(*slot)->next_hash;
  return slot;
}

static void remove_entry(tile_cache *c, entry *e) {
  entry **slot = find_slot(c, e->key, e->hash);
  if (*slot == e) *slot = e->next_hash;
  lru_unlink(c, e);
  c->bytes -= e->len;
  c->entries--;
  free(e);
}

bool tile_cache_get(tile_cache *c, const char *key, buf *out) {
  if (!c || !c->max_bytes) return false;
  uint64_t h = hash_key(key);
  pthread_mutex_lock(&c->lock);
  entry *e = *find_slot(c, key, h);
  bool hit = e && buf_append(out, e->data, e->len);
  if (hit) {
    lru_unlink(c, e);
    lru_push_front(c, e);
    c->hits++;
  } else {
    c->misses++;
  }
  pthread_mutex_unlock(&c->lock);
  return hit;
}

void tile_cache_put(tile_cache *c, const char *key, const uint8_t *data, size_t len) {
  if (!c || len > c->max_bytes / 4) return; /* one tile never takes over the cache */
  size_t key_len = strlen(key);
  entry *e = malloc(sizeof *e + key_len + 1 + len);
  if (!e) return;
  memset(e, 0, sizeof *e);
  e->key = (char *)(e + 1);
  memcpy(e->key, key, key_len + 1);
  e->data = (uint8_t *)e->key + key_len + 1;
  if (len) memcpy(e->data, data, len);
  e->len = len;
  e->hash = hash_key(key);
  pthread_mutex_lock(&c->lock);
  entry *old = *find_slot(c, key, e->hash);
  if (old) remove_entry(c, old);
  while (c->lru_tail && c->bytes + len > c->max_bytes) {
    remove_entry(c, c->lru_tail);
    c->evictions++;
  }
  entry **slot = &c->buckets[e->hash & (c->n_buckets - 1)];
  e->next_hash = *slot;
  *slot = e;
  lru_push_front(c, e);
  c->bytes += len;
  c->entries++;
  pthread_mutex_unlock(&c->lock);
}

tile_cache_stats tile_cache_get_stats(tile_cache *c) {
  tile_cache_stats s = {0};
  if (!c) return s;
  pthread_mutex_lock(&c->lock);
  s = (tile_cache_stats){c->hits, c->misses, c->evictions, c->bytes, c->entries};
  pthread_mutex_unlock(&c->lock);
  return s;
}
