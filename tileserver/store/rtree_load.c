/* rtree_load.c — fills a layer version's spatial index in one pass, as a packed R-tree.
 *
 * SpatiaLite's CreateSpatialIndex inserts the rows one by one into SQLite's R*Tree: about 10 µs
 * a row (choose-leaf, splits, forced reinserts), half of a million-point import. A version table
 * never changes after its import, so the tree can instead be built bottom-up: the rows' boxes,
 * read in row order (the writer stored the rows along a Hilbert curve: curve.c), cut into full
 * nodes, level after level, and written straight
 * into the R*Tree's three shadow tables (node, rowid, parent) in SQLite's own node format
 * (sqlite/ext/rtree/rtree.c: 2-byte depth in the root, 2-byte cell count, then cells of an
 * 8-byte big-endian id and four big-endian float32 bounds). Nodes come out full and spatially
 * tight, which also makes every later bbox query touch fewer pages. SQLite's rtreecheck()
 * accepts the result (tested).
 *
 * The boxes are read from the SpatiaLite blob header (its MBR), the same values MbrMinX() & co.
 * return, rounded outwards to float32 as the R*Tree module does. Memory: 32 bytes a row; past
 * `cap` rows the caller falls back to the row-by-row fill. Table names are layer-version names
 * (lyr_<id>_v<N>, checked by the writer), so they need no quoting beyond the double quotes. */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

typedef struct rt_entry {
  int64_t id;     /* a row's number (teselas_row), or a child node's number */
  float b[4];     /* xmin, xmax, ymin, ymax (the R*Tree's column order) */
} rt_entry;

/* float32 bounds that contain the double ones, rounded exactly as the R*Tree module rounds the
 * values it is given (scaling by 1 -/+ 2^-23 when the nearest float falls on the wrong side), so
 * the index holds the same boxes as one filled row by row. */
static float round_down(double d) {
  float f = (float)d;
  if ((double)f > d) f = (float)(d * (d < 0 ? 1.0 + 1.0 / 8388608.0 : 1.0 - 1.0 / 8388608.0));
  return f;
}
static float round_up(double d) {
  float f = (float)d;
  if ((double)f < d) f = (float)(d * (d < 0 ? 1.0 - 1.0 / 8388608.0 : 1.0 + 1.0 / 8388608.0));
  return f;
}

static double get_f64(const unsigned char *p, bool little) {
  uint64_t u = 0;
  for (int i = 0; i < 8; i++) u |= (uint64_t)p[little ? i : 7 - i] << (8 * i);
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

static int32_t get_i32(const unsigned char *p, bool little) {
  uint32_t u = 0;
  for (int i = 0; i < 4; i++) u |= (uint32_t)p[little ? i : 3 - i] << (8 * i);
  return (int32_t)u;
}

int store_blob_mbr(const void *blob, int len, double mbr[4]) {
  const unsigned char *p = blob;
  if (!p || len < 44 || p[0] != 0x00 || p[38] != 0x7C || p[len - 1] != 0xFE) return 0;
  bool little = p[1] == 0x01;
  int32_t cls = get_i32(p + 39, little);
  if (cls < 1 || cls > 7) return 0;
  for (int i = 0; i < 4; i++) mbr[i] = get_f64(p + 6 + 8 * i, little);
  return mbr[0] <= mbr[2] && mbr[1] <= mbr[3] ? cls : 0;
}

/* What the pass over the rows learns besides the boxes: the layer's bounds, row count and most
 * common geometry class. */
static void scan_add(store_layer_scan *s, const double m[4], int cls, int64_t *per_class) {
  s->bounds[0] = fmin(s->bounds[0], m[0]);
  s->bounds[1] = fmin(s->bounds[1], m[1]);
  s->bounds[2] = fmax(s->bounds[2], m[2]);
  s->bounds[3] = fmax(s->bounds[3], m[3]);
  per_class[cls]++;
}

static const char *class_type(const int64_t per_class[8]) {
  int best = 0;
  for (int c = 1; c < 8; c++)
    if (per_class[c] > per_class[best]) best = c;
  switch (best) {
    case 1: case 4: return "Point";
    case 2: case 5: return "LineString";
    case 3: case 6: return "Polygon";
    default: return "Geometry";
  }
}

static void put_u16(unsigned char *p, unsigned v) {
  p[0] = (unsigned char)(v >> 8);
  p[1] = (unsigned char)v;
}

static void put_cell(unsigned char *p, const rt_entry *c) {
  uint64_t id = (uint64_t)c->id;
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(id >> (56 - 8 * i));
  for (int k = 0; k < 4; k++) {
    uint32_t u;
    memcpy(&u, &c->b[k], sizeof u);
    for (int i = 0; i < 4; i++) p[8 + 4 * k + i] = (unsigned char)(u >> (24 - 8 * i));
  }
}

/* The statements that write one R*Tree's shadow tables. */
typedef struct rt_writer {
  sqlite3_stmt *node, *rowid, *parent;
  unsigned char *blob;
  int node_size;
} rt_writer;

static err_code step_done(sqlite3 *db, sqlite3_stmt *st, err *e) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? ERR_OK : err_set(e, ERR_DB, "spatial index: %s", sqlite3_errmsg(db));
}

/* Writes node `nodeno` holding cells c[0..n) at `depth` (stored in the root only). */
static err_code write_node(sqlite3 *db, rt_writer *w, int64_t nodeno, const rt_entry *c, size_t n,
                           int depth, err *e) {
  memset(w->blob, 0, (size_t)w->node_size);
  put_u16(w->blob, nodeno == 1 ? (unsigned)depth : 0);
  put_u16(w->blob + 2, (unsigned)n);
  for (size_t i = 0; i < n; i++) put_cell(w->blob + 4 + 24 * i, &c[i]);
  sqlite3_bind_int64(w->node, 1, nodeno);
  sqlite3_bind_blob(w->node, 2, w->blob, w->node_size, SQLITE_STATIC);
  return step_done(db, w->node, e);
}

static err_code link_child(sqlite3 *db, sqlite3_stmt *st, int64_t child, int64_t parent,
                           err *e) {
  sqlite3_bind_int64(st, 1, child);
  sqlite3_bind_int64(st, 2, parent);
  return step_done(db, st, e);
}

/* Builds the levels bottom-up. Node numbers: the root is 1 (the R*Tree's rule); the others are
 * numbered from 2 in the order they are written. Each level's entries become, in place, the
 * entries of the level above (one per node, its box the union of the node's cells). */
static err_code build_tree(sqlite3 *db, rt_writer *w, rt_entry *e_, size_t n, err *e) {
  size_t per = (size_t)(w->node_size - 4) / 24;
  int depth = 0;
  size_t levels_n = n;
  while (levels_n > per) {
    levels_n = (levels_n + per - 1) / per;
    depth++;
  }
  int64_t next_no = 2;
  err_code rc = ERR_OK;
  for (int level = 0; rc == ERR_OK; level++) {
    bool root = n <= per;
    size_t n_up = 0;
    for (size_t i = 0; i < n && rc == ERR_OK; i += per, n_up++) {
      size_t k = n - i < per ? n - i : per;
      int64_t no = root ? 1 : next_no++;
      rt_entry up = {.id = no, .b = {e_[i].b[0], e_[i].b[1], e_[i].b[2], e_[i].b[3]}};
      for (size_t j = 0; j < k && rc == ERR_OK; j++) {
        const rt_entry *c = &e_[i + j];
        up.b[0] = fminf(up.b[0], c->b[0]);
        up.b[1] = fmaxf(up.b[1], c->b[1]);
        up.b[2] = fminf(up.b[2], c->b[2]);
        up.b[3] = fmaxf(up.b[3], c->b[3]);
        rc = link_child(db, level == 0 ? w->rowid : w->parent, c->id, no, e);
      }
      if (rc == ERR_OK) rc = write_node(db, w, no, &e_[i], k, depth, e);
      e_[n_up] = up; /* i >= n_up: the cells just written are no longer needed */
    }
    if (root) break;
    n = n_up;
  }
  return rc;
}

static err_code prepare(sqlite3 *db, buf *sql, sqlite3_stmt **st, err *e) {
  if (sql->failed) return err_set(e, ERR_NOMEM, "out of memory");
  if (sqlite3_prepare_v2(db, buf_cstr(sql), -1, st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "spatial index: %s", sqlite3_errmsg(db));
  return ERR_OK;
}

/* Reads the boxes of the table's n rows (the writer counted them as they went in); *out NULL
 * and ERR_OK when there are more than cap, or none. */
static err_code read_boxes(sqlite3 *db, const char *table, size_t n, size_t cap, rt_entry **out,
                           size_t *out_n, store_layer_scan *scan, err *e) {
  *out = NULL;
  *out_n = 0;
  if (n > cap || n == 0) return ERR_OK;
  buf sql;
  buf_init(&sql, 0);
  sqlite3_stmt *st = NULL;
  err_code rc = ERR_OK;
  rt_entry *a = malloc(n * sizeof *a);
  buf_puts(&sql, "SELECT rowid, geom, fid FROM ");
  store_quote_ident(&sql, table);
  buf_puts(&sql, " ORDER BY rowid");
  if (!a) rc = err_set(e, ERR_NOMEM, "out of memory for the spatial index (%zu rows)", n);
  if (rc == ERR_OK) rc = prepare(db, &sql, &st, e);
  buf_free(&sql);
  size_t k = 0;
  int64_t per_class[8] = {0};
  *scan = (store_layer_scan){.bounds = {INFINITY, INFINITY, -INFINITY, -INFINITY},
                             .count = (int64_t)n};
  while (rc == ERR_OK && sqlite3_step(st) == SQLITE_ROW && k < n) {
    double m[4];
    if (sqlite3_column_type(st, 1) == SQLITE_NULL) continue; /* no geometry, no index entry */
    int cls = store_blob_mbr(sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1), m);
    if (!cls) {
      rc = err_set(e, ERR_INVALID, "feature %lld: not a 2D SpatiaLite geometry",
                   (long long)sqlite3_column_int64(st, 2));
      break;
    }
    scan_add(scan, m, cls, per_class);
    a[k++] = (rt_entry){.id = sqlite3_column_int64(st, 0),
                        .b = {round_down(m[0]), round_up(m[2]), round_down(m[1]), round_up(m[3])}};
  }
  sqlite3_finalize(st);
  if (rc != ERR_OK) {
    free(a);
    return rc;
  }
  snprintf(scan->geometry_type, sizeof scan->geometry_type, "%s", class_type(per_class));
  *out = a;
  *out_n = k;
  return ERR_OK;
}

err_code store_rtree_bulk_load(sqlite3 *db, const char *table, size_t n_rows, size_t cap,
                               bool *out_done, store_layer_scan *out_scan, err *e) {
  *out_done = false;
  rt_entry *a = NULL;
  size_t n = 0;
  err_code rc = read_boxes(db, table, n_rows, cap, &a, &n, out_scan, e);
  if (rc != ERR_OK || !a) return rc;

  buf sql;
  buf_init(&sql, 0);
  rt_writer w = {0};
  /* The node size is the root's: SQLite fixed it from the page size when it created the tree. */
  buf_printf(&sql, "SELECT length(data) FROM \"idx_%s_geom_node\" WHERE nodeno=1", table);
  sqlite3_stmt *st = NULL;
  rc = prepare(db, &sql, &st, e);
  if (rc == ERR_OK && sqlite3_step(st) == SQLITE_ROW) w.node_size = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  if (rc == ERR_OK && (w.node_size < 4 + 24 * 4 || w.node_size > 65536))
    rc = err_set(e, ERR_DB, "spatial index of %s: unexpected node size %d", table, w.node_size);
  const char *const shadow[3][2] = {{"node", "nodeno, data"},
                                    {"rowid", "rowid, nodeno"},
                                    {"parent", "nodeno, parentnode"}};
  sqlite3_stmt **slot[3] = {&w.node, &w.rowid, &w.parent};
  for (int i = 0; i < 3 && rc == ERR_OK; i++) {
    buf_reset(&sql);
    buf_printf(&sql, "INSERT OR REPLACE INTO \"idx_%s_geom_%s\"(%s) VALUES(?, ?)", table,
               shadow[i][0], shadow[i][1]);
    rc = prepare(db, &sql, slot[i], e);
  }
  if (rc == ERR_OK && !(w.blob = malloc((size_t)w.node_size)))
    rc = err_set(e, ERR_NOMEM, "out of memory");
  if (rc == ERR_OK) rc = build_tree(db, &w, a, n, e);
  if (rc == ERR_OK) *out_done = true;
  for (int i = 0; i < 3; i++) sqlite3_finalize(*slot[i]);
  free(w.blob);
  free(a);
  buf_free(&sql);
  return rc;
}

err_code store_rtree_fill_rows(sqlite3 *db, const char *table, err *e) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "INSERT INTO \"idx_%s_geom\"(pkid, xmin, xmax, ymin, ymax) SELECT rowid,"
           " MbrMinX(geom), MbrMaxX(geom), MbrMinY(geom), MbrMaxY(geom) FROM \"%s\""
           " WHERE geom IS NOT NULL",
           table, table);
  return store_exec(db, sql, "spatial index", e);
}
