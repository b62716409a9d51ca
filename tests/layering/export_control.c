/* Must compile: export sees GDAL and the public headers of features and store. */
#include <gdal.h>

#include "export/export.h"
#include "features/features.h"
#include "store/store.h"

int layering_export_control(void);
int layering_export_control(void) { return GDALGetDriverCount() >= 0 ? ERR_OK : ERR_IO; }
