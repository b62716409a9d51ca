/* canon.c — the canonical text of a predicate tree, the one form of a filter that cache keys and
 * ETags hash. A prefix notation: and(..), or(..), not(..), eq(a,b) ..., like(a,p), between(a,l,h),
 * in(a,v,..), null(a) (with a leading "!" for the negated forms), s_intersects(g,g),
 * time("f",date|datetime,lo,hi), fid(1,2,..), true, false. Names are "JSON strings" (so a
 * quote or a comma inside one cannot make two trees share a text); literals carry their class:
 * i12, r2.5 (%.17g, which reads back equal), b1, t"x" (dates are their ISO 8601 text).
 * The operands of AND and OR and the values of an IN list are written in the order of their own
 * texts (bytewise), since their order does not change what they select: `a AND b` and `b AND a`
 * share one text, so one cache entry and one ETag. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "query/query.h"

static const char *const CMP_NAME[] = {"eq", "ne", "lt", "le", "gt", "ge"};
static const char *const SPATIAL_NAME[] = {"S_INTERSECTS", "S_DISJOINT", "S_WITHIN",
                                           "S_CONTAINS",   "S_EQUALS",   "S_TOUCHES",
                                           "S_CROSSES",    "S_OVERLAPS"};

const char *query_spatial_name(query_spatial_op op) { return SPATIAL_NAME[op]; }

static void put_string(buf *b, const char *s, size_t n) {
  buf_putc(b, '"');
  buf_json_escape(b, s ? s : "", s ? n : 0);
  buf_putc(b, '"');
}

static void put_operand(buf *b, const query_operand *o) {
  if (o->field) {
    buf_putc(b, 'f');
    put_string(b, o->field, strlen(o->field));
    return;
  }
  const value *v = &o->lit;
  switch (v->kind) {
    case VALUE_NULL: buf_puts(b, "n"); break;
    case VALUE_INT: buf_printf(b, "i%lld", (long long)v->i); break;
    case VALUE_BOOL: buf_printf(b, "b%lld", (long long)v->i); break;
    case VALUE_REAL: buf_printf(b, "r%.17g", v->d); break;
    case VALUE_TEXT:
      buf_putc(b, 't');
      put_string(b, v->s, v->len);
      break;
  }
}

/* Writes item i of p (a child, or an operand) to b. */
typedef void (*put_item_fn)(buf *b, const query_pred *p, size_t i);

static int cmp_text(const void *x, const void *y) {
  const buf *a = x, *c = y;
  int d = memcmp(a->data, c->data, a->len < c->len ? a->len : c->len);
  return d ? d : (a->len > c->len) - (a->len < c->len);
}

/* Items [from, to) of p, comma-separated, in the order of their texts. A failed allocation fails
 * b (sticky), as a failed append would. */
static void put_sorted(buf *b, const query_pred *p, size_t from, size_t to, put_item_fn put) {
  size_t n = to > from ? to - from : 0;
  buf *texts = calloc(n ? n : 1, sizeof *texts);
  if (!texts) {
    b->failed = true;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    buf_init(&texts[i], 0);
    put(&texts[i], p, from + i);
  }
  qsort(texts, n, sizeof *texts, cmp_text);
  for (size_t i = 0; i < n; i++) {
    if (i) buf_putc(b, ',');
    if (texts[i].failed) b->failed = true;
    else buf_append(b, texts[i].data, texts[i].len);
    buf_free(&texts[i]);
  }
  free(texts);
}

static void put_operand_at(buf *b, const query_pred *p, size_t i) { put_operand(b, &p->ops[i]); }
static void put_kid_at(buf *b, const query_pred *p, size_t i) { query_pred_canon(b, p->kids[i]); }

static void put_ops(buf *b, const char *name, bool neg, const query_pred *p) {
  if (neg) buf_putc(b, '!');
  buf_puts(b, name);
  buf_putc(b, '(');
  /* IN: the tested operand, then its list as a set */
  size_t fixed = p->kind == QUERY_IN && p->n_ops > 0 ? 1 : p->n_ops;
  for (size_t i = 0; i < fixed; i++) {
    if (i) buf_putc(b, ',');
    put_operand(b, &p->ops[i]);
  }
  if (fixed < p->n_ops) {
    buf_putc(b, ',');
    put_sorted(b, p, fixed, p->n_ops, put_operand_at);
  }
  buf_putc(b, ')');
}

static void put_geom(buf *b, const query_geom *g) {
  if (!g->wkt) {
    buf_puts(b, "geometry");
    return;
  }
  buf_puts(b, g->crosses_antimeridian ? "bbox180" : "wkt");
  put_string(b, g->wkt, strlen(g->wkt));
}

static void put_time(buf *b, const query_pred *p) {
  buf_puts(b, "time(");
  put_string(b, p->time_field, strlen(p->time_field));
  buf_puts(b, p->time_is_date ? ",date," : ",datetime,");
  if (p->has_lo) put_string(b, p->lo.text, strlen(p->lo.text));
  else buf_puts(b, "..");
  buf_putc(b, ',');
  if (p->has_hi) put_string(b, p->hi.text, strlen(p->hi.text));
  else buf_puts(b, "..");
  buf_putc(b, ')');
}

void query_pred_canon(buf *b, const query_pred *p) {
  if (!p) return;
  switch (p->kind) {
    case QUERY_TRUE: buf_puts(b, "true"); return;
    case QUERY_FALSE: buf_puts(b, "false"); return;
    case QUERY_AND:
    case QUERY_OR:
    case QUERY_NOT:
      buf_puts(b, p->kind == QUERY_AND ? "and(" : p->kind == QUERY_OR ? "or(" : "not(");
      put_sorted(b, p, 0, p->n_kids, put_kid_at);
      buf_putc(b, ')');
      return;
    case QUERY_CMP: put_ops(b, CMP_NAME[p->cmp], false, p); return;
    case QUERY_LIKE: put_ops(b, "like", p->neg, p); return;
    case QUERY_BETWEEN: put_ops(b, "between", p->neg, p); return;
    case QUERY_IN: put_ops(b, "in", p->neg, p); return;
    case QUERY_IS_NULL: put_ops(b, "null", p->neg, p); return;
    case QUERY_SPATIAL:
      buf_printf(b, "%s(", SPATIAL_NAME[p->sop]);
      put_geom(b, &p->geoms[0]);
      buf_putc(b, ',');
      put_geom(b, &p->geoms[1]);
      buf_putc(b, ')');
      return;
    case QUERY_TIME: put_time(b, p); return;
    case QUERY_FID_IN:
      buf_puts(b, "fid(");
      for (size_t i = 0; i < p->n_ids; i++)
        buf_printf(b, "%s%lld", i ? "," : "", (long long)p->ids[i]);
      buf_putc(b, ')');
      return;
  }
}

uint64_t query_pred_hash(const query_pred *p) {
  if (!p) return 0;
  buf b;
  buf_init(&b, 0);
  query_pred_canon(&b, p);
  uint64_t h = hash_mix64(hash_fnv64(HASH_FNV64_SEED, b.data, b.len));
  buf_free(&b);
  return h;
}
