/* auto_all.c — the automatic style documents and which styles a server offers.
 *
 *   a layer's own style (named by its id): a dimmed boundary for orientation when the database
 *   has one around it, the layer drawn by its stored choice (auto.c), its labels;
 *   `todas` ("Todas las capas"): every layer, polygons (largest extent first), boundaries as
 *   outlines, lines, points, then every label on top.
 *
 * A boundary ("context") layer is told from the catalog alone: polygons, at most
 * CONTEXT_MAX_FEATURES of them, whose extent holds the centres of at least half of the other
 * layers (municipios, alcaldías, a municipal limit).
 *
 * Listing (/styles): named styles that draw at least one layer of the database, in load order;
 * then `todas` — first of all when no named style draws anything here —; then one style per
 * layer that no named style replaces. A named style none of whose layers exist is not offered. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/hash.h"
#include "core/log.h"
#include "render/auto_int.h"

enum { CONTEXT_MAX_FEATURES = 100 };

static bool holds(const double b[4], double x, double y) {
  return x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3];
}

static double area(const double b[4]) { return (b[2] - b[0]) * (b[3] - b[1]); }

bool auto_is_context(const catalog *c, const layer_info *l) {
  if (strcmp(l->geometry_type, "Polygon") != 0 || l->feature_count > CONTEXT_MAX_FEATURES ||
      l->feature_count < 1 || !(area(l->bounds) > 0))
    return false;
  size_t others = 0, inside = 0;
  for (size_t i = 0; i < c->n_layers; i++) {
    const layer_info *o = &c->layers[i];
    if (o == l) continue;
    others++;
    double x = (o->bounds[0] + o->bounds[2]) / 2, y = (o->bounds[1] + o->bounds[3]) / 2;
    if (holds(l->bounds, x, y) && area(o->bounds) <= area(l->bounds) * 1.01) inside++;
  }
  return others > 0 && inside * 2 >= others;
}

const layer_info *auto_context_for(const catalog *c, const layer_info *l) {
  const layer_info *best = NULL;
  double x = (l->bounds[0] + l->bounds[2]) / 2, y = (l->bounds[1] + l->bounds[3]) / 2;
  for (size_t i = 0; i < c->n_layers; i++) {
    const layer_info *o = &c->layers[i];
    if (o == l || !holds(o->bounds, x, y) || !auto_is_context(c, o)) continue;
    /* the smallest; ties by id, so that the order of the catalog in memory never decides */
    if (!best || o->feature_count < best->feature_count ||
        (o->feature_count == best->feature_count && strcmp(o->id, best->id) < 0))
      best = o;
  }
  return best;
}

json_t *auto_document(const char *title, json_t *sources, json_t *layers, json_t *metadata) {
  json_t *all = json_pack("[{s:s,s:s,s:{s:s}}]", "id", "background", "type", "background",
                          "paint", "background-color", AUTO_BACKGROUND);
  json_array_extend(all, layers);
  json_decref(layers);
  return json_pack("{s:i,s:s,s:o,s:s,s:o,s:o}", "version", 8, "name", title, "sources", sources,
                   "glyphs", "teselas://fonts", "layers", all, "metadata", metadata);
}

err_code auto_compile(const char *name, json_t *doc, arena *a, render_style **out, err *e) {
  if (!doc) return err_set(e, ERR_NOMEM, "out of memory");
  err_code rc = render_style_compile(name, doc, a, out, e);
  if (rc == ERR_OK) (*out)->automatic = true;
  return rc;
}

err_code render_style_auto(const catalog *c, const layer_info *l, arena *a, render_style **out,
                           err *e) {
  json_t *sources = json_object(), *layers = json_array();
  const layer_info *ctx = c ? auto_context_for(c, l) : NULL;
  if (ctx) {
    auto_add_source(sources, ctx);
    auto_add_layer(layers, c, ctx, AUTO_CONTEXT);
  }
  auto_add_source(sources, l);
  auto_add_layer(layers, c, l, AUTO_DATA);
  auto_add_labels(layers, l);
  json_t *meta = json_pack("{s:b,s:[s]}", "teselas:automatic", 1, "teselas:layers", l->id);
  if (ctx) json_object_set_new(meta, "teselas:context_layer", json_string(ctx->id));
  json_t *doc = auto_document(l->title, sources, layers, meta);
  err_code rc = auto_compile(l->id, doc, a, out, e);
  json_decref(doc);
  return rc;
}

static int rank(const catalog *c, const layer_info *l) {
  if (strcmp(l->geometry_type, "Polygon") == 0) return auto_is_context(c, l) ? 1 : 0;
  return strcmp(l->geometry_type, "LineString") == 0 ? 2 : 3;
}

/* Layers in drawing order: polygons by extent, largest first (small ones stay visible on top),
 * then boundaries, lines, points; ties by id. */
static size_t draw_order(const catalog *c, const layer_info **out) {
  size_t n = 0;
  for (size_t i = 0; i < c->n_layers && n < RENDER_MAX_LAYERS / 4; i++) out[n++] = &c->layers[i];
  for (size_t i = 1; i < n; i++) { /* insertion sort: a catalog holds tens of layers */
    const layer_info *x = out[i];
    size_t j = i;
    while (j > 0) {
      const layer_info *p = out[j - 1];
      int rp = rank(c, p), rx = rank(c, x);
      bool before = rx < rp || (rx == rp && rx == 0 && area(x->bounds) > area(p->bounds)) ||
                    (rx == rp && (rx != 0 || area(x->bounds) == area(p->bounds)) &&
                     strcmp(x->id, p->id) < 0);
      if (!before) break;
      out[j] = p;
      j--;
    }
    out[j] = x;
  }
  return n;
}

err_code render_style_all(const catalog *c, arena *a, render_style **out, err *e) {
  const layer_info *order[RENDER_MAX_LAYERS / 4];
  size_t n = draw_order(c, order);
  json_t *sources = json_object(), *layers = json_array(), *ids = json_array();
  for (size_t i = 0; i < n; i++) {
    auto_add_source(sources, order[i]);
    auto_add_layer(layers, c, order[i], rank(c, order[i]) == 1 ? AUTO_OUTLINE : AUTO_DATA);
    json_array_append_new(ids, json_string(order[i]->id));
  }
  for (size_t i = 0; i < n; i++) auto_add_labels(layers, order[n - 1 - i]);
  json_t *meta = json_pack("{s:b,s:o}", "teselas:automatic", 1, "teselas:layers", ids);
  json_t *doc = auto_document(RENDER_ALL_TITLE, sources, layers, meta);
  err_code rc = auto_compile(RENDER_ALL_STYLE, doc, a, out, e);
  json_decref(doc);
  return rc;
}

size_t render_style_auto_layers(const catalog *c, const char *name, const layer_info **out,
                                size_t max) {
  if (strcmp(name, RENDER_ALL_STYLE) == 0) {
    const layer_info *order[RENDER_MAX_LAYERS / 4];
    size_t n = draw_order(c, order), k = 0;
    for (size_t i = 0; i < n && k < max; i++) out[k++] = order[i];
    return k;
  }
  const layer_info *l = catalog_find(c, name, strlen(name));
  if (!l || max == 0) return 0;
  const layer_info *ctx = auto_context_for(c, l);
  size_t k = 0;
  if (ctx && max > 1) out[k++] = ctx;
  out[k++] = l;
  return k;
}

/* ---- which styles are offered ------------------------------------------------------------- */

/* A style with a basemap is offered even when it draws no layer of c: the basemap is its map. */
static bool draws_here(const render_style *s, const catalog *c) {
  const layer_info *ls[1];
  const char *names[1];
  return render_style_layers(s, c, ls, 1) > 0 || render_style_archives(s, names, 1) > 0;
}

size_t render_styles_list(const render_styles *reg, const catalog *c, render_style_entry *out,
                          size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < render_styles_count(reg) && n < max; i++) {
    const render_style *s = render_styles_at(reg, i);
    if (!draws_here(s, c)) continue;
    out[n++] = (render_style_entry){s->name, s->title, false};
  }
  bool own_all = render_styles_find(reg, RENDER_ALL_STYLE, strlen(RENDER_ALL_STYLE)) != NULL;
  /* after the named ones: first of all when no named style draws anything of this database */
  if (c->n_layers > 0 && !own_all && n < max)
    out[n++] = (render_style_entry){RENDER_ALL_STYLE, RENDER_ALL_TITLE, true};
  for (size_t i = 0; i < c->n_layers && n < max; i++) {
    const layer_info *l = &c->layers[i];
    if (!render_styles_find(reg, l->id, strlen(l->id)))
      out[n++] = (render_style_entry){l->id, l->title, true};
  }
  return n;
}

err_code render_style_resolve(const render_styles *reg, const catalog *c, const char *name,
                              size_t len, arena *a, const render_style **out, err *e) {
  const render_style *s = render_styles_find(reg, name, len);
  if (s && draws_here(s, c)) {
    *out = s;
    return ERR_OK;
  }
  render_style *built = NULL;
  err_code rc = ERR_NOT_FOUND;
  const layer_info *l = catalog_find(c, name, len);
  if (!s && l) rc = render_style_auto(c, l, a, &built, e);
  else if (!s && c->n_layers > 0 && len == strlen(RENDER_ALL_STYLE) &&
           memcmp(name, RENDER_ALL_STYLE, len) == 0)
    rc = render_style_all(c, a, &built, e);
  if (rc == ERR_NOT_FOUND && s)
    return err_set(e, ERR_NOT_FOUND, "the style '%s' draws no layer of this database", s->name);
  if (rc == ERR_NOT_FOUND)
    return err_set(e, ERR_NOT_FOUND, "style: no style of that name (/styles lists them)");
  *out = built;
  return rc;
}

void render_styles_log_skipped(const render_styles *reg, const catalog *c) {
  for (size_t i = 0; i < render_styles_count(reg); i++) {
    const render_style *s = render_styles_at(reg, i);
    if (draws_here(s, c)) continue;
    buf names;
    buf_init(&names, 4096);
    for (size_t k = 0; k < s->n_layers; k++) {
      const rlayer *L = &s->layers[k];
      if (!L->source_layer || !*L->source_layer || strstr(buf_cstr(&names), L->source_layer))
        continue;
      buf_printf(&names, "%s%s", names.len ? ", " : "", L->source_layer);
    }
    log_warn("style %s not offered: none of its layers (%s) is in the database", s->name,
             names.len ? buf_cstr(&names) : "none");
    buf_free(&names);
  }
}
