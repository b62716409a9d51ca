/* features.c — the features a view draws, as gen/ yields them for the view's vector zoom (the
 * rules the vector tiles follow: drop, clusters, ranked lines) in Web Mercator, then projected
 * to device pixels → clipped to the buffered view → simplified (a third of a device pixel), with
 * label anchors. Dense point layers come clustered exactly as the vector tiles the browser shows
 * at the same style zoom (gen_clusters_in_box). Everything lands in the request arena. */
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"
#include "render/render_int.h"

static map_pt to_px(const rview_px *v, map_pt merc) {
  return (map_pt){(merc.x - v->min_mx) / v->res, (v->max_my - merc.y) / v->res};
}

/* Projects g (EPSG:3857) to device pixels into arena a; offsets are shared. */
static bool project(const rview_px *v, const geom *g, arena *a, geom *out) {
  *out = *g;
  out->pts = arena_alloc(a, (g->n_pts ? g->n_pts : 1) * sizeof *out->pts);
  if (!out->pts) return false;
  for (uint32_t i = 0; i < g->n_pts; i++) out->pts[i] = to_px(v, g->pts[i]);
  return true;
}

static value *copy_values(const gen_feature *f, arena *a) {
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

rgeom *rfeatures_sink_next(rfeatures_sink *s) {
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

/* g with its offsets copied into arena a (its points are a's already: projected or clipped). A
 * clip with nothing to cut returns its input, whose offsets are the decoded geometry's, which
 * live only as long as the feature (gen's scratch arena): the item outlives it. */
static bool own_offsets(const geom *g, arena *a, geom *out) {
  *out = *g;
  out->part_end = arena_alloc(a, (g->n_parts ? g->n_parts : 1) * sizeof *out->part_end);
  out->poly_end = arena_alloc(a, (g->n_polys ? g->n_polys : 1) * sizeof *out->poly_end);
  if (!out->part_end || !out->poly_end) return false;
  if (g->n_parts) memcpy(out->part_end, g->part_end, g->n_parts * sizeof *out->part_end);
  if (g->n_polys) memcpy(out->poly_end, g->poly_end, g->n_polys * sizeof *out->poly_end);
  return true;
}

/* Projects, labels, clips and simplifies one decoded geometry into the next item. */
static err_code add_geom(rfeatures_sink *s, const rview_px *v, const geom *g, bool with_labels,
                         rgeom **out) {
  geom px, clipped, simple;
  *out = NULL;
  if (!project(v, g, s->a, &px)) return ERR_NOMEM;
  geom_bbox rect = {-v->buffer, -v->buffer, v->width + v->buffer, v->height + v->buffer};
  if (geom_clip_rect(&px, rect, s->a, &clipped, NULL) != ERR_OK) return ERR_NOMEM;
  if (clipped.n_pts == 0) return ERR_OK;
  if (geom_simplify(&clipped, 0.33, s->a, &simple, NULL) != ERR_OK) return ERR_NOMEM;
  /* A polygon within the tolerance of a line collapses whole, yet the vector tile has it and
   * MapLibre shades its pixel (fill-antialias): the 500 m cells of an aggregate layer are 0.4 px
   * at style zoom 6, and the image of the city was blank. Drawn as clipped, cairo's antialiasing
   * shades it too, at the cost of one small path. */
  if (simple.n_pts == 0 && clipped.type == GEOM_POLYGON && !own_offsets(&clipped, s->a, &simple))
    return ERR_NOMEM;
  if (simple.n_pts == 0) return ERR_OK;
  rgeom *r = rfeatures_sink_next(s);
  if (!r) return ERR_NOMEM;
  r->g = simple;
  r->has_label = with_labels && geom_label_anchor(&px, &r->label);
  *out = r;
  return ERR_OK;
}

static int cmp_id(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

typedef struct raw_ctx {
  rfeatures_sink *s;
  const rview_px *v;
  const layer_info *l;
  bool with_labels;
} raw_ctx;

static err_code add_feature(void *ctx, const gen_feature *f, err *e) {
  raw_ctx *c = ctx;
  rgeom *item = NULL;
  err_code rc = add_geom(c->s, c->v, &f->g, c->with_labels, &item);
  if (rc != ERR_OK || !item) return rc;
  item->f = (rfeature){.layer = c->l, .values = copy_values(f, c->s->a), .id = f->id,
                       .type = f->g.type};
  if (!item->f.values) return ERR_NOMEM;
  c->s->out->n++;
  return ERR_OK;
}

/* Every feature of the buffered view; with a sorted id list (singles of a clustered layer), only
 * those, fetched by id: a z12 tile over the city holds ~20,000 incidents but a few hundred
 * singles, so reading them by id rather than scanning the box made the tile 10x faster. */
static err_code fetch_raw(store_reader *r, const layer_info *l, const rview_px *v,
                          bool with_labels, const int64_t *only, size_t n_only,
                          rfeatures_sink *s, err *e) {
  gen_query q = {.layer = l, .zoom = v->vector_zoom, .merc = v->merc_buffered, .only = only,
                 .n_only = n_only};
  raw_ctx c = {s, v, l, with_labels};
  err_code rc = gen_features_each(r, &q, add_feature, &c, e);
  if (rc == ERR_NOMEM) err_set(e, ERR_NOMEM, "out of memory while rendering");
  return rc;
}

static err_code add_cluster(rfeatures_sink *s, const rview_px *v, const layer_info *l,
                            const gen_cluster *c) {
  rgeom *item = rfeatures_sink_next(s);
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
                                bool with_labels, rfeatures_sink *s, err *e) {
  gen_cluster *cl = NULL;
  size_t n = 0;
  store_reader *r = src->reader;
  err_code rc = gen_clusters_in_box(r, src->pyramids, l, v->vector_zoom, &v->merc_buffered, &cl,
                                    &n, e);
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
  rfeatures_sink s = {.out = out, .a = a};
  /* below the layer's minzoom its vector tiles are empty, and the browser draws nothing */
  if (!gen_shown(l, v->vector_zoom)) return ERR_OK;
  bool clustered = (int)v->vector_zoom < gen_cluster_below(l);
  return clustered ? fetch_clustered(src, l, v, with_labels, &s, e)
                   : fetch_raw(src->reader, l, v, with_labels, NULL, 0, &s, e);
}
