/* splice.c — an incremental seed's tile: the layers that changed, encoded again, set among the
 * layers of the earlier tile that did not, kept as stored.
 *
 * A tile is the concatenation of its layers' fields, each encoded from its own layer alone
 * (tiles_build: one field per layer that has features, in the seed's layer order), so a layer
 * whose version did not change has the same bytes in the earlier tile as a full seed would give
 * it. Re-encoding only the changed layers spares a tile of six layers five of its queries, and the
 * seed every cluster pyramid of the layers that did not change. The result is gzip'd as
 * tiles_serve does (level 6), so the bytes are the full seed's. */
#include <string.h>

#include "core/gzip.h"
#include "mvt/decode.h"
#include "seed/splice_int.h"

void seed_splice_init(seed_splice *s, const layer_info *const *layers, size_t n_layers,
                      uint32_t changed_mask) {
  memset(s, 0, sizeof *s);
  s->layers = layers;
  s->n_layers = n_layers;
  s->changed_mask = changed_mask;
  buf_init(&s->inflated, TILES_BYTE_LIMIT);
  buf_init(&s->raw, TILES_BYTE_LIMIT);
}

void seed_splice_free(seed_splice *s) {
  buf_free(&s->inflated);
  buf_free(&s->raw);
}

static const mvt_layer_span *find(const mvt_layer_span *spans, size_t n, const char *name) {
  size_t len = strlen(name);
  for (size_t i = 0; i < n; i++)
    if (spans[i].name_len == len && memcmp(spans[i].name, name, len) == 0) return &spans[i];
  return NULL;
}

static bool is_gzip(const buf *b) { return b->len >= 2 && b->data[0] == 0x1f && b->data[1] == 0x8b; }

err_code seed_splice_tile(seed_splice *s, const buf *old, const buf *fresh, buf *out, err *e) {
  buf_reset(out);
  buf_reset(&s->inflated);
  buf_reset(&s->raw);
  const buf *was = old;
  err_code rc = ERR_OK;
  if (is_gzip(old)) {
    if ((rc = gzip_decompress(old->data, old->len, TILES_BYTE_LIMIT, &s->inflated, e)) != ERR_OK)
      return rc;
    was = &s->inflated;
  }
  mvt_layer_span olds[TILES_MAX_LAYERS], news[TILES_MAX_LAYERS];
  size_t n_old = 0, n_new = 0;
  if ((rc = mvt_tile_split(was->data, was->len, olds, TILES_MAX_LAYERS, &n_old, e)) != ERR_OK ||
      (rc = mvt_tile_split(fresh->data, fresh->len, news, TILES_MAX_LAYERS, &n_new, e)) != ERR_OK)
    return rc;
  for (size_t i = 0; i < s->n_layers; i++) {
    bool changed = s->changed_mask & (1u << i);
    const mvt_layer_span *sp = changed ? find(news, n_new, s->layers[i]->id)
                                       : find(olds, n_old, s->layers[i]->id);
    if (sp) buf_append(&s->raw, sp->field, sp->field_len);
  }
  if (s->raw.failed) return err_set(e, ERR_LIMIT, "tile: more than %d bytes", TILES_BYTE_LIMIT);
  /* most candidates do not change: their stored bytes are the answer, without compressing */
  if (was == &s->inflated && s->raw.len == was->len && memcmp(s->raw.data, was->data, was->len) == 0)
    return buf_append(out, old->data, old->len) ? ERR_OK : err_set(e, ERR_NOMEM, "out of memory");
  return s->raw.len ? gzip_compress(s->raw.data, s->raw.len, 6, out, e) : ERR_OK;
}
