/* pmtiles_read.c — a PMTiles v3 archive read from a file (see pmtiles_read.h).
 *
 * What is read at open stays in memory (header, root directory, metadata); leaf directories are
 * read when a tile needs them and kept in a small cache. The cache is one per archive, guarded
 * by a mutex rather than one per worker thread: the lock is held only for a lookup (a binary
 * search in a decoded directory, copying one entry out) or an insertion, never while reading
 * the file or inflating, and a per-thread cache would hold the same leaves once per worker and
 * need per-thread plumbing from the server into this module. */
#include "archive/pmtiles_read.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/gzip.h"

enum {
  /* The leaf cache: at most this many directories and this many bytes of decoded entries. A
   * leaf of the reference writer holds up to a few thousand entries (24 bytes each decoded),
   * so 8 MiB keeps about a hundred of them; a leaf larger than the budget is used once and
   * not kept. */
  LEAF_SLOTS = 128,
  LEAF_CACHE_BYTES = 8 * 1024 * 1024,
  FIRST_READ = 16384 /* header and root, as clients read them */
};

typedef struct leaf_slot {
  uint64_t offset;        /* of the leaf in the leaf section: its key */
  pmtiles_entry *entries; /* NULL and !bad: free slot */
  size_t n;
  uint64_t used;          /* clock of the last lookup, for LRU eviction */
  bool bad;               /* the leaf was read and found faulty: it is not read again (a zip
                             bomb would otherwise cost an inflation of PMTILES_DIR_MAX bytes on
                             every request under it) */
} leaf_slot;

static bool slot_used(const leaf_slot *s) { return s->entries || s->bad; }

struct pmtiles_archive {
  char *path;
  int fd;
  pmtiles_header h;
  pmtiles_file_id id;
  pmtiles_entry *root;
  size_t n_root;
  char *metadata;
  size_t metadata_len;
  pthread_mutex_t lock; /* guards the fields below */
  leaf_slot leaves[LEAF_SLOTS];
  size_t leaf_bytes;
  uint64_t clock;
};

/* [off, off+len) read whole, or ERR_IO. The caller has checked it lies inside the file. */
static err_code read_at(const pmtiles_archive *a, uint64_t off, size_t len, uint8_t *out, err *e) {
  size_t done = 0;
  while (done < len) {
    ssize_t r = pread(a->fd, out + done, len - done, (off_t)(off + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return err_set(e, ERR_IO, "%s: cannot read: %s", a->path, strerror(errno));
    if (r == 0) return err_set(e, ERR_IO, "%s: the file is shorter than when it was opened", a->path);
    done += (size_t)r;
  }
  return ERR_OK;
}

/* The bytes of a section slice, decompressed as `compression` says, at most max_out bytes,
 * appended to out. what names the part for messages. */
static err_code read_part(const pmtiles_archive *a, uint64_t off, uint64_t len, uint8_t compression,
                          size_t max_out, const char *what, buf *out, err *e) {
  if (len > max_out) return err_set(e, ERR_INVALID, "%s: %s of %llu bytes (at most %zu are read)",
                                    a->path, what, (unsigned long long)len, max_out);
  if (compression != PMTILES_COMPRESSION_NONE && compression != PMTILES_COMPRESSION_GZIP)
    return err_set(e, ERR_INVALID, "%s: %s compressed with method %u (only none and gzip are read)",
                   a->path, what, compression);
  uint8_t *raw = malloc(len ? (size_t)len : 1);
  if (!raw) return err_set(e, ERR_NOMEM, "%s: no memory for the %s", a->path, what);
  err_code rc = read_at(a, off, (size_t)len, raw, e);
  if (rc == ERR_OK && compression == PMTILES_COMPRESSION_NONE) {
    if (!buf_append(out, raw, (size_t)len))
      rc = err_set(e, ERR_NOMEM, "%s: no memory for the %s", a->path, what);
  } else if (rc == ERR_OK) {
    err ze;
    rc = gzip_decompress(raw, (size_t)len, max_out, out, &ze);
    if (rc == ERR_LIMIT) rc = ERR_INVALID; /* a bomb is a fault of the file */
    if (rc != ERR_OK) err_set(e, rc, "%s: %s: %s", a->path, what, ze.msg);
  }
  free(raw);
  return rc;
}

/* A decoded directory whose every entry lies inside its section: tiles in the data section,
 * leaves in the leaf section. */
static err_code check_entries(const pmtiles_archive *a, const pmtiles_entry *d, size_t n,
                              const char *what, err *e) {
  for (size_t i = 0; i < n; i++) {
    bool leaf = d[i].run_length == 0;
    uint64_t size = leaf ? a->h.leaf_length : a->h.data_length;
    if (d[i].offset > size || d[i].length > size - d[i].offset)
      return err_set(e, ERR_INVALID, "%s: %s entry %zu (tile id %llu) points past the end of the %s",
                     a->path, what, i, (unsigned long long)d[i].tile_id,
                     leaf ? "leaf directories" : "tile data");
  }
  return ERR_OK;
}

static err_code read_dir(const pmtiles_archive *a, uint64_t off, uint64_t len, const char *what,
                         pmtiles_entry **out, size_t *out_n, err *e) {
  buf b;
  buf_init(&b, 0);
  err_code rc = read_part(a, off, len, a->h.internal_compression, PMTILES_DIR_MAX, what, &b, e);
  if (rc == ERR_OK) {
    err de;
    /* each entry takes at least 4 bytes: the bound follows from the decompressed size */
    rc = pmtiles_dir_decode(b.data, b.len, PMTILES_DIR_MAX / 4, out, out_n, &de);
    if (rc != ERR_OK) err_set(e, rc, "%s: %s: %s", a->path, what, de.msg + strlen("pmtiles: "));
  }
  buf_free(&b);
  if (rc == ERR_OK && (rc = check_entries(a, *out, *out_n, what, e)) != ERR_OK) {
    free(*out);
    *out = NULL;
  }
  return rc;
}

static err_code read_metadata(pmtiles_archive *a, err *e) {
  buf b;
  buf_init(&b, 0);
  err_code rc = read_part(a, a->h.metadata_offset, a->h.metadata_length, a->h.internal_compression,
                          PMTILES_METADATA_MAX, "metadata", &b, e);
  if (rc == ERR_OK) {
    a->metadata_len = b.len;
    buf_cstr(&b);
    if (b.failed) rc = err_set(e, ERR_NOMEM, "%s: no memory for the metadata", a->path);
    else a->metadata = (char *)buf_steal(&b, NULL);
  }
  buf_free(&b);
  return rc;
}

static err_code open_file(pmtiles_archive *a, const char *path, err *e) {
  a->fd = open(path, O_RDONLY | O_CLOEXEC);
  if (a->fd < 0) return err_set(e, ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  struct stat st;
  if (fstat(a->fd, &st) != 0) return err_set(e, ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
  if (!S_ISREG(st.st_mode)) return err_set(e, ERR_INVALID, "%s: not a regular file", path);
  a->id = (pmtiles_file_id){(uint64_t)st.st_size, (uint64_t)st.st_ino, (uint64_t)st.st_dev,
                            (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec};
  uint8_t first[FIRST_READ];
  size_t n = a->id.size < FIRST_READ ? (size_t)a->id.size : FIRST_READ;
  err_code rc = read_at(a, 0, n, first, e);
  if (rc != ERR_OK) return rc;
  err he;
  if (pmtiles_header_read(first, n, a->id.size, &a->h, &he) != ERR_OK)
    return err_set(e, ERR_INVALID, "%s: %s", path, he.msg + strlen("pmtiles: "));
  return ERR_OK;
}

err_code pmtiles_archive_open(const char *path, pmtiles_archive **out, err *e) {
  *out = NULL;
  pmtiles_archive *a = calloc(1, sizeof *a);
  if (!a || !(a->path = strdup(path))) {
    free(a);
    return err_set(e, ERR_NOMEM, "%s: out of memory", path);
  }
  a->fd = -1;
  pthread_mutex_init(&a->lock, NULL);
  err_code rc = open_file(a, path, e);
  if (rc == ERR_OK)
    rc = read_dir(a, a->h.root_offset, a->h.root_length, "root directory", &a->root, &a->n_root, e);
  if (rc == ERR_OK) rc = read_metadata(a, e);
  if (rc != ERR_OK) {
    pmtiles_archive_close(a);
    return rc;
  }
  *out = a;
  return ERR_OK;
}

void pmtiles_archive_close(pmtiles_archive *a) {
  if (!a) return;
  if (a->fd >= 0) close(a->fd);
  for (size_t i = 0; i < LEAF_SLOTS; i++) free(a->leaves[i].entries);
  pthread_mutex_destroy(&a->lock);
  free(a->root);
  free(a->metadata);
  free(a->path);
  free(a);
}

const pmtiles_header *pmtiles_archive_header(const pmtiles_archive *a) { return &a->h; }
const char *pmtiles_archive_path(const pmtiles_archive *a) { return a->path; }
pmtiles_file_id pmtiles_archive_file_id(const pmtiles_archive *a) { return a->id; }
int pmtiles_archive_fd(const pmtiles_archive *a) { return a->fd; }

const char *pmtiles_archive_metadata(const pmtiles_archive *a, size_t *out_len) {
  if (out_len) *out_len = a->metadata_len;
  return a->metadata;
}

/* ---- the leaf cache ---- */

typedef enum leaf_cached { LEAF_MISS, LEAF_HIT, LEAF_BAD } leaf_cached;

/* Looks tile_id up in the cached leaf at offset: on a hit, *found and *out the entry answering
 * it (copied, so no pointer into the cache escapes the lock). */
static leaf_cached leaf_lookup(pmtiles_archive *a, uint64_t offset, uint64_t tile_id, bool *found,
                               pmtiles_entry *out) {
  leaf_cached r = LEAF_MISS;
  pthread_mutex_lock(&a->lock);
  for (size_t i = 0; i < LEAF_SLOTS; i++) {
    leaf_slot *s = &a->leaves[i];
    if (!slot_used(s) || s->offset != offset) continue;
    s->used = ++a->clock;
    r = s->bad ? LEAF_BAD : LEAF_HIT;
    const pmtiles_entry *f = s->bad ? NULL : pmtiles_dir_find(s->entries, s->n, tile_id);
    *found = f != NULL;
    if (f) *out = *f;
    break;
  }
  pthread_mutex_unlock(&a->lock);
  return r;
}

/* Keeps a decoded leaf (taking entries; NULL: a faulty leaf), evicting the least recently used
 * ones to make room; frees it instead when it is larger than the whole budget or another thread
 * cached it first. */
static void leaf_insert(pmtiles_archive *a, uint64_t offset, pmtiles_entry *entries, size_t n) {
  size_t bytes = n * sizeof *entries;
  if (bytes > LEAF_CACHE_BYTES) {
    free(entries);
    return;
  }
  pthread_mutex_lock(&a->lock);
  for (;;) {
    leaf_slot *free_slot = NULL, *oldest = NULL;
    for (size_t i = 0; i < LEAF_SLOTS; i++) {
      leaf_slot *s = &a->leaves[i];
      if (slot_used(s) && s->offset == offset) { /* cached meanwhile */
        pthread_mutex_unlock(&a->lock);
        free(entries);
        return;
      }
      if (!slot_used(s) && !free_slot) free_slot = s;
      if (slot_used(s) && (!oldest || s->used < oldest->used)) oldest = s;
    }
    if (free_slot && a->leaf_bytes + bytes <= LEAF_CACHE_BYTES) {
      *free_slot = (leaf_slot){offset, entries, n, ++a->clock, !entries};
      a->leaf_bytes += bytes;
      break;
    }
    a->leaf_bytes -= oldest->n * sizeof *oldest->entries; /* oldest exists: the cache is full */
    free(oldest->entries);
    *oldest = (leaf_slot){0};
  }
  pthread_mutex_unlock(&a->lock);
}

/* The entry of the leaf `leaf` answering tile_id (*found false when none), reading and caching
 * the leaf on a miss. */
static err_code leaf_find(pmtiles_archive *a, const pmtiles_entry *leaf, uint64_t tile_id,
                          bool *found, pmtiles_entry *out, err *e) {
  const uint64_t off = leaf->offset, len = leaf->length; /* out may be leaf */
  leaf_cached c = leaf_lookup(a, off, tile_id, found, out);
  if (c == LEAF_HIT) return ERR_OK;
  if (c == LEAF_BAD)
    return err_set(e, ERR_INVALID, "%s: leaf directory at %llu was found faulty before", a->path,
                   (unsigned long long)off);
  pmtiles_entry *d = NULL;
  size_t n = 0;
  err_code rc = read_dir(a, a->h.leaf_offset + off, len, "leaf directory", &d, &n, e);
  if (rc == ERR_INVALID) leaf_insert(a, off, NULL, 0);
  if (rc != ERR_OK) return rc;
  const pmtiles_entry *f = pmtiles_dir_find(d, n, tile_id);
  *found = f != NULL;
  if (f) *out = *f;
  leaf_insert(a, off, d, n);
  return ERR_OK;
}

err_code pmtiles_archive_find(pmtiles_archive *a, unsigned z, uint32_t x, uint32_t y,
                              pmtiles_tile_ref *out, err *e) {
  *out = (pmtiles_tile_ref){0};
  uint64_t id;
  if (z < a->h.min_zoom || z > a->h.max_zoom || !pmtiles_zxy_to_id(z, x, y, &id)) return ERR_OK;
  const pmtiles_entry *f = pmtiles_dir_find(a->root, a->n_root, id);
  if (!f) return ERR_OK;
  pmtiles_entry cur = *f;
  for (int depth = 0; cur.run_length == 0; depth++) {
    if (depth == PMTILES_LEAF_DEPTH)
      return err_set(e, ERR_INVALID, "%s: leaf directories nested deeper than %d levels (tile %u/%u/%u)",
                     a->path, PMTILES_LEAF_DEPTH, z, x, y);
    bool found;
    err_code rc = leaf_find(a, &cur, id, &found, &cur, e);
    if (rc != ERR_OK || !found) return rc;
  }
  *out = (pmtiles_tile_ref){true, a->h.data_offset + cur.offset, cur.length};
  return ERR_OK;
}

err_code pmtiles_archive_read(pmtiles_archive *a, const pmtiles_tile_ref *ref, buf *out, err *e) {
  if (ref->length > PMTILES_TILE_MAX)
    return err_set(e, ERR_LIMIT, "%s: a tile of %u bytes (at most %d are served)", a->path,
                   ref->length, PMTILES_TILE_MAX);
  if (!buf_reserve(out, ref->length))
    return err_set(e, out->over_limit ? ERR_LIMIT : ERR_NOMEM, "%s: no room for a tile of %u bytes",
                   a->path, ref->length);
  err_code rc = read_at(a, ref->offset, ref->length, out->data + out->len, e);
  if (rc == ERR_OK) out->len += ref->length;
  return rc;
}

/* ---- the walk over every entry ---- */

void pmtiles_walk_init(pmtiles_walk *w, pmtiles_archive *a) {
  memset(w, 0, sizeof *w);
  w->a = a;
  w->dirs[0] = a->root;
  w->n[0] = a->n_root;
}

err_code pmtiles_walk_next(pmtiles_walk *w, pmtiles_entry *out, bool *done, err *e) {
  pmtiles_archive *a = w->a;
  *done = false;
  for (;;) {
    int d = w->depth;
    if (w->i[d] == w->n[d]) { /* this directory is through: back to its parent */
      if (d == 0) {
        *done = true;
        return ERR_OK;
      }
      free((void *)w->dirs[d]);
      w->dirs[d] = NULL;
      w->depth--;
      continue;
    }
    const pmtiles_entry en = w->dirs[d][w->i[d]++];
    if (en.tile_id < w->next_id)
      return err_set(e, ERR_INVALID, "%s: directory entry for tile id %llu comes after id %llu",
                     a->path, (unsigned long long)en.tile_id, (unsigned long long)w->next_id);
    if (en.run_length) {
      w->next_id = en.tile_id + en.run_length;
      *out = en;
      out->offset += a->h.data_offset;
      return ERR_OK;
    }
    if (d == PMTILES_LEAF_DEPTH)
      return err_set(e, ERR_INVALID, "%s: leaf directories nested deeper than %d levels", a->path,
                     PMTILES_LEAF_DEPTH);
    pmtiles_entry *leaf = NULL;
    size_t n = 0;
    err_code rc = read_dir(a, a->h.leaf_offset + en.offset, en.length, "leaf directory", &leaf, &n,
                           e);
    if (rc != ERR_OK) return rc;
    if (n && leaf[0].tile_id < en.tile_id) {
      free(leaf);
      return err_set(e, ERR_INVALID, "%s: leaf directory for ids from %llu starts at id %llu",
                     a->path, (unsigned long long)en.tile_id, (unsigned long long)leaf[0].tile_id);
    }
    w->depth++;
    w->dirs[w->depth] = leaf;
    w->n[w->depth] = n;
    w->i[w->depth] = 0;
  }
}

void pmtiles_walk_free(pmtiles_walk *w) {
  for (int d = 1; d <= w->depth; d++) free((void *)w->dirs[d]);
  memset(w, 0, sizeof *w);
}
