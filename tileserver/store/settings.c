/* settings.c — catalog-wide settings: a small key/value table, `teselas_settings`, beside the
 * catalog. Today it holds the area of interest, the box the importer's checks measure features
 * against (importers/geomcheck.c); layers know nothing of it.
 *
 * The table is created by the first write, not by the catalog schema, so a database written by
 * an older teselas simply has no settings, and every read treats a missing database, a missing
 * table and a missing key alike: no value. Each call opens its own short connection, like
 * store_layer_checksum: settings are read once per import, never per request. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"

const char STORE_SETTINGS_SCHEMA_SQL[] =
    "CREATE TABLE IF NOT EXISTS teselas_settings(key TEXT PRIMARY KEY, value TEXT NOT NULL)";

static const char AREA_KEY[] = "area_of_interest";

err_code store_setting_get(const char *db_path, const char *key, char **out_value, err *e) {
  *out_value = NULL;
  if (store_db_is_pg(db_path)) return store_pg_setting_get(db_path, key, out_value, e);
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    sqlite3_close(db);
    return ERR_OK; /* no database yet: no settings */
  }
  sqlite3_busy_timeout(db, 30000);
  sqlite3_stmt *st = NULL;
  err_code rc = ERR_OK;
  /* prepare fails on a database without the table: that is "no value" too */
  if (sqlite3_prepare_v2(db, "SELECT value FROM teselas_settings WHERE key=?", -1, &st, NULL) ==
      SQLITE_OK) {
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW && sqlite3_column_text(st, 0)) {
      *out_value = strdup((const char *)sqlite3_column_text(st, 0));
      if (!*out_value) rc = err_set(e, ERR_NOMEM, "out of memory");
    } else if (step != SQLITE_ROW && step != SQLITE_DONE) {
      rc = err_set(e, ERR_DB, "settings of %s: %s", db_path, sqlite3_errmsg(db));
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

err_code store_setting_set(const char *db_path, const char *key, const char *text, err *e) {
  if (store_db_is_pg(db_path)) return store_pg_setting_set(db_path, key, text, e);
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
      SQLITE_OK) {
    err_code rc = err_set(e, ERR_IO, "cannot open database %s: %s", db_path, sqlite3_errmsg(db));
    sqlite3_close(db);
    return rc;
  }
  sqlite3_busy_timeout(db, 30000);
  /* WAL like the writer's connection, so a new database starts in the mode readers expect */
  err_code rc = store_exec(db, "PRAGMA journal_mode=WAL", db_path, e);
  if (rc == ERR_OK) rc = store_exec(db, STORE_SETTINGS_SCHEMA_SQL, "settings table", e);
  sqlite3_stmt *st = NULL;
  if (rc == ERR_OK &&
      sqlite3_prepare_v2(db,
                         text ? "INSERT INTO teselas_settings(key, value) VALUES(?1, ?2)"
                                 " ON CONFLICT(key) DO UPDATE SET value=?2"
                               : "DELETE FROM teselas_settings WHERE key=?1",
                         -1, &st, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_DB, "settings: %s", sqlite3_errmsg(db));
  if (rc == ERR_OK) {
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (text) sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
      rc = err_set(e, ERR_DB, "settings: %s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

bool store_area_valid(const double area[4]) {
  for (int i = 0; i < 4; i++)
    if (!isfinite(area[i])) return false;
  return area[0] >= -180 && area[2] <= 180 && area[1] >= -90 && area[3] <= 90 &&
         area[0] < area[2] && area[1] < area[3];
}

err_code store_area_get(const char *db_path, double out[4], bool *out_found, err *e) {
  *out_found = false;
  char *text = NULL;
  err_code rc = store_setting_get(db_path, AREA_KEY, &text, e);
  if (rc != ERR_OK || !text) return rc;
  double a[4];
  int used = 0;
  if (sscanf(text, "[%lf,%lf,%lf,%lf]%n", &a[0], &a[1], &a[2], &a[3], &used) == 4 &&
      text[used] == '\0' && store_area_valid(a)) {
    memcpy(out, a, sizeof a);
    *out_found = true;
  } else {
    rc = err_set(e, ERR_INVALID, "the area of interest stored in %s is not [W,S,E,N]: %.60s",
                 db_path, text);
  }
  free(text);
  return rc;
}

err_code store_area_set(const char *db_path, const double *area, err *e) {
  if (!area) return store_setting_set(db_path, AREA_KEY, NULL, e);
  if (!store_area_valid(area))
    return err_set(e, ERR_INVALID, "an area of interest is west < east, south < north, in "
                   "degrees (longitude ±180, latitude ±90)");
  char text[160];
  /* %.17g: the box read back is the box written, to the last bit */
  snprintf(text, sizeof text, "[%.17g,%.17g,%.17g,%.17g]", area[0], area[1], area[2], area[3]);
  return store_setting_set(db_path, AREA_KEY, text, e);
}
