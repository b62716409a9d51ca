/* Unit tests of the Range header reader against RFC 9110 §14.1.2's examples (a 10,000-byte
 * representation) and what it must refuse or ignore. */
#include "check.h"
#include "http/range.h"

static void expect_part(const char *h, uint64_t size, uint64_t off, uint64_t len) {
  uint64_t o = 99, n = 99;
  if (http_range_parse(h, size, &o, &n) != HTTP_RANGE_PART) fail_msg("'%s' is not one range", h);
  if (o != off || n != len) fail_msg("'%s': %llu+%llu", h, (unsigned long long)o, (unsigned long long)n);
}

static void expect_kind(const char *h, uint64_t size, http_range_kind k) {
  uint64_t o, n;
  if (http_range_parse(h, size, &o, &n) != k) fail_msg("'%s' is not kind %d", h, k);
}

static void rfc_examples(void **state) {
  expect_part("bytes=0-499", 10000, 0, 500);
  expect_part("bytes=500-999", 10000, 500, 500);
  expect_part("bytes=-500", 10000, 9500, 500);
  expect_part("bytes=9500-", 10000, 9500, 500);
  expect_part("bytes=0-0", 10000, 0, 1);
  expect_part("bytes=-1", 10000, 9999, 1);
  expect_part("BYTES=0-9", 10000, 0, 10);      /* the unit is case-insensitive */
  expect_part("bytes=9990-20000", 10000, 9990, 10); /* the end clamped */
  expect_part("bytes=-20000", 10000, 0, 10000);     /* a suffix past the start: the whole */
  expect_part("bytes=0-99999999999999999999999999", 10000, 0, 10000);
}

static void unsatisfiable(void **state) {
  expect_kind("bytes=10000-", 10000, HTTP_RANGE_UNSATISFIABLE);
  expect_kind("bytes=10000-10005", 10000, HTTP_RANGE_UNSATISFIABLE);
  expect_kind("bytes=-0", 10000, HTTP_RANGE_UNSATISFIABLE);
  expect_kind("bytes=99999999999999999999999999-", 10000, HTTP_RANGE_UNSATISFIABLE);
  expect_kind("bytes=0-", 0, HTTP_RANGE_UNSATISFIABLE);
}

static void ignored(void **state) {
  const char *whole[] = {NULL, "", "bytes=", "bytes=-", "bytes=abc", "bytes=5-2", "items=0-9",
                         "bytes=0-9,20-29", "bytes=0-9,", "bytes=1-2-3", "bytes=0x1-2",
                         "bytes=--5", "bytes=+1-2", "bytes 0-9"};
  for (size_t i = 0; i < sizeof whole / sizeof *whole; i++)
    expect_kind(whole[i], 10000, HTTP_RANGE_WHOLE);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(rfc_examples), cmocka_unit_test(unsatisfiable),
                                     cmocka_unit_test(ignored)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
