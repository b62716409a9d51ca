/* tile_lines.c — a line layer's lines as the tile pipeline reads them.
 *
 * A line tile spent most of its time per vertex: decoding the SpatiaLite blob, projecting to
 * Mercator (a sine and a logarithm) and Douglas-Peucker again at every request. A version never
 * changes, so its import does that work once: each line is projected to world coordinates and its
 * vertices ranked (geom/ranked.c), in a side table `<table>_tile_lines` keyed like the version
 * table (teselas_row, so a tile reads both in step). A tile then keeps the vertices ranked above
 * its tolerance: the same vertices a Douglas-Peucker run on the whole line keeps.
 *
 * Besides the whole line (teselas_g, vertices of rank > 0: collinear ones never reach a tile),
 * lighter copies for low zooms: teselas_gN holds the vertices a tile of zoom N keeps, so it
 * serves every zoom up to N exactly; it is kept only for lines it at least halves (else NULL, and
 * the next finer copy is read). The version table and its geometry column stay as they were for
 * every other reader.
 * Column names carry the teselas_ prefix, which no field may take (importers/schema.c), so a
 * tile's query, which joins both tables, never finds a name twice. */
#include <stdio.h>

#include "geom/geom.h"
#include "store/store_int.h"

static const int LEVELS[] = {13, 11, 9, 7};
enum { N_LEVELS = sizeof LEVELS / sizeof *LEVELS };

/* The tile pipeline's tolerance at zoom z, squared: the least rank a vertex of a tile keeps. */
static double min_rank(int z) {
  double t = geom_tile_tolerance_world(z);
  return t * t;
}

static uint32_t count_kept(const double *rank, uint32_t n, double min) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; i++) k += rank[i] > min;
  return k;
}

/* Ranks one line and binds its copies to ins (parameters 2.. : the whole line, then the levels). */
static err_code bind_line(sqlite3_stmt *ins, const uint8_t *blob, size_t len, arena *a,
                          buf *out[], bool *out_line, err *e) {
  *out_line = false;
  geom g;
  if (geom_blob_decode(blob, len, a, &g, NULL, NULL) != ERR_OK || g.type != GEOM_LINESTRING ||
      !g.n_pts)
    return ERR_OK; /* not a line: tiles read its SpatiaLite geometry */
  for (uint32_t i = 0; i < g.n_pts; i++) g.pts[i] = geom_lonlat_to_world(g.pts[i]);
  double *rank = NULL;
  err_code rc = geom_rank_line(&g, a, &rank, e);
  if (rc != ERR_OK) return rc;
  uint32_t finer = geom_ranked_write(&g, rank, 0, out[0]);
  sqlite3_bind_blob(ins, 2, out[0]->data, (int)out[0]->len, SQLITE_STATIC);
  for (int k = 0; k < N_LEVELS; k++) {
    double min = min_rank(LEVELS[k]);
    uint32_t kept = count_kept(rank, g.n_pts, min);
    if (kept * 2 > finer) {
      sqlite3_bind_null(ins, 3 + k);
      continue;
    }
    geom_ranked_write(&g, rank, min, out[1 + k]);
    sqlite3_bind_blob(ins, 3 + k, out[1 + k]->data, (int)out[1 + k]->len, SQLITE_STATIC);
    finer = kept;
  }
  for (int i = 0; i <= N_LEVELS; i++)
    if (out[i]->failed) return err_set(e, ERR_NOMEM, "out of memory storing a line for tiles");
  *out_line = true;
  return ERR_OK;
}

err_code store_tile_lines_build(sqlite3 *db, const char *table, err *e) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "CREATE TABLE \"%s_tile_lines\"(teselas_row INTEGER PRIMARY KEY, teselas_g BLOB,"
           " teselas_g%d BLOB, teselas_g%d BLOB, teselas_g%d BLOB, teselas_g%d BLOB)",
           table, LEVELS[0], LEVELS[1], LEVELS[2], LEVELS[3]);
  err_code rc = store_exec(db, sql, "lines for tiles", e);
  if (rc != ERR_OK) return rc;
  sqlite3_stmt *sel = NULL, *ins = NULL;
  snprintf(sql, sizeof sql, "SELECT rowid, geom FROM \"%s\" WHERE geom IS NOT NULL ORDER BY rowid",
           table);
  if (sqlite3_prepare_v2(db, sql, -1, &sel, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_DB, "lines for tiles: %s", sqlite3_errmsg(db));
  snprintf(sql, sizeof sql, "INSERT INTO \"%s_tile_lines\" VALUES(?, ?, ?, ?, ?, ?)", table);
  if (rc == ERR_OK && sqlite3_prepare_v2(db, sql, -1, &ins, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_DB, "lines for tiles: %s", sqlite3_errmsg(db));
  arena *a = arena_create(0);
  buf bufs[1 + N_LEVELS];
  buf *out[1 + N_LEVELS];
  for (int i = 0; i <= N_LEVELS; i++) {
    buf_init(&bufs[i], 0);
    out[i] = &bufs[i];
  }
  if (rc == ERR_OK && !a) rc = err_set(e, ERR_NOMEM, "out of memory");
  while (rc == ERR_OK && sqlite3_step(sel) == SQLITE_ROW) {
    arena_reset(a);
    bool line = false;
    rc = bind_line(ins, sqlite3_column_blob(sel, 1), (size_t)sqlite3_column_bytes(sel, 1), a, out,
                   &line, e);
    if (rc != ERR_OK || !line) continue;
    sqlite3_bind_int64(ins, 1, sqlite3_column_int64(sel, 0));
    if (sqlite3_step(ins) != SQLITE_DONE)
      rc = err_set(e, ERR_DB, "lines for tiles: %s", sqlite3_errmsg(db));
    sqlite3_reset(ins);
  }
  for (int i = 0; i <= N_LEVELS; i++) buf_free(&bufs[i]);
  arena_destroy(a);
  sqlite3_finalize(sel);
  sqlite3_finalize(ins);
  return rc;
}

/* alias: the table that holds the copies (the side table, or over PostgreSQL the version table
 * itself, pg_copy.c). */
void store_tile_lines_sql(buf *sql, const char *alias, int zoom) {
  buf_puts(sql, "coalesce(");
  for (int k = N_LEVELS - 1; k >= 0; k--)
    if (zoom <= LEVELS[k]) buf_printf(sql, "%s.teselas_g%d, ", alias, LEVELS[k]);
  buf_printf(sql, "%s.teselas_g, geom)", alias);
}
