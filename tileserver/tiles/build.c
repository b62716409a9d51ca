/* build.c — one vector tile from the catalog's layers: for each layer, gen/ streams the features
 * of the buffered tile in the tile's own units (GEN_SPACE_TILE: read, decoded, judged by the
 * rules, projected and clipped once for every encoder) and they go into an mvt_layer. Point
 * layers that are dense for the zoom go to cluster.c. A polygon layer's label points (gen.h,
 * GEN_LABELS_SUFFIX) follow it as a layer of their own, each in the one tile holding it, with
 * the feature's id and its label field alone (layer_label_field): a label needs nothing else,
 * and repeating every attribute made tiles of small dense polygons 29-44 % bigger
 * (bench/tiles/label_bytes.py).
 *
 * Memory: gen's scratch arena, reset per feature, so a tile of 100,000 polygons needs the memory
 * of its largest polygon, not of all of them; the encoder's own buffers are bounded by
 * TILES_BYTE_LIMIT. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gen/gen.h"
#include "mvt/mvt.h"
#include "tiles/tiles.h"
#include "tiles/tiles_int.h"

const query_pred *tiles_layer_filter(const tile_params *p, const layer_info *l) {
  for (size_t i = 0; i < p->n_layers; i++)
    if (p->layers[i] == l) return p->filters[i] ? p->filters[i]->where : NULL;
  return NULL;
}

err_code tiles_add_props(mvt_layer *ml, const layer_info *l, const gen_feature *f, err *e) {
  for (size_t i = 0; i < f->n_values; i++) {
    err_code rc = mvt_layer_feature_prop(ml, l->fields[i].name, &f->values[i], e);
    if (rc == ERR_NOMEM || rc == ERR_LIMIT) return rc;
  }
  return ERR_OK;
}

typedef struct raw_ctx {
  mvt_layer *ml;
  mvt_layer *labels;  /* the label points, or NULL */
  const layer_info *l;
  const layer_field *label_field; /* the one attribute of a label point, or NULL */
  geom_tile_id tile;
  uint32_t extent;
  bool points;
  bool over_budget;
} raw_ctx;

/* f's label point, with its id and label field, when its anchor lies in this tile. */
static err_code add_label(raw_ctx *c, const gen_feature *f, err *e) {
  if (!f->has_anchor || !gen_anchor_in_tile(f->anchor, c->tile)) return ERR_OK;
  map_pt t = geom_merc_to_tile(f->anchor, c->tile, c->extent);
  tile_pt pt = {(int32_t)lround(t.x), (int32_t)lround(t.y)};
  uint32_t end = 1;
  tile_geom g = {.type = GEOM_POINT, .pts = &pt, .part_end = &end, .n_pts = 1, .n_parts = 1};
  err_code rc = mvt_layer_feature_begin(c->labels, true, (uint64_t)f->id, e);
  if (rc == ERR_OK) rc = mvt_layer_feature_geom(c->labels, &g, e);
  size_t k = c->label_field ? (size_t)(c->label_field - c->l->fields) : f->n_values;
  if (rc == ERR_OK && k < f->n_values) {
    rc = mvt_layer_feature_prop(c->labels, c->l->fields[k].name, &f->values[k], e);
    if (rc != ERR_NOMEM && rc != ERR_LIMIT) rc = ERR_OK; /* as tiles_add_props: a null is left out */
  }
  if (rc == ERR_OK) rc = mvt_layer_feature_end(c->labels, NULL, e);
  return rc;
}

static err_code add_feature(void *ctx, const gen_feature *f, err *e) {
  raw_ctx *c = ctx;
  err_code rc;
  if (c->labels && (rc = add_label(c, f, e)) != ERR_OK) return rc;
  if (f->tg.n_pts == 0) return ERR_OK; /* its anchor only: the piece here is empty */
  if ((rc = mvt_layer_feature_begin(c->ml, true, (uint64_t)f->id, e)) != ERR_OK) return rc;
  if ((rc = mvt_layer_feature_geom(c->ml, &f->tg, e)) != ERR_OK && rc != ERR_INVALID) return rc;
  if ((rc = tiles_add_props(c->ml, c->l, f, e)) != ERR_OK) return rc;
  if ((rc = mvt_layer_feature_end(c->ml, NULL, e)) != ERR_OK) return rc;
  if (c->points && mvt_layer_feature_count(c->ml) > TILES_POINT_BUDGET) {
    c->over_budget = true;
    return ERR_LIMIT;
  }
  return ERR_OK;
}

/* Every feature as gen/ yields it. Returns ERR_LIMIT with *out_over_budget when a point layer
 * turns out too dense for one tile (the caller clusters it instead). */
static err_code raw_layer(store_reader *r, const tile_params *p, const layer_info *l, buf *out,
                          tile_stats *st, bool *out_over_budget, err *e) {
  uint32_t dropped = 0;
  bool labels = gen_has_labels(l);
  gen_query q = {.layer = l, .merc = gen_tile_box(p->tile, (double)p->buffer / p->extent),
                 .where = tiles_layer_filter(p, l), .space = GEN_SPACE_TILE, .tile = p->tile,
                 .extent = p->extent, .buffer = p->buffer, .n_dropped = &dropped,
                 .with_anchor = labels};
  raw_ctx c = {.l = l, .tile = p->tile, .extent = p->extent,
               .label_field = labels ? layer_label_field(l) : NULL,
               .points = strcmp(l->geometry_type, "Point") == 0};
  char name[80];
  snprintf(name, sizeof name, "%s%s", l->id, GEN_LABELS_SUFFIX);
  err_code rc = mvt_layer_create(l->id, p->extent, TILES_BYTE_LIMIT, &c.ml, e);
  if (rc == ERR_OK && labels) rc = mvt_layer_create(name, p->extent, TILES_BYTE_LIMIT, &c.labels, e);
  if (rc == ERR_OK) rc = gen_features_each(r, &q, add_feature, &c, e);
  *out_over_budget = c.over_budget;
  if (rc == ERR_OK) {
    st->n_features += mvt_layer_feature_count(c.ml);
    st->n_dropped += dropped;
    rc = mvt_layer_finish(c.ml, out, e);
  }
  if (rc == ERR_OK && c.labels) rc = mvt_layer_finish(c.labels, out, e);
  mvt_layer_destroy(c.labels);
  mvt_layer_destroy(c.ml);
  return rc;
}

err_code tiles_build(store_reader *r, const tile_params *params, buf *out, tile_stats *out_stats,
                     err *e) {
  tile_params p = *params;
  if (!p.extent) p.extent = TILES_EXTENT;
  tile_stats st = {0};
  for (size_t i = 0; i < p.n_layers; i++) {
    const layer_info *l = p.layers[i];
    if ((int)p.tile.z < l->minzoom) continue;
    err_code rc;
    if ((int)p.tile.z < gen_cluster_below(l)) {
      rc = tiles_cluster_layer(r, &p, l, GEN_CLUSTER_CELL, out, &st, e);
    } else {
      uint64_t estimate = 0;
      /* the pyramid counts the unfiltered layer */
      bool over_budget = !tiles_layer_filter(&p, l) &&
                         gen_points_in_tile(p.pyramids, r, l, p.tile, &estimate, e) &&
                         estimate > TILES_POINT_BUDGET;
      if (over_budget) {
        rc = tiles_cluster_layer(r, &p, l, GEN_CLUSTER_CELL_FINE, out, &st, e);
        if (rc != ERR_OK) return rc;
        continue;
      }
      rc = raw_layer(r, &p, l, out, &st, &over_budget, e);
      if (over_budget) rc = tiles_cluster_layer(r, &p, l, GEN_CLUSTER_CELL_FINE, out, &st, e);
    }
    if (rc != ERR_OK) return rc;
  }
  if (out_stats) *out_stats = st;
  return ERR_OK;
}
