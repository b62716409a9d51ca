/* splice.c — an incremental seed's tile: the layers that changed, encoded again, set among the
 * layers of the earlier tile that did not, kept as stored.
 *
 * A tile is the concatenation of its layers' fields, each encoded from its own layer alone
 * (tiles_build: one field per layer that has features, in the seed's layer order), so a layer
 * whose version did not change has the same bytes in the earlier tile as a full seed would give
 * it. Re-encoding only the changed layers spares a tile of six layers five of its queries, and the
 * seed every cluster pyramid of the layers that did not change. The result is gzip'd as
 * tiles_serve does (level 6), so the bytes are the full seed's. A layer's label points
 * (GEN_LABELS_SUFFIX) come from the same features, so they go with it. */
#include <stdio.h>
#include <string.h>

#include "core/gzip.h"
#include "gen/gen.h"
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
  s->deflater = gzip_deflater_create(GZIP_LEVEL_ANSWER);
}

void seed_splice_free(seed_splice *s) {
  buf_free(&s->inflated);
  buf_free(&s->raw);
  gzip_deflater_destroy(s->deflater);
}

static const mvt_layer_span *find(const mvt_layer_span *spans, size_t n, const char *name) {
  size_t len = strlen(name);
  for (size_t i = 0; i < n; i++)
    if (spans[i].name_len == len && memcmp(spans[i].name, name, len) == 0) return &spans[i];
  return NULL;
}

/* Appends layer id's field and, after it, its label points' field (tiles_build's order). */
static void append_layer(buf *raw, const mvt_layer_span *spans, size_t n, const char *id) {
  char labels[80];
  snprintf(labels, sizeof labels, "%s%s", id, GEN_LABELS_SUFFIX);
  const mvt_layer_span *sp = find(spans, n, id), *lp = find(spans, n, labels);
  if (sp) buf_append(raw, sp->field, sp->field_len);
  if (lp) buf_append(raw, lp->field, lp->field_len);
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
  enum { MAX_SPANS = 2 * TILES_MAX_LAYERS }; /* each layer and its label points */
  mvt_layer_span olds[MAX_SPANS], news[MAX_SPANS];
  size_t n_old = 0, n_new = 0;
  if ((rc = mvt_tile_split(was->data, was->len, olds, MAX_SPANS, &n_old, e)) != ERR_OK ||
      (rc = mvt_tile_split(fresh->data, fresh->len, news, MAX_SPANS, &n_new, e)) != ERR_OK)
    return rc;
  for (size_t i = 0; i < s->n_layers; i++) {
    bool changed = s->changed_mask & (1u << i);
    if (changed) append_layer(&s->raw, news, n_new, s->layers[i]->id);
    else append_layer(&s->raw, olds, n_old, s->layers[i]->id);
  }
  if (s->raw.failed) return err_set(e, ERR_LIMIT, "tile: more than %d bytes", TILES_BYTE_LIMIT);
  /* most candidates do not change: their stored bytes are the answer, without compressing */
  if (was == &s->inflated && s->raw.len == was->len && memcmp(s->raw.data, was->data, was->len) == 0)
    return buf_append(out, old->data, old->len) ? ERR_OK : err_set(e, ERR_NOMEM, "out of memory");
  if (!s->raw.len) return ERR_OK;
  if (!s->deflater) return err_set(e, ERR_NOMEM, "out of memory");
  return gzip_deflate(s->deflater, s->raw.data, s->raw.len, out, e);
}
