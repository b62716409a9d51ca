/* cache.c — LRU over a chained hash table (cache.h). Entry = one malloc holding header, key and
 * bytes.
 *
 * Reference counts: the table holds one reference to each entry in it, every pin one more. The
 * table's reference is dropped under the mutex (eviction, replacement, destroy); a pin is taken
 * under the mutex (the lookup) but dropped without it, by an atomic decrement: the mutex is taken
 * again only by the release that frees an entry the table no longer holds, to settle the byte
 * count. So the common release, of an entry still in the table, costs one atomic operation. */
#include "core/hash.h"
#include "cache/cache.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct cache_entry {
  struct cache_entry *next_hash;
  struct cache_entry *prev_lru, *next_lru; /* head = most recent */
  cache *cache;
  atomic_size_t refs; /* 1 for the table while the entry is in it, + 1 per pin */
  uint64_t hash;
  size_t len;
  char *key;
  uint8_t *data;
};
typedef struct cache_entry entry;

struct cache {
  pthread_mutex_t lock;
  entry **buckets;
  size_t n_buckets;
  entry *lru_head, *lru_tail;
  size_t max_bytes, bytes, entries, pinned_unlinked;
  uint64_t hits, misses, evictions;
};

static uint64_t hash_key(const char *s) {
  return hash_mix64(hash_fnv64_str(HASH_FNV64_SEED, s));
}

cache *cache_create(size_t max_bytes) {
  cache *c = calloc(1, sizeof *c);
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

void cache_destroy(cache *c) {
  if (!c) return;
  assert(c->pinned_unlinked == 0); /* a response still holds a pin: destroyed too early */
  for (entry *e = c->lru_head, *next; e; e = next) {
    next = e->next_lru;
    assert(atomic_load(&e->refs) == 1);
    free(e);
  }
  free(c->buckets);
  pthread_mutex_destroy(&c->lock);
  free(c);
}

static void lru_unlink(cache *c, entry *e) {
  if (e->prev_lru) e->prev_lru->next_lru = e->next_lru;
  else c->lru_head = e->next_lru;
  if (e->next_lru) e->next_lru->prev_lru = e->prev_lru;
  else c->lru_tail = e->prev_lru;
  e->prev_lru = e->next_lru = NULL;
}

static void lru_push_front(cache *c, entry *e) {
  e->next_lru = c->lru_head;
  e->prev_lru = NULL;
  if (c->lru_head) c->lru_head->prev_lru = e;
  c->lru_head = e;
  if (!c->lru_tail) c->lru_tail = e;
}

static entry **find_slot(cache *c, const char *key, uint64_t h) {
  entry **slot = &c->buckets[h & (c->n_buckets - 1)];
  while (*slot && ((*slot)->hash != h || strcmp((*slot)->key, key) != 0))
    slot = &(*slot)->next_hash;
  return slot;
}

/* Takes e out of the table and drops the table's reference; e is freed now unless pinned, else by
 * the last cache_release. Under the lock. */
static void remove_entry(cache *c, entry *e) {
  entry **slot = find_slot(c, e->key, e->hash);
  if (*slot == e) *slot = e->next_hash;
  lru_unlink(c, e);
  c->entries--;
  if (atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) == 1) {
    c->bytes -= e->len;
    free(e);
  } else {
    c->pinned_unlinked++;
  }
}

cache_entry *cache_pin(cache *c, const char *key) {
  if (!c || !c->max_bytes) return NULL;
  uint64_t h = hash_key(key);
  pthread_mutex_lock(&c->lock);
  entry *e = *find_slot(c, key, h);
  if (e) {
    atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed); /* the table holds one */
    lru_unlink(c, e);
    lru_push_front(c, e);
    c->hits++;
  } else {
    c->misses++;
  }
  pthread_mutex_unlock(&c->lock);
  return e;
}

const uint8_t *cache_entry_data(const cache_entry *e) { return e->data; }

size_t cache_entry_len(const cache_entry *e) { return e->len; }

void cache_release(cache_entry *e) {
  if (!e) return;
  /* acq_rel: every pin's reads of the bytes happen before the free below */
  if (atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) != 1) return;
  /* the last reference, so the table dropped its own already (remove_entry counted it) */
  cache *c = e->cache;
  pthread_mutex_lock(&c->lock);
  c->bytes -= e->len;
  c->pinned_unlinked--;
  pthread_mutex_unlock(&c->lock);
  free(e);
}

bool cache_get(cache *c, const char *key, buf *out) {
  entry *e = cache_pin(c, key);
  if (!e) return false;
  bool ok = buf_append(out, e->data, e->len);
  cache_release(e);
  return ok;
}

void cache_put(cache *c, const char *key, const uint8_t *data, size_t len) {
  if (!c || len > c->max_bytes / 4) return; /* one tile never takes over the cache */
  size_t key_len = strlen(key);
  entry *e = malloc(sizeof *e + key_len + 1 + len);
  if (!e) return;
  memset(e, 0, sizeof *e);
  atomic_init(&e->refs, 1);
  e->cache = c;
  e->key = (char *)(e + 1);
  memcpy(e->key, key, key_len + 1);
  e->data = (uint8_t *)e->key + key_len + 1;
  if (len) memcpy(e->data, data, len);
  e->len = len;
  e->hash = hash_key(key);
  pthread_mutex_lock(&c->lock);
  entry *old = *find_slot(c, key, e->hash);
  if (old) remove_entry(c, old);
  /* Pinned entries out of the table still count in bytes but cannot be evicted: once the table
   * is empty the new entry goes in all the same (see cache.h). */
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

size_t cache_drop_matching(cache *c, bool (*match)(const char *key, void *ctx), void *ctx) {
  if (!c) return 0;
  size_t n = 0;
  pthread_mutex_lock(&c->lock);
  for (entry *e = c->lru_head, *next; e; e = next) {
    next = e->next_lru;
    if (!match(e->key, ctx)) continue;
    remove_entry(c, e);
    n++;
  }
  pthread_mutex_unlock(&c->lock);
  return n;
}

cache_stats cache_get_stats(cache *c) {
  cache_stats s = {0};
  if (!c) return s;
  pthread_mutex_lock(&c->lock);
  s = (cache_stats){c->hits, c->misses, c->evictions, c->bytes, c->entries,
                         c->pinned_unlinked};
  pthread_mutex_unlock(&c->lock);
  return s;
}
