/* auto_contrast.c — the edges that keep every point and line of an automatic style legible.
 *
 * WCAG 2.1 SC 1.4.11 (non-text contrast) asks 3:1 between a graphical object and the colours next
 * to it. On the light grounds a map is drawn on, Okabe-Ito's yellow (1.3:1), sky blue (2.0:1) and
 * orange (1.9:1) fall short, and so does the white stroke the circles had. So the edge of each
 * point, line and outline (a circle's stroke, a line's casing, a polygon's outline) is a colour
 * chosen by its contrast ratio (WCAG 2.1 relative luminance and contrast ratio definitions)
 * against every ground: the colour itself when it passes, else the lightest darker shade of it
 * (its channels scaled down together, so the hue stays and categories stay told apart by their
 * edges too). The fills keep the palette as it is. A translucent edge is judged as it shows:
 * blended over each ground. This file does not decide which layers get an edge (auto.c). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/auto_int.h"

/* The grounds an automatic style is drawn on: its own background, and the land of a light
 * basemap under it (OpenStreetMap Carto's #f2efe9, white at its lightest). */
static const char *const GROUNDS[] = {AUTO_BACKGROUND, "#f2efe9", "#ffffff"};

typedef struct rgb8 {
  double c[3]; /* 0..255 */
} rgb8;

static bool parse_hex(const char *hex, rgb8 *out) {
  unsigned r, g, b;
  if (!hex || strlen(hex) != 7 || sscanf(hex, "#%2x%2x%2x", &r, &g, &b) != 3) return false;
  *out = (rgb8){{r, g, b}};
  return true;
}

/* WCAG 2.1 relative luminance of an sRGB colour given as 0..255 channels. */
static double luminance(rgb8 v) {
  static const double W[3] = {0.2126, 0.7152, 0.0722};
  double l = 0;
  for (int i = 0; i < 3; i++) {
    double s = v.c[i] / 255.0;
    l += W[i] * (s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4));
  }
  return l;
}

static double ratio(double la, double lb) {
  return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

enum { N_GROUNDS = sizeof GROUNDS / sizeof *GROUNDS };

typedef struct grounds {
  rgb8 c[N_GROUNDS];
  double lum[N_GROUNDS];
} grounds;

static void grounds_read(grounds *g) {
  for (size_t i = 0; i < N_GROUNDS; i++) {
    parse_hex(GROUNDS[i], &g->c[i]);
    g->lum[i] = luminance(g->c[i]);
  }
}

/* The least contrast of colour v drawn at opacity over any ground. */
static double least_contrast(rgb8 v, double opacity, const grounds *g) {
  double least = INFINITY, opaque = opacity >= 1 ? luminance(v) : 0;
  for (size_t i = 0; i < N_GROUNDS; i++) {
    rgb8 shown;
    for (int k = 0; k < 3; k++) shown.c[k] = opacity * v.c[k] + (1 - opacity) * g->c[i].c[k];
    least = fmin(least, ratio(opacity >= 1 ? opaque : luminance(shown), g->lum[i]));
  }
  return least;
}

double auto_contrast_least(const char *hex, double opacity) {
  rgb8 v;
  grounds g;
  grounds_read(&g);
  return parse_hex(hex, &v) ? least_contrast(v, opacity, &g) : 0;
}

/* v's channels times step/255, rounded. */
static rgb8 shade(rgb8 v, int step) {
  rgb8 s;
  for (int k = 0; k < 3; k++) s.c[k] = round(v.c[k] * step / 255.0);
  return s;
}

auto_hex auto_edge(const char *hex, double opacity) {
  rgb8 v;
  grounds g;
  grounds_read(&g);
  if (!parse_hex(hex, &v)) v = (rgb8){{0, 0, 0}};
  /* The lightest shade of the 256 from the colour (step 255) to black (step 0) that passes: the
   * nearest to the fill it edges. The grounds are light, so a shade passes once its luminance is
   * low enough, and every darker one passes too: a binary search for the highest step that
   * passes (8 evaluations instead of up to 256; this runs for every colour of every automatic
   * style a request builds). Black passes unless the opacity is too low for any edge. */
  int lo = 0, hi = 255; /* invariant: the answer is in [lo, hi] */
  if (least_contrast(v, opacity, &g) >= AUTO_MIN_CONTRAST) lo = 255;
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    if (least_contrast(shade(v, mid), opacity, &g) >= AUTO_MIN_CONTRAST) lo = mid;
    else hi = mid - 1;
  }
  rgb8 s = shade(v, lo);
  auto_hex out;
  snprintf(out.s, sizeof out.s, "#%02x%02x%02x", (unsigned)s.c[0], (unsigned)s.c[1],
           (unsigned)s.c[2]);
  return out;
}

/* Calls fn on every output colour of a colour expression as auto.c writes them: a literal, a
 * `match` (outputs at 3, 5, …, and the fallback) or a `step` (outputs at 2, 4, …). */
static void each_output(json_t *x, void (*fn)(json_t *arr, size_t i, void *ctx), void *ctx) {
  if (!json_is_array(x)) return;
  const char *op = json_string_value(json_array_get(x, 0));
  size_t n = json_array_size(x);
  if (op && strcmp(op, "match") == 0) {
    for (size_t i = 3; i + 1 < n; i += 2) fn(x, i, ctx);
    if (n > 2) fn(x, n - 1, ctx); /* the fallback */
  } else if (op && strcmp(op, "step") == 0) {
    for (size_t i = 2; i < n; i += 2) fn(x, i, ctx);
  }
}

typedef struct edge_ctx {
  double opacity;
  bool all_pass;
} edge_ctx;

static void check_one(json_t *arr, size_t i, void *ctx) {
  edge_ctx *c = ctx;
  if (auto_contrast_least(json_string_value(json_array_get(arr, i)), c->opacity) <
      AUTO_MIN_CONTRAST)
    c->all_pass = false;
}

static void edge_one(json_t *arr, size_t i, void *ctx) {
  edge_ctx *c = ctx;
  auto_hex h = auto_edge(json_string_value(json_array_get(arr, i)), c->opacity);
  json_array_set_new(arr, i, json_string(h.s));
}

bool auto_expr_has_contrast(json_t *color, double opacity) {
  if (json_is_string(color)) return auto_contrast_least(json_string_value(color), opacity) >=
                                    AUTO_MIN_CONTRAST;
  edge_ctx c = {opacity, true};
  each_output(color, check_one, &c);
  return c.all_pass;
}

json_t *auto_edge_expr(json_t *color, double opacity) {
  if (json_is_string(color)) return json_string(auto_edge(json_string_value(color), opacity).s);
  json_t *out = json_deep_copy(color);
  edge_ctx c = {opacity, true};
  each_output(out, edge_one, &c);
  return out;
}
