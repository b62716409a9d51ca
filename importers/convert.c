/* convert.c — text to typed values: the rules by which a CSV column gets its type and by which a
 * value "does not fit" its field (reported per field, stored as null).
 *
 * Integers keep leading zeros as text when inferring ("020", INEGI's municipal keys, are codes,
 * not numbers), and so does a column named as a code (cve_*, cp), whatever its first rows hold.
 * Dates accept ISO 8601 and the day/month/year order used in Mexico, and are stored as ISO 8601
 * text. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "importers/schema_int.h"

static const char *trim(const char *s, char *tmp, size_t tmp_len) {
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
  if (n >= tmp_len) n = tmp_len - 1;
  memcpy(tmp, s, n);
  tmp[n] = '\0';
  return tmp;
}

static bool parse_int(const char *s, bool allow_leading_zero, int64_t *out) {
  const char *p = s + (*s == '-' || *s == '+');
  size_t n = strlen(p);
  if (n == 0 || n > 18) return false;
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)p[i])) return false;
  if (!allow_leading_zero && p[0] == '0' && n > 1) return false;
  *out = strtoll(s, NULL, 10);
  return true;
}

static bool parse_bool(const char *s, int64_t *out) {
  static const char *const YES[] = {"true", "t", "yes", "si", "sí", "verdadero", "v", NULL};
  static const char *const NO[] = {"false", "f", "no", "falso", NULL};
  for (const char *const *p = YES; *p; p++)
    if (strcasecmp(s, *p) == 0) return *out = 1, true;
  for (const char *const *p = NO; *p; p++)
    if (strcasecmp(s, *p) == 0) return *out = 0, true;
  return false;
}

static bool valid_ymd(int y, int m, int d) {
  static const int DAYS[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= DAYS[m - 1];
}

static int digits(const char *s, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* YYYY-MM-DD or D/M/YYYY; *rest gets what follows the date. The ISO form is parsed by hand:
 * it is the common one, and sscanf cost a tenth of a million-row import. */
static bool parse_date(const char *s, int *y, int *m, int *d, const char **rest) {
  if (strlen(s) >= 10 && s[4] == '-' && s[7] == '-') {
    *y = digits(s, 4);
    *m = digits(s + 5, 2);
    *d = digits(s + 8, 2);
    *rest = s + 10;
    return *y >= 0 && *m >= 0 && *d >= 0 && valid_ymd(*y, *m, *d);
  }
  int n = 0;
  if (sscanf(s, "%2d/%2d/%4d%n", d, m, y, &n) == 3 && n >= 8 && s[n - 5] == '/' &&
      valid_ymd(*y, *m, *d)) {
    *rest = s + n;
    return true;
  }
  return false;
}

/* HH:MM[:SS[.fff]] then optional Z or ±HH:MM; writes "HH:MM:SS" and the zone into out. */
static bool parse_time(const char *s, char *out, size_t len) {
  int h, mi, sec = 0, n = 0;
  if (sscanf(s, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5 || h > 23 || mi > 59) return false;
  s += n;
  if (*s == ':') {
    if (sscanf(s, ":%2d%n", &sec, &n) != 1 || n != 3 || sec > 60) return false;
    s += n;
    if (*s == '.')
      for (s++; isdigit((unsigned char)*s); s++) {}
  }
  const char *zone = s;
  if (*s == 'Z') s++;
  else if (*s == '+' || *s == '-') {
    int zh, zm;
    if (sscanf(s + 1, "%2d:%2d%n", &zh, &zm, &n) != 2 || n != 5) return false;
    s += 6;
  }
  if (*s) return false;
  snprintf(out, len, "%02d:%02d:%02d%s", h, mi, sec, zone);
  return true;
}

bool schema_convert_text(const char *raw, field_type t, bool decimal_comma, buf *scratch,
                         value *out) {
  char tmp[128];
  const char *s = trim(raw, tmp, sizeof tmp);
  int y, m, d;
  const char *rest;
  char time[40];
  switch (t) {
    case FIELD_INTEGER:
      out->kind = VALUE_INT;
      return parse_int(s, true, &out->i);
    case FIELD_REAL:
      out->kind = VALUE_REAL;
      return import_parse_double(s, decimal_comma, &out->d);
    case FIELD_BOOLEAN:
      out->kind = VALUE_BOOL;
      return parse_bool(s, &out->i);
    case FIELD_DATE:
    case FIELD_DATETIME:
      if (!parse_date(s, &y, &m, &d, &rest)) return false;
      buf_reset(scratch);
      if (*rest == '\0' && t == FIELD_DATE) {
        buf_printf(scratch, "%04d-%02d-%02d", y, m, d);
      } else {
        if ((*rest != 'T' && *rest != ' ') || !parse_time(rest + 1, time, sizeof time))
          return false;
        buf_printf(scratch, "%04d-%02d-%02dT%s", y, m, d, time);
      }
      break;
    case FIELD_TEXT:
      buf_reset(scratch);
      buf_puts(scratch, raw);
      break;
  }
  if (scratch->failed) return false;
  *out = (value){.kind = VALUE_TEXT, .s = (const char *)scratch->data, .len = scratch->len};
  return true;
}

bool schema_null_marker(const char *raw) {
  static const char *const MARKERS[] = {"-", "--", "na", "n/a", "nd", "n/d", "s/d", "sd", "null",
                                        "nan", "sin dato", "sin datos", NULL};
  char tmp[32];
  const char *s = trim(raw, tmp, sizeof tmp);
  for (const char *const *m = MARKERS; *m; m++)
    if (strcasecmp(s, *m) == 0) return true;
  return false;
}

/* Which types every sample value fits (a bit per field_type). */
static unsigned fits(const char *raw, bool *comma) {
  char tmp[128];
  const char *s = trim(raw, tmp, sizeof tmp);
  unsigned bits = 0;
  /* "020", "0261": codes with meaningful leading zeros, not numbers */
  const char *digits = s + (*s == '-');
  bool code = digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9';
  int64_t i;
  double dbl;
  int y, m, d;
  const char *rest;
  char time[40];
  if (!code && parse_int(s, false, &i)) bits |= 1u << FIELD_INTEGER;
  if (!code && import_parse_double(s, false, &dbl)) {
    bits |= 1u << FIELD_REAL;
  } else if (!code && import_parse_double(s, true, &dbl)) {
    bits |= 1u << FIELD_REAL;
    *comma = true;
  }
  if (parse_bool(s, &i) && strlen(s) > 1) bits |= 1u << FIELD_BOOLEAN;
  if (parse_date(s, &y, &m, &d, &rest)) {
    if (*rest == '\0') bits |= 1u << FIELD_DATE;
    else if ((*rest == 'T' || *rest == ' ') && parse_time(rest + 1, time, sizeof time))
      bits |= 1u << FIELD_DATETIME;
  }
  return bits;
}

static field_type infer_from_values(const char *const *samples, size_t n,
                                    bool *out_decimal_comma) {
  unsigned all = ~0u;
  bool any = false, comma = false;
  for (size_t k = 0; k < n; k++) {
    if (!samples[k] || !*samples[k] || schema_null_marker(samples[k])) continue;
    any = true;
    all &= fits(samples[k], &comma);
  }
  *out_decimal_comma = false;
  if (!any) return FIELD_TEXT;
  if (all & (1u << FIELD_INTEGER)) return FIELD_INTEGER;
  if (all & (1u << FIELD_REAL)) {
    *out_decimal_comma = comma;
    return FIELD_REAL;
  }
  if (all & (1u << FIELD_DATE)) return FIELD_DATE;
  if (all & (1u << FIELD_DATETIME)) return FIELD_DATETIME;
  if (all & (1u << FIELD_BOOLEAN)) return FIELD_BOOLEAN;
  return FIELD_TEXT;
}

/* The names of codes: INEGI's keys (cve_agee, cvegeo, cvegeomuni), claves, codigos, folios,
 * postal codes (cp, cod_post) and telephones. A code has a fixed width and its leading zeros are
 * part of it: state 11's cvegeo "110200001" reads as a number and state 01's "010010001" does
 * not, so a CSV of each would give the key two types and their layers would not join. A suffix
 * counts only for the words that name nothing but a code, after an underscore: `otros_cp` holds
 * a colonia's other postal codes ("10000", "-9999" for none). Deciding by name errs one way on
 * purpose: a quantity kept as text is one --types away from a number, a code read as a number
 * has lost its digits. */
bool schema_code_name(const char *name) {
  static const char *const PREFIX[] = {"cve", "clave", "cod", "folio", "cp", "tel"};
  static const char *const SUFFIX[] = {"_cve", "_clave", "_cp"};
  size_t n = strlen(name);
  for (size_t i = 0; i < sizeof PREFIX / sizeof *PREFIX; i++)
    if (strncasecmp(name, PREFIX[i], strlen(PREFIX[i])) == 0) return true;
  for (size_t i = 0; i < sizeof SUFFIX / sizeof *SUFFIX; i++) {
    size_t m = strlen(SUFFIX[i]);
    if (n > m && strcasecmp(name + n - m, SUFFIX[i]) == 0) return true;
  }
  return false;
}

field_type schema_infer_type(const char *name, const char *const *samples, size_t n,
                             bool *out_decimal_comma) {
  field_type t = infer_from_values(samples, n, out_decimal_comma);
  if ((t == FIELD_INTEGER || t == FIELD_REAL) && name && schema_code_name(name)) {
    *out_decimal_comma = false;
    return FIELD_TEXT;  /* digits of a code, even when none of the samples starts with 0 */
  }
  return t;
}
