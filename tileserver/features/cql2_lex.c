/* cql2_lex.c — splits CQL2 text into tokens. Identifiers follow the cql2-text BNF loosely
 * (letters, digits, '_', '.', ':' and any non-ASCII byte, so "colonia_nombre" and "año" work);
 * anything that is not a token is T_ERROR at its position, and the parser reports it. */
#include <string.h>

#include "features/cql2_int.h"

static bool ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool ident_part(unsigned char c) {
  return ident_start(c) || (c >= '0' && c <= '9') || c == '.' || c == ':';
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* A number: digits [. digits] [e [+-] digits], or . digits. The sign is a separate token. */
static size_t number_len(const char *s, size_t n) {
  size_t i = 0, d = 0;
  while (i < n && is_digit(s[i])) i++, d++;
  if (i < n && s[i] == '.') {
    i++;
    while (i < n && is_digit(s[i])) i++, d++;
  }
  if (d == 0) return 0;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < n && (s[j] == '+' || s[j] == '-')) j++;
    if (j < n && is_digit(s[j])) {
      while (j < n && is_digit(s[j])) j++;
      i = j;
    }
  }
  return i;
}

/* Length of a quoted token starting at s[0] == q, with q doubled inside; 0 when unterminated. */
static size_t quoted_len(const char *s, size_t n, char q) {
  for (size_t i = 1; i < n; i++) {
    if (s[i] != q) continue;
    if (i + 1 < n && s[i + 1] == q) {
      i++;
      continue;
    }
    return i + 1;
  }
  return 0;
}

static cql2_tok punct(const char *s, size_t n, size_t *len) {
  *len = 1;
  switch (s[0]) {
    case '(': return T_LPAREN;
    case ')': return T_RPAREN;
    case ',': return T_COMMA;
    case '=': return T_EQ;
    case '-': return T_MINUS;
    case '<':
      if (n > 1 && (s[1] == '>' || s[1] == '=')) {
        *len = 2;
        return s[1] == '>' ? T_NE : T_LE;
      }
      return T_LT;
    case '>':
      if (n > 1 && s[1] == '=') {
        *len = 2;
        return T_GE;
      }
      return T_GT;
    default: return T_ERROR;
  }
}

cql2_token features_cql2_lex(cql2_lexer *lx) {
  while (lx->off < lx->len && strchr(" \t\r\n", lx->src[lx->off])) lx->off++;
  cql2_token t = {T_END, lx->src + lx->off, 0, false, lx->off + 1};
  size_t n = lx->len - lx->off;
  if (n == 0) return t;
  const char *s = t.s;
  unsigned char c = (unsigned char)s[0];
  if (c == '\'' || c == '"') {
    t.len = quoted_len(s, n, (char)c);
    t.kind = t.len ? (c == '\'' ? T_STRING : T_IDENT) : T_ERROR;
    t.quoted = c == '"';
    if (!t.len) t.len = n;
  } else if (ident_start(c)) {
    t.kind = T_IDENT;
    while (t.len < n && ident_part((unsigned char)s[t.len])) t.len++;
  } else if ((t.len = number_len(s, n)) > 0) {
    t.kind = T_NUMBER;
  } else {
    t.kind = punct(s, n, &t.len);
  }
  lx->off += t.len;
  return t;
}

bool features_cql2_is(const cql2_token *t, const char *kw) {
  if (t->kind != T_IDENT || t->quoted || strlen(kw) != t->len) return false;
  for (size_t i = 0; i < t->len; i++) {
    char a = t->s[i], b = kw[i];
    if (a >= 'a' && a <= 'z') a = (char)(a - 32);
    if (a != b) return false;
  }
  return true;
}
