/* cluster_list.c — the clusters of a point layer over any box, as the vector tiles hold them, for
 * the raster renderer (render/ draws what the browser shows without going through MVT bytes).
 *
 * cluster.c merges points per cell of a grid aligned to the tile, TILES_CLUSTER_CELL tile units
 * wide; since the cells divide the extent, that grid is the global grid of the zoom. This file bins
 * the points of the cells that meet a box on the same global grid, so a cell gets the same points
 * and the same centre (the mean, rounded to the tile unit as the encoder rounds it) here and in
 * the tile. It does not change cluster.c and does not cluster finer in over-dense tiles
 * (TILES_POINT_BUDGET). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

err_code tiles_clusters_in_box(store_reader *r, const layer_info *l, uint32_t z,
                               const geom_bbox *merc, tiles_cluster **out, size_t *out_n,
                               err *e) {
  *out = NULL;
  *out_n = 0;
  const double cell = TILES_CLUSTER_CELL; /* global tile units of zoom z (extent 4096) */
  geom_tile_id world = {z, 0, 0};
  map_pt lo = geom_merc_to_tile((map_pt){merc->min_x, merc->max_y}, world, TILES_EXTENT);
  map_pt hi = geom_merc_to_tile((map_pt){merc->max_x, merc->min_y}, world, TILES_EXTENT);
  double c0x = floor(lo.x / cell), c0y = floor(lo.y / cell);
  double c1x = floor(hi.x / cell), c1y = floor(hi.y / cell);
  if (c1x - c0x > 4096 || c1y - c0y > 4096) return err_set(e, ERR_LIMIT, "box too large");
  int nx = (int)(c1x - c0x) + 1, ny = (int)(c1y - c0y) + 1;
  acc *cells = calloc((size_t)nx * (size_t)ny, sizeof *cells);
  arena *scratch = arena_create(0);
  if (!cells || !scratch) {
    free(cells);
    arena_destroy(scratch);
    return err_set(e, ERR_NOMEM, "out of memory");
  }
  /* the query covers whole cells, so a cell that meets the box gets all of its points */
  geom_tile_id t0 = {z, 0, 0};
  double span = 2 * 20037508.342789244 / ldexp(1.0, (int)z) / TILES_EXTENT * cell;
  map_pt qlo = geom_merc_to_lonlat((map_pt){-20037508.342789244 + c0x * span,
                                            20037508.342789244 - (c1y + 1) * span});
  map_pt qhi = geom_merc_to_lonlat((map_pt){-20037508.342789244 + (c1x + 1) * span,
                                            20037508.342789244 - c0y * span});
  geom_bbox bb = {qlo.x, qlo.y, qhi.x, qhi.y};
  store_query q = {.layer = l, .bbox = &bb.min_x, .with_geometry = true, .limit = -1,
                   .after_id = INT64_MIN};
  store_iter *it = NULL;
  err_code rc = store_query_start(r, &q, &it, e);
  store_feature f;
  int step = 0;
  while (rc == ERR_OK && (step = store_iter_next(it, &f, e)) == 1) {
    map_pt ll;
    if (!point_of(&f, scratch, &ll)) continue;
    map_pt t = geom_lonlat_to_tile(ll, t0, TILES_EXTENT);
    double cx = floor(t.x / cell) - c0x, cy = floor(t.y / cell) - c0y;
    if (cx < 0 || cy < 0 || cx >= nx || cy >= ny) continue;
    acc *a = &cells[(size_t)cy * (size_t)nx + (size_t)cx];
    if (a->count == 0) a->first_id = f.id;
    a->sx += t.x;
    a->sy += t.y;
    a->count++;
  }
  if (step < 0 && rc == ERR_OK) rc = e ? e->code : ERR_DB;
  store_iter_close(it);
  size_t n = 0;
  for (size_t i = 0; i < (size_t)nx * (size_t)ny; i++) n += cells[i].count > 0;
  tiles_cluster *res = rc == ERR_OK ? calloc(n ? n : 1, sizeof *res) : NULL;
  if (rc == ERR_OK && !res) rc = err_set(e, ERR_NOMEM, "out of memory");
  for (size_t i = 0, k = 0; res && i < (size_t)nx * (size_t)ny; i++) {
    const acc *a = &cells[i];
    if (!a->count) continue;
    /* the encoder rounds the mean to the unit of the cell's own tile */
    double ox = floor(a->sx / a->count / TILES_EXTENT) * TILES_EXTENT;
    double oy = floor(a->sy / a->count / TILES_EXTENT) * TILES_EXTENT;
    map_pt c = {ox + (double)lround(a->sx / a->count - ox), oy + (double)lround(a->sy / a->count - oy)};
    double wx = c.x / TILES_EXTENT / ldexp(1.0, (int)z), wy = c.y / TILES_EXTENT / ldexp(1.0, (int)z);
    res[k++] = (tiles_cluster){.merc = {(wx - 0.5) * 2 * 20037508.342789244,
                                        (0.5 - wy) * 2 * 20037508.342789244},
                               .count = a->count, .id = a->first_id};
  }
  free(cells);
  arena_destroy(scratch);
  if (rc != ERR_OK) {
    free(res);
    return rc;
  }
  *out = res;
  *out_n = n;
  return ERR_OK;
}
