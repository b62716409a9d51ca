/* legacy.c — the pre-expression forms of the style spec, rewritten into expressions before
 * compilation so the evaluator knows one language:
 *   filters  ["==", "key", v], ["in", "key", v...], ["!in", ...], ["has", k], ["!has", k],
 *            ["none", ...], with the special keys $type and $id (detection as MapLibre's
 *            isExpressionFilter);
 *   functions {"stops": [[z, v], ...], "base": b} on zoom, and {"property": p, "type":
 *            "categorical"|"interval"|"exponential"|"identity", "stops", "default"} on data;
 *   text-field tokens "{nombre}" (→ concat of get and text).
 * Zoom-and-property functions (stops keyed by {"zoom","value"}) are not supported. */
#include <string.h>

#include "render/render_int.h"

bool render_legacy_is_expression_filter(json_t *f) {
  if (json_is_boolean(f)) return true;
  if (!json_is_array(f) || json_array_size(f) == 0) return false;
  const char *op = json_string_value(json_array_get(f, 0));
  if (!op) return false;
  size_t n = json_array_size(f);
  json_t *a1 = json_array_get(f, 1), *a2 = json_array_get(f, 2);
  if (strcmp(op, "has") == 0) {
    const char *k = json_string_value(a1);
    return n >= 2 && !(k && (strcmp(k, "$id") == 0 || strcmp(k, "$type") == 0));
  }
  if (strcmp(op, "in") == 0) return n >= 3 && (!json_is_string(a1) || json_is_array(a2));
  if (!strcmp(op, "!in") || !strcmp(op, "!has") || !strcmp(op, "none")) return false;
  if (!strcmp(op, "==") || !strcmp(op, "!=") || !strcmp(op, ">") || !strcmp(op, ">=") ||
      !strcmp(op, "<") || !strcmp(op, "<="))
    return n != 3 || json_is_array(a1) || json_is_array(a2);
  if (!strcmp(op, "any") || !strcmp(op, "all")) {
    for (size_t i = 1; i < n; i++) {
      json_t *s = json_array_get(f, i);
      if (!render_legacy_is_expression_filter(s) && !json_is_boolean(s)) return false;
    }
  }
  return true;
}

static json_t *key_expr(const char *k) {
  if (strcmp(k, "$type") == 0) return json_pack("[s]", "geometry-type");
  if (strcmp(k, "$id") == 0) return json_pack("[s]", "id");
  return json_pack("[s,s]", "get", k);
}

static json_t *has_expr(const char *k) {
  if (strcmp(k, "$type") == 0 || strcmp(k, "$id") == 0) return json_true();
  return json_pack("[s,s]", "has", k);
}

static json_t *wrap_not(json_t *x) { return x ? json_pack("[s,o]", "!", x) : NULL; }

/* ["in", key, v...] → ["in", getter, ["literal", [v...]]] */
static json_t *legacy_in(json_t *f) {
  const char *k = json_string_value(json_array_get(f, 1));
  if (!k) return NULL;
  json_t *vals = json_array();
  for (size_t i = 2; i < json_array_size(f); i++)
    json_array_append(vals, json_array_get(f, i));
  return json_pack("[s,o,[s,o]]", "in", key_expr(k), "literal", vals);
}

static json_t *combine(const char *op, json_t *f) {
  json_t *out = json_pack("[s]", op);
  for (size_t i = 1; i < json_array_size(f); i++) {
    json_t *s = render_legacy_filter(json_array_get(f, i));
    if (!s) {
      json_decref(out);
      return NULL;
    }
    json_array_append_new(out, s);
  }
  return out;
}

json_t *render_legacy_filter(json_t *f) {
  if (render_legacy_is_expression_filter(f)) return json_incref(f);
  const char *op = json_string_value(json_array_get(f, 0));
  if (!op) return NULL;
  if (!strcmp(op, "all")) return combine("all", f);
  if (!strcmp(op, "any")) return combine("any", f);
  if (!strcmp(op, "none")) return wrap_not(combine("any", f));
  if (!strcmp(op, "in")) return legacy_in(f);
  if (!strcmp(op, "!in")) return wrap_not(legacy_in(f));
  const char *k = json_string_value(json_array_get(f, 1));
  if (!k) return NULL;
  if (!strcmp(op, "has")) return has_expr(k);
  if (!strcmp(op, "!has")) return wrap_not(has_expr(k));
  json_t *v = json_array_get(f, 2);
  /* MapLibre: ["==", k, v] is false for a feature without k; != is true. */
  json_t *lit = json_is_array(v) ? json_pack("[s,O]", "literal", v) : json_incref(v);
  return json_pack("[s,o,o]", op, key_expr(k), lit);
}

/* {"stops": ...} → interpolate/step/match over zoom or a property. */
json_t *render_legacy_function(json_t *fn) {
  json_t *stops = json_object_get(fn, "stops");
  const char *prop = json_string_value(json_object_get(fn, "property"));
  const char *type = json_string_value(json_object_get(fn, "type"));
  json_t *dflt = json_object_get(fn, "default");
  if (prop && type && strcmp(type, "identity") == 0) return json_pack("[s,s]", "get", prop);
  if (!json_is_array(stops) || json_array_size(stops) == 0) return NULL;
  json_t *input = prop ? json_pack("[s,s]", "get", prop) : json_pack("[s]", "zoom");
  bool numeric = json_is_number(json_array_get(json_array_get(stops, 0), 1)) ||
                 json_is_string(json_array_get(json_array_get(stops, 0), 1));
  if (!type) type = numeric ? "exponential" : "interval";
  if (strcmp(type, "exponential") == 0 && !numeric) type = "interval";
  json_t *out;
  if (strcmp(type, "categorical") == 0) {
    out = json_pack("[s,o]", "match", input);
  } else if (strcmp(type, "interval") == 0) {
    out = json_pack("[s,o,O]", "step", input, json_array_get(json_array_get(stops, 0), 1));
  } else {
    json_t *base = json_object_get(fn, "base");
    out = json_pack("[s,[s,f],o]", "interpolate", "exponential",
                    json_is_number(base) ? json_number_value(base) : 1.0, input);
  }
  bool interval = strcmp(type, "interval") == 0;
  for (size_t i = 0; out && i < json_array_size(stops); i++) {
    json_t *s = json_array_get(stops, i);
    if (interval && i == 0) continue;
    json_array_append(out, json_array_get(s, 0));
    json_array_append(out, json_array_get(s, 1));
  }
  if (out && strcmp(type, "categorical") == 0)
    json_array_append_new(out, dflt ? json_incref(dflt) : json_null());
  return out;
}
