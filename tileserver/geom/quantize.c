/* quantize.c — from tile units in doubles to the integer tile grid, and the clean-up MVT 2.1 §4.3
 * asks for: no zero-length LineTo (§4.3.3.2), lines of at least 2 points (§4.3.4.3), rings of at
 * least 3 points with no repeated closing point, exterior rings with a positive surveyor's-formula
 * area and holes with a negative one in y-down tile coordinates (§4.3.4.4).
 *
 * Which ring is an exterior comes from the source structure (first ring of each polygon), never
 * from the sign of its area: sources wind rings either way (shapefiles clockwise, GeoJSON
 * counter-clockwise, and a y-up to y-down projection flips them all), so the sign says nothing.
 * It does not repair self-intersections; GEOS does that at import. */
#include "geom/geom_int.h"

#include <math.h>

/* Bound on |coordinate|: keeps the rounding exact and every area product inside int64. */
#define QUANT_MAX 268435456.0 /* 2^28 */

static bool same(tile_pt a, tile_pt b) { return a.x == b.x && a.y == b.y; }

/* round(x) (half away from zero) for |x| <= QUANT_MAX, without libm's call: truncation is exact
 * there and so is x minus it. libm's round was a sixth of a z10 line tile's quantizing (callgrind,
 * bench/tiles/callgrind.sh); tests/unit/geom/test_quantize.c compares the two on halves and
 * their neighbours. */
static int32_t round_grid(double x) {
  int32_t i = (int32_t)x;
  double f = x - (double)i;
  return i + (f >= 0.5) - (f <= -0.5);
}

/* Appends p[0..n) rounded, skipping points equal to the one before; returns how many it kept. */
static uint32_t put_rounded(const map_pt *p, uint32_t n, tile_geom *out) {
  uint32_t start = out->n_pts;
  for (uint32_t i = 0; i < n; i++) {
    tile_pt q = {round_grid(p[i].x), round_grid(p[i].y)};
    if (out->n_pts > start && same(out->pts[out->n_pts - 1], q)) continue;
    out->pts[out->n_pts++] = q;
  }
  return out->n_pts - start;
}

/* Reverses a ring but keeps its first point first. */
static void reverse_ring(tile_pt *r, uint32_t n) {
  for (uint32_t i = 1, j = n - 1; i < j; i++, j--) {
    tile_pt t = r[i];
    r[i] = r[j];
    r[j] = t;
  }
}

/* Appends one ring, open and oriented; false (nothing appended) when it collapsed. */
static bool quant_ring(const map_pt *p, uint32_t n, bool exterior, tile_geom *out) {
  uint32_t start = out->n_pts, m = put_rounded(p, n, out);
  tile_pt *r = out->pts + start;
  while (m > 1 && same(r[m - 1], r[0])) m--; /* the closing point is implied by ClosePath */
  int64_t area2 = m >= 3 ? geom_ring_area2(r, m) : 0;
  if (area2 == 0) {
    out->n_pts = start;
    return false;
  }
  if ((area2 > 0) != exterior) reverse_ring(r, m);
  out->n_pts = start + m;
  out->part_end[out->n_parts++] = out->n_pts;
  return true;
}

static void quant_polygons(const geom *g, tile_geom *out) {
  for (uint32_t j = 0; j < g->n_polys; j++) {
    uint32_t first = geom_part_start(g->poly_end, j), last = g->poly_end[j];
    for (uint32_t i = first; i < last; i++) {
      uint32_t b = geom_part_start(g->part_end, i);
      bool kept = quant_ring(g->pts + b, g->part_end[i] - b, i == first, out);
      if (!kept && i == first) break; /* holes without their exterior are dropped */
    }
    uint32_t prev = out->n_polys ? out->poly_end[out->n_polys - 1] : 0;
    if (out->n_parts > prev) out->poly_end[out->n_polys++] = out->n_parts;
  }
}

static void quant_lines(const geom *g, tile_geom *out) {
  for (uint32_t i = 0; i < g->n_parts; i++) {
    uint32_t b = geom_part_start(g->part_end, i), start = out->n_pts;
    if (put_rounded(g->pts + b, g->part_end[i] - b, out) < 2)
      out->n_pts = start;
    else
      out->part_end[out->n_parts++] = out->n_pts;
  }
}

err_code geom_quantize(const geom *g, arena *a, tile_geom *out_tg, err *e) {
  *out_tg = (tile_geom){.type = g->type};
  if (!g->n_pts) return ERR_OK;
  for (uint32_t i = 0; i < g->n_pts; i++)
    if (!(fabs(g->pts[i].x) <= QUANT_MAX && fabs(g->pts[i].y) <= QUANT_MAX))
      return err_set(e, ERR_INVALID, "coordinate outside the tile grid");
  tile_geom out = {.type = g->type};
  out.pts = geom_alloc_n(a, g->n_pts, sizeof *out.pts);
  out.part_end = geom_alloc_n(a, g->n_parts, sizeof *out.part_end);
  out.poly_end = geom_alloc_n(a, g->n_polys, sizeof *out.poly_end);
  if (!out.pts || !out.part_end || !out.poly_end)
    return err_set(e, ERR_NOMEM, "out of memory quantizing a geometry");
  if (g->type == GEOM_POLYGON) {
    quant_polygons(g, &out);
  } else if (g->type == GEOM_LINESTRING) {
    quant_lines(g, &out);
  } else if (put_rounded(g->pts, g->n_pts, &out) > 0) {
    out.part_end[out.n_parts++] = out.n_pts;
  }
  if (!out.n_pts) return ERR_OK;
  if (g->type != GEOM_POLYGON) out.poly_end = NULL;
  *out_tg = out;
  return ERR_OK;
}
