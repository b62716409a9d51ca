/* review.c — versions that wait for a reviewer before they are published (issue 19).
 *
 * A version under review is written by the importer exactly as a published one (its table,
 * spatial index, side tables, aggregate counts, style, history row and the catalog entry its
 * commit computes), inside the same transaction; only the last step differs: the catalog entry
 * is moved aside into `teselas_review_layers` and the published entry put back, so readers keep
 * serving the published version (or nothing, for a new layer). Approval is then the repoint an
 * import does (one transaction: the kept entry becomes the catalog's, older versions are pruned
 * or purged as the import would have), with no re-import; rejection drops the version's data.
 *
 * `teselas_reviews` keeps one row per review: layer, version, the version published when it was
 * submitted (an approval of a layer that changed since is refused), who submitted and decided,
 * when, and the reason. The history rows stay: a rejected version's row keeps its date, source
 * and count, its data gone, its report marked rejected. Rows of `teselas_review_layers` have the
 * catalog's columns (added here when the catalog gains one), compared and copied by name: values
 * go across untouched (a REAL through JSON would lose its 16th and 17th digits). review_n is
 * declared INTEGER (by its CAST) so that a copy into PostgreSQL and back keeps it a number. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"

const char STORE_REVIEW_SCHEMA_SQL[] =
    "CREATE TABLE IF NOT EXISTS teselas_reviews("
    " n INTEGER PRIMARY KEY, layer_id TEXT NOT NULL, version INTEGER NOT NULL,"
    " base_version INTEGER NOT NULL,"
    " state TEXT NOT NULL CHECK(state IN ('pending','approved','rejected')),"
    " submitted_by TEXT NOT NULL, submitted_at TEXT NOT NULL, decided_by TEXT NOT NULL DEFAULT '',"
    " decided_at TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '',"
    " keep_versions INTEGER NOT NULL DEFAULT 3, purge_reason TEXT,"
    " title TEXT NOT NULL DEFAULT '', privacy TEXT NOT NULL DEFAULT '{}');"
    "CREATE TABLE IF NOT EXISTS teselas_review_layers AS"
    " SELECT CAST(0 AS INTEGER) AS review_n, * FROM teselas_layers WHERE 0;";

/* The catalog's columns as "a", "b", ... (from the table itself, so a column added to the
 * catalog later is carried too). */
static err_code catalog_columns(sqlite3 *db, const char *table, const char *prefix, buf *out,
                                err *e) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?) WHERE name<>'review_n'", -1,
                         &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "columns of %s: %s", table, sqlite3_errmsg(db));
  sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
  size_t n = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    if (n++) buf_puts(out, ", ");
    buf_puts(out, prefix);
    store_quote_ident(out, (const char *)sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  if (out->failed) return err_set(e, ERR_NOMEM, "out of memory");
  return n ? ERR_OK : err_set(e, ERR_DB, "no table %s", table);
}

/* The tables, and in teselas_review_layers every column the catalog has. */
static err_code ensure_tables(sqlite3 *db, err *e) {
  err_code rc = store_exec(db, STORE_REVIEW_SCHEMA_SQL, "review tables", e);
  sqlite3_stmt *st = NULL;
  if (rc == ERR_OK &&
      sqlite3_prepare_v2(db,
                         "SELECT name, type FROM pragma_table_info('teselas_layers') WHERE name NOT"
                         " IN (SELECT name FROM pragma_table_info('teselas_review_layers'))",
                         -1, &st, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_DB, "review tables: %s", sqlite3_errmsg(db));
  buf sql;
  buf_init(&sql, 0);
  while (rc == ERR_OK && sqlite3_step(st) == SQLITE_ROW) {
    buf_puts(&sql, "ALTER TABLE teselas_review_layers ADD COLUMN ");
    store_quote_ident(&sql, (const char *)sqlite3_column_text(st, 0));
    buf_printf(&sql, " %s;", (const char *)sqlite3_column_text(st, 1));
  }
  sqlite3_finalize(st);
  if (rc == ERR_OK && sql.len)
    rc = sql.failed ? err_set(e, ERR_NOMEM, "out of memory")
                    : store_exec(db, buf_cstr(&sql), "review tables", e);
  buf_free(&sql);
  return rc;
}

static bool table_exists(sqlite3 *db, const char *name) {
  sqlite3_stmt *st = NULL;
  bool found = false;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1, &st,
                         NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  return found;
}

/* Runs sql with ?1 = text a, ?2 = integer n (each only when the statement has it). */
static err_code run(sqlite3 *db, const char *sql, const char *a, int64_t n, err *e) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "review: %s", sqlite3_errmsg(db));
  int np = sqlite3_bind_parameter_count(st);
  if (np >= 1 && a) sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
  if (np >= 2) sqlite3_bind_int64(st, 2, n);
  err_code rc = sqlite3_step(st) == SQLITE_DONE
                    ? ERR_OK
                    : err_set(e, ERR_DB, "review: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

/* One integer from sql (?1 text, ?2 integer); dflt when there is no row. */
static int64_t one_int(sqlite3 *db, const char *sql, const char *a, int64_t n, int64_t dflt) {
  sqlite3_stmt *st = NULL;
  int64_t v = dflt;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
    if (sqlite3_bind_parameter_count(st) >= 1 && a) sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if (sqlite3_bind_parameter_count(st) >= 2) sqlite3_bind_int64(st, 2, n);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
      v = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  return v;
}

err_code store_review_save_published(sqlite3 *db, const char *layer_id, err *e) {
  err_code rc = store_exec(db,
                           "DROP TABLE IF EXISTS temp.teselas_published;"
                           " CREATE TEMP TABLE teselas_published AS"
                           " SELECT * FROM main.teselas_layers WHERE 0",
                           "review", e);
  if (rc == ERR_OK)
    rc = run(db, "INSERT INTO temp.teselas_published SELECT * FROM main.teselas_layers WHERE id=?1",
             layer_id, 0, e);
  return rc;
}

/* The catalog row of layer_id set from `from` (SQL of one row with the catalog's columns): an
 * UPDATE when the layer has a row (its place in the table kept), else an INSERT; with from NULL
 * the row is deleted. */
static err_code catalog_put(sqlite3 *db, const char *layer_id, const char *from, err *e) {
  if (!from) return run(db, "DELETE FROM teselas_layers WHERE id=?1", layer_id, 0, e);
  buf cols, sql;
  buf_init(&cols, 0);
  buf_init(&sql, 0);
  err_code rc = catalog_columns(db, "teselas_layers", "", &cols, e);
  bool exists = one_int(db, "SELECT 1 FROM teselas_layers WHERE id=?1", layer_id, 0, 0) == 1;
  if (exists)
    buf_printf(&sql, "UPDATE teselas_layers SET (%s) = (SELECT %s FROM %s) WHERE id=?1",
               buf_cstr(&cols), buf_cstr(&cols), from);
  else
    buf_printf(&sql, "INSERT INTO teselas_layers(%s) SELECT %s FROM %s", buf_cstr(&cols),
               buf_cstr(&cols), from);
  if (rc == ERR_OK) rc = sql.failed ? err_set(e, ERR_NOMEM, "out of memory")
                                    : run(db, buf_cstr(&sql), layer_id, 0, e);
  buf_free(&cols);
  buf_free(&sql);
  return rc;
}

err_code store_review_park_version(sqlite3 *db, const store_review_park *p, int64_t *out_n,
                                   err *e) {
  err_code rc = ensure_tables(db, e);
  int64_t base = one_int(db, "SELECT version FROM temp.teselas_published", NULL, 0, 0);
  if (rc == ERR_OK &&
      one_int(db, "SELECT count(*) FROM teselas_reviews WHERE layer_id=?1 AND state='pending'",
              p->layer_id, 0, 0) > 0)
    rc = err_set(e, ERR_INVALID, "layer %s already has a version waiting for review: it must be "
                 "approved or rejected first", p->layer_id);
  sqlite3_stmt *st = NULL;
  char now[32];
  store_now_iso(now);
  if (rc == ERR_OK &&
      sqlite3_prepare_v2(db,
                         "INSERT INTO teselas_reviews(layer_id, version, base_version, state,"
                         " submitted_by, submitted_at, keep_versions, purge_reason, title, privacy)"
                         " SELECT ?1, ?2, ?3, 'pending', ?4, ?5, ?6, ?7, title, privacy"
                         " FROM teselas_layers WHERE id=?1",
                         -1, &st, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_DB, "review: %s", sqlite3_errmsg(db));
  if (rc == ERR_OK) {
    sqlite3_bind_text(st, 1, p->layer_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, p->version);
    sqlite3_bind_int64(st, 3, base);
    sqlite3_bind_text(st, 4, p->submitted_by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, p->keep_versions > 0 ? p->keep_versions : 3);
    if (p->purge_reason) sqlite3_bind_text(st, 7, p->purge_reason, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db) != 1)
      rc = err_set(e, ERR_DB, "review: %s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  int64_t n = rc == ERR_OK ? sqlite3_last_insert_rowid(db) : 0;
  buf cols, sql;
  buf_init(&cols, 0);
  buf_init(&sql, 0);
  if (rc == ERR_OK) rc = catalog_columns(db, "teselas_layers", "", &cols, e);
  buf_printf(&sql, "INSERT INTO teselas_review_layers(review_n, %s) SELECT ?2, %s FROM"
             " teselas_layers WHERE id=?1", buf_cstr(&cols), buf_cstr(&cols));
  if (rc == ERR_OK) rc = sql.failed ? err_set(e, ERR_NOMEM, "out of memory")
                                    : run(db, buf_cstr(&sql), p->layer_id, n, e);
  buf_free(&cols);
  buf_free(&sql);
  /* the published entry back, as it was */
  if (rc == ERR_OK) rc = catalog_put(db, p->layer_id, base ? "temp.teselas_published" : NULL, e);
  if (rc == ERR_OK) rc = store_exec(db, "DROP TABLE temp.teselas_published", "review", e);
  if (rc == ERR_OK) *out_n = n;
  return rc;
}

/* ---- reading ------------------------------------------------------------------------------ */

static const char SCAN_SQL[] =
    "SELECT r.n, r.layer_id, r.version, r.base_version, r.state, r.submitted_by, r.submitted_at,"
    " r.decided_by, r.decided_at, r.reason, r.title, r.privacy, h.report, h.feature_count"
    " FROM teselas_reviews r LEFT JOIN teselas_history h ON h.layer_id=r.layer_id AND"
    " h.version=r.version WHERE (?1 < 0 OR r.n=?1) AND (?2 IS NULL OR r.state=?2) ORDER BY r.n";

static const char *col(sqlite3_stmt *st, int i) {
  const unsigned char *s = sqlite3_column_text(st, i);
  return s ? (const char *)s : "";
}

err_code store_reviews_scan(const char *db_path, int64_t only, const char *state,
                            store_review_fn fn, void *ctx, err *e) {
  if (store_db_is_pg(db_path)) return store_pg_reviews_scan(db_path, only, state, fn, ctx, e);
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    sqlite3_close(db);
    return err_set(e, ERR_IO, "cannot open database %s", db_path);
  }
  sqlite3_busy_timeout(db, 30000);
  err_code rc = ERR_OK;
  int n = 0;
  if (table_exists(db, "teselas_reviews")) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, SCAN_SQL, -1, &st, NULL) != SQLITE_OK) {
      rc = err_set(e, ERR_DB, "reviews: %s", sqlite3_errmsg(db));
    } else {
      sqlite3_bind_int64(st, 1, only);
      if (state) sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
      int step;
      while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        store_review r = {.n = sqlite3_column_int64(st, 0), .layer_id = col(st, 1),
                          .version = sqlite3_column_int64(st, 2),
                          .base_version = sqlite3_column_int64(st, 3), .state = col(st, 4),
                          .submitted_by = col(st, 5), .submitted_at = col(st, 6),
                          .decided_by = col(st, 7), .decided_at = col(st, 8),
                          .reason = col(st, 9), .title = col(st, 10), .privacy = col(st, 11),
                          .report = sqlite3_column_type(st, 12) == SQLITE_NULL ? "{}"
                                                                               : col(st, 12),
                          .feature_count = sqlite3_column_int64(st, 13)};
        n++;
        if (fn(ctx, &r)) {
          step = SQLITE_DONE;
          break;
        }
      }
      if (step != SQLITE_DONE) rc = err_set(e, ERR_DB, "reviews: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  if (rc == ERR_OK && only >= 0 && n == 0) rc = err_set(e, ERR_NOT_FOUND, "no such review");
  return rc;
}

static int first_pending(void *ctx, const store_review *r) {
  *(int64_t *)ctx = r->n;
  return 1;
}

typedef struct pending_ctx {
  const char *layer_id;
  int64_t n;
} pending_ctx;

static int pending_of(void *ctx, const store_review *r) {
  pending_ctx *p = ctx;
  if (strcmp(r->layer_id, p->layer_id) != 0) return 0;
  return first_pending(&p->n, r);
}

err_code store_review_pending(const char *db_path, const char *layer_id, int64_t *out_n, err *e) {
  pending_ctx p = {layer_id, 0};
  *out_n = 0;
  if (!store_db_is_pg(db_path) && !store_path_exists(db_path))
    return ERR_OK; /* no database yet: nothing waits */
  err_code rc = store_reviews_scan(db_path, -1, "pending", pending_of, &p, e);
  if (rc == ERR_OK) *out_n = p.n;
  return rc;
}

/* ---- deciding ----------------------------------------------------------------------------- */

typedef struct pending_row {
  char layer_id[STORE_NAME_MAX];
  char state[16];
  char table[160];
  char *purge_reason;
  int64_t version, base_version;
  int keep_versions;
} pending_row;

static err_code read_review(sqlite3 *db, int64_t n, pending_row *out, err *e) {
  sqlite3_stmt *st = NULL;
  if (!table_exists(db, "teselas_reviews")) return err_set(e, ERR_NOT_FOUND, "no such review");
  if (sqlite3_prepare_v2(db,
                         "SELECT r.layer_id, r.state, r.version, r.base_version, r.keep_versions,"
                         " r.purge_reason, coalesce(h.table_name,'') FROM teselas_reviews r"
                         " LEFT JOIN teselas_history h ON h.layer_id=r.layer_id AND"
                         " h.version=r.version WHERE r.n=?",
                         -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "review: %s", sqlite3_errmsg(db));
  sqlite3_bind_int64(st, 1, n);
  err_code rc = ERR_OK;
  if (sqlite3_step(st) != SQLITE_ROW) {
    rc = err_set(e, ERR_NOT_FOUND, "no such review");
  } else {
    snprintf(out->layer_id, sizeof out->layer_id, "%s", col(st, 0));
    snprintf(out->state, sizeof out->state, "%s", col(st, 1));
    out->version = sqlite3_column_int64(st, 2);
    out->base_version = sqlite3_column_int64(st, 3);
    out->keep_versions = sqlite3_column_int(st, 4);
    if (sqlite3_column_type(st, 5) != SQLITE_NULL && !(out->purge_reason = strdup(col(st, 5))))
      rc = err_set(e, ERR_NOMEM, "out of memory");
    snprintf(out->table, sizeof out->table, "%s", col(st, 6));
  }
  sqlite3_finalize(st);
  return rc;
}

/* The report of the decided version: status and message say the decision, "review" who made
 * it, when and why. */
static err_code mark_history(sqlite3 *db, const pending_row *p, bool approve, const char *who,
                             const char *reason, err *e) {
  sqlite3_stmt *st = NULL;
  const char *sql = approve
      ? "UPDATE teselas_history SET report=json_set(report, '$.status', 'published',"
        " '$.message', printf('versión %d publicada tras revisión (aprobada por %s)', ?2, ?3),"
        " '$.review', json_object('state', 'approved', 'by', ?3, 'at', ?5, 'reason', ?4))"
        " WHERE layer_id=?1 AND version=?2"
      : "UPDATE teselas_history SET table_name='', catalog=NULL, report=json_set(report,"
        " '$.status', 'rejected', '$.message', printf('versión %d rechazada en revisión (por %s)',"
        " ?2, ?3), '$.review', json_object('state', 'rejected', 'by', ?3, 'at', ?5, 'reason', ?4))"
        " WHERE layer_id=?1 AND version=?2";
  char now[32];
  store_now_iso(now);
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "history: %s", sqlite3_errmsg(db));
  sqlite3_bind_text(st, 1, p->layer_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, p->version);
  sqlite3_bind_text(st, 3, who, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
  err_code rc = sqlite3_step(st) == SQLITE_DONE
                    ? ERR_OK
                    : err_set(e, ERR_DB, "history: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

/* Approval: the kept catalog entry becomes the layer's, its report says so, and the versions the
 * import would have pruned (or purged) go now. */
static err_code approve(sqlite3 *db, int64_t n, const pending_row *p, const char *who,
                        const char *reason, store_review_verdict *out, err *e) {
  int64_t current = one_int(db, "SELECT version FROM teselas_layers WHERE id=?1", p->layer_id, 0, 0);
  if (current != p->base_version || !p->table[0]) {
    *out = STORE_REVIEW_STALE;
    return err_set(e, ERR_INVALID, "layer %s changed since version %lld was submitted (version "
                   "%lld is published now): reject it and upload again", p->layer_id,
                   (long long)p->version, (long long)current);
  }
  char from[96];
  snprintf(from, sizeof from, "teselas_review_layers WHERE review_n=%lld", (long long)n);
  err_code rc = catalog_put(db, p->layer_id, from, e);
  if (rc == ERR_OK) rc = mark_history(db, p, true, who, reason, e);
  if (rc == ERR_OK)
    rc = run(db, "UPDATE teselas_layers SET report=(SELECT report FROM teselas_history WHERE"
             " layer_id=?1 AND version=?2) WHERE id=?1", p->layer_id, p->version, e);
  if (rc == ERR_OK)
    rc = store_versions_prune(db, p->layer_id, p->version, p->keep_versions, p->purge_reason, e);
  return rc;
}

/* Rejection: the version's table, index, side table, counts and style go; its history row stays
 * as the record, without data. */
static err_code reject(sqlite3 *db, const pending_row *p, const char *who, const char *reason,
                       err *e) {
  buf sql;
  buf_init(&sql, 0);
  if (p->table[0]) store_version_drop_sql(&sql, p->table);
  static const char *const PER_VERSION[] = {"teselas_agg_nodes", "teselas_agg_units",
                                            "teselas_styles"};
  err_code rc = ERR_OK;
  if (sql.len) rc = sql.failed ? err_set(e, ERR_NOMEM, "out of memory")
                               : store_exec(db, buf_cstr(&sql), "drop the rejected version", e);
  buf_free(&sql);
  /* SpatiaLite's side records of the geometry column, which DiscardGeometryColumn leaves */
  static const char *const SPL[] = {"geometry_columns_auth", "geometry_columns_statistics",
                                    "geometry_columns_field_infos", "geometry_columns_time"};
  for (int i = 0; i < 4 && rc == ERR_OK && p->table[0]; i++) {
    if (!table_exists(db, SPL[i])) continue;
    char del[128];
    snprintf(del, sizeof del, "DELETE FROM %s WHERE f_table_name=lower(?1)", SPL[i]);
    rc = run(db, del, p->table, 0, e);
  }
  for (int i = 0; i < 3 && rc == ERR_OK; i++) {
    if (!table_exists(db, PER_VERSION[i])) continue;
    char del[128];
    snprintf(del, sizeof del, "DELETE FROM %s WHERE layer_id=?1 AND version=?2", PER_VERSION[i]);
    rc = run(db, del, p->layer_id, p->version, e);
  }
  if (rc == ERR_OK) rc = mark_history(db, p, false, who, reason, e);
  return rc;
}

static err_code decide_in(sqlite3 *db, const store_review_decision *d, store_review_verdict *out,
                          err *e) {
  pending_row p = {.keep_versions = 3};
  err_code rc = read_review(db, d->n, &p, e);
  if (rc == ERR_OK && strcmp(p.state, "pending") != 0) {
    *out = STORE_REVIEW_DECIDED;
    rc = err_set(e, ERR_INVALID, "review %lld was already decided (%s)", (long long)d->n,
                 strcmp(p.state, "approved") == 0 ? "aprobada" : "rechazada");
  }
  if (rc == ERR_OK) rc = d->approve ? approve(db, d->n, &p, d->who, d->reason, out, e)
                                    : reject(db, &p, d->who, d->reason, e);
  sqlite3_stmt *st = NULL;
  char now[32];
  store_now_iso(now);
  if (rc == ERR_OK &&
      sqlite3_prepare_v2(db,
                         "UPDATE teselas_reviews SET state=?2, decided_by=?3, decided_at=?4,"
                         " reason=?5 WHERE n=?1; ",
                         -1, &st, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_DB, "review: %s", sqlite3_errmsg(db));
  if (rc == ERR_OK) {
    sqlite3_bind_int64(st, 1, d->n);
    sqlite3_bind_text(st, 2, d->approve ? "approved" : "rejected", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, d->who, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, d->reason, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) rc = err_set(e, ERR_DB, "review: %s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  if (rc == ERR_OK)
    rc = run(db, "DELETE FROM teselas_review_layers WHERE review_n=?2", NULL, d->n, e);
  if (rc == ERR_OK) {
    *out = STORE_REVIEW_DONE;
    snprintf(d->out_layer, STORE_NAME_MAX, "%s", p.layer_id);
    *d->out_version = p.version;
  }
  free(p.purge_reason);
  return rc;
}

err_code store_review_decide(const char *db_path, const store_review_decision *d,
                             store_review_verdict *out, err *e) {
  *out = STORE_REVIEW_FAILED;
  if (store_db_is_pg(db_path)) return store_pg_review_decide(db_path, d, out, e);
  if (!store_path_exists(db_path)) return err_set(e, ERR_IO, "cannot open database %s", db_path);
  sqlite3 *db = NULL;
  void *spl = NULL;
  int wait_ms = d->gate ? d->gate->wait_ms : 0;
  err_code rc = store_rw_open_wait(db_path, wait_ms, &db, &spl, e);
  /* what a rejection or a purge frees is zeroed, as a removal's is */
  if (rc == ERR_OK) rc = store_exec(db, "PRAGMA secure_delete=ON", "secure delete", e);
  if (rc == ERR_OK) rc = store_begin_write(db, db_path, wait_ms, "start review", e);
  if (rc == ERR_OK) rc = decide_in(db, d, out, e);
  if (rc == ERR_OK && d->gate && d->gate->fn)
    rc = d->gate->fn(d->gate->ctx, *d->out_version, e);
  if (rc == ERR_OK) rc = store_exec(db, "COMMIT", "commit review", e);
  if (rc != ERR_OK && db && !sqlite3_get_autocommit(db))
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  if (rc == ERR_OK) sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  sqlite3_close(db);
  if (spl) store_spl_detach(spl);
  return rc;
}

/* ---- a dry run's picture: what review n would publish, as GeoJSON --------------------------- */

err_code store_review_geojson(const char *db_path, int64_t n, int64_t max_features, buf *out,
                              err *e) {
  sqlite3 *db = NULL;
  void *spl = NULL;
  err_code rc = store_rw_open(db_path, &db, &spl, e);
  pending_row p = {.keep_versions = 3};
  if (rc == ERR_OK) rc = read_review(db, n, &p, e);
  if (rc == ERR_OK && !p.table[0]) rc = err_set(e, ERR_NOT_FOUND, "review %lld has no data",
                                                 (long long)n);
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "SELECT AsGeoJSON(geom, 7) FROM ");
  store_quote_ident(&sql, p.table);
  buf_printf(&sql, " WHERE geom IS NOT NULL ORDER BY rowid LIMIT %lld", (long long)max_features);
  sqlite3_stmt *st = NULL;
  if (rc == ERR_OK && (sql.failed || sqlite3_prepare_v2(db, buf_cstr(&sql), -1, &st, NULL) !=
                                         SQLITE_OK))
    rc = err_set(e, ERR_DB, "preview: %s", sqlite3_errmsg(db));
  buf_puts(out, "{\"type\":\"FeatureCollection\",\"features\":[");
  int64_t written = 0;
  for (int step; rc == ERR_OK && (step = sqlite3_step(st)) != SQLITE_DONE;) {
    if (step != SQLITE_ROW) {
      rc = err_set(e, ERR_DB, "preview: %s", sqlite3_errmsg(db));
      break;
    }
    const char *g = col(st, 0);
    if (!*g) continue;
    buf_printf(out, "%s{\"type\":\"Feature\",\"properties\":{},\"geometry\":%s}",
               written++ ? "," : "", g);
  }
  buf_puts(out, "]}");
  if (rc == ERR_OK && out->failed) rc = err_set(e, ERR_LIMIT, "the preview does not fit");
  sqlite3_finalize(st);
  buf_free(&sql);
  free(p.purge_reason);
  if (db) sqlite3_close(db);
  if (spl) store_spl_detach(spl);
  return rc;
}

/* ---- a removal: the version waiting goes with the layer ------------------------------------ */

err_code store_review_forget(sqlite3 *db, const char *layer_id, const char *reason,
                             bool *out_found, err *e) {
  *out_found = false;
  if (!table_exists(db, "teselas_reviews")) return ERR_OK;
  int64_t n = one_int(db, "SELECT n FROM teselas_reviews WHERE layer_id=?1 AND state='pending'"
                      " ORDER BY n DESC LIMIT 1", layer_id, 0, 0);
  if (n <= 0) return ERR_OK;
  pending_row p = {.keep_versions = 3};
  err_code rc = read_review(db, n, &p, e);
  /* as a rejection: its data go (the caller's transaction has secure_delete on) */
  if (rc == ERR_OK) rc = reject(db, &p, "retirada", reason ? reason : "", e);
  if (rc == ERR_OK) rc = run(db, "DELETE FROM teselas_review_layers WHERE review_n=?2", NULL, n, e);
  if (rc == ERR_OK) rc = run(db, "DELETE FROM teselas_reviews WHERE n=?2", NULL, n, e);
  free(p.purge_reason);
  if (rc == ERR_OK) *out_found = true;
  return rc;
}

/* ---- the preview: the catalog as approval would make it --------------------------------- */

err_code store_review_catalog(store_reader *r, int64_t n, catalog **out, err *e) {
  *out = NULL;
  sqlite3 *db = store_reader_db(r);
  if (!db && store_reader_pg(r)) return store_pg_review_catalog(store_reader_pg(r), n, out, e);
  if (!db) return err_set(e, ERR_NOT_FOUND, "no such review waiting");
  if (!table_exists(db, "teselas_review_layers") || !table_exists(db, "teselas_reviews") ||
      one_int(db, "SELECT count(*) FROM teselas_review_layers WHERE review_n=?2", NULL, n, 0) != 1)
    return err_set(e, ERR_NOT_FOUND, "no such review waiting");
  return store_catalog_load_review(db, n, out, e);
}
