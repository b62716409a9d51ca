/* ratelimit.c — the token buckets of ratelimit.h in an open-addressed table, and each address's
 * run of 429s for the penalty of an address that ignores them. */
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

/* An address's 429s one within the Retry-After of the one before: a client that waits as told
 * breaks the run; an address in it long enough is refused at accept until refused_until. */
typedef struct streak {
  int64_t from;          /* the run's first 429 */
  int64_t told_until;    /* when its last 429 said to come back */
  int64_t refused_until; /* its penalty window's end; 0: never refused */
  uint32_t n;            /* 429s in the run */
} streak;

typedef struct slot {
  http_addr key;
  bool used;
  bucket b[HTTP_RATE_CLASSES];
  streak st;
} slot;

struct http_rate {
  pthread_mutex_t mu;
  double per_s[HTTP_RATE_CLASSES], burst[HTTP_RATE_CLASSES];
  uint64_t seed[2];
  atomic_uint_fast64_t *evictions; /* NULL: not counted */
  int64_t penalty_us; /* --per-ip-penalty; 0: none */
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

/* A slot in its penalty window counts as used until the window ends, so a crowd of other
 * addresses does not evict the flooder it holds off (an evicted one starts again at a 429). */
static int64_t last_use(const slot *s) {
  int64_t t = s->st.refused_until;
  for (int c = 0; c < HTTP_RATE_CLASSES; c++)
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
  s->st = (streak){0};
  return s;
}

/* The slot of key, or NULL: never places one. */
static slot *slot_find(http_rate *r, const http_addr *key) {
  size_t i0 = (size_t)hash_of(r, key) & r->mask;
  for (size_t j = 0; j < HTTP_RATE_PROBE; j++) {
    slot *s = &r->slots[(i0 + j) & r->mask];
    if (s->used && memcmp(&s->key, key, sizeof *key) == 0) return s;
  }
  return NULL;
}

void http_rate_set_penalty(http_rate *r, double seconds) {
  r->penalty_us = seconds > 0 ? (int64_t)(seconds * 1e6) : 0;
}

/* Counts one 429 told to come back in retry_s; true when it starts the address's penalty. */
static bool strike(const http_rate *r, streak *st, int64_t now_us, int retry_s) {
  bool after_penalty = st->refused_until && now_us < st->refused_until + r->penalty_us;
  if (now_us >= st->told_until && !after_penalty) *st = (streak){.from = now_us};
  st->n++;
  int64_t told = now_us + (int64_t)retry_s * 1000000;
  if (told > st->told_until) st->told_until = told;
  if (!after_penalty && (st->n < HTTP_RATE_STRIKES ||
                         now_us - st->from < (int64_t)HTTP_RATE_GRACE_MS * 1000))
    return false;
  st->refused_until = now_us + r->penalty_us;
  return true;
}

/* Whole seconds from now to until, at least 1. */
static int seconds_until(int64_t now_us, int64_t until_us) {
  int64_t s = (until_us - now_us + 999999) / 1000000;
  return s < 1 ? 1 : s > 86400 ? 86400 : (int)s;
}

http_rate_verdict http_rate_check(http_rate *r, const http_addr *addr, http_rate_class cls,
                                  bool refusable, int64_t now_us, int *out_retry_s) {
  http_addr key = key_of(addr);
  http_rate_verdict v = HTTP_RATE_SERVE;
  pthread_mutex_lock(&r->mu);
  slot *s = slot_for(r, &key, now_us);
  bool penalised = refusable && r->penalty_us && now_us < s->st.refused_until;
  bucket *b = &s->b[cls];
  if (now_us > b->at) {
    b->tokens += (double)(now_us - b->at) * 1e-6 * r->per_s[cls];
    if (b->tokens > r->burst[cls]) b->tokens = r->burst[cls];
    b->at = now_us;
  }
  if (penalised) { /* a connection opened before the window: told once more, then closed */
    v = HTTP_RATE_CLOSE;
    *out_retry_s = seconds_until(now_us, s->st.refused_until);
  } else if (b->tokens >= 1.0) {
    b->tokens -= 1.0;
  } else {
    double wait = ceil((1.0 - b->tokens) / r->per_s[cls]);
    *out_retry_s = wait < 1 ? 1 : wait > 86400 ? 86400 : (int)wait;
    v = HTTP_RATE_LIMIT;
    if (refusable && r->penalty_us && strike(r, &s->st, now_us, *out_retry_s)) {
      v = HTTP_RATE_CLOSE;
      *out_retry_s = seconds_until(now_us, s->st.refused_until);
    }
  }
  pthread_mutex_unlock(&r->mu);
  return v;
}

bool http_rate_take(http_rate *r, const http_addr *addr, http_rate_class cls, int64_t now_us,
                    int *out_retry_s) {
  return http_rate_check(r, addr, cls, false, now_us, out_retry_s) == HTTP_RATE_SERVE;
}

bool http_rate_refuses(http_rate *r, const http_addr *addr, int64_t now_us) {
  if (!r->penalty_us) return false;
  http_addr key = key_of(addr);
  pthread_mutex_lock(&r->mu);
  const slot *s = slot_find(r, &key);
  bool refused = s && now_us < s->st.refused_until;
  pthread_mutex_unlock(&r->mu);
  return refused;
}
