/* pmtiles_write.c — the streaming PMTiles v3 writer (see pmtiles_write.h).
 *
 * Memory. A directory entry is 24 bytes (pmtiles_entry). A city seeded z0-16 (León's box,
 * 0.36° × 0.30°) is 5,422 addresses: 130 KB of entries. The 1M-point bench layer is the demo's
 * incidents over that same box: z0-14 is 419 tiles (measured), 10 KB. Entries matter for large
 * areas: Mexico's box z0-14 is 1.75M addresses, 42 MB, and a world-wide z0-14 seed 358M, 8.6 GB,
 * past any bound. So entries are never kept: they go to an unlinked temporary file in chunks of
 * ENT_CHUNK (384 KB in memory), and finish() streams them back one leaf at a time. What stays in
 * memory whatever the seed's size: the data write buffer (256 KiB; up to DATA_BUF_COPYING, 8 MiB,
 * with a source file), the stretches of the data section (at most PIECES_MAX × 32 B = 2 MiB), the
 * dedup table (at most DEDUP_SLOTS × 24 B = 6 MiB, grown as contents arrive), one leaf's
 * entries and its encoding (the leaf size
 * grows with the seed: n/3500 entries, 2.4 MB of entries per leaf for 358M tiles), and the root's
 * entries (≤ ~3,500). Under 30 MB in all.
 *
 * Dedup. Only tiles of at most DEDUP_MAX_LEN bytes are hashed: the repeated ones are small, and
 * hashing every large distinct tile would fill the table with contents never seen twice. Measured on the
 * León demo (2026-12-05): PNG z8-15 of `todas`, 2,003 tiles, one repeated content, 103 bytes (the
 * empty tile), 694 times, median tile 1,404 bytes; vector z0-14 of all layers, 419 tiles, one
 * repeated content of 124 bytes (8 times), median 546 bytes. A hash match is
 * confirmed byte for byte (from the write buffer or by pread; a stretch of the source file at the
 * same place needs no read), so distinct tiles never merge. When
 * the table is three quarters full, new contents are no longer remembered (earlier ones still
 * match): the archive grows a little, memory does not. */
#include "archive/pmtiles_write.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/gzip.h"
#include "core/hash.h"

enum {
  /* Entries kept before they spill: the writer is calloc'd, so only the pages filled are memory.
   * At 4,096 the demo's z0-16 seed (4,230 entries) spilled 96 KB to a file created for it. */
  ENT_CHUNK = 16384,
  /* 256 KiB: each page of the buffer is a page fault the first time it is filled; 1 MiB was a
   * quarter of a small incremental seed's faults (1,616 → 1,233 with both buffers at 256 KiB) */
  DATA_BUF = 1 << 18,
  /* With a source file (an incremental seed), the own bytes are the tiles that changed, few: the
   * buffer grows up to this before it spills, so that they need no data file (its creation and
   * removal were a tenth of such a seed's kernel time, its 8 changed tiles 0.3 MB). */
  DATA_BUF_COPYING = 8 << 20,
  DEDUP_MAX_LEN = 2048,
  DEDUP_SLOTS = 1 << 18, /* a power of two: the table's largest size */
  /* Its first size (96 KiB). Allocated whole at once, the hashes spread over every page of the
   * 6 MiB, which were then all resident: the incremental seed of bench/seed/incremental.sh at
   * z0-18 (71,850 tiles) peaked at 24.2 MB with it, 21.0 MB without. It doubles at half full,
   * so which contents are remembered, and the archive, stay the same. */
  DEDUP_FIRST_SLOTS = 1 << 12,
  /* At most this many stretches of the data section are remembered (32 B each, 2 MiB): past
   * them, the source's bytes are stored as the writer's own (the archive is the same). */
  PIECES_MAX = 1 << 16,
  /* The reference writer (go-pmtiles) tries the root alone below this many entries. */
  ROOT_TRY_MAX = 16384,
  /* gzip level of the directories and the metadata. Directory entries are runs of small varints
   * that level 9's longer match search finds little more in: the root of the demo's z0-16 seed
   * (22,516 bytes, 4,230 entries) is 9,114 bytes at 9 and 9,207 (+1.0 %) at 6, for 4.41 M
   * instructions against 1.86 M, a twentieth of an incremental seed's (bench/RESULTS.md). */
  INTERNAL_GZIP_LEVEL = 6
};

/* A stretch of the data section: own bytes (src_off in the writer's own stream, data_fd then
 * dbuf) or bytes of the source file (pmtiles_writer_copy_from), copied from it by finish() in one
 * step, so that tiles an incremental seed copies from an earlier archive are written once, into
 * the archive, instead of into the data file first. Consecutive stretches of one origin merge: an
 * incremental seed's data is a few stretches of the earlier archive split around the tiles that
 * changed. */
typedef struct data_piece {
  uint64_t out_off, len, src_off;
  bool external;
} data_piece;

typedef struct dedup_slot {
  uint64_t hash, offset;
  uint32_t length, used;
} dedup_slot;

struct pmtiles_writer {
  int out_fd, data_fd, ent_fd, leaf_fd; /* the temporary files: -1 until first needed */
  char *path;             /* the archive's, to put them beside it */
  err_code failed;
  err first_err;
  uint8_t *dbuf;          /* own tile bytes not yet written to data_fd */
  size_t dbuf_len, dbuf_cap;
  uint64_t data_flushed;  /* own bytes already in data_fd */
  uint64_t data_len;      /* the data section so far: own bytes and the source's */
  data_piece *pieces;     /* the data section in order, stretch by stretch (see data_piece) */
  size_t n_pieces, pieces_cap;
  int src_fd;             /* pmtiles_writer_copy_from's file (borrowed), or -1 */
  pmtiles_entry pending[ENT_CHUNK];
  size_t n_pending;
  uint64_t n_entries;     /* entries pushed (spilled + pending) */
  pmtiles_entry cur;      /* the open run, not yet pushed */
  bool have_cur;
  dedup_slot *slots;
  size_t slot_mask;       /* slots - 1: a power of two, at most DEDUP_SLOTS */
  size_t n_slots_used;
  pmtiles_write_stats stats;
};

/* ---- files ---- */

static bool write_all(int fd, const void *p, size_t n) {
  const uint8_t *b = p;
  while (n) {
    ssize_t k = write(fd, b, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    b += k;
    n -= (size_t)k;
  }
  return true;
}

static bool pread_all(int fd, void *p, size_t n, uint64_t off) {
  uint8_t *b = p;
  while (n) {
    ssize_t k = pread(fd, b, n, (off_t)off);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    b += k;
    n -= (size_t)k;
    off += (uint64_t)k;
  }
  return true;
}

/* An unlinked read-write file in the archive's directory (same disk as the archive: a large seed
 * must not fill a small /tmp). */
static int temp_beside(const char *path) {
  char dir[PATH_MAX];
  const char *slash = strrchr(path, '/');
  if (!slash) snprintf(dir, sizeof dir, ".");
  else if (slash == path) snprintf(dir, sizeof dir, "/");
  else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
#ifdef O_TMPFILE
  int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
#endif
  char tmpl[PATH_MAX];
  if (snprintf(tmpl, sizeof tmpl, "%s/.pmtiles-XXXXXX", dir) >= (int)sizeof tmpl) return -1;
  int fd2 = mkstemp(tmpl);
  if (fd2 >= 0) unlink(tmpl);
  return fd2;
}

/* Copies len bytes of src from offset in_off to the end of dst: copy_file_range (in the kernel,
 * one copy), by hand where it is not supported (another file system, an old kernel). */
static bool copy_fd(int src, uint64_t from, int dst, uint64_t len) {
  loff_t in_off = (loff_t)from;
  while (len) {
    ssize_t k = copy_file_range(src, &in_off, dst, NULL, len > (1u << 30) ? (1u << 30) : len, 0);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) break; /* not supported here (or a short copy): finish by hand */
    len -= (uint64_t)k;
  }
  uint8_t tmp[1 << 16];
  while (len) {
    size_t want = len < sizeof tmp ? (size_t)len : sizeof tmp;
    if (!pread_all(src, tmp, want, (uint64_t)in_off) || !write_all(dst, tmp, want)) return false;
    in_off += (loff_t)want;
    len -= want;
  }
  return true;
}

static err_code fail(pmtiles_writer *w, err *e, err_code code, const char *what) {
  if (!w->failed) {
    w->failed = code;
    err_set(&w->first_err, code, "pmtiles: %s%s%s", what, code == ERR_IO ? ": " : "",
            code == ERR_IO ? strerror(errno) : "");
  }
  if (e) *e = w->first_err;
  return w->failed;
}

err_code pmtiles_writer_open(const char *path, pmtiles_writer **out, err *e) {
  *out = NULL;
  pmtiles_writer *w = calloc(1, sizeof *w);
  if (!w) return err_set(e, ERR_NOMEM, "pmtiles: no memory for a writer");
  w->out_fd = w->data_fd = w->ent_fd = w->leaf_fd = w->src_fd = -1;
  w->dbuf = malloc(DATA_BUF);
  w->dbuf_cap = DATA_BUF;
  w->slots = calloc(DEDUP_FIRST_SLOTS, sizeof *w->slots);
  w->slot_mask = DEDUP_FIRST_SLOTS - 1;
  if (!w->dbuf || !w->slots) {
    pmtiles_writer_free(w);
    return err_set(e, ERR_NOMEM, "pmtiles: no memory for a writer");
  }
  w->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (w->out_fd < 0) {
    err_code rc = err_set(e, ERR_IO, "cannot create %s: %s", path, strerror(errno));
    pmtiles_writer_free(w);
    return rc;
  }
  if (!(w->path = strdup(path))) {
    pmtiles_writer_free(w);
    return err_set(e, ERR_NOMEM, "pmtiles: no memory for a writer");
  }
  *out = w;
  return ERR_OK;
}

void pmtiles_writer_free(pmtiles_writer *w) {
  if (!w) return;
  int fds[] = {w->out_fd, w->data_fd, w->ent_fd, w->leaf_fd};
  for (size_t i = 0; i < 4; i++)
    if (fds[i] >= 0) close(fds[i]);
  free(w->dbuf);
  free(w->pieces);
  free(w->slots);
  free(w->path);
  free(w);
}

pmtiles_write_stats pmtiles_writer_stats(const pmtiles_writer *w) { return w->stats; }

/* ---- adding tiles ---- */

/* *fd, created beside the archive on first use: a seed whose tiles fit the write buffer and
 * whose entries fit one chunk needs none of the three files, and each creation costs ext4 an
 * inode search (a twentieth of a small incremental seed's kernel time, perf). */
static bool temp_fd(pmtiles_writer *w, int *fd) {
  if (*fd < 0) *fd = temp_beside(w->path);
  return *fd >= 0;
}

static bool flush_data(pmtiles_writer *w) {
  if (!temp_fd(w, &w->data_fd) || !write_all(w->data_fd, w->dbuf, w->dbuf_len)) return false;
  w->data_flushed += w->dbuf_len;
  w->dbuf_len = 0;
  return true;
}

static bool push_entry(pmtiles_writer *w, pmtiles_entry en) {
  if (w->n_pending == ENT_CHUNK) {
    if (!temp_fd(w, &w->ent_fd) || !write_all(w->ent_fd, w->pending, sizeof w->pending))
      return false;
    w->n_pending = 0;
  }
  w->pending[w->n_pending++] = en;
  w->n_entries++;
  return true;
}

/* The stretch of the data section holding offset off (pieces are in order and cover it). */
static const data_piece *piece_at(const pmtiles_writer *w, uint64_t off) {
  size_t lo = 0, hi = w->n_pieces;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (w->pieces[mid].out_off <= off) lo = mid;
    else hi = mid;
  }
  return &w->pieces[lo];
}

/* The stored bytes at off equal data (which lie at src_off of the source file when src_off is
 * not NO_SRC)? A tile lies within one stretch; an own small tile wholly in the buffer or wholly
 * on disk. The source's bytes at the same place are equal without being read. */
enum { NO_SRC = -1 };
static bool same_bytes(pmtiles_writer *w, uint64_t off, const void *data, size_t len,
                       int64_t src_off) {
  const data_piece *p = piece_at(w, off);
  uint64_t at = p->src_off + (off - p->out_off);
  if (p->external && src_off != NO_SRC && at == (uint64_t)src_off) return true;
  if (!p->external && at >= w->data_flushed)
    return memcmp(w->dbuf + (at - w->data_flushed), data, len) == 0;
  uint8_t tmp[DEDUP_MAX_LEN];
  return pread_all(p->external ? w->src_fd : w->data_fd, tmp, len, at) &&
         memcmp(tmp, data, len) == 0;
}

/* Finds data among the remembered contents (*found) or the free slot to remember it in. */
static dedup_slot *dedup_find(pmtiles_writer *w, const void *data, size_t len, int64_t src_off,
                              bool *found) {
  uint64_t h = hash_bytes64(data, len);
  size_t i = (size_t)h & w->slot_mask;
  *found = false;
  for (;; i = (i + 1) & w->slot_mask) {
    dedup_slot *s = &w->slots[i];
    if (!s->used) {
      s->hash = h;
      return s;
    }
    if (s->hash == h && s->length == len && same_bytes(w, s->offset, data, len, src_off)) {
      *found = true;
      return s;
    }
  }
}

/* Doubles the table (up to DEDUP_SLOTS); out of memory, it stays as it is and fills to 3/4. */
static void dedup_grow(pmtiles_writer *w) {
  size_t cap = 2 * (w->slot_mask + 1);
  if (cap > DEDUP_SLOTS) return;
  dedup_slot *slots = calloc(cap, sizeof *slots);
  if (!slots) return;
  for (size_t i = 0; i <= w->slot_mask; i++) {
    if (!w->slots[i].used) continue;
    size_t j = (size_t)w->slots[i].hash & (cap - 1);
    while (slots[j].used) j = (j + 1) & (cap - 1);
    slots[j] = w->slots[i];
  }
  free(w->slots);
  w->slots = slots;
  w->slot_mask = cap - 1;
}

/* Notes len bytes of one origin at the end of the data section, merged with the last stretch
 * when they follow it in their origin; false when no stretch can be added (PIECES_MAX, memory). */
static bool add_piece(pmtiles_writer *w, bool external, uint64_t src_off, uint64_t len) {
  data_piece *last = w->n_pieces ? &w->pieces[w->n_pieces - 1] : NULL;
  if (last && last->external == external && last->src_off + last->len == src_off) {
    last->len += len;
    return true;
  }
  if (w->n_pieces == w->pieces_cap) {
    size_t cap = w->pieces_cap ? 2 * w->pieces_cap : 16;
    data_piece *v = cap <= PIECES_MAX ? realloc(w->pieces, cap * sizeof *v) : NULL;
    if (!v) return false;
    w->pieces = v;
    w->pieces_cap = cap;
  }
  w->pieces[w->n_pieces++] = (data_piece){w->data_len, len, src_off, external};
  return true;
}

/* Appends new content to the data section: as a stretch of the source when it lies there
 * (src_off), else into the writer's own bytes; its offset in *off. */
static bool store_data(pmtiles_writer *w, const void *data, size_t len, int64_t src_off,
                       uint64_t *off) {
  *off = w->data_len;
  /* the last stretch free is kept for own bytes, which then all merge into it */
  if (src_off != NO_SRC && w->n_pieces + 1 < PIECES_MAX && add_piece(w, true, (uint64_t)src_off, len)) {
    w->data_len += len;
    w->stats.n_tile_contents++;
    return true;
  }
  uint64_t own = w->data_flushed + w->dbuf_len;
  if (w->dbuf_len + len > w->dbuf_cap && w->src_fd >= 0 && w->dbuf_len + len <= DATA_BUF_COPYING) {
    size_t cap = 2 * w->dbuf_cap;
    while (cap < w->dbuf_len + len) cap *= 2;
    if (cap > DATA_BUF_COPYING) cap = DATA_BUF_COPYING;
    uint8_t *grown = realloc(w->dbuf, cap);
    if (grown) w->dbuf = grown, w->dbuf_cap = cap;
  }
  if (w->dbuf_len + len > w->dbuf_cap && !flush_data(w)) return false;
  if (len > w->dbuf_cap) {
    if (!temp_fd(w, &w->data_fd) || !write_all(w->data_fd, data, len)) return false;
    w->data_flushed += len;
  } else {
    memcpy(w->dbuf + w->dbuf_len, data, len);
    w->dbuf_len += len;
  }
  if (!add_piece(w, false, own, len)) return false;
  w->data_len += len;
  w->stats.n_tile_contents++;
  return true;
}

/* One tile (add's work); *remembered: its content is now in the dedup table at the open entry's
 * offset, so that the same bytes again are a dedup hit. */
static err_code add_one(pmtiles_writer *w, uint64_t tile_id, const void *data, size_t len,
                        int64_t src_off, bool *remembered, err *e) {
  *remembered = false;
  if (w->failed) return fail(w, e, w->failed, "");
  if (len == 0 || len > UINT32_MAX) return fail(w, e, ERR_INVALID, "tile of 0 bytes or over 4 GiB");
  if (w->have_cur && tile_id <= w->cur.tile_id + w->cur.run_length - 1)
    return fail(w, e, ERR_INTERNAL, "tile ids out of order");
  uint64_t off;
  bool found = false;
  dedup_slot *slot = NULL;
  if (len <= DEDUP_MAX_LEN) slot = dedup_find(w, data, len, src_off, &found);
  if (found) {
    off = slot->offset;
    w->stats.dedup_hits++;
    *remembered = true;
  } else {
    if (!store_data(w, data, len, src_off, &off)) return fail(w, e, ERR_IO, "writing tile data");
    if (slot && w->n_slots_used < (w->slot_mask + 1) / 4 * 3) {
      slot->offset = off;
      slot->length = (uint32_t)len;
      slot->used = 1;
      w->n_slots_used++;
      *remembered = true;
      if (2 * w->n_slots_used > w->slot_mask + 1) dedup_grow(w);
    }
  }
  w->stats.n_addressed_tiles++;
  pmtiles_entry *c = &w->cur;
  if (w->have_cur && c->offset == off && c->length == len && c->tile_id + c->run_length == tile_id &&
      c->run_length < UINT32_MAX) {
    c->run_length++;
    return ERR_OK;
  }
  if (w->have_cur && !push_entry(w, *c)) return fail(w, e, ERR_IO, "writing directory entries");
  *c = (pmtiles_entry){tile_id, off, (uint32_t)len, 1};
  w->have_cur = true;
  return ERR_OK;
}

err_code pmtiles_writer_add(pmtiles_writer *w, uint64_t tile_id, const void *data, size_t len,
                            err *e) {
  bool remembered;
  return add_one(w, tile_id, data, len, NO_SRC, &remembered, e);
}

/* After its first tile, a run's others are dedup hits extending the open entry, exactly as
 * add() would count them, when the content is remembered (it is the open entry's, stored once):
 * a content add() would store again (too large, or the table full) takes the calls one by one. */
static err_code add_run(pmtiles_writer *w, uint64_t tile_id, const void *data, size_t len,
                        uint64_t run_length, int64_t src_off, err *e) {
  bool remembered;
  err_code rc = add_one(w, tile_id, data, len, src_off, &remembered, e);
  if (rc != ERR_OK || run_length <= 1) return rc;
  pmtiles_entry *c = &w->cur;
  uint64_t rest = run_length - 1;
  if (remembered && c->tile_id + c->run_length == tile_id + 1 &&
      (uint64_t)c->run_length + rest < UINT32_MAX) {
    c->run_length += (uint32_t)rest;
    w->stats.n_addressed_tiles += rest;
    w->stats.dedup_hits += rest;
    return ERR_OK;
  }
  for (uint64_t i = 1; i < run_length && rc == ERR_OK; i++)
    rc = add_one(w, tile_id + i, data, len, src_off, &remembered, e);
  return rc;
}

err_code pmtiles_writer_add_run(pmtiles_writer *w, uint64_t tile_id, const void *data, size_t len,
                                uint64_t run_length, err *e) {
  return add_run(w, tile_id, data, len, run_length, NO_SRC, e);
}

void pmtiles_writer_copy_from(pmtiles_writer *w, int fd) { w->src_fd = fd; }

err_code pmtiles_writer_add_run_at(pmtiles_writer *w, uint64_t tile_id, const void *data,
                                   size_t len, uint64_t run_length, uint64_t src_off, err *e) {
  if (w->src_fd < 0 || src_off > INT64_MAX - len)
    return fail(w, e, ERR_INTERNAL, "tiles of a source file without one");
  return add_run(w, tile_id, data, len, run_length, (int64_t)src_off, e);
}

/* Writes the data section to the archive, stretch by stretch: the source's and the own bytes on
 * disk copied in the kernel, the buffer's tail written. */
static bool write_data(pmtiles_writer *w) {
  for (size_t i = 0; i < w->n_pieces; i++) {
    const data_piece *p = &w->pieces[i];
    if (p->external) {
      if (!copy_fd(w->src_fd, p->src_off, w->out_fd, p->len)) return false;
      continue;
    }
    uint64_t end = p->src_off + p->len;
    uint64_t disk_end = end < w->data_flushed ? end : w->data_flushed;
    if (p->src_off < disk_end && !copy_fd(w->data_fd, p->src_off, w->out_fd, disk_end - p->src_off))
      return false;
    uint64_t from = p->src_off > w->data_flushed ? p->src_off : w->data_flushed;
    if (from < end &&
        !write_all(w->out_fd, w->dbuf + (from - w->data_flushed), (size_t)(end - from)))
      return false;
  }
  return true;
}

/* ---- directories ---- */

/* Reads entries [first, first+n) back from the spill file and the pending chunk. */
static bool read_entries(pmtiles_writer *w, uint64_t first, size_t n, pmtiles_entry *out) {
  uint64_t spilled = w->n_entries - w->n_pending;
  size_t from_disk = first >= spilled ? 0 : (size_t)(spilled - first < n ? spilled - first : n);
  if (from_disk && !pread_all(w->ent_fd, out, from_disk * sizeof *out, first * sizeof *out))
    return false;
  for (size_t i = from_disk; i < n; i++) out[i] = w->pending[first + i - spilled];
  return true;
}

/* Encodes and gzips n entries into out (emptied first). */
static err_code encode_dir(const pmtiles_entry *d, size_t n, buf *out, err *e) {
  buf raw;
  buf_init(&raw, 0);
  buf_reset(out);
  err_code rc = pmtiles_dir_encode(d, n, &raw) ? gzip_compress(raw.data, raw.len, INTERNAL_GZIP_LEVEL, out, e)
                                               : err_set(e, ERR_NOMEM, "pmtiles: directory encoding");
  buf_free(&raw);
  return rc;
}

/* One try at a leaf size: leaves to leaf_fd (rewritten), the root over them into root. */
static err_code build_leaves(pmtiles_writer *w, size_t leaf_size, pmtiles_entry *chunk, buf *root,
                             uint64_t *leaves_len, err *e) {
  size_t n_leaves = (size_t)((w->n_entries + leaf_size - 1) / leaf_size);
  pmtiles_entry *top = malloc(n_leaves * sizeof *top);
  buf leaf;
  buf_init(&leaf, 0);
  err_code rc = ERR_OK;
  uint64_t pos = 0;
  if (!top) rc = err_set(e, ERR_NOMEM, "pmtiles: root of %zu leaves", n_leaves);
  if (rc == ERR_OK && (!temp_fd(w, &w->leaf_fd) || ftruncate(w->leaf_fd, 0) != 0 ||
                       lseek(w->leaf_fd, 0, SEEK_SET) != 0))
    rc = err_set(e, ERR_IO, "pmtiles: leaf file: %s", strerror(errno));
  for (size_t i = 0; rc == ERR_OK && i < n_leaves; i++) {
    uint64_t first = (uint64_t)i * leaf_size;
    size_t n = (size_t)(w->n_entries - first < leaf_size ? w->n_entries - first : leaf_size);
    if (!read_entries(w, first, n, chunk)) {
      rc = err_set(e, ERR_IO, "pmtiles: reading entries back: %s", strerror(errno));
      break;
    }
    rc = encode_dir(chunk, n, &leaf, e);
    if (rc == ERR_OK && !write_all(w->leaf_fd, leaf.data, leaf.len))
      rc = err_set(e, ERR_IO, "pmtiles: writing a leaf: %s", strerror(errno));
    top[i] = (pmtiles_entry){chunk[0].tile_id, pos, (uint32_t)leaf.len, 0};
    pos += leaf.len;
  }
  if (rc == ERR_OK) rc = encode_dir(top, n_leaves, root, e);
  w->stats.n_leaves = n_leaves;
  *leaves_len = pos;
  buf_free(&leaf);
  free(top);
  return rc;
}

/* The root (and leaves in leaf_fd): the root alone when it fits, else leaves grown by 1.2× from
 * max(4096, n/3500) entries until the root over them fits, as go-pmtiles does. */
static err_code build_dirs(pmtiles_writer *w, buf *root, uint64_t *leaves_len, err *e) {
  *leaves_len = 0;
  w->stats.n_leaves = 0;
  if (w->n_entries < ROOT_TRY_MAX) {
    pmtiles_entry *all = malloc((size_t)(w->n_entries ? w->n_entries : 1) * sizeof *all);
    if (!all) return err_set(e, ERR_NOMEM, "pmtiles: directory");
    err_code rc = read_entries(w, 0, (size_t)w->n_entries, all)
                      ? encode_dir(all, (size_t)w->n_entries, root, e)
                      : err_set(e, ERR_IO, "pmtiles: reading entries back: %s", strerror(errno));
    free(all);
    if (rc != ERR_OK || root->len <= PMTILES_ROOT_MAX) return rc;
  }
  double leaf_size = (double)w->n_entries / 3500;
  if (leaf_size < 4096) leaf_size = 4096;
  for (;;) {
    size_t ls = (size_t)leaf_size;
    pmtiles_entry *chunk = malloc(ls * sizeof *chunk);
    if (!chunk) return err_set(e, ERR_NOMEM, "pmtiles: leaf of %zu entries", ls);
    err_code rc = build_leaves(w, ls, chunk, root, leaves_len, e);
    free(chunk);
    if (rc != ERR_OK || root->len <= PMTILES_ROOT_MAX) return rc;
    leaf_size *= 1.2;
  }
}

err_code pmtiles_writer_finish(pmtiles_writer *w, const pmtiles_header *h, const char *metadata,
                               size_t metadata_len, err *e) {
  if (w->failed) return fail(w, e, w->failed, "");
  if (w->have_cur && !push_entry(w, w->cur)) return fail(w, e, ERR_IO, "writing directory entries");
  w->have_cur = false;
  buf root, meta;
  buf_init(&root, 0);
  buf_init(&meta, 0);
  uint64_t leaves_len = 0;
  err_code rc = build_dirs(w, &root, &leaves_len, e);
  if (rc == ERR_OK) rc = gzip_compress(metadata, metadata_len, INTERNAL_GZIP_LEVEL, &meta, e);
  if (rc == ERR_OK) {
    pmtiles_header o = *h;
    o.root_offset = PMTILES_HEADER_LEN;
    o.root_length = root.len;
    o.metadata_offset = o.root_offset + root.len;
    o.metadata_length = meta.len;
    o.leaf_offset = o.metadata_offset + meta.len;
    o.leaf_length = leaves_len;
    o.data_offset = o.leaf_offset + leaves_len;
    o.data_length = w->data_len;
    o.n_addressed_tiles = w->stats.n_addressed_tiles;
    o.n_tile_entries = w->n_entries;
    o.n_tile_contents = w->stats.n_tile_contents;
    o.clustered = true;
    o.internal_compression = PMTILES_COMPRESSION_GZIP;
    uint8_t head[PMTILES_HEADER_LEN];
    pmtiles_header_write(&o, head);
    if (!write_all(w->out_fd, head, sizeof head) || !write_all(w->out_fd, root.data, root.len) ||
        !write_all(w->out_fd, meta.data, meta.len) || !copy_fd(w->leaf_fd, 0, w->out_fd, leaves_len) ||
        !write_data(w) || fsync(w->out_fd) != 0)
      rc = fail(w, e, ERR_IO, "writing the archive");
    else {
      w->stats.n_tile_entries = w->n_entries;
      w->stats.file_bytes = o.data_offset + o.data_length;
    }
  }
  buf_free(&root);
  buf_free(&meta);
  if (rc != ERR_OK && !w->failed) {
    w->failed = rc;
    if (e) w->first_err = *e;
  }
  return rc;
}
