/* fuzz_style.c — libFuzzer target for MapLibre style documents (render/style.c: what --styles DIR
 * and the built-in styles/ load): any text as a style. Checks: OK, INVALID or NOMEM only; a
 * compiled style has at most RENDER_MAX_LAYERS layers, each with a source index in range and
 * ordered zooms, and every filter and property evaluates (fuzz_render.h); the compact text it
 * keeps compiles again to the same layers, sources, text and hash. */
#include <stdint.h>
#include <string.h>

#include "fuzz_render.h"

static void check_style(const render_style *s, arena *a) {
  if (s->n_layers > RENDER_MAX_LAYERS || !s->text) abort();
  for (size_t i = 0; i < s->n_layers; i++) {
    const rlayer *L = &s->layers[i];
    if (L->source_index < -1 || L->source_index >= (int)s->n_sources || !L->id) abort();
    fuzz_render_eval_all(L->filter, a);
    for (int p = 0; p < RP_COUNT; p++) fuzz_render_eval_all(L->props[p], a);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 64 * 1024) return 0;
  arena *a = arena_create(16u << 20);
  render_style *s = NULL, *again = NULL;
  err e = {0};
  err_code rc = render_style_parse("fuzz", (const char *)data, size, a, &s, &e);
  if (rc != ERR_OK && rc != ERR_INVALID && rc != ERR_NOMEM) abort();
  if (rc == ERR_INVALID && e.msg[0] != '/') abort(); /* every problem names its JSON pointer */
  if (rc == ERR_OK) {
    check_style(s, a);
    if (render_style_parse("fuzz", s->text, strlen(s->text), a, &again, &e) != ERR_OK ||
        again->n_layers != s->n_layers || again->n_sources != s->n_sources ||
        strcmp(again->text, s->text) != 0 || again->hash != s->hash)
      abort();
  }
  arena_destroy(a);
  return 0;
}
