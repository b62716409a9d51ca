/* geomcheck_int.h — each geometry turned into checked EPSG:4326 WKB (geomcheck.c), and the walker
 * over a WKB's coordinates it uses (wkb_walk.c). Private to importers/. */
#ifndef TESELAS_IMPORTERS_GEOMCHECK_INT_H
#define TESELAS_IMPORTERS_GEOMCHECK_INT_H

#include <geos_c.h>

#include "importers/source_int.h"

typedef struct geom_check {
  GEOSContextHandle_t geos;
  GEOSWKBReader *reader;
  GEOSWKBWriter *writer;
  OGRCoordinateTransformationH ct;  /* NULL when the source is already lon/lat WGS84 */
  bool geographic;       /* source coordinates are degrees: swap detection applies */
  bool no_srs;           /* the file had no CRS (WGS84 assumed) */
  bool fix_swapped;
  double area[4];
  double expect[4];
  buf wkb;
  unsigned char *geos_out;  /* last GEOS WKB, freed on the next call */
  GEOSMakeValidParams *mv;
  char geos_msg[256];
  double *xs, *ys;       /* scratch for PROJ, grown to the longest ring */
  int *ok;
  size_t cap;
  struct geom_centre *centres; /* each accepted record's envelope centre, for geom_check_outliers */
  size_t n_centres, cap_centres;
  int64_t last_record;
} geom_check;

err_code geom_check_init(geom_check *g, const import_options *opt, import_source *src,
                         import_report *rep, err *e);
void geom_check_free(geom_check *g);
/* Checks and converts one geometry (g is modified). Returns 1 with EPSG:4326 WKB in *out, 0 when
 * the record is rejected (the report says why), or -1 for a fatal error (e filled). */
int geom_check_run(geom_check *g, OGRGeometryH ogr, int64_t record, import_report *rep,
                   const uint8_t **out_wkb, size_t *out_len, err *e);
/* After the last record: records far from the layer's own distribution (robust outliers in MAD
 * units, and the one-degree shift of a mistyped digit) are reported as ISSUE_SHIFTED. */
void geom_check_outliers(geom_check *g, import_report *rep);
/* The same for the WKB already in g->wkb (a CSV point). */
int geom_check_wkb(geom_check *g, int64_t record, import_report *rep, const uint8_t **out_wkb,
                   size_t *out_len, err *e);
/* Writes a point from CSV coordinate text into g->wkb: 1, or 0 with a report entry when the
 * text is empty or not a number ("NA"), -1 out of memory. A decimal comma is accepted. */
int geom_check_csv_point(geom_check *g, const char *lon, const char *lat, int64_t record,
                         import_report *rep);

/* ---- WKB coordinates (wkb_walk.c) ---------------------------------------------------------- */

/* Calls fn for each run of points of a 2D little-endian WKB (a point, a line, a ring), with a
 * pointer to n interleaved x,y doubles that fn may change in place. False when malformed. */
typedef bool (*wkb_coords_fn)(uint8_t *xy, uint32_t n, void *ud);
bool wkb_walk(uint8_t *wkb, size_t len, wkb_coords_fn fn, void *ud);
/* Envelope of a 2D WKB; false when malformed. NaN coordinates make *out_finite false. */
bool wkb_envelope(uint8_t *wkb, size_t len, double out[4], bool *out_finite);

#endif
