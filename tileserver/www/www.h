/* www.h — the pages people see: the catalog (/), the map viewer (/maps/{style}) and the page for
 * iframes (/embed/{style}), plus the static files they load (our JS/CSS, MapLibre GL JS, Leaflet),
 * embedded in the binary at build time by web/build.mjs (see tileserver/www/CMakeLists.txt).
 *
 * It knows HTML, not HTTP: the http/ handlers find out which endpoints this server answers (so a
 * page links only to what exists), call one function here, and send the document it wrote.
 * Every text from the catalog is escaped on its way into HTML (www_html_put) or JSON-in-HTML
 * (the page configuration, with '<' written as \u003c). Text for people is in plain Spanish by
 * default and in English with lang=en (text.c). */
#ifndef TESELAS_WWW_H
#define TESELAS_WWW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

/* ---- static assets (assets.c; the table is generated) ---------------------------------------- */

typedef struct www_asset {
  const char *name;          /* "viewer.js", "maplibre-gl.mjs" */
  const char *content_type;
  const unsigned char *data;
  size_t len;
  const unsigned char *gz;   /* gzip of data, or NULL when it would not be smaller */
  size_t gz_len;
  const char *etag;          /* quoted strong ETag of data */
} www_asset;

/* The generated table, sorted by name, and a hash of every asset: asset URLs are
 * /assets/<WWW_BUILD_ID>/<name>, so a new build is a new URL and browsers may cache forever. */
extern const www_asset WWW_ASSETS[];
extern const size_t WWW_N_ASSETS;
extern const char WWW_BUILD_ID[];

/* The asset named [name, name+len), or NULL. Static data: never freed. */
const www_asset *www_asset_find(const char *name, size_t len);

/* ---- pages ----------------------------------------------------------------------------------- */

/* The style the pages use when the server has no style registry (the León demo's); with one,
 * the first style /styles lists. */
#define WWW_DEFAULT_STYLE "leon"

typedef enum www_lang { WWW_LANG_ES = 0, WWW_LANG_EN } www_lang;

/* "en" → English; anything else (NULL, "", "es", unknown) → Spanish, the default. */
www_lang www_lang_parse(const char *s);

/* The endpoints of other modules that this server answers, found by the caller: pages link to
 * and load only these, so a missing one degrades a page instead of breaking it. */
typedef struct www_endpoints {
  bool items;       /* /collections/{id}/items (GeoJSON, CSV): the data table, search */
  bool aggregate;   /* /collections/{id}/aggregate: the charts */
  bool collections; /* /collections, /api: the OGC API links */
  bool style;       /* /styles/{style}/style.json */
  bool png;         /* /styles/{style}/{z}/{x}/{y}.png: the no-WebGL fallback */
  bool static_img;  /* /styles/{style}/static/{lon},{lat},{zoom}/{w}x{h}.png: thumbnails */
  bool quality;     /* /collections/{id}/quality: the full quality report */
  const char *download; /* whole-layer download path with "{id}" and "{f}" (geojson, csv, gpkg)
                           in it, or NULL */
} www_endpoints;

typedef struct www_site {
  const char *base_url;    /* "http://host:port", no trailing slash: for copy-paste URLs */
  const char *style;       /* the map style the pages show (already validated by the caller) */
  www_lang lang;
  www_endpoints ep;
  /* The lowest zoom at which the style draws a layer (-1: never, or not known), so that a
   * thumbnail is not drawn at a zoom that shows nothing; NULL when there is no style. */
  double (*layer_min_zoom)(const void *ctx, const char *layer_id);
  const void *layer_min_zoom_ctx;
  /* The style that draws a layer best (a named style that draws it, else the layer's own
   * automatic style, named by its id) and the lowest zoom at which it does (-1: from any): the
   * catalog's thumbnails and "see on the map" links. NULL: the page's style for every layer. */
  const char *(*layer_style)(const void *ctx, const char *layer_id, double *out_min_zoom);
  const void *layer_style_ctx;
  /* The zoom below which the vector tiles leave out a layer's features smaller than a pixel (0:
   * at no zoom; gen_small_below), so the map pages say "zoom in" for them, never "zoom out".
   * NULL: the pages claim no feature is left out. */
  int (*layer_small_below)(const layer_info *l);
} www_site;

/* The full quality report of l's last import as JSON ({"id", "summary", "report", "links"}),
 * less what the layer's privacy policy withholds (record numbers); "report" is null when the
 * layer has none. base_url prefixes the links. Errors: ERR_NOMEM/ERR_LIMIT. */
err_code www_quality_json(const char *base_url, const layer_info *l, buf *out, err *e);
/* The same as a page for people. */
err_code www_quality_page(const www_site *s, const layer_info *l, buf *out, err *e);

/* Writes the catalog page: every layer with its metadata, quality summary, thumbnail, and the
 * links a person can use. Errors: ERR_NOMEM/ERR_LIMIT when out fails. */
err_code www_catalog_write(const www_site *s, const catalog *c, buf *out, err *e);

/* Writes the viewer page (embed false) or the page meant for iframes (embed true): an HTML shell
 * with the page configuration as JSON; the scripts do the rest. Errors as www_catalog_write. */
err_code www_map_write(const www_site *s, const catalog *c, bool embed, buf *out, err *e);

/* True for a style name a page accepts: [A-Za-z0-9_-], 1..63 characters. */
bool www_style_name_valid(const char *s, size_t len);

/* ---- the pages for publishers (admin.c), in Spanish ------------------------------------------ */

/* Who the page is for: the signed-in account and its session's CSRF token (for every form). */
typedef struct www_admin_ctx {
  const char *account;
  const char *department;
  const char *csrf;
  bool reviewer; /* the account may review: the pages link to /admin/revision */
} www_admin_ctx;

/* One row of a layer's history as the layer page shows it. */
typedef struct www_admin_version {
  int64_t version;
  const char *imported_at, *source_name;
  int64_t feature_count, rollback_of;
  bool kept;     /* its data are still there: a rollback to it is possible */
  bool removal;  /* the row of the layer's removal */
} www_admin_version;

/* One version waiting for (or past) review, as the reviewer's pages show it. The privacy and
 * report texts are the JSON the store keeps ("{}" when none). */
typedef struct www_admin_review {
  int64_t n, version, base_version, feature_count;
  const char *layer_id, *title, *state, *submitted_by, *submitted_at;
  const char *decided_by, *decided_at, *reason; /* "" while undecided */
  const char *privacy, *report;
} www_admin_review;

/* The sign-in form, with an error sentence (NULL: none) and the name typed before. */
err_code www_admin_signin(const char *error, const char *name, buf *out, err *e);
/* "Tus capas": the account's layers (ids) with their state and last version from cat, and
 * each one's latest review (reviews[i], NULL when it had none). */
err_code www_admin_home(const www_admin_ctx *c, const char *const *layer_ids,
                        const www_admin_review *const *reviews, size_t n_layers,
                        const catalog *cat, buf *out, err *e);
/* A layer's page: l NULL for a layer not published yet; review its latest review (NULL: none);
 * its history v[0..n) in version order. */
err_code www_admin_layer(const www_admin_ctx *c, const char *id, const layer_info *l,
                         const www_admin_review *review,
                         const www_admin_version *v, size_t n_versions, buf *out, err *e);
/* An upload's job page from its JSON document (jobs_doc): refreshes itself until it ends. */
err_code www_admin_job(const www_admin_ctx *c, const char *job_json, buf *out, err *e);
/* A refusal in words, with a link back; c NULL when nobody is signed in. */
err_code www_admin_message(const www_admin_ctx *c, const char *title, const char *text,
                           const char *back_href, buf *out, err *e);
/* A layer's state in words ("publicada", "sin publicar todavía", "pendiente de revisión", a
 * version refused with its reason) from its catalog entry l (NULL: not published) and its latest
 * review (NULL: none): the one place that says it. */
void www_admin_state(buf *b, const layer_info *l, const www_admin_review *review);

/* ---- the reviewer's pages (review.c), in Spanish --------------------------------------------- */


/* The list of reviews r[0..n) waiting for a decision, each linking to its page. */
err_code www_admin_review_list(const www_admin_ctx *c, const www_admin_review *r, size_t n,
                               buf *out, err *e);
/* One review: the quality report and the privacy decision in words, the preview map of what
 * approval would publish (preview: the catalog entry it would publish, NULL once decided; the
 * map loads review.js, with a text alternative), and the approve / refuse form with a required
 * reason, unless own (the account uploaded it: another person decides). */
err_code www_admin_review_page(const www_admin_ctx *c, const www_admin_review *r,
                          const layer_info *preview, bool own, buf *out, err *e);

#endif
