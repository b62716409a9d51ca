/* publish.h — the catalog as code, run: a set of layers/ definitions (a folder, or the León demo
 * catalog embedded in the binary) applied to a database. `teselas publish DIR` and `teselas demo`
 * both come here, so the demo exercises exactly the path a monthly job takes. */
#ifndef TESELAS_IMPORTERS_PUBLISH_PUBLISH_H
#define TESELAS_IMPORTERS_PUBLISH_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

/* One definition file: its name (a path; its folder resolves relative sources when no
 * sources_dir is given) and its JSON text (NULL: the file could not be read). */
typedef struct publish_file {
  const char *name;
  const char *text;
} publish_file;

typedef struct publish_options {
  const char *db_path;
  const char *sources_dir;   /* relative "source" paths are resolved here; NULL: next to each
                                definition */
  bool force;                /* import even when nothing changed */
  bool quiet;                /* one line per layer instead of each quality report */
  FILE *out;                 /* per-layer lines and reports, or NULL for none */
  FILE *errors;              /* per-layer failures, or NULL for none */
  FILE *progress;            /* the importer's progress line (a terminal), or NULL */
  bool fetch;                /* download "source" URLs (fetch.c); without it a URL is an error */
  int64_t fetch_max_bytes;   /* the largest download accepted; 0: PUBLISH_FETCH_MAX_BYTES */
  long fetch_timeout_s;      /* the longest a download may take; 0: PUBLISH_FETCH_TIMEOUT_S */
  int busy_timeout_ms;       /* each import's wait for the write lock (0: the default) */
  /* The audit line of each layer published, run by its import before the COMMIT (import_gate):
   * a layer whose line cannot be written is not published. NULL: none. */
  err_code (*audit)(void *ctx, const char *layer_id, int64_t version, int64_t review, err *e);
  /* After each layer's import, its outcome rc and e: a layer whose line was written and whose
   * COMMIT then failed gets a line saying so, so the log never keeps only its "ok". NULL: none. */
  void (*audit_done)(void *ctx, const char *layer_id, err_code rc, const err *e);
  void *audit_ctx;
} publish_options;

/* A municipal layer of a few hundred thousand records is tens of MB as CSV; 512 MiB leaves room
 * for the largest (GeoPackages with polygons) while a runaway server cannot fill the disk. */
#define PUBLISH_FETCH_MAX_BYTES ((int64_t)512 * 1024 * 1024)
/* Ten minutes: 512 MiB at about 1 MB/s, the slow end of a municipal link. */
#define PUBLISH_FETCH_TIMEOUT_S 600L

typedef struct publish_summary {
  size_t n_layers, n_published, n_unchanged, n_failed;
  size_t n_with_warnings;    /* published layers whose report has rejected records or warnings */
  size_t n_not_modified;     /* fetched sources the server said had not changed (HTTP 304) */
} publish_summary;

/* Applies the catalog file (LAYERDEF_CATALOG_FILE) when files hold one, then imports every
 * other definition in the order given; unchanged layers are skipped by checksum. A layer that
 * fails is reported (to o->errors) and left as it was, and the others still run. Returns ERR_OK
 * when every layer is published or unchanged; otherwise the first failure's kind, with
 * "id: message" in e. A broken catalog file stops everything before any import. */
err_code publish_run(const publish_file *files, size_t n_files, const publish_options *o,
                     publish_summary *out, err *e);

/* The *.json files of dir (not hidden ones), read into memory and sorted by name; a file that
 * cannot be read has NULL text (publish_run reports it as that layer's failure). Caller frees
 * with publish_files_free. ERR_IO (the folder cannot be read), ERR_NOMEM. */
err_code publish_read_dir(const char *dir, publish_file **out, size_t *out_n, err *e);
void publish_files_free(publish_file *files, size_t n);

#endif
