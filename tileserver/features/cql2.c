/* cql2.c — CQL2 text (OGC API - Features Part 3 / CQL2, conformance classes basic-cql2,
 * advanced comparison operators (LIKE, BETWEEN, IN) and basic + spatial functions) compiled to an
 * SQL condition by recursive descent.
 *
 *   expr    := term { OR term }
 *   term    := factor { AND factor }
 *   factor  := NOT factor | '(' expr ')' | TRUE | FALSE | spatial | predicate
 *   predicate := operand ( cmp operand | [NOT] LIKE string | [NOT] BETWEEN operand AND operand
 *                        | [NOT] IN '(' operand {',' operand} ')' | IS [NOT] NULL )
 *   operand := property | 'string' | [-]number | TRUE | FALSE | DATE('..') | TIMESTAMP('..')
 *   spatial := S_INTERSECTS|S_DISJOINT|S_WITHIN|S_CONTAINS|... '(' geom ',' geom ')'
 *
 * Safety: property names must be fields of the layer (or "geometry" in a spatial predicate) and
 * are written as quoted identifiers; every literal is a bound parameter; types are checked, so
 * `hora = 'x'` is a 400, not an empty answer. Nesting is bounded (CQL2_MAX_DEPTH), so a hostile
 * filter cannot exhaust the stack. LIKE is case-sensitive as CQL2 says, which SQLite's LIKE is
 * not: patterns are translated to GLOB. The first error stops the parse and names its position. */
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
  int param;                /* the literal's placeholder */
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
  err_set(p->e, ERR_INVALID, "filter: at character %zu: %s", pos, msg);
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

/* Unquotes a '..' or ".." token into the arena (doubled quotes become one). */
static char *unquote(parser *p, const cql2_token *t) {
  char *out = arena_alloc(p->w->a, t->len);
  if (!out) {
    p->failed = true;
    err_set(p->e, ERR_NOMEM, "out of memory");
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

static int bind(parser *p, value v) {
  int n = features_where_bind(p->w, v);
  if (!n && !p->failed) {
    p->failed = true;
    err_set(p->e, p->w->too_many ? ERR_INVALID : ERR_NOMEM,
            p->w->too_many ? "filter: too many values" : "out of memory");
  }
  return n;
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
  o->c = is_date ? C_DATE : C_TS;
  o->param = bind(p, (value){.kind = VALUE_TEXT, .s = t.text, .len = strlen(t.text)});
  return expect(p, T_RPAREN, "expected ')'");
}

static bool operand_parse(parser *p, operand *o) {
  memset(o, 0, sizeof *o);
  o->pos = p->tok.pos;
  cql2_token t = p->tok;
  if (t.kind == T_NUMBER || t.kind == T_MINUS) {
    double d = 0;
    if (!number_token(p, &d)) return false;
    o->c = C_NUM;
    o->param = d == floor(d) && fabs(d) < 9e15 ? bind(p, (value){.kind = VALUE_INT, .i = (int64_t)d})
                                              : bind(p, (value){.kind = VALUE_REAL, .d = d});
    return !p->failed;
  }
  if (t.kind == T_STRING) {
    char *s = unquote(p, &t);
    if (!s) return false;
    o->c = C_STR;
    o->param = bind(p, (value){.kind = VALUE_TEXT, .s = s, .len = strlen(s)});
    next(p);
    return !p->failed;
  }
  if (features_cql2_is(&t, "TRUE") || features_cql2_is(&t, "FALSE")) {
    o->c = C_BOOL;
    o->param = bind(p, (value){.kind = VALUE_INT, .i = features_cql2_is(&t, "TRUE")});
    next(p);
    return !p->failed;
  }
  if (kw(p, "DATE") || kw(p, "TIMESTAMP")) return temporal_literal(p, o);
  if (t.kind != T_IDENT) return fail(p, "expected a property name or a value");
  char *name = t.quoted ? unquote(p, &t) : arena_strndup(p->w->a, t.s, t.len);
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
  next(p);
  return true;
}

static void emit_operand(parser *p, const operand *o) {
  if (o->field) features_sql_ident(p->sql, o->field->name);
  else buf_printf(p->sql, "?%d", o->param);
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

/* CQL2 LIKE ('%' any, '_' one character, '\' escapes) → GLOB ('*', '?', '[x]' literal). */
static char *like_to_glob(parser *p, const char *pat) {
  size_t n = strlen(pat);
  char *g = arena_alloc(p->w->a, 3 * n + 1);
  if (!g) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    char c = pat[i];
    if (c == '\\' && i + 1 < n) c = pat[++i];
    else if (c == '%') c = '*', g[k++] = c, c = 0;
    else if (c == '_') c = '?', g[k++] = c, c = 0;
    if (!c) continue;
    if (c == '*' || c == '?' || c == '[') {
      g[k++] = '[';
      g[k++] = c;
      g[k++] = ']';
    } else {
      g[k++] = c;
    }
  }
  g[k] = '\0';
  return g;
}

static bool like_tail(parser *p, const operand *lhs, bool neg) {
  if (lhs->c != C_STR) return fail_at(p, lhs->pos, "LIKE needs a text property");
  if (p->tok.kind != T_STRING) return fail(p, "expected a quoted pattern after LIKE");
  char *pat = unquote(p, &p->tok);
  char *glob = pat ? like_to_glob(p, pat) : NULL;
  if (!glob) return fail_at(p, p->tok.pos, "out of memory");
  int n = bind(p, (value){.kind = VALUE_TEXT, .s = glob, .len = strlen(glob)});
  next(p);
  buf_puts(p->sql, neg ? "NOT (" : "(");
  emit_operand(p, lhs);
  buf_printf(p->sql, " GLOB ?%d)", n);
  return !p->failed;
}

static bool between_tail(parser *p, const operand *lhs, bool neg) {
  operand lo, hi;
  if (!operand_parse(p, &lo) || !check_types(p, lhs, &lo)) return false;
  if (!kw(p, "AND")) return fail(p, "expected AND in BETWEEN");
  next(p);
  if (!operand_parse(p, &hi) || !check_types(p, lhs, &hi)) return false;
  buf_puts(p->sql, "(");
  emit_operand(p, lhs);
  buf_puts(p->sql, neg ? " NOT BETWEEN " : " BETWEEN ");
  emit_operand(p, &lo);
  buf_puts(p->sql, " AND ");
  emit_operand(p, &hi);
  buf_puts(p->sql, ")");
  return true;
}

static bool in_tail(parser *p, const operand *lhs, bool neg) {
  if (!expect(p, T_LPAREN, "expected '(' after IN")) return false;
  buf_puts(p->sql, "(");
  emit_operand(p, lhs);
  buf_puts(p->sql, neg ? " NOT IN (" : " IN (");
  for (int i = 0;; i++) {
    operand o;
    if (!operand_parse(p, &o) || !check_types(p, lhs, &o)) return false;
    if (i) buf_puts(p->sql, ", ");
    emit_operand(p, &o);
    if (p->tok.kind == T_RPAREN) break;
    if (!expect(p, T_COMMA, "expected ',' or ')' in the IN list")) return false;
  }
  next(p);
  buf_puts(p->sql, "))");
  return true;
}

static const struct {
  const char *tok;
  const char *op;
} CMP[] = {{"=", "="}, {"<>", "<>"}, {"<", "<"}, {"<=", "<="}, {">", ">"}, {">=", ">="}};

static int cmp_index(cql2_tok k) {
  switch (k) {
    case T_EQ: return 0;
    case T_NE: return 1;
    case T_LT: return 2;
    case T_LE: return 3;
    case T_GT: return 4;
    case T_GE: return 5;
    default: return -1;
  }
}

static bool predicate(parser *p) {
  operand lhs;
  if (!operand_parse(p, &lhs)) return false;
  int ci = cmp_index(p->tok.kind);
  if (ci >= 0) {
    next(p);
    operand rhs;
    if (!operand_parse(p, &rhs) || !check_types(p, &lhs, &rhs)) return false;
    buf_puts(p->sql, "(");
    emit_operand(p, &lhs);
    buf_printf(p->sql, " %s ", CMP[ci].op);
    emit_operand(p, &rhs);
    buf_puts(p->sql, ")");
    return true;
  }
  if (kw(p, "IS")) {
    next(p);
    bool neg = kw(p, "NOT");
    if (neg) next(p);
    if (!kw(p, "NULL")) return fail(p, "expected NULL after IS");
    next(p);
    buf_puts(p->sql, "(");
    emit_operand(p, &lhs);
    buf_puts(p->sql, neg ? " IS NOT NULL)" : " IS NULL)");
    return true;
  }
  bool neg = kw(p, "NOT");
  if (neg) next(p);
  if (kw(p, "LIKE")) return next(p), like_tail(p, &lhs, neg);
  if (kw(p, "BETWEEN")) return next(p), between_tail(p, &lhs, neg);
  if (kw(p, "IN")) return next(p), in_tail(p, &lhs, neg);
  return fail(p, "expected a comparison (=, <>, <, <=, >, >=, LIKE, BETWEEN, IN, IS NULL)");
}

static bool expr(parser *p);

static bool factor(parser *p) {
  if (++p->depth > CQL2_MAX_DEPTH) return fail(p, "the filter is nested too deeply");
  bool ok;
  if (kw(p, "NOT")) {
    next(p);
    buf_puts(p->sql, "NOT ");
    ok = factor(p);
  } else if (p->tok.kind == T_LPAREN) {
    next(p);
    buf_puts(p->sql, "(");
    ok = expr(p) && expect(p, T_RPAREN, "expected ')'");
    buf_puts(p->sql, ")");
  } else if (kw(p, "TRUE") || kw(p, "FALSE")) {
    buf_puts(p->sql, kw(p, "TRUE") ? "1" : "0");
    next(p);
    ok = true;
    /* TRUE = x is a comparison, not a boolean predicate */
    if (cmp_index(p->tok.kind) >= 0) ok = fail(p, "a comparison cannot start with a boolean");
  } else if (p->tok.kind == T_IDENT && !p->tok.quoted && p->tok.len > 2 &&
             (p->tok.s[0] == 'S' || p->tok.s[0] == 's') && p->tok.s[1] == '_') {
    ok = features_cql2_spatial(p);
  } else {
    ok = predicate(p);
  }
  p->depth--;
  return ok && !p->failed;
}

static bool term(parser *p) {
  if (!factor(p)) return false;
  while (kw(p, "AND")) {
    next(p);
    buf_puts(p->sql, " AND ");
    if (!factor(p)) return false;
  }
  return true;
}

static bool expr(parser *p) {
  if (!term(p)) return false;
  while (kw(p, "OR")) {
    next(p);
    buf_puts(p->sql, " OR ");
    if (!term(p)) return false;
  }
  return true;
}

err_code features_cql2_compile(const layer_info *l, const char *text, features_where *w, err *e) {
  parser p = {.lx = {text, strlen(text), 0}, .l = l, .w = w, .sql = &w->sql, .e = e};
  next(&p);
  if (p.tok.kind == T_END) return err_set(e, ERR_INVALID, "filter: empty");
  buf_puts(&w->sql, "(");
  bool ok = expr(&p);
  if (ok && p.tok.kind != T_END) ok = fail(&p, "expected AND, OR or the end of the filter");
  buf_puts(&w->sql, ")");
  if (!ok) return e ? e->code : ERR_INVALID;
  return ERR_OK;
}

/* ---- shared with cql2_spatial.c ---- */

void features_cql2_next(parser *p) { next(p); }
bool features_cql2_fail(parser *p, const char *what) { return fail(p, what); }
bool features_cql2_expect(parser *p, cql2_tok k, const char *what) { return expect(p, k, what); }
int features_cql2_bind(parser *p, value v) { return bind(p, v); }
bool features_cql2_number(parser *p, double *out) { return number_token(p, out); }

bool features_cql2_fail_at(parser *p, size_t pos, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail_at(p, pos, fmt, ap);
  va_end(ap);
  return false;
}
