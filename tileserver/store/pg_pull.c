/* pg_pull.c — PostgreSQL tables back into SpatiaLite: the catalogue tables and version tables
 * of a schema, as the SpatiaLite code wrote them. The writes over PostgreSQL (pg_write.c) pull
 * the catalogue into their private file, and a rollback the version it publishes again; `teselas
 * copy` to a file (pg_file.c) pulls everything.
 *
 * Values cross in PostgreSQL's text form (numbers: bigint and 17-digit doubles, exact; bytea as
 * hex), geometries as WKB that SpatiaLite turns into its own blob; a version table loses the
 * R*Tree's columns (teselas_ord, teselas_x/ymin/max): the SpatiaLite side builds its packed tree
 * again from the rows in teselas_row order, which gives the same tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"

static const char *sqlite_type(const char *pg_type) {
  if (strstr(pg_type, "int")) return "INTEGER";
  if (strstr(pg_type, "double") || strstr(pg_type, "real") || strstr(pg_type, "numeric"))
    return "REAL";
  if (strstr(pg_type, "bytea")) return "BLOB";
  return "TEXT";
}

static int hexval(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c - 'A' + 10;
}

/* Binds PostgreSQL's text form of a value of type pg_type to parameter k. */
static void bind_text_value(sqlite3_stmt *st, int k, const char *pg_type, const char *s,
                            buf *tmp) {
  const char *t = sqlite_type(pg_type);
  if (strcmp(t, "INTEGER") == 0) sqlite3_bind_int64(st, k, strtoll(s, NULL, 10));
  else if (strcmp(t, "REAL") == 0) sqlite3_bind_double(st, k, strtod(s, NULL));
  else if (strcmp(t, "BLOB") == 0 && s[0] == '\\' && s[1] == 'x') {
    buf_reset(tmp);
    for (const char *p = s + 2; p[0] && p[1]; p += 2)
      buf_putc(tmp, (char)(hexval(p[0]) << 4 | hexval(p[1])));
    sqlite3_bind_blob(st, k, tmp->data, (int)tmp->len, SQLITE_TRANSIENT);
  } else sqlite3_bind_text(st, k, s, -1, SQLITE_TRANSIENT);
}

/* The columns PostgreSQL's table and the file's dest both have, with PostgreSQL's types; dest is
 * created in the file (columns only) when the file has no such table. */
static err_code shared_columns(const store_pg_pull *p, const char *table, const char *dest,
                               PGresult **cols, err *e) {
  sqlite3 *db = p->db;
  const char *v[2] = {p->schema, table};
  *cols = PQexecParams(p->pg, "SELECT column_name, data_type FROM information_schema.columns"
                              " WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
                       2, NULL, v, NULL, NULL, 0);
  if (PQresultStatus(*cols) != PGRES_TUPLES_OK) return store_pg_result_error(*cols, table, e);
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "CREATE TABLE IF NOT EXISTS ");
  store_quote_ident(&sql, dest);
  for (int i = 0; i < PQntuples(*cols); i++) {
    buf_puts(&sql, i ? ", " : "(");
    store_quote_ident(&sql, PQgetvalue(*cols, i, 0));
    buf_printf(&sql, " %s", sqlite_type(PQgetvalue(*cols, i, 1)));
    if (strcmp(PQgetvalue(*cols, i, 0), "teselas_row") == 0) buf_puts(&sql, " PRIMARY KEY");
  }
  buf_puts(&sql, ")");
  err_code rc = sql.failed ? err_set(e, ERR_NOMEM, "out of memory")
                           : store_exec(db, buf_cstr(&sql), table, e);
  buf_free(&sql);
  return rc;
}

bool store_sqlite_has_column(sqlite3 *db, const char *table, const char *col) {
  sqlite3_stmt *st = NULL;
  bool has = sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1,
                                &st, NULL) == SQLITE_OK;
  if (has) {
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
    has = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  return has;
}

err_code store_pg_pull_table(const store_pg_pull *p, const char *table, const char *dest, err *e) {
  sqlite3 *db = p->db;
  PGresult *cols = NULL, *rows = NULL;
  err_code rc = shared_columns(p, table, dest, &cols, e);
  buf sel, ins, tmp;
  buf_init(&sel, 0);
  buf_init(&ins, 0);
  buf_init(&tmp, 0);
  int n = 0, map[512];
  for (int i = 0; rc == ERR_OK && i < PQntuples(cols) && n < 512; i++) {
    const char *name = PQgetvalue(cols, i, 0);
    if (!store_sqlite_has_column(db, dest, name)) continue;
    buf_puts(&sel, n ? ", " : "SELECT ");
    buf_puts(&ins, n ? ", " : "(");
    store_quote_ident(&sel, name);
    store_quote_ident(&ins, name);
    map[n++] = i;
  }
  if (rc == ERR_OK && n == 0) goto done;
  buf_puts(&sel, " FROM ");
  store_quote_ident(&sel, table);
  buf_puts(&ins, ") VALUES(");
  for (int i = 0; i < n; i++) buf_puts(&ins, i ? ", ?" : "?");
  buf_puts(&ins, ")");
  if (rc == ERR_OK && (sel.failed || ins.failed)) rc = err_set(e, ERR_NOMEM, "out of memory");
  if (rc == ERR_OK) {
    rows = PQexec(p->pg, buf_cstr(&sel));
    if (PQresultStatus(rows) != PGRES_TUPLES_OK) rc = store_pg_result_error(rows, table, e);
  }
  buf head;
  buf_init(&head, 0);
  buf_puts(&head, "INSERT OR REPLACE INTO ");
  store_quote_ident(&head, dest);
  buf_puts(&head, buf_cstr(&ins));
  sqlite3_stmt *st = NULL;
  if (rc == ERR_OK && sqlite3_prepare_v2(db, buf_cstr(&head), -1, &st, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_DB, "%s: %s", table, sqlite3_errmsg(db));
  buf_free(&head);
  for (int r = 0; rc == ERR_OK && r < PQntuples(rows); r++) {
    sqlite3_reset(st);
    for (int k = 0; k < n; k++) {
      if (PQgetisnull(rows, r, k)) sqlite3_bind_null(st, k + 1);
      else bind_text_value(st, k + 1, PQgetvalue(cols, map[k], 1), PQgetvalue(rows, r, k), &tmp);
    }
    if (sqlite3_step(st) != SQLITE_DONE)
      rc = err_set(e, ERR_DB, "%s: %s", table, sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
done:
  PQclear(cols);
  PQclear(rows);
  buf_free(&sel);
  buf_free(&ins);
  buf_free(&tmp);
  return rc;
}

/* A version table (for a rollback, a diff, a copy to a file) as SpatiaLite had it: teselas_row
 * the rowid, geometries as SpatiaLite blobs (through WKB), without the R*Tree's columns (the
 * rollback's copy builds the tree from the rows in teselas_row order, as on SpatiaLite); its
 * ranked lines too unless p->no_lines. The rows come in one result: memory grows with the
 * table (a cursor would bound it). */
err_code store_pg_pull_version(const store_pg_pull *p, const char *table, const char *dest,
                               err *e) {
  sqlite3 *db = p->db;
  const char *v[2] = {p->schema, table};
  PGresult *cols = PQexecParams(p->pg, "SELECT column_name, data_type, udt_name = 'geometry'"
                                " FROM information_schema.columns WHERE table_schema = $1 AND"
                                " table_name = $2 AND column_name NOT IN ('teselas_ord',"
                                " 'teselas_xmin', 'teselas_xmax', 'teselas_ymin', 'teselas_ymax')"
                                " AND column_name NOT LIKE 'teselas\\_g%'"   /* ranked lines' copies */
                                " ORDER BY ordinal_position", 2, NULL, v, NULL, NULL, 0);
  err_code rc = PQresultStatus(cols) == PGRES_TUPLES_OK ? ERR_OK
                                                         : store_pg_result_error(cols, table, e);
  int n = rc == ERR_OK ? PQntuples(cols) : 0;
  buf create, sel, ins, tmp;
  buf_init(&create, 0);
  buf_init(&sel, 0);
  buf_init(&ins, 0);
  buf_init(&tmp, 0);
  buf_puts(&create, "CREATE TABLE ");
  store_quote_ident(&create, dest);
  buf_puts(&ins, "INSERT INTO ");
  store_quote_ident(&ins, dest);
  buf_puts(&ins, " VALUES(");
  for (int i = 0; i < n; i++) {
    const char *name = PQgetvalue(cols, i, 0);
    bool geo = strcmp(PQgetvalue(cols, i, 2), "t") == 0;
    buf_puts(&create, i ? ", " : "(");
    store_quote_ident(&create, name);
    buf_puts(&create, strcmp(name, "teselas_row") == 0 ? " INTEGER PRIMARY KEY"
                      : geo ? " BLOB" : strcmp(sqlite_type(PQgetvalue(cols, i, 1)), "INTEGER") == 0
                      ? " INTEGER" : strcmp(sqlite_type(PQgetvalue(cols, i, 1)), "REAL") == 0
                      ? " REAL" : " TEXT");
    buf_puts(&sel, i ? ", " : "SELECT ");
    if (geo) buf_puts(&sel, "ST_AsBinary(");
    store_quote_ident(&sel, name);
    if (geo) buf_puts(&sel, ")");
    buf_puts(&ins, i ? ", " : "");
    buf_puts(&ins, geo ? "GeomFromWKB(?, 4326)" : "?");
  }
  buf_puts(&create, ")");
  buf_puts(&sel, " FROM ");
  store_quote_ident(&sel, table);
  buf_puts(&sel, " ORDER BY teselas_row");
  buf_puts(&ins, ")");
  if (rc == ERR_OK && (create.failed || sel.failed || ins.failed))
    rc = err_set(e, ERR_NOMEM, "out of memory");
  if (rc == ERR_OK && n == 0) rc = err_set(e, ERR_NOT_FOUND, "table %s is not in PostgreSQL", table);
  if (rc == ERR_OK) rc = store_exec(db, buf_cstr(&create), table, e);
  PGresult *rows = NULL;
  if (rc == ERR_OK) {
    rows = PQexec(p->pg, buf_cstr(&sel));
    if (PQresultStatus(rows) != PGRES_TUPLES_OK) rc = store_pg_result_error(rows, table, e);
  }
  sqlite3_stmt *st = NULL;
  if (rc == ERR_OK && sqlite3_prepare_v2(db, buf_cstr(&ins), -1, &st, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_DB, "%s: %s", table, sqlite3_errmsg(db));
  for (int r = 0; rc == ERR_OK && r < PQntuples(rows); r++) {
    sqlite3_reset(st);
    for (int k = 0; k < n; k++) {
      bool geo = strcmp(PQgetvalue(cols, k, 2), "t") == 0;
      if (PQgetisnull(rows, r, k)) sqlite3_bind_null(st, k + 1);
      else bind_text_value(st, k + 1, geo ? "bytea" : PQgetvalue(cols, k, 1),
                           PQgetvalue(rows, r, k), &tmp);
    }
    if (sqlite3_step(st) != SQLITE_DONE)
      rc = err_set(e, ERR_DB, "%s: %s", table, sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  PQclear(rows);
  PQclear(cols);
  buf_free(&create);
  buf_free(&sel);
  buf_free(&ins);
  buf_free(&tmp);
  if (rc != ERR_OK) return rc;
  /* the ranked lines, when the version has them: teselas_row is their key too */
  buf lines, dest_lines;
  buf_init(&lines, 0);
  buf_init(&dest_lines, 0);
  buf_printf(&lines, "%s_tile_lines", table);
  buf_printf(&dest_lines, "%s_tile_lines", dest);
  const char *lv[1] = {buf_cstr(&lines)};
  PGresult *has = PQexecParams(p->pg, "SELECT to_regclass(quote_ident($1)) IS NOT NULL", 1, NULL,
                               lv, NULL, NULL, 0);
  bool exists = !p->no_lines && PQresultStatus(has) == PGRES_TUPLES_OK &&
                strcmp(PQgetvalue(has, 0, 0), "t") == 0;
  PQclear(has);
  if (exists) rc = store_pg_pull_table(p, buf_cstr(&lines), buf_cstr(&dest_lines), e);
  buf_free(&lines);
  buf_free(&dest_lines);
  return rc;
}
