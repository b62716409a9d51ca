/* pmtiles_read.h — reading a PMTiles v3 archive from a file, for many threads at once.
 *
 * An archive is opened once at start-up: the header, the root directory and the metadata are
 * read, checked and kept; afterwards it is immutable (reads use pread on the one descriptor, so
 * workers never share a file position) except for a small cache of decoded leaf directories,
 * guarded by its own mutex. The file is not trusted: every offset is checked against the file
 * and its section before it is read, every decompression is bounded, leaf directories nest at
 * most PMTILES_LEAF_DEPTH deep (a leaf pointing back at itself ends there), and each fault is an
 * ERR_INVALID whose message names the file and what is wrong. The file must not change while it
 * is open (a tile server's archives are replaced by renaming a new file into place and
 * restarting); a file that shrank reads as ERR_IO. */
#ifndef TESELAS_ARCHIVE_PMTILES_READ_H
#define TESELAS_ARCHIVE_PMTILES_READ_H

#include <stdbool.h>
#include <stdint.h>

#include "archive/pmtiles.h"
#include "core/buf.h"
#include "core/err.h"

enum {
  /* Levels of leaf directories below the root that are followed: the reference readers stop at
   * the same depth (root + 3), and the spec's writers need at most 2 for any planet. */
  PMTILES_LEAF_DEPTH = 3,
  /* Bounds on what the file may make the reader hold: metadata, one directory, one tile. */
  PMTILES_METADATA_MAX = 4 * 1024 * 1024,
  PMTILES_DIR_MAX = 4 * 1024 * 1024,
  PMTILES_TILE_MAX = 32 * 1024 * 1024
};

typedef struct pmtiles_archive pmtiles_archive;

/* The identity of the file opened, for strong ETags: a different file (or the same file
 * rewritten) differs in one of these. */
typedef struct pmtiles_file_id {
  uint64_t size, inode, device;
  int64_t mtime_ns;
} pmtiles_file_id;

/* Opens path, reads and checks the header, the root directory (decompressed as the header says;
 * only none and gzip are read) and the metadata JSON (decompressed, at most PMTILES_METADATA_MAX
 * bytes; its JSON syntax is the caller's to check). The caller owns *out (pmtiles_archive_close).
 * Errors: ERR_IO (cannot open or read), ERR_INVALID (not a PMTiles v3 file, or a fault in it),
 * ERR_NOMEM; the message starts with the path. */
err_code pmtiles_archive_open(const char *path, pmtiles_archive **out, err *e);
void pmtiles_archive_close(pmtiles_archive *a);

const pmtiles_header *pmtiles_archive_header(const pmtiles_archive *a);
const char *pmtiles_archive_path(const pmtiles_archive *a);
pmtiles_file_id pmtiles_archive_file_id(const pmtiles_archive *a);
/* The metadata as stored, decompressed (NUL-terminated; owned by the archive). */
const char *pmtiles_archive_metadata(const pmtiles_archive *a, size_t *out_len);
/* The archive's descriptor, for sending the file as it is (pread or sendfile only: the position
 * is nobody's). Owned by the archive: dup() it to hand it to something that closes it. */
int pmtiles_archive_fd(const pmtiles_archive *a);

/* Where a tile is: its bytes at [offset, offset+length) of the file; found false when the archive
 * has no tile at that address (outside the zooms, or not stored). */
typedef struct pmtiles_tile_ref {
  bool found;
  uint64_t offset;
  uint32_t length;
} pmtiles_tile_ref;

/* Finds z/x/y through the root and leaf directories. Thread-safe. Errors (ERR_INVALID for a
 * fault of the file found on the way: a leaf past its section, nested too deep, not decodable;
 * ERR_IO; ERR_NOMEM) name the file and the fault. */
err_code pmtiles_archive_find(pmtiles_archive *a, unsigned z, uint32_t x, uint32_t y,
                              pmtiles_tile_ref *out, err *e);
/* Appends the tile's bytes as stored (compressed as the header's tile_compression says) to out.
 * Errors: ERR_IO, ERR_LIMIT (out's bound), ERR_NOMEM. */
err_code pmtiles_archive_read(pmtiles_archive *a, const pmtiles_tile_ref *ref, buf *out, err *e);

/* Every tile entry of the archive in tile-id order, leaf directories read as the walk reaches
 * them (each once, not cached): what a copy of the archive reads instead of finding each address.
 * Usage: pmtiles_walk w; pmtiles_walk_init(&w, a); while ((rc = pmtiles_walk_next(&w, &en, &done,
 * &e)) == ERR_OK && !done) ...; pmtiles_walk_free(&w) (always). Entries of a leaf that do not lie
 * within the range its parent gave it, or that go back in id, are ERR_INVALID naming the file. */
typedef struct pmtiles_walk {
  pmtiles_archive *a;
  int depth;                                     /* directories open: root is level 0 */
  const pmtiles_entry *dirs[PMTILES_LEAF_DEPTH + 1];
  size_t n[PMTILES_LEAF_DEPTH + 1], i[PMTILES_LEAF_DEPTH + 1];
  uint64_t next_id;                              /* ids below it were returned already */
} pmtiles_walk;

void pmtiles_walk_init(pmtiles_walk *w, pmtiles_archive *a);
/* The next tile entry into *out (its offset from the start of the file, as pmtiles_tile_ref has
 * it); *done at the end. */
err_code pmtiles_walk_next(pmtiles_walk *w, pmtiles_entry *out, bool *done, err *e);
void pmtiles_walk_free(pmtiles_walk *w);

#endif
