/* fuzz_cql2.c — libFuzzer target for the CQL2-text parser (features/cql2*.c) and the store's
 * compiler of its predicate (store/sql_pred.c): any bytes as a filter on a layer with every field
 * type. It must return OK or ERR_INVALID/ERR_NOMEM, never crash, read out of bounds or leak; on
 * OK the canonical text must be non-empty and the SQL must have balanced parentheses outside
 * quotes (a cheap sign that nothing from the input leaked into the SQL text). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/features_int.h"
#include "features_fixture.h"
#include "store/store_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 64 * 1024) return 0;
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  layer_info l = fixture_layer();
  arena *a = arena_create(64u << 20);
  features_where w;
  features_where_init(&w, a);
  features_request r;
  memset(&r, 0, sizeof r);
  err e;
  err_code rc = features_cql2_compile(&l, text, &w, &e);
  if (rc == ERR_OK) {
    rc = features_where_finish(&w, &r, "filter", &e);
    store_sql_pred c;
    store_sql_pred_build(&c, &l, r.where, 8, 1 << 20);
    buf canon;
    buf_init(&canon, 0);
    query_pred_canon(&canon, r.where);
    if (rc == ERR_OK && (!r.where || canon.len == 0)) abort();
    int depth = 0;
    bool quoted = false;
    for (const char *p = buf_cstr(&c.sql); rc == ERR_OK && !c.nomem && *p; p++) {
      if (*p == '"') quoted = !quoted;
      if (!quoted) depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
      if (depth < 0) abort();
    }
    if (rc == ERR_OK && (depth != 0 || quoted)) abort();
    buf_free(&canon);
    store_sql_pred_free(&c);
  } else if (rc != ERR_INVALID && rc != ERR_NOMEM) {
    abort();
  }
  arena_destroy(a);
  free(text);
  return 0;
}
