/* respond.c — helpers every handler uses: query arguments, headers, JSON errors, ETags.
 * The mapping from error kind to HTTP status lives here and only here. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "http/http.h"

const char *http_arg(const http_request *req, const char *key) {
  for (size_t i = 0; i < req->n_args; i++)
    if (req->args[i].key && strcmp(req->args[i].key, key) == 0) return req->args[i].value;
  return NULL;
}

void http_header_add(http_response *resp, const char *name, const char *val) {
  if (resp->n_headers < HTTP_MAX_HEADERS) {
    resp->headers[resp->n_headers].name = name;
    resp->headers[resp->n_headers].value = val;
    resp->n_headers++;
  }
}

void http_body_external(http_response *resp, const void *data, size_t len,
                        void (*release)(void *ctx), void *ctx) {
  http_body_drop_external(resp);
  buf_reset(&resp->body);
  resp->external = (http_body_ref){data, len, release, ctx};
}

void http_body_drop_external(http_response *resp) {
  http_body_ref ext = resp->external;
  resp->external = (http_body_ref){0};
  if (ext.release) ext.release(ext.ctx);
}

void http_body_file_set(http_response *resp, int fd, uint64_t offset, uint64_t len) {
  http_body_drop_external(resp);
  http_body_drop_file(resp);
  buf_reset(&resp->body);
  resp->file = (http_body_file){true, fd, offset, len};
}

void http_body_drop_file(http_response *resp) {
  if (resp->file.set) close(resp->file.fd);
  resp->file = (http_body_file){0};
}

size_t http_body_len(const http_response *resp) {
  if (resp->file.set) return (size_t)resp->file.len;
  return resp->external.release ? resp->external.len : resp->body.len;
}

int http_status_for(err_code code) {
  switch (code) {
    case ERR_OK: return 200;
    case ERR_INVALID: return 400;
    case ERR_NOT_FOUND: return 404;
    case ERR_LIMIT: return 413;
    /* a database or file that cannot be reached now (PostgreSQL restarting): try again later */
    case ERR_IO: return 503;
    case ERR_UNAVAILABLE: return 503;
    default: return 500;
  }
}

static void error_body(http_response *resp, int status, err_code code, const char *fmt,
                       va_list ap) {
  char msg[ERR_MSG_MAX];
  vsnprintf(msg, sizeof msg, fmt, ap);
  buf_reset(&resp->body);
  http_body_drop_external(resp);
  http_body_drop_file(resp);
  resp->status = status;
  resp->content_type = "application/json";
  resp->compressible = false;
  resp->stream = NULL;
  buf_puts(&resp->body, "{\"code\":");
  static const char *const REFUSALS[] = {"unauthorized", "forbidden", "conflict", "unavailable",
                                         "too_many_requests"};
  int r = status == 401 ? 0 : status == 403 ? 1 : status == 409 ? 2 : status == 503 ? 3
          : status == 429 ? 4 : -1;
  buf_json_str(&resp->body, r >= 0 ? REFUSALS[r] : err_code_name(code));
  buf_puts(&resp->body, ",\"description\":");
  buf_json_str(&resp->body, msg);
  buf_puts(&resp->body, "}\n");
}

void http_error(http_response *resp, err_code code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  error_body(resp, http_status_for(code), code, fmt, ap);
  va_end(ap);
  /* a lock outlives a request by seconds; a damaged layer until an operator repairs it; a
   * full disk or a database out of reach until someone acts: every 503 says when to retry */
  bool has_retry = false; /* a caller that knows better set its own (http_unavailable) */
  for (size_t i = 0; i < resp->n_headers; i++)
    has_retry = has_retry || strcasecmp(resp->headers[i].name, "Retry-After") == 0;
  if ((code == ERR_UNAVAILABLE || code == ERR_IO) && !has_retry)
    http_header_add(resp, "Retry-After", "5");
}

/* The statuses finer than an error kind: a method no route answers, and the request bounds the
 * server checks before routing. */
int http_status_for_refusal(http_refusal why) {
  switch (why) {
    case HTTP_REFUSE_METHOD: return 405;
    case HTTP_REFUSE_URL: return 414;
    case HTTP_REFUSE_HEADERS: return 431;
    case HTTP_REFUSE_BODY: return 413;
    case HTTP_REFUSE_MALFORMED: return 400;
    case HTTP_REFUSE_UNAUTHORIZED: return 401;
    case HTTP_REFUSE_FORBIDDEN: return 403;
    case HTTP_REFUSE_CONFLICT: return 409;
    case HTTP_REFUSE_BUSY: return 503;
    case HTTP_REFUSE_TOO_MANY: return 429;
  }
  return 400;
}

void http_refuse(http_response *resp, http_refusal why, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  bool limit = why != HTTP_REFUSE_METHOD && why != HTTP_REFUSE_MALFORMED && why < HTTP_REFUSE_UNAUTHORIZED;
  error_body(resp, http_status_for_refusal(why), limit ? ERR_LIMIT : ERR_INVALID, fmt, ap);
  va_end(ap);
  if (why == HTTP_REFUSE_METHOD) http_header_add(resp, "Allow", "GET, HEAD, OPTIONS");
  if (why == HTTP_REFUSE_UNAUTHORIZED) http_header_add(resp, "WWW-Authenticate", "Bearer");
  if (why == HTTP_REFUSE_BUSY) http_header_add(resp, "Retry-After", "30");
}

bool http_parse_index(str_view v, int64_t *out) {
  if (v.len == 0 || v.len > 10) return false;
  int64_t n = 0;
  for (size_t i = 0; i < v.len; i++) {
    if (v.s[i] < '0' || v.s[i] > '9') return false;
    n = n * 10 + (v.s[i] - '0');
  }
  *out = n;
  return true;
}

/* If-None-Match may list several tags, or "*"; weak tags compare equal to strong ones (RFC 9110
 * §13.1.2 uses the weak comparison for If-None-Match). */
static bool etag_listed(const char *header, const char *etag) {
  if (strcmp(header, "*") == 0) return true;
  if (strncmp(etag, "W/", 2) == 0) etag += 2; /* the opaque tag, with or without W/ before it */
  size_t n = strlen(etag);
  for (const char *p = header; (p = strstr(p, etag)) != NULL; p += n) {
    bool start_ok = p == header || p[-1] == ' ' || p[-1] == '\t' || p[-1] == ',' || p[-1] == '/';
    bool end_ok = p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t';
    if (start_ok && end_ok) return true;
  }
  return false;
}

bool http_etag_check(const http_request *req, http_response *resp, const char *etag) {
  if (!etag) return false; /* the request's arena failed: answer without a tag */
  http_header_add(resp, "ETag", etag);
  return req->if_none_match[0] && etag_listed(req->if_none_match, etag);
}

bool http_etag_named(const http_request *req, const char *etag) {
  return etag && req->if_none_match[0] && strcmp(req->if_none_match, "*") != 0 &&
         etag_listed(req->if_none_match, etag);
}

void http_cache_versioned(const http_request *req, http_response *resp, const char *v) {
  const char *asked = http_arg(req, "v");
  bool current = asked && v && *v && strcmp(asked, v) == 0;
  http_header_add(resp, "Cache-Control", current ? "public, max-age=31536000, immutable"
                                                 : req->config->cache_control);
}

void http_not_modified(http_response *resp) {
  resp->status = 304;
  resp->content_type = NULL;
  resp->compressible = false;
  resp->precompressed = false;
  resp->stream = NULL;
}

/* A substring test, not a parse of q-values: what browsers and clients send lists the preferred
 * type first, and this is the negotiation teselas has always done. */
size_t http_accept_first(const http_request *req, const char *const *types, size_t n) {
  size_t best = n, best_pos = (size_t)-1;
  for (size_t i = 0; i < n; i++) {
    const char *p = strstr(req->accept, types[i]);
    if (p && (size_t)(p - req->accept) < best_pos) best = i, best_pos = (size_t)(p - req->accept);
  }
  return best;
}

bool http_wants_json(const http_request *req) {
  static const char *const TYPES[] = {"application/json", "text/html"};
  const char *f = http_arg(req, "f");
  if (f) return strcmp(f, "json") == 0;
  return http_accept_first(req, TYPES, 2) == 0;
}

bool http_accepts_gzip(const http_request *req) {
  /* "gzip" listed and not refused with q=0 */
  const char *p = strstr(req->accept_encoding, "gzip");
  if (!p) return false;
  const char *comma = strchr(p, ',');
  const char *q = strstr(p, ";q=0");
  if (q && (!comma || q < comma)) {
    double v = atof(q + 3);
    return v > 0;
  }
  return true;
}

void http_send_json(http_response *resp, struct json_t *doc) {
  char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
  json_decref(doc);
  if (!text) {
    http_error(resp, ERR_NOMEM, "out of memory");
    return;
  }
  resp->status = 200;
  resp->content_type = "application/json";
  resp->compressible = true;
  buf_puts(&resp->body, text);
  buf_putc(&resp->body, '\n');
  free(text);
}
