/* mbtiles.c — MBTiles 1.3 writer and reader (see mbtiles.h).
 *
 * Bulk writing: every tile goes into one transaction with the rollback journal off, synchronous
 * off and an exclusive lock. That is safe here only because the file is a fresh temporary one,
 * renamed into place after the commit: a crash leaves a file that is deleted, never a database
 * someone reads. The page size is 8 KiB (PNG tiles of a few KB fill fewer pages than at 4 KiB).
 * Contents are keyed by a 64-bit hash in hex; a hash met with other bytes gets a "-N" suffix, so
 * distinct tiles never share a row. */
#include "store/mbtiles.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "store/store_int.h"

/* The writer's page cache is bounded at 512 KiB: tiles arrive in order and the index pages they
 * touch are few, and SQLite's default 2 MiB was a fifth of a seed's heap (heaptrack). */
static const char SCHEMA_SQL[] =
    "PRAGMA page_size=8192;"
    "PRAGMA journal_mode=OFF;"
    "PRAGMA synchronous=OFF;"
    "PRAGMA locking_mode=EXCLUSIVE;"
    "PRAGMA cache_size=-512;"
    "CREATE TABLE metadata (name TEXT, value TEXT);"
    "CREATE UNIQUE INDEX name ON metadata (name);"
    "CREATE TABLE map (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_id TEXT);"
    "CREATE UNIQUE INDEX map_index ON map (zoom_level, tile_column, tile_row);"
    "CREATE TABLE images (tile_data BLOB, tile_id TEXT);"
    "CREATE UNIQUE INDEX images_id ON images (tile_id);"
    "CREATE VIEW tiles AS SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column,"
    " map.tile_row AS tile_row, images.tile_data AS tile_data"
    " FROM map JOIN images ON images.tile_id = map.tile_id;"
    "BEGIN;";

struct mbtiles_writer {
  sqlite3 *db;
  sqlite3_stmt *meta, *find, *image, *map;
  uint64_t n_contents;
  bool done;
};

static err_code db_fail(sqlite3 *db, err *e, const char *what) {
  return err_set(e, ERR_DB, "mbtiles: %s: %s", what, sqlite3_errmsg(db));
}

err_code store_mbtiles_create(const char *path, mbtiles_writer **out, err *e) {
  *out = NULL;
  mbtiles_writer *w = calloc(1, sizeof *w);
  if (!w) return err_set(e, ERR_NOMEM, "out of memory");
  err_code rc = ERR_OK;
  if (sqlite3_open_v2(path, &w->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
      SQLITE_OK) {
    rc = err_set(e, ERR_IO, "cannot create %s: %s", path, w->db ? sqlite3_errmsg(w->db) : "no memory");
    goto done;
  }
  if ((rc = store_exec(w->db, SCHEMA_SQL, "mbtiles schema", e)) != ERR_OK) {
    rc = err_set(e, ERR_IO, "cannot write %s: %s", path, e ? e->msg : "");
    goto done;
  }
  const struct { sqlite3_stmt **st; const char *sql; } S[] = {
      {&w->meta, "INSERT OR REPLACE INTO metadata(name, value) VALUES (?, ?)"},
      {&w->find, "SELECT tile_data FROM images WHERE tile_id = ?"},
      {&w->image, "INSERT INTO images(tile_data, tile_id) VALUES (?, ?)"},
      {&w->map, "INSERT INTO map(zoom_level, tile_column, tile_row, tile_id) VALUES (?, ?, ?, ?)"}};
  for (size_t i = 0; i < sizeof S / sizeof *S && rc == ERR_OK; i++)
    if (sqlite3_prepare_v2(w->db, S[i].sql, -1, S[i].st, NULL) != SQLITE_OK)
      rc = db_fail(w->db, e, "prepare");
done:
  if (rc != ERR_OK) {
    store_mbtiles_close(w);
    return rc;
  }
  *out = w;
  return ERR_OK;
}

static err_code step_done(sqlite3 *db, sqlite3_stmt *st, err *e, const char *what) {
  int s = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return s == SQLITE_DONE ? ERR_OK : db_fail(db, e, what);
}

err_code store_mbtiles_meta_put(mbtiles_writer *w, const char *name, const char *text, err *e) {
  sqlite3_bind_text(w->meta, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text(w->meta, 2, text, -1, SQLITE_STATIC);
  return step_done(w->db, w->meta, e, "metadata");
}

/* The row id of data in images, inserting it when new: hex hash, "-N" after a collision. */
static err_code image_id(mbtiles_writer *w, const void *data, size_t len, char id[40], err *e) {
  uint64_t h = hash_mix64(hash_fnv64(HASH_FNV64_SEED, data, len) ^ len);
  for (unsigned n = 0;; n++) {
    if (n) snprintf(id, 40, "%016llx-%u", (unsigned long long)h, n);
    else snprintf(id, 40, "%016llx", (unsigned long long)h);
    sqlite3_bind_text(w->find, 1, id, -1, SQLITE_STATIC);
    int s = sqlite3_step(w->find);
    bool same = s == SQLITE_ROW && (size_t)sqlite3_column_bytes(w->find, 0) == len &&
                memcmp(sqlite3_column_blob(w->find, 0), data, len) == 0;
    sqlite3_reset(w->find);
    sqlite3_clear_bindings(w->find);
    if (s != SQLITE_ROW && s != SQLITE_DONE) return db_fail(w->db, e, "reading images");
    if (same) return ERR_OK;
    if (s == SQLITE_ROW) continue; /* another content under this hash */
    sqlite3_bind_blob(w->image, 1, data, (int)len, SQLITE_STATIC);
    sqlite3_bind_text(w->image, 2, id, -1, SQLITE_STATIC);
    w->n_contents++;
    return step_done(w->db, w->image, e, "writing a tile");
  }
}

err_code store_mbtiles_add(mbtiles_writer *w, unsigned z, uint32_t x, uint32_t y,
                           const void *data, size_t len, err *e) {
  if (z > 30 || len > INT32_MAX) return err_set(e, ERR_INVALID, "mbtiles: tile %u/%u/%u", z, x, y);
  char id[40];
  err_code rc = image_id(w, data, len, id, e);
  if (rc != ERR_OK) return rc;
  sqlite3_bind_int(w->map, 1, (int)z);
  sqlite3_bind_int64(w->map, 2, x);
  sqlite3_bind_int64(w->map, 3, ((int64_t)1 << z) - 1 - y); /* TMS: rows counted from the south */
  sqlite3_bind_text(w->map, 4, id, -1, SQLITE_STATIC);
  return step_done(w->db, w->map, e, "writing a tile");
}

/* ---- copying an earlier file's tiles ----
 * An incremental seed into MBTiles keeps most tiles of the earlier file. Asking for them one by
 * one (a SELECT and two INSERTs per address) cost more than making the few that changed; in SQL
 * they are copied page to page, the content ids with them, so a tile made again later finds its
 * content already stored when it did not change. */

static const char COPY_MAP_SQL[] =
    "INSERT INTO main.map(zoom_level, tile_column, tile_row, tile_id)"
    " SELECT zoom_level, tile_column, tile_row, tile_id FROM earlier.map m"
    " WHERE zoom_level = ?1 AND tile_column BETWEEN ?2 AND ?3 AND tile_row BETWEEN ?4 AND ?5"
    " AND NOT EXISTS (SELECT 1 FROM temp.skip s WHERE s.z = m.zoom_level AND s.x = m.tile_column"
    " AND s.row = m.tile_row)";

/* Whether the attached file has this writer's tables and unique content ids. */
static err_code earlier_layout(mbtiles_writer *w, bool *out, err *e) {
  sqlite3_stmt *st = NULL;
  *out = false;
  if (sqlite3_prepare_v2(w->db,
                         "SELECT count(*) FROM earlier.sqlite_master WHERE (type = 'table' AND"
                         " name IN ('map', 'images')) OR (type = 'index' AND name = 'images_id'"
                         " AND tbl_name = 'images')", -1, &st, NULL) != SQLITE_OK)
    return db_fail(w->db, e, "reading the earlier file");
  int s = sqlite3_step(st);
  if (s == SQLITE_ROW) *out = sqlite3_column_int(st, 0) == 3;
  sqlite3_finalize(st);
  return s == SQLITE_ROW ? ERR_OK : db_fail(w->db, e, "reading the earlier file");
}

static err_code fill_skip(mbtiles_writer *w, const mbtiles_xyz *skip, size_t n_skip, err *e) {
  sqlite3_stmt *st = NULL;
  err_code rc = store_exec(w->db, "CREATE TEMP TABLE skip (z INTEGER, x INTEGER, row INTEGER,"
                           " PRIMARY KEY (z, x, row)) WITHOUT ROWID", "mbtiles copy", e);
  if (rc == ERR_OK &&
      sqlite3_prepare_v2(w->db, "INSERT OR IGNORE INTO temp.skip VALUES (?, ?, ?)", -1, &st,
                         NULL) != SQLITE_OK)
    rc = db_fail(w->db, e, "prepare");
  for (size_t i = 0; i < n_skip && rc == ERR_OK; i++) {
    if (skip[i].z > 30) continue;
    sqlite3_bind_int(st, 1, (int)skip[i].z);
    sqlite3_bind_int64(st, 2, skip[i].x);
    sqlite3_bind_int64(st, 3, ((int64_t)1 << skip[i].z) - 1 - skip[i].y);
    rc = step_done(w->db, st, e, "mbtiles copy");
  }
  sqlite3_finalize(st);
  return rc;
}

/* Binds a span as ?1 zoom, ?2-?3 columns, ?4-?5 TMS rows; false for a span that holds nothing. */
static bool bind_span(sqlite3_stmt *st, const mbtiles_span *sp) {
  if (sp->z > 30 || sp->x0 > sp->x1 || sp->y0 > sp->y1) return false;
  int64_t last = ((int64_t)1 << sp->z) - 1; /* TMS rows: y1 is the southmost, the lowest row */
  sqlite3_bind_int(st, 1, (int)sp->z);
  sqlite3_bind_int64(st, 2, sp->x0);
  sqlite3_bind_int64(st, 3, sp->x1);
  sqlite3_bind_int64(st, 4, last - sp->y1);
  sqlite3_bind_int64(st, 5, last - sp->y0);
  return true;
}

static err_code copy_spans(mbtiles_writer *w, const mbtiles_span *spans, size_t n_spans,
                           uint64_t *n_copied, err *e) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(w->db, COPY_MAP_SQL, -1, &st, NULL) != SQLITE_OK)
    return db_fail(w->db, e, "prepare");
  err_code rc = ERR_OK;
  for (size_t i = 0; i < n_spans && rc == ERR_OK; i++) {
    if (!bind_span(st, &spans[i])) continue;
    rc = step_done(w->db, st, e, "copying the earlier tiles");
    if (rc == ERR_OK) *n_copied += (uint64_t)sqlite3_changes(w->db);
  }
  sqlite3_finalize(st);
  if (rc == ERR_OK)
    rc = store_exec(w->db, "INSERT INTO main.images(tile_data, tile_id) SELECT tile_data, tile_id"
                    " FROM earlier.images WHERE tile_id IN (SELECT tile_id FROM main.map)",
                    "copying the earlier tiles", e);
  if (rc == ERR_OK) w->n_contents += (uint64_t)sqlite3_changes(w->db);
  return rc;
}

err_code store_mbtiles_copy(mbtiles_writer *w, const char *old_path, const mbtiles_span *spans,
                            size_t n_spans, const mbtiles_xyz *skip, size_t n_skip,
                            uint64_t *out_n_copied, bool *out_done, err *e) {
  *out_n_copied = 0;
  *out_done = false;
  /* ATTACH is refused inside a transaction: the one opened at create holds nothing yet. The
   * earlier file is only read (it may be the file this one will replace: rename keeps it open). */
  /* The writer's exclusive locking would pass to the attached file (a bare locking_mode is every
   * database's and the default of those attached later): the earlier archive, only read, is
   * attached in normal locking, so it is neither held locked for the whole seed nor checkpointed
   * as its only user. */
  err_code rc = store_exec(w->db, "COMMIT; PRAGMA locking_mode=NORMAL", "mbtiles copy", e);
  sqlite3_stmt *st = NULL;
  bool attached = false;
  if (rc == ERR_OK && sqlite3_prepare_v2(w->db, "ATTACH ? AS earlier", -1, &st, NULL) != SQLITE_OK)
    rc = db_fail(w->db, e, "prepare");
  if (rc == ERR_OK) {
    sqlite3_bind_text(st, 1, old_path, -1, SQLITE_STATIC);
    attached = sqlite3_step(st) == SQLITE_DONE;  /* not attached: the caller walks it instead */
  }
  sqlite3_finalize(st);
  if (rc == ERR_OK)
    rc = store_exec(w->db, "PRAGMA main.locking_mode=EXCLUSIVE", "mbtiles copy", e);
  if (rc == ERR_OK && attached)
    rc = store_exec(w->db, "PRAGMA earlier.cache_size=-512", "mbtiles copy", e);
  if (rc == ERR_OK) rc = store_exec(w->db, "BEGIN", "mbtiles copy", e);
  if (rc != ERR_OK || !attached) return rc;
  bool ours = false;
  if (rc == ERR_OK) rc = earlier_layout(w, &ours, e);
  if (rc == ERR_OK && ours) rc = fill_skip(w, skip, n_skip, e);
  if (rc == ERR_OK && ours) rc = copy_spans(w, spans, n_spans, out_n_copied, e);
  if (rc == ERR_OK) *out_done = ours;
  return rc;
}

err_code store_mbtiles_finish(mbtiles_writer *w, err *e) {
  err_code rc = store_exec(w->db, "COMMIT", "mbtiles commit", e);
  if (rc == ERR_OK) w->done = true;
  return rc;
}

uint64_t store_mbtiles_n_contents(const mbtiles_writer *w) { return w->n_contents; }

void store_mbtiles_close(mbtiles_writer *w) {
  if (!w) return;
  sqlite3_finalize(w->meta);
  sqlite3_finalize(w->find);
  sqlite3_finalize(w->image);
  sqlite3_finalize(w->map);
  sqlite3_close(w->db);
  free(w);
}

/* ---- reader ---- */

struct mbtiles_reader {
  sqlite3 *db;
  sqlite3_stmt *tile, *meta;
  sqlite3_stmt *content;  /* prepared by store_mbtiles_cells */
};

err_code store_mbtiles_open(const char *path, mbtiles_reader **out, err *e) {
  *out = NULL;
  mbtiles_reader *r = calloc(1, sizeof *r);
  if (!r) return err_set(e, ERR_NOMEM, "out of memory");
  err_code rc = ERR_OK;
  if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_IO, "cannot open %s: %s", path, r->db ? sqlite3_errmsg(r->db) : "no memory");
  else if (sqlite3_prepare_v2(r->db,
                              "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? "
                              "AND tile_row = ?", -1, &r->tile, NULL) != SQLITE_OK ||
           sqlite3_prepare_v2(r->db, "SELECT value FROM metadata WHERE name = ?", -1, &r->meta,
                              NULL) != SQLITE_OK)
    rc = err_set(e, ERR_INVALID, "%s is not an MBTiles file: %s", path, sqlite3_errmsg(r->db));
  if (rc != ERR_OK) {
    store_mbtiles_reader_close(r);
    return rc;
  }
  *out = r;
  return ERR_OK;
}

err_code store_mbtiles_tile(mbtiles_reader *r, unsigned z, uint32_t x, uint32_t y, buf *out,
                            bool *found, err *e) {
  *found = false;
  if (z > 30 || x >> z || y >> z) return ERR_OK;
  sqlite3_bind_int(r->tile, 1, (int)z);
  sqlite3_bind_int64(r->tile, 2, x);
  sqlite3_bind_int64(r->tile, 3, ((int64_t)1 << z) - 1 - y);
  int s = sqlite3_step(r->tile);
  err_code rc = ERR_OK;
  if (s == SQLITE_ROW) {
    *found = true;
    if (!buf_append(out, sqlite3_column_blob(r->tile, 0), (size_t)sqlite3_column_bytes(r->tile, 0)))
      rc = err_set(e, out->over_limit ? ERR_LIMIT : ERR_NOMEM, "mbtiles: tile too large");
  } else if (s != SQLITE_DONE) {
    rc = db_fail(r->db, e, "reading a tile");
  }
  sqlite3_reset(r->tile);
  return rc;
}

err_code store_mbtiles_zooms(mbtiles_reader *r, unsigned *out_min, unsigned *out_max, bool *found,
                             err *e) {
  *found = false;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(r->db, "SELECT min(zoom_level), max(zoom_level) FROM tiles", -1, &st,
                         NULL) != SQLITE_OK)
    return db_fail(r->db, e, "reading the zooms");
  err_code rc = ERR_OK;
  int s = sqlite3_step(st);
  if (s == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
    sqlite3_int64 lo = sqlite3_column_int64(st, 0), hi = sqlite3_column_int64(st, 1);
    *found = lo >= 0 && hi <= 30 && lo <= hi;
    if (!*found) rc = err_set(e, ERR_INVALID, "mbtiles: zoom levels %lld to %lld", lo, hi);
    *out_min = (unsigned)lo, *out_max = (unsigned)hi;
  } else if (s != SQLITE_ROW && s != SQLITE_DONE) {
    rc = db_fail(r->db, e, "reading the zooms");
  }
  sqlite3_finalize(st);
  return rc;
}

err_code store_mbtiles_meta_get(mbtiles_reader *r, const char *name, char **out, err *e) {
  *out = NULL;
  sqlite3_bind_text(r->meta, 1, name, -1, SQLITE_STATIC);
  int s = sqlite3_step(r->meta);
  err_code rc = ERR_OK;
  if (s == SQLITE_ROW && sqlite3_column_text(r->meta, 0)) {
    *out = strdup((const char *)sqlite3_column_text(r->meta, 0));
    if (!*out) rc = err_set(e, ERR_NOMEM, "out of memory");
  } else if (s != SQLITE_ROW && s != SQLITE_DONE) {
    rc = db_fail(r->db, e, "reading metadata");
  }
  sqlite3_reset(r->meta);
  sqlite3_clear_bindings(r->meta);
  return rc;
}

static bool own_layout(mbtiles_reader *r) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(r->db,
                         "SELECT count(*) FROM sqlite_master WHERE (type = 'table' AND name IN"
                         " ('map', 'images')) OR (type = 'index' AND name = 'images_id' AND"
                         " tbl_name = 'images')", -1, &st, NULL) != SQLITE_OK)
    return false;
  bool ours = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 3;
  sqlite3_finalize(st);
  return ours;
}

err_code store_mbtiles_cells(mbtiles_reader *r, const mbtiles_span *spans, size_t n_spans,
                             int (*fn)(void *ctx, const mbtiles_cell *c), void *ctx,
                             bool *out_done, err *e) {
  *out_done = false;
  if (!own_layout(r)) return ERR_OK;
  if (!r->content &&
      sqlite3_prepare_v2(r->db, "SELECT tile_data FROM images WHERE rowid = ?", -1, &r->content,
                         NULL) != SQLITE_OK)
    return db_fail(r->db, e, "prepare");
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(r->db,
                         "SELECT m.tile_column, m.tile_row, i.rowid FROM map m JOIN images i ON"
                         " i.tile_id = m.tile_id WHERE m.zoom_level = ?1 AND m.tile_column"
                         " BETWEEN ?2 AND ?3 AND m.tile_row BETWEEN ?4 AND ?5", -1, &st,
                         NULL) != SQLITE_OK)
    return db_fail(r->db, e, "prepare");
  err_code rc = ERR_OK;
  int stop = 0;
  for (size_t i = 0; i < n_spans && rc == ERR_OK && !stop; i++) {
    const mbtiles_span *sp = &spans[i];
    if (!bind_span(st, sp)) continue;
    int64_t last = ((int64_t)1 << sp->z) - 1;
    int s = SQLITE_DONE;
    while (!stop && (s = sqlite3_step(st)) == SQLITE_ROW) {
      mbtiles_cell c = {sp->z, (uint32_t)sqlite3_column_int64(st, 0),
                        (uint32_t)(last - sqlite3_column_int64(st, 1)), sqlite3_column_int64(st, 2)};
      stop = fn(ctx, &c);
    }
    if (!stop && s != SQLITE_DONE) rc = db_fail(r->db, e, "reading the tile map");
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  if (rc == ERR_OK) *out_done = !stop;
  return rc;
}

err_code store_mbtiles_content(mbtiles_reader *r, int64_t content, buf *out, err *e) {
  if (!r->content) return err_set(e, ERR_INVALID, "mbtiles: no tile map read");
  sqlite3_bind_int64(r->content, 1, content);
  int s = sqlite3_step(r->content);
  err_code rc = ERR_OK;
  if (s == SQLITE_ROW) {
    if (!buf_append(out, sqlite3_column_blob(r->content, 0),
                    (size_t)sqlite3_column_bytes(r->content, 0)))
      rc = err_set(e, out->over_limit ? ERR_LIMIT : ERR_NOMEM, "mbtiles: tile too large");
  } else if (s == SQLITE_DONE) {
    rc = err_set(e, ERR_INVALID, "mbtiles: the file changed while it was read");
  } else {
    rc = db_fail(r->db, e, "reading a tile");
  }
  sqlite3_reset(r->content);
  return rc;
}

void store_mbtiles_reader_close(mbtiles_reader *r) {
  if (!r) return;
  sqlite3_finalize(r->content);
  sqlite3_finalize(r->tile);
  sqlite3_finalize(r->meta);
  sqlite3_close(r->db);
  free(r);
}
