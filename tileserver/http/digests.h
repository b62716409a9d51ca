/* digests.h — the size and SHA-256 of each layer version's whole downloads, computed in the
 * background for the catalogue (digests.c says how and which formats). */
#ifndef TESELAS_HTTP_DIGESTS_H
#define TESELAS_HTTP_DIGESTS_H

#include <stdatomic.h>
#include <stdbool.h>

#include "store/store.h"

enum { DIGESTS_FAILED_MAX = 64 };

/* What one background thread remembers between steps: the downloads that failed. */
typedef struct digests {
  char failed[DIGESTS_FAILED_MAX][96];  /* "layer/version/format" */
  size_t n_failed;
} digests;

/* Computes and keeps (through w) the first missing digest of a current layer version, reading
 * the catalog through r (the calling thread's own reader). True when it did one (kept, or failed
 * and remembered), false when none is missing. Stops early, keeping nothing, once *stop. */
bool digests_step(digests *g, const char *db_path, store_reader *r, store_usage_writer *w,
                  const atomic_bool *stop);

#endif
