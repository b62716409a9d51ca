/* features.h — OGC API - Features for teselas (Part 1 core, GeoJSON, HTML, OpenAPI 3.0, and the
 * text encoding of CQL2 basic + spatial filters from Part 3).
 *
 * What it does: turns query parameters into a typed request (every value checked, every field
 * name checked against the catalog, the conditions a predicate tree of query/query.h that only
 * store/ turns into SQL), writes the answers
 * (GeoJSON, CSV, HTML), the documents of the API (landing page, conformance, collections,
 * queryables, OpenAPI), whole-layer downloads streamed with bounded memory, and counts by group.
 * What it does not: HTTP. A handler hands it key/value pairs and a base URL, calls one function,
 * and sends what it wrote. Errors are ERR_INVALID with a message that starts with the name of the
 * parameter at fault ("bbox: ..."), ERR_NOT_FOUND for an unknown feature, or a server-side kind. */
#ifndef TESELAS_FEATURES_H
#define TESELAS_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "geom/geom.h"
#include "store/store.h"

/* /req/core/fc-limit-definition: default 100, maximum 10,000; larger values are clamped
 * (/req/core/fc-limit-response-1 lets the server return fewer than asked). */
enum { FEATURES_LIMIT_DEFAULT = 100, FEATURES_LIMIT_MAX = 10000 };

typedef enum features_format {
  FEATURES_GEOJSON = 0, /* application/geo+json (items) or application/json (documents) */
  FEATURES_CSV,
  FEATURES_HTML,
  FEATURES_GPKG         /* downloads only */
} features_format;

/* What a request is for: decides which parameters it accepts. */
typedef enum features_use {
  FEATURES_USE_ITEMS = 0, /* /collections/{id}/items */
  FEATURES_USE_ITEM,      /* /collections/{id}/items/{fid}: only f */
  FEATURES_USE_DOWNLOAD,  /* whole-layer download: filters, no limit/offset/near/sortby */
  FEATURES_USE_AGGREGATE, /* counts by group: filters and `by` */
  FEATURES_USE_TILE       /* a vector tile's filter: datetime, filter (filter-lang, filter-crs)
                             and PROP=VALUE, with the items' checks; `v` (the layer versions in
                             TileJSON's tile URLs) is accepted and ignored */
} features_use;

/* One query argument, decoded. */
typedef struct features_kv {
  const char *key;
  const char *value; /* "" when the argument has no value */
} features_kv;

/* A parsed, validated request. Everything lives in the arena given to features_request_parse
 * except layer, which belongs to the caller's catalog snapshot. */
typedef struct features_request {
  const layer_info *layer;
  features_use use;
  features_format format;
  bool has_bbox;
  double bbox[4];            /* minx, miny, maxx, maxy in CRS84; minx > maxx crosses 180° */
  int64_t limit;             /* items: 1..FEATURES_LIMIT_MAX; others: -1 (all) */
  int64_t offset;             /* for numbering and prev links; see after_id */
  bool has_after;
  int64_t after_id;           /* after=ID: keyset paging in id order (what next links use, so
                                 walking a million features costs the same per page) */
  bool has_near;
  double near[2];            /* lon, lat: nearest first, with distance_m */
  const char **fields;       /* properties to write (all the layer's by default) */
  size_t n_fields;
  const query_sort *sort;    /* sortby keys (n_sort 0: feature id order) */
  size_t n_sort;
  const query_pred *where;   /* PROP=VALUE, datetime and filter, AND-ed; NULL when none */
  bool csv_bom;              /* bom=true: UTF-8 byte-order mark for spreadsheet programs */
  const char *by;            /* aggregate: a field name, or "month" of the layer's date field */
  const features_kv *args;   /* the arguments as received, repeated in next/prev links */
  size_t n_args;
} features_request;

/* Parses args for `use` on layer l. default_format is what content negotiation chose when there
 * is no f parameter. Unknown parameters that are not field names are refused
 * (/req/core/query-param-unknown); repeated parameters too. Errors: ERR_INVALID naming the
 * parameter, ERR_NOMEM when the arena fails. */
err_code features_request_parse(const layer_info *l, features_use use, const features_kv *args,
                                size_t n_args, features_format default_format, arena *a,
                                features_request *out, err *e);

/* Appends args as URL query arguments "k=v&k2=v2", percent-encoded as the items' links are,
 * with sep ('?' or '&') before the first, leaving out the keys listed in skip (NULL-terminated;
 * skip may be NULL). Returns how many were written (0: nothing, not even sep). */
size_t features_put_query(buf *b, char sep, const features_kv *args, size_t n_args,
                          const char *const *skip);

/* The store query of a request (borrows its memory). */
void features_request_query(const features_request *r, store_query *out);

/* Parses f=json|geojson|csv|html|gpkg; NULL keeps *out (the negotiated default). */
err_code features_format_parse(const char *f, features_format *out, err *e);
/* Media type of a format for items ("application/geo+json", "text/csv; charset=utf-8", ...). */
const char *features_format_mime(features_format f);

/* ---- the answers (items.c) ---------------------------------------------------------------- */

/* Writes the items of r in r->format to out: a GeoJSON FeatureCollection with numberMatched (left
 * out above 1,000 matches when counting would cost a read of each; see items.c),
 * numberReturned, timeStamp and self/alternate/next/prev/collection links whose hrefs start with
 * base_url and repeat every argument of r (only the offset changes); or CSV; or an HTML page.
 * Scratch memory from a; the body in out. Errors: ERR_DB, ERR_NOMEM, ERR_LIMIT (out is full). */
err_code features_items_write(store_reader *rd, const features_request *r, const char *base_url,
                              arena *a, buf *out, err *e);

/* Writes feature fid (decimal text) of layer l as a GeoJSON Feature with links, or an HTML page.
 * ERR_NOT_FOUND when there is no such feature (including a fid that is not a number). */
err_code features_item_write(store_reader *rd, const layer_info *l, const char *fid,
                             features_format f, const char *base_url, arena *a, buf *out, err *e);

/* ---- counts by group (aggregate.c) --------------------------------------------------------- */

/* Writes {"collection","by","groups":[{"key","count"}],"total","suppressed_groups","min_count"}
 * for r->by over the features that match r: the exact counts of the records /items lists for the
 * same conditions (layers with privacy none or generalize: their records are published one by
 * one, so no group is withheld; aggregate layers go through features_units_write). */
err_code features_aggregate_write(store_reader *rd, const features_request *r, buf *out, err *e);

/* The minimum count of a group this path publishes for layer l: 1 (see aggregate.c). */
int64_t features_privacy_min_count(const layer_info *l);

/* ---- privacy policies (privacy.c) ----------------------------------------------------------- */

struct privacy_policy;
/* Layer l's policy (privacy/policy.h). A policy that does not parse is ERR_NOT_FOUND: such a
 * layer is not served at all rather than served unprotected. */
err_code features_layer_policy(const layer_info *l, struct privacy_policy *out, err *e);
/* True for a layer published only as counts (privacy mode aggregate). */
bool features_layer_is_aggregate(const layer_info *l);
/* /collections/{id}/aggregate of an aggregate layer, answered only from its published units:
 * bbox (the cells whose box meets it), by = a category field of the policy, "category" or
 * "month", and a category filter FIELD=VALUE naming every category field. Writes the same JSON as
 * features_aggregate_write (plus "k"). ERR_INVALID naming a parameter (never echoing a value). */
err_code features_units_write(store_reader *rd, const layer_info *l, const features_kv *args,
                              size_t n_args, buf *out, err *e);

/* ---- whole-layer downloads (download.c) -------------------------------------------------- */

/* Decodes a feature's geometry into a (an empty geom when it has none or the decoder refuses it:
 * a broken stored geometry is written as null rather than failing the whole answer). */
void features_decode(const store_feature *f, arena *a, geom *out);

/* Writes the rows of download request r, read from rd, to a new file at path: a format this
 * module streams but does not write, the GeoPackage (export/export.h), because GDAL is linked by
 * the modules above this one only. */
typedef err_code (*features_file_fn)(store_reader *rd, const features_request *r,
                                     const char *path, err *e);

typedef struct features_download {
  const char *db_path;
  const char *layer_id;
  features_format format;      /* GeoJSON, CSV or GeoPackage */
  const features_kv *args;
  size_t n_args;
  features_file_fn write_file; /* the GeoPackage's writer (NULL: that format is refused) */
  int busy_timeout_ms;         /* a SpatiaLite file's lock wait; 0: STORE_BUSY_TIMEOUT_MS */
} features_download;

typedef struct features_stream features_stream;

/* Opens a download of layer d->layer_id in d->format with the filters of d->args (bbox,
 * datetime, filter, PROP=VALUE, properties). The stream owns its own read-only connection and
 * copies of everything, so it outlives the request and never blocks the worker's connection;
 * its memory stays bounded whatever the layer's size. A GeoPackage is written by d->write_file
 * to an unlinked temporary file first. Caller owns; features_stream_close. Errors as
 * features_request_parse, ERR_NOT_FOUND for an unknown layer, ERR_IO, ERR_DB. */
err_code features_stream_open(const features_download *d, features_stream **out, err *e);
/* Copies up to max bytes of the body into out: returns the count, 0 at the end, -1 on error. */
long features_stream_read(features_stream *s, char *out, size_t max);
void features_stream_close(features_stream *s);
/* File extension of a download format ("geojson", "csv", "gpkg"). */
const char *features_format_ext(features_format f);

/* ---- the documents of the API (ogc.c, openapi.c) ------------------------------------------ */

typedef struct features_site {
  const char *base_url; /* "http://host:port", no trailing slash */
  const char *title;
  const char *description;
} features_site;

/* Each writes JSON (FEATURES_GEOJSON) or an HTML page (FEATURES_HTML) to out. */
/* The landing page lists the collections too ("layers": id, title, counts), as the first JSON
 * landing page of teselas did, so its consumers keep working. */
err_code features_doc_landing(const features_site *s, const catalog *c, features_format f,
                              buf *out, err *e);
err_code features_doc_conformance(const features_site *s, features_format f, buf *out, err *e);
err_code features_doc_collections(const features_site *s, store_reader *rd, const catalog *c,
                                  features_format f, buf *out, err *e);
err_code features_doc_collection(const features_site *s, store_reader *rd, const layer_info *l,
                                 features_format f, buf *out, err *e);
/* JSON Schema of the queryable fields of l (Part 3, /req/queryables). */
err_code features_doc_queryables(const features_site *s, const layer_info *l, features_format f,
                                 buf *out, err *e);
/* The URL of a known licence ("CC BY 4.0", "Licencia de libre uso MX", or an http(s) URL
 * itself), or NULL. Static or the argument; nothing to free. */
const char *features_license_url(const char *name);
/* The conformance classes /conformance declares; *out points at static strings. */
size_t features_conformance_classes(const char *const **out);
/* The OpenAPI 3.0 document: features_doc_openapi in api_doc.h. */

#endif
