/* Unit tests of the bounded gunzip: what our gzip writer (libdeflate) and Python's gzip module (the
 * bytes below) compress comes back whole; a zip bomb stops at the bound; truncated, corrupt,
 * non-gzip input, a wrong size in the trailer and bytes after the member are refused and leave the
 * output as it was. */
#include "check.h"
#include "core/gzip.h"

/* python3 -c "import gzip,sys; sys.stdout.buffer.write(gzip.compress(b'hello, tiles\n', mtime=0))" */
static const uint8_t HELLO_GZ[] = {
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9,
    0xd7, 0x51, 0x28, 0xc9, 0xcc, 0x49, 0x2d, 0xe6, 0x02, 0x00, 0xe8, 0x6c, 0x64, 0x47, 0x0d,
    0x00, 0x00, 0x00};

static void decodes_python_gzip(void **state) {
  buf out;
  buf_init(&out, 0);
  buf_append(&out, "x", 1); /* appended after what is there */
  err e;
  assert_int_equal(gzip_decompress(HELLO_GZ, sizeof HELLO_GZ, 100, &out, &e), ERR_OK);
  assert_int_equal(out.len, 14);
  assert_memory_equal(out.data, "xhello, tiles\n", 14);
  /* exactly the size as the bound is allowed; one byte less is LIMIT and out is unchanged */
  out.len = 0;
  assert_int_equal(gzip_decompress(HELLO_GZ, sizeof HELLO_GZ, 13, &out, &e), ERR_OK);
  assert_int_equal(out.len, 13);
  out.len = 0;
  assert_int_equal(gzip_decompress(HELLO_GZ, sizeof HELLO_GZ, 12, &out, &e), ERR_LIMIT);
  assert_int_equal(out.len, 0);
  buf_free(&out);
}

static void round_trip_large(void **state) {
  enum { N = 300 * 1024 }; /* several inflate steps */
  uint8_t *src = malloc(N);
  for (size_t i = 0; i < N; i++) src[i] = (uint8_t)(i * 2654435761u >> 13);
  buf z, out;
  buf_init(&z, 0);
  buf_init(&out, 0);
  err e;
  assert_int_equal(gzip_compress(src, N, 6, &z, &e), ERR_OK);
  assert_int_equal(gzip_decompress(z.data, z.len, N, &out, &e), ERR_OK);
  assert_int_equal(out.len, N);
  assert_memory_equal(out.data, src, N);
  /* the same input gives the same bytes: an archive's tiles equal the server's */
  size_t first = z.len;
  assert_int_equal(gzip_compress(src, N, 6, &z, &e), ERR_OK);
  assert_int_equal(z.len, 2 * first);
  assert_memory_equal(z.data, z.data + first, first);
  buf_free(&z);
  buf_free(&out);
  free(src);
}

/* A compressor kept for many calls (each server and seed worker keeps one) carries nothing from
 * one call to the next: every input, in any order, gives gzip_compress's bytes, and zlib
 * inflates them back. */
static void kept_deflater_matches_one_shot(void **state) {
  enum { N = 96 * 1024 };
  uint8_t *src = malloc(N);
  for (size_t i = 0; i < N; i++) src[i] = (uint8_t)((i % 251) ^ (i * 2654435761u >> 20));
  gzip_deflater *d = gzip_deflater_create(GZIP_LEVEL_ANSWER);
  assert_non_null(d);
  static const size_t lens[] = {N, 300, N / 3, 0, 1, N, 4096};
  buf kept, once, back;
  err e;
  for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
    const uint8_t *in = src + (N - lens[k]) / 2;
    buf_init(&kept, 0);
    buf_init(&once, 0);
    buf_init(&back, 0);
    assert_int_equal(gzip_deflate(d, in, lens[k], &kept, &e), ERR_OK);
    assert_int_equal(gzip_compress(in, lens[k], GZIP_LEVEL_ANSWER, &once, &e), ERR_OK);
    assert_int_equal(kept.len, once.len);
    assert_memory_equal(kept.data, once.data, once.len);
    assert_int_equal(gzip_decompress(kept.data, kept.len, N, &back, &e), ERR_OK);
    assert_int_equal(back.len, lens[k]);
    if (lens[k]) assert_memory_equal(back.data, in, lens[k]);
    buf_free(&kept);
    buf_free(&once);
    buf_free(&back);
  }
  /* out's own bound: ERR_LIMIT, and the compressor still serves the next call */
  buf small;
  buf_init(&small, 64);
  assert_int_equal(gzip_deflate(d, src, N, &small, &e), ERR_LIMIT);
  assert_int_equal(small.len, 0);
  buf_free(&small);
  buf_init(&kept, 0);
  assert_int_equal(gzip_deflate(d, src, 300, &kept, &e), ERR_OK);
  buf_free(&kept);
  gzip_deflater_destroy(d);
  gzip_deflater_destroy(NULL);
  free(src);
}

static void zip_bomb_stops_at_bound(void **state) {
  enum { N = 64 * 1024 * 1024 }; /* 64 MiB of zeros deflate to about 64 KiB */
  uint8_t *zeros = calloc(1, N);
  buf z, out;
  buf_init(&z, 0);
  buf_init(&out, 0);
  err e;
  assert_int_equal(gzip_compress(zeros, N, 9, &z, &e), ERR_OK);
  free(zeros);
  assert_true(z.len < N / 500);
  assert_int_equal(gzip_decompress(z.data, z.len, 1 << 20, &out, &e), ERR_LIMIT);
  assert_int_equal(out.len, 0);
  assert_true(out.cap <= 3u << 20); /* grew to the bound (doubling), never towards 64 MiB */
  assert_non_null(strstr(e.msg, "more than"));
  buf_free(&z);
  buf_free(&out);
}

static void hostile_input_refused(void **state) {
  buf out;
  buf_init(&out, 0);
  err e;
  /* truncated anywhere */
  for (size_t n = 0; n < sizeof HELLO_GZ; n++) {
    assert_int_equal(gzip_decompress(HELLO_GZ, n, 100, &out, &e), ERR_INVALID);
    assert_int_equal(out.len, 0);
  }
  uint8_t bad[sizeof HELLO_GZ + 3];
  /* a flipped bit in the CRC */
  memcpy(bad, HELLO_GZ, sizeof HELLO_GZ);
  bad[sizeof HELLO_GZ - 6] ^= 1;
  assert_int_equal(gzip_decompress(bad, sizeof HELLO_GZ, 100, &out, &e), ERR_INVALID);
  /* wrong magic */
  memcpy(bad, HELLO_GZ, sizeof HELLO_GZ);
  bad[0] = 0x1e;
  assert_int_equal(gzip_decompress(bad, sizeof HELLO_GZ, 100, &out, &e), ERR_INVALID);
  /* trailing garbage, and a second member */
  memcpy(bad, HELLO_GZ, sizeof HELLO_GZ);
  memcpy(bad + sizeof HELLO_GZ, "abc", 3);
  assert_int_equal(gzip_decompress(bad, sizeof bad, 100, &out, &e), ERR_INVALID);
  assert_non_null(strstr(e.msg, "after the end"));
  uint8_t two[2 * sizeof HELLO_GZ];
  memcpy(two, HELLO_GZ, sizeof HELLO_GZ);
  memcpy(two + sizeof HELLO_GZ, HELLO_GZ, sizeof HELLO_GZ);
  assert_int_equal(gzip_decompress(two, sizeof two, 100, &out, &e), ERR_INVALID);
  assert_int_equal(out.len, 0);
  /* a raw zlib stream is not gzip */
  static const uint8_t ZLIB_HELLO[] = {0x78, 0x9c, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00,
                                       0x06, 0x2c, 0x02, 0x15};
  assert_int_equal(gzip_decompress(ZLIB_HELLO, sizeof ZLIB_HELLO, 100, &out, &e), ERR_INVALID);
  buf_free(&out);
}

/* The size in the trailer (ISIZE) chooses the one-call path; a wrong one is refused all the same,
 * by whichever path, and leaves out as it was. */
static void stated_size_checked(void **state) {
  buf out;
  buf_init(&out, 64); /* a bound of its own, past the data's size */
  err e;
  assert_int_equal(gzip_decompress(HELLO_GZ, sizeof HELLO_GZ, 100, &out, &e), ERR_OK);
  assert_int_equal(out.len, 13);
  buf_free(&out);
  buf_init(&out, 0);
  uint8_t bad[sizeof HELLO_GZ];
  static const uint8_t stated[] = {12, 14, 63, 99, 200};
  for (size_t i = 0; i < sizeof stated; i++) {
    memcpy(bad, HELLO_GZ, sizeof bad);
    bad[sizeof bad - 4] = stated[i];
    out.len = 0;
    assert_int_equal(gzip_decompress(bad, sizeof bad, 100, &out, &e), ERR_INVALID);
    assert_int_equal(out.len, 0);
    assert_false(out.failed);
  }
  buf_free(&out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(decodes_python_gzip), cmocka_unit_test(round_trip_large),
      cmocka_unit_test(zip_bomb_stops_at_bound), cmocka_unit_test(hostile_input_refused),
      cmocka_unit_test(kept_deflater_matches_one_shot), cmocka_unit_test(stated_size_checked)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
