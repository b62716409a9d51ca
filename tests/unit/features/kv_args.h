/* kv_args.h — "k=v&k2=v2" split into features_kv pairs, for the tests that parse request
 * parameters (no percent-decoding: tests pass decoded values). */
#ifndef TESELAS_TEST_KV_ARGS_H
#define TESELAS_TEST_KV_ARGS_H

#include <string.h>

#include "features/features.h"

/* Splits query in place (its '&' and '=' become NULs) into out[0..max); returns the count. */
static inline size_t kv_args_split(char *query, features_kv *out, size_t max) {
  size_t n = 0;
  for (char *save = NULL, *t = strtok_r(query, "&", &save); t && n < max;
       t = strtok_r(NULL, "&", &save)) {
    char *eq = strchr(t, '=');
    out[n].key = t;
    out[n].value = eq ? (*eq = '\0', eq + 1) : "";
    n++;
  }
  return n;
}

#endif
