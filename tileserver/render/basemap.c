/* basemap.c — a basemap from a vector archive of serve --archive, drawn under the city's layers
 * by the same fill/line/circle/symbol code as the database's features.
 *
 * The tiles are the ones MapLibre shows at the view's style zoom (512-px tiles: floor(zoom)),
 * or, above the archive's maxzoom, its tiles at maxzoom, scaled and clipped (overzoom, as the
 * browser does); below its minzoom nothing, as the browser draws nothing there. Each tile is
 * read as stored, inflated (archives/), and decoded (mvt/decode.c: bounded, refuses what is
 * malformed). A feature is clipped to its own tile, not to the tile's buffer: neighbours hold
 * the same polygon in their buffers, and a translucent fill drawn twice there would show the
 * seam. So a feature cut by tile edges is several pieces, drawn once each. */
#include <math.h>
#include <string.h>

#include "archives/archives.h"
#include "core/log.h"
#include "mvt/decode.h"
#include "render/render_int.h"

/* A 2048x2048 static image at a whole zoom spans 4 tiles of 512 px plus the buffer on each
 * side: 6x6. More would mean a view this code never builds. */
enum { BASE_MAX_TILES = 64 };

struct rbase_tiles {
  unsigned z;
  geom_tile_id ids[BASE_MAX_TILES];
  mvt_decoded_tile tiles[BASE_MAX_TILES];
  size_t n;
};

/* The tile column or row of Web Mercator coordinate m (y: from the north) at zoom z. */
static int64_t tile_index(double m, unsigned z, bool is_y) {
  double f = (is_y ? GEOM_MERC_HALF - m : m + GEOM_MERC_HALF) / (2 * GEOM_MERC_HALF);
  double n = ldexp(1.0, (int)z), i = floor(f * n);
  return i < 0 ? 0 : i >= n ? (int64_t)n - 1 : (int64_t)i;
}

static err_code load_tile(const archive_layer *l, geom_tile_id id, arena *a,
                          mvt_decoded_tile *out, bool *out_found, err *e) {
  buf b;
  buf_init(&b, ARCHIVES_TILE_MAX);
  archive_tile t;
  err te;
  err_clear(&te);
  *out_found = false;
  err_code rc = archives_tile(l, id.z, id.x, id.y, false, &b, &t, &te);
  if (rc == ERR_OK && t.status == ARCHIVE_TILE_FOUND) {
    rc = mvt_tile_decode(b.data, b.len, a, out, &te);
    *out_found = rc == ERR_OK;
  }
  buf_free(&b);
  if (rc == ERR_NOMEM || (rc == ERR_LIMIT && arena_failed(a)))
    return err_set(e, rc, "out of memory for the basemap %s", archive_layer_name(l));
  if (rc != ERR_OK)
    log_warn("basemap %s: tile %u/%u/%u left out: %s", archive_layer_name(l), id.z, id.x, id.y,
             te.msg);
  return ERR_OK;
}

err_code render_basemap_load(const struct archive_set *as, const char *name, const rview_px *v,
                             arena *a, rbase_tiles **out, err *e) {
  *out = NULL;
  const archive_layer *l = as ? archives_find(as, name, strlen(name)) : NULL;
  if (!l) return ERR_OK;
  const archive_info *info = archive_layer_info(l);
  if (info->kind != ARCHIVE_VECTOR || v->vector_zoom < info->min_zoom) return ERR_OK;
  unsigned z = v->vector_zoom > info->max_zoom ? info->max_zoom : v->vector_zoom;
  const geom_bbox *m = &v->merc_buffered;
  int64_t x0 = tile_index(m->min_x, z, false), x1 = tile_index(m->max_x, z, false);
  int64_t y0 = tile_index(m->max_y, z, true), y1 = tile_index(m->min_y, z, true);
  if ((x1 - x0 + 1) * (y1 - y0 + 1) > BASE_MAX_TILES)
    return err_set(e, ERR_LIMIT, "this view needs more than %d tiles of the basemap %s",
                   BASE_MAX_TILES, name);
  rbase_tiles *bt = arena_calloc(a, 1, sizeof *bt);
  if (!bt) return err_set(e, ERR_NOMEM, "out of memory for the basemap %s", name);
  bt->z = z;
  for (int64_t y = y0; y <= y1; y++)
    for (int64_t x = x0; x <= x1; x++) {
      geom_tile_id id = {z, (uint32_t)x, (uint32_t)y};
      bool found;
      err_code rc = load_tile(l, id, a, &bt->tiles[bt->n], &found, e);
      if (rc != ERR_OK) return rc;
      if (found) bt->ids[bt->n++] = id;
    }
  *out = bt;
  return ERR_OK;
}

/* Where tile id lies on view v: its top-left corner and side in device pixels. */
typedef struct tile_px {
  double x, y, side;
} tile_px;

static tile_px tile_on_view(geom_tile_id id, const rview_px *v) {
  double span = 2 * GEOM_MERC_HALF / ldexp(1.0, (int)id.z);
  return (tile_px){(-GEOM_MERC_HALF + id.x * span - v->min_mx) / v->res,
                   (v->max_my - (GEOM_MERC_HALF - id.y * span)) / v->res, span / v->res};
}


/* One feature of a decoded layer: projected into a copy, clipped to its tile
 * and the buffered view, simplified (a third of a device pixel, as features.c does). */
static err_code add_feature(rfeatures_sink *s, const mvt_decoded_layer *l,
                            const mvt_decoded_feature *f, geom_tile_id id, const rview_px *v,
                            bool with_labels) {
  geom px = f->g, clipped, simple;
  px.pts = arena_alloc(s->a, f->g.n_pts * sizeof *px.pts);
  if (!px.pts) return ERR_NOMEM;
  tile_px t = tile_on_view(id, v);
  double k = t.side / l->extent;
  for (uint32_t i = 0; i < f->g.n_pts; i++)
    px.pts[i] = (map_pt){t.x + f->g.pts[i].x * k, t.y + f->g.pts[i].y * k};
  geom_bbox rect = {fmax(t.x, -v->buffer), fmax(t.y, -v->buffer),
                    fmin(t.x + t.side, v->width + v->buffer),
                    fmin(t.y + t.side, v->height + v->buffer)};
  if (rect.min_x >= rect.max_x || rect.min_y >= rect.max_y) return ERR_OK;
  /* a point on the edge between two tiles is in both: keep it in the one it starts */
  if (f->g.type == GEOM_POINT) {
    rect.max_x = nextafter(rect.max_x, -INFINITY);
    rect.max_y = nextafter(rect.max_y, -INFINITY);
  }
  if (geom_clip_rect(&px, rect, s->a, &clipped, NULL) != ERR_OK) return ERR_NOMEM;
  if (clipped.n_pts == 0) return ERR_OK;
  if (geom_simplify(&clipped, 0.33, s->a, &simple, NULL) != ERR_OK) return ERR_NOMEM;
  if (simple.n_pts == 0) return ERR_OK;
  rgeom *r = rfeatures_sink_next(s);
  if (!r) return ERR_NOMEM;
  r->g = simple;
  r->cut = f->g.type == GEOM_POLYGON;
  r->cut_rect = rect;
  r->f = (rfeature){.id = f->has_id && f->id <= INT64_MAX ? (int64_t)f->id : 0,
                    .type = f->g.type, .tags = f->tags, .n_tags = f->n_tags, .keys = l->keys,
                    .tag_values = l->values};
  r->has_label = with_labels && geom_label_anchor(&simple, &r->label);
  s->out->n++;
  return ERR_OK;
}

err_code render_basemap_features(const rbase_tiles *bt, const char *source_layer,
                                 const rview_px *v, bool with_labels, arena *a, rfeatures *out,
                                 err *e) {
  memset(out, 0, sizeof *out);
  rfeatures_sink s = {.out = out, .a = a};
  for (size_t i = 0; bt && i < bt->n; i++) {
    const mvt_decoded_layer *l = mvt_decoded_find(&bt->tiles[i], source_layer);
    for (uint32_t k = 0; l && k < l->n_features; k++)
      if (add_feature(&s, l, &l->features[k], bt->ids[i], v, with_labels) != ERR_OK)
        return err_set(e, ERR_NOMEM, "out of memory while drawing a basemap");
  }
  return ERR_OK;
}
