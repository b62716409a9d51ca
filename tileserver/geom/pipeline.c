/* pipeline.c — a stored geometry to a tile geometry, one stage per line of geom_to_tile.
 *
 * Each stage is a pure function in its own file over the flat layout, allocating from the request
 * arena; a stage that has nothing to do returns its input (no copy), so a small feature well inside
 * a tile costs one projection and one rounding pass. Polygons that the clip cut get one more pass
 * on the grid (seam.c), which rebuilds the few whose rings overlap along the clip line. */
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

/* Quantizes g (clipped, simplified) and, for polygons the clip cut, repairs the clip line. */
static err_code finish(const geom *g, bool cut, const geom_tile_opts *o, arena *a,
                       tile_geom *out_tg, err *e) {
  tile_geom grid;
  err_code rc = geom_quantize(g, a, &grid, e);
  if (rc) return rc;
  /* Trivially accepted (the clip returned its input): nothing was cut, nothing to repair. */
  if (g->type != GEOM_POLYGON || !cut) {
    *out_tg = grid;
    return ERR_OK;
  }
  tile_pt lo_pt = {-(int32_t)o->buffer, -(int32_t)o->buffer};
  tile_pt hi_pt = {(int32_t)(o->extent + o->buffer), (int32_t)(o->extent + o->buffer)};
  return geom_seam_repair(&grid, lo_pt, hi_pt, a, out_tg, e);
}

err_code geom_to_tile(const geom *g, const geom_tile_opts *o, arena *a, tile_geom *out_tg, err *e) {
  *out_tg = (tile_geom){.type = g->type};
  err_code rc = check_opts(o, e);
  if (rc) return rc;
  geom_bbox src;
  if (!geom_bbox_compute(g, &src)) return ERR_OK;

  /* The buffered tile, in tile units: -buffer .. extent + buffer on both axes. */
  double lo = -(double)o->buffer, hi = (double)o->extent + o->buffer;
  geom_bbox rect = {lo, lo, hi, hi};
  geom_bbox px = project_bbox(src, o);
  if (!(px.min_x <= hi && px.max_x >= lo && px.min_y <= hi && px.max_y >= lo)) return ERR_OK;

  geom projected, clipped, simple;
  if ((rc = geom_project(g, o, a, &projected, e))) return rc;
  if ((rc = geom_clip_rect(&projected, rect, a, &clipped, e))) return rc;
  if ((rc = geom_simplify(&clipped, o->tolerance, a, &simple, e))) return rc;
  return finish(&simple, clipped.pts != projected.pts, o, a, out_tg, e);
}

err_code geom_projected_to_tile(const geom *g, const geom_tile_opts *o, arena *a,
                                tile_geom *out_tg, err *e) {
  *out_tg = (tile_geom){.type = g->type};
  err_code rc = check_opts(o, e);
  if (rc) return rc;
  geom_bbox px;
  if (!geom_bbox_compute(g, &px)) return ERR_OK;
  double lo = -(double)o->buffer, hi = (double)o->extent + o->buffer;
  if (!(px.min_x <= hi && px.max_x >= lo && px.min_y <= hi && px.max_y >= lo)) return ERR_OK;
  geom clipped;
  if ((rc = geom_clip_rect(g, (geom_bbox){lo, lo, hi, hi}, a, &clipped, e))) return rc;
  return finish(&clipped, clipped.pts != g->pts, o, a, out_tg, e);
}
