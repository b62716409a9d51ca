/* wkb.c — OGC WKB (little-endian, 2D) of a flat geometry, for handing features to GDAL when
 * writing a GeoPackage. Single or multi is decided as in GeoJSON: multi when the source said so
 * or when there is more than one member. */
#include <string.h>

#include "features/features_int.h"

static void u8(buf *b, uint8_t v) { buf_append(b, &v, 1); }

static void u32(buf *b, uint32_t v) {
  uint8_t o[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  buf_append(b, o, 4);
}

static void f64(buf *b, double d) {
  uint64_t v;
  memcpy(&v, &d, 8);
  uint8_t o[8];
  for (int i = 0; i < 8; i++) o[i] = (uint8_t)(v >> (8 * i));
  buf_append(b, o, 8);
}

static void head(buf *b, uint32_t type) {
  u8(b, 1);
  u32(b, type);
}

static void points(buf *b, const map_pt *p, uint32_t n) {
  u32(b, n);
  for (uint32_t i = 0; i < n; i++) {
    f64(b, p[i].x);
    f64(b, p[i].y);
  }
}

static void line(buf *b, const geom *g, uint32_t part) {
  uint32_t s = geom_part_start(g->part_end, part);
  head(b, 2);
  points(b, g->pts + s, g->part_end[part] - s);
}

static void polygon(buf *b, const geom *g, uint32_t poly) {
  uint32_t s = geom_part_start(g->poly_end, poly), t = g->poly_end[poly];
  head(b, 3);
  u32(b, t - s);
  for (uint32_t i = s; i < t; i++) {
    uint32_t ps = geom_part_start(g->part_end, i);
    points(b, g->pts + ps, g->part_end[i] - ps);
  }
}

bool features_wkb(buf *b, const geom *g) {
  if (g->n_pts == 0) return false;
  uint32_t n = g->type == GEOM_POINT ? g->n_pts
             : g->type == GEOM_LINESTRING ? g->n_parts : g->n_polys;
  bool multi = g->multi || n > 1;
  if (multi) {
    head(b, (uint32_t)g->type + 3);
    u32(b, n);
  }
  for (uint32_t i = 0; i < n; i++) {
    if (g->type == GEOM_POINT) {
      head(b, 1);
      f64(b, g->pts[i].x);
      f64(b, g->pts[i].y);
    } else if (g->type == GEOM_LINESTRING) {
      line(b, g, i);
    } else if (g->type == GEOM_POLYGON) {
      polygon(b, g, i);
    } else {
      return false;
    }
  }
  return !b->failed;
}
