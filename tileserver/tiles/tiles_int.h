/* tiles_int.h — shared by the files of tiles/; not part of its interface. */
#ifndef TESELAS_TILES_INT_H
#define TESELAS_TILES_INT_H

#include "mvt/mvt.h"
#include "tiles/tiles.h"

/* Cluster cells in tile units of a 4096 extent: 16 px of a 256-px tile at low zoom, 4 px when a
 * layer is too dense for its own tile at high zoom. Both divide the extent, so cells never
 * straddle a tile edge and the cells of zoom z+1 nest in those of zoom z (stable clusters). */
enum { TILES_CLUSTER_CELL = 256, TILES_CLUSTER_CELL_FINE = 64 };

/* The lon/lat box of tile t grown by margin_fraction of its size on each side. */
geom_bbox tiles_query_bbox(geom_tile_id t, double margin_fraction);
/* The filter of layer l in p (NULL when none; l is one of p->layers). */
const tile_filter *tiles_layer_filter(const tile_params *p, const layer_info *l);
/* A bbox query over layer l with its filter in p; field_names (n_fields + 1 slots) receives
 * every field of l, or NULL to select none. */
void tiles_fill_query(const tile_params *p, const layer_info *l, const geom_bbox *bb,
                      store_query *q, const char **field_names);
/* The typed attributes of f on the open feature of ml. */
err_code tiles_add_props(mvt_layer *ml, const layer_info *l, const store_feature *f, err *e);
/* The points of l merged per grid cell of cell_units (scaled to the extent). */
err_code tiles_cluster_layer(store_reader *r, const tile_params *p, const layer_info *l,
                             uint32_t cell_units, buf *out, tile_stats *st, err *e);

/* An upper bound of the points of l in tile p from the cluster pyramid; false when unknown. */
bool tiles_estimate_points(store_reader *r, const tile_params *p, const layer_info *l,
                           uint64_t *out_n, err *e);

/* The cluster pyramid of point layer l with the zoom range every caller shares; *out_maxz is
 * its finest level. Release with pyramid_release. */
struct point_pyramid;
struct pyramid_registry;
err_code tiles_pyramid_acquire(struct pyramid_registry *reg, store_reader *r, const layer_info *l,
                               struct point_pyramid **out, int *out_maxz, err *e);

#endif
