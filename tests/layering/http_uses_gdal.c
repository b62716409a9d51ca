/* Must not compile: GDAL is the importers' and export's (the GeoPackage writer). */
#include <gdal.h>
