/* cql2_spatial.c — the spatial predicates of CQL2 (S_INTERSECTS, S_DISJOINT, S_WITHIN,
 * S_CONTAINS, S_EQUALS, S_TOUCHES, S_CROSSES, S_OVERLAPS) over the geometry property and
 * literals: BBOX(minx,miny,maxx,maxy) or WKT (POINT, LINESTRING, POLYGON and their MULTI forms), in
 * CRS84. Usually one side is the property and the other a literal; property-property (CQL2) also
 * allows the property on both sides, or literals on both.
 *
 * A literal is checked here (numbers, ranges, closed rings of 4+ points) and kept in the
 * predicate tree as WKT (coordinates written to round-trip) with its bounding box, which the
 * store tests through its spatial index before the exact test (store/sql_pred.c). */
#include <math.h>
#include <string.h>

#include "features/cql2_int.h"


/* A literal being read: its WKT and bounding box. */
typedef struct geom_lit {
  buf wkt;
  double box[4];
  bool crosses_antimeridian;
} geom_lit;

static void box_add(geom_lit *g, double x, double y) {
  if (x < g->box[0]) g->box[0] = x;
  if (y < g->box[1]) g->box[1] = y;
  if (x > g->box[2]) g->box[2] = x;
  if (y > g->box[3]) g->box[3] = y;
}

static bool coord(features_cql2 *p, geom_lit *g, double out[2]) {
  size_t pos = p->tok.pos;
  if (!features_cql2_number(p, &out[0]) || !features_cql2_number(p, &out[1])) return false;
  if (fabs(out[0]) > 180.0 || fabs(out[1]) > 90.0)
    return features_cql2_fail_at(p, pos, "coordinate %g %g is outside CRS84 (lon lat)", out[0],
                                 out[1]);
  box_add(g, out[0], out[1]);
  buf_printf(&g->wkt, "%.17g %.17g", out[0], out[1]);
  return true;
}

/* '(' x y {',' x y} ')'; min points; ring: first == last. */
static bool coord_list(features_cql2 *p, geom_lit *g, size_t min_pts, bool ring) {
  size_t pos = p->tok.pos, n = 0;
  double first[2] = {0, 0}, last[2] = {0, 0};
  if (!features_cql2_expect(p, T_LPAREN, "expected '(' before coordinates")) return false;
  buf_putc(&g->wkt, '(');
  for (;;) {
    if (n) buf_puts(&g->wkt, ", ");
    if (!coord(p, g, last)) return false;
    if (n++ == 0) memcpy(first, last, sizeof first);
    if (p->tok.kind == T_RPAREN) break;
    if (!features_cql2_expect(p, T_COMMA, "expected ',' or ')' between coordinates")) return false;
  }
  features_cql2_next(p);
  buf_putc(&g->wkt, ')');
  if (n < min_pts)
    return features_cql2_fail_at(p, pos, "%s needs at least %zu points", ring ? "a ring" : "a line",
                                 min_pts);
  if (ring && (first[0] != last[0] || first[1] != last[1]))
    return features_cql2_fail_at(p, pos, "a polygon ring must end where it starts");
  return true;
}

/* '(' item {',' item} ')' where item is read by fn at depth-1. */
static bool nested(features_cql2 *p, geom_lit *g, int depth, size_t min_pts, bool ring) {
  if (depth == 0) return coord_list(p, g, min_pts, ring);
  if (!features_cql2_expect(p, T_LPAREN, "expected '('")) return false;
  buf_putc(&g->wkt, '(');
  for (int i = 0;; i++) {
    if (i) buf_puts(&g->wkt, ", ");
    if (!nested(p, g, depth - 1, min_pts, ring)) return false;
    if (p->tok.kind == T_RPAREN) break;
    if (!features_cql2_expect(p, T_COMMA, "expected ',' or ')'")) return false;
  }
  features_cql2_next(p);
  buf_putc(&g->wkt, ')');
  return true;
}

/* MULTIPOINT accepts both (x y, x y) and ((x y), (x y)). */
static bool multipoint(features_cql2 *p, geom_lit *g) {
  if (!features_cql2_expect(p, T_LPAREN, "expected '('")) return false;
  buf_putc(&g->wkt, '(');
  for (int i = 0;; i++) {
    double c[2];
    if (i) buf_puts(&g->wkt, ", ");
    bool paren = p->tok.kind == T_LPAREN;
    if (paren) features_cql2_next(p);
    buf_putc(&g->wkt, '(');
    if (!coord(p, g, c)) return false;
    buf_putc(&g->wkt, ')');
    if (paren && !features_cql2_expect(p, T_RPAREN, "expected ')'")) return false;
    if (p->tok.kind == T_RPAREN) break;
    if (!features_cql2_expect(p, T_COMMA, "expected ',' or ')'")) return false;
  }
  features_cql2_next(p);
  buf_putc(&g->wkt, ')');
  return true;
}

/* BBOX(minx, miny, maxx, maxy): across the antimeridian when minx > maxx, written as two boxes. */
static bool bbox_literal(features_cql2 *p, geom_lit *g) {
  double b[4];
  size_t pos = p->tok.pos;
  if (!features_cql2_expect(p, T_LPAREN, "expected '(' after BBOX")) return false;
  for (int i = 0; i < 4; i++) {
    if (i && !features_cql2_expect(p, T_COMMA, "expected ',' between BBOX numbers")) return false;
    if (!features_cql2_number(p, &b[i])) return false;
  }
  if (!features_cql2_expect(p, T_RPAREN, "expected ')' after 4 BBOX numbers")) return false;
  if (b[1] > b[3]) return features_cql2_fail_at(p, pos, "BBOX miny is greater than maxy");
  for (int i = 0; i < 4; i++)
    if (fabs(b[i]) > (i % 2 ? 90.0 : 180.0))
      return features_cql2_fail_at(p, pos, "BBOX %g is outside CRS84", b[i]);
  memcpy(g->box, b, sizeof b);
  g->crosses_antimeridian = b[0] > b[2];
  const char *f = "((%.17g %.17g, %.17g %.17g, %.17g %.17g, %.17g %.17g, %.17g %.17g))";
  if (!g->crosses_antimeridian) {
    buf_puts(&g->wkt, "POLYGON");
    buf_printf(&g->wkt, f, b[0], b[1], b[2], b[1], b[2], b[3], b[0], b[3], b[0], b[1]);
    return true;
  }
  buf_puts(&g->wkt, "MULTIPOLYGON(");
  buf_printf(&g->wkt, f, b[0], b[1], 180.0, b[1], 180.0, b[3], b[0], b[3], b[0], b[1]);
  buf_puts(&g->wkt, ", ");
  buf_printf(&g->wkt, f, -180.0, b[1], b[2], b[1], b[2], b[3], -180.0, b[3], -180.0, b[1]);
  buf_putc(&g->wkt, ')');
  return true;
}

static bool geom_literal(features_cql2 *p, geom_lit *g) {
  static const struct {
    const char *kw;
    int depth;
    size_t min_pts;
    bool ring;
  } K[] = {{"LINESTRING", 0, 2, false},      {"POLYGON", 1, 4, true},
           {"MULTILINESTRING", 1, 2, false}, {"MULTIPOLYGON", 2, 4, true}};
  g->box[0] = g->box[1] = INFINITY;
  g->box[2] = g->box[3] = -INFINITY;
  cql2_token t = p->tok;
  features_cql2_next(p);
  if (features_cql2_is(&t, "BBOX")) return bbox_literal(p, g);
  for (size_t i = 0; i < t.len; i++) /* the keyword in upper case: one canonical text */
    buf_putc(&g->wkt, t.s[i] >= 'a' && t.s[i] <= 'z' ? t.s[i] - 'a' + 'A' : t.s[i]);
  if (features_cql2_is(&t, "POINT")) {
    double c[2];
    buf_putc(&g->wkt, '(');
    bool ok = features_cql2_expect(p, T_LPAREN, "expected '(' after POINT") && coord(p, g, c) &&
              features_cql2_expect(p, T_RPAREN, "expected ')' after the point");
    buf_putc(&g->wkt, ')');
    return ok;
  }
  if (features_cql2_is(&t, "MULTIPOINT")) return multipoint(p, g);
  for (size_t i = 0; i < sizeof K / sizeof *K; i++)
    if (features_cql2_is(&t, K[i].kw)) return nested(p, g, K[i].depth, K[i].min_pts, K[i].ring);
  return features_cql2_fail_at(p, t.pos,
                               "expected the geometry property, BBOX(...), or a WKT POINT, "
                               "LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING or MULTIPOLYGON");
}

static bool is_geometry_property(const features_cql2 *p) {
  const cql2_token *t = &p->tok;
  size_t q = t->quoted ? 1 : 0;
  if (t->kind != T_IDENT || t->len < 2 * q) return false;
  size_t n = t->len - 2 * q;
  const char *s = t->s + q;
  return (n == 8 && memcmp(s, "geometry", 8) == 0) || (n == 4 && memcmp(s, "geom", 4) == 0);
}

/* One argument: the property (*is_prop) or a literal into g. */
static bool spatial_arg(features_cql2 *p, geom_lit *g, bool *is_prop) {
  *is_prop = is_geometry_property(p);
  if (*is_prop) {
    features_cql2_next(p);
    return true;
  }
  return geom_literal(p, g);
}

/* The tree's form of an argument: the property (wkt NULL) or the literal's text in the arena. */
static bool to_geom(features_cql2 *p, geom_lit *g, bool is_prop, query_geom *out) {
  memset(out, 0, sizeof *out);
  if (is_prop) return true;
  char *wkt = arena_strndup(p->a, (const char *)g->wkt.data, g->wkt.len);
  if (!wkt) return features_cql2_nomem(p);
  out->wkt = wkt;
  memcpy(out->box, g->box, sizeof out->box);
  out->crosses_antimeridian = g->crosses_antimeridian;
  return true;
}

/* One side a property and the other a literal is the usual form; property-property (the layer's
 * one geometry with itself) and literal-literal (a constant) are CQL2 too. */
static query_pred *build(features_cql2 *p, query_spatial_op op, geom_lit g[2], const bool prop[2]) {
  query_pred *q = query_pred_new(p->a, QUERY_SPATIAL);
  if (!q) return features_cql2_nomem(p), NULL;
  q->sop = op;
  for (int i = 0; i < 2; i++)
    if (!to_geom(p, &g[i], prop[i], &q->geoms[i])) return NULL;
  return features_cql2_count(p, query_pred_n_values(q)) ? q : NULL;
}

query_pred *features_cql2_spatial(features_cql2 *p) {
  int op = -1;
  for (int i = QUERY_S_INTERSECTS; i <= QUERY_S_OVERLAPS && op < 0; i++)
    if (features_cql2_is(&p->tok, query_spatial_name((query_spatial_op)i))) op = i;
  if (op < 0)
    return features_cql2_fail(p, "expected a spatial function (S_INTERSECTS, S_WITHIN, ...)"), NULL;
  size_t pos = p->tok.pos;
  features_cql2_next(p);
  geom_lit g[2] = {{.box = {0}}, {.box = {0}}};
  buf_init(&g[0].wkt, FEATURES_MAX_WKT);
  buf_init(&g[1].wkt, FEATURES_MAX_WKT);
  bool prop[2] = {false, false};
  bool ok = features_cql2_expect(p, T_LPAREN, "expected '('") && spatial_arg(p, &g[0], &prop[0]) &&
            features_cql2_expect(p, T_COMMA, "expected ','") && spatial_arg(p, &g[1], &prop[1]) &&
            features_cql2_expect(p, T_RPAREN, "expected ')'");
  if (ok && (g[0].wkt.failed || g[1].wkt.failed))
    ok = features_cql2_fail_at(p, pos, "the geometry is too large");
  query_pred *q = ok ? build(p, (query_spatial_op)op, g, prop) : NULL;
  buf_free(&g[0].wkt);
  buf_free(&g[1].wkt);
  return q;
}
