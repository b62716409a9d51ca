/* label.c — text labels of symbol layers: text-field, size, font, colour, halo, wrapping at
 * text-max-width, text-transform, padding and allow-overlap. Labels are horizontal. A point's
 * label is placed by text-anchor and text-offset as MapLibre's shaping places it: the wrapped
 * lines form one block (each line centred in it, text-justify's default), the block's anchor
 * point (its top centre for "top") sits on the feature's anchor moved by text-offset ems, and
 * the collision box is the placed block's. Line labels (symbol-placement line) stay centred at
 * the line's middle, not along it.
 *
 * Tiles of a mosaic agree on every label, so a label that crosses a tile edge is drawn whole
 * across it (the count of a large cluster on a seam used to be dropped by both tiles: 2 of 35
 * on six stitched z12 tiles of the demo). Three rules make that hold:
 *  - the anchor comes from the whole geometry or the cluster's position (anchor.c), the same
 *    for every tile;
 *  - on a tile, a label is drawn when its box meets the image, on every tile it meets (each
 *    draws its part, the parts join at the seam), provided it reaches no further from its anchor
 *    than the view's buffer: then each of those tiles fetched its feature. A wider label is
 *    drawn only wholly inside one tile. A static image draws only labels wholly inside it;
 *  - collisions are decided the same way on every tile: within a layer, candidates are ordered
 *    by a key of their own (larger clusters first, then north to south, west to east; features
 *    in the store's order, one order for the whole layer), and a
 *    label gives way to every earlier candidate whose box it meets, whether that one is drawn
 *    or not (so the decision depends on neighbours only, never on a chain running beyond the
 *    tile); across layers, upper layers win, judged against every label they placed, drawn here
 *    or not. Labels whose competitors lie beyond the buffer (32 px) can still differ between
 *    neighbours; allow-overlap labels, as cluster counts, never do. */
#include <math.h>
#include <stdlib.h>
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
  double size, x, y; /* device pixels; (x, y) is the feature's anchor */
  double cx, cy;     /* the centre of the placed block of lines */
  const char *lines[MAX_LINES];
  double widths[MAX_LINES];
  size_t n_lines;
} placed;

struct rlabels {
  arena *a;
  placed *items;     /* drawn on this image */
  size_t n, cap;
  box *wins;         /* every label placed by an upper layer, drawn here or beyond the edge */
  size_t n_wins, cap_wins;
};

typedef struct cand {  /* a label before collisions are decided */
  placed p;
  box b;
  double my, mx;       /* the anchor in EPSG:3857: the same on every tile */
  int64_t count;       /* cluster size (0 for a feature) */
  size_t order;        /* position in the store's order (ORDER BY id: the same on every tile) */
  bool allow_overlap;
} cand;

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

static bool meets(box a, box b) {
  return a.x0 < b.x1 && a.x1 > b.x0 && a.y0 < b.y1 && a.y1 > b.y0;
}

static bool grow(arena *a, void **p, size_t *cap, size_t n, size_t size) {
  if (n < *cap) return true;
  size_t c = *cap ? *cap * 2 : 64;
  void *q = arena_realloc(a, *p, *cap * size, c * size);
  if (!q) return false;
  *p = q, *cap = c;
  return true;
}

static bool push(rlabels *lb, const placed *p) {
  if (!grow(lb->a, (void **)&lb->items, &lb->cap, lb->n, sizeof *lb->items)) return false;
  lb->items[lb->n++] = *p;
  return true;
}

static bool push_win(rlabels *lb, box b) {
  if (!grow(lb->a, (void **)&lb->wins, &lb->cap_wins, lb->n_wins, sizeof *lb->wins)) return false;
  lb->wins[lb->n_wins++] = b;
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

static bool along_line(const rlayer *L, rctx *c) {
  const char *s;
  size_t n;
  return render_eval_text(L->props[RP_SYMBOL_PLACEMENT], c, &s, &n) && n >= 4 &&
         strncmp(s, "line", 4) == 0;
}

/* Where the centre of a w x h block goes (style spec: text-anchor, text-offset in ems, positive
 * right and down; an unknown anchor or a malformed offset draws as the default). */
static void place_block(const rlayer *L, rctx *c, double w, double h, placed *p) {
  ranchor at = {0.5, 0.5};
  double dx = 0, dy = 0;
  const char *s;
  size_t n;
  if (!along_line(L, c)) {
    if (render_eval_text(L->props[RP_TEXT_ANCHOR], c, &s, &n)) render_anchor_parse(s, n, &at);
    rval off = L->props[RP_TEXT_OFFSET] ? render_expr_eval(L->props[RP_TEXT_OFFSET], c)
                                        : (rval){.kind = RV_NULL};
    if (off.kind == RV_ARRAY && off.len == 2 && off.items[0].kind == RV_NUM &&
        off.items[1].kind == RV_NUM)
      dx = off.items[0].n * p->size, dy = off.items[1].n * p->size;
  }
  p->cx = p->x + dx + (0.5 - at.h) * w;
  p->cy = p->y + dy + (0.5 - at.v) * h;
}

/* Text, font, lines and box of one label; false when it has nothing to show. */
static bool measure(cairo_t *cr, rlabels *lb, const render_styles *reg, const rlayer *L,
                    size_t layer_index, const rgeom *it, rctx *c, const rview_px *v, cand *out) {
  char *text = label_text(L, c, lb->a);
  if (!text) return false;
  placed p = {.layer = layer_index, .L = L, .f = &it->f, .x = it->label.x, .y = it->label.y};
  p.size = render_eval_num(L->props[RP_TEXT_SIZE], c, 16) * v->ratio;
  if (p.size <= 0) return false;
  rval stack = L->props[RP_TEXT_FONT] ? render_expr_eval(L->props[RP_TEXT_FONT], c)
                                      : (rval){.kind = RV_NULL};
  p.font = render_fonts_stack(reg, &stack);
  if (!p.font) return false;
  cairo_set_font_face(cr, p.font->face);
  cairo_set_font_size(cr, p.size);
  wrap(cr, lb->a, text, render_eval_num(L->props[RP_TEXT_MAX_WIDTH], c, 10) * p.size, &p);
  if (p.n_lines == 0) return false;
  double w = 0, h = p.n_lines * 1.2 * p.size;
  for (size_t i = 0; i < p.n_lines; i++) w = p.widths[i] > w ? p.widths[i] : w;
  place_block(L, c, w, h, &p);
  double pad = render_eval_num(L->props[RP_TEXT_PADDING], c, 2) * v->ratio;
  double halo = render_eval_num(L->props[RP_TEXT_HALO_W], c, 0) * v->ratio;
  *out = (cand){.p = p,
                .b = {p.cx - w / 2 - pad - halo, p.cy - h / 2 - pad - halo,
                      p.cx + w / 2 + pad + halo, p.cy + h / 2 + pad + halo},
                .mx = v->min_mx + p.x * v->res, .my = v->max_my - p.y * v->res,
                .count = it->f.point_count,
                .allow_overlap = render_eval_bool(L->props[RP_TEXT_ALLOW_OVERLAP], c, false)};
  return true;
}

/* Larger clusters first, clusters of a size north to south then west to east; features in the
 * store's order (ORDER BY id), one order over the whole layer. */
static int cmp_cand(const void *a, const void *b) {
  const cand *x = a, *y = b;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  if (x->count > 0 && x->my != y->my) return x->my > y->my ? -1 : 1;
  if (x->count > 0 && x->mx != y->mx) return x->mx < y->mx ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* Whether this image draws c (see the opening comment). */
static bool shown(const cand *c, const rview_px *v) {
  box b = c->b;
  bool inside = b.x0 >= 0 && b.y0 >= 0 && b.x1 <= v->width && b.y1 <= v->height;
  if (inside || !v->is_tile) return inside;
  double reach = fmax(fmax(c->p.x - b.x0, b.x1 - c->p.x), fmax(c->p.y - b.y0, b.y1 - c->p.y));
  return reach <= v->buffer && b.x1 > 0 && b.y1 > 0 && b.x0 < v->width && b.y0 < v->height;
}

/* Decides the candidates of one layer in their order: each gives way to the upper layers'
 * labels and to every earlier candidate it meets. */
static void decide(rlabels *lb, cand *cs, size_t n, const rview_px *v) {
  qsort(cs, n, sizeof *cs, cmp_cand);
  size_t first_win = lb->n_wins;
  for (size_t i = 0; i < n; i++) {
    bool blocked = false;
    if (!cs[i].allow_overlap) {
      for (size_t k = 0; k < first_win && !blocked; k++) blocked = meets(cs[i].b, lb->wins[k]);
      for (size_t j = 0; j < i && !blocked; j++) blocked = meets(cs[i].b, cs[j].b);
    }
    if (blocked) continue;
    push_win(lb, cs[i].b);
    if (shown(&cs[i], v)) push(lb, &cs[i].p);
  }
}

void render_labels_place(cairo_t *cr, rlabels *lb, const render_styles *reg, const rlayer *L,
                         size_t layer_index, const rfeatures *fs, const rview_px *v) {
  if (!lb || !L->props[RP_TEXT_FIELD]) return;
  rctx c = {.zoom = v->zoom, .scratch = lb->a};
  cand *cs = fs->n ? arena_alloc(lb->a, fs->n * sizeof *cs) : NULL;
  size_t n = 0;
  for (size_t i = 0; cs && i < fs->n && n < MAX_LABELS && !render_out_of_time(v, i); i++) {
    const rgeom *it = &fs->items[i];
    if (!it->has_label) continue;
    c.f = &it->f;
    if (L->filter && !render_val_truthy(render_expr_eval(L->filter, &c))) continue;
    if (measure(cr, lb, reg, L, layer_index, it, &c, v, &cs[n])) cs[n++].order = i;
  }
  if (n) decide(lb, cs, n, v);
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
    double top = p->cy - p->n_lines * 1.2 * p->size / 2;
    for (size_t k = 0; k < p->n_lines; k++) {
      /* the baseline sits so the line's ascent+descent is centred in its 1.2 em slot */
      double base = top + (k + 0.5) * 1.2 * p->size + (fe.ascent - fe.descent) / 2;
      cairo_move_to(cr, p->cx - p->widths[k] / 2, base);
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
