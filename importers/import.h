/* import.h — `teselas import`: any file a municipal department publishes (CSV, GeoJSON,
 * GeoJSON sequences, Shapefile or a .zip holding one, KML/KMZ, GeoPackage, GPX), read with
 * GDAL/OGR, transformed with PROJ to EPSG:4326 lon/lat, checked and repaired with GEOS, described
 * by a quality report, and written as one new layer version in one transaction.
 *
 * A failed import (unreadable file, no valid feature, kill -9) leaves the database as it was.
 * Memory stays bounded: features are streamed one at a time; the report keeps counters and a
 * fixed number of examples; duplicate ids are counted by SQL over the staging table. */
#ifndef TESELAS_IMPORTERS_IMPORT_H
#define TESELAS_IMPORTERS_IMPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "core/value.h"

/* What to do with one source field. From --fields/--rename/--types or a layers/ definition. */
typedef struct import_field_spec {
  const char *name;      /* the field as the source names it */
  const char *rename_to; /* published name, or NULL */
  const char *label;     /* human label, or NULL (the name) */
  const char *description, *unit; /* for the data dictionary, or NULL */
  bool has_type;         /* convert to `type`, counting values that do not fit */
  field_type type;
} import_field_spec;

/* Bounds on what one file may cost, so that a hostile upload (a zip bomb, a CSV of one 100 MB
 * line, a .dbf that claims a billion records) is refused before it costs it. 0 takes the default
 * (import_limits_default); the --max-* flags of `teselas import` set them by name. */
typedef struct import_limits {
  int64_t file_mb;       /* size of the file as given (default 2048) */
  int64_t rows;          /* records read, and records a .dbf or CSV announces (10,000,000) */
  int64_t fields;        /* fields of a layer (1000) */
  int64_t line_kb;       /* one CSV line (16384: a WKT polygon of a municipality fits) */
  int64_t seconds;       /* reading the features (3600) */
  int64_t unzipped_mb;   /* a .zip or .kmz: all its entries uncompressed (4096) */
  int64_t zip_ratio;     /* a .zip or .kmz: uncompressed size / archive size (100) */
} import_limits;

typedef struct import_options {
  const char *path;          /* the source file */
  const char *db_path;
  const char *layer_id;
  const char *source_layer;  /* layer of a GeoPackage/KML/GPX; NULL: the first (KML: all) */
  const char *source_srs;    /* overrides the file's CRS: "EPSG:6372", WKT, PROJ string */
  const char *lat_col, *lon_col, *wkt_col;  /* CSV: coordinate columns (NULL: detect) */
  const char *encoding;      /* CSV/DBF text encoding (NULL: detect) */
  const char *id_field;      /* field checked for duplicates (NULL: detect id/fid/gid/...) */
  const import_field_spec *specs;
  size_t n_specs;
  bool only_spec_fields;     /* publish only the fields named in specs, in that order */
  /* catalog metadata (NULL keeps the previous version's value) */
  const char *title, *description, *license, *publisher, *frequency, *keywords;
  const char *privacy;       /* privacy policy: a spec (privacy/policy.h: "generalize:grid=250")
                                or its JSON form ("{}", {"mode":...}); NULL: none */
  const char *const *drop;   /* fields never written (--drop): not even a column */
  size_t n_drop;
  const char *const *keep;   /* personal-looking fields published on purpose (--keep-field) */
  size_t n_keep;
  const char *date_field;
  bool guess_date_field;     /* date_field NULL: the file's one date or datetime field is the
                                layer's (teselas import; a definition says its own or none) */
  const char *expect_schema; /* NULL: changes of fields are reported only; "same": any change
                                from the published version refuses the import; otherwise a list
                                "name:type,name:type" that must be the published fields exactly */
  const char *style;         /* the automatic style's choice, JSON: {"by": F} or
                                {"graduated": F, "classes": N}; NULL: chosen from the data */
  bool fix_swapped;          /* swap lat/lon and restore lost minus signs instead of reporting */
  bool has_expect_bbox;
  double expect_bbox[4];     /* minx, miny, maxx, maxy (CRS84): features outside are reported */
  bool has_area;
  double area[4];            /* area of interest for swap detection and, without expect_bbox,
                                for features outside it; default: the catalog's area of
                                interest stored in the database (store_area_get), else Mexico */
  int keep_versions;         /* default 3 */
  bool sample;               /* generated sample data: the catalog says so (layer_info.sample) */
  bool force;                /* import even when the source and options are unchanged */
  const char *fingerprint_extra; /* mixed into the options fingerprint (publish: the definition) */
  const char *review_by;     /* an upload over HTTP by this account: a version whose privacy
                                policy is not none, or that the personal-data detector made
                                someone decide about (a field dropped or kept, exact locations
                                of incidents), waits for a reviewer (IMPORT_PENDING) instead of
                                being published. NULL (the CLI, a trusted shell): published */
  FILE *progress;            /* a progress line goes here (a terminal), or NULL for none */
  import_limits limits;      /* zeros: the defaults */
  int busy_timeout_ms;       /* how long to wait for the database's write lock (0: 30 s) */
  const struct import_gate *gate; /* the audit line of the publication, or NULL (import_gate) */
} import_options;

/* Run inside the import's transaction after its last change and before its COMMIT (over
 * PostgreSQL, before the private copy is shipped): version is the new version, review the review
 * it waits in (0: published). Its failure rolls the import back, so a publication whose audit
 * line cannot be written does not happen. Not run when nothing is written (unchanged, rejected). */
typedef struct import_gate {
  err_code (*fn)(void *ctx, int64_t version, int64_t review, err *e);
  void *ctx;
} import_gate;

typedef enum import_status {
  IMPORT_PUBLISHED = 0,  /* a new version is live (maybe with warnings) */
  IMPORT_UNCHANGED,      /* same source and options as the current version: nothing written */
  IMPORT_REJECTED,       /* nothing written; the report says why */
  IMPORT_PENDING         /* a new version written but not published: it waits for review
                            (import_options.review_by); the published one is still served */
} import_status;

typedef struct import_result {
  import_status status;
  int64_t version;       /* the new version (PUBLISHED, PENDING) or the current one (UNCHANGED) */
  int64_t review;        /* PENDING: the review's number (store_reviews_scan) */
  int64_t n_imported;
  int64_t n_rejected;    /* records refused (no geometry, bad coordinates, ...) */
  int64_t n_warnings;    /* records published with a warning (repaired, swapped, outside the
                            area, a value that did not fit) plus repeated ids */
  char *report_json;     /* malloc'd; the quality report (also stored in the database) */
  char *report_text;     /* malloc'd; the same, for people (Spanish) */
} import_result;

/* Runs one import. Without opt->has_area, the area is the catalog's area of interest when the
 * database stores one (store_area_get), else Mexico. Returns ERR_OK for PUBLISHED and UNCHANGED;
 * on rejection returns the error kind with a one-line message in e, and still fills the report
 * when one was made. The caller frees the result with import_result_free. */
err_code import_run(const import_options *opt, import_result *out, err *e);
void import_result_free(import_result *r);

/* The defaults of import_limits. */
void import_limits_default(import_limits *out);

/* Restricts GDAL, once per process, to what teselas imports: only the drivers of the formats
 * above (no VRT, WMS, WFS or any driver that reads other files or the network), no HTTP fetch,
 * no /vsicurl/ and no PROJ network. Call it at start-up before threads exist; import_run calls it
 * too (idempotent and thread-safe), so a library user is safe without it. */
void import_gdal_setup(void);

/* The default area of interest (Mexico: lon -118.5..-86.5, lat 14.3..32.8). */
void import_default_area(double out[4]);

#endif
