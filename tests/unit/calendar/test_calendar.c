/* test_calendar.c — frequencies by any of their names, due dates by calendar months, grace
 * periods and days late (calendar/calendar.h). */
#include "check.h"

#include "calendar/calendar.h"

static void test_frequency_names(void **state) {
  (void)state;
  static const struct {
    const char *text;
    calendar_freq f;
  } CASES[] = {
      {"monthly", CALENDAR_MONTHLY},     {"Mensual", CALENDAR_MONTHLY},
      {"MONTHLY", CALENDAR_MONTHLY},     {"trimestral", CALENDAR_QUARTERLY},
      {"Quarterly", CALENDAR_QUARTERLY}, {"semestral", CALENDAR_SEMIANNUAL},
      {"ANNUAL_2", CALENDAR_SEMIANNUAL}, {"semiannual", CALENDAR_SEMIANNUAL},
      {"anual", CALENDAR_YEARLY},        {"annual", CALENDAR_YEARLY},
      {"yearly", CALENDAR_YEARLY},       {"semanal", CALENDAR_WEEKLY},
      {"diaria", CALENDAR_DAILY},        {"on event", CALENDAR_ON_EVENT},
      {"Por  evento", CALENDAR_ON_EVENT}, {"irregular", CALENDAR_ON_EVENT},
      {"IRREG", CALENDAR_ON_EVENT},      {" bimestral ", CALENDAR_BIMONTHLY},
      {"cuatrimestral", CALENDAR_FOUR_MONTHLY}, {"bienal", CALENDAR_BIENNIAL},
      {"http://publications.europa.eu/resource/authority/frequency/QUARTERLY", CALENDAR_QUARTERLY},
      {"DIARIA", CALENDAR_DAILY},        {"", CALENDAR_NONE},
      {"cada luna", CALENDAR_UNKNOWN},   {"mensualísimo", CALENDAR_UNKNOWN},
  };
  for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
    if (calendar_freq_parse(CASES[i].text) != CASES[i].f) fail_msg("frequency '%s'", CASES[i].text);
  }
  assert_int_equal(calendar_freq_parse(NULL), CALENDAR_NONE);
  assert_string_equal(calendar_freq_name(CALENDAR_YEARLY), "yearly");
  assert_string_equal(calendar_freq_eu_code(CALENDAR_SEMIANNUAL), "ANNUAL_2");
  const char *name = NULL;
  err e = {0};
  assert_int_equal(calendar_freq_normalize("Trimestral", &name, &e), ERR_OK);
  assert_string_equal(name, "quarterly");
  assert_int_equal(calendar_freq_normalize("", &name, &e), ERR_OK);
  assert_string_equal(name, "");
  assert_int_equal(calendar_freq_normalize("cada luna", &name, &e), ERR_INVALID);
  assert_non_null(strstr(e.msg, "frecuencia desconocida 'cada luna'"));
}

static int64_t at(const char *iso) {
  int64_t t = 0;
  if (!calendar_parse_iso(iso, &t)) fail_msg("not a time: %s", iso);
  return t;
}

static void due_is(calendar_freq f, const char *last, const char *want) {
  int64_t due = 0;
  char got[32];
  assert_true(calendar_due(f, at(last), &due));
  calendar_format_iso(due, got);
  assert_string_equal(got, want);
}

static void test_due_dates(void **state) {
  (void)state;
  due_is(CALENDAR_MONTHLY, "2026-01-31T08:00:00Z", "2026-02-28T08:00:00Z");
  due_is(CALENDAR_MONTHLY, "2024-01-31T08:00:00Z", "2024-02-29T08:00:00Z");
  due_is(CALENDAR_MONTHLY, "2026-12-15T00:00:00Z", "2027-01-15T00:00:00Z");
  due_is(CALENDAR_QUARTERLY, "2026-11-30T23:59:59Z", "2027-02-28T23:59:59Z");
  due_is(CALENDAR_SEMIANNUAL, "2026-08-31T12:00:00Z", "2027-02-28T12:00:00Z");
  due_is(CALENDAR_YEARLY, "2024-02-29T00:00:00Z", "2025-02-28T00:00:00Z");
  due_is(CALENDAR_WEEKLY, "2026-12-30T10:00:00Z", "2027-01-06T10:00:00Z");
  due_is(CALENDAR_DAILY, "2026-02-28T10:00:00Z", "2026-03-01T10:00:00Z");
  int64_t due;
  assert_false(calendar_due(CALENDAR_ON_EVENT, 0, &due));
  assert_false(calendar_due(CALENDAR_UNKNOWN, 0, &due));
  int64_t t;
  assert_false(calendar_parse_iso("2026-02-30", &t));
  assert_false(calendar_parse_iso("2026-02-03T10:00:00", &t));
  assert_false(calendar_parse_iso("ayer", &t));
  assert_true(calendar_parse_iso("2026-02-03", &t));
}

static void test_status(void **state) {
  (void)state;
  calendar_status s;
  /* due 2026-02-03T10:00Z; default grace 7 days: not late on the 10th at 10:00, late after */
  calendar_status_of("mensual", "2026-01-03T10:00:00Z", at("2026-02-10T10:00:00Z"), -1, &s);
  assert_true(s.scheduled);
  assert_int_equal(s.grace_days, 7);
  assert_false(s.overdue);
  assert_int_equal(s.days_late, 0);
  calendar_status_of("mensual", "2026-01-03T10:00:00Z", at("2026-02-10T10:00:01Z"), -1, &s);
  assert_true(s.overdue);
  assert_int_equal(s.days_late, 7);
  assert_int_equal(s.overdue_s, 7 * 86400 + 1);
  calendar_status_of("monthly", "2026-01-03T10:00:00Z", at("2026-02-04T10:00:00Z"), 0, &s);
  assert_true(s.overdue);
  assert_int_equal(s.days_late, 1);
  calendar_status_of("weekly", "2026-01-03T10:00:00Z", at("2026-01-11T10:00:01Z"), -1, &s);
  assert_int_equal(s.grace_days, 1);
  assert_true(s.overdue);
  assert_int_equal(s.days_late, 1);
  char words[128];
  calendar_status_text(&s, "weekly", false, words, sizeof words);
  assert_string_equal(words, "atrasada 1 día");
  calendar_status_text(&s, "weekly", true, words, sizeof words);
  assert_string_equal(words, "1 day late");
  calendar_status_of("por evento", "2020-01-03T10:00:00Z", at("2026-01-11T10:00:00Z"), -1, &s);
  assert_false(s.scheduled);
  assert_false(s.overdue);
  calendar_status_of("cada luna", "2020-01-03T10:00:00Z", at("2026-01-11T10:00:00Z"), -1, &s);
  assert_int_equal(s.freq, CALENDAR_UNKNOWN);
  assert_false(s.overdue);
  calendar_status_text(&s, "cada luna", false, words, sizeof words);
  assert_string_equal(words, "frecuencia desconocida: 'cada luna'");
  calendar_status_of("monthly", "", at("2026-01-11T10:00:00Z"), -1, &s);
  assert_false(s.scheduled);
  calendar_format f;
  assert_true(calendar_format_parse("csv", &f));
  assert_int_equal(f, CALENDAR_CSV);
  assert_false(calendar_format_parse("xyz", &f));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_frequency_names),
      cmocka_unit_test(test_due_dates),
      cmocka_unit_test(test_status),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
