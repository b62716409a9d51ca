/* pg_copy.c — `teselas copy`: a whole SpatiaLite catalog into one PostgreSQL schema, in one
 * transaction (a failure at any row rolls everything back: the target stays as it was).
 *
 * What moves: every teselas_* table (catalog, history with the reports, styles, aggregate
 * counts, settings) with its columns and primary key; every layer version's table still kept
 * (lyr_<id>_v<N>: current and earlier versions), its geometry as PostGIS geometry(Geometry, 4326)
 * with a GiST index, plus the row's place and box in the file's R*Tree (pg_int.h says why); the
 * side tables of ranked lines (<table>_tile_lines, blobs as bytea); the levels of detail of older
 * versions (geom_zN, geometries too). Rows travel through COPY in text form: numbers with 17
 * significant digits (exact for a double), geometries as hex EWKB written from the decoded
 * SpatiaLite blob (geom_blob_decode → geom_wkb_encode, the SRID added), which the reader turns
 * back into the same blob.
 *
 * SQLite lets a column hold a value of another type than its declaration; PostgreSQL does not.
 * Such a row stops the copy with an error naming the file, table, row and column, rather than
 * a value changed on the way. What does not move: SpatiaLite's own metadata tables (PostGIS has
 * its own) and the MBTiles of `teselas seed` (files of their own). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geom/geom.h"
#include "geom/wkb.h"
#include "store/pg_int.h"

typedef enum col_kind { COL_INT, COL_REAL, COL_TEXT, COL_BLOB, COL_GEOM } col_kind;

static const char *const PG_TYPE[] = {"bigint", "double precision", "text COLLATE \"C\"", "bytea",
                                      "geometry(Geometry, 4326)"};
static const char *const KIND_NAME[] = {"integers", "reals", "text", "blobs", "geometries"};

enum { MAX_COLS = 2000, COPY_CHUNK = 256 * 1024, PG_NAME_MAX = 63 };

typedef store_pg_copy copy_ctx;

/* An R*Tree entry of a version table: its row, place in the tree's order and float32 box. */
typedef struct rt_row {
  int64_t pkid, ord;
  double box[4]; /* xmin, xmax, ymin, ymax */
} rt_row;

err_code store_pg_run(PGconn *pg, const char *sql, err *e) {
  PGresult *res = PQexec(pg, sql);
  ExecStatusType st = PQresultStatus(res);
  err_code rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK
                    ? ERR_OK
                    : store_pg_result_error(res, "copy", e);
  PQclear(res);
  return rc;
}

static err_code pg_run(copy_ctx *c, const char *sql, err *e) { return store_pg_run(c->pg, sql, e); }

static col_kind kind_of(const char *name, const char *decl, bool version) {
  if (version && (strcmp(name, "geom") == 0 || strncmp(name, "geom_z", 6) == 0)) return COL_GEOM;
  char up[64];
  size_t i = 0;
  for (; decl && decl[i] && i < sizeof up - 1; i++)
    up[i] = (char)(decl[i] >= 'a' && decl[i] <= 'z' ? decl[i] - 32 : decl[i]);
  up[i] = '\0';
  if (strstr(up, "INT")) return COL_INT;
  if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT") || !up[0]) return COL_TEXT;
  if (strstr(up, "BLOB")) return COL_BLOB;
  if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB")) return COL_REAL;
  return COL_TEXT;
}

/* COPY text escaping (backslash, tab, newline, carriage return). */
static void copy_text(buf *b, const unsigned char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    switch (s[i]) {
      case '\\': buf_puts(b, "\\\\"); break;
      case '\t': buf_puts(b, "\\t"); break;
      case '\n': buf_puts(b, "\\n"); break;
      case '\r': buf_puts(b, "\\r"); break;
      default: buf_putc(b, s[i]);
    }
  }
}

static void copy_hex(buf *b, const uint8_t *p, size_t n) {
  static const char HEX[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    buf_putc(b, HEX[p[i] >> 4]);
    buf_putc(b, HEX[p[i] & 15]);
  }
}

/* The SpatiaLite blob as hex EWKB with SRID 4326: the WKB's type word gets the SRID flag and
 * the SRID follows it (PostGIS's extended WKB). */
static err_code copy_geom(copy_ctx *c, const uint8_t *blob, size_t len, err *e) {
  geom g;
  arena_reset(c->a);
  buf_reset(&c->wkb);
  err_code rc = geom_blob_decode(blob, len, c->a, &g, NULL, e);
  if (rc != ERR_OK) return rc;
  if (g.n_pts == 0) return err_set(e, ERR_INVALID, "an empty geometry");
  if (!geom_wkb_encode(&c->wkb, &g) || c->wkb.len < 5)
    return err_set(e, ERR_INVALID, "a geometry that cannot be written as WKB");
  const uint8_t *w = c->wkb.data;
  uint32_t type = (uint32_t)w[1] | (uint32_t)w[2] << 8 | (uint32_t)w[3] << 16 |
                  (uint32_t)w[4] << 24;
  type |= 0x20000000u;
  uint8_t head[9] = {w[0], (uint8_t)type, (uint8_t)(type >> 8), (uint8_t)(type >> 16),
                     (uint8_t)(type >> 24), 0xE6, 0x10, 0, 0}; /* 4326, little-endian */
  if (w[0] != 1) return err_set(e, ERR_INTERNAL, "big-endian WKB");
  copy_hex(&c->line, head, sizeof head);
  copy_hex(&c->line, w + 5, c->wkb.len - 5);
  return ERR_OK;
}

/* One value of column `col` of kind k from SQLite statement st into the COPY line. */
static err_code copy_value(copy_ctx *c, sqlite3_stmt *st, int col, col_kind k, err *e) {
  int t = sqlite3_column_type(st, col);
  buf *b = &c->line;
  if (t == SQLITE_NULL) return buf_puts(b, "\\N"), ERR_OK;
  if (k == COL_INT && t == SQLITE_INTEGER)
    return buf_printf(b, "%lld", (long long)sqlite3_column_int64(st, col)), ERR_OK;
  if (k == COL_REAL && (t == SQLITE_INTEGER || t == SQLITE_FLOAT))
    return buf_printf(b, "%.17g", sqlite3_column_double(st, col)), ERR_OK;
  if ((k == COL_TEXT && (t == SQLITE_TEXT || t == SQLITE_INTEGER)) ||
      (k == COL_BLOB && t == SQLITE_TEXT)) {
    const unsigned char *s = sqlite3_column_text(st, col);
    if (k == COL_BLOB) buf_puts(b, "\\\\x"), copy_hex(b, s, (size_t)sqlite3_column_bytes(st, col));
    else copy_text(b, s, (size_t)sqlite3_column_bytes(st, col));
    return ERR_OK;
  }
  if (k == COL_BLOB && t == SQLITE_BLOB) {
    buf_puts(b, "\\\\x");
    copy_hex(b, sqlite3_column_blob(st, col), (size_t)sqlite3_column_bytes(st, col));
    return ERR_OK;
  }
  if (k == COL_GEOM && t == SQLITE_BLOB)
    return copy_geom(c, sqlite3_column_blob(st, col), (size_t)sqlite3_column_bytes(st, col), e);
  static const char *const CLASS[] = {"", "an integer", "a real", "a text", "a blob"};
  return err_set(e, ERR_INVALID, "%s where the column holds %s", CLASS[t], KIND_NAME[k]);
}

static err_code copy_flush(copy_ctx *c, bool all, err *e) {
  if (c->line.failed) return err_set(e, ERR_NOMEM, "out of memory copying");
  if (c->line.len == 0 || (!all && c->line.len < COPY_CHUNK)) return ERR_OK;
  if (PQputCopyData(c->pg, (const char *)c->line.data, (int)c->line.len) != 1)
    return err_set(e, ERR_DB, "copy: %s", PQerrorMessage(c->pg));
  buf_reset(&c->line);
  return ERR_OK;
}

/* The columns of an SQLite table (name, kind, place in the primary key). */
typedef struct table_cols {
  char **names;
  col_kind *kinds;
  int *pk;
  int n;
  int n_inline; /* the last n_inline columns: a version table's ranked lines, inline_lines() */
} table_cols;

static void cols_free(table_cols *t) {
  for (int i = 0; i < t->n; i++) free(t->names[i]);
  free(t->names);
  free(t->kinds);
  free(t->pk);
  memset(t, 0, sizeof *t);
}

static err_code cols_read(copy_ctx *c, const char *table, bool version, table_cols *out, err *e) {
  memset(out, 0, sizeof *out);
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(c->src, "SELECT name, type, pk FROM pragma_table_info(?)", -1, &st,
                         NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "%s: %s", c->from, sqlite3_errmsg(c->src));
  sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
  out->names = calloc(MAX_COLS, sizeof *out->names);
  out->kinds = calloc(MAX_COLS, sizeof *out->kinds);
  out->pk = calloc(MAX_COLS, sizeof *out->pk);
  err_code rc = out->names && out->kinds && out->pk ? ERR_OK : err_set(e, ERR_NOMEM, "out of memory");
  while (rc == ERR_OK && sqlite3_step(st) == SQLITE_ROW && out->n < MAX_COLS) {
    const char *name = (const char *)sqlite3_column_text(st, 0);
    if (version && strcmp(name, "teselas_row") == 0) continue; /* the rowid, copied first */
    if (strlen(name) > PG_NAME_MAX)
      rc = err_set(e, ERR_INVALID, "%s: column %s of %s: longer than PostgreSQL's names (63)",
                   c->from, name, table);
    out->kinds[out->n] = kind_of(name, (const char *)sqlite3_column_text(st, 1), version);
    out->pk[out->n] = sqlite3_column_int(st, 2);
    if (!(out->names[out->n++] = strdup(name))) rc = err_set(e, ERR_NOMEM, "out of memory");
  }
  sqlite3_finalize(st);
  if (rc != ERR_OK) cols_free(out);
  return rc;
}

static bool is_lines_table(const char *table) {
  static const char suffix[] = "_tile_lines";
  size_t n = strlen(table), k = sizeof suffix - 1;
  return n > k && strcmp(table + n - k, suffix) == 0;
}

/* A side table of ranked lines keeps its blobs in the row, uncompressed. Why: a tile reads the
 * whole blob of every line it meets (half of them over 2 kB, PostgreSQL's threshold for moving a
 * value out of line), and each value moved out costs an index lookup and a copy in the TOAST
 * table at every read; ranked doubles do not compress. Measured on bench/pg's 5,000 lines (2,020
 * of them out of line before): PostgreSQL's CPU per z16 tile 20-35 % lower with this alone, and
 * with the narrow sort of pg_read.c 30-40 % lower from z12 to z16. Rows over a page still go
 * out of line. */
static void lines_storage_sql(buf *sql, const char *table, const table_cols *t) {
  buf_puts(sql, " WITH (toast_tuple_target = 8160)");
  for (int i = t->n - (t->n_inline ? t->n_inline : t->n); i < t->n; i++) {
    if (t->kinds[i] != COL_BLOB) continue;
    buf_puts(sql, "; ALTER TABLE ");
    store_quote_ident(sql, table);
    buf_puts(sql, " ALTER ");
    store_quote_ident(sql, t->names[i]);
    buf_puts(sql, " SET STORAGE MAIN");
  }
}

/* A version table over PostgreSQL also holds its ranked lines' copies (teselas_g, teselas_gN of
 * <table>_tile_lines, which is copied too, for every other reader) in columns of its own, kept in
 * the row like the side table's. Why: a line tile then reads one row per feature; the join to
 * the side table cost an index probe per row. Measured on bench/pg's 5,000 lines (PostgreSQL's
 * CPU per statement, binary results, prepared): z8 18 ms joined against 12 ms inline, z16
 * 620-900 us against 440-590 us. The price is the blobs stored twice. The columns are appended
 * to t (n_inline), read from the side table by a join in copy_rows. */
static err_code inline_lines(copy_ctx *c, const char *table, table_cols *t, err *e) {
  char lines[128];
  if ((size_t)snprintf(lines, sizeof lines, "%s_tile_lines", table) >= sizeof lines) return ERR_OK;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(c->src, "SELECT name, type FROM pragma_table_info(?)"
                                 " WHERE name LIKE 'teselas\\_g%' ESCAPE '\\' ORDER BY cid",
                         -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_DB, "%s: %s", c->from, sqlite3_errmsg(c->src));
  sqlite3_bind_text(st, 1, lines, -1, SQLITE_STATIC);
  err_code rc = ERR_OK;
  while (rc == ERR_OK && sqlite3_step(st) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(st, 0);
    if (t->n >= MAX_COLS || strlen(name) > PG_NAME_MAX) break;
    t->kinds[t->n] = COL_BLOB;
    t->pk[t->n] = 0;
    if (!(t->names[t->n++] = strdup(name))) rc = err_set(e, ERR_NOMEM, "out of memory");
    t->n_inline++;
  }
  sqlite3_finalize(st);
  return rc;
}

/* CREATE TABLE with the columns (and, for a version table, teselas_row, the R*Tree's place and
 * box first). Why first: a box query tests the box and a tile reads the place of every row it
 * meets; fixed-width columns ahead of the variable ones are found at a known offset, where after
 * them PostgreSQL walked every geometry and line of the row to reach them (a cache miss each:
 * perf). Readers name the columns, so tables copied before read as they did. */
static err_code create_table(copy_ctx *c, const char *table, const table_cols *t, bool version,
                             err *e) {
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "CREATE TABLE ");
  store_quote_ident(&sql, table);
  buf_puts(&sql, version ? "(teselas_row bigint PRIMARY KEY, teselas_ord bigint, teselas_xmin"
                           " double precision, teselas_xmax double precision, teselas_ymin double"
                           " precision, teselas_ymax double precision"
                         : "(");
  for (int i = 0; i < t->n; i++) {
    buf_puts(&sql, i || version ? ", " : "");
    store_quote_ident(&sql, t->names[i]);
    buf_printf(&sql, " %s", PG_TYPE[t->kinds[i]]);
  }
  int n_pk = 0;
  for (int k = 1; !version && k <= t->n; k++)
    for (int i = 0; i < t->n; i++)
      if (t->pk[i] == k) {
        buf_puts(&sql, n_pk++ ? ", " : ", PRIMARY KEY(");
        store_quote_ident(&sql, t->names[i]);
      }
  buf_puts(&sql, n_pk ? "))" : ")");
  if (is_lines_table(table) || t->n_inline) lines_storage_sql(&sql, table, t);
  err_code rc = sql.failed ? err_set(e, ERR_NOMEM, "out of memory") : pg_run(c, buf_cstr(&sql), e);
  buf_free(&sql);
  return rc;
}

static int rt_cmp(const void *a, const void *b) {
  int64_t x = ((const rt_row *)a)->pkid, y = ((const rt_row *)b)->pkid;
  return x < y ? -1 : x > y;
}

/* The entries of table's R*Tree in the order a box query visits them, sorted by row for lookup;
 * *out NULL when the table has none. */
static err_code rtree_read(copy_ctx *c, const char *table, rt_row **out, size_t *out_n, err *e) {
  *out = NULL;
  *out_n = 0;
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "SELECT pkid, xmin, xmax, ymin, ymax FROM ");
  store_index_name(&sql, table);
  buf_puts(&sql, " WHERE xmax >= -1e308");
  sqlite3_stmt *st = NULL;
  bool ok = sqlite3_prepare_v2(c->src, buf_cstr(&sql), -1, &st, NULL) == SQLITE_OK;
  buf_free(&sql);
  if (!ok) return sqlite3_finalize(st), ERR_OK; /* no spatial index: no box query finds a row */
  size_t cap = 0, n = 0;
  rt_row *rows = NULL;
  err_code rc = ERR_OK;
  while (rc == ERR_OK && sqlite3_step(st) == SQLITE_ROW) {
    if (n == cap) {
      cap = cap ? cap * 2 : 1024;
      rt_row *p = realloc(rows, cap * sizeof *p);
      if (!p) {
        rc = err_set(e, ERR_NOMEM, "out of memory reading the spatial index of %s", table);
        break;
      }
      rows = p;
    }
    rows[n] = (rt_row){.pkid = sqlite3_column_int64(st, 0), .ord = (int64_t)n};
    for (int k = 0; k < 4; k++) rows[n].box[k] = sqlite3_column_double(st, 1 + k);
    n++;
  }
  sqlite3_finalize(st);
  if (rc != ERR_OK) return free(rows), rc;
  qsort(rows, n, sizeof *rows, rt_cmp);
  *out = rows;
  *out_n = n;
  return ERR_OK;
}

/* COPY's closing: the end marker, then the command's result. */
static err_code copy_end(copy_ctx *c, err_code rc, err *e) {
  if (rc == ERR_OK) rc = copy_flush(c, true, e);
  if (PQputCopyEnd(c->pg, rc == ERR_OK ? NULL : "teselas copy failed") != 1 && rc == ERR_OK)
    rc = err_set(e, ERR_DB, "copy: %s", PQerrorMessage(c->pg));
  PGresult *res;
  while ((res = PQgetResult(c->pg)) != NULL) {
    if (rc == ERR_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
      rc = store_pg_result_error(res, "copy", e);
    PQclear(res);
  }
  buf_reset(&c->line);
  return rc;
}

/* Streams the rows of table (rowid and its R*Tree entry first for a version table). */
static err_code copy_rows(copy_ctx *c, const char *table, const table_cols *t, bool version,
                          const rt_row *rt, size_t n_rt, const char *const only[2], err *e) {
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, version ? "SELECT teselas_v.rowid" : "SELECT ");
  for (int i = 0; i < t->n; i++) {
    buf_puts(&sql, i || version ? ", " : "");
    buf_puts(&sql, i >= t->n - t->n_inline ? "teselas_l." : "teselas_v.");
    store_quote_ident(&sql, t->names[i]);
  }
  buf_puts(&sql, " FROM ");
  store_quote_ident(&sql, table);
  buf_puts(&sql, " AS teselas_v");
  if (t->n_inline) {
    buf_puts(&sql, " LEFT JOIN ");
    buf_printf(&sql, "\"%s_tile_lines\"", table); /* a version table's name: [a-z0-9_] */
    buf_puts(&sql, " AS teselas_l ON teselas_l.teselas_row = teselas_v.rowid");
  }
  if (only) {
    buf_puts(&sql, " WHERE teselas_v.");
    store_quote_ident(&sql, only[0]);
    buf_puts(&sql, " = ?");
  }
  buf_puts(&sql, version ? " ORDER BY teselas_v.rowid" : "");
  sqlite3_stmt *st = NULL;
  err_code rc = ERR_OK;
  if (sqlite3_prepare_v2(c->src, buf_cstr(&sql), -1, &st, NULL) != SQLITE_OK)
    rc = err_set(e, ERR_DB, "%s: %s: %s", c->from, table, sqlite3_errmsg(c->src));
  else if (only)
    sqlite3_bind_text(st, 1, only[1], -1, SQLITE_STATIC);
  buf_reset(&sql);
  buf_puts(&sql, "COPY ");
  store_quote_ident(&sql, table);
  buf_puts(&sql, " FROM STDIN");
  PGresult *res = rc == ERR_OK ? PQexec(c->pg, buf_cstr(&sql)) : NULL;
  buf_free(&sql);
  if (rc == ERR_OK && PQresultStatus(res) != PGRES_COPY_IN)
    rc = store_pg_result_error(res, "copy", e);
  bool copying = res && PQresultStatus(res) == PGRES_COPY_IN;
  PQclear(res);
  int64_t row = 0;
  while (rc == ERR_OK && sqlite3_step(st) == SQLITE_ROW) {
    row++;
    int off = version ? 1 : 0;
    if (version) {
      rt_row key = {.pkid = sqlite3_column_int64(st, 0)};
      const rt_row *hit = rt ? bsearch(&key, rt, n_rt, sizeof *rt, rt_cmp) : NULL;
      buf_printf(&c->line, "%lld", (long long)key.pkid);
      if (hit)
        buf_printf(&c->line, "\t%lld\t%.17g\t%.17g\t%.17g\t%.17g", (long long)hit->ord,
                   hit->box[0], hit->box[1], hit->box[2], hit->box[3]);
      else
        buf_puts(&c->line, "\t\\N\t\\N\t\\N\t\\N\t\\N");
    }
    for (int i = 0; rc == ERR_OK && i < t->n; i++) {
      if (i || version) buf_putc(&c->line, '\t');
      err field_err;
      if (copy_value(c, st, off + i, t->kinds[i], &field_err) != ERR_OK)
        rc = err_set(e, ERR_INVALID, "%s: table %s, row %lld, column %s: %s; nothing was copied",
                     c->from, table, (long long)(version ? sqlite3_column_int64(st, 0) : row),
                     t->names[i], field_err.msg);
    }
    buf_putc(&c->line, '\n');
    if (rc == ERR_OK) rc = copy_flush(c, false, e);
  }
  sqlite3_finalize(st);
  return copying ? copy_end(c, rc, e) : rc;
}

/* Whether PostgreSQL already has the table (in the search path). */
static bool pg_has_table(copy_ctx *c, const char *table) {
  const char *v[1] = {table};
  PGresult *res = PQexecParams(c->pg, "SELECT to_regclass(quote_ident($1)) IS NOT NULL", 1, NULL,
                               v, NULL, NULL, 0);
  bool has = PQresultStatus(res) == PGRES_TUPLES_OK && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
  PQclear(res);
  return has;
}

err_code store_pg_copy_table(store_pg_copy *c, const char *table, bool version,
                             const char *const only[2], err *e) {
  if (strlen(table) > PG_NAME_MAX)
    return err_set(e, ERR_INVALID, "%s: table %s: longer than PostgreSQL's names (63)", c->from,
                   table);
  table_cols t;
  err_code rc = cols_read(c, table, version, &t, e);
  if (rc != ERR_OK) return rc;
  if (version) rc = inline_lines(c, table, &t, e);
  rt_row *rt = NULL;
  size_t n_rt = 0;
  bool created = !pg_has_table(c, table);
  if (!created && version)
    rc = err_set(e, ERR_INVALID, "table %s is already in PostgreSQL", table);
  if (rc == ERR_OK && created) rc = create_table(c, table, &t, version, e);
  if (rc == ERR_OK && version) rc = rtree_read(c, table, &rt, &n_rt, e);
  if (rc == ERR_OK) rc = copy_rows(c, table, &t, version, rt, n_rt, only, e);
  free(rt);
  for (int i = 0; rc == ERR_OK && version && i < t.n; i++) {
    buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "CREATE INDEX ON ");
    store_quote_ident(&sql, table);
    if (t.kinds[i] == COL_GEOM && strcmp(t.names[i], "geom") == 0) buf_puts(&sql, " USING gist (geom)");
    else if (strcmp(t.names[i], "fid") == 0) buf_puts(&sql, " (fid)");
    else buf_reset(&sql);
    if (sql.len) rc = pg_run(c, buf_cstr(&sql), e);
    buf_free(&sql);
  }
  cols_free(&t);
  c->n_tables += version;
  return rc;
}

/* Names from one SQLite query's first column, in a NUL-separated buffer. */
static err_code names_read(copy_ctx *c, const char *sql, buf *out, size_t *out_n, err *e) {
  sqlite3_stmt *st = NULL;
  *out_n = 0;
  if (sqlite3_prepare_v2(c->src, sql, -1, &st, NULL) != SQLITE_OK)
    return err_set(e, ERR_INVALID, "%s is not a teselas database (%s)", c->from,
                   sqlite3_errmsg(c->src));
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *s = (const char *)sqlite3_column_text(st, 0);
    buf_append(out, s, strlen(s) + 1);
    (*out_n)++;
  }
  sqlite3_finalize(st);
  return out->failed ? err_set(e, ERR_NOMEM, "out of memory") : ERR_OK;
}

static const char CATALOG_TABLES_SQL[] =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'teselas\\_%' ESCAPE '\\'"
    " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name";
static const char VERSION_TABLES_SQL[] =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (SELECT table_name FROM"
    " teselas_layers UNION SELECT table_name FROM teselas_history) ORDER BY name";
static const char LINE_TABLES_SQL[] =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (SELECT table_name ||"
    " '_tile_lines' FROM teselas_layers UNION SELECT table_name || '_tile_lines' FROM"
    " teselas_history) ORDER BY name";

/* SQLite's julianday() and json_extract(report, '$.status') for the readers (pg_pred.c,
 * pg_scan.c): NULL where SQLite gives NULL, on text that is no date or no JSON. */
static const char FUNCTIONS_SQL[] =
    "CREATE OR REPLACE FUNCTION teselas_jd(t text) RETURNS double precision LANGUAGE plpgsql IMMUTABLE AS"
    " $f$ BEGIN RETURN extract(epoch FROM t::timestamptz) / 86400.0 + 2440587.5;"
    " EXCEPTION WHEN others THEN RETURN NULL; END $f$;"
    "CREATE OR REPLACE FUNCTION teselas_json_status(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS"
    " $f$ BEGIN RETURN (t::jsonb)->>'status'; EXCEPTION WHEN others THEN RETURN NULL; END $f$";

err_code store_pg_schema_prepare(PGconn *pg, const char *schema, err *e) {
  err_code rc = store_pg_run(pg, "SET LOCAL client_min_messages = warning", e);
  if (rc == ERR_OK) rc = store_pg_run(pg, "CREATE EXTENSION IF NOT EXISTS postgis", e);
  buf sql;
  buf_init(&sql, 0);
  buf_puts(&sql, "CREATE SCHEMA IF NOT EXISTS ");
  store_quote_ident(&sql, schema);
  buf_puts(&sql, "; SET LOCAL search_path TO ");
  store_quote_ident(&sql, schema);
  buf_puts(&sql, ", public");
  if (rc == ERR_OK) rc = store_pg_run(pg, buf_cstr(&sql), e);
  buf_free(&sql);
  if (rc == ERR_OK) rc = store_pg_run(pg, FUNCTIONS_SQL, e);
  return rc == ERR_OK ? store_pg_run(pg, STORE_PG_ACCOUNTS_SQL, e) : rc;
}

/* Begins the transaction and prepares the schema: PostGIS present, no catalog there yet. */
static err_code target_begin(copy_ctx *c, const char *schema, err *e) {
  err_code rc = pg_run(c, "BEGIN", e);
  if (rc == ERR_OK) rc = store_pg_schema_prepare(c->pg, schema, e);
  if (rc != ERR_OK) return rc;
  PGresult *res = PQexec(c->pg, "SELECT to_regclass('teselas_layers') IS NOT NULL");
  bool taken = PQresultStatus(res) == PGRES_TUPLES_OK && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
  PQclear(res);
  if (taken)
    return err_set(e, ERR_INVALID, "schema %s of the target already holds a teselas catalog;"
                   " nothing was copied (copy into another --db-schema, or drop it first)", schema);
  return ERR_OK;
}

static err_code copy_all(copy_ctx *c, err *e) {
  static const char *const LISTS[] = {CATALOG_TABLES_SQL, VERSION_TABLES_SQL, LINE_TABLES_SQL};
  err_code rc = ERR_OK;
  for (int l = 0; rc == ERR_OK && l < 3; l++) {
    buf names;
    buf_init(&names, 0);
    size_t n = 0;
    rc = names_read(c, LISTS[l], &names, &n, e);
    const char *s = (const char *)names.data;
    for (size_t i = 0; rc == ERR_OK && i < n; i++, s += strlen(s) + 1)
      rc = store_pg_copy_table(c, s, l == 1, NULL, e);
    buf_free(&names);
  }
  /* the key SQLite's teselas_agg_units_key index gives the units' lookups (agg.c) */
  if (rc == ERR_OK)
    rc = pg_run(c, "DO $d$ BEGIN IF to_regclass('teselas_agg_units') IS NOT NULL THEN"
                   " CREATE INDEX ON teselas_agg_units (layer_id, version, node, level);"
                   " END IF; END $d$", e);
  return rc;
}

static err_code source_open(copy_ctx *c, const char *from, int busy_ms, err *e) {
  c->from = from;
  if (sqlite3_open_v2(from, &c->src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    return err_set(e, ERR_IO, "cannot open database %s: %s", from, sqlite3_errmsg(c->src));
  sqlite3_busy_timeout(c->src, busy_ms > 0 ? busy_ms : STORE_WRITE_WAIT_MS);
  sqlite3_stmt *st = NULL;
  bool ok = sqlite3_prepare_v2(c->src, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                               " AND name IN ('teselas_layers', 'teselas_history')",
                               -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 2;
  sqlite3_finalize(st);
  return ok ? ERR_OK : err_set(e, ERR_INVALID, "%s is not a teselas database", from);
}

err_code store_pg_copy_init(store_pg_copy *c, err *e) {
  memset(c, 0, sizeof *c);
  buf_init(&c->line, 0);
  buf_init(&c->wkb, 0);
  c->a = arena_create(64 * 1024 * 1024);
  return c->a ? ERR_OK : err_set(e, ERR_NOMEM, "out of memory");
}

void store_pg_copy_free(store_pg_copy *c) {
  arena_destroy(c->a);
  buf_free(&c->line);
  buf_free(&c->wkb);
  c->a = NULL;
}

err_code store_copy(const char *from, const char *to, const char *schema, int64_t *out_n, err *e) {
  return store_copy_wait(from, to, schema, 0, out_n, e);
}

err_code store_copy_wait(const char *from, const char *to, const char *schema, int busy_ms,
                         int64_t *out_n, err *e) {
  if (out_n) *out_n = 0;
  if (store_db_is_pg(from) || !store_db_is_pg(to))
    return err_set(e, ERR_INVALID, "copy goes from a SpatiaLite file to a PostgreSQL URI"
                   " (postgresql://...), or back to a new file");
  copy_ctx c;
  err_code rc = store_pg_copy_init(&c, e);
  if (rc == ERR_OK) rc = source_open(&c, from, busy_ms, e);
  if (rc == ERR_OK) rc = store_pg_connect(to, &c.pg, e);
  if (rc == ERR_OK) rc = target_begin(&c, schema, e);
  if (rc == ERR_OK) rc = copy_all(&c, e);
  if (rc == ERR_OK) rc = pg_run(&c, "COMMIT", e);
  else if (c.pg) PQclear(PQexec(c.pg, "ROLLBACK"));
  /* planner statistics for the new tables (outside the transaction: not part of the copy) */
  if (rc == ERR_OK) PQclear(PQexec(c.pg, "ANALYZE"));
  if (rc == ERR_OK && out_n) *out_n = c.n_tables;
  if (c.pg) PQfinish(c.pg);
  sqlite3_close(c.src);
  store_pg_copy_free(&c);
  return rc;
}
