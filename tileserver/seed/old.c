/* old.c — the archive an incremental seed starts from, PMTiles or MBTiles, read through one
 * interface: its metadata as seed_metadata wrote it (MBTiles keeps it as text rows, rebuilt here
 * into the same JSON fields) and its tiles as stored (gzip'd vector tiles stay gzip'd, so a tile
 * no change reaches is copied without being decoded). A PMTiles archive is read ahead in
 * windows of 256 KiB (as the writer's buffer, for its page faults): the walk asks for its tiles in tile-id
 * order, the order a clustered archive stores them in, so one read serves hundreds of tiles (a
 * read per tile: 139 ms of CPU against 130 for an
 * incremental seed of 120,000 addresses). An MBTiles archive written into PMTiles is read as
 * runs too, from its tile map read in one scan per zoom and sorted by tile id (seed_old_index):
 * a query per address was most of such a seed. The archive is not mapped: a file shortened by
 * another process meanwhile (a copy over it) would kill the seed with SIGBUS, where a read gives
 * an error naming the file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive/pmtiles.h"
#include "archive/pmtiles_read.h"
#include "seed/sink_int.h"
#include "store/mbtiles.h"

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* MBTiles' metadata rows back into seed_metadata's fields. */
static err_code mbtiles_meta(seed_old *o, err *e) {
  static const char *const KEYS[] = {"minzoom", "maxzoom", "bounds", "format", "teselas:seed"};
  o->meta = json_object();
  if (!o->meta) return err_set(e, ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < sizeof KEYS / sizeof *KEYS; i++) {
    char *v = NULL;
    err_code rc = store_mbtiles_meta_get(o->mb, KEYS[i], &v, e);
    if (rc != ERR_OK) return rc;
    if (!v) continue;
    json_t *j = NULL;
    if (i < 2) j = json_integer(atoi(v));
    else if (i == 2) {
      double b[4];
      if (sscanf(v, "%lf,%lf,%lf,%lf", &b[0], &b[1], &b[2], &b[3]) == 4)
        j = json_pack("[f,f,f,f]", b[0], b[1], b[2], b[3]);
    } else if (i == 3) j = json_string(v);
    else j = json_loads(v, 0, NULL);
    free(v);
    if (j) json_object_set_new(o->meta, KEYS[i], j);
  }
  return ERR_OK;
}

enum { READ_AHEAD = 1 << 18 };

err_code seed_old_open(seed_old *o, const char *path, err *e) {
  memset(o, 0, sizeof *o);
  buf_init(&o->ahead, 0);
  buf_init(&o->alone, 0);
  if (ends_with(path, ".mbtiles")) {
    err_code rc = store_mbtiles_open(path, &o->mb, e);
    return rc == ERR_OK ? mbtiles_meta(o, e) : rc;
  }
  if (!ends_with(path, ".pmtiles"))
    return err_set(e, ERR_INVALID, "--since: %s is neither a .pmtiles nor an .mbtiles archive",
                   path);
  err_code rc = pmtiles_archive_open(path, &o->pm, e);
  if (rc != ERR_OK) return rc;
  size_t n;
  const char *text = pmtiles_archive_metadata(o->pm, &n);
  o->meta = json_loadb(text, n, 0, NULL);
  if (!json_is_object(o->meta))
    return err_set(e, ERR_INVALID, "%s: its metadata is not a JSON object", path);
  return ERR_OK;
}

/* Small tiles behind the walk, kept by offset: a content stored once for many addresses (the
 * empty sea, a park's fill) is read again at each of its runs, 423 reads of the earlier archive
 * in bench/seed/incremental.sh for 18 windows, and a writer deduplicates only small contents, so
 * a content behind is small. Direct-mapped: a slot holds the last tile of its offset's hash. */
enum { BEHIND_SLOTS = 64, BEHIND_MAX_LEN = 2048 };
typedef struct seed_old_behind {
  uint64_t offset[BEHIND_SLOTS];
  uint32_t length[BEHIND_SLOTS]; /* 0: empty */
  uint8_t bytes[BEHIND_SLOTS][BEHIND_MAX_LEN];
} seed_old_behind;

/* A small tile behind the walk from the cache, read into it when it is not there. */
static err_code read_behind(seed_old *o, const pmtiles_tile_ref *ref, const uint8_t **out, err *e) {
  if (!o->behind && !(o->behind = calloc(1, sizeof *o->behind)))
    return err_set(e, ERR_NOMEM, "out of memory");
  seed_old_behind *b = o->behind;
  size_t i = (size_t)((ref->offset * 0x9e3779b97f4a7c15ull) >> 58); /* 6 bits: BEHIND_SLOTS */
  if (b->length[i] != ref->length || b->offset[i] != ref->offset) {
    b->length[i] = 0;
    ssize_t r;
    size_t done = 0;
    while (done < ref->length) {
      r = pread(pmtiles_archive_fd(o->pm), b->bytes[i] + done, ref->length - done,
                (off_t)(ref->offset + done));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0)
        return err_set(e, ERR_IO, "%s: cannot read: %s", pmtiles_archive_path(o->pm),
                       r < 0 ? strerror(errno) : "the file is shorter than when it was opened");
      done += (size_t)r;
    }
    b->offset[i] = ref->offset;
    b->length[i] = ref->length;
  }
  *out = b->bytes[i];
  return ERR_OK;
}

/* The tile's bytes (*out, o's until it reads again) from the window read ahead, reading the next
 * window when it is not there. */
static err_code read_view(seed_old *o, const pmtiles_tile_ref *ref, const uint8_t **out, err *e) {
  bool behind = o->ahead.len && ref->offset < o->ahead_off;
  if (behind && ref->length && ref->length <= BEHIND_MAX_LEN) return read_behind(o, ref, out, e);
  /* a tile larger than a window, or a large one behind: read alone */
  if (ref->length > READ_AHEAD || behind) {
    buf_reset(&o->alone);
    *out = NULL;
    err_code rc = pmtiles_archive_read(o->pm, ref, &o->alone, e);
    *out = o->alone.data;
    return rc;
  }
  uint64_t end = ref->offset + ref->length;
  if (end > o->ahead_off + o->ahead.len) {
    buf_reset(&o->ahead);
    if (!buf_reserve(&o->ahead, READ_AHEAD)) return err_set(e, ERR_NOMEM, "out of memory");
    o->ahead_off = ref->offset;
    int fd = pmtiles_archive_fd(o->pm);
    while (o->ahead.len < READ_AHEAD) {
      ssize_t r = pread(fd, o->ahead.data + o->ahead.len, READ_AHEAD - o->ahead.len,
                        (off_t)(o->ahead_off + o->ahead.len));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0)
        return err_set(e, ERR_IO, "%s: cannot read: %s", pmtiles_archive_path(o->pm),
                       strerror(errno));
      if (r == 0) break;
      o->ahead.len += (size_t)r;
    }
    if (end > o->ahead_off + o->ahead.len)
      return err_set(e, ERR_IO, "%s: the file is shorter than when it was opened",
                     pmtiles_archive_path(o->pm));
  }
  *out = o->ahead.data + (ref->offset - o->ahead_off);
  return ERR_OK;
}

/* The tile's bytes appended to out. */
static err_code read_ahead(seed_old *o, const pmtiles_tile_ref *ref, buf *out, err *e) {
  const uint8_t *p;
  err_code rc = read_view(o, ref, &p, e);
  if (rc != ERR_OK) return rc;
  return buf_append(out, p, ref->length) ? ERR_OK : err_set(e, ERR_NOMEM, "out of memory");
}

err_code seed_old_tile(seed_old *o, unsigned z, uint32_t x, uint32_t y, buf *out, bool *found,
                       err *e) {
  buf_reset(out);
  *found = false;
  if (o->mb) return store_mbtiles_tile(o->mb, z, x, y, out, found, e);
  pmtiles_tile_ref ref;
  err_code rc = pmtiles_archive_find(o->pm, z, x, y, &ref, e);
  if (rc != ERR_OK || !ref.found) return rc;
  *found = true;
  return read_ahead(o, &ref, out, e);
}

/* An MBTiles address by tile id, and its content's key. */
typedef struct seed_old_cell {
  uint64_t tile_id;
  int64_t content;
} seed_old_cell;

typedef struct cells_ctx {
  seed_old *o;
  size_t cap;
  bool nomem;
} cells_ctx;

static int add_cell(void *ctx, const mbtiles_cell *c) {
  cells_ctx *k = ctx;
  seed_old *o = k->o;
  uint64_t id;
  if (!pmtiles_zxy_to_id(c->z, c->x, c->y, &id)) return 0; /* past the last zoom: not ours */
  if (o->n_cells == k->cap) {
    if (k->cap == SEED_OLD_MAX_CELLS) return 1;
    size_t cap = k->cap ? k->cap * 2 : 1024;
    seed_old_cell *v = realloc(o->cells, cap * sizeof *v);
    if (!v) {
      k->nomem = true;
      return 1;
    }
    o->cells = v;
    k->cap = cap;
  }
  o->cells[o->n_cells++] = (seed_old_cell){id, c->content};
  return 0;
}

static int by_id(const void *a, const void *b) {
  uint64_t x = ((const seed_old_cell *)a)->tile_id, y = ((const seed_old_cell *)b)->tile_id;
  return x < y ? -1 : x > y;
}

err_code seed_old_index(seed_old *o, const seed_range *range, bool *out_ok, err *e) {
  *out_ok = false;
  if (!o->mb) return ERR_OK;
  mbtiles_span spans[32];
  size_t n_spans = 0;
  for (int z = range->minzoom; z <= range->maxzoom && z < 32; z++)
    spans[n_spans++] = (mbtiles_span){(unsigned)z, range->x0[z], range->x1[z], range->y0[z],
                                      range->y1[z]};
  cells_ctx k = {o, 0, false};
  bool done = false;
  err_code rc = store_mbtiles_cells(o->mb, spans, n_spans, add_cell, &k, &done, e);
  if (rc == ERR_OK && k.nomem) rc = err_set(e, ERR_NOMEM, "out of memory");
  if (rc != ERR_OK || !done) {
    free(o->cells);
    o->cells = NULL;
    o->n_cells = 0;
    return rc;
  }
  qsort(o->cells, o->n_cells, sizeof *o->cells, by_id);
  for (size_t i = 1; i < o->n_cells; i++) /* one tile per address, or the walk decides */
    if (o->cells[i].tile_id == o->cells[i - 1].tile_id) {
      free(o->cells);
      o->cells = NULL;
      o->n_cells = 0;
      return ERR_OK;
    }
  o->next_cell = 0;
  o->indexed = true;
  *out_ok = true;
  return ERR_OK;
}

bool seed_old_has_runs(const seed_old *o) { return o->pm != NULL || o->indexed; }

/* The next run of the MBTiles index: consecutive tile ids holding one content. */
static err_code next_cell_run(seed_old *o, uint64_t *tile_id, uint64_t *run_length,
                              seed_old_bytes *out, bool *done, err *e) {
  *done = o->next_cell >= o->n_cells;
  if (*done) return ERR_OK;
  const seed_old_cell *c = &o->cells[o->next_cell];
  size_t n = 1;
  while (o->next_cell + n < o->n_cells && c[n].tile_id == c[n - 1].tile_id + 1 &&
         c[n].content == c->content)
    n++;
  o->next_cell += n;
  *tile_id = c->tile_id;
  *run_length = n;
  buf_reset(&o->alone);
  err_code rc = store_mbtiles_content(o->mb, c->content, &o->alone, e);
  *out = (seed_old_bytes){o->alone.data, o->alone.len};
  return rc;
}

int seed_old_fd(const seed_old *o) { return o->pm ? pmtiles_archive_fd(o->pm) : -1; }

err_code seed_old_next_run(seed_old *o, uint64_t *tile_id, uint64_t *run_length,
                           seed_old_bytes *out, int64_t *src_off, bool *done, err *e) {
  *out = (seed_old_bytes){NULL, 0};
  *src_off = -1;
  if (o->indexed) return next_cell_run(o, tile_id, run_length, out, done, e);
  if (!o->walking) {
    pmtiles_walk_init(&o->runs, o->pm);
    o->walking = true;
  }
  pmtiles_entry en;
  err_code rc = pmtiles_walk_next(&o->runs, &en, done, e);
  if (rc != ERR_OK || *done) return rc;
  *tile_id = en.tile_id;
  *run_length = en.run_length;
  pmtiles_tile_ref ref = {true, en.offset, en.length};
  *src_off = en.offset <= INT64_MAX ? (int64_t)en.offset : -1;
  out->len = en.length;
  return read_view(o, &ref, &out->data, e);
}

void seed_old_close(seed_old *o) {
  if (o->walking) pmtiles_walk_free(&o->runs);
  if (o->pm) pmtiles_archive_close(o->pm);
  if (o->mb) store_mbtiles_reader_close(o->mb);
  free(o->cells);
  json_decref(o->meta);
  buf_free(&o->ahead);
  buf_free(&o->alone);
  free(o->behind);
  memset(o, 0, sizeof *o);
}
