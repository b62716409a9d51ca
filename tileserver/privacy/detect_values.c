/* detect_values.c — patterns of personal identifiers inside values: CURP, RFC, Mexican phone
 * numbers and e-mail addresses, found anywhere in a text (a CURP typed into "observaciones" is as
 * personal as one in a "curp" column).
 *
 * Each test works on the folded text (lower-case ASCII, ñ → n), so case does not matter, and looks
 * at whole tokens: a CURP inside a longer alphanumeric run is not a CURP. Structure is checked
 * (the date of birth, the state, the consonants) but not the check digit, which typing errors in
 * real registers often break: a wrong check digit is still somebody's CURP. */
#include <string.h>

#include "privacy/detect.h"
#include "privacy/privacy_int.h"

enum { FOLD_MAX = 4096 };

static bool alpha(char c) { return c >= 'a' && c <= 'z'; }
static bool digit(char c) { return c >= '0' && c <= '9'; }
static bool alnum(char c) { return alpha(c) || digit(c); }

/* YYMMDD with a plausible month and day. */
static bool yymmdd(const char *s) {
  for (int i = 0; i < 6; i++)
    if (!digit(s[i])) return false;
  int m = (s[2] - '0') * 10 + (s[3] - '0'), d = (s[4] - '0') * 10 + (s[5] - '0');
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static bool consonant(char c) { return alpha(c) && !strchr("aeiou", c); }

/* RENAPO's CURP: 4 letters (the second a vowel or X), date of birth, sex (H, M, or X since
 * 2022), state (32 codes and NE, born abroad), 3 inner consonants, a disambiguator, a digit. */
static bool is_curp(const char *t) {
  static const char STATES[] = "as bc bs cc cl cm cs ch df dg gt gr hg jc mc mn ms nt nl oc pl qt "
                               "qr sp sl sr tc ts tl vz yn zs ne";
  if (!alpha(t[0]) || !(strchr("aeioux", t[1]) && alpha(t[1])) || !alpha(t[2]) || !alpha(t[3]))
    return false;
  if (!yymmdd(t + 4) || !strchr("hmx", t[10]) || !alpha(t[10])) return false;
  char st[3] = {t[11], t[12], '\0'};
  if (!alpha(st[0]) || !alpha(st[1]) || !strstr(STATES, st)) return false;
  for (int i = 13; i < 16; i++)
    if (!consonant(t[i])) return false;
  return alnum(t[16]) && digit(t[17]);
}

/* SAT's RFC: 4 letters (persona física) or 3 (persona moral; & allowed), date, a homoclave of 3
 * whose last character, the check digit, is a digit or A. */
static bool is_rfc(const char *t, size_t n) {
  size_t nl = n == 13 ? 4 : 3;
  for (size_t i = 0; i < nl; i++)
    if (!alpha(t[i]) && t[i] != '&') return false;
  if (!yymmdd(t + nl)) return false;
  for (size_t i = nl + 6; i < n; i++)
    if (!alnum(t[i])) return false;
  return digit(t[n - 1]) || t[n - 1] == 'a';
}

/* Calls test on every maximal run of [a-z0-9&] of the folded text whose length is want_a or
 * want_b; true when one passes. */
static bool any_token(const char *s, size_t want_a, size_t want_b,
                      bool (*test)(const char *t, size_t n)) {
  char f[FOLD_MAX];
  privacy_fold(s, 0, f, sizeof f);
  for (const char *p = f; *p;) {
    if (!alnum(*p) && *p != '&') {
      p++;
      continue;
    }
    const char *start = p;
    while (alnum(*p) || *p == '&') p++;
    size_t n = (size_t)(p - start);
    if ((n == want_a || n == want_b) && test(start, n)) return true;
  }
  return false;
}

static bool curp_token(const char *t, size_t n) { return is_curp(t); }

bool privacy_text_has_curp(const char *s) { return s && any_token(s, 18, 18, curp_token); }
bool privacy_text_has_rfc(const char *s) { return s && any_token(s, 12, 13, is_rfc); }

/* ---- phone numbers ----------------------------------------------------------------------- */

/* Group sizes of 10 digits as people in Mexico write them: 4771234567, 477 123 4567,
 * (477) 123-45-67, 55 1234 5678, 477-1234567, 55 12 34 56 78. A date (2024-01-15 10) or a code
 * (COL-011-001) has other groups, so it is not taken for a phone. */
static bool phone_groups(const int *g, int n) {
  static const int OK[][6] = {{1, 10}, {3, 3, 3, 4}, {4, 3, 3, 2, 2}, {3, 2, 4, 4},
                              {2, 3, 7}, {2, 2, 8}, {5, 2, 2, 2, 2, 2}};
  for (size_t k = 0; k < sizeof OK / sizeof *OK; k++) {
    if (OK[k][0] != n) continue;
    bool same = true;
    for (int i = 0; i < n && same; i++) same = OK[k][i + 1] == g[i];
    if (same) return true;
  }
  return false;
}

/* A boundary: what may stand just before or after a phone number. A digit, a letter, or a
 * decimal point or slash followed by a digit would make it part of something else. */
static bool edge_ok(const char *f, const char *p, bool before) {
  if (before) {
    if (p == f) return true;
    char c = p[-1];
    if (c == '.' || c == ',') return p - 1 == f || !digit(p[-2]); /* "Tel.477..." but not "1.477" */
    return !alnum(c) && !strchr("_/+-", c);
  }
  char c = *p;
  if (!c) return true;
  if (c == '.' || c == ',') return !digit(p[1]);
  return !alnum(c) && !strchr("_/-", c);
}

/* Reads the run of digits and separators (space, dash, parentheses) at p; fills the groups and
 * the digits; returns the end of the last digit. */
static const char *read_run(const char *p, int *groups, int *n_groups, char *digits, int *n_dig) {
  const char *end = p;
  *n_groups = *n_dig = 0;
  for (;;) {
    while (*p == '(' || *p == ' ' || *p == '-' || *p == ')') p++;
    if (!digit(*p)) break;
    int len = 0;
    while (digit(*p)) {
      if (*n_dig < 15) digits[*n_dig] = *p;
      (*n_dig)++;
      len++;
      p++;
    }
    if (*n_groups < 8) groups[*n_groups] = len;
    (*n_groups)++;
    end = p;
  }
  return end;
}

static bool phone_at(const char *f, const char *p, const char **out_end) {
  bool plus = *p == '+';
  const char *q = plus ? p + 1 : p;
  while (plus && *q == ' ') q++;
  int groups[8], ng, nd;
  char d[16];
  const char *end = read_run(q, groups, &ng, d, &nd);
  *out_end = end > p ? end : p + 1;
  if (!edge_ok(f, p, true) || !edge_ok(f, end, false) || ng > 8 || nd > 15 || ng == 0) return false;
  const char *ten = d;
  if (plus) {
    if (nd < 12 || d[0] != '5' || d[1] != '2') return false;
    ten = d + (nd == 13 && d[2] == '1' ? 3 : 2); /* +52 1 477...: the old mobile prefix */
    return d + nd - ten == 10 && ten[0] >= '2';
  }
  if (nd == 12 && groups[0] == 2 && d[0] == '5' && d[1] == '2') { /* 52 477 123 4567 */
    ten = d + 2;
    return ten[0] >= '2' && phone_groups(groups + 1, ng - 1);
  }
  return nd == 10 && ten[0] >= '2' && phone_groups(groups, ng);
}

bool privacy_text_has_phone(const char *s) {
  if (!s) return false;
  char f[FOLD_MAX];
  privacy_fold(s, 0, f, sizeof f);
  for (const char *p = f; *p;) {
    if (!(digit(*p) || *p == '+' || (*p == '(' && digit(p[1])))) {
      p++;
      continue;
    }
    const char *end;
    if (phone_at(f, p, &end)) return true;
    p = end;
  }
  return false;
}

/* ---- e-mail ------------------------------------------------------------------------------ */

static bool local_char(char c) { return alnum(c) || (c && strchr("._%+-", c)); }
static bool domain_char(char c) { return alnum(c) || c == '.' || c == '-'; }

bool privacy_text_has_email(const char *s) {
  if (!s) return false;
  char f[FOLD_MAX];
  privacy_fold(s, 0, f, sizeof f);
  for (const char *at = strchr(f, '@'); at; at = strchr(at + 1, '@')) {
    const char *l = at;
    while (l > f && local_char(l[-1])) l--;
    if (l == at || *l == '.') continue;
    const char *r = at + 1;
    while (domain_char(*r)) r++;
    while (r > at + 1 && (r[-1] == '.' || r[-1] == '-')) r--; /* a sentence's full stop */
    const char *dot = NULL;
    for (const char *q = at + 1; q < r; q++)
      if (*q == '.') dot = q;
    if (!dot || dot == at + 1 || r - dot < 3) continue;
    bool tld = true;
    for (const char *q = dot + 1; q < r; q++) tld = tld && alpha(*q);
    if (tld) return true;
  }
  return false;
}
