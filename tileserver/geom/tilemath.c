/* tilemath.c — Web Mercator (EPSG:3857) and the XYZ tile scheme (OGC WebMercatorQuad): tile
 * z/x/y <-> bounds, lon/lat <-> metres, positions inside a tile.
 *
 * Everything goes through "world" coordinates in [0, 1] (x east, y south), so the tile-space
 * transforms are one multiply-add each; doubles keep them exact enough (2^-52 of the world) for
 * z 24 and extents of 2^20. It does not know other projections: PROJ, at import, does. */
#include "geom/geom.h"

#include <math.h>

/* Not M_PI: strict C11 does not define it. */
#define GEOM_PI 3.14159265358979323846
/* atan(sinh(pi)): the latitude where the mercator world is square. */
#define MERC_MAX_LAT 85.0511287798066

bool geom_tile_valid(geom_tile_id t) {
  return t.z <= GEOM_ZOOM_MAX && t.x < (1u << t.z) && t.y < (1u << t.z);
}

err_code geom_tile_validate(int64_t z, int64_t x, int64_t y, geom_tile_id *out_tile, err *e) {
  if (z < 0 || z > GEOM_ZOOM_MAX)
    return err_set(e, ERR_INVALID, "zoom %lld is outside 0..%d", (long long)z, GEOM_ZOOM_MAX);
  int64_t n = (int64_t)1 << z;
  if (x < 0 || x >= n || y < 0 || y >= n)
    return err_set(e, ERR_INVALID, "tile %lld/%lld/%lld does not exist (x and y are 0..%lld)",
                   (long long)z, (long long)x, (long long)y, (long long)(n - 1));
  *out_tile = (geom_tile_id){(uint32_t)z, (uint32_t)x, (uint32_t)y};
  return ERR_OK;
}

static double clamp_lat(double lat) {
  return lat > MERC_MAX_LAT ? MERC_MAX_LAT : lat < -MERC_MAX_LAT ? -MERC_MAX_LAT : lat;
}

static map_pt lonlat_to_world(map_pt ll) {
  double s = sin(clamp_lat(ll.y) * GEOM_PI / 180.0);
  /* 0.5 - atanh(sin(lat)) / (2 pi): the mercator y, scaled to the unit square. */
  return (map_pt){(ll.x + 180.0) / 360.0, 0.5 - 0.25 * log((1.0 + s) / (1.0 - s)) / GEOM_PI};
}

static map_pt merc_to_world(map_pt m) {
  return (map_pt){(m.x + GEOM_MERC_HALF) / (2 * GEOM_MERC_HALF), (GEOM_MERC_HALF - m.y) / (2 * GEOM_MERC_HALF)};
}

static double world_y_to_lat(double wy) {
  return atan(sinh(GEOM_PI * (1.0 - 2.0 * wy))) * 180.0 / GEOM_PI;
}

map_pt geom_lonlat_to_merc(map_pt lonlat) {
  map_pt w = lonlat_to_world(lonlat);
  return (map_pt){lonlat.x * GEOM_MERC_HALF / 180.0, (0.5 - w.y) * 2 * GEOM_MERC_HALF};
}

map_pt geom_merc_to_lonlat(map_pt merc) {
  map_pt w = merc_to_world(merc);
  return (map_pt){merc.x * 180.0 / GEOM_MERC_HALF, world_y_to_lat(w.y)};
}

static map_pt world_to_tile(map_pt w, geom_tile_id t, uint32_t extent) {
  double n = ldexp(1.0, (int)t.z);
  return (map_pt){(w.x * n - t.x) * extent, (w.y * n - t.y) * extent};
}

map_pt geom_lonlat_to_world(map_pt lonlat) { return lonlat_to_world(lonlat); }

map_pt geom_world_to_tile(map_pt world, geom_tile_id t, uint32_t extent) {
  return world_to_tile(world, t, extent);
}

map_pt geom_lonlat_to_tile(map_pt lonlat, geom_tile_id t, uint32_t extent) {
  return world_to_tile(lonlat_to_world(lonlat), t, extent);
}

map_pt geom_merc_to_tile(map_pt merc, geom_tile_id t, uint32_t extent) {
  return world_to_tile(merc_to_world(merc), t, extent);
}

geom_bbox geom_tile_bounds_lonlat(geom_tile_id t) {
  double n = ldexp(1.0, (int)t.z);
  return (geom_bbox){t.x / n * 360.0 - 180.0, world_y_to_lat((t.y + 1) / n),
                     (t.x + 1) / n * 360.0 - 180.0, world_y_to_lat(t.y / n)};
}

geom_bbox geom_tile_bounds_merc(geom_tile_id t) {
  double span = 2 * GEOM_MERC_HALF / ldexp(1.0, (int)t.z);
  return (geom_bbox){-GEOM_MERC_HALF + t.x * span, GEOM_MERC_HALF - (t.y + 1) * span,
                     -GEOM_MERC_HALF + (t.x + 1) * span, GEOM_MERC_HALF - t.y * span};
}

double geom_tile_tolerance_world(int z) { return 2.0 / ldexp(4096.0, z); }

double geom_zoom_resolution(uint32_t z, uint32_t tile_size) {
  return 2 * GEOM_MERC_HALF / (tile_size * ldexp(1.0, (int)z));
}
