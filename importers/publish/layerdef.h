/* layerdef.h — the catalog as code: one JSON file in layers/ describes one layer (its source
 * file, id, metadata, fields, CRS, privacy), and `teselas publish DIR` imports every one. A
 * reserved file, _catalog.json, holds the settings of the whole catalog (its area of interest).
 * The format is documented in layers/README.md. */
#ifndef TESELAS_IMPORTERS_PUBLISH_LAYERDEF_H
#define TESELAS_IMPORTERS_PUBLISH_LAYERDEF_H

#include <stdbool.h>

#include "core/err.h"
#include "importers/import.h"

#define LAYERDEF_CATALOG_FILE "_catalog.json"

typedef struct layer_def {
  import_options opt;        /* ready for import_run once db_path is set */
  char path[4096];           /* the definition file (or its name, for an embedded one) */
  char source[4096];         /* the source, resolved against --sources or the definition's folder;
                                a URL as written when source_is_url */
  bool source_is_url;        /* "source": "https://…/datos.csv": downloaded by publish --fetch */
  /* owned storage the options point into */
  void *doc;                 /* the parsed JSON (json_t *) */
  import_field_spec *specs;
  char *keywords, *privacy, *fingerprint, *style;
  const char **drop, **keep;  /* "drop", "keep_fields": borrowed from doc */
} layer_def;

/* Reads and checks one definition from its JSON text (NUL-terminated; a file read with
 * layerdef_read_file, or one embedded in the binary). name is the file's path, used in messages;
 * a relative "source" is resolved against sources_dir, or against name's folder when sources_dir
 * is NULL. Unknown keys are errors (a typo must not be silently ignored by a monthly job).
 * Caller frees with layerdef_free, also after a failure. ERR_INVALID (with the file and key
 * named), ERR_NOMEM. */
err_code layerdef_parse(const char *name, const char *text, const char *sources_dir,
                        layer_def *out, err *e);
void layerdef_free(layer_def *d);

/* The whole file as NUL-terminated text (caller frees), or NULL with ERR_IO/ERR_NOMEM in e. */
char *layerdef_read_file(const char *path, err *e);

/* The catalog file of a definitions folder: {"area_of_interest": [W, S, E, N] | null}. */
typedef struct catalog_def {
  bool has_area;             /* the file names area_of_interest */
  bool clear_area;           /* ... as null: the catalog has none */
  double area[4];            /* west, south, east, north (CRS84) otherwise */
} catalog_def;

/* True when path names the catalog file (LAYERDEF_CATALOG_FILE), not a layer. */
bool layerdef_is_catalog(const char *path);
/* Reads and checks a catalog file's text; name is used in messages. ERR_INVALID. */
err_code layerdef_catalog_parse(const char *name, const char *text, catalog_def *out, err *e);

#endif
