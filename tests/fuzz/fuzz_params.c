/* fuzz_params.c — libFuzzer target for the query-parameter parser (features/params.c and the
 * parsers it calls: bbox, limit, datetime, sortby, properties, near, CQL2): the input is split at
 * '&' and '=' into arguments, parsed for each use (items, item, download, aggregate, tile), and
 * when it parses, the next-link href is built from it. Never a crash, an out-of-bounds read or a
 * leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/features_int.h"
#include "features_fixture.h"
#include "kv_args.h"

enum { MAX_ARGS = 64 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 64 * 1024) return 0;
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  features_kv kv[MAX_ARGS];
  size_t n = kv_args_split(text, kv, MAX_ARGS);
  layer_info l = fixture_layer();
  for (int use = FEATURES_USE_ITEMS; use <= FEATURES_USE_TILE; use++) {
    arena *a = arena_create(64u << 20);
    features_request r;
    err e;
    if (features_request_parse(&l, (features_use)use, kv, n, FEATURES_GEOJSON, a, &r, &e) ==
        ERR_OK) {
      store_query q;
      features_request_query(&r, &q);
      if (r.limit > FEATURES_LIMIT_MAX || (q.bbox && q.bbox[1] > q.bbox[3])) abort();
      buf b;
      buf_init(&b, 0);
      features_href h = {"http://h", "/collections/incidentes/items", r.args, r.n_args,
                         r.limit, r.offset + r.limit, true, 1, "json"};
      features_put_href(&b, &h);
      buf_free(&b);
    }
    arena_destroy(a);
  }
  free(text);
  return 0;
}
