/* rollback.c — publishing an earlier version's data again, as a new version.
 *
 * The new version is a copy, not a second pointer to the old table: a version's table belongs to
 * its history row, and pruning drops tables by history row, so a shared table would vanish under
 * the published version when its first owner is pruned. The copy keeps everything a reader sees:
 * rows in the same order (teselas_row, the curve position, is copied), so the packed R-tree
 * rebuilt from them is the same tree and a tile reads its features in the same order, byte for
 * byte; the ranked-line side table; the columns of older levels of detail; aggregate nodes and
 * units; the automatic style; the catalog entry recorded at its commit (history.c) and its
 * report. Tile URLs and ETags carry the version number, so caches move on as after an import.
 *
 * All of it is one transaction, like an import: a failure or a kill leaves the database as it
 * was. It does not prune older versions (the next import does, with its own keep count). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

/* What the history says of the version rolled back to (strings owned). */
typedef struct target {
  char *table, *report, *catalog, *source_name, *source_sha256;
  int64_t count;
} target;

static void target_free(target *t) {
  free(t->table);
  free(t->report);
  free(t->catalog);
  free(t->source_name);
  free(t->source_sha256);
}

static char *col_dup(sqlite3_stmt *st, int i) {
  const unsigned char *s = sqlite3_column_text(st, i);
  return s ? strdup((const char *)s) : NULL;
}

static err_code read_target(sqlite3 *db, const char *id, int64_t to, target *t, err *e) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "SELECT h.table_name, h.report, h.catalog, h.source_name, h.source_sha256,"
                         " h.feature_count, l.version FROM teselas_layers l LEFT JOIN"
                         " teselas_history h ON h.layer_id=l.id AND h.version=?2 WHERE l.id=?1",
                         -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "history: %s", sqlite3_errmsg(db));
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, to);
  err_code rc = ERR_OK;
  if (sqlite3_step(st) != SQLITE_ROW) {
    rc = err_set(e, ERR_NOT_FOUND, "no published layer '%s'", id);
  } else if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
    rc = err_set(e, ERR_NOT_FOUND, "layer '%s' has no version %lld", id, (long long)to);
  } else if (sqlite3_column_int64(st, 6) == to) {
    rc = err_set(e, ERR_INVALID, "version %lld of '%s' is the published one", (long long)to, id);
  } else if (!sqlite3_column_text(st, 0)[0]) {
    rc = err_set(e, ERR_INVALID, "the data of version %lld of '%s' are no longer kept (purged or "
                 "pruned): it cannot be published again", (long long)to, id);
  } else if (sqlite3_column_type(st, 2) == SQLITE_NULL) {
    rc = err_set(e, ERR_INVALID, "version %lld of '%s' was published before versions recorded "
                 "their catalog entry: it cannot be published again", (long long)to, id);
  } else {
    *t = (target){.table = col_dup(st, 0), .report = col_dup(st, 1), .catalog = col_dup(st, 2),
                  .source_name = col_dup(st, 3), .source_sha256 = col_dup(st, 4),
                  .count = sqlite3_column_int64(st, 5)};
    if (!t->table || !t->report || !t->catalog || !t->source_name || !t->source_sha256)
      rc = err_set(e, ERR_NOMEM, "out of memory");
  }
  sqlite3_finalize(st);
  return rc;
}

/* Appends the columns of table (but geom) as "a", "b"; with types, as "a" TYPE [PRIMARY KEY]. */
static err_code column_list(sqlite3 *db, const char *table, bool typed, buf *out, err *e) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT name, type, pk, \"notnull\" FROM pragma_table_info(?)", -1,
                         &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "columns of %s: %s", table, sqlite3_errmsg(db));
  sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
  bool first = true;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(st, 0);
    if (typed && strcmp(name, "geom") == 0) continue; /* added by SpatiaLite, registered */
    if (!first) buf_puts(out, ", ");
    first = false;
    store_quote_ident(out, name);
    if (!typed) continue;
    const char *type = (const char *)sqlite3_column_text(st, 1);
    if (type && *type) buf_printf(out, " %s", type);
    if (sqlite3_column_int(st, 2) == 1) buf_puts(out, " PRIMARY KEY");
    if (sqlite3_column_int(st, 3)) buf_puts(out, " NOT NULL");
  }
  sqlite3_finalize(st);
  return out->failed ? err_set(e, ERR_NOMEM, "out of memory") : ERR_OK;
}

/* The new table, registered with SpatiaLite and indexed, without SpatiaLite's triggers (never
 * written once published: writer.c). */
static err_code create_copy(sqlite3 *db, const char *from, const char *to, err *e) {
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "CREATE TABLE ");
  store_quote_ident(&sql, to);
  buf_puts(&sql, "(");
  err_code rc = column_list(db, from, true, &sql, e);
  buf_puts(&sql, ")");
  if (rc == ERR_OK) rc = store_exec(db, buf_cstr(&sql), "copy of the version table", e);
  if (rc == ERR_OK) {
    buf_reset(&sql);
    buf_printf(&sql,
               "SELECT AddGeometryColumn('%s', 'geom', 4326, 'GEOMETRY', 'XY');"
               " SELECT CreateSpatialIndex('%s', 'geom');"
               " CREATE UNIQUE INDEX \"%s_fid\" ON \"%s\"(fid);",
               to, to, to, to);
    rc = store_exec(db, buf_cstr(&sql), "geometry of the copy", e);
  }
  if (rc == ERR_OK) rc = store_triggers_drop(db, to, e);
  buf_free(&sql);
  return rc;
}

static err_code count_rows(sqlite3 *db, const char *table, int64_t *out, err *e) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", table);
  sqlite3_stmt *st = NULL;
  err_code rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
                        sqlite3_step(st) == SQLITE_ROW
                    ? ERR_OK
                    : err_set(e, ERR_DB, "rows of %s: %s", table, sqlite3_errmsg(db));
  if (rc == ERR_OK) *out = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return rc;
}

/* Rows in their order (the curve's), then the same packed index an import builds. */
static err_code copy_table(sqlite3 *db, const char *from, const char *to, err *e) {
  buf sql;
  buf_init(&sql, 0);
  err_code rc = create_copy(db, from, to, e);
  if (rc == ERR_OK) {
    buf cols;
    buf_init(&cols, 0);
    rc = column_list(db, from, false, &cols, e);
    buf_printf(&sql, "INSERT INTO \"%s\"(%s) SELECT %s FROM \"%s\" ORDER BY rowid", to,
               buf_cstr(&cols), buf_cstr(&cols), from);
    buf_free(&cols);
    if (rc == ERR_OK)
      rc = sql.failed ? err_set(e, ERR_NOMEM, "out of memory")
                      : store_exec(db, buf_cstr(&sql), "copy of the rows", e);
  }
  int64_t n = 0;
  bool done = false;
  store_layer_scan scan;
  if (rc == ERR_OK) rc = count_rows(db, to, &n, e);
  if (rc == ERR_OK)
    rc = store_rtree_bulk_load(db, to, (size_t)n, STORE_RTREE_BULK_CAP, &done, &scan, e);
  if (rc == ERR_OK && !done) rc = store_rtree_fill_rows(db, to, e);
  buf_free(&sql);
  return rc;
}

/* The ranked-line side table, when the version has one: created by its own SQL, renamed. */
static err_code copy_tile_lines(sqlite3 *db, const char *from, const char *to, err *e) {
  char old_name[160], new_name[160];
  snprintf(old_name, sizeof old_name, "%s_tile_lines", from);
  snprintf(new_name, sizeof new_name, "%s_tile_lines", to);
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE type='table' AND name=?", -1,
                         &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "side table: %s", sqlite3_errmsg(db));
  sqlite3_bind_text(st, 1, old_name, -1, SQLITE_STATIC);
  err_code rc = ERR_OK;
  if (sqlite3_step(st) == SQLITE_ROW) {
    const char *create = (const char *)sqlite3_column_text(st, 0);
    const char *paren = create ? strchr(create, '(') : NULL;
    buf sql;
    buf_init(&sql, 0);
    buf_printf(&sql, "CREATE TABLE \"%s\"%s; INSERT INTO \"%s\" SELECT * FROM \"%s\" ORDER BY rowid",
               new_name, paren ? paren : "", new_name, old_name);
    rc = !paren ? err_set(e, ERR_DB, "side table %s: no definition", old_name)
         : sql.failed ? err_set(e, ERR_NOMEM, "out of memory")
                      : store_exec(db, buf_cstr(&sql), "copy of the side table", e);
    buf_free(&sql);
  }
  sqlite3_finalize(st);
  return rc;
}

err_code store_version_table_copy(sqlite3 *db, const char *from, const char *to, err *e) {
  err_code rc = copy_table(db, from, to, e);
  return rc == ERR_OK ? copy_tile_lines(db, from, to, e) : rc;
}

/* The rows of one per-version table (aggregate nodes and units, styles) of version `from`,
 * copied as version `to`, when the table exists. */
static err_code copy_version_rows(sqlite3 *db, const char *table, const char *id, int64_t from,
                                  int64_t to, err *e) {
  buf cols, sel, sql;
  buf_init(&cols, 0);
  buf_init(&sel, 0);
  buf_init(&sql, 0);
  sqlite3_stmt *st = NULL;
  err_code rc = ERR_OK;
  if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?)", -1, &st, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_DB, "%s: %s", table, sqlite3_errmsg(db));
  if (rc == ERR_OK) sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
  while (rc == ERR_OK && sqlite3_step(st) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(st, 0);
    const char *sep = cols.len ? ", " : "";
    buf_printf(&cols, "%s\"%s\"", sep, name);
    if (strcmp(name, "version") == 0) buf_printf(&sel, "%s?3", sep);
    else buf_printf(&sel, "%s\"%s\"", sep, name);
  }
  sqlite3_finalize(st);
  st = NULL;
  if (rc == ERR_OK && cols.len) { /* no columns: the table does not exist */
    buf_printf(&sql, "INSERT INTO \"%s\"(%s) SELECT %s FROM \"%s\" WHERE layer_id=?1 AND"
               " version=?2", table, buf_cstr(&cols), buf_cstr(&sel), table);
    if (sql.failed || sqlite3_prepare_v2(db, buf_cstr(&sql), -1, &st, NULL) != SQLITE_OK)
      rc = err_set(e, ERR_DB, "copy of %s: %s", table, sqlite3_errmsg(db));
    if (rc == ERR_OK) {
      sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_int64(st, 2, from);
      sqlite3_bind_int64(st, 3, to);
      if (sqlite3_step(st) != SQLITE_DONE)
        rc = err_set(e, ERR_DB, "copy of %s: %s", table, sqlite3_errmsg(db));
    }
  }
  sqlite3_finalize(st);
  buf_free(&cols);
  buf_free(&sel);
  buf_free(&sql);
  return rc;
}

/* The catalog entry from the version's record; its title and other descriptions kept. */
static const char REPOINT_SQL[] =
    "UPDATE teselas_layers SET geometry_type=json_extract(?2,'$.geometry_type'),"
    " minx=CAST(json_extract(?2,'$.minx') AS REAL), miny=CAST(json_extract(?2,'$.miny') AS REAL),"
    " maxx=CAST(json_extract(?2,'$.maxx') AS REAL), maxy=CAST(json_extract(?2,'$.maxy') AS REAL),"
    " feature_count=json_extract(?2,'$.feature_count'), fields=json_extract(?2,'$.fields'),"
    " source_name=json_extract(?2,'$.source_name'),"
    " source_sha256=json_extract(?2,'$.source_sha256'), privacy=json_extract(?2,'$.privacy'),"
    " date_field=json_extract(?2,'$.date_field'), minzoom=json_extract(?2,'$.minzoom'),"
    " maxzoom=json_extract(?2,'$.maxzoom'), sample=json_extract(?2,'$.sample'),"
    " version=?3, updated_at=?4, table_name=?5, report=?6 WHERE id=?1";
static const char HISTORY_SQL[] =
    "INSERT INTO teselas_history(layer_id, version, imported_at, source_name, source_sha256,"
    " feature_count, report, table_name, catalog, rollback_of) VALUES(?1,?3,?4,?7,?8,?9,?6,?5,?2,"
    " ?10)";

static err_code repoint(sqlite3 *db, const char *id, const target *t, int64_t from, int64_t to,
                        const char *table, err *e) {
  char now[32];
  store_now_iso(now);
  const char *const sqls[2] = {REPOINT_SQL, HISTORY_SQL};
  err_code rc = ERR_OK;
  for (int i = 0; i < 2 && rc == ERR_OK; i++) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sqls[i], -1, &st, NULL) != SQLITE_OK)
      return err_set(e, ERR_DB, "catalog: %s", sqlite3_errmsg(db));
    /* both statements number their parameters alike; binding one a statement lacks is a
     * harmless SQLITE_RANGE */
    const char *text[] = {id, t->catalog, NULL, now, table, t->report, t->source_name,
                          t->source_sha256};
    for (int k = 0; k < 8; k++)
      if (text[k]) sqlite3_bind_text(st, k + 1, text[k], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, to);
    sqlite3_bind_int64(st, 9, t->count);
    sqlite3_bind_int64(st, 10, from);
    if (sqlite3_step(st) != SQLITE_DONE)
      rc = err_set(e, ERR_DB, "catalog: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
  }
  return rc;
}

static err_code rollback_in(sqlite3 *db, const char *id, int64_t from, int64_t *out_version,
                            err *e) {
  target t = {0};
  err_code rc = read_target(db, id, from, &t, e);
  /* a version waiting for review is published by its approval only */
  sqlite3_stmt *st = NULL;
  if (rc == ERR_OK &&
      sqlite3_prepare_v2(db, "SELECT 1 FROM teselas_reviews WHERE layer_id=? AND version=? AND"
                         " state='pending'", -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, from);
    if (sqlite3_step(st) == SQLITE_ROW)
      rc = err_set(e, ERR_INVALID, "version %lld of '%s' is waiting for review: only its "
                   "approval publishes it", (long long)from, id);
  }
  sqlite3_finalize(st);
  int64_t v = rc == ERR_OK ? store_next_version(db, id) : 0;
  char table[128];
  snprintf(table, sizeof table, "lyr_%s_v%lld", id, (long long)v);
  for (char *p = table; *p; p++)
    if (*p == '-') *p = '_';
  if (rc == ERR_OK) rc = copy_table(db, t.table, table, e);
  if (rc == ERR_OK) rc = copy_tile_lines(db, t.table, table, e);
  static const char *const PER_VERSION[] = {"teselas_agg_nodes", "teselas_agg_units",
                                            "teselas_styles"};
  for (int i = 0; i < 3 && rc == ERR_OK; i++)
    rc = copy_version_rows(db, PER_VERSION[i], id, from, v, e);
  if (rc == ERR_OK) rc = repoint(db, id, &t, from, v, table, e);
  if (rc == ERR_OK) *out_version = v;
  target_free(&t);
  return rc;
}

err_code store_layer_rollback(const char *db_path, const char *layer_id, int64_t to,
                              int64_t *out_version, err *e) {
  return store_layer_rollback_gated(db_path, layer_id, to, NULL, out_version, e);
}

err_code store_layer_rollback_gated(const char *db_path, const char *layer_id, int64_t to,
                                    const store_gate *gate, int64_t *out_version, err *e) {
  if (store_db_is_pg(db_path))
    return store_pg_layer_rollback(db_path, layer_id, to, gate, out_version, e);
  if (!store_layer_id_valid(layer_id))
    return err_set(e, ERR_INVALID, "layer id '%s' is not valid", layer_id);
  if (!store_path_exists(db_path)) return err_set(e, ERR_IO, "cannot open database %s", db_path);
  sqlite3 *db = NULL;
  void *spl = NULL;
  int64_t v = 0;
  int wait_ms = gate ? gate->wait_ms : 0;
  err_code rc = store_rw_open_wait(db_path, wait_ms, &db, &spl, e);
  if (rc == ERR_OK) rc = store_begin_write(db, db_path, wait_ms, "start rollback", e);
  if (rc == ERR_OK) rc = rollback_in(db, layer_id, to, &v, e);
  if (rc == ERR_OK && gate && gate->fn) rc = gate->fn(gate->ctx, v, e);
  if (rc == ERR_OK) rc = store_exec(db, "COMMIT", "commit rollback", e);
  if (rc != ERR_OK && db && !sqlite3_get_autocommit(db))
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  if (rc == ERR_OK) {
    sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    if (out_version) *out_version = v;
  }
  sqlite3_close(db);
  if (spl) store_spl_detach(spl);
  return rc;
}
