/* test_fetch.c — which sources are URLs, and the schemes a download refuses before any
 * connection (importers/publish/fetch.c; the transfers themselves: tests/http/test_publish_fetch.sh). */
#include "check.h"

#include "importers/publish/fetch_int.h"

static void test_is_url(void **state) {
  (void)state;
  assert_true(fetch_is_url("https://datos.leon.gob.mx/capas/parques.csv"));
  assert_true(fetch_is_url("http://127.0.0.1:8000/datos.csv"));
  assert_true(fetch_is_url("ftp://servidor/datos.csv")); /* a URL, refused by fetch_download */
  assert_false(fetch_is_url("../tests/data/inegi/AGLOC_11020_localidades.csv"));
  assert_false(fetch_is_url("/srv/entregas/2025-06/parques.csv"));
  assert_false(fetch_is_url("://nada"));
  assert_false(fetch_is_url("carpeta con espacios://x.csv"));
}

static void test_other_schemes_refused(void **state) {
  (void)state;
  static const char *const BAD[] = {"file:///etc/passwd", "ftp://servidor/datos.csv",
                                    "gopher://x/datos.csv"};
  publish_options o = {.fetch = true};
  for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
    fetch_result r;
    err e = {0};
    assert_int_equal(fetch_download(BAD[i], NULL, &o, &r, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "solo se descarga por http:// o https://"));
    assert_string_equal(r.dir, ""); /* refused before any temporary folder is made */
    fetch_cleanup(&r);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_is_url),
      cmocka_unit_test(test_other_schemes_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
