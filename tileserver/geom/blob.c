/* blob.c — SpatiaLite geometry BLOBs: the decoder used on every tile request and the encoder used
 * by the database writer.
 *
 * The format (SpatiaLite "BLOB-Geometry", gg_wkb.c):
 *   0x00 | endian (0 big, 1 little) | int32 SRID | 4 doubles MBR | 0x7C | int32 class | body | 0xFE
 * where class is 1..7 (POINT .. GEOMETRYCOLLECTION) plus 1000 for Z, 2000 for M, 3000 for ZM,
 * plus 1000000 for the compressed line/polygon classes; collections hold entities, each
 * 0x69 | int32 class | body. TinyPoint blobs (SpatiaLite 5) are 0x00 | 0x80/0x81 | int32 SRID |
 * byte type (1 XY .. 4 XYZM) | coordinates | 0xFE.
 * It does not decode GeoPackage blobs; store/ only writes SpatiaLite ones. */
#include "geom/geom_int.h"

#include <string.h>

enum {
  SPL_START = 0x00,
  SPL_MBR = 0x7C,
  SPL_ENTITY = 0x69,
  SPL_END = 0xFE,
  SPL_TINY_BE = 0x80,
  SPL_TINY_LE = 0x81,
  SPL_HEADER = 43,  /* start, endian, srid, mbr, mark, class */
  SPL_COMPRESSED = 1000000
};

bool geom_blob_point(const uint8_t *b, size_t len, map_pt *out) {
  enum { POINT_XY_LEN = SPL_HEADER + 16 + 1 };
  if (len != POINT_XY_LEN || b[0] != SPL_START || b[1] != 0x01 || b[38] != SPL_MBR ||
      b[len - 1] != SPL_END)
    return false;
  uint32_t cls;
  memcpy(&cls, b + 39, 4);
  if (cls != GEOM_POINT) return false;
  memcpy(&out->x, b + SPL_HEADER, 8);
  memcpy(&out->y, b + SPL_HEADER + 8, 8);
  return true;
}

static err_code bad(err *e, const char *what) {
  return err_set(e, ERR_INVALID, "malformed SpatiaLite geometry: %s", what);
}

/* Splits a class code into its kind (1..7) and coordinate format. */
static bool spl_class(uint32_t cls, uint32_t *out_kind, geom_cfmt *out_f) {
  geom_cfmt f = {false, false, false};
  if (cls >= SPL_COMPRESSED) {
    f.compressed = true;
    cls -= SPL_COMPRESSED;
  }
  uint32_t dims = cls / 1000, kind = cls % 1000;
  if (dims > 3 || kind < 1 || kind > 7) return false;
  if (f.compressed && kind != GEOM_LINESTRING && kind != GEOM_POLYGON) return false;
  f.z = dims == 1 || dims == 3;
  f.m = dims == 2 || dims == 3;
  *out_kind = kind;
  *out_f = f;
  return true;
}

/* MULTIPOINT holds points, MULTILINESTRING lines, MULTIPOLYGON polygons, a collection any of the
 * three (SpatiaLite does not nest collections). */
static bool entity_allowed(uint32_t container, uint32_t kind) {
  return container == 7 ? kind <= 3 : kind == container - 3;
}

static err_code spl_entities(geom_rd *r, uint32_t container, geom_sink *s, err *e) {
  uint32_t n, cls, kind;
  geom_cfmt f;
  uint8_t mark;
  if (!geom_rd_u32(r, &n)) return bad(e, "truncated collection");
  for (uint32_t i = 0; i < n; i++) {
    if (!geom_rd_u8(r, &mark) || !geom_rd_u32(r, &cls)) return bad(e, "truncated entity");
    if (mark != SPL_ENTITY) return bad(e, "missing entity mark");
    if (!spl_class(cls, &kind, &f) || !entity_allowed(container, kind))
      return bad(e, "bad entity class");
    err_code rc = geom_read_body(r, (geom_type)kind, f, s, e);
    if (rc) return rc;
  }
  return ERR_OK;
}

static err_code tiny_walk(geom_rd *r, geom_sink *s, err *e) {
  uint8_t type;
  uint32_t srid;
  r->off = 2;
  if (!geom_rd_u32(r, &srid) || !geom_rd_u8(r, &type)) return bad(e, "truncated TinyPoint");
  if (type < 1 || type > 4) return bad(e, "bad TinyPoint type");
  geom_cfmt f = {type == 2 || type == 4, type == 3 || type == 4, false};
  s->srid = (int32_t)srid;
  s->declared = GEOM_POINT;
  err_code rc = geom_read_body(r, GEOM_POINT, f, s, e);
  if (rc) return rc;
  return r->off == r->len ? ERR_OK : bad(e, "trailing bytes");
}

/* The reader's len stops before the end mark (checked by geom_blob_decode), so a body can never
 * consume it and must end exactly there. */
static err_code spl_walk(geom_rd *r, geom_sink *s, err *e) {
  if (r->p[1] == SPL_TINY_LE || r->p[1] == SPL_TINY_BE) return tiny_walk(r, s, e);
  uint32_t srid, cls, kind;
  geom_cfmt f;
  r->off = 2;
  if (!geom_rd_u32(r, &srid) || r->len < SPL_HEADER) return bad(e, "truncated header");
  if (r->p[38] != SPL_MBR) return bad(e, "missing MBR mark");
  r->off = 39;
  if (!geom_rd_u32(r, &cls) || !spl_class(cls, &kind, &f)) return bad(e, "unknown class");
  s->srid = (int32_t)srid;
  s->declared = kind <= 3 ? (geom_type)kind : kind < 7 ? (geom_type)(kind - 3) : GEOM_NONE;
  s->multi = kind > 3;
  err_code rc = kind <= 3 ? geom_read_body(r, (geom_type)kind, f, s, e)
                          : spl_entities(r, kind, s, e);
  if (rc) return rc;
  return r->off == r->len ? ERR_OK : bad(e, "trailing bytes");
}

err_code geom_blob_decode(const uint8_t *blob, size_t blob_len, arena *a, geom *out_g,
                          int32_t *out_srid, err *e) {
  memset(out_g, 0, sizeof *out_g);
  if (!blob || blob_len < 3 || blob[0] != SPL_START || blob[blob_len - 1] != SPL_END)
    return bad(e, "missing start or end mark");
  bool le;
  switch (blob[1]) {
    case 0: case SPL_TINY_BE: le = false; break;
    case 1: case SPL_TINY_LE: le = true; break;
    default: return bad(e, "unknown byte order");
  }
  geom_rd r = {blob, blob_len - 1, 0, le};
  geom_sink s;
  err_code rc = geom_decode_run(r, spl_walk, a, &s, out_g, e);
  if (rc == ERR_OK && out_srid) *out_srid = s.srid;
  return rc;
}

/* ---- encoder -------------------------------------------------------------------------------- */

static void put_u32(buf *b, uint32_t v) {
  uint8_t o[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  buf_append(b, o, sizeof o);
}

static void put_f64(buf *b, double d) {
  uint64_t v;
  memcpy(&v, &d, sizeof v);
  uint8_t o[8];
  for (int i = 0; i < 8; i++) o[i] = (uint8_t)(v >> (8 * i));
  buf_append(b, o, sizeof o);
}

static void put_coords(buf *b, const map_pt *p, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    put_f64(b, p[i].x);
    put_f64(b, p[i].y);
  }
}

static void put_part(buf *b, const geom *g, uint32_t part) {
  uint32_t s = geom_part_start(g->part_end, part), t = g->part_end[part];
  put_u32(b, t - s);
  put_coords(b, g->pts + s, t - s);
}

static void put_polygon(buf *b, const geom *g, uint32_t poly) {
  uint32_t s = geom_part_start(g->poly_end, poly), t = g->poly_end[poly];
  put_u32(b, t - s);
  for (uint32_t i = s; i < t; i++) put_part(b, g, i);
}

/* Body of member i: a point, a line (part i) or a polygon (polygon i). */
static void put_member(buf *b, const geom *g, uint32_t i) {
  if (g->type == GEOM_POINT)
    put_coords(b, g->pts + i, 1);
  else if (g->type == GEOM_LINESTRING)
    put_part(b, g, i);
  else
    put_polygon(b, g, i);
}

err_code geom_blob_encode(const geom *g, int32_t srid, buf *out, err *e) {
  if (!geom_layout_ok(g->type, g->n_pts, g->part_end, g->n_parts, g->poly_end, g->n_polys))
    return err_set(e, ERR_INVALID, "geometry layout is inconsistent");
  geom_bbox bb;
  if (!geom_bbox_compute(g, &bb))
    return err_set(e, ERR_INVALID, "an empty geometry has no SpatiaLite BLOB; store NULL");
  uint32_t n = g->type == GEOM_POINT ? g->n_pts
             : g->type == GEOM_LINESTRING ? g->n_parts : g->n_polys;
  bool multi = g->multi || n > 1;
  uint8_t head[2] = {SPL_START, 1};
  buf_append(out, head, sizeof head);
  put_u32(out, (uint32_t)srid);
  put_f64(out, bb.min_x);
  put_f64(out, bb.min_y);
  put_f64(out, bb.max_x);
  put_f64(out, bb.max_y);
  buf_putc(out, SPL_MBR);
  put_u32(out, (uint32_t)g->type + (multi ? 3u : 0u));
  if (!multi) {
    put_member(out, g, 0);
  } else {
    put_u32(out, n);
    for (uint32_t i = 0; i < n; i++) {
      buf_putc(out, SPL_ENTITY);
      put_u32(out, (uint32_t)g->type);
      put_member(out, g, i);
    }
  }
  buf_putc(out, SPL_END);
  if (out->failed)
    return out->over_limit ? err_set(e, ERR_LIMIT, "geometry BLOB exceeds the byte limit")
                           : err_set(e, ERR_NOMEM, "out of memory encoding a geometry");
  return ERR_OK;
}
