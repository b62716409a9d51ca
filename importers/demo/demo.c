/* demo.c — the León sample catalog: six layers whose definitions live in layers/leon/ and whose
 * data is generated from a seed (demo_sources.c, demo_shapes.c). The shapes imitate a real city
 * (a clustered centre, colonias that tile the urban area, parks inside colonias, meandering
 * rivers) but are not real data, and the catalog says so ("sample": true in each definition,
 * and in each description).
 *
 * The demo publishes exactly as `teselas publish layers/leon --sources DIR` does: the same
 * checks, the same quality report, the same skip of unchanged layers. */
#include "importers/demo/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void with_defaults(const demo_options *opt, demo_options *out) {
  *out = *opt;
  if (out->n_incidents <= 0) out->n_incidents = 50000;
  if (out->seed == 0) out->seed = 20240101;
}

err_code demo_build(const char *db_path, const demo_options *opt, err *e) {
  err local;
  if (!e) e = &local;
  demo_options o;
  with_defaults(opt, &o);
  char tmp[] = "/tmp/teselas-demo-sources-XXXXXX";
  const char *dir = o.sources_dir;
  if (!dir && !(dir = mkdtemp(tmp)))
    return err_set(e, ERR_IO, "no se puede crear una carpeta temporal para las fuentes");
  err_code rc = demo_write_sources(dir, &o, e);
  if (rc == ERR_OK) {
    publish_options p = {.db_path = db_path, .sources_dir = dir, .quiet = true, .out = o.log};
    publish_summary sum;
    rc = publish_run(DEMO_DEFINITIONS, DEMO_N_DEFINITIONS, &p, &sum, e);
    if (rc != ERR_OK && sum.n_failed > 1) {
      char first[ERR_MSG_MAX];
      snprintf(first, sizeof first, "%s", e->msg);
      err_set(e, rc, "%zu de %zu capas fallaron; la primera: %s", sum.n_failed, sum.n_layers,
              first);
    }
  }
  if (!o.sources_dir) demo_remove_sources(dir);
  return rc;
}
