/* doc.c — the JSON documents of a layer's history and of a diff, the same for the CLI (--json)
 * and for /api/layers/{id}/versions and /diff. A diff document is bounded whatever the layer's
 * size: counts, field changes and the box always, and one page of at most VERSIONS_PAGE_MAX
 * changes with a link to the next (each page walks the whole diff again: it holds two rows,
 * never the list). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "versions/versions.h"

/* The diff arena: field lists and version records, never the rows (a few KB for any layer). */
enum { DOC_ARENA = 4 << 20 };

static json_t *bbox_json(const double *b, bool has) {
  return has ? json_pack("[f,f,f,f]", b[0], b[1], b[2], b[3]) : json_null();
}

/* The report's summary: status, message, counts, schema changes. */
static json_t *report_summary(const char *report) {
  json_t *rep = json_loads(report, 0, NULL);
  json_t *out = json_object();
  const char *keys[] = {"status", "message", "reason", "at", "counts", "schema_changes",
                        "review"};
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
    json_t *v = json_object_get(rep, keys[i]);
    if (v) json_object_set(out, keys[i], v);
  }
  json_decref(rep);
  return out;
}

typedef struct history_ctx {
  json_t *list;
  int64_t current;
} history_ctx;

static int history_row(void *ctx, const store_version *v) {
  history_ctx *h = ctx;
  json_t *summary = report_summary(v->report);
  const char *status = json_string_value(json_object_get(summary, "status"));
  json_t *o = json_pack("{s:I, s:s, s:b, s:b, s:b, s:b}", "version", (json_int_t)v->version,
                        "time", v->imported_at, "current", v->version == h->current, "kept",
                        v->table_name[0] != '\0', "purged",
                        status && strcmp(status, "purged") == 0, "removal", v->removal);
  if (!v->removal) {
    json_object_set_new(o, "source", json_pack("{s:s, s:s}", "name", v->source_name, "sha256",
                                               v->source_sha256));
    json_object_set_new(o, "feature_count", json_integer(v->feature_count));
  }
  if (v->rollback_of > 0) json_object_set_new(o, "rollback_of", json_integer(v->rollback_of));
  /* an upload that went through review (store/review.c): its state in words */
  static const char *const REVIEW[][2] = {{"pending", "pendiente de revisión"},
                                          {"approved", "aprobada"}, {"rejected", "rechazada"}};
  for (size_t i = 0; i < 3; i++)
    if (strcmp(v->review, REVIEW[i][0]) == 0)
      json_object_set_new(o, "review", json_pack("{s:s, s:s}", "state", REVIEW[i][0], "text",
                                                 REVIEW[i][1]));
  json_object_set_new(o, "report", summary);
  json_array_append_new(h->list, o);
  return 0;
}

static char *dump(json_t *doc) {
  char *s = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
  json_decref(doc);
  return s;
}

err_code versions_history_doc(store_reader *r, const catalog *cat, const char *layer_id,
                              const char *base_url, char **out, err *e) {
  *out = NULL;
  if (!store_layer_id_valid(layer_id))
    return err_set(e, ERR_NOT_FOUND, "no layer of that id (/collections lists them)");
  const layer_info *l = catalog_find(cat, layer_id, strlen(layer_id));
  history_ctx h = {json_array(), l ? l->version : 0};
  err_code rc = store_versions_scan(r, layer_id, -1, history_row, &h, e);
  if (rc != ERR_OK) {
    json_decref(h.list);
    return rc;
  }
  json_t *doc = json_pack("{s:s, s:b}", "layer", layer_id, "published", l != NULL);
  json_object_set_new(doc, "current", l ? json_integer(l->version) : json_null());
  json_object_set_new(doc, "versions", h.list);
  if (base_url) {
    char href[512];
    snprintf(href, sizeof href, "%s/api/layers/%s/versions", base_url, layer_id);
    json_object_set_new(doc, "links", json_pack("[{s:s, s:s}]", "rel", "self", "href", href));
  }
  *out = dump(doc);
  return *out ? ERR_OK : err_set(e, ERR_NOMEM, "out of memory");
}

typedef struct page_ctx {
  const versions_page *page;
  json_t *list;
  int64_t seen;
} page_ctx;

static const char *const KIND[] = {"added", "removed", "changed"};

static int page_row(void *ctx, const versions_change *c) {
  page_ctx *p = ctx;
  int64_t i = p->seen++;
  if (i < p->page->offset) return 0;
  if (i >= p->page->offset + p->page->limit) return 1;
  json_t *o = json_pack("{s:s}", "change", KIND[c->kind]);
  json_object_set_new(o, "id", c->key ? json_stringn(c->key, c->key_len) : json_null());
  if (c->from_fid >= 0) json_object_set_new(o, "from_fid", json_integer(c->from_fid));
  if (c->to_fid >= 0) json_object_set_new(o, "to_fid", json_integer(c->to_fid));
  if (c->kind == VERSIONS_CHANGED) {
    json_object_set_new(o, "geometry", json_boolean(c->geometry));
    json_object_set_new(o, "attributes", json_boolean(c->attributes));
  }
  json_object_set_new(o, "bbox", bbox_json(c->bbox, c->has_bbox));
  json_array_append_new(p->list, o);
  return 0;
}

static json_t *fields_json(const versions_field *f, size_t n) {
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_pack("{s:s}", "name", f[i].name);
    if (f[i].from_type) json_object_set_new(o, "from_type", json_string(f[i].from_type));
    if (f[i].to_type) json_object_set_new(o, "to_type", json_string(f[i].to_type));
    json_array_append_new(arr, o);
  }
  return arr;
}

static json_t *diff_json(const char *layer_id, const versions_diff *d, const versions_page *pg,
                         json_t *list) {
  int64_t total = d->n_added + d->n_removed + d->n_changed;
  json_t *doc = json_pack(
      "{s:s, s:I, s:I, s:{s:I, s:I, s:I, s:I}, s:{s:o, s:o, s:o}, s:o, s:I, s:I, s:o}", "layer",
      layer_id, "from", (json_int_t)d->from, "to", (json_int_t)d->to, "counts", "added",
      (json_int_t)d->n_added, "removed", (json_int_t)d->n_removed, "changed",
      (json_int_t)d->n_changed, "unchanged", (json_int_t)d->n_unchanged, "fields", "added",
      fields_json(d->fields_added, d->n_fields_added), "removed",
      fields_json(d->fields_removed, d->n_fields_removed), "retyped",
      fields_json(d->fields_retyped, d->n_fields_retyped), "bbox", bbox_json(d->bbox, d->has_bbox),
      "offset", (json_int_t)pg->offset, "limit", (json_int_t)pg->limit, "changes", list);
  if (!doc) return NULL;
  json_object_set_new(doc, "matched_by",
                      d->key_field ? json_pack("{s:s}", "field", d->key_field)
                                   : json_pack("{s:s}", "content", "geometry+attributes"));
  bool more = pg->offset + pg->limit < total;
  json_object_set_new(doc, "next_offset",
                      more ? json_integer(pg->offset + pg->limit) : json_null());
  if (pg->base_url) {
    json_t *links = json_array();
    const char *fmt = "%s/api/layers/%s/diff?from=%lld&to=%lld&offset=%lld&limit=%lld";
    char href[600];
    snprintf(href, sizeof href, fmt, pg->base_url, layer_id, (long long)d->from,
             (long long)d->to, (long long)pg->offset, (long long)pg->limit);
    json_array_append_new(links, json_pack("{s:s, s:s}", "rel", "self", "href", href));
    if (more) {
      snprintf(href, sizeof href, fmt, pg->base_url, layer_id, (long long)d->from,
               (long long)d->to, (long long)(pg->offset + pg->limit), (long long)pg->limit);
      json_array_append_new(links, json_pack("{s:s, s:s}", "rel", "next", "href", href));
    }
    json_object_set_new(doc, "links", links);
  }
  return doc;
}

err_code versions_diff_doc(store_reader *r, const char *layer_id, int64_t from, int64_t to,
                           const versions_page *page, char **out, err *e) {
  *out = NULL;
  if (!store_layer_id_valid(layer_id))
    return err_set(e, ERR_NOT_FOUND, "no layer of that id (/collections lists them)");
  if (page->offset < 0 || page->limit < 1 || page->limit > VERSIONS_PAGE_MAX)
    return err_set(e, ERR_INVALID, "offset must be >= 0 and limit 1..%d", VERSIONS_PAGE_MAX);
  arena *a = arena_create(DOC_ARENA);
  if (!a) return err_set(e, ERR_NOMEM, "out of memory");
  page_ctx p = {page, json_array(), 0};
  versions_diff d;
  err_code rc = versions_diff_run(r, layer_id, from, to, a, page_row, &p, &d, e);
  if (rc == ERR_OK) {
    json_t *doc = diff_json(layer_id, &d, page, p.list);
    p.list = NULL;
    *out = dump(doc);
    if (!*out) rc = err_set(e, ERR_NOMEM, "out of memory");
  }
  json_decref(p.list);
  arena_destroy(a);
  return rc;
}
