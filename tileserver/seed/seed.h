/* seed.h — `teselas seed`: every tile of some layers (or of a style, as PNG) over zooms and a box,
 * produced by the server's own code (tiles_serve, render_serve_image) on worker threads, written
 * in tile-id order to a PMTiles v3 or MBTiles 1.3 archive.
 *
 * The archive is written as FILE.partial-<pid> beside FILE and renamed over FILE only when
 * complete; on error or cancel the partial file is removed, so FILE is never half-written (a
 * `kill -9` leaves only the .partial file). */
#ifndef TESELAS_SEED_H
#define TESELAS_SEED_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

struct archive_source;

typedef enum seed_format { SEED_PBF = 0, SEED_PNG, SEED_PNG2X } seed_format;

typedef struct seed_options {
  const char *db_path;
  const char *layers;       /* "a,b": vector tiles of these layers (or NULL with style) */
  const char *style;        /* a style /styles offers: PNG tiles (or NULL with layers) */
  const char *styles_dir;   /* user styles, as serve --styles (NULL: built-in only) */
  int minzoom, maxzoom;
  bool has_bbox;
  double bbox[4];           /* W,S,E,N in CRS84; default: the union of the layers' bounds */
  const char *out_path;     /* *.pmtiles or *.mbtiles */
  seed_format format;
  int jobs;                 /* worker threads; <= 0: the cores */
  const char *name;         /* archive name in its metadata; default: the layers or the style */
  int progress;             /* 1 redrawn line (a terminal), 0 a line per 10 %, -1 nothing */
  FILE *log;                /* progress and summary (stderr) */
  volatile sig_atomic_t *cancel; /* set (by a signal handler) to stop; may be NULL */
  /* Incremental seeds: the archive an earlier seed wrote (its tiles are copied where no change
   * reaches), or the versions it was made from ("3" for one layer, "a=3,b=5"), the archive
   * being then out_path itself. With since, layers or style, format, zooms and box default to
   * the archive's and, when given, must be the archive's. */
  const char *since;
  const char *changes_path; /* with since: the URLs of the tiles that changed, one a line */
  /* PNG seeds: the archives a style's basemap sources name (mbtiles://NAME), as serve --archive */
  const struct archive_source *archives;
  size_t n_archives;
} seed_options;

typedef struct seed_result {
  uint64_t n_addresses;     /* tiles of the zooms within the box */
  uint64_t n_tiles;         /* written (empty vector tiles are not) */
  uint64_t n_contents;      /* distinct contents stored */
  uint64_t archive_bytes;
  double seconds;
  /* incremental seeds */
  uint64_t n_remade;        /* tiles made again (the addresses a change reaches) */
  uint64_t n_changed;       /* of those, tiles whose bytes differ from the archive's */
  uint64_t n_copied;        /* tiles copied from the archive */
  uint64_t n_urls;          /* lines of the changes file */
} seed_result;

/* Runs the seed. Errors: ERR_INVALID (bad zooms, box outside the layers or the world, a format
 * the output does not take), ERR_NOT_FOUND (unknown layer or style), ERR_IO (the output cannot be
 * written), ERR_LIMIT (cancelled), and those of the tile builders. */
err_code seed_run(const seed_options *o, seed_result *out, err *e);
/* The incremental seed seed_run does when o->since is set (incremental.c). Errors also:
 * ERR_NOT_FOUND naming a version the history no longer keeps, ERR_INVALID when the archive does
 * not say the versions it was made from (give them with since) or differs from the options. */
err_code seed_incremental_run(const seed_options *o, seed_result *out, err *e);

/* ---- tile ranges in PMTiles tile-id order (enum.c) ---- */

typedef struct seed_range {
  int minzoom, maxzoom;
  uint32_t x0[32], x1[32], y0[32], y1[32]; /* inclusive tile columns and rows per zoom */
} seed_range;

/* The tiles of box (W,S,E,N, latitudes clamped to Web Mercator's) at each zoom. */
void seed_range_init(seed_range *r, int minzoom, int maxzoom, const double box[4]);
uint64_t seed_range_count(const seed_range *r);

/* Walks the range's tiles zoom by zoom, each zoom along the Hilbert curve (increasing tile id),
 * visiting only quadrants that meet the range: O(tiles × zoom), no list held. */
typedef struct seed_iter {
  const seed_range *r;
  int z;                    /* zoom being walked */
  size_t n;                 /* stack depth */
  struct seed_iter_cell { uint8_t level, state; uint32_t x, y; uint64_t d; } stack[4 * 32 + 4];
  /* The curve's orientations (enum.c): child c of a cell in state s lies at offset quadrant[s][c]
   * (bit 0: x, bit 1: y) and is in state next[s][c]. */
  uint8_t quadrant[8][4], next[8][4];
} seed_iter;

void seed_iter_init(seed_iter *it, const seed_range *r);
/* Next tile; false at the end. */
bool seed_iter_next(seed_iter *it, unsigned *z, uint32_t *x, uint32_t *y, uint64_t *tile_id);

#endif
