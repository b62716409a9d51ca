/* render.c — one image: the style's layers in order over a cairo ARGB32 surface, then PNG.
 *
 *   1. the features of each catalog layer the active layers name are fetched once (features.c),
 *      with label anchors when a symbol layer needs them;
 *   2. labels are placed from the top symbol layer down (label.c), so upper layers win;
 *   3. layers are drawn bottom-up: background, fill, line, circle, and the placed labels of each
 *      symbol layer at its own place in the order;
 *   4. the surface is encoded (png.c).
 * A vector source naming an archive of serve --archive is a basemap: its features come from the
 * archive's tiles (basemap.c), fetched once per source and layer like a catalog layer's.
 * A raster layer of a source naming a PNG archive is drawn from its tiles (raster.c). Layers of
 * other sources (raster tiles of another server, another tile server) are left to the browser. */
#include <math.h>
#include <string.h>

#include "render/render_int.h"

enum { BUFFER_CSS_PX = 32 };

typedef struct fetched {
  const layer_info *layer;  /* a catalog layer, or NULL for a basemap's */
  int base_source;          /* a basemap: the style's source index, else -1 */
  const char *base_layer;   /* a basemap: the source-layer */
  bool with_labels;
  bool done;
  rfeatures fs;
} fetched;

static rview_px view_px(const render_view *v) {
  rview_px p = {.min_mx = v->merc.min_x, .max_my = v->merc.max_y, .ratio = v->ratio,
                .zoom = v->zoom, .width = v->width * v->ratio, .height = v->height * v->ratio,
                .is_tile = v->is_tile};
  p.res = (v->merc.max_x - v->merc.min_x) / p.width;
  p.buffer = BUFFER_CSS_PX * v->ratio;
  double m = p.buffer * p.res;
  p.merc_buffered = (geom_bbox){v->merc.min_x - m, v->merc.min_y - m, v->merc.max_x + m,
                                v->merc.max_y + m};
  double vz = floor(v->zoom);
  p.vector_zoom = vz < 0 ? 0 : vz > GEOM_ZOOM_MAX ? GEOM_ZOOM_MAX : (uint32_t)vz;
  return p;
}

static const layer_info *layer_of(const render_style *s, const rlayer *L, const catalog *c) {
  if (L->source_index < 0 || !s->sources[L->source_index].teselas || !*L->source_layer)
    return NULL;
  return catalog_find(c, L->source_layer, strlen(L->source_layer));
}

/* The slot of catalog layer l in the fetched list (added when new). */
static fetched *slot_for(fetched *list, size_t *n, const layer_info *l) {
  for (size_t i = 0; i < *n; i++)
    if (list[i].layer == l) return &list[i];
  list[*n] = (fetched){.layer = l, .base_source = -1};
  return &list[(*n)++];
}

/* The slot of a basemap's source-layer (added when new). */
static fetched *base_slot_for(fetched *list, size_t *n, const rlayer *L) {
  for (size_t i = 0; i < *n; i++)
    if (list[i].base_source == L->source_index && strcmp(list[i].base_layer, L->source_layer) == 0)
      return &list[i];
  list[*n] = (fetched){.base_source = L->source_index, .base_layer = L->source_layer};
  return &list[(*n)++];
}

typedef struct job {
  const render_request *rq;
  const catalog *c;
  const render_styles *reg;
  const render_style *s;
  rview_px v;
  arena *a;
  fetched list[RENDER_MAX_LAYERS];
  fetched *of_layer[RENDER_MAX_LAYERS]; /* per style layer, NULL when it draws nothing */
  size_t n_list;
  rbase_tiles **base;                   /* per style source: its basemap tiles, once read */
  bool *base_read;
} job;

static err_code base_features(const job *j, fetched *f, err *e) {
  int k = f->base_source;
  if (!j->base_read[k]) {
    j->base_read[k] = true;
    err_code rc = render_basemap_load(j->rq->archives, j->s->sources[k].archive, &j->v, j->a,
                                      &j->base[k], e);
    if (rc != ERR_OK) return rc;
  }
  return render_basemap_features(j->base[k], f->base_layer, &j->v, f->with_labels, j->a, &f->fs,
                                 e);
}

static err_code features_for(const job *j, fetched *f, err *e) {
  if (f->done) return ERR_OK;
  f->done = true;
  if (f->base_source >= 0) return base_features(j, f, e);
  render_source src = {j->rq->reader, j->rq->pyramids};
  return render_features_fetch(&src, f->layer, &j->v, f->with_labels, j->a, &f->fs, e);
}

/* True when id is one of the comma-separated names of list (NULL list: every layer). */
static bool listed(const char *list, const char *id) {
  if (!list) return true;
  size_t n = strlen(id);
  for (const char *p = list; *p;) {
    size_t len = strcspn(p, ",");
    if (len == n && memcmp(p, id, n) == 0) return true;
    p += len + (p[len] == ',');
  }
  return false;
}

/* True when style layer L draws a basemap's source-layer. */
static bool draws_basemap(const job *j, const rlayer *L) {
  return j->rq->archives && L->source_index >= 0 && *j->s->sources[L->source_index].archive &&
         *L->source_layer && L->type != RL_OTHER && L->type != RL_BACKGROUND;
}

static void plan(job *j) {
  for (size_t i = 0; i < j->s->n_layers; i++) {
    const rlayer *L = &j->s->layers[i];
    j->of_layer[i] = NULL;
    if (render_layer_active(L, j->v.zoom) && draws_basemap(j, L)) {
      fetched *f = base_slot_for(j->list, &j->n_list, L);
      f->with_labels |= L->type == RL_SYMBOL;
      j->of_layer[i] = f;
      continue;
    }
    const layer_info *l = render_layer_active(L, j->v.zoom) ? layer_of(j->s, L, j->c) : NULL;
    if (!l || !listed(j->rq->only_layers, l->id)) continue;
    fetched *f = slot_for(j->list, &j->n_list, l);
    f->with_labels |= L->type == RL_SYMBOL;
    j->of_layer[i] = f;
  }
}

/* The request's time is up (--request-time-ms): the reads stop by themselves (store.h), the
 * drawing here, between layers and every RENDER_TIME_CHECK features. */
static err_code out_of_time(err *e) {
  return err_set(e, ERR_UNAVAILABLE, "drawing this image took longer than one request may take "
                 "(--request-time-ms); ask less (a smaller image, fewer layers)");
}

static err_code draw_all(job *j, cairo_t *cr, rlabels *lb, arena *scratch, err *e) {
  for (size_t i = j->s->n_layers; i-- > 0;) {
    const rlayer *L = &j->s->layers[i];
    if (L->type != RL_SYMBOL || !j->of_layer[i]) continue;
    err_code rc = features_for(j, j->of_layer[i], e);
    if (rc != ERR_OK) return rc;
    render_labels_place(cr, lb, j->reg, L, i, &j->of_layer[i]->fs, &j->v);
    if (store_reader_past_deadline(j->v.budget)) return out_of_time(e);
  }
  for (size_t i = 0; i < j->s->n_layers; i++) {
    if (i > 0 && store_reader_past_deadline(j->v.budget)) return out_of_time(e);
    const rlayer *L = &j->s->layers[i];
    arena_reset(scratch);
    if (L->type == RL_BACKGROUND && render_layer_active(L, j->v.zoom)) {
      rctx c = {.zoom = j->v.zoom, .scratch = scratch};
      render_draw_background(cr, L, &c);
      continue;
    }
    if (L->type == RL_RASTER) {
      const char *archive = L->source_index >= 0 ? j->s->sources[L->source_index].archive : "";
      err_code rc = render_layer_active(L, j->v.zoom) && *archive
                        ? render_draw_raster(cr, L, j->rq->archives, archive, &j->v, e)
                        : ERR_OK;
      if (rc != ERR_OK) return rc;
      continue;
    }
    if (!j->of_layer[i]) continue;
    if (L->type == RL_SYMBOL) {
      render_labels_draw(cr, lb, i, &j->v);
      continue;
    }
    err_code rc = features_for(j, j->of_layer[i], e);
    if (rc != ERR_OK) return rc;
    render_draw_layer(cr, L, &j->of_layer[i]->fs, &j->v, scratch);
  }
  return store_reader_past_deadline(j->v.budget) ? out_of_time(e) : ERR_OK;
}

err_code render_image(const render_request *rq, arena *a, buf *out, render_stats *out_stats,
                      err *e) {
  job *j = arena_calloc(a, 1, sizeof *j);
  if (!j) return err_set(e, ERR_NOMEM, "out of memory");
  *j = (job){.rq = rq, .c = rq->catalog, .reg = rq->styles, .s = rq->style,
             .v = view_px(&rq->view), .a = a};
  j->v.budget = rq->reader;
  size_t n_src = rq->style->n_sources ? rq->style->n_sources : 1;
  j->base = arena_calloc(a, n_src, sizeof *j->base);
  j->base_read = arena_calloc(a, n_src, sizeof *j->base_read);
  if (!j->base || !j->base_read) return err_set(e, ERR_NOMEM, "out of memory");
  plan(j);
  int w = (int)lround(j->v.width), h = (int)lround(j->v.height);
  /* The pixels come from the request's arena, so its cap bounds them: a 2048x2048@2x image is
   * 64 MiB of pixels, past a small --request-memory-mb a 413, never an out-of-memory kill. */
  int stride = cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, w);
  unsigned char *pixels = stride > 0 ? arena_calloc(a, (size_t)h, (size_t)stride) : NULL;
  if (!pixels)
    return err_set(e, arena_over_cap(a) ? ERR_LIMIT : ERR_NOMEM,
                   "a %dx%d image needs more memory than one request may use", w, h);
  cairo_surface_t *surf =
      cairo_image_surface_create_for_data(pixels, CAIRO_FORMAT_ARGB32, w, h, stride);
  cairo_t *cr = cairo_create(surf);
  arena *scratch = arena_create(0);
  rlabels *lb = render_labels_create(a);
  /* Geometry with cairo's fast anti-aliasing (a 4x4 sample grid instead of 256x15): on León's
   * z12 tiles 1.5x the tiles/s and PNGs a third smaller, 0.74/255 mean difference. Labels switch
   * back to the default (label.c). */
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_FAST);
  err_code rc = ERR_OK;
  if (cairo_status(cr) != CAIRO_STATUS_SUCCESS || !scratch || !lb)
    rc = err_set(e, ERR_NOMEM, "out of memory for a %dx%d image", w, h);
  if (rc == ERR_OK) rc = draw_all(j, cr, lb, scratch, e);
  if (rc == ERR_OK && arena_failed(a))
    rc = err_set(e, arena_over_cap(a) ? ERR_LIMIT : ERR_NOMEM, "this image needs too much memory");
  if (rc == ERR_OK) {
    cairo_surface_flush(surf);
    rc = render_png_encode(cairo_image_surface_get_data(surf), (uint32_t)w, (uint32_t)h,
                           (size_t)cairo_image_surface_get_stride(surf), out, e);
  }
  if (out_stats) {
    *out_stats = (render_stats){.n_labels = render_labels_count(lb)};
    for (size_t i = 0; i < j->n_list; i++) out_stats->n_features += (uint32_t)j->list[i].fs.n;
  }
  arena_destroy(scratch);
  cairo_destroy(cr);
  cairo_surface_destroy(surf);
  return rc;
}
