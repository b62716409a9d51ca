/* decode.h — the Mapbox Vector Tile 2.1 decoder: protobuf bytes in, layers of typed features out.
 * It is the reader of tiles we did not write (a basemap archive a user brings), so every byte is
 * untrusted: each length, count and index is checked against the bytes that remain and against
 * the bounds below before it is used, and a tile that breaks the wire format or the spec's
 * geometry grammar is ERR_INVALID with the offset and the reason, never a read out of bounds.
 *
 * Use:
 *     mvt_decoded_tile t;
 *     if (mvt_tile_decode(bytes, len, arena, &t, e) != ERR_OK) ...;
 *     for each t.layers[i], each .features[k]: .g is in tile units, .tags index .keys/.values.
 *
 * Ownership: everything decoded lives in the arena given (a request's); the input is not
 * referenced afterwards (strings are copied), so the caller may free it at once. An arena that
 * fails (its cap reached) makes the call return ERR_NOMEM or ERR_LIMIT.
 *
 * What is decoded (MVT 2.1): Tile.layers (§4.1: name, version 1 or 2, extent, keys, values,
 * features), Value's seven kinds (§4.1: string, float, double, int64, uint64, sint64, bool; a
 * uint64 above INT64_MAX becomes a double, a Value with no kind is VALUE_NULL), Feature id, tags
 * and type (§4.2), and geometry commands MoveTo/LineTo/ClosePath with zigzag deltas (§4.3).
 * Unknown fields are skipped, as protobuf wants; groups (wire types 3 and 4) are refused.
 * Features of type UNKNOWN are skipped (§4.3.5 allows it); so are polygon rings of zero area. */
#ifndef TESELAS_MVT_DECODE_H
#define TESELAS_MVT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/value.h"
#include "geom/geom.h"

enum {
  MVT_DECODE_MAX_BYTES = 16 * 1024 * 1024, /* a tile's inflated size */
  MVT_DECODE_MAX_LAYERS = 1024,
  MVT_DECODE_MAX_FEATURES = 1 << 20,       /* per layer */
  MVT_DECODE_MAX_KEYS = 1 << 16,           /* per layer, and values alike */
  MVT_DECODE_MAX_EXTENT = 1 << 16,
  MVT_DECODE_MAX_COORD = 1 << 24           /* |cursor| in tile units: 256 tiles of 65536 */
};

typedef struct mvt_decoded_feature {
  bool has_id;
  uint64_t id;
  /* Point, line or polygon in tile units (0..extent across the tile, y down; the buffer may lie
   * outside). Rings are closed (the first point repeated, as geom.h wants); each polygon of
   * poly_end starts with its exterior ring, the one of positive area in tile units (§4.3.4.4),
   * followed by its holes. A feature whose first ring is negative has the opposite winding
   * throughout (version 1 tiles): its rings are classified by that first sign instead, as
   * MapLibre and @mapbox/vector-tile do. */
  geom g;
  const uint32_t *tags; /* n_tags pairs: key index, value index; both checked in range */
  uint32_t n_tags;
} mvt_decoded_feature;

typedef struct mvt_decoded_layer {
  const char *name;              /* NUL-terminated copy (a NUL inside ends it) */
  uint32_t version;              /* 1 or 2 */
  uint32_t extent;               /* 1..MVT_DECODE_MAX_EXTENT; 4096 when absent */
  const char *const *keys;       /* NUL-terminated copies */
  uint32_t n_keys;
  const value *values;           /* VALUE_TEXT strings point into the arena */
  uint32_t n_values;
  mvt_decoded_feature *features; /* in the tile's order, UNKNOWN and empty ones left out */
  uint32_t n_features;
} mvt_decoded_layer;

typedef struct mvt_decoded_tile {
  mvt_decoded_layer *layers;
  uint32_t n_layers;
} mvt_decoded_tile;

/* Decodes the (inflated) tile data[0..len) into arena a. Errors: ERR_INVALID naming the byte
 * offset and the fault (truncated varint or field, a wire type MVT does not use, a length past
 * its message, a layer without a name or of version other than 1/2, an extent of 0 or past the
 * bound, a tag or value index out of range or odd tags, a command that is not MoveTo/LineTo/
 * ClosePath or whose count exceeds the parameters left, a geometry that breaks §4.3.4 — a line
 * of one point, a ring of fewer than 3 points, a LineTo before any MoveTo — or a cursor past
 * MVT_DECODE_MAX_COORD); ERR_LIMIT for bytes or counts past the bounds above; ERR_NOMEM. On an
 * error *out is empty. */
err_code mvt_tile_decode(const uint8_t *data, size_t len, arena *a, mvt_decoded_tile *out,
                         err *e);

/* The layer named name in t, or NULL. */
const mvt_decoded_layer *mvt_decoded_find(const mvt_decoded_tile *t, const char *name);

/* One layer of a tile as its bytes: the whole Tile.layers field (tag, length and message), so
 * a tile is rebuilt by concatenating spans, and the layer's name (not terminated). Both point into
 * the tile given. */
typedef struct mvt_layer_span {
  const uint8_t *field;
  size_t field_len;
  const uint8_t *name;
  size_t name_len;
} mvt_layer_span;

/* Cuts a tile into its layers, in the tile's order, without decoding their features: at most max
 * spans into out, their count in *out_n. Errors: ERR_INVALID (a truncated varint or field, a wire
 * type other than 0, 1, 2 or 5, a top-level field other than layers, a layer without a name),
 * ERR_LIMIT (more than max layers). */
err_code mvt_tile_split(const uint8_t *data, size_t len, mvt_layer_span *out, size_t max,
                        size_t *out_n, err *e);

#endif
