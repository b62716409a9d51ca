/* The protobuf writer against the encodings of the protobuf documentation ("Encoding"). */
#include "check.h"
#include "mvt/pbf.h"

static void expect(buf *b, const uint8_t *want, size_t n) {
  assert_false(b->failed);
  assert_int_equal(b->len, n);
  assert_memory_equal(b->data, want, n);
  buf_reset(b);
}

static void varints(void **state) {
  buf b;
  buf_init(&b, 0);
  pbf_put_varint(&b, 0);
  expect(&b, (const uint8_t[]){0x00}, 1);
  pbf_put_varint(&b, 1);
  expect(&b, (const uint8_t[]){0x01}, 1);
  pbf_put_varint(&b, 127);
  expect(&b, (const uint8_t[]){0x7f}, 1);
  pbf_put_varint(&b, 128);
  expect(&b, (const uint8_t[]){0x80, 0x01}, 2);
  pbf_put_varint(&b, 150);
  expect(&b, (const uint8_t[]){0x96, 0x01}, 2);
  pbf_put_varint(&b, 300);
  expect(&b, (const uint8_t[]){0xac, 0x02}, 2);
  pbf_put_varint(&b, UINT64_MAX);
  expect(&b, (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 10);
  assert_int_equal(pbf_varint_size(0), 1);
  assert_int_equal(pbf_varint_size(127), 1);
  assert_int_equal(pbf_varint_size(128), 2);
  assert_int_equal(pbf_varint_size(UINT32_MAX), 5);
  assert_int_equal(pbf_varint_size(UINT64_MAX), 10);
  buf_free(&b);
}

static void zigzag(void **state) {
  assert_int_equal(pbf_zigzag32(0), 0);
  assert_int_equal(pbf_zigzag32(-1), 1);
  assert_int_equal(pbf_zigzag32(1), 2);
  assert_int_equal(pbf_zigzag32(-2), 3);
  assert_int_equal(pbf_zigzag32(25), 50); /* MVT 2.1 §4.3.5.1 */
  assert_int_equal(pbf_zigzag32(INT32_MAX), UINT32_MAX - 1);
  assert_int_equal(pbf_zigzag32(INT32_MIN), UINT32_MAX);
  assert_true(pbf_zigzag64(INT64_MIN) == UINT64_MAX);
  assert_true(pbf_zigzag64(-3) == 5);
}

static void fields(void **state) {
  buf b;
  buf_init(&b, 0);
  pbf_put_uint_field(&b, 1, 150); /* the documentation's first example: 08 96 01 */
  expect(&b, (const uint8_t[]){0x08, 0x96, 0x01}, 3);
  pbf_put_bytes_field(&b, 2, "testing", 7);
  expect(&b, (const uint8_t[]){0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g'}, 9);
  pbf_put_sint_field(&b, 6, -1);
  expect(&b, (const uint8_t[]){0x30, 0x01}, 2);
  pbf_put_double_field(&b, 3, 1.0);
  expect(&b, (const uint8_t[]){0x19, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f}, 9);
  pbf_put_uint_field(&b, 15, 2); /* MVT layer version: tag 0x78 */
  expect(&b, (const uint8_t[]){0x78, 0x02}, 2);
  uint32_t v[] = {3, 270, 86942};
  pbf_put_packed_uint32(&b, 4, v, 3); /* the documentation's packed example */
  expect(&b, (const uint8_t[]){0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05}, 8);
  assert_int_equal(pbf_packed_uint32_size(v, 3), 6);
  assert_int_equal(pbf_len_field_size(4, 6), 8);
  assert_true(pbf_put_packed_uint32(&b, 4, v, 0));
  assert_int_equal(b.len, 0);
  buf_free(&b);
}

static void long_packed_field(void **state) {
  /* Crosses the internal batch size: checks the batching, byte for byte. */
  buf b;
  buf_init(&b, 0);
  uint32_t v[1000];
  for (int i = 0; i < 1000; i++) v[i] = (uint32_t)i * 1000003u;
  pbf_put_packed_uint32(&b, 4, v, 1000);
  buf want;
  buf_init(&want, 0);
  pbf_put_len_header(&want, 4, pbf_packed_uint32_size(v, 1000));
  for (int i = 0; i < 1000; i++) pbf_put_varint(&want, v[i]);
  assert_int_equal(b.len, want.len);
  assert_memory_equal(b.data, want.data, b.len);
  buf_free(&b);
  buf_free(&want);
}

static void limit_is_sticky(void **state) {
  buf b;
  buf_init(&b, 4);
  assert_true(pbf_put_uint_field(&b, 1, 1));
  assert_false(pbf_put_uint_field(&b, 1, 300));
  assert_true(b.failed && b.over_limit);
  assert_false(pbf_put_varint(&b, 0));
  buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(varints),           cmocka_unit_test(zigzag),
      cmocka_unit_test(fields),            cmocka_unit_test(long_packed_field),
      cmocka_unit_test(limit_is_sticky),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
