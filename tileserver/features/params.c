/* params.c — query parameters of /collections/{id}/items (and of downloads and counts) into a
 * features_request: one parser per parameter in one table, each value checked, each field name
 * checked against the catalog, each condition a node of the request's predicate tree.
 * Requirements cited are OGC API - Features - Part 1: Core 1.0 (/req/core/...) and Part 3:
 * Filtering (/req/filter/...).
 * It does not run anything: items.c, download.c and aggregate.c do. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/features_int.h"

static const char CRS84[] = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

typedef struct parse_ctx {
  const layer_info *layer;
  features_request *r;
  features_where *w;
  arena *a;
  err *e;
} parse_ctx;

typedef err_code (*param_fn)(parse_ctx *c, const char *v);

enum {
  U_ITEMS = 1 << FEATURES_USE_ITEMS,
  U_ITEM = 1 << FEATURES_USE_ITEM,
  U_DOWNLOAD = 1 << FEATURES_USE_DOWNLOAD,
  U_AGG = 1 << FEATURES_USE_AGGREGATE,
  U_TILE = 1 << FEATURES_USE_TILE,
  U_FILTERS = U_ITEMS | U_DOWNLOAD | U_AGG
};

static bool parse_i64(const char *s, int64_t *out) {
  char *end = NULL;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (!*s || *end || errno || s[0] == ' ' || s[0] == '+') return false;
  *out = v;
  return true;
}

/* Comma-separated finite numbers (no blanks around them, as in every example of the standard,
 * though one space after a comma is tolerated). Returns the count, or -1 for a bad number. */
static int parse_numbers(const char *s, double *out, int max) {
  int n = 0;
  const char *p = s;
  for (;;) {
    while (*p == ' ') p++;
    char *end = NULL;
    errno = 0;
    double d = strtod(p, &end);
    if (end == p || errno == ERANGE || !isfinite(d)) return -1;
    if (n < max) out[n] = d;
    n++;
    p = end;
    while (*p == ' ') p++;
    if (*p == '\0') return n;
    if (*p != ',') return -1;
    p++;
  }
}

/* Messages name the parameter and the rule, never the value: a value may be personal data (a
 * name typed in a search box), and an error body is cached, logged and shown. */

/* /req/core/fc-bbox-definition: 4 numbers (or 6 with heights, which are ignored), CRS84,
 * lower-left then upper-right; minx > maxx is a box across the antimeridian. */
static err_code p_bbox(parse_ctx *c, const char *v) {
  double n[6];
  int k = parse_numbers(v, n, 6);
  if (k != 4 && k != 6)
    return err_set(c->e, ERR_INVALID,
                   k < 0 ? "bbox: holds something that is not a number"
                         : "bbox: needs 4 numbers minx,miny,maxx,maxy (lon/lat, CRS84)");
  double *b = c->r->bbox;
  if (k == 4) memcpy(b, n, 4 * sizeof *b);
  else b[0] = n[0], b[1] = n[1], b[2] = n[3], b[3] = n[4];
  if (b[1] > b[3])
    return err_set(c->e, ERR_INVALID, "bbox: miny is greater than maxy");
  for (int i = 0; i < 4; i++)
    if (fabs(b[i]) > (i % 2 ? 90.0 : 180.0))
      return err_set(c->e, ERR_INVALID,
                     "bbox: a number is outside CRS84 (longitude -180..180, latitude -90..90)");
  c->r->has_bbox = true;
  return ERR_OK;
}

static err_code p_bbox_crs(parse_ctx *c, const char *v) {
  if (strcmp(v, CRS84) == 0) return ERR_OK;
  return err_set(c->e, ERR_INVALID, "bbox-crs: only %s is supported", CRS84);
}

/* /req/core/fc-limit-definition; /req/core/fc-limit-response-1: larger values are clamped. */
static err_code p_limit(parse_ctx *c, const char *v) {
  int64_t n;
  if (!parse_i64(v, &n) || n < 1)
    return err_set(c->e, ERR_INVALID, "limit: not an integer between 1 and %d",
                   FEATURES_LIMIT_MAX);
  c->r->limit = n > FEATURES_LIMIT_MAX ? FEATURES_LIMIT_MAX : n;
  return ERR_OK;
}

static err_code p_offset(parse_ctx *c, const char *v) {
  int64_t n;
  if (!parse_i64(v, &n) || n < 0)
    return err_set(c->e, ERR_INVALID, "offset: not an integer >= 0");
  c->r->offset = n;
  return ERR_OK;
}

/* /req/core/fc-time-definition on the layer's date field; a collection without one has no
 * feature with a time, so nothing matches (/req/core/fc-time-response). */
/* after=ID: the features after id ID in id order. next links carry it beside offset, so a client
 * walking every page (GDAL asks 10 at a time) costs a constant time per page, not one that grows
 * with the offset. */
static err_code p_after(parse_ctx *c, const char *v) {
  if (!parse_i64(v, &c->r->after_id) || c->r->after_id == INT64_MIN)
    return err_set(c->e, ERR_INVALID, "after: not a feature id");
  c->r->has_after = true;
  return ERR_OK;
}

static err_code p_datetime(parse_ctx *c, const char *v) {
  features_interval iv;
  err_code rc = features_datetime_parse(v, &iv, c->e);
  if (rc != ERR_OK) return rc;
  const layer_field *f = layer_find_field(c->layer, c->layer->date_field);
  if (!f) {
    features_where_and(c->w, query_pred_new(c->a, QUERY_FALSE));
    return ERR_OK;
  }
  features_datetime_where(f, &iv, c->w);
  return ERR_OK;
}

/* Splits a comma list into the arena: items trimmed of spaces, empty items dropped. */
static size_t split_list(arena *a, const char *v, char ***out) {
  size_t n = 1;
  for (const char *p = v; *p; p++) n += *p == ',';
  char **items = arena_calloc(a, n, sizeof *items);
  size_t k = 0;
  for (const char *p = v; items;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    const char *s = p;
    while (len && *s == ' ') s++, len--;
    while (len && s[len - 1] == ' ') len--;
    if (len && !(items[k++] = arena_strndup(a, s, len))) items = NULL;
    if (!end) break;
    p = end + 1;
  }
  *out = items; /* NULL when the arena failed */
  return items ? k : 0;
}

static err_code unknown_field(parse_ctx *c, const char *param, const char *name) {
  char known[256] = "";
  size_t n = 0;
  for (size_t i = 0; i < c->layer->n_fields && n < sizeof known - 1; i++) {
    int k = snprintf(known + n, sizeof known - n, "%s%s", i ? ", " : "", c->layer->fields[i].name);
    if (k < 0) break;
    n += (size_t)k;
  }
  return err_set(c->e, ERR_INVALID, "%s: not a field of %s (fields: %s)", param, c->layer->id,
                 known); /* the name is not echoed: it may be a value (issue 8) */
}

/* properties=a,b chooses the properties written (Part 1 recommends it; OGC API Records and
 * pygeoapi spell it this way). */
static err_code p_properties(parse_ctx *c, const char *v) {
  char **names;
  size_t n = split_list(c->a, v, &names);
  if (!names) return err_set(c->e, ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    if (!layer_find_field(c->layer, names[i])) return unknown_field(c, "properties", names[i]);
  c->r->fields = (const char **)names;
  c->r->n_fields = n;
  return ERR_OK;
}

/* sortby=+a,-b (Part 8 sorting; '+' arrives as ' ' after URL decoding). Ties break by id, so
 * paging stays stable. */
static err_code p_sortby(parse_ctx *c, const char *v) {
  char **keys;
  size_t n = split_list(c->a, v, &keys);
  if (!keys) return err_set(c->e, ERR_NOMEM, "out of memory");
  if (n == 0) return err_set(c->e, ERR_INVALID, "sortby: no field given");
  query_sort *sort = arena_calloc(c->a, n, sizeof *sort);
  if (!sort) return err_set(c->e, ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    const char *k = keys[i];
    sort[i].desc = k[0] == '-';
    if (k[0] == '-' || k[0] == '+') k++;
    if (strcmp(k, "id") == 0) sort[i].field = NULL;
    else if (layer_find_field(c->layer, k)) sort[i].field = k;
    else return unknown_field(c, "sortby", k);
  }
  c->r->sort = sort;
  c->r->n_sort = n;
  return ERR_OK;
}

static err_code p_filter(parse_ctx *c, const char *v) {
  return features_cql2_compile(c->layer, v, c->w, c->e);
}

static err_code p_filter_lang(parse_ctx *c, const char *v) {
  if (strcmp(v, "cql2-text") == 0) return ERR_OK;
  return err_set(c->e, ERR_INVALID, "filter-lang: only cql2-text is supported");
}

static err_code p_filter_crs(parse_ctx *c, const char *v) {
  if (strcmp(v, CRS84) == 0) return ERR_OK;
  return err_set(c->e, ERR_INVALID, "filter-crs: only %s is supported", CRS84);
}

static err_code p_crs(parse_ctx *c, const char *v) {
  if (strcmp(v, CRS84) == 0) return ERR_OK;
  return err_set(c->e, ERR_INVALID, "crs: only %s is supported", CRS84);
}

static err_code p_near(parse_ctx *c, const char *v) {
  double *p = c->r->near;
  if (parse_numbers(v, p, 2) != 2 || fabs(p[0]) > 180.0 || fabs(p[1]) > 90.0)
    return err_set(c->e, ERR_INVALID, "near: not lon,lat in degrees (CRS84)");
  c->r->has_near = true;
  return ERR_OK;
}

static err_code p_f(parse_ctx *c, const char *v) { return features_format_parse(v, &c->r->format, c->e); }

static err_code p_bom(parse_ctx *c, const char *v) {
  if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0 && strcmp(v, "1") != 0 &&
      strcmp(v, "0") != 0)
    return err_set(c->e, ERR_INVALID, "bom: not true or false");
  c->r->csv_bom = v[0] == 't' || v[0] == '1';
  return ERR_OK;
}

/* v=1.2: the layer versions TileJSON puts in tile URLs so that a re-import is a new URL; the
 * tile is addressed by the catalog's versions, so the value is not read. */
static err_code p_version(parse_ctx *c, const char *v) { return ERR_OK; }

static err_code p_by(parse_ctx *c, const char *v) {
  const layer_field *f = layer_find_field(c->layer, v);
  if (strcmp(v, "month") == 0) {
    if (!layer_find_field(c->layer, c->layer->date_field))
      return err_set(c->e, ERR_INVALID, "by: %s has no date field to count by month",
                     c->layer->id);
  } else if (!f) {
    return unknown_field(c, "by", v);
  } else if (f->type == FIELD_REAL) {
    return err_set(c->e, ERR_INVALID, "by: the field holds real numbers, which do not group");
  }
  c->r->by = arena_strdup(c->a, v);
  return c->r->by ? ERR_OK : err_set(c->e, ERR_NOMEM, "out of memory");
}

typedef struct param_def {
  const char *name;
  unsigned uses;
  param_fn fn;
} param_def;

static const param_def PARAMS[] = {
    {"f", U_ITEMS | U_ITEM | U_AGG, p_f},
    {"bbox", U_FILTERS, p_bbox},
    {"bbox-crs", U_FILTERS, p_bbox_crs},
    {"limit", U_ITEMS, p_limit},
    {"offset", U_ITEMS, p_offset},
    {"after", U_ITEMS, p_after},
    {"datetime", U_FILTERS | U_TILE, p_datetime},
    {"properties", U_ITEMS | U_DOWNLOAD, p_properties},
    {"sortby", U_ITEMS, p_sortby},
    {"filter", U_FILTERS | U_TILE, p_filter},
    {"filter-lang", U_FILTERS | U_TILE, p_filter_lang},
    {"filter-crs", U_FILTERS | U_TILE, p_filter_crs},
    {"crs", U_ITEMS | U_ITEM | U_DOWNLOAD, p_crs},
    {"near", U_ITEMS, p_near},
    {"bom", U_ITEMS | U_DOWNLOAD, p_bom},
    {"by", U_AGG, p_by},
    {"v", U_TILE, p_version},
};

/* PROP=VALUE (/req/core/fc-filters): equality on a published field, the value typed by the
 * field (an integer field refuses "abc" rather than matching nothing). Errors never repeat the
 * value: a filter value can be personal data (issue 8). */
static err_code p_equality(parse_ctx *c, const layer_field *f, const char *v) {
  value val = features_where_text(c->w, v, strlen(v));
  double d;
  features_time t;
  switch (f->type) {
    case FIELD_INTEGER:
      if (!parse_i64(v, &val.i))
        return err_set(c->e, ERR_INVALID, "%s: not an integer", f->name);
      val.kind = VALUE_INT;
      break;
    case FIELD_REAL:
      if (parse_numbers(v, &d, 1) != 1)
        return err_set(c->e, ERR_INVALID, "%s: not a number", f->name);
      val = (value){.kind = VALUE_REAL, .d = d};
      break;
    case FIELD_BOOLEAN:
      if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "1") && strcmp(v, "0"))
        return err_set(c->e, ERR_INVALID, "%s: not true or false", f->name);
      val = (value){.kind = VALUE_BOOL, .i = v[0] == 't' || v[0] == '1'};
      break;
    case FIELD_DATE:
    case FIELD_DATETIME:
      if (!features_time_parse(v, strlen(v), &t) || (f->type == FIELD_DATE && t.has_time))
        return err_set(c->e, ERR_INVALID, "%s: not an RFC 3339 %s", f->name,
                       f->type == FIELD_DATE ? "date (YYYY-MM-DD)" : "date-time");
      val = features_where_text(c->w, t.text, strlen(t.text));
      break;
    case FIELD_TEXT: break;
  }
  query_pred *eq = query_pred_ops(c->a, QUERY_CMP, 2);
  if (eq) {
    eq->cmp = QUERY_EQ;
    eq->ops[0].field = f->name;
    eq->ops[1].lit = val;
  }
  features_where_count(c->w, 1);
  features_where_and(c->w, eq);
  return ERR_OK;
}

static err_code parse_one(parse_ctx *c, features_use use, const features_kv *kv) {
  for (size_t i = 0; i < sizeof PARAMS / sizeof *PARAMS; i++) {
    if (strcmp(PARAMS[i].name, kv->key) != 0) continue;
    if (!(PARAMS[i].uses & (1u << use)))
      return err_set(c->e, ERR_INVALID, "%s: not a parameter of this resource", kv->key);
    return PARAMS[i].fn(c, kv->value);
  }
  const layer_field *f = layer_find_field(c->layer, kv->key);
  if (f && use != FEATURES_USE_ITEM) return p_equality(c, f, kv->value);
  if (use == FEATURES_USE_TILE)
    return err_set(c->e, ERR_INVALID,
                   "%.64s: unknown parameter (a tile takes datetime, filter, or a field name of %s "
                   "for equality)",
                   kv->key, c->layer->id);
  return err_set(c->e, ERR_INVALID,
                 "%.64s: unknown parameter (use bbox, limit, offset, datetime, properties, sortby, "
                 "filter, near, f, or a field name of %s for equality)",
                 kv->key, c->layer->id);
}

static err_code check_repeats(const features_kv *args, size_t n, err *e) {
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++)
      if (strcmp(args[i].key, args[j].key) == 0)
        return err_set(e, ERR_INVALID, "%.64s: given more than once", args[i].key);
  return ERR_OK;
}

static err_code finish(parse_ctx *c, features_use use) {
  features_request *r = c->r;
  if (r->has_near && r->n_sort)
    return err_set(c->e, ERR_INVALID, "sortby: cannot be combined with near (nearest first)");
  if (r->has_after && (r->has_near || r->n_sort))
    return err_set(c->e, ERR_INVALID, "after: pages in id order only (not with sortby or near)");
  if (use == FEATURES_USE_AGGREGATE && !r->by)
    return err_set(c->e, ERR_INVALID, "by: missing (a field name, or month)");
  bool ok_format = use == FEATURES_USE_AGGREGATE ? r->format == FEATURES_GEOJSON
                   : use == FEATURES_USE_ITEM    ? r->format != FEATURES_CSV &&
                                                    r->format != FEATURES_GPKG
                   : use == FEATURES_USE_ITEMS   ? r->format != FEATURES_GPKG
                                                 : r->format != FEATURES_HTML;
  if (!ok_format) return err_set(c->e, ERR_INVALID, "f: this format is not offered here");
  return ERR_OK;
}

err_code features_request_parse(const layer_info *l, features_use use, const features_kv *args,
                                size_t n_args, features_format default_format, arena *a,
                                features_request *out, err *e) {
  memset(out, 0, sizeof *out);
  out->layer = l;
  out->use = use;
  out->format = default_format;
  out->limit = use == FEATURES_USE_ITEMS ? FEATURES_LIMIT_DEFAULT : -1;
  out->args = args;
  out->n_args = n_args;
  out->n_fields = l->n_fields;
  out->fields = arena_calloc(a, l->n_fields + 1, sizeof *out->fields);
  if (!out->fields) return err_set(e, ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < l->n_fields; i++) out->fields[i] = l->fields[i].name;
  err_code rc = check_repeats(args, n_args, e);
  if (rc != ERR_OK) return rc;
  features_where w;
  features_where_init(&w, a);
  parse_ctx c = {l, out, &w, a, e};
  for (size_t i = 0; i < n_args && rc == ERR_OK; i++) rc = parse_one(&c, use, &args[i]);
  if (rc != ERR_OK) return rc;
  if ((rc = features_where_finish(&w, out, "filter", e)) != ERR_OK) return rc;
  return finish(&c, use);
}

void features_request_query(const features_request *r, store_query *out) {
  memset(out, 0, sizeof *out);
  out->layer = r->layer;
  out->bbox = r->has_bbox ? r->bbox : NULL;
  out->bbox_exact = true;
  out->fields = r->fields;
  out->n_fields = r->n_fields;
  out->with_geometry = true;
  out->where = r->where;
  out->sort = r->sort;
  out->n_sort = r->n_sort;
  out->limit = r->limit;
  out->offset = r->has_after ? 0 : r->offset;
  out->after_id = r->has_after ? r->after_id : INT64_MIN;
  out->near = r->has_near ? r->near : NULL;
}

err_code features_format_parse(const char *f, features_format *out, err *e) {
  if (!f) return ERR_OK;
  if (strcmp(f, "json") == 0 || strcmp(f, "geojson") == 0) *out = FEATURES_GEOJSON;
  else if (strcmp(f, "csv") == 0) *out = FEATURES_CSV;
  else if (strcmp(f, "html") == 0) *out = FEATURES_HTML;
  else if (strcmp(f, "gpkg") == 0) *out = FEATURES_GPKG;
  else return err_set(e, ERR_INVALID, "f: unknown format (json, csv, html)");
  return ERR_OK;
}

const char *features_format_mime(features_format f) {
  switch (f) {
    case FEATURES_GEOJSON: return "application/geo+json";
    case FEATURES_CSV: return "text/csv; charset=utf-8";
    case FEATURES_HTML: return "text/html; charset=utf-8";
    case FEATURES_GPKG: return "application/geopackage+sqlite3";
  }
  return "application/octet-stream";
}

const char *features_format_ext(features_format f) {
  switch (f) {
    case FEATURES_GEOJSON: return "geojson";
    case FEATURES_CSV: return "csv";
    case FEATURES_HTML: return "html";
    case FEATURES_GPKG: return "gpkg";
  }
  return "bin";
}
