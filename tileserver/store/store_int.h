/* store_int.h — helpers shared by the store's files; not part of its interface. */
#ifndef TESELAS_STORE_INT_H
#define TESELAS_STORE_INT_H

#include <sqlite3.h>

#include "core/buf.h"
#include "query/query.h"
#include "store/store.h"

/* SpatiaLite's functions and per-connection state on db (spatialite_load.c: the library is
 * opened on the first call). *out_cache goes to store_spl_detach once db is closed. Errors:
 * ERR_INTERNAL naming the library when it cannot be loaded, ERR_NOMEM. */
err_code store_spl_attach(sqlite3 *db, void **out_cache, err *e);
void store_spl_detach(void *cache); /* NULL is ignored */

/* SQL of the catalog tables (idempotent). */
extern const char *const STORE_SCHEMA_SQL;
/* ... and of the tables other files create when they first write (agg.c, profile.c,
 * settings.c): a PostgreSQL write builds its private SpatiaLite copy with them (pg_write.c). */
extern const char STORE_AGG_SCHEMA_SQL[], STORE_STYLES_SCHEMA_SQL[], STORE_SETTINGS_SCHEMA_SQL[];
/* The usage counts' and download digests' tables (usage.c), which a copy back from PostgreSQL
 * makes with their keys (pg_file.c). */
extern const char STORE_USAGE_SCHEMA_SQL[], STORE_DIGESTS_SCHEMA_SQL[];
/* ... and review.c's: the review number is the rowid, so a copy must have the real table */
extern const char STORE_REVIEW_SCHEMA_SQL[];
/* The accounts, tokens and sessions tables of a file (accounts.c). */
extern const char STORE_ACCOUNTS_SCHEMA_SQL[];

/* The error of a failed read on db (of layer_id, NULL when not one layer's): a damaged page
 * (SQLITE_CORRUPT, NOTADB) or a lock held past the busy timeout (BUSY, LOCKED) is ERR_UNAVAILABLE
 * — the data cannot be read now, the server answers 503 — naming the layer; anything else
 * ERR_DB with `what` and SQLite's message (db.c). */
/* Whether PATH names a file, without opening it: closing any descriptor of a database file the
 * process has open drops every POSIX lock SQLite holds on it (SQLite's "how to corrupt": another
 * connection then checkpoints and truncates under a reader), so never fopen/fclose to probe. */
bool store_path_exists(const char *path);
err_code store_read_error(sqlite3 *db, const char *layer_id, const char *what, err *e);
/* Runs SQL without results; on failure fills e with the SQLite message and `what`. */
err_code store_exec(sqlite3 *db, const char *sql, const char *what, err *e);
/* The error of a failed write on db: ERR_IO naming the file when its disk (or the temporary
 * files') is full, else ERR_DB with SQLite's message, after `what`. */
err_code store_write_error(sqlite3 *db, const char *what, err *e);
/* Appends "name" with embedded quotes doubled: an SQL identifier that is always safe. */
void store_quote_ident(buf *b, const char *name);
/* SQL column type for a field type. */
const char *store_sql_type(field_type t);
/* Name of the R*Tree that SpatiaLite keeps for table's geometry column. */
void store_index_name(buf *b, const char *table);

/* Where the rows of the version being built wait until commit (temporary: private to the
 * writer's connection, gone with it): writer.c fills it, profile.c reads it. */
#define STORE_STAGE_TABLE "temp.teselas_stage"

/* The automatic style descriptions stored with layer versions (profile.c), attached to a loaded
 * catalog's layers (layer_info.style). A database without them leaves "{}". */
err_code store_catalog_load_styles(sqlite3 *db, catalog *c, err *e);


/* store_layer_remove over PostgreSQL (pg_write.c): the same removal on the private copy. */
err_code store_pg_layer_remove(const char *uri, const char *layer_id, const char *reason,
                               const store_gate *gate, err *e);
/* store_layer_rollback over PostgreSQL: the version's table is copied out first. */
err_code store_pg_layer_rollback(const char *uri, const char *layer_id, int64_t to,
                                 const store_gate *gate, int64_t *out_version, err *e);

/* The writer's connection and what it is building (for agg.c). */
sqlite3 *store_writer_db(const store_writer *w);
const char *store_writer_layer_id(const store_writer *w);
/* A statement of the reader's cache (reset, bindings cleared), or NULL with e filled. */
sqlite3_stmt *store_reader_stmt(store_reader *r, const char *sql, err *e);
/* Deletes the units of layer_id's versions <= max_version (inside the writer's transaction). */
err_code store_units_prune(sqlite3 *db, const char *layer_id, int64_t max_version, err *e);

/* Prunes the versions of id older than the newest keep_versions (or, with a purge_reason, every
 * version before `version`, as a coarser policy requires): writer.c, also at a review's
 * approval. The SQL that drops one version's table, index and side table. */
err_code store_versions_prune(sqlite3 *db, const char *id, int64_t version, int keep_versions,
                              const char *purge_reason, err *e);
void store_version_drop_sql(buf *sql, const char *table);

/* Versions that wait for review (review.c), inside the writer's transaction: the layer's
 * published catalog entry saved before the writer overwrites it, then the written entry kept
 * with the review and the published one put back. */
typedef struct store_review_park {
  const char *layer_id;
  int64_t version;
  const char *submitted_by;
  int keep_versions;
  const char *purge_reason;
} store_review_park;
/* The catalog as review n would publish it (catalog.c). */
err_code store_catalog_load_review(sqlite3 *db, int64_t n, catalog **out, err *e);
err_code store_review_save_published(sqlite3 *db, const char *layer_id, err *e);
err_code store_review_park_version(sqlite3 *db, const store_review_park *p, int64_t *out_n,
                                   err *e);

/* A removal of layer_id (inside the caller's transaction, secure_delete on): the version waiting
 * for review, if any, is dropped as a rejection would drop it and its review row goes;
 * *out_found says whether there was one. review.c. */
err_code store_review_forget(sqlite3 *db, const char *layer_id, const char *reason,
                             bool *out_found, err *e);

/* Layers of up to this many rows get a packed spatial index (32 bytes of memory a row while it is
 * built); bigger ones are indexed row by row, slower but in bounded memory. */
#define STORE_RTREE_BULK_CAP ((size_t)8 * 1000 * 1000)
/* What one pass over a version table tells the catalog. */
typedef struct store_layer_scan {
  double bounds[4];        /* minx, miny, maxx, maxy */
  int64_t count;           /* rows */
  char geometry_type[16];  /* "Point", "LineString", "Polygon" or "Geometry": the most common */
} store_layer_scan;
/* Fills the empty R*Tree idx_<table>_geom with the boxes of the table's n_rows rows as a packed
 * tree (rtree_load.c), and *out_scan on the way. *out_done is false, and nothing written, when
 * n_rows is more than cap (or 0). */
err_code store_rtree_bulk_load(sqlite3 *db, const char *table, size_t n_rows, size_t cap,
                               bool *out_done, store_layer_scan *out_scan, err *e);
/* The box (minx, miny, maxx, maxy) and class of a SpatiaLite geometry blob (00 | endian | srid |
 * MBR | 7C | class ...): 0 when it is not one or not 2D, else the class (1-7: Point, LineString,
 * Polygon, their Multi forms, GeometryCollection). rtree_load.c. */
int store_blob_mbr(const void *blob, int len, double mbr[4]);

/* Rows in curve order (curve.c): the key of a point on a Hilbert curve over the lon/lat world,
 * and the copy of a loaded version's rows (fid, geom, fields) from table `from` (SQL, may be
 * schema-qualified) into `to`, sorted by it. */
int64_t store_curve_key(double lon, double lat);
err_code store_curve_copy(sqlite3 *db, const char *from, const char *to, const layer_field *fields,
                          size_t n_fields, err *e);
/* For tests: the row count past which w indexes row by row. */
void store_writer_set_index_cap(store_writer *w, size_t cap);

/* The geometry expression a tile of zoom z reads from a version table with levels of detail
 * (geom_z10/8/6, written by earlier versions of teselas: lod.c). */
void store_lod_geometry_sql(buf *sql, int zoom);

/* Builds `<table>_tile_lines`, the version's lines ranked for tiles (tile_lines.c). */
err_code store_tile_lines_build(sqlite3 *db, const char *table, err *e);
/* The geometry expression a tile of zoom z reads when the query joins that table as teselas_t:
 * the lightest copy that serves the zoom, else the SpatiaLite geometry (rows that are not lines). */
void store_tile_lines_sql(buf *sql, const char *alias, int zoom);

/* ---- a predicate compiled to SpatiaLite SQL (sql_pred.c) ----------------------------------
 * The condition's text with numbered parameters ?first, ?first+1, ... and the values bound to
 * them. The values point into the predicate's arena, or into strings the compiled form owns (a
 * LIKE pattern turned into a GLOB, a fid list as JSON): bind before store_sql_pred_free.
 * Sticky failure: sql.failed (too long) or nomem, checked once at the end. */
/* The first parameter number of a compiled predicate in the reader's statements (reader.c). */
enum { STORE_FIRST_WHERE_PARAM = 8 };

typedef struct store_sql_pred {
  buf sql;
  value *args;
  size_t n_args, cap_args;
  char **owned;
  size_t n_owned, cap_owned;
  int first;
  bool nomem;
  bool spatial;  /* calls SQL/MM functions (ST_Intersects, ST_GeomFromText): load SpatiaLite's */
} store_sql_pred;

/* Compiles p (NULL: nothing) for layer l; parameters from ?first, the text bounded by limit. */
void store_sql_pred_build(store_sql_pred *out, const layer_info *l, const query_pred *p, int first,
                          size_t limit);
void store_sql_pred_free(store_sql_pred *c);
/* The day after date text "YYYY-MM-DD" (proleptic Gregorian; sql_pred.c, pg_pred.c). */
void store_next_day(const char *date, char out[32]);
/* The ORDER BY body of sort keys: "\"f\" ASC, fid ASC" (ties break by id). */
void store_sql_order(buf *sql, const query_sort *keys, size_t n);
/* The same with the dialect's id column and ascending and descending words (pg_pred.c). */
void store_order_keys(buf *sql, const query_sort *keys, size_t n, const char *fid,
                      const char *asc, const char *desc);
/* Binds v to parameter idx of st (db.c); text is copied when copy, else it must outlive the
 * statement's next step. */
void store_bind_value(sqlite3_stmt *st, int idx, const value *v, bool copy);

/* ---- shared by the writer and the rollback (writer.c, rtree_load.c, history.c, diff_scan.c) ---- */
/* Opens db_path read-write (creating it), WAL, SpatiaLite loaded (*out_spl: its cache, freed with
 * spatialite_cleanup_ex), catalog schema and history columns in place. Caller closes *out_db,
 * also on failure. */
err_code store_rw_open(const char *db_path, sqlite3 **out_db, void **out_spl, err *e);
/* store_rw_open waiting wait_ms (STORE_WRITE_WAIT_MS when <= 0) for the write lock. */
err_code store_rw_open_wait(const char *db_path, int wait_ms, sqlite3 **out_db, void **out_spl,
                            err *e);
/* e's message when a writer's BEGIN found the lock held past its wait (SQLITE_BUSY), else the
 * statement's own (store_exec): "DB is busy: another writer held ... for more than N ms". */
err_code store_begin_write(sqlite3 *db, const char *db_path, int wait_ms, const char *what,
                           err *e);
/* The next version number of a layer: one past the last history row. */
int64_t store_next_version(sqlite3 *db, const char *layer_id);
/* Drops SpatiaLite's triggers on a new version table (writer.c says why they do not come back). */
err_code store_triggers_drop(sqlite3 *db, const char *table, err *e);
/* Now, ISO 8601 UTC to the second. */
void store_now_iso(char out[32]);
/* A version table `from` copied as `to` (rollback.c): rows in teselas_row order, registered with
 * SpatiaLite, the same packed spatial index an import builds, and its ranked-line side table. */
err_code store_version_table_copy(sqlite3 *db, const char *from, const char *to, err *e);
/* Fills table's spatial index row by row (the fallback past STORE_RTREE_BULK_CAP). */
err_code store_rtree_fill_rows(sqlite3 *db, const char *table, err *e);
/* Adds the history's catalog and rollback_of columns to a database written before them. */
err_code store_history_migrate(sqlite3 *db, err *e);
/* Records in version's history row the catalog entry its commit just wrote. */
err_code store_history_snapshot(sqlite3 *db, const char *layer_id, int64_t version, err *e);
/* The reader's connection (history.c, diff_scan.c read through it); NULL over PostgreSQL. */
sqlite3 *store_reader_db(store_reader *r);
/* The reader's cached statement of sql (reset, bindings cleared; owned by the reader) in *out,
 * and its index's nodes, "SELECT data FROM <index>_node WHERE nodeno = ?1" (box_count.c). */
err_code store_reader_stmt_find(store_reader *r, const char *sql, sqlite3_stmt **out, err *e);
err_code store_reader_node_stmt(store_reader *r, const layer_info *l, sqlite3_stmt **out, err *e);
/* How many index entries lie under each R*Tree node of one table, as box_count.c found them
 * (by node number: count + 1, 0 unknown). Valid for one table at one data_version. */
typedef struct store_subtree_counts {
  char *table;
  int64_t data_version;
  uint32_t *n;
  size_t cap; /* entries of n */
} store_subtree_counts;
/* The reader's counts for `table` (emptied when they were of another table or data_version), or
 * NULL when the reader cannot tell that nothing committed since its catalog was read (no WAL
 * header mapped, or it moved): call it inside the read transaction the counts serve. */
store_subtree_counts *store_reader_subtree_counts(store_reader *r, const char *table);
/* The reader's PostgreSQL connection (pg_int.h), or NULL for a SpatiaLite file. */
typedef struct store_pg store_pg;
store_pg *store_reader_pg(store_reader *r);
/* Over PostgreSQL (pg_diff.c): a private temporary SpatiaLite database holding version table
 * `table` as the file had it, for the diff's SQL; closed with store_pg_diff_db_close. */
err_code store_pg_diff_db(store_pg *p, const char *table, sqlite3 **out_db, void **out_spl,
                          err *e);
void store_pg_diff_db_close(sqlite3 *db, void *spl);
/* teselas_diff_hash(...): the diff's hash of its arguments, registered on every reader. */
void store_sql_diff_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv);

/* Fills l's fields and field_docs from the catalog's JSON text of them (catalog.c; the
 * PostgreSQL catalog reads the same text: pg_catalog.c). */
err_code store_catalog_parse_fields(layer_info *l, const char *text, err *e);

/* Loads the whole catalog (caller owns; catalog_destroy). */
err_code store_catalog_load(sqlite3 *db, catalog **out, err *e);

/* ---- the statement of a read (plan.c) ----------------------------------------------------- */

typedef enum store_plan_mode {
  STORE_MODE_ROWS,
  STORE_MODE_COUNT,
  STORE_MODE_KTH_DISTANCE,
  STORE_MODE_GROUPS
} store_plan_mode;

typedef struct store_plan {
  const store_query *q;
  const double *bbox;      /* q->bbox, or the search window of a near query */
  store_plan_mode mode;
  const char *group_field; /* STORE_MODE_GROUPS */
  bool by_month;
  int64_t kth;             /* STORE_MODE_KTH_DISTANCE: 1-based rank */
  const store_sql_pred *where; /* q->where compiled, parameters from ?8 */
} store_plan;

/* Whether p reads a box page in two parts, the entries inside the box first (teselas_inside). */
bool store_plan_split_read(const store_plan *p);
/* Whether p reads only the entries crossing its box's edge (store_query.edge_only); a query
 * asking for that in another shape is refused. */
bool store_plan_edge_only(const store_plan *p);
/* Writes the SQL of p (select list, source and conditions, order and limits) to sql. */
void store_plan_sql(buf *sql, const store_plan *p);
/* Binds p's parameters (bbox, after_id, limit, offset, the predicate's values, near) to st. */
void store_plan_bind(sqlite3_stmt *st, const store_plan *p);

/* inside_skip.c: the nodes crossing a box's edge that the inside part of a box page may pass
 * over (they hold no entry inside the box), listed in the order the R*Tree module meets them. */
enum { STORE_INSIDE_SKIP_MAX = 256 };
typedef struct store_inside_skip {
  double box[4];                       /* the query box the list is for */
  float cell[STORE_INSIDE_SKIP_MAX][4]; /* each crossing node's box: xmin, xmax, ymin, ymax */
  uint8_t level[STORE_INSIDE_SKIP_MAX]; /* the level of its cell (1: the node is a leaf) */
  bool skip[STORE_INSIDE_SKIP_MAX];    /* its subtree holds no entry inside the box */
  int n, at;                           /* listed; the next the callback should meet */
  bool on;
} store_inside_skip;
/* Walks the R*Tree (its node table node_table, unquoted, read as a blob, or else with node:
 * SELECT data FROM <index>_node WHERE nodeno = ?1) for the first `need` entries inside box
 * (minx, miny, maxx, maxy) and fills *s; reads at most a few dozen nodes. */
void store_inside_skip_plan(store_inside_skip *s, sqlite3 *db, const char *node_table,
                            sqlite3_stmt *node, const double box[4], int64_t need);
/* For the query callback, at a crossing cell (params: the query's box; coord: the cell's box;
 * level: its level): true when the node may be passed over. Follows the list in order; the
 * first cell that is not the next listed turns it off. */
bool store_inside_skip_judge(store_inside_skip *s, const double params[4], const double coord[4],
                             int level);

/* accounts.c, audit.c: a short connection to db_path for the account, token and audit tables;
 * `write` opens read-write and creates them (*out_db NULL with ERR_OK: read-only and the
 * database does not exist). Caller closes *out_db. */
err_code store_acct_open(const char *db_path, bool write, sqlite3 **out_db, err *e);
/* An account from columns 0..4 of st (name, role, department, layers, created_at): accounts.c
 * and sessions.c read it alike. */
void store_account_read(sqlite3_stmt *st, store_account *out);
/* Steps st once: a row whose column hash_col has hash_len bytes fills *out (store_account_read)
 * and sets *out_found; no row is ERR_OK; a failed step ERR_DB naming `what`. */
err_code store_account_step(sqlite3 *db, sqlite3_stmt *st, int hash_col, size_t hash_len,
                            store_account *out, bool *out_found, const char *what, err *e);

/* The account, token, session and audit operations of store.h over PostgreSQL (pg_accounts.c):
 * the same contracts, in the catalogue's schema; accounts.c, sessions.c and audit.c send a
 * postgresql:// database here. */
err_code store_pg_account_add(const char *uri, const store_account *a, const char *pw_hash,
                              const store_gate *gate, err *e);
err_code store_pg_account_remove(const char *uri, const char *name, const store_gate *gate,
                                 err *e);
err_code store_pg_accounts_scan(const char *uri, store_account_fn fn, void *ctx, err *e);
/* A new token's row: its account, the 32-byte hash, its label. */
typedef struct store_token_row {
  const char *account;
  const uint8_t *hash;
  const char *label;
} store_token_row;
err_code store_pg_token_add(const char *uri, const store_token_row *t, const store_gate *gate,
                            int64_t *out_id, err *e);
err_code store_pg_token_revoke(const char *uri, int64_t id, const store_gate *gate, err *e);
err_code store_pg_tokens_scan(const char *uri, const char *account, store_token_fn fn, void *ctx,
                              err *e);
err_code store_pg_token_lookup(const char *uri, const uint8_t hash[32], store_account *out,
                               bool *out_found, err *e);
err_code store_pg_account_password(const char *uri, const char *name, store_account *out,
                                   char *out_hash, size_t hash_len, bool *out_found, err *e);
err_code store_pg_session_add(const char *uri, const uint8_t hash[32], const char *account,
                              int64_t now_unix, int64_t expires_unix, err *e);
err_code store_pg_session_lookup(const char *uri, const uint8_t hash[32], int64_t now_unix,
                                 store_account *out, bool *out_found, err *e);
err_code store_pg_session_remove(const char *uri, const uint8_t hash[32], err *e);
err_code store_pg_audit_add(const char *uri, const store_audit_entry *a, err *e);
err_code store_pg_audit_scan(const char *uri, int64_t after, int64_t limit, store_audit_fn fn,
                             void *ctx, err *e);
/* store_catalog_ensure over PostgreSQL (pg_write.c): a schema of accounts alone gets the empty
 * catalogue tables, made by a write that changes no layer. */
err_code store_pg_catalog_ensure(const char *uri, bool *out_created, err *e);
/* Reviews over PostgreSQL (pg_review.c). */
err_code store_pg_reviews_scan(const char *uri, int64_t only, const char *state,
                               store_review_fn fn, void *ctx, err *e);
err_code store_pg_review_decide(const char *uri, const store_review_decision *d,
                                store_review_verdict *out, err *e);

/* check.c and pg_check.c: records one problem in r (sticky r->nomem when it cannot). */
struct store_check_result;
void store_check_note(struct store_check_result *r, const char *layer, int64_t version,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* `teselas check` over PostgreSQL (pg_check.c): store_check_db's checks that apply there. */
err_code store_pg_check_db(const char *uri, struct store_check_result *out, err *e);

#endif
