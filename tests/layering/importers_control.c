/* Must compile: the importers see GDAL, GEOS, store, geom and privacy. */
#include <gdal.h>
#include <geos_c.h>

#include "geom/geom.h"
#include "importers/import_int.h"
#include "privacy/policy.h"
#include "store/store.h"

int layering_importers_control(void);
int layering_importers_control(void) { return GDALGetDriverCount() >= 0 ? ERR_OK : ERR_IO; }
