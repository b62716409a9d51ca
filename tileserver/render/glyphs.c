/* glyphs.c — signed-distance-field glyphs for MapLibre GL JS, from the same font files the PNG
 * labels use, so a style's labels look alike in the browser and in the server's images.
 *
 * Format: MapLibre's glyphs.proto (glyphs { stacks { name, range, glyphs { id, bitmap, width,
 * height, left, top, advance } } }), glyphs rasterised at 24 px with a 3-px border, SDF values
 * as @mapbox/tiny-sdf computes them (radius 8, cutoff 0.25: 192 at the outline), through the
 * Felzenszwalb–Huttenlocher distance transform over FreeType's anti-aliased coverage.
 * A FreeType library and face are opened per call (a few milliseconds; the HTTP layer caches the
 * result), so nothing here is shared between threads. */
#include <ft2build.h>
#include FT_FREETYPE_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvt/pbf.h"
#include "render/render_int.h"

enum { GLYPH_SIZE = 24, GLYPH_BORDER = 3, MAX_SIDE = 160 };
static const double SDF_RADIUS = 8.0, SDF_CUTOFF = 0.25, INF = 1e20;

/* One-dimensional squared distance transform of grid[offset + i*stride], i < n. */
static void edt1d(double *grid, size_t offset, size_t stride, size_t n, double *f, size_t *v,
                  double *z) {
  v[0] = 0;
  z[0] = -INF;
  z[1] = INF;
  f[0] = grid[offset];
  size_t k = 0;
  for (size_t q = 1; q < n; q++) {
    f[q] = grid[offset + q * stride];
    double s;
    for (;;) {
      size_t r = v[k];
      s = (f[q] - f[r] + (double)q * q - (double)r * r) / (double)(q - r) / 2;
      if (s > z[k] || k == 0) break;
      k--;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = INF;
  }
  for (size_t q = 0, j = 0; q < n; q++) {
    while (z[j + 1] < (double)q) j++;
    double d = (double)q - (double)v[j];
    grid[offset + q * stride] = f[v[j]] + d * d;
  }
}

static void edt(double *grid, size_t w, size_t h, double *f, size_t *v, double *z) {
  for (size_t x = 0; x < w; x++) edt1d(grid, x, w, h, f, v, z);
  for (size_t y = 0; y < h; y++) edt1d(grid, y * w, 1, w, f, v, z);
}

/* SDF of an 8-bit coverage bitmap (w×h) into out ((w+2B)×(h+2B)); work holds 2·W·H doubles. */
static void sdf_compute(const FT_Bitmap *bm, uint8_t *out, size_t W, size_t H, double *work) {
  double *outer = work, *inner = work + W * H, f[MAX_SIDE], z[MAX_SIDE + 1];
  size_t v[MAX_SIDE];
  for (size_t i = 0; i < W * H; i++) outer[i] = INF, inner[i] = 0;
  for (size_t y = 0; y < bm->rows; y++) {
    for (size_t x = 0; x < bm->width; x++) {
      double a = bm->buffer[(long)y * bm->pitch + (long)x] / 255.0;
      size_t i = (y + GLYPH_BORDER) * W + x + GLYPH_BORDER;
      if (a <= 0) continue;
      if (a >= 1) {
        outer[i] = 0;
        inner[i] = INF;
      } else {
        double d = 0.5 - a;
        outer[i] = d > 0 ? d * d : 0;
        inner[i] = d < 0 ? d * d : 0;
      }
    }
  }
  edt(outer, W, H, f, v, z);
  edt(inner, W, H, f, v, z);
  for (size_t i = 0; i < W * H; i++) {
    double d = sqrt(outer[i]) - sqrt(inner[i]);
    double val = round(255 - 255 * (d / SDF_RADIUS + SDF_CUTOFF));
    out[i] = (uint8_t)(val < 0 ? 0 : val > 255 ? 255 : val);
  }
}

/* One glyph message into g (reset first). False when the face has no such glyph. */
static bool glyph_message(FT_Face face, uint32_t cp, int ascender, buf *g) {
  buf_reset(g);
  if (FT_Get_Char_Index(face, cp) == 0) return false;
  if (FT_Load_Char(face, cp, FT_LOAD_RENDER) != 0) return false;
  FT_GlyphSlot slot = face->glyph;
  FT_Bitmap *bm = &slot->bitmap;
  uint32_t w = bm->width, h = bm->rows;
  if (bm->pixel_mode != FT_PIXEL_MODE_GRAY || w + 2 * GLYPH_BORDER > MAX_SIDE ||
      h + 2 * GLYPH_BORDER > MAX_SIDE)
    w = h = 0;
  pbf_put_uint_field(g, 1, cp);
  if (w > 0 && h > 0) {
    size_t W = w + 2 * GLYPH_BORDER, H = h + 2 * GLYPH_BORDER;
    uint8_t *px = malloc(W * H);
    double *work = malloc(2 * W * H * sizeof *work);
    if (px && work) {
      sdf_compute(bm, px, W, H, work);
      pbf_put_bytes_field(g, 2, px, W * H);
    }
    free(work);
    free(px);
    if (!px || !work) return false;
  }
  pbf_put_uint_field(g, 3, w);
  pbf_put_uint_field(g, 4, h);
  pbf_put_sint_field(g, 5, slot->bitmap_left);
  pbf_put_sint_field(g, 6, slot->bitmap_top - ascender);
  pbf_put_uint_field(g, 7, (uint64_t)((slot->advance.x + 32) >> 6));
  return !g->failed;
}

static const rfont *stack_font(const render_styles *reg, const char *stack) {
  for (const char *p = stack; *p;) {
    size_t n = strcspn(p, ",");
    const char *s = p;
    while (n > 0 && *s == ' ') s++, n--;
    const rfont *f = render_fonts_match(reg, s, n);
    if (f && *f->path) return f;
    p += strcspn(p, ",");
    if (*p == ',') p++;
  }
  return reg->n_fonts ? &reg->fonts[0] : NULL;
}

static err_code build_stack(FT_Face face, const char *name, uint32_t start, buf *stack) {
  char range[32];
  snprintf(range, sizeof range, "%u-%u", start, start + 255);
  pbf_put_bytes_field(stack, 1, name, strlen(name));
  pbf_put_bytes_field(stack, 2, range, strlen(range));
  int ascender = (int)lround(face->size->metrics.ascender / 64.0);
  buf g;
  buf_init(&g, 0);
  for (uint32_t cp = start; cp <= start + 255; cp++)
    if (glyph_message(face, cp, ascender, &g)) pbf_put_bytes_field(stack, 3, g.data, g.len);
  bool failed = g.failed;
  buf_free(&g);
  return failed || stack->failed ? ERR_NOMEM : ERR_OK;
}

err_code render_glyphs_pbf(const render_styles *reg, const char *fontstack, uint32_t start,
                           buf *out, err *e) {
  if (start % 256 != 0 || start >= 65536)
    return err_set(e, ERR_INVALID, "a glyph range starts at a multiple of 256 below 65536");
  const rfont *font = stack_font(reg, fontstack);
  if (!font || !*font->path) return err_set(e, ERR_NOT_FOUND, "no font file for '%s'", fontstack);
  FT_Library lib = NULL;
  FT_Face face = NULL;
  if (FT_Init_FreeType(&lib) != 0) return err_set(e, ERR_NOMEM, "FreeType did not start");
  err_code rc = ERR_OK;
  if (FT_New_Face(lib, font->path, 0, &face) != 0 || FT_Set_Pixel_Sizes(face, 0, GLYPH_SIZE) != 0)
    rc = err_set(e, ERR_IO, "cannot read the font file %s", font->path);
  buf stack;
  buf_init(&stack, 0);
  if (rc == ERR_OK && build_stack(face, fontstack, start, &stack) != ERR_OK)
    rc = err_set(e, ERR_NOMEM, "out of memory");
  if (rc == ERR_OK && !pbf_put_bytes_field(out, 1, stack.data, stack.len))
    rc = err_set(e, out->over_limit ? ERR_LIMIT : ERR_NOMEM, "glyphs too large");
  buf_free(&stack);
  if (face) FT_Done_Face(face);
  FT_Done_FreeType(lib);
  return rc;
}
