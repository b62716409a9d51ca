/* quality_doc.c — the full quality report of a layer's last import, as JSON and as a page:
 * GET /collections/{id}/quality.
 *
 * What it publishes is the stored report, less what the layer's privacy policy withholds. The
 * importer already replaced the examples' details of a layer with a policy (report_scrub); here
 * such a layer also loses every record number (examples, shifted records, damaged texts, the
 * first bad value and repeated id), since a record's position in the source file is what links a
 * published count back to a row of an exact-location release. The report's "privacy" part is
 * published as the importer wrote it: the importer applies the policy's suppression there. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "www/www_int.h"

/* True when the layer's policy is anything but "publish as read". */
static bool has_policy(const layer_info *l) {
  json_t *p = json_loads(l->privacy, 0, NULL);
  const char *mode = json_string_value(json_object_get(p, "mode"));
  bool yes = json_is_object(p) && json_object_size(p) > 0 && !(mode && strcmp(mode, "none") == 0);
  json_decref(p);
  return yes;
}

static void drop_records(json_t *doc) {
  json_object_del(doc, "examples");
  json_object_del(doc, "shifted_records");
  json_t *dup = json_object_get(doc, "duplicate_ids");
  if (json_is_object(dup)) json_object_del(dup, "example");
  size_t i;
  json_t *f;
  json_array_foreach(json_object_get(doc, "fields"), i, f) {
    json_object_del(f, "bad_example");
    json_object_del(f, "bad_record");
    json_t *d = json_object_get(f, "damaged_text");
    if (json_is_object(d)) json_object_del(d, "records");
  }
}

/* The report as published (a new reference the caller releases), or NULL when there is none. */
static json_t *published_report(const layer_info *l) {
  json_t *doc = json_loads(l->report, 0, NULL);
  if (!json_is_object(doc) || !json_is_object(json_object_get(doc, "counts"))) {
    json_decref(doc);
    return NULL;
  }
  json_object_del(doc, "options_sha256"); /* internal: says nothing about the data */
  json_object_del(doc, "fields_declared");
  if (has_policy(l)) drop_records(doc);
  return doc;
}

static json_t *link(const char *rel, const char *type, const char *base, const char *id,
                    const char *suffix) {
  char href[512];
  snprintf(href, sizeof href, "%s/collections/%s%s", base, id, suffix);
  return json_pack("{s:s, s:s, s:s}", "href", href, "rel", rel, "type", type);
}

err_code www_quality_json(const char *base_url, const layer_info *l, buf *out, err *e) {
  json_t *doc = published_report(l);
  json_t *body = json_pack("{s:s, s:o}", "id", l->id, "report", doc ? doc : json_null());
  if (!body) return err_set(e, ERR_NOMEM, "out of memory");
  buf summary;
  buf_init(&summary, 0);
  www_quality_summary(&summary, WWW_LANG_ES, l); /* HTML-escaped; plain text needs no tags */
  json_object_set_new(body, "summary", json_string(summary.failed ? "" : buf_cstr(&summary)));
  buf_free(&summary);
  json_object_set_new(body, "links",
                      json_pack("[o, o, o]", link("self", "application/json", base_url, l->id, "/quality"),
                                link("alternate", "text/html", base_url, l->id, "/quality?f=html"),
                                link("collection", "application/json", base_url, l->id, "")));
  char *s = json_dumps(body, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(body);
  if (!s) return err_set(e, ERR_NOMEM, "out of memory");
  buf_puts(out, s);
  free(s);
  return out->failed ? err_set(e, ERR_LIMIT, "the report does not fit") : ERR_OK;
}

/* ---- the page -------------------------------------------------------------------------------- */

static void row(buf *b, const char *key, json_t *v) {
  if (json_is_null(v)) return;
  buf_puts(b, "<tr><th scope=\"row\">");
  www_html_put(b, key);
  buf_puts(b, "</th><td>");
  char *t = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
  www_html_put(b, t ? t : json_string_value(v));
  free(t);
  buf_puts(b, "</td></tr>\n");
}

/* An object as a two-column table (nested values as compact JSON). */
static void object_table(buf *b, const char *caption, json_t *o) {
  if (!json_is_object(o) || json_object_size(o) == 0) return;
  buf_puts(b, "<table>\n<caption>");
  www_html_put(b, caption);
  buf_puts(b, "</caption>\n");
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) row(b, k, v);
  buf_puts(b, "</table>\n");
}

static void fields_table(buf *b, json_t *fields) {
  if (!json_is_array(fields) || json_array_size(fields) == 0) return;
  buf_puts(b, "<table>\n<caption>fields</caption>\n<tr><th scope=\"col\">name</th>"
              "<th scope=\"col\">type</th><th scope=\"col\">filled %</th>"
              "<th scope=\"col\">bad_values</th><th scope=\"col\">damaged_text</th></tr>\n");
  size_t i;
  json_t *f;
  json_array_foreach(fields, i, f) {
    json_t *dmg = json_object_get(json_object_get(f, "damaged_text"), "count");
    buf_puts(b, "<tr><td>");
    www_html_put(b, json_string_value(json_object_get(f, "name")));
    buf_puts(b, "</td><td>");
    www_html_put(b, json_string_value(json_object_get(f, "type")));
    buf_printf(b, "</td><td>%.1f</td><td>%lld</td><td>%lld</td></tr>\n",
               json_number_value(json_object_get(f, "filled_pct")),
               (long long)json_integer_value(json_object_get(f, "bad_values")),
               (long long)json_integer_value(dmg));
  }
  buf_puts(b, "</table>\n");
}

err_code www_quality_page(const www_site *s, const layer_info *l, buf *out, err *e) {
  static const char *const styles[] = {"teselas.css"};
  char self[160];
  snprintf(self, sizeof self, "/collections/%s/quality", l->id);
  const char *heading = www_text(s->lang, T_Q_FULL_REPORT);
  www_page_begin(out, s, heading, "catalog", self, styles, 1);
  buf_puts(out, "<h1>");
  www_html_put(out, heading);
  buf_puts(out, ": ");
  www_html_put(out, l->title);
  buf_puts(out, "</h1>\n<p>");
  www_quality_summary(out, s->lang, l);
  buf_puts(out, "</p>\n");
  json_t *doc = published_report(l);
  if (doc) {
    object_table(out, "source", json_object_get(doc, "source"));
    object_table(out, "counts", json_object_get(doc, "counts"));
    object_table(out, "schema_changes", json_object_get(doc, "schema_changes"));
    fields_table(out, json_object_get(doc, "fields"));
    json_t *rest = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?}", "examples",
                             json_object_get(doc, "examples"), "shifted_records",
                             json_object_get(doc, "shifted_records"), "duplicate_ids",
                             json_object_get(doc, "duplicate_ids"), "notes",
                             json_object_get(doc, "notes"), "privacy",
                             json_object_get(doc, "privacy"));
    object_table(out, "details", rest);
    json_decref(rest);
    json_decref(doc);
  }
  buf_printf(out, "<p><a href=\"%s?f=json\" type=\"application/json\">JSON</a> · "
                  "<a href=\"/collections/", self);
  www_html_put(out, l->id);
  buf_puts(out, "?f=html\">");
  www_html_put(out, l->title);
  buf_puts(out, "</a></p>\n</main>\n</body>\n</html>\n");
  return out->failed ? err_set(e, ERR_LIMIT, "the page does not fit") : ERR_OK;
}
