/* audit.c — the audit log: one line per write attempt (upload, publication, rollback, removal,
 * account and token changes) and per refusal, with who, when, what and the result.
 *
 * `teselas_audit` is append-only: triggers (accounts.c) abort any UPDATE or DELETE, so neither
 * teselas nor a hand-written statement can rewrite history without dropping the triggers first.
 * It lives in the database it describes, so a backup carries its log. Callers never pass a
 * secret: a token or password is not a `who`, a `target` or a `detail`. */
#include <sqlite3.h>
#include <stdio.h>

#include "store/store_int.h"

err_code store_audit_add(const char *db_path, const store_audit_entry *a, err *e) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  err_code rc = store_acct_open(db_path, true, &db, e);
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
    if (sqlite3_step(st) != SQLITE_DONE) rc = err_set(e, ERR_DB, "audit: %s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

err_code store_audit_scan(const char *db_path, int64_t after, int64_t limit, store_audit_fn fn,
                          void *ctx, err *e) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  err_code rc = store_acct_open(db_path, false, &db, e);
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
