/* expr_eval.c — evaluates compiled expressions against a feature and a zoom.
 *
 * Semantics follow the MapLibre style spec where the renderer can tell: == and != compare type
 * and value (so 1 != "1"); ordering compares numbers with numbers and strings with strings, and
 * anything else is false; a missing property is null. Runtime errors (an ordering of mismatched
 * types, a division producing NaN) give null, and the property falls back to its default, which
 * is what MapLibre does for a data-driven value it cannot compute. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render_int.h"

static const rval NUL = {.kind = RV_NULL};

static rval num(double n) { return isfinite(n) ? (rval){.kind = RV_NUM, .n = n} : NUL; }
static rval boolean(bool b) { return (rval){.kind = RV_BOOL, .b = b}; }

static rval from_value(const value *v) {
  switch (v->kind) {
    case VALUE_INT: return num((double)v->i);
    case VALUE_REAL: return num(v->d);
    case VALUE_BOOL: return boolean(v->i != 0);
    case VALUE_TEXT: return (rval){.kind = RV_STR, .s = v->s, .len = v->len};
    default: return NUL;
  }
}

/* The property `name` of the feature (clusters have only cluster and point_count). */
static rval get_prop(const rctx *c, const rval *name, bool *out_has) {
  const rfeature *f = c->f;
  *out_has = false;
  if (!f) return NUL;
  if (f->point_count > 0) {
    *out_has = true;
    if (name->len == 7 && memcmp(name->s, "cluster", 7) == 0) return boolean(true);
    if (name->len == 11 && memcmp(name->s, "point_count", 11) == 0) return num(f->point_count);
    *out_has = false;
    return NUL;
  }
  for (uint32_t i = 0; i + 1 < f->n_tags; i += 2) { /* a basemap feature: its own tags */
    const char *k = f->keys[f->tags[i]];
    if (strlen(k) == name->len && memcmp(k, name->s, name->len) == 0) {
      *out_has = true;
      return from_value(&f->tag_values[f->tags[i + 1]]);
    }
  }
  for (size_t i = 0; f->values && i < f->layer->n_fields; i++) {
    const char *fn = f->layer->fields[i].name;
    if (strlen(fn) == name->len && memcmp(fn, name->s, name->len) == 0) {
      *out_has = f->values[i].kind != VALUE_NULL;
      return from_value(&f->values[i]);
    }
  }
  return NUL;
}

static bool str_eq(const rval *a, const rval *b) {
  return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

static bool val_eq(const rval *a, const rval *b) {
  if (a->kind != b->kind) return false;
  switch (a->kind) {
    case RV_NULL: return true;
    case RV_BOOL: return a->b == b->b;
    case RV_NUM: return a->n == b->n;
    case RV_STR: return str_eq(a, b);
    case RV_COLOR: return memcmp(&a->c, &b->c, sizeof a->c) == 0;
    default: return false;
  }
}

/* -1, 0, 1, or 2 when the two cannot be ordered. */
static int val_cmp(const rval *a, const rval *b) {
  if (a->kind == RV_NUM && b->kind == RV_NUM) return a->n < b->n ? -1 : a->n > b->n;
  if (a->kind == RV_STR && b->kind == RV_STR) {
    size_t n = a->len < b->len ? a->len : b->len;
    int r = memcmp(a->s, b->s, n);
    if (r) return r < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len;
  }
  return 2;
}

bool render_val_truthy(rval v) {
  switch (v.kind) {
    case RV_BOOL: return v.b;
    case RV_NULL: return false;
    case RV_NUM: return v.n != 0;
    case RV_STR: return v.len > 0;
    default: return true;
  }
}

static rval to_text(rval v, const rctx *c) {
  char tmp[64];
  switch (v.kind) {
    case RV_STR: return v;
    case RV_NULL: return (rval){.kind = RV_STR, .s = "", .len = 0};
    case RV_BOOL: return (rval){.kind = RV_STR, .s = v.b ? "true" : "false", .len = v.b ? 4 : 5};
    case RV_NUM: snprintf(tmp, sizeof tmp, "%.15g", v.n); break;
    case RV_COLOR:
      snprintf(tmp, sizeof tmp, "rgba(%d,%d,%d,%g)", (int)lround(v.c.r * 255),
               (int)lround(v.c.g * 255), (int)lround(v.c.b * 255), v.c.a);
      break;
    default: return NUL;
  }
  char *s = c->scratch ? arena_strdup(c->scratch, tmp) : NULL;
  return s ? (rval){.kind = RV_STR, .s = s, .len = strlen(s)} : NUL;
}

static rval to_number(rval v) {
  if (v.kind == RV_NUM) return v;
  if (v.kind == RV_BOOL) return num(v.b);
  if (v.kind == RV_STR && v.len > 0 && v.len < 64) {
    char tmp[64], *end = NULL;
    memcpy(tmp, v.s, v.len);
    tmp[v.len] = '\0';
    double d = strtod(tmp, &end);
    if (end && *end == '\0') return num(d);
  }
  return NUL;
}

static rval to_color(rval v) {
  rcolor col;
  if (v.kind == RV_COLOR) return v;
  if (v.kind == RV_STR && render_color_parse(v.s, v.len, &col))
    return (rval){.kind = RV_COLOR, .c = col};
  return NUL;
}

/* Position of x among the stops: index of the last stop <= x, or -1 before the first. */
static long stop_index(const rexpr *x, double in) {
  long lo = -1;
  for (size_t i = 0; i < x->n_stops && x->stops[i] <= in; i++) lo = (long)i;
  return lo;
}

/* Arrays of numbers of one length interpolate item by item (text-offset on zoom), into the
 * scratch arena; without room they step as other values do. */
static bool lerp_array(rval a, rval b, double t, arena *scratch, rval *out) {
  if (a.kind != RV_ARRAY || b.kind != RV_ARRAY || a.len != b.len || a.len == 0 || !scratch)
    return false;
  for (size_t i = 0; i < a.len; i++)
    if (a.items[i].kind != RV_NUM || b.items[i].kind != RV_NUM) return false;
  rval *items = arena_alloc(scratch, a.len * sizeof *items);
  if (!items) return false;
  for (size_t i = 0; i < a.len; i++)
    items[i] = num(a.items[i].n + (b.items[i].n - a.items[i].n) * t);
  *out = (rval){.kind = RV_ARRAY, .items = items, .len = a.len};
  return true;
}

static rval lerp(rval a, rval b, double t, arena *scratch) {
  rval arr;
  if (lerp_array(a, b, t, scratch, &arr)) return arr;
  if (a.kind == RV_NUM && b.kind == RV_NUM) return num(a.n + (b.n - a.n) * t);
  if (a.kind == RV_COLOR && b.kind == RV_COLOR) {
    rcolor c = {a.c.r + (b.c.r - a.c.r) * t, a.c.g + (b.c.g - a.c.g) * t,
                a.c.b + (b.c.b - a.c.b) * t, a.c.a + (b.c.a - a.c.a) * t};
    return (rval){.kind = RV_COLOR, .c = c};
  }
  return t < 0.5 ? a : b;
}

static rval eval_interp(const rexpr *x, const rctx *c) {
  rval in = to_number(render_expr_eval(x->args[0], c));
  if (in.kind != RV_NUM) return NUL;
  long i = stop_index(x, in.n);
  if (i < 0) return render_expr_eval(x->args[1], c);
  if ((size_t)i + 1 >= x->n_stops) return render_expr_eval(x->args[x->n_stops], c);
  double lo = x->stops[i], hi = x->stops[i + 1], d = hi - lo, p = in.n - lo;
  double t = x->base == 1 ? p / d : (pow(x->base, p) - 1) / (pow(x->base, d) - 1);
  return lerp(render_expr_eval(x->args[1 + i], c), render_expr_eval(x->args[2 + i], c), t,
              c->scratch);
}

static rval eval_match(const rexpr *x, const rctx *c) {
  rval in = render_expr_eval(x->args[0], c);
  size_t branches = x->n_args - 2;
  for (size_t b = 0; b < branches; b++)
    for (size_t k = 0; k < x->labels[b].n; k++)
      if (val_eq(&in, &x->labels[b].v[k])) return render_expr_eval(x->args[1 + b], c);
  return render_expr_eval(x->args[x->n_args - 1], c);
}

static rval eval_in(const rexpr *x, const rctx *c) {
  rval needle = render_expr_eval(x->args[0], c), hay = render_expr_eval(x->args[1], c);
  if (hay.kind == RV_ARRAY) {
    for (size_t i = 0; i < hay.len; i++)
      if (val_eq(&needle, &hay.items[i])) return boolean(true);
    return boolean(false);
  }
  if (hay.kind == RV_STR && needle.kind == RV_STR) {
    if (needle.len == 0) return boolean(true);
    for (size_t i = 0; i + needle.len <= hay.len; i++)
      if (memcmp(hay.s + i, needle.s, needle.len) == 0) return boolean(true);
    return boolean(false);
  }
  return boolean(false);
}

static rval eval_math(const rexpr *x, const rctx *c) {
  double acc = 0;
  for (size_t i = 0; i < x->n_args; i++) {
    rval v = to_number(render_expr_eval(x->args[i], c));
    if (v.kind != RV_NUM) return NUL;
    if (i == 0) {
      acc = x->op == RX_SUB && x->n_args == 1 ? -v.n : v.n;
      continue;
    }
    switch (x->op) {
      case RX_ADD: acc += v.n; break;
      case RX_SUB: acc -= v.n; break;
      case RX_MUL: acc *= v.n; break;
      case RX_DIV: acc /= v.n; break;
      case RX_MOD: acc = fmod(acc, v.n); break;
      case RX_POW: acc = pow(acc, v.n); break;
      case RX_MIN: acc = fmin(acc, v.n); break;
      case RX_MAX: acc = fmax(acc, v.n); break;
      default: break;
    }
  }
  switch (x->op) {
    case RX_ABS: return num(fabs(acc));
    case RX_ROUND: return num(round(acc));
    case RX_FLOOR: return num(floor(acc));
    case RX_CEIL: return num(ceil(acc));
    case RX_SQRT: return num(sqrt(acc));
    default: return num(acc);
  }
}

static rval eval_text(const rexpr *x, const rctx *c) {
  if (x->op == RX_LENGTH) {
    rval v = render_expr_eval(x->args[0], c);
    return v.kind == RV_STR || v.kind == RV_ARRAY ? num((double)v.len) : NUL;
  }
  size_t total = 0;
  rval parts[16];
  size_t n = x->n_args < 16 ? x->n_args : 16;
  for (size_t i = 0; i < n; i++) {
    parts[i] = to_text(render_expr_eval(x->args[i], c), c);
    total += parts[i].len;
  }
  char *s = c->scratch ? arena_alloc(c->scratch, total + 1) : NULL;
  if (!s) return NUL;
  size_t off = 0;
  for (size_t i = 0; i < n; i++) {
    memcpy(s + off, parts[i].s, parts[i].len);
    off += parts[i].len;
  }
  for (size_t i = 0; i < total && x->op != RX_CONCAT; i++)
    s[i] = (char)(x->op == RX_UPCASE ? toupper((unsigned char)s[i]) : tolower((unsigned char)s[i]));
  s[total] = '\0';
  return (rval){.kind = RV_STR, .s = s, .len = total};
}

static rval eval_logic(const rexpr *x, const rctx *c) {
  switch (x->op) {
    case RX_ALL:
      for (size_t i = 0; i < x->n_args; i++)
        if (!render_val_truthy(render_expr_eval(x->args[i], c))) return boolean(false);
      return boolean(true);
    case RX_ANY:
      for (size_t i = 0; i < x->n_args; i++)
        if (render_val_truthy(render_expr_eval(x->args[i], c))) return boolean(true);
      return boolean(false);
    case RX_NOT: return boolean(!render_val_truthy(render_expr_eval(x->args[0], c)));
    case RX_CASE:
      for (size_t i = 0; i + 1 < x->n_args; i += 2)
        if (render_val_truthy(render_expr_eval(x->args[i], c)))
          return render_expr_eval(x->args[i + 1], c);
      return render_expr_eval(x->args[x->n_args - 1], c);
    case RX_COALESCE:
      for (size_t i = 0; i < x->n_args; i++) {
        rval v = render_expr_eval(x->args[i], c);
        if (v.kind != RV_NULL) return v;
      }
      return NUL;
    default: {
      rval a = render_expr_eval(x->args[0], c), b = render_expr_eval(x->args[1], c);
      if (x->op == RX_EQ) return boolean(val_eq(&a, &b));
      if (x->op == RX_NE) return boolean(!val_eq(&a, &b));
      int r = val_cmp(&a, &b);
      if (r == 2) return boolean(false);
      return boolean(x->op == RX_LT ? r < 0 : x->op == RX_LE ? r <= 0 : x->op == RX_GT ? r > 0
                                                                                      : r >= 0);
    }
  }
}

static rval eval_convert(const rexpr *x, const rctx *c) {
  for (size_t i = 0; i < x->n_args; i++) {
    rval v = render_expr_eval(x->args[i], c), r = NUL;
    switch (x->op) {
      case RX_TO_STRING: return to_text(v, c);
      case RX_TO_BOOLEAN: return boolean(render_val_truthy(v));
      case RX_TO_NUMBER: r = to_number(v); break;
      default: r = to_color(v); break;
    }
    if (r.kind != RV_NULL) return r;
  }
  return NUL;
}

static rval eval_rgb(const rexpr *x, const rctx *c) {
  double ch[4] = {0, 0, 0, 1};
  for (size_t i = 0; i < x->n_args; i++) {
    rval v = to_number(render_expr_eval(x->args[i], c));
    if (v.kind != RV_NUM) return NUL;
    ch[i] = i < 3 ? v.n / 255 : v.n;
  }
  return (rval){.kind = RV_COLOR, .c = {ch[0], ch[1], ch[2], ch[3]}};
}

rval render_expr_eval(const rexpr *x, const rctx *c) {
  bool has;
  switch (x->op) {
    case RX_LITERAL: return x->lit;
    case RX_GET: return get_prop(c, &x->args[0]->lit, &has);
    case RX_HAS: get_prop(c, &x->args[0]->lit, &has); return boolean(has);
    case RX_ZOOM: return num(c->zoom);
    case RX_ID: return c->f && c->f->point_count == 0 ? num((double)c->f->id) : NUL;
    case RX_GEOMTYPE: {
      static const char *const T[] = {"", "Point", "LineString", "Polygon"};
      const char *t = c->f ? T[c->f->type & 3] : "";
      return (rval){.kind = RV_STR, .s = t, .len = strlen(t)};
    }
    case RX_IN: return eval_in(x, c);
    case RX_MATCH: return eval_match(x, c);
    case RX_STEP: {
      rval in = to_number(render_expr_eval(x->args[0], c));
      if (in.kind != RV_NUM) return NUL;
      return render_expr_eval(x->args[1 + (size_t)(stop_index(x, in.n) + 1)], c);
    }
    case RX_INTERP: return eval_interp(x, c);
    case RX_TO_STRING: case RX_TO_NUMBER: case RX_TO_BOOLEAN: case RX_TO_COLOR:
      return eval_convert(x, c);
    case RX_CONCAT: case RX_UPCASE: case RX_DOWNCASE: case RX_LENGTH: return eval_text(x, c);
    case RX_RGB: case RX_RGBA: return eval_rgb(x, c);
    case RX_ADD: case RX_SUB: case RX_MUL: case RX_DIV: case RX_MOD: case RX_POW: case RX_MIN:
    case RX_MAX: case RX_ABS: case RX_ROUND: case RX_FLOOR: case RX_CEIL: case RX_SQRT:
      return eval_math(x, c);
    default: return eval_logic(x, c);
  }
}

double render_eval_num(const rexpr *x, const rctx *c, double dflt) {
  if (!x) return dflt;
  rval v = to_number(render_expr_eval(x, c));
  return v.kind == RV_NUM ? v.n : dflt;
}

bool render_eval_bool(const rexpr *x, const rctx *c, bool dflt) {
  if (!x) return dflt;
  rval v = render_expr_eval(x, c);
  return v.kind == RV_NULL ? dflt : render_val_truthy(v);
}

rcolor render_eval_color(const rexpr *x, const rctx *c, rcolor dflt) {
  if (!x) return dflt;
  rval v = to_color(render_expr_eval(x, c));
  return v.kind == RV_COLOR ? v.c : dflt;
}

bool render_eval_text(const rexpr *x, const rctx *c, const char **out_s, size_t *out_len) {
  if (!x) return false;
  rval v = render_expr_eval(x, c);
  if (v.kind == RV_NULL || v.kind == RV_ARRAY) return false;
  v = to_text(v, c);
  if (v.kind != RV_STR) return false;
  *out_s = v.s;
  *out_len = v.len;
  return true;
}
