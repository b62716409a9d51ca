/* enum.c — the tiles of a box, zoom by zoom, in PMTiles tile-id order.
 *
 * The Hilbert curve is hierarchical: the cells 4d..4d+3 of order k+1 tile cell d of order k. So
 * a depth-first walk from the single cell of order 0, children in index order, visits the tiles
 * of zoom z in increasing id, and a quadrant outside the box is skipped with everything under
 * it. The archive writer needs that order; a sorted list of ids would take 8 bytes a tile
 * (2 GB for a world-wide z14). */
#include <math.h>

#include "archive/pmtiles.h"
#include "seed/seed.h"

/* Web Mercator stops at ±85.0511287798°: latitudes past it have no tile. */
static const double MERC_MAX_LAT = 85.0511287798066;

static double world_x(double lon) { return (lon + 180.0) / 360.0; }
static double world_y(double lat) {
  if (lat > MERC_MAX_LAT) lat = MERC_MAX_LAT;
  if (lat < -MERC_MAX_LAT) lat = -MERC_MAX_LAT;
  double s = sin(lat * M_PI / 180.0);
  return 0.5 - log((1 + s) / (1 - s)) / (4 * M_PI);
}

static uint32_t cell(double w, uint32_t n) {
  double v = floor(w * n);
  if (v < 0) return 0;
  if (v > n - 1) return n - 1;
  return (uint32_t)v;
}

void seed_range_init(seed_range *r, int minzoom, int maxzoom, const double box[4]) {
  r->minzoom = minzoom;
  r->maxzoom = maxzoom;
  for (int z = minzoom; z <= maxzoom; z++) {
    uint32_t n = (uint32_t)1 << z;
    r->x0[z] = cell(world_x(box[0]), n);
    r->x1[z] = cell(world_x(box[2]), n);
    r->y0[z] = cell(world_y(box[3]), n); /* north edge: the smallest row */
    r->y1[z] = cell(world_y(box[1]), n);
  }
}

uint64_t seed_range_count(const seed_range *r) {
  uint64_t total = 0;
  for (int z = r->minzoom; z <= r->maxzoom; z++)
    total += (uint64_t)(r->x1[z] - r->x0[z] + 1) * (r->y1[z] - r->y0[z] + 1);
  return total;
}

static void start_zoom(seed_iter *it) {
  it->n = 0;
  if (it->z <= it->r->maxzoom) {
    it->stack[0].level = 0;
    it->stack[0].d = 0;
    it->n = 1;
  }
}

void seed_iter_init(seed_iter *it, const seed_range *r) {
  it->r = r;
  it->z = r->minzoom;
  start_zoom(it);
}

bool seed_iter_next(seed_iter *it, unsigned *z, uint32_t *x, uint32_t *y, uint64_t *tile_id) {
  const seed_range *r = it->r;
  while (it->z <= r->maxzoom) {
    while (it->n) {
      unsigned level = it->stack[it->n - 1].level;
      uint64_t d = it->stack[--it->n].d;
      unsigned cz;
      uint32_t cx, cy;
      uint64_t first = ((UINT64_C(1) << (2 * level)) - 1) / 3;
      pmtiles_id_to_zxy(first + d, &cz, &cx, &cy);
      unsigned shift = (unsigned)it->z - level;
      uint64_t tx0 = (uint64_t)cx << shift, tx1 = tx0 + (UINT64_C(1) << shift) - 1;
      uint64_t ty0 = (uint64_t)cy << shift, ty1 = ty0 + (UINT64_C(1) << shift) - 1;
      if (tx1 < r->x0[it->z] || tx0 > r->x1[it->z] || ty1 < r->y0[it->z] || ty0 > r->y1[it->z])
        continue;
      if (shift == 0) {
        *z = (unsigned)it->z;
        *x = cx;
        *y = cy;
        *tile_id = first + d;
        return true;
      }
      for (int c = 3; c >= 0; c--) { /* pushed in reverse: child 0 comes out first */
        it->stack[it->n].level = (uint8_t)(level + 1);
        it->stack[it->n].d = 4 * d + (uint64_t)c;
        it->n++;
      }
    }
    it->z++;
    start_zoom(it);
  }
  return false;
}
