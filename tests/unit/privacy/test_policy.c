/* The privacy policy: the spec grammar, its error messages (which must name the bad part), the
 * canonical spec, the JSON of the catalog and back, and the sentences shown to citizens. */
#include <jansson.h>

#include "check.h"
#include "privacy/policy.h"

static privacy_policy parse_ok(const char *spec) {
  privacy_policy p;
  err e = {0};
  err_code rc = privacy_policy_parse(spec, &p, &e);
  if (rc != ERR_OK) fail_msg("%s: %s", spec, e.msg);
  return p;
}

static void assert_same(const privacy_policy *a, const privacy_policy *b) {
  assert_int_equal(a->mode, b->mode);
  assert_true(a->grid_m == b->grid_m);
  assert_int_equal(a->shape, b->shape);
  assert_int_equal(a->month, b->month);
  assert_int_equal(a->k, b->k);
  assert_string_equal(a->layer, b->layer);
  assert_int_equal(a->n_by, b->n_by);
  for (size_t i = 0; i < a->n_by; i++) assert_string_equal(a->by[i], b->by[i]);
  assert_string_equal(a->date_field, b->date_field);
  assert_int_equal(a->n_kept, b->n_kept);
  for (size_t i = 0; i < a->n_kept; i++) {
    assert_string_equal(a->kept[i].name, b->kept[i].name);
    assert_string_equal(a->kept[i].reason, b->kept[i].reason);
  }
  assert_int_equal(a->n_dropped, b->n_dropped);
  for (size_t i = 0; i < a->n_dropped; i++) assert_string_equal(a->dropped[i], b->dropped[i]);
}

static void parses_the_examples(void **state) {
  privacy_policy p = parse_ok("generalize:grid=250,shape=hex,month,k=5");
  assert_int_equal(p.mode, PRIVACY_MODE_GENERALIZE);
  assert_true(p.grid_m == 250);
  assert_int_equal(p.shape, PRIVACY_SHAPE_HEX);
  assert_true(p.month);
  assert_int_equal(p.k, 5);

  p = parse_ok("aggregate:grid=500,k=5,by=tipo");
  assert_int_equal(p.mode, PRIVACY_MODE_AGGREGATE);
  assert_true(p.grid_m == 500);
  assert_int_equal(p.shape, PRIVACY_SHAPE_SQUARE);
  assert_int_equal(p.n_by, 1);
  assert_string_equal(p.by[0], "tipo");

  p = parse_ok("aggregate:layer=colonias,k=5");
  assert_string_equal(p.layer, "colonias");
  assert_true(p.grid_m == 0);

  p = parse_ok("aggregate:hex=1.5km,by=tipo+modalidad,by=sexo,date=fecha");
  assert_true(p.grid_m == 1500);
  assert_int_equal(p.shape, PRIVACY_SHAPE_HEX);
  assert_int_equal(p.k, PRIVACY_K_DEFAULT); /* aggregate without k */
  assert_int_equal(p.n_by, 3);
  assert_string_equal(p.by[2], "sexo");
  assert_string_equal(p.date_field, "fecha");

  p = parse_ok("  Generalizar : cuadricula = 300m , forma=hexagonal , mes=sí , k=7 ");
  assert_int_equal(p.mode, PRIVACY_MODE_GENERALIZE);
  assert_true(p.grid_m == 300);
  assert_int_equal(p.shape, PRIVACY_SHAPE_HEX);
  assert_true(p.month);
  assert_int_equal(p.k, 7);

  p = parse_ok("generalize:grid=250,month=no");
  assert_false(p.month);
  assert_int_equal(p.k, 0);

  p = parse_ok("none");
  assert_int_equal(p.mode, PRIVACY_MODE_NONE);
  p = parse_ok("NONE:");
  assert_int_equal(p.mode, PRIVACY_MODE_NONE);
}

/* Each bad spec and a piece its message must contain: the quoted part, then the reason. */
static void errors_name_the_bad_part(void **state) {
  static const char *const CASES[][3] = {
      {"", "vacía", NULL},
      {"   ", "vacía", NULL},
      {"hide:grid=250", "en \"hide\"", "modo desconocido"},
      {"generalize", "en \"generalize\"", "faltan los parámetros"},
      {"generalize:", "en \"generalize\"", "faltan los parámetros"},
      {"generalize:grid=abc", "en \"grid=abc\"", "50 m a 100 km"},
      {"generalize:grid=10", "en \"grid=10\"", "50 m a 100 km"},
      {"generalize:grid=200km", "en \"grid=200km\"", "50 m a 100 km"},
      {"generalize:grid=250ft", "en \"grid=250ft\"", "longitud"},
      {"generalize:grid=250,shap=hex", "en \"shap=hex\"", "desconocido"},
      {"generalize:grid=250,k=1", "en \"k=1\"", "2 a 1000"},
      {"generalize:grid=250,k=5x", "en \"k=5x\"", "entero"},
      {"generalize:grid=250,k=-5", "en \"k=-5\"", "entero"},
      {"generalize:grid=250,,k=5", "vacío", NULL},
      {"generalize:grid=250,", "vacío", NULL},
      {"generalize:grid=250,grid=300", "en \"grid=300\"", "más de una vez"},
      {"generalize:grid=250,hex=300", "en \"hex=300\"", "más de una vez"},
      {"generalize:grid=250,k=5,k=6", "en \"k=6\"", "más de una vez"},
      {"generalize:k=5", "necesita grid", NULL},
      {"generalize:grid=250,by=tipo", "no admite by", NULL},
      {"generalize:grid=250,month=tal vez", "en \"month=tal vez\"", "month=yes"},
      {"generalize:hex=250,shape=square", "en \"shape=square\"", "contradice"},
      {"generalize:grid=250,shape=round", "en \"shape=round\"", "square o hex"},
      {"generalize:grid=", "en \"grid=\"", "falta el valor"},
      {"aggregate:grid=500,layer=colonias", "no ambas", NULL},
      {"aggregate:k=5", "necesita grid=N, hex=N o layer=CAPA", NULL},
      {"aggregate:grid=500,month", "no admite month", NULL},
      {"aggregate:layer=Colonias!", "en \"layer=Colonias!\"", "identificador"},
      {"aggregate:layer=colonias,shape=hex", "shape solo", NULL},
      {"aggregate:grid=500,by=", "en \"by=\"", "falta el valor"},
      {"aggregate:grid=500,by=a+b+c+d+e", "en \"by=a+b+c+d+e\"", "a lo más 4"},
      {"aggregate:grid=500,by=tipo++x", "en \"by=tipo++x\"", "nombres de campo"},
      {"aggregate:grid=500,date=", "en \"date=\"", "falta el valor"},
      /* names the catalog's JSON cannot hold, or that a spec would not write back */
      {"aggregate:grid=500,by=tipo\xff", "nombres de campo", NULL},
      {"aggregate:grid=500,by=a+b\t,k=5", "nombres de campo", NULL},
      {"aggregate:grid=500,date=fe\x01cha", "date necesita", NULL},
      {"none:grid=250", "en \"grid=250\"", "none no admite"},
  };
  for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
    privacy_policy p;
    err e = {0};
    err_code rc = privacy_policy_parse(CASES[i][0], &p, &e);
    if (rc != ERR_INVALID) fail_msg("\"%s\" should fail, got %d", CASES[i][0], rc);
    for (int k = 1; k < 3; k++)
      if (CASES[i][k] && !strstr(e.msg, CASES[i][k]))
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", CASES[i][0], e.msg, CASES[i][k]);
  }
  /* the whole spec is quoted too, so the publisher sees which flag it was */
  err e = {0};
  privacy_policy p;
  privacy_policy_parse("generalize:grid=abc", &p, &e);
  assert_non_null(strstr(e.msg, "privacidad \"generalize:grid=abc\""));
  assert_int_equal(privacy_policy_parse(NULL, &p, &e), ERR_INVALID);
}

static const char *const VALID[] = {
    "none",
    "generalize:grid=250",
    "generalize:grid=250,shape=hex,month,k=5",
    "generalize:hex=1.5km,k=1000",
    "aggregate:grid=500,k=5,by=tipo",
    "aggregate:grid=500,shape=hex,k=10,by=tipo+modalidad,date=fecha",
    "aggregate:layer=colonias,k=5",
    "aggregate:layer=colonias,by=tipo,date=fecha",
};

static void canonical_spec_round_trips(void **state) {
  for (size_t i = 0; i < sizeof VALID / sizeof *VALID; i++) {
    privacy_policy a = parse_ok(VALID[i]);
    buf b;
    buf_init(&b, 0);
    privacy_policy_spec(&a, &b);
    privacy_policy c = parse_ok(buf_cstr(&b));
    assert_same(&a, &c);
    buf_free(&b);
  }
  privacy_policy p = parse_ok("aggregate:hex=0.5km,by=tipo");
  buf b;
  buf_init(&b, 0);
  privacy_policy_spec(&p, &b);
  assert_string_equal(buf_cstr(&b), "aggregate:grid=500,shape=hex,k=5,by=tipo");
  /* a length that %.15g would round is written with the digits that read back */
  p = parse_ok("generalize:grid=1.544444444444444444km");
  buf_reset(&b);
  privacy_policy_spec(&p, &b);
  privacy_policy c = parse_ok(buf_cstr(&b));
  assert_true(c.grid_m == p.grid_m);
  buf_free(&b);
}

static void json_round_trips(void **state) {
  for (size_t i = 0; i < sizeof VALID / sizeof *VALID; i++) {
    privacy_policy a = parse_ok(VALID[i]);
    err e = {0};
    assert_int_equal(privacy_policy_drop_field(&a, "nombre", &e), ERR_OK);
    assert_int_equal(privacy_policy_drop_field(&a, "teléfono \"móvil\"", &e), ERR_OK);
    assert_int_equal(privacy_policy_keep_field(&a, "obs", "valores con forma de CURP en 3 de 200 registros", &e), ERR_OK);
    buf b;
    buf_init(&b, 0);
    privacy_policy_to_json(&a, &b);
    json_t *doc = json_loads(buf_cstr(&b), 0, NULL);
    if (!json_is_object(doc)) fail_msg("not JSON: %s", buf_cstr(&b));
    assert_non_null(json_string_value(json_object_get(doc, "description")));
    assert_non_null(json_string_value(json_object_get(doc, "description_en")));
    if (a.k) assert_int_equal(json_integer_value(json_object_get(doc, "min_count")), a.k);
    json_decref(doc);
    privacy_policy c;
    if (privacy_policy_from_json(buf_cstr(&b), &c, &e) != ERR_OK) fail_msg("%s: %s", buf_cstr(&b), e.msg);
    assert_same(&a, &c);
    buf_free(&b);
  }
}

static void json_edge_cases(void **state) {
  privacy_policy p;
  err e = {0};
  assert_int_equal(privacy_policy_from_json("{}", &p, &e), ERR_OK);
  assert_int_equal(p.mode, PRIVACY_MODE_NONE);
  assert_int_equal(privacy_policy_from_json("", &p, &e), ERR_OK);
  assert_int_equal(privacy_policy_from_json(NULL, &p, &e), ERR_OK);
  /* mode none without decisions is the catalog's "no policy" */
  privacy_policy none;
  privacy_policy_init(&none);
  buf b;
  buf_init(&b, 0);
  privacy_policy_to_json(&none, &b);
  assert_string_equal(buf_cstr(&b), "{}");
  buf_free(&b);
  /* unknown keys are ignored; descriptions are not read back */
  assert_int_equal(privacy_policy_from_json("{\"mode\":\"generalize\",\"grid_m\":250,\"future\":1,"
                                            "\"description\":\"x\"}", &p, &e), ERR_OK);
  assert_true(p.grid_m == 250);
  static const char *const BAD[][2] = {
      {"[]", "objeto"},
      {"{nope", "objeto"},
      {"{\"mode\":\"hide\"}", "\"mode\""},
      {"{\"mode\":7}", "\"mode\""},
      {"{\"min_count\":5}", "\"mode\""}, /* a threshold without a mode is not silently dropped */
      {"{\"mode\":\"generalize\"}", "cuadrícula"},
      {"{\"mode\":\"generalize\",\"grid_m\":\"250\"}", "\"grid_m\""},
      {"{\"mode\":\"generalize\",\"grid_m\":250,\"shape\":\"round\"}", "\"shape\""},
      {"{\"mode\":\"generalize\",\"grid_m\":250,\"k\":1}", "2 a 1000"},
      {"{\"mode\":\"generalize\",\"grid_m\":250,\"month\":\"yes\"}", "\"month\""},
      {"{\"mode\":\"aggregate\",\"grid_m\":250,\"k\":5,\"by\":\"tipo\"}", "\"by\""},
      {"{\"mode\":\"aggregate\",\"grid_m\":250,\"k\":5,\"layer\":\"colonias\"}", "no ambas"},
      {"{\"mode\":\"none\",\"kept_fields\":[\"x\"]}", "\"kept_fields\""},
  };
  for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
    err_code rc = privacy_policy_from_json(BAD[i][0], &p, &e);
    if (rc != ERR_INVALID) fail_msg("%s should fail", BAD[i][0]);
    if (!strstr(e.msg, BAD[i][1])) fail_msg("%s: \"%s\" lacks \"%s\"", BAD[i][0], e.msg, BAD[i][1]);
  }
}

static void describe_is(const char *spec, privacy_lang lang, const char *want) {
  privacy_policy p = parse_ok(spec);
  buf b;
  buf_init(&b, 0);
  privacy_policy_describe(&p, lang, &b);
  if (strcmp(buf_cstr(&b), want) != 0) fail_msg("%s:\n got  %s\n want %s", spec, buf_cstr(&b), want);
  buf_free(&b);
}

static void plain_spanish_descriptions(void **state) {
  describe_is("generalize:grid=250,k=5", PRIVACY_LANG_ES,
              "Ubicaciones aproximadas a una cuadrícula de 250 m; se omiten celdas con menos de 5 casos.");
  describe_is("generalize:hex=1.5km,month", PRIVACY_LANG_ES,
              "Ubicaciones aproximadas a una cuadrícula hexagonal de 1,5 km; fechas reducidas al mes.");
  describe_is("generalize:grid=1000", PRIVACY_LANG_ES,
              "Ubicaciones aproximadas a una cuadrícula de 1 km.");
  describe_is("aggregate:grid=500,k=5,by=tipo,date=fecha", PRIVACY_LANG_ES,
              "Solo se publican conteos por celda de una cuadrícula de 500 m, por tipo y por mes; "
              "se omiten las cifras de menos de 5 casos.");
  describe_is("aggregate:layer=colonias,k=10", PRIVACY_LANG_ES,
              "Solo se publican conteos por polígono de la capa «colonias»; se omiten las cifras de "
              "menos de 10 casos.");
  describe_is("aggregate:grid=500,by=tipo+modalidad+sexo", PRIVACY_LANG_ES,
              "Solo se publican conteos por celda de una cuadrícula de 500 m, por tipo, modalidad y "
              "sexo; se omiten las cifras de menos de 5 casos.");
  describe_is("aggregate:grid=500,date=fecha", PRIVACY_LANG_ES,
              "Solo se publican conteos por celda de una cuadrícula de 500 m, por mes; se omiten las "
              "cifras de menos de 5 casos.");
  describe_is("none", PRIVACY_LANG_ES, "");
}

static void english_descriptions(void **state) {
  describe_is("generalize:hex=1.5km,month,k=5", PRIVACY_LANG_EN,
              "Locations approximated to a 1.5 km hexagonal grid; dates truncated to the month; "
              "cells with fewer than 5 cases are omitted.");
  describe_is("aggregate:grid=500,k=5,by=tipo,date=fecha", PRIVACY_LANG_EN,
              "Only counts are published, per cell of a 500 m grid, by tipo and by month; figures "
              "below 5 cases are omitted.");
}

static void field_decisions(void **state) {
  privacy_policy p;
  privacy_policy_init(&p);
  err e = {0};
  assert_int_equal(privacy_policy_drop_field(&p, "nombre", &e), ERR_OK);
  assert_int_equal(privacy_policy_drop_field(&p, "telefono", &e), ERR_OK);
  assert_int_equal(privacy_policy_drop_field(&p, "telefono", &e), ERR_OK); /* not twice */
  assert_int_equal(p.n_dropped, 2);
  assert_int_equal(privacy_policy_keep_field(&p, "obs", NULL, &e), ERR_OK);
  assert_true(privacy_policy_is_dropped(&p, "nombre"));
  assert_false(privacy_policy_is_dropped(&p, "obs"));
  assert_true(privacy_policy_is_kept(&p, "obs"));
  assert_true(privacy_policy_exact_locations(&p));
  buf b;
  buf_init(&b, 0);
  privacy_policy_describe(&p, PRIVACY_LANG_ES, &b);
  assert_string_equal(buf_cstr(&b),
                      "No se publican los campos nombre y telefono, con datos personales. Se publica "
                      "por decisión expresa el campo obs, que podría contener datos personales.");
  buf_reset(&b);
  privacy_policy_describe(&p, PRIVACY_LANG_EN, &b);
  assert_string_equal(buf_cstr(&b),
                      "The fields nombre and telefono, holding personal data, are not published. The "
                      "field obs, which may hold personal data, is published on purpose.");
  buf_free(&b);
  char longname[100];
  memset(longname, 'x', sizeof longname - 1);
  longname[99] = '\0';
  assert_int_equal(privacy_policy_drop_field(&p, longname, &e), ERR_INVALID);
  assert_int_equal(privacy_policy_drop_field(&p, "", &e), ERR_INVALID);
  for (int i = 0; i < PRIVACY_MAX_FIELDS + 5; i++) {
    char name[16];
    snprintf(name, sizeof name, "f%d", i);
    err_code rc = privacy_policy_keep_field(&p, name, "r", &e);
    assert_int_equal(rc, i < PRIVACY_MAX_FIELDS - 1 ? ERR_OK : ERR_LIMIT);
  }
  privacy_policy g = parse_ok("generalize:grid=250");
  assert_false(privacy_policy_exact_locations(&g));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(parses_the_examples),      cmocka_unit_test(errors_name_the_bad_part),
      cmocka_unit_test(canonical_spec_round_trips), cmocka_unit_test(json_round_trips),
      cmocka_unit_test(json_edge_cases),          cmocka_unit_test(plain_spanish_descriptions),
      cmocka_unit_test(english_descriptions),     cmocka_unit_test(field_decisions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
