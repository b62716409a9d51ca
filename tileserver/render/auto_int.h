/* auto_int.h — the pieces of automatic styles, shared by auto.c (one catalog layer's style
 * layers and legend), auto_all.c (the per-layer and composite documents, context layers) and
 * auto_palette.c (colours). Not part of render.h. */
#ifndef TESELAS_RENDER_AUTO_INT_H
#define TESELAS_RENDER_AUTO_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "render/render_int.h"

typedef struct auto_colour {
  const char *hex;   /* "#rrggbb" */
  const char *name;  /* Spanish, for legends read by screen readers */
} auto_colour;

/* The i-th categorical colour (i < 12; past that the colour of "other values"). */
auto_colour auto_palette_category(size_t i);
auto_colour auto_palette_other(void);
/* Class i of n (2..9) of the sequential scheme, light to dark. */
auto_colour auto_palette_class(size_t i, size_t n);
/* The single colour of layer l of catalog c drawn without categories or classes: distinct from
 * every other single-colour layer of c while the twelve colours last, the same on the layer's
 * own map and on the composite; with c NULL, the colour its id prefers. */
auto_colour auto_palette_single(const catalog *c, const layer_info *l);
/* Reads l's stored choice once: true when it draws l in one colour; else sets used[i] for each
 * categorical colour i < n its categories are drawn with (none for classes). */
bool auto_single_or_categories(const layer_info *l, bool *used, size_t n);

/* ---- contrast (auto_contrast.c) ---------------------------------------------------------------- */

/* The background of every automatic style document. */
#define AUTO_BACKGROUND "#f4f3ef"
/* WCAG 2.1 SC 1.4.11: a graphical object against the colours next to it. */
#define AUTO_MIN_CONTRAST 3.0

typedef struct auto_hex {
  char s[8]; /* "#rrggbb" */
} auto_hex;

/* The least WCAG contrast ratio of hex ("#rrggbb") drawn at opacity (0..1, blended) over the
 * grounds automatic styles are drawn on (their background, a light basemap's land); 0 for
 * anything but "#rrggbb". */
double auto_contrast_least(const char *hex, double opacity);
/* The edge colour for hex drawn at opacity: hex itself when it has AUTO_MIN_CONTRAST against
 * every ground, else the lightest darker shade of it (same hue) that has. */
auto_hex auto_edge(const char *hex, double opacity);
/* True when every output colour of color (a literal, or a `match` or `step` as auto.c writes
 * them) has AUTO_MIN_CONTRAST at opacity. */
bool auto_expr_has_contrast(json_t *color, double opacity);
/* color with every output replaced by its auto_edge: a new reference. */
json_t *auto_edge_expr(json_t *color, double opacity);

typedef enum auto_role {
  AUTO_DATA,     /* the layer's own data: fills, lines, circles by its stored choice */
  AUTO_OUTLINE,  /* a boundary layer in the composite: outlines only, still a data layer */
  AUTO_CONTEXT   /* dimmed boundary for orientation ("teselas:context"), not in the legend */
} auto_role;

/* Appends the style layers that draw layer l of catalog c (NULL: l alone) from source l->id in
 * role. */
void auto_add_layer(json_t *layers, const catalog *c, const layer_info *l, auto_role role);
/* Appends l's label layer when its stored choice names a label field. */
void auto_add_labels(json_t *layers, const layer_info *l);
/* Adds the source named l->id ("teselas://<id>"). */
void auto_add_source(json_t *sources, const layer_info *l);

/* True when l looks like a boundary layer for the others of c: polygons, few of them, whose
 * extent holds at least half of the other layers' centres. */
bool auto_is_context(const catalog *c, const layer_info *l);
/* The boundary layer a map of l shows for orientation: the context layer of c (not l) whose
 * extent holds l's centre, with the fewest features; NULL when none. */
const layer_info *auto_context_for(const catalog *c, const layer_info *l);

/* A whole style document from its parts (stolen references). */
json_t *auto_document(const char *title, json_t *sources, json_t *layers, json_t *metadata);
/* Compiles doc (borrowed) as an automatic style named name, in arena a. */
err_code auto_compile(const char *name, json_t *doc, arena *a, render_style **out, err *e);

#endif
