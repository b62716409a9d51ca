/* policy_text.c — what a policy does, in one or two plain sentences for citizens (Spanish) and for
 * everyone else (English). Shown in the catalog, the collection metadata, TileJSON and the map
 * pages, so it avoids jargon: "cuadrícula", "casos", never "k-anonimato". */
#include <stdio.h>
#include <string.h>

#include "privacy/policy.h"

/* "250 m", "1 km", "1,5 km" (Spanish) / "1.5 km" (English). */
static void put_length(buf *out, double m, privacy_lang lang) {
  if (m < 1000) {
    buf_printf(out, "%.0f m", m);
    return;
  }
  char num[32];
  snprintf(num, sizeof num, "%.2f", m / 1000.0);
  size_t n = strlen(num);
  while (n && num[n - 1] == '0') num[--n] = '\0';
  if (n && num[n - 1] == '.') num[--n] = '\0';
  char *dot = strchr(num, '.');
  if (dot && lang == PRIVACY_LANG_ES) *dot = ',';
  buf_printf(out, "%s km", num);
}

/* "a", "a y b", "a, b y c" (and "and" in English). */
static void put_list(buf *out, const char *const *items, size_t n, privacy_lang lang) {
  for (size_t i = 0; i < n; i++) {
    if (i && i + 1 == n) buf_puts(out, lang == PRIVACY_LANG_ES ? " y " : " and ");
    else if (i) buf_puts(out, ", ");
    buf_puts(out, items[i]);
  }
}

static void put_grid(buf *out, const privacy_policy *p, privacy_lang lang) {
  bool hex = p->shape == PRIVACY_SHAPE_HEX;
  if (lang == PRIVACY_LANG_ES) {
    buf_puts(out, hex ? "una cuadrícula hexagonal de " : "una cuadrícula de ");
    put_length(out, p->grid_m, lang);
  } else {
    buf_puts(out, "a ");
    put_length(out, p->grid_m, lang);
    buf_puts(out, hex ? " hexagonal grid" : " grid");
  }
}

static void describe_generalize(const privacy_policy *p, privacy_lang lang, buf *out) {
  bool es = lang == PRIVACY_LANG_ES;
  buf_puts(out, es ? "Ubicaciones aproximadas a " : "Locations approximated to ");
  put_grid(out, p, lang);
  if (p->month) buf_puts(out, es ? "; fechas reducidas al mes" : "; dates truncated to the month");
  if (p->k)
    buf_printf(out, es ? "; se omiten celdas con menos de %lld casos"
                       : "; cells with fewer than %lld cases are omitted",
               (long long)p->k);
  buf_putc(out, '.');
}

static void describe_aggregate(const privacy_policy *p, privacy_lang lang, buf *out) {
  bool es = lang == PRIVACY_LANG_ES;
  buf_puts(out, es ? "Solo se publican conteos" : "Only counts are published");
  if (p->layer[0]) {
    buf_printf(out, es ? " por polígono de la capa «%s»" : ", per polygon of the layer \u201c%s\u201d",
               p->layer);
  } else {
    buf_puts(out, es ? " por celda de " : ", per cell of ");
    put_grid(out, p, lang);
  }
  if (p->n_by) {
    const char *names[PRIVACY_MAX_BY];
    for (size_t i = 0; i < p->n_by; i++) names[i] = p->by[i];
    buf_puts(out, es ? ", por " : ", by ");
    put_list(out, names, p->n_by, lang);
  }
  if (p->date_field[0])
    buf_puts(out, p->n_by ? (es ? " y por mes" : " and by month") : (es ? ", por mes" : ", by month"));
  buf_printf(out, es ? "; se omiten las cifras de menos de %lld casos."
                     : "; figures below %lld cases are omitted.",
             (long long)p->k);
}

/* Mode none chosen on purpose for a layer that looks sensitive. */
static void describe_exact(const privacy_policy *p, privacy_lang lang, buf *out) {
  bool es = lang == PRIVACY_LANG_ES;
  buf_puts(out, es ? "Ubicaciones exactas, por decisión expresa de quien publica"
                   : "Exact locations, published on purpose by the publisher");
  if (p->exact_reason[0])
    buf_printf(out, es ? " (la capa parece registrar incidentes contra personas: %s)"
                       : " (the layer looks like incidents against people: %s)",
               p->exact_reason);
  buf_putc(out, '.');
}

/* generalize: identifiers not published, times of day in bands. */
static void describe_linkage(const privacy_policy *p, privacy_lang lang, buf *out) {
  bool es = lang == PRIVACY_LANG_ES;
  const char *names[4];
  if (p->n_ids_dropped) {
    for (size_t i = 0; i < p->n_ids_dropped; i++) names[i] = p->ids_dropped[i];
    buf_puts(out, es ? " No se publica el identificador del origen (" : " The source's identifier (");
    put_list(out, names, p->n_ids_dropped, lang);
    buf_puts(out, es ? "): cada registro lleva un número propio." : ") is not published: each record has its own number.");
  }
  if (p->n_banded) {
    for (size_t i = 0; i < p->n_banded; i++) names[i] = p->banded[i];
    buf_puts(out, es ? " Horas reducidas a franjas de 6 horas (" : " Times of day reduced to 6-hour bands (");
    put_list(out, names, p->n_banded, lang);
    buf_puts(out, ").");
  }
}

static void describe_fields(const privacy_policy *p, privacy_lang lang, buf *out) {
  bool es = lang == PRIVACY_LANG_ES;
  const char *names[PRIVACY_MAX_FIELDS];
  if (p->n_dropped) {
    for (size_t i = 0; i < p->n_dropped; i++) names[i] = p->dropped[i];
    if (es) buf_puts(out, p->n_dropped == 1 ? " No se publica el campo " : " No se publican los campos ");
    else buf_puts(out, p->n_dropped == 1 ? " The field " : " The fields ");
    put_list(out, names, p->n_dropped, lang);
    buf_puts(out, es ? ", con datos personales." : (p->n_dropped == 1 ? ", holding personal data, is not published."
                                                                      : ", holding personal data, are not published."));
  }
  if (p->n_kept) {
    for (size_t i = 0; i < p->n_kept; i++) names[i] = p->kept[i].name;
    if (es)
      buf_puts(out, p->n_kept == 1 ? " Se publica por decisión expresa el campo "
                                   : " Se publican por decisión expresa los campos ");
    else buf_puts(out, p->n_kept == 1 ? " The field " : " The fields ");
    put_list(out, names, p->n_kept, lang);
    buf_puts(out, es ? ", que podría contener datos personales."
                     : (p->n_kept == 1 ? ", which may hold personal data, is published on purpose."
                                       : ", which may hold personal data, are published on purpose."));
  }
}

void privacy_policy_describe(const privacy_policy *p, privacy_lang lang, buf *out) {
  size_t start = out->len;
  switch (p->mode) {
    case PRIVACY_MODE_GENERALIZE: describe_generalize(p, lang, out); break;
    case PRIVACY_MODE_AGGREGATE: describe_aggregate(p, lang, out); break;
    default:
      if (p->exact_decided) describe_exact(p, lang, out);
      break; /* otherwise nothing done to the geometry: nothing to say about it */
  }
  size_t before = out->len;
  describe_linkage(p, lang, out);
  describe_fields(p, lang, out);
  /* mode none: the field sentences stand alone, without their leading space */
  if (p->mode == PRIVACY_MODE_NONE && before == start && out->len > before && !out->failed) {
    memmove(out->data + before, out->data + before + 1, out->len - before - 1);
    out->len--;
  }
}
