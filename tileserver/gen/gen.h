/* gen.h — generalisation: what a map of a catalog layer at a zoom shows.
 *
 * One module decides it for both encoders, the vector tiles (tiles/) and the raster renderer
 * (render/), so the two cannot drift apart:
 *   - dropping: below a layer's maxzoom, polygons and lines under one pixel of a 256-px tile on
 *     both axes are not shown (gen_drops_small, gen_below_pixel), save the cells of an
 *     aggregate layer, each a published count;
 *   - clustering: dense point layers are merged per cell of a global pixel grid below
 *     gen_cluster_below, read from a per-version pyramid (gen/pyramid.h, gen_clusters_in_box);
 *   - ranked lines: line layers are read as the copy of the zoom (store_query.lod_zoom) and keep
 *     the vertices the zoom's tolerance keeps (geom/ranked.c);
 *   - the one simplification tolerance (gen_tolerance).
 * gen_features_each streams the features of a box that survive these rules, once for every
 * encoder: in Web Mercator metres (EPSG:3857), tile-independent, for the renderer; or projected
 * with the vector tile's own transform (lon/lat straight to tile units, then the tile pipeline),
 * because that arithmetic is what the tiles' bytes are made of: a detour through metres changes
 * the last bits of vertices before rounding. The clusters of both come from here too.
 *
 * It knows the store, predicates and geometry, never MVT, cairo or HTTP; the singles of a
 * clustered box are read by id through a predicate (query_pred_with_ids). */
#ifndef TESELAS_GEN_H
#define TESELAS_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/value.h"
#include "geom/geom.h"
#include "query/query.h"
#include "store/store.h"

enum {
  /* The reference grid of the rules: a tile of 4096 units, 256 px. */
  GEN_EXTENT = 4096,
  GEN_TILE_PX = 256,
  /* Point layers with more features than this are clustered below GEN_CLUSTER_BELOW_ZOOM. */
  GEN_CLUSTER_MIN_FEATURES = 2000,
  GEN_CLUSTER_BELOW_ZOOM = 14,
  /* Cluster cells in units of a GEN_EXTENT tile: 16 px of a 256-px tile at low zoom, 4 px when
   * a layer is too dense for its own tile at high zoom. Both divide the extent, so cells never
   * straddle a tile edge and the cells of zoom z+1 nest in those of zoom z (stable clusters). */
  GEN_CLUSTER_CELL = 256,
  GEN_CLUSTER_CELL_FINE = 64,
  /* Cells across a tile on each level of a cluster pyramid (16 px cells). */
  GEN_PYRAMID_CELLS = GEN_EXTENT / GEN_CLUSTER_CELL
};

/* ---- the rules (rules.c) ------------------------------------------------------------------ */

/* True when a map of l at zoom z shows it at all (from its minzoom on). */
bool gen_shown(const layer_info *l, uint32_t z);

/* Below which zoom a layer's points are clustered (0 = never). */
int gen_cluster_below(const layer_info *l);

/* Simplification tolerance at zoom z for layer l, in units of a tile of `extent` units: 1/8 of
 * a 256-px pixel, shrinking past the layer's maxzoom (overzoom keeps the ground tolerance of the
 * maxzoom). */
double gen_tolerance(const layer_info *l, uint32_t z, uint32_t extent);

/* The zoom whose tolerance (and ranked-line copy) a map of l at zoom z uses: z below the
 * maxzoom, then two zooms further per zoom past it (the tolerance keeps shrinking). */
int gen_lod_zoom(const layer_info *l, uint32_t z);

/* The zoom below which the small-feature rule applies to l (0: at no zoom): its maxzoom for a
 * layer of polygons or lines; 0 for points (no size to judge) and for aggregate layers (each
 * cell a published count; rules.c says why). TileJSON and the map pages tell it from here. */
int gen_small_below(const layer_info *l);

/* True when the small-feature rule applies to l at zoom z (z < gen_small_below(l)). */
bool gen_drops_small(const layer_info *l, uint32_t z);

/* True when box b is under `pixel` on both axes: b and pixel in the same units (tile units with
 * pixel = extent / GEN_TILE_PX, or metres with gen_pixel_merc). */
bool gen_below_pixel(const geom_bbox *b, double pixel);

/* One pixel of a 256-px tile of zoom z, in EPSG:3857 metres. */
double gen_pixel_merc(uint32_t z);

/* ---- clusters (clusters.c, gen/pyramid.h) --------------------------------------------------- */

/* One cell of the cluster grid. */
typedef struct gen_cluster {
  map_pt merc;       /* EPSG:3857 position, as the tile holds it (rounded to its tile unit) */
  uint32_t count;    /* points merged: 1 means the feature `id` itself, drawn with its attributes */
  int64_t id;
} gen_cluster;

struct pyramid_registry;
struct point_pyramid;

/* The clusters of point layer l at zoom z (the grid of the vector tiles below gen_cluster_below)
 * of every cell that meets the EPSG:3857 box merc; read from the layer's cluster pyramid when
 * pyramids is given (else a scan of the box). Caller frees *out with free(). Errors: ERR_DB,
 * ERR_NOMEM, ERR_LIMIT (a box of more than 4096 cells a side). */
err_code gen_clusters_in_box(store_reader *r, struct pyramid_registry *pyramids,
                             const layer_info *l, uint32_t z, const geom_bbox *merc,
                             gen_cluster **out, size_t *out_n, err *e);

/* The cluster pyramid of point layer l with the zoom range every caller shares (16 px cells from
 * the layer's minzoom to a few zooms above its last clustered one); *out_maxz is its finest
 * level. Release with pyramid_release. */
err_code gen_pyramid_acquire(struct pyramid_registry *reg, store_reader *r, const layer_info *l,
                             struct point_pyramid **out, int *out_maxz, err *e);

/* An upper bound of the unfiltered points of l in tile t from the cluster pyramid: exact while
 * the tile spans whole cells of the pyramid's finest level. false when unknown. */
bool gen_points_in_tile(struct pyramid_registry *reg, store_reader *r, const layer_info *l,
                        geom_tile_id t, uint64_t *out_n, err *e);

/* ---- the features of a map (features.c) ----------------------------------------------------- */

/* The space gen_features_each yields geometries in. */
typedef enum gen_space {
  GEN_SPACE_MERC = 0,   /* g: EPSG:3857 metres, neither clipped nor simplified (the renderer) */
  GEN_SPACE_TILE,       /* tg: the feature as the vector tile of `tile` encodes it: lon/lat
                           straight to tile units, clipped to the buffer, simplified with
                           gen_tolerance, quantized (geom_to_tile) */
  GEN_SPACE_TILE_POINTS /* g: every vertex in units of `tile`, unrounded and unclipped: the
                           positions a cluster grid bins (no small-feature rule: points) */
} gen_space;

typedef struct gen_query {
  const layer_info *layer;
  uint32_t zoom;              /* the zoom of the vector tiles this map matches (GEN_SPACE_MERC;
                                 the tile spaces use tile.z) */
  geom_bbox merc;             /* the box, EPSG:3857 metres */
  const int64_t *only;        /* sorted ids to read instead of the box (the singles of
                                 clusters), or NULL */
  size_t n_only;
  const query_pred *where;    /* the layer's filter, or NULL */
  gen_space space;
  geom_tile_id tile;          /* the tile spaces: the tile, its extent and buffer (tile units) */
  uint32_t extent, buffer;
  bool without_values;        /* positions alone (a cluster grid): no attribute is read */
  uint32_t *n_dropped;        /* when given, counts what the small-feature rule dropped */
  bool with_anchor;           /* GEN_SPACE_TILE: each feature's label anchor too (gen_feature);
                                 a feature whose piece in the tile is empty still comes then,
                                 with an empty tg, since its anchor may lie in the tile */
} gen_query;

/* A feature as a map at the zoom shows it, in the query's space: g (a ranked line with the
 * vertices its zoom keeps) or tg (GEN_SPACE_TILE), and its attributes (one per field of the
 * layer, none with without_values). Everything is valid only during the callback. */
typedef struct gen_feature {
  int64_t id;
  const value *values;
  size_t n_values;
  geom g;
  tile_geom tg;
  bool plain_point;           /* stored as a plain XY point (geom_blob_point) */
  bool has_anchor;            /* with_anchor: anchor is the label point of the whole geometry */
  map_pt anchor;              /* EPSG:3857 metres (geom_label_anchor), the same in every tile */
} gen_feature;

/* Returns ERR_OK to go on; anything else stops the stream and is returned. */
typedef err_code (*gen_feature_fn)(void *ctx, const gen_feature *f, err *e);

/* Streams the features of q that the rules keep (minzoom, small-feature drop) to fn: fetch →
 * decode → drop → project, the one loop every encoder reads through. Clustering is the caller's
 * choice (gen_cluster_below, then gen_clusters_in_box or gen_tile_grid_fill, then the singles
 * by id). Errors: ERR_DB, ERR_NOMEM, or what fn returned. */
err_code gen_features_each(store_reader *r, const gen_query *q, gen_feature_fn fn, void *ctx,
                           err *e);

/* The EPSG:3857 box of tile t grown by margin_fraction of its size on each side. */
geom_bbox gen_tile_box(geom_tile_id t, double margin_fraction);

/* ---- label points (labels.c) ------------------------------------------------------------- */

/* A map labels a large polygon once, not once per tile piece: the vector tiles of a polygon layer
 * carry a companion MVT layer named "<id>" GEN_LABELS_SUFFIX holding one point per feature, at
 * its label anchor (geom_label_anchor of the whole geometry in EPSG:3857, where the PNG renderer
 * labels it too), with the feature's id and attributes, in the one tile of each zoom that holds
 * the anchor. ':' is not allowed in a layer id (store_layer_id_valid), so the name never
 * collides with a layer. */
#define GEN_LABELS_SUFFIX ":labels"

/* True when l's vector tiles carry a label-point layer (polygon layers). */
bool gen_has_labels(const layer_info *l);

/* When name is a label-point layer's name, the length of the layer id it belongs to (name's
 * prefix); else 0. */
size_t gen_labels_of(const char *name);

/* True when tile t of the anchor's zoom is the one that holds the EPSG:3857 point anchor: the
 * tile index is computed from the point alone, so exactly one tile of a zoom answers true. */
bool gen_anchor_in_tile(map_pt anchor, geom_tile_id t);

/* ---- the cluster grid of one vector tile (grid.c) ------------------------------------------ */

/* A cell: sums of the tile coordinates of its points, their number, and its first point's id
 * (the point itself when the cell holds one). */
typedef struct gen_cell {
  double sx, sy;
  uint32_t count;
  int64_t first_id;
} gen_cell;

/* The grid of a tile: cells dividing the extent, plus one ring beyond the tile so circles near
 * an edge are drawn whole from either tile. cells[(iy + 1) * n + ix + 1] is cell (ix, iy). */
typedef struct gen_tile_grid {
  gen_cell *cells;            /* n * n, owned: gen_tile_grid_free */
  int n;                      /* cells per axis, including the ring */
  double size;                /* cell size in tile units */
} gen_tile_grid;

/* Bins the points of l (with filter where, or NULL) on the grid of tile t (extent units across)
 * whose cells are cell_units of a GEN_EXTENT tile: from the layer's pyramid when it holds them
 * (the unfiltered layer on the standard grid), else from a scan through gen_features_each.
 * Errors: ERR_NOMEM, ERR_DB. */
err_code gen_tile_grid_fill(store_reader *r, struct pyramid_registry *pyramids,
                            const layer_info *l, const query_pred *where, geom_tile_id t,
                            uint32_t extent, uint32_t cell_units, gen_tile_grid *out, err *e);
void gen_tile_grid_free(gen_tile_grid *g);

/* Where a cluster of several points is drawn along one axis: the mean of its points, kept
 * within GEN_CLUSTER_KEEP of its cell's width from the cell's middle. Two clusters of
 * neighbouring cells are then at least (1 - 2 * GEN_CLUSTER_KEEP) of a cell apart (12 px of
 * 16 px cells): their counts no longer print over each other ("2" and "3" read "23" when the
 * means of two cells lay 1.5 px apart across their shared edge). A cluster moves at most 6 px
 * from its mean, less than its own circle's radius. lo: the cell's low edge, same units. */
#define GEN_CLUSTER_KEEP 0.125
double gen_cluster_axis(double mean, double lo, double size);

#endif
