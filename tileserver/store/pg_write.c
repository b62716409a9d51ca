/* pg_write.c — writes over PostgreSQL: import, publish, remove and rollback run the SpatiaLite
 * code unchanged on a private SpatiaLite copy of the catalogue, and what they changed for one
 * layer moves into PostgreSQL in the transaction that was opened before the copy was made.
 *
 * Why a copy rather than a second writer: the importer, its checks, the privacy rules, the
 * quality report, the ranked lines, the aggregate counts, the history and the rollback are
 * thousands of lines of SQLite that a PostgreSQL twin would have to keep in step; the copy
 * reuses every one of them, and pg_copy.c already moves a version table with its R*Tree order
 * and boxes (so a tile over PostgreSQL is built from the same rows in the same order). The cost
 * is the copy of the catalogue tables (kilobytes: no layer's rows) and, for a rollback or a
 * diff, of the versions involved.
 *
 * The transaction: BEGIN, an advisory lock per schema (one writer at a time, as SQLite has),
 * the catalogue copied out; then, at commit, for the layer only: its rows of every catalogue
 * table replaced, its new version tables copied, the tables of the versions the write dropped
 * dropped, `NOTIFY teselas_catalog, '<layer>'`, COMMIT. Readers (MVCC) see the old catalogue or
 * the new one, never a mix; a refused write rolls back and the schema is exactly as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/pg_int.h"


struct store_pg_write {
  PGconn *pg;
  char *layer;
  char schema[64];
  char dir[4096];
  char path[4160];
  buf old_tables;   /* the layer's version tables before the write, NUL-separated */
  size_t n_old;
};

/* Tables of the schema that writes never touch: a server's usage counts and download digests
 * (its own writer, pg_usage.c), accounts, tokens, sessions and the audit log (pg_accounts.c
 * writes them in place; no secret's hash goes into the private file). */
static bool table_skipped(const char *t) {
  static const char *const SKIP[] = {"teselas_usage", "teselas_download_digests",
                                     "teselas_accounts", "teselas_tokens", "teselas_sessions",
                                     "teselas_audit"};
  for (size_t i = 0; i < sizeof SKIP / sizeof *SKIP; i++)
    if (strcmp(t, SKIP[i]) == 0) return true;
  return false;
}

/* A one-column result of a parameterised query, NUL-separated in out. */
static err_code pg_names(PGconn *pg, const char *sql, int n, const char *const *v, buf *out,
                         size_t *out_n, err *e) {
  PGresult *res = PQexecParams(pg, sql, n, NULL, v, NULL, NULL, 0);
  err_code rc = PQresultStatus(res) == PGRES_TUPLES_OK ? ERR_OK
                                                        : store_pg_result_error(res, "catalog", e);
  *out_n = 0;
  for (int i = 0; rc == ERR_OK && i < PQntuples(res); i++) {
    const char *s = PQgetvalue(res, i, 0);
    buf_append(out, s, strlen(s) + 1);
    (*out_n)++;
  }
  PQclear(res);
  return rc == ERR_OK && out->failed ? err_set(e, ERR_NOMEM, "out of memory") : rc;
}

static bool name_in(const buf *names, size_t n, const char *s) {
  const char *p = (const char *)names->data;
  for (size_t i = 0; i < n; i++, p += strlen(p) + 1)
    if (strcmp(p, s) == 0) return true;
  return false;
}

static const char LAYER_TABLES_PG[] =
    "SELECT table_name FROM teselas_history WHERE layer_id = $1 AND table_name <> ''"
    " UNION SELECT table_name FROM teselas_layers WHERE id = $1";
static const char LAYER_TABLES_SQLITE[] =
    "SELECT table_name FROM teselas_history WHERE layer_id = ?1 AND table_name <> ''"
    " UNION SELECT table_name FROM teselas_layers WHERE id = ?1";

/* ---- the copy out: PostgreSQL's catalogue tables into the private file (pg_pull.c) ---- */

/* The private file: SpatiaLite's metadata and the store's tables, then PostgreSQL's rows of
 * every catalogue table (no layer rows). */
static err_code pull_catalog(store_pg_write *w, err *e) {
  sqlite3 *db = NULL;
  void *spl = NULL;
  err_code rc = store_rw_open(w->path, &db, &spl, e);
  const char *const DDL[] = {STORE_AGG_SCHEMA_SQL, STORE_STYLES_SCHEMA_SQL,
                             STORE_SETTINGS_SCHEMA_SQL, STORE_REVIEW_SCHEMA_SQL};
  for (int i = 0; rc == ERR_OK && i < 4; i++) rc = store_exec(db, DDL[i], "catalog copy", e);
  if (rc == ERR_OK) rc = store_exec(db, "BEGIN", "catalog copy", e);
  buf names;
  buf_init(&names, 0);
  size_t n = 0;
  const char *v[1] = {w->schema};
  if (rc == ERR_OK)
    rc = pg_names(w->pg, "SELECT table_name FROM information_schema.tables WHERE table_schema = $1"
                         " AND table_name LIKE 'teselas\\_%' ORDER BY table_name",
                  1, v, &names, &n, e);
  const char *s = (const char *)names.data;
  store_pg_pull pull = {.pg = w->pg, .schema = w->schema, .db = db};
  for (size_t i = 0; rc == ERR_OK && i < n; i++, s += strlen(s) + 1)
    if (!table_skipped(s)) rc = store_pg_pull_table(&pull, s, s, e);
  buf_free(&names);
  if (rc == ERR_OK) rc = store_exec(db, "COMMIT", "catalog copy", e);
  sqlite3_close(db);
  if (spl) store_spl_detach(spl);
  return rc;
}

/* ---- the copy back: the layer's rows and tables into PostgreSQL ----------------------------- */

/* The column a catalogue table names its layer by (NULL: not a table of layers). */
static const char *layer_column(sqlite3 *db, const char *table) {
  if (strcmp(table, "teselas_layers") == 0 || strcmp(table, "teselas_review_layers") == 0)
    return "id"; /* a version waiting for review keeps its catalogue entry (review.c) */
  if (store_sqlite_has_column(db, table, "layer_id")) return "layer_id";
  if (store_sqlite_has_column(db, table, "layer")) return "layer";
  return NULL;
}

/* Columns the file has and PostgreSQL's table lacks (a catalogue copied from an older file). */
static err_code add_missing_columns(store_pg_write *w, sqlite3 *db, const char *table, err *e) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT name, type FROM pragma_table_info(?1)", -1, &st, NULL) !=
      SQLITE_OK)
    return err_set(e, ERR_DB, "%s: %s", table, sqlite3_errmsg(db));
  sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
  err_code rc = ERR_OK;
  while (rc == ERR_OK && sqlite3_step(st) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(st, 0);
    const char *type = (const char *)sqlite3_column_text(st, 1);
    buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "ALTER TABLE ");
    store_quote_ident(&sql, table);
    buf_puts(&sql, " ADD COLUMN IF NOT EXISTS ");
    store_quote_ident(&sql, name);
    buf_puts(&sql, strstr(type, "INT") ? " bigint" : strstr(type, "REAL") ? " double precision"
                   : strstr(type, "BLOB") ? " bytea" : " text COLLATE \"C\"");
    rc = sql.failed ? err_set(e, ERR_NOMEM, "out of memory") : store_pg_run(w->pg, buf_cstr(&sql), e);
    buf_free(&sql);
  }
  sqlite3_finalize(st);
  return rc;
}

/* Whether the file's table has rows (of the layer, when col names its column). */
static bool sqlite_has_rows(sqlite3 *db, const char *table, const char *col, const char *layer) {
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "SELECT 1 FROM ");
  store_quote_ident(&sql, table);
  if (col) {
    buf_puts(&sql, " WHERE ");
    store_quote_ident(&sql, col);
    buf_puts(&sql, " = ?1");
  }
  buf_puts(&sql, " LIMIT 1");
  sqlite3_stmt *st = NULL;
  bool has = !sql.failed && sqlite3_prepare_v2(db, buf_cstr(&sql), -1, &st, NULL) == SQLITE_OK;
  if (has && col) sqlite3_bind_text(st, 1, layer, -1, SQLITE_STATIC);
  has = has && sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  buf_free(&sql);
  return has;
}

static err_code push_rows(store_pg_write *w, store_pg_copy *c, const char *table, err *e) {
  const char *col = layer_column(c->src, table);
  bool whole = strcmp(table, "teselas_settings") == 0;
  if (!col && !whole) return ERR_OK;
  const char *v[1] = {w->layer};
  PGresult *has = PQexecParams(w->pg, "SELECT to_regclass(quote_ident($1)) IS NOT NULL", 1, NULL,
                               (const char *const[]){table}, NULL, NULL, 0);
  bool exists = PQresultStatus(has) == PGRES_TUPLES_OK && strcmp(PQgetvalue(has, 0, 0), "t") == 0;
  PQclear(has);
  /* a table PostgreSQL lacks is made only to hold rows (but the catalogue's own two, which a
   * reader needs even empty): a write that leaves none (a rejected review, a layer without
   * counts) leaves the schema's list of tables as it was */
  bool core = strcmp(table, "teselas_layers") == 0 || strcmp(table, "teselas_history") == 0;
  if (!exists && !core && !sqlite_has_rows(c->src, table, whole ? NULL : col, w->layer))
    return ERR_OK;
  err_code rc = exists ? add_missing_columns(w, c->src, table, e) : ERR_OK;
  if (rc == ERR_OK && exists) {
    buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "DELETE FROM ");
    store_quote_ident(&sql, table);
    if (!whole) {
      buf_puts(&sql, " WHERE ");
      store_quote_ident(&sql, col);
      buf_puts(&sql, " = $1");
    }
    PGresult *res = PQexecParams(w->pg, buf_cstr(&sql), whole ? 0 : 1, NULL, v, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) rc = store_pg_result_error(res, table, e);
    PQclear(res);
    buf_free(&sql);
  }
  const char *only[2] = {col, w->layer};
  return rc == ERR_OK ? store_pg_copy_table(c, table, false, whole ? NULL : only, e) : rc;
}

static bool sqlite_has_table(sqlite3 *db, const char *table) {
  sqlite3_stmt *st = NULL;
  bool has = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND"
                                    " name = ?1", -1, &st, NULL) == SQLITE_OK;
  if (has) {
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    has = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  return has;
}

/* The layer's version tables the write made (in the file, not yet in PostgreSQL) are copied;
 * those it dropped are dropped. */
static err_code push_tables(store_pg_write *w, store_pg_copy *c, err *e) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(c->src, LAYER_TABLES_SQLITE, -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "catalog: %s", sqlite3_errmsg(c->src));
  sqlite3_bind_text(st, 1, w->layer, -1, SQLITE_STATIC);
  buf now;
  buf_init(&now, 0);
  size_t n_now = 0;
  err_code rc = ERR_OK;
  while (rc == ERR_OK && sqlite3_step(st) == SQLITE_ROW) {
    const char *t = (const char *)sqlite3_column_text(st, 0);
    buf_append(&now, t, strlen(t) + 1);
    n_now++;
    if (!sqlite_has_table(c->src, t) || name_in(&w->old_tables, w->n_old, t)) continue;
    rc = store_pg_copy_table(c, t, true, NULL, e);
    buf lines;
    buf_init(&lines, 0);
    buf_printf(&lines, "%s_tile_lines", t);
    if (rc == ERR_OK && sqlite_has_table(c->src, buf_cstr(&lines)))
      rc = store_pg_copy_table(c, buf_cstr(&lines), false, NULL, e);
    buf_free(&lines);
  }
  sqlite3_finalize(st);
  const char *s = (const char *)w->old_tables.data;
  for (size_t i = 0; rc == ERR_OK && i < w->n_old; i++, s += strlen(s) + 1) {
    if (name_in(&now, n_now, s)) continue;
    buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "DROP TABLE IF EXISTS ");
    store_quote_ident(&sql, s);
    buf_puts(&sql, "; DROP TABLE IF EXISTS ");
    buf_putc(&sql, '"');
    buf_puts(&sql, s);   /* a version table's name: [a-z0-9_] (store_layer_id_valid) */
    buf_puts(&sql, "_tile_lines\"");
    rc = sql.failed ? err_set(e, ERR_NOMEM, "out of memory") : store_pg_run(w->pg, buf_cstr(&sql), e);
    buf_free(&sql);
  }
  buf_free(&now);
  return rc;
}

/* ---- the interface ---------------------------------------------------------------------------- */

static void remove_dir(store_pg_write *w) {
  static const char *const SUFFIX[] = {"", "-wal", "-shm", "-journal"};
  char p[4200];
  for (int i = 0; w->path[0] && i < 4; i++) {
    snprintf(p, sizeof p, "%s%s", w->path, SUFFIX[i]);
    unlink(p);
  }
  if (w->dir[0]) rmdir(w->dir);
}

static void write_free(store_pg_write *w) {
  if (!w) return;
  if (w->pg) PQfinish(w->pg);
  remove_dir(w);
  buf_free(&w->old_tables);
  free(w->layer);
  free(w);
}

err_code store_pg_write_begin(const char *uri, const char *layer_id, store_pg_write **out,
                              err *e) {
  *out = NULL;
  if (!store_layer_id_valid(layer_id))
    return err_set(e, ERR_INVALID, "layer id '%s' is not valid", layer_id);
  store_pg_write *w = calloc(1, sizeof *w);
  if (!w) return err_set(e, ERR_NOMEM, "out of memory");
  buf_init(&w->old_tables, 0);
  w->layer = strdup(layer_id);
  err_code rc = w->layer ? store_pg_connect(uri, &w->pg, e) : err_set(e, ERR_NOMEM, "out of memory");
  if (rc == ERR_OK) rc = store_pg_search_schema(w->pg, w->schema, e);
  if (rc == ERR_OK) rc = store_pg_run(w->pg, "BEGIN", e);
  /* one writer per schema at a time: the second waits here, as SQLite's BEGIN IMMEDIATE; before
   * the schema's functions are replaced, which two writers at once would do concurrently
   * ("tuple concurrently updated") */
  if (rc == ERR_OK) rc = store_pg_schema_lock(w->pg, w->schema, e);
  if (rc == ERR_OK) rc = store_pg_schema_prepare(w->pg, w->schema, e);
  /* the schema is committed before the write's own transaction: the write's audit line goes on
   * a connection of its own before the COMMIT (http/audit_line.c, cli/audit.c), and would wait
   * for ever on a schema, table or function this transaction had made and not committed */
  if (rc == ERR_OK) rc = store_pg_run(w->pg, "COMMIT", e);
  if (rc == ERR_OK) rc = store_pg_run(w->pg, "BEGIN", e);
  if (rc == ERR_OK) rc = store_pg_schema_lock(w->pg, w->schema, e);
  if (rc == ERR_OK) {
    const char *v[1] = {w->layer};
    PGresult *res = PQexec(w->pg, "SELECT to_regclass('teselas_history') IS NOT NULL");
    bool has = PQresultStatus(res) == PGRES_TUPLES_OK && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (has) rc = pg_names(w->pg, LAYER_TABLES_PG, 1, v, &w->old_tables, &w->n_old, e);
  }
  const char *tmp = getenv("TMPDIR");
  snprintf(w->dir, sizeof w->dir, "%s/teselas-write-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
  if (rc == ERR_OK && !mkdtemp(w->dir)) {
    w->dir[0] = '\0';
    rc = err_set(e, ERR_IO, "cannot create a private temporary folder");
  }
  snprintf(w->path, sizeof w->path, "%s/catalog.db", w->dir);
  if (rc == ERR_OK) rc = pull_catalog(w, e);
  if (rc != ERR_OK) {
    write_free(w);
    return rc;
  }
  *out = w;
  return ERR_OK;
}

const char *store_pg_write_path(const store_pg_write *w) { return w->path; }

err_code store_pg_write_commit(store_pg_write *w, err *e) {
  store_pg_copy c;
  err_code rc = store_pg_copy_init(&c, e);
  c.pg = w->pg;
  c.from = w->path;
  if (rc == ERR_OK && sqlite3_open_v2(w->path, &c.src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_IO, "cannot open the private copy: %s", sqlite3_errmsg(c.src));
  if (rc == ERR_OK) rc = push_tables(w, &c, e);
  buf names;
  buf_init(&names, 0);
  sqlite3_stmt *st = NULL;
  if (rc == ERR_OK &&
      sqlite3_prepare_v2(c.src, "SELECT name FROM sqlite_master WHERE type = 'table' AND name"
                                " LIKE 'teselas\\_%' ESCAPE '\\' AND sql NOT LIKE 'CREATE VIRTUAL%'"
                                " ORDER BY name", -1, &st, NULL) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      const char *s = (const char *)sqlite3_column_text(st, 0);
      buf_append(&names, s, strlen(s) + 1);
    }
  }
  sqlite3_finalize(st);
  for (const char *s = (const char *)names.data;
       rc == ERR_OK && s && s < (const char *)names.data + names.len; s += strlen(s) + 1)
    if (!table_skipped(s)) rc = push_rows(w, &c, s, e);
  buf_free(&names);
  if (rc == ERR_OK) {
    const char *v[1] = {w->layer};
    PGresult *res = PQexecParams(w->pg, "SELECT pg_notify('teselas_catalog', $1)", 1, NULL, v,
                                 NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) rc = store_pg_result_error(res, "notify", e);
    PQclear(res);
  }
  if (rc == ERR_OK) rc = store_pg_run(w->pg, "COMMIT", e);
  else PQclear(PQexec(w->pg, "ROLLBACK"));
  sqlite3_close(c.src);
  store_pg_copy_free(&c);
  write_free(w);
  return rc;
}

void store_pg_write_abort(store_pg_write *w) {
  if (w && w->pg) PQclear(PQexec(w->pg, "ROLLBACK"));
  write_free(w);
}

err_code store_pg_layer_remove(const char *uri, const char *layer_id, const char *reason,
                               const store_gate *gate, err *e) {
  store_pg_write *w = NULL;
  err_code rc = store_pg_write_begin(uri, layer_id, &w, e);
  if (rc != ERR_OK) return rc;
  rc = store_layer_remove_gated(w->path, layer_id, reason, gate, e);
  if (rc == ERR_NOT_FOUND) /* the message would name the private file */
    err_set(e, rc, "no layer '%s' in schema %s of PostgreSQL", layer_id, w->schema);
  if (rc != ERR_OK) {
    store_pg_write_abort(w);
    return rc;
  }
  rc = store_pg_write_commit(w, e);
  if (rc == ERR_OK) store_pg_vacuum_catalog(uri); /* the removal stands whatever VACUUM says */
  return rc;
}

err_code store_pg_layer_rollback(const char *uri, const char *layer_id, int64_t to,
                                 const store_gate *gate, int64_t *out_version, err *e) {
  store_pg_write *w = NULL;
  err_code rc = store_pg_write_begin(uri, layer_id, &w, e);
  if (rc != ERR_OK) return rc;
  char ver[32];
  snprintf(ver, sizeof ver, "%lld", (long long)to);
  const char *v[2] = {layer_id, ver};
  PGresult *res = PQexecParams(w->pg, "SELECT table_name FROM teselas_history WHERE layer_id = $1"
                               " AND version = $2::bigint AND table_name <> ''", 2, NULL, v, NULL,
                               NULL, 0);
  if (PQresultStatus(res) != PGRES_TUPLES_OK) rc = store_pg_result_error(res, "history", e);
  sqlite3 *db = NULL;
  void *spl = NULL;
  if (rc == ERR_OK && PQntuples(res) == 1) { /* else the SpatiaLite rollback says what is wrong */
    rc = store_rw_open(w->path, &db, &spl, e);
    store_pg_pull pull = {.pg = w->pg, .schema = w->schema, .db = db};
    const char *table = PQgetvalue(res, 0, 0);
    if (rc == ERR_OK) rc = store_pg_pull_version(&pull, table, table, e);
  }
  PQclear(res);
  if (db) sqlite3_close(db);
  if (spl) store_spl_detach(spl);
  if (rc == ERR_OK) rc = store_layer_rollback_gated(w->path, layer_id, to, gate, out_version, e);
  if (rc != ERR_OK) {
    store_pg_write_abort(w);
    return rc;
  }
  return store_pg_write_commit(w, e);
}

err_code store_pg_catalog_ensure(const char *uri, bool *out_created, err *e) {
  *out_created = false;
  PGconn *pg = NULL;
  if (store_pg_connect(uri, &pg, NULL) != ERR_OK) return ERR_OK; /* the reader says why */
  PGresult *res = PQexec(pg, "SELECT to_regclass('teselas_accounts') IS NOT NULL AND"
                             " to_regclass('teselas_layers') IS NULL");
  bool only = PQresultStatus(res) == PGRES_TUPLES_OK && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
  PQclear(res);
  PQfinish(pg);
  if (!only) return ERR_OK;
  /* a write that changes no layer: its commit creates every catalogue table, empty */
  store_pg_write *w = NULL;
  err_code rc = store_pg_write_begin(uri, "teselas", &w, e);
  if (rc == ERR_OK) rc = store_pg_write_commit(w, e);
  if (rc == ERR_OK) *out_created = true;
  return rc;
}
