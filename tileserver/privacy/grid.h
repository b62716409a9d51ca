/* grid.h — the fixed grids of the generalize and aggregate policies: a point (lon, lat) goes to the
 * centre of its cell, a cell has a stable id and a polygon, and dates lose their day.
 *
 * The grid is laid in metres, in the UTM zone of the point's longitude (WGS 84 / UTM, EPSG:326zz,
 * through PROJ), so a cell is a true N-metre square or hexagon wherever the city is, and the same
 * place falls in the same cell in every import: the grid depends only on N and the shape, never on
 * the data. Southern points use the same transverse Mercator with negative northings (EPSG:327zz
 * is that projection shifted 10,000 km north), so the grid has no seam at the equator. UTM's
 * Norway and Svalbard exceptions are not applied. UTM is defined from 80°S to 84°N; beyond, up to
 * ±89°, the zone's plane is still used (cells stay N metres in it, but the map distortion grows);
 * nearer the poles points are refused.
 *
 * Square cells: N metres a side, cell (i, j) spans [iN, (i+1)N) × [jN, (j+1)N) in easting and
 * northing; every point is within N·√2/2 of its centre.
 * Hexagonal cells: pointy-top, N metres from the centre to each corner (so also N a side), in
 * axial coordinates (q = i, r = j) with cube rounding (Red Blob Games' "Hexagonal Grids"); every
 * point is within N of its centre; a hexagon has 2.6 N² of area against the square's N².
 *
 * Zone seams: the grids of two zones meet along their common meridian, turned by the meridian
 * convergence. A cell belongs to the zone that holds its centre; a point goes to the cell of its
 * own zone when that cell's centre is in the zone, else to the neighbouring zone's cell holding it
 * when that one's centre is in its zone, and in the rare gap left between both grids to the nearest
 * centre that belongs to its zone. So snapping is idempotent everywhere, and the N·√2/2 (or N)
 * bound holds everywhere except in that gap (patches within a cell of the seam; 3 % of the points
 * within 2 km of the meridian -102° with N = 1 km), where a point may be up to about 1.6 times
 * the bound from its centre.
 *
 * A privacy_grid owns a PROJ context and one transformation per zone used (created on first use
 * and kept): create one per import or per thread, never share one between threads. */
#ifndef TESELAS_PRIVACY_GRID_H
#define TESELAS_PRIVACY_GRID_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "privacy/policy.h"

typedef struct privacy_grid privacy_grid;

/* A cell of a grid: UTM zone 1..60 and its indices (square: column, row; hexagon: axial q, r). */
typedef struct privacy_cell {
  int32_t zone;
  int64_t i, j;
} privacy_cell;

/* size_m within [PRIVACY_GRID_MIN_M, PRIVACY_GRID_MAX_M]. ERR_INVALID otherwise, ERR_NOMEM.
 * Caller owns *out: privacy_grid_destroy. */
err_code privacy_grid_create(double size_m, privacy_shape shape, privacy_grid **out, err *e);
void privacy_grid_destroy(privacy_grid *g);

/* The cell of (lon, lat) and its centre. ERR_INVALID for a coordinate that is not finite, a
 * longitude outside [-180, 180] or a latitude beyond ±89°; ERR_INTERNAL with PROJ's message
 * when PROJ fails. out_cell, out_lon and out_lat may each be NULL. */
err_code privacy_grid_snap(privacy_grid *g, double lon, double lat, privacy_cell *out_cell,
                           double *out_lon, double *out_lat, err *e);

/* The centre of a cell, in lon/lat. ERR_INVALID for a zone outside 1..60. */
err_code privacy_grid_center(privacy_grid *g, privacy_cell c, double *out_lon, double *out_lat,
                             err *e);

/* The centre of a cell in its zone's metres (easting, northing): exact, without PROJ. */
void privacy_grid_center_metric(const privacy_grid *g, privacy_cell c, double *out_x, double *out_y);

/* (lon, lat) to a zone's metres and back (for tests and measurements). ERR_INVALID for a zone
 * outside 1..60, ERR_INTERNAL with PROJ's message. */
err_code privacy_grid_project(privacy_grid *g, int32_t zone, double lon, double lat, double *out_x,
                              double *out_y, err *e);
err_code privacy_grid_unproject(privacy_grid *g, int32_t zone, double x, double y, double *out_lon,
                                double *out_lat, err *e);

/* Appends the cell's polygon in lon/lat as OGC WKB (little-endian Polygon, one closed ring of 5
 * or 7 points, counter-clockwise as RFC 7946 prefers). */
err_code privacy_grid_cell_wkb(privacy_grid *g, privacy_cell c, buf *out, err *e);

/* ---- cell ids ---------------------------------------------------------------------------- */

enum { PRIVACY_CELL_ID_MAX = 48 };

/* Text id "14:-123:4567" (zone:i:j): stable, readable, the key of privacy/kanon.h. */
void privacy_cell_format(privacy_cell c, char out[PRIVACY_CELL_ID_MAX]);
/* Parses privacy_cell_format's text. ERR_INVALID otherwise. */
err_code privacy_cell_parse(const char *s, privacy_cell *out, err *e);

/* The same id packed into a positive int64 for a feature id: zone in bits 56..61, i + 2^27 in
 * bits 28..55, j + 2^27 in bits 0..27. Needs |i|, |j| < 2^27 (always true with N >= 50 m).
 * privacy_cell_from_key returns false for a key that no cell packs to. */
int64_t privacy_cell_key(privacy_cell c);
bool privacy_cell_from_key(int64_t key, privacy_cell *out);

/* ---- dates (generalize: month=yes) -------------------------------------------------------- */

/* "YYYY-MM-DD", optionally followed by a time ("T10:30:00Z", " 10:30"), or "YYYY-MM", to the first
 * of its month "YYYY-MM-01" (the time is dropped too). ERR_INVALID for anything else. */
err_code privacy_date_month(const char *date, char out[11], err *e);
/* The month key of aggregate counts: "YYYY-MM". Same input and errors. */
err_code privacy_date_month_key(const char *date, char out[8], err *e);

#endif
