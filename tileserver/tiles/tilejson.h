/* tilejson.h — metadata documents for vector tiles: TileJSON 3.0.0 and the OGC API - Tiles
 * tileset metadata. Built with jansson; the caller owns the returned json_t (json_decref). */
#ifndef TESELAS_TILES_TILEJSON_H
#define TESELAS_TILES_TILEJSON_H

#include <jansson.h>

#include "store/store.h"

/* TileJSON for one or several layers. base_url without a trailing slash; ids_path is the
 * comma list as it appears in URLs; filter_query, when not NULL or "", is the tiles' filter as
 * URL query arguments, already percent-encoded ("tipo=robo&datetime=2025-01-01%2F.."), which every
 * tile URL carries after the layer versions, so a map source of this TileJSON is filtered. */
json_t *tiles_tilejson(const layer_info *const *layers, size_t n_layers, const char *ids_path,
                       const char *filter_query, const char *base_url);

/* OGC API - Tiles: the list of tilesets of a collection, and the WebMercatorQuad tileset. */
json_t *tiles_ogc_tilesets(const layer_info *l, const char *base_url);
json_t *tiles_ogc_tileset(const layer_info *l, const char *base_url);

/* "Public/licence — publisher" for attribution lines. Caller frees. */
char *tiles_attribution(const layer_info *const *layers, size_t n_layers);

#endif
