/* features.c — the features of a box as a map at a zoom shows them, in Web Mercator metres:
 * bbox (or id) query → decode → drop what the rules drop (below minzoom; sub-pixel polygons and
 * lines below the layer's maxzoom) → project to EPSG:3857. Line layers come as the vector tiles
 * of the zoom have them: the store reads the zoom's copy (store_query.lod_zoom) and a ranked line
 * keeps the vertices the zoom's tolerance keeps. Clipping, simplification and encoding are the
 * encoder's (render/features.c draws in device pixels).
 *
 * Memory: one scratch arena, reset per feature; what a callback keeps it copies. */
#include <stdlib.h>

#include "gen/gen.h"

/* A decoded geometry and the space of its points: lon/lat (a SpatiaLite blob), or world
 * coordinates (a line layer's ranked line, geom/ranked.c: 0..1 across the Mercator square). */
typedef struct src_geom {
  geom g;
  bool world;
  geom_bbox whole; /* world: the bbox of the whole line, as the vector tiles judge it */
} src_geom;

static map_pt to_merc(const src_geom *s, map_pt p) {
  if (!s->world) return geom_lonlat_to_merc(p);
  return (map_pt){p.x * 2 * GEOM_MERC_HALF - GEOM_MERC_HALF,
                  GEOM_MERC_HALF - p.y * 2 * GEOM_MERC_HALF};
}

/* Decodes f's geometry. A ranked line comes with the vertices the vector tile of zoom z keeps,
 * in world coordinates. */
static bool decode(const store_feature *f, uint32_t z, arena *a, src_geom *out) {
  out->world = geom_is_ranked(f->blob, f->blob_len);
  out->whole = (geom_bbox){0, 0, 0, 0};
  if (!out->world) return geom_blob_decode(f->blob, f->blob_len, a, &out->g, NULL, NULL) == ERR_OK;
  geom_tile_opts world = {.tile = {0, 0, 0}, .srs = GEOM_SRS_LONLAT, .extent = 1, .buffer = 0,
                          .tolerance = geom_tile_tolerance_world((int)z)};
  return geom_ranked_project(f->blob, f->blob_len, &world, a, &out->g, &out->whole, NULL) == ERR_OK;
}

/* The small-feature rule (gen_drops_small, gen_below_pixel) judged in metres. */
static bool dropped(const layer_info *l, const src_geom *s, uint32_t z) {
  if (!gen_drops_small(l, z)) return false;
  geom_bbox b = s->whole;
  if (!s->world && !geom_bbox_compute(&s->g, &b)) return true;
  map_pt lo = to_merc(s, (map_pt){b.min_x, b.min_y}), hi = to_merc(s, (map_pt){b.max_x, b.max_y});
  return gen_below_pixel(&(geom_bbox){lo.x, lo.y, hi.x, hi.y}, gen_pixel_merc(z));
}

/* s projected to EPSG:3857 into arena a; offsets are shared. */
static bool project(const src_geom *s, arena *a, geom *out) {
  const geom *g = &s->g;
  *out = *g;
  out->pts = arena_alloc(a, (g->n_pts ? g->n_pts : 1) * sizeof *out->pts);
  if (!out->pts) return false;
  for (uint32_t i = 0; i < g->n_pts; i++) out->pts[i] = to_merc(s, g->pts[i]);
  return true;
}

static int cmp_id(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static void fill_query(const gen_query *gq, geom_bbox *ll, const char **names, store_query *q) {
  const layer_info *l = gq->layer;
  map_pt lo = geom_merc_to_lonlat((map_pt){gq->merc.min_x, gq->merc.min_y});
  map_pt hi = geom_merc_to_lonlat((map_pt){gq->merc.max_x, gq->merc.max_y});
  *ll = (geom_bbox){lo.x, lo.y, hi.x, hi.y};
  for (size_t i = 0; i < l->n_fields; i++) names[i] = l->fields[i].name;
  /* lod_zoom: line layers come as the vector tiles of that zoom have them (ranked lines; in
   * versions written before those, lighter copies within 1/16 of a 256-px pixel) */
  *q = (store_query){.layer = l, .bbox = &ll->min_x, .fields = names, .n_fields = l->n_fields,
                     .with_geometry = true, .limit = -1, .after_id = INT64_MIN,
                     .lod_zoom = (int)gq->zoom};
}

/* One feature read: decoded, judged, projected and handed to fn. */
static err_code one(const gen_query *gq, const store_feature *f, arena *scratch, gen_feature_fn fn,
                    void *ctx, err *e) {
  if (gq->only && !bsearch(&f->id, gq->only, gq->n_only, sizeof *gq->only, cmp_id)) return ERR_OK;
  src_geom g;
  arena_reset(scratch);
  if (!decode(f, gq->zoom, scratch, &g)) return ERR_OK;
  if (dropped(gq->layer, &g, gq->zoom)) return ERR_OK;
  gen_feature out = {.id = f->id, .values = f->values, .n_values = f->n_values};
  if (!project(&g, scratch, &out.g)) return err_set(e, ERR_NOMEM, "out of memory");
  return fn(ctx, &out, e);
}

err_code gen_features_each(store_reader *r, const gen_query *gq, gen_feature_fn fn, void *ctx,
                           err *e) {
  const layer_info *l = gq->layer;
  if (!gen_shown(l, gq->zoom)) return ERR_OK;
  const char *names[l->n_fields + 1];
  geom_bbox ll;
  store_query q;
  fill_query(gq, &ll, names, &q);
  query_with_ids by_id;
  if (gq->only) { /* by id: the few singles of a clustered box, not every point of it */
    q.bbox = NULL;
    q.where = query_pred_with_ids(&by_id, NULL, gq->only, gq->n_only);
  }
  store_iter *it = NULL;
  arena *scratch = arena_create(0);
  err_code rc = scratch ? store_query_start(r, &q, &it, e) : err_set(e, ERR_NOMEM, "out of memory");
  store_feature f;
  int step = 0;
  while (rc == ERR_OK && (step = store_iter_next(it, &f, e)) == 1)
    rc = one(gq, &f, scratch, fn, ctx, e);
  if (step < 0 && rc == ERR_OK) rc = store_iter_error(it, e);
  store_iter_close(it);
  arena_destroy(scratch);
  return rc;
}
