/* features_int.h — what the files of features/ share: the condition builder, the CQL2 compiler,
 * dates, and the writers. Not part of the module's interface. */
#ifndef TESELAS_FEATURES_INT_H
#define TESELAS_FEATURES_INT_H

#include "features/features.h"
#include "geom/geom.h"
#include "query/query.h"

/* ---- a condition under construction (where.c) -------------------------------------------
 * The AND of the terms of PROP=VALUE, datetime and filter, as a predicate tree (query/query.h)
 * in the arena, and the count of the values it holds (bounded by FEATURES_MAX_PARAMS). Sticky
 * failure: once the arena fails or the count passes the bound, `failed` stays set and
 * features_where_finish reports it. */

enum { FEATURES_MAX_PARAMS = 30000, FEATURES_MAX_WKT = 1 << 20 };

typedef struct features_where {
  query_pred *pred;  /* NULL while empty */
  size_t n_values;
  arena *a;
  bool failed;
  bool too_many;  /* more values than FEATURES_MAX_PARAMS */
} features_where;

void features_where_init(features_where *w, arena *a);
/* Counts n more values; false (sticky) past FEATURES_MAX_PARAMS or after a failure. */
bool features_where_count(features_where *w, size_t n);
/* AND-s term (NULL: the arena failed, recorded) to the condition. */
void features_where_and(features_where *w, query_pred *term);
/* A text value copied into the arena (NUL-terminated); .s NULL when the arena failed. */
value features_where_text(features_where *w, const char *s, size_t n);
/* Moves the condition into r (r->where NULL when empty). `param` names the parameter blamed for
 * a limit. */
err_code features_where_finish(features_where *w, features_request *r, const char *param, err *e);

/* ---- CQL2 text (cql2_lex.c, cql2.c) ---------------------------------------------------------- */

/* Parses a CQL2-text filter on layer l into one predicate AND-ed to w. Property names must be
 * fields of l (or "geometry"/"geom" in spatial predicates); every literal is a typed value.
 * ERR_INVALID with "filter: at character N: ..." for anything else. */
err_code features_cql2_compile(const layer_info *l, const char *text, features_where *w, err *e);

/* ---- dates (datetime.c) ------------------------------------------------------------------ */

typedef struct features_time {
  char text[40];  /* "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM:SS[.fff…]Z" normalised to UTC */
  bool has_time;
} features_time;

typedef struct features_interval {
  bool instant;              /* one instant: start only */
  bool open_start, open_end; /* "..", or empty, at either end */
  features_time start, end;
} features_interval;

/* Parses an RFC 3339 full-date or date-time (with Z or an offset, folded to UTC). */
bool features_time_parse(const char *s, size_t n, features_time *out);
/* Parses the datetime parameter: an instant, "start/end", "../end", "start/..". */
err_code features_datetime_parse(const char *s, features_interval *out, err *e);
/* AND-s the condition "the value of date field f intersects iv" to w. */
void features_datetime_where(const layer_field *f, const features_interval *iv, features_where *w);

/* ---- writers (json.c, geojson.c, csv.c, html.c, links.c) ---------------------------------- */

/* A coordinate with at most 7 decimals (RFC 7946 §11.2: about 1 cm), trailing zeros dropped. */
void features_put_coord(buf *b, double v);
/* The text of numbers as the features_put_* functions write it, into out (not NUL-terminated
 * except by features_real_text); they return its length. features_coord_text takes a coordinate
 * that features_coord_fixed accepts (the others go through printf). */
enum { FEATURES_NUM_MAX = 40 };
static inline bool features_coord_fixed(double v) { return v > -1e11 && v < 1e11; }
size_t features_coord_text(char out[FEATURES_NUM_MAX], double v);
size_t features_int_text(char out[FEATURES_NUM_MAX], int64_t v);
size_t features_real_text(char out[FEATURES_NUM_MAX], double v);
/* A real number as the shortest text that reads back equal; null when not finite. */
void features_put_real(buf *b, double v);
void features_put_int(buf *b, int64_t v);
/* A value as JSON: null, true/false, a number, or a string. */
void features_json_value(buf *b, const value *v);


/* RFC 7946 geometry object: Point/MultiPoint/.../MultiPolygon, exterior rings counterclockwise and
 * holes clockwise (§3.1.6); "null" for an empty geometry. */
void features_geojson_geometry(buf *b, const geom *g);
/* WKT of g ("" for empty), coordinates as features_put_coord. */
void features_wkt(buf *b, const geom *g);

/* A field's name as a JSON object key, quoted and escaped, with its colon: "name": */
typedef struct features_key {
  const char *s;
  size_t len;
} features_key;

/* What each writer needs to know about the columns. */
typedef struct features_cols {
  const layer_info *layer;
  const char *const *fields;
  size_t n_fields;
  bool distance; /* near: a distance_m property */
  /* n_fields keys (features_cols_keys), or NULL: the GeoJSON writer then escapes each name for
   * each feature, the general way */
  const features_key *keys;
} features_cols;

/* Sets c->keys, built in a (left NULL when the arena fails: the writers work without them). */
void features_cols_keys(features_cols *c, arena *a);

/* {"type":"Feature","id":..,"geometry":..,"properties":{..}} without the closing brace, so the
 * caller may add links. A point with c->keys goes through features_geojson_point_fast, anything
 * else through features_geojson_feature_general; the bytes are the same. */
void features_geojson_feature_open(buf *b, const features_cols *c, const store_feature *f,
                                   const geom *g);
/* The general writer: every geometry, the distance, a buffer near its limit. */
void features_geojson_feature_general(buf *b, const features_cols *c, const store_feature *f,
                                      const geom *g);
/* A one-point feature written in one pass into space reserved once (geojson_point.c); false,
 * with nothing written, for anything else (no keys, another geometry, a distance, a coordinate
 * that is not finite degrees, a buffer that could not hold the bound on its size). */
bool features_geojson_point_fast(buf *b, const features_cols *c, const store_feature *f,
                                 const geom *g);

/* CSV (RFC 4180, CRLF): header, then one row per feature. Point layers get lon/lat columns,
 * other layers a wkt column. */
void features_csv_header(buf *b, const features_cols *c, bool bom);
void features_csv_row(buf *b, const features_cols *c, const store_feature *f, const geom *g);

/* An href: base_url + path + the args (except f, limit, offset, after) percent-encoded, then
 * limit (when > 0), offset (when > 0), after (when has_after) and f (when not NULL). */
typedef struct features_href {
  const char *base_url, *path;
  const features_kv *args;
  size_t n_args;
  int64_t limit, offset;
  bool has_after;
  int64_t after;
  const char *f;
} features_href;
void features_put_href(buf *b, const features_href *h);
/* The two halves of features_put_href, for links that share the first: base_url, path and the
 * args (returns the separator that comes next, '?' or '&'); then limit, offset, after and f. */
char features_put_href_base(buf *b, const features_href *h);
void features_put_href_paging(buf *b, const features_href *h, char sep);
/* Opens an HTML page (lang="es", title, stylesheet) and its <main>; html_end closes both. */
void features_html_begin(buf *b, const char *title, const char *base_url);
void features_html_end(buf *b);
/* HTML of one item page and of an items page (html.c). */
typedef struct features_html_page {
  const features_cols *cols;
  const char *base_url;
  int64_t matched, offset, limit;
  const char *next_href, *prev_href; /* NULL when none */
} features_html_page;
void features_html_items_begin(buf *b, const features_html_page *p);
void features_html_items_row(buf *b, const features_html_page *p, const store_feature *f,
                             const geom *g);
void features_html_items_end(buf *b, const features_html_page *p, int64_t returned);

/* Time now as "YYYY-MM-DDTHH:MM:SSZ". */
void features_now_iso(char out[32]);

#endif
