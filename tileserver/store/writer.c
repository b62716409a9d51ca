/* writer.c — the write side: one import builds one new version of a layer inside one
 * transaction, then repoints the catalog. A crash, kill -9 or error before COMMIT leaves the
 * database exactly as it was (SQLite's WAL guarantees it; tested by the importer tests).
 *
 * SpatiaLite registers the geometry column and its (still empty) spatial index when the table is
 * created, so the database is a regular SpatiaLite one for every reader (GDAL, QGIS, the
 * spatialite tool). Its 8 per-row triggers on the table (geometry constraint, timestamps, index
 * maintenance: 3 µs a row) are dropped before the rows go in and not put back: the index is
 * bulk-loaded (rtree_load.c), and a published version's table is never written again (a new
 * import, a rollback or a purge makes or drops whole tables). Kept, they cost every connection
 * their parse at its first statement and their release at close, whoever never writes them: on
 * the demo's 7 version tables, 2.8 M of an incremental seed's 58.8 M instructions (callgrind).
 * Versions written by earlier teselas keep theirs (dropping them would take the write lock on
 * opens that only read). Version tables are read-only for other tools too: an edit made in
 * QGIS or with ogr2ogr -update would leave the spatial index behind.
 *
 * Rows go first into a temporary table keyed by feature id (which refuses a repeated id as it
 * comes) and are copied into the version table at commit in curve order (curve.c): the version
 * table's INTEGER PRIMARY KEY is teselas_row, the position on the curve, and fid a unique
 * column. */
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_int.h"

#define STAGE_TABLE STORE_STAGE_TABLE

struct store_writer {
  sqlite3 *db;
  void *spl_cache;       /* SpatiaLite's per-connection cache */
  sqlite3_stmt *insert;
  char *table;
  char *id;
  layer_meta meta;       /* borrowed strings: valid until commit/abort (caller keeps them) */
  layer_field *fields;   /* borrowed */
  size_t n_fields;
  int64_t version;
  int64_t n_added;
  size_t index_cap;      /* rows up to which the index is bulk-loaded */
};

static void writer_free(store_writer *w) {
  if (!w) return;
  sqlite3_finalize(w->insert);
  if (w->db) sqlite3_close(w->db);
  if (w->spl_cache) store_spl_detach(w->spl_cache);
  free(w->table);
  free(w->id);
  free(w);
}

err_code store_rw_open(const char *path, sqlite3 **out_db, void **out_spl, err *e) {
  return store_rw_open_wait(path, STORE_WRITE_WAIT_MS, out_db, out_spl, e);
}

err_code store_begin_write(sqlite3 *db, const char *db_path, int wait_ms, const char *what,
                           err *e) {
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) return ERR_OK;
  if (sqlite3_errcode(db) == SQLITE_BUSY)
    return err_set(e, ERR_DB, "the database %s is busy: another writer held its write lock for "
                   "more than the %d ms this one waits (--busy-timeout-ms); nothing was written",
                   db_path, wait_ms > 0 ? wait_ms : STORE_WRITE_WAIT_MS);
  return store_write_error(db, what, e);
}

err_code store_rw_open_wait(const char *path, int wait_ms, sqlite3 **out_db, void **out_spl,
                            err *e) {
  if (store_db_is_pg(path)) /* the PostgreSQL backend reads; `teselas copy` writes it */
    return err_set(e, ERR_INVALID, "writing to PostgreSQL is not available yet: import into a "
                   "SpatiaLite file and `teselas copy --from FILE --to URI`");
  if (sqlite3_open_v2(path, out_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    return err_set(e, ERR_IO, "cannot open database %s: %s", path, sqlite3_errmsg(*out_db));
  sqlite3 *db = *out_db;
  sqlite3_busy_timeout(db, wait_ms > 0 ? wait_ms : STORE_WRITE_WAIT_MS);
  err_code rc = store_spl_attach(db, out_spl, e);
  if (rc == ERR_OK) rc = store_exec(db, "PRAGMA journal_mode=WAL", path, e);
  if (rc != ERR_OK) return rc;
  /* 64 MiB of page cache (default 2 MiB): building the R*Tree of a million features touches
   * ~50 MB of nodes in random order, and with the default cache every miss is a pread/pwrite
   * of the WAL (perf: 20% of an import in the kernel). A fixed cap, whatever the file size. */
  if ((rc = store_exec(db, "PRAGMA cache_size=-65536", path, e)) != ERR_OK) return rc;
  /* the rows wait in a temporary table until commit: the same cap for its pages */
  if ((rc = store_exec(db, "PRAGMA temp.cache_size=-65536", path, e)) != ERR_OK) return rc;
  sqlite3_stmt *st = NULL;
  sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name='geometry_columns'", -1, &st,
                     NULL);
  bool has_meta = st && sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  if (!has_meta && (rc = store_exec(db, "SELECT InitSpatialMetadata(1)", "SpatiaLite metadata",
                                    e)) != ERR_OK)
    return rc;
  rc = store_exec(db, STORE_SCHEMA_SQL, "catalog schema", e);
  return rc == ERR_OK ? store_history_migrate(db, e) : rc;
}

int64_t store_next_version(sqlite3 *db, const char *id) {
  sqlite3_stmt *st = NULL;
  int64_t v = 1;
  if (sqlite3_prepare_v2(db, "SELECT max(version) FROM teselas_history WHERE layer_id=?", -1, &st,
                         NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0) + 1;
  }
  sqlite3_finalize(st);
  return v;
}

/* Drops the triggers that `select` (one text parameter or none, one column: trigger names)
 * names. Collected first: SQLite cannot change the schema while a statement reads it. */
static err_code drop_triggers(sqlite3 *db, const char *select, const char *param, err *e) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, select, -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "triggers: %s", sqlite3_errmsg(db));
  if (param) sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
  buf drop;
  buf_init(&drop, 0);
  while (sqlite3_step(st) == SQLITE_ROW) {
    buf_puts(&drop, "DROP TRIGGER ");
    store_quote_ident(&drop, (const char *)sqlite3_column_text(st, 0));
    buf_puts(&drop, ";");
  }
  sqlite3_finalize(st);
  err_code rc = drop.failed ? err_set(e, ERR_NOMEM, "out of memory")
                : drop.len  ? store_exec(db, buf_cstr(&drop), "drop triggers", e)
                            : ERR_OK;
  buf_free(&drop);
  return rc;
}

/* Inside the import's (or rollback's) transaction: an abort brings them back with the table. */
err_code store_triggers_drop(sqlite3 *db, const char *table, err *e) {
  return drop_triggers(db, "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name=?",
                       table, e);
}

/* Appends ", name TYPE" for each field. */
static void field_columns(buf *sql, const store_writer *w) {
  for (size_t i = 0; i < w->n_fields; i++) {
    buf_puts(sql, ", ");
    store_quote_ident(sql, w->fields[i].name);
    buf_printf(sql, " %s", store_sql_type(w->fields[i].type));
  }
}

static err_code create_table(store_writer *w, err *e) {
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "CREATE TABLE ");
  store_quote_ident(&sql, w->table);
  buf_puts(&sql, "(teselas_row INTEGER PRIMARY KEY, fid INTEGER NOT NULL");
  field_columns(&sql, w);
  buf_puts(&sql, "); CREATE TABLE " STAGE_TABLE "(fid INTEGER PRIMARY KEY, geom BLOB");
  field_columns(&sql, w);
  buf_puts(&sql, ")");
  err_code rc = sql.failed ? err_set(e, ERR_NOMEM, "out of memory")
                           : store_exec(w->db, buf_cstr(&sql), "create layer table", e);
  if (rc == ERR_OK) {
    buf_reset(&sql);
    buf_printf(&sql,
               "SELECT AddGeometryColumn('%s', 'geom', 4326, 'GEOMETRY', 'XY');"
               " SELECT CreateSpatialIndex('%s', 'geom');",
               w->table, w->table);
    rc = store_exec(w->db, buf_cstr(&sql), "add geometry column", e);
  }
  if (rc == ERR_OK) rc = store_triggers_drop(w->db, w->table, e);
  if (rc == ERR_OK) {
    buf_reset(&sql);
    buf_puts(&sql, "INSERT INTO " STAGE_TABLE "(fid, geom");
    for (size_t i = 0; i < w->n_fields; i++) {
      buf_puts(&sql, ", ");
      store_quote_ident(&sql, w->fields[i].name);
    }
    buf_puts(&sql, ") VALUES(?, GeomFromWKB(?, 4326)");
    for (size_t i = 0; i < w->n_fields; i++) buf_puts(&sql, ", ?");
    buf_puts(&sql, ")");
    if (sqlite3_prepare_v2(w->db, buf_cstr(&sql), -1, &w->insert, NULL) != SQLITE_OK)
      rc = err_set(e, ERR_DB, "prepare insert: %s", sqlite3_errmsg(w->db));
  }
  buf_free(&sql);
  return rc;
}

err_code store_writer_begin(const char *db_path, const layer_meta *meta, const layer_field *fields,
                            size_t n_fields, store_writer **out, err *e) {
  *out = NULL;
  if (!store_layer_id_valid(meta->id))
    return err_set(e, ERR_INVALID,
                   "layer id '%s' is not valid: use 1-63 lower-case letters, digits, '_' or '-', "
                   "starting with a letter",
                   meta->id);
  store_writer *w = calloc(1, sizeof *w);
  if (!w) return err_set(e, ERR_NOMEM, "out of memory");
  w->meta = *meta;
  w->fields = (layer_field *)fields;
  w->n_fields = n_fields;
  w->id = strdup(meta->id);
  w->index_cap = STORE_RTREE_BULK_CAP;
  err_code rc = store_rw_open_wait(db_path, meta->busy_timeout_ms, &w->db, &w->spl_cache, e);
  /* A purge zeroes what it frees (and what the catalog's update overwrites), so the finer rows
   * are not left in free pages: see store_layer_remove for the figures. */
  if (rc == ERR_OK && meta->purge_reason)
    rc = store_exec(w->db, "PRAGMA secure_delete=ON", "secure delete", e);
  if (rc == ERR_OK)
    rc = store_begin_write(w->db, db_path, meta->busy_timeout_ms, "start import transaction", e);
  if (rc == ERR_OK) {
    w->version = store_next_version(w->db, meta->id);
    char table[128];
    snprintf(table, sizeof table, "lyr_%s_v%lld", meta->id, (long long)w->version);
    for (char *p = table; *p; p++)
      if (*p == '-') *p = '_';
    w->table = strdup(table);
    rc = (w->id && w->table) ? create_table(w, e) : err_set(e, ERR_NOMEM, "out of memory");
  }
  if (rc != ERR_OK) {
    store_writer_abort(w);
    return rc;
  }
  *out = w;
  return ERR_OK;
}

void store_writer_set_index_cap(store_writer *w, size_t cap) { w->index_cap = cap; }

err_code store_writer_add(store_writer *w, int64_t id, const uint8_t *wkb, size_t wkb_len,
                          const value *values, err *e) {
  sqlite3_stmt *st = w->insert;
  sqlite3_reset(st);
  if (id >= 0) sqlite3_bind_int64(st, 1, id);
  else sqlite3_bind_null(st, 1);
  sqlite3_bind_blob(st, 2, wkb, (int)wkb_len, SQLITE_STATIC);
  for (size_t i = 0; i < w->n_fields; i++) store_bind_value(st, 3 + (int)i, &values[i], false);
  if (sqlite3_step(st) != SQLITE_DONE) {
    int code = sqlite3_extended_errcode(w->db);
    if (code != SQLITE_CONSTRAINT_PRIMARYKEY) return store_write_error(w->db, "import", e);
    return err_set(e, ERR_INVALID, "feature %lld: %s", (long long)id, sqlite3_errmsg(w->db));
  }
  w->n_added++;
  return ERR_OK;
}

/* "Point" for POINT and MULTIPOINT, etc.: the most common base type of the layer. */
static err_code dominant_type(store_writer *w, char *out, size_t out_len, err *e) {
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "SELECT GeometryType(geom) AS t, count(*) AS n FROM ");
  store_quote_ident(&sql, w->table);
  buf_puts(&sql, " GROUP BY t ORDER BY n DESC LIMIT 1");
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(w->db, buf_cstr(&sql), -1, &st, NULL);
  buf_free(&sql);
  if (rc != SQLITE_OK) return err_set(e, ERR_DB, "geometry type: %s", sqlite3_errmsg(w->db));
  const char *t = sqlite3_step(st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
  const char *name = "Geometry";
  if (t && strstr(t, "POINT")) name = "Point";
  else if (t && strstr(t, "LINESTRING")) name = "LineString";
  else if (t && strstr(t, "POLYGON")) name = "Polygon";
  snprintf(out, out_len, "%s", name);
  sqlite3_finalize(st);
  return ERR_OK;
}

static char *fields_json(const store_writer *w) {
  json_t *arr = json_array();
  for (size_t i = 0; i < w->n_fields; i++) {
    const layer_field *f = &w->fields[i];
    json_t *o = json_pack("{s:s, s:s, s:s}", "name", f->name, "type", field_type_name(f->type),
                          "label", f->label ? f->label : f->name);
    for (size_t k = 0; k < w->meta.n_field_docs; k++) {
      const layer_field_doc *d = &w->meta.field_docs[k];
      if (strcmp(d->name, f->name) != 0) continue;
      if (d->description && d->description[0])
        json_object_set_new(o, "description", json_string(d->description));
      if (d->unit && d->unit[0]) json_object_set_new(o, "unit", json_string(d->unit));
    }
    json_array_append_new(arr, o);
  }
  char *s = json_dumps(arr, JSON_COMPACT);
  json_decref(arr);
  return s;
}

void store_now_iso(char out[32]) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Zooms where the layer is useful when the import did not set them: from the zoom at which its
 * bounds fill about one tile, three levels out, to street level. */
static void derive_zooms(const double b[4], int *minzoom, int *maxzoom) {
  double w = b[2] - b[0], h = b[3] - b[1];
  double span = w > h ? w : h;
  int fit = 0;
  while (fit < 14 && span > 0 && span * (double)(1 << (fit + 1)) <= 360.0) fit++;
  if (*minzoom < 0) *minzoom = fit > 3 ? fit - 3 : 0;
  if (*maxzoom < 0) *maxzoom = 16;
}

static err_code layer_stats(store_writer *w, double b[4], int64_t *count, err *e) {
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "SELECT min(MbrMinX(geom)), min(MbrMinY(geom)), max(MbrMaxX(geom)),"
                 " max(MbrMaxY(geom)), count(*) FROM ");
  store_quote_ident(&sql, w->table);
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(w->db, buf_cstr(&sql), -1, &st, NULL);
  buf_free(&sql);
  if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
    err_set(e, ERR_DB, "layer bounds: %s", sqlite3_errmsg(w->db));
    sqlite3_finalize(st);
    return ERR_DB;
  }
  for (int i = 0; i < 4; i++) b[i] = sqlite3_column_double(st, i);
  *count = sqlite3_column_int64(st, 4);
  sqlite3_finalize(st);
  return ERR_OK;
}

/* Copies the rows in curve order, fills the spatial index (packed, or row by row past the cap),
 * learns the layer's bounds, count and geometry type on the way, stores a line layer's lines for
 * tiles. */
static err_code finish_index(store_writer *w, store_layer_scan *scan, err *e) {
  bool done = false;
  /* the statement reads the staging table: finalised before the table goes */
  sqlite3_finalize(w->insert);
  w->insert = NULL;
  err_code rc = store_curve_copy(w->db, STAGE_TABLE, w->table, w->fields, w->n_fields, e);
  if (rc == ERR_OK) {
    buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "DROP TABLE " STAGE_TABLE "; ");
    if (w->meta.renumber) {
      buf_puts(&sql, "UPDATE ");
      store_quote_ident(&sql, w->table);
      buf_puts(&sql, " SET fid = teselas_row; ");
    }
    buf_puts(&sql, "CREATE UNIQUE INDEX ");
    char name[160];
    snprintf(name, sizeof name, "%s_fid", w->table);
    store_quote_ident(&sql, name);
    buf_puts(&sql, " ON ");
    store_quote_ident(&sql, w->table);
    buf_puts(&sql, "(fid)");
    rc = sql.failed ? err_set(e, ERR_NOMEM, "out of memory")
                    : store_exec(w->db, buf_cstr(&sql), "feature id index", e);
    buf_free(&sql);
  }
  if (rc == ERR_OK)
    rc = store_rtree_bulk_load(w->db, w->table, (size_t)w->n_added, w->index_cap, &done, scan, e);
  if (rc == ERR_OK && !done) {
    rc = store_rtree_fill_rows(w->db, w->table, e);
    if (rc == ERR_OK) rc = layer_stats(w, scan->bounds, &scan->count, e);
    if (rc == ERR_OK) rc = dominant_type(w, scan->geometry_type, sizeof scan->geometry_type, e);
  }
  if (rc == ERR_OK && strcmp(scan->geometry_type, "LineString") == 0)
    rc = store_tile_lines_build(w->db, w->table, e);
  return rc;
}

void store_bounds_step(double grid_m, double out[2]) {
  /* A degree of latitude is 110.6 km; of longitude 111.3 km × cos(lat), so one step of
   * grid_m / 111.3 km is a little under the grid in both directions at any latitude of Mexico:
   * the bounds never say more than "within about a cell". */
  out[0] = out[1] = grid_m > 0 ? grid_m / 111320.0 : 0;
}

/* Privacy layers: bounds rounded outwards to the grid (layer_meta.bounds_step), so neither
 * TileJSON nor a collection's extent is more precise than the data. */
void store_bounds_round(const double step[2], double b[4]) {
  for (int k = 0; k < 2; k++) {
    if (!(step[k] > 0)) continue;
    b[k] = floor(b[k] / step[k]) * step[k];
    b[k + 2] = ceil(b[k + 2] / step[k]) * step[k];
  }
  if (b[0] < -180) b[0] = -180;
  if (b[2] > 180) b[2] = 180;
  if (b[1] < -90) b[1] = -90;
  if (b[3] > 90) b[3] = 90;
}

static const char UPSERT_SQL[] =
    "INSERT INTO teselas_layers(id, title, description, license, publisher, frequency, keywords,"
    " source_name, source_sha256, privacy, date_field, geometry_type, minx, miny, maxx, maxy,"
    " feature_count, fields, version, updated_at, table_name, report, minzoom, maxzoom, sample)"
    " VALUES(?1, coalesce(?2, ?1), coalesce(?3,''), coalesce(?4,''), coalesce(?5,''),"
    " coalesce(?6,''), coalesce(?7,''), coalesce(?8,''), coalesce(?9,''), coalesce(?10,'{}'),"
    " coalesce(?11,''), ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)"
    " ON CONFLICT(id) DO UPDATE SET title=coalesce(?2, title),"
    " description=coalesce(?3, description), license=coalesce(?4, license),"
    " publisher=coalesce(?5, publisher), frequency=coalesce(?6, frequency),"
    " keywords=coalesce(?7, keywords), source_name=coalesce(?8, source_name),"
    " source_sha256=coalesce(?9, source_sha256), privacy=coalesce(?10, privacy),"
    " date_field=CASE WHEN ?26 THEN date_field ELSE coalesce(?11, date_field) END, geometry_type=?12, minx=?13, miny=?14, maxx=?15,"
    " maxy=?16, feature_count=?17, fields=?18, version=?19, updated_at=?20, table_name=?21,"
    " report=?22, minzoom=?23, maxzoom=?24, sample=?25";

static void bind_opt(sqlite3_stmt *st, int idx, const char *s) {
  if (s) sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
  else sqlite3_bind_null(st, idx);
}

static err_code upsert_catalog(store_writer *w, const char *report, const store_layer_scan *scan,
                               err *e) {
  const double *b = scan->bounds;
  int64_t count = scan->count;
  const char *gtype = scan->geometry_type;
  char now[32];
  store_now_iso(now);
  int minzoom = w->meta.minzoom, maxzoom = w->meta.maxzoom;
  derive_zooms(b, &minzoom, &maxzoom);
  char *fields = fields_json(w);
  sqlite3_stmt *st = NULL;
  if (!fields || sqlite3_prepare_v2(w->db, UPSERT_SQL, -1, &st, NULL) != SQLITE_OK) {
    free(fields);
    return err_set(e, ERR_DB, "catalog update: %s", sqlite3_errmsg(w->db));
  }
  const layer_meta *m = &w->meta;
  const char *opt[] = {m->title,       m->description,   m->license, m->publisher, m->frequency,
                       m->keywords,    m->source_name,   m->source_sha256, m->privacy,
                       m->date_field};
  sqlite3_bind_text(st, 1, w->id, -1, SQLITE_STATIC);
  for (int i = 0; i < 10; i++) bind_opt(st, 2 + i, opt[i]);
  sqlite3_bind_text(st, 12, gtype, -1, SQLITE_STATIC);
  for (int i = 0; i < 4; i++) sqlite3_bind_double(st, 13 + i, b[i]);
  sqlite3_bind_int64(st, 17, count);
  sqlite3_bind_text(st, 18, fields, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 26, m->date_field_guessed);
  sqlite3_bind_int64(st, 19, w->version);
  sqlite3_bind_text(st, 20, now, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 21, w->table, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 22, report ? report : "{}", -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 23, minzoom);
  sqlite3_bind_int(st, 24, maxzoom);
  sqlite3_bind_int(st, 25, m->sample ? 1 : 0);
  err_code rc = sqlite3_step(st) == SQLITE_DONE
           ? ERR_OK
           : err_set(e, ERR_DB, "catalog update: %s", sqlite3_errmsg(w->db));
  sqlite3_finalize(st);
  free(fields);
  if (rc != ERR_OK) return rc;

  sqlite3_stmt *h = NULL;
  if (sqlite3_prepare_v2(w->db,
                         "INSERT INTO teselas_history(layer_id, version, imported_at, source_name,"
                         " source_sha256, feature_count, report, table_name)"
                         " VALUES(?,?,?,coalesce(?,''),coalesce(?,''),?,?,?)",
                         -1, &h, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "history: %s", sqlite3_errmsg(w->db));
  sqlite3_bind_text(h, 1, w->id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(h, 2, w->version);
  sqlite3_bind_text(h, 3, now, -1, SQLITE_STATIC);
  bind_opt(h, 4, m->source_name);
  bind_opt(h, 5, m->source_sha256);
  sqlite3_bind_int64(h, 6, count);
  sqlite3_bind_text(h, 7, report ? report : "{}", -1, SQLITE_STATIC);
  sqlite3_bind_text(h, 8, w->table, -1, SQLITE_STATIC);
  rc = sqlite3_step(h) == SQLITE_DONE ? ERR_OK
                                      : err_set(e, ERR_DB, "history: %s", sqlite3_errmsg(w->db));
  sqlite3_finalize(h);
  return rc;
}

/* SQL that drops one version's table, its spatial index and its side table. */
static void drop_version_sql(buf *sql, const char *table) {
  buf_printf(sql,
             "SELECT DisableSpatialIndex('%s','geom'); DROP TABLE IF EXISTS \"idx_%s_geom\";"
             " SELECT DiscardGeometryColumn('%s','geom'); DROP TABLE IF EXISTS \"%s\";"
             " DROP TABLE IF EXISTS \"%s_tile_lines\";",
             table, table, table, table, table);
}

/* Drops the tables of the layer's versions up to max_version; their history rows stay (with an
 * empty table_name) as the record of what was published when. With a note (a purge), every such
 * history row, tables dropped earlier included, has its report replaced by the note: an old
 * report's examples may quote what the new policy withholds. */
static err_code drop_versions(sqlite3 *db, const char *id, int64_t max_version, const char *note,
                              err *e) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "SELECT version, table_name FROM teselas_history WHERE layer_id=? AND"
                         " table_name<>'' AND version<=?",
                         -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "prune: %s", sqlite3_errmsg(db));
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, max_version);
  /* Collect first: SQLite cannot drop a table while a statement over the schema is running. */
  buf sql;
  buf_init(&sql, 0);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *table = (const char *)sqlite3_column_text(st, 1);
    drop_version_sql(&sql, table);
    /* the catalog entry recorded with it goes too: a finer version's bounds are exact positions */
    buf_printf(&sql,
               " UPDATE teselas_history SET table_name='', catalog=NULL WHERE layer_id='%s' AND"
               " version=%lld;",
               id, (long long)sqlite3_column_int64(st, 0));
  }
  sqlite3_finalize(st);
  err_code rc = sql.failed ? err_set(e, ERR_NOMEM, "out of memory")
                           : sql.len ? store_exec(db, buf_cstr(&sql), "drop old version", e)
                                     : ERR_OK;
  buf_free(&sql);
  if (rc == ERR_OK) rc = store_units_prune(db, id, max_version, e);
  if (rc == ERR_OK && note) {
    sqlite3_stmt *u = NULL;
    if (sqlite3_prepare_v2(db, "UPDATE teselas_history SET report=? WHERE layer_id=? AND version<=?",
                           -1, &u, NULL) != SQLITE_OK)
      return err_set(e, ERR_DB, "history: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(u, 1, note, -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(u, 3, max_version);
    rc = sqlite3_step(u) == SQLITE_DONE ? ERR_OK
                                        : err_set(e, ERR_DB, "history: %s", sqlite3_errmsg(db));
    sqlite3_finalize(u);
  }
  return rc;
}

/* The report a purged or removed version keeps in the history. Caller frees. */
static char *purge_note(const char *status, const char *reason) {
  char now[32];
  store_now_iso(now);
  json_t *o = json_pack("{s:s, s:s, s:s}", "status", status, "at", now, "reason",
                        reason ? reason : "");
  char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return text;
}

/* Versions older than the newest keep_versions, or, when the new version is coarser than the
 * published ones, every earlier version. */
err_code store_versions_prune(sqlite3 *db, const char *id, int64_t version, int keep_versions,
                              const char *purge_reason, err *e) {
  if (purge_reason) {
    char *note = purge_note("purged", purge_reason);
    err_code rc = note ? drop_versions(db, id, version - 1, note, e)
                       : err_set(e, ERR_NOMEM, "out of memory");
    free(note);
    return rc;
  }
  int keep = keep_versions > 0 ? keep_versions : 3;
  return drop_versions(db, id, version - keep, NULL, e);
}

void store_version_drop_sql(buf *sql, const char *table) { drop_version_sql(sql, table); }

static err_code prune_versions(store_writer *w, err *e) {
  return store_versions_prune(w->db, w->id, w->version, w->meta.keep_versions,
                              w->meta.purge_reason, e);
}

err_code store_writer_commit(store_writer *w, const char *report_json, int64_t *out_version,
                             err *e) {
  store_layer_scan scan = {.count = 0};
  err_code rc = finish_index(w, &scan, e);
  if (rc == ERR_OK) store_bounds_round(w->meta.bounds_step, scan.bounds);
  if (rc == ERR_OK && scan.count == 0)
    rc = err_set(e, ERR_INVALID, "no valid feature to publish for layer %s", w->id);
  /* a version that waits for review: the catalog entry is written as for a publication (one
   * code path), kept aside with the review, and the published entry put back (review.c) */
  bool review = w->meta.review_by != NULL;
  if (rc == ERR_OK && review) rc = store_review_save_published(w->db, w->id, e);
  if (rc == ERR_OK) rc = upsert_catalog(w, report_json, &scan, e);
  if (rc == ERR_OK) rc = store_history_snapshot(w->db, w->id, w->version, e);
  if (rc == ERR_OK && review) {
    store_review_park p = {.layer_id = w->id, .version = w->version,
                           .submitted_by = w->meta.review_by,
                           .keep_versions = w->meta.keep_versions,
                           .purge_reason = w->meta.purge_reason};
    int64_t n = 0;
    rc = store_review_park_version(w->db, &p, &n, e);
    if (rc == ERR_OK && w->meta.out_review) *w->meta.out_review = n;
  }
  if (rc == ERR_OK && !review) rc = prune_versions(w, e);
  if (rc == ERR_OK && w->meta.gate && w->meta.gate->fn)
    rc = w->meta.gate->fn(w->meta.gate->ctx, w->version, e);
  if (rc == ERR_OK) {
    sqlite3_finalize(w->insert);
    w->insert = NULL;
    rc = store_exec(w->db, "COMMIT", "commit import", e);
  }
  if (rc != ERR_OK) {
    store_writer_abort(w);
    return rc;
  }
  if (out_version) *out_version = w->version;
  /* Fold the WAL back into the file so the database is one self-contained file at rest; after a
   * purge, truncate it too: its frames still hold the pages as they were before they were
   * zeroed. */
  sqlite3_wal_checkpoint_v2(w->db, NULL,
                            w->meta.purge_reason ? SQLITE_CHECKPOINT_TRUNCATE
                                                 : SQLITE_CHECKPOINT_PASSIVE,
                            NULL, NULL);
  writer_free(w);
  return ERR_OK;
}

void store_writer_abort(store_writer *w) {
  if (!w) return;
  if (w->db && !sqlite3_get_autocommit(w->db)) {
    sqlite3_finalize(w->insert);
    w->insert = NULL;
    sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
  }
  writer_free(w);
}

err_code store_layer_checksum(const char *db_path, const char *layer_id, char out_hex[65],
                              err *e) {
  out_hex[0] = '\0';
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    sqlite3_close(db);
    return ERR_OK; /* no database yet: no layer */
  }
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT source_sha256 FROM teselas_layers WHERE id=?", -1, &st,
                         NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, layer_id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
      snprintf(out_hex, 65, "%s", (const char *)sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return ERR_OK;
}

int64_t store_writer_version(const store_writer *w) { return w->version; }

bool store_writer_pending(const store_writer *w) { return w->meta.review_by != NULL; }

sqlite3 *store_writer_db(const store_writer *w) { return w->db; }

const char *store_writer_layer_id(const store_writer *w) { return w->id; }

err_code store_writer_duplicates(store_writer *w, const char *field, int64_t *out_n,
                                 char *out_example, size_t example_len, err *e) {
  *out_n = 0;
  if (out_example && example_len) out_example[0] = '\0';
  buf sql;
  buf_init(&sql, 0);
  /* count(DISTINCT) sorts through SQLite's temporary b-tree: bounded memory on any size. */
  buf_puts(&sql, "SELECT count(");
  store_quote_ident(&sql, field);
  buf_puts(&sql, ") - count(DISTINCT ");
  store_quote_ident(&sql, field);
  buf_puts(&sql, "), (SELECT ");
  store_quote_ident(&sql, field);
  buf_puts(&sql, " FROM " STAGE_TABLE " WHERE ");
  store_quote_ident(&sql, field);
  buf_puts(&sql, " IS NOT NULL GROUP BY 1 HAVING count(*) > 1 LIMIT 1) FROM " STAGE_TABLE);
  sqlite3_stmt *st = NULL;
  int rc = sql.failed ? SQLITE_NOMEM : sqlite3_prepare_v2(w->db, buf_cstr(&sql), -1, &st, NULL);
  buf_free(&sql);
  if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
    err_set(e, ERR_DB, "duplicate ids: %s", sqlite3_errmsg(w->db));
    sqlite3_finalize(st);
    return ERR_DB;
  }
  *out_n = sqlite3_column_int64(st, 0);
  const char *ex = (const char *)sqlite3_column_text(st, 1);
  if (out_example && example_len && ex) snprintf(out_example, example_len, "%s", ex);
  sqlite3_finalize(st);
  return ERR_OK;
}

static err_code layer_column(const char *db_path, const char *sql, const char *layer_id,
                             char **out_json, err *e) {
  *out_json = NULL;
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    sqlite3_close(db);
    return ERR_OK; /* no database yet: no layer */
  }
  sqlite3_stmt *st = NULL;
  err_code rc = ERR_OK;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, layer_id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
      *out_json = strdup((const char *)sqlite3_column_text(st, 0));
      if (!*out_json) rc = err_set(e, ERR_NOMEM, "out of memory");
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

err_code store_layer_report(const char *db_path, const char *layer_id, char **out_json, err *e) {
  return layer_column(db_path, "SELECT report FROM teselas_layers WHERE id=?", layer_id, out_json,
                      e);
}

err_code store_layer_privacy(const char *db_path, const char *layer_id, char **out_json, err *e) {
  return layer_column(db_path, "SELECT privacy FROM teselas_layers WHERE id=?", layer_id, out_json,
                      e);
}

/* Deletes the catalog entry and records the removal in the history (a row after the last
 * version, so a later import starts a new version number). */
static err_code forget_layer(sqlite3 *db, const char *id, const char *note, err *e) {
  sqlite3_stmt *st = NULL;
  err_code rc = ERR_OK;
  if (sqlite3_prepare_v2(db, "DELETE FROM teselas_layers WHERE id=?", -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "catalog: %s", sqlite3_errmsg(db));
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_DONE) rc = err_set(e, ERR_DB, "catalog: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  if (rc != ERR_OK) return rc;
  char now[32];
  store_now_iso(now);
  if (sqlite3_prepare_v2(db,
                         "INSERT INTO teselas_history(layer_id, version, imported_at, feature_count,"
                         " report, table_name) SELECT ?1, coalesce(max(version), 0) + 1, ?2, 0, ?3,"
                         " '' FROM teselas_history WHERE layer_id=?1",
                         -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "history: %s", sqlite3_errmsg(db));
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_DONE) rc = err_set(e, ERR_DB, "history: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

static bool layer_published(sqlite3 *db, const char *id) {
  sqlite3_stmt *st = NULL;
  bool found = sqlite3_prepare_v2(db, "SELECT 1 FROM teselas_layers WHERE id=?", -1, &st, NULL) ==
               SQLITE_OK;
  if (found) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  return found;
}

/* secure_delete rather than VACUUM, measured on the 131,141 points of the SSP-CDMX file (31 MB):
 * dropping the exact version takes 0.71 s, 1.69 s with secure_delete; VACUUM takes 0.42 s on the
 * 6.6 MB left and 1.3-1.9 s on a 55 MB file, growing with every other layer of the database.
 * secure_delete costs what the removed rows cost and runs inside the transaction (a VACUUM cannot),
 * so a crash never leaves the rows in free pages. */
err_code store_layer_remove(const char *db_path, const char *layer_id, const char *reason, err *e) {
  return store_layer_remove_gated(db_path, layer_id, reason, NULL, e);
}

err_code store_layer_remove_gated(const char *db_path, const char *layer_id, const char *reason,
                                  const store_gate *gate, err *e) {
  if (store_db_is_pg(db_path)) return store_pg_layer_remove(db_path, layer_id, reason, gate, e);
  if (!store_layer_id_valid(layer_id))
    return err_set(e, ERR_INVALID, "layer id '%s' is not valid", layer_id);
  if (!store_path_exists(db_path)) return err_set(e, ERR_IO, "cannot open database %s", db_path);
  store_writer *w = calloc(1, sizeof *w);
  if (!w) return err_set(e, ERR_NOMEM, "out of memory");
  char *note = purge_note("removed", reason);
  int wait_ms = gate ? gate->wait_ms : 0;
  err_code rc = note ? store_rw_open_wait(db_path, wait_ms, &w->db, &w->spl_cache, e)
                     : err_set(e, ERR_NOMEM, "out of memory");
  if (rc == ERR_OK) rc = store_exec(w->db, "PRAGMA secure_delete=ON", "secure delete", e);
  if (rc == ERR_OK) rc = store_begin_write(w->db, db_path, wait_ms, "start removal", e);
  bool pending = false; /* a version waiting for review goes too, even of a layer never published */
  if (rc == ERR_OK) rc = store_review_forget(w->db, layer_id, reason, &pending, e);
  if (rc == ERR_OK && !pending && !layer_published(w->db, layer_id))
    rc = err_set(e, ERR_NOT_FOUND, "no layer '%s' in %s", layer_id, db_path);
  if (rc == ERR_OK) rc = drop_versions(w->db, layer_id, INT64_MAX, note, e);
  if (rc == ERR_OK) rc = forget_layer(w->db, layer_id, note, e);
  if (rc == ERR_OK && gate && gate->fn) rc = gate->fn(gate->ctx, 0, e);
  if (rc == ERR_OK) rc = store_exec(w->db, "COMMIT", "commit removal", e);
  if (rc == ERR_OK &&
      sqlite3_wal_checkpoint_v2(w->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_DB, "checkpoint: %s (a server still reading? the rows are deleted; "
                 "run the command again once it stops)", sqlite3_errmsg(w->db));
  if (rc != ERR_OK && w->db && !sqlite3_get_autocommit(w->db))
    sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
  free(note);
  writer_free(w);
  return rc;
}
