/* archives.c — the named archives a server answers for, their tiles and TileJSON (archives.h).
 *
 * Everything is decided at open: an archive the server could not answer for (an unreadable
 * file, a fault of its header, root or metadata, a compression it cannot undo) stops the start
 * with a message naming it, rather than failing tile by tile later. What can only be met later
 * (a leaf directory or a tile that is corrupt) is the caller's to log and answer. */
#include "archives/archives.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/gzip.h"

struct archive_layer {
  char *name;
  pmtiles_archive *file;
  json_t *metadata; /* the archive's metadata object */
  char etag[ARCHIVES_ETAG_MAX];
  uint64_t id_hash; /* of the file's identity, the prefix of every tile's tag */
};

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

static err_code open_one(const archive_source *src, archive_layer *l, err *e) {
  err fe;
  err_code rc = pmtiles_archive_open(src->path, &l->file, &fe);
  if (rc != ERR_OK) return err_set(e, rc, "archive '%s': %s", src->name, fe.msg);
  const pmtiles_header *h = pmtiles_archive_header(l->file);
  if (h->tile_compression != PMTILES_COMPRESSION_NONE && h->tile_compression != PMTILES_COMPRESSION_GZIP)
    return err_set(e, ERR_INVALID, "archive '%s': %s: tiles compressed with method %u (only none "
                   "and gzip are served)", src->name, src->path, h->tile_compression);
  size_t len;
  const char *text = pmtiles_archive_metadata(l->file, &len);
  json_error_t je;
  l->metadata = len ? json_loadb(text, len, 0, &je) : json_object();
  if (!json_is_object(l->metadata))
    return err_set(e, ERR_INVALID, "archive '%s': %s: the metadata is not a JSON object%s%s",
                   src->name, src->path, l->metadata ? "" : ": ", l->metadata ? "" : je.text);
  if (!(l->name = strdup(src->name))) return err_set(e, ERR_NOMEM, "out of memory");
  pmtiles_file_id id = pmtiles_archive_file_id(l->file);
  l->id_hash = identity_hash(&id);
  snprintf(l->etag, sizeof l->etag, "\"pm-%llx-%llx-%llx\"", (unsigned long long)id.size,
           (unsigned long long)id.mtime_ns, (unsigned long long)id.inode);
  return ERR_OK;
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
    pmtiles_archive_close(s->layers[i].file);
    json_decref(s->layers[i].metadata);
    free(s->layers[i].name);
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
const pmtiles_header *archive_layer_header(const archive_layer *l) {
  return pmtiles_archive_header(l->file);
}
pmtiles_archive *archive_layer_file(const archive_layer *l) { return l->file; }
const char *archive_layer_file_etag(const archive_layer *l) { return l->etag; }

const char *archive_layer_media_type(const archive_layer *l) {
  switch (archive_layer_header(l)->tile_type) {
    case PMTILES_TYPE_MVT: return "application/vnd.mapbox-vector-tile";
    case PMTILES_TYPE_PNG: return "image/png";
    case PMTILES_TYPE_JPEG: return "image/jpeg";
    case PMTILES_TYPE_WEBP: return "image/webp";
    case PMTILES_TYPE_AVIF: return "image/avif";
    default: return "application/octet-stream";
  }
}

err_code archives_tile(const archive_layer *l, unsigned z, uint32_t x, uint32_t y,
                       bool accept_gzip, buf *out, archive_tile *t, err *e) {
  const pmtiles_header *h = archive_layer_header(l);
  *t = (archive_tile){.status = ARCHIVE_TILE_OUTSIDE};
  if (z < h->min_zoom || z > h->max_zoom) return ERR_OK;
  pmtiles_tile_ref ref;
  err_code rc = pmtiles_archive_find(l->file, z, x, y, &ref, e);
  if (rc != ERR_OK) return rc;
  t->status = ref.found ? ARCHIVE_TILE_FOUND : ARCHIVE_TILE_ABSENT;
  if (!ref.found) return ERR_OK;
  bool stored_gzip = h->tile_compression == PMTILES_COMPRESSION_GZIP;
  t->gzip = stored_gzip && accept_gzip;
  /* The tag names the content (identical tiles share it) and its coding: a gzip body and the
   * inflated one are different representations (RFC 9110 §8.8.3). */
  snprintf(t->etag, sizeof t->etag, "\"pm-%016llx-%llx-%x%s\"", (unsigned long long)l->id_hash,
           (unsigned long long)ref.offset, ref.length, t->gzip ? "-gz" : "");
  if (!stored_gzip || t->gzip) return pmtiles_archive_read(l->file, &ref, out, e);
  buf raw;
  buf_init(&raw, 0);
  rc = pmtiles_archive_read(l->file, &ref, &raw, e);
  if (rc == ERR_OK) {
    err ze;
    rc = gzip_decompress(raw.data, raw.len, PMTILES_TILE_MAX, out, &ze);
    if (rc != ERR_OK)
      err_set(e, rc == ERR_NOMEM ? ERR_NOMEM : ERR_INVALID, "%s: tile %u/%u/%u: %s",
              pmtiles_archive_path(l->file), z, x, y, ze.msg);
    if (rc == ERR_LIMIT) rc = ERR_INVALID; /* a bomb is a fault of the file */
  }
  buf_free(&raw);
  return rc;
}

/* The metadata's value of key when it is a string, else NULL. */
static json_t *meta_string(const archive_layer *l, const char *key) {
  json_t *v = json_object_get(l->metadata, key);
  return json_is_string(v) ? json_incref(v) : NULL;
}

json_t *archives_tilejson(const archive_layer *l, const char *base_url) {
  const pmtiles_header *h = archive_layer_header(l);
  json_t *doc = json_pack("{s:s, s:s, s:s, s:[s+++], s:i, s:i, s:[f,f,f,f], s:[f,f,i]}",
                          "tilejson", "3.0.0", "name", l->name, "scheme", "xyz", "tiles", base_url,
                          "/tiles/", l->name, "/{z}/{x}/{y}.pbf", "minzoom", h->min_zoom,
                          "maxzoom", h->max_zoom, "bounds", h->min_lon_e7 / 1e7,
                          h->min_lat_e7 / 1e7, h->max_lon_e7 / 1e7, h->max_lat_e7 / 1e7,
                          "center", h->center_lon_e7 / 1e7, h->center_lat_e7 / 1e7,
                          (int)h->center_zoom);
  if (!doc) return NULL;
  static const char *const COPIED[] = {"name", "description", "attribution", "version"};
  for (size_t i = 0; i < sizeof COPIED / sizeof *COPIED; i++) {
    json_t *v = meta_string(l, COPIED[i]);
    if (v) json_object_set_new(doc, COPIED[i], v);
  }
  json_t *vl = json_object_get(l->metadata, "vector_layers");
  json_object_set(doc, "vector_layers", json_is_array(vl) ? vl : json_array());
  return doc;
}
