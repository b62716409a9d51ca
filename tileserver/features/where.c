/* where.c — the condition builder shared by PROP=VALUE, datetime and CQL2 filters: SQL text with
 * numbered placeholders and the values bound to them. It never puts a value into the SQL text, so
 * a filter cannot inject SQL whatever it holds; identifiers come only from the catalog. */
#include <string.h>

#include "features/features_int.h"

void features_where_init(features_where *w, arena *a) {
  memset(w, 0, sizeof *w);
  buf_init(&w->sql, FEATURES_MAX_SQL);
  w->a = a;
}

void features_where_free(features_where *w) { buf_free(&w->sql); }

int features_where_bind(features_where *w, value v) {
  if (w->failed) return 0;
  if (w->n_args >= FEATURES_MAX_PARAMS) {
    w->failed = w->too_many = true;
    return 0;
  }
  if (w->n_args == w->cap_args) {
    size_t cap = w->cap_args ? w->cap_args * 2 : 8;
    value *p = arena_realloc(w->a, w->args, w->cap_args * sizeof *p, cap * sizeof *p);
    if (!p) {
      w->failed = true;
      return 0;
    }
    w->args = p;
    w->cap_args = cap;
  }
  if (v.kind == VALUE_TEXT) {
    char *s = arena_strndup(w->a, v.s ? v.s : "", v.len);
    if (!s) {
      w->failed = true;
      return 0;
    }
    v.s = s;
  }
  w->args[w->n_args++] = v;
  return FEATURES_FIRST_PARAM + (int)w->n_args - 1;
}

void features_sql_ident(buf *b, const char *name) {
  buf_putc(b, '"');
  for (const char *p = name; *p; p++) {
    if (*p == '"') buf_putc(b, '"');
    buf_putc(b, *p);
  }
  buf_putc(b, '"');
}

void features_where_and(features_where *w) {
  if (w->sql.len) buf_puts(&w->sql, " AND ");
}

err_code features_where_finish(features_where *w, features_request *r, const char *param,
                               err *e) {
  err_code rc = ERR_OK;
  if (w->too_many)
    rc = err_set(e, ERR_INVALID, "%s: more than %d values", param, FEATURES_MAX_PARAMS);
  else if (w->sql.over_limit)
    rc = err_set(e, ERR_INVALID, "%s: the condition is too long", param);
  else if (w->failed || w->sql.failed)
    rc = err_set(e, ERR_NOMEM, "out of memory building the query");
  if (rc == ERR_OK && w->sql.len) {
    r->where_sql = arena_strndup(w->a, (const char *)w->sql.data, w->sql.len);
    if (!r->where_sql) rc = err_set(e, ERR_NOMEM, "out of memory building the query");
    r->where_args = w->args;
    r->n_where_args = w->n_args;
    r->spatial_sql = w->spatial_sql;
  }
  features_where_free(w);
  return rc;
}
