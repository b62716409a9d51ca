/* Must not compile: GDAL is the importers' (and the GeoPackage writer's in features). */
#include <gdal.h>
