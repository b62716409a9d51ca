/* archives.h — tile archives served as read-only layers (`teselas serve --archive name=FILE`).
 *
 * An archive is a PMTiles v3 file (archive/pmtiles_read.h) or an MBTiles 1.3 file
 * (store/mbtiles.h), told apart by their first bytes; the functions below answer alike for both,
 * so callers never ask which it is except to send the file itself. The set is opened once at
 * start-up and never changes afterwards; every function below is thread-safe (the PMTiles leaf
 * cache and each MBTiles connection have their own lock). An archive's tiles are answered as they
 * are stored (gzip passed through to a client that accepts it, inflated, bounded, for one that
 * does not), with a strong ETag per tile content; its TileJSON comes from the archive's header and
 * metadata. Names are checked by the caller (like layer ids). */
#ifndef TESELAS_ARCHIVES_H
#define TESELAS_ARCHIVES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "archive/pmtiles_read.h"
#include "core/buf.h"
#include "core/err.h"

enum { ARCHIVES_MAX = 32, ARCHIVES_ETAG_MAX = 80, ARCHIVES_TILE_MAX = PMTILES_TILE_MAX };

typedef struct archive_source {
  const char *name; /* the layer id it is served as */
  const char *path; /* a .pmtiles or .mbtiles file */
} archive_source;

typedef struct archive_set archive_set;
typedef struct archive_layer archive_layer;

typedef enum archive_format { ARCHIVE_PMTILES, ARCHIVE_MBTILES } archive_format;

/* What kind of tiles an archive holds: vector tiles or PNG images (the only kinds served). */
typedef enum archive_kind { ARCHIVE_VECTOR, ARCHIVE_PNG } archive_kind;

/* What an archive says of itself, whatever its format: zooms, box and centre in degrees. */
typedef struct archive_info {
  archive_kind kind;
  unsigned min_zoom, max_zoom, center_zoom;
  double west, south, east, north, center_lon, center_lat;
} archive_info;

/* Opens every source (n <= ARCHIVES_MAX). Errors name the archive, its file and the fault:
 * unreadable, neither PMTiles v3 nor MBTiles (SQLite), a fault of its header, root directory or
 * metadata (PMTiles: a JSON object; MBTiles: a `format` of pbf or png, numbers where numbers go),
 * tiles that are neither vector tiles nor PNG, compressed otherwise than with gzip or not at all,
 * two sources of one name. The caller owns *out (archives_close; NULL is an empty set). */
err_code archives_open(const archive_source *sources, size_t n, archive_set **out, err *e);
void archives_close(archive_set *s);

size_t archives_count(const archive_set *s);
const archive_layer *archives_at(const archive_set *s, size_t i);
/* The archive named [name, name+len), or NULL. */
const archive_layer *archives_find(const archive_set *s, const char *name, size_t len);

const char *archive_layer_name(const archive_layer *l);
archive_format archive_layer_format(const archive_layer *l);
const archive_info *archive_layer_info(const archive_layer *l);
/* The file's descriptor, for sending the file as it is (pread or sendfile only). Owned by the
 * archive: dup() it to hand it to something that closes it. */
int archive_layer_fd(const archive_layer *l);
uint64_t archive_layer_file_size(const archive_layer *l);
/* The media type of the archive's tiles ("application/vnd.mapbox-vector-tile", "image/png"). */
const char *archive_layer_media_type(const archive_layer *l);
/* The extension of its tiles' URLs: "pbf" or "png". */
const char *archive_layer_tile_ext(const archive_layer *l);
/* The strong ETag of the whole file (quoted): its size, modification time and inode. */
const char *archive_layer_file_etag(const archive_layer *l);
/* The archive's metadata as TileJSON fields (name, description, attribution, version, format,
 * vector_layers...); borrowed, read-only. */
struct json_t *archive_layer_metadata(const archive_layer *l);

typedef enum archive_tile_status {
  ARCHIVE_TILE_FOUND,
  ARCHIVE_TILE_ABSENT,   /* within the archive's zooms, not stored: an empty tile */
  ARCHIVE_TILE_OUTSIDE   /* a zoom the archive does not have */
} archive_tile_status;

typedef struct archive_tile {
  archive_tile_status status;
  bool gzip;                      /* the bytes appended are gzip */
  char etag[ARCHIVES_ETAG_MAX];   /* quoted strong tag, when found */
} archive_tile;

/* Appends tile z/x/y of l to out: gzip as stored when accept_gzip, else inflated (at most
 * ARCHIVES_TILE_MAX bytes). Errors: ERR_INVALID for a fault of the file met on the way (a leaf
 * directory or the tile's gzip), naming the file; ERR_IO, ERR_DB, ERR_LIMIT, ERR_NOMEM. */
err_code archives_tile(const archive_layer *l, unsigned z, uint32_t x, uint32_t y,
                       bool accept_gzip, buf *out, archive_tile *t, err *e);

/* TileJSON 3.0.0 of l: its metadata's name, description, attribution, version and (vector
 * archives) vector_layers, the zooms, bounds and center, one tile URL under base_url ending in
 * .pbf or .png. The caller owns the result (NULL when out of memory). */
struct json_t;
struct json_t *archives_tilejson(const archive_layer *l, const char *base_url);

/* The archive's automatic MapLibre style (version 8): its source the archive's TileJSON under
 * base_url; a vector archive's layers of vector_layers drawn as fills, lines and circles, each in
 * a colour of its own; a PNG archive as one raster layer; glyphs on this server;
 * metadata."teselas:archive" its name. The caller owns the result (NULL when out of memory). */
struct json_t *archives_style(const archive_layer *l, const char *base_url);

#endif
