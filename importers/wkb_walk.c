/* wkb_walk.c — visits the coordinates of 2D WKB in place (ISO/OGC Simple Features §8.2).
 *
 * The importer exports every geometry once as little-endian 2D WKB and then does all its
 * per-coordinate work on those bytes (finiteness, envelope, swapping lat/lon, restoring a lost
 * minus sign, PROJ transformation): one representation, no round trips through OGR objects.
 * Only what OGR_G_ExportToIsoWkb(wkbNDR) of a flattened geometry produces is accepted. */
#include <math.h>
#include <string.h>

#include "importers/geomcheck_int.h"

/* WKB is written little-endian (wkbNDR) and read here with memcpy into doubles. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "wkb_walk.c assumes a little-endian host"
#endif

static bool rd_u32(const uint8_t *p, size_t left, uint32_t *out) {
  if (left < 4) return false;
  *out = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  return true;
}

/* Walks one geometry at *pos; depth bounds the nesting of collections. */
static bool walk_geom(uint8_t *wkb, size_t len, size_t *pos, wkb_coords_fn fn, void *ud,
                      int depth) {
  if (depth > 32 || *pos + 5 > len || wkb[*pos] != 1) return false;
  uint32_t type = 0;
  rd_u32(wkb + *pos + 1, len - *pos - 1, &type);
  *pos += 5;
  uint32_t n = 1, n_rings;
  switch (type) {
    case 1:
      if (*pos + 16 > len || !fn(wkb + *pos, 1, ud)) return false;
      *pos += 16;
      return true;
    case 2:
    case 3:
      n_rings = 1;
      if (type == 3 && !rd_u32(wkb + *pos, len - *pos, &n_rings)) return false;
      if (type == 3) *pos += 4;
      for (uint32_t r = 0; r < n_rings; r++) {
        if (!rd_u32(wkb + *pos, len - *pos, &n) || (len - *pos - 4) / 16 < n) return false;
        *pos += 4;
        if (n && !fn(wkb + *pos, n, ud)) return false;
        *pos += (size_t)n * 16;
      }
      return true;
    case 4: case 5: case 6: case 7:
      if (!rd_u32(wkb + *pos, len - *pos, &n)) return false;
      *pos += 4;
      for (uint32_t i = 0; i < n; i++)
        if (!walk_geom(wkb, len, pos, fn, ud, depth + 1)) return false;
      return true;
    default:
      return false;
  }
}

bool wkb_walk(uint8_t *wkb, size_t len, wkb_coords_fn fn, void *ud) {
  size_t pos = 0;
  return walk_geom(wkb, len, &pos, fn, ud, 0) && pos == len;
}

typedef struct env_state {
  double b[4];
  bool finite;
} env_state;

static bool env_fn(uint8_t *xy, uint32_t n, void *ud) {
  env_state *s = ud;
  for (uint32_t i = 0; i < n; i++) {
    double p[2];
    memcpy(p, xy + 16 * (size_t)i, 16);
    if (!isfinite(p[0]) || !isfinite(p[1])) {
      s->finite = false;
      continue;
    }
    if (p[0] < s->b[0]) s->b[0] = p[0];
    if (p[1] < s->b[1]) s->b[1] = p[1];
    if (p[0] > s->b[2]) s->b[2] = p[0];
    if (p[1] > s->b[3]) s->b[3] = p[1];
  }
  return true;
}

bool wkb_envelope(uint8_t *wkb, size_t len, double out[4], bool *out_finite) {
  env_state s = {{INFINITY, INFINITY, -INFINITY, -INFINITY}, true};
  bool ok = wkb_walk(wkb, len, env_fn, &s);
  memcpy(out, s.b, sizeof s.b);
  *out_finite = s.finite;
  return ok;
}
