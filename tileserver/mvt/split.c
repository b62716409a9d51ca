/* split.c — a tile cut into its layers' bytes (see decode.h), so an incremental seed can keep the
 * layers that did not change, as stored, and encode again only the others: a tile is the
 * concatenation of its Tile.layers fields (MVT 2.1 §4.1), each layer independent of the others.
 * Bounded like decode.c: no read past a message, no recursion. */
#include "mvt/decode.h"

enum { W_VARINT = 0, W_I64 = 1, W_LEN = 2, W_I32 = 5 };
enum { TILE_LAYERS = 3, LAYER_NAME = 1 };

/* Reads a varint at *pos; false when truncated or longer than 10 bytes. */
static bool varint(const uint8_t *p, size_t n, size_t *pos, uint64_t *out) {
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 70 && *pos < n; shift += 7) {
    uint8_t b = p[(*pos)++];
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false;
}

/* Steps over one field at *pos: its number, wire type and, for W_LEN, its bytes. */
static bool next_field(const uint8_t *p, size_t n, size_t *pos, uint32_t *num, int *wire,
                       const uint8_t **s, size_t *s_len) {
  uint64_t key, v;
  if (!varint(p, n, pos, &key) || key >> 35) return false;
  *num = (uint32_t)(key >> 3);
  *wire = (int)(key & 7);
  switch (*wire) {
  case W_VARINT: return varint(p, n, pos, &v);
  case W_I64: return n - *pos >= 8 ? (*pos += 8, true) : false;
  case W_I32: return n - *pos >= 4 ? (*pos += 4, true) : false;
  case W_LEN:
    if (!varint(p, n, pos, &v) || v > n - *pos) return false;
    *s = p + *pos;
    *s_len = (size_t)v;
    *pos += (size_t)v;
    return true;
  default: return false;
  }
}

static bool layer_name(const uint8_t *p, size_t n, mvt_layer_span *out) {
  size_t pos = 0;
  while (pos < n) {
    uint32_t num;
    int wire;
    const uint8_t *s = NULL;
    size_t len = 0;
    if (!next_field(p, n, &pos, &num, &wire, &s, &len)) return false;
    if (num == LAYER_NAME && wire == W_LEN && len > 0) {
      out->name = s;
      out->name_len = len;
      return true;
    }
  }
  return false;
}

err_code mvt_tile_split(const uint8_t *data, size_t len, mvt_layer_span *out, size_t max,
                        size_t *out_n, err *e) {
  *out_n = 0;
  size_t pos = 0;
  while (pos < len) {
    size_t at = pos, body_len = 0;
    uint32_t num;
    int wire;
    const uint8_t *body = NULL;
    if (!next_field(data, len, &pos, &num, &wire, &body, &body_len))
      return err_set(e, ERR_INVALID, "tile: truncated or malformed field at byte %zu", at);
    if (num != TILE_LAYERS || wire != W_LEN)
      return err_set(e, ERR_INVALID, "tile: field %u at byte %zu is not a layer", num, at);
    if (*out_n == max) return err_set(e, ERR_LIMIT, "tile: more than %zu layers", max);
    mvt_layer_span *sp = &out[*out_n];
    sp->field = data + at;
    sp->field_len = pos - at;
    if (!layer_name(body, body_len, sp))
      return err_set(e, ERR_INVALID, "tile: the layer at byte %zu has no name", at);
    (*out_n)++;
  }
  return ERR_OK;
}
