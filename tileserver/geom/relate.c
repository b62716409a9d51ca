/* relate.c — does a geometry meet a box? The exact answer a bbox query of OGC API - Features owes
 * (/req/core/fc-bbox-response: "only features that have a spatial geometry that intersects the
 * bounding box"), where the spatial index only knows each feature's bounding box.
 *
 * Why not the bounding box: a multipolygon split at the antimeridian (Russia, Fiji, the United
 * States with its Aleutians) has a bounding box from -180 to 180, so every box at its latitudes
 * matched it, although none of its parts comes near. Why not GEOS: the test is the one relation
 * of a box with a geometry, decided per part in one pass over the points with no allocation, and
 * a bbox query runs it on every candidate row.
 *
 * Closed sets: a geometry that only touches the box's edge intersects it. Planar, in whatever
 * coordinates g and b share (CRS84 degrees for the store). */
#include "geom/geom_int.h"

static bool pt_in(map_pt p, geom_bbox b) {
  return p.x >= b.min_x && p.x <= b.max_x && p.y >= b.min_y && p.y <= b.max_y;
}

/* Liang-Barsky: does segment p-q meet the closed box? */
static bool seg_meets(map_pt p, map_pt q, geom_bbox b) {
  if (pt_in(p, b) || pt_in(q, b)) return true;
  double t0 = 0, t1 = 1, dx = q.x - p.x, dy = q.y - p.y;
  const double num[4] = {p.x - b.min_x, b.max_x - p.x, p.y - b.min_y, b.max_y - p.y};
  const double den[4] = {-dx, dx, -dy, dy};
  for (int i = 0; i < 4; i++) {
    if (den[i] == 0) {
      if (num[i] < 0) return false; /* parallel to this side and outside it */
      continue;
    }
    double t = num[i] / den[i];
    if (den[i] < 0) {
      if (t > t1) return false;
      if (t > t0) t0 = t;
    } else {
      if (t < t0) return false;
      if (t < t1) t1 = t;
    }
  }
  return t0 <= t1;
}

static bool part_meets(const map_pt *p, uint32_t n, geom_bbox b) {
  if (n == 1) return pt_in(p[0], b);
  for (uint32_t i = 0; i + 1 < n; i++)
    if (seg_meets(p[i], p[i + 1], b)) return true;
  return false;
}

/* Even-odd rule for a closed ring (last point repeats the first, as geom rings do; an open one
 * is closed here). */
static bool in_ring(map_pt t, const map_pt *r, uint32_t n) {
  bool in = false;
  for (uint32_t i = 0, j = n - 1; i < n; j = i++) {
    if ((r[i].y > t.y) != (r[j].y > t.y) &&
        t.x < (r[j].x - r[i].x) * (t.y - r[i].y) / (r[j].y - r[i].y) + r[i].x)
      in = !in;
  }
  return in;
}

/* A polygon meets the box when a ring's edge does, or else (no edge crosses or touches it) when
 * the box lies wholly inside: then any corner tells, inside the exterior and in no hole. */
static bool polygon_meets(const geom *g, uint32_t poly, geom_bbox b) {
  uint32_t first = geom_part_start(g->poly_end, poly), last = g->poly_end[poly];
  for (uint32_t i = first; i < last; i++) {
    uint32_t s = geom_part_start(g->part_end, i);
    if (part_meets(g->pts + s, g->part_end[i] - s, b)) return true;
  }
  map_pt corner = {b.min_x, b.min_y};
  for (uint32_t i = first; i < last; i++) {
    uint32_t s = geom_part_start(g->part_end, i);
    if (in_ring(corner, g->pts + s, g->part_end[i] - s) != (i == first)) return false;
  }
  return true;
}

bool geom_intersects_bbox(const geom *g, geom_bbox b) {
  if (!g->n_pts || b.min_x > b.max_x || b.min_y > b.max_y) return false;
  switch (g->type) {
    case GEOM_POINT:
      for (uint32_t i = 0; i < g->n_pts; i++)
        if (pt_in(g->pts[i], b)) return true;
      return false;
    case GEOM_LINESTRING:
      for (uint32_t i = 0; i < g->n_parts; i++) {
        uint32_t s = geom_part_start(g->part_end, i);
        if (part_meets(g->pts + s, g->part_end[i] - s, b)) return true;
      }
      return false;
    case GEOM_POLYGON:
      for (uint32_t j = 0; j < g->n_polys; j++)
        if (polygon_meets(g, j, b)) return true;
      return false;
    default: return false;
  }
}
