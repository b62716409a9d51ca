/* The personal-data detector on realistic Spanish column names and values, with and without
 * accents, in upper and lower case, and on the traps that would make it cry wolf: place names
 * that hold given names and surnames, dates, coordinates, codes and ids. */
#include "check.h"
#include "privacy/detect.h"

static void personal_field_names(void **state) {
  static const char *const CASES[][2] = {
      {"telefono", "teléfono"},          {"Teléfono", "teléfono"},
      {"TELÉFONO", "teléfono"},          {"tel_contacto", "teléfono"},
      {"TelContacto", "teléfono"},       {"telcontacto", "teléfono"},
      {"Tel.", "teléfono"},              {"tel 2", "teléfono"},
      {"celular", "teléfono"},           {"num_celular", "teléfono"},
      {"WhatsApp", "teléfono"},          {"telefono_casa", "teléfono"},
      {"correo", "correo electrónico"},  {"Correo Electrónico", "correo electrónico"},
      {"CORREO_ELECTRONICO", "correo electrónico"}, {"email", "correo electrónico"},
      {"e_mail", "correo electrónico"},  {"E-mail", "correo electrónico"},
      {"eMail", "correo electrónico"},   {"curp", "CURP"},
      {"CURP_VICTIMA", "CURP"},          {"rfc", "RFC"},
      {"RFC_Empresa", "RFC"},            {"ine", "INE / clave de elector"},
      {"clave_elector", "INE / clave de elector"}, {"Clave de Elector", "INE / clave de elector"},
      {"cve_elector", "INE / clave de elector"},   {"folio_INE", "INE / clave de elector"},
      {"domicilio", "domicilio"},        {"DOMICILIO_PARTICULAR", "domicilio"},
      {"dirección", "dirección"},        {"Direccion", "dirección"},
      {"calle", "calle"},                {"Calle y número", "calle"},
      {"calle_hechos", "calle"},         {"num_ext", "número exterior o interior"},
      {"No. Ext.", "número exterior o interior"}, {"Nº exterior", "número exterior o interior"},
      {"numero_interior", "número exterior o interior"}, {"NumExt", "número exterior o interior"},
      {"placas", "placas"},              {"Placa", "placas"},
      {"matrícula", "placas"},           {"apellido", "apellido"},
      {"Apellido Paterno", "apellido"},  {"APELLIDO_MATERNO", "apellido"},
      {"apellidos", "apellido"},         {"ap_paterno", "apellido"},
      {"paterno", "apellido"},           {"nombre_victima", "nombre de persona"},
      {"NOMBRE_VICTIMA", "nombre de persona"}, {"NombreVictima", "nombre de persona"},
      {"nombre_completo", "nombre de persona"}, {"nombre_denunciante", "nombre de persona"},
      {"Nombre del propietario", "nombre de persona"}, {"NOMBRE(S)", "nombre de persona"},
      {"nombres", "nombre de persona"},  {"first_name", "nombre de persona"},
      {"nombrevictima", "nombre de persona"}, {"fecha_nacimiento", "fecha de nacimiento"},
      {"Fecha de Nacimiento", "fecha de nacimiento"}, {"FechaNacimiento", "fecha de nacimiento"},
      {"f_nac", "fecha de nacimiento"},
  };
  for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
    const char *got = privacy_detect_field_name(CASES[i][0], false);
    if (!got || strcmp(got, CASES[i][1]) != 0)
      fail_msg("\"%s\": got %s, want %s", CASES[i][0], got ? got : "(nothing)", CASES[i][1]);
  }
}

static void not_personal_field_names(void **state) {
  static const char *const NAMES[] = {
      /* the demo layers and the real fixtures (INEGI, León colonias, CDMX crime) */
      "nombre", "NOMBRE", "Nombre", "nom_col", "nom_loc", "nom_mun", "nombre_parque",
      "nombre_comun", "tipo", "fecha", "hora", "estado", "superficie_m2", "juegos_infantiles",
      "fecha_rehabilitacion", "clave", "poblacion", "perenne", "cvegeo", "cve_mun", "cve_agee",
      "cod_post", "otros_cp", "cuadrante", "crime", "date", "hour", "year", "month", "lat", "long",
      "latitud", "longitud", "altitud", "pob", "viv", "ambito", "MSAVI_mean", "gid", "id",
      /* and words that contain a personal word without being one */
      "seccion_electoral", "propiedad", "seguridad", "hotel", "celda", "telar", "notas",
      "observaciones", "descripcion", "categoria", "delito", "modalidad", "fecha_hechos",
      "alcaldia", "colonia", "municipio", "edad", "edades", "nombre_colonia", "responsable",
      "dependencia", "interior", "exterior", "numero", "num", "nacional",
  };
  for (size_t i = 0; i < sizeof NAMES / sizeof *NAMES; i++) {
    const char *got = privacy_detect_field_name(NAMES[i], false);
    if (got) fail_msg("\"%s\" is not personal by its name, got \"%s\"", NAMES[i], got);
  }
  /* age is personal only next to an exact location */
  assert_string_equal(privacy_detect_field_name("edad", true), "edad, con ubicación exacta");
  assert_string_equal(privacy_detect_field_name("EDAD_VICTIMA", true), "edad, con ubicación exacta");
  assert_null(privacy_detect_field_name("propiedad", true));
  assert_null(privacy_detect_field_name(NULL, true));
}

static void curp_values(void **state) {
  assert_true(privacy_text_has_curp("HEGM850101MGTRNR09"));
  assert_true(privacy_text_has_curp("hegm850101mgtrnr09"));
  assert_true(privacy_text_has_curp("Se identificó con CURP HEGM850101MGTRNR09, sin más datos"));
  assert_true(privacy_text_has_curp("GOPJ001231HDFNRNA3")); /* born in 2000: letter disambiguator */
  assert_true(privacy_text_has_curp("MUÑE900215HGTXXX05")); /* Ñ folds to N, still a letter */
  assert_false(privacy_text_has_curp("HEGM851301MGTRNR09")); /* month 13 */
  assert_false(privacy_text_has_curp("HEGM850101MZZRNR09")); /* no state ZZ */
  assert_false(privacy_text_has_curp("HEGM850101MGTRNR0"));  /* 17 characters */
  assert_false(privacy_text_has_curp("XHEGM850101MGTRNR09")); /* 19 */
  assert_false(privacy_text_has_curp("HEGM850101MGTANR09")); /* a vowel among the consonants */
  assert_false(privacy_text_has_curp("COL-011-001"));
  assert_false(privacy_text_has_curp(""));
  assert_false(privacy_text_has_curp(NULL));
}

static void rfc_values(void **state) {
  assert_true(privacy_text_has_rfc("HEGM850101AB1"));  /* persona física */
  assert_true(privacy_text_has_rfc("rfc: hegm850101ab1"));
  assert_true(privacy_text_has_rfc("ABC010203XY4"));   /* persona moral */
  assert_true(privacy_text_has_rfc("A&B010203XYA"));
  assert_false(privacy_text_has_rfc("HEGM850101"));    /* without homoclave: too many false hits */
  assert_false(privacy_text_has_rfc("HEGM851340AB1")); /* no such date */
  assert_false(privacy_text_has_rfc("1102000010451"));
  assert_false(privacy_text_has_rfc("ROBO A CASA HABITACION"));
  assert_false(privacy_text_has_rfc("HEGM850101MGTRNR09")); /* a CURP is not an RFC token */
}

static void phone_values(void **state) {
  static const char *const YES[] = {
      "477 123 4567", "(477) 123-4567", "477-123-45-67", "4771234567", "+52 477 123 4567",
      "+52 1 477 123 4567", "+524771234567", "55 1234 5678", "Tel. 477 123 4567",
      "llamar al 477 123 4567.", "52 477 123 4567", "cel:4771234567", "(477)1234567",
      "55 12 34 56 78",
  };
  static const char *const NO[] = {
      "2024-01-15 10:30", "2024-01-15", "21.1219719", "-101.6831997", "21.12197191",
      "1704067200", "0123456789", "110200001", "1470265.0", "COL-011-001", "12345678901",
      "477 123 456", "1,234,567,890", "ID 47712345678", "N-1.1.18", "10:07", "4771234567890",
      "folio 2024/4771234567", "1102000010451001",
  };
  for (size_t i = 0; i < sizeof YES / sizeof *YES; i++)
    if (!privacy_text_has_phone(YES[i])) fail_msg("\"%s\" is a phone number", YES[i]);
  for (size_t i = 0; i < sizeof NO / sizeof *NO; i++)
    if (privacy_text_has_phone(NO[i])) fail_msg("\"%s\" is not a phone number", NO[i]);
}

static void email_values(void **state) {
  assert_true(privacy_text_has_email("juan.perez@gmail.com"));
  assert_true(privacy_text_has_email("Correo: MARIA_LOPEZ@HOTMAIL.COM."));
  assert_true(privacy_text_has_email("a@b.mx"));
  assert_true(privacy_text_has_email("contacto: denuncia+leon@correo.leon.gob.mx, gracias"));
  assert_false(privacy_text_has_email("@usuario"));
  assert_false(privacy_text_has_email("juan@"));
  assert_false(privacy_text_has_email("x@y"));
  assert_false(privacy_text_has_email("correo@local"));
  assert_false(privacy_text_has_email("5 @ 10.50"));
  assert_false(privacy_text_has_email("a@b.c1"));
}

static void person_name_values(void **state) {
  static const char *const FULL[] = {
      "María Guadalupe Hernández López", "MARIA GUADALUPE HERNANDEZ LOPEZ",
      "maria guadalupe hernandez lopez", "José Luis Martínez", "Ma. Guadalupe Pérez García",
      "HERNANDEZ LOPEZ MARIA", "López Pérez, Juan", "Juan de la Cruz Ramírez",
      "Lic. Roberto Sánchez Ruiz", "Juan Tzompantzi López", "JOSÉ MUÑOZ GARCÍA",
      "Pérez-García Ana Sofía",
  };
  static const char *const SHORT[] = {"Benito Juárez", "Juan Pérez", "Emiliano Zapata"};
  static const char *const NOT[] = {
      "Parque Metropolitano de León", "Presa El Palote", "Valle de San Miguel II",
      "Área verde Praderas de San Pedro de los Hernández III", "Río de los Gómez",
      "Unidad San Felipe de Jesús", "Jardín Hacienda Las Joyas III", "León", "Guadalupe Victoria",
      "robo a casa habitación", "REFUGIO DE SAN JOSE", "Colonia Emiliano Zapata", "Bordo 7",
      "María 2", "Laguna de Ibarrilla", "Arroyo San Juan de Otates", "Villas de El Cortijo III",
      "Las Torres", "Juan Tzompantzi Xochipa", "Dirección General de Medio Ambiente",
      "Jesús María", "", "Juan",
  };
  for (size_t i = 0; i < sizeof FULL / sizeof *FULL; i++)
    if (privacy_text_person_name(FULL[i]) != PRIVACY_PERSON_FULL) fail_msg("\"%s\" is a full name", FULL[i]);
  for (size_t i = 0; i < sizeof SHORT / sizeof *SHORT; i++)
    if (privacy_text_person_name(SHORT[i]) != PRIVACY_PERSON_SHORT) fail_msg("\"%s\" is a short name", SHORT[i]);
  for (size_t i = 0; i < sizeof NOT / sizeof *NOT; i++)
    if (privacy_text_person_name(NOT[i]) != PRIVACY_PERSON_NO) fail_msg("\"%s\" is not a name", NOT[i]);
  assert_int_equal(privacy_text_person_name(NULL), PRIVACY_PERSON_NO);
}

/* ---- whole files --------------------------------------------------------------------------- */

#define N_ROWS 200

static const char *const VICTIMS[] = {
    "María Guadalupe Hernández López", "JOSE LUIS MARTINEZ GARCIA", "Ana Sofía Ramírez Torres",
    "Juan Pérez", "Rosa María Flores Gómez", "N/A", "Miguel Ángel Castro Ruiz",
    "Patricia Morales Vázquez", "desconocido", "Carlos Alberto Sánchez Ortiz",
};
static const char *const PLACES[] = {
    "Parque Metropolitano de León", "Presa El Palote", "Valle de San Miguel II",
    "Jardín Barrio de Arbide III", "Río de los Gómez", "Benito Juárez", "Emiliano Zapata",
    "Lomas de Azteca Norte", "Miguel Hidalgo y Costilla", "Arroyo Hondo",
};

static void a_file_with_victims(void **state) {
  const char *nombre[N_ROWS], *places[N_ROWS], *tel[N_ROWS], *obs[N_ROWS], *tipo[N_ROWS],
      *fecha[N_ROWS], *victima[N_ROWS];
  for (int i = 0; i < N_ROWS; i++) {
    nombre[i] = PLACES[i % 10];
    victima[i] = VICTIMS[i % 10];
    places[i] = PLACES[(i * 7) % 10];
    tel[i] = i % 2 ? "477 123 4567" : NULL;
    obs[i] = i == 5 || i == 50 || i == 150 ? "presentó CURP HEGM850101MGTRNR09" : "sin novedad";
    tipo[i] = i % 3 ? "robo a transeúnte" : "riña";
    fecha[i] = "2025-03-14";
  }
  const privacy_field_sample fields[] = {
      {"nombre", nombre, N_ROWS},   {"victima", victima, N_ROWS}, {"colonia", places, N_ROWS},
      {"Teléfono", tel, N_ROWS},    {"obs", obs, N_ROWS},         {"tipo", tipo, N_ROWS},
      {"fecha", fecha, N_ROWS},     {"EDAD", NULL, 0},
  };
  privacy_detection d;
  err e = {0};
  privacy_detect_options opt = {.exact_location = true};
  assert_int_equal(privacy_detect_fields(fields, 8, &opt, &d, &e), ERR_OK);
  assert_int_equal(d.n_findings, 4);
  assert_null(privacy_detection_find(&d, "nombre"));  /* places with a few heroes' names */
  assert_null(privacy_detection_find(&d, "colonia"));
  const privacy_finding *v = privacy_detection_find(&d, "victima");
  assert_non_null(v);
  assert_int_equal(v->signals, PRIVACY_SIGNAL_PERSON);
  assert_int_equal(v->n_values, 160); /* N/A and desconocido are not counted */
  const privacy_finding *t = privacy_detection_find(&d, "Teléfono");
  assert_int_equal(t->signals, PRIVACY_SIGNAL_NAME | PRIVACY_SIGNAL_PHONE);
  const privacy_finding *o = privacy_detection_find(&d, "obs");
  assert_int_equal(o->signals, PRIVACY_SIGNAL_CURP);
  assert_int_equal(o->n_curp, 3);
  assert_non_null(privacy_detection_find(&d, "EDAD"));

  buf b;
  buf_init(&b, 0);
  assert_true(privacy_detection_message(&d, NULL, 0, &b));
  assert_string_equal(buf_cstr(&b),
      "el archivo parece contener datos personales: "
      "victima (valores con forma de nombre de persona en 160 de 160 registros), "
      "Teléfono (nombre del campo: teléfono; valores con forma de teléfono en 100 de 100 registros), "
      "obs (valores con forma de CURP en 3 de 200 registros), "
      "EDAD (nombre del campo: edad, con ubicación exacta); "
      "use --drop CAMPO para no publicarlo o --keep-field CAMPO para publicarlo conscientemente");
  buf_reset(&b);
  const char *handled[] = {"victima", "Teléfono", "EDAD"};
  assert_true(privacy_detection_message(&d, handled, 3, &b));
  assert_non_null(strstr(buf_cstr(&b), "obs (valores con forma de CURP en 3 de 200 registros);"));
  buf_reset(&b);
  const char *all[] = {"victima", "Teléfono", "EDAD", "obs"};
  assert_false(privacy_detection_message(&d, all, 4, &b));
  assert_int_equal(b.len, 0);
  buf_free(&b);
  privacy_detection_free(&d);

  /* with a generalized location, age alone is no longer reported */
  opt.exact_location = false;
  assert_int_equal(privacy_detect_fields(fields, 8, &opt, &d, &e), ERR_OK);
  assert_null(privacy_detection_find(&d, "EDAD"));
  assert_int_equal(d.n_findings, 3);
  privacy_detection_free(&d);
}

/* A nombre column with people in upper case and without accents, as registers write them. */
static void nombre_of_people_in_upper_case(void **state) {
  static const char *const V[] = {"MARIA GUADALUPE HERNANDEZ LOPEZ", "JUAN CARLOS PEREZ RAMIREZ",
                                  "ROSA ELENA GARCIA", "LUIS ALBERTO TORRES MENDOZA",
                                  "ANA KAREN SOTO"};
  const privacy_field_sample f = {"NOMBRE", V, 5};
  privacy_detection d;
  assert_int_equal(privacy_detect_fields(&f, 1, NULL, &d, NULL), ERR_OK);
  assert_int_equal(d.n_findings, 1);
  assert_int_equal(d.findings[0].n_person_full, 5);
  privacy_detection_free(&d);
  assert_int_equal(privacy_detect_fields(NULL, 0, NULL, &d, NULL), ERR_OK);
  assert_int_equal(d.n_findings, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(personal_field_names), cmocka_unit_test(not_personal_field_names),
      cmocka_unit_test(curp_values),          cmocka_unit_test(rfc_values),
      cmocka_unit_test(phone_values),         cmocka_unit_test(email_values),
      cmocka_unit_test(person_name_values),   cmocka_unit_test(a_file_with_victims),
      cmocka_unit_test(nombre_of_people_in_upper_case),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
