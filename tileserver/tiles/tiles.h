/* tiles.h — the vector-tile service: layers of the catalog + a tile address in, MVT bytes out.
 *
 * It joins the store (features in a bbox), the geometry pipeline (geom_to_tile) and the encoder
 * (mvt/), with the generalisation gen/ decides (gen/gen.h): point layers merged into clusters on a
 * pixel grid at low zoom, polygons or lines smaller than a pixel dropped (and counted) below the
 * layer's maxzoom. It knows nothing of HTTP. */
#ifndef TESELAS_TILES_H
#define TESELAS_TILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/gzip.h"
#include "geom/geom.h"
#include "query/query.h"
#include "store/store.h"

enum {
  TILES_EXTENT = 4096,
  TILES_BUFFER = 64,
  TILES_MAX_LAYERS = 16,
  /* Past this many points in one tile a layer is clustered at any zoom (finer cells), so that a
   * 1,000,000-point layer never yields a multi-megabyte tile. */
  TILES_POINT_BUDGET = 20000,
  /* Encoded size above which a tile is refused with ERR_LIMIT (the goal is <= 500 KB). */
  TILES_BYTE_LIMIT = 8 * 1024 * 1024
};

/* An extra condition on the features of one layer of a tile (from the features API's filter
 * parser, features_request_parse with FEATURES_USE_TILE): a predicate tree (query/query.h). */
typedef struct tile_filter {
  const query_pred *where;
} tile_filter;

enum {
  /* Bounds of a tile's filters, checked by tiles_filter_key: the canonical text is the cache
   * key and must stay small, and a tile's filter is meant to be a few conditions. */
  TILES_FILTER_KEY_MAX = 4096,
  TILES_FILTER_MAX_VALUES = 48
};

typedef struct tile_params {
  geom_tile_id tile;
  uint32_t extent;                 /* 0 = TILES_EXTENT */
  uint32_t buffer;                 /* tile units beyond each edge */
  const layer_info *layers[TILES_MAX_LAYERS];
  size_t n_layers;
  /* filters[i] restricts layers[i] (NULL: all its features). When any is set, filter_key must
   * be their canonical text (tiles_filter_key): it is part of the cache key and the ETag. */
  const tile_filter *filters[TILES_MAX_LAYERS];
  const char *filter_key;          /* NULL when no layer is filtered */
  struct pyramid_registry *pyramids; /* precomputed clusters (gen/pyramid.h), or NULL */
} tile_params;

/* Writes the canonical text of p's filters to out: per filtered layer "[i]" and the canonical
 * text of its predicate (query_pred_canon) then ";", so two filters that select differently
 * never share a text, while spellings of one predicate (spaces, quotes, keyword case, 1 and 1.0,
 * nesting of AND) share one. "" when no layer is filtered. Errors: ERR_INVALID naming `filter` past
 * TILES_FILTER_KEY_MAX bytes or TILES_FILTER_MAX_VALUES values in one layer; ERR_NOMEM. */
err_code tiles_filter_key(const tile_params *p, buf *out, err *e);

typedef struct tile_stats {
  uint32_t n_features;   /* features written, clusters included */
  uint32_t n_clusters;   /* of which clusters */
  uint32_t n_dropped;    /* features read, then dropped as smaller than a pixel (most such
                            features are never read: the R*Tree query skips them by size) */
} tile_stats;

/* Appends the tile (one MVT layer per requested layer that has features here) to out.
 * An empty out with ERR_OK means an empty tile. Errors: ERR_LIMIT (tile too large), ERR_DB,
 * ERR_NOMEM. */
err_code tiles_build(store_reader *r, const tile_params *p, buf *out, tile_stats *out_stats,
                     err *e);

/* The tile as a client gets it: from the cache when there, else built and cached (raw and gzip).
 * want_gzip asks for the gzip bytes. A cache hit is handed over pinned, not copied: out->pin is
 * the entry holding the bytes (cache_entry_data), and the caller releases it with
 * cache_release once they are sent. Otherwise out->pin is NULL and the tile was appended to
 * out->bytes. out->gzip tells whether the bytes are gzip. An empty tile (0 bytes) is an HTTP 204.
 * cache may be NULL. Errors: those of tiles_build, and ERR_NOMEM; out->pin is NULL then. */
typedef struct cache cache;
typedef struct cache_entry cache_entry;
typedef struct tile_served {
  buf *bytes;             /* in: where a tile that is not a cache hit is appended */
  gzip_deflater *deflater; /* in: the caller thread's compressor; NULL: one made per tile */
  cache_entry *pin;  /* out: the pinned cache entry holding the tile, or NULL */
  bool gzip;              /* out: the bytes are gzip */
} tile_served;
err_code tiles_serve(store_reader *r, cache *answers, const tile_params *p, bool want_gzip,
                     tile_served *out, err *e);

/* A strong ETag for the tile: layer versions, address and a 64-bit hash of p->filter_key.
 * Written into out (>= 128 bytes). */
void tiles_etag(const tile_params *p, char *out, size_t out_len);

#endif
