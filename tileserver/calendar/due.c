/* due.c — due dates and late deliveries: a frequency's period added to the last delivery, a grace
 * period, and whole days late counted from the due date.
 *
 * The default grace: 7 days for monthly and longer periods, because a department's delivery of
 * the month is commonly cut at the month's end and sent in the first working week of the next
 * (a week covers a weekend and a public holiday); a quarter of the period for shorter ones
 * (weekly: 1 day; daily: none), since a week's grace would hide whole missed deliveries of a
 * daily layer. `--grace-days` sets one grace for every frequency. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "calendar/calendar.h"

int calendar_default_grace_days(calendar_freq f) {
  switch (f) {
    case CALENDAR_DAILY: return 0;
    case CALENDAR_WEEKLY: return 1;
    case CALENDAR_NONE:
    case CALENDAR_UNKNOWN:
    case CALENDAR_ON_EVENT: return -1;
    default: return 7;
  }
}

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int y, int m /* 0..11 */) {
  static const int N[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 1 && leap(y) ? 29 : N[m];
}

bool calendar_parse_iso(const char *text, int64_t *out) {
  if (!text) return false;
  int y, mo, d, h = 0, mi = 0, s = 0, used = 0;
  size_t len = strlen(text);
  if (len == 10) {
    if (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || used != 10) return false;
  } else if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &s, &used) != 6 ||
             (size_t)used != len) {
    return false;
  }
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo - 1) || h > 23 ||
      mi > 59 || s > 60 || h < 0 || mi < 0 || s < 0)
    return false;
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                  .tm_min = mi, .tm_sec = s};
  *out = (int64_t)timegm(&tm);
  return true;
}

void calendar_format_iso(int64_t t, char out[32]) {
  time_t tt = (time_t)t;
  struct tm tm;
  if (!gmtime_r(&tt, &tm)) {
    snprintf(out, 32, "%s", "");
    return;
  }
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* months, or days when months is 0, of a frequency's period; false when it has none */
static bool period(calendar_freq f, int *months, int *days) {
  *months = *days = 0;
  switch (f) {
    case CALENDAR_DAILY: *days = 1; return true;
    case CALENDAR_WEEKLY: *days = 7; return true;
    case CALENDAR_MONTHLY: *months = 1; return true;
    case CALENDAR_BIMONTHLY: *months = 2; return true;
    case CALENDAR_QUARTERLY: *months = 3; return true;
    case CALENDAR_FOUR_MONTHLY: *months = 4; return true;
    case CALENDAR_SEMIANNUAL: *months = 6; return true;
    case CALENDAR_YEARLY: *months = 12; return true;
    case CALENDAR_BIENNIAL: *months = 24; return true;
    default: return false;
  }
}

bool calendar_due(calendar_freq f, int64_t last, int64_t *out_due) {
  int months, days;
  if (!period(f, &months, &days)) return false;
  if (days) {
    *out_due = last + (int64_t)days * 86400;
    return true;
  }
  time_t tt = (time_t)last;
  struct tm tm;
  if (!gmtime_r(&tt, &tm)) return false;
  int m = tm.tm_mon + months;
  tm.tm_year += m / 12;
  tm.tm_mon = m % 12;
  int cap = month_days(tm.tm_year + 1900, tm.tm_mon);
  if (tm.tm_mday > cap) tm.tm_mday = cap; /* 31 January + 1 month: the last day of February */
  *out_due = (int64_t)timegm(&tm);
  return true;
}

void calendar_status_of(const char *frequency, const char *last_iso, int64_t now, int grace_days,
                        calendar_status *out) {
  memset(out, 0, sizeof *out);
  out->freq = calendar_freq_parse(frequency);
  out->last = -1;
  int64_t last;
  if (calendar_parse_iso(last_iso, &last)) out->last = last;
  if (out->last < 0 || !calendar_due(out->freq, out->last, &out->due)) return;
  out->scheduled = true;
  out->grace_days = grace_days >= 0 ? grace_days : calendar_default_grace_days(out->freq);
  if (now > out->due + (int64_t)out->grace_days * 86400) {
    out->overdue = true;
    out->overdue_s = now - out->due;
    out->days_late = out->overdue_s / 86400;
  }
}

void calendar_layer_status(const layer_info *l, int64_t now, int grace_days, calendar_status *out) {
  const char *last = l->delivered_at && *l->delivered_at ? l->delivered_at : l->updated_at;
  calendar_status_of(l->frequency, last, now, grace_days, out);
}

void calendar_status_text(const calendar_status *s, const char *frequency, bool english,
                          char *out, size_t cap) {
  long long n = (long long)s->days_late;
  if (s->overdue && english) snprintf(out, cap, "%lld %s late", n, n == 1 ? "day" : "days");
  else if (s->overdue) snprintf(out, cap, "atrasada %lld %s", n, n == 1 ? "día" : "días");
  else if (s->scheduled) snprintf(out, cap, "%s", english ? "up to date" : "al día");
  else if (s->freq == CALENDAR_ON_EVENT)
    snprintf(out, cap, "%s", english ? "on event (no due date)" : "por evento (sin fecha)");
  else if (s->freq == CALENDAR_UNKNOWN)
    snprintf(out, cap, "%s '%.40s'", english ? "unknown frequency" : "frecuencia desconocida:",
             frequency ? frequency : "");
  else if (s->freq == CALENDAR_NONE)
    snprintf(out, cap, "%s", english ? "no frequency" : "sin frecuencia");
  else
    snprintf(out, cap, "%s", english ? "last delivery unknown" : "sin fecha de la última entrega");
}
