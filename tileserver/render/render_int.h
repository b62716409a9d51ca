/* render_int.h — shared by the files of render/; not part of its interface.
 *
 * A style is compiled once (at start-up, or per request for an automatic style) into plain
 * structs in an arena: every paint and layout property becomes an expression tree (a constant is
 * a literal node), and the tree is evaluated per feature while drawing. Nothing here is mutated
 * after compilation, so one compiled style is read by every worker thread at once. */
#ifndef TESELAS_RENDER_INT_H
#define TESELAS_RENDER_INT_H

#include <cairo.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/value.h"
#include "geom/geom.h"
#include "render/render.h"
#include "store/store.h"

/* ---- colours (color.c) ------------------------------------------------------------------------ */

typedef struct rcolor {
  double r, g, b, a; /* 0..1, not premultiplied */
} rcolor;

/* CSS colours as the style spec allows: #rgb, #rgba, #rrggbb, #rrggbbaa, rgb(), rgba(), hsl(),
 * hsla() and the CSS named colours. */
bool render_color_parse(const char *s, size_t len, rcolor *out);

/* ---- values and expressions (expr.c, expr_eval.c) ---------------------------------------------- */

typedef enum rv_kind { RV_NULL = 0, RV_BOOL, RV_NUM, RV_STR, RV_COLOR, RV_ARRAY } rv_kind;

typedef struct rval {
  rv_kind kind;
  bool b;
  double n;
  const char *s;   /* RV_STR: not necessarily NUL-terminated */
  size_t len;      /* RV_STR bytes, RV_ARRAY items */
  rcolor c;
  const struct rval *items; /* RV_ARRAY */
} rval;

typedef enum rx_op {
  RX_LITERAL = 0, RX_GET, RX_HAS, RX_ZOOM, RX_GEOMTYPE, RX_ID,
  RX_EQ, RX_NE, RX_LT, RX_LE, RX_GT, RX_GE,
  RX_ALL, RX_ANY, RX_NOT, RX_IN, RX_MATCH, RX_CASE, RX_STEP, RX_INTERP, RX_COALESCE,
  RX_TO_STRING, RX_TO_NUMBER, RX_TO_BOOLEAN, RX_TO_COLOR,
  RX_ADD, RX_SUB, RX_MUL, RX_DIV, RX_MOD, RX_POW, RX_MIN, RX_MAX, RX_ABS, RX_ROUND, RX_FLOOR,
  RX_CEIL, RX_SQRT, RX_CONCAT, RX_UPCASE, RX_DOWNCASE, RX_LENGTH, RX_RGB, RX_RGBA
} rx_op;

typedef struct rx_labels { /* the labels of one branch of "match" */
  const rval *v;
  size_t n;
} rx_labels;

typedef struct rexpr {
  rx_op op;
  bool feature_dep;    /* reads the feature (get, has, id, geometry-type) */
  bool zoom_dep;
  rval lit;            /* RX_LITERAL */
  struct rexpr **args;
  size_t n_args;
  rx_labels *labels;   /* RX_MATCH: one per branch */
  double base;         /* RX_INTERP: 1 = linear */
  const double *stops; /* RX_STEP / RX_INTERP: input values of the stops */
  size_t n_stops;
} rexpr;

/* What a property expects; literal strings become colours in colour positions. */
typedef enum rtype { RT_ANY = 0, RT_NUM, RT_COLOR, RT_STR, RT_BOOL, RT_ARRAY } rtype;

/* A feature as expressions see it. */
typedef struct rfeature {
  const layer_info *layer;
  const value *values; /* one per layer field, or NULL for a cluster or a basemap feature */
  int64_t id;
  geom_type type;
  uint32_t point_count; /* > 0 for a cluster */
  /* a basemap feature (a decoded vector tile, basemap.c): n_tags pairs of indexes into keys and
   * tag_values; layer and values are NULL */
  const uint32_t *tags;
  uint32_t n_tags;
  const char *const *keys;
  const value *tag_values;
} rfeature;

typedef struct rctx {
  double zoom;
  const rfeature *f;
  arena *scratch; /* for strings made by to-string/concat */
} rctx;

/* Compiles JSON j (an expression, or a literal) expecting type want. Errors are ERR_INVALID with
 * "POINTER: message" where POINTER is path (a JSON pointer) extended into j. */
err_code render_expr_compile(json_t *j, rtype want, arena *a, const char *path, rexpr **out,
                             err *e);
rval render_expr_eval(const rexpr *x, const rctx *c);
/* Typed helpers with a default for null or a wrong type. */
double render_eval_num(const rexpr *x, const rctx *c, double dflt);
bool render_eval_bool(const rexpr *x, const rctx *c, bool dflt);
rcolor render_eval_color(const rexpr *x, const rctx *c, rcolor dflt);
/* A string value as text; numbers and booleans are formatted into c->scratch. */
bool render_eval_text(const rexpr *x, const rctx *c, const char **out_s, size_t *out_len);
bool render_val_truthy(rval v);

/* Legacy (pre-expression) filters and functions turned into expressions: new references. */
bool render_legacy_is_expression_filter(json_t *f);
json_t *render_legacy_filter(json_t *f);
json_t *render_legacy_function(json_t *fn);

/* ---- the compiled style (style.c) --------------------------------------------------------------- */

typedef enum rlayer_type {
  RL_BACKGROUND = 0, RL_FILL, RL_LINE, RL_CIRCLE, RL_SYMBOL, RL_RASTER, RL_OTHER
} rlayer_type;

/* Property slots of every layer type; NULL means the spec default. */
typedef enum rprop {
  RP_BG_COLOR = 0, RP_BG_OPACITY,
  RP_FILL_COLOR, RP_FILL_OPACITY, RP_FILL_OUTLINE, RP_FILL_AA,
  RP_LINE_COLOR, RP_LINE_WIDTH, RP_LINE_OPACITY, RP_LINE_DASH, RP_LINE_CAP, RP_LINE_JOIN,
  RP_CIRCLE_RADIUS, RP_CIRCLE_COLOR, RP_CIRCLE_OPACITY, RP_CIRCLE_STROKE_W, RP_CIRCLE_STROKE_C,
  RP_CIRCLE_STROKE_O,
  RP_TEXT_FIELD, RP_TEXT_SIZE, RP_TEXT_FONT, RP_TEXT_COLOR, RP_TEXT_HALO_C, RP_TEXT_HALO_W,
  RP_TEXT_OPACITY, RP_TEXT_TRANSFORM, RP_TEXT_MAX_WIDTH, RP_TEXT_ALLOW_OVERLAP, RP_TEXT_PADDING,
  RP_TEXT_ANCHOR, RP_TEXT_OFFSET,
  RP_SYMBOL_PLACEMENT,
  RP_RASTER_OPACITY,
  RP_COUNT
} rprop;

typedef struct rlayer {
  const char *id;
  rlayer_type type;
  const char *source;       /* "" for background */
  const char *source_layer; /* a catalog layer id, "" when none */
  int source_index;         /* into rstyle.sources, -1 for background */
  rexpr *filter;            /* NULL: every feature */
  double minzoom, maxzoom;  /* [minzoom, maxzoom) */
  bool visible;
  rexpr *props[RP_COUNT];
} rlayer;

typedef struct rsource {
  const char *name;
  bool teselas;             /* "teselas://ids": this server's layers */
  const char *ids;          /* the comma-separated layer ids of a teselas source */
  const char *archive;      /* "mbtiles://NAME", "mbtiles://{NAME}", "pmtiles://NAME": an
                               archive of serve --archive drawn as a basemap; "" otherwise */
} rsource;

struct render_style {
  const char *name;
  const char *title;
  const char *text;         /* the document as loaded, compact JSON (parsed again per request
                               for style.json, so no jansson object is shared between threads) */
  uint32_t hash;            /* of the document text: part of ETags and cache keys */
  rlayer *layers;
  size_t n_layers;
  rsource *sources;
  size_t n_sources;
  bool automatic;
};

/* Compiles an already parsed document (borrowed; the style keeps its text). */
err_code render_style_compile(const char *name, json_t *doc, arena *a, render_style **out,
                              err *e);

/* ---- fonts (fonts.c) and the registry (registry.c) ------------------------------------------------ */

enum { RENDER_MAX_FONTS = 8 };

typedef struct rfont {
  const char *name;          /* as styles name it: "Noto Sans Regular" */
  const char *family;        /* fontconfig family: "Noto Sans" */
  bool bold, italic;
  cairo_font_face_t *face;   /* immutable, shared by every thread */
  const char *path;          /* the font file fontconfig chose, "" when none */
} rfont;

struct render_styles {
  arena *a;                  /* everything below lives here */
  render_style **styles;
  size_t n_styles;
  const char *problems;
  rfont fonts[RENDER_MAX_FONTS];
  size_t n_fonts;
  bool with_fonts;          /* false: a registry for reading styles, never drawing */
};

/* Creates the font faces (Noto Sans and DejaVu Sans, regular, bold and italic). */
err_code render_fonts_init(render_styles *reg, err *e);
/* Releases reg's font faces; with `last`, also the process-wide cairo and fontconfig state. */
void render_fonts_fini(render_styles *reg, bool last);
/* The font for one text-font entry: by family and style words, else the first (the default). */
const rfont *render_fonts_match(const render_styles *reg, const char *name, size_t len);
/* The font for a text-font stack value (an array of names; the first known family wins). */
const rfont *render_fonts_stack(const render_styles *reg, const rval *stack);

/* ---- drawing (features.c, draw.c, label.c) ------------------------------------------------------- */

typedef struct rgeom {      /* one feature, projected to device pixels */
  rfeature f;
  geom g;                   /* clipped to the buffered view */
  map_pt label;             /* label anchor in device pixels */
  bool has_label;
  /* a basemap polygon cut at its tile's edges (basemap.c): those cuts are not its outline, so
   * strokes leave out the ring segments that run along cut_rect */
  bool cut;
  geom_bbox cut_rect;
} rgeom;

typedef struct rfeatures {
  const layer_info *layer;
  rgeom *items;
  size_t n;
} rfeatures;

/* Appends to an rfeatures from an arena (features.c, basemap.c): the next item, zeroed, or NULL
 * when the arena is out of room; the caller counts it in (out->n++) once it is filled. */
typedef struct rfeatures_sink {
  rfeatures *out;
  size_t cap;
  arena *a;
} rfeatures_sink;
rgeom *rfeatures_sink_next(rfeatures_sink *s);

typedef struct rview_px {    /* the view as the drawing code needs it */
  double min_mx, max_my;     /* Web Mercator of the top-left device pixel corner */
  double res;                /* Web Mercator metres per device pixel */
  double width, height;      /* device pixels */
  double ratio;
  double zoom;               /* style zoom */
  double buffer;             /* device pixels drawn beyond each edge */
  geom_bbox merc_buffered;   /* the view and its buffer in EPSG:3857 */
  uint32_t vector_zoom;      /* the vector tiles the browser shows at this style zoom */
  bool is_tile;              /* one XYZ tile of a mosaic: labels may cross its edges */
  const store_reader *budget; /* the request's reader: its deadline bounds the drawing too (NULL:
                                 none); the drawing loops stop early past it (render_out_of_time) */
} rview_px;

/* True when the request's time is up (rview_px.budget); checked every RENDER_TIME_CHECK features
 * and after every layer, a clock read costing ~20 ns. */
enum { RENDER_TIME_CHECK = 256 };
static inline bool render_out_of_time(const rview_px *v, size_t i) {
  return i % RENDER_TIME_CHECK == RENDER_TIME_CHECK - 1 && store_reader_past_deadline(v->budget);
}

/* The features of catalog layer l in the buffered view, projected to device pixels and clipped,
 * with their attributes copied into arena a; clustered as the vector tiles of v->vector_zoom
 * cluster them. with_labels computes label anchors from the whole (unclipped) geometries. */
typedef struct render_source {
  store_reader *reader;
  struct pyramid_registry *pyramids;
} render_source;
err_code render_features_fetch(const render_source *src, const layer_info *l, const rview_px *v,
                               bool with_labels, arena *a, rfeatures *out, err *e);

void render_draw_background(cairo_t *cr, const rlayer *L, const rctx *c);
void render_draw_layer(cairo_t *cr, const rlayer *L, const rfeatures *fs, const rview_px *v,
                       arena *scratch);

/* Labels are placed in one pass over the symbol layers from the top of the style down (upper
 * layers win collisions, as in MapLibre), then drawn at each layer's place in the order. */
typedef struct rlabels rlabels;
rlabels *render_labels_create(arena *a);
void render_labels_place(cairo_t *cr, rlabels *lb, const render_styles *reg, const rlayer *L,
                         size_t layer_index, const rfeatures *fs, const rview_px *v);
void render_labels_draw(cairo_t *cr, const rlabels *lb, size_t layer_index, const rview_px *v);
/* A text-anchor of the style spec as the point of the text's box placed at the anchor (plus
 * text-offset): fractions of the box's width and height from its top-left corner ("top" is
 * 0.5, 0; "bottom-right" 1, 1), as MapLibre's shaping aligns the whole block of wrapped lines. */
typedef struct ranchor {
  double h, v;
} ranchor;
/* Parses one of the nine values into *out (may be NULL); false for anything else (style.c). */
bool render_anchor_parse(const char *s, size_t len, ranchor *out);
uint32_t render_labels_count(const rlabels *lb);

bool render_layer_active(const rlayer *L, double zoom);

/* ---- raster basemaps: PNG tiles of an archive (raster.c) ----------------------------------------- */

/* Draws style layer L (a raster layer) from the PNG tiles of archive `name` of as: the tiles
 * MapLibre shows for a raster source of 256-px tiles at the view's zoom (round(zoom) + 1), scaled
 * and placed on the view's pixels; above the archive's maxzoom its maxzoom tiles scaled up, below
 * its minzoom nothing. A tile that is not a PNG of at most 1024x1024 px is logged (archive,
 * address, reason) and left out. Nothing when as has no PNG archive of that name. Errors:
 * ERR_LIMIT (a view needing more than 64 tiles), ERR_NOMEM. */
struct archive_set;
err_code render_draw_raster(cairo_t *cr, const rlayer *L, const struct archive_set *as,
                            const char *name, const rview_px *v, err *e);

/* ---- basemaps: vector tiles of an archive (basemap.c) ------------------------------------------ */

/* The decoded tiles of one archive that cover a view: those of the view's vector zoom, or of
 * the archive's maxzoom above it (overzoom: the parent tile, scaled and clipped). */
typedef struct rbase_tiles rbase_tiles;
struct archive_set;
/* Reads and decodes the tiles of the archive `name` under the buffered view v into arena a;
 * *out is NULL when nothing is to be drawn (no such archive, a PNG archive, a zoom below its
 * minzoom). A tile the archive cannot give or that does not decode is logged (archive, tile,
 * reason) and left out, so a damaged basemap costs its tiles, not the image. Errors: ERR_NOMEM,
 * ERR_LIMIT (arena cap). */
err_code render_basemap_load(const struct archive_set *as, const char *name, const rview_px *v,
                             arena *a, rbase_tiles **out, err *e);
/* The features of layer source_layer of those tiles, in device pixels, each clipped to its own
 * tile (so features cut by tile edges are drawn once) and to the buffered view. */
err_code render_basemap_features(const rbase_tiles *bt, const char *source_layer,
                                 const rview_px *v, bool with_labels, arena *a, rfeatures *out,
                                 err *e);

#endif
