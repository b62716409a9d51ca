/* wkb.h — writing OGC WKB (ISO/OGC Simple Features §8.2.6): little-endian, 2D, into a buf.
 *
 * The one WKB writer of the tree: the importer's generated and snapped geometries, the privacy
 * grid's cell polygons and the features handed to GDAL for a GeoPackage all go through it, so the
 * bytes they store or hand over agree. Reading WKB is geom_wkb_decode (geom.h). Every function
 * appends to b; a failed allocation sticks in b->failed (core/buf.h), which the caller checks
 * once at the end. */
#ifndef TESELAS_GEOM_WKB_H
#define TESELAS_GEOM_WKB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "geom/geom.h"

enum {
  GEOM_WKB_POINT = 1,
  GEOM_WKB_LINESTRING = 2,
  GEOM_WKB_POLYGON = 3,
  GEOM_WKB_MULTIPOINT = 4,
  GEOM_WKB_MULTILINESTRING = 5,
  GEOM_WKB_MULTIPOLYGON = 6
};

/* The byte-order mark (1: little-endian) and the type of an element. */
void geom_wkb_header(buf *b, uint32_t type);
/* A count (points, rings, members), little-endian. */
void geom_wkb_u32(buf *b, uint32_t v);
/* One coordinate pair, IEEE 754 doubles, little-endian. */
void geom_wkb_xy(buf *b, double x, double y);
/* A whole Point element. */
void geom_wkb_point(buf *b, double x, double y);
/* A ring or line: its point count, then n interleaved x,y pairs (a closed ring repeats its first
 * point). */
void geom_wkb_coords(buf *b, const double *xy, uint32_t n);
/* A flat geometry (map_pt coordinates) as one WKB element. Single or multi is decided as in
 * GeoJSON: multi when the source said so (g->multi) or when there is more than one member.
 * false when g is empty or of an unknown type, or when b has failed. */
bool geom_wkb_encode(buf *b, const geom *g);

#endif
