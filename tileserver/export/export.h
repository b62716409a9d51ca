/* export.h — whole-layer files written by GDAL, for the downloads features/ streams
 * (features_download.write_file): the GeoPackage. GDAL stays out of the modules below this one;
 * http names the writer of the format it was asked for. No HTTP. */
#ifndef TESELAS_EXPORT_H
#define TESELAS_EXPORT_H

#include "core/err.h"
#include "features/features.h"
#include "store/store.h"

/* Writes the features of download request r, read from rd, to a new GeoPackage at path: one
 * layer named after r's layer (EPSG:4326, lon/lat order), its fields typed as the catalog types
 * them, fid kept. A features_file_fn. Errors: ERR_IO with GDAL's error number (never its text,
 * which may quote a value), ERR_DB, ERR_NOMEM. */
err_code export_gpkg_write(store_reader *rd, const features_request *r, const char *path,
                           err *e);

#endif
