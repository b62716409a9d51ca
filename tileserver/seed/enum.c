/* enum.c — the tiles of a box, zoom by zoom, in PMTiles tile-id order.
 *
 * The Hilbert curve is hierarchical: the cells 4d..4d+3 of order k+1 tile cell d of order k. So
 * a depth-first walk from the single cell of order 0, children in index order, visits the tiles
 * of zoom z in increasing id, and a quadrant outside the box is skipped with everything under
 * it. The archive writer needs that order; a sorted list of ids would take 8 bytes a tile
 * (2 GB for a world-wide z14). */
#include <assert.h>
#include <math.h>
#include <string.h>

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
    it->stack[0].state = 0;
    it->stack[0].x = it->stack[0].y = 0;
    it->stack[0].d = 0;
    it->n = 1;
  }
}

/* The quadrants of the four children of cell d of order `level`, as the PMTiles decoder places
 * them: its orientation. */
static void quadrants(unsigned level, uint64_t d, uint8_t out[4]) {
  unsigned z;
  uint32_t px = 0, py = 0, cx, cy;
  if (level) pmtiles_id_to_zxy(((UINT64_C(1) << (2 * level)) - 1) / 3 + d, &z, &px, &py);
  for (unsigned c = 0; c < 4; c++) {
    pmtiles_id_to_zxy(((UINT64_C(1) << (2 * (level + 1))) - 1) / 3 + 4 * d + c, &z, &cx, &cy);
    out[c] = (uint8_t)((cx - 2 * px) | (cy - 2 * py) << 1);
  }
}

/* The orientations found so far, each with a cell that has it. */
typedef struct orientations {
  unsigned n;
  uint8_t level[8];
  uint64_t d[8];
} orientations;

/* Finds the orientation of cell d of order `level` among those known, adding it if new. */
static unsigned state_of(seed_iter *it, orientations *o, unsigned level, uint64_t d) {
  uint8_t q[4];
  quadrants(level, d, q);
  for (unsigned s = 0; s < o->n; s++)
    if (memcmp(it->quadrant[s], q, 4) == 0) return s;
  assert(o->n < 8); /* a square has eight symmetries; the Hilbert curve uses four of them */
  memcpy(it->quadrant[o->n], q, 4);
  o->level[o->n] = (uint8_t)level;
  o->d[o->n] = d;
  return o->n++;
}

/* The Hilbert curve is self-similar: a cell's children's orientations follow from its own. The
 * table is read off the decoder itself (at the first orders) rather than written by hand, so the
 * walk cannot disagree with the ids it writes; it then places each cell in O(1) instead of
 * decoding its id (the decoding was 13 % of an incremental seed, which walks every address). */
static void build_states(seed_iter *it) {
  orientations o = {0};
  state_of(it, &o, 0, 0);
  for (unsigned s = 0; s < o.n; s++)
    for (unsigned c = 0; c < 4; c++)
      it->next[s][c] = (uint8_t)state_of(it, &o, o.level[s] + 1u, 4 * o.d[s] + c);
}

void seed_iter_init(seed_iter *it, const seed_range *r) {
  memset(it, 0, sizeof *it);
  it->r = r;
  it->z = r->minzoom;
  build_states(it);
  start_zoom(it);
}

bool seed_iter_next(seed_iter *it, unsigned *z, uint32_t *x, uint32_t *y, uint64_t *tile_id) {
  const seed_range *r = it->r;
  while (it->z <= r->maxzoom) {
    while (it->n) {
      const struct seed_iter_cell cur = it->stack[--it->n];
      unsigned shift = (unsigned)it->z - cur.level;
      uint64_t tx0 = (uint64_t)cur.x << shift, tx1 = tx0 + (UINT64_C(1) << shift) - 1;
      uint64_t ty0 = (uint64_t)cur.y << shift, ty1 = ty0 + (UINT64_C(1) << shift) - 1;
      if (tx1 < r->x0[it->z] || tx0 > r->x1[it->z] || ty1 < r->y0[it->z] || ty0 > r->y1[it->z])
        continue;
      if (shift == 0) {
        *z = (unsigned)it->z;
        *x = cur.x;
        *y = cur.y;
        *tile_id = ((UINT64_C(1) << (2 * cur.level)) - 1) / 3 + cur.d;
        return true;
      }
      for (int c = 3; c >= 0; c--) { /* pushed in reverse: child 0 comes out first */
        uint8_t q = it->quadrant[cur.state][c];
        it->stack[it->n].level = (uint8_t)(cur.level + 1);
        it->stack[it->n].state = it->next[cur.state][c];
        it->stack[it->n].x = 2 * cur.x + (q & 1u);
        it->stack[it->n].y = 2 * cur.y + (q >> 1);
        it->stack[it->n].d = 4 * cur.d + (uint64_t)c;
        it->n++;
      }
    }
    it->z++;
    start_zoom(it);
  }
  return false;
}
