/* mvt_dump — one vector tile file, decoded by teselas' decoder (mvt/decode.c), as canonical
 * JSON on stdout, for tests/http/test_mvt_decode.sh to compare with an independent decoder's
 * view of the same file (dump_ref.mjs: npm @mapbox/vector-tile):
 *   {"layers": {NAME: {"version", "extent", "features": [{"id", "type", "props",
 *                                                         "parts": [[[x, y], ...], ...]}]}}}
 * A gzip'd file is inflated first. A tile the decoder refuses prints {"error": MESSAGE} and
 * exits 1. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/gzip.h"
#include "mvt/decode.h"

static json_t *value_json(const value *v) {
  switch (v->kind) {
    case VALUE_INT: return json_integer(v->i);
    case VALUE_REAL: return json_real(v->d);
    case VALUE_BOOL: return json_boolean(v->i);
    case VALUE_TEXT: return json_stringn(v->s, v->len);
    default: return json_null();
  }
}

static json_t *feature_json(const mvt_decoded_layer *l, const mvt_decoded_feature *f) {
  json_t *props = json_object(), *parts = json_array();
  for (uint32_t i = 0; i < f->n_tags; i += 2)
    json_object_set_new(props, l->keys[f->tags[i]], value_json(&l->values[f->tags[i + 1]]));
  for (uint32_t p = 0; p < f->g.n_parts; p++) {
    json_t *part = json_array();
    for (uint32_t i = geom_part_start(f->g.part_end, p); i < f->g.part_end[p]; i++)
      json_array_append_new(part, json_pack("[f,f]", f->g.pts[i].x, f->g.pts[i].y));
    json_array_append_new(parts, part);
  }
  json_t *polys = json_array();
  for (uint32_t k = 0; k < f->g.n_polys; k++)
    json_array_append_new(polys, json_integer(f->g.poly_end[k]));
  return json_pack("{s:o, s:i, s:o, s:o, s:o}", "id",
                   f->has_id ? json_integer((json_int_t)f->id) : json_null(), "type",
                   (int)f->g.type, "props", props, "parts", parts, "poly_end", polys);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: mvt_dump TILE.pbf\n");
    return 2;
  }
  FILE *fp = fopen(argv[1], "rb");
  if (!fp) return perror(argv[1]), 2;
  buf raw, tile;
  buf_init(&raw, 0);
  buf_init(&tile, 64u << 20);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) buf_append(&raw, chunk, n);
  fclose(fp);
  err e;
  err_clear(&e);
  bool gz = raw.len > 2 && raw.data[0] == 0x1f && raw.data[1] == 0x8b;
  if (gz && gzip_decompress(raw.data, raw.len, MVT_DECODE_MAX_BYTES, &tile, &e) != ERR_OK) {
    printf("{\"error\": \"gzip\"}\n");
    buf_free(&raw);
    buf_free(&tile);
    return 1;
  }
  const buf *b = gz ? &tile : &raw;
  arena *a = arena_create(0);
  mvt_decoded_tile t;
  if (mvt_tile_decode(b->data, b->len, a, &t, &e) != ERR_OK) {
    json_t *j = json_pack("{s:s}", "error", e.msg);
    json_dumpf(j, stdout, JSON_COMPACT);
    putchar('\n');
    json_decref(j);
    arena_destroy(a);
    buf_free(&raw);
    buf_free(&tile);
    return 1;
  }
  json_t *layers = json_object();
  for (uint32_t i = 0; i < t.n_layers; i++) {
    const mvt_decoded_layer *l = &t.layers[i];
    json_t *fs = json_array();
    for (uint32_t k = 0; k < l->n_features; k++)
      json_array_append_new(fs, feature_json(l, &l->features[k]));
    json_object_set_new(layers, l->name, json_pack("{s:i, s:i, s:o}", "version", l->version,
                                                   "extent", l->extent, "features", fs));
  }
  json_t *out = json_pack("{s:o}", "layers", layers);
  json_dumpf(out, stdout, JSON_COMPACT);
  putchar('\n');
  json_decref(out);
  arena_destroy(a);
  buf_free(&raw);
  buf_free(&tile);
  return 0;
}
