/* Unit tests of core/: the arena's cap and fault injection, the buffer's bound and sticky
 * failure, JSON escaping, error naming. */
#include "check.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

static void arena_allocates_aligned_and_frees_at_once(void **state) {
  arena *a = arena_create(0);
  for (int i = 0; i < 10000; i++) {
    char *p = arena_alloc(a, (size_t)(i % 97) + 1);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
    memset(p, 'x', (size_t)(i % 97) + 1);
  }
  char *big = arena_alloc(a, 1 << 20); /* larger than a chunk */
  assert_non_null(big);
  memset(big, 0, 1 << 20);
  assert_string_equal(arena_sprintf(a, "%s-%d", "z", 10), "z-10");
  assert_false(arena_failed(a));
  arena_destroy(a);
}

static void arena_cap_is_sticky(void **state) {
  arena *a = arena_create(1000);
  assert_non_null(arena_alloc(a, 500));
  assert_null(arena_alloc(a, 600));
  assert_true(arena_failed(a));
  assert_true(arena_over_cap(a));
  assert_null(arena_alloc(a, 1)); /* sticky: even a small one fails now */
  arena_destroy(a);
}

static void arena_fault_injection(void **state) {
  arena *a = arena_create(0);
  arena_fail_after(a, 3);
  assert_non_null(arena_alloc(a, 8));
  assert_non_null(arena_alloc(a, 8));
  assert_null(arena_alloc(a, 8));
  assert_true(arena_failed(a));
  assert_false(arena_over_cap(a));
  arena_destroy(a);
}

static void buf_limit_and_sticky_failure(void **state) {
  buf b;
  buf_init(&b, 10);
  assert_true(buf_puts(&b, "0123456789"));
  assert_false(buf_putc(&b, 'x'));
  assert_true(b.failed && b.over_limit);
  assert_false(buf_puts(&b, ""));
  assert_int_equal(b.len, 10);
  buf_free(&b);
}

static void buf_printf_grows(void **state) {
  buf b;
  buf_init(&b, 0);
  for (int i = 0; i < 1000; i++) assert_true(buf_printf(&b, "%04d|", i));
  assert_int_equal(b.len, 5000);
  assert_memory_equal(b.data + 4995, "0999|", 5);
  char long_s[600];
  memset(long_s, 'a', sizeof long_s - 1);
  long_s[sizeof long_s - 1] = '\0';
  assert_true(buf_printf(&b, "%s", long_s));
  assert_int_equal(b.len, 5000 + 599);
  buf_free(&b);
}

static void buf_json_escapes_controls_and_quotes(void **state) {
  buf b;
  buf_init(&b, 0);
  buf_json_str(&b, "a\"b\\c\nd\x01 León");
  assert_string_equal(buf_cstr(&b), "\"a\\\"b\\\\c\\nd\\u0001 León\"");
  buf_reset(&b);
  buf_json_str(&b, NULL);
  assert_string_equal(buf_cstr(&b), "null");
  buf_free(&b);
}

static void buf_html_escapes_the_five_specials(void **state) {
  buf b;
  buf_init(&b, 0);
  const char *s = "<a href=\"x\">Tom & Jerry's</a> León";
  buf_html_escape(&b, s, strlen(s));
  assert_string_equal(buf_cstr(&b),
                      "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt; León");
  buf_free(&b);
}

static void err_messages_are_bounded(void **state) {
  err e;
  char big[2000];
  memset(big, 'm', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  assert_int_equal(err_set(&e, ERR_INVALID, "bad: %s", big), ERR_INVALID);
  assert_int_equal(strlen(e.msg), ERR_MSG_MAX - 1);
  assert_string_equal(err_code_name(ERR_NOT_FOUND), "not_found");
  assert_int_equal(err_set(NULL, ERR_IO, "ignored"), ERR_IO);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(arena_allocates_aligned_and_frees_at_once),
      cmocka_unit_test(arena_cap_is_sticky),
      cmocka_unit_test(arena_fault_injection),
      cmocka_unit_test(buf_limit_and_sticky_failure),
      cmocka_unit_test(buf_printf_grows),
      cmocka_unit_test(buf_json_escapes_controls_and_quotes),
      cmocka_unit_test(buf_html_escapes_the_five_specials),
      cmocka_unit_test(err_messages_are_bounded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
