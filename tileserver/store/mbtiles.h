/* mbtiles.h — MBTiles 1.3 files (github.com/mapbox/mbtiles-spec): a writer for seeds and a small
 * reader. The store is the only module that speaks SQL, so MBTiles lives here.
 *
 * Layout written: `metadata(name, value)`, and the deduplicated form most tools write (mbutil,
 * tippecanoe): `map(zoom_level, tile_column, tile_row, tile_id)` + `images(tile_data, tile_id)`
 * joined by a `tiles` view, which is what readers (GDAL, QGIS, MapLibre native) query. Rows are in
 * TMS order (y counted from the south): callers give and get XYZ addresses (y from the north).
 * Vector tiles are stored gzip'd, as the spec requires for `format=pbf`. */
#ifndef TESELAS_STORE_MBTILES_H
#define TESELAS_STORE_MBTILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

typedef struct mbtiles_writer mbtiles_writer;

/* Creates the file (a fresh temporary name: seeds rename it into place after finish) and opens
 * the one transaction every tile goes into. The journal is off and the database exclusive: the
 * file becomes visible under its final name only after finish (the caller renames it). */
err_code store_mbtiles_create(const char *path, mbtiles_writer **out, err *e);
/* One metadata row (name unique: a second value replaces the first). */
err_code store_mbtiles_meta_put(mbtiles_writer *w, const char *name, const char *text, err *e);
/* One tile at the XYZ address z/x/y. Identical contents are stored once (found by hash, compared
 * byte for byte). */
err_code store_mbtiles_add(mbtiles_writer *w, unsigned z, uint32_t x, uint32_t y,
                           const void *data, size_t len, err *e);
/* The tile columns x0..x1 and rows y0..y1 (XYZ, inclusive) of zoom z. */
typedef struct mbtiles_span {
  unsigned z;
  uint32_t x0, x1, y0, y1;
} mbtiles_span;
/* One XYZ address. */
typedef struct mbtiles_xyz {
  unsigned z;
  uint32_t x, y;
} mbtiles_xyz;
/* Copies from the MBTiles file at old_path, in SQL (ATTACH and INSERT … SELECT), every tile whose
 * address lies in one of the n_spans spans and is none of the n_skip addresses of skip, with
 * its bytes as stored there; *out_n_copied is the number of addresses copied. The file must have
 * this writer's layout (tables `map` and `images`, the index `images_id` keeping content ids
 * unique); *out_done false (and ERR_OK, nothing copied) when it has not, for the caller to copy
 * tile by tile. Call before adding any tile; the addresses of skip may be added after. */
err_code store_mbtiles_copy(mbtiles_writer *w, const char *old_path, const mbtiles_span *spans,
                            size_t n_spans, const mbtiles_xyz *skip, size_t n_skip,
                            uint64_t *out_n_copied, bool *out_done, err *e);
/* Commits. After an error, or without finish, close leaves a file the caller deletes. */
err_code store_mbtiles_finish(mbtiles_writer *w, err *e);
/* Distinct contents stored so far. */
uint64_t store_mbtiles_n_contents(const mbtiles_writer *w);
void store_mbtiles_close(mbtiles_writer *w);

typedef struct mbtiles_reader mbtiles_reader;
/* Opens an MBTiles file read-only; ERR_INVALID when it has no `tiles` table or view. */
err_code store_mbtiles_open(const char *path, mbtiles_reader **out, err *e);
/* Appends the tile at XYZ z/x/y to out; *found false (and ERR_OK) when the file has none. */
err_code store_mbtiles_tile(mbtiles_reader *r, unsigned z, uint32_t x, uint32_t y, buf *out,
                            bool *found, err *e);
/* The lowest and highest zoom_level of the tiles; *found false (and ERR_OK) when there are none.
 * For files whose metadata omits minzoom/maxzoom (they are optional in MBTiles 1.3). */
err_code store_mbtiles_zooms(mbtiles_reader *r, unsigned *out_min, unsigned *out_max, bool *found,
                             err *e);
/* The metadata value of name, malloc'd (caller frees); NULL when absent. */
err_code store_mbtiles_meta_get(mbtiles_reader *r, const char *name, char **out, err *e);
/* One address of a file with this writer's layout, and the key of its content (equal keys, equal
 * bytes: the file stores each content once). */
typedef struct mbtiles_cell {
  unsigned z;
  uint32_t x, y;     /* XYZ */
  int64_t content;   /* for store_mbtiles_content */
} mbtiles_cell;
/* Calls fn for every address of the n_spans spans that holds a tile, in no particular order, in
 * one scan of the file's `map` per span; fn returning non-zero stops the scan (*out_done false).
 * *out_done false (ERR_OK, fn never called) when the file has not this writer's layout (tables
 * `map` and `images`, the index `images_id`). Errors: ERR_DB. */
err_code store_mbtiles_cells(mbtiles_reader *r, const mbtiles_span *spans, size_t n_spans,
                             int (*fn)(void *ctx, const mbtiles_cell *c), void *ctx,
                             bool *out_done, err *e);
/* Appends the bytes of content key `content` (from store_mbtiles_cells) to out; ERR_INVALID when
 * the file has none. */
err_code store_mbtiles_content(mbtiles_reader *r, int64_t content, buf *out, err *e);
void store_mbtiles_reader_close(mbtiles_reader *r);

#endif
