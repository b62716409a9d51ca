/* wkb.c — WKB writer (ISO/OGC Simple Features §8.2), little-endian only. */
#include "importers/wkb.h"

#include <string.h>

void wkb_u32(buf *b, uint32_t v) {
  uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  buf_append(b, le, 4);
}

static void wkb_double(buf *b, double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  uint8_t le[8];
  for (int i = 0; i < 8; i++) le[i] = (uint8_t)(u >> (8 * i));
  buf_append(b, le, 8);
}

void wkb_header(buf *b, uint32_t type) {
  buf_putc(b, 1);
  wkb_u32(b, type);
}

void wkb_xy(buf *b, double x, double y) {
  wkb_double(b, x);
  wkb_double(b, y);
}

void wkb_point(buf *b, double x, double y) {
  wkb_header(b, WKB_POINT);
  wkb_xy(b, x, y);
}

void wkb_coords(buf *b, const double *xy, uint32_t n) {
  wkb_u32(b, n);
  for (uint32_t i = 0; i < n; i++) wkb_xy(b, xy[2 * i], xy[2 * i + 1]);
}
