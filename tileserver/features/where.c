/* where.c — the condition shared by PROP=VALUE, datetime and CQL2 filters: the AND of their
 * predicates (query/query.h) and the count of the values they hold. It writes no SQL: store/
 * compiles the tree, so a filter cannot inject SQL whatever it holds. */
#include <string.h>

#include "features/features_int.h"

void features_where_init(features_where *w, arena *a) {
  memset(w, 0, sizeof *w);
  w->a = a;
}

bool features_where_count(features_where *w, size_t n) {
  if (w->failed) return false;
  if (w->n_values + n > FEATURES_MAX_PARAMS) {
    w->failed = w->too_many = true;
    return false;
  }
  w->n_values += n;
  return true;
}

void features_where_and(features_where *w, query_pred *term) {
  if (!term) {
    w->failed = true;
    return;
  }
  query_pred *p = query_pred_join(w->a, QUERY_AND, w->pred, term);
  if (!p) w->failed = true;
  else w->pred = p;
}

value features_where_text(features_where *w, const char *s, size_t n) {
  char *copy = arena_strndup(w->a, s ? s : "", n);
  if (!copy) w->failed = true;
  return (value){.kind = VALUE_TEXT, .s = copy, .len = n};
}

err_code features_where_finish(features_where *w, features_request *r, const char *param,
                               err *e) {
  if (w->too_many)
    return err_set(e, ERR_INVALID, "%s: more than %d values", param, FEATURES_MAX_PARAMS);
  if (w->failed) return err_set(e, ERR_NOMEM, "out of memory building the query");
  r->where = w->pred;
  return ERR_OK;
}
