/* intern.c — the layer's key and value tables (MVT 2.1 §4.1: keys and values are shared by all
 * features of a layer and SHOULD NOT repeat). Values are interned as their encoded Value message,
 * so "same value" means same type and same bytes with no per-type comparison code, and the layer
 * writes them out unchanged. Also the growable uint32 array the feature encoder uses. */
#include "core/hash.h"
#include "mvt/mvt_int.h"

#include <stdlib.h>
#include <string.h>

bool mvt_u32s_push(mvt_u32s *a, uint32_t x) {
  if (a->failed) return false;
  if (a->n == a->cap) {
    if (a->limit_n && a->n >= a->limit_n) {
      a->failed = a->over_limit = true;
      return false;
    }
    size_t cap = a->cap ? a->cap * 2 : 64;
    uint32_t *v = cap <= SIZE_MAX / sizeof *v ? realloc(a->v, cap * sizeof *v) : NULL;
    if (!v) {
      a->failed = true;
      return false;
    }
    a->v = v;
    a->cap = cap;
  }
  a->v[a->n++] = x;
  return true;
}

void mvt_u32s_free(mvt_u32s *a) {
  free(a->v);
  memset(a, 0, sizeof *a);
}

/* Eight bytes at a time: the slot is never written out, so the hash need not be stable, and
 * FNV-1a's byte-serial chain was most of this function's 5 % of a seed (perf, bench/seed/like.sh). */
static uint64_t hash_bytes(const uint8_t *p, size_t n) {
  return hash_bytes64(p, n);
}

void mvt_intern_init(mvt_intern *t, uint32_t field, size_t byte_limit) {
  memset(t, 0, sizeof *t);
  buf_init(&t->bytes, byte_limit);
  t->field = field;
}

void mvt_intern_free(mvt_intern *t) {
  buf_free(&t->bytes);
  free(t->off);
  free(t->hash);
  free(t->slots);
  memset(t, 0, sizeof *t);
}

static const uint8_t *entry(const mvt_intern *t, uint32_t i, size_t *out_len) {
  *out_len = t->off[i + 1] - t->off[i];
  return *out_len ? t->bytes.data + t->off[i] : (const uint8_t *)"";
}

/* Doubles the slot array and reinserts entries in index order (keeps the LIFO property). */
static bool rehash(mvt_intern *t) {
  size_t n_slots = t->n_slots ? t->n_slots * 2 : 256;
  uint32_t *slots = calloc(n_slots, sizeof *slots);
  if (!slots) return false;
  for (uint32_t i = 0; i < t->n; i++) {
    size_t s = t->hash[i] & (n_slots - 1);
    while (slots[s]) s = (s + 1) & (n_slots - 1);
    slots[s] = i + 1;
  }
  free(t->slots);
  t->slots = slots;
  t->n_slots = n_slots;
  return true;
}

static bool grow_entries(mvt_intern *t) {
  if (t->cap == UINT32_MAX - 1) return false;
  uint32_t cap = t->cap ? (t->cap > UINT32_MAX / 2 ? UINT32_MAX - 1 : t->cap * 2) : 64;
  size_t *off = realloc(t->off, ((size_t)cap + 1) * sizeof *off);
  if (!off) return false;
  t->off = off;
  uint64_t *hash = realloc(t->hash, (size_t)cap * sizeof *hash);
  if (!hash) return false;
  t->hash = hash;
  if (t->cap == 0) t->off[0] = 0;
  t->cap = cap;
  return true;
}

err_code mvt_intern_get(mvt_intern *t, const void *p, size_t n, uint32_t *out_idx) {
  uint64_t h = hash_bytes(p, n);
  size_t s = t->n_slots ? h & (t->n_slots - 1) : 0;
  for (; t->n_slots && t->slots[s]; s = (s + 1) & (t->n_slots - 1)) {
    uint32_t i = t->slots[s] - 1;
    size_t len;
    const uint8_t *q = entry(t, i, &len);
    if (t->hash[i] == h && len == n && (n == 0 || memcmp(q, p, n) == 0)) {
      *out_idx = i;
      return ERR_OK;
    }
  }
  if (t->n == t->cap && !grow_entries(t)) return ERR_NOMEM;
  if (((size_t)t->n + 1) * 2 > t->n_slots) {
    if (!rehash(t)) return ERR_NOMEM;
    s = h & (t->n_slots - 1);
    while (t->slots[s]) s = (s + 1) & (t->n_slots - 1);
  }
  if (!buf_append(&t->bytes, p, n)) return t->bytes.over_limit ? ERR_LIMIT : ERR_NOMEM;
  t->hash[t->n] = h;
  t->off[t->n + 1] = t->bytes.len;
  t->slots[s] = t->n + 1;
  t->framed += pbf_len_field_size(t->field, n);
  *out_idx = t->n++;
  return ERR_OK;
}

void mvt_intern_truncate(mvt_intern *t, uint32_t n) {
  while (t->n > n) {
    uint32_t i = --t->n;
    size_t s = t->hash[i] & (t->n_slots - 1);
    while (t->slots[s] != i + 1) s = (s + 1) & (t->n_slots - 1);
    t->slots[s] = 0;
    t->framed -= pbf_len_field_size(t->field, t->off[i + 1] - t->off[i]);
    t->bytes.len = t->off[i];
  }
}

bool mvt_intern_write(const mvt_intern *t, buf *out) {
  for (uint32_t i = 0; i < t->n; i++) {
    size_t len;
    const uint8_t *p = entry(t, i, &len);
    pbf_put_bytes_field(out, t->field, p, len);
  }
  return !out->failed;
}
