/* sink_int.h — the archive a seed writes, PMTiles or MBTiles, behind one small interface. */
#ifndef TESELAS_SEED_SINK_INT_H
#define TESELAS_SEED_SINK_INT_H

#include "archive/pmtiles_read.h"
#include "seed/seed_int.h"

struct pmtiles_writer;
struct mbtiles_writer;

typedef enum seed_sink_type { SEED_SINK_PMTILES, SEED_SINK_MBTILES } seed_sink_type;

typedef struct seed_sink {
  seed_sink_type type;
  struct pmtiles_writer *pm;
  struct mbtiles_writer *mb;
} seed_sink;

/* The kind from the file name: *.pmtiles or *.mbtiles, else ERR_INVALID. */
err_code seed_sink_kind(const char *out_path, seed_sink_type *out, err *e);
err_code seed_sink_open(seed_sink *s, seed_sink_type type, const char *path, err *e);
/* Tiles arrive in tile-id order. */
err_code seed_sink_add(seed_sink *s, const seed_slot *t, err *e);
/* The same bytes at n consecutive tile ids from tile_id on (n >= 1): as n calls of
 * seed_sink_add, in one step for PMTiles. */
err_code seed_sink_add_run(seed_sink *s, uint64_t tile_id, const buf *bytes, uint64_t n, err *e);
/* PMTiles: tiles added with a source offset (seed_sink_add_run's src_off) lie in the file fd (an
 * earlier archive, borrowed: open and unchanged until seed_sink_finish), copied from it into the
 * archive without being written twice. MBTiles: nothing. */
void seed_sink_copy_from(seed_sink *s, int fd);
/* As seed_sink_add_run, for bytes that lie at src_off of the seed_sink_copy_from file (src_off
 * < 0: nowhere known). */
err_code seed_sink_add_run_at(seed_sink *s, uint64_t tile_id, const buf *bytes, uint64_t n,
                              int64_t src_off, err *e);
/* MBTiles: copies, before any tile is added, the tiles of the earlier MBTiles file at old_path
 * at every address of range but the n_skip ids of skip (store_mbtiles_copy); *done false when
 * this sink or that file cannot (PMTiles, another layout): nothing copied, the caller copies tile
 * by tile. */
err_code seed_sink_copy(seed_sink *s, const char *old_path, const seed_range *range,
                        const uint64_t *skip, size_t n_skip, uint64_t *n_copied, bool *done,
                        err *e);
/* Writes the metadata (seed_metadata's document) and completes the file. */
err_code seed_sink_finish(seed_sink *s, json_t *meta, seed_format format, err *e);
void seed_sink_counts(const seed_sink *s, uint64_t *n_contents);
void seed_sink_close(seed_sink *s);

/* Checks o's request (layers or style, zooms, format) and the kind of its output. */
err_code seed_check_options(const seed_options *o, seed_sink_type *kind, err *e);
/* Writes the metadata (seed_metadata, seed_meta_record), completes and closes the sink, renames
 * partial over o->out_path and notes the archive's size and contents in res. */
err_code seed_sink_complete(seed_sink *sink, const seed_options *o, const seed_plan *p,
                            const double box[4], const char *partial, seed_result *res, err *e);

/* An earlier archive, read by an incremental seed: PMTiles or MBTiles. */
typedef struct seed_old {
  struct pmtiles_archive *pm;
  struct mbtiles_reader *mb;
  json_t *meta;   /* minzoom, maxzoom, bounds, format and teselas:seed, as seed_metadata wrote */
  buf ahead;      /* PMTiles: the data read ahead of the walk, from file offset ahead_off */
  buf alone;      /* a tile read alone (behind the walk, larger than a window, MBTiles) */
  struct seed_old_behind *behind; /* PMTiles: small tiles behind the walk, by offset (old.c) */
  uint64_t ahead_off;
  pmtiles_walk runs;  /* PMTiles: the entries read in order by seed_old_next_run */
  bool walking;
  struct seed_old_cell *cells; /* MBTiles read as runs (seed_old_index): its addresses by tile id */
  size_t n_cells, next_cell;
  bool indexed; /* cells is the MBTiles archive's whole index (it may hold no tile) */
} seed_old;

err_code seed_old_open(seed_old *o, const char *path, err *e);
/* The tile at z/x/y as stored into out (reset first); *found false when there is none. */
err_code seed_old_tile(seed_old *o, unsigned z, uint32_t x, uint32_t y, buf *out, bool *found,
                       err *e);
/* MBTiles: reads which content each address of range holds (one scan of its tile map, the
 * addresses kept in memory in tile-id order, at most SEED_OLD_MAX_CELLS of them), so that the
 * tiles can be read as runs; *out_ok false when they cannot (another layout, more addresses): the
 * caller reads them address by address. */
enum { SEED_OLD_MAX_CELLS = 1 << 21 };
err_code seed_old_index(seed_old *o, const seed_range *range, bool *out_ok, err *e);
/* Whether the archive's tiles can be read as runs (seed_old_next_run): PMTiles, or MBTiles after
 * seed_old_index. */
bool seed_old_has_runs(const seed_old *o);
/* The archive's next run of tiles in tile-id order: the ids tile_id .. tile_id+run_length-1 all
 * hold the bytes of *out, which lie at *src_off of the archive's file (seed_old_fd; -1 for
 * MBTiles); *done after the last. out's bytes are o's, valid until o is read again (they are
 * not copied: most runs go on to the writer untouched). */
typedef struct seed_old_bytes {
  const uint8_t *data;
  size_t len;
} seed_old_bytes;
err_code seed_old_next_run(seed_old *o, uint64_t *tile_id, uint64_t *run_length,
                           seed_old_bytes *out, int64_t *src_off, bool *done, err *e);
/* The PMTiles archive's descriptor (owned by o), or -1. */
int seed_old_fd(const seed_old *o);
void seed_old_close(seed_old *o);

#endif
