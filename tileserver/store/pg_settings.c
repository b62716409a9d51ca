/* pg_settings.c — catalog-wide settings written to PostgreSQL (settings.c says what they are):
 * the area of interest of `import --save-area` and `publish`, the validators of `publish --fetch`;
 * and the upkeep of the catalogue tables the writes share (their lock, VACUUM after a removal).
 *
 * One transaction under the writers' advisory lock on the schema (pg_write.c), so a setting and
 * an import never interleave; the table is created by the first write, as on a file. No
 * NOTIFY: no answer of a server depends on a setting (only the importer and `layers` read
 * them), and a notification would empty every cache of every server for nothing. */
#include <stdio.h>
#include <string.h>

#include "store/pg_int.h"

err_code store_pg_schema_lock(PGconn *pg, const char *schema, err *e) {
  const char *v[1] = {schema};
  PGresult *res = PQexecParams(pg, "SELECT pg_advisory_xact_lock(hashtext('teselas:' || $1))", 1,
                               NULL, v, NULL, NULL, 0);
  err_code rc = PQresultStatus(res) == PGRES_TUPLES_OK ? ERR_OK
                                                        : store_pg_result_error(res, "lock", e);
  PQclear(res);
  return rc;
}

err_code store_pg_search_schema(PGconn *pg, char out[64], err *e) {
  PGresult *res = PQexec(pg, "SELECT btrim(split_part(current_setting('search_path'), ',', 1),"
                             " ' \"')");
  err_code rc = PQresultStatus(res) == PGRES_TUPLES_OK ? ERR_OK
                                                        : store_pg_result_error(res, "schema", e);
  if (rc == ERR_OK) snprintf(out, 64, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  if (rc == ERR_OK && !out[0]) rc = err_set(e, ERR_INVALID, "no schema in the search path");
  return rc;
}

err_code store_pg_setting_set(const char *uri, const char *key, const char *text, err *e) {
  PGconn *pg = NULL;
  char schema[64] = "";
  err_code rc = store_pg_connect(uri, &pg, e);
  if (rc == ERR_OK) rc = store_pg_search_schema(pg, schema, e);
  if (rc == ERR_OK) rc = store_pg_run(pg, "BEGIN", e);
  if (rc == ERR_OK) rc = store_pg_schema_lock(pg, schema, e);
  if (rc == ERR_OK) rc = store_pg_schema_prepare(pg, schema, e);
  if (rc == ERR_OK)
    rc = store_pg_run(pg, "CREATE TABLE IF NOT EXISTS teselas_settings(key text COLLATE \"C\""
                          " PRIMARY KEY, value text COLLATE \"C\" NOT NULL)", e);
  if (rc == ERR_OK) {
    const char *v[2] = {key, text};
    PGresult *res = PQexecParams(pg, text ? "INSERT INTO teselas_settings(key, value)"
                                            " VALUES($1, $2) ON CONFLICT (key) DO UPDATE SET"
                                            " value = excluded.value"
                                          : "DELETE FROM teselas_settings WHERE key = $1",
                                 text ? 2 : 1, NULL, v, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) rc = store_pg_result_error(res, "settings", e);
    PQclear(res);
  }
  if (rc == ERR_OK) rc = store_pg_run(pg, "COMMIT", e);
  if (pg) PQfinish(pg); /* an open transaction ends with the connection: rolled back */
  return rc;
}

bool store_pg_vacuum_catalog(const char *uri) {
  PGconn *pg = NULL;
  err e = {0};
  char schema[64] = "";
  if (store_pg_connect(uri, &pg, &e) != ERR_OK) return false;
  bool ok = store_pg_search_schema(pg, schema, &e) == ERR_OK;
  const char *v[1] = {schema};
  /* the catalogue tables are kilobytes to a few megabytes (aggregate counts): VACUUM, not FULL,
   * which would lock readers out while it rewrites them */
  PGresult *res = ok ? PQexecParams(pg, "SELECT format('%I.%I', table_schema, table_name) FROM"
                                        " information_schema.tables WHERE table_schema = $1 AND"
                                        " table_type = 'BASE TABLE' AND table_name LIKE"
                                        " 'teselas\\_%' AND table_name <> 'teselas_usage'",
                                    1, NULL, v, NULL, NULL, 0)
                     : NULL;
  ok = ok && PQresultStatus(res) == PGRES_TUPLES_OK;
  for (int i = 0; ok && i < PQntuples(res); i++) {
    char sql[600];
    snprintf(sql, sizeof sql, "VACUUM %s", PQgetvalue(res, i, 0));
    ok = store_pg_run(pg, sql, &e) == ERR_OK;
  }
  PQclear(res);
  PQfinish(pg);
  return ok;
}
