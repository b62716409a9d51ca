/* labels.c — the label-point layers of polygon layers (gen.h): their name and the one tile of a
 * zoom that holds a label. Why: MapLibre labels each tile's clipped piece of a polygon, so a
 * municipality spanning two z8 tiles was named twice; one point per feature, in one tile, is
 * named once. */
#include <math.h>
#include <string.h>

#include "gen/gen.h"

bool gen_has_labels(const layer_info *l) { return strcmp(l->geometry_type, "Polygon") == 0; }

size_t gen_labels_of(const char *name) {
  size_t n = strlen(name), k = strlen(GEN_LABELS_SUFFIX);
  if (n <= k || strcmp(name + n - k, GEN_LABELS_SUFFIX) != 0) return 0;
  return n - k;
}

/* The index of the tile row or column holding world coordinate w (0..1) at n tiles a side. */
static uint32_t tile_index(double w, uint32_t n) {
  double i = floor(w * n);
  if (!(i >= 0)) return 0; /* also NaN */
  return i >= n ? n - 1 : (uint32_t)i;
}

bool gen_anchor_in_tile(map_pt anchor, geom_tile_id t) {
  uint32_t n = 1u << t.z;
  double wx = (anchor.x + GEOM_MERC_HALF) / (2 * GEOM_MERC_HALF);
  double wy = (GEOM_MERC_HALF - anchor.y) / (2 * GEOM_MERC_HALF);
  return tile_index(wx, n) == t.x && tile_index(wy, n) == t.y;
}
