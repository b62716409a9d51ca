/* ratelimit.c — the token buckets of ratelimit.h in an open-addressed table. */
#include "http/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

typedef struct bucket {
  double tokens;   /* requests it may still make now (refilled lazily at `at`) */
  int64_t at;      /* when tokens was computed, microseconds */
} bucket;

typedef struct slot {
  http_addr key;
  bool used;
  bucket b[HTTP_RATE_CLASSES];
} slot;

struct http_rate {
  pthread_mutex_t mu;
  double per_s[HTTP_RATE_CLASSES], burst[HTTP_RATE_CLASSES];
  uint64_t seed[2];
  atomic_uint_fast64_t *evictions; /* NULL: not counted */
  size_t mask; /* n_slots - 1, n_slots a power of two */
  slot *slots;
};

http_rate *http_rate_create(double per_s, double burst, size_t n_slots,
                            atomic_uint_fast64_t *evictions) {
  if (!(per_s > 0)) return NULL;
  size_t n = HTTP_RATE_PROBE;
  while (n < n_slots && n < ((size_t)1 << 24)) n <<= 1;
  http_rate *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->slots = calloc(n, sizeof *r->slots);
  if (!r->slots || pthread_mutex_init(&r->mu, NULL) != 0) {
    free(r->slots);
    free(r);
    return NULL;
  }
  r->mask = n - 1;
  r->evictions = evictions;
  r->per_s[HTTP_RATE_REQUESTS] = per_s;
  r->burst[HTTP_RATE_REQUESTS] = burst >= 1 ? burst : 1;
  r->per_s[HTTP_RATE_MONITORING] = fmax(per_s, HTTP_RATE_MONITORING_PER_S);
  r->burst[HTTP_RATE_MONITORING] = fmax(r->burst[HTTP_RATE_REQUESTS], HTTP_RATE_MONITORING_BURST);
  /* Without the random source the seed is the clock: weaker against aiming, still bounded. */
  if (getrandom(r->seed, sizeof r->seed, GRND_NONBLOCK) != (ssize_t)sizeof r->seed) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    r->seed[0] = (uint64_t)t.tv_nsec * 0x9E3779B97F4A7C15u ^ (uint64_t)t.tv_sec;
    r->seed[1] = (uint64_t)(uintptr_t)r;
  }
  return r;
}

void http_rate_destroy(http_rate *r) {
  if (!r) return;
  pthread_mutex_destroy(&r->mu);
  free(r->slots);
  free(r);
}

/* The key an address counts under: IPv4 whole, IPv6 by its /64. */
static http_addr key_of(const http_addr *a) {
  http_addr k = *a;
  if (!http_addr_is_v4(&k)) memset(k.b + 8, 0, 8);
  return k;
}

/* A keyed mix of the 16 bytes (not a cryptographic MAC: the seed only has to keep a client from
 * choosing its neighbours; a collision costs an eviction, never a wrong answer). */
static uint64_t hash_of(const http_rate *r, const http_addr *k) {
  uint64_t lo, hi;
  memcpy(&lo, k->b, 8);
  memcpy(&hi, k->b + 8, 8);
  uint64_t h = (lo ^ r->seed[0]) * 0x9E3779B97F4A7C15u;
  h ^= h >> 32;
  h = (h ^ hi ^ r->seed[1]) * 0xC2B2AE3D27D4EB4Fu;
  h ^= h >> 29;
  h *= 0x165667B19E3779F9u;
  return h ^ (h >> 32);
}

static int64_t last_use(const slot *s) {
  int64_t t = s->b[0].at;
  for (int c = 1; c < HTTP_RATE_CLASSES; c++)
    if (s->b[c].at > t) t = s->b[c].at;
  return t;
}

/* The slot of key, else a free one, else the one left alone longest (evicted). */
static slot *slot_for(http_rate *r, const http_addr *key, int64_t now_us) {
  size_t i0 = (size_t)hash_of(r, key) & r->mask;
  slot *free_slot = NULL, *oldest = NULL;
  for (size_t j = 0; j < HTTP_RATE_PROBE; j++) {
    slot *s = &r->slots[(i0 + j) & r->mask];
    if (s->used && memcmp(&s->key, key, sizeof *key) == 0) return s;
    if (!s->used) {
      if (!free_slot) free_slot = s;
    } else if (!oldest || last_use(s) < last_use(oldest)) {
      oldest = s;
    }
  }
  slot *s = free_slot;
  if (!s) {
    s = oldest;
    if (r->evictions) atomic_fetch_add_explicit(r->evictions, 1, memory_order_relaxed);
  }
  s->key = *key;
  s->used = true;
  for (int c = 0; c < HTTP_RATE_CLASSES; c++) s->b[c] = (bucket){r->burst[c], now_us};
  return s;
}

bool http_rate_take(http_rate *r, const http_addr *addr, http_rate_class cls, int64_t now_us,
                    int *out_retry_s) {
  http_addr key = key_of(addr);
  bool ok;
  pthread_mutex_lock(&r->mu);
  bucket *b = &slot_for(r, &key, now_us)->b[cls];
  if (now_us > b->at) {
    b->tokens += (double)(now_us - b->at) * 1e-6 * r->per_s[cls];
    if (b->tokens > r->burst[cls]) b->tokens = r->burst[cls];
    b->at = now_us;
  }
  ok = b->tokens >= 1.0;
  if (ok) b->tokens -= 1.0;
  else *out_retry_s = (int)ceil((1.0 - b->tokens) / r->per_s[cls]);
  pthread_mutex_unlock(&r->mu);
  if (!ok && *out_retry_s < 1) *out_retry_s = 1;
  return ok;
}
