/* Unit tests of the per-address token buckets: the rate and burst, Retry-After, the monitoring
 * reserve, IPv6 counted by /64, and a table that stays bounded when many addresses arrive. */
#include <string.h>

#include "check.h"
#include "http/ratelimit.h"

static http_addr addr(const char *s) {
  http_addr a;
  if (!http_addr_parse(s, strlen(s), &a)) fail_msg("'%s' does not parse", s);
  return a;
}

static int take_n(http_rate *r, const http_addr *a, http_rate_class c, int64_t t, int n) {
  int ok = 0, retry;
  for (int i = 0; i < n; i++) ok += http_rate_take(r, a, c, t, &retry);
  return ok;
}

static void rate_and_burst(void **state) {
  (void)state;
  http_rate *r = http_rate_create(2, 5, 64, NULL);
  assert_non_null(r);
  http_addr a = addr("192.0.2.1"), b = addr("192.0.2.2");
  int64_t t = 1000000;
  assert_int_equal(take_n(r, &a, HTTP_RATE_REQUESTS, t, 10), 5); /* the burst, then refused */
  int retry = 0;
  assert_false(http_rate_take(r, &a, HTTP_RATE_REQUESTS, t, &retry));
  assert_int_equal(retry, 1); /* one request at 2/s: within a second */
  assert_int_equal(take_n(r, &b, HTTP_RATE_REQUESTS, t, 3), 3); /* another address: its own */
  /* 1.5 s later, three requests' worth have come back */
  assert_int_equal(take_n(r, &a, HTTP_RATE_REQUESTS, t + 1500000, 10), 3);
  /* never more than the burst, however long the pause */
  assert_int_equal(take_n(r, &a, HTTP_RATE_REQUESTS, t + 3600000000LL, 10), 5);
  /* the monitoring reserve is not spent by the requests */
  assert_int_equal(take_n(r, &a, HTTP_RATE_MONITORING, t + 3600000000LL, HTTP_RATE_MONITORING_BURST),
                   HTTP_RATE_MONITORING_BURST);
  assert_false(http_rate_take(r, &a, HTTP_RATE_MONITORING, t + 3600000000LL, &retry));
  /* a clock that goes back adds nothing */
  assert_false(http_rate_take(r, &a, HTTP_RATE_REQUESTS, t, &retry));
  http_rate_destroy(r);
}

static void slow_rate_retry_after(void **state) {
  (void)state;
  http_rate *r = http_rate_create(0.1, 1, 16, NULL); /* one every 10 s */
  http_addr a = addr("2001:db8::1");
  int retry = 0;
  assert_true(http_rate_take(r, &a, HTTP_RATE_REQUESTS, 0, &retry));
  assert_false(http_rate_take(r, &a, HTTP_RATE_REQUESTS, 0, &retry));
  assert_int_equal(retry, 10);
  assert_false(http_rate_take(r, &a, HTTP_RATE_REQUESTS, 4000000, &retry));
  assert_int_equal(retry, 6);
  /* the same /64 is the same client; another /64 another */
  http_addr same = addr("2001:db8::ffff:1"), other = addr("2001:db8:0:1::1");
  assert_false(http_rate_take(r, &same, HTTP_RATE_REQUESTS, 4000000, &retry));
  assert_true(http_rate_take(r, &other, HTTP_RATE_REQUESTS, 4000000, &retry));
  assert_null(http_rate_create(0, 1, 16, NULL));
  assert_null(http_rate_create(-1, 1, 16, NULL));
  http_rate_destroy(r);
}

/* A flood of distinct addresses (a botnet, or one host with many IPv6 /64s) fills the table;
 * it never grows, evictions are counted, and an address that keeps coming back is still held
 * to its rate between them (it loses at most its slot, which restarts at a full burst). */
static void bounded_under_many_addresses(void **state) {
  (void)state;
  atomic_uint_fast64_t evicted = 0;
  http_rate *r = http_rate_create(1, 2, 256, &evicted);
  int retry;
  char text[64];
  for (int i = 0; i < 100000; i++) {
    snprintf(text, sizeof text, "2001:db8:%x:%x::1", i >> 16, i & 0xffff);
    http_addr a = addr(text);
    assert_true(http_rate_take(r, &a, HTTP_RATE_REQUESTS, 1000, &retry));
  }
  assert_true(atomic_load(&evicted) >= 100000 - 256);
  /* a flooder in between many others, at the same instant: never more than a burst per slot
   * it (re)gets, and with a table this full most of its requests are refused */
  http_addr f = addr("198.51.100.7");
  int allowed = 0;
  for (int i = 0; i < 1000; i++) {
    allowed += http_rate_take(r, &f, HTTP_RATE_REQUESTS, 2000, &retry);
    snprintf(text, sizeof text, "2001:db8:1:%x::1", i);
    http_addr a = addr(text);
    http_rate_take(r, &a, HTTP_RATE_REQUESTS, 2000, &retry);
  }
  assert_true(allowed < 1000 / 2);
  http_rate_destroy(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(rate_and_burst),
                                     cmocka_unit_test(slow_rate_retry_after),
                                     cmocka_unit_test(bounded_under_many_addresses)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
