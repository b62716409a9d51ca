/* archives_mbtiles.c — an MBTiles 1.3 file served as an archive: its `metadata` rows read once
 * into the format-neutral info and TileJSON fields, its tiles read through store/mbtiles.h.
 *
 * One SQLite connection per archive, under a lock: a connection and its prepared statements
 * serve one thread at a time, and a tile is one probe of the tiles' unique index, so the lock is
 * held for the probe only. MBTiles says `format` is required; minzoom and maxzoom are taken
 * from the tiles when the metadata omits them, bounds default to the whole Web Mercator square,
 * the centre to the middle of the bounds at the lowest zoom. A value that is there but does not
 * parse stops the start, naming the file and the row. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archives/archives_int.h"

enum { META_JSON_MAX = 4 * 1024 * 1024 };

/* Up to n comma-separated finite numbers of text, all of it; returns how many, -1 if malformed. */
static int parse_numbers(const char *text, double *out, int n) {
  int k = 0;
  const char *p = text;
  while (k < n) {
    char *end;
    out[k] = strtod(p, &end);
    if (end == p || !isfinite(out[k])) return -1;
    k++;
    while (*end == ' ') end++;
    if (*end == '\0') return k;
    if (*end != ',') return -1;
    p = end + 1;
  }
  return -1;
}

typedef struct meta_ctx {
  const archive_source *src;
  archive_layer *l;
  err *e;
} meta_ctx;

/* The metadata row name, or NULL (absent); an error of the reader sets *rc. */
static char *meta(meta_ctx *m, const char *name, err_code *rc) {
  char *v = NULL;
  err re;
  if (*rc == ERR_OK && (*rc = store_mbtiles_meta_get(m->l->mb, name, &v, &re)) != ERR_OK)
    err_set(m->e, *rc, "archive '%s': %s: %s", m->src->name, m->src->path, re.msg);
  return v;
}

static err_code bad_row(meta_ctx *m, const char *row, const char *want) {
  return err_set(m->e, ERR_INVALID, "archive '%s': %s: metadata '%s' is not %s", m->src->name,
                 m->src->path, row, want);
}

/* format: pbf or png (jpg and webp are MBTiles formats this server does not serve). */
static err_code read_format(meta_ctx *m) {
  err_code rc = ERR_OK;
  char *f = meta(m, "format", &rc);
  if (rc == ERR_OK && (!f || (strcmp(f, "pbf") != 0 && strcmp(f, "png") != 0)))
    rc = bad_row(m, "format", "pbf or png (the tile kinds served)");
  if (rc == ERR_OK) {
    m->l->info.kind = strcmp(f, "png") == 0 ? ARCHIVE_PNG : ARCHIVE_VECTOR;
    json_object_set_new(m->l->metadata, "format", json_string(f));
  }
  free(f);
  return rc;
}

static err_code read_zooms(meta_ctx *m) {
  archive_info *i = &m->l->info;
  err_code rc = ERR_OK;
  char *lo = meta(m, "minzoom", &rc), *hi = meta(m, "maxzoom", &rc);
  double z[2];
  if (rc == ERR_OK && lo && hi) {
    if (parse_numbers(lo, &z[0], 1) != 1 || parse_numbers(hi, &z[1], 1) != 1 || z[0] < 0 ||
        z[1] > 30 || z[0] > z[1] || z[0] != floor(z[0]) || z[1] != floor(z[1]))
      rc = bad_row(m, "minzoom", "a zoom from 0 to 30 at most maxzoom (nor maxzoom)");
    else
      i->min_zoom = (unsigned)z[0], i->max_zoom = (unsigned)z[1];
  } else if (rc == ERR_OK) {
    bool found;
    err ze;
    rc = store_mbtiles_zooms(m->l->mb, &i->min_zoom, &i->max_zoom, &found, &ze);
    if (rc != ERR_OK)
      err_set(m->e, ERR_INVALID, "archive '%s': %s: %s", m->src->name, m->src->path, ze.msg);
    else if (!found)
      i->min_zoom = 0, i->max_zoom = 0;
  }
  free(lo);
  free(hi);
  return rc;
}

static err_code read_box(meta_ctx *m) {
  archive_info *i = &m->l->info;
  i->west = -180, i->south = -85.0511287798066, i->east = 180, i->north = 85.0511287798066;
  err_code rc = ERR_OK;
  char *b = meta(m, "bounds", &rc), *c = meta(m, "center", &rc);
  double v[4];
  if (rc == ERR_OK && b) {
    if (parse_numbers(b, v, 4) != 4 || v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90 ||
        v[0] > v[2] || v[1] > v[3])
      rc = bad_row(m, "bounds", "west,south,east,north in degrees");
    else
      i->west = v[0], i->south = v[1], i->east = v[2], i->north = v[3];
  }
  i->center_lon = (i->west + i->east) / 2, i->center_lat = (i->south + i->north) / 2;
  i->center_zoom = i->min_zoom;
  if (rc == ERR_OK && c) {
    if (parse_numbers(c, v, 3) != 3 || fabs(v[0]) > 180 || fabs(v[1]) > 90 || v[2] < 0 || v[2] > 30)
      rc = bad_row(m, "center", "longitude,latitude,zoom");
    else
      i->center_lon = v[0], i->center_lat = v[1], i->center_zoom = (unsigned)v[2];
  }
  free(b);
  free(c);
  return rc;
}

/* Text rows copied as they are, and vector_layers from the `json` row. */
static err_code read_fields(meta_ctx *m) {
  static const char *const TEXT[] = {"name", "description", "attribution", "version"};
  err_code rc = ERR_OK;
  for (size_t k = 0; k < sizeof TEXT / sizeof *TEXT && rc == ERR_OK; k++) {
    char *v = meta(m, TEXT[k], &rc);
    if (v) json_object_set_new(m->l->metadata, TEXT[k], json_string(v));
    free(v);
  }
  char *j = meta(m, "json", &rc);
  if (rc == ERR_OK && j) {
    json_error_t je;
    json_t *doc = strlen(j) <= META_JSON_MAX ? json_loads(j, 0, &je) : NULL;
    json_t *vl = json_object_get(doc, "vector_layers");
    if (!json_is_object(doc) || (vl && !json_is_array(vl)))
      rc = bad_row(m, "json", "a JSON object whose vector_layers is an array");
    else if (vl)
      json_object_set(m->l->metadata, "vector_layers", vl);
    json_decref(doc);
  }
  free(j);
  return rc;
}

err_code archives_mbtiles_open(const archive_source *src, archive_layer *l, err *e) {
  err re;
  if (store_mbtiles_open(src->path, &l->mb, &re) != ERR_OK)
    return err_set(e, ERR_INVALID, "archive '%s': %s", src->name, re.msg);
  if (pthread_mutex_init(&l->mb_lock, NULL) != 0) return err_set(e, ERR_NOMEM, "no mutex");
  l->has_lock = true;
  if (!(l->metadata = json_object())) return err_set(e, ERR_NOMEM, "out of memory");
  meta_ctx m = {src, l, e};
  err_code rc = read_format(&m);
  if (rc == ERR_OK) rc = read_zooms(&m);
  if (rc == ERR_OK) rc = read_box(&m);
  if (rc == ERR_OK) rc = read_fields(&m);
  return rc;
}

void archives_mbtiles_close(archive_layer *l) {
  store_mbtiles_reader_close(l->mb);
  l->mb = NULL;
  if (l->has_lock) pthread_mutex_destroy(&l->mb_lock);
  l->has_lock = false;
}

err_code archives_mbtiles_tile(const archive_layer *l, unsigned z, uint32_t x, uint32_t y,
                               buf *out, bool *found, err *e) {
  /* the lock is the archive's own mutable part: a const layer is shared, its connection is not */
  pthread_mutex_t *lock = (pthread_mutex_t *)&l->mb_lock;
  pthread_mutex_lock(lock);
  err re;
  err_code rc = store_mbtiles_tile(l->mb, z, x, y, out, found, &re);
  pthread_mutex_unlock(lock);
  if (rc != ERR_OK) err_set(e, rc == ERR_DB ? ERR_INVALID : rc, "%s: %s", l->path, re.msg);
  return rc == ERR_DB ? ERR_INVALID : rc;
}
