/* cluster_list.c — the clusters of a point layer over any box, as the vector tiles hold them, for
 * the raster renderer (render/ draws what the browser shows without going through MVT bytes).
 *
 * cluster.c merges points per cell of a grid aligned to the tile, TILES_CLUSTER_CELL tile units
 * wide; since the cells divide the extent, that grid is the global grid of the zoom. This file bins
 * the points of the cells that meet a box on the same global grid, so a cell gets the same points
 * and the same centre (the mean, rounded to the tile unit as the encoder rounds it) here and in
 * the tile. The cells come from the layer's cluster pyramid (pyramid.h, the same zoom range
 * cluster.c asks for, so one pyramid serves both) or, without one, from a scan of the box. It does
 * not change cluster.c and does not cluster finer in over-dense tiles (TILES_POINT_BUDGET). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tiles/pyramid.h"
#include "tiles/tiles_int.h"

typedef struct acc {
  double sx, sy;
  uint32_t count;
  int64_t first_id;
} acc;

/* The little-endian XY POINT blob fast path of cluster.c (60 bytes, x at 43, y at 51). */
static bool point_of(const store_feature *f, arena *scratch, map_pt *out) {
  const uint8_t *b = f->blob;
  uint32_t cls = 0;
  if (f->blob_len == 60 && b[0] == 0x00 && b[1] == 0x01 && b[38] == 0x7C && b[59] == 0xFE &&
      (memcpy(&cls, b + 39, 4), cls == 1)) {
    memcpy(&out->x, b + 43, 8);
    memcpy(&out->y, b + 51, 8);
    return true;
  }
  geom g;
  arena_reset(scratch);
  if (geom_blob_decode(f->blob, f->blob_len, scratch, &g, NULL, NULL) != ERR_OK || g.n_pts == 0)
    return false;
  *out = g.pts[0];
  return true;
}

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

/* Scans the points of the box's cells (global tile units of zoom z). */
static err_code scan(store_reader *r, const layer_info *l, uint32_t z, grid_box *b, err *e) {
  const double cell = TILES_CLUSTER_CELL, half = 20037508.342789244;
  double span = 2 * half / ldexp(1.0, (int)z) / TILES_EXTENT * cell;
  /* the query covers whole cells, so a cell that meets the box gets all of its points */
  map_pt qlo = geom_merc_to_lonlat((map_pt){-half + b->c0x * span, half - (b->c0y + b->ny) * span});
  map_pt qhi = geom_merc_to_lonlat((map_pt){-half + (b->c0x + b->nx) * span, half - b->c0y * span});
  geom_bbox bb = {qlo.x, qlo.y, qhi.x, qhi.y};
  store_query q = {.layer = l, .bbox = &bb.min_x, .with_geometry = true, .limit = -1,
                   .after_id = INT64_MIN};
  arena *scratch = arena_create(0);
  store_iter *it = NULL;
  err_code rc = scratch ? store_query_start(r, &q, &it, e) : err_set(e, ERR_NOMEM, "out of memory");
  geom_tile_id t0 = {z, 0, 0};
  store_feature f;
  int step = 0;
  while (rc == ERR_OK && (step = store_iter_next(it, &f, e)) == 1) {
    map_pt ll;
    if (!point_of(&f, scratch, &ll)) continue;
    map_pt t = geom_lonlat_to_tile(ll, t0, TILES_EXTENT);
    acc one = {t.x, t.y, 1, f.id};
    box_add(b, floor(t.x / cell), floor(t.y / cell), &one);
  }
  if (step < 0 && rc == ERR_OK) rc = e ? e->code : ERR_DB;
  store_iter_close(it);
  arena_destroy(scratch);
  return rc;
}

/* The same cells from the layer's precomputed pyramid (cluster.c asks for the same zoom range,
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
  if (!pyramids || tiles_cluster_below(l) <= 0 || b->c0x < 0 || b->c0y < 0) return false;
  point_pyramid *pyr = NULL;
  int maxz;
  if (tiles_pyramid_acquire(pyramids, r, l, &pyr, &maxz, e) != ERR_OK) return false;
  if ((int)z > maxz) {
    pyramid_release(pyramids, pyr);
    return false;
  }
  pyr_ctx pc = {b, ldexp((double)TILES_EXTENT, (int)z)};
  bool ok = pyramid_cells(pyr, z, (uint32_t)b->c0x, (uint32_t)(b->c0x + b->nx - 1),
                          (uint32_t)b->c0y, (uint32_t)(b->c0y + b->ny - 1), pyr_add, &pc);
  pyramid_release(pyramids, pyr);
  return ok;
}

static tiles_cluster to_cluster(const acc *a, uint32_t z) {
  /* the encoder rounds the mean to the unit of the cell's own tile */
  const double half = 20037508.342789244;
  double mx = a->sx / a->count, my = a->sy / a->count;
  double ox = floor(mx / TILES_EXTENT) * TILES_EXTENT, oy = floor(my / TILES_EXTENT) * TILES_EXTENT;
  double cx = ox + (double)lround(mx - ox), cy = oy + (double)lround(my - oy);
  double n = ldexp((double)TILES_EXTENT, (int)z);
  return (tiles_cluster){.merc = {(cx / n - 0.5) * 2 * half, (0.5 - cy / n) * 2 * half},
                         .count = a->count, .id = a->first_id};
}

err_code tiles_clusters_in_box(store_reader *r, pyramid_registry *pyramids, const layer_info *l,
                               uint32_t z, const geom_bbox *merc, tiles_cluster **out,
                               size_t *out_n, err *e) {
  *out = NULL;
  *out_n = 0;
  const double cell = TILES_CLUSTER_CELL; /* global tile units of zoom z (extent 4096) */
  geom_tile_id world = {z, 0, 0};
  map_pt lo = geom_merc_to_tile((map_pt){merc->min_x, merc->max_y}, world, TILES_EXTENT);
  map_pt hi = geom_merc_to_tile((map_pt){merc->max_x, merc->min_y}, world, TILES_EXTENT);
  double last = ldexp(1.0, (int)z) * TILES_EXTENT / cell - 1;
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
  tiles_cluster *res = rc == ERR_OK ? calloc(n ? n : 1, sizeof *res) : NULL;
  if (rc == ERR_OK && !res) rc = err_set(e, ERR_NOMEM, "out of memory");
  for (size_t i = 0, k = 0; res && i < cells; i++)
    if (b.cells[i].count) res[k++] = to_cluster(&b.cells[i], z);
  free(b.cells);
  if (rc != ERR_OK) {
    free(res);
    return rc;
  }
  *out = res;
  *out_n = n;
  return ERR_OK;
}
