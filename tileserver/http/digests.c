/* digests.c — the size and SHA-256 of each layer version's whole downloads, for the catalogue's
 * dcat:byteSize and spdx:checksum: computed once per version and format by the usage thread
 * (usage_flush.c), in the background, by reading the very stream a client's download reads
 * (features_stream_open without arguments: the catalogue's downloadURL), and kept in the
 * database. The catalogue never waits: it says nothing of a download until its digest is kept.
 * The GeoJSON of a 1M-point layer takes seconds, so one digest at a time, checking the stop
 * flag between chunks.
 *
 * Only GeoJSON and CSV. A GeoPackage has the same bytes for one version (export/gpkg.c writes
 * the version's time, not the clock's), but GDAL writes the whole file before its first byte
 * can be read, and this thread could not stop during that write. A digest is kept only when the layer had the same version before and after the stream
 * was read, so it is the bytes of that version (versions only grow). */
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "features/features.h"
#include "http/digests.h"

static const features_format FORMATS[] = {FEATURES_GEOJSON, FEATURES_CSV};
enum { N_FORMATS = sizeof FORMATS / sizeof *FORMATS, CHUNK = 64 * 1024 };

/* Reads the whole download of (layer, f) into a digest; false when stopped or failed. */
static bool compute(const char *db_path, const char *layer, features_format f,
                    const atomic_bool *stop, store_digest *d) {
  features_stream *s = NULL;
  err e = {0};
  if (features_stream_open(&(features_download){db_path, layer, f, NULL, 0, NULL, 0}, &s, &e) !=
      ERR_OK) {
    log_warn("digest of %s.%s: %s", layer, features_format_ext(f), e.msg);
    return false;
  }
  char *chunk = malloc(CHUNK);
  struct sha256_ctx sha;
  sha256_init(&sha);
  long n = chunk ? 1 : -1;
  d->bytes = 0;
  while (n > 0 && !atomic_load(stop) && (n = features_stream_read(s, chunk, CHUNK)) > 0) {
    sha256_update(&sha, (size_t)n, (const uint8_t *)chunk);
    d->bytes += (uint64_t)n;
  }
  features_stream_close(s);
  free(chunk);
  if (n != 0) return false;
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&sha, sizeof digest, digest);
  for (size_t i = 0; i < sizeof digest; i++) snprintf(d->sha256 + 2 * i, 3, "%02x", digest[i]);
  return true;
}

static const layer_info *current(store_reader *r, const char *id) {
  const catalog *c = NULL;
  err e = {0};
  if (store_reader_catalog(r, &c, &e) != ERR_OK) return NULL;
  return catalog_find(c, id, strlen(id));
}

static bool failed_before(const digests *g, const char *key) {
  for (size_t i = 0; i < g->n_failed; i++)
    if (strcmp(g->failed[i], key) == 0) return true;
  return false;
}

bool digests_step(digests *g, const char *db_path, store_reader *r, store_usage_writer *w,
                  const atomic_bool *stop) {
  const catalog *c = NULL;
  err e = {0};
  if (store_reader_catalog(r, &c, &e) != ERR_OK) return false;
  for (size_t i = 0; i < c->n_layers && !atomic_load(stop); i++) {
    for (int k = 0; k < N_FORMATS; k++) {
      /* the catalog may reload below: keep what names the layer */
      char id[64], key[96];
      snprintf(id, sizeof id, "%s", c->layers[i].id);
      int64_t version = c->layers[i].version;
      store_digest d = {.layer = id, .version = version, .format = features_format_ext(FORMATS[k])};
      snprintf(key, sizeof key, "%s/%lld/%s", id, (long long)version, d.format);
      bool found = false;
      if (failed_before(g, key) || store_digest_get(r, &d, &found, &e) != ERR_OK || found)
        continue;
      bool ok = compute(db_path, id, FORMATS[k], stop, &d);
      const layer_info *now = current(r, id);
      if (ok && now && now->version == version && store_digest_put(w, &d, &e) != ERR_OK) {
        log_warn("digest of %s.%s not kept: %s", id, d.format, e.msg);
        ok = false;
      }
      /* a download that fails is not tried again by this server (the list is bounded: past it,
         a failing one is retried each minute) */
      if (!ok && !atomic_load(stop) && g->n_failed < DIGESTS_FAILED_MAX)
        snprintf(g->failed[g->n_failed++], sizeof g->failed[0], "%s", key);
      return true; /* one at a time: the caller checks the clock and the stop flag */
    }
  }
  return false;
}
