/* view.c — what part of the world an image shows, and at which style zoom.
 *
 * Style zooms are MapLibre's: the world is 512 CSS pixels wide at zoom 0. An XYZ raster tile of
 * 256 px at zoom z therefore shows the ground of style zoom z - 1 (tileserver-gl does the same),
 * and a static image at zoom Z matches a MapLibre map at zoom Z. */
#include <math.h>

#include "render/render_int.h"

render_view render_view_tile(geom_tile_id t, double ratio) {
  render_view v = {.merc = geom_tile_bounds_merc(t), .width = RENDER_TILE_SIZE,
                   .height = RENDER_TILE_SIZE, .ratio = ratio, .is_tile = true};
  v.zoom = t.z > 0 ? (double)t.z - 1.0 : 0.0; /* zoom 0 has no smaller style zoom */
  return v;
}

static err_code check_size(uint32_t w, uint32_t h, double ratio, err *e) {
  if (w < 1 || h < 1 || w > RENDER_MAX_SIZE || h > RENDER_MAX_SIZE)
    return err_set(e, ERR_INVALID, "image size must be 1x1 to %dx%d", RENDER_MAX_SIZE,
                   RENDER_MAX_SIZE);
  if (ratio != 1 && ratio != 2) return err_set(e, ERR_INVALID, "pixel ratio must be 1 or 2");
  return ERR_OK;
}

err_code render_view_center(double lon, double lat, double zoom, uint32_t w, uint32_t h,
                            double ratio, render_view *out, err *e) {
  err_code rc = check_size(w, h, ratio, e);
  if (rc != ERR_OK) return rc;
  if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -85.06 || lat > 85.06)
    return err_set(e, ERR_INVALID, "the centre must be a longitude and a latitude in range");
  if (!isfinite(zoom) || zoom < 0 || zoom > 22)
    return err_set(e, ERR_INVALID, "zoom must be from 0 to 22");
  map_pt c = geom_lonlat_to_merc((map_pt){lon, lat});
  double res = 2 * GEOM_MERC_HALF / (512.0 * pow(2.0, zoom)); /* metres per CSS pixel */
  *out = (render_view){.merc = {c.x - res * w / 2, c.y - res * h / 2, c.x + res * w / 2,
                                c.y + res * h / 2},
                       .width = w, .height = h, .ratio = ratio, .zoom = zoom};
  return ERR_OK;
}

err_code render_view_bbox(const geom_bbox *ll, uint32_t w, uint32_t h, double ratio,
                          render_view *out, err *e) {
  err_code rc = check_size(w, h, ratio, e);
  if (rc != ERR_OK) return rc;
  if (!(ll->min_x < ll->max_x && ll->min_y < ll->max_y) || ll->min_x < -180 || ll->max_x > 180 ||
      ll->min_y < -85.06 || ll->max_y > 85.06)
    return err_set(e, ERR_INVALID,
                   "the box must be minlon,minlat,maxlon,maxlat with min < max, in range");
  map_pt lo = geom_lonlat_to_merc((map_pt){ll->min_x, ll->min_y});
  map_pt hi = geom_lonlat_to_merc((map_pt){ll->max_x, ll->max_y});
  double res = fmax((hi.x - lo.x) / w, (hi.y - lo.y) / h);
  double zoom = log2(2 * GEOM_MERC_HALF / (512.0 * res));
  if (zoom > 22) {
    zoom = 22;
    res = 2 * GEOM_MERC_HALF / (512.0 * pow(2.0, zoom));
  }
  double cx = (lo.x + hi.x) / 2, cy = (lo.y + hi.y) / 2;
  *out = (render_view){.merc = {cx - res * w / 2, cy - res * h / 2, cx + res * w / 2,
                                cy + res * h / 2},
                       .width = w, .height = h, .ratio = ratio, .zoom = zoom < 0 ? 0 : zoom};
  return ERR_OK;
}
