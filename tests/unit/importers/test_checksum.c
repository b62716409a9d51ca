/* SHA-256 (importers/checksum.c) against the FIPS 180-2 examples, whole and in odd-sized chunks. */
#include "check.h"
#include "importers/checksum.h"

static void hash(const char *s, size_t len, size_t chunk, char out[65]) {
  checksum_ctx c;
  checksum_init(&c);
  for (size_t i = 0; i < len; i += chunk)
    checksum_update(&c, s + i, len - i < chunk ? len - i : chunk);
  checksum_final_hex(&c, out);
}

static void fips_vectors(void **state) {
  static const struct {
    const char *in, *hex;
  } V[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
  };
  char out[65];
  for (size_t i = 0; i < sizeof V / sizeof *V; i++)
    for (size_t chunk = 1; chunk <= 64; chunk += 21) {
      hash(V[i].in, strlen(V[i].in), chunk, out);
      assert_string_equal(out, V[i].hex);
    }
}

static void million_a(void **state) {
  size_t n = 1000000;
  char *a = malloc(n);
  memset(a, 'a', n);
  char out[65];
  hash(a, n, 4093, out);
  assert_string_equal(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  free(a);
}

/* Lengths around the padding boundary (55, 56, 63, 64 bytes) agree with chunked feeding. */
static void padding_boundaries(void **state) {
  char buf[130], one[65], two[65];
  memset(buf, 'x', sizeof buf);
  for (size_t len = 50; len < 130; len++) {
    hash(buf, len, len, one);
    hash(buf, len, 7, two);
    assert_string_equal(one, two);
  }
  /* expected values from Python's hashlib */
  hash(buf, 55, 55, one);
  assert_string_equal(one, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072");
  hash(buf, 56, 56, one);
  assert_string_equal(one, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e");
  hash(buf, 64, 64, one);
  assert_string_equal(one, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c");
}

static void file_and_missing_file(void **state) {
  char path[256];
  check_tmp_path("f.txt", path, sizeof path);
  FILE *f = fopen(path, "w");
  fputs("abc", f);
  fclose(f);
  checksum_ctx c;
  checksum_init(&c);
  err e;
  assert_int_equal(checksum_update_file(&c, path, &e), ERR_OK);
  char out[65];
  checksum_final_hex(&c, out);
  assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  checksum_init(&c);
  assert_int_equal(checksum_update_file(&c, "/no/such/file", &e), ERR_IO);
  assert_non_null(strstr(e.msg, "/no/such/file"));
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(fips_vectors), cmocka_unit_test(million_a),
                                     cmocka_unit_test(padding_boundaries),
                                     cmocka_unit_test(file_and_missing_file)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
