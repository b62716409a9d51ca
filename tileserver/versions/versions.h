/* versions.h — what changed between two versions of a layer, and a layer's history.
 *
 * A diff walks both versions' tables side by side, sorted by the store (store_diff_open), so it
 * holds two rows at a time whatever the layer's size. Features are matched by the source's id
 * field when both versions have the same one (the importer records it in its report:
 * duplicate_ids.field), else by their content (geometry and compared fields), and then a
 * "change" is a removal plus an addition. The compared fields are those both versions have with
 * the same type: a field added, removed or retyped is reported once as a field change, not as a
 * change of every feature. Values are compared as their text.
 *
 * Every change comes with its box (old and new together), and the diff with the box of all of
 * them: what a tile archive needs to list the tiles an update changed. */
#ifndef TESELAS_VERSIONS_H
#define TESELAS_VERSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

typedef enum versions_kind { VERSIONS_ADDED, VERSIONS_REMOVED, VERSIONS_CHANGED } versions_kind;

/* One changed feature; valid during the callback only. */
typedef struct versions_change {
  versions_kind kind;
  const char *key;        /* the id's text (key_len bytes), NULL when matched by content */
  size_t key_len;
  int64_t from_fid, to_fid;  /* feature ids in each version, -1 where absent */
  bool geometry, attributes; /* what changed (VERSIONS_CHANGED) */
  double bbox[4];         /* minx, miny, maxx, maxy (CRS84) of the old and new geometries */
  bool has_bbox;
} versions_change;

/* Called for every change in key order; non-zero stops the callbacks (counting goes on). */
typedef int (*versions_change_fn)(void *ctx, const versions_change *c);

typedef struct versions_field {
  const char *name;
  const char *from_type, *to_type;  /* NULL on the side where the field is absent */
} versions_field;

typedef struct versions_diff {
  int64_t from, to;
  const char *key_field;            /* the id field features were matched by; NULL: content */
  int64_t n_added, n_removed, n_changed, n_unchanged;
  double bbox[4];                   /* of every change (has_bbox) */
  bool has_bbox;
  versions_field *fields_added, *fields_removed, *fields_retyped;
  size_t n_fields_added, n_fields_removed, n_fields_retyped;
} versions_diff;

/* Compares version `from` with version `to` of layer_id (from < to), calling fn (may be NULL)
 * for each change. out's strings and arrays live in a. ERR_NOT_FOUND: unknown layer or version,
 * or a version whose data are no longer kept; ERR_INVALID: from >= to, or a version published
 * before versions recorded their fields; ERR_DB, ERR_NOMEM. */
err_code versions_diff_run(store_reader *r, const char *layer_id, int64_t from, int64_t to,
                           arena *a, versions_change_fn fn, void *ctx, versions_diff *out, err *e);

/* ---- documents (doc.c), for `teselas versions|diff` and /api/layers/{id}/versions|diff ---- */

enum { VERSIONS_PAGE_DEFAULT = 100, VERSIONS_PAGE_MAX = 1000 };

typedef struct versions_page {
  int64_t offset;         /* changes skipped */
  int64_t limit;          /* changes listed, 1..VERSIONS_PAGE_MAX */
  const char *base_url;   /* with it, links (self, next) as absolute URLs; NULL: none */
} versions_page;

/* The history of layer_id as JSON text: every version (time, source and checksum, counts, report
 * summary, kept or purged, current, rollback) and removal rows; cat (the reader's snapshot the
 * caller holds) says which version is published. Caller owns *out (free). ERR_NOT_FOUND for a
 * layer without history. */
err_code versions_history_doc(store_reader *r, const catalog *cat, const char *layer_id,
                              const char *base_url, char **out, err *e);
/* The diff as JSON text: counts, field changes and box always, and one page of changes with a
 * next link (or next_offset) while more remain. Caller owns *out (free). Errors: as
 * versions_diff_run. */
err_code versions_diff_doc(store_reader *r, const char *layer_id, int64_t from, int64_t to,
                           const versions_page *page, char **out, err *e);
/* Readable text of either document (a JSON text made by the functions above) into out. */
err_code versions_doc_text(const char *json, buf *out, err *e);

#endif
