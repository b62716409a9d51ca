/* query.c — building predicate trees in an arena. The builders keep the tree canonical as it
 * grows (nested AND and OR flattened), so the parser does not have to. They never fail alone:
 * a NULL result means the arena failed, and the arena's failure sticks. */
#include <string.h>

#include "query/query.h"

query_pred *query_pred_new(arena *a, query_kind k) {
  query_pred *p = arena_calloc(a, 1, sizeof *p);
  if (p) p->kind = k;
  return p;
}

/* Appends the children of x (flattened when it has kind k) to kids at *n. */
static void put_kids(query_pred **kids, size_t *n, query_kind k, query_pred *x) {
  if (x->kind == k) {
    memcpy(kids + *n, x->kids, x->n_kids * sizeof *kids);
    *n += x->n_kids;
  } else {
    kids[(*n)++] = x;
  }
}

query_pred *query_pred_join(arena *a, query_kind k, query_pred *x, query_pred *y) {
  if (!x) return y;
  if (!y) return x;
  size_t nx = x->kind == k ? x->n_kids : 1, ny = y->kind == k ? y->n_kids : 1;
  query_pred *p = query_pred_new(a, k);
  query_pred **kids = arena_calloc(a, nx + ny, sizeof *kids);
  if (!p || !kids) return NULL;
  put_kids(kids, &p->n_kids, k, x);
  put_kids(kids, &p->n_kids, k, y);
  p->kids = kids;
  return p;
}

query_pred *query_pred_not(arena *a, query_pred *x) {
  query_pred *p = query_pred_new(a, QUERY_NOT);
  query_pred **kids = arena_calloc(a, 1, sizeof *kids);
  if (!p || !kids || !x) return NULL;
  kids[0] = x;
  p->kids = kids;
  p->n_kids = 1;
  return p;
}

query_pred *query_pred_ops(arena *a, query_kind k, size_t n) {
  query_pred *p = query_pred_new(a, k);
  query_operand *ops = arena_calloc(a, n ? n : 1, sizeof *ops);
  if (!p || !ops) return NULL;
  p->ops = ops;
  p->n_ops = n;
  return p;
}

query_pred *query_pred_fid_in(arena *a, const int64_t *ids, size_t n) {
  query_pred *p = query_pred_new(a, QUERY_FID_IN);
  int64_t *copy = arena_alloc(a, (n ? n : 1) * sizeof *copy);
  if (!p || !copy) return NULL;
  if (n) memcpy(copy, ids, n * sizeof *copy);
  p->ids = copy;
  p->n_ids = n;
  return p;
}

const query_pred *query_pred_with_ids(query_with_ids *s, const query_pred *p, const int64_t *ids,
                                      size_t n) {
  memset(s, 0, sizeof *s);
  s->ids = (query_pred){.kind = QUERY_FID_IN, .ids = ids, .n_ids = n};
  if (!p) return &s->ids;
  s->kids[0] = (query_pred *)p; /* the tree is only read */
  s->kids[1] = &s->ids;
  s->both = (query_pred){.kind = QUERY_AND, .kids = s->kids, .n_kids = 2};
  return &s->both;
}

bool query_spatial_boxes_meet(query_spatial_op op) { return op != QUERY_S_DISJOINT; }

size_t query_pred_n_values(const query_pred *p) {
  if (!p) return 0;
  size_t n = 0;
  switch (p->kind) {
    case QUERY_TRUE:
    case QUERY_FALSE: return 0;
    case QUERY_AND:
    case QUERY_OR:
    case QUERY_NOT:
      for (size_t i = 0; i < p->n_kids; i++) n += query_pred_n_values(p->kids[i]);
      return n;
    case QUERY_CMP:
    case QUERY_LIKE:
    case QUERY_BETWEEN:
    case QUERY_IN:
    case QUERY_IS_NULL:
      for (size_t i = 0; i < p->n_ops; i++) n += p->ops[i].field == NULL;
      return n;
    case QUERY_SPATIAL: {
      bool one_literal = (p->geoms[0].wkt == NULL) != (p->geoms[1].wkt == NULL);
      for (int i = 0; i < 2; i++) n += p->geoms[i].wkt != NULL;
      return n + (one_literal && query_spatial_boxes_meet(p->sop) ? 4 : 0);
    }
    case QUERY_TIME: return (size_t)p->has_lo + (size_t)p->has_hi;
    case QUERY_FID_IN: return 1;
  }
  return 0;
}
