/* mvt.h — the Mapbox Vector Tile 2.1 layer builder: tile geometries and typed attributes in,
 * protobuf bytes out. It knows nothing of SQLite, HTTP or projections: geometries arrive already
 * on the tile grid (geom_to_tile), values as core/value.
 *
 * Use, per layer of a tile:
 *     mvt_layer *l;  mvt_layer_create("parks", 4096, limit, &l, e);
 *     for each row:  mvt_layer_feature_begin(l, true, id, e);
 *                    mvt_layer_feature_geom(l, &tile_geometry, e);
 *                    mvt_layer_feature_prop(l, "name", &v, e);   (once per attribute)
 *                    mvt_layer_feature_end(l, &kept, e);         (empty geometry: rolled back)
 *     mvt_layer_finish(l, &tile, e);  mvt_layer_destroy(l);
 * Several layers make one tile by finishing each into the same buf (Tile.layers is field 3, and a
 * tile is the concatenation of its layer fields; MVT 2.1 §4.1).
 *
 * Errors are sticky (the SQLite habit): once an allocation fails or the byte limit is reached,
 * every later call returns the same error (ERR_NOMEM or ERR_LIMIT), so a caller may check only
 * the return of mvt_layer_finish. ERR_INVALID (a malformed geometry, an unknown value kind) is not
 * sticky: it concerns one feature or one attribute, which is dropped.
 *
 * Memory: the builder mallocs (and reallocs in place as features arrive) rather than using the
 * request arena, because its buffers grow to megabytes and an arena would keep every outgrown
 * copy — twice the peak for a large layer. So a layer must be destroyed on every path. */
#ifndef TESELAS_MVT_MVT_H
#define TESELAS_MVT_MVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/value.h"
#include "geom/geom.h"

enum { MVT_VERSION = 2, MVT_EXTENT_DEFAULT = 4096 };

typedef struct mvt_layer mvt_layer;

/* A new, empty layer named name (copied; non-empty) with the given extent (> 0), version 2.
 * byte_limit bounds the encoded layer (0: no limit); past it every call fails with ERR_LIMIT.
 * Caller owns *out_layer: mvt_layer_destroy. Errors: ERR_INVALID, ERR_NOMEM. */
err_code mvt_layer_create(const char *name, uint32_t extent, size_t byte_limit,
                          mvt_layer **out_layer, err *e);
void mvt_layer_destroy(mvt_layer *l);

/* Starts a feature (an open one is rolled back). id is written only when has_id (§4.2: optional;
 * SHOULD be unique in the layer, which is the caller's to ensure). */
err_code mvt_layer_feature_begin(mvt_layer *l, bool has_id, uint64_t id, err *e);

/* Sets the open feature's geometry, encoded at once as MoveTo/LineTo/ClosePath commands with
 * zigzag deltas (§4.3). The geometry must satisfy what geom_quantize guarantees (parts of >= 2
 * points for lines, >= 3 for rings, no zero-length step, no repeated closing point, exterior
 * rings with positive area and holes negative); otherwise ERR_INVALID and the feature will be
 * dropped. An empty geometry is accepted and makes mvt_layer_feature_end roll the feature back. */
err_code mvt_layer_feature_geom(mvt_layer *l, const tile_geom *g, err *e);

/* Adds attribute key = *v to the open feature. Keys and values are deduplicated within the layer
 * by exact bytes through hash tables (§4.1 "SHOULD NOT contain two ... byte-for-byte identical"),
 * values per type: the text "1", the integer 1 and the double 1.0 are three values, and doubles
 * compare by bit pattern. Encodings (§4.1, Value message): text -> string_value; real ->
 * double_value; bool -> bool_value; integers >= 0 -> uint_value and < 0 -> sint_value (zigzag),
 * the shortest encodings (int_value spends 10 bytes on any negative number). VALUE_NULL adds
 * nothing (MVT has no null). A key already set on this feature is ignored (§4.4: key indexes are
 * unique within a feature; the first value wins). key is NUL-terminated and copied. */
err_code mvt_layer_feature_prop(mvt_layer *l, const char *key, const value *v, err *e);

/* Commits the open feature; when its geometry was empty, missing or invalid the feature is rolled
 * back instead, leaving no byte behind (not even its keys or values). *out_kept (may be NULL)
 * says which. */
err_code mvt_layer_feature_end(mvt_layer *l, bool *out_kept, err *e);

/* Discards the open feature and every key or value that only it used. */
void mvt_layer_feature_rollback(mvt_layer *l);

/* One call for a whole feature: begin, geometry, the n_props attributes, end. */
typedef struct mvt_feature {
  bool has_id;
  uint64_t id;
  const tile_geom *geom;
  const char *const *keys; /* n_props keys ... */
  const value *values;     /* ... and their values */
  size_t n_props;
} mvt_feature;
err_code mvt_layer_add_feature(mvt_layer *l, const mvt_feature *f, bool *out_kept, err *e);

/* Features committed so far. */
uint32_t mvt_layer_feature_count(const mvt_layer *l);
/* Encoded size the layer message would have now (for budgets across layers). */
size_t mvt_layer_size(const mvt_layer *l);

/* Appends the layer to tile as one Tile.layers field (version first, as §4.1 recommends). A layer
 * without features appends nothing (§4.1: a layer SHOULD contain at least one feature). An open
 * feature is rolled back. The layer stays usable (and may be finished into another tile).
 * Errors: the layer's sticky error; ERR_INVALID when tile already has a layer of this name (§4.1
 * MUST NOT); ERR_LIMIT when tile reaches its own limit; ERR_NOMEM. */
err_code mvt_layer_finish(mvt_layer *l, buf *tile, err *e);

#endif
