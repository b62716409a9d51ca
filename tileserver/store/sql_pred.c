/* sql_pred.c — a predicate tree (query/query.h) compiled to a SpatiaLite condition. The only
 * place that turns a filter into SQL: identifiers come from the tree's field names (checked
 * against the catalog by the parser) as quoted identifiers, every literal is a bound parameter,
 * so no value ever reaches the SQL text.
 *
 * Forms, per node:
 *   LIKE      GLOB with the pattern translated ('%' '*', '_' '?', literal * ? [ as [x]): CQL2's
 *             LIKE is case-sensitive, SQLite's is not.
 *   SPATIAL   ST_<op>(geom, ST_GeomFromText(?, 4326)) = 1 ("= 1": SpatiaLite answers -1 on
 *             error, which SQL would take as true); when the operator implies the boxes meet and
 *             one side is a literal, the R*Tree test of its box comes first, so the exact test
 *             runs on the few candidates.
 *   TIME      dates are ISO 8601 text: a date field compares by date; a date-time field compares
 *             date-only bounds as text (a prefix keeps the order; the end bound is "< next day")
 *             and bounds with a time through julianday(), because "…10:00:00.5Z" sorts before
 *             "…10:00:00Z" as text.
 *   FID_IN    the ids travel as one JSON array parameter (json_each), so the SQL text is the same
 *             for every list and its prepared statement is reused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

static const char *const CMP_SQL[] = {"=", "<>", "<", "<=", ">", ">="};
static const char *const SPATIAL_SQL[] = {"ST_Intersects", "ST_Disjoint", "ST_Within",
                                          "ST_Contains",   "ST_Equals",   "ST_Touches",
                                          "ST_Crosses",    "ST_Overlaps"};

/* Binds v; returns its parameter number (0 once out of memory: sticky). */
static int bind(store_sql_pred *c, value v) {
  if (c->nomem) return 0;
  if (c->n_args == c->cap_args) {
    size_t cap = c->cap_args ? c->cap_args * 2 : 8;
    value *p = realloc(c->args, cap * sizeof *p);
    if (!p) {
      c->nomem = true;
      return 0;
    }
    c->args = p;
    c->cap_args = cap;
  }
  c->args[c->n_args++] = v;
  return c->first + (int)c->n_args - 1;
}

/* Takes ownership of s (malloc'd) until store_sql_pred_free; NULL stays NULL (out of memory). */
static char *own(store_sql_pred *c, char *s) {
  if (!s || c->nomem) goto fail;
  if (c->n_owned == c->cap_owned) {
    size_t cap = c->cap_owned ? c->cap_owned * 2 : 4;
    char **p = realloc(c->owned, cap * sizeof *p);
    if (!p) goto fail;
    c->owned = p;
    c->cap_owned = cap;
  }
  c->owned[c->n_owned++] = s;
  return s;
fail:
  free(s);
  c->nomem = true;
  return NULL;
}

static value text(const char *s, size_t n) { return (value){.kind = VALUE_TEXT, .s = s, .len = n}; }

static void operand(store_sql_pred *c, const query_operand *o) {
  if (o->field) {
    store_quote_ident(&c->sql, o->field);
    return;
  }
  value v = o->lit;
  if (v.kind == VALUE_BOOL) v.kind = VALUE_INT;
  buf_printf(&c->sql, "?%d", bind(c, v));
}

/* CQL2 LIKE ('%' any, '_' one character, '\' escapes) → GLOB ('*', '?', '[x]' literal). */
static char *like_to_glob(const char *pat) {
  size_t n = strlen(pat);
  char *g = malloc(3 * n + 1);
  if (!g) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    char ch = pat[i];
    if (ch == '\\' && i + 1 < n) ch = pat[++i];
    else if (ch == '%') g[k++] = '*', ch = 0;
    else if (ch == '_') g[k++] = '?', ch = 0;
    if (!ch) continue;
    if (ch == '*' || ch == '?' || ch == '[') {
      g[k++] = '[';
      g[k++] = ch;
      g[k++] = ']';
    } else {
      g[k++] = ch;
    }
  }
  g[k] = '\0';
  return g;
}

static void like(store_sql_pred *c, const query_pred *p) {
  const char *pat = p->ops[1].lit.s ? p->ops[1].lit.s : "";
  char *glob = own(c, like_to_glob(pat));
  buf_puts(&c->sql, p->neg ? "NOT (" : "(");
  operand(c, &p->ops[0]);
  buf_printf(&c->sql, " GLOB ?%d)", glob ? bind(c, text(glob, strlen(glob))) : 0);
}

static void comparison(store_sql_pred *c, const query_pred *p) {
  buf *sql = &c->sql;
  buf_putc(sql, '(');
  operand(c, &p->ops[0]);
  switch (p->kind) {
    case QUERY_CMP:
      buf_printf(sql, " %s ", CMP_SQL[p->cmp]);
      operand(c, &p->ops[1]);
      break;
    case QUERY_BETWEEN:
      buf_puts(sql, p->neg ? " NOT BETWEEN " : " BETWEEN ");
      operand(c, &p->ops[1]);
      buf_puts(sql, " AND ");
      operand(c, &p->ops[2]);
      break;
    case QUERY_IN:
      buf_puts(sql, p->neg ? " NOT IN (" : " IN (");
      for (size_t i = 1; i < p->n_ops; i++) {
        if (i > 1) buf_puts(sql, ", ");
        operand(c, &p->ops[i]);
      }
      buf_putc(sql, ')');
      break;
    default: buf_puts(sql, p->neg ? " IS NOT NULL" : " IS NULL"); break;
  }
  buf_putc(sql, ')');
}

/* A condition on `fid` true when a feature's box meets the box bound at ?first .. ?first+3
 * (minx, miny, maxx, maxy), through the spatial index, then exactly (teselas_mbr_intersects). */
static void where_bbox(buf *sql, const layer_info *l, int first, bool crosses_antimeridian) {
  int minx = first, miny = first + 1, maxx = first + 2, maxy = first + 3;
  store_quote_ident(sql, l->table_name);
  buf_puts(sql, ".rowid IN (SELECT pkid FROM ");
  store_index_name(sql, l->table_name);
  /* Across the antimeridian the box is [minx, 180] + [-180, maxx]. */
  if (crosses_antimeridian)
    buf_printf(sql, " WHERE (xmax >= ?%d OR xmin <= ?%d)", minx, maxx);
  else
    buf_printf(sql, " WHERE xmin <= ?%d AND xmax >= ?%d", maxx, minx);
  buf_printf(sql, " AND ymin <= ?%d AND ymax >= ?%d)", maxy, miny);
  buf_printf(sql, " AND teselas_mbr_intersects(geom, ?%d, ?%d, ?%d, ?%d)", minx, miny, maxx, maxy);
}

static int bind_wkt(store_sql_pred *c, const query_geom *g) {
  return bind(c, text(g->wkt, strlen(g->wkt)));
}

static void spatial(store_sql_pred *c, const layer_info *l, const query_pred *p) {
  const query_geom *a = &p->geoms[0], *b = &p->geoms[1];
  const char *op = SPATIAL_SQL[p->sop];
  c->spatial = true;
  if (!a->wkt && !b->wkt) {
    buf_printf(&c->sql, "(%s(geom, geom) = 1)", op);
  } else if (a->wkt && b->wkt) {
    int x = bind_wkt(c, a), y = bind_wkt(c, b);
    buf_printf(&c->sql, "(%s(ST_GeomFromText(?%d, 4326), ST_GeomFromText(?%d, 4326)) = 1)", op, x,
               y);
  } else {
    const query_geom *lit = a->wkt ? a : b;
    buf_putc(&c->sql, '(');
    if (query_spatial_boxes_meet(p->sop)) {
      int first = 0;
      for (int i = 0; i < 4; i++) {
        int n = bind(c, (value){.kind = VALUE_REAL, .d = lit->box[i]});
        if (i == 0) first = n;
      }
      where_bbox(&c->sql, l, first, lit->crosses_antimeridian);
      buf_puts(&c->sql, " AND ");
    }
    int n = bind_wkt(c, lit);
    if (b->wkt)
      buf_printf(&c->sql, "%s(geom, ST_GeomFromText(?%d, 4326)) = 1)", op, n);
    else
      buf_printf(&c->sql, "%s(ST_GeomFromText(?%d, 4326), geom) = 1)", op, n);
  }
}

void store_next_day(const char *date, char out[32]) {
  static const int D[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y = 0, m = 1, d = 1;
  if (sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12) m = 1;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int days = m == 2 && leap ? 29 : D[m - 1];
  if (++d > days) d = 1, m++;
  if (m > 12) m = 1, y++;
  snprintf(out, 32, "%04d-%02d-%02d", y, m, d);
}

/* " AND f OP ?N" with the bound's date only, or through julianday() with its time. */
static void time_bound(store_sql_pred *c, const char *field, const char *op, const char *t,
                       bool julian) {
  int n = bind(c, text(t, julian ? strlen(t) : 10));
  buf_puts(&c->sql, julian ? " AND julianday(" : " AND ");
  store_quote_ident(&c->sql, field);
  if (julian) buf_printf(&c->sql, ") %s julianday(?%d)", op, n);
  else buf_printf(&c->sql, " %s ?%d", op, n);
}

static void time_interval(store_sql_pred *c, const query_pred *p) {
  buf_putc(&c->sql, '(');
  store_quote_ident(&c->sql, p->time_field);
  buf_puts(&c->sql, " IS NOT NULL");
  if (p->has_lo)
    time_bound(c, p->time_field, ">=", p->lo.text, !p->time_is_date && p->lo.has_time);
  if (p->has_hi) {
    if (p->time_is_date) {
      time_bound(c, p->time_field, "<=", p->hi.text, false);
    } else if (!p->hi.has_time) {
      char *next = own(c, malloc(32));
      if (next) store_next_day(p->hi.text, next);
      if (next) time_bound(c, p->time_field, "<", next, false);
    } else {
      time_bound(c, p->time_field, "<=", p->hi.text, true);
    }
  }
  buf_putc(&c->sql, ')');
}

static void fid_in(store_sql_pred *c, const query_pred *p) {
  buf ids;
  buf_init(&ids, 0);
  buf_putc(&ids, '[');
  for (size_t i = 0; i < p->n_ids; i++)
    buf_printf(&ids, "%s%lld", i ? "," : "", (long long)p->ids[i]);
  buf_putc(&ids, ']');
  char *json = ids.failed ? NULL : own(c, strdup(buf_cstr(&ids)));
  if (!json) c->nomem = true;
  buf_free(&ids);
  buf_printf(&c->sql, "fid IN (SELECT value FROM json_each(?%d))",
             json ? bind(c, text(json, strlen(json))) : 0);
}

static void node(store_sql_pred *c, const layer_info *l, const query_pred *p, bool top);

enum { FLAT_KIDS = 8 };

/* Kids [lo, hi) of an AND/OR. SQLite parses `a OR b OR c ...` into a tree as deep as the chain
 * and refuses one deeper than SQLITE_MAX_EXPR_DEPTH (1000): a filter of 1,000 terms was a 500.
 * Past FLAT_KIDS, a balanced tree of parenthesised halves keeps the depth near log2(n) (15 for
 * the 30,000 values a filter may hold); up to it, the chain as written (at most 8 deep a level,
 * 512 under CQL2's 64 levels of nesting). */
static void kids(store_sql_pred *c, const layer_info *l, const query_pred *p, size_t lo,
                 size_t hi) {
  const char *op = p->kind == QUERY_AND ? " AND " : " OR ";
  bool wrap = (lo > 0 || hi < p->n_kids) && hi - lo > 1; /* a half, not the whole */
  if (wrap) buf_putc(&c->sql, '(');
  if (hi - lo <= FLAT_KIDS) {
    for (size_t i = lo; i < hi; i++) {
      if (i > lo) buf_puts(&c->sql, op);
      node(c, l, p->kids[i], false);
    }
  } else {
    size_t mid = lo + (hi - lo) / 2;
    kids(c, l, p, lo, mid);
    buf_puts(&c->sql, op);
    kids(c, l, p, mid, hi);
  }
  if (wrap) buf_putc(&c->sql, ')');
}

static void node(store_sql_pred *c, const layer_info *l, const query_pred *p, bool top) {
  switch (p->kind) {
    case QUERY_TRUE: buf_putc(&c->sql, '1'); return;
    case QUERY_FALSE: buf_putc(&c->sql, '0'); return;
    case QUERY_AND:
    case QUERY_OR:
      if (p->n_kids == 0) { /* the empty conjunction is true, the empty disjunction false */
        buf_putc(&c->sql, p->kind == QUERY_AND ? '1' : '0');
        return;
      }
      if (!top) buf_putc(&c->sql, '(');
      kids(c, l, p, 0, p->n_kids);
      if (!top) buf_putc(&c->sql, ')');
      return;
    case QUERY_NOT:
      buf_puts(&c->sql, "NOT (");
      node(c, l, p->kids[0], true);
      buf_putc(&c->sql, ')');
      return;
    case QUERY_LIKE: like(c, p); return;
    case QUERY_CMP:
    case QUERY_BETWEEN:
    case QUERY_IN:
    case QUERY_IS_NULL: comparison(c, p); return;
    case QUERY_SPATIAL: spatial(c, l, p); return;
    case QUERY_TIME: time_interval(c, p); return;
    case QUERY_FID_IN: fid_in(c, p); return;
  }
}

void store_sql_pred_build(store_sql_pred *out, const layer_info *l, const query_pred *p, int first,
                          size_t limit) {
  memset(out, 0, sizeof *out);
  buf_init(&out->sql, limit);
  out->first = first;
  if (p) node(out, l, p, p->kind == QUERY_AND);
}

void store_sql_pred_free(store_sql_pred *c) {
  buf_free(&c->sql);
  free(c->args);
  for (size_t i = 0; i < c->n_owned; i++) free(c->owned[i]);
  free(c->owned);
  memset(c, 0, sizeof *c);
}

void store_order_keys(buf *sql, const query_sort *keys, size_t n, const char *fid,
                      const char *asc, const char *desc) {
  bool by_id = false;
  for (size_t i = 0; i < n; i++) {
    if (i) buf_puts(sql, ", ");
    if (keys[i].field) store_quote_ident(sql, keys[i].field);
    else buf_puts(sql, fid);
    by_id |= keys[i].field == NULL;
    buf_puts(sql, keys[i].desc ? desc : asc);
  }
  if (!by_id) buf_printf(sql, ", %s ASC", fid);
}

void store_sql_order(buf *sql, const query_sort *keys, size_t n) {
  store_order_keys(sql, keys, n, "fid", " ASC", " DESC");
}
