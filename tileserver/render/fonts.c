/* fonts.c — the font faces labels are drawn with, made once at start-up and then only read.
 *
 * Styles name fonts as MapLibre does ("Noto Sans Regular", "DejaVu Sans Bold"). We keep a small
 * fixed set of faces, the families Debian ships in fonts-noto-core and fonts-dejavu-core, and
 * map a name to the face of its family and style words; an unknown family gets the first face
 * (Noto Sans Regular, or what fontconfig substitutes when Noto is not installed). The same files
 * feed the SDF glyphs of glyphs.c, so the browser and the PNGs draw the same letters. */
#include <fontconfig/fontconfig.h>
#include <string.h>

#include "render/render_int.h"

typedef struct font_def {
  const char *name, *family;
  bool bold, italic;
} font_def;

static const font_def FONTS[] = {
    {"Noto Sans Regular", "Noto Sans", false, false},
    {"Noto Sans Bold", "Noto Sans", true, false},
    {"Noto Sans Italic", "Noto Sans", false, true},
    {"DejaVu Sans Book", "DejaVu Sans", false, false},
    {"DejaVu Sans Bold", "DejaVu Sans", true, false},
    {"DejaVu Sans Oblique", "DejaVu Sans", false, true},
};

/* The file fontconfig picks for family/weight/slant, copied into the arena ("" when none). */
static const char *font_path(arena *a, const font_def *d) {
  FcPattern *p = FcPatternCreate();
  const char *out = "";
  if (!p) return out;
  FcPatternAddString(p, FC_FAMILY, (const FcChar8 *)d->family);
  FcPatternAddInteger(p, FC_WEIGHT, d->bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
  FcPatternAddInteger(p, FC_SLANT, d->italic ? FC_SLANT_ITALIC : FC_SLANT_ROMAN);
  FcConfigSubstitute(NULL, p, FcMatchPattern);
  FcDefaultSubstitute(p);
  FcResult res;
  FcPattern *m = FcFontMatch(NULL, p, &res);
  FcChar8 *file = NULL;
  if (m && FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch && file)
    out = arena_strdup(a, (const char *)file);
  if (m) FcPatternDestroy(m);
  FcPatternDestroy(p);
  return out ? out : "";
}

err_code render_fonts_init(render_styles *reg, err *e) {
  for (size_t i = 0; i < sizeof FONTS / sizeof *FONTS && i < RENDER_MAX_FONTS; i++) {
    const font_def *d = &FONTS[i];
    rfont *f = &reg->fonts[reg->n_fonts];
    f->face = cairo_toy_font_face_create(d->family,
                                         d->italic ? CAIRO_FONT_SLANT_ITALIC : CAIRO_FONT_SLANT_NORMAL,
                                         d->bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    if (cairo_font_face_status(f->face) != CAIRO_STATUS_SUCCESS)
      return err_set(e, ERR_NOMEM, "cannot create the font face %s", d->name);
    f->name = d->name;
    f->family = d->family;
    f->bold = d->bold;
    f->italic = d->italic;
    f->path = font_path(reg->a, d);
    reg->n_fonts++;
  }
  return ERR_OK;
}

void render_fonts_fini(render_styles *reg, bool last) {
  for (size_t i = 0; i < reg->n_fonts; i++) cairo_font_face_destroy(reg->fonts[i].face);
  reg->n_fonts = 0;
  if (!last) return; /* another registry still uses cairo's font caches */
  /* fontconfig's configuration, loaded on first use, is process-wide: released with the last
   * registry (the server's, at stop, after its workers are joined) so leak checks stay clean. A
   * later registry loads it again. */
  cairo_debug_reset_static_data();
  FcFini();
}

static bool has_word(const char *s, size_t len, const char *w) {
  size_t n = strlen(w);
  for (size_t i = 0; i + n <= len; i++)
    if (strncasecmp(s + i, w, n) == 0) return true;
  return false;
}

const rfont *render_fonts_match(const render_styles *reg, const char *name, size_t len) {
  bool bold = has_word(name, len, "bold") || has_word(name, len, "black") ||
              has_word(name, len, "semibold");
  bool italic = has_word(name, len, "italic") || has_word(name, len, "oblique");
  for (size_t i = 0; i < reg->n_fonts; i++) {
    const rfont *f = &reg->fonts[i];
    size_t fl = strlen(f->family);
    if (len >= fl && strncasecmp(name, f->family, fl) == 0 && f->bold == bold &&
        f->italic == italic)
      return f;
  }
  return NULL;
}

const rfont *render_fonts_stack(const render_styles *reg, const rval *stack) {
  if (!reg || reg->n_fonts == 0) return NULL;
  for (size_t i = 0; stack && stack->kind == RV_ARRAY && i < stack->len; i++) {
    const rval *it = &stack->items[i];
    const rfont *f = it->kind == RV_STR ? render_fonts_match(reg, it->s, it->len) : NULL;
    if (f) return f;
  }
  if (stack && stack->kind == RV_STR) {
    const rfont *f = render_fonts_match(reg, stack->s, stack->len);
    if (f) return f;
  }
  return &reg->fonts[0];
}
