/* detect_incident.c — does a layer look like incidents against people (crimes, violence,
 * victims)? Such a layer must not publish exact points until its publisher chooses a policy or
 * says --privacy none on purpose: a point is where somebody was hurt, often their home.
 *
 * The evidence, each folded (case, accents) and matched on whole words or phrases:
 *   - the layer's title, description and keywords;
 *   - a field's name ("delito", "victima", "crime");
 *   - a field's sampled values ("LESIONES POR ARMA DE FUEGO", "robo a transeúnte"), when at least
 *     1 in 100 of its non-empty values (and at least one) names an incident against a person.
 * A matched word is ours, never the source's text, so the reason can be shown and stored: it
 * quotes the word of the list, not the value that held it.
 * Limits: incidents against property alone (robo a negocio, de vehículo) do not count; a layer of
 * incidents described only by codes is not caught. */
#include <string.h>

#include "privacy/detect.h"
#include "privacy/privacy_int.h"

enum { TEXT_MAX = 4096, MAX_WORDS = 96, MAX_SHOWN = 3 };

/* One word, or a phrase of up to three words, folded. */
typedef struct incident_term {
  const char *w[3];
} incident_term;

static const incident_term TERMS[] = {
    {{"delito"}}, {{"delitos"}}, {{"delictivo"}}, {{"delictiva"}}, {{"delictivos"}},
    {{"delincuencia"}}, {{"crimen"}}, {{"crimenes"}}, {{"criminal"}}, {{"criminalidad"}},
    {{"victima"}}, {{"victimas"}}, {{"victimizacion"}}, {{"violencia"}}, {{"violento"}},
    {{"violenta"}}, {{"lesion"}}, {{"lesiones"}}, {{"lesionado"}}, {{"lesionada"}},
    {{"homicidio"}}, {{"homicidios"}}, {{"feminicidio"}}, {{"feminicidios"}}, {{"secuestro"}},
    {{"secuestros"}}, {{"abuso"}}, {{"abusos"}}, {{"violacion"}}, {{"violaciones"}},
    {{"acoso"}}, {{"hostigamiento"}}, {{"agresion"}}, {{"agresiones"}}, {{"asalto"}},
    {{"asaltos"}}, {{"extorsion"}}, {{"desaparicion"}}, {{"desaparecido"}}, {{"desaparecida"}},
    {{"trata", "de", "personas"}}, {{"narcomenudeo"}}, {{"occiso"}}, {{"denunciante"}},
    {{"ofendido"}}, {{"ofendida"}}, {{"agraviado"}}, {{"agraviada"}}, {{"imputado"}},
    {{"agresor"}}, {{"robo", "a", "persona"}}, {{"robo", "a", "personas"}},
    {{"robo", "a", "transeunte"}}, {{"robo", "a", "casa"}}, {{"robo", "a", "pasajero"}},
    {{"robo", "a", "cuentahabiente"}}, {{"robo", "a", "repartidor"}}, {{"crime"}},
    {{"crimes"}}, {{"victim"}}, {{"victims"}}, {{"assault"}}, {{"homicide"}}, {{"femicide"}},
    {{"kidnapping"}}, {{"rape"}}, {{"abuse"}}, {{"violence"}}, {{"robbery"}}};
static const size_t N_TERMS = sizeof TERMS / sizeof *TERMS;

/* The first term found in text (the index, or -1). */
static long find_term(const char *text) {
  char f[TEXT_MAX], store[TEXT_MAX * 2 + 1];
  char *tok[MAX_WORDS];
  privacy_fold(text, PRIVACY_FOLD_SPLIT_CAMEL, f, sizeof f);
  size_t n = privacy_tokens(f, store, sizeof store, tok, MAX_WORDS);
  for (size_t i = 0; i < n; i++)
    for (size_t t = 0; t < N_TERMS; t++) {
      size_t k = 0;
      while (k < 3 && TERMS[t].w[k] && i + k < n && strcmp(tok[i + k], TERMS[t].w[k]) == 0) k++;
      if (k == 3 || !TERMS[t].w[k]) return (long)t;
    }
  return -1;
}

static void put_term(buf *out, long t) {
  buf_puts(out, "«");
  for (int k = 0; k < 3 && TERMS[t].w[k]; k++) buf_printf(out, "%s%s", k ? " " : "", TERMS[t].w[k]);
  buf_puts(out, "»");
}

static void sep(buf *out, size_t *n) { buf_puts(out, (*n)++ ? "; " : ""); }

/* A field's values: the terms they name (up to MAX_SHOWN, distinct), and how many values. */
static bool scan_field(const privacy_field_sample *s, buf *out, size_t *n_reasons) {
  long shown[MAX_SHOWN];
  size_t n_shown = 0, hits = 0, filled = 0;
  for (size_t i = 0; i < s->n_values; i++) {
    if (!s->values[i] || !*s->values[i]) continue;
    filled++;
    long t = find_term(s->values[i]);
    if (t < 0) continue;
    hits++;
    bool seen = false;
    for (size_t k = 0; k < n_shown; k++) seen |= shown[k] == t;
    if (!seen && n_shown < MAX_SHOWN) shown[n_shown++] = t;
  }
  if (!hits || hits * 100 < filled) return false;
  sep(out, n_reasons);
  buf_printf(out, "valores del campo %s como ", s->name ? s->name : "?");
  for (size_t k = 0; k < n_shown; k++) {
    if (k) buf_puts(out, k + 1 == n_shown ? " y " : ", ");
    put_term(out, shown[k]);
  }
  buf_printf(out, " en %zu de %zu registros", hits, filled);
  return true;
}

bool privacy_detect_incidents(const privacy_incident_input *in, buf *out) {
  size_t n = 0;
  const char *const texts[] = {in->title, in->description, in->keywords};
  const char *const what[] = {"título", "descripción", "palabras clave"};
  for (size_t i = 0; i < 3; i++) {
    long t = texts[i] ? find_term(texts[i]) : -1;
    if (t < 0) continue;
    sep(out, &n);
    buf_printf(out, "%s: ", what[i]);
    put_term(out, t);
  }
  for (size_t i = 0; i < in->n_fields; i++) {
    long t = in->fields[i].name ? find_term(in->fields[i].name) : -1;
    if (t >= 0) {
      sep(out, &n);
      buf_printf(out, "campo %s: ", in->fields[i].name);
      put_term(out, t);
    }
    scan_field(&in->fields[i], out, &n);
  }
  return n > 0;
}
