/* layerdef.c — reads one layers/ definition file (JSON) into import options, and the folder's
 * catalog file (_catalog.json) into catalog settings (layers/README.md). It does not import:
 * importers/publish.c runs the definitions. */
#include "importers/publish/layerdef.h"

#include "importers/autostyle.h"
#include "importers/publish/fetch_int.h"

#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "store/store.h"

/* Every key a definition may hold, and the JSON type of its value: 's' text, 'b' true/false,
 * '*' checked where it is read (lists, numbers, objects). */
static const struct {
  const char *key;
  char kind;
} KEYS[] = {{"id", 's'},          {"source", 's'},       {"title", 's'},       {"description", 's'},
            {"license", 's'},     {"publisher", 's'},    {"frequency", 's'},   {"keywords", '*'},
            {"source_layer", 's'}, {"source_srs", 's'},  {"lat", 's'},         {"lon", 's'},
            {"wkt", 's'},         {"encoding", 's'},     {"id_field", 's'},    {"date_field", 's'},
            {"fields", '*'},      {"fix_swapped", 'b'},  {"expect_bbox", '*'}, {"keep", '*'},
            {"privacy", '*'},     {"drop", '*'},         {"keep_fields", '*'}, {"sample", 'b'},
            {"style", '*'},       {"expect_schema", 's'}, {"$comment", '*'}};

static const char *str(json_t *doc, const char *key) {
  return json_string_value(json_object_get(doc, key));
}

static err_code check_keys(json_t *doc, const char *path, err *e) {
  const char *key;
  json_t *v;
  json_object_foreach(doc, key, v) {
    size_t k = 0, n = sizeof KEYS / sizeof *KEYS;
    while (k < n && strcmp(KEYS[k].key, key) != 0) k++;
    if (k == n) return err_set(e, ERR_INVALID, "%s: clave desconocida '%s'", path, key);
    if (KEYS[k].kind == 's' && !json_is_string(v))
      return err_set(e, ERR_INVALID, "%s: '%s' debe ser texto", path, key);
    if (KEYS[k].kind == 'b' && !json_is_boolean(v))
      return err_set(e, ERR_INVALID, "%s: '%s' debe ser true o false", path, key);
  }
  return ERR_OK;
}

/* "fields": [{"name", "rename", "label", "type", "description", "unit"}] — the published
 * fields, in order. */
static err_code load_fields(layer_def *d, json_t *fields, err *e) {
  if (!fields) return ERR_OK;
  if (!json_is_array(fields) || json_array_size(fields) == 0)
    return err_set(e, ERR_INVALID, "%s: 'fields' debe ser una lista de campos", d->path);
  size_t n = json_array_size(fields);
  d->specs = calloc(n, sizeof *d->specs);
  if (!d->specs) return err_set(e, ERR_NOMEM, "sin memoria");
  for (size_t i = 0; i < n; i++) {
    json_t *f = json_array_get(fields, i);
    import_field_spec *s = &d->specs[i];
    s->name = json_is_string(f) ? json_string_value(f) : str(f, "name");
    if (!s->name || !*s->name)
      return err_set(e, ERR_INVALID, "%s: el campo %zu no tiene 'name'", d->path, i + 1);
    if (json_is_object(f)) {
      s->rename_to = str(f, "rename");
      s->label = str(f, "label");
      s->description = str(f, "description");
      s->unit = str(f, "unit");
      const char *type = str(f, "type");
      if (type && !(s->has_type = field_type_parse(type, &s->type)))
        return err_set(e, ERR_INVALID, "%s: tipo '%s' desconocido en el campo '%s' (integer, "
                       "real, text, date, datetime, boolean)", d->path, type, s->name);
    }
  }
  d->opt.specs = d->specs;
  d->opt.n_specs = n;
  d->opt.only_spec_fields = true;
  return ERR_OK;
}

/* "drop" / "keep_fields": lists of field names (the --drop and --keep-field decisions). */
static err_code load_names(layer_def *d, json_t *list, const char *key, const char ***out,
                           size_t *out_n, err *e) {
  if (!list) return ERR_OK;
  if (!json_is_array(list))
    return err_set(e, ERR_INVALID, "%s: '%s' debe ser una lista de campos", d->path, key);
  *out = calloc(json_array_size(list) + 1, sizeof **out);
  if (!*out) return err_set(e, ERR_NOMEM, "sin memoria");
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    if (!json_is_string(v) || !*json_string_value(v))
      return err_set(e, ERR_INVALID, "%s: '%s' debe ser una lista de campos", d->path, key);
    (*out)[(*out_n)++] = json_string_value(v);
  }
  return ERR_OK;
}

static err_code load_misc(layer_def *d, json_t *doc, err *e) {
  json_t *kw = json_object_get(doc, "keywords");
  if (json_is_array(kw)) {
    size_t total = 1, i;
    json_t *k;
    json_array_foreach(kw, i, k) total += (json_string_value(k) ? strlen(json_string_value(k)) : 0) + 2;
    if (!(d->keywords = calloc(1, total))) return err_set(e, ERR_NOMEM, "sin memoria");
    json_array_foreach(kw, i, k) if (json_string_value(k)) {
      if (*d->keywords) strcat(d->keywords, ", ");
      strcat(d->keywords, json_string_value(k));
    }
    d->opt.keywords = d->keywords;
  } else {
    d->opt.keywords = json_string_value(kw);
  }
  /* "privacy": a spec ("generalize:grid=250,k=5") or the catalog's JSON form ({} = none) */
  json_t *priv = json_object_get(doc, "privacy");
  if (priv && !json_is_object(priv) && !json_is_string(priv))
    return err_set(e, ERR_INVALID, "%s: 'privacy' debe ser un texto (\"generalize:grid=250\") o "
                   "un objeto", d->path);
  if (json_is_string(priv)) d->opt.privacy = json_string_value(priv);
  else if (priv) d->opt.privacy = d->privacy = json_dumps(priv, JSON_COMPACT | JSON_SORT_KEYS);
  err_code rc = load_names(d, json_object_get(doc, "drop"), "drop", &d->drop, &d->opt.n_drop, e);
  if (rc == ERR_OK)
    rc = load_names(d, json_object_get(doc, "keep_fields"), "keep_fields", &d->keep,
                    &d->opt.n_keep, e);
  if (rc != ERR_OK) return rc;
  d->opt.drop = d->drop;
  d->opt.keep = d->keep;
  json_t *bbox = json_object_get(doc, "expect_bbox");
  if (bbox) {
    if (!json_is_array(bbox) || json_array_size(bbox) != 4)
      return err_set(e, ERR_INVALID, "%s: 'expect_bbox' es [minx, miny, maxx, maxy]", d->path);
    for (size_t i = 0; i < 4; i++) d->opt.expect_bbox[i] = json_number_value(json_array_get(bbox, i));
    d->opt.has_expect_bbox = true;
  }
  /* "style": {"by": F} or {"graduated": F, "classes": N} (importers/autostyle.h) */
  json_t *style = json_object_get(doc, "style");
  if (style) {
    d->opt.style = d->style = json_dumps(style, JSON_COMPACT | JSON_SORT_KEYS);
    if (!d->style) return err_set(e, ERR_NOMEM, "sin memoria");
    err why;
    err_clear(&why);
    if (import_autostyle_check(d->style, &why) != ERR_OK)
      return err_set(e, ERR_INVALID, "%s: %s", d->path, why.msg);
  }
  d->opt.fix_swapped = json_is_true(json_object_get(doc, "fix_swapped"));
  d->opt.keep_versions = (int)json_integer_value(json_object_get(doc, "keep"));
  return ERR_OK;
}

/* The source path: absolute as written, else relative to base (a folder). */
static void resolve_source(const char *base, const char *source, char *out, size_t out_len) {
  if (source[0] == '/' || !base || !*base) snprintf(out, out_len, "%s", source);
  else snprintf(out, out_len, "%s/%s", base, source);
}

err_code layerdef_parse(const char *name, const char *text, const char *sources_dir,
                        layer_def *d, err *e) {
  memset(d, 0, sizeof *d);
  snprintf(d->path, sizeof d->path, "%s", name);
  const char *path = d->path;
  json_error_t je;
  json_t *doc = json_loads(text, 0, &je);
  d->doc = doc;
  if (!doc)
    return err_set(e, ERR_INVALID, "%s: JSON inválido en la línea %d: %s", path, je.line, je.text);
  if (!json_is_object(doc)) return err_set(e, ERR_INVALID, "%s: se esperaba un objeto JSON", path);
  err_code rc = check_keys(doc, path, e);
  if (rc != ERR_OK) return rc;
  const char *id = str(doc, "id"), *source = str(doc, "source");
  if (!id || !*id || !source || !*source)
    return err_set(e, ERR_INVALID, "%s: faltan 'id' o 'source'", path);
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  d->source_is_url = fetch_is_url(source);
  if (d->source_is_url) snprintf(d->source, sizeof d->source, "%s", source);
  else resolve_source(sources_dir ? sources_dir : dirname(dir), source, d->source, sizeof d->source);
  import_options *o = &d->opt;
  o->path = d->source;
  o->layer_id = id;
  o->title = str(doc, "title");
  o->description = str(doc, "description");
  o->license = str(doc, "license");
  o->publisher = str(doc, "publisher");
  o->frequency = str(doc, "frequency");
  o->source_layer = str(doc, "source_layer");
  o->source_srs = str(doc, "source_srs");
  o->lat_col = str(doc, "lat");
  o->lon_col = str(doc, "lon");
  o->wkt_col = str(doc, "wkt");
  o->encoding = str(doc, "encoding");
  o->id_field = str(doc, "id_field");
  o->date_field = str(doc, "date_field");
  o->expect_schema = str(doc, "expect_schema");
  o->sample = json_is_true(json_object_get(doc, "sample"));
  if ((rc = load_fields(d, json_object_get(doc, "fields"), e)) != ERR_OK) return rc;
  if ((rc = load_misc(d, doc, e)) != ERR_OK) return rc;
  /* The definition enters the fingerprint, so an edit is a new version; but not where the file
   * lives (its SHA-256 covers the content: moving the folder, or --sources, is no change) nor
   * comments. */
  json_t *fp = json_deep_copy(doc);
  json_object_del(fp, "source");
  json_object_del(fp, "$comment");
  d->fingerprint = json_dumps(fp, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(fp);
  o->fingerprint_extra = d->fingerprint;
  return ERR_OK;
}

char *layerdef_read_file(const char *path, err *e) {
  FILE *f = fopen(path, "rb");
  if (!f) return err_set(e, ERR_IO, "%s: no se puede leer", path), NULL;
  buf b;
  buf_init(&b, 0);
  char chunk[8192];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(&b, chunk, n);
  bool failed = ferror(f) || b.failed;
  fclose(f);
  buf_cstr(&b);
  if (failed || b.failed) {
    buf_free(&b);
    return err_set(e, ERR_IO, "%s: no se puede leer", path), NULL;
  }
  return (char *)buf_steal(&b, NULL);
}

bool layerdef_is_catalog(const char *path) {
  const char *slash = strrchr(path, '/');
  return strcmp(slash ? slash + 1 : path, LAYERDEF_CATALOG_FILE) == 0;
}

err_code layerdef_catalog_parse(const char *name, const char *text, catalog_def *out, err *e) {
  memset(out, 0, sizeof *out);
  json_error_t je;
  json_t *doc = json_loads(text, 0, &je);
  if (!doc)
    return err_set(e, ERR_INVALID, "%s: JSON inválido en la línea %d: %s", name, je.line,
                   je.text);
  if (!json_is_object(doc)) {
    json_decref(doc);
    return err_set(e, ERR_INVALID, "%s: se esperaba un objeto JSON", name);
  }
  err_code rc = ERR_OK;
  const char *key;
  json_t *v;
  json_object_foreach(doc, key, v) {
    if (strcmp(key, "$comment") == 0) continue;
    if (strcmp(key, "area_of_interest") != 0) {
      rc = err_set(e, ERR_INVALID, "%s: clave desconocida '%s'", name, key);
      break;
    }
    out->has_area = true;
    out->clear_area = json_is_null(v);  /* null: the catalog has no area of interest */
    if (out->clear_area) continue;
    bool ok = json_is_array(v) && json_array_size(v) == 4;
    for (size_t i = 0; ok && i < 4; i++) {
      ok = json_is_number(json_array_get(v, i));
      out->area[i] = json_number_value(json_array_get(v, i));
    }
    if (!ok || !store_area_valid(out->area)) {
      rc = err_set(e, ERR_INVALID, "%s: 'area_of_interest' es [oeste, sur, este, norte] en "
                   "grados, o null", name);
      break;
    }
  }
  json_decref(doc);
  return rc;
}

void layerdef_free(layer_def *d) {
  json_decref(d->doc);
  free(d->specs);
  free(d->keywords);
  free(d->privacy);
  free(d->style);
  free(d->fingerprint);
  free(d->drop);
  free(d->keep);
  memset(d, 0, sizeof *d);
}
