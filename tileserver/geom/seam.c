/* seam.c — valid polygons where clipping cut them: the last stage of geom_to_tile, on the integer
 * grid, after geom_quantize.
 *
 * geom_clip_rect clips ring by ring (Sutherland-Hodgman), so a ring stays in one piece: parts of a
 * concave ring that remain inside are joined by zero-width bridges along the clip line, and a hole
 * cut by the clip line keeps a run along it that lies on the exterior's run. OGC Simple Features
 * (GEOS) calls both invalid. This stage finds such polygons with one cheap pass and rebuilds only
 * them, the way a rectangle clipper does (GEOS RectangleIntersection, Weiler-Atherton for a
 * rectangle): the rings are cut into chains that run through the inside from one boundary point to
 * another; what is left lies on the boundary, where a bridge's two runs and a cut hole's run cancel
 * out the exterior's; the chains are joined again along what remains. So bridged parts become
 * separate polygons, a cut hole becomes a notch, and a ring that touches itself on the boundary
 * becomes a ring and a hole touching it at that point.
 *
 * Why on the grid and not in clip.c: validity is judged on the integer coordinates the tile
 * carries. Rounding can make two points on the clip line meet, or collapse a sliver along it;
 * simplification moves where a ring leaves the line. The rectangle (the buffered tile) lies on the
 * grid, so a point on its boundary stays there, and all arithmetic here is exact (int64).
 * It repairs nothing away from the rectangle's boundary: GEOS validates sources at import. */
#include "geom/geom_int.h"

#include <stdlib.h>
#include <string.h>

/* Perimeter positions: t runs from 0 at (x0, y0) along y = y0 to (x1, y0), along x = x1 to
 * (x1, y1), back along y = y1 and along x = x0 to per. That walk has a positive area, as exterior
 * rings do (geom_quantize), so the polygon lies on the same side of its rings as the rectangle's
 * inside lies of the walk: the boundary pieces of a clipped polygon run forwards (t growing). */
typedef struct rect {
  int64_t x0, y0, x1, y1, w, h, per;
} rect;

/* Position of p (on the side line e: 0 y0, 1 x1, 2 y1, 3 x0) along the perimeter. */
static int64_t edge_t(const rect *r, int e, tile_pt p) {
  switch (e) {
    case 0: return p.x - r->x0;
    case 1: return r->w + (p.y - r->y0);
    case 2: return r->w + r->h + (r->x1 - p.x);
    default: return 2 * r->w + r->h + (r->y1 - p.y);
  }
}

static bool inside(const rect *r, tile_pt p) {
  return p.x >= r->x0 && p.x <= r->x1 && p.y >= r->y0 && p.y <= r->y1;
}

/* True when p is on the boundary; *out_t in [0, per) (a corner takes its smaller position). */
static bool on_edge(const rect *r, tile_pt p, int64_t *out_t) {
  int e = p.y == r->y0 ? 0 : p.x == r->x1 ? 1 : p.y == r->y1 ? 2 : p.x == r->x0 ? 3 : -1;
  if (e < 0 || !inside(r, p)) return false; /* the common case costs four comparisons */
  *out_t = edge_t(r, e, p);
  return true;
}

/* Side line that segment a-b lies on (both ends on it, a != b), or -1. */
static int seg_edge(const rect *r, tile_pt a, tile_pt b) {
  if (!inside(r, a) || !inside(r, b)) return -1;
  if (a.y == b.y && a.x != b.x && (a.y == r->y0 || a.y == r->y1)) return a.y == r->y0 ? 0 : 2;
  if (a.x == b.x && a.y != b.y && (a.x == r->x0 || a.x == r->x1)) return a.x == r->x1 ? 1 : 3;
  return -1;
}

static tile_pt at_t(const rect *r, int64_t t) {
  if (t <= r->w) return (tile_pt){(int32_t)(r->x0 + t), (int32_t)r->y0};
  if ((t -= r->w) <= r->h) return (tile_pt){(int32_t)r->x1, (int32_t)(r->y0 + t)};
  if ((t -= r->h) <= r->w) return (tile_pt){(int32_t)(r->x1 - t), (int32_t)r->y1};
  return (tile_pt){(int32_t)r->x0, (int32_t)(r->y1 - (t - r->w))};
}

/* Position of corner k (0 (x0, y0), 1 (x1, y0), 2 (x1, y1), 3 (x0, y1)). */
static int64_t corner_t(const rect *r, int k) {
  return k == 0 ? 0 : k == 1 ? r->w : k == 2 ? r->w + r->h : 2 * r->w + r->h;
}

/* ---- detection ------------------------------------------------------------------------------- */

/* A ring point on the boundary, and where the boundary segment starting there ends (-1: none). */
typedef struct bvert {
  int64_t t, end;
} bvert;

static int cmp_bvert(const void *a, const void *b) {
  int64_t x = ((const bvert *)a)->t, y = ((const bvert *)b)->t;
  return x < y ? -1 : x > y;
}

/* Visits the boundary points of rings [r0, r1) of g. Returns false as soon as a boundary segment
 * runs backwards; otherwise stores up to cap points in out (when not NULL) and counts them all. */
static bool scan_boundary(const rect *r, const tile_geom *g, uint32_t r0, uint32_t r1, bvert *out,
                          uint32_t cap, uint32_t *out_n) {
  uint32_t k = 0;
  for (uint32_t i = r0; i < r1; i++) {
    uint32_t s = geom_part_start(g->part_end, i), m = g->part_end[i] - s;
    const tile_pt *p = g->pts + s;
    for (uint32_t j = 0; j < m; j++) {
      int64_t t;
      if (!on_edge(r, p[j], &t)) continue;
      tile_pt q = p[j + 1 < m ? j + 1 : 0];
      int e = seg_edge(r, p[j], q);
      int64_t end = e < 0 ? -1 : edge_t(r, e, q);
      if (e >= 0 && end < edge_t(r, e, p[j])) return false;
      if (out && k < cap) out[k] = (bvert){t, end == r->per ? 0 : end};
      k++;
    }
  }
  *out_n = k;
  return true;
}

/* 1 when polygon rings [r0, r1) break validity on the boundary: a boundary segment that runs
 * backwards (a bridge, a cut hole's run), a boundary point that rings pass through twice, or one
 * inside another ring's boundary segment. 0 when it is fine, -1 when the arena fails. */
static int seam_broken(const rect *r, const tile_geom *g, uint32_t r0, uint32_t r1, arena *a) {
  bvert small[32], *v = small;
  uint32_t k;
  if (!scan_boundary(r, g, r0, r1, small, 32, &k)) return 1;
  if (k <= 1) return 0;
  if (k > 32) {
    if (!(v = geom_alloc_n(a, k, sizeof *v))) return -1;
    scan_boundary(r, g, r0, r1, v, k, &k);
    qsort(v, k, sizeof *v, cmp_bvert);
  } else { /* a clipped polygon has a handful: glibc's qsort would cost more than the scan */
    for (uint32_t i = 1; i < k; i++)
      for (uint32_t j = i; j > 0 && v[j].t < v[j - 1].t; j--) {
        bvert t = v[j];
        v[j] = v[j - 1];
        v[j - 1] = t;
      }
  }
  /* Valid: distinct positions, and each boundary segment ends at the very next one. */
  for (uint32_t i = 0; i < k; i++) {
    const bvert *nx = &v[i + 1 < k ? i + 1 : 0];
    if (i + 1 < k && nx->t == v[i].t) return 1;
    if (v[i].end >= 0 && nx->t != v[i].end) return 1;
  }
  return 0;
}

/* ---- rebuilding one polygon ------------------------------------------------------------------ */

/* A chain: the points of a ring from one boundary point through the inside to the next. */
typedef struct chain {
  const tile_pt *ring;
  uint32_t n;           /* points in ring; indices wrap modulo n */
  uint32_t first, len;  /* first point and number of segments */
  int64_t t_from, t_to; /* where it leaves and reaches the boundary */
  uint32_t from, to;    /* the same as node numbers */
} chain;

/* A boundary segment: +1 over [lo, hi] when it runs forwards, -1 when backwards. */
typedef struct span {
  int64_t lo, hi;
  int dir;
} span;

typedef struct ring_ref {
  const tile_pt *pts;
  uint32_t n;
} ring_ref;

/* Items are the chains (0 .. n_ch) and the arcs between consecutive nodes that the polygon
 * covers (n_ch + node); next[] says which item follows which once they are paired at the nodes. */
typedef struct work {
  const rect *r;
  arena *a;
  chain *ch;
  span *sp;
  ring_ref *free; /* rings that never touch the boundary: kept as they are */
  uint32_t n_ch, n_sp, n_free;
  int64_t *node_t; /* distinct positions, increasing */
  uint32_t n_nodes;
  uint8_t *cover; /* per node: 1 when the arc from it to the next node is the polygon's boundary */
  int32_t *delta; /* per node: chains that reach it minus chains that leave it */
  uint32_t *next; /* per item; NONE until paired */
  uint8_t *used;  /* per item, while tracing */
  uint32_t *visit, *stack; /* per node: where the current ring passed it (NONE: not yet) */
  tile_pt *cur, *done; /* the ring being traced; finished rings */
  uint32_t *done_end;
  uint32_t n_cur, n_done, n_done_rings;
} work;

enum { NONE = UINT32_MAX };

/* Adds the chain p[first .. last] (indices modulo m; both ends on the boundary). */
static void add_chain(work *w, const tile_pt *p, uint32_t m, uint32_t first, uint32_t last) {
  int64_t a = 0, b = 0;
  on_edge(w->r, p[first % m], &a);
  on_edge(w->r, p[last % m], &b);
  w->ch[w->n_ch++] = (chain){p, m, first, last - first, a, b, 0, 0};
}

/* Cuts one ring into chains and boundary spans. A chain also ends at a boundary point it merely
 * touches, so that every boundary point of the result is a node. */
static void cut_ring(work *w, const tile_pt *p, uint32_t m) {
  uint32_t s = 0;
  int64_t t;
  while (s < m && !on_edge(w->r, p[s], &t)) s++;
  if (s == m) {
    w->free[w->n_free++] = (ring_ref){p, m};
    return;
  }
  bool open = false;
  uint32_t first = 0;
  for (uint32_t j = 0; j < m; j++) {
    uint32_t i = s + j; /* unwrapped: i % m is the point */
    tile_pt a = p[i % m], b = p[(i + 1) % m];
    if (open && on_edge(w->r, a, &t)) {
      add_chain(w, p, m, first, i);
      open = false;
    }
    int e = seg_edge(w->r, a, b);
    if (e >= 0) {
      int64_t ta = edge_t(w->r, e, a), tb = edge_t(w->r, e, b);
      w->sp[w->n_sp++] = ta < tb ? (span){ta, tb, 1} : (span){tb, ta, -1};
    } else if (!open) {
      open = true;
      first = i;
    }
  }
  if (open) add_chain(w, p, m, first, s + m);
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static uint32_t node_of(const work *w, int64_t t) {
  uint32_t lo = 0, hi = w->n_nodes - 1;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (w->node_t[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Nodes are the distinct chain ends. Coverage (how many times the polygon's rings run over an arc
 * of the boundary, forwards minus backwards) only changes at nodes: elsewhere a ring point on the
 * boundary has one boundary segment in and one out. It must be 0 or 1 on every arc; false if not
 * (rounding made the rings overlap there), and the polygon is then left as it was. */
static bool cover_arcs(work *w, bool *out_full) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < w->n_ch; i++) {
    w->node_t[k++] = w->ch[i].t_from;
    w->node_t[k++] = w->ch[i].t_to;
  }
  qsort(w->node_t, k, sizeof *w->node_t, cmp_i64);
  w->n_nodes = 0;
  for (uint32_t i = 0; i < k; i++)
    if (!w->n_nodes || w->node_t[w->n_nodes - 1] != w->node_t[i])
      w->node_t[w->n_nodes++] = w->node_t[i];
  int64_t t0 = w->n_nodes ? w->node_t[0] : 0;
  int c = 0; /* coverage just after t0 */
  for (uint32_t i = 0; i < w->n_sp; i++)
    if (w->sp[i].lo <= t0 && t0 < w->sp[i].hi) c += w->sp[i].dir;
  *out_full = !w->n_nodes && c == 1;
  if (!w->n_nodes) return c == 0 || c == 1;
  int32_t *delta = w->delta;
  memset(delta, 0, w->n_nodes * sizeof *delta);
  for (uint32_t i = 0; i < w->n_ch; i++) {
    w->ch[i].from = node_of(w, w->ch[i].t_from);
    w->ch[i].to = node_of(w, w->ch[i].t_to);
    delta[w->ch[i].to]++;   /* a chain reaching the boundary continues along it */
    delta[w->ch[i].from]--; /* one leaving it ends a run */
  }
  for (uint32_t v = 0; v <= w->n_nodes; v++) {
    if (v) c += delta[v % w->n_nodes];
    if (c < 0 || c > 1) return false;
    if (v < w->n_nodes) w->cover[v] = (uint8_t)c;
    else if (c != w->cover[0]) return false;
  }
  return true;
}

/* ---- pairing at the nodes -------------------------------------------------------------------- */

/* An item's end at a node, with the direction from the node along it. */
typedef struct item_end {
  int64_t dx, dy;
  uint32_t item;
  bool out; /* the item leaves the node (else reaches it) */
} item_end;

/* Angle order from the +x axis, exact: the lower half-turn first, then by cross product. */
static bool angle_less(const item_end *a, const item_end *b) {
  bool ha = a->dy < 0 || (a->dy == 0 && a->dx < 0), hb = b->dy < 0 || (b->dy == 0 && b->dx < 0);
  if (ha != hb) return hb;
  return a->dx * b->dy - a->dy * b->dx > 0;
}

/* Direction along the boundary at position t: forwards (out), or back where an arc came from. */
static item_end arc_end(const rect *r, int64_t t, uint32_t item, bool out) {
  static const int64_t dir[4][2] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
  int e;
  if (out) e = t < r->w ? 0 : t < r->w + r->h ? 1 : t < 2 * r->w + r->h ? 2 : 3;
  else e = t == 0 ? 3 : t <= r->w ? 0 : t <= r->w + r->h ? 1 : t <= 2 * r->w + r->h ? 2 : 3;
  int64_t s = out ? 1 : -1;
  return (item_end){s * dir[e][0], s * dir[e][1], item, out};
}

static item_end chain_end(const chain *c, uint32_t item, bool out) {
  tile_pt at = c->ring[(out ? c->first : c->first + c->len) % c->n];
  tile_pt nb = c->ring[(out ? c->first + 1 : c->first + c->len - 1) % c->n];
  return (item_end){(int64_t)nb.x - at.x, (int64_t)nb.y - at.y, item, out};
}

static bool same_dir(const item_end *a, const item_end *b) {
  return a->dx * b->dy == a->dy * b->dx && a->dx * b->dx + a->dy * b->dy > 0;
}

/* Makes o what follows incoming end i; both are then used up. */
static void take(work *w, item_end *i, item_end *o) {
  w->next[i->item] = o->item;
  i->item = o->item = NONE;
}

/* Pairs what reaches a node with what leaves it (e[0..n), half each). With one of each that is
 * all. Where several meet: an incoming end and an outgoing one along the same segment are a
 * zero-width spike that rounding made (a sliver collapsed onto the node), paired with each other
 * so that the spike closes on itself and collapses; then each incoming end takes the first
 * outgoing one met by turning from it towards the polygon's side (the polygon lies just below an
 * incoming end's angle), which keeps the polygon's faces apart: two parts touching at the node
 * become two rings, not a figure eight. */
static void pair_node(work *w, item_end *e, uint32_t n) {
  for (uint32_t i = 1; i < n; i++) /* insertion sort: a handful of ends */
    for (uint32_t j = i; j > 0 && angle_less(&e[j], &e[j - 1]); j--) {
      item_end t = e[j];
      e[j] = e[j - 1];
      e[j - 1] = t;
    }
  for (uint32_t i = 0; i < n; i++)
    for (uint32_t k = 0; k < n && !e[i].out && e[i].item != NONE; k++)
      if (e[k].out && e[k].item != NONE && same_dir(&e[i], &e[k])) take(w, &e[i], &e[k]);
  for (uint32_t i = 0; i < n; i++)
    for (uint32_t d = 1; d < n && !e[i].out && e[i].item != NONE; d++) {
      item_end *o = &e[(i + n - d) % n];
      if (o->out && o->item != NONE) take(w, &e[i], o);
    }
}

/* Fills next[] for every item; false when the arena fails. */
static bool pair_all(work *w) {
  uint32_t nn = w->n_nodes;
  uint32_t *at = geom_alloc_n(w->a, (size_t)nn + 1, sizeof *at);
  item_end *ends = geom_alloc_n(w->a, 2 * ((size_t)w->n_ch + nn), sizeof *ends);
  if (!at || !ends) return false;
  memset(at, 0, ((size_t)nn + 1) * sizeof *at);
  for (uint32_t i = 0; i < w->n_ch; i++) at[w->ch[i].from + 1]++, at[w->ch[i].to + 1]++;
  for (uint32_t v = 0; v < nn; v++)
    if (w->cover[v]) at[v + 1]++, at[(v + 1) % nn + 1]++;
  for (uint32_t v = 0; v < nn; v++) at[v + 1] += at[v];
  uint32_t *fill = geom_alloc_n(w->a, nn, sizeof *fill);
  if (!fill) return false;
  memcpy(fill, at, nn * sizeof *fill);
  for (uint32_t i = 0; i < w->n_ch; i++) {
    ends[fill[w->ch[i].from]++] = chain_end(&w->ch[i], i, true);
    ends[fill[w->ch[i].to]++] = chain_end(&w->ch[i], i, false);
  }
  for (uint32_t v = 0; v < nn; v++) {
    if (!w->cover[v]) continue;
    uint32_t u = (v + 1) % nn;
    ends[fill[v]++] = arc_end(w->r, w->node_t[v], w->n_ch + v, true);
    ends[fill[u]++] = arc_end(w->r, w->node_t[u], w->n_ch + v, false);
  }
  for (uint32_t v = 0; v < nn; v++) pair_node(w, ends + at[v], at[v + 1] - at[v]);
  return true;
}

/* ---- tracing the rings ----------------------------------------------------------------------- */

static uint32_t item_from(const work *w, uint32_t it) {
  return it < w->n_ch ? w->ch[it].from : it - w->n_ch;
}

/* Appends an item's first point and its inner points (its last point is the next item's first). */
static void emit(work *w, uint32_t it) {
  if (it < w->n_ch) {
    const chain *c = &w->ch[it];
    for (uint32_t k = 0; k < c->len; k++) w->cur[w->n_cur++] = c->ring[(c->first + k) % c->n];
    return;
  }
  const rect *r = w->r;
  uint32_t v = it - w->n_ch;
  int64_t ta = w->node_t[v], tb = w->node_t[(v + 1) % w->n_nodes];
  if (tb <= ta) tb += r->per;
  w->cur[w->n_cur++] = at_t(r, ta);
  for (int lap = 0; lap < 2; lap++)
    for (int k = 0; k < 4; k++) {
      int64_t c = corner_t(r, k) + lap * r->per;
      if (ta < c && c < tb) w->cur[w->n_cur++] = at_t(r, corner_t(r, k));
    }
}

static void finish_ring(work *w, uint32_t from) {
  memcpy(w->done + w->n_done, w->cur + from, (w->n_cur - from) * sizeof *w->cur);
  w->n_done += w->n_cur - from;
  w->done_end[w->n_done_rings++] = w->n_done;
  w->n_cur = from;
}

/* Follows next[] from every unused item. When a ring comes back to a node it already passed (two
 * faces touching there), the loop since that visit is cut off as a ring of its own, so no ring
 * passes through a point twice. False when next[] does not close (cannot happen when paired). */
static bool trace(work *w) {
  uint32_t n_it = w->n_ch + w->n_nodes;
  for (uint32_t i = 0; i < n_it; i++) w->used[i] = i >= w->n_ch && !w->cover[i - w->n_ch];
  for (uint32_t v = 0; v < w->n_nodes; v++) w->visit[v] = NONE;
  for (uint32_t s = 0; s < n_it; s++) {
    if (w->used[s]) continue;
    uint32_t it = s, depth = 0;
    w->n_cur = 0;
    for (;;) {
      w->used[it] = 1;
      uint32_t v = item_from(w, it);
      if (w->visit[v] != NONE) {
        finish_ring(w, w->visit[v]);
        while (w->stack[depth - 1] != v) w->visit[w->stack[--depth]] = NONE;
      } else {
        w->visit[v] = w->n_cur;
        w->stack[depth++] = v;
      }
      emit(w, it);
      it = w->next[it];
      if (it == s) break;
      if (it >= n_it || w->used[it]) return false;
    }
    finish_ring(w, 0);
    while (depth) w->visit[w->stack[--depth]] = NONE;
  }
  return true;
}

/* ---- assembling polygons --------------------------------------------------------------------- */

/* 1 when p is strictly inside ring r, 0 outside, -1 on its boundary (crossing number, exact). */
static int point_in_ring(tile_pt p, const ring_ref *r) {
  bool in = false;
  for (uint32_t i = 0, j = r->n - 1; i < r->n; j = i++) {
    tile_pt a = r->pts[j], b = r->pts[i];
    int64_t c = ((int64_t)b.x - a.x) * ((int64_t)p.y - a.y) -
                ((int64_t)p.x - a.x) * ((int64_t)b.y - a.y);
    if (c == 0 && p.x >= (a.x < b.x ? a.x : b.x) && p.x <= (a.x < b.x ? b.x : a.x) &&
        p.y >= (a.y < b.y ? a.y : b.y) && p.y <= (a.y < b.y ? b.y : a.y))
      return -1;
    if ((a.y > p.y) != (b.y > p.y) && (c > 0) == (b.y > a.y)) in = !in;
  }
  return in;
}

/* Whether hole h lies in exterior x: judged by its first point not on x's boundary. */
static bool ring_within(const ring_ref *h, const ring_ref *x) {
  for (uint32_t i = 0; i < h->n; i++) {
    int pin = point_in_ring(h->pts[i], x);
    if (pin >= 0) return pin == 1;
  }
  return true;
}

/* The ring at index i: finished rings first, then the free ones. */
static ring_ref ring_at(const work *w, uint32_t i) {
  if (i >= w->n_done_rings) return w->free[i - w->n_done_rings];
  uint32_t b = i ? w->done_end[i - 1] : 0;
  return (ring_ref){w->done + b, w->done_end[i] - b};
}

static void put_ring(tile_geom *out, ring_ref r) {
  memcpy(out->pts + out->n_pts, r.pts, r.n * sizeof *out->pts);
  out->n_pts += r.n;
  out->part_end[out->n_parts++] = out->n_pts;
}

/* The finished rings and the free rings, as exteriors (positive area) each followed by the holes
 * (negative) that lie in it, into *out (arena). Rings that collapsed (area 0) go, and so does a
 * hole in no exterior. False when the arena fails. */
static bool assemble(work *w, tile_geom *out) {
  uint32_t n_rings = w->n_done_rings + w->n_free, n_ext = 0, n_hole = 0, total = 0;
  ring_ref *ext = geom_alloc_n(w->a, n_rings, sizeof *ext);
  ring_ref *hole = geom_alloc_n(w->a, n_rings, sizeof *hole);
  if (!ext || !hole) return false;
  for (uint32_t i = 0; i < n_rings; i++) {
    ring_ref r = ring_at(w, i);
    int64_t a2 = r.n >= 3 ? geom_ring_area2(r.pts, r.n) : 0;
    if (a2 > 0) ext[n_ext++] = r;
    if (a2 < 0) hole[n_hole++] = r;
    if (a2) total += r.n;
  }
  *out = (tile_geom){.type = GEOM_POLYGON};
  out->pts = geom_alloc_n(w->a, total, sizeof *out->pts);
  out->part_end = geom_alloc_n(w->a, n_ext + n_hole, sizeof *out->part_end);
  out->poly_end = geom_alloc_n(w->a, n_ext, sizeof *out->poly_end);
  if (!out->pts || !out->part_end || !out->poly_end) return false;
  for (uint32_t x = 0; x < n_ext; x++) {
    put_ring(out, ext[x]);
    for (uint32_t h = 0; h < n_hole; h++) {
      if (!hole[h].pts || (n_ext > 1 && !ring_within(&hole[h], &ext[x]))) continue;
      put_ring(out, hole[h]);
      hole[h].pts = NULL; /* placed */
    }
    out->poly_end[out->n_polys++] = out->n_parts;
  }
  return true;
}

/* Allocates the work arrays for a polygon of m points in n_rings rings. */
static bool work_alloc(work *w, uint32_t m, uint32_t n_rings) {
  arena *a = w->a;
  size_t n_nodes = 2 * (size_t)m, n_items = 3 * (size_t)m;
  /* Every chain point once, one point and at most the 4 corners for the arcs, and one point
   * again for each loop cut off at a node (at most one per item). */
  size_t cap = (size_t)m + n_nodes + n_items + 8;
  w->ch = geom_alloc_n(a, m, sizeof *w->ch);
  w->sp = geom_alloc_n(a, m, sizeof *w->sp);
  w->free = geom_alloc_n(a, n_rings, sizeof *w->free);
  w->node_t = geom_alloc_n(a, n_nodes, sizeof *w->node_t);
  w->cover = geom_alloc_n(a, n_nodes, 1);
  w->delta = geom_alloc_n(a, n_nodes, sizeof *w->delta);
  w->visit = geom_alloc_n(a, n_nodes, sizeof *w->visit);
  w->stack = geom_alloc_n(a, n_nodes, sizeof *w->stack);
  w->next = geom_alloc_n(a, n_items, sizeof *w->next);
  w->used = geom_alloc_n(a, n_items, 1);
  w->cur = geom_alloc_n(a, cap, sizeof *w->cur);
  w->done = geom_alloc_n(a, cap, sizeof *w->done);
  w->done_end = geom_alloc_n(a, cap, sizeof *w->done_end);
  if (!w->ch || !w->sp || !w->free || !w->node_t || !w->cover || !w->delta || !w->visit ||
      !w->stack || !w->next || !w->used || !w->cur || !w->done || !w->done_end)
    return false;
  for (size_t i = 0; i < n_items; i++) w->next[i] = NONE;
  return true;
}

/* Rebuilds polygon rings [r0, r1) of g into *out (arena): ERR_OK, ERR_NOMEM, or ERR_INVALID when
 * the rings overlap on the boundary in a way no valid source clips to (then the caller keeps the
 * polygon as it was). */
static err_code rebuild(const rect *r, const tile_geom *g, uint32_t r0, uint32_t r1, arena *a,
                        tile_geom *out) {
  uint32_t m = g->part_end[r1 - 1] - geom_part_start(g->part_end, r0);
  work w = {.r = r, .a = a};
  if (!work_alloc(&w, m, r1 - r0)) return ERR_NOMEM;
  for (uint32_t i = r0; i < r1; i++) {
    uint32_t s = geom_part_start(g->part_end, i);
    cut_ring(&w, g->pts + s, g->part_end[i] - s);
  }
  bool full;
  if (!cover_arcs(&w, &full)) return ERR_INVALID;
  if (full) { /* the polygon covers the whole rectangle: its boundary is the rectangle's */
    for (int k = 0; k < 4; k++) w.cur[w.n_cur++] = at_t(r, corner_t(r, k));
    finish_ring(&w, 0);
  }
  if (w.n_nodes) {
    if (!pair_all(&w)) return ERR_NOMEM;
    if (!trace(&w)) return ERR_INVALID;
  }
  return assemble(&w, out) ? ERR_OK : ERR_NOMEM;
}

/* ---- the stage ------------------------------------------------------------------------------- */

/* Appends polygon j of g to out, whose arrays have room for it. */
static void put_poly(tile_geom *out, const tile_geom *g, uint32_t j) {
  uint32_t r0 = geom_part_start(g->poly_end, j), r1 = g->poly_end[j];
  uint32_t base = geom_part_start(g->part_end, r0), n = g->part_end[r1 - 1] - base;
  memcpy(out->pts + out->n_pts, g->pts + base, n * sizeof *out->pts);
  for (uint32_t i = r0; i < r1; i++)
    out->part_end[out->n_parts++] = out->n_pts + g->part_end[i] - base;
  out->n_pts += n;
  out->poly_end[out->n_polys++] = out->n_parts;
}

/* tg with polygon j replaced by the polygons of fixed[j] wherever that has type GEOM_POLYGON. */
static err_code splice(const tile_geom *tg, const tile_geom *fixed, arena *a, tile_geom *out,
                       err *e) {
  size_t n_pts = 0, n_parts = 0, n_polys = 0;
  for (uint32_t j = 0; j < tg->n_polys; j++) {
    uint32_t r0 = geom_part_start(tg->poly_end, j), r1 = tg->poly_end[j];
    bool f = fixed[j].type == GEOM_POLYGON;
    n_pts += f ? fixed[j].n_pts : tg->part_end[r1 - 1] - geom_part_start(tg->part_end, r0);
    n_parts += f ? fixed[j].n_parts : r1 - r0;
    n_polys += f ? fixed[j].n_polys : 1;
  }
  *out = (tile_geom){.type = GEOM_POLYGON};
  if (!n_pts) return ERR_OK; /* every polygon vanished */
  if (n_pts > UINT32_MAX) return err_set(e, ERR_LIMIT, "geometry too large to repair");
  tile_geom o = {.type = GEOM_POLYGON};
  o.pts = geom_alloc_n(a, n_pts, sizeof *o.pts);
  o.part_end = geom_alloc_n(a, n_parts, sizeof *o.part_end);
  o.poly_end = geom_alloc_n(a, n_polys, sizeof *o.poly_end);
  if (!o.pts || !o.part_end || !o.poly_end)
    return err_set(e, ERR_NOMEM, "out of memory repairing a clipped polygon");
  for (uint32_t j = 0; j < tg->n_polys; j++) {
    if (fixed[j].type != GEOM_POLYGON) {
      put_poly(&o, tg, j);
      continue;
    }
    for (uint32_t k = 0; k < fixed[j].n_polys; k++) put_poly(&o, &fixed[j], k);
  }
  *out = o;
  return ERR_OK;
}

err_code geom_seam_repair(const tile_geom *tg, tile_pt lo, tile_pt hi, arena *a,
                          tile_geom *out_tg, err *e) {
  *out_tg = *tg;
  rect r = {lo.x, lo.y, hi.x, hi.y, (int64_t)hi.x - lo.x, (int64_t)hi.y - lo.y, 0};
  r.per = 2 * (r.w + r.h);
  if (tg->type != GEOM_POLYGON || !tg->n_pts || r.w <= 0 || r.h <= 0) return ERR_OK;
  tile_geom *fixed = NULL;
  for (uint32_t j = 0; j < tg->n_polys; j++) {
    uint32_t r0 = geom_part_start(tg->poly_end, j), r1 = tg->poly_end[j];
    int broken = seam_broken(&r, tg, r0, r1, a);
    if (broken < 0) goto nomem;
    if (!broken) continue;
    if (!fixed) { /* the first broken polygon: every other one is kept as it is */
      if (!(fixed = geom_alloc_n(a, tg->n_polys, sizeof *fixed))) goto nomem;
      for (uint32_t k = 0; k < tg->n_polys; k++) fixed[k] = (tile_geom){.type = GEOM_NONE};
    }
    err_code rc = rebuild(&r, tg, r0, r1, a, &fixed[j]);
    if (rc == ERR_NOMEM) goto nomem;
    if (rc != ERR_OK) fixed[j].type = GEOM_NONE; /* left as it was */
  }
  if (!fixed) return ERR_OK;
  return splice(tg, fixed, a, out_tg, e);
nomem:
  *out_tg = (tile_geom){.type = GEOM_POLYGON};
  return err_set(e, ERR_NOMEM, "out of memory repairing a clipped polygon");
}
