/* import_int.h — the pieces of the importer shared between its files; not a public interface.
 *
 * import.c orchestrates: source.c opens the file with GDAL (csv_prepare.c first fixes what GDAL's
 * CSV driver cannot: encoding, decimal comma, Spanish headers), schema.c decides the published
 * fields and converts values, geomcheck.c turns each geometry into checked EPSG:4326 WKB, and
 * report.c counts what happened and prints it. */
#ifndef TESELAS_IMPORTERS_IMPORT_INT_H
#define TESELAS_IMPORTERS_IMPORT_INT_H

#include <gdal.h>
#include <geos_c.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "importers/import.h"
#include "privacy/grid.h"
#include "privacy/kanon.h"
#include "privacy/policy.h"
#include "store/store.h"

/* ---- the quality report ------------------------------------------------------------------- */

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
/* A layer with a privacy policy: the examples of the report lose their details (coordinates,
 * values of fields that are not published as read), keeping the counts. */
void report_scrub(import_report *r);
/* The notes keep the number of GDAL's warnings, never their text (which may quote a value of a
 * dropped field). */
void report_scrub_gdal(import_report *r);

/* ---- the source ---------------------------------------------------------------------------- */

typedef struct csv_info {
  bool is_csv;
  char temp_path[256];   /* UTF-8 copy when the file was not UTF-8 ("" otherwise; removed) */
  char open_path[512];   /* what GDAL opens */
  char separator;        /* ',', ';', '\t' or '|' */
  char encoding[32];     /* "UTF-8", "WINDOWS-1252", ... */
  char encoding_note[REPORT_DETAIL_MAX];
  int64_t n_lines;       /* data lines (for progress), -1 unknown */
  int lat_idx, lon_idx, wkt_idx;  /* OGR field indexes, -1 when absent */
  bool decimal_comma;    /* coordinates use a decimal comma */
} csv_info;

/* GDAL's messages while an import runs, captured by a handler pushed for that import (GDAL
 * keeps its handler stack per thread, so this is no global state of ours). */
typedef struct gdal_errors {
  int n_failures;
  char first[ERR_MSG_MAX / 2];
  char last[ERR_MSG_MAX / 2];
  int n_warnings;
  char first_warning[REPORT_DETAIL_MAX];
} gdal_errors;

void gdal_errors_push(gdal_errors *g);
void gdal_errors_pop(void);
/* "first message (last message)" of the failures seen, or fallback when GDAL said nothing. */
const char *gdal_errors_text(const gdal_errors *g, const char *fallback, char *out, size_t len);

typedef struct import_source {
  GDALDatasetH ds;
  OGRLayerH *layers;     /* the layers to read (KML folders: several) */
  size_t n_layers;
  bool folder_field;     /* add the KML folder name as an attribute */
  OGRSpatialReferenceH srs;   /* source CRS (owned clone) or NULL when unknown */
  bool srs_assumed;      /* no CRS in the file: WGS84 assumed while coordinates look geographic */
  int64_t n_total;       /* features, when cheap to know; -1 otherwise */
  csv_info csv;
  char temp_kml[256];    /* KMZ extracted for LIBKML ("" otherwise; removed) */
  char driver[32];
  gdal_errors *gdal;     /* borrowed: the import's captured GDAL messages */
} import_source;

err_code source_open(const import_options *opt, import_source *src, import_report *rep, err *e);
/* Features of all layers when cheap to know (for the progress line), -1 otherwise. */
int64_t source_count(import_source *src);
void source_close(import_source *src);

/* CSV pre-pass (csv_prepare.c): encoding check and conversion, separator, coordinate columns. */
err_code csv_prepare(const char *path, const import_options *opt, csv_info *out, err *e);
/* After GDAL opened the (UTF-8) CSV: find lat/lon/wkt fields by name, accent-insensitively. */
err_code csv_find_columns(OGRFeatureDefnH defn, const import_options *opt, csv_info *csv, err *e);
/* Lower-case ASCII with Spanish accents folded and everything but [a-z0-9] dropped. */
void csv_header_normalize(const char *in, char *out, size_t out_len);
/* Detects the separator of a header line: the most frequent of , ; TAB | outside quotes. */
char csv_detect_separator(const char *line);
/* True when s is valid UTF-8; *bad_at gets the offset of the first invalid byte otherwise. */
bool utf8_valid(const char *s, size_t len, size_t *bad_at);
/* Replaces every byte that is not part of valid UTF-8 with '?', in place (report texts). */
void utf8_sanitize(char *s);

/* Number parsing shared by CSV coordinates and type conversion: whole string, finite, and
 * with a decimal comma accepted when decimal_comma is set. */
bool import_parse_double(const char *s, bool decimal_comma, double *out);

/* ---- the published schema -------------------------------------------------------------------- */

typedef struct schema_field {
  char *src_name;        /* the field's name in the source; NULL: the KML folder name */
  int src_idx;           /* its index in the current layer's definition; -1: absent */
  OGRFieldType src_type;
  OGRFieldSubType src_subtype;
  field_type natural;    /* the type the source gives it (CSV: inferred from the first rows) */
  bool convert;          /* convert text to `type` */
  bool decimal_comma;
  buf scratch;           /* holds the converted text value of the current feature */
} schema_field;

typedef struct import_schema {
  layer_field *fields;   /* what the store publishes (names and labels owned here) */
  schema_field *src;     /* how to get each one from a feature */
  size_t n;
  value *values;         /* one per field, refilled for each feature */
  int id_idx;            /* index in fields of the id checked for duplicates, -1 none */
} import_schema;

err_code schema_build(const import_options *opt, import_source *src, import_schema *out,
                      import_report *rep, err *e);
/* Looks up each field's index in the definition of the layer about to be read. */
void schema_bind_layer(import_schema *s, OGRFeatureDefnH defn);
/* Fills s->values from feature f (record numbers the report). */
void schema_values(import_schema *s, OGRFeatureH f, const char *folder, int64_t record,
                   import_report *rep);
/* True when text shows characters lost in an earlier conversion ('?' standing for a letter,
 * U+FFFD). */
bool schema_text_damaged(const char *text, size_t len);
/* Counts the filled fields of the values just written (fill rates are over published records). */
void schema_count_published(const import_schema *s, import_report *rep);
/* Compares the schema with the published version's (its report) and with what the options
 * expect (--expect-schema, a layer definition's typed fields): every change goes to the report;
 * ERR_INVALID naming each unexpected change. */
err_code schema_compare(const import_options *opt, const import_schema *s, import_report *rep,
                        err *e);
void schema_free(import_schema *s);
/* Text to a typed value; false when it does not fit. The result may point into scratch. */
bool schema_convert_text(const char *s, field_type t, bool decimal_comma, buf *scratch,
                         value *out);
/* "-", "NA", "N/D", "S/D", "null", "sin dato"...: how publishers write "no value" in a column
 * that is otherwise numeric or a date. Stored as null, not counted as a bad value. */
bool schema_null_marker(const char *s);
/* Guesses the type of a CSV column from sample values (NULL entries are empty). */
field_type schema_infer_type(const char *const *samples, size_t n, bool *out_decimal_comma);

/* ---- geometry checks (geomcheck.c) ------------------------------------------------------------ */

typedef struct geom_check {
  GEOSContextHandle_t geos;
  GEOSWKBReader *reader;
  GEOSWKBWriter *writer;
  OGRCoordinateTransformationH ct;  /* NULL when the source is already lon/lat WGS84 */
  bool geographic;       /* source coordinates are degrees: swap detection applies */
  bool no_srs;           /* the file had no CRS (WGS84 assumed) */
  bool fix_swapped;
  double area[4];
  double expect[4];
  buf wkb;
  unsigned char *geos_out;  /* last GEOS WKB, freed on the next call */
  GEOSMakeValidParams *mv;
  char geos_msg[256];
  double *xs, *ys;       /* scratch for PROJ, grown to the longest ring */
  int *ok;
  size_t cap;
  struct geom_centre *centres; /* each accepted record's envelope centre, for geom_check_outliers */
  size_t n_centres, cap_centres;
  int64_t last_record;
} geom_check;

err_code geom_check_init(geom_check *g, const import_options *opt, import_source *src,
                         import_report *rep, err *e);
void geom_check_free(geom_check *g);
/* Checks and converts one geometry (g is modified). Returns 1 with EPSG:4326 WKB in *out, 0 when
 * the record is rejected (the report says why), or -1 for a fatal error (e filled). */
int geom_check_run(geom_check *g, OGRGeometryH geom, int64_t record, import_report *rep,
                   const uint8_t **out_wkb, size_t *out_len, err *e);
/* After the last record: records far from the layer's own distribution (robust outliers in MAD
 * units, and the one-degree shift of a mistyped digit) are reported as ISSUE_SHIFTED. */
void geom_check_outliers(geom_check *g, import_report *rep);
/* The same for the WKB already in g->wkb (a CSV point). */
int geom_check_wkb(geom_check *g, int64_t record, import_report *rep, const uint8_t **out_wkb,
                   size_t *out_len, err *e);
/* Writes a point from CSV coordinate text into g->wkb: 1, or 0 with a report entry when the
 * text is empty or not a number ("NA"), -1 out of memory. A decimal comma is accepted. */
int geom_check_csv_point(geom_check *g, const char *lon, const char *lat, int64_t record,
                         import_report *rep);

/* ---- WKB coordinates (wkb_walk.c) ---------------------------------------------------------- */

/* Calls fn for each run of points of a 2D little-endian WKB (a point, a line, a ring), with a
 * pointer to n interleaved x,y doubles that fn may change in place. False when malformed. */
typedef bool (*wkb_coords_fn)(uint8_t *xy, uint32_t n, void *ud);
bool wkb_walk(uint8_t *wkb, size_t len, wkb_coords_fn fn, void *ud);
/* Envelope of a 2D WKB; false when malformed. NaN coordinates make *out_finite false. */
bool wkb_envelope(uint8_t *wkb, size_t len, double out[4], bool *out_finite);

/* ---- privacy: privacy_fields.c, privacy_points.c, privacy_cells.c, privacy_polygons.c ---- */

/* The polygons of another layer for aggregate:layer=ID (privacy_polygons.c). */
typedef struct polygon_index polygon_index;

err_code polygon_index_load(const char *db_path, const char *layer_id, polygon_index **out,
                            err *e);
void polygon_index_free(polygon_index *ix);
/* The polygon holding (lon, lat): its id as text in out_id (PRIVACY_CELL_ID_MAX bytes); false
 * when no polygon holds the point. */
bool polygon_index_find(polygon_index *ix, double lon, double lat, char *out_id);
/* A polygon's geometry (OGC WKB, EPSG:4326), its feature id and bbox; false for an unknown id. */
bool polygon_index_get(polygon_index *ix, const char *id, const uint8_t **out_wkb,
                       size_t *out_len, int64_t *out_fid, double out_bbox[4]);

/* What the privacy policy of an import needs while it runs. */
typedef struct import_privacy {
  privacy_policy policy;     /* parsed from the options; field decisions added by the check */
  privacy_grid *grid;        /* generalize, aggregate by grid */
  polygon_index *polygons;   /* aggregate by the polygons of another layer */
  privacy_kanon *kn;         /* aggregate, and generalize with k */
  bool counting;             /* generalize with k: the first pass, which only feeds kn */
  bool inherited;            /* no --privacy: the published version's policy is kept */
  bool explicit_none;        /* --privacy none (or a JSON form naming mode none): exact on purpose */
  int *band;                 /* generalize with month: per schema field, 1 = time of day banded */
  char (*band_text)[12];     /* the band of the current record, for text fields ("06:00-12:00") */
  int by_idx[PRIVACY_MAX_BY];/* schema index of each category field (aggregate) */
  int date_idx;              /* schema index of the date field (aggregate), -1 none */
  layer_field out_fields[2]; /* aggregate: what the layer publishes (celda, casos) */
  buf wkb;                   /* the snapped point */
  buf text;                  /* scratch: a category */
  char (*months)[11];        /* generalize with month: one truncated date per schema field */
  int64_t n_withheld;        /* generalize with k: points of cells below k, not written */
  int64_t n_not_point;       /* records that are not points (refused) */
  int64_t n_bad_date;        /* aggregate: dates that are not dates (counted as unknown month) */
  int64_t n_cells;           /* aggregate: features written (published cells) */
} import_privacy;

/* Parses opt->privacy (a spec, or the JSON form) and makes the grid. ERR_INVALID naming the
 * problem. import_privacy_free also after a failure. */
err_code import_privacy_init(import_privacy *p, const import_options *opt, err *e);
void import_privacy_free(import_privacy *p);
/* The checks on the first rows (detect.h): ERR_INVALID listing every personal field neither
 * dropped nor kept (why each looks personal goes to rep's text); ERR_INVALID when a point layer
 * that looks like incidents against people would publish exact locations without --privacy none
 * (recorded in the policy when it was given); under generalize, the source's identifiers leave the
 * schema and (with month) times of day are marked for 6-hour bands, unless kept. Records the
 * decisions in p->policy; resolves the fields the policy names. Reads the source and rewinds it. */
err_code import_privacy_check(import_privacy *p, const import_options *opt, import_source *src,
                              import_schema *schema, import_report *rep, err *e);
/* The fields the writer creates: the schema's, or the aggregate's own. */
const layer_field *import_privacy_fields(const import_privacy *p, const import_schema *s,
                                         size_t *out_n);
/* One checked feature (values already in s->values): 1 with the geometry to write in *wkb and *len
 * (the snapped point), 0 when nothing is written (counted, withheld), -1 with e filled. */
int import_privacy_feature(import_privacy *p, import_schema *s, int64_t record,
                           const uint8_t **wkb, size_t *len, err *e);
/* generalize with k, after the first pass: computes which cells are published. */
err_code import_privacy_end_count(import_privacy *p, err *e);
/* aggregate, after the last feature: k-anonymity, one feature per published cell and the units. */
err_code import_privacy_publish(import_privacy *p, store_writer *w, err *e);
/* The k-anonymity part of the privacy report (privacy_cells.c): JSON members appended to j, lines
 * for people to t. Figures that together would single out fewer than k records are left out. */
void import_privacy_kanon_report(const import_privacy *p, buf *j, buf *t);
/* The policy as catalog JSON (caller frees), and what it did into the report. */
char *import_privacy_catalog_json(const import_privacy *p);
void import_privacy_report(const import_privacy *p, import_report *rep);
/* Why this import's policy publishes less than the layer's published one (a mode that publishes
 * less, a coarser grid, month, a larger k, a field no longer published), a static Spanish phrase,
 * or NULL in *out when it does not (or the layer is new): the earlier versions are then purged. */
err_code import_privacy_purge_reason(const import_privacy *p, const import_options *opt,
                                     const char **out, err *e);
/* layer_meta.bounds_step for this policy (0 when none). */
void import_privacy_bounds_step(const import_privacy *p, double out[2]);

#endif
