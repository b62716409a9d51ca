/* label.c — text labels of symbol layers: text-field, size, font, colour, halo, wrapping at
 * text-max-width, text-transform, padding and allow-overlap.
 *
 * Collision-free: a label is placed only when its box (with text-padding) meets no placed box.
 * Never cut at an image edge: a label is placed only when its box lies wholly inside the image,
 * and its anchor comes from the whole geometry, so two neighbouring tiles either both skip a
 * label near their seam or draw it wholly inside one of them. Labels are horizontal and centred
 * on the anchor (line labels sit at the line's middle, not along it). */
#include <string.h>

#include "render/render_int.h"

enum { MAX_LINES = 6, MAX_LABELS = 4096, MAX_TEXT = 256 };

typedef struct box {
  double x0, y0, x1, y1;
} box;

typedef struct placed {
  size_t layer;
  const rlayer *L;
  const rfeature *f;
  const rfont *font;
  double size, x, y; /* device pixels; (x, y) is the centre */
  const char *lines[MAX_LINES];
  double widths[MAX_LINES];
  size_t n_lines;
} placed;

struct rlabels {
  arena *a;
  placed *items;
  box *boxes;
  size_t n, cap;
};

rlabels *render_labels_create(arena *a) {
  rlabels *lb = arena_calloc(a, 1, sizeof *lb);
  if (lb) lb->a = a;
  return lb;
}

uint32_t render_labels_count(const rlabels *lb) { return lb ? (uint32_t)lb->n : 0; }

/* Upper- or lower-cases ASCII and the Latin-1 letters of UTF-8 (á é í ó ú ü ñ ...). */
static void transform_case(char *s, bool upper) {
  for (unsigned char *p = (unsigned char *)s; *p; p++) {
    if (*p < 0x80) {
      if (upper && *p >= 'a' && *p <= 'z') *p -= 32;
      if (!upper && *p >= 'A' && *p <= 'Z') *p += 32;
    } else if (*p == 0xC3 && p[1]) {
      unsigned char c = p[1];
      if (upper && c >= 0xA0 && c <= 0xBE && c != 0xB7) p[1] = c - 0x20;
      if (!upper && c >= 0x80 && c <= 0x9E && c != 0x97) p[1] = c + 0x20;
      p++;
    }
  }
}

static double text_width(cairo_t *cr, const char *s) {
  cairo_text_extents_t ext;
  cairo_text_extents(cr, s, &ext);
  return ext.x_advance;
}

static void emit_line(cairo_t *cr, arena *a, const char *s, size_t n, placed *p) {
  char *copy = p->n_lines < MAX_LINES ? arena_strndup(a, s, n) : NULL;
  if (!copy) return;
  p->lines[p->n_lines] = copy;
  p->widths[p->n_lines] = text_width(cr, copy);
  p->n_lines++;
}

/* Greedy wrap at spaces to max_w device pixels (a word longer than max_w keeps its own line);
 * lines are NUL-terminated copies in the arena. */
static void wrap(cairo_t *cr, arena *a, char *text, double max_w, placed *p) {
  p->n_lines = 0;
  size_t start = 0, last_fit = 0; /* current line is text[start, last_fit) */
  size_t n = strlen(text);
  for (size_t i = 0; i <= n; i++) {
    if (text[i] != ' ' && text[i] != '\0') continue;
    char saved = text[i];
    text[i] = '\0';
    bool fits = text_width(cr, text + start) <= max_w;
    text[i] = saved;
    if (!fits && last_fit > start) {
      emit_line(cr, a, text + start, last_fit - start, p);
      start = last_fit + 1;
      i = start - 1; /* measure the words after the break again */
      last_fit = start;
      continue;
    }
    last_fit = i;
  }
  if (start < n) emit_line(cr, a, text + start, n - start, p);
}

static bool collides(const rlabels *lb, box b) {
  for (size_t i = 0; i < lb->n; i++) {
    const box *o = &lb->boxes[i];
    if (b.x0 < o->x1 && b.x1 > o->x0 && b.y0 < o->y1 && b.y1 > o->y0) return true;
  }
  return false;
}

static bool push(rlabels *lb, const placed *p, box b) {
  if (lb->n == lb->cap) {
    size_t cap = lb->cap ? lb->cap * 2 : 64;
    placed *items = arena_realloc(lb->a, lb->items, lb->cap * sizeof *items, cap * sizeof *items);
    box *boxes = arena_realloc(lb->a, lb->boxes, lb->cap * sizeof *boxes, cap * sizeof *boxes);
    if (!items || !boxes) return false;
    lb->items = items, lb->boxes = boxes, lb->cap = cap;
  }
  lb->items[lb->n] = *p;
  lb->boxes[lb->n] = b;
  lb->n++;
  return true;
}

/* The text of the feature, transformed, as a NUL-terminated arena string (NULL when empty). */
static char *label_text(const rlayer *L, rctx *c, arena *a) {
  const char *s;
  size_t n;
  if (!render_eval_text(L->props[RP_TEXT_FIELD], c, &s, &n) || n == 0) return NULL;
  char *t = arena_strndup(a, s, n < MAX_TEXT ? n : MAX_TEXT);
  const char *tr;
  size_t tn;
  if (t && render_eval_text(L->props[RP_TEXT_TRANSFORM], c, &tr, &tn) && tn == 9)
    transform_case(t, strncmp(tr, "uppercase", 9) == 0);
  return t;
}

static void place_one(cairo_t *cr, rlabels *lb, const render_styles *reg, const rlayer *L,
                      size_t layer_index, const rgeom *it, rctx *c, const rview_px *v) {
  char *text = label_text(L, c, lb->a);
  if (!text) return;
  placed p = {.layer = layer_index, .L = L, .f = &it->f, .x = it->label.x, .y = it->label.y};
  p.size = render_eval_num(L->props[RP_TEXT_SIZE], c, 16) * v->ratio;
  if (p.size <= 0) return;
  rval stack = L->props[RP_TEXT_FONT] ? render_expr_eval(L->props[RP_TEXT_FONT], c)
                                      : (rval){.kind = RV_NULL};
  p.font = render_fonts_stack(reg, &stack);
  if (!p.font) return;
  cairo_set_font_face(cr, p.font->face);
  cairo_set_font_size(cr, p.size);
  wrap(cr, lb->a, text, render_eval_num(L->props[RP_TEXT_MAX_WIDTH], c, 10) * p.size, &p);
  if (p.n_lines == 0) return;
  double w = 0, h = p.n_lines * 1.2 * p.size;
  for (size_t i = 0; i < p.n_lines; i++) w = p.widths[i] > w ? p.widths[i] : w;
  double pad = render_eval_num(L->props[RP_TEXT_PADDING], c, 2) * v->ratio;
  double halo = render_eval_num(L->props[RP_TEXT_HALO_W], c, 0) * v->ratio;
  box b = {p.x - w / 2 - pad - halo, p.y - h / 2 - pad - halo, p.x + w / 2 + pad + halo,
           p.y + h / 2 + pad + halo};
  if (b.x0 < 0 || b.y0 < 0 || b.x1 > v->width || b.y1 > v->height) return;
  if (!render_eval_bool(L->props[RP_TEXT_ALLOW_OVERLAP], c, false) && collides(lb, b)) return;
  push(lb, &p, b);
}

void render_labels_place(cairo_t *cr, rlabels *lb, const render_styles *reg, const rlayer *L,
                         size_t layer_index, const rfeatures *fs, const rview_px *v) {
  if (!lb || !L->props[RP_TEXT_FIELD]) return;
  rctx c = {.zoom = v->zoom, .scratch = lb->a};
  for (size_t i = 0; i < fs->n && lb->n < MAX_LABELS; i++) {
    const rgeom *it = &fs->items[i];
    if (!it->has_label) continue;
    c.f = &it->f;
    if (L->filter && !render_val_truthy(render_expr_eval(L->filter, &c))) continue;
    place_one(cr, lb, reg, L, layer_index, it, &c, v);
  }
}

void render_labels_draw(cairo_t *cr, const rlabels *lb, size_t layer_index, const rview_px *v) {
  static const rcolor BLACK = {0, 0, 0, 1}, CLEAR = {0, 0, 0, 0};
  cairo_save(cr);
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT); /* small text needs the fine sample grid */
  for (size_t i = 0; lb && i < lb->n; i++) {
    const placed *p = &lb->items[i];
    if (p->layer != layer_index) continue;
    rctx c = {.zoom = v->zoom, .f = p->f, .scratch = lb->a};
    rcolor col = render_eval_color(p->L->props[RP_TEXT_COLOR], &c, BLACK);
    rcolor halo = render_eval_color(p->L->props[RP_TEXT_HALO_C], &c, CLEAR);
    double hw = render_eval_num(p->L->props[RP_TEXT_HALO_W], &c, 0) * v->ratio;
    double op = render_eval_num(p->L->props[RP_TEXT_OPACITY], &c, 1);
    cairo_set_font_face(cr, p->font->face);
    cairo_set_font_size(cr, p->size);
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    cairo_new_path(cr);
    double top = p->y - p->n_lines * 1.2 * p->size / 2;
    for (size_t k = 0; k < p->n_lines; k++) {
      /* the baseline sits so the line's ascent+descent is centred in its 1.2 em slot */
      double base = top + (k + 0.5) * 1.2 * p->size + (fe.ascent - fe.descent) / 2;
      cairo_move_to(cr, p->x - p->widths[k] / 2, base);
      cairo_text_path(cr, p->lines[k]);
    }
    if (hw > 0 && halo.a > 0) {
      cairo_set_source_rgba(cr, halo.r, halo.g, halo.b, halo.a * op);
      cairo_set_line_width(cr, 2 * hw);
      cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
      cairo_stroke_preserve(cr);
    }
    cairo_set_source_rgba(cr, col.r, col.g, col.b, col.a * op);
    cairo_fill(cr);
  }
  cairo_restore(cr);
}
