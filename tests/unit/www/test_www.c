/* Unit tests of www/: HTML escaping of untrusted catalog text, numbers and dates for people,
 * the language switch, style names, the embedded asset table, and the catalog page of a fake
 * catalog (every field escaped, links present, no link to an endpoint the server lacks). */
#include "check.h"
#include "www/www.h"
#include "www/www_int.h"

static const char *html_of(buf *b, const char *s) {
  buf_reset(b);
  www_html_put(b, s);
  return buf_cstr(b);
}

static void escapes_every_special_character(void **state) {
  buf b;
  buf_init(&b, 0);
  assert_string_equal(html_of(&b, "<a href=\"x\" onclick='y'>&</a>"),
                      "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  assert_string_equal(html_of(&b, "León, Guanajuato"), "León, Guanajuato");
  assert_string_equal(html_of(&b, ""), "");
  assert_string_equal(html_of(&b, NULL), "");
  buf_free(&b);
}

static void formats_counts_and_dates_for_people(void **state) {
  char n[32];
  www_fmt_count(0, n);
  assert_string_equal(n, "0");
  www_fmt_count(999, n);
  assert_string_equal(n, "999");
  www_fmt_count(50000, n);
  assert_string_equal(n, "50,000");
  www_fmt_count(1234567, n);
  assert_string_equal(n, "1,234,567");
  www_fmt_count(-1000, n);
  assert_string_equal(n, "-1,000");
  buf b;
  buf_init(&b, 0);
  www_fmt_date(&b, WWW_LANG_ES, "2026-11-22T07:46:24Z");
  assert_string_equal(buf_cstr(&b), "22 de noviembre de 2026");
  buf_reset(&b);
  www_fmt_date(&b, WWW_LANG_EN, "2025-03-01");
  assert_string_equal(buf_cstr(&b), "1 March 2025");
  buf_reset(&b);
  www_fmt_date(&b, WWW_LANG_ES, "<not a date>");
  assert_string_equal(buf_cstr(&b), "&lt;not a date&gt;");
  buf_free(&b);
  assert_string_equal(www_fmt_frequency(WWW_LANG_ES, "monthly"), "Cada mes");
  assert_string_equal(www_fmt_frequency(WWW_LANG_EN, "on event"), "When something changes");
  assert_string_equal(www_fmt_frequency(WWW_LANG_ES, "cada luna"), "cada luna");
  assert_string_equal(www_fmt_frequency(WWW_LANG_ES, "semiannual"), "Cada seis meses");
  assert_string_equal(www_fmt_geometry(WWW_LANG_ES, "MultiPolygon"), "Áreas");
}

/* The summary of a report: 99.2 % is not "100 %", a fill rate never exceeds 100 % (a report
 * counting withheld records), and every warning kind is listed, known or not. */
static const char *summary_of(buf *b, const char *report) {
  layer_info l = {.id = "x", .report = (char *)report, .privacy = "{}", .feature_count = 0};
  buf_reset(b);
  www_quality_summary(b, WWW_LANG_ES, &l);
  return buf_cstr(b);
}

static void quality_summary_rounds_down_and_lists_warnings(void **state) {
  char p[32];
  www_fmt_pct(992, 1000, p);
  assert_string_equal(p, "99.2");
  www_fmt_pct(9999, 10000, p);
  assert_string_equal(p, "99.9");
  www_fmt_pct(1000, 1000, p);
  assert_string_equal(p, "100");
  www_fmt_pct(1055, 1000, p);
  assert_string_equal(p, "100");
  www_fmt_pct(1, 100000, p);
  assert_string_equal(p, "0.1");
  buf b;
  buf_init(&b, 0);
  const char *s = summary_of(&b, "{\"counts\":{\"read\":1000,\"imported\":1000},"
                                 "\"fields\":[{\"filled\":992}]}");
  assert_non_null(strstr(s, "99.2 % de los campos"));
  s = summary_of(&b, "{\"counts\":{\"read\":1000,\"imported\":1000},"
                     "\"fields\":[{\"filled\":1000},{\"filled\":999}]}");
  assert_non_null(strstr(s, "99.9 % de los campos"));
  s = summary_of(&b, "{\"counts\":{\"read\":200,\"imported\":200},"
                     "\"fields\":[{\"filled\":211}]}");
  assert_non_null(strstr(s, "100 % de los campos"));
  s = summary_of(&b, "{\"counts\":{\"read\":9,\"imported\":9,\"swapped_fixed\":2,"
                     "\"longitude_sign_fixed\":1},\"issues\":{\"outside_area\":3,"
                     "\"shifted\":4,\"damaged_text\":5,\"novel_kind\":6,\"nan\":7},"
                     "\"schema_changes\":{\"count\":2},\"expected_area\":{\"bbox\":"
                     "[-102,20.8,-101.3,21.4],\"from\":\"catalog\"}}");
  assert_non_null(strstr(s, "3 fuera del área esperada (-102,20.8,-101.3,21.4)"));
  assert_non_null(strstr(s, "4 lejos del resto de la capa"));
  assert_non_null(strstr(s, "5 textos con caracteres perdidos"));
  assert_non_null(strstr(s, "6 novel_kind"));
  assert_non_null(strstr(s, "3 coordenadas corregidas"));
  assert_non_null(strstr(s, "2 cambios de campos"));
  assert_null(strstr(s, "7 "));
  buf_free(&b);
}

static void parses_language_and_style_names(void **state) {
  assert_int_equal(www_lang_parse(NULL), WWW_LANG_ES);
  assert_int_equal(www_lang_parse("es"), WWW_LANG_ES);
  assert_int_equal(www_lang_parse("en"), WWW_LANG_EN);
  assert_int_equal(www_lang_parse("en-GB"), WWW_LANG_EN);
  assert_int_equal(www_lang_parse("english"), WWW_LANG_ES);
  assert_true(www_style_name_valid("leon", 4));
  assert_true(www_style_name_valid("mi_estilo-2", 11));
  assert_false(www_style_name_valid("", 0));
  assert_false(www_style_name_valid("../x", 4));
  assert_false(www_style_name_valid("a b", 3));
  for (int i = 0; i < T_N_TEXTS; i++) {
    assert_non_null(www_text(WWW_LANG_ES, (www_text_id)i));
    assert_non_null(www_text(WWW_LANG_EN, (www_text_id)i));
  }
}

static void finds_embedded_assets(void **state) {
  if (WWW_N_ASSETS == 0) skip(); /* built with -DTESELAS_WEB=OFF */
  for (size_t i = 1; i < WWW_N_ASSETS; i++)
    assert_true(strcmp(WWW_ASSETS[i - 1].name, WWW_ASSETS[i].name) < 0);
  const www_asset *a = www_asset_find("viewer.js", 9);
  assert_non_null(a);
  assert_string_equal(a->content_type, "text/javascript; charset=utf-8");
  assert_non_null(a->gz);
  assert_true(a->gz_len < a->len);
  assert_non_null(www_asset_find("maplibre-gl.mjs", 15));
  assert_non_null(www_asset_find("maplibre-gl-worker.mjs", 22));
  assert_non_null(www_asset_find("leaflet.js", 10));
  assert_null(www_asset_find("viewer.js.map", 13));
  assert_null(www_asset_find("viewer", 6));
  assert_null(www_asset_find("", 0));
}

static void catalog_page_escapes_and_links(void **state) {
  layer_field fields[] = {{"nombre", "Nombre", FIELD_TEXT}};
  layer_info l = {
      .id = "parques", .title = "<b>Parques</b>", .description = "a & b",
      .geometry_type = "Polygon", .license = "CC BY 4.0", .publisher = "O'Brien",
      .frequency = "quarterly", .keywords = "", .updated_at = "2026-01-05T00:00:00Z",
      .source_name = "", .source_sha256 = "",
      .privacy = "{\"description\":\"Ubicaciones aproximadas\"}",
      .report = "{\"counts\":{\"read\":10,\"imported\":9,\"rejected\":1,\"repaired\":2},"
                "\"fields\":[{\"filled\":9},{\"filled\":5}]}",
      .table_name = "", .date_field = "", .bounds = {-101.8, 21.0, -101.5, 21.3},
      .feature_count = 9, .version = 1, .minzoom = 6, .maxzoom = 16, .sample = false,
      .fields = fields, .n_fields = 1};
  catalog c = {.layers = &l, .n_layers = 1};
  www_site s = {.base_url = "http://127.0.0.1:8080", .style = "leon", .lang = WWW_LANG_ES,
                .ep = {.items = true, .static_img = false}};
  buf b;
  buf_init(&b, 0);
  err e;
  assert_int_equal(www_catalog_write(&s, &c, &b, &e), ERR_OK);
  const char *html = buf_cstr(&b);
  assert_non_null(strstr(html, "&lt;b&gt;Parques&lt;/b&gt;"));
  assert_null(strstr(html, "<b>Parques"));
  assert_non_null(strstr(html, "a &amp; b"));
  assert_non_null(strstr(html, "O&#39;Brien"));
  assert_non_null(strstr(html, "Cada tres meses"));
  assert_non_null(strstr(html, "5 de enero de 2026"));
  assert_non_null(strstr(html, "9 registros publicados de 10; 1 rechazados por errores; "
                               "2 geometrías reparadas; 77.7 % de los campos tienen valor."));
  assert_non_null(strstr(html, "Ubicaciones aproximadas"));
  assert_non_null(strstr(html, "href=\"/maps/leon?layers=parques\""));
  assert_non_null(strstr(html, "/collections/parques/items?f=csv&amp;limit=10000"));
  assert_non_null(strstr(html, "http://127.0.0.1:8080/tiles/parques/{z}/{x}/{y}.pbf"));
  assert_null(strstr(html, "/static/")); /* no static image endpoint: no thumbnail request */
  assert_null(strstr(html, "/collections\"")); /* no OGC API collections link */
  /* with every endpoint, thumbnails and whole-layer downloads appear */
  s.ep.static_img = true;
  s.ep.download = "/collections/{id}/download.{f}";
  buf_reset(&b);
  assert_int_equal(www_catalog_write(&s, &c, &b, &e), ERR_OK);
  html = buf_cstr(&b);
  assert_non_null(strstr(html, "/styles/leon/static/-101.65000,21.15000,"));
  assert_non_null(strstr(html, "/collections/parques/download.gpkg"));
  buf_free(&b);
}

static void map_page_keeps_script_text_inert(void **state) {
  layer_info l = {.id = "x", .title = "</script><script>alert(1)</script>", .description = "",
                  .geometry_type = "Point", .license = "", .publisher = "", .frequency = "",
                  .keywords = "", .updated_at = "", .source_name = "", .source_sha256 = "",
                  .privacy = "{}", .report = "{}", .table_name = "", .date_field = ""};
  catalog c = {.layers = &l, .n_layers = 1};
  www_site s = {.base_url = "http://h", .style = "leon", .lang = WWW_LANG_EN};
  buf b;
  buf_init(&b, 0);
  err e;
  assert_int_equal(www_map_write(&s, &c, true, &b, &e), ERR_OK);
  const char *html = buf_cstr(&b);
  assert_non_null(strstr(html, "<html lang=\"en\">"));
  assert_non_null(strstr(html, "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"));
  assert_null(strstr(html, "<script>alert"));
  buf_free(&b);
}

static void full_buffer_is_an_error(void **state) {
  layer_info l = {.id = "x", .title = "t", .description = "", .geometry_type = "Point",
                  .license = "", .publisher = "", .frequency = "", .keywords = "",
                  .updated_at = "", .source_name = "", .source_sha256 = "", .privacy = "{}",
                  .report = "{}", .table_name = "", .date_field = ""};
  catalog c = {.layers = &l, .n_layers = 1};
  www_site s = {.base_url = "http://h", .style = "leon"};
  buf b;
  buf_init(&b, 100);
  err e;
  assert_int_equal(www_catalog_write(&s, &c, &b, &e), ERR_LIMIT);
  buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(escapes_every_special_character),
      cmocka_unit_test(formats_counts_and_dates_for_people),
      cmocka_unit_test(parses_language_and_style_names),
      cmocka_unit_test(quality_summary_rounds_down_and_lists_warnings),
      cmocka_unit_test(finds_embedded_assets),
      cmocka_unit_test(catalog_page_escapes_and_links),
      cmocka_unit_test(map_page_keeps_script_text_inert),
      cmocka_unit_test(full_buffer_is_an_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
