/* tiles_int.h — shared by the files of tiles/; not part of its interface. */
#ifndef TESELAS_TILES_INT_H
#define TESELAS_TILES_INT_H

#include "mvt/mvt.h"
#include "tiles/tiles.h"

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

#endif
