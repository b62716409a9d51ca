/* h_archives.c — tile archives served by `serve --archive name=FILE`: the file itself at
 * /archives/{name}.pmtiles (for PMTiles clients, which read it with range requests) or
 * /archives/{name}.mbtiles (for offline use), and its tiles and TileJSON at the addresses of a
 * layer, /tiles/{name}/{z}/{x}/{y}.pbf (vector archives) or .png (PNG archives) and
 * /tiles/{name}.json (h_tile and h_tilejson hand an archive's name over to these).
 *
 * The file is sent from its descriptor (a dup of the archive's, closed with the response), never
 * copied into memory. One range is honoured (206); several, or a Range that does not parse, get
 * the whole file (200; http/range.h says why); If-Range with any value but the file's strong
 * ETag gets the whole file too (RFC 9110 §13.1.5: a date is never a strong validator here, as
 * no Last-Modified is sent). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "http/handlers.h"
#include "http/range.h"
#include "http/services.h"

/* Headers a page on another origin must be allowed to read to use ranges (fetch hides others). */
static const char EXPOSED[] = "ETag, Content-Range, Content-Length, Accept-Ranges";

static const archive_layer *find_archive(const http_request *req, str_view name) {
  return archives_find(req->services->archives, name.s, name.len);
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* GET /archives/{name}.pmtiles and /archives/{name}.mbtiles: each archive by its own format. */
void h_archive_file(http_request *req, http_response *resp) {
  const archive_layer *l = find_archive(req, req->params[0]);
  bool mbtiles = ends_with(req->path, ".mbtiles");
  if (!l || mbtiles != (archive_layer_format(l) == ARCHIVE_MBTILES)) {
    http_error(resp, ERR_NOT_FOUND, "no such archive (/styles and /collections list the layers)");
    return;
  }
  uint64_t size = archive_layer_file_size(l), off = 0, len = size;
  const char *etag = archive_layer_file_etag(l);
  http_header_add(resp, "Accept-Ranges", "bytes");
  http_header_add(resp, "Access-Control-Expose-Headers", EXPOSED);
  http_header_add(resp, "Cache-Control", req->config->cache_control);
  bool not_modified = http_etag_check(req, resp, etag);
  http_range_kind k = http_range_parse(req->range, size, &off, &len);
  if (k != HTTP_RANGE_WHOLE && req->if_range[0] && strcmp(req->if_range, etag) != 0) {
    k = HTTP_RANGE_WHOLE, off = 0, len = size;
  }
  if (not_modified) k = HTTP_RANGE_WHOLE, off = 0, len = size;
  if (k == HTTP_RANGE_UNSATISFIABLE) {
    http_error(resp, ERR_INVALID, "the range is outside the file (%llu bytes)",
               (unsigned long long)size);
    resp->status = 416;
    http_header_add(resp, "Content-Range", arena_sprintf(req->arena, "bytes */%llu",
                                                         (unsigned long long)size));
    return;
  }
  int fd = fcntl(archive_layer_fd(l), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) {
    http_error(resp, ERR_IO, "the archive cannot be read now");
    log_error("archive '%s': dup: %m", archive_layer_name(l));
    return;
  }
  http_body_file_set(resp, fd, off, len);
  resp->content_type = mbtiles ? "application/vnd.sqlite3" : "application/vnd.pmtiles";
  if (not_modified) {
    http_not_modified(resp);
  } else if (k == HTTP_RANGE_PART) {
    resp->status = 206;
    http_header_add(resp, "Content-Range",
                    arena_sprintf(req->arena, "bytes %llu-%llu/%llu", (unsigned long long)off,
                                  (unsigned long long)(off + len - 1), (unsigned long long)size));
  } else {
    resp->status = 200;
  }
}

/* A tile address z/x/y inside the Web Mercator pyramid (zoom at most PMTILES_MAX_ZOOM). */
static bool parse_address(http_request *req, http_response *resp, unsigned *z, uint32_t *x,
                          uint32_t *y) {
  int64_t zi, xi, yi;
  if (!http_parse_index(req->params[1], &zi) || !http_parse_index(req->params[2], &xi) ||
      !http_parse_index(req->params[3], &yi) || zi > PMTILES_MAX_ZOOM ||
      xi >= (int64_t)1 << zi || yi >= (int64_t)1 << zi) {
    http_error(resp, ERR_INVALID, "tile address must be z/x/y with z <= %d and x, y < 2^z",
               PMTILES_MAX_ZOOM);
    return false;
  }
  *z = (unsigned)zi, *x = (uint32_t)xi, *y = (uint32_t)yi;
  return true;
}

/* Only `v` (the versions TileJSON puts in layers' URLs) may come with an archive's tile: an
 * archive has no fields to filter on. */
static bool no_filter(const http_request *req, http_response *resp) {
  for (size_t i = 0; i < req->n_args; i++) {
    if (strcmp(req->args[i].key, "v") == 0) continue;
    http_error(resp, ERR_INVALID, "an archive's tiles take no filter parameters");
    return false;
  }
  return true;
}

/* An archive's tile at the extension of its kind (.pbf/.mvt or .png); the other is a 404. */
static void serve_archive_tile(http_request *req, http_response *resp, const archive_layer *l,
                               archive_kind want) {
  if (archive_layer_info(l)->kind != want) {
    http_error(resp, ERR_NOT_FOUND, "this archive's tiles end in .%s", archive_layer_tile_ext(l));
    return;
  }
  unsigned z;
  uint32_t x, y;
  if (!parse_address(req, resp, &z, &x, &y) || !no_filter(req, resp)) return;
  archive_tile t;
  err e;
  err_clear(&e);
  err_code rc = archives_tile(l, z, x, y, http_accepts_gzip(req), &resp->body, &t, &e);
  if (rc == ERR_INVALID || rc == ERR_IO) {
    /* a fault of the file met only now (a leaf directory, a tile's gzip): logged for the
     * operator; the client is told the tile is not there, which is what it can act on */
    log_error("archive '%s': %s", archive_layer_name(l), e.msg);
    http_error(resp, ERR_NOT_FOUND, "the archive has no readable tile at this address");
    return;
  }
  if (rc != ERR_OK) {
    http_error(resp, rc, "%s", rc == ERR_LIMIT ? "this tile is too large" : "out of memory");
    return;
  }
  const archive_info *info = archive_layer_info(l);
  if (t.status == ARCHIVE_TILE_OUTSIDE) {
    http_error(resp, ERR_NOT_FOUND, "the archive has zooms %u to %u", info->min_zoom,
               info->max_zoom);
    return;
  }
  http_header_add(resp, "Cache-Control", req->config->cache_control);
  if (t.status == ARCHIVE_TILE_FOUND &&
      http_etag_check(req, resp, arena_strdup(req->arena, t.etag))) {
    http_not_modified(resp);
    return;
  }
  resp->status = resp->body.len ? 200 : 204;
  resp->content_type = archive_layer_media_type(l);
  resp->precompressed = t.gzip && resp->body.len;
}

bool h_archive_tile(http_request *req, http_response *resp) {
  const archive_layer *l = find_archive(req, req->params[0]);
  if (!l) return false;
  serve_archive_tile(req, resp, l, ARCHIVE_VECTOR);
  return true;
}

/* GET /tiles/{name}/{z}/{x}/{y}.png: the tiles of a PNG archive, byte for byte. */
void h_archive_png(http_request *req, http_response *resp) {
  const archive_layer *l = find_archive(req, req->params[0]);
  if (!l) {
    http_error(resp, ERR_NOT_FOUND, "no such archive (PNG tiles of layers and styles are "
               "/styles/{style}/{z}/{x}/{y}.png)");
    return;
  }
  serve_archive_tile(req, resp, l, ARCHIVE_PNG);
}

bool h_archive_tilejson(http_request *req, http_response *resp) {
  const archive_layer *l = find_archive(req, req->params[0]);
  if (!l) return false;
  if (!no_filter(req, resp)) return true;
  http_header_add(resp, "Cache-Control", "no-cache");
  http_send_json(resp, archives_tilejson(l, req->base_url));
  return true;
}
