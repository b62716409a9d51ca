/* fuzz_geom.c — the checks of fuzz_geom.h. Every failed check is abort(): the fuzz targets run
 * outside the server, and abort() is how libFuzzer and the replay learn of a wrong result. */
#include "fuzz_geom.h"

#include "geom/geom_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { INPUT_MAX = 1 << 20 };
/* Cap of the arena under test: the pipeline's copies of a long input reach it, so its NOMEM
 * paths run too. */
#define ARENA_CAP ((size_t)4 << 20)

static void check_rc(err_code rc) {
  if (rc != ERR_OK && rc != ERR_INVALID && rc != ERR_NOMEM) abort();
}

/* g as a decoder returns it on ERR_OK: the layout of geom.h and finite coordinates. */
static void check_geom(const geom *g) {
  if ((unsigned)g->type > GEOM_POLYGON) abort();
  if (!geom_layout_ok(g->type, g->n_pts, g->part_end, g->n_parts, g->poly_end, g->n_polys))
    abort();
  for (uint32_t i = 0; i < g->n_pts; i++)
    if (!isfinite(g->pts[i].x) || !isfinite(g->pts[i].y)) abort();
}

static void same_u32(const uint32_t *a, const uint32_t *b, uint32_t n) {
  if (n && memcmp(a, b, n * sizeof *a) != 0) abort();
}

void fuzz_geom_expect_same(const geom *a, const geom *b) {
  if (a->type != b->type || a->multi != b->multi || a->n_pts != b->n_pts ||
      a->n_parts != b->n_parts || a->n_polys != b->n_polys)
    abort();
  if (a->n_pts && memcmp(a->pts, b->pts, a->n_pts * sizeof *a->pts) != 0) abort();
  same_u32(a->part_end, b->part_end, a->n_parts);
  same_u32(a->poly_end, b->poly_end, a->n_polys);
}

/* Offsets increase strictly and end at total (the layout of geom.h). */
static void check_ends(const uint32_t *end, uint32_t n, uint32_t total) {
  uint32_t prev = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (end[i] <= prev) abort();
    prev = end[i];
  }
  if (prev != total) abort();
}

/* What geom_quantize promises (MVT 2.1 §4.3): the layout, points inside the buffered tile, lines
 * of 2 points or more, open rings of 3 or more. */
static void check_tile(const tile_geom *t, const geom_tile_opts *o, geom_type type) {
  if (!t->n_pts) return;
  if (t->type != type) abort();
  check_ends(t->part_end, t->n_parts, t->n_pts);
  if (type == GEOM_POLYGON) check_ends(t->poly_end, t->n_polys, t->n_parts);
  else if (t->n_polys) abort();
  if (type == GEOM_POINT && t->n_parts != 1) abort();
  int64_t lo = -(int64_t)o->buffer, hi = (int64_t)o->extent + o->buffer;
  for (uint32_t i = 0; i < t->n_pts; i++)
    if (t->pts[i].x < lo || t->pts[i].x > hi || t->pts[i].y < lo || t->pts[i].y > hi) abort();
  uint32_t min_pts = type == GEOM_POLYGON ? 3 : type == GEOM_LINESTRING ? 2 : 1;
  for (uint32_t i = 0; i < t->n_parts; i++)
    if (t->part_end[i] - geom_part_start(t->part_end, i) < min_pts) abort();
}

static void expect_same_tile(const tile_geom *a, const tile_geom *b) {
  if (a->type != b->type || a->n_pts != b->n_pts || a->n_parts != b->n_parts ||
      a->n_polys != b->n_polys)
    abort();
  if (a->n_pts && memcmp(a->pts, b->pts, a->n_pts * sizeof *a->pts) != 0) abort();
  same_u32(a->part_end, b->part_end, a->n_parts);
  same_u32(a->poly_end, b->poly_end, a->n_polys);
}

/* Each tile twice: in a (the full cap), then in a 2 KiB arena, where every stage may run out of
 * memory: it must then fail with NOMEM and an empty result, or give the same geometry. */
static void check_tiles(const geom *g, arena *a) {
  /* 0/0/0, and 14/3564/7208 which holds León (-101.68, 21.12); tolerances as tiles/build.c
   * picks them below and past a layer's maxzoom. */
  const geom_tile_opts opts[] = {
      {{0, 0, 0}, GEOM_SRS_LONLAT, 4096, 64, 2.0},
      {{14, 3564, 7208}, GEOM_SRS_LONLAT, 4096, 64, 0.25},
  };
  for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
    tile_geom t, small_t;
    err_code rc = geom_to_tile(g, &opts[i], a, &t, NULL);
    check_rc(rc);
    if (rc == ERR_OK) check_tile(&t, &opts[i], g->type);
    arena *small = arena_create(2048);
    if (!small) continue;
    err_code small_rc = geom_to_tile(g, &opts[i], small, &small_t, NULL);
    if (small_rc == ERR_OK)
      expect_same_tile(&t, &small_t);
    else if ((small_rc != rc && small_rc != ERR_NOMEM) || small_t.n_pts)
      abort();
    arena_destroy(small);
  }
}

static void check_blob_round_trip(const geom *g, int32_t srid) {
  if (!g->n_pts) return;
  buf b;
  buf_init(&b, 0);
  err e;
  if (geom_blob_encode(g, srid, &b, &e) != ERR_OK) abort();
  arena *a = arena_create(0);
  geom back;
  int32_t back_srid = 0;
  if (!a || geom_blob_decode(b.data, b.len, a, &back, &back_srid, &e) != ERR_OK) abort();
  fuzz_geom_expect_same(g, &back);
  if (back_srid != srid) abort();
  arena_destroy(a);
  buf_free(&b);
}

static void check_small_arena(fuzz_geom_decode_fn decode, const uint8_t *data, size_t size,
                              err_code rc_full, const geom *g_full) {
  arena *a = arena_create(512);
  if (!a) return;
  geom g;
  int32_t srid;
  err_code rc = decode(data, size, a, &g, &srid);
  if (rc == ERR_OK)
    fuzz_geom_expect_same(g_full, &g);
  else if (rc != rc_full && !(rc == ERR_NOMEM && rc_full == ERR_OK))
    abort();
  arena_destroy(a);
}

void fuzz_geom_run(fuzz_geom_decode_fn decode, const uint8_t *data, size_t size,
                   fuzz_geom_check_fn check) {
  if (size > INPUT_MAX) return;
  arena *a = arena_create(ARENA_CAP);
  if (!a) return;
  geom g;
  int32_t srid = 0;
  err_code rc = decode(data, size, a, &g, &srid);
  check_rc(rc);
  if (rc == ERR_OK) {
    check_geom(&g);
    check_blob_round_trip(&g, srid);
    if (check) check(&g);
    check_tiles(&g, a);
  }
  check_small_arena(decode, data, size, rc, &g);
  arena_destroy(a);
}
