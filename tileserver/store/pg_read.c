/* pg_read.c — the reads of a layer over PostgreSQL: rows, counts, grouped counts and the time
 * extent, with the statement shapes of plan.c (same conditions, same order, same limits).
 *
 * Rows reach geom/ as SpatiaLite blobs: PostgreSQL returns each geometry as WKB (ST_AsBinary, in
 * binary), decoded with geom_wkb_decode and written again with geom_blob_encode. Why not teach
 * store_feature a second blob kind: every consumer (the MVT and PNG pipelines, GeoJSON, CSV,
 * GeoPackage, the point fast path geom_blob_point) reads the SpatiaLite form, so one conversion
 * here keeps them all unchanged and their output byte-identical. The cost is one decode and one
 * encode per row into memory the iterator reuses. Ranked lines (tile_lines.c) are stored as
 * teselas's own blobs (bytea) and pass through untouched.
 *
 * A box query tests the R*Tree's own boxes, copied into teselas_xmin/xmax/ymin/ymax, after the
 * GiST index, and returns rows in the R*Tree's order (teselas_ord): the same candidates in the
 * same order as the SpatiaLite reader's, so a tile is encoded from the same feature sequence.
 * Rows come one at a time (single-row mode): a download of a whole layer never holds it all; a
 * line tile of zoom 12 or less holds its rows' bytes to order them itself (sorted_here, bounded).
 *
 * A near query orders by PostGIS's geodesic distance (geography), but the distance it reports
 * is SpatiaLite's ST_Distance(geom, point, 1), computed on the row's blob in an in-memory
 * SpatiaLite connection: for polygons and lines the two differ by up to 0.35 m in 4 km (measured
 * on the URL proof's layers), which the pages print to the centimetre. The order can still
 * differ from the SpatiaLite reader's between features whose distances are that close. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geom/geom.h"
#include "store/pg_int.h"


/* The largest geometry converted: as reader.c's teselas_intersects. */
enum { GEOM_ARENA = 64 * 1024 * 1024 };
/* The most bytes of a line tile's rows held while they are put in order (held_take): past it
 * the tile fails with LIMIT instead of holding more. A z8 tile of bench/pg's 5,000 lines holds
 * about 2 MB. */
enum { HELD_MAX = 256 * 1024 * 1024 };
/* The held bytes a connection keeps for the next tile: more is given back after the tile. */
enum { HELD_KEEP = 8 * 1024 * 1024 };

/* A row of a line tile taken before it is handed on (held_take): its place in the R*Tree's
 * order, in the answer (for equal places), and its columns' offset in the held bytes. */
typedef struct pg_held {
  int64_t ord;
  size_t seq, off;
} pg_held;

typedef struct pg_plan {
  const store_query *q;
  const double *bbox;
  store_plan_mode mode;
  const char *group_field;
  bool by_month;
  int64_t kth;
  store_pg_args args;
  int near_x;  /* parameter number of the near point's lon (lat is the next), 0 before */
  char box[4][16]; /* the bbox's parameters ($n::float8: minx, miny, maxx, maxy), where_bbox's */
} pg_plan;

struct store_pg_iter {
  store_pg *p;
  PGresult *row;
  field_type *types;
  value *values;
  size_t n_values;
  bool with_geometry, with_distance;
  double near[2];
  arena *scratch;
  buf blob;
  err error;
  int n_cols;           /* columns of a row */
  store_pg_cell *cells; /* the current row's columns, from it->row or the held bytes */
  int ord_col;          /* the column of teselas_ord when the rows are put in order here, else -1 */
  bool held_done;       /* every row taken (held_take) */
  pg_held *held;
  size_t n_held, next_held;
  buf *held_data;       /* the held rows' columns: a 4-byte length (-1: NULL), the bytes, a NUL;
                           the connection's (p->held) unless another iterator holds it */
  buf own_held;
};

static bool tile_lines(const pg_plan *p) {
  return p->q->with_geometry && p->q->lod_zoom > 0 && p->q->layer->has_tile_lines && p->bbox &&
         p->mode == STORE_MODE_ROWS;
}

/* The ranked lines are in the version table's own columns (pg_copy.c): no join. */
static bool lines_inline(const pg_plan *p) { return tile_lines(p) && p->q->layer->tile_lines_inline; }

static void distance_sql(buf *sql, pg_plan *p) {
  if (!p->near_x) {
    p->near_x = store_pg_argf(&p->args, "%.17g", p->q->near[0]);
    store_pg_argf(&p->args, "%.17g", p->q->near[1]);
  }
  buf_printf(sql, "ST_Distance(t.geom::geography, ST_SetSRID(ST_MakePoint($%d::float8,"
                  " $%d::float8), 4326)::geography, true) AS teselas_d", p->near_x, p->near_x + 1);
}

/* The ranked-line column: the side table's copies of the lines, lightest first (tile_lines.c
 * writes the same expression for SpatiaLite, ending in its geometry, which here has a column of
 * its own). */
static void ranked_sql(buf *sql, const char *alias, int zoom) {
  buf expr;
  buf_init(&expr, 4096);
  store_tile_lines_sql(&expr, alias, zoom);
  const char *s = buf_cstr(&expr);
  size_t n = strlen(s);
  const char tail[] = ", geom)";
  if (n > sizeof tail && strcmp(s + n - (sizeof tail - 1), tail) == 0) n -= sizeof tail - 1;
  buf_append(sql, s, n);
  buf_puts(sql, ")");
  buf_free(&expr);
}

static bool unordered(const pg_plan *p);

/* A line tile of zoom 12 or less over inline ranked lines is put in the R*Tree's order here, not
 * by PostgreSQL: PostgreSQL's sort copied every row, each with its whole line, into the sort's
 * memory before sending the first (perf). The statement returns teselas_ord last and has no
 * ORDER BY; the iterator copies the rows' bytes into one buffer kept by the connection as they
 * come and orders them by teselas_ord (held_take): one pass, as the places are dense. Measured
 * on bench/pg's lines (bench/pg/ab.sh, the binaries alternated, bench/RESULTS.md): PostgreSQL's
 * CPU a tile 18-38 % lower at z8-z12, teselas's 5-17 % higher, the sum 7-16 % lower at z8-z10
 * and 0-5 % at z12; at z14-z16 (about 120-240 rows a tile) the sum was higher in most runs
 * (teselas no longer encodes while PostgreSQL sends, and waits for the whole answer): there
 * PostgreSQL sorts. Holding each row as its own libpq result instead cost
 * teselas more than PostgreSQL saved (a z8 tile 8.9 → 22 ms): only the bytes are held here. */
enum { SORTED_HERE_MAX_ZOOM = 12 };

static bool sorted_here(const pg_plan *p) {
  const store_query *q = p->q;
  return lines_inline(p) && unordered(p) && p->bbox && !(q->bbox_exact && p->bbox == q->bbox) &&
         q->limit < 0 && q->offset <= 0 && q->lod_zoom <= SORTED_HERE_MAX_ZOOM;
}

/* A tile's rows of a line layer: the box's rows sorted in the R*Tree's order first, narrow
 * (row number, order, fid, fields), then joined to their ranked lines; the geometry of the
 * few rows without one read by row number. Why: sorting the joined rows carried every row's
 * geometry and blob through the sort (about 3 kB a row); this sort carries 60 bytes a row
 * (with the blobs kept in the row, pg_copy.c: PostgreSQL's CPU per z12-z16 tile 23-47 % lower,
 * bench/RESULTS.md). Same rows, same order, same limits as the one-level statement. The select
 * list is written here, the subquery's conditions by sql_from and it is closed by sql_tail. */
static bool lines_sorted_first(const pg_plan *p) {
  return tile_lines(p) && !lines_inline(p) && unordered(p);
}

static void lines_select_sql(buf *sql, pg_plan *p) {
  const store_query *q = p->q;
  buf_puts(sql, "SELECT k.fid, CASE WHEN teselas_t.teselas_row IS NULL THEN (SELECT"
                " ST_AsBinary(g.geom) FROM ");
  store_quote_ident(sql, q->layer->table_name);
  buf_puts(sql, " AS g WHERE g.teselas_row = k.teselas_row) END, ");
  ranked_sql(sql, "teselas_t", q->lod_zoom);
  for (size_t i = 0; i < q->n_fields; i++) {
    buf_puts(sql, ", k.");
    store_quote_ident(sql, q->fields[i]);
  }
  buf_puts(sql, " FROM (SELECT t.teselas_row, t.teselas_ord, t.fid");
  for (size_t i = 0; i < q->n_fields; i++) {
    buf_puts(sql, ", t.");
    store_quote_ident(sql, q->fields[i]);
  }
}

static void sql_select(buf *sql, pg_plan *p) {
  const store_query *q = p->q;
  switch (p->mode) {
    case STORE_MODE_COUNT: buf_puts(sql, "SELECT count(*)"); return;
    case STORE_MODE_KTH_DISTANCE:
      buf_puts(sql, "SELECT ");
      distance_sql(sql, p);
      return;
    case STORE_MODE_GROUPS:
      buf_puts(sql, p->by_month ? "SELECT substr(" : "SELECT ");
      store_quote_ident(sql, p->group_field);
      buf_puts(sql, p->by_month ? "::text, 1, 7) AS teselas_k, count(*)" : " AS teselas_k, count(*)");
      return;
    case STORE_MODE_ROWS:
      if (lines_sorted_first(p)) {
        lines_select_sql(sql, p);
        return;
      }
      buf_puts(sql, "SELECT t.fid, ");
      if (!q->with_geometry) {
        buf_puts(sql, "NULL::bytea, NULL::bytea");
      } else if (lines_inline(p)) { /* a line without copies has no teselas_g */
        buf_puts(sql, "CASE WHEN t.teselas_g IS NULL THEN ST_AsBinary(t.geom) END, ");
        ranked_sql(sql, "t", q->lod_zoom);
      } else if (tile_lines(p)) {
        buf_puts(sql, "CASE WHEN teselas_t.teselas_row IS NULL THEN ST_AsBinary(t.geom) END, ");
        ranked_sql(sql, "teselas_t", q->lod_zoom);
      } else if (q->lod_zoom > 0 && q->layer->has_lod) {
        buf_puts(sql, "ST_AsBinary(");
        store_lod_geometry_sql(sql, q->lod_zoom);
        buf_puts(sql, "), NULL::bytea");
      } else {
        buf_puts(sql, "ST_AsBinary(t.geom), NULL::bytea");
      }
      for (size_t i = 0; i < q->n_fields; i++) {
        buf_puts(sql, ", ");
        store_quote_ident(sql, q->fields[i]);
      }
      if (q->near) {
        buf_puts(sql, ", ");
        distance_sql(sql, p);
      }
      if (sorted_here(p)) buf_puts(sql, ", t.teselas_ord");
      return;
  }
}

static void envelope(buf *sql, const char *a, const char *b, const char *c, const char *d) {
  buf_printf(sql, "ST_MakeEnvelope(%s, %s, %s, %s, 4326)", a, b, c, d);
}

/* The bbox: the GiST index first, then the R*Tree's boxes exactly as SpatiaLite tests them. */
static void where_bbox(buf *sql, pg_plan *p) {
  const store_query *q = p->q;
  char (*v)[16] = p->box;
  for (int i = 0; i < 4; i++)
    snprintf(v[i], sizeof v[i], "$%d::float8", store_pg_arg_f64(&p->args, p->bbox[i]));
  bool across = p->bbox[0] > p->bbox[2];
  for (int exact = 0; exact < 1 + (q->bbox_exact && p->bbox == q->bbox); exact++) {
    const char *fn = exact ? "ST_Intersects(t.geom, " : "t.geom && ";
    buf_puts(sql, " AND (");
    buf_puts(sql, fn);
    if (across) {
      envelope(sql, v[0], v[1], "180", v[3]);
      buf_puts(sql, exact ? ") OR " : " OR ");
      buf_puts(sql, fn);
      envelope(sql, "-180", v[1], v[2], v[3]);
    } else {
      envelope(sql, v[0], v[1], v[2], v[3]);
    }
    buf_puts(sql, exact ? "))" : ")");
    if (exact) continue;
    if (across)
      buf_printf(sql, " AND (t.teselas_xmax >= %s OR t.teselas_xmin <= %s)", v[0], v[2]);
    else
      buf_printf(sql, " AND t.teselas_xmin <= %s AND t.teselas_xmax >= %s", v[2], v[0]);
    buf_printf(sql, " AND t.teselas_ymin <= %s AND t.teselas_ymax >= %s", v[3], v[1]);
    if (q->min_box[0] > 0 || q->min_box[1] > 0)
      buf_printf(sql, " AND (t.teselas_xmax - t.teselas_xmin >= %.17g OR"
                      " t.teselas_ymax - t.teselas_ymin >= %.17g)", q->min_box[0], q->min_box[1]);
  }
}

static void sql_from(buf *sql, pg_plan *p) {
  const store_query *q = p->q;
  buf_puts(sql, " FROM ");
  store_quote_ident(sql, q->layer->table_name);
  buf_puts(sql, " AS t");
  if (tile_lines(p) && !lines_inline(p) && !lines_sorted_first(p))
    buf_printf(sql, " LEFT JOIN \"%s_tile_lines\" AS teselas_t ON teselas_t.teselas_row ="
                    " t.teselas_row", q->layer->table_name);
  buf_puts(sql, " WHERE true");
  if (p->bbox) where_bbox(sql, p);
  if (q->after_id > INT64_MIN)
    buf_printf(sql, " AND t.fid > $%d::int8", store_pg_argf(&p->args, "%lld", (long long)q->after_id));
  if (q->where) {
    buf_puts(sql, " AND (");
    store_pg_pred(sql, &p->args, q->layer, q->where);
    buf_putc(sql, ')');
  }
}

static bool unordered(const pg_plan *p) {
  const store_query *q = p->q;
  return q->any_order && p->mode == STORE_MODE_ROWS && !q->near && !q->n_sort &&
         q->after_id == INT64_MIN;
}

/* A box page's order, as plan.c's split read gives it on SpatiaLite: the rows whose R*Tree box
 * lies inside the box first, then those crossing its edge, each part in the tree's order. */
static void box_page_order(buf *sql, const pg_plan *p) {
  const store_query *q = p->q;
  const char (*v)[16] = p->box;
  if (q->bbox_exact && p->bbox == q->bbox && p->bbox[0] <= p->bbox[2])
    buf_printf(sql, " ORDER BY NOT (t.teselas_xmin >= %s AND t.teselas_xmax <= %s AND"
                    " t.teselas_ymin >= %s AND t.teselas_ymax <= %s), t.teselas_ord",
               v[0], v[2], v[1], v[3]);
  else
    buf_puts(sql, " ORDER BY t.teselas_ord");
}

static void sql_tail(buf *sql, pg_plan *p) {
  const store_query *q = p->q;
  switch (p->mode) {
    case STORE_MODE_COUNT: return;
    case STORE_MODE_KTH_DISTANCE:
      buf_printf(sql, " ORDER BY teselas_d NULLS FIRST LIMIT 1 OFFSET $%d::int8",
                 store_pg_argf(&p->args, "%lld", (long long)(p->kth - 1)));
      return;
    case STORE_MODE_GROUPS:
      buf_puts(sql, " GROUP BY teselas_k ORDER BY teselas_k NULLS FIRST");
      return;
    case STORE_MODE_ROWS:
      if (q->near) buf_puts(sql, " ORDER BY teselas_d NULLS LAST, t.fid"); /* none: last */
      else if (sorted_here(p)) return; /* no LIMIT either */
      else if (unordered(p) && p->bbox) box_page_order(sql, p);
      else if (unordered(p)) buf_puts(sql, " ORDER BY t.teselas_row");
      else if (q->n_sort) {
        buf_puts(sql, " ORDER BY ");
        store_pg_order(sql, q->sort, q->n_sort);
      } else {
        buf_puts(sql, " ORDER BY t.fid");
      }
      /* Without a LIMIT, PostgreSQL computes the select list before the sort; with one (even
       * a parameter that turns out NULL) it puts ST_AsBinary off until after it and sorts every
       * copy of the line and the geometry with the row (EXPLAIN VERBOSE): a tile has none. */
      if (lines_inline(p) && q->limit < 0 && q->offset <= 0) return;
      char lim_text[24];
      snprintf(lim_text, sizeof lim_text, "%lld", (long long)q->limit);
      /* LIMIT NULL: every row */
      int lim = store_pg_arg(&p->args, q->limit < 0 ? NULL : lim_text);
      buf_printf(sql, " LIMIT $%d::int8 OFFSET $%d::int8", lim,
                 store_pg_argf(&p->args, "%lld", (long long)(q->offset > 0 ? q->offset : 0)));
      if (lines_sorted_first(p))
        buf_printf(sql, ") AS k LEFT JOIN \"%s_tile_lines\" AS teselas_t ON teselas_t.teselas_row ="
                        " k.teselas_row ORDER BY k.teselas_ord", q->layer->table_name);
      return;
  }
}

/* The SQL of p into sql, its parameters into p->args. */
static err_code plan_build(pg_plan *p, buf *sql, err *e) {
  buf_init(sql, 64 * 1024);
  sql_select(sql, p);
  sql_from(sql, p);
  sql_tail(sql, p);
  if (sql->failed) return err_set(e, ERR_LIMIT, "query too long");
  if (p->args.nomem) return err_set(e, ERR_NOMEM, "out of memory building the query");
  return ERR_OK;
}

static err_code plan_exec(store_pg *pg, pg_plan *p, PGresult **out, err *e) {
  buf sql;
  err_code rc = plan_build(p, &sql, e);
  if (rc == ERR_OK) rc = store_pg_exec(pg, buf_cstr(&sql), &p->args, out, e);
  buf_free(&sql);
  store_pg_args_free(&p->args);
  return rc;
}

err_code store_pg_query_count(store_pg *pg, const store_query *q, int64_t *out, err *e) {
  pg_plan p = {.q = q, .bbox = q->bbox, .mode = STORE_MODE_COUNT};
  PGresult *res = NULL;
  err_code rc = plan_exec(pg, &p, &res, e);
  if (rc == ERR_OK) *out = store_pg_i64(res, 0, 0);
  PQclear(res);
  return rc;
}

err_code store_pg_query_groups(store_pg *pg, const store_query *q, const char *field,
                               bool by_month, store_group_fn fn, void *ctx, err *e) {
  const layer_field *f = layer_find_field(q->layer, field);
  if (!f) return err_set(e, ERR_INVALID, "unknown field %s", field);
  pg_plan p = {.q = q, .bbox = q->bbox, .mode = STORE_MODE_GROUPS, .group_field = field,
               .by_month = by_month};
  PGresult *res = NULL;
  err_code rc = plan_exec(pg, &p, &res, e);
  field_type t = by_month ? FIELD_TEXT : f->type;
  for (int row = 0; rc == ERR_OK && row < PQntuples(res); row++) {
    value key;
    store_pg_value(res, row, 0, t, &key);
    if (fn(ctx, &key, store_pg_i64(res, row, 1)) != 0) break;
  }
  PQclear(res);
  return rc;
}

/* The k-th distance in window w (the near search of reader.c, which calls back here). */
err_code store_pg_kth_distance(store_pg *pg, const store_query *q, const double *w, int64_t k,
                               double *out_d, bool *out_found, err *e) {
  pg_plan p = {.q = q, .bbox = w, .mode = STORE_MODE_KTH_DISTANCE, .kth = k};
  PGresult *res = NULL;
  err_code rc = plan_exec(pg, &p, &res, e);
  *out_found = rc == ERR_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0);
  if (*out_found) *out_d = store_pg_f64(res, 0, 0);
  PQclear(res);
  return rc;
}

err_code store_pg_query_start(store_pg *pg, const store_query *q, const double *window,
                              store_pg_iter **out, err *e) {
  *out = NULL;
  store_pg_iter *it = calloc(1, sizeof *it);
  if (!it) return err_set(e, ERR_NOMEM, "out of memory");
  it->values = calloc(q->n_fields + 1, sizeof *it->values);
  it->types = calloc(q->n_fields + 1, sizeof *it->types);
  it->cells = calloc(q->n_fields + 5, sizeof *it->cells);
  it->scratch = arena_create(GEOM_ARENA);
  buf_init(&it->blob, 0);
  buf_init(&it->own_held, HELD_MAX);
  if (!it->values || !it->types || !it->cells || !it->scratch) {
    store_pg_iter_close(it);
    return err_set(e, ERR_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < q->n_fields; i++) {
    const layer_field *f = layer_find_field(q->layer, q->fields[i]);
    it->types[i] = f ? f->type : FIELD_TEXT;
  }
  pg_plan p = {.q = q, .bbox = window ? window : q->bbox, .mode = STORE_MODE_ROWS};
  buf sql;
  err_code rc = plan_build(&p, &sql, e);
  if (rc == ERR_OK) rc = store_pg_send(pg, buf_cstr(&sql), &p.args, e);
  buf_free(&sql);
  store_pg_args_free(&p.args);
  if (rc != ERR_OK) {
    store_pg_iter_close(it);
    return rc;
  }
  it->p = pg;
  it->ord_col = sorted_here(&p) ? 3 + (int)q->n_fields : -1;
  it->held_data = &it->own_held;
  if (it->ord_col >= 0 && !pg->held_busy) {
    pg->held_busy = true;
    it->held_data = &pg->held;
    buf_reset(&pg->held);
    pg->held.limit = HELD_MAX;
  }
  it->n_cols = 3 + (int)q->n_fields + (q->near != NULL) + (it->ord_col >= 0);
  it->n_values = q->n_fields;
  it->with_geometry = q->with_geometry;
  it->with_distance = q->near != NULL;
  if (q->near) memcpy(it->near, q->near, sizeof it->near);
  *out = it;
  return ERR_OK;
}

/* SpatiaLite's ST_Distance(blob, MakePoint(lon, lat, 4326), 1) in *out (0 when it says NULL). */
static err_code spatialite_distance(store_pg *p, const store_feature *f, const double *pt,
                                    double *out, err *e) {
  *out = 0;
  if (!p->dist_st) {
    if (sqlite3_open_v2(":memory:", &p->dist_db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
      return err_set(e, ERR_NOMEM, "out of memory opening a distance database");
    err_code rc = store_spl_attach(p->dist_db, &p->dist_spl, e);
    /* the ellipsoid of SRID 4326 comes from spatial_ref_sys: the WGS84 rows alone */
    if (rc == ERR_OK)
      sqlite3_exec(p->dist_db, "SELECT InitSpatialMetadata(1, 'WGS84')", NULL, NULL, NULL);
    if (rc == ERR_OK &&
        sqlite3_prepare_v2(p->dist_db, "SELECT ST_Distance(?1, MakePoint(?2, ?3, 4326), 1)", -1,
                           &p->dist_st, NULL) != SQLITE_OK)
      rc = err_set(e, ERR_DB, "distance: %s", sqlite3_errmsg(p->dist_db));
    if (rc != ERR_OK) { /* the next request tries again from nothing, and nothing leaks */
      sqlite3_close(p->dist_db);
      p->dist_db = NULL;
      store_spl_detach(p->dist_spl);
      p->dist_spl = NULL;
      return rc;
    }
  }
  sqlite3_reset(p->dist_st);
  sqlite3_bind_blob(p->dist_st, 1, f->blob, (int)f->blob_len, SQLITE_STATIC);
  sqlite3_bind_double(p->dist_st, 2, pt[0]);
  sqlite3_bind_double(p->dist_st, 3, pt[1]);
  if (sqlite3_step(p->dist_st) == SQLITE_ROW) *out = sqlite3_column_double(p->dist_st, 0);
  sqlite3_reset(p->dist_st);
  return ERR_OK;
}

/* The row's geometry as a SpatiaLite blob in it->blob (the WKB of column 1), or the ranked
 * line of column 2 as it is. */
static err_code row_geometry(store_pg_iter *it, store_feature *out, err *e) {
  out->blob = NULL;
  out->blob_len = 0;
  if (!it->with_geometry) return ERR_OK;
  const store_pg_cell *ranked = &it->cells[2], *wkb = &it->cells[1];
  if (ranked->s) {
    out->blob = (const uint8_t *)ranked->s;
    out->blob_len = (size_t)ranked->len;
    return ERR_OK;
  }
  if (!wkb->s) return ERR_OK;
  arena_reset(it->scratch);
  buf_reset(&it->blob);
  geom g;
  err_code rc = geom_wkb_decode((const uint8_t *)wkb->s, (size_t)wkb->len, it->scratch, &g, e);
  if (rc == ERR_OK && g.n_pts == 0) return ERR_OK; /* empty: as a NULL geometry */
  if (rc == ERR_OK) rc = geom_blob_encode(&g, 4326, &it->blob, e);
  if (rc != ERR_OK) return rc;
  out->blob = it->blob.data;
  out->blob_len = it->blob.len;
  return ERR_OK;
}

/* The next row of the answer in *out (NULL at its end, or on an error, kept in it->error). */
static void answer_next(store_pg_iter *it, PGresult **out) {
  *out = NULL;
  if (!it->p->busy) return;
  PGresult *res = store_pg_next_result(it->p);
  ExecStatusType st = PQresultStatus(res);
  if (st == PGRES_SINGLE_TUPLE && PQnfields(res) >= it->n_cols) {
    *out = res;
    return;
  }
  if (st == PGRES_SINGLE_TUPLE)
    err_set(&it->error, ERR_INTERNAL, "a row with %d columns, %d expected", PQnfields(res),
            it->n_cols);
  else if (st != PGRES_TUPLES_OK && PQstatus(it->p->conn) == CONNECTION_BAD)
    err_set(&it->error, ERR_IO, "PostgreSQL is unreachable");
  else if (st != PGRES_TUPLES_OK)
    store_pg_result_error(res, "query", &it->error);
  PQclear(res);
  store_pg_drain(it->p, st == PGRES_SINGLE_TUPLE);
}

static int held_cmp(const void *a, const void *b) {
  const pg_held *x = a, *y = b;
  if (x->ord != y->ord) return x->ord < y->ord ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Copies one row's columns to the held bytes (one reservation a row). */
static void held_put(store_pg_iter *it, const PGresult *row) {
  buf *b = it->held_data;
  size_t need = 0;
  for (int c = 0; c < it->n_cols; c++)
    need += sizeof(int32_t) + (PQgetisnull(row, 0, c) ? 0 : (size_t)PQgetlength(row, 0, c) + 1);
  if (!buf_reserve(b, need)) return;
  uint8_t *w = b->data + b->len;
  for (int c = 0; c < it->n_cols; c++) {
    int32_t len = PQgetisnull(row, 0, c) ? -1 : PQgetlength(row, 0, c);
    memcpy(w, &len, sizeof len);
    w += sizeof len;
    if (len < 0) continue;
    memcpy(w, PQgetvalue(row, 0, c), (size_t)len);
    w[len] = '\0';
    w += (size_t)len + 1;
  }
  b->len += need;
}

/* Puts the held rows in teselas_ord order, lo and hi the least and greatest. A table's places
 * are distinct and dense (one per R*Tree entry), so a slot per place orders the rows in one
 * pass, where qsort was 5 % of teselas's CPU a z8 tile (perf); equal places or a sparse range
 * fall back to qsort. Rows that share a place keep the answer's order either way. */
static void held_order(store_pg_iter *it, int64_t lo, int64_t hi) {
  size_t n = it->n_held;
  uint64_t range = (uint64_t)hi - (uint64_t)lo + 1;
  uint32_t *slot = range <= 4 * (uint64_t)n && n < UINT32_MAX ? malloc(range * sizeof *slot) : NULL;
  pg_held *out = slot ? malloc(n * sizeof *out) : NULL;
  bool distinct = out != NULL;
  if (distinct) memset(slot, 0xff, range * sizeof *slot);
  for (size_t i = 0; distinct && i < n; i++) {
    uint32_t *s = &slot[(uint64_t)it->held[i].ord - (uint64_t)lo];
    distinct = *s == UINT32_MAX;
    *s = (uint32_t)i;
  }
  if (distinct) {
    size_t k = 0;
    for (uint64_t s = 0; s < range; s++)
      if (slot[s] != UINT32_MAX) out[k++] = it->held[slot[s]];
    free(it->held);
    it->held = out;
    out = NULL;
  } else {
    qsort(it->held, n, sizeof *it->held, held_cmp);
  }
  free(out);
  free(slot);
}

/* Takes every row of the answer, its bytes copied and each row freed at once, and orders them
 * by teselas_ord (sorted_here): a check when they came in that order. */
static void held_take(store_pg_iter *it) {
  it->held_done = true;
  size_t cap = 0;
  bool in_order = true;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  PGresult *row;
  for (answer_next(it, &row); row; answer_next(it, &row)) {
    if (it->n_held == 0)
      for (int c = 0; c < it->n_cols; c++) it->cells[c].oid = PQftype(row, c);
    if (it->n_held == cap) {
      cap = cap ? cap * 2 : 256;
      pg_held *h = realloc(it->held, cap * sizeof *h);
      if (h) it->held = h;
      else err_set(&it->error, ERR_NOMEM, "out of memory ordering a tile's rows");
    }
    if (it->error.code == ERR_OK) {
      pg_held h = {store_pg_i64(row, 0, it->ord_col), it->n_held, it->held_data->len};
      in_order = in_order && (it->n_held == 0 || it->held[it->n_held - 1].ord <= h.ord);
      lo = h.ord < lo ? h.ord : lo;
      hi = h.ord > hi ? h.ord : hi;
      it->held[it->n_held++] = h;
      held_put(it, row);
      if (it->held_data->over_limit)
        err_set(&it->error, ERR_LIMIT, "a tile's lines are over %d MiB", HELD_MAX >> 20);
      else if (it->held_data->failed)
        err_set(&it->error, ERR_NOMEM, "out of memory ordering a tile's rows");
    }
    PQclear(row);
    if (it->error.code != ERR_OK) {
      store_pg_drain(it->p, true);
      return;
    }
  }
  if (!in_order) held_order(it, lo, hi);
}

/* The columns of held row h into it->cells. */
static void held_cells(store_pg_iter *it, const pg_held *h) {
  const uint8_t *p = it->held_data->data + h->off;
  for (int c = 0; c < it->n_cols; c++) {
    int32_t len;
    memcpy(&len, p, sizeof len);
    p += sizeof len;
    it->cells[c].s = len >= 0 ? (const char *)p : NULL;
    it->cells[c].len = len >= 0 ? len : 0;
    p += len >= 0 ? (size_t)len + 1 : 0;
  }
}

/* The next row's columns into it->cells: 1, 0 at the end, -1 on an error (in it->error). */
static int row_next(store_pg_iter *it) {
  if (it->ord_col >= 0) {
    if (!it->held_done) held_take(it);
    if (it->error.code != ERR_OK) return -1;
    if (it->next_held == it->n_held) return 0;
    held_cells(it, &it->held[it->next_held++]);
    return 1;
  }
  answer_next(it, &it->row);
  if (!it->row) return it->error.code == ERR_OK ? 0 : -1;
  for (int c = 0; c < it->n_cols; c++) it->cells[c] = store_pg_cell_at(it->row, 0, c);
  return 1;
}

int store_pg_iter_next(store_pg_iter *it, store_feature *out, err *e) {
  if (it->error.code != ERR_OK) {
    store_pg_iter_error(it, e);
    return -1;
  }
  PQclear(it->row);
  it->row = NULL;
  int step = row_next(it);
  if (step <= 0) {
    if (step < 0) store_pg_iter_error(it, e);
    return step;
  }
  out->id = store_pg_cell_i64(it->cells[0]);
  if (row_geometry(it, out, &it->error) != ERR_OK) {
    store_pg_iter_error(it, e);
    return -1;
  }
  for (size_t i = 0; i < it->n_values; i++)
    store_pg_cell_value(it->cells[3 + i], it->types[i], &it->values[i]);
  out->values = it->values;
  out->n_values = it->n_values;
  out->distance_m = 0;
  if (it->with_distance && out->blob &&
      spatialite_distance(it->p, out, it->near, &out->distance_m, &it->error) != ERR_OK) {
    store_pg_iter_error(it, e);
    return -1;
  }
  return 1;
}

err_code store_pg_iter_error(const store_pg_iter *it, err *e) {
  if (it->error.code != ERR_OK && e) *e = it->error;
  return it->error.code;
}

void store_pg_iter_close(store_pg_iter *it) {
  if (!it) return;
  PQclear(it->row);
  if (it->p && it->p->busy) store_pg_drain(it->p, true);
  arena_destroy(it->scratch);
  buf_free(&it->blob);
  buf_free(&it->own_held);
  if (it->p && it->held_data == &it->p->held) {
    it->p->held_busy = false;
    if (it->p->held.cap > HELD_KEEP) buf_free(&it->p->held);
  }
  free(it->held);
  free(it->cells);
  free(it->values);
  free(it->types);
  free(it);
}

err_code store_pg_time_extent(store_pg *pg, const layer_info *l, const char *field,
                              char out_min[40], char out_max[40], err *e) {
  out_min[0] = out_max[0] = '\0';
  if (!layer_find_field(l, field)) return err_set(e, ERR_INVALID, "unknown field %s", field);
  char key[512];
  snprintf(key, sizeof key, "%s\x1f%s", l->table_name, field);
  for (int i = 0; i < STORE_PG_TIMES; i++)
    if (pg->times[i].key && strcmp(pg->times[i].key, key) == 0) {
      memcpy(out_min, pg->times[i].min, 40);
      memcpy(out_max, pg->times[i].max, 40);
      return ERR_OK;
    }
  buf sql;
  buf_init(&sql, 4096);
  buf_puts(&sql, "SELECT min(");
  store_quote_ident(&sql, field);
  buf_puts(&sql, ")::text, max(");
  store_quote_ident(&sql, field);
  buf_puts(&sql, ")::text FROM ");
  store_quote_ident(&sql, l->table_name);
  PGresult *res = NULL;
  err_code rc = store_pg_exec(pg, buf_cstr(&sql), NULL, &res, e);
  buf_free(&sql);
  if (rc == ERR_OK) {
    snprintf(out_min, 40, "%s", store_pg_text(res, 0, 0, ""));
    snprintf(out_max, 40, "%s", store_pg_text(res, 0, 1, ""));
    int slot = (int)(pg->clock % STORE_PG_TIMES);
    free(pg->times[slot].key);
    pg->times[slot].key = strdup(key);
    memcpy(pg->times[slot].min, out_min, 40);
    memcpy(pg->times[slot].max, out_max, 40);
  }
  PQclear(res);
  return rc;
}
