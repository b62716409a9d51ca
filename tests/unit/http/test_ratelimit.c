/* Unit tests of the per-address token buckets: the rate and burst, Retry-After, the monitoring
 * reserve, IPv6 counted by /64, a table that stays bounded when many addresses arrive, and the
 * penalty of an address that ignores its 429s (refused at accept for a window). */
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

enum { SEC = 1000000 };

/* n requests at t from a: how many got verdict v */
static int check_n(http_rate *r, const http_addr *a, int64_t t, int n, http_rate_verdict v) {
  int got = 0, retry;
  for (int i = 0; i < n; i++) got += http_rate_check(r, a, HTTP_RATE_REQUESTS, true, t, &retry) == v;
  return got;
}

/* A flooder: 429s first, for the grace; then refused (its open connection told once more with
 * the window's end as Retry-After); another address untouched; back after the window, and
 * refused again at its first 429 if it floods on. */
static void penalty_of_a_flooder(void **state) {
  (void)state;
  http_rate *r = http_rate_create(2, 5, 64, NULL);
  http_rate_set_penalty(r, 10);
  http_addr a = addr("192.0.2.1"), b = addr("192.0.2.2");
  int64_t t = 5 * SEC;
  int retry = 0;
  assert_false(http_rate_refuses(r, &a, t)); /* unknown: not refused, and not placed */
  assert_int_equal(check_n(r, &a, t, 5, HTTP_RATE_SERVE), 5);
  assert_int_equal(check_n(r, &a, t, 100, HTTP_RATE_LIMIT), 100); /* many, but within the grace */
  assert_false(http_rate_refuses(r, &a, t));
  /* still flooding (every 10 ms), past the grace: refused */
  int64_t u = t;
  http_rate_verdict v = HTTP_RATE_LIMIT;
  while (v != HTTP_RATE_CLOSE && u < t + 2 * SEC) {
    u += SEC / 100;
    v = http_rate_check(r, &a, HTTP_RATE_REQUESTS, true, u, &retry);
  }
  assert_int_equal(v, HTTP_RATE_CLOSE);
  assert_true(u >= t + (int64_t)HTTP_RATE_GRACE_MS * 1000);
  assert_int_equal(retry, 10);
  assert_true(http_rate_refuses(r, &a, u));
  assert_false(http_rate_refuses(r, &b, u));
  assert_int_equal(check_n(r, &b, u, 5, HTTP_RATE_SERVE), 5);
  /* a connection it opened before: no token spent, told when the window ends */
  assert_int_equal(http_rate_check(r, &a, HTTP_RATE_REQUESTS, true, u + 4 * SEC, &retry),
                   HTTP_RATE_CLOSE);
  assert_int_equal(retry, 6);
  /* the same address behind a trusted proxy is not refusable: served from its bucket */
  assert_int_equal(http_rate_check(r, &a, HTTP_RATE_REQUESTS, false, u + 4 * SEC, &retry),
                   HTTP_RATE_SERVE);
  /* after the window: served (its bucket refilled), and its first 429 refuses it again */
  int64_t w = u + 10 * SEC;
  assert_false(http_rate_refuses(r, &a, w));
  assert_int_equal(check_n(r, &a, w, 5, HTTP_RATE_SERVE), 5);
  assert_int_equal(http_rate_check(r, &a, HTTP_RATE_REQUESTS, true, w, &retry), HTTP_RATE_CLOSE);
  assert_true(http_rate_refuses(r, &a, w + 9 * SEC));
  /* once it has kept quiet for a window past its last one, it starts over: 429s, no refusal */
  int64_t x = w + 30 * SEC;
  assert_int_equal(check_n(r, &a, x, 5, HTTP_RATE_SERVE), 5);
  assert_int_equal(check_n(r, &a, x, 50, HTTP_RATE_LIMIT), 50);
  assert_false(http_rate_refuses(r, &a, x));
  http_rate_destroy(r);
}

/* Never refused: a browser whose queued requests all arrive over the rate at once, a client that
 * waits as Retry-After says, a client a trusted proxy names, and any client without a penalty. */
static void no_penalty_for_the_well_behaved(void **state) {
  (void)state;
  http_rate *r = http_rate_create(0.5, 2, 64, NULL);
  http_rate_set_penalty(r, 10);
  http_addr a = addr("198.51.100.1"), p = addr("198.51.100.2"), n = addr("198.51.100.3");
  int retry = 0;
  int64_t t = SEC;
  /* a page's 60 tiles: 2 served, 58 answered 429 within 300 ms, then the browser stops */
  int limited = 0;
  for (int i = 0; i < 60; i++)
    limited += http_rate_check(r, &a, HTTP_RATE_REQUESTS, true, t + i * 5000, &retry) ==
               HTTP_RATE_LIMIT;
  assert_int_equal(limited, 58);
  assert_false(http_rate_refuses(r, &a, t + SEC));
  /* it comes back as told, a hundred times: a 429 then a wait of Retry-After each time */
  int64_t u = t + 3 * SEC;
  for (int i = 0; i < 100; i++) {
    while (http_rate_check(r, &a, HTTP_RATE_REQUESTS, true, u, &retry) == HTTP_RATE_SERVE) {
    }
    assert_false(http_rate_refuses(r, &a, u));
    u += (int64_t)retry * SEC;
  }
  /* a client named by a trusted proxy (not refusable) and a table without a penalty */
  for (int i = 0; i < 3000; i++)
    assert_int_not_equal(http_rate_check(r, &p, HTTP_RATE_REQUESTS, false, t + i * 1000, &retry),
                         HTTP_RATE_CLOSE);
  assert_false(http_rate_refuses(r, &p, t + 3 * SEC));
  http_rate *free_rate = http_rate_create(0.5, 2, 64, NULL);
  for (int i = 0; i < 3000; i++)
    assert_int_not_equal(http_rate_check(free_rate, &n, HTTP_RATE_REQUESTS, true, t + i * 1000, &retry),
                         HTTP_RATE_CLOSE);
  assert_false(http_rate_refuses(free_rate, &n, t + 3 * SEC));
  http_rate_destroy(free_rate);
  http_rate_destroy(r);
}

/* A crowd of addresses arriving during a flooder's window does not evict it: its slot counts as
 * used until the window ends. */
static void penalty_survives_a_crowd(void **state) {
  (void)state;
  http_rate *r = http_rate_create(1, 1, 16, NULL);
  http_rate_set_penalty(r, 10);
  http_addr f = addr("203.0.113.9");
  int retry;
  int64_t t = SEC;
  for (int i = 0; i <= 2 * HTTP_RATE_STRIKES && !http_rate_refuses(r, &f, t + i * 50000); i++)
    http_rate_check(r, &f, HTTP_RATE_REQUESTS, true, t + i * 50000, &retry);
  int64_t u = t + 4 * SEC;
  assert_true(http_rate_refuses(r, &f, u));
  char text[64];
  for (int i = 0; i < 5000; i++) {
    snprintf(text, sizeof text, "10.%d.%d.1", i >> 8, i & 0xff);
    http_addr a = addr(text);
    http_rate_check(r, &a, HTTP_RATE_REQUESTS, true, u, &retry);
  }
  assert_true(http_rate_refuses(r, &f, u));
  http_rate_destroy(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(rate_and_burst),
                                     cmocka_unit_test(slow_rate_retry_after),
                                     cmocka_unit_test(bounded_under_many_addresses),
                                     cmocka_unit_test(penalty_of_a_flooder),
                                     cmocka_unit_test(no_penalty_for_the_well_behaved),
                                     cmocka_unit_test(penalty_survives_a_crowd)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
