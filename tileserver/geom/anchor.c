/* anchor.c — where a feature's label goes: the point itself, the middle of a line's longest
 * part (by length), or a point inside a polygon's largest ring. The polygon point is the middle
 * of the widest interior span of the horizontal line through the ring's area centroid: inside
 * the polygon even for a C-shaped colonia, cheap, and computed on the whole geometry (not the
 * clipped piece), so neighbouring tiles agree on it. Every step commutes with scaling, shifting
 * and flipping an axis, so the PNG renderer (device pixels) and the vector tiles' label points
 * (EPSG:3857 metres) find the same place. */
#include <math.h>
#include <stdlib.h>

#include "geom/geom.h"

static bool line_middle(const geom *g, map_pt *out) {
  double best = -1;
  uint32_t bs = 0, be = 0;
  for (uint32_t p = 0; p < g->n_parts; p++) {
    uint32_t s = geom_part_start(g->part_end, p), e = g->part_end[p];
    double len = 0;
    for (uint32_t i = s + 1; i < e; i++)
      len += hypot(g->pts[i].x - g->pts[i - 1].x, g->pts[i].y - g->pts[i - 1].y);
    if (len > best) best = len, bs = s, be = e;
  }
  if (best < 0 || be <= bs) return false;
  double half = best / 2, run = 0;
  for (uint32_t i = bs + 1; i < be; i++) {
    map_pt a = g->pts[i - 1], b = g->pts[i];
    double d = hypot(b.x - a.x, b.y - a.y);
    if (run + d >= half && d > 0) {
      double t = (half - run) / d;
      *out = (map_pt){a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t};
      return true;
    }
    run += d;
  }
  *out = g->pts[bs];
  return true;
}

/* Signed area and centroid of ring [s, e). */
static double ring_centroid(const map_pt *pts, uint32_t s, uint32_t e, map_pt *c) {
  double a = 0, cx = 0, cy = 0;
  for (uint32_t i = s; i + 1 < e; i++) {
    double cross = pts[i].x * pts[i + 1].y - pts[i + 1].x * pts[i].y;
    a += cross;
    cx += (pts[i].x + pts[i + 1].x) * cross;
    cy += (pts[i].y + pts[i + 1].y) * cross;
  }
  if (a != 0) *c = (map_pt){cx / (3 * a), cy / (3 * a)};
  else *c = pts[s];
  return a / 2;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Widest inside span along y = yc over rings [r0, r1) of polygon g. */
static bool widest_span(const geom *g, uint32_t r0, uint32_t r1, double yc, map_pt *out) {
  enum { MAX_X = 512 };
  double xs[MAX_X];
  int n = 0;
  for (uint32_t r = r0; r < r1; r++) {
    uint32_t s = geom_part_start(g->part_end, r), e = g->part_end[r];
    for (uint32_t i = s; i + 1 < e && n < MAX_X; i++) {
      map_pt a = g->pts[i], b = g->pts[i + 1];
      if ((a.y > yc) != (b.y > yc)) xs[n++] = a.x + (yc - a.y) / (b.y - a.y) * (b.x - a.x);
    }
  }
  qsort(xs, (size_t)n, sizeof *xs, cmp_double);
  double best = -1;
  for (int i = 0; i + 1 < n; i += 2) {
    if (xs[i + 1] - xs[i] > best) {
      best = xs[i + 1] - xs[i];
      *out = (map_pt){(xs[i] + xs[i + 1]) / 2, yc};
    }
  }
  return best >= 0;
}

static bool polygon_point(const geom *g, map_pt *out) {
  double best = -1;
  uint32_t bp = 0;
  map_pt bc = {0, 0};
  for (uint32_t p = 0; p < g->n_polys; p++) {
    uint32_t ext = p ? g->poly_end[p - 1] : 0;
    map_pt c;
    double a = fabs(ring_centroid(g->pts, geom_part_start(g->part_end, ext), g->part_end[ext], &c));
    if (a > best) best = a, bp = p, bc = c;
  }
  if (best < 0) return false;
  uint32_t r0 = bp ? g->poly_end[bp - 1] : 0, r1 = g->poly_end[bp];
  if (widest_span(g, r0, r1, bc.y, out)) return true;
  *out = bc;
  return true;
}

bool geom_label_anchor(const geom *g, map_pt *out) {
  if (g->n_pts == 0) return false;
  switch (g->type) {
    case GEOM_POINT: *out = g->pts[0]; return true;
    case GEOM_LINESTRING: return line_middle(g, out);
    case GEOM_POLYGON: return polygon_point(g, out);
    default: return false;
  }
}
