/* multipart.c — multipart/form-data bodies read as they stream in (multipart.h).
 *
 * The delimiter "\r\n--" + boundary is found with a matcher that remembers only how many of its
 * bytes it has matched: a boundary holds no CR (bchars, RFC 2046 §5.1.1), so the delimiter's
 * only CR is its first byte, a failed match can restart only at the byte that broke it, and the
 * bytes held back are always the delimiter's own prefix. Data is therefore handed on straight
 * out of the caller's buffer, never copied, and at most the delimiter's length less one byte is
 * held back between two pieces. The body's first delimiter may lack its CRLF: the matcher starts
 * with those two bytes already matched.
 *
 * A part's header block is kept whole (bounded) and read at its blank line; it is the only copy.
 * Not done: Content-Transfer-Encoding (RFC 7578 §4.7 deprecates it), RFC 2231 `filename*`,
 * nested multipart/mixed. */
#include "http/multipart.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { DELIM_MAX = 4 + MP_MAX_BOUNDARY };

typedef enum mp_state {
  S_PREAMBLE,    /* before the first delimiter: skipped */
  S_AFTER_DELIM, /* a delimiter seen: "--", transport padding or CRLF follows */
  S_DASH2,       /* "-" after a delimiter: the close delimiter's second "-" follows */
  S_DELIM_LF,    /* the CR ending a delimiter line: its LF follows */
  S_HEADER,      /* a part's header lines */
  S_DATA,        /* a part's data, up to the next delimiter */
  S_EPILOGUE,    /* after the close delimiter: skipped */
  S_FAILED
} mp_state;

typedef enum hdr_state {
  H_START,  /* at the start of a header line */
  H_LINE,   /* inside a line */
  H_LF,     /* a line's CR seen */
  H_END_LF  /* the blank line's CR seen */
} hdr_state;

struct mp_parser {
  mp_callbacks cb;
  void *ctx;
  mp_state state;
  hdr_state hstate;
  bool padded;      /* transport padding seen after the current delimiter */
  size_t k;         /* bytes of delim matched so far (held back, not yet handed on) */
  size_t delim_len;
  size_t n_parts;
  size_t hdr_raw;   /* bytes of the current header block, CRs and the blank line included */
  size_t hdr_len;   /* bytes in hdr: the lines unfolded, each ended by one '\n' */
  err error;        /* the first error, sticky */
  char delim[DELIM_MAX + 1];
  char hdr[MP_MAX_HEADER_BYTES];
  char out[MP_MAX_HEADER_BYTES + 4]; /* name, filename, content type decoded, NUL-terminated */
};

/* ---- header values: type/subtype or disposition type, then ; name=value parameters ---- */

static bool is_tchar(unsigned char c) { /* RFC 9110 §5.6.2 */
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_ctl(unsigned char c) { return c < 0x20 || c == 0x7f; }

static bool is_bchar(unsigned char c) { /* RFC 2046 §5.1.1 */
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != 0 && strchr("'()+_,-./:=? ", c) != NULL);
}

static const char *skip_ows(const char *s, const char *end) {
  while (s < end && (*s == ' ' || *s == '\t')) s++;
  return s;
}

/* A run of token characters ('/' too when slash), at least one; NULL when there is none. */
static const char *read_token(const char *s, const char *end, bool slash) {
  const char *t = s;
  while (t < end && (is_tchar((unsigned char)*t) || (slash && *t == '/'))) t++;
  return t == s ? NULL : t;
}

typedef struct param {
  const char *name, *val; /* val: inside the quotes when quoted */
  size_t name_len, val_len;
  bool quoted;
} param;

/* The next parameter after *ps: 1 with *out filled and *ps past it, 0 at the end, -1 when the
 * text is not `*(OWS ";" OWS name "=" value) OWS` (a value a quoted-string or a bare run of
 * visible characters other than ; and "). A trailing ";" is tolerated. */
static int param_next(const char **ps, const char *end, param *out) {
  const char *s = skip_ows(*ps, end);
  if (s == end) return 0;
  if (*s != ';') return -1;
  s = skip_ows(s + 1, end);
  if (s == end) return 0;
  const char *t = read_token(s, end, false);
  if (!t) return -1;
  *out = (param){.name = s, .name_len = (size_t)(t - s)};
  s = skip_ows(t, end);
  if (s == end || *s != '=') return -1;
  s = skip_ows(s + 1, end);
  if (s < end && *s == '"') {
    out->quoted = true;
    out->val = ++s;
    for (; s < end && *s != '"'; s++) {
      if (is_ctl((unsigned char)*s) && *s != '\t') return -1;
      if (*s == '\\' && ++s == end) return -1;
      if (is_ctl((unsigned char)*s) && *s != '\t') return -1;
    }
    if (s == end) return -1;
    out->val_len = (size_t)(s - out->val);
    s++;
  } else {
    out->val = s;
    while (s < end && !is_ctl((unsigned char)*s) && *s != ' ' && *s != ';' && *s != '"') s++;
    out->val_len = (size_t)(s - out->val);
    if (out->val_len == 0) return -1;
  }
  *ps = s;
  return 1;
}

static bool param_is(const param *pm, const char *name) {
  return pm->name_len == strlen(name) && strncasecmp(pm->name, name, pm->name_len) == 0;
}

/* The value decoded into dst (room for val_len + 1), NUL-terminated. In a quoted value `\"` and
 * `\\` stand for `"` and `\`; any other backslash is kept, because browsers send file names
 * unescaped (the HTML form encoding replaces only `"`, CR and LF) and Windows paths hold
 * backslashes. Python's email package reads them the same way. */
static char *param_decode(const param *pm, char *dst) {
  size_t n = 0;
  for (size_t i = 0; i < pm->val_len; i++) {
    char c = pm->val[i];
    if (pm->quoted && c == '\\' && i + 1 < pm->val_len &&
        (pm->val[i + 1] == '"' || pm->val[i + 1] == '\\'))
      c = pm->val[++i];
    dst[n++] = c;
  }
  dst[n] = '\0';
  return dst;
}

/* ---- errors ---- */

static err_code fail(mp_parser *p, err_code code, const char *msg) {
  if (p->state != S_FAILED) {
    if (strcmp(msg, "stopped") == 0) /* the caller's own refusal: its word, as the contract says */
      err_set(&p->error, code, "%s", msg);
    else
      err_set(&p->error, code, "multipart body: %s", msg);
    p->state = S_FAILED;
  }
  return code;
}

static err_code report(const mp_parser *p, err *e) {
  if (e) *e = p->error;
  return p->error.code;
}

/* ---- creation ---- */

static bool boundary_valid(const char *b, size_t n) {
  if (n < 1 || n > MP_MAX_BOUNDARY || b[n - 1] == ' ') return false;
  for (size_t i = 0; i < n; i++)
    if (!is_bchar((unsigned char)b[i])) return false;
  return true;
}

mp_parser *mp_create(const char *content_type, const mp_callbacks *cb, void *ctx, err *e) {
  static const char TYPE[] = "multipart/form-data";
  assert(cb && cb->part_begin && cb->part_data && cb->part_end);
  if (!content_type) {
    err_set(e, ERR_INVALID, "Content-Type: missing, multipart/form-data expected");
    return NULL;
  }
  const char *end = content_type + strlen(content_type);
  const char *s = skip_ows(content_type, end), *t = read_token(s, end, true);
  if (!t || (size_t)(t - s) != sizeof TYPE - 1 || strncasecmp(s, TYPE, sizeof TYPE - 1) != 0) {
    err_set(e, ERR_INVALID, "Content-Type: not multipart/form-data");
    return NULL;
  }
  char bnd[MP_MAX_BOUNDARY + 1];
  size_t bnd_len = 0;
  bool have = false;
  param pm;
  int rc;
  while ((rc = param_next(&t, end, &pm)) == 1) {
    if (!param_is(&pm, "boundary")) continue;
    if (have) {
      err_set(e, ERR_INVALID, "Content-Type: more than one boundary parameter");
      return NULL;
    }
    have = true;
    if (pm.val_len > MP_MAX_BOUNDARY) break; /* decoded it is no shorter than the bound allows */
    bnd_len = strlen(param_decode(&pm, bnd));
  }
  if (rc < 0) {
    err_set(e, ERR_INVALID, "Content-Type: malformed parameters (RFC 9110 §5.6.6)");
    return NULL;
  }
  if (!have || !boundary_valid(bnd, bnd_len)) {
    err_set(e, ERR_INVALID, "Content-Type: the boundary must be 1-70 characters of RFC 2046 "
                            "bchars, not ending in a space");
    return NULL;
  }
  mp_parser *p = calloc(1, sizeof *p);
  if (!p) {
    err_set(e, ERR_NOMEM, "multipart parser: out of memory");
    return NULL;
  }
  p->cb = *cb;
  p->ctx = ctx;
  memcpy(p->delim, "\r\n--", 4);
  memcpy(p->delim + 4, bnd, bnd_len);
  p->delim_len = 4 + bnd_len;
  p->k = 2; /* the first delimiter may open the body without its CRLF */
  p->state = S_PREAMBLE;
  return p;
}

void mp_destroy(mp_parser *p) { free(p); }

/* ---- part headers ---- */

/* Content-Disposition: form-data; name="..."; filename="..." (RFC 7578 §4.2). */
static err_code read_disposition(mp_parser *p, const char *s, const char *end, char **cur,
                                 const char **name, const char **filename) {
  const char *t = read_token(s, end, false);
  if (!t || (size_t)(t - s) != 9 || strncasecmp(s, "form-data", 9) != 0)
    return fail(p, ERR_INVALID, "Content-Disposition is not form-data (RFC 7578 §4.2)");
  param pm;
  int rc;
  while ((rc = param_next(&t, end, &pm)) == 1) {
    const char **slot = param_is(&pm, "name") ? name : param_is(&pm, "filename") ? filename : NULL;
    if (!slot) continue; /* filename* (RFC 7578 §4.2 says not to send it) and others */
    if (*slot) return fail(p, ERR_INVALID, "a Content-Disposition parameter given twice");
    *slot = param_decode(&pm, *cur);
    *cur += strlen(*cur) + 1;
  }
  if (rc < 0) return fail(p, ERR_INVALID, "malformed Content-Disposition parameters");
  if (!*name) return fail(p, ERR_INVALID, "Content-Disposition without a name (RFC 7578 §4.2)");
  return ERR_OK;
}

/* The header block in hdr read, then part_begin. Decoded strings go to out: each is no longer
 * than its source in hdr, so out always has room. */
static err_code begin_part(mp_parser *p) {
  const char *s = p->hdr, *end = p->hdr + p->hdr_len;
  char *cur = p->out;
  const char *name = NULL, *filename = NULL, *ctype = NULL;
  bool have_cd = false;
  while (s < end) {
    const char *eol = memchr(s, '\n', (size_t)(end - s));
    assert(eol); /* every stored line ends in '\n' */
    const char *colon = read_token(s, eol, false);
    if (!colon || *colon != ':')
      return fail(p, ERR_INVALID, "a part header line is not name \":\" value (RFC 5322 §2.2)");
    const char *v = skip_ows(colon + 1, eol), *ve = eol;
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
    size_t n_len = (size_t)(colon - s);
    if (n_len == 19 && strncasecmp(s, "Content-Disposition", 19) == 0) {
      if (have_cd) return fail(p, ERR_INVALID, "a part with two Content-Disposition headers");
      have_cd = true;
      err_code rc = read_disposition(p, v, ve, &cur, &name, &filename);
      if (rc != ERR_OK) return rc;
    } else if (n_len == 12 && strncasecmp(s, "Content-Type", 12) == 0) {
      if (ctype) return fail(p, ERR_INVALID, "a part with two Content-Type headers");
      memcpy(cur, v, (size_t)(ve - v));
      cur[ve - v] = '\0';
      ctype = cur;
      cur += (ve - v) + 1;
    }
    s = eol + 1;
  }
  assert(cur <= p->out + sizeof p->out);
  if (!have_cd)
    return fail(p, ERR_INVALID, "a part without Content-Disposition (RFC 7578 §4.2)");
  p->state = S_DATA;
  p->k = 0;
  if (!p->cb.part_begin(p->ctx, name, filename ? filename : "", ctype ? ctype : ""))
    return fail(p, ERR_INVALID, "stopped");
  return ERR_OK;
}

static err_code header_byte(mp_parser *p, char c) {
  if (++p->hdr_raw > MP_MAX_HEADER_BYTES)
    return fail(p, ERR_LIMIT, "a part's header block is over 8192 bytes");
  if (is_ctl((unsigned char)c) && c != '\t' && c != '\r' && c != '\n')
    return fail(p, ERR_INVALID, "a control character in a part header");
  switch (p->hstate) {
  case H_START:
    if (c == '\r') {
      p->hstate = H_END_LF;
      return ERR_OK;
    }
    if (c == ' ' || c == '\t') { /* a folded line: unfolding removes the line break */
      if (p->hdr_len == 0) return fail(p, ERR_INVALID, "a part's first header line is folded");
      p->hdr_len--;
    }
    p->hstate = H_LINE;
    break;
  case H_LINE:
    if (c == '\r') {
      p->hstate = H_LF;
      return ERR_OK;
    }
    if (c == '\n') return fail(p, ERR_INVALID, "a part header line not ended by CRLF");
    break;
  case H_LF:
    if (c != '\n') return fail(p, ERR_INVALID, "a part header line not ended by CRLF");
    p->hstate = H_START;
    break;
  case H_END_LF:
    if (c != '\n') return fail(p, ERR_INVALID, "a part header block not ended by CRLF");
    return begin_part(p);
  }
  assert(p->hdr_len < sizeof p->hdr); /* hdr_len <= hdr_raw - 1 before this byte */
  p->hdr[p->hdr_len++] = c;
  return ERR_OK;
}

/* ---- the body ---- */

/* A delimiter line's bytes after the boundary (RFC 2046 §5.1.1): "--" closes the body, else
 * transport padding and CRLF open the next part. */
static err_code delim_byte(mp_parser *p, char c) {
  switch (p->state) {
  case S_AFTER_DELIM:
    if (c == '-' && !p->padded) {
      p->state = S_DASH2;
    } else if (c == ' ' || c == '\t') {
      p->padded = true;
    } else if (c == '\r') {
      p->state = S_DELIM_LF;
    } else {
      return fail(p, ERR_INVALID, "a delimiter not followed by \"--\" or its line's end "
                                  "(RFC 2046 §5.1.1)");
    }
    return ERR_OK;
  case S_DASH2:
    if (c != '-') return fail(p, ERR_INVALID, "a delimiter not followed by \"--\" or its line's "
                                              "end (RFC 2046 §5.1.1)");
    p->state = S_EPILOGUE;
    return ERR_OK;
  case S_DELIM_LF:
    if (c != '\n') return fail(p, ERR_INVALID, "a delimiter line not ended by CRLF");
    if (++p->n_parts > MP_MAX_PARTS) return fail(p, ERR_LIMIT, "more than 256 parts");
    p->state = S_HEADER;
    p->hstate = H_START;
    p->hdr_raw = p->hdr_len = 0;
    return ERR_OK;
  default:
    assert(0);
    return fail(p, ERR_INTERNAL, "bad state");
  }
}

/* Data (given on in S_DATA, dropped in S_PREAMBLE), unless a callback stops. */
static bool emit(mp_parser *p, const char *d, size_t n) {
  if (p->state != S_DATA || n == 0) return true;
  return p->cb.part_data(p->ctx, d, n);
}

/* Consumes d up to the end of a whole delimiter (*matched) or all of it, handing data on.
 * False when a callback stopped. */
static bool scan(mp_parser *p, const char *d, size_t n, size_t *used, bool *matched) {
  size_t i = 0, run = 0; /* d[run, i) is data not yet handed on */
  *matched = false;
  while (i < n) {
    if (d[i] == p->delim[p->k]) {
      if (p->k == 0 && !emit(p, d + run, i - run)) return false;
      i++;
      if (++p->k == p->delim_len) {
        p->k = 0;
        *matched = true;
        *used = i;
        return true;
      }
    } else if (p->k > 0) { /* the bytes held back were data after all; d[i] starts afresh */
      if (!emit(p, p->delim, p->k)) return false;
      p->k = 0;
      run = i;
    } else {
      const char *cr = memchr(d + i, '\r', n - i);
      i = cr ? (size_t)(cr - d) : n;
    }
  }
  *used = n;
  return p->k > 0 || emit(p, d + run, n - run);
}

err_code mp_feed(mp_parser *p, const char *data, size_t len, err *e) {
  size_t i = 0;
  while (i < len && p->state != S_FAILED) {
    switch (p->state) {
    case S_PREAMBLE:
    case S_DATA: {
      size_t used;
      bool matched;
      if (!scan(p, data + i, len - i, &used, &matched)) {
        fail(p, ERR_INVALID, "stopped");
        break;
      }
      i += used;
      if (!matched) break;
      if (p->state == S_DATA && !p->cb.part_end(p->ctx)) {
        fail(p, ERR_INVALID, "stopped");
        break;
      }
      p->state = S_AFTER_DELIM;
      p->padded = false;
      break;
    }
    case S_HEADER:
      header_byte(p, data[i++]);
      break;
    case S_EPILOGUE:
      i = len;
      break;
    default:
      delim_byte(p, data[i++]);
      break;
    }
  }
  return report(p, e);
}

err_code mp_finish(mp_parser *p, err *e) {
  if (p->state != S_EPILOGUE && p->state != S_FAILED)
    fail(p, ERR_INVALID, "the body ended before its close delimiter (RFC 2046 §5.1.1)");
  return report(p, e);
}
