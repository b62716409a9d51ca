/* pg_int.h — the PostgreSQL/PostGIS backend of the store (pg_*.c); not part of its interface.
 *
 * The layout a catalog takes in PostgreSQL (written by `teselas copy`, pg_copy.c), in one schema
 * (`teselas` unless the URI's search_path says otherwise):
 *  - the catalog tables of the SpatiaLite file under the same names and columns (teselas_layers,
 *    teselas_history, teselas_styles, teselas_agg_nodes/units, teselas_settings), SQLite's
 *    INTEGER/REAL/TEXT as bigint/double precision/text COLLATE "C" (byte order, as SQLite sorts);
 *  - one table per layer version, named as in the file: teselas_row (the file's row number, the
 *    curve order), fid, the layer's fields, geom geometry(Geometry, 4326) with a GiST index, and
 *    teselas_ord plus teselas_xmin/xmax/ymin/ymax: the row's place in, and its box from, the
 *    file's R*Tree (float32 rounded outwards). A box query tests those exact boxes after the GiST
 *    index and returns rows in that order, so it selects and orders the rows exactly as the
 *    SpatiaLite reader does: a tile is built from the same features in the same order;
 *  - the ranked-line side tables (<table>_tile_lines) with their blobs as bytea. */
#ifndef TESELAS_STORE_PG_INT_H
#define TESELAS_STORE_PG_INT_H

#include <sqlite3.h>

#include "core/arena.h"
#include "store/pq_int.h"
#include "store/store_int.h"

/* Bound parameters of one statement, as text (PostgreSQL infers each one's type from where it
 * stands; casts in the SQL fix it where it cannot), or a double in binary (store_pg_arg_f64).
 * Sticky nomem. */
typedef struct store_pg_args {
  char **v;
  int *lens, *formats;    /* per parameter: bytes and 1 for a binary one; NULL while none is */
  size_t n, cap;
  bool nomem;
} store_pg_args;

/* Appends a parameter (NULL: SQL NULL; text is copied) and returns its number ($n). */
int store_pg_arg(store_pg_args *a, const char *text);
int store_pg_argf(store_pg_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends d as a binary float8 (8 bytes, big-endian): its SQL must read it as $n::float8. It
 * spares a tile's bounds their printing to 17 digits here and their parsing by PostgreSQL. */
int store_pg_arg_f64(store_pg_args *a, double d);
void store_pg_args_free(store_pg_args *a);

enum { STORE_PG_STMTS = 48, STORE_PG_TIMES = 16 };

typedef struct store_pg_stmt {
  char *sql;
  char name[24];
  uint64_t used;  /* clock of last use, for eviction */
} store_pg_stmt;

/* One connection with its prepared statements and catalog snapshot (one per worker thread). */
typedef struct store_pg {
  PGconn *conn;           /* NULL while a lazily opened reader has not reached its server */
  char *uri;              /* to connect again from nothing (store_pg_open_lazy) */
  store_pg_stmt stmts[STORE_PG_STMTS];
  uint64_t clock, n_prepared;
  catalog *cat;
  char *cat_sig;          /* the layers' ids and versions the snapshot was loaded at */
  int64_t cat_loads;      /* the snapshot's data_version: one more at every reload */
  double cat_checked;     /* monotonic seconds of the last look at the catalog */
  struct {
    char *key;            /* "table\x1ffield" */
    char min[40], max[40];
  } times[STORE_PG_TIMES];
  bool busy;              /* a row-by-row query is running */
  double deadline;        /* monotonic seconds: a statement still running then is cancelled; 0 none */
  bool cancelled;         /* the running statement was cancelled at the deadline */
  bool sent;              /* a statement was sent and nothing of its answer read since */
  bool own_path;          /* the URI sets search_path itself (session_setup leaves it) */
  double retry_at;        /* monotonic seconds: no reconnection attempt before (backoff) */
  double backoff;         /* seconds to wait after the next failed attempt */
  uint64_t watch_seen;    /* the watch's epoch when the snapshot was last checked */
  const struct store_watch *watch; /* announces catalog changes (pg_watch.c), or NULL */
  /* SpatiaLite in memory, for the distances of near queries (pg_read.c says why) */
  sqlite3 *dist_db;
  sqlite3_stmt *dist_st;
  void *dist_spl;
  /* The bytes of a line tile's rows while pg_read.c puts them in order, kept from one tile to
   * the next: a buffer made for each tile was mapped and faulted in again every time. */
  buf held;
  bool held_busy;         /* an iterator holds its rows in `held` */
} store_pg;

/* Connects to uri, sets the session (search_path, UTC) and checks the catalog is there. */
err_code store_pg_open(const char *uri, store_pg **out, err *e);
/* The same for a server's worker: a database that cannot be reached now (ERR_IO) still gives a
 * reader, which connects on a later call (backoff as after a lost connection); the catalog's
 * presence was checked at start-up. */
err_code store_pg_open_lazy(const char *uri, store_pg **out, err *e);
void store_pg_close(store_pg *p);
/* True when p's connection is up or its next attempt is due (not in a backoff after a failure). */
bool store_pg_may_answer(const store_pg *p);
/* Monotonic seconds (catalog polling, reconnection backoff). */
double store_pg_now(void);
/* A connection to uri for one short call: the one the calling thread keeps when it is still up,
 * else a new one (store_pg_connect). Taken, not shared (a call within a call gets another): give
 * it back with store_pg_conn_give, which keeps it for the thread's next call when it is up and
 * outside any transaction, else closes it. Closed at the thread's end. */
err_code store_pg_conn_take(const char *uri, PGconn **out, err *e);
void store_pg_conn_give(const char *uri, PGconn *pg);
/* Opens a bare connection to uri with the schema search path and UTC set (copy and reader). */
err_code store_pg_connect(const char *uri, PGconn **out, err *e);

/* Runs sql (prepared once per connection and SQL text) with args; binary results in *out
 * (caller PQclear). ERR_DB with PostgreSQL's message, ERR_INVALID for a value PostgreSQL
 * refused as data (class 22: a literal of the wrong type). */
err_code store_pg_exec(store_pg *p, const char *sql, const store_pg_args *a, PGresult **out,
                       err *e);
/* Whether the connection's schema has table `name` (a catalog may lack optional tables). *rc is
 * the query's error, and false then too. */
bool store_pg_has_table(store_pg *p, const char *name, err_code *rc, err *e);
/* The same, sent for reading row by row (PQsetSingleRowMode): results come from PQgetResult. */
err_code store_pg_send(store_pg *p, const char *sql, const store_pg_args *a, err *e);
/* The next result of the statement running on p (NULL after the last), as PQgetResult, but
 * waiting no later than p->deadline: past it the statement is cancelled, and its result is
 * then PostgreSQL's "canceling statement" error (store_pg_result_error: ERR_UNAVAILABLE). The
 * connection stays usable. */
PGresult *store_pg_next_result(store_pg *p);
/* From now on, statements on p stop at monotonic second `at` (0: no deadline). */
void store_pg_deadline(store_pg *p, double at);
/* Reads and drops whatever results are still pending on the connection (an iterator closed
 * early: the query is cancelled first). */
void store_pg_drain(store_pg *p, bool cancel);
/* The error of a failed result, as the store reports it. */
err_code store_pg_result_error(const PGresult *res, const char *what, err *e);

/* One column of one row of a binary result: the value (NUL-terminated, as libpq gives it) and
 * its length, s NULL for SQL NULL; oid its type. Read like the PGresult forms below, also after
 * the result is gone when the bytes were copied (pg_read.c holds a line tile's rows so). */
typedef struct store_pg_cell {
  const char *s;
  int len;
  unsigned oid;
} store_pg_cell;
store_pg_cell store_pg_cell_at(const PGresult *r, int row, int col);
int64_t store_pg_cell_i64(store_pg_cell c);
double store_pg_cell_f64(store_pg_cell c);
void store_pg_cell_value(store_pg_cell c, field_type type, value *v);

/* Columns of a binary result, by the column's type (int2/4/8, float4/8, bool, numeric text). */
int64_t store_pg_i64(const PGresult *r, int row, int col);
double store_pg_f64(const PGresult *r, int row, int col);
/* Text or bytea bytes (NUL-terminated by libpq); dflt when NULL. */
const char *store_pg_text(const PGresult *r, int row, int col, const char *dflt);
/* A field's value as the SpatiaLite reader gives it (reader.c column_value). */
void store_pg_value(const PGresult *r, int row, int col, field_type type, value *v);

/* ---- reads (pg_read.c, pg_catalog.c, pg_scan.c) -------------------------------------------- */
err_code store_pg_catalog(store_pg *p, const catalog **out, err *e);
/* Loads the whole catalog from p's connection (caller owns; catalog_destroy). */
err_code store_pg_catalog_load(store_pg *p, catalog **out, err *e);
/* The catalog of one layer as review n would publish it (store_review_catalog). ERR_NOT_FOUND
 * when review n is not waiting. Caller owns. */
err_code store_pg_review_catalog(store_pg *p, int64_t n, catalog **out, err *e);

typedef struct store_pg_iter store_pg_iter;
/* window: the search window of a near query (reader.c near_plan), or NULL for q->bbox. */
err_code store_pg_query_start(store_pg *p, const store_query *q, const double *window,
                              store_pg_iter **out, err *e);
err_code store_pg_kth_distance(store_pg *pg, const store_query *q, const double *w, int64_t k,
                               double *out_d, bool *out_found, err *e);
int store_pg_iter_next(store_pg_iter *it, store_feature *out, err *e);
err_code store_pg_iter_error(const store_pg_iter *it, err *e);
void store_pg_iter_close(store_pg_iter *it);
err_code store_pg_query_count(store_pg *p, const store_query *q, int64_t *out, err *e);
err_code store_pg_query_groups(store_pg *p, const store_query *q, const char *field,
                               bool by_month, store_group_fn fn, void *ctx, err *e);
err_code store_pg_time_extent(store_pg *p, const layer_info *l, const char *field,
                              char out_min[40], char out_max[40], err *e);
err_code store_pg_agg_nodes_scan(store_pg *p, const layer_info *l, const double *bbox,
                                 store_agg_node_fn fn, void *ctx, err *e);
err_code store_pg_agg_units_scan(store_pg *p, const layer_info *l, const char *node,
                                 int level_a, int level_b, const char *category,
                                 store_agg_unit_fn fn, void *ctx, err *e);
err_code store_pg_versions_scan(store_pg *p, const char *layer_id, int64_t only,
                                store_version_fn fn, void *ctx, err *e);
err_code store_pg_setting_get(const char *uri, const char *key, char **out_value, err *e);
/* Sets (text NULL: removes) a setting in one transaction under the writers' lock (pg_settings.c). */
err_code store_pg_setting_set(const char *uri, const char *key, const char *text, err *e);
/* Inside a transaction: waits for, then holds until its end, the one writer's lock of schema. */
err_code store_pg_schema_lock(PGconn *pg, const char *schema, err *e);
/* VACUUM of the catalogue tables of the URI's schema (pg_settings.c), after a removal: the rows
 * it deleted become free space at once rather than dead tuples until autovacuum comes. Best
 * effort: false when it could not run. */
bool store_pg_vacuum_catalog(const char *uri);
err_code store_pg_deliveries_scan(store_pg *p, size_t per_layer, store_delivery_fn fn, void *ctx,
                                  err *e);

/* ---- copying SQLite tables into PostgreSQL (pg_copy.c), for `teselas copy` and the writes
 * (pg_write.c) ---------------------------------------------------------------------------------- */
typedef struct store_pg_copy {
  sqlite3 *src;      /* the SpatiaLite file read (borrowed) */
  const char *from;  /* its name, for messages */
  PGconn *pg;        /* the target, inside the caller's transaction (borrowed) */
  buf line;          /* COPY data waiting to be sent */
  buf wkb;
  arena *a;
  int64_t n_tables;  /* version tables copied */
} store_pg_copy;

err_code store_pg_copy_init(store_pg_copy *c, err *e);
/* Frees the buffers (not src or pg). */
void store_pg_copy_free(store_pg_copy *c);
/* Copies table of c->src: created in PostgreSQL unless it is there (a version table must not
 * be), then its rows; only those whose column only[0] holds the text only[1] when only is not
 * NULL. A version table gets its R*Tree's order and boxes and a GiST index (pg_int.h above). */
err_code store_pg_copy_table(store_pg_copy *c, const char *table, bool version,
                             const char *const only[2], err *e);
/* Inside a transaction: PostGIS, the schema (created when missing) first in the search path,
 * and the SQL functions the readers call. */
err_code store_pg_schema_prepare(PGconn *pg, const char *schema, err *e);
/* The accounts, tokens, sessions and audit tables (pg_accounts.c), made with the catalogue's. */
extern const char STORE_PG_ACCOUNTS_SQL[];
/* The schema pg's search path puts first ("teselas" by default; pg_settings.c). ERR_INVALID
 * when none. */
err_code store_pg_search_schema(PGconn *pg, char out[64], err *e);
/* Runs sql (no parameters, results dropped); ERR_DB with PostgreSQL's message. */
err_code store_pg_run(PGconn *pg, const char *sql, err *e);

/* ---- PostgreSQL tables into a SpatiaLite file (pg_pull.c), for the writes' private copy and
 * `teselas copy` to a file ------------------------------------------------------------------------ */
typedef struct store_pg_pull {
  PGconn *pg;          /* inside the caller's transaction (borrowed) */
  const char *schema;  /* the schema read */
  sqlite3 *db;         /* the file written, SpatiaLite loaded (borrowed) */
  bool no_lines;       /* a version's ranked lines stay behind (a diff never reads them) */
} store_pg_pull;

/* Rows of table into dest (created from PostgreSQL's columns when the file has no such table;
 * else only the columns both have), INSERT OR REPLACE. */
err_code store_pg_pull_table(const store_pg_pull *p, const char *table, const char *dest, err *e);
/* A version table as SpatiaLite had it, into dest (which must not exist): teselas_row the
 * rowid, geometries as SpatiaLite blobs, no R*Tree columns; its ranked lines into
 * <dest>_tile_lines. ERR_NOT_FOUND when PostgreSQL has no such table. */
err_code store_pg_pull_version(const store_pg_pull *p, const char *table, const char *dest,
                               err *e);
bool store_sqlite_has_column(sqlite3 *db, const char *table, const char *col);

/* ---- usage counts and download digests (pg_usage.c, for usage.c) ------------------------------
 * The writer's own connection to uri, the tables made when missing (under the writers' lock). */
err_code store_pg_usage_connect(const char *uri, PGconn **out, err *e);
/* Adds rows in one transaction (increments: several servers add up), waiting busy_ms at most for
 * another's; *c is connected again from uri first when it was lost. */
err_code store_pg_usage_add(PGconn **c, const char *uri, const store_usage_row *rows, size_t n,
                            int busy_ms, err *e);
err_code store_pg_digest_put(PGconn **c, const char *uri, const store_digest *d, err *e);
err_code store_pg_usage_scan(store_pg *p, const char *since, store_usage_period by,
                             store_usage_fn fn, void *ctx, err *e);
err_code store_pg_digest_get(store_pg *p, store_digest *d, bool *out_found, err *e);

/* ---- a predicate compiled to PostgreSQL (pg_pred.c) ------------------------------------------
 * Appends the condition of p (NULL: nothing) for layer l to sql, its literals to args. */
void store_pg_pred(buf *sql, store_pg_args *args, const layer_info *l, const query_pred *p);
/* The ORDER BY body of sort keys with SQLite's NULL order (first ascending, last descending). */
void store_pg_order(buf *sql, const query_sort *keys, size_t n);

#endif
