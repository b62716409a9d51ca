/* report_int.h — the importer's quality report (report.c): what happened to each record and field,
 * counted, and printed as JSON and text. Private to importers/. */
#ifndef TESELAS_IMPORTERS_REPORT_INT_H
#define TESELAS_IMPORTERS_REPORT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "importers/import.h"
#include "store/store.h"

/* What can happen to one record. The first group rejects it; the second only warns. */
typedef enum issue_kind {
  ISSUE_NO_GEOMETRY = 0,
  ISSUE_EMPTY,
  ISSUE_BAD_COORDS,     /* CSV: empty or non-numeric coordinate columns */
  ISSUE_BAD_WKT,
  ISSUE_NAN,
  ISSUE_OUT_OF_RANGE,
  ISSUE_TRANSFORM,
  ISSUE_INVALID,        /* invalid geometry that GEOS could not repair */
  ISSUE_N_REJECT,
  ISSUE_REPAIRED = ISSUE_N_REJECT,
  ISSUE_SWAPPED,        /* latitude and longitude look swapped */
  ISSUE_POSITIVE_LON,   /* longitude lost its minus sign (west of Greenwich) */
  ISSUE_OUTSIDE,        /* outside the expected area */
  ISSUE_SHIFTED,        /* far from the rest of the layer (robust outlier, e.g. one degree off) */
  ISSUE_BAD_VALUE,      /* an attribute value does not fit the field's type */
  ISSUE_TEXT_DAMAGE,    /* text with characters lost in an earlier conversion ('?', U+FFFD) */
  ISSUE_N
} issue_kind;

enum { REPORT_EXAMPLES = 10, REPORT_DETAIL_MAX = 200, REPORT_FIELD_RECORDS = 5 };

typedef struct report_example {
  int64_t record;
  char detail[REPORT_DETAIL_MAX];
} report_example;

typedef struct report_field {
  char *name;           /* published name */
  char *source_name;
  field_type type;
  field_type source_type; /* the source's own type (before a declared conversion) */
  int64_t n_filled;
  int64_t n_bad;        /* values that did not fit the type (stored as null) */
  char bad_example[64];
  int64_t bad_record;
  int64_t n_damaged;    /* text values with lost characters (never shown: only record numbers) */
  int64_t damaged_records[REPORT_FIELD_RECORDS];
  int64_t n_whole, n_decimal; /* text values that read as whole / decimal numbers */
  int64_t n_marker;     /* text values a conversion reads as no value ("-", "N/D") */
  bool code_like;       /* one was written with a leading zero ("0261"): a code, not a quantity */
  int64_t n_geometry;   /* text values that are a geometry again (GeoJSON or WKT) */
} report_field;

/* How the published fields changed from the version before (schema.c). */
typedef struct schema_change {
  char name[128];
  char from[16];        /* "" for an added field */
  char to[16];          /* "" for a removed field */
} schema_change;

typedef struct import_report {
  char layer_id[64];
  char source_name[256];
  char sha256[65];
  char options_sha256[65];
  char driver[32];
  char source_layer[128];
  char crs[128];
  char encoding[32];
  char csv_separator[8];
  bool decimal_comma;
  int64_t n_read, n_imported, n_rejected, n_swapped_fixed, n_lon_fixed, n_recoded;
  /* the records were being read: false when the import stopped before (its fields, the privacy
   * policy, the box), so "0 read" does not read as an empty file */
  bool reading;
  int64_t counts[ISSUE_N];
  report_example examples[ISSUE_N][REPORT_EXAMPLES];
  size_t n_examples[ISSUE_N];
  char id_field[64];
  int64_t n_duplicate_ids;
  char duplicate_example[128];
  report_field *fields;
  size_t n_fields;
  char notes[8][REPORT_DETAIL_MAX];
  size_t n_notes;
  bool has_previous;    /* a version was published before: changes are relative to it */
  schema_change changes[32];
  size_t n_changes;     /* listed in changes (at most 32) */
  int64_t n_changes_total;
  int64_t shifted_records[256]; /* every record ISSUE_SHIFTED names (up to 256) */
  size_t n_shifted_records;
  double area[4];       /* the box "outside the expected area" is checked against (CRS84) */
  const char *area_from;/* where it came from: "expect_bbox", "area", "catalog" or "default" */
  char fields_declared[65]; /* hash of a layer definition's fields ("" without one) */
  char *privacy_json;   /* malloc'd: what the privacy policy did (report_privacy_set), or NULL */
  char *privacy_text;   /* malloc'd: the same for people, or NULL */
  const char *status;   /* "published", "unchanged", "rejected" */
  char message[ERR_MSG_MAX];
  int64_t version;
  double elapsed_s;
} import_report;

void report_issue(import_report *r, issue_kind k, int64_t record, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void report_note(import_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool issue_rejects(issue_kind k);
/* A share as a percentage with one decimal, rounded down: 100 only when part == whole, never
 * above 100, and above 0 whenever part > 0 (so 99.96 % of fields filled never reads "100"). */
double report_pct(int64_t part, int64_t whole);
void report_schema_change(import_report *r, const char *name, const char *from, const char *to);
/* The report as JSON text / readable Spanish text. Caller frees; NULL when out of memory. */
char *report_to_json(const import_report *r);
char *report_to_text(const import_report *r);
void report_free_fields(import_report *r);
/* The type a text field of numbers could be stored as ("integer", "real"), or NULL: every value
 * a number or a no-value marker ("-"), none written as a code (a leading zero), and the name not
 * a key's (cve_, clave, id). */
const char *report_numeric_text(const report_field *f);
/* True when most values of f are geometries written as text: a copy of the geometry in every
 * tile, page and download that the map never uses. */
bool report_geometry_text(const report_field *f);
/* A layer with a privacy policy: the examples of the report lose their details (coordinates,
 * values of fields that are not published as read), keeping the counts. */
void report_scrub(import_report *r);
/* The notes keep the number of GDAL's warnings, never their text (which may quote a value of a
 * dropped field). */
void report_scrub_gdal(import_report *r);

#endif
