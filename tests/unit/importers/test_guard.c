/* The importer's guards, piece by piece: GDAL's text scrubbed of quoted values as it is captured,
 * a .dbf header judged against its size and the row limit, the text scanner (namespaced
 * NetworkLinks, links kept inside a KMZ, /vsi paths, DOCTYPE, long lines), --source-srs naming a
 * file, and the limits' defaults. The files themselves are refused end to end by
 * tests/http/test_import_hostile.sh. */
#include <cpl_error.h>

#include "check.h"
#include "importers/import_int.h"

static void scrub_quoted(void **state) {
  (void)state;
  char a[] = "Value 'GOMJ800101HGTRRN09' of field curp parsed incompletely";
  guard_gdal_text_scrub(a);
  assert_string_equal(a, "Value '\xE2\x80\xA6' of field curp parsed incompletely");
  char b[] = "x \"ab\" y '' z 'unterminated";
  guard_gdal_text_scrub(b);
  assert_string_equal(b, "x '' y '' z 'unterminated");
}

static void captured_text_is_scrubbed(void **state) {
  (void)state;
  gdal_errors g;
  memset(&g, 0, sizeof g);
  gdal_errors_push(&g);
  CPLError(CE_Warning, CPLE_AppDefined, "Value 'SECRETO-1' of field curp parsed incompletely");
  CPLError(CE_Failure, CPLE_AppDefined, "Cannot read 'SECRETO-2' at line 3");
  CPLError(CE_Failure, CPLE_AppDefined, "Stopped at \"SECRETO-3\"");
  gdal_errors_pop();
  char text[ERR_MSG_MAX];
  gdal_errors_text(&g, "x", text, sizeof text);
  assert_int_equal(g.n_failures, 2);
  assert_null(strstr(text, "SECRETO"));
  assert_null(strstr(g.first_warning, "SECRETO"));
  assert_non_null(strstr(text, "at line 3"));
}

static void dbf_headers(void **state) {
  (void)state;
  import_limits lim;
  guard_limits_resolve(NULL, &lim);
  uint8_t h[32] = {3, 126, 1, 1};
  h[8] = 65, h[10] = 21; /* header 65 bytes, records of 21 */
  err e;
  h[4] = 1; /* one record: 65 + 21 = 86 bytes (87 with the end byte) */
  assert_int_equal(guard_dbf_header("a.dbf", h, 32, 87, &lim, &e), ERR_OK);
  h[4] = 0, h[5] = 0xCA, h[6] = 0x9A, h[7] = 0x3B; /* 1,000,000,000 */
  assert_int_equal(guard_dbf_header("a.dbf", h, 32, 87, &lim, &e), ERR_LIMIT);
  assert_non_null(strstr(e.msg, "a.dbf: la cabecera del .dbf dice tener 1000000000 registros"));
  h[4] = 100, h[5] = h[6] = h[7] = 0; /* 100 records cannot fit in 87 bytes */
  assert_int_equal(guard_dbf_header("a.dbf", h, 32, 87, &lim, &e), ERR_INVALID);
  assert_int_equal(guard_dbf_header("a.dbf", h, 10, 87, &lim, &e), ERR_INVALID);
}

static err_code scan_text(const char *text, unsigned flags, err *e) {
  char path[256];
  check_tmp_path("doc.txt", path, sizeof path);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  import_limits lim;
  guard_limits_resolve(&(import_limits){.line_kb = 1}, &lim);
  return guard_scan(path, "doc", flags, &lim, e);
}

static void scanner(void **state) {
  (void)state;
  const unsigned XML = GUARD_SCAN_XML | GUARD_SCAN_VSI, KMZ = XML | GUARD_SCAN_LINKS_INSIDE;
  err e;
  assert_int_equal(scan_text("<kml><Placemark/></kml>", XML, &e), ERR_OK);
  assert_int_equal(scan_text("<kml>\n<kml:NetworkLink><href>x.kml</href>", XML, &e), ERR_INVALID);
  assert_non_null(strstr(e.msg, "doc, línea 2: el documento tiene un NetworkLink"));
  assert_int_equal(scan_text("<NetworkLink><Link><href>otro.kml</href></Link>", KMZ, &e), ERR_OK);
  assert_int_equal(scan_text("<NetworkLink><Link><href>../x.kml</href>", KMZ, &e), ERR_INVALID);
  assert_int_equal(scan_text("<NetworkLink><Link><HREF>http://a/x</HREF>", KMZ, &e), ERR_INVALID);
  assert_int_equal(scan_text("<NetworkLink><Link><href>/etc/x.kml</href>", KMZ, &e), ERR_INVALID);
  /* an Icon's href is no link GDAL follows */
  assert_int_equal(scan_text("<Icon><href>http://maps.example/i.png</href></Icon>", XML, &e),
                   ERR_OK);
  assert_int_equal(scan_text("<?xml?>\n<!doctype kml>", XML, &e), ERR_INVALID);
  assert_non_null(strstr(e.msg, "línea 2"));
  assert_int_equal(scan_text("a,b\n\"/VSIcurl/http://x\",2\n", GUARD_SCAN_VSI, &e), ERR_INVALID);
  assert_int_equal(scan_text("a,b\n\"/vsicurl/http://x\",2\n", 0, &e), ERR_OK);
  char line[2100];
  memset(line, 'x', sizeof line - 1);
  line[sizeof line - 1] = '\0';
  assert_int_equal(scan_text(line, GUARD_SCAN_LINES, &e), ERR_LIMIT);
  assert_int_equal(scan_text(line, GUARD_SCAN_VSI, &e), ERR_OK);
}

/* Runs of bytes that start no pattern are skipped in one step: a pattern split by the scanner's
 * 64 KiB read block is still found on its line, and a line's length is counted exactly across
 * runs and single bytes (bound 1 KB: 1,024 bytes pass, 1,025 do not). */
static void scanner_skips_plain_runs(void **state) {
  (void)state;
  enum { BLOCK = 65536 };
  static char text[BLOCK + 64];
  err e;
  for (size_t off = BLOCK - 6; off <= BLOCK + 1; off++) {
    for (size_t i = 0; i < off; i++) text[i] = i % 100 == 99 ? '\n' : '7';
    strcpy(text + off, "\"/VSIcurl/x\"\n");
    assert_int_equal(scan_text(text, GUARD_SCAN_VSI | GUARD_SCAN_LINES, &e), ERR_INVALID);
    char where[32];
    snprintf(where, sizeof where, "línea %zu:", off / 100 + 1);
    assert_non_null(strstr(e.msg, where));
  }
  char line[1100];
  memset(line, '9', 1024);
  strcpy(line + 1024, "\n9");
  assert_int_equal(scan_text(line, GUARD_SCAN_LINES, &e), ERR_OK);
  memset(line, '9', 1025);
  line[1025] = '\0';
  assert_int_equal(scan_text(line, GUARD_SCAN_LINES, &e), ERR_LIMIT);
  line[600] = ':'; /* a byte fed singly in the middle of the line */
  assert_int_equal(scan_text(line, GUARD_SCAN_LINES, &e), ERR_LIMIT);
  line[1024] = '\0';
  assert_int_equal(scan_text(line, GUARD_SCAN_LINES, &e), ERR_OK);
}

static void paths_and_srs(void **state) {
  (void)state;
  import_limits lim;
  guard_limits_resolve(NULL, &lim);
  err e;
  assert_int_equal(guard_path("/vsicurl/http://127.0.0.1/x.csv", &lim, &e), ERR_INVALID);
  assert_int_equal(guard_path("CSV:/etc/passwd", &lim, &e), ERR_INVALID);
  assert_int_equal(guard_path("http://127.0.0.1/x.csv", &lim, &e), ERR_INVALID);
  assert_int_equal(guard_path("/etc", &lim, &e), ERR_INVALID);
  assert_int_equal(guard_srs_text("x.csv", "/etc/passwd", &e), ERR_INVALID);
  assert_int_equal(guard_srs_text("x.csv", "/vsicurl/http://a/b.prj", &e), ERR_INVALID);
  assert_int_equal(guard_srs_text("x.csv", "http://a/b.prj", &e), ERR_INVALID);
  assert_int_equal(guard_srs_text("x.csv", "EPSG:6372", &e), ERR_OK);
  assert_int_equal(guard_srs_text("x.csv", "+proj=utm +zone=14 +datum=WGS84", &e), ERR_OK);
}

static void limit_defaults(void **state) {
  (void)state;
  import_limits d, r;
  import_limits_default(&d);
  guard_limits_resolve(&(import_limits){.rows = 5}, &r);
  assert_int_equal(r.rows, 5);
  assert_int_equal(r.file_mb, d.file_mb);
  assert_int_equal(r.zip_ratio, 100);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(scrub_quoted),  cmocka_unit_test(captured_text_is_scrubbed),
      cmocka_unit_test(dbf_headers),   cmocka_unit_test(scanner),
      cmocka_unit_test(paths_and_srs), cmocka_unit_test(limit_defaults),
      cmocka_unit_test(scanner_skips_plain_runs)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
