/* source_int.h — the file being imported as GDAL opens it (source.c), after csv_prepare.c has fixed
 * what GDAL's CSV driver cannot (encoding, decimal comma, Spanish headers). Private to importers/. */
#ifndef TESELAS_IMPORTERS_SOURCE_INT_H
#define TESELAS_IMPORTERS_SOURCE_INT_H

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "importers/guard_int.h"
#include "importers/report_int.h"

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
  int n_fetches;         /* downloads GDAL asked for (all refused) */
  char first_fetch[160];
} gdal_errors;

/* Pushes the handler of GDAL's messages and a refusal of every download GDAL asks for (both per
 * thread), recording into g; pop undoes both. */
void gdal_errors_push(gdal_errors *g);
void gdal_errors_pop(void);
/* The refusal of downloads alone (guard.c), which gdal_errors_push/pop call. */
void guard_fetch_push(gdal_errors *g);
void guard_fetch_pop(void);
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

#endif
