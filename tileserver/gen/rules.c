/* rules.c — the rules of generalisation as numbers: when a layer is clustered, the one
 * simplification tolerance, and when a feature is too small to show. Both encoders ask here; the
 * vector tiles judge sizes in their tile units, the renderer in metres, against the same pixel. */
#include <math.h>
#include <string.h>

#include "gen/gen.h"

bool gen_shown(const layer_info *l, uint32_t z) { return (int)z >= l->minzoom; }

int gen_cluster_below(const layer_info *l) {
  if (strcmp(l->geometry_type, "Point") != 0 || l->feature_count <= GEN_CLUSTER_MIN_FEATURES)
    return 0;
  return l->maxzoom < GEN_CLUSTER_BELOW_ZOOM ? l->maxzoom : GEN_CLUSTER_BELOW_ZOOM;
}

double gen_tolerance(const layer_info *l, uint32_t z, uint32_t extent) {
  /* 1/8 of a 256-px pixel: below what a screen shows, yet it removes the collinear and
   * near-collinear vertices that dominate detailed polygons at low zoom. */
  double base = geom_tile_tolerance_world(0) * extent; /* in tile units at the tile's zoom */
  int over = (int)z - l->maxzoom;
  return over > 0 ? base / ldexp(1.0, over) : base;
}

int gen_lod_zoom(const layer_info *l, uint32_t z) {
  int over = (int)z - l->maxzoom;
  return (int)z + (over > 0 ? over : 0);
}

int gen_small_below(const layer_info *l) {
  /* Judged per layer: the store's size index skips small features of the whole layer (the
   * layer's geometry type is the type of all its features). The rule is for speed: a layer of
   * many small polygons or lines (buildings, a city's colonias) reads and sends the few its
   * pixels can show. An aggregate layer is never judged so: each cell is a published figure and
   * the cells tile the area they count, so sub-pixel cells together still cover a visible area;
   * dropping them emptied the map where it is most read (SSP-CDMX's 131,141 crimes on a 500 m
   * grid: 2,392 cells, a cell 0.87 px of a 256-px tile at z8, so z6 to z8 came out empty while
   * TileJSON advertised them). Nor does the rule buy speed there: an aggregate publishes only
   * cells of at least k records, so at most records / k of them, and those 2,392 make a z6 tile
   * of the whole city of 137 KB, 37 KB gzip (TILES_BYTE_LIMIT still bounds any tile). */
  if (strcmp(l->geometry_type, "Point") == 0 || l->aggregate) return 0;
  return l->maxzoom;
}

bool gen_drops_small(const layer_info *l, uint32_t z) { return (int)z < gen_small_below(l); }

bool gen_below_pixel(const geom_bbox *b, double pixel) {
  return fabs(b->max_x - b->min_x) < pixel && fabs(b->max_y - b->min_y) < pixel;
}

double gen_pixel_merc(uint32_t z) {
  return 2 * GEOM_MERC_HALF / ldexp(1.0, (int)z) / GEN_TILE_PX;
}
