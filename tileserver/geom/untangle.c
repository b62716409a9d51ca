/* untangle.c — rings that simplification and rounding made touch or cross themselves, on the
 * integer grid, after geom_quantize and before geom_seam_repair.
 *
 * At low zooms a country is a few dozen tile units across: Douglas-Peucker, which does not keep
 * topology, cuts a corner across a neighbouring edge, and rounding folds a narrow spike onto itself
 * or makes two vertices meet (Natural Earth at z0-z4: Western Sahara and Sudan; GEOS calls these
 * "Self-intersection" and "Ring Self-intersection"). Each ring is cleaned on its own:
 *  - a spike (A, B, C on one line, C turning back towards A) loses its tip B;
 *  - where two non-adjacent edges meet, the ring is two loops joined there. A loop wound against
 *    the ring (a twist) or of no area is cut off; a loop wound like the ring that meets the rest at
 *    a vertex is kept as a ring of its own (a polygon beside its exterior, a hole beside its hole:
 *    OGC allows them to touch at a point). Two loops joined by a proper crossing are each closed by
 *    a chord beside the crossing point (so no coordinate is invented); the larger stays the ring,
 *    the smaller becomes a ring of its own when it is wound like the ring and lies outside it (a
 *    lobe: Western Sahara's north-east at z0), else it is cut off (a twist, or a curl inside).
 * Split-off rings are cleaned the same way. Meetings are found by sorting the edges on x and
 * sweeping, so a clean ring of n points costs O(n log n).
 * No coordinate is created except where a vertex lies on another edge (it is then also a vertex
 * of that edge), so everything stays exact (int64) and on the grid.
 * Left alone: the boundary of the buffered tile (geom_seam_repair's work: runs along it are meant
 * to overlap), rings of different polygons or a hole against its exterior. */
#include "geom/geom_int.h"

#include <stdlib.h>
#include <string.h>

/* A ring being cleaned: n points, room for cap. */
typedef struct ring {
  tile_pt *p;
  uint32_t n, cap;
} ring;

typedef struct bounds {
  int64_t x0, y0, x1, y1;
} bounds;

static bool same(tile_pt a, tile_pt b) { return a.x == b.x && a.y == b.y; }

static bool on_boundary(const bounds *r, tile_pt p) {
  return p.x == r->x0 || p.x == r->x1 || p.y == r->y0 || p.y == r->y1;
}

static int64_t cross(tile_pt o, tile_pt a, tile_pt b) {
  return (int64_t)(a.x - o.x) * (b.y - o.y) - (int64_t)(a.y - o.y) * (b.x - o.x);
}

static int sgn(int64_t v) { return (v > 0) - (v < 0); }

/* p on the closed segment a-b (collinear and inside its box). */
static bool on_seg(tile_pt p, tile_pt a, tile_pt b) {
  return cross(a, b, p) == 0 && p.x >= (a.x < b.x ? a.x : b.x) && p.x <= (a.x > b.x ? a.x : b.x) &&
         p.y >= (a.y < b.y ? a.y : b.y) && p.y <= (a.y > b.y ? a.y : b.y);
}

/* Drops repeated points and spike tips (not on the boundary) until none is left. */
static void drop_spikes(ring *r, const bounds *b) {
  bool changed = true;
  while (changed && r->n >= 3) {
    changed = false;
    uint32_t m = 0;
    for (uint32_t i = 0; i < r->n; i++) {
      tile_pt q = r->p[i];
      if (m && same(r->p[m - 1], q)) continue;
      r->p[m++] = q;
      while (m >= 3) {
        tile_pt a = r->p[m - 3], t = r->p[m - 2], c = r->p[m - 1];
        bool back = cross(a, t, c) == 0 &&
                    (int64_t)(t.x - a.x) * (c.x - t.x) + (int64_t)(t.y - a.y) * (c.y - t.y) < 0;
        if (!back || on_boundary(b, t)) break;
        r->p[m - 2] = c; /* drop the tip */
        m--;
        if (same(r->p[m - 2], r->p[m - 1])) m--;
        changed = true;
      }
    }
    while (m > 1 && same(r->p[m - 1], r->p[0])) m--;
    /* the spike may straddle the ring's start: rotate by one and look again */
    if (m >= 3 && !changed) {
      tile_pt a = r->p[m - 1], t = r->p[0], c = r->p[1];
      if (cross(a, t, c) == 0 && !on_boundary(b, t) &&
          (int64_t)(t.x - a.x) * (c.x - t.x) + (int64_t)(t.y - a.y) * (c.y - t.y) < 0) {
        memmove(r->p, r->p + 1, (m - 1) * sizeof *r->p);
        m--;
        changed = true;
      }
    }
    r->n = m;
  }
}

/* A meeting of edges i (p[i], p[i+1]) and j > i + 1. kind: 1 vertex p[a] == p[b] (a < b);
 * 2 a vertex inside the other edge (insert it there, then it is kind 1); 3 a proper crossing. */
typedef struct meeting {
  int kind;
  uint32_t i, j;
  uint32_t a, b;      /* kind 1 */
  uint32_t at;        /* kind 2: index of the vertex lying inside edge `edge` */
  uint32_t edge;
} meeting;

static tile_pt at(const ring *r, uint32_t i) { return r->p[i % r->n]; }

/* How edges i and j (non-adjacent) meet; false when they do not, or only on the boundary. */
static bool edges_meet(const ring *r, const bounds *bd, uint32_t i, uint32_t j, meeting *out) {
  tile_pt a = at(r, i), b = at(r, i + 1), c = at(r, j), d = at(r, j + 1);
  int d1 = sgn(cross(c, d, a)), d2 = sgn(cross(c, d, b)), d3 = sgn(cross(a, b, c)),
      d4 = sgn(cross(a, b, d));
  if (d1 * d2 < 0 && d3 * d4 < 0) {
    *out = (meeting){.kind = 3, .i = i, .j = j};
    return true;
  }
  /* touching: a vertex of one edge on the other (the first such, in ring order) */
  const struct {
    tile_pt v;
    uint32_t vi;
    tile_pt s0, s1;
    uint32_t e;
  } T[] = {{a, i, c, d, j}, {b, (i + 1) % r->n, c, d, j}, {c, j, a, b, i}, {d, (j + 1) % r->n, a, b, i}};
  for (int k = 0; k < 4; k++) {
    if (!on_seg(T[k].v, T[k].s0, T[k].s1) || on_boundary(bd, T[k].v)) continue;
    if (same(T[k].v, T[k].s0) || same(T[k].v, T[k].s1)) {
      uint32_t other = same(T[k].v, T[k].s0) ? T[k].e : (T[k].e + 1) % r->n;
      uint32_t lo = T[k].vi < other ? T[k].vi : other, hi = T[k].vi < other ? other : T[k].vi;
      if (lo == hi) continue;
      *out = (meeting){.kind = 1, .i = i, .j = j, .a = lo, .b = hi};
    } else {
      *out = (meeting){.kind = 2, .i = i, .j = j, .at = T[k].vi, .edge = T[k].e};
    }
    return true;
  }
  return false;
}

typedef struct seg_ref {
  int32_t min_x, max_x;
  uint32_t i;
} seg_ref;

static int by_min_x(const void *pa, const void *pb) {
  const seg_ref *a = pa, *b = pb;
  return (a->min_x > b->min_x) - (a->min_x < b->min_x);
}

/* The first meeting of two non-adjacent edges (sort and sweep on x), or false. */
static bool find_meeting(const ring *r, const bounds *bd, seg_ref *s, meeting *out) {
  uint32_t n = r->n;
  for (uint32_t i = 0; i < n; i++) {
    tile_pt a = at(r, i), b = at(r, i + 1);
    s[i] = (seg_ref){a.x < b.x ? a.x : b.x, a.x > b.x ? a.x : b.x, i};
  }
  qsort(s, n, sizeof *s, by_min_x);
  for (uint32_t k = 0; k < n; k++)
    for (uint32_t l = k + 1; l < n && s[l].min_x <= s[k].max_x; l++) {
      uint32_t i = s[k].i < s[l].i ? s[k].i : s[l].i, j = s[k].i < s[l].i ? s[l].i : s[k].i;
      if (j == i + 1 || (i == 0 && j == n - 1)) continue; /* adjacent */
      if (edges_meet(r, bd, i, j, out)) return true;
    }
  return false;
}

static int64_t area2(const tile_pt *p, uint32_t n) { return n >= 3 ? geom_ring_area2(p, n) : 0; }

/* Output rings: each a slice of the arena, with its role. */
typedef struct out_ring {
  tile_pt *p;
  uint32_t n;
  bool exterior; /* starts a polygon */
} out_ring;

typedef struct out_list {
  out_ring *r;
  uint32_t n, cap;
  arena *a;
  bool failed;
} out_list;

static void emit(out_list *o, const tile_pt *p, uint32_t n, bool exterior) {
  if (o->failed) return;
  if (o->n == o->cap) {
    uint32_t cap = o->cap ? 2 * o->cap : 16;
    out_ring *r = arena_realloc(o->a, o->r, o->cap * sizeof *r, cap * sizeof *r);
    if (!r) {
      o->failed = true;
      return;
    }
    o->r = r;
    o->cap = cap;
  }
  tile_pt *c = geom_alloc_n(o->a, n, sizeof *c);
  if (!c) {
    o->failed = true;
    return;
  }
  memcpy(c, p, n * sizeof *c);
  o->r[o->n++] = (out_ring){c, n, exterior};
}

/* Removes p[from .. to) from the ring (indices in 0..n, from < to). */
static void cut(ring *r, uint32_t from, uint32_t to) {
  memmove(r->p + from, r->p + to, (r->n - to) * sizeof *r->p);
  r->n -= to - from;
}

/* Even-odd test of p against the open ring q[0..n) (p on no edge of it). */
static bool inside_ring(tile_pt p, const tile_pt *q, uint32_t n) {
  bool in = false;
  for (uint32_t i = 0, j = n - 1; i < n; j = i++)
    if ((q[i].y > p.y) != (q[j].y > p.y) &&
        (double)p.x < (double)(q[j].x - q[i].x) * (p.y - q[i].y) / (q[j].y - q[i].y) + q[i].x)
      in = !in;
  return in;
}

static err_code untangle_ring(const tile_pt *p, uint32_t n, bool exterior, const bounds *bd,
                              out_list *o, arena *a, int depth);

/* One repair at meeting m; false when the ring cannot be repaired further. sign: +1 exterior. */
static bool repair(ring *r, const meeting *m, int sign, bool exterior, const bounds *bd,
                   out_list *o, arena *a, int depth) {
  if (m->kind == 2) { /* insert the touching vertex into the edge, as a vertex of its own */
    if (r->n == r->cap) return false;
    uint32_t pos = m->edge + 1;
    tile_pt v = at(r, m->at);
    memmove(r->p + pos + 1, r->p + pos, (r->n - pos) * sizeof *r->p);
    r->p[pos] = v;
    r->n++;
    return true;
  }
  if (m->kind == 1) { /* loop p[a .. b) and the rest, joined at p[a] == p[b] */
    int64_t l = area2(r->p + m->a, m->b - m->a);
    if (sgn(l) == sign && untangle_ring(r->p + m->a, m->b - m->a, exterior, bd, o, a, depth + 1))
      return false;
    cut(r, m->a, m->b);
    return true;
  }
  /* A proper crossing of edges i and j: the loop p[i+1 .. j] and the rest p[j+1 ..] + p[.. i],
   * each closed by a chord next to the crossing point (the two chords cannot cross). The larger
   * stays the ring; the smaller, when wound like the ring and outside it (a lobe, not a curl),
   * becomes a ring of its own, else it is cut off. */
  uint32_t nl = m->j - m->i, nr = r->n - nl;
  tile_pt *rest = geom_alloc_n(a, nr, sizeof *rest);
  if (!rest) {
    o->failed = true;
    return false;
  }
  memcpy(rest, r->p + m->j + 1, (r->n - m->j - 1) * sizeof *rest);
  memcpy(rest + (r->n - m->j - 1), r->p, (m->i + 1) * sizeof *rest);
  const tile_pt *loop = r->p + m->i + 1;
  int64_t al = area2(loop, nl), ar = area2(rest, nr);
  bool loop_big = (al < 0 ? -al : al) > (ar < 0 ? -ar : ar);
  const tile_pt *big = loop_big ? loop : rest, *small = loop_big ? rest : loop;
  uint32_t nb = loop_big ? nl : nr, ns = loop_big ? nr : nl;
  int64_t as = loop_big ? ar : al;
  if (sgn(as) == sign && nb >= 3 && !inside_ring(small[ns / 2], big, nb) &&
      untangle_ring(small, ns, exterior, bd, o, a, depth + 1))
    return false;
  if (loop_big) memmove(r->p, loop, nl * sizeof *r->p);
  else memcpy(r->p, rest, nr * sizeof *r->p);
  r->n = nb;
  return true;
}

/* Cleans one ring (open, oriented by geom_quantize) and emits what is left of it. A loop split
 * off is cleaned the same way, up to a depth of 8 (then it is emitted as it is). */
static err_code untangle_ring(const tile_pt *p, uint32_t n, bool exterior, const bounds *bd,
                              out_list *o, arena *a, int depth) {
  if (depth > 8) {
    emit(o, p, n, exterior);
    return o->failed ? ERR_NOMEM : ERR_OK;
  }
  ring r = {geom_alloc_n(a, 2 * (size_t)n + 4, sizeof(tile_pt)), n, 2 * n + 4};
  seg_ref *s = geom_alloc_n(a, r.cap, sizeof *s);
  if (!r.p || !s) {
    o->failed = true;
    return ERR_NOMEM;
  }
  memcpy(r.p, p, n * sizeof *p);
  int sign = exterior ? 1 : -1;
  drop_spikes(&r, bd);
  meeting m;
  for (uint32_t round = 0; r.n >= 3 && round < 2 * n + 4; round++) {
    if (!find_meeting(&r, bd, s, &m) || !repair(&r, &m, sign, exterior, bd, o, a, depth)) break;
    drop_spikes(&r, bd);
  }
  int64_t ar = area2(r.p, r.n);
  if (ar != 0 && r.n >= 3) {
    if (sgn(ar) != sign) /* what is left was the twist: wind it as the ring was */
      for (uint32_t i = 1, j = r.n - 1; i < j; i++, j--) {
        tile_pt t = r.p[i];
        r.p[i] = r.p[j];
        r.p[j] = t;
      }
    emit(o, r.p, r.n, exterior);
  }
  return o->failed ? ERR_NOMEM : ERR_OK;
}

err_code geom_untangle(const tile_geom *tg, tile_pt lo, tile_pt hi, arena *a, tile_geom *out_tg,
                       err *e) {
  *out_tg = *tg;
  if (tg->type != GEOM_POLYGON || !tg->n_pts) return ERR_OK;
  bounds bd = {lo.x, lo.y, hi.x, hi.y};
  out_list o = {.a = a};
  tile_geom out = {.type = GEOM_POLYGON};
  /* a ring of n points leaves at most 2n + 4 (one vertex inserted per repair, 2n + 4 repairs),
   * in rings of 3 points or more */
  size_t cap = 2 * (size_t)tg->n_pts + 6 * (size_t)tg->n_parts + 16;
  out.pts = geom_alloc_n(a, cap, sizeof *out.pts);
  out.part_end = geom_alloc_n(a, cap, sizeof *out.part_end);
  out.poly_end = geom_alloc_n(a, cap, sizeof *out.poly_end);
  if (!out.pts || !out.part_end || !out.poly_end) goto nomem;
  for (uint32_t j = 0; j < tg->n_polys; j++) {
    uint32_t first = o.n;
    for (uint32_t i = geom_part_start(tg->poly_end, j); i < tg->poly_end[j]; i++) {
      uint32_t s = geom_part_start(tg->part_end, i);
      if (untangle_ring(tg->pts + s, tg->part_end[i] - s, i == geom_part_start(tg->poly_end, j),
                        &bd, &o, a, 0) != ERR_OK)
        goto nomem;
    }
    /* the polygon's main exterior and holes, then each split-off exterior as a polygon */
    int32_t main = -1;
    for (uint32_t k = first; k < o.n && main < 0; k++)
      if (o.r[k].exterior) main = (int32_t)k;
    if (main < 0) continue; /* the exterior vanished: its holes go with it */
    for (int pass = 0; pass < 3; pass++)
      for (uint32_t k = first; k < o.n; k++) {
        const out_ring *x = &o.r[k];
        bool take = pass == 0   ? (int32_t)k == main
                    : pass == 1 ? !x->exterior
                                : x->exterior && (int32_t)k != main;
        if (!take) continue;
        if (pass == 2) out.poly_end[out.n_polys++] = out.n_parts; /* end the previous polygon */
        memcpy(out.pts + out.n_pts, x->p, x->n * sizeof *x->p);
        out.n_pts += x->n;
        out.part_end[out.n_parts++] = out.n_pts;
      }
    out.poly_end[out.n_polys++] = out.n_parts;
  }
  if (!out.n_pts) {
    *out_tg = (tile_geom){.type = GEOM_POLYGON};
    return ERR_OK;
  }
  *out_tg = out;
  return ERR_OK;
nomem:
  *out_tg = (tile_geom){.type = GEOM_POLYGON};
  return err_set(e, ERR_NOMEM, "out of memory untangling a polygon");
}
