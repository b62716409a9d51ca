/* Unit tests of the tile cache's pins: a pinned entry keeps its bytes through eviction and
 * replacement, leaves the table at once, is freed by its last release, and is counted in the
 * stats until then; pins taken and released by several threads while others evict (run under
 * the ThreadSanitizer and AddressSanitizer builds to check for races and use after free). */
#include <pthread.h>

#include "check.h"
#include "cache/cache.h"

static void fill(uint8_t *data, size_t len, int seed) {
  for (size_t i = 0; i < len; i++) data[i] = (uint8_t)(seed * 31 + (int)i);
}

static bool holds(const cache_entry *e, size_t len, int seed) {
  uint8_t want[1024];
  fill(want, len, seed);
  return cache_entry_len(e) == len && memcmp(cache_entry_data(e), want, len) == 0;
}

static void pin_survives_eviction(void **state) {
  cache *c = cache_create(4000);
  uint8_t data[900];
  fill(data, sizeof data, 0);
  cache_put(c, "k0", data, sizeof data);
  cache_entry *p = cache_pin(c, "k0");
  assert_non_null(p);
  char key[16];
  for (int i = 1; i < 10; i++) { /* k0 is the least recently used: evicted first */
    fill(data, sizeof data, i);
    snprintf(key, sizeof key, "k%d", i);
    cache_put(c, key, data, sizeof data);
  }
  assert_null(cache_pin(c, "k0")); /* out of the table at once */
  assert_true(holds(p, 900, 0));        /* but its bytes are intact */
  cache_stats s = cache_get_stats(c);
  assert_int_equal(s.pinned_unlinked, 1);
  /* the pinned bytes still count: the bound leaves room for 3 more of the table's entries */
  assert_int_equal(s.entries, 3);
  assert_int_equal(s.bytes, 4 * 900);
  cache_release(p);
  s = cache_get_stats(c);
  assert_int_equal(s.pinned_unlinked, 0);
  assert_int_equal(s.bytes, 3 * 900);
  assert_int_equal(s.entries, 3);
  cache_destroy(c);
}

static void pin_survives_replacement(void **state) {
  cache *c = cache_create(1 << 20);
  uint8_t a[100], b[200];
  fill(a, sizeof a, 1);
  fill(b, sizeof b, 2);
  cache_put(c, "t", a, sizeof a);
  cache_entry *old = cache_pin(c, "t");
  cache_entry *old2 = cache_pin(c, "t"); /* two pins of one entry */
  assert_ptr_equal(old, old2);
  cache_put(c, "t", b, sizeof b);
  cache_entry *now = cache_pin(c, "t");
  assert_non_null(now);
  assert_true(holds(old, 100, 1));
  assert_true(holds(now, 200, 2));
  cache_stats s = cache_get_stats(c);
  assert_int_equal(s.entries, 1);
  assert_int_equal(s.pinned_unlinked, 1);
  assert_int_equal(s.bytes, 300);
  cache_release(old);
  assert_int_equal(cache_get_stats(c).pinned_unlinked, 1); /* one pin left */
  assert_true(holds(old2, 100, 1));
  cache_release(old2);
  s = cache_get_stats(c);
  assert_int_equal(s.pinned_unlinked, 0);
  assert_int_equal(s.bytes, 200);
  cache_release(now); /* an entry in the table stays */
  now = cache_pin(c, "t");
  assert_true(holds(now, 200, 2));
  cache_release(now);
  cache_release(NULL);
  assert_int_equal(cache_get_stats(c).bytes, 200);
  cache_destroy(c);
}

static void stats_count_pins_as_lookups(void **state) {
  cache *c = cache_create(1000);
  cache_put(c, "empty", NULL, 0);
  cache_entry *e = cache_pin(c, "empty"); /* an empty tile is a hit of 0 bytes */
  assert_non_null(e);
  assert_int_equal(cache_entry_len(e), 0);
  cache_release(e);
  assert_null(cache_pin(c, "absent"));
  buf out;
  buf_init(&out, 0);
  assert_true(cache_get(c, "empty", &out));
  buf_free(&out);
  cache_stats s = cache_get_stats(c);
  assert_int_equal(s.hits, 2);
  assert_int_equal(s.misses, 1);
  assert_int_equal(s.evictions, 0);
  cache_destroy(c);
  /* a cache of 0 bytes stores and pins nothing */
  c = cache_create(0);
  cache_put(c, "k", (const uint8_t *)"x", 1);
  assert_null(cache_pin(c, "k"));
  cache_destroy(c);
}

/* Several threads pin, check and release while others replace and evict: every pinned entry
 * must hold the bytes put under its key, whatever happens to the table meanwhile. */
enum { N_KEYS = 64, N_ROUNDS = 20000 };

typedef struct worker_arg {
  cache *c;
  int id;
  int bad;
} worker_arg;

static void *churn(void *p) {
  worker_arg *w = p;
  uint8_t data[1024];
  char key[16];
  cache_entry *held[4] = {0};
  for (int i = 0; i < N_ROUNDS; i++) {
    int k = (i * 7 + w->id * 13) % N_KEYS;
    snprintf(key, sizeof key, "k%d", k);
    size_t len = 200 + (size_t)k * 12;
    if (i % 3 == w->id % 3) {
      fill(data, len, k);
      cache_put(w->c, key, data, len);
    }
    cache_entry *e = cache_pin(w->c, key);
    if (e && !holds(e, len, k)) w->bad++;
    /* keep a few pins across rounds, so that evictions meet pinned entries */
    cache_release(held[i % 4]);
    held[i % 4] = e;
  }
  for (int i = 0; i < 4; i++) cache_release(held[i]);
  return NULL;
}

static void pins_are_thread_safe(void **state) {
  cache *c = cache_create(16 * 1024); /* far less than the keys: constant eviction */
  pthread_t t[4];
  worker_arg args[4];
  for (int i = 0; i < 4; i++) {
    args[i] = (worker_arg){c, i, 0};
    assert_int_equal(pthread_create(&t[i], NULL, churn, &args[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(args[i].bad, 0);
  }
  cache_stats s = cache_get_stats(c);
  assert_int_equal(s.pinned_unlinked, 0);
  assert_true(s.bytes <= 16 * 1024);
  assert_true(s.evictions > 0);
  cache_destroy(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pin_survives_eviction),
      cmocka_unit_test(pin_survives_replacement),
      cmocka_unit_test(stats_count_pins_as_lookups),
      cmocka_unit_test(pins_are_thread_safe),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
