/* audit.c — the audit log: one line per write attempt (upload, publication, rollback, removal,
 * account and token changes) and per refusal, with who, when, what and the result.
 *
 * `teselas_audit` is append-only: triggers abort any UPDATE or DELETE, so neither teselas nor a
 * hand-written statement can rewrite history without dropping the triggers first.
 *
 * It lives in a file of its own beside the database (DB.audit), not in it: an import holds the
 * database's write lock for its whole run (tens of seconds for 100,000 points), and in the same
 * file every refusal meanwhile waited for that lock — measured: 34 s per refused request during
 * a 132,692-point import, then SQLITE_BUSY and a lost line. Apart, a line is written at once,
 * and a refused request leaves the database itself byte for byte as it was. Callers never pass
 * a secret: a token or password is not a `who`, a `target` or a `detail`. Over PostgreSQL the
 * log is a table of the catalogue's schema (pg_accounts.c): one log for every server. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>

#include "store/store_int.h"

static const char SCHEMA_SQL[] =
    "CREATE TABLE IF NOT EXISTS teselas_audit("
    " id INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL,"
    " target TEXT NOT NULL DEFAULT '', result TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');"
    "CREATE TRIGGER IF NOT EXISTS teselas_audit_no_update BEFORE UPDATE ON teselas_audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS teselas_audit_no_delete BEFORE DELETE ON teselas_audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

/* The log could not be opened or written; a full disk said in those words (only room helps). */
static err_code audit_write_error(sqlite3 *db, const char *db_path, err *e) {
  int c = sqlite3_errcode(db) & 0xff;
  if (c == SQLITE_FULL || (c == SQLITE_IOERR && sqlite3_system_errno(db) == ENOSPC))
    return err_set(e, ERR_IO, "no space left on the device of the audit log %s.audit", db_path);
  return err_set(e, ERR_DB, "audit log %s.audit: %s", db_path, sqlite3_errmsg(db));
}

static err_code audit_exec(sqlite3 *db, const char *sql, const char *db_path, err *e) {
  return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? ERR_OK
                                                               : audit_write_error(db, db_path, e);
}

/* The log's own file, DB.audit; *out_db NULL with ERR_OK when reading and there is none. */
static err_code audit_open(const char *db_path, bool write, sqlite3 **out_db, err *e) {
  *out_db = NULL;
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s.audit", db_path) >= sizeof path)
    return err_set(e, ERR_INVALID, "database path too long");
  sqlite3 *db = NULL;
  int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
    err_code rc = write ? err_set(e, ERR_IO, "cannot open the audit log %s: %s", path,
                                  sqlite3_errmsg(db))
                        : ERR_OK;
    sqlite3_close(db);
    return rc;
  }
  sqlite3_busy_timeout(db, 5000);
  err_code rc = write ? audit_exec(db, "PRAGMA journal_mode=WAL", db_path, e) : ERR_OK;
  if (rc == ERR_OK && write) rc = audit_exec(db, SCHEMA_SQL, db_path, e);
  if (rc != ERR_OK) {
    sqlite3_close(db);
    return rc;
  }
  *out_db = db;
  return ERR_OK;
}

err_code store_audit_add(const char *db_path, const store_audit_entry *a, err *e) {
  if (store_db_is_pg(db_path)) return store_pg_audit_add(db_path, a, e);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  err_code rc = audit_open(db_path, true, &db, e);
  if (rc == ERR_OK &&
      sqlite3_prepare_v2(db, "INSERT INTO teselas_audit(at, who, action, target, result, detail)"
                         " VALUES(?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_DB, "audit: %s", sqlite3_errmsg(db));
  if (rc == ERR_OK) {
    char now[32];
    store_now_iso(now);
    const char *v[6] = {now, a->who, a->action, a->target, a->result, a->detail};
    for (int i = 0; i < 6; i++)
      sqlite3_bind_text(st, i + 1, v[i] ? v[i] : "", -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) rc = audit_write_error(db, db_path, e);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

err_code store_audit_scan(const char *db_path, int64_t after, int64_t limit, store_audit_fn fn,
                          void *ctx, err *e) {
  if (store_db_is_pg(db_path)) return store_pg_audit_scan(db_path, after, limit, fn, ctx, e);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  err_code rc = audit_open(db_path, false, &db, e);
  /* a database without the table has an empty log: prepare fails and st stays NULL */
  if (rc == ERR_OK && db)
    sqlite3_prepare_v2(db, "SELECT id, at, who, action, target, result, detail FROM teselas_audit"
                       " WHERE id > ? ORDER BY id LIMIT ?", -1, &st, NULL);
  if (st) {
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, limit);
  }
  while (rc == ERR_OK && st) {
    int s = sqlite3_step(st);
    if (s == SQLITE_DONE) break;
    if (s != SQLITE_ROW) {
      rc = err_set(e, ERR_DB, "audit: %s", sqlite3_errmsg(db));
      break;
    }
    const char *c[6];
    for (int i = 0; i < 6; i++) c[i] = (const char *)sqlite3_column_text(st, i + 1);
    store_audit_entry a = {sqlite3_column_int64(st, 0), c[0], c[1], c[2], c[3], c[4], c[5]};
    if (fn(ctx, &a)) break;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}
