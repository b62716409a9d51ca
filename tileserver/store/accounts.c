/* accounts.c — the people who may write and their API tokens: `teselas_accounts` and
 * `teselas_tokens`, beside the catalog. What a role may do is auth/'s business; here a role is
 * text. No secret is stored: a password is its Argon2id string, a token the 32-byte hash of its
 * 256 random bits (auth/auth.c computes both), so a copy of the database gives no way in.
 *
 * Like the settings, the tables are made by the first write, and each call opens a short
 * connection of its own: accounts are read once per writing request, never per tile. A
 * postgresql:// database keeps them in the catalogue's schema instead (pg_accounts.c). */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store_int.h"

const char STORE_ACCOUNTS_SCHEMA_SQL[] =
    "CREATE TABLE IF NOT EXISTS teselas_accounts("
    " name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK(role IN ('publisher','reviewer','admin')),"
    " department TEXT NOT NULL DEFAULT '', layers TEXT NOT NULL DEFAULT '',"
    " password_hash TEXT, created_at TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS teselas_tokens("
    " id INTEGER PRIMARY KEY, account TEXT NOT NULL, hash BLOB NOT NULL UNIQUE,"
    " label TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, revoked_at TEXT);"
    "CREATE TABLE IF NOT EXISTS teselas_sessions("
    " hash BLOB PRIMARY KEY, account TEXT NOT NULL, expires_unix INTEGER NOT NULL,"
    " created_at TEXT NOT NULL);";

/* The connection of one call, waiting wait_ms for a writer's lock (0: STORE_WRITE_WAIT_MS). */
static err_code acct_open_wait(const char *db_path, bool write, int wait_ms, sqlite3 **out_db,
                               err *e) {
  *out_db = NULL;
  sqlite3 *db = NULL;
  int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  if (sqlite3_open_v2(db_path, &db, flags, NULL) != SQLITE_OK) {
    err_code rc = write ? err_set(e, ERR_IO, "cannot open database %s: %s", db_path,
                                  sqlite3_errmsg(db))
                        : ERR_OK; /* no database: no accounts */
    sqlite3_close(db);
    return rc;
  }
  sqlite3_busy_timeout(db, wait_ms > 0 ? wait_ms : STORE_WRITE_WAIT_MS);
  err_code rc = ERR_OK;
  if (write && (rc = store_exec(db, "PRAGMA journal_mode=WAL", db_path, e)) == ERR_OK)
    rc = store_exec(db, STORE_ACCOUNTS_SCHEMA_SQL, "accounts tables", e);
  if (rc != ERR_OK) {
    sqlite3_close(db);
    return rc;
  }
  *out_db = db;
  return ERR_OK;
}

err_code store_acct_open(const char *db_path, bool write, sqlite3 **out_db, err *e) {
  return acct_open_wait(db_path, write, 0, out_db, e);
}

/* A gated write (store_gate): opened with the gate's wait, in a transaction of its own (BEGIN
 * IMMEDIATE: a busy database is said so, naming it and the wait), the gate before COMMIT. */
static err_code gated_open(const char *db_path, const store_gate *g, sqlite3 **out_db, err *e) {
  err_code rc = acct_open_wait(db_path, true, g ? g->wait_ms : 0, out_db, e);
  if (rc == ERR_OK && g) rc = store_begin_write(*out_db, db_path, g->wait_ms, "accounts", e);
  return rc;
}

static err_code gated_close(sqlite3 *db, const store_gate *g, err_code rc, int64_t n, err *e) {
  if (db && g) {
    if (rc == ERR_OK && g->fn) rc = g->fn(g->ctx, n, e);
    if (rc == ERR_OK) rc = store_exec(db, "COMMIT", "accounts", e);
    if (rc != ERR_OK && !sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  }
  sqlite3_close(db);
  return rc;
}

/* Prepares sql on db; a read-only database without the tables gives *out NULL and ERR_OK. */
static err_code prepare(sqlite3 *db, const char *sql, bool write, sqlite3_stmt **out, err *e) {
  *out = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, out, NULL) == SQLITE_OK) return ERR_OK;
  if (!write) return ERR_OK; /* an older database: no such table, nothing in it */
  return err_set(e, ERR_DB, "accounts: %s", sqlite3_errmsg(db));
}

static err_code step_done(sqlite3 *db, sqlite3_stmt *st, err *e) {
  int s = sqlite3_step(st);
  if (s == SQLITE_DONE) return ERR_OK;
  if (s == SQLITE_CONSTRAINT) return err_set(e, ERR_INVALID, "%s", sqlite3_errmsg(db));
  return err_set(e, ERR_DB, "accounts: %s", sqlite3_errmsg(db));
}

static void copy_col(char *out, size_t len, sqlite3_stmt *st, int col) {
  const unsigned char *t = sqlite3_column_text(st, col);
  snprintf(out, len, "%s", t ? (const char *)t : "");
}

void store_account_read(sqlite3_stmt *st, store_account *out) {
  *out = (store_account){0};
  copy_col(out->name, sizeof out->name, st, 0);
  copy_col(out->role, sizeof out->role, st, 1);
  copy_col(out->department, sizeof out->department, st, 2);
  copy_col(out->layers, sizeof out->layers, st, 3);
  copy_col(out->created_at, sizeof out->created_at, st, 4);
}

err_code store_account_step(sqlite3 *db, sqlite3_stmt *st, int hash_col, size_t hash_len,
                            store_account *out, bool *out_found, const char *what, err *e) {
  int s = sqlite3_step(st);
  if (s == SQLITE_ROW && (size_t)sqlite3_column_bytes(st, hash_col) == hash_len) {
    store_account_read(st, out);
    *out_found = true;
    return ERR_OK;
  }
  if (s == SQLITE_ROW || s == SQLITE_DONE) return ERR_OK;
  return err_set(e, ERR_DB, "%s: %s", what, sqlite3_errmsg(db));
}

err_code store_account_add(const char *db_path, const store_account *a, const char *pw_hash,
                           err *e) {
  return store_account_add_gated(db_path, a, pw_hash, NULL, e);
}

err_code store_account_add_gated(const char *db_path, const store_account *a, const char *pw_hash,
                                 const store_gate *gate, err *e) {
  if (store_db_is_pg(db_path)) return store_pg_account_add(db_path, a, pw_hash, gate, e);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  err_code rc = gated_open(db_path, gate, &db, e);
  if (rc == ERR_OK)
    rc = prepare(db, "INSERT INTO teselas_accounts(name, role, department, layers, "
                 "password_hash, created_at) VALUES(?,?,?,?,?,?)", true, &st, e);
  if (rc == ERR_OK) {
    char now[32];
    store_now_iso(now);
    sqlite3_bind_text(st, 1, a->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a->role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, a->department, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, a->layers, -1, SQLITE_STATIC);
    if (pw_hash) sqlite3_bind_text(st, 5, pw_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_TRANSIENT);
    int s = sqlite3_step(st);
    if (s == SQLITE_CONSTRAINT)
      rc = err_set(e, ERR_INVALID, "an account named %s already exists", a->name);
    else if (s != SQLITE_DONE)
      rc = err_set(e, ERR_DB, "accounts: %s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  return gated_close(db, gate, rc, 0, e);
}

err_code store_account_remove(const char *db_path, const char *name, err *e) {
  return store_account_remove_gated(db_path, name, NULL, e);
}

err_code store_account_remove_gated(const char *db_path, const char *name, const store_gate *gate,
                                    err *e) {
  if (store_db_is_pg(db_path)) return store_pg_account_remove(db_path, name, gate, e);
  sqlite3 *db = NULL;
  /* one transaction: the tokens go with the account, or nothing does */
  store_gate plain = {NULL, NULL, 0};
  err_code rc = gated_open(db_path, gate ? gate : &plain, &db, e);
  static const char *const SQL[2] = {"DELETE FROM teselas_tokens WHERE account=?",
                                     "DELETE FROM teselas_accounts WHERE name=?"};
  for (int i = 0; i < 2 && rc == ERR_OK; i++) {
    sqlite3_stmt *st = NULL;
    if ((rc = prepare(db, SQL[i], true, &st, e)) != ERR_OK) break;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = step_done(db, st, e);
    sqlite3_finalize(st);
    if (rc == ERR_OK && i == 1 && sqlite3_changes(db) == 0)
      rc = err_set(e, ERR_NOT_FOUND, "no account named %s", name);
  }
  return gated_close(db, gate ? gate : &plain, rc, 0, e);
}

err_code store_accounts_scan(const char *db_path, store_account_fn fn, void *ctx, err *e) {
  if (store_db_is_pg(db_path)) return store_pg_accounts_scan(db_path, fn, ctx, e);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  err_code rc = store_acct_open(db_path, false, &db, e);
  if (rc == ERR_OK && db)
    rc = prepare(db, "SELECT name, role, department, layers, created_at FROM teselas_accounts "
                 "ORDER BY name", false, &st, e);
  while (rc == ERR_OK && st) {
    int s = sqlite3_step(st);
    if (s == SQLITE_DONE) break;
    if (s != SQLITE_ROW) {
      rc = err_set(e, ERR_DB, "accounts: %s", sqlite3_errmsg(db));
      break;
    }
    store_account a;
    store_account_read(st, &a);
    if (fn(ctx, &a)) break;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

static err_code token_add(const char *db_path, const store_token_row *t, const store_gate *gate,
                          int64_t *out_id, err *e);

err_code store_token_add(const char *db_path, const char *account, const uint8_t hash[32],
                         const char *label, int64_t *out_id, err *e) {
  store_token_row t = {account, hash, label};
  return token_add(db_path, &t, NULL, out_id, e);
}

err_code store_token_add_gated(const char *db_path, const char *account, const uint8_t hash[32],
                               const char *label, const store_gate *gate, err *e) {
  store_token_row t = {account, hash, label};
  int64_t id = 0;
  return token_add(db_path, &t, gate, &id, e);
}

static err_code token_add(const char *db_path, const store_token_row *t, const store_gate *gate,
                          int64_t *out_id, err *e) {
  if (store_db_is_pg(db_path)) return store_pg_token_add(db_path, t, gate, out_id, e);
  const char *account = t->account, *label = t->label;
  const uint8_t *hash = t->hash;
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  err_code rc = gated_open(db_path, gate, &db, e);
  /* the account is checked by the same statement: no token for a name that does not exist */
  if (rc == ERR_OK)
    rc = prepare(db, "INSERT INTO teselas_tokens(account, hash, label, created_at) "
                 "SELECT name, ?2, ?3, ?4 FROM teselas_accounts WHERE name=?1", true, &st, e);
  if (rc == ERR_OK) {
    char now[32];
    store_now_iso(now);
    sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, label ? label : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    rc = step_done(db, st, e);
    if (rc == ERR_OK && sqlite3_changes(db) == 0)
      rc = err_set(e, ERR_NOT_FOUND, "no account named %s", account);
    if (rc == ERR_OK) *out_id = sqlite3_last_insert_rowid(db);
  }
  sqlite3_finalize(st);
  return gated_close(db, gate, rc, rc == ERR_OK ? *out_id : 0, e);
}

err_code store_token_revoke(const char *db_path, int64_t id, err *e) {
  return store_token_revoke_gated(db_path, id, NULL, e);
}

err_code store_token_revoke_gated(const char *db_path, int64_t id, const store_gate *gate,
                                  err *e) {
  if (store_db_is_pg(db_path)) return store_pg_token_revoke(db_path, id, gate, e);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  err_code rc = gated_open(db_path, gate, &db, e);
  if (rc == ERR_OK)
    rc = prepare(db, "UPDATE teselas_tokens SET revoked_at=? WHERE id=? AND revoked_at IS NULL",
                 true, &st, e);
  if (rc == ERR_OK) {
    char now[32];
    store_now_iso(now);
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, id);
    rc = step_done(db, st, e);
    if (rc == ERR_OK && sqlite3_changes(db) == 0)
      rc = err_set(e, ERR_NOT_FOUND, "no valid token number %lld", (long long)id);
  }
  sqlite3_finalize(st);
  return gated_close(db, gate, rc, 0, e);
}

err_code store_tokens_scan(const char *db_path, const char *account, store_token_fn fn,
                           void *ctx, err *e) {
  if (store_db_is_pg(db_path)) return store_pg_tokens_scan(db_path, account, fn, ctx, e);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  err_code rc = store_acct_open(db_path, false, &db, e);
  if (rc == ERR_OK && db)
    rc = prepare(db, "SELECT id, account, label, created_at, coalesce(revoked_at, '') "
                 "FROM teselas_tokens WHERE ?1 IS NULL OR account=?1 ORDER BY id", false, &st, e);
  if (st && account) sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
  while (rc == ERR_OK && st) {
    int s = sqlite3_step(st);
    if (s == SQLITE_DONE) break;
    if (s != SQLITE_ROW) {
      rc = err_set(e, ERR_DB, "tokens: %s", sqlite3_errmsg(db));
      break;
    }
    store_token t = {sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
                     (const char *)sqlite3_column_text(st, 2),
                     (const char *)sqlite3_column_text(st, 3),
                     (const char *)sqlite3_column_text(st, 4)};
    if (fn(ctx, &t)) break;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

err_code store_token_lookup(const char *db_path, const uint8_t hash[32], store_account *out,
                            bool *out_found, err *e) {
  *out_found = false;
  if (store_db_is_pg(db_path)) return store_pg_token_lookup(db_path, hash, out, out_found, e);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  err_code rc = store_acct_open(db_path, false, &db, e);
  if (rc == ERR_OK && db)
    rc = prepare(db, "SELECT a.name, a.role, a.department, a.layers, a.created_at, t.id, t.hash "
                 "FROM teselas_tokens t JOIN teselas_accounts a ON a.name=t.account "
                 "WHERE t.hash=? AND t.revoked_at IS NULL", false, &st, e);
  if (st) {
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    rc = store_account_step(db, st, 6, 32, out, out_found, "tokens", e);
    if (*out_found) {
      out->token_id = sqlite3_column_int64(st, 5);
      memcpy(out->token_hash, sqlite3_column_blob(st, 6), 32);
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}
