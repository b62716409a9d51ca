/* datetime.c — the datetime parameter (OGC API - Features 1.0 §7.15.4): RFC 3339 instants and
 * intervals, and the predicate "the feature's date intersects them" (a QUERY_TIME node, which
 * store/ compiles: see store/sql_pred.c for how dates and date-times compare).
 *
 * Stored dates are ISO 8601 text: "YYYY-MM-DD" for date fields, "YYYY-MM-DDTHH:MM:SS[.f]Z" for
 * datetime fields (the importer folds offsets to UTC), so bounds are normalised the same way. */
#include <stdio.h>
#include <string.h>

#include "features/features_int.h"

static bool digits(const char *s, size_t n, int *out) {
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

static int days_in_month(int y, int m) {
  static const int D[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : D[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms). */
static long long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  long long era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, int *y, int *m, int *d) {
  z += 719468;
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool parse_date(const char *s, size_t n, int *y, int *m, int *d) {
  if (n != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!digits(s, 4, y) || !digits(s + 5, 2, m) || !digits(s + 8, 2, d)) return false;
  return *m >= 1 && *m <= 12 && *d >= 1 && *d <= days_in_month(*y, *m);
}

/* "HH:MM:SS[.frac](Z|±HH:MM)" → seconds of the day in UTC (may leave the day) and the fraction. */
static bool parse_time(const char *s, size_t n, long long *out_secs, char frac[12]) {
  int hh, mm, ss;
  if (n < 9 || s[2] != ':' || s[5] != ':') return false;
  if (!digits(s, 2, &hh) || !digits(s + 3, 2, &mm) || !digits(s + 6, 2, &ss)) return false;
  if (hh > 23 || mm > 59 || ss > 60) return false;
  if (ss == 60) ss = 59; /* a leap second folds into the second before it */
  size_t i = 8, nf = 0;
  frac[0] = '\0';
  if (i < n && s[i] == '.') {
    for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
      if (nf < 9) frac[nf++] = s[i];
    if (nf == 0) return false;
    frac[nf] = '\0';
  }
  long long secs = hh * 3600LL + mm * 60LL + ss;
  if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
    *out_secs = secs;
    return true;
  }
  int oh, om;
  if (i + 6 != n || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':') return false;
  if (!digits(s + i + 1, 2, &oh) || !digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
    return false;
  long long off = oh * 3600LL + om * 60LL;
  *out_secs = s[i] == '+' ? secs - off : secs + off;
  return true;
}

bool features_time_parse(const char *s, size_t n, features_time *out) {
  int y, m, d;
  memset(out, 0, sizeof *out);
  if (n < 10 || !parse_date(s, 10, &y, &m, &d)) return false;
  if (n == 10) {
    snprintf(out->text, sizeof out->text, "%04d-%02d-%02d", y, m, d);
    return true;
  }
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  long long secs;
  char frac[12];
  if (!parse_time(s + 11, n - 11, &secs, frac)) return false;
  long long day = days_from_civil(y, m, d) + (secs < 0 ? -1 : secs >= 86400 ? 1 : 0);
  secs = (secs + 86400) % 86400;
  civil_from_days(day, &y, &m, &d);
  if (y < 0 || y > 9999) return false;
  int k = snprintf(out->text, sizeof out->text, "%04d-%02d-%02dT%02d:%02d:%02d%s%sZ", y, m, d,
                   (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
                   frac[0] ? "." : "", frac);
  if (k < 0 || (size_t)k >= sizeof out->text) return false; /* the longest fits: never */
  out->has_time = true;
  return true;
}

/* One end of an interval: ".." or "" is open. */
static bool parse_end(const char *s, size_t n, bool *open, features_time *t) {
  *open = n == 0 || (n == 2 && s[0] == '.' && s[1] == '.');
  return *open || features_time_parse(s, n, t);
}

/* Errors name the parameter and the rule, never the value (which may be personal data). */
err_code features_datetime_parse(const char *s, features_interval *out, err *e) {
  memset(out, 0, sizeof *out);
  const char *slash = strchr(s, '/');
  if (!slash) {
    out->instant = true;
    if (features_time_parse(s, strlen(s), &out->start)) return ERR_OK;
    return err_set(e, ERR_INVALID,
                   "datetime: not an RFC 3339 date or date-time "
                   "(2025-06-30, 2025-06-30T12:00:00Z, or an interval start/end with .. for open)");
  }
  if (strchr(slash + 1, '/') ||
      !parse_end(s, (size_t)(slash - s), &out->open_start, &out->start) ||
      !parse_end(slash + 1, strlen(slash + 1), &out->open_end, &out->end))
    return err_set(e, ERR_INVALID,
                   "datetime: not an interval start/end of RFC 3339 dates or "
                   "date-times (use .. for an open end)");
  if (!out->open_start && !out->open_end) {
    /* Compare as instants: a date starts at 00:00 and ends at 24:00. */
    char a[48], b[48];
    snprintf(a, sizeof a, "%s%s", out->start.text, out->start.has_time ? "" : "T00:00:00Z");
    snprintf(b, sizeof b, "%s%s", out->end.text, out->end.has_time ? "" : "T99");
    if (strcmp(a, b) > 0)
      return err_set(e, ERR_INVALID, "datetime: the start is after the end");
  }
  return ERR_OK;
}

void features_datetime_where(const layer_field *f, const features_interval *iv,
                             features_where *w) {
  query_pred *p = query_pred_new(w->a, QUERY_TIME);
  const char *name = arena_strdup(w->a, f->name);
  if (!p || !name) {
    features_where_and(w, NULL);
    return;
  }
  p->time_field = name;
  p->time_is_date = f->type == FIELD_DATE;
  const features_time *lo = iv->open_start ? NULL : &iv->start;
  const features_time *hi = iv->instant ? &iv->start : iv->open_end ? NULL : &iv->end;
  _Static_assert(sizeof p->lo.text == sizeof lo->text, "one size of time text");
  if ((p->has_lo = lo != NULL)) {
    memcpy(p->lo.text, lo->text, sizeof p->lo.text);
    p->lo.has_time = lo->has_time;
  }
  if ((p->has_hi = hi != NULL)) {
    memcpy(p->hi.text, hi->text, sizeof p->hi.text);
    p->hi.has_time = hi->has_time;
  }
  features_where_count(w, (size_t)p->has_lo + (size_t)p->has_hi);
  features_where_and(w, p);
}
