/* agg.c — the counts of aggregate layers: the nodes of each version's hierarchy (cells, blocks
 * of cells, the root) in `teselas_agg_nodes`, and their units in `teselas_agg_units`, keyed by
 * layer and version like the layer tables, so a reader sees the counts of the version its
 * catalog points at and a pruned version takes its counts with it.
 *
 * What it does not do: decide what may be published (privacy/kanon.c does; a withheld unit
 * arrives here without its count, stored as NULL), choose the nodes that answer a box or add
 * counts up (features/privacy.c). Each node row carries its parent's box, so the cover of a box
 * is decided from one scan of the nodes without a join (4,000 rows for CDMX on a 500 m grid). */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/pg_int.h"

const char STORE_AGG_SCHEMA_SQL[] =
    "CREATE TABLE IF NOT EXISTS teselas_agg_nodes("
    " layer_id TEXT NOT NULL, version INTEGER NOT NULL, node TEXT NOT NULL, tier INTEGER NOT NULL,"
    " minx REAL NOT NULL, miny REAL NOT NULL, maxx REAL NOT NULL, maxy REAL NOT NULL,"
    " pminx REAL, pminy REAL, pmaxx REAL, pmaxy REAL,"
    " PRIMARY KEY(layer_id, version, node));"
    "CREATE TABLE IF NOT EXISTS teselas_agg_units("
    " layer_id TEXT NOT NULL, version INTEGER NOT NULL, node TEXT NOT NULL, level INTEGER NOT NULL,"
    " category TEXT NOT NULL DEFAULT '', month TEXT NOT NULL DEFAULT '', count INTEGER);"
    "CREATE INDEX IF NOT EXISTS teselas_agg_units_key"
    " ON teselas_agg_units(layer_id, version, node, level, category, month);";

static const char NODE_SQL[] =
    "INSERT INTO teselas_agg_nodes(layer_id, version, node, tier, minx, miny, maxx, maxy, pminx,"
    " pminy, pmaxx, pmaxy) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)";
static const char UNIT_SQL[] =
    "INSERT INTO teselas_agg_units(layer_id, version, node, level, category, month, count)"
    " VALUES(?,?,?,?,?,?,?)";

static long parent_of(const store_agg_node *nodes, size_t n, const char *parent) {
  for (size_t i = n; parent && i-- > 0;) /* parents come after their children: search back */
    if (strcmp(nodes[i].node, parent) == 0) return (long)i;
  return -1;
}

static err_code put_nodes(store_writer *w, sqlite3_stmt *st, const store_agg_node *nodes,
                          size_t n, err *e) {
  sqlite3 *db = store_writer_db(w);
  for (size_t i = 0; i < n; i++) {
    const store_agg_node *nd = &nodes[i];
    long p = parent_of(nodes, n, nd->parent);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_text(st, 1, store_writer_layer_id(w), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, store_writer_version(w));
    sqlite3_bind_text(st, 3, nd->node, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, nd->tier);
    for (int k = 0; k < 4; k++) sqlite3_bind_double(st, 5 + k, nd->bbox[k]);
    for (int k = 0; k < 4 && p >= 0; k++) sqlite3_bind_double(st, 9 + k, nodes[p].bbox[k]);
    if (sqlite3_step(st) != SQLITE_DONE) return err_set(e, ERR_DB, "agg: %s", sqlite3_errmsg(db));
  }
  return ERR_OK;
}

static err_code put_units(store_writer *w, sqlite3_stmt *st, const store_agg_unit *units,
                          size_t n, err *e) {
  sqlite3 *db = store_writer_db(w);
  for (size_t i = 0; i < n; i++) {
    const store_agg_unit *u = &units[i];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_text(st, 1, store_writer_layer_id(w), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, store_writer_version(w));
    sqlite3_bind_text(st, 3, u->node, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, u->level);
    sqlite3_bind_text(st, 5, u->category ? u->category : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, u->month ? u->month : "", -1, SQLITE_STATIC);
    if (u->published) sqlite3_bind_int64(st, 7, u->count); /* withheld: NULL, never the count */
    if (sqlite3_step(st) != SQLITE_DONE) return err_set(e, ERR_DB, "agg: %s", sqlite3_errmsg(db));
  }
  return ERR_OK;
}

err_code store_writer_add_agg(store_writer *w, const store_agg_node *nodes, size_t n_nodes,
                              const store_agg_unit *units, size_t n_units, err *e) {
  sqlite3 *db = store_writer_db(w);
  err_code rc = store_exec(db, STORE_AGG_SCHEMA_SQL, "aggregate tables", e);
  if (rc != ERR_OK) return rc;
  sqlite3_stmt *sn = NULL, *su = NULL;
  if (sqlite3_prepare_v2(db, NODE_SQL, -1, &sn, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, UNIT_SQL, -1, &su, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_DB, "agg: %s", sqlite3_errmsg(db));
  if (rc == ERR_OK) rc = put_nodes(w, sn, nodes, n_nodes, e);
  if (rc == ERR_OK) rc = put_units(w, su, units, n_units, e);
  sqlite3_finalize(sn);
  sqlite3_finalize(su);
  return rc;
}

static bool table_exists(sqlite3 *db, const char *name) {
  sqlite3_stmt *st = NULL;
  bool yes = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                                -1, &st, NULL) == SQLITE_OK &&
             sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) == SQLITE_OK &&
             sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return yes;
}

/* The tables of earlier builds (teselas_units) are pruned too, so their rows do not outlive
 * their versions. */
err_code store_units_prune(sqlite3 *db, const char *layer_id, int64_t max_version, err *e) {
  static const char *const TABLES[] = {"teselas_units", "teselas_agg_nodes", "teselas_agg_units"};
  for (size_t t = 0; t < sizeof TABLES / sizeof *TABLES; t++) {
    if (!table_exists(db, TABLES[t])) continue;
    char sql[96];
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE layer_id=? AND version<=?", TABLES[t]);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
      return err_set(e, ERR_DB, "agg: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, layer_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, max_version);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE) return err_set(e, ERR_DB, "agg: %s", sqlite3_errmsg(db));
  }
  return ERR_OK;
}

/* Does the reader's database have the aggregate tables? (Not the case without aggregate layers.) */
static err_code has_tables(store_reader *r, bool *out, err *e) {
  sqlite3_stmt *st = store_reader_stmt(r, "SELECT 1 FROM sqlite_master WHERE type='table' AND"
                                          " name='teselas_agg_units'", e);
  if (!st) return ERR_DB;
  *out = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_reset(st);
  return ERR_OK;
}

/* ?4 = 0: the root only; else ?5..?8 the bbox, the x test in its two forms. */
static const char NODES_SQL[] =
    "SELECT node, tier, minx, miny, maxx, maxy, pminx, pminy, pmaxx, pmaxy FROM teselas_agg_nodes"
    " WHERE layer_id=?1 AND version=?2 AND (CASE WHEN ?4 = 0 THEN pminx IS NULL ELSE"
    " (maxy >= ?6 AND miny <= ?8 AND ((?5 <= ?7 AND maxx >= ?5 AND minx <= ?7) OR"
    " (?5 > ?7 AND (maxx >= ?5 OR minx <= ?7)))) END)";

err_code store_agg_nodes_scan(store_reader *r, const layer_info *l, const double *bbox,
                              store_agg_node_fn fn, void *ctx, err *e) {
  if (store_reader_pg(r)) return store_pg_agg_nodes_scan(store_reader_pg(r), l, bbox, fn, ctx, e);
  bool exists = false;
  if (has_tables(r, &exists, e) != ERR_OK) return ERR_DB;
  if (!exists) return ERR_OK;
  sqlite3_stmt *st = store_reader_stmt(r, NODES_SQL, e);
  if (!st) return ERR_DB;
  sqlite3_bind_text(st, 1, l->id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, l->version);
  sqlite3_bind_int(st, 4, bbox != NULL);
  for (int k = 0; k < 4; k++) sqlite3_bind_double(st, 5 + k, bbox ? bbox[k] : 0.0);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    store_agg_node_row n = {.node = (const char *)sqlite3_column_text(st, 0),
                            .tier = sqlite3_column_int(st, 1),
                            .has_parent = sqlite3_column_type(st, 6) != SQLITE_NULL};
    for (int k = 0; k < 4; k++) {
      n.bbox[k] = sqlite3_column_double(st, 2 + k);
      n.parent_bbox[k] = sqlite3_column_double(st, 6 + k);
    }
    if (!n.node) return sqlite3_reset(st), err_set(e, ERR_NOMEM, "out of memory");
    if (fn(ctx, &n)) break;
  }
  err_code rc = step == SQLITE_ROW || step == SQLITE_DONE
                    ? ERR_OK
                    : err_set(e, ERR_DB, "agg: %s", sqlite3_errstr(step));
  sqlite3_reset(st);
  return rc;
}

static const char UNITS_SQL[] =
    "SELECT level, category, month, count FROM teselas_agg_units WHERE layer_id=?1 AND"
    " version=?2 AND node=?3 AND level IN (?4, ?5) AND (?6 IS NULL OR category=?6)"
    " ORDER BY level, category, month";

err_code store_agg_units_scan(store_reader *r, const layer_info *l, const char *node,
                              int level_a, int level_b, const char *category,
                              store_agg_unit_fn fn, void *ctx, err *e) {
  if (store_reader_pg(r))
    return store_pg_agg_units_scan(store_reader_pg(r), l, node, level_a, level_b, category, fn,
                                   ctx, e);
  sqlite3_stmt *st = store_reader_stmt(r, UNITS_SQL, e);
  if (!st) return ERR_DB;
  sqlite3_bind_text(st, 1, l->id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, l->version);
  sqlite3_bind_text(st, 3, node, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, level_a);
  sqlite3_bind_int(st, 5, level_b);
  if (category) sqlite3_bind_text(st, 6, category, -1, SQLITE_STATIC);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    store_agg_unit u = {.node = node,
                        .level = sqlite3_column_int(st, 0),
                        .category = (const char *)sqlite3_column_text(st, 1),
                        .month = (const char *)sqlite3_column_text(st, 2),
                        .count = sqlite3_column_int64(st, 3),
                        .published = sqlite3_column_type(st, 3) != SQLITE_NULL};
    if (!u.category || !u.month) return sqlite3_reset(st), err_set(e, ERR_NOMEM, "out of memory");
    if (fn(ctx, &u)) break;
  }
  err_code rc = step == SQLITE_ROW || step == SQLITE_DONE
                    ? ERR_OK
                    : err_set(e, ERR_DB, "agg: %s", sqlite3_errstr(step));
  sqlite3_reset(st);
  return rc;
}
