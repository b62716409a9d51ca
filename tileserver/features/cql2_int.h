/* cql2_int.h — the tokens of CQL2 text (OGC 21-065, the cql2-text BNF), shared by the lexer and
 * the parser of features/. */
#ifndef TESELAS_FEATURES_CQL2_INT_H
#define TESELAS_FEATURES_CQL2_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "features/features_int.h"

typedef enum cql2_tok {
  T_END = 0,
  T_IDENT,   /* a property name, bare or "double-quoted"; keywords are T_IDENT + cql2_is() */
  T_STRING,  /* 'text' with '' for a quote */
  T_NUMBER,
  T_LPAREN,
  T_RPAREN,
  T_COMMA,
  T_EQ,
  T_NE,
  T_LT,
  T_LE,
  T_GT,
  T_GE,
  T_MINUS,
  T_ERROR    /* a character that starts no token, or an unterminated string */
} cql2_tok;

typedef struct cql2_token {
  cql2_tok kind;
  const char *s;   /* start in the source */
  size_t len;      /* length in the source (quotes included) */
  bool quoted;     /* a "double-quoted" identifier: never a keyword */
  size_t pos;      /* 1-based character position, for error messages */
} cql2_token;

typedef struct cql2_lexer {
  const char *src;
  size_t len, off;
} cql2_lexer;

/* Reads the next token (T_END at the end). */
cql2_token features_cql2_lex(cql2_lexer *lx);
/* True when t is the unquoted keyword kw, given in upper case (matched case-insensitively). */
bool features_cql2_is(const cql2_token *t, const char *kw);

/* The parser's state (cql2.c), shared with the spatial predicates (cql2_spatial.c). */
typedef struct features_cql2 {
  cql2_lexer lx;
  cql2_token tok;     /* the current token */
  const layer_info *l;
  features_where *w;
  arena *a;           /* w->a: where the tree is built */
  err *e;
  int depth;
  bool failed;        /* sticky: the first error is in e */
  err_code rc;        /* and its kind */
} features_cql2;

void features_cql2_next(features_cql2 *p);
/* Records "expected <what>, found <token>" at the current token; returns false. */
bool features_cql2_fail(features_cql2 *p, const char *what);
bool features_cql2_fail_at(features_cql2 *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool features_cql2_expect(features_cql2 *p, cql2_tok k, const char *what);
/* Counts n more values against the bound; false (recorded) past it. */
bool features_cql2_count(features_cql2 *p, size_t n);
/* Records that the arena failed; returns false. */
bool features_cql2_nomem(features_cql2 *p);
/* An optionally negative number literal. */
bool features_cql2_number(features_cql2 *p, double *out);
/* S_INTERSECTS(...) and the other spatial predicates; the current token is the function name.
 * NULL after an error (recorded). */
query_pred *features_cql2_spatial(features_cql2 *p);

#endif
