/* raster.c — a raster basemap: the PNG tiles of an archive of serve --archive (a `teselas seed
 * --format png` archive, or any PNG MBTiles or PMTiles) drawn where the style's raster layer is,
 * under the layers after it, as MapLibre draws a raster source of 256-px tiles.
 *
 * The tiles' zoom is the one whose 256-px tiles have the view's CSS pixel size, rounded (MapLibre
 * rounds raster zooms): a 256-px PNG tile at z/x/y reads the archive's z/x/y at scale 1, so its
 * pixels are the archive's; @2x and static images scale them (bilinear, edges padded so tiles
 * meet without a seam). A PNG is decoded by cairo (libpng) from memory, only after its header was
 * read here: a tile that is not a PNG or says more than 1024 px either way is refused before any
 * pixel is inflated, logged, and left out. */
#include <cairo.h>
#include <math.h>
#include <string.h>

#include "archives/archives.h"
#include "core/log.h"
#include "render/render_int.h"

enum { RASTER_MAX_TILES = 64, RASTER_MAX_PX = 1024, RASTER_TILE_CSS_PX = 256 };

typedef struct png_reader {
  const uint8_t *p;
  size_t n, pos;
} png_reader;

static cairo_status_t read_mem(void *ctx, unsigned char *data, unsigned int len) {
  png_reader *r = ctx;
  if (len > r->n - r->pos) return CAIRO_STATUS_READ_ERROR;
  memcpy(data, r->p + r->pos, len);
  r->pos += len;
  return CAIRO_STATUS_SUCCESS;
}

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The PNG's surface (caller destroys), or NULL with the reason in *why. */
static cairo_surface_t *decode_png(const buf *b, const char **why) {
  static const uint8_t SIG[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (b->len < 33 || memcmp(b->data, SIG, 8) != 0 || memcmp(b->data + 12, "IHDR", 4) != 0) {
    *why = "not a PNG";
    return NULL;
  }
  uint32_t w = be32(b->data + 16), h = be32(b->data + 20);
  if (!w || !h || w > RASTER_MAX_PX || h > RASTER_MAX_PX) {
    *why = "a PNG of more than 1024x1024 px";
    return NULL;
  }
  png_reader r = {b->data, b->len, 0};
  cairo_surface_t *s = cairo_image_surface_create_from_png_stream(read_mem, &r);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(s);
    *why = "a PNG that does not decode";
    return NULL;
  }
  return s;
}

static int64_t clamp_index(double f, int64_t n) {
  return f < 0 ? 0 : f >= (double)n ? n - 1 : (int64_t)f;
}

/* Draws one tile's image over [px, px+size) x [py, py+size) device pixels. */
static void paint_tile(cairo_t *cr, cairo_surface_t *img, double px, double py, double size,
                       double opacity) {
  int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
  cairo_save(cr);
  cairo_rectangle(cr, px, py, size, size);
  cairo_clip(cr);
  cairo_translate(cr, px, py);
  cairo_scale(cr, size / w, size / h);
  cairo_set_source_surface(cr, img, 0, 0);
  cairo_pattern_t *pat = cairo_get_source(cr);
  cairo_pattern_set_extend(pat, CAIRO_EXTEND_PAD);
  cairo_pattern_set_filter(pat, CAIRO_FILTER_BILINEAR);
  cairo_paint_with_alpha(cr, opacity);
  cairo_restore(cr);
}

err_code render_draw_raster(cairo_t *cr, const rlayer *L, const struct archive_set *as,
                            const char *name, const rview_px *v, err *e) {
  const archive_layer *l = as ? archives_find(as, name, strlen(name)) : NULL;
  if (!l || archive_layer_info(l)->kind != ARCHIVE_PNG) return ERR_OK;
  const archive_info *info = archive_layer_info(l);
  double world = 2 * GEOM_MERC_HALF;
  long zr = lround(log2(world / (RASTER_TILE_CSS_PX * v->res * v->ratio)));
  if (zr < (long)info->min_zoom) return ERR_OK;
  unsigned z = zr > (long)info->max_zoom ? info->max_zoom : (unsigned)zr;
  int64_t n = (int64_t)1 << z;
  double tile_m = world / (double)n, tile_px = tile_m / v->res;
  double mx0 = v->min_mx, mx1 = v->min_mx + v->width * v->res;
  double my1 = v->max_my, my0 = v->max_my - v->height * v->res;
  int64_t x0 = clamp_index(floor((mx0 + GEOM_MERC_HALF) / tile_m), n);
  int64_t x1 = clamp_index(ceil((mx1 + GEOM_MERC_HALF) / tile_m) - 1, n);
  int64_t y0 = clamp_index(floor((GEOM_MERC_HALF - my1) / tile_m), n);
  int64_t y1 = clamp_index(ceil((GEOM_MERC_HALF - my0) / tile_m) - 1, n);
  if ((x1 - x0 + 1) * (y1 - y0 + 1) > RASTER_MAX_TILES)
    return err_set(e, ERR_LIMIT, "this view needs more than %d tiles of the basemap %s",
                   RASTER_MAX_TILES, name);
  rctx c = {.zoom = v->zoom};
  double opacity = render_eval_num(L->props[RP_RASTER_OPACITY], &c, 1);
  buf b;
  buf_init(&b, ARCHIVES_TILE_MAX);
  err_code rc = ERR_OK;
  for (int64_t y = y0; y <= y1 && rc == ERR_OK; y++)
    for (int64_t x = x0; x <= x1 && rc == ERR_OK; x++) {
      buf_reset(&b);
      archive_tile t;
      err te;
      err_clear(&te);
      err_code trc = archives_tile(l, z, (uint32_t)x, (uint32_t)y, false, &b, &t, &te);
      if (trc == ERR_NOMEM) rc = err_set(e, trc, "out of memory for the basemap %s", name);
      const char *why = te.msg;
      cairo_surface_t *img = NULL;
      if (trc == ERR_OK && t.status == ARCHIVE_TILE_FOUND) img = decode_png(&b, &why);
      if (img) {
        double px = ((double)x * tile_m - GEOM_MERC_HALF - v->min_mx) / v->res;
        double py = (v->max_my - (GEOM_MERC_HALF - (double)y * tile_m)) / v->res;
        paint_tile(cr, img, px, py, tile_px, opacity);
        cairo_surface_destroy(img);
      } else if (trc != ERR_OK || t.status == ARCHIVE_TILE_FOUND) {
        log_warn("basemap %s: tile %u/%lld/%lld left out: %s", name, z, (long long)x,
                 (long long)y, why);
      }
    }
  buf_free(&b);
  return rc;
}
