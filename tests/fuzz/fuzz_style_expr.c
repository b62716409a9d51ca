/* fuzz_style_expr.c — libFuzzer target for MapLibre style expressions (render/expr.c, legacy.c,
 * color.c, expr_eval.c): any JSON as an expression, compiled for each type a property expects,
 * then evaluated (fuzz_render.h) for three features at three zooms. Checks: OK, INVALID or NOMEM
 * only, a refusal naming a JSON pointer under the one given; evaluation pure and colours finite;
 * in a 4 KiB arena the same answer, or NOMEM. */
#include <stdint.h>
#include <string.h>

#include "fuzz_render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 16 * 1024) return 0;
  json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
  if (!j) return 0;
  for (int want = RT_ANY; want <= RT_ARRAY; want++) {
    arena *a = arena_create(4u << 20), *small = arena_create(4096);
    rexpr *x = NULL, *y = NULL;
    err e = {0}, e2 = {0};
    err_code rc = render_expr_compile(j, (rtype)want, a, "/layers/0/paint/x", &x, &e);
    if (rc != ERR_OK && rc != ERR_INVALID && rc != ERR_NOMEM) abort();
    if (rc == ERR_INVALID && strncmp(e.msg, "/layers/0/paint/x", 17) != 0) abort();
    err_code rc2 = render_expr_compile(j, (rtype)want, small, "/layers/0/paint/x", &y, &e2);
    if (rc2 != rc && rc2 != ERR_NOMEM) abort();
    if (rc == ERR_OK) fuzz_render_eval_all(x, a);
    arena_destroy(small);
    arena_destroy(a);
  }
  json_decref(j);
  return 0;
}
