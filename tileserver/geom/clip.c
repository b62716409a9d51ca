/* clip.c — clipping to an axis-aligned rectangle (the buffered tile), the way geojson-vt does it:
 * one pass per axis, each keeping the stripe k1 <= coord <= k2. A stripe pass is Sutherland-Hodgman
 * against two parallel edges at once; for lines it also splits a line each time it leaves the
 * stripe. Most features are wholly inside or outside a tile, so the bbox is tested first and an
 * axis the bbox already fits is not clipped at all.
 *
 * Sutherland-Hodgman keeps each ring in one piece, so a clipped polygon covers the right area but
 * is not always valid along the clip line: the parts of a concave ring that remain inside come out
 * joined by zero-width bridges along it, and a hole cut by it keeps a run along it that lies on the
 * exterior's (as with every such clipper, PostGIS' and geojson-vt's included). Drawing with a fill
 * rule does not mind. geom_to_tile makes them valid after rounding, with geom_seam_repair
 * (seam.c): validity is judged on the integer grid, where rounding can also make points on the
 * clip line meet, and only the few polygons that need it pay for the rebuild (85 polygons in 83 of
 * the 7,267 tiles of the León demo at z10-z16); features wholly inside skip both. */
#include "geom/geom_int.h"

/* The slab k1 <= coord <= k2 on one axis (0: x, 1: y). */
typedef struct stripe {
  double k1, k2;
  int axis;
} stripe;

static double coord(map_pt p, int axis) { return axis ? p.y : p.x; }

/* Where segment a-b crosses coord == k; only called when a and b are on opposite sides. */
static map_pt intersect(map_pt a, map_pt b, double k, int axis) {
  if (axis == 0) return (map_pt){k, a.y + (b.y - a.y) * ((k - a.x) / (b.x - a.x))};
  return (map_pt){a.x + (b.x - a.x) * ((k - a.y) / (b.y - a.y)), k};
}

static void push(geom *out, map_pt p) { out->pts[out->n_pts++] = p; }

/* Closes the piece that began at *start: kept as a part when long enough (2 points for a line, 4
 * for a closed ring), otherwise its points are taken back. Returns 1 when kept. */
static uint32_t end_piece(geom *out, uint32_t *start, bool ring) {
  if (out->n_pts - *start < (ring ? 4u : 2u)) {
    out->n_pts = *start;
    return 0;
  }
  out->part_end[out->n_parts++] = out->n_pts;
  *start = out->n_pts;
  return 1;
}

/* Clips part p[0..n) to the stripe and appends what is left to out; returns the parts appended.
 * Each segment appends at most 2 points (its start or an entry point, and an exit point), so a
 * part of n points never appends more than 2n (with the last and closing points). */
static uint32_t clip_part(const map_pt *p, uint32_t n, stripe st, bool ring, geom *out) {
  uint32_t start = out->n_pts, added = 0;
  double k1 = st.k1, k2 = st.k2;
  int axis = st.axis;
  for (uint32_t i = 0; i + 1 < n; i++) {
    map_pt a = p[i], b = p[i + 1];
    double av = coord(a, axis), bv = coord(b, axis);
    bool exited = false;
    if (av < k1) {
      if (bv > k1) push(out, intersect(a, b, k1, axis)); /* enters from below k1 */
    } else if (av > k2) {
      if (bv < k2) push(out, intersect(a, b, k2, axis)); /* enters from above k2 */
    } else {
      push(out, a);
    }
    if (bv < k1 && av >= k1) {
      push(out, intersect(a, b, k1, axis));
      exited = true;
    }
    if (bv > k2 && av <= k2) {
      push(out, intersect(a, b, k2, axis));
      exited = true;
    }
    if (exited && !ring) added += end_piece(out, &start, false);
  }
  if (n > 0 && coord(p[n - 1], axis) >= k1 && coord(p[n - 1], axis) <= k2) push(out, p[n - 1]);
  if (ring && out->n_pts > start) {
    map_pt f = out->pts[start], l = out->pts[out->n_pts - 1];
    if (f.x != l.x || f.y != l.y) push(out, f);
  }
  return added + end_piece(out, &start, ring);
}

/* The polygons of in, ring by ring; a polygon whose exterior vanishes is dropped with its holes. */
static void clip_polygons(const geom *in, stripe st, geom *out) {
  for (uint32_t j = 0; j < in->n_polys; j++) {
    uint32_t first = geom_part_start(in->poly_end, j), last = in->poly_end[j];
    for (uint32_t i = first; i < last; i++) {
      uint32_t s = geom_part_start(in->part_end, i);
      uint32_t kept = clip_part(in->pts + s, in->part_end[i] - s, st, true, out);
      if (!kept && i == first) break;
    }
    uint32_t prev = out->n_polys ? out->poly_end[out->n_polys - 1] : 0;
    if (out->n_parts > prev) out->poly_end[out->n_polys++] = out->n_parts;
  }
}

static err_code clip_axis(const geom *in, stripe st, arena *a, geom *out, err *e) {
  *out = geom_empty_like(in);
  if ((uint64_t)in->n_pts * 2 > UINT32_MAX)
    return err_set(e, ERR_LIMIT, "geometry too large to clip");
  uint32_t cap_parts = in->type == GEOM_LINESTRING ? in->n_pts : in->n_parts;
  out->pts = geom_alloc_n(a, (size_t)in->n_pts * 2, sizeof *out->pts);
  out->part_end = geom_alloc_n(a, cap_parts, sizeof *out->part_end);
  out->poly_end = geom_alloc_n(a, in->n_polys, sizeof *out->poly_end);
  if (!out->pts || !out->part_end || !out->poly_end) {
    *out = geom_empty_like(in);
    return err_set(e, ERR_NOMEM, "out of memory clipping a geometry");
  }
  if (in->type == GEOM_POLYGON) {
    clip_polygons(in, st, out);
  } else {
    for (uint32_t i = 0; i < in->n_parts; i++) {
      uint32_t s = geom_part_start(in->part_end, i);
      clip_part(in->pts + s, in->part_end[i] - s, st, false, out);
    }
  }
  if (!out->n_pts) *out = geom_empty_like(in);
  return ERR_OK;
}

static err_code clip_points(const geom *g, geom_bbox r, arena *a, geom *out, err *e) {
  *out = geom_empty_like(g);
  out->pts = geom_alloc_n(a, g->n_pts, sizeof *out->pts);
  out->part_end = geom_alloc_n(a, 1, sizeof *out->part_end);
  if (!out->pts || !out->part_end) {
    *out = geom_empty_like(g);
    return err_set(e, ERR_NOMEM, "out of memory clipping points");
  }
  for (uint32_t i = 0; i < g->n_pts; i++) {
    map_pt p = g->pts[i];
    if (p.x >= r.min_x && p.x <= r.max_x && p.y >= r.min_y && p.y <= r.max_y) push(out, p);
  }
  if (out->n_pts)
    out->part_end[out->n_parts++] = out->n_pts;
  else
    *out = geom_empty_like(g);
  return ERR_OK;
}

err_code geom_clip_rect(const geom *g, geom_bbox rect, arena *a, geom *out_g, err *e) {
  geom_bbox bb;
  if (!geom_bbox_compute(g, &bb)) {
    *out_g = geom_empty_like(g);
    return ERR_OK;
  }
  return geom_clip_rect_bbox(g, bb, rect, a, out_g, e);
}

err_code geom_clip_rect_bbox(const geom *g, geom_bbox bb, geom_bbox rect, arena *a, geom *out_g,
                             err *e) {
  bool in_x = bb.min_x >= rect.min_x && bb.max_x <= rect.max_x;
  bool in_y = bb.min_y >= rect.min_y && bb.max_y <= rect.max_y;
  if (in_x && in_y) {
    *out_g = *g; /* trivial accept */
    return ERR_OK;
  }
  /* Written so that a NaN anywhere rejects rather than slips through. */
  bool overlaps = bb.min_x <= rect.max_x && bb.max_x >= rect.min_x && bb.min_y <= rect.max_y &&
                  bb.max_y >= rect.min_y;
  if (!overlaps) {
    *out_g = geom_empty_like(g); /* trivial reject */
    return ERR_OK;
  }
  if (g->type == GEOM_POINT) return clip_points(g, rect, a, out_g, e);
  geom tmp = *g;
  err_code rc = ERR_OK;
  if (!in_x) rc = clip_axis(g, (stripe){rect.min_x, rect.max_x, 0}, a, &tmp, e);
  if (!rc && !in_y) rc = clip_axis(&tmp, (stripe){rect.min_y, rect.max_y, 1}, a, out_g, e);
  else if (!rc) *out_g = tmp;
  if (rc) *out_g = geom_empty_like(g);
  return rc;
}
