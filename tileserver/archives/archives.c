/* archives.c — the named archives a server answers for, their tiles and TileJSON (archives.h).
 *
 * Everything is decided at open: an archive the server could not answer for (an unreadable
 * file, a fault of its header, root or metadata, a compression it cannot undo, tiles of a kind it
 * does not serve) stops the start with a message naming it, rather than failing tile by tile
 * later. What can only be met later (a leaf directory or a tile that is corrupt) is the caller's
 * to log and answer. The format is told by the file's first bytes, not its name. */
#include "archives/archives_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/gzip.h"
#include "core/hash.h"

struct archive_set {
  archive_layer layers[ARCHIVES_MAX];
  size_t n;
};

/* FNV-1a over the identity's fields: a new file (or a rewritten one) gets new tags. */
static uint64_t identity_hash(const pmtiles_file_id *id) {
  const uint64_t v[4] = {id->size, id->inode, id->device, (uint64_t)id->mtime_ns};
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < 4; i++)
    for (int b = 0; b < 8; b++) h = (h ^ (uint8_t)(v[i] >> (8 * b))) * 1099511628211ull;
  return h;
}

static void set_identity(archive_layer *l, const pmtiles_file_id *id) {
  l->size = id->size;
  l->id_hash = identity_hash(id);
  snprintf(l->etag, sizeof l->etag, "\"%s-%llx-%llx-%llx\"",
           l->format == ARCHIVE_PMTILES ? "pm" : "mb", (unsigned long long)id->size,
           (unsigned long long)id->mtime_ns, (unsigned long long)id->inode);
}

static err_code open_pmtiles(const archive_source *src, archive_layer *l, err *e) {
  err fe;
  err_code rc = pmtiles_archive_open(src->path, &l->pm, &fe);
  if (rc != ERR_OK) return err_set(e, rc, "archive '%s': %s", src->name, fe.msg);
  const pmtiles_header *h = pmtiles_archive_header(l->pm);
  if (h->tile_compression != PMTILES_COMPRESSION_NONE && h->tile_compression != PMTILES_COMPRESSION_GZIP)
    return err_set(e, ERR_INVALID, "archive '%s': %s: tiles compressed with method %u (only none "
                   "and gzip are served)", src->name, src->path, h->tile_compression);
  if (h->tile_type != PMTILES_TYPE_MVT && h->tile_type != PMTILES_TYPE_PNG)
    return err_set(e, ERR_INVALID, "archive '%s': %s: tiles of type %u (vector tiles and PNG are "
                   "served)", src->name, src->path, h->tile_type);
  size_t len;
  const char *text = pmtiles_archive_metadata(l->pm, &len);
  json_error_t je;
  l->metadata = len ? json_loadb(text, len, 0, &je) : json_object();
  if (!json_is_object(l->metadata))
    return err_set(e, ERR_INVALID, "archive '%s': %s: the metadata is not a JSON object%s%s",
                   src->name, src->path, l->metadata ? "" : ": ", l->metadata ? "" : je.text);
  l->info = (archive_info){
      .kind = h->tile_type == PMTILES_TYPE_PNG ? ARCHIVE_PNG : ARCHIVE_VECTOR,
      .min_zoom = h->min_zoom, .max_zoom = h->max_zoom, .center_zoom = h->center_zoom,
      .west = h->min_lon_e7 / 1e7, .south = h->min_lat_e7 / 1e7, .east = h->max_lon_e7 / 1e7,
      .north = h->max_lat_e7 / 1e7, .center_lon = h->center_lon_e7 / 1e7,
      .center_lat = h->center_lat_e7 / 1e7};
  l->fd = pmtiles_archive_fd(l->pm);
  pmtiles_file_id id = pmtiles_archive_file_id(l->pm);
  set_identity(l, &id);
  return ERR_OK;
}

/* MBTiles: the reader is opened by name; the descriptor kept for sending the file is opened
 * first, so the identity in the ETags is that of the file the reader reads. */
static err_code open_mbtiles(const archive_source *src, archive_layer *l, int fd, err *e) {
  struct stat st;
  if (fstat(fd, &st) != 0)
    return err_set(e, ERR_IO, "archive '%s': %s: cannot read it", src->name, src->path);
  l->fd = fd;
  pmtiles_file_id id = {(uint64_t)st.st_size, (uint64_t)st.st_ino, (uint64_t)st.st_dev,
                        (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec};
  set_identity(l, &id);
  return archives_mbtiles_open(src, l, e);
}

/* The format from the file's first 16 bytes: "PMTiles" (spec §3) or SQLite's magic. */
static err_code open_one(const archive_source *src, archive_layer *l, err *e) {
  if (!(l->name = strdup(src->name)) || !(l->path = strdup(src->path)))
    return err_set(e, ERR_NOMEM, "out of memory");
  l->fd = -1;
  int fd = open(src->path, O_RDONLY | O_CLOEXEC);
  char magic[16] = {0};
  if (fd < 0 || pread(fd, magic, sizeof magic, 0) < 0) {
    err_set(e, ERR_IO, "archive '%s': cannot open %s: %s", src->name, src->path, strerror(errno));
    if (fd >= 0) close(fd);
    return ERR_IO;
  }
  if (memcmp(magic, "SQLite format 3", 16) == 0) {
    l->format = ARCHIVE_MBTILES;
    return open_mbtiles(src, l, fd, e);
  }
  close(fd);
  l->format = ARCHIVE_PMTILES;
  return open_pmtiles(src, l, e);
}

err_code archives_open(const archive_source *sources, size_t n, archive_set **out, err *e) {
  *out = NULL;
  if (n > ARCHIVES_MAX) return err_set(e, ERR_LIMIT, "at most %d archives are served", ARCHIVES_MAX);
  archive_set *s = calloc(1, sizeof *s);
  if (!s) return err_set(e, ERR_NOMEM, "out of memory");
  err_code rc = ERR_OK;
  for (size_t i = 0; i < n && rc == ERR_OK; i++) {
    if (archives_find(s, sources[i].name, strlen(sources[i].name)))
      rc = err_set(e, ERR_INVALID, "archive '%s' is named twice", sources[i].name);
    else
      rc = open_one(&sources[i], &s->layers[s->n++], e);
  }
  if (rc != ERR_OK) {
    archives_close(s);
    return rc;
  }
  *out = s;
  return ERR_OK;
}

void archives_close(archive_set *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n; i++) {
    archive_layer *l = &s->layers[i];
    if (l->format == ARCHIVE_MBTILES) {
      archives_mbtiles_close(l);
      if (l->fd >= 0) close(l->fd);
    }
    pmtiles_archive_close(l->pm); /* its descriptor is l->fd */
    json_decref(l->metadata);
    free(l->name);
    free(l->path);
  }
  free(s);
}

size_t archives_count(const archive_set *s) { return s ? s->n : 0; }
const archive_layer *archives_at(const archive_set *s, size_t i) {
  return s && i < s->n ? &s->layers[i] : NULL;
}

const archive_layer *archives_find(const archive_set *s, const char *name, size_t len) {
  for (size_t i = 0; s && i < s->n; i++) {
    const char *k = s->layers[i].name;
    if (k && strlen(k) == len && memcmp(k, name, len) == 0) return &s->layers[i];
  }
  return NULL;
}

const char *archive_layer_name(const archive_layer *l) { return l->name; }
archive_format archive_layer_format(const archive_layer *l) { return l->format; }
const archive_info *archive_layer_info(const archive_layer *l) { return &l->info; }
int archive_layer_fd(const archive_layer *l) { return l->fd; }
uint64_t archive_layer_file_size(const archive_layer *l) { return l->size; }
const char *archive_layer_file_etag(const archive_layer *l) { return l->etag; }
json_t *archive_layer_metadata(const archive_layer *l) { return l->metadata; }

const char *archive_layer_media_type(const archive_layer *l) {
  return l->info.kind == ARCHIVE_PNG ? "image/png" : "application/vnd.mapbox-vector-tile";
}
const char *archive_layer_tile_ext(const archive_layer *l) {
  return l->info.kind == ARCHIVE_PNG ? "png" : "pbf";
}

/* The stored bytes of z/x/y into raw, and whether there are any; PMTiles tags name the tile's
 * place in the file (identical tiles share it), MBTiles tags a hash of its bytes. */
static err_code stored_tile(const archive_layer *l, unsigned z, uint32_t x, uint32_t y, buf *raw,
                            bool *found, uint64_t *tag, err *e) {
  if (l->format == ARCHIVE_MBTILES) {
    err_code rc = archives_mbtiles_tile(l, z, x, y, raw, found, e);
    *tag = *found ? hash_fnv64(HASH_FNV64_SEED, raw->data, raw->len) ^ raw->len : 0;
    return rc;
  }
  pmtiles_tile_ref ref;
  err_code rc = pmtiles_archive_find(l->pm, z, x, y, &ref, e);
  *found = rc == ERR_OK && ref.found;
  if (!*found) return rc;
  *tag = hash_mix64(ref.offset) ^ ref.length;
  return pmtiles_archive_read(l->pm, &ref, raw, e);
}

err_code archives_tile(const archive_layer *l, unsigned z, uint32_t x, uint32_t y,
                       bool accept_gzip, buf *out, archive_tile *t, err *e) {
  *t = (archive_tile){.status = ARCHIVE_TILE_OUTSIDE};
  if (z < l->info.min_zoom || z > l->info.max_zoom) return ERR_OK;
  buf raw;
  buf_init(&raw, ARCHIVES_TILE_MAX);
  bool found = false;
  uint64_t tag = 0;
  err_code rc = stored_tile(l, z, x, y, &raw, &found, &tag, e);
  t->status = found ? ARCHIVE_TILE_FOUND : ARCHIVE_TILE_ABSENT;
  if (rc != ERR_OK || !found) goto done;
  /* gzip by its magic: MBTiles writers differ, and PMTiles says it in the header for all tiles */
  bool stored_gzip = raw.len >= 2 && (uint8_t)raw.data[0] == 0x1f && (uint8_t)raw.data[1] == 0x8b;
  t->gzip = stored_gzip && accept_gzip;
  /* The tag names the content and its coding: a gzip body and the inflated one are different
   * representations (RFC 9110 §8.8.3). */
  snprintf(t->etag, sizeof t->etag, "\"%s-%016llx-%016llx%s\"",
           l->format == ARCHIVE_PMTILES ? "pm" : "mb", (unsigned long long)l->id_hash,
           (unsigned long long)tag, t->gzip ? "-gz" : "");
  if (!stored_gzip || t->gzip) {
    if (!buf_append(out, raw.data, raw.len))
      rc = err_set(e, out->over_limit ? ERR_LIMIT : ERR_NOMEM, "tile too large");
    goto done;
  }
  err ze;
  rc = gzip_decompress(raw.data, raw.len, ARCHIVES_TILE_MAX, out, &ze);
  if (rc != ERR_OK)
    err_set(e, rc == ERR_NOMEM ? ERR_NOMEM : ERR_INVALID, "%s: tile %u/%u/%u: %s", l->path, z, x,
            y, ze.msg);
  if (rc == ERR_LIMIT) rc = ERR_INVALID; /* a bomb is a fault of the file */
done:
  buf_free(&raw);
  return rc;
}

/* The metadata's value of key when it is a string, else NULL. */
static json_t *meta_string(const archive_layer *l, const char *key) {
  json_t *v = json_object_get(l->metadata, key);
  return json_is_string(v) ? json_incref(v) : NULL;
}

json_t *archives_tilejson(const archive_layer *l, const char *base_url) {
  const archive_info *i = &l->info;
  const char *ext = archive_layer_tile_ext(l);
  json_t *doc = json_pack("{s:s, s:s, s:s, s:[s+++++], s:i, s:i, s:[f,f,f,f], s:[f,f,i], s:s}",
                          "tilejson", "3.0.0", "name", l->name, "scheme", "xyz", "tiles", base_url,
                          "/tiles/", l->name, "/{z}/{x}/{y}", ".", ext, "minzoom", i->min_zoom,
                          "maxzoom", i->max_zoom, "bounds", i->west, i->south, i->east, i->north,
                          "center", i->center_lon, i->center_lat, (int)i->center_zoom, "format",
                          ext);
  if (!doc) return NULL;
  static const char *const COPIED[] = {"name", "description", "attribution", "version"};
  for (size_t k = 0; k < sizeof COPIED / sizeof *COPIED; k++) {
    json_t *v = meta_string(l, COPIED[k]);
    if (v) json_object_set_new(doc, COPIED[k], v);
  }
  if (i->kind == ARCHIVE_VECTOR) {
    json_t *vl = json_object_get(l->metadata, "vector_layers");
    json_object_set_new(doc, "vector_layers", json_is_array(vl) ? json_incref(vl) : json_array());
  }
  return doc;
}
