/* frequency.c — the names a layer definition may give its update frequency, and the one
 * canonical name the catalog stores for each.
 *
 * Departments write what their plan says: the EU/DCAT vocabulary ("ANNUAL_2", or the whole IRI
 * http://publications.europa.eu/resource/authority/frequency/QUARTERLY), Dublin Core's
 * ("semiannual"), plain English or Spanish ("Mensual", "trimestral", "por evento"). One table
 * maps them all, matched without case or accents, so "Trimestral" and "QUARTERLY" are one
 * schedule; the stored name keeps the catalog's earlier spellings ("yearly", "on event"). */
#include <string.h>

#include "calendar/calendar.h"

static const struct {
  calendar_freq f;
  const char *name, *eu;
  const char *aliases[7]; /* folded: lower case, no accents */
} FREQS[] = {
    {CALENDAR_DAILY, "daily", "DAILY", {"daily", "diaria", "diario", "diariamente"}},
    {CALENDAR_WEEKLY, "weekly", "WEEKLY", {"weekly", "semanal", "semanalmente"}},
    {CALENDAR_MONTHLY, "monthly", "MONTHLY", {"monthly", "mensual", "mensualmente"}},
    {CALENDAR_BIMONTHLY, "bimonthly", "BIMONTHLY", {"bimonthly", "bimestral"}},
    {CALENDAR_QUARTERLY, "quarterly", "QUARTERLY", {"quarterly", "trimestral"}},
    {CALENDAR_FOUR_MONTHLY, "four-monthly", "ANNUAL_3",
     {"four-monthly", "cuatrimestral", "three times a year", "threetimesayear", "annual_3"}},
    {CALENDAR_SEMIANNUAL, "semiannual", "ANNUAL_2",
     {"semiannual", "semi-annual", "semiannually", "semestral", "annual_2"}},
    {CALENDAR_YEARLY, "yearly", "ANNUAL", {"yearly", "annual", "annually", "anual", "anualmente"}},
    {CALENDAR_BIENNIAL, "biennial", "BIENNIAL", {"biennial", "bienal"}},
    {CALENDAR_ON_EVENT, "on event", "IRREG",
     {"on event", "irregular", "irreg", "por evento", "eventual", "as needed"}},
};
enum { N_FREQS = sizeof FREQS / sizeof *FREQS };

/* text folded into out: ASCII lower case, the Spanish accented vowels as plain ones, spaces
 * trimmed and runs of them made one. False when it does not fit (no name is that long). */
static bool fold(const char *text, char *out, size_t cap) {
  size_t n = 0;
  bool space = false;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    unsigned char c = *p;
    if (c == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) { /* U+00C0..U+00FF: á é í ó ú ñ ü ... */
      static const char MAP[33] = "aaaaaaaceeeeiiiidnooooo/ouuuuyps";
      c = (unsigned char)MAP[(p[1] - 0x80) & 0x1F];
      p++;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = n > 0;
      continue;
    }
    if (space && n + 1 < cap) out[n++] = ' ';
    space = false;
    if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
    if (n + 1 >= cap) return false;
    out[n++] = (char)c;
  }
  out[n] = '\0';
  return true;
}

calendar_freq calendar_freq_parse(const char *text) {
  if (!text) return CALENDAR_NONE;
  /* an IRI of the EU vocabulary (or any): its last segment names the frequency */
  if (strstr(text, "://")) {
    const char *slash = strrchr(text, '/'), *hash = strrchr(text, '#');
    text = (hash && hash > slash ? hash : slash) + 1;
  }
  char key[64];
  if (!fold(text, key, sizeof key)) return CALENDAR_UNKNOWN;
  if (!key[0]) return CALENDAR_NONE;
  for (size_t i = 0; i < N_FREQS; i++)
    for (size_t k = 0; k < sizeof FREQS[i].aliases / sizeof *FREQS[i].aliases; k++)
      if (FREQS[i].aliases[k] && strcmp(FREQS[i].aliases[k], key) == 0) return FREQS[i].f;
  /* the EU codes, folded as the rest ("annual", "irreg" are aliases already) */
  for (size_t i = 0; i < N_FREQS; i++) {
    char eu[32];
    fold(FREQS[i].eu, eu, sizeof eu);
    if (strcmp(eu, key) == 0) return FREQS[i].f;
  }
  return CALENDAR_UNKNOWN;
}

const char *calendar_freq_name(calendar_freq f) {
  for (size_t i = 0; i < N_FREQS; i++)
    if (FREQS[i].f == f) return FREQS[i].name;
  return "";
}

const char *calendar_freq_eu_code(calendar_freq f) {
  for (size_t i = 0; i < N_FREQS; i++)
    if (FREQS[i].f == f) return FREQS[i].eu;
  return NULL;
}

err_code calendar_freq_normalize(const char *text, const char **out_name, err *e) {
  calendar_freq f = calendar_freq_parse(text);
  *out_name = calendar_freq_name(f);
  if (f != CALENDAR_UNKNOWN) return ERR_OK;
  return err_set(e, ERR_INVALID,
                 "frecuencia desconocida '%.60s': use monthly/mensual, quarterly/trimestral, "
                 "semiannual/semestral, yearly/anual, weekly/semanal, daily/diaria, bimonthly/"
                 "bimestral, cuatrimestral, biennial/bienal, \"on event\"/irregular/por evento, "
                 "o un código de la UE (MONTHLY, ANNUAL_2, IRREG...)",
                 text);
}
