/* profile.c — what the data of a version says about how to draw it, measured at import: the
 * distinct values of a field with their counts, the quantiles of a numeric field, the dominant
 * geometry type; and where the resulting style description is kept.
 *
 * Everything is read from the writer's staging table before commit, so the numbers describe
 * exactly the rows that are published. The description is stored in `teselas_styles`, keyed by
 * layer and version like the layer tables, in the import's transaction (an aborted import leaves
 * none). A database written before this table existed simply has no descriptions: readers then
 * see "{}" and draw a single colour.
 *
 * Cost: one GROUP BY per candidate field and one sort per quantile (SQLite's temporary b-trees,
 * bounded memory). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

const char STORE_STYLES_SCHEMA_SQL[] =
    "CREATE TABLE IF NOT EXISTS teselas_styles("
    " layer_id TEXT NOT NULL, version INTEGER NOT NULL, style TEXT NOT NULL,"
    " PRIMARY KEY(layer_id, version))";

static sqlite3_stmt *prepare(sqlite3 *db, buf *sql, const char *what, err *e) {
  sqlite3_stmt *st = NULL;
  int rc = sql->failed ? SQLITE_NOMEM : sqlite3_prepare_v2(db, buf_cstr(sql), -1, &st, NULL);
  buf_free(sql);
  if (rc != SQLITE_OK) {
    err_set(e, ERR_DB, "%s: %s", what, sqlite3_errmsg(db));
    return NULL;
  }
  return st;
}

static value column_value(sqlite3_stmt *st, int col) {
  value v = {.kind = VALUE_NULL};
  switch (sqlite3_column_type(st, col)) {
    case SQLITE_INTEGER: v.kind = VALUE_INT, v.i = sqlite3_column_int64(st, col); break;
    case SQLITE_FLOAT: v.kind = VALUE_REAL, v.d = sqlite3_column_double(st, col); break;
    case SQLITE_TEXT:
      v.kind = VALUE_TEXT;
      v.s = (const char *)sqlite3_column_text(st, col);
      v.len = (size_t)sqlite3_column_bytes(st, col);
      break;
    default: break;
  }
  return v;
}

static err_code count_filled(sqlite3 *db, const char *field, int64_t *out, err *e) {
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "SELECT count(");
  store_quote_ident(&sql, field);
  buf_puts(&sql, ") FROM " STORE_STAGE_TABLE);
  sqlite3_stmt *st = prepare(db, &sql, "value counts", e);
  if (!st) return ERR_DB;
  *out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return ERR_OK;
}

err_code store_writer_filled(store_writer *w, const char *field, int64_t *out_filled, err *e) {
  return count_filled(store_writer_db(w), field, out_filled, e);
}

err_code store_writer_value_counts(store_writer *w, const char *field, size_t max,
                                   store_count_fn fn, void *ctx, size_t *out_distinct,
                                   int64_t *out_filled, err *e) {
  sqlite3 *db = store_writer_db(w);
  if (count_filled(db, field, out_filled, e) != ERR_OK) return ERR_DB;
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "SELECT ");
  store_quote_ident(&sql, field);
  buf_puts(&sql, " AS v, count(*) AS n FROM " STORE_STAGE_TABLE " WHERE v IS NOT NULL"
                 " GROUP BY v ORDER BY n DESC, v LIMIT ?");
  sqlite3_stmt *st = prepare(db, &sql, "value counts", e);
  if (!st) return ERR_DB;
  sqlite3_bind_int64(st, 1, (sqlite3_int64)max + 1);
  size_t n = 0;
  int step;
  bool stopped = false;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    n++;
    if (n > max || stopped) continue;
    value v = column_value(st, 0);
    stopped = fn(ctx, &v, sqlite3_column_int64(st, 1)) != 0;
  }
  err_code rc = step == SQLITE_DONE ? ERR_OK
                                    : err_set(e, ERR_DB, "value counts: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  *out_distinct = n;
  return rc;
}

err_code store_writer_quantiles(store_writer *w, const char *field, size_t n_ranks, double *out,
                                int64_t *out_n, err *e) {
  sqlite3 *db = store_writer_db(w);
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "SELECT count(*) FROM " STORE_STAGE_TABLE " WHERE typeof(");
  store_quote_ident(&sql, field);
  buf_puts(&sql, ") IN ('integer','real')");
  sqlite3_stmt *st = prepare(db, &sql, "quantiles", e);
  if (!st) return ERR_DB;
  int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  *out_n = n;
  if (n == 0) return ERR_OK;
  buf_init(&sql, 0);
  buf_puts(&sql, "SELECT v FROM (SELECT ");
  store_quote_ident(&sql, field);
  buf_puts(&sql, " AS v FROM " STORE_STAGE_TABLE " WHERE typeof(v) IN ('integer','real'))"
                 " ORDER BY v LIMIT 1 OFFSET ?");
  if (!(st = prepare(db, &sql, "quantiles", e))) return ERR_DB;
  err_code rc = ERR_OK;
  for (size_t i = 0; i <= n_ranks && rc == ERR_OK; i++) {
    int64_t pos = i == n_ranks ? n - 1 : (int64_t)i * n / (int64_t)n_ranks;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, pos);
    if (sqlite3_step(st) != SQLITE_ROW)
      rc = err_set(e, ERR_DB, "quantiles: %s", sqlite3_errmsg(db));
    else
      out[i] = sqlite3_column_double(st, 0);
  }
  sqlite3_finalize(st);
  return rc;
}

err_code store_writer_geometry_type(store_writer *w, char out[16], int64_t *out_count, err *e) {
  sqlite3 *db = store_writer_db(w);
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "SELECT GeometryType(geom) AS t, count(*) AS n, (SELECT count(*) FROM "
                 STORE_STAGE_TABLE ") FROM " STORE_STAGE_TABLE " GROUP BY t ORDER BY n DESC"
                 " LIMIT 1");
  sqlite3_stmt *st = prepare(db, &sql, "geometry type", e);
  if (!st) return ERR_DB;
  const char *t = NULL;
  *out_count = 0;
  if (sqlite3_step(st) == SQLITE_ROW) {
    t = (const char *)sqlite3_column_text(st, 0);
    *out_count = sqlite3_column_int64(st, 2);
  }
  const char *name = "Geometry";
  if (t && strstr(t, "POINT")) name = "Point";
  else if (t && strstr(t, "LINESTRING")) name = "LineString";
  else if (t && strstr(t, "POLYGON")) name = "Polygon";
  strcpy(out, name);
  sqlite3_finalize(st);
  return ERR_OK;
}

err_code store_writer_set_style(store_writer *w, const char *json, err *e) {
  sqlite3 *db = store_writer_db(w);
  err_code rc = store_exec(db, STORE_STYLES_SCHEMA_SQL, "styles table", e);
  if (rc != ERR_OK) return rc;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO teselas_styles(layer_id, version, style)"
                             " VALUES(?,?,?)", -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "style: %s", sqlite3_errmsg(db));
  sqlite3_bind_text(st, 1, store_writer_layer_id(w), -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, store_writer_version(w));
  sqlite3_bind_text(st, 3, json, -1, SQLITE_STATIC);
  rc = sqlite3_step(st) == SQLITE_DONE ? ERR_OK
                                       : err_set(e, ERR_DB, "style: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

static bool styles_table_exists(sqlite3 *db) {
  sqlite3_stmt *st = NULL;
  bool yes = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND"
                                    " name='teselas_styles'", -1, &st, NULL) == SQLITE_OK &&
             sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return yes;
}

err_code store_catalog_load_styles(sqlite3 *db, catalog *c, err *e) {
  sqlite3_stmt *st = NULL;
  bool have = styles_table_exists(db);
  if (have && sqlite3_prepare_v2(db, "SELECT style FROM teselas_styles WHERE layer_id=? AND"
                                     " version=?", -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "catalog styles: %s", sqlite3_errmsg(db));
  for (size_t i = 0; i < c->n_layers; i++) {
    layer_info *l = &c->layers[i];
    const char *text = NULL;
    if (st) {
      sqlite3_reset(st);
      sqlite3_bind_text(st, 1, l->id, -1, SQLITE_STATIC);
      sqlite3_bind_int64(st, 2, l->version);
      if (sqlite3_step(st) == SQLITE_ROW) text = (const char *)sqlite3_column_text(st, 0);
    }
    l->style = strdup(text ? text : "{}");
    if (!l->style) {
      sqlite3_finalize(st);
      return err_set(e, ERR_NOMEM, "out of memory reading the catalog");
    }
  }
  sqlite3_finalize(st);
  return ERR_OK;
}
