/* mappage.c — the viewer (/maps/{style}) and the page for iframes (/embed/{style}).
 *
 * The server writes an accessible HTML shell (landmarks, a live status line, a no-script text)
 * and the page configuration as JSON: the catalog's layers with their human field labels, and
 * which endpoints exist. viewer.js / embed.js build the map, the panels and the table from it,
 * so the page needs no request to learn what it shows. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "www/www_int.h"

/* What the charts may group by under the layer's privacy policy: an aggregated layer publishes
 * counts by the policy's fields ("by") and month only, and none of them is a field of its
 * published cells, so the page must learn them here. Adds "privacy_mode", "group_by" and
 * "group_month" (whether by=month has a date to count). */
static void add_privacy_groups(json_t *o, const layer_info *l) {
  json_t *p = json_loads(l->privacy, 0, NULL);
  const char *mode = json_string_value(json_object_get(p, "mode"));
  json_t *by = json_object_get(p, "by");
  json_object_set_new(o, "privacy_mode", json_string(mode ? mode : "none"));
  json_object_set_new(o, "group_by", json_is_array(by) ? json_deep_copy(by) : json_array());
  /* by=month counts the policy's date field, which the published cells do not carry */
  json_t *date = json_object_get(p, "date_field");
  json_object_set_new(o, "group_month", json_boolean(*l->date_field ||
                                                     (json_is_string(date) && *json_string_value(date))));
  json_decref(p);
}

/* Whether the last import's report says no record of l has a value in field name (KML's
 * `description` where no placemark has one): the pages leave such a field out of cards, the
 * table and charts; the downloads keep its column, the dictionary lists it as 0 % filled. */
static bool never_filled(json_t *report, const char *name) {
  json_t *f;
  size_t i;
  json_array_foreach(json_object_get(report, "fields"), i, f) {
    const char *n = json_string_value(json_object_get(f, "name"));
    json_t *filled = json_object_get(f, "filled");
    if (n && strcmp(n, name) == 0) return json_is_integer(filled) && json_integer_value(filled) == 0;
  }
  return false;
}

static json_t *layer_json(const www_site *s, const layer_info *l) {
  json_t *fields = json_array();
  json_t *report = json_loads(l->report ? l->report : "{}", 0, NULL);
  for (size_t i = 0; i < l->n_fields; i++) {
    json_t *f = json_pack("{s:s, s:s, s:s}", "name", l->fields[i].name, "label",
                          l->fields[i].label, "type", field_type_name(l->fields[i].type));
    if (f && never_filled(report, l->fields[i].name))
      json_object_set_new(f, "empty", json_true());
    json_array_append_new(fields, f);
  }
  json_decref(report);
  json_t *o = json_pack(
      "{s:s, s:s, s:s, s:s, s:[f,f,f,f], s:i, s:i, s:I, s:s, s:b, s:s, s:s, s:o}", "id", l->id,
      "title", l->title, "description", l->description, "geometry", l->geometry_type, "bounds",
      l->bounds[0], l->bounds[1], l->bounds[2], l->bounds[3], "minzoom", l->minzoom, "maxzoom",
      l->maxzoom, "count", (json_int_t)l->feature_count, "date_field", l->date_field, "sample",
      l->sample, "publisher", l->publisher, "license", l->license, "fields", fields);
  buf privacy;
  buf_init(&privacy, 0);
  www_privacy_text(s->lang, l, &privacy);
  if (o) json_object_set_new(o, "privacy", json_stringn(privacy.len ? (const char *)privacy.data : "",
                                                         privacy.len));
  buf_free(&privacy);
  if (o) add_privacy_groups(o, l);
  /* the field the tiles label with names the feature in cards and search too (one rule) */
  const layer_field *lf = layer_label_field(l);
  if (o) json_object_set_new(o, "label_field", lf ? json_string(lf->name) : json_null());
  /* below this zoom the tiles leave out what is smaller than a pixel: the status line counts
   * those as "zoom in" rather than as nothing in view */
  if (o) json_object_set_new(o, "small_below",
                             json_integer(s->layer_small_below ? s->layer_small_below(l) : 0));
  return o;
}

static json_t *maybe_string(bool on, char *s) {
  json_t *v = on && s ? json_string(s) : json_null();
  free(s);
  return v;
}

static char *style_path(const www_site *s, const char *suffix) {
  size_t n = strlen(s->style) + strlen(suffix) + 16;
  char *p = malloc(n);
  if (p) snprintf(p, n, "/styles/%s%s", s->style, suffix);
  return p;
}

/* The configuration the scripts read. Owned by the caller (json_decref). */
static json_t *page_config(const www_site *s, const catalog *c, bool embed) {
  json_t *layers = json_array();
  buf ids;
  buf_init(&ids, 0);
  buf_puts(&ids, "/tiles/");
  for (size_t i = 0; i < c->n_layers; i++) {
    json_array_append_new(layers, layer_json(s, &c->layers[i]));
    if (i) buf_putc(&ids, ',');
    buf_puts(&ids, c->layers[i].id);
  }
  buf_puts(&ids, ".json");
  char assets[64];
  snprintf(assets, sizeof assets, "/assets/%s/", WWW_BUILD_ID);
  json_t *ep = json_pack(
      "{s:o, s:o, s:b, s:b, s:b, s:o}", "style",
      maybe_string(s->ep.style, style_path(s, "/style.json")), "png",
      maybe_string(s->ep.png, style_path(s, "/{z}/{x}/{y}.png")), "items", s->ep.items,
      "aggregate", s->ep.aggregate, "collections", s->ep.collections, "download",
      s->ep.download ? json_string(s->ep.download) : json_null());
  json_t *doc = json_pack("{s:s, s:s, s:b, s:s, s:s, s:o, s:s%, s:o}", "lang",
                          www_lang_code(s->lang), "style", s->style, "embed", embed, "base",
                          s->base_url, "assets", assets, "endpoints", ep, "tilejson",
                          (const char *)ids.data, ids.len, "layers", layers);
  buf_free(&ids);
  return doc;
}

/* JSON inside <script type="application/json">: '<', '>' and '&' only occur inside strings, so
 * writing them as \u escapes keeps the text valid JSON and makes "</script>" or "<!--" from a
 * layer title unable to end or confuse the element. */
static void put_json_in_html(buf *b, const char *json) {
  for (const char *p = json; *p; p++) {
    if (*p == '<')
      buf_puts(b, "\\u003c");
    else if (*p == '>')
      buf_puts(b, "\\u003e");
    else if (*p == '&')
      buf_puts(b, "\\u0026");
    else
      buf_putc(b, *p);
  }
}

err_code www_map_write(const www_site *s, const catalog *c, bool embed, buf *out, err *e) {
  static const char *const styles[] = {"maplibre-gl.css", "teselas.css"};
  json_t *cfg = page_config(s, c, embed);
  char *json = cfg ? json_dumps(cfg, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(cfg);
  if (!json) return err_set(e, ERR_NOMEM, "out of memory for the page configuration");

  buf self;
  buf_init(&self, 256);
  buf_printf(&self, "/%s/%s", embed ? "embed" : "maps", s->style);
  const char *title = www_text(s->lang, embed ? T_EMBED_TITLE : T_MAP_TITLE);
  www_page_begin(out, s, title, embed ? "embed" : "viewer", buf_cstr(&self), styles, 2);
  buf_free(&self);

  buf_puts(out, "<h1 class=\"sr-only\" id=\"page-title\">");
  www_html_put(out, title);
  buf_puts(out, "</h1>\n<div id=\"app\" class=\"app\">\n<p id=\"status\" class=\"status\" "
                "role=\"status\" aria-live=\"polite\">");
  www_html_text(out, s, T_LOADING);
  buf_puts(out, "</p>\n</div>\n<noscript><p class=\"noscript\">");
  www_html_text(out, s, T_NOSCRIPT);
  buf_puts(out, " <a href=\"/");
  if (s->lang == WWW_LANG_EN) buf_puts(out, "?lang=en");
  buf_puts(out, "\">");
  www_html_text(out, s, T_BACK_CATALOG);
  buf_puts(out, "</a></p></noscript>\n</main>\n<script type=\"application/json\" "
                "id=\"teselas-config\">");
  put_json_in_html(out, json);
  free(json);
  buf_puts(out, "</script>\n<script type=\"module\" src=\"");
  www_asset_url(out, embed ? "embed.js" : "viewer.js");
  buf_puts(out, "\"></script>\n</body>\n</html>\n");
  if (out->failed)
    return err_set(e, out->over_limit ? ERR_LIMIT : ERR_NOMEM, "the map page did not fit");
  return ERR_OK;
}
