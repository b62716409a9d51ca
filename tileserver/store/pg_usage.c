/* pg_usage.c — the usage counts and download digests of usage.c over PostgreSQL: the same two
 * tables in the catalogue's schema, written by the server's usage thread over a connection of
 * its own (reconnected when lost), read through the request's reader.
 *
 * Several servers share one database: each adds its minute's counts to the hour's row with
 * INSERT ... ON CONFLICT DO UPDATE SET requests = requests + excluded.requests, which PostgreSQL
 * applies atomically, so a row holds the sum of every server's counts. A minute's rows go in one
 * transaction (all or nothing: the flusher keeps counts that failed for the next minute) in the
 * order of their keys, so two servers writing at once wait for each other and never deadlock.
 * A digest is the same bytes from any server: the last write wins.
 *
 * The tables are made by the first server that counts, with a unique index rather than a
 * primary key, so a table `teselas copy` brought from a file (no key there) gets its key too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"

static const char TABLES_SQL[] =
    "CREATE TABLE IF NOT EXISTS teselas_usage(layer text COLLATE \"C\" NOT NULL,"
    " kind text COLLATE \"C\" NOT NULL, hour bigint NOT NULL,"
    " requests bigint NOT NULL DEFAULT 0, bytes bigint NOT NULL DEFAULT 0);"
    "CREATE UNIQUE INDEX IF NOT EXISTS teselas_usage_key ON teselas_usage(layer, kind, hour);"
    "CREATE TABLE IF NOT EXISTS teselas_download_digests(layer text COLLATE \"C\" NOT NULL,"
    " version bigint NOT NULL, format text COLLATE \"C\" NOT NULL, bytes bigint NOT NULL,"
    " sha256 text NOT NULL);"
    "CREATE UNIQUE INDEX IF NOT EXISTS teselas_download_digests_key"
    " ON teselas_download_digests(layer, version, format)";

static const char ADD_SQL[] =
    "INSERT INTO teselas_usage(layer, kind, hour, requests, bytes)"
    " VALUES($1, $2, $3::int8, $4::int8, $5::int8) ON CONFLICT (layer, kind, hour) DO UPDATE"
    " SET requests = teselas_usage.requests + excluded.requests,"
    " bytes = teselas_usage.bytes + excluded.bytes";

/* One text result's first value is "t". */
static bool is_true(PGconn *c, const char *sql) {
  PGresult *res = PQexec(c, sql);
  bool yes = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
             strcmp(PQgetvalue(res, 0, 0), "t") == 0;
  PQclear(res);
  return yes;
}

/* The two tables and their keys, when missing: made in one transaction under the writers' lock
 * (two servers starting at once would otherwise race on CREATE). */
static err_code tables_ensure(PGconn *c, err *e) {
  if (is_true(c, "SELECT to_regclass('teselas_usage_key') IS NOT NULL AND"
                 " to_regclass('teselas_download_digests_key') IS NOT NULL"))
    return ERR_OK;
  char schema[64];
  err_code rc = store_pg_search_schema(c, schema, e);
  if (rc == ERR_OK) rc = store_pg_run(c, "BEGIN", e);
  if (rc == ERR_OK) rc = store_pg_schema_lock(c, schema, e);
  if (rc == ERR_OK) rc = store_pg_run(c, "SET LOCAL client_min_messages = warning", e);
  if (rc == ERR_OK) rc = store_pg_run(c, TABLES_SQL, e);
  if (rc == ERR_OK) rc = store_pg_run(c, "COMMIT", e);
  else PQclear(PQexec(c, "ROLLBACK"));
  return rc;
}

err_code store_pg_usage_connect(const char *uri, PGconn **out, err *e) {
  *out = NULL;
  PGconn *c = NULL;
  err_code rc = store_pg_connect(uri, &c, e);
  if (rc == ERR_OK && !is_true(c, "SELECT to_regclass('teselas_layers') IS NOT NULL"))
    rc = err_set(e, ERR_DB, "database %s has no teselas catalog in its schema", PQdb(c));
  if (rc == ERR_OK) rc = tables_ensure(c, e);
  if (rc != ERR_OK) {
    if (c) PQfinish(c);
    return rc;
  }
  *out = c;
  return ERR_OK;
}

/* *c up, connecting again from uri when it was lost (the database restarted). */
static err_code conn_up(PGconn **c, const char *uri, err *e) {
  if (*c && PQstatus(*c) == CONNECTION_OK) return ERR_OK;
  if (*c) PQfinish(*c);
  *c = NULL;
  return store_pg_usage_connect(uri, c, e);
}

/* Runs a statement with text parameters; ERR_DB (or ERR_UNAVAILABLE past a timeout). */
static err_code run_params(PGconn *c, const char *sql, int n, const char *const *v,
                           const char *what, err *e) {
  PGresult *res = PQexecParams(c, sql, n, NULL, v, NULL, NULL, 0);
  ExecStatusType st = PQresultStatus(res);
  err_code rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK
                    ? ERR_OK
                    : store_pg_result_error(res, what, e);
  PQclear(res);
  return rc;
}

static int row_order(const void *a, const void *b) {
  const store_usage_row *x = *(const store_usage_row *const *)a;
  const store_usage_row *y = *(const store_usage_row *const *)b;
  int c = strcmp(x->layer, y->layer);
  if (c) return c;
  c = strcmp(store_usage_kind_name(x->kind), store_usage_kind_name(y->kind));
  return c ? c : (x->hour > y->hour) - (x->hour < y->hour);
}

err_code store_pg_usage_add(PGconn **c, const char *uri, const store_usage_row *rows, size_t n,
                            int busy_ms, err *e) {
  if (n == 0) return ERR_OK;
  err_code rc = conn_up(c, uri, e);
  if (rc != ERR_OK) return rc;
  const store_usage_row **order = malloc(n * sizeof *order);
  if (!order) return err_set(e, ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) order[i] = &rows[i];
  qsort(order, n, sizeof *order, row_order);
  char wait[96];
  /* another server's minute holds these rows for milliseconds: wait as SQLite's busy timeout */
  snprintf(wait, sizeof wait, "SET LOCAL lock_timeout = %d; SET LOCAL statement_timeout = %d",
           busy_ms, busy_ms);
  rc = store_pg_run(*c, "BEGIN", e);
  if (rc == ERR_OK) rc = store_pg_run(*c, wait, e);
  for (size_t i = 0; rc == ERR_OK && i < n; i++) {
    char hour[24], req[24], bytes[24];
    snprintf(hour, sizeof hour, "%lld", (long long)order[i]->hour);
    snprintf(req, sizeof req, "%llu", (unsigned long long)order[i]->requests);
    snprintf(bytes, sizeof bytes, "%llu", (unsigned long long)order[i]->bytes);
    const char *v[5] = {order[i]->layer, store_usage_kind_name(order[i]->kind), hour, req, bytes};
    rc = run_params(*c, ADD_SQL, 5, v, "usage", e);
  }
  free(order);
  if (rc == ERR_OK) rc = store_pg_run(*c, "COMMIT", e);
  if (rc != ERR_OK && *c && PQstatus(*c) == CONNECTION_OK) PQclear(PQexec(*c, "ROLLBACK"));
  return rc;
}

err_code store_pg_digest_put(PGconn **c, const char *uri, const store_digest *d, err *e) {
  err_code rc = conn_up(c, uri, e);
  if (rc != ERR_OK) return rc;
  char version[24], bytes[24];
  snprintf(version, sizeof version, "%lld", (long long)d->version);
  snprintf(bytes, sizeof bytes, "%llu", (unsigned long long)d->bytes);
  const char *v[5] = {d->layer, version, d->format, bytes, d->sha256};
  return run_params(*c,
                    "INSERT INTO teselas_download_digests(layer, version, format, bytes, sha256)"
                    " VALUES($1, $2::int8, $3, $4::int8, $5) ON CONFLICT (layer, version, format)"
                    " DO UPDATE SET bytes = excluded.bytes, sha256 = excluded.sha256",
                    5, v, "digests", e);
}

/* The period of an hour as usage.c's SQLite gives it: the day, the Monday on or before it
 * (date_trunc's ISO week), or the month, in UTC. */
static const char *period_sql(store_usage_period by) {
  switch (by) {
    case STORE_USAGE_WEEK:
      return "to_char(date_trunc('week', to_timestamp(hour) AT TIME ZONE 'UTC'), 'YYYY-MM-DD')";
    case STORE_USAGE_MONTH: return "to_char(to_timestamp(hour) AT TIME ZONE 'UTC', 'YYYY-MM')";
    default: return "to_char(to_timestamp(hour) AT TIME ZONE 'UTC', 'YYYY-MM-DD')";
  }
}

err_code store_pg_usage_scan(store_pg *p, const char *since, store_usage_period by,
                             store_usage_fn fn, void *ctx, err *e) {
  err_code rc = ERR_OK;
  /* a database no server has counted has neither table */
  if (!store_pg_has_table(p, "teselas_usage", &rc, e)) return rc;
  char sql[640];
  snprintf(sql, sizeof sql,
           "SELECT %s AS period, layer, kind, sum(requests)::int8, sum(bytes)::int8"
           " FROM teselas_usage WHERE $1::text IS NULL"
           " OR hour >= extract(epoch FROM $1::text::timestamp)"
           " GROUP BY 1, 2, 3 ORDER BY 1, layer COLLATE \"C\", kind COLLATE \"C\"",
           period_sql(by));
  store_pg_args a = {0};
  store_pg_arg(&a, since && *since ? since : NULL);
  PGresult *res = NULL;
  rc = store_pg_exec(p, sql, &a, &res, e);
  store_pg_args_free(&a);
  for (int i = 0; rc == ERR_OK && i < PQntuples(res); i++) {
    store_usage_total t = {store_pg_text(res, i, 0, ""), store_pg_text(res, i, 1, ""),
                           store_pg_text(res, i, 2, ""), store_pg_i64(res, i, 3),
                           store_pg_i64(res, i, 4)};
    if (fn(ctx, &t)) break;
  }
  PQclear(res);
  return rc;
}

err_code store_pg_digest_get(store_pg *p, store_digest *d, bool *out_found, err *e) {
  *out_found = false;
  err_code rc = ERR_OK;
  if (!store_pg_has_table(p, "teselas_download_digests", &rc, e)) return rc;
  store_pg_args a = {0};
  store_pg_arg(&a, d->layer);
  store_pg_argf(&a, "%lld", (long long)d->version);
  store_pg_arg(&a, d->format);
  PGresult *res = NULL;
  rc = store_pg_exec(p,
                     "SELECT bytes, sha256 FROM teselas_download_digests WHERE layer = $1::text"
                     " AND version = $2::int8 AND format = $3::text",
                     &a, &res, e);
  store_pg_args_free(&a);
  const char *sha = rc == ERR_OK && PQntuples(res) == 1 ? store_pg_text(res, 0, 1, "") : "";
  if (strlen(sha) == 64) {
    d->bytes = (uint64_t)store_pg_i64(res, 0, 0);
    memcpy(d->sha256, sha, 65);
    *out_found = true;
  }
  PQclear(res);
  return rc;
}
