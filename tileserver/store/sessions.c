/* sessions.c — sign-in sessions of the pages for publishers (`teselas_sessions`), an account's
 * password string for checking, and the empty catalog of a database made by `teselas users`.
 *
 * A session is kept as the 32-byte hash of its 256-bit cookie value (auth/session.c computes
 * it), with its account and expiry: a copy of the database gives no session away. Sessions live
 * in the database, not in the server's memory, so a restart or a second server process behind
 * the same file keeps them. Each call opens a short connection, as accounts.c does. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"

err_code store_account_password(const char *db_path, const char *name, store_account *out,
                                char *out_hash, size_t hash_len, bool *out_found, err *e) {
  *out_found = false;
  if (store_db_is_pg(db_path))
    return store_pg_account_password(db_path, name, out, out_hash, hash_len, out_found, e);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  err_code rc = store_acct_open(db_path, false, &db, e);
  if (rc != ERR_OK || !db) return rc;
  if (sqlite3_prepare_v2(db, "SELECT name, role, department, layers, created_at, password_hash "
                         "FROM teselas_accounts WHERE name=? AND password_hash IS NOT NULL",
                         -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW && (size_t)sqlite3_column_bytes(st, 5) < hash_len) {
      store_account_read(st, out);
      snprintf(out_hash, hash_len, "%s", (const char *)sqlite3_column_text(st, 5));
      *out_found = true;
    } else if (s != SQLITE_ROW && s != SQLITE_DONE) {
      rc = err_set(e, ERR_DB, "accounts: %s", sqlite3_errmsg(db));
    }
  } /* no table (an older database): no account */
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

err_code store_session_add(const char *db_path, const uint8_t hash[32], const char *account,
                           int64_t now_unix, int64_t expires_unix, err *e) {
  if (store_db_is_pg(db_path))
    return store_pg_session_add(db_path, hash, account, now_unix, expires_unix, e);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  err_code rc = store_acct_open(db_path, true, &db, e);
  if (rc != ERR_OK) return rc;
  /* expired sessions go with each new one: the table holds only live ones and their hashes */
  if (sqlite3_prepare_v2(db, "DELETE FROM teselas_sessions WHERE expires_unix<=?", -1, &st,
                         NULL) == SQLITE_OK) {
    sqlite3_bind_int64(st, 1, now_unix);
    sqlite3_step(st);
  }
  sqlite3_finalize(st);
  st = NULL;
  if (sqlite3_prepare_v2(db, "INSERT INTO teselas_sessions(hash, account, expires_unix, "
                         "created_at) VALUES(?,?,?,?)", -1, &st, NULL) != SQLITE_OK) {
    rc = err_set(e, ERR_DB, "sessions: %s", sqlite3_errmsg(db));
  } else {
    char now[32];
    store_now_iso(now);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, account, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, expires_unix);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE)
      rc = err_set(e, ERR_DB, "sessions: %s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

err_code store_session_lookup(const char *db_path, const uint8_t hash[32], int64_t now_unix,
                              store_account *out, bool *out_found, err *e) {
  *out_found = false;
  if (store_db_is_pg(db_path))
    return store_pg_session_lookup(db_path, hash, now_unix, out, out_found, e);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  err_code rc = store_acct_open(db_path, false, &db, e);
  if (rc != ERR_OK || !db) return rc;
  if (sqlite3_prepare_v2(db, "SELECT a.name, a.role, a.department, a.layers, a.created_at, "
                         "s.hash FROM teselas_sessions s JOIN teselas_accounts a "
                         "ON a.name=s.account WHERE s.hash=? AND s.expires_unix>?", -1, &st,
                         NULL) == SQLITE_OK) {
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now_unix);
    rc = store_account_step(db, st, 5, 32, out, out_found, "sessions", e);
    if (*out_found) memcpy(out->token_hash, sqlite3_column_blob(st, 5), 32);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

err_code store_session_remove(const char *db_path, const uint8_t hash[32], err *e) {
  if (store_db_is_pg(db_path)) return store_pg_session_remove(db_path, hash, e);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  err_code rc = store_acct_open(db_path, true, &db, e);
  if (rc != ERR_OK) return rc;
  if (sqlite3_prepare_v2(db, "DELETE FROM teselas_sessions WHERE hash=?", -1, &st, NULL) !=
          SQLITE_OK ||
      (sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC), sqlite3_step(st)) != SQLITE_DONE)
    rc = err_set(e, ERR_DB, "sessions: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

/* True when the file holds the accounts table and not the catalog's. */
static bool accounts_only(const char *db_path) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  bool only = false;
  if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2(db, "SELECT sum(name='teselas_accounts'), sum(name='teselas_layers') "
                         "FROM sqlite_master WHERE type='table'", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    only = sqlite3_column_int(st, 0) == 1 && sqlite3_column_int(st, 1) == 0;
  sqlite3_finalize(st);
  sqlite3_close(db);
  return only;
}

err_code store_catalog_ensure(const char *db_path, bool *out_created, err *e) {
  *out_created = false;
  if (store_db_is_pg(db_path)) return store_pg_catalog_ensure(db_path, out_created, e);
  if ( access(db_path, R_OK) != 0 || !accounts_only(db_path))
    return ERR_OK; /* the reader explains whatever else is wrong */
  sqlite3 *db = NULL;
  void *spl = NULL;
  err_code rc = store_rw_open(db_path, &db, &spl, e); /* SpatiaLite metadata + empty catalog */
  if (db) sqlite3_close(db);
  if (spl) store_spl_detach(spl);
  if (rc == ERR_OK) *out_created = true;
  return rc;
}
