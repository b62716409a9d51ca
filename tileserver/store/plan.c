/* plan.c — the SQL text and the bindings of a read: one statement shape for every use of the
 * reader (reader.c prepares it, caches it per text and steps it).
 *
 * One statement shape serves four uses (rows, count, the k-th distance probe of a nearest-first
 * search, grouped counts), so every use applies the same bbox and where conditions. Parameters:
 * ?1..?4 the bbox (maxx, minx, maxy, miny), ?5 after_id, ?6 limit, ?7 offset, ?8.. the values of
 * the compiled predicate (sql_pred.c), then lon and lat of a near query. All are numbered: a
 * named parameter in the select list would take number 1 and alias the bbox. */
#include <sqlite3.h>
#include <stdio.h>

#include "store/store_int.h"

/* Geodesic distance on the WGS84 ellipsoid (SpatiaLite, use_ellipsoid = 1): 0 inside a polygon. */
static void distance_sql(buf *sql, const store_plan *p) {
  int lon = STORE_FIRST_WHERE_PARAM + (int)p->where->n_args;
  buf_printf(sql, "ST_Distance(geom, MakePoint(?%d, ?%d, 4326), 1) AS teselas_d", lon, lon + 1);
}

/* Rows of a box of a line layer stored for tiles, for a tile or an image of a zoom (lod_zoom):
 * geometries from <table>_tile_lines, joined as teselas_t. */
static bool tile_lines(const store_plan *p) {
  return p->q->with_geometry && p->q->lod_zoom > 0 && p->q->layer->has_tile_lines && p->bbox &&
         p->mode == STORE_MODE_ROWS;
}

/* Joins the side table on the row number: the index's (driven), or the version table's. */
static void join_tile_lines(buf *sql, const store_plan *p, bool driven) {
  const char *table = p->q->layer->table_name;
  buf_printf(sql, " LEFT JOIN \"%s_tile_lines\" AS teselas_t ON teselas_t.rowid = ", table);
  if (driven) {
    buf_puts(sql, "teselas_pkid");
    return;
  }
  store_quote_ident(sql, table);
  buf_puts(sql, ".rowid");
}

static void sql_select(buf *sql, const store_plan *p) {
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
      buf_puts(sql, p->by_month ? ", 1, 7) AS teselas_k, count(*)" : " AS teselas_k, count(*)");
      return;
    case STORE_MODE_ROWS:
      buf_puts(sql, "SELECT fid, ");
      if (!q->with_geometry) buf_puts(sql, "NULL");
      else if (tile_lines(p)) store_tile_lines_sql(sql, "teselas_t", q->lod_zoom);
      else if (q->lod_zoom > 0 && q->layer->has_lod) store_lod_geometry_sql(sql, q->lod_zoom);
      else buf_puts(sql, "geom");
      for (size_t i = 0; i < q->n_fields; i++) {
        buf_puts(sql, ", ");
        store_quote_ident(sql, q->fields[i]);
      }
      if (q->near) {
        buf_puts(sql, ", ");
        distance_sql(sql, p);
      }
      return;
  }
}

/* Rows in whatever order is cheapest (a tile or a full scan does not care about order; a page of
 * a query does): the table's own order, which is curve order. */
static bool unordered(const store_plan *p) {
  const store_query *q = p->q;
  return q->any_order && p->mode == STORE_MODE_ROWS && !q->near && !q->n_sort &&
         q->after_id == INT64_MIN;
}

/* Rows of a box in any order: the R*Tree drives the loop and each row is fetched by its number,
 * with no temporary index of row numbers and no sort. */
static bool box_driven(const store_plan *p) { return unordered(p) && p->bbox; }

/* Which rows of the index a source reads: all that meet the box, or one of the two parts of a
 * split read (below). */
typedef enum { PART_ALL, PART_INSIDE, PART_EDGE } box_part;

/* A page of a box in the index's order, tested exactly: read as the entries the index puts wholly
 * inside the box, then the rest. An entry's float32 box holds its feature's exact box, so one
 * inside matches without reading its row; only entries crossing the box's edge are joined to
 * their rows and tested. In one read, a dense box's page also fetched and tested every entry
 * crossing its edge that came before its rows in the index: 806 rows (and 705 rejected) for
 * each 100-feature page of the benchmark's z10 boxes, whose edge lies within float32 rounding
 * of a column of points on a 0.00001-degree grid. The order is the contract of a box page on
 * both backends: entries inside first, then those crossing the edge, each part in the tree's
 * order (pg_read.c sorts by the same key: inside, then teselas_ord), so offset pages return
 * every match once and the same page over either backend. The box must not cross the
 * antimeridian (then one read in the tree's order). */
static bool split_read(const store_plan *p) {
  const store_query *q = p->q;
  return box_driven(p) && q->bbox_exact && p->bbox == q->bbox && p->bbox[0] <= p->bbox[2];
}

bool store_plan_split_read(const store_plan *p) { return split_read(p); }

/* Only the part crossing the edge (store_query.edge_only): for a box read in the index's order. */
bool store_plan_edge_only(const store_plan *p) {
  return p->q->edge_only && box_driven(p) && p->bbox[0] <= p->bbox[2];
}

/* The index's conditions: the entry meets the box, lies inside it, or meets and crosses it. */
static void index_where(buf *sql, const store_plan *p, box_part part) {
  const store_query *q = p->q;
  if (part == PART_INSIDE) /* reader.c: depth first, as the plain read */
    buf_puts(sql, " WHERE pkid MATCH teselas_inside(?2, ?4, ?1, ?3)");
  else
    buf_puts(sql, p->bbox[0] > p->bbox[2] ? " WHERE (xmax >= ?2 OR xmin <= ?1)"
                                          : " WHERE xmin <= ?1 AND xmax >= ?2");
  if (part != PART_INSIDE) buf_puts(sql, " AND ymin <= ?3 AND ymax >= ?4");
  if (part == PART_EDGE)
    buf_puts(sql, " AND NOT (xmin >= ?2 AND xmax <= ?1 AND ymin >= ?4 AND ymax <= ?3)");
  if (q->min_box[0] > 0 || q->min_box[1] > 0)
    buf_printf(sql, " AND (xmax - xmin >= %.17g OR ymax - ymin >= %.17g)", q->min_box[0],
               q->min_box[1]);
}

static void sql_where(buf *sql, const store_plan *p, box_part part) {
  const store_query *q = p->q;
  bool driven = box_driven(p);
  buf_puts(sql, " FROM ");
  if (p->bbox) {
    buf_puts(sql, driven ? "(SELECT pkid AS teselas_pkid FROM " : "");
    if (!driven) {
      store_quote_ident(sql, q->layer->table_name);
      if (tile_lines(p)) join_tile_lines(sql, p, false);
      buf_puts(sql, " WHERE 1 AND ");
      store_quote_ident(sql, q->layer->table_name);
      buf_puts(sql, ".rowid IN (SELECT pkid FROM ");
    }
    store_index_name(sql, q->layer->table_name);
    index_where(sql, p, part);
    buf_putc(sql, ')');
    if (driven) {
      buf_puts(sql, " AS teselas_i JOIN ");
      store_quote_ident(sql, q->layer->table_name);
      buf_puts(sql, " ON ");
      store_quote_ident(sql, q->layer->table_name);
      buf_puts(sql, ".rowid = teselas_pkid");
      if (tile_lines(p)) join_tile_lines(sql, p, true);
      buf_puts(sql, " WHERE 1");
    }
    if (q->bbox_exact && p->bbox == q->bbox && part != PART_INSIDE)
      buf_puts(sql, " AND teselas_intersects(geom, ?2, ?4, ?1, ?3)");
  } else {
    store_quote_ident(sql, q->layer->table_name);
    buf_puts(sql, " WHERE 1");
  }
  if (q->after_id > INT64_MIN) buf_puts(sql, " AND fid > ?5");
  if (q->where) buf_printf(sql, " AND (%s)", buf_cstr((buf *)&p->where->sql));
}

/* Id order, by the fid index or by a sort. The table is in curve order, so the index reads rows
 * at random: it wins when few rows are read (keyset pages and single features: after_id), and
 * when a whole layer is read without a box (sorting every row cost more than the random reads:
 * 5.1 s against 1.8 s for a million points). A box, or a filtered page, reads rows the index
 * cannot skip: there a scan and a sort of what matched is cheaper, and "+fid" keeps SQLite's
 * planner from walking the index instead (a rare value of a filter: 1.0 s against 0.1 s). */
static const char *id_order(const store_query *q, const store_plan *p) {
  bool by_index = q->after_id > INT64_MIN || (!p->bbox && (!q->where || q->limit < 0));
  return by_index ? "fid" : "+fid";
}

static void sql_tail(buf *sql, const store_plan *p) {
  const store_query *q = p->q;
  switch (p->mode) {
    case STORE_MODE_COUNT: return;
    case STORE_MODE_KTH_DISTANCE: buf_puts(sql, " ORDER BY teselas_d LIMIT 1 OFFSET ?7"); return;
    case STORE_MODE_GROUPS: buf_puts(sql, " GROUP BY teselas_k ORDER BY teselas_k"); return;
    case STORE_MODE_ROWS:
      /* Features without a geometry have no distance: they come last. */
      if (q->near)
        buf_puts(sql, " ORDER BY teselas_d IS NULL, teselas_d, fid");
      else if (!unordered(p) && q->n_sort) {
        buf_puts(sql, " ORDER BY ");
        store_sql_order(sql, q->sort, q->n_sort);
      } else if (!unordered(p))
        buf_printf(sql, " ORDER BY %s", id_order(q, p));
      buf_puts(sql, " LIMIT ?6 OFFSET ?7");
      return;
  }
}

void store_plan_bind(sqlite3_stmt *st, const store_plan *p) {
  const store_query *q = p->q;
  if (p->bbox) {
    sqlite3_bind_double(st, 1, p->bbox[2]);
    sqlite3_bind_double(st, 2, p->bbox[0]);
    sqlite3_bind_double(st, 3, p->bbox[3]);
    sqlite3_bind_double(st, 4, p->bbox[1]);
  }
  if (q->after_id > INT64_MIN) sqlite3_bind_int64(st, 5, q->after_id);
  if (p->mode == STORE_MODE_ROWS) {
    sqlite3_bind_int64(st, 6, q->limit < 0 ? -1 : q->limit);
    sqlite3_bind_int64(st, 7, q->offset > 0 ? q->offset : 0);
  } else if (p->mode == STORE_MODE_KTH_DISTANCE) {
    sqlite3_bind_int64(st, 7, p->kth - 1);
  }
  int n = (int)p->where->n_args;
  for (int i = 0; i < n; i++)
    store_bind_value(st, STORE_FIRST_WHERE_PARAM + i, &p->where->args[i], true);
  if (q->near && (p->mode == STORE_MODE_ROWS || p->mode == STORE_MODE_KTH_DISTANCE)) {
    sqlite3_bind_double(st, STORE_FIRST_WHERE_PARAM + n, q->near[0]);
    sqlite3_bind_double(st, STORE_FIRST_WHERE_PARAM + n + 1, q->near[1]);
  }
}

void store_plan_sql(buf *sql, const store_plan *p) {
  sql_select(sql, p);
  if (store_plan_edge_only(p)) {
    sql_where(sql, p, PART_EDGE);
  } else if (split_read(p)) {
    sql_where(sql, p, PART_INSIDE);
    buf_puts(sql, " UNION ALL ");
    sql_select(sql, p);
    sql_where(sql, p, PART_EDGE);
  } else {
    sql_where(sql, p, PART_ALL);
  }
  sql_tail(sql, p);
}
