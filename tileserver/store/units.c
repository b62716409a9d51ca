/* units.c — the published counts of aggregate layers (issue 8): one row per unit that passed
 * k-anonymity at import, in `teselas_units`, keyed by layer and version like the layer tables, so
 * a reader sees the units of the version its catalog points at and a pruned version takes its
 * units with it.
 *
 * What it does not do: decide what may be published (privacy/kanon.c does, before anything
 * reaches here) or add counts up (the features API sums the units it streams). Each unit carries
 * its cell's bounding box, so a bbox query selects whole cells without a join. */
#include <sqlite3.h>
#include <string.h>

#include "store/store_int.h"

static const char UNITS_SCHEMA_SQL[] =
    "CREATE TABLE IF NOT EXISTS teselas_units("
    " layer_id TEXT NOT NULL, version INTEGER NOT NULL, level INTEGER NOT NULL,"
    " cell TEXT NOT NULL, category TEXT NOT NULL DEFAULT '', month TEXT NOT NULL DEFAULT '',"
    " count INTEGER NOT NULL, minx REAL NOT NULL, miny REAL NOT NULL, maxx REAL NOT NULL,"
    " maxy REAL NOT NULL);"
    "CREATE INDEX IF NOT EXISTS teselas_units_key"
    " ON teselas_units(layer_id, version, level, cell, category, month);";

static const char INSERT_SQL[] =
    "INSERT INTO teselas_units(layer_id, version, level, cell, category, month, count, minx, miny,"
    " maxx, maxy) VALUES(?,?,?,?,?,?,?,?,?,?,?)";

err_code store_writer_add_units(store_writer *w, const store_unit *units, size_t n_units, err *e) {
  sqlite3 *db = store_writer_db(w);
  err_code rc = store_exec(db, UNITS_SCHEMA_SQL, "units table", e);
  if (rc != ERR_OK) return rc;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, INSERT_SQL, -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "units: %s", sqlite3_errmsg(db));
  for (size_t i = 0; i < n_units && rc == ERR_OK; i++) {
    const store_unit *u = &units[i];
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, store_writer_layer_id(w), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, store_writer_version(w));
    sqlite3_bind_int(st, 3, u->level);
    sqlite3_bind_text(st, 4, u->cell ? u->cell : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, u->category ? u->category : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, u->month ? u->month : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, u->count);
    for (int k = 0; k < 4; k++) sqlite3_bind_double(st, 8 + k, u->bbox[k]);
    if (sqlite3_step(st) != SQLITE_DONE) rc = err_set(e, ERR_DB, "units: %s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  return rc;
}

static bool units_table_exists(sqlite3 *db) {
  sqlite3_stmt *st = NULL;
  bool yes = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND"
                                    " name='teselas_units'", -1, &st, NULL) == SQLITE_OK &&
             sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return yes;
}

err_code store_units_prune(sqlite3 *db, const char *layer_id, int64_t max_version, err *e) {
  if (!units_table_exists(db)) return ERR_OK;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "DELETE FROM teselas_units WHERE layer_id=? AND version<=?", -1, &st,
                         NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "units: %s", sqlite3_errmsg(db));
  sqlite3_bind_text(st, 1, layer_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, max_version);
  err_code rc = sqlite3_step(st) == SQLITE_DONE
                    ? ERR_OK
                    : err_set(e, ERR_DB, "units: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

/* ?5..?8 the bbox: the x test in its two forms (minx > maxx crosses the antimeridian). */
static const char SCAN_SQL[] =
    "SELECT level, cell, category, month, count, minx, miny, maxx, maxy FROM teselas_units"
    " WHERE layer_id=?1 AND version=?2 AND level=?3 AND (?4 = 0 OR (maxy >= ?6 AND miny <= ?8"
    " AND ((?5 <= ?7 AND maxx >= ?5 AND minx <= ?7) OR (?5 > ?7 AND (maxx >= ?5 OR minx <= ?7)))))"
    " ORDER BY cell, category, month";

static err_code scan_rows(sqlite3_stmt *st, store_unit_fn fn, void *ctx, err *e) {
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    store_unit u = {.level = sqlite3_column_int(st, 0),
                    .cell = (const char *)sqlite3_column_text(st, 1),
                    .category = (const char *)sqlite3_column_text(st, 2),
                    .month = (const char *)sqlite3_column_text(st, 3),
                    .count = sqlite3_column_int64(st, 4)};
    for (int k = 0; k < 4; k++) u.bbox[k] = sqlite3_column_double(st, 5 + k);
    if (!u.cell || !u.category || !u.month) return err_set(e, ERR_NOMEM, "out of memory");
    if (fn(ctx, &u)) break;
  }
  err_code rc = step == SQLITE_ROW || step == SQLITE_DONE
                    ? ERR_OK
                    : err_set(e, ERR_DB, "units: %s", sqlite3_errstr(step));
  sqlite3_reset(st);
  return rc;
}

err_code store_units_scan(store_reader *r, const layer_info *l, int level, const double *bbox,
                          store_unit_fn fn, void *ctx, err *e) {
  sqlite3_stmt *has = store_reader_stmt(r, "SELECT 1 FROM sqlite_master WHERE type='table' AND"
                                           " name='teselas_units'", e);
  if (!has) return ERR_DB;
  bool exists = sqlite3_step(has) == SQLITE_ROW;
  sqlite3_reset(has);
  if (!exists) return ERR_OK; /* a database without aggregate layers */
  sqlite3_stmt *st = store_reader_stmt(r, SCAN_SQL, e);
  if (!st) return ERR_DB;
  sqlite3_bind_text(st, 1, l->id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, l->version);
  sqlite3_bind_int(st, 3, level);
  sqlite3_bind_int(st, 4, bbox != NULL);
  for (int k = 0; k < 4; k++) sqlite3_bind_double(st, 5 + k, bbox ? bbox[k] : 0.0);
  return scan_rows(st, fn, ctx, e);
}
