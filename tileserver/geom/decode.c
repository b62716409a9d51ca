/* decode.c — what the SpatiaLite BLOB and the WKB decoders share: the bounded reader, the bodies
 * of points, lines and polygons (identical in both formats), and the two-pass driver.
 * It knows nothing of either header; blob.c and wkb.c parse those and call in here. */
#include "geom/geom_int.h"

#include <math.h>
#include <string.h>

bool geom_rd_has(const geom_rd *r, uint64_t n) { return n <= (uint64_t)(r->len - r->off); }

bool geom_rd_u8(geom_rd *r, uint8_t *out) {
  if (!geom_rd_has(r, 1)) return false;
  *out = r->p[r->off++];
  return true;
}

/* Byte order is applied by hand, so the host's own order never matters. */
static uint64_t load(const uint8_t *p, unsigned n, bool le) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v = (v << 8) | p[le ? n - 1 - i : i];
  return v;
}

bool geom_rd_u32(geom_rd *r, uint32_t *out) {
  if (!geom_rd_has(r, 4)) return false;
  *out = (uint32_t)load(r->p + r->off, 4, r->le);
  r->off += 4;
  return true;
}

bool geom_rd_f64(geom_rd *r, double *out) {
  if (!geom_rd_has(r, 8)) return false;
  uint64_t v = load(r->p + r->off, 8, r->le);
  memcpy(out, &v, sizeof *out);
  r->off += 8;
  return true;
}

static bool rd_f32(geom_rd *r, float *out) {
  if (!geom_rd_has(r, 4)) return false;
  uint32_t v = (uint32_t)load(r->p + r->off, 4, r->le);
  memcpy(out, &v, sizeof *out);
  r->off += 4;
  return true;
}

static bool rd_skip(geom_rd *r, uint64_t n) {
  if (!geom_rd_has(r, n)) return false;
  r->off += (size_t)n;
  return true;
}

/* ---- the sink ------------------------------------------------------------------------------- */

static void sink_pt(geom_sink *s, geom_type t, double x, double y) {
  if (!s->fill) {
    s->n_pts[t]++;
    return;
  }
  if (t != s->keep) return;
  if (s->g->n_pts >= s->cap_pts) {
    s->overflow = true;
    return;
  }
  s->g->pts[s->g->n_pts++] = (map_pt){x, y};
}

static void sink_part(geom_sink *s, geom_type t) {
  if (!s->fill) {
    s->n_parts[t]++;
    return;
  }
  if (t != s->keep) return;
  if (s->g->n_parts >= s->cap_parts) {
    s->overflow = true;
    return;
  }
  s->g->part_end[s->g->n_parts++] = s->g->n_pts;
}

static void sink_poly(geom_sink *s) {
  if (!s->fill) {
    s->n_polys[GEOM_POLYGON]++;
    return;
  }
  if (s->keep != GEOM_POLYGON) return;
  if (s->g->n_polys >= s->cap_polys) {
    s->overflow = true;
    return;
  }
  s->g->poly_end[s->g->n_polys++] = s->g->n_parts;
}

/* ---- bodies --------------------------------------------------------------------------------- */

static size_t full_size(geom_cfmt f) { return 8u * (2u + f.z + f.m); }
/* x, y (and z) as float deltas, m as a double (SpatiaLite's ParseCompressedWkbLine*). */
static size_t packed_size(geom_cfmt f) { return 4u * (2u + f.z) + 8u * f.m; }

static err_code bad(err *e, const char *what) {
  return err_set(e, ERR_INVALID, "malformed geometry: %s", what);
}

/* Reads one vertex; i and n tell a compressed reader whether it is the first or last. */
static bool read_vertex(geom_rd *r, geom_cfmt f, uint32_t i, uint32_t n, map_pt *io) {
  if (!f.compressed || i == 0 || i == n - 1) {
    if (!geom_rd_f64(r, &io->x) || !geom_rd_f64(r, &io->y)) return false;
    return rd_skip(r, 8u * (f.z + f.m));
  }
  float dx, dy;
  if (!rd_f32(r, &dx) || !rd_f32(r, &dy)) return false;
  io->x += dx;
  io->y += dy;
  return rd_skip(r, packed_size(f) - 8u);
}

/* n vertices of a line or ring of type t; s NULL validates without emitting (ignored rings). */
static err_code read_coords(geom_rd *r, uint32_t n, geom_cfmt f, geom_type t, geom_sink *s,
                            err *e) {
  uint64_t need = (uint64_t)n * full_size(f);
  if (f.compressed && n > 2) need = 2 * full_size(f) + (uint64_t)(n - 2) * packed_size(f);
  /* Checked up front so a huge count fails at once instead of after a long loop. */
  if (!geom_rd_has(r, need)) return bad(e, "truncated coordinates");
  map_pt p = {0, 0};
  for (uint32_t i = 0; i < n; i++) {
    if (!read_vertex(r, f, i, n, &p)) return bad(e, "truncated coordinates");
    if (!isfinite(p.x) || !isfinite(p.y)) return bad(e, "non-finite coordinate");
    if (s) sink_pt(s, t, p.x, p.y);
  }
  if (s && n > 0) sink_part(s, t);
  return ERR_OK;
}

static err_code read_point(geom_rd *r, geom_cfmt f, geom_sink *s, err *e) {
  map_pt p;
  if (f.compressed) return bad(e, "compressed point");
  if (!read_vertex(r, f, 0, 1, &p)) return bad(e, "truncated point");
  if (isnan(p.x) && isnan(p.y)) return ERR_OK; /* WKB's POINT EMPTY */
  if (!isfinite(p.x) || !isfinite(p.y)) return bad(e, "non-finite coordinate");
  sink_pt(s, GEOM_POINT, p.x, p.y);
  return ERR_OK;
}

/* A polygon whose exterior ring is empty is empty: its other rings are validated, not kept. */
static err_code read_polygon(geom_rd *r, geom_cfmt f, geom_sink *s, err *e) {
  uint32_t n_rings, n;
  if (!geom_rd_u32(r, &n_rings)) return bad(e, "truncated polygon");
  bool store = true;
  for (uint32_t i = 0; i < n_rings; i++) {
    if (!geom_rd_u32(r, &n)) return bad(e, "truncated ring");
    if (i == 0 && n == 0) store = false;
    err_code rc = read_coords(r, n, f, GEOM_POLYGON, store ? s : NULL, e);
    if (rc) return rc;
  }
  if (store && n_rings > 0) sink_poly(s);
  return ERR_OK;
}

err_code geom_read_body(geom_rd *r, geom_type kind, geom_cfmt f, geom_sink *s, err *e) {
  uint32_t n;
  switch (kind) {
    case GEOM_POINT: return read_point(r, f, s, e);
    case GEOM_LINESTRING:
      if (!geom_rd_u32(r, &n)) return bad(e, "truncated linestring");
      return read_coords(r, n, f, GEOM_LINESTRING, s, e);
    case GEOM_POLYGON: return read_polygon(r, f, s, e);
    default: return bad(e, "unknown type");
  }
}

/* ---- the driver ----------------------------------------------------------------------------- */

/* The dominant type of a collection: the highest dimension present (documented in geom.h). */
static geom_type dominant(const geom_sink *s) {
  if (s->n_polys[GEOM_POLYGON]) return GEOM_POLYGON;
  if (s->n_parts[GEOM_LINESTRING]) return GEOM_LINESTRING;
  if (s->n_pts[GEOM_POINT]) return GEOM_POINT;
  return GEOM_NONE;
}

err_code geom_decode_run(geom_rd src, geom_walk_fn walk, arena *a, geom_sink *s, geom *out_g,
                         err *e) {
  memset(s, 0, sizeof *s);
  memset(out_g, 0, sizeof *out_g);
  geom_rd r = src;
  err_code rc = walk(&r, s, e);
  if (rc) return rc;
  geom_type keep = dominant(s);
  out_g->type = keep ? keep : s->declared;
  out_g->multi = s->multi;
  if (!keep) return ERR_OK;
  size_t n_pts = s->n_pts[keep], n_parts = keep == GEOM_POINT ? 1 : s->n_parts[keep];
  size_t n_polys = s->n_polys[keep];
  if (n_pts > UINT32_MAX || n_parts > UINT32_MAX) return bad(e, "too many points");
  out_g->pts = geom_alloc_n(a, n_pts, sizeof *out_g->pts);
  out_g->part_end = geom_alloc_n(a, n_parts, sizeof *out_g->part_end);
  out_g->poly_end = keep == GEOM_POLYGON ? geom_alloc_n(a, n_polys, sizeof(uint32_t)) : NULL;
  if (!out_g->pts || !out_g->part_end || (keep == GEOM_POLYGON && !out_g->poly_end)) {
    memset(out_g, 0, sizeof *out_g);
    return err_set(e, ERR_NOMEM, "out of memory decoding a geometry");
  }
  s->fill = true;
  s->keep = keep;
  s->g = out_g;
  s->cap_pts = (uint32_t)n_pts;
  s->cap_parts = (uint32_t)n_parts;
  s->cap_polys = (uint32_t)n_polys;
  r = src;
  rc = walk(&r, s, e);
  if (rc) return rc;
  if (keep == GEOM_POINT) out_g->part_end[out_g->n_parts++] = out_g->n_pts;
  if (s->overflow || out_g->n_pts != n_pts || out_g->n_parts != n_parts ||
      out_g->n_polys != n_polys)
    return err_set(e, ERR_INTERNAL, "geometry decoder passes disagree");
  if (keep != s->declared) out_g->multi = true; /* a collection flattened to its dominant type */
  return ERR_OK;
}
