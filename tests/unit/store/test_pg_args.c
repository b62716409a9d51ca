/* A PostgreSQL statement's parameters (store/pg_conn.c): text ones copied with no lengths or
 * formats; a double in binary is float8's wire form (8 bytes, big-endian IEEE 754), and from
 * the first one on every parameter has a length and a format (text before it, 0); the lists grow
 * past their first 16 entries with the lengths and formats in step. No server is needed. */
#include <math.h>

#include "check.h"
#include "store/pg_int.h"

static void test_text_only(void **state) {
  (void)state;
  store_pg_args a = {0};
  assert_int_equal(store_pg_arg(&a, "abc"), 1);
  assert_int_equal(store_pg_arg(&a, NULL), 2);
  assert_int_equal(store_pg_argf(&a, "%d", 42), 3);
  assert_false(a.nomem);
  assert_null(a.lens);
  assert_null(a.formats);
  assert_string_equal(a.v[0], "abc");
  assert_null(a.v[1]);
  assert_string_equal(a.v[2], "42");
  store_pg_args_free(&a);
  assert_null(a.v);
  assert_int_equal(a.n, 0);
}

static void test_binary_double(void **state) {
  (void)state;
  store_pg_args a = {0};
  assert_int_equal(store_pg_arg(&a, "x"), 1);
  assert_int_equal(store_pg_arg_f64(&a, -101.71151161193848), 2);
  assert_int_equal(store_pg_arg(&a, "y"), 3);
  assert_int_equal(store_pg_arg_f64(&a, 1.0), 4);
  assert_non_null(a.lens);
  assert_non_null(a.formats);
  assert_int_equal(a.formats[0], 0);
  assert_int_equal(a.formats[1], 1);
  assert_int_equal(a.formats[2], 0);
  assert_int_equal(a.formats[3], 1);
  assert_int_equal(a.lens[1], 8);
  assert_int_equal(a.lens[3], 8);
  /* 1.0 is 0x3FF0000000000000 */
  const unsigned char one[8] = {0x3f, 0xf0, 0, 0, 0, 0, 0, 0};
  assert_memory_equal(a.v[3], one, 8);
  /* the bytes read back big-endian are the double, every bit of it */
  uint64_t u = 0;
  for (int i = 0; i < 8; i++) u = u << 8 | (unsigned char)a.v[1][i];
  double d;
  memcpy(&d, &u, sizeof d);
  assert_true(d == -101.71151161193848);
  store_pg_args_free(&a);
  assert_null(a.lens);
  assert_null(a.formats);
}

static void test_growth(void **state) {
  (void)state;
  store_pg_args a = {0};
  for (int i = 0; i < 40; i++) {
    int n = i % 3 ? store_pg_arg_f64(&a, i + 0.5) : store_pg_argf(&a, "%d", i);
    assert_int_equal(n, i + 1);
  }
  assert_false(a.nomem);
  for (int i = 0; i < 40; i++) {
    assert_int_equal(a.formats[i], i % 3 ? 1 : 0);
    if (i % 3 == 0) {
      char want[8];
      snprintf(want, sizeof want, "%d", i);
      assert_string_equal(a.v[i], want);
      continue;
    }
    assert_int_equal(a.lens[i], 8);
    uint64_t u = 0;
    for (int k = 0; k < 8; k++) u = u << 8 | (unsigned char)a.v[i][k];
    double d;
    memcpy(&d, &u, sizeof d);
    assert_true(d == i + 0.5);
  }
  store_pg_args_free(&a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_text_only),
      cmocka_unit_test(test_binary_double),
      cmocka_unit_test(test_growth),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
