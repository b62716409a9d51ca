/* ranked.c — lines stored for tiles: Web Mercator "world" coordinates, each vertex with its
 * Douglas-Peucker rank, so that a tile simplifies by comparing, not by searching.
 *
 * Douglas-Peucker's choices do not depend on the tolerance: in each interval it picks the vertex
 * farthest from the chord, and the tolerance only decides where it stops. So one run to the end
 * at import gives every vertex the squared distance at which it was picked, lowered to its
 * parent's (a vertex is reached only through its parent); then "rank > tolerance²" keeps exactly
 * the vertices that Douglas-Peucker keeps at that tolerance, for any tolerance. geojson-vt ranks
 * vertices the same way when it loads its data. The coordinates are the world coordinates that
 * geom_lonlat_to_world gives (the first step of geom_lonlat_to_tile), so a tile needs one
 * multiply-add per axis and vertex, with no sine or logarithm.
 *
 * Blob (little-endian): 'T' 'R' 1 2 (format, version, MVT line type) | u32 n_parts | f64 world
 * bbox min_x min_y max_x max_y | u32 part_end[n_parts] | per vertex f64 x, y, rank. The first
 * byte tells it from a SpatiaLite blob, which starts with 0x00. */
#include "geom/geom_int.h"

#include <math.h>
#include <string.h>

enum { RANKED_HEAD = 40 };

/* Ranks of one part p[0..n): the ends are never dropped. stack holds 3 entries a pending interval
 * (first, last, and the parent's rank as bits); intervals are disjoint, so 3n entries suffice. */
static void rank_part(const map_pt *p, uint32_t n, double *rank, double *stack) {
  for (uint32_t i = 0; i < n; i++) rank[i] = 0;
  rank[0] = rank[n - 1] = INFINITY;
  if (n < 3) return;
  size_t top = 0;
  stack[top++] = 0;
  stack[top++] = n - 1;
  stack[top++] = INFINITY;
  while (top) {
    double parent = stack[--top];
    uint32_t last = (uint32_t)stack[--top], first = (uint32_t)stack[--top];
    double max = -1;
    uint32_t idx = 0;
    for (uint32_t i = first + 1; i < last; i++) {
      double d = geom_seg_dist2(p[i], p[first], p[last]);
      if (d > max) {
        idx = i;
        max = d;
      }
    }
    /* all on the chord: they stay at rank 0, dropped at any tolerance */
    if (!(max > 0)) continue;
    double r = max < parent ? max : parent;
    rank[idx] = r;
    if (idx - first > 1) {
      stack[top++] = first;
      stack[top++] = idx;
      stack[top++] = r;
    }
    if (last - idx > 1) {
      stack[top++] = idx;
      stack[top++] = last;
      stack[top++] = r;
    }
  }
}

err_code geom_rank_line(const geom *g, arena *a, double **out_rank, err *e) {
  *out_rank = NULL;
  if (g->type != GEOM_LINESTRING) return err_set(e, ERR_INVALID, "only lines are ranked");
  uint32_t longest = 0;
  for (uint32_t i = 0; i < g->n_parts; i++) {
    uint32_t n = g->part_end[i] - geom_part_start(g->part_end, i);
    if (n > longest) longest = n;
  }
  double *rank = geom_alloc_n(a, g->n_pts, sizeof *rank);
  double *stack = geom_alloc_n(a, (size_t)longest * 3, sizeof *stack);
  if (!rank || !stack) return err_set(e, ERR_NOMEM, "out of memory ranking a line");
  for (uint32_t i = 0; i < g->n_parts; i++) {
    uint32_t b = geom_part_start(g->part_end, i);
    rank_part(g->pts + b, g->part_end[i] - b, rank + b, stack);
  }
  *out_rank = rank;
  return ERR_OK;
}

static void put_u32(buf *b, uint32_t v) {
  uint8_t x[4];
  for (int i = 0; i < 4; i++) x[i] = (uint8_t)(v >> (8 * i));
  buf_append(b, x, 4);
}

static void put_f64(buf *b, double d) {
  uint64_t v;
  memcpy(&v, &d, sizeof v);
  uint8_t x[8];
  for (int i = 0; i < 8; i++) x[i] = (uint8_t)(v >> (8 * i));
  buf_append(b, x, 8);
}

uint32_t geom_ranked_write(const geom *g, const double *rank, double min_rank, buf *out) {
  buf_reset(out);
  static const uint8_t magic[4] = {'T', 'R', 1, GEOM_LINESTRING};
  buf_append(out, magic, 4);
  put_u32(out, g->n_parts);
  geom_bbox bb = {0, 0, 0, 0};
  geom_bbox_compute(g, &bb);
  put_f64(out, bb.min_x);
  put_f64(out, bb.min_y);
  put_f64(out, bb.max_x);
  put_f64(out, bb.max_y);
  uint32_t kept = 0;
  /* the part ends of the kept vertices, before the vertices themselves */
  for (uint32_t i = 0; i < g->n_parts; i++) {
    for (uint32_t k = geom_part_start(g->part_end, i); k < g->part_end[i]; k++)
      if (rank[k] > min_rank) kept++;
    put_u32(out, kept);
  }
  for (uint32_t k = 0; k < g->n_pts; k++) {
    if (!(rank[k] > min_rank)) continue;
    put_f64(out, g->pts[k].x);
    put_f64(out, g->pts[k].y);
    put_f64(out, rank[k]);
  }
  return kept;
}

bool geom_is_ranked(const uint8_t *b, size_t n) {
  return n >= RANKED_HEAD && b[0] == 'T' && b[1] == 'R' && b[2] == 1 && b[3] == GEOM_LINESTRING;
}

static uint32_t get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A little-endian host reads the double as it is: at -O2 (RelWithDebInfo, scripts/test.sh) GCC 12
 * kept the byte loop below as eight loads, shifts and ors per double, 43 % of a z16 line tile's
 * instructions in the server (callgrind, bench/pg's tiles over PostgreSQL); -O3 merges them
 * already. Same bits either way. */
static double get_f64(const uint8_t *p) {
  double d;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  memcpy(&d, p, sizeof d);
#else
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
  memcpy(&d, &v, sizeof d);
#endif
  return d;
}

err_code geom_ranked_project(const uint8_t *b, size_t n, const geom_tile_opts *o, arena *a,
                             geom *out_g, geom_bbox *out_px, err *e) {
  *out_g = (geom){.type = GEOM_LINESTRING};
  if (!geom_is_ranked(b, n)) return err_set(e, ERR_INVALID, "not a ranked line");
  uint32_t n_parts = get_u32(b + 4);
  size_t off = RANKED_HEAD;
  if (n_parts == 0 || (n - off) / 4 < n_parts) return err_set(e, ERR_INVALID, "ranked line: parts");
  const uint8_t *ends = b + off;
  off += (size_t)n_parts * 4;
  uint32_t n_pts = get_u32(ends + 4 * (size_t)(n_parts - 1));
  if ((n - off) / 24 != n_pts || (n - off) % 24 != 0)
    return err_set(e, ERR_INVALID, "ranked line: vertices");
  map_pt lo = geom_world_to_tile((map_pt){get_f64(b + 8), get_f64(b + 16)}, o->tile, o->extent);
  map_pt hi = geom_world_to_tile((map_pt){get_f64(b + 24), get_f64(b + 32)}, o->tile, o->extent);
  *out_px = (geom_bbox){lo.x, lo.y, hi.x, hi.y};
  geom g = {.type = GEOM_LINESTRING, .multi = n_parts > 1};
  g.pts = geom_alloc_n(a, n_pts, sizeof *g.pts);
  g.part_end = geom_alloc_n(a, n_parts, sizeof *g.part_end);
  if (!g.pts || !g.part_end) return err_set(e, ERR_NOMEM, "out of memory reading a line");
  /* tolerance in world units: the tile's is in tile units, extent * 2^z of them across the world */
  double tol = o->tolerance / ((double)o->extent * ldexp(1.0, (int)o->tile.z));
  double min_rank = tol * tol;
  /* geom_world_to_tile's arithmetic inlined with its 2^z computed once: a call and an ldexp per
   * kept vertex were 14 % of a z16 line tile's server CPU (perf); the same operations in the
   * same order, so the same bits */
  double scale = ldexp(1.0, (int)o->tile.z), ext = (double)o->extent;
  double tx = (double)o->tile.x, ty = (double)o->tile.y;
  const uint8_t *v = b + off;
  uint32_t prev_end = 0;
  for (uint32_t i = 0; i < n_parts; i++) {
    uint32_t end = get_u32(ends + 4 * (size_t)i);
    if (end <= prev_end || end > n_pts) return err_set(e, ERR_INVALID, "ranked line: part ends");
    uint32_t start = g.n_pts;
    for (uint32_t k = prev_end; k < end; k++, v += 24) {
      if (!(get_f64(v + 16) > min_rank)) continue;
      g.pts[g.n_pts++] =
          (map_pt){(get_f64(v) * scale - tx) * ext, (get_f64(v + 8) * scale - ty) * ext};
    }
    if (g.n_pts > start) g.part_end[g.n_parts++] = g.n_pts;
    prev_end = end;
  }
  *out_g = g.n_pts ? g : (geom){.type = GEOM_LINESTRING};
  return ERR_OK;
}
