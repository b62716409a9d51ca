/* demo.h — the León sample database: generated, deterministic, marked as sample data.
 *
 * The catalog is code like any other (the files of layers/leon/, embedded in the binary at build
 * time); only the data is generated: demo_write_sources writes the files a municipality would
 * hand over, and demo_build publishes them with those definitions through importers/publish.h. */
#ifndef TESELAS_IMPORTERS_DEMO_H
#define TESELAS_IMPORTERS_DEMO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "importers/publish/publish.h"

/* The one source that is not GeoJSON: the incidents, as CSV with latitud/longitud columns. */
#define DEMO_INCIDENTS_FILE "incidentes.csv"

typedef struct demo_options {
  int64_t n_incidents;     /* default 50,000 */
  uint64_t seed;           /* the same seed gives the same files and the same database */
  const char *sources_dir; /* where the generated source files are written and kept; NULL: a
                              temporary folder, removed once they are imported */
  FILE *log;               /* one line per layer (published, unchanged), or NULL */
} demo_options;

/* Builds (or updates) the sample layers in db_path: municipal boundary, colonias, parks, rivers
 * and canals, water bodies and security incidents. Writes the sources, then publishes the León
 * definitions against them; layers whose source and definition are unchanged are skipped by
 * the importer's checksum, so only what a new seed or incident count changed gets a version.
 * Errors: ERR_IO (the sources), and whatever the first failing import returned. */
err_code demo_build(const char *db_path, const demo_options *opt, err *e);

/* Writes the generated source files into dir (created when missing): limite-municipal,
 * colonias, parques, rios-canales and cuerpos-agua as .geojson, and DEMO_INCIDENTS_FILE.
 * Byte-identical for the same seed and incident count. opt must have its defaults filled. */
err_code demo_write_sources(const char *dir, const demo_options *opt, err *e);
/* Removes the files demo_write_sources wrote, and dir when it is then empty. */
void demo_remove_sources(const char *dir);

/* The León catalog's definition files (every .json of layers/leon/, _catalog.json included),
 * embedded at build time by layers/CMakeLists.txt, sorted by name. */
extern const publish_file DEMO_DEFINITIONS[];
extern const size_t DEMO_N_DEFINITIONS;

#endif
