/* geom_int.h — internals shared by the sources of geom/: allocation, layout checks, and the
 * bounded reader and two-pass sink behind the BLOB and WKB decoders. Not for other modules. */
#ifndef TESELAS_GEOM_GEOM_INT_H
#define TESELAS_GEOM_GEOM_INT_H

#include "geom/geom.h"

/* n elements of size bytes from the arena, or NULL when the arena fails or n * size overflows.
 * n == 0 still returns a (minimal) block, so NULL always means failure. */
void *geom_alloc_n(arena *a, size_t n, size_t size);

/* geom_clip_rect of a non-empty g whose bbox (geom_bbox_compute's) the caller has already: the
 * pipeline rejects on it first, and a second pass over every vertex for the same box was 2 % of
 * a z10 line tile (callgrind, bench/tiles/callgrind.sh). */
err_code geom_clip_rect_bbox(const geom *g, geom_bbox bb, geom_bbox rect, arena *a, geom *out_g,
                             err *e);

/* True when the offsets describe a valid layout (see geom.h) for n_pts points. */
bool geom_layout_ok(geom_type type, uint32_t n_pts, const uint32_t *part_end, uint32_t n_parts,
                    const uint32_t *poly_end, uint32_t n_polys);

/* A geom with no points that keeps g's type and multi flag. */
geom geom_empty_like(const geom *g);

/* Twice the signed area of the open ring r[0..n) on the grid (surveyor's formula), exact for
 * coordinates within +-2^28. Positive means clockwise on screen (y down): an MVT exterior. */
int64_t geom_ring_area2(const tile_pt *r, uint32_t n);

/* Squared distance from p to the segment a-b (to a when a == b). Douglas-Peucker's measure, one
 * definition for simplify.c and ranked.c, whose results must agree to the bit. */
static inline double geom_seg_dist2(map_pt p, map_pt a, map_pt b) {
  double x = a.x, y = a.y, dx = b.x - x, dy = b.y - y;
  if (dx != 0 || dy != 0) {
    double t = ((p.x - x) * dx + (p.y - y) * dy) / (dx * dx + dy * dy);
    if (t > 1) {
      x = b.x;
      y = b.y;
    } else if (t > 0) {
      x += dx * t;
      y += dy * t;
    }
  }
  dx = p.x - x;
  dy = p.y - y;
  return dx * dx + dy * dy;
}

/* ---- decoding ------------------------------------------------------------------------------- */

/* A cursor over untrusted bytes: every read checks the remaining length first, so a malformed
 * count can never make a decoder read past len (the decoders are fuzzed). Invariant: off <= len. */
typedef struct geom_rd {
  const uint8_t *p;
  size_t len;
  size_t off;
  bool le; /* byte order of multi-byte values */
} geom_rd;

bool geom_rd_u8(geom_rd *r, uint8_t *out);
bool geom_rd_u32(geom_rd *r, uint32_t *out);
bool geom_rd_f64(geom_rd *r, double *out);
/* True when n more bytes are available (n computed in 64 bits by callers to avoid overflow). */
bool geom_rd_has(const geom_rd *r, uint64_t n);

/* How coordinates are stored: Z and M are read past and dropped. Compressed (SpatiaLite classes
 * 1000000+): first and last vertex in full doubles, the others as float deltas of x, y (and z),
 * with m, if any, as a full double. */
typedef struct geom_cfmt {
  bool z, m, compressed;
} geom_cfmt;

/* Decoding is two passes over the same bytes (what SQLite does with its record formats): the
 * first validates everything and counts points/parts/polygons per type, the second fills arrays
 * allocated at their exact size. No growth, no realloc copies in the arena, and a hostile count
 * cannot make us allocate more than the bytes can hold. */
typedef struct geom_sink {
  bool fill;         /* second pass */
  geom_type keep;    /* second pass: only members of this type are stored */
  size_t n_pts[4], n_parts[4], n_polys[4]; /* first pass counts, indexed by geom_type */
  geom *g;           /* second pass output */
  uint32_t cap_pts, cap_parts, cap_polys;
  bool overflow;     /* second pass saw more than the first counted: a bug */
  geom_type declared;/* type named by the top-level class, for empty results */
  bool multi;
  int32_t srid;
} geom_sink;

typedef err_code (*geom_walk_fn)(geom_rd *r, geom_sink *s, err *e);

/* Runs walk twice over src as described above and fills *out_g (arena a). */
err_code geom_decode_run(geom_rd src, geom_walk_fn walk, arena *a, geom_sink *s, geom *out_g,
                         err *e);

/* Reads the body of an elementary geometry (kind 1 point, 2 line, 3 polygon) in format f. */
err_code geom_read_body(geom_rd *r, geom_type kind, geom_cfmt f, geom_sink *s, err *e);

#endif
