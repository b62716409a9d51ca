/* tileset.c — a bounded set of tile ids (open addressing, linear probing, at most half full), for
 * the candidate and changed addresses of an update: one test per address of a seed's walk.
 * The table starts small and doubles as ids arrive: sized for its bound (2^21 ids) at once it
 * took 32 MiB per set, and listing a set of twenty ids swept all of it (a fifth of an
 * incremental seed's time). */
#include <stdlib.h>

#include "core/hash.h"
#include "seed/changes.h"

struct seed_tileset {
  uint64_t *slots;  /* id + 1; 0 is empty */
  size_t mask, n, max;
};

seed_tileset *seed_tileset_create(size_t max) {
  seed_tileset *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  size_t cap = 16;
  s->slots = calloc(cap, sizeof *s->slots);
  if (!s->slots) {
    free(s);
    return NULL;
  }
  s->mask = cap - 1;
  s->max = max;
  return s;
}

void seed_tileset_destroy(seed_tileset *s) {
  if (!s) return;
  free(s->slots);
  free(s);
}

static size_t home(const seed_tileset *s, uint64_t id) { return (size_t)hash_mix64(id) & s->mask; }

/* Doubles the table; false when out of memory (the set stays as it was). */
static bool grow(seed_tileset *s) {
  size_t cap = 2 * (s->mask + 1);
  uint64_t *slots = calloc(cap, sizeof *slots);
  if (!slots) return false;
  for (size_t i = 0; i <= s->mask; i++) {
    if (!s->slots[i]) continue;
    size_t j = (size_t)hash_mix64(s->slots[i] - 1) & (cap - 1);
    while (slots[j]) j = (j + 1) & (cap - 1);
    slots[j] = s->slots[i];
  }
  free(s->slots);
  s->slots = slots;
  s->mask = cap - 1;
  return true;
}

bool seed_tileset_add(seed_tileset *s, uint64_t id) {
  for (size_t i = home(s, id);; i = (i + 1) & s->mask) {
    if (s->slots[i] == id + 1) return true;
    if (s->slots[i] == 0) {
      if (s->n >= s->max) return false;
      if (2 * (s->n + 1) > s->mask + 1) {
        if (!grow(s)) return false;
        return seed_tileset_add(s, id);
      }
      s->slots[i] = id + 1;
      s->n++;
      return true;
    }
  }
}

bool seed_tileset_has(const seed_tileset *s, uint64_t id) {
  if (!s) return false;
  for (size_t i = home(s, id);; i = (i + 1) & s->mask) {
    if (s->slots[i] == id + 1) return true;
    if (s->slots[i] == 0) return false;
  }
}

size_t seed_tileset_count(const seed_tileset *s) { return s ? s->n : 0; }

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

uint64_t *seed_tileset_sorted(const seed_tileset *s, size_t *out_n) {
  *out_n = 0;
  uint64_t *ids = malloc((s && s->n ? s->n : 1) * sizeof *ids);
  if (!ids || !s) return ids;
  for (size_t i = 0; i <= s->mask; i++)
    if (s->slots[i]) ids[(*out_n)++] = s->slots[i] - 1;
  qsort(ids, *out_n, sizeof *ids, cmp_u64);
  return ids;
}
