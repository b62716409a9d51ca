/* rtree_cell.h — an R*Tree node's cells as SQLite stores them (sqlite/ext/rtree/rtree.c, the
 * format rtree_load.c writes): an 8-byte id, then four big-endian float32 bounds (xmin, xmax,
 * ymin, ymax). The walks that read nodes themselves (the counts of a box's entries in
 * box_count.c, the inside part's pass-over list in inside_skip.c) compare cells in their own
 * precision against the query box rounded inwards, one rule for both. */
#ifndef TESELAS_STORE_RTREE_CELL_H
#define TESELAS_STORE_RTREE_CELL_H

#include <arpa/inet.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum { RTREE_CELL_BYTES = 24 };

/* The query box as float32, rounded inwards (lo up, hi down): a cell's float32 bound b meets
 * b >= q exactly when b >= lo, and b <= q when b <= hi. */
typedef struct rtree_fbox {
  float lo_x, lo_y, hi_x, hi_y;
} rtree_fbox;

static inline float rtree_f32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  v = ntohl(v);
  float f;
  memcpy(&f, &v, sizeof f);
  return f;
}

static inline rtree_fbox rtree_fbox_inward(const double box[4]) {
  rtree_fbox b = {(float)box[0], (float)box[1], (float)box[2], (float)box[3]};
  if ((double)b.lo_x < box[0]) b.lo_x = nextafterf(b.lo_x, INFINITY);
  if ((double)b.lo_y < box[1]) b.lo_y = nextafterf(b.lo_y, INFINITY);
  if ((double)b.hi_x > box[2]) b.hi_x = nextafterf(b.hi_x, -INFINITY);
  if ((double)b.hi_y > box[3]) b.hi_y = nextafterf(b.hi_y, -INFINITY);
  return b;
}

/* Cell c lies inside the box / meets it. */
static inline bool rtree_cell_inside(const rtree_fbox *b, const uint8_t *c) {
  return rtree_f32(c + 8) >= b->lo_x && rtree_f32(c + 12) <= b->hi_x &&
         rtree_f32(c + 16) >= b->lo_y && rtree_f32(c + 20) <= b->hi_y;
}

static inline bool rtree_cell_meets(const rtree_fbox *b, const uint8_t *c) {
  return rtree_f32(c + 8) <= b->hi_x && rtree_f32(c + 12) >= b->lo_x &&
         rtree_f32(c + 16) <= b->hi_y && rtree_f32(c + 20) >= b->lo_y;
}

#endif
