/* db.c — the schema of the catalog and small SQL helpers used by reader and writer. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store_int.h"

const char *const STORE_SCHEMA_SQL =
    "CREATE TABLE IF NOT EXISTS teselas_layers("
    " id TEXT PRIMARY KEY, title TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '',"
    " geometry_type TEXT NOT NULL DEFAULT '', minx REAL, miny REAL, maxx REAL, maxy REAL,"
    " feature_count INTEGER NOT NULL DEFAULT 0, fields TEXT NOT NULL DEFAULT '[]',"
    " license TEXT NOT NULL DEFAULT '', publisher TEXT NOT NULL DEFAULT '',"
    " frequency TEXT NOT NULL DEFAULT '', keywords TEXT NOT NULL DEFAULT '',"
    " version INTEGER NOT NULL, updated_at TEXT NOT NULL,"
    " source_name TEXT NOT NULL DEFAULT '', source_sha256 TEXT NOT NULL DEFAULT '',"
    " privacy TEXT NOT NULL DEFAULT '{}', report TEXT NOT NULL DEFAULT '{}',"
    " table_name TEXT NOT NULL, date_field TEXT NOT NULL DEFAULT '',"
    " minzoom INTEGER NOT NULL DEFAULT 0, maxzoom INTEGER NOT NULL DEFAULT 16,"
    " sample INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS teselas_history("
    " layer_id TEXT NOT NULL, version INTEGER NOT NULL, imported_at TEXT NOT NULL,"
    " source_name TEXT NOT NULL DEFAULT '', source_sha256 TEXT NOT NULL DEFAULT '',"
    " feature_count INTEGER NOT NULL, report TEXT NOT NULL DEFAULT '{}',"
    " table_name TEXT NOT NULL, PRIMARY KEY(layer_id, version));";

/* SQLITE_FULL: the file's disk, or the disk of SQLite's temporary files (a temporary table, a
 * sort), has no room left. Said in those words, as nothing but more space helps. */
static bool disk_full(sqlite3 *db) {
  return (sqlite3_errcode(db) & 0xff) == SQLITE_FULL ||
         ((sqlite3_errcode(db) & 0xff) == SQLITE_IOERR && sqlite3_system_errno(db) == ENOSPC);
}

err_code store_write_error(sqlite3 *db, const char *what, err *e) {
  if (disk_full(db)) {
    const char *path = sqlite3_db_filename(db, "main");
    return err_set(e, ERR_IO, "%s: no space left on the device of %s or of SQLite's temporary "
                   "files (SQLITE_TMPDIR); nothing was written to the database", what,
                   path && *path ? path : "the database");
  }
  return err_set(e, ERR_DB, "%s: %s", what, sqlite3_errmsg(db));
}

err_code store_exec(sqlite3 *db, const char *sql, const char *what, err *e) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK) return ERR_OK;
  if (disk_full(db)) {
    sqlite3_free(msg);
    return store_write_error(db, what, e);
  }
  err_set(e, ERR_DB, "%s: %s", what, msg ? msg : sqlite3_errmsg(db));
  sqlite3_free(msg);
  return ERR_DB;
}

bool store_path_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

const char STORE_DEADLINE_MSG[] =
    "this request took longer than one request may take (--request-time-ms); ask less (a smaller"
    " box, fewer terms, a lower limit)";

err_code store_read_error(sqlite3 *db, const char *layer_id, const char *what, err *e) {
  int code = sqlite3_errcode(db) & 0xff;
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
    if (layer_id)
      return err_set(e, ERR_UNAVAILABLE, "layer %s cannot be read: its data are damaged (%s);"
                     " `teselas check` names the damage", layer_id, sqlite3_errmsg(db));
    return err_set(e, ERR_UNAVAILABLE, "the database cannot be read: it is damaged (%s);"
                   " `teselas check` names the damage", sqlite3_errmsg(db));
  }
  if (code == SQLITE_INTERRUPT) return err_set(e, ERR_UNAVAILABLE, "%s", STORE_DEADLINE_MSG);
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
    return err_set(e, ERR_UNAVAILABLE, "the database is locked by another program%s%s; try again"
                   " shortly", layer_id ? ": layer " : "", layer_id ? layer_id : "");
  return err_set(e, ERR_DB, "%s: %s", what, sqlite3_errmsg(db));
}

void store_quote_ident(buf *b, const char *name) {
  buf_putc(b, '"');
  for (const char *p = name; *p; p++) {
    if (*p == '"') buf_putc(b, '"');
    buf_putc(b, *p);
  }
  buf_putc(b, '"');
}

const char *store_sql_type(field_type t) {
  switch (t) {
    case FIELD_INTEGER:
    case FIELD_BOOLEAN: return "INTEGER";
    case FIELD_REAL: return "REAL";
    default: return "TEXT";
  }
}

void store_index_name(buf *b, const char *table) {
  buf_puts(b, "\"idx_");
  for (const char *p = table; *p; p++) {
    if (*p == '"') buf_putc(b, '"');
    buf_putc(b, *p);
  }
  buf_puts(b, "_geom\"");
}

bool store_db_is_pg(const char *db) {
  return db && (strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0);
}

bool store_layer_id_valid(const char *id) {
  size_t n = strlen(id);
  if (n == 0 || n > 63 || !(id[0] >= 'a' && id[0] <= 'z')) return false;
  for (size_t i = 0; i < n; i++) {
    char c = id[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

void store_bind_value(sqlite3_stmt *st, int idx, const value *v, bool copy) {
  switch (v->kind) {
    case VALUE_NULL: sqlite3_bind_null(st, idx); break;
    case VALUE_INT:
    case VALUE_BOOL: sqlite3_bind_int64(st, idx, v->i); break;
    case VALUE_REAL: sqlite3_bind_double(st, idx, v->d); break;
    case VALUE_TEXT:
      sqlite3_bind_text(st, idx, v->s, (int)v->len, copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
      break;
  }
}
