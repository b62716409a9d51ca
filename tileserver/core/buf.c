/* buf.c — growable, bounded, sticky-failure byte buffer. */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf *b, size_t limit) {
  memset(b, 0, sizeof *b);
  b->limit = limit ? limit : SIZE_MAX;
}

void buf_free(buf *b) {
  free(b->data);
  size_t limit = b->limit;
  memset(b, 0, sizeof *b);
  b->limit = limit;
}

void buf_reset(buf *b) {
  b->len = 0;
  b->failed = false;
  b->over_limit = false;
}

bool buf_reserve(buf *b, size_t extra) {
  if (b->failed) return false;
  /* +1 keeps room for the NUL of buf_cstr. */
  if (extra > b->limit || b->len > b->limit - extra) {
    b->failed = b->over_limit = true;
    return false;
  }
  size_t need = b->len + extra + 1;
  if (need <= b->cap) return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  uint8_t *p = realloc(b->data, cap);
  if (!p) {
    b->failed = true;
    return false;
  }
  b->data = p;
  b->cap = cap;
  return true;
}

bool buf_append(buf *b, const void *p, size_t n) {
  if (!buf_reserve(b, n)) return false;
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  return true;
}

bool buf_putc(buf *b, int c) {
  uint8_t ch = (uint8_t)c;
  return buf_append(b, &ch, 1);
}

bool buf_puts(buf *b, const char *s) { return buf_append(b, s, strlen(s)); }

bool buf_printf(buf *b, const char *fmt, ...) {
  if (b->failed) return false;
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->failed = true;
    return false;
  }
  if ((size_t)n < sizeof small) return buf_append(b, small, (size_t)n);
  if (!buf_reserve(b, (size_t)n)) return false;
  va_start(ap, fmt);
  vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return true;
}

size_t buf_json_escape_byte(unsigned char c, char out[BUF_JSON_ESCAPE_MAX]) {
  static const char hex[] = "0123456789abcdef";
  out[0] = '\\';
  switch (c) {
    case '"': out[1] = '"'; return 2;
    case '\\': out[1] = '\\'; return 2;
    case '\n': out[1] = 'n'; return 2;
    case '\r': out[1] = 'r'; return 2;
    case '\t': out[1] = 't'; return 2;
    default:
      memcpy(out + 1, "u00", 3);
      out[4] = hex[c >> 4];
      out[5] = hex[c & 15];
      return 6;
  }
}

bool buf_json_escape(buf *b, const char *s, size_t n) {
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (buf_json_plain(c)) continue;
    buf_append(b, s + start, i - start);
    start = i + 1;
    char e[BUF_JSON_ESCAPE_MAX];
    buf_append(b, e, buf_json_escape_byte(c, e));
  }
  return buf_append(b, s + start, n - start);
}

bool buf_html_escape(buf *b, const char *s, size_t n) {
  size_t run = 0; /* unescaped runs are copied in one append */
  for (size_t i = 0; i < n; i++) {
    const char *rep;
    switch (s[i]) {
      case '&': rep = "&amp;"; break;
      case '<': rep = "&lt;"; break;
      case '>': rep = "&gt;"; break;
      case '"': rep = "&quot;"; break;
      case '\'': rep = "&#39;"; break;
      default: continue;
    }
    buf_append(b, s + run, i - run);
    buf_puts(b, rep);
    run = i + 1;
  }
  return buf_append(b, s + run, n - run);
}

bool buf_json_str(buf *b, const char *s) {
  if (!s) return buf_append(b, "null", 4);
  buf_putc(b, '"');
  buf_json_escape(b, s, strlen(s));
  return buf_putc(b, '"');
}

const char *buf_cstr(buf *b) {
  if (!buf_reserve(b, 0)) return "";
  b->data[b->len] = '\0';
  return (const char *)b->data;
}

uint8_t *buf_steal(buf *b, size_t *out_len) {
  uint8_t *p = b->data;
  if (out_len) *out_len = b->len;
  size_t limit = b->limit;
  memset(b, 0, sizeof *b);
  b->limit = limit;
  return p;
}
