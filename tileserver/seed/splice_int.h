/* splice_int.h — an incremental seed's tiles made from the earlier tile's unchanged layers and
 * the changed layers encoded again (splice.c). */
#ifndef TESELAS_SEED_SPLICE_INT_H
#define TESELAS_SEED_SPLICE_INT_H

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"
#include "tiles/tiles.h"

typedef struct seed_splice {
  const layer_info *const *layers; /* the archive's layers, in its order (borrowed) */
  size_t n_layers;
  uint32_t changed_mask;           /* bit i: layers[i] is encoded again */
  buf inflated, raw;               /* scratch, bounded by TILES_BYTE_LIMIT */
  gzip_deflater *deflater;         /* NULL: out of memory, and seed_splice_tile says so */
} seed_splice;

void seed_splice_init(seed_splice *s, const layer_info *const *layers, size_t n_layers,
                      uint32_t changed_mask);
void seed_splice_free(seed_splice *s);

/* The tile as a full seed would store it (gzip'd; empty for an empty tile) into out (reset
 * first): the changed layers' fields from fresh (raw MVT of those layers only, as tiles_build
 * writes them) and the others' from old (the earlier tile as stored, gzip'd or raw; empty when
 * there was none), in the layers' order. Errors: ERR_INVALID (an old tile that does not inflate
 * or split), ERR_LIMIT, ERR_NOMEM. */
err_code seed_splice_tile(seed_splice *s, const buf *old, const buf *fresh, buf *out, err *e);

#endif
