/* csv.c — CSV for spreadsheet users (RFC 4180: CRLF line ends, fields with a comma, quote or line
 * break quoted, quotes doubled). UTF-8, with a byte-order mark on request (bom=true) because
 * Excel reads a CSV without one as Windows-1252. Point layers get lon and lat columns; lines and
 * polygons a wkt column. A point layer's multipoint writes its first point in lon/lat.
 *
 * Column names are distinct, so spreadsheets and GDAL see one column per name. The first column,
 * fid, is the feature id (GeoJSON's "id", /items/{fid}); the store reserves that name, so a source
 * field called "id" keeps its own name and values. A field named like another column the writer
 * adds (lon, lat, wkt, distance_m) is headed name_2 (name_3 ... if that is taken too). */
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "features/features_int.h"

static bool is_point_layer(const features_cols *c) {
  return strcmp(c->layer->geometry_type, "Point") == 0;
}

static void put_text(buf *b, const char *s, size_t n) {
  bool quote = n && (s[0] == ' ' || s[n - 1] == ' ');
  for (size_t i = 0; i < n && !quote; i++)
    quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
  if (!quote) {
    buf_append(b, s, n);
    return;
  }
  buf_putc(b, '"');
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '"') continue;
    buf_append(b, s + start, i + 1 - start);
    buf_putc(b, '"');
    start = i + 1;
  }
  buf_append(b, s + start, n - start);
  buf_putc(b, '"');
}

/* True when name is a column the writer adds, or a field other than fields[self]. */
static bool taken(const features_cols *c, size_t self, const char *name) {
  static const char *const OWN[] = {"fid", "lon", "lat", "wkt", "distance_m"};
  for (size_t i = 0; i < sizeof OWN / sizeof *OWN; i++) {
    bool used = i == 0 || (i < 3 ? is_point_layer(c) : i == 3 ? !is_point_layer(c) : c->distance);
    if (used && strcasecmp(name, OWN[i]) == 0) return true;
  }
  for (size_t i = 0; i < c->n_fields; i++)
    if (i != self && strcasecmp(name, c->fields[i]) == 0) return true;
  return false;
}

static void put_field_name(buf *b, const features_cols *c, size_t i) {
  const char *name = c->fields[i];
  if (!taken(c, i, name)) {
    put_text(b, name, strlen(name));
    return;
  }
  char alt[512];
  for (int k = 2; k < 1000; k++) {
    int n = snprintf(alt, sizeof alt, "%s_%d", name, k);
    if (n > 0 && (size_t)n < sizeof alt && !taken(c, i, alt)) {
      put_text(b, alt, (size_t)n);
      return;
    }
  }
  put_text(b, name, strlen(name)); /* a thousand clashes: not a layer the importer writes */
}

void features_csv_header(buf *b, const features_cols *c, bool bom) {
  if (bom) buf_puts(b, "\xEF\xBB\xBF");
  buf_puts(b, is_point_layer(c) ? "fid,lon,lat" : "fid,wkt");
  for (size_t i = 0; i < c->n_fields; i++) {
    buf_putc(b, ',');
    put_field_name(b, c, i);
  }
  if (c->distance) buf_puts(b, ",distance_m");
  buf_puts(b, "\r\n");
}

static void put_value(buf *b, const value *v) {
  switch (v->kind) {
    case VALUE_NULL: break;
    case VALUE_BOOL: buf_puts(b, v->i ? "true" : "false"); break;
    case VALUE_INT: features_put_int(b, v->i); break;
    case VALUE_REAL: features_put_real(b, v->d); break;
    case VALUE_TEXT: put_text(b, v->s, v->len); break;
  }
}

void features_csv_row(buf *b, const features_cols *c, const store_feature *f, const geom *g) {
  features_put_int(b, f->id);
  buf_putc(b, ',');
  if (is_point_layer(c)) {
    if (g->n_pts) {
      features_put_coord(b, g->pts[0].x);
      buf_putc(b, ',');
      features_put_coord(b, g->pts[0].y);
    } else {
      buf_putc(b, ',');
    }
  } else {
    buf b2;
    buf_init(&b2, 0);
    features_wkt(&b2, g);
    put_text(b, (const char *)b2.data, b2.len);
    buf_free(&b2);
  }
  for (size_t i = 0; i < c->n_fields; i++) {
    buf_putc(b, ',');
    put_value(b, &f->values[i]);
  }
  if (c->distance) {
    buf_putc(b, ',');
    features_put_real(b, (double)(int64_t)(f->distance_m * 100 + 0.5) / 100);
  }
  buf_puts(b, "\r\n");
}
