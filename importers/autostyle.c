/* autostyle.c — chooses, from a layer's own data, how its automatic map draws it, and stores the
 * choice with the version: a categorical field (one colour per value), a count on polygons
 * (graduated classes with limits at quantiles), or a single colour; and a label field.
 *
 * Why at import: the categories and class limits must describe the published rows exactly and
 * never change between two requests of the same version (a legend that moved while a person
 * zooms would lie), and counting a million rows per request is not an option. The style drawn
 * from the description is built per request (render/auto.c), so improving the drawing does not
 * need a re-import.
 *
 * The rules, in order: a definition's "style" wins; a polygon layer with a count-like numeric
 * field (casos, total, poblacion, INEGI's pob and viv, pob_*, total_*, …: the aggregate privacy
 * layers' `casos` among them; never an id, code, coordinate or year) is graduated; else the first field, preferred names first (tipo, estado, categoria, …), whose
 * values repeat and number 2 to 12 gives categories; else one colour. Identifiers, coordinates,
 * dates and their parts (year, month, hour), and free names are never candidates; "no data"
 * numbers (-9999, 99999) count as missing. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "importers/autostyle.h"

enum { MAX_CANDIDATES = 8 }; /* fields profiled for categories: bounds the import's extra work */

static const char *const LABEL_NAMES[] = {"nombre", "name",    "nomgeo",  "nom_loc", "nom_mun",
                                          "nom_col", "nom_ent", "titulo",  "title",   "nom",
                                          "colonia", "nombre_colonia"};
static const char *const COUNT_NAMES[] = {
    "casos",     "count",      "conteo",  "total",    "cantidad", "poblacion", "pobtot",
    "pob_total", "pob",        "habitantes", "population", "pop", "incidentes", "delitos",
    "viviendas", "viv",        "vivtot",  "hogares",  "personas", "numero",    "valor"};
/* Prefixes and suffixes of counts that no list can hold: INEGI's pob_fem, pob_0_14, tvivhab;
 * total_casos, num_escuelas, casos_2020. Tried after the names above, which come first. */
static const char *const COUNT_PREFIXES[] = {"pob", "poblacion", "habitantes", "viv",
                                             "total", "num_", "casos", "cantidad", "conteo"};
static const char *const COUNT_SUFFIXES[] = {"_total", "_tot", "_casos", "_habitantes",
                                             "_viviendas", "_count"};
static const char *const CATEGORY_NAMES[] = {"tipo",     "estado",    "estatus", "categoria",
                                             "clase",    "status",    "type",    "category",
                                             "situacion", "delito",   "uso",     "zona"};

static bool name_is(const char *name, const char *want) { return strcasecmp(name, want) == 0; }

static bool has_prefix(const char *s, const char *p) { return strncasecmp(s, p, strlen(p)) == 0; }

static bool has_suffix(const char *s, const char *p) {
  size_t n = strlen(s), m = strlen(p);
  return n >= m && strcasecmp(s + n - m, p) == 0;
}

/* Identifiers and keys: unique or nearly so, never a category or a measure. */
static bool id_like(const char *n) {
  static const char *const IDS[] = {"id", "fid", "gid", "objectid", "ogc_fid", "codigo", "cvegeo",
                                    "folio", "clave", "uid", "fecha_id"};
  for (size_t i = 0; i < sizeof IDS / sizeof *IDS; i++)
    if (name_is(n, IDS[i])) return true;
  return has_prefix(n, "cve") || has_prefix(n, "id_") || has_suffix(n, "_id") ||
         has_prefix(n, "clave");
}

static bool coordinate_like(const char *n) {
  static const char *const C[] = {"lat", "lon", "lng", "latitud", "longitud", "latitude",
                                  "longitude", "x", "y", "coord_x", "coord_y"};
  for (size_t i = 0; i < sizeof C / sizeof *C; i++)
    if (name_is(n, C[i])) return true;
  return false;
}

/* Parts of a date kept as numbers (year 2013..2016): a time axis, not a category. */
static bool time_like(const char *n) {
  static const char *const T[] = {"year", "anio", "año", "ano", "month", "mes", "day", "dia",
                                  "día", "hour", "hora", "minuto", "minute", "semana", "week",
                                  "trimestre", "quarter"};
  for (size_t i = 0; i < sizeof T / sizeof *T; i++)
    if (name_is(n, T[i])) return true;
  return has_prefix(n, "fecha") || has_prefix(n, "date");
}

static bool numeric(field_type t) { return t == FIELD_INTEGER || t == FIELD_REAL; }

static const layer_field *find_field(const layer_field *f, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcasecmp(f[i].name, name) == 0) return &f[i];
  return NULL;
}

/* A text field holding some value: KML's own `Name` is empty in files whose names are in their
 * attributes (GDAL's LIBKML writes INEGI's municipios so), and labels from it draw nothing. */
static err_code named(store_writer *w, const layer_field *x, bool *out, err *e) {
  int64_t filled = 0;
  *out = false;
  if (!x || x->type != FIELD_TEXT) return ERR_OK;
  err_code rc = store_writer_filled(w, x->name, &filled, e);
  *out = rc == ERR_OK && filled > 0;
  return rc;
}

/* A field named like a place's name in Spanish or English: nombre_*, nom_*, *_nombre, and *name
 * (NYC's BoroName, Borough_Name), but not a person's or a file's name (username, filename). */
static bool name_like(const char *n) {
  static const char *const NOT[] = {"username", "user_name", "filename", "file_name", "surname",
                                    "nickname", "lastname", "last_name", "firstname", "first_name"};
  for (size_t i = 0; i < sizeof NOT / sizeof *NOT; i++)
    if (name_is(n, NOT[i])) return false;
  return has_prefix(n, "nombre") || has_prefix(n, "nom_") || has_suffix(n, "_nombre") ||
         has_suffix(n, "name");
}

/* The label field into *out (NULL: none): a text field with a name-like name and some value. */
static err_code label_field(store_writer *w, const layer_field *f, size_t n,
                            const layer_field **out, err *e) {
  bool ok = false;
  err_code rc = ERR_OK;
  *out = NULL;
  for (size_t k = 0; k < sizeof LABEL_NAMES / sizeof *LABEL_NAMES && rc == ERR_OK; k++) {
    const layer_field *x = find_field(f, n, LABEL_NAMES[k]);
    if ((rc = named(w, x, &ok, e)) == ERR_OK && ok) {
      *out = x;
      return ERR_OK;
    }
  }
  for (size_t i = 0; i < n && rc == ERR_OK; i++) {
    if (!name_like(f[i].name)) continue;
    if ((rc = named(w, &f[i], &ok, e)) == ERR_OK && ok) {
      *out = &f[i];
      return ERR_OK;
    }
  }
  return rc;
}

/* A count or a population: named like one, numeric, and not an id, a code, a coordinate or a
 * date part (num_ext is a street number: "numero" alone is in the list, not as a prefix). */
static bool count_like(const layer_field *x) {
  if (!numeric(x->type) || id_like(x->name) || coordinate_like(x->name) || time_like(x->name))
    return false;
  for (size_t k = 0; k < sizeof COUNT_PREFIXES / sizeof *COUNT_PREFIXES; k++)
    if (has_prefix(x->name, COUNT_PREFIXES[k])) return true;
  for (size_t k = 0; k < sizeof COUNT_SUFFIXES / sizeof *COUNT_SUFFIXES; k++)
    if (has_suffix(x->name, COUNT_SUFFIXES[k])) return true;
  return false;
}

/* The field a polygon layer is graduated by: the first of COUNT_NAMES it has, else the first of
 * its fields named like a count. */
static const layer_field *count_field(const layer_field *f, size_t n) {
  for (size_t k = 0; k < sizeof COUNT_NAMES / sizeof *COUNT_NAMES; k++) {
    const layer_field *x = find_field(f, n, COUNT_NAMES[k]);
    if (x && numeric(x->type)) return x;
  }
  for (size_t i = 0; i < n; i++)
    if (count_like(&f[i])) return &f[i];
  return NULL;
}

static bool category_candidate(const layer_field *x, const layer_field *label) {
  if (x == label || id_like(x->name) || coordinate_like(x->name) || time_like(x->name))
    return false;
  return x->type == FIELD_TEXT || x->type == FIELD_INTEGER || x->type == FIELD_BOOLEAN;
}

/* Fields to try for categories: the preferred names first, then the others in order. */
static size_t category_candidates(const layer_field *f, size_t n, const layer_field *label,
                                  const layer_field **out) {
  size_t k = 0;
  for (size_t i = 0; i < sizeof CATEGORY_NAMES / sizeof *CATEGORY_NAMES && k < MAX_CANDIDATES; i++) {
    const layer_field *x = find_field(f, n, CATEGORY_NAMES[i]);
    if (x && category_candidate(x, label)) out[k++] = x;
  }
  for (size_t i = 0; i < n && k < MAX_CANDIDATES; i++) {
    bool dup = false;
    for (size_t j = 0; j < k; j++) dup |= out[j] == &f[i];
    if (!dup && category_candidate(&f[i], label)) out[k++] = &f[i];
  }
  return k;
}

static json_t *value_json(const value *v) {
  switch (v->kind) {
    case VALUE_INT:
    case VALUE_BOOL: return json_integer((json_int_t)v->i);
    case VALUE_REAL: return json_real(v->d);
    case VALUE_TEXT: return json_stringn(v->s, v->len);
    default: return json_null();
  }
}

typedef struct counts_ctx {
  json_t *items;
  int64_t listed;
  bool skip_sentinels;
  int64_t sentinels;        /* rows holding a "no data" number */
  size_t sentinel_values;   /* distinct such numbers */
} counts_ctx;

/* A number that stands for "no data" in the files we get (-9999, 99999: ESRI's and INEGI's
 * habits), as a number or as text: rows holding one are missing, not a category (León's colonias
 * were coloured by `otros_cp`, 925 of 962 rows -9999). */
static bool sentinel(const value *v) {
  double x;
  if (v->kind == VALUE_INT) x = (double)v->i;
  else if (v->kind == VALUE_REAL) x = v->d;
  else if (v->kind == VALUE_TEXT && v->len > 0 && v->len < 16) {
    char text[16], *end;
    memcpy(text, v->s, v->len);
    text[v->len] = '\0';
    x = strtod(text, &end);
    if (*end) return false;
  } else {
    return false;
  }
  x = x < 0 ? -x : x;
  return x == 999 || x == 9999 || x == 99999 || x == 999999;
}

static int add_count(void *ctx, const value *v, int64_t count) {
  counts_ctx *c = ctx;
  if (c->skip_sentinels && sentinel(v)) {
    c->sentinels += count;
    c->sentinel_values++;
    return 0;
  }
  json_array_append_new(c->items, json_pack("{s:o,s:I}", "value", value_json(v), "count",
                                            (json_int_t)count));
  c->listed += count;
  return 0;
}

/* Categories of field x into d. *ok false (nothing written) when the field is not categorical:
 * fewer than 2 or more than max values, or (unless forced) values that hardly repeat. */
static err_code try_categories(store_writer *w, const layer_field *x, int64_t n_features,
                               bool forced, json_t *d, bool *ok, err *e) {
  counts_ctx c = {.items = json_array(), .skip_sentinels = !forced};
  size_t distinct = 0;
  int64_t filled = 0;
  /* a forced field with more than 12 values: the 11 most common and "the rest" */
  size_t max = AUTOSTYLE_MAX_CATEGORIES;
  err_code rc = store_writer_value_counts(w, x->name, max, add_count, &c, &distinct, &filled, e);
  if (rc == ERR_OK && forced && distinct > max) {
    json_array_clear(c.items);
    c.listed = 0;
    rc = store_writer_value_counts(w, x->name, max - 1, add_count, &c, &distinct, &filled, e);
  }
  bool too_many = distinct > max; /* counted up to max + 1 */
  filled -= c.sentinels;
  distinct -= c.sentinel_values;
  *ok = rc == ERR_OK &&
        (forced ? distinct >= 1
                : distinct >= 2 && !too_many && (int64_t)distinct * 2 <= n_features &&
                      filled * 2 >= n_features);
  if (!*ok) {
    json_decref(c.items);
    return rc;
  }
  json_object_set_new(d, "kind", json_string("categories"));
  json_object_set_new(d, "field", json_string(x->name));
  json_object_set_new(d, "field_label", json_string(x->label ? x->label : x->name));
  json_object_set_new(d, "categories", c.items);
  json_object_set_new(d, "other", json_integer(filled - c.listed));
  json_object_set_new(d, "missing", json_integer(n_features - filled));
  return ERR_OK;
}

/* Graduated classes of numeric field x: limits at quantiles, equal ones merged. */
static err_code try_classes(store_writer *w, const layer_field *x, int n_classes, json_t *d,
                            bool *ok, err *e) {
  double q[AUTOSTYLE_MAX_CLASSES + 1];
  int64_t n = 0;
  err_code rc = store_writer_quantiles(w, x->name, (size_t)n_classes, q, &n, e);
  *ok = false;
  if (rc != ERR_OK || n == 0) return rc;
  json_t *limits = json_array();
  double last = q[0];
  json_array_append_new(limits, json_real(q[0]));
  for (int i = 1; i < n_classes; i++) {
    if (q[i] > last) json_array_append_new(limits, json_real(q[i]));
    if (q[i] > last) last = q[i];
  }
  if (q[n_classes] > last || json_array_size(limits) == 1)
    json_array_append_new(limits, json_real(q[n_classes]));
  if (json_array_size(limits) < 3 && !(json_array_size(limits) == 2 &&
                                       json_real_value(json_array_get(limits, 0)) <
                                           json_real_value(json_array_get(limits, 1)))) {
    json_decref(limits);
    return ERR_OK;
  }
  *ok = true;
  json_object_set_new(d, "kind", json_string("classes"));
  json_object_set_new(d, "field", json_string(x->name));
  json_object_set_new(d, "field_label", json_string(x->label ? x->label : x->name));
  json_object_set_new(d, "method", json_string("quantiles"));
  json_object_set_new(d, "limits", limits);
  json_object_set_new(d, "values", json_integer((json_int_t)n));
  return ERR_OK;
}

static err_code apply_override(store_writer *w, const layer_field *f, size_t n, int64_t n_features,
                               json_t *ov, json_t *d, err *e) {
  const char *by = json_string_value(json_object_get(ov, "by"));
  const char *grad = json_string_value(json_object_get(ov, "graduated"));
  const layer_field *x = find_field(f, n, by ? by : grad ? grad : "");
  if (!x)
    return err_set(e, ERR_INVALID, "estilo: la capa no tiene el campo '%s'",
                   by ? by : grad ? grad : "");
  bool ok = false;
  json_object_set_new(d, "chosen", json_string("definition"));
  if (by) return try_categories(w, x, n_features, true, d, &ok, e);
  if (!numeric(x->type))
    return err_set(e, ERR_INVALID, "estilo: el campo '%s' no es numérico y no se puede graduar",
                   x->name);
  json_int_t k = json_integer_value(json_object_get(ov, "classes"));
  err_code rc = try_classes(w, x, k >= 2 ? (int)k : AUTOSTYLE_CLASSES, d, &ok, e);
  if (rc == ERR_OK && !ok) json_object_set_new(d, "kind", json_string("single"));
  return rc;
}

static err_code choose(store_writer *w, const layer_field *f, size_t n, int64_t n_features,
                       const char *gtype, const layer_field *label, json_t *d, err *e) {
  bool ok = false;
  json_object_set_new(d, "chosen", json_string("auto"));
  const layer_field *cnt = strcmp(gtype, "Polygon") == 0 ? count_field(f, n) : NULL;
  err_code rc = cnt ? try_classes(w, cnt, AUTOSTYLE_CLASSES, d, &ok, e) : ERR_OK;
  const layer_field *cand[MAX_CANDIDATES];
  size_t k = category_candidates(f, n, label, cand);
  for (size_t i = 0; i < k && rc == ERR_OK && !ok; i++)
    if (cand[i] != cnt) rc = try_categories(w, cand[i], n_features, false, d, &ok, e);
  if (rc == ERR_OK && !ok) json_object_set_new(d, "kind", json_string("single"));
  return rc;
}

err_code import_autostyle_check(const char *text, err *e) {
  json_t *ov = json_loads(text, 0, NULL);
  err_code rc = ERR_OK;
  const char *by = json_string_value(json_object_get(ov, "by"));
  const char *grad = json_string_value(json_object_get(ov, "graduated"));
  json_t *k = json_object_get(ov, "classes");
  if (!json_is_object(ov) || (!by == !grad))
    rc = err_set(e, ERR_INVALID, "'style' es {\"by\": CAMPO} o {\"graduated\": CAMPO, "
                 "\"classes\": N}");
  else if (k && (!json_is_integer(k) || json_integer_value(k) < 2 ||
                 json_integer_value(k) > AUTOSTYLE_MAX_CLASSES))
    rc = err_set(e, ERR_INVALID, "'style.classes' es un entero de 2 a %d", AUTOSTYLE_MAX_CLASSES);
  else if (json_object_size(ov) > (size_t)(k ? 2 : 1))
    rc = err_set(e, ERR_INVALID, "'style' tiene claves desconocidas");
  json_decref(ov);
  return rc;
}

err_code import_autostyle(store_writer *w, const layer_field *fields, size_t n_fields,
                          const char *override, err *e) {
  char gtype[16];
  int64_t n_features = 0;
  err_code rc = store_writer_geometry_type(w, gtype, &n_features, e);
  if (rc != ERR_OK) return rc;
  json_t *d = json_object();
  json_t *ov = override ? json_loads(override, 0, NULL) : NULL;
  json_object_set_new(d, "geometry", json_string(gtype));
  const layer_field *label = NULL;
  rc = label_field(w, fields, n_fields, &label, e);
  json_object_set_new(d, "label", label ? json_string(label->name) : json_null());
  if (rc == ERR_OK && override && (rc = import_autostyle_check(override, e)) == ERR_OK)
    rc = apply_override(w, fields, n_fields, n_features, ov, d, e);
  else if (rc == ERR_OK && !override)
    rc = choose(w, fields, n_fields, n_features, gtype, label, d, e);
  char *text = rc == ERR_OK ? json_dumps(d, JSON_COMPACT) : NULL;
  if (rc == ERR_OK && !text) rc = err_set(e, ERR_NOMEM, "sin memoria");
  if (rc == ERR_OK) rc = store_writer_set_style(w, text, e);
  free(text);
  json_decref(ov);
  json_decref(d);
  return rc;
}
