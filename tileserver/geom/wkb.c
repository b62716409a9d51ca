/* wkb.c — OGC Well-Known Binary both ways: reading it as GDAL/OGR hands it to the importer, and
 * writing the little-endian 2D form the tree stores and hands to GDAL (geom/wkb.h).
 *
 * Reading accepts the ISO type codes (1..7, +1000 Z, +2000 M, +3000 ZM), the old OGC/GEOS 2.5D flag
 * (0x80000000) and PostGIS EWKB flags (Z 0x80000000, M 0x40000000, SRID 0x20000000, whose SRID is
 * read past). Each nested element carries its own byte order, as the standard allows. Curves,
 * surfaces, TINs and triangles (8+) are ERR_INVALID: the importer linearises them with OGR first. */
#include <string.h>

#include "geom/geom_int.h"
#include "geom/wkb.h"

enum {
  WKB_FLAG_Z = 0x80000000u,
  WKB_FLAG_M = 0x40000000u,
  WKB_FLAG_SRID = 0x20000000u,
  WKB_MAX_DEPTH = 32 /* nested collections: bounds the recursion on hostile input */
};

static err_code bad(err *e, const char *what) {
  return err_set(e, ERR_INVALID, "malformed WKB: %s", what);
}

/* Reads byte order and type of one element; *out_kind is 1..7. */
static err_code wkb_header(geom_rd *r, uint32_t *out_kind, geom_cfmt *out_f, err *e) {
  uint8_t order;
  uint32_t t, srid;
  if (!geom_rd_u8(r, &order) || order > 1) return bad(e, "bad byte order");
  r->le = order == 1;
  if (!geom_rd_u32(r, &t)) return bad(e, "truncated type");
  geom_cfmt f = {(t & WKB_FLAG_Z) != 0, (t & WKB_FLAG_M) != 0, false};
  if ((t & WKB_FLAG_SRID) && !geom_rd_u32(r, &srid)) return bad(e, "truncated SRID");
  t &= ~(WKB_FLAG_Z | WKB_FLAG_M | WKB_FLAG_SRID);
  uint32_t dims = t / 1000, kind = t % 1000;
  if (dims > 3 || kind < 1 || kind > 7) return bad(e, "unsupported geometry type");
  f.z = f.z || dims == 1 || dims == 3;
  f.m = f.m || dims == 2 || dims == 3;
  *out_kind = kind;
  *out_f = f;
  return ERR_OK;
}

/* One element; allowed is the kind a MULTI* container admits (0: any, inside a collection). */
static err_code wkb_element(geom_rd *r, geom_sink *s, int depth, uint32_t allowed, err *e) {
  uint32_t kind = 0, n = 0;
  geom_cfmt f;
  err_code rc = wkb_header(r, &kind, &f, e);
  if (rc) return rc;
  if (allowed && kind != allowed) return bad(e, "member type does not match its MULTI type");
  if (depth == 0) {
    s->declared = kind <= 3 ? (geom_type)kind : kind < 7 ? (geom_type)(kind - 3) : GEOM_NONE;
    s->multi = kind > 3;
  }
  if (kind <= 3) return geom_read_body(r, (geom_type)kind, f, s, e);
  if (depth >= WKB_MAX_DEPTH) return bad(e, "collections nested too deep");
  if (!geom_rd_u32(r, &n)) return bad(e, "truncated collection");
  for (uint32_t i = 0; i < n; i++) {
    rc = wkb_element(r, s, depth + 1, kind == 7 ? 0 : kind - 3, e);
    if (rc) return rc;
  }
  return ERR_OK;
}

static err_code wkb_walk(geom_rd *r, geom_sink *s, err *e) {
  err_code rc = wkb_element(r, s, 0, 0, e);
  if (rc) return rc;
  return r->off == r->len ? ERR_OK : bad(e, "trailing bytes");
}

err_code geom_wkb_decode(const uint8_t *wkb, size_t wkb_len, arena *a, geom *out_g, err *e) {
  geom_rd r = {wkb, wkb ? wkb_len : 0, 0, true};
  geom_sink s;
  return geom_decode_run(r, wkb_walk, a, &s, out_g, e);
}

/* ---- writing (geom/wkb.h) -------------------------------------------------------------------- */

void geom_wkb_u32(buf *b, uint32_t v) {
  uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  buf_append(b, le, 4);
}

static void wkb_f64(buf *b, double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  uint8_t le[8];
  for (int i = 0; i < 8; i++) le[i] = (uint8_t)(u >> (8 * i));
  buf_append(b, le, 8);
}

void geom_wkb_header(buf *b, uint32_t type) {
  buf_putc(b, 1);
  geom_wkb_u32(b, type);
}

void geom_wkb_xy(buf *b, double x, double y) {
  wkb_f64(b, x);
  wkb_f64(b, y);
}

void geom_wkb_point(buf *b, double x, double y) {
  geom_wkb_header(b, GEOM_WKB_POINT);
  geom_wkb_xy(b, x, y);
}

void geom_wkb_coords(buf *b, const double *xy, uint32_t n) {
  geom_wkb_u32(b, n);
  for (uint32_t i = 0; i < n; i++) geom_wkb_xy(b, xy[2 * i], xy[2 * i + 1]);
}

static void wkb_points(buf *b, const map_pt *p, uint32_t n) {
  geom_wkb_u32(b, n);
  for (uint32_t i = 0; i < n; i++) geom_wkb_xy(b, p[i].x, p[i].y);
}

static void wkb_line(buf *b, const geom *g, uint32_t part) {
  uint32_t s = geom_part_start(g->part_end, part);
  geom_wkb_header(b, GEOM_WKB_LINESTRING);
  wkb_points(b, g->pts + s, g->part_end[part] - s);
}

static void wkb_polygon(buf *b, const geom *g, uint32_t poly) {
  uint32_t s = geom_part_start(g->poly_end, poly), t = g->poly_end[poly];
  geom_wkb_header(b, GEOM_WKB_POLYGON);
  geom_wkb_u32(b, t - s);
  for (uint32_t i = s; i < t; i++) {
    uint32_t ps = geom_part_start(g->part_end, i);
    wkb_points(b, g->pts + ps, g->part_end[i] - ps);
  }
}

bool geom_wkb_encode(buf *b, const geom *g) {
  if (g->n_pts == 0) return false;
  uint32_t n = g->type == GEOM_POINT ? g->n_pts
             : g->type == GEOM_LINESTRING ? g->n_parts : g->n_polys;
  if (g->multi || n > 1) {
    geom_wkb_header(b, (uint32_t)g->type + 3);
    geom_wkb_u32(b, n);
  }
  for (uint32_t i = 0; i < n; i++) {
    if (g->type == GEOM_POINT) {
      geom_wkb_point(b, g->pts[i].x, g->pts[i].y);
    } else if (g->type == GEOM_LINESTRING) {
      wkb_line(b, g, i);
    } else if (g->type == GEOM_POLYGON) {
      wkb_polygon(b, g, i);
    } else {
      return false;
    }
  }
  return !b->failed;
}
