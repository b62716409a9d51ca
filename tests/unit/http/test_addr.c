/* Unit tests of client addresses: parsing, address blocks, and the client read from
 * X-Forwarded-For behind trusted proxies, with the headers a hostile client would write. */
#include <string.h>

#include "check.h"
#include "http/addr.h"

static http_addr addr(const char *s) {
  http_addr a;
  if (!http_addr_parse(s, strlen(s), &a)) fail_msg("'%s' does not parse", s);
  return a;
}

static void expect_client(const char *peer, const char *xff, const char *want) {
  http_cidr trusted[2];
  assert_true(http_cidr_parse("10.0.0.0/8", &trusted[0]));
  assert_true(http_cidr_parse("fd00::/8", &trusted[1]));
  http_addr p = addr(peer);
  http_addr got = http_addr_client(&p, xff, trusted, 2);
  char text[HTTP_ADDR_TEXT_MAX];
  http_addr_format(&got, text);
  if (strcmp(text, want) != 0)
    fail_msg("peer %s, X-Forwarded-For '%s': %s, expected %s", peer, xff ? xff : "(none)", text,
             want);
}

static void parsing(void **state) {
  (void)state;
  http_addr a;
  const char *good[] = {"192.0.2.7", "::1", "[::1]", "2001:db8::5", "::ffff:192.0.2.7"};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++)
    assert_true(http_addr_parse(good[i], strlen(good[i]), &a));
  const char *bad[] = {"", "unknown", "192.0.2.7:80", "192.0.2", "1.2.3.4 ", " 1.2.3.4",
                       "[::1]:80", "fe80::1%eth0", "999.1.1.1", "2001:db8::5/64", "[]"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    if (http_addr_parse(bad[i], strlen(bad[i]), &a)) fail_msg("'%s' parsed", bad[i]);
  /* a mapped IPv6 address is the IPv4 one */
  http_addr v4 = addr("192.0.2.7"), mapped = addr("::ffff:192.0.2.7");
  assert_memory_equal(v4.b, mapped.b, 16);
  char text[HTTP_ADDR_TEXT_MAX];
  http_addr_format(&mapped, text);
  assert_string_equal(text, "192.0.2.7");
}

static void blocks(void **state) {
  (void)state;
  http_cidr c;
  assert_true(http_cidr_parse("10.1.2.3/8", &c));
  http_addr in = addr("10.200.0.1"), out = addr("11.0.0.1"), v6 = addr("::a01:203");
  assert_true(http_cidr_contains(&c, &in));
  assert_false(http_cidr_contains(&c, &out));
  assert_false(http_cidr_contains(&c, &v6)); /* not IPv4 mapped: another address */
  assert_true(http_cidr_parse("192.0.2.7", &c));
  assert_int_equal(c.bits, 128);
  assert_true(http_cidr_parse("0.0.0.0/0", &c));
  assert_true(http_cidr_contains(&c, &out));
  assert_false(http_cidr_contains(&c, &v6));
  assert_true(http_cidr_parse("2001:db8::/33", &c));
  http_addr a = addr("2001:db8:7fff::1"), b = addr("2001:db8:8000::1");
  assert_true(http_cidr_contains(&c, &a));
  assert_false(http_cidr_contains(&c, &b));
  const char *bad[] = {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x",
                       "10.0.0.0/ 8", "host/8", "", "/8"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    if (http_cidr_parse(bad[i], &c)) fail_msg("'%s' parsed", bad[i]);
}

static void forwarded_for(void **state) {
  (void)state;
  /* an untrusted peer: whatever it writes is ignored */
  expect_client("203.0.113.9", "198.51.100.1", "203.0.113.9");
  expect_client("203.0.113.9", "10.0.0.1, 198.51.100.1", "203.0.113.9");
  /* a trusted peer without the header, or with an empty one: the peer */
  expect_client("10.0.0.1", NULL, "10.0.0.1");
  expect_client("10.0.0.1", "", "10.0.0.1");
  /* the rightmost untrusted hop; a client's own entries to its left are not believed */
  expect_client("10.0.0.1", "198.51.100.1", "198.51.100.1");
  expect_client("10.0.0.1", "1.1.1.1, 198.51.100.1", "198.51.100.1");
  expect_client("10.0.0.1", "1.1.1.1, 198.51.100.1, 10.9.9.9", "198.51.100.1");
  expect_client("10.0.0.1", "1.1.1.1,198.51.100.1 ,\t10.9.9.9", "198.51.100.1");
  expect_client("fd00::1", "2001:db8::5, fd00::2", "2001:db8::5");
  expect_client("10.0.0.1", "[2001:db8::5]", "2001:db8::5");
  /* every hop trusted: the leftmost */
  expect_client("10.0.0.1", "10.0.0.7, 10.0.0.8", "10.0.0.7");
  /* a hop that is not an address stops the walk at the last address read */
  expect_client("10.0.0.1", "198.51.100.1, unknown", "10.0.0.1");
  expect_client("10.0.0.1", "198.51.100.1, 10.0.0.5, <script>", "10.0.0.1");
  expect_client("10.0.0.1", "garbage, 10.0.0.5", "10.0.0.5");
  expect_client("10.0.0.1", "198.51.100.1:4000", "10.0.0.1");
  expect_client("10.0.0.1", "198.51.100.1,,", "198.51.100.1"); /* empty elements skipped */
  /* a long list: only HTTP_XFF_HOPS_MAX hops are read, the client named before them is not */
  char list[4096] = "198.51.100.1";
  for (int i = 0; i < 40; i++) strcat(list, ", 10.0.0.9");
  expect_client("10.0.0.1", list, "10.0.0.9");
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(parsing), cmocka_unit_test(blocks),
                                     cmocka_unit_test(forwarded_for)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
