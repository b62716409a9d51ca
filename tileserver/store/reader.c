/* reader.c — the read side: one read-only connection per worker thread, a catalog snapshot that
 * reloads when the file changed (PRAGMA data_version, asked only when the WAL index moved), and
 * bbox queries over SpatiaLite's R*Tree (their SQL text and bindings: plan.c).
 *
 * The R*Tree is queried directly (SELECT pkid FROM idx_<table>_geom ...), so reading needs no
 * SpatiaLite extension loaded: less start-up work per thread and no SQL functions on the hot path.
 * Its pkid is the table's rowid: teselas_row, the row's place on the curve (store/curve.c), or in
 * tables written before rows were stored in curve order, fid itself. So the index is joined on
 * rowid and features are named and paged by fid, which reads both layouts alike.
 * Statements are prepared once per SQL text and cached on the connection. */
#include <arpa/inet.h>
#include <math.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "geom/geom.h"
#include "store/pg_int.h"

enum {
  STMT_CACHE = 48,
  TIME_CACHE = 16,
  /* The WAL index (the -shm file, https://sqlite.org/walformat.html section 2.2): regions of 32 KiB,
   * the first starting with two copies of the 48-byte header, the first copy written last. */
  WAL_INDEX_REGION = 32768,
  WAL_HDR_LEN = 48
};

/* A cached temporal extent: key is "table\x1ffield"; a new version is a new table. */
typedef struct time_slot {
  char *key;
  char min[40], max[40];
} time_slot;

typedef struct stmt_slot {
  char *sql;
  sqlite3_stmt *st;
  uint64_t used;  /* clock of last use, for eviction */
} stmt_slot;

struct store_reader {
  sqlite3 *db;
  catalog *cat;
  stmt_slot stmts[STMT_CACHE];
  uint64_t clock;
  bool iter_live;
  bool snapshot;            /* in the transaction of store_reader_snapshot */
  void *spl_cache;  /* SpatiaLite's per-connection state, once its functions are loaded */
  time_slot times[TIME_CACHE];
  /* The change detector of store_reader_catalog: the WAL index header in shared memory (NULL
   * when the connection is not in WAL mode, or before it was looked at), and its first copy as it
   * was just before the last PRAGMA data_version (valid when wal_seen_ok). */
  const volatile uint8_t *wal_hdr;
  uint8_t wal_seen[WAL_HDR_LEN];
  bool wal_seen_ok, wal_probed;
  arena *scratch;   /* geometries decoded by teselas_intersects, reset after each row */
  store_pg *pg;     /* a PostgreSQL database (pg_*.c answers every call), else NULL */
  /* A server's databases in the order it asks them (store_reader_open_sources): standbys, then
   * the primary; pg is the one the current request reads. n_srcs 0: pg alone. */
  store_pg *srcs[STORE_READ_MAX + 1];
  size_t n_srcs;
  struct timespec deadline; /* store_reader_deadline: reads past it are interrupted; 0: none */
  store_inside_skip skip;   /* of the running box page (inside_skip.c), read by rtree_inside */
  store_subtree_counts counts; /* box_count.c's, of the last table it counted */
};

struct store_iter {
  store_reader *r;
  sqlite3_stmt *st;
  const layer_info *layer;
  field_type *types;
  value *values;
  size_t n_values;
  bool with_geometry;
  bool with_distance;
  err error;               /* sticky: the first failure of a step (code ERR_OK until then) */
  store_pg_iter *pg;       /* over PostgreSQL */
  bool txn;                /* a read transaction opened for this box page: committed at close */
};

/* Reads the little- or big-endian double at b[off]. */
static double blob_f64(const uint8_t *b, size_t off, bool le) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= (uint64_t)b[off + (size_t)(le ? i : 7 - i)] << (8 * i);
  double d;
  memcpy(&d, &v, sizeof d);
  return d;
}

/* The bounding box of a SpatiaLite BLOB as written in its header (the MBR of a regular BLOB, the
 * point of a TinyPoint). False for anything else. */
static bool blob_mbr(const uint8_t *b, size_t n, double out[4]) {
  if (n >= 45 && b[0] == 0x00 && (b[1] == 0 || b[1] == 1) && b[38] == 0x7C) {
    for (int i = 0; i < 4; i++) out[i] = blob_f64(b, 6 + 8 * (size_t)i, b[1] == 1);
    return true;
  }
  if (n >= 24 && b[0] == 0x00 && (b[1] == 0x80 || b[1] == 0x81)) {
    out[0] = out[2] = blob_f64(b, 7, b[1] == 0x81);
    out[1] = out[3] = blob_f64(b, 15, b[1] == 0x81);
    return true;
  }
  return false;
}

/* The arguments of both SQL functions below: the geometry's bounding box into m and the box
 * asked into q; false when the geometry is NULL or not a blob with a box. */
static bool box_args(sqlite3_value **argv, double m[4], double q[4]) {
  const uint8_t *b = sqlite3_value_blob(argv[0]);
  int n = sqlite3_value_bytes(argv[0]);
  for (int i = 0; i < 4; i++) q[i] = sqlite3_value_double(argv[1 + i]);
  return b && n > 0 && blob_mbr(b, (size_t)n, m);
}

/* Is the box q (minx > maxx: across the antimeridian) wholly inside the bounding box m, wholly
 * containing it, or apart from it? -1 apart, 1 the geometry's box inside q, 0 undecided. */
static int mbr_relation(const double m[4], const double q[4]) {
  if (m[3] < q[1] || m[1] > q[3]) return -1;
  bool y_in = m[1] >= q[1] && m[3] <= q[3];
  if (q[0] <= q[2]) {
    if (m[2] < q[0] || m[0] > q[2]) return -1;
    return y_in && m[0] >= q[0] && m[2] <= q[2] ? 1 : 0;
  }
  if (m[2] < q[0] && m[0] > q[2]) return -1;
  return y_in && (m[0] >= q[0] || m[2] <= q[2]) ? 1 : 0;
}

/* SQL teselas_mbr_intersects(geom, minx, miny, maxx, maxy): 1 when the geometry's exact bounding
 * box intersects the box (minx > maxx: the box crosses the antimeridian), else 0. The R*Tree
 * answers first with float32 boxes; this removes its outward rounding. */
static void sql_mbr_intersects(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  double m[4], q[4];
  sqlite3_result_int(ctx, box_args(argv, m, q) && mbr_relation(m, q) >= 0);
}

/* The largest geometry teselas_intersects decodes: 64 MiB holds 4 million points. A larger one is
 * judged by its bounding box (it still matched that). */
enum { INTERSECTS_ARENA = 64 * 1024 * 1024 };

/* SQL teselas_intersects(geom, minx, miny, maxx, maxy): 1 when the geometry meets the box
 * (minx > maxx: the box crosses the antimeridian, as [minx, 180] and [-180, maxx]), exactly,
 * part by part (geom_intersects_bbox); the bounding boxes decide first, and for a single point
 * they are exact. The R*Tree answers first with float32 boxes rounded outwards and with whole
 * features' boxes: a multipolygon split at ±180° has a box from -180 to 180. */
static void sql_intersects(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  store_reader *r = sqlite3_user_data(ctx);
  const uint8_t *b = sqlite3_value_blob(argv[0]);
  int n = sqlite3_value_bytes(argv[0]);
  double m[4], q[4];
  if (!box_args(argv, m, q)) {
    sqlite3_result_int(ctx, 0);
    return;
  }
  int rel = mbr_relation(m, q);
  if (rel != 0 || (m[0] == m[2] && m[1] == m[3])) { /* apart, inside, or one point */
    sqlite3_result_int(ctx, rel >= 0);
    return;
  }
  geom g;
  int hit = 1; /* a blob that cannot be decoded here is judged by its box, which met q */
  if (r->scratch && geom_blob_decode(b, (size_t)n, r->scratch, &g, NULL, NULL) == ERR_OK) {
    geom_bbox east = {q[0], q[1], q[2], q[3]}, west = east;
    if (q[0] > q[2]) east.max_x = 180, west.min_x = -180;
    hit = geom_intersects_bbox(&g, east) || (q[0] > q[2] && geom_intersects_bbox(&g, west));
  }
  if (r->scratch) arena_reset(r->scratch);
  sqlite3_result_int(ctx, hit);
}

/* R*Tree query teselas_inside(minx, miny, maxx, maxy), as `pkid MATCH teselas_inside(...)`: the
 * entries whose index box lies inside the box, in the tree's own order (teselas_ord over
 * PostgreSQL). Every point scores 0, so the module walks the tree depth first as a plain box
 * query does; a node crossing the box's edge is still descended (its entries inside count), an
 * entry crossing it is left to the other part of the read. Scoring nodes inside first would read
 * fewer nodes but in an order PostgreSQL cannot reproduce from teselas_ord. Coordinates come as
 * the doubles of the index's float32 bounds, compared with the box as the plain constraints are. */
static int rtree_inside(sqlite3_rtree_query_info *q) {
  if (q->nParam != 4 || q->nCoord != 4) return SQLITE_ERROR;
  const sqlite3_rtree_dbl *c = q->aCoord, *b = q->aParam; /* c: xmin, xmax, ymin, ymax */
  store_reader *r = q->pContext;
  q->rScore = 0;
  if (q->eParentWithin == FULLY_WITHIN ||
      (c[0] >= b[0] && c[1] <= b[2] && c[2] >= b[1] && c[3] <= b[3]))
    q->eWithin = FULLY_WITHIN;
  else if (q->iLevel > 0 && c[0] <= b[2] && c[1] >= b[0] && c[2] <= b[3] && c[3] >= b[1])
    /* a node crossing the edge that inside_skip.c found holds no entry inside is passed over */
    q->eWithin = store_inside_skip_judge(&r->skip, b, c, q->iLevel) ? NOT_WITHIN : PARTLY_WITHIN;
  else
    q->eWithin = NOT_WITHIN; /* apart, or an entry crossing the edge: the other part reads it */
  return SQLITE_OK;
}

/* A libpq URI names a PostgreSQL database (pg_*.c); anything else is a SpatiaLite file. */
static err_code pg_reader_open(const char *uri, store_reader **out, err *e) {
  store_reader *r = calloc(1, sizeof *r);
  if (!r) return err_set(e, ERR_NOMEM, "out of memory");
  err_code rc = store_pg_open(uri, &r->pg, e);
  if (rc != ERR_OK) {
    free(r);
    return rc;
  }
  *out = r;
  return ERR_OK;
}

err_code store_reader_open_sources(const store_sources *s, unsigned slot, store_reader **out,
                                   err *e) {
  *out = NULL;
  if (!store_db_is_pg(s->primary))
    return store_reader_open_wait(
        s->primary, s->busy_timeout_ms > 0 ? s->busy_timeout_ms : STORE_BUSY_TIMEOUT_MS, out, e);
  store_reader *r = calloc(1, sizeof *r);
  if (!r) return err_set(e, ERR_NOMEM, "out of memory");
  size_t n = s->n_replicas;
  const char *uris[STORE_READ_MAX + 1];
  for (size_t i = 0; i < n; i++) uris[i] = s->replicas[(slot + i) % n];
  uris[n] = s->primary;
  err_code rc = ERR_OK;
  for (size_t i = 0; rc == ERR_OK && i <= n; i++) {
    rc = store_pg_open_lazy(uris[i], &r->srcs[i], e);
    if (rc == ERR_OK) {
      r->srcs[i]->watch = s->watch;
      r->n_srcs++;
    }
  }
  if (rc != ERR_OK) {
    store_reader_close(r);
    return rc;
  }
  r->pg = r->srcs[0];
  *out = r;
  return ERR_OK;
}

/* The catalog of the first of r's databases that answers, which the request then reads. */
static err_code sources_catalog(store_reader *r, const catalog **out, err *e) {
  err_code rc = ERR_IO;
  for (size_t i = 0; i < r->n_srcs; i++) {
    store_pg *p = r->srcs[i];
    if (!store_pg_may_answer(p)) continue;
    bool was_up = p->conn && PQstatus(p->conn) == CONNECTION_OK;
    rc = store_pg_catalog(p, out, e);
    /* a connection that was up and broke (the server restarted) is made again at once */
    if (rc == ERR_IO && was_up && store_pg_may_answer(p)) rc = store_pg_catalog(p, out, e);
    if (rc != ERR_IO) {
      r->pg = p;
      return rc;
    }
  }
  return err_set(e, ERR_IO, "no database can be reached (PostgreSQL is down or restarting)");
}

err_code store_reader_open(const char *path, store_reader **out, err *e) {
  return store_reader_open_wait(path, STORE_BUSY_TIMEOUT_MS, out, e);
}

/* SQLite's progress callback: non-zero interrupts the statement (SQLITE_INTERRUPT). */
static int past_deadline(void *ctx) {
  const store_reader *r = ctx;
  if (!r->deadline.tv_sec) return 0;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec > r->deadline.tv_sec ||
         (now.tv_sec == r->deadline.tv_sec && now.tv_nsec >= r->deadline.tv_nsec);
}

bool store_reader_past_deadline(const store_reader *r) {
  return r && past_deadline((void *)r);
}

/* Over PostgreSQL the connection keeps the deadline (pg_conn.c cancels a statement past it). */
static void pg_deadline(store_reader *r, double at) {
  store_pg_deadline(r->pg, at);
  for (size_t i = 0; i < r->n_srcs; i++) store_pg_deadline(r->srcs[i], at);
}

void store_reader_deadline(store_reader *r, int time_ms) {
  if (!r) return;
  if (time_ms <= 0) {
    r->deadline = (struct timespec){0};
    pg_deadline(r, 0);
    return;
  }
  pg_deadline(r, store_pg_now() + time_ms / 1000.0);
  clock_gettime(CLOCK_MONOTONIC, &r->deadline);
  r->deadline.tv_sec += time_ms / 1000;
  r->deadline.tv_nsec += (long)(time_ms % 1000) * 1000000L;
  if (r->deadline.tv_nsec >= 1000000000L) {
    r->deadline.tv_sec++;
    r->deadline.tv_nsec -= 1000000000L;
  }
}

err_code store_reader_open_wait(const char *path, int busy_ms, store_reader **out, err *e) {
  *out = NULL;
  if (store_db_is_pg(path)) return pg_reader_open(path, out, e);
  if (access(path, R_OK) != 0)
    return err_set(e, ERR_IO, "cannot read database %s: %s", path,
                   access(path, F_OK) != 0 ? "no such file" : "permission denied");
  store_reader *r = calloc(1, sizeof *r);
  if (!r) return err_set(e, ERR_NOMEM, "out of memory");
  int rc = sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  sqlite3_stmt *st = NULL;
  err_code out_rc = ERR_INVALID;
  if (rc != SQLITE_OK) {
    out_rc = err_set(e, ERR_IO, "cannot open database %s: %s", path, sqlite3_errmsg(r->db));
    goto fail;
  }
  sqlite3_busy_timeout(r->db, busy_ms);
  /* a clock read every 10,000 virtual machine steps: a few microseconds of a long query */
  sqlite3_progress_handler(r->db, 10000, past_deadline, r);
  r->scratch = arena_create(INTERSECTS_ARENA);
  sqlite3_create_function_v2(r->db, "teselas_intersects", 5,
                             SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, r,
                             sql_intersects, NULL, NULL, NULL);
  sqlite3_rtree_query_callback(r->db, "teselas_inside", rtree_inside, r, NULL);
  sqlite3_create_function_v2(r->db, "teselas_mbr_intersects", 5,
                             SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                             sql_mbr_intersects, NULL, NULL, NULL);
  sqlite3_create_function_v2(r->db, "teselas_diff_hash", -1,
                             SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                             store_sql_diff_hash, NULL, NULL, NULL);
  rc = sqlite3_prepare_v2(r->db,
                          "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN "
                          "('teselas_layers','teselas_history','geometry_columns')",
                          -1, &st, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) {
    int code = sqlite3_errcode(r->db) & 0xff;
    /* a lock held past the wait (an exclusive-mode writer) is a retry later, not a bad file */
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
      out_rc = store_read_error(r->db, NULL, path, e);
    else err_set(e, ERR_INVALID, "%s is not a SQLite database (%s)", path, sqlite3_errmsg(r->db));
    goto fail;
  }
  if (sqlite3_column_int(st, 0) != 3) {
    err_set(e, ERR_INVALID,
            "%s is not a teselas database (no SpatiaLite catalog; create one with `teselas "
            "import` or `teselas demo`)",
            path);
    goto fail;
  }
  sqlite3_finalize(st);
  /* Reads through mmap instead of a pread per page (the page copies were a fifth of a dense
   * tile's time in perf), and a larger page cache per connection. After the first read, so a
   * lock held by another program costs one busy wait, not two. */
  sqlite3_exec(r->db, "PRAGMA mmap_size=4294967296; PRAGMA cache_size=-32768", NULL, NULL, NULL);
  *out = r;
  return ERR_OK;
fail:
  sqlite3_finalize(st);
  sqlite3_close(r->db);
  arena_destroy(r->scratch);
  free(r);
  return out_rc;
}

void store_reader_unmapped(store_reader *r, int cache_kib) {
  if (!r || r->pg || !r->db) return;
  char sql[96];
  snprintf(sql, sizeof sql, "PRAGMA mmap_size=0; PRAGMA cache_size=-%d", cache_kib);
  sqlite3_exec(r->db, sql, NULL, NULL, NULL);
}

static err_code stmt_find(store_reader *r, const char *sql, sqlite3_stmt **out, err *e);

err_code store_reader_snapshot(store_reader *r, bool hold, err *e) {
  if (!r || r->pg || !r->db || hold == r->snapshot) return ERR_OK;
  sqlite3_stmt *st;
  err_code rc = stmt_find(r, hold ? "BEGIN" : "COMMIT", &st, e);
  if (rc != ERR_OK) return rc;
  int s = sqlite3_step(st);
  sqlite3_reset(st);
  if (s != SQLITE_DONE)
    return err_set(e, ERR_DB, "%s a read transaction: %s", hold ? "beginning" : "ending",
                   sqlite3_errmsg(r->db));
  r->snapshot = hold;
  return ERR_OK;
}

void store_reader_close(store_reader *r) {
  if (!r) return;
  if (r->n_srcs == 0) store_pg_close(r->pg);
  for (size_t i = 0; i < r->n_srcs; i++) store_pg_close(r->srcs[i]);
  for (int i = 0; i < STMT_CACHE; i++) {
    sqlite3_finalize(r->stmts[i].st);
    free(r->stmts[i].sql);
  }
  for (int i = 0; i < TIME_CACHE; i++) free(r->times[i].key);
  catalog_destroy(r->cat);
  free(r->counts.table);
  free(r->counts.n);
  sqlite3_close(r->db);
  if (r->spl_cache) store_spl_detach(r->spl_cache);
  arena_destroy(r->scratch);
  free(r);
}

/* The cached statement of sql (reset, bindings cleared) in *out: ERR_DB when it does not
 * prepare, ERR_NOMEM; *out is NULL then. */
static err_code stmt_find(store_reader *r, const char *sql, sqlite3_stmt **out, err *e) {
  stmt_slot *victim = &r->stmts[0];
  *out = NULL;
  r->clock++;
  for (int i = 0; i < STMT_CACHE; i++) {
    stmt_slot *s = &r->stmts[i];
    if (s->sql && strcmp(s->sql, sql) == 0) {
      s->used = r->clock;
      sqlite3_reset(s->st);
      sqlite3_clear_bindings(s->st);
      *out = s->st;
      return ERR_OK;
    }
    if (s->used < victim->used) victim = s;
  }
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
    return store_read_error(r->db, NULL, "query", e);
  sqlite3_finalize(victim->st);
  free(victim->sql);
  victim->sql = strdup(sql);
  victim->st = victim->sql ? st : NULL;
  victim->used = r->clock;
  if (!victim->sql) {
    sqlite3_finalize(st);
    return err_set(e, ERR_NOMEM, "out of memory");
  }
  *out = st;
  return ERR_OK;
}

static sqlite3_stmt *stmt_get(store_reader *r, const char *sql, err *e) {
  sqlite3_stmt *st;
  stmt_find(r, sql, &st, e);
  return st;
}

err_code store_reader_stmt_find(store_reader *r, const char *sql, sqlite3_stmt **out, err *e) {
  return stmt_find(r, sql, out, e);
}

sqlite3 *store_reader_db(store_reader *r) { return r->db; }

store_pg *store_reader_pg(store_reader *r) { return r->pg; }

sqlite3_stmt *store_reader_stmt(store_reader *r, const char *sql, err *e) {
  return stmt_get(r, sql, e);
}

static err_code data_version(store_reader *r, int64_t *out, err *e) {
  sqlite3_stmt *st = stmt_get(r, "PRAGMA data_version", e);
  if (!st) return ERR_DB;
  if (sqlite3_step(st) != SQLITE_ROW) return store_read_error(r->db, NULL, "catalog", e);
  *out = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return ERR_OK;
}

/* Maps the WAL index of r's connection, once, after a first PRAGMA data_version opened the WAL
 * (so this only looks up the mapping SQLite made: it never creates a -shm file). Through the VFS
 * methods of the public interface (sqlite3_io_methods version 2). Any failure leaves wal_hdr NULL:
 * the pragma is then asked on every call, as before this detector. */
static void wal_index_map(store_reader *r) {
  r->wal_probed = true;
  sqlite3_stmt *st = stmt_get(r, "PRAGMA journal_mode", NULL);
  bool wal = st && sqlite3_step(st) == SQLITE_ROW &&
             sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
  if (st) sqlite3_reset(st);
  sqlite3_file *f = NULL;
  if (!wal || sqlite3_file_control(r->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
      !f || !f->pMethods || f->pMethods->iVersion < 2 || !f->pMethods->xShmMap)
    return;
  void volatile *region = NULL;
  if (f->pMethods->xShmMap(f, 0, WAL_INDEX_REGION, 0, &region) == SQLITE_OK && region)
    r->wal_hdr = region;
}

/* True when the first copy of the WAL index header equals wal_seen. */
static bool wal_unchanged(const store_reader *r) {
  uint8_t now[WAL_HDR_LEN];
  for (int i = 0; i < WAL_HDR_LEN; i++) now[i] = r->wal_hdr[i];
  atomic_thread_fence(memory_order_acquire);
  return memcmp(now, r->wal_seen, WAL_HDR_LEN) == 0;
}

/* Why the header can stand in for PRAGMA data_version. A write transaction commits, in WAL mode, by
 * rewriting this header in shared memory (iChange, a counter of transactions, goes up by one, and
 * mxFrame and the checksums move) before the commit returns; readers (SQLite's own, which compare
 * the same bytes to decide that data_version changed) see a commit only through it. So when the
 * first copy is byte for byte what it was just before our last pragma, nothing committed since
 * that pragma, whose answer still holds; a request made after a commit returned finds the new
 * header (the memory is shared, and the commit happened before the request was sent) and asks the
 * pragma. While this server's connections are open, no writer can leave WAL mode (that needs an
 * exclusive lock, and a WAL reader keeps a shared lock on the database file for as long as it is
 * open), so every commit takes this path. The cost: a 48-byte compare instead of a read
 * transaction (two file locks through fcntl, and SQLite's VM), which was 8-13 % of the server's
 * CPU time on cached tiles. */
err_code store_reader_catalog(store_reader *r, const catalog **out, err *e) {
  if (r->n_srcs) return sources_catalog(r, out, e);
  if (r->pg) return store_pg_catalog(r->pg, out, e);
  if (r->cat && r->wal_hdr && r->wal_seen_ok && wal_unchanged(r)) {
    *out = r->cat;
    return ERR_OK;
  }
  /* the header as it is before the pragma: a commit after this shows as a change next time */
  uint8_t before[WAL_HDR_LEN];
  if (r->wal_hdr) {
    for (int i = 0; i < WAL_HDR_LEN; i++) before[i] = r->wal_hdr[i];
    atomic_thread_fence(memory_order_acquire);
  }
  r->wal_seen_ok = false; /* until the pragma answered and the catalog follows it */
  int64_t dv = 0;
  err_code rc = data_version(r, &dv, e);
  if (rc != ERR_OK) return rc;
  if (!r->cat || r->cat->data_version != dv) {
    catalog *c = NULL;
    if ((rc = store_catalog_load(r->db, &c, e)) != ERR_OK) return rc;
    c->data_version = dv;
    catalog_destroy(r->cat);
    r->cat = c;
  }
  /* inside a held snapshot the pragma answers for the snapshot, not for the header read now:
   * recording it would keep this catalog (and box_count.c's counts) past the snapshot's end */
  if (r->wal_hdr && !r->snapshot) {
    memcpy(r->wal_seen, before, WAL_HDR_LEN);
    r->wal_seen_ok = true;
  }
  /* mapped after the pragma, so wal_seen is not valid yet: the next call asks again */
  if (!r->wal_probed) wal_index_map(r);
  *out = r->cat;
  return ERR_OK;
}

static void column_value(sqlite3_stmt *st, int col, field_type type, value *v);

/* Nothing committed since the catalog's data_version when the WAL header has not moved since the
 * pragma that read it (see store_reader_catalog): the counts of that version still hold. */
store_subtree_counts *store_reader_subtree_counts(store_reader *r, const char *table) {
  if (r->pg || !r->cat || !r->wal_hdr || !r->wal_seen_ok || !wal_unchanged(r)) return NULL;
  store_subtree_counts *c = &r->counts;
  if (c->table && c->data_version == r->cat->data_version && strcmp(c->table, table) == 0)
    return c;
  free(c->table);
  if (!(c->table = strdup(table))) return NULL;
  c->data_version = r->cat->data_version;
  if (c->n) memset(c->n, 0, c->cap * sizeof *c->n);
  return c;
}

/* SpatiaLite's SQL functions, registered on this connection the first time a query needs them
 * (near, or a predicate with spatial operators): most connections never pay for them. */
static err_code spatial_sql_load(store_reader *r, err *e) {
  if (r->spl_cache) return ERR_OK;
  return store_spl_attach(r->db, &r->spl_cache, e);
}

/* Builds the statement of plan p (cached per SQL text) and binds its parameters: the predicate
 * is compiled first, since the parameters after its own (near) are numbered from its count. */
static err_code query_prepare(store_reader *r, store_plan *p, sqlite3_stmt **out, err *e) {
  *out = NULL;
  store_sql_pred where;
  store_sql_pred_build(&where, p->q->layer, p->q->where, STORE_FIRST_WHERE_PARAM, 64 * 1024);
  p->where = &where;
  err_code rc = ERR_OK;
  if (where.nomem) rc = err_set(e, ERR_NOMEM, "out of memory building the query");
  else if (p->q->edge_only && !store_plan_edge_only(p))
    rc = err_set(e, ERR_INTERNAL, "edge_only needs a box read in any order");
  else if (where.sql.failed) rc = err_set(e, ERR_LIMIT, "query too long");
  else if (where.spatial || p->q->near) rc = spatial_sql_load(r, e);
  buf sql;
  buf_init(&sql, 64 * 1024);
  if (rc == ERR_OK) {
    store_plan_sql(&sql, p);
    if (sql.failed) rc = err_set(e, ERR_LIMIT, "query too long");
  }
  if (rc == ERR_OK) rc = stmt_find(r, buf_cstr(&sql), out, e);
  if (*out) store_plan_bind(*out, p);
  buf_free(&sql);
  store_sql_pred_free(&where);
  p->where = NULL;
  return rc;
}

err_code store_query_count(store_reader *r, const store_query *q, int64_t *out, err *e) {
  if (r->pg) return store_pg_query_count(r->pg, q, out, e);
  store_plan p = {.q = q, .bbox = q->bbox, .mode = STORE_MODE_COUNT};
  sqlite3_stmt *st;
  err_code prc = query_prepare(r, &p, &st, e);
  if (prc != ERR_OK) return prc;
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) {
    err_code why = store_read_error(r->db, q->layer->id, "count", e);
    sqlite3_reset(st);
    return why;
  }
  *out = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return ERR_OK;
}

err_code store_query_groups(store_reader *r, const store_query *q, const char *field,
                            bool by_month, store_group_fn fn, void *ctx, err *e) {
  if (r->pg) return store_pg_query_groups(r->pg, q, field, by_month, fn, ctx, e);
  if (!layer_find_field(q->layer, field))
    return err_set(e, ERR_INVALID, "unknown field %s", field);
  store_plan p = {.q = q, .bbox = q->bbox, .mode = STORE_MODE_GROUPS, .group_field = field,
                  .by_month = by_month};
  sqlite3_stmt *st;
  err_code prc = query_prepare(r, &p, &st, e);
  if (prc != ERR_OK) return prc;
  const layer_field *f = layer_find_field(q->layer, field);
  field_type t = by_month ? FIELD_TEXT : f->type;
  int rc;
  value key;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    column_value(st, 0, t, &key);
    if (fn(ctx, &key, sqlite3_column_int64(st, 1)) != 0) break;
  }
  err_code out = ERR_OK;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    out = store_read_error(r->db, q->layer->id, "groups", e);
  sqlite3_reset(st);
  return out;
}

/* ---- nearest first ------------------------------------------------------------------------------
 * Sorting a million rows by a geodesic distance takes seconds, so a near query without a bbox
 * searches a square window around the point, growing it until it holds the k = offset + limit
 * nearest. Invariant used: every feature within d metres of the point has its bounding box
 * inside-or-across the window of half-side d. So when the k-th distance found in a window of
 * half-side w is d <= w, the window holds the true k nearest; when d > w, the window of half-side
 * d does. A window that covers the whole layer falls back to the plain query. */

/* Half-side w metres → a box in degrees that contains every point within w metres (5% margin:
 * a degree of longitude on the ellipsoid is never shorter than 111319.49·cos(lat) metres). */
static bool near_window(const double *pt, double w, double out[4]) {
  double dlat = w / 110574.0 * 1.05;
  double lat_hi = fabs(pt[1]) + dlat;
  if (lat_hi >= 89.0) return false;
  double dlon = w / (111319.49 * cos(lat_hi * M_PI / 180.0)) * 1.05;
  if (dlon >= 180.0) return false;
  out[0] = pt[0] - dlon;
  out[2] = pt[0] + dlon;
  if (out[0] < -180.0) out[0] += 360.0; /* crosses the antimeridian: minx > maxx */
  if (out[2] > 180.0) out[2] -= 360.0;
  out[1] = pt[1] - dlat;
  out[3] = pt[1] + dlat;
  return true;
}

static bool window_covers(const double *w, const double *b) {
  return w[0] <= w[2] && w[0] <= b[0] && w[1] <= b[1] && w[2] >= b[2] && w[3] >= b[3];
}

/* The k-th smallest distance inside window w; *out_found false when it holds fewer than k. */
static err_code kth_distance(store_reader *r, const store_query *q, const double *w, int64_t k,
                             double *out_d, bool *out_found, err *e) {
  if (r->pg) return store_pg_kth_distance(r->pg, q, w, k, out_d, out_found, e);
  store_plan p = {.q = q, .bbox = w, .mode = STORE_MODE_KTH_DISTANCE, .kth = k};
  sqlite3_stmt *st;
  err_code prc = query_prepare(r, &p, &st, e);
  if (prc != ERR_OK) return prc;
  int rc = sqlite3_step(st);
  *out_found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
  if (*out_found) *out_d = sqlite3_column_double(st, 0);
  err_code out = rc != SQLITE_ROW && rc != SQLITE_DONE
                     ? store_read_error(r->db, q->layer->id, "near", e) : ERR_OK;
  sqlite3_reset(st);
  return out;
}

/* Chooses the search window of a near query; *out_use false means "query without a window". */
static err_code near_plan(store_reader *r, const store_query *q, double win[4], bool *out_use,
                          err *e) {
  *out_use = false;
  if (!q->near || q->bbox || q->limit <= 0) return ERR_OK;
  int64_t k = (q->offset > 0 ? q->offset : 0) + q->limit;
  const double *b = q->layer->bounds;
  double lat = (b[1] + b[3]) / 2 * M_PI / 180.0;
  double area = fmax((b[2] - b[0]) * 111319.49 * cos(lat) * (b[3] - b[1]) * 110574.0, 1.0);
  double n = q->layer->feature_count > 0 ? (double)q->layer->feature_count : 1.0;
  double w = fmax(sqrt((double)k * area / n) / 2, 25.0);
  for (int i = 0; i < 24; i++) {
    if (!near_window(q->near, w, win) || window_covers(win, b)) return ERR_OK;
    double d = 0;
    bool found = false;
    err_code rc = kth_distance(r, q, win, k, &d, &found, e);
    if (rc != ERR_OK) return rc;
    if (!found) {
      w *= 4;
      continue;
    }
    if (d > w && (!near_window(q->near, d * 1.001 + 1.0, win) || window_covers(win, b)))
      return ERR_OK;
    *out_use = true;
    return ERR_OK;
  }
  return ERR_OK;
}

err_code store_reader_node_stmt(store_reader *r, const layer_info *l, sqlite3_stmt **out, err *e) {
  buf sql;
  buf_init(&sql, 4096);
  buf_puts(&sql, "SELECT data FROM ");
  store_index_name(&sql, l->table_name);
  /* the index name ends with its closing quote: "idx_<table>_geom" -> "idx_<table>_geom_node" */
  if (sql.len) sql.len--;
  buf_puts(&sql, "_node\" WHERE nodeno = ?1");
  err_code rc = sql.failed ? err_set(e, ERR_NOMEM, "out of memory")
                           : stmt_find(r, buf_cstr(&sql), out, e);
  buf_free(&sql);
  return rc;
}

/* Lists the crossing nodes the inside part of p's box page may pass over (inside_skip.c), in a
 * read transaction that the page's statement then reads in too (store_iter_close commits it),
 * so the list describes the very tree the statement walks. Without it the page reads as it
 * did: nothing here changes an answer. */
static void plan_inside_skip(store_reader *r, store_iter *it, const store_plan *p) {
  memset(&r->skip, 0, sizeof r->skip);
  sqlite3_stmt *begin = NULL, *node = NULL;
  if (stmt_find(r, "BEGIN", &begin, NULL) != ERR_OK ||
      store_reader_node_stmt(r, p->q->layer, &node, NULL))
    return;
  it->txn = sqlite3_step(begin) == SQLITE_DONE;
  sqlite3_reset(begin);
  if (!it->txn) return;
  const store_query *q = p->q;
  int64_t off = q->offset > 0 ? q->offset : 0;
  int64_t need = q->limit < 0 || off > INT64_MAX - q->limit ? INT64_MAX : q->limit + off;
  buf table;
  buf_init(&table, 4096);
  buf_printf(&table, "idx_%s_geom_node", p->q->layer->table_name);
  if (!table.failed) store_inside_skip_plan(&r->skip, r->db, buf_cstr(&table), node, p->bbox, need);
  buf_free(&table);
  sqlite3_reset(node);
}

err_code store_query_start(store_reader *r, const store_query *q, store_iter **out, err *e) {
  *out = NULL;
  if (r->iter_live) return err_set(e, ERR_INTERNAL, "a query is already running on this reader");
  double win[4];
  bool use_win = false;
  err_code rc = near_plan(r, q, win, &use_win, e);
  if (rc != ERR_OK) return rc;
  store_iter *it = calloc(1, sizeof *it);
  if (!it) return err_set(e, ERR_NOMEM, "out of memory");
  it->values = calloc(q->n_fields + 1, sizeof *it->values);
  it->types = calloc(q->n_fields + 1, sizeof *it->types);
  if (!it->values || !it->types) {
    store_iter_close(it);
    return err_set(e, ERR_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < q->n_fields; i++) {
    const layer_field *f = layer_find_field(q->layer, q->fields[i]);
    it->types[i] = f ? f->type : FIELD_TEXT;
  }
  store_plan p = {.q = q, .bbox = use_win ? win : q->bbox, .mode = STORE_MODE_ROWS};
  if (r->pg) rc = store_pg_query_start(r->pg, q, use_win ? win : NULL, &it->pg, e);
  else rc = query_prepare(r, &p, &it->st, e);
  if (rc == ERR_OK && !r->pg && store_plan_split_read(&p)) plan_inside_skip(r, it, &p);
  if (rc != ERR_OK) {
    store_iter_close(it);
    return rc;
  }
  it->r = r;
  it->layer = q->layer;
  it->n_values = q->n_fields;
  it->with_geometry = q->with_geometry;
  it->with_distance = q->near != NULL;
  r->iter_live = true;
  *out = it;
  return ERR_OK;
}

static void column_value(sqlite3_stmt *st, int col, field_type type, value *v) {
  memset(v, 0, sizeof *v);
  switch (sqlite3_column_type(st, col)) {
    case SQLITE_NULL: v->kind = VALUE_NULL; break;
    case SQLITE_INTEGER:
      v->kind = type == FIELD_BOOLEAN ? VALUE_BOOL : VALUE_INT;
      v->i = sqlite3_column_int64(st, col);
      if (type == FIELD_REAL) {
        v->kind = VALUE_REAL;
        v->d = (double)v->i;
      }
      break;
    case SQLITE_FLOAT:
      v->kind = VALUE_REAL;
      v->d = sqlite3_column_double(st, col);
      break;
    default:
      v->kind = VALUE_TEXT;
      v->s = (const char *)sqlite3_column_text(st, col);
      v->len = (size_t)sqlite3_column_bytes(st, col);
      if (!v->s) v->kind = VALUE_NULL;
  }
}

int store_iter_next(store_iter *it, store_feature *out, err *e) {
  if (it->pg) return store_pg_iter_next(it->pg, out, e);
  if (it->error.code != ERR_OK) {
    store_iter_error(it, e);
    return -1;
  }
  int rc = sqlite3_step(it->st);
  if (rc == SQLITE_DONE) return 0;
  if (rc != SQLITE_ROW) {
    store_read_error(it->r->db, it->layer ? it->layer->id : NULL, "query", &it->error);
    store_iter_error(it, e);
    return -1;
  }
  out->id = sqlite3_column_int64(it->st, 0);
  out->blob = it->with_geometry ? sqlite3_column_blob(it->st, 1) : NULL;
  out->blob_len = it->with_geometry ? (size_t)sqlite3_column_bytes(it->st, 1) : 0;
  for (size_t i = 0; i < it->n_values; i++)
    column_value(it->st, 2 + (int)i, it->types[i], &it->values[i]);
  out->values = it->values;
  out->n_values = it->n_values;
  out->distance_m = it->with_distance ? sqlite3_column_double(it->st, 2 + (int)it->n_values) : 0;
  return 1;
}

err_code store_iter_error(const store_iter *it, err *e) {
  if (it->pg) return store_pg_iter_error(it->pg, e);
  if (it->error.code != ERR_OK && e) *e = it->error;
  return it->error.code;
}

void store_iter_close(store_iter *it) {
  if (!it) return;
  store_pg_iter_close(it->pg);
  if (it->st) sqlite3_reset(it->st);
  sqlite3_stmt *end = NULL;
  if (it->txn && stmt_find(it->r, "COMMIT", &end, NULL) == ERR_OK) {
    sqlite3_step(end);
    sqlite3_reset(end);
  }
  if (it->r) it->r->iter_live = false;
  free(it->values);
  free(it->types);
  free(it);
}

err_code store_layer_time_extent(store_reader *r, const layer_info *l, const char *field,
                                 char out_min[40], char out_max[40], err *e) {
  if (r->pg) return store_pg_time_extent(r->pg, l, field, out_min, out_max, e);
  out_min[0] = out_max[0] = '\0';
  if (!layer_find_field(l, field)) return err_set(e, ERR_INVALID, "unknown field %s", field);
  buf key;
  buf_init(&key, 4096);
  buf_printf(&key, "%s\x1f%s", l->table_name, field);
  const char *k = buf_cstr(&key);
  time_slot *slot = NULL;
  for (int i = 0; i < TIME_CACHE && !slot; i++)
    if (r->times[i].key && strcmp(r->times[i].key, k) == 0) slot = &r->times[i];
  if (slot) {
    memcpy(out_min, slot->min, 40);
    memcpy(out_max, slot->max, 40);
    buf_free(&key);
    return ERR_OK;
  }
  buf sql;
  buf_init(&sql, 4096);
  buf_puts(&sql, "SELECT min(");
  store_quote_ident(&sql, field);
  buf_puts(&sql, "), max(");
  store_quote_ident(&sql, field);
  buf_puts(&sql, ") FROM ");
  store_quote_ident(&sql, l->table_name);
  sqlite3_stmt *st;
  err_code rc = stmt_find(r, buf_cstr(&sql), &st, e);
  buf_free(&sql);
  if (rc != ERR_OK) {
  } else if (sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char *a = sqlite3_column_text(st, 0), *b = sqlite3_column_text(st, 1);
    snprintf(out_min, 40, "%s", a ? (const char *)a : "");
    snprintf(out_max, 40, "%s", b ? (const char *)b : "");
    /* Round-robin replacement: a server has few layers with dates. */
    slot = &r->times[r->clock % TIME_CACHE];
    free(slot->key);
    slot->key = strdup(k);
    memcpy(slot->min, out_min, 40);
    memcpy(slot->max, out_max, 40);
  } else {
    rc = store_read_error(r->db, NULL, "time extent", e);
  }
  if (st) sqlite3_reset(st);
  buf_free(&key);
  return rc;
}
