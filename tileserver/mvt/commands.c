/* commands.c — tile geometry to MVT 2.1 §4.3 command integers, and the small reader that finds
 * the layer names already in a tile (§4.1: names must be unique within a tile).
 *
 * The encoder checks, rather than repairs, what §4.3 requires: repairing is geom_quantize's job,
 * and a second, different repair here would hide its bugs. */
#include "mvt/mvt_int.h"

#include <stdint.h>
#include <string.h>

enum {
  CMD_MOVE_TO = 1,
  CMD_LINE_TO = 2,
  CMD_CLOSE_PATH = 7,
  CMD_COUNT_MAX = (1 << 29) - 1 /* §4.3.1: the count has 29 bits */
};

/* The cursor starts at (0, 0) for each feature and carries across parts (§4.3). It writes each
 * command integer as its varint straight into out, in room reserved once per path: a z10 line
 * tile's integers went through a growable uint32 array, a pass for their packed size and a pass
 * to encode them, 28 % of its instructions (callgrind, bench/tiles/callgrind.sh). */
typedef struct cursor {
  int64_t x, y;
  buf *out;
  uint8_t *p; /* the next byte, inside out's reserved room */
  bool bad;   /* a delta outside what §4.3.2 allows */
} cursor;

/* Room for k more integers (a varint of 32 bits takes at most 5 bytes); false when out failed. */
static bool room(cursor *c, size_t k) {
  if (k > SIZE_MAX / 5 || !buf_reserve(c->out, 5 * k)) return false;
  c->p = c->out->data + c->out->len;
  return true;
}

static void put_u32(cursor *c, uint32_t v) {
  uint8_t *p = c->p;
  while (v >= 0x80) {
    *p++ = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  *p++ = (uint8_t)v;
  c->p = p;
}

/* Ends a run of writes begun by room(). */
static void done(cursor *c) { c->out->len = (size_t)(c->p - c->out->data); }

static void put_cmd(cursor *c, uint32_t id, uint32_t count) { put_u32(c, (id & 7) | (count << 3)); }

/* pbf_zigzag32 where the compiler can inline it (two calls a vertex; unsigned, as there). */
static uint32_t zigzag(int32_t v) { return ((uint32_t)v << 1) ^ (v < 0 ? UINT32_MAX : 0); }

/* §4.3.2: parameters are zigzag deltas within ±(2^31 - 1). */
static void put_pt(cursor *c, tile_pt p) {
  int64_t dx = p.x - c->x, dy = p.y - c->y;
  if (dx > INT32_MAX || dx < -INT32_MAX || dy > INT32_MAX || dy < -INT32_MAX) {
    c->bad = true;
    return;
  }
  put_u32(c, zigzag((int32_t)dx));
  put_u32(c, zigzag((int32_t)dy));
  c->x = p.x;
  c->y = p.y;
}

static bool same(tile_pt a, tile_pt b) { return a.x == b.x && a.y == b.y; }

/* Sign of the surveyor's-formula area (§4.3.4.4): products in int64, sum in wrapping uint64. */
static int area_sign(const tile_pt *r, uint32_t n) {
  uint64_t sum = 0;
  for (uint32_t i = 0; i < n; i++) {
    tile_pt a = r[i], b = r[i + 1 < n ? i + 1 : 0];
    sum += (uint64_t)((int64_t)a.x * b.y) - (uint64_t)((int64_t)b.x * a.y);
  }
  return sum == 0 ? 0 : sum > INT64_MAX ? -1 : 1;
}

/* One line (§4.3.4.3) or ring (§4.3.4.4): MoveTo(1), LineTo(n - 1), and ClosePath for a ring.
 * want_sign is the area sign a ring must have (+1 exterior, -1 hole), 0 for a line. */
static bool put_path(cursor *c, const tile_pt *p, uint32_t n, int want_sign) {
  uint32_t min = want_sign ? 3 : 2;
  if (n < min || n - 1 > CMD_COUNT_MAX) return false;
  for (uint32_t i = 1; i < n; i++)
    if (same(p[i], p[i - 1])) return false; /* §4.3.3.2: no zero-length LineTo */
  if (want_sign && (same(p[n - 1], p[0]) || area_sign(p, n) != want_sign)) return false;
  if (!room(c, 2 * (size_t)n + 3)) return false;
  put_cmd(c, CMD_MOVE_TO, 1);
  put_pt(c, p[0]);
  put_cmd(c, CMD_LINE_TO, n - 1);
  for (uint32_t i = 1; i < n; i++) put_pt(c, p[i]);
  if (want_sign) put_cmd(c, CMD_CLOSE_PATH, 1);
  done(c);
  return !c->bad;
}

static bool ends_ok(const uint32_t *end, uint32_t n, uint32_t total) {
  uint32_t prev = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (end[i] <= prev) return false;
    prev = end[i];
  }
  return prev == total && (n > 0 || total == 0);
}

static bool put_geom(cursor *c, const tile_geom *g) {
  if (!ends_ok(g->part_end, g->n_parts, g->n_pts)) return false;
  if (g->type == GEOM_POINT) { /* §4.3.4.2: one MoveTo for all points */
    if (g->n_polys || g->n_pts > CMD_COUNT_MAX || !room(c, 2 * (size_t)g->n_pts + 1)) return false;
    put_cmd(c, CMD_MOVE_TO, g->n_pts);
    for (uint32_t i = 0; i < g->n_pts; i++) put_pt(c, g->pts[i]);
    done(c);
    return !c->bad;
  }
  if (g->type == GEOM_LINESTRING) {
    if (g->n_polys) return false;
    for (uint32_t i = 0; i < g->n_parts; i++) {
      uint32_t s = geom_part_start(g->part_end, i);
      if (!put_path(c, g->pts + s, g->part_end[i] - s, 0)) return false;
    }
    return true;
  }
  if (g->type != GEOM_POLYGON || !ends_ok(g->poly_end, g->n_polys, g->n_parts)) return false;
  for (uint32_t j = 0; j < g->n_polys; j++) {
    for (uint32_t i = geom_part_start(g->poly_end, j); i < g->poly_end[j]; i++) {
      uint32_t s = geom_part_start(g->part_end, i);
      int sign = i == geom_part_start(g->poly_end, j) ? 1 : -1;
      if (!put_path(c, g->pts + s, g->part_end[i] - s, sign)) return false;
    }
  }
  return true;
}

err_code mvt_geom_encode_bytes(const tile_geom *g, buf *out, err *e) {
  buf_reset(out);
  if (g->n_pts == 0) return ERR_OK;
  cursor c = {.out = out};
  bool ok = put_geom(&c, g);
  if (out->failed)
    return out->over_limit ? err_set(e, ERR_LIMIT, "feature geometry exceeds the tile byte limit")
                           : err_set(e, ERR_NOMEM, "out of memory encoding a geometry");
  if (!ok) {
    buf_reset(out);
    return err_set(e, ERR_INVALID, "geometry does not satisfy MVT 2.1 section 4.3");
  }
  return ERR_OK;
}

static bool rd_varint(const uint8_t *p, size_t len, size_t *off, uint64_t *out);

err_code mvt_geom_encode(const tile_geom *g, mvt_u32s *out, err *e) {
  out->n = 0;
  buf b;
  buf_init(&b, 0);
  err_code rc = mvt_geom_encode_bytes(g, &b, e);
  uint64_t v;
  for (size_t off = 0; rc == ERR_OK && off < b.len;)
    if (!rd_varint(b.data, b.len, &off, &v) || !mvt_u32s_push(out, (uint32_t)v))
      rc = out->over_limit ? err_set(e, ERR_LIMIT, "feature geometry exceeds the tile byte limit")
                           : err_set(e, ERR_NOMEM, "out of memory encoding a geometry");
  buf_free(&b);
  return rc;
}

/* ---- reading back layer names --------------------------------------------------------------- */

static bool rd_varint(const uint8_t *p, size_t len, size_t *off, uint64_t *out) {
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 64 && *off < len; shift += 7) {
    uint8_t b = p[(*off)++];
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false;
}

/* Skips the value of a field of the given wire type; false when malformed. */
static bool skip(const uint8_t *p, size_t len, size_t *off, unsigned wire, size_t *out_n) {
  uint64_t n = 0;
  switch (wire) {
    case PBF_WIRE_VARINT: return rd_varint(p, len, off, &n);
    case PBF_WIRE_I64: n = 8; break;
    case PBF_WIRE_I32: n = 4; break;
    case PBF_WIRE_LEN:
      if (!rd_varint(p, len, off, &n)) return false;
      break;
    default: return false;
  }
  if (n > len - *off) return false;
  if (out_n) *out_n = (size_t)n;
  *off += (size_t)n;
  return true;
}

/* Scans t for Tile.layers (field 3) whose Layer.name (field 1) equals name. The tile is ours, so a
 * malformed one is a bug; it answers "no" and the append goes on. */
bool mvt_tile_has_layer(const uint8_t *t, size_t len, const char *name, size_t name_len) {
  size_t off = 0, n = 0;
  uint64_t tag;
  while (off < len) {
    if (!rd_varint(t, len, &off, &tag) || !skip(t, len, &off, (unsigned)(tag & 7), &n))
      return false;
    if (tag != ((3u << 3) | PBF_WIRE_LEN)) continue;
    const uint8_t *layer = t + off - n;
    for (size_t lo = 0; lo < n;) {
      size_t m = 0;
      if (!rd_varint(layer, n, &lo, &tag) || !skip(layer, n, &lo, (unsigned)(tag & 7), &m)) break;
      if (tag == ((1u << 3) | PBF_WIRE_LEN)) {
        if (m == name_len && memcmp(layer + lo - m, name, m) == 0) return true;
        break;
      }
    }
  }
  return false;
}
