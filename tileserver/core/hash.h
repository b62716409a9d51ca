/* hash.h — the one non-cryptographic hash of the project: FNV-1a (32 and 64 bits), and a
 * finaliser for hash tables and tags whose every bit must depend on every input byte.
 * Stable outputs: ETags and the automatic styles' colours are made from them. */
#ifndef TESELAS_CORE_HASH_H
#define TESELAS_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

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

#endif
