/* wkb.c — OGC WKB (little-endian, 2D) of a flat geometry, for handing features to GDAL when
 * writing a GeoPackage: the tree's one WKB writer, geom_wkb_encode (geom/wkb.h). */
#include "features/features_int.h"
#include "geom/wkb.h"

bool features_wkb(buf *b, const geom *g) { return geom_wkb_encode(b, g); }
