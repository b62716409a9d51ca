/* The GeoPackage export's errors reach HTTP answers: GDAL's text, which quotes what it was given
 * (here a path holding a value that must not leak), never goes into them. */
#include "check.h"
#include "export/export.h"

static void gdal_text_kept_out(void **state) {
  (void)state;
  features_request r;
  memset(&r, 0, sizeof r);
  err e;
  err_clear(&e);
  /* GDAL fails to create the file: its message would name the path */
  err_code rc = export_gpkg_write(NULL, &r, "/nonexistent-CURP-GOMJ800101HGTRRN09/x.gpkg", &e);
  assert_int_equal(rc, ERR_IO);
  assert_non_null(strstr(e.msg, "GeoPackage: cannot create the file"));
  assert_null(strstr(e.msg, "CURP"));
  assert_null(strstr(e.msg, "GOMJ800101"));
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(gdal_text_kept_out)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
