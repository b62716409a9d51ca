/* deliveries.c — the history of each published layer's versions as the update calendar reads it:
 * the last few versions per layer, with their times and quality reports, in one query over the
 * reader's connection (the server's report and `teselas report` alike).
 *
 * A removed layer is no longer in the catalog, so its versions are left out; a layer published
 * again after a removal starts after the removal's row, which is left out too (it is no
 * delivery). Purged versions stay: their time is still a delivery, their figures are gone. */
#include <sqlite3.h>

#include "store/pg_int.h"

static const char DELIVERIES_SQL[] =
    "SELECT layer_id, version, imported_at, feature_count, report FROM ("
    " SELECT h.layer_id, h.version, h.imported_at, h.feature_count, h.report,"
    "  row_number() OVER (PARTITION BY h.layer_id ORDER BY h.version DESC) AS k"
    " FROM teselas_history h JOIN teselas_layers l ON l.id = h.layer_id"
    " WHERE h.version <= l.version"
    "  AND coalesce(json_extract(CASE WHEN json_valid(h.report) THEN h.report END, '$.status'),"
    "   '') <> 'removed')"
    " WHERE k <= ?1 ORDER BY layer_id, version DESC";

static const char *text_col(sqlite3_stmt *st, int col, const char *dflt) {
  const unsigned char *s = sqlite3_column_text(st, col);
  return s ? (const char *)s : dflt;
}

err_code store_deliveries_scan(store_reader *r, size_t per_layer, store_delivery_fn fn, void *ctx,
                               err *e) {
  if (store_reader_pg(r))
    return store_pg_deliveries_scan(store_reader_pg(r), per_layer, fn, ctx, e);
  sqlite3_stmt *st = store_reader_stmt(r, DELIVERIES_SQL, e);
  if (!st) return ERR_DB;
  sqlite3_bind_int64(st, 1, (sqlite3_int64)per_layer);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    store_delivery d = {.layer_id = text_col(st, 0, ""),
                        .version = sqlite3_column_int64(st, 1),
                        .imported_at = text_col(st, 2, ""),
                        .feature_count = sqlite3_column_int64(st, 3),
                        .report = text_col(st, 4, "{}")};
    if (fn(ctx, &d)) {
      step = SQLITE_DONE;
      break;
    }
  }
  err_code rc = ERR_OK;
  if (step != SQLITE_DONE)
    rc = err_set(e, ERR_DB, "history: %s", sqlite3_errmsg(sqlite3_db_handle(st)));
  sqlite3_reset(st);
  return rc;
}
