/* layer_at.c — a layer as one of its kept versions published it, read from the history's copy of
 * the catalog entry (store/history.c), so tiles of an older version can be made by the same code
 * as the current one's. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "seed/changes.h"

typedef struct found {
  arena *a;
  bool seen;
  const char *table, *catalog;
} found;

static int take(void *ctx, const store_version *v) {
  found *f = ctx;
  f->seen = true;
  f->table = arena_strdup(f->a, v->table_name);
  f->catalog = v->catalog ? arena_strdup(f->a, v->catalog) : NULL;
  return 1;
}

static char *dup_str(arena *a, json_t *j, const char *key, char *fallback) {
  const char *s = json_string_value(json_object_get(j, key));
  return s ? arena_strdup(a, s) : fallback;
}

static double num(json_t *j, const char *key, double fallback) {
  json_t *v = json_object_get(j, key);
  if (json_is_number(v)) return json_number_value(v);
  if (json_is_string(v)) return strtod(json_string_value(v), NULL);
  return fallback;
}

static err_code read_fields(json_t *fields, arena *a, layer_info *out, err *e) {
  size_t n = json_array_size(fields);
  out->fields = arena_calloc(a, n + 1, sizeof *out->fields);
  out->field_docs = arena_calloc(a, n + 1, sizeof *out->field_docs);
  if (!out->fields || !out->field_docs) return err_set(e, ERR_NOMEM, "out of memory");
  out->n_fields = 0;
  for (size_t i = 0; i < n; i++) {
    json_t *f = json_array_get(fields, i);
    const char *name = json_string_value(json_object_get(f, "name"));
    if (!name) continue;
    layer_field *lf = &out->fields[out->n_fields];
    lf->name = arena_strdup(a, name);
    lf->label = dup_str(a, f, "label", lf->name);
    const char *type = json_string_value(json_object_get(f, "type"));
    if (!type || !field_type_parse(type, &lf->type)) lf->type = FIELD_TEXT;
    out->field_docs[out->n_fields] = (layer_field_doc){lf->name, "", ""};
    out->n_fields++;
  }
  return arena_failed(a) ? err_set(e, ERR_NOMEM, "out of memory") : ERR_OK;
}

err_code seed_layer_at(store_reader *r, const layer_info *current, int64_t version, arena *a,
                       layer_info *out, err *e) {
  *out = *current;
  if (version == current->version) return ERR_OK;
  found f = {.a = a};
  err_code rc = store_versions_scan(r, current->id, version, take, &f, e);
  if (rc == ERR_NOT_FOUND || (rc == ERR_OK && (!f.table || !f.table[0])))
    return err_set(e, ERR_NOT_FOUND, "version %lld of layer %s is not in its history or its data "
                   "are no longer kept (teselas versions %s lists them)", (long long)version,
                   current->id, current->id);
  if (rc != ERR_OK) return rc;
  if (!f.catalog)
    return err_set(e, ERR_INVALID, "version %lld of layer %s was published before versions "
                   "recorded their catalog entry", (long long)version, current->id);
  json_t *c = json_loads(f.catalog, 0, NULL);
  if (!c) return err_set(e, ERR_INVALID, "version %lld of layer %s: its catalog entry does not "
                         "parse", (long long)version, current->id);
  out->version = version;
  out->table_name = (char *)f.table;
  out->geometry_type = dup_str(a, c, "geometry_type", current->geometry_type);
  out->date_field = dup_str(a, c, "date_field", current->date_field);
  const char *k[] = {"minx", "miny", "maxx", "maxy"};
  for (int i = 0; i < 4; i++) out->bounds[i] = num(c, k[i], current->bounds[i]);
  out->feature_count = (int64_t)num(c, "feature_count", 0);
  out->minzoom = (int)num(c, "minzoom", current->minzoom);
  out->maxzoom = (int)num(c, "maxzoom", current->maxzoom);
  json_t *priv = json_object_get(c, "privacy");
  char *ptext = priv ? json_dumps(priv, JSON_COMPACT) : NULL;
  out->privacy = ptext ? arena_strdup(a, ptext) : current->privacy;
  free(ptext);
  out->aggregate = layer_privacy_is_aggregate(out->privacy);
  rc = read_fields(json_object_get(c, "fields"), a, out, e);
  json_decref(c);
  return rc == ERR_OK && arena_failed(a) ? err_set(e, ERR_NOMEM, "out of memory") : rc;
}
