/* features.c — the features a view draws, straight from the store (no MVT round trip):
 * bbox query → decode → drop what the vector tiles drop (sub-pixel polygons and lines below the
 * layer's maxzoom) → project to device pixels → clip to the buffered view → simplify (a third
 * of a device pixel). Dense point layers come clustered exactly as the vector tiles the browser
 * shows at the same style zoom (tiles_clusters_in_box). Everything lands in the request arena. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/render_int.h"
#include "tiles/tiles.h"

#define MERC_HALF 20037508.342789244

static map_pt to_px(const rview_px *v, map_pt merc) {
  return (map_pt){(merc.x - v->min_mx) / v->res, (v->max_my - merc.y) / v->res};
}

/* A decoded geometry and the space of its points: lon/lat (a SpatiaLite blob), or world
 * coordinates (a line layer's ranked line, geom/ranked.c: 0..1 across the Mercator square). */
typedef struct src_geom {
  geom g;
  bool world;
  geom_bbox whole; /* world: the bbox of the whole line, as the vector tiles judge it */
} src_geom;

static map_pt to_merc(const src_geom *s, map_pt p) {
  if (!s->world) return geom_lonlat_to_merc(p);
  return (map_pt){p.x * 2 * MERC_HALF - MERC_HALF, MERC_HALF - p.y * 2 * MERC_HALF};
}

/* Projects s to device pixels into arena a; offsets are shared. */
static bool project(const rview_px *v, const src_geom *s, arena *a, geom *out) {
  const geom *g = &s->g;
  *out = *g;
  out->pts = arena_alloc(a, (g->n_pts ? g->n_pts : 1) * sizeof *out->pts);
  if (!out->pts) return false;
  for (uint32_t i = 0; i < g->n_pts; i++) out->pts[i] = to_px(v, to_merc(s, g->pts[i]));
  return true;
}

/* Decodes f's geometry. A ranked line comes with the vertices the vector tile of zoom vz keeps
 * (the browser draws no more), in world coordinates. */
static bool decode(const store_feature *f, uint32_t vz, arena *a, src_geom *out) {
  out->world = geom_is_ranked(f->blob, f->blob_len);
  out->whole = (geom_bbox){0, 0, 0, 0};
  if (!out->world) return geom_blob_decode(f->blob, f->blob_len, a, &out->g, NULL, NULL) == ERR_OK;
  geom_tile_opts world = {.tile = {0, 0, 0}, .srs = GEOM_SRS_LONLAT, .extent = 1, .buffer = 0,
                          .tolerance = geom_tile_tolerance_world((int)vz)};
  return geom_ranked_project(f->blob, f->blob_len, &world, a, &out->g, &out->whole, NULL) == ERR_OK;
}

/* The vector tiles drop polygons and lines under one pixel of a 256-px tile below maxzoom. */
static bool dropped_by_tiles(const layer_info *l, const src_geom *s, uint32_t vz) {
  if (s->g.type == GEOM_POINT || (int)vz >= l->maxzoom) return false;
  geom_bbox b = s->whole;
  if (!s->world && !geom_bbox_compute(&s->g, &b)) return true;
  map_pt lo = to_merc(s, (map_pt){b.min_x, b.min_y}), hi = to_merc(s, (map_pt){b.max_x, b.max_y});
  double px = 2 * MERC_HALF / ldexp(1.0, (int)vz) / 256.0;
  return fabs(hi.x - lo.x) < px && fabs(hi.y - lo.y) < px;
}

static value *copy_values(const store_feature *f, arena *a) {
  value *vals = arena_alloc(a, (f->n_values ? f->n_values : 1) * sizeof *vals);
  if (!vals) return NULL;
  for (size_t i = 0; i < f->n_values; i++) {
    vals[i] = f->values[i];
    if (vals[i].kind == VALUE_TEXT) {
      char *s = arena_strndup(a, vals[i].s, vals[i].len);
      if (!s) return NULL;
      vals[i].s = s;
    }
  }
  return vals;
}

typedef struct sink {
  rfeatures *out;
  size_t cap;
  arena *a;
} sink;

static rgeom *sink_next(sink *s) {
  if (s->out->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    rgeom *n = arena_realloc(s->a, s->out->items, s->cap * sizeof *n, cap * sizeof *n);
    if (!n) return NULL;
    s->out->items = n;
    s->cap = cap;
  }
  rgeom *g = &s->out->items[s->out->n];
  memset(g, 0, sizeof *g);
  return g;
}

/* Projects, labels, clips and simplifies one decoded geometry into the next item. */
static err_code add_geom(sink *s, const rview_px *v, const src_geom *g, bool with_labels,
                         rgeom **out) {
  geom px, clipped, simple;
  *out = NULL;
  if (!project(v, g, s->a, &px)) return ERR_NOMEM;
  geom_bbox rect = {-v->buffer, -v->buffer, v->width + v->buffer, v->height + v->buffer};
  if (geom_clip_rect(&px, rect, s->a, &clipped, NULL) != ERR_OK) return ERR_NOMEM;
  if (clipped.n_pts == 0) return ERR_OK;
  if (geom_simplify(&clipped, 0.33, s->a, &simple, NULL) != ERR_OK) return ERR_NOMEM;
  if (simple.n_pts == 0) return ERR_OK;
  rgeom *r = sink_next(s);
  if (!r) return ERR_NOMEM;
  r->g = simple;
  r->has_label = with_labels && render_label_anchor(&px, &r->label);
  *out = r;
  return ERR_OK;
}

static int cmp_id(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static void fill_query(const layer_info *l, const rview_px *v, geom_bbox *ll, const char **names,
                       store_query *q) {
  map_pt lo = geom_merc_to_lonlat((map_pt){v->merc_buffered.min_x, v->merc_buffered.min_y});
  map_pt hi = geom_merc_to_lonlat((map_pt){v->merc_buffered.max_x, v->merc_buffered.max_y});
  *ll = (geom_bbox){lo.x, lo.y, hi.x, hi.y};
  for (size_t i = 0; i < l->n_fields; i++) names[i] = l->fields[i].name;
  /* lod_zoom: line layers come as the vector tiles of that zoom have them (ranked lines; in
   * versions written before those, lighter copies within 1/16 of a 256-px pixel) */
  *q = (store_query){.layer = l, .bbox = &ll->min_x, .fields = names, .n_fields = l->n_fields,
                     .with_geometry = true, .limit = -1, .after_id = INT64_MIN,
                     .lod_zoom = (int)v->vector_zoom};
}

/* Every feature of the buffered view; with a sorted id list (singles of a clustered layer), only
 * those, fetched by id: a z12 tile over the city holds ~20,000 incidents but a few hundred
 * singles, so reading them by id rather than scanning the box made the tile 10x faster. */
static err_code fetch_raw(store_reader *r, const layer_info *l, const rview_px *v,
                          bool with_labels, const int64_t *only, size_t n_only, sink *s, err *e) {
  const char *names[l->n_fields + 1];
  geom_bbox ll;
  store_query q;
  fill_query(l, v, &ll, names, &q);
  query_with_ids by_id;
  if (only) {
    q.bbox = NULL;
    q.where = query_pred_with_ids(&by_id, NULL, only, n_only);
  }
  store_iter *it = NULL;
  arena *scratch = arena_create(0);
  err_code rc = scratch ? store_query_start(r, &q, &it, e) : ERR_NOMEM;
  store_feature f;
  int step = 0;
  while (rc == ERR_OK && (step = store_iter_next(it, &f, e)) == 1) {
    if (only && !bsearch(&f.id, only, n_only, sizeof *only, cmp_id)) continue;
    src_geom g;
    arena_reset(scratch);
    if (!decode(&f, v->vector_zoom, scratch, &g)) continue;
    if (dropped_by_tiles(l, &g, v->vector_zoom)) continue;
    rgeom *item = NULL;
    if ((rc = add_geom(s, v, &g, with_labels, &item)) != ERR_OK || !item) continue;
    item->f =
        (rfeature){.layer = l, .values = copy_values(&f, s->a), .id = f.id, .type = g.g.type};
    if (!item->f.values) rc = ERR_NOMEM;
    s->out->n++;
  }
  if (step < 0 && rc == ERR_OK) rc = e ? e->code : ERR_DB;
  if (rc == ERR_NOMEM) err_set(e, ERR_NOMEM, "out of memory while rendering");
  store_iter_close(it);
  arena_destroy(scratch);
  return rc;
}

static err_code add_cluster(sink *s, const rview_px *v, const layer_info *l,
                            const tiles_cluster *c) {
  rgeom *item = sink_next(s);
  map_pt *pt = arena_alloc(s->a, sizeof *pt);
  uint32_t *end = arena_alloc(s->a, sizeof *end);
  if (!item || !pt || !end) return ERR_NOMEM;
  *pt = to_px(v, c->merc);
  *end = 1;
  item->g = (geom){.type = GEOM_POINT, .pts = pt, .part_end = end, .n_pts = 1, .n_parts = 1};
  item->f = (rfeature){.layer = l, .type = GEOM_POINT, .point_count = c->count};
  item->label = *pt;
  item->has_label = true;
  s->out->n++;
  return ERR_OK;
}

static err_code fetch_clustered(const render_source *src, const layer_info *l, const rview_px *v,
                                bool with_labels, sink *s, err *e) {
  tiles_cluster *cl = NULL;
  size_t n = 0;
  store_reader *r = src->reader;
  err_code rc = tiles_clusters_in_box(r, src->pyramids, l, v->vector_zoom, &v->merc_buffered,
                                      &cl, &n, e);
  if (rc != ERR_OK) return rc;
  int64_t *singles = malloc((n ? n : 1) * sizeof *singles);
  size_t n_singles = 0;
  if (!singles) rc = err_set(e, ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n && rc == ERR_OK; i++) {
    if (cl[i].count == 1) singles[n_singles++] = cl[i].id;
    else if (add_cluster(s, v, l, &cl[i]) != ERR_OK) rc = err_set(e, ERR_NOMEM, "out of memory");
  }
  free(cl);
  if (rc == ERR_OK && n_singles > 0) {
    qsort(singles, n_singles, sizeof *singles, cmp_id);
    rc = fetch_raw(r, l, v, with_labels, singles, n_singles, s, e);
  }
  free(singles);
  return rc;
}

err_code render_features_fetch(const render_source *src, const layer_info *l, const rview_px *v,
                               bool with_labels, arena *a, rfeatures *out, err *e) {
  memset(out, 0, sizeof *out);
  out->layer = l;
  sink s = {.out = out, .a = a};
  /* below the layer's minzoom its vector tiles are empty, and the browser draws nothing */
  if ((int)v->vector_zoom < l->minzoom) return ERR_OK;
  bool clustered = (int)v->vector_zoom < tiles_cluster_below(l);
  return clustered ? fetch_clustered(src, l, v, with_labels, &s, e)
                   : fetch_raw(src->reader, l, v, with_labels, NULL, 0, &s, e);
}
