/* layer.c — the MVT 2.1 layer builder (§4.1 layers, §4.2 features, §4.4 attributes).
 *
 * Features are encoded as soon as they end, into one growing buffer of Layer.features fields;
 * keys and values go to dedup tables (intern.c). Finishing writes the Layer message around them,
 * its length known in advance (pbf.h explains why size-first). A feature's keys and values are
 * marked when it begins so a rollback removes exactly what it added, as vtzero's rollback does.
 * It does not sort or merge features, nor check id uniqueness: the caller decides what goes in. */
#include "mvt/mvt_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

enum {
  LAYER_NAME = 1, LAYER_FEATURES = 2, LAYER_KEYS = 3, LAYER_VALUES = 4, LAYER_EXTENT = 5,
  LAYER_VERSION = 15,
  FEATURE_ID = 1, FEATURE_TAGS = 2, FEATURE_TYPE = 3, FEATURE_GEOMETRY = 4,
  VAL_STRING = 1, VAL_DOUBLE = 3, VAL_UINT = 5, VAL_SINT = 6, VAL_BOOLEAN = 7,
  TILE_LAYERS = 3
};

struct mvt_layer {
  char *name;
  size_t name_len;
  uint32_t extent;
  size_t limit;      /* SIZE_MAX when none */
  err status;        /* sticky: ERR_NOMEM or ERR_LIMIT once failed */
  buf features;      /* Layer.features fields, back to back */
  uint32_t n_features;
  mvt_intern keys, values;
  buf scratch;       /* the Value message being interned */
  /* the open feature */
  bool open, has_geom, has_id;
  uint64_t id;
  geom_type type;
  mvt_u32s tags;
  buf geom;          /* the open feature's packed geometry (§4.3 integers as varints) */
  uint32_t mark_keys, mark_values;
};

static err_code fail(mvt_layer *l, err_code code, const char *what, err *e) {
  err_set(&l->status, code, "%s: %s", code == ERR_LIMIT ? "tile byte limit reached"
                                                         : "out of memory", what);
  if (e) *e = l->status;
  return code;
}

static err_code sticky(const mvt_layer *l, err *e) {
  if (e) *e = l->status;
  return l->status.code;
}

err_code mvt_layer_create(const char *name, uint32_t extent, size_t byte_limit,
                          mvt_layer **out_layer, err *e) {
  *out_layer = NULL;
  if (!name || !*name) return err_set(e, ERR_INVALID, "an MVT layer needs a name (section 4.1)");
  if (!extent) return err_set(e, ERR_INVALID, "an MVT layer extent must be positive");
  size_t name_len = strlen(name);
  mvt_layer *l = calloc(1, sizeof *l);
  if (l) l->name = malloc(name_len + 1);
  if (!l || !l->name) {
    free(l);
    return err_set(e, ERR_NOMEM, "out of memory creating layer %s", name);
  }
  memcpy(l->name, name, name_len + 1);
  l->name_len = name_len;
  l->extent = extent;
  l->limit = byte_limit ? byte_limit : SIZE_MAX;
  buf_init(&l->features, byte_limit);
  buf_init(&l->scratch, byte_limit);
  /* room is reserved at 5 bytes an integer, so the bound is five times the limit; what is kept
     is checked against the limit itself (mvt_layer_feature_geom) */
  buf_init(&l->geom, l->limit > SIZE_MAX / 5 ? 0 : 5 * l->limit);
  mvt_intern_init(&l->keys, LAYER_KEYS, byte_limit);
  mvt_intern_init(&l->values, LAYER_VALUES, byte_limit);
  /* Every tag or command integer costs at least one byte once encoded. */
  l->tags.limit_n = byte_limit;
  *out_layer = l;
  return ERR_OK;
}

void mvt_layer_destroy(mvt_layer *l) {
  if (!l) return;
  buf_free(&l->features);
  buf_free(&l->scratch);
  mvt_intern_free(&l->keys);
  mvt_intern_free(&l->values);
  mvt_u32s_free(&l->tags);
  buf_free(&l->geom);
  free(l->name);
  free(l);
}

uint32_t mvt_layer_feature_count(const mvt_layer *l) { return l->n_features; }

static size_t body_size(const mvt_layer *l) {
  return pbf_tag_size(LAYER_VERSION) + pbf_varint_size(MVT_VERSION) +
         pbf_len_field_size(LAYER_NAME, l->name_len) + l->features.len + l->keys.framed +
         l->values.framed + pbf_tag_size(LAYER_EXTENT) + pbf_varint_size(l->extent);
}

size_t mvt_layer_size(const mvt_layer *l) { return pbf_len_field_size(TILE_LAYERS, body_size(l)); }

err_code mvt_layer_feature_begin(mvt_layer *l, bool has_id, uint64_t id, err *e) {
  if (l->status.code) return sticky(l, e);
  if (l->open) mvt_layer_feature_rollback(l);
  l->open = true;
  l->has_geom = false;
  l->has_id = has_id;
  l->id = id;
  l->tags.n = 0;
  buf_reset(&l->geom);
  l->mark_keys = l->keys.n;
  l->mark_values = l->values.n;
  return ERR_OK;
}

err_code mvt_layer_feature_geom(mvt_layer *l, const tile_geom *g, err *e) {
  if (l->status.code) return sticky(l, e);
  if (!l->open) return err_set(e, ERR_INVALID, "no open feature");
  l->has_geom = false;
  err_code rc = mvt_geom_encode_bytes(g, &l->geom, e);
  if (rc == ERR_OK && l->geom.len > l->limit) rc = ERR_LIMIT;
  if (rc == ERR_NOMEM || rc == ERR_LIMIT) return fail(l, rc, "feature geometry", e);
  if (rc) return rc;
  l->has_geom = l->geom.len > 0;
  l->type = g->type;
  return ERR_OK;
}

/* The Value message of v in scratch (§4.1); false for a kind MVT cannot hold. */
static bool encode_value(buf *b, const value *v) {
  buf_reset(b);
  switch (v->kind) {
    case VALUE_TEXT: pbf_put_bytes_field(b, VAL_STRING, v->s, v->len); break;
    case VALUE_REAL: pbf_put_double_field(b, VAL_DOUBLE, v->d); break;
    case VALUE_BOOL: pbf_put_uint_field(b, VAL_BOOLEAN, v->i != 0); break;
    case VALUE_INT:
      if (v->i >= 0)
        pbf_put_uint_field(b, VAL_UINT, (uint64_t)v->i);
      else
        pbf_put_sint_field(b, VAL_SINT, v->i);
      break;
    default: return false;
  }
  return true;
}

err_code mvt_layer_feature_prop(mvt_layer *l, const char *key, const value *v, err *e) {
  if (l->status.code) return sticky(l, e);
  if (!l->open) return err_set(e, ERR_INVALID, "no open feature");
  if (v->kind == VALUE_NULL) return ERR_OK; /* MVT has no null: the attribute is absent */
  if (!encode_value(&l->scratch, v))
    return err_set(e, ERR_INVALID, "attribute %s has an unknown value kind", key);
  if (l->scratch.failed) return fail(l, l->scratch.over_limit ? ERR_LIMIT : ERR_NOMEM, key, e);
  uint32_t ki, vi;
  err_code rc = mvt_intern_get(&l->keys, key, strlen(key), &ki);
  if (rc) return fail(l, rc, "attribute key", e);
  for (size_t i = 0; i < l->tags.n; i += 2)
    if (l->tags.v[i] == ki) return ERR_OK; /* §4.4: one value per key; the first wins */
  rc = mvt_intern_get(&l->values, l->scratch.data, l->scratch.len, &vi);
  if (rc) return fail(l, rc, "attribute value", e);
  mvt_u32s_push(&l->tags, ki);
  if (!mvt_u32s_push(&l->tags, vi))
    return fail(l, l->tags.over_limit ? ERR_LIMIT : ERR_NOMEM, "feature tags", e);
  return ERR_OK;
}

void mvt_layer_feature_rollback(mvt_layer *l) {
  if (!l->open) return;
  mvt_intern_truncate(&l->keys, l->mark_keys);
  mvt_intern_truncate(&l->values, l->mark_values);
  l->tags.n = 0;
  buf_reset(&l->geom);
  l->open = l->has_geom = false;
}

/* Feature message (§4.2): id, tags (packed), type, geometry (packed), in field order. */
static void write_feature(mvt_layer *l) {
  size_t tags_len = pbf_packed_uint32_size(l->tags.v, l->tags.n);
  size_t cmds_len = l->geom.len;
  size_t body = pbf_tag_size(FEATURE_TYPE) + pbf_varint_size((uint64_t)l->type) +
                pbf_len_field_size(FEATURE_GEOMETRY, cmds_len);
  if (l->has_id) body += pbf_tag_size(FEATURE_ID) + pbf_varint_size(l->id);
  if (l->tags.n) body += pbf_len_field_size(FEATURE_TAGS, tags_len);
  buf *b = &l->features;
  pbf_put_len_header(b, LAYER_FEATURES, body);
  if (l->has_id) pbf_put_uint_field(b, FEATURE_ID, l->id);
  pbf_put_packed_uint32(b, FEATURE_TAGS, l->tags.v, l->tags.n);
  pbf_put_uint_field(b, FEATURE_TYPE, (uint64_t)l->type);
  pbf_put_bytes_field(b, FEATURE_GEOMETRY, l->geom.data, l->geom.len); /* packed, §4.3 */
}

err_code mvt_layer_feature_end(mvt_layer *l, bool *out_kept, err *e) {
  if (out_kept) *out_kept = false;
  if (l->status.code) return sticky(l, e);
  if (!l->open) return err_set(e, ERR_INVALID, "no open feature");
  if (!l->has_geom) { /* empty after clipping, or never set: no trace in the layer */
    mvt_layer_feature_rollback(l);
    return ERR_OK;
  }
  write_feature(l);
  l->open = false;
  if (l->features.failed)
    return fail(l, l->features.over_limit ? ERR_LIMIT : ERR_NOMEM, "features", e);
  if (mvt_layer_size(l) > l->limit) return fail(l, ERR_LIMIT, "layer", e);
  l->n_features++;
  if (out_kept) *out_kept = true;
  return ERR_OK;
}

err_code mvt_layer_add_feature(mvt_layer *l, const mvt_feature *f, bool *out_kept, err *e) {
  if (out_kept) *out_kept = false;
  err_code rc = mvt_layer_feature_begin(l, f->has_id, f->id, e);
  if (!rc) rc = mvt_layer_feature_geom(l, f->geom, e);
  if (!rc && !l->has_geom) { /* nothing to draw: skip the attributes altogether */
    mvt_layer_feature_rollback(l);
    return ERR_OK;
  }
  for (size_t i = 0; !rc && i < f->n_props; i++)
    rc = mvt_layer_feature_prop(l, f->keys[i], &f->values[i], e);
  if (!rc) return mvt_layer_feature_end(l, out_kept, e);
  mvt_layer_feature_rollback(l);
  return rc;
}

err_code mvt_layer_finish(mvt_layer *l, buf *tile, err *e) {
  mvt_layer_feature_rollback(l);
  if (l->status.code) return sticky(l, e);
  if (!l->n_features) return ERR_OK;
  if (mvt_tile_has_layer(tile->data, tile->len, l->name, l->name_len))
    return err_set(e, ERR_INVALID, "the tile already has a layer named %s (section 4.1)", l->name);
  size_t body = body_size(l), total = pbf_len_field_size(TILE_LAYERS, body);
  /* Checked before writing, so a tile too small for this layer stays intact for the others. */
  if (tile->failed || total > tile->limit - tile->len)
    return err_set(e, ERR_LIMIT, "layer %s does not fit in the tile byte limit", l->name);
  size_t start = tile->len;
  pbf_put_len_header(tile, TILE_LAYERS, body);
  pbf_put_uint_field(tile, LAYER_VERSION, MVT_VERSION); /* §4.1: version SHOULD come first */
  pbf_put_bytes_field(tile, LAYER_NAME, l->name, l->name_len);
  buf_append(tile, l->features.data, l->features.len);
  mvt_intern_write(&l->keys, tile);
  mvt_intern_write(&l->values, tile);
  pbf_put_uint_field(tile, LAYER_EXTENT, l->extent);
  if (tile->failed)
    return err_set(e, tile->over_limit ? ERR_LIMIT : ERR_NOMEM, "could not append layer %s",
                   l->name);
  assert(tile->len - start == total);
  (void)start;
  return ERR_OK;
}
