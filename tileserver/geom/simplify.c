/* simplify.c — Douglas-Peucker line simplification with a tolerance in tile units.
 *
 * Iterative with an explicit stack of index pairs, not recursive: a 100k-point coastline would
 * otherwise recurse as deep as it has points in the worst case. The stack holds disjoint intervals
 * of at least 3 points, so n entries always suffice. Distances are to the segment (not the infinite
 * line), as in geojson-vt, so a ring whose endpoints coincide is measured from that point.
 * It does not preserve topology: neighbouring polygons may simplify differently along a shared
 * edge; at tile tolerances (a fraction of a pixel) this is invisible. */
#include "geom/geom_int.h"

#include <string.h>

typedef struct dp_scratch {
  uint8_t *keep;   /* one flag per point of the longest part */
  uint32_t *stack; /* as many entries as that part has points */
  double tol2;     /* tolerance squared */
} dp_scratch;

/* Sets keep[i] for the points of p[0..n) (n >= 2) that Douglas-Peucker keeps. */
static void dp_mark(const map_pt *p, uint32_t n, dp_scratch *s) {
  memset(s->keep, 0, n);
  s->keep[0] = s->keep[n - 1] = 1;
  uint32_t top = 0;
  s->stack[top++] = 0;
  s->stack[top++] = n - 1;
  while (top) {
    uint32_t last = s->stack[--top], first = s->stack[--top];
    double max = s->tol2;
    uint32_t idx = 0; /* 0 is never inside (first, last): it means "nothing beyond tolerance" */
    for (uint32_t i = first + 1; i < last; i++) {
      double d = geom_seg_dist2(p[i], p[first], p[last]);
      if (d > max) {
        idx = i;
        max = d;
      }
    }
    if (!idx) continue;
    s->keep[idx] = 1;
    if (idx - first > 1) {
      s->stack[top++] = first;
      s->stack[top++] = idx;
    }
    if (last - idx > 1) {
      s->stack[top++] = idx;
      s->stack[top++] = last;
    }
  }
}

/* Appends the simplified part to out; false (nothing appended) when a ring fell below 4 points. */
static bool simplify_part(const map_pt *p, uint32_t n, bool ring, dp_scratch *s, geom *out) {
  uint32_t start = out->n_pts;
  if (n > 2) {
    dp_mark(p, n, s);
    for (uint32_t i = 0; i < n; i++)
      if (s->keep[i]) out->pts[out->n_pts++] = p[i];
  } else {
    for (uint32_t i = 0; i < n; i++) out->pts[out->n_pts++] = p[i];
  }
  if (ring && out->n_pts - start < 4) {
    out->n_pts = start;
    return false;
  }
  out->part_end[out->n_parts++] = out->n_pts;
  return true;
}

static void simplify_polygons(const geom *g, dp_scratch *s, geom *out) {
  for (uint32_t j = 0; j < g->n_polys; j++) {
    uint32_t first = geom_part_start(g->poly_end, j), last = g->poly_end[j];
    for (uint32_t i = first; i < last; i++) {
      uint32_t b = geom_part_start(g->part_end, i);
      bool kept = simplify_part(g->pts + b, g->part_end[i] - b, true, s, out);
      if (!kept && i == first) break; /* no exterior: its holes go with it */
    }
    uint32_t prev = out->n_polys ? out->poly_end[out->n_polys - 1] : 0;
    if (out->n_parts > prev) out->poly_end[out->n_polys++] = out->n_parts;
  }
}

err_code geom_simplify(const geom *g, double tolerance, arena *a, geom *out_g, err *e) {
  if (!(tolerance > 0) || g->type == GEOM_POINT || !g->n_pts) {
    *out_g = *g;
    return ERR_OK;
  }
  uint32_t longest = 0;
  for (uint32_t i = 0; i < g->n_parts; i++) {
    uint32_t n = g->part_end[i] - geom_part_start(g->part_end, i);
    if (n > longest) longest = n;
  }
  dp_scratch s = {geom_alloc_n(a, longest, 1), geom_alloc_n(a, longest, sizeof(uint32_t)),
                  tolerance * tolerance};
  geom out = geom_empty_like(g);
  out.pts = geom_alloc_n(a, g->n_pts, sizeof *out.pts);
  out.part_end = geom_alloc_n(a, g->n_parts, sizeof *out.part_end);
  out.poly_end = geom_alloc_n(a, g->n_polys, sizeof *out.poly_end);
  if (!s.keep || !s.stack || !out.pts || !out.part_end || !out.poly_end) {
    *out_g = geom_empty_like(g);
    return err_set(e, ERR_NOMEM, "out of memory simplifying a geometry");
  }
  if (g->type == GEOM_POLYGON) {
    simplify_polygons(g, &s, &out);
  } else {
    for (uint32_t i = 0; i < g->n_parts; i++) {
      uint32_t b = geom_part_start(g->part_end, i);
      simplify_part(g->pts + b, g->part_end[i] - b, false, &s, &out);
    }
  }
  *out_g = out.n_pts ? out : geom_empty_like(g);
  return ERR_OK;
}
