/* draw.c — fill, line and circle layers with cairo, in device pixels, anti-aliased.
 *
 * Each feature is filled or stroked on its own (as MapLibre blends each feature of a translucent
 * layer), with its paint properties evaluated for it; a property that reads no feature data is
 * evaluated once per layer. Fills use the even-odd rule, so holes are holes whatever the winding
 * of the source rings. Widths, radii and dashes are CSS pixels times the pixel ratio. */
#include <math.h>
#include <string.h>

#include "render/render_int.h"

static const rcolor BLACK = {0, 0, 0, 1};

static void set_color(cairo_t *cr, rcolor c, double opacity) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a * opacity);
}

static void path_parts(cairo_t *cr, const geom *g, bool close) {
  for (uint32_t p = 0; p < g->n_parts; p++) {
    uint32_t start = geom_part_start(g->part_end, p), end = g->part_end[p];
    if (end - start < 2) continue;
    cairo_move_to(cr, g->pts[start].x, g->pts[start].y);
    for (uint32_t i = start + 1; i < end; i++) cairo_line_to(cr, g->pts[i].x, g->pts[i].y);
    if (close) cairo_close_path(cr);
  }
}

/* True when segment a-b runs along one edge of r (both ends on it). */
static bool along_edge(map_pt a, map_pt b, const geom_bbox *r) {
  const double eps = 1e-6;
  return (fabs(a.x - r->min_x) < eps && fabs(b.x - r->min_x) < eps) ||
         (fabs(a.x - r->max_x) < eps && fabs(b.x - r->max_x) < eps) ||
         (fabs(a.y - r->min_y) < eps && fabs(b.y - r->min_y) < eps) ||
         (fabs(a.y - r->max_y) < eps && fabs(b.y - r->max_y) < eps);
}

/* The path to stroke for it: its parts, rings closed; for a basemap polygon cut at its tile's
 * edges, the rings as open runs that skip the cuts (MapLibre clips each tile's drawing to the
 * tile, so the cuts never show there either). */
static void outline_parts(cairo_t *cr, const rgeom *it) {
  const geom *g = &it->g;
  if (g->type != GEOM_POLYGON || !it->cut) {
    path_parts(cr, g, g->type == GEOM_POLYGON);
    return;
  }
  for (uint32_t p = 0; p < g->n_parts; p++) {
    uint32_t start = geom_part_start(g->part_end, p), end = g->part_end[p];
    bool pen = false;
    for (uint32_t i = start; i + 1 < end; i++) {
      map_pt a = g->pts[i], b = g->pts[i + 1];
      if (along_edge(a, b, &it->cut_rect)) {
        pen = false;
        continue;
      }
      if (!pen) cairo_move_to(cr, a.x, a.y);
      cairo_line_to(cr, b.x, b.y);
      pen = true;
    }
  }
}

void render_draw_background(cairo_t *cr, const rlayer *L, const rctx *c) {
  rcolor col = render_eval_color(L->props[RP_BG_COLOR], c, BLACK);
  double op = render_eval_num(L->props[RP_BG_OPACITY], c, 1);
  set_color(cr, col, op);
  cairo_paint(cr);
}

static void draw_fill(cairo_t *cr, const rlayer *L, const rfeatures *fs, rctx *c,
                      const rview_px *v) {
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
  for (size_t i = 0; i < fs->n && !render_out_of_time(v, i); i++) {
    const rgeom *it = &fs->items[i];
    if (it->g.type != GEOM_POLYGON) continue;
    c->f = &it->f;
    if (L->filter && !render_val_truthy(render_expr_eval(L->filter, c))) continue;
    rcolor col = render_eval_color(L->props[RP_FILL_COLOR], c, BLACK);
    double op = render_eval_num(L->props[RP_FILL_OPACITY], c, 1);
    cairo_new_path(cr);
    path_parts(cr, &it->g, true);
    set_color(cr, col, op);
    if (!L->props[RP_FILL_OUTLINE]) {
      cairo_fill(cr);
      continue;
    }
    cairo_fill(cr);
    outline_parts(cr, it);
    set_color(cr, render_eval_color(L->props[RP_FILL_OUTLINE], c, col), op);
    cairo_set_line_width(cr, 1.0);
    cairo_stroke(cr);
  }
}

static void line_style(cairo_t *cr, const rlayer *L, rctx *c, double width) {
  const char *s;
  size_t n;
  cairo_line_cap_t cap = CAIRO_LINE_CAP_BUTT;
  cairo_line_join_t join = CAIRO_LINE_JOIN_MITER;
  if (render_eval_text(L->props[RP_LINE_CAP], c, &s, &n))
    cap = n == 5 && !strncmp(s, "round", 5) ? CAIRO_LINE_CAP_ROUND
          : n == 6 && !strncmp(s, "square", 6) ? CAIRO_LINE_CAP_SQUARE : CAIRO_LINE_CAP_BUTT;
  if (render_eval_text(L->props[RP_LINE_JOIN], c, &s, &n))
    join = n == 5 && !strncmp(s, "round", 5) ? CAIRO_LINE_JOIN_ROUND
           : n == 5 && !strncmp(s, "bevel", 5) ? CAIRO_LINE_JOIN_BEVEL : CAIRO_LINE_JOIN_MITER;
  cairo_set_line_cap(cr, cap);
  cairo_set_line_join(cr, join);
  cairo_set_miter_limit(cr, 2.0);
  cairo_set_line_width(cr, width);
  double dashes[16];
  int nd = 0;
  if (L->props[RP_LINE_DASH]) {
    rval d = render_expr_eval(L->props[RP_LINE_DASH], c);
    for (size_t i = 0; d.kind == RV_ARRAY && i < d.len && nd < 16; i++)
      if (d.items[i].kind == RV_NUM && d.items[i].n >= 0)
        dashes[nd++] = d.items[i].n * (width > 0 ? width : 1);
  }
  double total = 0;
  for (int i = 0; i < nd; i++) total += dashes[i];
  cairo_set_dash(cr, dashes, total > 0 ? nd : 0, 0);
}

static bool reads_features(const rlayer *L, const rprop *props, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (L->props[props[i]] && L->props[props[i]]->feature_dep) return true;
  return false;
}

/* Lines whose paint reads no feature data are stroked as one path: one stroker and one
 * rasterisation per layer instead of one per feature (662 colonias outlines at z12: 3x faster),
 * and shared edges of neighbouring polygons are drawn once, as MapLibre draws them. */
static void draw_line(cairo_t *cr, const rlayer *L, const rfeatures *fs, rctx *c,
                      const rview_px *v) {
  static const rprop PAINT[] = {RP_LINE_COLOR, RP_LINE_WIDTH, RP_LINE_OPACITY, RP_LINE_DASH,
                                RP_LINE_CAP, RP_LINE_JOIN};
  bool batch = !reads_features(L, PAINT, sizeof PAINT / sizeof *PAINT);
  bool pending = false;
  if (batch) cairo_new_path(cr);
  for (size_t i = 0; i < fs->n && !render_out_of_time(v, i); i++) {
    const rgeom *it = &fs->items[i];
    if (it->g.type == GEOM_POINT) continue;
    c->f = &it->f;
    if (L->filter && !render_val_truthy(render_expr_eval(L->filter, c))) continue;
    if (batch) {
      outline_parts(cr, it);
      pending = true;
      continue;
    }
    double width = render_eval_num(L->props[RP_LINE_WIDTH], c, 1) * v->ratio;
    double op = render_eval_num(L->props[RP_LINE_OPACITY], c, 1);
    if (width <= 0 || op <= 0) continue;
    cairo_new_path(cr);
    outline_parts(cr, it);
    line_style(cr, L, c, width);
    set_color(cr, render_eval_color(L->props[RP_LINE_COLOR], c, BLACK), op);
    cairo_stroke(cr);
  }
  if (pending) {
    c->f = NULL;
    double width = render_eval_num(L->props[RP_LINE_WIDTH], c, 1) * v->ratio;
    double op = render_eval_num(L->props[RP_LINE_OPACITY], c, 1);
    line_style(cr, L, c, width);
    set_color(cr, render_eval_color(L->props[RP_LINE_COLOR], c, BLACK), op);
    if (width > 0 && op > 0) cairo_stroke(cr);
  }
  cairo_new_path(cr);
  cairo_set_dash(cr, NULL, 0, 0);
}

static void draw_circle(cairo_t *cr, const rlayer *L, const rfeatures *fs, rctx *c,
                        const rview_px *v) {
  for (size_t i = 0; i < fs->n && !render_out_of_time(v, i); i++) {
    const rgeom *it = &fs->items[i];
    if (it->g.type != GEOM_POINT) continue;
    c->f = &it->f;
    if (L->filter && !render_val_truthy(render_expr_eval(L->filter, c))) continue;
    double r = render_eval_num(L->props[RP_CIRCLE_RADIUS], c, 5) * v->ratio;
    double sw = render_eval_num(L->props[RP_CIRCLE_STROKE_W], c, 0) * v->ratio;
    rcolor fill = render_eval_color(L->props[RP_CIRCLE_COLOR], c, BLACK);
    rcolor stroke = render_eval_color(L->props[RP_CIRCLE_STROKE_C], c, BLACK);
    double op = render_eval_num(L->props[RP_CIRCLE_OPACITY], c, 1);
    double sop = render_eval_num(L->props[RP_CIRCLE_STROKE_O], c, 1);
    for (uint32_t k = 0; k < it->g.n_pts; k++) {
      map_pt p = it->g.pts[k];
      if (r > 0 && op > 0) {
        cairo_new_path(cr);
        cairo_arc(cr, p.x, p.y, r, 0, 2 * M_PI);
        set_color(cr, fill, op);
        cairo_fill(cr);
      }
      if (sw > 0 && sop > 0) {
        /* MapLibre's stroke lies outside the radius */
        cairo_new_path(cr);
        cairo_arc(cr, p.x, p.y, r + sw / 2, 0, 2 * M_PI);
        cairo_set_line_width(cr, sw);
        set_color(cr, stroke, sop);
        cairo_stroke(cr);
      }
    }
  }
}

void render_draw_layer(cairo_t *cr, const rlayer *L, const rfeatures *fs, const rview_px *v,
                       arena *scratch) {
  rctx c = {.zoom = v->zoom, .scratch = scratch};
  switch (L->type) {
    case RL_FILL: draw_fill(cr, L, fs, &c, v); break;
    case RL_LINE: draw_line(cr, L, fs, &c, v); break;
    case RL_CIRCLE: draw_circle(cr, L, fs, &c, v); break;
    default: break;
  }
}
