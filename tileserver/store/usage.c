/* usage.c — how much each layer is used: `teselas_usage`, one row per layer, kind of request and
 * hour (UTC) with the requests and body bytes counted in it. Nothing else about a request is
 * kept: no time finer than the hour, no address, agent, path or query string.
 *
 * The server's readers are read-only; this file holds its one write path, a connection of its
 * own that a single background thread uses to add a minute's counts to their hour's bucket
 * (http/usage_flush.c). In WAL mode that write never blocks the readers; it waits for an import
 * holding the write lock at most busy_ms and then gives up, and the counts wait for the next
 * minute. Hours rather than minutes: a day of a layer is at most 5 kinds × 24 rows, and no report
 * asks for less than a day.
 *
 * The same connection keeps `teselas_download_digests`: the size and SHA-256 of each whole
 * download (GeoJSON, CSV) of a layer version, as a client gets it, computed once by the server
 * in the background (http/digests.c) for the catalogue's dcat:byteSize and spdx:checksum.
 *
 * The tables are created by the first server that counts, so a database no server has counted
 * reads as "no usage" and "no digest". Over PostgreSQL the same tables live in the catalogue's
 * schema (pg_usage.c), where several servers' counts add up. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"

static const char *const KIND_NAMES[STORE_USAGE_KINDS] = {"tile", "image", "items", "download",
                                                          "page"};

const char *store_usage_kind_name(store_usage_kind k) {
  return (unsigned)k < STORE_USAGE_KINDS ? KIND_NAMES[k] : "other";
}

const char STORE_USAGE_SCHEMA_SQL[] =
    "CREATE TABLE IF NOT EXISTS teselas_usage(layer TEXT NOT NULL, kind TEXT NOT NULL,"
    " hour INTEGER NOT NULL, requests INTEGER NOT NULL DEFAULT 0,"
    " bytes INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(layer, kind, hour)) WITHOUT ROWID";

static const char ADD_SQL[] =
    "INSERT INTO teselas_usage(layer, kind, hour, requests, bytes) VALUES(?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT(layer, kind, hour) DO UPDATE SET requests = requests + excluded.requests,"
    " bytes = bytes + excluded.bytes";

const char STORE_DIGESTS_SCHEMA_SQL[] =
    "CREATE TABLE IF NOT EXISTS teselas_download_digests(layer TEXT NOT NULL,"
    " version INTEGER NOT NULL, format TEXT NOT NULL, bytes INTEGER NOT NULL,"
    " sha256 TEXT NOT NULL, PRIMARY KEY(layer, version, format)) WITHOUT ROWID";

struct store_usage_writer {
  sqlite3 *db;
  PGconn *pg;   /* over PostgreSQL instead of db (pg_usage.c) */
  char *uri;    /* to connect pg again after it was lost */
};

static bool table_exists(sqlite3 *db, const char *name) {
  sqlite3_stmt *st = NULL;
  bool has = false;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1, &st,
                         NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    has = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  return has;
}

err_code store_usage_open(const char *db_path, store_usage_writer **out, err *e) {
  *out = NULL;
  store_usage_writer *w = calloc(1, sizeof *w);
  if (!w) return err_set(e, ERR_NOMEM, "out of memory");
  err_code rc = ERR_OK;
  if (store_db_is_pg(db_path)) {
    rc = (w->uri = strdup(db_path)) ? store_pg_usage_connect(db_path, &w->pg, e)
                                    : err_set(e, ERR_NOMEM, "out of memory");
    goto done;
  }
  /* no SQLITE_OPEN_CREATE: a missing file is an error, never a new empty database */
  if (sqlite3_open_v2(db_path, &w->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK) {
    rc = err_set(e, ERR_IO, "cannot open %s to record usage: %s", db_path, sqlite3_errmsg(w->db));
    goto done;
  }
  sqlite3_busy_timeout(w->db, 10000);
  if (!table_exists(w->db, "teselas_layers")) {
    int code = sqlite3_errcode(w->db) & 0xff;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
      rc = store_read_error(w->db, NULL, db_path, e);
    else rc = err_set(e, ERR_DB, "%s is not a teselas database", db_path);
    goto done;
  }
  /* created only when missing, so an existing table costs no write lock at start */
  if (!table_exists(w->db, "teselas_usage"))
    rc = store_exec(w->db, STORE_USAGE_SCHEMA_SQL, "usage table", e);
  if (rc == ERR_OK && !table_exists(w->db, "teselas_download_digests"))
    rc = store_exec(w->db, STORE_DIGESTS_SCHEMA_SQL, "digests table", e);
done:
  if (rc != ERR_OK) {
    store_usage_close(w);
    return rc;
  }
  *out = w;
  return ERR_OK;
}

err_code store_usage_add(store_usage_writer *w, const store_usage_row *rows, size_t n, int busy_ms,
                         err *e) {
  if (n == 0) return ERR_OK;
  if (w->uri) return store_pg_usage_add(&w->pg, w->uri, rows, n, busy_ms, e);
  sqlite3_busy_timeout(w->db, busy_ms);
  sqlite3_stmt *st = NULL;
  err_code rc = store_exec(w->db, "BEGIN IMMEDIATE", "usage", e);
  if (rc != ERR_OK) return rc;
  if (sqlite3_prepare_v2(w->db, ADD_SQL, -1, &st, NULL) != SQLITE_OK) {
    rc = err_set(e, ERR_DB, "usage: %s", sqlite3_errmsg(w->db));
    goto done;
  }
  for (size_t i = 0; i < n && rc == ERR_OK; i++) {
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, rows[i].layer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, store_usage_kind_name(rows[i].kind), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, rows[i].hour);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)rows[i].requests);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)rows[i].bytes);
    if (sqlite3_step(st) != SQLITE_DONE)
      rc = err_set(e, ERR_DB, "usage: %s", sqlite3_errmsg(w->db));
  }
done:
  sqlite3_finalize(st);
  if (rc == ERR_OK) rc = store_exec(w->db, "COMMIT", "usage", e);
  if (rc != ERR_OK) sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
  return rc;
}

void store_usage_close(store_usage_writer *w) {
  if (!w) return;
  sqlite3_close(w->db);
  if (w->pg) PQfinish(w->pg);
  free(w->uri);
  free(w);
}

/* The period of an hour, as SQL: the day, the Monday on or before it, or the month (UTC). */
static const char *period_sql(store_usage_period by) {
  switch (by) {
    case STORE_USAGE_WEEK: return "date(hour, 'unixepoch', '-6 days', 'weekday 1')";
    case STORE_USAGE_MONTH: return "strftime('%Y-%m', hour, 'unixepoch')";
    default: return "date(hour, 'unixepoch')";
  }
}

err_code store_usage_scan(store_reader *r, const char *since, store_usage_period by,
                          store_usage_fn fn, void *ctx, err *e) {
  if (store_reader_pg(r)) return store_pg_usage_scan(store_reader_pg(r), since, by, fn, ctx, e);
  sqlite3 *db = store_reader_db(r);
  if (!table_exists(db, "teselas_usage")) return ERR_OK;
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT %s AS period, layer, kind, sum(requests), sum(bytes) FROM teselas_usage"
           " WHERE ?1 IS NULL OR hour >= CAST(strftime('%%s', ?1) AS INTEGER)"
           " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
           period_sql(by));
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "usage: %s", sqlite3_errmsg(db));
  if (since && *since) sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    const unsigned char *p = sqlite3_column_text(st, 0), *l = sqlite3_column_text(st, 1),
                        *k = sqlite3_column_text(st, 2);
    store_usage_total t = {p ? (const char *)p : "", l ? (const char *)l : "",
                           k ? (const char *)k : "", sqlite3_column_int64(st, 3),
                           sqlite3_column_int64(st, 4)};
    if (fn(ctx, &t)) {
      step = SQLITE_DONE;
      break;
    }
  }
  err_code rc = step == SQLITE_DONE ? ERR_OK : err_set(e, ERR_DB, "usage: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

err_code store_digest_put(store_usage_writer *w, const store_digest *d, err *e) {
  if (w->uri) return store_pg_digest_put(&w->pg, w->uri, d, e);
  sqlite3_busy_timeout(w->db, 2000);
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(w->db,
                         "INSERT OR REPLACE INTO teselas_download_digests(layer, version, format,"
                         " bytes, sha256) VALUES(?, ?, ?, ?, ?)",
                         -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "digests: %s", sqlite3_errmsg(w->db));
  sqlite3_bind_text(st, 1, d->layer, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, d->version);
  sqlite3_bind_text(st, 3, d->format, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, (sqlite3_int64)d->bytes);
  sqlite3_bind_text(st, 5, d->sha256, -1, SQLITE_STATIC);
  err_code rc = sqlite3_step(st) == SQLITE_DONE
                    ? ERR_OK
                    : err_set(e, ERR_DB, "digests: %s", sqlite3_errmsg(w->db));
  sqlite3_finalize(st);
  return rc;
}

err_code store_digest_get(store_reader *r, store_digest *d, bool *out_found, err *e) {
  *out_found = false;
  if (store_reader_pg(r)) return store_pg_digest_get(store_reader_pg(r), d, out_found, e);
  sqlite3 *db = store_reader_db(r);
  sqlite3_stmt *st = NULL;
  /* prepare fails on a database without the table: no digest yet */
  if (sqlite3_prepare_v2(db,
                         "SELECT bytes, sha256 FROM teselas_download_digests WHERE layer=? AND"
                         " version=? AND format=?",
                         -1, &st, NULL) != SQLITE_OK) {
    sqlite3_finalize(st);
    return ERR_OK;
  }
  sqlite3_bind_text(st, 1, d->layer, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, d->version);
  sqlite3_bind_text(st, 3, d->format, -1, SQLITE_STATIC);
  int step = sqlite3_step(st);
  err_code rc = ERR_OK;
  const unsigned char *sha = step == SQLITE_ROW ? sqlite3_column_text(st, 1) : NULL;
  if (sha && strlen((const char *)sha) == 64) {
    d->bytes = (uint64_t)sqlite3_column_int64(st, 0);
    memcpy(d->sha256, sha, 65);
    *out_found = true;
  } else if (step != SQLITE_ROW && step != SQLITE_DONE) {
    rc = err_set(e, ERR_DB, "digests: %s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  return rc;
}
