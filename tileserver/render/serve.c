/* serve.c — images and glyphs through the one cache (cache/cache.h), as tiles/serve.c puts vector
 * tiles through it: the HTTP handlers ask for an answer and get the bytes, cached or made now.
 * An image's key is the style's name, its ETag (the style's hash and the versions of the layers
 * it draws, so an import makes new keys) and its address; a glyph range's is its font stack and
 * first code point. Images are handed over pinned, so the cached bytes themselves are sent. */
#include "cache/cache.h"
#include "render/render.h"

err_code render_serve_image(const render_request *rq, cache *answers, const char *etag,
                            const char *address, arena *a, buf *out, cache_entry **out_pin,
                            err *e) {
  *out_pin = NULL;
  char *key = arena_sprintf(a, "%s%s|%s", render_style_name(rq->style), etag, address);
  if (!key) return err_set(e, ERR_NOMEM, "out of memory");
  if ((*out_pin = cache_pin(answers, key)) != NULL) return ERR_OK;
  size_t start = out->len;
  err_code rc = render_image(rq, a, out, NULL, e);
  if (rc == ERR_OK) cache_put(answers, key, out->data + start, out->len - start);
  return rc;
}

err_code render_serve_glyphs(const render_styles *reg, cache *answers, const char *fontstack,
                             uint32_t start, arena *a, buf *out, err *e) {
  char *key = arena_sprintf(a, "fonts|%s|%u", fontstack, (unsigned)start);
  if (!key) return err_set(e, ERR_NOMEM, "out of memory");
  if (cache_get(answers, key, out)) return ERR_OK;
  size_t at = out->len;
  err_code rc = render_glyphs_pbf(reg, fontstack, start, out, e);
  if (rc == ERR_OK) cache_put(answers, key, out->data + at, out->len - at);
  return rc;
}
