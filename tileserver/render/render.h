/* render.h — MapLibre styles and the server-side renderer: a style and a view in, a PNG out.
 *
 * The registry holds the styles (the built-in ones of styles/ and a user's --styles DIR), each
 * parsed, validated and compiled once at start-up, and the font faces the labels use. A layer of
 * the catalog that no style names still gets an automatic style, built per request from its
 * geometry type. Rendering reads the store directly (no MVT round trip): the features of the view
 * go through the geometry stages of geom/ in device pixels and are drawn with cairo,
 * anti-aliased. A source naming an archive of serve --archive (a vector basemap) is drawn from
 * that archive's tiles, decoded, under the style's other layers. Dense point layers are drawn as the vector tiles hold them (tiles/ clusters), so
 * the PNG shows what the browser shows.
 *
 * Nothing here knows HTTP. The registry is immutable after render_styles_create, so every worker
 * thread reads it without a lock. */
#ifndef TESELAS_RENDER_H
#define TESELAS_RENDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "geom/geom.h"
#include "store/store.h"

enum {
  RENDER_TILE_SIZE = 256,
  RENDER_MAX_SIZE = 2048,  /* largest static image side, in CSS pixels */
  RENDER_MAX_LAYERS = 128  /* style layers */
};

typedef struct render_style render_style;
typedef struct render_styles render_styles;

/* ---- the registry ---------------------------------------------------------------------------- */

/* Loads every *.json of builtin_dir and then of user_dir (either may be NULL; a user's style with
 * a built-in's name replaces it). A file that is not a valid style is logged with its path and
 * the JSON pointer of the problem, and the others still load. Fails only on ERR_NOMEM or when
 * user_dir cannot be read (ERR_IO). Caller owns; render_styles_destroy. */
err_code render_styles_create(const char *builtin_dir, const char *user_dir, render_styles **out,
                              err *e);
/* The same without fonts (fontconfig and its XML configuration are not loaded: 6 % of a small
 * incremental seed), for reading styles (which layers they draw), never for drawing. */
err_code render_styles_create_unfonted(const char *builtin_dir, const char *user_dir,
                                       render_styles **out, err *e);
void render_styles_destroy(render_styles *reg);
/* Frees a registry while another one lives (a server that reloaded its styles): the process-wide
 * font state (cairo's caches, fontconfig) stays for the last one's render_styles_destroy, which
 * resets it and would fail cairo's assertion on faces still in use. */
void render_styles_destroy_replaced(render_styles *reg);

size_t render_styles_count(const render_styles *reg);
const render_style *render_styles_at(const render_styles *reg, size_t i);
/* The named style, or NULL. */
const render_style *render_styles_find(const render_styles *reg, const char *name, size_t len);
/* Problems found at load, one line each ("PATH: POINTER: message"), "" when none. */
const char *render_styles_problems(const render_styles *reg);

/* Parses and compiles one style document (text) into arena a, for tests and the registry.
 * Errors: ERR_INVALID with "POINTER: message". */
err_code render_style_parse(const char *name, const char *text, size_t len, arena *a,
                            render_style **out, err *e);
/* The composite automatic style of every layer, and its title. */
#define RENDER_ALL_STYLE "todas"
#define RENDER_ALL_TITLE "Todas las capas"

/* The automatic style of catalog layer l, drawn by the choice stored with its version at import
 * (categories, graduated classes, a single colour; clusters; labels) with legend metadata on
 * its style layers, over a dimmed boundary layer of c when c has one around it (c may be NULL).
 * In arena a. */
err_code render_style_auto(const catalog *c, const layer_info *l, arena *a, render_style **out,
                           err *e);
/* The composite automatic style `todas` of every layer of c, in arena a. */
err_code render_style_all(const catalog *c, arena *a, render_style **out, err *e);

/* The catalog layers an automatic style draws, as render_style_auto and render_style_all choose
 * them (a layer's own style: its boundary layer, if any, and the layer; `todas`: every layer it
 * draws), without building the style: a purge list asks this of every automatic style, and
 * building them all was a tenth of a small incremental seed. 0 when name is neither. */
size_t render_style_auto_layers(const catalog *c, const char *name, const layer_info **out,
                                size_t max);

/* One style /styles offers. Strings borrowed from the registry or the catalog. */
typedef struct render_style_entry {
  const char *name;
  const char *title;
  bool automatic;
} render_style_entry;

/* The styles offered for catalog c, in the order a client should prefer them: named styles that
 * draw at least one layer of c; `todas` (so it is first when none does); one automatic style per
 * layer that no named style replaces. Returns how many (at most max). */
size_t render_styles_list(const render_styles *reg, const catalog *c, render_style_entry *out,
                          size_t max);
/* A style render_styles_list offers, by name: the named one, or an automatic one built in
 * arena a. ERR_NOT_FOUND for any other name (a named style that draws nothing here included). */
err_code render_style_resolve(const render_styles *reg, const catalog *c, const char *name,
                              size_t len, arena *a, const render_style **out, err *e);
/* Logs, once at start-up, each named style that is not offered for c and why. */
void render_styles_log_skipped(const render_styles *reg, const catalog *c);

const char *render_style_name(const render_style *s);
const char *render_style_title(const render_style *s);
bool render_style_is_auto(const render_style *s);
/* The lowest zoom at which style s draws catalog layer layer_id, or -1 when it never does. */
double render_style_min_zoom(const render_style *s, const char *layer_id);
/* The archives the style draws as basemaps (its sources "mbtiles://NAME", "mbtiles://{NAME}",
 * "pmtiles://NAME"), by name, borrowed from the style (at most max; returns how many). */
size_t render_style_archives(const render_style *s, const char **out, size_t max);
/* The catalog layers the style draws that exist in c (at most max; returns how many). */
size_t render_style_layers(const render_style *s, const catalog *c, const layer_info **out,
                           size_t max);

/* The style as MapLibre GL JS loads it: "teselas://ids" sources become absolute TileJSON URLs
 * under base_url of the layers of c they name; a source none of whose layers exist is removed
 * with the style layers that use it, and metadata."teselas:missing_layers" lists the catalog
 * layers the style names that c lacks. glyphs point at this server's /fonts. New reference;
 * caller json_decref. */
json_t *render_style_document(const render_style *s, const catalog *c, const char *base_url);

/* ---- views ------------------------------------------------------------------------------------- */

typedef struct render_view {
  geom_bbox merc;     /* EPSG:3857 metres of the image's edges */
  uint32_t width;     /* CSS pixels */
  uint32_t height;
  double ratio;       /* device pixels per CSS pixel: 1 or 2 (@2x) */
  double zoom;        /* style zoom (MapLibre: a 512-px world at zoom 0) */
  bool is_tile;       /* a 256-px XYZ tile: clusters follow the vector tiles */
} render_view;

/* XYZ tile t of 256 CSS pixels: style zoom t.z - 1, as MapLibre shows the same ground at that
 * zoom (its world is 512 px wide at zoom 0). */
render_view render_view_tile(geom_tile_id t, double ratio);
/* w×h CSS pixels centred on lon/lat at style zoom. ERR_INVALID out of range. */
err_code render_view_center(double lon, double lat, double zoom, uint32_t w, uint32_t h,
                            double ratio, render_view *out, err *e);
/* The lon/lat box fitted into w×h (the box is centred; the longer side fills the image). */
err_code render_view_bbox(const geom_bbox *lonlat, uint32_t w, uint32_t h, double ratio,
                          render_view *out, err *e);

/* ---- rendering --------------------------------------------------------------------------------- */

typedef struct render_stats {
  uint32_t n_features;  /* drawn (clusters count once) */
  uint32_t n_labels;    /* placed */
} render_stats;

struct pyramid_registry;
struct archive_set;

typedef struct render_request {
  store_reader *reader;                /* the worker's connection */
  const catalog *catalog;              /* the request's snapshot */
  struct pyramid_registry *pyramids;   /* precomputed clusters (gen/pyramid.h), or NULL */
  const render_styles *styles;         /* fonts */
  const render_style *style;
  render_view view;
  const char *only_layers;             /* comma list of catalog layers to draw, or NULL for all */
  const struct archive_set *archives;  /* basemap sources (archives/archives.h), or NULL: none */
} render_request;

/* Draws rq->style over rq->view with the features of the catalog's layers and appends the PNG to
 * out. Memory comes from arena a (the request's). Errors: ERR_DB, ERR_NOMEM, ERR_LIMIT (the arena
 * cap). out_stats may be NULL. */
err_code render_image(const render_request *rq, arena *a, buf *out, render_stats *out_stats,
                      err *e);

/* A strong ETag of style s drawn at `address` ("z/x/y@2x", "static/..."): the style's hash and
 * the versions of the layers it draws. Written into out (>= 96 bytes). */
void render_etag(const render_style *s, const catalog *c, const char *address, char *out,
                 size_t out_len);

/* ---- served through the cache (serve.c) --------------------------------------------------------- */

/* The image as a client gets it, like tiles_serve for vector tiles: from cache (cache/cache.h)
 * when there, else drawn (render_image) and cached. Its key is the style's name, etag (from
 * render_etag) and address, composed in arena a. A hit is handed over pinned, not copied: *out_pin
 * is the entry holding the bytes, which the caller releases with cache_release once they are
 * sent; otherwise *out_pin is NULL and the PNG was appended to out (whose limit bounds the image).
 * cache may be NULL. Errors: those of render_image; *out_pin is NULL then. */
struct cache;
struct cache_entry;
err_code render_serve_image(const render_request *rq, struct cache *answers, const char *etag,
                            const char *address, arena *a, buf *out,
                            struct cache_entry **out_pin, err *e);

/* The glyph range of render_glyphs_pbf, from cache when there (copied into out), else built and
 * cached under "fonts|<stack>|<start>" (composed in arena a). Errors: those of
 * render_glyphs_pbf, ERR_NOMEM. */
err_code render_serve_glyphs(const render_styles *reg, struct cache *answers,
                             const char *fontstack, uint32_t start, arena *a, buf *out, err *e);

/* ---- PNG (png.c) ------------------------------------------------------------------------------ */

/* Encodes a cairo ARGB32 image (premultiplied, native endian, `stride` bytes a row) as PNG:
 * a fully transparent or single-colour image as a 1-bit palette image (about 100 bytes for a
 * tile), a palette image with tRNS when it has at most 256 colours (lossless), RGB when it is
 * opaque, RGBA otherwise. Appends to out. Errors: ERR_NOMEM, ERR_LIMIT (out's limit). */
err_code render_png_encode(const uint8_t *argb, uint32_t width, uint32_t height, size_t stride,
                           buf *out, err *e);

/* ---- glyphs for the browser (glyphs.c) ------------------------------------------------------- */

/* The signed-distance-field glyphs of code points [start, start+255] for a font stack, as the
 * MapLibre glyph protobuf (glyphs.proto: 24-px SDF, 3-px border). start must be a multiple of 256
 * below 65536 (ERR_INVALID). Appends to out. */
err_code render_glyphs_pbf(const render_styles *reg, const char *fontstack, uint32_t start,
                           buf *out, err *e);

#endif
