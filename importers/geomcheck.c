/* geomcheck.c — one geometry in, checked EPSG:4326 lon/lat WKB out (or a reason to reject it).
 *
 * The order matters: finiteness first (NaN would poison every later test); then, for sources in
 * degrees, swapped or unsigned coordinates (before the range check, which they would fail);
 * then range; then PROJ to EPSG:4326 in lon/lat order (OAMS_TRADITIONAL_GIS_ORDER, whatever the
 * CRS's own axis order); then the expected area; then GEOS validity and repair, last, on the
 * final coordinates, since reprojection can itself make a ring self-intersect.
 * Points skip GEOS: a finite point is always valid, and they are most of the rows of a big CSV. */
#include <cpl_conv.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "importers/geomcheck_int.h"
#include "geom/wkb.h"

static void geos_message(const char *msg, void *ud) {
  geom_check *g = ud;
  snprintf(g->geos_msg, sizeof g->geos_msg, "%s", msg);
}

static void geos_quiet(const char *msg, void *ud) {}

void import_default_area(double out[4]) {
  out[0] = -118.5;
  out[1] = 14.3;
  out[2] = -86.5;
  out[3] = 32.8;
}

err_code geom_check_init(geom_check *g, const import_options *opt, import_source *src,
                         import_report *rep, err *e) {
  memset(g, 0, sizeof *g);
  buf_init(&g->wkb, 0);
  g->geos = GEOS_init_r();
  if (!g->geos) return err_set(e, ERR_GEOS, "GEOS no se pudo iniciar");
  GEOSContext_setErrorMessageHandler_r(g->geos, geos_message, g);
  GEOSContext_setNoticeMessageHandler_r(g->geos, geos_quiet, g);
  g->reader = GEOSWKBReader_create_r(g->geos);
  g->writer = GEOSWKBWriter_create_r(g->geos);
  g->mv = GEOSMakeValidParams_create_r(g->geos);
  if (!g->reader || !g->writer || !g->mv) return err_set(e, ERR_GEOS, "GEOS: sin memoria");
  GEOSWKBWriter_setByteOrder_r(g->geos, g->writer, GEOS_WKB_NDR);
  GEOSWKBWriter_setOutputDimension_r(g->geos, g->writer, 2);
  /* STRUCTURE keeps a polygon a polygon (no stray lines from collapsed parts). */
  GEOSMakeValidParams_setMethod_r(g->geos, g->mv, GEOS_MAKE_VALID_STRUCTURE);
  GEOSMakeValidParams_setKeepCollapsed_r(g->geos, g->mv, 0);
  if (opt->has_area) memcpy(g->area, opt->area, sizeof g->area);
  else import_default_area(g->area);
  memcpy(g->expect, opt->has_expect_bbox ? opt->expect_bbox : g->area, sizeof g->expect);
  g->fix_swapped = opt->fix_swapped;
  g->no_srs = src->srs_assumed;
  g->geographic = !src->srs || OSRIsGeographic(src->srs);
  if (!src->srs) return ERR_OK;
  OGRSpatialReferenceH wgs84 = OSRNewSpatialReference(NULL);
  OSRImportFromEPSG(wgs84, 4326);
  OSRSetAxisMappingStrategy(wgs84, OAMS_TRADITIONAL_GIS_ORDER);
  const char *same[] = {"CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS", NULL};
  err_code rc = ERR_OK;
  if (!OSRIsSameEx(src->srs, wgs84, same)) {
    g->ct = OCTNewCoordinateTransformation(src->srs, wgs84);
    if (!g->ct)
      rc = err_set(e, ERR_INVALID, "PROJ no puede transformar de %s a EPSG:4326", rep->crs);
  }
  OSRDestroySpatialReference(wgs84);
  return rc;
}

void geom_check_free(geom_check *g) {
  if (g->geos) {
    if (g->geos_out) GEOSFree_r(g->geos, g->geos_out);
    if (g->reader) GEOSWKBReader_destroy_r(g->geos, g->reader);
    if (g->writer) GEOSWKBWriter_destroy_r(g->geos, g->writer);
    if (g->mv) GEOSMakeValidParams_destroy_r(g->geos, g->mv);
    GEOS_finish_r(g->geos);
  }
  if (g->ct) OCTDestroyCoordinateTransformation(g->ct);
  buf_free(&g->wkb);
  free(g->xs);
  free(g->ys);
  free(g->ok);
  free(g->centres);
  memset(g, 0, sizeof *g);
}

/* ---- outliers ----------------------------------------------------------------------------------
 * A point one degree off (a digit mistyped in a projected X, as in SACMEX's wells) stays inside
 * Mexico, so the area check cannot see it. The layer's own distribution can: per axis, the
 * distance from the median in units of 1.4826·MAD (the standard deviation of a normal sample,
 * robust to the outliers themselves). Over 6 units on either axis is flagged; over 4 when moving
 * that axis by exactly ±1° brings the record back among the others (under 3 units). A
 * floor of 0.002° (about 200 m) on the unit keeps a compact layer's ordinary spread from being
 * flagged. Measured: of the 38 wells west of lon -99.37, the 37 about one degree off are flagged
 * (the 38th, 0.35° off, is at 5.1 units) and no other; the largest value on the 131,141 CDMX
 * crimes is 4.3, on León's INEGI localities 4.3, on RH26 water bodies 2.8. Memory: 24 bytes a record. */

typedef struct geom_centre {
  double x, y;
  int64_t record;
} geom_centre;

enum { OUTLIER_MIN_RECORDS = 20 };
static const double OUTLIER_Z = 6, OUTLIER_SHIFT_Z = 4, OUTLIER_BACK_Z = 3, OUTLIER_FLOOR = 0.002;

static void remember_centre(geom_check *g, double x, double y, int64_t record) {
  if (record <= g->last_record) g->n_centres = 0; /* a second pass over the file */
  g->last_record = record;
  if (g->n_centres == g->cap_centres) {
    size_t cap = g->cap_centres ? g->cap_centres * 2 : 1024;
    geom_centre *c = realloc(g->centres, cap * sizeof *c);
    if (!c) return; /* without memory the check is skipped, never the import */
    g->centres = c, g->cap_centres = cap;
  }
  g->centres[g->n_centres++] = (geom_centre){x, y, record};
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Median of v[0..n) (sorted in place). */
static double median(double *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median and robust unit of one axis (offset 0: x, 1: y). False without memory. */
static bool axis_stats(const geom_centre *c, size_t n, int axis, double *out_med, double *out_unit) {
  double *v = malloc(n * sizeof *v);
  if (!v) return false;
  for (size_t i = 0; i < n; i++) v[i] = axis ? c[i].y : c[i].x;
  double m = median(v, n);
  for (size_t i = 0; i < n; i++) v[i] = fabs((axis ? c[i].y : c[i].x) - m);
  double mad = median(v, n);
  free(v);
  *out_med = m;
  *out_unit = fmax(1.4826 * mad, OUTLIER_FLOOR);
  return true;
}

/* The shift of one axis: -1 or 1 when moving the value by that many degrees brings it back
 * among the others, 0 otherwise. */
static int axis_shift(double v, double med, double unit) {
  if (fabs(v - med) / unit <= OUTLIER_SHIFT_Z) return 0;
  for (int d = -1; d <= 1; d += 2)
    if (fabs(v + d - med) / unit < OUTLIER_BACK_Z) return d;
  return 0;
}

void geom_check_outliers(geom_check *g, import_report *rep) {
  size_t n = g->n_centres;
  double med[2], unit[2];
  if (n < OUTLIER_MIN_RECORDS || !axis_stats(g->centres, n, 0, &med[0], &unit[0]) ||
      !axis_stats(g->centres, n, 1, &med[1], &unit[1]))
    return;
  for (size_t i = 0; i < n; i++) {
    const geom_centre *c = &g->centres[i];
    double z = fmax(fabs(c->x - med[0]) / unit[0], fabs(c->y - med[1]) / unit[1]);
    int sx = axis_shift(c->x, med[0], unit[0]), sy = axis_shift(c->y, med[1], unit[1]);
    if (z <= OUTLIER_Z && !sx && !sy) continue;
    char shift[96] = "";
    if (sx || sy)
      snprintf(shift, sizeof shift, "; parece desplazado 1°%s%s", sx ? " de longitud" : "",
               sy ? (sx ? " y 1° de latitud" : " de latitud") : "");
    if (rep->n_shifted_records < sizeof rep->shifted_records / sizeof *rep->shifted_records)
      rep->shifted_records[rep->n_shifted_records++] = c->record;
    report_issue(rep, ISSUE_SHIFTED, c->record,
                 "lon %.6f, lat %.6f a %.0f desviaciones de la mediana de la capa (%.4f, %.4f)%s",
                 c->x, c->y, z, med[0], med[1], shift);
  }
}


static bool in_box(const double b[4], double x, double y) {
  return x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3];
}

enum fix_kind { FIX_SWAP = 1, FIX_NEGATE_X = 2, FIX_SWAP_NEGATE = 3 };

static bool fix_fn(uint8_t *xy, uint32_t n, void *ud) {
  int kind = *(int *)ud;
  for (uint32_t i = 0; i < n; i++) {
    double p[2], q[2];
    memcpy(p, xy + 16 * (size_t)i, 16);
    q[0] = kind == FIX_NEGATE_X ? -p[0] : kind == FIX_SWAP ? p[1] : -p[1];
    q[1] = kind == FIX_NEGATE_X ? p[1] : p[0];
    memcpy(xy + 16 * (size_t)i, q, 16);
  }
  return true;
}

/* Swapped lat/lon or a lost minus sign, judged by the centre of the envelope against the area
 * of interest. Fixes the WKB in place with --fix-swapped; reports either way. True when the
 * geometry is still misplaced (reported, not fixed). */
static bool check_swapped(geom_check *g, double env[4], int64_t record, import_report *rep) {
  double cx = (env[0] + env[2]) / 2, cy = (env[1] + env[3]) / 2;
  if (in_box(g->area, cx, cy)) return false;
  int kind = in_box(g->area, cy, cx)    ? FIX_SWAP
             : in_box(g->area, -cx, cy) ? FIX_NEGATE_X
             : in_box(g->area, -cy, cx) ? FIX_SWAP_NEGATE
                                        : 0;
  if (!kind) return false;
  const char *what = g->fix_swapped ? "corregido" : "use --fix-swapped para corregirlo";
  if (kind == FIX_NEGATE_X)
    report_issue(rep, ISSUE_POSITIVE_LON, record, "longitud %.6f sin signo negativo (%s)", cx,
                 what);
  else
    report_issue(rep, ISSUE_SWAPPED, record,
                 "x=%.6f y=%.6f parecen latitud y longitud invertidas (%s)", cx, cy, what);
  if (!g->fix_swapped) return true;
  wkb_walk(g->wkb.data, g->wkb.len, fix_fn, &kind);
  if (kind == FIX_NEGATE_X) rep->n_lon_fixed++;
  else rep->n_swapped_fixed++;
  bool finite;
  wkb_envelope(g->wkb.data, g->wkb.len, env, &finite);
  return false;
}

static bool transform_fn(uint8_t *xy, uint32_t n, void *ud) {
  geom_check *g = ud;
  if (n > g->cap) {
    size_t cap = n < 256 ? 256 : n;
    double *xs = realloc(g->xs, cap * sizeof *xs), *ys = xs ? realloc(g->ys, cap * sizeof *ys) : NULL;
    int *ok = ys ? realloc(g->ok, cap * sizeof *ok) : NULL;
    if (xs) g->xs = xs;
    if (ys) g->ys = ys;
    if (!ok) return false;
    g->ok = ok;
    g->cap = cap;
  }
  for (uint32_t i = 0; i < n; i++) {
    memcpy(&g->xs[i], xy + 16 * (size_t)i, 8);
    memcpy(&g->ys[i], xy + 16 * (size_t)i + 8, 8);
  }
  if (!OCTTransformEx(g->ct, (int)n, g->xs, g->ys, NULL, g->ok)) return false;
  for (uint32_t i = 0; i < n; i++) {
    if (!g->ok[i] || !isfinite(g->xs[i]) || !isfinite(g->ys[i])) return false;
    memcpy(xy + 16 * (size_t)i, &g->xs[i], 8);
    memcpy(xy + 16 * (size_t)i + 8, &g->ys[i], 8);
  }
  return true;
}

/* Rounding noise past the edge of the world is the edge: Natural Earth's Russia reaches
 * x = 180.00000000000006 (two units in the last place), and the whole country was rejected as
 * out of range. 1e-9 degrees is 0.1 mm; anything farther out is a real error. */
#define WORLD_EDGE_SLACK 1e-9

static bool clamp_fn(uint8_t *xy, uint32_t n, void *ud) {
  (void)ud;
  for (uint32_t i = 0; i < 2 * n; i++) {
    double v, lim = i % 2 ? 90 : 180;
    memcpy(&v, xy + 8 * (size_t)i, 8);
    if (fabs(v) > lim && fabs(v) <= lim + WORLD_EDGE_SLACK) {
      v = v < 0 ? -lim : lim;
      memcpy(xy + 8 * (size_t)i, &v, 8);
    }
  }
  return true;
}

/* GEOS validity (OGC SFA rules) and repair for lines and polygons. Returns 1 with *out set, or
 * 0 after reporting a rejection. */
static int check_valid(geom_check *g, int64_t record, import_report *rep, const uint8_t **out,
                       size_t *out_len) {
  g->geos_msg[0] = '\0';
  GEOSGeometry *gg = GEOSWKBReader_read_r(g->geos, g->reader, g->wkb.data, g->wkb.len);
  if (!gg) {
    report_issue(rep, ISSUE_INVALID, record, "%s", g->geos_msg[0] ? g->geos_msg : "GEOS no la lee");
    return 0;
  }
  int valid = GEOSisValid_r(g->geos, gg);
  if (valid == 1) {
    GEOSGeom_destroy_r(g->geos, gg);
    return 1;
  }
  char *reason = GEOSisValidReason_r(g->geos, gg);
  GEOSGeometry *fixed = GEOSMakeValidWithParams_r(g->geos, gg, g->mv);
  GEOSGeom_destroy_r(g->geos, gg);
  int rc = 0;
  if (!fixed || GEOSisEmpty_r(g->geos, fixed)) {
    report_issue(rep, ISSUE_INVALID, record, "%s", reason ? reason : g->geos_msg);
  } else {
    if (g->geos_out) GEOSFree_r(g->geos, g->geos_out);
    g->geos_out = GEOSWKBWriter_write_r(g->geos, g->writer, fixed, out_len);
    if (g->geos_out) {
      *out = g->geos_out;
      report_issue(rep, ISSUE_REPAIRED, record, "%s", reason ? reason : "inválida");
      rc = 1;
    } else {
      report_issue(rep, ISSUE_INVALID, record, "%s", g->geos_msg);
    }
  }
  if (fixed) GEOSGeom_destroy_r(g->geos, fixed);
  if (reason) GEOSFree_r(g->geos, reason);
  return rc;
}

/* The geometry as flat 2D little-endian WKB in g->wkb (curves made linear). */
static bool export_wkb(geom_check *g, OGRGeometryH ogr) {
  OGRGeometryH lin = NULL;
  if (OGR_GT_IsNonLinear(OGR_G_GetGeometryType(ogr)))
    ogr = lin = OGR_G_GetLinearGeometry(ogr, 0, NULL);
  if (!ogr) return false;
  OGR_G_FlattenTo2D(ogr);
  size_t size = (size_t)OGR_G_WkbSize(ogr);
  buf_reset(&g->wkb);
  bool ok = buf_reserve(&g->wkb, size) &&
            OGR_G_ExportToIsoWkb(ogr, wkbNDR, g->wkb.data) == OGRERR_NONE;
  g->wkb.len = ok ? size : 0;
  if (lin) OGR_G_DestroyGeometry(lin);
  return ok;
}

int geom_check_run(geom_check *g, OGRGeometryH ogr, int64_t record, import_report *rep,
                   const uint8_t **out_wkb, size_t *out_len, err *e) {
  if (!ogr)
    return report_issue(rep, ISSUE_NO_GEOMETRY, record, "el registro no tiene geometría"), 0;
  if (OGR_G_IsEmpty(ogr)) return report_issue(rep, ISSUE_EMPTY, record, "geometría vacía"), 0;
  if (!export_wkb(g, ogr))
    return err_set(e, ERR_NOMEM, "registro %lld: sin memoria", (long long)record), -1;
  return geom_check_wkb(g, record, rep, out_wkb, out_len, e);
}

int geom_check_wkb(geom_check *g, int64_t record, import_report *rep, const uint8_t **out_wkb,
                   size_t *out_len, err *e) {
  double env[4];
  bool finite;
  if (!wkb_envelope(g->wkb.data, g->wkb.len, env, &finite))
    return report_issue(rep, ISSUE_INVALID, record, "WKB mal formado"), 0;
  if (!finite) return report_issue(rep, ISSUE_NAN, record, "coordenadas NaN o infinitas"), 0;
  bool out_of_range = env[0] < -180 || env[2] > 180 || env[1] < -90 || env[3] > 90;
  if (g->no_srs && out_of_range && !in_box(g->area, env[1], env[0]))
    return err_set(e, ERR_INVALID,
                   "el archivo no declara su sistema de coordenadas y las coordenadas parecen "
                   "proyectadas (registro %lld: x=%.3f y=%.3f): indique --source-srs EPSG:N "
                   "(INEGI suele publicar en EPSG:6372; UTM 14N es EPSG:32614)",
                   (long long)record, env[0], env[1]),
           -1;
  bool misplaced = g->geographic && check_swapped(g, env, record, rep);
  if (g->ct) {
    if (!wkb_walk(g->wkb.data, g->wkb.len, transform_fn, g))
      return report_issue(rep, ISSUE_TRANSFORM, record, "x=%.3f y=%.3f", env[0], env[1]), 0;
    wkb_envelope(g->wkb.data, g->wkb.len, env, &finite);
  }
  if (env[0] < -180 || env[2] > 180 || env[1] < -90 || env[3] > 90) {
    wkb_walk(g->wkb.data, g->wkb.len, clamp_fn, NULL);
    wkb_envelope(g->wkb.data, g->wkb.len, env, &finite);
  }
  if (env[0] < -180 || env[2] > 180 || env[1] < -90 || env[3] > 90)
    return report_issue(rep, ISSUE_OUT_OF_RANGE, record,
                        "x=%.6f y=%.6f fuera de longitud ±180 / latitud ±90", env[0], env[1]),
           0;
  double cx = (env[0] + env[2]) / 2, cy = (env[1] + env[3]) / 2;
  remember_centre(g, cx, cy, record);
  if (!misplaced && !in_box(g->expect, cx, cy))
    report_issue(rep, ISSUE_OUTSIDE, record, "centro en lon %.6f, lat %.6f", cx, cy);
  *out_wkb = g->wkb.data;
  *out_len = g->wkb.len;
  uint32_t type = g->wkb.data[1];
  if (type == 1 || type == 4) return 1;  /* points */
  return check_valid(g, record, rep, out_wkb, out_len);
}

int geom_check_csv_point(geom_check *g, const char *lon, const char *lat, int64_t record,
                         import_report *rep) {
  double x, y;
  bool ok_x = lon && import_parse_double(lon, true, &x);
  bool ok_y = lat && import_parse_double(lat, true, &y);
  if (!ok_x || !ok_y) {
    report_issue(rep, ISSUE_BAD_COORDS, record, "longitud '%s', latitud '%s'", lon ? lon : "",
                 lat ? lat : "");
    return 0;
  }
  if ((lon && strchr(lon, ',')) || (lat && strchr(lat, ','))) rep->decimal_comma = true;
  buf_reset(&g->wkb);
  geom_wkb_point(&g->wkb, x, y);
  return g->wkb.failed ? -1 : 1;
}
