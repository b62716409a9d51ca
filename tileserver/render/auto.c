/* auto.c — how an automatic style draws one catalog layer, from the choice stored with its
 * version at import (importers/autostyle.c: layer_info.style):
 *   categories: one colour per value (a `match` on the field), the rest grey;
 *   classes:    a graduated fill (a `step` on the field at the stored limits);
 *   single:     one colour per layer;
 * polygons as a translucent fill and an outline, lines widening with zoom, points as circles
 * (a clustered layer also as clusters sized by point_count, with the count), and a label layer
 * from the stored label field (a point's name just below its circle, others centred). The style layer that stands for the data carries the legend
 * ("teselas:legend": layer, title, kind, field, items with label, colour, colour name, value);
 * a context layer (a dimmed boundary for orientation) carries "teselas:context" instead.
 * A version stored before choices were recorded ("{}") is drawn in a single colour.
 * Every point and line has an edge of 3:1 against the ground (auto_contrast.c): a circle's stroke
 * in the edge colour of its fill, a casing under a line whose colours lack it (wider, in their
 * edge colours), polygon and boundary outlines of a grey that has it; the legend items name the
 * edge colour they are drawn with ("edge_color") where it differs from their colour. */
#include <stdio.h>
#include <string.h>

#include "render/auto_int.h"
#include "gen/gen.h"

static json_t *zoom_ramp(double lo, double hi) {
  return json_pack("[s,[s],[s],f,f,f,f]", "interpolate", "linear", "zoom", 8.0, lo, 16.0, hi);
}

/* A point's circle (radius from 3 px at z8 to 6 px at z16, its edge outside it) and the size of
 * every label. */
static const double POINT_RADIUS_Z8 = 3.0, POINT_RADIUS_Z16 = 6.0, POINT_STROKE = 1.0;
static const double LABEL_SIZE = 12.0;

static json_t *layer_base(const layer_info *l, const char *suffix, const char *type) {
  char id[160];
  snprintf(id, sizeof id, "%s-%s", l->id, suffix);
  return json_pack("{s:s,s:s,s:s,s:s}", "id", id, "type", type, "source", l->id, "source-layer",
                   l->id);
}

/* "12" for integers, "12.5" otherwise, short. */
static void number_text(double v, char *out, size_t n) {
  if (v == (double)(long long)v && v > -1e15 && v < 1e15) snprintf(out, n, "%lld", (long long)v);
  else snprintf(out, n, "%.4g", v);
}

static json_t *legend_item(const char *label, auto_colour c, json_t *v) {
  return json_pack("{s:s,s:s,s:s,s:o}", "label", label, "color", c.hex, "color_name", c.name,
                   "value", v ? v : json_null());
}

/* Categories: the colour expression into *color, the legend items returned. */
static json_t *categories(json_t *choice, const char *field, json_t **color) {
  json_t *cats = json_object_get(choice, "categories");
  json_t *match = json_pack("[s,[s,s]]", "match", "get", field);
  json_t *items = json_array();
  size_t i;
  json_t *c;
  json_array_foreach(cats, i, c) {
    json_t *v = json_object_get(c, "value");
    if (!json_is_string(v) && !json_is_integer(v)) continue;
    auto_colour col = auto_palette_category(i);
    char label[256];
    if (json_is_string(v)) snprintf(label, sizeof label, "%s", json_string_value(v));
    else number_text(json_number_value(v), label, sizeof label);
    json_array_append(match, v);
    json_array_append_new(match, json_string(col.hex));
    json_t *it = legend_item(label, col, json_incref(v));
    json_object_set(it, "count", json_object_get(c, "count"));
    json_array_append_new(items, it);
  }
  json_array_append_new(match, json_string(auto_palette_other().hex));
  /* the match's last colour draws the values not listed and the features without one: the
   * legend names the colour when either exists ("rest" lets a page say it in its language) */
  bool other = json_integer_value(json_object_get(choice, "other")) > 0;
  bool missing = json_integer_value(json_object_get(choice, "missing")) > 0;
  if (other || missing) {
    json_t *it = legend_item(other && missing ? "Otros valores o sin dato"
                             : other          ? "Otros valores"
                                              : "Sin dato",
                             auto_palette_other(), NULL);
    json_object_set_new(it, "rest", json_string(other && missing ? "both" : other ? "other" : "missing"));
    json_array_append_new(items, it);
  }
  *color = match;
  return items;
}

/* Classes: [lo, hi) each, the last one closed; integers labelled "lo–hi-1". */
static json_t *classes(json_t *choice, const char *field, json_t **color) {
  json_t *limits = json_object_get(choice, "limits");
  size_t n = json_array_size(limits) > 1 ? json_array_size(limits) - 1 : 1;
  json_t *step = json_pack("[s,[s,s],s]", "step", "get", field, auto_palette_class(0, n).hex);
  json_t *items = json_array();
  for (size_t i = 0; i < n; i++) {
    double lo = json_number_value(json_array_get(limits, i));
    double hi = json_number_value(json_array_get(limits, i + 1));
    auto_colour col = auto_palette_class(i, n);
    if (i > 0) {
      json_array_append_new(step, json_real(lo));
      json_array_append_new(step, json_string(col.hex));
    }
    bool ints = lo == (double)(long long)lo && hi == (double)(long long)hi;
    double shown_hi = ints && i + 1 < n ? hi - 1 : hi;
    char a[48], b[48], label[120];
    number_text(lo, a, sizeof a);
    number_text(shown_hi, b, sizeof b);
    if (shown_hi <= lo) snprintf(label, sizeof label, "%s", a);
    else snprintf(label, sizeof label, ints ? "%s a %s" : "%s a menos de %s", a, b);
    if (!ints && i + 1 == n) snprintf(label, sizeof label, "%s a %s", a, b);
    json_array_append_new(items, legend_item(label, col, json_pack("[f,f]", lo, hi)));
  }
  *color = step;
  return items;
}

/* What the stored choice draws: "categories" (with values to match), "classes" (with a field),
 * else "single". */
static const char *choice_kind(json_t *choice) {
  const char *kind = json_string_value(json_object_get(choice, "kind"));
  const char *field = json_string_value(json_object_get(choice, "field"));
  if (kind && field && strcmp(kind, "categories") == 0 &&
      json_array_size(json_object_get(choice, "categories")) > 0)
    return "categories";
  if (kind && field && strcmp(kind, "classes") == 0) return "classes";
  return "single";
}

bool auto_single_or_categories(const layer_info *l, bool *used, size_t n) {
  json_t *choice = json_loads(l->style ? l->style : "{}", 0, NULL);
  const char *kind = choice_kind(choice);
  if (strcmp(kind, "categories") == 0) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(choice, "categories"), i, c) {
      json_t *v = json_object_get(c, "value");
      if (i < n && (json_is_string(v) || json_is_integer(v))) used[i] = true;
    }
  }
  json_decref(choice);
  return strcmp(kind, "single") == 0;
}

/* The layer's colour expression and its legend ("teselas:legend"), from the stored choice. */
static json_t *legend(const catalog *c, const layer_info *l, json_t *choice, json_t **color) {
  const char *kind = choice_kind(choice);
  const char *field = json_string_value(json_object_get(choice, "field"));
  json_t *items = NULL;
  if (strcmp(kind, "categories") == 0) {
    items = categories(choice, field, color);
  } else if (strcmp(kind, "classes") == 0) {
    items = classes(choice, field, color);
  } else {
    field = NULL;
    auto_colour col = auto_palette_single(c, l);
    *color = json_string(col.hex);
    items = json_pack("[o]", legend_item(l->title, col, NULL));
  }
  return json_pack("{s:{s:s,s:s,s:s,s:o,s:o}}", "teselas:legend", "layer", l->id, "title",
                   l->title, "kind", kind, "field", field ? json_string(field) : json_null(),
                   "items", items);
}

/* Names in each legend item the edge it is drawn with (the edge of its colour), where that
 * differs from the colour itself. */
static void legend_edges(json_t *meta) {
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(json_object_get(meta, "teselas:legend"), "items"), i, it) {
    const char *hex = json_string_value(json_object_get(it, "color"));
    auto_hex edge = auto_edge(hex, 1.0);
    if (hex && strcmp(edge.s, hex) != 0)
      json_object_set_new(it, "edge_color", json_string(edge.s));
  }
}

static void add_polygons(json_t *layers, const layer_info *l, json_t *color, json_t *meta,
                         const char *field_kind) {
  json_t *fill = layer_base(l, "fill", "fill");
  json_object_set_new(fill, "paint", json_pack("{s:O,s:f}", "fill-color", color, "fill-opacity",
                                               strcmp(field_kind, "single") ? 0.7 : 0.35));
  json_object_set_new(fill, "metadata", meta);
  if (strcmp(field_kind, "classes") == 0)  /* features without a value have no class */
    json_object_set_new(fill, "filter", json_pack("[s,s]", "has",
                        json_string_value(json_object_get(json_object_get(meta, "teselas:legend"),
                                                          "field"))));
  json_array_append_new(layers, fill);
  json_t *line = layer_base(l, "outline", "line");
  json_object_set_new(line, "paint", json_pack("{s:s,s:o,s:f}", "line-color",
                                               auto_edge("#4d4d4d", 0.8).s, "line-width",
                                               zoom_ramp(0.4, 1.2), "line-opacity", 0.8));
  json_array_append_new(layers, line);
}

static json_t *round_line_layout(void) {
  return json_pack("{s:s,s:s}", "line-cap", "round", "line-join", "round");
}

/* A line whose colours lack contrast gets a casing under it: 1 px of their edge colours on each
 * side, so the line's own colour (the category) still shows in the middle. */
static void add_lines(json_t *layers, const layer_info *l, json_t *color, json_t *meta) {
  if (!auto_expr_has_contrast(color, 1.0)) {
    json_t *casing = layer_base(l, "casing", "line");
    json_object_set_new(casing, "layout", round_line_layout());
    json_object_set_new(casing, "paint", json_pack("{s:o,s:o}", "line-color",
                                                   auto_edge_expr(color, 1.0), "line-width",
                                                   zoom_ramp(3.0, 6.0)));
    json_array_append_new(layers, casing);
    legend_edges(meta);
  }
  json_t *line = layer_base(l, "line", "line");
  json_object_set_new(line, "layout", round_line_layout());
  json_object_set_new(line, "paint", json_pack("{s:O,s:o}", "line-color", color, "line-width",
                                               zoom_ramp(1.0, 4.0)));
  json_object_set_new(line, "metadata", meta);
  json_array_append_new(layers, line);
}

static void add_clusters(json_t *layers, const layer_info *l, const char *colour) {
  json_t *cl = layer_base(l, "clusters", "circle");
  json_object_set_new(cl, "filter", json_pack("[s,s]", "has", "point_count"));
  json_object_set_new(cl, "paint", json_pack(
      "{s:[s,[s,s],f,f,f,f,f,f,f],s:s,s:f,s:f,s:s}", "circle-radius", "step", "get",
      "point_count", 7.0, 10.0, 9.0, 100.0, 12.0, 1000.0, 15.0, "circle-color", colour,
      "circle-opacity", 0.8, "circle-stroke-width", 1.0, "circle-stroke-color",
      auto_edge(colour, 1.0).s));
  json_object_set_new(cl, "metadata", json_pack(
      "{s:{s:s,s:s,s:s,s:s,s:[{s:s,s:s,s:s,s:n}]}}", "teselas:legend", "layer", l->id, "title",
      l->title, "kind", "clusters", "field", "point_count", "items", "label",
      "Grupo de puntos: el número dice cuántos hay", "color", colour, "color_name",
      "gris oscuro", "value"));
  json_array_append_new(layers, cl);
  json_t *count = layer_base(l, "cluster-count", "symbol");
  json_object_set_new(count, "filter", json_pack("[s,s]", "has", "point_count"));
  /* every circle keeps its count: circles overlap (that is why they are clusters), and a count
   * placed like a label was dropped where it touched another, leaving circles without numbers */
  json_object_set_new(count, "layout", json_pack("{s:[s,[s,s]],s:f,s:[s],s:b,s:b}", "text-field",
                                                 "to-string", "get", "point_count", "text-size",
                                                 10.0, "text-font", "Noto Sans Bold",
                                                 "text-allow-overlap", 1, "text-ignore-placement",
                                                 1));
  json_object_set_new(count, "paint", json_pack("{s:s,s:s,s:f}", "text-color", "#ffffff",
                                                "text-halo-color", "#333333", "text-halo-width",
                                                0.5));
  json_array_append_new(layers, count);
}

static void add_points(json_t *layers, const layer_info *l, json_t *color, json_t *meta) {
  bool clustered = gen_cluster_below(l) > 0;
  if (clustered) add_clusters(layers, l, "#4d4d4d");
  json_t *pt = layer_base(l, "points", "circle");
  json_object_set_new(pt, "paint", json_pack("{s:o,s:O,s:f,s:o}", "circle-radius",
                                             zoom_ramp(POINT_RADIUS_Z8, POINT_RADIUS_Z16),
                                             "circle-color", color, "circle-stroke-width",
                                             POINT_STROKE, "circle-stroke-color",
                                             auto_edge_expr(color, 1.0)));
  legend_edges(meta);
  if (clustered)
    json_object_set_new(pt, "filter", json_pack("[s,[s,s]]", "!", "has", "point_count"));
  json_object_set_new(pt, "metadata", meta);
  json_array_append_new(layers, pt);
}

/* A boundary's outline: dimmed for context (yet an edge of 3:1), plain in the composite. */
static double boundary_opacity(bool context) { return context ? 0.55 : 0.9; }

static auto_hex boundary_colour(bool context) {
  return auto_edge(context ? "#666666" : "#333333", boundary_opacity(context));
}

static void add_outline(json_t *layers, const layer_info *l, bool context, json_t *meta) {
  json_t *line = layer_base(l, context ? "context" : "boundary", "line");
  double opacity = boundary_opacity(context);
  json_object_set_new(line, "paint", json_pack(
      "{s:s,s:o,s:f}", "line-color", boundary_colour(context).s,
      "line-width", zoom_ramp(context ? 0.8 : 1.2, context ? 2.0 : 3.0), "line-opacity",
      opacity));
  if (context) {
    json_object_set_new(line, "metadata", json_pack("{s:b}", "teselas:context", 1));
    json_decref(meta);
  } else {
    json_object_set_new(line, "metadata", meta);
  }
  json_array_append_new(layers, line);
}

void auto_add_layer(json_t *layers, const catalog *c, const layer_info *l, auto_role role) {
  json_t *choice = json_loads(l->style ? l->style : "{}", 0, NULL);
  json_t *color = NULL;
  json_t *meta = legend(c, l, choice, &color);
  const char *kind = json_string_value(json_object_get(json_object_get(meta, "teselas:legend"),
                                                       "kind"));
  if (role != AUTO_DATA) {
    if (role == AUTO_OUTLINE) { /* the legend says what the outline looks like */
      json_t *lg = json_object_get(meta, "teselas:legend");
      json_object_set_new(lg, "kind", json_string("single"));
      json_object_set_new(lg, "field", json_null());
      auto_hex grey = boundary_colour(false);
      json_object_set_new(lg, "items", json_pack("[o]", legend_item(l->title,
                          (auto_colour){grey.s, "gris oscuro"}, NULL)));
    }
    add_outline(layers, l, role == AUTO_CONTEXT, meta);
  } else if (strcmp(l->geometry_type, "Polygon") == 0) {
    add_polygons(layers, l, color, meta, kind);
  } else if (strcmp(l->geometry_type, "LineString") == 0) {
    add_lines(layers, l, color, meta);
  } else {
    add_points(layers, l, color, meta);
  }
  json_decref(color);
  json_decref(choice);
}

/* Whatever is neither polygons nor lines is drawn as circles (auto_add_layer). */
static bool drawn_as_points(const layer_info *l) {
  return strcmp(l->geometry_type, "Polygon") != 0 && strcmp(l->geometry_type, "LineString") != 0;
}

/* A point's name hangs below its circle: the block's top centre ("top") moved down by the
 * circle's radius and edge, in ems of the label. MapLibre evaluates a symbol's layout at the
 * zoom of its tiles (the integer at or below the map's), the PNG renderer at the map's zoom, so
 * the offset is that of the circle one zoom further in (stops at 7 and 15, not 8 and 16): it
 * clears the circle in both, at most 3/8 px further down. Polygons and lines keep their names
 * centred (polygons at a point inside, lines at their middle). */
static void point_label_placement(json_t *layout) {
  double near = (POINT_RADIUS_Z8 + POINT_STROKE) / LABEL_SIZE;
  double far = (POINT_RADIUS_Z16 + POINT_STROKE) / LABEL_SIZE;
  json_object_set_new(layout, "text-anchor", json_string("top"));
  json_object_set_new(layout, "text-offset", json_pack("[s,[s],[s],f,[s,[f,f]],f,[s,[f,f]]]",
                                                       "interpolate", "linear", "zoom", 7.0,
                                                       "literal", 0.0, near, 15.0, "literal",
                                                       0.0, far));
}

void auto_add_labels(json_t *layers, const layer_info *l) {
  const layer_field *field = layer_label_field(l);
  if (field) {
    const char *name = field->name;
    /* few large features (municipios) are named from the start; many small ones only close up,
     * where their names fit */
    double from = l->feature_count <= 50 ? 0 : l->feature_count <= 2000 ? 12 : 14;
    json_t *lab = layer_base(l, "labels", "symbol");
    if (gen_has_labels(l)) /* named once, from the one tile holding its label point */
      json_object_set_new(lab, "source-layer", json_sprintf("%s%s", l->id, GEN_LABELS_SUFFIX));
    json_object_set_new(lab, "minzoom", json_real(from));
    json_t *layout = json_pack("{s:[s,s],s:f,s:[s],s:f}", "text-field", "get", name, "text-size",
                               LABEL_SIZE, "text-font", "Noto Sans Regular", "text-max-width",
                               8.0);
    if (drawn_as_points(l)) point_label_placement(layout);
    json_object_set_new(lab, "layout", layout);
    json_object_set_new(lab, "paint", json_pack("{s:s,s:s,s:f}", "text-color", "#222222",
                                                "text-halo-color", "#ffffff", "text-halo-width",
                                                1.5));
    json_array_append_new(layers, lab);
  }
}

void auto_add_source(json_t *sources, const layer_info *l) {
  char url[128];
  snprintf(url, sizeof url, "teselas://%s", l->id);
  json_object_set_new(sources, l->id, json_pack("{s:s,s:s}", "type", "vector", "url", url));
}
