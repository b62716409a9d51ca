/* demo.h — the León sample database: generated, deterministic, marked as sample data. */
#ifndef TESELAS_IMPORTERS_DEMO_H
#define TESELAS_IMPORTERS_DEMO_H

#include <stdint.h>

#include "core/err.h"

typedef struct demo_options {
  int64_t n_incidents;   /* default 50,000 */
  uint64_t seed;         /* the same seed gives the same database */
} demo_options;

/* Builds (or updates) the sample layers in db_path: municipal boundary, colonias, parks, rivers and
 * canals, water bodies and security incidents. Layers whose generated content is unchanged are
 * skipped (their checksum is the generator's version and parameters). */
err_code demo_build(const char *db_path, const demo_options *opt, err *e);

#endif
