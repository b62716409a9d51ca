/* purge.c — the list of URLs an update made stale, for a CDN purge: the vector tiles that
 * changed, then the PNG tiles of every style that draws a changed layer. The order is fixed (tile
 * id order within each part), so the CLI's file and the HTTP pages list the same URLs alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive/pmtiles.h"
#include "render/render.h"
#include "seed/changes.h"

size_t seed_styles_drawing(const render_styles *reg, const catalog *cat,
                           const char *const *layer_ids, size_t n_ids, arena *a,
                           const char **out, size_t max) {
  enum { MAX_LISTED = 1024 };
  render_style_entry list[MAX_LISTED];
  size_t n_list = render_styles_list(reg, cat, list, MAX_LISTED), n = 0;
  for (size_t i = 0; i < n_list && n < max; i++) {
    const layer_info *drawn[64];
    size_t n_drawn = 0;
    if (list[i].automatic) { /* its layers, without building the style */
      n_drawn = render_style_auto_layers(cat, list[i].name, drawn, 64);
    } else {
      const render_style *s;
      err e;
      if (render_style_resolve(reg, cat, list[i].name, strlen(list[i].name), a, &s, &e) != ERR_OK)
        continue;
      n_drawn = render_style_layers(s, cat, drawn, 64);
    }
    bool draws = false;
    for (size_t k = 0; k < n_drawn && !draws; k++)
      for (size_t j = 0; j < n_ids && !draws; j++) draws = strcmp(drawn[k]->id, layer_ids[j]) == 0;
    if (draws) out[n++] = arena_strdup(a, list[i].name);
  }
  return n;
}

/* Calls fn for each address of the range in set (every one when all), in tile-id order; stops
 * when fn returns non-zero and returns that. */
static int each_address(const seed_range *r, const seed_tileset *set, bool all,
                        int (*fn)(void *, unsigned, uint32_t, uint32_t), void *ctx) {
  if (!all) { /* the set's own ids, sorted: the range may be far larger than the set */
    size_t n;
    uint64_t *ids = seed_tileset_sorted(set, &n);
    int stop = 0;
    for (size_t i = 0; ids && i < n && !stop; i++) {
      unsigned z;
      uint32_t x, y;
      if (pmtiles_id_to_zxy(ids[i], &z, &x, &y)) stop = fn(ctx, z, x, y);
    }
    free(ids);
    return stop;
  }
  seed_iter it;
  seed_iter_init(&it, r);
  unsigned z;
  uint32_t x, y;
  uint64_t id;
  while (seed_iter_next(&it, &z, &x, &y, &id)) {
    if (!all && !seed_tileset_has(set, id)) continue;
    int stop = fn(ctx, z, x, y);
    if (stop) return stop;
  }
  return 0;
}

typedef struct emit {
  const char *prefix, *suffix;  /* "/tiles/a" ".pbf" or "/styles/s" ".png" */
  int (*fn)(void *ctx, const char *url);
  void *ctx;
} emit;

static int emit_one(void *ctx, unsigned z, uint32_t x, uint32_t y) {
  emit *m = ctx;
  char url[1024];
  snprintf(url, sizeof url, "%s/%u/%u/%u%s", m->prefix, z, x, y, m->suffix);
  return m->fn(m->ctx, url);
}

void seed_urls_each(const seed_urls *u, int (*fn)(void *ctx, const char *url), void *ctx) {
  char prefix[512];
  emit m = {prefix, ".pbf", fn, ctx};
  for (size_t i = 0; i < u->n_tile_ids; i++) {
    snprintf(prefix, sizeof prefix, "/tiles/%s", u->tile_ids[i]);
    if (each_address(u->range, u->tiles, false, emit_one, &m)) return;
  }
  for (size_t i = 0; i < u->n_styles; i++)
    for (size_t k = 0; k < u->n_suffixes; k++) {
      snprintf(prefix, sizeof prefix, "/styles/%s", u->styles[i]);
      m.suffix = u->suffixes[k];
      if (each_address(u->range, u->images, u->images_all, emit_one, &m)) return;
    }
}
