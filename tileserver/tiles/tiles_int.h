/* tiles_int.h — shared by the files of tiles/; not part of its interface. */
#ifndef TESELAS_TILES_INT_H
#define TESELAS_TILES_INT_H

#include "gen/gen.h"
#include "mvt/mvt.h"
#include "tiles/tiles.h"

/* The filter of layer l in p (NULL when none; l is one of p->layers). */
const query_pred *tiles_layer_filter(const tile_params *p, const layer_info *l);
/* The typed attributes of f on the open feature of ml. */
err_code tiles_add_props(mvt_layer *ml, const layer_info *l, const gen_feature *f, err *e);
/* The points of l merged per grid cell of cell_units (scaled to the extent). */
err_code tiles_cluster_layer(store_reader *r, const tile_params *p, const layer_info *l,
                             uint32_t cell_units, buf *out, tile_stats *st, err *e);

#endif
