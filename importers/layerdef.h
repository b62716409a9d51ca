/* layerdef.h — the catalog as code: one JSON file in layers/ describes one layer (its source
 * file, id, metadata, fields, CRS, privacy), and `teselas publish DIR` imports every one.
 * The format is documented in layers/README.md. */
#ifndef TESELAS_IMPORTERS_LAYERDEF_H
#define TESELAS_IMPORTERS_LAYERDEF_H

#include "core/err.h"
#include "importers/import.h"

typedef struct layer_def {
  import_options opt;        /* ready for import_run once db_path is set */
  char path[4096];           /* the definition file */
  char source[4096];         /* the source, resolved against the definition's folder */
  /* owned storage the options point into */
  void *doc;                 /* the parsed JSON (json_t *) */
  import_field_spec *specs;
  char *keywords, *privacy, *fingerprint;
  const char **drop, **keep;  /* "drop", "keep_fields": borrowed from doc */
} layer_def;

/* Reads and checks one definition. Unknown keys are errors (a typo must not be silently
 * ignored by a monthly job). Caller frees with layerdef_free, also after a failure. */
err_code layerdef_load(const char *path, layer_def *out, err *e);
void layerdef_free(layer_def *d);

#endif
