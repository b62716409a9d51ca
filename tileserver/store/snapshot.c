/* snapshot.c — a consistent copy of a database, for an import that must change nothing (an
 * upload's dry run imports into the copy and throws it away). VACUUM INTO writes the copy from
 * one read transaction, so a concurrent import is either wholly in it or not at all, and the
 * copy is compact (no free pages of the original). */
#include <sqlite3.h>
#include <stdio.h>

#include "store/store_int.h"

err_code store_db_copy(const char *db_path, const char *dest, err *e) {
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    err_code rc = err_set(e, ERR_IO, "cannot open database %s: %s", db_path, sqlite3_errmsg(db));
    sqlite3_close(db);
    return rc;
  }
  sqlite3_busy_timeout(db, 30000);
  sqlite3_stmt *st = NULL;
  err_code rc = ERR_OK;
  if (sqlite3_prepare_v2(db, "VACUUM INTO ?", -1, &st, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_DB, "copy of %s: %s", db_path, sqlite3_errmsg(db));
  if (rc == ERR_OK) {
    sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
      rc = err_set(e, ERR_IO, "copy of %s: %s", db_path, sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}
