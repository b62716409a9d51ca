/* pmtiles.h — the PMTiles v3 format (github.com/protomaps/PMTiles, spec v3): the 127-byte header,
 * tile ids along the Hilbert curve, and directories. Pure encoding and decoding on memory; no
 * file I/O and no compression here (writers and readers of whole archives build on it).
 *
 * No C library for PMTiles v3 exists in Debian, so this follows the spec text directly; the
 * tests check it against the npm `pmtiles` reader. */
#ifndef TESELAS_ARCHIVE_PMTILES_H
#define TESELAS_ARCHIVE_PMTILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

enum {
  PMTILES_HEADER_LEN = 127,
  /* The header and the root directory must fit in the first 16 KiB, so a client reads both
   * with one request. */
  PMTILES_ROOT_MAX = 16384 - PMTILES_HEADER_LEN,
  /* Zoom levels a 64-bit tile id can address: the ids of zoom z start at (4^z - 1) / 3. */
  PMTILES_MAX_ZOOM = 31
};

typedef enum pmtiles_compression {
  PMTILES_COMPRESSION_UNKNOWN = 0,
  PMTILES_COMPRESSION_NONE = 1,
  PMTILES_COMPRESSION_GZIP = 2,
  PMTILES_COMPRESSION_BROTLI = 3,
  PMTILES_COMPRESSION_ZSTD = 4
} pmtiles_compression;

typedef enum pmtiles_tile_type {
  PMTILES_TYPE_UNKNOWN = 0,
  PMTILES_TYPE_MVT = 1,
  PMTILES_TYPE_PNG = 2,
  PMTILES_TYPE_JPEG = 3,
  PMTILES_TYPE_WEBP = 4,
  PMTILES_TYPE_AVIF = 5
} pmtiles_tile_type;

/* The header, field for field as the spec orders them. Offsets are from the start of the file;
 * positions are degrees × 10^7. */
typedef struct pmtiles_header {
  uint64_t root_offset, root_length;
  uint64_t metadata_offset, metadata_length;
  uint64_t leaf_offset, leaf_length;
  uint64_t data_offset, data_length;
  uint64_t n_addressed_tiles; /* tiles the archive answers for (runs counted in full) */
  uint64_t n_tile_entries;    /* entries of tile content in all directories */
  uint64_t n_tile_contents;   /* distinct tile contents stored */
  bool clustered;             /* tile data ordered by tile id, no gaps */
  uint8_t internal_compression, tile_compression, tile_type; /* the enums above */
  uint8_t min_zoom, max_zoom;
  int32_t min_lon_e7, min_lat_e7, max_lon_e7, max_lat_e7;
  uint8_t center_zoom;
  int32_t center_lon_e7, center_lat_e7;
} pmtiles_header;

void pmtiles_header_write(const pmtiles_header *h, uint8_t out[PMTILES_HEADER_LEN]);
/* Reads and checks a header: magic "PMTiles", version 3, known compressions and tile type, zooms
 * in range and ordered, and every section inside a file of file_size bytes (0: size unknown,
 * sections not checked against it). ERR_INVALID names the first fault. */
err_code pmtiles_header_read(const uint8_t *in, size_t n, uint64_t file_size, pmtiles_header *h,
                             err *e);

/* A directory entry. run_length 0 marks an entry pointing at a leaf directory (offset and length
 * then locate it in the leaf section); otherwise the tile ids tile_id .. tile_id+run_length-1 all
 * have the content at offset/length of the data section. */
typedef struct pmtiles_entry {
  uint64_t tile_id;
  uint64_t offset;
  uint32_t length;
  uint32_t run_length;
} pmtiles_entry;

/* Tile id of z/x/y; false when z > PMTILES_MAX_ZOOM or x, y are outside the zoom. */
bool pmtiles_zxy_to_id(unsigned z, uint32_t x, uint32_t y, uint64_t *out);
/* The inverse; false for ids past the last zoom. */
bool pmtiles_id_to_zxy(uint64_t id, unsigned *z, uint32_t *x, uint32_t *y);

/* Appends the uncompressed directory of n entries (ordered by tile id, as the spec requires).
 * Returns false when out failed (memory or its bound). */
bool pmtiles_dir_encode(const pmtiles_entry *entries, size_t n, buf *out);
/* Decodes an uncompressed directory of at most max_entries entries into a malloc'd array (the
 * caller frees *out). Hostile input is expected: truncated varints, counts past the bytes, ids
 * that do not increase, lengths past 32 bits, and trailing bytes are ERR_INVALID. */
err_code pmtiles_dir_decode(const uint8_t *in, size_t n, size_t max_entries, pmtiles_entry **out,
                            size_t *out_n, err *e);
/* The entry answering tile_id in a decoded directory: a tile entry whose run covers it, or the
 * leaf entry whose range may hold it (run_length 0: read that leaf next); NULL when none. */
const pmtiles_entry *pmtiles_dir_find(const pmtiles_entry *entries, size_t n, uint64_t tile_id);

#endif
