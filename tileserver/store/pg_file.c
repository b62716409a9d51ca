/* pg_file.c — `teselas copy --from postgresql://… --to FILE`: a whole PostgreSQL catalog back
 * into a SpatiaLite file, the way pg_copy.c moves a file into PostgreSQL.
 *
 * What moves: every teselas_* table of the schema (catalogue, history with reports and the
 * catalogue entries of each version, styles, aggregate counts, settings, usage, reviews, the
 * accounts and tokens but not the audit log: pulled() below) and
 * every layer version's table still kept, with its ranked lines. A version table arrives
 * through a staging table and the rollback's copy (rollback.c): rows in teselas_row order, so
 * the packed R*Tree rebuilt from them is the tree of the file that was copied into PostgreSQL and
 * a tile reads the same features in the same order.
 *
 * Whole or nothing, under the final name: PostgreSQL is read in one REPEATABLE READ transaction
 * (one snapshot, whatever writers do meanwhile), the file is written under a temporary name
 * (FILE.copy-<pid>-<n>) beside the target and renamed over it only once complete and closed; any failure removes it.
 * An existing target is refused unless the caller says replace. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/pg_int.h"


/* The staging name of a version table on its way (dropped once copied). */
static const char STAGE[] = "teselas_copy_stage";

static const char *const SUFFIXES[] = {"-wal", "-shm", "-journal"};

static void unlink_with_sidecars(const char *path) {
  char side[4200];
  unlink(path);
  for (size_t i = 0; i < sizeof SUFFIXES / sizeof *SUFFIXES; i++) {
    snprintf(side, sizeof side, "%s%s", path, SUFFIXES[i]);
    unlink(side);
  }
}

/* Names from a one-column PostgreSQL query, NUL-separated. */
static err_code pg_list(PGconn *pg, const char *sql, buf *out, size_t *out_n, err *e) {
  PGresult *res = PQexec(pg, sql);
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

/* The session: the schema asked for (else the URI's), one snapshot, read only; *schema_out the
 * schema read, which must hold a catalog. */
static err_code source_begin(PGconn *pg, const char *schema, char schema_out[64], err *e) {
  err_code rc = ERR_OK;
  if (schema) {
    buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "SET search_path TO ");
    store_quote_ident(&sql, schema);
    buf_puts(&sql, ", public");
    rc = sql.failed ? err_set(e, ERR_NOMEM, "out of memory") : store_pg_run(pg, buf_cstr(&sql), e);
    buf_free(&sql);
  }
  if (rc == ERR_OK)
    rc = store_pg_run(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e);
  if (rc != ERR_OK) return rc;
  PGresult *res = PQexec(pg, "SELECT btrim(split_part(current_setting('search_path'), ',', 1),"
                             " ' \"'), to_regclass('teselas_layers') IS NOT NULL AND"
                             " to_regclass('teselas_history') IS NOT NULL");
  if (PQresultStatus(res) != PGRES_TUPLES_OK) rc = store_pg_result_error(res, "schema", e);
  if (rc == ERR_OK) {
    snprintf(schema_out, 64, "%s", PQgetvalue(res, 0, 0));
    if (strcmp(PQgetvalue(res, 0, 1), "t") != 0)
      rc = err_set(e, ERR_NOT_FOUND, "PostgreSQL has no teselas catalog in schema %s; nothing"
                   " was written", schema_out);
  }
  PQclear(res);
  return rc;
}

/* The store's own definition of a table created on first use (the catalog and history are made
 * by store_rw_open); NULL: the table is made from PostgreSQL's columns. */
static const char *schema_sql(const char *table) {
  if (strncmp(table, "teselas_agg_", 12) == 0) return STORE_AGG_SCHEMA_SQL;
  if (strcmp(table, "teselas_styles") == 0) return STORE_STYLES_SCHEMA_SQL;
  if (strcmp(table, "teselas_settings") == 0) return STORE_SETTINGS_SCHEMA_SQL;
  if (strcmp(table, "teselas_usage") == 0) return STORE_USAGE_SCHEMA_SQL;
  if (strcmp(table, "teselas_download_digests") == 0) return STORE_DIGESTS_SCHEMA_SQL;
  if (strcmp(table, "teselas_accounts") == 0 || strcmp(table, "teselas_tokens") == 0 ||
      strcmp(table, "teselas_sessions") == 0)
    return STORE_ACCOUNTS_SCHEMA_SQL;
  return NULL;
}

/* Tables PostgreSQL makes with every catalogue (pg_accounts.c) that a file makes only with its
 * first account: they come back only when they hold rows. The audit log stays behind: a file
 * keeps its own beside it (DB.audit), which a copy does not write. */
static bool pulled(PGconn *pg, const char *table) {
  if (strcmp(table, "teselas_audit") == 0) return false;
  if (strcmp(table, "teselas_accounts") != 0 && strcmp(table, "teselas_tokens") != 0 &&
      strcmp(table, "teselas_sessions") != 0)
    return true;
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "SELECT 1 FROM ");
  store_quote_ident(&sql, table);
  buf_puts(&sql, " LIMIT 1");
  PGresult *res = sql.failed ? NULL : PQexec(pg, buf_cstr(&sql));
  bool rows = res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0;
  PQclear(res);
  buf_free(&sql);
  return rows;
}

static err_code pull_catalog_tables(const store_pg_pull *p, err *e) {
  buf names;
  buf_init(&names, 0);
  size_t n = 0;
  const char *v[1] = {p->schema};
  PGresult *res = PQexecParams(p->pg, "SELECT table_name FROM information_schema.tables WHERE"
                               " table_schema = $1 AND table_type = 'BASE TABLE' AND table_name"
                               " LIKE 'teselas\\_%' ORDER BY table_name", 1, NULL, v, NULL, NULL, 0);
  err_code rc = PQresultStatus(res) == PGRES_TUPLES_OK ? ERR_OK
                                                        : store_pg_result_error(res, "catalog", e);
  for (int i = 0; rc == ERR_OK && i < PQntuples(res); i++, n++)
    buf_append(&names, PQgetvalue(res, i, 0), strlen(PQgetvalue(res, i, 0)) + 1);
  PQclear(res);
  if (rc == ERR_OK && names.failed) rc = err_set(e, ERR_NOMEM, "out of memory");
  const char *s = (const char *)names.data;
  for (size_t i = 0; rc == ERR_OK && i < n; i++, s += strlen(s) + 1) {
    if (!pulled(p->pg, s)) continue;
    const char *ddl = schema_sql(s);
    if (ddl) rc = store_exec(p->db, ddl, s, e);
    if (rc == ERR_OK) rc = store_pg_pull_table(p, s, s, e);
  }
  buf_free(&names);
  return rc;
}

/* A version table's name as the writer makes it (lyr_<id>_v<N>): the rollback's copy writes it
 * into SQL between quotes, so a catalogue row naming anything else is refused. */
static bool version_table_valid(const char *t) {
  size_t n = strlen(t);
  if (n < 7 || n > 100 || strncmp(t, "lyr_", 4) != 0) return false;
  for (size_t i = 0; i < n; i++)
    if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9') || t[i] == '_' ||
          t[i] == '-'))
      return false;
  return true;
}

static const char VERSION_TABLES_PG[] =
    "SELECT t FROM (SELECT table_name AS t FROM teselas_layers UNION SELECT table_name FROM"
    " teselas_history) v WHERE t <> '' AND to_regclass(quote_ident(t)) IS NOT NULL ORDER BY t";

/* Each version table through the staging table, then rebuilt as the importer builds it. */
static err_code pull_versions(const store_pg_pull *p, int64_t *out_n, err *e) {
  buf names;
  buf_init(&names, 0);
  size_t n = 0;
  err_code rc = pg_list(p->pg, VERSION_TABLES_PG, &names, &n, e);
  const char *s = (const char *)names.data;
  for (size_t i = 0; rc == ERR_OK && i < n; i++, s += strlen(s) + 1) {
    if (!version_table_valid(s)) {
      rc = err_set(e, ERR_INVALID, "the catalog names a version table '%s' teselas never makes", s);
      break;
    }
    rc = store_pg_pull_version(p, s, STAGE, e);
    if (rc == ERR_OK) rc = store_version_table_copy(p->db, STAGE, s, e);
    if (rc == ERR_OK)
      rc = store_exec(p->db, "DROP TABLE teselas_copy_stage;"
                             " DROP TABLE IF EXISTS teselas_copy_stage_tile_lines", "staging", e);
    if (rc == ERR_OK) (*out_n)++;
  }
  buf_free(&names);
  return rc;
}

/* The whole file at path (new), from p's connection. */
static err_code write_file(store_pg_pull *p, const char *path, int64_t *out_n, err *e) {
  void *spl = NULL;
  err_code rc = store_rw_open(path, &p->db, &spl, e);
  if (rc == ERR_OK) rc = store_exec(p->db, "BEGIN", "copy", e);
  if (rc == ERR_OK) rc = pull_catalog_tables(p, e);
  if (rc == ERR_OK) rc = pull_versions(p, out_n, e);
  if (rc == ERR_OK) rc = store_exec(p->db, "COMMIT", "copy", e);
  /* the last close checkpoints the WAL into the file and removes it */
  if (p->db && sqlite3_close(p->db) != SQLITE_OK && rc == ERR_OK)
    rc = err_set(e, ERR_IO, "cannot close %s", path);
  p->db = NULL;
  if (spl) store_spl_detach(spl);
  return rc;
}

/* A file about to be replaced may have a writer (an import, an outside sqlite3): wait for its
 * write lock as every writer does, then let it go; a file SQLite cannot read as a database has
 * no writer to wait for. */
static err_code await_writers(const char *path, int busy_ms, err *e) {
  sqlite3 *db = NULL;
  err_code rc = ERR_OK;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
    sqlite3_busy_timeout(db, busy_ms > 0 ? busy_ms : STORE_WRITE_WAIT_MS);
    err local;
    err_clear(&local);
    if (store_begin_write(db, path, busy_ms, "replace", &local) == ERR_OK)
      sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    else if (sqlite3_errcode(db) == SQLITE_BUSY)
      rc = err_set(e, ERR_DB, "%s", local.msg);
  }
  sqlite3_close(db);
  return rc;
}

err_code store_copy_to_file(const char *from, const char *schema, const char *to, bool replace,
                            int64_t *out_n, err *e) {
  store_file_target t = {.path = to, .replace = replace};
  return store_copy_to_file_target(from, schema, &t, out_n, e);
}

err_code store_copy_to_file_target(const char *from, const char *schema,
                                   const store_file_target *target, int64_t *out_n, err *e) {
  const char *to = target->path;
  bool replace = target->replace;
  if (out_n) *out_n = 0;
  if (!store_db_is_pg(from) || store_db_is_pg(to))
    return err_set(e, ERR_INVALID, "copy to a file goes from a PostgreSQL URI to a file name");
  struct stat sb;
  if (!replace && stat(to, &sb) == 0)
    return err_set(e, ERR_INVALID, "%s exists; nothing was written (--replace to overwrite it)",
                   to);
  size_t n_to = strlen(to);
  if (n_to + 32 > 4096) return err_set(e, ERR_INVALID, "the file name is too long");
  /* a name of our own beside the target (same file system: the rename is atomic), created with
   * the umask's permissions, as SQLite would create the file itself */
  char tmp[4200];
  int fd = -1;
  for (unsigned i = 0; fd < 0 && i < 100; i++) {
    snprintf(tmp, sizeof tmp, "%s.copy-%ld-%u", to, (long)getpid(), i);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) return err_set(e, ERR_IO, "cannot create a file beside %s: %s", to, strerror(errno));
  close(fd);
  store_pg_pull p = {0};
  char schema_read[64] = "";
  int64_t n = 0;
  err_code rc = store_pg_connect(from, &p.pg, e);
  if (rc == ERR_OK) rc = source_begin(p.pg, schema, schema_read, e);
  p.schema = schema_read;
  if (rc == ERR_OK) rc = write_file(&p, tmp, &n, e);
  if (p.pg) {
    PQclear(PQexec(p.pg, "ROLLBACK")); /* a read-only snapshot: nothing to keep */
    PQfinish(p.pg);
  }
  if (rc == ERR_OK && replace && stat(to, &sb) == 0) rc = await_writers(to, target->busy_ms, e);
  if (rc == ERR_OK && replace) { /* an old file's WAL must never be applied to the new one */
    char side[4200];
    for (size_t i = 0; i < sizeof SUFFIXES / sizeof *SUFFIXES; i++) {
      snprintf(side, sizeof side, "%s%s", to, SUFFIXES[i]);
      unlink(side);
    }
  }
  if (rc == ERR_OK && rename(tmp, to) != 0)
    rc = err_set(e, ERR_IO, "cannot rename the copy to %s: %s", to, strerror(errno));
  if (rc != ERR_OK) unlink_with_sidecars(tmp);
  else if (out_n) *out_n = n;
  return rc;
}
