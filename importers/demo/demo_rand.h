/* demo_rand.h — deterministic randomness for the sample data (splitmix64): the same seed gives
 * byte-identical layers on every machine, so tests and benchmarks can rely on them. */
#ifndef TESELAS_IMPORTERS_DEMO_RAND_H
#define TESELAS_IMPORTERS_DEMO_RAND_H

#include <math.h>
#include <stdint.h>

typedef struct demo_rng {
  uint64_t state;
} demo_rng;

static inline uint64_t demo_next(demo_rng *r) {
  uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static inline double demo_uniform(demo_rng *r) { return (double)(demo_next(r) >> 11) * 0x1.0p-53; }

static inline double demo_range(demo_rng *r, double lo, double hi) {
  return lo + (hi - lo) * demo_uniform(r);
}

/* Standard normal (Box–Muller). */
static inline double demo_gauss(demo_rng *r) {
  double u = demo_uniform(r), v = demo_uniform(r);
  if (u < 1e-300) u = 1e-300;
  return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* A value in [-1, 1) that depends only on (a, b, c): shared vertices jitter the same way for the
 * two colonias that share them. */
static inline double demo_hash_jitter(uint64_t seed, int64_t a, int64_t b, int64_t c) {
  demo_rng r = {seed ^ ((uint64_t)a * 0x100000001B3ull) ^ ((uint64_t)b << 21) ^ ((uint64_t)c << 42)};
  demo_next(&r);
  return demo_uniform(&r) * 2.0 - 1.0;
}

#endif
