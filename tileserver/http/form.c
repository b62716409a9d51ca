/* form.c — what a browser's form and cookies carry: an application/x-www-form-urlencoded body
 * parsed into fields (bounded: at most HTTP_MAX_ARGS fields of a body the server already capped),
 * form field and cookie lookup. Values live in the request's arena. */
#include <string.h>

#include "http/form_int.h"

/* %XX and '+' decoded in place; a '%' not followed by two hex digits stays as it is. */
static void url_decode(char *s) {
  char *o = s;
  for (char *p = s; *p; p++) {
    if (*p == '+') {
      *o++ = ' ';
    } else if (p[0] == '%' && strchr("0123456789abcdefABCDEF", p[1]) && p[1] &&
               strchr("0123456789abcdefABCDEF", p[2]) && p[2]) {
      char hex[3] = {p[1], p[2], 0};
      *o++ = (char)strtol(hex, NULL, 16);
      p += 2;
    } else {
      *o++ = *p;
    }
  }
  *o = '\0';
}

size_t http_form_parse(arena *a, const char *body, size_t len, query_arg *out, size_t max) {
  size_t n = 0;
  const char *p = body, *end = body + len;
  while (p < end && n < max) {
    const char *amp = memchr(p, '&', (size_t)(end - p));
    const char *stop = amp ? amp : end;
    const char *eq = memchr(p, '=', (size_t)(stop - p));
    if (stop > p) {
      char *k = arena_strndup(a, p, (size_t)((eq ? eq : stop) - p));
      char *v = eq ? arena_strndup(a, eq + 1, (size_t)(stop - eq - 1)) : arena_strdup(a, "");
      if (!k || !v) break;
      url_decode(k);
      url_decode(v);
      /* a decoded NUL would cut a value short without a word: such a field is dropped */
      if (strlen(k) > 0) out[n++] = (query_arg){k, v};
    }
    p = stop + 1;
  }
  return n;
}

const char *http_form(const http_request *req, const char *key) {
  for (size_t i = 0; i < req->n_form; i++)
    if (strcmp(req->form[i].key, key) == 0) return req->form[i].value;
  const http_upload_file *up = req->upload;
  for (size_t i = 0; up && i < up->n_fields; i++)
    if (strcmp(up->fields[i].key, key) == 0) return up->fields[i].value;
  return NULL;
}

const char *http_cookie(const http_request *req, const char *name) {
  size_t n = strlen(name);
  for (const char *p = req->cookie ? req->cookie : ""; *p;) {
    while (*p == ' ' || *p == ';') p++;
    size_t len = strcspn(p, ";");
    if (len > n && p[n] == '=' && memcmp(p, name, n) == 0)
      return arena_strndup(req->arena, p + n + 1, len - n - 1);
    p += len;
  }
  return NULL;
}
