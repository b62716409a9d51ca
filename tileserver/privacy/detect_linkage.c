/* detect_linkage.c — fields that link a generalised record back to the same record in a release
 * with exact locations: the source's unique identifier, and the time of day. A point moved to the
 * centre of its 250 m cell but still carrying "id 48213" or "18:37 on 2015-03-02" is found again in
 * the city's other publications, so `generalize` drops the first and coarsens the second.
 *
 * Pure: no I/O, the samples are borrowed. */
#include <stdlib.h>
#include <string.h>

#include "privacy/detect.h"
#include "privacy/privacy_int.h"

enum { NAME_LEN = 256, MAX_TOKENS = 16, MIN_DISTINCT = 20 };

static size_t name_tokens(const char *name, char *f, char *store, char **tok) {
  privacy_fold(name, PRIVACY_FOLD_SPLIT_CAMEL, f, NAME_LEN);
  return privacy_tokens(f, store, NAME_LEN * 2 + 1, tok, MAX_TOKENS);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A whole number or one word of letters, digits, '-', '_', '.', '/' (a code), and not a date or
 * a time, which repeat in a large file but may be distinct in a small sample. */
static bool code_like(const char *v) {
  size_t n = strlen(v), digits = 0;
  if (n == 0 || n > 64) return false;
  for (size_t i = 0; i < n; i++) {
    char c = v[i];
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '_' || c == '.' || c == '/';
    if (!ok) return false;
    digits += c >= '0' && c <= '9';
  }
  bool date = n == 10 && v[4] == '-' && v[7] == '-' && digits == 8;
  bool dmy = n == 10 && (v[2] == '/' || v[2] == '-') && digits == 8;
  bool real = strchr(v, '.') && digits + 2 >= n;  /* "19.5440795", "-99.12": a measure */
  return !date && !dmy && !real;
}

bool privacy_detect_identifier(const privacy_field_sample *f) {
  static const char *const WHOLE[] = {"id", "fid", "gid", "oid", "uid", "objectid", "uuid",
                                      "guid", "folio", "key", "pk", "idx", "consecutivo", NULL};
  static const char *const ANY[] = {"folio", "uuid", "guid", "expediente", "objectid", NULL};
  char f_[NAME_LEN], store[NAME_LEN * 2 + 1];
  char *tok[MAX_TOKENS];
  size_t n = f->name ? name_tokens(f->name, f_, store, tok) : 0;
  if (n == 1 && privacy_word_in(tok[0], WHOLE)) return true;
  for (size_t i = 0; i < n; i++)
    if (privacy_word_in(tok[i], ANY)) return true;
  const char **v = malloc((f->n_values ? f->n_values : 1) * sizeof *v);
  if (!v) return false;
  size_t m = 0;
  bool codes = true;
  for (size_t i = 0; i < f->n_values && codes; i++) {
    if (!f->values[i] || !*f->values[i]) continue;
    codes = code_like(f->values[i]);
    v[m++] = f->values[i];
  }
  bool unique = codes && m >= MIN_DISTINCT;
  if (unique) {
    qsort(v, m, sizeof *v, cmp_str);
    for (size_t i = 1; i < m && unique; i++) unique = strcmp(v[i - 1], v[i]) != 0;
  }
  free(v);
  return unique;
}

/* Minutes since midnight of "H:MM", "HH:MM" or "HH:MM:SS" (an optional ".fff" after seconds),
 * or -1. */
static int clock_minutes(const char *s) {
  int h = 0, m = 0, i = 0;
  if (s[i] < '0' || s[i] > '9') return -1;
  h = s[i++] - '0';
  if (s[i] >= '0' && s[i] <= '9') h = h * 10 + (s[i++] - '0');
  if (s[i++] != ':' || s[i] < '0' || s[i] > '5' || s[i + 1] < '0' || s[i + 1] > '9') return -1;
  m = (s[i] - '0') * 10 + (s[i + 1] - '0');
  i += 2;
  if (s[i] == ':') {
    if (s[i + 1] < '0' || s[i + 1] > '5' || s[i + 2] < '0' || s[i + 2] > '9') return -1;
    i += 3;
    if (s[i] == '.')
      for (i++; s[i] >= '0' && s[i] <= '9'; i++) continue;
  }
  return s[i] || h > 23 ? -1 : h * 60 + m;
}

int privacy_time_band(const char *s) {
  while (*s == ' ') s++;
  int min = clock_minutes(s);
  if (min < 0) { /* a bare hour, as a number */
    char *end;
    long h = strtol(s, &end, 10);
    if (end == s || *end || h < 0 || h > 23) return -1;
    min = (int)h * 60;
  }
  return min / 360 * 6;
}

bool privacy_detect_time_of_day(const privacy_field_sample *f) {
  static const char *const WORDS[] = {"hora", "horas", "hour", "hours", "hr", "time", "tiempo",
                                      "horario", "hh", NULL};
  char f_[NAME_LEN], store[NAME_LEN * 2 + 1];
  char *tok[MAX_TOKENS];
  size_t n = f->name ? name_tokens(f->name, f_, store, tok) : 0;
  for (size_t i = 0; i < n; i++)
    if (privacy_word_in(tok[i], WORDS)) return true;
  size_t filled = 0, clocks = 0;
  for (size_t i = 0; i < f->n_values; i++) {
    if (!f->values[i] || !*f->values[i]) continue;
    filled++;
    clocks += clock_minutes(f->values[i]) >= 0;
  }
  return filled > 0 && clocks * 10 >= filled * 9;
}
