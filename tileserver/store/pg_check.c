/* pg_check.c — `teselas check --db postgresql://…`: the checks of check.c that mean something
 * over PostgreSQL. Every kept version's table is read end to end (each row as text, so every
 * column is detoasted), its count and box compared with the history and the catalog, its
 * spatial index asked for every row with a geometry (an index scan, sequential scans off) and
 * found valid in pg_index, and its indexes given to amcheck where the extension is installed
 * (bt_index_check for B-trees; gist_index_check where the server has it, PostgreSQL 18).
 * PostgreSQL's own pages have checksums and its own tools (pg_amcheck, pg_checksums); this
 * names the layer and version, which they cannot. Nothing is repaired. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/check.h"
#include "store/pg_int.h"

typedef struct pg_version {
  char layer[64], table[128];
  int64_t version, history_count, catalog_count;
  bool current;
  double catalog_bounds[4];
  double catalog_grid_m;   /* its privacy grid: the catalog's box is rounded to it (0: none) */
} pg_version;

/* The statement's result, or NULL with the problem recorded as the database's. */
static PGresult *query(PGconn *c, store_check_result *out, const char *layer, int64_t version,
                       const char *what, const char *sql) {
  PGresult *res = PQexec(c, sql);
  ExecStatusType st = PQresultStatus(res);
  if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) return res;
  store_check_note(out, layer, version, "%s: %s", what, PQresultErrorMessage(res));
  PQclear(res);
  return NULL;
}

static double num(PGresult *r, int row, int col) {
  return PQgetisnull(r, row, col) ? NAN : strtod(PQgetvalue(r, row, col), NULL);
}

/* The kept versions (history rows with a table) and what the catalog says of the current one. */
static pg_version *load_versions(PGconn *c, store_check_result *out, size_t *out_n) {
  *out_n = 0;
  PGresult *r = query(c, out, "", 0, "the history cannot be read",
                      "SELECT h.layer_id, h.version, h.table_name, h.feature_count,"
                      " l.version = h.version, l.feature_count, l.minx, l.miny, l.maxx, l.maxy,"
                      " CASE WHEN l.privacy LIKE '{%' THEN"
                      " (l.privacy::json->>'grid_m')::float8 END"
                      " FROM teselas_history h LEFT JOIN teselas_layers l ON l.id = h.layer_id"
                      " WHERE h.table_name <> '' ORDER BY h.layer_id, h.version");
  if (!r) return NULL;
  int n = PQntuples(r);
  pg_version *v = calloc(n ? (size_t)n : 1, sizeof *v);
  if (!v) {
    out->nomem = true;
    PQclear(r);
    return NULL;
  }
  for (int i = 0; i < n; i++) {
    snprintf(v[i].layer, sizeof v[i].layer, "%s", PQgetvalue(r, i, 0));
    v[i].version = strtoll(PQgetvalue(r, i, 1), NULL, 10);
    snprintf(v[i].table, sizeof v[i].table, "%s", PQgetvalue(r, i, 2));
    v[i].history_count = strtoll(PQgetvalue(r, i, 3), NULL, 10);
    v[i].current = strcmp(PQgetvalue(r, i, 4), "t") == 0;
    v[i].catalog_count = strtoll(PQgetvalue(r, i, 5), NULL, 10);
    for (int k = 0; k < 4; k++) v[i].catalog_bounds[k] = num(r, i, 6 + k);
    v[i].catalog_grid_m = num(r, i, 10);
    if (isnan(v[i].catalog_grid_m)) v[i].catalog_grid_m = 0;
  }
  PQclear(r);
  *out_n = (size_t)n;
  return v;
}

/* Two boxes equal to 1e-9 of a degree (the catalog keeps them as double precision). */
static bool same_box(const double *a, const double *b) {
  for (int k = 0; k < 4; k++)
    if (!(fabs(a[k] - b[k]) <= 1e-9)) return false;
  return true;
}

/* Each index of the table valid and ready, amcheck's verdict where it can give one, and the
 * GiST index found by an index scan for every row with a non-empty geometry. */
static void check_indexes(PGconn *c, store_check_result *out, const pg_version *v,
                          const char *quoted, int64_t with_geom) {
  char sql[1024];
  snprintf(sql, sizeof sql,
           "SELECT ic.relname, i.indisvalid AND i.indisready, am.amname,"
           " CASE WHEN am.amname = 'btree' AND to_regproc('bt_index_check') IS NOT NULL"
           "   THEN 'bt_index_check' WHEN am.amname = 'gist' AND"
           "   to_regproc('gist_index_check') IS NOT NULL THEN 'gist_index_check' END"
           " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
           " JOIN pg_am am ON am.oid = ic.relam WHERE i.indrelid = to_regclass('%s')",
           quoted);
  PGresult *r = query(c, out, v->layer, v->version, "its indexes cannot be listed", sql);
  if (!r) return;
  bool gist = false;
  for (int i = 0; i < PQntuples(r); i++) {
    const char *name = PQgetvalue(r, i, 0), *fn = PQgetvalue(r, i, 3);
    gist = gist || strcmp(PQgetvalue(r, i, 2), "gist") == 0;
    if (strcmp(PQgetvalue(r, i, 1), "t") != 0)
      store_check_note(out, v->layer, v->version, "index %s is not valid (a failed build)", name);
    if (!*fn) continue;
    snprintf(sql, sizeof sql, "SELECT %s(ic.oid) FROM pg_class ic WHERE ic.relname = '%s'"
             " AND ic.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid ="
             " to_regclass('%s'))", fn, name, quoted);
    PGresult *a = query(c, out, v->layer, v->version, "amcheck", sql);
    PQclear(a);
  }
  PQclear(r);
  if (!gist) {
    store_check_note(out, v->layer, v->version, "table %s has no spatial (GiST) index", v->table);
    return;
  }
  snprintf(sql, sizeof sql,
           "BEGIN; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off;"
           " SELECT count(*) FROM %s WHERE geom && ST_MakeEnvelope(-1e9, -1e9, 1e9, 1e9, 4326)",
           quoted);
  r = query(c, out, v->layer, v->version, "its spatial index cannot be read", sql);
  if (r && strtoll(PQgetvalue(r, 0, 0), NULL, 10) != with_geom)
    store_check_note(out, v->layer, v->version,
                     "its spatial index finds %s rows, the table has %lld with a geometry",
                     PQgetvalue(r, 0, 0), (long long)with_geom);
  PQclear(r);
  PQclear(PQexec(c, "ROLLBACK"));
}

static void check_version(PGconn *c, store_check_result *out, const pg_version *v) {
  char *quoted = PQescapeIdentifier(c, v->table, strlen(v->table));
  if (!quoted) {
    out->nomem = true;
    return;
  }
  char sql[768];
  snprintf(sql, sizeof sql,
           "SELECT count(*), sum(length(t::text)),"
           " count(*) FILTER (WHERE t.geom IS NOT NULL AND NOT ST_IsEmpty(t.geom)),"
           " min(ST_XMin(t.geom::box3d)), min(ST_YMin(t.geom::box3d)),"
           " max(ST_XMax(t.geom::box3d)), max(ST_YMax(t.geom::box3d)) FROM %s t", quoted);
  PGresult *r = query(c, out, v->layer, v->version, "its table cannot be read", sql);
  if (r) {
    int64_t rows = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    int64_t with_geom = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
    double box[4];
    for (int k = 0; k < 4; k++) box[k] = num(r, 0, 3 + k);
    PQclear(r);
    /* as the writer stored it: a privacy layer's box rounded outwards to its grid */
    double step[2];
    store_bounds_step(v->catalog_grid_m, step);
    store_bounds_round(step, box);
    if (rows != v->history_count)
      store_check_note(out, v->layer, v->version, "table %s has %lld rows, the history says %lld",
                       v->table, (long long)rows, (long long)v->history_count);
    if (v->current && rows != v->catalog_count)
      store_check_note(out, v->layer, v->version, "table %s has %lld rows, the catalog says %lld",
                       v->table, (long long)rows, (long long)v->catalog_count);
    if (v->current && with_geom && !same_box(box, v->catalog_bounds))
      store_check_note(out, v->layer, v->version,
                       "its rows span %.9g,%.9g,%.9g,%.9g, the catalog says %.9g,%.9g,%.9g,%.9g",
                       box[0], box[1], box[2], box[3], v->catalog_bounds[0],
                       v->catalog_bounds[1], v->catalog_bounds[2], v->catalog_bounds[3]);
    check_indexes(c, out, v, quoted, with_geom);
  }
  PQfreemem(quoted);
}

err_code store_pg_check_db(const char *uri, store_check_result *out, err *e) {
  store_pg *p = NULL;
  err_code rc = store_pg_open(uri, &p, e); /* ERR_INVALID when the schema holds no catalog */
  if (rc != ERR_OK) return rc;
  size_t n = 0;
  pg_version *v = load_versions(p->conn, out, &n);
  PGresult *r = query(p->conn, out, "", 0, "the catalog cannot be read",
                      "SELECT count(*) FROM teselas_layers");
  if (r) out->n_layers = (size_t)strtoll(PQgetvalue(r, 0, 0), NULL, 10);
  PQclear(r);
  for (size_t i = 0; i < n; i++) check_version(p->conn, out, &v[i]);
  out->n_versions = n;
  out->integrity_ok = true; /* PostgreSQL's own pages: its checksums and pg_amcheck */
  free(v);
  store_pg_close(p);
  if (out->nomem) return err_set(e, ERR_NOMEM, "out of memory");
  return ERR_OK;
}
