/* fuzz_mvt — the vector tile decoder (mvt/decode.c) over any bytes, the reader of basemap tiles
 * from archives a user brings.
 *
 * Checks beyond "no crash, no out-of-bounds access, no leak, no UB": a decoded tile has the
 * layout of geom.h in every feature (offsets increasing, the last ones n_pts and n_parts, rings
 * closed, at least 2 points a line part and 4 a ring), coordinates inside the decoder's bound,
 * tags that index existing keys and values, an extent and version in range; and a second decode
 * in an arena of 4 KiB gives the same tile or fails with NOMEM/LIMIT, never another answer.
 * A failed check is abort(). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mvt/decode.h"

static void check_geom(const geom *g) {
  if (g->n_pts == 0 || g->n_parts == 0 || g->part_end[g->n_parts - 1] != g->n_pts) abort();
  for (uint32_t p = 0; p < g->n_parts; p++) {
    uint32_t start = geom_part_start(g->part_end, p), end = g->part_end[p];
    if (end <= start) abort();
    if (g->type == GEOM_LINESTRING && end - start < 2) abort();
    if (g->type == GEOM_POLYGON) {
      if (end - start < 4) abort();
      if (memcmp(&g->pts[start], &g->pts[end - 1], sizeof *g->pts) != 0) abort();
    }
  }
  if (g->type == GEOM_POINT && g->n_parts != 1) abort();
  if (g->type == GEOM_POLYGON) {
    if (g->n_polys == 0 || g->poly_end[g->n_polys - 1] != g->n_parts) abort();
    for (uint32_t k = 1; k < g->n_polys; k++)
      if (g->poly_end[k] <= g->poly_end[k - 1]) abort();
  } else if (g->n_polys != 0) {
    abort();
  }
  for (uint32_t i = 0; i < g->n_pts; i++)
    if (!isfinite(g->pts[i].x) || fabs(g->pts[i].x) > MVT_DECODE_MAX_COORD ||
        fabs(g->pts[i].y) > MVT_DECODE_MAX_COORD)
      abort();
}

static void check_tile(const mvt_decoded_tile *t) {
  for (uint32_t i = 0; i < t->n_layers; i++) {
    const mvt_decoded_layer *l = &t->layers[i];
    if (!l->name || l->version < 1 || l->version > 2 || l->extent < 1 ||
        l->extent > MVT_DECODE_MAX_EXTENT)
      abort();
    for (uint32_t k = 0; k < l->n_keys; k++)
      if (!l->keys[k]) abort();
    for (uint32_t f = 0; f < l->n_features; f++) {
      const mvt_decoded_feature *ft = &l->features[f];
      if (ft->n_tags % 2) abort();
      for (uint32_t k = 0; k < ft->n_tags; k += 2)
        if (ft->tags[k] >= l->n_keys || ft->tags[k + 1] >= l->n_values) abort();
      check_geom(&ft->g);
    }
  }
}

static bool same_tile(const mvt_decoded_tile *a, const mvt_decoded_tile *b) {
  if (a->n_layers != b->n_layers) return false;
  for (uint32_t i = 0; i < a->n_layers; i++) {
    const mvt_decoded_layer *x = &a->layers[i], *y = &b->layers[i];
    if (strcmp(x->name, y->name) || x->n_features != y->n_features || x->n_keys != y->n_keys)
      return false;
    for (uint32_t f = 0; f < x->n_features; f++) {
      const geom *g = &x->features[f].g, *h = &y->features[f].g;
      if (g->n_pts != h->n_pts || g->n_parts != h->n_parts ||
          memcmp(g->pts, h->pts, g->n_pts * sizeof *g->pts) != 0)
        return false;
    }
  }
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  arena *a = arena_create(64u << 20), *small = arena_create(4096);
  if (!a || !small) abort();
  mvt_decoded_tile t, t2;
  err_code rc = mvt_tile_decode(data, size, a, &t, NULL);
  if (rc == ERR_OK) check_tile(&t);
  else if (t.n_layers != 0) abort();
  err_code rc2 = mvt_tile_decode(data, size, small, &t2, NULL);
  if (rc2 == ERR_OK && (rc != ERR_OK || !same_tile(&t, &t2))) abort();
  if (rc2 != ERR_OK && rc2 != ERR_NOMEM && rc2 != ERR_LIMIT && rc2 != rc) abort();
  arena_destroy(small);
  arena_destroy(a);
  return 0;
}
