/* geojson.c — RFC 7946 geometries and features, and WKT for CSV, from the flat geometries of
 * geom/. Coordinates are CRS84 lon/lat with at most 7 decimals. Polygon rings follow the
 * right-hand rule (§3.1.6: exterior counterclockwise, holes clockwise): a ring stored the other
 * way is written backwards, so clients that rely on winding (d3, some renderers) draw it right. */
#include <math.h>
#include <string.h>

#include "features/features_int.h"

static void put_pt(buf *b, map_pt p) {
  buf_putc(b, '[');
  features_put_coord(b, p.x);
  buf_putc(b, ',');
  features_put_coord(b, p.y);
  buf_putc(b, ']');
}

/* Twice the signed area (shoelace): > 0 counterclockwise in lon/lat. */
static double ring_area2(const map_pt *p, uint32_t n) {
  double s = 0;
  for (uint32_t i = 0; i + 1 < n; i++) s += (p[i].x - p[i + 1].x) * (p[i].y + p[i + 1].y);
  return s;
}

static void put_points(buf *b, const map_pt *p, uint32_t n, bool reverse) {
  buf_putc(b, '[');
  for (uint32_t i = 0; i < n; i++) {
    if (i) buf_putc(b, ',');
    put_pt(b, p[reverse ? n - 1 - i : i]);
  }
  buf_putc(b, ']');
}

static void put_part(buf *b, const geom *g, uint32_t part, bool ring, bool exterior) {
  uint32_t s = geom_part_start(g->part_end, part), n = g->part_end[part] - s;
  bool reverse = false;
  if (ring) {
    double a = ring_area2(g->pts + s, n);
    reverse = exterior ? a < 0 : a > 0;
  }
  put_points(b, g->pts + s, n, reverse);
}

static void put_polygon(buf *b, const geom *g, uint32_t poly) {
  uint32_t s = geom_part_start(g->poly_end, poly), t = g->poly_end[poly];
  buf_putc(b, '[');
  for (uint32_t i = s; i < t; i++) {
    if (i > s) buf_putc(b, ',');
    put_part(b, g, i, true, i == s);
  }
  buf_putc(b, ']');
}

void features_geojson_geometry(buf *b, const geom *g) {
  if (g->n_pts == 0) {
    buf_append(b, "null", 4);
    return;
  }
  switch (g->type) {
    case GEOM_POINT:
      if (!g->multi && g->n_pts == 1) {
        buf_puts(b, "{\"type\":\"Point\",\"coordinates\":");
        put_pt(b, g->pts[0]);
      } else {
        buf_puts(b, "{\"type\":\"MultiPoint\",\"coordinates\":");
        put_points(b, g->pts, g->n_pts, false);
      }
      break;
    case GEOM_LINESTRING:
      if (!g->multi && g->n_parts == 1) {
        buf_puts(b, "{\"type\":\"LineString\",\"coordinates\":");
        put_part(b, g, 0, false, false);
        break;
      }
      buf_puts(b, "{\"type\":\"MultiLineString\",\"coordinates\":[");
      for (uint32_t i = 0; i < g->n_parts; i++) {
        if (i) buf_putc(b, ',');
        put_part(b, g, i, false, false);
      }
      buf_putc(b, ']');
      break;
    case GEOM_POLYGON:
      if (!g->multi && g->n_polys == 1) {
        buf_puts(b, "{\"type\":\"Polygon\",\"coordinates\":");
        put_polygon(b, g, 0);
        break;
      }
      buf_puts(b, "{\"type\":\"MultiPolygon\",\"coordinates\":[");
      for (uint32_t i = 0; i < g->n_polys; i++) {
        if (i) buf_putc(b, ',');
        put_polygon(b, g, i);
      }
      buf_putc(b, ']');
      break;
    default: buf_append(b, "null", 4); return;
  }
  buf_putc(b, '}');
}

void features_geojson_feature_open(buf *b, const features_cols *c, const store_feature *f,
                                   const geom *g) {
  if (!features_geojson_point_fast(b, c, f, g)) features_geojson_feature_general(b, c, f, g);
}

void features_geojson_feature_general(buf *b, const features_cols *c, const store_feature *f,
                                      const geom *g) {
  buf_puts(b, "{\"type\":\"Feature\",\"id\":");
  features_put_int(b, f->id);
  buf_puts(b, ",\"geometry\":");
  features_geojson_geometry(b, g);
  buf_puts(b, ",\"properties\":{");
  for (size_t i = 0; i < c->n_fields; i++) {
    if (i) buf_putc(b, ',');
    buf_json_str(b, c->fields[i]);
    buf_putc(b, ':');
    features_json_value(b, &f->values[i]);
  }
  if (c->distance) {
    buf_puts(b, c->n_fields ? ",\"distance_m\":" : "\"distance_m\":");
    features_put_real(b, (double)llround(f->distance_m * 100) / 100);
  }
  buf_putc(b, '}');
}

/* ---- WKT (for CSV) ---- */

static void wkt_points(buf *b, const map_pt *p, uint32_t n) {
  buf_putc(b, '(');
  for (uint32_t i = 0; i < n; i++) {
    if (i) buf_puts(b, ", ");
    features_put_coord(b, p[i].x);
    buf_putc(b, ' ');
    features_put_coord(b, p[i].y);
  }
  buf_putc(b, ')');
}

static void wkt_part(buf *b, const geom *g, uint32_t part) {
  uint32_t s = geom_part_start(g->part_end, part);
  wkt_points(b, g->pts + s, g->part_end[part] - s);
}

static void wkt_polygon(buf *b, const geom *g, uint32_t poly) {
  uint32_t s = geom_part_start(g->poly_end, poly), t = g->poly_end[poly];
  buf_putc(b, '(');
  for (uint32_t i = s; i < t; i++) {
    if (i > s) buf_puts(b, ", ");
    wkt_part(b, g, i);
  }
  buf_putc(b, ')');
}

void features_wkt(buf *b, const geom *g) {
  if (g->n_pts == 0) return;
  bool multi;
  uint32_t n;
  switch (g->type) {
    case GEOM_POINT:
      multi = g->multi || g->n_pts > 1, n = g->n_pts;
      buf_puts(b, multi ? "MULTIPOINT (" : "POINT ");
      for (uint32_t i = 0; i < n; i++) {
        if (i) buf_puts(b, ", ");
        wkt_points(b, g->pts + i, 1);
      }
      break;
    case GEOM_LINESTRING:
      multi = g->multi || g->n_parts > 1, n = g->n_parts;
      buf_puts(b, multi ? "MULTILINESTRING (" : "LINESTRING ");
      for (uint32_t i = 0; i < n; i++) {
        if (i) buf_puts(b, ", ");
        wkt_part(b, g, i);
      }
      break;
    case GEOM_POLYGON:
      multi = g->multi || g->n_polys > 1, n = g->n_polys;
      buf_puts(b, multi ? "MULTIPOLYGON (" : "POLYGON ");
      for (uint32_t i = 0; i < n; i++) {
        if (i) buf_puts(b, ", ");
        wkt_polygon(b, g, i);
      }
      break;
    default: return;
  }
  if (multi) buf_putc(b, ')');
}
