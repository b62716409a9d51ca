/* expr.c — compiles MapLibre style expressions (JSON arrays) into trees evaluated by expr_eval.c.
 *
 * The supported operators are those the README lists (data: get, has, id, geometry-type, zoom;
 * decisions: ==, !=, <, <=, >, >=, all, any, !, in, match, case, coalesce; ramps: step,
 * interpolate linear/exponential; types: literal, to-string, to-number, to-boolean, to-color;
 * math, concat, upcase, downcase, length, rgb, rgba). Anything else is an error naming its JSON
 * pointer, so a style that would draw differently here than in the browser is refused at load
 * rather than drawn wrong. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/render_int.h"

enum { EXPR_MAX_DEPTH = 32, PATH_MAX_LEN = 400 };

typedef struct op_def {
  const char *name;
  rx_op op;
  int min_args, max_args; /* -1: unbounded */
} op_def;

static const op_def OPS[] = {
    {"literal", RX_LITERAL, 1, 1},    {"get", RX_GET, 1, 1},
    {"has", RX_HAS, 1, 1},            {"zoom", RX_ZOOM, 0, 0},
    {"geometry-type", RX_GEOMTYPE, 0, 0}, {"id", RX_ID, 0, 0},
    {"==", RX_EQ, 2, 2},              {"!=", RX_NE, 2, 2},
    {"<", RX_LT, 2, 2},               {"<=", RX_LE, 2, 2},
    {">", RX_GT, 2, 2},               {">=", RX_GE, 2, 2},
    {"all", RX_ALL, 0, -1},           {"any", RX_ANY, 0, -1},
    {"!", RX_NOT, 1, 1},              {"in", RX_IN, 2, 2},
    {"match", RX_MATCH, 4, -1},       {"case", RX_CASE, 3, -1},
    {"step", RX_STEP, 2, -1},         {"interpolate", RX_INTERP, 4, -1},
    {"coalesce", RX_COALESCE, 1, -1}, {"to-string", RX_TO_STRING, 1, 1},
    {"to-number", RX_TO_NUMBER, 1, -1}, {"to-boolean", RX_TO_BOOLEAN, 1, 1},
    {"to-color", RX_TO_COLOR, 1, -1}, {"+", RX_ADD, 2, -1},
    {"-", RX_SUB, 1, 2},              {"*", RX_MUL, 2, -1},
    {"/", RX_DIV, 2, 2},              {"%", RX_MOD, 2, 2},
    {"^", RX_POW, 2, 2},              {"min", RX_MIN, 1, -1},
    {"max", RX_MAX, 1, -1},           {"abs", RX_ABS, 1, 1},
    {"round", RX_ROUND, 1, 1},        {"floor", RX_FLOOR, 1, 1},
    {"ceil", RX_CEIL, 1, 1},          {"sqrt", RX_SQRT, 1, 1},
    {"concat", RX_CONCAT, 1, -1},     {"upcase", RX_UPCASE, 1, 1},
    {"downcase", RX_DOWNCASE, 1, 1},  {"length", RX_LENGTH, 1, 1},
    {"rgb", RX_RGB, 3, 3},            {"rgba", RX_RGBA, 4, 4},
};

typedef struct cctx {
  arena *a;
  err *e;
  int depth;
} cctx;

static const op_def *find_op(const char *name) {
  for (size_t i = 0; i < sizeof OPS / sizeof *OPS; i++)
    if (strcmp(OPS[i].name, name) == 0) return &OPS[i];
  return NULL;
}

/* path + "/" + i (RFC 6901; indexes need no escaping). */
static void child_path(char *out, const char *path, size_t i) {
  snprintf(out, PATH_MAX_LEN, "%s/%zu", path, i);
}

static err_code fail(cctx *c, const char *path, const char *msg, const char *arg) {
  return err_set(c->e, ERR_INVALID, "%s: %s%s%s%s", *path ? path : "/", msg, arg ? " '" : "",
                 arg ? arg : "", arg ? "'" : "");
}

/* A JSON scalar or array of scalars as a value (arrays one level deep). */
static err_code to_rval(cctx *c, json_t *j, rtype want, const char *path, rval *out) {
  memset(out, 0, sizeof *out);
  switch (json_typeof(j)) {
    case JSON_NULL: return ERR_OK;
    case JSON_TRUE:
    case JSON_FALSE: out->kind = RV_BOOL, out->b = json_is_true(j); return ERR_OK;
    case JSON_INTEGER:
    case JSON_REAL: out->kind = RV_NUM, out->n = json_number_value(j); return ERR_OK;
    case JSON_STRING: {
      const char *s = json_string_value(j);
      size_t n = json_string_length(j);
      if (want == RT_COLOR) {
        if (!render_color_parse(s, n, &out->c)) return fail(c, path, "not a colour", s);
        out->kind = RV_COLOR;
        return ERR_OK;
      }
      out->kind = RV_STR;
      out->s = arena_strndup(c->a, s, n);
      out->len = n;
      return out->s ? ERR_OK : err_set(c->e, ERR_NOMEM, "out of memory");
    }
    case JSON_ARRAY: {
      size_t n = json_array_size(j);
      rval *items = arena_calloc(c->a, n ? n : 1, sizeof *items);
      if (!items) return err_set(c->e, ERR_NOMEM, "out of memory");
      for (size_t i = 0; i < n; i++) {
        char p[PATH_MAX_LEN];
        child_path(p, path, i);
        json_t *it = json_array_get(j, i);
        if (json_is_array(it) || json_is_object(it))
          return fail(c, p, "nested arrays and objects are not supported here", NULL);
        err_code rc = to_rval(c, it, RT_ANY, p, &items[i]);
        if (rc != ERR_OK) return rc;
      }
      *out = (rval){.kind = RV_ARRAY, .items = items, .len = n};
      return ERR_OK;
    }
    default: return fail(c, path, "objects are not supported as values", NULL);
  }
}

static err_code compile(cctx *c, json_t *j, rtype want, const char *path, rexpr **out);

static rexpr *node(cctx *c, rx_op op, size_t n_args) {
  rexpr *x = arena_calloc(c->a, 1, sizeof *x);
  if (!x) return NULL;
  x->op = op;
  x->n_args = n_args;
  if (n_args && !(x->args = arena_calloc(c->a, n_args, sizeof *x->args))) return NULL;
  return x;
}

static err_code literal(cctx *c, json_t *j, rtype want, const char *path, rexpr **out) {
  rexpr *x = node(c, RX_LITERAL, 0);
  if (!x) return err_set(c->e, ERR_NOMEM, "out of memory");
  err_code rc = to_rval(c, j, want, path, &x->lit);
  *out = x;
  return rc;
}

/* Compiles argument i of array j into x->args[k]. */
static err_code arg(cctx *c, json_t *j, size_t i, rtype want, const char *path, rexpr *x,
                    size_t k) {
  char p[PATH_MAX_LEN];
  child_path(p, path, i);
  err_code rc = compile(c, json_array_get(j, i), want, p, &x->args[k]);
  if (rc == ERR_OK) {
    x->feature_dep |= x->args[k]->feature_dep;
    x->zoom_dep |= x->args[k]->zoom_dep;
  }
  return rc;
}

/* ["match", input, label, out, label, out, ..., fallback] */
static err_code compile_match(cctx *c, json_t *j, rtype want, const char *path, rexpr *x) {
  size_t n = json_array_size(j);
  if (n % 2 != 1) return fail(c, path, "match needs label/output pairs and a fallback", NULL);
  size_t branches = (n - 3) / 2;
  x->n_args = branches + 2; /* input, outputs..., fallback */
  x->args = arena_calloc(c->a, x->n_args, sizeof *x->args);
  x->labels = arena_calloc(c->a, branches, sizeof *x->labels);
  if (!x->args || !x->labels) return err_set(c->e, ERR_NOMEM, "out of memory");
  err_code rc = arg(c, j, 1, RT_ANY, path, x, 0);
  for (size_t b = 0; b < branches && rc == ERR_OK; b++) {
    char p[PATH_MAX_LEN];
    child_path(p, path, 2 + 2 * b);
    json_t *lab = json_array_get(j, 2 + 2 * b);
    rval v;
    rc = to_rval(c, lab, RT_ANY, p, &v);
    if (rc != ERR_OK) break;
    if (v.kind == RV_ARRAY) x->labels[b] = (rx_labels){v.items, v.len};
    else if (v.kind == RV_STR || v.kind == RV_NUM || v.kind == RV_BOOL) {
      rval *one = arena_alloc(c->a, sizeof *one);
      if (!one) return err_set(c->e, ERR_NOMEM, "out of memory");
      *one = v;
      x->labels[b] = (rx_labels){one, 1};
    } else {
      return fail(c, p, "match labels are strings, numbers or arrays of them", NULL);
    }
    rc = arg(c, j, 3 + 2 * b, want, path, x, 1 + b);
  }
  if (rc == ERR_OK) rc = arg(c, j, n - 1, want, path, x, x->n_args - 1);
  return rc;
}

/* ["step", input, out0, stop1, out1, ...] and
 * ["interpolate", type, input, stop1, out1, ...]: args = input, outputs. */
static err_code compile_ramp(cctx *c, json_t *j, rtype want, const char *path, rexpr *x) {
  size_t n = json_array_size(j), first = 1;
  x->base = 1;
  if (x->op == RX_INTERP) {
    json_t *t = json_array_get(j, 1);
    const char *kind = json_string_value(json_array_get(t, 0));
    char p[PATH_MAX_LEN];
    child_path(p, path, 1);
    if (!kind) return fail(c, p, "interpolation type must be [\"linear\"] or [\"exponential\", base]", NULL);
    if (strcmp(kind, "exponential") == 0 && json_is_number(json_array_get(t, 1)))
      x->base = json_number_value(json_array_get(t, 1));
    else if (strcmp(kind, "linear") != 0 && strcmp(kind, "cubic-bezier") != 0)
      return fail(c, p, "unsupported interpolation type", kind);
    first = 2;
  }
  size_t rest = n - first - 1; /* after the input */
  bool step = x->op == RX_STEP;
  if ((step && rest % 2 != 1) || (!step && (rest % 2 != 0 || rest == 0)))
    return fail(c, path, step ? "step needs an initial output and stop/output pairs"
                              : "interpolate needs stop/output pairs", NULL);
  x->n_stops = step ? rest / 2 : rest / 2;
  double *stops = arena_calloc(c->a, x->n_stops + 1, sizeof *stops);
  x->n_args = 1 + (step ? x->n_stops + 1 : x->n_stops);
  x->args = arena_calloc(c->a, x->n_args, sizeof *x->args);
  if (!stops || !x->args) return err_set(c->e, ERR_NOMEM, "out of memory");
  x->stops = stops;
  err_code rc = arg(c, j, first, RT_NUM, path, x, 0);
  size_t k = 1, i = first + 1;
  if (rc == ERR_OK && step) rc = arg(c, j, i++, want, path, x, k++);
  for (size_t s = 0; s < x->n_stops && rc == ERR_OK; s++, i += 2) {
    json_t *sv = json_array_get(j, i);
    char p[PATH_MAX_LEN];
    child_path(p, path, i);
    if (!json_is_number(sv)) return fail(c, p, "stop inputs must be numeric literals", NULL);
    stops[s] = json_number_value(sv);
    if (s > 0 && stops[s] <= stops[s - 1]) return fail(c, p, "stops must increase", NULL);
    rc = arg(c, j, i + 1, want, path, x, k++);
  }
  return rc;
}

static err_code compile_call(cctx *c, json_t *j, const op_def *d, rtype want, const char *path,
                             rexpr **out) {
  size_t n = json_array_size(j) - 1;
  if ((int)n < d->min_args || (d->max_args >= 0 && (int)n > d->max_args))
    return fail(c, path, "wrong number of arguments for", d->name);
  if (d->op == RX_LITERAL) {
    char p[PATH_MAX_LEN];
    child_path(p, path, 1);
    return literal(c, json_array_get(j, 1), want == RT_COLOR ? RT_COLOR : RT_ANY, p, out);
  }
  rexpr *x = node(c, d->op, 0);
  if (!x) return err_set(c->e, ERR_NOMEM, "out of memory");
  *out = x;
  x->feature_dep = d->op == RX_GET || d->op == RX_HAS || d->op == RX_ID || d->op == RX_GEOMTYPE;
  x->zoom_dep = d->op == RX_ZOOM;
  if (d->op == RX_MATCH) return compile_match(c, j, want, path, x);
  if (d->op == RX_STEP || d->op == RX_INTERP) return compile_ramp(c, j, want, path, x);
  if ((d->op == RX_GET || d->op == RX_HAS) && !json_is_string(json_array_get(j, 1)))
    return fail(c, path, "the property name must be a string", NULL);
  x->n_args = n;
  if (n && !(x->args = arena_calloc(c->a, n, sizeof *x->args)))
    return err_set(c->e, ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    /* outputs of case and coalesce keep the wanted type (colours stay colours) */
    bool output = (d->op == RX_CASE && (i % 2 == 1 || i == n - 1)) || d->op == RX_COALESCE;
    err_code rc = arg(c, j, i + 1, output ? want : RT_ANY, path, x, i);
    if (rc != ERR_OK) return rc;
  }
  if (d->op == RX_CASE && n % 2 != 1)
    return fail(c, path, "case needs condition/output pairs and a fallback", NULL);
  return ERR_OK;
}

static err_code compile(cctx *c, json_t *j, rtype want, const char *path, rexpr **out) {
  if (++c->depth > EXPR_MAX_DEPTH) return fail(c, path, "expression nested too deeply", NULL);
  err_code rc;
  const char *name = json_string_value(json_array_get(j, 0));
  const op_def *d = json_is_array(j) && name ? find_op(name) : NULL;
  if (!json_is_array(j) || (want == RT_ARRAY && !d)) {
    rc = literal(c, j, want, path, out);
  } else if (json_array_size(j) == 0 || !name) {
    rc = fail(c, path, "an expression starts with an operator name", NULL);
  } else if (!d) {
    char p[PATH_MAX_LEN];
    child_path(p, path, 0);
    rc = fail(c, p, "unsupported expression operator", name);
  } else {
    rc = compile_call(c, j, d, want, path, out);
  }
  c->depth--;
  return rc;
}

err_code render_expr_compile(json_t *j, rtype want, arena *a, const char *path, rexpr **out,
                             err *e) {
  cctx c = {.a = a, .e = e};
  char p[PATH_MAX_LEN];
  snprintf(p, sizeof p, "%s", path);
  return compile(&c, j, want, p, out);
}
