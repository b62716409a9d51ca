/* Layers of incidents against people, source identifiers and times of day (detect_incident.c,
 * detect_linkage.c), and the policy that records exact locations chosen on purpose. The traps:
 * parks and water layers, property crimes alone, dates that look like codes, coordinates. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "privacy/detect.h"
#include "privacy/policy.h"

static bool incidents(const char *title, const privacy_field_sample *f, size_t n, buf *why) {
  privacy_incident_input in = {.title = title, .fields = f, .n_fields = n};
  buf_reset(why);
  return privacy_detect_incidents(&in, why);
}

static void crime_layers_are_incidents(void **state) {
  buf why;
  buf_init(&why, 0);
  static const char *const CRIMES[] = {"ROBO A TRANSEUNTE C.V.", "ROBO DE VEHICULO AUTOMOTOR S.V.",
                                       "HOMICIDIO DOLOSO", "LESIONES POR ARMA DE FUEGO",
                                       "ROBO A NEGOCIO C.V."};
  privacy_field_sample f = {"crime", CRIMES, 5};
  assert_true(incidents(NULL, &f, 1, &why));
  assert_non_null(strstr(buf_cstr(&why), "campo crime"));
  assert_non_null(strstr(buf_cstr(&why), "«homicidio»"));
  assert_null(strstr(buf_cstr(&why), "DOLOSO")); /* our words, never the value */
  static const char *const TIPOS[] = {"robo a casa habitación", "Violencia familiar", "Lesiones"};
  f = (privacy_field_sample){"tipo", TIPOS, 3};
  assert_true(incidents(NULL, &f, 1, &why));
  assert_true(incidents("Delitos de alto impacto", NULL, 0, &why));
  assert_non_null(strstr(buf_cstr(&why), "título: «delitos»"));
  assert_true(incidents("Feminicidios 2024", NULL, 0, &why));
  f = (privacy_field_sample){"victima_sexo", NULL, 0};
  assert_true(incidents(NULL, &f, 1, &why));
  buf_free(&why);
}

static void other_layers_are_not(void **state) {
  buf why;
  buf_init(&why, 0);
  static const char *const STATUS[] = {"rehabilitado", "abandonado", "en obra", "Parque Hidalgo"};
  privacy_field_sample f[] = {{"estado", STATUS, 4}, {"nombre", STATUS + 3, 1}};
  assert_false(incidents("Parques y áreas verdes", f, 2, &why));
  static const char *const PROPERTY[] = {"robo a negocio", "robo de vehículo", "daño en propiedad"};
  f[0] = (privacy_field_sample){"tipo", PROPERTY, 3};
  assert_false(incidents("Reportes", f, 1, &why));
  /* "violencia" in 1 of 200 values is under 1 in 100; in 3 of 201 it is not */
  static const char *v[201];
  for (int i = 0; i < 201; i++) v[i] = "bache";
  v[199] = "violencia";
  f[0] = (privacy_field_sample){"obs", v, 200};
  assert_false(incidents(NULL, f, 1, &why));
  v[0] = v[1] = "violencia";
  f[0].n_values = 201;
  assert_true(incidents(NULL, f, 1, &why));
  assert_int_equal(why.len > 0, 1);
  buf_free(&why);
}

static void identifiers(void **state) {
  static const char *NAMES[] = {"id", "ID", "folio", "no_folio", "uuid", "objectid", "FID"};
  for (size_t i = 0; i < sizeof NAMES / sizeof *NAMES; i++) {
    privacy_field_sample f = {NAMES[i], NULL, 0};
    assert_true(privacy_detect_identifier(&f));
  }
  static char store[40][16];
  static const char *v[40];
  for (int i = 0; i < 40; i++) snprintf(store[i], sizeof store[i], "CI-%05d", 1000 + i), v[i] = store[i];
  privacy_field_sample f = {"expediente_ci", v, 40};
  assert_true(privacy_detect_identifier(&f));
  f.name = "registro";
  assert_true(privacy_detect_identifier(&f)); /* by its values */
  f.n_values = 19;                             /* too few to say */
  assert_false(privacy_detect_identifier(&f));
  for (int i = 0; i < 40; i++) snprintf(store[i], sizeof store[i], "2025-01-%02d", 1 + i % 28);
  f.n_values = 28;
  assert_false(privacy_detect_identifier(&f)); /* distinct dates are not ids */
  for (int i = 0; i < 40; i++) snprintf(store[i], sizeof store[i], "19.%07d", 1234567 + i);
  f.n_values = 40;
  assert_false(privacy_detect_identifier(&f)); /* nor coordinates */
  static const char *TIPO[] = {"robo", "robo", "lesiones"};
  f = (privacy_field_sample){"id_tipo_delito", TIPO, 3};
  assert_false(privacy_detect_identifier(&f));
}

static void times_of_day(void **state) {
  static const char *CLOCK[] = {"10:07", "18:36", "0:05", "23:59:59"};
  privacy_field_sample f = {"momento", CLOCK, 4};
  assert_true(privacy_detect_time_of_day(&f));
  f = (privacy_field_sample){"hora", NULL, 0};
  assert_true(privacy_detect_time_of_day(&f));
  static const char *DATES[] = {"2025-01-01", "2025-02-03"};
  f = (privacy_field_sample){"fecha", DATES, 2};
  assert_false(privacy_detect_time_of_day(&f));
  assert_int_equal(privacy_time_band("10:07"), 6);
  assert_int_equal(privacy_time_band("05:59"), 0);
  assert_int_equal(privacy_time_band("18:00:00"), 18);
  assert_int_equal(privacy_time_band("23"), 18);
  assert_int_equal(privacy_time_band("24:00"), -1);
  assert_int_equal(privacy_time_band("Juan"), -1);
  assert_int_equal(privacy_time_band("10:7"), -1);
}

static void exact_locations_on_purpose(void **state) {
  privacy_policy p, q;
  err e;
  assert_int_equal(privacy_policy_parse("none", &p, &e), ERR_OK);
  buf b;
  buf_init(&b, 0);
  privacy_policy_to_json(&p, &b);
  assert_string_equal(buf_cstr(&b), "{}");
  privacy_policy_decide_exact(&p, "campo crime: «crime»");
  buf_reset(&b);
  privacy_policy_to_json(&p, &b);
  assert_non_null(strstr(buf_cstr(&b), "\"exact_locations\":true"));
  assert_non_null(strstr(buf_cstr(&b), "Ubicaciones exactas, por decisión expresa"));
  assert_int_equal(privacy_policy_from_json(buf_cstr(&b), &q, &e), ERR_OK);
  assert_true(q.exact_decided);
  assert_string_equal(q.exact_reason, "campo crime: «crime»");
  /* a long reason is cut at a character boundary */
  char longer[PRIVACY_EXACT_REASON_MAX + 8];
  memset(longer, 'a', sizeof longer);
  memcpy(longer + PRIVACY_EXACT_REASON_MAX - 2, "«", 2);
  longer[sizeof longer - 1] = '\0';
  privacy_policy_decide_exact(&p, longer);
  assert_int_equal(strlen(p.exact_reason), PRIVACY_EXACT_REASON_MAX - 2);
  /* generalize keeps its identifier and time decisions */
  assert_int_equal(privacy_policy_parse("generalize:grid=250,month", &p, &e), ERR_OK);
  assert_int_equal(privacy_policy_drop_id(&p, "id", &e), ERR_OK);
  assert_int_equal(privacy_policy_band_time(&p, "hour", &e), ERR_OK);
  buf_reset(&b);
  privacy_policy_to_json(&p, &b);
  assert_int_equal(privacy_policy_from_json(buf_cstr(&b), &q, &e), ERR_OK);
  assert_int_equal(q.n_ids_dropped, 1);
  assert_int_equal(q.n_banded, 1);
  assert_non_null(strstr(buf_cstr(&b), "franjas de 6 horas"));
  assert_int_equal(privacy_policy_from_json("{\"mode\":\"generalize\",\"grid_m\":250,"
                                            "\"exact_locations\":true}", &q, &e), ERR_INVALID);
  buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(crime_layers_are_incidents), cmocka_unit_test(other_layers_are_not),
      cmocka_unit_test(identifiers),                cmocka_unit_test(times_of_day),
      cmocka_unit_test(exact_locations_on_purpose),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
