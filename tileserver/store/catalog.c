/* catalog.c — reads the catalog table into an immutable snapshot (catalog / layer_info).
 * The snapshot is plain malloc'd memory owned by whoever loaded it; nothing here caches. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

static char *dup_col(sqlite3_stmt *st, int col) {
  const unsigned char *s = sqlite3_column_text(st, col);
  return strdup(s ? (const char *)s : "");
}

static void layer_free(layer_info *l) {
  char **strs[] = {&l->id,        &l->title,       &l->description,   &l->geometry_type,
                   &l->license,   &l->publisher,   &l->frequency,     &l->keywords,
                   &l->updated_at, &l->source_name, &l->source_sha256, &l->privacy,
                   &l->report,    &l->table_name,  &l->date_field, &l->style,
                   &l->delivered_at, &l->issued_at};
  for (size_t i = 0; i < sizeof strs / sizeof *strs; i++) free(*strs[i]);
  for (size_t i = 0; i < l->n_fields; i++) {
    free(l->fields[i].name);
    free(l->fields[i].label);
    if (l->field_docs) {
      free(l->field_docs[i].name);
      free(l->field_docs[i].description);
      free(l->field_docs[i].unit);
    }
  }
  free(l->fields);
  free(l->field_docs);
}

void catalog_destroy(catalog *c) {
  if (!c) return;
  for (size_t i = 0; i < c->n_layers; i++) layer_free(&c->layers[i]);
  free(c->layers);
  free(c);
}

/* fields is a JSON array of {"name","type","label"[,"description","unit"]} written by the
 * writer; description and unit are "" when absent. */
err_code store_catalog_parse_fields(layer_info *l, const char *text, err *e) {
  json_error_t jerr;
  json_t *arr = json_loads(text, 0, &jerr);
  if (!json_is_array(arr)) {
    json_decref(arr);
    return err_set(e, ERR_INVALID, "catalog: fields of layer %s are not a JSON array", l->id);
  }
  size_t n = json_array_size(arr);
  l->fields = calloc(n ? n : 1, sizeof *l->fields);
  l->field_docs = calloc(n ? n : 1, sizeof *l->field_docs);
  if (!l->fields || !l->field_docs) {
    json_decref(arr);
    return err_set(e, ERR_NOMEM, "out of memory reading the catalog");
  }
  for (size_t i = 0; i < n; i++) {
    json_t *f = json_array_get(arr, i);
    const char *name = json_string_value(json_object_get(f, "name"));
    const char *type = json_string_value(json_object_get(f, "type"));
    const char *label = json_string_value(json_object_get(f, "label"));
    layer_field *lf = &l->fields[l->n_fields++];
    lf->name = strdup(name ? name : "");
    lf->label = strdup(label ? label : lf->name);
    const char *desc = json_string_value(json_object_get(f, "description"));
    const char *unit = json_string_value(json_object_get(f, "unit"));
    layer_field_doc *d = &l->field_docs[l->n_fields - 1];
    d->name = strdup(lf->name);
    d->description = strdup(desc ? desc : "");
    d->unit = strdup(unit ? unit : "");
    if (!type || !field_type_parse(type, &lf->type)) lf->type = FIELD_TEXT;
  }
  json_decref(arr);
  return ERR_OK;
}

static const char CATALOG_SQL[] =
    "SELECT id, title, description, geometry_type, license, publisher, frequency, keywords,"
    " updated_at, source_name, source_sha256, privacy, report, table_name, date_field,"
    " minx, miny, maxx, maxy, feature_count, version, minzoom, maxzoom, sample, fields,"
    " (SELECT count(*) FROM pragma_table_info(table_name) WHERE name = 'geom_z10'),"
    " (SELECT count(*) FROM pragma_table_info(table_name || '_tile_lines')"
    "  WHERE name = 'teselas_g')"
    /* the calendar counts from the history's time of the current version (updated_at when an
       older database has no such row) */
    ", coalesce((SELECT h.imported_at FROM teselas_history h WHERE h.layer_id = teselas_layers.id"
    "  AND h.version = teselas_layers.version), updated_at)"
    /* the first version after the last removal (a row with no table and no rows) is the
       dataset's first publication */
    ", coalesce((SELECT min(h.imported_at) FROM teselas_history h"
    "  WHERE h.layer_id = teselas_layers.id AND h.version > coalesce((SELECT max(r.version)"
    "  FROM teselas_history r WHERE r.layer_id = teselas_layers.id AND r.table_name = ''"
    "  AND r.feature_count = 0), 0)), updated_at)"
    " FROM teselas_layers ORDER BY id";

static err_code read_row(sqlite3_stmt *st, layer_info *l, err *e) {
  char **strs[] = {&l->id,        &l->title,       &l->description,   &l->geometry_type,
                   &l->license,   &l->publisher,   &l->frequency,     &l->keywords,
                   &l->updated_at, &l->source_name, &l->source_sha256, &l->privacy,
                   &l->report,    &l->table_name,  &l->date_field};
  for (int i = 0; i < 15; i++) *strs[i] = dup_col(st, i);
  for (int i = 0; i < 4; i++) l->bounds[i] = sqlite3_column_double(st, 15 + i);
  l->feature_count = sqlite3_column_int64(st, 19);
  l->version = sqlite3_column_int64(st, 20);
  l->minzoom = sqlite3_column_int(st, 21);
  l->maxzoom = sqlite3_column_int(st, 22);
  l->sample = sqlite3_column_int(st, 23) != 0;
  l->has_lod = sqlite3_column_int(st, 25) != 0;
  l->has_tile_lines = sqlite3_column_int(st, 26) != 0;
  if (!(l->delivered_at = dup_col(st, 27)) || !(l->issued_at = dup_col(st, 28)))
    return err_set(e, ERR_NOMEM, "out of memory reading the catalog");
  for (int i = 0; i < 15; i++)
    if (!*strs[i]) return err_set(e, ERR_NOMEM, "out of memory reading the catalog");
  l->aggregate = layer_privacy_is_aggregate(l->privacy);
  const unsigned char *fields = sqlite3_column_text(st, 24);
  return store_catalog_parse_fields(l, fields ? (const char *)fields : "[]", e);
}

/* The catalog of the rows `sql` reads (CATALOG_SQL, or it under a CTE); review > 0 binds ?1. */
static err_code catalog_load_sql(sqlite3 *db, const char *sql, int64_t review, catalog **out,
                                 err *e) {
  sqlite3_stmt *st = NULL;
  catalog *c = calloc(1, sizeof *c);
  err_code rc = ERR_OK;
  if (!c) return err_set(e, ERR_NOMEM, "out of memory reading the catalog");
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    rc = store_read_error(db, NULL, "catalog", e);
    goto done;
  }
  if (review > 0) sqlite3_bind_int64(st, 1, review);
  size_t cap = 0;
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (c->n_layers == cap) {
      cap = cap ? cap * 2 : 16;
      layer_info *p = realloc(c->layers, cap * sizeof *p);
      if (!p) {
        rc = err_set(e, ERR_NOMEM, "out of memory reading the catalog");
        goto done;
      }
      c->layers = p;
    }
    layer_info *l = &c->layers[c->n_layers++];
    memset(l, 0, sizeof *l);
    if ((rc = read_row(st, l, e)) != ERR_OK) goto done;
  }
  if (step != SQLITE_DONE) rc = store_read_error(db, NULL, "catalog", e);
  if (rc == ERR_OK) rc = store_catalog_load_styles(db, c, e);
done:
  sqlite3_finalize(st);
  if (rc != ERR_OK) {
    catalog_destroy(c);
    c = NULL;
  }
  *out = c;
  return rc;
}

/* Loads the whole catalog. Used by the reader (per worker) and by `teselas layers`. */
err_code store_catalog_load(sqlite3 *db, catalog **out, err *e) {
  return catalog_load_sql(db, CATALOG_SQL, 0, out, e);
}

/* The one entry a review keeps (review.c) read by the very query of the catalog: a CTE of the
 * catalog's name shadows the table, so every column and derived value is computed alike. */
err_code store_catalog_load_review(sqlite3 *db, int64_t n, catalog **out, err *e) {
  static const char SQL[] = "WITH teselas_layers AS (SELECT * FROM teselas_review_layers WHERE"
                            " review_n=?1) ";
  char *sql = malloc(sizeof SQL + sizeof CATALOG_SQL);
  if (!sql) return err_set(e, ERR_NOMEM, "out of memory reading the catalog");
  memcpy(sql, SQL, sizeof SQL - 1);
  memcpy(sql + sizeof SQL - 1, CATALOG_SQL, sizeof CATALOG_SQL);
  err_code rc = catalog_load_sql(db, sql, n > 0 ? n : 1, out, e);
  free(sql);
  return rc;
}

const layer_info *catalog_find(const catalog *c, const char *id, size_t id_len) {
  for (size_t i = 0; i < c->n_layers; i++) {
    const char *lid = c->layers[i].id;
    if (strlen(lid) == id_len && memcmp(lid, id, id_len) == 0) return &c->layers[i];
  }
  return NULL;
}

const layer_field *layer_find_field(const layer_info *l, const char *name) {
  for (size_t i = 0; i < l->n_fields; i++)
    if (strcmp(l->fields[i].name, name) == 0) return &l->fields[i];
  return NULL;
}

bool layer_privacy_is_aggregate(const char *privacy) {
  json_t *p = json_loads(privacy ? privacy : "{}", 0, NULL);
  const char *mode = json_string_value(json_object_get(p, "mode"));
  bool yes = mode && strcmp(mode, "aggregate") == 0;
  json_decref(p);
  return yes;
}

const layer_field *layer_label_field(const layer_info *l) {
  json_t *choice = json_loads(l->style ? l->style : "{}", 0, NULL);
  json_t *lab = json_object_get(choice, "label");
  if (lab) { /* recorded: a field name, or null when the import found none */
    const layer_field *f = json_is_string(lab) ? layer_find_field(l, json_string_value(lab)) : NULL;
    json_decref(choice);
    return f;
  }
  json_decref(choice);
  static const char *const NAMES[] = {"nombre", "name", "titulo", "title", "nom"};
  for (size_t k = 0; k < sizeof NAMES / sizeof *NAMES; k++) {
    const layer_field *f = layer_find_field(l, NAMES[k]);
    if (f && f->type == FIELD_TEXT) return f;
  }
  return NULL;
}
