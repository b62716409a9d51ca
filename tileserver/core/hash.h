/* hash.h — the one non-cryptographic hash of the project: FNV-1a (32 and 64 bits), and a
 * finaliser for hash tables and tags whose every bit must depend on every input byte.
 * Stable outputs: ETags and the automatic styles' colours are made from them. */
#ifndef TESELAS_CORE_HASH_H
#define TESELAS_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { HASH_FNV32_SEED = 2166136261u };
#define HASH_FNV64_SEED 1469598103934665603ull

/* FNV-1a over n bytes, continuing from h (start with the seed). */
static inline uint32_t hash_fnv32(uint32_t h, const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
  return h;
}
static inline uint64_t hash_fnv64(uint64_t h, const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

/* The same over a NUL-terminated string (NULL hashes as empty). */
static inline uint32_t hash_fnv32_str(uint32_t h, const char *s) {
  for (; s && *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
  return h;
}
static inline uint64_t hash_fnv64_str(uint64_t h, const char *s) {
  for (; s && *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
  return h;
}

/* splitmix64's finaliser: FNV's low bits depend mostly on the last bytes; after this, every bit
 * of the result moves with every bit of the input (table slots take the low bits). */
static inline uint64_t hash_mix64(uint64_t h) {
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

/* A hash of n bytes taken eight at a time, for content (deduplicating tiles of an archive):
 * FNV-1a's byte-serial multiply chain was 8 % of an incremental seed's time. Not stable across
 * byte orders; never for ETags or colours. */
static inline uint64_t hash_bytes64(const void *p, size_t n) {
  const uint8_t *b = p;
  uint64_t h = HASH_FNV64_SEED ^ (n * 0x9e3779b97f4a7c15ull), w;
  for (; n >= 8; b += 8, n -= 8) {
    memcpy(&w, b, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 29;
  }
  w = 0;
  memcpy(&w, b, n);
  return hash_mix64((h ^ w) * 0xc4ceb9fe1a85ec53ull);
}

#endif
