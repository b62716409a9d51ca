/* cql2.c — CQL2 text (OGC API - Features Part 3 / CQL2, conformance classes basic-cql2,
 * advanced comparison operators (LIKE, BETWEEN, IN) and basic + spatial functions) parsed into a
 * predicate tree (query/query.h) by recursive descent.
 *
 *   expr    := term { OR term }
 *   term    := factor { AND factor }
 *   factor  := NOT factor | '(' expr ')' | TRUE | FALSE | spatial | predicate
 *   predicate := operand ( cmp operand | [NOT] LIKE string | [NOT] BETWEEN operand AND operand
 *                        | [NOT] IN '(' operand {',' operand} ')' | IS [NOT] NULL )
 *   operand := property | 'string' | [-]number | TRUE | FALSE | DATE('..') | TIMESTAMP('..')
 *   spatial := S_INTERSECTS|S_DISJOINT|S_WITHIN|S_CONTAINS|... '(' geom ',' geom ')'
 *
 * Safety: property names must be fields of the layer (or "geometry" in a spatial predicate);
 * every literal is a typed value of the tree, never text of a query; types are checked, so
 * `hora = 'x'` is a 400, not an empty answer. Nesting is bounded (CQL2_MAX_DEPTH), so a hostile
 * filter cannot exhaust the stack. LIKE keeps its CQL2 pattern (case-sensitive: the store
 * compiles it so). The first error stops the parse and names its position. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/cql2_int.h"

enum { CQL2_MAX_DEPTH = 64 };

/* Type classes of operands. */
typedef enum cls { C_NUM, C_STR, C_BOOL, C_DATE, C_TS, C_NULL } cls;

typedef struct operand {
  cls c;
  const layer_field *field; /* a property, or NULL for a literal */
  query_operand q;          /* as the tree holds it */
  size_t pos;
} operand;

typedef features_cql2 parser;

static const char *const CLS_NAME[] = {"a number", "a string", "a boolean", "a date",
                                       "a timestamp", "NULL"};

static void next(parser *p) { p->tok = features_cql2_lex(&p->lx); }

/* True when the current token is keyword k. */
static bool kw(const parser *p, const char *k) { return features_cql2_is(&p->tok, k); }

static bool vfail_at(parser *p, size_t pos, const char *fmt, va_list ap) {
  if (p->failed) return false;
  char msg[256];
  vsnprintf(msg, sizeof msg, fmt, ap);
  p->rc = err_set(p->e, ERR_INVALID, "filter: at character %zu: %s", pos, msg);
  p->failed = true;
  return false;
}

static bool fail_at(parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail_at(parser *p, size_t pos, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail_at(p, pos, fmt, ap);
  va_end(ap);
  return false;
}

/* Names the token that does not fit; a literal is named by its kind only, never quoted, because
 * filter values may be personal data and error messages end up in logs and screenshots. */
static bool fail(parser *p, const char *what) {
  if (p->tok.kind == T_END) return fail_at(p, p->tok.pos, "%s, found the end of the filter", what);
  if (p->tok.kind == T_STRING) return fail_at(p, p->tok.pos, "%s, found a text value", what);
  if (p->tok.kind == T_NUMBER) return fail_at(p, p->tok.pos, "%s, found a number", what);
  return fail_at(p, p->tok.pos, "%s, found '%.*s'", what, (int)(p->tok.len > 40 ? 40 : p->tok.len),
                 p->tok.s);
}

static bool expect(parser *p, cql2_tok k, const char *what) {
  if (p->tok.kind != k) return fail(p, what);
  next(p);
  return true;
}

static bool nomem(parser *p);

/* Unquotes a '..' or ".." token into the arena (doubled quotes become one). */
static char *unquote(parser *p, const cql2_token *t) {
  char *out = arena_alloc(p->a, t->len);
  if (!out) {
    nomem(p);
    return NULL;
  }
  size_t n = 0;
  for (size_t i = 1; i + 1 < t->len; i++) {
    out[n++] = t->s[i];
    if (t->s[i] == t->s[0]) i++;
  }
  out[n] = '\0';
  return out;
}

static cls field_cls(field_type t) {
  switch (t) {
    case FIELD_INTEGER:
    case FIELD_REAL: return C_NUM;
    case FIELD_BOOLEAN: return C_BOOL;
    case FIELD_DATE: return C_DATE;
    case FIELD_DATETIME: return C_TS;
    case FIELD_TEXT: return C_STR;
  }
  return C_STR;
}

static bool nomem(parser *p) {
  if (!p->failed) p->rc = err_set(p->e, ERR_NOMEM, "out of memory");
  p->failed = true;
  return false;
}

/* Counts n more values against FEATURES_MAX_PARAMS. */
static bool count(parser *p, size_t n) {
  if (features_where_count(p->w, n)) return true;
  if (!p->failed) {
    p->failed = true;
    p->rc = err_set(p->e, p->w->too_many ? ERR_INVALID : ERR_NOMEM,
            p->w->too_many ? "filter: too many values" : "out of memory");
  }
  return false;
}

/* Records literal v in o (text copied into the arena) and counts it against the bound. */
static bool literal(parser *p, operand *o, cls c, value v) {
  o->c = c;
  if (v.kind == VALUE_TEXT) v = features_where_text(p->w, v.s, v.len);
  o->q.lit = v;
  return count(p, 1) && (v.kind != VALUE_TEXT || v.s || nomem(p));
}

static bool number_token(parser *p, double *out) {
  bool neg = p->tok.kind == T_MINUS;
  if (neg) next(p);
  if (p->tok.kind != T_NUMBER) return fail(p, "expected a number");
  char tmp[64];
  snprintf(tmp, sizeof tmp, "%.*s", (int)(p->tok.len < 63 ? p->tok.len : 63), p->tok.s);
  errno = 0;
  double d = strtod(tmp, NULL);
  if (errno == ERANGE || !isfinite(d)) return fail(p, "number out of range");
  *out = neg ? -d : d;
  next(p);
  return true;
}

/* DATE('YYYY-MM-DD') or TIMESTAMP('...Z'): the keyword is the current token. */
static bool temporal_literal(parser *p, operand *o) {
  bool is_date = kw(p, "DATE");
  next(p);
  if (!expect(p, T_LPAREN, "expected '(' after DATE or TIMESTAMP")) return false;
  if (p->tok.kind != T_STRING) return fail(p, "expected a quoted date");
  features_time t;
  char *s = unquote(p, &p->tok);
  if (!s) return false;
  if (!features_time_parse(s, strlen(s), &t) || t.has_time == is_date)
    return fail(p, is_date ? "expected DATE('YYYY-MM-DD')"
                           : "expected TIMESTAMP('YYYY-MM-DDTHH:MM:SSZ')");
  next(p);
  if (!literal(p, o, is_date ? C_DATE : C_TS,
               (value){.kind = VALUE_TEXT, .s = t.text, .len = strlen(t.text)}))
    return false;
  return expect(p, T_RPAREN, "expected ')'");
}

static bool operand_parse(parser *p, operand *o) {
  memset(o, 0, sizeof *o);
  o->pos = p->tok.pos;
  cql2_token t = p->tok;
  if (t.kind == T_NUMBER || t.kind == T_MINUS) {
    double d = 0;
    if (!number_token(p, &d)) return false;
    return literal(p, o, C_NUM,
                   d == floor(d) && fabs(d) < 9e15 ? (value){.kind = VALUE_INT, .i = (int64_t)d}
                                                  : (value){.kind = VALUE_REAL, .d = d});
  }
  if (t.kind == T_STRING) {
    char *s = unquote(p, &t);
    if (!s) return false;
    o->c = C_STR;
    o->q.lit = (value){.kind = VALUE_TEXT, .s = s, .len = strlen(s)};
    next(p);
    return count(p, 1);
  }
  if (features_cql2_is(&t, "TRUE") || features_cql2_is(&t, "FALSE")) {
    next(p);
    return literal(p, o, C_BOOL, (value){.kind = VALUE_BOOL, .i = features_cql2_is(&t, "TRUE")});
  }
  if (kw(p, "DATE") || kw(p, "TIMESTAMP")) return temporal_literal(p, o);
  if (t.kind != T_IDENT) return fail(p, "expected a property name or a value");
  char *name = t.quoted ? unquote(p, &t) : arena_strndup(p->a, t.s, t.len);
  if (!name) return fail_at(p, t.pos, "out of memory");
  o->field = layer_find_field(p->l, name);
  if (!o->field) {
    char known[160] = "";
    size_t n = 0;
    for (size_t i = 0; i < p->l->n_fields && n + 2 < sizeof known; i++)
      n += (size_t)snprintf(known + n, sizeof known - n, "%s%s", i ? ", " : "",
                            p->l->fields[i].name);
    return fail_at(p, t.pos, "not a queryable of %s (%s)", p->l->id, known);
  }
  o->c = field_cls(o->field->type);
  o->q.field = o->field->name;
  next(p);
  return true;
}

/* A node of kind k with n operands, or NULL (recorded) when the arena fails. */
static query_pred *node(parser *p, query_kind k, size_t n, bool neg) {
  query_pred *q = query_pred_ops(p->a, k, n);
  if (!q) nomem(p);
  else q->neg = neg;
  return q;
}

static bool compatible(cls a, cls b) {
  if (a == b) return true;
  bool ta = a == C_DATE || a == C_TS, tb = b == C_DATE || b == C_TS;
  /* dates and timestamps compare with each other, and with text written as ISO 8601 */
  return (ta && tb) || (ta && b == C_STR) || (tb && a == C_STR);
}

static bool check_types(parser *p, const operand *a, const operand *b) {
  if (compatible(a->c, b->c)) return true;
  const operand *prop = a->field ? a : b;
  if (prop->field)
    return fail_at(p, b->pos, "%s is %s field, not comparable with %s", prop->field->name,
                   field_type_name(prop->field->type), CLS_NAME[prop == a ? b->c : a->c]);
  return fail_at(p, b->pos, "cannot compare %s with %s", CLS_NAME[a->c], CLS_NAME[b->c]);
}

static query_pred *like_tail(parser *p, const operand *lhs, bool neg) {
  if (lhs->c != C_STR) return fail_at(p, lhs->pos, "LIKE needs a text property"), NULL;
  if (p->tok.kind != T_STRING) return fail(p, "expected a quoted pattern after LIKE"), NULL;
  char *pat = unquote(p, &p->tok);
  if (!pat) return NULL;
  next(p);
  query_pred *q = count(p, 1) ? node(p, QUERY_LIKE, 2, neg) : NULL;
  if (!q) return NULL;
  q->ops[0] = lhs->q;
  q->ops[1].lit = (value){.kind = VALUE_TEXT, .s = pat, .len = strlen(pat)};
  return q;
}

static query_pred *between_tail(parser *p, const operand *lhs, bool neg) {
  operand lo, hi;
  if (!operand_parse(p, &lo) || !check_types(p, lhs, &lo)) return NULL;
  if (!kw(p, "AND")) return fail(p, "expected AND in BETWEEN"), NULL;
  next(p);
  if (!operand_parse(p, &hi) || !check_types(p, lhs, &hi)) return NULL;
  query_pred *q = node(p, QUERY_BETWEEN, 3, neg);
  if (!q) return NULL;
  q->ops[0] = lhs->q;
  q->ops[1] = lo.q;
  q->ops[2] = hi.q;
  return q;
}

/* The list is read into a growing array of the arena (a filter may list thousands). */
static query_pred *in_tail(parser *p, const operand *lhs, bool neg) {
  if (!expect(p, T_LPAREN, "expected '(' after IN")) return NULL;
  size_t n = 1, cap = 8;
  query_operand *ops = arena_calloc(p->a, cap, sizeof *ops);
  if (!ops) return nomem(p), NULL;
  ops[0] = lhs->q;
  for (;;) {
    operand o;
    if (!operand_parse(p, &o) || !check_types(p, lhs, &o)) return NULL;
    if (n == cap) {
      ops = arena_realloc(p->a, ops, cap * sizeof *ops, 2 * cap * sizeof *ops);
      if (!ops) return nomem(p), NULL;
      cap *= 2;
    }
    ops[n++] = o.q;
    if (p->tok.kind == T_RPAREN) break;
    if (!expect(p, T_COMMA, "expected ',' or ')' in the IN list")) return NULL;
  }
  next(p);
  query_pred *q = node(p, QUERY_IN, 0, neg);
  if (!q) return NULL;
  q->ops = ops;
  q->n_ops = n;
  return q;
}

static int cmp_index(cql2_tok k) {
  switch (k) {
    case T_EQ: return QUERY_EQ;
    case T_NE: return QUERY_NE;
    case T_LT: return QUERY_LT;
    case T_LE: return QUERY_LE;
    case T_GT: return QUERY_GT;
    case T_GE: return QUERY_GE;
    default: return -1;
  }
}

static query_pred *predicate(parser *p) {
  operand lhs;
  if (!operand_parse(p, &lhs)) return NULL;
  int ci = cmp_index(p->tok.kind);
  if (ci >= 0) {
    next(p);
    operand rhs;
    if (!operand_parse(p, &rhs) || !check_types(p, &lhs, &rhs)) return NULL;
    query_pred *q = node(p, QUERY_CMP, 2, false);
    if (!q) return NULL;
    q->cmp = (query_cmp)ci;
    q->ops[0] = lhs.q;
    q->ops[1] = rhs.q;
    return q;
  }
  if (kw(p, "IS")) {
    next(p);
    bool neg = kw(p, "NOT");
    if (neg) next(p);
    if (!kw(p, "NULL")) return fail(p, "expected NULL after IS"), NULL;
    next(p);
    query_pred *q = node(p, QUERY_IS_NULL, 1, neg);
    if (q) q->ops[0] = lhs.q;
    return q;
  }
  bool neg = kw(p, "NOT");
  if (neg) next(p);
  if (kw(p, "LIKE")) return next(p), like_tail(p, &lhs, neg);
  if (kw(p, "BETWEEN")) return next(p), between_tail(p, &lhs, neg);
  if (kw(p, "IN")) return next(p), in_tail(p, &lhs, neg);
  fail(p, "expected a comparison (=, <>, <, <=, >, >=, LIKE, BETWEEN, IN, IS NULL)");
  return NULL;
}

static query_pred *expr(parser *p);
static query_pred *factor(parser *p);

static query_pred *factor_inner(parser *p) {
  if (kw(p, "NOT")) {
    next(p);
    query_pred *k = factor(p);
    query_pred *q = k ? query_pred_not(p->a, k) : NULL;
    return q || !k ? q : (nomem(p), NULL);
  }
  if (p->tok.kind == T_LPAREN) {
    next(p);
    query_pred *q = expr(p);
    return q && expect(p, T_RPAREN, "expected ')'") ? q : NULL;
  }
  if (kw(p, "TRUE") || kw(p, "FALSE")) {
    query_pred *q = query_pred_new(p->a, kw(p, "TRUE") ? QUERY_TRUE : QUERY_FALSE);
    next(p);
    /* TRUE = x is a comparison, not a boolean predicate */
    if (cmp_index(p->tok.kind) >= 0)
      return fail(p, "a comparison cannot start with a boolean"), NULL;
    return q ? q : (nomem(p), NULL);
  }
  if (p->tok.kind == T_IDENT && !p->tok.quoted && p->tok.len > 2 &&
      (p->tok.s[0] == 'S' || p->tok.s[0] == 's') && p->tok.s[1] == '_')
    return features_cql2_spatial(p);
  return predicate(p);
}

static query_pred *factor(parser *p) {
  if (++p->depth > CQL2_MAX_DEPTH) return fail(p, "the filter is nested too deeply"), NULL;
  query_pred *q = factor_inner(p);
  p->depth--;
  return p->failed ? NULL : q;
}

/* kind AND: term := factor { AND factor }; kind OR: expr := term { OR term }. */
static query_pred *chain(parser *p, query_kind kind) {
  const char *k = kind == QUERY_AND ? "AND" : "OR";
  query_pred *q = kind == QUERY_AND ? factor(p) : chain(p, QUERY_AND);
  while (q && kw(p, k)) {
    next(p);
    query_pred *r = kind == QUERY_AND ? factor(p) : chain(p, QUERY_AND);
    if (!r) return NULL;
    q = query_pred_join(p->a, kind, q, r);
    if (!q) nomem(p);
  }
  return q;
}

static query_pred *expr(parser *p) { return chain(p, QUERY_OR); }

err_code features_cql2_compile(const layer_info *l, const char *text, features_where *w, err *e) {
  parser p = {.lx = {text, strlen(text), 0}, .l = l, .w = w, .a = w->a, .e = e};
  next(&p);
  if (p.tok.kind == T_END) return err_set(e, ERR_INVALID, "filter: empty");
  query_pred *q = expr(&p);
  if (q && p.tok.kind != T_END) q = NULL, fail(&p, "expected AND, OR or the end of the filter");
  if (!q) return p.failed ? p.rc : err_set(e, ERR_INTERNAL, "filter: no predicate");
  features_where_and(w, q);
  return ERR_OK;
}

/* ---- shared with cql2_spatial.c ---- */

void features_cql2_next(parser *p) { next(p); }
bool features_cql2_fail(parser *p, const char *what) { return fail(p, what); }
bool features_cql2_expect(parser *p, cql2_tok k, const char *what) { return expect(p, k, what); }
bool features_cql2_count(parser *p, size_t n) { return count(p, n); }
bool features_cql2_nomem(parser *p) { return nomem(p); }
bool features_cql2_number(parser *p, double *out) { return number_token(p, out); }

bool features_cql2_fail_at(parser *p, size_t pos, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail_at(p, pos, fmt, ap);
  va_end(ap);
  return false;
}
