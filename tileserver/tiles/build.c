/* build.c — one vector tile from the catalog's layers: for each layer, the features of the
 * buffered tile bbox go through geom_to_tile and into an mvt_layer. What the tile shows (the
 * small-feature drop, clustering, the tolerance, the ranked lines' copy) is decided by gen/; point
 * layers that are dense for the zoom go to cluster.c.
 *
 * Memory: one scratch arena, reset per feature, so a tile of 100,000 polygons needs the memory
 * of its largest polygon, not of all of them; the encoder's own buffers are bounded by
 * TILES_BYTE_LIMIT. */
#include <math.h>
#include <string.h>

#include "gen/gen.h"
#include "mvt/mvt.h"
#include "tiles/tiles.h"
#include "tiles/tiles_int.h"

geom_bbox tiles_query_bbox(geom_tile_id t, double margin_fraction) {
  geom_bbox m = geom_tile_bounds_merc(t);
  double dx = (m.max_x - m.min_x) * margin_fraction, dy = (m.max_y - m.min_y) * margin_fraction;
  map_pt lo = geom_merc_to_lonlat((map_pt){m.min_x - dx, m.min_y - dy});
  map_pt hi = geom_merc_to_lonlat((map_pt){m.max_x + dx, m.max_y + dy});
  return (geom_bbox){lo.x, lo.y, hi.x, hi.y};
}

/* True when g would cover less than one pixel of a 256-px tile at this zoom (gen_below_pixel,
 * judged in tile units). */
static bool smaller_than_pixel(const geom *g, const geom_tile_opts *o) {
  geom_bbox b;
  if (!geom_bbox_compute(g, &b)) return true;
  map_pt lo = geom_lonlat_to_tile((map_pt){b.min_x, b.min_y}, o->tile, o->extent);
  map_pt hi = geom_lonlat_to_tile((map_pt){b.max_x, b.max_y}, o->tile, o->extent);
  return gen_below_pixel(&(geom_bbox){lo.x, lo.y, hi.x, hi.y}, (double)o->extent / GEN_TILE_PX);
}

/* f's geometry in the tile: false when it has nothing there (*out_small when it was dropped for
 * being smaller than a pixel). A ranked line (line layers stored for tiles) comes projected and
 * simplified already; anything else is a SpatiaLite blob for the whole pipeline. */
static bool feature_to_tile(const store_feature *f, const geom_tile_opts *o, bool drop_small,
                            arena *a, tile_geom *out, bool *out_small) {
  geom g;
  if (geom_is_ranked(f->blob, f->blob_len)) {
    geom_bbox px;
    if (geom_ranked_project(f->blob, f->blob_len, o, a, &g, &px, NULL) != ERR_OK) return false;
    if (drop_small && gen_below_pixel(&px, (double)o->extent / GEN_TILE_PX)) return (*out_small = true, false);
    return geom_projected_to_tile(&g, o, a, out, NULL) == ERR_OK && out->n_pts > 0;
  }
  if (geom_blob_decode(f->blob, f->blob_len, a, &g, NULL, NULL) != ERR_OK) return false;
  if (drop_small && smaller_than_pixel(&g, o)) return (*out_small = true, false);
  return geom_to_tile(&g, o, a, out, NULL) == ERR_OK && out->n_pts > 0;
}

/* A box that any feature smaller than a pixel (smaller_than_pixel) fits in, whatever its place in
 * the query box qb: one pixel of longitude, and of latitude where the Mercator pixel is shortest
 * (the edge farthest from the equator), with 1 % to spare; rounded down to powers of two so the
 * SQL text, which carries them, takes few forms. The exact test still runs on what is read. */
static void subpixel_box(const geom_bbox *qb, uint32_t z, double out[2]) {
  double px = 360.0 / ldexp(256.0, (int)z);
  double lat = fmax(fabs(qb->min_y), fabs(qb->max_y));
  double dlat = px * cos(lat * M_PI / 180.0) * 0.99;
  out[0] = ldexp(1.0, (int)floor(log2(px)));
  out[1] = dlat > 0 ? ldexp(1.0, (int)floor(log2(dlat))) : 0;
}

const tile_filter *tiles_layer_filter(const tile_params *p, const layer_info *l) {
  for (size_t i = 0; i < p->n_layers; i++)
    if (p->layers[i] == l) return p->filters[i];
  return NULL;
}

void tiles_fill_query(const tile_params *p, const layer_info *l, const geom_bbox *bb,
                      store_query *q, const char **field_names) {
  memset(q, 0, sizeof *q);
  q->layer = l;
  q->bbox = bb ? &bb->min_x : NULL;
  q->with_geometry = true;
  q->limit = -1;
  q->after_id = INT64_MIN;
  if (field_names) {
    for (size_t i = 0; i < l->n_fields; i++) field_names[i] = l->fields[i].name;
    q->fields = field_names;
    q->n_fields = l->n_fields;
  }
  const tile_filter *f = tiles_layer_filter(p, l);
  if (f) q->where = f->where;
}

err_code tiles_add_props(mvt_layer *ml, const layer_info *l, const store_feature *f, err *e) {
  for (size_t i = 0; i < f->n_values; i++) {
    err_code rc = mvt_layer_feature_prop(ml, l->fields[i].name, &f->values[i], e);
    if (rc == ERR_NOMEM || rc == ERR_LIMIT) return rc;
  }
  return ERR_OK;
}

/* Every feature as it is. Returns ERR_LIMIT with *out_over_budget when a point layer turns out
 * too dense for one tile (the caller clusters it instead). */
static err_code raw_layer(store_reader *r, const tile_params *p, const layer_info *l, buf *out,
                          tile_stats *st, bool *out_over_budget, err *e) {
  bool points = strcmp(l->geometry_type, "Point") == 0;
  geom_tile_opts o = {.tile = p->tile, .srs = GEOM_SRS_LONLAT, .extent = p->extent,
                      .buffer = p->buffer, .tolerance = gen_tolerance(l, p->tile.z, p->extent)};
  bool drop_small = gen_drops_small(l, p->tile.z);
  geom_bbox bb = tiles_query_bbox(p->tile, (double)p->buffer / p->extent);
  const char *names[l->n_fields + 1];
  store_query q;
  tiles_fill_query(p, l, &bb, &q, names);
  if (drop_small) subpixel_box(&bb, p->tile.z, q.min_box);
  q.lod_zoom = gen_lod_zoom(l, p->tile.z);
  q.any_order = true;
  mvt_layer *ml = NULL;
  store_iter *it = NULL;
  arena *scratch = arena_create(0);
  uint32_t dropped = 0;
  err_code rc = scratch ? mvt_layer_create(l->id, p->extent, TILES_BYTE_LIMIT, &ml, e)
                        : err_set(e, ERR_NOMEM, "out of memory");
  if (rc == ERR_OK) rc = store_query_start(r, &q, &it, e);
  store_feature f;
  int step = 0;
  while (rc == ERR_OK && (step = store_iter_next(it, &f, e)) == 1) {
    arena_reset(scratch);
    tile_geom tg;
    bool small = false;
    if (!feature_to_tile(&f, &o, drop_small, scratch, &tg, &small)) {
      dropped += small;
      continue;
    }
    if ((rc = mvt_layer_feature_begin(ml, true, (uint64_t)f.id, e)) != ERR_OK) break;
    if ((rc = mvt_layer_feature_geom(ml, &tg, e)) != ERR_OK && rc != ERR_INVALID) break;
    if ((rc = tiles_add_props(ml, l, &f, e)) != ERR_OK) break;
    rc = mvt_layer_feature_end(ml, NULL, e);
    if (points && mvt_layer_feature_count(ml) > TILES_POINT_BUDGET) {
      *out_over_budget = true;
      rc = ERR_LIMIT;
    }
  }
  if (step < 0 && rc == ERR_OK) rc = store_iter_error(it, e);
  store_iter_close(it);
  if (rc == ERR_OK) {
    st->n_features += mvt_layer_feature_count(ml);
    st->n_dropped += dropped;
    rc = mvt_layer_finish(ml, out, e);
  }
  mvt_layer_destroy(ml);
  arena_destroy(scratch);
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
