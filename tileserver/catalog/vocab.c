/* vocab.c — a layer's frequency as an IRI of the EU Publications Office frequency vocabulary
 * (http://publications.europa.eu/resource/authority/frequency), which DCAT-AP requires for
 * dct:accrualPeriodicity. Catalogs write frequencies in English or Spanish, in any case and with
 * or without accents; an unknown one is left out of the catalogue rather than guessed. (Licences
 * are named by features_license_url, the one table the collection documents also use.) */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog_int.h"

#define EU_FREQ "http://publications.europa.eu/resource/authority/frequency/"

/* One character of s folded for comparison: ASCII letters lower-cased, digits kept, the accented
 * letters of Spanish to their base letter (UTF-8 C3 xx: á é í ó ú ü ñ and capitals), anything
 * else '\0'. Returns the bytes read. */
static size_t fold_char(const unsigned char *p, char *out) {
  static const char from[] = "\xa1\xa9\xad\xb3\xba\xbc\xb1\x81\x89\x8d\x93\x9a\x9c\x91";
  static const char to[] = "aeiouunaeiouun";
  const char *hit = p[0] == 0xC3 && p[1] ? strchr(from, p[1]) : NULL;
  if (hit) {
    *out = to[hit - from];
    return 2;
  }
  if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) *out = (char)*p;
  else if (*p >= 'A' && *p <= 'Z') *out = (char)(*p - 'A' + 'a');
  else *out = '\0';
  return 1;
}

/* Letters and digits of s, folded (fold_char), nothing else. */
static void freq_key(const char *s, char *out, size_t cap) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p && n + 1 < cap;) {
    char c;
    p += fold_char(p, &c);
    if (c) out[n++] = c;
  }
  out[n] = '\0';
}

const char *catalog_frequency_iri(const char *frequency) {
  static const struct {
    const char *key, *code;
  } F[] = {
      {"daily", "DAILY"},          {"diaria", "DAILY"},        {"diario", "DAILY"},
      {"weekly", "WEEKLY"},        {"semanal", "WEEKLY"},      {"biweekly", "BIWEEKLY"},
      {"quincenal", "BIWEEKLY"},   {"monthly", "MONTHLY"},     {"mensual", "MONTHLY"},
      {"bimonthly", "BIMONTHLY"},  {"bimestral", "BIMONTHLY"}, {"quarterly", "QUARTERLY"},
      {"trimestral", "QUARTERLY"}, {"semiannual", "ANNUAL_2"}, {"semestral", "ANNUAL_2"},
      {"yearly", "ANNUAL"},        {"annual", "ANNUAL"},       {"anual", "ANNUAL"},
      {"biennial", "BIENNIAL"},    {"bienal", "BIENNIAL"},     {"irregular", "IRREG"},
      {"onevent", "IRREG"},        {"asneeded", "IRREG"},      {"porevento", "IRREG"},
      {"continuous", "UPDATE_CONT"}, {"continua", "UPDATE_CONT"}, {"never", "NEVER"},
      {"nunca", "NEVER"},          {"unica", "NEVER"},
  };
  static const char *const IRIS[] = {
      EU_FREQ "DAILY",    EU_FREQ "WEEKLY",   EU_FREQ "BIWEEKLY", EU_FREQ "MONTHLY",
      EU_FREQ "BIMONTHLY", EU_FREQ "QUARTERLY", EU_FREQ "ANNUAL_2", EU_FREQ "ANNUAL",
      EU_FREQ "BIENNIAL", EU_FREQ "IRREG",    EU_FREQ "UPDATE_CONT", EU_FREQ "NEVER"};
  char key[48];
  freq_key(frequency, key, sizeof key);
  for (size_t i = 0; key[0] && i < sizeof F / sizeof *F; i++) {
    if (strcmp(F[i].key, key) != 0) continue;
    for (size_t j = 0; j < sizeof IRIS / sizeof *IRIS; j++) {
      const char *code = IRIS[j] + sizeof EU_FREQ - 1;
      if (strcmp(code, F[i].code) == 0) return IRIS[j];
    }
  }
  return NULL;
}

void catalog_org_slug(const char *name, char *out, size_t cap) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)name; *p && n + 1 < cap;) {
    char c;
    p += fold_char(p, &c);
    if (c) out[n++] = c;
    else if (n && out[n - 1] != '-') out[n++] = '-';
  }
  while (n && out[n - 1] == '-') n--;
  out[n] = '\0';
  if (!n) snprintf(out, cap, "sin-nombre");
}
