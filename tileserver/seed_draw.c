/* seed_draw.c — `teselas-seed`'s PNG renderer, opened (dlopen) on the first PNG tile or font
 * registry instead of linked: the four functions through which the rest of render/ reaches its
 * drawing files (fonts.c, glyphs.c, render.c and the files they call, the only ones that use
 * cairo, libpng, fontconfig and FreeType) are defined here as calls into teselas-seed-draw.so,
 * built from those same files beside the binary. The binary itself exports its symbols, which
 * the module's calls into the other modules resolve to.
 *
 * Why: linked, cairo brings 18 more libraries (X11's among them) into every seed, vector ones
 * included: 2.2 MB of resident memory and about a millisecond of CPU before main() (a program
 * that only links them: 1.64 ms and 4.3 MB against 0.65 ms and 2.1 MB, bench/RESULTS.md), for a
 * vector seed that never draws. `teselas` links the renderer as before.
 *
 * The table is filled once (pthread_once) and never changes after, as start-up configuration;
 * the module is never closed, since font faces and cairo's state live in it. */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "render/render_int.h"

#define SEED_DRAW_MODULE "teselas-seed-draw.so"

static struct {
  err_code (*fonts_init)(render_styles *reg, err *e);
  void (*fonts_fini)(render_styles *reg, bool last);
  err_code (*image)(const render_request *rq, arena *a, buf *out, render_stats *out_stats,
                    err *e);
  err_code (*glyphs_pbf)(const render_styles *reg, const char *fontstack, uint32_t start,
                         buf *out, err *e);
  char error[PATH_MAX + 256];
} draw;
static pthread_once_t draw_once = PTHREAD_ONCE_INIT;

/* The module's path: beside the binary (as the build and an install put them). */
static bool module_path(char *out, size_t n) {
  char exe[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0) return false;
  exe[len] = '\0';
  char *slash = strrchr(exe, '/');
  if (!slash) return false;
  *slash = '\0';
  return snprintf(out, n, "%s/%s", exe, SEED_DRAW_MODULE) < (int)n;
}

static void draw_load(void) {
  char path[PATH_MAX];
  if (!module_path(path, sizeof path)) {
    snprintf(draw.error, sizeof draw.error, "cannot find the directory of the binary");
    return;
  }
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(draw.error, sizeof draw.error, "%s", dlerror());
    return;
  }
  /* POSIX's way to turn dlsym's object pointer into a function pointer */
  *(void **)&draw.fonts_init = dlsym(h, "render_fonts_init");
  *(void **)&draw.fonts_fini = dlsym(h, "render_fonts_fini");
  *(void **)&draw.image = dlsym(h, "render_image");
  *(void **)&draw.glyphs_pbf = dlsym(h, "render_glyphs_pbf");
  if (!draw.fonts_init || !draw.fonts_fini || !draw.image || !draw.glyphs_pbf) {
    snprintf(draw.error, sizeof draw.error, "%s lacks the renderer's entry points", path);
    draw.fonts_init = NULL;
  }
}

static err_code draw_ready(err *e) {
  pthread_once(&draw_once, draw_load);
  return draw.fonts_init ? ERR_OK
                         : err_set(e, ERR_INTERNAL, "cannot load the PNG renderer (%s, beside "
                                   "teselas-seed; `teselas seed` has it built in): %s",
                                   SEED_DRAW_MODULE, draw.error);
}

err_code render_fonts_init(render_styles *reg, err *e) {
  err_code rc = draw_ready(e);
  return rc == ERR_OK ? draw.fonts_init(reg, e) : rc;
}

/* Only a registry whose fonts_init succeeded has fonts to release: the module is loaded then. */
void render_fonts_fini(render_styles *reg, bool last) {
  if (draw_ready(NULL) == ERR_OK) draw.fonts_fini(reg, last);
}

err_code render_image(const render_request *rq, arena *a, buf *out, render_stats *out_stats,
                      err *e) {
  err_code rc = draw_ready(e);
  return rc == ERR_OK ? draw.image(rq, a, out, out_stats, e) : rc;
}

err_code render_glyphs_pbf(const render_styles *reg, const char *fontstack, uint32_t start,
                           buf *out, err *e) {
  err_code rc = draw_ready(e);
  return rc == ERR_OK ? draw.glyphs_pbf(reg, fontstack, start, out, e) : rc;
}
