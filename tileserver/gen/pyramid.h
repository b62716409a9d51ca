/* pyramid.h — per-zoom point clusters of a layer version, computed once and kept in memory.
 *
 * Clustering a dense layer at low zoom means reading every point of the tile: 1,000,000 points
 * for a z8 tile over the city, 1.5 s per tile measured. The cells of the cluster grid are global
 * (gen.h), so their counts and sums can be computed once per layer version for every
 * clustered zoom; a tile then reads the few hundred cells it covers. The first request for a
 * layer version builds its pyramid (one scan of the layer); later versions get their own, and a
 * version that left the catalog is freed when its last user releases it. */
#ifndef TESELAS_GEN_PYRAMID_H
#define TESELAS_GEN_PYRAMID_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

typedef struct pyramid_cell {
  uint64_t key;       /* (cy << 32) | cx in the global cell grid of the zoom */
  uint32_t count;
  int64_t first_id;   /* smallest feature id in the cell */
  double sx, sy;      /* sums of world coordinates (0..1 across the Web Mercator square) */
} pyramid_cell;

typedef struct point_pyramid point_pyramid;
typedef struct pyramid_registry pyramid_registry;

/* Caller owns; pyramid_registry_destroy (after every pyramid was released). */
pyramid_registry *pyramid_registry_create(void);
void pyramid_registry_destroy(pyramid_registry *reg);

/* The pyramid of layer l at its current version, built with reader r when missing (other threads
 * asking for it meanwhile wait). Zooms minz..maxz with cells_per_tile cells across a tile.
 * Release with pyramid_release. */
err_code pyramid_acquire(pyramid_registry *reg, store_reader *r, const layer_info *l, int minz,
                         int maxz, uint32_t cells_per_tile, point_pyramid **out, err *e);
void pyramid_release(pyramid_registry *reg, point_pyramid *p);
/* Forgets the pyramids of layer_id ("" every layer), whatever their version: the next acquire
 * builds one again; users holding one keep it until they release it. Returns how many were
 * forgotten. For a catalog change announced by the database (http/sources.c), never per request. */
size_t pyramid_forget(pyramid_registry *reg, const char *layer_id);

/* The cells of zoom z with cy in [cy0, cy1] and cx in [cx0, cx1], in key order: calls fn for
 * each. Returns false when z is outside the pyramid. */
typedef void (*pyramid_cell_fn)(void *ctx, const pyramid_cell *c);
bool pyramid_cells(const point_pyramid *p, uint32_t z, uint32_t cx0, uint32_t cx1, uint32_t cy0,
                   uint32_t cy1, pyramid_cell_fn fn, void *ctx);

#endif
