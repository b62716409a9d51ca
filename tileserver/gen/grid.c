/* grid.c — the cluster grid of one vector tile: points binned per cell of a pixel grid aligned
 * to the tile, for dense point layers at low zoom.
 *
 * The cells divide the extent, so the grid is the global pixel grid of the zoom: a cell of zoom
 * z+1 lies inside one cell of zoom z, and the same data always give the same clusters (stable
 * across zooms and requests). One ring of cells beyond the tile is binned too, so circles near
 * an edge are drawn whole from either tile. The sums are kept in the tile's own units, as its
 * encoder rounds them (tiles/cluster.c writes the grid; gen_clusters_in_box bins the same cells
 * for any box, for the renderer). */
#include <math.h>
#include <stdlib.h>

#include "gen/gen.h"
#include "gen/pyramid.h"

static void grid_add(gen_tile_grid *g, map_pt t, int64_t id) {
  double fx = t.x / g->size + 1.0, fy = t.y / g->size + 1.0;
  if (fx < 0 || fy < 0 || fx >= g->n || fy >= g->n) return;
  gen_cell *c = &g->cells[(int)fy * g->n + (int)fx];
  if (c->count == 0) c->first_id = id;
  c->sx += t.x;
  c->sy += t.y;
  c->count++;
}

/* Every vertex of a feature counts: a multipoint is binned point by point. */
static err_code add_feature(void *ctx, const gen_feature *f, err *e) {
  (void)e;
  gen_tile_grid *g = ctx;
  for (uint32_t i = 0; i < f->g.n_pts; i++) grid_add(g, f->g.pts[i], f->id);
  return ERR_OK;
}

static err_code fill_from_scan(store_reader *r, const layer_info *l, const query_pred *where,
                               geom_tile_id t, uint32_t extent, gen_tile_grid *g, err *e) {
  gen_query q = {.layer = l, .merc = gen_tile_box(t, g->size / extent), .where = where,
                 .space = GEN_SPACE_TILE_POINTS, .tile = t, .extent = extent,
                 .without_values = true};
  return gen_features_each(r, &q, add_feature, g, e);
}

/* Cells from the layer's precomputed pyramid instead of a scan: the grid of this tile is the
 * global cells [x*n - 1, x*n + n] of the zoom (n cells across a tile), the same cells the scan
 * would fill, with the same sums. */
typedef struct pyramid_fill {
  gen_tile_grid *g;
  geom_tile_id t;
  uint32_t extent;
  int64_t cx0, cy0;
  double scale; /* world units to tile units */
} pyramid_fill;

static void add_pyramid_cell(void *ctx, const pyramid_cell *c) {
  pyramid_fill *pf = ctx;
  int64_t ix = (int64_t)(c->key & 0xFFFFFFFFu) - pf->cx0, iy = (int64_t)(c->key >> 32) - pf->cy0;
  if (ix < 0 || iy < 0 || ix >= pf->g->n || iy >= pf->g->n) return;
  gen_cell *gc = &pf->g->cells[iy * pf->g->n + ix];
  gc->count = c->count;
  gc->first_id = c->first_id;
  gc->sx = c->sx * pf->scale - (double)c->count * pf->t.x * pf->extent;
  gc->sy = c->sy * pf->scale - (double)c->count * pf->t.y * pf->extent;
}

static err_code fill_from_pyramid(store_reader *r, pyramid_registry *pyramids,
                                  const layer_info *l, geom_tile_id t, uint32_t extent,
                                  gen_tile_grid *g, bool *out_done, err *e) {
  *out_done = false;
  uint32_t per_tile = (uint32_t)(g->n - 2);
  int level = (int)t.z;
  for (uint32_t k = per_tile; k > GEN_PYRAMID_CELLS; k /= 2) level++;
  point_pyramid *pyr = NULL;
  int maxz;
  err_code rc = gen_pyramid_acquire(pyramids, r, l, &pyr, &maxz, e);
  if (rc != ERR_OK) return rc;
  int64_t last = ((int64_t)1 << t.z) * per_tile - 1;
  int64_t cx0 = (int64_t)t.x * per_tile - 1, cy0 = (int64_t)t.y * per_tile - 1;
  pyramid_fill pf = {g, t, extent, cx0, cy0, ldexp((double)extent, (int)t.z)};
  int64_t x1 = cx0 + g->n - 1, y1 = cy0 + g->n - 1;
  *out_done = level <= maxz &&
              pyramid_cells(pyr, (uint32_t)level, (uint32_t)(cx0 < 0 ? 0 : cx0),
                            (uint32_t)(x1 > last ? last : x1), (uint32_t)(cy0 < 0 ? 0 : cy0),
                            (uint32_t)(y1 > last ? last : y1), add_pyramid_cell, &pf);
  pyramid_release(pyramids, pyr);
  return ERR_OK;
}

err_code gen_tile_grid_fill(store_reader *r, pyramid_registry *pyramids, const layer_info *l,
                            const query_pred *where, geom_tile_id t, uint32_t extent,
                            uint32_t cell_units, gen_tile_grid *out, err *e) {
  gen_tile_grid g = {.size = (double)cell_units * extent / GEN_EXTENT};
  g.n = (int)(extent / g.size) + 2;
  g.cells = calloc((size_t)g.n * (size_t)g.n, sizeof *g.cells);
  *out = g;
  if (!g.cells) return err_set(e, ERR_NOMEM, "out of memory");
  bool done = false;
  err_code rc = ERR_OK;
  /* The pyramid holds the unfiltered layer on the standard grid; anything else is scanned. */
  if (pyramids && !where && gen_cluster_below(l) > 0)
    rc = fill_from_pyramid(r, pyramids, l, t, extent, &g, &done, e);
  if (rc == ERR_OK && !done) rc = fill_from_scan(r, l, where, t, extent, &g, e);
  return rc;
}

void gen_tile_grid_free(gen_tile_grid *g) {
  free(g->cells);
  g->cells = NULL;
}

double gen_cluster_axis(double mean, double lo, double size) {
  double a = lo + size * (0.5 - GEN_CLUSTER_KEEP), b = lo + size * (0.5 + GEN_CLUSTER_KEEP);
  return mean < a ? a : mean > b ? b : mean;
}
