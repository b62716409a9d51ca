/* cluster.c — a dense point layer written as clusters: the cells of gen's grid of the tile
 * (gen_tile_grid_fill: the one clustering source, shared with the renderer's). A cell with one
 * point is written as that feature, with its id and attributes; a cell with several is written
 * at the mean of its points, kept near the cell's middle (gen_cluster_axis), with `point_count`
 * and `cluster: true`. */
#include <math.h>
#include <stdlib.h>

#include "gen/gen.h"
#include "tiles/tiles_int.h"

static bool in_buffered_tile(const tile_params *p, tile_pt t) {
  int32_t lo = -(int32_t)p->buffer, hi = (int32_t)(p->extent + p->buffer);
  return t.x >= lo && t.y >= lo && t.x <= hi && t.y <= hi;
}

static tile_pt cell_center(const gen_cell *c) {
  return (tile_pt){(int32_t)lround(c->sx / c->count), (int32_t)lround(c->sy / c->count)};
}

/* Where cell i of g (several points) is drawn: its mean kept near the cell's middle. */
static tile_pt cluster_point(const gen_tile_grid *g, int i) {
  const gen_cell *c = &g->cells[i];
  double lox = (i % g->n - 1) * g->size, loy = (i / g->n - 1) * g->size;
  return (tile_pt){(int32_t)lround(gen_cluster_axis(c->sx / c->count, lox, g->size)),
                   (int32_t)lround(gen_cluster_axis(c->sy / c->count, loy, g->size))};
}

static err_code write_point(mvt_layer *ml, tile_pt pt, bool has_id, uint64_t id, err *e) {
  uint32_t part_end = 1;
  tile_geom tg = {.type = GEOM_POINT, .pts = &pt, .part_end = &part_end, .n_pts = 1,
                  .n_parts = 1};
  err_code rc = mvt_layer_feature_begin(ml, has_id, id, e);
  if (rc == ERR_OK) rc = mvt_layer_feature_geom(ml, &tg, e);
  return rc;
}

static err_code write_clusters(const tile_params *p, const gen_tile_grid *g, mvt_layer *ml,
                               tile_stats *st, err *e) {
  err_code rc = ERR_OK;
  for (int i = 0; i < g->n * g->n && rc == ERR_OK; i++) {
    const gen_cell *c = &g->cells[i];
    if (c->count < 2) continue;
    tile_pt pt = cluster_point(g, i);
    if (!in_buffered_tile(p, pt)) continue;
    /* no id: a cluster is no feature of the layer */
    rc = write_point(ml, pt, false, 0, e);
    value n = {.kind = VALUE_INT, .i = c->count}, yes = {.kind = VALUE_BOOL, .i = 1};
    if (rc == ERR_OK) rc = mvt_layer_feature_prop(ml, "cluster", &yes, e);
    if (rc == ERR_OK) rc = mvt_layer_feature_prop(ml, "point_count", &n, e);
    if (rc == ERR_OK) rc = mvt_layer_feature_end(ml, NULL, e);
    st->n_clusters++;
  }
  return rc;
}

typedef struct single_ctx {
  mvt_layer *ml;
  const layer_info *l;
} single_ctx;

/* A single point at its own position, rounded to the tile unit (a cell holds a plain point). */
static err_code add_single(void *ctx, const gen_feature *f, err *e) {
  single_ctx *c = ctx;
  if (!f->plain_point) return ERR_OK;
  map_pt t = f->g.pts[0];
  err_code rc = write_point(c->ml, (tile_pt){(int32_t)lround(t.x), (int32_t)lround(t.y)}, true,
                            (uint64_t)f->id, e);
  if (rc == ERR_OK) rc = tiles_add_props(c->ml, c->l, f, e);
  if (rc == ERR_OK) rc = mvt_layer_feature_end(c->ml, NULL, e);
  return rc;
}

static int cmp_id(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* Cells with one point are written with the point's own attributes: read by id in one query,
 * through the layer's filter (the store passes the list as one value, so its statement is
 * reused from tile to tile; rows come by id whatever the list's order). */
static err_code write_singles(store_reader *r, const tile_params *p, const layer_info *l,
                              const gen_tile_grid *g, mvt_layer *ml, err *e) {
  size_t n = 0;
  int64_t *ids = malloc(((size_t)g->n * (size_t)g->n + 1) * sizeof *ids);
  if (!ids) return err_set(e, ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < (size_t)g->n * (size_t)g->n; i++) {
    const gen_cell *c = &g->cells[i];
    if (c->count == 1 && in_buffered_tile(p, cell_center(c))) ids[n++] = c->first_id;
  }
  err_code rc = ERR_OK;
  if (n > 0) {
    qsort(ids, n, sizeof *ids, cmp_id);
    gen_query q = {.layer = l, .only = ids, .n_only = n, .where = tiles_layer_filter(p, l),
                   .space = GEN_SPACE_TILE_POINTS, .tile = p->tile, .extent = p->extent,
                   .buffer = p->buffer};
    single_ctx c = {ml, l};
    rc = gen_features_each(r, &q, add_single, &c, e);
  }
  free(ids);
  return rc;
}

err_code tiles_cluster_layer(store_reader *r, const tile_params *p, const layer_info *l,
                             uint32_t cell_units, buf *out, tile_stats *st, err *e) {
  gen_tile_grid g;
  mvt_layer *ml = NULL;
  err_code rc = gen_tile_grid_fill(r, p->pyramids, l, tiles_layer_filter(p, l), p->tile,
                                   p->extent, cell_units, &g, e);
  if (rc == ERR_OK) rc = mvt_layer_create(l->id, p->extent, TILES_BYTE_LIMIT, &ml, e);
  if (rc == ERR_OK) rc = write_clusters(p, &g, ml, st, e);
  if (rc == ERR_OK) rc = write_singles(r, p, l, &g, ml, e);
  if (rc == ERR_OK) {
    st->n_features += mvt_layer_feature_count(ml);
    rc = mvt_layer_finish(ml, out, e);
  }
  mvt_layer_destroy(ml);
  gen_tile_grid_free(&g);
  return rc;
}
