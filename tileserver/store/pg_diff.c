/* pg_diff.c — a version table of PostgreSQL read for a diff (diff_scan.c): pulled into a private
 * temporary SpatiaLite database (SQLite's "" file: on disk, gone at close), where the diff runs
 * the same SQL as on a file. The same rows, the same geometry blobs (pg_pull.c) and so the same
 * hashes and order: a diff over PostgreSQL answers as over the file it was copied from.
 *
 * Why not hash in PostgreSQL: the diff hashes SQLite's text of each value and SpatiaLite's blob
 * of each geometry, and orders by those hashes; PostgreSQL writes 1.0 as "1" and has no such
 * blob, so a twin would differ in exactly the cases a diff exists to show. The cost is a copy of
 * the two versions compared, once per diff (the ranked lines are not copied: a diff never reads
 * them); SQLite's sorter spills to temporary files, so memory stays bounded. */
#include <stdio.h>
#include <string.h>

#include "store/pg_int.h"


void store_pg_diff_db_close(sqlite3 *db, void *spl) {
  if (db) sqlite3_close(db);
  if (spl) store_spl_detach(spl);
}

err_code store_pg_diff_db(store_pg *p, const char *table, sqlite3 **out_db, void **out_spl,
                          err *e) {
  *out_db = NULL;
  *out_spl = NULL;
  if (!p->conn || p->busy)
    return err_set(e, ERR_IO, "the PostgreSQL connection is not available for a diff");
  if (sqlite3_open_v2("", out_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    return err_set(e, ERR_IO, "cannot open a temporary database for the diff");
  sqlite3 *db = *out_db;
  err_code src = store_spl_attach(db, out_spl, e);
  if (src != ERR_OK) return src;
  sqlite3_create_function_v2(db, "teselas_diff_hash", -1,
                             SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                             store_sql_diff_hash, NULL, NULL, NULL);
  char schema[64] = "";
  err_code rc = store_pg_search_schema(p->conn, schema, e);
  store_pg_pull pull = {.pg = p->conn, .schema = schema, .db = db, .no_lines = true};
  if (rc == ERR_OK) rc = store_exec(db, "BEGIN", "diff copy", e);
  if (rc == ERR_OK) rc = store_pg_pull_version(&pull, table, table, e);
  if (rc == ERR_OK) rc = store_exec(db, "COMMIT", "diff copy", e);
  if (rc != ERR_OK) {
    store_pg_diff_db_close(*out_db, *out_spl);
    *out_db = NULL;
    *out_spl = NULL;
  }
  return rc;
}
