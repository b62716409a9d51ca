/* cluster.c — points merged per cell of a pixel grid, for dense point layers at low zoom.
 *
 * The grid is aligned to the tile (cells divide the extent), so it is the global pixel grid of
 * the zoom: a cell of zoom z+1 lies inside one cell of zoom z, and the same data always give the
 * same clusters (stable across zooms and requests, as the issue requires). A cell with one point
 * is written as that feature, with its id and attributes; a cell with several is written at the
 * mean of its points with `point_count` and `cluster: true`.
 * One ring of cells beyond the tile is clustered too, so circles near an edge are drawn whole
 * from either tile. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"
#include "gen/pyramid.h"
#include "tiles/tiles_int.h"

typedef struct cell {
  double sx, sy;     /* sums of tile coordinates */
  uint32_t count;
  int64_t first_id;  /* the point of a single-point cell */
} cell;

typedef struct grid {
  cell *cells;
  int n;             /* cells per axis, including the ring around the tile */
  double size;       /* cell size in tile units */
} grid;

static void grid_add(grid *g, const tile_params *p, map_pt lonlat, int64_t id) {
  map_pt t = geom_lonlat_to_tile(lonlat, p->tile, p->extent);
  double fx = t.x / g->size + 1.0, fy = t.y / g->size + 1.0;
  if (fx < 0 || fy < 0 || fx >= g->n || fy >= g->n) return;
  cell *c = &g->cells[(int)fy * g->n + (int)fx];
  if (c->count == 0) c->first_id = id;
  c->sx += t.x;
  c->sy += t.y;
  c->count++;
}

static err_code fill_grid(store_reader *r, const tile_params *p, const layer_info *l, grid *g,
                          err *e) {
  geom_bbox bb = tiles_query_bbox(p->tile, g->size / p->extent);
  store_query q;
  tiles_fill_query(p, l, &bb, &q, NULL);
  store_iter *it = NULL;
  err_code rc = store_query_start(r, &q, &it, e);
  if (rc != ERR_OK) return rc;
  arena *scratch = arena_create(0);
  store_feature f;
  int step;
  while ((step = store_iter_next(it, &f, e)) == 1) {
    map_pt pt;
    if (geom_blob_point(f.blob, f.blob_len, &pt)) {
      grid_add(g, p, pt, f.id);
      continue;
    }
    geom gm;
    arena_reset(scratch);
    if (!scratch || geom_blob_decode(f.blob, f.blob_len, scratch, &gm, NULL, NULL) != ERR_OK)
      continue;
    for (uint32_t i = 0; i < gm.n_pts; i++) grid_add(g, p, gm.pts[i], f.id);
  }
  rc = step < 0 ? store_iter_error(it, e) : ERR_OK;
  store_iter_close(it);
  arena_destroy(scratch);
  return rc;
}

/* Cells from the layer's precomputed pyramid instead of a scan: the grid of this tile is the
 * global cells [x*n - 1, x*n + n] of the zoom (n cells across a tile), the same cells fill_grid
 * would fill, with the same sums. */
typedef struct pyramid_fill {
  grid *g;
  const tile_params *p;
  int64_t cx0, cy0;
  double scale; /* world units to tile units */
} pyramid_fill;

static void add_pyramid_cell(void *ctx, const pyramid_cell *c) {
  pyramid_fill *pf = ctx;
  int64_t ix = (int64_t)(c->key & 0xFFFFFFFFu) - pf->cx0, iy = (int64_t)(c->key >> 32) - pf->cy0;
  if (ix < 0 || iy < 0 || ix >= pf->g->n || iy >= pf->g->n) return;
  cell *gc = &pf->g->cells[iy * pf->g->n + ix];
  gc->count = c->count;
  gc->first_id = c->first_id;
  gc->sx = c->sx * pf->scale - (double)c->count * pf->p->tile.x * pf->p->extent;
  gc->sy = c->sy * pf->scale - (double)c->count * pf->p->tile.y * pf->p->extent;
}

static err_code fill_grid_from_pyramid(store_reader *r, const tile_params *p, const layer_info *l,
                                       grid *g, bool *out_done, err *e) {
  *out_done = false;
  uint32_t per_tile = (uint32_t)(g->n - 2);
  int level = (int)p->tile.z;
  for (uint32_t k = per_tile; k > GEN_PYRAMID_CELLS; k /= 2) level++;
  point_pyramid *pyr = NULL;
  int maxz;
  err_code rc = gen_pyramid_acquire(p->pyramids, r, l, &pyr, &maxz, e);
  if (rc != ERR_OK) return rc;
  int64_t last = ((int64_t)1 << p->tile.z) * per_tile - 1;
  int64_t cx0 = (int64_t)p->tile.x * per_tile - 1, cy0 = (int64_t)p->tile.y * per_tile - 1;
  pyramid_fill pf = {g, p, cx0, cy0, ldexp((double)p->extent, (int)p->tile.z)};
  int64_t x1 = cx0 + g->n - 1, y1 = cy0 + g->n - 1;
  *out_done = level <= maxz &&
              pyramid_cells(pyr, (uint32_t)level, (uint32_t)(cx0 < 0 ? 0 : cx0),
                            (uint32_t)(x1 > last ? last : x1), (uint32_t)(cy0 < 0 ? 0 : cy0),
                            (uint32_t)(y1 > last ? last : y1), add_pyramid_cell, &pf);
  pyramid_release(p->pyramids, pyr);
  return ERR_OK;
}

static bool in_buffered_tile(const tile_params *p, tile_pt t) {
  int32_t lo = -(int32_t)p->buffer, hi = (int32_t)(p->extent + p->buffer);
  return t.x >= lo && t.y >= lo && t.x <= hi && t.y <= hi;
}

static tile_pt cell_center(const cell *c) {
  return (tile_pt){(int32_t)lround(c->sx / c->count), (int32_t)lround(c->sy / c->count)};
}

static err_code write_point(mvt_layer *ml, tile_pt pt, bool has_id, uint64_t id, err *e) {
  uint32_t part_end = 1;
  tile_geom tg = {.type = GEOM_POINT, .pts = &pt, .part_end = &part_end, .n_pts = 1,
                  .n_parts = 1};
  err_code rc = mvt_layer_feature_begin(ml, has_id, id, e);
  if (rc == ERR_OK) rc = mvt_layer_feature_geom(ml, &tg, e);
  return rc;
}

/* Cells with one point are written with the point's own attributes: fetched in one query. */
static err_code write_singles(store_reader *r, const tile_params *p, const layer_info *l,
                              const grid *g, mvt_layer *ml, err *e);

static err_code write_clusters(const tile_params *p, const grid *g, mvt_layer *ml, tile_stats *st,
                               err *e) {
  err_code rc = ERR_OK;
  for (int i = 0; i < g->n * g->n && rc == ERR_OK; i++) {
    const cell *c = &g->cells[i];
    if (c->count < 2) continue;
    tile_pt pt = cell_center(c);
    if (!in_buffered_tile(p, pt)) continue;
    /* id: the cell's index in the global grid of this zoom, so clusters are unique and stable */
    rc = write_point(ml, pt, false, 0, e);
    value n = {.kind = VALUE_INT, .i = c->count}, yes = {.kind = VALUE_BOOL, .i = 1};
    if (rc == ERR_OK) rc = mvt_layer_feature_prop(ml, "cluster", &yes, e);
    if (rc == ERR_OK) rc = mvt_layer_feature_prop(ml, "point_count", &n, e);
    if (rc == ERR_OK) rc = mvt_layer_feature_end(ml, NULL, e);
    st->n_clusters++;
  }
  return rc;
}

err_code tiles_cluster_layer(store_reader *r, const tile_params *p, const layer_info *l,
                             uint32_t cell_units, buf *out, tile_stats *st, err *e) {
  grid g = {.size = (double)cell_units * p->extent / GEN_EXTENT};
  g.n = (int)(p->extent / g.size) + 2;
  g.cells = calloc((size_t)g.n * (size_t)g.n, sizeof *g.cells);
  if (!g.cells) return err_set(e, ERR_NOMEM, "out of memory");
  mvt_layer *ml = NULL;
  bool done = false;
  err_code rc = ERR_OK;
  /* The pyramid holds the unfiltered layer on the standard grid; anything else is scanned. */
  if (p->pyramids && !tiles_layer_filter(p, l) && gen_cluster_below(l) > 0)
    rc = fill_grid_from_pyramid(r, p, l, &g, &done, e);
  if (rc == ERR_OK && !done) rc = fill_grid(r, p, l, &g, e);
  if (rc == ERR_OK) rc = mvt_layer_create(l->id, p->extent, TILES_BYTE_LIMIT, &ml, e);
  if (rc == ERR_OK) rc = write_clusters(p, &g, ml, st, e);
  if (rc == ERR_OK) rc = write_singles(r, p, l, &g, ml, e);
  if (rc == ERR_OK) {
    st->n_features += mvt_layer_feature_count(ml);
    rc = mvt_layer_finish(ml, out, e);
  }
  mvt_layer_destroy(ml);
  free(g.cells);
  return rc;
}

static err_code write_singles(store_reader *r, const tile_params *p, const layer_info *l,
                              const grid *g, mvt_layer *ml, err *e) {
  /* The layer's filter AND the ids of the single points (the store passes the list as one value,
   * so its statement is reused from tile to tile). */
  const tile_filter *filter = tiles_layer_filter(p, l);
  size_t n = 0;
  int64_t *ids = malloc(((size_t)g->n * (size_t)g->n + 1) * sizeof *ids);
  for (size_t i = 0; ids && i < (size_t)g->n * (size_t)g->n; i++) {
    const cell *c = &g->cells[i];
    if (c->count == 1 && in_buffered_tile(p, cell_center(c))) ids[n++] = c->first_id;
  }
  query_with_ids by_id;
  err_code rc = ids ? ERR_OK : err_set(e, ERR_NOMEM, "out of memory");
  if (rc == ERR_OK && n > 0) {
    const char *names[l->n_fields + 1];
    store_query q;
    tiles_fill_query(p, l, NULL, &q, names);
    q.where = query_pred_with_ids(&by_id, filter ? filter->where : NULL, ids, n);
    store_iter *it = NULL;
    rc = store_query_start(r, &q, &it, e);
    store_feature f;
    int step = 0;
    while (rc == ERR_OK && (step = store_iter_next(it, &f, e)) == 1) {
      map_pt pt;
      if (!geom_blob_point(f.blob, f.blob_len, &pt)) continue;
      map_pt t = geom_lonlat_to_tile(pt, p->tile, p->extent);
      rc = write_point(ml, (tile_pt){(int32_t)lround(t.x), (int32_t)lround(t.y)}, true,
                       (uint64_t)f.id, e);
      if (rc == ERR_OK) rc = tiles_add_props(ml, l, &f, e);
      if (rc == ERR_OK) rc = mvt_layer_feature_end(ml, NULL, e);
    }
    if (step < 0 && rc == ERR_OK) rc = store_iter_error(it, e);
    store_iter_close(it);
  }
  free(ids);
  return rc;
}
