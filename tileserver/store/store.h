/* store.h — the only module that knows SQL.
 *
 * Its interface speaks of layers, versions, boxes, predicates (query/query.h) and feature
 * streams, never of SQL text, so the same API can later run over PostGIS (DESIGN.md, growth
 * path): a filter arrives as a predicate tree and each backend compiles it.
 *
 * The database: one SpatiaLite file in WAL mode. One table per layer *version* (geometry in
 * EPSG:4326 with a spatial index), a catalog table `teselas_layers` pointing at the current version
 * of each layer, and `teselas_history` with one row per imported version. Publishing a version is
 * one transaction that fills the new table and repoints the catalog, so readers see either the old
 * or the new version, never a mix, and a killed import leaves nothing behind. */
#ifndef TESELAS_STORE_H
#define TESELAS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/value.h"
#include "query/query.h"

/* ---- the catalog ---------------------------------------------------------------------- */

typedef struct layer_field {
  char *name;      /* column name as published */
  char *label;     /* human label (Spanish by default); may equal name */
  field_type type;
} layer_field;

/* What a layer definition says of a published field for its data dictionary, apart from
 * layer_field so the many literal layer_field tables need no change. */
typedef struct layer_field_doc {
  char *name;        /* the published field */
  char *description; /* "" when unset */
  char *unit;        /* "m²", "habitantes"; "" when unset */
} layer_field_doc;

/* Everything the catalog says about one layer. Strings are never NULL ("" when unset). */
typedef struct layer_info {
  char *id;
  char *title;
  char *description;
  char *geometry_type;   /* "Point", "LineString", "Polygon" (multi kept in the data) */
  char *license;
  char *publisher;
  char *frequency;       /* "monthly", "quarterly", "yearly", "on event" */
  char *keywords;
  char *updated_at;      /* ISO 8601 UTC */
  char *source_name;
  char *source_sha256;
  char *privacy;         /* JSON object text; "{}" when none */
  char *report;          /* JSON quality report of the last import; "{}" when none */
  char *table_name;      /* internal: the table holding the current version */
  char *date_field;      /* the field used for datetime queries, "" when none */
  double bounds[4];      /* minx, miny, maxx, maxy in CRS84 */
  int64_t feature_count;
  int64_t version;
  int minzoom, maxzoom;
  bool sample;           /* generated sample data, not official */
  bool has_lod;          /* its table holds lighter copies of the geometries for low zooms */
  bool has_tile_lines;   /* its lines are also stored ranked for tiles (<table>_tile_lines) */
  bool tile_lines_inline; /* PostgreSQL: and in its version table's own teselas_g* columns */
  bool aggregate;        /* derived from privacy (layer_privacy_is_aggregate): published as counts
                            per cell, each feature a figure, never a record */
  layer_field *fields;
  size_t n_fields;
  layer_field_doc *field_docs; /* n_fields of them, in the order of fields */
  char *style;           /* JSON: the automatic style chosen at import from the data (field,
                            categories with their counts, class limits, label field); "{}" */
  char *delivered_at;    /* ISO 8601 UTC: when the current version was imported (the history's
                            imported_at), the last delivery the update calendar counts from */
  char *issued_at;       /* ISO 8601 UTC: when the layer's first version was imported (since its
                            last removal, if any): DCAT's dct:issued */
} layer_info;

/* An immutable snapshot of the catalog. */
typedef struct catalog {
  layer_info *layers;
  size_t n_layers;
  int64_t data_version;  /* changes whenever another connection committed */
} catalog;

const layer_info *catalog_find(const catalog *c, const char *id, size_t id_len);
const layer_field *layer_find_field(const layer_info *l, const char *name);
/* The field l's names are drawn from (one rule for the automatic styles and the label points of
 * the vector tiles): the label field of its stored style choice (l->style "label"), else, for a
 * version stored before choices were recorded, its first text field of a usual name (nombre,
 * name, titulo, title, nom). NULL when it has none. Points into l. */
const layer_field *layer_label_field(const layer_info *l);
/* True when privacy, a layer's privacy JSON (layer_info.privacy), publishes it as counts per
 * cell (mode "aggregate"). Every reader of a catalog entry sets layer_info.aggregate from it. */
bool layer_privacy_is_aggregate(const char *privacy);
void catalog_destroy(catalog *c);

/* ---- read side: one connection per worker thread -------------------------------------------- */

typedef struct store_reader store_reader;

/* True when db names a PostgreSQL database (a libpq URI, postgresql:// or postgres://) rather
 * than a SpatiaLite file. Over PostgreSQL the reads of this header work (reader, catalog,
 * queries, counts, groups, time extents, aggregate counts, history, deliveries) and the writes
 * of a layer version (import, publish, remove, rollback: store_pg_write_begin below), the
 * accounts, tokens, sessions, audit log and reviews, diffs (each version compared pulled into a
 * private SpatiaLite copy: pg_diff.c) and settings. */
bool store_db_is_pg(const char *db);

/* Copies the whole catalog of the SpatiaLite file `from` into the PostgreSQL database `to`
 * (schema `schema`, created; it must hold no teselas catalog yet): every layer version's table
 * with a GiST index, the history, quality reports, styles, aggregate counts, settings and the
 * side tables of lines, in one transaction, so a failure leaves the target as it was. *out_n
 * (may be NULL) gets the number of version tables copied. ERR_INVALID (not a teselas file, a
 * target that already holds a catalog, a row PostgreSQL cannot take: named with its table and
 * row), ERR_IO (cannot open or connect), ERR_DB. */
err_code store_copy(const char *from, const char *to, const char *schema, int64_t *out_n, err *e);
/* store_copy, reading `from` with busy_ms (0: STORE_WRITE_WAIT_MS) of wait for a writer's lock
 * (a file in rollback-journal mode being written): past it, ERR_DB saying busy. */
err_code store_copy_wait(const char *from, const char *to, const char *schema, int busy_ms,
                         int64_t *out_n, err *e);

/* The way back (pg_file.c): the whole catalog of a PostgreSQL database (schema `schema`, or
 * NULL for the URI's) into a new SpatiaLite file `to`, read from one snapshot: every teselas_*
 * table and every version table kept, with the packed spatial index and ranked lines an import
 * builds, so the file answers as the file copied into PostgreSQL did. Written under a temporary
 * name beside `to` and renamed when whole: a failure leaves no file under `to`. An existing
 * `to` is ERR_INVALID unless replace. ERR_NOT_FOUND (no catalog in the schema), ERR_IO, ERR_DB. */
err_code store_copy_to_file(const char *from, const char *schema, const char *to, bool replace,
                            int64_t *out_n, err *e);
/* How a copy writes its file: replace an existing one (refused otherwise), after waiting up to
 * busy_ms (0: STORE_WRITE_WAIT_MS) for a writer holding its lock: past that, ERR_DB saying busy,
 * naming the file and the wait, nothing written. */
typedef struct store_file_target {
  const char *path;
  bool replace;
  int busy_ms;
} store_file_target;
err_code store_copy_to_file_target(const char *from, const char *schema,
                                   const store_file_target *to, int64_t *out_n, err *e);

/* Writes over PostgreSQL (pg_write.c): the SpatiaLite writer runs on a private SpatiaLite copy
 * of the catalogue (store_pg_write_path) made inside a PostgreSQL transaction; commit moves
 * what changed for layer_id (catalogue rows, new version tables with their GiST index, dropped
 * versions) into the schema of the URI's search path (`teselas` by default, created when
 * missing), NOTIFYs teselas_catalog with the layer id and commits, all in that one
 * transaction. One writer per schema at a time (an advisory lock: a second waits). begin:
 * ERR_INVALID (layer id), ERR_IO (cannot connect, no temporary folder), ERR_DB. commit and
 * abort free w; a failed commit changed nothing. */
typedef struct store_pg_write store_pg_write;
err_code store_pg_write_begin(const char *uri, const char *layer_id, store_pg_write **out,
                              err *e);
/* The private SpatiaLite file to write with the functions of this header (owned by w). */
const char *store_pg_write_path(const store_pg_write *w);
err_code store_pg_write_commit(store_pg_write *w, err *e);
void store_pg_write_abort(store_pg_write *w);

/* How long a SpatiaLite read waits for a lock another program holds before it fails with
 * ERR_UNAVAILABLE (WAL readers wait only for an exclusive-mode writer or a WAL recovery). */
enum { STORE_BUSY_TIMEOUT_MS = 5000 };
/* How long a writer (import, rollback, removal, review) waits for another writer's lock. */
enum { STORE_WRITE_WAIT_MS = 30000 };

/* Opens DB read-only, its reads waiting STORE_BUSY_TIMEOUT_MS for a lock. Fails with ERR_IO
 * (missing/unreadable), ERR_INVALID (not a teselas database) or ERR_UNAVAILABLE (locked past
 * the wait), with a one-line message naming the cause. Caller owns; store_reader_close. */
err_code store_reader_open(const char *path, store_reader **out, err *e);
/* The same, waiting busy_ms (> 0) for a lock. */
err_code store_reader_open_wait(const char *path, int busy_ms, store_reader **out, err *e);
/* From now on, r's reads stop time_ms from now: a statement still running then fails with
 * ERR_UNAVAILABLE (a request's time budget); over PostgreSQL it is cancelled on the server too,
 * and the connection serves the next request. time_ms <= 0: no deadline. */
void store_reader_deadline(store_reader *r, int time_ms);
/* True once r's deadline (store_reader_deadline) has passed: the work after the reads (drawing an
 * image) honours the same budget. False without a deadline or reader. */
bool store_reader_past_deadline(const store_reader *r);
/* What a read stopped by its request's deadline says (store_reader_deadline), on both backends. */
extern const char STORE_DEADLINE_MSG[];
void store_reader_close(store_reader *r);
/* A SpatiaLite reader that reads through SQLite's page cache of cache_kib KiB instead of mapping
 * the file (a batch job that reads a table once: the mapped pages of each connection count in the
 * process's resident memory). No effect over PostgreSQL. */
void store_reader_unmapped(store_reader *r, int cache_kib);
/* hold: the reader's next queries read in one transaction (one snapshot of the file) until a call
 * with hold false ends it, instead of one each. A batch job making many small reads (a seed, a
 * query a tile) spares SQLite a lock, an unlock and the file checks around every query, which
 * two seed workers also wait on each other for (SQLite's VFS mutex). A long-held snapshot keeps
 * a WAL checkpoint from completing: end it now and then. No effect over PostgreSQL. Errors:
 * ERR_DB (SQLite's message copied in). */
err_code store_reader_snapshot(store_reader *r, bool hold, err *e);

/* ---- a server over PostgreSQL: standbys and catalog announcements (pg_watch.c) -------------
 * A watch is one thread with its own connection to uri that LISTENs on teselas_catalog (a write
 * that changes what a layer serves ends with NOTIFY teselas_catalog, '<layer id>'; '' for all)
 * where the database allows it (a hot standby does not) and polls the layers' versions every 2 s.
 * Each change raises its epoch and calls fn, from the watch's thread, with the layer's id (""
 * when any layer may have changed: its connection was lost meanwhile). */
typedef struct store_watch store_watch;
typedef void (*store_watch_fn)(const char *layer_id, void *ctx);
/* Never fails for an unreachable database (it keeps trying). Caller owns; store_watch_stop. */
err_code store_watch_start(const char *uri, store_watch_fn fn, void *ctx, store_watch **out,
                           err *e);
void store_watch_stop(store_watch *w);
uint64_t store_watch_epoch(const store_watch *w);
/* Notifications heard so far. */
uint64_t store_watch_notified(const store_watch *w);

enum { STORE_READ_MAX = 8 };
/* Where a server reads: the primary (--db) and its hot standbys (--db-read). */
typedef struct store_sources {
  const char *primary;
  const char *replicas[STORE_READ_MAX];
  size_t n_replicas;
  const store_watch *watch; /* NULL: none (a SpatiaLite file needs none) */
  int busy_timeout_ms;       /* a SpatiaLite file's lock wait; 0: STORE_BUSY_TIMEOUT_MS */
} store_sources;

/* A worker's reader. A SpatiaLite primary: store_reader_open. Over PostgreSQL the connections are
 * made lazily (a database that cannot be reached now is tried again later, with a backoff), and
 * each store_reader_catalog picks the database the request reads: the standby slot % n first,
 * then the other standbys, then the primary, the first that answers (ERR_IO when none does). A
 * connection the server dropped (a restart) is opened again at once. Caller owns. */
err_code store_reader_open_sources(const store_sources *s, unsigned slot, store_reader **out,
                                   err *e);

/* The current catalog. Reloaded only when the database changed since the last call (an import
 * committed), so a server sees new versions on its next request without a restart.
 * The snapshot is owned by the reader and stays valid until the next call on this reader. */
err_code store_reader_catalog(store_reader *r, const catalog **out, err *e);

/* One feature of a query. Owned by the iterator; valid until the next store_iter_next. */
typedef struct store_feature {
  int64_t id;
  const uint8_t *blob;   /* SpatiaLite geometry blob (decode with geom/) */
  size_t blob_len;
  const value *values;   /* one per requested field, in the order asked */
  size_t n_values;
  double distance_m;     /* with store_query.near: true distance in metres (0 inside a polygon) */
} store_feature;

typedef struct store_iter store_iter;

typedef struct store_query {
  const layer_info *layer;
  const double *bbox;            /* minx, miny, maxx, maxy in CRS84, or NULL for all; minx > maxx
                                    is a box that crosses the antimeridian */
  const char *const *fields;     /* field names to return (already checked against the layer) */
  size_t n_fields;
  bool with_geometry;
  const query_pred *where;       /* the condition (query/query.h), or NULL for every feature;
                                    store/ alone compiles it to its backend's language */
  const query_sort *sort;        /* sort keys (ties break by id), or n_sort 0 for id order */
  size_t n_sort;
  int64_t limit;                 /* < 0: no limit */
  int64_t offset;
  int64_t after_id;              /* > INT64_MIN: only ids greater than this (keyset paging) */
  bool bbox_exact;               /* also test each feature's exact bounding box: the R*Tree holds
                                    float32 boxes rounded outwards, so alone it may return points
                                    up to ~1 m outside the bbox (fine for tiles, not for a query) */
  bool any_order;                /* rows may come in any order (the table's or index's): faster */
  int lod_zoom;                  /* > 0: geometries for a tile of this zoom, from the layer's levels
                                    of detail when it has them (has_lod); with any_order and a
                                    bbox, its ranked lines (has_tile_lines: a blob for
                                    geom_ranked_project, or SpatiaLite's for other rows) */
  double min_box[2];             /* > 0: only features whose index box is at least min_box[0]
                                    degrees wide or min_box[1] high, decided on the R*Tree alone
                                    (sub-pixel features are never read). Part of the prepared
                                    query: callers round them to a power of two */
  bool edge_only;                /* with a box (minx <= maxx) in any order: only the features
                                    whose index box crosses the box's edge, the complement of
                                    store_count_inside's (PostgreSQL, which has no such split,
                                    reads them all: its store_count_inside says 0) */
  const double *near;            /* lon, lat, or NULL: order by true (ellipsoidal) distance in
                                    metres, then by id, and fill store_feature.distance_m. Without
                                    a bbox and with limit >= 0 the reader searches a growing window
                                    around the point, so the nearest of a million cost milliseconds */
} store_query;

/* Features of layer l whose index box lies wholly inside bbox (minx <= maxx), counted up to cap:
 * every one of them meets the box (an index box holds its feature), so it is a lower bound of
 * the features a bbox query matches, read from the spatial index alone. */
err_code store_count_inside(store_reader *r, const layer_info *l, const double bbox[4], int64_t cap,
                            int64_t *out, err *e);

/* The features a box query q (layer, bbox with minx <= maxx, bbox_exact, no where, no min_box)
 * matches, counted up to cap from the spatial index: the entries inside the box from its nodes,
 * and each entry crossing its edge tested on its row, as the two parts of a box read are.
 * *out: the count, -1 when there are cap or more, or STORE_COUNT_UNKNOWN when this cannot answer
 * (PostgreSQL, another query, an index it does not recognise): the caller counts otherwise. */
#define STORE_COUNT_UNKNOWN INT64_MIN
err_code store_count_box(store_reader *r, const store_query *q, int64_t cap, int64_t *out, err *e);

/* Starts a query; the iterator borrows the reader (one live iterator per reader at a time). */
err_code store_query_start(store_reader *r, const store_query *q, store_iter **out, err *e);
/* Returns 1 with a feature, 0 at the end, -1 on error (details in e). The error sticks, as
 * SQLite's does: every later call returns -1 again, and store_iter_error tells it, so a loop
 * checks once after it ends. */
int store_iter_next(store_iter *it, store_feature *out, err *e);
/* ERR_OK, or the error that stopped it (copied into e when given). */
err_code store_iter_error(const store_iter *it, err *e);
void store_iter_close(store_iter *it);
/* Number of features matching the query without limit/offset. */
err_code store_query_count(store_reader *r, const store_query *q, int64_t *out, err *e);

/* One group of store_query_groups: key is the field's value (or "YYYY-MM" text by month). */
typedef int (*store_group_fn)(void *ctx, const value *key, int64_t count);

/* Counts the features matching q (bbox, where; order, limit and offset ignored) grouped by the
 * value of `field`, or by the month (YYYY-MM) of the date in `field` when by_month, and calls fn
 * once per group in key order (NULL keys first). fn returns non-zero to stop. field must be one
 * of the layer's fields. */
err_code store_query_groups(store_reader *r, const store_query *q, const char *field,
                            bool by_month, store_group_fn fn, void *ctx, err *e);

/* The smallest and largest value of a date/datetime field of layer l, as ISO 8601 text in
 * out_min/out_max ("" when the layer has no values). Cached per reader and table version, so
 * only the first call after an import scans the table. */
err_code store_layer_time_extent(store_reader *r, const layer_info *l, const char *field,
                                 char out_min[40], char out_max[40], err *e);

/* ---- write side: the import of one layer version ---------------------------------------------- */

/* Catalog metadata supplied by an import. NULL strings keep the previous version's value (or ""). */
typedef struct layer_meta {
  const char *id;
  const char *title, *description, *license, *publisher, *frequency, *keywords;
  const char *source_name, *source_sha256;
  const char *privacy;     /* JSON object text or NULL */
  const char *date_field;  /* or NULL */
  bool date_field_guessed; /* date_field is the importer's guess: a layer already in the
                              catalog keeps the date field it has */
  int minzoom, maxzoom;    /* -1: derive */
  bool sample;
  int keep_versions;       /* versions kept in history with their tables (>= 1) */
  double bounds_step[2];   /* > 0: the catalog's bounds are rounded outwards to multiples of
                              these degrees (lon, lat), so they say no more than the privacy
                              grid does; 0: exact bounds */
  const char *purge_reason;/* non-NULL: the new version is coarser than the published ones, so
                              commit removes every earlier version (tables, side tables, units),
                              marks their history rows with this reason and zeroes the freed
                              pages (secure_delete) */
  const layer_field_doc *field_docs; /* descriptions and units by published field name (those
                              of other names are ignored), or NULL */
  size_t n_field_docs;
  bool renumber;           /* feature ids are the rows' places on the curve, not the order in
                              which they were added (which follows the source's order, and so
                              its ids): a generalised layer's records cannot be matched back */
  const char *review_by;   /* non-NULL: the version waits for review (review.c): commit writes
                              its table, history row and would-be catalog entry, but the catalog
                              keeps the published version, and nothing is pruned or purged until
                              a reviewer approves. The account that uploaded it */
  int64_t *out_review;     /* with review_by: where commit writes the review's number */
  int busy_timeout_ms;     /* how long begin waits for the write lock (0: STORE_WRITE_WAIT_MS) */
  const struct store_gate *gate; /* run by commit before its COMMIT, with the new version (a
                              pending version's review number already in *out_review); its
                              failure rolls the import back. NULL: none */
} layer_meta;

/* The rounding of a privacy layer's bounds (layer_meta.bounds_step): the step in degrees of a
 * policy grid of grid_m metres (0: none; a little under a cell at any latitude of Mexico), and a
 * box rounded outwards to multiples of it (clamped to ±180, ±90). One rule for the writer and for
 * `teselas check`, which compares a version's stored box with its rows' box rounded alike. */
void store_bounds_step(double grid_m, double out[2]);
void store_bounds_round(const double step[2], double b[4]);

typedef struct store_writer store_writer;

/* Opens (creating if needed) the database read-write and starts the transaction that builds a
 * new version of meta->id with the given fields. Caller owns: commit or abort. */
err_code store_writer_begin(const char *db_path, const layer_meta *meta, const layer_field *fields,
                            size_t n_fields, store_writer **out, err *e);
/* Adds one feature: OGC WKB geometry in EPSG:4326 (lon/lat) plus one value per field.
 * id < 0 lets the store number the feature. */
err_code store_writer_add(store_writer *w, int64_t id, const uint8_t *wkb, size_t wkb_len,
                          const value *values, err *e);
/* Builds the spatial index, computes bounds and counts, repoints the catalog, records history
 * with report_json, prunes old versions, commits, and frees w. On failure nothing changed. */
err_code store_writer_commit(store_writer *w, const char *report_json, int64_t *out_version, err *e);
/* Rolls everything back and frees w. */
void store_writer_abort(store_writer *w);

/* Unpublishes a layer: every version's table, spatial index, side tables and units, and its
 * catalog entry, in one transaction with secure_delete on (freed pages are zeroed), then the WAL
 * is checkpointed and truncated, so no byte of the layer's rows is left in the files. The history
 * keeps one row per version (source, checksum, count) with its report replaced by the removal
 * record, plus a row saying when and why the layer was removed. ERR_NOT_FOUND for an unknown
 * layer; ERR_DB, ERR_IO otherwise. */
err_code store_layer_remove(const char *db_path, const char *layer_id, const char *reason, err *e);
/* store_layer_remove with a gate (store_gate, by store_layer_rollback; NULL: none). */
struct store_gate;
err_code store_layer_remove_gated(const char *db_path, const char *layer_id, const char *reason,
                                  const struct store_gate *gate, err *e);
/* Folds the write-ahead log of db_path into the file and truncates it, when it is at least
 * min_bytes: for a reader whose long read transaction held the log back (a download), once it has
 * ended. Changes no data; waits at most a fraction of a second for other readers. ERR_IO when the
 * file cannot be opened for writing, ERR_DB when readers still hold the log; ERR_OK otherwise. */
err_code store_wal_fold(const char *db_path, int64_t min_bytes, err *e);
/* The version number this writer is building (known from store_writer_begin on). */
int64_t store_writer_version(const store_writer *w);
/* True when the version waits for review (layer_meta.review_by). */
bool store_writer_pending(const store_writer *w);
/* Counts, in the features added so far, the non-null values of `field` that repeat an earlier
 * one (count - count distinct), so an importer can report duplicate ids without holding them in
 * memory. out_example (may be NULL) gets one repeated value as text. */
err_code store_writer_duplicates(store_writer *w, const char *field, int64_t *out_n,
                                 char *out_example, size_t example_len, err *e);

/* ---- profiles of the version being built, for automatic styles (profile.c) ---------------- */

/* Called once per distinct value by store_writer_value_counts; v is valid during the call. */
typedef int (*store_count_fn)(void *ctx, const value *v, int64_t count);

/* The distinct non-null values of `field` among the features added so far, most frequent first
 * (ties by value), at most max of them; *out_distinct gets how many distinct values there are,
 * counted up to max + 1 (so "more than max" is known without listing them), *out_filled the
 * number of features with a value. */
err_code store_writer_value_counts(store_writer *w, const char *field, size_t max,
                                   store_count_fn fn, void *ctx, size_t *out_distinct,
                                   int64_t *out_filled, err *e);
/* *out_filled: the number of features added so far with a value (not null) in `field`. */
err_code store_writer_filled(store_writer *w, const char *field, int64_t *out_filled, err *e);
/* The non-null numeric values of `field` sorted ascending: their number, and the values at
 * positions floor(i * n / n_ranks) for i = 0 .. n_ranks - 1 plus the largest, into
 * out[n_ranks + 1] (the lower limits of n_ranks quantile classes, then the maximum). */
err_code store_writer_quantiles(store_writer *w, const char *field, size_t n_ranks, double *out,
                                int64_t *out_n, err *e);
/* The most common geometry type of the features added so far: "Point", "LineString",
 * "Polygon" or "Geometry"; and how many features were added. */
err_code store_writer_geometry_type(store_writer *w, char out[16], int64_t *out_count, err *e);
/* Stores the automatic style description (JSON text) with the version w builds; the catalog
 * shows it as layer_info.style. */
err_code store_writer_set_style(store_writer *w, const char *json, err *e);


/* ---- counts of aggregate layers (agg.c) ---------------------------------------------------- */

/* A node of an aggregate layer's hierarchy (privacy/kanon.h): a cell (tier 0), a block of cells
 * or the root (parent NULL). bbox (CRS84) is the union of its cells' boxes. */
typedef struct store_agg_node {
  const char *node, *parent;
  int tier;
  double bbox[4];
} store_agg_node;

/* A count of a node: level 0 every record, 1 by category, 2 by month, 3 by both; strings "" for
 * the dimensions the level has not. A withheld unit is stored without its count (NULL): only
 * its existence, so an answer can say how many groups it withheld. */
typedef struct store_agg_unit {
  const char *node;
  int level;
  const char *category, *month;
  int64_t count;  /* meaningful only when published */
  bool published;
} store_agg_unit;

/* Stores the nodes and units of the version w is building (in its transaction: they appear with
 * the version and go with it when it is pruned). The caller passes counts already decided by
 * privacy/kanon; a withheld unit's count never reaches the database. ERR_DB, ERR_NOMEM. */
err_code store_writer_add_agg(store_writer *w, const store_agg_node *nodes, size_t n_nodes,
                              const store_agg_unit *units, size_t n_units, err *e);

/* A node row as read: its box and its parent's (has_parent false for the root). */
typedef struct store_agg_node_row {
  const char *node;
  int tier;
  double bbox[4];
  bool has_parent;
  double parent_bbox[4];
} store_agg_node_row;

/* Called per row; strings valid during the call only. Non-zero stops the scan. */
typedef int (*store_agg_node_fn)(void *ctx, const store_agg_node_row *n);
typedef int (*store_agg_unit_fn)(void *ctx, const store_agg_unit *u);

/* The nodes of layer l's current version whose box meets bbox (minx > maxx crosses the
 * antimeridian), or the root alone when bbox is NULL. A layer without nodes streams nothing. */
err_code store_agg_nodes_scan(store_reader *r, const layer_info *l, const double *bbox,
                              store_agg_node_fn fn, void *ctx, err *e);

/* The units of one node at levels level_a and level_b, of one category when category is not
 * NULL (levels 1 and 3 only), ordered by level, category and month. */
err_code store_agg_units_scan(store_reader *r, const layer_info *l, const char *node,
                              int level_a, int level_b, const char *category,
                              store_agg_unit_fn fn, void *ctx, err *e);

/* The SHA-256 of the latest version of a layer ("" when the layer does not exist), so an import
 * of an identical file can be recognised before any work. */
err_code store_layer_checksum(const char *db_path, const char *layer_id, char out_hex[65], err *e);

/* The quality report JSON of the current version of a layer; *out_json is NULL when the layer
 * (or the database) does not exist. Caller frees *out_json with free(). */
err_code store_layer_report(const char *db_path, const char *layer_id, char **out_json, err *e);

/* The privacy policy JSON of the current version of a layer; *out_json is NULL when the layer
 * (or the database) does not exist. Caller frees *out_json with free(). */
err_code store_layer_privacy(const char *db_path, const char *layer_id, char **out_json, err *e);

/* True for a layer id teselas accepts: [a-z0-9_-], 1..63 characters, starting with a letter. */
bool store_layer_id_valid(const char *id);

/* ---- versions: history, diff scans, rollback (history.c, diff_scan.c, rollback.c) ---------- */

/* One row of a layer's history. Strings are valid during the callback only; never NULL except
 * catalog. */
typedef struct store_version {
  int64_t version;
  const char *imported_at, *source_name, *source_sha256;
  const char *report;      /* the version's quality report (JSON); a purged or removed version's
                              is the purge or removal record ({"status":"purged"|"removed",...}) */
  const char *table_name;  /* "" when the version's data are no longer kept */
  const char *catalog;     /* JSON: the catalog entry its commit wrote (fields, privacy, bounds,
                              zooms); NULL for versions published before it was recorded */
  int64_t feature_count;
  int64_t rollback_of;     /* > 0: the version a rollback published again */
  bool removal;            /* the row that records the layer's removal (no table, no rows) */
  const char *review;      /* "pending", "approved", "rejected" when the version went through a
                              review (review.c), else "". A pending version's table_name reads
                              "": its data are not published, so no diff or rollback reaches them */
} store_version;

/* Non-zero stops the scan. */
typedef int (*store_version_fn)(void *ctx, const store_version *v);

/* The history rows of layer_id in version order, or the one of version `only` (only >= 0).
 * ERR_NOT_FOUND when there is none (an unknown layer or version); ERR_DB. A removed layer's
 * history is still there. */
err_code store_versions_scan(store_reader *r, const char *layer_id, int64_t only,
                             store_version_fn fn, void *ctx, err *e);

/* A version table read for a diff: rows ordered by key_field's value as text (NULL first), then
 * by content; by content alone when key_field is NULL; by fid alone with fid_order (key_field
 * then ignored). fields: those compared. */
typedef struct store_diff_spec {
  const char *table;
  const char *key_field;
  const char *const *fields;
  size_t n_fields;
  bool content_only;  /* rows' content_hash alone (geom_hash and attr_hash 0): one hash a row */
  bool fid_order;     /* rows by their fid, unique in a version table: no key, and no sort where
                         the table has its fid index (an import's and a rollback's have) */
} store_diff_spec;

/* One row of a diff scan; key points into the cursor, valid until the next call. */
typedef struct store_diff_row {
  int64_t fid;
  const char *key;         /* the key's text (has_key), not NUL-safe: use key_len */
  size_t key_len;
  bool has_key;
  uint64_t geom_hash;      /* of the geometry */
  uint64_t attr_hash;      /* of the compared fields' values, as text */
  uint64_t content_hash;   /* of both: the order after the key (compare as int64_t) */
  double bbox[4];          /* minx, miny, maxx, maxy of the geometry (has_bbox) */
  bool has_bbox;
} store_diff_row;

typedef struct store_diff_cursor store_diff_cursor;
/* Several cursors may be open on one reader at once (a diff walks two). Caller owns. */
err_code store_diff_open(store_reader *r, const store_diff_spec *s, store_diff_cursor **out,
                         err *e);
/* 1 with a row, 0 at the end, -1 on error (in e). */
int store_diff_next(store_diff_cursor *c, store_diff_row *out, err *e);
void store_diff_close(store_diff_cursor *c);

/* Publishes the data of version `to` of a layer again, as a new version, in one transaction: a
 * copy of its table (rows in the same order, the same packed spatial index), of its ranked-line
 * side table, of its aggregate units and style, its catalog entry (fields, privacy, bounds,
 * zooms) and its report; the catalog is repointed and the history row says it is a rollback of
 * `to`. The layer's title, licence and other descriptions stay as they are. Readers see the old
 * or the new version, as after an import. ERR_NOT_FOUND (no such layer or version), ERR_INVALID
 * (the version is the published one, its data were purged, or it was published before versions
 * recorded their catalog entry), ERR_IO, ERR_DB. On failure nothing changed. */
err_code store_layer_rollback(const char *db_path, const char *layer_id, int64_t to,
                              int64_t *out_version, err *e);

/* A check run inside a write's transaction after its last change and before its COMMIT (over
 * PostgreSQL, before the private copy is shipped): its failure rolls the write back. The write
 * API's audit line is written here, so a write whose line cannot be written does not happen;
 * should the COMMIT itself fail after it, the log holds a line of a write that did not happen
 * (the caller adds one saying so), never a write without its line. version: the version the
 * write publishes (0 when it publishes none). */
typedef struct store_gate {
  err_code (*fn)(void *ctx, int64_t version, err *e); /* NULL: no check */
  void *ctx;
  int wait_ms; /* how long a SpatiaLite write waits for another writer's lock before it fails
                  busy, naming the database and the wait (0: STORE_WRITE_WAIT_MS) */
} store_gate;
/* store_layer_rollback with a gate (NULL: none). */
err_code store_layer_rollback_gated(const char *db_path, const char *layer_id, int64_t to,
                                    const store_gate *gate, int64_t *out_version, err *e);
/* ---- the deliveries of each layer, for the update calendar (deliveries.c) ------------------ */

/* One version of a layer as the history keeps it; strings valid during the callback only. */
typedef struct store_delivery {
  const char *layer_id;
  int64_t version;
  const char *imported_at;  /* ISO 8601 UTC */
  int64_t feature_count;
  const char *report;       /* the version's quality report (JSON text; "{}" when none) */
} store_delivery;
typedef int (*store_delivery_fn)(void *ctx, const store_delivery *d);

/* The last `per_layer` versions of every published layer, newest first within a layer, layers in
 * id order (removal rows and the versions of removed layers left out). fn returns non-zero to
 * stop. ERR_DB. */
err_code store_deliveries_scan(store_reader *r, size_t per_layer, store_delivery_fn fn, void *ctx,
                               err *e);

/* ---- catalog-wide settings (settings.c) ----------------------------------------------------- */

/* A setting of the whole catalog, as text. *out_value is NULL when the database, its settings or
 * the key do not exist. Caller frees *out_value with free(). ERR_NOMEM, ERR_DB. */
err_code store_setting_get(const char *db_path, const char *key, char **out_value, err *e);
/* Sets (text NULL: removes) a setting, creating the database and the settings table when
 * needed. ERR_IO (cannot open or create), ERR_DB. */
err_code store_setting_set(const char *db_path, const char *key, const char *text, err *e);

/* The catalog's area of interest, [west, south, east, north] in CRS84 degrees: the box the
 * importer measures features against (swapped coordinates, features outside the expected area).
 * *out_found is false when none is stored. ERR_INVALID when the stored text is not a valid box. */
err_code store_area_get(const char *db_path, double out[4], bool *out_found, err *e);
/* Stores the area of interest (NULL removes it). ERR_INVALID for a box that is not one. */
err_code store_area_set(const char *db_path, const double *area, err *e);
/* True when west < east and south < north, finite, within longitude ±180 and latitude ±90. */
bool store_area_valid(const double area[4]);

/* ---- usage per layer (usage.c) ------------------------------------------------------------ */

/* What a request to a layer was, for the usage counts: vector tiles, PNG tiles and static
 * images, features (items, one item, aggregates), whole downloads, and the map pages. */
typedef enum store_usage_kind {
  STORE_USAGE_TILE,
  STORE_USAGE_IMAGE,
  STORE_USAGE_ITEMS,
  STORE_USAGE_DOWNLOAD,
  STORE_USAGE_PAGE,
  STORE_USAGE_KINDS
} store_usage_kind;
/* "tile", "image", "items", "download", "page": the names stored and shown. */
const char *store_usage_kind_name(store_usage_kind k);

/* Counts to add to one hour's bucket: requests and body bytes of one kind to one layer. */
typedef struct store_usage_row {
  const char *layer;
  store_usage_kind kind;
  int64_t hour;            /* Unix time of the hour's start (UTC) */
  uint64_t requests, bytes;
} store_usage_row;

/* The one write path of a running server: its own read-write connection to db_path, used by one
 * thread. Opening creates `teselas_usage` when missing. Caller owns; store_usage_close. ERR_IO,
 * ERR_DB (a read-only file, a database that is not teselas'). */
typedef struct store_usage_writer store_usage_writer;
err_code store_usage_open(const char *db_path, store_usage_writer **out, err *e);
/* Adds rows[0..n) to their buckets in one transaction, waiting at most busy_ms for a writer
 * (an import) to finish: ERR_DB when it did not, and then nothing was added. */
err_code store_usage_add(store_usage_writer *w, const store_usage_row *rows, size_t n, int busy_ms,
                         err *e);
void store_usage_close(store_usage_writer *w);

typedef enum store_usage_period { STORE_USAGE_DAY, STORE_USAGE_WEEK, STORE_USAGE_MONTH } store_usage_period;
/* One period's total for a layer and kind; strings valid during the callback only. */
typedef struct store_usage_total {
  const char *period;  /* "2026-12-06" (day), the week's Monday, "2026-12" (month); UTC */
  const char *layer;
  const char *kind;    /* store_usage_kind_name */
  int64_t requests, bytes;
} store_usage_total;
typedef int (*store_usage_fn)(void *ctx, const store_usage_total *t);
/* The totals by period, layer and kind (in that order) of the hours from `since` ("YYYY-MM-DD",
 * UTC; NULL or "" for all). A database that never counted has none. fn returns non-zero to
 * stop. ERR_DB. */
err_code store_usage_scan(store_reader *r, const char *since, store_usage_period by,
                          store_usage_fn fn, void *ctx, err *e);
/* ---- versions waiting for review (review.c) ------------------------------------------------ */

/* One review of a version that an upload left waiting (layer_meta.review_by). Strings are valid
 * during the callback only, never NULL. */
typedef struct store_review {
  int64_t n;                /* the review's number */
  const char *layer_id;
  int64_t version;          /* the version under review */
  int64_t base_version;     /* the version published when it was submitted (0: none) */
  const char *state;        /* "pending", "approved", "rejected" */
  const char *submitted_by, *submitted_at, *decided_by, *decided_at, *reason; /* "" undecided */
  const char *title;        /* the layer's title as the version would publish it */
  const char *privacy;      /* the privacy policy (JSON) the version carries */
  const char *report;       /* its quality report (JSON), "{}" when the history lost it */
  int64_t feature_count;
} store_review;
typedef int (*store_review_fn)(void *ctx, const store_review *r);

/* The reviews in number order: all (only < 0) or review `only`, of every state or of `state`
 * ("pending", ...). ERR_NOT_FOUND when `only` names none; a database without reviews has none. */
err_code store_reviews_scan(const char *db_path, int64_t only, const char *state,
                            store_review_fn fn, void *ctx, err *e);
/* The number of the review waiting for layer_id in *out_n, 0 when none. */
err_code store_review_pending(const char *db_path, const char *layer_id, int64_t *out_n, err *e);

typedef struct store_review_decision {
  int64_t n;
  bool approve;             /* false: reject */
  const char *who;          /* the deciding account (or "cli") */
  const char *reason;       /* required by callers; stored as given */
  char *out_layer;          /* STORE_NAME_MAX bytes: the layer decided on */
  int64_t *out_version;     /* the version approved or rejected */
  const struct store_gate *gate; /* run before the decision's COMMIT (store_gate); NULL: none */
} store_review_decision;

typedef enum store_review_verdict {
  STORE_REVIEW_DONE = 0,
  STORE_REVIEW_DECIDED,     /* already approved or rejected (ERR_INVALID) */
  STORE_REVIEW_STALE,       /* approve: the layer changed since (another version published, its
                               data pruned): ERR_INVALID */
  STORE_REVIEW_FAILED       /* any other error (ERR_NOT_FOUND: no such review) */
} store_review_verdict;

/* Approves (one transaction: the version's catalog entry, kept since its import, becomes the
 * layer's, as an import's commit would have made it; older versions are pruned or purged as that
 * import asked) or rejects (its table, index, side table, counts and style are deleted with
 * secure_delete on; its history row stays without data, its report marked rejected) review
 * d->n, and records who, when and why. */
err_code store_review_decide(const char *db_path, const store_review_decision *d,
                             store_review_verdict *out, err *e);
/* A catalog of one layer: the one review n would publish, for previews through the public
 * readers. ERR_NOT_FOUND when review n is not waiting. Caller owns: catalog_destroy. */
err_code store_review_catalog(store_reader *r, int64_t n, catalog **out, err *e);

/* The geometries review n would publish (the generalised points or aggregated cells, never more),
 * at most max_features in row order, as a GeoJSON FeatureCollection without properties appended
 * to out: a dry run's picture before its copy of the database goes. ERR_NOT_FOUND when review n
 * is not there; ERR_LIMIT when out fails. */
err_code store_review_geojson(const char *db_path, int64_t n, int64_t max_features, buf *out,
                              err *e);

/* ---- accounts, API tokens and the audit log (accounts.c, audit.c) --------------------------- */

/* Who may write, as the database keeps it. The roles and what each may do are auth/'s; here
 * they are text. Secrets never reach this table in the clear: a password is its Argon2id string,
 * a token its 32-byte hash. Strings of the bounded sizes below (validated on add). */
enum { STORE_NAME_MAX = 64, STORE_DEPT_MAX = 128, STORE_LAYERS_MAX = 2048, STORE_ROLE_MAX = 16 };
typedef struct store_account {
  char name[STORE_NAME_MAX];
  char role[STORE_ROLE_MAX];        /* "publisher", "reviewer", "admin" */
  char department[STORE_DEPT_MAX];  /* "" when none */
  char layers[STORE_LAYERS_MAX];    /* the layer ids a publisher may publish, comma-separated */
  char created_at[32];
  int64_t token_id;                 /* store_token_lookup: the token that matched */
  uint8_t token_hash[32];           /* store_token_lookup: its stored hash */
} store_account;
typedef int (*store_account_fn)(void *ctx, const store_account *a);

/* Adds an account with its password hash (NULL: none, API tokens only). The tables are created
 * by the first write. ERR_INVALID (name taken, a string too long), ERR_IO, ERR_DB. */
err_code store_account_add(const char *db_path, const store_account *a, const char *pw_hash,
                           err *e);
/* Removes an account and its tokens. ERR_NOT_FOUND, ERR_IO, ERR_DB. */
err_code store_account_remove(const char *db_path, const char *name, err *e);
/* The four account writes above and below with a gate (store_gate): run in one transaction,
 * waiting gate->wait_ms for the write lock, the gate called before COMMIT with the token's
 * number (token add) or 0. NULL gate: as without. */
err_code store_account_add_gated(const char *db_path, const store_account *a, const char *pw_hash,
                                 const struct store_gate *gate, err *e);
err_code store_account_remove_gated(const char *db_path, const char *name,
                                    const struct store_gate *gate, err *e);
err_code store_token_add_gated(const char *db_path, const char *account, const uint8_t hash[32],
                               const char *label, const struct store_gate *gate, err *e);
err_code store_token_revoke_gated(const char *db_path, int64_t id, const struct store_gate *gate,
                                  err *e);
/* Every account in name order; fn returns non-zero to stop. No tables yet: no accounts. */
err_code store_accounts_scan(const char *db_path, store_account_fn fn, void *ctx, err *e);

/* One API token as a listing shows it: never its hash. Strings valid during the callback. */
typedef struct store_token {
  int64_t id;
  const char *account, *label, *created_at;
  const char *revoked_at;  /* "" while valid */
} store_token;
typedef int (*store_token_fn)(void *ctx, const store_token *t);

/* Stores the hash of a new token of `account`. ERR_NOT_FOUND (no such account), ERR_IO, ERR_DB. */
err_code store_token_add(const char *db_path, const char *account, const uint8_t hash[32],
                         const char *label, int64_t *out_id, err *e);
/* Marks a token revoked (kept for the audit trail). ERR_NOT_FOUND (no such valid token). */
err_code store_token_revoke(const char *db_path, int64_t id, err *e);
/* Every token (account NULL) or those of one account, by id. */
err_code store_tokens_scan(const char *db_path, const char *account, store_token_fn fn,
                           void *ctx, err *e);
/* The account of the valid (not revoked) token whose hash is `hash`, with token_id and
 * token_hash filled; *out_found false when none. A read-only connection of its own. */
err_code store_token_lookup(const char *db_path, const uint8_t hash[32], store_account *out,
                            bool *out_found, err *e);

/* The account `name` and its Argon2id password string (in out_hash, hash_len bytes at most) when
 * it has a password; *out_found false when there is no such account or it has none (tokens
 * only). The caller checks the password and wipes out_hash (sessions.c). ERR_DB. */
err_code store_account_password(const char *db_path, const char *name, store_account *out,
                                char *out_hash, size_t hash_len, bool *out_found, err *e);
/* A sign-in session: the 32-byte hash of its cookie value, its account, and when it ends (Unix
 * seconds). Adding one deletes the expired ones. ERR_IO, ERR_DB. */
err_code store_session_add(const char *db_path, const uint8_t hash[32], const char *account,
                           int64_t now_unix, int64_t expires_unix, err *e);
/* The account of the live session whose hash is `hash` (its hash in out->token_hash); *out_found
 * false when none, or expired. ERR_DB. */
err_code store_session_lookup(const char *db_path, const uint8_t hash[32], int64_t now_unix,
                              store_account *out, bool *out_found, err *e);
/* Ends a session (nothing when there is none). ERR_IO, ERR_DB. */
err_code store_session_remove(const char *db_path, const uint8_t hash[32], err *e);
/* A file made by `teselas users` alone holds accounts and no catalog: gives it the empty
 * catalog (SpatiaLite metadata and the catalog tables), so a server starts on it and the first
 * upload creates the first layer (over PostgreSQL: a schema of accounts alone gets the empty
 * catalogue tables). Nothing for any other file. *out_created says whether it did. ERR_IO,
 * ERR_DB. */
err_code store_catalog_ensure(const char *db_path, bool *out_created, err *e);

/* One line of the audit log. Strings are bounded and never hold a secret (callers' duty). */
typedef struct store_audit_entry {
  int64_t id;
  const char *at;      /* ISO 8601 UTC; filled by store_audit_add */
  const char *who;     /* account name, "-" when no valid credential, "cli" for the CLI */
  const char *action;  /* "upload", "publish", "rollback", "remove", "users add", ... */
  const char *target;  /* a layer id, job number, account name; "" when none */
  const char *result;  /* "ok", "refused", "rejected", "failed", ... */
  const char *detail;  /* a short reason or the version; "" when none */
} store_audit_entry;
typedef int (*store_audit_fn)(void *ctx, const store_audit_entry *a);

/* Appends one line to the log, kept in its own file beside the database (db_path + ".audit"),
 * so a line never waits for an import's write lock; the table refuses UPDATE and DELETE by
 * trigger. Over PostgreSQL the log, the accounts, tokens, sessions and reviews of this header
 * live in the catalogue's schema (pg_accounts.c, pg_review.c), shared by every server.
 * ERR_IO, ERR_DB. */
err_code store_audit_add(const char *db_path, const store_audit_entry *a, err *e);
/* The log, oldest first, at most `limit` lines from after id `after`. */
err_code store_audit_scan(const char *db_path, int64_t after, int64_t limit, store_audit_fn fn,
                          void *ctx, err *e);

/* A consistent copy of the whole database at dest (which must not exist), for a dry-run import
 * that must leave the original untouched (snapshot.c). ERR_IO, ERR_DB. */
err_code store_db_copy(const char *db_path, const char *dest, err *e);

/* The size and SHA-256 of one whole download of a layer version as a client gets it. */
typedef struct store_digest {
  const char *layer;
  int64_t version;
  const char *format;   /* "geojson", "csv" */
  uint64_t bytes;
  char sha256[65];      /* lower-case hex */
} store_digest;
/* Keeps d (through the server's write path). ERR_DB. */
err_code store_digest_put(store_usage_writer *w, const store_digest *d, err *e);
/* Fills d->bytes and d->sha256 for d->layer, version and format; *out_found false when no
 * digest is kept (or the database has none). ERR_DB. */
err_code store_digest_get(store_reader *r, store_digest *d, bool *out_found, err *e);

#endif
