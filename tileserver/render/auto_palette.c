/* auto_palette.c — the colours of automatic styles, with the names a legend reads aloud.
 *
 * Categories: Okabe & Ito's eight colours (distinguishable with the common colour-vision
 * deficiencies; black left out, it is the labels' colour), continued by four of Paul Tol's
 * "muted" scheme for up to 12 values. Classes: ColorBrewer's YlOrRd sequential scheme for 2 to 9
 * classes (light = few, dark = many), which reads in grey too. A legend never relies on colour
 * alone: each item also has its label and its colour's name (Spanish). */
#include <string.h>

#include "render/auto_int.h"

static const auto_colour CATEGORICAL[] = {
    {"#e69f00", "naranja"},        {"#56b4e9", "azul cielo"},   {"#009e73", "verde azulado"},
    {"#f0e442", "amarillo"},       {"#0072b2", "azul"},         {"#d55e00", "bermellón"},
    {"#cc79a7", "rosa púrpura"},   {"#882255", "vino"},         {"#44aa99", "turquesa"},
    {"#999933", "oliva"},          {"#aa4499", "morado"},       {"#332288", "índigo"},
};

static const auto_colour OTHER = {"#bbbbbb", "gris"};

/* YlOrRd, by number of classes (ColorBrewer 2.0, Cynthia Brewer, Apache-2.0 licence). */
static const char *const YLORRD[8][9] = {
    {"#ffeda0", "#f03b20"},
    {"#ffeda0", "#feb24c", "#f03b20"},
    {"#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"},
    {"#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"},
    {"#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"},
    {"#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"},
    {"#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"},
    {"#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026",
     "#800026"},
};

/* The name of each colour of the scheme: what a legend read aloud says. */
static const char *seq_name(const char *hex) {
  static const char *const NAMES[][2] = {
      {"#ffffcc", "amarillo muy claro"}, {"#ffffb2", "amarillo muy claro"},
      {"#ffeda0", "amarillo claro"},     {"#fed976", "amarillo"},
      {"#fecc5c", "amarillo anaranjado"}, {"#feb24c", "naranja claro"},
      {"#fd8d3c", "naranja"},            {"#fc4e2a", "naranja rojizo"},
      {"#f03b20", "rojo"},               {"#e31a1c", "rojo"},
      {"#bd0026", "rojo oscuro"},        {"#b10026", "rojo oscuro"},
      {"#800026", "granate"}};
  for (size_t i = 0; i < sizeof NAMES / sizeof *NAMES; i++)
    if (strcmp(NAMES[i][0], hex) == 0) return NAMES[i][1];
  return "rojo";
}

auto_colour auto_palette_category(size_t i) {
  return i < sizeof CATEGORICAL / sizeof *CATEGORICAL ? CATEGORICAL[i] : OTHER;
}

auto_colour auto_palette_other(void) { return OTHER; }

auto_colour auto_palette_class(size_t i, size_t n) {
  if (n < 2) n = 2;
  if (n > 9) n = 9;
  if (i >= n) i = n - 1;
  return (auto_colour){YLORRD[n - 2][i], seq_name(YLORRD[n - 2][i])};
}

/* The colour a lone layer prefers: a hash of its id, stable across runs and machines. */
static size_t preferred(const char *layer_id) {
  uint32_t h = 2166136261u;
  for (const char *p = layer_id; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
  return h % 8;
}

/* Whether a drawn before b when colours are handed out: the older layer first (issued_at, the
 * first import), then the id. */
static bool older(const layer_info *a, const layer_info *b) {
  int d = strcmp(a->issued_at ? a->issued_at : "", b->issued_at ? b->issued_at : "");
  return d < 0 || (d == 0 && strcmp(a->id, b->id) < 0);
}

/* Layer x's colour given the colours taken before it: its preferred one when free, else the
 * next free one of the twelve; its preferred one (shared) when none is free. */
static size_t pick(const layer_info *x, const bool *taken, size_t n) {
  size_t k = preferred(x->id);
  for (size_t tries = 0; tries < n; tries++, k = (k + 1) % n)
    if (!taken[k]) return k;
  return preferred(x->id);
}

auto_colour auto_palette_single(const catalog *c, const layer_info *l) {
  enum { N = sizeof CATEGORICAL / sizeof *CATEGORICAL };
  if (!c) return CATEGORICAL[preferred(l->id)];
  /* The layers up to l are visited from the oldest: a single-colour layer takes its colour
   * (pick) among those no older layer took, where a layer drawn by categories takes the colours
   * of its categories (Okabe-Ito's order is theirs, never moved). So a single-colour layer avoids
   * the categories of every older layer, and a layer added later is handed its colour last: it
   * never moves an older layer's colour (removing one may let a younger layer return to its
   * preferred colour). Each layer's colour depends on the older ones alone, so it is the same
   * whichever layer asks. Boundary layers, outlines in the composite, take none. A catalog holds
   * tens of layers: the quadratic walk costs microseconds. */
  bool taken[N] = {false};
  for (const layer_info *prev = NULL;;) {
    const layer_info *x = NULL; /* the oldest layer younger than prev, up to l */
    for (size_t i = 0; i < c->n_layers; i++) {
      const layer_info *o = &c->layers[i];
      if ((prev && !older(prev, o)) || (o != l && !older(o, l))) continue;
      if (!x || older(o, x)) x = o;
    }
    if (!x || x == l) break;
    prev = x;
    if (auto_is_context(c, x)) continue;
    if (auto_single_or_categories(x, taken, N)) taken[pick(x, taken, N)] = true;
  }
  return CATEGORICAL[pick(l, taken, N)];
}
