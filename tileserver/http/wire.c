/* wire.c — HTTP/1.1 request framing (see wire.h). Strict where a lax reading would let two
 * parties see two different requests (RFC 9112 §11.2, request smuggling): obs-fold, a bare CR,
 * a NUL, whitespace before a field's colon, two different Content-Lengths, Content-Length with
 * Transfer-Encoding, chunked framing in HTTP/1.0, two Host fields or none in HTTP/1.1 are all
 * refused. Lenient only where RFC 9112 allows it: a bare LF ends a line of the head (§2.2), empty
 * lines before the request line are skipped. A chunked body is read strictly (§7.1): CRLF ends
 * each of its lines, and a chunk size is hex digits, then optional whitespace and ';' extensions
 * of visible characters, so "0x5" or "5xyz" is refused, not read as 0 or 5 as a laxer reader
 * might. */
#include <string.h>

#include "http/wire.h"

/* RFC 9110 §5.6.2 tchar */
static bool is_tchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

bool wire_str_is(wire_str a, const char *s) {
  size_t n = strlen(s);
  if (a.len != n) return false;
  for (size_t i = 0; i < n; i++)
    if (lower((unsigned char)a.s[i]) != lower((unsigned char)s[i])) return false;
  return true;
}

static const char *const FIELD_NAMES[WIRE_F_COUNT] = {
    [WIRE_F_HOST] = "host",
    [WIRE_F_ACCEPT] = "accept",
    [WIRE_F_ACCEPT_ENCODING] = "accept-encoding",
    [WIRE_F_IF_NONE_MATCH] = "if-none-match",
    [WIRE_F_RANGE] = "range",
    [WIRE_F_IF_RANGE] = "if-range",
    [WIRE_F_AUTHORIZATION] = "authorization",
    [WIRE_F_COOKIE] = "cookie",
    [WIRE_F_CSRF] = "x-csrf-token",
    [WIRE_F_CONTENT_TYPE] = "content-type",
};

enum { METHOD_MAX = 32, LEADING_EMPTY_MAX = 4 };

typedef struct parse {
  const char *b;
  size_t len;
  int status;
  const char *why;
  bool conn_close, conn_keep;
} parse;

static wire_result fail(parse *ps, int status, const char *why) {
  ps->status = status;
  ps->why = why;
  return WIRE_ERROR;
}

/* A decimal Content-Length: digits only, no overflow (RFC 9110 §8.6). */
static bool parse_length(wire_str v, uint64_t *out) {
  if (v.len == 0 || v.len > 19) return false; /* 19 digits always fit in 64 bits */
  uint64_t n = 0;
  for (size_t i = 0; i < v.len; i++) {
    if (v.s[i] < '0' || v.s[i] > '9') return false;
    n = n * 10 + (uint64_t)(v.s[i] - '0');
  }
  *out = n;
  return true;
}

/* Connection's tokens, comma-separated (RFC 9110 §7.6.1). */
static void connection_tokens(parse *ps, wire_str v) {
  size_t i = 0;
  while (i < v.len) {
    while (i < v.len && (v.s[i] == ' ' || v.s[i] == '\t' || v.s[i] == ',')) i++;
    size_t start = i;
    while (i < v.len && v.s[i] != ',' && v.s[i] != ' ' && v.s[i] != '\t') i++;
    wire_str t = {v.s + start, i - start};
    if (wire_str_is(t, "close")) ps->conn_close = true;
    else if (wire_str_is(t, "keep-alive")) ps->conn_keep = true;
  }
}

static wire_result field(parse *ps, wire_head *h, wire_str name, wire_str value) {
  h->headers_bytes += name.len + value.len + 4;
  if (wire_str_is(name, "content-length")) {
    uint64_t n;
    if (!parse_length(value, &n)) return fail(ps, 400, "the Content-Length is not a number");
    if (h->has_length && n != h->content_length)
      return fail(ps, 400, "two different Content-Lengths");
    h->has_length = true;
    h->content_length = n;
  } else if (wire_str_is(name, "transfer-encoding")) {
    if (!wire_str_is(value, "chunked"))
      return fail(ps, 501, "the only transfer coding this server reads is chunked");
    if (h->chunked) return fail(ps, 400, "chunked twice");
    h->chunked = true;
  } else if (wire_str_is(name, "connection")) {
    connection_tokens(ps, value);
  } else if (wire_str_is(name, "expect")) {
    if (wire_str_is(value, "100-continue")) h->expect_continue = true;
  } else {
    for (int i = 0; i < WIRE_F_COUNT; i++)
      if (wire_str_is(name, FIELD_NAMES[i])) {
        /* Host is echoed into links: two of them would leave the choice to each reader */
        if (i == WIRE_F_HOST && h->fields[i].s) return fail(ps, 400, "two Host fields");
        if (!h->fields[i].s) h->fields[i] = value;
        break;
      }
  }
  return WIRE_DONE;
}

/* The end of the line at b[p]: CRLF or LF. *next past it; PARTIAL when the CR is the last byte. */
static wire_result line_end(parse *ps, size_t p, size_t *next) {
  if (p >= ps->len) return WIRE_PARTIAL;
  if (ps->b[p] == '\n') {
    *next = p + 1;
    return WIRE_DONE;
  }
  if (ps->b[p] != '\r') return fail(ps, 400, "the request line is malformed");
  if (p + 1 >= ps->len) return WIRE_PARTIAL;
  if (ps->b[p + 1] != '\n') return fail(ps, 400, "a bare CR in the request head");
  *next = p + 2;
  return WIRE_DONE;
}

/* The request line from *p: method SP target SP HTTP-version CRLF (RFC 9112 §3). */
static wire_result request_line(parse *ps, size_t *p, size_t url_max, wire_head *h) {
  const char *b = ps->b;
  size_t i = *p, start = i;
  while (i < ps->len && is_tchar((unsigned char)b[i])) {
    if (i - start >= METHOD_MAX) return fail(ps, 400, "the method is too long");
    i++;
  }
  if (i >= ps->len) return WIRE_PARTIAL;
  if (i == start || b[i] != ' ') return fail(ps, 400, "the request line is malformed");
  h->method = (wire_str){b + start, i - start};
  start = ++i;
  while (i < ps->len && b[i] != ' ') {
    if (i - start >= url_max) return fail(ps, 414, "the URL is too long");
    if (b[i] == '\r' || b[i] == '\n') return fail(ps, 400, "the request line is malformed");
    if (b[i] == '\0') h->target_nul = true;
    i++;
  }
  if (i >= ps->len) return WIRE_PARTIAL;
  if (i == start) return fail(ps, 400, "the request line is malformed");
  h->target = (wire_str){b + start, i - start};
  i++;
  static const char PATTERN[] = "HTTP/d.d";
  for (size_t k = 0; k < 8; k++) {
    if (i + k >= ps->len) return WIRE_PARTIAL;
    unsigned char c = (unsigned char)b[i + k];
    bool okc = PATTERN[k] == 'd' ? (c >= '0' && c <= '9') : c == (unsigned char)PATTERN[k];
    if (!okc) return fail(ps, 400, "the HTTP version is malformed");
  }
  /* RFC 9112 §2.3: a higher minor version is read as the highest this server speaks */
  if (b[i + 5] != '1') return fail(ps, 505, "this server speaks HTTP/1.0 and HTTP/1.1");
  h->minor = b[i + 7] == '0' ? 0 : 1;
  wire_result r = line_end(ps, i + 8, p);
  if (r == WIRE_ERROR) ps->why = "the HTTP version is malformed";
  return r;
}

wire_result wire_parse_head(const char *buf, size_t len, size_t url_max, size_t headers_max,
                            wire_head *out, int *out_status, const char **out_why) {
  parse ps = {.b = buf, .len = len};
  wire_head h = {0};
  size_t p = 0;
  /* RFC 9112 §2.2: empty lines before the request line (after a body) are skipped */
  for (int n = 0; n < LEADING_EMPTY_MAX && p < len && (buf[p] == '\r' || buf[p] == '\n'); n++) {
    wire_result r = line_end(&ps, p, &p);
    if (r == WIRE_PARTIAL) return WIRE_PARTIAL;
    if (r == WIRE_ERROR) goto error;
  }
  wire_result r = request_line(&ps, &p, url_max, &h);
  if (r == WIRE_PARTIAL) return WIRE_PARTIAL;
  if (r == WIRE_ERROR) goto error;
  size_t block = p;
  for (;;) {
    if (p - block > headers_max) {
      fail(&ps, 431, "the request headers are too large");
      goto error;
    }
    if (p >= len) goto partial;
    if (buf[p] == '\r' || buf[p] == '\n') { /* the empty line: the end of the head */
      r = line_end(&ps, p, &p);
      if (r == WIRE_PARTIAL) goto partial;
      if (r == WIRE_ERROR) goto error;
      break;
    }
    if (buf[p] == ' ' || buf[p] == '\t') {
      fail(&ps, 400, "a header line is folded (obs-fold)");
      goto error;
    }
    size_t name = p;
    while (p < len && is_tchar((unsigned char)buf[p])) p++;
    if (p >= len) goto partial;
    if (buf[p] != ':' || p == name) {
      fail(&ps, 400, "a header line is malformed");
      goto error;
    }
    wire_str fname = {buf + name, p - name};
    p++;
    while (p < len && (buf[p] == ' ' || buf[p] == '\t')) p++;
    size_t value = p;
    while (p < len && buf[p] != '\r' && buf[p] != '\n') {
      if (buf[p] == '\0') {
        fail(&ps, 400, "a header holds a NUL byte");
        goto error;
      }
      p++;
    }
    if (p - block > headers_max) {
      fail(&ps, 431, "the request headers are too large");
      goto error;
    }
    size_t vend = p;
    while (vend > value && (buf[vend - 1] == ' ' || buf[vend - 1] == '\t')) vend--;
    r = line_end(&ps, p, &p);
    if (r == WIRE_PARTIAL) goto partial;
    if (r == WIRE_ERROR) {
      ps.why = "a bare CR in a header";
      goto error;
    }
    if (field(&ps, &h, fname, (wire_str){buf + value, vend - value}) == WIRE_ERROR) goto error;
  }
  if (h.chunked && h.has_length) {
    fail(&ps, 400, "both Content-Length and Transfer-Encoding");
    goto error;
  }
  if (h.chunked && h.minor == 0) {
    fail(&ps, 400, "Transfer-Encoding in an HTTP/1.0 request");
    goto error;
  }
  /* RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request that has no Host */
  if (h.minor == 1 && !h.fields[WIRE_F_HOST].s) {
    fail(&ps, 400, "an HTTP/1.1 request needs a Host field");
    goto error;
  }
  h.head_len = p;
  h.keep_alive = !ps.conn_close && (h.minor == 1 || ps.conn_keep);
  *out = h;
  return WIRE_DONE;
partial:
  if (len - block > headers_max) {
    fail(&ps, 431, "the request headers are too large");
    goto error;
  }
  return WIRE_PARTIAL;
error:
  *out_status = ps.status;
  *out_why = ps.why;
  return WIRE_ERROR;
}

bool wire_field_next(const char *head, size_t head_len, size_t *pos, wire_str *out_name,
                     wire_str *out_value) {
  size_t p = *pos;
  if (p == 0) { /* past the empty lines before the request line, and the request line */
    while (p < head_len && (head[p] == '\r' || head[p] == '\n')) p++;
    const char *lf = memchr(head + p, '\n', head_len - p);
    if (!lf) return false;
    p = (size_t)(lf - head) + 1;
  }
  if (p >= head_len || head[p] == '\r' || head[p] == '\n') return false;
  const char *colon = memchr(head + p, ':', head_len - p);
  const char *lf = memchr(head + p, '\n', head_len - p);
  if (!colon || !lf || colon > lf) return false;
  *out_name = (wire_str){head + p, (size_t)(colon - head - p)};
  const char *v = colon + 1, *e = lf;
  if (e > v && e[-1] == '\r') e--;
  while (v < e && (*v == ' ' || *v == '\t')) v++;
  while (e > v && (e[-1] == ' ' || e[-1] == '\t')) e--;
  *out_value = (wire_str){v, (size_t)(e - v)};
  *pos = (size_t)(lf - head) + 1;
  return true;
}

static int hex(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

size_t wire_pct_decode(char *dst, const char *src, size_t len, bool plus, bool *out_nul) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    char c = src[i];
    if (c == '%' && i + 2 < len && hex((unsigned char)src[i + 1]) >= 0 &&
        hex((unsigned char)src[i + 2]) >= 0) {
      c = (char)(hex((unsigned char)src[i + 1]) * 16 + hex((unsigned char)src[i + 2]));
      i += 2;
    } else if (plus && c == '+') {
      c = ' ';
    }
    if (c == '\0') *out_nul = true;
    dst[o++] = c;
  }
  return o;
}

enum {
  C_SIZE,      /* hex digits of a chunk size */
  C_SIZE_WS,   /* whitespace after them (BWS), up to ';' or CR */
  C_EXT,       /* after ';': extensions up to the line's end */
  C_SIZE_LF,   /* the size line's CR seen */
  C_DATA,      /* chunk data */
  C_DATA_CR,   /* the CRLF after the data */
  C_DATA_LF,
  C_TRAILER,   /* the start of a trailer line, or the final empty line */
  C_TRAILER_LINE,
  C_TRAILER_LF,
  C_END_LF,
  C_DONE,
  C_BAD
};

wire_result wire_chunked_step(wire_chunked *d, const char *in, size_t len, size_t *used,
                              size_t *out_data_off, size_t *out_data_len) {
  *out_data_len = 0;
  *out_data_off = 0;
  size_t i = 0;
  for (; i < len; i++) {
    unsigned char c = (unsigned char)in[i];
    switch (d->state) {
      case C_SIZE: {
        int x = hex(c);
        if (x >= 0) {
          if (d->left > (UINT64_MAX >> 4) || ++d->line > WIRE_CHUNK_LINE_MAX) goto bad;
          d->left = d->left * 16 + (uint64_t)x;
          d->digits++;
          break;
        }
        if (d->digits == 0) goto bad;
        i--; /* read this byte again as the rest of the line */
        d->state = C_SIZE_WS;
        break;
      }
      case C_SIZE_WS:
        if (++d->line > WIRE_CHUNK_LINE_MAX) goto bad;
        if (c == '\r') d->state = C_SIZE_LF;
        else if (c == ';') d->state = C_EXT;
        else if (c != ' ' && c != '\t') goto bad;
        break;
      case C_EXT: /* names, values, quoted strings: visible characters and whitespace */
        if (++d->line > WIRE_CHUNK_LINE_MAX) goto bad;
        if (c == '\r') d->state = C_SIZE_LF;
        else if (c != '\t' && (c < 0x20 || c > 0x7e)) goto bad;
        break;
      case C_SIZE_LF:
        if (c != '\n') goto bad;
        d->line = 0;
        d->digits = 0;
        d->state = d->left ? C_DATA : C_TRAILER;
        break;
      case C_DATA: {
        uint64_t n = len - i < d->left ? len - i : d->left;
        *out_data_off = i;
        *out_data_len = (size_t)n;
        d->left -= n;
        if (!d->left) d->state = C_DATA_CR;
        *used = i + (size_t)n;
        return WIRE_PARTIAL;
      }
      case C_DATA_CR:
        if (c != '\r') goto bad;
        d->state = C_DATA_LF;
        break;
      case C_DATA_LF:
        if (c != '\n') goto bad;
        d->state = C_SIZE;
        break;
      case C_TRAILER:
        if (c == '\r') {
          d->state = C_END_LF;
        } else if (c == '\n') {
          goto bad;
        } else {
          d->state = C_TRAILER_LINE;
          i--;
        }
        break;
      case C_TRAILER_LINE:
        if (++d->trailer_bytes > WIRE_TRAILERS_MAX) goto bad;
        if (c == '\r') d->state = C_TRAILER_LF;
        else if (c != '\t' && (c < 0x20 || c > 0x7e) && c < 0x80) goto bad;
        break;
      case C_TRAILER_LF:
        if (c != '\n') goto bad;
        d->state = C_TRAILER;
        break;
      case C_END_LF:
        if (c != '\n') goto bad;
        d->state = C_DONE;
        *used = i + 1;
        return WIRE_DONE;
      case C_DONE:
        *used = i;
        return WIRE_DONE;
      default:
        goto bad;
    }
  }
  *used = i;
  return d->state == C_DONE ? WIRE_DONE : WIRE_PARTIAL;
bad:
  d->state = C_BAD;
  *used = i;
  return WIRE_ERROR;
}
