/* www_int.h — internals of www/: HTML escaping, the page shell, formatting for people, and the
 * table of texts in Spanish and English. */
#ifndef TESELAS_WWW_INT_H
#define TESELAS_WWW_INT_H

#include <stdint.h>

#include "www/www.h"

/* ---- texts (text.c) ---- */

typedef enum www_text_id {
  T_SITE_TITLE, T_SKIP, T_LANG_NAV, T_OTHER_LANG, T_LEAD, T_OPEN_MAP, T_LAYERS_H,
  T_SAMPLE, T_PUBLISHER, T_LICENSE, T_FREQUENCY, T_UPDATED, T_COUNT, T_GEOMETRY, T_QUALITY,
  T_PRIVACY, T_VIEW_MAP, T_DATA_USE, T_DOWNLOADS, T_DOWNLOAD_FIRST, T_DEVELOPERS, T_OGC_ITEMS,
  T_OGC_COLLECTION, T_TILEJSON, T_TILE_TEMPLATE, T_COPY, T_THUMB_ALT, T_NO_THUMB,
  T_FREQ_DAILY, T_FREQ_WEEKLY, T_FREQ_MONTHLY, T_FREQ_QUARTERLY, T_FREQ_YEARLY, T_FREQ_EVENT,
  T_FREQ_BIMONTHLY, T_FREQ_FOUR_MONTHLY, T_FREQ_SEMIANNUAL, T_FREQ_BIENNIAL,
  T_GEOM_POINT, T_GEOM_LINE, T_GEOM_POLYGON, T_GEOM_OTHER,
  T_Q_SAMPLE, T_Q_NONE, T_Q_PUBLISHED, T_Q_REJECTED, T_Q_REPAIRED, T_Q_FILLED,
  T_W_HEAD, T_W_OUTSIDE, T_W_SHIFTED, T_W_SWAPPED, T_W_POSITIVE_LON, T_W_BAD_VALUE,
  T_W_DAMAGED_TEXT, T_W_FIXED, T_W_DUPLICATES, T_W_SCHEMA, T_Q_FULL_REPORT,
  T_FOOTER, T_API_LINK, T_JSON_LINK, T_MAP_TITLE, T_EMBED_TITLE, T_NOSCRIPT, T_BACK_CATALOG,
  T_LOADING, T_PRIVACY_NONE, T_N_TEXTS
} www_text_id;

/* The text in lang; never NULL. Static. */
const char *www_text(www_lang lang, www_text_id id);
/* The BCP 47 code of lang ("es", "en"). */
const char *www_lang_code(www_lang lang);

/* ---- HTML (html.c) ---- */

/* Appends s escaped for HTML text and quoted attribute values (& < > " '). */
void www_html_put(buf *b, const char *s);
/* Appends the text of id, escaped. */
void www_html_text(buf *b, const www_site *s, www_text_id id);

/* The start of every page up to and including <main id="main">: doctype, head (title, viewport,
 * stylesheets), the skip link and the header with the language switch. self_path is the page's
 * path for the language link; body_class is "catalog", "viewer" or "embed". */
void www_page_begin(buf *b, const www_site *s, const char *title, const char *body_class,
                    const char *self_path, const char *const *styles, size_t n_styles);
/* An asset URL: /assets/<build>/<name>. */
void www_asset_url(buf *b, const char *name);

/* ---- formatting for people (html.c) ---- */

/* 50000 → "50,000" (Mexico groups thousands with a comma in Spanish as in English). */
void www_fmt_count(int64_t n, char out[32]);
/* "2026-11-22T07:46:24Z" → "22 de noviembre de 2026" / "22 November 2026"; other text as is. */
void www_fmt_date(buf *b, www_lang lang, const char *iso);
/* part/whole as a percentage for people: "99.2", "100" only when part == whole, never above. */
void www_fmt_pct(int64_t part, int64_t whole, char out[32]);
/* A catalog frequency ("monthly") for people. */
const char *www_fmt_frequency(www_lang lang, const char *freq);
/* A geometry type ("Point") for people. */
const char *www_fmt_geometry(www_lang lang, const char *geometry_type);

/* ---- catalog pieces (quality.c) ---- */

/* One sentence on the quality of a layer from its last import report (JSON text), escaped. */
void www_quality_summary(buf *b, www_lang lang, const layer_info *l);
/* One sentence on the layer's privacy policy, escaped; nothing when it has none. */
void www_privacy_summary(buf *b, www_lang lang, const layer_info *l);
/* The same sentence as plain text, appended to out (for the page configuration). */
void www_privacy_text(www_lang lang, const layer_info *l, buf *out);

/* ---- the pages for publishers and reviewers (admin.c) ---- */

/* The start of an /admin page up to <main id="main">: head (title, refresh_s seconds when not
 * NULL, the site's stylesheet and css_asset when not NULL), the header with the sign-out form
 * when account and csrf are given. */
void www_admin_begin(buf *b, const char *title, const char *refresh_s, const char *account,
                     const char *csrf, const char *css_asset);
/* Closes the page; ERR_LIMIT when out failed. */
err_code www_admin_end(buf *b, err *e);
/* A form's hidden csrf field. */
void www_admin_csrf(buf *b, const char *csrf);
/* The map of what a dry run would publish, with its text (review.c): fc a GeoJSON
 * FeatureCollection (borrowed). */
struct json_t;
void www_admin_geojson_map(buf *b, struct json_t *fc);
/* The styles of the map and the forms of the reviewer's pages (review.c). */
extern const char WWW_REVIEW_CSS[];

#endif
