/* The CSV pre-pass and value conversion: Spanish headers without regard to case and accents,
 * separators, UTF-8 validation, decimal commas, null markers, type inference that keeps INEGI
 * codes ("020") as text, Mexican day/month/year dates, and the WKB coordinate walker. */
#include <unistd.h>

#include "check.h"
#include "importers/import_int.h"
#include "geom/wkb.h"

static void header_names(void **state) {
  static const struct {
    const char *in, *out;
  } V[] = {{"Latitud", "latitud"},       {"LONGITUD", "longitud"}, {"Coord_X", "coordx"},
           {"Línea", "linea"},           {"AÑO", "ano"},           {"Dirección ", "direccion"},
           {"coordenada y", "coordenaday"}, {"  lng ", "lng"},     {"Núm. ext.", "numext"}};
  char out[64];
  for (size_t i = 0; i < sizeof V / sizeof *V; i++) {
    csv_header_normalize(V[i].in, out, sizeof out);
    assert_string_equal(out, V[i].out);
  }
  csv_header_normalize("abcdefghij", out, 5);
  assert_string_equal(out, "abcd");
}

static void separators(void **state) {
  assert_int_equal(csv_detect_separator("a,b,c"), ',');
  assert_int_equal(csv_detect_separator("nombre;latitud;longitud"), ';');
  assert_int_equal(csv_detect_separator("\"a;b\",c,d"), ',');  /* quoted ; does not count */
  assert_int_equal(csv_detect_separator("a\tb\tc"), '\t');
  assert_int_equal(csv_detect_separator("a|b|c"), '|');
}

static void utf8(void **state) {
  size_t bad = 0;
  assert_true(utf8_valid("León", strlen("León"), &bad));
  assert_false(utf8_valid("Le\xf3n", 4, &bad));
  assert_int_equal(bad, 2);
  assert_false(utf8_valid("\xc0\xaf", 2, &bad));          /* overlong */
  assert_false(utf8_valid("\xed\xa0\x80", 3, &bad));      /* surrogate */
  assert_false(utf8_valid("ab\xc3", 3, &bad));            /* cut short */
  char s[] = "Le\xf3n \xc3\xb1 \xe2\x82";
  utf8_sanitize(s);
  assert_string_equal(s, "Le?n \xc3\xb1 ??");
}

static void numbers(void **state) {
  double d = 0;
  assert_true(import_parse_double(" -101.6831997 ", false, &d));
  assert_true(d == -101.6831997);
  assert_true(import_parse_double("21,1234", true, &d));
  assert_true(d == 21.1234);
  assert_false(import_parse_double("21,1234", false, &d));
  assert_false(import_parse_double("1,234,5", true, &d));
  assert_false(import_parse_double("NA", true, &d));
  assert_false(import_parse_double("nan", true, &d));
  assert_false(import_parse_double("inf", true, &d));
  assert_false(import_parse_double("", true, &d));
  assert_false(import_parse_double("0x10", true, &d));
}

static field_type infer(const char *const *v, size_t n, bool *comma) {
  return schema_infer_type(NULL, v, n, comma);
}

static void inference(void **state) {
  bool comma = false;
  const char *ints[] = {"1", "-20", NULL, "", "300"};
  assert_int_equal(infer(ints, 5, &comma), FIELD_INTEGER);
  const char *codes[] = {"001", "020", "11"};
  assert_int_equal(infer(codes, 3, &comma), FIELD_TEXT);
  const char *reals[] = {"1.5", "2", "-0.25"};
  assert_int_equal(infer(reals, 3, &comma), FIELD_REAL);
  assert_false(comma);
  const char *comma_reals[] = {"21,5", "3", "-0,25"};
  assert_int_equal(infer(comma_reals, 3, &comma), FIELD_REAL);
  assert_true(comma);
  const char *with_markers[] = {"10", "-", "N/D", "NA", "7"};
  assert_int_equal(infer(with_markers, 5, &comma), FIELD_INTEGER);
  const char *dates[] = {"2024-01-31", "31/12/2023", "1/2/2020"};
  assert_int_equal(infer(dates, 3, &comma), FIELD_DATE);
  const char *datetimes[] = {"2024-01-31T10:07:00Z", "2024-02-01 18:36"};
  assert_int_equal(infer(datetimes, 2, &comma), FIELD_DATETIME);
  const char *bools[] = {"sí", "No", "TRUE"};
  assert_int_equal(infer(bools, 3, &comma), FIELD_BOOLEAN);
  const char *text[] = {"10:07", "18:36"};
  assert_int_equal(infer(text, 2, &comma), FIELD_TEXT);
  const char *bad_date[] = {"2024-02-30"};
  assert_int_equal(infer(bad_date, 1, &comma), FIELD_TEXT);
  assert_int_equal(infer(NULL, 0, &comma), FIELD_TEXT);
}

/* A column named as a code stays text although its first rows read as numbers (INEGI's state 11:
 * cvegeo "110200001", cve_agee "11"); other names, ids among them, keep their numbers. */
static void code_names(void **state) {
  bool comma = true;
  const char *state_11[] = {"110200001", "110200261"};
  assert_int_equal(schema_infer_type("cvegeo", state_11, 2, &comma), FIELD_TEXT);
  assert_false(comma);
  const char *agee[] = {"11", "11"};
  assert_int_equal(schema_infer_type("CVE_AGEE", agee, 2, &comma), FIELD_TEXT);
  const char *other_cp[] = {"-9999", "10000", "0"};
  assert_int_equal(schema_infer_type("otros_cp", other_cp, 3, &comma), FIELD_TEXT);
  assert_int_equal(schema_infer_type("pob", agee, 2, &comma), FIELD_INTEGER);
  assert_int_equal(schema_infer_type("id", agee, 2, &comma), FIELD_INTEGER);
  const char *dates[] = {"2024-01-31"};
  assert_int_equal(schema_infer_type("cp_alta", dates, 1, &comma), FIELD_DATE);
  static const struct {
    const char *name;
    bool code;
  } N[] = {{"cvegeo", true},     {"cve_loc", true},  {"clave_escuela", true}, {"cod_post", true},
           {"otros_cp", true},   {"mun_cve", true},  {"escuela_clave", true}, {"folio", true},
           {"telefono", true},   {"pob", false},     {"id", false},           {"gid", false},
           {"altitud", false},   {"mcp", false},     {"user_id", false}};
  for (size_t i = 0; i < sizeof N / sizeof *N; i++)
    assert_int_equal(schema_code_name(N[i].name), N[i].code);
}

static void conversion(void **state) {
  buf scratch;
  buf_init(&scratch, 0);
  value v;
  assert_true(schema_convert_text("31/12/2023", FIELD_DATE, false, &scratch, &v));
  assert_int_equal(v.kind, VALUE_TEXT);
  assert_memory_equal(v.s, "2023-12-31", 10);
  assert_true(schema_convert_text("2024-01-31 10:07", FIELD_DATETIME, false, &scratch, &v));
  assert_memory_equal(v.s, "2024-01-31T10:07:00", v.len);
  assert_true(schema_convert_text("2024-01-31T10:07:05-06:00", FIELD_DATETIME, false, &scratch, &v));
  assert_memory_equal(v.s, "2024-01-31T10:07:05-06:00", v.len);
  assert_false(schema_convert_text("mañana", FIELD_DATE, false, &scratch, &v));
  assert_true(schema_convert_text(" 020 ", FIELD_INTEGER, false, &scratch, &v));
  assert_int_equal(v.i, 20);
  assert_false(schema_convert_text("12a", FIELD_INTEGER, false, &scratch, &v));
  assert_true(schema_convert_text("3,5", FIELD_REAL, true, &scratch, &v));
  assert_true(v.d == 3.5);
  assert_true(schema_convert_text("Sí", FIELD_BOOLEAN, false, &scratch, &v));
  assert_int_equal(v.i, 1);
  assert_true(schema_null_marker(" N/D "));
  assert_false(schema_null_marker("0"));
  buf_free(&scratch);
}

/* A file whose last bytes start a UTF-8 sequence and end before it does is not UTF-8: it is read
 * as Windows-1252, converted into a temporary UTF-8 copy, and the note says so. */
static void sequence_cut_by_the_end_of_the_file(void **state) {
  (void)state;
  char path[256];
  check_tmp_path("cut.csv", path, sizeof path);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs("nombre,lat,lon\nLe\xc3", f);
  fclose(f);
  import_options opt = {0};
  csv_info info;
  err e;
  assert_int_equal(csv_prepare(path, &opt, &info, &e), ERR_OK);
  assert_string_equal(info.encoding, "WINDOWS-1252");
  assert_true(info.temp_path[0] != '\0');
  assert_non_null(strstr(info.encoding_note, "línea 2"));
  unlink(info.temp_path);
  unlink(path);
}

static bool count_points(uint8_t *xy, uint32_t n, void *ud) {
  *(uint32_t *)ud += n;
  return true;
}

static void wkb_walker(void **state) {
  buf b;
  buf_init(&b, 0);
  double ring[] = {0, 0, 10, 0, 10, 10, 0, 0};
  geom_wkb_header(&b, GEOM_WKB_MULTIPOLYGON);
  geom_wkb_u32(&b, 2);
  for (int k = 0; k < 2; k++) {
    geom_wkb_header(&b, GEOM_WKB_POLYGON);
    geom_wkb_u32(&b, 1);
    geom_wkb_coords(&b, ring, 4);
  }
  uint32_t n = 0;
  assert_true(wkb_walk(b.data, b.len, count_points, &n));
  assert_int_equal(n, 8);
  double env[4];
  bool finite;
  assert_true(wkb_envelope(b.data, b.len, env, &finite));
  assert_true(finite && env[0] == 0 && env[3] == 10);
  assert_false(wkb_walk(b.data, b.len - 1, count_points, &n));  /* truncated */
  b.data[1] = 99;                                               /* unknown type */
  assert_false(wkb_walk(b.data, b.len, count_points, &n));
  buf_reset(&b);
  geom_wkb_point(&b, 0, 1);
  double nan_xy[2] = {__builtin_nan(""), 1};
  memcpy(b.data + 5, nan_xy, 16);
  assert_true(wkb_envelope(b.data, b.len, env, &finite));
  assert_false(finite);
  buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(header_names), cmocka_unit_test(separators), cmocka_unit_test(utf8),
      cmocka_unit_test(numbers),      cmocka_unit_test(inference),  cmocka_unit_test(code_names),
      cmocka_unit_test(conversion),   cmocka_unit_test(wkb_walker),
      cmocka_unit_test(sequence_cut_by_the_end_of_the_file)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
