/* json.c — numbers and values as JSON text, written without printf on the hot path: a
 * million-point download formats two million coordinates, and snprintf("%.7f") was the largest
 * cost there. Also the time stamp and the geometry decoding every writer shares. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "features/features_int.h"

size_t features_int_text(char out[FEATURES_NUM_MAX], int64_t v) {
  char tmp[24];
  char *p = tmp + sizeof tmp;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    *--p = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) *--p = '-';
  size_t n = (size_t)(tmp + sizeof tmp - p);
  memcpy(out, p, n);
  return n;
}

void features_put_int(buf *b, int64_t v) {
  char tmp[FEATURES_NUM_MAX];
  buf_append(b, tmp, features_int_text(tmp, v));
}

/* Written forward without a call: llround's rounding (half away from zero) done inline, as
 * t - trunc(t) is exact. Two of these a point were 440 of a page feature's ~1,700 instructions. */
size_t features_coord_text(char out[FEATURES_NUM_MAX], double v) {
  double t = v * 1e7;
  int64_t n = (int64_t)t; /* |t| < 1e18: features_coord_fixed */
  double f = t - (double)n;
  if (f >= 0.5) n++;
  else if (f <= -0.5) n--;
  char *p = out;
  uint64_t u = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
  if (n < 0) *p++ = '-';
  uint64_t ip = u / 10000000u;
  uint32_t fp = (uint32_t)(u % 10000000u);
  char rev[20];
  int k = 0;
  do {
    rev[k++] = (char)('0' + ip % 10);
    ip /= 10;
  } while (ip);
  while (k) *p++ = rev[--k];
  if (fp) {
    *p++ = '.';
    char *d = p;
    for (int i = 6; i >= 0; i--, fp /= 10) d[i] = (char)('0' + fp % 10);
    p += 7;
    while (p[-1] == '0') p--;
  }
  return (size_t)(p - out);
}

void features_put_coord(buf *b, double v) {
  if (!isfinite(v)) {
    buf_puts(b, "null");
    return;
  }
  if (!features_coord_fixed(v)) { /* not degrees: no fixed-point shortcut */
    buf_printf(b, "%.7f", v);
    return;
  }
  char tmp[FEATURES_NUM_MAX];
  buf_append(b, tmp, features_coord_text(tmp, v));
}

size_t features_real_text(char out[FEATURES_NUM_MAX], double v) {
  if (!isfinite(v)) {
    memcpy(out, "null", 4);
    return 4;
  }
  if (v == floor(v) && fabs(v) < 1e15) return features_int_text(out, (int64_t)v);
  snprintf(out, FEATURES_NUM_MAX, "%.15g", v);
  if (strtod(out, NULL) != v) snprintf(out, FEATURES_NUM_MAX, "%.17g", v);
  return strlen(out);
}

void features_put_real(buf *b, double v) {
  char tmp[FEATURES_NUM_MAX];
  buf_append(b, tmp, features_real_text(tmp, v));
}

void features_json_value(buf *b, const value *v) {
  switch (v->kind) {
    case VALUE_NULL: buf_append(b, "null", 4); break;
    case VALUE_BOOL: buf_puts(b, v->i ? "true" : "false"); break;
    case VALUE_INT: features_put_int(b, v->i); break;
    case VALUE_REAL: features_put_real(b, v->d); break;
    case VALUE_TEXT:
      buf_putc(b, '"');
      buf_json_escape(b, v->s, v->len);
      buf_putc(b, '"');
      break;
  }
}

void features_now_iso(char out[32]) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void features_decode(const store_feature *f, arena *a, geom *out) {
  memset(out, 0, sizeof *out);
  if (!f->blob || !f->blob_len) return;
  /* A plain XY point (every row of a point layer) read in place: the general decoder's two passes
   * were 1,260 of the ~3,000 instructions each feature of a dense bbox page cost (callgrind). The
   * same geom as the decoder gives; a non-finite point is left to it (it refuses one). */
  map_pt p;
  if (geom_blob_point(f->blob, f->blob_len, &p) && isfinite(p.x) && isfinite(p.y)) {
    map_pt *pts = arena_alloc(a, sizeof *pts);
    uint32_t *part_end = arena_alloc(a, sizeof *part_end);
    if (pts && part_end) {
      *pts = p;
      *part_end = 1;
      *out = (geom){.type = GEOM_POINT, .pts = pts, .part_end = part_end, .n_pts = 1, .n_parts = 1};
    }
    return;
  }
  if (geom_blob_decode(f->blob, f->blob_len, a, out, NULL, NULL) != ERR_OK)
    memset(out, 0, sizeof *out);
}
