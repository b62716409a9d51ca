/* geom.c — small helpers over the flat layout: bounding boxes, arena arrays, layout checks.
 * The stages themselves live in their own files (clip.c, simplify.c, quantize.c, ...). */
#include "geom/geom_int.h"

#include <stdint.h>

bool geom_bbox_compute(const geom *g, geom_bbox *out_bbox) {
  if (!g->n_pts) return false;
  geom_bbox b = {g->pts[0].x, g->pts[0].y, g->pts[0].x, g->pts[0].y};
  for (uint32_t i = 1; i < g->n_pts; i++) {
    map_pt p = g->pts[i];
    if (p.x < b.min_x) b.min_x = p.x;
    if (p.x > b.max_x) b.max_x = p.x;
    if (p.y < b.min_y) b.min_y = p.y;
    if (p.y > b.max_y) b.max_y = p.y;
  }
  *out_bbox = b;
  return true;
}

void *geom_alloc_n(arena *a, size_t n, size_t size) {
  if (n == 0) n = 1;
  if (n > SIZE_MAX / size) return NULL;
  return arena_alloc(a, n * size);
}

/* Offsets must increase strictly (no empty part or polygon) and end exactly at the total. */
static bool ends_ok(const uint32_t *end, uint32_t n, uint32_t total) {
  if (n == 0) return total == 0;
  if (!end) return false;
  uint32_t prev = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (end[i] <= prev) return false;
    prev = end[i];
  }
  return prev == total;
}

bool geom_layout_ok(geom_type type, uint32_t n_pts, const uint32_t *part_end, uint32_t n_parts,
                    const uint32_t *poly_end, uint32_t n_polys) {
  if (n_pts == 0) return n_parts == 0 && n_polys == 0;
  if (!ends_ok(part_end, n_parts, n_pts)) return false;
  switch (type) {
    case GEOM_POINT: return n_parts == 1 && n_polys == 0;
    case GEOM_LINESTRING: return n_polys == 0;
    case GEOM_POLYGON: return ends_ok(poly_end, n_polys, n_parts);
    default: return false;
  }
}

geom geom_empty_like(const geom *g) {
  geom out = {0};
  out.type = g->type;
  out.multi = g->multi;
  return out;
}

/* Summed in unsigned (wrapping) arithmetic: the partial sums may overflow, but the true total of a
 * ring within +-2^28 fits in 60 bits, so the wrapped total is exact. */
int64_t geom_ring_area2(const tile_pt *r, uint32_t n) {
  uint64_t sum = 0;
  for (uint32_t i = 0; i < n; i++) {
    tile_pt a = r[i], b = r[i + 1 < n ? i + 1 : 0];
    sum += (uint64_t)((int64_t)a.x * b.y) - (uint64_t)((int64_t)b.x * a.y);
  }
  return sum > INT64_MAX ? -(int64_t)(~sum) - 1 : (int64_t)sum;
}
