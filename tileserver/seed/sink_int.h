/* sink_int.h — the archive a seed writes, PMTiles or MBTiles, behind one small interface. */
#ifndef TESELAS_SEED_SINK_INT_H
#define TESELAS_SEED_SINK_INT_H

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
/* Writes the metadata (seed_metadata's document) and completes the file. */
err_code seed_sink_finish(seed_sink *s, json_t *meta, seed_format format, err *e);
void seed_sink_counts(const seed_sink *s, uint64_t *n_contents);
void seed_sink_close(seed_sink *s);

#endif
