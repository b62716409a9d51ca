/* archives_int.h — the archives module's own pieces: an archive layer, whichever its format, and
 * the MBTiles source (archives_mbtiles.c). */
#ifndef TESELAS_ARCHIVES_INT_H
#define TESELAS_ARCHIVES_INT_H

#include <jansson.h>
#include <pthread.h>

#include "archives/archives.h"
#include "store/mbtiles.h"

struct archive_layer {
  char *name;
  char *path;               /* the file, as given: in the messages of faults met later */
  archive_format format;
  archive_info info;
  pmtiles_archive *pm;      /* ARCHIVE_PMTILES */
  mbtiles_reader *mb;       /* ARCHIVE_MBTILES: one connection, used under mb_lock */
  pthread_mutex_t mb_lock;
  bool has_lock;
  int fd;                   /* the file, for sending it (PMTiles: the archive's own) */
  uint64_t size;
  json_t *metadata;         /* TileJSON fields of the archive's metadata */
  char etag[ARCHIVES_ETAG_MAX];
  uint64_t id_hash;         /* of the file's identity, the prefix of every tile's tag */
};

/* Opens src as MBTiles into l (name, fd, size and identity are the caller's): the reader, its
 * lock, the info and metadata from the `metadata` table. Errors name the archive and the file. */
err_code archives_mbtiles_open(const archive_source *src, archive_layer *l, err *e);
void archives_mbtiles_close(archive_layer *l);
/* Appends the stored bytes of z/x/y to out; *found false when there are none. */
err_code archives_mbtiles_tile(const archive_layer *l, unsigned z, uint32_t x, uint32_t y,
                               buf *out, bool *found, err *e);

#endif
