/* Must not compile: the GeoPackage writer is export's, so features links no GDAL. */
#include <gdal.h>
