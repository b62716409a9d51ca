/* detect.c — which fields look personal: the rules on field names, the pass over sample values,
 * and the message the importer prints. The value patterns are in detect_values.c, the person-name
 * heuristic in detect_person.c.
 *
 * Field names are folded (case, accents), split at every separator and at camelCase, and a word
 * written together with its neighbour ("telcontacto", "nombrevictima", "numext") is split when
 * both halves are words the rules know. Rules match whole words, never substrings: "edad" must
 * not fire on "propiedad", nor "tel" on "hotel". */
#include <stdlib.h>
#include <string.h>

#include "privacy/detect.h"
#include "privacy/privacy_int.h"

enum { NAME_MAX_LEN = 256, MAX_TOKENS = 16 };

/* Words that, next to "nombre", say the name is a person's. */
static const char *const ROLE_WORDS[] = {
    "victima", "victimas", "completo", "completa", "denunciante", "denunciado", "ofendido",
    "ofendida", "agraviado", "agraviada", "imputado", "imputada", "detenido", "detenida",
    "probable", "responsable", "propietario", "propietaria", "titular", "contacto", "conductor",
    "solicitante", "quejoso", "quejosa", "testigo", "paciente", "persona", "ciudadano",
    "ciudadana", "usuario", "usuaria", "reportante", "beneficiario", "beneficiaria", "alumno",
    "alumna", "empleado", "empleada", "trabajador", "representante", "tutor", "padre", "madre",
    "infractor", "occiso", "lesionado", "fallecido", "desaparecido", "sospechoso", "agresor",
    "pila", "first", "full", "last", "given", NULL};
static const char *const NAME_WORDS[] = {"nombre", "nombres", "nom", "nomb", "name", "names",
                                         "firstname", "fullname", "givenname", NULL};
static const char *const PHONE_WORDS[] = {"tel", "tels", "telf", "telef", "telefono", "telefonos",
                                          "cel", "celular", "celulares", "movil", "whatsapp", "whats",
                                          "phone", "telephone", "mobile", "fax", NULL};
static const char *const EMAIL_WORDS[] = {"email", "emails", "correo", "correos", "mail", "mails",
                                          "correoelectronico", NULL};
static const char *const NUMBER_WORDS[] = {"num", "numero", "no", "n", "nro", "number", NULL};
static const char *const SIDE_WORDS[] = {"ext", "exterior", "int", "interior", NULL};
static const char *const SURNAME_WORDS[] = {"paterno", "materno", "apaterno", "amaterno",
                                            "surname", "surnames", "lastname", NULL};
static const char *const BIRTH_WORDS[] = {"nacimiento", "fnac", "fechanac", "birth", "birthdate",
                                          "dob", NULL};
/* Halves a glued word may split into (besides the words above). */
static const char *const GLUE_WORDS[] = {"fecha", "fec", "f", "nac", "clave", "cve", "ap", "e",
                                         "curp", "rfc", "ine", "elector", "apellido", "placa",
                                         "domicilio", "direccion", "calle", "edad", NULL};

static bool known_word(const char *t) {
  const char *const *lists[] = {ROLE_WORDS,   NAME_WORDS,  PHONE_WORDS,   EMAIL_WORDS, NUMBER_WORDS,
                                SIDE_WORDS,   SURNAME_WORDS, BIRTH_WORDS, GLUE_WORDS};
  for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
    if (privacy_word_in(t, lists[i])) return true;
  return false;
}

/* Splits glued words in place ("telcontacto" → "tel" "contacto"): out gets the words, some of
 * them in split_store. Returns the new count (at most MAX_TOKENS). */
static size_t unglue(char **tok, size_t n, char *split_store, size_t store_len, char **out) {
  size_t m = 0, used = 0;
  for (size_t i = 0; i < n && m < MAX_TOKENS; i++) {
    size_t len = strlen(tok[i]);
    bool done = false;
    for (size_t cut = 1; !known_word(tok[i]) && cut < len && !done; cut++) {
      if (used + len + 2 > store_len || m + 2 > MAX_TOKENS) break;
      char *a = split_store + used, *b = a + cut + 1;
      memcpy(a, tok[i], cut);
      a[cut] = '\0';
      memcpy(b, tok[i] + cut, len - cut + 1);
      if (known_word(a) && known_word(b)) {
        out[m++] = a;
        out[m++] = b;
        used += len + 2;
        done = true;
      }
    }
    if (!done) out[m++] = tok[i];
  }
  return m;
}

static bool has(char **t, size_t n, const char *const *list) {
  for (size_t i = 0; i < n; i++)
    if (privacy_word_in(t[i], list)) return true;
  return false;
}

static bool has_prefixed(char **t, size_t n, const char *prefix) {
  const char *const list[] = {prefix, NULL};
  for (size_t i = 0; i < n; i++)
    if (privacy_word_prefixed(t[i], list)) return true;
  return false;
}

/* Word a directly followed by a word of list b. */
static bool pair(char **t, size_t n, const char *const *a, const char *const *b) {
  for (size_t i = 0; i + 1 < n; i++)
    if (privacy_word_in(t[i], a) && privacy_word_in(t[i + 1], b)) return true;
  return false;
}

static const char *name_rule(char **t, size_t n, bool exact_location) {
  static const char *const CURP[] = {"curp", NULL}, *const RFC[] = {"rfc", NULL};
  static const char *const INE[] = {"ine", "ife", "elector", NULL};
  static const char *const E[] = {"e", NULL}, *const MAIL[] = {"mail", NULL};
  static const char *const DOMICILIO[] = {"domicilio", "domicilios", NULL};
  static const char *const DIRECCION[] = {"direccion", "direcciones", "address", NULL};
  static const char *const CALLE[] = {"calle", "calles", "street", NULL};
  static const char *const PLACAS[] = {"placa", "placas", "matricula", "matriculas", "plate",
                                       "plates", NULL};
  static const char *const FECHA[] = {"fecha", "fec", "f", NULL}, *const NAC[] = {"nac", NULL};
  static const char *const NOMBRE[] = {"nombre", "nom", "nomb", "name", NULL};
  static const char *const S[] = {"s", NULL}, *const PLURAL[] = {"nombres", "names", NULL};
  static const char *const EDAD[] = {"edad", "edades", "age", NULL};
  if (has_prefixed(t, n, "curp") || has(t, n, CURP)) return "CURP";
  if (has(t, n, RFC)) return "RFC";
  if (has(t, n, INE)) return "INE / clave de elector";
  if (has(t, n, EMAIL_WORDS) || pair(t, n, E, MAIL)) return "correo electrónico";
  if (has(t, n, PHONE_WORDS) || has_prefixed(t, n, "telefon")) return "teléfono";
  if (has(t, n, DOMICILIO) || has_prefixed(t, n, "domicili")) return "domicilio";
  if (has(t, n, DIRECCION)) return "dirección";
  if (has(t, n, CALLE)) return "calle";
  if (pair(t, n, NUMBER_WORDS, SIDE_WORDS)) return "número exterior o interior";
  if (has(t, n, PLACAS)) return "placas";
  if (has_prefixed(t, n, "apellid") || has(t, n, SURNAME_WORDS)) return "apellido";
  if (has(t, n, BIRTH_WORDS) || pair(t, n, FECHA, NAC) || pair(t, n, FECHA, BIRTH_WORDS))
    return "fecha de nacimiento";
  if (has(t, n, PLURAL) || (has(t, n, NAME_WORDS) && has(t, n, ROLE_WORDS)) || pair(t, n, NOMBRE, S) ||
      has(t, n, (const char *const[]){"firstname", "fullname", "givenname", NULL}))
    return "nombre de persona";
  if (exact_location && has(t, n, EDAD)) return "edad, con ubicación exacta";
  return NULL;
}

const char *privacy_detect_field_name(const char *name, bool exact_location) {
  if (!name) return NULL;
  char f[NAME_MAX_LEN], store[NAME_MAX_LEN * 2 + 1], split[NAME_MAX_LEN * 3];
  char *tok[MAX_TOKENS], *words[MAX_TOKENS];
  privacy_fold(name, PRIVACY_FOLD_SPLIT_CAMEL, f, sizeof f);
  size_t n = privacy_tokens(f, store, sizeof store, tok, MAX_TOKENS);
  n = unglue(tok, n, split, sizeof split, words);
  return name_rule(words, n, exact_location);
}

/* ---- values ------------------------------------------------------------------------------ */

/* Empty, or a placeholder that says nothing about anybody: not counted as a sampled value. */
static bool placeholder(const char *v) {
  static const char *const EMPTY[] = {"", "na", "n/a", "nd", "n/d", "n.d.", "s/d", "sd", "-", "--",
                                      "0", "x", "null", "none", "sin dato", "sin datos",
                                      "desconocido", "desconocida", "se desconoce", "anonimo",
                                      "anonima", "no especificado", "no especificada",
                                      "no aplica", "no disponible", "ninguno", NULL};
  char f[64];
  while (*v == ' ' || *v == '\t') v++;
  if (strlen(v) >= sizeof f) return false;
  size_t n = privacy_fold(v, 0, f, sizeof f);
  while (n && (f[n - 1] == ' ' || f[n - 1] == '\t' || f[n - 1] == '\r')) f[--n] = '\0';
  return privacy_word_in(f, EMPTY);
}

static void scan_values(const privacy_field_sample *s, privacy_finding *f) {
  for (size_t i = 0; i < s->n_values; i++) {
    const char *v = s->values[i];
    if (!v || placeholder(v)) continue;
    f->n_values++;
    f->n_curp += privacy_text_has_curp(v);
    f->n_rfc += privacy_text_has_rfc(v);
    f->n_phone += privacy_text_has_phone(v);
    f->n_email += privacy_text_has_email(v);
    privacy_person p = privacy_text_person_name(v);
    f->n_person_full += p == PRIVACY_PERSON_FULL;
    f->n_person_short += p == PRIVACY_PERSON_SHORT;
  }
  if (f->n_curp) f->signals |= PRIVACY_SIGNAL_CURP;
  if (f->n_rfc) f->signals |= PRIVACY_SIGNAL_RFC;
  if (f->n_phone) f->signals |= PRIVACY_SIGNAL_PHONE;
  if (f->n_email) f->signals |= PRIVACY_SIGNAL_EMAIL;
  /* full names count 1, short ones 1/2; together at least half the values */
  if (f->n_person_full && 2 * f->n_person_full + f->n_person_short >= f->n_values)
    f->signals |= PRIVACY_SIGNAL_PERSON;
}

err_code privacy_detect_fields(const privacy_field_sample *fields, size_t n_fields,
                               const privacy_detect_options *opt, privacy_detection *out, err *e) {
  memset(out, 0, sizeof *out);
  if (!n_fields) return ERR_OK;
  privacy_finding *all = calloc(n_fields, sizeof *all);
  if (!all) return err_set(e, ERR_NOMEM, "sin memoria para revisar datos personales");
  bool exact = opt && opt->exact_location;
  size_t m = 0;
  for (size_t i = 0; i < n_fields; i++) {
    privacy_finding f = {.field_index = i, .field = fields[i].name};
    f.name_reason = privacy_detect_field_name(fields[i].name, exact);
    if (f.name_reason) f.signals |= PRIVACY_SIGNAL_NAME;
    scan_values(&fields[i], &f);
    if (f.signals) all[m++] = f;
  }
  if (!m) {
    free(all);
    return ERR_OK;
  }
  out->findings = all;
  out->n_findings = m;
  return ERR_OK;
}

void privacy_detection_free(privacy_detection *d) {
  if (!d) return;
  free(d->findings);
  d->findings = NULL;
  d->n_findings = 0;
}

const privacy_finding *privacy_detection_find(const privacy_detection *d, const char *field) {
  for (size_t i = 0; i < d->n_findings; i++)
    if (d->findings[i].field && strcmp(d->findings[i].field, field) == 0) return &d->findings[i];
  return NULL;
}

/* ---- the message ------------------------------------------------------------------------- */

void privacy_finding_reason(const privacy_finding *f, buf *out) {
  static const struct {
    unsigned signal;
    const char *what;
  } VALUES[] = {{PRIVACY_SIGNAL_CURP, "CURP"},
                {PRIVACY_SIGNAL_RFC, "RFC"},
                {PRIVACY_SIGNAL_PHONE, "teléfono"},
                {PRIVACY_SIGNAL_EMAIL, "correo electrónico"},
                {PRIVACY_SIGNAL_PERSON, "nombre de persona"}};
  const size_t counts[] = {f->n_curp, f->n_rfc, f->n_phone, f->n_email,
                           f->n_person_full + f->n_person_short};
  const char *sep = "";
  if (f->signals & PRIVACY_SIGNAL_NAME) {
    buf_printf(out, "nombre del campo: %s", f->name_reason);
    sep = "; ";
  }
  for (size_t i = 0; i < sizeof VALUES / sizeof *VALUES; i++) {
    if (!(f->signals & VALUES[i].signal)) continue;
    buf_printf(out, "%svalores con forma de %s en %zu de %zu registros", sep, VALUES[i].what,
               counts[i], f->n_values);
    sep = "; ";
  }
}

static bool skipped(const char *field, const char *const *skip, size_t n_skip) {
  for (size_t i = 0; i < n_skip; i++)
    if (skip[i] && field && strcmp(skip[i], field) == 0) return true;
  return false;
}

bool privacy_detection_message(const privacy_detection *d, const char *const *skip, size_t n_skip,
                               buf *out) {
  size_t shown = 0;
  for (size_t i = 0; i < d->n_findings; i++) {
    const privacy_finding *f = &d->findings[i];
    if (skipped(f->field, skip, n_skip)) continue;
    buf_puts(out, shown++ ? ", " : "el archivo parece contener datos personales: ");
    buf_printf(out, "%s (", f->field ? f->field : "?");
    privacy_finding_reason(f, out);
    buf_putc(out, ')');
  }
  if (shown)
    buf_puts(out, "; use --drop CAMPO para no publicarlo o --keep-field CAMPO para publicarlo "
                  "conscientemente");
  return shown > 0;
}
