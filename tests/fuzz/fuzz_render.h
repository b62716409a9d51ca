/* fuzz_render.h — what the style targets share: a feature with fields of every type (as
 * tests/unit/render/test_expr.c builds it) and the checks on an evaluated expression. */
#ifndef TESELAS_FUZZ_RENDER_H
#define TESELAS_FUZZ_RENDER_H

#include <math.h>
#include <stdlib.h>

#include "render/render_int.h"

static const layer_field FUZZ_FIELDS[] = {{"nombre", "Nombre", FIELD_TEXT},
                                          {"estado", "Estado", FIELD_TEXT},
                                          {"superficie", "Superficie", FIELD_REAL},
                                          {"juegos", "Juegos", FIELD_BOOLEAN},
                                          {"n", "N", FIELD_INTEGER},
                                          {"vacio", "Vacío", FIELD_TEXT}};
static const value FUZZ_VALUES[] = {{.kind = VALUE_TEXT, .s = "Parque Niño Héroe", .len = 18},
                                    {.kind = VALUE_TEXT, .s = "abandonado", .len = 10},
                                    {.kind = VALUE_REAL, .d = 1500.5},
                                    {.kind = VALUE_BOOL, .i = 1},
                                    {.kind = VALUE_INT, .i = -7},
                                    {.kind = VALUE_NULL}};

/* Evaluates x twice (evaluation is pure: the same answer both times) and checks what it gives:
 * a colour has finite components, a string has its bytes. */
static inline void fuzz_render_eval(const rexpr *x, const rctx *c) {
  if (!x) return;
  rval v = render_expr_eval(x, c), w = render_expr_eval(x, c);
  if (v.kind != w.kind || v.kind > RV_ARRAY) abort();
  if (v.kind == RV_NUM && !(v.n == w.n || (isnan(v.n) && isnan(w.n)))) abort();
  if (v.kind == RV_STR && v.len && !v.s) abort();
  rcolor k = render_eval_color(x, c, (rcolor){0, 0, 0, 1});
  if (!isfinite(k.r) || !isfinite(k.g) || !isfinite(k.b) || !isfinite(k.a)) abort();
  (void)render_eval_num(x, c, 0);
  (void)render_eval_bool(x, c, false);
  const char *s;
  size_t n;
  if (render_eval_text(x, c, &s, &n) && n && !s) abort();
}

/* Evaluates x for a polygon with every field, a cluster of 12 points and a line without fields,
 * at zooms 0, 12.5 and 24. */
static inline void fuzz_render_eval_all(const rexpr *x, arena *scratch) {
  static const layer_info LAYER = {.id = "parques", .fields = (layer_field *)FUZZ_FIELDS,
                                   .n_fields = 6};
  const rfeature fs[] = {
      {.layer = &LAYER, .values = FUZZ_VALUES, .id = 7, .type = GEOM_POLYGON},
      {.layer = &LAYER, .values = NULL, .id = 8, .type = GEOM_POINT, .point_count = 12},
      {.layer = NULL, .values = NULL, .id = 0, .type = GEOM_LINESTRING}};
  static const double ZOOMS[] = {0, 12.5, 24};
  for (size_t i = 0; i < sizeof fs / sizeof *fs; i++)
    for (size_t z = 0; z < 3; z++) fuzz_render_eval(x, &(rctx){ZOOMS[z], &fs[i], scratch});
}

#endif
