/* clusters.c — the clusters of a point layer over any box, as the vector tiles hold them, and the
 * shared door to the layer's cluster pyramid.
 *
 * The vector tiles merge points per cell of a grid aligned to the tile (grid.c),
 * GEN_CLUSTER_CELL units of a GEN_EXTENT tile wide; since the cells divide the extent, that grid
 * is the global grid of the zoom. This file bins the points of the cells that meet a box on the
 * same global grid, so a cell gets the same points and the same centre (the mean, rounded to the
 * tile unit as the encoder rounds it) here and in the tile. The cells come from the layer's
 * cluster pyramid (pyramid.h; every caller asks gen_pyramid_acquire for the same zoom range, so
 * one pyramid serves all) or, without one, from a scan of the box. It does not cluster finer in
 * over-dense tiles (the tiles' point budget). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"
#include "gen/pyramid.h"

/* The pyramid of l: 16 px cells from the layer's minzoom to FINE_LEVELS above its last clustered
 * zoom, because the 4 px cells of zoom z (for tiles over the point budget) are the 16 px cells of
 * zoom z + 2. Every caller (vector tiles and renderer) goes through this function, so the first
 * build serves all of them. */
enum { PYRAMID_CELLS = GEN_PYRAMID_CELLS, FINE_LEVELS = 4 };

err_code gen_pyramid_acquire(pyramid_registry *reg, store_reader *r, const layer_info *l,
                             point_pyramid **out, int *out_maxz, err *e) {
  int last = gen_cluster_below(l) - 1;
  *out_maxz = last + FINE_LEVELS > 18 ? 18 : last + FINE_LEVELS;
  return pyramid_acquire(reg, r, l, l->minzoom < 0 ? 0 : l->minzoom, *out_maxz, PYRAMID_CELLS,
                         out, e);
}

static void sum_count(void *ctx, const pyramid_cell *c) { *(uint64_t *)ctx += c->count; }

/* Points of the tile counted on the pyramid's finest level: exact while the tile spans whole
 * cells (up to 4 zooms above it, cells being 1/16 of a tile). */
bool gen_points_in_tile(pyramid_registry *reg, store_reader *r, const layer_info *l,
                        geom_tile_id t, uint64_t *out_n, err *e) {
  if (!reg || gen_cluster_below(l) <= 0 || (int)t.z < gen_cluster_below(l)) return false;
  point_pyramid *pyr = NULL;
  int maxz;
  if (gen_pyramid_acquire(reg, r, l, &pyr, &maxz, e) != ERR_OK) return false;
  /* Count on the finest level at or below z + 4. A tile spans 16 * 2^(level - z) cells of that
   * level: whole cells, so an exact count, as long as that is at least one (level >= z - 4). */
  int level = (int)t.z + 4 < maxz ? (int)t.z + 4 : maxz;
  int d = level - (int)t.z;
  bool exact = d >= -4;
  uint64_t per_tile =
      exact ? (d >= 0 ? (uint64_t)PYRAMID_CELLS << d : (uint64_t)PYRAMID_CELLS >> -d) : 1;
  uint64_t x0 = t.x * per_tile, x1 = (t.x + 1) * per_tile - 1;
  uint64_t y0 = t.y * per_tile, y1 = (t.y + 1) * per_tile - 1;
  *out_n = 0;
  bool ok = exact && pyramid_cells(pyr, (uint32_t)level, (uint32_t)x0, (uint32_t)x1,
                                   (uint32_t)y0, (uint32_t)y1, sum_count, out_n);
  pyramid_release(reg, pyr);
  return ok;
}

typedef struct acc {
  double sx, sy;
  uint32_t count;
  int64_t first_id;
} acc;

typedef struct grid_box {
  acc *cells;
  double c0x, c0y; /* global index of cells[0] */
  int nx, ny;
} grid_box;

static void box_add(grid_box *b, double cx, double cy, const acc *a) {
  cx -= b->c0x, cy -= b->c0y;
  if (cx < 0 || cy < 0 || cx >= b->nx || cy >= b->ny) return;
  acc *dst = &b->cells[(size_t)cy * (size_t)b->nx + (size_t)cx];
  if (dst->count == 0 || a->first_id < dst->first_id) dst->first_id = a->first_id;
  dst->sx += a->sx;
  dst->sy += a->sy;
  dst->count += a->count;
}

typedef struct scan_ctx {
  grid_box *b;
  double cell;
} scan_ctx;

/* A point's position is its first vertex (global tile units of the zoom). */
static err_code scan_add(void *ctx, const gen_feature *f, err *e) {
  (void)e;
  scan_ctx *sc = ctx;
  if (f->g.n_pts == 0) return ERR_OK;
  map_pt t = f->g.pts[0];
  acc one = {t.x, t.y, 1, f->id};
  box_add(sc->b, floor(t.x / sc->cell), floor(t.y / sc->cell), &one);
  return ERR_OK;
}

/* Scans the points of the box's cells (global tile units of zoom z) through gen_features_each. */
static err_code scan(store_reader *r, const layer_info *l, uint32_t z, grid_box *b, err *e) {
  const double cell = GEN_CLUSTER_CELL, half = GEOM_MERC_HALF;
  double span = 2 * half / ldexp(1.0, (int)z) / GEN_EXTENT * cell;
  /* the query covers whole cells, so a cell that meets the box gets all of its points */
  gen_query q = {.layer = l,
                 .merc = {-half + b->c0x * span, half - (b->c0y + b->ny) * span,
                          -half + (b->c0x + b->nx) * span, half - b->c0y * span},
                 .space = GEN_SPACE_TILE_POINTS, .tile = {z, 0, 0}, .extent = GEN_EXTENT,
                 .without_values = true};
  scan_ctx sc = {b, cell};
  return gen_features_each(r, &q, scan_add, &sc, e);
}

/* The same cells from the layer's precomputed pyramid (grid.c asks for the same zoom range,
 * so one pyramid per layer version serves both). False when z is outside it. */
typedef struct pyr_ctx {
  grid_box *b;
  double scale; /* world units (0..1) to global tile units */
} pyr_ctx;

static void pyr_add(void *ctx, const pyramid_cell *c) {
  pyr_ctx *pc = ctx;
  acc a = {c->sx * pc->scale, c->sy * pc->scale, c->count, c->first_id};
  box_add(pc->b, (double)(c->key & 0xFFFFFFFFu), (double)(c->key >> 32), &a);
}

static bool from_pyramid(pyramid_registry *pyramids, store_reader *r, const layer_info *l,
                         uint32_t z, grid_box *b, err *e) {
  if (!pyramids || gen_cluster_below(l) <= 0 || b->c0x < 0 || b->c0y < 0) return false;
  point_pyramid *pyr = NULL;
  int maxz;
  if (gen_pyramid_acquire(pyramids, r, l, &pyr, &maxz, e) != ERR_OK) return false;
  if ((int)z > maxz) {
    pyramid_release(pyramids, pyr);
    return false;
  }
  pyr_ctx pc = {b, ldexp((double)GEN_EXTENT, (int)z)};
  bool ok = pyramid_cells(pyr, z, (uint32_t)b->c0x, (uint32_t)(b->c0x + b->nx - 1),
                          (uint32_t)b->c0y, (uint32_t)(b->c0y + b->ny - 1), pyr_add, &pc);
  pyramid_release(pyramids, pyr);
  return ok;
}

static gen_cluster to_cluster(const acc *a, double gx, double gy, uint32_t z) {
  /* the encoder rounds the mean, kept near the middle of cell (gx, gy) when the cell holds
   * several points, to the unit of the cell's own tile */
  const double half = GEOM_MERC_HALF, cell = GEN_CLUSTER_CELL;
  double mx = a->sx / a->count, my = a->sy / a->count;
  if (a->count > 1) {
    mx = gen_cluster_axis(mx, gx * cell, cell);
    my = gen_cluster_axis(my, gy * cell, cell);
  }
  double ox = floor(mx / GEN_EXTENT) * GEN_EXTENT, oy = floor(my / GEN_EXTENT) * GEN_EXTENT;
  double cx = ox + (double)lround(mx - ox), cy = oy + (double)lround(my - oy);
  double n = ldexp((double)GEN_EXTENT, (int)z);
  return (gen_cluster){.merc = {(cx / n - 0.5) * 2 * half, (0.5 - cy / n) * 2 * half},
                         .count = a->count, .id = a->first_id};
}

err_code gen_clusters_in_box(store_reader *r, pyramid_registry *pyramids, const layer_info *l,
                               uint32_t z, const geom_bbox *merc, gen_cluster **out,
                               size_t *out_n, err *e) {
  *out = NULL;
  *out_n = 0;
  const double cell = GEN_CLUSTER_CELL; /* global tile units of zoom z (extent 4096) */
  geom_tile_id world = {z, 0, 0};
  map_pt lo = geom_merc_to_tile((map_pt){merc->min_x, merc->max_y}, world, GEN_EXTENT);
  map_pt hi = geom_merc_to_tile((map_pt){merc->max_x, merc->min_y}, world, GEN_EXTENT);
  double last = ldexp(1.0, (int)z) * GEN_EXTENT / cell - 1;
  grid_box b = {.c0x = fmax(0, floor(lo.x / cell)), .c0y = fmax(0, floor(lo.y / cell))};
  double c1x = fmin(last, floor(hi.x / cell)), c1y = fmin(last, floor(hi.y / cell));
  if (c1x < b.c0x || c1y < b.c0y) return ERR_OK;
  if (c1x - b.c0x > 4096 || c1y - b.c0y > 4096) return err_set(e, ERR_LIMIT, "box too large");
  b.nx = (int)(c1x - b.c0x) + 1, b.ny = (int)(c1y - b.c0y) + 1;
  b.cells = calloc((size_t)b.nx * (size_t)b.ny, sizeof *b.cells);
  if (!b.cells) return err_set(e, ERR_NOMEM, "out of memory");
  err_code rc = ERR_OK;
  if (!from_pyramid(pyramids, r, l, z, &b, e)) {
    memset(b.cells, 0, (size_t)b.nx * (size_t)b.ny * sizeof *b.cells);
    rc = scan(r, l, z, &b, e);
  }
  size_t n = 0, cells = (size_t)b.nx * (size_t)b.ny;
  for (size_t i = 0; i < cells; i++) n += b.cells[i].count > 0;
  gen_cluster *res = rc == ERR_OK ? calloc(n ? n : 1, sizeof *res) : NULL;
  if (rc == ERR_OK && !res) rc = err_set(e, ERR_NOMEM, "out of memory");
  for (size_t i = 0, k = 0; res && i < cells; i++)
    if (b.cells[i].count)
      res[k++] = to_cluster(&b.cells[i], b.c0x + (double)(i % (size_t)b.nx),
                            b.c0y + (double)(i / (size_t)b.nx), z);
  free(b.cells);
  if (rc != ERR_OK) {
    free(res);
    return rc;
  }
  *out = res;
  *out_n = n;
  return ERR_OK;
}
