/* fuzz_ranked_line.c — libFuzzer target for the ranked-line decoder (geom/ranked.c), which reads
 * the blobs of <table>_tile_lines on every line tile: any bytes, in a buffer of exactly their
 * size so that ASan sees a read past the end, at a few tiles and tolerances. When the decoder
 * accepts them, its output must be a valid layout that the rest of the pipeline takes, and a
 * blob written back from the accepted vertices must read back through the same transform. */
#include <stdlib.h>
#include <string.h>

#include "geom/geom.h"

static void check_layout(const geom *g) {
  uint32_t prev = 0;
  for (uint32_t i = 0; i < g->n_parts; i++) {
    if (g->part_end[i] <= prev) abort();
    prev = g->part_end[i];
  }
  if (prev != g->n_pts || g->n_polys != 0 || g->type != GEOM_LINESTRING) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *copy = malloc(size ? size : 1);
  if (!copy) return 0;
  memcpy(copy, data, size);
  static const geom_tile_opts OPTS[] = {
      {{0, 0, 0}, GEOM_SRS_LONLAT, 4096, 64, 2.0},
      {{12, 891, 1802}, GEOM_SRS_LONLAT, 4096, 64, 2.0},
      {{16, 14262, 28832}, GEOM_SRS_LONLAT, 4096, 64, 0.25},
  };
  arena *a = arena_create(0);
  for (size_t k = 0; a && k < sizeof OPTS / sizeof *OPTS; k++) {
    arena_reset(a);
    geom g;
    geom_bbox px;
    if (geom_ranked_project(copy, size, &OPTS[k], a, &g, &px, NULL) != ERR_OK) continue;
    check_layout(&g);
    tile_geom tg;
    (void)geom_projected_to_tile(&g, &OPTS[k], a, &tg, NULL);
  }
  /* written back with every vertex (rank 1 each), read back at tolerance 0: the same vertices */
  if (a && geom_is_ranked(copy, size)) {
    arena_reset(a);
    geom_tile_opts keep_all = {{0, 0, 0}, GEOM_SRS_LONLAT, 4096, 64, 0};
    geom g, back;
    geom_bbox px;
    if (geom_ranked_project(copy, size, &keep_all, a, &g, &px, NULL) == ERR_OK && g.n_pts) {
      double *rank = arena_alloc(a, g.n_pts * sizeof *rank);
      if (!rank) abort();
      for (uint32_t i = 0; i < g.n_pts; i++) rank[i] = 1;
      buf b;
      buf_init(&b, 0);
      geom_ranked_write(&g, rank, 0, &b);
      if (b.failed || geom_ranked_project(b.data, b.len, &keep_all, a, &back, &px, NULL) != ERR_OK)
        abort();
      if (back.n_pts != g.n_pts || back.n_parts != g.n_parts) abort();
      /* what was read came out in tile units of z0: written back as world coordinates, it is
       * read back through the same transform once more */
      for (uint32_t i = 0; i < g.n_pts; i++) {
        map_pt want = geom_world_to_tile(g.pts[i], keep_all.tile, keep_all.extent);
        if (memcmp(&back.pts[i], &want, sizeof want) != 0) abort();
      }
      buf_free(&b);
    }
  }
  arena_destroy(a);
  free(copy);
  return 0;
}
