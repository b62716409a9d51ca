/* changes.h — which tiles an update of a layer changed, for incremental seeds (`teselas seed
 * --since`) and for GET /tiles/{id}/changes.
 *
 * Two steps. seed_changes_find walks both versions by feature id (and, to count the features,
 * reads their diff: versions_diff_run) and marks the tile addresses each added, removed or
 * changed feature reaches: its box (old and new together)
 * at every zoom, grown by the tiles' buffer (64 units of 4096), and for a clustered point layer
 * first out to the cluster cells it falls in (a cluster sits somewhere in its cell, so a point
 * moves every cluster of its cell). Those are candidates, never the answer: the caller re-makes
 * them and compares bytes (with an archive's, or with the tile of the older version:
 * seed_changes_check), so a candidate whose tile did not change is not listed. What a change
 * reaches beyond its box — a field added, removed or retyped, other zooms, another privacy policy,
 * a layer that crosses the clustering threshold — makes every address a candidate (`all`).
 * PNG tiles reach further (labels up to 32 px into the next tile, circles and line widths), so
 * their addresses are marked with a margin of SEED_IMAGE_MARGIN_PX and listed without being
 * drawn: a purge list may name a tile too many, never one too few. */
#ifndef TESELAS_SEED_CHANGES_H
#define TESELAS_SEED_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "seed/seed.h"
#include "store/store.h"

struct pyramid_registry;
struct render_styles;

enum {
  /* How far a PNG tile's drawing reaches past its edge, in pixels of a 256-px tile: labels run at
   * most 32 px into a neighbour (render/), the styles' circles and lines stay under 16 px. */
  SEED_IMAGE_MARGIN_PX = 48,
  /* Candidate addresses held in memory (16 bytes each); past it every address is a candidate. */
  SEED_CHANGES_MAX_TILES = 1 << 21
};

/* A set of PMTiles tile ids, bounded. */
typedef struct seed_tileset seed_tileset;
/* Caller owns; seed_tileset_destroy. max: ids it may hold. NULL when out of memory. */
seed_tileset *seed_tileset_create(size_t max);
void seed_tileset_destroy(seed_tileset *s);
/* false when the set is full or out of memory (and id was not added). */
bool seed_tileset_add(seed_tileset *s, uint64_t id);
bool seed_tileset_has(const seed_tileset *s, uint64_t id);
size_t seed_tileset_count(const seed_tileset *s);
/* The ids in increasing order (tile-id order: zoom by zoom, along the Hilbert curve), malloc'd
 * (caller frees); NULL when out of memory. */
uint64_t *seed_tileset_sorted(const seed_tileset *s, size_t *out_n);

/* The catalog entry of layer `current->id` as version `version` published it: its table, fields,
 * geometry type, bounds, zooms, count and privacy from the history (the rest, such as the title
 * and the automatic style, are the current entry's). Strings in a. ERR_NOT_FOUND naming the
 * version when the history has no such version or no longer keeps its data; ERR_INVALID for a
 * version published before versions recorded their catalog entry. */
err_code seed_layer_at(store_reader *r, const layer_info *current, int64_t version, arena *a,
                       layer_info *out, err *e);

typedef struct seed_changes {
  seed_tileset *tiles;    /* candidate vector-tile addresses (within the range) */
  seed_tileset *images;   /* PNG-tile addresses the changes reach (within the range) */
  bool all, images_all;   /* every address of the range is one */
  int64_t n_features;     /* features added, removed or changed (count_features) */
  bool count_features;    /* set by the caller: count them (a diff of both versions more) */
} seed_changes;

/* Marks in out (zeroed by the caller, or holding the marks of other layers: the sets are created
 * on the first call, freed by seed_changes_free) the addresses of range that the changes of `from` into `to` (two versions of one layer, from seed_layer_at or
 * the catalog, from older) reach. Errors: those of versions_diff_run, ERR_NOMEM. */
err_code seed_changes_find(store_reader *r, const layer_info *from, const layer_info *to,
                           const seed_range *range, seed_changes *out, err *e);
void seed_changes_free(seed_changes *c);
/* Candidate vector addresses within the range (all: the range's count). */
uint64_t seed_changes_n_candidates(const seed_changes *c, const seed_range *range);

/* Re-makes every candidate of c for both versions (raw MVT, each version with its own cluster
 * pyramid) and adds to `changed` (created by the caller, large enough for every candidate) the
 * addresses whose bytes differ. Errors: those of tiles_build. */
err_code seed_changes_check(store_reader *r, const layer_info *from, const layer_info *to,
                            const seed_range *range, const seed_changes *c, seed_tileset *changed,
                            err *e);

/* ---- the purge list ---- */

/* The styles (as /styles offers them for cat) that draw any of layer_ids: names in a, in the
 * order of /styles. At most max; returns how many. */
size_t seed_styles_drawing(const struct render_styles *reg, const catalog *cat,
                           const char *const *layer_ids, size_t n_ids, arena *a,
                           const char **out, size_t max);

/* What a purge list names, in this order: for each of tile_ids, /tiles/{ids}/{z}/{x}/{y}.pbf of
 * the addresses in `tiles`; then for each style, /styles/{style}/{z}/{x}/{y}{suffix} of the
 * addresses in `images` (every address of the range when images_all) for each suffix. Addresses
 * in tile-id order (zoom by zoom, along the Hilbert curve). */
typedef struct seed_urls {
  const seed_range *range;
  const char *const *tile_ids;   /* "parques", or "parques,rios" for a tile of several layers */
  size_t n_tile_ids;
  const seed_tileset *tiles;
  const char *const *styles;
  size_t n_styles;
  const char *const *suffixes;   /* ".png", "@2x.png" */
  size_t n_suffixes;
  const seed_tileset *images;
  bool images_all;
} seed_urls;

/* Calls fn with each URL path (valid during the call); non-zero from fn stops. */
void seed_urls_each(const seed_urls *u, int (*fn)(void *ctx, const char *url), void *ctx);

#endif

/* ---- the document of GET /tiles/{id}/changes ---- */

enum {
  SEED_CHANGES_PAGE_DEFAULT = 100,
  SEED_CHANGES_PAGE_MAX = 1000,
  /* Candidate tiles one request may make (twice: both versions). Past it the answer is
   * ERR_LIMIT, asking for fewer zooms: a request must stay a request. */
  SEED_CHANGES_HTTP_MAX_TILES = 4000,
  /* PNG addresses one answer may list when a change reaches every one */
  SEED_CHANGES_HTTP_MAX_IMAGES = 1000000
};

typedef struct seed_changes_query {
  const layer_info *layer;        /* the catalog's entry */
  int64_t from, to;               /* versions, from < to <= the current one */
  int minzoom, maxzoom;           /* -1: the layer's zooms (0 to its maxzoom) */
  int64_t offset, limit;          /* the page of URLs */
  const char *base_url;           /* for links; NULL: none */
} seed_changes_query;

/* The URLs that changed from version `from` to `to` of q->layer (the vector tiles whose bytes
 * differ, then the PNG tiles of the styles of reg that draw the layer, as seed_urls_each lists
 * them), over the union of both versions' bounds: counts always complete, one page of URLs and
 * a next link while more remain. Caller owns *out (free). Errors: ERR_INVALID (from >= to, bad
 * zooms or page), ERR_NOT_FOUND (a version not kept), ERR_LIMIT (too many tiles to compare),
 * those of the tile builder. Messages never repeat the request's values. */
err_code seed_changes_doc(store_reader *r, const catalog *cat, const struct render_styles *reg,
                          const seed_changes_query *q, char **out, err *e);
