/* pipeline.c — a stored geometry to a tile geometry, one stage per line of geom_to_tile.
 *
 * Each stage is a pure function in its own file over the flat layout, allocating from the request
 * arena; a stage that has nothing to do returns its input (no copy), so a small feature well inside
 * a tile costs one projection and one rounding pass. Polygons get one more pass on the grid
 * (untangle.c) for rings that simplification and rounding folded or crossed, and those the clip
 * cut one more (seam.c), which rebuilds the few whose rings overlap along the clip line. */
#include "geom/geom_int.h"

#include <math.h>

enum { EXTENT_MAX = 1 << 20 };

static map_pt to_tile(map_pt p, const geom_tile_opts *o) {
  return o->srs == GEOM_SRS_MERC ? geom_merc_to_tile(p, o->tile, o->extent)
                                 : geom_lonlat_to_tile(p, o->tile, o->extent);
}

err_code geom_project(const geom *g, const geom_tile_opts *o, arena *a, geom *out_g, err *e) {
  *out_g = *g; /* same offsets: projection moves points, never adds or removes them */
  if (!g->n_pts) return ERR_OK;
  out_g->pts = geom_alloc_n(a, g->n_pts, sizeof *out_g->pts);
  if (!out_g->pts) {
    *out_g = geom_empty_like(g);
    return err_set(e, ERR_NOMEM, "out of memory projecting a geometry");
  }
  for (uint32_t i = 0; i < g->n_pts; i++) out_g->pts[i] = to_tile(g->pts[i], o);
  return ERR_OK;
}

/* Both projections are monotonic per axis (x grows with x, y shrinks as latitude grows), so the
 * source bbox maps exactly to the tile-space bbox of the projected geometry: rejecting on it
 * costs two projections instead of n. */
static geom_bbox project_bbox(geom_bbox b, const geom_tile_opts *o) {
  map_pt lo = to_tile((map_pt){b.min_x, b.max_y}, o), hi = to_tile((map_pt){b.max_x, b.min_y}, o);
  return (geom_bbox){lo.x, lo.y, hi.x, hi.y};
}

static err_code check_opts(const geom_tile_opts *o, err *e) {
  if (!geom_tile_valid(o->tile)) return err_set(e, ERR_INVALID, "invalid tile");
  if (o->srs != GEOM_SRS_LONLAT && o->srs != GEOM_SRS_MERC)
    return err_set(e, ERR_INVALID, "unsupported SRS %d", (int)o->srs);
  if (o->extent == 0 || o->extent > EXTENT_MAX || o->buffer > o->extent)
    return err_set(e, ERR_INVALID, "extent must be 1..%d and buffer at most the extent",
                   EXTENT_MAX);
  if (!(o->tolerance >= 0) || !isfinite(o->tolerance))
    return err_set(e, ERR_INVALID, "simplification tolerance must be finite and >= 0");
  return ERR_OK;
}

/* The rectangle geometries are clipped to, in tile units: the buffered tile, cut at the edges of
 * the Web Mercator square in y. Why cut there: the projection clamps latitudes to ±85.05°, so a
 * polygon that reaches the pole (Antarctica) runs along the square's edge several times over; with
 * that edge as a side of the rectangle, geom_seam_repair rebuilds it as it does a clip line. In x
 * the world wraps and nothing is clamped. */
static geom_bbox clip_rect(const geom_tile_opts *o) {
  double lo = -(double)o->buffer, hi = (double)o->extent + o->buffer;
  double top = -(double)o->tile.y * o->extent;
  double bottom = ((double)(1u << o->tile.z) - o->tile.y) * o->extent;
  return (geom_bbox){lo, lo > top ? lo : top, hi, hi < bottom ? hi : bottom};
}

static bool touches(geom_bbox b, geom_bbox rect) {
  return b.min_x <= rect.min_x || b.min_y <= rect.min_y || b.max_x >= rect.max_x ||
         b.max_y >= rect.max_y;
}

/* Quantizes g (clipped, simplified); for polygons, untangles what simplification and rounding
 * folded, and where the clip cut (or the polygon reaches the rectangle), repairs the clip line. */
static err_code finish(const geom *g, bool cut, geom_bbox rect, arena *a, tile_geom *out_tg,
                       err *e) {
  tile_geom grid;
  err_code rc = geom_quantize(g, a, &grid, e);
  if (rc) return rc;
  if (g->type != GEOM_POLYGON) {
    *out_tg = grid;
    return ERR_OK;
  }
  tile_pt lo_pt = {(int32_t)rect.min_x, (int32_t)rect.min_y};
  tile_pt hi_pt = {(int32_t)rect.max_x, (int32_t)rect.max_y};
  tile_geom clean;
  if ((rc = geom_untangle(&grid, lo_pt, hi_pt, a, &clean, e))) return rc;
  /* Trivially accepted (the clip returned its input) and away from the rectangle: no clip line. */
  if (!cut) {
    *out_tg = clean;
    return ERR_OK;
  }
  return geom_seam_repair(&clean, lo_pt, hi_pt, a, out_tg, e);
}

err_code geom_to_tile(const geom *g, const geom_tile_opts *o, arena *a, tile_geom *out_tg, err *e) {
  *out_tg = (tile_geom){.type = g->type};
  err_code rc = check_opts(o, e);
  if (rc) return rc;
  geom_bbox src;
  if (!geom_bbox_compute(g, &src)) return ERR_OK;

  /* The buffered tile, in tile units (-buffer .. extent + buffer), within the world. */
  geom_bbox rect = clip_rect(o);
  geom_bbox px = project_bbox(src, o);
  if (!(px.min_x <= rect.max_x && px.max_x >= rect.min_x && px.min_y <= rect.max_y &&
        px.max_y >= rect.min_y))
    return ERR_OK;

  geom projected, clipped, simple;
  if ((rc = geom_project(g, o, a, &projected, e))) return rc;
  if ((rc = geom_clip_rect(&projected, rect, a, &clipped, e))) return rc;
  if ((rc = geom_simplify(&clipped, o->tolerance, a, &simple, e))) return rc;
  bool cut = clipped.pts != projected.pts || touches(px, rect);
  return finish(&simple, cut, rect, a, out_tg, e);
}

err_code geom_projected_to_tile(const geom *g, const geom_tile_opts *o, arena *a,
                                tile_geom *out_tg, err *e) {
  *out_tg = (tile_geom){.type = g->type};
  err_code rc = check_opts(o, e);
  if (rc) return rc;
  geom_bbox px;
  if (!geom_bbox_compute(g, &px)) return ERR_OK;
  geom_bbox rect = clip_rect(o);
  if (!(px.min_x <= rect.max_x && px.max_x >= rect.min_x && px.min_y <= rect.max_y &&
        px.max_y >= rect.min_y))
    return ERR_OK;
  geom clipped;
  if ((rc = geom_clip_rect_bbox(g, px, rect, a, &clipped, e))) return rc;
  return finish(&clipped, clipped.pts != g->pts || touches(px, rect), rect, a, out_tg, e);
}
