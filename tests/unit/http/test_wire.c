/* Unit tests of the request-head parser and the chunked decoder (http/wire.c) against RFC 9112:
 * what is accepted, what each malformed head is answered with, heads split at every byte, the
 * limits checked before the head is complete, and %XX decoding as handlers receive it. */
#include "check.h"
#include "http/wire.h"

enum { URLS = 64, HDRS = 128 };

static wire_result parse(const char *s, size_t len, wire_head *h, int *status) {
  const char *why = NULL;
  *status = 0;
  wire_result r = wire_parse_head(s, len, URLS, HDRS, h, status, &why);
  if (r == WIRE_ERROR && !why) fail_msg("an error without a reason");
  return r;
}

static void expect_status(const char *s, size_t len, int want) {
  wire_head h;
  int st;
  if (parse(s, len, &h, &st) != WIRE_ERROR || st != want)
    fail_msg("'%.*s': expected %d, got %d", (int)len, s, want, st);
}
#define BAD(lit, st) expect_status(lit, sizeof lit - 1, st)

static void simple_get(void **state) {
  (void)state;
  const char *s = "GET /tiles/a/1/2/3.pbf?v=2 HTTP/1.1\r\nHost: x:80\r\nAccept-Encoding:  gzip \t\r\n"
                  "X-Other: y\r\n\r\nGET /next";
  wire_head h;
  int st;
  assert_int_equal(parse(s, strlen(s), &h, &st), WIRE_DONE);
  assert_true(wire_str_is(h.method, "GET"));
  assert_int_equal(h.target.len, strlen("/tiles/a/1/2/3.pbf?v=2"));
  assert_int_equal(h.minor, 1);
  assert_true(h.keep_alive);
  assert_true(wire_str_is(h.fields[WIRE_F_HOST], "x:80"));
  assert_true(wire_str_is(h.fields[WIRE_F_ACCEPT_ENCODING], "gzip")); /* OWS trimmed */
  assert_null(h.fields[WIRE_F_COOKIE].s);
  assert_int_equal(h.head_len, strlen(s) - strlen("GET /next"));
  size_t pos = 0;
  wire_str n, v;
  int count = 0;
  while (wire_field_next(s, h.head_len, &pos, &n, &v)) count++;
  assert_int_equal(count, 3);
}

static void split_anywhere(void **state) {
  (void)state;
  const char *s = "\r\nPOST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n"
                  "Expect: 100-continue\r\nConnection: close\n\r\n";
  size_t len = strlen(s);
  wire_head h;
  int st;
  for (size_t i = 0; i < len; i++)
    if (parse(s, i, &h, &st) != WIRE_PARTIAL) fail_msg("prefix of %zu bytes: not partial", i);
  assert_int_equal(parse(s, len, &h, &st), WIRE_DONE);
  assert_int_equal(h.head_len, len);
  assert_true(h.has_length);
  assert_int_equal(h.content_length, 12);
  assert_true(h.expect_continue);
  assert_false(h.keep_alive);
}

static void versions_and_connection(void **state) {
  (void)state;
  wire_head h;
  int st;
  const char *a = "GET / HTTP/1.0\r\n\r\n";
  assert_int_equal(parse(a, strlen(a), &h, &st), WIRE_DONE);
  assert_false(h.keep_alive);
  const char *b = "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n";
  assert_int_equal(parse(b, strlen(b), &h, &st), WIRE_DONE);
  assert_true(h.keep_alive);
  const char *c = "GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, close\r\n\r\n";
  assert_int_equal(parse(c, strlen(c), &h, &st), WIRE_DONE);
  assert_false(h.keep_alive);
  const char *d = "GET / HTTP/1.2\r\nHost: x\r\n\r\n"; /* a higher minor: read as 1.1 */
  assert_int_equal(parse(d, strlen(d), &h, &st), WIRE_DONE);
  assert_int_equal(h.minor, 1);
  BAD("GET / HTTP/2.0\r\n\r\n", 505);
  BAD("GET / HTTP/0.9\r\n\r\n", 505);
  BAD("GET / HTXP/1.1\r\n\r\n", 400);
  BAD("GET / HTTP/1.\0001\r\n\r\n", 400);
  BAD("GET / HTTP/1.1 \r\n\r\n", 400);
  BAD("GET /\r\n\r\n", 400);
  BAD("GET  / HTTP/1.1\r\n\r\n", 400);
  BAD(" GET / HTTP/1.1\r\n\r\n", 400);
}

static void malformed_fields(void **state) {
  (void)state;
  BAD("GET / HTTP/1.1\r\nNoColonHere\r\n\r\n", 400);
  BAD("GET / HTTP/1.1\r\nAcc\0ept: x\r\n\r\n", 400);
  BAD("GET / HTTP/1.1\r\nAccept: a\0b\r\n\r\n", 400);
  BAD("GET / HTTP/1.1\r\nAccept : x\r\n\r\n", 400);
  BAD("GET / HTTP/1.1\r\nA: x\r\n continued\r\n\r\n", 400);
  BAD("GET / HTTP/1.1\r\nA: x\ry\r\n\r\n", 400);
  BAD("GET / HTTP/1.1\r\n: x\r\n\r\n", 400);
  BAD("GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400);
  BAD("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400);
  BAD("GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", 400);
  BAD("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400);
  BAD("GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
  BAD("GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501);
  BAD("GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
  BAD("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
  /* RFC 9112 §3.2: HTTP/1.1 needs a Host (empty is allowed); HTTP/1.0 does not */
  BAD("GET / HTTP/1.1\r\n\r\n", 400);
  BAD("GET / HTTP/1.1\r\nX-Host: a\r\n\r\n", 400);
  BAD("GET / HTTP/1.2\r\n\r\n", 400);
  wire_head h;
  int st;
  const char *empty = "GET / HTTP/1.1\r\nHost:\r\n\r\n", *old = "GET / HTTP/1.0\r\n\r\n";
  assert_int_equal(parse(empty, strlen(empty), &h, &st), WIRE_DONE);
  assert_int_equal(parse(old, strlen(old), &h, &st), WIRE_DONE);
  const char *s = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n";
  assert_int_equal(parse(s, strlen(s), &h, &st), WIRE_DONE);
  assert_int_equal(h.content_length, 5);
}

static void nul_in_target(void **state) {
  (void)state;
  static const char s[] = "GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n";
  wire_head h;
  int st;
  assert_int_equal(parse(s, sizeof s - 1, &h, &st), WIRE_DONE);
  assert_true(h.target_nul);
  assert_int_equal(h.target.len, 4);
}

static void limits_before_the_end(void **state) {
  (void)state;
  char big[1024];
  memset(big, 'a', sizeof big);
  memcpy(big, "GET /", 5);
  expect_status(big, sizeof big, 414); /* no space yet: refused on what came */
  wire_head h;
  int st;
  snprintf(big, sizeof big, "GET /%0*d HTTP/1.1\r\nHost: x\r\n\r\n", URLS - 1, 0);
  assert_int_equal(parse(big, strlen(big), &h, &st), WIRE_DONE);
  snprintf(big, sizeof big, "GET /%0*d HTTP/1.1\r\n\r\n", URLS, 0);
  expect_status(big, strlen(big), 414);
  int n = snprintf(big, sizeof big, "GET / HTTP/1.1\r\nX: ");
  memset(big + n, 'b', sizeof big - (size_t)n);
  expect_status(big, sizeof big, 431);
  n = snprintf(big, sizeof big, "GET / HTTP/1.1\r\nHost: x\r\nX: %0*d\r\n\r\n", HDRS - 14, 0);
  assert_int_equal(parse(big, (size_t)n, &h, &st), WIRE_DONE);
}

static void percent_decoding(void **state) {
  (void)state;
  char out[64];
  bool nul = false;
  size_t n = wire_pct_decode(out, "a%20b+c%2", 9, false, &nul);
  assert_int_equal(n, 7);
  assert_memory_equal(out, "a b+c%2", 7);
  n = wire_pct_decode(out, "a+b%2Bc%zz", 10, true, &nul);
  assert_memory_equal(out, "a b+c%zz", 8);
  assert_false(nul);
  n = wire_pct_decode(out, "x%00", 4, true, &nul);
  assert_int_equal(n, 2);
  assert_true(nul);
  nul = false;
  wire_pct_decode(out, "%2500", 5, true, &nul);
  assert_false(nul);
}

/* Decodes body fed in pieces of `step` bytes; returns the data, NULL on error. */
static const char *dechunk(const char *in, size_t len, size_t step, size_t *rest) {
  static char out[256];
  size_t o = 0, pos = 0;
  wire_chunked d = {0};
  while (pos < len) {
    size_t end = pos + step < len ? pos + step : len;
    while (pos < end) {
      size_t used, off, n;
      wire_result r = wire_chunked_step(&d, in + pos, end - pos, &used, &off, &n);
      if (r == WIRE_ERROR) return NULL;
      memcpy(out + o, in + pos + off, n);
      o += n;
      pos += used;
      if (r == WIRE_DONE) {
        out[o] = 0;
        *rest = len - pos;
        return out;
      }
      if (used == 0 && n == 0) break;
    }
  }
  return NULL;
}

static void chunked(void **state) {
  (void)state;
  const char body[] = "4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nT: x\r\n\r\nNEXT";
  for (size_t step = 1; step < sizeof body; step++) {
    size_t rest = 0;
    const char *d = dechunk(body, sizeof body - 1, step, &rest);
    if (!d || strcmp(d, "Wikipedia in\r\n\r\nchunks.") != 0 || rest != 4)
      fail_msg("step %zu: '%s' rest %zu", step, d ? d : "(error)", rest);
  }
  size_t rest;
  assert_null(dechunk("zz\r\n\r\n", 6, 6, &rest));
  assert_null(dechunk("4\r\nWikiX\r\n0\r\n\r\n", 16, 16, &rest));
  assert_null(dechunk("FFFFFFFFFFFFFFFFF\r\n", 19, 19, &rest));
  char longline[2048];
  memset(longline, '0', sizeof longline);
  assert_null(dechunk(longline, sizeof longline, sizeof longline, &rest));
  memcpy(longline, "1;", 2);
  memset(longline + 2, 'e', sizeof longline - 2);
  assert_null(dechunk(longline, sizeof longline, 100, &rest));
  /* strict framing (RFC 9112 §7.1): where a laxer reader sees another body end, an error */
  assert_null(dechunk("0x5\r\n\r\n", 7, 7, &rest));            /* not the last chunk */
  assert_null(dechunk("5xyz\r\nhello\r\n0\r\n\r\n", 19, 19, &rest)); /* ';' must come first */
  assert_null(dechunk("5\nhello\r\n0\r\n\r\n", 16, 16, &rest)); /* a bare LF ends no line */
  assert_null(dechunk("5\r\nhello\n0\r\n\r\n", 16, 16, &rest));
  assert_null(dechunk("2;a\nxx\r\n0\r\n\r\n", 15, 15, &rest));
  assert_null(dechunk("0\r\n\n", 4, 4, &rest));
  assert_null(dechunk("0\r\nT: x\n\r\n", 11, 11, &rest));
  /* whitespace before the extensions, a quoted value: read */
  const char ws[] = "5 \t;a=\"b c\";d\r\nhello\r\n0\r\n\r\n";
  const char *d = dechunk(ws, sizeof ws - 1, 1, &rest);
  assert_non_null(d);
  assert_string_equal(d, "hello");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(simple_get),       cmocka_unit_test(split_anywhere),
      cmocka_unit_test(versions_and_connection), cmocka_unit_test(malformed_fields),
      cmocka_unit_test(nul_in_target),    cmocka_unit_test(limits_before_the_end),
      cmocka_unit_test(percent_decoding), cmocka_unit_test(chunked)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
