/* ckan.c — the read side of CKAN's action API (CKAN 2.10 docs, ckan.logic.action.get):
 * package_list, package_show, package_search and organization_list, for tools that read CKAN
 * but not DCAT. A layer is a package whose name and id are the layer id; its publisher is its
 * organization (the same slug as the catalogue's foaf:Agent); its resources are the
 * distributions of the DCAT catalogue (downloads and the map page). Field names and types are
 * CKAN's, with null where teselas has no value, so clients that index them do not trip.
 * package_search pages in catalog order (stable), so rows/start visit every layer once. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog/catalog_int.h"
#include "features/features.h"

static json_t *organization(const char *publisher) {
  char slug[96];
  catalog_org_slug(publisher, slug, sizeof slug);
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "id", slug, "name", slug,
                   "title", publisher, "description", "", "type", "organization", "state",
                   "active", "is_organization", 1, "image_url", "", "approval_status",
                   "approved");
}

static json_t *tags(const char *keywords) {
  json_t *arr = json_array();
  for (const char *p = keywords; *p;) {
    p += strspn(p, " ,;");
    size_t n = strcspn(p, ",;"), m = n;
    while (m && p[m - 1] == ' ') m--;
    if (m) {
      json_t *name = json_stringn(p, m);
      json_array_append_new(arr, json_pack("{s:O, s:O, s:O, s:s, s:n}", "id", name, "name", name,
                                           "display_name", name, "state", "active",
                                           "vocabulary_id"));
      json_decref(name);
    }
    p += n;
  }
  return arr;
}

static json_t *resource(const catalog_site *s, const layer_info *l, const char *kind,
                        const char *name, const char *format, const char *mime, const char *path,
                        size_t position) {
  char url[512], id[128];
  snprintf(url, sizeof url, "%s%s", s->base_url, path);
  snprintf(id, sizeof id, "%s-%s", l->id, kind);
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:n, s:s, s:i, s:n, s:s, s:n, s:s}",
                   "id", id, "package_id", l->id, "name", name, "description", "", "format",
                   format, "mimetype", mime, "url", url, "url_type", "state", "active",
                   "position", (json_int_t)position, "size", "hash", "", "created",
                   "last_modified", l->updated_at);
}

static json_t *resources(const catalog_site *s, const layer_info *l) {
  static const struct {
    const char *kind, *name, *format, *mime;
  } R[] = {{"geojson", "Descarga completa (GeoJSON)", "GeoJSON", "application/geo+json"},
           {"csv", "Descarga completa (CSV)", "CSV", "text/csv"},
           {"gpkg", "Descarga completa (GeoPackage)", "GPKG", "application/geopackage+sqlite3"}};
  json_t *arr = json_array();
  char path[160];
  size_t i = 0;
  for (; i < sizeof R / sizeof *R; i++) {
    snprintf(path, sizeof path, "/collections/%s/download.%s", l->id, R[i].kind);
    json_array_append_new(arr, resource(s, l, R[i].kind, R[i].name, R[i].format, R[i].mime, path, i));
  }
  snprintf(path, sizeof path, "/embed/%s", l->id);
  json_array_append_new(arr, resource(s, l, "map", "Mapa interactivo", "HTML", "text/html", path, i));
  return arr;
}

/* extras: what CKAN has no field for. "spatial" is the GeoJSON box ckanext-spatial reads. */
static json_t *extras(const catalog_site *s, const layer_info *l) {
  char v[64], dict[256], box[320];
  snprintf(v, sizeof v, "%lld", (long long)l->version);
  snprintf(dict, sizeof dict, "%s/collections/%s/dictionary", s->base_url, l->id);
  const double *b = l->bounds;
  snprintf(box, sizeof box,
           "{\"type\":\"Polygon\",\"coordinates\":[[[%.7g,%.7g],[%.7g,%.7g],[%.7g,%.7g],"
           "[%.7g,%.7g],[%.7g,%.7g]]]}",
           b[0], b[1], b[2], b[1], b[2], b[3], b[0], b[3], b[0], b[1]);
  json_t *x = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "key", "frequency", "value",
                        l->frequency, "key", "version", "value", v, "key", "data_dictionary",
                        "value", dict);
  if (l->feature_count > 0)
    json_array_append_new(x, json_pack("{s:s, s:s}", "key", "spatial", "value", box));
  return x;
}

static json_t *package(const catalog_site *s, const layer_info *l) {
  const char *lic_url = l->license[0] ? features_license_url(l->license) : NULL;
  json_t *tg = tags(l->keywords);
  json_t *res = resources(s, l);
  json_t *p = json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s}",
      "id", l->id, "name", l->id, "title", l->title[0] ? l->title : l->id, "notes",
      l->description, "type", "dataset", "state", "active", "license_id", l->license,
      "license_title", l->license, "private", 0, "metadata_created",
      l->issued_at && l->issued_at[0] ? l->issued_at : l->updated_at,
      "metadata_modified", l->updated_at, "author", l->publisher, "isopen", lic_url != NULL,
      "maintainer", l->publisher, "url", "", "version", "", "creator_user_id", "");
  char url[256];
  snprintf(url, sizeof url, "%s/collections/%s?f=html", s->base_url, l->id);
  json_object_set_new(p, "url", json_string(url));
  json_object_set_new(p, "license_url", lic_url ? json_string(lic_url) : json_null());
  json_object_set_new(p, "num_tags", json_integer((json_int_t)json_array_size(tg)));
  json_object_set_new(p, "tags", tg);
  json_object_set_new(p, "num_resources", json_integer((json_int_t)json_array_size(res)));
  json_object_set_new(p, "resources", res);
  json_object_set_new(p, "organization", l->publisher[0] ? organization(l->publisher) : json_null());
  json_object_set_new(p, "owner_org", json_null());
  if (l->publisher[0])
    json_object_set(p, "owner_org", json_object_get(json_object_get(p, "organization"), "id"));
  json_object_set_new(p, "extras", extras(s, l));
  json_object_set_new(p, "groups", json_array());
  json_object_set_new(p, "relationships_as_object", json_array());
  json_object_set_new(p, "relationships_as_subject", json_array());
  return p;
}

/* Case-folded (ASCII) substring test. */
static bool contains_folded(const char *hay, const char *needle, size_t n) {
  for (; *hay; hay++)
    if (strncasecmp(hay, needle, n) == 0) return true;
  return false;
}

/* Every word of q is in the layer's id, title, description, keywords or publisher. */
static bool matches(const layer_info *l, const char *q) {
  const char *fields[] = {l->id, l->title, l->description, l->keywords, l->publisher};
  for (const char *p = q; *p;) {
    p += strspn(p, " +");
    size_t n = strcspn(p, " +");
    if (!n) break;
    bool found = false;
    for (size_t i = 0; i < sizeof fields / sizeof *fields && !found; i++)
      found = contains_folded(fields[i], p, n);
    if (!found) return false;
    p += n;
  }
  return true;
}

static json_t *search(const catalog_site *s, const catalog *c, const catalog_ckan_req *q) {
  json_t *results = json_array();
  int64_t count = 0;
  for (size_t i = 0; i < c->n_layers; i++) {
    if (!matches(&c->layers[i], q->q)) continue;
    if (count >= q->start && count < q->start + q->rows)
      json_array_append_new(results, package(s, &c->layers[i]));
    count++;
  }
  return json_pack("{s:I, s:s, s:{}, s:o, s:{}}", "count", (json_int_t)count, "sort",
                   "score desc, metadata_modified desc", "facets", "results", results,
                   "search_facets");
}

static json_t *names(const catalog *c, bool organizations) {
  json_t *arr = json_array();
  char slug[96];
  for (size_t i = 0; i < c->n_layers; i++) {
    const layer_info *l = &c->layers[i];
    if (!organizations) {
      json_array_append_new(arr, json_string(l->id));
      continue;
    }
    if (!l->publisher[0]) continue;
    catalog_org_slug(l->publisher, slug, sizeof slug);
    bool seen = false;
    for (size_t k = 0; k < json_array_size(arr) && !seen; k++)
      seen = strcmp(json_string_value(json_array_get(arr, k)), slug) == 0;
    if (!seen) json_array_append_new(arr, json_string(slug));
  }
  return arr;
}

static const char *const ACTIONS[] = {"package_list", "package_show", "package_search",
                                      "organization_list"};

/* The help link names the action only when it is one of ours: an error never echoes what the
 * request said (it could be a name or an id a person typed). */
static json_t *envelope(const catalog_site *s, const char *action, bool success) {
  char help[512];
  bool known = false;
  for (size_t i = 0; i < sizeof ACTIONS / sizeof *ACTIONS; i++) known |= strcmp(action, ACTIONS[i]) == 0;
  snprintf(help, sizeof help, "%s/api/3/action/help_show%s%s", s->base_url, known ? "?name=" : "",
           known ? action : "");
  return json_pack("{s:s, s:b}", "help", help, "success", success);
}

err_code catalog_ckan_write(const catalog_site *s, const catalog *c, const catalog_ckan_req *q,
                            buf *out, err *e) {
  json_t *result = NULL;
  switch (q->action) {
    case CATALOG_CKAN_PACKAGE_LIST: result = names(c, false); break;
    case CATALOG_CKAN_ORGANIZATION_LIST: result = names(c, true); break;
    case CATALOG_CKAN_PACKAGE_SEARCH: result = search(s, c, q); break;
    case CATALOG_CKAN_PACKAGE_SHOW: {
      const layer_info *l = catalog_find(c, q->id, strlen(q->id));
      if (!l) return err_set(e, ERR_NOT_FOUND, "Not found");
      result = package(s, l);
      break;
    }
  }
  json_t *doc = envelope(s, ACTIONS[q->action], true);
  if (doc && result) json_object_set_new(doc, "result", result);
  else json_decref(result);
  char *text = doc ? json_dumps(doc, JSON_PRESERVE_ORDER) : NULL;
  json_decref(doc);
  bool okay = text && buf_puts(out, text);
  free(text);
  return okay ? ERR_OK : err_set(e, ERR_NOMEM, "out of memory writing the CKAN answer");
}

void catalog_ckan_error(const catalog_site *s, const char *action, const char *type,
                        const char *message, buf *out) {
  json_t *doc = envelope(s, action, false);
  json_object_set_new(doc, "error", json_pack("{s:s, s:s}", "__type", type, "message", message));
  char *text = json_dumps(doc, JSON_PRESERVE_ORDER);
  json_decref(doc);
  if (text) buf_puts(out, text);
  free(text);
}
