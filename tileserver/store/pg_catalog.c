/* pg_catalog.c — the catalog snapshot of a PostgreSQL reader, built from the same tables and
 * columns as the SpatiaLite one (catalog.c), and noticed when it changes.
 *
 * A SpatiaLite reader learns of a commit from the WAL index in shared memory; a PostgreSQL
 * server may be on another machine. So the reader asks, at most once a second, for the layers'
 * ids and versions as one text (one index-only round trip of a few hundred bytes), and reloads
 * the snapshot when that text changed: a new version is seen within a second of its commit. */
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"

static const char CATALOG_SQL[] =
    "SELECT id, title, description, geometry_type, license, publisher, frequency, keywords,"
    " updated_at, source_name, source_sha256, privacy, report, table_name, date_field,"
    " minx, miny, maxx, maxy, feature_count, version, minzoom, maxzoom, sample, fields,"
    " (SELECT count(*) FROM information_schema.columns c WHERE c.table_schema = current_schema()"
    "  AND c.table_name = l.table_name AND c.column_name = 'geom_z10'),"
    " (SELECT count(*) FROM information_schema.columns c WHERE c.table_schema = current_schema()"
    "  AND c.table_name = l.table_name || '_tile_lines' AND c.column_name = 'teselas_g'),"
    " coalesce((SELECT h.imported_at FROM teselas_history h WHERE h.layer_id = l.id"
    "  AND h.version = l.version), updated_at),"
    " (SELECT count(*) FROM information_schema.columns c WHERE c.table_schema = current_schema()"
    "  AND c.table_name = l.table_name AND c.column_name = 'teselas_g'),"
    /* issued_at as the SpatiaLite catalog has it: the first version after the last removal */
    " coalesce((SELECT min(h.imported_at COLLATE \"C\") FROM teselas_history h"
    "  WHERE h.layer_id = l.id AND h.version > coalesce((SELECT max(r.version)"
    "  FROM teselas_history r WHERE r.layer_id = l.id AND r.table_name = ''"
    "  AND r.feature_count = 0), 0)), updated_at)"
    " FROM teselas_layers l ORDER BY id COLLATE \"C\"";

static const char STYLES_SQL[] =
    "SELECT s.layer_id, s.style FROM teselas_styles s JOIN teselas_layers l"
    " ON l.id = s.layer_id AND l.version = s.version";

static const char SIG_SQL[] =
    "SELECT coalesce(string_agg(id || ':' || version, ',' ORDER BY id COLLATE \"C\"), '')"
    " FROM teselas_layers";

static err_code read_row(const PGresult *r, int row, layer_info *l, err *e) {
  char **strs[] = {&l->id,         &l->title,       &l->description,   &l->geometry_type,
                   &l->license,    &l->publisher,   &l->frequency,     &l->keywords,
                   &l->updated_at, &l->source_name, &l->source_sha256, &l->privacy,
                   &l->report,     &l->table_name,  &l->date_field};
  for (int i = 0; i < 15; i++) *strs[i] = strdup(store_pg_text(r, row, i, ""));
  for (int i = 0; i < 4; i++) l->bounds[i] = store_pg_f64(r, row, 15 + i);
  l->feature_count = store_pg_i64(r, row, 19);
  l->version = store_pg_i64(r, row, 20);
  l->minzoom = (int)store_pg_i64(r, row, 21);
  l->maxzoom = (int)store_pg_i64(r, row, 22);
  l->sample = store_pg_i64(r, row, 23) != 0;
  l->has_lod = store_pg_i64(r, row, 25) != 0;
  l->has_tile_lines = store_pg_i64(r, row, 26) != 0;
  l->delivered_at = strdup(store_pg_text(r, row, 27, ""));
  l->issued_at = strdup(store_pg_text(r, row, 29, ""));
  l->tile_lines_inline = l->has_tile_lines && store_pg_i64(r, row, 28) != 0;
  for (int i = 0; i < 15; i++)
    if (!*strs[i]) return err_set(e, ERR_NOMEM, "out of memory reading the catalog");
  if (!l->delivered_at || !l->issued_at)
    return err_set(e, ERR_NOMEM, "out of memory reading the catalog");
  l->aggregate = layer_privacy_is_aggregate(l->privacy);
  return store_catalog_parse_fields(l, store_pg_text(r, row, 24, "[]"), e);
}

/* Attaches the style descriptions of the layers' current versions ("{}" without one); `with`
 * (or "") the CTE that stands for teselas_layers, its parameters in a. */
static err_code load_styles(store_pg *p, const char *with, const store_pg_args *a, catalog *c,
                            err *e) {
  PGresult *res = PQexec(p->conn, "SELECT to_regclass('teselas_styles') IS NOT NULL");
  bool have = PQresultStatus(res) == PGRES_TUPLES_OK && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
  PQclear(res);
  res = NULL;
  char *sql = malloc(strlen(with) + sizeof STYLES_SQL);
  if (!sql) return err_set(e, ERR_NOMEM, "out of memory reading the catalog");
  strcpy(sql, with);
  strcat(sql, STYLES_SQL);
  err_code rc = have ? store_pg_exec(p, sql, a, &res, e) : ERR_OK;
  free(sql);
  for (size_t i = 0; rc == ERR_OK && i < c->n_layers; i++) {
    layer_info *l = &c->layers[i];
    const char *text = NULL;
    for (int row = 0; res && row < PQntuples(res) && !text; row++)
      if (strcmp(store_pg_text(res, row, 0, ""), l->id) == 0) text = store_pg_text(res, row, 1, NULL);
    if (!(l->style = strdup(text ? text : "{}")))
      rc = err_set(e, ERR_NOMEM, "out of memory reading the catalog");
  }
  PQclear(res);
  return rc;
}

static err_code load_with(store_pg *p, const char *with, const store_pg_args *a, catalog **out,
                          err *e) {
  *out = NULL;
  PGresult *res = NULL;
  char *sql = malloc(strlen(with) + sizeof CATALOG_SQL);
  if (!sql) return err_set(e, ERR_NOMEM, "out of memory reading the catalog");
  strcpy(sql, with);
  strcat(sql, CATALOG_SQL);
  err_code rc = store_pg_exec(p, sql, a, &res, e);
  free(sql);
  if (rc != ERR_OK) return rc;
  catalog *c = calloc(1, sizeof *c);
  int n = PQntuples(res);
  if (c) c->layers = calloc(n ? (size_t)n : 1, sizeof *c->layers);
  if (!c || !c->layers) rc = err_set(e, ERR_NOMEM, "out of memory reading the catalog");
  for (int row = 0; rc == ERR_OK && row < n; row++)
    rc = read_row(res, row, &c->layers[c->n_layers++], e);
  PQclear(res);
  if (rc == ERR_OK) rc = load_styles(p, with, a, c, e);
  if (rc != ERR_OK) {
    catalog_destroy(c);
    return rc;
  }
  *out = c;
  return ERR_OK;
}

err_code store_pg_catalog_load(store_pg *p, catalog **out, err *e) {
  return load_with(p, "", NULL, out, e);
}

err_code store_pg_review_catalog(store_pg *p, int64_t n, catalog **out, err *e) {
  *out = NULL;
  if (!p->conn) return err_set(e, ERR_UNAVAILABLE, "the database cannot be reached now");
  PGresult *res = PQexec(p->conn, "SELECT to_regclass('teselas_review_layers') IS NOT NULL");
  bool have = PQresultStatus(res) == PGRES_TUPLES_OK && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
  PQclear(res);
  if (!have) return err_set(e, ERR_NOT_FOUND, "no such review waiting");
  store_pg_args a = {0};
  store_pg_argf(&a, "%lld", (long long)n);
  /* the review's kept entry stands for the catalogue, as catalog.c does it on SpatiaLite;
   * review_n is compared as text: SQLite gave the column no type, so a copy made it text */
  err_code rc = a.nomem ? err_set(e, ERR_NOMEM, "out of memory")
                        : load_with(p, "WITH teselas_layers AS (SELECT * FROM teselas_review_layers"
                                       " WHERE review_n::text = $1::text) ", &a, out, e);
  store_pg_args_free(&a);
  if (rc == ERR_OK && (*out)->n_layers != 1) {
    catalog_destroy(*out);
    *out = NULL;
    rc = err_set(e, ERR_NOT_FOUND, "no such review waiting");
  }
  return rc;
}

err_code store_pg_catalog(store_pg *p, const catalog **out, err *e) {
  double now = store_pg_now();
  /* a watch's announcement (pg_watch.c) makes the check at once, not up to a second later */
  uint64_t epoch = store_watch_epoch(p->watch);
  if (p->cat && now - p->cat_checked < 1.0 && epoch == p->watch_seen) {
    *out = p->cat;
    return ERR_OK;
  }
  PGresult *res = NULL;
  err_code rc = store_pg_exec(p, SIG_SQL, NULL, &res, e);
  if (rc != ERR_OK) return rc;
  const char *sig = store_pg_text(res, 0, 0, "");
  if (!p->cat || !p->cat_sig || strcmp(sig, p->cat_sig) != 0) {
    catalog *c = NULL;
    char *copy = strdup(sig);
    rc = copy ? store_pg_catalog_load(p, &c, e) : err_set(e, ERR_NOMEM, "out of memory");
    if (rc != ERR_OK) {
      free(copy);
      PQclear(res);
      return rc;
    }
    c->data_version = ++p->cat_loads;
    catalog_destroy(p->cat);
    free(p->cat_sig);
    p->cat = c;
    p->cat_sig = copy;
  }
  PQclear(res);
  p->cat_checked = now;
  p->watch_seen = epoch;
  *out = p->cat;
  return ERR_OK;
}
