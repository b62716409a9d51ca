/* wkb.h — writing OGC WKB (little-endian, 2D) into a buf, for generated geometries. */
#ifndef TESELAS_IMPORTERS_WKB_H
#define TESELAS_IMPORTERS_WKB_H

#include <stdint.h>

#include "core/buf.h"

enum { WKB_POINT = 1, WKB_LINESTRING = 2, WKB_POLYGON = 3, WKB_MULTILINESTRING = 5,
       WKB_MULTIPOLYGON = 6 };

void wkb_header(buf *b, uint32_t type);
void wkb_u32(buf *b, uint32_t v);
void wkb_xy(buf *b, double x, double y);
void wkb_point(buf *b, double x, double y);
/* A ring or line from n interleaved x,y pairs; closed rings must repeat their first point. */
void wkb_coords(buf *b, const double *xy, uint32_t n);

#endif
