/* style.c — validates a MapLibre style document and compiles it into a render_style.
 *
 * Checked: the root object and version 8, sources (an object of objects with a type), layers
 * (unique ids, known source, numeric zoom bounds, visibility), filters (expressions or legacy
 * filters), and every supported paint/layout property (its expression compiles, its colours
 * parse). Each problem names its JSON pointer (RFC 6901), e.g.
 * "/layers/4/paint/fill-color: not a colour 'verde'". Layer types the renderer does not draw
 * (raster, heatmap, fill-extrusion, hillshade) are accepted and skipped; so are properties it
 * does not draw (fill-pattern, line-offset, icon-*, text-justify...), which the README lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "gen/gen.h"
#include "render/render_int.h"

typedef struct prop_def {
  const char *name;
  rprop slot;
  rtype type;
  rlayer_type layer;
  bool layout;
} prop_def;

static const prop_def PROPS[] = {
    {"background-color", RP_BG_COLOR, RT_COLOR, RL_BACKGROUND, false},
    {"background-opacity", RP_BG_OPACITY, RT_NUM, RL_BACKGROUND, false},
    {"fill-color", RP_FILL_COLOR, RT_COLOR, RL_FILL, false},
    {"fill-opacity", RP_FILL_OPACITY, RT_NUM, RL_FILL, false},
    {"fill-outline-color", RP_FILL_OUTLINE, RT_COLOR, RL_FILL, false},
    {"fill-antialias", RP_FILL_AA, RT_BOOL, RL_FILL, false},
    {"line-color", RP_LINE_COLOR, RT_COLOR, RL_LINE, false},
    {"line-width", RP_LINE_WIDTH, RT_NUM, RL_LINE, false},
    {"line-opacity", RP_LINE_OPACITY, RT_NUM, RL_LINE, false},
    {"line-dasharray", RP_LINE_DASH, RT_ARRAY, RL_LINE, false},
    {"line-cap", RP_LINE_CAP, RT_STR, RL_LINE, true},
    {"line-join", RP_LINE_JOIN, RT_STR, RL_LINE, true},
    {"circle-radius", RP_CIRCLE_RADIUS, RT_NUM, RL_CIRCLE, false},
    {"circle-color", RP_CIRCLE_COLOR, RT_COLOR, RL_CIRCLE, false},
    {"circle-opacity", RP_CIRCLE_OPACITY, RT_NUM, RL_CIRCLE, false},
    {"circle-stroke-width", RP_CIRCLE_STROKE_W, RT_NUM, RL_CIRCLE, false},
    {"circle-stroke-color", RP_CIRCLE_STROKE_C, RT_COLOR, RL_CIRCLE, false},
    {"circle-stroke-opacity", RP_CIRCLE_STROKE_O, RT_NUM, RL_CIRCLE, false},
    {"text-field", RP_TEXT_FIELD, RT_STR, RL_SYMBOL, true},
    {"text-size", RP_TEXT_SIZE, RT_NUM, RL_SYMBOL, true},
    {"text-font", RP_TEXT_FONT, RT_ARRAY, RL_SYMBOL, true},
    {"text-transform", RP_TEXT_TRANSFORM, RT_STR, RL_SYMBOL, true},
    {"text-max-width", RP_TEXT_MAX_WIDTH, RT_NUM, RL_SYMBOL, true},
    {"text-allow-overlap", RP_TEXT_ALLOW_OVERLAP, RT_BOOL, RL_SYMBOL, true},
    {"text-padding", RP_TEXT_PADDING, RT_NUM, RL_SYMBOL, true},
    {"text-anchor", RP_TEXT_ANCHOR, RT_STR, RL_SYMBOL, true},
    {"text-offset", RP_TEXT_OFFSET, RT_ARRAY, RL_SYMBOL, true},
    {"symbol-placement", RP_SYMBOL_PLACEMENT, RT_STR, RL_SYMBOL, true},
    {"text-color", RP_TEXT_COLOR, RT_COLOR, RL_SYMBOL, false},
    {"text-halo-color", RP_TEXT_HALO_C, RT_COLOR, RL_SYMBOL, false},
    {"text-halo-width", RP_TEXT_HALO_W, RT_NUM, RL_SYMBOL, false},
    {"text-opacity", RP_TEXT_OPACITY, RT_NUM, RL_SYMBOL, false},
    {"raster-opacity", RP_RASTER_OPACITY, RT_NUM, RL_RASTER, false},
};

static const char *const TYPES[] = {"background", "fill", "line", "circle", "symbol", "raster"};

/* RFC 6901: '~' → "~0", '/' → "~1". */
static void pointer_append(char *out, size_t out_len, const char *base, const char *key) {
  size_t n = (size_t)snprintf(out, out_len, "%s/", base);
  for (const char *k = key; *k && n + 3 < out_len; k++) {
    if (*k == '~' || *k == '/') {
      out[n++] = '~';
      out[n++] = *k == '~' ? '0' : '1';
    } else {
      out[n++] = *k;
    }
  }
  out[n < out_len ? n : out_len - 1] = '\0';
}

/* "Parque {nombre}" → ["concat", "Parque ", ["to-string", ["get", "nombre"]]] (new ref). */
static json_t *tokens_to_expr(const char *s) {
  json_t *x = json_pack("[s]", "concat");
  while (*s) {
    const char *open = strchr(s, '{'), *close = open ? strchr(open, '}') : NULL;
    if (!close) {
      json_array_append_new(x, json_string(s));
      break;
    }
    if (open > s) json_array_append_new(x, json_stringn(s, (size_t)(open - s)));
    json_t *name = json_stringn(open + 1, (size_t)(close - open - 1));
    json_array_append_new(x, json_pack("[s,[s,o]]", "to-string", "get", name));
    s = close + 1;
  }
  if (json_array_size(x) == 1) json_array_append_new(x, json_string(""));
  return x;
}

bool render_anchor_parse(const char *s, size_t len, ranchor *out) {
  static const struct {
    const char *name;
    ranchor at;
  } ANCHORS[] = {{"center", {0.5, 0.5}},   {"left", {0, 0.5}},       {"right", {1, 0.5}},
                 {"top", {0.5, 0}},        {"bottom", {0.5, 1}},     {"top-left", {0, 0}},
                 {"top-right", {1, 0}},    {"bottom-left", {0, 1}},  {"bottom-right", {1, 1}}};
  for (size_t i = 0; i < sizeof ANCHORS / sizeof *ANCHORS; i++) {
    if (strlen(ANCHORS[i].name) != len || strncmp(ANCHORS[i].name, s, len) != 0) continue;
    if (out) *out = ANCHORS[i].at;
    return true;
  }
  return false;
}

/* A constant text-anchor names one of the spec's nine anchors, a constant text-offset is two
 * numbers: a typo is refused at load instead of drawn centred. */
static err_code check_literal(rprop slot, const rexpr *x, const char *path, err *e) {
  if (x->op != RX_LITERAL) return ERR_OK;
  const rval *v = &x->lit;
  if (slot == RP_TEXT_ANCHOR && (v->kind != RV_STR || !render_anchor_parse(v->s, v->len, NULL)))
    return err_set(e, ERR_INVALID, "%s: not an anchor (center, left, right, top, bottom, "
                   "top-left, top-right, bottom-left, bottom-right)", path);
  if (slot == RP_TEXT_OFFSET &&
      (v->kind != RV_ARRAY || v->len != 2 || v->items[0].kind != RV_NUM ||
       v->items[1].kind != RV_NUM))
    return err_set(e, ERR_INVALID, "%s: must be two numbers (ems right and down)", path);
  return ERR_OK;
}

static err_code compile_prop(const prop_def *d, json_t *v, arena *a, const char *path,
                             rexpr **out, err *e) {
  json_t *conv = NULL;
  if (json_is_object(v)) {
    conv = render_legacy_function(v);
    if (!conv) return err_set(e, ERR_INVALID, "%s: unsupported function object", path);
    v = conv;
  } else if (d->slot == RP_TEXT_FIELD && json_is_string(v) && strchr(json_string_value(v), '{')) {
    conv = tokens_to_expr(json_string_value(v));
    v = conv;
  }
  err_code rc = render_expr_compile(v, d->type, a, path, out, e);
  json_decref(conv);
  return rc == ERR_OK ? check_literal(d->slot, *out, path, e) : rc;
}

static err_code compile_props(rlayer *L, json_t *obj, bool layout, arena *a, const char *path,
                              err *e) {
  const char *key;
  json_t *v;
  if (obj && !json_is_object(obj)) return err_set(e, ERR_INVALID, "%s: must be an object", path);
  json_object_foreach(obj, key, v) {
    char p[400];
    pointer_append(p, sizeof p, path, key);
    if (layout && strcmp(key, "visibility") == 0) {
      const char *vis = json_string_value(v);
      if (!vis || (strcmp(vis, "visible") != 0 && strcmp(vis, "none") != 0))
        return err_set(e, ERR_INVALID, "%s: must be \"visible\" or \"none\"", p);
      L->visible = strcmp(vis, "visible") == 0;
      continue;
    }
    for (size_t i = 0; i < sizeof PROPS / sizeof *PROPS; i++) {
      const prop_def *d = &PROPS[i];
      if (d->layer != L->type || d->layout != layout || strcmp(d->name, key) != 0) continue;
      err_code rc = compile_prop(d, v, a, p, &L->props[d->slot], e);
      if (rc != ERR_OK) return rc;
    }
  }
  return ERR_OK;
}

static int find_source(const render_style *s, const char *name) {
  for (size_t i = 0; i < s->n_sources; i++)
    if (strcmp(s->sources[i].name, name) == 0) return (int)i;
  return -1;
}

static err_code compile_source_ref(render_style *s, rlayer *L, json_t *jl, arena *a,
                                   const char *path, err *e) {
  if (L->type == RL_BACKGROUND) {
    L->source = L->source_layer = "";
    L->source_index = -1;
    return ERR_OK;
  }
  const char *src = json_string_value(json_object_get(jl, "source"));
  if (!src) return err_set(e, ERR_INVALID, "%s/source: required for a %s layer", path,
                           json_string_value(json_object_get(jl, "type")));
  L->source_index = find_source(s, src);
  if (L->source_index < 0)
    return err_set(e, ERR_INVALID, "%s/source: no source named '%s'", path, src);
  const char *sl = json_string_value(json_object_get(jl, "source-layer"));
  /* a catalog layer's label points (gen.h) are its features labelled at their anchors, which
   * is how this renderer labels a layer's features anyway */
  size_t n = sl && s->sources[L->source_index].teselas ? gen_labels_of(sl) : 0;
  L->source = arena_strdup(a, src);
  L->source_layer = n ? arena_strndup(a, sl, n) : arena_strdup(a, sl ? sl : "");
  return L->source && L->source_layer ? ERR_OK : err_set(e, ERR_NOMEM, "out of memory");
}

static err_code compile_zooms_filter(rlayer *L, json_t *jl, arena *a, const char *path, err *e) {
  static const char *const Z[] = {"minzoom", "maxzoom"};
  double *dst[] = {&L->minzoom, &L->maxzoom};
  L->minzoom = 0;
  L->maxzoom = 24.0001;
  for (int k = 0; k < 2; k++) {
    json_t *z = json_object_get(jl, Z[k]);
    if (!z) continue;
    if (!json_is_number(z) || json_number_value(z) < 0 || json_number_value(z) > 24)
      return err_set(e, ERR_INVALID, "%s/%s: must be a number from 0 to 24", path, Z[k]);
    *dst[k] = json_number_value(z);
  }
  json_t *f = json_object_get(jl, "filter");
  if (!f) return ERR_OK;
  json_t *x = render_legacy_filter(f);
  if (!x) return err_set(e, ERR_INVALID, "%s/filter: not a filter", path);
  char p[400];
  snprintf(p, sizeof p, "%s/filter", path);
  err_code rc = render_expr_compile(x, RT_BOOL, a, p, &L->filter, e);
  json_decref(x);
  return rc;
}

static err_code compile_layer(render_style *s, json_t *jl, size_t i, arena *a, err *e) {
  char path[64];
  snprintf(path, sizeof path, "/layers/%zu", i);
  rlayer *L = &s->layers[i];
  const char *id = json_string_value(json_object_get(jl, "id"));
  const char *type = json_string_value(json_object_get(jl, "type"));
  if (!json_is_object(jl)) return err_set(e, ERR_INVALID, "%s: a layer is an object", path);
  if (!id) return err_set(e, ERR_INVALID, "%s/id: required string", path);
  if (!type) return err_set(e, ERR_INVALID, "%s/type: required string", path);
  for (size_t k = 0; k < i; k++)
    if (strcmp(s->layers[k].id, id) == 0)
      return err_set(e, ERR_INVALID, "%s/id: duplicate layer id '%s'", path, id);
  L->id = arena_strdup(a, id);
  L->type = RL_OTHER;
  for (size_t k = 0; k < sizeof TYPES / sizeof *TYPES; k++)
    if (strcmp(TYPES[k], type) == 0) L->type = (rlayer_type)k;
  L->visible = true;
  char p[80];
  err_code rc = compile_source_ref(s, L, jl, a, path, e);
  if (rc == ERR_OK) rc = compile_zooms_filter(L, jl, a, path, e);
  snprintf(p, sizeof p, "%s/layout", path);
  if (rc == ERR_OK) rc = compile_props(L, json_object_get(jl, "layout"), true, a, p, e);
  snprintf(p, sizeof p, "%s/paint", path);
  if (rc == ERR_OK) rc = compile_props(L, json_object_get(jl, "paint"), false, a, p, e);
  return rc;
}

/* The archive a source url names for a basemap: "mbtiles://NAME" or "mbtiles://{NAME}" (as
 * tileserver-gl writes it), or "pmtiles://NAME" when NAME is a bare name (a pmtiles:// URL of
 * another host, "pmtiles://https://...", is the browser's, not an archive here). "" when none. */
static const char *archive_name(const char *url, arena *a) {
  if (!url || (strncmp(url, "mbtiles://", 10) != 0 && strncmp(url, "pmtiles://", 10) != 0))
    return "";
  const char *n = url + 10;
  size_t len = strlen(n);
  if (len > 2 && n[0] == '{' && n[len - 1] == '}') n++, len -= 2;
  if (len == 0 || strcspn(n, ":/{}") < len) return "";
  return arena_strndup(a, n, len);
}

static err_code compile_sources(render_style *s, json_t *srcs, arena *a, err *e) {
  if (!json_is_object(srcs)) return err_set(e, ERR_INVALID, "/sources: required object");
  s->n_sources = json_object_size(srcs);
  s->sources = arena_calloc(a, s->n_sources + 1, sizeof *s->sources);
  if (!s->sources) return err_set(e, ERR_NOMEM, "out of memory");
  const char *key;
  json_t *v;
  size_t i = 0;
  json_object_foreach(srcs, key, v) {
    char p[400];
    pointer_append(p, sizeof p, "/sources", key);
    if (!json_is_object(v) || !json_is_string(json_object_get(v, "type")))
      return err_set(e, ERR_INVALID, "%s: a source is an object with a type", p);
    const char *url = json_string_value(json_object_get(v, "url"));
    rsource *src = &s->sources[i++];
    src->name = arena_strdup(a, key);
    src->teselas = url && strncmp(url, "teselas://", 10) == 0;
    src->ids = src->teselas ? arena_strdup(a, url + 10) : "";
    src->archive = archive_name(url, a);
    if (!src->name || !src->ids || !src->archive) return err_set(e, ERR_NOMEM, "out of memory");
    if (src->teselas && !*src->ids)
      return err_set(e, ERR_INVALID, "%s/url: teselas:// needs layer ids", p);
  }
  return ERR_OK;
}

static uint32_t text_hash(const char *text) { return hash_fnv32_str(HASH_FNV32_SEED, text); }

err_code render_style_compile(const char *name, json_t *doc, arena *a, render_style **out,
                              err *e) {
  if (!json_is_object(doc)) return err_set(e, ERR_INVALID, "/: a style is a JSON object");
  json_t *ver = json_object_get(doc, "version");
  if (!json_is_integer(ver) || json_integer_value(ver) != 8)
    return err_set(e, ERR_INVALID, "/version: must be 8");
  json_t *layers = json_object_get(doc, "layers");
  if (!json_is_array(layers)) return err_set(e, ERR_INVALID, "/layers: required array");
  if (json_array_size(layers) > RENDER_MAX_LAYERS)
    return err_set(e, ERR_INVALID, "/layers: more than %d layers", RENDER_MAX_LAYERS);
  render_style *s = arena_calloc(a, 1, sizeof *s);
  if (!s) return err_set(e, ERR_NOMEM, "out of memory");
  const char *title = json_string_value(json_object_get(doc, "name"));
  s->name = arena_strdup(a, name);
  s->title = arena_strdup(a, title ? title : name);
  s->n_layers = json_array_size(layers);
  s->layers = arena_calloc(a, s->n_layers + 1, sizeof *s->layers);
  if (!s->name || !s->title || !s->layers) return err_set(e, ERR_NOMEM, "out of memory");
  err_code rc = compile_sources(s, json_object_get(doc, "sources"), a, e);
  for (size_t i = 0; i < s->n_layers && rc == ERR_OK; i++)
    rc = compile_layer(s, json_array_get(layers, i), i, a, e);
  if (rc != ERR_OK) return rc;
  if (arena_failed(a)) return err_set(e, ERR_NOMEM, "out of memory");
  char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
  s->text = text ? arena_strdup(a, text) : NULL;
  free(text);
  if (!s->text) return err_set(e, ERR_NOMEM, "out of memory");
  s->hash = text_hash(s->text);
  *out = s;
  return ERR_OK;
}

err_code render_style_parse(const char *name, const char *text, size_t len, arena *a,
                            render_style **out, err *e) {
  json_error_t je;
  json_t *doc = json_loadb(text, len, 0, &je);
  if (!doc)
    return err_set(e, ERR_INVALID, "/: not JSON (line %d, column %d: %s)", je.line, je.column,
                   je.text);
  err_code rc = render_style_compile(name, doc, a, out, e);
  json_decref(doc);
  return rc;
}

bool render_layer_active(const rlayer *L, double zoom) {
  return L->visible && L->type != RL_OTHER && zoom >= L->minzoom && zoom < L->maxzoom;
}
