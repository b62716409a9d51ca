/* pmtiles_write.h — a streaming writer of whole PMTiles v3 archives.
 *
 * Usage:
 *   pmtiles_writer *w;
 *   pmtiles_writer_open(path, &w, &e);              // creates/truncates path
 *   for each tile, in increasing tile id order:
 *     pmtiles_writer_add(w, id, bytes, len, &e);    // bytes as stored (already gzip'd for MVT)
 *   pmtiles_writer_finish(w, &header, json, json_len, &e);  // directories, metadata, header
 *   pmtiles_writer_free(w);                         // always; closes and forgets everything
 *
 * Tile bytes go to an unlinked temporary file beside the archive as they come, so a seed of any
 * size holds neither its tiles nor its directory entries in memory (entries are spilled too: see
 * pmtiles_write.c for the arithmetic). Identical small tiles (the empty sea, a park's fill) are
 * stored once, found by content hash and compared byte for byte, and consecutive ids with the same
 * content become one run-length entry. finish() writes the header, the root directory (alone when
 * it fits PMTILES_ROOT_MAX gzip'd, else over leaf directories sized as the reference writers
 * size them), the gzip'd metadata, the leaves and the tile data, in the spec's order, clustered.
 *
 * Errors are sticky: after the first failure every call returns the same code. The file at path
 * is left half-written on error: the caller writes to a temporary name and renames on success. */
#ifndef TESELAS_ARCHIVE_PMTILES_WRITE_H
#define TESELAS_ARCHIVE_PMTILES_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "archive/pmtiles.h"
#include "core/err.h"

typedef struct pmtiles_writer pmtiles_writer;

/* Counts of what was written, for reports and tests. */
typedef struct pmtiles_write_stats {
  uint64_t n_addressed_tiles, n_tile_entries, n_tile_contents;
  uint64_t n_leaves;      /* leaf directories (0: the root held every entry) */
  uint64_t file_bytes;    /* size of the finished archive */
  uint64_t dedup_hits;    /* tiles stored as a reference to earlier identical bytes */
} pmtiles_write_stats;

err_code pmtiles_writer_open(const char *path, pmtiles_writer **out, err *e);
/* Adds one tile; ids must strictly increase. len must be > 0 and < 4 GiB. */
err_code pmtiles_writer_add(pmtiles_writer *w, uint64_t tile_id, const void *data, size_t len,
                            err *e);
/* Adds the same tile at ids tile_id .. tile_id+run_length-1 (run_length >= 1): the archive is
 * the one run_length calls of pmtiles_writer_add would write, in O(1) when the content is one
 * the writer remembers (every tile a run may repeat: see pmtiles_write.c). */
err_code pmtiles_writer_add_run(pmtiles_writer *w, uint64_t tile_id, const void *data, size_t len,
                                uint64_t run_length, err *e);
/* The file (an earlier archive) that tiles added with pmtiles_writer_add_run_at lie in: the
 * writer copies them from it when it finishes (copy_file_range), instead of writing them to its
 * own data file first. fd is borrowed: it must stay open, and the file unchanged, until
 * pmtiles_writer_finish returns. */
void pmtiles_writer_copy_from(pmtiles_writer *w, int fd);
/* As pmtiles_writer_add_run, for bytes that lie at offset src_off of the copy_from file (data
 * are those bytes, read by the caller, for deduplication): the archive is the same. ERR_INTERNAL
 * without a copy_from file. */
err_code pmtiles_writer_add_run_at(pmtiles_writer *w, uint64_t tile_id, const void *data,
                                   size_t len, uint64_t run_length, uint64_t src_off, err *e);
/* Completes the archive. From *h only the descriptive fields are read (compressions of tiles,
 * tile type, zooms, bounds, center); offsets, lengths, counts, clustered and the internal
 * compression (gzip) are the writer's. metadata is the JSON text (gzip'd here). */
err_code pmtiles_writer_finish(pmtiles_writer *w, const pmtiles_header *h, const char *metadata,
                               size_t metadata_len, err *e);
/* Counts so far; after finish(), of the archive written. */
pmtiles_write_stats pmtiles_writer_stats(const pmtiles_writer *w);
void pmtiles_writer_free(pmtiles_writer *w);

#endif
