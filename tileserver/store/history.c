/* history.c — what `teselas_history` says of a layer's versions, and the two columns that let a
 * version be read back and published again: `catalog`, the catalog entry as the version's commit
 * left it (fields with their types and labels, privacy policy, bounds, zooms, geometry type), and
 * `rollback_of`, the version a rollback copied. A version's table alone cannot say those: its
 * columns keep SQL types (a boolean is an INTEGER, a date TEXT) and the bounds of a privacy
 * layer are rounded to its grid, not the rows' own.
 *
 * Databases written before these columns get them added when a writer opens them; versions
 * published before then have no `catalog` (NULL) and say so. Read-only readers never alter the
 * schema: they check which columns exist and read NULL for the missing ones. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/pg_int.h"

static bool history_has_column(sqlite3 *db, const char *name) {
  sqlite3_stmt *st = NULL;
  bool has = false;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info('teselas_history') WHERE name=?", -1,
                         &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    has = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  return has;
}

err_code store_history_migrate(sqlite3 *db, err *e) {
  err_code rc = ERR_OK;
  if (!history_has_column(db, "catalog"))
    rc = store_exec(db, "ALTER TABLE teselas_history ADD COLUMN catalog TEXT", "history", e);
  if (rc == ERR_OK && !history_has_column(db, "rollback_of"))
    rc = store_exec(db, "ALTER TABLE teselas_history ADD COLUMN rollback_of INTEGER", "history", e);
  return rc;
}

/* The catalog columns a version carries: everything but what names the layer as a whole (title,
 * description, licence, publisher, frequency, keywords stay the layer's when it rolls back). */
/* Bounds as text of 17 significant digits: SQLite's JSON writes a REAL with 15, which moved a
 * rolled-back layer's bounds in the 15th digit. */
#define SNAPSHOT_JSON                                                                        \
  "json_object('geometry_type', geometry_type, 'minx', printf('%!.17g', minx),"            \
  " 'miny', printf('%!.17g', miny), 'maxx', printf('%!.17g', maxx),"                        \
  " 'maxy', printf('%!.17g', maxy), 'feature_count', feature_count, 'fields', json(fields),"\
  " 'source_name', source_name, 'source_sha256', source_sha256, 'privacy', json(privacy),"  \
  " 'date_field', date_field, 'minzoom', minzoom, 'maxzoom', maxzoom, 'sample', sample)"

err_code store_history_snapshot(sqlite3 *db, const char *layer_id, int64_t version, err *e) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "UPDATE teselas_history SET catalog=(SELECT " SNAPSHOT_JSON
                         " FROM teselas_layers WHERE id=?1) WHERE layer_id=?1 AND version=?2",
                         -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "history: %s", sqlite3_errmsg(db));
  sqlite3_bind_text(st, 1, layer_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, version);
  err_code rc = sqlite3_step(st) == SQLITE_DONE
                    ? ERR_OK
                    : err_set(e, ERR_DB, "history: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

static const char SCAN_SQL[] =
    "SELECT version, imported_at, source_name, source_sha256, feature_count, report, table_name,"
    " %s, %s, %s FROM teselas_history WHERE layer_id=?1 AND (?2 < 0 OR version=?2)"
    " ORDER BY version";

/* The review state of a history row, when the database has reviews (review.c). */
static const char REVIEW_SQL[] =
    "coalesce((SELECT r.state FROM teselas_reviews r WHERE r.layer_id=teselas_history.layer_id"
    " AND r.version=teselas_history.version), '')";

static bool has_reviews(sqlite3 *db) {
  sqlite3_stmt *st = NULL;
  bool has = sqlite3_prepare_v2(db, "SELECT 1 FROM teselas_reviews LIMIT 0", -1, &st, NULL) ==
             SQLITE_OK;
  sqlite3_finalize(st);
  return has;
}

static void read_version(sqlite3_stmt *st, store_version *v) {
  const char **strs[] = {&v->imported_at, &v->source_name, &v->source_sha256};
  for (int i = 0; i < 3; i++) {
    const unsigned char *s = sqlite3_column_text(st, 1 + i);
    *strs[i] = s ? (const char *)s : "";
  }
  v->version = sqlite3_column_int64(st, 0);
  v->feature_count = sqlite3_column_int64(st, 4);
  const unsigned char *report = sqlite3_column_text(st, 5);
  v->report = report ? (const char *)report : "{}";
  const unsigned char *table = sqlite3_column_text(st, 6);
  v->table_name = table ? (const char *)table : "";
  v->catalog = (const char *)sqlite3_column_text(st, 7);
  v->rollback_of = sqlite3_column_int64(st, 8);
  /* a removal's row: no table, no rows (an import never commits an empty version) */
  v->removal = !v->table_name[0] && v->feature_count == 0;
  const unsigned char *review = sqlite3_column_text(st, 9);
  v->review = review ? (const char *)review : "";
  if (strcmp(v->review, "pending") == 0) v->table_name = ""; /* not published: not readable */
}

err_code store_versions_scan(store_reader *r, const char *layer_id, int64_t only,
                             store_version_fn fn, void *ctx, err *e) {
  if (store_reader_pg(r))
    return store_pg_versions_scan(store_reader_pg(r), layer_id, only, fn, ctx, e);
  sqlite3 *db = store_reader_db(r);
  char sql[1024];
  snprintf(sql, sizeof sql, SCAN_SQL,
           history_has_column(db, "catalog") ? "catalog" : "NULL",
           history_has_column(db, "rollback_of") ? "rollback_of" : "0",
           has_reviews(db) ? REVIEW_SQL : "''");
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "history: %s", sqlite3_errmsg(db));
  sqlite3_bind_text(st, 1, layer_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, only);
  int step, n = 0;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    store_version v;
    read_version(st, &v);
    n++;
    if (fn(ctx, &v)) {
      step = SQLITE_DONE;
      break;
    }
  }
  err_code rc = step == SQLITE_DONE ? ERR_OK
                                    : err_set(e, ERR_DB, "history: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  if (rc == ERR_OK && n == 0)
    /* The message goes to HTTP clients too: it names neither, so no error echoes a request. */
    rc = only < 0 ? err_set(e, ERR_NOT_FOUND, "no layer of that id in the history")
                  : err_set(e, ERR_NOT_FOUND, "the layer has no version of that number");
  return rc;
}
