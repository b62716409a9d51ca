/* store_int.h — helpers shared by the store's files; not part of its interface. */
#ifndef TESELAS_STORE_INT_H
#define TESELAS_STORE_INT_H

#include <sqlite3.h>

#include "core/buf.h"
#include "store/store.h"

/* SQL of the catalog tables (idempotent). */
extern const char *const STORE_SCHEMA_SQL;

/* Runs SQL without results; on failure fills e with the SQLite message and `what`. */
err_code store_exec(sqlite3 *db, const char *sql, const char *what, err *e);
/* Appends "name" with embedded quotes doubled: an SQL identifier that is always safe. */
void store_quote_ident(buf *b, const char *name);
/* SQL column type for a field type. */
const char *store_sql_type(field_type t);
/* Name of the R*Tree that SpatiaLite keeps for table's geometry column. */
void store_index_name(buf *b, const char *table);

/* Loads the whole catalog (caller owns; catalog_destroy). */
err_code store_catalog_load(sqlite3 *db, catalog **out, err *e);

#endif
