/* calendar.h — the update calendar: when each layer's next delivery is due, and which are late.
 *
 * A layer's `frequency` (the catalog's text: "monthly", "trimestral", "ANNUAL", an EU frequency
 * IRI...) is normalised to one canonical name at import; its period, added to the time of its
 * last version (the history's imported_at), is the next delivery's due date. A layer is late once
 * the due date plus a grace period has passed; how late is counted from the due date itself.
 *
 * Pure functions of their arguments (the time "now" is one of them, so tests and `--now` choose
 * it): no clock, no SQL, no HTTP. The report of deliveries per publisher (calendar_report_*) reads
 * the history through store/. */
#ifndef TESELAS_CALENDAR_H
#define TESELAS_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

typedef enum calendar_freq {
  CALENDAR_NONE = 0,   /* no frequency stated */
  CALENDAR_UNKNOWN,    /* a text the calendar does not know: no due date, and it says so */
  CALENDAR_ON_EVENT,   /* published when something changes: never late */
  CALENDAR_DAILY,
  CALENDAR_WEEKLY,
  CALENDAR_MONTHLY,
  CALENDAR_BIMONTHLY,
  CALENDAR_QUARTERLY,
  CALENDAR_FOUR_MONTHLY,
  CALENDAR_SEMIANNUAL,
  CALENDAR_YEARLY,
  CALENDAR_BIENNIAL
} calendar_freq;

/* The frequency a text names: English, DCAT/Dublin Core and EU vocabulary names (the IRI's last
 * segment, or the whole IRI), and Spanish ones, in any case, accents optional ("Mensual",
 * "trimestral", "ANNUAL_2", "por evento"). "" or NULL is CALENDAR_NONE; anything else not known is
 * CALENDAR_UNKNOWN. */
calendar_freq calendar_freq_parse(const char *text);
/* The canonical name stored in the catalog: "monthly", "quarterly", "semiannual", "yearly",
 * "weekly", "daily", "bimonthly", "four-monthly", "biennial", "on event"; "" for NONE and
 * UNKNOWN. */
const char *calendar_freq_name(calendar_freq f);
/* The EU frequency vocabulary code (MONTHLY, ANNUAL_2, IRREG...), NULL for NONE and UNKNOWN. */
const char *calendar_freq_eu_code(calendar_freq f);
/* The text an import stores for `text`: its canonical name, "" for none. ERR_INVALID for a
 * frequency not known, with a message naming it and listing the accepted names. */
err_code calendar_freq_normalize(const char *text, const char **out_name, err *e);
/* The default grace in days for a frequency (see grace.c for why); -1 when it has no period. */
int calendar_default_grace_days(calendar_freq f);

/* "YYYY-MM-DDTHH:MM:SSZ" (or a date "YYYY-MM-DD", midnight UTC) to Unix seconds; false when
 * the text is not one. */
bool calendar_parse_iso(const char *text, int64_t *out);
/* Unix seconds to "YYYY-MM-DDTHH:MM:SSZ" (out holds at least 21 bytes). */
void calendar_format_iso(int64_t t, char out[32]);
/* The due date of the delivery after one made at `last`: the period added in calendar months
 * (the same day of the month, or the month's last day when it has fewer: 31 January + 1 month is
 * 28 or 29 February) or in days (weekly, daily). False for a frequency without a period. */
bool calendar_due(calendar_freq f, int64_t last, int64_t *out_due);

/* Where one layer stands. */
typedef struct calendar_status {
  calendar_freq freq;
  bool scheduled;       /* the frequency has a period and the last delivery's time is known */
  int64_t last;         /* the last delivery (Unix seconds), -1 when unknown */
  int64_t due;          /* the next delivery's due date, when scheduled */
  int grace_days;       /* the grace applied, when scheduled */
  bool overdue;         /* now is past due + grace */
  int64_t overdue_s;    /* now - due when overdue, else 0 */
  int64_t days_late;    /* whole days since the due date when overdue, else 0 */
} calendar_status;

/* The status of a layer whose frequency is `frequency` and whose last version was made at
 * `last_iso` (NULL or "" when unknown), at time now. grace_days < 0: the frequency's default. */
void calendar_status_of(const char *frequency, const char *last_iso, int64_t now, int grace_days,
                        calendar_status *out);
/* The same for a catalog entry: its last delivery is layer_info.delivered_at. */
void calendar_layer_status(const layer_info *l, int64_t now, int grace_days, calendar_status *out);

/* Where a layer stands, in words for people: "atrasada 12 días" / "12 days late", "al día",
 * "por evento (sin fecha)", "frecuencia desconocida: 'cada luna'", "sin frecuencia". */
void calendar_status_text(const calendar_status *s, const char *frequency, bool english,
                          char *out, size_t cap);

/* ---- the report of deliveries per publisher (report.c, report_write.c) ---------------------- */

enum { CALENDAR_TREND_VERSIONS = 5 }; /* versions the trend of the quality figures looks at */

/* The quality figures of one version, from its report in the history. */
typedef struct calendar_quality {
  int64_t version;
  char imported_at[32];
  bool has_figures;     /* false for a purged or removed version's report */
  int64_t read, imported, rejected, repaired, warnings;
} calendar_quality;

typedef struct calendar_layer_report {
  const layer_info *layer;    /* borrowed from the catalog the report was made from */
  calendar_status status;
  calendar_quality recent[CALENDAR_TREND_VERSIONS]; /* newest first */
  size_t n_recent;
  const char *trend;          /* "mejora", "empeora", "estable" or "" (fewer than two figures) */
} calendar_layer_report;

typedef struct calendar_report {
  int64_t now;
  int grace_days;             /* as asked; -1: each frequency's default */
  calendar_layer_report *layers; /* grouped by publisher (publisher, then id order) */
  size_t n_layers;
  size_t n_overdue;
} calendar_report;

/* Builds the report of every layer of c, reading the last versions' reports through r. Caller
 * owns; calendar_report_free. ERR_NOMEM, ERR_DB. */
err_code calendar_report_build(store_reader *r, const catalog *c, int64_t now, int grace_days,
                               calendar_report *out, err *e);
void calendar_report_free(calendar_report *rep);

typedef enum calendar_format {
  CALENDAR_TEXT, CALENDAR_JSON, CALENDAR_CSV, CALENDAR_HTML
} calendar_format;
/* Parses "text", "json", "csv", "html"; false for anything else. */
bool calendar_format_parse(const char *s, calendar_format *out);
/* Writes the report in a format to out. ERR_NOMEM (out failed). */
err_code calendar_report_write(const calendar_report *rep, calendar_format f, buf *out, err *e);

#endif
