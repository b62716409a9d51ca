/* features.c — the features of a box as a map at a zoom shows them: bbox (or id) query → decode
 * → drop what the rules drop (below minzoom; sub-pixel polygons and lines below the layer's
 * maxzoom, gen_drops_small: never an aggregate's cells) → project, into the space the encoder
 * asks for (gen_space):
 *   - metres (the renderer clips and simplifies in device pixels);
 *   - the vector tile's units through geom_to_tile, lon/lat straight to tile units, since that
 *     arithmetic is what the tiles' bytes are made of (through metres, the last bits of vertices
 *     change before rounding), judged small in tile units for the same reason;
 *   - the tile's units unrounded, for the points a cluster grid bins.
 * Line layers come as the vector tiles of the zoom have them: the store reads the zoom's copy
 * (store_query.lod_zoom) and a ranked line keeps the vertices the zoom's tolerance keeps.
 *
 * Memory: one scratch arena, reset per feature; what a callback keeps it copies. */
#include <math.h>
#include <stdlib.h>

#include "gen/gen.h"

/* A decoded geometry and the space of its points: lon/lat (a SpatiaLite blob), or world
 * coordinates (a line layer's ranked line, geom/ranked.c: 0..1 across the Mercator square). */
typedef struct src_geom {
  geom g;
  bool world;
  geom_bbox whole; /* world: the bbox of the whole line, as the vector tiles judge it */
} src_geom;

/* One stream: the query, the tile transform of the tile spaces and the scratch arena. */
typedef struct stream {
  const gen_query *q;
  uint32_t z;          /* q->zoom, or the tile's zoom in the tile spaces */
  geom_tile_opts tile;
  bool drop_small;
  arena *scratch;
  gen_feature_fn fn;
  void *ctx;
} stream;

geom_bbox gen_tile_box(geom_tile_id t, double margin_fraction) {
  geom_bbox m = geom_tile_bounds_merc(t);
  double dx = (m.max_x - m.min_x) * margin_fraction, dy = (m.max_y - m.min_y) * margin_fraction;
  return (geom_bbox){m.min_x - dx, m.min_y - dy, m.max_x + dx, m.max_y + dy};
}

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

/* The small-feature rule judged in tile units: g (lon/lat) under one pixel of a 256-px tile. */
static bool smaller_than_pixel(const geom *g, const geom_tile_opts *o) {
  geom_bbox b;
  if (!geom_bbox_compute(g, &b)) return true;
  map_pt lo = geom_lonlat_to_tile((map_pt){b.min_x, b.min_y}, o->tile, o->extent);
  map_pt hi = geom_lonlat_to_tile((map_pt){b.max_x, b.max_y}, o->tile, o->extent);
  return gen_below_pixel(&(geom_bbox){lo.x, lo.y, hi.x, hi.y}, (double)o->extent / GEN_TILE_PX);
}

/* The label anchor of lon/lat geometry g, found in EPSG:3857 as the renderer finds it. */
static void anchor_of(const geom *g, arena *a, gen_feature *out) {
  src_geom s = {.g = *g};
  geom merc;
  out->has_anchor = project(&s, a, &merc) && geom_label_anchor(&merc, &out->anchor);
}

/* f's geometry in the tile (out->tg) and, when with_anchor, its label anchor: false when it has
 * nothing there (*out_small when it was dropped for being smaller than a pixel). A ranked line
 * comes projected and simplified already; anything else is a SpatiaLite blob for the whole
 * pipeline. */
static bool to_tile(const store_feature *f, const stream *s, gen_feature *out, bool *out_small) {
  geom g;
  const geom_tile_opts *o = &s->tile;
  arena *a = s->scratch;
  tile_geom *tg = &out->tg;
  double pixel = (double)o->extent / GEN_TILE_PX;
  if (geom_is_ranked(f->blob, f->blob_len)) {
    geom_bbox px;
    if (geom_ranked_project(f->blob, f->blob_len, o, a, &g, &px, NULL) != ERR_OK) return false;
    if (s->drop_small && gen_below_pixel(&px, pixel)) return (*out_small = true, false);
    return geom_projected_to_tile(&g, o, a, tg, NULL) == ERR_OK && tg->n_pts > 0;
  }
  if (geom_blob_decode(f->blob, f->blob_len, a, &g, NULL, NULL) != ERR_OK) return false;
  if (s->drop_small && smaller_than_pixel(&g, o)) return (*out_small = true, false);
  if (s->q->with_anchor) anchor_of(&g, a, out);
  if (geom_to_tile(&g, o, a, tg, NULL) != ERR_OK) return false;
  return tg->n_pts > 0 || out->has_anchor;
}

/* The positions of f's vertices in tile units (a plain point without a full decode: 1M points
 * decode 4x faster). */
static bool to_tile_points(const store_feature *f, const geom_tile_opts *o, arena *a,
                           gen_feature *out) {
  map_pt *pts;
  if (geom_blob_point(f->blob, f->blob_len, &out->g.pts[0])) {
    out->plain_point = true;
    out->g.type = GEOM_POINT;
    out->g.n_pts = out->g.n_parts = 1;
    pts = out->g.pts;
  } else if (geom_blob_decode(f->blob, f->blob_len, a, &out->g, NULL, NULL) != ERR_OK) {
    return false;
  } else {
    pts = out->g.pts;
  }
  for (uint32_t i = 0; i < out->g.n_pts; i++)
    pts[i] = geom_lonlat_to_tile(pts[i], o->tile, o->extent);
  return true;
}

/* A box that any feature smaller than a pixel fits in, whatever its place in the query box qb:
 * one pixel of longitude, and of latitude where the Mercator pixel is shortest (the edge farthest
 * from the equator), with 1 % to spare; rounded down to powers of two so the SQL text, which
 * carries them, takes few forms. The exact test still runs on what is read. */
static void subpixel_box(const geom_bbox *qb, uint32_t z, double out[2]) {
  double px = 360.0 / ldexp(256.0, (int)z);
  double lat = fmax(fabs(qb->min_y), fabs(qb->max_y));
  double dlat = px * cos(lat * M_PI / 180.0) * 0.99;
  out[0] = ldexp(1.0, (int)floor(log2(px)));
  out[1] = dlat > 0 ? ldexp(1.0, (int)floor(log2(dlat))) : 0;
}

static int cmp_id(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* The store query of gq. Per space, as each encoder has read since it was measured: the vector
 * tiles in any order (the R*Tree drives the loop) with the size index skipping sub-pixel
 * features and the zoom's level of detail; the renderer by id with the level of its zoom; the
 * cluster grids by id (a cell's first point is its smallest id) from the stored geometries. */
static void fill_query(const stream *s, geom_bbox *ll, const char **names, store_query *q) {
  const gen_query *gq = s->q;
  const layer_info *l = gq->layer;
  map_pt lo = geom_merc_to_lonlat((map_pt){gq->merc.min_x, gq->merc.min_y});
  map_pt hi = geom_merc_to_lonlat((map_pt){gq->merc.max_x, gq->merc.max_y});
  *ll = (geom_bbox){lo.x, lo.y, hi.x, hi.y};
  for (size_t i = 0; i < l->n_fields; i++) names[i] = l->fields[i].name;
  *q = (store_query){.layer = l, .bbox = &ll->min_x, .fields = gq->without_values ? NULL : names,
                     .n_fields = gq->without_values ? 0 : l->n_fields, .with_geometry = true,
                     .limit = -1, .after_id = INT64_MIN, .where = gq->where};
  if (gq->space == GEN_SPACE_MERC) {
    /* line layers come as the vector tiles of that zoom have them (ranked lines; in versions
     * written before those, lighter copies within 1/16 of a 256-px pixel) */
    q->lod_zoom = (int)s->z;
  } else if (gq->space == GEN_SPACE_TILE) {
    q->lod_zoom = gen_lod_zoom(l, s->z);
    q->any_order = true;
    if (s->drop_small) subpixel_box(ll, s->z, q->min_box);
  }
}

/* One feature read: decoded, judged, projected and handed to fn. */
static err_code one(const stream *s, const store_feature *f, err *e) {
  const gen_query *gq = s->q;
  if (gq->only && !bsearch(&f->id, gq->only, gq->n_only, sizeof *gq->only, cmp_id)) return ERR_OK;
  map_pt point;
  uint32_t point_end = 1;
  gen_feature out = {.id = f->id, .values = f->values, .n_values = f->n_values};
  arena_reset(s->scratch);
  if (gq->space == GEN_SPACE_TILE) {
    bool small = false;
    if (to_tile(f, s, &out, &small))
      return s->fn(s->ctx, &out, e);
    if (small && gq->n_dropped) (*gq->n_dropped)++;
    return ERR_OK;
  }
  if (gq->space == GEN_SPACE_TILE_POINTS) {
    out.g.pts = &point;
    out.g.part_end = &point_end;
    return to_tile_points(f, &s->tile, s->scratch, &out) ? s->fn(s->ctx, &out, e) : ERR_OK;
  }
  src_geom g;
  if (!decode(f, s->z, s->scratch, &g)) return ERR_OK;
  if (dropped(gq->layer, &g, s->z)) return ERR_OK;
  if (!project(&g, s->scratch, &out.g)) return err_set(e, ERR_NOMEM, "out of memory");
  return s->fn(s->ctx, &out, e);
}

err_code gen_features_each(store_reader *r, const gen_query *gq, gen_feature_fn fn, void *ctx,
                           err *e) {
  const layer_info *l = gq->layer;
  uint32_t z = gq->space == GEN_SPACE_MERC ? gq->zoom : gq->tile.z;
  if (!gen_shown(l, z)) return ERR_OK;
  stream s = {.q = gq, .z = z, .fn = fn, .ctx = ctx,
              .drop_small = gq->space == GEN_SPACE_TILE && gen_drops_small(l, z),
              .tile = {.tile = gq->tile, .srs = GEOM_SRS_LONLAT, .extent = gq->extent,
                       .buffer = gq->buffer, .tolerance = gen_tolerance(l, z, gq->extent)}};
  const char *names[l->n_fields + 1];
  geom_bbox ll;
  store_query q;
  fill_query(&s, &ll, names, &q);
  query_with_ids by_id;
  if (gq->only) { /* by id: the few singles of a clustered box, not every point of it */
    q.bbox = NULL;
    q.where = query_pred_with_ids(&by_id, gq->where, gq->only, gq->n_only);
  }
  store_iter *it = NULL;
  s.scratch = arena_create(0);
  err_code rc =
      s.scratch ? store_query_start(r, &q, &it, e) : err_set(e, ERR_NOMEM, "out of memory");
  store_feature f;
  int step = 0;
  while (rc == ERR_OK && (step = store_iter_next(it, &f, e)) == 1) rc = one(&s, &f, e);
  if (step < 0 && rc == ERR_OK) rc = store_iter_error(it, e);
  store_iter_close(it);
  arena_destroy(s.scratch);
  return rc;
}
