/* mvt_int.h — internals of mvt/: a growable uint32 array, the key/value dedup table, the geometry
 * command encoder and a reader of the tile being built. Not for other modules. */
#ifndef TESELAS_MVT_MVT_INT_H
#define TESELAS_MVT_MVT_INT_H

#include "mvt/mvt.h"
#include "mvt/pbf.h"

/* Growable uint32 array (malloc) with a sticky failure flag and a bound on its byte size. */
typedef struct mvt_u32s {
  uint32_t *v;
  size_t n, cap;
  size_t limit_n; /* most elements allowed; 0: no bound */
  bool failed, over_limit;
} mvt_u32s;

bool mvt_u32s_push(mvt_u32s *a, uint32_t x);
void mvt_u32s_free(mvt_u32s *a);

/* Exact-bytes dedup table: each distinct byte string gets the next index. Open addressing with
 * linear probing at load <= 1/2, so a lookup costs one or two probes whatever the layer size
 * (a linear scan over 100k values per attribute would be quadratic). Entries can be removed in
 * LIFO order only (a rolled-back feature), which linear probing allows without tombstones: a
 * newer entry never sits on an older entry's probe path. */
typedef struct mvt_intern {
  buf bytes;        /* entry bytes back to back */
  size_t *off;      /* entry i is bytes.data[off[i] .. off[i + 1]); n + 1 offsets */
  uint64_t *hash;   /* hash of entry i, kept for rehashing */
  uint32_t *slots;  /* 0: empty, else entry index + 1 */
  size_t n_slots;   /* a power of two */
  uint32_t n, cap;
  uint32_t field;   /* Layer field the entries are written as: 3 keys, 4 values */
  size_t framed;    /* bytes of all entries written as fields (tag + length + bytes) */
} mvt_intern;

void mvt_intern_init(mvt_intern *t, uint32_t field, size_t byte_limit);
void mvt_intern_free(mvt_intern *t);
/* Index of the entry equal to p[0..n), added when new. ERR_NOMEM, or ERR_LIMIT from bytes. */
err_code mvt_intern_get(mvt_intern *t, const void *p, size_t n, uint32_t *out_idx);
/* Removes entries n.. (the newest ones). */
void mvt_intern_truncate(mvt_intern *t, uint32_t n);
/* Appends every entry, in index order, as a length-delimited field. */
bool mvt_intern_write(const mvt_intern *t, buf *out);

/* Encodes g as MVT 2.1 §4.3 command integers into out (emptied first). ERR_INVALID for a layout or
 * geometry MVT cannot carry; ERR_NOMEM / ERR_LIMIT from out. */
err_code mvt_geom_encode(const tile_geom *g, mvt_u32s *out, err *e);
/* The same integers as their varints, the body of a packed Feature.geometry (§4.2), into out
 * (emptied first; its failure is sticky and reported as ERR_NOMEM or ERR_LIMIT). */
err_code mvt_geom_encode_bytes(const tile_geom *g, buf *out, err *e);

/* True when the encoded tile t[0..len) already has a layer named name. */
bool mvt_tile_has_layer(const uint8_t *t, size_t len, const char *name, size_t name_len);

#endif
