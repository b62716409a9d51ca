/* cql2_spatial.c — the spatial predicates of CQL2 (S_INTERSECTS, S_DISJOINT, S_WITHIN,
 * S_CONTAINS, S_EQUALS, S_TOUCHES, S_CROSSES, S_OVERLAPS) over the geometry property and
 * literals: BBOX(minx,miny,maxx,maxy) or WKT (POINT, LINESTRING, POLYGON and their MULTI forms), in
 * CRS84. Usually one side is the property and the other a literal; property-property (CQL2) also
 * allows the property on both sides, or literals on both.
 *
 * A literal is checked here (numbers, ranges, closed rings of 4+ points), re-written as WKT and
 * bound as one parameter; the SQL is ST_<op>(geom, ST_GeomFromText(?, 4326)) = 1 (the "= 1"
 * because SpatiaLite answers -1 on error, which SQL would take as true). Every predicate but
 * S_DISJOINT implies that the bounding boxes meet, so it is preceded by the spatial-index test
 * on the literal's box (store_where_bbox): the exact test then runs on the few candidates. */
#include <math.h>
#include <string.h>

#include "features/cql2_int.h"

typedef struct spatial_op {
  const char *name;
  const char *sql;
  bool boxes_meet; /* true implies the bounding boxes intersect */
} spatial_op;

static const spatial_op OPS[] = {
    {"S_INTERSECTS", "ST_Intersects", true}, {"S_DISJOINT", "ST_Disjoint", false},
    {"S_WITHIN", "ST_Within", true},         {"S_CONTAINS", "ST_Contains", true},
    {"S_EQUALS", "ST_Equals", true},         {"S_TOUCHES", "ST_Touches", true},
    {"S_CROSSES", "ST_Crosses", true},       {"S_OVERLAPS", "ST_Overlaps", true},
};

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
  buf_append(&g->wkt, t.s, t.len);
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

static void emit(features_cql2 *p, const spatial_op *op, geom_lit *g, bool prop_first) {
  buf *sql = p->sql;
  buf_puts(sql, "(");
  if (op->boxes_meet) {
    int first = 0;
    for (int i = 0; i < 4; i++) {
      int n = features_cql2_bind(p, (value){.kind = VALUE_REAL, .d = g->box[i]});
      if (i == 0) first = n;
    }
    store_where_bbox(p->l, first, g->crosses_antimeridian, sql);
    buf_puts(sql, " AND ");
  }
  int n = features_cql2_bind(p, (value){.kind = VALUE_TEXT, .s = (const char *)g->wkt.data,
                                        .len = g->wkt.len});
  if (prop_first)
    buf_printf(sql, "%s(geom, ST_GeomFromText(?%d, 4326)) = 1)", op->sql, n);
  else
    buf_printf(sql, "%s(ST_GeomFromText(?%d, 4326), geom) = 1)", op->sql, n);
  p->w->spatial_sql = true;
}

/* Both arguments properties (property-property: the layer's one geometry with itself) or both
 * literals: no index test, SpatiaLite decides (on every row, or once: the answer is constant). */
static void emit_pair(features_cql2 *p, const spatial_op *op, geom_lit g[2], bool props) {
  if (props) {
    buf_printf(p->sql, "(%s(geom, geom) = 1)", op->sql);
  } else {
    int a = features_cql2_bind(p, (value){.kind = VALUE_TEXT, .s = (const char *)g[0].wkt.data,
                                          .len = g[0].wkt.len});
    int b = features_cql2_bind(p, (value){.kind = VALUE_TEXT, .s = (const char *)g[1].wkt.data,
                                          .len = g[1].wkt.len});
    buf_printf(p->sql, "(%s(ST_GeomFromText(?%d, 4326), ST_GeomFromText(?%d, 4326)) = 1)",
               op->sql, a, b);
  }
  p->w->spatial_sql = true;
}

bool features_cql2_spatial(features_cql2 *p) {
  const spatial_op *op = NULL;
  for (size_t i = 0; i < sizeof OPS / sizeof *OPS && !op; i++)
    if (features_cql2_is(&p->tok, OPS[i].name)) op = &OPS[i];
  if (!op) return features_cql2_fail(p, "expected a spatial function (S_INTERSECTS, S_WITHIN, ...)");
  size_t pos = p->tok.pos;
  features_cql2_next(p);
  geom_lit g[2] = {{.box = {0}}, {.box = {0}}};
  buf_init(&g[0].wkt, FEATURES_MAX_SQL);
  buf_init(&g[1].wkt, FEATURES_MAX_SQL);
  bool prop[2] = {false, false};
  bool ok = features_cql2_expect(p, T_LPAREN, "expected '('") && spatial_arg(p, &g[0], &prop[0]) &&
            features_cql2_expect(p, T_COMMA, "expected ','") && spatial_arg(p, &g[1], &prop[1]) &&
            features_cql2_expect(p, T_RPAREN, "expected ')'");
  if (ok && (g[0].wkt.failed || g[1].wkt.failed))
    ok = features_cql2_fail_at(p, pos, "the geometry is too large");
  if (ok && prop[0] != prop[1]) emit(p, op, prop[0] ? &g[1] : &g[0], prop[0]);
  else if (ok) emit_pair(p, op, g, prop[0]);
  buf_free(&g[0].wkt);
  buf_free(&g[1].wkt);
  return ok;
}
