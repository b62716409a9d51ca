/* pg_accounts.c — accounts, API tokens, sign-in sessions and the audit log when the catalogue is
 * in PostgreSQL: the same tables as accounts.c, sessions.c and audit.c, in the catalogue's
 * schema, so every server behind a load balancer shares sessions and writes one audit log.
 *
 * The tables are made by store_pg_schema_prepare (the code path that makes the catalogue, for
 * `copy` and every write) and by the first account written. `teselas_audit` refuses UPDATE,
 * DELETE and TRUNCATE by trigger, whatever the role: rewriting history takes dropping the
 * trigger, which only the tables' owner may do; a serving role needs INSERT and SELECT alone.
 *
 * Each thread keeps one connection of its own between calls (acct_conn): a sign-in is three
 * calls (password, session, audit line) and every publisher's page looks its session up, so a
 * connection per call cost three connections per sign-in — PostgreSQL starts a process for
 * each. A server's threads are a bounded set, so are these connections; one that broke (the
 * database restarted: seen before use, quiet() below) or was left inside a transaction is
 * dropped, and the call connects again. A connection of its own still keeps a line of the audit log out of an import's
 * transaction (a refused import rolls back; its line stays). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"

const char STORE_PG_ACCOUNTS_SQL[] =
    "CREATE TABLE IF NOT EXISTS teselas_accounts("
    " name text COLLATE \"C\" PRIMARY KEY,"
    " role text NOT NULL CHECK(role IN ('publisher','reviewer','admin')),"
    " department text NOT NULL DEFAULT '', layers text NOT NULL DEFAULT '',"
    " password_hash text, created_at text NOT NULL);"
    "CREATE TABLE IF NOT EXISTS teselas_tokens("
    " id bigserial PRIMARY KEY, account text COLLATE \"C\" NOT NULL, hash bytea NOT NULL UNIQUE,"
    " label text NOT NULL DEFAULT '', created_at text NOT NULL, revoked_at text);"
    "CREATE TABLE IF NOT EXISTS teselas_sessions("
    " hash bytea PRIMARY KEY, account text COLLATE \"C\" NOT NULL, expires_unix bigint NOT NULL,"
    " created_at text NOT NULL);"
    "CREATE TABLE IF NOT EXISTS teselas_audit("
    " id bigserial PRIMARY KEY, at text NOT NULL, who text NOT NULL, action text NOT NULL,"
    " target text NOT NULL DEFAULT '', result text NOT NULL, detail text NOT NULL DEFAULT '');"
    /* made once, never replaced: a serving role that is not the owner runs this too */
    "DO $d$ BEGIN"
    " IF to_regproc('teselas_audit_refuse') IS NULL THEN"
    "  CREATE FUNCTION teselas_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS"
    "  $f$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $f$;"
    " END IF;"
    " IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'teselas_audit_append_only'"
    "  AND tgrelid = 'teselas_audit'::regclass) THEN"
    "  CREATE TRIGGER teselas_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE"
    "  ON teselas_audit FOR EACH STATEMENT EXECUTE FUNCTION teselas_audit_refuse();"
    " END IF; END $d$;";

/* Makes the tables (with the catalogue's schema, in their own transaction) on pg. */
static err_code make_tables(PGconn *pg, err *e) {
  char schema[64];
  err_code rc = store_pg_search_schema(pg, schema, e);
  if (rc == ERR_OK) rc = store_pg_run(pg, "BEGIN", e);
  if (rc == ERR_OK) rc = store_pg_schema_prepare(pg, schema, e);
  if (rc == ERR_OK) return store_pg_run(pg, "COMMIT", e);
  PQclear(PQexec(pg, "ROLLBACK"));
  return rc;
}

/* Parameters: text unless lens[i] > 0 (then binary bytes, a bytea); results in binary. */
typedef struct acct_params {
  int n;
  const char *v[7];
  int lens[7];
} acct_params;

/* A read of a database whose tables are not there yet (no account written) finds nothing; a
 * write makes them. */
static bool no_table(const PGresult *r) {
  const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  return state && strcmp(state, "42P01") == 0;
}

static err_code acct_exec(PGconn *pg, const char *sql, const acct_params *p, const char *what,
                          PGresult **out, err *e) {
  int formats[7];
  for (int i = 0; i < p->n; i++) formats[i] = p->lens[i] > 0;
  *out = PQexecParams(pg, sql, p->n, NULL, p->v, p->lens, formats, 1);
  ExecStatusType s = PQresultStatus(*out);
  if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) return ERR_OK;
  const char *state = PQresultErrorField(*out, PG_DIAG_SQLSTATE);
  if (state && strncmp(state, "23", 2) == 0) { /* integrity: a CHECK, a name taken */
    const char *m = PQresultErrorField(*out, PG_DIAG_MESSAGE_PRIMARY);
    return err_set(e, ERR_INVALID, "%s: %s", what, m ? m : "refused");
  }
  return store_pg_result_error(*out, what, e);
}

/* A write: no DDL while the tables exist (a serving role needs no more than its grants); the
 * first write to a schema without them makes them and runs again. */
static err_code acct_write(PGconn *pg, const char *sql, const acct_params *p, const char *what,
                           PGresult **out, err *e) {
  err_code rc = acct_exec(pg, sql, p, what, out, e);
  if (rc == ERR_OK || !no_table(*out)) return rc;
  PQclear(*out);
  *out = NULL;
  rc = make_tables(pg, e);
  return rc == ERR_OK ? acct_exec(pg, sql, p, what, out, e) : rc;
}

/* Whether the account tables are all there (then a write needs no DDL). */
static bool tables_made(PGconn *pg) {
  PGresult *r = PQexec(pg, "SELECT to_regclass('teselas_accounts') IS NOT NULL AND"
                           " to_regclass('teselas_tokens') IS NOT NULL AND"
                           " to_regclass('teselas_sessions') IS NOT NULL AND"
                           " to_regclass('teselas_audit') IS NOT NULL");
  bool made = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
              strcmp(PQgetvalue(r, 0, 0), "t") == 0;
  PQclear(r);
  return made;
}

/* A gated write (store_gate) runs in a transaction of its own, the gate before COMMIT: the
 * tables made first when missing (DDL would abort the transaction then; run every time, it would
 * replace the schema's functions under concurrent writers and servers' cached plans). */
static err_code gate_begin(PGconn *pg, const store_gate *g, err *e) {
  if (!g) return ERR_OK;
  err_code rc = tables_made(pg) ? ERR_OK : make_tables(pg, e);
  return rc == ERR_OK ? store_pg_run(pg, "BEGIN", e) : rc;
}

static err_code gate_end(PGconn *pg, const store_gate *g, err_code rc, int64_t n, err *e) {
  if (!g) return rc;
  if (rc == ERR_OK && g->fn) rc = g->fn(g->ctx, n, e);
  if (rc == ERR_OK) rc = store_pg_run(pg, "COMMIT", e);
  if (rc != ERR_OK && PQtransactionStatus(pg) != PQTRANS_IDLE) PQclear(PQexec(pg, "ROLLBACK"));
  return rc;
}

static int64_t affected(const PGresult *r) { return strtoll(PQcmdTuples((PGresult *)r), NULL, 10); }

/* Reads name, role, department, layers, created_at from columns 0..4 of row 0. */
static void account_from(const PGresult *r, store_account *out) {
  *out = (store_account){0};
  snprintf(out->name, sizeof out->name, "%s", store_pg_text(r, 0, 0, ""));
  snprintf(out->role, sizeof out->role, "%s", store_pg_text(r, 0, 1, ""));
  snprintf(out->department, sizeof out->department, "%s", store_pg_text(r, 0, 2, ""));
  snprintf(out->layers, sizeof out->layers, "%s", store_pg_text(r, 0, 3, ""));
  snprintf(out->created_at, sizeof out->created_at, "%s", store_pg_text(r, 0, 4, ""));
}


err_code store_pg_account_add(const char *uri, const store_account *a, const char *pw_hash,
                              const store_gate *gate, err *e) {
  PGconn *pg = NULL;
  PGresult *r = NULL;
  char now[32];
  store_now_iso(now);
  acct_params p = {6, {a->name, a->role, a->department, a->layers, pw_hash, now}, {0}};
  err_code rc = store_pg_conn_take(uri, &pg, e);
  if (rc == ERR_OK) rc = gate_begin(pg, gate, e);
  if (rc == ERR_OK)
    rc = acct_write(pg, "INSERT INTO teselas_accounts(name, role, department, layers,"
                   " password_hash, created_at) VALUES($1, $2, $3, $4, $5, $6)", &p, "accounts",
                   &r, e);
  const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  if (rc == ERR_INVALID && state && strcmp(state, "23505") == 0)
    rc = err_set(e, ERR_INVALID, "an account named %s already exists", a->name);
  PQclear(r);
  if (pg) rc = gate_end(pg, gate, rc, 0, e);
  store_pg_conn_give(uri, pg);
  return rc;
}

err_code store_pg_account_remove(const char *uri, const char *name, const store_gate *gate,
                                 err *e) {
  PGconn *pg = NULL;
  PGresult *r = NULL;
  acct_params p = {1, {name}, {0}};
  err_code rc = store_pg_conn_take(uri, &pg, e);
  if (rc == ERR_OK) rc = gate_begin(pg, gate, e);
  /* one statement: the tokens and sessions go with the account, or nothing does */
  if (rc == ERR_OK)
    rc = acct_write(pg, "WITH t AS (DELETE FROM teselas_tokens WHERE account = $1),"
                   " s AS (DELETE FROM teselas_sessions WHERE account = $1)"
                   " DELETE FROM teselas_accounts WHERE name = $1", &p, "accounts", &r, e);
  if (rc == ERR_OK && affected(r) == 0) rc = err_set(e, ERR_NOT_FOUND, "no account named %s", name);
  PQclear(r);
  if (pg) rc = gate_end(pg, gate, rc, 0, e);
  store_pg_conn_give(uri, pg);
  return rc;
}

err_code store_pg_accounts_scan(const char *uri, store_account_fn fn, void *ctx, err *e) {
  PGconn *pg = NULL;
  PGresult *r = NULL;
  acct_params p = {0};
  err_code rc = store_pg_conn_take(uri, &pg, e);
  if (rc == ERR_OK)
    rc = acct_exec(pg, "SELECT name, role, department, layers, created_at FROM teselas_accounts"
                   " ORDER BY name", &p, "accounts", &r, e);
  if (rc != ERR_OK && r && no_table(r)) rc = ERR_OK;
  for (int i = 0; rc == ERR_OK && i < PQntuples(r); i++) {
    store_account a = {0};
    snprintf(a.name, sizeof a.name, "%s", store_pg_text(r, i, 0, ""));
    snprintf(a.role, sizeof a.role, "%s", store_pg_text(r, i, 1, ""));
    snprintf(a.department, sizeof a.department, "%s", store_pg_text(r, i, 2, ""));
    snprintf(a.layers, sizeof a.layers, "%s", store_pg_text(r, i, 3, ""));
    snprintf(a.created_at, sizeof a.created_at, "%s", store_pg_text(r, i, 4, ""));
    if (fn(ctx, &a)) break;
  }
  PQclear(r);
  store_pg_conn_give(uri, pg);
  return rc;
}

err_code store_pg_token_add(const char *uri, const store_token_row *t, const store_gate *gate,
                            int64_t *out_id, err *e) {
  PGconn *pg = NULL;
  PGresult *r = NULL;
  char now[32];
  store_now_iso(now);
  const char *account = t->account;
  acct_params p = {4, {account, (const char *)t->hash, t->label ? t->label : "", now},
                   {0, 32, 0, 0}};
  err_code rc = store_pg_conn_take(uri, &pg, e);
  if (rc == ERR_OK) rc = gate_begin(pg, gate, e);
  /* the account is checked by the same statement: no token for a name that does not exist */
  if (rc == ERR_OK)
    rc = acct_write(pg, "INSERT INTO teselas_tokens(account, hash, label, created_at)"
                   " SELECT name, $2, $3, $4 FROM teselas_accounts WHERE name = $1 RETURNING id",
                   &p, "tokens", &r, e);
  if (rc == ERR_OK && PQntuples(r) == 0)
    rc = err_set(e, ERR_NOT_FOUND, "no account named %s", account);
  if (rc == ERR_OK) *out_id = store_pg_i64(r, 0, 0);
  PQclear(r);
  if (pg) rc = gate_end(pg, gate, rc, rc == ERR_OK ? *out_id : 0, e);
  store_pg_conn_give(uri, pg);
  return rc;
}

err_code store_pg_token_revoke(const char *uri, int64_t id, const store_gate *gate, err *e) {
  PGconn *pg = NULL;
  PGresult *r = NULL;
  char now[32], num[24];
  store_now_iso(now);
  snprintf(num, sizeof num, "%lld", (long long)id);
  acct_params p = {2, {now, num}, {0}};
  err_code rc = store_pg_conn_take(uri, &pg, e);
  if (rc == ERR_OK) rc = gate_begin(pg, gate, e);
  if (rc == ERR_OK)
    rc = acct_write(pg, "UPDATE teselas_tokens SET revoked_at = $1 WHERE id = $2::bigint AND"
                   " revoked_at IS NULL", &p, "tokens", &r, e);
  if (rc == ERR_OK && affected(r) == 0)
    rc = err_set(e, ERR_NOT_FOUND, "no valid token number %lld", (long long)id);
  PQclear(r);
  if (pg) rc = gate_end(pg, gate, rc, 0, e);
  store_pg_conn_give(uri, pg);
  return rc;
}

err_code store_pg_tokens_scan(const char *uri, const char *account, store_token_fn fn, void *ctx,
                              err *e) {
  PGconn *pg = NULL;
  PGresult *r = NULL;
  acct_params p = {1, {account}, {0}};
  err_code rc = store_pg_conn_take(uri, &pg, e);
  if (rc == ERR_OK)
    rc = acct_exec(pg, "SELECT id, account, label, created_at, coalesce(revoked_at, '')"
                   " FROM teselas_tokens WHERE $1::text IS NULL OR account = $1 ORDER BY id", &p,
                   "tokens", &r, e);
  if (rc != ERR_OK && r && no_table(r)) rc = ERR_OK;
  for (int i = 0; rc == ERR_OK && i < PQntuples(r); i++) {
    store_token t = {store_pg_i64(r, i, 0), store_pg_text(r, i, 1, ""),
                     store_pg_text(r, i, 2, ""), store_pg_text(r, i, 3, ""),
                     store_pg_text(r, i, 4, "")};
    if (fn(ctx, &t)) break;
  }
  PQclear(r);
  store_pg_conn_give(uri, pg);
  return rc;
}

/* One account row (name, role, department, layers, created_at, then `extra` columns) found by
 * sql with p; *out_found false when none. */
static err_code account_row(const char *uri, const char *sql, const acct_params *p,
                            const char *what, int extra, store_account *out, PGresult **keep,
                            bool *out_found, err *e) {
  *out_found = false;
  *keep = NULL;
  PGconn *pg = NULL;
  PGresult *r = NULL;
  err_code rc = store_pg_conn_take(uri, &pg, e);
  if (rc == ERR_OK) rc = acct_exec(pg, sql, p, what, &r, e);
  if (rc != ERR_OK && r && no_table(r)) rc = ERR_OK;
  if (rc == ERR_OK && PQntuples(r) == 1 && PQnfields(r) == 5 + extra) {
    account_from(r, out);
    *out_found = true;
    *keep = r;
    r = NULL;
  }
  PQclear(r);
  store_pg_conn_give(uri, pg);
  return rc;
}

err_code store_pg_token_lookup(const char *uri, const uint8_t hash[32], store_account *out,
                               bool *out_found, err *e) {
  PGresult *r = NULL;
  acct_params p = {1, {(const char *)hash}, {32}};
  err_code rc = account_row(uri, "SELECT a.name, a.role, a.department, a.layers, a.created_at,"
                            " t.id, t.hash FROM teselas_tokens t JOIN teselas_accounts a ON"
                            " a.name = t.account WHERE t.hash = $1 AND t.revoked_at IS NULL",
                            &p, "tokens", 2, out, &r, out_found, e);
  if (*out_found && PQgetlength(r, 0, 6) == 32) {
    out->token_id = store_pg_i64(r, 0, 5);
    memcpy(out->token_hash, PQgetvalue(r, 0, 6), 32);
  } else if (*out_found) {
    *out_found = false;
  }
  PQclear(r);
  return rc;
}

err_code store_pg_account_password(const char *uri, const char *name, store_account *out,
                                   char *out_hash, size_t hash_len, bool *out_found, err *e) {
  PGresult *r = NULL;
  acct_params p = {1, {name}, {0}};
  err_code rc = account_row(uri, "SELECT name, role, department, layers, created_at,"
                            " password_hash FROM teselas_accounts WHERE name = $1 AND"
                            " password_hash IS NOT NULL", &p, "accounts", 1, out, &r, out_found,
                            e);
  if (*out_found && (size_t)PQgetlength(r, 0, 5) < hash_len)
    snprintf(out_hash, hash_len, "%s", PQgetvalue(r, 0, 5));
  else if (*out_found)
    *out_found = false;
  PQclear(r);
  return rc;
}

err_code store_pg_session_add(const char *uri, const uint8_t hash[32], const char *account,
                              int64_t now_unix, int64_t expires_unix, err *e) {
  PGconn *pg = NULL;
  PGresult *r = NULL;
  char now[32], at[24], until[24];
  store_now_iso(now);
  snprintf(at, sizeof at, "%lld", (long long)now_unix);
  snprintf(until, sizeof until, "%lld", (long long)expires_unix);
  err_code rc = store_pg_conn_take(uri, &pg, e);
  /* expired sessions go with each new one: the table holds only live ones and their hashes */
  acct_params old = {1, {at}, {0}};
  if (rc == ERR_OK)
    rc = acct_write(pg, "DELETE FROM teselas_sessions WHERE expires_unix <= $1::bigint", &old,
                   "sessions", &r, e);
  PQclear(r);
  r = NULL;
  acct_params p = {4, {(const char *)hash, account, until, now}, {32, 0, 0, 0}};
  if (rc == ERR_OK)
    rc = acct_write(pg, "INSERT INTO teselas_sessions(hash, account, expires_unix, created_at)"
                   " VALUES($1, $2, $3::bigint, $4)", &p, "sessions", &r, e);
  PQclear(r);
  store_pg_conn_give(uri, pg);
  return rc;
}

err_code store_pg_session_lookup(const char *uri, const uint8_t hash[32], int64_t now_unix,
                                 store_account *out, bool *out_found, err *e) {
  PGresult *r = NULL;
  char at[24];
  snprintf(at, sizeof at, "%lld", (long long)now_unix);
  acct_params p = {2, {(const char *)hash, at}, {32, 0}};
  err_code rc = account_row(uri, "SELECT a.name, a.role, a.department, a.layers, a.created_at,"
                            " s.hash FROM teselas_sessions s JOIN teselas_accounts a ON"
                            " a.name = s.account WHERE s.hash = $1 AND s.expires_unix > $2::bigint",
                            &p, "sessions", 1, out, &r, out_found, e);
  if (*out_found && PQgetlength(r, 0, 5) == 32) memcpy(out->token_hash, PQgetvalue(r, 0, 5), 32);
  else if (*out_found) *out_found = false;
  PQclear(r);
  return rc;
}

err_code store_pg_session_remove(const char *uri, const uint8_t hash[32], err *e) {
  PGconn *pg = NULL;
  PGresult *r = NULL;
  acct_params p = {1, {(const char *)hash}, {32}};
  err_code rc = store_pg_conn_take(uri, &pg, e);
  if (rc == ERR_OK)
    rc = acct_exec(pg, "DELETE FROM teselas_sessions WHERE hash = $1", &p, "sessions", &r, e);
  if (rc != ERR_OK && r && no_table(r)) rc = ERR_OK;
  PQclear(r);
  store_pg_conn_give(uri, pg);
  return rc;
}

err_code store_pg_audit_add(const char *uri, const store_audit_entry *a, err *e) {
  PGconn *pg = NULL;
  PGresult *r = NULL;
  char now[32];
  store_now_iso(now);
  acct_params p = {6, {now, a->who, a->action, a->target, a->result, a->detail}, {0}};
  for (int i = 1; i < 6; i++)
    if (!p.v[i]) p.v[i] = "";
  err_code rc = store_pg_conn_take(uri, &pg, e);
  if (rc == ERR_OK)
    rc = acct_write(pg, "INSERT INTO teselas_audit(at, who, action, target, result, detail)"
                    " VALUES($1, $2, $3, $4, $5, $6)", &p, "audit log (teselas_audit)", &r, e);
  PQclear(r);
  store_pg_conn_give(uri, pg);
  return rc;
}

err_code store_pg_audit_scan(const char *uri, int64_t after, int64_t limit, store_audit_fn fn,
                             void *ctx, err *e) {
  PGconn *pg = NULL;
  PGresult *r = NULL;
  char a[24], l[24];
  snprintf(a, sizeof a, "%lld", (long long)after);
  snprintf(l, sizeof l, "%lld", (long long)limit);
  acct_params p = {2, {a, l}, {0}};
  err_code rc = store_pg_conn_take(uri, &pg, e);
  if (rc == ERR_OK)
    rc = acct_exec(pg, "SELECT id, at, who, action, target, result, detail FROM teselas_audit"
                   " WHERE id > $1::bigint ORDER BY id LIMIT $2::bigint", &p, "audit", &r, e);
  if (rc != ERR_OK && r && no_table(r)) rc = ERR_OK;
  for (int i = 0; rc == ERR_OK && i < PQntuples(r); i++) {
    store_audit_entry x = {store_pg_i64(r, i, 0), store_pg_text(r, i, 1, ""),
                           store_pg_text(r, i, 2, ""), store_pg_text(r, i, 3, ""),
                           store_pg_text(r, i, 4, ""), store_pg_text(r, i, 5, ""),
                           store_pg_text(r, i, 6, "")};
    if (fn(ctx, &x)) break;
  }
  PQclear(r);
  store_pg_conn_give(uri, pg);
  return rc;
}
