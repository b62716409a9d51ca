/* fuzz_http_headers.c — libFuzzer target for what teselas reads itself out of request headers
 * and bodies (http/wire.c splits the request, fuzz_http_wire.c; these read the values): the Range header
 * (http/range.c), an urlencoded form body (http/form.c), the Cookie header, Accept and
 * Accept-Encoding (http/respond.c), a tile address segment (http_parse_index) and the CSRF token
 * check (auth/session.c). The input is split at the first two NUL bytes into a header value, a
 * body, and a file size (the rest's first 8 bytes). Checks: a range lies inside the file and is
 * never empty; form fields are at most the bound, with non-empty keys; a cookie value is a part of
 * the header; an index is at most 10 digits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/auth.h"
#include "http/form_int.h"
#include "http/http.h"
#include "http/range.h"

static void check_range(const char *header, uint64_t size) {
  uint64_t off = 0, len = 0;
  http_range_kind k = http_range_parse(header, size, &off, &len);
  if (k == HTTP_RANGE_PART && (len == 0 || off >= size || len > size - off)) abort();
  if (k != HTTP_RANGE_WHOLE && strncasecmp(header, "bytes=", 6) != 0) abort();
}

static void check_form(arena *a, const char *body, size_t len) {
  query_arg out[HTTP_MAX_ARGS];
  size_t n = http_form_parse(a, body, len, out, HTTP_MAX_ARGS);
  if (n > HTTP_MAX_ARGS) abort();
  for (size_t i = 0; i < n; i++)
    if (!out[i].key[0] || !out[i].value || strlen(out[i].key) > len) abort();
}

static void check_headers(arena *a, const char *header) {
  http_request req = {.arena = a, .accept = header, .accept_encoding = header, .cookie = header};
  static const char *const TYPES[] = {"application/json", "text/html", "application/geo+json"};
  if (http_accept_first(&req, TYPES, 3) > 3) abort();
  (void)http_accepts_gzip(&req);
  static const char *const NAMES[] = {"teselas_session", "a", ""};
  for (size_t i = 0; i < 2; i++) {
    const char *v = http_cookie(&req, NAMES[i]);
    if (v && !strstr(header, v)) abort();
    char token[AUTH_SESSION_LEN];
    if (v) auth_csrf_token(v, token);
    if (v && auth_csrf_valid(v, header) && strcmp(token, header) != 0) abort();
  }
  int64_t index = 0;
  size_t hlen = strlen(header);
  if (http_parse_index((str_view){header, hlen}, &index) && (index < 0 || hlen > 10)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 64 * 1024) return 0;
  char *copy = malloc(size + 1);
  if (!copy) return 0;
  memcpy(copy, data, size);
  copy[size] = '\0';
  const char *header = copy;
  size_t hlen = strlen(header);
  const char *body = hlen < size ? copy + hlen + 1 : copy + size;
  size_t blen = hlen < size ? strnlen(body, size - hlen - 1) : 0;
  const char *rest = body + blen < copy + size ? body + blen + 1 : copy + size;
  uint64_t file_size = 0;
  memcpy(&file_size, rest, (size_t)(copy + size - rest) < 8 ? (size_t)(copy + size - rest) : 8);
  arena *a = arena_create(1u << 20);
  check_range(header, file_size);
  check_range(header, file_size % 100000);
  check_form(a, body, blen);
  check_headers(a, header);
  arena_destroy(a);
  free(copy);
  return 0;
}
