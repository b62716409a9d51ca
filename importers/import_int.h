/* import_int.h — the pieces of the importer shared between its files; not a public interface.
 *
 * import.c orchestrates: source.c opens the file with GDAL (csv_prepare.c first fixes what GDAL's
 * CSV driver cannot: encoding, decimal comma, Spanish headers), schema.c decides the published
 * fields and converts values, geomcheck.c turns each geometry into checked EPSG:4326 WKB, and
 * report.c counts what happened and prints it. Each concern has its own private header, which the
 * files of that concern include; this one gathers them for the pipeline (import.c). */
#ifndef TESELAS_IMPORTERS_IMPORT_INT_H
#define TESELAS_IMPORTERS_IMPORT_INT_H

#include "importers/geomcheck_int.h"
#include "importers/import_privacy_int.h"
#include "importers/report_int.h"
#include "importers/schema_int.h"
#include "importers/source_int.h"

#endif
