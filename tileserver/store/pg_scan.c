/* pg_scan.c — the catalog-side scans over PostgreSQL: an aggregate layer's nodes and units
 * (agg.c), a layer's history (history.c) and the deliveries of the update calendar
 * (deliveries.c), with the same rows in the same order as their SpatiaLite forms.
 * Tables a catalog may lack (no aggregate layer, an old history without its catalog column)
 * read as empty or NULL, as there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"

static const char NODES_SQL[] =
    "SELECT node, tier, minx, miny, maxx, maxy, pminx, pminy, pmaxx, pmaxy FROM teselas_agg_nodes"
    " WHERE layer_id=$1::text AND version=$2::int8 AND (CASE WHEN $3::int8 = 0 THEN pminx IS NULL"
    " ELSE (maxy >= $5::float8 AND miny <= $7::float8 AND (($4::float8 <= $6::float8 AND"
    " maxx >= $4::float8 AND minx <= $6::float8) OR ($4::float8 > $6::float8 AND"
    " (maxx >= $4::float8 OR minx <= $6::float8)))) END) ORDER BY node";

err_code store_pg_agg_nodes_scan(store_pg *p, const layer_info *l, const double *bbox,
                                 store_agg_node_fn fn, void *ctx, err *e) {
  err_code rc;
  if (!store_pg_has_table(p, "teselas_agg_nodes", &rc, e)) return rc;
  store_pg_args a = {0};
  store_pg_arg(&a, l->id);
  store_pg_argf(&a, "%lld", (long long)l->version);
  store_pg_argf(&a, "%d", bbox != NULL);
  for (int k = 0; k < 4; k++) store_pg_argf(&a, "%.17g", bbox ? bbox[k] : 0.0);
  PGresult *res = NULL;
  rc = store_pg_exec(p, NODES_SQL, &a, &res, e);
  store_pg_args_free(&a);
  for (int row = 0; rc == ERR_OK && row < PQntuples(res); row++) {
    store_agg_node_row n = {.node = store_pg_text(res, row, 0, ""),
                            .tier = (int)store_pg_i64(res, row, 1),
                            .has_parent = !PQgetisnull(res, row, 6)};
    for (int k = 0; k < 4; k++) {
      n.bbox[k] = store_pg_f64(res, row, 2 + k);
      n.parent_bbox[k] = store_pg_f64(res, row, 6 + k);
    }
    if (fn(ctx, &n)) break;
  }
  PQclear(res);
  return rc;
}

static const char UNITS_SQL[] =
    "SELECT level, category, month, count FROM teselas_agg_units WHERE layer_id=$1::text AND"
    " version=$2::int8 AND node=$3::text AND level IN ($4::int8, $5::int8) AND"
    " ($6::text IS NULL OR category=$6::text) ORDER BY level, category, month";

err_code store_pg_agg_units_scan(store_pg *p, const layer_info *l, const char *node,
                                 int level_a, int level_b, const char *category,
                                 store_agg_unit_fn fn, void *ctx, err *e) {
  store_pg_args a = {0};
  store_pg_arg(&a, l->id);
  store_pg_argf(&a, "%lld", (long long)l->version);
  store_pg_arg(&a, node);
  store_pg_argf(&a, "%d", level_a);
  store_pg_argf(&a, "%d", level_b);
  store_pg_arg(&a, category);
  PGresult *res = NULL;
  err_code rc = store_pg_exec(p, UNITS_SQL, &a, &res, e);
  store_pg_args_free(&a);
  for (int row = 0; rc == ERR_OK && row < PQntuples(res); row++) {
    store_agg_unit u = {.node = node,
                        .level = (int)store_pg_i64(res, row, 0),
                        .category = store_pg_text(res, row, 1, ""),
                        .month = store_pg_text(res, row, 2, ""),
                        .count = store_pg_i64(res, row, 3),
                        .published = !PQgetisnull(res, row, 3)};
    if (fn(ctx, &u)) break;
  }
  PQclear(res);
  return rc;
}

static const char VERSIONS_SQL[] =
    "SELECT version, imported_at, source_name, source_sha256, feature_count, report, table_name,"
    " %s, %s, %s FROM teselas_history WHERE layer_id=$1::text AND"
    " ($2::int8 < 0 OR version=$2::int8) ORDER BY version";
/* The review state of a history row, when the schema has reviews (review.c, pg_review.c). */
static const char REVIEW_SQL[] =
    "coalesce((SELECT r.state FROM teselas_reviews r WHERE r.layer_id = teselas_history.layer_id"
    " AND r.version = teselas_history.version), '')";

static bool history_has(store_pg *p, const char *column) {
  store_pg_args a = {0};
  store_pg_arg(&a, column);
  PGresult *res = NULL;
  bool yes = store_pg_exec(p,
                           "SELECT count(*) FROM information_schema.columns WHERE table_schema ="
                           " current_schema() AND table_name = 'teselas_history' AND"
                           " column_name = $1::text",
                           &a, &res, NULL) == ERR_OK &&
             store_pg_i64(res, 0, 0) > 0;
  PQclear(res);
  store_pg_args_free(&a);
  return yes;
}

err_code store_pg_versions_scan(store_pg *p, const char *layer_id, int64_t only,
                                store_version_fn fn, void *ctx, err *e) {
  char sql[1024];
  snprintf(sql, sizeof sql, VERSIONS_SQL, history_has(p, "catalog") ? "catalog" : "NULL::text",
           history_has(p, "rollback_of") ? "rollback_of" : "0::int8",
           store_pg_has_table(p, "teselas_reviews", &(err_code){ERR_OK}, NULL) ? REVIEW_SQL
                                                                                : "''::text");
  store_pg_args a = {0};
  store_pg_arg(&a, layer_id);
  store_pg_argf(&a, "%lld", (long long)only);
  PGresult *res = NULL;
  err_code rc = store_pg_exec(p, sql, &a, &res, e);
  store_pg_args_free(&a);
  int n = rc == ERR_OK ? PQntuples(res) : 0;
  for (int row = 0; row < n; row++) {
    store_version v = {.version = store_pg_i64(res, row, 0),
                       .imported_at = store_pg_text(res, row, 1, ""),
                       .source_name = store_pg_text(res, row, 2, ""),
                       .source_sha256 = store_pg_text(res, row, 3, ""),
                       .feature_count = store_pg_i64(res, row, 4),
                       .report = store_pg_text(res, row, 5, "{}"),
                       .table_name = store_pg_text(res, row, 6, ""),
                       .catalog = store_pg_text(res, row, 7, NULL),
                       .rollback_of = store_pg_i64(res, row, 8),
                       .review = store_pg_text(res, row, 9, "")};
    v.removal = !v.table_name[0] && v.feature_count == 0;
    if (strcmp(v.review, "pending") == 0) v.table_name = ""; /* not published: not readable */
    if (fn(ctx, &v)) break;
  }
  PQclear(res);
  if (rc == ERR_OK && n == 0)
    rc = only < 0 ? err_set(e, ERR_NOT_FOUND, "no layer of that id in the history")
                  : err_set(e, ERR_NOT_FOUND, "the layer has no version of that number");
  return rc;
}

/* teselas_json_status(report): its "status", NULL for text that is no JSON object (created with
 * the catalog by pg_copy.c, as SQLite's json_valid + json_extract). */
static const char DELIVERIES_SQL[] =
    "SELECT layer_id, version, imported_at, feature_count, report FROM ("
    " SELECT h.layer_id, h.version, h.imported_at, h.feature_count, h.report,"
    "  row_number() OVER (PARTITION BY h.layer_id ORDER BY h.version DESC) AS k"
    " FROM teselas_history h JOIN teselas_layers l ON l.id = h.layer_id"
    " WHERE h.version <= l.version AND coalesce(teselas_json_status(h.report), '') <> 'removed')"
    " AS d WHERE k <= $1::int8 ORDER BY layer_id COLLATE \"C\", version DESC";

err_code store_pg_deliveries_scan(store_pg *p, size_t per_layer, store_delivery_fn fn, void *ctx,
                                  err *e) {
  store_pg_args a = {0};
  store_pg_argf(&a, "%zu", per_layer);
  PGresult *res = NULL;
  err_code rc = store_pg_exec(p, DELIVERIES_SQL, &a, &res, e);
  store_pg_args_free(&a);
  for (int row = 0; rc == ERR_OK && row < PQntuples(res); row++) {
    store_delivery d = {.layer_id = store_pg_text(res, row, 0, ""),
                        .version = store_pg_i64(res, row, 1),
                        .imported_at = store_pg_text(res, row, 2, ""),
                        .feature_count = store_pg_i64(res, row, 3),
                        .report = store_pg_text(res, row, 4, "{}")};
    if (fn(ctx, &d)) break;
  }
  PQclear(res);
  return rc;
}

/* A catalog-wide setting (settings.c), over the thread's connection for short calls. */
err_code store_pg_setting_get(const char *uri, const char *key, char **out_value, err *e) {
  *out_value = NULL;
  PGconn *c = NULL;
  err_code rc = store_pg_conn_take(uri, &c, e);
  if (rc != ERR_OK) return rc;
  const char *params[1] = {key};
  PGresult *res = PQexecParams(c,
                               "SELECT value FROM teselas_settings WHERE key = $1::text AND"
                               " to_regclass('teselas_settings') IS NOT NULL",
                               1, NULL, params, NULL, NULL, 0);
  ExecStatusType st = PQresultStatus(res);
  /* a catalog without the table has no settings: the query fails, which is "no value" too */
  if (st == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0) &&
      !(*out_value = strdup(PQgetvalue(res, 0, 0))))
    rc = err_set(e, ERR_NOMEM, "out of memory");
  PQclear(res);
  store_pg_conn_give(uri, c);
  return rc;
}
